/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the JSON manifest description and the general SUIT builder.
 * Each fixture in tests/suit/manifests/ is built, and its manifest (envelope
 * key 3), severed members and integrated payloads are compared byte for
 * byte with the published example it describes. The built envelope is
 * authenticated with the example key by our decoder and checked by an
 * independent Python oracle (tests/suit/check_manifest.py). Then several
 * signers with kids, and a table of invalid descriptions, each with the
 * error it must fail with.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli_desc.h"
#include "cli/tk_cli.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"

#define FIXTURES TK_SOURCE_DIR "/tests/suit/manifests"
#define ORACLE TK_SOURCE_DIR "/tests/suit/check_manifest.py"
#define EXAMPLE_KEY TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem"

/* Private key d of the TEEP draft's personalization recipient, printed in
 * the draft's appendix with the example. */
#define RECIPIENT_D "60FE6DD6D85D5740A5349B6F91267EEAC5BA81B8CB53EE249E4B4EB102C476B3"

/* A test KEK of 16 bytes. */
#define KEK_HEX "000102030405060708090a0b0c0d0e0f"

/* Largest envelope of the fixtures, with room. */
#define ENVELOPE_MAX (64 * 1024)

/* One fixture and the published envelope it reproduces. */
struct fixture {
	const char *json;    /* file in FIXTURES */
	const char *vector;  /* file under TK_VECTORS_DIR */
	bool annotated_hex;  /* the vector is the TEEP draft's annotated hex;
				otherwise the last ~~~ hex block of a
				manifest-spec example */
};

static const struct fixture fixtures[] = {
	{"example0.json", "suit/manifest-spec/example0.txt", false},
	{"example1.json", "suit/manifest-spec/example1.txt", false},
	{"example2.json", "suit/manifest-spec/example2.txt", false},
	{"example3.json", "suit/manifest-spec/example3.txt", false},
	{"example4.json", "suit/manifest-spec/example4.txt", false},
	{"example5.json", "suit/manifest-spec/example5.txt", false},
	{"suit_uri.json", "teep/suit_uri.hex.txt", true},
	{"suit_integrated.json", "teep/suit_integrated.hex.txt", true},
	{"suit_personalization.json", "teep/suit_personalization.hex.txt", true},
};

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)len + 1);
		if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* The envelope of a vector file, decoded from its hex. */
static size_t read_vector(const struct fixture *fx, uint8_t *out, size_t cap)
{
	char path[512];
	char *text, *start;
	size_t len = 0;
	struct tk_diag diag;

	snprintf(path, sizeof(path), "%s/%s", TK_VECTORS_DIR, fx->vector);
	text = read_text(path);
	assert_non_null(text);
	start = text;
	if (!fx->annotated_hex) {
		/* The signed envelope is the last run of hex lines right after
		 * a "~~~" fence line. */
		char *block = NULL, *block_end = NULL, *line = text;
		bool after_fence = false;

		while (*line != '\0') {
			char *eol = strchr(line, '\n');
			size_t n = eol != NULL ? (size_t)(eol - line) : strlen(line);
			bool hex = n > 0 && strspn(line, "0123456789abcdef") == n;

			if (after_fence && hex) {
				block = line;
				while (*line != '\0' && strspn(line, "0123456789abcdef") ==
							       strcspn(line, "\n") &&
				       *line != '\n')
					line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0);
				block_end = line;
				after_fence = false;
				continue;
			}
			after_fence = n == 3 && strncmp(line, "~~~", 3) == 0;
			line += n + (eol != NULL);
		}
		assert_non_null(block);
		*block_end = '\0';
		start = block;
	}
	tk_diag_clear(&diag);
	assert_int_equal(tk_cli_hex_decode(start, strlen(start), out, cap, &len, &diag), TK_OK);
	free(text);
	return len;
}

