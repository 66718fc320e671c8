/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of SUIT_Report keys (draft-ietf-suit-report-18 sections 4 and 6)
 * for the diagnostic printer: the report's members at the top, the result
 * map's members under key 4 and the capability report's under key 8.
 */
#include "suit/tk_suit_report.h"

#include "cbor/tk_cbor.h"

static const char *report_key(int64_t key)
{
	switch (key) {
	case TK_SUIT_REPORT_KEY_NONCE: return "suit-report-nonce";
	case TK_SUIT_REPORT_KEY_RECORDS: return "suit-report-records";
	case TK_SUIT_REPORT_KEY_RESULT: return "suit-report-result";
	case TK_SUIT_REPORT_KEY_CAPABILITY: return "suit-report-capability-report";
	case TK_SUIT_REPORT_KEY_REFERENCE: return "suit-reference";
	case TK_SUIT_REPORT_KEY_RECORDS_OMITTED: return "records-omitted (teepkit)";
	default: return NULL;
	}
}

static const char *result_key(int64_t key)
{
	switch (key) {
	case TK_SUIT_REPORT_KEY_RESULT_CODE: return "suit-report-result-code";
	case TK_SUIT_REPORT_KEY_RESULT_RECORD: return "suit-report-result-record";
	case TK_SUIT_REPORT_KEY_RESULT_REASON: return "suit-report-result-reason";
	default: return NULL;
	}
}

static const char *capability_key(int64_t key)
{
	static const char *const names[] = {
		NULL,
		"suit-component-capabilities",
		"suit-command-capabilities",
		"suit-parameters-capabilities",
		"suit-crypt-algo-capabilities",
		"suit-envelope-capabilities",
		"suit-manifest-capabilities",
		"suit-common-capabilities",
		"suit-text-capabilities",
		"suit-text-component-capabilities",
		"suit-dependency-capabilities",
	};

	return key > 0 && key < (int64_t)(sizeof(names) / sizeof(names[0])) ? names[key] : NULL;
}

static const char *key_name(void *ctx, const int64_t *path, unsigned path_len, int64_t key)
{
	(void)ctx;
	if (path_len == 0)
		return report_key(key);
	if (path_len == 1 && path[0] == TK_SUIT_REPORT_KEY_RESULT)
		return result_key(key);
	if (path_len == 1 && path[0] == TK_SUIT_REPORT_KEY_CAPABILITY)
		return capability_key(key);
	return NULL;
}

const struct tk_cbor_names tk_suit_report_cbor_names = {key_name, NULL, NULL};
