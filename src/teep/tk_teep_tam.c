/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TAM state machine; the flow and the drop rule are described in
 * tk_teep_tam.h. Every incoming message is handled in the order of the
 * draft's "Validating a TEEP Message": find the enrolled key by kid, verify
 * the COSE_Sign1, decode the TEEP payload, and only then look at its
 * content. Store writes happen inside one transaction that is committed
 * only when the whole step succeeded.
 *
 * This file contains the entry points, the QueryRequest sent on a new
 * session, the verification of agent messages, the appraisal of a
 * QueryResponse and the dispatch. The Update sent in response is planned and
 * built in tk_teep_tam_update.c, and Success and Error are handled in
 * tk_teep_tam_result.c.
 */
#include "teep/tk_teep_tam.h"

#include <stdio.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "teep/tk_teep_msg.h"
#include "teep/tk_teep_tam_impl.h"

/* Algorithms accepted on agent messages: current names, then older ones. */
static const int64_t agent_algs[] = {
	TK_COSE_ALG_ESP256, TK_COSE_ALG_ED25519, TK_COSE_ALG_ES256, TK_COSE_ALG_EDDSA,
};

void tk_teep_tam_log_id(struct tk_span id, char out[LOG_ID_CAP])
{
	if (id.len == 0) {
		snprintf(out, LOG_ID_CAP, "none");
		return;
	}
	tk_log_id_prefix(id.ptr, id.len, LOG_ID_BYTES, out, LOG_ID_CAP);
}

void tk_teep_tam_format_suppressed(uint64_t suppressed, char out[SUPPRESSED_NOTE_CAP])
{
	out[0] = '\0';
	if (suppressed > 0)
		snprintf(out, SUPPRESSED_NOTE_CAP, " (%llu similar lines suppressed before it)",
			 (unsigned long long)suppressed);
}

bool tk_teep_tam_is_drop(tk_err err)
{
	return err >= 100 && err < 600;
}

tk_err tk_teep_tam_init(struct tk_teep_tam *tam, const struct tk_teep_tam_config *cfg,
			struct tk_diag *diag)
{
	tk_err err;

	memset(tam, 0, sizeof(*tam));
	if (cfg == NULL || cfg->crypto == NULL || cfg->store == NULL || cfg->work == NULL ||
	    cfg->work_cap == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "TAM config lacks crypto, store or work buffer");
	if (tk_crypto_key_type(cfg->esp256_key) != TK_CRYPTO_KEY_P256 ||
	    !tk_crypto_key_has_private(cfg->esp256_key))
		return TK_FAIL(diag, TK_ERR_KEY, "TAM ESP256 key is not a P-256 private key");
	if (tk_crypto_key_type(cfg->ed25519_key) != TK_CRYPTO_KEY_ED25519 ||
	    !tk_crypto_key_has_private(cfg->ed25519_key))
		return TK_FAIL(diag, TK_ERR_KEY, "TAM Ed25519 key is not an Ed25519 private key");
	if (cfg->lifetime < 0)
		return TK_FAIL(diag, TK_ERR_ARG, "negative token lifetime %lld",
			       (long long)cfg->lifetime);

	err = tk_cose_key_thumbprint_crypto(cfg->crypto, cfg->esp256_key, tam->esp256_kid,
					    diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(cfg->crypto, cfg->ed25519_key,
						    tam->ed25519_kid, diag);
	if (err != TK_OK)
		return err;

	tam->cfg = *cfg;
	if (tam->cfg.lifetime == 0)
		tam->cfg.lifetime = TK_TEEP_TAM_DEFAULT_LIFETIME;
	if (tam->cfg.max_sessions == 0)
		tam->cfg.max_sessions = TK_TEEP_TAM_DEFAULT_MAX_SESSIONS;
	return TK_OK;
}

tk_err tk_teep_tam_finish_transaction(const struct tk_store *st, tk_err err,
				      struct tk_diag *diag)
{
	if (err == TK_OK)
		err = tk_store_commit(st, diag);
	if (err != TK_OK)
		tk_store_rollback(st);
	return err;
}

/*
 * QueryRequest (draft section "QueryRequest Message"):
 * [1, {2: challenge}, [[[18, -9]], [[18, -19]]], [profiles], 3]
 * No token: the attestation bit is set, and the draft allows a token only
 * when it is clear.
 */
static tk_err encode_query_request(struct tk_teep_tam *tam, struct tk_span challenge,
				   uint8_t *out, size_t out_cap, size_t *out_len,
				   struct tk_diag *diag)
{
	const struct tk_teep_cipher_suite suites[] = {
		{.op_count = 1, .cose_type = TK_TEEP_COSE_SIGN1, .alg = TK_TEEP_ALG_ESP256},
		{.op_count = 1, .cose_type = TK_TEEP_COSE_SIGN1, .alg = TK_TEEP_ALG_ED25519},
	};
	const struct tk_span profiles[] = {
		tk_span_make(tk_teep_profile_sha256_esp256_ecdh_a128ctr,
			     sizeof(tk_teep_profile_sha256_esp256_ecdh_a128ctr)),
		tk_span_make(tk_teep_profile_sha256_ed25519_ecdh_a128ctr,
			     sizeof(tk_teep_profile_sha256_ed25519_ecdh_a128ctr)),
	};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_REQUEST};