static struct tk_crypto_key *load_key(const char *path)
{
	struct tk_crypto_key *key = NULL;
	char *pem = read_text(path);
	struct tk_diag diag;

	assert_non_null(pem);
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem,
						  strlen(pem), &key, &diag),
			 TK_OK);
	free(pem);
	return key;
}

/* Build the description at path with the keys given; returns the length. */
static size_t build_file(const char *path, struct tk_crypto_key *const *keys, size_t n_keys,
			 uint8_t *out, size_t cap)
{
	struct tk_suit_build_signer signers[TK_SUIT_BUILD_MAX_SIGNERS];
	struct tk_cli_desc d;
	struct tk_diag diag;
	size_t len = 0;
	tk_err err;

	tk_diag_clear(&diag);
	err = tk_cli_desc_load(path, &d, &diag);
	if (err != TK_OK)
		print_error("%s: %s\n", path, diag.msg);
	assert_int_equal(err, TK_OK);
	memset(signers, 0, sizeof(signers));
	for (size_t i = 0; i < n_keys; i++) {
		signers[i].key = keys[i];
		signers[i].alg = i < d.signer_count ? d.signers[i].alg : 0;
		signers[i].kid = i < d.signer_count ? d.signers[i].kid : tk_span_make(NULL, 0);
	}
	d.desc.signers = signers;
	d.desc.signer_count = n_keys;
	err = tk_suit_build(&d.desc, tk_crypto_openssl(), out, cap, &len, &diag);
	if (err != TK_OK)
		print_error("%s: build: %s\n", path, diag.msg);
	assert_int_equal(err, TK_OK);
	tk_cli_desc_free(&d);
	return len;
}

static void assert_span_equal(const char *what, const char *name, struct tk_span a,
			      struct tk_span b)
{
	/* memcmp() takes no NULL, even for length 0 (absent members). */
	if (a.len != b.len || (a.len > 0 && memcmp(a.ptr, b.ptr, a.len) != 0)) {
		print_error("%s: %s differs (%zu bytes built, %zu in the vector)\n", name, what,
			    a.len, b.len);
		fail();
	}
}

/* Run the Python oracle on an envelope written to a temporary file. */
static void run_oracle(const char *name, const uint8_t *env, size_t len, const char *keys)
{
	char path[] = "/tmp/tk_manifest_build_XXXXXX";
	char cmd[1024];
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, env, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %s", ORACLE, path, keys);
	rc = system(cmd);
	unlink(path);
	if (rc != 0)
		print_error("%s: the Python oracle rejected the envelope\n", name);
	assert_int_equal(rc, 0);
}

static void test_fixtures_reproduce_examples(void **state)
{
	static uint8_t built[ENVELOPE_MAX], vector[ENVELOPE_MAX];
	struct tk_crypto_key *key = load_key(EXAMPLE_KEY);
	const struct tk_crypto_key *trusted[1] = {key};

	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *fx = &fixtures[i];
		struct tk_suit_envelope ours, theirs;
		struct tk_suit_manifest m;
		struct tk_diag diag;
		char path[512];
		size_t built_len, vector_len;

		snprintf(path, sizeof(path), "%s/%s", FIXTURES, fx->json);
		built_len = build_file(path, &key, 1, built, sizeof(built));
		vector_len = read_vector(fx, vector, sizeof(vector));
		tk_diag_clear(&diag);
		assert_int_equal(tk_suit_decode_envelope(built, built_len, &ours, &diag), TK_OK);
		assert_int_equal(tk_suit_decode_envelope(vector, vector_len, &theirs, &diag),
				 TK_OK);

		/* Only the signatures may differ. */
		assert_int_equal(ours.tagged, theirs.tagged);
		assert_span_equal("manifest (key 3)", fx->json, ours.manifest_bstr,
				  theirs.manifest_bstr);
		assert_span_equal("severed install", fx->json, ours.severed_install,
				  theirs.severed_install);
		assert_span_equal("severed text", fx->json, ours.severed_text,
				  theirs.severed_text);
		assert_int_equal(ours.integrated_count, theirs.integrated_count);
		for (size_t j = 0; j < ours.integrated_count; j++) {
			assert_span_equal("integrated name", fx->json, ours.integrated[j].name,
					  theirs.integrated[j].name);
			assert_span_equal("integrated payload", fx->json,
					  ours.integrated[j].payload, theirs.integrated[j].payload);
		}

		/* Our decoder authenticates it with the example key. */
		tk_diag_clear(&diag);
		if (tk_suit_authenticate(&ours, tk_crypto_openssl(), trusted, 1, &m, &diag) !=
		    TK_OK)
			print_error("%s: authenticate: %s\n", fx->json, diag.msg);
		assert_int_equal(diag.code, TK_OK);
		run_oracle(fx->json, built, built_len, EXAMPLE_KEY);
	}
	tk_crypto_key_free(key);
}

