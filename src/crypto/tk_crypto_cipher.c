/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider-independent wrappers for key agreement and ciphers (ECDH, AES
 * key wrap, AEAD, AES-CTR), and HKDF-SHA256 built on the provider's HMAC.
 * The wrappers check key, nonce and buffer lengths, so providers see only
 * valid arguments, and wipe secret outputs when an operation fails.
 */
#include "crypto/tk_crypto.h"

#include <string.h>

#include "crypto/tk_crypto_key.h"

#define HAS_OP(c, op) ((c) != NULL && (c)->ops != NULL && (c)->ops->op != NULL)

/* RFC 3394 needs at least two 64-bit blocks of key data. */
#define AES_KW_MIN_IN 16

static tk_err unsupported(struct tk_diag *diag, const char *op)
{
	return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "crypto provider has no %s operation",
		       op);
}

static bool aes_key_len_valid(size_t len)
{
	return len == 16 || len == 24 || len == 32;
}

static bool span_valid(struct tk_span s)
{
	return s.ptr != NULL || s.len == 0;
}

tk_err tk_crypto_ecdh(const struct tk_crypto_key *priv, const struct tk_crypto_key *peer,
		      uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN], struct tk_diag *diag)
{
	const struct tk_crypto *c;
	tk_err err;

	if (secret == NULL || priv == NULL || peer == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to ECDH");
	memset(secret, 0, TK_CRYPTO_ECDH_SECRET_LEN);
	if (priv->type != TK_CRYPTO_KEY_P256 || peer->type != TK_CRYPTO_KEY_P256)
		return TK_FAIL(diag, TK_ERR_KEY, "ECDH needs two P-256 keys, got types %d and %d",
			       (int)priv->type, (int)peer->type);
	if (!priv->has_private)
		return TK_FAIL(diag, TK_ERR_KEY, "ECDH key has no private part");
	if (priv->provider != peer->provider)
		return TK_FAIL(diag, TK_ERR_KEY, "ECDH keys come from different providers");
	c = priv->provider;
	if (!HAS_OP(c, ecdh))
		return unsupported(diag, "ecdh");
	err = c->ops->ecdh(c->ctx, priv, peer, secret, diag);
	if (err != TK_OK)
		tk_wipe(secret, TK_CRYPTO_ECDH_SECRET_LEN);
	return err;
}

tk_err tk_crypto_hkdf_sha256_extract(const struct tk_crypto *c, struct tk_span salt,
				     struct tk_span ikm, uint8_t prk[TK_CRYPTO_HKDF_PRK_LEN],
				     struct tk_diag *diag)
{
	static const uint8_t zero_salt[TK_CRYPTO_HKDF_PRK_LEN];
	struct tk_span part = ikm;

	if (prk == NULL || !span_valid(salt) || !span_valid(ikm))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to HKDF extract");

	/* RFC 5869 section 2.2: PRK = HMAC-Hash(salt, IKM), salt defaulting to
	   HashLen zero bytes. */
	if (salt.len == 0)
		salt = tk_span_make(zero_salt, sizeof(zero_salt));
	return tk_crypto_hmac_sha256(c, salt.ptr, salt.len, &part, 1, prk, diag);
}

tk_err tk_crypto_hkdf_sha256_expand(const struct tk_crypto *c,
				    const uint8_t prk[TK_CRYPTO_HKDF_PRK_LEN],
				    struct tk_span info, uint8_t *out, size_t out_len,
				    struct tk_diag *diag)
{
	uint8_t block[TK_CRYPTO_HMAC_SHA256_LEN];
	uint8_t prev[TK_CRYPTO_HMAC_SHA256_LEN];
	size_t done = 0;
	uint8_t counter = 0;
	tk_err err = TK_OK;

	if (prk == NULL || out == NULL || !span_valid(info))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to HKDF expand");
	if (out_len == 0 || out_len > TK_CRYPTO_HKDF_MAX_OUT)
		return TK_FAIL(diag, TK_ERR_ARG, "HKDF output of %zu bytes, allowed 1 to %d",
			       out_len, TK_CRYPTO_HKDF_MAX_OUT);

	/* RFC 5869 section 2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
	while (err == TK_OK && done < out_len) {
		struct tk_span parts[3];
		size_t n = 0;
		size_t take;

		/* T(i-1) gets its own copy: the HMAC call clears its output first. */
		counter++;
		if (counter > 1) {
			memcpy(prev, block, sizeof(prev));
			parts[n++] = tk_span_make(prev, sizeof(prev));
		}
		parts[n++] = info;
		parts[n++] = tk_span_make(&counter, 1);
		err = tk_crypto_hmac_sha256(c, prk, TK_CRYPTO_HKDF_PRK_LEN, parts, n, block,
					    diag);
		take = out_len - done < sizeof(block) ? out_len - done : sizeof(block);
		if (err == TK_OK)
			memcpy(out + done, block, take);
		done += take;
	}
	tk_wipe(block, sizeof(block));
	tk_wipe(prev, sizeof(prev));
	if (err != TK_OK)
		tk_wipe(out, out_len);
	return err;
}

