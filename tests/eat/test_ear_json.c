/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of EAR in JSON form and of the relying-party check. The signed
 * Veraison JWT verifies with its published key and fails once altered.
 * The draft-ietf-rats-ear-03 JSON examples transcode and decode with
 * their values. A JWT we sign round-trips and verifies in Python's
 * cryptography, and tk_ear_check() gives one reason per failed check.
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

#include "eat/tk_ear_json.h"
#include "eat/tk_ear_json_impl.h"
#include "eat_test_util.h"

#define EAR_DIR TK_VECTORS_DIR "/eat/ear-draft-03"
#define VERAISON_DIR TK_VECTORS_DIR "/eat/veraison-c-ear"

static void assert_span_text(struct tk_span got, const char *want)
{
	assert_int_equal(got.len, strlen(want));
	assert_memory_equal(got.ptr, want, got.len);
}

static struct tk_crypto_key *load_key(const char *path)
{
	uint8_t pem[1024];
	size_t len = read_file(path, pem, sizeof(pem));
	struct tk_crypto_key *key = NULL;

	assert_int_equal(tk_crypto_key_import_pem(tk_crypto_openssl(), pem, len, &key, NULL),
			 TK_OK);
	return key;
}

static size_t read_jwt(char *out, size_t cap)
{
	size_t len = read_file(VERAISON_DIR "/ear.jwt", (uint8_t *)out, cap);

	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	return len;
}

static void test_veraison_jwt_verifies(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_key *key = load_key(VERAISON_DIR "/pkey.pem");
	static uint8_t cbor[TK_EAR_MAX_SIZE];
	static struct tk_ear ear;
	char jwt[2048];
	size_t len = read_jwt(jwt, sizeof(jwt)), index = 9;
	const struct tk_crypto_key *keys[1] = {key};
	const struct tk_ear_appraisal *a;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("veraison JWT", TK_OK,
		  tk_ear_verify_jwt(c, jwt, len, keys, 1, cbor, sizeof(cbor), &ear, &index,
				    &diag), &diag);
	assert_int_equal(index, 0);
	assert_span_text(ear.profile, "tag:github.com,2023:veraison/ear");
	assert_int_equal(ear.iat, 1666529184); /* written as the real 1.666529184e+09 */
	assert_span_text(ear.verifier_developer, "https://veraison-project.org");
	assert_span_text(ear.verifier_build, "vts 0.0.1");
	assert_span_text(ear.raw_evidence, "74726973656374\n");
	assert_int_equal(ear.submod_count, 1);
	a = &ear.submods[0];
	assert_span_text(a->name, "PARSEC_TPM");
	assert_int_equal(a->status, TK_EAR_STATUS_AFFIRMING);
	assert_int_equal(a->tv_present, 0x15);
	assert_int_equal(a->tv[TK_EAR_TV_EXECUTABLES], 2);
	assert_int_equal(a->policy_id_count, 1);
	assert_span_text(a->policy_ids[0], "https://veraison.example/policy/1/60a0068d");

	/* One character of the payload changed: the signature no longer holds. */
	jwt[60] = jwt[60] == 'A' ? 'B' : 'A';
	tk_diag_clear(&diag);
	check_err("altered JWT", TK_ERR_SIGNATURE,
		  tk_ear_verify_jwt(c, jwt, len, keys, 1, cbor, sizeof(cbor), &ear, NULL,
				    &diag), &diag);
	assert_int_equal(ear.submod_count, 0);
	tk_crypto_key_free(key);
}

/* The OPA example carries the same token with the key as a JWK. */
static void test_opa_example_jwk(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const char x_b64[] = "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8";
	static const char y_b64[] = "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4";
	static uint8_t cbor[TK_EAR_MAX_SIZE];
	static struct tk_ear ear;
	uint8_t text[4096], x[32], y[32];
	struct tk_crypto_key *key = NULL;
	const struct tk_crypto_key *keys[1];
	const char *start, *end;
	size_t len = read_file(EAR_DIR "/opa-example-ear-jwt.json", text, sizeof(text) - 1);
	struct tk_diag diag;

	(void)state;
	text[len] = '\0';
	start = strstr((const char *)text, "\"ear_token\": \"");
	assert_non_null(start);
	start += strlen("\"ear_token\": \"");
	end = strchr(start, '"');
	assert_non_null(end);
	/* Base64url of the JWK coordinates, checked against a decoder in C. */
	assert_int_equal(hex_decode("bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff",
				    x, sizeof(x)), 32);
	assert_int_equal(hex_decode("20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e",
				    y, sizeof(y)), 32);
	assert_int_equal(strlen(x_b64), 43);
	assert_int_equal(strlen(y_b64), 43);
	assert_int_equal(tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, x, 32, y, 32, &key,
						     NULL), TK_OK);
	keys[0] = key;
	tk_diag_clear(&diag);
	check_err("OPA example token", TK_OK,
		  tk_ear_verify_jwt(c, start, (size_t)(end - start), keys, 1, cbor,
				    sizeof(cbor), &ear, NULL, &diag), &diag);
	assert_span_text(ear.submods[0].name, "PARSEC_TPM");
	tk_crypto_key_free(key);
}

