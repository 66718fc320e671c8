/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of SUIT payload encryption (draft-ietf-suit-firmware-encryption-24):
 * the KDF context against the draft's vector, the four published
 * encryption-info and payload pairs, the encrypted personalization data of
 * the TEEP protocol draft's example, a table of failures each with its own
 * error code, encrypt/decrypt round trips, and an independent Python
 * oracle (cbor2 and cryptography) in both directions.
 *
 * Keys from the vectors' documentation: the AES-KW KEK is 16 bytes of
 * 0x61 with kid "kid-1"; the ES-DH recipient key is the P-256 key with
 * d = 60FE6DD6...C476B3 printed in the TEEP protocol draft.
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
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_encryption.h"

#define FE_DIR TK_VECTORS_DIR "/suit/firmware-encryption/"
#define BUF_CAP 4096
#define ORACLE_PYTHON "/usr/bin/python3"

static const char firmware_plaintext[] = "This is a real firmware image.";
static const char recipient_d_hex[] =
	"60fe6dd6d85d5740a5349b6f91267eeac5ba81b8cb53ee249e4b4eb102c476b3";

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

/* Decode the hex digits of text (other characters skipped) into out. */
static size_t from_hex(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int half = -1;

	for (const char *p = text; *p != '\0'; p++) {
		int v;

		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			continue;
		if (half < 0) {
			half = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(half << 4 | v);
		half = -1;
	}
	return n;
}

static void to_hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
	out[2 * len] = '\0';
}

/* Read a hex vector file of the firmware encryption draft into out. */
static size_t read_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[512], text[2 * BUF_CAP + 1];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", FE_DIR, name);
	f = fopen(path, "r");
	if (f == NULL) {
		print_error("cannot open %s\n", path);
		fail();
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return from_hex(text, out, cap);
}

/* A platform whose unwrap_cek hook unwraps with one key, as a TEE would. */
struct test_platform {
	struct tk_suit_unwrap_key key;
	size_t calls;
};

static tk_err test_unwrap(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
			  size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	struct test_platform *tp = ctx;

	tp->calls++;
	return tk_suit_unwrap_cek(tk_crypto_openssl(), recipient, &tp->key, cek, cek_cap,
				  cek_len, diag);
}

/* Sink collecting plaintext; fail_with makes it fail instead. */
struct collect {
	uint8_t buf[BUF_CAP];
	size_t len;
	tk_err fail_with;
};

static tk_err collect_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct collect *c = ctx;

	if (c->fail_with != TK_OK)
		return TK_FAIL(diag, c->fail_with, "test sink failure");
	if (len > sizeof(c->buf) - c->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "test sink full");
	memcpy(c->buf + c->len, chunk, len);
	c->len += len;
	return TK_OK;
}

/* Run begin, update in chunks of `chunk` bytes, and finish. */
static tk_err decrypt_all(const struct tk_suit_platform_ops *ops, const uint8_t *info,
			  size_t info_len, const uint8_t *ct, size_t ct_len, size_t chunk,
			  struct collect *out, struct tk_diag *diag)
{
	struct tk_suit_sink sink = {collect_write, out};
	struct tk_suit_decrypt_ctx ctx;
	tk_err err;

	err = tk_suit_decrypt_begin(&ctx, tk_span_make(info, info_len), ops,
				    tk_crypto_openssl(), diag);
	for (size_t at = 0; err == TK_OK && at < ct_len; at += chunk) {
		size_t n = ct_len - at < chunk ? ct_len - at : chunk;

		err = tk_suit_decrypt_update(&ctx, ct + at, n, &sink, diag);
	}
	if (err == TK_OK)
		err = tk_suit_decrypt_finish(&ctx, &sink, diag);
	tk_suit_decrypt_wipe(&ctx);
	return err;
}

static struct tk_crypto_key *recipient_key(void)
{
	struct tk_crypto_key *key = NULL;
	uint8_t d[32];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	from_hex(recipient_d_hex, d, sizeof(d));
	check_err("import recipient key", TK_OK,
		  tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, d,
					       sizeof(d), &key, &diag),
		  &diag);
	return key;
}

static const uint8_t kek_61[16] = "aaaaaaaaaaaaaaaa";

