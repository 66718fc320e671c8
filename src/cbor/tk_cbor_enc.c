/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoder writing preferred serialization (RFC 8949 section 4.2.1 and
 * 4.2.2) into the caller's buffer: every head in its shortest form, every
 * float in the shortest width that keeps its value, definite lengths only.
 *
 * Errors are sticky: after the first one every call does nothing, and
 * tk_cbor_enc_finish() reports it. Byte string wrappers and sorted maps are
 * regions of the output that are fixed up in place when they end, so
 * nothing is allocated.
 */
#include "cbor/tk_cbor.h"

#include <string.h>

#include "cbor/tk_cbor_impl.h"

/* Largest head: initial byte and an 8-byte argument. */
#define HEAD_MAX 9

static void enc_fail(struct tk_cbor_enc *enc, tk_err code, const char *what)
{
	if (enc->err != TK_OK)
		return;
	enc->err = code;
	(void)TK_FAIL_AT(enc->diag, code, enc->len, "%s", what);
}

static bool counting(const struct tk_cbor_enc *enc)
{
	return enc->buf == NULL;
}

static void put_bytes(struct tk_cbor_enc *enc, const void *ptr, size_t len)
{
	if (enc->err != TK_OK)
		return;
	if (len > SIZE_MAX - enc->len) {
		enc_fail(enc, TK_ERR_LIMIT_SIZE, "encoded size overflows size_t");
		return;
	}
	if (!counting(enc)) {
		if (len > enc->cap - enc->len) {
			enc_fail(enc, TK_ERR_BUFFER_TOO_SMALL,
				 "encoded item does not fit in the output buffer");
			return;
		}
		if (len > 0)
			memcpy(enc->buf + enc->len, ptr, len);
	}
	enc->len += len;
}

/* Write the shortest head for `arg` into out; returns its size. */
static size_t head_encode(uint8_t major, uint64_t arg, uint8_t out[HEAD_MAX])
{
	unsigned ai = TK_CBOR_AI_1BYTE, arg_len = 1;

	if (arg < TK_CBOR_AI_1BYTE) {
		out[0] = (uint8_t)(major << 5 | arg);
		return 1;
	}
	/* AI 24, 25, 26, 27 announce 1, 2, 4, 8 argument bytes. */
	while (arg_len < 8 && arg >> (8 * arg_len) != 0) {
		ai++;
		arg_len *= 2;
	}
	out[0] = (uint8_t)(major << 5 | ai);
	for (unsigned i = 0; i < arg_len; i++)
		out[1 + i] = (uint8_t)(arg >> (8 * (arg_len - 1 - i)));
	return 1 + arg_len;
}

static void put_head(struct tk_cbor_enc *enc, uint8_t major, uint64_t arg)
{
	uint8_t head[HEAD_MAX];

	put_bytes(enc, head, head_encode(major, arg, head));
}

void tk_cbor_enc_init(struct tk_cbor_enc *enc, uint8_t *out, size_t cap,
		      struct tk_diag *diag)
{
	*enc = (struct tk_cbor_enc){.buf = out, .cap = cap, .diag = diag};
	if (out == NULL && cap != 0)
		enc_fail(enc, TK_ERR_ARG, "NULL output buffer with a nonzero capacity");
}

void tk_cbor_put_uint(struct tk_cbor_enc *enc, uint64_t value)
{
	put_head(enc, 0, value);
}

void tk_cbor_put_nint(struct tk_cbor_enc *enc, uint64_t arg)
{
	put_head(enc, 1, arg);
}

void tk_cbor_put_int(struct tk_cbor_enc *enc, int64_t value)
{
	/* -1 - value, computed without overflow for INT64_MIN. */
	if (value < 0)
		put_head(enc, 1, ~(uint64_t)value);
	else
		put_head(enc, 0, (uint64_t)value);
}

void tk_cbor_put_bstr(struct tk_cbor_enc *enc, const uint8_t *ptr, size_t len)
{
	put_head(enc, 2, len);
	put_bytes(enc, ptr, len);
}

void tk_cbor_put_tstr(struct tk_cbor_enc *enc, const char *ptr, size_t len)
{
	if (tk_cbor_utf8_check((const uint8_t *)ptr, len) != len) {
		enc_fail(enc, TK_ERR_ARG, "text string is not valid UTF-8");
		return;
	}
	put_head(enc, 3, len);
	put_bytes(enc, ptr, len);
}

