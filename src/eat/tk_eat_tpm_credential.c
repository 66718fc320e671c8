/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Software TPM2_MakeCredential and the checks of an attestation key's
 * public area (layouts and formulas in tk_eat_tpm_credential.h). The
 * parser reads through a bounds-checked cursor with a sticky error; the
 * derived keys and the seed are wiped on every path.
 */
#include "eat/tk_eat_tpm_credential.h"

#include <string.h>

/* TPM 2.0 Library, Part 2 constants. */
#define ALG_ECC 0x0023u
#define ALG_SHA256 0x000bu
#define ALG_ECDSA 0x0018u
#define ALG_NULL 0x0010u
#define ECC_NIST_P256 0x0003u

/* TPMA_OBJECT bits (Part 2, section 8.3). */
#define ATTR_FIXED_TPM (1u << 1)
#define ATTR_FIXED_PARENT (1u << 4)
#define ATTR_SENSITIVE_DATA_ORIGIN (1u << 5)
#define ATTR_RESTRICTED (1u << 16)
#define ATTR_DECRYPT (1u << 17)
#define ATTR_SIGN (1u << 18)

#define AK_REQUIRED_ATTRS (ATTR_FIXED_TPM | ATTR_FIXED_PARENT | \
			   ATTR_SENSITIVE_DATA_ORIGIN | ATTR_RESTRICTED | ATTR_SIGN)

/* Seed length: the digest size of the EK's nameAlg, SHA-256. */
#define SEED_LEN 32
#define SYM_KEY_LEN 16

/* "IDENTITY" with its terminating zero: the OAEP label of the seed. */
static const uint8_t identity_label[] = "IDENTITY";

/* Bounds-checked big-endian reader with a sticky error. */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	tk_err err;
	struct tk_diag *diag;
};

static uint32_t get_be(struct reader *r, size_t n, const char *field)
{
	uint32_t v = 0;

	if (r->err != TK_OK)
		return 0;
	if (n > r->len - r->pos) {
		r->err = TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, r->pos,
				    "TPMT_PUBLIC %s: needs %zu bytes, %zu left", field, n,
				    r->len - r->pos);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = v << 8 | r->buf[r->pos + i];
	r->pos += n;
	return v;
}

static struct tk_span get_tpm2b(struct reader *r, size_t max, const char *field)
{
	size_t size = get_be(r, 2, field);
	struct tk_span out = TK_SPAN_EMPTY;

	if (r->err != TK_OK)
		return out;
	if (size > max || size > r->len - r->pos) {
		r->err = TK_FAIL_AT(r->diag, size > max ? TK_ERR_LIMIT_SIZE : TK_ERR_SCHEMA_LENGTH,
				    r->pos - 2, "TPMT_PUBLIC %s: %zu bytes, maximum %zu",
				    field, size, size > max ? max : r->len - r->pos);
		return out;
	}
	out = tk_span_make(r->buf + r->pos, size);
	r->pos += size;
	return out;
}

/* Fail with TK_ERR_ALG_UNSUPPORTED unless value == expected. */
static void expect(struct reader *r, uint32_t value, uint32_t expected, const char *field)
{
	if (r->err == TK_OK && value != expected)
		r->err = TK_FAIL(r->diag, TK_ERR_ALG_UNSUPPORTED,
				 "AK %s is 0x%04x, expected 0x%04x", field, (unsigned)value,
				 (unsigned)expected);
}

static void copy_coord(struct reader *r, struct tk_span coord, uint8_t out[32])
{
	memset(out, 0, 32);
	if (r->err == TK_OK)
		memcpy(out + 32 - coord.len, coord.ptr, coord.len);
}

/* Read the fields after objectAttributes: all fixed for a P-256 AK. */
static void read_ecc_parameters(struct reader *r, struct tk_eat_tpm_ak *out)
{
	(void)get_tpm2b(r, 64, "authPolicy");
	expect(r, get_be(r, 2, "symmetric"), ALG_NULL, "symmetric algorithm");
	expect(r, get_be(r, 2, "scheme"), ALG_ECDSA, "signing scheme");
	expect(r, get_be(r, 2, "scheme hash"), ALG_SHA256, "signing scheme hash");
	expect(r, get_be(r, 2, "curveID"), ECC_NIST_P256, "curve");
	expect(r, get_be(r, 2, "kdf"), ALG_NULL, "KDF scheme");
	copy_coord(r, get_tpm2b(r, 32, "unique.x"), out->x);
	copy_coord(r, get_tpm2b(r, 32, "unique.y"), out->y);
	if (r->err == TK_OK && r->pos != r->len)
		r->err = TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, r->pos,
				    "TPMT_PUBLIC has %zu bytes after its end", r->len - r->pos);
}

