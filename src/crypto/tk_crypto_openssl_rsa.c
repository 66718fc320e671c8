/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operations of the OpenSSL provider for TPM credential protection:
 * AES-CFB128 and RSA-OAEP (SHA-256, MGF1-SHA-256, with a label) to the
 * public key of an X.509 certificate, which is how a verifier encrypts a
 * credential seed to a TPM's endorsement key. RSA keys stay inside this
 * file: the crypto layer has no RSA key type.
 */
#include "crypto/tk_crypto_openssl.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

tk_err tk_crypto_ossl_aes_cfb(void *ctx, bool encrypt, const uint8_t *key,
			      size_t key_len, const uint8_t iv[TK_CRYPTO_AES_CFB_IV_LEN],
			      const uint8_t *in, size_t len, uint8_t *out,
			      struct tk_diag *diag)
{
	const EVP_CIPHER *cipher = key_len == 16   ? EVP_aes_128_cfb128()
				   : key_len == 24 ? EVP_aes_192_cfb128()
						   : EVP_aes_256_cfb128();
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	int out_len = 0, final_len = 0;
	tk_err err = TK_OK;

	(void)ctx;
	if (cctx == NULL || len > INT32_MAX ||
	    EVP_CipherInit_ex(cctx, cipher, NULL, key, iv, encrypt ? 1 : 0) != 1 ||
	    EVP_CipherUpdate(cctx, out, &out_len, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(cctx, out + out_len, &final_len) != 1 ||
	    (size_t)out_len + (size_t)final_len != len)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "AES-CFB failed");
	EVP_CIPHER_CTX_free(cctx);
	return err;
}

/* The RSA public key of a DER certificate; the caller frees *out. */
static tk_err cert_rsa_key(const uint8_t *cert, size_t cert_len, EVP_PKEY **out,
			   struct tk_diag *diag)
{
	const unsigned char *p = cert;
	X509 *x = d2i_X509(NULL, &p, (long)cert_len);

	*out = NULL;
	if (x == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "certificate is not valid DER");
	if (p != cert + cert_len) {
		X509_free(x);
		return TK_FAIL(diag, TK_ERR_KEY, "certificate has %zu bytes after its DER "
			       "encoding", (size_t)(cert + cert_len - p));
	}
	*out = X509_get_pubkey(x);
	X509_free(x);
	if (*out == NULL || EVP_PKEY_get_base_id(*out) != EVP_PKEY_RSA) {
		EVP_PKEY_free(*out);
		*out = NULL;
		ERR_clear_error();
		return TK_FAIL(diag, TK_ERR_KEY, "certificate does not hold an RSA key");
	}
	return TK_OK;
}

/* Set OAEP with SHA-256 and label on an encryption context. */
static bool oaep_setup(EVP_PKEY_CTX *pctx, const uint8_t *label, size_t label_len)
{
	unsigned char *copy = NULL;

	if (EVP_PKEY_encrypt_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
		return false;
	if (label_len == 0)
		return true;
	/* The context takes ownership of the label copy on success. */
	copy = OPENSSL_memdup(label, label_len);
	if (copy == NULL || EVP_PKEY_CTX_set0_rsa_oaep_label(pctx, copy, (int)label_len) != 1) {
		OPENSSL_free(copy);
		return false;
	}
	return true;
}

tk_err tk_crypto_ossl_rsa_oaep_encrypt_cert(void *ctx, const uint8_t *cert,
					    size_t cert_len, const uint8_t *label,
					    size_t label_len, const uint8_t *in,
					    size_t in_len, uint8_t *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t modulus, len;
	tk_err err;

	(void)ctx;
	err = cert_rsa_key(cert, cert_len, &pkey, diag);
	if (err != TK_OK)
		return err;
	modulus = (size_t)EVP_PKEY_get_size(pkey);
	if (modulus > TK_CRYPTO_RSA_MAX_LEN)
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "RSA modulus of %zu bytes, maximum %d",
			      modulus, TK_CRYPTO_RSA_MAX_LEN);
	else if (modulus > out_cap)
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			      "RSA ciphertext is %zu bytes, buffer %zu", modulus, out_cap);
	if (err != TK_OK)
		goto done;

	len = out_cap;
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (pctx == NULL || !oaep_setup(pctx, label, label_len)) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "RSA-OAEP setup failed");
		goto done;
	}
	/* OAEP with SHA-256 holds at most modulus - 66 bytes. */
	if (EVP_PKEY_encrypt(pctx, out, &len, in, in_len) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_ARG, "RSA-OAEP encryption failed: the input "
				      "may be longer than the key takes");
		goto done;
	}
	*out_len = len;

done:
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(pkey);
	return err;
}
