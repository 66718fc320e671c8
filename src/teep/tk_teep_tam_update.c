/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Update a TAM sends in response to a QueryResponse. It decides which
 * manifests the device lacks: the required ones whose components it does
 * not report with the right image digest, and the ones that install a
 * component it requests. It keeps those whose envelopes fit one response
 * and signs the Update that carries them. A manifest that a removed policy
 * required on the device, that no policy requires now and whose component
 * the device still reports goes in the Update's unneeded-manifest-list, so
 * the agent unlinks it (draft-ietf-teep-protocol section "Update Message"). The envelopes are copied from the
 * store into the work buffer and the message is encoded after them, so the
 * parsing path allocates nothing.
 */
#include "teep/tk_teep_tam_impl.h"

#include <string.h>

#include "common/tk_log.h"
#include "cose/tk_cose.h"
#include "teep/tk_teep_msg.h"

static tk_err sign_update_payload(struct tk_teep_tam *tam, const struct agent *agent,
				  const uint8_t *payload, size_t payload_len,
				  uint8_t *out, size_t out_cap, size_t *out_len,
				  struct tk_diag *diag);

static bool alg_is_p256(int64_t alg)
{
	return alg == TK_COSE_ALG_ESP256 || alg == TK_COSE_ALG_ES256;
}

static bool plan_has(const struct plan *plan, struct tk_span id)
{
	for (size_t i = 0; i < plan->count; i++) {
		if (tk_span_equal(tk_span_make(plan->ids[i], plan->id_lens[i]), id))
			return true;
	}
	return false;
}

/* The tc-list entry the device reported for a component id, or NULL. */
static const struct tk_store_installed *device_entry(const struct plan *plan,
						     struct tk_span id)
{
	for (size_t i = 0; i < plan->installed_count; i++) {
		if (tk_span_equal(plan->installed[i].component_id, id))
			return &plan->installed[i];
	}
	return NULL;
}

/* Add a component id to the plan unless it is there already. */
static tk_err plan_add(struct plan *plan, struct tk_span id)
{
	if (id.len == 0 || id.len > TK_STORE_COMPONENT_ID_MAX || plan_has(plan, id))
		return TK_OK;
	if (plan->count == TK_TEEP_TAM_MAX_UPDATE_MANIFESTS) {
		plan->skipped++;
		return TK_OK;
	}
	memcpy(plan->ids[plan->count], id.ptr, id.len);
	plan->id_lens[plan->count] = id.len;
	plan->count++;
	return TK_OK;
}

/* Components of a registered manifest matched against the device's tc-list. */
struct component_match {
	const struct plan *plan;
	size_t count;                         /* component ids listed */
	const struct tk_store_installed *have; /* first one the device reports */
};

static tk_err match_component(void *cb_ctx, struct tk_span component_id)
{
	struct component_match *match = cb_ctx;

	match->count++;
	if (match->have == NULL)
		match->have = device_entry(match->plan, component_id);
	return TK_OK;
}

/*
 * Policy callback for one required manifest component id. The device
 * reports component ids, which a manifest lists in its common.components
 * and which need not equal its manifest component id. So the manifest is
 * present when the tc-list has one of its component ids, or its manifest
 * component id when it was registered without them. For a single-component
 * manifest the reported image digest must also equal the one the manifest
 * requires. The tc-list carries no sequence number, so a device that
 * reports another digest has another version. The manifest is sent, and
 * the TEE's anti-rollback check decides whether it is newer. A device that
 * reports the component without a digest is taken to have it.
 */
static tk_err plan_add_required(void *cb_ctx, struct tk_span id)
{
	struct plan *plan = cb_ctx;
	struct component_match match = {.plan = plan};
	const struct tk_store_installed *have;
	struct tk_store_manifest_buf buf;
	struct tk_store_manifest m;
	tk_err err;

	err = tk_store_manifest_components_each(plan->store, id, match_component, &match, NULL);
	if (err != TK_OK)
		return err;
	have = match.count > 0 ? match.have : device_entry(plan, id);

	if (have == NULL)
		return plan_add(plan, id);
	/* A digest names the image of one component, so it is compared only
	 * for a manifest with one. */
	if (have->digest.len == 0 || match.count > 1)
		return TK_OK;
	err = tk_store_manifest_get(plan->store, id, &m, &buf, NULL, 0, NULL);
	if (err == TK_ERR_NOT_FOUND)
		return TK_OK;
	if (err != TK_OK)
		return err;
	if (m.image_digest.len == 0 || tk_span_equal(m.image_digest, have->digest))
		return TK_OK;
	return plan_add(plan, id);
}

