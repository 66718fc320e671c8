/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Key (RFC 9052 section 7, key type parameters in RFC 9053 section 7
 * and RFC 8230 for RSA) and COSE key thumbprints (RFC 9679).
 *
 *   COSE_Key = { 1 => tstr / int,          ; kty
 *                ? 2 => bstr,              ; kid
 *                ? 3 => tstr / int,        ; alg
 *                * label => values }       ; -1.. depend on kty
 * The meaning of labels -1 to -4 depends on kty, which may come after them
 * in the map, so their values are kept by type first and assigned once the
 * whole map is read.
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

/* COSE_Key labels (RFC 9052 section 7.1). */
#define KEY_KTY 1
#define KEY_KID 2
#define KEY_ALG 3

/*
 * Largest thumbprint input: an RSA-4096 modulus (512 bytes) with its
 * exponent and heads fits; longer key parameters fail with
 * TK_ERR_LIMIT_SIZE.
 */
#define THUMBPRINT_INPUT_MAX 640

/* Value of one of the labels -1 to -4 before kty is known. */
struct neg_param {
	bool present;
	bool is_int;
	int64_t int_value;
	struct tk_span bstr; /* when a bstr */
	bool is_other;       /* any other type (e.g. a bool y sign bit) */
};

static tk_err read_neg_param(struct tk_cbor_dec *dec, struct neg_param *param)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);

	param->present = true;
	if (type == TK_CBOR_UINT || type == TK_CBOR_NINT) {
		param->is_int = true;
		return tk_cbor_get_int(dec, &param->int_value);
	}
	if (type == TK_CBOR_BSTR)
		return tk_cbor_get_bstr(dec, &param->bstr);
	param->is_other = true;
	return tk_cbor_skip(dec);
}

static tk_err read_label(struct tk_cbor_dec *dec, int64_t label,
			 struct tk_cose_key *out, struct neg_param neg[4],
			 bool *has_kty)
{
	tk_err err;

	switch (label) {
	case KEY_KTY:
		if (tk_cbor_peek(dec) == TK_CBOR_TSTR)
			return tk_cbor_dec_fail(dec, TK_ERR_KEY, "text kty not supported");
		err = tk_cbor_get_int(dec, &out->kty);
		*has_kty = err == TK_OK;
		return err;
	case KEY_KID:
		return tk_cbor_get_bstr(dec, &out->kid);
	case KEY_ALG:
		/* A text alg names no algorithm we implement: keep has_alg false. */
		if (tk_cbor_peek(dec) == TK_CBOR_TSTR)
			return tk_cbor_skip(dec);
		err = tk_cbor_get_int(dec, &out->alg);
		out->has_alg = err == TK_OK;
		return err;
	case -1:
	case -2:
	case -3:
	case -4:
		return read_neg_param(dec, &neg[-label - 1]);
	default:
		return tk_cbor_skip(dec); /* key_ops, Base IV, RSA CRT values ... */
	}
}

/* Take a bstr parameter or fail with TK_ERR_SCHEMA_TYPE. */
static tk_err take_bstr(const struct neg_param *param, int64_t label,
			struct tk_span *out, struct tk_diag *diag)
{
	if (!param->present)
		return TK_OK;
	if (param->is_int || param->is_other)
		return TK_FAIL(diag, param->is_other && label == -3 ? TK_ERR_KEY
								    : TK_ERR_SCHEMA_TYPE,
			       "COSE_Key label %" PRId64 " is not a byte string%s", label,
			       label == -3 ? " (compressed points are not supported)" : "");
	*out = param->bstr;
	return TK_OK;
}

/* Assign labels -1 to -4 by kty. */
static tk_err assign_params(struct tk_cose_key *out, const struct neg_param neg[4],
			    struct tk_diag *diag)
{
	tk_err err = TK_OK;

