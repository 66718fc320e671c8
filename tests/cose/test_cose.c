/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the COSE layer:
 *   - the COSE WG examples (cose-wg/Examples) for Sign1, Sign, ECDSA,
 *     EdDSA and Mac0, including their expected failures, with keys read
 *     from the example JSON files and the to-be-signed bytes compared with
 *     the examples' intermediates;
 *   - sign/verify round trips for ESP256 and Ed25519 with tampered rows;
 *   - hand-built protected headers against the understood set and crit;
 *   - COSE_Key and RFC 9679 thumbprints;
 *   - an independent oracle (/usr/bin/python3 with cbor2 and cryptography)
 *     that verifies what we sign and signs what we verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "cose/tk_cose.h"
#include "cose/tk_cose_impl.h"
#include "crypto/tk_crypto.h"

/* Largest message built or read by these tests. */
#define MSG_MAX 4096

static void check_err(const char *desc, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	char text[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, text, sizeof(text));
	print_error("%s: expected %s, got %s: %s\n", desc, tk_err_name(expected),
		    tk_err_name(actual), text);
	fail();
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode hex (either case) into out; fails the test on bad input. */
static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_int_equal(strlen(hex) % 2, 0);
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]);
		int lo = hex_digit(hex[2 * i + 1]);

		assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

static void to_hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
	out[2 * len] = '\0';
}

