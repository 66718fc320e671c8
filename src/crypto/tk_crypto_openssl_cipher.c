/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key agreement and ciphers of the OpenSSL 3.0 provider: ECDH on P-256,
 * AES key wrap (RFC 3394), AES-GCM and ChaCha20-Poly1305, and AES-CTR,
 * all through EVP. The wrappers in tk_crypto_cipher.c have checked key,
 * nonce and buffer lengths before any of these runs.
 */
#include "crypto/tk_crypto_openssl.h"

#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/tk_crypto_key.h"

/* Largest chunk passed to one EVP update call, which takes an int length. */
#define EVP_CHUNK_MAX (INT_MAX / 2)

tk_err tk_crypto_ossl_ecdh(void *ctx, const struct tk_crypto_key *priv,
			   const struct tk_crypto_key *peer,
			   uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN], struct tk_diag *diag)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->impl, NULL);
	size_t len = TK_CRYPTO_ECDH_SECRET_LEN;
	tk_err err = TK_OK;

	(void)ctx;
	if (pctx == NULL || EVP_PKEY_derive_init(pctx) != 1 ||
	    EVP_PKEY_derive_set_peer(pctx, peer->impl) != 1 ||
	    EVP_PKEY_derive(pctx, secret, &len) != 1 || len != TK_CRYPTO_ECDH_SECRET_LEN)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDH P-256 failed");
	EVP_PKEY_CTX_free(pctx);
	return err;
}

/* Run in[0..len) through an initialised cipher context in chunks. */
static bool cipher_update(EVP_CIPHER_CTX *cctx, uint8_t *out, const uint8_t *in,
			  size_t len)
{
	while (len > 0) {
		int chunk = len > EVP_CHUNK_MAX ? EVP_CHUNK_MAX : (int)len;
		int written = 0;

		if (EVP_CipherUpdate(cctx, out, &written, in, chunk) != 1 ||
		    written != chunk)
			return false;
		in += chunk;
		out += chunk;
		len -= (size_t)chunk;
	}
	return true;
}

static const EVP_CIPHER *aes_wrap_cipher(size_t kek_len)
{
	return kek_len == 16 ? EVP_aes_128_wrap()
	       : kek_len == 24 ? EVP_aes_192_wrap() : EVP_aes_256_wrap();
}

