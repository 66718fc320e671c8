/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier object: configuration, sessions, tiers, and
 * tk_verifier_appraise(), which runs the checks of tk_verifier_checks.c,
 * turns their trustworthiness claims into a status and signs the EAR.
 */
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_impl.h"

#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "eat/tk_ear.h"
#include "eat/tk_ear_json.h"
#include "eat/tk_eat.h"

/* Default verifier id (ear.verifier-id), when the config names none. */
#define DEFAULT_DEVELOPER "https://teepkit.example/verifier"
#define DEFAULT_BUILD "teepkit"

/* Name of the one submodule of a TEEP result: the TEE and its agent. */
#define SUBMOD_TEEP "teep"

static const char *const claim_names[TK_VERIFIER_CLAIM_COUNT] = {
	"instance-identity", "configuration", "executables", "file-system",
	"hardware", "runtime-opaque", "storage-opaque", "sourced-data",
};

enum tk_verifier_tier tk_verifier_tier_of(int value)
{
	int magnitude = value < 0 ? -value : value;

	/* draft-ietf-rats-ar4si: -1..1 none, 2..31 affirming, 32..95 warning,
	 * 96..128 contraindicated, with the same bands for negative values. */
	if (magnitude <= 1)
		return TK_VERIFIER_TIER_NONE;
	if (magnitude <= 31)
		return TK_VERIFIER_TIER_AFFIRMING;
	if (magnitude <= 95)
		return TK_VERIFIER_TIER_WARNING;
	return TK_VERIFIER_TIER_CONTRAINDICATED;
}

const char *tk_verifier_tier_name(enum tk_verifier_tier tier)
{
	switch (tier) {
	case TK_VERIFIER_TIER_NONE:
		return "none";
	case TK_VERIFIER_TIER_AFFIRMING:
		return "affirming";
	case TK_VERIFIER_TIER_WARNING:
		return "warning";
	case TK_VERIFIER_TIER_CONTRAINDICATED:
		return "contraindicated";
	}
	return "unknown";
}

const char *tk_verifier_claim_name(enum tk_verifier_claim claim)
{
	if ((unsigned)claim >= TK_VERIFIER_CLAIM_COUNT)
		return NULL;
	return claim_names[claim];
}

tk_err tk_verifier_init(struct tk_verifier *v, const struct tk_verifier_config *cfg,
			struct tk_diag *diag)
{
	tk_err err;

	memset(v, 0, sizeof(*v));
	if (cfg == NULL || cfg->crypto == NULL || cfg->store == NULL ||
	    cfg->signing_key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "verifier config lacks crypto, store or key");
	if (tk_crypto_key_type(cfg->signing_key) != TK_CRYPTO_KEY_P256 ||
	    !tk_crypto_key_has_private(cfg->signing_key))
		return TK_FAIL(diag, TK_ERR_KEY, "the verifier signs with ESP256: give a P-256 "
			       "private key");
	if (cfg->lifetime < 0 || cfg->result_lifetime < 0)
		return TK_FAIL(diag, TK_ERR_ARG, "negative session or result lifetime");

	v->cfg = *cfg;
	if (v->cfg.lifetime == 0)
		v->cfg.lifetime = TK_VERIFIER_DEFAULT_LIFETIME;
	if (v->cfg.max_sessions == 0)
		v->cfg.max_sessions = TK_VERIFIER_DEFAULT_MAX_SESSIONS;
	if (v->cfg.developer == NULL)
		v->cfg.developer = DEFAULT_DEVELOPER;
	if (v->cfg.build == NULL)
		v->cfg.build = DEFAULT_BUILD;
	err = tk_cose_key_thumbprint_crypto(cfg->crypto, cfg->signing_key, v->signing_kid, diag);
	if (err != TK_OK)
		memset(v, 0, sizeof(*v));
	return err;
}

