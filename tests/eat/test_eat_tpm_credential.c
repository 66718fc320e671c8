/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of software TPM2_MakeCredential helpers: KDFa known answers
 * (computed with the KBKDFHMAC of Python's cryptography package, counter
 * before the fixed input, 32-bit counter and length), the checks of an
 * attestation key's TPMT_PUBLIC as rows with their codes, and the shape
 * of a credential. That swtpm activates these credentials is tested in
 * tests/tee/test_tee_tpm_credential.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eat/tk_eat_tpm_credential.h"

static const uint8_t seed[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/* An ECC P-256 restricted signing key, as the TPM backend creates its AK. */
static const uint8_t ak_public[88] = {
	0x00, 0x23, 0x00, 0x0b, 0x00, 0x05, 0x00, 0x72, 0x00, 0x00, /* type, nameAlg, attrs, policy */
	0x00, 0x10, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x03, 0x00, 0x10, /* sym, ECDSA SHA-256, P-256, kdf */
	0x00, 0x20, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
	0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1,
	0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x00, 0x20, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
	0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6,
	0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

static void test_kdfa_known_answers(void **state)
{
	static const uint8_t storage[16] = {
		0x7a, 0x58, 0xc2, 0x07, 0x9b, 0xee, 0x13, 0xe0, 0x0e, 0xd1, 0x60, 0xd6, 0x57, 0xae,
		0xca, 0xef,
	};
	static const uint8_t integrity[32] = {
		0xba, 0xcf, 0x68, 0x9f, 0x63, 0x4e, 0xce, 0x30, 0x1e, 0x1f, 0x1b, 0x15, 0xb0, 0x72,
		0xd9, 0xc8, 0x7d, 0xb6, 0xa6, 0x95, 0x85, 0xdb, 0x42, 0xb1, 0xa0, 0xcb, 0x8f, 0x73,
		0xeb, 0xe2, 0x69, 0x2e,
	};
	/* 40 bytes: two HMAC blocks, the second cut. */
	static const uint8_t two_blocks[40] = {
		0xf9, 0x3b, 0x3e, 0x22, 0xfd, 0xf4, 0x9e, 0xd9, 0xda, 0x1c, 0xe4, 0x29, 0x61, 0x83,
		0xab, 0x0c, 0x75, 0x00, 0xff, 0xd7, 0x67, 0x86, 0x3e, 0x3a, 0xf5, 0xde, 0xca, 0x30,
		0x11, 0xa2, 0x11, 0xd9, 0xdf, 0x24, 0x76, 0x36, 0xff, 0xa5, 0x1d, 0x8b,
	};
	static const uint8_t context_u[2] = {0x01, 0x02}, context_v[1] = {0x03};
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_span key = tk_span_make(seed, sizeof(seed));
	uint8_t name[34], out[40];

	(void)state;
	name[0] = 0x00;
	name[1] = 0x0b;
	for (int i = 0; i < 32; i++)
		name[2 + i] = (uint8_t)(0x40 + i);
	assert_int_equal(tk_eat_tpm_kdfa(c, key, "STORAGE", tk_span_make(name, sizeof(name)),
					 TK_SPAN_EMPTY, out, 16, NULL), TK_OK);
	assert_memory_equal(out, storage, sizeof(storage));
	assert_int_equal(tk_eat_tpm_kdfa(c, key, "INTEGRITY", TK_SPAN_EMPTY, TK_SPAN_EMPTY, out,
					 32, NULL), TK_OK);
	assert_memory_equal(out, integrity, sizeof(integrity));
	assert_int_equal(tk_eat_tpm_kdfa(c, key, "TEST", tk_span_make(context_u, 2),
					 tk_span_make(context_v, 1), out, 40, NULL), TK_OK);
	assert_memory_equal(out, two_blocks, sizeof(two_blocks));
	assert_int_equal(tk_eat_tpm_kdfa(c, key, "TEST", TK_SPAN_EMPTY, TK_SPAN_EMPTY, out, 0,
					 NULL), TK_ERR_ARG);
}

static void test_ak_parse_valid(void **state)
{
	struct tk_eat_tpm_ak ak;
	uint8_t digest[32];

	(void)state;
	assert_int_equal(tk_eat_tpm_ak_parse(tk_crypto_openssl(), ak_public, sizeof(ak_public),
					     &ak, NULL), TK_OK);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), ak_public, sizeof(ak_public),
					  digest, NULL), TK_OK);
	assert_int_equal(ak.name[0], 0x00);
	assert_int_equal(ak.name[1], 0x0b);
	assert_memory_equal(ak.name + 2, digest, 32);
	assert_memory_equal(ak.x, ak_public + 22, 32);
	assert_memory_equal(ak.y, ak_public + 56, 32);
	assert_int_equal(ak.attributes, 0x00050072u);
}