/* The platform for a vector: KEK "kid-1" or the ES-DH recipient key. */
static void setup_platform(struct test_platform *tp, struct tk_suit_platform_ops *ops,
			   bool ecdh, const struct tk_crypto_key *key)
{
	memset(tp, 0, sizeof(*tp));
	memset(ops, 0, sizeof(*ops));
	if (ecdh) {
		tp->key.private_key = key;
	} else {
		tp->key.kek = kek_61;
		tp->key.kek_len = sizeof(kek_61);
		tp->key.kid = tk_span_make("kid-1", 5);
	}
	ops->unwrap_cek = test_unwrap;
	ops->ctx = tp;
}

static void test_kdf_context_vector(void **state)
{
	/* a128kw_kdf_context.diag encoded: [-3, [null, null, null], [null,
	 * null, null], [128, << {1: -29} >>, 'SUIT Payload Encryption']]. */
	static const char expected_hex[] =
		"842283f6f6f683f6f6f683188044a101381c5753554954205061796c6f616420456e"
		"6372797074696f6e";
	static const uint8_t protected_esdh[] = {0xa1, 0x01, 0x38, 0x1c};
	uint8_t expected[64], out[TK_SUIT_KDF_CONTEXT_MAX];
	size_t expected_len = from_hex(expected_hex, expected, sizeof(expected));
	size_t out_len = 0;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("KDF context", TK_OK,
		  tk_suit_kdf_context_encode(TK_COSE_ALG_A128KW, 16,
					     tk_span_make(protected_esdh,
							  sizeof(protected_esdh)),
					     out, sizeof(out), &out_len, &diag),
		  &diag);
	assert_int_equal(out_len, expected_len);
	assert_memory_equal(out, expected, expected_len);

	tk_diag_clear(&diag);
	check_err("KDF context in a small buffer", TK_ERR_BUFFER_TOO_SMALL,
		  tk_suit_kdf_context_encode(TK_COSE_ALG_A128KW, 16,
					     tk_span_make(protected_esdh,
							  sizeof(protected_esdh)),
					     out, 10, &out_len, &diag),
		  &diag);
	assert_int_equal(out_len, 0);
}

static const struct {
	const char *info, *payload;
	bool ecdh;
} vector_rows[] = {
	{"suit-encryption-info-aes-kw-aes-ctr.hex", "encrypted-payload-aes-kw-aes-ctr.hex", false},
	{"suit-encryption-info-aes-kw-aes-gcm.hex", "encrypted-payload-aes-kw-aes-gcm.hex", false},
	{"suit-encryption-info-es-ecdh-aes-ctr.hex", "encrypted-payload-es-ecdh-aes-ctr.hex", true},
	{"suit-encryption-info-es-ecdh-aes-gcm.hex", "encrypted-payload-es-ecdh-aes-gcm.hex", true},
};

static const size_t chunk_sizes[] = {1, 5, 16, 17, BUF_CAP};

static void test_vectors_decrypt(void **state)
{
	struct tk_crypto_key *key = recipient_key();

	(void)state;
	for (size_t r = 0; r < sizeof(vector_rows) / sizeof(vector_rows[0]); r++) {
		uint8_t info[BUF_CAP], ct[BUF_CAP];
		size_t info_len = read_vector(vector_rows[r].info, info, sizeof(info));
		size_t ct_len = read_vector(vector_rows[r].payload, ct, sizeof(ct));

		for (size_t s = 0; s < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); s++) {
			struct tk_suit_platform_ops ops;
			struct test_platform tp;
			struct collect out = {{0}, 0, TK_OK};
			struct tk_diag diag;

			setup_platform(&tp, &ops, vector_rows[r].ecdh, key);
			tk_diag_clear(&diag);
			check_err(vector_rows[r].info, TK_OK,
				  decrypt_all(&ops, info, info_len, ct, ct_len, chunk_sizes[s],
					      &out, &diag),
				  &diag);
			assert_int_equal(out.len, strlen(firmware_plaintext));
			assert_memory_equal(out.buf, firmware_plaintext, out.len);
			assert_int_equal(tp.calls, 1);
		}
	}
	tk_crypto_key_free(key);
}

/* The encryption info and content of the personalization data in the TEEP
 * protocol draft's suit_personalization example (install section, the
 * override-parameters before directive-write). */
static const char pd_info_hex[] =
	"d8608440a20139fffd055067e3ba7cd42d02bbc39c508b5ea0f1c4f6818344a10138"
	"1ca120a401022001215820f2452399667f57993b14c5f1107f667884854c190894fc"
	"08531c1e2290a7ba19225820275edde29fd75c9393affa706f8fad3c49d03d67d47f"
	"8b0c027be5f0bca884cb58187d806da1acec6f704d803f0cfe7420525c81e1957699"
	"fcce";
