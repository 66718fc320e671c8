/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of SUIT reports: the builder against golden encodings (computed
 * with Python cbor2) and the reporting policy bits, its limits, the
 * tk_err to SUIT_Report_Reasons mapping, the decoder's negative rows, and
 * signed and encrypted reports checked by an independent oracle
 * (tests/suit/report_oracle.py run by /usr/bin/python3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/tk_err.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_report.h"

#define ORACLE_PYTHON "/usr/bin/python3"

static const uint8_t digest32[32] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};
static const uint8_t nonce8[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* {3: [-16, digest32]}: an image digest as record properties. */
static uint8_t digest_props[40];
static size_t digest_props_len;

static void check_err(const char *desc, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	char text[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, text, sizeof(text));
	print_error("%s: expected %s, got %s: %s\n", desc, tk_err_name(expected),
		    tk_err_name(actual), text);
	fail();
}

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static int setup(void **state)
{
	(void)state;
	digest_props_len = from_hex("a103822f5820000102030405060708090a0b0c0d0e0f1011121314"
				    "15161718191a1b1c1d1e1f",
				    digest_props, sizeof(digest_props));
	return 0;
}

static struct tk_suit_report_params params_for(tk_err result)
{
	struct tk_suit_report_params p = {
		.digest_alg = -16,
		.digest = tk_span_make(digest32, sizeof(digest32)),
		.result = result,
		.failed_section = TK_SUIT_REPORT_SECTION_AUTHENTICATION,
	};

	return p;
}

static struct tk_suit_record record_at(uint64_t offset, uint64_t policy, tk_err result,
				       bool with_props)
{
	struct tk_suit_record r = {
		.section = TK_SUIT_SECTION_INSTALL,
		.offset = offset,
		.command = 3,
		.policy = policy,
		.result = result,
	};

	if (with_props)
		r.properties = tk_span_make(digest_props, digest_props_len);
	return r;
}

static void test_builder_golden(void **state)
{
	static const char success_hex[] =
		"a402480102030405060708038004f5186382781b68747470733a2f2f74616d2e6578616d706c65"
		"2f74612e73756974822f5820000102030405060708090a0b0c0d0e0f101112131415161718191a"
		"1b1c1d1e1f";
	static const char failure_hex[] =
		"a303818580140500a004a3051901fa068580140900a103822f5820000102030405060708090a0b"
		"0c0d0e0f101112131415161718191a1b1c1d1e1f070a18638260822f5820000102030405060708"
		"090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	static const char uri[] = "https://tam.example/ta.suit";
	struct tk_suit_report_builder b;
	struct tk_suit_report_params p;
	struct tk_suit_record r;
	uint8_t records[256], out[512], expected[512];
	size_t len = 0, expected_len;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);

	/* Success, no records, a nonce and a URI. */
	tk_suit_report_init(&b, records, sizeof(records));
	p = params_for(TK_OK);
	p.nonce = tk_span_make(nonce8, sizeof(nonce8));
	p.uri = tk_span_make((const uint8_t *)uri, strlen(uri));
	check_err("finish success", TK_OK,
		  tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag), &diag);
	expected_len = from_hex(success_hex, expected, sizeof(expected));
	assert_int_equal(len, expected_len);
	assert_memory_equal(out, expected, len);

	/* A kept success record without sysinfo, then a failed image-match
	   whose properties go into the result record. */
	tk_suit_report_init(&b, records, sizeof(records));
	r = record_at(5, TK_SUIT_POLICY_RECORD_SUCCESS, TK_OK, true);
	check_err("add success", TK_OK, tk_suit_report_add(&b, &r, &diag), &diag);
	r = record_at(9, 0, TK_ERR_CONDITION, true);
	check_err("add failure", TK_OK, tk_suit_report_add(&b, &r, &diag), &diag);
	p = params_for(TK_ERR_CONDITION);
	check_err("finish failure", TK_OK,
		  tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag), &diag);
	expected_len = from_hex(failure_hex, expected, sizeof(expected));
	assert_int_equal(len, expected_len);
	assert_memory_equal(out, expected, len);
}

