/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenSSL 3.0 crypto provider, the only code in teepkit that calls
 * OpenSSL. It uses no call that OpenSSL 3.0 deprecates. It keeps no state
 * of its own, because the operations table is constant and ctx is unused.
 * On every failure it moves OpenSSL's error queue into the diagnostic
 * record, so the cause is kept.
 *
 * Keys are EVP_PKEY objects inside struct tk_crypto_key. OpenSSL clears
 * private key material when an EVP_PKEY is freed; buffers of our own that
 * held secrets (DER, PEM, message copies) are wiped before release.
 */
#include "crypto/tk_crypto.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto/tk_crypto_key.h"
#include "crypto/tk_crypto_openssl.h"

/* OpenSSL group name of P-256 as EVP_PKEY_get_group_name() reports it. */
#define P256_GROUP_NAME "prime256v1"

/* Uncompressed SEC1 point: 0x04 || x || y. */
#define P256_POINT_LEN (1 + 2 * TK_CRYPTO_P256_COORD_LEN)

tk_err tk_diag_set_openssl(struct tk_diag *diag, tk_err code, const char *what,
			   const char *file, int line)
{
	char detail[TK_DIAG_MSG_MAX];
	size_t used = 0;
	unsigned long e;

	detail[0] = '\0';

	/* Drain the whole queue even when diag already records a cause. */
	while ((e = ERR_get_error()) != 0) {
		char one[160];

		ERR_error_string_n(e, one, sizeof(one));
		if (used < sizeof(detail) - 1) {
			int n = snprintf(detail + used, sizeof(detail) - used, "%s%s",
					 used == 0 ? "" : "; ", one);
			if (n > 0)
				used += (size_t)n;
			if (used >= sizeof(detail))
				used = sizeof(detail) - 1;
		}
	}
	if (used == 0)
		return tk_diag_set(diag, code, TK_DIAG_NO_OFFSET, file, line, "%s",
				   what);
	return tk_diag_set(diag, code, TK_DIAG_NO_OFFSET, file, line, "%s: %s",
			   what, detail);
}

/* Hashes. */

static tk_err ossl_sha256(void *ctx, const uint8_t *data, size_t len,
			  uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	unsigned int out_len = 0;
	static const uint8_t empty[1] = {0};

	(void)ctx;
	if (EVP_Digest(data != NULL ? data : empty, len, out, &out_len,
		       EVP_sha256(), NULL) != 1 ||
	    out_len != TK_CRYPTO_SHA256_LEN)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "SHA-256 failed");
	return TK_OK;
}

static tk_err ossl_sha256_init(void *ctx, void **impl, struct tk_diag *diag)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	(void)ctx;
	*impl = NULL;
	if (md == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EVP_MD_CTX_new failed");
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "SHA-256 init failed");
	}
	*impl = md;
	return TK_OK;
}

static tk_err ossl_sha256_update(void *ctx, void *impl, const uint8_t *data,
				 size_t len, struct tk_diag *diag)
{
	(void)ctx;
	if (EVP_DigestUpdate(impl, data, len) != 1)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "SHA-256 update failed");
	return TK_OK;
}

static tk_err ossl_sha256_final(void *ctx, void *impl,
				uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	unsigned int out_len = 0;
	tk_err err = TK_OK;

	(void)ctx;
	if (EVP_DigestFinal_ex(impl, out, &out_len) != 1 ||
	    out_len != TK_CRYPTO_SHA256_LEN)
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "SHA-256 final failed");
	EVP_MD_CTX_free(impl);
	return err;
}

static void ossl_sha256_abort(void *ctx, void *impl)
{
	(void)ctx;
	EVP_MD_CTX_free(impl);
}

static tk_err ossl_random(void *ctx, uint8_t *out, size_t len,
			  struct tk_diag *diag)
{
	(void)ctx;

	/* RAND_bytes takes an int length. */
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(out, chunk) != 1)
			return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "RAND_bytes failed");
		out += chunk;
		len -= (size_t)chunk;
	}
	return TK_OK;
}