static const char pd_ct_hex[] =
	"6d5be4f569e98ae01f38b071ef025437b742ff28854ab32c868bc6a76cd33b5ca112"
	"ff22ba95ea4672b7199c89a7829183794a21a6be345c4371dcb0dc";
/* The example's validate section: SHA-256 of the plaintext config.json. */
static const char pd_digest_hex[] =
	"8273468fb64bd84bb04825f8371744d952b751c73a60f455af681e167726f116";

static void test_personalization_data(void **state)
{
	static const char pd[] =
		"{\"name\":\"FOO Bar\",\"secret\":\"0123456789abfcdef0123456789abcd\"}";
	struct tk_crypto_key *key = recipient_key();
	uint8_t info[512], ct[128], want[32], got[32];
	size_t info_len = from_hex(pd_info_hex, info, sizeof(info));
	size_t ct_len = from_hex(pd_ct_hex, ct, sizeof(ct));
	struct tk_suit_platform_ops ops;
	struct test_platform tp;
	struct collect out = {{0}, 0, TK_OK};
	struct tk_diag diag;

	(void)state;
	setup_platform(&tp, &ops, true, key);
	tk_diag_clear(&diag);
	check_err("personalization data", TK_OK,
		  decrypt_all(&ops, info, info_len, ct, ct_len, 7, &out, &diag), &diag);
	assert_int_equal(out.len, 61);
	assert_memory_equal(out.buf, pd, 61);

	from_hex(pd_digest_hex, want, sizeof(want));
	check_err("digest", TK_OK,
		  tk_crypto_sha256(tk_crypto_openssl(), out.buf, out.len, got, &diag), &diag);
	assert_memory_equal(got, want, sizeof(want));
	tk_crypto_key_free(key);
}

/* Changes a failure row makes to a vector before decrypting it. */
enum mutation {
	MUT_NONE,
	MUT_WRONG_KEK,      /* another 16-byte KEK with the same kid */
	MUT_WRONG_KID,      /* the platform's key has kid "kid-2" */
	MUT_WRONG_PRIVATE,  /* another P-256 private key */
	MUT_KEK_ONLY,       /* the platform has a KEK but no private key */
	MUT_NO_HOOK,        /* no unwrap_cek hook */
	MUT_INFO_BYTE,      /* XOR 0x01 into info[offset] */
	MUT_INFO_SET,       /* set info[offset] = value */
	MUT_INFO_TRUNCATE,  /* drop the last info byte */
	MUT_CT_BYTE,        /* XOR 0x01 into ct[offset] */
	MUT_TAG_BYTE,       /* XOR 0x01 into the last ct byte */
	MUT_CT_TRUNCATE,    /* keep only `offset` ciphertext bytes */
	MUT_SINK_FAILS,     /* the sink fails with TK_ERR_IO */
};