/* Decode base64url without padding (the example keys' encoding). */
static size_t from_b64url(const char *text, uint8_t *out, size_t cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	for (const char *p = text; *p != '\0' && *p != '='; p++) {
		const char *pos = strchr(alphabet, *p);

		assert_non_null(pos);
		acc = acc << 6 | (uint32_t)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(n < cap);
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

/* Concatenate the parts of a to-be-signed structure. */
static size_t join_tbs(const struct tk_cose_tbs *tbs, uint8_t *out, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < tbs->n_parts; i++) {
		assert_true(len + tbs->parts[i].len <= cap);
		if (tbs->parts[i].len > 0)
			memcpy(out + len, tbs->parts[i].ptr, tbs->parts[i].len);
		len += tbs->parts[i].len;
	}
	return len;
}

/* COSE WG examples. */

enum kind { K_SIGN1, K_SIGN, K_MAC0 };

/* A key of an example file, as a COSE_Key with its bytes. */
struct json_key {
	uint8_t x[80], y[80], d[80], k[80], kid[80];
	struct tk_cose_key cose;
};

/* Read field `name` as base64url, or `name`_hex as hex; 0 if absent. */
static size_t key_field(json_t *key, const char *name, uint8_t *out, size_t cap)
{
	char hex_name[16];
	json_t *value = json_object_get(key, name);

	if (value != NULL)
		return from_b64url(json_string_value(value), out, cap);
	snprintf(hex_name, sizeof(hex_name), "%s_hex", name);
	value = json_object_get(key, hex_name);
	return value != NULL ? from_hex(json_string_value(value), out, cap) : 0;
}

static int64_t crv_number(const char *crv)
{
	static const struct {
		const char *name;
		int64_t value;
	} curves[] = {{"P-256", 1}, {"P-384", 2}, {"P-521", 3}, {"Ed25519", 6},
		      {"Ed448", 7}};

	for (size_t i = 0; crv != NULL && i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (strcmp(crv, curves[i].name) == 0)
			return curves[i].value;
	}
	return 0;
}

static void read_json_key(json_t *key, struct json_key *out)
{
	const char *kty = json_string_value(json_object_get(key, "kty"));
	const char *kid = json_string_value(json_object_get(key, "kid"));
	struct tk_cose_key *c = &out->cose;

	memset(out, 0, sizeof(*out));
	assert_non_null(kty);
	c->kty = strcmp(kty, "EC") == 0    ? TK_COSE_KTY_EC2
		 : strcmp(kty, "OKP") == 0 ? TK_COSE_KTY_OKP
					   : TK_COSE_KTY_SYMMETRIC;
	c->crv = crv_number(json_string_value(json_object_get(key, "crv")));
	c->x = tk_span_make(out->x, key_field(key, "x", out->x, sizeof(out->x)));
	c->y = tk_span_make(out->y, key_field(key, "y", out->y, sizeof(out->y)));
	c->k = tk_span_make(out->k, key_field(key, "k", out->k, sizeof(out->k)));
	if (kid != NULL) {
		assert_true(strlen(kid) < sizeof(out->kid));
		memcpy(out->kid, kid, strlen(kid));
		c->kid = tk_span_make(out->kid, strlen(kid));
	}
	/* d stays out of the COSE_Key so verification uses the public part. */
	key_field(key, "d", out->d, sizeof(out->d));
}

struct example {
	json_t *root;
	uint8_t msg[MSG_MAX];
	size_t msg_len;
	struct json_key key;
	uint8_t aad[64];
	size_t aad_len;
	const char *tbs_hex;   /* expected to-be-signed or to-be-MACed bytes */
	const char *plaintext;
};

static void load_example(const char *file, enum kind kind, struct example *ex)
{
	char path[512];
	json_error_t jerr;
	json_t *input, *layer, *signer = NULL, *external;

	snprintf(path, sizeof(path), "%s/cose/%s", TK_VECTORS_DIR, file);
	ex->root = json_load_file(path, 0, &jerr);
	if (ex->root == NULL) {
		print_error("%s: %s\n", path, jerr.text);
		fail();
	}
	ex->msg_len = from_hex(json_string_value(json_object_get(
					json_object_get(ex->root, "output"), "cbor")),
			       ex->msg, sizeof(ex->msg));
	input = json_object_get(ex->root, "input");
	ex->plaintext = json_string_value(json_object_get(input, "plaintext"));

	layer = json_object_get(input, kind == K_SIGN1 ? "sign0"
				       : kind == K_SIGN ? "sign" : "mac0");
	assert_non_null(layer);
	if (kind == K_SIGN)
		signer = json_array_get(json_object_get(layer, "signers"), 0);
	else if (kind == K_MAC0)
		signer = json_array_get(json_object_get(layer, "recipients"), 0);
	read_json_key(json_object_get(kind == K_SIGN1 ? layer : signer, "key"), &ex->key);

	/* Sign carries the AAD per signer, Sign1 and Mac0 on the layer. */
	external = json_object_get(kind == K_SIGN ? signer : layer, "external");
	ex->aad_len = external != NULL ? from_hex(json_string_value(external), ex->aad,
						  sizeof(ex->aad))
				       : 0;

	json_t *inter = json_object_get(ex->root, "intermediates");
	if (kind == K_SIGN)
		inter = json_array_get(json_object_get(inter, "signers"), 0);
	ex->tbs_hex = json_string_value(
		json_object_get(inter, kind == K_MAC0 ? "ToMac_hex" : "ToBeSign_hex"));
}

/*
 * One example: its kind, the expected result of importing its key
 * (TK_ERR_KEY for curves we do not implement) and of verification.
 */
static const struct {
	const char *file;
	enum kind kind;
	tk_err key_expected;
	tk_err expected;
	const char *covers; /* what the example exercises */
} example_rows[] = {
	{"sign1-tests/sign-pass-01.json", K_SIGN1, TK_OK, TK_OK, "protected h'A0'"},
	{"sign1-tests/sign-pass-02.json", K_SIGN1, TK_OK, TK_OK, "external AAD"},
	{"sign1-tests/sign-pass-03.json", K_SIGN1, TK_OK, TK_OK, "untagged"},
	{"sign1-tests/sign-fail-01.json", K_SIGN1, TK_OK, TK_ERR_SCHEMA_TAG, "tag 998"},
	{"sign1-tests/sign-fail-02.json", K_SIGN1, TK_OK, TK_ERR_SIGNATURE,
	 "changed signature"},
	{"sign1-tests/sign-fail-03.json", K_SIGN1, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg -999"},
	{"sign1-tests/sign-fail-04.json", K_SIGN1, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg as text"},
	{"sign1-tests/sign-fail-06.json", K_SIGN1, TK_OK, TK_ERR_SIGNATURE,
	 "content type added to protected"},
	{"sign1-tests/sign-fail-07.json", K_SIGN1, TK_OK, TK_ERR_SIGNATURE,
	 "content type removed from protected"},
	{"sign-tests/ecdsa-01.json", K_SIGN, TK_OK, TK_OK, "ES256"},
	{"sign-tests/sign-pass-01.json", K_SIGN, TK_OK, TK_OK, "protected h'A0'"},
	{"sign-tests/sign-pass-02.json", K_SIGN, TK_OK, TK_OK, "external AAD"},
	{"sign-tests/sign-pass-03.json", K_SIGN, TK_OK, TK_OK, "untagged"},
	{"sign-tests/sign-fail-01.json", K_SIGN, TK_OK, TK_ERR_SCHEMA_TAG, "tag 998"},
	{"sign-tests/sign-fail-02.json", K_SIGN, TK_OK, TK_ERR_SIGNATURE,
	 "changed signature"},
	{"sign-tests/sign-fail-03.json", K_SIGN, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg -999"},
	{"sign-tests/sign-fail-04.json", K_SIGN, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg as text"},
	{"sign-tests/sign-fail-06.json", K_SIGN, TK_OK, TK_ERR_SIGNATURE,
	 "content type added to protected"},
	{"sign-tests/sign-fail-07.json", K_SIGN, TK_OK, TK_ERR_SIGNATURE,
	 "content type removed from protected"},
	{"ecdsa-examples/ecdsa-01.json", K_SIGN, TK_OK, TK_OK, "ES256"},
	{"ecdsa-examples/ecdsa-02.json", K_SIGN, TK_ERR_KEY, TK_ERR_ALG_UNSUPPORTED,
	 "ES384, P-384 not implemented"},
	{"ecdsa-examples/ecdsa-03.json", K_SIGN, TK_ERR_KEY, TK_ERR_ALG_UNSUPPORTED,
	 "ES512, P-521 not implemented"},
	{"ecdsa-examples/ecdsa-04.json", K_SIGN, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "ES512 with a P-256 key"},
	{"ecdsa-examples/ecdsa-sig-01.json", K_SIGN1, TK_OK, TK_OK, "ES256"},
	{"ecdsa-examples/ecdsa-sig-02.json", K_SIGN1, TK_ERR_KEY, TK_ERR_ALG_UNSUPPORTED,
	 "ES384, P-384 not implemented"},
	{"ecdsa-examples/ecdsa-sig-03.json", K_SIGN1, TK_ERR_KEY, TK_ERR_ALG_UNSUPPORTED,
	 "ES512, P-521 not implemented"},
	{"ecdsa-examples/ecdsa-sig-04.json", K_SIGN1, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "ES512 with a P-256 key"},
	{"eddsa-examples/eddsa-01.json", K_SIGN, TK_OK, TK_OK, "EdDSA with Ed25519"},
	/* alg EdDSA (-8) is supported; the Ed448 key is not, so no key fits. */
	{"eddsa-examples/eddsa-02.json", K_SIGN, TK_ERR_KEY, TK_ERR_UNTRUSTED,
	 "EdDSA with Ed448"},
	{"eddsa-examples/eddsa-sig-01.json", K_SIGN1, TK_OK, TK_OK, "EdDSA with Ed25519"},
	{"eddsa-examples/eddsa-sig-02.json", K_SIGN1, TK_ERR_KEY, TK_ERR_UNTRUSTED,
	 "EdDSA with Ed448"},
	{"RFC8152/Appendix_C_1_1.json", K_SIGN, TK_OK, TK_OK, "ES256"},
	{"RFC8152/Appendix_C_1_2.json", K_SIGN, TK_OK, TK_OK,
	 "two signers: ES256 then ES512"},
	{"RFC8152/Appendix_C_1_3.json", K_SIGN, TK_OK, TK_OK,
	 "counter signature in the unprotected header is ignored"},
	{"RFC8152/Appendix_C_1_4.json", K_SIGN, TK_OK, TK_ERR_CRIT,
	 "crit names a text label we do not understand"},
	{"RFC8152/Appendix_C_2_1.json", K_SIGN1, TK_OK, TK_OK, "ES256"},
	{"mac0-tests/HMac-01.json", K_MAC0, TK_OK, TK_OK, "HMAC 256/256"},
	{"mac0-tests/mac-pass-01.json", K_MAC0, TK_OK, TK_OK, "protected h'A0'"},
	{"mac0-tests/mac-pass-02.json", K_MAC0, TK_OK, TK_OK,
	 "external AAD, alg unprotected"},
	{"mac0-tests/mac-pass-03.json", K_MAC0, TK_OK, TK_OK, "untagged"},
	{"mac0-tests/mac-fail-01.json", K_MAC0, TK_OK, TK_ERR_SCHEMA_TAG, "tag 992"},
	{"mac0-tests/mac-fail-02.json", K_MAC0, TK_OK, TK_ERR_SIGNATURE, "changed tag"},
	{"mac0-tests/mac-fail-03.json", K_MAC0, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg -999"},
	{"mac0-tests/mac-fail-04.json", K_MAC0, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "alg as text"},
	{"mac0-tests/mac-fail-06.json", K_MAC0, TK_OK, TK_ERR_SIGNATURE,
	 "content type added to protected"},
	{"mac0-tests/mac-fail-07.json", K_MAC0, TK_OK, TK_ERR_SIGNATURE,
	 "content type removed from protected"},
	{"hmac-examples/HMac-enc-01.json", K_MAC0, TK_OK, TK_OK, "HMAC 256/256"},
	{"hmac-examples/HMac-enc-02.json", K_MAC0, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "HMAC 384/384 not implemented"},
	{"hmac-examples/HMac-enc-03.json", K_MAC0, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "HMAC 512/512 not implemented"},
	{"hmac-examples/HMac-enc-04.json", K_MAC0, TK_OK, TK_ERR_SIGNATURE, "changed tag"},
	{"hmac-examples/HMac-enc-05.json", K_MAC0, TK_OK, TK_ERR_ALG_UNSUPPORTED,
	 "HMAC 256/64 not implemented"},
};

/* After a successful verification: payload and to-be-signed bytes. */
static void check_verified(const char *desc, enum kind kind, const struct example *ex,
			   const struct tk_cose_verified *out)
{
	struct tk_cose_tbs tbs;
	uint8_t joined[MSG_MAX];
	uint8_t want[MSG_MAX];
	size_t joined_len, want_len;
	struct tk_span aad = tk_span_make(ex->aad, ex->aad_len);
	struct tk_diag diag;

	assert_int_equal(out->payload.len, strlen(ex->plaintext));
	assert_memory_equal(out->payload.ptr, ex->plaintext, out->payload.len);

	tk_diag_clear(&diag);
	check_err(desc, TK_OK,
		  tk_cose_build_tbs(&tbs, kind == K_SIGN1 ? "Signature1"
					  : kind == K_SIGN ? "Signature" : "MAC0",
				    out->body.protected_raw, kind == K_SIGN,
				    out->signer.protected_raw, aad, out->payload, &diag),
		  &diag);
	joined_len = join_tbs(&tbs, joined, sizeof(joined));
	want_len = from_hex(ex->tbs_hex, want, sizeof(want));
	if (kind == K_SIGN && out->signer_index != 0)
		return; /* the intermediates list only the first signer */
	assert_int_equal(joined_len, want_len);
	assert_memory_equal(joined, want, want_len);
}

/* Ed25519 is deterministic: re-signing with d gives the example's signature. */
static void check_ed25519_resign(const char *desc, const struct example *ex)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_crypto_key *priv = NULL;
	uint8_t tbs[MSG_MAX], sig[TK_CRYPTO_SIG_MAX];
	size_t sig_len = 0;
	struct tk_span part;
	struct tk_diag diag;

	part = tk_span_make(tbs, from_hex(ex->tbs_hex, tbs, sizeof(tbs)));
	tk_diag_clear(&diag);
	check_err(desc, TK_OK,
		  tk_crypto_key_import_private(c, TK_CRYPTO_KEY_ED25519, ex->key.d, 32,
					       &priv, &diag), &diag);
	check_err(desc, TK_OK,
		  tk_crypto_sign(priv, TK_CRYPTO_SIG_ED25519, &part, 1, sig, &sig_len,
				 &diag), &diag);

	/* The signature is the last item of both the Sign1 and the Sign. */
	assert_memory_equal(sig, ex->msg + ex->msg_len - 64, 64);
	tk_crypto_key_free(priv);
}

static void test_cose_wg_examples(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	for (size_t i = 0; i < sizeof(example_rows) / sizeof(example_rows[0]); i++) {
		char desc[256];
		enum kind kind = example_rows[i].kind;
		struct example *ex = calloc(1, sizeof(*ex));
		struct tk_crypto_key *key = NULL;
		struct tk_cose_trusted_key trusted;
		struct tk_cose_verify_opts opts;
		struct tk_cose_verified out;
		struct tk_diag diag;
		tk_err err;

		assert_non_null(ex);
		snprintf(desc, sizeof(desc), "%s (%s)", example_rows[i].file,
			 example_rows[i].covers);
		load_example(example_rows[i].file, kind, ex);
		tk_diag_clear(&diag);
		memset(&opts, 0, sizeof(opts));
		opts.external_aad = tk_span_make(ex->aad, ex->aad_len);

		if (kind == K_MAC0) {
			err = tk_cose_mac0_verify(c, ex->key.k, ex->key.cose.k.len, ex->msg,
						  ex->msg_len, &opts, &out, &diag);
		} else {
			/* Trust the example's key under its kid. */
			check_err(desc, example_rows[i].key_expected,
				  tk_cose_key_to_crypto(c, &ex->key.cose, &key, &diag), &diag);
			tk_diag_clear(&diag);
			trusted.key = key;
			trusted.kid = ex->key.cose.kid;
			opts.keys = &trusted;
			opts.n_keys = key != NULL ? 1 : 0;
			err = kind == K_SIGN1
				      ? tk_cose_sign1_verify(c, ex->msg, ex->msg_len, &opts,
							     &out, &diag)
				      : tk_cose_sign_verify(c, ex->msg, ex->msg_len, &opts,
							    &out, &diag);
		}
		check_err(desc, example_rows[i].expected, err, &diag);
		if (err == TK_OK) {
			check_verified(desc, kind, ex, &out);
			if (ex->key.cose.crv == TK_COSE_CRV_ED25519)
				check_ed25519_resign(desc, ex);
		} else {
			assert_null(out.payload.ptr);
		}
		tk_crypto_key_free(key);
		json_decref(ex->root);
		free(ex);
	}
}

/* Round trips with generated keys. */

struct keys {
	struct tk_crypto_key *p256;
	struct tk_crypto_key *ed25519;
	struct tk_crypto_key *p256_other; /* a second key, never trusted */
	uint8_t p256_kid[32];
	uint8_t ed25519_kid[32];
};

static int setup_keys(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = calloc(1, sizeof(*k));

	if (k == NULL ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &k->p256, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_ED25519, &k->ed25519, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &k->p256_other, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(c, k->p256, k->p256_kid, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(c, k->ed25519, k->ed25519_kid, NULL) != TK_OK)
		return -1;
	*state = k;
	return 0;
}

static int teardown_keys(void **state)
{
	struct keys *k = *state;

	tk_crypto_key_free(k->p256);
	tk_crypto_key_free(k->ed25519);
	tk_crypto_key_free(k->p256_other);
	free(k);
	return 0;
}

static const uint8_t payload[] = "teepkit payload";
static const uint8_t aad[] = {0x11, 0xaa, 0x22};

/* Ways to change a message (or its verification) after signing. */
enum mutation {
	M_NONE,
	M_FLIP_SIG,         /* last byte of the signature */
	M_FLIP_PAYLOAD,     /* first byte of the payload */
	M_TWIN_ALG,         /* protected alg -9 -> -7 or -19 -> -8 */
	M_WRONG_AAD,        /* verify with other external AAD */
	M_OTHER_KEY,        /* trust only an unrelated P-256 key */
	M_KID_MISMATCH,     /* trusted key under another kid */
	M_NO_KEYS,
	M_DISALLOW_ALG,     /* allowed_algs excludes the message's alg */
	M_TRUNCATE,
	M_TRAILING,
	M_REQUIRE_TAG,
	M_FORBID_TAG,
	M_NOT_DETACHED,     /* verifier expects a detached payload */
};

static const struct {
	const char *desc;
	bool ed25519;
	bool tagged;
	bool detached;
	bool with_aad;
	enum mutation mutation;
	tk_err expected;
} sign1_rows[] = {
	{"ESP256 tagged", false, true, false, false, M_NONE, TK_OK},
	{"ESP256 untagged with AAD", false, false, false, true, M_NONE, TK_OK},
	{"ESP256 detached", false, true, true, false, M_NONE, TK_OK},
	{"Ed25519 tagged", true, true, false, false, M_NONE, TK_OK},
	{"Ed25519 detached with AAD", true, false, true, true, M_NONE, TK_OK},
	{"ESP256 signature flipped", false, true, false, false, M_FLIP_SIG,
	 TK_ERR_SIGNATURE},
	{"Ed25519 signature flipped", true, true, false, false, M_FLIP_SIG,
	 TK_ERR_SIGNATURE},
	{"ESP256 payload flipped", false, true, false, false, M_FLIP_PAYLOAD,
	 TK_ERR_SIGNATURE},
	{"Ed25519 payload flipped", true, false, false, true, M_FLIP_PAYLOAD,
	 TK_ERR_SIGNATURE},
	{"ESP256 relabelled ES256", false, true, false, false, M_TWIN_ALG,
	 TK_ERR_SIGNATURE},
	{"Ed25519 relabelled EdDSA", true, true, false, false, M_TWIN_ALG,
	 TK_ERR_SIGNATURE},
	{"ESP256 wrong AAD", false, true, false, true, M_WRONG_AAD, TK_ERR_SIGNATURE},
	{"Ed25519 AAD missing", true, true, true, true, M_WRONG_AAD, TK_ERR_SIGNATURE},
	{"ESP256 untrusted key", false, true, false, false, M_OTHER_KEY,
	 TK_ERR_UNTRUSTED},
	{"Ed25519 kid mismatch", true, true, false, false, M_KID_MISMATCH,
	 TK_ERR_UNTRUSTED},
	{"ESP256 no trusted keys", false, true, false, false, M_NO_KEYS,
	 TK_ERR_UNTRUSTED},
	{"ESP256 alg not allowed", false, true, false, false, M_DISALLOW_ALG,
	 TK_ERR_ALG_UNSUPPORTED},
	{"ESP256 truncated", false, true, false, false, M_TRUNCATE,
	 TK_ERR_CBOR_LENGTH},
	{"Ed25519 trailing byte", true, true, false, false, M_TRAILING,
	 TK_ERR_CBOR_TRAILING},
	{"ESP256 untagged, tag required", false, false, false, false, M_REQUIRE_TAG,
	 TK_ERR_SCHEMA_TAG},
	{"Ed25519 tagged, tag forbidden", true, true, false, false, M_FORBID_TAG,
	 TK_ERR_SCHEMA_TAG},
	{"ESP256 detached, verifier has none", false, true, true, false, M_NONE,
	 TK_ERR_SCHEMA_MISSING},
	{"ESP256 attached, verifier expects detached", false, true, false, false,
	 M_NOT_DETACHED, TK_ERR_SCHEMA_VALUE},
};

/* Offset of the first occurrence of needle in msg. */
static size_t find(const uint8_t *msg, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(msg + i, needle, n) == 0)
			return i;
	}
	fail_msg("bytes not found in message");
	return 0;
}

/* Apply a mutation to the message or the verification options. */
static void mutate(enum mutation m, uint8_t *msg, size_t *len, bool ed25519,
		   struct tk_cose_verify_opts *opts, struct tk_cose_trusted_key *trusted,
		   const struct keys *k)
{
	static const int64_t only_ed25519[] = {TK_COSE_ALG_ED25519};
	static const uint8_t other_aad[] = {0x11, 0xaa, 0x23};
	static const uint8_t other_kid[] = {1, 2, 3};

	switch (m) {
	case M_FLIP_SIG:
		msg[*len - 1] ^= 0x01;
		break;
	case M_FLIP_PAYLOAD:
		msg[find(msg, *len, payload, sizeof(payload))] ^= 0x20;
		break;
	case M_TWIN_ALG: {
		/* Protected {1: alg} = A1 01 28 (-9) or A1 01 32 (-19). */
		uint8_t prot[3] = {0xa1, 0x01, ed25519 ? 0x32 : 0x28};

		msg[find(msg, *len, prot, 3) + 2] = ed25519 ? 0x27 : 0x26;
		break;
	}
	case M_WRONG_AAD:
		opts->external_aad = opts->external_aad.len > 0
					     ? TK_SPAN_EMPTY
					     : tk_span_make(other_aad, sizeof(other_aad));
		break;
	case M_OTHER_KEY:
		trusted->key = k->p256_other;
		trusted->kid = tk_span_make(other_kid, sizeof(other_kid));
		break;
	case M_KID_MISMATCH:
		trusted->kid = tk_span_make(other_kid, sizeof(other_kid));
		break;
	case M_NO_KEYS:
		opts->n_keys = 0;
		break;
	case M_DISALLOW_ALG:
		opts->allowed_algs = only_ed25519;
		opts->n_allowed_algs = 1;
		break;
	case M_TRUNCATE:
		*len -= 1;
		break;
	case M_TRAILING:
		msg[(*len)++] = 0x00;
		break;
	case M_REQUIRE_TAG:
		opts->tag_mode = TK_COSE_TAG_REQUIRED;
		break;
	case M_FORBID_TAG:
		opts->tag_mode = TK_COSE_TAG_FORBIDDEN;
		break;
	case M_NOT_DETACHED:
		opts->detached = true;
		opts->detached_payload = tk_span_make(payload, sizeof(payload));
		break;
	case M_NONE:
		break;
	}
}

static void test_sign1_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;

	for (size_t i = 0; i < sizeof(sign1_rows) / sizeof(sign1_rows[0]); i++) {
		const char *desc = sign1_rows[i].desc;
		bool ed = sign1_rows[i].ed25519;
		struct tk_cose_signer signer = {
			.key = ed ? k->ed25519 : k->p256,
			.alg = ed ? TK_COSE_ALG_ED25519 : TK_COSE_ALG_ESP256,
			.kid_thumbprint = true,
		};
		struct tk_cose_sign_opts sopts = {
			.tagged = sign1_rows[i].tagged,
			.detached = sign1_rows[i].detached,
			.external_aad = sign1_rows[i].with_aad ? tk_span_make(aad, sizeof(aad))
							       : TK_SPAN_EMPTY,
		};
		struct tk_cose_trusted_key trusted = {
			.key = signer.key,
			.kid = tk_span_make(ed ? k->ed25519_kid : k->p256_kid, 32),
		};
		struct tk_cose_verify_opts vopts = {
			.external_aad = sopts.external_aad,
			.detached = sopts.detached,
			.keys = &trusted,
			.n_keys = 1,
		};
		uint8_t msg[512];
		size_t len = 0, counted = 0;
		struct tk_cose_verified out;
		struct tk_diag diag;
		tk_err err;

		/* Counting first: the size must match the real encoding. */
		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_cose_sign1_create(c, &signer, payload, sizeof(payload), &sopts,
					       NULL, 0, &counted, &diag), &diag);
		check_err(desc, TK_OK,
			  tk_cose_sign1_create(c, &signer, payload, sizeof(payload), &sopts,
					       msg, sizeof(msg), &len, &diag), &diag);
		assert_int_equal(len, counted);
		assert_int_equal(msg[0] == 0xd2, sopts.tagged);

		/* A detached payload is passed to the verifier, except in the
		   row where the verifier lacks it. */
		if (sopts.detached && !(sign1_rows[i].expected == TK_ERR_SCHEMA_MISSING))
			vopts.detached_payload = tk_span_make(payload, sizeof(payload));
		else if (sopts.detached)
			vopts.detached = false;
		mutate(sign1_rows[i].mutation, msg, &len, ed, &vopts, &trusted, k);

		err = tk_cose_sign1_verify(c, msg, len, &vopts, &out, &diag);
		check_err(desc, sign1_rows[i].expected, err, &diag);
		if (err != TK_OK) {
			assert_int_equal(out.payload.len, 0);
			continue;
		}
		assert_int_equal(out.payload.len, sizeof(payload));
		assert_memory_equal(out.payload.ptr, payload, sizeof(payload));

		/* Attached payloads are views into the message. */
		if (!sopts.detached)
			assert_true(out.payload.ptr > msg && out.payload.ptr < msg + len);
		assert_int_equal(out.body.alg, signer.alg);
		assert_int_equal(out.body.kid.len, 32);
		assert_memory_equal(out.body.kid.ptr, trusted.kid.ptr, 32);
	}
}

static void test_sign1_create_rejects(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;
	struct tk_crypto_key *pub = NULL;
	uint8_t x[32], y[32], msg[256];
	size_t len = 99;
	struct tk_diag diag;
	struct {
		const char *desc;
		struct tk_cose_signer signer;
		tk_err expected;
	} rows[] = {
		{"ES256 with an Ed25519 key", {k->ed25519, TK_COSE_ALG_ES256, {NULL, 0},
					       false}, TK_ERR_KEY},
		{"EdDSA is verify-only", {k->ed25519, TK_COSE_ALG_EDDSA, {NULL, 0}, false},
		 TK_ERR_ALG_UNSUPPORTED},
		{"ESP256 with an Ed25519 key", {k->ed25519, TK_COSE_ALG_ESP256, {NULL, 0},
						false}, TK_ERR_KEY},
		{"public key only", {NULL, TK_COSE_ALG_ESP256, {NULL, 0}, false},
		 TK_ERR_KEY},
		{"kid too long", {k->p256, TK_COSE_ALG_ESP256, {msg, 65}, false},
		 TK_ERR_SCHEMA_LENGTH},
	};

	(void)state;
	tk_diag_clear(&diag);
	check_err("export", TK_OK, tk_crypto_key_export_public(k->p256, x, y, &diag), &diag);
	check_err("import", TK_OK,
		  tk_crypto_key_import_public(c, TK_CRYPTO_KEY_P256, x, 32, y, 32, &pub,
					      &diag), &diag);
	rows[3].signer.key = pub;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tk_diag_clear(&diag);
		check_err(rows[i].desc, rows[i].expected,
			  tk_cose_sign1_create(c, &rows[i].signer, payload, sizeof(payload),
					       NULL, msg, sizeof(msg), &len, &diag), &diag);
		assert_int_equal(len, 0);
	}

	/* An output buffer one byte short. */
	struct tk_cose_signer ok = {k->ed25519, TK_COSE_ALG_ED25519, {NULL, 0}, false};
	size_t need = 0;
	tk_diag_clear(&diag);
	check_err("count", TK_OK,
		  tk_cose_sign1_create(c, &ok, payload, sizeof(payload), NULL, NULL, 0,
				       &need, &diag), &diag);
	check_err("buffer one byte short", TK_ERR_BUFFER_TOO_SMALL,
		  tk_cose_sign1_create(c, &ok, payload, sizeof(payload), NULL, msg,
				       need - 1, &len, &diag), &diag);
	assert_int_equal(len, 0);
	tk_crypto_key_free(pub);
}

/* COSE_Sign with two signers (ESP256 then Ed25519). */
static size_t make_sign(struct keys *k, bool tagged, uint8_t *msg, size_t cap)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_cose_signer signers[2] = {
		{.key = k->p256, .alg = TK_COSE_ALG_ESP256, .kid_thumbprint = true},
		{.key = k->ed25519, .alg = TK_COSE_ALG_ED25519, .kid_thumbprint = true},
	};
	struct tk_cose_sign_opts opts = {.tagged = tagged,
					 .has_content_type = true,
					 .content_type = 61};
	size_t len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("COSE_Sign create", TK_OK,
		  tk_cose_sign_create(c, signers, 2, payload, sizeof(payload), &opts, msg,
				      cap, &len, &diag), &diag);
	return len;
}

