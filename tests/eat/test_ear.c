/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of EAR in CBOR form. The draft-ietf-rats-ear-03 examples decode
 * with their values. A result signed as a CWT verifies and re-encodes to
 * the same bytes, and malformed results fail with their codes. Python's
 * cbor2 and cryptography verify a CWT we sign.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eat/tk_ear.h"
#include "eat_test_util.h"

#define EAR_DIR TK_VECTORS_DIR "/eat/ear-draft-03"

static void assert_span_text(struct tk_span got, const char *want)
{
	assert_int_equal(got.len, strlen(want));
	assert_memory_equal(got.ptr, want, got.len);
}

static void test_draft_cbor_example(void **state)
{
	static uint8_t cbor[4096];
	struct tk_ear ear;
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = edn_file(EAR_DIR "/ear-cbor-1.diag", cbor, sizeof(cbor));
	tk_diag_clear(&diag);
	check_err("ear-cbor-1", TK_OK, tk_ear_decode(cbor, len, &ear, &diag), &diag);
	assert_span_text(ear.profile, TK_EAR_PROFILE);
	assert_int_equal(ear.iat, 1666529184);
	assert_span_text(ear.verifier_developer, "https://veraison-project.org");
	assert_span_text(ear.verifier_build, "vts 0.0.1");
	assert_span_text(ear.raw_evidence, "lifeboatman");
	assert_int_equal(ear.submod_count, 1);
	assert_span_text(ear.submods[0].name, "PSA");
	assert_int_equal(ear.submods[0].status, TK_EAR_STATUS_CONTRAINDICATED);
	assert_int_equal(ear.submods[0].tv_present, 0x15); /* keys 0, 2, 4 */
	assert_int_equal(ear.submods[0].tv[TK_EAR_TV_INSTANCE_IDENTITY], 2);
	assert_int_equal(ear.submods[0].tv[TK_EAR_TV_EXECUTABLES], 96);
	assert_int_equal(ear.submods[0].tv[TK_EAR_TV_HARDWARE], 2);
	assert_int_equal(ear.submods[0].policy_id_count, 1);
	assert_span_text(ear.submods[0].policy_ids[0],
			 "https://veraison.example/policy/1/60a0068d");
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_CONTRAINDICATED);
}

static void test_draft_teep_example(void **state)
{
	static uint8_t cbor[4096];
	static struct tk_eat_claims teep;
	static const uint8_t nonce[8] = {0x94, 0x8f, 0x88, 0x60, 0xd1, 0x3a, 0x46, 0x3e};
	struct tk_ear ear;
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = edn_file(EAR_DIR "/ext-teep-cbor-1.diag", cbor, sizeof(cbor));
	tk_diag_clear(&diag);
	check_err("ext-teep-cbor-1", TK_OK, tk_ear_decode(cbor, len, &ear, &diag), &diag);
	assert_int_equal(ear.submods[0].status, TK_EAR_STATUS_NONE);
	assert_int_equal(ear.submods[0].tv_present, 0x17); /* keys 0, 1, 2, 4 */
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_NONE);
	assert_true(ear.submods[0].teep_claims.len > 0);

	check_err("TEEP claims", TK_OK,
		  tk_eat_decode_claims(ear.submods[0].teep_claims.ptr,
				       ear.submods[0].teep_claims.len, &teep, &diag), &diag);
	assert_int_equal(teep.nonce.len, 8);
	assert_memory_equal(teep.nonce.ptr, nonce, 8);
	assert_int_equal(teep.ueid.len, 16);
	assert_int_equal(teep.ueid.ptr[0], 0x01);
	assert_true(teep.oemid_is_pen);
	assert_int_equal(teep.oemid_pen, 64242);
	assert_int_equal(teep.hwmodel.len, 16);
	assert_span_text(teep.hwversion, "1.2.5");
	assert_int_equal(teep.hwversion_scheme, 16384);
}

