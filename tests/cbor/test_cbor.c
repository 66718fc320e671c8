/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the CBOR layer. The RFC 8949 Appendix A examples are decoded,
 * re-encoded byte for byte, printed in diagnostic notation, and rejected by
 * the strict profile when they are not preferred serialization. A table has
 * one negative row per rule the validator enforces. Further tests cover the
 * getters, the encoder (shortest floats, bstr wrapping, sorted maps, buffer
 * limits) and the diagnostic printer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cbor/tk_cbor_impl.h"

/* Largest item any table here decodes from hex. */
#define HEX_BYTES_MAX 1024
/* Output buffers of the encoder and printer tests. */
#define OUT_MAX 4096

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned byte;

	while (hex[0] != '\0' && hex[1] != '\0') {
		assert_true(n < cap);
		assert_int_equal(sscanf(hex, "%2x", &byte), 1);
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static void to_hex(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < len && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, cap - 2 * i, "%02x", buf[i]);
}

/* Fail with the row's description, both error names and the diagnostic. */
static void expect_err(const char *desc, tk_err want, tk_err got,
		       const struct tk_diag *diag)
{
	char text[TK_DIAG_MSG_MAX + 128];

	if (want == got)
		return;
	tk_diag_format(diag, text, sizeof(text));
	fail_msg("%s: expected %s, got %s (%s)", desc, tk_err_name(want),
		 tk_err_name(got), text);
}

/* ---- Appendix A ------------------------------------------------------ */

/*
 * Concatenate the chunks of the string at the decoder's position, which
 * may be indefinite, and consume it. Returns false on any failure.
 */
static bool take_string(struct tk_cbor_dec *dec, uint8_t *out, size_t cap,
			size_t *out_len)
{
	struct tk_span raw;
	struct tk_cbor_head head, chunk;
	size_t pos;

	*out_len = 0;
	if (tk_cbor_get_raw(dec, &raw) != TK_OK ||
	    tk_cbor_head_read(raw.ptr, raw.len, 0, &head, NULL) != TK_OK)
		return false;
	if (head.ai != TK_CBOR_AI_INDEFINITE) {
		if (head.arg > cap)
			return false;
		memcpy(out, raw.ptr + head.size, (size_t)head.arg);
		*out_len = (size_t)head.arg;
		return true;
	}
	for (pos = 1; raw.ptr[pos] != TK_CBOR_BREAK; pos += chunk.size + (size_t)chunk.arg) {
		if (tk_cbor_head_read(raw.ptr, raw.len, pos, &chunk, NULL) != TK_OK ||
		    chunk.arg > cap - *out_len)
			return false;
		memcpy(out + *out_len, raw.ptr + pos + chunk.size, (size_t)chunk.arg);
		*out_len += (size_t)chunk.arg;
	}
	return true;
}

/* Value of a bignum (tags 2 and 3) as a double, enough for Appendix A. */
static double bignum_value(const struct tk_span *bytes)
{
	double value = 0;

	for (size_t i = 0; i < bytes->len; i++)
		value = value * 256 + bytes->ptr[i];
	return value;
}

static bool match_json(struct tk_cbor_dec *dec, json_t *want);

static bool match_number(struct tk_cbor_dec *dec, double want)
{
	uint64_t u, tag;
	double f;
	struct tk_span bytes;

	switch (tk_cbor_peek(dec)) {
	case TK_CBOR_UINT:
		return tk_cbor_get_uint(dec, &u) == TK_OK && (double)u == want;
	case TK_CBOR_NINT:
		return tk_cbor_get_nint(dec, &u) == TK_OK && -1.0 - (double)u == want;
	case TK_CBOR_FLOAT:
		return tk_cbor_get_float(dec, &f) == TK_OK && f == want &&
		       signbit(f) == signbit(want);
	case TK_CBOR_TAG:
		if (tk_cbor_get_tag(dec, &tag) != TK_OK ||
		    tk_cbor_get_bstr(dec, &bytes) != TK_OK)
			return false;
		if (tag == 2)
			return bignum_value(&bytes) == want;
		return tag == 3 && -1.0 - bignum_value(&bytes) == want;
	default:
		return false;
	}
}

static bool match_array(struct tk_cbor_dec *dec, json_t *want)
{
	uint64_t count;
	size_t i = 0;

	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return false;
	for (; tk_cbor_more(dec); i++) {
		if (i >= json_array_size(want) || !match_json(dec, json_array_get(want, i)))
			return false;
	}
	return tk_cbor_leave(dec) == TK_OK && i == json_array_size(want);
}

static bool match_object(struct tk_cbor_dec *dec, json_t *want)
{
	uint8_t key[HEX_BYTES_MAX];
	size_t key_len, pairs = 0;
	uint64_t count;
	json_t *value;

	if (tk_cbor_enter_map(dec, &count) != TK_OK)
		return false;
	for (; tk_cbor_more(dec); pairs++) {
		if (tk_cbor_peek(dec) != TK_CBOR_TSTR ||
		    !take_string(dec, key, sizeof(key), &key_len))
			return false;
		value = json_object_getn(want, (const char *)key, key_len);
		if (value == NULL || !match_json(dec, value))
			return false;
	}
	return tk_cbor_leave(dec) == TK_OK && pairs == json_object_size(want);
}

/* True when the next item equals the JSON value `want` (and consumes it). */
static bool match_json(struct tk_cbor_dec *dec, json_t *want)
{
	uint8_t text[HEX_BYTES_MAX];
	size_t text_len;
	bool flag;

	switch (json_typeof(want)) {
	case JSON_REAL:
	case JSON_INTEGER:
		return match_number(dec, json_number_value(want));
	case JSON_STRING:
		return tk_cbor_peek(dec) == TK_CBOR_TSTR &&
		       take_string(dec, text, sizeof(text), &text_len) &&
		       text_len == json_string_length(want) &&
		       memcmp(text, json_string_value(want), text_len) == 0;
	case JSON_TRUE:
	case JSON_FALSE:
		return tk_cbor_get_bool(dec, &flag) == TK_OK && flag == json_is_true(want);
	case JSON_NULL:
		return tk_cbor_get_null(dec) == TK_OK;
	case JSON_ARRAY:
		return match_array(dec, want);
	case JSON_OBJECT:
		return match_object(dec, want);
	}
	return false;
}

