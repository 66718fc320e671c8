/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider-independent wrappers of the crypto operations table. They check
 * arguments, fail with TK_ERR_UNSUPPORTED when the provider lacks an
 * operation, and set outputs to empty values on failure, so providers only
 * implement the operation itself.
 */
#include "crypto/tk_crypto.h"

#include <string.h>

#include "crypto/tk_crypto_key.h"

/* True if the provider has operation `op`. c itself may be NULL. */
#define HAS_OP(c, op) ((c) != NULL && (c)->ops != NULL && (c)->ops->op != NULL)

static tk_err check_parts(const struct tk_span *parts, size_t n_parts,
			  struct tk_diag *diag)
{
	if (n_parts > TK_CRYPTO_MAX_PARTS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "%zu message parts, limit %d", n_parts,
			       TK_CRYPTO_MAX_PARTS);
	if (n_parts > 0 && parts == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "message parts are NULL");
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].ptr == NULL && parts[i].len != 0)
			return TK_FAIL(diag, TK_ERR_ARG,
				       "message part %zu is NULL with length %zu",
				       i, parts[i].len);
	}
	return TK_OK;
}

static tk_err check_key_alg(const struct tk_crypto_key *key,
			    enum tk_crypto_sig_alg alg, struct tk_diag *diag)
{
	if (key == NULL || key->provider == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key is NULL");
	if (alg == TK_CRYPTO_SIG_NONE || tk_crypto_sig_alg_for_key(key->type) != alg)
		return TK_FAIL(diag, TK_ERR_KEY,
			       "signature algorithm %d does not fit key type %d",
			       (int)alg, (int)key->type);
	return TK_OK;
}

static tk_err unsupported(struct tk_diag *diag, const char *op)
{
	return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
		       "crypto provider has no %s operation", op);
}

tk_err tk_crypto_sha256(const struct tk_crypto *c, const uint8_t *data,
			size_t len, uint8_t out[TK_CRYPTO_SHA256_LEN],
			struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL || (data == NULL && len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL buffer for SHA-256");
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	if (!HAS_OP(c, sha256))
		return unsupported(diag, "sha256");
	err = c->ops->sha256(c->ctx, data, len, out, diag);
	if (err != TK_OK)
		memset(out, 0, TK_CRYPTO_SHA256_LEN);
	return err;
}

tk_err tk_crypto_sha256_init(const struct tk_crypto *c,
			     struct tk_crypto_hash_ctx *h, struct tk_diag *diag)
{
	tk_err err;

	if (h == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "hash context is NULL");
	h->provider = NULL;
	h->impl = NULL;
	if (!HAS_OP(c, sha256_init) || !HAS_OP(c, sha256_update) ||
	    !HAS_OP(c, sha256_final) || !HAS_OP(c, sha256_abort))
		return unsupported(diag, "incremental sha256");
	err = c->ops->sha256_init(c->ctx, &h->impl, diag);
	if (err != TK_OK) {
		h->impl = NULL;
		return err;
	}
	h->provider = c;
	return TK_OK;
}

tk_err tk_crypto_sha256_update(struct tk_crypto_hash_ctx *h, const uint8_t *data,
			       size_t len, struct tk_diag *diag)
{
	if (h == NULL || h->impl == NULL)
		return TK_FAIL(diag, TK_ERR_STATE, "hash context not started");
	if (data == NULL && len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL data for SHA-256");
	if (len == 0)
		return TK_OK;
	return h->provider->ops->sha256_update(h->provider->ctx, h->impl, data,
					       len, diag);
}

tk_err tk_crypto_sha256_final(struct tk_crypto_hash_ctx *h,
			      uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL) {
		tk_crypto_sha256_abort(h);
		return TK_FAIL(diag, TK_ERR_ARG, "digest buffer is NULL");
	}
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	if (h == NULL || h->impl == NULL)
		return TK_FAIL(diag, TK_ERR_STATE, "hash context not started");

	/* The provider releases impl whatever the outcome. */
	err = h->provider->ops->sha256_final(h->provider->ctx, h->impl, out, diag);
	h->impl = NULL;
	h->provider = NULL;
	if (err != TK_OK)
		memset(out, 0, TK_CRYPTO_SHA256_LEN);
	return err;
}

void tk_crypto_sha256_abort(struct tk_crypto_hash_ctx *h)
{
	if (h == NULL || h->impl == NULL || h->provider == NULL)
		return;
	h->provider->ops->sha256_abort(h->provider->ctx, h->impl);
	h->impl = NULL;
	h->provider = NULL;
}

tk_err tk_crypto_random(const struct tk_crypto *c, uint8_t *out, size_t len,
			struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL && len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "random buffer is NULL");
	if (len == 0)
		return TK_OK;
	if (!HAS_OP(c, random))
		return unsupported(diag, "random");
	err = c->ops->random(c->ctx, out, len, diag);
	if (err != TK_OK)
		memset(out, 0, len);
	return err;
}