/* The Veraison extension example: private labels with text maps skipped. */
static void test_draft_veraison_example(void **state)
{
	static uint8_t cbor[4096];
	struct tk_ear ear;
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = edn_file(EAR_DIR "/ext-veraison-cbor-1.diag", cbor, sizeof(cbor));
	tk_diag_clear(&diag);
	check_err("ext-veraison-cbor-1", TK_OK, tk_ear_decode(cbor, len, &ear, &diag),
		  &diag);
	assert_span_text(ear.submods[0].name, "PSA_IOT");
	assert_int_equal(ear.submods[0].status, TK_EAR_STATUS_NONE);
	assert_int_equal(ear.submods[0].teep_claims.len, 0);
}

struct fixture {
	const struct tk_crypto *c;
	struct tk_crypto_key *key;
	struct tk_crypto_key *other;
	uint8_t kid[32];
	uint8_t nonce[16];
	uint8_t teep[128];
	struct tk_ear ear;
};

static int setup(void **state)
{
	static struct fixture f;
	struct tk_eat_claims *teep = calloc(1, sizeof(*teep));
	static const uint8_t ueid[17] = {0x01, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
	size_t teep_len = 0;
	tk_err err;

	f.c = tk_crypto_openssl();
	if (teep == NULL ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.key, NULL) != TK_OK ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.other, NULL) != TK_OK)
		return -1;
	for (size_t i = 0; i < sizeof(f.nonce); i++)
		f.nonce[i] = (uint8_t)(0xa0 + i);
	memset(f.kid, 0x4b, sizeof(f.kid));

	teep->present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID;
	teep->nonce = tk_span_make(f.nonce, sizeof(f.nonce));
	teep->ueid = tk_span_make(ueid, sizeof(ueid));
	err = tk_eat_encode_claims(teep, f.teep, sizeof(f.teep), &teep_len, NULL);
	free(teep);
	if (err != TK_OK)
		return -1;

	memset(&f.ear, 0, sizeof(f.ear));
	f.ear.iat = 1796428800;
	f.ear.has_exp = true;
	f.ear.exp = 1796432400;
	f.ear.verifier_developer = tk_span_make("https://teepkit.example", 23);
	f.ear.verifier_build = tk_span_make("teep-verifier 0.1.0", 19);
	f.ear.nonce = tk_span_make(f.nonce, sizeof(f.nonce));
	f.ear.cnf_kid = tk_span_make(f.kid, sizeof(f.kid));
	f.ear.submod_count = 2;
	f.ear.submods[0].name = tk_span_make("teep-agent", 10);
	f.ear.submods[0].status = TK_EAR_STATUS_AFFIRMING;
	f.ear.submods[0].tv_present = (1u << TK_EAR_TV_EXECUTABLES) | (1u << TK_EAR_TV_HARDWARE);
	f.ear.submods[0].tv[TK_EAR_TV_EXECUTABLES] = 2;
	f.ear.submods[0].tv[TK_EAR_TV_HARDWARE] = 2;
	f.ear.submods[0].teep_claims = tk_span_make(f.teep, teep_len);
	f.ear.submods[1].name = tk_span_make("tpm", 3);
	f.ear.submods[1].status = TK_EAR_STATUS_AFFIRMING;
	f.ear.submods[1].policy_ids[0] = tk_span_make("urn:teepkit:policy:1", 20);
	f.ear.submods[1].policy_id_count = 1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->key);
	tk_crypto_key_free(f->other);
	return 0;
}