tk_err tk_crypto_hkdf_sha256(const struct tk_crypto *c, struct tk_span salt,
			     struct tk_span ikm, struct tk_span info, uint8_t *out,
			     size_t out_len, struct tk_diag *diag)
{
	uint8_t prk[TK_CRYPTO_HKDF_PRK_LEN];
	tk_err err;

	err = tk_crypto_hkdf_sha256_extract(c, salt, ikm, prk, diag);
	if (err == TK_OK)
		err = tk_crypto_hkdf_sha256_expand(c, prk, info, out, out_len, diag);
	tk_wipe(prk, sizeof(prk));
	return err;
}

/* Common checks of AES key wrap arguments; *out_len is set to 0. */
static tk_err check_kw(const uint8_t *kek, size_t kek_len, const uint8_t *in,
		       size_t in_len, const uint8_t *out, size_t *out_len,
		       struct tk_diag *diag)
{
	if (out_len == NULL || out == NULL || in == NULL || kek == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to AES key wrap");
	*out_len = 0;
	if (!aes_key_len_valid(kek_len))
		return TK_FAIL(diag, TK_ERR_KEY, "AES key wrap KEK of %zu bytes", kek_len);
	if (in_len % 8 != 0 || in_len < AES_KW_MIN_IN)
		return TK_FAIL(diag, TK_ERR_ARG,
			       "AES key wrap input of %zu bytes, expected a multiple of 8 "
			       "and at least %d", in_len, AES_KW_MIN_IN);
	return TK_OK;
}

tk_err tk_crypto_aes_kw_wrap(const struct tk_crypto *c, const uint8_t *kek,
			     size_t kek_len, const uint8_t *in, size_t in_len,
			     uint8_t *out, size_t out_cap, size_t *out_len,
			     struct tk_diag *diag)
{
	tk_err err = check_kw(kek, kek_len, in, in_len, out, out_len, diag);

	if (err != TK_OK)
		return err;
	if (out_cap < in_len + TK_CRYPTO_AES_KW_OVERHEAD)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "AES key wrap needs %zu bytes, buffer has %zu",
			       in_len + TK_CRYPTO_AES_KW_OVERHEAD, out_cap);
	if (!HAS_OP(c, aes_kw_wrap))
		return unsupported(diag, "aes_kw_wrap");
	err = c->ops->aes_kw_wrap(c->ctx, kek, kek_len, in, in_len, out, diag);
	if (err == TK_OK)
		*out_len = in_len + TK_CRYPTO_AES_KW_OVERHEAD;
	return err;
}

tk_err tk_crypto_aes_kw_unwrap(const struct tk_crypto *c, const uint8_t *kek,
			       size_t kek_len, const uint8_t *in, size_t in_len,
			       uint8_t *out, size_t out_cap, size_t *out_len,
			       struct tk_diag *diag)
{
	/* The wrapped form is one block longer than the smallest key data. */
	tk_err err = check_kw(kek, kek_len, in, in_len, out, out_len, diag);

	if (err == TK_OK && in_len < AES_KW_MIN_IN + TK_CRYPTO_AES_KW_OVERHEAD)
		err = TK_FAIL(diag, TK_ERR_DECRYPT, "wrapped key of %zu bytes is too short",
			      in_len);
	if (err != TK_OK)
		return err;
	if (out_cap < in_len - TK_CRYPTO_AES_KW_OVERHEAD)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "AES key unwrap needs %zu bytes, buffer has %zu",
			       in_len - TK_CRYPTO_AES_KW_OVERHEAD, out_cap);
	if (!HAS_OP(c, aes_kw_unwrap))
		return unsupported(diag, "aes_kw_unwrap");
	err = c->ops->aes_kw_unwrap(c->ctx, kek, kek_len, in, in_len, out, diag);
	if (err == TK_OK)
		*out_len = in_len - TK_CRYPTO_AES_KW_OVERHEAD;
	else
		tk_wipe(out, in_len - TK_CRYPTO_AES_KW_OVERHEAD);
	return err;
}

