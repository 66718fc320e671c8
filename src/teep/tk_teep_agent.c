/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP Agent protocol state machine (draft-ietf-teep-protocol, sections
 * "Validating a TEEP Message" and "TEEP Agent Behavior").
 *
 * tk_teep_agent_process() takes one signed TAM message through three
 * steps: verify the COSE wrapper (verify_message), decode the TEEP payload
 * (tk_teep_decode), and dispatch on the message type and session state.
 * Each handler builds its reply payload in the caller's work buffer with a
 * bump allocator (struct arena), and sign_reply() wraps it in a COSE_Sign1
 * with the TEE key. A malformed or invalid message becomes an Error reply
 * through tk_teep_agent_reply_error(), but a message no trusted key
 * verifies gets no reply at all.
 *
 * This file contains the session, the COSE wrapper and the replies that
 * every handler sends. The QueryRequest handler and the evidence are in
 * tk_teep_agent_query.c, and the Update handler is in
 * tk_teep_agent_update.c.
 */
#include "teep/tk_teep_agent.h"

#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "teep/tk_teep_agent_impl.h"
#include "teep/tk_teep_names.h"

/* Log component name. */
#define LOG_COMPONENT "agent"

/* Bytes of a token or kid shown in log lines. */
#define LOG_ID_PREFIX 4

/* Space left in the arena, for an encoder that shrinks it afterwards. */
uint8_t *tk_teep_agent_arena_rest(struct arena *a, size_t *cap)
{
	*cap = a->cap - a->used;
	return a->buf + a->used;
}

static void log_ids(const struct tk_teep_agent *agent, char *kid, size_t kid_cap,
		    char *token, size_t token_cap)
{
	uint8_t thumb[TK_CRYPTO_SHA256_LEN];

	kid[0] = '\0';
	if (agent->tam_key != NULL &&
	    tk_cose_key_thumbprint_crypto(agent->cfg.crypto, agent->tam_key, thumb, NULL) == TK_OK)
		tk_log_id_prefix(thumb, sizeof(thumb), LOG_ID_PREFIX, kid, kid_cap);
	tk_log_id_prefix(agent->token, agent->token_len, LOG_ID_PREFIX, token, token_cap);
}

/* Log one session event with the TAM URI, TAM kid prefix and token prefix. */
void tk_teep_agent_log_event(const struct tk_teep_agent *agent, enum tk_log_level level,
			     const char *what)
{
	char kid[2 * LOG_ID_PREFIX + 4];
	char token[2 * LOG_ID_PREFIX + 4];

	log_ids(agent, kid, sizeof(kid), token, sizeof(token));
	tk_log(agent->cfg.log, level, LOG_COMPONENT, "tam %s kid %s token %s: %s",
	       agent->cfg.tam_uri != NULL ? agent->cfg.tam_uri : "(in-process)",
	       kid[0] != '\0' ? kid : "-", token[0] != '\0' ? token : "-", what);
}

/*
 * Copy a diagnostic message into an err-msg: printable ASCII only (so it is
 * valid UTF-8 whatever bytes the message quoted), 1..128 bytes.
 */
static size_t make_err_msg(const char *prefix, const struct tk_diag *diag, char *out,
			   size_t cap)
{
	const char *detail = diag != NULL && diag->msg[0] != '\0'
				     ? diag->msg
				     : tk_err_text(diag != NULL ? diag->code : TK_ERR_INTERNAL);
	size_t n = 0;

	for (const char *s = prefix; *s != '\0' && n < cap; s++)
		out[n++] = *s;
	for (const char *s = detail; *s != '\0' && n < cap; s++)
		out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (n == 0)
		out[n++] = '?';
	return n;
}

/* Algorithms accepted from the TAM for the suite of the TEE key. */
static size_t allowed_algs(int64_t alg, int64_t out[2])
{
	out[0] = alg;
	out[1] = alg == TK_COSE_ALG_ESP256 ? TK_COSE_ALG_ES256 : TK_COSE_ALG_EDDSA;
	return 2;
}

static bool is_cbor_error(tk_err err)
{
	return err >= 100 && err < 200;
}

static bool is_shape_error(tk_err err)
{
	return (err >= 100 && err < 300) || err == TK_ERR_LIMIT_DEPTH;
}

/*
 * Verify the COSE wrapper of a TAM message (draft section "Validating a
 * TEEP Message", steps 1-4). Before a suite is chosen, a COSE_Sign or a
 * COSE_Sign1 by any configured TAM key is accepted. Afterwards only a
 * COSE_Sign1 by the key that verified the QueryRequest is.
 */
