/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a COSE_Encrypt or COSE_Encrypt0 without a key (RFC 9052 section
 * 5.1), for callers that choose the recipient and recover the content key
 * themselves, such as a SUIT processor whose private key stays in a TEE.
 *
 *   COSE_Encrypt = #6.96([Headers, ciphertext: bstr / nil,
 *                         recipients: [+ COSE_recipient]])
 *   COSE_Encrypt0 = #6.16([Headers, ciphertext: bstr / nil])
 *   COSE_recipient = [Headers, ciphertext: bstr / nil, ? recipients]
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

/* Protected and unprotected headers of one layer into hdr (zeroed). */
static tk_err read_headers(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr,
			   struct tk_diag *diag)
{
	struct tk_span prot = TK_SPAN_EMPTY;
	tk_err err = tk_cbor_get_bstr(dec, &prot);

	if (err == TK_OK)
		err = tk_cose_parse_protected(prot, hdr, diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(dec, hdr);
	return err;
}

/* A bstr, or nil (then *is_nil is set and *out stays empty). */
static tk_err read_bstr_or_nil(struct tk_cbor_dec *dec, struct tk_span *out, bool *is_nil)
{
	*out = TK_SPAN_EMPTY;
	*is_nil = tk_cbor_peek(dec) == TK_CBOR_NULL;
	if (*is_nil)
		return tk_cbor_get_null(dec);
	return tk_cbor_get_bstr(dec, out);
}

/* COSE_recipient = [Headers, ciphertext: bstr / nil, ? recipients] */
static tk_err read_recipient(struct tk_cbor_dec *dec, struct tk_cose_recipient_view *r,
			     struct tk_diag *diag)
{
	struct tk_cbor_dec inner;
	struct tk_cose_hdr hdr;
	uint64_t count = 0;
	bool is_nil = false;
	tk_err err;

	memset(r, 0, sizeof(*r));
	memset(&hdr, 0, sizeof(hdr));
	err = tk_cbor_get_raw(dec, &r->encoded);
	if (err == TK_OK)
		err = tk_cbor_dec_init(&inner, r->encoded.ptr, r->encoded.len,
				       TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&inner, &count);
	if (err == TK_OK && count != 3 && count != 4)
		err = tk_cbor_dec_fail(&inner, TK_ERR_SCHEMA_LENGTH,
				       "COSE_recipient array of %" PRIu64 " items", count);
	if (err == TK_OK)
		err = read_headers(&inner, &hdr, diag);
	if (err == TK_OK)
		err = read_bstr_or_nil(&inner, &r->ciphertext, &is_nil);
	if (err == TK_OK && count == 4) {
		r->nested = true;
		err = tk_cbor_skip(&inner);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&inner);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&inner);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err, "COSE_recipient could not be read");

	r->hdr = hdr.h;
	r->alg_is_text = hdr.alg_is_text;
	r->has_partial_iv = hdr.has_partial_iv;
	r->ephemeral_key = hdr.ephemeral_key;
	r->salt = hdr.salt;
	return TK_OK;
}

/* recipients: [+ COSE_recipient] */
static tk_err read_recipients(struct tk_cbor_dec *dec, struct tk_cose_encrypt_view *v,
			      struct tk_diag *diag)
{
	uint64_t count = 0;
	tk_err err = tk_cbor_enter_array(dec, &count);

	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE_Encrypt has no recipients");
	if (err == TK_OK && count > TK_COSE_MAX_RECIPIENTS)
		err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
				       "COSE_Encrypt has %" PRIu64 " recipients, limit %d",
				       count, TK_COSE_MAX_RECIPIENTS);
	while (err == TK_OK && tk_cbor_more(dec) &&
	       v->recipient_count < TK_COSE_MAX_RECIPIENTS) {
		err = read_recipient(dec, &v->recipients[v->recipient_count], diag);
		if (err == TK_OK)
			v->recipient_count++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	return err;
}

/* The tag, then the array of 4 (COSE_Encrypt) or 3 (COSE_Encrypt0) items. */
static tk_err read_outer(struct tk_cbor_dec *dec, struct tk_cose_encrypt_view *v)
{
	uint64_t expected, count = 0;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_TAG)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"COSE_Encrypt without tag 96 (or 16)");
	err = tk_cbor_get_tag(dec, &v->tag);
	if (err == TK_OK && v->tag != TK_COSE_TAG_ENCRYPT && v->tag != TK_COSE_TAG_ENCRYPT0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
				       "tag %" PRIu64 ", expected 96 (COSE_Encrypt) or 16 "
				       "(COSE_Encrypt0)", v->tag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &count);
	expected = v->tag == TK_COSE_TAG_ENCRYPT ? 4 : 3;
	if (err == TK_OK && count != expected)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE_Encrypt%s array of %" PRIu64 " items, expected %"
				       PRIu64, expected == 3 ? "0" : "", count, expected);
	return err;
}

tk_err tk_cose_encrypt_parse(const uint8_t *msg, size_t msg_len,
			     struct tk_cose_encrypt_view *out, struct tk_diag *diag)
{
	struct tk_cose_encrypt_view *v = out;
	struct tk_cbor_dec dec;
	struct tk_cose_hdr hdr;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL output to COSE_Encrypt parse");
	memset(out, 0, sizeof(*out));
	if (msg == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL COSE_Encrypt");
	memset(&hdr, 0, sizeof(hdr));

	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = read_outer(&dec, v);
	if (err == TK_OK)
		err = read_headers(&dec, &hdr, diag);
	if (err == TK_OK)
		err = read_bstr_or_nil(&dec, &v->ciphertext, &v->detached);
	if (err == TK_OK && v->tag == TK_COSE_TAG_ENCRYPT)
		err = read_recipients(&dec, v, diag);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	v->body = hdr.h;
	v->alg_is_text = hdr.alg_is_text;
	v->has_partial_iv = hdr.has_partial_iv;
	return TK_OK;
}
