/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of external keys (crypto/tk_crypto_external.h): the handle signs
 * through its signer with the SHA-256 of the message parts, verifies and
 * exports like the public key it wraps, and never exports a private key.
 * The signer here is software: it checks the digest it is handed and
 * returns a signature made beforehand by an ordinary key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "crypto/tk_crypto.h"
#include "crypto/tk_crypto_external.h"

static const uint8_t message[] = "message signed in a device";

/* What the fake device does: compare the digest, return a fixed answer. */
struct fake_signer {
	uint8_t expected_digest[32];
	uint8_t signature[64];
	tk_err result;
	int calls;
};

static tk_err fake_sign(void *ctx, const uint8_t digest[32], uint8_t sig[64],
			struct tk_diag *diag)
{
	struct fake_signer *f = ctx;

	f->calls++;
	if (memcmp(digest, f->expected_digest, 32) != 0)
		return TK_FAIL(diag, TK_ERR_INTERNAL, "signer got another digest");
	if (f->result != TK_OK)
		return TK_FAIL(diag, f->result, "device failed");
	memcpy(sig, f->signature, 64);
	return TK_OK;
}

struct fixture {
	struct tk_crypto_key *software;  /* makes the device's signature */
	struct tk_crypto_key *external;
	struct fake_signer signer;
};

static void make_keys(struct fixture *fx)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_signer_ops ops = {fake_sign, &fx->signer};
	struct tk_span part = tk_span_make(message, sizeof(message));
	uint8_t x[32], y[32];
	size_t len = 0;

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &fx->software, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_sign(fx->software, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1,
					fx->signer.signature, &len, NULL), TK_OK);
	assert_int_equal(tk_crypto_sha256(c, message, sizeof(message),
					  fx->signer.expected_digest, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(fx->software, x, y, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_external(c, x, y, &ops, &fx->external, NULL), TK_OK);
}

static void free_keys(struct fixture *fx)
{
	tk_crypto_key_free(fx->external);
	tk_crypto_key_free(fx->software);
}

static void test_external_signs_digest(void **state)
{
	/* The message in two parts: the signer must see the hash of both. */
	struct tk_span parts[2] = {tk_span_make(message, 10),
				   tk_span_make(message + 10, sizeof(message) - 10)};
	struct tk_span whole = tk_span_make(message, sizeof(message));
	struct fixture fx;
	uint8_t sig[64];
	size_t sig_len = 0;

	(void)state;
	make_keys(&fx);
	assert_true(tk_crypto_key_has_private(fx.external));
	assert_int_equal(tk_crypto_key_type(fx.external), TK_CRYPTO_KEY_P256);
	assert_int_equal(tk_crypto_sign(fx.external, TK_CRYPTO_SIG_ECDSA_P256_SHA256, parts, 2,
					sig, &sig_len, NULL), TK_OK);
	assert_int_equal(fx.signer.calls, 1);
	assert_int_equal(sig_len, 64);
	assert_int_equal(tk_crypto_verify(fx.external, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &whole, 1,
					  sig, sig_len, NULL), TK_OK);
	assert_int_equal(tk_crypto_verify(fx.software, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &whole, 1,
					  sig, sig_len, NULL), TK_OK);
	free_keys(&fx);
}

static void test_external_failures(void **state)
{
	struct tk_span whole = tk_span_make(message, sizeof(message));
	struct fixture fx;
	uint8_t sig[64], pem[TK_CRYPTO_PEM_MAX], x[32], y[32], x2[32], y2[32];
	size_t sig_len = 0, pem_len = 0;
	struct tk_diag diag;

	(void)state;
	make_keys(&fx);

	/* A device failure reaches the caller, and no signature is left. */
	fx.signer.result = TK_ERR_DEVICE;
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_sign(fx.external, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &whole, 1,
					sig, &sig_len, &diag), TK_ERR_DEVICE);
	assert_int_equal(sig_len, 0);

	/* Ed25519 does not fit the key; ECDH has no private scalar to use,
	   and the wrapper rejects keys of two providers. */
	assert_int_equal(tk_crypto_sign(fx.external, TK_CRYPTO_SIG_ED25519, &whole, 1, sig,
					&sig_len, NULL), TK_ERR_KEY);
	assert_int_equal(tk_crypto_ecdh(fx.external, fx.software, sig, NULL), TK_ERR_KEY);

	/* The private key never leaves; the public one exports as usual. */
	assert_int_equal(tk_crypto_key_export_pem(fx.external, true, pem, sizeof(pem), &pem_len,
						  NULL), TK_ERR_KEY);
	assert_int_equal(pem_len, 0);
	assert_int_equal(tk_crypto_key_export_pem(fx.external, false, pem, sizeof(pem), &pem_len,
						  NULL), TK_OK);
	assert_true(pem_len > 26);
	assert_memory_equal(pem, "-----BEGIN PUBLIC KEY-----", 26);
	assert_int_equal(tk_crypto_key_export_public(fx.external, x, y, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(fx.software, x2, y2, NULL), TK_OK);
	assert_memory_equal(x, x2, 32);
	assert_memory_equal(y, y2, 32);

	/* A point off the curve is rejected when the handle is made. */
	{
		struct tk_crypto_signer_ops ops = {fake_sign, &fx.signer};
		struct tk_crypto_key *bad = NULL;

		x[31] ^= 1;
		assert_int_equal(tk_crypto_key_external(tk_crypto_openssl(), x, y, &ops, &bad,
							NULL), TK_ERR_KEY);
		assert_null(bad);
	}
	free_keys(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_external_signs_digest),
		cmocka_unit_test(test_external_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
