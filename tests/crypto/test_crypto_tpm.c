/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the primitives of TPM credential protection: AES-CFB128
 * against the NIST SP 800-38A F.3.13 and F.3.14 vectors, and RSA-OAEP
 * with SHA-256 and a label to a certificate's key, checked by decrypting
 * with the openssl command-line tool (so the oracle is not the code under
 * test). Rows of bad inputs each have their code.
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

#include "crypto/tk_crypto.h"

static char dir[] = "/tmp/tk_oaep_XXXXXX";

/* An RSA 2048 certificate and key, and a P-256 certificate. */
static const char make_certs[] =
	"set -e\n"
	"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null\n"
	"openssl req -x509 -new -key rsa.key -subj '/CN=EK' -days 30 -outform DER -out rsa.der\n"
	"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key\n"
	"openssl req -x509 -new -key ec.key -subj '/CN=EC' -days 30 -outform DER -out ec.der\n";

/* NIST SP 800-38A, F.3.13 (CFB128-AES128.Encrypt); F.3.14 decrypts it back. */
static const uint8_t cfb_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};
static const uint8_t cfb_iv[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};
static const uint8_t cfb_plain[64] = {
	0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
	0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
	0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11, 0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
	0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17, 0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};
static const uint8_t cfb_cipher[64] = {
	0x3b, 0x3f, 0xd9, 0x2e, 0xb7, 0x2d, 0xad, 0x20, 0x33, 0x34, 0x49, 0xf8, 0xe8, 0x3c, 0xfb, 0x4a,
	0xc8, 0xa6, 0x45, 0x37, 0xa0, 0xb3, 0xa9, 0x3f, 0xcd, 0xe3, 0xcd, 0xad, 0x9f, 0x1c, 0xe5, 0x8b,
	0x26, 0x75, 0x1f, 0x67, 0xa3, 0xcb, 0xb1, 0x40, 0xb1, 0x80, 0x8c, 0xf1, 0x87, 0xa4, 0xf4, 0xdf,
	0xc0, 0x4b, 0x05, 0x35, 0x7c, 0x5d, 0x1c, 0x0e, 0xea, 0xc4, 0xc6, 0x6f, 0x9f, 0xf7, 0xf2, 0xe6,
};

/* The label a TPM uses for a credential seed, with its zero byte. */
static const uint8_t identity_label[] = "IDENTITY";

static void test_aes_cfb_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t out[64];
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_aes_cfb(c, true, cfb_key, sizeof(cfb_key), cfb_iv, cfb_plain,
					   sizeof(cfb_plain), out, &diag), TK_OK);
	assert_memory_equal(out, cfb_cipher, sizeof(out));
	assert_int_equal(tk_crypto_aes_cfb(c, false, cfb_key, sizeof(cfb_key), cfb_iv, out,
					   sizeof(out), out, &diag), TK_OK);
	assert_memory_equal(out, cfb_plain, sizeof(out));

	/* A partial block, as a credential of 34 bytes has. */
	assert_int_equal(tk_crypto_aes_cfb(c, true, cfb_key, sizeof(cfb_key), cfb_iv, cfb_plain,
					   34, out, &diag), TK_OK);
	assert_memory_equal(out, cfb_cipher, 34);
}

