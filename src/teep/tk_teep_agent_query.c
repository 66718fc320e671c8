/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP Agent handling of a QueryRequest (draft-ietf-teep-protocol,
 * section "Handling a QueryRequest Message").
 *
 * The handler checks the negotiable fields of the QueryRequest and builds
 * the QueryResponse from the TEE hooks. Its tc-list names the installed
 * components, its requested-tc-list the requested ones not installed, and
 * its evidence is an EAT signed with the TEE key. Everything is built in
 * the work buffer of the reply (struct arena), and tk_teep_agent.c signs
 * and sends the QueryResponse. Evidence is encrypted to the TAM when its
 * encryption key is configured; a passport attestation result is not.
 */
#include "teep/tk_teep_agent.h"

#include <stdio.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "teep/tk_teep_agent_impl.h"
#include "teep/tk_teep_attest.h"

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
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
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
			   Agent Behavior"). The user requested it, so log why. */
			char id[2 * 16 + 4];
			char line[96];

			tk_log_id_prefix(cfg->requested[i].ptr, cfg->requested[i].len, 16, id,
					 sizeof(id));
			snprintf(line, sizeof(line), "requested component %s is installed already",
				 id);
			tk_teep_agent_log_event(r->agent, TK_LOG_INFO, line);
		}
	}
	if (n == 0)
		return TK_OK;

	/* requested-tc-info = { component-id (16) => SUIT_Component_Identifier } */
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
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

/* Let the TEE add the claims it vouches for, into the arena. */
static tk_err add_tee_claims(struct reply *r, struct tk_span nonce, struct tk_eat_claims *claims,
			     struct tk_diag *diag)
{
	const struct tk_teep_agent_attest_ops *at = r->agent->cfg.attest;
	size_t cap, used = 0;
	uint8_t *buf;
	tk_err err;

	if (at == NULL || at->evidence_claims == NULL)
		return TK_OK;
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	err = at->evidence_claims(at->ctx, nonce, claims, buf, cap, &used, diag);
	if (err != TK_OK)
		return err;
	if (used > cap)
		return TK_FAIL(diag, TK_ERR_INTERNAL, "evidence claims took %zu of %zu bytes",
			       used, cap);
	r->arena.used += used;
	return TK_OK;
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
	if ((err = add_tee_claims(r, nonce, &claims, diag)) != TK_OK)
		return err;

	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	err = tk_eat_sign(agent->cfg.crypto, agent->tee_key, &claims, buf, cap, &len, diag);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	*evidence = tk_span_make(buf, len);
	return TK_OK;
}

/*
 * Encrypt the evidence to the TAM's encryption key (draft section "EATs and
 * SUIT Reports": ES-DH with AES-KW, "EAT Encryption" in the KDF context),
 * naming that key by its RFC 9679 thumbprint in the recipient's kid.
 */
static tk_err encrypt_evidence(struct reply *r, struct tk_span evidence,
			       struct tk_teep_query_response *resp, struct tk_diag *diag)
{
	const struct tk_teep_agent_config *cfg = &r->agent->cfg;
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	size_t cap, len = 0;
	uint8_t *buf;
	tk_err err;

	err = tk_cose_key_thumbprint_crypto(cfg->crypto, cfg->tam_encryption_key, kid, diag);
	if (err != TK_OK)
		return err;
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	err = tk_eat_encrypt(cfg->crypto, cfg->tam_encryption_key, tk_span_make(kid, sizeof(kid)),
			     TK_COSE_ALG_A128GCM, evidence.ptr, evidence.len, buf, cap, &len,
			     diag);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	resp->attestation_payload = tk_span_make(buf, len);
	resp->has_attestation_payload_format = true;
	resp->attestation_payload_format =
		tk_span_make(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE,
			     strlen(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE));
	return TK_OK;
}

/*
 * The attestation-payload: the evidence itself, or in the passport model
 * (attest.passport_result set) the attestation result a verifier returned
 * for it, with its media type.
 */
static tk_err build_attestation(struct reply *r, const struct tk_teep_query_request *qr,
				struct tk_teep_query_response *resp, struct tk_diag *diag)
{
	const struct tk_teep_agent_attest_ops *at = r->agent->cfg.attest;
	struct tk_span challenge = qr->challenge.len > 0 ? qr->challenge : qr->token;
	struct tk_span evidence;
	uint8_t nonce[TK_EAT_NONCE_MAX];
	size_t nonce_len = 0, cap, len = 0;
	uint8_t *buf;
	tk_err err;

	if (at == NULL || at->passport_result == NULL) {
		err = build_evidence(r, challenge, &evidence, diag);
		if (err == TK_OK && r->agent->cfg.tam_encryption_key != NULL)
			err = encrypt_evidence(r, evidence, resp, diag);
		else if (err == TK_OK)
			resp->attestation_payload = evidence;
		resp->has_attestation_payload = err == TK_OK;
		return err;
	}
	if (at->passport_nonce != NULL) {
		err = at->passport_nonce(at->ctx, challenge, nonce, sizeof(nonce), &nonce_len,
					 diag);
		if (err != TK_OK)
			return err;
		challenge = tk_span_make(nonce, nonce_len);
	}
	if ((err = build_evidence(r, challenge, &evidence, diag)) != TK_OK)
		return err;
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	err = at->passport_result(at->ctx, evidence, buf, cap, &len, diag);
	if (err != TK_OK)
		return err;
	r->arena.used += len;
	resp->has_attestation_payload = true;
	resp->attestation_payload = tk_span_make(buf, len);
	resp->has_attestation_payload_format = true;
	resp->attestation_payload_format = tk_span_make(TK_TEEP_EAR_MEDIA_TYPE,
							strlen(TK_TEEP_EAR_MEDIA_TYPE));
	tk_teep_agent_log_event(r->agent, TK_LOG_INFO, "obtained an attestation result "
				"from the verifier (passport model)");
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
tk_err tk_teep_agent_handle_query_request(struct reply *r,
					  const struct tk_teep_query_request *qr,
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
	tk_teep_agent_log_event(agent, TK_LOG_INFO, "QueryRequest verified");

	code = check_query_request(agent, qr, &reason);
	if (code != 0) {
		tk_diag_clear(&local);
		(void)TK_FAIL(&local, TK_ERR_POLICY, "%s",
			      reason != NULL ? reason : "invalid QueryRequest");
		return tk_teep_agent_reply_error(r, code, qr->token, TK_ERR_POLICY, &local, "",
						 diag);
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
	if (err == TK_OK && (qr->data_item_requested & TK_TEEP_DATA_ATTESTATION) != 0)
		err = build_attestation(r, qr, &msg.query_response, &local);
	if (err == TK_OK)
		err = tk_teep_agent_boot_reports(r, qr, &msg.query_response.suit_reports);
	if (err != TK_OK)
		return tk_teep_agent_reply_error(r, TK_TEEP_ERR_TEMPORARY_ERROR, qr->token, err,
						 &local, "cannot build QueryResponse: ", diag);
	/* NOTE: ext-list is not sent although the bit may ask for it: the
	   CDDL requires a non-empty list, and this agent supports no
	   extension. */

	err = tk_teep_agent_send_message(r, &msg, diag);
	if (err != TK_OK)
		return err;
	agent->state = TK_TEEP_AGENT_QUERIED;
	tk_teep_agent_log_event(agent, TK_LOG_INFO, "sent QueryResponse");
	return TK_OK;
}
