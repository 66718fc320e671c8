/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name tables of draft-ietf-teep-protocol (message types, CBOR labels,
 * error codes) and of the tags used around TEEP messages. Tables are
 * indexed by number, and a gap is a reserved or unknown value.
 */
#include "teep/tk_teep_names.h"

#include <stddef.h>

#include "teep/tk_teep_msg.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Label 0 of system-property-claims (draft-ietf-suit-report). */
#define SYSTEM_COMPONENT_ID 0

static const char *const type_names[] = {
	[TK_TEEP_TYPE_QUERY_REQUEST] = "query-request",
	[TK_TEEP_TYPE_QUERY_RESPONSE] = "query-response",
	[TK_TEEP_TYPE_UPDATE] = "update",
	[TK_TEEP_TYPE_SUCCESS] = "success",
	[TK_TEEP_TYPE_ERROR] = "error",
};

static const char *const label_names[] = {
	[TK_TEEP_LABEL_SUPPORTED_TEEP_CIPHER_SUITES] = "supported-teep-cipher-suites",
	[TK_TEEP_LABEL_CHALLENGE] = "challenge",
	[TK_TEEP_LABEL_VERSIONS] = "versions",
	[TK_TEEP_LABEL_SUPPORTED_SUIT_COSE_PROFILES] = "supported-suit-cose-profiles",
	[TK_TEEP_LABEL_SELECTED_VERSION] = "selected-version",
	[TK_TEEP_LABEL_ATTESTATION_PAYLOAD] = "attestation-payload",
	[TK_TEEP_LABEL_TC_LIST] = "tc-list",
	[TK_TEEP_LABEL_EXT_LIST] = "ext-list",
	[TK_TEEP_LABEL_MANIFEST_LIST] = "manifest-list",
	[TK_TEEP_LABEL_MSG] = "msg",
	[TK_TEEP_LABEL_ERR_MSG] = "err-msg",
	[TK_TEEP_LABEL_ATTESTATION_PAYLOAD_FORMAT] = "attestation-payload-format",
	[TK_TEEP_LABEL_REQUESTED_TC_LIST] = "requested-tc-list",
	[TK_TEEP_LABEL_UNNEEDED_MANIFEST_LIST] = "unneeded-manifest-list",
	[TK_TEEP_LABEL_COMPONENT_ID] = "component-id",
	[TK_TEEP_LABEL_TC_MANIFEST_SEQUENCE_NUMBER] = "tc-manifest-sequence-number",
	[TK_TEEP_LABEL_HAVE_BINARY] = "have-binary",
	[TK_TEEP_LABEL_SUIT_REPORTS] = "suit-reports",
	[TK_TEEP_LABEL_TOKEN] = "token",
	[TK_TEEP_LABEL_SUPPORTED_FRESHNESS_MECHANISMS] = "supported-freshness-mechanisms",
	[TK_TEEP_LABEL_ERR_LANG] = "err-lang",
	[TK_TEEP_LABEL_ERR_CODE] = "err-code",
};

static const char *const err_code_names[] = {
	[TK_TEEP_ERR_PERMANENT_ERROR] = "ERR_PERMANENT_ERROR",
	[TK_TEEP_ERR_UNSUPPORTED_EXTENSION] = "ERR_UNSUPPORTED_EXTENSION",
	[TK_TEEP_ERR_UNSUPPORTED_FRESHNESS_MECHANISMS] = "ERR_UNSUPPORTED_FRESHNESS_MECHANISMS",
	[TK_TEEP_ERR_UNSUPPORTED_MSG_VERSION] = "ERR_UNSUPPORTED_MSG_VERSION",
	[TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES] = "ERR_UNSUPPORTED_CIPHER_SUITES",
	[TK_TEEP_ERR_BAD_CERTIFICATE] = "ERR_BAD_CERTIFICATE",
	[TK_TEEP_ERR_ATTESTATION_REQUIRED] = "ERR_ATTESTATION_REQUIRED",
	[TK_TEEP_ERR_UNSUPPORTED_SUIT_REPORT] = "ERR_UNSUPPORTED_SUIT_REPORT",
	[TK_TEEP_ERR_CERTIFICATE_EXPIRED] = "ERR_CERTIFICATE_EXPIRED",
	[TK_TEEP_ERR_TEMPORARY_ERROR] = "ERR_TEMPORARY_ERROR",
	[TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED] = "ERR_MANIFEST_PROCESSING_FAILED",
};

/*
 * Keys of a tc-list entry: system-component-id, then the SUIT parameters of
 * draft-ietf-suit-manifest.
 */
static const char *const tc_claim_names[] = {
	[SYSTEM_COMPONENT_ID] = "system-component-id",
	[1] = "vendor-identifier",
	[2] = "class-identifier",
	[3] = "image-digest",
	[5] = "component-slot",
	[12] = "strict-order",
	[13] = "soft-failure",
	[14] = "image-size",
	[18] = "content",
	[21] = "uri",
	[22] = "source-component",
	[23] = "invoke-args",
	[24] = "device-identifier",
	[25] = "fetch-arguments",
};

static const struct {
	uint64_t tag;
	const char *name;
} tag_names[] = {
	{16, "COSE_Encrypt0"},
	{17, "COSE_Mac0"},
	{18, "COSE_Sign1"},
	{61, "CWT"},
	{96, "COSE_Encrypt"},
	{97, "COSE_Mac"},
	{98, "COSE_Sign"},
	{107, "SUIT_Envelope"},
	{1070, "SUIT_Manifest"},
};

static const char *lookup(const char *const *table, size_t count, uint64_t value)
{
	return value < count ? table[value] : NULL;
}

const char *tk_teep_type_name(uint64_t type)
{
	return lookup(type_names, COUNT_OF(type_names), type);
}

const char *tk_teep_label_name(uint64_t label)
{
	return lookup(label_names, COUNT_OF(label_names), label);
}

const char *tk_teep_err_code_name(uint64_t err_code)
{
	return lookup(err_code_names, COUNT_OF(err_code_names), err_code);
}

const char *tk_teep_tag_name(uint64_t tag)
{
	for (size_t i = 0; i < COUNT_OF(tag_names); i++)
		if (tag_names[i].tag == tag)
			return tag_names[i].name;
	return NULL;
}

/*
 * The options map has no enclosing map key. requested-tc-info maps are
 * under label 14 and tc-list entries under label 8.
 */
static const char *key_name(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	(void)ctx;
	if (key < 0)
		return NULL;
	if (path_len == 0)
		return tk_teep_label_name((uint64_t)key);
	if (path[path_len - 1] == TK_TEEP_LABEL_REQUESTED_TC_LIST)
		return tk_teep_label_name((uint64_t)key);
	if (path[path_len - 1] == TK_TEEP_LABEL_TC_LIST)
		return lookup(tc_claim_names, COUNT_OF(tc_claim_names), (uint64_t)key);
	return NULL;
}

static const char *tag_name(void *ctx, uint64_t tag)
{
	(void)ctx;
	return tk_teep_tag_name(tag);
}

struct tk_cbor_names tk_teep_cbor_names(void)
{
	struct tk_cbor_names names = {key_name, tag_name, NULL};
	return names;
}