size_t tk_crypto_aead_key_len(enum tk_crypto_aead_alg alg)
{
	switch (alg) {
	case TK_CRYPTO_AEAD_A128GCM:
		return 16;
	case TK_CRYPTO_AEAD_A192GCM:
		return 24;
	case TK_CRYPTO_AEAD_A256GCM:
	case TK_CRYPTO_AEAD_CHACHA20_POLY1305:
		return 32;
	default:
		return 0;
	}
}

/* Common checks of AEAD arguments; *out_len is set to 0. */
static tk_err check_aead(enum tk_crypto_aead_alg alg, const uint8_t *key,
			 size_t key_len, const uint8_t *nonce, struct tk_span aad,
			 const uint8_t *in, size_t in_len, const uint8_t *out,
			 size_t *out_len, struct tk_diag *diag)
{
	size_t want = tk_crypto_aead_key_len(alg);

	if (out_len == NULL || out == NULL || key == NULL || nonce == NULL ||
	    !span_valid(aad) || (in == NULL && in_len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to AEAD");
	*out_len = 0;
	if (want == 0)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "AEAD algorithm %d", (int)alg);
	if (key_len != want)
		return TK_FAIL(diag, TK_ERR_KEY, "AEAD key of %zu bytes, expected %zu",
			       key_len, want);
	return TK_OK;
}

tk_err tk_crypto_aead_seal(const struct tk_crypto *c, enum tk_crypto_aead_alg alg,
			   const uint8_t *key, size_t key_len,
			   const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN], struct tk_span aad,
			   const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
			   size_t *out_len, struct tk_diag *diag)
{
	tk_err err = check_aead(alg, key, key_len, nonce, aad, in, in_len, out, out_len,
				diag);

	if (err != TK_OK)
		return err;
	if (in_len > SIZE_MAX - TK_CRYPTO_AEAD_TAG_LEN ||
	    out_cap < in_len + TK_CRYPTO_AEAD_TAG_LEN)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "AEAD output needs %zu bytes plus the tag, buffer has %zu",
			       in_len, out_cap);
	if (!HAS_OP(c, aead_seal))
		return unsupported(diag, "aead_seal");
	err = c->ops->aead_seal(c->ctx, alg, key, key_len, nonce, aad, in, in_len, out,
				diag);
	if (err == TK_OK)
		*out_len = in_len + TK_CRYPTO_AEAD_TAG_LEN;
	return err;
}

tk_err tk_crypto_aead_open(const struct tk_crypto *c, enum tk_crypto_aead_alg alg,
			   const uint8_t *key, size_t key_len,
			   const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN], struct tk_span aad,
			   const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
			   size_t *out_len, struct tk_diag *diag)
{
	tk_err err = check_aead(alg, key, key_len, nonce, aad, in, in_len, out, out_len,
				diag);

	if (err == TK_OK && in_len < TK_CRYPTO_AEAD_TAG_LEN)
		err = TK_FAIL(diag, TK_ERR_DECRYPT, "AEAD input of %zu bytes has no tag",
			      in_len);
	if (err != TK_OK)
		return err;
	if (out_cap < in_len - TK_CRYPTO_AEAD_TAG_LEN)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "AEAD plaintext needs %zu bytes, buffer has %zu",
			       in_len - TK_CRYPTO_AEAD_TAG_LEN, out_cap);
	if (!HAS_OP(c, aead_open))
		return unsupported(diag, "aead_open");
	err = c->ops->aead_open(c->ctx, alg, key, key_len, nonce, aad, in, in_len, out,
				diag);
	if (err == TK_OK)
		*out_len = in_len - TK_CRYPTO_AEAD_TAG_LEN;
	else
		tk_wipe(out, in_len - TK_CRYPTO_AEAD_TAG_LEN);
	return err;
}

tk_err tk_crypto_aes_ctr(const struct tk_crypto *c, const uint8_t *key, size_t key_len,
			 const uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN], const uint8_t *in,
			 size_t len, uint8_t *out, struct tk_diag *diag)
{
	tk_err err;

	if (key == NULL || iv == NULL || ((in == NULL || out == NULL) && len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to AES-CTR");
	if (!aes_key_len_valid(key_len))
		return TK_FAIL(diag, TK_ERR_KEY, "AES-CTR key of %zu bytes", key_len);
	if (len == 0)
		return TK_OK;
	if (!HAS_OP(c, aes_ctr))
		return unsupported(diag, "aes_ctr");
	err = c->ops->aes_ctr(c->ctx, key, key_len, iv, in, len, out, diag);
	if (err != TK_OK)
		tk_wipe(out, len);
	return err;
}
