/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT reports of the agent (draft-ietf-suit-report-18): collects the
 * records the SUIT processor passes to its report hook while one manifest
 * runs, then writes the report of that manifest, signed with the TEE's
 * report key and, when the TAM's encryption key is configured, encrypted
 * to it. The agent state machine puts the reports in its Success or Error
 * (draft-ietf-teep-protocol sections "Success Message" and "Error
 * Message").
 *
 * The glue in tk_agent_tee.c calls tk_agent_report_begin() before it
 * decodes an envelope and tk_agent_report_end() with the outcome. The
 * hooks below take the struct tk_agent_tee as ctx, like every other
 * platform and TEE hook there.
 */
#ifndef TK_AGENT_REPORT_H
#define TK_AGENT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_report.h"
#include "tee/tk_tee.h"

struct tk_agent_boot;

/* Bytes of encoded records kept per manifest: TK_SUIT_REPORT_MAX_RECORDS
 * records of a typical 100 bytes. Records past it are counted as omitted. */
#define TK_AGENT_REPORT_RECORDS_SIZE (8u * 1024u)

struct tk_agent_report {
	/* Settings, set by the caller. */
	const struct tk_tee *tee;          /* has the report key; borrowed */
	const struct tk_crypto *crypto;
	const struct tk_crypto_key *tam_key; /* TAM's P-256 public key to encrypt
						reports to; NULL = signed only */
	const struct tk_log *log;          /* may be NULL */
	struct tk_agent_boot *boot;        /* stored boot reports for the
					      QueryResponse (tk_agent_boot.h);
					      borrowed, NULL for none */

	/* State of the manifest being processed; zero-initialise. */
	bool active;                       /* between begin and end */
	bool ready;                        /* a report waits to be written */
	bool limit_logged;                 /* the builder's limit was logged */
	struct tk_suit_report_builder builder;
	uint8_t records[TK_AGENT_REPORT_RECORDS_SIZE];
	tk_err result;
	int64_t failed_section;
	uint8_t digest[TK_SUIT_DIGEST_LEN];
	uint8_t uri[TK_SUIT_MAX_URI_LEN];
	size_t uri_len;
};

/* Start the report of one manifest, dropping one not written yet. */
void tk_agent_report_begin(struct tk_agent_report *rep);

/*
 * End it with the manifest's outcome. suit-reference names the
 * authenticated manifest (`manifest` non-NULL) by its reference URI and
 * digest; without one, the digest is SHA-256 over the manifest byte string
 * of `env` when the envelope decoded (what its digest would be), else over
 * the envelope as received, so the TAM can still match the report to what
 * it sent. NULL rep: nothing happens.
 */
void tk_agent_report_end(struct tk_agent_report *rep, const uint8_t *envelope,
			 size_t envelope_len, const struct tk_suit_envelope *env,
			 const struct tk_suit_manifest *manifest, tk_err result);

/*
 * The SUIT platform's report hook (ctx: struct tk_agent_tee). A record over
 * the builder's limits is counted, not an error, so reporting never stops
 * an install.
 */
tk_err tk_agent_report_record(void *ctx, const struct tk_suit_record *record,
			      struct tk_diag *diag);

/* The agent state machine's suit_report hook (ctx: struct tk_agent_tee). */
tk_err tk_agent_report_write(void *ctx, struct tk_span nonce, uint8_t *out, size_t out_cap,
			     size_t *out_len, struct tk_diag *diag);

#endif /* TK_AGENT_REPORT_H */
