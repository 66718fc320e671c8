/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the CBOR layer: the validator under both flag sets, a
 * walk with the pull decoder, and the diagnostic printer. A property check
 * re-encodes every valid item by walking it and validates the result. A
 * strict item without NaN must come out byte for byte the same.
 */
// fuzz-libs: tk_cbor tk_common
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cbor/tk_cbor_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	const uint8_t *input;
	uint8_t *scratch; /* room for the concatenated chunks of one string */
	bool saw_nan;
};

static void walk_item(struct walk *walk, struct tk_cbor_dec *dec,
		      struct tk_cbor_enc *enc);

/* Copy a string, joining the chunks of an indefinite one. */
static void walk_string(struct walk *walk, struct tk_cbor_dec *dec,
			struct tk_cbor_enc *enc, bool text)
{
	struct tk_cbor_head head, chunk;
	struct tk_span raw;
	size_t len = 0;

	if (tk_cbor_get_raw(dec, &raw) != TK_OK ||
	    tk_cbor_head_read(raw.ptr, raw.len, 0, &head, NULL) != TK_OK)
		abort();
	if (head.ai != TK_CBOR_AI_INDEFINITE) {
		memcpy(walk->scratch, raw.ptr + head.size, (size_t)head.arg);
		len = (size_t)head.arg;
	}
	for (size_t pos = 1; head.ai == TK_CBOR_AI_INDEFINITE && raw.ptr[pos] != TK_CBOR_BREAK;
	     pos += chunk.size + (size_t)chunk.arg) {
		if (tk_cbor_head_read(raw.ptr, raw.len, pos, &chunk, NULL) != TK_OK)
			abort();
		memcpy(walk->scratch + len, raw.ptr + pos + chunk.size, (size_t)chunk.arg);
		len += (size_t)chunk.arg;
	}
	if (text)
		tk_cbor_put_tstr(enc, (const char *)walk->scratch, len);
	else
		tk_cbor_put_bstr(enc, walk->scratch, len);
}

static void walk_container(struct walk *walk, struct tk_cbor_dec *dec,
			   struct tk_cbor_enc *enc, bool is_map)
{
	struct tk_cbor_dec probe;
	uint64_t count, items = 0;
	tk_err err;

	err = is_map ? tk_cbor_enter_map(dec, &count) : tk_cbor_enter_array(dec, &count);
	if (err != TK_OK)
		abort();

	/* An indefinite length is counted on a copy of the decoder. */
	if (count == UINT64_MAX) {
		probe = *dec;
		for (; tk_cbor_more(&probe); items++) {
			if (tk_cbor_skip(&probe) != TK_OK)
				abort();
		}
		count = is_map ? items / 2 : items;
	}
	if (is_map)
		tk_cbor_put_map(enc, count);
	else
		tk_cbor_put_array(enc, count);
	while (tk_cbor_more(dec))
		walk_item(walk, dec, enc);
	if (tk_cbor_leave(dec) != TK_OK)
		abort();
}

static void walk_item(struct walk *walk, struct tk_cbor_dec *dec,
		      struct tk_cbor_enc *enc)
{
	uint64_t u;
	double f;
	uint8_t simple;
	tk_err err = TK_OK;

	switch (tk_cbor_peek(dec)) {
	case TK_CBOR_UINT:
		err = tk_cbor_get_uint(dec, &u);
		tk_cbor_put_uint(enc, u);
		break;
	case TK_CBOR_NINT:
		err = tk_cbor_get_nint(dec, &u);
		tk_cbor_put_nint(enc, u);
		break;
	case TK_CBOR_BSTR:
	case TK_CBOR_TSTR:
		walk_string(walk, dec, enc, tk_cbor_peek(dec) == TK_CBOR_TSTR);
		break;
	case TK_CBOR_ARRAY:
	case TK_CBOR_MAP:
		walk_container(walk, dec, enc, tk_cbor_peek(dec) == TK_CBOR_MAP);
		break;
	case TK_CBOR_TAG:
		err = tk_cbor_get_tag(dec, &u);
		tk_cbor_put_tag(enc, u);
		walk_item(walk, dec, enc);
		break;
	case TK_CBOR_FLOAT:
		err = tk_cbor_get_float(dec, &f);
		walk->saw_nan |= isnan(f);
		tk_cbor_put_float(enc, f);
		break;
	case TK_CBOR_NONE:
		abort();
	default:
		err = tk_cbor_get_simple(dec, &simple);
		tk_cbor_put_simple(enc, simple);
		break;
	}
	if (err != TK_OK)
		abort();
}