/* Reporting policy rows (draft-ietf-suit-manifest-37 section 8.4.9). */
static void test_builder_policy(void **state)
{
	static const struct {
		const char *desc;
		uint64_t policy;
		tk_err result;
		size_t records;          /* kept in the list */
		bool with_properties;    /* the kept record carries them */
	} rows[] = {
		{"no policy, success", 0, TK_OK, 0, false},
		{"record on success", 1, TK_OK, 1, false},
		{"record and sysinfo on success", 5, TK_OK, 1, true},
		{"record on failure only, success", 2, TK_OK, 0, false},
		{"record on failure, failure", 2, TK_ERR_CONDITION, 1, false},
		{"record and sysinfo on failure", 10, TK_ERR_CONDITION, 1, true},
		{"sysinfo without record", 12, TK_ERR_CONDITION, 0, false},
		{"all bits, success", 15, TK_OK, 1, true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_suit_report_builder b;
		struct tk_suit_report_params p = params_for(rows[i].result);
		struct tk_suit_record r = record_at(7, rows[i].policy, rows[i].result, true);
		struct tk_suit_report report;
		uint8_t records[256], out[512];
		size_t len = 0;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		tk_suit_report_init(&b, records, sizeof(records));
		check_err(rows[i].desc, TK_OK, tk_suit_report_add(&b, &r, &diag), &diag);
		check_err(rows[i].desc, TK_OK,
			  tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag), &diag);
		check_err(rows[i].desc, TK_OK, tk_suit_report_decode(out, len, &report, &diag),
			  &diag);
		assert_int_equal(report.record_count, rows[i].records);
		if (rows[i].records == 1) {
			assert_int_equal(report.records[0].offset, 7);
			assert_int_equal(report.records[0].section, TK_SUIT_SECTION_INSTALL);
			assert_int_equal(report.records[0].properties.len,
					 rows[i].with_properties ? digest_props_len : 1);
		}
		assert_int_equal(report.success, rows[i].result == TK_OK);
		if (rows[i].result != TK_OK) {
			/* The result record always has the failed command and its
			   properties, whatever the policy. */
			assert_int_equal(report.result_record.offset, 7);
			assert_int_equal(report.result_record.properties.len, digest_props_len);
			assert_int_equal(report.result_code, rows[i].result);
			assert_int_equal(report.result_reason, TK_SUIT_REASON_CONDITION_FAILED);
		}
	}
}

/* One record as the processor's report hook gets it. */
struct hook_record {
	int64_t command;
	uint64_t offset;
	uint64_t policy;
	tk_err result;
	bool ends;               /* ends_procedure */
};

/*
 * Result record rows (draft-ietf-suit-report-18 section 4): the record
 * marked ends_procedure is the result record whatever its policy, a later
 * unmarked failure (the process-dependency around a failed dependency)
 * does not replace it, and the reason follows the failed command.
 */
