/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the parts of the TAM state machine: the entry points,
 * QueryRequest and QueryResponse handling (tk_teep_tam.c), the planning and
 * building of an Update (tk_teep_tam_update.c) and the handling of Success
 * and Error (tk_teep_tam_result.c). Not part of the public interface.
 */
#ifndef TK_TEEP_TAM_IMPL_H
#define TK_TEEP_TAM_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "store/tk_store.h"
#include "teep/tk_teep_msg.h"
#include "teep/tk_teep_tam.h"

#define COMPONENT "tam"

/* Bytes of a kid, token or challenge shown in logs. */
#define LOG_ID_BYTES 4
#define LOG_ID_CAP (2 * LOG_ID_BYTES + 4)

/*
 * Replace the store's "not found" by the protocol's reason: diag keeps the
 * first failure recorded, so it is cleared first.
 */
#define REFAIL(diag, code, msg) (tk_diag_clear(diag), TK_FAIL((diag), (code), msg))

/* Maximum length of the note on suppressed log lines, with its NUL. */
#define SUPPRESSED_NOTE_CAP 64

/* The agent that signed a message, once its key is found and verified. */
struct agent {
	struct tk_store_agent_key rec;
	struct tk_crypto_key *key; /* imported from rec.pubkey */
	int64_t alg;               /* COSE algorithm the agent signed with */
	char kid_log[LOG_ID_CAP];
};

/* Manifests to send in one Update. */
struct plan {
	uint8_t ids[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS][TK_STORE_COMPONENT_ID_MAX];
	size_t id_lens[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS];
	uint64_t sequences[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS]; /* set by build_update */
	size_t count;
	/* Manifest component ids for the unneeded-manifest-list. */
	uint8_t unneeded[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS][TK_STORE_COMPONENT_ID_MAX];
	size_t unneeded_lens[TK_TEEP_TAM_MAX_UPDATE_MANIFESTS];
	size_t unneeded_count;
	size_t skipped;                       /* due but over the limit */
	const struct tk_store *store;         /* registry of manifests */
	const struct tk_store_installed *installed; /* what the device reported */
	size_t installed_count;
	char token_log[LOG_ID_CAP];           /* token of the Update, for the log */
	/*
	 * Attestation part of the Update. An Update is sent when it has
	 * manifests, a result or an err-code; refuse sends no manifests.
	 */
	bool refuse;                          /* attestation did not pass the policy */
	struct tk_span result;                /* attestation result handed back */
	struct tk_span result_format;         /* its media type */
	char err_msg[TK_TEEP_MSG_MAX + 1];    /* err-msg of a refusal */
};

/* An appraisal and what the group policy made of it. */
struct verdict {
	struct tk_teep_tam_appraisal appraisal;
	enum tk_store_attest_model model;
	char group[TK_STORE_GROUP_MAX + 1];
	bool proceed;
	/* Evidence decrypted from an encrypted attestation-payload; the
	 * appraisal's spans may point into it. */
	uint8_t evidence[TK_EAT_MAX_SIZE];
};

/*
 * Write the first LOG_ID_BYTES bytes of id in hex for a log line (see
 * tk_log_id_prefix()), or "none" when id is empty.
 */
void tk_teep_tam_log_id(struct tk_span id, char out[LOG_ID_CAP]);

/* Write " (N similar lines suppressed before it)", or "" when N is 0. */
void tk_teep_tam_format_suppressed(uint64_t suppressed, char out[SUPPRESSED_NOTE_CAP]);

/* Commit the open transaction, or roll it back when err or commit fails. */
TK_MUST_CHECK tk_err tk_teep_tam_finish_transaction(const struct tk_store *st, tk_err err,
						    struct tk_diag *diag);

/*
 * Decide what the device lacks and build an Update for it, or no message.
 * Runs inside the QueryResponse's transaction, after plan->installed was
 * set to the tc-list the device reported.
 */
TK_MUST_CHECK tk_err tk_teep_tam_answer_query_response(struct tk_teep_tam *tam, int64_t now,
						       const struct agent *agent,
						       struct tk_span ueid,
						       const struct tk_teep_query_response *qr,
						       struct plan *plan, uint8_t *out,
						       size_t out_cap, size_t *out_len,
						       struct tk_diag *diag);

/*
 * Log each manifest the Update lists as unneeded, with the device's UEID,
 * the agent's kid and the manifest component id.
 */
void tk_teep_tam_log_unneeded(struct tk_teep_tam *tam, const struct agent *agent,
			      struct tk_span ueid, const struct plan *plan);

/*
 * Appraise the attestation-payload of a QueryResponse outside the store
 * transaction (tk_teep_tam_attest.c): evidence with the verifier hooks or
 * the enrolled key, a result with verify_result. On success *nonce is the
 * value that must equal an outstanding challenge.
 */
/*
 * Verify and store the SUIT reports of a Success or Error responding to
 * the Update with `token`, in the caller's transaction (tk_teep_tam_report.c).
 */
TK_MUST_CHECK tk_err tk_teep_tam_store_reports(struct tk_teep_tam *tam, int64_t now,
					       const struct agent *agent, struct tk_span token,
					       const struct tk_teep_span_list *reports,
					       const char *token_log, struct tk_diag *diag);

/*
 * Verify and store the boot-time SUIT reports of a QueryResponse, whose
 * nonce must equal its token (empty: no nonce), in the caller's
 * transaction (tk_teep_tam_report.c). nonce_log names the challenge.
 */
TK_MUST_CHECK tk_err tk_teep_tam_store_boot_reports(struct tk_teep_tam *tam, int64_t now,
						    const struct agent *agent,
						    const struct tk_teep_query_response *qr,
						    const char *nonce_log, struct tk_diag *diag);

TK_MUST_CHECK tk_err tk_teep_tam_appraise(struct tk_teep_tam *tam, int64_t now,
					  const struct agent *agent,
					  const struct tk_teep_query_response *qr,
					  struct verdict *v, struct tk_span *nonce,
					  struct tk_diag *diag);

/*
 * Apply the policy of the device's group to v->appraisal, set v->proceed
 * and v->group, and record the appraisal; inside the transaction.
 */
TK_MUST_CHECK tk_err tk_teep_tam_decide(struct tk_teep_tam *tam, int64_t now,
					const struct agent *agent, struct verdict *v,
					struct tk_diag *diag);

/*
 * Success or Error in response to an Update: match the token, record the
 * result. Writes the token prefix to token_log for the drop log line.
 */
TK_MUST_CHECK tk_err tk_teep_tam_on_result(struct tk_teep_tam *tam, int64_t now,
					   const struct agent *agent,
					   const struct tk_teep_msg *msg,
					   char token_log[LOG_ID_CAP], struct tk_diag *diag);

#endif /* TK_TEEP_TAM_IMPL_H */
