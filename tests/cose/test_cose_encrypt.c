/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of COSE_Encrypt0 and COSE_Encrypt: the COSE WG examples for
 * AES-GCM, ChaCha20-Poly1305, direct, AES key wrap and ECDH-ES + key wrap
 * recipients (with their expected failures), and round trips for every
 * content algorithm and recipient kind with tampered rows. An independent
 * oracle (/usr/bin/python3 with cbor2 and cryptography) decrypts what we
 * encrypt and encrypts what we decrypt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <inttypes.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/tk_err.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"

/* Largest message or plaintext in these tests. */
#define MSG_MAX 2048

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

/* Decode base64url without padding (the example keys' encoding). */
static size_t from_b64url(const char *text, uint8_t *out, size_t cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	for (const char *p = text; *p != '\0'; p++) {
		const char *pos = strchr(alphabet, *p);

		assert_non_null(pos);
		acc = acc << 6 | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(n < cap);
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static size_t key_field(json_t *key, const char *name, uint8_t *out, size_t cap)
{
	json_t *value = json_object_get(key, name);

	return value != NULL ? from_b64url(json_string_value(value), out, cap) : 0;
}

enum kind { K_ENCRYPT0, K_ENCRYPT };

/* The example's message, AAD and recipient secret. */
struct example {
	json_t *root;
	uint8_t msg[MSG_MAX];
	size_t msg_len;
	uint8_t aad[64];
	size_t aad_len;
	uint8_t k[32];      /* symmetric key, when the recipient has one */
	size_t k_len;
	struct tk_crypto_key *ec; /* P-256 private key of an ECDH recipient */
	const char *plaintext;
};

static void load_example(const char *file, enum kind kind, struct example *ex)
{
	char path[512];
	json_error_t jerr;
	json_t *layer, *key, *external;

	memset(ex, 0, sizeof(*ex));
	snprintf(path, sizeof(path), "%s/cose/%s", TK_VECTORS_DIR, file);
	ex->root = json_load_file(path, 0, &jerr);
	assert_non_null(ex->root);
	ex->msg_len = from_hex(json_string_value(json_object_get(
					json_object_get(ex->root, "output"), "cbor")),
			       ex->msg, sizeof(ex->msg));
	ex->plaintext = json_string_value(json_object_get(
		json_object_get(ex->root, "input"), "plaintext"));
	layer = json_object_get(json_object_get(ex->root, "input"),
				kind == K_ENCRYPT0 ? "encrypted" : "enveloped");
	key = json_object_get(json_array_get(json_object_get(layer, "recipients"), 0), "key");
	external = json_object_get(layer, "external");
	if (external != NULL)
		ex->aad_len = from_hex(json_string_value(external), ex->aad, sizeof(ex->aad));
	ex->k_len = key_field(key, "k", ex->k, sizeof(ex->k));

	/* An EC recipient key: import its private part for ECDH. */
	if (strcmp(json_string_value(json_object_get(key, "kty")), "EC") == 0) {
		uint8_t d[32];

		assert_int_equal(key_field(key, "d", d, sizeof(d)), 32);
		assert_int_equal(tk_crypto_key_import_private(tk_crypto_openssl(),
							      TK_CRYPTO_KEY_P256, d, 32,
							      &ex->ec, NULL), TK_OK);
	}
}

static const struct {
	const char *file;
	enum kind kind;
	tk_err expected;
	const char *covers;
} example_rows[] = {
	{"encrypted-tests/aes-gcm-01.json", K_ENCRYPT0, TK_OK, "A128GCM"},
	{"encrypted-tests/enc-pass-01.json", K_ENCRYPT0, TK_OK, "protected h'A0'"},
	{"encrypted-tests/enc-pass-02.json", K_ENCRYPT0, TK_OK, "external AAD"},
	{"encrypted-tests/enc-pass-03.json", K_ENCRYPT0, TK_OK, "untagged"},
	{"encrypted-tests/enc-fail-01.json", K_ENCRYPT0, TK_ERR_SCHEMA_TAG, "tag 995"},
	{"encrypted-tests/enc-fail-02.json", K_ENCRYPT0, TK_ERR_DECRYPT, "changed tag"},
	{"encrypted-tests/enc-fail-03.json", K_ENCRYPT0, TK_ERR_ALG_UNSUPPORTED, "alg -999"},
	{"encrypted-tests/enc-fail-04.json", K_ENCRYPT0, TK_ERR_ALG_UNSUPPORTED, "alg as text"},
	{"encrypted-tests/enc-fail-06.json", K_ENCRYPT0, TK_ERR_DECRYPT,
	 "content type added to protected"},
	{"encrypted-tests/enc-fail-07.json", K_ENCRYPT0, TK_ERR_DECRYPT,
	 "content type removed from protected"},
	{"aes-gcm-examples/aes-gcm-enc-01.json", K_ENCRYPT0, TK_OK, "A128GCM"},
	{"aes-gcm-examples/aes-gcm-enc-02.json", K_ENCRYPT0, TK_OK, "A192GCM"},
	{"aes-gcm-examples/aes-gcm-enc-03.json", K_ENCRYPT0, TK_OK, "A256GCM"},
	{"aes-gcm-examples/aes-gcm-enc-04.json", K_ENCRYPT0, TK_ERR_DECRYPT, "changed tag"},
	/* Its JSON names the AAD context "Encrypt1"; the message uses "Encrypt0". */
	{"chacha-poly-examples/chacha-poly-enc-01.json", K_ENCRYPT0, TK_OK,
	 "ChaCha20/Poly1305"},
	{"enveloped-tests/aes-gcm-01.json", K_ENCRYPT, TK_OK, "direct recipient"},
	{"enveloped-tests/env-pass-01.json", K_ENCRYPT, TK_OK, "protected h'A0'"},
	{"enveloped-tests/env-pass-02.json", K_ENCRYPT, TK_OK, "external AAD"},
	{"enveloped-tests/env-pass-03.json", K_ENCRYPT, TK_OK, "untagged"},
	{"enveloped-tests/env-fail-01.json", K_ENCRYPT, TK_ERR_SCHEMA_TAG, "tag 995"},
	{"enveloped-tests/env-fail-02.json", K_ENCRYPT, TK_ERR_DECRYPT, "changed tag"},
	{"enveloped-tests/env-fail-03.json", K_ENCRYPT, TK_ERR_ALG_UNSUPPORTED, "alg -999"},
	{"enveloped-tests/env-fail-04.json", K_ENCRYPT, TK_ERR_ALG_UNSUPPORTED, "alg as text"},
	{"enveloped-tests/env-fail-06.json", K_ENCRYPT, TK_ERR_DECRYPT,
	 "content type added to protected"},
	{"enveloped-tests/env-fail-07.json", K_ENCRYPT, TK_ERR_DECRYPT,
	 "content type removed from protected"},
	{"aes-gcm-examples/aes-gcm-01.json", K_ENCRYPT, TK_OK, "A128GCM"},
	{"aes-gcm-examples/aes-gcm-02.json", K_ENCRYPT, TK_OK, "A192GCM"},
	{"aes-gcm-examples/aes-gcm-03.json", K_ENCRYPT, TK_OK, "A256GCM"},
	{"aes-gcm-examples/aes-gcm-04.json", K_ENCRYPT, TK_ERR_DECRYPT, "changed tag"},
	{"aes-gcm-examples/aes-gcm-05.json", K_ENCRYPT, TK_ERR_UNSUPPORTED, "partial IV"},
	{"chacha-poly-examples/chacha-poly-01.json", K_ENCRYPT, TK_OK, "ChaCha20/Poly1305"},
	{"aes-wrap-examples/aes-wrap-128-04.json", K_ENCRYPT, TK_OK, "A128KW, A128GCM"},
	{"aes-wrap-examples/aes-wrap-128-05.json", K_ENCRYPT, TK_OK, "A128KW, A192GCM"},
	{"ecdh-wrap-examples/p256-wrap-128-01.json", K_ENCRYPT, TK_OK,
	 "ECDH-ES+A128KW, A128GCM"},
	{"ecdh-wrap-examples/p256-wrap-128-02.json", K_ENCRYPT, TK_OK,
	 "ECDH-ES+A128KW, A256GCM"},
};

static void test_cose_wg_encrypt_examples(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (size_t i = 0; i < sizeof(example_rows) / sizeof(example_rows[0]); i++) {
		struct example *ex = malloc(sizeof(*ex));
		char desc[256];
		uint8_t out[MSG_MAX];
		size_t out_len = 7;
		struct tk_cose_decrypt_opts opts;
		struct tk_cose_decrypted result;
		struct tk_diag diag;
		tk_err err;

		assert_non_null(ex);
		snprintf(desc, sizeof(desc), "%s (%s)", example_rows[i].file,
			 example_rows[i].covers);
		load_example(example_rows[i].file, example_rows[i].kind, ex);
		memset(&opts, 0, sizeof(opts));
		opts.external_aad = tk_span_make(ex->aad, ex->aad_len);

		/* One secret serves as the CEK of direct and the KEK of key wrap. */
		opts.cek = ex->k_len > 0 ? ex->k : NULL;
		opts.cek_len = ex->k_len;
		opts.kek = opts.cek;
		opts.kek_len = ex->k_len;
		opts.recipient_key = ex->ec;

		tk_diag_clear(&diag);
		err = example_rows[i].kind == K_ENCRYPT0
			      ? tk_cose_encrypt0_decrypt(c, ex->msg, ex->msg_len, &opts, out,
							 sizeof(out), &out_len, &result, &diag)
			      : tk_cose_encrypt_decrypt(c, ex->msg, ex->msg_len, &opts, out,
							sizeof(out), &out_len, &result, &diag);
		check_err(desc, example_rows[i].expected, err, &diag);
		if (err == TK_OK) {
			assert_int_equal(out_len, strlen(ex->plaintext));
			assert_memory_equal(out, ex->plaintext, out_len);
			assert_true(result.body.has_alg);
		} else {
			assert_int_equal(out_len, 0);
		}
		tk_crypto_key_free(ex->ec);
		json_decref(ex->root);
		free(ex);
	}
}

static const uint8_t plaintext[] = "personalization data for the TA";

/* COSE_Encrypt0 round trip for every content algorithm, and tampering. */
static void test_encrypt0_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const struct {
		const char *desc;
		int64_t alg;
		size_t key_len;
		bool with_aad;
	} rows[] = {
		{"A128GCM", TK_COSE_ALG_A128GCM, 16, true},
		{"A192GCM", TK_COSE_ALG_A192GCM, 24, false},
		{"A256GCM", TK_COSE_ALG_A256GCM, 32, true},
		{"ChaCha20/Poly1305", TK_COSE_ALG_CHACHA20_POLY1305, 32, true},
		{"A128CTR", TK_COSE_ALG_A128CTR, 16, false},
		{"A256CTR", TK_COSE_ALG_A256CTR, 32, false},
	};
	static const uint8_t aad[] = {1, 2, 3};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *desc = rows[i].desc;
		bool ctr = rows[i].alg == TK_COSE_ALG_A128CTR || rows[i].alg == TK_COSE_ALG_A256CTR;
		uint8_t key[32], msg[256], out[256];
		size_t len = 0, out_len = 0;
		struct tk_cose_sign_opts sopts = {
			.tagged = true,
			.external_aad = rows[i].with_aad ? tk_span_make(aad, 3) : TK_SPAN_EMPTY,
		};
		struct tk_cose_decrypt_opts dopts = {
			.tag_mode = TK_COSE_TAG_REQUIRED,
			.external_aad = sopts.external_aad,
			.cek = key,
			.cek_len = rows[i].key_len,
		};
		struct tk_cose_decrypted result;
		struct tk_diag diag;

		memset(key, 0x5a, sizeof(key));
		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_cose_encrypt0_create(c, rows[i].alg, key, rows[i].key_len, plaintext,
						  sizeof(plaintext), &sopts, msg, sizeof(msg), &len,
						  &diag), &diag);
		assert_int_equal(msg[0], 0xd0);
		check_err(desc, TK_OK,
			  tk_cose_encrypt0_decrypt(c, msg, len, &dopts, out, sizeof(out), &out_len,
						   &result, &diag), &diag);
		assert_int_equal(out_len, sizeof(plaintext));
		assert_memory_equal(out, plaintext, sizeof(plaintext));
		assert_int_equal(result.body.alg, rows[i].alg);

		/* A changed last byte breaks the tag, or only that byte for CTR. */
		msg[len - 1] ^= 1;
		tk_diag_clear(&diag);
		check_err(desc, ctr ? TK_OK : TK_ERR_DECRYPT,
			  tk_cose_encrypt0_decrypt(c, msg, len, &dopts, out, sizeof(out), &out_len,
						   &result, &diag), &diag);
		if (ctr)
			assert_memory_not_equal(out, plaintext, sizeof(plaintext));

		/* The wrong key. */
		key[0] ^= 1;
		msg[len - 1] ^= 1;
		tk_diag_clear(&diag);
		check_err(desc, ctr ? TK_OK : TK_ERR_DECRYPT,
			  tk_cose_encrypt0_decrypt(c, msg, len, &dopts, out, sizeof(out), &out_len,
						   &result, &diag), &diag);
		tk_diag_clear(&diag);
		check_err("key of the wrong length", TK_ERR_KEY,
			  tk_cose_encrypt0_create(c, rows[i].alg, key, rows[i].key_len - 1,
						  plaintext, sizeof(plaintext), &sopts, msg,
						  sizeof(msg), &len, &diag), &diag);
	}
}

