/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the crypto provider interface with the OpenSSL provider. They
 * use published known-answer vectors (FIPS 180-2 SHA-256, RFC 4231 HMAC,
 * RFC 8032 Ed25519, RFC 6979 ECDSA P-256). They also cover key import and
 * export in PEM and raw form, and sign/verify round trips with tampered
 * rows. A provider without operations must fail with TK_ERR_UNSUPPORTED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/tk_err.h"
#include "crypto/tk_crypto.h"

/* Fail the test with the row's description and both error names. */
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

/* Decode hex into out; the test data is trusted to be valid hex. */
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

static void assert_hex_equal(const char *desc, const uint8_t *got, size_t len,
			     const char *hex)
{
	uint8_t want[256];
	size_t want_len = from_hex(hex, want, sizeof(want));

	if (want_len != len || memcmp(want, got, len) != 0) {
		print_error("%s: bytes differ from %s\n", desc, hex);
		fail();
	}
}

/* SHA-256 vectors of FIPS 180-2 appendix B and the empty string. */
static const struct {
	const char *desc;
	const char *msg;
	const char *digest_hex;
} sha256_rows[] = {
	{"empty string", "",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", "abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void test_sha256_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (size_t i = 0; i < sizeof(sha256_rows) / sizeof(sha256_rows[0]); i++) {
		const char *msg = sha256_rows[i].msg;
		size_t len = strlen(msg);
		uint8_t one_shot[TK_CRYPTO_SHA256_LEN];
		uint8_t incremental[TK_CRYPTO_SHA256_LEN];
		struct tk_crypto_hash_ctx h;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_crypto_sha256(c, (const uint8_t *)msg, len, one_shot, &diag);
		check_err(sha256_rows[i].desc, TK_OK, err, &diag);
		assert_hex_equal(sha256_rows[i].desc, one_shot, sizeof(one_shot),
				 sha256_rows[i].digest_hex);

		/* The same digest fed one byte at a time. */
		err = tk_crypto_sha256_init(c, &h, &diag);
		for (size_t k = 0; err == TK_OK && k < len; k++)
			err = tk_crypto_sha256_update(&h, (const uint8_t *)msg + k, 1, &diag);
		if (err == TK_OK)
			err = tk_crypto_sha256_final(&h, incremental, &diag);
		check_err(sha256_rows[i].desc, TK_OK, err, &diag);
		assert_memory_equal(one_shot, incremental, sizeof(one_shot));
		assert_null(h.impl);
	}
}

static void test_sha256_misuse(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_hash_ctx h = {0};
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("update before init", TK_ERR_STATE,
		  tk_crypto_sha256_update(&h, (const uint8_t *)"a", 1, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("final before init", TK_ERR_STATE,
		  tk_crypto_sha256_final(&h, digest, &diag), &diag);

	/* Abort releases a started context and is idempotent. */
	tk_diag_clear(&diag);
	check_err("init", TK_OK, tk_crypto_sha256_init(c, &h, &diag), &diag);
	tk_crypto_sha256_abort(&h);
	assert_null(h.impl);
	tk_crypto_sha256_abort(&h);
}

static void test_random(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t a[32] = {0};
	uint8_t b[32] = {0};
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("random a", TK_OK, tk_crypto_random(c, a, sizeof(a), &diag), &diag);
	check_err("random b", TK_OK, tk_crypto_random(c, b, sizeof(b), &diag), &diag);
	assert_memory_not_equal(a, b, sizeof(a));
	check_err("random of length 0", TK_OK, tk_crypto_random(c, NULL, 0, &diag), &diag);
}

/* RFC 4231 test cases 1 and 2. */
static void test_hmac_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t key1[20];
	uint8_t tag[TK_CRYPTO_HMAC_SHA256_LEN];
	struct tk_span parts[2];
	struct tk_diag diag;

	(void)state;
	memset(key1, 0x0b, sizeof(key1));
	parts[0] = tk_span_make("Hi There", 8);
	tk_diag_clear(&diag);
	check_err("RFC 4231 case 1", TK_OK,
		  tk_crypto_hmac_sha256(c, key1, sizeof(key1), parts, 1, tag, &diag), &diag);
	assert_hex_equal("RFC 4231 case 1", tag, sizeof(tag),
			 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	/* Case 2, with the message split in two parts. */
	parts[0] = tk_span_make("what do ya want ", 16);
	parts[1] = tk_span_make("for nothing?", 12);
	check_err("RFC 4231 case 2", TK_OK,
		  tk_crypto_hmac_sha256(c, (const uint8_t *)"Jefe", 4, parts, 2, tag, &diag),
		  &diag);
	assert_hex_equal("RFC 4231 case 2", tag, sizeof(tag),
			 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	check_err("HMAC with an empty key", TK_ERR_KEY,
		  tk_crypto_hmac_sha256(c, NULL, 0, parts, 2, tag, &diag), &diag);
}

/* RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte). */
static const struct {
	const char *desc;
	const char *seed_hex;
	const char *pub_hex;
	const char *msg_hex;
	const char *sig_hex;
} ed25519_rows[] = {
	{"RFC 8032 TEST 1",
	 "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	 "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"RFC 8032 TEST 2",
	 "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	 "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	 "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

static void test_ed25519_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (size_t i = 0; i < sizeof(ed25519_rows) / sizeof(ed25519_rows[0]); i++) {
		const char *desc = ed25519_rows[i].desc;
		uint8_t seed[32], pub[32], x[32], msg[8], sig[TK_CRYPTO_SIG_MAX];
		size_t msg_len = from_hex(ed25519_rows[i].msg_hex, msg, sizeof(msg));
		size_t sig_len = 0;
		struct tk_span part = tk_span_make(msg, msg_len);
		struct tk_crypto_key *priv = NULL;
		struct tk_crypto_key *pubkey = NULL;
		struct tk_diag diag;

		from_hex(ed25519_rows[i].seed_hex, seed, sizeof(seed));
		from_hex(ed25519_rows[i].pub_hex, pub, sizeof(pub));
		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_ED25519, seed,
						       sizeof(seed), &priv, &diag), &diag);
		check_err(desc, TK_OK, tk_crypto_key_export_public(priv, x, NULL, &diag),
			  &diag);
		assert_memory_equal(x, pub, sizeof(pub));

		/* Ed25519 is deterministic: the signature must match exactly. */
		check_err(desc, TK_OK,
			  tk_crypto_sign(priv, TK_CRYPTO_SIG_ED25519, &part, 1, sig,
					 &sig_len, &diag), &diag);
		assert_int_equal(sig_len, TK_CRYPTO_ED25519_SIG_LEN);
		assert_hex_equal(desc, sig, sig_len, ed25519_rows[i].sig_hex);

		check_err(desc, TK_OK,
			  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_ED25519, pub,
						      sizeof(pub), NULL, 0, &pubkey, &diag),
			  &diag);
		check_err(desc, TK_OK,
			  tk_crypto_verify(pubkey, TK_CRYPTO_SIG_ED25519, &part, 1, sig,
					   sig_len, &diag), &diag);
		assert_false(tk_crypto_key_has_private(pubkey));
		tk_crypto_key_free(priv);
		tk_crypto_key_free(pubkey);
	}
}

/*
 * RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample". r has its top
 * bit set, so the DER form needs a leading zero: this checks the raw/DER
 * conversion.
 */
static void test_ecdsa_rfc6979_verify(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t x[32], y[32], sig[64];
	struct tk_span part = tk_span_make("sample", 6);
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	(void)state;
	from_hex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6", x, 32);
	from_hex("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299", y, 32);
	from_hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
		 "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
		 sig, 64);
	tk_diag_clear(&diag);
	check_err("import", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, x, 32, y, 32, &key,
					      &diag), &diag);
	check_err("RFC 6979 A.2.5", TK_OK,
		  tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, 64,
				   &diag), &diag);

	/* One bit of s changed: the signature no longer verifies. */
	sig[63] ^= 0x01;
	tk_diag_clear(&diag);
	check_err("RFC 6979 with s changed", TK_ERR_SIGNATURE,
		  tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, 64,
				   &diag), &diag);

	/* r = 0 is out of range and is a bad signature, not a crash. */
	memset(sig, 0, 32);
	tk_diag_clear(&diag);
	check_err("r = 0", TK_ERR_SIGNATURE,
		  tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, 64,
				   &diag), &diag);
	tk_crypto_key_free(key);
}