	switch (out->kty) {
	case TK_COSE_KTY_OKP:
	case TK_COSE_KTY_EC2:
		if (neg[0].present && !neg[0].is_int)
			return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE,
				       "COSE_Key crv is not an integer");
		out->crv = neg[0].int_value;
		err = take_bstr(&neg[1], -2, &out->x, diag);
		if (err == TK_OK && out->kty == TK_COSE_KTY_EC2)
			err = take_bstr(&neg[2], -3, &out->y, diag);
		if (err == TK_OK)
			err = take_bstr(&neg[3], -4, &out->d, diag);
		return err;
	case TK_COSE_KTY_RSA:
		err = take_bstr(&neg[0], -1, &out->n, diag);
		if (err == TK_OK)
			err = take_bstr(&neg[1], -2, &out->e, diag);
		return err;
	case TK_COSE_KTY_SYMMETRIC:
		return take_bstr(&neg[0], -1, &out->k, diag);
	default:
		return TK_OK; /* other key types: decoded, not interpreted */
	}
}

tk_err tk_cose_key_decode(const uint8_t *buf, size_t len, struct tk_cose_key *out,
			  struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct neg_param neg[4];
	bool has_kty = false;
	uint64_t count = 0;
	int64_t label;
	tk_err err;

	if (out == NULL || (buf == NULL && len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Key decode");
	memset(out, 0, sizeof(*out));
	memset(neg, 0, sizeof(neg));

	err = tk_cbor_dec_init(&dec, buf, len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		enum tk_cbor_type type = tk_cbor_peek(&dec);

		if (type != TK_CBOR_UINT && type != TK_CBOR_NINT) {
			err = tk_cbor_skip(&dec); /* text label: not ours */
			if (err == TK_OK)
				err = tk_cbor_skip(&dec);
			continue;
		}
		err = tk_cbor_get_int(&dec, &label);
		if (err == TK_OK)
			err = read_label(&dec, label, out, neg, &has_kty);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK && !has_kty)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "COSE_Key without kty");
	if (err == TK_OK)
		err = assign_params(out, neg, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

/* Map a decoded key to our key type and check its coordinates' sizes. */
static tk_err crypto_type_of(const struct tk_cose_key *key,
			     enum tk_crypto_key_type *type, struct tk_diag *diag)
{
	*type = TK_CRYPTO_KEY_NONE;
	if (key->kty == TK_COSE_KTY_EC2 && key->crv == TK_COSE_CRV_P256) {
		if (key->x.len != TK_CRYPTO_P256_COORD_LEN ||
		    key->y.len != TK_CRYPTO_P256_COORD_LEN)
			return TK_FAIL(diag, TK_ERR_KEY,
				       "P-256 COSE_Key with x of %zu and y of %zu bytes",
				       key->x.len, key->y.len);
		*type = TK_CRYPTO_KEY_P256;
	} else if (key->kty == TK_COSE_KTY_OKP && key->crv == TK_COSE_CRV_ED25519) {
		if (key->x.len != TK_CRYPTO_ED25519_KEY_LEN)
			return TK_FAIL(diag, TK_ERR_KEY, "Ed25519 COSE_Key with x of %zu bytes",
				       key->x.len);
		*type = TK_CRYPTO_KEY_ED25519;
	} else {
		return TK_FAIL(diag, TK_ERR_KEY,
			       "COSE_Key kty %" PRId64 " crv %" PRId64
			       " not supported, expected EC2 P-256 or OKP Ed25519",
			       key->kty, key->crv);
	}
	return TK_OK;
}

/* The public part derived from d must be the x (and y) the COSE_Key states. */
static tk_err check_public_matches(const struct tk_crypto_key *key,
				   const struct tk_cose_key *cose, struct tk_diag *diag)
{
	uint8_t x[TK_CRYPTO_P256_COORD_LEN];
	uint8_t y[TK_CRYPTO_P256_COORD_LEN];
	tk_err err = tk_crypto_key_export_public(key, x, y, diag);

	if (err != TK_OK)
		return err;
	if (memcmp(x, cose->x.ptr, cose->x.len) != 0 ||
	    (cose->kty == TK_COSE_KTY_EC2 && memcmp(y, cose->y.ptr, cose->y.len) != 0))
		return TK_FAIL(diag, TK_ERR_KEY,
			       "COSE_Key public coordinates do not match its private key");
	return TK_OK;
}

tk_err tk_cose_key_to_crypto(const struct tk_crypto *c, const struct tk_cose_key *key,
			     struct tk_crypto_key **out, struct tk_diag *diag)
{
	enum tk_crypto_key_type type;
	tk_err err;

	if (out == NULL || key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Key import");
	*out = NULL;
	err = crypto_type_of(key, &type, diag);
	if (err != TK_OK)
		return err;

	if (key->d.len == 0) {
		return tk_crypto_key_import_public(c, type, key->x.ptr, key->x.len,
						   type == TK_CRYPTO_KEY_P256 ? key->y.ptr : NULL,
						   type == TK_CRYPTO_KEY_P256 ? key->y.len : 0,
						   out, diag);
	}
	err = tk_crypto_key_import_private(c, type, key->d.ptr, key->d.len, out, diag);
	if (err == TK_OK)
		err = check_public_matches(*out, key, diag);
	if (err != TK_OK) {
		tk_crypto_key_free(*out);
		*out = NULL;
	}
	return err;
}

tk_err tk_cose_key_encode_public(const struct tk_crypto_key *key, struct tk_span kid,
				 int64_t alg, uint8_t *out, size_t out_cap,
				 size_t *out_len, struct tk_diag *diag)
{
	uint8_t x[TK_CRYPTO_P256_COORD_LEN];
	uint8_t y[TK_CRYPTO_P256_COORD_LEN];
	enum tk_crypto_key_type type = tk_crypto_key_type(key);
	bool ec2 = type == TK_CRYPTO_KEY_P256;
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "out_len is NULL");
	*out_len = 0;
	if (kid.ptr == NULL && kid.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "kid is NULL with length %zu", kid.len);
	err = tk_crypto_key_export_public(key, x, y, diag);
	if (err != TK_OK)
		return err;

	/* Deterministic order: 1, 2, 3, then -1, -2, -3. */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, (ec2 ? 4 : 3) + (kid.len > 0) + (alg != 0));
	tk_cbor_put_uint(&enc, KEY_KTY);
	tk_cbor_put_uint(&enc, ec2 ? TK_COSE_KTY_EC2 : TK_COSE_KTY_OKP);
	if (kid.len > 0) {
		tk_cbor_put_uint(&enc, KEY_KID);
		tk_cbor_put_bstr(&enc, kid.ptr, kid.len);
	}
	if (alg != 0) {
		tk_cbor_put_uint(&enc, KEY_ALG);
		tk_cbor_put_int(&enc, alg);
	}
	tk_cbor_put_int(&enc, -1);
	tk_cbor_put_uint(&enc, ec2 ? TK_COSE_CRV_P256 : TK_COSE_CRV_ED25519);
	tk_cbor_put_int(&enc, -2);
	tk_cbor_put_bstr(&enc, x, sizeof(x));
	if (ec2) {
		tk_cbor_put_int(&enc, -3);
		tk_cbor_put_bstr(&enc, y, sizeof(y));
	}
	return tk_cbor_enc_finish(&enc, out_len);
}

/*
 * Encode the required parameters of RFC 9679 section 3 in deterministic
 * order (RFC 8949 section 4.2.1: 1 sorts before -1, -2, -3).
 */
static tk_err encode_required(const struct tk_cose_key *key, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	switch (key->kty) {
	case TK_COSE_KTY_OKP:
	case TK_COSE_KTY_EC2:
		if (key->crv == 0 || key->x.len == 0 ||
		    (key->kty == TK_COSE_KTY_EC2 && key->y.len == 0))
			return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
				       "COSE_Key lacks crv, x or y for its thumbprint");
		tk_cbor_put_map(&enc, key->kty == TK_COSE_KTY_EC2 ? 4 : 3);
		tk_cbor_put_uint(&enc, KEY_KTY);
		tk_cbor_put_int(&enc, key->kty);
		tk_cbor_put_int(&enc, -1);
		tk_cbor_put_int(&enc, key->crv);
		tk_cbor_put_int(&enc, -2);
		tk_cbor_put_bstr(&enc, key->x.ptr, key->x.len);
		if (key->kty == TK_COSE_KTY_EC2) {
			tk_cbor_put_int(&enc, -3);
			tk_cbor_put_bstr(&enc, key->y.ptr, key->y.len);
		}
		break;
	case TK_COSE_KTY_RSA:
		if (key->n.len == 0 || key->e.len == 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
				       "RSA COSE_Key lacks n or e for its thumbprint");
		tk_cbor_put_map(&enc, 3);
		tk_cbor_put_uint(&enc, KEY_KTY);
		tk_cbor_put_int(&enc, key->kty);
		tk_cbor_put_int(&enc, -1);
		tk_cbor_put_bstr(&enc, key->n.ptr, key->n.len);
		tk_cbor_put_int(&enc, -2);
		tk_cbor_put_bstr(&enc, key->e.ptr, key->e.len);
		break;
	case TK_COSE_KTY_SYMMETRIC:
		if (key->k.len == 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
				       "symmetric COSE_Key lacks k for its thumbprint");
		tk_cbor_put_map(&enc, 2);
		tk_cbor_put_uint(&enc, KEY_KTY);
		tk_cbor_put_int(&enc, key->kty);
		tk_cbor_put_int(&enc, -1);
		tk_cbor_put_bstr(&enc, key->k.ptr, key->k.len);
		break;
	default:
		return TK_FAIL(diag, TK_ERR_KEY, "no thumbprint rule for kty %" PRId64,
			       key->kty);
	}
	return tk_cbor_enc_finish(&enc, out_len);
}

tk_err tk_cose_key_thumbprint(const struct tk_crypto *c, const struct tk_cose_key *key,
			      uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	uint8_t buf[THUMBPRINT_INPUT_MAX];
	size_t len = 0;
	tk_err err;

	if (out == NULL || key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE_Key thumbprint");
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	err = encode_required(key, buf, sizeof(buf), &len, diag);
	if (err == TK_ERR_BUFFER_TOO_SMALL)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "COSE_Key parameters exceed %d bytes", THUMBPRINT_INPUT_MAX);
	if (err != TK_OK)
		return err;

	/* Symmetric keys put the secret itself in the hashed input. */
	err = tk_crypto_sha256(c, buf, len, out, diag);
	tk_wipe(buf, len);
	return err;
}

tk_err tk_cose_key_thumbprint_crypto(const struct tk_crypto *c,
				     const struct tk_crypto_key *key,
				     uint8_t out[TK_CRYPTO_SHA256_LEN],
				     struct tk_diag *diag)
{
	uint8_t x[TK_CRYPTO_P256_COORD_LEN];
	uint8_t y[TK_CRYPTO_P256_COORD_LEN];
	struct tk_cose_key cose;
	enum tk_crypto_key_type type = tk_crypto_key_type(key);
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "thumbprint output is NULL");
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	err = tk_crypto_key_export_public(key, x, y, diag);
	if (err != TK_OK)
		return err;

	memset(&cose, 0, sizeof(cose));
	cose.x = tk_span_make(x, sizeof(x));
	if (type == TK_CRYPTO_KEY_P256) {
		cose.kty = TK_COSE_KTY_EC2;
		cose.crv = TK_COSE_CRV_P256;
		cose.y = tk_span_make(y, sizeof(y));
	} else {
		cose.kty = TK_COSE_KTY_OKP;
		cose.crv = TK_COSE_CRV_ED25519;
	}
	return tk_cose_key_thumbprint(c, &cose, out, diag);
}
