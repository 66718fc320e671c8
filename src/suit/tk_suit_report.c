/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT report builder and reason mapping (see tk_suit_report.h). Each kept
 * record is encoded once, when the processor reports it, straight into the
 * caller's buffer; finishing the report copies those bytes after the array
 * head, so the builder keeps no more than one record of its own (the result
 * record).
 */
#include "suit/tk_suit_report.h"

#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "suit/tk_suit_impl.h"

/* Encoded empty map, the properties of a record without system information. */
static const uint8_t empty_map[] = {0xa0};

/* SUIT_Capability_Report keys (draft-ietf-suit-report-18 section 6). */
#define CAP_COMPONENTS 1
#define CAP_COMMANDS 2
#define CAP_PARAMETERS 3
#define CAP_ALGORITHMS 4

static const int64_t default_commands[] = {
	TK_SUIT_CMD_VENDOR_IDENTIFIER,   TK_SUIT_CMD_CLASS_IDENTIFIER,
	TK_SUIT_CMD_IMAGE_MATCH,         TK_SUIT_CMD_CHECK_CONTENT,
	TK_SUIT_CMD_SET_COMPONENT_INDEX, TK_SUIT_CMD_ABORT,
	TK_SUIT_CMD_WRITE,               TK_SUIT_CMD_SET_PARAMETERS,
	TK_SUIT_CMD_OVERRIDE_PARAMETERS, TK_SUIT_CMD_FETCH,
	TK_SUIT_CMD_COPY,                TK_SUIT_CMD_DEVICE_IDENTIFIER,
	TK_SUIT_CMD_UNLINK,
};

static const int64_t default_parameters[] = {
	TK_SUIT_PARAM_VENDOR_ID,  TK_SUIT_PARAM_CLASS_ID,   TK_SUIT_PARAM_IMAGE_DIGEST,
	TK_SUIT_PARAM_IMAGE_SIZE, TK_SUIT_PARAM_CONTENT,    TK_SUIT_PARAM_URI,
	TK_SUIT_PARAM_SOURCE_COMPONENT, TK_SUIT_PARAM_DEVICE_ID,
};