static void reencode(struct tk_cbor_dec *dec, struct tk_cbor_enc *enc);

static void reencode_container(struct tk_cbor_dec *dec, struct tk_cbor_enc *enc,
			       bool is_map)
{
	uint64_t count;

	if (is_map) {
		assert_int_equal(tk_cbor_enter_map(dec, &count), TK_OK);
		tk_cbor_put_map(enc, count);
	} else {
		assert_int_equal(tk_cbor_enter_array(dec, &count), TK_OK);
		tk_cbor_put_array(enc, count);
	}
	while (tk_cbor_more(dec))
		reencode(dec, enc);
	assert_int_equal(tk_cbor_leave(dec), TK_OK);
}

/* Encode the next (definite-length) item again from its decoded value. */
static void reencode(struct tk_cbor_dec *dec, struct tk_cbor_enc *enc)
{
	struct tk_span span;
	uint64_t u;
	double f;
	uint8_t simple;

	switch (tk_cbor_peek(dec)) {
	case TK_CBOR_UINT:
		assert_int_equal(tk_cbor_get_uint(dec, &u), TK_OK);
		tk_cbor_put_uint(enc, u);
		break;
	case TK_CBOR_NINT:
		assert_int_equal(tk_cbor_get_nint(dec, &u), TK_OK);
		tk_cbor_put_nint(enc, u);
		break;
	case TK_CBOR_BSTR:
		assert_int_equal(tk_cbor_get_bstr(dec, &span), TK_OK);
		tk_cbor_put_bstr(enc, span.ptr, span.len);
		break;
	case TK_CBOR_TSTR:
		assert_int_equal(tk_cbor_get_tstr(dec, &span), TK_OK);
		tk_cbor_put_tstr(enc, (const char *)span.ptr, span.len);
		break;
	case TK_CBOR_ARRAY:
	case TK_CBOR_MAP:
		reencode_container(dec, enc, tk_cbor_peek(dec) == TK_CBOR_MAP);
		break;
	case TK_CBOR_TAG:
		assert_int_equal(tk_cbor_get_tag(dec, &u), TK_OK);
		tk_cbor_put_tag(enc, u);
		reencode(dec, enc);
		break;
	case TK_CBOR_FLOAT:
		assert_int_equal(tk_cbor_get_float(dec, &f), TK_OK);
		tk_cbor_put_float(enc, f);
		break;
	default:
		assert_int_equal(tk_cbor_get_simple(dec, &simple), TK_OK);
		tk_cbor_put_simple(enc, simple);
		break;
	}
}

static void check_vector_roundtrip(const char *hex, const uint8_t *item, size_t len)
{
	uint8_t out[HEX_BYTES_MAX];
	char out_hex[2 * HEX_BYTES_MAX + 1];
	struct tk_cbor_dec dec;
	struct tk_cbor_enc enc;
	struct tk_diag diag;
	size_t out_len;

	tk_diag_clear(&diag);
	expect_err(hex, TK_OK, tk_cbor_dec_init(&dec, item, len, TK_CBOR_STRICT, &diag),
		   &diag);
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	reencode(&dec, &enc);
	expect_err(hex, TK_OK, tk_cbor_dec_finish(&dec), &diag);
	assert_int_equal(tk_cbor_enc_finish(&enc, &out_len), TK_OK);
	to_hex(out, out_len, out_hex, sizeof(out_hex));
	assert_string_equal(out_hex, hex);
}

/* Non-preferred floats and indefinite lengths fail the strict profile. */
static void check_vector_strict(const char *hex, const uint8_t *item, size_t len)
{
	tk_err want = hex[0] == 'f' ? TK_ERR_CBOR_NOT_PREFERRED : TK_ERR_CBOR_INDEFINITE;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	expect_err(hex, want, tk_cbor_check(item, len, TK_CBOR_STRICT, &diag), &diag);
	if (want == TK_ERR_CBOR_NOT_PREFERRED) {
		assert_int_equal(diag.offset, 0);
		return;
	}
	/* The offset names the first indefinite-length head. */
	assert_true(diag.offset < len);
	assert_int_equal(item[diag.offset] & 0x1f, TK_CBOR_AI_INDEFINITE);
	for (size_t i = 0; i < diag.offset; i++)
		assert_true(item[i] != 0x5f && item[i] != 0x7f && item[i] != 0x9f &&
			    item[i] != 0xbf);
}

/*
 * The vectors transcribe RFC 7049. RFC 8949 section 3.3 made a two-byte
 * simple value below 32 not well-formed, so its simple(24) example f818 no
 * longer decodes.
 */
static bool is_rfc7049_only(const char *hex)
{
	return strcmp(hex, "f818") == 0;
}

static void check_vector(json_t *entry, unsigned *diag_checked)
{
	const char *hex = json_string_value(json_object_get(entry, "hex"));
	json_t *decoded = json_object_get(entry, "decoded");
	json_t *diagnostic = json_object_get(entry, "diagnostic");
	uint8_t item[HEX_BYTES_MAX];
	char text[OUT_MAX];
	size_t len, text_len;
	struct tk_cbor_dec dec;
	struct tk_diag diag;

	assert_non_null(hex);
	len = from_hex(hex, item, sizeof(item));
	tk_diag_clear(&diag);
	if (is_rfc7049_only(hex)) {
		expect_err(hex, TK_ERR_CBOR_SIMPLE,
			   tk_cbor_check(item, len, TK_CBOR_ALLOW_ALL, &diag), &diag);
		return;
	}
	expect_err(hex, TK_OK, tk_cbor_dec_init(&dec, item, len, TK_CBOR_ALLOW_ALL, &diag),
		   &diag);

	if (decoded != NULL) {
		if (!match_json(&dec, decoded))
			fail_msg("%s: decoded value differs from the vector", hex);
		expect_err(hex, TK_OK, tk_cbor_dec_finish(&dec), &diag);
	}

	expect_err(hex, TK_OK, tk_cbor_to_diag(item, len, TK_CBOR_ALLOW_ALL, false, NULL,
					       text, sizeof(text), &text_len, &diag),
		   &diag);
	if (diagnostic != NULL) {
		assert_string_equal(text, json_string_value(diagnostic));
		(*diag_checked)++;
	}

	if (json_is_true(json_object_get(entry, "roundtrip")))
		check_vector_roundtrip(hex, item, len);
	else
		check_vector_strict(hex, item, len);
}