static tk_err verify_message(struct tk_teep_agent *agent, const uint8_t *in, size_t in_len,
			     struct tk_span *payload, struct tk_diag *diag)
{
	struct tk_cose_trusted_key keys[TK_TEEP_AGENT_MAX_TAM_KEYS];
	struct tk_cose_verify_opts opts;
	struct tk_cose_verified verified;
	int64_t algs[2];
	struct tk_diag sign_diag;
	tk_err err;

	memset(&opts, 0, sizeof(opts));
	memset(keys, 0, sizeof(keys));
	opts.tag_mode = TK_COSE_TAG_OPTIONAL;
	opts.n_allowed_algs = allowed_algs(agent->alg, algs);
	opts.allowed_algs = algs;
	if (agent->state == TK_TEEP_AGENT_IDLE) {
		for (size_t i = 0; i < agent->cfg.n_tam_keys; i++)
			keys[i].key = agent->cfg.tam_keys[i];
		opts.n_keys = agent->cfg.n_tam_keys;
	} else {
		keys[0].key = agent->tam_key;
		opts.n_keys = 1;
	}
	opts.keys = keys;

	err = tk_cose_sign1_verify(agent->cfg.crypto, in, in_len, &opts, &verified, diag);
	if (err != TK_OK && is_shape_error(err) && !is_cbor_error(err) &&
	    agent->state == TK_TEEP_AGENT_IDLE) {
		/* Not a COSE_Sign1: the first QueryRequest is normally a COSE_Sign. */
		tk_diag_clear(&sign_diag);
		err = tk_cose_sign_verify(agent->cfg.crypto, in, in_len, &opts, &verified,
					  &sign_diag);
		if (err != TK_OK && diag != NULL) {
			tk_diag_clear(diag);
			*diag = sign_diag;
		}
	}
	if (err != TK_OK)
		return err;

	if (agent->state == TK_TEEP_AGENT_IDLE)
		agent->tam_key = keys[verified.key_index].key;
	*payload = verified.payload;
	return TK_OK;
}

/* Wrap the payload in a COSE_Sign1 signed by the TEE key, into the output. */
static tk_err sign_reply(struct reply *r, const uint8_t *payload, size_t payload_len,
			 struct tk_diag *diag)
{
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;

	memset(&signer, 0, sizeof(signer));
	memset(&opts, 0, sizeof(opts));
	signer.key = r->agent->tee_key;
	signer.alg = r->agent->alg;
	signer.kid_thumbprint = true;
	opts.tagged = true;
	return tk_cose_sign1_create(r->agent->cfg.crypto, &signer, payload, payload_len, &opts,
				    r->out, r->out_cap, r->out_len, diag);
}

/* Encode msg into the arena and sign it into the output. */
tk_err tk_teep_agent_send_message(struct reply *r, const struct tk_teep_msg *msg,
				  struct tk_diag *diag)
{
	size_t cap;
	size_t len = 0;
	uint8_t *buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	tk_err err;

	err = tk_teep_encode(msg, buf, cap, &len, diag);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	err = sign_reply(r, buf, len, diag);
	if (err != TK_OK)
		return err;
	r->agent->last_sent = (enum tk_teep_agent_sent)msg->type;
	return TK_OK;
}

/*
 * Reply with an Error message (draft section "Error Message"). The token
 * of the message being replied to is echoed when it had one. `cause` and
 * `detail` name what failed. For the codes that require it, the agent's
 * supported values are attached.
 */
tk_err tk_teep_agent_reply_error(struct reply *r, uint64_t err_code, struct tk_span token,
				 tk_err cause, const struct tk_diag *detail, const char *prefix,
				 struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	struct tk_teep_msg msg;
	struct tk_teep_cipher_suite suite;
	static const uint64_t versions[1] = {TK_TEEP_VERSION_0};
	static const uint64_t freshness[1] = {TK_TEEP_FRESHNESS_NONCE};
	char err_msg[TK_TEEP_MSG_MAX];
	size_t err_msg_len = make_err_msg(prefix, detail, err_msg, sizeof(err_msg));
	char line[TK_DIAG_MSG_MAX + 64];

	memset(&msg, 0, sizeof(msg));
	memset(&suite, 0, sizeof(suite));
	msg.type = TK_TEEP_TYPE_ERROR;
	msg.error.token = token;
	msg.error.err_code = err_code;
	msg.error.err_msg = tk_span_make(err_msg, err_msg_len);
	msg.error.suit_reports.items = r->suit_reports;
	msg.error.suit_reports.count = r->n_suit_reports;
	agent->suit_reports = (unsigned)r->n_suit_reports;
	if (err_code == TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES) {
		suite.op_count = 1;
		suite.cose_type = TK_TEEP_COSE_SIGN1;
		suite.alg = agent->alg;
		msg.error.supported_teep_cipher_suites.items = &suite;
		msg.error.supported_teep_cipher_suites.count = 1;
	}
	if (err_code == TK_TEEP_ERR_UNSUPPORTED_MSG_VERSION) {
		msg.error.versions.items = versions;
		msg.error.versions.count = 1;
	}
	if (err_code == TK_TEEP_ERR_UNSUPPORTED_FRESHNESS_MECHANISMS) {
		msg.error.supported_freshness_mechanisms.items = freshness;
		msg.error.supported_freshness_mechanisms.count = 1;
	}

	snprintf(line, sizeof(line), "sending Error err-code %llu: %.*s",
		 (unsigned long long)err_code, (int)err_msg_len, err_msg);
	tk_teep_agent_log_event(agent, TK_LOG_NOTICE, line);
	agent->last_err_code = err_code;
	agent->last_cause = cause;
	memcpy(agent->last_err_msg, err_msg, err_msg_len);
	agent->last_err_msg[err_msg_len] = '\0';
	return tk_teep_agent_send_message(r, &msg, diag);
}