static void test_encrypt0_rejects(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t key[16] = {0}, msg[256], out[256];
	static const uint8_t aad[] = {1};
	size_t len = 0, out_len = 0;
	struct tk_cose_sign_opts with_aad = {.external_aad = tk_span_make(aad, 1)};
	struct tk_cose_sign_opts detached = {.detached = true};
	struct tk_cose_decrypt_opts dopts = {.cek = key, .cek_len = 16};
	struct tk_cose_decrypted result;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("CTR with AAD", TK_ERR_ARG,
		  tk_cose_encrypt0_create(c, TK_COSE_ALG_A128CTR, key, 16, plaintext,
					  sizeof(plaintext), &with_aad, msg, sizeof(msg), &len,
					  &diag), &diag);
	tk_diag_clear(&diag);
	check_err("detached", TK_ERR_UNSUPPORTED,
		  tk_cose_encrypt0_create(c, TK_COSE_ALG_A128GCM, key, 16, plaintext,
					  sizeof(plaintext), &detached, msg, sizeof(msg), &len,
					  &diag), &diag);
	tk_diag_clear(&diag);
	check_err("unknown alg", TK_ERR_ALG_UNSUPPORTED,
		  tk_cose_encrypt0_create(c, 99, key, 16, plaintext, sizeof(plaintext), NULL,
					  msg, sizeof(msg), &len, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("buffer too small", TK_ERR_BUFFER_TOO_SMALL,
		  tk_cose_encrypt0_create(c, TK_COSE_ALG_A128GCM, key, 16, plaintext,
					  sizeof(plaintext), NULL, msg, 40, &len, &diag), &diag);
	assert_int_equal(len, 0);

	/* Plaintext buffer too small on decryption, and a message of 4 items. */
	check_err("create", TK_OK,
		  tk_cose_encrypt0_create(c, TK_COSE_ALG_A128GCM, key, 16, plaintext,
					  sizeof(plaintext), NULL, msg, sizeof(msg), &len, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("plaintext buffer too small", TK_ERR_BUFFER_TOO_SMALL,
		  tk_cose_encrypt0_decrypt(c, msg, len, &dopts, out, 8, &out_len, &result,
					   &diag), &diag);
	assert_int_equal(out_len, 0);
	msg[0] = 0x84;
	msg[len++] = 0x40;
	tk_diag_clear(&diag);
	check_err("array of 4", TK_ERR_SCHEMA_LENGTH,
		  tk_cose_encrypt0_decrypt(c, msg, len, &dopts, out, sizeof(out), &out_len,
					   &result, &diag), &diag);
}

/* COSE_Encrypt round trips with ECDH-ES and AES key wrap recipients. */
static void test_encrypt_recipients(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_key *priv = NULL, *pub = NULL, *other = NULL;
	uint8_t x[32], y[32], kek[32];
	static const uint8_t kid[] = "device-key";
	static const uint8_t other_kid[] = "other";
	struct tk_diag diag;

	(void)state;
	memset(kek, 0x61, sizeof(kek));
	tk_diag_clear(&diag);
	check_err("generate", TK_OK, tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &priv, &diag),
		  &diag);
	check_err("generate other", TK_OK,
		  tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &other, &diag), &diag);
	check_err("export", TK_OK, tk_crypto_key_export_public(priv, x, y, &diag), &diag);
	check_err("public", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, x, 32, y, 32, &pub, &diag),
		  &diag);

	const struct {
		const char *desc;
		int64_t content_alg;
		struct tk_cose_recipient recipient;
		const struct tk_crypto_key *decrypt_key;
		size_t decrypt_kek_len;
		struct tk_span decrypt_kid;
		tk_err expected;
	} rows[] = {
		{"ECDH-ES+A128KW, A128GCM", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_ECDH_ES_A128KW, pub, NULL, 0, tk_span_make(kid, 10), TK_SPAN_EMPTY}, priv, 0,
		 TK_SPAN_EMPTY, TK_OK},
		{"ECDH-ES+A256KW, A256GCM", TK_COSE_ALG_A256GCM,
		 {TK_COSE_ALG_ECDH_ES_A256KW, pub, NULL, 0, TK_SPAN_EMPTY, TK_SPAN_EMPTY}, priv, 0,
		 TK_SPAN_EMPTY, TK_OK},
		{"ECDH-ES+A128KW, A128CTR", TK_COSE_ALG_A128CTR,
		 {TK_COSE_ALG_ECDH_ES_A128KW, pub, NULL, 0, tk_span_make(kid, 10), TK_SPAN_EMPTY}, priv, 0,
		 tk_span_make(kid, 10), TK_OK},
		{"A128KW, ChaCha20/Poly1305", TK_COSE_ALG_CHACHA20_POLY1305,
		 {TK_COSE_ALG_A128KW, NULL, kek, 16, tk_span_make(kid, 10), TK_SPAN_EMPTY}, NULL, 16,
		 TK_SPAN_EMPTY, TK_OK},
		{"A256KW, A128GCM", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_A256KW, NULL, kek, 32, TK_SPAN_EMPTY, TK_SPAN_EMPTY}, NULL, 32, TK_SPAN_EMPTY,
		 TK_OK},
		{"ECDH-ES to another key", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_ECDH_ES_A128KW, pub, NULL, 0, TK_SPAN_EMPTY, TK_SPAN_EMPTY}, other, 0,
		 TK_SPAN_EMPTY, TK_ERR_DECRYPT},
		{"ECDH-ES without a private key", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_ECDH_ES_A128KW, pub, NULL, 0, TK_SPAN_EMPTY, TK_SPAN_EMPTY}, NULL, 0,
		 TK_SPAN_EMPTY, TK_ERR_KEY},
		{"kid mismatch", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_ECDH_ES_A128KW, pub, NULL, 0, tk_span_make(kid, 10), TK_SPAN_EMPTY}, priv, 0,
		 tk_span_make(other_kid, 5), TK_ERR_KEY},
		{"KEK of the wrong length", TK_COSE_ALG_A128GCM,
		 {TK_COSE_ALG_A128KW, NULL, kek, 16, TK_SPAN_EMPTY, TK_SPAN_EMPTY}, NULL, 32, TK_SPAN_EMPTY,
		 TK_ERR_KEY},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *desc = rows[i].desc;
		uint8_t msg[512], out[256];
		size_t len = 0, out_len = 0;
		struct tk_cose_decrypt_opts opts = {
			.tag_mode = TK_COSE_TAG_REQUIRED,
			.kek = rows[i].decrypt_kek_len > 0 ? kek : NULL,
			.kek_len = rows[i].decrypt_kek_len,
			.recipient_key = rows[i].decrypt_key,
			.kid = rows[i].decrypt_kid,
		};
		struct tk_cose_sign_opts sopts = {.tagged = true};
		struct tk_cose_decrypted result;
		tk_err err;

		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_cose_encrypt_create(c, rows[i].content_alg, &rows[i].recipient,
						 plaintext, sizeof(plaintext), &sopts, msg,
						 sizeof(msg), &len, &diag), &diag);
		assert_int_equal(msg[0], 0xd8);
		assert_int_equal(msg[1], TK_COSE_TAG_ENCRYPT);
		err = tk_cose_encrypt_decrypt(c, msg, len, &opts, out, sizeof(out), &out_len,
					      &result, &diag);
		check_err(desc, rows[i].expected, err, &diag);
		if (err != TK_OK) {
			assert_int_equal(out_len, 0);
			continue;
		}
		assert_int_equal(out_len, sizeof(plaintext));
		assert_memory_equal(out, plaintext, sizeof(plaintext));
		assert_int_equal(result.body.alg, rows[i].content_alg);
		assert_int_equal(result.recipient_index, 0);
	}
	tk_crypto_key_free(priv);
	tk_crypto_key_free(pub);
	tk_crypto_key_free(other);
}