static void test_sign_multi_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;
	static const int64_t only_ed[] = {TK_COSE_ALG_ED25519};
	static const uint8_t bad_kid[] = {9};
	const struct tk_cose_trusted_key both[2] = {
		{k->p256, tk_span_make(k->p256_kid, 32)},
		{k->ed25519, tk_span_make(k->ed25519_kid, 32)},
	};
	const struct tk_cose_trusted_key ed_only[1] = {{k->ed25519, TK_SPAN_EMPTY}};
	const struct tk_cose_trusted_key wrong_kids[2] = {
		{k->p256, tk_span_make(bad_kid, 1)}, {k->ed25519, tk_span_make(bad_kid, 1)},
	};
	const struct tk_cose_trusted_key other[1] = {{k->p256_other, TK_SPAN_EMPTY}};
	const struct {
		const char *desc;
		const struct tk_cose_trusted_key *keys;
		size_t n_keys;
		bool only_ed25519;
		int flip; /* 0 none, 1 first signature, 2 payload */
		tk_err expected;
		size_t signer_index;
		size_t key_index;
	} rows[] = {
		{"both keys trusted", both, 2, false, 0, TK_OK, 0, 0},
		{"Ed25519 key only", ed_only, 1, false, 0, TK_OK, 1, 0},
		{"only Ed25519 allowed", both, 2, true, 0, TK_OK, 1, 1},
		{"first signature broken", both, 2, false, 1, TK_OK, 1, 1},
		{"no keys", both, 0, false, 0, TK_ERR_UNTRUSTED, 0, 0},
		{"kids do not match", wrong_kids, 2, false, 0, TK_ERR_UNTRUSTED, 0, 0},
		{"unrelated key", other, 1, false, 0, TK_ERR_SIGNATURE, 0, 0},
		{"payload changed", both, 2, false, 2, TK_ERR_SIGNATURE, 0, 0},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t msg[1024];
		size_t len = make_sign(k, true, msg, sizeof(msg));
		struct tk_cose_verify_opts opts = {
			.keys = rows[i].keys,
			.n_keys = rows[i].n_keys,
			.allowed_algs = rows[i].only_ed25519 ? only_ed : NULL,
			.n_allowed_algs = rows[i].only_ed25519 ? 1 : 0,
		};
		struct tk_cose_verified out;
		struct tk_diag diag;
		tk_err err;

		if (rows[i].flip == 1) {
			/* Signer 0's signature: after its kid, a 58 40 head. */
			size_t kid_at = find(msg, len, k->p256_kid, 32);

			msg[kid_at + 32 + 2 + 5] ^= 0x01;
		} else if (rows[i].flip == 2) {
			msg[find(msg, len, payload, sizeof(payload))] ^= 0x01;
		}
		tk_diag_clear(&diag);
		err = tk_cose_sign_verify(c, msg, len, &opts, &out, &diag);
		check_err(rows[i].desc, rows[i].expected, err, &diag);
		if (err != TK_OK)
			continue;
		assert_int_equal(out.signer_index, rows[i].signer_index);
		assert_int_equal(out.key_index, rows[i].key_index);
		assert_true(out.body.has_content_type);
		assert_int_equal(out.body.content_type_uint, 61);
		assert_int_equal(out.signer.alg, rows[i].signer_index == 0
							 ? TK_COSE_ALG_ESP256
							 : TK_COSE_ALG_ED25519);
		assert_memory_equal(out.payload.ptr, payload, sizeof(payload));
	}
}

