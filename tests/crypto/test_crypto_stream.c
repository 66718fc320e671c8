/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the streaming ciphers with published known answers: NIST SP
 * 800-38A F.5.1 and F.5.5 (AES-CTR), the GCM specification's test cases
 * 4 and 16 (AES-128-GCM and AES-256-GCM with AAD), RFC 8439 section 2.8.2
 * (ChaCha20-Poly1305) and the AES-CTR example of
 * draft-ietf-suit-firmware-encryption-24 section 6.2. Each vector is run in
 * several chunk sizes, and tampered tags, ciphertexts and bad arguments
 * must fail with their own error codes.
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

#define BUF_MAX 256

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

static void assert_bytes(const char *desc, const uint8_t *got, const uint8_t *want,
			 size_t len)
{
	if (memcmp(got, want, len) != 0) {
		print_error("%s: bytes differ\n", desc);
		fail();
	}
}

struct stream_row {
	const char *desc;
	enum tk_crypto_cipher_alg alg;
	const char *key, *iv, *aad, *plaintext, *ciphertext, *tag;
};

#define GCM_P "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define CTR_P "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
#define LADIES "4c616469657320616e642047656e746c656d656e206f662074686520636c6173" \
	       "73206f66202739393a204966204920636f756c64206f6666657220796f75206f" \
	       "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73" \
	       "637265656e20776f756c642062652069742e"

static const struct stream_row stream_rows[] = {
	{"SP 800-38A F.5.1 CTR-AES128", TK_CRYPTO_CIPHER_A128CTR,
	 "2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "", CTR_P,
	 "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff", NULL},
	{"SP 800-38A F.5.5 CTR-AES256", TK_CRYPTO_CIPHER_A256CTR,
	 "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	 "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "", CTR_P,
	 "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5", NULL},
	{"SUIT firmware encryption AES-CTR example", TK_CRYPTO_CIPHER_A128CTR,
	 "261de6165070fb8951ec5d7b92a065fe", "dae613b2e0dc55f4322be38bdba9dc68", "",
	 "546869732069732061207265616c206669726d7761726520696d6167652e",
	 "2bb8db522ae978246cc775c3b0241bd4b0333ffdd2db70c7ee7a4966e3b7", NULL},
	{"GCM test case 4", TK_CRYPTO_CIPHER_A128GCM, "feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P,
	 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	 "5bc94fbc3221a5db94fae95ae7121a47"},
	{"GCM test case 16", TK_CRYPTO_CIPHER_A256GCM,
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_P,
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	 "76fc6ece0f4e1768cddf8853bb2d551b"},
	{"RFC 8439 section 2.8.2", TK_CRYPTO_CIPHER_CHACHA20_POLY1305,
	 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	 "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7", LADIES,
	 "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	 "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	 "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	 "3ff4def08e4b7a9de576d26586cec64b6116",
	 "1ae10b594f09e26a7e902ecbd0600691"},
};

/* Decoded bytes of one row. */
struct stream_vec {
	uint8_t key[32], iv[16], aad[BUF_MAX], pt[BUF_MAX], ct[BUF_MAX], tag[16];
	size_t key_len, iv_len, aad_len, pt_len, ct_len;
};

static void decode_row(const struct stream_row *row, struct stream_vec *v)
{
	memset(v, 0, sizeof(*v));
	v->key_len = from_hex(row->key, v->key, sizeof(v->key));
	v->iv_len = from_hex(row->iv, v->iv, sizeof(v->iv));
	v->aad_len = from_hex(row->aad, v->aad, sizeof(v->aad));
	v->pt_len = from_hex(row->plaintext, v->pt, sizeof(v->pt));
	v->ct_len = from_hex(row->ciphertext, v->ct, sizeof(v->ct));
	if (row->tag != NULL)
		from_hex(row->tag, v->tag, sizeof(v->tag));
	assert_int_equal(v->pt_len, v->ct_len);
}

/* Run in through a started context in chunks of `chunk` bytes. */
static tk_err run_chunks(struct tk_crypto_cipher_ctx *cc, const uint8_t *in, size_t len,
			 size_t chunk, uint8_t *out, struct tk_diag *diag)
{
	tk_err err = TK_OK;

	for (size_t at = 0; err == TK_OK && at < len; at += chunk) {
		size_t n = len - at < chunk ? len - at : chunk;

		err = tk_crypto_cipher_update(cc, in + at, n, out + at, diag);
	}
	return err;
}

static const size_t chunk_sizes[] = {1, 7, 16, 17, BUF_MAX};

static void test_stream_known_answers(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (size_t r = 0; r < sizeof(stream_rows) / sizeof(stream_rows[0]); r++) {
		const struct stream_row *row = &stream_rows[r];
		bool aead = tk_crypto_cipher_is_aead(row->alg);
		struct stream_vec v;

		decode_row(row, &v);
		for (size_t s = 0; s < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); s++) {
			struct tk_crypto_cipher_ctx cc;
			struct tk_diag diag;
			uint8_t out[BUF_MAX], tag[16];

			tk_diag_clear(&diag);
			check_err(row->desc, TK_OK,
				  tk_crypto_cipher_init(c, &cc, row->alg, true, v.key, v.key_len,
							v.iv, v.iv_len,
							tk_span_make(v.aad, v.aad_len), &diag),
				  &diag);
			check_err(row->desc, TK_OK,
				  run_chunks(&cc, v.pt, v.pt_len, chunk_sizes[s], out, &diag),
				  &diag);
			check_err(row->desc, TK_OK,
				  tk_crypto_cipher_final_encrypt(&cc, aead ? tag : NULL, &diag),
				  &diag);
			assert_bytes(row->desc, out, v.ct, v.ct_len);
			if (aead)
				assert_bytes(row->desc, tag, v.tag, sizeof(tag));

			check_err(row->desc, TK_OK,
				  tk_crypto_cipher_init(c, &cc, row->alg, false, v.key, v.key_len,
							v.iv, v.iv_len,
							tk_span_make(v.aad, v.aad_len), &diag),
				  &diag);
			check_err(row->desc, TK_OK,
				  run_chunks(&cc, v.ct, v.ct_len, chunk_sizes[s], out, &diag),
				  &diag);
			check_err(row->desc, TK_OK,
				  tk_crypto_cipher_final_decrypt(&cc, aead ? v.tag : NULL, &diag),
				  &diag);
			assert_bytes(row->desc, out, v.pt, v.pt_len);
		}
	}
}