static void test_cwt_round_trip(void **state)
{
	struct fixture *f = *state;
	static uint8_t cwt[8192], again[8192], first[8192];
	struct tk_cose_trusted_key keys[2] = {{.key = NULL}, {.key = NULL}};
	size_t cwt_len = 0, first_len = 0, again_len = 0, key_index = 9;
	struct tk_ear ear;
	struct tk_diag diag;

	keys[0].key = f->other;
	keys[1].key = f->key;
	tk_diag_clear(&diag);
	check_err("sign", TK_OK,
		  tk_ear_sign_cwt(f->c, f->key, &f->ear, cwt, sizeof(cwt), &cwt_len, &diag),
		  &diag);
	assert_int_equal(cwt[0], 0xd2); /* tag 18 */
	check_err("verify", TK_OK,
		  tk_ear_verify_cwt(f->c, cwt, cwt_len, keys, 2, &ear, &key_index, &diag),
		  &diag);
	assert_int_equal(key_index, 1);
	assert_span_text(ear.profile, TK_EAR_PROFILE);
	assert_int_equal(ear.iat, 1796428800);
	assert_true(ear.has_exp);
	assert_int_equal(ear.exp, 1796432400);
	assert_int_equal(ear.cnf_kid.len, 32);
	assert_int_equal(ear.nonce.len, 16);
	assert_int_equal(ear.submod_count, 2);
	/* Deterministic order: the shorter name "tpm" sorts first. */
	assert_span_text(ear.submods[0].name, "tpm");
	assert_span_text(ear.submods[1].name, "teep-agent");
	assert_int_equal(ear.submods[1].tv[TK_EAR_TV_EXECUTABLES], 2);
	assert_int_equal(ear.submods[1].teep_claims.len, f->ear.submods[0].teep_claims.len);
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_AFFIRMING);

	/* Decoded and encoded again, the claims are the same bytes. */
	assert_int_equal(tk_ear_encode(&f->ear, first, sizeof(first), &first_len, NULL), TK_OK);
	assert_int_equal(tk_ear_encode(&ear, again, sizeof(again), &again_len, NULL), TK_OK);
	assert_int_equal(first_len, again_len);
	assert_memory_equal(first, again, first_len);

	/* With the CWT tag in front it verifies too. */
	memmove(cwt + 2, cwt, cwt_len);
	cwt[0] = 0xd8;
	cwt[1] = 0x3d;
	check_err("CWT tag", TK_OK,
		  tk_ear_verify_cwt(f->c, cwt, cwt_len + 2, keys, 2, &ear, NULL, &diag), &diag);
}

