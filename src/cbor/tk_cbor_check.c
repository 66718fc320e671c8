/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of one whole CBOR item (RFC 8949), done once before the pull
 * decoder hands out anything, so that getters only have to check types.
 *
 * The walk is recursive, one frame per array, map or tag, and the depth is
 * checked before recursing, so the stack is bounded by TK_CBOR_MAX_DEPTH.
 * Duplicate map keys are found without allocating: each key is compared
 * by value with the earlier keys of its map, whose offsets stay on the
 * stack (cost in the comment on TK_CBOR_MAX_MAP_PAIRS).
 *
 * Rules checked, with the error each one fails with:
 *   input ends inside an item                  TK_ERR_CBOR_TRUNCATED
 *   bytes after the item                       TK_ERR_CBOR_TRAILING
 *   AI 28-30, or AI 31 on major type 0, 1, 6   TK_ERR_CBOR_RESERVED_AI
 *   invalid UTF-8 in a text string             TK_ERR_CBOR_UTF8
 *   two keys of equal value in one map         TK_ERR_CBOR_DUPLICATE_KEY
 *   indefinite length under NO_INDEFINITE      TK_ERR_CBOR_INDEFINITE
 *   longer head or float than needed           TK_ERR_CBOR_NOT_PREFERRED
 *   break outside an indefinite-length item    TK_ERR_CBOR_BREAK
 *   chunk of another type, or indefinite       TK_ERR_CBOR_CHUNK
 *   simple value below 32 in two bytes         TK_ERR_CBOR_SIMPLE
 *   length or count beyond the remaining input TK_ERR_CBOR_LENGTH
 *   arrays, maps and tags nested too deep      TK_ERR_LIMIT_DEPTH
 *   map with more than TK_CBOR_MAX_MAP_PAIRS   TK_ERR_LIMIT_COUNT
 */
#include "cbor/tk_cbor.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor_impl.h"

struct check_ctx {
	const uint8_t *buf;
	size_t len;
	uint32_t flags;
	struct tk_diag *diag;
};

static tk_err check_item(struct check_ctx *ctx, size_t *pos, unsigned depth);

/*
 * Rules on the head alone: AI 31 only on major types 2-5 and 7, the
 * indefinite-length option, preferred serialization (RFC 8949 section
 * 4.2.1 for heads, 4.2.2 for floats) and two-byte simple values
 * (section 3.3).
 */
static tk_err check_head(struct check_ctx *ctx, const struct tk_cbor_head *head)
{
	uint8_t initial = ctx->buf[head->pos];

	if (head->ai == TK_CBOR_AI_INDEFINITE) {
		if (head->major < 2 || head->major == 6)
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_RESERVED_AI, head->pos,
					  "initial byte 0x%02x: major type %u has no indefinite length",
					  initial, head->major);
		if (head->major != 7 && (ctx->flags & TK_CBOR_NO_INDEFINITE))
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_INDEFINITE, head->pos,
					  "initial byte 0x%02x starts an indefinite-length %s",
					  initial, tk_cbor_type_name(tk_cbor_head_type(head)));
		return TK_OK;
	}

	if (head->major == 7) {
		if (head->ai == TK_CBOR_AI_1BYTE && head->arg < 32)
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_SIMPLE, head->pos,
					  "simple value %" PRIu64 " encoded in two bytes",
					  head->arg);
		if ((ctx->flags & TK_CBOR_PREFERRED) && head->ai > TK_CBOR_AI_1BYTE &&
		    tk_cbor_float_is_long(head))
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_NOT_PREFERRED, head->pos,
					  "float %g in %zu bytes fits a shorter form",
					  tk_cbor_head_float(head), head->size - 1);
		return TK_OK;
	}

	if ((ctx->flags & TK_CBOR_PREFERRED) && tk_cbor_arg_is_long(head))
		return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_NOT_PREFERRED, head->pos,
				  "argument %" PRIu64 " of initial byte 0x%02x is encoded in %zu bytes",
				  head->arg, initial, head->size - 1);
	return TK_OK;
}

