/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests of `teep attestation verify`, run as a separate process:
 * the Veraison JWT with its key, results this test signs as CWTs (one that
 * passes every check, one contraindicated with a wrong nonce, one without
 * the TEE's encryption key), altered and wrongly keyed results, and misuse. Each golden file
 * tests/cli/golden/attestation_<case>.txt contains the exit status, stdout and
 * stderr; TK_UPDATE_GOLDEN=1 rewrites them.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eat/tk_ear_json.h"

#define GOLDEN_DIR TK_SOURCE_DIR "/tests/cli/golden"
#define VERAISON_DIR TK_VECTORS_DIR "/eat/veraison-c-ear"

static char temp_dir[] = "/tmp/tk_cli_att_XXXXXX";

struct run {
	int status;
	char out[8192];
	char err[8192];
};

static void read_into(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void write_bytes(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Run teep with argv (NULL-terminated, without argv[0]) in cwd. */
static void run_teep(const char *cwd, const char *const *argv, struct run *r)
{
	char out_path[256], err_path[256];
	const char *args[16] = {TK_TEEP_PROGRAM};
	int wstatus = 0;
	pid_t pid;

	for (size_t i = 0; argv[i] != NULL; i++) {
		assert_true(i + 2 < 16);
		args[i + 1] = argv[i];
	}
	snprintf(out_path, sizeof(out_path), "%s/run.stdout", temp_dir);
	snprintf(err_path, sizeof(err_path), "%s/run.stderr", temp_dir);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0 || err < 0 || chdir(cwd) != 0)
			_exit(127);
		dup2(in, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execv(TK_TEEP_PROGRAM, (char *const *)args);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	read_into(out_path, r->out, sizeof(r->out));
	read_into(err_path, r->err, sizeof(r->err));
}

static void check_golden(const char *name, const struct run *r)
{
	static char actual[20000], expected[20000];
	char path[512];
	const char *update = getenv("TK_UPDATE_GOLDEN");
	FILE *f;

	snprintf(actual, sizeof(actual), "exit: %d\n--- stdout\n%s--- stderr\n%s", r->status,
		 r->out, r->err);
	snprintf(path, sizeof(path), "%s/attestation_%s.txt", GOLDEN_DIR, name);
	if (update != NULL && strcmp(update, "1") == 0) {
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs(actual, f);
		fclose(f);
	}
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: golden file %s is missing", name, path);
	expected[fread(expected, 1, sizeof(expected) - 1, f)] = '\0';
	fclose(f);
	if (strcmp(expected, actual) != 0)
		fail_msg("%s: output differs from %s\n--- expected\n%s--- actual\n%s", name,
			 path, expected, actual);
}

/* Keys and results written to the temporary folder by setup. */
static const uint8_t nonce[16] = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
				  0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f};
#define NONCE_HEX "303132333435363738393a3b3c3d3e3f"
#define TA_DIGEST_HEX "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"

static void write_key(const struct tk_crypto_key *key, const char *name)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;

	assert_int_equal(tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &len, NULL),
			 TK_OK);
	write_bytes(name, pem, len);
}

/*
 * TEEP claims listing one measured TA whose digest is TA_DIGEST_HEX and,
 * unless enc_kid is NULL, the TEE encryption key thumbprint enc_kid.
 */
