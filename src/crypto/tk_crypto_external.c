/* SPDX-License-Identifier: Apache-2.0 */
/*
 * External keys (see tk_crypto_external.h). The key's provider is a
 * constant table whose operations find everything through the key: the
 * public half is an ordinary key of the base provider, which verifies
 * and exports, and the signer callback replaces the private half.
 */
#include "crypto/tk_crypto_external.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/tk_crypto_key.h"

struct external_key {
	const struct tk_crypto *base;
	struct tk_crypto_key *public_key; /* owned, from base */
	struct tk_crypto_signer_ops signer;
};

static const struct external_key *external_of(const struct tk_crypto_key *key)
{
	return key->impl;
}

static void external_free(void *ctx, struct tk_crypto_key *key)
{
	struct external_key *ext = key->impl;

	(void)ctx;
	if (ext != NULL) {
		tk_crypto_key_free(ext->public_key);
		free(ext);
	}
	free(key);
}

static tk_err external_export_pem(void *ctx, const struct tk_crypto_key *key,
				  bool private_key, uint8_t *out, size_t out_cap,
				  size_t *out_len, struct tk_diag *diag)
{
	(void)ctx;
	if (private_key)
		return TK_FAIL(diag, TK_ERR_KEY,
			       "the private key stays in its device and cannot be exported");
	return tk_crypto_key_export_pem(external_of(key)->public_key, false, out,
					out_cap, out_len, diag);
}

static tk_err external_export_public(void *ctx, const struct tk_crypto_key *key,
				     uint8_t x[TK_CRYPTO_P256_COORD_LEN],
				     uint8_t y[TK_CRYPTO_P256_COORD_LEN],
				     struct tk_diag *diag)
{
	(void)ctx;
	return tk_crypto_key_export_public(external_of(key)->public_key, x, y, diag);
}

static tk_err external_sign(void *ctx, const struct tk_crypto_key *key,
			    enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			    size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
			    size_t *sig_len, struct tk_diag *diag)
{
	const struct external_key *ext = external_of(key);
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_crypto_hash_ctx h;
	tk_err err;

	(void)ctx;
	(void)alg; /* the wrapper allows only ECDSA P-256 for a P-256 key */
	err = tk_crypto_sha256_init(ext->base, &h, diag);
	for (size_t i = 0; i < n_parts && err == TK_OK; i++)
		err = tk_crypto_sha256_update(&h, parts[i].ptr, parts[i].len, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_final(&h, digest, diag);
	else
		tk_crypto_sha256_abort(&h);
	if (err == TK_OK)
		err = ext->signer.sign_digest(ext->signer.ctx, digest, sig, diag);
	if (err != TK_OK)
		return err;
	*sig_len = TK_CRYPTO_P256_SIG_LEN;
	return TK_OK;
}

static tk_err external_verify(void *ctx, const struct tk_crypto_key *key,
			      enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			      size_t n_parts, const uint8_t *sig, size_t sig_len,
			      struct tk_diag *diag)
{
	(void)ctx;
	return tk_crypto_verify(external_of(key)->public_key, alg, parts, n_parts,
				sig, sig_len, diag);
}

static const struct tk_crypto_ops external_ops = {
	.key_free = external_free,
	.key_export_pem = external_export_pem,
	.key_export_public = external_export_public,
	.sign = external_sign,
	.verify = external_verify,
};

static const struct tk_crypto external_provider = {&external_ops, NULL};

tk_err tk_crypto_key_external(const struct tk_crypto *base,
			      const uint8_t x[TK_CRYPTO_P256_COORD_LEN],
			      const uint8_t y[TK_CRYPTO_P256_COORD_LEN],
			      const struct tk_crypto_signer_ops *signer,
			      struct tk_crypto_key **out, struct tk_diag *diag)
{
	struct tk_crypto_key *key = NULL;
	struct external_key *ext = NULL;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key output is NULL");
	*out = NULL;
	if (base == NULL || x == NULL || y == NULL || signer == NULL ||
	    signer->sign_digest == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "external key needs a provider, a "
			       "public point and a signer");

	key = calloc(1, sizeof(*key));
	ext = calloc(1, sizeof(*ext));
	if (key == NULL || ext == NULL) {
		free(key);
		free(ext);
		return TK_FAIL(diag, TK_ERR_NOMEM, "allocating an external key failed");
	}
	err = tk_crypto_key_import_public(base, TK_CRYPTO_KEY_P256, x,
					  TK_CRYPTO_P256_COORD_LEN, y,
					  TK_CRYPTO_P256_COORD_LEN, &ext->public_key,
					  diag);
	if (err != TK_OK) {
		free(key);
		free(ext);
		return err;
	}
	ext->base = base;
	ext->signer = *signer;
	key->provider = &external_provider;
	key->type = TK_CRYPTO_KEY_P256;
	key->has_private = true;
	key->impl = ext;
	*out = key;
	return TK_OK;
}
