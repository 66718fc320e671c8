/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operations of the OpenSSL provider defined in tk_crypto_openssl_sign.c
 * and tk_crypto_openssl_cipher.c and placed in the table of
 * tk_crypto_openssl.c. Private to src/crypto/.
 * Arguments are as in struct tk_crypto_ops, already checked by the
 * wrappers.
 */
#ifndef TK_CRYPTO_OPENSSL_H
#define TK_CRYPTO_OPENSSL_H

#include "crypto/tk_crypto.h"

tk_err tk_crypto_ossl_sign(void *ctx, const struct tk_crypto_key *key,
			   enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			   size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
			   size_t *sig_len, struct tk_diag *diag);
tk_err tk_crypto_ossl_verify(void *ctx, const struct tk_crypto_key *key,
			     enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			     size_t n_parts, const uint8_t *sig, size_t sig_len,
			     struct tk_diag *diag);
tk_err tk_crypto_ossl_ecdh(void *ctx, const struct tk_crypto_key *priv,
			   const struct tk_crypto_key *peer,
			   uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN],
			   struct tk_diag *diag);
tk_err tk_crypto_ossl_aes_kw_wrap(void *ctx, const uint8_t *kek, size_t kek_len,
				  const uint8_t *in, size_t in_len, uint8_t *out,
				  struct tk_diag *diag);
tk_err tk_crypto_ossl_aes_kw_unwrap(void *ctx, const uint8_t *kek, size_t kek_len,
				    const uint8_t *in, size_t in_len, uint8_t *out,
				    struct tk_diag *diag);
tk_err tk_crypto_ossl_aead_seal(void *ctx, enum tk_crypto_aead_alg alg,
				const uint8_t *key, size_t key_len,
				const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
				struct tk_span aad, const uint8_t *in, size_t in_len,
				uint8_t *out, struct tk_diag *diag);
tk_err tk_crypto_ossl_aead_open(void *ctx, enum tk_crypto_aead_alg alg,
				const uint8_t *key, size_t key_len,
				const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
				struct tk_span aad, const uint8_t *in, size_t in_len,
				uint8_t *out, struct tk_diag *diag);
tk_err tk_crypto_ossl_aes_ctr(void *ctx, const uint8_t *key, size_t key_len,
			      const uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN],
			      const uint8_t *in, size_t len, uint8_t *out,
			      struct tk_diag *diag);

tk_err tk_crypto_ossl_cipher_init(void *ctx, enum tk_crypto_cipher_alg alg,
				  bool encrypt, const uint8_t *key,
				  const uint8_t *iv, size_t iv_len,
				  struct tk_span aad, void **impl,
				  struct tk_diag *diag);
tk_err tk_crypto_ossl_cipher_update(void *ctx, void *impl, const uint8_t *in,
				    size_t len, uint8_t *out, struct tk_diag *diag);
tk_err tk_crypto_ossl_cipher_final(void *ctx, void *impl,
				   uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN],
				   struct tk_diag *diag);
void tk_crypto_ossl_cipher_abort(void *ctx, void *impl);

tk_err tk_crypto_ossl_x509_verify_chain(void *ctx, const struct tk_span *chain,
					size_t n_chain, const struct tk_span *trusted,
					size_t n_trusted, int64_t at_time,
					struct tk_crypto_key **leaf_key,
					struct tk_diag *diag);

tk_err tk_crypto_ossl_aes_cfb(void *ctx, bool encrypt, const uint8_t *key,
			      size_t key_len, const uint8_t iv[TK_CRYPTO_AES_CFB_IV_LEN],
			      const uint8_t *in, size_t len, uint8_t *out,
			      struct tk_diag *diag);
tk_err tk_crypto_ossl_rsa_oaep_encrypt_cert(void *ctx, const uint8_t *cert,
					    size_t cert_len, const uint8_t *label,
					    size_t label_len, const uint8_t *in,
					    size_t in_len, uint8_t *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag);

#endif /* TK_CRYPTO_OPENSSL_H */