static const struct failure_row {
	const char *desc;
	size_t vector;      /* index into vector_rows */
	enum mutation mutation;
	size_t offset;
	uint8_t value;
	tk_err expected;
} failure_rows[] = {
	{"AES-KW with a wrong KEK", 1, MUT_WRONG_KEK, 0, 0, TK_ERR_KEY},
	{"AES-KW with another kid", 0, MUT_WRONG_KID, 0, 0, TK_ERR_KEY},
	{"ES-DH with a wrong private key", 3, MUT_WRONG_PRIVATE, 0, 0, TK_ERR_KEY},
	{"ES-DH on a platform with only a KEK", 2, MUT_KEK_ONLY, 0, 0, TK_ERR_KEY},
	{"platform without unwrap hook", 0, MUT_NO_HOOK, 0, 0, TK_ERR_UNSUPPORTED},
	{"GCM ciphertext altered", 1, MUT_CT_BYTE, 3, 0, TK_ERR_DECRYPT},
	{"GCM tag altered", 1, MUT_TAG_BYTE, 0, 0, TK_ERR_DECRYPT},
	{"ES-DH GCM tag altered", 3, MUT_TAG_BYTE, 0, 0, TK_ERR_DECRYPT},
	{"GCM payload shorter than its tag", 1, MUT_CT_TRUNCATE, 10, 0, TK_ERR_DECRYPT},
	{"GCM payload without ciphertext", 1, MUT_CT_TRUNCATE, 16, 0, TK_ERR_DECRYPT},
	{"GCM IV altered in the info", 1, MUT_INFO_BYTE, 10, 0, TK_ERR_DECRYPT},
	{"GCM alg changed to A192GCM", 1, MUT_INFO_SET, 6, 0x02, TK_ERR_ALG_UNSUPPORTED},
	{"wrapped CEK altered in the info", 0, MUT_INFO_BYTE, 66, 0, TK_ERR_KEY},
	{"ES-DH recipient alg changed to ECDH-ES+A192KW", 2, MUT_INFO_SET, 34, 0x1d,
	 TK_ERR_ALG_UNSUPPORTED},
	{"ES-DH recipient alg changed to ECDH-ES+A256KW", 2, MUT_INFO_SET, 34, 0x1e,
	 TK_ERR_KEY},
	{"ES-DH ephemeral key x altered", 3, MUT_INFO_BYTE, 50, 0, TK_ERR_KEY},
	{"CTR alg changed to A192CTR", 0, MUT_INFO_SET, 8, 0xfc, TK_ERR_ALG_UNSUPPORTED},
	{"CTR IV label changed to partial IV", 0, MUT_INFO_SET, 9, 0x06, TK_ERR_UNSUPPORTED},
	{"info truncated", 0, MUT_INFO_TRUNCATE, 0, 0, TK_ERR_CBOR_LENGTH},
	{"info tag 97 instead of 96", 0, MUT_INFO_SET, 1, 0x61, TK_ERR_SCHEMA_TAG},
	{"sink failure stops the stream", 0, MUT_SINK_FAILS, 0, 0, TK_ERR_IO},
};

/* Apply a row's mutation to the platform or the vector. */
static void apply_mutation(const struct failure_row *row, struct test_platform *tp,
			   struct tk_suit_platform_ops *ops, uint8_t *info, size_t *info_len,
			   uint8_t *ct, size_t *ct_len, struct collect *out,
			   const struct tk_crypto_key *other_key)
{
	static const uint8_t other_kek[16] = "bbbbbbbbbbbbbbbb";

	switch (row->mutation) {
	case MUT_WRONG_KEK:
		tp->key.kek = other_kek;
		break;
	case MUT_WRONG_KID:
		tp->key.kid = tk_span_make("kid-2", 5);
		break;
	case MUT_WRONG_PRIVATE:
		tp->key.private_key = other_key;
		break;
	case MUT_KEK_ONLY:
		tp->key.private_key = NULL;
		tp->key.kek = kek_61;
		tp->key.kek_len = sizeof(kek_61);
		break;
	case MUT_NO_HOOK:
		ops->unwrap_cek = NULL;
		break;
	case MUT_INFO_BYTE:
		info[row->offset] ^= 0x01;
		break;
	case MUT_INFO_SET:
		info[row->offset] = row->value;
		break;
	case MUT_INFO_TRUNCATE:
		(*info_len)--;
		break;
	case MUT_CT_BYTE:
		ct[row->offset] ^= 0x01;
		break;
	case MUT_TAG_BYTE:
		ct[*ct_len - 1] ^= 0x01;
		break;
	case MUT_CT_TRUNCATE:
		*ct_len = row->offset;
		break;
	case MUT_SINK_FAILS:
		out->fail_with = TK_ERR_IO;
		break;
	default:
		break;
	}
}

static void test_decrypt_failures(void **state)
{
	struct tk_crypto_key *key = recipient_key();
	struct tk_crypto_key *other = NULL;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("generate other key", TK_OK,
		  tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &other, &diag),
		  &diag);
	for (size_t r = 0; r < sizeof(failure_rows) / sizeof(failure_rows[0]); r++) {
		const struct failure_row *row = &failure_rows[r];
		uint8_t info[BUF_CAP], ct[BUF_CAP];
		size_t info_len = read_vector(vector_rows[row->vector].info, info, sizeof(info));
		size_t ct_len = read_vector(vector_rows[row->vector].payload, ct, sizeof(ct));
		struct tk_suit_platform_ops ops;
		struct test_platform tp;
		struct collect out = {{0}, 0, TK_OK};

		setup_platform(&tp, &ops, vector_rows[row->vector].ecdh, key);
		apply_mutation(row, &tp, &ops, info, &info_len, ct, &ct_len, &out, other);
		tk_diag_clear(&diag);
		check_err(row->desc, row->expected,
			  decrypt_all(&ops, info, info_len, ct, ct_len, 7, &out, &diag), &diag);
	}
	tk_crypto_key_free(other);
	tk_crypto_key_free(key);
}