static void test_appendix_a(void **state)
{
	json_error_t error;
	json_t *root, *entry;
	unsigned diag_checked = 0;
	size_t i;

	(void)state;
	/*
	 * Integers load as reals because four of them exceed int64; the
	 * byte-for-byte re-encoding keeps those exact.
	 */
	root = json_load_file(TK_VECTORS_DIR "/cbor/appendix_a.json",
			      JSON_DECODE_INT_AS_REAL, &error);
	if (root == NULL)
		fail_msg("cannot load appendix_a.json: %s at line %d", error.text,
			 error.line);
	assert_int_equal(json_array_size(root), 82);
	json_array_foreach(root, i, entry)
		check_vector(entry, &diag_checked);
	assert_int_equal(diag_checked, 22);
	json_decref(root);
}

/* ---- Rejection rules ------------------------------------------------- */

struct check_row {
	const char *desc;
	const char *hex;
	uint32_t flags;
	tk_err err;
	size_t offset; /* ignored when err is TK_OK */
};

#define NEST32 "8181818181818181818181818181818181818181818181818181818181818180"
#define NEST33 "818181818181818181818181818181818181818181818181818181818181818180"
#define TAGS32 "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c180"
#define TAGS33 "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c180"

static const struct check_row check_rows[] = {
	/* Truncated input. */
	{"empty input", "", 0, TK_ERR_CBOR_TRUNCATED, 0},
	{"argument cut short", "1a0001", 0, TK_ERR_CBOR_TRUNCATED, 0},
	{"indefinite array without break", "9f01", 0, TK_ERR_CBOR_TRUNCATED, 2},
	{"indefinite string without break", "5f4101", 0, TK_ERR_CBOR_TRUNCATED, 3},
	/* Trailing bytes. */
	{"two top-level items", "0000", 0, TK_ERR_CBOR_TRAILING, 1},
	{"bytes after a map", "a0ff", 0, TK_ERR_CBOR_TRAILING, 1},
	/* Reserved additional information. */
	{"AI 28", "1c", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"AI 29 on bstr", "5d", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"AI 30 on major 7", "fe", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"AI 31 on uint", "1f", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"AI 31 on nint", "3f", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"AI 31 on tag", "df", 0, TK_ERR_CBOR_RESERVED_AI, 0},
	{"reserved AI nested", "8201fc", 0, TK_ERR_CBOR_RESERVED_AI, 2},
	/* UTF-8 (RFC 3629 section 4). */
	{"overlong 2-byte", "62c0af", 0, TK_ERR_CBOR_UTF8, 1},
	{"overlong 3-byte", "63e08080", 0, TK_ERR_CBOR_UTF8, 1},
	{"overlong 4-byte", "64f0808080", 0, TK_ERR_CBOR_UTF8, 1},
	{"surrogate U+D800", "63eda080", 0, TK_ERR_CBOR_UTF8, 1},
	{"above U+10FFFF", "64f4908080", 0, TK_ERR_CBOR_UTF8, 1},
	{"lead byte F5", "64f5808080", 0, TK_ERR_CBOR_UTF8, 1},
	{"lone continuation", "626180", 0, TK_ERR_CBOR_UTF8, 2},
	{"sequence cut short", "61c3", 0, TK_ERR_CBOR_UTF8, 1},
	{"bad continuation", "62c328", 0, TK_ERR_CBOR_UTF8, 1},
	{"invalid in a chunk", "7f616162c328ff", 0, TK_ERR_CBOR_UTF8, 4},
	{"character split across chunks", "7f61c361bcff", 0, TK_ERR_CBOR_UTF8, 2},
	{"valid 4-byte U+10FFFF", "64f48fbfbf", 0, TK_OK, 0},
	/* Duplicate map keys. */
	{"same uint key", "a201020103", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"uint key non-preferred", "a20102180103", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"nint key non-preferred", "a22000380001", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"same text key", "a26161006161f5", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"text key non-preferred", "a2616100780161f5", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"text key chunked", "a2626162007f61616162ff01", 0, TK_ERR_CBOR_DUPLICATE_KEY, 5},
	{"same bstr key", "a2410100410101", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"same array key", "a2810100810101", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"duplicate in indefinite map", "bf0102010301ff", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"duplicate in nested map", "81a3010203040105", 0, TK_ERR_CBOR_DUPLICATE_KEY, 6},
	{"array keys [] and [_ ]", "a280009fff01", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"array keys differ in content", "a281010098010001", 0, TK_OK, 0},
	{"array keys equal by value", "a281010081180101", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"map keys chunked", "a2a161610000bf7f6161ff00ff01", 0, TK_ERR_CBOR_DUPLICATE_KEY, 6},
	{"float keys half and single", "a2f93c0000fa3f80000001", 0, TK_ERR_CBOR_DUPLICATE_KEY, 5},
	{"float keys 0.0 and -0.0", "a2f9000000f9800001", 0, TK_OK, 0},
	{"tag keys equal content", "a2c10100c1180101", 0, TK_ERR_CBOR_DUPLICATE_KEY, 4},
	{"tag keys differ by number", "a2c10100c20101", 0, TK_OK, 0},
	{"simple keys", "a2f700f701", 0, TK_ERR_CBOR_DUPLICATE_KEY, 3},
	{"uint, nint and text differ", "a301002000616100", 0, TK_OK, 0},
	{"int and float differ", "a200f90000f97c0001", 0, TK_OK, 0},
	{"equal keys in two maps", "82a10100a10100", 0, TK_OK, 0},
	/* Lengths larger than the remaining input. */
	{"bstr longer than input", "4301", 0, TK_ERR_CBOR_LENGTH, 0},
	{"tstr length 2^32-1", "7affffffff61", 0, TK_ERR_CBOR_LENGTH, 0},
	{"bstr length 2^64-1", "5bffffffffffffffff00", 0, TK_ERR_CBOR_LENGTH, 0},
	{"array count 2^64-1", "9bffffffffffffffff00", 0, TK_ERR_CBOR_LENGTH, 0},
	{"map count doubles past 2^64", "bb800000000000000000", 0, TK_ERR_CBOR_LENGTH, 0},
	{"map needs two items per pair", "a20102", 0, TK_ERR_CBOR_LENGTH, 0},
	{"nested array too long", "820181", 0, TK_ERR_CBOR_LENGTH, 2},
	{"chunk longer than input", "5f4301ff", 0, TK_ERR_CBOR_LENGTH, 1},
	/* Nesting depth (TK_CBOR_MAX_DEPTH = 32). */
	{"32 nested arrays", NEST32, 0, TK_OK, 0},
	{"33 nested arrays", NEST33, 0, TK_ERR_LIMIT_DEPTH, 32},
	{"31 tags on an array", TAGS32, 0, TK_OK, 0},
	{"32 tags on an array", TAGS33, 0, TK_ERR_LIMIT_DEPTH, 32},
	/* Break outside an indefinite-length item. */
	{"break alone", "ff", 0, TK_ERR_CBOR_BREAK, 0},
	{"break in definite array", "81ff", 0, TK_ERR_CBOR_BREAK, 1},
	{"break as definite map value", "a101ff", 0, TK_ERR_CBOR_BREAK, 2},
	{"break after indefinite map key", "bf01ff", 0, TK_ERR_CBOR_BREAK, 2},
	{"break as tag content", "c0ff", 0, TK_ERR_CBOR_BREAK, 1},
	/* Chunks of indefinite-length strings. */
	{"tstr chunk in bstr", "5f6161ff", 0, TK_ERR_CBOR_CHUNK, 1},
	{"uint chunk in tstr", "7f01ff", 0, TK_ERR_CBOR_CHUNK, 1},
	{"indefinite chunk", "5f5fffff", 0, TK_ERR_CBOR_CHUNK, 1},
	{"empty chunks", "5f4040ff", 0, TK_OK, 0},
	/* Two-byte simple values. */
	{"simple 0 in two bytes", "f800", 0, TK_ERR_CBOR_SIMPLE, 0},
	{"simple 31 in two bytes", "f81f", 0, TK_ERR_CBOR_SIMPLE, 0},
	{"simple 32 in two bytes", "f820", TK_CBOR_STRICT, TK_OK, 0},
	/* TK_CBOR_NO_INDEFINITE. */
	{"indefinite array", "9fff", TK_CBOR_NO_INDEFINITE, TK_ERR_CBOR_INDEFINITE, 0},
	{"indefinite map nested", "819fff", TK_CBOR_NO_INDEFINITE, TK_ERR_CBOR_INDEFINITE, 1},
	{"indefinite bstr", "5fff", TK_CBOR_NO_INDEFINITE, TK_ERR_CBOR_INDEFINITE, 0},
	{"indefinite tstr", "7fff", TK_CBOR_STRICT, TK_ERR_CBOR_INDEFINITE, 0},
	{"indefinite allowed by PREFERRED", "9f01ff", TK_CBOR_PREFERRED, TK_OK, 0},
	/* TK_CBOR_PREFERRED heads (RFC 8949 section 4.2.1). */
	{"23 in one byte", "1817", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"255 in two bytes", "1900ff", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"65535 in four bytes", "1a0000ffff", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"2^32-1 in eight bytes", "1b00000000ffffffff", TK_CBOR_STRICT,
	 TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"nint -1 in one byte", "3800", TK_CBOR_STRICT, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"bstr length in one byte", "580100", TK_CBOR_STRICT, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"array count in one byte", "9800", TK_CBOR_STRICT, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"map count nested", "81b800", TK_CBOR_STRICT, TK_ERR_CBOR_NOT_PREFERRED, 1},
	{"tag 0 in one byte", "d80000", TK_CBOR_STRICT, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"chunk length in one byte", "5f580100ff", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 1},
	{"24 in one byte is preferred", "1818", TK_CBOR_STRICT, TK_OK, 0},
	{"2^32 in eight bytes", "1b0000000100000000", TK_CBOR_STRICT, TK_OK, 0},
	/* TK_CBOR_PREFERRED floats (RFC 8949 section 4.2.2). */
	{"1.5 as single", "fa3fc00000", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"1.5 as double", "fb3ff8000000000000", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"100000.0 as double", "fb40f86a0000000000", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"-0.0 as single", "fa80000000", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"half subnormal as single", "fa33800000", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"quiet NaN as single", "fa7fc00000", TK_CBOR_PREFERRED, TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"infinity as double", "fb7ff0000000000000", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 0},
	{"float nested in a map", "a101fa3fc00000", TK_CBOR_PREFERRED,
	 TK_ERR_CBOR_NOT_PREFERRED, 2},
	{"1.1 as double is preferred", "fb3ff199999999999a", TK_CBOR_STRICT, TK_OK, 0},
	{"100000.0 as single is preferred", "fa47c35000", TK_CBOR_STRICT, TK_OK, 0},
	{"2^-25 as single is preferred", "fa33000000", TK_CBOR_STRICT, TK_OK, 0},
	{"NaN payload needing single", "fa7fc00001", TK_CBOR_STRICT, TK_OK, 0},
	{"non-preferred float allowed", "fa3fc00000", TK_CBOR_NO_INDEFINITE, TK_OK, 0},
};

