/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Appraisal of evidence from the TPM backend: the EAT carries a TPM quote
 * (tpm-quote claim) made by an attestation key (AK), the AK's public key
 * and the endorsement key (EK) certificate chain. The checks, in order:
 *
 *   1. the AK is enrolled for a UEID. An EK cannot sign, so nothing in the
 *      evidence itself proves that the AK lives in the TPM of that EK. The
 *      node enrolls the AK by credential activation (tk_verifier_ak.h), or
 *      the operator enrolls it (teep-verifier enroll-key) after making sure
 *      of it the same way. Not enrolled: instance-identity 97, and the
 *      result names the device (cnf, UEID) only when an enrolled TEEP key
 *      signed the evidence for its own UEID. An AK
 *      enrolled by activation must come with the EK certificate it was
 *      activated with (checked after step 5), else instance-identity 96.
 *   2. the evidence verifies with the TEEP key it names, taken from the
 *      enrolled keys or from its cnf COSE_Key: the quote below binds that
 *      key to the TPM. A bad signature: instance-identity 99. A caller
 *      that names another TEEP key (cnf_kid) than the signer: 96.
 *   3. the quote verifies with the AK, its qualifying data is
 *      SHA-256(eat_nonce || TEEP key thumbprint), and its PCR digest is
 *      that of the PCR values in the claim. Signature: 99; qualifying
 *      data: 96; PCR digest: executables 96.
 *   4. the measurements replay to the quoted PCR values (each event is
 *      SHA-256(component id || digest), extended as TPM2_PCR_Extend does).
 *      Otherwise executables 96.
 *   5. the EK certificate chains to a trusted EK CA: hardware 2, else 97.
 *   6. the UEID is the one the AK is enrolled for (2, else 96), and the
 *      measurements and manifests match reference values (executables).
 */
#include "verifier/tk_verifier_impl.h"

#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "eat/tk_eat_tpm.h"

/* AR4SI values used here (draft-ietf-rats-ar4si, "Trustworthiness Claims"). */
enum {
	AR_AFFIRMING = 2,
	AR_ISOLATED_MEMORY = 32,
	AR_CONTRAINDICATED = 96,
	AR_UNRECOGNIZED = 97,
	AR_CRYPTO_FAILED = 99,
};

/* Keys and values gathered while checking, released by tpm_state_free(). */
struct tpm_state {
	struct tk_crypto_key *ak;
	struct tk_crypto_key *teep_key;
	uint8_t ak_kid[TK_VERIFIER_KID_LEN];
	uint8_t teep_kid[TK_VERIFIER_KID_LEN];
	struct tk_verifier_attest_key ak_rec; /* the AK's enrollment */
};

static void tpm_state_free(struct tpm_state *s)
{
	tk_crypto_key_free(s->ak);
	tk_crypto_key_free(s->teep_key);
}

/* Import a COSE_Key and compute its thumbprint. Caller owns *key. */
static tk_err import_cose_key(const struct tk_crypto *c, struct tk_span encoded,
			      struct tk_crypto_key **key, uint8_t kid[TK_VERIFIER_KID_LEN],
			      struct tk_diag *diag)
{
	struct tk_cose_key ck;
	tk_err err;

