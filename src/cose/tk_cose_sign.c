/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Sign1 and COSE_Sign (RFC 9052 section 4): create with one or
 * several keys, and verify against a caller's set of trusted keys.
 *
 * Verification decodes the whole message first (structure, headers of the
 * body and of every signer) and only then computes signatures, so a
 * malformed message is rejected before any key is used. The to-be-signed
 * structure references the protected headers, AAD and payload in place,
 * so nothing is copied or allocated here.
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

/* Largest protected header we write: {1: alg, 3: content type}. */
#define PROTECTED_MAX 16

/* One COSE_Signature of a COSE_Sign being verified. */
struct signer_entry {
	struct tk_cose_hdr hdr;
	struct tk_span sig;
	tk_err err;          /* TK_OK, or why this signer cannot be used */
	struct tk_diag diag; /* detail of err */
};

/* A signer resolved for creation: algorithm, kid and protected header. */
struct signer_plan {
	enum tk_crypto_sig_alg sig_alg;
	uint8_t kid_buf[TK_CRYPTO_SHA256_LEN];
	struct tk_span kid;
	uint8_t prot[PROTECTED_MAX];
	size_t prot_len;
	uint8_t sig[TK_CRYPTO_SIG_MAX];
	size_t sig_len;
};

static const struct tk_cose_sign_opts default_sign_opts;

/*
 * COSE_Sign1 = [Headers, payload: bstr / nil, signature: bstr]; COSE_Mac0
 * has the same shape with the tag in place of the signature.
 */
tk_err tk_cose_decode_single(const uint8_t *msg, size_t msg_len,
			     const struct tk_cose_verify_opts *opts, uint64_t tag,
			     const char *what, struct tk_cose_hdr *hdr,
			     struct tk_span *payload, struct tk_span *last,
			     struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span prot = TK_SPAN_EMPTY;
	uint64_t count = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cose_read_tag(&dec, opts->tag_mode, tag, what);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count != 4)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "%s array of %" PRIu64 " items, expected 4",
				       what, count);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &prot);
	if (err == TK_OK)
		err = tk_cose_parse_protected(prot, hdr, diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(&dec, hdr);
	if (err == TK_OK)
		err = tk_cose_read_payload(&dec, opts, payload);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, last);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

tk_err tk_cose_sign1_verify(const struct tk_crypto *c, const uint8_t *msg,
			    size_t msg_len, const struct tk_cose_verify_opts *opts,
			    struct tk_cose_verified *out, struct tk_diag *diag)
{
	struct tk_cose_hdr hdr;
	struct tk_cose_tbs tbs;
	struct tk_span payload = TK_SPAN_EMPTY;
	struct tk_span sig = TK_SPAN_EMPTY;
	enum tk_crypto_sig_alg sig_alg;
	size_t key_index = 0;
	tk_err err;

	(void)c; /* trusted keys carry their provider */
	if (out == NULL || opts == NULL || msg == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Sign1 verify");
	memset(out, 0, sizeof(*out));
	memset(&hdr, 0, sizeof(hdr));

	err = tk_cose_check_verify_opts(opts, diag);
	if (err == TK_OK)
		err = tk_cose_decode_single(msg, msg_len, opts, TK_COSE_TAG_SIGN1,
					    "COSE_Sign1", &hdr, &payload, &sig, diag);
	if (err == TK_OK)
		err = tk_cose_check_sig_alg(&hdr, opts, &sig_alg, diag);
	if (err == TK_OK)
		err = tk_cose_build_tbs(&tbs, "Signature1", hdr.h.protected_raw, false,
					TK_SPAN_EMPTY, opts->external_aad, payload, diag);
	if (err == TK_OK)
		err = tk_cose_verify_with_keys(&tbs, sig_alg, hdr.h.kid, sig, opts,
					       &key_index, diag);
	if (err != TK_OK)
		return err;

	out->payload = payload;
	out->body = hdr.h;
	out->signer = hdr.h;
	out->signer_index = 0;
	out->key_index = key_index;
	return TK_OK;
}

/* Parse one COSE_Signature = [Headers, signature: bstr] into entry. */
static tk_err decode_signer(struct tk_cbor_dec *dec, struct signer_entry *entry)
{
	struct tk_span prot = TK_SPAN_EMPTY;
	uint64_t count = 0;
	tk_err err;

	memset(entry, 0, sizeof(*entry));
	tk_diag_clear(&entry->diag);
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count != 3)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE_Signature array of %" PRIu64
				       " items, expected 3", count);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &prot);

	/* A signer whose protected header we cannot use is skipped, not fatal. */
	if (err == TK_OK)
		entry->err = tk_cose_parse_protected(prot, &entry->hdr, &entry->diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(dec, &entry->hdr);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &entry->sig);
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	return err;
}

