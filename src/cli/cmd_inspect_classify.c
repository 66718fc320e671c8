/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recognition for `teep inspect`: read the outer shape of an input (tags,
 * array element types, map keys) without validating its content, and name
 * the kind of object it is by the table at the top of cmd_inspect.c.
 */
#include "cmd_inspect_impl.h"

#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "suit/tk_suit_report.h"
#include "suit/tk_suit.h"

/* Header label of the IV (RFC 9052 section 3.1). */
#define COSE_HDR_IV 5

static tk_err read_array_shape(struct tk_cbor_dec *dec, struct shape *s)
{
	tk_err err = tk_cbor_enter_array(dec, &s->count);

	for (unsigned i = 0; err == TK_OK && tk_cbor_more(dec); i++) {
		enum tk_cbor_type type = tk_cbor_peek(dec);

		if (i < 5)
			s->elem[i] = type;
		if (i == 0 && type == TK_CBOR_BSTR)
			err = tk_cbor_get_bstr(dec, &s->protected_hdr);
		else if (i == 1 && type == TK_CBOR_MAP)
			err = tk_cbor_get_raw(dec, &s->unprotected_hdr);
		else
			err = tk_cbor_skip(dec);
	}
	return err;
}

static tk_err read_map_shape(struct tk_cbor_dec *dec, struct shape *s)
{
	tk_err err = tk_cbor_enter_map(dec, &s->count);

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key = 0;

		if (tk_cbor_peek(dec) == TK_CBOR_UINT)
			err = tk_cbor_get_uint(dec, &key);
		else
			err = tk_cbor_skip(dec);
		/* SUIT wraps both members in byte strings; EAT's sub and aud
		 * (also keys 2 and 3) are text. */
		if (err == TK_OK && tk_cbor_peek(dec) == TK_CBOR_BSTR) {
			s->has_key2 |= key == 2;
			s->has_key3 |= key == 3;
		}
		/* A SUIT_Report's suit-reference is an array. */
		if (err == TK_OK && tk_cbor_peek(dec) == TK_CBOR_ARRAY)
			s->has_key99 |= key == TK_SUIT_REPORT_KEY_REFERENCE;
		if (err == TK_OK)
			err = tk_cbor_skip(dec);
	}
	return err;
}

/* Read the outer shape of a well-formed item. */
void tk_cli_inspect_read_shape(const uint8_t *buf, size_t len, struct shape *s)
{
	struct tk_cbor_dec dec;
	tk_err err;

	memset(s, 0, sizeof(*s));
	s->type = TK_CBOR_NONE;
	for (size_t i = 0; i < sizeof(s->elem) / sizeof(s->elem[0]); i++)
		s->elem[i] = TK_CBOR_NONE;
	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_ALLOW_ALL, NULL);
	while (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_TAG) {
		uint64_t tag = 0;

		err = tk_cbor_get_tag(&dec, &tag);
		if (s->tag_count < 2)
			s->tags[s->tag_count++] = tag;
	}
	if (err != TK_OK)
		return;
	s->type = tk_cbor_peek(&dec);
	if (s->type == TK_CBOR_ARRAY)
		(void)read_array_shape(&dec, s);
	else if (s->type == TK_CBOR_MAP)
		(void)read_map_shape(&dec, s);
}

/*
 * Whether an encoded header map contains `label`. *value receives its
 * integer value, or 0 when the value is not an integer.
 */
static bool header_int(struct tk_span map, int64_t label, int64_t *value)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;

	if (map.len == 0 || tk_cbor_dec_init(&dec, map.ptr, map.len, TK_CBOR_ALLOW_ALL,
					     NULL) != TK_OK)
		return false;
	if (tk_cbor_peek(&dec) != TK_CBOR_MAP || tk_cbor_enter_map(&dec, &count) != TK_OK)
		return false;
	while (tk_cbor_more(&dec)) {
		enum tk_cbor_type type = tk_cbor_peek(&dec);
		int64_t key = INT64_MIN;

		if (type == TK_CBOR_UINT || type == TK_CBOR_NINT) {
			if (tk_cbor_get_int(&dec, &key) != TK_OK)
				return false;
		} else if (tk_cbor_skip(&dec) != TK_OK) {
			return false;
		}
		if (key != label) {
			if (tk_cbor_skip(&dec) != TK_OK)
				return false;
			continue;
		}
		*value = 0;
		type = tk_cbor_peek(&dec);
		if (type == TK_CBOR_UINT || type == TK_CBOR_NINT)
			return tk_cbor_get_int(&dec, value) == TK_OK;
		return true;
	}
	return false;
}