/* Set *have to the tc-list entry that shows a component of manifest id, or NULL. */
static tk_err find_reported(struct plan *plan, struct tk_span id,
			    const struct tk_store_installed **have)
{
	struct component_match match = {.plan = plan};
	tk_err err;

	*have = NULL;
	err = tk_store_manifest_components_each(plan->store, id, match_component, &match, NULL);
	if (err != TK_OK)
		return err;
	*have = match.count > 0 ? match.have : device_entry(plan, id);
	return TK_OK;
}

/*
 * Unrequired callback for a manifest component id that a removed policy
 * required on this device and no policy requires now. Only such manifests
 * are listed, so a manifest this TAM never required is never named. The
 * manifest is listed when the device still reports one of its components
 * and did not request it in this QueryResponse.
 */
static tk_err plan_add_unneeded(void *cb_ctx, struct tk_span id)
{
	struct plan *plan = cb_ctx;
	const struct tk_store_installed *have;
	tk_err err;

	if (id.len == 0 || id.len > TK_STORE_COMPONENT_ID_MAX || plan_has(plan, id))
		return TK_OK;
	if ((err = find_reported(plan, id, &have)) != TK_OK || have == NULL)
		return err;
	if (plan->unneeded_count == TK_TEEP_TAM_MAX_UPDATE_MANIFESTS) {
		plan->skipped++;
		return TK_OK;
	}
	memcpy(plan->unneeded[plan->unneeded_count], id.ptr, id.len);
	plan->unneeded_lens[plan->unneeded_count] = id.len;
	plan->unneeded_count++;
	return TK_OK;
}

/* A manifest component id found for a requested component id. */
struct manifest_found {
	uint8_t id[TK_STORE_COMPONENT_ID_MAX];
	size_t len; /* 0 until one is found */
};

/* Keep the first manifest listed, which has the lowest manifest component id. */
static tk_err keep_first_manifest(void *cb_ctx, struct tk_span manifest_id)
{
	struct manifest_found *found = cb_ctx;

	if (found->len == 0 && manifest_id.len <= sizeof(found->id)) {
		memcpy(found->id, manifest_id.ptr, manifest_id.len);
		found->len = manifest_id.len;
	}
	return TK_OK;
}

/*
 * Find the manifest that serves a requested component id: the registered
 * manifest that lists it among its components or, for manifests registered
 * without their components, the one whose manifest component id it is.
 * TK_ERR_NOT_FOUND when none is registered.
 */
static tk_err find_requested_manifest(const struct tk_store *st, struct tk_span component_id,
				      struct manifest_found *found, struct tk_diag *diag)
{
	struct tk_store_manifest_buf buf;
	struct tk_store_manifest m;
	tk_err err;

	found->len = 0;
	err = tk_store_manifest_by_component_each(st, component_id, keep_first_manifest, found,
						  diag);
	if (err != TK_OK || found->len > 0)
		return err;

	/* Only existence is checked here, so the envelope is not read. */
	err = tk_store_manifest_get(st, component_id, &m, &buf, NULL, 0, diag);
	if (err != TK_OK)
		return err;
	memcpy(found->id, component_id.ptr, component_id.len);
	found->len = component_id.len;
	return TK_OK;
}

/*
 * Requested TAs are added when a manifest for them is registered, also when
 * the device lists the component. The tc-list carries no sequence number,
 * so only the agent can tell that it needs another version, and its TEE
 * rejects an older one.
 */
static tk_err plan_requested(struct tk_teep_tam *tam, const struct agent *agent,
			     const struct tk_teep_query_response *qr, struct plan *plan,
			     struct tk_diag *diag)
{
	struct tk_teep_iter it;
	tk_err err;