/* Decrypt v (ciphertext possibly altered) and return the final result. */
static tk_err decrypt_vec(const struct stream_row *row, const struct stream_vec *v,
			  struct tk_diag *diag)
{
	struct tk_crypto_cipher_ctx cc;
	uint8_t out[BUF_MAX];
	tk_err err;

	err = tk_crypto_cipher_init(tk_crypto_openssl(), &cc, row->alg, false, v->key,
				    v->key_len, v->iv, v->iv_len,
				    tk_span_make(v->aad, v->aad_len), diag);
	if (err == TK_OK)
		err = tk_crypto_cipher_update(&cc, v->ct, v->ct_len, out, diag);
	if (err == TK_OK)
		err = tk_crypto_cipher_final_decrypt(&cc, v->tag, diag);
	tk_crypto_cipher_abort(&cc);
	return err;
}

static void test_stream_tampered(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(stream_rows) / sizeof(stream_rows[0]); r++) {
		const struct stream_row *row = &stream_rows[r];
		struct stream_vec v;
		struct tk_diag diag;

		if (!tk_crypto_cipher_is_aead(row->alg))
			continue;
		decode_row(row, &v);
		v.tag[15] ^= 0x01;
		tk_diag_clear(&diag);
		check_err("altered tag", TK_ERR_DECRYPT, decrypt_vec(row, &v, &diag), &diag);

		decode_row(row, &v);
		v.ct[0] ^= 0x80;
		tk_diag_clear(&diag);
		check_err("altered ciphertext", TK_ERR_DECRYPT, decrypt_vec(row, &v, &diag),
			  &diag);

		decode_row(row, &v);
		v.aad[0] ^= 0x01;
		tk_diag_clear(&diag);
		check_err("altered AAD", TK_ERR_DECRYPT, decrypt_vec(row, &v, &diag), &diag);

		decode_row(row, &v);
		v.key[0] ^= 0x01;
		tk_diag_clear(&diag);
		check_err("wrong key", TK_ERR_DECRYPT, decrypt_vec(row, &v, &diag), &diag);
	}
}

static void test_stream_bad_arguments(void **state)
{
	static const struct tk_crypto_ops no_ops = {0};
	const struct tk_crypto none = {&no_ops, NULL};
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t key[32] = {0}, iv[16] = {0}, aad[4] = {0}, buf[4] = {0}, tag[16] = {0};
	struct tk_crypto_cipher_ctx cc;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("A128GCM with a 32-byte key", TK_ERR_KEY,
		  tk_crypto_cipher_init(c, &cc, TK_CRYPTO_CIPHER_A128GCM, false, key, 32, iv, 12,
					TK_SPAN_EMPTY, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("A128CTR with a 12-byte IV", TK_ERR_ARG,
		  tk_crypto_cipher_init(c, &cc, TK_CRYPTO_CIPHER_A128CTR, false, key, 16, iv, 12,
					TK_SPAN_EMPTY, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("A128CTR with AAD", TK_ERR_ARG,
		  tk_crypto_cipher_init(c, &cc, TK_CRYPTO_CIPHER_A128CTR, false, key, 16, iv, 16,
					tk_span_make(aad, sizeof(aad)), &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("unknown algorithm", TK_ERR_ALG_UNSUPPORTED,
		  tk_crypto_cipher_init(c, &cc, (enum tk_crypto_cipher_alg)99, false, key, 16,
					iv, 16, TK_SPAN_EMPTY, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("provider without streaming ciphers", TK_ERR_UNSUPPORTED,
		  tk_crypto_cipher_init(&none, &cc, TK_CRYPTO_CIPHER_A128CTR, false, key, 16, iv,
					16, TK_SPAN_EMPTY, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("update before init", TK_ERR_STATE,
		  tk_crypto_cipher_update(&cc, buf, sizeof(buf), buf, &diag), &diag);

	/* A GCM decryption ended without a tag is misuse, and releases cc. */
	tk_diag_clear(&diag);
	check_err("GCM init", TK_OK,
		  tk_crypto_cipher_init(c, &cc, TK_CRYPTO_CIPHER_A128GCM, false, key, 16, iv, 12,
					TK_SPAN_EMPTY, &diag),
		  &diag);
	check_err("GCM final without tag", TK_ERR_ARG,
		  tk_crypto_cipher_final_decrypt(&cc, NULL, &diag), &diag);
	assert_null(cc.impl);
	tk_diag_clear(&diag);
	check_err("final after release", TK_ERR_STATE,
		  tk_crypto_cipher_final_decrypt(&cc, tag, &diag), &diag);
	tk_crypto_cipher_abort(&cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_known_answers),
		cmocka_unit_test(test_stream_tampered),
		cmocka_unit_test(test_stream_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