static void json_example(const char *file, struct tk_ear *ear, uint8_t *cbor, size_t cap)
{
	char path[512], text[4096];
	size_t len, cbor_len = 0;
	struct tk_diag diag;

	snprintf(path, sizeof(path), "%s/%s", EAR_DIR, file);
	len = read_file(path, (uint8_t *)text, sizeof(text));
	tk_diag_clear(&diag);
	check_err(file, TK_OK, tk_ear_json_to_cbor(text, len, cbor, cap, &cbor_len, &diag),
		  &diag);
	check_err(file, TK_OK, tk_ear_decode(cbor, cbor_len, ear, &diag), &diag);
}

static void test_draft_json_examples(void **state)
{
	static uint8_t cbor[8192];
	static struct tk_ear ear;

	(void)state;
	json_example("ear-json-1.diag", &ear, cbor, sizeof(cbor));
	assert_span_text(ear.profile, TK_EAR_PROFILE);
	assert_int_equal(ear.iat, 1666529184);
	assert_span_text(ear.raw_evidence, "74726973656374\n");
	assert_int_equal(ear.submods[0].status, TK_EAR_STATUS_CONTRAINDICATED);
	assert_int_equal(ear.submods[0].tv[TK_EAR_TV_EXECUTABLES], 96);

	json_example("ear-json-2.diag", &ear, cbor, sizeof(cbor));
	assert_int_equal(ear.iat, 1666529300);
	assert_int_equal(ear.submod_count, 2);
	/* Deterministic order: "CCA Realm" (9) sorts before "CCA Platform" (12). */
	assert_span_text(ear.submods[0].name, "CCA Realm");
	assert_int_equal(ear.submods[0].tv_present, 0x01);
	assert_span_text(ear.submods[1].name, "CCA Platform");
	assert_int_equal(ear.submods[1].status, TK_EAR_STATUS_AFFIRMING);
	assert_int_equal(tk_ear_overall_status(&ear), TK_EAR_STATUS_AFFIRMING);

	json_example("ext-veraison-json-1.diag", &ear, cbor, sizeof(cbor));
	assert_span_text(ear.submods[0].name, "PSA_IOT");
	json_example("ext-veraison-json-2.diag", &ear, cbor, sizeof(cbor));
	assert_span_text(ear.submods[0].name, "PARSEC_TPM");
}

static void test_draft_teep_json_example(void **state)
{
	static uint8_t cbor[8192];
	static struct tk_ear ear;
	static struct tk_eat_claims teep;
	static const uint8_t oemid[3] = {0x02, 0xff, 0x01};
	struct tk_diag diag;

	(void)state;
	json_example("ext-teep-json-1.diag", &ear, cbor, sizeof(cbor));
	assert_int_equal(ear.submods[0].status, TK_EAR_STATUS_CONTRAINDICATED);
	tk_diag_clear(&diag);
	check_err("TEEP claims", TK_OK,
		  tk_eat_decode_claims(ear.submods[0].teep_claims.ptr,
				       ear.submods[0].teep_claims.len, &teep, &diag), &diag);
	assert_int_equal(teep.nonce.len, 26);
	assert_int_equal(teep.nonce.ptr[0], 0xf3);
	assert_int_equal(teep.ueid.len, 33);
	assert_int_equal(teep.ueid.ptr[32], 0x21);
	assert_int_equal(teep.oemid.len, 3);
	assert_memory_equal(teep.oemid.ptr, oemid, 3);
	assert_int_equal(teep.hwmodel.len, 3);
	assert_span_text(teep.hwversion, "1.2.5");
	assert_int_equal(teep.hwversion_scheme, 16384);
}