	(void)tam;
	msg.query_request.challenge = challenge;
	msg.query_request.supported_teep_cipher_suites.count = 2;
	msg.query_request.supported_teep_cipher_suites.items = suites;
	msg.query_request.supported_suit_cose_profiles.count = 2;
	msg.query_request.supported_suit_cose_profiles.items = profiles;
	msg.query_request.data_item_requested =
		TK_TEEP_DATA_ATTESTATION | TK_TEEP_DATA_TRUSTED_COMPONENTS |
		TK_TEEP_DATA_SUIT_REPORTS;
	return tk_teep_encode(&msg, out, out_cap, out_len, diag);
}

/*
 * Fail with TK_ERR_LIMIT_COUNT when max_sessions sessions are outstanding.
 * Expired sessions count until they are purged, so they are purged first.
 */
static tk_err check_session_room(struct tk_teep_tam *tam, int64_t now,
				 struct tk_diag *diag)
{
	const struct tk_store *st = tam->cfg.store;
	uint64_t count = 0, removed = 0;
	tk_err err;

	err = tk_store_count_rows(st, "sessions", &count, diag);
	if (err == TK_OK && count >= tam->cfg.max_sessions) {
		err = tk_store_session_purge(st, now, &removed, diag);
		count -= removed < count ? removed : count;
	}
	if (err == TK_OK && count >= tam->cfg.max_sessions)
		err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			      "%llu sessions are outstanding, the limit is %zu; retry "
			      "when they expire", (unsigned long long)count,
			      tam->cfg.max_sessions);
	return err;
}

/* Empty POST: a QueryRequest signed by both TAM keys, and its session. */
/*
 * The challenge of a new QueryRequest: from the verifier when it hands out
 * nonces (its session nonce, which the evidence must then carry), else
 * TK_TEEP_TAM_NONCE_LEN random bytes. It must fit an eat_nonce (RFC 9711
 * section 4.1: 8..64 bytes).
 */
static tk_err make_challenge(struct tk_teep_tam *tam, int64_t now,
			     struct tk_store_session *ses, struct tk_diag *diag)
{
	const struct tk_teep_tam_verifier_ops *ops = tam->cfg.verifier;
	tk_err err;

	if (ops == NULL || ops->new_challenge == NULL) {
		ses->challenge_len = TK_TEEP_TAM_NONCE_LEN;
		return tk_crypto_random(tam->cfg.crypto, ses->challenge, ses->challenge_len,
					diag);
	}
	err = ops->new_challenge(ops->ctx, now, ses->challenge, sizeof(ses->challenge),
				 &ses->challenge_len, diag);
	if (err == TK_OK && (ses->challenge_len < TK_EAT_NONCE_MIN ||
			     ses->challenge_len > TK_EAT_NONCE_MAX))
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "verifier nonce of %zu bytes, expected "
			      "%d..%d", ses->challenge_len, TK_EAT_NONCE_MIN, TK_EAT_NONCE_MAX);
	return err;
}

