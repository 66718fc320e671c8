/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider-independent wrappers of the primitives of TPM credential
 * protection (TPM 2.0 Library, Part 1, section 24): AES-CFB for the
 * credential and RSA-OAEP for the seed encrypted to an endorsement key.
 * They check arguments and limits before the provider runs and wipe the
 * output on failure.
 */
#include "crypto/tk_crypto.h"

#include <stddef.h>

#define HAS_OP(c, op) ((c) != NULL && (c)->ops != NULL && (c)->ops->op != NULL)

tk_err tk_crypto_aes_cfb(const struct tk_crypto *c, bool encrypt, const uint8_t *key,
			 size_t key_len, const uint8_t iv[TK_CRYPTO_AES_CFB_IV_LEN],
			 const uint8_t *in, size_t len, uint8_t *out,
			 struct tk_diag *diag)
{
	tk_err err;

	if (key == NULL || iv == NULL || ((in == NULL || out == NULL) && len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to AES-CFB");
	if (key_len != 16 && key_len != 24 && key_len != 32)
		return TK_FAIL(diag, TK_ERR_KEY, "AES-CFB key of %zu bytes", key_len);
	if (len == 0)
		return TK_OK;
	if (!HAS_OP(c, aes_cfb))
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "crypto provider has no aes_cfb operation");
	err = c->ops->aes_cfb(c->ctx, encrypt, key, key_len, iv, in, len, out, diag);
	if (err != TK_OK)
		tk_wipe(out, len);
	return err;
}

tk_err tk_crypto_rsa_oaep_encrypt_cert(const struct tk_crypto *c, const uint8_t *cert,
				       size_t cert_len, const uint8_t *label,
				       size_t label_len, const uint8_t *in, size_t in_len,
				       uint8_t *out, size_t out_cap, size_t *out_len,
				       struct tk_diag *diag)
{
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (cert == NULL || cert_len == 0 || in == NULL || in_len == 0 || out == NULL ||
	    out_len == NULL || (label == NULL && label_len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL or empty argument to RSA-OAEP");
	if (cert_len > TK_CRYPTO_X509_MAX_DER)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "certificate is %zu bytes, maximum %d",
			       cert_len, TK_CRYPTO_X509_MAX_DER);
	if (!HAS_OP(c, rsa_oaep_encrypt_cert))
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "crypto provider has no rsa_oaep_encrypt_cert operation");
	err = c->ops->rsa_oaep_encrypt_cert(c->ctx, cert, cert_len, label, label_len, in,
					    in_len, out, out_cap, out_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}