/* COSE WG example key "11" (P-256): d and its public coordinates. */
#define KEY11_D "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3"
#define KEY11_X "bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff"
#define KEY11_Y "20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e"

static void test_p256_private_import(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t d[32], x[32], y[32];
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	(void)state;
	from_hex(KEY11_D, d, sizeof(d));
	tk_diag_clear(&diag);
	check_err("import key 11", TK_OK,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, d, 32, &key, &diag),
		  &diag);
	assert_int_equal(tk_crypto_key_type(key), TK_CRYPTO_KEY_P256);
	assert_true(tk_crypto_key_has_private(key));
	check_err("export key 11", TK_OK, tk_crypto_key_export_public(key, x, y, &diag),
		  &diag);
	assert_hex_equal("key 11 x", x, 32, KEY11_X);
	assert_hex_equal("key 11 y", y, 32, KEY11_Y);
	tk_crypto_key_free(key);

	/* d = 0 and d >= n are not private keys. */
	memset(d, 0, sizeof(d));
	tk_diag_clear(&diag);
	check_err("d = 0", TK_ERR_KEY,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, d, 32, &key, &diag),
		  &diag);
	assert_null(key);
	memset(d, 0xff, sizeof(d));
	tk_diag_clear(&diag);
	check_err("d above the order", TK_ERR_KEY,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, d, 32, &key, &diag),
		  &diag);
	assert_null(key);
}