static size_t make_teep_claims(const uint8_t *enc_kid, uint8_t *out, size_t cap)
{
	static const uint8_t component_id[] = {0x81, 0x43, 't', 'a', '1'};
	static const uint8_t ueid[17] = {0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static uint8_t digest[32], body[128];
	static struct tk_eat_claims claims;
	struct tk_eat_measured_component mc = {
		.component_id = {component_id, sizeof(component_id)},
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = {digest, sizeof(digest)},
	};
	size_t body_len = 0, len = 0;

	memset(digest, 0xd1, sizeof(digest));
	assert_int_equal(tk_eat_encode_measured_component(&mc, body, sizeof(body), &body_len,
							  NULL), TK_OK);
	memset(&claims, 0, sizeof(claims));
	claims.present = TK_EAT_HAS_UEID | TK_EAT_HAS_MEASUREMENTS;
	claims.ueid = tk_span_make(ueid, sizeof(ueid));
	claims.measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.measurements[0].body = tk_span_make(body, body_len);
	claims.measurement_count = 1;
	if (enc_kid != NULL) {
		claims.present |= TK_EAT_HAS_ENCRYPTION_KID;
		claims.encryption_kid = tk_span_make(enc_kid, 32);
	}
	assert_int_equal(tk_eat_encode_claims(&claims, out, cap, &len, NULL), TK_OK);
	return len;
}

static void sign_result(const struct tk_crypto_key *verifier, const uint8_t kid[32],
			const uint8_t *enc_kid, int64_t status, const char *name)
{
	static uint8_t teep[256], cwt[4096];
	struct tk_ear ear = {0};
	size_t len = 0;

	ear.iat = 1796428800;
	ear.verifier_developer = tk_span_make("https://teepkit.example", 23);
	ear.verifier_build = tk_span_make("teep-verifier 0.1.0", 19);
	ear.nonce = tk_span_make(nonce, sizeof(nonce));
	ear.cnf_kid = tk_span_make(kid, 32);
	ear.submod_count = 1;
	ear.submods[0].name = tk_span_make("teep-agent", 10);
	ear.submods[0].status = status;
	ear.submods[0].teep_claims = tk_span_make(teep, make_teep_claims(enc_kid, teep,
									sizeof(teep)));
	assert_int_equal(tk_ear_sign_cwt(tk_crypto_openssl(), verifier, &ear, cwt, sizeof(cwt),
					 &len, NULL), TK_OK);
	write_bytes(name, cwt, len);
}

static int setup(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_key *verifier = NULL, *agent = NULL, *other = NULL, *enc = NULL;
	uint8_t kid[32], enc_kid[32];

	(void)state;
	if (mkdtemp(temp_dir) == NULL ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &verifier, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &agent, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &other, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &enc, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(c, agent, kid, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(c, enc, enc_kid, NULL) != TK_OK)
		return -1;
	write_key(verifier, "verifier.pem");
	write_key(agent, "agent.pem");
	write_key(other, "other.pem");
	write_key(enc, "encryption.pem");
	sign_result(verifier, kid, enc_kid, TK_EAR_STATUS_AFFIRMING, "good.ear");
	sign_result(verifier, kid, enc_kid, TK_EAR_STATUS_CONTRAINDICATED, "bad.ear");
	sign_result(verifier, kid, NULL, TK_EAR_STATUS_AFFIRMING, "no_enc_kid.ear");
	tk_crypto_key_free(enc);
	tk_crypto_key_free(verifier);
	tk_crypto_key_free(agent);
	tk_crypto_key_free(other);
	return 0;
}

static int teardown(void **state)
{
	const char *files[] = {"verifier.pem", "agent.pem", "other.pem", "encryption.pem",
			       "good.ear", "bad.ear", "no_enc_kid.ear", "altered.jwt", "alg_line_break.jwt", "run.stdout",
			       "run.stderr"};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", temp_dir, files[i]);
		unlink(path);
	}
	rmdir(temp_dir);
	return 0;
}

/* One case: where it runs (vectors or the temporary folder) and its arguments. */
struct golden_case {
	const char *name;
	bool in_vectors;
	const char *argv[14];
};

static const struct golden_case cases[] = {
	{"veraison_jwt", true,
	 {"attestation", "verify", "--verifier-key", "pkey.pem", "ear.jwt", NULL}},
	{"veraison_jwt_nonce", true,
	 {"attestation", "verify", "--verifier-key", "pkey.pem", "--nonce", NONCE_HEX,
	  "ear.jwt", NULL}},
	{"veraison_jwt_wrong_key", true,
	 {"attestation", "verify", "--verifier-key", "../swtpm-quote/ak.pub.pem", "ear.jwt",
	  NULL}},
	{"cwt_all_checks", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--nonce", NONCE_HEX,
	  "--ta-digest", TA_DIGEST_HEX, "--key", "agent.pem", "good.ear", NULL}},
	{"cwt_wrong_agent", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--key", "other.pem",
	  "good.ear", NULL}},
	{"cwt_contraindicated", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--nonce",
	  "0000000000000000", "--ta-digest", TA_DIGEST_HEX, "bad.ear", NULL}},
	{"cwt_encryption_key", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--key", "agent.pem",
	  "--encryption-key", "encryption.pem", "good.ear", NULL}},
	{"cwt_wrong_encryption_key", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--encryption-key",
	  "other.pem", "good.ear", NULL}},
	{"cwt_no_encryption_kid", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--encryption-key",
	  "encryption.pem", "no_enc_kid.ear", NULL}},
	{"encryption_key_missing_file", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--encryption-key",
	  "absent.pem", "good.ear", NULL}},
	{"cwt_other_verifier", false,
	 {"attestation", "verify", "--verifier-key", "other.pem", "good.ear", NULL}},
	{"altered_jwt", false,
	 {"attestation", "verify", "--verifier-key", VERAISON_DIR "/pkey.pem", "altered.jwt",
	  NULL}},
	{"missing_file", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "absent.ear", NULL}},
	{"kid_and_key", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--kid", "00ff",
	  "--key", "agent.pem", "good.ear", NULL}},
	{"bad_nonce_hex", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--nonce", "0g",
	  "good.ear", NULL}},
	{"bad_ta_digest_hex", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "--ta-digest", "00ff",
	  "good.ear", NULL}},
	{"no_operand", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", NULL}},
	{"jwt_alg_line_break", false,
	 {"attestation", "verify", "--verifier-key", "verifier.pem", "alg_line_break.jwt",
	  NULL}},
};

/*
 * An unsigned JWT whose header is {"alg":"x\ndecision: affirming\u001b[2K"}:
 * the output must stay one line per reason with no escape byte.
 */
static const char alg_line_break_jwt[] =
	"eyJhbGciOiJ4XG5kZWNpc2lvbjogYWZmaXJtaW5nXHUwMDFiWzJLIn0.e30.AAAA";

static void test_golden_cases(void **state)
{
	char jwt[2048];
	FILE *f = fopen(VERAISON_DIR "/ear.jwt", "rb");
	size_t len;

	(void)state;
	assert_non_null(f);
	len = fread(jwt, 1, sizeof(jwt), f);
	fclose(f);
	jwt[100] = jwt[100] == 'A' ? 'B' : 'A';
	write_bytes("altered.jwt", jwt, len);
	write_bytes("alg_line_break.jwt", alg_line_break_jwt, strlen(alg_line_break_jwt));

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct run r;

		run_teep(cases[i].in_vectors ? VERAISON_DIR : temp_dir, cases[i].argv, &r);
		check_golden(cases[i].name, &r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_cases),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