/* Check the content of one definite-length string chunk. */
static tk_err check_string_data(struct check_ctx *ctx, const struct tk_cbor_head *head,
				size_t *pos)
{
	size_t start = head->pos + head->size;
	size_t bad;

	if (head->arg > ctx->len - start)
		return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_LENGTH, head->pos,
				  "%s length %" PRIu64 " exceeds the %zu bytes left",
				  tk_cbor_type_name(tk_cbor_head_type(head)), head->arg,
				  ctx->len - start);

	if (head->major == 3) {
		bad = tk_cbor_utf8_check(ctx->buf + start, (size_t)head->arg);
		if (bad != head->arg)
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_UTF8, start + bad,
					  "text string has invalid UTF-8 byte 0x%02x",
					  ctx->buf[start + bad]);
	}
	*pos = start + (size_t)head->arg;
	return TK_OK;
}

/*
 * Check an indefinite-length string: definite chunks of the same major
 * type up to a break (RFC 8949 section 3.2.3). Each text chunk must be
 * valid UTF-8 on its own.
 */
static tk_err check_chunks(struct check_ctx *ctx, const struct tk_cbor_head *head,
			   size_t *pos)
{
	struct tk_cbor_head chunk;
	size_t at = head->pos + head->size;
	tk_err err;

	for (;;) {
		err = tk_cbor_head_read(ctx->buf, ctx->len, at, &chunk, ctx->diag);
		if (err != TK_OK)
			return err;
		if (tk_cbor_head_is_break(&chunk))
			break;
		if (chunk.major != head->major || chunk.ai == TK_CBOR_AI_INDEFINITE)
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_CHUNK, at,
					  "initial byte 0x%02x is not a definite-length %s chunk",
					  ctx->buf[at],
					  tk_cbor_type_name(tk_cbor_head_type(head)));
		err = check_head(ctx, &chunk);
		if (err == TK_OK)
			err = check_string_data(ctx, &chunk, &at);
		if (err != TK_OK)
			return err;
	}
	*pos = at + 1;
	return TK_OK;
}

/* Cursor over the bytes of a string, across chunks when indefinite. */
struct string_cursor {
	const uint8_t *buf;
	size_t len;
	size_t next;        /* offset of the next chunk head */
	const uint8_t *ptr; /* bytes of the current chunk not yet consumed */
	size_t left;
	bool indefinite;
};

/* The string at pos was already validated, so heads here cannot fail. */
static void cursor_init(struct string_cursor *cur, const uint8_t *buf, size_t len,
			size_t pos)
{
	struct tk_cbor_head head;

	(void)tk_cbor_head_read(buf, len, pos, &head, NULL);
	cur->buf = buf;
	cur->len = len;
	cur->indefinite = head.ai == TK_CBOR_AI_INDEFINITE;
	cur->next = pos + head.size;
	cur->ptr = buf + cur->next;
	cur->left = cur->indefinite ? 0 : (size_t)head.arg;
}

/* Make the cursor's current run non-empty; false at the end of the string. */
static bool cursor_fill(struct string_cursor *cur)
{
	struct tk_cbor_head chunk;

	while (cur->left == 0) {
		if (!cur->indefinite ||
		    tk_cbor_head_read(cur->buf, cur->len, cur->next, &chunk, NULL) != TK_OK ||
		    tk_cbor_head_is_break(&chunk))
			return false;
		cur->ptr = cur->buf + chunk.pos + chunk.size;
		cur->left = (size_t)chunk.arg;
		cur->next = chunk.pos + chunk.size + cur->left;
	}
	return true;
}

/* Compare two validated strings by value, whatever their chunking. */
static bool strings_equal(const uint8_t *buf, size_t len, size_t a, size_t b)
{
	struct string_cursor ca, cb;
	size_t n;

	cursor_init(&ca, buf, len, a);
	cursor_init(&cb, buf, len, b);
	for (;;) {
		bool more_a = cursor_fill(&ca);
		bool more_b = cursor_fill(&cb);
		if (!more_a || !more_b)
			return more_a == more_b;
		n = ca.left < cb.left ? ca.left : cb.left;
		if (memcmp(ca.ptr, cb.ptr, n) != 0)
			return false;
		ca.ptr += n;
		ca.left -= n;
		cb.ptr += n;
		cb.left -= n;
	}
}

static bool items_equal(const uint8_t *buf, size_t len, size_t *a, size_t *b);

/* True at the end of a container being compared: its count or a break. */
static bool container_done(const uint8_t *buf, const struct tk_cbor_head *head,
			   size_t pos, uint64_t items_seen)
{
	if (head->ai == TK_CBOR_AI_INDEFINITE)
		return buf[pos] == TK_CBOR_BREAK;
	return items_seen == (head->major == 5 ? head->arg * 2 : head->arg);
}