static void test_aes_cfb_bad_input(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_ops no_ops = {0};
	struct tk_crypto none = {&no_ops, NULL};
	uint8_t out[16];
	struct row {
		const char *desc;
		const struct tk_crypto *c;
		size_t key_len;
		const uint8_t *iv;
		tk_err expected;
	} rows[] = {
		{"key of 15 bytes", c, 15, cfb_iv, TK_ERR_KEY},
		{"NULL IV", c, 16, NULL, TK_ERR_ARG},
		{"provider without aes_cfb", &none, 16, cfb_iv, TK_ERR_UNSUPPORTED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tk_err err = tk_crypto_aes_cfb(rows[i].c, true, cfb_key, rows[i].key_len,
					       rows[i].iv, cfb_plain, 16, out, NULL);

		if (err != rows[i].expected)
			fail_msg("%s: expected %s, got %s", rows[i].desc,
				 tk_err_name(rows[i].expected), tk_err_name(err));
	}
}

static size_t load(const char *name, uint8_t *out, size_t cap)
{
	char path[128];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(out, 1, cap, f);
	fclose(f);
	return len;
}

static int setup(void **state)
{
	char command[256];
	FILE *f;

	(void)state;
	if (system("command -v openssl > /dev/null") != 0)
		return 0;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(command, sizeof(command), "%s/make.sh", dir);
	f = fopen(command, "w");
	if (f == NULL)
		return -1;
	fputs(make_certs, f);
	fclose(f);
	snprintf(command, sizeof(command), "cd %s && sh make.sh > /dev/null 2>&1", dir);
	return system(command) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	return system(command) == 0 ? 0 : -1;
}

/* Encrypt with the library, decrypt with the openssl tool. */
static void test_rsa_oaep_decrypts_with_openssl(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const uint8_t seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
					 31, 32};
	uint8_t cert[4096], out[TK_CRYPTO_RSA_MAX_LEN], plain[64];
	size_t cert_len, out_len = 0;
	char path[128], command[512];
	struct tk_diag diag;
	FILE *f;

	(void)state;
	if (dir[strlen(dir) - 1] == 'X')
		skip();
	cert_len = load("rsa.der", cert, sizeof(cert));
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_rsa_oaep_encrypt_cert(c, cert, cert_len, identity_label,
							 sizeof(identity_label), seed,
							 sizeof(seed), out, sizeof(out), &out_len,
							 &diag), TK_OK);
	assert_int_equal(out_len, 256);

	snprintf(path, sizeof(path), "%s/seed.enc", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out, 1, out_len, f), out_len);
	fclose(f);
	snprintf(command, sizeof(command),
		 "cd %s && openssl pkeyutl -decrypt -inkey rsa.key -in seed.enc -out seed.dec "
		 "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 "
		 "-pkeyopt rsa_mgf1_md:sha256 -pkeyopt rsa_oaep_label:4944454e5449545900",
		 dir);
	assert_int_equal(system(command), 0);
	assert_int_equal(load("seed.dec", plain, sizeof(plain)), sizeof(seed));
	assert_memory_equal(plain, seed, sizeof(seed));

	/* Without the label the tool does not decrypt it. */
	snprintf(command, sizeof(command),
		 "cd %s && openssl pkeyutl -decrypt -inkey rsa.key -in seed.enc -out seed.dec "
		 "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 "
		 "-pkeyopt rsa_mgf1_md:sha256 2> /dev/null", dir);
	assert_int_not_equal(system(command), 0);
}

static void test_rsa_oaep_bad_input(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t rsa[4096], ec[4096], out[TK_CRYPTO_RSA_MAX_LEN], big[200];
	size_t rsa_len, ec_len, out_len;
	struct row {
		const char *desc;
		const uint8_t *cert;
		size_t cert_len;
		size_t in_len;
		size_t out_cap;
		tk_err expected;
	} rows[4];

	(void)state;
	if (dir[strlen(dir) - 1] == 'X')
		skip();
	rsa_len = load("rsa.der", rsa, sizeof(rsa));
	ec_len = load("ec.der", ec, sizeof(ec));
	memset(big, 0x5a, sizeof(big));
	rows[0] = (struct row){"P-256 certificate", ec, ec_len, 32, sizeof(out), TK_ERR_KEY};
	rows[1] = (struct row){"truncated certificate", rsa, rsa_len - 1, 32, sizeof(out),
			       TK_ERR_KEY};
	rows[2] = (struct row){"output smaller than the modulus", rsa, rsa_len, 32, 255,
			       TK_ERR_BUFFER_TOO_SMALL};
	/* RSA 2048 with OAEP-SHA256 takes at most 256 - 66 = 190 bytes. */
	rows[3] = (struct row){"input of 191 bytes", rsa, rsa_len, 191, sizeof(out),
			       TK_ERR_ARG};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		out_len = 99;
		err = tk_crypto_rsa_oaep_encrypt_cert(c, rows[i].cert, rows[i].cert_len,
						      identity_label, sizeof(identity_label),
						      big, rows[i].in_len, out, rows[i].out_cap,
						      &out_len, &diag);
		if (err != rows[i].expected)
			fail_msg("%s: expected %s, got %s (%s)", rows[i].desc,
				 tk_err_name(rows[i].expected), tk_err_name(err), diag.msg);
		assert_int_equal(out_len, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aes_cfb_vectors),
		cmocka_unit_test(test_aes_cfb_bad_input),
		cmocka_unit_test(test_rsa_oaep_decrypts_with_openssl),
		cmocka_unit_test(test_rsa_oaep_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
