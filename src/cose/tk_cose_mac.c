/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Mac0 (RFC 9052 section 6.2) with HMAC 256/256 (RFC 9053 section
 * 3.1, alg 5), the symmetric authentication SUIT uses with a shared key.
 *
 * COSE_Mac0 = [Headers, payload: bstr / nil, tag: bstr]
 * The tag is HMAC-SHA256 over MAC_structure = ["MAC0", protected,
 * external_aad, payload], compared in constant time.
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

/* Largest protected header we write: {1: 5, 3: content type}. */
#define PROTECTED_MAX 16

static const struct tk_cose_sign_opts default_mac_opts;

tk_err tk_cose_mac0_create(const struct tk_crypto *c, const uint8_t *key,
			   size_t key_len, struct tk_span kid,
			   const uint8_t *payload, size_t payload_len,
			   const struct tk_cose_sign_opts *opts,
			   uint8_t *out, size_t out_cap, size_t *out_len,
			   struct tk_diag *diag)
{
	uint8_t prot[PROTECTED_MAX];
	size_t prot_len = 0;
	uint8_t tag[TK_CRYPTO_HMAC_SHA256_LEN];
	struct tk_cose_tbs tbs;
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "out_len is NULL");
	*out_len = 0;
	if (opts == NULL)
		opts = &default_mac_opts;
	if ((payload == NULL && payload_len != 0) || (kid.ptr == NULL && kid.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL payload or kid with a length");
	if (kid.len > TK_COSE_KID_MAX)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH, "kid of %zu bytes, limit %d",
			       kid.len, TK_COSE_KID_MAX);

	err = tk_cose_encode_protected(TK_COSE_ALG_HMAC_256_256, opts->has_content_type,
				       opts->content_type, prot, sizeof(prot),
				       &prot_len, diag);
	if (err == TK_OK)
		err = tk_cose_build_tbs(&tbs, "MAC0", tk_span_make(prot, prot_len), false,
					TK_SPAN_EMPTY, opts->external_aad,
					tk_span_make(payload, payload_len), diag);
	if (err == TK_OK)
		err = tk_crypto_hmac_sha256(c, key, key_len, tbs.parts, tbs.n_parts, tag,
					    diag);
	if (err != TK_OK)
		return err;

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	if (opts->tagged)
		tk_cbor_put_tag(&enc, TK_COSE_TAG_MAC0);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_bstr(&enc, prot, prot_len);
	tk_cbor_put_map(&enc, kid.len > 0 ? 1 : 0);
	if (kid.len > 0) {
		tk_cbor_put_uint(&enc, TK_COSE_HDR_KID);
		tk_cbor_put_bstr(&enc, kid.ptr, kid.len);
	}
	if (opts->detached)
		tk_cbor_put_null(&enc);
	else
		tk_cbor_put_bstr(&enc, payload, payload_len);
	tk_cbor_put_bstr(&enc, tag, sizeof(tag));
	return tk_cbor_enc_finish(&enc, out_len);
}

/* alg must be HMAC 256/256 and allowed by opts. */
static tk_err check_mac_alg(const struct tk_cose_hdr *hdr,
			    const struct tk_cose_verify_opts *opts, struct tk_diag *diag)
{
	bool allowed = opts->allowed_algs == NULL;

	if (!hdr->h.has_alg)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "alg header parameter missing");
	if (hdr->alg_is_text)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "alg given as text");
	if (hdr->h.alg != TK_COSE_ALG_HMAC_256_256)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "MAC alg %" PRId64 ", expected 5 (HMAC 256/256)", hdr->h.alg);
	for (size_t i = 0; !allowed && i < opts->n_allowed_algs; i++)
		allowed = opts->allowed_algs[i] == hdr->h.alg;
	if (!allowed)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "alg 5 not allowed here");
	return TK_OK;
}

/* MAC with a key the caller passed, for tk_cose_mac0_verify(). */
struct key_mac {
	const struct tk_crypto *c;
	const uint8_t *key;
	size_t key_len;
};

static tk_err mac_with_key(void *ctx, struct tk_span kid, const struct tk_span *parts,
			   size_t n_parts, uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
			   struct tk_diag *diag)
{
	const struct key_mac *k = ctx;

	(void)kid;
	return tk_crypto_hmac_sha256(k->c, k->key, k->key_len, parts, n_parts, out, diag);
}

tk_err tk_cose_mac0_verify_hook(const struct tk_cose_mac_hook *hook, const uint8_t *msg,
				size_t msg_len, const struct tk_cose_verify_opts *opts,
				struct tk_cose_verified *out, struct tk_diag *diag)
{
	struct tk_cose_hdr hdr;
	struct tk_cose_tbs tbs;
	struct tk_span payload = TK_SPAN_EMPTY;
	struct tk_span tag = TK_SPAN_EMPTY;
	uint8_t expected[TK_CRYPTO_HMAC_SHA256_LEN];
	tk_err err;

	if (out == NULL || opts == NULL || msg == NULL || hook == NULL ||
	    hook->hmac_sha256 == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Mac0 verify");
	memset(out, 0, sizeof(*out));
	memset(&hdr, 0, sizeof(hdr));
	memset(expected, 0, sizeof(expected));

	err = tk_cose_check_verify_opts(opts, diag);
	if (err == TK_OK)
		err = tk_cose_decode_single(msg, msg_len, opts, TK_COSE_TAG_MAC0,
					    "COSE_Mac0", &hdr, &payload, &tag, diag);
	if (err == TK_OK)
		err = check_mac_alg(&hdr, opts, diag);
	if (err == TK_OK)
		err = tk_cose_build_tbs(&tbs, "MAC0", hdr.h.protected_raw, false,
					TK_SPAN_EMPTY, opts->external_aad, payload, diag);
	if (err == TK_OK)
		err = hook->hmac_sha256(hook->ctx, hdr.h.kid, tbs.parts, tbs.n_parts, expected,
					diag);
	if (err == TK_OK && (tag.len != sizeof(expected) ||
			     !tk_ct_equal(tag.ptr, expected, sizeof(expected))))
		err = TK_FAIL(diag, TK_ERR_SIGNATURE, "COSE_Mac0 tag does not verify");
	tk_wipe(expected, sizeof(expected));
	if (err != TK_OK)
		return err;

	out->payload = payload;
	out->body = hdr.h;
	out->signer = hdr.h;
	return TK_OK;
}

tk_err tk_cose_mac0_verify(const struct tk_crypto *c, const uint8_t *key,
			   size_t key_len, const uint8_t *msg, size_t msg_len,
			   const struct tk_cose_verify_opts *opts,
			   struct tk_cose_verified *out, struct tk_diag *diag)
{
	struct key_mac k = {c, key, key_len};
	struct tk_cose_mac_hook hook = {mac_with_key, &k};

	return tk_cose_mac0_verify_hook(&hook, msg, msg_len, opts, out, diag);
}