/* Independent oracle: /usr/bin/python3 with cbor2 and cryptography. */

#define ORACLE_PYTHON "/usr/bin/python3"

static void run_oracle(const char *args, char *line, size_t cap)
{
	char cmd[2048];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s '%s/tests/cose/cose_oracle.py' %s 2>&1",
		 ORACLE_PYTHON, TK_SOURCE_DIR, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, (int)cap, p) == NULL)
		line[0] = '\0';
	pclose(p);
}

/* Write a file with the given mode (0600 for private keys). */
static void write_file(const char *dir, const char *name, const uint8_t *data,
		       size_t len, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static size_t read_file(const char *dir, const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(buf, 1, cap, f);
	fclose(f);
	return len;
}

static void test_python_oracle_encrypt(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const char *const files[] = {"priv.pem", "pub.pem", "ours.cbor", "py.cbor"};
	char dir[] = "/tmp/tk-cose-encrypt-XXXXXX";
	char plaintext_hex[2 * sizeof(plaintext) + 1];
	char args[1024], line[256], path[512];
	uint8_t pem[TK_CRYPTO_PEM_MAX], x[32], y[32], msg[512], out[256];
	size_t pem_len = 0, len = 0, out_len = 0;
	struct tk_crypto_key *priv = NULL, *pub = NULL;
	struct tk_diag diag;
	static const struct {
		int64_t content_alg;
		int64_t recipient_alg;
	} ours[] = {
		{TK_COSE_ALG_A128GCM, TK_COSE_ALG_ECDH_ES_A128KW},
		{TK_COSE_ALG_A256GCM, TK_COSE_ALG_ECDH_ES_A256KW},
		{TK_COSE_ALG_A128CTR, TK_COSE_ALG_ECDH_ES_A128KW},
	};
	static const int64_t theirs[] = {TK_COSE_ALG_A128GCM, TK_COSE_ALG_A128CTR};

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(plaintext); i++)
		snprintf(plaintext_hex + 2 * i, 3, "%02x", plaintext[i]);
	tk_diag_clear(&diag);
	check_err("generate", TK_OK, tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &priv, &diag),
		  &diag);
	check_err("private PEM", TK_OK,
		  tk_crypto_key_export_pem(priv, true, pem, sizeof(pem), &pem_len, &diag), &diag);
	write_file(dir, "priv.pem", pem, pem_len, 0600);
	tk_wipe(pem, sizeof(pem));
	check_err("public PEM", TK_OK,
		  tk_crypto_key_export_pem(priv, false, pem, sizeof(pem), &pem_len, &diag), &diag);
	write_file(dir, "pub.pem", pem, pem_len, 0644);
	check_err("export", TK_OK, tk_crypto_key_export_public(priv, x, y, &diag), &diag);
	check_err("public", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, x, 32, y, 32, &pub, &diag),
		  &diag);

	/* We encrypt, the oracle decrypts. */
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		struct tk_cose_recipient r = {.alg = ours[i].recipient_alg, .key = pub};
		struct tk_cose_sign_opts sopts = {.tagged = true};

		check_err("encrypt", TK_OK,
			  tk_cose_encrypt_create(c, ours[i].content_alg, &r, plaintext,
						 sizeof(plaintext), &sopts, msg, sizeof(msg), &len,
						 &diag), &diag);
		write_file(dir, "ours.cbor", msg, len, 0644);
		snprintf(args, sizeof(args), "decrypt %s/ours.cbor %s/priv.pem %s", dir, dir,
			 plaintext_hex);
		run_oracle(args, line, sizeof(line));
		assert_string_equal(line, "OK\n");
	}

	/* The oracle must reject a changed GCM ciphertext, or it proves nothing. */
	struct tk_cose_recipient r0 = {.alg = TK_COSE_ALG_ECDH_ES_A128KW, .key = pub};
	check_err("encrypt", TK_OK,
		  tk_cose_encrypt_create(c, TK_COSE_ALG_A128GCM, &r0, plaintext, sizeof(plaintext),
					 NULL, msg, sizeof(msg), &len, &diag), &diag);
	/* Tag (2), array (1), protected (4), {5: IV} (15), bstr head (2): byte
	   30 is inside the ciphertext. */
	msg[30] ^= 1;
	write_file(dir, "ours.cbor", msg, len, 0644);
	snprintf(args, sizeof(args), "decrypt %s/ours.cbor %s/priv.pem %s", dir, dir,
		 plaintext_hex);
	run_oracle(args, line, sizeof(line));
	assert_memory_equal(line, "FAIL", 4);

	/* The oracle encrypts to our key, we decrypt. */
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		struct tk_cose_decrypt_opts opts = {.tag_mode = TK_COSE_TAG_REQUIRED,
						    .recipient_key = priv};
		struct tk_cose_decrypted result;

		snprintf(args, sizeof(args), "encrypt %s/pub.pem %" PRId64 " %s %s/py.cbor", dir,
			 theirs[i], plaintext_hex, dir);
		run_oracle(args, line, sizeof(line));
		assert_string_equal(line, "OK\n");
		len = read_file(dir, "py.cbor", msg, sizeof(msg));
		tk_diag_clear(&diag);
		check_err("decrypt the oracle's message", TK_OK,
			  tk_cose_encrypt_decrypt(c, msg, len, &opts, out, sizeof(out), &out_len,
						  &result, &diag), &diag);
		assert_int_equal(out_len, sizeof(plaintext));
		assert_memory_equal(out, plaintext, sizeof(plaintext));
		assert_int_equal(result.body.alg, theirs[i]);
	}

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	tk_crypto_key_free(priv);
	tk_crypto_key_free(pub);
}