/* Keys. */

static EVP_PKEY *pkey_of(const struct tk_crypto_key *key)
{
	return (EVP_PKEY *)key->impl;
}

/*
 * Classify an EVP_PKEY as one of our key types; TK_ERR_KEY for any other
 * algorithm or curve.
 */
static tk_err classify_pkey(EVP_PKEY *pkey, enum tk_crypto_key_type *type,
			    struct tk_diag *diag)
{
	char group[64];
	size_t group_len = 0;

	*type = TK_CRYPTO_KEY_NONE;
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*type = TK_CRYPTO_KEY_ED25519;
		return TK_OK;
	}
	if (!EVP_PKEY_is_a(pkey, "EC"))
		return TK_FAIL(diag, TK_ERR_KEY, "key type %s not supported",
			       EVP_PKEY_get0_type_name(pkey) != NULL
				       ? EVP_PKEY_get0_type_name(pkey) : "(unknown)");
	if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &group_len) != 1) {
		ERR_clear_error();
		return TK_FAIL(diag, TK_ERR_KEY, "EC key without a named curve");
	}
	if (strcmp(group, P256_GROUP_NAME) != 0)
		return TK_FAIL(diag, TK_ERR_KEY, "EC curve %s not supported, expected P-256",
			       group);
	*type = TK_CRYPTO_KEY_P256;
	return TK_OK;
}

/* Wrap pkey in a new struct tk_crypto_key; takes ownership of pkey. */
static tk_err wrap_pkey(EVP_PKEY *pkey, bool has_private,
			struct tk_crypto_key **out, struct tk_diag *diag)
{
	struct tk_crypto_key *key;
	enum tk_crypto_key_type type;
	tk_err err;

	err = classify_pkey(pkey, &type, diag);
	if (err != TK_OK) {
		EVP_PKEY_free(pkey);
		return err;
	}
	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return TK_FAIL(diag, TK_ERR_NOMEM, "key allocation failed");
	}
	key->type = type;
	key->has_private = has_private;
	key->impl = pkey;
	*out = key;
	return TK_OK;
}

static void ossl_key_free(void *ctx, struct tk_crypto_key *key)
{
	(void)ctx;
	EVP_PKEY_free(pkey_of(key));
	tk_wipe(key, sizeof(*key));
	free(key);
}

static tk_err ossl_key_generate(void *ctx, enum tk_crypto_key_type type,
				struct tk_crypto_key **out, struct tk_diag *diag)
{
	EVP_PKEY *pkey;

	(void)ctx;
	if (type == TK_CRYPTO_KEY_P256)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pkey == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "key generation failed");
	return wrap_pkey(pkey, true, out, diag);
}

/*
 * PEM block names we import. SEC1 "EC PRIVATE KEY" and encrypted PKCS#8
 * are rejected: teepkit writes and reads only unencrypted PKCS#8 and SPKI.
 */
#define PEM_NAME_PRIVATE "PRIVATE KEY"
#define PEM_NAME_PUBLIC "PUBLIC KEY"

/* Decode the DER of one PEM block into pkey, rejecting trailing bytes. */
static tk_err decode_der(const char *name, const unsigned char *der, long der_len,
			 EVP_PKEY **pkey, bool *has_private, struct tk_diag *diag)
{
	const unsigned char *p = der;

	*pkey = NULL;
	if (strcmp(name, PEM_NAME_PRIVATE) == 0) {
		*pkey = d2i_AutoPrivateKey(NULL, &p, der_len);
		*has_private = true;
	} else if (strcmp(name, PEM_NAME_PUBLIC) == 0) {
		*pkey = d2i_PUBKEY(NULL, &p, der_len);
		*has_private = false;
	} else {
		return TK_FAIL(diag, TK_ERR_KEY,
			       "PEM block \"%s\" not supported, expected PRIVATE KEY "
			       "(PKCS#8) or PUBLIC KEY (SPKI)", name);
	}
	if (*pkey == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "PEM key does not decode");
	if (p != der + der_len) {
		EVP_PKEY_free(*pkey);
		*pkey = NULL;
		return TK_FAIL(diag, TK_ERR_KEY, "%ld bytes follow the key in the PEM block",
			       (long)(der + der_len - p));
	}
	return TK_OK;
}