void tk_cbor_put_cstr(struct tk_cbor_enc *enc, const char *str)
{
	tk_cbor_put_tstr(enc, str, strlen(str));
}

void tk_cbor_put_array(struct tk_cbor_enc *enc, uint64_t count)
{
	put_head(enc, 4, count);
}

void tk_cbor_put_map(struct tk_cbor_enc *enc, uint64_t pairs)
{
	put_head(enc, 5, pairs);
}

void tk_cbor_put_tag(struct tk_cbor_enc *enc, uint64_t tag)
{
	put_head(enc, 6, tag);
}

void tk_cbor_put_bool(struct tk_cbor_enc *enc, bool value)
{
	put_head(enc, 7, value ? TK_CBOR_SIMPLE_TRUE : TK_CBOR_SIMPLE_FALSE);
}

void tk_cbor_put_null(struct tk_cbor_enc *enc)
{
	put_head(enc, 7, TK_CBOR_SIMPLE_NULL);
}

void tk_cbor_put_undefined(struct tk_cbor_enc *enc)
{
	put_head(enc, 7, TK_CBOR_SIMPLE_UNDEFINED);
}

void tk_cbor_put_simple(struct tk_cbor_enc *enc, uint8_t value)
{
	/* RFC 8949 section 3.3: 24-31 are reserved, and AI 24-31 mean others. */
	if (value >= TK_CBOR_AI_1BYTE && value < 32) {
		enc_fail(enc, TK_ERR_ARG, "simple values 24-31 are reserved");
		return;
	}
	put_head(enc, 7, value);
}

void tk_cbor_put_float(struct tk_cbor_enc *enc, double value)
{
	uint8_t out[HEAD_MAX];
	uint64_t bits;
	unsigned width = tk_cbor_float_shortest(value, &bits);
	unsigned ai = 27;

	/* Float heads are AI 25, 26, 27 for 2, 4, 8 bytes, always written out. */
	if (width == 2)
		ai = 25;
	else if (width == 4)
		ai = 26;
	out[0] = (uint8_t)(7 << 5 | ai);
	for (unsigned i = 0; i < width; i++)
		out[1 + i] = (uint8_t)(bits >> (8 * (width - 1 - i)));
	put_bytes(enc, out, 1 + width);
}

void tk_cbor_put_raw(struct tk_cbor_enc *enc, const uint8_t *ptr, size_t len)
{
	put_bytes(enc, ptr, len);
}

static void region_begin(struct tk_cbor_enc *enc, bool sorted)
{
	if (enc->err != TK_OK)
		return;
	if (enc->open >= TK_CBOR_MAX_DEPTH) {
		enc_fail(enc, TK_ERR_LIMIT_DEPTH,
			 "too many nested bstr wrappers and sorted maps");
		return;
	}
	enc->region[enc->open].start = enc->len;
	enc->region[enc->open].sorted = sorted;
	enc->open++;
}

/* Close the innermost region if it has the expected kind; its start. */
static bool region_end(struct tk_cbor_enc *enc, bool sorted, size_t *start)
{
	if (enc->err != TK_OK)
		return false;
	if (enc->open == 0 || enc->region[enc->open - 1].sorted != sorted) {
		enc_fail(enc, TK_ERR_STATE, sorted ?
			 "sorted map end without a matching begin" :
			 "bstr end without a matching begin");
		return false;
	}
	enc->open--;
	*start = enc->region[enc->open].start;
	return true;
}

void tk_cbor_put_bstr_begin(struct tk_cbor_enc *enc)
{
	region_begin(enc, false);
}

void tk_cbor_put_bstr_end(struct tk_cbor_enc *enc)
{
	uint8_t head[HEAD_MAX];
	size_t start, content, head_len;

	if (!region_end(enc, false, &start))
		return;
	content = enc->len - start;
	head_len = head_encode(2, content, head);

	/* Make room for the head by moving the content once, then write it. */
	if (!counting(enc)) {
		if (head_len > enc->cap - enc->len) {
			enc_fail(enc, TK_ERR_BUFFER_TOO_SMALL,
				 "bstr head does not fit in the output buffer");
			return;
		}
		memmove(enc->buf + start + head_len, enc->buf + start, content);
		memcpy(enc->buf + start, head, head_len);
	}
	enc->len += head_len;
}