	*key = NULL;
	err = tk_cose_key_decode(encoded.ptr, encoded.len, &ck, diag);
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(c, &ck, key, diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(c, *key, kid, diag);
	if (err != TK_OK) {
		tk_crypto_key_free(*key);
		*key = NULL;
	}
	return err;
}

/*
 * Step 1: the AK must be enrolled. *known is false (and the claim set)
 * when it is not.
 */
static tk_err find_ak(struct tk_verifier *v, const struct tk_eat_tpm_claim *tpm,
		      struct tpm_state *s, struct tk_verifier_appraisal *a, bool *known,
		      struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_diag local;
	tk_err err;

	*known = false;
	if (tpm->ak_key.len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "tpm-quote claim has no AK");
	err = import_cose_key(v->cfg.crypto, tpm->ak_key, &s->ak, s->ak_kid, diag);
	if (err != TK_OK)
		return err;
	if (st->key_get == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no key_get hook");
	tk_diag_clear(&local);
	err = st->key_get(st->ctx, tk_span_make(s->ak_kid, sizeof(s->ak_kid)), &s->ak_rec,
			  &local);
	if (err == TK_ERR_NOT_FOUND) {
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_UNRECOGNIZED,
				      "TPM attestation key is not enrolled");
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	*known = true;
	return TK_OK;
}

/*
 * Step 2: the TEEP key that signed the evidence, from the enrollments or
 * from the (unverified) cnf; the evidence must verify with it.
 */
static tk_err verify_teep_key(struct tk_verifier *v, const struct tk_verifier_request *req,
			      struct tk_span kid, const struct tk_eat_claims *peeked,
			      struct tpm_state *s, struct tk_verifier_appraisal *a,
			      bool *verified, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_attest_key rec;
	struct tk_cose_trusted_key trusted;
	struct tk_eat_verify_opts opts;
	struct tk_diag local;
	tk_err err;

	*verified = false;
	tk_diag_clear(&local);
	if (st->key_get(st->ctx, kid, &rec, &local) == TK_OK)
		err = import_cose_key(v->cfg.crypto, tk_span_make(rec.cose_key, rec.cose_key_len),
				      &s->teep_key, s->teep_kid, diag);
	else if (peeked->cnf_key.len > 0)
		err = import_cose_key(v->cfg.crypto, peeked->cnf_key, &s->teep_key, s->teep_kid,
				      diag);
	else
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "TPM evidence has neither an "
			      "enrolled TEEP key nor a cnf COSE_Key");
	if (err != TK_OK)
		return err;

	memset(&opts, 0, sizeof(opts));
	trusted.key = s->teep_key;
	trusted.kid = tk_span_make(s->teep_kid, sizeof(s->teep_kid));
	opts.keys = &trusted;
	opts.n_keys = 1;
	opts.nonce = a->nonce;
	opts.cnf_kid = req->cnf_kid;
	tk_diag_clear(&local);
	err = tk_eat_verify(v->cfg.crypto, req->evidence.ptr, req->evidence.len, &opts,
			    &a->verified, &local);
	if (err == TK_ERR_SIGNATURE || err == TK_ERR_ALG_UNSUPPORTED || err == TK_ERR_UNTRUSTED) {
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY,
				      err == TK_ERR_UNTRUSTED ? AR_CONTRAINDICATED
							      : AR_CRYPTO_FAILED,
				      "evidence does not verify with its TEEP key: %s", local.msg);
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);

	/* The quote binds the signer, so the TEEP key the caller names (the
	 * result's cnf) must be the signer too. */
	if (req->cnf_kid.len > 0 &&
	    !tk_span_equal(req->cnf_kid, tk_span_make(s->teep_kid, sizeof(s->teep_kid)))) {
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CONTRAINDICATED,
				      "evidence is signed by another key than the TEEP key "
				      "named, and the TPM quote binds only the signer");
		return TK_OK;
	}
	*verified = true;
	return TK_OK;
}

/*
 * Step 1, AK not enrolled: nothing vouches for the TPM. But when an
 * enrolled TEEP key signed the evidence for the UEID it is enrolled for,
 * the result names that device (cnf, UEID), so a relying party can record
 * the rejection. A cnf COSE_Key names no device, because without the AK
 * no quote binds it.
 */
static tk_err name_device(struct tk_verifier *v, const struct tk_verifier_request *req,
			  struct tk_span kid, struct tpm_state *s,
			  struct tk_verifier_appraisal *a, struct tk_diag *diag)
{
	const struct tk_eat_claims *claims = &a->verified.claims;
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_attest_key rec;
	struct tk_cose_trusted_key trusted;
	struct tk_eat_claims named;
	struct tk_eat_verify_opts opts;
	struct tk_diag local;