static const int64_t default_algorithms[] = {
	TK_SUIT_ALG_SHA256, TK_COSE_ALG_ESP256, TK_COSE_ALG_ED25519, TK_COSE_ALG_ES256,
	TK_COSE_ALG_EDDSA,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct tk_suit_capabilities tk_suit_capabilities_default = {
	.commands = default_commands,
	.n_commands = COUNT(default_commands),
	.parameters = default_parameters,
	.n_parameters = COUNT(default_parameters),
	.algorithms = default_algorithms,
	.n_algorithms = COUNT(default_algorithms),
};

static enum tk_suit_report_reason crypto_reason(tk_err err, bool in_command)
{
	switch (err) {
	case TK_ERR_ALG_UNSUPPORTED:
		return TK_SUIT_REASON_ALG_UNSUPPORTED;
	case TK_ERR_CRIT:
		return TK_SUIT_REASON_COSE_UNSUPPORTED;
	case TK_ERR_DIGEST_MISMATCH:
		/* In a command: image-match. Before any: the manifest digest. */
		return in_command ? TK_SUIT_REASON_CONDITION_FAILED : TK_SUIT_REASON_UNAUTHORISED;
	case TK_ERR_SIGNATURE:
	case TK_ERR_KEY:
		return TK_SUIT_REASON_UNAUTHORISED;
	default:
		return TK_SUIT_REASON_OPERATION_FAILED; /* crypto library, decryption */
	}
}

enum tk_suit_report_reason tk_suit_report_reason(tk_err err, bool in_command)
{
	unsigned range = (unsigned)err / 100u;

	if (err == TK_OK)
		return TK_SUIT_REASON_OK;
	if (range == 1 || range == 2)
		return TK_SUIT_REASON_CBOR_PARSE; /* malformed or invalid for the CDDL */
	if (range == 4)
		return crypto_reason(err, in_command);
	switch (err) {
	case TK_ERR_UNTRUSTED:
		return TK_SUIT_REASON_UNAUTHORISED;
	case TK_ERR_CONDITION:
	case TK_ERR_ROLLBACK: /* the sequence number check of section 8.4.2 */
		return TK_SUIT_REASON_CONDITION_FAILED;
	case TK_ERR_UNSUPPORTED:
		/* Outside a command: a section, an authentication block type or
		   a severed member the processor does not run. */
		return in_command ? TK_SUIT_REASON_COMMAND_UNSUPPORTED
				  : TK_SUIT_REASON_COSE_UNSUPPORTED;
	default:
		/* Limits, policy, storage, network and internal failures. */
		return TK_SUIT_REASON_OPERATION_FAILED;
	}
}

const char *tk_suit_report_reason_name(uint64_t reason)
{
	static const char *const names[] = {
		"ok",
		"cbor-parse",
		"cose-unsupported",
		"alg-unsupported",
		"unauthorised",
		"command-unsupported",
		"component-unsupported",
		"component-unauthorised",
		"parameter-unsupported",
		"severing-unsupported",
		"condition-failed",
		"operation-failed",
		"invoke-pending",
	};

	return reason < COUNT(names) ? names[reason] : "unknown";
}

void tk_suit_report_init(struct tk_suit_report_builder *b, uint8_t *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = buf != NULL ? cap : 0;
}

/* SUIT_Record = [manifest-id, section, offset, component-index, properties] */
static tk_err encode_record(const struct tk_suit_record *r, bool with_properties,
			    uint8_t *out, size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	struct tk_span props = with_properties && r->properties.len > 0
				       ? r->properties
				       : tk_span_make(empty_map, sizeof(empty_map));

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_array(&enc, 5);
	tk_cbor_put_array(&enc, r->manifest_id_len);
	for (size_t i = 0; i < r->manifest_id_len; i++)
		tk_cbor_put_uint(&enc, r->manifest_id[i]);
	tk_cbor_put_int(&enc, r->section);
	tk_cbor_put_uint(&enc, r->offset);
	tk_cbor_put_uint(&enc, r->component_index);
	tk_cbor_put_raw(&enc, props.ptr, props.len);
	return tk_cbor_enc_finish(&enc, out_len);
}

static tk_err check_record(const struct tk_suit_record *r, struct tk_diag *diag)
{
	if (r->manifest_id_len > TK_SUIT_REPORT_MAX_MANIFEST_ID ||
	    (r->manifest_id_len > 0 && r->manifest_id == NULL))
		return TK_FAIL(diag, TK_ERR_ARG, "record manifest id of %zu entries (at most %d)",
			       r->manifest_id_len, TK_SUIT_REPORT_MAX_MANIFEST_ID);
	if (r->properties.len == 0)
		return TK_OK;
	if (r->properties.ptr == NULL || (r->properties.ptr[0] >> 5) != TK_CBOR_MAP)
		return TK_FAIL(diag, TK_ERR_ARG, "record properties are not a CBOR map");
	if (tk_cbor_check(r->properties.ptr, r->properties.len, TK_CBOR_STRICT, diag) != TK_OK)
		return TK_FAIL(diag, TK_ERR_ARG, "record properties are not one CBOR map");
	return TK_OK;
}

/* Keep the failed command as the result record, without its properties
   when they do not fit. */
static void keep_result_record(struct tk_suit_report_builder *b, const struct tk_suit_record *r)
{
	struct tk_diag ignored;

	b->failed = true;
	b->failed_command = r->command;
	if (encode_record(r, true, b->result_record, sizeof(b->result_record),
			  &b->result_record_len, &ignored) == TK_OK)
		return;
	/* Without properties a record has at most 5 + 9 * (8 + 4) bytes. */
	if (encode_record(r, false, b->result_record, sizeof(b->result_record),
			  &b->result_record_len, &ignored) != TK_OK)
		b->result_record_len = 0;
}

tk_err tk_suit_report_add(struct tk_suit_report_builder *b, const struct tk_suit_record *r,
			  struct tk_diag *diag)
{
	uint8_t tmp[TK_SUIT_REPORT_MAX_RECORD_SIZE];
	bool ok = r != NULL && r->result == TK_OK;
	bool requested, sysinfo;
	size_t len = 0;
	tk_err err;

	if (b == NULL || r == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report builder or record is NULL");
	err = check_record(r, diag);
	if (err != TK_OK)
		return err;
	if (!ok && (r->ends_procedure || !b->failed))
		keep_result_record(b, r);

	requested = (r->policy & (ok ? TK_SUIT_POLICY_RECORD_SUCCESS
				  : TK_SUIT_POLICY_RECORD_FAILURE)) != 0;
	sysinfo = (r->policy & (ok ? TK_SUIT_POLICY_SYSINFO_SUCCESS
				   : TK_SUIT_POLICY_SYSINFO_FAILURE)) != 0;
	if (!requested)
		return TK_OK;
	if (b->count >= TK_SUIT_REPORT_MAX_RECORDS) {
		b->omitted++;
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "report holds %d records already",
			       TK_SUIT_REPORT_MAX_RECORDS);
	}
	if (encode_record(r, sysinfo, tmp, sizeof(tmp), &len, NULL) != TK_OK) {
		b->omitted++;
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "record larger than %d bytes",
			       TK_SUIT_REPORT_MAX_RECORD_SIZE);
	}
	if (len > b->cap - b->used) {
		b->omitted++;
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "report record buffer of %zu bytes is full", b->cap);
	}
	memcpy(b->buf + b->used, tmp, len);
	b->used += len;
	b->count++;
	return TK_OK;
}

static void put_int_list(struct tk_cbor_enc *enc, const int64_t *items, size_t n)
{
	tk_cbor_put_array(enc, n);
	for (size_t i = 0; i < n; i++)
		tk_cbor_put_int(enc, items[i]);
}

/* SUIT_Capability_Report with the three required lists and [[true]] as
   the component capability: any component id. */