void tk_cbor_map_sort_begin(struct tk_cbor_enc *enc)
{
	region_begin(enc, true);
}

/* Reverse buf[0..len) in place. */
static void reverse(uint8_t *buf, size_t len)
{
	for (size_t i = 0, j = len; i + 1 < j; i++, j--) {
		uint8_t tmp = buf[i];
		buf[i] = buf[j - 1];
		buf[j - 1] = tmp;
	}
}

/* Swap the adjacent blocks buf[0..a) and buf[a..a+b) in place. */
static void rotate(uint8_t *buf, size_t a, size_t b)
{
	reverse(buf, a);
	reverse(buf + a, b);
	reverse(buf, a + b);
}

/* RFC 8949 section 4.2.1: bytewise lexicographic, a prefix sorts first. */
static int compare_keys(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	int cmp = memcmp(a, b, a_len < b_len ? a_len : b_len);

	if (cmp != 0)
		return cmp;
	if (a_len < b_len)
		return -1;
	return a_len > b_len;
}

/*
 * Find where the entry whose key is buf[key..key_end) belongs among the
 * sorted entries in buf[start..sorted_end); fails on an equal key.
 */
static tk_err find_slot(struct tk_cbor_enc *enc, size_t start, size_t sorted_end,
			size_t key, size_t key_end, size_t *slot)
{
	size_t at = start, at_key_end;
	int cmp;

	while (at < sorted_end) {
		if (tk_cbor_skip_item(enc->buf, enc->len, at, &at_key_end) != TK_OK)
			return TK_ERR_ARG;
		cmp = compare_keys(enc->buf + at, at_key_end - at, enc->buf + key,
				   key_end - key);
		if (cmp == 0)
			return TK_ERR_CBOR_DUPLICATE_KEY;
		if (cmp > 0)
			break;
		if (tk_cbor_skip_item(enc->buf, enc->len, at_key_end, &at) != TK_OK)
			return TK_ERR_ARG;
	}
	*slot = at;
	return TK_OK;
}

/*
 * Insertion sort of the map entries in buf[start..len): each entry is
 * rotated into place, so the cost is quadratic in the number of pairs.
 */
static tk_err sort_entries(struct tk_cbor_enc *enc, size_t start, uint64_t pairs)
{
	size_t sorted_end = start, key_end, entry_end, slot;
	tk_err err;

	for (uint64_t i = 0; i < pairs; i++) {
		if (sorted_end >= enc->len ||
		    tk_cbor_skip_item(enc->buf, enc->len, sorted_end, &key_end) != TK_OK ||
		    tk_cbor_skip_item(enc->buf, enc->len, key_end, &entry_end) != TK_OK)
			return TK_ERR_ARG;
		err = find_slot(enc, start, sorted_end, sorted_end, key_end, &slot);
		if (err != TK_OK)
			return err;
		rotate(enc->buf + slot, sorted_end - slot, entry_end - sorted_end);
		sorted_end = entry_end;
	}
	return sorted_end == enc->len ? TK_OK : TK_ERR_ARG;
}

void tk_cbor_map_sort_end(struct tk_cbor_enc *enc, uint64_t pairs)
{
	size_t start;
	tk_err err;

	if (!region_end(enc, true, &start) || counting(enc))
		return;
	err = sort_entries(enc, start, pairs);
	if (err == TK_ERR_CBOR_DUPLICATE_KEY)
		enc_fail(enc, err, "two keys of the sorted map are equal");
	else if (err != TK_OK)
		enc_fail(enc, err, "sorted map content is not the announced pairs of items");
}

tk_err tk_cbor_enc_finish(struct tk_cbor_enc *enc, size_t *out_len)
{
	*out_len = 0;
	if (enc->err == TK_OK && enc->open > 0)
		enc_fail(enc, TK_ERR_STATE, "a bstr wrapper or sorted map is still open");
	if (enc->err != TK_OK)
		return enc->err;
	*out_len = enc->len;
	return TK_OK;
}
