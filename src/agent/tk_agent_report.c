/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's SUIT reports (see tk_agent_report.h). Records go into the
 * builder as the processor reports them; the report itself is encoded,
 * signed and encrypted only when the state machine requests it, into heap
 * buffers sized from the builder's bounds.
 */
#include "agent/tk_agent_report.h"

#include <stdlib.h>
#include <string.h>

#include "agent/tk_agent_tee.h"
#include "cose/tk_cose.h"

/* Room for the report around its records: reference, nonce, result
 * record and capability report. */
#define REPORT_FRAME_SIZE (TK_SUIT_MAX_URI_LEN + 2u * TK_SUIT_REPORT_MAX_RECORD_SIZE + 512u)

void tk_agent_report_begin(struct tk_agent_report *rep)
{
	if (rep == NULL)
		return;
	tk_suit_report_init(&rep->builder, rep->records, sizeof(rep->records));
	rep->active = true;
	rep->ready = false;
	rep->limit_logged = false;
}

void tk_agent_report_end(struct tk_agent_report *rep, const uint8_t *envelope,
			 size_t envelope_len, const struct tk_suit_envelope *env,
			 const struct tk_suit_manifest *manifest, tk_err result)
{
	struct tk_span hashed = tk_span_make(envelope, envelope_len);

	if (rep == NULL || !rep->active)
		return;
	rep->active = false;
	rep->result = result;
	rep->uri_len = 0;
	if (manifest != NULL) {
		memcpy(rep->digest, manifest->digest, sizeof(rep->digest));
		if (manifest->reference_uri.len > 0 &&
		    manifest->reference_uri.len <= sizeof(rep->uri)) {
			memcpy(rep->uri, manifest->reference_uri.ptr, manifest->reference_uri.len);
			rep->uri_len = manifest->reference_uri.len;
		}
		/* A failure after authentication that no command reported. */
		rep->failed_section = TK_SUIT_REPORT_SECTION_MANIFEST;
		rep->ready = true;
		return;
	}
	if (env != NULL && env->manifest_bstr.len > 0)
		hashed = env->manifest_bstr;
	rep->failed_section = TK_SUIT_REPORT_SECTION_AUTHENTICATION;
	rep->ready = tk_crypto_sha256(rep->crypto, hashed.ptr, hashed.len, rep->digest, NULL) ==
		     TK_OK;
}

tk_err tk_agent_report_record(void *ctx, const struct tk_suit_record *record,
			      struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_report *rep = glue->report;
	struct tk_diag local;
	tk_err err;

	/* Records of an unlink's uninstall procedure belong to no report. */
	if (rep == NULL || !rep->active)
		return TK_OK;
	tk_diag_clear(&local);
	err = tk_suit_report_add(&rep->builder, record, &local);
	if (err == TK_ERR_LIMIT_COUNT || err == TK_ERR_LIMIT_SIZE) {
		if (!rep->limit_logged)
			tk_log(rep->log, TK_LOG_NOTICE, "agent",
			       "SUIT report records beyond this one are counted, not kept: %s",
			       local.msg);
		rep->limit_logged = true;
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "SUIT report record: %s", local.msg);
	return TK_OK;
}

/* Encode the report of the last manifest into a new buffer. */
static tk_err finish_report(const struct tk_agent_report *rep, struct tk_span nonce,
			    uint8_t **out, size_t *out_len, struct tk_diag *diag)
{
	struct tk_suit_report_params params = {
		.uri = tk_span_make(rep->uri, rep->uri_len),
		.digest_alg = TK_SUIT_ALG_SHA256,
		.digest = tk_span_make(rep->digest, sizeof(rep->digest)),
		.nonce = nonce,
		.result = rep->result,
		.failed_section = rep->failed_section,
		/* draft-ietf-suit-report-18 section 4.2: capabilities only when
		   the manifest used one the processor lacks. */
		.capabilities = rep->result == TK_ERR_UNSUPPORTED ? &tk_suit_capabilities_default
								  : NULL,
	};
	size_t cap = rep->builder.used + REPORT_FRAME_SIZE;
	tk_err err;

	*out = malloc(cap);
	if (*out == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes for a SUIT report", cap);
	err = tk_suit_report_finish(&rep->builder, &params, *out, cap, out_len, diag);
	if (err != TK_OK) {
		free(*out);
		*out = NULL;
	}
	return err;
}

tk_err tk_agent_report_write(void *ctx, struct tk_span nonce, uint8_t *out, size_t out_cap,
			     size_t *out_len, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_report *rep = glue->report;
	struct tk_suit_report_protect protect = {0};
	uint8_t *report = NULL, *work = NULL;
	size_t report_len = 0, work_cap = 0;
	tk_err err;

	*out_len = 0;
	if (rep == NULL || !rep->ready)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no SUIT report to send");
	rep->ready = false;

	err = tk_tee_report_key(rep->tee, &protect.report_key, diag);
	if (err == TK_OK) {
		protect.alg = tk_cose_alg_for_key(protect.report_key);
		protect.recipient = rep->tam_key;
		err = finish_report(rep, nonce, &report, &report_len, diag);
	}
	if (err == TK_OK && rep->tam_key != NULL) {
		work_cap = report_len + TK_SUIT_REPORT_PROTECT_OVERHEAD;
		work = malloc(work_cap);
		if (work == NULL)
			err = TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes to encrypt a "
				      "SUIT report", work_cap);
	}
	if (err == TK_OK)
		err = tk_suit_report_protect(rep->crypto, &protect, report, report_len, work,
					     work_cap, out, out_cap, out_len, diag);
	if (report != NULL)
		tk_wipe(report, report_len);
	free(report);
	free(work);
	return err;
}