/* Three signers (ES256, ESP256 with a kid, Ed25519 with its thumbprint):
 * each key alone authenticates the envelope. */
static void test_several_signers(void **state)
{
	static uint8_t built[ENVELOPE_MAX];
	struct tk_crypto_key *keys[3] = {NULL, NULL, NULL};
	struct tk_suit_build_signer signers[3];
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	struct tk_cli_desc d;
	struct tk_diag diag;
	uint8_t thumbprint[TK_CRYPTO_SHA256_LEN];
	size_t len = 0;

	(void)state;
	tk_diag_clear(&diag);
	keys[0] = load_key(EXAMPLE_KEY);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &keys[1],
						&diag), TK_OK);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519,
						&keys[2], &diag), TK_OK);
	assert_int_equal(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), keys[2], thumbprint,
						       &diag), TK_OK);
	assert_int_equal(tk_cli_desc_load(FIXTURES "/suit_uri.json", &d, &diag), TK_OK);
	memset(signers, 0, sizeof(signers));
	signers[0] = (struct tk_suit_build_signer){keys[0], TK_COSE_ALG_ES256, {NULL, 0}};
	signers[1] = (struct tk_suit_build_signer){keys[1], 0, tk_span_make("signer-2", 8)};
	signers[2] = (struct tk_suit_build_signer){keys[2], 0,
						   tk_span_make(thumbprint, sizeof(thumbprint))};
	d.desc.signers = signers;
	d.desc.signer_count = 3;
	assert_int_equal(tk_suit_build(&d.desc, tk_crypto_openssl(), built, sizeof(built), &len,
				       &diag), TK_OK);
	assert_int_equal(tk_suit_decode_envelope(built, len, &env, &diag), TK_OK);
	for (size_t i = 0; i < 3; i++) {
		const struct tk_crypto_key *trusted[1] = {keys[i]};

		tk_diag_clear(&diag);
		assert_int_equal(tk_suit_authenticate(&env, tk_crypto_openssl(), trusted, 1, &m,
						      &diag), TK_OK);
		assert_int_equal(m.sequence_number, 3);
	}
	tk_cli_desc_free(&d);
	for (size_t i = 0; i < 3; i++)
		tk_crypto_key_free(keys[i]);
}

/*
 * The corrected personalization manifest encrypts config.json for the TEEP
 * draft's recipient key: the envelope authenticates, does not contain the
 * plaintext, and an independent Python decryption with the recipient's
 * private key (printed in the draft) gives config.json back.
 */