static void test_check_rows(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_diag diag;
	size_t len;
	tk_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		const struct check_row *row = &check_rows[i];

		len = from_hex(row->hex, item, sizeof(item));
		tk_diag_clear(&diag);
		err = tk_cbor_check(item, len, row->flags, &diag);
		expect_err(row->desc, row->err, err, &diag);
		if (err == TK_OK)
			continue;
		if (diag.offset != row->offset)
			fail_msg("%s: error at offset %zu, expected %zu (%s)", row->desc,
				 diag.offset, row->offset, diag.msg);
		assert_true(diag.msg[0] != '\0');
	}
}

/* A map of `pairs` distinct uint keys 0.. with value 0, built by hand. */
static size_t build_map(uint8_t *out, size_t cap, unsigned pairs)
{
	struct tk_cbor_enc enc;
	size_t len;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, pairs);
	for (unsigned i = 0; i < pairs; i++) {
		tk_cbor_put_uint(&enc, i);
		tk_cbor_put_uint(&enc, 0);
	}
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

static void test_map_pair_limit(void **state)
{
	uint8_t item[OUT_MAX];
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = build_map(item, sizeof(item), TK_CBOR_MAX_MAP_PAIRS);
	assert_int_equal(tk_cbor_check(item, len, TK_CBOR_STRICT, NULL), TK_OK);

	len = build_map(item, sizeof(item), TK_CBOR_MAX_MAP_PAIRS + 1);
	tk_diag_clear(&diag);
	expect_err("map over the pair limit", TK_ERR_LIMIT_COUNT,
		   tk_cbor_check(item, len, TK_CBOR_STRICT, &diag), &diag);
	assert_int_equal(diag.offset, 0);
}

