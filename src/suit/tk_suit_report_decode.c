/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict decoder of a SUIT_Report (draft-ietf-suit-report-18 sections 3, 4
 * and 6), for the TAM and for inspection. It reads with the pull decoder
 * and a sticky error, so each helper may run after a failure and the
 * result is checked once at the end. See tk_suit_report.h for the CDDL.
 */
#include "suit/tk_suit_report.h"

#include <string.h>

#include "cbor/tk_cbor.h"

/*
 * NOTE: the helpers read the decoder's sticky error and buffer directly,
 * to stop a loop after the first failure and to return the raw bytes of a
 * map they also validate. tk_cbor.h documents these fields as private.
 */

/* Keys of SUIT_Capability_Report whose lists are required. */
#define CAP_COMPONENTS 1
#define CAP_ALGORITHMS 4

/* system-property-claims: system-component-id => SUIT_Component_Identifier */
#define SYSTEM_COMPONENT_ID 0

/* The decoder keeps the first error; a call whose result is checked later
   through it goes through here. */
static void sticky(tk_err err)
{
	(void)err;
}

static bool is_int(enum tk_cbor_type t)
{
	return t == TK_CBOR_UINT || t == TK_CBOR_NINT;
}

/* [* uint], at most TK_SUIT_REPORT_MAX_MANIFEST_ID entries. */
static void read_manifest_id(struct tk_cbor_dec *dec, struct tk_suit_report_record *r)
{
	uint64_t count = 0;

	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	while (tk_cbor_more(dec)) {
		if (r->manifest_id_len >= TK_SUIT_REPORT_MAX_MANIFEST_ID) {
			tk_cbor_dec_fail(dec, TK_ERR_LIMIT_DEPTH,
					 "record manifest id longer than %d entries",
					 TK_SUIT_REPORT_MAX_MANIFEST_ID);
			return;
		}
		if (tk_cbor_get_uint(dec, &r->manifest_id[r->manifest_id_len++]) != TK_OK)
			return;
	}
	sticky(tk_cbor_leave(dec));
}

/* A map whose keys are all integers; its encoding goes to *raw. */
static void read_int_keyed_map(struct tk_cbor_dec *dec, struct tk_span *raw, const char *what)
{
	size_t start = tk_cbor_offset(dec);
	uint64_t pairs = 0;

	if (tk_cbor_peek(dec) != TK_CBOR_MAP) {
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "%s is not a map", what);
		return;
	}
	if (tk_cbor_enter_map(dec, &pairs) != TK_OK)
		return;
	while (tk_cbor_more(dec)) {
		if (!is_int(tk_cbor_peek(dec))) {
			tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "%s has a key that is not an int",
					 what);
			return;
		}
		if (tk_cbor_skip(dec) != TK_OK || tk_cbor_skip(dec) != TK_OK)
			return;
	}
	if (tk_cbor_leave(dec) == TK_OK)
		*raw = tk_span_make(dec->buf + start, tk_cbor_offset(dec) - start);
}

/* SUIT_Record = [manifest-id, section, offset, component-index, properties,
 *                * extensions] */
static void read_record(struct tk_cbor_dec *dec, struct tk_suit_report_record *r)
{
	uint64_t count = 0;

	memset(r, 0, sizeof(*r));
	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	if (count < 5) {
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "SUIT_Record has %llu elements, not 5",
				 (unsigned long long)count);
		return;
	}
	read_manifest_id(dec, r);
	if (tk_cbor_get_int(dec, &r->section) != TK_OK ||
	    tk_cbor_get_uint(dec, &r->offset) != TK_OK ||
	    tk_cbor_get_uint(dec, &r->component_index) != TK_OK)
		return;
	read_int_keyed_map(dec, &r->properties, "suit-record-properties");
	sticky(tk_cbor_leave(dec)); /* skips $$SUIT_Record_Extensions */
}

/* system-property-claims = {0: SUIT_Component_Identifier, + parameters} */
static void read_system_claims(struct tk_cbor_dec *dec, struct tk_suit_report_record *r)
{
	struct tk_cbor_dec peek = *dec;
	uint64_t pairs = 0, key = 0;

	memset(r, 0, sizeof(*r));
	r->is_system = true;
	if (tk_cbor_enter_map(&peek, &pairs) == TK_OK && pairs >= 2 &&
	    tk_cbor_peek(&peek) == TK_CBOR_UINT && tk_cbor_get_uint(&peek, &key) == TK_OK &&
	    key == SYSTEM_COMPONENT_ID && tk_cbor_peek(&peek) == TK_CBOR_ARRAY) {
		read_int_keyed_map(dec, &r->properties, "system-property-claims");
		return;
	}
	tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
			 "system-property-claims without a component id and a parameter");
}

