/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signatures of the OpenSSL 3.0 provider: ECDSA P-256 with SHA-256, whose
 * signatures COSE carries as raw r || s rather than DER (RFC 9053 section
 * 2.1), and pure Ed25519 (RFC 8032), which signs the whole message in one
 * pass. Messages arrive as a list of parts.
 */
#include "crypto/tk_crypto_openssl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/tk_crypto_key.h"

/* Longest DER ECDSA-Sig-Value for P-256 (two 33-byte INTEGERs). */
#define P256_DER_SIG_MAX 72

static EVP_PKEY *pkey_of(const struct tk_crypto_key *key)
{
	return (EVP_PKEY *)key->impl;
}

/* SHA-256 over the concatenation of parts. */
static tk_err digest_parts(const struct tk_span *parts, size_t n_parts,
			   uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int out_len = 0;
	tk_err err = TK_ERR_CRYPTO;

	if (md == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EVP_MD_CTX_new failed");
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto fail;
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].len > 0 &&
		    EVP_DigestUpdate(md, parts[i].ptr, parts[i].len) != 1)
			goto fail;
	}
	if (EVP_DigestFinal_ex(md, out, &out_len) != 1 ||
	    out_len != TK_CRYPTO_SHA256_LEN)
		goto fail;
	err = TK_OK;
	goto out;

fail:
	err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "SHA-256 of the message failed");
out:
	EVP_MD_CTX_free(md);
	return err;
}

/*
 * Concatenate parts into one heap buffer, for Ed25519 which signs the whole
 * message in one pass (RFC 8032 pure EdDSA hashes it twice). Caller frees
 * with free_joined(); the copy may be the payload of a signed message, so it
 * is wiped.
 */
static tk_err join_parts(const struct tk_span *parts, size_t n_parts,
			 uint8_t **out, size_t *out_len, struct tk_diag *diag)
{
	size_t total = 0;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].len > SIZE_MAX - total)
			return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "message length overflows");
		total += parts[i].len;
	}
	buf = malloc(total > 0 ? total : 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "message copy of %zu bytes", total);
	total = 0;
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].len > 0)
			memcpy(buf + total, parts[i].ptr, parts[i].len);
		total += parts[i].len;
	}
	*out = buf;
	*out_len = total;
	return TK_OK;
}

static void free_joined(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	tk_wipe(buf, len);
	free(buf);
}

/* Convert a DER ECDSA-Sig-Value to raw r || s (RFC 9053 section 2.1). */
static tk_err der_to_raw(const uint8_t *der, size_t der_len,
			 uint8_t raw[TK_CRYPTO_P256_SIG_LEN], struct tk_diag *diag)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r;
	const BIGNUM *s;
	tk_err err = TK_OK;

	if (sig == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDSA signature DER invalid");
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, TK_CRYPTO_P256_COORD_LEN) != TK_CRYPTO_P256_COORD_LEN ||
	    BN_bn2binpad(s, raw + TK_CRYPTO_P256_COORD_LEN, TK_CRYPTO_P256_COORD_LEN) !=
		    TK_CRYPTO_P256_COORD_LEN)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDSA r or s too long");
	ECDSA_SIG_free(sig);
	return err;
}

/* Convert raw r || s to DER; *der_len receives the length. */
static tk_err raw_to_der(const uint8_t raw[TK_CRYPTO_P256_SIG_LEN],
			 uint8_t der[P256_DER_SIG_MAX], size_t *der_len,
			 struct tk_diag *diag)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, TK_CRYPTO_P256_COORD_LEN, NULL);
	BIGNUM *s = BN_bin2bn(raw + TK_CRYPTO_P256_COORD_LEN, TK_CRYPTO_P256_COORD_LEN,
			      NULL);
	unsigned char *p = der;
	int len;
	tk_err err = TK_ERR_CRYPTO;

	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		err = TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "ECDSA_SIG allocation failed");
		goto out;
	}
	/* sig owns r and s from here. */
	len = i2d_ECDSA_SIG(sig, NULL);
	if (len <= 0 || len > P256_DER_SIG_MAX || i2d_ECDSA_SIG(sig, &p) != len) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDSA signature DER failed");
		goto out;
	}
	*der_len = (size_t)len;
	err = TK_OK;

out:
	ECDSA_SIG_free(sig);
	return err;
}