static void test_encrypted_personalization(void **state)
{
	static uint8_t built[ENVELOPE_MAX];
	static const char plaintext[] = "\"secret\":\"0123456789abfcdef0123456789abcd\"";
	struct tk_crypto_key *key = load_key(EXAMPLE_KEY);
	const struct tk_crypto_key *trusted[1] = {key};
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	struct tk_diag diag;
	char path[] = "/tmp/tk_manifest_pd_XXXXXX";
	char cmd[1024];
	size_t len;
	int fd;

	(void)state;
	len = build_file(FIXTURES "/suit_personalization_encrypted.json", &key, 1, built,
			 sizeof(built));
	tk_diag_clear(&diag);
	assert_int_equal(tk_suit_decode_envelope(built, len, &env, &diag), TK_OK);
	assert_int_equal(tk_suit_authenticate(&env, tk_crypto_openssl(), trusted, 1, &m, &diag),
			 TK_OK);
	assert_null(memmem(built, len, plaintext, strlen(plaintext)));
	run_oracle("suit_personalization_encrypted.json", built, len, EXAMPLE_KEY);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, built, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/suit/check_decrypt.py %s %s %s",
		 TK_SOURCE_DIR, path, RECIPIENT_D, FIXTURES "/config.json");
	assert_int_equal(system(cmd), 0);
	unlink(path);
	tk_crypto_key_free(key);
}

/* A payload encrypted for a KEK (A128KW): the Python oracle unwraps the
 * content key with the KEK and decrypts config.json back. */
static void test_kek_encrypted_payload(void **state)
{
	static const char desc[] =
		"{\"manifest-sequence-number\": 1, \"components\": [[\"00\"]],"
		" \"encrypted\": {\"pd\": {\"plaintext\": {\"file\": \"config.json\"},"
		"   \"content-alg\": \"A128CTR\", \"recipient\": {\"alg\": \"A128KW\","
		"   \"kek\": \"" KEK_HEX "\", \"kid\": {\"text\": \"kid-1\"}}}},"
		" \"install\": [{\"directive-override-parameters\": {"
		"   \"content\": {\"ciphertext\": \"pd\"},"
		"   \"encryption-info\": {\"encryption-info\": \"pd\"}}},"
		"   {\"directive-write\": 15}]}";
	static uint8_t built[ENVELOPE_MAX];
	struct tk_crypto_key *key = load_key(EXAMPLE_KEY);
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_cli_desc d;
	struct tk_diag diag;
	char path[] = "/tmp/tk_manifest_kek_XXXXXX";
	char cmd[1024];
	size_t len = 0;
	int fd;

	(void)state;
	tk_diag_clear(&diag);
	assert_int_equal(tk_cli_desc_load_buffer(desc, strlen(desc), FIXTURES, &d, &diag), TK_OK);
	d.desc.signers = &signer;
	d.desc.signer_count = 1;
	assert_int_equal(tk_suit_build(&d.desc, tk_crypto_openssl(), built, sizeof(built), &len,
				       &diag), TK_OK);
	tk_cli_desc_free(&d);
	assert_null(memmem(built, len, "secret", 6));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, built, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/suit/check_decrypt.py %s %s %s",
		 TK_SOURCE_DIR, path, KEK_HEX, FIXTURES "/config.json");
	assert_int_equal(system(cmd), 0);
	unlink(path);
	tk_crypto_key_free(key);
}

/* One invalid description and the error loading or building must give. */
struct bad_desc {
	const char *description;
	const char *json;
	tk_err load;   /* expected from tk_cli_desc_load() */
	tk_err build;  /* expected from tk_suit_build() when load succeeds */
};

#define MINIMAL_HEAD "{\"manifest-sequence-number\": 1, \"components\": [[\"00\"]], "

