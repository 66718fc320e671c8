/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing and verification of TEEP evidence (an EAT in a CWT), and the
 * SUIT_Reference bodies of the manifests claim. Verification checks the
 * size before anything else and the signature before any claim is read.
 */
#include "eat/tk_eat.h"

#include <string.h>

/* Allowed signature algorithms: the TEEP cipher suites and their older names. */
static const int64_t allowed_algs[] = {
	TK_COSE_ALG_ESP256,
	TK_COSE_ALG_ED25519,
	TK_COSE_ALG_ES256,
	TK_COSE_ALG_EDDSA,
};

tk_err tk_eat_sign(const struct tk_crypto *c, const struct tk_crypto_key *key,
		   const struct tk_eat_claims *claims, uint8_t *out,
		   size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	uint8_t payload[TK_EAT_MAX_SIZE];
	struct tk_eat_claims signed_claims;
	struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_cose_signer signer = {.key = key, .kid_thumbprint = true};
	size_t payload_len = 0;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (claims == NULL || key == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "claims, key or output is NULL");

	signer.alg = tk_cose_alg_for_key(key);
	if (signer.alg == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "key type cannot sign evidence");
	err = tk_cose_key_thumbprint_crypto(c, key, kid, diag);
	if (err != TK_OK)
		return err;

	/* The profile and the binding to the TEEP signing key are ours to set. */
	signed_claims = *claims;
	signed_claims.present |= TK_EAT_HAS_PROFILE | TK_EAT_HAS_CNF;
	signed_claims.profile_is_oid = false;
	signed_claims.profile = tk_span_make(TK_EAT_TEEP_PROFILE,
					     strlen(TK_EAT_TEEP_PROFILE));
	if ((claims->present & TK_EAT_HAS_CNF) == 0 ||
	    (claims->cnf_kid.len == 0 && claims->cnf_key.len == 0))
		signed_claims.cnf_kid = tk_span_make(kid, sizeof(kid));

	err = tk_eat_check_teep_profile(&signed_claims, diag);
	if (err == TK_OK && (signed_claims.nonce.len < TK_EAT_NONCE_MIN ||
			     signed_claims.nonce.len > TK_EAT_NONCE_MAX))
		err = TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			      "eat_nonce of %zu bytes, expected %d to %d (a longer "
			      "TEEP challenge cannot be carried in an EAT)",
			      signed_claims.nonce.len, TK_EAT_NONCE_MIN,
			      TK_EAT_NONCE_MAX);
	if (err == TK_OK)
		err = tk_eat_encode_claims(&signed_claims, payload, sizeof(payload),
					   &payload_len, diag);
	if (err == TK_OK)
		err = tk_cose_sign1_create(c, &signer, payload, payload_len, &opts,
					   out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

/* Kid cnf must name: the caller's, or the thumbprint of the verifying key. */
static tk_err expected_cnf_kid(const struct tk_crypto *c,
			       const struct tk_eat_verify_opts *opts,
			       size_t key_index,
			       uint8_t kid[TK_CRYPTO_SHA256_LEN],
			       struct tk_span *out, struct tk_diag *diag)
{
	tk_err err;

	if (opts->cnf_kid.len > 0) {
		*out = opts->cnf_kid;
		return TK_OK;
	}
	err = tk_cose_key_thumbprint_crypto(c, opts->keys[key_index].key, kid,
					    diag);
	if (err == TK_OK)
		*out = tk_span_make(kid, TK_CRYPTO_SHA256_LEN);
	return err;
}

/* Check that cnf names `expected`, by kid or by the thumbprint of its key. */
static tk_err check_cnf(const struct tk_crypto *c,
			const struct tk_eat_claims *claims,
			struct tk_span expected, struct tk_diag *diag)
{
	uint8_t thumbprint[TK_CRYPTO_SHA256_LEN];
	struct tk_span named = claims->cnf_kid;
	struct tk_cose_key key;
	tk_err err;

	if (named.len == 0) {
		err = tk_cose_key_decode(claims->cnf_key.ptr, claims->cnf_key.len,
					 &key, diag);
		if (err == TK_OK)
			err = tk_cose_key_thumbprint(c, &key, thumbprint, diag);
		if (err != TK_OK)
			return err;
		named = tk_span_make(thumbprint, sizeof(thumbprint));
	}
	if (named.len != expected.len ||
	    !tk_ct_equal(named.ptr, expected.ptr, expected.len))
		return TK_FAIL(diag, TK_ERR_UNTRUSTED,
			       "claim cnf does not name the TEEP signing key");
	return TK_OK;
}

/* Verify the COSE_Sign1 around the claims, after an optional CWT tag. */
static tk_err verify_signature(const struct tk_crypto *c,
			       const uint8_t *evidence, size_t evidence_len,
			       const struct tk_eat_verify_opts *opts,
			       struct tk_cose_verified *verified,
			       struct tk_diag *diag)
{
	struct tk_cose_verify_opts cose = {
		.tag_mode = TK_COSE_TAG_OPTIONAL,
		.keys = opts->keys,
		.n_keys = opts->n_keys,
		.allowed_algs = allowed_algs,
		.n_allowed_algs = sizeof(allowed_algs) / sizeof(allowed_algs[0]),
	};

	/* Tag 61 in preferred serialization is the two bytes d8 3d. */
	if (evidence_len >= 2 && evidence[0] == 0xd8 && evidence[1] == TK_EAT_TAG_CWT) {
		evidence += 2;
		evidence_len -= 2;
	}
	return tk_cose_sign1_verify(c, evidence, evidence_len, &cose, verified,
				    diag);
}

tk_err tk_eat_verify(const struct tk_crypto *c, const uint8_t *evidence,
		     size_t evidence_len, const struct tk_eat_verify_opts *opts,
		     struct tk_eat_verified *out, struct tk_diag *diag)
{
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	struct tk_cose_verified verified;
	struct tk_span expected;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "verification output is NULL");
	memset(out, 0, sizeof(*out));
	if (opts == NULL || evidence == NULL || opts->keys == NULL ||
	    opts->n_keys == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "evidence or trusted keys missing");
	if (opts->nonce.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "expected nonce is empty");
	if (evidence_len > TK_EAT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "evidence is %zu bytes, maximum %u", evidence_len,
			       TK_EAT_MAX_SIZE);

	err = verify_signature(c, evidence, evidence_len, opts, &verified, diag);
	if (err == TK_OK)
		err = tk_eat_decode_claims(verified.payload.ptr,
					   verified.payload.len, &out->claims, diag);
	if (err == TK_OK)
		err = tk_eat_check_teep_profile(&out->claims, diag);

	/* Lengths are public; the bytes are compared in constant time. */
	if (err == TK_OK &&
	    (out->claims.nonce.len != opts->nonce.len ||
	     !tk_ct_equal(out->claims.nonce.ptr, opts->nonce.ptr, opts->nonce.len)))
		err = TK_FAIL(diag, TK_ERR_NONCE,
			      "claim eat_nonce does not match the challenge sent");
	if (err == TK_OK)
		err = expected_cnf_kid(c, opts, verified.key_index, kid, &expected,
				       diag);
	if (err == TK_OK)
		err = check_cnf(c, &out->claims, expected, diag);

	if (err != TK_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->key_index = verified.key_index;
	out->alg = verified.body.alg;
	return TK_OK;
}

tk_err tk_eat_encode_suit_reference(const struct tk_eat_suit_reference *ref,
				    uint8_t *out, size_t out_cap,
				    size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	if (out_len != NULL)
		*out_len = 0;
	if (ref == NULL || out_len == NULL || ref->digest.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "SUIT_Reference or its digest is missing");

	/* SUIT_Reference = [uri: tstr, SUIT_Digest = [alg: int, bytes]] */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_tstr(&enc, (const char *)ref->uri.ptr, ref->uri.len);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, ref->digest_alg);
	tk_cbor_put_bstr(&enc, ref->digest.ptr, ref->digest.len);
	return tk_cbor_enc_finish(&enc, out_len);
}

