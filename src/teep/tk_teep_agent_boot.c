/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-time SUIT reports in a QueryResponse (draft-ietf-teep-protocol
 * section "QueryResponse Message", suit-reports): the reports of loads the
 * TEE hook has stored, each with the QueryRequest's token as
 * suit-report-nonce when the QueryRequest had a token. A QueryRequest
 * without a token (one asking for attestation carries a challenge instead)
 * gets reports without a nonce, which the draft allows.
 */
#include "teep/tk_teep_agent_impl.h"

#include <stdio.h>
#include <string.h>

/* Put the stored boot reports into out, views into the arena. */
tk_err tk_teep_agent_boot_reports(struct reply *r, const struct tk_teep_query_request *qr,
				  struct tk_teep_span_list *out)
{
	const struct tk_teep_agent_tee_ops *tee = &r->agent->cfg.tee;
	char line[TK_DIAG_MSG_MAX + 64];
	struct tk_diag local;
	size_t cap = 0, len = 0;
	uint8_t *buf;
	tk_err err;

	memset(out, 0, sizeof(*out));
	r->n_suit_reports = 0;
	if (tee->boot_report == NULL || (qr->data_item_requested & TK_TEEP_DATA_SUIT_REPORTS) == 0)
		return TK_OK;
	for (size_t i = 0; i < TK_TEEP_AGENT_MAX_SUIT_REPORTS; i++) {
		tk_diag_clear(&local);
		buf = tk_teep_agent_arena_rest(&r->arena, &cap);
		err = tee->boot_report(tee->ctx, i, qr->token, buf, cap, &len, &local);
		if (err == TK_ERR_NOT_FOUND)
			break;
		if (err != TK_OK) {
			/* One bad stored report does not hide the others. */
			snprintf(line, sizeof(line), "boot SUIT report left out: %s",
				 local.msg[0] != '\0' ? local.msg : tk_err_text(err));
			tk_teep_agent_log_event(r->agent, TK_LOG_NOTICE, line);
			continue;
		}
		r->arena.used += len;
		r->suit_reports[r->n_suit_reports++] = tk_span_make(buf, len);
	}
	out->items = r->suit_reports;
	out->count = r->n_suit_reports;
	r->agent->suit_reports = (unsigned)r->n_suit_reports;
	return TK_OK;
}