static tk_err ossl_key_import_pem(void *ctx, const uint8_t *pem, size_t pem_len,
				  struct tk_crypto_key **out, struct tk_diag *diag)
{
	BIO *bio = NULL;
	char *name = NULL;
	char *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	EVP_PKEY *pkey = NULL;
	bool has_private = false;
	tk_err err = TK_ERR_KEY;

	(void)ctx;
	if (pem_len > INT_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "PEM input of %zu bytes", pem_len);
	bio = BIO_new_mem_buf(pem, (int)pem_len);
	if (bio == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "BIO_new_mem_buf failed");
		goto out;
	}

	/* PEM_read_bio never prompts for a password, unlike PEM_read_bio_PrivateKey. */
	if (PEM_read_bio(bio, &name, &header, &der, &der_len) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "no PEM block in input");
		goto out;
	}
	if (header != NULL && header[0] != '\0') {
		err = TK_FAIL(diag, TK_ERR_KEY,
			      "PEM block has headers (encrypted key?), not supported");
		goto out;
	}
	err = decode_der(name, der, der_len, &pkey, &has_private, diag);
	if (err != TK_OK)
		goto out;
	err = wrap_pkey(pkey, has_private, out, diag);
	pkey = NULL;

out:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)der_len);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return err;
}

static tk_err ossl_key_export_pem(void *ctx, const struct tk_crypto_key *key,
				  bool private_key, uint8_t *out, size_t out_cap,
				  size_t *out_len, struct tk_diag *diag)
{
	BIO *bio;
	char *data = NULL;
	long data_len;
	int ok;
	tk_err err = TK_ERR_CRYPTO;

	(void)ctx;

	/* A secure-memory BIO clears the private PEM when it is freed. */
	bio = BIO_new(private_key ? BIO_s_secmem() : BIO_s_mem());
	if (bio == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "BIO_new failed");
	if (private_key)
		ok = PEM_write_bio_PrivateKey(bio, pkey_of(key), NULL, NULL, 0, NULL,
					      NULL);
	else
		ok = PEM_write_bio_PUBKEY(bio, pkey_of(key));
	if (ok != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "PEM encoding failed");
		goto out;
	}
	data_len = BIO_get_mem_data(bio, &data);
	if (data_len <= 0 || data == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "PEM encoding is empty");
		goto out;
	}
	if ((size_t)data_len > out_cap) {
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			      "PEM needs %ld bytes, buffer has %zu", data_len, out_cap);
		goto out;
	}
	memcpy(out, data, (size_t)data_len);
	*out_len = (size_t)data_len;
	err = TK_OK;

out:
	BIO_free(bio);
	return err;
}

/* Build an EVP_PKEY of type "EC" or "ED25519" from params. */
static EVP_PKEY *pkey_fromdata(const char *type, int selection,
			       const OSSL_PARAM *params)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (pctx == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, selection, (OSSL_PARAM *)params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(pctx);
	return pkey;
}

/* Check a public key for validity (point on the curve, not infinity). */
static tk_err check_public(EVP_PKEY *pkey, struct tk_diag *diag)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok;

	if (pctx == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EVP_PKEY_CTX_new failed");
	ok = EVP_PKEY_public_check(pctx);
	EVP_PKEY_CTX_free(pctx);
	if (ok != 1)
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "public key is not valid");
	return TK_OK;
}