/* SUIT_Digest = [algorithm-id: int, digest-bytes: bstr] */
static tk_err decode_suit_digest(struct tk_cbor_dec *dec,
				 struct tk_eat_suit_reference *out)
{
	uint64_t count = 0;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"SUIT_Digest is not an array");
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count != 2)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "SUIT_Digest has %llu elements, expected 2",
				       (unsigned long long)count);
	if (err == TK_OK)
		err = tk_cbor_get_int(dec, &out->digest_alg);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &out->digest);
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* The TEEP draft example's form: {1: uri, 0: SUIT_Digest}. */
static tk_err decode_reference_map(struct tk_cbor_dec *dec,
				   struct tk_eat_suit_reference *out)
{
	bool have_uri = false, have_digest = false;
	uint64_t count = 0;
	tk_err err = tk_cbor_enter_map(dec, &count);

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key = 0;

		err = tk_cbor_get_uint(dec, &key);
		if (err == TK_OK && key == 0) {
			err = decode_suit_digest(dec, out);
			have_digest = true;
		} else if (err == TK_OK && key == 1) {
			err = tk_cbor_get_tstr(dec, &out->uri);
			have_uri = true;
		} else if (err == TK_OK) {
			err = tk_cbor_skip(dec);
		}
	}
	if (err == TK_OK && (!have_uri || !have_digest))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "SUIT_Reference lacks its %s",
				       have_uri ? "digest (key 0)" : "uri (key 1)");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