/* AES-CTR has no integrity: an altered ciphertext decrypts to other bytes,
 * which only a digest check (condition-image-match) can catch. */
static void test_ctr_needs_digest(void **state)
{
	uint8_t info[BUF_CAP], ct[BUF_CAP], digest[32], want[32];
	size_t info_len = read_vector(vector_rows[0].info, info, sizeof(info));
	size_t ct_len = read_vector(vector_rows[0].payload, ct, sizeof(ct));
	struct tk_suit_platform_ops ops;
	struct test_platform tp;
	struct collect out = {{0}, 0, TK_OK};
	struct tk_diag diag;

	(void)state;
	setup_platform(&tp, &ops, false, NULL);
	ct[4] ^= 0x01;
	tk_diag_clear(&diag);
	check_err("altered CTR ciphertext decrypts", TK_OK,
		  decrypt_all(&ops, info, info_len, ct, ct_len, 7, &out, &diag), &diag);
	assert_int_equal(out.len, strlen(firmware_plaintext));
	assert_int_equal(out.buf[4], (uint8_t)(firmware_plaintext[4] ^ 0x01));

	check_err("digest", TK_OK,
		  tk_crypto_sha256(tk_crypto_openssl(), out.buf, out.len, digest, &diag), &diag);
	check_err("digest", TK_OK,
		  tk_crypto_sha256(tk_crypto_openssl(), (const uint8_t *)firmware_plaintext,
				   strlen(firmware_plaintext), want, &diag),
		  &diag);
	assert_true(memcmp(digest, want, sizeof(want)) != 0);
}