static tk_err on_connect(struct tk_teep_tam *tam, int64_t now, uint8_t *out,
			 size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	const struct tk_cose_signer signers[] = {
		{.key = tam->cfg.esp256_key, .alg = TK_COSE_ALG_ESP256, .kid_thumbprint = true},
		{.key = tam->cfg.ed25519_key, .alg = TK_COSE_ALG_ED25519, .kid_thumbprint = true},
	};
	const struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_store_session ses = {
		.state = TK_STORE_SESSION_QUERY_SENT,
		.challenge_len = TK_TEEP_TAM_NONCE_LEN,
		.created_at = now,
		.expires_at = now + tam->cfg.lifetime,
	};
	const struct tk_store *st = tam->cfg.store;
	char challenge_log[LOG_ID_CAP];
	size_t payload_len = 0;
	tk_err err;

	err = check_session_room(tam, now, diag);
	if (err == TK_OK)
		err = make_challenge(tam, now, &ses, diag);
	if (err == TK_OK)
		err = encode_query_request(tam, tk_span_make(ses.challenge, ses.challenge_len),
					   tam->cfg.work, tam->cfg.work_cap, &payload_len, diag);
	if (err == TK_OK)
		err = tk_cose_sign_create(tam->cfg.crypto, signers, 2, tam->cfg.work,
					  payload_len, &opts, out, out_cap, out_len, diag);
	if (err != TK_OK)
		return err;

	err = tk_store_begin(st, diag);
	if (err == TK_OK) {
		err = tk_store_session_add(st, &ses, diag);
		err = tk_teep_tam_finish_transaction(st, err, diag);
	}
	if (err != TK_OK) {
		*out_len = 0;
		return err;
	}

	tk_teep_tam_log_id(tk_span_make(ses.challenge, ses.challenge_len), challenge_log);
	tk_log(tam->cfg.log, TK_LOG_INFO, COMPONENT,
	       "sent QueryRequest: challenge %s, expires in %lld s", challenge_log,
	       (long long)tam->cfg.lifetime);
	return TK_OK;
}

/* Find the enrolled key named by the message's kid and verify the COSE_Sign1. */
static tk_err verify_agent_message(struct tk_teep_tam *tam, const uint8_t *in,
				   size_t in_len, struct agent *agent,
				   struct tk_span *payload, struct tk_diag *diag)
{
	struct tk_cose_headers body, signer;
	struct tk_cose_verified verified;
	struct tk_cose_key cose_key;
	struct tk_cose_trusted_key trusted;
	struct tk_cose_verify_opts opts = {0};
	struct tk_span peeked, kid;
	tk_err err;

	err = tk_cose_peek(in, in_len, &body, &signer, &peeked, diag);
	if (err != TK_OK)
		return err;
	kid = body.kid.len > 0 ? body.kid : signer.kid;
	if (kid.len != TK_STORE_KID_LEN)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED,
			       "message kid of %zu bytes is no key thumbprint", kid.len);
	tk_teep_tam_log_id(kid, agent->kid_log);

	err = tk_store_agent_key_get(tam->cfg.store, kid, &agent->rec, diag);
	if (err == TK_ERR_NOT_FOUND)
		return REFAIL(diag, TK_ERR_UNTRUSTED, "kid is not enrolled");
	if (err != TK_OK)
		return err;

	err = tk_cose_key_decode(agent->rec.pubkey, agent->rec.pubkey_len, &cose_key, diag);
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(tam->cfg.crypto, &cose_key, &agent->key, diag);
	if (err != TK_OK)
		return err == TK_ERR_NOMEM ? err : TK_FAIL(diag, TK_ERR_INTERNAL,
				"enrolled key %s cannot be used", agent->kid_log);

	/* NOTE: the draft also allows a COSE_Sign from an agent; teepkit agents
	 * sign with one key, so only COSE_Sign1 is accepted for now. */
	trusted.key = agent->key;
	trusted.kid = tk_span_make(agent->rec.kid, TK_STORE_KID_LEN);
	opts.tag_mode = TK_COSE_TAG_OPTIONAL;
	opts.keys = &trusted;
	opts.n_keys = 1;
	opts.allowed_algs = agent_algs;
	opts.n_allowed_algs = sizeof(agent_algs) / sizeof(agent_algs[0]);
	err = tk_cose_sign1_verify(tam->cfg.crypto, in, in_len, &opts, &verified, diag);
	if (err != TK_OK)
		return err;

	agent->alg = verified.signer.alg;
	*payload = verified.payload;
	return TK_OK;
}

/* SHA-256 digest bytes of an encoded SUIT_Digest [-16, bstr]; else empty. */
static struct tk_span sha256_of_suit_digest(struct tk_span encoded)
{
	struct tk_cbor_dec dec;
	struct tk_span bytes = TK_SPAN_EMPTY;
	uint64_t count;
	int64_t alg = 0;

