/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP Agent handling of an Update (draft-ietf-teep-protocol, section
 * "Handling an Update Message").
 *
 * The handler unlinks each manifest of the unneeded-manifest-list, then
 * runs the SUIT update procedure on each manifest of the manifest-list,
 * both through the TEE hooks. It replies with Success, or with an Error
 * whose err-msg names the manifest that failed.
 */
#include "teep/tk_teep_agent.h"

#include <stdio.h>
#include <string.h>

#include "teep/tk_teep_agent_impl.h"
#include "teep/tk_teep_attest.h"

/*
 * Bytes of a manifest component id shown in an err-msg, which contains at
 * most TK_TEEP_AGENT_MAX_ERR_MSG bytes. A longer id is shown by its last
 * bytes, because ids under one TEE share their first bytes ("TEEP-Device").
 */
#define ERR_MSG_ID_BYTES 16

/* Bytes of a manifest component id shown in log lines. */
#define LOG_MANIFEST_ID_BYTES 128

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
	tk_teep_agent_log_event(agent, TK_LOG_NOTICE, line);
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

/*
 * Add the SUIT report of the manifest just processed to the reply, in the
 * arena. A report that cannot be made is left out with a notice, and the
 * Success or Error still reports the outcome of the manifest.
 */
static void collect_suit_report(struct reply *r, struct tk_span nonce)
{
	const struct tk_teep_agent_tee_ops *tee = &r->agent->cfg.tee;
	struct tk_diag local;
	char line[TK_DIAG_MSG_MAX + 64];
	size_t cap = 0, len = 0;
	uint8_t *buf;
	tk_err err;

	if (tee->suit_report == NULL)
		return;
	if (r->n_suit_reports >= TK_TEEP_AGENT_MAX_SUIT_REPORTS) {
		r->suit_reports_omitted++;
		return;
	}
	tk_diag_clear(&local);
	buf = tk_teep_agent_arena_rest(&r->arena, &cap);
	err = tee->suit_report(tee->ctx, nonce, buf, cap, &len, &local);
	if (err == TK_ERR_NOT_FOUND)
		return;
	if (err != TK_OK) {
		snprintf(line, sizeof(line), "SUIT report left out: %s",
			 local.msg[0] != '\0' ? local.msg : tk_err_text(err));
		tk_teep_agent_log_event(r->agent, TK_LOG_NOTICE, line);
		return;
	}
	r->arena.used += len;
	r->suit_reports[r->n_suit_reports++] = tk_span_make(buf, len);
}

/* Run the SUIT update procedure on each manifest of the manifest-list. */
static tk_err install_manifests(struct reply *r, const struct tk_teep_update *up,
				size_t *failed, struct tk_teep_agent_manifest_name *name,
				struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
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
		collect_suit_report(r, up->token);
		if (err == TK_OK)
			agent->installed++;
	}
	return err;
}

/*
 * Keep an attestation result the TAM handed back (draft section "Update
 * Message": the result can serve as a passport to other relying parties).
 * A failure to keep it is logged and does not fail the Update, whose
 * manifests are authorised by the TAM's signature, not by the result.
 */
static void save_result(struct tk_teep_agent *agent, const struct tk_teep_update *up)
{
	const struct tk_teep_agent_attest_ops *at = agent->cfg.attest;
	struct tk_span format = up->has_attestation_payload_format
					? up->attestation_payload_format : TK_SPAN_EMPTY;
	char line[TK_DIAG_MSG_MAX + 64];
	struct tk_diag local;

	if (!up->has_attestation_payload)
		return;
	if (!tk_teep_payload_is_result(format)) {
		tk_teep_agent_log_event(agent, TK_LOG_NOTICE, "Update carries an "
					"attestation-payload that is no EAR; it is not kept");
		return;
	}
	if (at == NULL || at->save_result == NULL) {
		tk_teep_agent_log_event(agent, TK_LOG_INFO, "Update carries an attestation "
					"result; no place is configured to keep it");
		return;
	}
	tk_diag_clear(&local);
	if (at->save_result(at->ctx, up->attestation_payload, format, &local) != TK_OK) {
		snprintf(line, sizeof(line), "cannot keep the attestation result: %s",
			 local.msg);
		tk_teep_agent_log_event(agent, TK_LOG_WARNING, line);
		return;
	}
	tk_teep_agent_log_event(agent, TK_LOG_INFO, "kept the attestation result the TAM "
				"handed back");
}