static void test_encrypt0_and_limits(void **state)
{
	/* COSE_Encrypt0 {1: A128CTR, 5: IV} with a nil ciphertext. */
	static const char encrypt0_hex[] =
		"d08340a20139fffd0550dae613b2e0dc55f4322be38bdba9dc68f6";
	uint8_t info[TK_SUIT_MAX_ENCRYPTION_INFO + 1];
	size_t info_len = from_hex(encrypt0_hex, info, sizeof(info));
	struct tk_suit_platform_ops ops;
	struct test_platform tp;
	struct collect out = {{0}, 0, TK_OK};
	struct tk_suit_decrypt_ctx ctx;
	struct tk_suit_sink sink = {collect_write, &out};
	struct tk_diag diag;

	(void)state;
	setup_platform(&tp, &ops, false, NULL);
	tk_diag_clear(&diag);
	check_err("COSE_Encrypt0 info", TK_ERR_UNSUPPORTED,
		  decrypt_all(&ops, info, info_len, info, 0, 1, &out, &diag), &diag);

	memset(info, 0, sizeof(info));
	tk_diag_clear(&diag);
	check_err("oversized info", TK_ERR_LIMIT_SIZE,
		  decrypt_all(&ops, info, sizeof(info), info, 0, 1, &out, &diag), &diag);
	assert_int_equal(tp.calls, 0);

	memset(&ctx, 0, sizeof(ctx));
	tk_diag_clear(&diag);
	check_err("update before begin", TK_ERR_STATE,
		  tk_suit_decrypt_update(&ctx, info, 1, &sink, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("finish before begin", TK_ERR_STATE,
		  tk_suit_decrypt_finish(&ctx, &sink, &diag), &diag);
	tk_suit_decrypt_wipe(&ctx);
}

static const struct {
	int64_t content_alg, recipient_alg;
} roundtrip_rows[] = {
	{TK_COSE_ALG_A128CTR, TK_COSE_ALG_A128KW},
	{TK_COSE_ALG_A128GCM, TK_COSE_ALG_A128KW},
	{TK_COSE_ALG_A256CTR, TK_COSE_ALG_A256KW},
	{TK_COSE_ALG_A256GCM, TK_COSE_ALG_A256KW},
	{TK_COSE_ALG_A128CTR, TK_COSE_ALG_ECDH_ES_A128KW},
	{TK_COSE_ALG_A128GCM, TK_COSE_ALG_ECDH_ES_A128KW},
	{TK_COSE_ALG_CHACHA20_POLY1305, TK_COSE_ALG_ECDH_ES_A128KW},
};

static const uint8_t kek_32[32] = "0123456789abcdef0123456789abcdef";

/* Recipient for an algorithm, with the matching platform key. */
static void make_recipient(int64_t alg, const struct tk_crypto_key *key,
			   struct tk_suit_encrypt_recipient *r, struct test_platform *tp,
			   struct tk_suit_platform_ops *ops)
{
	memset(r, 0, sizeof(*r));
	setup_platform(tp, ops, alg == TK_COSE_ALG_ECDH_ES_A128KW, key);
	r->alg = alg;
	r->kid = tk_span_make("kid-1", 5);
	if (alg == TK_COSE_ALG_ECDH_ES_A128KW) {
		r->public_key = key;
	} else if (alg == TK_COSE_ALG_A128KW) {
		r->kek = kek_61;
		r->kek_len = sizeof(kek_61);
	} else {
		r->kek = kek_32;
		r->kek_len = sizeof(kek_32);
		tp->key.kek = kek_32;
		tp->key.kek_len = sizeof(kek_32);
	}
}

static void test_encrypt_roundtrip(void **state)
{
	struct tk_crypto_key *key = recipient_key();
	const struct tk_span pt = tk_span_make(firmware_plaintext, strlen(firmware_plaintext));

	(void)state;
	for (size_t i = 0; i < sizeof(roundtrip_rows) / sizeof(roundtrip_rows[0]); i++) {
		struct tk_suit_encrypt_recipient r;
		struct tk_suit_platform_ops ops;
		struct test_platform tp;
		struct collect out = {{0}, 0, TK_OK};
		uint8_t info[BUF_CAP], ct[BUF_CAP];
		size_t info_len = 0, ct_len = 0;
		bool aead = roundtrip_rows[i].content_alg != TK_COSE_ALG_A128CTR &&
			    roundtrip_rows[i].content_alg != TK_COSE_ALG_A256CTR;
		struct tk_diag diag;

		make_recipient(roundtrip_rows[i].recipient_alg, key, &r, &tp, &ops);
		tk_diag_clear(&diag);
		check_err("encrypt", TK_OK,
			  tk_suit_encrypt_payload(tk_crypto_openssl(),
						  roundtrip_rows[i].content_alg, &r, pt, info,
						  sizeof(info), &info_len, ct, sizeof(ct), &ct_len,
						  &diag),
			  &diag);
		assert_int_equal(ct_len, pt.len + (aead ? 16 : 0));
		check_err("decrypt", TK_OK,
			  decrypt_all(&ops, info, info_len, ct, ct_len, 3, &out, &diag), &diag);
		assert_int_equal(out.len, pt.len);
		assert_memory_equal(out.buf, pt.ptr, pt.len);

		tk_diag_clear(&diag);
		check_err("small info buffer", TK_ERR_BUFFER_TOO_SMALL,
			  tk_suit_encrypt_payload(tk_crypto_openssl(),
						  roundtrip_rows[i].content_alg, &r, pt, info, 20,
						  &info_len, ct, sizeof(ct), &ct_len, &diag),
			  &diag);
		assert_int_equal(info_len, 0);
		assert_int_equal(ct_len, 0);
	}
	tk_crypto_key_free(key);
}

static void test_encrypt_bad_arguments(void **state)
{
	struct tk_suit_encrypt_recipient r;
	uint8_t info[BUF_CAP], ct[BUF_CAP];
	size_t info_len = 0, ct_len = 0;
	struct tk_diag diag;
	const struct tk_span pt = tk_span_make(firmware_plaintext, strlen(firmware_plaintext));

	(void)state;
	memset(&r, 0, sizeof(r));
	r.alg = TK_COSE_ALG_A128KW;
	r.kek = kek_32;
	r.kek_len = sizeof(kek_32);
	tk_diag_clear(&diag);
	check_err("A128KW with a 32-byte KEK", TK_ERR_KEY,
		  tk_suit_encrypt_payload(tk_crypto_openssl(), TK_COSE_ALG_A128CTR, &r, pt, info,
					  sizeof(info), &info_len, ct, sizeof(ct), &ct_len, &diag),
		  &diag);
	r.kek_len = 16;
	tk_diag_clear(&diag);
	check_err("A192GCM content", TK_ERR_ALG_UNSUPPORTED,
		  tk_suit_encrypt_payload(tk_crypto_openssl(), TK_COSE_ALG_A192GCM, &r, pt, info,
					  sizeof(info), &info_len, ct, sizeof(ct), &ct_len, &diag),
		  &diag);
	r.alg = TK_COSE_ALG_ECDH_ES_A128KW;
	tk_diag_clear(&diag);
	check_err("ECDH-ES without a public key", TK_ERR_KEY,
		  tk_suit_encrypt_payload(tk_crypto_openssl(), TK_COSE_ALG_A128GCM, &r, pt, info,
					  sizeof(info), &info_len, ct, sizeof(ct), &ct_len, &diag),
		  &diag);
	r.alg = TK_COSE_ALG_DIRECT;
	tk_diag_clear(&diag);
	check_err("direct recipient", TK_ERR_ALG_UNSUPPORTED,
		  tk_suit_encrypt_payload(tk_crypto_openssl(), TK_COSE_ALG_A128GCM, &r, pt, info,
					  sizeof(info), &info_len, ct, sizeof(ct), &ct_len, &diag),
		  &diag);
}

/* Run the oracle with args and return its first output line. */
static void run_oracle(const char *args, char *line, size_t cap)
{
	char cmd[4 * BUF_CAP];
	FILE *p;
	int n;

	/* A cut command line would run the oracle on the wrong arguments. */
	n = snprintf(cmd, sizeof(cmd), "%s '%s/tests/suit/encryption_oracle.py' %s 2>&1",
		     ORACLE_PYTHON, TK_SOURCE_DIR, args);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, (int)cap, p) == NULL)
		line[0] = '\0';
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
}