	if (encoded.len == 0 ||
	    tk_cbor_dec_init(&dec, encoded.ptr, encoded.len, TK_CBOR_ALLOW_ALL, NULL) != TK_OK)
		return TK_SPAN_EMPTY;
	if (tk_cbor_enter_array(&dec, &count) != TK_OK || count != 2 ||
	    tk_cbor_get_int(&dec, &alg) != TK_OK || tk_cbor_get_bstr(&dec, &bytes) != TK_OK ||
	    tk_cbor_leave(&dec) != TK_OK || tk_cbor_dec_finish(&dec) != TK_OK)
		return TK_SPAN_EMPTY;
	if (alg != TK_EAT_DIGEST_SHA256 || bytes.len != TK_CRYPTO_SHA256_LEN)
		return TK_SPAN_EMPTY;
	return bytes;
}

/* Turn the tc-list into installed records (views into the message). */
static tk_err collect_tc_list(const struct tk_teep_query_response *qr,
			      struct tk_store_installed *items, size_t *n,
			      struct tk_diag *diag)
{
	struct tk_teep_iter it;
	tk_err err;

	*n = 0;
	if (qr->tc_list.count > TK_TEEP_TAM_MAX_TC_LIST)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "tc-list of %zu entries exceeds %d",
			       qr->tc_list.count, TK_TEEP_TAM_MAX_TC_LIST);
	if ((err = tk_teep_iter_init(&it, qr->tc_list.raw, diag)) != TK_OK)
		return err;
	while (tk_teep_iter_more(&it) && *n < TK_TEEP_TAM_MAX_TC_LIST) {
		struct tk_teep_tc_claims tc;

		if ((err = tk_teep_iter_next_tc(&it, &tc)) != TK_OK)
			return err;
		if (tc.component_id.len > TK_STORE_COMPONENT_ID_MAX)
			return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
				       "tc-list component id of %zu bytes exceeds %d",
				       tc.component_id.len, TK_STORE_COMPONENT_ID_MAX);
		items[*n] = (struct tk_store_installed){
			.component_id = tc.component_id,
			.digest = sha256_of_suit_digest(tc.image_digest),
		};
		(*n)++;
	}
	return TK_OK;
}

/* Checks of a QueryResponse that need no store access. */
static tk_err check_query_response(const struct tk_teep_query_response *qr,
				   struct tk_diag *diag)
{
	if (!qr->has_attestation_payload)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			       "QueryResponse has no attestation-payload, though attestation "
			       "was requested");
	/* The QueryRequest carried no token, so the response must not either. */
	if (qr->token.len > 0)
		return TK_FAIL(diag, TK_ERR_PROTOCOL,
			       "QueryResponse carries a token the TAM never sent");
	return TK_OK;
}

/*
 * Use up the challenge that the appraisal responded to, apply the group
 * policy, record the device and, when the policy lets it proceed, what it
 * reported installed. Runs inside the transaction.
 */
static tk_err record_query_response(struct tk_teep_tam *tam, int64_t now,
				    const struct agent *agent,
				    const struct tk_teep_query_response *qr,
				    struct tk_span nonce, struct verdict *v,
				    struct plan *plan, struct tk_store_installed *items,
				    struct tk_diag *diag)
{
	const struct tk_store *st = tam->cfg.store;
	struct tk_span ueid = v->appraisal.ueid;
	struct tk_store_session ses;
	size_t n_items = 0;
	tk_err err;

	/* Single use: the challenge is marked used in this transaction. */
	err = tk_store_session_use(st, TK_STORE_BY_CHALLENGE, nonce, now, &ses, diag);
	if (err == TK_ERR_NOT_FOUND)
		return REFAIL(diag, TK_ERR_NONCE, "attestation nonce matches no challenge sent");
	if (err != TK_OK)
		return err;
	if (ses.state != TK_STORE_SESSION_QUERY_SENT)
		return TK_FAIL(diag, TK_ERR_PROTOCOL, "challenge belongs to no QueryRequest");

	/* A key speaks for one device: evidence naming another UEID is rejected,
	 * so one enrolled key cannot rewrite the records of other devices. */
	if (agent->rec.ueid_len > 0 &&
	    !tk_span_equal(ueid, tk_span_make(agent->rec.ueid, agent->rec.ueid_len)))
		return TK_FAIL(diag, TK_ERR_POLICY, "attestation names another UEID than the "
			       "one bound to this kid");
	err = collect_tc_list(qr, items, &n_items, diag);
	if (err == TK_OK)
		err = tk_store_device_record(st, ueid,
					     tk_span_make(agent->rec.kid, TK_STORE_KID_LEN),
					     now, diag);
	/* A fresh key must not claim a device that another key speaks for. */
	if (err == TK_ERR_EXISTS)
		err = REFAIL(diag, TK_ERR_POLICY, "attestation names a UEID bound to another kid");
	if (err == TK_OK)
		err = tk_teep_tam_decide(tam, now, agent, v, diag);
	/* When attestation failed, the tc-list cannot be trusted (draft section
	 * "Handling an Attestation Result"), so it is not recorded. */
	if (err == TK_OK && v->proceed)
		err = tk_store_installed_replace(st, ueid, items, n_items, now, diag);
	plan->installed = items;
	plan->installed_count = n_items;
	return err;
}