/* P-256 public key from an uncompressed point (and optionally d). */
static EVP_PKEY *p256_from_point(const uint8_t point[P256_POINT_LEN],
				 const BIGNUM *d)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    "P-256", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
					     P256_POINT_LEN) != 1 ||
	    (d != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	pkey = pkey_fromdata("EC", d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			     params);

out:
	/* d is a BN_secure_new() number, so the builder placed it in secure
	   memory, which OSSL_PARAM_free() clears. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static tk_err ossl_key_import_public(void *ctx, enum tk_crypto_key_type type,
				     const uint8_t *x, size_t x_len,
				     const uint8_t *y, size_t y_len,
				     struct tk_crypto_key **out, struct tk_diag *diag)
{
	EVP_PKEY *pkey;
	uint8_t point[P256_POINT_LEN];
	tk_err err;

	(void)ctx;
	(void)y_len;
	if (type == TK_CRYPTO_KEY_ED25519) {
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, x_len);
	} else {
		point[0] = 0x04;
		memcpy(point + 1, x, TK_CRYPTO_P256_COORD_LEN);
		memcpy(point + 1 + TK_CRYPTO_P256_COORD_LEN, y, TK_CRYPTO_P256_COORD_LEN);
		pkey = p256_from_point(point, NULL);
	}
	if (pkey == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "public key import failed");
	err = check_public(pkey, diag);
	if (err != TK_OK) {
		EVP_PKEY_free(pkey);
		return err;
	}
	return wrap_pkey(pkey, false, out, diag);
}

/*
 * Derive the uncompressed public point d * G on P-256. EC_POINT_mul and
 * friends are not deprecated in OpenSSL 3.0; there is no EVP call for it.
 */
static tk_err p256_public_point(const BIGNUM *d, uint8_t point[P256_POINT_LEN],
				struct tk_diag *diag)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pub = NULL;
	BN_CTX *bn_ctx = BN_CTX_secure_new();
	tk_err err = TK_ERR_CRYPTO;

	if (group == NULL || bn_ctx == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "EC group allocation failed");
		goto out;
	}

	/* RFC 9053 section 2.1 / SEC1: d must be in [1, n-1]. */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
		err = TK_FAIL(diag, TK_ERR_KEY, "P-256 private scalar out of range");
		goto out;
	}
	pub = EC_POINT_new(group);
	if (pub == NULL || EC_POINT_mul(group, pub, d, NULL, NULL, bn_ctx) != 1 ||
	    EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point,
			       P256_POINT_LEN, bn_ctx) != P256_POINT_LEN) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "P-256 public point failed");
		goto out;
	}
	err = TK_OK;

out:
	EC_POINT_free(pub);
	BN_CTX_free(bn_ctx);
	EC_GROUP_free(group);
	return err;
}

static tk_err ossl_key_import_private(void *ctx, enum tk_crypto_key_type type,
				      const uint8_t *d, size_t d_len,
				      struct tk_crypto_key **out, struct tk_diag *diag)
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = NULL;
	uint8_t point[P256_POINT_LEN];
	tk_err err;

	(void)ctx;
	if (type == TK_CRYPTO_KEY_ED25519) {
		pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, d_len);
		if (pkey == NULL)
			return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "Ed25519 key import failed");
		return wrap_pkey(pkey, true, out, diag);
	}

	bn = BN_secure_new();
	if (bn == NULL || BN_bin2bn(d, (int)d_len, bn) == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "BN allocation failed");
		goto out;
	}
	err = p256_public_point(bn, point, diag);
	if (err != TK_OK)
		goto out;
	pkey = p256_from_point(point, bn);
	if (pkey == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "P-256 key import failed");
		goto out;
	}
	err = wrap_pkey(pkey, true, out, diag);

out:
	BN_clear_free(bn);
	return err;
}

static tk_err ossl_key_export_public(void *ctx, const struct tk_crypto_key *key,
				     uint8_t x[TK_CRYPTO_P256_COORD_LEN],
				     uint8_t y[TK_CRYPTO_P256_COORD_LEN],
				     struct tk_diag *diag)
{
	BIGNUM *bx = NULL;
	BIGNUM *by = NULL;
	size_t len = TK_CRYPTO_ED25519_KEY_LEN;
	tk_err err = TK_ERR_CRYPTO;