/* Reply with ERR_PERMANENT_ERROR (1) to a malformed or invalid message. */
static tk_err reply_invalid(struct reply *r, struct tk_span token, tk_err cause,
			    const struct tk_diag *detail, struct tk_diag *diag)
{
	return tk_teep_agent_reply_error(r, TK_TEEP_ERR_PERMANENT_ERROR, token, cause, detail,
					 "invalid message: ", diag);
}

/* Token of a decoded message of any type; empty when it has none. */
static struct tk_span message_token(const struct tk_teep_msg *msg)
{
	switch (msg->type) {
	case TK_TEEP_TYPE_QUERY_REQUEST:
		return msg->query_request.token;
	case TK_TEEP_TYPE_QUERY_RESPONSE:
		return msg->query_response.token;
	case TK_TEEP_TYPE_UPDATE:
		return msg->update.token;
	case TK_TEEP_TYPE_SUCCESS:
		return msg->success.token;
	case TK_TEEP_TYPE_ERROR:
		return msg->error.token;
	}
	return TK_SPAN_EMPTY;
}

/* Verify and decode a TAM message, then dispatch it. */
static tk_err dispatch(struct reply *r, const uint8_t *in, size_t in_len, struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	struct tk_teep_msg msg;
	struct tk_span payload;
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = verify_message(agent, in, in_len, &payload, &local);
	if (err == TK_ERR_UNTRUSTED || err == TK_ERR_SIGNATURE) {
		/* Dropped, because the draft's validation requires rejecting
		   it and a reply would sign data for an unauthenticated peer. */
		char line[TK_DIAG_MSG_MAX + 64];

		snprintf(line, sizeof(line), "dropped a message no trusted TAM key verifies: %s",
			 local.msg);
		tk_teep_agent_log_event(agent, TK_LOG_NOTICE, line);
		if (diag != NULL)
			*diag = local;
		return TK_ERR_UNTRUSTED;
	}
	if (err == TK_ERR_ALG_UNSUPPORTED)
		return tk_teep_agent_reply_error(r, TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES,
						 TK_SPAN_EMPTY, err, &local,
						 "unsupported signature algorithm: ", diag);
	if (err != TK_OK)
		return reply_invalid(r, TK_SPAN_EMPTY, err, &local, diag);

	err = tk_teep_decode(payload.ptr, payload.len, &msg, &local);
	if (err != TK_OK)
		return reply_invalid(r, TK_SPAN_EMPTY, err, &local, diag);

	if (msg.type == TK_TEEP_TYPE_QUERY_REQUEST && agent->state == TK_TEEP_AGENT_IDLE)
		return tk_teep_agent_handle_query_request(r, &msg.query_request, diag);
	if (msg.type == TK_TEEP_TYPE_UPDATE && agent->state == TK_TEEP_AGENT_QUERIED)
		return tk_teep_agent_handle_update(r, &msg.update, diag);

	(void)TK_FAIL(&local, TK_ERR_PROTOCOL, "message type %d not expected in state %d",
		      (int)msg.type, (int)agent->state);
	return reply_invalid(r, message_token(&msg), TK_ERR_PROTOCOL, &local, diag);
}

tk_err tk_teep_agent_init(struct tk_teep_agent *agent, const struct tk_teep_agent_config *cfg,
			  struct tk_diag *diag)
{
	const struct tk_teep_agent_tee_ops *tee;
	tk_err err;