/*
 * Set the attestation part of the Update: the result to hand back in the
 * background-check model, and for a refusal the err-msg.
 */
static void plan_attestation(const struct verdict *v, struct plan *plan)
{
	const struct tk_teep_tam_appraisal *a = &v->appraisal;
	size_t n;

	if (v->model == TK_STORE_MODEL_BACKGROUND_CHECK && a->result.len > 0) {
		plan->result = a->result;
		plan->result_format = a->media_type;
	}
	plan->refuse = !v->proceed;
	if (!plan->refuse)
		return;
	/* err-msg is 1..128 bytes of UTF-8: the verifier's reason is cut to
	 * fit and anything but printable ASCII in it becomes '?'. */
	n = (size_t)snprintf(plan->err_msg, sizeof(plan->err_msg),
			     "attestation %s for group %s", tk_store_tier_name(a->tier),
			     v->group);
	if (a->reason[0] == '\0' || n + 2 >= sizeof(plan->err_msg))
		return;
	memcpy(plan->err_msg + n, ": ", 2);
	n += 2;
	for (const char *r = a->reason; *r != '\0' && n + 1 < sizeof(plan->err_msg); r++)
		plan->err_msg[n++] = *r >= 0x20 && *r < 0x7f ? *r : '?';
	plan->err_msg[n] = '\0';
}

static void log_query_response(struct tk_teep_tam *tam, const struct agent *agent,
			       const struct verdict *v, const struct plan *plan,
			       const char *nonce_log)
{
	char ueid_log[LOG_ID_CAP];
	char what[128];

	tk_teep_tam_log_id(v->appraisal.ueid, ueid_log);
	if (plan->refuse)
		snprintf(what, sizeof(what), "sent Update with err-code 7, token %s",
			 plan->token_log);
	else if (plan->count > 0 || plan->unneeded_count > 0 || plan->result.len > 0)
		snprintf(what, sizeof(what),
			 "sent Update with %zu manifest%s, %zu unneeded%s, token %s",
			 plan->count, plan->count == 1 ? "" : "s", plan->unneeded_count,
			 plan->result.len > 0 ? " and the attestation result" : "",
			 plan->token_log);
	else
		snprintf(what, sizeof(what), "nothing to send");
	tk_log(tam->cfg.log, plan->refuse ? TK_LOG_NOTICE : TK_LOG_INFO, COMPONENT,
	       "QueryResponse from kid %s (ueid %s, challenge %s): attestation %s (%s, "
	       "group %s), %zu installed; %s", agent->kid_log, ueid_log, nonce_log,
	       tk_store_tier_name(v->appraisal.tier), tk_store_model_name(v->model), v->group,
	       plan->installed_count, what);
}

static tk_err on_query_response(struct tk_teep_tam *tam, int64_t now,
				const struct agent *agent,
				const struct tk_teep_query_response *qr,
				char nonce_log[LOG_ID_CAP], uint8_t *out, size_t out_cap,
				size_t *out_len, struct tk_diag *diag)
{
	static const struct plan empty_plan;
	struct tk_store_installed items[TK_TEEP_TAM_MAX_TC_LIST];
	const struct tk_store *st = tam->cfg.store;
	struct verdict v;
	struct tk_span nonce;
	struct plan plan = empty_plan;
	bool sent;
	tk_err err;

	if ((err = check_query_response(qr, diag)) != TK_OK)
		return err;
	err = tk_teep_tam_appraise(tam, now, agent, qr, &v, &nonce, diag);
	tk_teep_tam_log_id(nonce, nonce_log);
	if (err != TK_OK)
		return err;

	if ((err = tk_store_begin(st, diag)) != TK_OK)
		return err;
	err = record_query_response(tam, now, agent, qr, nonce, &v, &plan, items, diag);
	if (err == TK_OK)
		err = tk_teep_tam_store_boot_reports(tam, now, agent, qr, nonce_log, diag);
	if (err == TK_OK) {
		plan_attestation(&v, &plan);
		err = tk_teep_tam_answer_query_response(tam, now, agent, v.appraisal.ueid, qr,
							&plan, out, out_cap, out_len, diag);
	}
	sent = err == TK_OK && *out_len > 0;
	if (err == TK_OK && !sent)
		err = tk_store_audit_add(st, now, "query-response", agent->kid_log, diag);
	err = tk_teep_tam_finish_transaction(st, err, diag);
	if (err != TK_OK) {
		*out_len = 0;
		return err;
	}
	log_query_response(tam, agent, &v, &plan, nonce_log);
	tk_teep_tam_log_unneeded(tam, agent, v.appraisal.ueid, &plan);
	return TK_OK;
}

