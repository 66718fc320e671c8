/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming ciphers of the OpenSSL 3.0 provider: AES-CTR, AES-GCM and
 * ChaCha20-Poly1305 through one EVP_CIPHER_CTX per stream. The wrappers in
 * tk_crypto_stream.c have checked key, IV and AAD lengths. EVP_CIPHER_CTX_free
 * cleanses the key schedule, so abort and final leave no key material.
 */
#include "crypto/tk_crypto_openssl.h"

#include <limits.h>

#include <openssl/err.h>
#include <openssl/evp.h>

/* Largest chunk passed to one EVP update call, which takes an int length. */
#define EVP_CHUNK_MAX (INT_MAX / 2)

static const EVP_CIPHER *stream_cipher(enum tk_crypto_cipher_alg alg)
{
	switch (alg) {
	case TK_CRYPTO_CIPHER_A128CTR:
		return EVP_aes_128_ctr();
	case TK_CRYPTO_CIPHER_A256CTR:
		return EVP_aes_256_ctr();
	case TK_CRYPTO_CIPHER_A128GCM:
		return EVP_aes_128_gcm();
	case TK_CRYPTO_CIPHER_A256GCM:
		return EVP_aes_256_gcm();
	case TK_CRYPTO_CIPHER_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	default:
		return NULL;
	}
}

static bool is_aead(enum tk_crypto_cipher_alg alg)
{
	return alg != TK_CRYPTO_CIPHER_A128CTR && alg != TK_CRYPTO_CIPHER_A256CTR;
}

/* Feed aad to a started AEAD context. */
static bool feed_aad(EVP_CIPHER_CTX *cctx, struct tk_span aad)
{
	int unused = 0;

	for (size_t done = 0; done < aad.len;) {
		int chunk = aad.len - done > EVP_CHUNK_MAX ? EVP_CHUNK_MAX
							   : (int)(aad.len - done);

		if (EVP_CipherUpdate(cctx, NULL, &unused, aad.ptr + done, chunk) != 1)
			return false;
		done += (size_t)chunk;
	}
	return true;
}

tk_err tk_crypto_ossl_cipher_init(void *ctx, enum tk_crypto_cipher_alg alg, bool encrypt,
				  const uint8_t *key, const uint8_t *iv, size_t iv_len,
				  struct tk_span aad, void **impl, struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *cipher = stream_cipher(alg);
	int enc = encrypt ? 1 : 0;
	bool ok;

	(void)ctx;
	*impl = NULL;
	if (cctx == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EVP_CIPHER_CTX_new failed");

	/* The AEADs need their 12-byte nonce length set before the key and IV. */
	ok = EVP_CipherInit_ex(cctx, cipher, NULL, NULL, NULL, enc) == 1;
	if (ok && is_aead(alg))
		ok = EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL) == 1;
	if (ok)
		ok = EVP_CipherInit_ex(cctx, NULL, NULL, key, iv, enc) == 1;
	if (ok && is_aead(alg))
		ok = feed_aad(cctx, aad);
	if (!ok) {
		EVP_CIPHER_CTX_free(cctx);
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "streaming cipher setup failed");
	}
	*impl = cctx;
	return TK_OK;
}

tk_err tk_crypto_ossl_cipher_update(void *ctx, void *impl, const uint8_t *in, size_t len,
				    uint8_t *out, struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = impl;

	(void)ctx;
	while (len > 0) {
		int chunk = len > EVP_CHUNK_MAX ? EVP_CHUNK_MAX : (int)len;
		int written = 0;

		/* CTR, GCM and ChaCha20-Poly1305 are stream modes: output
		 * length always equals input length. */
		if (EVP_CipherUpdate(cctx, out, &written, in, chunk) != 1 || written != chunk)
			return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "streaming cipher update failed");
		in += chunk;
		out += chunk;
		len -= (size_t)chunk;
	}
	return TK_OK;
}

/* End an encryption; write the tag of an AEAD. */
static tk_err final_encrypt(EVP_CIPHER_CTX *cctx, uint8_t *tag, struct tk_diag *diag)
{
	uint8_t rest[16];
	int rest_len = 0;

	if (EVP_CipherFinal_ex(cctx, rest, &rest_len) != 1 || rest_len != 0)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "streaming encryption final failed");
	if (tag != NULL && EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_GET_TAG,
					       TK_CRYPTO_AEAD_TAG_LEN, tag) != 1)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AEAD tag could not be read");
	return TK_OK;
}

/* End a decryption; check the tag of an AEAD. */
static tk_err final_decrypt(EVP_CIPHER_CTX *cctx, uint8_t *tag, struct tk_diag *diag)
{
	uint8_t rest[16];
	int rest_len = 0;

	if (tag != NULL && EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_SET_TAG,
					       TK_CRYPTO_AEAD_TAG_LEN, tag) != 1)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AEAD tag could not be set");
	if (EVP_CipherFinal_ex(cctx, rest, &rest_len) != 1 || rest_len != 0) {
		ERR_clear_error();
		return TK_FAIL(diag, TK_ERR_DECRYPT, "AEAD tag does not verify");
	}
	return TK_OK;
}

tk_err tk_crypto_ossl_cipher_final(void *ctx, void *impl,
				   uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN], struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = impl;
	tk_err err;

	(void)ctx;
	if (EVP_CIPHER_CTX_is_encrypting(cctx))
		err = final_encrypt(cctx, tag, diag);
	else
		err = final_decrypt(cctx, tag, diag);
	EVP_CIPHER_CTX_free(cctx);
	return err;
}

void tk_crypto_ossl_cipher_abort(void *ctx, void *impl)
{
	(void)ctx;
	EVP_CIPHER_CTX_free(impl);
}
