/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-time SUIT reports: draft-ietf-teep-protocol section "QueryResponse
 * Message" lets suit-reports carry SUIT reports of "boot" (including
 * starting an executable in an OS context). In teepkit that is
 * `teep-agent load`, the measured load and run of an installed component.
 *
 * Each load writes an unsigned SUIT_Report without suit-report-nonce to
 * the TEE state folder, in <state>/boot-reports/<sequence>.cbor (mode
 * 0600, the folder 0700), through plain files so the sim and TPM backends
 * share it. `teep-agent run` protects each one when it builds the
 * QueryResponse. It adds the QueryRequest's token as suit-report-nonce when
 * one was present, as the draft requires, then signs the report with the
 * TEE's report key and encrypts it to the TAM when that key is configured.
 * A stored report cannot be signed earlier, because the token is known
 * only then. Reports sent in a session that ended without error are
 * removed.
 */
#ifndef TK_AGENT_BOOT_H
#define TK_AGENT_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

/*
 * Maximum boot reports in the state folder. Saving one more removes the
 * oldest, so a node that loads often but seldom reaches its TAM keeps at
 * most this many, and sends at most this many in one QueryResponse.
 */
#define TK_AGENT_BOOT_REPORTS_MAX 8

/* Folder of the boot reports inside the TEE state folder. */
#define TK_AGENT_BOOT_DIR "boot-reports"

/* One load to report. */
struct tk_agent_boot_load {
	const struct tk_suit_manifest *manifest; /* authenticated manifest naming
						    the component; borrowed */
	uint64_t component_index;   /* of the component in the manifest */
	const uint8_t *digest;      /* measured SHA-256 image digest, NULL when
				       the load failed before measuring */
	tk_err result;              /* TK_OK or why the load failed */
};

/*
 * Build the SUIT report of a load and store it in state_dir, removing the
 * oldest beyond TK_AGENT_BOOT_REPORTS_MAX. The report has one record for
 * the invocation (section suit-invoke, component index, the measured
 * image digest as suit-parameter-image-digest) and the load's result.
 */
TK_MUST_CHECK tk_err tk_agent_boot_save(const char *state_dir, const struct tk_agent_boot_load *load,
					struct tk_diag *diag);

/*
 * Save the report of `teep-agent load` and log a failure to save it as a
 * warning, because the load's own result does not change. A NULL manifest
 * (no authenticated manifest names the component) saves nothing, since a
 * SUIT report must reference a manifest.
 */
void tk_agent_boot_record(const char *state_dir, const struct tk_suit_manifest *manifest,
			  size_t component_index, const uint8_t *digest, tk_err result,
			  const struct tk_log *log);

/* The stored boot reports, oldest first. Zero-initialise. */
struct tk_agent_boot {
	const char *state_dir;                          /* borrowed */
	size_t count;
	uint64_t sequence[TK_AGENT_BOOT_REPORTS_MAX];   /* file names */
	uint8_t *reports[TK_AGENT_BOOT_REPORTS_MAX];    /* encoded SUIT_Reports */
	size_t lens[TK_AGENT_BOOT_REPORTS_MAX];
	size_t sent;                                    /* written to a reply */
};

/* Read the stored boot reports. A missing folder means none. Free with
   tk_agent_boot_free() on success and failure. */
TK_MUST_CHECK tk_err tk_agent_boot_read(struct tk_agent_boot *boot, const char *state_dir,
					struct tk_diag *diag);

void tk_agent_boot_free(struct tk_agent_boot *boot);

/* Remove the files of the reports written to a reply. */
TK_MUST_CHECK tk_err tk_agent_boot_remove_sent(struct tk_agent_boot *boot, struct tk_diag *diag);

/*
 * The agent state machine's boot_report hook (ctx: struct tk_agent_tee,
 * whose report->boot has the reports). Writes report `index` with
 * `nonce` as suit-report-nonce when not empty, protected like the reports
 * of tk_agent_report_write(). TK_ERR_NOT_FOUND past the last one.
 */
tk_err tk_agent_boot_report_write(void *ctx, size_t index, struct tk_span nonce, uint8_t *out,
				  size_t out_cap, size_t *out_len, struct tk_diag *diag);

#endif /* TK_AGENT_BOOT_H */