static const struct bad_desc bad_descs[] = {
	{"not JSON", "{", TK_ERR_ARG, TK_OK},
	{"unknown member", MINIMAL_HEAD "\"instal\": [{\"directive-fetch\": 2}]}", TK_ERR_ARG,
	 TK_OK},
	{"missing sequence number", "{\"components\": [[\"00\"]]}", TK_ERR_ARG, TK_OK},
	{"no components", "{\"manifest-sequence-number\": 1, \"components\": []}", TK_ERR_ARG,
	 TK_OK},
	{"component id not hex", "{\"manifest-sequence-number\": 1, \"components\": [[\"0g\"]]}",
	 TK_ERR_ARG, TK_OK},
	{"unknown command", MINIMAL_HEAD "\"install\": [{\"directive-fetchh\": 2}]}", TK_ERR_ARG,
	 TK_OK},
	{"unknown parameter",
	 MINIMAL_HEAD "\"install\": [{\"directive-override-parameters\": {\"urx\": \"a\"}}]}",
	 TK_ERR_ARG, TK_OK},
	{"empty parameters", MINIMAL_HEAD "\"install\": [{\"directive-set-parameters\": {}}]}",
	 TK_ERR_ARG, TK_OK},
	{"unknown policy bit", MINIMAL_HEAD "\"install\": [{\"directive-fetch\": [\"loud\"]}]}",
	 TK_ERR_ARG, TK_OK},
	{"empty section", MINIMAL_HEAD "\"validate\": []}", TK_ERR_ARG, TK_OK},
	{"severed section that is not severable",
	 MINIMAL_HEAD "\"validate\": [{\"condition-image-match\": 15}], \"severed\": "
		      "[\"validate\"]}", TK_OK, TK_ERR_ARG},
	{"severed name unknown",
	 MINIMAL_HEAD "\"severed\": [\"installation\"]}", TK_ERR_ARG, TK_OK},
	{"try-each with one sequence",
	 MINIMAL_HEAD "\"install\": [{\"directive-try-each\": [[{\"directive-fetch\": 2}]]}]}",
	 TK_OK, TK_ERR_ARG},
	{"sequences nested too deep",
	 MINIMAL_HEAD "\"install\": [{\"directive-run-sequence\": [{\"directive-run-sequence\": "
		      "[{\"directive-run-sequence\": [{\"directive-run-sequence\": "
		      "[{\"directive-run-sequence\": [{\"directive-fetch\": 2}]}]}]}]}]}]}",
	 TK_ERR_LIMIT_DEPTH, TK_OK},
	{"dependency index out of range",
	 MINIMAL_HEAD "\"dependencies\": [{\"component-index\": 2}]}", TK_OK, TK_ERR_ARG},
	{"dependency index twice",
	 MINIMAL_HEAD "\"dependencies\": [{\"component-index\": 1}, {\"component-index\": 1}]}",
	 TK_OK, TK_ERR_ARG},
	{"five dependencies, the decoder takes four",
	 "{\"manifest-sequence-number\": 1, \"components\": [[\"00\"], [\"01\"], [\"02\"], "
	 "[\"03\"], [\"04\"], [\"05\"]], \"dependencies\": [{\"component-index\": 1}, "
	 "{\"component-index\": 2}, {\"component-index\": 3}, {\"component-index\": 4}, "
	 "{\"component-index\": 5}]}", TK_OK, TK_ERR_LIMIT_COUNT},
	{"integrated payload unknown",
	 MINIMAL_HEAD "\"install\": [{\"directive-override-parameters\": {\"image-size\": "
		      "{\"integrated\": \"#nope\"}}}]}", TK_ERR_ARG, TK_OK},
	{"payload file missing",
	 MINIMAL_HEAD "\"integrated\": {\"#tc\": {\"file\": \"no-such-file\"}}}",
	 TK_ERR_NOT_FOUND, TK_OK},
	{"bad UUID",
	 MINIMAL_HEAD "\"shared-sequence\": [{\"directive-override-parameters\": "
		      "{\"vendor-identifier\": \"fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffeXX\"}}]}",
	 TK_ERR_ARG, TK_OK},
	{"signer alg unknown", MINIMAL_HEAD "\"signers\": [{\"alg\": \"RS256\"}]}", TK_ERR_ARG,
	 TK_OK},
	{"manifest version 2", MINIMAL_HEAD "\"manifest-version\": 2}", TK_OK, TK_ERR_ARG},
	{"unknown text key",
	 MINIMAL_HEAD "\"text\": {\"en\": {\"manifest-summary\": \"x\"}}}", TK_ERR_ARG, TK_OK},
	{"encrypted payload with an unknown content alg",
	 MINIMAL_HEAD "\"encrypted\": {\"x\": {\"plaintext\": \"00\", \"content-alg\": "
		      "\"DES\", \"recipient\": {}}}}", TK_ERR_ARG, TK_OK},
	{"encrypted payload with a short KEK",
	 MINIMAL_HEAD "\"encrypted\": {\"x\": {\"plaintext\": \"00\", \"content-alg\": "
		      "\"A128CTR\", \"recipient\": {\"alg\": \"A128KW\", \"kek\": \"0011\"}}}}",
	 TK_ERR_KEY, TK_OK},
	{"ciphertext of an unknown payload",
	 MINIMAL_HEAD "\"install\": [{\"directive-override-parameters\": "
		      "{\"content\": {\"ciphertext\": \"nope\"}}}]}", TK_ERR_ARG, TK_OK},
	{"dependency digest of bytes that are no envelope",
	 MINIMAL_HEAD "\"install\": [{\"directive-override-parameters\": "
		      "{\"image-digest\": {\"dependency\": \"a0\"}}}]}", TK_ERR_ARG, TK_OK},
	{"raw CBOR not one item",
	 MINIMAL_HEAD "\"install\": [{\"directive-override-parameters\": "
		      "{\"encryption-info\": {\"cbor\": \"0101\"}}}]}", TK_ERR_ARG, TK_OK},
};