	if ((err = tk_teep_iter_init(&it, qr->requested_tc_list.raw, diag)) != TK_OK)
		return err;
	while (tk_teep_iter_more(&it)) {
		struct tk_teep_requested_tc req;
		struct manifest_found found;
		struct tk_diag local;

		if ((err = tk_teep_iter_next_requested_tc(&it, &req)) != TK_OK)
			return err;
		if (req.component_id.len > TK_STORE_COMPONENT_ID_MAX)
			continue;
		tk_diag_clear(&local);
		err = find_requested_manifest(tam->cfg.store, req.component_id, &found, &local);
		if (err == TK_ERR_NOT_FOUND) {
			tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
			       "kid %s requested a TA with no registered manifest",
			       agent->kid_log);
			continue;
		}
		if (err != TK_OK)
			return TK_FAIL(diag, err, "lookup of a requested manifest failed: %s",
				       local.msg);
		if ((err = plan_add(plan, tk_span_make(found.id, found.len))) != TK_OK)
			return err;
	}
	return TK_OK;
}

/*
 * Bytes an Update takes besides its envelopes: the COSE_Sign1 wrapper (tag,
 * protected header, kid, a signature of at most 64 bytes) and the payload's
 * type, token and list heads come to under 200 bytes, so 512 is a safe bound.
 */
#define UPDATE_OVERHEAD 512

/* Largest CBOR head of a byte string (a 64-bit length). */
#define BSTR_HEAD_MAX 9

/* Bytes of the unneeded-manifest-list: its ids and a list head. */
static size_t unneeded_size(const struct plan *plan)
{
	size_t size = BSTR_HEAD_MAX;

	for (size_t i = 0; i < plan->unneeded_count; i++)
		size += plan->unneeded_lens[i];
	return size;
}

/* Placement of a planned manifest when the Update is built. */
enum fit { FIT_SENT, FIT_LATER, FIT_NEVER };

/*
 * Copy the envelope of plan entry i to work + *used when it fits both the
 * work buffer and the response budget left, and set *fit to where it goes.
 */
static tk_err load_envelope(struct tk_teep_tam *tam, struct plan *plan, size_t i,
			    size_t *used, size_t budget, size_t *spent,
			    struct tk_span *envelope, enum fit *fit, struct tk_diag *diag)
{
	struct tk_store_manifest_buf buf;
	struct tk_store_manifest m;
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_store_manifest_get(tam->cfg.store, tk_span_make(plan->ids[i], plan->id_lens[i]),
				    &m, &buf, tam->cfg.work + *used, tam->cfg.work_cap - *used,
				    &local);
	/* The work buffer is twice the response, so a first envelope that
	 * overflows it can never be sent. */
	if (err == TK_ERR_BUFFER_TOO_SMALL) {
		*fit = *used == 0 ? FIT_NEVER : FIT_LATER;
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);

	if (m.envelope.len > budget - BSTR_HEAD_MAX)
		*fit = FIT_NEVER;
	else if (m.envelope.len + BSTR_HEAD_MAX > budget - *spent)
		*fit = FIT_LATER;
	else
		*fit = FIT_SENT;
	if (*fit != FIT_SENT)
		return TK_OK;
	*envelope = m.envelope;
	plan->sequences[i] = m.sequence;
	*used += m.envelope.len;
	*spent += m.envelope.len + BSTR_HEAD_MAX;
	return TK_OK;
}

/*
 * Keep the planned manifests whose envelopes fit one response of out_cap
 * bytes, in plan order, and copy them into the work buffer. The others
 * stay due and follow in a later Update. A manifest too large for any
 * response is logged as an error and skipped, so it cannot block the rest.
 */