static void test_builder_result_record(void **state)
{
	static const struct {
		const char *desc;
		struct hook_record in[2];
		size_t n;
		size_t records;          /* kept in the list */
		uint64_t offset;         /* of the result record */
		enum tk_suit_report_reason reason;
	} rows[] = {
		{"unknown command, no policy", {{-300, 5, 0, TK_ERR_UNSUPPORTED, true}}, 1, 0, 5,
		 TK_SUIT_REASON_COMMAND_UNSUPPORTED},
		{"unknown parameter in override-parameters",
		 {{20, 1, 0, TK_ERR_UNSUPPORTED, true}}, 1, 0, 1,
		 TK_SUIT_REASON_PARAMETER_UNSUPPORTED},
		{"unknown parameter in set-parameters", {{19, 3, 0, TK_ERR_UNSUPPORTED, true}}, 1,
		 0, 3, TK_SUIT_REASON_PARAMETER_UNSUPPORTED},
		{"missing hook in fetch", {{21, 6, 0, TK_ERR_UNSUPPORTED, true}}, 1, 0, 6,
		 TK_SUIT_REASON_COMMAND_UNSUPPORTED},
		{"condition failed, no policy", {{1, 3, 0, TK_ERR_CONDITION, true}}, 1, 0, 3,
		 TK_SUIT_REASON_CONDITION_FAILED},
		{"outer failure keeps the inner one",
		 {{3, 7, 0, TK_ERR_CONDITION, true}, {11, 9, 2, TK_ERR_CONDITION, false}}, 2, 1, 7,
		 TK_SUIT_REASON_CONDITION_FAILED},
		{"unmarked failure when first", {{3, 4, 2, TK_ERR_CONDITION, false}}, 1, 1, 4,
		 TK_SUIT_REASON_CONDITION_FAILED},
		{"marked failure replaces an unmarked one",
		 {{3, 4, 2, TK_ERR_CONDITION, false}, {-300, 8, 0, TK_ERR_UNSUPPORTED, true}}, 2, 1,
		 8, TK_SUIT_REASON_COMMAND_UNSUPPORTED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_suit_report_builder b;
		struct tk_suit_report_params p;
		struct tk_suit_report report;
		uint8_t records[256], out[512];
		size_t len = 0;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		tk_suit_report_init(&b, records, sizeof(records));
		for (size_t k = 0; k < rows[i].n; k++) {
			const struct hook_record *h = &rows[i].in[k];
			struct tk_suit_record r = record_at(h->offset, h->policy, h->result, false);

			r.command = h->command;
			r.ends_procedure = h->ends;
			check_err(rows[i].desc, TK_OK, tk_suit_report_add(&b, &r, &diag), &diag);
		}
		p = params_for(rows[i].in[rows[i].n - 1].result);
		check_err(rows[i].desc, TK_OK,
			  tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag), &diag);
		check_err(rows[i].desc, TK_OK, tk_suit_report_decode(out, len, &report, &diag),
			  &diag);
		if (report.result_record.offset != rows[i].offset ||
		    report.result_reason != rows[i].reason)
			print_error("%s: result record offset %llu reason %s\n", rows[i].desc,
				    (unsigned long long)report.result_record.offset,
				    tk_suit_report_reason_name(report.result_reason));
		assert_int_equal(report.record_count, rows[i].records);
		assert_int_equal(report.result_record.section, TK_SUIT_SECTION_INSTALL);
		assert_int_equal(report.result_record.offset, rows[i].offset);
		assert_int_equal(report.result_reason, rows[i].reason);
	}
}

static void test_builder_limits(void **state)
{
	struct tk_suit_report_builder b;
	struct tk_suit_report_params p = params_for(TK_ERR_IO);
	struct tk_suit_report report;
	struct tk_suit_record r;
	static uint8_t records[TK_SUIT_REPORT_MAX_RECORDS * 64];
	static uint8_t out[TK_SUIT_REPORT_MAX_RECORDS * 64 + 512];
	uint8_t big_props[TK_SUIT_REPORT_MAX_RECORD_SIZE + 8];
	uint8_t small[16];
	size_t len = 0;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);

	/* One record over the count: TK_ERR_LIMIT_COUNT, counted as omitted. */
	tk_suit_report_init(&b, records, sizeof(records));
	for (size_t i = 0; i < TK_SUIT_REPORT_MAX_RECORDS; i++) {
		r = record_at(i, 1, TK_OK, false);
		check_err("record within the count", TK_OK, tk_suit_report_add(&b, &r, &diag),
			  &diag);
	}
	r = record_at(99, 3, TK_ERR_IO, false);
	tk_diag_clear(&diag);
	check_err("record over the count", TK_ERR_LIMIT_COUNT, tk_suit_report_add(&b, &r, &diag),
		  &diag);
	check_err("finish", TK_OK, tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag),
		  &diag);
	check_err("decode", TK_OK, tk_suit_report_decode(out, len, &report, &diag), &diag);
	assert_int_equal(report.record_count, TK_SUIT_REPORT_MAX_RECORDS);
	assert_int_equal(report.records_omitted, 1);
	assert_false(report.success);
	assert_int_equal(report.result_record.offset, 99); /* the result survives */
	assert_int_equal(report.result_reason, TK_SUIT_REASON_OPERATION_FAILED);

	/* A record larger than TK_SUIT_REPORT_MAX_RECORD_SIZE: the kept list
	   drops it, the result record keeps it without properties. */
	memset(big_props, 0, sizeof(big_props));
	big_props[0] = 0xa1; /* {0: h'00...'} */
	big_props[1] = 0x00;
	big_props[2] = 0x59;
	big_props[3] = (uint8_t)((sizeof(big_props) - 5) >> 8);
	big_props[4] = (uint8_t)(sizeof(big_props) - 5);
	tk_suit_report_init(&b, records, sizeof(records));
	r = record_at(4, 10, TK_ERR_CONDITION, false);
	r.properties = tk_span_make(big_props, sizeof(big_props));
	tk_diag_clear(&diag);
	check_err("record over the size", TK_ERR_LIMIT_SIZE, tk_suit_report_add(&b, &r, &diag),
		  &diag);
	p = params_for(TK_ERR_CONDITION);
	check_err("finish", TK_OK, tk_suit_report_finish(&b, &p, out, sizeof(out), &len, &diag),
		  &diag);
	check_err("decode", TK_OK, tk_suit_report_decode(out, len, &report, &diag), &diag);
	assert_int_equal(report.record_count, 0);
	assert_int_equal(report.records_omitted, 1);
	assert_int_equal(report.result_record.offset, 4);
	assert_int_equal(report.result_record.properties.len, 1);

	/* The caller's record buffer full. */
	tk_suit_report_init(&b, small, sizeof(small));
	r = record_at(1, 5, TK_OK, true);
	tk_diag_clear(&diag);
	check_err("buffer full", TK_ERR_LIMIT_SIZE, tk_suit_report_add(&b, &r, &diag), &diag);

	/* Malformed input from the processor. */
	r = record_at(1, 1, TK_OK, false);
	r.properties = tk_span_make((const uint8_t *)"\x80", 1);
	tk_diag_clear(&diag);
	check_err("properties not a map", TK_ERR_ARG, tk_suit_report_add(&b, &r, &diag), &diag);

	/* Output buffer too small for the report. */
	tk_suit_report_init(&b, records, sizeof(records));
	p = params_for(TK_OK);
	tk_diag_clear(&diag);
	check_err("output too small", TK_ERR_BUFFER_TOO_SMALL,
		  tk_suit_report_finish(&b, &p, small, sizeof(small), &len, &diag), &diag);
	assert_int_equal(len, 0);
}

