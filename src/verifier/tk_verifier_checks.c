/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks of an appraisal and the trustworthiness claims they set
 * (values of draft-ietf-rats-ar4si; docs/verifier.md has the full table):
 *
 *   instance-identity  2  evidence signed by an enrolled key, for its UEID
 *                      96 enrolled key, but the evidence names another
 *                         UEID, or cnf names another key than the TEEP one
 *                      97 the key that signed is not enrolled
 *                      99 the signature does not verify
 *   executables        2  every manifest and measurement matches a
 *                         reference value
 *                      33 some component has no reference value
 *                      96 some component's digest differs from all of its
 *                         reference values
 *   hardware           0  simulated TEE: nothing vouches for hardware
 *   runtime-opaque     32 the TEE runs as a process: isolated from other
 *                         applications by the OS, not encrypted
 *
 * Evidence the verifier cannot read at all (not a COSE_Sign1 over a
 * TEEP-profile Claims-Set), or with another nonce, gets no result.
 */
#include "verifier/tk_verifier_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"

/* AR4SI values used here (draft-ietf-rats-ar4si, "Trustworthiness Claims"). */
enum {
	AR_NO_CLAIM = 0,
	AR_AFFIRMING = 2,              /* trustworthy instance, approved runtime */
	AR_ISOLATED_MEMORY = 32,       /* runtime-opaque: isolated, not encrypted */
	AR_UNRECOGNIZED_RUNTIME = 33,  /* executables: not recognized */
	AR_CONTRAINDICATED = 96,       /* untrustworthy instance or runtime */
	AR_UNRECOGNIZED_INSTANCE = 97, /* instance-identity: key not known */
	AR_CRYPTO_FAILED = 99,         /* general: cryptographic validation failed */
};

/* Bytes of an id printed in a reason: enough to find it, not the whole. */
#define REASON_ID_BYTES 8