/* ---- Getters --------------------------------------------------------- */

static void init_hex(struct tk_cbor_dec *dec, uint8_t *item, const char *hex,
		     struct tk_diag *diag)
{
	size_t len = from_hex(hex, item, HEX_BYTES_MAX);

	tk_diag_clear(diag);
	expect_err(hex, TK_OK, tk_cbor_dec_init(dec, item, len, TK_CBOR_ALLOW_ALL, diag),
		   diag);
}

static void test_getters_walk(void **state)
{
	/* [1, -2, h'0102', "ab", {1: true}, null, 1.5, 24(h'')] */
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	struct tk_span span;
	uint64_t count, u;
	int64_t i;
	bool flag;
	double f;

	(void)state;
	init_hex(&dec, item, "880121420102626162a101f5f6f93e00d81840", &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(count, 8);
	assert_int_equal(tk_cbor_get_uint(&dec, &u), TK_OK);
	assert_int_equal(u, 1);
	assert_int_equal(tk_cbor_get_int(&dec, &i), TK_OK);
	assert_int_equal(i, -2);
	assert_int_equal(tk_cbor_get_bstr(&dec, &span), TK_OK);
	assert_int_equal(span.len, 2);
	assert_memory_equal(span.ptr, "\x01\x02", 2);
	assert_int_equal(tk_cbor_get_tstr(&dec, &span), TK_OK);
	assert_int_equal(span.len, 2);
	assert_memory_equal(span.ptr, "ab", 2);
	assert_int_equal(tk_cbor_enter_map(&dec, &count), TK_OK);
	assert_int_equal(count, 1);
	assert_int_equal(tk_cbor_get_int(&dec, &i), TK_OK);
	assert_int_equal(tk_cbor_get_bool(&dec, &flag), TK_OK);
	assert_true(flag);
	assert_false(tk_cbor_more(&dec));
	assert_int_equal(tk_cbor_leave(&dec), TK_OK);
	assert_int_equal(tk_cbor_get_null(&dec), TK_OK);
	assert_int_equal(tk_cbor_get_float(&dec, &f), TK_OK);
	assert_true(f == 1.5);
	assert_int_equal(tk_cbor_get_raw(&dec, &span), TK_OK);
	assert_int_equal(span.len, 3);
	assert_ptr_equal(span.ptr, item + 16);
	assert_false(tk_cbor_more(&dec));
	assert_int_equal(tk_cbor_peek(&dec), TK_CBOR_NONE);
	assert_int_equal(tk_cbor_leave(&dec), TK_OK);
	assert_int_equal(tk_cbor_dec_finish(&dec), TK_OK);
}

static void test_getter_type_mismatch(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	struct tk_span span;
	uint64_t count, u;

	(void)state;
	init_hex(&dec, item, "82416101", &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	u = 99;
	expect_err("uint getter on bstr", TK_ERR_SCHEMA_TYPE, tk_cbor_get_uint(&dec, &u),
		   &diag);
	assert_int_equal(u, 0);
	assert_int_equal(diag.offset, 1);
	assert_string_equal(diag.msg, "expected uint, found bstr");

	/* Sticky: a getter that would match still fails with the first code. */
	assert_int_equal(tk_cbor_get_bstr(&dec, &span), TK_ERR_SCHEMA_TYPE);
	assert_null(span.ptr);
	assert_false(tk_cbor_more(&dec));
	assert_int_equal(tk_cbor_dec_finish(&dec), TK_ERR_SCHEMA_TYPE);
}

static void test_getter_int_range(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	uint64_t count, arg;
	int64_t i;

	(void)state;
	/* [INT64_MAX, INT64_MIN, 2^63, -2^63 - 1] */
	init_hex(&dec, item,
		 "841b7fffffffffffffff3b7fffffffffffffff1b80000000000000003b8000000000000000",
		 &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(tk_cbor_get_int(&dec, &i), TK_OK);
	assert_true(i == INT64_MAX);
	assert_int_equal(tk_cbor_get_int(&dec, &i), TK_OK);
	assert_true(i == INT64_MIN);
	expect_err("2^63 as int64", TK_ERR_SCHEMA_VALUE, tk_cbor_get_int(&dec, &i), &diag);
	assert_int_equal(diag.offset, 19);

	init_hex(&dec, item, "3b8000000000000000", &diag);
	expect_err("-2^63 - 1 as int64", TK_ERR_SCHEMA_VALUE, tk_cbor_get_int(&dec, &i),
		   &diag);
	init_hex(&dec, item, "3b8000000000000000", &diag);
	assert_int_equal(tk_cbor_get_nint(&dec, &arg), TK_OK);
	assert_true(arg == UINT64_C(0x8000000000000000));
	assert_int_equal(tk_cbor_dec_finish(&dec), TK_OK);
}

static void test_getter_tags(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	uint64_t tag, count;
	bool found;

	(void)state;
	/* [18([]), 1(0)] */
	init_hex(&dec, item, "82d280c100", &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(tk_cbor_skip_tag(&dec, 17, &found), TK_OK);
	assert_false(found);
	assert_int_equal(tk_cbor_skip_tag(&dec, 18, &found), TK_OK);
	assert_true(found);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(tk_cbor_leave(&dec), TK_OK);
	assert_int_equal(tk_cbor_get_tag(&dec, &tag), TK_OK);
	assert_int_equal(tag, 1);
	assert_int_equal(tk_cbor_skip(&dec), TK_OK);
	assert_int_equal(tk_cbor_leave(&dec), TK_OK);
	assert_int_equal(tk_cbor_dec_finish(&dec), TK_OK);
}

static void test_getter_indefinite(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	struct tk_span span;
	uint64_t count;

	(void)state;
	/* {_ "a": [_ 1, 2], "b": (_ h'01')}, leaving the array early. */
	init_hex(&dec, item, "bf61619f0102ff61625f4101ffff", &diag);
	assert_int_equal(tk_cbor_enter_map(&dec, &count), TK_OK);
	assert_true(count == UINT64_MAX);
	assert_int_equal(tk_cbor_get_tstr(&dec, &span), TK_OK);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(tk_cbor_skip(&dec), TK_OK);
	assert_int_equal(tk_cbor_leave(&dec), TK_OK);
	assert_int_equal(tk_cbor_get_tstr(&dec, &span), TK_OK);
	assert_memory_equal(span.ptr, "b", 1);
	expect_err("chunked bstr view", TK_ERR_SCHEMA_TYPE, tk_cbor_get_bstr(&dec, &span),
		   &diag);
	assert_int_equal(diag.offset, 9);
}

static void test_dec_finish_and_fail(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	struct tk_cbor_dec dec;
	struct tk_diag diag;
	uint64_t count, u;

	(void)state;
	init_hex(&dec, item, "820102", &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	expect_err("array left open", TK_ERR_SCHEMA_TYPE, tk_cbor_dec_finish(&dec), &diag);

	init_hex(&dec, item, "820102", &diag);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(tk_cbor_get_uint(&dec, &u), TK_OK);
	assert_int_equal(tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_VALUE, "value %d", 7),
			 TK_ERR_SCHEMA_VALUE);
	assert_int_equal(diag.offset, 2);
	assert_string_equal(diag.msg, "value 7");
	assert_int_equal(tk_cbor_dec_finish(&dec), TK_ERR_SCHEMA_VALUE);

	/* An init failure is sticky too. */
	assert_int_equal(tk_cbor_dec_init(&dec, item, 1, TK_CBOR_STRICT, NULL),
			 TK_ERR_CBOR_LENGTH);
	assert_int_equal(tk_cbor_get_uint(&dec, &u), TK_ERR_CBOR_LENGTH);
	assert_int_equal(tk_cbor_peek(&dec), TK_CBOR_NONE);
}

/* ---- Encoder --------------------------------------------------------- */

static void expect_encoding(const char *desc, struct tk_cbor_enc *enc, const char *hex)
{
	char out_hex[2 * OUT_MAX + 1];
	size_t len;

	expect_err(desc, TK_OK, tk_cbor_enc_finish(enc, &len), enc->diag);
	to_hex(enc->buf, len, out_hex, sizeof(out_hex));
	if (strcmp(out_hex, hex) != 0)
		fail_msg("%s: encoded %s, expected %s", desc, out_hex, hex);
}

struct float_row {
	double value;
	const char *hex;
};

static void test_enc_float_shortest(void **state)
{
	static const struct float_row rows[] = {
		{0.0, "f90000"},
		{-0.0, "f98000"},
		{1.0, "f93c00"},
		{1.5, "f93e00"},
		{65504.0, "f97bff"},
		{65505.0, "fa477fe100"},
		{100000.0, "fa47c35000"},
		{5.960464477539063e-08, "f90001"},  /* smallest half subnormal */
		{2.98023223876953125e-08, "fa33000000"}, /* 2^-25: single only */
		{1.401298464324817e-45, "fa00000001"},  /* smallest single */
		{3.4028234663852886e+38, "fa7f7fffff"},
		{1.1, "fb3ff199999999999a"},
		{1e300, "fb7e37e43c8800759c"},
		{-4.1, "fbc010666666666666"},
		{INFINITY, "f97c00"},
		{-INFINITY, "f9fc00"},
		{NAN, "f97e00"},
		{-NAN, "f97e00"},
	};
	uint8_t out[OUT_MAX];
	struct tk_cbor_enc enc;
	char desc[64];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(desc, sizeof(desc), "float %g", rows[i].value);
		tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
		tk_cbor_put_float(&enc, rows[i].value);
		expect_encoding(desc, &enc, rows[i].hex);
	}
}

static void test_enc_integers(void **state)
{
	uint8_t out[OUT_MAX];
	struct tk_cbor_enc enc;

	(void)state;
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_int(&enc, INT64_MIN);
	tk_cbor_put_int(&enc, -24);
	tk_cbor_put_int(&enc, -25);
	tk_cbor_put_uint(&enc, 23);
	tk_cbor_put_uint(&enc, 24);
	tk_cbor_put_uint(&enc, 256);
	tk_cbor_put_uint(&enc, 65536);
	tk_cbor_put_uint(&enc, UINT64_C(1) << 32);
	tk_cbor_put_nint(&enc, UINT64_MAX);
	tk_cbor_put_simple(&enc, 16);
	tk_cbor_put_simple(&enc, 255);
	tk_cbor_put_undefined(&enc);
	expect_encoding("integers", &enc,
			"3b7fffffffffffffff3738181718181901001a00010000"
			"1b00000001000000003bfffffffffffffffff0f8fff7");
}

static void test_enc_bstr_wrap(void **state)
{
	uint8_t out[OUT_MAX], content[300];
	struct tk_cbor_enc enc;
	size_t len;

	(void)state;
	/* << 1, << "a" >> >>: the inner wrapper moves, then the outer. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_cstr(&enc, "a");
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_bstr_end(&enc);
	expect_encoding("nested bstr wrap", &enc, "814401426161");

	/* Empty content, and content long enough for a 3-byte head. */
	memset(content, 0xab, sizeof(content));
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_bstr(&enc, content, sizeof(content));
	tk_cbor_put_bstr_end(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	assert_int_equal(len, 1 + 3 + 3 + sizeof(content));
	assert_memory_equal(out, "\x40\x59\x01\x2f\x59\x01\x2c", 7);
	assert_memory_equal(out + 7, content, sizeof(content));

	/* End without begin. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_bstr_end(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_STATE);
	assert_int_equal(len, 0);
}

static void test_enc_sorted_map(void **state)
{
	uint8_t out[OUT_MAX];
	struct tk_cbor_enc enc;
	size_t len;

	(void)state;
	/* {"b": 1, 10: 2, -1: 3, "a": 4, h'00': 5, 100: {2: 0, 1: 0}} */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_map(&enc, 6);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_cstr(&enc, "b");
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 10);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_int(&enc, -1);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_cstr(&enc, "a");
	tk_cbor_put_uint(&enc, 4);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"\0", 1);
	tk_cbor_put_uint(&enc, 5);
	tk_cbor_put_uint(&enc, 100);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_map_sort_end(&enc, 2);
	tk_cbor_map_sort_end(&enc, 6);
	expect_encoding("sorted map", &enc, "a60a021864a201000200200341000561610461620" "1");

	/* A sorted map inside a bstr wrapper: positions stay absolute. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_uint(&enc, 7);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_int(&enc, -7);
	tk_cbor_put_null(&enc);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_null(&enc);
	tk_cbor_map_sort_end(&enc, 2);
	tk_cbor_put_bstr_end(&enc);
	expect_encoding("sorted map in bstr", &enc, "0745a201f626f6");

	/* Duplicate keys, counted the same however they were written. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_cstr(&enc, "k");
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_cstr(&enc, "k");
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_map_sort_end(&enc, 2);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_CBOR_DUPLICATE_KEY);
	assert_int_equal(len, 0);

	/* Fewer items than announced pairs. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_map_sort_end(&enc, 2);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_ARG);

	/* Region kinds must nest. */
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_map_sort_begin(&enc);
	tk_cbor_put_bstr_end(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_STATE);
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_map_sort_begin(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_STATE);
}

/* Write a COSE-like structure with a wrapper and a sorted map. */
static void encode_sample(struct tk_cbor_enc *enc)
{
	tk_cbor_put_tag(enc, 18);
	tk_cbor_put_array(enc, 4);
	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_map(enc, 1);
	tk_cbor_put_uint(enc, 1);
	tk_cbor_put_int(enc, -9);
	tk_cbor_put_bstr_end(enc);
	tk_cbor_put_map(enc, 2);
	tk_cbor_map_sort_begin(enc);
	tk_cbor_put_uint(enc, 4);
	tk_cbor_put_bstr(enc, (const uint8_t *)"kid", 3);
	tk_cbor_put_uint(enc, 3);
	tk_cbor_put_cstr(enc, "application/teep+cbor");
	tk_cbor_map_sort_end(enc, 2);
	tk_cbor_put_null(enc);
	tk_cbor_put_float(enc, 1.5);
}

static void test_enc_buffer_too_small(void **state)
{
	uint8_t out[OUT_MAX], full[OUT_MAX];
	struct tk_cbor_enc enc;
	size_t needed, len;

	(void)state;
	tk_cbor_enc_init(&enc, NULL, 0, NULL);
	encode_sample(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &needed), TK_OK);

	tk_cbor_enc_init(&enc, full, needed, NULL);
	encode_sample(&enc);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	assert_int_equal(len, needed);
	assert_int_equal(tk_cbor_check(full, len, TK_CBOR_STRICT, NULL), TK_OK);

	for (size_t cap = 0; cap < needed; cap++) {
		struct tk_diag diag;

		tk_diag_clear(&diag);
		tk_cbor_enc_init(&enc, out, cap, &diag);
		encode_sample(&enc);
		len = 99;
		expect_err("encoder into a short buffer", TK_ERR_BUFFER_TOO_SMALL,
			   tk_cbor_enc_finish(&enc, &len), &diag);
		assert_int_equal(len, 0);
	}

	/* Misuse fails instead of writing. */
	tk_cbor_enc_init(&enc, NULL, 8, NULL);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_ARG);
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_tstr(&enc, "\xc0\xaf", 2);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_ARG);
	tk_cbor_enc_init(&enc, out, sizeof(out), NULL);
	tk_cbor_put_simple(&enc, 24);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_ERR_ARG);
}