/* Read an upper-case hex file with line breaks into buf. */
static size_t read_hex_vector(const char *name, uint8_t *buf, size_t cap)
{
	char path[512], text[1024];
	size_t n = 0;
	FILE *f;
	int ch;

	snprintf(path, sizeof(path), "%s/suit/firmware-encryption/%s", TK_VECTORS_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((ch = fgetc(f)) != EOF)
		if (strchr("0123456789ABCDEFabcdef", ch) != NULL && ch != '\0' &&
		    n + 1 < sizeof(text))
			text[n++] = (char)ch;
	fclose(f);
	text[n] = '\0';
	return from_hex(text, buf, cap);
}

/*
 * ECDH-ES+A128KW with SuppPubInfo.other: the SUIT firmware encryption
 * draft's ES-DH AES-GCM example binds "SUIT Payload Encryption", so it
 * decrypts only when that string enters the COSE_KDF_Context.
 */
static void test_ecdh_kdf_other(void **state)
{
	static const char other[] = "SUIT Payload Encryption";
	static const char expected[] = "This is a real firmware image.";
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t d[32], msg[512], payload[128], out[128];
	size_t msg_len, payload_len, out_len = 0;
	struct tk_crypto_key *priv = NULL;
	struct tk_cose_decrypted result;
	struct tk_diag diag;

	(void)state;
	from_hex("60FE6DD6D85D5740A5349B6F91267EEAC5BA81B8CB53EE249E4B4EB102C476B3", d,
		 sizeof(d));
	assert_int_equal(tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, d, 32, &priv, NULL),
			 TK_OK);
	msg_len = read_hex_vector("suit-encryption-info-es-ecdh-aes-gcm.hex", msg, sizeof(msg));
	payload_len = read_hex_vector("encrypted-payload-es-ecdh-aes-gcm.hex", payload,
				      sizeof(payload));

	struct tk_cose_decrypt_opts opts = {
		.tag_mode = TK_COSE_TAG_OPTIONAL,
		.detached = true,
		.detached_ciphertext = tk_span_make(payload, payload_len),
		.recipient_key = priv,
		.kdf_other = tk_span_make((const uint8_t *)other, strlen(other)),
	};
	tk_diag_clear(&diag);
	check_err("with SuppPubInfo.other", TK_OK,
		  tk_cose_encrypt_decrypt(c, msg, msg_len, &opts, out, sizeof(out), &out_len,
					  &result, &diag), &diag);
	assert_int_equal(out_len, strlen(expected));
	assert_memory_equal(out, expected, out_len);

	/* Without it the KEK differs and the key unwrap fails. */
	opts.kdf_other = TK_SPAN_EMPTY;
	tk_diag_clear(&diag);
	check_err("without SuppPubInfo.other", TK_ERR_DECRYPT,
		  tk_cose_encrypt_decrypt(c, msg, msg_len, &opts, out, sizeof(out), &out_len,
					  &result, &diag), &diag);
	assert_int_equal(out_len, 0);
	tk_crypto_key_free(priv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cose_wg_encrypt_examples),
		cmocka_unit_test(test_encrypt0_round_trip),
		cmocka_unit_test(test_encrypt0_rejects),
		cmocka_unit_test(test_encrypt_recipients),
		cmocka_unit_test(test_python_oracle_encrypt),
		cmocka_unit_test(test_ecdh_kdf_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