void tk_verifier_set_claim(struct tk_verifier_appraisal *a, enum tk_verifier_claim claim,
			   int value, const char *fmt, ...)
{
	va_list ap;

	a->vector.present |= (uint8_t)(1u << claim);
	a->vector.value[claim] = (int8_t)value;
	if (fmt == NULL || a->reason[0] != '\0' ||
	    tk_verifier_tier_of(value) == TK_VERIFIER_TIER_AFFIRMING ||
	    (value == AR_NO_CLAIM && (a->required & (1u << claim)) == 0))
		return;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

/* Hex prefix of an id for a reason. */
static void id_prefix(struct tk_span id, char out[2 * REASON_ID_BYTES + 4])
{
	tk_log_id_prefix(id.ptr, id.len, REASON_ID_BYTES, out, 2 * REASON_ID_BYTES + 4);
}

/*
 * Compare one component with the reference values and raise *worst to the
 * executables value the outcome calls for. The component that raises it
 * writes the reason.
 */
static tk_err match_component(struct tk_verifier *v, struct tk_span component,
			      int64_t alg, struct tk_span digest, const char *what,
			      int *worst, char *reason, size_t reason_cap,
			      struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	enum tk_verifier_refval_match match = TK_VERIFIER_REFVAL_UNKNOWN;
	char id[2 * REASON_ID_BYTES + 4];
	tk_err err;

	if (st->refval_match == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no refval_match hook");
	err = st->refval_match(st->ctx, component, alg, digest, &match, NULL, diag);
	if (err != TK_OK)
		return err;
	id_prefix(component, id);
	if (match == TK_VERIFIER_REFVAL_MISMATCH && *worst < AR_CONTRAINDICATED) {
		*worst = AR_CONTRAINDICATED;
		snprintf(reason, reason_cap, "%s %s: digest matches none of its reference "
			 "values", what, id);
	} else if (match == TK_VERIFIER_REFVAL_UNKNOWN && *worst < AR_UNRECOGNIZED_RUNTIME) {
		*worst = AR_UNRECOGNIZED_RUNTIME;
		snprintf(reason, reason_cap, "%s %s: no reference value", what, id);
	}
	return TK_OK;
}

/*
 * Bytes of the diag message an unreadable entry's reason keeps: the rest,
 * "measurements entry N is not understood: ", fits the other 64 bytes.
 */
#define ENTRY_DIAG_SHOWN ((int)TK_VERIFIER_REASON_MAX - 64)

/* An entry the verifier cannot read counts as an unrecognized component. */
static void unreadable_entry(const char *what, size_t i, const struct tk_diag *local,
			     int *worst, char *reason, size_t reason_cap)
{
	if (*worst >= AR_UNRECOGNIZED_RUNTIME)
		return;
	*worst = AR_UNRECOGNIZED_RUNTIME;
	/* The diag message is cut so that the whole line fits the reason. */
	snprintf(reason, reason_cap, "%s entry %zu is not understood: %.*s", what, i,
		 ENTRY_DIAG_SHOWN, local->msg);
}

tk_err tk_verifier_check_executables(struct tk_verifier *v, const struct tk_eat_claims *claims,
				     struct tk_verifier_appraisal *a, struct tk_diag *diag)
{
	char reason[TK_VERIFIER_REASON_MAX] = "";
	int worst = AR_AFFIRMING;
	struct tk_diag local;
	tk_err err = TK_OK;

	for (size_t i = 0; i < claims->manifest_count && err == TK_OK; i++) {
		struct tk_eat_suit_reference ref;

		tk_diag_clear(&local);
		if (tk_eat_decode_suit_reference(&claims->manifests[i], &ref, &local) != TK_OK)
			unreadable_entry("manifests", i, &local, &worst, reason, sizeof(reason));
		else
			err = match_component(v, ref.uri, ref.digest_alg, ref.digest, "manifest",
					      &worst, reason, sizeof(reason), diag);
	}
	for (size_t i = 0; i < claims->measurement_count && err == TK_OK; i++) {
		struct tk_eat_measured_component mc;

		tk_diag_clear(&local);
		if (tk_eat_decode_measured_component(&claims->measurements[i], &mc, &local) !=
		    TK_OK)
			unreadable_entry("measurements", i, &local, &worst, reason, sizeof(reason));
		else
			err = match_component(v, mc.component_id, mc.digest_alg, mc.digest,
					      "loaded component", &worst, reason, sizeof(reason),
					      diag);
	}
	if (err == TK_OK)
		tk_verifier_set_claim(a, TK_VERIFIER_EXECUTABLES, worst, "%s", reason);
	return err;
}

/* The encoded TEEP claims of verified evidence, for ear.teep-claims. */
tk_err tk_verifier_encode_teep_claims(const struct tk_eat_claims *claims,
				      struct tk_verifier_appraisal *a, struct tk_diag *diag)
{
	struct tk_eat_claims copy = *claims;

	copy.present &= TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS |
			TK_EAT_HAS_MEASUREMENTS | TK_EAT_HAS_ENCRYPTION_KID;
	return tk_eat_encode_claims(&copy, a->teep_claims, sizeof(a->teep_claims),
				    &a->teep_claims_len, diag);
}

/* The kid of the COSE_Sign1 and the claims, unverified, to pick the path. */
static tk_err peek_evidence(struct tk_span evidence, struct tk_span *kid,
			    struct tk_eat_claims *claims, struct tk_diag *diag)
{
	struct tk_cose_headers body, signer;
	struct tk_span payload;
	tk_err err;

	/* Tag 61 (CWT) in preferred serialization is the two bytes d8 3d. */
	if (evidence.len >= 2 && evidence.ptr[0] == 0xd8 && evidence.ptr[1] == TK_EAT_TAG_CWT)
		evidence = tk_span_make(evidence.ptr + 2, evidence.len - 2);
	err = tk_cose_peek(evidence.ptr, evidence.len, &body, &signer, &payload, diag);
	if (err == TK_OK)
		err = tk_eat_decode_claims(payload.ptr, payload.len, claims, diag);
	if (err == TK_OK && body.kid.len == 0)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "evidence has no kid naming its key");
	*kid = err == TK_OK ? body.kid : TK_SPAN_EMPTY;
	return err;
}

/* The cnf of the result: the TEEP key the caller named, or the evidence's. */
void tk_verifier_set_cnf(const struct tk_verifier_request *req, struct tk_span fallback,
			 struct tk_verifier_appraisal *a)
{
	struct tk_span kid = req->cnf_kid.len > 0 ? req->cnf_kid : fallback;

	a->has_cnf = kid.len == TK_VERIFIER_KID_LEN;
	if (a->has_cnf)
		memcpy(a->cnf_kid, kid.ptr, kid.len);
}

/*
 * Verify the evidence with an enrolled key. Outcomes that still give a
 * result set instance-identity and return TK_OK with a->teep_claims_len 0;
 * a nonce mismatch and malformed evidence return their error.
 */
static tk_err verify_with_key(struct tk_verifier *v, const struct tk_verifier_request *req,
			      const struct tk_verifier_attest_key *rec,
			      struct tk_verifier_appraisal *a, bool *verified,
			      struct tk_diag *diag)
{
	struct tk_crypto_key *key = NULL;
	struct tk_cose_trusted_key trusted;
	struct tk_eat_verify_opts opts;
	struct tk_cose_key ck;
	struct tk_diag local;
	char kid[2 * REASON_ID_BYTES + 4];
	tk_err err;

	*verified = false;
	id_prefix(tk_span_make(rec->kid, sizeof(rec->kid)), kid);
	err = tk_cose_key_decode(rec->cose_key, rec->cose_key_len, &ck, diag);
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(v->cfg.crypto, &ck, &key, diag);
	if (err != TK_OK)
		return err;

	memset(&opts, 0, sizeof(opts));
	trusted.key = key;
	trusted.kid = tk_span_make(rec->kid, sizeof(rec->kid));
	opts.keys = &trusted;
	opts.n_keys = 1;
	opts.nonce = a->nonce;
	opts.cnf_kid = req->cnf_kid;
	tk_diag_clear(&local);
	err = tk_eat_verify(v->cfg.crypto, req->evidence.ptr, req->evidence.len, &opts,
			    &a->verified, &local);
	tk_crypto_key_free(key);

	if (err == TK_ERR_SIGNATURE || err == TK_ERR_ALG_UNSUPPORTED) {
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CRYPTO_FAILED,
				      "signature by enrolled key %s does not verify", kid);
		return TK_OK;
	}
	if (err == TK_ERR_UNTRUSTED) {
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CONTRAINDICATED,
				      "evidence of key %s is not bound to the TEEP key: %s", kid,
				      local.msg);
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	*verified = true;
	return TK_OK;
}