	tk_diag_clear(&local);
	if (st->key_get(st->ctx, kid, &rec, &local) != TK_OK ||
	    import_cose_key(v->cfg.crypto, tk_span_make(rec.cose_key, rec.cose_key_len),
			    &s->teep_key, s->teep_kid, &local) != TK_OK)
		return TK_OK;

	memset(&opts, 0, sizeof(opts));
	trusted.key = s->teep_key;
	trusted.kid = tk_span_make(s->teep_kid, sizeof(s->teep_kid));
	opts.keys = &trusted;
	opts.n_keys = 1;
	opts.nonce = a->nonce;
	opts.cnf_kid = req->cnf_kid;
	if (tk_eat_verify(v->cfg.crypto, req->evidence.ptr, req->evidence.len, &opts,
			  &a->verified, &local) != TK_OK ||
	    !tk_span_equal(claims->ueid, tk_span_make(rec.ueid, rec.ueid_len)))
		return TK_OK;

	/* The UEID alone: no other claim of this evidence was appraised. */
	tk_verifier_set_cnf(req, tk_span_make(s->teep_kid, sizeof(s->teep_kid)), a);
	memcpy(a->ueid, claims->ueid.ptr, claims->ueid.len);
	a->ueid_len = claims->ueid.len;
	named = *claims;
	named.present &= TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID;
	return tk_verifier_encode_teep_claims(&named, a, diag);
}

/*
 * Whether every measurement names a PCR the quote covers. A measurement
 * outside the quote is attested by nothing, so it must not reach the
 * reference-value match or the result's TEEP claims.
 */
static tk_err check_measurements_quoted(const struct tk_eat_claims *claims,
					struct tk_verifier_appraisal *a, bool *ok,
					struct tk_diag *diag)
{
	const struct tk_eat_tpm_claim *tpm = &claims->tpm;

	*ok = true;
	for (size_t i = 0; i < claims->measurement_count && *ok; i++) {
		struct tk_eat_measured_component mc;
		bool quoted = false;
		tk_err err;

		err = tk_eat_decode_measured_component(&claims->measurements[i], &mc, diag);
		if (err != TK_OK)
			return err;
		for (size_t p = 0; p < tpm->pcr_count && mc.has_pcr; p++)
			quoted = quoted || mc.pcr == tpm->pcrs[p].index;
		if (!quoted) {
			*ok = false;
			tk_verifier_set_claim(a, TK_VERIFIER_EXECUTABLES, AR_CONTRAINDICATED,
					      "measurement %zu names no PCR the quote covers", i);
		}
	}
	return TK_OK;
}

/* Step 4: replay the measurements of each quoted PCR and compare. */
static tk_err replay_measurements(struct tk_verifier *v, const struct tk_eat_claims *claims,
				  struct tk_verifier_appraisal *a, bool *ok, struct tk_diag *diag)
{
	const struct tk_eat_tpm_claim *tpm = &claims->tpm;
	uint8_t events[TK_EAT_MAX_MEASUREMENTS][TK_CRYPTO_SHA256_LEN];
	struct tk_span digests[TK_EAT_MAX_MEASUREMENTS];
	uint8_t pcr[TK_CRYPTO_SHA256_LEN];
	tk_err err = TK_OK;