/*
 * COSE_Sign = [Headers, payload: bstr / nil, signatures: [+ COSE_Signature]]
 * Decode everything into body, payload and signers[0..*n_signers).
 */
static tk_err decode_sign(const uint8_t *msg, size_t msg_len,
			  const struct tk_cose_verify_opts *opts,
			  struct tk_cose_hdr *body, struct tk_span *payload,
			  struct signer_entry *signers, size_t *n_signers,
			  struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span prot = TK_SPAN_EMPTY;
	uint64_t count = 0;
	tk_err err;

	*n_signers = 0;
	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cose_read_tag(&dec, opts->tag_mode, TK_COSE_TAG_SIGN, "COSE_Sign");
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count != 4)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE_Sign array of %" PRIu64 " items, expected 4",
				       count);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &prot);
	if (err == TK_OK)
		err = tk_cose_parse_protected(prot, body, diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(&dec, body);
	if (err == TK_OK)
		err = tk_cose_read_payload(&dec, opts, payload);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH, "COSE_Sign has no signers");
	if (err == TK_OK && count > TK_COSE_MAX_SIGNERS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT,
				       "COSE_Sign has %" PRIu64 " signers, limit %d",
				       count, TK_COSE_MAX_SIGNERS);
	while (err == TK_OK && tk_cbor_more(&dec) && *n_signers < TK_COSE_MAX_SIGNERS) {
		err = decode_signer(&dec, &signers[*n_signers]);
		if (err == TK_OK)
			(*n_signers)++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

/*
 * True for a failure that makes one signer unusable but lets the others be
 * tried; anything else (a provider failure) stops verification.
 */
static bool signer_failure(tk_err err)
{
	return err == TK_ERR_SIGNATURE || err == TK_ERR_UNTRUSTED ||
	       err == TK_ERR_ALG_UNSUPPORTED || err == TK_ERR_CRIT ||
	       (err >= TK_ERR_CBOR_TRUNCATED && err < TK_ERR_LIMIT_DEPTH);
}

/* Rank of a signer failure: the highest ranked one is reported. */
static int failure_rank(tk_err err)
{
	switch (err) {
	case TK_ERR_SIGNATURE:
		return 4;
	case TK_ERR_UNTRUSTED:
		return 2;
	case TK_ERR_ALG_UNSUPPORTED:
		return 1;
	default:
		return 3; /* TK_ERR_CRIT and malformed signer headers */
	}
}

static void copy_diag(struct tk_diag *diag, const struct tk_diag *from)
{
	if (diag != NULL && diag->code == TK_OK)
		*diag = *from;
}

/* Try one decoded signer; TK_OK with *key_index when it verifies. */
static tk_err try_signer(struct signer_entry *entry, struct tk_span body_prot,
			 struct tk_span payload, const struct tk_cose_verify_opts *opts,
			 size_t *key_index)
{
	struct tk_cose_tbs tbs;
	enum tk_crypto_sig_alg sig_alg;
	tk_err err = entry->err;

	if (err == TK_OK)
		err = tk_cose_check_sig_alg(&entry->hdr, opts, &sig_alg, &entry->diag);
	if (err == TK_OK)
		err = tk_cose_build_tbs(&tbs, "Signature", body_prot, true,
					entry->hdr.h.protected_raw, opts->external_aad,
					payload, &entry->diag);
	if (err == TK_OK)
		err = tk_cose_verify_with_keys(&tbs, sig_alg, entry->hdr.h.kid, entry->sig,
					       opts, key_index, &entry->diag);
	entry->err = err;
	return err;
}

tk_err tk_cose_sign_verify(const struct tk_crypto *c, const uint8_t *msg,
			   size_t msg_len, const struct tk_cose_verify_opts *opts,
			   struct tk_cose_verified *out, struct tk_diag *diag)
{
	struct signer_entry signers[TK_COSE_MAX_SIGNERS];
	struct tk_cose_hdr body;
	struct tk_span payload = TK_SPAN_EMPTY;
	size_t n_signers = 0;
	size_t worst = 0;
	size_t key_index = 0;
	tk_err err;

	(void)c; /* trusted keys carry their provider */
	if (out == NULL || opts == NULL || msg == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Sign verify");
	memset(out, 0, sizeof(*out));
	memset(&body, 0, sizeof(body));

	err = tk_cose_check_verify_opts(opts, diag);
	if (err == TK_OK)
		err = decode_sign(msg, msg_len, opts, &body, &payload, signers,
				  &n_signers, diag);
	if (err != TK_OK)
		return err;

	for (size_t i = 0; i < n_signers; i++) {
		err = try_signer(&signers[i], body.h.protected_raw, payload, opts,
				 &key_index);
		if (err == TK_OK) {
			out->payload = payload;
			out->body = body.h;
			out->signer = signers[i].hdr.h;
			out->signer_index = i;
			out->key_index = key_index;
			return TK_OK;
		}
		if (!signer_failure(err)) {
			copy_diag(diag, &signers[i].diag);
			return err;
		}
		if (failure_rank(err) > failure_rank(signers[worst].err))
			worst = i;
	}

	/* No signer verified (decode_sign ensures there is one at least). */
	copy_diag(diag, &signers[worst].diag);
	return signers[worst].err;
}

/* Check a signer for creation and work out its kid and protected header. */
static tk_err plan_signer(const struct tk_crypto *c, const struct tk_cose_signer *signer,
			  bool has_content_type, uint64_t content_type,
			  struct signer_plan *plan, struct tk_diag *diag)
{
	enum tk_crypto_key_type type;
	tk_err err;

	memset(plan, 0, sizeof(*plan));
	if (signer == NULL || signer->key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "signer or its key is NULL");
	if (!tk_crypto_key_has_private(signer->key))
		return TK_FAIL(diag, TK_ERR_KEY, "signer key has no private part");

	/* We sign with the fully specified algorithms (RFC 9864), and with
	 * ES256 for SUIT receivers that know only the algorithm of
	 * draft-ietf-suit-manifest-37's examples. */
	if (signer->alg != TK_COSE_ALG_ESP256 && signer->alg != TK_COSE_ALG_ED25519 &&
	    signer->alg != TK_COSE_ALG_ES256)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "alg %" PRId64 " for signing, expected -9, -19 or -7",
			       signer->alg);
	plan->sig_alg = tk_cose_sig_alg(signer->alg);
	type = tk_crypto_key_type(signer->key);
	if (tk_cose_key_type_for(plan->sig_alg) != type)
		return TK_FAIL(diag, TK_ERR_KEY, "alg %" PRId64 " does not fit key type %d",
			       signer->alg, (int)type);

	if (signer->kid_thumbprint) {
		err = tk_cose_key_thumbprint_crypto(c, signer->key, plan->kid_buf, diag);
		if (err != TK_OK)
			return err;
		plan->kid = tk_span_make(plan->kid_buf, sizeof(plan->kid_buf));
	} else {
		if (signer->kid.len > TK_COSE_KID_MAX ||
		    (signer->kid.ptr == NULL && signer->kid.len != 0))
			return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
				       "kid of %zu bytes, limit %d", signer->kid.len,
				       TK_COSE_KID_MAX);
		plan->kid = signer->kid;
	}
	return tk_cose_encode_protected(signer->alg, has_content_type, content_type,
					plan->prot, sizeof(plan->prot), &plan->prot_len,
					diag);
}