tk_err tk_verifier_new_session(struct tk_verifier *v, int64_t now,
			       struct tk_verifier_session *out, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if (st->session_add == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no session_add hook");
	err = tk_crypto_random(v->cfg.crypto, out->id, sizeof(out->id), diag);
	if (err == TK_OK)
		err = tk_crypto_random(v->cfg.crypto, out->nonce, sizeof(out->nonce), diag);
	out->created_at = now;
	out->expires_at = now + v->cfg.lifetime;
	if (err == TK_OK)
		err = st->session_add(st->ctx, out, now, v->cfg.max_sessions, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_verifier_new_session_with_nonce(struct tk_verifier *v, int64_t now,
					  const uint8_t nonce[TK_VERIFIER_NONCE_LEN],
					  struct tk_verifier_session *out, struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if (st->session_add == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no session_add hook");
	err = tk_crypto_random(v->cfg.crypto, out->id, sizeof(out->id), diag);
	memcpy(out->nonce, nonce, sizeof(out->nonce));
	out->created_at = now;
	out->expires_at = now + v->cfg.lifetime;
	if (err == TK_OK)
		err = st->session_add(st->ctx, out, now, v->cfg.max_sessions, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_verifier_purge(struct tk_verifier *v, int64_t now, uint64_t *removed,
			 struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	uint64_t count = 0;
	tk_err err;

	if (st->session_purge == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no session_purge hook");
	err = st->session_purge(st->ctx, now, &count, diag);
	if (removed != NULL)
		*removed = count;
	return err;
}

/* The nonce the evidence must carry: the session's, or the caller's. */
static tk_err expected_nonce(struct tk_verifier *v, int64_t now,
			     const struct tk_verifier_request *req,
			     struct tk_verifier_session *session, struct tk_span *nonce,
			     struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	tk_err err;

	if (!req->has_session) {
		if (req->nonce.len < TK_EAT_NONCE_MIN || req->nonce.len > TK_EAT_NONCE_MAX)
			return TK_FAIL(diag, TK_ERR_ARG, "expected nonce of %zu bytes, not %d..%d",
				       req->nonce.len, TK_EAT_NONCE_MIN, TK_EAT_NONCE_MAX);
		*nonce = req->nonce;
		return TK_OK;
	}
	if (st->session_take == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no session_take hook");
	err = st->session_take(st->ctx, req->session_id, now, session, diag);
	if (err == TK_OK)
		*nonce = tk_span_make(session->nonce, sizeof(session->nonce));
	return err;
}

/*
 * The status of the submodule: the worst tier among the claims the
 * appraisal policy requires (see tk_verifier_impl.h). A required claim
 * that is absent or "none" makes the status none unless another is worse.
 */
static enum tk_verifier_tier status_of(const struct tk_verifier_appraisal *a)
{
	enum tk_verifier_tier worst = TK_VERIFIER_TIER_AFFIRMING;
	bool none = false;

	for (unsigned i = 0; i < TK_VERIFIER_CLAIM_COUNT; i++) {
		enum tk_verifier_tier tier;

		if ((a->required & (1u << i)) == 0)
			continue;
		tier = (a->vector.present & (1u << i)) != 0
			       ? tk_verifier_tier_of(a->vector.value[i])
			       : TK_VERIFIER_TIER_NONE;
		if (tier == TK_VERIFIER_TIER_NONE)
			none = true;
		else if (tier > worst)
			worst = tier;
	}
	if (worst == TK_VERIFIER_TIER_AFFIRMING && none)
		return TK_VERIFIER_TIER_NONE;
	return worst;
}

/* Fill the EAR from the appraisal and sign it in the requested form. */
static tk_err sign_result(struct tk_verifier *v, int64_t now,
			  const struct tk_verifier_request *req,
			  const struct tk_verifier_appraisal *a, enum tk_verifier_tier status,
			  uint8_t *out, size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_ear ear;
	struct tk_ear_appraisal *sub = &ear.submods[0];

	memset(&ear, 0, sizeof(ear));
	ear.iat = now;
	ear.has_exp = v->cfg.result_lifetime > 0;
	ear.exp = now + v->cfg.result_lifetime;
	ear.has_status = true;
	ear.status = (int64_t)status;
	ear.verifier_developer = tk_span_make(v->cfg.developer, strlen(v->cfg.developer));
	ear.verifier_build = tk_span_make(v->cfg.build, strlen(v->cfg.build));
	ear.nonce = a->nonce;
	if (a->has_cnf)
		ear.cnf_kid = tk_span_make(a->cnf_kid, sizeof(a->cnf_kid));
	ear.submod_count = 1;
	sub->name = tk_span_make(SUBMOD_TEEP, strlen(SUBMOD_TEEP));
	sub->status = (int64_t)status;
	sub->tv_present = a->vector.present;
	memcpy(sub->tv, a->vector.value, sizeof(sub->tv));
	sub->policy_ids[0] = tk_span_make(a->policy_id, strlen(a->policy_id));
	sub->policy_id_count = 1;
	sub->teep_claims = tk_span_make(a->teep_claims, a->teep_claims_len);

	if (req->format == TK_VERIFIER_EAR_JWT)
		return tk_ear_sign_jwt(v->cfg.crypto, v->cfg.signing_key, &ear, (char *)out,
				       out_cap, out_len, diag);
	return tk_ear_sign_cwt(v->cfg.crypto, v->cfg.signing_key, &ear, out, out_cap, out_len,
			       diag);
}

/* Log the outcome: one line with the session prefix and the UEID. */
static void log_result(struct tk_verifier *v, const struct tk_verifier_request *req,
		       const struct tk_verifier_result *res)
{
	char session[2 * 4 + 4] = "-", ueid[2 * 8 + 4] = "-";

	if (req->has_session)
		tk_log_id_prefix(req->session_id, sizeof(req->session_id), 4, session,
				 sizeof(session));
	if (res->ueid_len > 0)
		tk_log_id_prefix(res->ueid, res->ueid_len, 8, ueid, sizeof(ueid));
	tk_log(v->cfg.log, TK_LOG_INFO, "verifier", "session %s ueid %s: %s%s%s", session,
	       ueid, tk_verifier_tier_name(res->status), res->reason[0] != '\0' ? ": " : "",
	       res->reason);
}

/* Append the appraisal to the results history when configured. */
static tk_err record_result(struct tk_verifier *v, int64_t now,
			    const struct tk_verifier_request *req,
			    const struct tk_verifier_result *res, const uint8_t *ear,
			    struct tk_diag *diag)
{
	const struct tk_verifier_store_ops *st = v->cfg.store;
	struct tk_verifier_result_record rec;

	if (!v->cfg.keep_history)
		return TK_OK;
	if (st->result_add == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "store has no result_add hook");
	memset(&rec, 0, sizeof(rec));
	rec.has_session = req->has_session;
	memcpy(rec.session_id, req->session_id, sizeof(rec.session_id));
	rec.ueid = tk_span_make(res->ueid, res->ueid_len);
	rec.appraised_at = now;
	rec.status = res->status;
	rec.vector = res->vector;
	rec.reason = res->reason;
	rec.ear = tk_span_make(ear, res->ear_len);
	return st->result_add(st->ctx, &rec, diag);
}

tk_err tk_verifier_appraise(struct tk_verifier *v, int64_t now,
			    const struct tk_verifier_request *req, uint8_t *out,
			    size_t out_cap, struct tk_verifier_result *res,
			    struct tk_diag *diag)
{
	struct tk_verifier_session session;
	struct tk_verifier_appraisal appraisal;
	struct tk_verifier_appraisal *a = &appraisal;
	struct tk_span nonce = TK_SPAN_EMPTY;
	tk_err err;

	memset(res, 0, sizeof(*res));
	if (req == NULL || out == NULL || (req->format != 0 && req->format != TK_VERIFIER_EAR_CWT &&
					  req->format != TK_VERIFIER_EAR_JWT))
		return TK_FAIL(diag, TK_ERR_ARG, "appraisal request lacks output or format");
	if ((err = expected_nonce(v, now, req, &session, &nonce, diag)) != TK_OK)
		return err;

	memset(a, 0, sizeof(*a));
	a->nonce = nonce;
	err = tk_verifier_check_evidence(v, now, req, a, diag);
	if (err == TK_OK) {
		res->status = status_of(a);
		res->vector = a->vector;
		memcpy(res->ueid, a->ueid, a->ueid_len);
		res->ueid_len = a->ueid_len;
		memcpy(res->cnf_kid, a->cnf_kid, sizeof(res->cnf_kid));
		res->iat = now;
		res->has_tpm_quote = a->has_tpm_quote;
		/* Both are TK_VERIFIER_REASON_MAX bytes, a->reason NUL-terminated. */
		memcpy(res->reason, a->reason, sizeof(res->reason));
		res->reason[sizeof(res->reason) - 1] = '\0';
		err = sign_result(v, now, req, a, res->status, out, out_cap, &res->ear_len, diag);
	}
	if (err == TK_OK)
		err = record_result(v, now, req, res, out, diag);
	if (err == TK_OK)
		log_result(v, req, res);
	if (err != TK_OK)
		memset(res, 0, sizeof(*res));
	return err;
}