static tk_err ecdsa_sign(EVP_PKEY *pkey, const struct tk_span *parts,
			 size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
			 size_t *sig_len, struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	uint8_t der[P256_DER_SIG_MAX];
	size_t der_len = sizeof(der);
	EVP_PKEY_CTX *pctx = NULL;
	tk_err err;

	err = digest_parts(parts, n_parts, digest, diag);
	if (err != TK_OK)
		return err;
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (pctx == NULL || EVP_PKEY_sign_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_sign(pctx, der, &der_len, digest, sizeof(digest)) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDSA signing failed");
		goto out;
	}
	err = der_to_raw(der, der_len, sig, diag);
	if (err == TK_OK)
		*sig_len = TK_CRYPTO_P256_SIG_LEN;

out:
	EVP_PKEY_CTX_free(pctx);
	return err;
}

static tk_err ecdsa_verify(EVP_PKEY *pkey, const struct tk_span *parts,
			   size_t n_parts, const uint8_t *sig, struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	uint8_t der[P256_DER_SIG_MAX];
	size_t der_len = 0;
	EVP_PKEY_CTX *pctx = NULL;
	int ok;
	tk_err err;

	err = digest_parts(parts, n_parts, digest, diag);
	if (err == TK_OK)
		err = raw_to_der(sig, der, &der_len, diag);
	if (err != TK_OK)
		return err;
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (pctx == NULL || EVP_PKEY_verify_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "ECDSA verify setup failed");
		goto out;
	}

	/* 0 means a bad signature. A negative value means a malformed one
	   (r or s zero or out of range), which is a bad signature too. */
	ok = EVP_PKEY_verify(pctx, der, der_len, digest, sizeof(digest));
	ERR_clear_error();
	err = ok == 1 ? TK_OK
		      : TK_FAIL(diag, TK_ERR_SIGNATURE, "ECDSA P-256 signature does not verify");

out:
	EVP_PKEY_CTX_free(pctx);
	return err;
}

static tk_err ed25519_sign(EVP_PKEY *pkey, const struct tk_span *parts,
			   size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
			   size_t *sig_len, struct tk_diag *diag)
{
	EVP_MD_CTX *md = NULL;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	size_t len = TK_CRYPTO_ED25519_SIG_LEN;
	tk_err err;

	err = join_parts(parts, n_parts, &msg, &msg_len, diag);
	if (err != TK_OK)
		return err;
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL, pkey,
						NULL) != 1 ||
	    EVP_DigestSign(md, sig, &len, msg, msg_len) != 1 ||
	    len != TK_CRYPTO_ED25519_SIG_LEN) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "Ed25519 signing failed");
		goto out;
	}
	*sig_len = len;
	err = TK_OK;

out:
	EVP_MD_CTX_free(md);
	free_joined(msg, msg_len);
	return err;
}

static tk_err ed25519_verify(EVP_PKEY *pkey, const struct tk_span *parts,
			     size_t n_parts, const uint8_t *sig,
			     struct tk_diag *diag)
{
	EVP_MD_CTX *md = NULL;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	int ok;
	tk_err err;

	err = join_parts(parts, n_parts, &msg, &msg_len, diag);
	if (err != TK_OK)
		return err;
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestVerifyInit_ex(md, NULL, NULL, NULL, NULL, pkey,
						  NULL) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "Ed25519 verify setup failed");
		goto out;
	}
	ok = EVP_DigestVerify(md, sig, TK_CRYPTO_ED25519_SIG_LEN, msg, msg_len);
	ERR_clear_error();
	err = ok == 1 ? TK_OK
		      : TK_FAIL(diag, TK_ERR_SIGNATURE, "Ed25519 signature does not verify");

out:
	EVP_MD_CTX_free(md);
	free_joined(msg, msg_len);
	return err;
}

tk_err tk_crypto_ossl_sign(void *ctx, const struct tk_crypto_key *key,
			enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
			size_t *sig_len, struct tk_diag *diag)
{
	(void)ctx;
	if (alg == TK_CRYPTO_SIG_ECDSA_P256_SHA256)
		return ecdsa_sign(pkey_of(key), parts, n_parts, sig, sig_len, diag);
	return ed25519_sign(pkey_of(key), parts, n_parts, sig, sig_len, diag);
}

tk_err tk_crypto_ossl_verify(void *ctx, const struct tk_crypto_key *key,
			  enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			  size_t n_parts, const uint8_t *sig, size_t sig_len,
			  struct tk_diag *diag)
{
	(void)ctx;
	(void)sig_len; /* checked by the wrapper: 64 for both algorithms */
	if (alg == TK_CRYPTO_SIG_ECDSA_P256_SHA256)
		return ecdsa_verify(pkey_of(key), parts, n_parts, sig, diag);
	return ed25519_verify(pkey_of(key), parts, n_parts, sig, diag);
}