/* Sign tbs with the planned signer. */
static tk_err sign_tbs(const struct tk_cose_signer *signer, const struct tk_cose_tbs *tbs,
		       struct signer_plan *plan, struct tk_diag *diag)
{
	return tk_crypto_sign(signer->key, plan->sig_alg, tbs->parts, tbs->n_parts,
			      plan->sig, &plan->sig_len, diag);
}

/* unprotected = {4: kid} or {} */
static void put_unprotected(struct tk_cbor_enc *enc, struct tk_span kid)
{
	tk_cbor_put_map(enc, kid.len > 0 ? 1 : 0);
	if (kid.len > 0) {
		tk_cbor_put_uint(enc, TK_COSE_HDR_KID);
		tk_cbor_put_bstr(enc, kid.ptr, kid.len);
	}
}

static void put_payload(struct tk_cbor_enc *enc, const struct tk_cose_sign_opts *opts,
			const uint8_t *payload, size_t payload_len)
{
	if (opts->detached)
		tk_cbor_put_null(enc);
	else
		tk_cbor_put_bstr(enc, payload, payload_len);
}

static tk_err check_create_args(const uint8_t *payload, size_t payload_len,
				const struct tk_cose_sign_opts *opts, size_t *out_len,
				struct tk_diag *diag)
{
	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "out_len is NULL");
	*out_len = 0;
	if (payload == NULL && payload_len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "payload is NULL with length %zu",
			       payload_len);
	if (opts->external_aad.ptr == NULL && opts->external_aad.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "external AAD is NULL");
	return TK_OK;
}

