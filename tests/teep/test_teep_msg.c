/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TEEP message decoder and encoder. The draft's five example
 * payloads (read from TK_VECTORS_DIR) decode to the expected values and
 * re-encode byte for byte. A table of malformed and invalid messages fails
 * with the expected errors. Messages built from items encode and decode
 * back, and the name tables give the draft's names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teep/tk_teep_msg.h"
#include "teep/tk_teep_names.h"

/* Largest input any test builds: an ext-list of 4097 entries plus headers. */
#define MAX_MESSAGE 8192

/* The token of every draft example. */
static const uint8_t example_token[16] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

struct buffer {
	uint8_t bytes[MAX_MESSAGE];
	size_t len;
};

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void append_byte(struct buffer *out, unsigned value)
{
	assert_true(out->len < sizeof(out->bytes));
	out->bytes[out->len++] = (uint8_t)value;
}

/*
 * Decode annotated hex: text after '#' on a line is dropped, then every
 * character that is not a hex digit. "{N:XX}" stands for N bytes XX, so
 * table rows stay short.
 */
static void parse_hex(const char *text, struct buffer *out)
{
	int high = -1;

	out->len = 0;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '#') {
			while (*p != '\0' && *p != '\n')
				p++;
			if (*p == '\0')
				break;
			continue;
		}
		if (*p == '{') {
			char *end;
			unsigned long count = strtoul(p + 1, &end, 10);
			unsigned value = (unsigned)(hex_value(end[1]) * 16 + hex_value(end[2]));

			assert_int_equal(*end, ':');
			for (unsigned long i = 0; i < count; i++)
				append_byte(out, value);
			p = end + 3;
			assert_int_equal(*p, '}');
			continue;
		}
		int v = hex_value(*p);
		if (v < 0)
			continue;
		if (high < 0) {
			high = v;
		} else {
			append_byte(out, (unsigned)(high * 16 + v));
			high = -1;
		}
	}
	assert_int_equal(high, -1);
}

static void load_vector(const char *name, struct buffer *out)
{
	char path[512];
	static char text[4 * MAX_MESSAGE];
	size_t len;
	FILE *file;

	snprintf(path, sizeof(path), "%s/teep/%s.hex.txt", TK_VECTORS_DIR, name);
	file = fopen(path, "r");
	if (file == NULL)
		fail_msg("cannot open vector %s", path);
	len = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[len] = '\0';
	parse_hex(text, out);
}

/* Fail with the expected and actual error names and the diagnostic text. */
static void check_err(const char *what, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, detail, sizeof(detail));
	fail_msg("%s: expected %s, got %s: %s", what, tk_err_name(expected),
		 tk_err_name(actual), detail);
}

static void decode_ok(const struct buffer *in, struct tk_teep_msg *msg)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("decode", TK_OK, tk_teep_decode(in->bytes, in->len, msg, &diag), &diag);
}

static void assert_span(struct tk_span span, const void *bytes, size_t len)
{
	assert_int_equal(span.len, len);
	assert_memory_equal(span.ptr, bytes, len);
}

static void assert_text(struct tk_span span, const char *text)
{
	assert_span(span, text, strlen(text));
}

/* Encode msg and require the output to equal expected. */
static void assert_encodes_to(const struct tk_teep_msg *msg, const struct buffer *expected)
{
	static uint8_t out[MAX_MESSAGE];
	struct tk_diag diag;
	size_t len = 0, counted = 0;

	tk_diag_clear(&diag);
	check_err("count", TK_OK, tk_teep_encode(msg, NULL, 0, &counted, &diag), &diag);
	check_err("encode", TK_OK, tk_teep_encode(msg, out, sizeof(out), &len, &diag),
		  &diag);
	assert_int_equal(counted, len);
	assert_int_equal(len, expected->len);
	assert_memory_equal(out, expected->bytes, len);
}

/* ---- the draft's examples -------------------------------------------------- */