static void test_invalid_descriptions(void **state)
{
	struct tk_crypto_key *key = load_key(EXAMPLE_KEY);
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad_descs) / sizeof(bad_descs[0]); i++) {
		const struct bad_desc *row = &bad_descs[i];
		char path[] = "/tmp/tk_desc_XXXXXX";
		int fd = mkstemp(path);
		struct tk_cli_desc d;
		struct tk_diag diag;
		size_t len = 0;
		tk_err err;

		assert_true(fd >= 0);
		assert_int_equal(write(fd, row->json, strlen(row->json)),
				 (ssize_t)strlen(row->json));
		close(fd);
		tk_diag_clear(&diag);
		err = tk_cli_desc_load(path, &d, &diag);
		unlink(path);
		if (err == TK_OK) {
			d.desc.signers = &signer;
			d.desc.signer_count = 1;
			err = tk_suit_build(&d.desc, tk_crypto_openssl(), NULL, 0, &len, &diag);
			tk_cli_desc_free(&d);
			if (err != row->build || row->load != TK_OK)
				print_error("%s: build %s, expected %s: %s\n", row->description,
					    tk_err_name(err), tk_err_name(row->build), diag.msg);
			assert_int_equal(row->load, TK_OK);
			assert_int_equal(err, row->build);
		} else if (err != row->load) {
			print_error("%s: load %s, expected %s: %s\n", row->description,
				    tk_err_name(err), tk_err_name(row->load), diag.msg);
			fail();
		}
	}
	tk_crypto_key_free(key);
}

/* A payload past TK_CLI_MAX_FILE_SIZE, written in a temporary folder. */
#define LARGE_SIZE (70u * 1024u * 1024u)

/* A description with one component whose image digest and size come from
 * ta.bin: by URI (bytes not embedded), or as an integrated payload. */
#define LARGE_URI_DESC "{\"manifest-sequence-number\": 1, \"components\": [[\"00\"]],"     \
	"\"install\": [{\"directive-override-parameters\": {"                               \
	"\"image-digest\": {\"file\": \"ta.bin\"}, \"image-size\": {\"file\": \"ta.bin\"}," \
	"\"uri\": \"https://example.org/ta.bin\"}}, {\"directive-fetch\": 15},"              \
	"{\"condition-image-match\": 15}]}"
