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
 * through reply_error(), but a message no trusted key verifies gets no
 * reply at all.
 */
#include "teep/tk_teep_agent.h"

#include <stdio.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"

/* Log component name. */
#define LOG_COMPONENT "agent"

/* Bytes of a token or kid shown in log lines. */
#define LOG_ID_PREFIX 4

/*
 * Bytes of a manifest component id shown in an err-msg, which contains at
 * most TK_TEEP_AGENT_MAX_ERR_MSG bytes. A longer id is shown by its last
 * bytes, because ids under one TEE share their first bytes ("TEEP-Device").
 */
#define ERR_MSG_ID_BYTES 16

/* Bytes of a manifest component id shown in log lines. */
#define LOG_MANIFEST_ID_BYTES 128

/* Bump allocator over the caller's work buffer. */
struct arena {
	uint8_t *buf;
	size_t cap;
	size_t used;
};

/* Context of one reply under construction. */
struct reply {
	struct tk_teep_agent *agent;
	struct arena arena;
	uint8_t *out;
	size_t out_cap;
	size_t *out_len;
};

/* Space left in the arena, for an encoder that shrinks it afterwards. */
static uint8_t *arena_rest(struct arena *a, size_t *cap)
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
static void log_event(const struct tk_teep_agent *agent, enum tk_log_level level,
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
static tk_err send_message(struct reply *r, const struct tk_teep_msg *msg,
			   struct tk_diag *diag)
{
	size_t cap;
	size_t len = 0;
	uint8_t *buf = arena_rest(&r->arena, &cap);
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
static tk_err reply_error(struct reply *r, uint64_t err_code, struct tk_span token,
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
	log_event(agent, TK_LOG_NOTICE, line);
	agent->last_err_code = err_code;
	agent->last_cause = cause;
	memcpy(agent->last_err_msg, err_msg, err_msg_len);
	agent->last_err_msg[err_msg_len] = '\0';
	return send_message(r, &msg, diag);
}

/* Reply with ERR_PERMANENT_ERROR (1) to a malformed or invalid message. */
static tk_err reply_invalid(struct reply *r, struct tk_span token, tk_err cause,
			    const struct tk_diag *detail, struct tk_diag *diag)
{
	return reply_error(r, TK_TEEP_ERR_PERMANENT_ERROR, token, cause, detail,
			   "invalid message: ", diag);
}

/* Walk of the installed components: count them, or encode tc-list entries. */
struct tc_walk {
	struct tk_cbor_enc *enc;  /* NULL while counting */
	const struct tk_span *find; /* component id looked for, or NULL */
	bool found;
	size_t count;
};

static tk_err visit_component(void *ctx, const struct tk_teep_agent_component *c)
{
	struct tc_walk *w = ctx;
	uint8_t digest[48];
	struct tk_cbor_enc denc;
	size_t dlen = 0;
	tk_err err;

	if (w->find != NULL) {
		if (tk_span_equal(*w->find, c->id))
			w->found = true;
		return TK_OK;
	}
	w->count++;
	if (w->enc == NULL)
		return TK_OK;

	/* system-property-claims: { 0: component id, 3: << SUIT_Digest >> } */
	tk_cbor_enc_init(&denc, digest, sizeof(digest), NULL);
	tk_cbor_put_array(&denc, 2);
	tk_cbor_put_int(&denc, -16); /* SHA-256 */
	tk_cbor_put_bstr(&denc, c->digest, sizeof(c->digest));
	err = tk_cbor_enc_finish(&denc, &dlen);
	if (err != TK_OK)
		return err;
	tk_cbor_put_map(w->enc, 2);
	tk_cbor_put_uint(w->enc, 0);
	tk_cbor_put_raw(w->enc, c->id.ptr, c->id.len);
	tk_cbor_put_uint(w->enc, 3);
	tk_cbor_put_bstr(w->enc, digest, dlen);
	return TK_OK;
}

static tk_err list_components(struct tk_teep_agent *agent, struct tc_walk *w,
			      struct tk_diag *diag)
{
	const struct tk_teep_agent_tee_ops *tee = &agent->cfg.tee;

	if (tee->list_components == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "TEE cannot list components");
	return tee->list_components(tee->ctx, visit_component, w, diag);
}

/* Encode the tc-list into the arena; *count 0 when nothing is installed. */
static tk_err build_tc_list(struct reply *r, struct tk_span *raw, size_t *count,
			    struct tk_diag *diag)
{
	struct tc_walk w = {NULL, NULL, false, 0};
	struct tk_cbor_enc enc;
	size_t cap;
	size_t len = 0;
	uint8_t *buf;
	tk_err err;

	err = list_components(r->agent, &w, diag);
	if (err != TK_OK || w.count == 0) {
		*count = 0;
		return err;
	}
	buf = arena_rest(&r->arena, &cap);
	tk_cbor_enc_init(&enc, buf, cap, diag);
	tk_cbor_put_array(&enc, w.count);
	w.enc = &enc;
	w.count = 0;
	err = list_components(r->agent, &w, diag);
	if (err == TK_OK)
		err = tk_cbor_enc_finish(&enc, &len);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	*raw = tk_span_make(buf, len);
	*count = w.count;
	return TK_OK;
}

/* Encode requested-tc-list: the requested component ids not installed. */
static tk_err build_requested_list(struct reply *r, struct tk_span *raw, size_t *count,
				   struct tk_diag *diag)
{
	const struct tk_teep_agent_config *cfg = &r->agent->cfg;
	bool missing[TK_TEEP_AGENT_MAX_REQUESTED];
	size_t n = 0;
	struct tk_cbor_enc enc;
	size_t cap;
	size_t len = 0;
	uint8_t *buf;
	tk_err err;

	*count = 0;
	if (cfg->n_requested > sizeof(missing) / sizeof(missing[0]))
		return TK_FAIL(diag, TK_ERR_INTERNAL, "%zu requested components, limit %zu",
			       cfg->n_requested, sizeof(missing) / sizeof(missing[0]));
	for (size_t i = 0; i < cfg->n_requested; i++) {
		struct tc_walk w = {NULL, &cfg->requested[i], false, 0};

		err = list_components(r->agent, &w, diag);
		if (err != TK_OK)
			return err;
		missing[i] = !w.found;
		n += missing[i] ? 1 : 0;
		if (w.found) {
			/* RequestTA of an installed TA sends nothing (draft "TEEP
			   Agent Behavior"); say so, since the user asked for it. */
			char id[2 * 16 + 4];
			char line[96];

			tk_log_id_prefix(cfg->requested[i].ptr, cfg->requested[i].len, 16, id,
					 sizeof(id));
			snprintf(line, sizeof(line), "requested component %s is installed already",
				 id);
			log_event(r->agent, TK_LOG_INFO, line);
		}
	}
	if (n == 0)
		return TK_OK;

	/* requested-tc-info = { component-id (16) => SUIT_Component_Identifier } */
	buf = arena_rest(&r->arena, &cap);
	tk_cbor_enc_init(&enc, buf, cap, diag);
	tk_cbor_put_array(&enc, n);
	for (size_t i = 0; i < cfg->n_requested; i++) {
		if (!missing[i])
			continue;
		tk_cbor_put_map(&enc, 1);
		tk_cbor_put_uint(&enc, TK_TEEP_LABEL_COMPONENT_ID);
		tk_cbor_put_raw(&enc, cfg->requested[i].ptr, cfg->requested[i].len);
	}
	err = tk_cbor_enc_finish(&enc, &len);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	*raw = tk_span_make(buf, len);
	*count = n;
	return TK_OK;
}

/* Version scheme of hwversion (CoSWID $version-scheme). */
#define VERSION_SCHEME_MULTIPARTNUMERIC 1
#define VERSION_SCHEME_ALPHANUMERIC 3

/* Scheme of a version text: multipartnumeric for "1.3.4", else alphanumeric. */
static int64_t version_scheme(const char *version)
{
	bool digit = false;

	for (const char *p = version; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p != '.')
			return VERSION_SCHEME_ALPHANUMERIC;
	}
	return digit ? VERSION_SCHEME_MULTIPARTNUMERIC : VERSION_SCHEME_ALPHANUMERIC;
}

/*
 * Build the evidence: an EAT of the TEEP profile (draft section "EAT
 * Profile") with eat_nonce = `nonce` (the challenge or token), ueid, oemid, hwmodel, hwversion,
 * manifests (the agent itself as a SUIT_Reference) and cnf (the TEE key's
 * thumbprint), signed as a COSE_Sign1 with the TEE key.
 */
static tk_err build_evidence(struct reply *r, struct tk_span nonce,
			     struct tk_span *evidence, struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	const struct tk_teep_agent_tee_ops *tee = &agent->cfg.tee;
	const struct tk_teep_agent_device *dev = &agent->cfg.device;
	uint8_t ueid[TK_EAT_UEID_MAX];
	uint8_t reference[TK_TEEP_AGENT_MAX_URI + 64]; /* uri, digest and heads */
	struct tk_eat_suit_reference ref;
	struct tk_eat_claims claims;
	size_t ueid_len = 0;
	size_t ref_len = 0;
	size_t cap;
	size_t len = 0;
	uint8_t *buf;
	tk_err err;

	if (dev->hwversion == NULL || dev->agent_uri == NULL ||
	    strlen(dev->agent_uri) > TK_TEEP_AGENT_MAX_URI)
		return TK_FAIL(diag, TK_ERR_ARG, "device claims for the evidence are incomplete");
	if (tee->ueid == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "TEE has no UEID hook");
	err = tee->ueid(tee->ctx, ueid, sizeof(ueid), &ueid_len, diag);
	if (err != TK_OK)
		return err;

	memset(&ref, 0, sizeof(ref));
	ref.uri = tk_span_make(dev->agent_uri, strlen(dev->agent_uri));
	ref.digest_alg = TK_EAT_DIGEST_SHA256;
	ref.digest = tk_span_make(dev->agent_digest, sizeof(dev->agent_digest));
	err = tk_eat_encode_suit_reference(&ref, reference, sizeof(reference), &ref_len, diag);
	if (err != TK_OK)
		return err;

	memset(&claims, 0, sizeof(claims));
	claims.present = TK_EAT_HAS_CNF | TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID |
			 TK_EAT_HAS_OEMID | TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION |
			 TK_EAT_HAS_PROFILE | TK_EAT_HAS_MANIFESTS;
	claims.nonce = nonce;
	claims.ueid = tk_span_make(ueid, ueid_len);
	claims.oemid = dev->oemid;
	claims.hwmodel = dev->hwmodel;
	claims.hwversion = tk_span_make(dev->hwversion, strlen(dev->hwversion));
	claims.has_hwversion_scheme = true;
	claims.hwversion_scheme = version_scheme(dev->hwversion);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(reference, ref_len);
	claims.manifest_count = 1;

	buf = arena_rest(&r->arena, &cap);
	err = tk_eat_sign(agent->cfg.crypto, agent->tee_key, &claims, buf, cap, &len, diag);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	*evidence = tk_span_make(buf, len);
	return TK_OK;
}

/* Check the QueryRequest's negotiable fields; returns the err-code, 0 if fine. */
static uint64_t check_query_request(const struct tk_teep_agent *agent,
				    const struct tk_teep_query_request *qr, const char **reason)
{
	struct tk_teep_iter it;
	struct tk_teep_cipher_suite suite;
	uint64_t value;
	bool ok = false;

	/* Versions: absent means version 0 only. */
	if (qr->versions.count > 0) {
		if (tk_teep_iter_init(&it, qr->versions.raw, NULL) != TK_OK)
			return TK_TEEP_ERR_PERMANENT_ERROR;
		while (tk_teep_iter_more(&it))
			if (tk_teep_iter_next_uint(&it, &value) == TK_OK && value == TK_TEEP_VERSION_0)
				ok = true;
		if (!ok) {
			*reason = "no supported version (0) offered";
			return TK_TEEP_ERR_UNSUPPORTED_MSG_VERSION;
		}
	}

	/* The suite of the TEE key must be one the TAM offers. */
	ok = false;
	if (tk_teep_iter_init(&it, qr->supported_teep_cipher_suites.raw, NULL) != TK_OK)
		return TK_TEEP_ERR_PERMANENT_ERROR;
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_suite(&it, &suite) == TK_OK && suite.op_count == 1 &&
		    suite.cose_type == TK_TEEP_COSE_SIGN1 && suite.alg == agent->alg)
			ok = true;
	if (!ok) {
		*reason = "no supported cipher suite offered";
		return TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES;
	}

	/* Freshness: absent means nonce only, which is what we implement. */
	if (qr->supported_freshness_mechanisms.count > 0) {
		ok = false;
		if (tk_teep_iter_init(&it, qr->supported_freshness_mechanisms.raw, NULL) != TK_OK)
			return TK_TEEP_ERR_PERMANENT_ERROR;
		while (tk_teep_iter_more(&it))
			if (tk_teep_iter_next_uint(&it, &value) == TK_OK &&
			    value == TK_TEEP_FRESHNESS_NONCE)
				ok = true;
		if (!ok) {
			*reason = "nonce freshness not offered";
			return TK_TEEP_ERR_UNSUPPORTED_FRESHNESS_MECHANISMS;
		}
	}
	/* The EAT nonce is the challenge, or in the passport model the token
	   (draft section "Attestation Freshness Mechanisms"). */
	if ((qr->data_item_requested & TK_TEEP_DATA_ATTESTATION) != 0) {
		if (qr->challenge.len == 0 && qr->token.len == 0) {
			*reason = "attestation requested without a challenge or token";
			return TK_TEEP_ERR_PERMANENT_ERROR;
		}
		if (qr->challenge.len > TK_EAT_NONCE_MAX) {
			*reason = "challenge longer than the 64 bytes an EAT nonce holds";
			return TK_TEEP_ERR_PERMANENT_ERROR;
		}
	}
	return 0;
}

