/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the CoRIM / CoMID reference-value reader on the
 * draft-ietf-rats-corim examples: every digest of the reference-triples
 * is read with its environment, matching finds the right record, and
 * malformed or unsupported inputs fail with their codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eat/tk_eat_corim.h"
#include "eat_test_util.h"

#define CORIM_DIR TK_VECTORS_DIR "/eat/corim-draft"

static const char acme_digest[] =
	"44aa336af4cb14a879432e53dd6571c7fa9bccafb75f488259262d6ea3a4d91b";
static const char wylie_digest[] =
	"bb71198ed60a95dc3c619e555c2c0b8d7564a38031b034a195892591c65365b0";

static void assert_span_text(struct tk_span got, const char *want)
{
	assert_int_equal(got.len, strlen(want));
	assert_memory_equal(got.ptr, want, got.len);
}

static void assert_span_hex(struct tk_span got, const char *hex)
{
	uint8_t want[64];
	size_t len = hex_decode(hex, want, sizeof(want));

	assert_int_equal(got.len, len);
	assert_memory_equal(got.ptr, want, len);
}

static size_t read_refvals(const char *file, uint8_t *cbor, size_t cap,
			   struct tk_eat_corim_refval *out, size_t out_cap)
{
	char path[512];
	size_t len, count = 0;
	struct tk_diag diag;

	snprintf(path, sizeof(path), "%s/%s", CORIM_DIR, file);
	len = edn_file(path, cbor, cap);
	tk_diag_clear(&diag);
	check_err(file, TK_OK, tk_eat_corim_refvals(cbor, len, out, out_cap, &count, &diag),
		  &diag);
	return count;
}

static void assert_acme(const struct tk_eat_corim_refval *r)
{
	assert_int_equal(r->class_id_tag, TK_CORIM_TAG_UUID);
	assert_span_hex(r->class_id, "67b28b6c34cc40a19117ab5b05911e37");
	assert_span_text(r->vendor, "ACME Inc.");
	assert_true(r->has_layer);
	assert_int_equal(r->layer, 1);
	assert_false(r->has_index);
	assert_false(r->hash_alg_is_text);
	assert_int_equal(r->hash_alg, TK_CORIM_HASH_SHA256);
	assert_span_hex(r->digest, acme_digest);
}

static void test_comid(void **state)
{
	static uint8_t cbor[4096];
	struct tk_eat_corim_refval r[8];

	(void)state;
	assert_int_equal(read_refvals("comid-1.diag", cbor, sizeof(cbor), r, 8), 1);
	assert_acme(&r[0]);
	assert_span_text(r[0].model, "ACME RoadRunner");
	assert_int_equal(r[0].mkey.len, 0);
}

static void test_corim_wrapped(void **state)
{
	static uint8_t cbor[4096];
	struct tk_eat_corim_refval r[8];

	(void)state;
	assert_int_equal(read_refvals("corim-1.diag", cbor, sizeof(cbor), r, 8), 1);
	assert_acme(&r[0]);
	assert_span_text(r[0].model, "ACME RoadRunner");
}

static void test_corim_three_triples(void **state)
{
	static uint8_t cbor[4096];
	struct tk_eat_corim_refval r[8];
	struct tk_eat_corim_query q = {0};
	uint8_t digest[32];

	(void)state;
	/* The endorsed-triple (key 1) is not a reference value. */
	assert_int_equal(read_refvals("corim-2.diag", cbor, sizeof(cbor), r, 8), 3);
	assert_acme(&r[0]);
	assert_span_text(r[0].model, "ACME RoadRunner Firmware");
	for (size_t i = 1; i < 3; i++) {
		assert_span_text(r[i].vendor, "WYLIE Inc.");
		assert_span_text(r[i].model, "WYLIE Coyote Trusted OS");
		assert_int_equal(r[i].layer, 2);
		assert_true(r[i].has_index);
		assert_int_equal(r[i].index, i - 1);
		assert_span_hex(r[i].digest, wylie_digest);
	}

	hex_decode(wylie_digest, digest, sizeof(digest));
	q.digest = tk_span_make(digest, 32);
	assert_int_equal(tk_eat_corim_match(r, 3, &q), 1);
	q.vendor = tk_span_make("ACME Inc.", 9);
	assert_int_equal(tk_eat_corim_match(r, 3, &q), -1);
	q.vendor = tk_span_make("WYLIE Inc.", 10);
	q.model = tk_span_make("WYLIE Coyote Trusted OS", 23);
	assert_int_equal(tk_eat_corim_match(r, 3, &q), 1);
	digest[0] ^= 1;
	assert_int_equal(tk_eat_corim_match(r, 3, &q), -1);
}