static void test_sign_limits(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;
	struct tk_cose_signer signers[TK_COSE_MAX_SIGNERS + 1];
	uint8_t msg[2048];
	size_t len = 7;
	struct tk_diag diag;

	for (size_t i = 0; i <= TK_COSE_MAX_SIGNERS; i++)
		signers[i] = (struct tk_cose_signer){.key = k->ed25519,
						     .alg = TK_COSE_ALG_ED25519};
	tk_diag_clear(&diag);
	check_err("create over the signer limit", TK_ERR_LIMIT_COUNT,
		  tk_cose_sign_create(c, signers, TK_COSE_MAX_SIGNERS + 1, payload,
				      sizeof(payload), NULL, msg, sizeof(msg), &len, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("create with no signers", TK_ERR_ARG,
		  tk_cose_sign_create(c, signers, 0, payload, sizeof(payload), NULL, msg,
				      sizeof(msg), &len, &diag), &diag);

	/* A message with TK_COSE_MAX_SIGNERS + 1 signers, built by hand. */
	struct tk_cbor_enc enc;
	struct tk_cose_verify_opts opts = {0};
	struct tk_cose_verified out;
	uint8_t sig[64] = {0};

	tk_cbor_enc_init(&enc, msg, sizeof(msg), NULL);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_bstr(&enc, NULL, 0);
	tk_cbor_put_map(&enc, 0);
	tk_cbor_put_bstr(&enc, payload, sizeof(payload));
	tk_cbor_put_array(&enc, TK_COSE_MAX_SIGNERS + 1);
	for (size_t i = 0; i <= TK_COSE_MAX_SIGNERS; i++) {
		tk_cbor_put_array(&enc, 3);
		tk_cbor_put_bstr(&enc, (const uint8_t *)"\xa1\x01\x32", 3);
		tk_cbor_put_map(&enc, 0);
		tk_cbor_put_bstr(&enc, sig, sizeof(sig));
	}
	check_err("encode", TK_OK, tk_cbor_enc_finish(&enc, &len), NULL);
	tk_diag_clear(&diag);
	check_err("verify over the signer limit", TK_ERR_LIMIT_COUNT,
		  tk_cose_sign_verify(c, msg, len, &opts, &out, &diag), &diag);
}

/*
 * Hand-built COSE_Sign1 headers: protected and unprotected given as hex
 * with a space between map entries, signed correctly with the P-256 key so
 * only the header rules decide. 0128 is 1: -9 (alg ESP256).
 */
static const struct {
	const char *desc;
	const char *protected_hex;
	const char *unprotected_hex;
	tk_err expected;
} header_rows[] = {
	{"alg only", "a10128", "a0", TK_OK},
	{"kid in protected", "a2 0128 04 4101", "a0", TK_OK},
	{"content type text", "a2 0128 03 6a746578742f706c61696e", "a0", TK_OK},
	{"crit names kid", "a3 0128 02 8104 04 4101", "a0", TK_OK},
	{"alg unprotected only", "", "a10128", TK_OK},
	{"unknown unprotected labels skipped", "a10128", "a2 1863 6178 6179 01", TK_OK},
	{"crit names an absent label", "a2 0128 02 8103", "a0", TK_ERR_CRIT},
	{"crit names an unknown label", "a3 0128 02 811863 1863 00", "a0", TK_ERR_CRIT},
	{"crit names a text label", "a2 0128 02 816178", "a0", TK_ERR_CRIT},
	{"crit empty", "a2 0128 02 80", "a0", TK_ERR_CRIT},
	{"unknown protected label", "a2 0128 1863 00", "a0", TK_ERR_CRIT},
	{"text protected label", "a2 0128 6178 00", "a0", TK_ERR_CRIT},
	{"crit in unprotected", "a10128", "a1 02 8104", TK_ERR_CRIT},
	{"alg in both buckets", "a10128", "a10128", TK_ERR_SCHEMA_VALUE},
	{"alg missing", "a0", "a0", TK_ERR_SCHEMA_MISSING},
	{"alg of wrong type", "a1 01 4100", "a0", TK_ERR_SCHEMA_TYPE},
	{"protected not a map", "01", "a0", TK_ERR_SCHEMA_TYPE},
	{"protected with trailing bytes", "a0 00", "a10128", TK_ERR_CBOR_TRAILING},
	{"kid too long", "a10128", "a1045841"
	 "0000000000000000000000000000000000000000000000000000000000000000"
	 "0000000000000000000000000000000000000000000000000000000000000000"
	 "00", TK_ERR_SCHEMA_LENGTH},
};

/* Hex with spaces allowed, for readable header rows. */
static size_t from_spaced_hex(const char *text, uint8_t *out, size_t cap)
{
	char compact[1024];
	size_t n = 0;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p != ' ') {
			assert_true(n + 1 < sizeof(compact));
			compact[n++] = *p;
		}
	}
	compact[n] = '\0';
	return from_hex(compact, out, cap);
}