tk_err tk_cose_sign1_create(const struct tk_crypto *c,
			    const struct tk_cose_signer *signer,
			    const uint8_t *payload, size_t payload_len,
			    const struct tk_cose_sign_opts *opts,
			    uint8_t *out, size_t out_cap, size_t *out_len,
			    struct tk_diag *diag)
{
	struct signer_plan plan;
	struct tk_cose_tbs tbs;
	struct tk_cbor_enc enc;
	tk_err err;

	if (opts == NULL)
		opts = &default_sign_opts;
	err = check_create_args(payload, payload_len, opts, out_len, diag);
	if (err == TK_OK)
		err = plan_signer(c, signer, opts->has_content_type, opts->content_type,
				  &plan, diag);
	if (err == TK_OK)
		err = tk_cose_build_tbs(&tbs, "Signature1",
					tk_span_make(plan.prot, plan.prot_len), false,
					TK_SPAN_EMPTY, opts->external_aad,
					tk_span_make(payload, payload_len), diag);
	if (err == TK_OK)
		err = sign_tbs(signer, &tbs, &plan, diag);
	if (err != TK_OK)
		return err;

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	if (opts->tagged)
		tk_cbor_put_tag(&enc, TK_COSE_TAG_SIGN1);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_bstr(&enc, plan.prot, plan.prot_len);
	put_unprotected(&enc, plan.kid);
	put_payload(&enc, opts, payload, payload_len);
	tk_cbor_put_bstr(&enc, plan.sig, plan.sig_len);
	return tk_cbor_enc_finish(&enc, out_len);
}

/* Body protected header of a COSE_Sign: empty, or {3: content type}. */
static tk_err encode_body_protected(const struct tk_cose_sign_opts *opts,
				    uint8_t *out, size_t out_cap, size_t *out_len,
				    struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	*out_len = 0;
	if (!opts->has_content_type)
		return TK_OK;
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, 1);
	tk_cbor_put_uint(&enc, TK_COSE_HDR_CONTENT_TYPE);
	tk_cbor_put_uint(&enc, opts->content_type);
	return tk_cbor_enc_finish(&enc, out_len);
}

tk_err tk_cose_sign_create(const struct tk_crypto *c,
			   const struct tk_cose_signer *signers, size_t n_signers,
			   const uint8_t *payload, size_t payload_len,
			   const struct tk_cose_sign_opts *opts,
			   uint8_t *out, size_t out_cap, size_t *out_len,
			   struct tk_diag *diag)
{
	struct signer_plan plans[TK_COSE_MAX_SIGNERS];
	uint8_t body_prot[PROTECTED_MAX];
	size_t body_prot_len = 0;
	struct tk_cose_tbs tbs;
	struct tk_cbor_enc enc;
	tk_err err;

	if (opts == NULL)
		opts = &default_sign_opts;
	err = check_create_args(payload, payload_len, opts, out_len, diag);
	if (err != TK_OK)
		return err;
	if (signers == NULL || n_signers == 0 || n_signers > TK_COSE_MAX_SIGNERS)
		return TK_FAIL(diag, n_signers > TK_COSE_MAX_SIGNERS ? TK_ERR_LIMIT_COUNT
								     : TK_ERR_ARG,
			       "%zu signers, expected 1 to %d", n_signers,
			       TK_COSE_MAX_SIGNERS);
	err = encode_body_protected(opts, body_prot, sizeof(body_prot), &body_prot_len,
				    diag);

