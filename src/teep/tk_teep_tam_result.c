/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Success and Error messages in response to an Update. The token must match
 * an Update sent to the same agent, and it is used up. The result is
 * recorded, and a Success marks the Update's manifests installed on the
 * agent's device. An Error without a token responds to a QueryRequest and
 * is only logged.
 */
#include "teep/tk_teep_tam_impl.h"

#include <string.h>

#include "teep/tk_teep_msg.h"

/* Copy peer text for a log line, control characters replaced by '?'. */
static void copy_printable(struct tk_span text, char *out, size_t out_cap)
{
	size_t n = text.len < out_cap - 1 ? text.len : out_cap - 1;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = text.ptr[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

tk_err tk_teep_tam_on_result(struct tk_teep_tam *tam, int64_t now,
			     const struct agent *agent, const struct tk_teep_msg *msg,
			     char token_log[LOG_ID_CAP], struct tk_diag *diag)
{
	bool success = msg->type == TK_TEEP_TYPE_SUCCESS;
	struct tk_store_result r = {
		.kind = success ? TK_STORE_RESULT_SUCCESS : TK_STORE_RESULT_ERROR,
		.token = success ? msg->success.token : msg->error.token,
		.err_code = success ? 0 : msg->error.err_code,
		.err_msg = success ? TK_SPAN_EMPTY : msg->error.err_msg,
		.ueid = tk_span_make(agent->rec.ueid, agent->rec.ueid_len),
		.received_at = now,
	};
	const struct tk_store *st = tam->cfg.store;
	struct tk_store_session ses;
	char err_msg[TK_TEEP_MSG_MAX + 1];
	tk_err err;

	tk_teep_tam_log_id(r.token, token_log);
	if (r.token.len == 0 && success)
		return TK_FAIL(diag, TK_ERR_PROTOCOL, "Success without a token");
	if (r.token.len == 0) {
		char note[SUPPRESSED_NOTE_CAP];
		uint64_t suppressed = 0;

		/* NOTE: an Error without token responds to a QueryRequest. No
		 * session proves it fresh, so it is logged, rate-limited, and not
		 * stored. */
		if (!tk_log_limit_pass(&tam->untokened_error_log_limit, now,
				       TK_LOG_LIMIT_DEFAULT_PER_SECOND, &suppressed))
			return TK_OK;
		tk_teep_tam_format_suppressed(suppressed, note);
		/* NOTE: the draft says a TAM answers ERR_ATTESTATION_REQUIRED with a
		 * QueryRequest carrying its own attestation-payload. This TAM has no
		 * evidence of its own, so it ends the session instead of sending
		 * the same QueryRequest again. */
		if (r.err_code == TK_TEEP_ERR_ATTESTATION_REQUIRED)
			tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
			       "kid %s requires attestation of the TAM (Error 7), which this "
			       "TAM does not provide; session ended%s", agent->kid_log, note);
		else
			tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
			       "Error %llu from kid %s without token (a response to a "
			       "QueryRequest) is logged, not stored%s",
			       (unsigned long long)r.err_code, agent->kid_log, note);
		return TK_OK;
	}
	memcpy(r.kid, agent->rec.kid, TK_STORE_KID_LEN);

	if ((err = tk_store_begin(st, diag)) != TK_OK)
		return err;
	err = tk_store_session_use(st, TK_STORE_BY_TOKEN, r.token, now, &ses, diag);
	if (err == TK_ERR_NOT_FOUND)
		err = REFAIL(diag, TK_ERR_NONCE, "token matches no Update sent");
	else if (err == TK_OK && ses.state != TK_STORE_SESSION_UPDATE_SENT)
		err = TK_FAIL(diag, TK_ERR_PROTOCOL, "token belongs to no Update");
	else if (err == TK_OK && (!ses.has_kid ||
				  memcmp(ses.kid, agent->rec.kid, TK_STORE_KID_LEN) != 0))
		err = TK_FAIL(diag, TK_ERR_UNTRUSTED, "token was sent to another agent");
	if (err == TK_OK)
		err = tk_store_result_add(st, &r, diag);
	if (err == TK_OK)
		err = tk_teep_tam_store_reports(tam, now, agent, r.token,
						success ? &msg->success.suit_reports
							: &msg->error.suit_reports,
						token_log, diag);
	/* Success means the Update's manifests are installed (draft section
	 * "Success Message"); the next QueryResponse reports their digests. */
	if (err == TK_OK && success && r.ueid.len > 0)
		err = tk_store_installed_from_update(st, r.token, r.ueid, now, diag);
	if (err == TK_OK)
		err = tk_store_audit_add(st, now, success ? "success" : "error", agent->kid_log,
					 diag);
	if ((err = tk_teep_tam_finish_transaction(st, err, diag)) != TK_OK)
		return err;

	copy_printable(r.err_msg, err_msg, sizeof(err_msg));
	if (success)
		tk_log(tam->cfg.log, TK_LOG_INFO, COMPONENT, "Success from kid %s (token %s)",
		       agent->kid_log, token_log);
	else
		tk_log(tam->cfg.log, TK_LOG_NOTICE, COMPONENT,
		       "Error %llu from kid %s (token %s): %s",
		       (unsigned long long)r.err_code, agent->kid_log, token_log, err_msg);
	return TK_OK;
}
