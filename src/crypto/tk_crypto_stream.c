/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider-independent wrappers of the streaming ciphers (AES-CTR,
 * AES-GCM, ChaCha20-Poly1305). They check key, IV and AAD lengths before
 * the provider runs, and release the provider state on every failure, so a
 * caller that got an error has nothing left to abort.
 */
#include "crypto/tk_crypto.h"

#include <string.h>

#define HAS_OP(c, op) ((c) != NULL && (c)->ops != NULL && (c)->ops->op != NULL)

/* Lengths of one streaming cipher. */
struct cipher_info {
	enum tk_crypto_cipher_alg alg;
	size_t key_len;
	size_t iv_len;
	bool aead;
};

static const struct cipher_info cipher_infos[] = {
	{TK_CRYPTO_CIPHER_A128CTR, 16, TK_CRYPTO_AES_CTR_IV_LEN, false},
	{TK_CRYPTO_CIPHER_A256CTR, 32, TK_CRYPTO_AES_CTR_IV_LEN, false},
	{TK_CRYPTO_CIPHER_A128GCM, 16, TK_CRYPTO_AEAD_NONCE_LEN, true},
	{TK_CRYPTO_CIPHER_A256GCM, 32, TK_CRYPTO_AEAD_NONCE_LEN, true},
	{TK_CRYPTO_CIPHER_CHACHA20_POLY1305, 32, TK_CRYPTO_AEAD_NONCE_LEN, true},
};

static const struct cipher_info *find_info(enum tk_crypto_cipher_alg alg)
{
	for (size_t i = 0; i < sizeof(cipher_infos) / sizeof(cipher_infos[0]); i++) {
		if (cipher_infos[i].alg == alg)
			return &cipher_infos[i];
	}
	return NULL;
}

size_t tk_crypto_cipher_key_len(enum tk_crypto_cipher_alg alg)
{
	const struct cipher_info *info = find_info(alg);

	return info == NULL ? 0 : info->key_len;
}

size_t tk_crypto_cipher_iv_len(enum tk_crypto_cipher_alg alg)
{
	const struct cipher_info *info = find_info(alg);

	return info == NULL ? 0 : info->iv_len;
}

bool tk_crypto_cipher_is_aead(enum tk_crypto_cipher_alg alg)
{
	const struct cipher_info *info = find_info(alg);

	return info != NULL && info->aead;
}

