/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printer to CBOR diagnostic notation (RFC 8949 section 8, with the
 * extensions of RFC 8610 Appendix G): h'..' byte strings, "..." text
 * strings with JSON escapes, N(..) tags, [_ ..] and {_ ..} for indefinite
 * containers, (_ ..) for chunked strings, and /comments/ naming map keys
 * and tags when the caller supplies names.
 *
 * The input is validated with tk_cbor_check() first, so the walk here can
 * read heads without error handling and its recursion is bounded by
 * TK_CBOR_MAX_DEPTH. Output goes to the caller's buffer. Once it is full
 * the printer keeps counting, so a failure can report the size needed.
 */
#include "cbor/tk_cbor.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor_impl.h"

/* Room for any number or short token printed with emitf(). */
#define SCRATCH_MAX 64
/* Significant digits that identify any double (DBL_DECIMAL_DIG). */
#define DOUBLE_DIGITS_MAX 17
/* Decimal exponents printed without an exponent, as in 100000.0 or 0.0001. */
#define PLAIN_EXP_MIN (-5)
#define PLAIN_EXP_MAX 16

struct diag_ctx {
	const uint8_t *buf;
	size_t len;
	bool pretty;
	const struct tk_cbor_names *names;
	char *out;
	size_t out_cap;
	size_t out_len; /* characters produced, even past out_cap */
	int64_t path[TK_CBOR_MAX_DEPTH]; /* keys of the enclosing maps */
	unsigned path_len;
};

static void emit(struct diag_ctx *ctx, const char *str, size_t len)
{
	/* Keep one byte for the NUL; count what does not fit. */
	for (size_t i = 0; i < len; i++, ctx->out_len++) {
		if (ctx->out_len + 1 < ctx->out_cap)
			ctx->out[ctx->out_len] = str[i];
	}
}

static void emits(struct diag_ctx *ctx, const char *str)
{
	emit(ctx, str, strlen(str));
}

static void emitf(struct diag_ctx *ctx, const char *fmt, ...) TK_PRINTF(2, 3);