static const struct {
	const char *desc;
	const char *json;
	tk_err expected;
} bad_json[] = {
	{"not JSON", "{\"iat\": ", TK_ERR_SCHEMA_TYPE},
	{"duplicate name", "{\"iat\": 1, \"iat\": 2}", TK_ERR_SCHEMA_TYPE},
	{"iat as text", "{\"iat\": \"1\"}", TK_ERR_SCHEMA_TYPE},
	{"iat with a fraction", "{\"iat\": 1.5}", TK_ERR_SCHEMA_TYPE},
	{"unknown status name", "{\"submods\": {\"a\": {\"ear_status\": \"fine\"}}}",
	 TK_ERR_SCHEMA_VALUE},
	{"raw evidence with padding", "{\"ear_raw_evidence\": \"AA==\"}", TK_ERR_SCHEMA_VALUE},
	{"raw evidence not base64url", "{\"ear_raw_evidence\": \"a+b/\"}",
	 TK_ERR_SCHEMA_VALUE},
	{"cnf with a jwk", "{\"cnf\": {\"jwk\": {}}}", TK_ERR_SCHEMA_UNKNOWN},
	{"submods as an array", "{\"submods\": []}", TK_ERR_SCHEMA_TYPE},
	{"hwversion of three", "{\"submods\": {\"a\": {\"ear_teep_claims\": "
	 "{\"hwversion\": [\"1\", 1, 2]}}}}", TK_ERR_SCHEMA_TYPE},
	{"status under both names", "{\"ear_status\": \"affirming\", "
	 "\"ear.status\": \"contraindicated\"}", TK_ERR_CBOR_DUPLICATE_KEY},
	{"submodule status under both names", "{\"submods\": {\"a\": {\"ear_status\": "
	 "\"affirming\", \"ear.status\": \"contraindicated\"}}}",
	 TK_ERR_CBOR_DUPLICATE_KEY},
	{"TEEP claims under both names", "{\"submods\": {\"a\": {\"ear_teep_claims\": "
	 "{}, \"ear.teep-claims\": {}}}}", TK_ERR_CBOR_DUPLICATE_KEY},
};

static void test_json_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		uint8_t cbor[1024];
		size_t len = 7;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err(bad_json[i].desc, bad_json[i].expected,
			  tk_ear_json_to_cbor(bad_json[i].json, strlen(bad_json[i].json), cbor,
					      sizeof(cbor), &len, &diag), &diag);
		assert_int_equal(len, 0);
	}
}

/* Keys and a result shared by the signing and check tests. */
struct fixture {
	const struct tk_crypto *c;
	struct tk_crypto_key *verifier;
	struct tk_crypto_key *other;
	struct tk_crypto_key *agent;
	uint8_t agent_kid[32];
	uint8_t nonce[16];
	uint8_t ta_digest[32];
	uint8_t measurement[128];
	uint8_t teep[512];
	uint8_t teep_plain[512];       /* the same claims without the encryption kid */
	size_t teep_plain_len;
	uint8_t encryption_kid[32];    /* teepkit-encryption-kid in teep */
	uint8_t agent_cose_key[128];
	size_t agent_cose_key_len;
	uint8_t other_cose_key[128];
	size_t other_cose_key_len;
	struct tk_ear ear;
};