	err = check_measurements_quoted(claims, a, ok, diag);
	for (size_t p = 0; p < tpm->pcr_count && err == TK_OK && *ok; p++) {
		size_t n = 0;

		for (size_t i = 0; i < claims->measurement_count && err == TK_OK; i++) {
			struct tk_eat_measured_component mc;
			struct tk_crypto_hash_ctx h;

			err = tk_eat_decode_measured_component(&claims->measurements[i], &mc, diag);
			if (err != TK_OK || !mc.has_pcr || mc.pcr != tpm->pcrs[p].index)
				continue;
			err = tk_crypto_sha256_init(v->cfg.crypto, &h, diag);
			if (err == TK_OK)
				err = tk_crypto_sha256_update(&h, mc.component_id.ptr,
							      mc.component_id.len, diag);
			if (err == TK_OK)
				err = tk_crypto_sha256_update(&h, mc.digest.ptr, mc.digest.len, diag);
			if (err == TK_OK)
				err = tk_crypto_sha256_final(&h, events[n], diag);
			else
				tk_crypto_sha256_abort(&h);
			digests[n] = tk_span_make(events[n], TK_CRYPTO_SHA256_LEN);
			n++;
		}
		if (err == TK_OK)
			err = tk_eat_tpm_pcr_replay(v->cfg.crypto, digests, n, pcr, diag);
		if (err == TK_OK && (tpm->pcrs[p].value.len != sizeof(pcr) ||
				     !tk_ct_equal(pcr, tpm->pcrs[p].value.ptr, sizeof(pcr)))) {
			*ok = false;
			tk_verifier_set_claim(a, TK_VERIFIER_EXECUTABLES, AR_CONTRAINDICATED,
					      "the measurements do not replay to quoted PCR %llu",
					      (unsigned long long)tpm->pcrs[p].index);
		}
	}
	return err;
}

/* Step 3: the quote, bound to the nonce and the TEEP key. */
static tk_err verify_quote(struct tk_verifier *v, const struct tk_eat_tpm_claim *tpm,
			   const struct tpm_state *s, struct tk_verifier_appraisal *a,
			   bool *ok, struct tk_diag *diag)
{
	uint8_t qualifying[TK_CRYPTO_SHA256_LEN];
	struct tk_eat_tpm_verify_opts opts;
	struct tk_eat_tpm_attest attest;
	struct tk_diag local;
	tk_err err;

	*ok = false;
	err = tk_eat_tpm_qualifying_data(v->cfg.crypto, a->nonce,
					 tk_span_make(s->teep_kid, sizeof(s->teep_kid)),
					 qualifying, diag);
	if (err != TK_OK)
		return err;
	memset(&opts, 0, sizeof(opts));
	opts.ak = s->ak;
	opts.qualifying_data = tk_span_make(qualifying, sizeof(qualifying));
	opts.pcrs = tpm->pcrs;
	opts.n_pcrs = tpm->pcr_count;
	tk_diag_clear(&local);
	err = tk_eat_tpm_verify_quote(v->cfg.crypto, tpm->attest.ptr, tpm->attest.len,
				      tpm->signature.ptr, tpm->signature.len, &opts, &attest,
				      &local);
	switch (err) {
	case TK_OK:
		*ok = true;
		return TK_OK;
	case TK_ERR_SIGNATURE:
	case TK_ERR_ALG_UNSUPPORTED:
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CRYPTO_FAILED,
				      "TPM quote does not verify with the AK: %s", local.msg);
		return TK_OK;
	case TK_ERR_NONCE:
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CONTRAINDICATED,
				      "TPM quote is not bound to this nonce and TEEP key");
		return TK_OK;
	case TK_ERR_DIGEST_MISMATCH:
		tk_verifier_set_claim(a, TK_VERIFIER_EXECUTABLES, AR_CONTRAINDICATED,
				      "TPM quote does not cover the PCR values given: %s",
				      local.msg);
		return TK_OK;
	default:
		return TK_FAIL(diag, err, "TPM quote: %s", local.msg);
	}
}