static void test_cwt_rejected(void **state)
{
	struct fixture *f = *state;
	static uint8_t cwt[8192];
	struct tk_cose_trusted_key other = {.key = NULL};
	size_t cwt_len = 0;
	struct tk_ear ear;
	struct tk_diag diag;

	other.key = f->other;
	assert_int_equal(tk_ear_sign_cwt(f->c, f->key, &f->ear, cwt, sizeof(cwt), &cwt_len,
					 NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("other verifier key", TK_ERR_SIGNATURE,
		  tk_ear_verify_cwt(f->c, cwt, cwt_len, &other, 1, &ear, NULL, &diag), &diag);
	assert_int_equal(ear.submod_count, 0);

	other.key = f->key;
	cwt[cwt_len - 1] ^= 1;
	tk_diag_clear(&diag);
	check_err("altered signature", TK_ERR_SIGNATURE,
		  tk_ear_verify_cwt(f->c, cwt, cwt_len, &other, 1, &ear, NULL, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("oversized", TK_ERR_LIMIT_SIZE,
		  tk_ear_verify_cwt(f->c, cwt, TK_EAR_MAX_SIZE + 1, &other, 1, &ear, NULL,
				    &diag), &diag);
}

/*
 * A result signed by an Ed25519 key is not checked with a P-256 verifier
 * key, and a CWT tag inside the stripped one is not a COSE_Sign1.
 */
static void test_cwt_key_and_tag_mismatch(void **state)
{
	struct fixture *f = *state;
	static uint8_t cwt[8192];
	struct tk_cose_trusted_key trusted = {.key = NULL};
	struct tk_crypto_key *ed = NULL;
	size_t cwt_len = 0;
	struct tk_ear ear;
	struct tk_diag diag;
	tk_err err;

	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_ED25519, &ed, NULL), TK_OK);
	assert_int_equal(tk_ear_sign_cwt(f->c, ed, &f->ear, cwt, sizeof(cwt), &cwt_len, NULL),
			 TK_OK);
	tk_crypto_key_free(ed);
	trusted.key = f->key;
	tk_diag_clear(&diag);
	check_err("Ed25519 result, P-256 verifier key", TK_ERR_UNTRUSTED,
		  tk_ear_verify_cwt(f->c, cwt, cwt_len, &trusted, 1, &ear, NULL, &diag), &diag);
	assert_int_equal(ear.submod_count, 0);

	assert_int_equal(tk_ear_sign_cwt(f->c, f->key, &f->ear, cwt, sizeof(cwt), &cwt_len,
					 NULL), TK_OK);
	memmove(cwt + 4, cwt, cwt_len);
	memcpy(cwt, "\xd8\x3d\xd8\x3d", 4);
	tk_diag_clear(&diag);
	err = tk_ear_verify_cwt(f->c, cwt, cwt_len + 4, &trusted, 1, &ear, NULL, &diag);
	if (err == TK_OK)
		fail_msg("CWT tag twice: verified, expected a failure");
	assert_int_equal(ear.submod_count, 0);
}

/*
 * Malformed Claims-Sets, one change each from a minimal valid EAR:
 * {6: 1, 265: profile, 266: {"a": {1000: 2}}, 1004: {0: "d", 1: "b"}}.
 */
#define PROFILE_HEX "19010978" "1d" "7461673a696574662e6f72672c323032363a726174732f656172233033"
#define VERIFIER_HEX "1903eca2006164016162"
static const struct {
	const char *desc;
	const char *hex;
	tk_err expected;
} bad_ears[] = {
	{"valid minimal EAR", "a40601" PROFILE_HEX "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_OK},
	{"iat missing", "a3" PROFILE_HEX "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_ERR_SCHEMA_MISSING},
	{"profile missing", "a30601" "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_ERR_SCHEMA_MISSING},
	{"other profile", "a40601" "19010963616263" "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_ERR_SCHEMA_VALUE},
	{"verifier-id missing", "a30601" PROFILE_HEX "19010aa16161a11903e802",
	 TK_ERR_SCHEMA_MISSING},
	{"verifier-id without build", "a40601" PROFILE_HEX "19010aa16161a11903e802"
	 "1903eca1006164", TK_ERR_SCHEMA_MISSING},
	{"submods empty", "a40601" PROFILE_HEX "19010aa0" VERIFIER_HEX,
	 TK_ERR_SCHEMA_LENGTH},
	{"status missing", "a40601" PROFILE_HEX "19010aa16161a0" VERIFIER_HEX,
	 TK_ERR_SCHEMA_MISSING},
	{"status 3", "a40601" PROFILE_HEX "19010aa16161a11903e803" VERIFIER_HEX,
	 TK_ERR_SCHEMA_VALUE},
	{"status as text", "a40601" PROFILE_HEX "19010aa16161a11903e86161" VERIFIER_HEX,
	 TK_ERR_SCHEMA_TYPE},
	{"vector key 8", "a40601" PROFILE_HEX "19010aa16161a21903e8021903e9a10802"
	 VERIFIER_HEX, TK_ERR_SCHEMA_UNKNOWN},
	{"vector value 128", "a40601" PROFILE_HEX "19010aa16161a21903e8021903e9a1001880"
	 VERIFIER_HEX, TK_ERR_SCHEMA_VALUE},
	{"submod name is an integer", "a40601" PROFILE_HEX "19010aa101a11903e802" VERIFIER_HEX,
	 TK_ERR_SCHEMA_TYPE},
	{"tagged iat", "a406c101" PROFILE_HEX "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_ERR_SCHEMA_TAG},
	{"iat in two bytes", "a41801" "01" PROFILE_HEX "19010aa16161a11903e802" VERIFIER_HEX,
	 TK_ERR_CBOR_NOT_PREFERRED},
	{"indefinite submods", "a40601" PROFILE_HEX "19010abf6161a11903e802ff" VERIFIER_HEX,
	 TK_ERR_CBOR_INDEFINITE},
	{"nonce of 7 bytes", "a50601" "0a4701020304050607" PROFILE_HEX
	 "19010aa16161a11903e802" VERIFIER_HEX, TK_ERR_SCHEMA_LENGTH},
	{"empty TEEP claims", "a40601" PROFILE_HEX "19010aa16161a21903e80219fde8a0"
	 VERIFIER_HEX, TK_ERR_SCHEMA_LENGTH},
	{"cnf method 2", "a50601" "08a1024101" PROFILE_HEX "19010aa16161a11903e802"
	 VERIFIER_HEX, TK_ERR_SCHEMA_UNKNOWN},
};

static void test_decode_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_ears) / sizeof(bad_ears[0]); i++) {
		uint8_t buf[512];
		size_t len = hex_decode(bad_ears[i].hex, buf, sizeof(buf));
		struct tk_ear ear;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_ear_decode(buf, len, &ear, &diag);
		check_err(bad_ears[i].desc, bad_ears[i].expected, err, &diag);
		if (bad_ears[i].expected != TK_OK)
			assert_int_equal(ear.submod_count, 0);
	}
}

static void test_encode_rejects(void **state)
{
	struct fixture *f = *state;
	struct tk_ear ear = f->ear;
	uint8_t out[2048];
	size_t len = 0;
	struct tk_diag diag;

	ear.submods[0].status = 3;
	tk_diag_clear(&diag);
	check_err("status 3", TK_ERR_SCHEMA_VALUE,
		  tk_ear_encode(&ear, out, sizeof(out), &len, &diag), &diag);
	ear = f->ear;
	ear.verifier_build = TK_SPAN_EMPTY;
	check_err("no build", TK_ERR_SCHEMA_MISSING,
		  tk_ear_encode(&ear, out, sizeof(out), &len, &diag), &diag);
	ear = f->ear;
	ear.submod_count = 0;
	check_err("no submodule", TK_ERR_SCHEMA_MISSING,
		  tk_ear_encode(&ear, out, sizeof(out), &len, &diag), &diag);
	ear = f->ear;
	ear.submods[0].teep_claims = tk_span_make("\x81\x01", 2);
	check_err("TEEP claims not a map", TK_ERR_ARG,
		  tk_ear_encode(&ear, out, sizeof(out), &len, &diag), &diag);
	assert_int_equal(len, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tk_ear_status_name(2), "affirming");
	assert_string_equal(tk_ear_status_name(32), "warning");
	assert_string_equal(tk_ear_status_name(96), "contraindicated");
	assert_string_equal(tk_ear_status_name(0), "none");
	assert_null(tk_ear_status_name(1));
	assert_string_equal(tk_ear_tv_name(TK_EAR_TV_SOURCED_DATA), "sourced-data");
	assert_null(tk_ear_tv_name(8));
}

/* Diagnostic notation of the draft's TEEP example names every label. */
static void test_diag_names(void **state)
{
	static uint8_t cbor[4096];
	static char text[8192];
	static const char *const expected[] = {
		"1000 / ear.status /", "1001 / ear.trustworthiness-vector /",
		"2 / executables /", "65000 / ear.teep-claims /", "258 / oemid /",
		"1004 / ear.verifier-id /", "0 / developer /", "1 / build /",
		"1002 / ear.raw-evidence /", "266 / submods /",
	};
	size_t len, text_len = 0;

	(void)state;
	len = edn_file(EAR_DIR "/ext-teep-cbor-1.diag", cbor, sizeof(cbor));
	assert_int_equal(tk_cbor_to_diag(cbor, len, TK_CBOR_STRICT, false, tk_ear_names(), text,
					 sizeof(text), &text_len, NULL), TK_OK);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (strstr(text, expected[i]) == NULL)
			fail_msg("\"%s\" missing from %s", expected[i], text);
	}
}

static void test_overall_status(void **state)
{
	struct fixture *f = *state;
	struct tk_ear ear = f->ear;

	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_AFFIRMING);
	ear.submods[1].status = TK_EAR_STATUS_NONE;
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_NONE);
	ear.submods[0].status = TK_EAR_STATUS_WARNING;
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_WARNING);
	ear.has_status = true;
	ear.status = TK_EAR_STATUS_CONTRAINDICATED;
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_CONTRAINDICATED);
}