static void test_reason_mapping(void **state)
{
	static const struct {
		tk_err err;
		bool in_command;
		enum tk_suit_report_reason reason;
	} rows[] = {
		{TK_OK, false, TK_SUIT_REASON_OK},
		{TK_ERR_CBOR_TRUNCATED, false, TK_SUIT_REASON_CBOR_PARSE},
		{TK_ERR_CBOR_NOT_PREFERRED, true, TK_SUIT_REASON_CBOR_PARSE},
		{TK_ERR_SCHEMA_MISSING, false, TK_SUIT_REASON_CBOR_PARSE},
		{TK_ERR_CRIT, false, TK_SUIT_REASON_COSE_UNSUPPORTED},
		{TK_ERR_ALG_UNSUPPORTED, false, TK_SUIT_REASON_ALG_UNSUPPORTED},
		{TK_ERR_SIGNATURE, false, TK_SUIT_REASON_UNAUTHORISED},
		{TK_ERR_UNTRUSTED, false, TK_SUIT_REASON_UNAUTHORISED},
		{TK_ERR_KEY, false, TK_SUIT_REASON_UNAUTHORISED},
		{TK_ERR_DIGEST_MISMATCH, false, TK_SUIT_REASON_UNAUTHORISED},
		{TK_ERR_DIGEST_MISMATCH, true, TK_SUIT_REASON_CONDITION_FAILED},
		{TK_ERR_CONDITION, true, TK_SUIT_REASON_CONDITION_FAILED},
		{TK_ERR_ROLLBACK, false, TK_SUIT_REASON_CONDITION_FAILED},
		{TK_ERR_UNSUPPORTED, true, TK_SUIT_REASON_COMMAND_UNSUPPORTED},
		{TK_ERR_UNSUPPORTED, false, TK_SUIT_REASON_COSE_UNSUPPORTED},
		{TK_ERR_DECRYPT, true, TK_SUIT_REASON_OPERATION_FAILED},
		{TK_ERR_LIMIT_SIZE, true, TK_SUIT_REASON_OPERATION_FAILED},
		{TK_ERR_NETWORK, true, TK_SUIT_REASON_OPERATION_FAILED},
		{TK_ERR_POLICY, true, TK_SUIT_REASON_OPERATION_FAILED},
		{TK_ERR_IO, true, TK_SUIT_REASON_OPERATION_FAILED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum tk_suit_report_reason got = tk_suit_report_reason(rows[i].err,
								      rows[i].in_command);

		if (got != rows[i].reason) {
			print_error("%s (in command %d): expected %s, got %s\n",
				    tk_err_name(rows[i].err), rows[i].in_command,
				    tk_suit_report_reason_name(rows[i].reason),
				    tk_suit_report_reason_name(got));
			fail();
		}
	}
	assert_string_equal(tk_suit_report_reason_name(12), "invoke-pending");
	assert_string_equal(tk_suit_report_reason_name(13), "unknown");
}

/* Decoder rows: hex of a SUIT_Report and the expected result. */
static void test_decoder_rows(void **state)
{
	static const struct {
		const char *desc;
		const char *hex;
		tk_err expected;
	} rows[] = {
		{"minimal success", "a303800" "4f518638260822f4100", TK_OK},
		{"system-property-claims", "a30381a2008141610e0104f518638260822f4100", TK_OK},
		{"capability report",
		 "a4038004f508a4018181f502810303810e048120" "18638260822f4100", TK_OK},
		{"unknown extension skipped", "a4038004f518638260822f41001904d2f6", TK_OK},
		{"not a map", "80", TK_ERR_SCHEMA_TYPE},
		{"no reference", "a2038004f5", TK_ERR_SCHEMA_MISSING},
		{"no records", "a204f518638260822f4100", TK_ERR_SCHEMA_MISSING},
		{"no result", "a2038018638260822f4100", TK_ERR_SCHEMA_MISSING},
		{"result false", "a3038004f418638260822f4100", TK_ERR_SCHEMA_TYPE},
		{"result without reason",
		 "a3038004a205010685800000" "00a018638260822f4100", TK_ERR_SCHEMA_MISSING},
		{"reason 13",
		 "a3038004a30501068580000000a0070d18638260822f4100", TK_ERR_SCHEMA_VALUE},
		{"record with 4 elements", "a303818480000000" "04f518638260822f4100",
		 TK_ERR_SCHEMA_LENGTH},
		{"record with text properties key",
		 "a30381858000000" "0a161610004f518638260822f4100", TK_ERR_SCHEMA_TYPE},
		{"record manifest id too deep",
		 "a303818589000000000000000000000000a004f518638260822f4100", TK_ERR_LIMIT_DEPTH},
		{"system claims without component id", "a30381a1010104f518638260822f4100",
		 TK_ERR_SCHEMA_MISSING},
		{"record as an int", "a303810104f518638260822f4100", TK_ERR_SCHEMA_TYPE},
		{"nonce as text", "a40261610380" "04f518638260822f4100", TK_ERR_SCHEMA_TYPE},
		{"reference of 3 elements", "a3038004f518638360822f410000", TK_ERR_SCHEMA_LENGTH},
		{"digest of 1 element", "a3038004f518638260812f", TK_ERR_SCHEMA_LENGTH},
		{"capability without algorithms",
		 "a4038004f508a3018181f502810303810e18638260822f4100", TK_ERR_SCHEMA_MISSING},
		{"capability empty list",
		 "a4038004f508a4018181f5028003810e04812018638260822f4100",
		 TK_ERR_SCHEMA_LENGTH},
		{"duplicate key", "a4038004f5038018638260822f4100", TK_ERR_CBOR_DUPLICATE_KEY},
		{"trailing byte", "a3038004f518638260822f410000", TK_ERR_CBOR_TRAILING},
		{"not preferred", "a31803800" "4f518638260822f4100", TK_ERR_CBOR_NOT_PREFERRED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_suit_report report;
		uint8_t buf[256];
		size_t len = from_hex(rows[i].hex, buf, sizeof(buf));
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_suit_report_decode(buf, len, &report, &diag);
		check_err(rows[i].desc, rows[i].expected, err, &diag);
		if (err != TK_OK)
			assert_int_equal(report.record_count, 0);
	}
}

/* A report with records of each kind, for the protection tests. */
static size_t sample_report(tk_err result, uint8_t *out, size_t cap)
{
	struct tk_suit_report_builder b;
	struct tk_suit_report_params p = params_for(result);
	struct tk_suit_record r = record_at(3, 15, TK_OK, true);
	uint8_t records[256];
	size_t len = 0;

	tk_suit_report_init(&b, records, sizeof(records));
	assert_int_equal(tk_suit_report_add(&b, &r, NULL), TK_OK);
	if (result != TK_OK) {
		r = record_at(11, 2, result, true);
		assert_int_equal(tk_suit_report_add(&b, &r, NULL), TK_OK);
	}
	p.nonce = tk_span_make(nonce8, sizeof(nonce8));
	p.capabilities = &tk_suit_capabilities_default;
	assert_int_equal(tk_suit_report_finish(&b, &p, out, cap, &len, NULL), TK_OK);
	return len;
}

static void test_protect_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_key *report_key = NULL, *other_key = NULL, *tam = NULL, *tam_other = NULL;
	uint8_t report[1024], work[2048], msg[2048], plain[1024];
	size_t report_len, msg_len = 0;
	struct tk_suit_report_opened opened;
	struct tk_suit_report decoded;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_ED25519, &report_key, NULL), 0);
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_ED25519, &other_key, NULL), 0);
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &tam, NULL), 0);
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &tam_other, NULL), 0);
	report_len = sample_report(TK_ERR_DIGEST_MISMATCH, report, sizeof(report));

	const struct tk_crypto_key *trusted[] = {other_key, report_key};
	const struct tk_crypto_key *untrusted[] = {other_key};
	struct tk_suit_report_protect p = {
		.report_key = report_key, .alg = TK_COSE_ALG_ED25519, .recipient = tam,
	};

	/* Encrypted: opens with the TAM key, and the report decodes. */
	check_err("protect", TK_OK,
		  tk_suit_report_protect(c, &p, report, report_len, work, sizeof(work), msg,
					 sizeof(msg), &msg_len, &diag), &diag);
	check_err("open", TK_OK,
		  tk_suit_report_open(c, trusted, 2, tam, msg, msg_len, plain, sizeof(plain),
				      &opened, &diag), &diag);
	assert_true(opened.encrypted);
	assert_int_equal(opened.key_index, 1);
	assert_int_equal(opened.report.len, report_len);
	assert_memory_equal(opened.report.ptr, report, report_len);
	check_err("decode", TK_OK,
		  tk_suit_report_decode(opened.report.ptr, opened.report.len, &decoded, &diag),
		  &diag);
	assert_int_equal(decoded.result_reason, TK_SUIT_REASON_CONDITION_FAILED);
	assert_true(decoded.capability.len > 0);

	/* Negative rows on the same message. */
	tk_diag_clear(&diag);
	check_err("untrusted report key", TK_ERR_SIGNATURE,
		  tk_suit_report_open(c, untrusted, 1, tam, msg, msg_len, plain, sizeof(plain),
				      &opened, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("no decryption key", TK_ERR_KEY,
		  tk_suit_report_open(c, trusted, 2, NULL, msg, msg_len, plain, sizeof(plain),
				      &opened, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("wrong decryption key", TK_ERR_DECRYPT,
		  tk_suit_report_open(c, trusted, 2, tam_other, msg, msg_len, plain,
				      sizeof(plain), &opened, &diag), &diag);
	msg[msg_len - 1] ^= 1;
	tk_diag_clear(&diag);
	check_err("changed signature", TK_ERR_SIGNATURE,
		  tk_suit_report_open(c, trusted, 2, tam, msg, msg_len, plain, sizeof(plain),
				      &opened, &diag), &diag);

	/* Signed only: the payload is the report itself. */
	p.recipient = NULL;
	check_err("protect unencrypted", TK_OK,
		  tk_suit_report_protect(c, &p, report, report_len, NULL, 0, msg, sizeof(msg),
					 &msg_len, &diag), &diag);
	check_err("open unencrypted", TK_OK,
		  tk_suit_report_open(c, trusted, 2, NULL, msg, msg_len, plain, sizeof(plain),
				      &opened, &diag), &diag);
	assert_false(opened.encrypted);
	assert_memory_equal(opened.report.ptr, report, report_len);

	tk_crypto_key_free(report_key);
	tk_crypto_key_free(other_key);
	tk_crypto_key_free(tam);
	tk_crypto_key_free(tam_other);
}

static void write_file(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void write_pem(const char *path, const struct tk_crypto_key *key, bool private_part)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;

	assert_int_equal(tk_crypto_key_export_pem(key, private_part, pem, sizeof(pem), &len,
						  NULL), TK_OK);
	write_file(path, pem, len, 0600);
	tk_wipe(pem, sizeof(pem));
}

static void run_oracle(const char *dir, const char *tam_priv, const char *nonce, char *line,
		       size_t cap)
{
	char cmd[2048];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "%s '%s/tests/suit/report_oracle.py' %s/report.cbor %s/report.pub %s %s 2>&1",
		 ORACLE_PYTHON, TK_SOURCE_DIR, dir, dir, tam_priv, nonce);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, (int)cap, p) == NULL)
		line[0] = '\0';
	pclose(p);
}