static const char *type_name(enum tk_teep_type type)
{
	switch (type) {
	case TK_TEEP_TYPE_QUERY_REQUEST: return "QueryRequest";
	case TK_TEEP_TYPE_QUERY_RESPONSE: return "QueryResponse";
	case TK_TEEP_TYPE_UPDATE: return "Update";
	case TK_TEEP_TYPE_SUCCESS: return "Success";
	case TK_TEEP_TYPE_ERROR: return "Error";
	}
	return "message";
}

/*
 * Log a dropped message at notice, rate-limited because any client can cause
 * it. A QueryResponse is named by its challenge, a Success or Error by its
 * token, once the message got that far.
 */
static void log_drop(struct tk_teep_tam *tam, int64_t now, const struct tk_teep_msg *msg,
		     const char *kid_log, const char *nonce_log, const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 64];
	char nonce_part[LOG_ID_CAP + 16] = "";
	char note[SUPPRESSED_NOTE_CAP];
	uint64_t suppressed = 0;

	if (!tk_log_limit_pass(&tam->drop_log_limit, now, TK_LOG_LIMIT_DEFAULT_PER_SECOND,
			       &suppressed))
		return;
	if (msg->type == TK_TEEP_TYPE_QUERY_RESPONSE)
		snprintf(nonce_part, sizeof(nonce_part), " (challenge %s)", nonce_log);
	else if (msg->type == TK_TEEP_TYPE_SUCCESS || msg->type == TK_TEEP_TYPE_ERROR)
		snprintf(nonce_part, sizeof(nonce_part), " (token %s)", nonce_log);
	tk_teep_tam_format_suppressed(suppressed, note);
	tk_diag_format(diag, detail, sizeof(detail));
	tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT, "dropped %s from kid %s%s: %s%s",
	       msg->type != 0 ? type_name(msg->type) : "message", kid_log, nonce_part, detail,
	       note);
}

static tk_err on_message(struct tk_teep_tam *tam, int64_t now, const uint8_t *in,
			 size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
			 struct tk_diag *diag)
{
	struct agent agent = {.kid_log = "unknown"};
	struct tk_teep_msg msg = {0};
	struct tk_span payload = TK_SPAN_EMPTY;
	char nonce_log[LOG_ID_CAP] = "none";
	tk_err err;

	err = verify_agent_message(tam, in, in_len, &agent, &payload, diag);
	if (err == TK_OK)
		err = tk_teep_decode(payload.ptr, payload.len, &msg, diag);
	if (err == TK_OK) {
		switch (msg.type) {
		case TK_TEEP_TYPE_QUERY_RESPONSE:
			err = on_query_response(tam, now, &agent, &msg.query_response,
						nonce_log, out, out_cap, out_len, diag);
			break;
		case TK_TEEP_TYPE_SUCCESS:
		case TK_TEEP_TYPE_ERROR:
			err = tk_teep_tam_on_result(tam, now, &agent, &msg, nonce_log, diag);
			break;
		default:
			err = TK_FAIL(diag, TK_ERR_PROTOCOL, "a TAM does not accept a %s",
				      type_name(msg.type));
			break;
		}
	}

	if (err != TK_OK && tk_teep_tam_is_drop(err))
		log_drop(tam, now, &msg, agent.kid_log, nonce_log, diag);
	tk_crypto_key_free(agent.key);
	return err;
}

tk_err tk_teep_tam_process(struct tk_teep_tam *tam, int64_t now, const uint8_t *in,
			   size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
			   struct tk_diag *diag)
{
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no output length");
	*out_len = 0;
	if (tam == NULL || tam->cfg.store == NULL || out == NULL || (in == NULL && in_len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "TAM not initialised or no buffers");

	if (in_len == 0)
		err = on_connect(tam, now, out, out_cap, out_len, diag);
	else
		err = on_message(tam, now, in, in_len, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}