static void read_records(struct tk_cbor_dec *dec, struct tk_suit_report *out)
{
	uint64_t count = 0;

	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	while (tk_cbor_more(dec)) {
		enum tk_cbor_type t = tk_cbor_peek(dec);

		if (out->record_count >= TK_SUIT_REPORT_MAX_RECORDS) {
			tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT, "report has more than %d records",
					 TK_SUIT_REPORT_MAX_RECORDS);
			return;
		}
		if (t == TK_CBOR_ARRAY) {
			read_record(dec, &out->records[out->record_count++]);
		} else if (t == TK_CBOR_MAP) {
			read_system_claims(dec, &out->records[out->record_count++]);
		} else {
			tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "report record is a %s",
					 tk_cbor_type_name(t));
			return;
		}
	}
	sticky(tk_cbor_leave(dec));
}

/* SUIT_Reference = [uri: tstr, SUIT_Digest = [alg: int, bytes: bstr]] */
static void read_reference(struct tk_cbor_dec *dec, struct tk_suit_report *out)
{
	uint64_t count = 0;

	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	if (count != 2) {
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "SUIT_Reference has %llu elements",
				 (unsigned long long)count);
		return;
	}
	if (tk_cbor_get_tstr(dec, &out->uri) != TK_OK ||
	    tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	if (count != 2) {
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "SUIT_Digest has %llu elements",
				 (unsigned long long)count);
		return;
	}
	if (tk_cbor_get_int(dec, &out->digest_alg) == TK_OK &&
	    tk_cbor_get_bstr(dec, &out->digest) == TK_OK && tk_cbor_leave(dec) == TK_OK)
		sticky(tk_cbor_leave(dec));
}

/* true / {5: code: int, 6: SUIT_Record, 7: reason}, all three required. */
static void read_result(struct tk_cbor_dec *dec, struct tk_suit_report *out)
{
	uint64_t pairs = 0, key = 0;
	unsigned seen = 0;

	if (tk_cbor_peek(dec) == TK_CBOR_TRUE) {
		out->success = true;
		sticky(tk_cbor_skip(dec));
		return;
	}
	if (tk_cbor_peek(dec) != TK_CBOR_MAP) {
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "suit-report-result is not true or a map");
		return;
	}
	if (tk_cbor_enter_map(dec, &pairs) != TK_OK)
		return;
	while (tk_cbor_more(dec) && tk_cbor_get_uint(dec, &key) == TK_OK) {
		if (key == TK_SUIT_REPORT_KEY_RESULT_CODE) {
			sticky(tk_cbor_get_int(dec, &out->result_code));
		} else if (key == TK_SUIT_REPORT_KEY_RESULT_RECORD) {
			read_record(dec, &out->result_record);
		} else if (key == TK_SUIT_REPORT_KEY_RESULT_REASON) {
			if (tk_cbor_get_uint(dec, &out->result_reason) == TK_OK &&
			    out->result_reason > TK_SUIT_REASON_MAX)
				tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
						 "unknown report reason %llu",
						 (unsigned long long)out->result_reason);
		} else {
			tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN, "unknown result key %llu",
					 (unsigned long long)key);
			return;
		}
		seen |= 1u << (key - TK_SUIT_REPORT_KEY_RESULT_CODE);
	}
	if (dec->err == TK_OK && seen != 7u)
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				 "suit-report-result lacks its code, record or reason");
	sticky(tk_cbor_leave(dec));
}

/* [+ int], or for components [+ [* bstr, ? true]]. */
static void read_capability_list(struct tk_cbor_dec *dec, bool components)
{
	uint64_t count = 0;

	if (tk_cbor_enter_array(dec, &count) != TK_OK)
		return;
	if (count == 0)
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "empty capability list");
	while (dec->err == TK_OK && tk_cbor_more(dec)) {
		if (!components) {
			int64_t v;

			sticky(tk_cbor_get_int(dec, &v));
			continue;
		}
		if (tk_cbor_enter_array(dec, &count) != TK_OK)
			return;
		while (tk_cbor_more(dec) && tk_cbor_peek(dec) == TK_CBOR_BSTR)
			sticky(tk_cbor_skip(dec));
		if (tk_cbor_peek(dec) == TK_CBOR_TRUE)
			sticky(tk_cbor_skip(dec));
		if (tk_cbor_more(dec))
			tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					 "component capability is not [* bstr, ? true]");
		sticky(tk_cbor_leave(dec));
	}
	sticky(tk_cbor_leave(dec));
}