/* Compare the contents of two validated arrays or maps in order. */
static bool containers_equal(const uint8_t *buf, size_t len,
			     const struct tk_cbor_head *ha, const struct tk_cbor_head *hb)
{
	size_t a = ha->pos + ha->size, b = hb->pos + hb->size;

	for (uint64_t i = 0;; i++) {
		bool done_a = container_done(buf, ha, a, i);
		bool done_b = container_done(buf, hb, b, i);
		if (done_a || done_b)
			return done_a && done_b;
		if (!items_equal(buf, len, &a, &b))
			return false;
	}
}

/*
 * Compare two validated items in the CBOR data model (RFC 8949 section 2),
 * where the encoding does not matter: 0x01 equals 0x1801, "ab" equals
 * (_ "a", "b"), [] equals [_ ], and 1.0 as half equals 1.0 as single. On
 * success both offsets move past their items; on a difference they are
 * left anywhere.
 */
static bool items_equal(const uint8_t *buf, size_t len, size_t *a, size_t *b)
{
	struct tk_cbor_head ha, hb;
	double value_a, value_b;
	bool equal;

	(void)tk_cbor_head_read(buf, len, *a, &ha, NULL);
	(void)tk_cbor_head_read(buf, len, *b, &hb, NULL);
	if (tk_cbor_head_type(&ha) != tk_cbor_head_type(&hb))
		return false;

	switch (ha.major) {
	case 2:
	case 3:
		equal = strings_equal(buf, len, *a, *b);
		break;
	case 4:
	case 5:
		equal = containers_equal(buf, len, &ha, &hb);
		break;
	case 6:
		*a += ha.size;
		*b += hb.size;
		return ha.arg == hb.arg && items_equal(buf, len, a, b);
	case 7:
		if (tk_cbor_head_type(&ha) != TK_CBOR_FLOAT) {
			equal = ha.arg == hb.arg;
			break;
		}
		/* Compare bits, so -0.0 differs from 0.0 and equal NaNs match. */
		value_a = tk_cbor_head_float(&ha);
		value_b = tk_cbor_head_float(&hb);
		equal = memcmp(&value_a, &value_b, sizeof(value_a)) == 0;
		break;
	default:
		equal = ha.arg == hb.arg;
		break;
	}
	/* Both items were validated, so skipping them cannot fail. */
	return equal && tk_cbor_skip_item(buf, len, *a, a) == TK_OK &&
	       tk_cbor_skip_item(buf, len, *b, b) == TK_OK;
}

/* Fail if the key at keys[count] equals one of keys[0..count). */
static tk_err check_key_unique(struct check_ctx *ctx, const size_t *keys, size_t count)
{
	size_t key = keys[count];

	for (size_t i = 0; i < count; i++) {
		size_t a = keys[i], b = key;

		if (items_equal(ctx->buf, ctx->len, &a, &b))
			return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_DUPLICATE_KEY, key,
					  "map key (initial byte 0x%02x) repeats the key at offset %zu",
					  ctx->buf[key], keys[i]);
	}
	return TK_OK;
}

static bool at_break(const struct check_ctx *ctx, size_t pos, bool indefinite)
{
	return indefinite && pos < ctx->len && ctx->buf[pos] == TK_CBOR_BREAK;
}

/* Check array elements: `count` of them, or up to a break when indefinite. */
static tk_err check_array(struct check_ctx *ctx, const struct tk_cbor_head *head,
			  size_t *pos, unsigned depth)
{
	bool indefinite = head->ai == TK_CBOR_AI_INDEFINITE;
	size_t at = head->pos + head->size;
	tk_err err;

	for (uint64_t i = 0; indefinite || i < head->arg; i++) {
		if (at_break(ctx, at, indefinite)) {
			at++;
			break;
		}
		err = check_item(ctx, &at, depth + 1);
		if (err != TK_OK)
			return err;
	}
	*pos = at;
	return TK_OK;
}

/*
 * Check map keys and values, and that no key repeats (RFC 8949 section
 * 5.6). The offsets of the keys seen so far stay in this frame, so each new
 * key is compared with the earlier ones without rescanning their values.
 */