static tk_err select_envelopes(struct tk_teep_tam *tam, const struct agent *agent,
			       struct plan *plan, size_t out_cap, struct tk_span *envelopes,
			       size_t *work_used, struct tk_diag *diag)
{
	/* The attestation result, its media type and the unneeded-manifest-list
	 * travel in the same Update. */
	size_t reserved = UPDATE_OVERHEAD + plan->result.len + plan->result_format.len +
			  2 * BSTR_HEAD_MAX + unneeded_size(plan);
	size_t budget = out_cap > reserved ? out_cap - reserved : 0;
	size_t kept = 0, spent = 0;
	tk_err err;

	*work_used = 0;
	for (size_t i = 0; i < plan->count; i++) {
		enum fit fit = FIT_NEVER;
		char id_log[LOG_ID_CAP];

		if (budget > BSTR_HEAD_MAX) {
			err = load_envelope(tam, plan, i, work_used, budget, &spent,
					    &envelopes[kept], &fit, diag);
			if (err != TK_OK)
				return err;
		}
		if (fit == FIT_LATER)
			plan->skipped++;
		if (fit == FIT_NEVER) {
			tk_teep_tam_log_id(tk_span_make(plan->ids[i], plan->id_lens[i]), id_log);
			tk_log(tam->cfg.log, TK_LOG_ERROR, COMPONENT,
			       "kid %s: manifest %s is too large for a response of %zu "
			       "bytes; it is not sent", agent->kid_log, id_log, out_cap);
		}
		if (fit != FIT_SENT)
			continue;
		if (kept != i) {
			memcpy(plan->ids[kept], plan->ids[i], plan->id_lens[i]);
			plan->id_lens[kept] = plan->id_lens[i];
			plan->sequences[kept] = plan->sequences[i];
		}
		kept++;
	}
	plan->count = kept;
	return TK_OK;
}

/* True when the Update has something besides manifests to carry. */
static bool has_attestation_part(const struct plan *plan)
{
	return plan->refuse || plan->result.len > 0;
}

/* True when there is anything to send an Update for. */
static bool has_content(const struct plan *plan)
{
	return plan->count > 0 || plan->unneeded_count > 0 || has_attestation_part(plan);
}

/*
 * Update (draft section "Update Message"):
 * [3, {20: token, 15: [+ SUIT_Component_Identifier], 10: [+ bstr],
 *      13: format, 7: result, 23: 7, 12: err-msg}],
 * with the envelopes copied from the store into the work buffer and the
 * encoded message after them. A refusal carries no manifests. *out_len is 0
 * when no planned manifest fits and there is neither an unneeded manifest
 * nor an attestation part.
 */
static tk_err build_update(struct tk_teep_tam *tam, const struct agent *agent,
			   struct plan *plan, struct tk_span token, uint8_t *out,
			   size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_span envelopes[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS];
	struct tk_span unneeded[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS];
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_UPDATE};
	uint8_t *work = tam->cfg.work;
	size_t used = 0, payload_len = 0;
	tk_err err;

	*out_len = 0;
	if (!plan->refuse)
		err = select_envelopes(tam, agent, plan, out_cap, envelopes, &used, diag);
	else
		err = TK_OK;
	if (err != TK_OK || !has_content(plan))
		return err;

	msg.update.token = token;
	for (size_t i = 0; i < plan->unneeded_count; i++)
		unneeded[i] = tk_span_make(plan->unneeded[i], plan->unneeded_lens[i]);
	msg.update.unneeded_manifest_list.count = plan->unneeded_count;
	msg.update.unneeded_manifest_list.items = plan->unneeded_count > 0 ? unneeded : NULL;
	msg.update.manifest_list.count = plan->count;
	msg.update.manifest_list.items = plan->count > 0 ? envelopes : NULL;
	if (plan->result.len > 0) {
		msg.update.has_attestation_payload = true;
		msg.update.attestation_payload = plan->result;
		msg.update.has_attestation_payload_format = true;
		msg.update.attestation_payload_format = plan->result_format;
	}
	if (plan->refuse) {
		msg.update.has_err_code = true;
		msg.update.err_code = TK_TEEP_ERR_ATTESTATION_REQUIRED;
		msg.update.err_msg = tk_span_make(plan->err_msg, strlen(plan->err_msg));
	}
	err = tk_teep_encode(&msg, work + used, tam->cfg.work_cap - used, &payload_len, diag);
	if (err != TK_OK)
		return err;
	return sign_update_payload(tam, agent, work + used, payload_len, out, out_cap,
				   out_len, diag);
}

/* Sign with the TAM key of the suite the agent used. */
static tk_err sign_update_payload(struct tk_teep_tam *tam, const struct agent *agent,
				  const uint8_t *payload, size_t payload_len,
				  uint8_t *out, size_t out_cap, size_t *out_len,
				  struct tk_diag *diag)
{
	const struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_cose_signer signer = {.kid_thumbprint = true};