/* ---- Diagnostic notation --------------------------------------------- */

struct diag_row {
	const char *desc;
	const char *hex;
	bool pretty;
	const char *text;
};

static const struct diag_row diag_rows[] = {
	{"int keys", "a201020304", false, "{1: 2, 3: 4}"},
	{"-2^64", "3bffffffffffffffff", false, "-18446744073709551616"},
	{"escapes", "6a225c0a0d09017f61c3bc", false, "\"\\\"\\\\\\n\\r\\t\\u0001\\u007fa\xc3\xbc\""},
	{"C1 controls", "6961c280c29bc29fc2a0", false, "\"a\\u0080\\u009b\\u009f\xc2\xa0\""},
	{"half float", "f93e00", false, "1.5"},
	{"negative zero", "f98000", false, "-0.0"},
	{"plain decimal", "fa47c35000", false, "100000.0"},
	{"large exponent", "fb7e37e43c8800759c", false, "1.0e+300"},
	{"small exponent", "f90001", false, "5.9604644775390625e-08"},
	{"float max", "fa7f7fffff", false, "3.4028234663852886e+38"},
	{"tenth", "fb3fb999999999999a", false, "0.1"},
	{"indefinite nested", "9f018202039f0405ffff", false, "[_ 1, [2, 3], [_ 4, 5]]"},
	{"empty indefinite array", "9fff", false, "[_ ]"},
	{"indefinite map", "bf61610161629f0203ffff", false, "{_ \"a\": 1, \"b\": [_ 2, 3]}"},
	{"chunked text", "7f657374726561646d696e67ff", false, "(_ \"strea\", \"ming\")"},
	{"empty chunked bstr", "5fff", false, "''_"},
	{"empty chunked tstr", "7fff", false, "\"\"_"},
	{"empty containers", "8280a0", false, "[[], {}]"},
	{"simple values", "84f4f5f6f7", false, "[false, true, null, undefined]"},
	{"pretty nested", "a20182010203a16161f5", true,
	 "{\n  1: [\n    1,\n    2\n  ],\n  3: {\n    \"a\": true\n  }\n}"},
	{"pretty empty", "82809fff", true, "[\n  [],\n  [_ ]\n]"},
	{"pretty indefinite", "9f01ff", true, "[_\n  1\n]"},
};