tk_err tk_eat_tpm_ak_parse(const struct tk_crypto *c, const uint8_t *public_area,
			   size_t public_len, struct tk_eat_tpm_ak *out, struct tk_diag *diag)
{
	struct reader r = {public_area, public_len, 0, TK_OK, diag};
	tk_err err;

	if (out == NULL || (public_area == NULL && public_len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to the AK parser");
	memset(out, 0, sizeof(*out));
	if (public_len > TK_EAT_TPM_PUBLIC_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "TPMT_PUBLIC of %zu bytes, maximum %d",
			       public_len, TK_EAT_TPM_PUBLIC_MAX);

	expect(&r, get_be(&r, 2, "type"), ALG_ECC, "type");
	expect(&r, get_be(&r, 2, "nameAlg"), ALG_SHA256, "nameAlg");
	out->attributes = get_be(&r, 4, "objectAttributes");
	if (r.err == TK_OK && ((out->attributes & AK_REQUIRED_ATTRS) != AK_REQUIRED_ATTRS ||
			       (out->attributes & ATTR_DECRYPT) != 0))
		r.err = TK_FAIL(diag, TK_ERR_KEY, "AK attributes 0x%08x are not those of a "
				"restricted signing key fixed to its TPM",
				(unsigned)out->attributes);
	read_ecc_parameters(&r, out);
	err = r.err;

	/* The name: nameAlg || SHA-256 of the whole marshalled area. */
	out->name[0] = (uint8_t)(ALG_SHA256 >> 8);
	out->name[1] = (uint8_t)ALG_SHA256;
	if (err == TK_OK)
		err = tk_crypto_sha256(c, public_area, public_len, out->name + 2, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

static void put_u32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

tk_err tk_eat_tpm_kdfa(const struct tk_crypto *c, struct tk_span key, const char *label,
		       struct tk_span context_u, struct tk_span context_v, uint8_t *out,
		       size_t out_len, struct tk_diag *diag)
{
	uint8_t counter[4], bits[4], block[TK_CRYPTO_HMAC_SHA256_LEN];
	struct tk_span parts[5];
	tk_err err = TK_OK;

	if (label == NULL || out == NULL || out_len == 0 || out_len > TK_CRYPTO_HKDF_MAX_OUT)
		return TK_FAIL(diag, TK_ERR_ARG, "KDFa of %zu bytes without a label or output",
			       out_len);
	put_u32(bits, (uint32_t)(out_len * 8));
	/* The label is hashed with its terminating zero byte. */
	parts[1] = tk_span_make(label, strlen(label) + 1);
	parts[2] = context_u;
	parts[3] = context_v;
	parts[4] = tk_span_make(bits, sizeof(bits));

	for (size_t done = 0, i = 1; done < out_len && err == TK_OK; i++) {
		size_t n = out_len - done < sizeof(block) ? out_len - done : sizeof(block);

		put_u32(counter, (uint32_t)i);
		parts[0] = tk_span_make(counter, sizeof(counter));
		err = tk_crypto_hmac_sha256(c, key.ptr, key.len, parts, 5, block, diag);
		if (err == TK_OK)
			memcpy(out + done, block, n);
		done += n;
	}
	tk_wipe(block, sizeof(block));
	if (err != TK_OK)
		tk_wipe(out, out_len);
	return err;
}

/* Keys derived from the seed, wiped by the caller. */
struct credential_keys {
	uint8_t seed[SEED_LEN];
	uint8_t sym[SYM_KEY_LEN];
	uint8_t hmac[TK_CRYPTO_HMAC_SHA256_LEN];
};

static tk_err derive_keys(const struct tk_crypto *c, struct tk_span name,
			  struct credential_keys *k, struct tk_diag *diag)
{
	struct tk_span seed = tk_span_make(k->seed, sizeof(k->seed));
	tk_err err = tk_crypto_random(c, k->seed, sizeof(k->seed), diag);

	if (err == TK_OK)
		err = tk_eat_tpm_kdfa(c, seed, "STORAGE", name, TK_SPAN_EMPTY, k->sym,
				      sizeof(k->sym), diag);
	if (err == TK_OK)
		err = tk_eat_tpm_kdfa(c, seed, "INTEGRITY", TK_SPAN_EMPTY, TK_SPAN_EMPTY,
				      k->hmac, sizeof(k->hmac), diag);
	return err;
}

/* Seal the credential into out->id_object with the derived keys. */
static tk_err seal_identity(const struct tk_crypto *c, const struct credential_keys *k,
			    struct tk_span name, struct tk_span credential,
			    struct tk_eat_tpm_credential *out, struct tk_diag *diag)
{
	static const uint8_t zero_iv[TK_CRYPTO_AES_CFB_IV_LEN];
	uint8_t plain[2 + TK_EAT_TPM_CREDENTIAL_MAX];
	size_t enc_len = 2 + credential.len;
	uint8_t *hmac = out->id_object + 4;
	uint8_t *enc = hmac + TK_CRYPTO_HMAC_SHA256_LEN;
	struct tk_span parts[2];
	tk_err err;

	/* encIdentity: the credential as a marshalled TPM2B_DIGEST, encrypted. */
	plain[0] = (uint8_t)(credential.len >> 8);
	plain[1] = (uint8_t)credential.len;
	memcpy(plain + 2, credential.ptr, credential.len);
	err = tk_crypto_aes_cfb(c, true, k->sym, sizeof(k->sym), zero_iv, plain, enc_len,
				enc, diag);
	tk_wipe(plain, sizeof(plain));
	if (err != TK_OK)
		return err;

	parts[0] = tk_span_make(enc, enc_len);
	parts[1] = name;
	err = tk_crypto_hmac_sha256(c, k->hmac, sizeof(k->hmac), parts, 2, hmac, diag);
	if (err != TK_OK)
		return err;
	out->id_object_len = 4 + TK_CRYPTO_HMAC_SHA256_LEN + enc_len;
	out->id_object[0] = (uint8_t)((out->id_object_len - 2) >> 8);
	out->id_object[1] = (uint8_t)(out->id_object_len - 2);
	out->id_object[2] = 0;
	out->id_object[3] = TK_CRYPTO_HMAC_SHA256_LEN;
	return TK_OK;
}

tk_err tk_eat_tpm_make_credential(const struct tk_crypto *c, struct tk_span ek_cert,
				  struct tk_span name, struct tk_span credential,
				  struct tk_eat_tpm_credential *out, struct tk_diag *diag)
{
	struct credential_keys keys;
	size_t secret_len = 0;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL credential output");
	memset(out, 0, sizeof(*out));
	if (name.len != TK_EAT_TPM_AK_NAME_LEN || name.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "object name of %zu bytes, expected %d",
			       name.len, TK_EAT_TPM_AK_NAME_LEN);
	if (credential.len == 0 || credential.ptr == NULL ||
	    credential.len > TK_EAT_TPM_CREDENTIAL_MAX)
		return TK_FAIL(diag, credential.len == 0 ? TK_ERR_ARG : TK_ERR_LIMIT_SIZE,
			       "credential of %zu bytes, expected 1 to %d", credential.len,
			       TK_EAT_TPM_CREDENTIAL_MAX);

	memset(&keys, 0, sizeof(keys));
	err = derive_keys(c, name, &keys, diag);
	if (err == TK_OK)
		err = tk_crypto_rsa_oaep_encrypt_cert(c, ek_cert.ptr, ek_cert.len,
						      identity_label, sizeof(identity_label),
						      keys.seed, sizeof(keys.seed),
						      out->encrypted_secret + 2,
						      sizeof(out->encrypted_secret) - 2,
						      &secret_len, diag);
	if (err == TK_OK)
		err = seal_identity(c, &keys, name, credential, out, diag);
	tk_wipe(&keys, sizeof(keys));
	if (err != TK_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->encrypted_secret[0] = (uint8_t)(secret_len >> 8);
	out->encrypted_secret[1] = (uint8_t)secret_len;
	out->encrypted_secret_len = 2 + secret_len;
	return TK_OK;
}