#define LARGE_INTEGRATED_DESC "{\"manifest-sequence-number\": 1, \"components\": [[\"00\"]]," \
	"\"integrated\": {\"#ta\": {\"file\": \"ta.bin\"}},"                                   \
	"\"install\": [{\"directive-override-parameters\": {\"uri\": \"#ta\"}},"              \
	"{\"directive-fetch\": 15}]}"

static void write_whole(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Write LARGE_SIZE bytes of a counter pattern to dir/ta.bin; its SHA-256
 * into digest, computed in one call over the whole buffer. */
static void write_large_payload(const char *dir, uint8_t digest[TK_CRYPTO_SHA256_LEN])
{
	uint8_t *data = malloc(LARGE_SIZE);
	char path[256];
	struct tk_diag diag;

	assert_non_null(data);
	for (size_t i = 0; i < LARGE_SIZE; i++)
		data[i] = (uint8_t)((i * 2654435761u) >> 13);
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), data, LARGE_SIZE, digest, &diag),
			 TK_OK);
	snprintf(path, sizeof(path), "%s/ta.bin", dir);
	write_whole(path, data, LARGE_SIZE);
	free(data);
}

/*
 * A 70 MiB payload fetched by URI is described: the manifest holds its
 * SHA-256 (hashed in chunks by the CLI, compared with a one-shot hash) and
 * its size. The same file as an integrated payload is embedded, so it
 * fails with TK_ERR_LIMIT_SIZE and a message naming the file.
 */
static void test_large_payload_by_uri(void **state)
{
	static uint8_t built[ENVELOPE_MAX];
	static const uint8_t size_cbor[] = {0x0e, 0x1a, 0x04, 0x60, 0x00, 0x00};
	char dir[] = "/tmp/tk_large_XXXXXX";
	char desc_path[256], payload_path[256];
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_crypto_key *key = load_key(EXAMPLE_KEY);
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_cli_desc d;
	struct tk_diag diag;
	size_t len = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_large_payload(dir, digest);
	snprintf(desc_path, sizeof(desc_path), "%s/desc.json", dir);
	snprintf(payload_path, sizeof(payload_path), "%s/ta.bin", dir);
	write_whole(desc_path, LARGE_URI_DESC, strlen(LARGE_URI_DESC));
	tk_diag_clear(&diag);
	assert_int_equal(tk_cli_desc_load(desc_path, &d, &diag), TK_OK);
	d.desc.signers = &signer;
	d.desc.signer_count = 1;
	assert_int_equal(tk_suit_build(&d.desc, tk_crypto_openssl(), built, sizeof(built), &len,
				       &diag), TK_OK);
	tk_cli_desc_free(&d);
	assert_true(len < 4096);
	assert_non_null(memmem(built, len, digest, sizeof(digest)));
	/* suit-parameter-image-size (14): 73400320 as a 4-byte uint. */
	assert_non_null(memmem(built, len, size_cbor, sizeof(size_cbor)));

	write_whole(desc_path, LARGE_INTEGRATED_DESC, strlen(LARGE_INTEGRATED_DESC));
	tk_diag_clear(&diag);
	assert_int_equal(tk_cli_desc_load(desc_path, &d, &diag), TK_ERR_LIMIT_SIZE);
	assert_non_null(strstr(diag.msg, payload_path));
	assert_non_null(strstr(diag.msg, "67108864"));
	assert_int_equal(unlink(payload_path), 0);
	assert_int_equal(unlink(desc_path), 0);
	assert_int_equal(rmdir(dir), 0);
	tk_crypto_key_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_reproduce_examples),
		cmocka_unit_test(test_several_signers),
		cmocka_unit_test(test_encrypted_personalization),
		cmocka_unit_test(test_kek_encrypted_payload),
		cmocka_unit_test(test_invalid_descriptions),
		cmocka_unit_test(test_large_payload_by_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