	(void)ctx;
	if (key->type == TK_CRYPTO_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey_of(key), x, &len) != 1 ||
		    len != TK_CRYPTO_ED25519_KEY_LEN)
			return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO,
					       "Ed25519 public key export failed");
		return TK_OK;
	}

	if (EVP_PKEY_get_bn_param(pkey_of(key), OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(pkey_of(key), OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1 ||
	    BN_bn2binpad(bx, x, TK_CRYPTO_P256_COORD_LEN) != TK_CRYPTO_P256_COORD_LEN ||
	    BN_bn2binpad(by, y, TK_CRYPTO_P256_COORD_LEN) != TK_CRYPTO_P256_COORD_LEN) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "P-256 public key export failed");
		goto out;
	}
	err = TK_OK;

out:
	BN_free(bx);
	BN_free(by);
	return err;
}

/* MACs. */

static tk_err ossl_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len,
			       const struct tk_span *parts, size_t n_parts,
			       uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
			       struct tk_diag *diag)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mctx = NULL;
	OSSL_PARAM params[2];
	size_t out_len = 0;
	tk_err err = TK_ERR_CRYPTO;

	(void)ctx;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (mac == NULL || (mctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(mctx, key, key_len, params) != 1)
		goto fail;
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].len > 0 &&
		    EVP_MAC_update(mctx, parts[i].ptr, parts[i].len) != 1)
			goto fail;
	}
	if (EVP_MAC_final(mctx, out, &out_len, TK_CRYPTO_HMAC_SHA256_LEN) != 1 ||
	    out_len != TK_CRYPTO_HMAC_SHA256_LEN)
		goto fail;
	err = TK_OK;
	goto out;

fail:
	err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "HMAC-SHA256 failed");
out:
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(mac);
	return err;
}

static const struct tk_crypto_ops openssl_ops = {
	.sha256 = ossl_sha256,
	.sha256_init = ossl_sha256_init,
	.sha256_update = ossl_sha256_update,
	.sha256_final = ossl_sha256_final,
	.sha256_abort = ossl_sha256_abort,
	.random = ossl_random,
	.key_generate = ossl_key_generate,
	.key_free = ossl_key_free,
	.key_import_pem = ossl_key_import_pem,
	.key_export_pem = ossl_key_export_pem,
	.key_import_public = ossl_key_import_public,
	.key_import_private = ossl_key_import_private,
	.key_export_public = ossl_key_export_public,
	.sign = tk_crypto_ossl_sign,
	.verify = tk_crypto_ossl_verify,
	.hmac_sha256 = ossl_hmac_sha256,
	.ecdh = tk_crypto_ossl_ecdh,
	.aes_kw_wrap = tk_crypto_ossl_aes_kw_wrap,
	.aes_kw_unwrap = tk_crypto_ossl_aes_kw_unwrap,
	.aead_seal = tk_crypto_ossl_aead_seal,
	.aead_open = tk_crypto_ossl_aead_open,
	.aes_ctr = tk_crypto_ossl_aes_ctr,
	.cipher_init = tk_crypto_ossl_cipher_init,
	.cipher_update = tk_crypto_ossl_cipher_update,
	.cipher_final = tk_crypto_ossl_cipher_final,
	.cipher_abort = tk_crypto_ossl_cipher_abort,
	.x509_verify_chain = tk_crypto_ossl_x509_verify_chain,
	.aes_cfb = tk_crypto_ossl_aes_cfb,
	.rsa_oaep_encrypt_cert = tk_crypto_ossl_rsa_oaep_encrypt_cert,
};

static const struct tk_crypto openssl_provider = {
	.ops = &openssl_ops,
	.ctx = NULL,
};

const struct tk_crypto *tk_crypto_openssl(void)
{
	return &openssl_provider;
}