/* Re-encode the item into out (or count when out is NULL); its length. */
static size_t reencode(struct walk *walk, const uint8_t *data, size_t size,
		       uint8_t *out, size_t cap)
{
	struct tk_cbor_dec dec;
	struct tk_cbor_enc enc;
	size_t len;

	if (tk_cbor_dec_init(&dec, data, size, TK_CBOR_ALLOW_ALL, NULL) != TK_OK)
		abort();
	tk_cbor_enc_init(&enc, out, cap, NULL);
	walk_item(walk, &dec, &enc);
	if (tk_cbor_dec_finish(&dec) != TK_OK || tk_cbor_enc_finish(&enc, &len) != TK_OK)
		abort();
	return len;
}

static void check_reencode(const uint8_t *data, size_t size, bool strict)
{
	struct walk walk = {data, malloc(size), false};
	size_t needed, len;
	uint8_t *out;
	tk_err err;

	needed = reencode(&walk, data, size, NULL, 0);
	out = malloc(needed);
	len = reencode(&walk, data, size, out, needed);
	if (len != needed)
		abort();
	/*
	 * The encoder writes every NaN as f97e00, so map keys that were NaNs
	 * with different payloads become duplicates.
	 */
	err = tk_cbor_check(out, len, TK_CBOR_STRICT, NULL);
	if (err != TK_OK && !(walk.saw_nan && err == TK_ERR_CBOR_DUPLICATE_KEY))
		abort();
	/* A strict item is already preferred; only NaN payloads change. */
	if (strict && !walk.saw_nan && (len != size || memcmp(out, data, size) != 0))
		abort();
	free(out);
	free(walk.scratch);
}

static const char *name_key(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	(void)ctx;
	if (path_len >= TK_CBOR_MAX_DEPTH || (path_len > 0 && path == NULL))
		abort();
	return key == 1 ? "one" : NULL;
}

static const char *name_tag(void *ctx, uint64_t tag)
{
	(void)ctx;
	return tag == 18 ? "COSE_Sign1" : NULL;
}

static void check_diag(const uint8_t *data, size_t size, bool pretty)
{
	const struct tk_cbor_names names = {name_key, name_tag, NULL};
	size_t needed, len;
	char *text;

	if (tk_cbor_to_diag(data, size, 0, pretty, &names, NULL, 0, &needed, NULL) != TK_OK)
		abort();
	text = malloc(needed + 1);
	if (tk_cbor_to_diag(data, size, 0, pretty, &names, text, needed + 1, &len, NULL) !=
		    TK_OK ||
	    len != needed || strlen(text) != len)
		abort();
	if (needed > 0 && tk_cbor_to_diag(data, size, 0, pretty, &names, text, needed, &len,
					  NULL) != TK_ERR_BUFFER_TOO_SMALL)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_diag diag;
	tk_err loose, strict;

	tk_diag_clear(&diag);
	loose = tk_cbor_check(data, size, TK_CBOR_ALLOW_ALL, &diag);
	if (loose != TK_OK && (diag.code != loose || diag.offset > size))
		abort();
	strict = tk_cbor_check(data, size, TK_CBOR_STRICT, NULL);
	/* The strict profile only adds rules. */
	if (strict == TK_OK && loose != TK_OK)
		abort();
	if (loose != TK_OK)
		return 0;

	check_reencode(data, size, strict == TK_OK);
	check_diag(data, size, false);
	check_diag(data, size, true);
	return 0;
}