static void emitf(struct diag_ctx *ctx, const char *fmt, ...)
{
	char scratch[SCRATCH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(scratch, sizeof(scratch), fmt, ap);
	va_end(ap);
	if (n > 0)
		emit(ctx, scratch, (size_t)n < sizeof(scratch) ? (size_t)n : sizeof(scratch) - 1);
}

static void newline(struct diag_ctx *ctx, unsigned indent)
{
	emits(ctx, "\n");
	for (unsigned i = 0; i < indent; i++)
		emits(ctx, "  ");
}

static struct tk_cbor_head head_at(const struct diag_ctx *ctx, size_t pos)
{
	struct tk_cbor_head head;

	/* The item was validated, so reading its heads cannot fail. */
	(void)tk_cbor_head_read(ctx->buf, ctx->len, pos, &head, NULL);
	return head;
}

static void print_item(struct diag_ctx *ctx, size_t *pos, unsigned indent);

static void print_bytes(struct diag_ctx *ctx, const uint8_t *ptr, size_t len)
{
	emits(ctx, "h'");
	for (size_t i = 0; i < len; i++)
		emitf(ctx, "%02x", ptr[i]);
	emits(ctx, "'");
}

/*
 * Print text with the escapes of JSON (RFC 8259 section 7). C1 controls
 * are escaped too, so that no terminal acts on them. Other UTF-8 is kept.
 */
static void print_text(struct diag_ctx *ctx, const uint8_t *ptr, size_t len)
{
	emits(ctx, "\"");
	for (size_t i = 0; i < len; i++) {
		uint8_t c = ptr[i];
		if (c == '"' || c == '\\')
			emitf(ctx, "\\%c", c);
		else if (c == '\n')
			emits(ctx, "\\n");
		else if (c == '\r')
			emits(ctx, "\\r");
		else if (c == '\t')
			emits(ctx, "\\t");
		else if (c < 0x20 || c == 0x7f)
			emitf(ctx, "\\u%04x", c);
		else if (c == 0xc2 && i + 1 < len && ptr[i + 1] >= 0x80 && ptr[i + 1] <= 0x9f)
			emitf(ctx, "\\u%04x", ptr[++i]); /* C1 control, U+0080..U+009F */
		else
			emit(ctx, (const char *)&c, 1);
	}
	emits(ctx, "\"");
}

/* A definite string, or an indefinite one as (_ chunk, chunk). */
static void print_string(struct diag_ctx *ctx, const struct tk_cbor_head *head,
			 size_t *pos)
{
	const uint8_t *data = ctx->buf + head->pos + head->size;
	size_t at = head->pos + head->size;
	struct tk_cbor_head chunk;

	if (head->ai != TK_CBOR_AI_INDEFINITE) {
		if (head->major == 2)
			print_bytes(ctx, data, (size_t)head->arg);
		else
			print_text(ctx, data, (size_t)head->arg);
		*pos = at + (size_t)head->arg;
		return;
	}

	/* RFC 8610 Appendix G.2: an empty chunked string is ''_ or ""_. */
	if (ctx->buf[at] == TK_CBOR_BREAK) {
		emits(ctx, head->major == 2 ? "''_" : "\"\"_");
		*pos = at + 1;
		return;
	}
	emits(ctx, "(_ ");
	for (bool first = true; ctx->buf[at] != TK_CBOR_BREAK; first = false) {
		chunk = head_at(ctx, at);
		if (!first)
			emits(ctx, ", ");
		print_string(ctx, &chunk, &at);
	}
	emits(ctx, ")");
	*pos = at + 1;
}

static void print_negative(struct diag_ctx *ctx, uint64_t arg)
{
	/* -1 - arg; the most negative, -2^64, has no uint64_t magnitude. */
	if (arg == UINT64_MAX)
		emits(ctx, "-18446744073709551616");
	else
		emitf(ctx, "-%" PRIu64, arg + 1);
}

/*
 * Shortest decimal that reads back as the same double, written as a
 * float: 1.5, 100000.0, 1.0e+300, 5.960464477539063e-08.
 */
static void print_float(struct diag_ctx *ctx, double value)
{
	char text[SCRATCH_MAX];
	int digits, exp;
	char *e;

	if (isnan(value)) {
		emits(ctx, "NaN");
		return;
	}
	if (isinf(value)) {
		emits(ctx, value > 0 ? "Infinity" : "-Infinity");
		return;
	}

	for (digits = 1; digits < DOUBLE_DIGITS_MAX; digits++) {
		snprintf(text, sizeof(text), "%.*e", digits - 1, value);
		if (strtod(text, NULL) == value)
			break;
	}
	snprintf(text, sizeof(text), "%.*e", digits - 1, value);
	e = strchr(text, 'e');
	exp = (int)strtol(e + 1, NULL, 10);
	if (exp >= PLAIN_EXP_MIN && exp <= PLAIN_EXP_MAX) {
		int decimals = digits - 1 - exp;
		emitf(ctx, "%.*f", decimals > 1 ? decimals : 1, value);
		return;
	}

	/* Exponent form, with ".0" when there is a single digit. */
	emit(ctx, text, (size_t)(e - text));
	if (digits == 1)
		emits(ctx, ".0");
	emits(ctx, e);
}

static void print_simple(struct diag_ctx *ctx, const struct tk_cbor_head *head)
{
	switch (tk_cbor_head_type(head)) {
	case TK_CBOR_FALSE:
		emits(ctx, "false");
		break;
	case TK_CBOR_TRUE:
		emits(ctx, "true");
		break;
	case TK_CBOR_NULL:
		emits(ctx, "null");
		break;
	case TK_CBOR_UNDEFINED:
		emits(ctx, "undefined");
		break;
	case TK_CBOR_FLOAT:
		print_float(ctx, tk_cbor_head_float(head));
		break;
	default:
		emitf(ctx, "simple(%" PRIu64 ")", head->arg);
		break;
	}
}

/* Integer value of the key at pos for the names table, else INT64_MIN. */
static int64_t key_label(const struct diag_ctx *ctx, size_t pos)
{
	struct tk_cbor_head head = head_at(ctx, pos);

	if (head.major > 1 || head.arg > INT64_MAX)
		return INT64_MIN;
	return head.major == 0 ? (int64_t)head.arg : -1 - (int64_t)head.arg;
}

/* A map key, then `/ name /` when the caller names it, then ": ". */
static void print_key(struct diag_ctx *ctx, size_t *pos, unsigned indent)
{
	int64_t label = key_label(ctx, *pos);
	const char *name = NULL;

	print_item(ctx, pos, indent);
	if (label != INT64_MIN && ctx->names != NULL && ctx->names->key_name != NULL)
		name = ctx->names->key_name(ctx->names->ctx, ctx->path, ctx->path_len,
					    label);
	if (name != NULL) {
		emits(ctx, " / ");
		emits(ctx, name);
		emits(ctx, " /");
	}
	emits(ctx, ": ");

	/* While the value prints, this key is the innermost entry of the path. */
	ctx->path[ctx->path_len++] = label;
}

/*
 * Elements of an array or map: `count` entries, or up to a break when
 * indefinite. In pretty mode each entry goes on its own line.
 */
static void print_entries(struct diag_ctx *ctx, const struct tk_cbor_head *head,
			  size_t *pos, unsigned indent)
{
	bool indefinite = head->ai == TK_CBOR_AI_INDEFINITE;
	bool is_map = head->major == 5;
	size_t at = head->pos + head->size;
	uint64_t i;

	for (i = 0; indefinite ? ctx->buf[at] != TK_CBOR_BREAK : i < head->arg; i++) {
		if (i > 0)
			emits(ctx, ",");
		if (ctx->pretty)
			newline(ctx, indent + 1);
		else if (i > 0)
			emits(ctx, " ");
		if (is_map)
			print_key(ctx, &at, indent + 1);
		print_item(ctx, &at, indent + 1);
		if (is_map)
			ctx->path_len--;
	}
	if (ctx->pretty && i > 0)
		newline(ctx, indent);
	*pos = indefinite ? at + 1 : at;
}

static void print_container(struct diag_ctx *ctx, const struct tk_cbor_head *head,
			    size_t *pos, unsigned indent)
{
	bool indefinite = head->ai == TK_CBOR_AI_INDEFINITE;
	size_t first = head->pos + head->size;
	bool empty = indefinite ? ctx->buf[first] == TK_CBOR_BREAK : head->arg == 0;

	emits(ctx, head->major == 4 ? "[" : "{");
	if (indefinite)
		emits(ctx, ctx->pretty && !empty ? "_" : "_ ");
	print_entries(ctx, head, pos, indent);
	emits(ctx, head->major == 4 ? "]" : "}");
}

static void print_tag(struct diag_ctx *ctx, const struct tk_cbor_head *head,
		      size_t *pos, unsigned indent)
{
	const char *name = NULL;

	if (ctx->names != NULL && ctx->names->tag_name != NULL)
		name = ctx->names->tag_name(ctx->names->ctx, head->arg);
	if (name != NULL) {
		emits(ctx, "/ ");
		emits(ctx, name);
		emits(ctx, " / ");
	}
	emitf(ctx, "%" PRIu64 "(", head->arg);
	*pos = head->pos + head->size;
	print_item(ctx, pos, indent);
	emits(ctx, ")");
}

static void print_item(struct diag_ctx *ctx, size_t *pos, unsigned indent)
{
	struct tk_cbor_head head = head_at(ctx, *pos);

	switch (head.major) {
	case 0:
		emitf(ctx, "%" PRIu64, head.arg);
		break;
	case 1:
		print_negative(ctx, head.arg);
		break;
	case 2:
	case 3:
		print_string(ctx, &head, pos);
		return;
	case 4:
	case 5:
		print_container(ctx, &head, pos, indent);
		return;
	case 6:
		print_tag(ctx, &head, pos, indent);
		return;
	default:
		print_simple(ctx, &head);
		break;
	}
	*pos = head.pos + head.size;
}

tk_err tk_cbor_to_diag(const uint8_t *buf, size_t len, uint32_t flags,
		       bool pretty, const struct tk_cbor_names *names,
		       char *out, size_t out_cap, size_t *out_len,
		       struct tk_diag *diag)
{
	struct diag_ctx ctx = {
		.buf = buf, .len = len, .pretty = pretty, .names = names,
		.out = out, .out_cap = out_cap,
	};
	size_t pos = 0;
	tk_err err;

	*out_len = 0;
	if (out == NULL && out_cap != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL output with capacity %zu", out_cap);
	if (out_cap > 0)
		out[0] = '\0';
	err = tk_cbor_check(buf, len, flags, diag);
	if (err != TK_OK)
		return err;

	print_item(&ctx, &pos, 0);
	if (out == NULL) {
		*out_len = ctx.out_len;
		return TK_OK;
	}
	if (ctx.out_len >= out_cap) {
		if (out_cap > 0)
			out[0] = '\0';
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "diagnostic text needs %zu bytes but the buffer has %zu",
			       ctx.out_len + 1, out_cap);
	}
	out[ctx.out_len] = '\0';
	*out_len = ctx.out_len;
	return TK_OK;
}
