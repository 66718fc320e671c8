/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the TEEP Agent state machine (tk_teep_agent.c), its
 * QueryRequest handler (tk_teep_agent_query.c) and its Update handler
 * (tk_teep_agent_update.c). They are the reply under construction, the
 * session log line and the replies that every handler sends. Not part of
 * the public interface.
 */
#ifndef TK_TEEP_AGENT_IMPL_H
#define TK_TEEP_AGENT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_span.h"
#include "teep/tk_teep_agent.h"
#include "teep/tk_teep_msg.h"

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
	/* SUIT reports for a Success or Error, views into the arena. */
	struct tk_span suit_reports[TK_TEEP_AGENT_MAX_SUIT_REPORTS];
	size_t n_suit_reports;
	size_t suit_reports_omitted;
};

/* Return the free space of the arena. The caller adds what it used to a->used. */
uint8_t *tk_teep_agent_arena_rest(struct arena *a, size_t *cap);

/* Log one session event with the TAM URI, TAM kid prefix and token prefix. */
void tk_teep_agent_log_event(const struct tk_teep_agent *agent, enum tk_log_level level,
			     const char *what);

/* Encode msg into the arena and sign it with the TEE key into the output. */
TK_MUST_CHECK tk_err tk_teep_agent_send_message(struct reply *r, const struct tk_teep_msg *msg,
						struct tk_diag *diag);

/*
 * Reply with an Error message that echoes token and carries err_code and
 * an err-msg made of prefix and the text of detail. cause is the tk_err
 * that tk_teep_agent_run() returns for this Error.
 */
TK_MUST_CHECK tk_err tk_teep_agent_reply_error(struct reply *r, uint64_t err_code,
					       struct tk_span token, tk_err cause,
					       const struct tk_diag *detail, const char *prefix,
					       struct tk_diag *diag);

/* Reply to a QueryRequest, in tk_teep_agent_query.c. */
TK_MUST_CHECK tk_err tk_teep_agent_handle_query_request(struct reply *r,
							const struct tk_teep_query_request *qr,
							struct tk_diag *diag);

/*
 * Set out to the boot-time SUIT reports of the TEE hook when the
 * QueryRequest requests SUIT reports, in tk_teep_agent_boot.c. They are
 * kept in r->suit_reports; a report the hook cannot write is left out with
 * a notice. out->count is 0 when there are none.
 */
TK_MUST_CHECK tk_err tk_teep_agent_boot_reports(struct reply *r,
						const struct tk_teep_query_request *qr,
						struct tk_teep_span_list *out);

/* Process an Update and reply, in tk_teep_agent_update.c. */
TK_MUST_CHECK tk_err tk_teep_agent_handle_update(struct reply *r,
						 const struct tk_teep_update *up,
						 struct tk_diag *diag);

#endif /* TK_TEEP_AGENT_IMPL_H */