static int setup(void **state)
{
	static struct fixture f;
	static const uint8_t component_id[] = {0x81, 0x43, 't', 'a', '1'};
	static const uint8_t ueid[17] = {0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct tk_eat_claims *teep = calloc(1, sizeof(*teep));
	struct tk_eat_measured_component mc = {
		.component_id = {component_id, sizeof(component_id)},
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = {f.ta_digest, sizeof(f.ta_digest)},
	};
	size_t mlen = 0, tlen = 0;
	tk_err err;

	f.c = tk_crypto_openssl();
	if (teep == NULL ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.verifier, NULL) != TK_OK ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.other, NULL) != TK_OK ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.agent, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(f.c, f.agent, f.agent_kid, NULL) != TK_OK ||
	    tk_cose_key_encode_public(f.agent, TK_SPAN_EMPTY, 0, f.agent_cose_key,
				      sizeof(f.agent_cose_key), &f.agent_cose_key_len,
				      NULL) != TK_OK ||
	    tk_cose_key_encode_public(f.other, TK_SPAN_EMPTY, 0, f.other_cose_key,
				      sizeof(f.other_cose_key), &f.other_cose_key_len,
				      NULL) != TK_OK)
		return -1;
	for (size_t i = 0; i < sizeof(f.nonce); i++)
		f.nonce[i] = (uint8_t)(0x30 + i);
	memset(f.ta_digest, 0xd1, sizeof(f.ta_digest));
	err = tk_eat_encode_measured_component(&mc, f.measurement, sizeof(f.measurement),
					       &mlen, NULL);
	teep->present = TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID | TK_EAT_HAS_HWVERSION |
			TK_EAT_HAS_MEASUREMENTS | TK_EAT_HAS_NONCE | TK_EAT_HAS_ENCRYPTION_KID;
	memset(f.encryption_kid, 0xe5, sizeof(f.encryption_kid));
	teep->encryption_kid = tk_span_make(f.encryption_kid, sizeof(f.encryption_kid));
	teep->nonce = tk_span_make(f.nonce, sizeof(f.nonce));
	teep->ueid = tk_span_make(ueid, sizeof(ueid));
	teep->oemid_is_pen = true;
	teep->oemid_pen = 64242;
	teep->hwversion = tk_span_make("1.0", 3);
	teep->measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	teep->measurements[0].body = tk_span_make(f.measurement, mlen);
	teep->measurement_count = 1;
	if (err == TK_OK)
		err = tk_eat_encode_claims(teep, f.teep, sizeof(f.teep), &tlen, NULL);
	teep->present &= ~(uint32_t)TK_EAT_HAS_ENCRYPTION_KID;
	if (err == TK_OK)
		err = tk_eat_encode_claims(teep, f.teep_plain, sizeof(f.teep_plain),
					   &f.teep_plain_len, NULL);
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
	f.ear.cnf_kid = tk_span_make(f.agent_kid, sizeof(f.agent_kid));
	f.ear.raw_evidence = tk_span_make("evidence", 8);
	f.ear.submod_count = 1;
	f.ear.submods[0].name = tk_span_make("teep-agent", 10);
	f.ear.submods[0].status = TK_EAR_STATUS_AFFIRMING;
	f.ear.submods[0].tv_present = 1u << TK_EAR_TV_EXECUTABLES;
	f.ear.submods[0].tv[TK_EAR_TV_EXECUTABLES] = 2;
	f.ear.submods[0].policy_ids[0] = tk_span_make("urn:teepkit:policy:1", 20);
	f.ear.submods[0].policy_id_count = 1;
	f.ear.submods[0].teep_claims = tk_span_make(f.teep, tlen);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->verifier);
	tk_crypto_key_free(f->other);
	tk_crypto_key_free(f->agent);
	return 0;
}

static void test_jwt_round_trip(void **state)
{
	struct fixture *f = *state;
	static char jwt[16384];
	static uint8_t cbor[TK_EAR_MAX_SIZE], first[8192], again[8192];
	static struct tk_ear ear;
	const struct tk_crypto_key *keys[2] = {f->other, f->verifier};
	size_t jwt_len = 0, index = 9, first_len = 0, again_len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("sign JWT", TK_OK,
		  tk_ear_sign_jwt(f->c, f->verifier, &f->ear, jwt, sizeof(jwt), &jwt_len, &diag),
		  &diag);
	assert_memory_equal(jwt, "eyJ", 3);
	check_err("verify JWT", TK_OK,
		  tk_ear_verify_jwt(f->c, jwt, jwt_len, keys, 2, cbor, sizeof(cbor), &ear,
				    &index, &diag), &diag);
	assert_int_equal(index, 1);
	assert_int_equal(ear.exp, 1796432400);
	assert_int_equal(ear.cnf_kid.len, 32);
	assert_memory_equal(ear.cnf_kid.ptr, f->agent_kid, 32);
	assert_false(ear.nonce_is_text);

	/* The JSON form carries every claim: both forms encode alike. */
	assert_int_equal(tk_ear_encode(&f->ear, first, sizeof(first), &first_len, NULL), TK_OK);
	assert_int_equal(tk_ear_encode(&ear, again, sizeof(again), &again_len, NULL), TK_OK);
	assert_int_equal(first_len, again_len);
	assert_memory_equal(first, again, first_len);

	tk_diag_clear(&diag);
	check_err("JWT with a wrong key", TK_ERR_SIGNATURE,
		  tk_ear_verify_jwt(f->c, jwt, jwt_len, keys, 1, cbor, sizeof(cbor), &ear,
				    NULL, &diag), &diag);
	ear = f->ear;
	ear.cnf_kid = TK_SPAN_EMPTY;
	ear.cnf_key = tk_span_make(f->agent_cose_key, f->agent_cose_key_len);
	tk_diag_clear(&diag);
	check_err("JWT with a COSE_Key cnf", TK_ERR_UNSUPPORTED,
		  tk_ear_sign_jwt(f->c, f->verifier, &ear, jwt, sizeof(jwt), &jwt_len, &diag),
		  &diag);
	assert_int_equal(jwt_len, 0);
	check_err("JWT of two parts", TK_ERR_SCHEMA_TYPE,
		  tk_ear_verify_jwt(f->c, jwt, (size_t)(strrchr(jwt, '.') - jwt), keys, 2,
				    cbor, sizeof(cbor), &ear, NULL, &diag), &diag);
}

