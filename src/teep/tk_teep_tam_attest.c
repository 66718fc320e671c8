/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation in the TAM state machine: the appraisal of a QueryResponse's
 * attestation-payload (enrolled key, background check or passport; see
 * tk_teep_tam.h) and the decision of the device group's policy.
 *
 * The appraisal runs before the store transaction, because a verifier
 * over HTTP takes a network round trip and the transaction holds the
 * database's write lock. It is safe to run first: the value it returns as
 * nonce is then used up as an outstanding challenge inside the
 * transaction, so an appraisal whose nonce the TAM never sent, or sent
 * once and saw used, is dropped before anything is stored.
 */
#include "teep/tk_teep_tam_impl.h"

#include <stdio.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "teep/tk_teep_attest.h"

/* Verifier name recorded for the enrolled-key mode. */
#define ENROLLED_KEY_VERIFIER "enrolled-key"

/*
 * Read eat_nonce (and the UEID, when present) from the evidence without
 * verifying it, only to find the session and to name the device of a
 * verifier's refusal. Skipping verification here is safe because the
 * evidence arrived inside a TEEP message whose signature was verified
 * already, and the appraisal checks it fully before anything is stored.
 */
static tk_err peek_evidence_nonce(struct tk_span evidence, struct tk_span *nonce,
				  struct tk_span *ueid, struct tk_diag *diag)
{
	struct tk_cose_headers body, signer;
	struct tk_eat_claims claims;
	struct tk_cbor_dec dec;
	struct tk_span sign1, payload;
	bool tagged;
	tk_err err;

	*nonce = TK_SPAN_EMPTY;
	*ueid = TK_SPAN_EMPTY;
	if (evidence.len > TK_EAT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "evidence of %zu bytes exceeds %u",
			       evidence.len, TK_EAT_MAX_SIZE);

	/* evidence = [#6.61] COSE_Sign1(_Tagged) */
	err = tk_cbor_dec_init(&dec, evidence.ptr, evidence.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_skip_tag(&dec, TK_EAT_TAG_CWT, &tagged);
	if (err == TK_OK)
		err = tk_cbor_get_raw(&dec, &sign1);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		err = tk_cose_peek(sign1.ptr, sign1.len, &body, &signer, &payload, diag);
	if (err == TK_OK)
		err = tk_eat_decode_claims(payload.ptr, payload.len, &claims, diag);
	if (err != TK_OK)
		return err;
	if (!(claims.present & TK_EAT_HAS_NONCE))
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "evidence has no eat_nonce");
	*nonce = claims.nonce;
	if (claims.present & TK_EAT_HAS_UEID)
		*ueid = claims.ueid;
	return TK_OK;
}

/*
 * Decrypt evidence the agent encrypted to the TAM (draft section "EATs and
 * SUIT Reports") into v->evidence, and point in->payload at it. The inner
 * EAT is of the TEEP profile, so the format becomes absent. Without a key,
 * or with a key that does not open it, the message is dropped, naming the
 * device when the agent's key is bound to one.
 */
static tk_err decrypt_evidence(struct tk_teep_tam *tam, const struct agent *agent,
			       struct tk_teep_tam_attestation *in, struct verdict *v,
			       struct tk_diag *diag)
{
	char ueid_log[LOG_ID_CAP];
	size_t len = 0;
	tk_err err;

	tk_teep_tam_log_id(tk_span_make(agent->rec.ueid, agent->rec.ueid_len), ueid_log);
	if (tam->cfg.evidence_key == NULL)
		return TK_FAIL(diag, TK_ERR_KEY, "evidence is encrypted (ueid %s), but the TAM "
			       "has no decryption key", ueid_log);
	err = tk_eat_decrypt(tam->cfg.crypto, tam->cfg.evidence_key, in->payload.ptr,
			     in->payload.len, v->evidence, sizeof(v->evidence), &len, diag);
	if (err != TK_OK && diag != NULL) {
		char cause[TK_DIAG_MSG_MAX];

		memcpy(cause, diag->msg, sizeof(cause));
		tk_diag_clear(diag);
		return TK_FAIL(diag, err, "cannot decrypt the evidence (ueid %s): %.160s",
			       ueid_log, cause);
	}
	if (err != TK_OK)
		return err;
	in->payload = tk_span_make(v->evidence, len);
	in->format = TK_SPAN_EMPTY;
	return TK_OK;
}