	if (agent == NULL || cfg == NULL || cfg->crypto == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing agent, configuration or crypto provider");
	memset(agent, 0, sizeof(*agent));
	if (cfg->n_tam_keys == 0 || cfg->n_tam_keys > TK_TEEP_AGENT_MAX_TAM_KEYS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu TAM keys, expected 1..%d",
			       cfg->n_tam_keys, TK_TEEP_AGENT_MAX_TAM_KEYS);
	for (size_t i = 0; i < cfg->n_tam_keys; i++)
		if (cfg->tam_keys[i] == NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "TAM key %zu is missing", i);
	if (cfg->work == NULL || cfg->work_cap == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "missing work buffer");
	if (cfg->requested == NULL && cfg->n_requested > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "missing requested component ids");
	if (cfg->n_requested > TK_TEEP_AGENT_MAX_REQUESTED)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu requested components, limit %d",
			       cfg->n_requested, TK_TEEP_AGENT_MAX_REQUESTED);

	tee = &cfg->tee;
	if (tee->signing_key == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "TEE has no signing key hook");
	err = tee->signing_key(tee->ctx, &agent->tee_key, &agent->alg, diag);
	if (err != TK_OK)
		return err;
	if (agent->alg != TK_COSE_ALG_ESP256 && agent->alg != TK_COSE_ALG_ED25519) {
		agent->tee_key = NULL;
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "TEE key algorithm %lld is neither ESP256 nor Ed25519",
			       (long long)agent->alg);
	}
	agent->cfg = *cfg;
	agent->state = TK_TEEP_AGENT_IDLE;
	return TK_OK;
}

tk_err tk_teep_agent_process(struct tk_teep_agent *agent, const uint8_t *in, size_t in_len,
			     uint8_t *out, size_t out_cap, size_t *out_len,
			     struct tk_diag *diag)
{
	struct reply r;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no output length for the reply");
	*out_len = 0;
	if (agent == NULL || agent->tee_key == NULL || in == NULL || out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid arguments to the agent");

	memset(&r, 0, sizeof(r));
	r.agent = agent;
	r.arena.buf = agent->cfg.work;
	r.arena.cap = agent->cfg.work_cap;
	r.out = out;
	r.out_cap = out_cap;
	r.out_len = out_len;
	err = dispatch(&r, in, in_len, diag);

	/* The work buffer held the evidence and the reply payload. */
	tk_wipe(agent->cfg.work, r.arena.used);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_teep_agent_run(struct tk_teep_agent *agent, const struct tk_transport_ops *transport,
			 uint8_t *buf, size_t buf_cap, uint8_t *reply, size_t reply_cap,
			 struct tk_diag *diag)
{
	size_t in_len = 0;
	size_t out_len = 0;
	unsigned rounds = 0;
	tk_err err;

	if (agent == NULL || transport == NULL || buf == NULL || reply == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid arguments to the agent session");
	if (transport->exchange == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "transport has no exchange hook");

	/* Open the session with an empty POST (HTTP binding, "Session Creation"). */
	tk_teep_agent_log_event(agent, TK_LOG_INFO, "opening session");
	err = transport->exchange(transport->ctx, NULL, 0, buf, buf_cap, &in_len, diag);
	while (err == TK_OK && in_len > 0) {
		if (++rounds > TK_TEEP_AGENT_MAX_ROUNDS) {
			err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
				      "TAM sent more than %d messages in one session",
				      TK_TEEP_AGENT_MAX_ROUNDS);
			break;
		}
		err = tk_teep_agent_process(agent, buf, in_len, reply, reply_cap, &out_len, diag);
		if (err != TK_OK)
			break;
		err = transport->exchange(transport->ctx, reply, out_len, buf, buf_cap, &in_len,
					  diag);
	}
	if (err != TK_OK) {
		tk_teep_agent_log_event(agent, TK_LOG_WARNING, "session failed");
		return err;
	}

	tk_teep_agent_log_event(agent, TK_LOG_INFO, "session ended by the TAM");
	if (agent->last_sent == TK_TEEP_AGENT_SENT_ERROR)
		return TK_FAIL(diag, agent->last_cause != TK_OK ? agent->last_cause : TK_ERR_PROTOCOL,
			       "agent responded with Error err-code %llu: %s",
			       (unsigned long long)agent->last_err_code, agent->last_err_msg);
	/* The session itself went right: the TAM declined, by its policy. */
	if (agent->tam_err_code != 0)
		return TK_FAIL(diag, TK_ERR_POLICY, "TAM answered with err-code %llu (%s): %s",
			       (unsigned long long)agent->tam_err_code,
			       tk_teep_err_code_name(agent->tam_err_code) != NULL
				       ? tk_teep_err_code_name(agent->tam_err_code)
				       : "unknown",
			       agent->tam_err_msg[0] != '\0' ? agent->tam_err_msg : "no err-msg");
	return TK_OK;
}