/* Step 5: the EK certificate chains to a trusted EK CA. */
static tk_err check_ek_chain(struct tk_verifier *v, int64_t now,
			     const struct tk_eat_tpm_claim *tpm, struct tk_verifier_appraisal *a,
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
	if (n == 0 || tpm->ek_chain_count == 0) {
		tk_verifier_set_claim(a, TK_VERIFIER_HARDWARE, AR_UNRECOGNIZED,
				      n == 0 ? "no trusted EK CA is configured"
					     : "TPM evidence has no EK certificate");
		return TK_OK;
	}

	/* The EK's own key is not used here, so its type does not matter: TPMs
	 * ship RSA as well as ECC EK certificates. */
	tk_diag_clear(&local);
	err = tk_crypto_x509_verify_chain(v->cfg.crypto, tpm->ek_chain, tpm->ek_chain_count,
					  trusted, n, now, NULL, &local);
	if (err == TK_OK)
		tk_verifier_set_claim(a, TK_VERIFIER_HARDWARE, AR_AFFIRMING, NULL);
	else if (err == TK_ERR_UNTRUSTED || err == TK_ERR_KEY)
		tk_verifier_set_claim(a, TK_VERIFIER_HARDWARE, AR_UNRECOGNIZED,
				      "EK certificate does not chain to a trusted EK CA: %s",
				      local.msg);
	else
		return TK_FAIL(diag, err, "EK chain: %s", local.msg);
	return TK_OK;
}

tk_err tk_verifier_check_tpm(struct tk_verifier *v, int64_t now,
			     const struct tk_verifier_request *req, struct tk_span kid,
			     const struct tk_eat_claims *peeked, struct tk_verifier_appraisal *a,
			     struct tk_diag *diag)
{
	const struct tk_eat_claims *claims = &a->verified.claims;
	struct tpm_state s;
	bool ok = false;
	tk_err err;

	memset(&s, 0, sizeof(s));
	a->policy_id = TK_VERIFIER_POLICY_TPM;
	a->required = (1u << TK_VERIFIER_INSTANCE_IDENTITY) | (1u << TK_VERIFIER_EXECUTABLES) |
		      (1u << TK_VERIFIER_HARDWARE);
	tk_verifier_set_claim(a, TK_VERIFIER_RUNTIME_OPAQUE, AR_ISOLATED_MEMORY, NULL);
	tk_verifier_set_cnf(req, TK_SPAN_EMPTY, a);

	err = find_ak(v, &peeked->tpm, &s, a, &ok, diag);
	if (err == TK_OK && !ok) {
		err = name_device(v, req, kid, &s, a, diag);
		goto done;
	}
	if (err == TK_OK)
		err = verify_teep_key(v, req, kid, peeked, &s, a, &ok, diag);
	if (err != TK_OK || !ok)
		goto done;

	/* From here on only verified claims are used. */
	tk_verifier_set_cnf(req, tk_span_make(s.teep_kid, sizeof(s.teep_kid)), a);
	memcpy(a->ueid, claims->ueid.ptr, claims->ueid.len);
	a->ueid_len = claims->ueid.len;
	err = verify_quote(v, &claims->tpm, &s, a, &ok, diag);
	if (err == TK_OK && ok)
		err = replay_measurements(v, claims, a, &ok, diag);
	if (err == TK_OK)
		err = check_ek_chain(v, now, &claims->tpm, a, diag);
	if (err == TK_OK)
		err = tk_verifier_check_ak_binding(v, &claims->tpm, s.ak_kid, a, diag);
	if (err != TK_OK)
		goto done;

	/* A failed quote already set instance-identity; keep it. */
	if ((a->vector.present & (1u << TK_VERIFIER_INSTANCE_IDENTITY)) == 0) {
		if (tk_span_equal(claims->ueid, tk_span_make(s.ak_rec.ueid, s.ak_rec.ueid_len)))
			tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_AFFIRMING,
					      NULL);
		else
			tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY,
					      AR_CONTRAINDICATED, "the AK is enrolled for another "
					      "UEID than the evidence names");
	}
	/* A failed quote or replay already set executables to 96; keep it. */
	if ((a->vector.present & (1u << TK_VERIFIER_EXECUTABLES)) == 0)
		err = tk_verifier_check_executables(v, claims, a, diag);
	if (err == TK_OK)
		err = tk_verifier_encode_teep_claims(claims, a, diag);

done:
	tpm_state_free(&s);
	return err;
}