static void test_python_oracle(void **state)
{
	struct tk_crypto_key *key = recipient_key();
	const struct tk_span pt = tk_span_make(firmware_plaintext, strlen(firmware_plaintext));
	char pt_hex[2 * sizeof(firmware_plaintext) + 1];
	uint8_t x[32], y[32], xy[64];
	char xy_hex[129];
	struct tk_diag diag;

	(void)state;
	to_hex(pt.ptr, pt.len, pt_hex);
	tk_diag_clear(&diag);
	check_err("export public", TK_OK, tk_crypto_key_export_public(key, x, y, &diag), &diag);
	memcpy(xy, x, 32);
	memcpy(xy + 32, y, 32);
	to_hex(xy, sizeof(xy), xy_hex);

	for (size_t i = 0; i < sizeof(roundtrip_rows) / sizeof(roundtrip_rows[0]); i++) {
		int64_t calg = roundtrip_rows[i].content_alg, ralg = roundtrip_rows[i].recipient_alg;
		bool ecdh = ralg == TK_COSE_ALG_ECDH_ES_A128KW;
		struct tk_suit_encrypt_recipient r;
		struct tk_suit_platform_ops ops;
		struct test_platform tp;
		struct collect out = {{0}, 0, TK_OK};
		uint8_t info[BUF_CAP], ct[BUF_CAP];
		char info_hex[2 * BUF_CAP + 1], ct_hex[2 * BUF_CAP + 1], key_hex[65];
		char args[6 * BUF_CAP], line[6 * BUF_CAP];
		size_t info_len = 0, ct_len = 0;

		/* We encrypt, the oracle decrypts. */
		make_recipient(ralg, key, &r, &tp, &ops);
		if (!ecdh)
			to_hex(r.kek, r.kek_len, key_hex);
		check_err("encrypt", TK_OK,
			  tk_suit_encrypt_payload(tk_crypto_openssl(), calg, &r, pt, info,
						  sizeof(info), &info_len, ct, sizeof(ct), &ct_len,
						  &diag),
			  &diag);
		to_hex(info, info_len, info_hex);
		to_hex(ct, ct_len, ct_hex);
		snprintf(args, sizeof(args), "decrypt %s %s %s %s", info_hex, ct_hex,
			 ecdh ? "p256" : "kek", ecdh ? recipient_d_hex : key_hex);
		run_oracle(args, line, sizeof(line));
		if (strcmp(line, pt_hex) != 0) {
			print_error("oracle decrypt row %zu: %s\n", i, line);
			fail();
		}

		/* The oracle encrypts, we decrypt. */
		snprintf(args, sizeof(args), "encrypt %lld %lld %s %s", (long long)calg,
			 (long long)ralg, ecdh ? xy_hex : key_hex, pt_hex);
		run_oracle(args, line, sizeof(line));
		assert_non_null(strchr(line, ' '));
		*strchr(line, ' ') = '\0';
		info_len = from_hex(line, info, sizeof(info));
		ct_len = from_hex(line + strlen(line) + 1, ct, sizeof(ct));
		check_err("decrypt the oracle's payload", TK_OK,
			  decrypt_all(&ops, info, info_len, ct, ct_len, 11, &out, &diag), &diag);
		assert_int_equal(out.len, pt.len);
		assert_memory_equal(out.buf, pt.ptr, pt.len);
	}
	tk_crypto_key_free(key);
}