/*
 * Enrolled-key mode: the EAT must be signed by the key that signed the
 * QueryResponse, carry nonce and name that key in cnf. A verified EAT is
 * affirming; nothing is compared with reference values.
 */
static tk_err appraise_enrolled(struct tk_teep_tam *tam, const struct agent *agent,
				struct tk_span evidence, struct tk_span nonce,
				struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct tk_cose_trusted_key trusted = {
		.key = agent->key,
		.kid = tk_span_make(agent->rec.kid, TK_STORE_KID_LEN),
	};
	struct tk_eat_verify_opts opts = {
		.keys = &trusted,
		.n_keys = 1,
		.nonce = nonce,
		.cnf_kid = tk_span_make(agent->rec.kid, TK_STORE_KID_LEN),
	};
	struct tk_eat_verified eat;
	tk_err err;

	err = tk_eat_verify(tam->cfg.crypto, evidence.ptr, evidence.len, &opts, &eat, diag);
	if (err != TK_OK)
		return err;
	out->tier = TK_STORE_TIER_AFFIRMING;
	out->ueid = eat.claims.ueid;
	snprintf(out->verifier, sizeof(out->verifier), "%s", ENROLLED_KEY_VERIFIER);
	return TK_OK;
}

/* Check what every hook must return: a known tier and a UEID of bounded length. */
static tk_err check_appraisal(const struct tk_teep_tam_appraisal *a, bool need_nonce,
			      struct tk_diag *diag)
{
	if (a->tier != TK_STORE_TIER_NONE && a->tier != TK_STORE_TIER_AFFIRMING &&
	    a->tier != TK_STORE_TIER_WARNING && a->tier != TK_STORE_TIER_CONTRAINDICATED)
		return TK_FAIL(diag, TK_ERR_INTERNAL, "verifier hook returned tier %d",
			       (int)a->tier);
	if (a->ueid.len == 0 || a->ueid.len > TK_STORE_UEID_MAX)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			       "attestation names no UEID of 1..%d bytes", TK_STORE_UEID_MAX);
	if (need_nonce && a->nonce.len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "attestation result has no eat_nonce");
	return TK_OK;
}

tk_err tk_teep_tam_appraise(struct tk_teep_tam *tam, int64_t now, const struct agent *agent,
			    const struct tk_teep_query_response *qr, struct verdict *v,
			    struct tk_span *nonce, struct tk_diag *diag)
{
	const struct tk_teep_tam_verifier_ops *ops = tam->cfg.verifier;
	struct tk_teep_tam_attestation in = {
		.payload = qr->attestation_payload,
		.format = qr->has_attestation_payload_format ? qr->attestation_payload_format
							     : TK_SPAN_EMPTY,
		.agent_kid = tk_span_make(agent->rec.kid, TK_STORE_KID_LEN),
		.now = now,
	};
	bool is_result = tk_teep_payload_is_result(in.format);
	struct tk_span claimed_ueid;
	tk_err err;

	memset(v, 0, sizeof(*v));
	*nonce = TK_SPAN_EMPTY;
	if (is_result) {
		v->model = TK_STORE_MODEL_PASSPORT;
		if (ops == NULL || ops->verify_result == NULL)
			return TK_FAIL(diag, TK_ERR_POLICY, "the agent presented an attestation "
				       "result, but no verifier key is trusted");
		err = ops->verify_result(ops->ctx, &in, &v->appraisal, diag);
		if (err == TK_OK)
			err = check_appraisal(&v->appraisal, true, diag);
		if (err == TK_OK)
			*nonce = v->appraisal.nonce;
		return err;
	}