	/* Content type belongs to the body, so signers carry only alg. */
	for (size_t i = 0; err == TK_OK && i < n_signers; i++) {
		err = plan_signer(c, &signers[i], false, 0, &plans[i], diag);
		if (err == TK_OK)
			err = tk_cose_build_tbs(&tbs, "Signature",
						tk_span_make(body_prot, body_prot_len), true,
						tk_span_make(plans[i].prot, plans[i].prot_len),
						opts->external_aad,
						tk_span_make(payload, payload_len), diag);
		if (err == TK_OK)
			err = sign_tbs(&signers[i], &tbs, &plans[i], diag);
	}
	if (err != TK_OK)
		return err;

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	if (opts->tagged)
		tk_cbor_put_tag(&enc, TK_COSE_TAG_SIGN);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_bstr(&enc, body_prot, body_prot_len);
	tk_cbor_put_map(&enc, 0);
	put_payload(&enc, opts, payload, payload_len);
	tk_cbor_put_array(&enc, n_signers);
	for (size_t i = 0; i < n_signers; i++) {
		tk_cbor_put_array(&enc, 3);
		tk_cbor_put_bstr(&enc, plans[i].prot, plans[i].prot_len);
		put_unprotected(&enc, plans[i].kid);
		tk_cbor_put_bstr(&enc, plans[i].sig, plans[i].sig_len);
	}
	return tk_cbor_enc_finish(&enc, out_len);
}

/* Headers of one layer without verification, for tk_cose_peek(). */
static tk_err peek_headers(struct tk_cbor_dec *dec, struct tk_cose_headers *out,
			   struct tk_diag *diag)
{
	struct tk_cose_hdr hdr;
	struct tk_span prot = TK_SPAN_EMPTY;
	tk_err err;

	memset(&hdr, 0, sizeof(hdr));
	err = tk_cbor_get_bstr(dec, &prot);
	if (err == TK_OK)
		err = tk_cose_parse_protected(prot, &hdr, diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(dec, &hdr);
	if (err == TK_OK && out != NULL)
		*out = hdr.h;
	return err;
}

tk_err tk_cose_peek(const uint8_t *msg, size_t msg_len, struct tk_cose_headers *body,
		    struct tk_cose_headers *signer, struct tk_span *payload,
		    struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span found = TK_SPAN_EMPTY;
	uint64_t count = 0;
	uint64_t tag = 0;
	tk_err err;

	if (body != NULL)
		memset(body, 0, sizeof(*body));
	if (signer != NULL)
		memset(signer, 0, sizeof(*signer));
	if (payload != NULL)
		*payload = TK_SPAN_EMPTY;

	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_TAG) {
		err = tk_cbor_get_tag(&dec, &tag);
		if (err == TK_OK && tag != TK_COSE_TAG_SIGN1 && tag != TK_COSE_TAG_SIGN &&
		    tag != TK_COSE_TAG_MAC0)
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TAG,
					       "tag %" PRIu64 " is not a COSE signature or MAC",
					       tag);
	}
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count != 4)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE array of %" PRIu64 " items, expected 4", count);
	if (err == TK_OK)
		err = peek_headers(&dec, body, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_NULL)
		err = tk_cbor_get_null(&dec);
	else if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &found);

	/* COSE_Sign ends with the signers array, Sign1 and Mac0 with a bstr. */
	if (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_ARRAY) {
		err = tk_cbor_enter_array(&dec, &count);
		if (err == TK_OK && count == 0)
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
					       "COSE_Sign has no signers");
		if (err == TK_OK)
			err = tk_cbor_enter_array(&dec, &count);
		if (err == TK_OK)
			err = peek_headers(&dec, signer, diag);
	} else if (err == TK_OK) {
		err = tk_cbor_skip(&dec);
		if (err == TK_OK && signer != NULL && body != NULL)
			*signer = *body;
	}
	if (err == TK_OK && payload != NULL)
		*payload = found;
	if (err != TK_OK) {
		if (body != NULL)
			memset(body, 0, sizeof(*body));
		if (signer != NULL)
			memset(signer, 0, sizeof(*signer));
	}
	return err;
}