/* Raw public key import rows. */
static void test_public_import_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t x[32], y[32], bad_y[32];
	static const struct {
		const char *desc;
		enum tk_crypto_key_type type;
		size_t x_len;
		int y_kind; /* 0 none, 1 good y, 2 off-curve y */
		size_t y_len;
		tk_err expected;
	} rows[] = {
		{"P-256 on the curve", TK_CRYPTO_KEY_P256, 32, 1, 32, TK_OK},
		{"P-256 off the curve", TK_CRYPTO_KEY_P256, 32, 2, 32, TK_ERR_KEY},
		{"P-256 short x", TK_CRYPTO_KEY_P256, 31, 1, 32, TK_ERR_KEY},
		{"P-256 without y", TK_CRYPTO_KEY_P256, 32, 0, 0, TK_ERR_KEY},
		{"Ed25519 32 bytes", TK_CRYPTO_KEY_ED25519, 32, 0, 0, TK_OK},
		{"Ed25519 with a y", TK_CRYPTO_KEY_ED25519, 32, 1, 32, TK_ERR_KEY},
		{"Ed25519 33 bytes", TK_CRYPTO_KEY_ED25519, 33, 0, 0, TK_ERR_KEY},
		{"unknown type", (enum tk_crypto_key_type)9, 32, 0, 0,
		 TK_ERR_ALG_UNSUPPORTED},
	};
	uint8_t x33[33] = {0};

	(void)state;
	from_hex(KEY11_X, x, 32);
	from_hex(KEY11_Y, y, 32);
	memcpy(bad_y, y, 32);
	bad_y[31] ^= 1;
	memcpy(x33, x, 32);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_crypto_key *key = NULL;
		struct tk_diag diag;
		const uint8_t *yp = rows[i].y_kind == 0 ? NULL
				   : rows[i].y_kind == 1 ? y : bad_y;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_crypto_key_import_public(c, rows[i].type,
						  rows[i].x_len == 33 ? x33 : x,
						  rows[i].x_len, yp, rows[i].y_len, &key,
						  &diag);
		check_err(rows[i].desc, rows[i].expected, err, &diag);
		if (err == TK_OK)
			assert_int_equal(tk_crypto_key_type(key), rows[i].type);
		else
			assert_null(key);
		tk_crypto_key_free(key);
	}
}