static const char oracle_script[] =
	"import sys, json, base64\n"
	"from cryptography.hazmat.primitives import hashes, serialization\n"
	"from cryptography.hazmat.primitives.asymmetric import ec, utils\n"
	"def b64(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))\n"
	"jwt = open(sys.argv[1]).read()\n"
	"key = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())\n"
	"h, p, s = jwt.split('.')\n"
	"assert json.loads(b64(h))['alg'] == 'ES256'\n"
	"sig = b64(s)\n"
	"r = int.from_bytes(sig[:32], 'big'); t = int.from_bytes(sig[32:], 'big')\n"
	"key.verify(utils.encode_dss_signature(r, t), (h + '.' + p).encode(),\n"
	"           ec.ECDSA(hashes.SHA256()))\n"
	"c = json.loads(b64(p))\n"
	"assert c['eat_profile'] == 'tag:ietf.org,2026:rats/ear#03'\n"
	"assert c['iat'] == 1796428800 and c['exp'] == 1796432400\n"
	"assert c['ear_verifier_id']['build'] == 'teep-verifier 0.1.0'\n"
	"a = c['submods']['teep-agent']\n"
	"assert a['ear_status'] == 'affirming', a\n"
	"assert a['ear_trustworthiness_vector'] == {'executables': 2}\n"
	"assert a['ear_teep_claims']['oemid'] == 64242\n"
	"assert b64(c['eat_nonce']) == bytes(range(0x30, 0x40))\n"
	"assert b64(c['ear_raw_evidence']) == b'evidence'\n"
	"print('oracle ok')\n";

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *file = fopen(path, "wb");

	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, len, file), len);
	assert_int_equal(fclose(file), 0);
}