static bool header_has(const struct shape *s, int64_t label, int64_t *value)
{
	return header_int(s->protected_hdr, label, value) ||
	       header_int(s->unprotected_hdr, label, value);
}

/* MAC algorithms of the COSE registry: HMAC (4-7) and AES-MAC (14-17, 25, 26). */
static bool is_mac_alg(int64_t alg)
{
	return (alg >= 4 && alg <= 7) || (alg >= 14 && alg <= 17) || alg == 25 || alg == 26;
}

static bool elem_is(enum tk_cbor_type type, enum tk_cbor_type a, enum tk_cbor_type b)
{
	return type == a || type == b;
}

/* Recognise an untagged array by its element types. */
static enum kind classify_array(const struct shape *s)
{
	bool cose_head = s->count >= 3 && s->elem[0] == TK_CBOR_BSTR &&
			 s->elem[1] == TK_CBOR_MAP &&
			 elem_is(s->elem[2], TK_CBOR_BSTR, TK_CBOR_NULL);
	int64_t alg = 0;

	if (s->count >= 2 && s->elem[0] == TK_CBOR_UINT)
		return KIND_TEEP;
	if (!cose_head)
		return KIND_UNKNOWN;
	if (s->count == 3)
		return KIND_COSE_ENCRYPT0;
	if (s->count == 4 && s->elem[3] == TK_CBOR_BSTR)
		return header_has(s, TK_COSE_HDR_ALG, &alg) && is_mac_alg(alg) ? KIND_COSE_MAC0
									   : KIND_COSE_SIGN1;
	if (s->count == 5 && s->elem[3] == TK_CBOR_BSTR && s->elem[4] == TK_CBOR_ARRAY)
		return KIND_COSE_MAC;
	if (s->count == 4 && s->elem[3] == TK_CBOR_ARRAY) {
		/* A COSE_Sign body names no algorithm; an Encrypt body does. */
		if (header_has(s, TK_COSE_HDR_ALG, &alg) || header_has(s, COSE_HDR_IV, &alg))
			return KIND_COSE_ENCRYPT;
		return KIND_COSE_SIGN;
	}
	return KIND_UNKNOWN;
}

static enum kind classify_tag(uint64_t tag)
{
	switch (tag) {
	case TK_SUIT_ENVELOPE_TAG: return KIND_SUIT;
	case TK_COSE_TAG_SIGN1: return KIND_COSE_SIGN1;
	case TK_COSE_TAG_SIGN: return KIND_COSE_SIGN;
	case TK_COSE_TAG_MAC0: return KIND_COSE_MAC0;
	case COSE_TAG_MAC: return KIND_COSE_MAC;
	case COSE_TAG_ENCRYPT0: return KIND_COSE_ENCRYPT0;
	case COSE_TAG_ENCRYPT: return KIND_COSE_ENCRYPT;
	default: return KIND_UNKNOWN;
	}
}

enum kind tk_cli_inspect_classify(const struct shape *s)
{
	if (s->tag_count > 0) {
		/* A CWT (tag 61) is recognised by the COSE tag inside it. */
		if (s->tags[0] == TK_EAT_TAG_CWT && s->tag_count > 1)
			return classify_tag(s->tags[1]);
		if (s->tags[0] == TK_EAT_TAG_CWT)
			return s->type == TK_CBOR_ARRAY ? classify_array(s) : KIND_UNKNOWN;
		return classify_tag(s->tags[0]);
	}
	if (s->type == TK_CBOR_ARRAY)
		return classify_array(s);
	if (s->type == TK_CBOR_MAP && s->has_key99)
		return KIND_SUIT_REPORT;
	if (s->type == TK_CBOR_MAP)
		return s->has_key2 && s->has_key3 ? KIND_SUIT : KIND_EAT_CLAIMS;
	return KIND_UNKNOWN;
}

enum tk_cli_schema tk_cli_classify_payload(const uint8_t *buf, size_t len)
{
	struct shape s;

	if (tk_cbor_check(buf, len, TK_CBOR_ALLOW_ALL, NULL) != TK_OK)
		return TK_CLI_SCHEMA_PLAIN;
	tk_cli_inspect_read_shape(buf, len, &s);
	switch (tk_cli_inspect_classify(&s)) {
	case KIND_TEEP: return TK_CLI_SCHEMA_TEEP;
	case KIND_SUIT: return TK_CLI_SCHEMA_SUIT;
	case KIND_EAT_CLAIMS: return TK_CLI_SCHEMA_EAT;
	case KIND_SUIT_REPORT: return TK_CLI_SCHEMA_SUIT_REPORT;
	case KIND_UNKNOWN: return TK_CLI_SCHEMA_PLAIN;
	default: return TK_CLI_SCHEMA_COSE;
	}
}