static void query_request_example(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_teep_cipher_suite suite;
	struct tk_span profile;
	uint64_t version;
	(void)state;

	load_vector("query_request", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_REQUEST);
	const struct tk_teep_query_request *qr = &msg.query_request;

	/* The example carries a token with the attestation bit set; both are kept. */
	assert_span(qr->token, example_token, sizeof(example_token));
	assert_int_equal(qr->data_item_requested,
			 TK_TEEP_DATA_ATTESTATION | TK_TEEP_DATA_TRUSTED_COMPONENTS);
	assert_int_equal(qr->challenge.len, 0);
	assert_int_equal(qr->supported_freshness_mechanisms.count, 0);
	assert_false(qr->has_attestation_payload);
	assert_false(qr->has_attestation_payload_format);
	assert_int_equal(qr->suit_reports.count, 0);

	assert_int_equal(qr->versions.count, 1);
	assert_int_equal(tk_teep_iter_init(&it, qr->versions.raw, NULL), TK_OK);
	assert_true(tk_teep_iter_more(&it));
	assert_int_equal(tk_teep_iter_next_uint(&it, &version), TK_OK);
	assert_int_equal(version, TK_TEEP_VERSION_0);
	assert_false(tk_teep_iter_more(&it));

	assert_int_equal(qr->supported_teep_cipher_suites.count, 2);
	assert_int_equal(tk_teep_iter_init(&it, qr->supported_teep_cipher_suites.raw, NULL),
			 TK_OK);
	assert_int_equal(tk_teep_iter_next_suite(&it, &suite), TK_OK);
	assert_int_equal(suite.op_count, 1);
	assert_int_equal(suite.cose_type, TK_TEEP_COSE_SIGN1);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ESP256);
	assert_span(suite.raw, "\x81\x82\x12\x28", 4);
	assert_int_equal(tk_teep_iter_next_suite(&it, &suite), TK_OK);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ED25519);
	assert_false(tk_teep_iter_more(&it));

	assert_int_equal(qr->supported_suit_cose_profiles.count, 4);
	assert_int_equal(tk_teep_iter_init(&it, qr->supported_suit_cose_profiles.raw, NULL),
			 TK_OK);
	assert_int_equal(tk_teep_iter_next_item(&it, &profile), TK_OK);
	assert_span(profile, tk_teep_profile_sha256_esp256_ecdh_a128ctr,
		    sizeof(tk_teep_profile_sha256_esp256_ecdh_a128ctr));
	assert_int_equal(tk_teep_iter_next_item(&it, &profile), TK_OK);
	assert_span(profile, tk_teep_profile_sha256_ed25519_ecdh_a128ctr,
		    sizeof(tk_teep_profile_sha256_ed25519_ecdh_a128ctr));
	assert_int_equal(tk_teep_iter_next_item(&it, &profile), TK_OK);
	assert_span(profile, tk_teep_profile_sha256_esp256_ecdh_a128gcm,
		    sizeof(tk_teep_profile_sha256_esp256_ecdh_a128gcm));
	assert_int_equal(tk_teep_iter_next_item(&it, &profile), TK_OK);
	assert_span(profile, tk_teep_profile_sha256_ed25519_ecdh_chacha_poly,
		    sizeof(tk_teep_profile_sha256_ed25519_ecdh_chacha_poly));
	assert_false(tk_teep_iter_more(&it));

	assert_encodes_to(&msg, &in);
}