static void test_python_oracle_verifies_jwt(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/tk-jwt-oracle-XXXXXX";
	char jwt_path[64], pem_path[64], script_path[64], command[512];
	static char jwt[16384];
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t jwt_len = 0, pem_len = 0;
	int status;

	if (system("/usr/bin/python3 -c 'import cryptography' 2>/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(jwt_path, sizeof(jwt_path), "%s/ear.jwt", dir);
	snprintf(pem_path, sizeof(pem_path), "%s/key.pem", dir);
	snprintf(script_path, sizeof(script_path), "%s/oracle.py", dir);
	assert_int_equal(tk_ear_sign_jwt(f->c, f->verifier, &f->ear, jwt, sizeof(jwt),
					 &jwt_len, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_pem(f->verifier, false, pem, sizeof(pem),
						  &pem_len, NULL), TK_OK);
	write_bytes(jwt_path, jwt, jwt_len);
	write_bytes(pem_path, pem, pem_len);
	write_bytes(script_path, oracle_script, strlen(oracle_script));
	snprintf(command, sizeof(command), "/usr/bin/python3 %s %s %s", script_path,
		 jwt_path, pem_path);
	status = system(command);
	unlink(jwt_path);
	unlink(pem_path);
	unlink(script_path);
	rmdir(dir);
	assert_int_equal(status, 0);
}

/*
 * JWS headers and signatures an attacker controls, on the payload of a
 * JWT the verifier signed: every row must fail with its code.
 */
enum jws_sig { SIG_VERIFIER, SIG_OTHER, SIG_EMPTY, SIG_HMAC_PUBLIC, SIG_DER };

static const struct {
	const char *desc;
	const char *header;
	enum jws_sig sig;
	tk_err expected;
} jws_rows[] = {
	{"alg none, no signature", "{\"alg\":\"none\"}", SIG_EMPTY, TK_ERR_ALG_UNSUPPORTED},
	{"HS256 keyed with the public key", "{\"alg\":\"HS256\"}", SIG_HMAC_PUBLIC,
	 TK_ERR_ALG_UNSUPPORTED},
	{"ES384", "{\"alg\":\"ES384\"}", SIG_VERIFIER, TK_ERR_ALG_UNSUPPORTED},
	{"lower-case es256", "{\"alg\":\"es256\"}", SIG_VERIFIER, TK_ERR_ALG_UNSUPPORTED},
	{"no alg", "{\"typ\":\"JWT\"}", SIG_VERIFIER, TK_ERR_ALG_UNSUPPORTED},
	{"alg twice", "{\"alg\":\"ES256\",\"alg\":\"none\"}", SIG_VERIFIER,
	 TK_ERR_SCHEMA_TYPE},
	{"crit", "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", SIG_VERIFIER, TK_ERR_CRIT},
	{"header is an array", "[\"ES256\"]", SIG_VERIFIER, TK_ERR_SCHEMA_TYPE},
	{"signed by another key", "{\"alg\":\"ES256\"}", SIG_OTHER, TK_ERR_SIGNATURE},
	{"embedded jwk of the signer", "{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}",
	 SIG_OTHER, TK_ERR_SIGNATURE},
	{"DER signature", "{\"alg\":\"ES256\"}", SIG_DER, TK_ERR_SIGNATURE},
	{"alg with a line break and an escape",
	 "{\"alg\":\"x\\ndecision: affirming\\u001b[2J\"}", SIG_VERIFIER,
	 TK_ERR_ALG_UNSUPPORTED},
};

/* Base64url of data[0..len) appended at out + *pos. */
static void put_b64(char *out, size_t cap, size_t *pos, const void *data, size_t len)
{
	size_t n = 0;

	assert_int_equal(tk_ear_b64url_encode(data, len, out + *pos, cap - *pos, &n, NULL),
			 TK_OK);
	*pos += n;
}

/* Signature of the row's kind over jwt[0..len). */
static size_t jws_signature(const struct fixture *f, enum jws_sig kind, const char *jwt,
			    size_t len, uint8_t *sig)
{
	struct tk_span part = tk_span_make(jwt, len);
	uint8_t xy[64];
	size_t sig_len = 0;

	switch (kind) {
	case SIG_EMPTY:
		return 0;
	case SIG_HMAC_PUBLIC:
		assert_int_equal(tk_crypto_key_export_public(f->verifier, xy, xy + 32, NULL),
				 TK_OK);
		assert_int_equal(tk_crypto_hmac_sha256(f->c, xy, sizeof(xy), &part, 1, sig, NULL),
				 TK_OK);
		return TK_CRYPTO_HMAC_SHA256_LEN;
	case SIG_OTHER:
		assert_int_equal(tk_crypto_sign(f->other, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part,
						1, sig, &sig_len, NULL), TK_OK);
		return sig_len;
	case SIG_DER:
		/* r and s as a DER SEQUENCE of two 32-byte INTEGERs with a zero pad. */
		assert_int_equal(tk_crypto_sign(f->verifier, TK_CRYPTO_SIG_ECDSA_P256_SHA256,
						&part, 1, xy, &sig_len, NULL), TK_OK);
		memcpy(sig, "\x30\x46\x02\x21\x00", 5);
		memcpy(sig + 5, xy, 32);
		memcpy(sig + 37, "\x02\x21\x00", 3);
		memcpy(sig + 40, xy + 32, 32);
		return 72;
	case SIG_VERIFIER:
		break;
	}
	assert_int_equal(tk_crypto_sign(f->verifier, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1,
					sig, &sig_len, NULL), TK_OK);
	return sig_len;
}

static void test_jws_header_attacks(void **state)
{
	struct fixture *f = *state;
	static char good[8192], jwt[8192];
	static uint8_t cbor[TK_EAR_MAX_SIZE];
	const struct tk_crypto_key *keys[1] = {f->verifier};
	size_t good_len = 0;
	const char *payload, *payload_end;

	assert_int_equal(tk_ear_sign_jwt(f->c, f->verifier, &f->ear, good, sizeof(good),
					 &good_len, NULL), TK_OK);
	payload = memchr(good, '.', good_len);
	assert_non_null(payload);
	payload_end = memchr(payload + 1, '.', good_len - (size_t)(payload + 1 - good));
	assert_non_null(payload_end);

	for (size_t i = 0; i < sizeof(jws_rows) / sizeof(jws_rows[0]); i++) {
		uint8_t sig[80];
		size_t pos = 0, sig_len;
		struct tk_ear ear;
		struct tk_diag diag;

		put_b64(jwt, sizeof(jwt), &pos, jws_rows[i].header, strlen(jws_rows[i].header));
		memcpy(jwt + pos, payload, (size_t)(payload_end - payload));
		pos += (size_t)(payload_end - payload);
		sig_len = jws_signature(f, jws_rows[i].sig, jwt, pos, sig);
		jwt[pos++] = '.';
		put_b64(jwt, sizeof(jwt), &pos, sig, sig_len);
		tk_diag_clear(&diag);
		check_err(jws_rows[i].desc, jws_rows[i].expected,
			  tk_ear_verify_jwt(f->c, jwt, pos, keys, 1, cbor, sizeof(cbor), &ear,
					    NULL, &diag), &diag);
		assert_int_equal(ear.submod_count, 0);

		/* The message is one printable line whatever the header holds. */
		for (const char *ch = diag.msg; *ch != '\0'; ch++) {
			if (*ch < 0x20 || *ch > 0x7e)
				fail_msg("%s: message byte 0x%02x is not printable",
					 jws_rows[i].desc, (unsigned char)*ch);
		}
	}
}

/* Relying-party check rows: one change from a result that passes. */
enum change { NONE, OTHER_NONCE, OTHER_DIGEST, OTHER_KID, WARNING, CONTRA_AND_NONCE,
	      OTHER_VERIFIER, EXPIRED, NO_CNF, AS_JWT, CNF_COSE_KEY, CNF_OTHER_COSE_KEY,
	      OTHER_ENCRYPTION_KID, OTHER_ENCRYPTION_KID_AS_JWT, NO_ENCRYPTION_KID,
	      NO_TEEP_CLAIMS };

static const struct {
	const char *desc;
	enum change change;
	tk_err expected;
	size_t reasons;
} check_rows[] = {
	{"all checks pass", NONE, TK_OK, 0},
	{"all checks pass as a JWT", AS_JWT, TK_OK, 0},
	{"other nonce", OTHER_NONCE, TK_ERR_NONCE, 1},
	{"other TA digest", OTHER_DIGEST, TK_ERR_DIGEST_MISMATCH, 1},
	{"other agent key", OTHER_KID, TK_ERR_UNTRUSTED, 1},
	{"no cnf", NO_CNF, TK_ERR_UNTRUSTED, 1},
	{"cnf with the agent's COSE_Key", CNF_COSE_KEY, TK_OK, 0},
	{"cnf with another COSE_Key", CNF_OTHER_COSE_KEY, TK_ERR_UNTRUSTED, 1},
	{"status warning", WARNING, TK_ERR_POLICY, 1},
	{"contraindicated and other nonce", CONTRA_AND_NONCE, TK_ERR_POLICY, 2},
	{"signed by another verifier", OTHER_VERIFIER, TK_ERR_SIGNATURE, 1},
	{"expired", EXPIRED, TK_ERR_EXPIRED, 1},
	{"other encryption key", OTHER_ENCRYPTION_KID, TK_ERR_UNTRUSTED, 1},
	{"other encryption key as a JWT", OTHER_ENCRYPTION_KID_AS_JWT, TK_ERR_UNTRUSTED, 1},
	{"no teepkit-encryption-kid", NO_ENCRYPTION_KID, TK_ERR_UNTRUSTED, 1},
	{"no TEEP claims at all", NO_TEEP_CLAIMS, TK_ERR_DIGEST_MISMATCH, 2},
};

static void test_check_rows(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		static uint8_t buf[16384];
		uint8_t other[32];
		struct tk_ear ear = f->ear;
		struct tk_ear_expect expect = {
			.verifier_key = f->verifier,
			.nonce = tk_span_make(f->nonce, sizeof(f->nonce)),
			.ta_digest = tk_span_make(f->ta_digest, sizeof(f->ta_digest)),
			.key_thumbprint = tk_span_make(f->agent_kid, sizeof(f->agent_kid)),
			.encryption_kid = tk_span_make(f->encryption_kid,
						       sizeof(f->encryption_kid)),
			.now = 1796430000,
		};
		const struct tk_crypto_key *signer = f->verifier;
		struct tk_ear_decision d;
		struct tk_diag diag;
		size_t len = 0;
		tk_err err;

		memset(other, 0x77, sizeof(other));
		switch (check_rows[i].change) {
		case OTHER_NONCE: expect.nonce = tk_span_make(other, 16); break;
		case OTHER_DIGEST: expect.ta_digest = tk_span_make(other, 32); break;
		case OTHER_KID: expect.key_thumbprint = tk_span_make(other, 32); break;
		case NO_CNF: ear.cnf_kid = TK_SPAN_EMPTY; break;
		case CNF_COSE_KEY:
			ear.cnf_kid = TK_SPAN_EMPTY;
			ear.cnf_key = tk_span_make(f->agent_cose_key, f->agent_cose_key_len);
			break;
		case CNF_OTHER_COSE_KEY:
			ear.cnf_kid = TK_SPAN_EMPTY;
			ear.cnf_key = tk_span_make(f->other_cose_key, f->other_cose_key_len);
			break;
		case WARNING: ear.submods[0].status = TK_EAR_STATUS_WARNING; break;
		case CONTRA_AND_NONCE:
			ear.submods[0].status = TK_EAR_STATUS_CONTRAINDICATED;
			expect.nonce = tk_span_make(other, 16);
			break;
		case OTHER_VERIFIER: signer = f->other; break;
		case EXPIRED: expect.now = 1796432400; break;
		case OTHER_ENCRYPTION_KID:
		case OTHER_ENCRYPTION_KID_AS_JWT:
			expect.encryption_kid = tk_span_make(other, 32);
			break;
		case NO_ENCRYPTION_KID:
			ear.submods[0].teep_claims = tk_span_make(f->teep_plain, f->teep_plain_len);
			break;
		case NO_TEEP_CLAIMS: ear.submods[0].teep_claims = TK_SPAN_EMPTY; break;
		default: break;
		}
		if (check_rows[i].change == AS_JWT ||
		    check_rows[i].change == OTHER_ENCRYPTION_KID_AS_JWT)
			assert_int_equal(tk_ear_sign_jwt(f->c, signer, &ear, (char *)buf,
							 sizeof(buf), &len, NULL), TK_OK);
		else
			assert_int_equal(tk_ear_sign_cwt(f->c, signer, &ear, buf, sizeof(buf),
							 &len, NULL), TK_OK);
		tk_diag_clear(&diag);
		err = tk_ear_check(f->c, buf, len, &expect, &d, &diag);
		check_err(check_rows[i].desc, check_rows[i].expected, err, &diag);
		assert_int_equal(d.affirming, check_rows[i].expected == TK_OK);
		assert_int_equal(d.reason_count, check_rows[i].reasons);
		if (d.reason_count > 0)
			assert_int_equal(d.reasons[0].code, check_rows[i].expected);
	}
}

/* A digest under another algorithm than SHA-256 does not match. */
static void test_check_digest_algorithm(void **state)
{
	struct fixture *f = *state;
	static const uint8_t component_id[] = {0x81, 0x41, 'x'};
	static uint8_t body[128], teep[256], cwt[4096];
	static struct tk_eat_claims claims;
	struct tk_eat_measured_component mc = {
		.component_id = {component_id, sizeof(component_id)},
		.digest_alg = -44, /* SHA-384 in the COSE registry, with 32 bytes here */
		.digest = {f->ta_digest, sizeof(f->ta_digest)},
	};
	struct tk_ear ear = f->ear;
	struct tk_ear_expect expect = {
		.verifier_key = f->verifier,
		.ta_digest = tk_span_make(f->ta_digest, sizeof(f->ta_digest)),
	};
	struct tk_ear_decision d;
	size_t body_len = 0, teep_len = 0, cwt_len = 0;
	struct tk_diag diag;

	assert_int_equal(tk_eat_encode_measured_component(&mc, body, sizeof(body), &body_len,
							  NULL), TK_OK);
	claims.present = TK_EAT_HAS_MEASUREMENTS;
	claims.measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.measurements[0].body = tk_span_make(body, body_len);
	claims.measurement_count = 1;
	assert_int_equal(tk_eat_encode_claims(&claims, teep, sizeof(teep), &teep_len, NULL),
			 TK_OK);
	ear.submods[0].teep_claims = tk_span_make(teep, teep_len);
	assert_int_equal(tk_ear_sign_cwt(f->c, f->verifier, &ear, cwt, sizeof(cwt), &cwt_len,
					 NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("digest under another algorithm", TK_ERR_DIGEST_MISMATCH,
		  tk_ear_check(f->c, cwt, cwt_len, &expect, &d, &diag), &diag);
	assert_int_equal(d.reason_count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veraison_jwt_verifies),
		cmocka_unit_test(test_opa_example_jwk),
		cmocka_unit_test(test_draft_json_examples),
		cmocka_unit_test(test_draft_teep_json_example),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_jwt_round_trip),
		cmocka_unit_test(test_jws_header_attacks),
		cmocka_unit_test(test_python_oracle_verifies_jwt),
		cmocka_unit_test(test_check_rows),
		cmocka_unit_test(test_check_digest_algorithm),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
