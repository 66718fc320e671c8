/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AK enrollment by credential activation (protocol in tk_verifier_ak.h)
 * and the appraisal check that ties an AK enrolled this way to its EK
 * certificate. The secret exists in memory only while the credential is
 * made, and the store keeps only its SHA-256.
 */
#include "verifier/tk_verifier_ak.h"

#include <string.h>

#include "cose/tk_cose.h"
#include "verifier/tk_verifier_impl.h"

/* AR4SI values used here (draft-ietf-rats-ar4si, "Trustworthiness Claims"). */
enum {
	AR_CONTRAINDICATED = 96,
};

/* Check ek_cert against the trusted EK CAs of the store. */
static tk_err check_ek(struct tk_verifier *v, int64_t now, struct tk_span ek_cert,
		       struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_ek_ca cas[TK_CRYPTO_X509_MAX_CHAIN];
	struct tk_span trusted[TK_CRYPTO_X509_MAX_CHAIN];
	struct tk_diag local;
	size_t n = 0;
	tk_err err = TK_OK;

	if (st->ek_ca_get == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no ek_ca_get hook");
	tk_diag_clear(&local);
	while (n < TK_CRYPTO_X509_MAX_CHAIN &&
	       (err = st->ek_ca_get(st->ctx, n, &cas[n], &local)) == TK_OK) {
		trusted[n] = tk_span_make(cas[n].der, cas[n].der_len);
		n++;
	}
	if (err != TK_OK && err != TK_ERR_NOT_FOUND)
		return TK_FAIL(diag, err, "%s", local.msg);
	if (n == 0)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "no trusted EK CA is configured");
	return tk_crypto_x509_verify_chain(v->cfg.crypto, &ek_cert, 1, trusted, n, now, NULL,
					   diag);
}

/* The AK's name, COSE_Key and kid from its TPMT_PUBLIC. */
static tk_err describe_ak(struct tk_verifier *v, struct tk_span ak_public,
			  struct tk_verifier_ak_pending *p, struct tk_diag *diag)
{
	const struct tk_crypto *c = v->cfg.crypto;
	struct tk_crypto_key *key = NULL;
	struct tk_eat_tpm_ak ak;
	tk_err err;