/* Finish a key-creating call: bind the key to its provider or clear *out. */
static tk_err adopt_key(const struct tk_crypto *c, tk_err err,
			struct tk_crypto_key **out)
{
	if (err != TK_OK) {
		if (*out != NULL)
			c->ops->key_free(c->ctx, *out);
		*out = NULL;
		return err;
	}
	(*out)->provider = c;
	return TK_OK;
}

static bool key_type_valid(enum tk_crypto_key_type type)
{
	return type == TK_CRYPTO_KEY_P256 || type == TK_CRYPTO_KEY_ED25519;
}

tk_err tk_crypto_key_generate(const struct tk_crypto *c,
			      enum tk_crypto_key_type type,
			      struct tk_crypto_key **out, struct tk_diag *diag)
{
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key output is NULL");
	*out = NULL;
	if (!key_type_valid(type))
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "key type %d", (int)type);
	if (!HAS_OP(c, key_generate) || !HAS_OP(c, key_free))
		return unsupported(diag, "key_generate");
	return adopt_key(c, c->ops->key_generate(c->ctx, type, out, diag), out);
}

void tk_crypto_key_free(struct tk_crypto_key *key)
{
	if (key == NULL || key->provider == NULL)
		return;
	key->provider->ops->key_free(key->provider->ctx, key);
}

enum tk_crypto_key_type tk_crypto_key_type(const struct tk_crypto_key *key)
{
	return key == NULL ? TK_CRYPTO_KEY_NONE : key->type;
}

bool tk_crypto_key_has_private(const struct tk_crypto_key *key)
{
	return key != NULL && key->has_private;
}

tk_err tk_crypto_key_import_pem(const struct tk_crypto *c, const uint8_t *pem,
				size_t pem_len, struct tk_crypto_key **out,
				struct tk_diag *diag)
{
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key output is NULL");
	*out = NULL;
	if (pem == NULL || pem_len == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "PEM input is empty");
	if (!HAS_OP(c, key_import_pem) || !HAS_OP(c, key_free))
		return unsupported(diag, "key_import_pem");
	return adopt_key(c, c->ops->key_import_pem(c->ctx, pem, pem_len, out, diag),
			 out);
}

tk_err tk_crypto_key_export_pem(const struct tk_crypto_key *key, bool private_key,
				uint8_t *out, size_t out_cap, size_t *out_len,
				struct tk_diag *diag)
{
	const struct tk_crypto *c;
	tk_err err;

	if (out_len == NULL || out == NULL || key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to PEM export");
	*out_len = 0;
	if (private_key && !key->has_private)
		return TK_FAIL(diag, TK_ERR_KEY, "key has no private part to export");
	c = key->provider;
	if (!HAS_OP(c, key_export_pem))
		return unsupported(diag, "key_export_pem");
	err = c->ops->key_export_pem(c->ctx, key, private_key, out, out_cap,
				     out_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}

tk_err tk_crypto_key_import_public(const struct tk_crypto *c,
				   enum tk_crypto_key_type type,
				   const uint8_t *x, size_t x_len,
				   const uint8_t *y, size_t y_len,
				   struct tk_crypto_key **out, struct tk_diag *diag)
{
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key output is NULL");
	*out = NULL;
	if (type == TK_CRYPTO_KEY_P256) {
		if (x == NULL || y == NULL || x_len != TK_CRYPTO_P256_COORD_LEN ||
		    y_len != TK_CRYPTO_P256_COORD_LEN)
			return TK_FAIL(diag, TK_ERR_KEY,
				       "P-256 coordinates of %zu and %zu bytes, expected 32",
				       x_len, y_len);
	} else if (type == TK_CRYPTO_KEY_ED25519) {
		if (x == NULL || x_len != TK_CRYPTO_ED25519_KEY_LEN || y != NULL ||
		    y_len != 0)
			return TK_FAIL(diag, TK_ERR_KEY,
				       "Ed25519 public key of %zu bytes (y %zu), expected 32 (y 0)",
				       x_len, y_len);
	} else {
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "key type %d", (int)type);
	}
	if (!HAS_OP(c, key_import_public) || !HAS_OP(c, key_free))
		return unsupported(diag, "key_import_public");
	return adopt_key(c, c->ops->key_import_public(c->ctx, type, x, x_len, y,
						      y_len, out, diag), out);
}

tk_err tk_crypto_key_import_private(const struct tk_crypto *c,
				    enum tk_crypto_key_type type,
				    const uint8_t *d, size_t d_len,
				    struct tk_crypto_key **out, struct tk_diag *diag)
{
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key output is NULL");
	*out = NULL;
	if (!key_type_valid(type))
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "key type %d", (int)type);
	/* Both supported types use 32-byte private values. */
	if (d == NULL || d_len != TK_CRYPTO_P256_COORD_LEN)
		return TK_FAIL(diag, TK_ERR_KEY, "private key of %zu bytes, expected 32",
			       d_len);
	if (!HAS_OP(c, key_import_private) || !HAS_OP(c, key_free))
		return unsupported(diag, "key_import_private");
	return adopt_key(c, c->ops->key_import_private(c->ctx, type, d, d_len, out,
						       diag), out);
}