/* A recipient with an HKDF salt (label -20, RFC 9053 section 5.1), which
 * our encoder never writes: the oracle encrypts with one, we decrypt. */
static void test_python_oracle_salt(void **state)
{
	struct tk_crypto_key *key = recipient_key();
	char pt_hex[2 * sizeof(firmware_plaintext) + 1], xy_hex[129], args[1024];
	char line[4 * BUF_CAP];
	uint8_t x[32], y[32], xy[64], info[BUF_CAP], ct[BUF_CAP];
	struct tk_suit_platform_ops ops;
	struct test_platform tp;
	struct collect out = {{0}, 0, TK_OK};
	size_t info_len, ct_len;
	struct tk_diag diag;

	(void)state;
	to_hex((const uint8_t *)firmware_plaintext, strlen(firmware_plaintext), pt_hex);
	tk_diag_clear(&diag);
	check_err("export public", TK_OK, tk_crypto_key_export_public(key, x, y, &diag), &diag);
	memcpy(xy, x, 32);
	memcpy(xy + 32, y, 32);
	to_hex(xy, sizeof(xy), xy_hex);
	snprintf(args, sizeof(args), "encrypt %d %d %s %s 000102030405060708090a0b0c0d0e0f",
		 TK_COSE_ALG_A128GCM, TK_COSE_ALG_ECDH_ES_A128KW, xy_hex, pt_hex);
	run_oracle(args, line, sizeof(line));
	assert_non_null(strchr(line, ' '));
	*strchr(line, ' ') = '\0';
	info_len = from_hex(line, info, sizeof(info));
	ct_len = from_hex(line + strlen(line) + 1, ct, sizeof(ct));

	setup_platform(&tp, &ops, true, key);
	check_err("decrypt with salt", TK_OK,
		  decrypt_all(&ops, info, info_len, ct, ct_len, 5, &out, &diag), &diag);
	assert_int_equal(out.len, strlen(firmware_plaintext));
	assert_memory_equal(out.buf, firmware_plaintext, out.len);
	tk_crypto_key_free(key);
}

/* The oracle must itself reject a changed GCM tag, or it proves nothing. */
static void test_python_oracle_rejects(void **state)
{
	uint8_t info[BUF_CAP], ct[BUF_CAP];
	size_t info_len = read_vector(vector_rows[1].info, info, sizeof(info));
	size_t ct_len = read_vector(vector_rows[1].payload, ct, sizeof(ct));
	char info_hex[2 * BUF_CAP + 1], ct_hex[2 * BUF_CAP + 1], args[6 * BUF_CAP];
	char line[1024];

	(void)state;
	to_hex(info, info_len, info_hex);
	ct[ct_len - 1] ^= 0x01;
	to_hex(ct, ct_len, ct_hex);
	snprintf(args, sizeof(args), "decrypt %s %s kek 61616161616161616161616161616161",
		 info_hex, ct_hex);
	run_oracle(args, line, sizeof(line));
	assert_memory_equal(line, "ERROR", 5);

	/* And it decrypts the published vector, so its KDF and layout agree. */
	ct[ct_len - 1] ^= 0x01;
	to_hex(ct, ct_len, ct_hex);
	snprintf(args, sizeof(args), "decrypt %s %s kek 61616161616161616161616161616161",
		 info_hex, ct_hex);
	run_oracle(args, line, sizeof(line));
	assert_string_equal(line,
			    "546869732069732061207265616c206669726d7761726520696d6167652e");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdf_context_vector),
		cmocka_unit_test(test_vectors_decrypt),
		cmocka_unit_test(test_personalization_data),
		cmocka_unit_test(test_decrypt_failures),
		cmocka_unit_test(test_ctr_needs_digest),
		cmocka_unit_test(test_encrypt0_and_limits),
		cmocka_unit_test(test_encrypt_roundtrip),
		cmocka_unit_test(test_encrypt_bad_arguments),
		cmocka_unit_test(test_python_oracle),
		cmocka_unit_test(test_python_oracle_salt),
		cmocka_unit_test(test_python_oracle_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