	err = tk_eat_tpm_ak_parse(c, ak_public.ptr, ak_public.len, &ak, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, ak.x, sizeof(ak.x), ak.y,
						  sizeof(ak.y), &key, diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(c, key, p->key.kid, diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(key, TK_SPAN_EMPTY, tk_cose_alg_for_key(key),
						p->key.cose_key, sizeof(p->key.cose_key),
						&p->key.cose_key_len, diag);
	tk_crypto_key_free(key);
	if (err == TK_OK)
		memcpy(p->ak_name, ak.name, sizeof(p->ak_name));
	return err;
}

/* Draw the id and the secret, and make the credential for the AK's name. */
static tk_err make_challenge(struct tk_verifier *v, struct tk_span ek_cert,
			     struct tk_verifier_ak_pending *p,
			     struct tk_verifier_ak_challenge *out, struct tk_diag *diag)
{
	const struct tk_crypto *c = v->cfg.crypto;
	uint8_t secret[TK_VERIFIER_AK_SECRET_LEN];
	tk_err err;

	err = tk_crypto_random(c, p->id, sizeof(p->id), diag);
	if (err == TK_OK)
		err = tk_crypto_random(c, secret, sizeof(secret), diag);
	if (err == TK_OK)
		err = tk_crypto_sha256(c, secret, sizeof(secret), p->secret_digest, diag);
	if (err == TK_OK)
		err = tk_eat_tpm_make_credential(c, ek_cert,
						 tk_span_make(p->ak_name, sizeof(p->ak_name)),
						 tk_span_make(secret, sizeof(secret)),
						 &out->credential, diag);
	tk_wipe(secret, sizeof(secret));
	return err;
}

tk_err tk_verifier_ak_enroll_begin(struct tk_verifier *v, int64_t now, struct tk_span ek_cert,
				   struct tk_span ak_public, struct tk_span ueid,
				   struct tk_verifier_ak_challenge *out, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_ak_pending p;
	size_t max = v->cfg.max_sessions != 0 ? v->cfg.max_sessions
					      : TK_VERIFIER_DEFAULT_MAX_SESSIONS;
	tk_err err;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (ueid.len == 0 || ueid.len > sizeof(p.key.ueid) || ek_cert.len == 0 ||
	    ek_cert.len > TK_VERIFIER_CERT_MAX)
		return TK_FAIL(diag, TK_ERR_ARG, "UEID of %zu bytes (1 to %d) or EK certificate "
			       "of %zu bytes (1 to %d)", ueid.len, TK_VERIFIER_UEID_MAX,
			       ek_cert.len, TK_VERIFIER_CERT_MAX);
	if (st->ak_pending_add == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no ak_pending_add hook");

	err = check_ek(v, now, ek_cert, diag);
	if (err == TK_OK)
		err = describe_ak(v, ak_public, &p, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256(v->cfg.crypto, ek_cert.ptr, ek_cert.len, p.ek_cert_digest,
				       diag);
	if (err == TK_OK)
		err = make_challenge(v, ek_cert, &p, out, diag);
	if (err == TK_OK) {
		memcpy(p.key.ueid, ueid.ptr, ueid.len);
		p.key.ueid_len = ueid.len;
		p.expires_at = now + TK_VERIFIER_AK_LIFETIME;
		err = st->ak_pending_add(st->ctx, &p, now, max, diag);
	}
	if (err != TK_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	memcpy(out->id, p.id, sizeof(out->id));
	out->expires_at = p.expires_at;
	return TK_OK;
}

tk_err tk_verifier_ak_enroll_finish(struct tk_verifier *v, int64_t now,
				    const uint8_t id[TK_VERIFIER_AK_ID_LEN], struct tk_span secret,
				    struct tk_verifier_ak_pending *out, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_ak_pending p;
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	tk_err err;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (st->ak_pending_take == NULL || st->ak_enroll == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no AK enrollment hooks");

	/* Taken first: a wrong secret uses the enrollment up, so none can be guessed. */
	err = st->ak_pending_take(st->ctx, id, now, &p, diag);
	if (err != TK_OK)
		return err;
	if (secret.len != TK_VERIFIER_AK_SECRET_LEN || secret.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_SIGNATURE, "secret of %zu bytes, expected %d",
			       secret.len, TK_VERIFIER_AK_SECRET_LEN);
	err = tk_crypto_sha256(v->cfg.crypto, secret.ptr, secret.len, digest, diag);
	if (err == TK_OK && !tk_ct_equal(digest, p.secret_digest, sizeof(digest)))
		err = TK_FAIL(diag, TK_ERR_SIGNATURE, "the secret does not match the credential: "
			      "the AK is not in the TPM of that EK");
	if (err == TK_OK)
		err = st->ak_enroll(st->ctx, &p, now, diag);
	if (err == TK_OK && out != NULL)
		*out = p;
	return err;
}

tk_err tk_verifier_check_ak_binding(struct tk_verifier *v, const struct tk_eat_tpm_claim *tpm,
				    const uint8_t ak_kid[TK_VERIFIER_KID_LEN],
				    struct tk_verifier_appraisal *a, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	uint8_t bound[TK_CRYPTO_SHA256_LEN], digest[TK_CRYPTO_SHA256_LEN];
	struct tk_diag local;
	tk_err err;

	if (st->ak_binding_get == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no ak_binding_get hook");
	tk_diag_clear(&local);
	err = st->ak_binding_get(st->ctx, tk_span_make(ak_kid, TK_VERIFIER_KID_LEN), bound,
				 &local);
	/* An AK an administrator enrolled has no binding: nothing to compare. */
	if (err == TK_ERR_NOT_FOUND)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);

	if (tpm->ek_chain_count > 0)
		err = tk_crypto_sha256(v->cfg.crypto, tpm->ek_chain[0].ptr, tpm->ek_chain[0].len,
				       digest, diag);
	if (err != TK_OK)
		return err;
	if (tpm->ek_chain_count == 0 || !tk_ct_equal(digest, bound, sizeof(digest)))
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CONTRAINDICATED,
				      "the AK was enrolled by credential activation with another "
				      "EK certificate than the evidence carries");
	return TK_OK;
}