	if (tk_span_equal(in.format, tk_span_make(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE,
						   strlen(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE))) &&
	    (err = decrypt_evidence(tam, agent, &in, v, diag)) != TK_OK)
		return err;
	if ((err = peek_evidence_nonce(in.payload, &in.challenge, &claimed_ueid, diag)) != TK_OK)
		return err;
	if (ops == NULL && in.format.len > 0 &&
	    !tk_span_equal(in.format, tk_span_make(TK_EAT_TEEP_MEDIA_TYPE,
						    strlen(TK_EAT_TEEP_MEDIA_TYPE)))) {
		err = TK_FAIL(diag, TK_ERR_SCHEMA_VALUE, "attestation-payload-format is not "
			      "the TEEP EAT profile, and no verifier is configured");
	} else if (ops == NULL) {
		v->model = TK_STORE_MODEL_ENROLLED_KEY;
		err = appraise_enrolled(tam, agent, in.payload, in.challenge, &v->appraisal, diag);
	} else if (ops->appraise_evidence == NULL) {
		err = TK_FAIL(diag, TK_ERR_POLICY, "the agent sent evidence, but no verifier "
			      "appraises evidence");
	} else {
		v->model = TK_STORE_MODEL_BACKGROUND_CHECK;
		err = ops->appraise_evidence(ops->ctx, &in, &v->appraisal, diag);
		/* A verifier that refused the evidence names no device. The
		 * QueryResponse that carries it verified with this agent's key,
		 * so the refusal is recorded against the UEID the agent claims
		 * (it must still be the one bound to that key). */
		if (err == TK_OK && v->appraisal.tier == TK_STORE_TIER_NONE &&
		    v->appraisal.ueid.len == 0)
			v->appraisal.ueid = claimed_ueid;
	}
	if (err == TK_OK)
		err = check_appraisal(&v->appraisal, false, diag);
	if (err == TK_OK)
		*nonce = in.challenge;
	return err;
}

/* Apply the group policy: affirming proceeds, warning when accepted, others not. */
static bool policy_allows(enum tk_store_tier tier, bool accept_warning)
{
	if (tier == TK_STORE_TIER_AFFIRMING)
		return true;
	return tier == TK_STORE_TIER_WARNING && accept_warning;
}

tk_err tk_teep_tam_decide(struct tk_teep_tam *tam, int64_t now, const struct agent *agent,
			  struct verdict *v, struct tk_diag *diag)
{
	const struct tk_store *st = tam->cfg.store;
	const struct tk_teep_tam_appraisal *a = &v->appraisal;
	struct tk_store_attestation rec = {0};
	bool accept_warning = false;
	tk_err err;

	err = tk_store_device_group_get(st, a->ueid, v->group, sizeof(v->group), diag);
	if (err == TK_OK)
		err = tk_store_group_policy_get(st, v->group, &accept_warning, diag);
	if (err != TK_OK)
		return err;
	v->proceed = policy_allows(a->tier, accept_warning);

	rec.ueid = a->ueid;
	memcpy(rec.kid, agent->rec.kid, TK_STORE_KID_LEN);
	rec.model = v->model;
	rec.tier = a->tier;
	rec.decision = v->proceed ? TK_STORE_DECISION_PROCEED : TK_STORE_DECISION_REFUSE;
	rec.group = tk_span_make(v->group, strlen(v->group));
	rec.verifier = tk_span_make(a->verifier, strnlen(a->verifier, sizeof(a->verifier)));
	rec.reason = tk_span_make(a->reason, strnlen(a->reason, sizeof(a->reason)));
	rec.media_type = a->media_type;
	rec.result = a->result;
	rec.appraised_at = now;
	return tk_store_attestation_add(st, &rec, diag);
}