static void test_diag_rows(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	char text[OUT_MAX];
	struct tk_diag diag;
	size_t len, text_len;

	(void)state;
	for (size_t i = 0; i < sizeof(diag_rows) / sizeof(diag_rows[0]); i++) {
		const struct diag_row *row = &diag_rows[i];

		len = from_hex(row->hex, item, sizeof(item));
		tk_diag_clear(&diag);
		expect_err(row->desc, TK_OK,
			   tk_cbor_to_diag(item, len, TK_CBOR_ALLOW_ALL, row->pretty, NULL,
					   text, sizeof(text), &text_len, &diag),
			   &diag);
		if (strcmp(text, row->text) != 0)
			fail_msg("%s: printed %s, expected %s", row->desc, text, row->text);
		assert_int_equal(text_len, strlen(row->text));
	}
}

static const char *name_key(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	(void)ctx;
	if (path_len == 0 && key == 1)
		return "alg";
	if (path_len == 1 && path[0] == 4 && key == -1)
		return "inner";
	return NULL;
}

static const char *name_tag(void *ctx, uint64_t tag)
{
	(void)ctx;
	return tag == 18 ? "COSE_Sign1" : NULL;
}

static void test_diag_names(void **state)
{
	const struct tk_cbor_names names = {name_key, name_tag, NULL};
	uint8_t item[HEX_BYTES_MAX];
	char text[OUT_MAX];
	size_t len, text_len;

	(void)state;
	/* 18([{1: -7, 4: {-1: 1, 1: 2}}]) */
	len = from_hex("d281a2012604a220010102", item, sizeof(item));
	assert_int_equal(tk_cbor_to_diag(item, len, TK_CBOR_STRICT, false, &names, text,
					 sizeof(text), &text_len, NULL),
			 TK_OK);
	assert_string_equal(text,
			    "/ COSE_Sign1 / 18([{1 / alg /: -7, 4: {-1 / inner /: 1, 1: 2}}])");

	assert_int_equal(tk_cbor_to_diag(item, len, TK_CBOR_STRICT, true, &names, text,
					 sizeof(text), &text_len, NULL),
			 TK_OK);
	assert_string_equal(text, "/ COSE_Sign1 / 18([\n  {\n    1 / alg /: -7,\n"
				  "    4: {\n      -1 / inner /: 1,\n      1: 2\n    }\n  }\n])");
}