/* Reply to a QueryRequest with a QueryResponse (draft "Handling a QueryRequest"). */
static tk_err handle_query_request(struct reply *r, const struct tk_teep_query_request *qr,
				   struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	struct tk_teep_msg msg;
	struct tk_diag local;
	const char *reason = NULL;
	uint64_t code;
	tk_err err;

	/* Keep the token for log lines; replies echo it from the message. */
	if (qr->token.len > 0)
		memcpy(agent->token, qr->token.ptr, qr->token.len);
	agent->token_len = qr->token.len;
	log_event(agent, TK_LOG_INFO, "QueryRequest verified");

	code = check_query_request(agent, qr, &reason);
	if (code != 0) {
		tk_diag_clear(&local);
		(void)TK_FAIL(&local, TK_ERR_POLICY, "%s",
			      reason != NULL ? reason : "invalid QueryRequest");
		return reply_error(r, code, qr->token, TK_ERR_POLICY, &local, "", diag);
	}

	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_QUERY_RESPONSE;
	msg.query_response.token = qr->token;
	tk_diag_clear(&local);
	err = build_tc_list(r, &msg.query_response.tc_list.raw, &msg.query_response.tc_list.count,
			    &local);
	if (err == TK_OK)
		err = build_requested_list(r, &msg.query_response.requested_tc_list.raw,
					   &msg.query_response.requested_tc_list.count, &local);
	if (err == TK_OK && (qr->data_item_requested & TK_TEEP_DATA_ATTESTATION) != 0) {
		err = build_evidence(r, qr->challenge.len > 0 ? qr->challenge : qr->token,
				     &msg.query_response.attestation_payload, &local);
		msg.query_response.has_attestation_payload = err == TK_OK;
	}
	if (err != TK_OK)
		return reply_error(r, TK_TEEP_ERR_TEMPORARY_ERROR, qr->token, err, &local,
				   "cannot build QueryResponse: ", diag);
	/* NOTE: ext-list and suit-reports are not sent although the bits may
	   ask for them: the CDDL requires non-empty lists, and this agent
	   supports no extension and keeps no boot-time SUIT reports. */

	err = send_message(r, &msg, diag);
	if (err != TK_OK)
		return err;
	agent->state = TK_TEEP_AGENT_QUERIED;
	log_event(agent, TK_LOG_INFO, "sent QueryResponse");
	return TK_OK;
}