static tk_err check_map(struct check_ctx *ctx, const struct tk_cbor_head *head,
			size_t *pos, unsigned depth)
{
	bool indefinite = head->ai == TK_CBOR_AI_INDEFINITE;
	size_t keys[TK_CBOR_MAX_MAP_PAIRS];
	size_t at = head->pos + head->size;
	tk_err err = TK_OK;

	for (size_t i = 0; indefinite || i < head->arg; i++) {
		if (at_break(ctx, at, indefinite)) {
			*pos = at + 1;
			return TK_OK;
		}
		if (i == TK_CBOR_MAX_MAP_PAIRS)
			return TK_FAIL_AT(ctx->diag, TK_ERR_LIMIT_COUNT, head->pos,
					  "map has more than %d pairs",
					  TK_CBOR_MAX_MAP_PAIRS);
		keys[i] = at;
		err = check_item(ctx, &at, depth + 1);
		if (err == TK_OK)
			err = check_key_unique(ctx, keys, i);
		if (err == TK_OK && at_break(ctx, at, indefinite))
			err = TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_BREAK, at,
					 "break after the map key at offset %zu, before its value",
					 keys[i]);
		if (err == TK_OK)
			err = check_item(ctx, &at, depth + 1);
		if (err != TK_OK)
			return err;
	}
	*pos = at;
	return TK_OK;
}

/*
 * Reject a definite count that cannot fit in the remaining input, since
 * every item takes at least one byte, before looping on it.
 */
static tk_err check_count(struct check_ctx *ctx, const struct tk_cbor_head *head)
{
	size_t left = ctx->len - head->pos - head->size;
	uint64_t items_per_entry = head->major == 5 ? 2 : 1;

	if (head->ai == TK_CBOR_AI_INDEFINITE || head->arg <= left / items_per_entry)
		return TK_OK;
	return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_LENGTH, head->pos,
			  "%s of %" PRIu64 " entries cannot fit in the %zu bytes left",
			  tk_cbor_type_name(tk_cbor_head_type(head)), head->arg, left);
}

/* Check a container or tag at nesting `depth` (the top-level item is 1). */
static tk_err check_nested(struct check_ctx *ctx, const struct tk_cbor_head *head,
			   size_t *pos, unsigned depth)
{
	tk_err err;

	if (depth > TK_CBOR_MAX_DEPTH)
		return TK_FAIL_AT(ctx->diag, TK_ERR_LIMIT_DEPTH, head->pos,
				  "%s nested at depth %u, above the limit of %d",
				  tk_cbor_type_name(tk_cbor_head_type(head)), depth,
				  TK_CBOR_MAX_DEPTH);
	if (head->major == 6) {
		*pos = head->pos + head->size;
		return check_item(ctx, pos, depth + 1);
	}
	err = check_count(ctx, head);
	if (err != TK_OK)
		return err;
	if (head->major == 4)
		return check_array(ctx, head, pos, depth);
	return check_map(ctx, head, pos, depth);
}

static tk_err check_item(struct check_ctx *ctx, size_t *pos, unsigned depth)
{
	struct tk_cbor_head head;
	tk_err err;

	err = tk_cbor_head_read(ctx->buf, ctx->len, *pos, &head, ctx->diag);
	if (err != TK_OK)
		return err;
	if (tk_cbor_head_is_break(&head))
		return TK_FAIL_AT(ctx->diag, TK_ERR_CBOR_BREAK, head.pos,
				  "break code 0xff where an item is expected");
	err = check_head(ctx, &head);
	if (err != TK_OK)
		return err;

	switch (head.major) {
	case 2:
	case 3:
		if (head.ai == TK_CBOR_AI_INDEFINITE)
			return check_chunks(ctx, &head, pos);
		return check_string_data(ctx, &head, pos);
	case 4:
	case 5:
	case 6:
		return check_nested(ctx, &head, pos, depth);
	default:
		*pos = head.pos + head.size;
		return TK_OK;
	}
}

tk_err tk_cbor_check(const uint8_t *buf, size_t len, uint32_t flags,
		     struct tk_diag *diag)
{
	struct check_ctx ctx = {buf, len, flags, diag};
	size_t pos = 0;
	tk_err err;

	if (buf == NULL && len > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL buffer of %zu bytes", len);
	err = check_item(&ctx, &pos, 1);
	if (err != TK_OK)
		return err;
	if (pos != len)
		return TK_FAIL_AT(diag, TK_ERR_CBOR_TRAILING, pos,
				  "%zu bytes follow the item of %zu bytes", len - pos, pos);
	return TK_OK;
}