static void test_header_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;

	for (size_t i = 0; i < sizeof(header_rows) / sizeof(header_rows[0]); i++) {
		const char *desc = header_rows[i].desc;
		uint8_t prot[64], unprot[128], msg[512], sig[64];
		size_t prot_len = from_spaced_hex(header_rows[i].protected_hex, prot,
						  sizeof(prot));
		size_t unprot_len = from_spaced_hex(header_rows[i].unprotected_hex, unprot,
						    sizeof(unprot));
		size_t sig_len = 0, len = 0;
		struct tk_cose_tbs tbs;
		struct tk_cbor_enc enc;
		struct tk_cose_trusted_key trusted = {k->p256, TK_SPAN_EMPTY};
		struct tk_cose_verify_opts opts = {.keys = &trusted, .n_keys = 1};
		struct tk_cose_verified out;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		check_err(desc, TK_OK,
			  tk_cose_build_tbs(&tbs, "Signature1", tk_span_make(prot, prot_len),
					    false, TK_SPAN_EMPTY, TK_SPAN_EMPTY,
					    tk_span_make(payload, sizeof(payload)), &diag),
			  &diag);
		check_err(desc, TK_OK,
			  tk_crypto_sign(k->p256, TK_CRYPTO_SIG_ECDSA_P256_SHA256, tbs.parts,
					 tbs.n_parts, sig, &sig_len, &diag), &diag);
		tk_cbor_enc_init(&enc, msg, sizeof(msg), NULL);
		tk_cbor_put_array(&enc, 4);
		tk_cbor_put_bstr(&enc, prot, prot_len);
		tk_cbor_put_raw(&enc, unprot, unprot_len);
		tk_cbor_put_bstr(&enc, payload, sizeof(payload));
		tk_cbor_put_bstr(&enc, sig, sig_len);
		check_err(desc, TK_OK, tk_cbor_enc_finish(&enc, &len), NULL);

		err = tk_cose_sign1_verify(c, msg, len, &opts, &out, &diag);
		check_err(desc, header_rows[i].expected, err, &diag);
		if (err == TK_OK)
			assert_int_equal(out.body.alg, TK_COSE_ALG_ESP256);
		if (err == TK_OK && strcmp(desc, "content type text") == 0) {
			assert_true(out.body.content_type_is_text);
			assert_int_equal(out.body.content_type_text.len, 10);
		}
	}
}