static tk_err check_init(const struct cipher_info *info, enum tk_crypto_cipher_alg alg,
			 const uint8_t *key, size_t key_len, const uint8_t *iv,
			 size_t iv_len, struct tk_span aad, struct tk_diag *diag)
{
	if (key == NULL || iv == NULL || (aad.ptr == NULL && aad.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to cipher init");
	if (info == NULL)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "streaming cipher %d", (int)alg);
	if (key_len != info->key_len)
		return TK_FAIL(diag, TK_ERR_KEY, "cipher %d key of %zu bytes, expected %zu",
			       (int)alg, key_len, info->key_len);
	if (iv_len != info->iv_len)
		return TK_FAIL(diag, TK_ERR_ARG, "cipher %d IV of %zu bytes, expected %zu",
			       (int)alg, iv_len, info->iv_len);
	if (!info->aead && aad.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "AES-CTR cannot bind additional data");
	return TK_OK;
}

tk_err tk_crypto_cipher_init(const struct tk_crypto *c, struct tk_crypto_cipher_ctx *cc,
			     enum tk_crypto_cipher_alg alg, bool encrypt,
			     const uint8_t *key, size_t key_len, const uint8_t *iv,
			     size_t iv_len, struct tk_span aad, struct tk_diag *diag)
{
	const struct cipher_info *info = find_info(alg);
	tk_err err;

	if (cc == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL cipher context");
	memset(cc, 0, sizeof(*cc));
	err = check_init(info, alg, key, key_len, iv, iv_len, aad, diag);
	if (err != TK_OK)
		return err;
	if (!HAS_OP(c, cipher_init) || !HAS_OP(c, cipher_update) ||
	    !HAS_OP(c, cipher_final) || !HAS_OP(c, cipher_abort))
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "crypto provider has no streaming cipher operations");
	err = c->ops->cipher_init(c->ctx, alg, encrypt, key, iv, iv_len, aad, &cc->impl,
				  diag);
	if (err != TK_OK) {
		cc->impl = NULL;
		return err;
	}
	cc->provider = c;
	cc->alg = alg;
	cc->encrypt = encrypt;
	return TK_OK;
}

tk_err tk_crypto_cipher_update(struct tk_crypto_cipher_ctx *cc, const uint8_t *in,
			       size_t len, uint8_t *out, struct tk_diag *diag)
{
	tk_err err;

	if (cc == NULL || cc->impl == NULL)
		return TK_FAIL(diag, TK_ERR_STATE, "cipher context not started");
	if ((in == NULL || out == NULL) && len != 0) {
		tk_crypto_cipher_abort(cc);
		return TK_FAIL(diag, TK_ERR_ARG, "NULL buffer to cipher update");
	}
	if (len == 0)
		return TK_OK;
	err = cc->provider->ops->cipher_update(cc->provider->ctx, cc->impl, in, len, out,
					       diag);
	if (err != TK_OK) {
		tk_wipe(out, len);
		tk_crypto_cipher_abort(cc);
	}
	return err;
}

/* Run the provider's final call, which releases impl in any case. */
static tk_err cipher_final(struct tk_crypto_cipher_ctx *cc, uint8_t *tag,
			   struct tk_diag *diag)
{
	void *impl = cc->impl;
	const struct tk_crypto *c = cc->provider;

	memset(cc, 0, sizeof(*cc));
	return c->ops->cipher_final(c->ctx, impl, tag, diag);
}

tk_err tk_crypto_cipher_final_encrypt(struct tk_crypto_cipher_ctx *cc,
				      uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN],
				      struct tk_diag *diag)
{
	tk_err err;

	if (cc == NULL || cc->impl == NULL)
		return TK_FAIL(diag, TK_ERR_STATE, "cipher context not started");
	if (!cc->encrypt || (tk_crypto_cipher_is_aead(cc->alg) && tag == NULL)) {
		tk_crypto_cipher_abort(cc);
		return TK_FAIL(diag, TK_ERR_ARG,
			       "encrypt final on a decryption, or without a tag buffer");
	}
	err = cipher_final(cc, tk_crypto_cipher_is_aead(cc->alg) ? tag : NULL, diag);
	if (err != TK_OK && tag != NULL)
		memset(tag, 0, TK_CRYPTO_AEAD_TAG_LEN);
	return err;
}

tk_err tk_crypto_cipher_final_decrypt(struct tk_crypto_cipher_ctx *cc, const uint8_t *tag,
				      struct tk_diag *diag)
{
	uint8_t copy[TK_CRYPTO_AEAD_TAG_LEN];
	bool aead;

	if (cc == NULL || cc->impl == NULL)
		return TK_FAIL(diag, TK_ERR_STATE, "cipher context not started");
	aead = tk_crypto_cipher_is_aead(cc->alg);
	if (cc->encrypt || aead != (tag != NULL)) {
		tk_crypto_cipher_abort(cc);
		return TK_FAIL(diag, TK_ERR_ARG,
			       "decrypt final needs a tag exactly for an AEAD");
	}
	if (!aead)
		return cipher_final(cc, NULL, diag);

	/* The provider takes a writable buffer; the caller's tag stays const. */
	memcpy(copy, tag, sizeof(copy));
	return cipher_final(cc, copy, diag);
}

void tk_crypto_cipher_abort(struct tk_crypto_cipher_ctx *cc)
{
	if (cc == NULL || cc->impl == NULL || cc->provider == NULL)
		return;
	cc->provider->ops->cipher_abort(cc->provider->ctx, cc->impl);
	memset(cc, 0, sizeof(*cc));
}