/*
 * Independent oracle: cbor2 decodes the CWT, cryptography verifies the
 * ES256 signature over the rebuilt Sig_structure, and the claims are
 * checked to be in deterministic encoding with the expected values.
 */
static const char oracle_script[] =
	"import sys, cbor2\n"
	"from cryptography.hazmat.primitives import hashes, serialization\n"
	"from cryptography.hazmat.primitives.asymmetric import ec, utils\n"
	"cwt = open(sys.argv[1], 'rb').read()\n"
	"key = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())\n"
	"tag = cbor2.loads(cwt)\n"
	"assert tag.tag == 18, tag.tag\n"
	"prot, unprot, payload, sig = tag.value\n"
	"assert cbor2.loads(prot) == {1: -9}, prot\n"
	"tbs = cbor2.dumps(['Signature1', prot, b'', payload])\n"
	"r = int.from_bytes(sig[:32], 'big'); s = int.from_bytes(sig[32:], 'big')\n"
	"key.verify(utils.encode_dss_signature(r, s), tbs, ec.ECDSA(hashes.SHA256()))\n"
	"ear = cbor2.loads(payload)\n"
	"assert cbor2.dumps(ear, canonical=True) == payload, 'not deterministic'\n"
	"assert ear[265] == 'tag:ietf.org,2026:rats/ear#03'\n"
	"assert ear[6] == 1796428800 and ear[4] == 1796432400\n"
	"assert ear[1004] == {0: 'https://teepkit.example', 1: 'teep-verifier 0.1.0'}\n"
	"assert ear[8] == {3: b'\\x4b' * 32}\n"
	"a = ear[266]['teep-agent']\n"
	"assert a[1000] == 2 and a[1001] == {2: 2, 4: 2}, a\n"
	"assert a[65000][256][0] == 1 and len(a[65000][10]) == 16\n"
	"assert ear[266]['tpm'][1003] == ['urn:teepkit:policy:1']\n"
	"print('oracle ok')\n";

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *file = fopen(path, "wb");

	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, len, file), len);
	assert_int_equal(fclose(file), 0);
}