/* COSE_Mac0 round trip and tampering. */
static void test_mac0_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t key[32], other[32], msg[256];
	static const uint8_t kid[] = "kid-1";
	size_t len = 0;
	struct tk_cose_sign_opts sopts = {.tagged = true,
					  .external_aad = tk_span_make(aad, sizeof(aad))};
	struct tk_cose_verify_opts vopts = {.tag_mode = TK_COSE_TAG_REQUIRED,
					    .external_aad = sopts.external_aad};
	struct tk_cose_verified out;
	struct tk_diag diag;

	(void)state;
	memset(key, 0x61, sizeof(key));
	memset(other, 0x62, sizeof(other));
	tk_diag_clear(&diag);
	check_err("create", TK_OK,
		  tk_cose_mac0_create(c, key, sizeof(key), tk_span_make(kid, 5), payload,
				      sizeof(payload), &sopts, msg, sizeof(msg), &len,
				      &diag), &diag);
	assert_int_equal(msg[0], 0xd1);
	check_err("verify", TK_OK,
		  tk_cose_mac0_verify(c, key, sizeof(key), msg, len, &vopts, &out, &diag),
		  &diag);
	assert_memory_equal(out.payload.ptr, payload, sizeof(payload));
	assert_int_equal(out.body.kid.len, 5);
	check_err("wrong key", TK_ERR_SIGNATURE,
		  tk_cose_mac0_verify(c, other, sizeof(other), msg, len, &vopts, &out,
				      &diag), &diag);
	tk_diag_clear(&diag);
	msg[len - 1] ^= 1;
	check_err("tag changed", TK_ERR_SIGNATURE,
		  tk_cose_mac0_verify(c, key, sizeof(key), msg, len, &vopts, &out, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("Sign1 tag on a Mac0", TK_ERR_SCHEMA_TAG,
		  tk_cose_sign1_verify(c, msg, len, &vopts, &out, &diag), &diag);
}

/* COSE_Key and thumbprints. */

static void test_thumbprint_vectors(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	char path[512];
	json_error_t jerr;
	json_t *root;
	size_t i;
	json_t *row;

	(void)state;
	snprintf(path, sizeof(path), "%s/thumbprint/thumbprint-vectors.json", TK_VECTORS_DIR);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 4);
	json_array_foreach(root, i, row) {
		const char *desc = json_string_value(json_object_get(row, "name"));
		uint8_t buf[1024], want[32], got[32];
		size_t len = from_hex(json_string_value(json_object_get(row,
									"cose_key_cbor_hex")),
				      buf, sizeof(buf));
		struct tk_cose_key key;
		struct tk_crypto_key *ckey = NULL;
		struct tk_diag diag;

		from_hex(json_string_value(json_object_get(row, "thumbprint_hex")), want, 32);
		tk_diag_clear(&diag);
		check_err(desc, TK_OK, tk_cose_key_decode(buf, len, &key, &diag), &diag);
		check_err(desc, TK_OK, tk_cose_key_thumbprint(c, &key, got, &diag), &diag);
		assert_memory_equal(got, want, 32);

		/* EC2 and OKP also go through a crypto key (the kid we write). */
		if (key.kty != TK_COSE_KTY_EC2 && key.kty != TK_COSE_KTY_OKP)
			continue;
		check_err(desc, TK_OK, tk_cose_key_to_crypto(c, &key, &ckey, &diag), &diag);
		assert_int_equal(tk_crypto_key_has_private(ckey), key.d.len > 0);
		check_err(desc, TK_OK, tk_cose_key_thumbprint_crypto(c, ckey, got, &diag),
			  &diag);
		assert_memory_equal(got, want, 32);
		tk_crypto_key_free(ckey);
	}
	json_decref(root);
}