/*
 * Write the hex of a manifest component id into out: whole when it has at
 * most `max_bytes` bytes, else "..." and the hex of its last max_bytes.
 * out must hold 2 * max_bytes + 4 bytes.
 */
static void format_manifest_id(struct tk_span id, size_t max_bytes, char *out, size_t cap)
{
	size_t skip = id.len > max_bytes ? id.len - max_bytes : 0;
	size_t n = 0;

	if (skip > 0 && cap > 3) {
		memcpy(out, "...", 3);
		n = 3;
	}
	for (size_t i = skip; i < id.len && n + 2 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02x", id.ptr[i]);
	out[n] = '\0';
}

/*
 * Name the failed manifest in the err-msg prefix and log the failure with
 * the whole id: by id and sequence number once authenticated, else by its
 * position in the manifest-list.
 */
static void name_failed_manifest(const struct tk_teep_agent *agent, const char *verb,
				 size_t index, const struct tk_teep_agent_manifest_name *name,
				 const struct tk_diag *detail, char *prefix, size_t prefix_cap)
{
	char id_short[2 * ERR_MSG_ID_BYTES + 4];
	char id_long[2 * LOG_MANIFEST_ID_BYTES + 4];
	char line[2 * LOG_MANIFEST_ID_BYTES + TK_DIAG_MSG_MAX + 96];

	if (!name->known) {
		snprintf(prefix, prefix_cap, "%s of manifest-list entry %zu failed: ", verb, index);
		return;
	}
	format_manifest_id(name->id, ERR_MSG_ID_BYTES, id_short, sizeof(id_short));
	format_manifest_id(name->id, LOG_MANIFEST_ID_BYTES, id_long, sizeof(id_long));
	snprintf(prefix, prefix_cap, "%s of manifest %s sequence number %llu failed: ", verb,
		 id_short, (unsigned long long)name->sequence_number);
	snprintf(line, sizeof(line), "%s of manifest %s sequence number %llu failed: %s", verb,
		 id_long, (unsigned long long)name->sequence_number,
		 detail->msg[0] != '\0' ? detail->msg : tk_err_text(detail->code));
	log_event(agent, TK_LOG_NOTICE, line);
}

/* Unlink each manifest of the unneeded-manifest-list. */
static tk_err unlink_manifests(struct tk_teep_agent *agent, const struct tk_teep_update *up,
			       size_t *failed, struct tk_span *failed_id, struct tk_diag *diag)
{
	const struct tk_teep_agent_tee_ops *tee = &agent->cfg.tee;
	struct tk_teep_iter it;
	struct tk_span id;
	size_t index = 0;
	tk_err err;

	err = tk_teep_iter_init(&it, up->unneeded_manifest_list.raw, diag);
	while (err == TK_OK && tk_teep_iter_more(&it)) {
		*failed = index++;
		*failed_id = TK_SPAN_EMPTY;
		err = tk_teep_iter_next_item(&it, &id);
		if (err != TK_OK)
			break;
		*failed_id = id;
		if (tee->unlink_manifest == NULL)
			return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "TEE cannot unlink manifests");
		err = tee->unlink_manifest(tee->ctx, id.ptr, id.len, diag);
		if (err == TK_ERR_NOT_FOUND) {
			/* Already gone: unlinking is idempotent. */
			tk_diag_clear(diag);
			err = TK_OK;
			continue;
		}
		if (err == TK_OK)
			agent->unlinked++;
	}
	return err;
}