/* One AES key wrap or unwrap of in_len bytes into out_len bytes. */
static tk_err aes_kw(const uint8_t *kek, size_t kek_len, const uint8_t *in,
		     size_t in_len, uint8_t *out, size_t out_len, int encrypt,
		     struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	int written = 0;
	int final_len = 0;
	tk_err err = TK_OK;

	if (cctx == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EVP_CIPHER_CTX_new failed");

	/* OpenSSL refuses the wrap modes unless this flag is set. */
	EVP_CIPHER_CTX_set_flags(cctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (in_len > INT_MAX ||
	    EVP_CipherInit_ex(cctx, aes_wrap_cipher(kek_len), NULL, kek, NULL, encrypt) != 1)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AES key wrap setup failed");
	else if (EVP_CipherUpdate(cctx, out, &written, in, (int)in_len) != 1 ||
		 EVP_CipherFinal_ex(cctx, out + written, &final_len) != 1 ||
		 (size_t)written + (size_t)final_len != out_len)
		err = encrypt ? TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AES key wrap failed")
			      : TK_FAIL_OPENSSL(diag, TK_ERR_DECRYPT,
						"AES key unwrap integrity check failed");
	EVP_CIPHER_CTX_free(cctx);
	return err;
}

tk_err tk_crypto_ossl_aes_kw_wrap(void *ctx, const uint8_t *kek, size_t kek_len,
				  const uint8_t *in, size_t in_len, uint8_t *out,
				  struct tk_diag *diag)
{
	(void)ctx;
	return aes_kw(kek, kek_len, in, in_len, out, in_len + TK_CRYPTO_AES_KW_OVERHEAD, 1,
		      diag);
}

tk_err tk_crypto_ossl_aes_kw_unwrap(void *ctx, const uint8_t *kek, size_t kek_len,
				    const uint8_t *in, size_t in_len, uint8_t *out,
				    struct tk_diag *diag)
{
	(void)ctx;
	return aes_kw(kek, kek_len, in, in_len, out, in_len - TK_CRYPTO_AES_KW_OVERHEAD, 0,
		      diag);
}

static const EVP_CIPHER *aead_cipher(enum tk_crypto_aead_alg alg)
{
	switch (alg) {
	case TK_CRYPTO_AEAD_A128GCM:
		return EVP_aes_128_gcm();
	case TK_CRYPTO_AEAD_A192GCM:
		return EVP_aes_192_gcm();
	case TK_CRYPTO_AEAD_A256GCM:
		return EVP_aes_256_gcm();
	default:
		return EVP_chacha20_poly1305();
	}
}

/* Set up an AEAD context (12-byte nonce) and feed it the AAD. */
static bool aead_start(EVP_CIPHER_CTX *cctx, enum tk_crypto_aead_alg alg,
		       const uint8_t *key, const uint8_t *nonce, struct tk_span aad,
		       int encrypt)
{
	int unused = 0;

	if (EVP_CipherInit_ex(cctx, aead_cipher(alg), NULL, NULL, NULL, encrypt) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_SET_IVLEN, TK_CRYPTO_AEAD_NONCE_LEN,
				NULL) != 1 ||
	    EVP_CipherInit_ex(cctx, NULL, NULL, key, nonce, encrypt) != 1)
		return false;
	for (size_t done = 0; done < aad.len;) {
		int chunk = aad.len - done > EVP_CHUNK_MAX ? EVP_CHUNK_MAX
							   : (int)(aad.len - done);

		if (EVP_CipherUpdate(cctx, NULL, &unused, aad.ptr + done, chunk) != 1)
			return false;
		done += (size_t)chunk;
	}
	return true;
}

tk_err tk_crypto_ossl_aead_seal(void *ctx, enum tk_crypto_aead_alg alg,
				const uint8_t *key, size_t key_len,
				const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
				struct tk_span aad, const uint8_t *in, size_t in_len,
				uint8_t *out, struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	int final_len = 0;
	tk_err err = TK_OK;

	(void)ctx;
	(void)key_len;
	if (cctx == NULL || !aead_start(cctx, alg, key, nonce, aad, 1) ||
	    !cipher_update(cctx, out, in, in_len) ||
	    EVP_CipherFinal_ex(cctx, out + in_len, &final_len) != 1 || final_len != 0 ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_GET_TAG, TK_CRYPTO_AEAD_TAG_LEN,
				out + in_len) != 1)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AEAD encryption failed");
	EVP_CIPHER_CTX_free(cctx);
	return err;
}

tk_err tk_crypto_ossl_aead_open(void *ctx, enum tk_crypto_aead_alg alg,
				const uint8_t *key, size_t key_len,
				const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
				struct tk_span aad, const uint8_t *in, size_t in_len,
				uint8_t *out, struct tk_diag *diag)
{
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	size_t ct_len = in_len - TK_CRYPTO_AEAD_TAG_LEN;
	uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN];
	int final_len = 0;
	tk_err err = TK_OK;

	(void)ctx;
	(void)key_len;

	/* Copy the tag first: out may overlap in. */
	memcpy(tag, in + ct_len, sizeof(tag));
	if (cctx == NULL || !aead_start(cctx, alg, key, nonce, aad, 0) ||
	    !cipher_update(cctx, out, in, ct_len) ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_AEAD_SET_TAG, sizeof(tag), tag) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AEAD decryption setup failed");
	} else if (EVP_CipherFinal_ex(cctx, out + ct_len, &final_len) != 1 ||
		   final_len != 0) {
		ERR_clear_error();
		err = TK_FAIL(diag, TK_ERR_DECRYPT, "AEAD tag does not verify");
	}
	EVP_CIPHER_CTX_free(cctx);
	return err;
}

tk_err tk_crypto_ossl_aes_ctr(void *ctx, const uint8_t *key, size_t key_len,
			      const uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN],
			      const uint8_t *in, size_t len, uint8_t *out,
			      struct tk_diag *diag)
{
	const EVP_CIPHER *cipher = key_len == 16   ? EVP_aes_128_ctr()
				   : key_len == 24 ? EVP_aes_192_ctr()
						   : EVP_aes_256_ctr();
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	tk_err err = TK_OK;

	(void)ctx;
	if (cctx == NULL || EVP_CipherInit_ex(cctx, cipher, NULL, key, iv, 1) != 1 ||
	    !cipher_update(cctx, out, in, len))
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AES-CTR failed");
	EVP_CIPHER_CTX_free(cctx);
	return err;
}