static void put_capabilities(struct tk_cbor_enc *enc, const struct tk_suit_capabilities *caps)
{
	tk_cbor_put_map(enc, 4);
	tk_cbor_put_uint(enc, CAP_COMPONENTS);
	tk_cbor_put_array(enc, 1);
	tk_cbor_put_array(enc, 1);
	tk_cbor_put_bool(enc, true);
	tk_cbor_put_uint(enc, CAP_COMMANDS);
	put_int_list(enc, caps->commands, caps->n_commands);
	tk_cbor_put_uint(enc, CAP_PARAMETERS);
	put_int_list(enc, caps->parameters, caps->n_parameters);
	tk_cbor_put_uint(enc, CAP_ALGORITHMS);
	put_int_list(enc, caps->algorithms, caps->n_algorithms);
}

/*
 * Map the failure of a procedure to its reason (draft-ietf-suit-report-18
 * section 4.2). set-parameters and override-parameters fail as unsupported
 * only for an unknown parameter, so that is parameter-unsupported. Any
 * other unsupported command is command-unsupported.
 */
static enum tk_suit_report_reason result_reason(const struct tk_suit_report_builder *b,
						tk_err result)
{
	if (b->failed && result == TK_ERR_UNSUPPORTED &&
	    (b->failed_command == TK_SUIT_CMD_SET_PARAMETERS ||
	     b->failed_command == TK_SUIT_CMD_OVERRIDE_PARAMETERS))
		return TK_SUIT_REASON_PARAMETER_UNSUPPORTED;
	return tk_suit_report_reason(result, b->failed);
}

/* suit-report-result: true, or {5: code, 6: record, 7: reason}. */
static void put_result(struct tk_cbor_enc *enc, const struct tk_suit_report_builder *b,
		       const struct tk_suit_report_params *p)
{
	if (p->result == TK_OK) {
		tk_cbor_put_bool(enc, true);
		return;
	}
	tk_cbor_put_map(enc, 3);
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_KEY_RESULT_CODE);
	tk_cbor_put_int(enc, (int64_t)p->result);
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_KEY_RESULT_RECORD);
	if (b->failed && b->result_record_len > 0) {
		tk_cbor_put_raw(enc, b->result_record, b->result_record_len);
	} else {
		/* No command failed: name the envelope member that did. */
		tk_cbor_put_array(enc, 5);
		tk_cbor_put_array(enc, 0);
		tk_cbor_put_int(enc, p->failed_section);
		tk_cbor_put_uint(enc, 0);
		tk_cbor_put_uint(enc, 0);
		tk_cbor_put_raw(enc, empty_map, sizeof(empty_map));
	}
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_KEY_RESULT_REASON);
	tk_cbor_put_uint(enc, (uint64_t)result_reason(b, p->result));
}

static tk_err check_params(const struct tk_suit_report_params *p, struct tk_diag *diag)
{
	const struct tk_suit_capabilities *caps = p->capabilities;

	if (p->nonce.len > TK_SUIT_REPORT_MAX_NONCE)
		return TK_FAIL(diag, TK_ERR_ARG, "report nonce of %zu bytes (at most %d)",
			       p->nonce.len, TK_SUIT_REPORT_MAX_NONCE);
	if (p->uri.len > TK_SUIT_MAX_URI_LEN)
		return TK_FAIL(diag, TK_ERR_ARG, "report URI of %zu bytes (at most %d)",
			       p->uri.len, TK_SUIT_MAX_URI_LEN);
	if (p->digest.len == 0 || p->digest.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report has no manifest digest");
	if (caps != NULL && (caps->n_commands == 0 || caps->n_parameters == 0 ||
			     caps->n_algorithms == 0))
		return TK_FAIL(diag, TK_ERR_ARG, "capability report with an empty list");
	return TK_OK;
}

tk_err tk_suit_report_finish(const struct tk_suit_report_builder *b,
			     const struct tk_suit_report_params *p, uint8_t *out,
			     size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	uint64_t pairs = 3;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (b == NULL || p == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report builder, parameters or length is NULL");
	err = check_params(p, diag);
	if (err != TK_OK)
		return err;
	pairs += (p->nonce.len > 0) + (p->capabilities != NULL) + (b->omitted > 0);

	/* Keys in the deterministic order: 2, 3, 4, 8, 99, then -65537. */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, pairs);
	if (p->nonce.len > 0) {
		tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_NONCE);
		tk_cbor_put_bstr(&enc, p->nonce.ptr, p->nonce.len);
	}
	tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_RECORDS);
	tk_cbor_put_array(&enc, b->count);
	if (b->used > 0)
		tk_cbor_put_raw(&enc, b->buf, b->used);
	tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_RESULT);
	put_result(&enc, b, p);
	if (p->capabilities != NULL) {
		tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_CAPABILITY);
		put_capabilities(&enc, p->capabilities);
	}
	tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_REFERENCE);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_tstr(&enc, (const char *)p->uri.ptr, p->uri.len);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, p->digest_alg);
	tk_cbor_put_bstr(&enc, p->digest.ptr, p->digest.len);
	if (b->omitted > 0) {
		tk_cbor_put_int(&enc, TK_SUIT_REPORT_KEY_RECORDS_OMITTED);
		tk_cbor_put_uint(&enc, b->omitted);
	}
	return tk_cbor_enc_finish(&enc, out_len);
}