static void test_cose_key_round_trip(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;
	struct tk_crypto_key *keys[2] = {k->p256, k->ed25519};
	static const uint8_t kid[] = {0xab, 0xcd};

	for (size_t i = 0; i < 2; i++) {
		uint8_t buf[256], x1[32], y1[32], x2[32], y2[32], t1[32], t2[32];
		size_t len = 0;
		struct tk_cose_key cose;
		struct tk_crypto_key *back = NULL;
		int64_t alg = tk_cose_alg_for_key(keys[i]);
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err("encode", TK_OK,
			  tk_cose_key_encode_public(keys[i], tk_span_make(kid, 2), alg, buf,
						    sizeof(buf), &len, &diag), &diag);
		check_err("decode", TK_OK, tk_cose_key_decode(buf, len, &cose, &diag), &diag);
		assert_int_equal(cose.kty, i == 0 ? TK_COSE_KTY_EC2 : TK_COSE_KTY_OKP);
		assert_int_equal(cose.alg, alg);
		assert_int_equal(cose.kid.len, 2);
		assert_int_equal(cose.d.len, 0);
		check_err("import", TK_OK, tk_cose_key_to_crypto(c, &cose, &back, &diag),
			  &diag);
		assert_false(tk_crypto_key_has_private(back));
		check_err("export a", TK_OK, tk_crypto_key_export_public(keys[i], x1, y1, &diag),
			  &diag);
		check_err("export b", TK_OK, tk_crypto_key_export_public(back, x2, y2, &diag),
			  &diag);
		assert_memory_equal(x1, x2, 32);
		if (i == 0)
			assert_memory_equal(y1, y2, 32);
		check_err("thumbprint a", TK_OK, tk_cose_key_thumbprint(c, &cose, t1, &diag),
			  &diag);
		check_err("thumbprint b", TK_OK,
			  tk_cose_key_thumbprint_crypto(c, keys[i], t2, &diag), &diag);
		assert_memory_equal(t1, t2, 32);
		tk_crypto_key_free(back);
	}
}