static void test_diag_buffer(void **state)
{
	uint8_t item[HEX_BYTES_MAX];
	char text[OUT_MAX];
	struct tk_diag diag;
	size_t len, needed, text_len;

	(void)state;
	len = from_hex("a201020304", item, sizeof(item));
	assert_int_equal(tk_cbor_to_diag(item, len, 0, false, NULL, NULL, 0, &needed, NULL),
			 TK_OK);
	assert_int_equal(needed, strlen("{1: 2, 3: 4}"));

	tk_diag_clear(&diag);
	expect_err("diag into a short buffer", TK_ERR_BUFFER_TOO_SMALL,
		   tk_cbor_to_diag(item, len, 0, false, NULL, text, needed, &text_len, &diag),
		   &diag);
	assert_int_equal(text_len, 0);
	assert_string_equal(text, "");

	assert_int_equal(tk_cbor_to_diag(item, len, 0, false, NULL, text, needed + 1,
					 &text_len, NULL),
			 TK_OK);
	assert_string_equal(text, "{1: 2, 3: 4}");

	/* A zero capacity with a real buffer writes nothing at all. */
	text[0] = 'x';
	assert_int_equal(tk_cbor_to_diag(item, len, 0, false, NULL, text, 0, &text_len, NULL),
			 TK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(text[0], 'x');

	/* Invalid input fails with the validator's error. */
	len = from_hex("a2010201", item, sizeof(item));
	assert_int_equal(tk_cbor_to_diag(item, len, 0, false, NULL, text, sizeof(text),
					 &text_len, NULL),
			 TK_ERR_CBOR_LENGTH);
	len = from_hex("1817", item, sizeof(item));
	assert_int_equal(tk_cbor_to_diag(item, len, TK_CBOR_STRICT, false, NULL, text,
					 sizeof(text), &text_len, NULL),
			 TK_ERR_CBOR_NOT_PREFERRED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appendix_a),
		cmocka_unit_test(test_check_rows),
		cmocka_unit_test(test_map_pair_limit),
		cmocka_unit_test(test_getters_walk),
		cmocka_unit_test(test_getter_type_mismatch),
		cmocka_unit_test(test_getter_int_range),
		cmocka_unit_test(test_getter_tags),
		cmocka_unit_test(test_getter_indefinite),
		cmocka_unit_test(test_dec_finish_and_fail),
		cmocka_unit_test(test_enc_float_shortest),
		cmocka_unit_test(test_enc_integers),
		cmocka_unit_test(test_enc_bstr_wrap),
		cmocka_unit_test(test_enc_sorted_map),
		cmocka_unit_test(test_enc_buffer_too_small),
		cmocka_unit_test(test_diag_rows),
		cmocka_unit_test(test_diag_names),
		cmocka_unit_test(test_diag_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
