/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pull decoder over an item that tk_cbor_check() already validated. The
 * input is known to be well-formed and within limits, so the getters here
 * only compare the next item's type with the one the caller expects. Every
 * failure is a schema failure and is kept as the sticky error.
 *
 * The decoder keeps one level per open array or map with the items left in
 * it. A tag is not a level: tk_cbor_get_tag() consumes the tag head and the
 * tagged item that follows counts as the one item of the parent.
 */
#include "cbor/tk_cbor.h"

#include <inttypes.h>
#include <stdarg.h>

#include "cbor/tk_cbor_impl.h"

/* Head of the next item; only valid when the decoder is not at an end. */
static void next_head(const struct tk_cbor_dec *dec, struct tk_cbor_head *head)
{
	(void)tk_cbor_head_read(dec->buf, dec->len, dec->pos, head, NULL);
}

static struct tk_cbor_level *top_level(struct tk_cbor_dec *dec)
{
	return dec->depth > 0 ? &dec->stack[dec->depth - 1] : NULL;
}

static bool at_end(struct tk_cbor_dec *dec)
{
	struct tk_cbor_level *level = top_level(dec);

	if (level == NULL)
		return dec->pos >= dec->len;
	if (level->indefinite)
		return dec->buf[dec->pos] == TK_CBOR_BREAK;
	return level->remaining == 0;
}

/* Count one finished item against the innermost level. */
static void item_done(struct tk_cbor_dec *dec)
{
	struct tk_cbor_level *level = top_level(dec);

	if (level != NULL && !level->indefinite)
		level->remaining--;
}

tk_err tk_cbor_dec_fail(struct tk_cbor_dec *dec, tk_err code, const char *fmt, ...)
{
	va_list ap;

	if (dec->err != TK_OK)
		return dec->err;
	dec->err = code;
	va_start(ap, fmt);
	tk_diag_vset(dec->diag, code, dec->pos, __FILE__, __LINE__, fmt, ap);
	va_end(ap);
	return code;
}

tk_err tk_cbor_dec_init(struct tk_cbor_dec *dec, const uint8_t *buf, size_t len,
			uint32_t flags, struct tk_diag *diag)
{
	*dec = (struct tk_cbor_dec){
		.buf = buf, .len = len, .flags = flags, .diag = diag,
	};
	dec->err = tk_cbor_check(buf, len, flags, diag);
	return dec->err;
}

enum tk_cbor_type tk_cbor_peek(struct tk_cbor_dec *dec)
{
	struct tk_cbor_head head;

	if (dec->err != TK_OK || at_end(dec))
		return TK_CBOR_NONE;
	next_head(dec, &head);
	return tk_cbor_head_type(&head);
}

size_t tk_cbor_offset(const struct tk_cbor_dec *dec)
{
	return dec->pos;
}

/*
 * Read the head of the next item if it has type `want`; otherwise record a
 * type mismatch. Consumes nothing.
 */
static tk_err expect(struct tk_cbor_dec *dec, enum tk_cbor_type want,
		     struct tk_cbor_head *head)
{
	enum tk_cbor_type found;

	if (dec->err != TK_OK)
		return dec->err;
	found = tk_cbor_peek(dec);
	if (found != want)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "expected %s, found %s",
					tk_cbor_type_name(want),
					tk_cbor_type_name(found));
	next_head(dec, head);
	return TK_OK;
}

/* Consume the head just read as a whole item without content. */
static void consume_head(struct tk_cbor_dec *dec, const struct tk_cbor_head *head)
{
	dec->pos = head->pos + head->size;
	item_done(dec);
}

tk_err tk_cbor_get_uint(struct tk_cbor_dec *dec, uint64_t *out)
{
	struct tk_cbor_head head;

	*out = 0;
	if (expect(dec, TK_CBOR_UINT, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	*out = head.arg;
	return TK_OK;
}

tk_err tk_cbor_get_nint(struct tk_cbor_dec *dec, uint64_t *arg)
{
	struct tk_cbor_head head;

	*arg = 0;
	if (expect(dec, TK_CBOR_NINT, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	*arg = head.arg;
	return TK_OK;
}

tk_err tk_cbor_get_int(struct tk_cbor_dec *dec, int64_t *out)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);
	struct tk_cbor_head head;

	*out = 0;
	if (type != TK_CBOR_NINT)
		type = TK_CBOR_UINT; /* so a mismatch names uint */
	if (expect(dec, type, &head) != TK_OK)
		return dec->err;
	if (head.arg > INT64_MAX && type == TK_CBOR_NINT)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"negative integer -1 - %" PRIu64 " is below INT64_MIN",
					head.arg);
	if (head.arg > INT64_MAX)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"integer %" PRIu64 " is above INT64_MAX", head.arg);
	consume_head(dec, &head);
	*out = type == TK_CBOR_NINT ? -1 - (int64_t)head.arg : (int64_t)head.arg;
	return TK_OK;
}

static tk_err get_string(struct tk_cbor_dec *dec, enum tk_cbor_type type,
			 struct tk_span *out)
{
	struct tk_cbor_head head;

	*out = TK_SPAN_EMPTY;
	if (expect(dec, type, &head) != TK_OK)
		return dec->err;
	if (head.ai == TK_CBOR_AI_INDEFINITE)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"indefinite-length %s has no single view",
					tk_cbor_type_name(type));
	consume_head(dec, &head);
	dec->pos += (size_t)head.arg;
	*out = tk_span_make(dec->buf + head.pos + head.size, (size_t)head.arg);
	return TK_OK;
}

tk_err tk_cbor_get_bstr(struct tk_cbor_dec *dec, struct tk_span *out)
{
	return get_string(dec, TK_CBOR_BSTR, out);
}