/* Generate, sign, verify and tamper, for both key types. */
static void test_sign_verify_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const enum tk_crypto_key_type types[] = {TK_CRYPTO_KEY_P256,
							TK_CRYPTO_KEY_ED25519};

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		enum tk_crypto_sig_alg alg = tk_crypto_sig_alg_for_key(types[t]);
		enum tk_crypto_sig_alg other = alg == TK_CRYPTO_SIG_ED25519
						       ? TK_CRYPTO_SIG_ECDSA_P256_SHA256
						       : TK_CRYPTO_SIG_ED25519;
		uint8_t msg[] = "message signed in three parts";
		struct tk_span parts[3] = {
			tk_span_make(msg, 7), tk_span_make(msg + 7, 0),
			tk_span_make(msg + 7, sizeof(msg) - 7),
		};
		struct tk_span whole = tk_span_make(msg, sizeof(msg));
		uint8_t sig[TK_CRYPTO_SIG_MAX];
		size_t sig_len = 0;
		struct tk_crypto_key *key = NULL;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err("generate", TK_OK, tk_crypto_key_generate(c, types[t], &key, &diag),
			  &diag);
		check_err("sign", TK_OK,
			  tk_crypto_sign(key, alg, parts, 3, sig, &sig_len, &diag), &diag);
		assert_int_equal(sig_len, 64);

		/* Parts are signed as their concatenation. */
		check_err("verify whole", TK_OK,
			  tk_crypto_verify(key, alg, &whole, 1, sig, sig_len, &diag), &diag);
		check_err("alg of the other key type", TK_ERR_KEY,
			  tk_crypto_verify(key, other, &whole, 1, sig, sig_len, &diag), &diag);
		tk_diag_clear(&diag);
		check_err("short signature", TK_ERR_SIGNATURE,
			  tk_crypto_verify(key, alg, &whole, 1, sig, 63, &diag), &diag);
		msg[0] ^= 1;
		tk_diag_clear(&diag);
		check_err("tampered message", TK_ERR_SIGNATURE,
			  tk_crypto_verify(key, alg, &whole, 1, sig, sig_len, &diag), &diag);
		msg[0] ^= 1;
		sig[10] ^= 0x40;
		tk_diag_clear(&diag);
		check_err("tampered signature", TK_ERR_SIGNATURE,
			  tk_crypto_verify(key, alg, &whole, 1, sig, sig_len, &diag), &diag);
		tk_crypto_key_free(key);
	}
}

/* PEM round trip: private PKCS#8 and public SPKI, for both key types. */
static void test_pem_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (int t = TK_CRYPTO_KEY_P256; t <= TK_CRYPTO_KEY_ED25519; t++) {
		uint8_t pem[TK_CRYPTO_PEM_MAX];
		uint8_t pub_pem[TK_CRYPTO_PEM_MAX];
		uint8_t x1[32], y1[32], x2[32], y2[32];
		size_t pem_len = 0, pub_len = 0, small_len = 1;
		struct tk_crypto_key *key = NULL, *back = NULL, *pub = NULL;
		uint8_t sig[TK_CRYPTO_SIG_MAX];
		size_t sig_len = 0;
		struct tk_span part = tk_span_make("x", 1);
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err("generate", TK_OK,
			  tk_crypto_key_generate(c, (enum tk_crypto_key_type)t, &key, &diag),
			  &diag);
		check_err("export private", TK_OK,
			  tk_crypto_key_export_pem(key, true, pem, sizeof(pem), &pem_len,
						   &diag), &diag);
		assert_true(pem_len > 27);
		assert_memory_equal(pem, "-----BEGIN PRIVATE KEY-----", 27);
		check_err("import private", TK_OK,
			  tk_crypto_key_import_pem(c, pem, pem_len, &back, &diag), &diag);
		assert_true(tk_crypto_key_has_private(back));
		check_err("export public", TK_OK,
			  tk_crypto_key_export_pem(back, false, pub_pem, sizeof(pub_pem),
						   &pub_len, &diag), &diag);
		assert_memory_equal(pub_pem, "-----BEGIN PUBLIC KEY-----", 26);
		check_err("import public", TK_OK,
			  tk_crypto_key_import_pem(c, pub_pem, pub_len, &pub, &diag), &diag);
		assert_false(tk_crypto_key_has_private(pub));
		assert_int_equal(tk_crypto_key_type(pub), t);

		/* The same public key came through both PEM forms. */
		check_err("raw of original", TK_OK,
			  tk_crypto_key_export_public(key, x1, y1, &diag), &diag);
		check_err("raw of public", TK_OK,
			  tk_crypto_key_export_public(pub, x2, y2, &diag), &diag);
		assert_memory_equal(x1, x2, 32);
		if (t == TK_CRYPTO_KEY_P256)
			assert_memory_equal(y1, y2, 32);

		/* A public-only key neither signs nor exports a private PEM. */
		check_err("sign with public key", TK_ERR_KEY,
			  tk_crypto_sign(pub, tk_crypto_sig_alg_for_key(t), &part, 1, sig,
					 &sig_len, &diag), &diag);
		tk_diag_clear(&diag);
		check_err("private PEM of public key", TK_ERR_KEY,
			  tk_crypto_key_export_pem(pub, true, pem, sizeof(pem), &pem_len,
						   &diag), &diag);
		assert_int_equal(pem_len, 0);
		tk_diag_clear(&diag);
		check_err("PEM buffer too small", TK_ERR_BUFFER_TOO_SMALL,
			  tk_crypto_key_export_pem(key, false, pem, 10, &small_len, &diag),
			  &diag);
		assert_int_equal(small_len, 0);
		tk_crypto_key_free(key);
		tk_crypto_key_free(back);
		tk_crypto_key_free(pub);
	}
}