/* The oracle verifies and decrypts what we sign and encrypt. */
static void test_protect_oracle(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const int64_t algs[] = {TK_COSE_ALG_ESP256, TK_COSE_ALG_ED25519};
	char dir[] = "/tmp/tk-suit-report-XXXXXX";
	char path[512], tam_path[512], line[256];
	uint8_t report[1024], work[2048], msg[2048];
	size_t report_len, msg_len = 0;
	struct tk_crypto_key *tam = NULL;
	struct tk_diag diag;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &tam, NULL), TK_OK);
	snprintf(tam_path, sizeof(tam_path), "%s/tam.pem", dir);
	write_pem(tam_path, tam, true);

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct tk_crypto_key *key = NULL;

		assert_int_equal(tk_crypto_key_generate(c, algs[i] == TK_COSE_ALG_ESP256
								   ? TK_CRYPTO_KEY_P256
								   : TK_CRYPTO_KEY_ED25519,
							&key, NULL), TK_OK);
		snprintf(path, sizeof(path), "%s/report.pub", dir);
		write_pem(path, key, false);
		snprintf(path, sizeof(path), "%s/report.cbor", dir);

		struct tk_suit_report_protect p = {.report_key = key, .alg = algs[i]};

		/* Signed, success. */
		report_len = sample_report(TK_OK, report, sizeof(report));
		tk_diag_clear(&diag);
		check_err("sign", TK_OK,
			  tk_suit_report_protect(c, &p, report, report_len, NULL, 0, msg,
						 sizeof(msg), &msg_len, &diag), &diag);
		write_file(path, msg, msg_len, 0644);
		run_oracle(dir, "-", "0102030405060708", line, sizeof(line));
		assert_string_equal(line, "OK true 1\n");

		/* Signed and encrypted, failure. */
		p.recipient = tam;
		report_len = sample_report(TK_ERR_CONDITION, report, sizeof(report));
		check_err("sign and encrypt", TK_OK,
			  tk_suit_report_protect(c, &p, report, report_len, work, sizeof(work),
						 msg, sizeof(msg), &msg_len, &diag), &diag);
		write_file(path, msg, msg_len, 0644);
		run_oracle(dir, tam_path, "0102030405060708", line, sizeof(line));
		assert_string_equal(line, "OK code=506,reason=10 2\n");

		/* The oracle must reject a wrong nonce and a changed signature. */
		run_oracle(dir, tam_path, "0102030405060709", line, sizeof(line));
		assert_memory_equal(line, "FAIL", 4);
		msg[msg_len - 1] ^= 1;
		write_file(path, msg, msg_len, 0644);
		run_oracle(dir, tam_path, "0102030405060708", line, sizeof(line));
		assert_memory_equal(line, "FAIL", 4);
		tk_crypto_key_free(key);
	}

	static const char *const files[] = {"tam.pem", "report.pub", "report.cbor"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	tk_crypto_key_free(tam);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_golden),
		cmocka_unit_test(test_builder_policy),
		cmocka_unit_test(test_builder_result_record),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_reason_mapping),
		cmocka_unit_test(test_decoder_rows),
		cmocka_unit_test(test_protect_round_trip),
		cmocka_unit_test(test_protect_oracle),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