tk_err tk_eat_decode_suit_reference(const struct tk_eat_manifest *manifest,
				    struct tk_eat_suit_reference *out,
				    struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err;

	if (out == NULL || manifest == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest or output is NULL");
	memset(out, 0, sizeof(*out));

	err = tk_cbor_dec_init(&dec, manifest->body.ptr, manifest->body.len,
			       TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_MAP) {
		err = decode_reference_map(&dec, out);
	} else if (err == TK_OK) {
		if (tk_cbor_peek(&dec) != TK_CBOR_ARRAY)
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
					       "SUIT_Reference is not an array");
		if (err == TK_OK)
			err = tk_cbor_enter_array(&dec, &count);
		if (err == TK_OK && count != 2)
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
					       "SUIT_Reference has %llu elements, expected 2",
					       (unsigned long long)count);
		if (err == TK_OK)
			err = tk_cbor_get_tstr(&dec, &out->uri);
		if (err == TK_OK)
			err = decode_suit_digest(&dec, out);
		if (err == TK_OK)
			err = tk_cbor_leave(&dec);
	}
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_eat_encode_measured_component(const struct tk_eat_measured_component *mc,
					uint8_t *out, size_t out_cap, size_t *out_len,
					struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (mc == NULL || out_len == NULL || mc->digest.len == 0 ||
	    mc->component_id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG,
			       "measured component, its id or its digest is missing");
	err = tk_cbor_check(mc->component_id.ptr, mc->component_id.len,
			    TK_CBOR_STRICT, diag);
	if (err != TK_OK)
		return err;
	if ((mc->component_id.ptr[0] >> 5) != TK_CBOR_ARRAY)
		return TK_FAIL(diag, TK_ERR_ARG, "component id is not an array");

	/* teepkit-measurement = [component-id, SUIT_Digest, ? pcr: uint] */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_array(&enc, mc->has_pcr ? 3 : 2);
	tk_cbor_put_raw(&enc, mc->component_id.ptr, mc->component_id.len);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, mc->digest_alg);
	tk_cbor_put_bstr(&enc, mc->digest.ptr, mc->digest.len);
	if (mc->has_pcr)
		tk_cbor_put_uint(&enc, mc->pcr);
	return tk_cbor_enc_finish(&enc, out_len);
}

/* SUIT_Component_Identifier = [+ bstr], kept as its encoded bytes. */
static tk_err decode_component_id(struct tk_cbor_dec *dec, const uint8_t *buf,
				  struct tk_span *out)
{
	size_t start = tk_cbor_offset(dec);
	uint64_t count = 0;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"measured component id is not an array");
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "measured component id is empty");
	while (err == TK_OK && tk_cbor_more(dec)) {
		struct tk_span part;

		if (tk_cbor_peek(dec) != TK_CBOR_BSTR)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
						"measured component id part is not a "
						"byte string");
		err = tk_cbor_get_bstr(dec, &part);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	if (err == TK_OK)
		*out = tk_span_make(buf + start, tk_cbor_offset(dec) - start);
	return err;
}

tk_err tk_eat_decode_measured_component(const struct tk_eat_manifest *measurement,
					struct tk_eat_measured_component *out,
					struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err;

	if (out == NULL || measurement == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "measurement or output is NULL");
	memset(out, 0, sizeof(*out));
	if (!measurement->body_is_bstr)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE,
			       "measurements entry body is not a byte string");

	err = tk_cbor_dec_init(&dec, measurement->body.ptr, measurement->body.len,
			       TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_ARRAY)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "measured component is not an array");
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count != 2 && count != 3)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "measured component has %llu elements, expected 2 or 3",
				       (unsigned long long)count);
	if (err == TK_OK)
		err = decode_component_id(&dec, measurement->body.ptr, &out->component_id);
	if (err == TK_OK) {
		struct tk_eat_suit_reference digest = {0};

		err = decode_suit_digest(&dec, &digest);
		out->digest_alg = digest.digest_alg;
		out->digest = digest.digest;
	}
	if (err == TK_OK && count == 3) {
		out->has_pcr = true;
		err = tk_cbor_get_uint(&dec, &out->pcr);
	}
	if (err == TK_OK && out->has_pcr && out->pcr >= TK_EAT_TPM_MAX_PCRS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_VALUE,
				       "measured component: PCR index %llu, maximum %d",
				       (unsigned long long)out->pcr, TK_EAT_TPM_MAX_PCRS - 1);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}