/* X25519 and P-384 public keys made with `openssl genpkey` for these rows. */
static const char pem_x25519[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VuAyEAT4ywSCCwFxvLlMrxhnZeKTqLesJzeveuc2QV0gFieVY=\n"
	"-----END PUBLIC KEY-----\n";
static const char pem_p384[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEzsBGIKedg5HGzLK8kJ1s6GfzVhFQlV1K\n"
	"PdLE/d1dipuuGQuwHPyAFNNXw2JiTqHrj4AnjhZsD99C8YAqDkEjWJ2UrxW78EnD\n"
	"33LGq0NgiOY06NGDikimwPLD6JAiOf/i\n"
	"-----END PUBLIC KEY-----\n";

static void test_pem_reject_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const struct {
		const char *desc;
		const char *pem;
		tk_err expected;
	} rows[] = {
		{"not PEM", "hello", TK_ERR_KEY},
		{"SEC1 EC PRIVATE KEY block",
		 "-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n",
		 TK_ERR_KEY},
		{"PUBLIC KEY with garbage DER",
		 "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n", TK_ERR_KEY},
		{"X25519 public key", pem_x25519, TK_ERR_KEY},
		{"P-384 public key", pem_p384, TK_ERR_KEY},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_crypto_key *key = (struct tk_crypto_key *)&rows[i];
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err(rows[i].desc, rows[i].expected,
			  tk_crypto_key_import_pem(c, (const uint8_t *)rows[i].pem,
						   strlen(rows[i].pem), &key, &diag),
			  &diag);
		assert_null(key);
		assert_true(diag.msg[0] != '\0');
	}
}

/* Keys published with the vectors import: SUIT's private key, an SPKI key. */
static void test_pem_vector_files(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const struct {
		const char *path;
		enum tk_crypto_key_type type;
		bool has_private;
	} rows[] = {
		{"suit/manifest-spec/private_key.pem", TK_CRYPTO_KEY_P256, true},
		{"eat/veraison-c-ear/pkey.pem", TK_CRYPTO_KEY_P256, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[512];
		uint8_t buf[4096];
		size_t len;
		FILE *f;
		struct tk_crypto_key *key = NULL;
		struct tk_diag diag;

		snprintf(path, sizeof(path), "%s/%s", TK_VECTORS_DIR, rows[i].path);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		tk_diag_clear(&diag);
		check_err(rows[i].path, TK_OK,
			  tk_crypto_key_import_pem(c, buf, len, &key, &diag), &diag);
		assert_int_equal(tk_crypto_key_type(key), rows[i].type);
		assert_int_equal(tk_crypto_key_has_private(key), rows[i].has_private);
		tk_crypto_key_free(key);
	}
}

/* A provider with no operations fails every call with TK_ERR_UNSUPPORTED. */
static void test_empty_provider(void **state)
{
	static const struct tk_crypto_ops no_ops = {0};
	const struct tk_crypto empty = {&no_ops, NULL};
	uint8_t buf[32] = {0};
	uint8_t wide[64];
	size_t len = 0;
	struct tk_crypto_key *key = NULL;
	struct tk_crypto_hash_ctx h;
	struct tk_span part = tk_span_make("x", 1);
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("sha256", TK_ERR_UNSUPPORTED, tk_crypto_sha256(&empty, buf, 1, buf, &diag),
		  &diag);
	check_err("sha256_init", TK_ERR_UNSUPPORTED,
		  tk_crypto_sha256_init(&empty, &h, &diag), &diag);
	check_err("random", TK_ERR_UNSUPPORTED, tk_crypto_random(&empty, buf, 4, &diag),
		  &diag);
	check_err("generate", TK_ERR_UNSUPPORTED,
		  tk_crypto_key_generate(&empty, TK_CRYPTO_KEY_P256, &key, &diag), &diag);
	check_err("import pem", TK_ERR_UNSUPPORTED,
		  tk_crypto_key_import_pem(&empty, buf, 4, &key, &diag), &diag);
	check_err("hmac", TK_ERR_UNSUPPORTED,
		  tk_crypto_hmac_sha256(&empty, buf, 4, &part, 1, buf, &diag), &diag);
	check_err("aes_kw_wrap", TK_ERR_UNSUPPORTED,
		  tk_crypto_aes_kw_wrap(&empty, buf, 16, buf, 16, wide, sizeof(wide), &len,
					&diag), &diag);
	check_err("aead_seal", TK_ERR_UNSUPPORTED,
		  tk_crypto_aead_seal(&empty, TK_CRYPTO_AEAD_A128GCM, buf, 16, buf,
				      TK_SPAN_EMPTY, buf, 4, wide, sizeof(wide), &len, &diag),
		  &diag);
	check_err("aes_ctr", TK_ERR_UNSUPPORTED,
		  tk_crypto_aes_ctr(&empty, buf, 16, buf, buf, 4, wide, &diag), &diag);
	check_err("hkdf without hmac", TK_ERR_UNSUPPORTED,
		  tk_crypto_hkdf_sha256(&empty, TK_SPAN_EMPTY, part, part, wide, 8, &diag),
		  &diag);
	assert_null(key);
	assert_int_equal(diag.code, TK_ERR_UNSUPPORTED);
}

/* The OpenSSL error queue lands in the diagnostic message. */
static void test_openssl_diag(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const char bad[] =
		"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("bad PKCS#8", TK_ERR_KEY,
		  tk_crypto_key_import_pem(c, (const uint8_t *)bad, sizeof(bad) - 1, &key,
					   &diag), &diag);
	/* "what: error:<code>:<lib>::<reason>" from the drained queue. */
	assert_non_null(strstr(diag.msg, "PEM key does not decode: error:"));
}

/* RFC 5903 section 8.1: ECDH on P-256, both directions. */
static void test_ecdh_rfc5903(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t i[32], r[32], gix[32], giy[32], grx[32], gry[32];
	uint8_t z1[TK_CRYPTO_ECDH_SECRET_LEN], z2[TK_CRYPTO_ECDH_SECRET_LEN];
	struct tk_crypto_key *ki = NULL, *kr = NULL, *pub_i = NULL, *pub_r = NULL;
	struct tk_diag diag;

	(void)state;
	from_hex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433", i, 32);
	from_hex("dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180", gix, 32);
	from_hex("5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3", giy, 32);
	from_hex("c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53", r, 32);
	from_hex("d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63", grx, 32);
	from_hex("56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab", gry, 32);
	tk_diag_clear(&diag);
	check_err("import i", TK_OK,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, i, 32, &ki, &diag), &diag);
	check_err("import r", TK_OK,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, r, 32, &kr, &diag), &diag);
	check_err("import g^i", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, gix, 32, giy, 32, &pub_i,
					      &diag), &diag);
	check_err("import g^r", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, grx, 32, gry, 32, &pub_r,
					      &diag), &diag);
	check_err("ECDH i, g^r", TK_OK, tk_crypto_ecdh(ki, pub_r, z1, &diag), &diag);
	check_err("ECDH r, g^i", TK_OK, tk_crypto_ecdh(kr, pub_i, z2, &diag), &diag);
	assert_hex_equal("RFC 5903 g^ir", z1, 32,
			 "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
	assert_memory_equal(z1, z2, 32);
	check_err("ECDH without a private part", TK_ERR_KEY,
		  tk_crypto_ecdh(pub_i, pub_r, z1, &diag), &diag);
	tk_crypto_key_free(ki);
	tk_crypto_key_free(kr);
	tk_crypto_key_free(pub_i);
	tk_crypto_key_free(pub_r);
}