static void test_python_oracle_verifies(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/tk-ear-oracle-XXXXXX";
	char cwt_path[64], pem_path[64], script_path[64], command[512];
	static uint8_t cwt[8192];
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t cwt_len = 0, pem_len = 0;
	int status;

	if (system("/usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cwt_path, sizeof(cwt_path), "%s/ear.cbor", dir);
	snprintf(pem_path, sizeof(pem_path), "%s/key.pem", dir);
	snprintf(script_path, sizeof(script_path), "%s/oracle.py", dir);
	assert_int_equal(tk_ear_sign_cwt(f->c, f->key, &f->ear, cwt, sizeof(cwt), &cwt_len,
					 NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_pem(f->key, false, pem, sizeof(pem), &pem_len,
						  NULL), TK_OK);
	write_bytes(cwt_path, cwt, cwt_len);
	write_bytes(pem_path, pem, pem_len);
	write_bytes(script_path, oracle_script, strlen(oracle_script));
	snprintf(command, sizeof(command), "/usr/bin/python3 %s %s %s", script_path,
		 cwt_path, pem_path);
	status = system(command);
	unlink(cwt_path);
	unlink(pem_path);
	unlink(script_path);
	rmdir(dir);
	assert_int_equal(status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draft_cbor_example),
		cmocka_unit_test(test_draft_teep_example),
		cmocka_unit_test(test_draft_veraison_example),
		cmocka_unit_test(test_cwt_round_trip),
		cmocka_unit_test(test_cwt_rejected),
		cmocka_unit_test(test_cwt_key_and_tag_mismatch),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_diag_names),
		cmocka_unit_test(test_overall_status),
		cmocka_unit_test(test_python_oracle_verifies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