tk_err tk_cbor_get_tstr(struct tk_cbor_dec *dec, struct tk_span *out)
{
	return get_string(dec, TK_CBOR_TSTR, out);
}

tk_err tk_cbor_get_bool(struct tk_cbor_dec *dec, bool *out)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);
	struct tk_cbor_head head;

	*out = false;
	if (type != TK_CBOR_TRUE)
		type = TK_CBOR_FALSE;
	if (expect(dec, type, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	*out = type == TK_CBOR_TRUE;
	return TK_OK;
}

tk_err tk_cbor_get_null(struct tk_cbor_dec *dec)
{
	struct tk_cbor_head head;

	if (expect(dec, TK_CBOR_NULL, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	return TK_OK;
}

tk_err tk_cbor_get_simple(struct tk_cbor_dec *dec, uint8_t *out)
{
	struct tk_cbor_head head;
	enum tk_cbor_type type = tk_cbor_peek(dec);

	*out = 0;
	if (type < TK_CBOR_SIMPLE || type > TK_CBOR_UNDEFINED)
		type = TK_CBOR_SIMPLE;
	if (expect(dec, type, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	*out = (uint8_t)head.arg;
	return TK_OK;
}

tk_err tk_cbor_get_float(struct tk_cbor_dec *dec, double *out)
{
	struct tk_cbor_head head;

	*out = 0.0;
	if (expect(dec, TK_CBOR_FLOAT, &head) != TK_OK)
		return dec->err;
	consume_head(dec, &head);
	*out = tk_cbor_head_float(&head);
	return TK_OK;
}

tk_err tk_cbor_get_tag(struct tk_cbor_dec *dec, uint64_t *out)
{
	struct tk_cbor_head head;

	*out = 0;
	if (expect(dec, TK_CBOR_TAG, &head) != TK_OK)
		return dec->err;
	/* The tagged item that follows is the one item counted in the parent. */
	dec->pos = head.pos + head.size;
	*out = head.arg;
	return TK_OK;
}

tk_err tk_cbor_skip_tag(struct tk_cbor_dec *dec, uint64_t tag, bool *found)
{
	struct tk_cbor_head head;

	*found = false;
	if (dec->err != TK_OK)
		return dec->err;
	if (tk_cbor_peek(dec) != TK_CBOR_TAG)
		return TK_OK;
	next_head(dec, &head);
	if (head.arg == tag) {
		dec->pos = head.pos + head.size;
		*found = true;
	}
	return TK_OK;
}

static tk_err enter(struct tk_cbor_dec *dec, enum tk_cbor_type type, uint64_t *count)
{
	struct tk_cbor_head head;
	struct tk_cbor_level *level;

	*count = 0;
	if (expect(dec, type, &head) != TK_OK)
		return dec->err;
	/* Validation bounded the nesting; this guards the stack regardless. */
	if (dec->depth >= TK_CBOR_MAX_DEPTH)
		return tk_cbor_dec_fail(dec, TK_ERR_INTERNAL,
					"decoder stack full at depth %u", dec->depth);

	consume_head(dec, &head);
	level = &dec->stack[dec->depth++];
	level->indefinite = head.ai == TK_CBOR_AI_INDEFINITE;
	level->is_map = type == TK_CBOR_MAP;
	level->remaining = type == TK_CBOR_MAP ? head.arg * 2 : head.arg;
	*count = level->indefinite ? UINT64_MAX : head.arg;
	return TK_OK;
}

tk_err tk_cbor_enter_array(struct tk_cbor_dec *dec, uint64_t *count)
{
	return enter(dec, TK_CBOR_ARRAY, count);
}

tk_err tk_cbor_enter_map(struct tk_cbor_dec *dec, uint64_t *count)
{
	return enter(dec, TK_CBOR_MAP, count);
}

bool tk_cbor_more(struct tk_cbor_dec *dec)
{
	return dec->err == TK_OK && !at_end(dec);
}

tk_err tk_cbor_leave(struct tk_cbor_dec *dec)
{
	struct tk_cbor_level *level = top_level(dec);

	if (dec->err != TK_OK)
		return dec->err;
	if (level == NULL)
		return tk_cbor_dec_fail(dec, TK_ERR_STATE, "no open array or map to leave");

	while (!at_end(dec)) {
		if (tk_cbor_skip(dec) != TK_OK)
			return dec->err;
	}
	if (level->indefinite)
		dec->pos++; /* the break */
	dec->depth--;
	return TK_OK;
}

tk_err tk_cbor_skip(struct tk_cbor_dec *dec)
{
	struct tk_span unused;

	return tk_cbor_get_raw(dec, &unused);
}

tk_err tk_cbor_get_raw(struct tk_cbor_dec *dec, struct tk_span *out)
{
	size_t end;

	*out = TK_SPAN_EMPTY;
	if (dec->err != TK_OK)
		return dec->err;
	if (at_end(dec))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"expected an item, found end of container");
	if (tk_cbor_skip_item(dec->buf, dec->len, dec->pos, &end) != TK_OK)
		return tk_cbor_dec_fail(dec, TK_ERR_INTERNAL,
					"validated item cannot be skipped");
	*out = tk_span_make(dec->buf + dec->pos, end - dec->pos);
	dec->pos = end;
	item_done(dec);
	return TK_OK;
}

tk_err tk_cbor_dec_finish(struct tk_cbor_dec *dec)
{
	if (dec->err != TK_OK)
		return dec->err;
	if (dec->depth > 0)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"%u arrays or maps still open at the end",
					dec->depth);
	if (dec->pos != dec->len)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"top-level item not consumed");
	return TK_OK;
}
