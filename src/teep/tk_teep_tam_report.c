/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT reports in a Success or Error (draft-ietf-teep-protocol section
 * "Handling a Success or Error Message"). Each report is verified with the
 * report key enrolled for the agent key that signed the message, decrypted
 * with the TAM's report key when it is encrypted, decoded strictly, and its
 * suit-report-nonce must equal the Update's token; otherwise the whole
 * message is dropped, as the draft requires for a nonce that does not
 * match. Verified reports are stored in the transaction of the result.
 *
 * A QueryResponse may carry boot-time SUIT reports (draft section
 * "QueryResponse Message"), whose nonce must equal the QueryRequest's
 * token. This TAM's QueryRequest has a challenge and no token, so those
 * reports carry no nonce; they are checked and stored the same way, in the
 * QueryResponse's transaction, marked as boot reports.
 *
 * An agent key without an enrolled report key cannot have its reports
 * verified: the message is still handled, and the reports are logged as
 * not stored.
 */
#include "teep/tk_teep_tam_impl.h"

#include <inttypes.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "suit/tk_suit_report.h"

/* SUIT reports accepted in one message (TK_ERR_LIMIT_COUNT beyond): one per
 * manifest of an Update, whose manifests are at most
 * TK_TEEP_TAM_MAX_UPDATE_MANIFESTS. */
#define MAX_REPORTS TK_TEEP_TAM_MAX_UPDATE_MANIFESTS

/* Bytes of the manifest digest shown in a log line. */
#define LOG_DIGEST_BYTES 8

static void log_report(const struct tk_teep_tam *tam, const struct agent *agent,
		       const struct tk_suit_report *report, bool encrypted,
		       const char *token_log)
{
	char ueid[2 * LOG_ID_BYTES + 4];
	char digest[2 * LOG_DIGEST_BYTES + 4];

	tk_log_id_prefix(agent->rec.ueid, agent->rec.ueid_len, LOG_ID_BYTES, ueid, sizeof(ueid));
	tk_log_id_prefix(report->digest.ptr, report->digest.len, LOG_DIGEST_BYTES, digest,
			 sizeof(digest));
	if (report->success) {
		tk_log(tam->cfg.log, TK_LOG_INFO, COMPONENT,
		       "SUIT report from kid %s ueid %s (token %s): manifest %s succeeded, "
		       "%zu records%s", agent->kid_log, ueid, token_log, digest,
		       report->record_count, encrypted ? ", encrypted" : "");
		return;
	}
	tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
	       "SUIT report from kid %s ueid %s (token %s): manifest %s failed: %s (code %" PRId64
	       ") in section %" PRId64 " at offset %" PRIu64 ", %zu records%s", agent->kid_log,
	       ueid, token_log, digest, tk_suit_report_reason_name(report->result_reason),
	       report->result_code, report->result_record.section,
	       report->result_record.offset, report->record_count,
	       encrypted ? ", encrypted" : "");
}

/* Verify, decrypt, decode, check and store one protected report. */
static tk_err store_one(struct tk_teep_tam *tam, int64_t now, const struct agent *agent,
			const struct tk_crypto_key *report_key, struct tk_span token, bool boot,
			struct tk_span item, const char *token_log, struct tk_diag *diag)
{
	struct tk_suit_report_opened opened;
	struct tk_suit_report report;
	struct tk_store_suit_report row;
	tk_err err;

	err = tk_suit_report_open(tam->cfg.crypto, &report_key, 1, tam->cfg.report_key, item.ptr,
				  item.len, tam->cfg.work, tam->cfg.work_cap, &opened, diag);
	if (err == TK_OK)
		err = tk_suit_report_decode(opened.report.ptr, opened.report.len, &report, diag);
	if (err == TK_OK && !tk_span_equal(report.nonce, token))
		err = TK_FAIL(diag, TK_ERR_NONCE,
			      "SUIT report nonce of %zu bytes does not match the %s's token of "
			      "%zu bytes", report.nonce.len, boot ? "QueryRequest" : "Update",
			      token.len);
	if (err != TK_OK) {
		/* A decrypted report that is rejected is wiped too. */
		if (opened.encrypted)
			tk_wipe(tam->cfg.work, opened.report.len);
		return err;
	}

