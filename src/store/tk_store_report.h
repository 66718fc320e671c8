/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT report records of the TAM store: the report key enrolled for each
 * TEEP Agent key, and the SUIT reports (draft-ietf-suit-report-18) the TAM
 * verified, kept per device. They are hooks of struct tk_store_ops
 * (tk_store.h) like every other record, and this header declares their
 * types and wrappers.
 *
 * Records:
 *   agent_report_keys  agent kid -> the agent's SUIT report public key,
 *                      enrolled by an administrator with the agent key
 *   suit_reports       one row per verified report: device, agent kid, the
 *                      token of the Update it responds to, the manifest it
 *                      refers to, its result and the decoded SUIT_Report;
 *                      boot marks the boot-time reports of a QueryResponse
 */
#ifndef TK_STORE_REPORT_H
#define TK_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"

struct tk_store;

/* Maximum size of a stored SUIT_Report, the decoder's own limit (64 KiB,
 * TK_SUIT_REPORT_MAX_SIZE); larger ones fail with TK_ERR_LIMIT_SIZE. */
#define TK_STORE_SUIT_REPORT_MAX (64u * 1024u)

/* Maximum length of a stored manifest URI, TK_SUIT_MAX_URI_LEN. */
#define TK_STORE_REPORT_URI_MAX 2048

/* The report key enrolled with an agent key. */
struct tk_store_report_key {
	uint8_t agent_kid[32];      /* TK_STORE_KID_LEN */
	uint8_t report_kid[32];     /* RFC 9679 thumbprint of the report key */
	uint8_t pubkey[256];        /* encoded COSE_Key (TK_STORE_PUBKEY_MAX) */
	size_t pubkey_len;
	int64_t enrolled_at;
};

/* One verified SUIT report. Spans are borrowed on add and views during a
 * listing. */
struct tk_store_suit_report {
	int64_t id;                 /* set by listings; ignored on add */
	uint8_t kid[32];            /* agent key that sent it */
	struct tk_span ueid;        /* device; may be empty before attestation */
	struct tk_span token;       /* of the Update it replies to (its nonce),
				       or of the QueryRequest for a boot report
				       (empty when it had none) */
	bool boot;                  /* a boot-time report of a QueryResponse */
	struct tk_span digest;      /* suit-report-manifest-digest bytes */
	struct tk_span uri;         /* suit-report-manifest-uri; may be empty */
	bool success;               /* suit-report-result is true */
	int64_t result_code;        /* suit-report-result-code; 0 on success */
	uint64_t reason;            /* SUIT_Report_Reasons; 0 on success */
	uint64_t record_count;      /* entries of suit-report-records */
	bool encrypted;             /* it arrived encrypted to the TAM */
	struct tk_span report;      /* the encoded SUIT_Report, decrypted */
	int64_t received_at;
};

/* Callback of tk_store_suit_report_each(); views valid during the call. */
typedef tk_err (*tk_store_suit_report_fn)(void *cb_ctx, const struct tk_store_suit_report *r);

/*
 * Wrappers of the report hooks: each checks that the hook exists
 * (TK_ERR_UNSUPPORTED otherwise) and the lengths against the limits above.
 */

/* Enroll (or replace) the report key of an agent key. */
TK_MUST_CHECK tk_err tk_store_report_key_set(const struct tk_store *st,
					     const struct tk_store_report_key *key,
					     struct tk_diag *diag);
/* The report key enrolled with this agent kid; TK_ERR_NOT_FOUND when none. */
TK_MUST_CHECK tk_err tk_store_report_key_get(const struct tk_store *st, struct tk_span agent_kid,
					     struct tk_store_report_key *out,
					     struct tk_diag *diag);
/* Append a verified report. */
TK_MUST_CHECK tk_err tk_store_suit_report_add(const struct tk_store *st,
					      const struct tk_store_suit_report *r,
					      struct tk_diag *diag);
/*
 * List reports newest first: of one device, or of all with an empty ueid;
 * at most `limit` rows per device (0: all of them).
 */
TK_MUST_CHECK tk_err tk_store_suit_report_each(const struct tk_store *st, struct tk_span ueid,
					       size_t limit, tk_store_suit_report_fn cb,
					       void *cb_ctx, struct tk_diag *diag);

#endif /* TK_STORE_REPORT_H */