/*
 * Copy the TAM's err-msg, peer text, for display: control characters and
 * backslashes become \xNN, the rest is kept. The decoder bounds the
 * err-msg to TK_TEEP_AGENT_MAX_ERR_MSG bytes, so all of it fits.
 */
static void escape_err_msg(struct tk_span msg, char out[TK_TEEP_AGENT_TAM_ERR_MSG_CAP])
{
	size_t n = 0;

	for (size_t i = 0; i < msg.len && i < TK_TEEP_AGENT_MAX_ERR_MSG; i++) {
		uint8_t c = msg.ptr[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			n += (size_t)snprintf(out + n, TK_TEEP_AGENT_TAM_ERR_MSG_CAP - n, "\\x%02x",
					      (unsigned)c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

/* Process an Update (draft "Handling an Update Message"). */
tk_err tk_teep_agent_handle_update(struct reply *r, const struct tk_teep_update *up,
				   struct tk_diag *diag)
{
	struct tk_teep_agent *agent = r->agent;
	struct tk_teep_msg msg;
	struct tk_diag local;
	struct tk_teep_agent_manifest_name name;
	struct tk_span failed_id = TK_SPAN_EMPTY;
	char prefix[TK_TEEP_AGENT_MAX_ERR_MSG];
	char line[96 + TK_TEEP_AGENT_TAM_ERR_MSG_CAP];
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
	tk_teep_agent_log_event(agent, TK_LOG_INFO, "Update verified");

	if (up->has_err_code) {
		agent->tam_err_code = up->err_code;
		escape_err_msg(up->err_msg, agent->tam_err_msg);
		snprintf(line, sizeof(line), "TAM reported err-code %llu in its Update: %s",
			 (unsigned long long)up->err_code, agent->tam_err_msg);
		tk_teep_agent_log_event(agent, TK_LOG_NOTICE, line);
	}

	save_result(agent, up);

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
		return tk_teep_agent_reply_error(r, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED,
						 up->token, err, &local, prefix, diag);
	}
	memset(&name, 0, sizeof(name));
	err = install_manifests(r, up, &failed, &name, &local);
	if (r->suit_reports_omitted > 0) {
		snprintf(line, sizeof(line), "%zu SUIT reports left out: at most %d fit one reply",
			 r->suit_reports_omitted, TK_TEEP_AGENT_MAX_SUIT_REPORTS);
		tk_teep_agent_log_event(agent, TK_LOG_NOTICE, line);
	}
	if (err != TK_OK) {
		name_failed_manifest(agent, "install", failed, &name, &local, prefix,
				     sizeof(prefix));
		agent->state = TK_TEEP_AGENT_DONE;
		return tk_teep_agent_reply_error(r, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED,
						 up->token, err, &local, prefix, diag);
	}

	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_SUCCESS;
	msg.success.token = up->token;
	msg.success.suit_reports.items = r->suit_reports;
	msg.success.suit_reports.count = r->n_suit_reports;
	agent->suit_reports = (unsigned)r->n_suit_reports;
	err = tk_teep_agent_send_message(r, &msg, diag);
	if (err != TK_OK)
		return err;
	agent->state = TK_TEEP_AGENT_DONE;
	snprintf(line, sizeof(line), "sent Success: %u %s installed, %u unlinked",
		 agent->installed, agent->installed == 1 ? "manifest" : "manifests",
		 agent->unlinked);
	tk_teep_agent_log_event(agent, TK_LOG_INFO, line);
	return TK_OK;
}