/* Appraise evidence of the simulated TEE: signed by an enrolled key. */
static tk_err check_simulated(struct tk_verifier *v, const struct tk_verifier_request *req,
			      struct tk_span kid, struct tk_verifier_appraisal *a,
			      struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	const struct tk_eat_claims *claims = &a->verified.claims;
	struct tk_verifier_attest_key rec;
	char id[2 * REASON_ID_BYTES + 4];
	struct tk_diag local;
	bool verified = false;
	tk_err err;

	a->policy_id = TK_VERIFIER_POLICY_SIM;
	a->required = (1u << TK_VERIFIER_INSTANCE_IDENTITY) | (1u << TK_VERIFIER_EXECUTABLES);
	tk_verifier_set_claim(a, TK_VERIFIER_HARDWARE, AR_NO_CLAIM, NULL);
	tk_verifier_set_claim(a, TK_VERIFIER_RUNTIME_OPAQUE, AR_ISOLATED_MEMORY, NULL);
	if (st->key_get == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no key_get hook");

	id_prefix(kid, id);
	tk_diag_clear(&local);
	err = st->key_get(st->ctx, kid, &rec, &local);
	if (err == TK_ERR_NOT_FOUND) {
		tk_verifier_set_cnf(req, TK_SPAN_EMPTY, a);
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_UNRECOGNIZED_INSTANCE,
				      "attestation key %s is not enrolled", id);
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);

	err = verify_with_key(v, req, &rec, a, &verified, diag);
	if (err != TK_OK || !verified) {
		tk_verifier_set_cnf(req, TK_SPAN_EMPTY, a);
		return err;
	}

	tk_verifier_set_cnf(req, claims->cnf_kid.len > 0 ? claims->cnf_kid : kid, a);
	memcpy(a->ueid, claims->ueid.ptr, claims->ueid.len);
	a->ueid_len = claims->ueid.len;
	if (tk_span_equal(claims->ueid, tk_span_make(rec.ueid, rec.ueid_len)))
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_AFFIRMING, NULL);
	else
		tk_verifier_set_claim(a, TK_VERIFIER_INSTANCE_IDENTITY, AR_CONTRAINDICATED,
				      "key %s is enrolled for another UEID than the evidence "
				      "names", id);

	err = tk_verifier_check_executables(v, claims, a, diag);
	if (err == TK_OK)
		err = tk_verifier_encode_teep_claims(claims, a, diag);
	return err;
}

tk_err tk_verifier_check_evidence(struct tk_verifier *v, int64_t now,
				  const struct tk_verifier_request *req,
				  struct tk_verifier_appraisal *a, struct tk_diag *diag)
{
	struct tk_eat_claims *peeked = &a->peeked;
	struct tk_span kid = TK_SPAN_EMPTY;
	tk_err err;

	if (req->evidence.len > TK_EAT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "evidence of %zu bytes exceeds %u",
			       req->evidence.len, TK_EAT_MAX_SIZE);
	if (req->cnf_kid.len != 0 && req->cnf_kid.len != TK_VERIFIER_KID_LEN)
		return TK_FAIL(diag, TK_ERR_ARG, "cnf kid of %zu bytes, not %d", req->cnf_kid.len,
			       TK_VERIFIER_KID_LEN);

	/* The unverified claims only choose the path; nothing of them is used
	 * before the signature is verified. */
	err = peek_evidence(req->evidence, &kid, peeked, diag);
	if (err != TK_OK)
		return err;
	a->has_tpm_quote = (peeked->present & TK_EAT_HAS_TPM_QUOTE) != 0;
	if (a->has_tpm_quote)
		return tk_verifier_check_tpm(v, now, req, kid, peeked, a, diag);
	return check_simulated(v, req, kid, a, diag);
}