	if (alg_is_p256(agent->alg)) {
		signer.key = tam->cfg.esp256_key;
		signer.alg = TK_COSE_ALG_ESP256;
	} else {
		signer.key = tam->cfg.ed25519_key;
		signer.alg = TK_COSE_ALG_ED25519;
	}
	return tk_cose_sign1_create(tam->cfg.crypto, &signer, payload, payload_len, &opts,
				    out, out_cap, out_len, diag);
}

tk_err tk_teep_tam_answer_query_response(struct tk_teep_tam *tam, int64_t now,
					 const struct agent *agent, struct tk_span ueid,
					 const struct tk_teep_query_response *qr,
					 struct plan *plan, uint8_t *out, size_t out_cap,
					 size_t *out_len, struct tk_diag *diag)
{
	struct tk_store_session ses = {
		.state = TK_STORE_SESSION_UPDATE_SENT,
		.token_len = TK_TEEP_TAM_NONCE_LEN,
		.created_at = now,
		.expires_at = now + tam->cfg.lifetime,
		.alg = agent->alg,
		.has_kid = true,
	};
	const struct tk_store *st = tam->cfg.store;
	tk_err err;

	plan->store = st;
	/* A refused device gets no manifests, so none are planned. */
	err = TK_OK;
	if (!plan->refuse)
		err = tk_store_policy_each(st, ueid, plan_add_required, plan, diag);
	if (err == TK_OK && !plan->refuse)
		err = plan_requested(tam, agent, qr, plan, diag);
	if (err == TK_OK && !plan->refuse)
		err = tk_store_unrequired_each(st, ueid, plan_add_unneeded, plan, diag);
	if (err != TK_OK || !has_content(plan))
		return err;

	memcpy(ses.kid, agent->rec.kid, TK_STORE_KID_LEN);
	err = tk_crypto_random(tam->cfg.crypto, ses.token, ses.token_len, diag);
	if (err == TK_OK)
		err = build_update(tam, agent, plan, tk_span_make(ses.token, ses.token_len),
				   out, out_cap, out_len, diag);
	if (err == TK_OK && plan->skipped > 0)
		tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
		       "kid %s: %zu more manifests are due; they follow in a later Update",
		       agent->kid_log, plan->skipped);
	if (err != TK_OK || *out_len == 0)
		return err;
	err = tk_store_session_add(st, &ses, diag);
	for (size_t i = 0; err == TK_OK && i < plan->count; i++)
		err = tk_store_update_manifest_add(st, tk_span_make(ses.token, ses.token_len),
						   tk_span_make(plan->ids[i], plan->id_lens[i]),
						   plan->sequences[i], diag);
	if (err != TK_OK)
		return err;

	tk_teep_tam_log_id(tk_span_make(ses.token, ses.token_len), plan->token_log);
	return tk_store_audit_add(st, now, "update-sent", agent->kid_log, diag);
}

/* Bytes of a manifest component id shown in full in a log line. */
#define LOG_MANIFEST_ID_BYTES 64

void tk_teep_tam_log_unneeded(struct tk_teep_tam *tam, const struct agent *agent,
			      struct tk_span ueid, const struct plan *plan)
{
	char id_log[2 * LOG_MANIFEST_ID_BYTES + 4];
	char ueid_log[2 * TK_STORE_UEID_MAX + 4];

	/* A UEID and a manifest component id name no secret, so both are
	 * logged whole for the operator to match with the admin listings. */
	tk_log_id_prefix(ueid.ptr, ueid.len, TK_STORE_UEID_MAX, ueid_log, sizeof(ueid_log));
	for (size_t i = 0; i < plan->unneeded_count; i++) {
		tk_log_id_prefix(plan->unneeded[i], plan->unneeded_lens[i],
				 LOG_MANIFEST_ID_BYTES, id_log, sizeof(id_log));
		tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
		       "ueid %s, kid %s: Update %s lists manifest %s as unneeded, because "
		       "no policy requires it now", ueid_log, agent->kid_log, plan->token_log,
		       id_log);
	}
}