/* Each row changes one byte of ak_public (or its length). */
static void test_ak_parse_rejects(void **state)
{
	struct row {
		const char *desc;
		size_t offset;  /* byte to set, or SIZE_MAX for none */
		uint8_t value;
		size_t len;
		tk_err expected;
	} rows[] = {
		{"RSA type", 1, 0x01, sizeof(ak_public), TK_ERR_ALG_UNSUPPORTED},
		{"SHA-1 nameAlg", 3, 0x04, sizeof(ak_public), TK_ERR_ALG_UNSUPPORTED},
		{"not restricted", 5, 0x04, sizeof(ak_public), TK_ERR_KEY},
		{"decrypt as well", 5, 0x07, sizeof(ak_public), TK_ERR_KEY},
		{"not fixedTPM", 7, 0x70, sizeof(ak_public), TK_ERR_KEY},
		{"symmetric AES", 11, 0x06, sizeof(ak_public), TK_ERR_ALG_UNSUPPORTED},
		{"ECDAA scheme", 13, 0x1a, sizeof(ak_public), TK_ERR_ALG_UNSUPPORTED},
		{"curve P-384", 17, 0x04, sizeof(ak_public), TK_ERR_ALG_UNSUPPORTED},
		{"x of 33 bytes", 21, 0x21, sizeof(ak_public), TK_ERR_LIMIT_SIZE},
		{"truncated", SIZE_MAX, 0, sizeof(ak_public) - 1, TK_ERR_SCHEMA_LENGTH},
		{"trailing byte", SIZE_MAX, 0, sizeof(ak_public) + 1, TK_ERR_SCHEMA_LENGTH},
		{"over the limit", SIZE_MAX, 0, TK_EAT_TPM_PUBLIC_MAX + 1, TK_ERR_LIMIT_SIZE},
	};
	uint8_t buf[TK_EAT_TPM_PUBLIC_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_eat_tpm_ak ak;
		struct tk_diag diag;
		tk_err err;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, ak_public, sizeof(ak_public));
		if (rows[i].offset != SIZE_MAX)
			buf[rows[i].offset] = rows[i].value;
		tk_diag_clear(&diag);
		err = tk_eat_tpm_ak_parse(tk_crypto_openssl(), buf, rows[i].len, &ak, &diag);
		if (err != rows[i].expected)
			fail_msg("%s: expected %s, got %s (%s)", rows[i].desc,
				 tk_err_name(rows[i].expected), tk_err_name(err), diag.msg);
		assert_int_equal(ak.name[1], 0);
	}
}

/* Arguments are checked before any certificate is read. */
static void test_make_credential_arguments(void **state)
{
	static const uint8_t cert[4] = {0x30, 0x02, 0x05, 0x00};
	uint8_t name[TK_EAT_TPM_AK_NAME_LEN] = {0x00, 0x0b}, secret[33] = {1};
	struct tk_eat_tpm_credential cred;
	struct row {
		const char *desc;
		size_t name_len;
		size_t secret_len;
		tk_err expected;
	} rows[] = {
		{"name of 33 bytes", 33, 32, TK_ERR_ARG},
		{"empty credential", sizeof(name), 0, TK_ERR_ARG},
		{"credential of 33 bytes", sizeof(name), 33, TK_ERR_LIMIT_SIZE},
		{"certificate that is not X.509", sizeof(name), 32, TK_ERR_KEY},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_eat_tpm_make_credential(tk_crypto_openssl(),
						 tk_span_make(cert, sizeof(cert)),
						 tk_span_make(name, rows[i].name_len),
						 tk_span_make(secret, rows[i].secret_len), &cred,
						 &diag);
		if (err != rows[i].expected)
			fail_msg("%s: expected %s, got %s (%s)", rows[i].desc,
				 tk_err_name(rows[i].expected), tk_err_name(err), diag.msg);
		assert_int_equal(cred.id_object_len, 0);
		assert_int_equal(cred.encrypted_secret_len, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdfa_known_answers),
		cmocka_unit_test(test_ak_parse_valid),
		cmocka_unit_test(test_ak_parse_rejects),
		cmocka_unit_test(test_make_credential_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