/* RFC 5869 appendix A, test cases 1 and 3 (empty salt and info). */
static void test_hkdf_rfc5869(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
	struct tk_diag diag;

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	for (size_t k = 0; k < sizeof(salt); k++)
		salt[k] = (uint8_t)k;
	for (size_t k = 0; k < sizeof(info); k++)
		info[k] = (uint8_t)(0xf0 + k);
	tk_diag_clear(&diag);
	check_err("case 1 extract", TK_OK,
		  tk_crypto_hkdf_sha256_extract(c, tk_span_make(salt, 13), tk_span_make(ikm, 22),
						prk, &diag), &diag);
	assert_hex_equal("case 1 PRK", prk, 32,
			 "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
	check_err("case 1", TK_OK,
		  tk_crypto_hkdf_sha256(c, tk_span_make(salt, 13), tk_span_make(ikm, 22),
					tk_span_make(info, 10), okm, 42, &diag), &diag);
	assert_hex_equal("case 1 OKM", okm, 42,
			 "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
			 "34007208d5b887185865");
	check_err("case 3", TK_OK,
		  tk_crypto_hkdf_sha256(c, TK_SPAN_EMPTY, tk_span_make(ikm, 22), TK_SPAN_EMPTY,
					okm, 42, &diag), &diag);
	assert_hex_equal("case 3 OKM", okm, 42,
			 "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
			 "9d201395faa4b61a96c8");
	check_err("output over the limit", TK_ERR_ARG,
		  tk_crypto_hkdf_sha256_expand(c, prk, TK_SPAN_EMPTY, okm,
					       TK_CRYPTO_HKDF_MAX_OUT + 1, &diag), &diag);
}

/* RFC 3394 sections 4.1 (128-bit KEK) and 4.6 (256-bit KEK, 256-bit data). */
static void test_aes_kw_rfc3394(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const struct {
		const char *desc;
		size_t kek_len;
		const char *data_hex;
		const char *wrapped_hex;
	} rows[] = {
		{"RFC 3394 4.1", 16, "00112233445566778899aabbccddeeff",
		 "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"},
		{"RFC 3394 4.6", 32,
		 "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
		 "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43b"
		 "fb988b9b7a02dd21"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t kek[32], data[32], wrapped[40], back[32];
		size_t data_len = from_hex(rows[i].data_hex, data, sizeof(data));
		size_t len = 0;
		struct tk_diag diag;

		for (size_t k = 0; k < sizeof(kek); k++)
			kek[k] = (uint8_t)k;
		tk_diag_clear(&diag);
		check_err(rows[i].desc, TK_OK,
			  tk_crypto_aes_kw_wrap(c, kek, rows[i].kek_len, data, data_len, wrapped,
						sizeof(wrapped), &len, &diag), &diag);
		assert_hex_equal(rows[i].desc, wrapped, len, rows[i].wrapped_hex);
		check_err(rows[i].desc, TK_OK,
			  tk_crypto_aes_kw_unwrap(c, kek, rows[i].kek_len, wrapped, len, back,
						  sizeof(back), &len, &diag), &diag);
		assert_int_equal(len, data_len);
		assert_memory_equal(back, data, data_len);

		/* One changed bit fails the integrity check. */
		wrapped[3] ^= 0x10;
		check_err("tampered wrapped key", TK_ERR_DECRYPT,
			  tk_crypto_aes_kw_unwrap(c, kek, rows[i].kek_len, wrapped,
						  data_len + 8, back, sizeof(back), &len, &diag),
			  &diag);
		assert_int_equal(len, 0);
		tk_diag_clear(&diag);
		check_err("KEK of 15 bytes", TK_ERR_KEY,
			  tk_crypto_aes_kw_wrap(c, kek, 15, data, data_len, wrapped,
						sizeof(wrapped), &len, &diag), &diag);
	}
}

/*
 * AEAD vectors: AES-GCM test case 2 of the GCM specification (McGrew and
 * Viega; zero key, nonce and block) and RFC 8439 section 2.8.2.
 */
static void test_aead_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const uint8_t zero_block[16] = {0};
	static const char sunscreen[] =
		"Ladies and Gentlemen of the class of '99: If I could offer you only one "
		"tip for the future, sunscreen would be it.";
	static const struct {
		const char *desc;
		enum tk_crypto_aead_alg alg;
		const char *key_hex;
		const char *nonce_hex;
		const char *aad_hex;
		const uint8_t *plaintext;
		size_t plaintext_len;
		const char *sealed_hex;
	} rows[] = {
		{"GCM test case 2", TK_CRYPTO_AEAD_A128GCM, "00000000000000000000000000000000",
		 "000000000000000000000000", "", zero_block, 16,
		 "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"},
		{"RFC 8439 2.8.2", TK_CRYPTO_AEAD_CHACHA20_POLY1305,
		 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
		 "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
		 (const uint8_t *)sunscreen, sizeof(sunscreen) - 1,
		 "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		 "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		 "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		 "3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *desc = rows[i].desc;
		uint8_t key[32], nonce[12], aad_buf[16], sealed[256], opened[256];
		size_t key_len = from_hex(rows[i].key_hex, key, sizeof(key));
		size_t aad_len = from_hex(rows[i].aad_hex, aad_buf, sizeof(aad_buf));
		struct tk_span aad = tk_span_make(aad_buf, aad_len);
		size_t len = 0, opened_len = 0;
		struct tk_diag diag;

		from_hex(rows[i].nonce_hex, nonce, sizeof(nonce));
		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_crypto_aead_seal(c, rows[i].alg, key, key_len, nonce, aad,
					      rows[i].plaintext, rows[i].plaintext_len, sealed,
					      sizeof(sealed), &len, &diag), &diag);
		assert_hex_equal(desc, sealed, len, rows[i].sealed_hex);
		check_err(desc, TK_OK,
			  tk_crypto_aead_open(c, rows[i].alg, key, key_len, nonce, aad, sealed,
					      len, opened, sizeof(opened), &opened_len, &diag),
			  &diag);
		assert_int_equal(opened_len, rows[i].plaintext_len);
		assert_memory_equal(opened, rows[i].plaintext, opened_len);

		/* Other AAD, then a changed tag: both fail and return nothing. */
		check_err("other AAD", TK_ERR_DECRYPT,
			  tk_crypto_aead_open(c, rows[i].alg, key, key_len, nonce,
					      tk_span_make(key, 3), sealed, len, opened,
					      sizeof(opened), &opened_len, &diag), &diag);
		assert_int_equal(opened_len, 0);
		tk_diag_clear(&diag);
		sealed[len - 1] ^= 1;
		check_err("changed tag", TK_ERR_DECRYPT,
			  tk_crypto_aead_open(c, rows[i].alg, key, key_len, nonce, aad, sealed,
					      len, opened, sizeof(opened), &opened_len, &diag),
			  &diag);
		tk_diag_clear(&diag);
		check_err("key of the wrong length", TK_ERR_KEY,
			  tk_crypto_aead_seal(c, rows[i].alg, key, key_len - 1, nonce, aad,
					      rows[i].plaintext, rows[i].plaintext_len, sealed,
					      sizeof(sealed), &len, &diag), &diag);
	}
}

/* NIST SP 800-38A F.5.1 (CTR-AES128) and F.5.5 (CTR-AES256), two blocks. */
static void test_aes_ctr_sp800_38a(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const struct {
		const char *desc;
		const char *key_hex;
		const char *ciphertext_hex;
	} rows[] = {
		{"F.5.1", "2b7e151628aed2a6abf7158809cf4f3c",
		 "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"},
		{"F.5.5", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		 "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t key[32], iv[16], text[32], plain[32];
		size_t key_len = from_hex(rows[i].key_hex, key, sizeof(key));
		struct tk_diag diag;

		from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, sizeof(iv));
		from_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
			 plain, sizeof(plain));
		memcpy(text, plain, sizeof(text));

		/* In place, as SUIT decrypts a payload buffer. */
		tk_diag_clear(&diag);
		check_err(rows[i].desc, TK_OK,
			  tk_crypto_aes_ctr(c, key, key_len, iv, text, sizeof(text), text, &diag),
			  &diag);
		assert_hex_equal(rows[i].desc, text, sizeof(text), rows[i].ciphertext_hex);
		check_err(rows[i].desc, TK_OK,
			  tk_crypto_aes_ctr(c, key, key_len, iv, text, sizeof(text), text, &diag),
			  &diag);
		assert_memory_equal(text, plain, sizeof(plain));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_misuse),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_ed25519_vectors),
		cmocka_unit_test(test_ecdsa_rfc6979_verify),
		cmocka_unit_test(test_p256_private_import),
		cmocka_unit_test(test_public_import_rows),
		cmocka_unit_test(test_sign_verify_rows),
		cmocka_unit_test(test_pem_round_trip),
		cmocka_unit_test(test_pem_reject_rows),
		cmocka_unit_test(test_pem_vector_files),
		cmocka_unit_test(test_empty_provider),
		cmocka_unit_test(test_openssl_diag),
		cmocka_unit_test(test_ecdh_rfc5903),
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_aes_kw_rfc3394),
		cmocka_unit_test(test_aead_vectors),
		cmocka_unit_test(test_aes_ctr_sp800_38a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