/* SUIT_Capability_Report: lists 1 to 4 required, others [+ int]. */
static void read_capability(struct tk_cbor_dec *dec, struct tk_suit_report *out)
{
	size_t start = tk_cbor_offset(dec);
	uint64_t pairs = 0, key = 0;
	unsigned seen = 0;

	if (tk_cbor_enter_map(dec, &pairs) != TK_OK)
		return;
	while (dec->err == TK_OK && tk_cbor_more(dec)) {
		if (tk_cbor_peek(dec) != TK_CBOR_UINT) {
			/* [+int] path keys and negative extension keys */
			sticky(tk_cbor_skip(dec));
			read_capability_list(dec, false);
			continue;
		}
		sticky(tk_cbor_get_uint(dec, &key));
		read_capability_list(dec, key == CAP_COMPONENTS);
		if (key >= CAP_COMPONENTS && key <= CAP_ALGORITHMS)
			seen |= 1u << key;
	}
	if (dec->err == TK_OK && seen != 0x1eu)
		tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				 "capability report lacks a required list (keys 1 to 4)");
	if (tk_cbor_leave(dec) == TK_OK)
		out->capability = tk_span_make(dec->buf + start, tk_cbor_offset(dec) - start);
}

/* One member of the report map; *seen collects the required ones. */
static void read_member(struct tk_cbor_dec *dec, int64_t key, struct tk_suit_report *out,
			unsigned *seen)
{
	switch (key) {
	case TK_SUIT_REPORT_KEY_NONCE:
		if (tk_cbor_get_bstr(dec, &out->nonce) == TK_OK &&
		    out->nonce.len > TK_SUIT_REPORT_MAX_NONCE)
			tk_cbor_dec_fail(dec, TK_ERR_LIMIT_SIZE, "report nonce of %zu bytes",
					 out->nonce.len);
		break;
	case TK_SUIT_REPORT_KEY_RECORDS:
		read_records(dec, out);
		*seen |= 1u;
		break;
	case TK_SUIT_REPORT_KEY_RESULT:
		read_result(dec, out);
		*seen |= 2u;
		break;
	case TK_SUIT_REPORT_KEY_CAPABILITY:
		read_capability(dec, out);
		break;
	case TK_SUIT_REPORT_KEY_REFERENCE:
		read_reference(dec, out);
		*seen |= 4u;
		break;
	case TK_SUIT_REPORT_KEY_RECORDS_OMITTED:
		sticky(tk_cbor_get_uint(dec, &out->records_omitted));
		break;
	default:
		sticky(tk_cbor_skip(dec)); /* $$SUIT_Report_Extensions */
		break;
	}
}

tk_err tk_suit_report_decode(const uint8_t *buf, size_t len, struct tk_suit_report *out,
			     struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t pairs = 0;
	unsigned seen = 0;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report output is NULL");
	memset(out, 0, sizeof(*out));
	if (len > TK_SUIT_REPORT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "report of %zu bytes (at most %u)", len,
			       TK_SUIT_REPORT_MAX_SIZE);
	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_MAP)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE, "SUIT_Report is not a map");
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &pairs);
	while (err == TK_OK && dec.err == TK_OK && tk_cbor_more(&dec)) {
		int64_t key = 0;

		if (!is_int(tk_cbor_peek(&dec))) {
			/* Extensions with other key types are skipped whole. */
			if (tk_cbor_skip(&dec) == TK_OK)
				sticky(tk_cbor_skip(&dec));
			continue;
		}
		if (tk_cbor_get_int(&dec, &key) == TK_OK)
			read_member(&dec, key, out, &seen);
	}
	if (dec.err == TK_OK && seen != 7u)
		tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_MISSING,
				 "SUIT_Report lacks suit-reference, records or result");
	if (dec.err == TK_OK)
		sticky(tk_cbor_leave(&dec));
	err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}