static void query_response_example(void **state)
{
	/* The example's component id has 15 bytes, but the draft's prose gives 16. */
	static const uint8_t component_id[] = {
		0x81, 0x4f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	static const uint8_t digest_start[] = {0x82, 0x2f, 0x58, 0x20, 0xa7, 0xfd};
	struct buffer in;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_teep_tc_claims claims;
	(void)state;

	load_vector("query_response", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_RESPONSE);
	const struct tk_teep_query_response *qr = &msg.query_response;

	assert_span(qr->token, example_token, sizeof(example_token));
	assert_true(qr->has_selected_version);
	assert_int_equal(qr->selected_version, 0);
	assert_true(qr->has_attestation_payload);
	assert_int_equal(qr->attestation_payload.len, 0);
	assert_false(qr->has_attestation_payload_format);
	assert_int_equal(qr->requested_tc_list.count, 0);
	assert_int_equal(qr->unneeded_manifest_list.count, 0);
	assert_int_equal(qr->ext_list.count, 0);
	assert_int_equal(qr->suit_reports.count, 0);

	assert_int_equal(qr->tc_list.count, 1);
	assert_int_equal(tk_teep_iter_init(&it, qr->tc_list.raw, NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_tc(&it, &claims), TK_OK);
	assert_span(claims.component_id, component_id, sizeof(component_id));
	assert_int_equal(claims.image_digest.len, 36);
	assert_memory_equal(claims.image_digest.ptr, digest_start, sizeof(digest_start));
	assert_int_equal(claims.raw.len, qr->tc_list.raw.len - 1);
	assert_false(tk_teep_iter_more(&it));

	assert_encodes_to(&msg, &in);
}

static void update_example(void **state)
{
	static const uint8_t envelope_start[] = {0xa2, 0x02, 0x58, 0x73};
	struct buffer in;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_span envelope;
	(void)state;

	load_vector("update", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_UPDATE);
	const struct tk_teep_update *up = &msg.update;

	assert_span(up->token, example_token, sizeof(example_token));
	assert_false(up->has_err_code);
	assert_int_equal(up->err_msg.len, 0);
	assert_int_equal(up->unneeded_manifest_list.count, 0);
	assert_false(up->has_attestation_payload);

	assert_int_equal(up->manifest_list.count, 1);
	assert_int_equal(tk_teep_iter_init(&it, up->manifest_list.raw, NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_bstr(&it, &envelope), TK_OK);
	/* The annotation reads bytes(336), but the head 59 014e encodes 334. */
	assert_int_equal(envelope.len, 334);
	assert_memory_equal(envelope.ptr, envelope_start, sizeof(envelope_start));
	assert_ptr_equal(envelope.ptr + envelope.len, in.bytes + in.len);
	assert_false(tk_teep_iter_more(&it));

	assert_encodes_to(&msg, &in);
}

static void success_example(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	(void)state;

	load_vector("teep_success", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_span(msg.success.token, example_token, sizeof(example_token));
	assert_int_equal(msg.success.msg.len, 0);
	assert_int_equal(msg.success.suit_reports.count, 0);

	assert_encodes_to(&msg, &in);
}

static void error_example(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	(void)state;

	load_vector("teep_error", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	const struct tk_teep_error *er = &msg.error;

	assert_span(er->token, example_token, sizeof(example_token));
	assert_text(er->err_msg, "disk-full");
	assert_int_equal(er->err_lang.len, 0);
	assert_int_equal(er->err_code, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED);
	assert_string_equal(tk_teep_err_code_name(er->err_code),
			    "ERR_MANIFEST_PROCESSING_FAILED");
	assert_int_equal(er->supported_teep_cipher_suites.count, 0);
	assert_int_equal(er->versions.count, 0);

	assert_encodes_to(&msg, &in);
}

/* ---- invalid and edge-case messages ----------------------------------------- */

struct decode_case {
	const char *description;
	const char *hex;         /* the message; {N:XX} is N bytes XX */
	tk_err expected;
	const char *message;     /* expected part of the diagnostic, or NULL */
};

/*
 * Rows were encoded with Python cbor2. Each description names what makes the
 * row invalid, or the edge it tests when the row is valid.
 */
static const struct decode_case decode_cases[] = {
	{"token of 7 bytes",
	 "8205a1144701010101010101",
	 TK_ERR_SCHEMA_LENGTH, "token length 7 is below 8"},
	{"token of 65 bytes",
	 "8205a1145841{65:01}",
	 TK_ERR_SCHEMA_LENGTH, "token length 65 is above 64"},
	{"token of 8 bytes",
	 "8205a11448{8:01}",
	 TK_OK, NULL},
	{"token of 64 bytes",
	 "8205a1145840{64:01}",
	 TK_OK, NULL},
	{"token as text",
	 "8205a114686162636465666768",
	 TK_ERR_SCHEMA_TYPE, "token is a text string, expected a byte string"},
	{"challenge of 7 bytes",
	 "8501a1024702020202020202818182122881842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "challenge length 7 is below 8"},
	{"challenge of 513 bytes",
	 "8501a102590201{513:02}818182122881842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "challenge length 513 is above 512"},
	{"challenge of 512 bytes",
	 "8501a102590200{512:02}818182122881842f28381c0103",
	 TK_OK, NULL},
	{"msg empty",
	 "8205a10b60",
	 TK_ERR_SCHEMA_LENGTH, "msg length 0 is below 1"},
	{"msg of 129 bytes",
	 "8205a10b7881{129:6d}",
	 TK_ERR_SCHEMA_LENGTH, "msg length 129 is above 128"},
	{"msg of 128 bytes",
	 "8205a10b7880{128:6d}",
	 TK_OK, NULL},
	{"err-msg of 129 bytes",
	 "8306a10c7881{129:65}11",
	 TK_ERR_SCHEMA_LENGTH, "err-msg length 129 is above 128"},
	{"err-msg empty in update",
	 "8203a10c60",
	 TK_ERR_SCHEMA_LENGTH, "err-msg length 0 is below 1"},
	{"err-lang empty",
	 "8306a1166011",
	 TK_ERR_SCHEMA_LENGTH, "err-lang length 0 is below 1"},
	{"err-lang of 36 bytes",
	 "8306a1167824{36:6c}11",
	 TK_ERR_SCHEMA_LENGTH, "err-lang length 36 is above 35"},
	{"err-lang of 35 bytes",
	 "8306a1167823{35:6c}11",
	 TK_OK, NULL},
	{"err-code 0 in error",
	 "8306a000",
	 TK_ERR_SCHEMA_VALUE, "err-code 0 is reserved"},
	{"err-code 0 in update",
	 "8203a11700",
	 TK_ERR_SCHEMA_VALUE, "err-code 0 is reserved"},
	{"err-code 30 kept in error",
	 "8306a0181e",
	 TK_OK, NULL},
	{"err-code as text",
	 "8306a0623137",
	 TK_ERR_SCHEMA_TYPE, "err-code is a text string"},
	{"error without err-code",
	 "8206a0",
	 TK_ERR_SCHEMA_LENGTH, "error has 2 elements, expected 3"},
	{"query-request without data-item-requested",
	 "8401a0818182122881842f28381c01",
	 TK_ERR_SCHEMA_LENGTH, "query-request has 4 elements, expected 5"},
	{"success with an extra element",
	 "8305a000",
	 TK_ERR_SCHEMA_LENGTH, "success has 3 elements, expected 2"},
	{"message without options",
	 "8105",
	 TK_ERR_SCHEMA_LENGTH, "success has 1 elements, expected 2"},
	{"empty array",
	 "80",
	 TK_ERR_SCHEMA_MISSING, "message type is missing"},
	{"message is a map",
	 "a10102",
	 TK_ERR_SCHEMA_TYPE, "TEEP message is a map, expected an array"},
	{"type as text",
	 "826773756363657373a0",
	 TK_ERR_SCHEMA_TYPE, "message type is a text string"},
	{"options as array",
	 "820580",
	 TK_ERR_SCHEMA_TYPE, "options is an array, expected a map"},
	{"type 4 is reserved",
	 "8204a0",
	 TK_ERR_SCHEMA_UNKNOWN, "unknown TEEP message type 4"},
	{"type 0 is reserved",
	 "8200a0",
	 TK_ERR_SCHEMA_UNKNOWN, "unknown TEEP message type 0"},
	{"type 24",
	 "821818a0",
	 TK_ERR_SCHEMA_UNKNOWN, "unknown TEEP message type 24"},
	{"text option label",
	 "8205a165746f6b656e50a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	 TK_ERR_SCHEMA_TYPE, "option label is a text string"},
	{"negative option label",
	 "8205a12000",
	 TK_ERR_SCHEMA_TYPE, "option label is a negative integer"},
	{"unknown label 99 ignored",
	 "8205a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf186366667574757265",
	 TK_OK, NULL},
	{"unknown label 24 with a map ignored",
	 "8205a11818a101820203",
	 TK_OK, NULL},
	{"reserved label 5 ignored",
	 "8205a1054178",
	 TK_OK, NULL},
	{"label of another message ignored",
	 "8205a10a6a6e6f742061206c697374",
	 TK_OK, NULL},
	{"empty versions",
	 "8501a10380818182122881842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "versions has 0 entries, expected at least 1"},
	{"versions as uint",
	 "8501a10300818182122881842f28381c0103",
	 TK_ERR_SCHEMA_TYPE, "versions is an unsigned integer, expected an array"},
	{"version above 32 bits",
	 "8501a103811b0000000100000000818182122881842f28381c0103",
	 TK_ERR_SCHEMA_VALUE, "versions[0] 4294967296 does not fit in 4 bytes"},
	{"selected-version above 32 bits",
	 "8202a1061b0000000100000000",
	 TK_ERR_SCHEMA_VALUE, "selected-version 4294967296 does not fit"},
	{"empty freshness list",
	 "8501a11580818182122881842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "supported-freshness-mechanisms has 0 entries"},
	{"empty cipher suite list",
	 "8501a08081842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "supported-teep-cipher-suites has 0 entries"},
	{"empty cipher suite",
	 "8501a0818081842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "supported-teep-cipher-suites[0] has 0 entries"},
	{"cipher suite operation of 3",
	 "8501a081818312280081842f28381c0103",
	 TK_ERR_SCHEMA_LENGTH, "operation has 3 elements, expected 2"},
	{"cipher suite algorithm as text",
	 "8501a08181821265455332353681842f28381c0103",
	 TK_ERR_SCHEMA_TYPE, "supported-teep-cipher-suites[0] is a text string"},
	{"empty profile list",
	 "8501a081818212288003",
	 TK_ERR_SCHEMA_LENGTH, "supported-suit-cose-profiles has 0 entries"},
	{"data-item-requested negative",
	 "8501a0818182122881842f28381c0120",
	 TK_ERR_SCHEMA_TYPE, "data-item-requested is a negative integer"},
	{"empty manifest-list",
	 "8203a10a80",
	 TK_ERR_SCHEMA_LENGTH, "manifest-list has 0 entries"},
	{"manifest as text",
	 "8203a10a8168656e76656c6f7065",
	 TK_ERR_SCHEMA_TYPE, "manifest-list[0] is a text string"},
	{"manifest not CBOR",
	 "8203a10a8142a202",
	 TK_ERR_CBOR_LENGTH, "manifest-list[0] does not hold one well-formed CBOR item"},
	{"empty suit-reports",
	 "8205a11380",
	 TK_ERR_SCHEMA_LENGTH, "suit-reports has 0 entries"},
	{"suit-report empty bytes",
	 "8205a1138140",
	 TK_ERR_CBOR_TRUNCATED, "suit-reports[0] does not hold"},
	{"empty unneeded-manifest-list",
	 "8203a10f80",
	 TK_ERR_SCHEMA_LENGTH, "unneeded-manifest-list has 0 entries"},
	{"component id with text",
	 "8203a10f8181627461",
	 TK_ERR_SCHEMA_TYPE, "unneeded-manifest-list[0] is a text string"},
	{"empty tc-list",
	 "8202a10880",
	 TK_ERR_SCHEMA_LENGTH, "tc-list has 0 entries"},
	{"tc-list entry without component id",
	 "8202a10881a10343822f40",
	 TK_ERR_SCHEMA_MISSING, "tc-list[0] has no system-component-id"},
	{"tc-list entry without parameter",
	 "8202a10881a100814101",
	 TK_ERR_SCHEMA_LENGTH, "tc-list[0] has no SUIT parameter"},
	{"empty requested-tc-list",
	 "8202a10e80",
	 TK_ERR_SCHEMA_LENGTH, "requested-tc-list has 0 entries"},
	{"requested-tc without component-id",
	 "8202a10e81a11101",
	 TK_ERR_SCHEMA_MISSING, "requested-tc-list[0] has no component-id"},
	{"have-binary without sequence number",
	 "8202a10e81a21081410112f5",
	 TK_ERR_SCHEMA_MISSING, "have-binary true but no tc-manifest-sequence-number"},
	{"have-binary false without sequence number",
	 "8202a10e81a21081410112f4",
	 TK_OK, NULL},
	{"have-binary with sequence number",
	 "8202a10e81a310814101110312f5",
	 TK_OK, NULL},
	{"have-binary as uint",
	 "8202a10e81a31081410111031201",
	 TK_ERR_SCHEMA_TYPE, "requested-tc-list[0].have-binary is an unsigned integer"},
	{"empty ext-list",
	 "8202a10980",
	 TK_ERR_SCHEMA_LENGTH, "ext-list has 0 entries"},
	{"attestation-payload as text",
	 "8202a10763656174",
	 TK_ERR_SCHEMA_TYPE, "attestation-payload is a text string"},
	{"attestation-payload-format as bytes",
	 "8202a10d4178",
	 TK_ERR_SCHEMA_TYPE, "attestation-payload-format is a byte string"},
	{"success example without its last byte",
	 "8205a11450{15:a0}", TK_ERR_CBOR_LENGTH, NULL},
	{"success example cut after the token label",
	 "8205a114", TK_ERR_CBOR_LENGTH, NULL},
	{"success example cut inside a head",
	 "8205a11458", TK_ERR_CBOR_TRUNCATED, NULL},
	{"trailing byte after the message",
	 "8205a0 00", TK_ERR_CBOR_TRAILING, NULL},
	{"token length in a longer head than needed",
	 "8205a1145810{16:a0}", TK_ERR_CBOR_NOT_PREFERRED, NULL},
	{"indefinite-length message array",
	 "9f05a0ff", TK_ERR_CBOR_INDEFINITE, NULL},
	{"duplicate token label",
	 "8205a21448{8:01}1448{8:02}", TK_ERR_CBOR_DUPLICATE_KEY, NULL},
	{"empty input",
	 "", TK_ERR_CBOR_TRUNCATED, NULL},
};

static void decode_table(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct buffer in;
		struct tk_teep_msg msg;
		struct tk_diag diag;
		tk_err err;

		parse_hex(c->hex, &in);
		tk_diag_clear(&diag);
		err = tk_teep_decode(in.bytes, in.len, &msg, &diag);
		check_err(c->description, c->expected, err, &diag);
		if (c->message != NULL && strstr(diag.msg, c->message) == NULL)
			fail_msg("%s: diagnostic \"%s\" lacks \"%s\"", c->description,
				 diag.msg, c->message);
		if (err != TK_OK) {
			/* Outputs only on success. */
			assert_int_equal(msg.type, 0);
			assert_int_equal(diag.code, err);
		}
	}
}

static void decode_error_offset(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	struct tk_diag diag;
	char text[TK_DIAG_MSG_MAX + 128];
	(void)state;

	/* [5, {20: h'01020304'}]: the token starts at byte 4. */
	parse_hex("8205a1144401020304", &in);
	tk_diag_clear(&diag);
	check_err("short token", TK_ERR_SCHEMA_LENGTH,
		  tk_teep_decode(in.bytes, in.len, &msg, &diag), &diag);
	assert_string_equal(diag.msg, "token length 4 is below 8");
	assert_int_equal(diag.offset, 4);
	tk_diag_format(&diag, text, sizeof(text));
	assert_non_null(strstr(text, "offset 4"));
}

static void unknown_values_kept(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	(void)state;

	/* [6, {}, 30]: an err-code above 23 is an unknown error, not invalid. */
	parse_hex("8306a0181e", &in);
	decode_ok(&in, &msg);
	assert_int_equal(msg.error.err_code, 30);
	assert_null(tk_teep_err_code_name(30));

	/* [5, {20: token, 99: "future"}]: the unknown label is skipped. */
	parse_hex("8205a21450a0a1a2a3a4a5a6a7a8a9aaabacadaeaf186366667574757265", &in);
	decode_ok(&in, &msg);
	assert_span(msg.success.token, example_token, sizeof(example_token));
	assert_int_equal(msg.success.msg.len, 0);
}

/* [2, {9: [0, 0, ...]}] with `count` entries in ext-list. */
static void build_ext_list(struct buffer *out, size_t count)
{
	static const uint8_t head[] = {0x82, 0x02, 0xa1, 0x09, 0x99};

	memcpy(out->bytes, head, sizeof(head));
	out->len = sizeof(head);
	append_byte(out, (unsigned)(count >> 8));
	append_byte(out, (unsigned)(count & 0xff));
	for (size_t i = 0; i < count; i++)
		append_byte(out, 0);
}

static void list_limit(void **state)
{
	struct buffer in;
	struct tk_teep_msg msg;
	struct tk_diag diag;
	(void)state;

	build_ext_list(&in, TK_TEEP_MAX_LIST_COUNT);
	decode_ok(&in, &msg);
	assert_int_equal(msg.query_response.ext_list.count, TK_TEEP_MAX_LIST_COUNT);

	build_ext_list(&in, TK_TEEP_MAX_LIST_COUNT + 1);
	tk_diag_clear(&diag);
	check_err("ext-list over the limit", TK_ERR_LIMIT_COUNT,
		  tk_teep_decode(in.bytes, in.len, &msg, &diag), &diag);
	assert_string_equal(diag.msg, "ext-list has 4097 entries, above the limit of 4096");
}

/* ---- encoding from items ------------------------------------------------- */

static void encode_query_request_items(void **state)
{
	static const uint8_t challenge[32] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint64_t versions[] = {TK_TEEP_VERSION_0};
	static const uint64_t freshness[] = {TK_TEEP_FRESHNESS_NONCE};
	const struct tk_teep_cipher_suite suites[] = {
		{.cose_type = TK_TEEP_COSE_SIGN1, .alg = TK_TEEP_ALG_ESP256},
		{.cose_type = TK_TEEP_COSE_SIGN1, .alg = TK_TEEP_ALG_ED25519},
	};
	const struct tk_span profiles[] = {
		tk_span_make(tk_teep_profile_sha256_esp256_ecdh_a128ctr,
			     sizeof(tk_teep_profile_sha256_esp256_ecdh_a128ctr)),
	};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_REQUEST}, back;
	struct tk_teep_query_request *qr = &msg.query_request;
	struct tk_teep_iter it;
	struct tk_teep_cipher_suite suite;
	struct buffer out;
	struct tk_diag diag;
	uint64_t value;
	(void)state;

	qr->token = tk_span_make(example_token, sizeof(example_token));
	qr->challenge = tk_span_make(challenge, sizeof(challenge));
	qr->versions = (struct tk_teep_uint_list){.count = 1, .items = versions};
	qr->supported_freshness_mechanisms =
		(struct tk_teep_uint_list){.count = 1, .items = freshness};
	qr->supported_teep_cipher_suites =
		(struct tk_teep_suite_list){.count = 2, .items = suites};
	qr->supported_suit_cose_profiles =
		(struct tk_teep_span_list){.count = 1, .items = profiles};
	qr->data_item_requested = TK_TEEP_DATA_ATTESTATION | TK_TEEP_DATA_TRUSTED_COMPONENTS;

	tk_diag_clear(&diag);
	check_err("encode", TK_OK,
		  tk_teep_encode(&msg, out.bytes, sizeof(out.bytes), &out.len, &diag), &diag);
	decode_ok(&out, &back);
	assert_int_equal(back.type, TK_TEEP_TYPE_QUERY_REQUEST);
	assert_span(back.query_request.token, example_token, sizeof(example_token));
	assert_span(back.query_request.challenge, challenge, sizeof(challenge));
	assert_int_equal(back.query_request.data_item_requested, 3);
	assert_int_equal(tk_teep_iter_init(&it, back.query_request.supported_freshness_mechanisms.raw,
					   NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_uint(&it, &value), TK_OK);
	assert_int_equal(value, TK_TEEP_FRESHNESS_NONCE);
	assert_int_equal(tk_teep_iter_init(&it, back.query_request.supported_teep_cipher_suites.raw,
					   NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_suite(&it, &suite), TK_OK);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ESP256);
	assert_int_equal(tk_teep_iter_next_suite(&it, &suite), TK_OK);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ED25519);
	assert_int_equal(back.query_request.supported_suit_cose_profiles.count, 1);

	/* Token first, then labels in increasing order, as the draft's examples. */
	assert_int_equal(out.bytes[3], TK_TEEP_LABEL_TOKEN);
	assert_int_equal(out.bytes[4 + 1 + 16], TK_TEEP_LABEL_CHALLENGE);

	/* A buffer one byte short fails and reports no length. */
	check_err("short buffer", TK_ERR_BUFFER_TOO_SMALL,
		  tk_teep_encode(&msg, out.bytes, out.len - 1, &out.len, NULL), NULL);
	assert_int_equal(out.len, 0);
}

static void encode_query_response_items(void **state)
{
	static const uint8_t component_id[] = {0x81, 0x42, 0x74, 0x61}; /* [h'7461'] */
	static const uint8_t digest[] = {0x82, 0x2f, 0x42, 0x01, 0x02}; /* [-16, h'0102'] */
	static const uint8_t evidence[] = {0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40};
	const struct tk_teep_tc_claims tcs[] = {
		{.component_id = tk_span_make(component_id, sizeof(component_id)),
		 .image_digest = tk_span_make(digest, sizeof(digest))},
	};
	const struct tk_teep_requested_tc requested[] = {
		{.component_id = tk_span_make(component_id, sizeof(component_id)),
		 .has_sequence_number = true, .sequence_number = 7,
		 .has_have_binary = true, .have_binary = true},
		{.component_id = tk_span_make(component_id, sizeof(component_id))},
	};
	const struct tk_span unneeded[] = {tk_span_make(component_id, sizeof(component_id))};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_RESPONSE}, back;
	struct tk_teep_query_response *qr = &msg.query_response;
	struct tk_teep_iter it;
	struct tk_teep_tc_claims claims;
	struct tk_teep_requested_tc tc;
	struct tk_span id;
	struct buffer out;
	struct tk_diag diag;
	(void)state;

	qr->token = tk_span_make(example_token, 8);
	qr->has_selected_version = true;
	qr->selected_version = 0;
	qr->has_attestation_payload = true;
	qr->attestation_payload = tk_span_make(evidence, sizeof(evidence));
	qr->tc_list = (struct tk_teep_tc_list){.count = 1, .items = tcs};
	qr->requested_tc_list = (struct tk_teep_requested_tc_list){.count = 2, .items = requested};
	qr->unneeded_manifest_list = (struct tk_teep_span_list){.count = 1, .items = unneeded};

	tk_diag_clear(&diag);
	check_err("encode", TK_OK,
		  tk_teep_encode(&msg, out.bytes, sizeof(out.bytes), &out.len, &diag), &diag);
	decode_ok(&out, &back);
	assert_span(back.query_response.attestation_payload, evidence, sizeof(evidence));

	assert_int_equal(tk_teep_iter_init(&it, back.query_response.tc_list.raw, NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_tc(&it, &claims), TK_OK);
	assert_span(claims.component_id, component_id, sizeof(component_id));
	assert_span(claims.image_digest, digest, sizeof(digest));

	assert_int_equal(back.query_response.requested_tc_list.count, 2);
	assert_int_equal(tk_teep_iter_init(&it, back.query_response.requested_tc_list.raw, NULL),
			 TK_OK);
	assert_int_equal(tk_teep_iter_next_requested_tc(&it, &tc), TK_OK);
	assert_span(tc.component_id, component_id, sizeof(component_id));
	assert_true(tc.has_sequence_number);
	assert_int_equal(tc.sequence_number, 7);
	assert_true(tc.has_have_binary);
	assert_true(tc.have_binary);
	assert_int_equal(tk_teep_iter_next_requested_tc(&it, &tc), TK_OK);
	assert_false(tc.has_sequence_number);
	assert_false(tc.has_have_binary);
	assert_false(tk_teep_iter_more(&it));

	assert_int_equal(tk_teep_iter_init(&it, back.query_response.unneeded_manifest_list.raw,
					   NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_item(&it, &id), TK_OK);
	assert_span(id, component_id, sizeof(component_id));

	/* Re-encoding the decoded message copies the raw lists unchanged. */
	assert_encodes_to(&back, &out);
}

static void encode_update_and_error_items(void **state)
{
	static const uint8_t envelope[] = {0xa1, 0x03, 0x41, 0x00};
	const struct tk_span manifests[] = {tk_span_make(envelope, sizeof(envelope))};
	const struct tk_teep_cipher_suite suites[] = {
		{.cose_type = TK_TEEP_COSE_SIGN1, .alg = TK_TEEP_ALG_ED25519},
	};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_UPDATE}, back;
	struct buffer out;
	struct tk_diag diag;
	(void)state;

	msg.update.token = tk_span_make(example_token, sizeof(example_token));
	msg.update.manifest_list = (struct tk_teep_span_list){.count = 1, .items = manifests};
	msg.update.has_err_code = true;
	msg.update.err_code = TK_TEEP_ERR_TEMPORARY_ERROR;
	msg.update.err_msg = tk_span_make("retry later", 11);
	msg.update.err_lang = tk_span_make("en", 2);
	tk_diag_clear(&diag);
	check_err("encode update", TK_OK,
		  tk_teep_encode(&msg, out.bytes, sizeof(out.bytes), &out.len, &diag), &diag);
	decode_ok(&out, &back);
	assert_int_equal(back.update.err_code, TK_TEEP_ERR_TEMPORARY_ERROR);
	assert_text(back.update.err_msg, "retry later");
	assert_text(back.update.err_lang, "en");
	assert_int_equal(back.update.manifest_list.count, 1);

	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_ERROR;
	msg.error.err_code = TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES;
	msg.error.supported_teep_cipher_suites =
		(struct tk_teep_suite_list){.count = 1, .items = suites};
	check_err("encode error", TK_OK,
		  tk_teep_encode(&msg, out.bytes, sizeof(out.bytes), &out.len, &diag), &diag);
	decode_ok(&out, &back);
	assert_int_equal(back.error.err_code, TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES);
	/* [6, {1: [[[18, -19]]]}, 5] */
	assert_int_equal(out.len, 10);
	assert_memory_equal(out.bytes, "\x83\x06\xa1\x01\x81\x81\x82\x12\x32\x05", 10);
}

struct encode_case {
	const char *description;
	struct tk_teep_msg msg;
	tk_err expected;
	const char *message;     /* expected diagnostic text */
};

static void encode_rejects(void **state)
{
	static const uint8_t id[] = {0x80}; /* [] */
	static const struct tk_teep_requested_tc no_sequence[] = {
		{.component_id = {id, 1}, .has_have_binary = true, .have_binary = true},
	};
	const struct encode_case cases[] = {
		{"token of 4 bytes",
		 {.type = TK_TEEP_TYPE_SUCCESS, .success = {.token = {example_token, 4}}},
		 TK_ERR_SCHEMA_LENGTH, "token length 4 is below 8"},
		{"err-code 0",
		 {.type = TK_TEEP_TYPE_ERROR},
		 TK_ERR_SCHEMA_VALUE, "err-code 0 is reserved and must not be used"},
		{"have-binary without sequence number",
		 {.type = TK_TEEP_TYPE_QUERY_RESPONSE,
		  .query_response = {.requested_tc_list = {.count = 1, .items = no_sequence}}},
		 TK_ERR_SCHEMA_MISSING,
		 "requested-tc-list[0] has have-binary true but no tc-manifest-sequence-number"},
		{"query-request without cipher suites",
		 {.type = TK_TEEP_TYPE_QUERY_REQUEST},
		 TK_ERR_SCHEMA_LENGTH,
		 "supported-teep-cipher-suites has 0 entries, expected at least 1"},
		{"list count without items",
		 {.type = TK_TEEP_TYPE_SUCCESS, .success = {.suit_reports = {.count = 2}}},
		 TK_ERR_ARG, "suit-reports has count 2 but no items"},
		{"unknown message type",
		 {.type = (enum tk_teep_type)4},
		 TK_ERR_ARG, "unknown TEEP message type 4"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buffer out;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		out.len = 1;
		err = tk_teep_encode(&cases[i].msg, out.bytes, sizeof(out.bytes), &out.len,
				     &diag);
		check_err(cases[i].description, cases[i].expected, err, &diag);
		assert_string_equal(diag.msg, cases[i].message);
		assert_int_equal(out.len, 0);
	}
}

static void iterator_misuse(void **state)
{
	struct tk_teep_iter it;
	struct tk_diag diag;
	uint64_t value;
	(void)state;

	/* An absent list has no entry. */
	assert_int_equal(tk_teep_iter_init(&it, TK_SPAN_EMPTY, NULL), TK_OK);
	assert_false(tk_teep_iter_more(&it));
	tk_diag_clear(&diag);
	check_err("next on an absent list", TK_ERR_STATE,
		  tk_teep_iter_next_uint(&it, &value), &diag);

	/* A raw view that is not an array. */
	tk_diag_clear(&diag);
	check_err("map as a list", TK_ERR_SCHEMA_TYPE,
		  tk_teep_iter_init(&it, tk_span_make("\xa0", 1), &diag), &diag);
	assert_false(tk_teep_iter_more(&it));
}

/* ---- names --------------------------------------------------------------- */

static void names(void **state)
{
	struct tk_cbor_names n = tk_teep_cbor_names();
	const int64_t in_requested[] = {TK_TEEP_LABEL_REQUESTED_TC_LIST};
	const int64_t in_tc_list[] = {TK_TEEP_LABEL_TC_LIST};
	(void)state;

	assert_string_equal(tk_teep_type_name(1), "query-request");
	assert_string_equal(tk_teep_type_name(6), "error");
	assert_null(tk_teep_type_name(4));
	assert_null(tk_teep_type_name(UINT64_MAX));

	assert_string_equal(tk_teep_label_name(20), "token");
	assert_string_equal(tk_teep_label_name(22), "err-lang");
	assert_string_equal(tk_teep_label_name(4), "supported-suit-cose-profiles");
	assert_null(tk_teep_label_name(0));
	assert_null(tk_teep_label_name(5));
	assert_null(tk_teep_label_name(24));

	assert_string_equal(tk_teep_err_code_name(1), "ERR_PERMANENT_ERROR");
	assert_string_equal(tk_teep_err_code_name(10), "ERR_TEMPORARY_ERROR");
	assert_null(tk_teep_err_code_name(0));
	assert_null(tk_teep_err_code_name(11));
	assert_null(tk_teep_err_code_name(23));

	assert_string_equal(tk_teep_tag_name(18), "COSE_Sign1");
	assert_string_equal(tk_teep_tag_name(98), "COSE_Sign");
	assert_string_equal(tk_teep_tag_name(107), "SUIT_Envelope");
	assert_null(tk_teep_tag_name(0));

	assert_string_equal(n.key_name(n.ctx, NULL, 0, 20), "token");
	assert_null(n.key_name(n.ctx, NULL, 0, -1));
	assert_string_equal(n.key_name(n.ctx, in_requested, 1, 18), "have-binary");
	assert_string_equal(n.key_name(n.ctx, in_tc_list, 1, 0), "system-component-id");
	assert_string_equal(n.key_name(n.ctx, in_tc_list, 1, 3), "image-digest");
	assert_string_equal(n.tag_name(n.ctx, 61), "CWT");
}

static void diagnostic_printer_names(void **state)
{
	struct buffer in;
	struct tk_cbor_names n = tk_teep_cbor_names();
	struct tk_diag diag;
	char text[4096];
	size_t len = 0;
	(void)state;

	load_vector("teep_error", &in);
	tk_diag_clear(&diag);
	check_err("to diag", TK_OK,
		  tk_cbor_to_diag(in.bytes, in.len, TK_CBOR_STRICT, false, &n, text,
				  sizeof(text), &len, &diag), &diag);
	assert_non_null(strstr(text, "token"));
	assert_non_null(strstr(text, "err-msg"));
	assert_non_null(strstr(text, "\"disk-full\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_request_example),
		cmocka_unit_test(query_response_example),
		cmocka_unit_test(update_example),
		cmocka_unit_test(success_example),
		cmocka_unit_test(error_example),
		cmocka_unit_test(decode_table),
		cmocka_unit_test(decode_error_offset),
		cmocka_unit_test(unknown_values_kept),
		cmocka_unit_test(list_limit),
		cmocka_unit_test(encode_query_request_items),
		cmocka_unit_test(encode_query_response_items),
		cmocka_unit_test(encode_update_and_error_items),
		cmocka_unit_test(encode_rejects),
		cmocka_unit_test(iterator_misuse),
		cmocka_unit_test(names),
		cmocka_unit_test(diagnostic_printer_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