/* Run the SUIT update procedure on each manifest of the manifest-list. */
static tk_err install_manifests(struct tk_teep_agent *agent, const struct tk_teep_update *up,
				size_t *failed, struct tk_teep_agent_manifest_name *name,
				struct tk_diag *diag)
{
	const struct tk_teep_agent_tee_ops *tee = &agent->cfg.tee;
	struct tk_teep_iter it;
	struct tk_span envelope;
	size_t index = 0;
	tk_err err;

	err = tk_teep_iter_init(&it, up->manifest_list.raw, diag);
	while (err == TK_OK && tk_teep_iter_more(&it)) {
		*failed = index++;
		memset(name, 0, sizeof(*name));
		err = tk_teep_iter_next_bstr(&it, &envelope);
		if (err != TK_OK)
			break;
		if (tee->process_manifest == NULL)
			return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "TEE cannot process manifests");
		err = tee->process_manifest(tee->ctx, envelope.ptr, envelope.len, name, diag);
		if (err == TK_OK)
			agent->installed++;
	}
	return err;
}

/* Process an Update (draft "Handling an Update Message"). */
static tk_err handle_update(struct reply *r, const struct tk_teep_update *up,
			    struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	struct tk_teep_msg msg;
	struct tk_diag local;
	struct tk_teep_agent_manifest_name name;
	struct tk_span failed_id = TK_SPAN_EMPTY;
	char prefix[TK_TEEP_AGENT_MAX_ERR_MSG];
	char line[96];
	size_t failed = 0;
	tk_err err;

	/*
	 * The Update carries its own token: the draft requires a TAM to use a
	 * different token in each message it creates, so it cannot equal the
	 * QueryRequest's. The agent echoes it; the TAM matches it. Replay of an
	 * old Update is stopped by the TAM key check and the SUIT sequence
	 * numbers, which reject a manifest that is not newer.
	 */
	if (up->token.len > 0)
		memcpy(agent->token, up->token.ptr, up->token.len);
	agent->token_len = up->token.len;
	log_event(agent, TK_LOG_INFO, "Update verified");

	if (up->has_err_code) {
		agent->tam_err_code = up->err_code;
		snprintf(line, sizeof(line), "TAM reported err-code %llu in its Update",
			 (unsigned long long)up->err_code);
		log_event(agent, TK_LOG_NOTICE, line);
	}

	/* Unneeded manifests first, then the new ones, as the draft orders it. */
	tk_diag_clear(&local);
	err = unlink_manifests(agent, up, &failed, &failed_id, &local);
	if (err != TK_OK) {
		/* The unneeded-manifest-list names the id itself, with no sequence number. */
		char id_short[2 * ERR_MSG_ID_BYTES + 4];

		format_manifest_id(failed_id, ERR_MSG_ID_BYTES, id_short, sizeof(id_short));
		if (failed_id.len > 0)
			snprintf(prefix, sizeof(prefix), "unlink of manifest %s failed: ", id_short);
		else
			snprintf(prefix, sizeof(prefix),
				 "unlink of unneeded-manifest-list entry %zu failed: ", failed);
		agent->state = TK_TEEP_AGENT_DONE;
		return reply_error(r, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED, up->token, err,
				   &local, prefix, diag);
	}
	memset(&name, 0, sizeof(name));
	err = install_manifests(agent, up, &failed, &name, &local);
	if (err != TK_OK) {
		name_failed_manifest(agent, "install", failed, &name, &local, prefix,
				     sizeof(prefix));
		agent->state = TK_TEEP_AGENT_DONE;
		return reply_error(r, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED, up->token, err,
				   &local, prefix, diag);
	}

	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_SUCCESS;
	msg.success.token = up->token;
	err = send_message(r, &msg, diag);
	if (err != TK_OK)
		return err;
	agent->state = TK_TEEP_AGENT_DONE;
	snprintf(line, sizeof(line), "sent Success: %u %s installed, %u unlinked",
		 agent->installed, agent->installed == 1 ? "manifest" : "manifests",
		 agent->unlinked);
	log_event(agent, TK_LOG_INFO, line);
	return TK_OK;
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
		log_event(agent, TK_LOG_NOTICE, line);
		if (diag != NULL)
			*diag = local;
		return TK_ERR_UNTRUSTED;
	}
	if (err == TK_ERR_ALG_UNSUPPORTED)
		return reply_error(r, TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES, TK_SPAN_EMPTY, err,
				   &local, "unsupported signature algorithm: ", diag);
	if (err != TK_OK)
		return reply_invalid(r, TK_SPAN_EMPTY, err, &local, diag);

	err = tk_teep_decode(payload.ptr, payload.len, &msg, &local);
	if (err != TK_OK)
		return reply_invalid(r, TK_SPAN_EMPTY, err, &local, diag);

	if (msg.type == TK_TEEP_TYPE_QUERY_REQUEST && agent->state == TK_TEEP_AGENT_IDLE)
		return handle_query_request(r, &msg.query_request, diag);
	if (msg.type == TK_TEEP_TYPE_UPDATE && agent->state == TK_TEEP_AGENT_QUERIED)
		return handle_update(r, &msg.update, diag);

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
	log_event(agent, TK_LOG_INFO, "opening session");
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
		log_event(agent, TK_LOG_WARNING, "session failed");
		return err;
	}

	log_event(agent, TK_LOG_INFO, "session ended by the TAM");
	if (agent->last_sent == TK_TEEP_AGENT_SENT_ERROR)
		return TK_FAIL(diag, agent->last_cause != TK_OK ? agent->last_cause : TK_ERR_PROTOCOL,
			       "agent responded with Error err-code %llu: %s",
			       (unsigned long long)agent->last_err_code, agent->last_err_msg);
	if (agent->tam_err_code != 0)
		return TK_FAIL(diag, TK_ERR_PROTOCOL, "TAM reported err-code %llu",
			       (unsigned long long)agent->tam_err_code);
	return TK_OK;
}