static void test_psa_text_alg_and_mkey(void **state)
{
	static uint8_t cbor[4096];
	struct tk_eat_corim_refval r[8];
	struct tk_eat_corim_query q = {0};
	uint8_t digest[32];

	(void)state;
	assert_int_equal(read_refvals("comid-psa-refval.diag", cbor, sizeof(cbor), r, 8), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r[i].class_id_tag, TK_CORIM_TAG_BYTES);
		assert_span_text(r[i].class_id, "acme-implementation-id-000000001");
		assert_span_text(r[i].mkey, "psa.software-component");
		assert_true(r[i].hash_alg_is_text);
		assert_span_text(r[i].hash_alg_name, "sha-256");
		assert_int_equal(r[i].vendor.len, 0);
	}
	assert_span_hex(r[1].digest,
			"a3fe9f414586c0d3cacbe3b6920a09d8718e503bca22e23fef882203bf765065");
	hex_decode("a3fe9f414586c0d3cacbe3b6920a09d8718e503bca22e23fef882203bf765065",
		   digest, sizeof(digest));
	q.digest = tk_span_make(digest, 32);
	q.mkey = tk_span_make("psa.software-component", 22);
	assert_int_equal(tk_eat_corim_match(r, 2, &q), 1);
}

static void test_integrity_registers(void **state)
{
	static uint8_t cbor[4096];
	struct tk_eat_corim_refval r[8];

	(void)state;
	assert_int_equal(read_refvals("comid-integrity-registers.diag", cbor, sizeof(cbor),
				      r, 8), 4);
	assert_true(r[0].has_register);
	assert_false(r[0].register_is_text);
	assert_int_equal(r[0].register_index, 0);
	assert_span_hex(r[0].digest, acme_digest);
	assert_span_text(r[1].hash_alg_name, "my-alg-id");
	assert_span_hex(r[1].digest, "deadbeef");
	assert_true(r[2].register_is_text);
	assert_span_text(r[2].register_name, "my-ir");
	assert_span_hex(r[3].digest, "fefefafa");
}

static const struct {
	const char *desc;
	const char *hex;
	size_t cap;
	tk_err expected;
} bad_corims[] = {
	/* {4: {0: [[{0: {1: "v"}}, [{1: {2: [[1, h'00']]}}]]]}} */
	{"valid minimal CoMID", "a104a1008182a100a1016176" "81a101a102818201" "4100", 1, TK_OK},
	{"output too small", "a104a1008182a100a1016176" "81a101a102818201" "4100", 0,
	 TK_ERR_LIMIT_COUNT},
	{"measurement without mval", "a104a1008182a100a1016176" "81a100617a", 1,
	 TK_ERR_SCHEMA_MISSING},
	{"digest of three elements", "a104a1008182a100a1016176" "81a101a10281830141" "0000",
	 1, TK_ERR_SCHEMA_LENGTH},
	{"vendor as bytes", "a104a1008182a100a1014176" "81a101a102818201" "4100", 1,
	 TK_ERR_SCHEMA_TYPE},
	{"untagged class id", "a104a1008182a100a1004100" "81a101a102818201" "4100", 1,
	 TK_ERR_SCHEMA_TYPE},
	{"signed CoRIM", "d28443a10126a0f640", 1, TK_ERR_UNSUPPORTED},
	{"other outer tag", "d901f6a0", 1, TK_ERR_SCHEMA_TAG},
	{"indefinite map", "bf04a0ff", 1, TK_ERR_CBOR_INDEFINITE},
	{"triples not a map", "a10480", 1, TK_ERR_SCHEMA_TYPE},
};

static void test_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_corims) / sizeof(bad_corims[0]); i++) {
		uint8_t buf[256];
		struct tk_eat_corim_refval r[2];
		size_t len = hex_decode(bad_corims[i].hex, buf, sizeof(buf)), count = 9;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err(bad_corims[i].desc, bad_corims[i].expected,
			  tk_eat_corim_refvals(buf, len, r, bad_corims[i].cap, &count, &diag),
			  &diag);
		assert_int_equal(count, bad_corims[i].expected == TK_OK ? 1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comid),
		cmocka_unit_test(test_corim_wrapped),
		cmocka_unit_test(test_corim_three_triples),
		cmocka_unit_test(test_psa_text_alg_and_mkey),
		cmocka_unit_test(test_integrity_registers),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