static void test_cose_key_reject_rows(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	/* x and y of COSE WG key "11"; d of the RFC 8032 TEST 1 key. */
	static const struct {
		const char *desc;
		const char *hex;
		tk_err decode_expected;
		tk_err import_expected;
	} rows[] = {
		{"not a map", "80", TK_ERR_SCHEMA_TYPE, TK_OK},
		{"no kty", "a1024101", TK_ERR_SCHEMA_MISSING, TK_OK},
		{"text kty", "a101624543", TK_ERR_KEY, TK_OK},
		{"crv as bstr", "a201022041 01", TK_ERR_SCHEMA_TYPE, TK_OK},
		{"compressed point",
		 "a40102200121582065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d"
		 "22f5", TK_ERR_KEY, TK_OK},
		{"P-384 curve",
		 "a40102200221582065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d"
		 "2258201e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c",
		 TK_OK, TK_ERR_KEY},
		{"P-256 off the curve",
		 "a40102200121582065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d"
		 "2258201e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19d",
		 TK_OK, TK_ERR_KEY},
		{"Ed25519 x of 31 bytes",
		 "a3010120062158 1fd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f70751",
		 TK_OK, TK_ERR_KEY},
		{"Ed25519 d that does not match x",
		 "a4010120062158 20d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511b"
		 "2358209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		 TK_OK, TK_ERR_KEY},
		{"symmetric key", "a2010420 4101", TK_OK, TK_ERR_KEY},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[256];
		size_t len = from_spaced_hex(rows[i].hex, buf, sizeof(buf));
		struct tk_cose_key key;
		struct tk_crypto_key *ckey = NULL;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_cose_key_decode(buf, len, &key, &diag);
		check_err(rows[i].desc, rows[i].decode_expected, err, &diag);
		if (err != TK_OK) {
			assert_int_equal(key.kty, 0);
			continue;
		}
		check_err(rows[i].desc, rows[i].import_expected,
			  tk_cose_key_to_crypto(c, &key, &ckey, &diag), &diag);
		assert_null(ckey);
	}
}

/* Independent oracle: /usr/bin/python3 with cbor2 and cryptography. */

#define ORACLE_PYTHON "/usr/bin/python3"

/* Run the oracle with arguments and return its first output line. */
static void run_oracle(const char *args, char *line, size_t cap)
{
	char cmd[2048];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s '%s/tests/cose/cose_oracle.py' %s 2>&1",
		 ORACLE_PYTHON, TK_SOURCE_DIR, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	line[0] = '\0';
	if (fgets(line, (int)cap, p) == NULL)
		line[0] = '\0';
	pclose(p);
}

static void write_file(const char *dir, const char *name, const uint8_t *data,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_public_pem(const char *dir, const char *name,
			     const struct tk_crypto_key *key)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;

	assert_int_equal(tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &len, NULL),
			 TK_OK);
	write_file(dir, name, pem, len);
}

static void remove_files(const char *dir, const char *const *names, size_t n)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_python_oracle(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct keys *k = *state;
	static const char *const files[] = {"p256.pem", "ed.pem", "s1p.cbor", "s1e.cbor",
					    "sign.cbor", "py.cbor", "py.pem"};
	char dir[] = "/tmp/tk-cose-oracle-XXXXXX";
	char payload_hex[2 * sizeof(payload) + 1], aad_hex[2 * sizeof(aad) + 1];
	char args[1024], line[256];
	uint8_t msg[1024];
	size_t len = 0;
	struct tk_diag diag;

	assert_non_null(mkdtemp(dir));
	to_hex(payload, sizeof(payload), payload_hex);
	to_hex(aad, sizeof(aad), aad_hex);
	write_public_pem(dir, "p256.pem", k->p256);
	write_public_pem(dir, "ed.pem", k->ed25519);

	/* Sign1 with each suite, with external AAD. */
	for (int ed = 0; ed < 2; ed++) {
		struct tk_cose_signer signer = {
			.key = ed ? k->ed25519 : k->p256,
			.alg = ed ? TK_COSE_ALG_ED25519 : TK_COSE_ALG_ESP256,
			.kid_thumbprint = true,
		};
		struct tk_cose_sign_opts opts = {.tagged = true,
						 .external_aad = tk_span_make(aad, sizeof(aad))};

		tk_diag_clear(&diag);
		check_err("sign1", TK_OK,
			  tk_cose_sign1_create(c, &signer, payload, sizeof(payload), &opts,
					       msg, sizeof(msg), &len, &diag), &diag);
		write_file(dir, ed ? "s1e.cbor" : "s1p.cbor", msg, len);
		snprintf(args, sizeof(args), "verify %s/%s %s %s %s/%s", dir,
			 ed ? "s1e.cbor" : "s1p.cbor", aad_hex, payload_hex, dir,
			 ed ? "ed.pem" : "p256.pem");
		run_oracle(args, line, sizeof(line));
		assert_string_equal(line, "OK\n");
	}

	/* COSE_Sign with both signers. */
	len = make_sign(k, true, msg, sizeof(msg));
	write_file(dir, "sign.cbor", msg, len);
	snprintf(args, sizeof(args), "verify %s/sign.cbor - %s %s/p256.pem %s/ed.pem", dir,
		 payload_hex, dir, dir);
	run_oracle(args, line, sizeof(line));
	assert_string_equal(line, "OK\n");

	/* The oracle must reject a tampered copy, or it proves nothing. */
	msg[len - 1] ^= 1;
	write_file(dir, "sign.cbor", msg, len);
	run_oracle(args, line, sizeof(line));
	assert_memory_equal(line, "FAIL", 4);

	/* The other direction: the oracle signs, we verify. */
	for (int ed = 0; ed < 2; ed++) {
		uint8_t pem[TK_CRYPTO_PEM_MAX];
		char path[512];
		FILE *f;
		size_t pem_len;
		struct tk_crypto_key *pub = NULL;
		struct tk_cose_trusted_key trusted;
		struct tk_cose_verify_opts opts = {.tag_mode = TK_COSE_TAG_REQUIRED};
		struct tk_cose_verified out;

		snprintf(args, sizeof(args), "sign1 %d %s %s/py.cbor %s/py.pem",
			 ed ? TK_COSE_ALG_ED25519 : TK_COSE_ALG_ESP256, payload_hex, dir, dir);
		run_oracle(args, line, sizeof(line));
		assert_string_equal(line, "OK\n");

		snprintf(path, sizeof(path), "%s/py.pem", dir);
		f = fopen(path, "rb");
		assert_non_null(f);
		pem_len = fread(pem, 1, sizeof(pem), f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/py.cbor", dir);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(msg, 1, sizeof(msg), f);
		fclose(f);

		tk_diag_clear(&diag);
		check_err("oracle key", TK_OK, tk_crypto_key_import_pem(c, pem, pem_len, &pub,
									&diag), &diag);
		uint8_t kid[32];
		check_err("oracle kid", TK_OK, tk_cose_key_thumbprint_crypto(c, pub, kid, &diag),
			  &diag);
		trusted = (struct tk_cose_trusted_key){pub, tk_span_make(kid, 32)};
		opts.keys = &trusted;
		opts.n_keys = 1;
		check_err(ed ? "oracle Ed25519 Sign1" : "oracle ESP256 Sign1", TK_OK,
			  tk_cose_sign1_verify(c, msg, len, &opts, &out, &diag), &diag);
		assert_memory_equal(out.payload.ptr, payload, sizeof(payload));
		tk_crypto_key_free(pub);
	}
	remove_files(dir, files, sizeof(files) / sizeof(files[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cose_wg_examples),
		cmocka_unit_test(test_sign1_round_trip),
		cmocka_unit_test(test_sign1_create_rejects),
		cmocka_unit_test(test_sign_multi_rows),
		cmocka_unit_test(test_sign_limits),
		cmocka_unit_test(test_header_rows),
		cmocka_unit_test(test_mac0_round_trip),
		cmocka_unit_test(test_thumbprint_vectors),
		cmocka_unit_test(test_cose_key_round_trip),
		cmocka_unit_test(test_cose_key_reject_rows),
		cmocka_unit_test(test_python_oracle),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