tk_err tk_crypto_key_export_public(const struct tk_crypto_key *key,
				   uint8_t x[TK_CRYPTO_P256_COORD_LEN],
				   uint8_t y[TK_CRYPTO_P256_COORD_LEN],
				   struct tk_diag *diag)
{
	const struct tk_crypto *c;
	tk_err err;

	if (key == NULL || x == NULL || (key->type == TK_CRYPTO_KEY_P256 && y == NULL))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to public key export");
	memset(x, 0, TK_CRYPTO_P256_COORD_LEN);
	if (y != NULL)
		memset(y, 0, TK_CRYPTO_P256_COORD_LEN);
	c = key->provider;
	if (!HAS_OP(c, key_export_public))
		return unsupported(diag, "key_export_public");
	err = c->ops->key_export_public(c->ctx, key, x, y, diag);
	if (err != TK_OK) {
		memset(x, 0, TK_CRYPTO_P256_COORD_LEN);
		if (y != NULL)
			memset(y, 0, TK_CRYPTO_P256_COORD_LEN);
	}
	return err;
}

enum tk_crypto_sig_alg tk_crypto_sig_alg_for_key(enum tk_crypto_key_type type)
{
	switch (type) {
	case TK_CRYPTO_KEY_P256:
		return TK_CRYPTO_SIG_ECDSA_P256_SHA256;
	case TK_CRYPTO_KEY_ED25519:
		return TK_CRYPTO_SIG_ED25519;
	default:
		return TK_CRYPTO_SIG_NONE;
	}
}

tk_err tk_crypto_sign(const struct tk_crypto_key *key, enum tk_crypto_sig_alg alg,
		      const struct tk_span *parts, size_t n_parts,
		      uint8_t sig[TK_CRYPTO_SIG_MAX], size_t *sig_len,
		      struct tk_diag *diag)
{
	const struct tk_crypto *c;
	tk_err err;

	if (sig == NULL || sig_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "signature output is NULL");
	*sig_len = 0;
	err = check_key_alg(key, alg, diag);
	if (err == TK_OK)
		err = check_parts(parts, n_parts, diag);
	if (err != TK_OK)
		return err;
	if (!key->has_private)
		return TK_FAIL(diag, TK_ERR_KEY, "key has no private part to sign with");
	c = key->provider;
	if (!HAS_OP(c, sign))
		return unsupported(diag, "sign");
	err = c->ops->sign(c->ctx, key, alg, parts, n_parts, sig, sig_len, diag);
	if (err != TK_OK) {
		memset(sig, 0, TK_CRYPTO_SIG_MAX);
		*sig_len = 0;
	}
	return err;
}

tk_err tk_crypto_verify(const struct tk_crypto_key *key, enum tk_crypto_sig_alg alg,
			const struct tk_span *parts, size_t n_parts,
			const uint8_t *sig, size_t sig_len, struct tk_diag *diag)
{
	const struct tk_crypto *c;
	tk_err err;

	err = check_key_alg(key, alg, diag);
	if (err == TK_OK)
		err = check_parts(parts, n_parts, diag);
	if (err != TK_OK)
		return err;
	if (sig == NULL || sig_len != TK_CRYPTO_SIG_MAX)
		return TK_FAIL(diag, TK_ERR_SIGNATURE,
			       "signature of %zu bytes, expected %d", sig_len,
			       TK_CRYPTO_SIG_MAX);
	c = key->provider;
	if (!HAS_OP(c, verify))
		return unsupported(diag, "verify");
	return c->ops->verify(c->ctx, key, alg, parts, n_parts, sig, sig_len, diag);
}

tk_err tk_crypto_hmac_sha256(const struct tk_crypto *c, const uint8_t *key,
			     size_t key_len, const struct tk_span *parts,
			     size_t n_parts, uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
			     struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "HMAC output is NULL");
	memset(out, 0, TK_CRYPTO_HMAC_SHA256_LEN);
	if (key == NULL || key_len == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "HMAC key is empty");
	err = check_parts(parts, n_parts, diag);
	if (err != TK_OK)
		return err;
	if (!HAS_OP(c, hmac_sha256))
		return unsupported(diag, "hmac_sha256");
	err = c->ops->hmac_sha256(c->ctx, key, key_len, parts, n_parts, out, diag);
	if (err != TK_OK)
		memset(out, 0, TK_CRYPTO_HMAC_SHA256_LEN);
	return err;
}