	memset(&row, 0, sizeof(row));
	memcpy(row.kid, agent->rec.kid, sizeof(row.kid));
	row.ueid = tk_span_make(agent->rec.ueid, agent->rec.ueid_len);
	row.token = token;
	row.digest = report.digest;
	row.uri = report.uri;
	row.success = report.success;
	row.result_code = report.success ? 0 : report.result_code;
	row.reason = report.success ? 0 : report.result_reason;
	row.record_count = report.record_count;
	row.encrypted = opened.encrypted;
	row.report = opened.report;
	row.received_at = now;
	row.boot = boot;
	err = tk_store_suit_report_add(tam->cfg.store, &row, diag);
	if (err == TK_OK)
		log_report(tam, agent, &report, opened.encrypted, token_log);
	if (opened.encrypted)
		tk_wipe(tam->cfg.work, opened.report.len);
	return err;
}

/* The agent's enrolled report key as a crypto key; TK_ERR_NOT_FOUND when none. */
static tk_err load_report_key(const struct tk_teep_tam *tam, const struct agent *agent,
			      struct tk_crypto_key **out, struct tk_diag *diag)
{
	struct tk_store_report_key rec;
	struct tk_cose_key cose;
	tk_err err;

	*out = NULL;
	err = tk_store_report_key_get(tam->cfg.store,
				      tk_span_make(agent->rec.kid, TK_STORE_KID_LEN), &rec, diag);
	if (err == TK_OK)
		err = tk_cose_key_decode(rec.pubkey, rec.pubkey_len, &cose, diag);
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(tam->cfg.crypto, &cose, out, diag);
	return err;
}

/* Verify and store each report of one message. */
static tk_err store_all(struct tk_teep_tam *tam, int64_t now, const struct agent *agent,
			struct tk_span token, bool boot, const struct tk_teep_span_list *reports,
			const char *token_log, struct tk_diag *diag)
{
	struct tk_crypto_key *report_key = NULL;
	struct tk_teep_iter it;
	struct tk_span item;
	tk_err err;

	if (reports->count == 0)
		return TK_OK;
	if (reports->count > MAX_REPORTS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu SUIT reports (at most %d)",
			       reports->count, MAX_REPORTS);
	err = load_report_key(tam, agent, &report_key, diag);
	if (err == TK_ERR_NOT_FOUND) {
		tk_diag_clear(diag);
		tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
		       "%zu SUIT reports from kid %s (token %s) not stored: no report key is "
		       "enrolled for this agent (teep-tam enroll-agent --report-key)",
		       reports->count, agent->kid_log, token_log);
		return TK_OK;
	}

	if (err == TK_OK)
		err = tk_teep_iter_init(&it, reports->raw, diag);
	while (err == TK_OK && tk_teep_iter_more(&it)) {
		err = tk_teep_iter_next_bstr(&it, &item);
		if (err == TK_OK)
			err = store_one(tam, now, agent, report_key, token, boot, item, token_log,
					diag);
	}
	tk_crypto_key_free(report_key);
	return err;
}

tk_err tk_teep_tam_store_reports(struct tk_teep_tam *tam, int64_t now, const struct agent *agent,
				 struct tk_span token, const struct tk_teep_span_list *reports,
				 const char *token_log, struct tk_diag *diag)
{
	return store_all(tam, now, agent, token, false, reports, token_log, diag);
}

tk_err tk_teep_tam_store_boot_reports(struct tk_teep_tam *tam, int64_t now,
				      const struct agent *agent,
				      const struct tk_teep_query_response *qr,
				      const char *nonce_log, struct tk_diag *diag)
{
	return store_all(tam, now, agent, qr->token, true, &qr->suit_reports, nonce_log, diag);
}
