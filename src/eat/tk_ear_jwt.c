/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EAR as a JWT: ES256 JWS in compact serialization (RFC 7515 section
 * 7.1). Signing renders the claims as JSON with jansson. Verification
 * checks the header and the signature over the ASCII "header.payload"
 * before the payload is decoded. It then transcodes the JSON claims to
 * CBOR, so tk_ear_decode() runs the same checks on both forms.
 */
#include "eat/tk_ear_json.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eat/tk_ear_json_impl.h"

/* Largest JWS header accepted, decoded: alg, typ, kid and a little more. */
#define HEADER_MAX 512

/* A base64url JSON string of bytes. */
static json_t *b64_string(struct tk_span bytes)
{
	size_t cap = tk_ear_b64url_len(bytes.len) + 1, len = 0;
	char *text = malloc(cap);
	json_t *out = NULL;

	if (text != NULL &&
	    tk_ear_b64url_encode(bytes.ptr, bytes.len, text, cap, &len, NULL) == TK_OK)
		out = json_stringn(text, len);
	free(text);
	return out;
}

static json_t *text_string(struct tk_span text)
{
	return json_stringn((const char *)text.ptr, text.len);
}

static json_t *formats_json(const struct tk_eat_manifest *entries, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, json_pack("[Io]",
						     (json_int_t)entries[i].content_type,
						     b64_string(entries[i].body)));
	return arr;
}

/* TEEP claims (CBOR) as the JSON object of ext-teep. */
static json_t *teep_json(struct tk_span cbor, struct tk_diag *diag)
{
	struct tk_eat_claims *c = calloc(1, sizeof(*c));
	json_t *obj = json_object();

	if (c == NULL || obj == NULL ||
	    tk_eat_decode_claims(cbor.ptr, cbor.len, c, diag) != TK_OK) {
		free(c);
		json_decref(obj);
		return NULL;
	}
	if (c->present & TK_EAT_HAS_NONCE)
		json_object_set_new(obj, "eat_nonce", b64_string(c->nonce));
	if (c->present & TK_EAT_HAS_UEID)
		json_object_set_new(obj, "ueid", b64_string(c->ueid));
	if (c->present & TK_EAT_HAS_OEMID)
		json_object_set_new(obj, "oemid", c->oemid_is_pen
				    ? json_integer((json_int_t)c->oemid_pen)
				    : b64_string(c->oemid));
	if (c->present & TK_EAT_HAS_HWMODEL)
		json_object_set_new(obj, "hwmodel", b64_string(c->hwmodel));
	if (c->present & TK_EAT_HAS_HWVERSION)
		json_object_set_new(obj, "hwversion", c->has_hwversion_scheme
				    ? json_pack("[oI]", text_string(c->hwversion),
						(json_int_t)c->hwversion_scheme)
				    : json_pack("[o]", text_string(c->hwversion)));
	if (c->present & TK_EAT_HAS_MANIFESTS)
		json_object_set_new(obj, "manifests",
				    formats_json(c->manifests, c->manifest_count));
	if (c->present & TK_EAT_HAS_MEASUREMENTS)
		json_object_set_new(obj, "measurements",
				    formats_json(c->measurements, c->measurement_count));
	if (c->present & TK_EAT_HAS_ENCRYPTION_KID)
		json_object_set_new(obj, "teepkit_encryption_kid",
				    b64_string(c->encryption_kid));
	free(c);
	return obj;
}

static json_t *nonce_json(struct tk_span nonce, bool is_text)
{
	return is_text ? text_string(nonce) : b64_string(nonce);
}

static json_t *appraisal_json(const struct tk_ear_appraisal *a, struct tk_diag *diag)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "ear_status",
			    json_string(tk_ear_status_name(a->status)));
	if (a->tv_present != 0) {
		json_t *tv = json_object();

		for (unsigned k = 0; k < TK_EAR_TV_COUNT; k++) {
			if (a->tv_present & (1u << k))
				json_object_set_new(tv, tk_ear_tv_name(k),
						    json_integer(a->tv[k]));
		}
		json_object_set_new(obj, "ear_trustworthiness_vector", tv);
	}
	if (a->policy_id_count > 0) {
		json_t *ids = json_array();

		for (size_t i = 0; i < a->policy_id_count; i++)
			json_array_append_new(ids, text_string(a->policy_ids[i]));
		json_object_set_new(obj, "ear_appraisal_policy_ids", ids);
	}
	if (a->nonce.len > 0)
		json_object_set_new(obj, "eat_nonce", nonce_json(a->nonce, a->nonce_is_text));
	if (a->teep_claims.len > 0) {
		json_t *teep = teep_json(a->teep_claims, diag);

		if (teep == NULL) {
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, "ear_teep_claims", teep);
	}
	return obj;
}

/* The claims as a JSON object, names of draft-ietf-rats-ear-03. */
static json_t *ear_json(const struct tk_ear *ear, struct tk_diag *diag)
{
	json_t *obj = json_object(), *submods = json_object();

	json_object_set_new(obj, "eat_profile", json_string(TK_EAR_PROFILE));
	json_object_set_new(obj, "iat", json_integer((json_int_t)ear->iat));
	if (ear->has_exp)
		json_object_set_new(obj, "exp", json_integer((json_int_t)ear->exp));
	if (ear->cnf_kid.len > 0)
		json_object_set_new(obj, "cnf", json_pack("{so}", "kid",
							  b64_string(ear->cnf_kid)));
	if (ear->nonce.len > 0)
		json_object_set_new(obj, "eat_nonce",
				    nonce_json(ear->nonce, ear->nonce_is_text));
	if (ear->has_status)
		json_object_set_new(obj, "ear_status",
				    json_string(tk_ear_status_name(ear->status)));
	if (ear->raw_evidence.len > 0)
		json_object_set_new(obj, "ear_raw_evidence", b64_string(ear->raw_evidence));
	json_object_set_new(obj, "ear_verifier_id",
			    json_pack("{soso}", "developer",
				      text_string(ear->verifier_developer), "build",
				      text_string(ear->verifier_build)));
	for (size_t i = 0; i < ear->submod_count; i++) {
		const struct tk_ear_appraisal *a = &ear->submods[i];
		json_t *value = appraisal_json(a, diag);

		if (value == NULL) {
			json_decref(submods);
			json_decref(obj);
			return NULL;
		}
		json_object_setn_new(submods, (const char *)a->name.ptr, a->name.len, value);
	}
	json_object_set_new(obj, "submods", submods);
	return obj;
}

/* Append the base64url of data[0..len) to out at *pos. */
static tk_err append_b64(const void *data, size_t len, char *out, size_t out_cap,
			 size_t *pos, struct tk_diag *diag)
{
	size_t written = 0;
	tk_err err = tk_ear_b64url_encode(data, len, out + *pos, out_cap - *pos, &written,
					  diag);

	*pos += written;
	return err;
}

static tk_err append_dot(char *out, size_t out_cap, size_t *pos, struct tk_diag *diag)
{
	if (*pos >= out_cap)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL, "JWT does not fit in %zu bytes",
			       out_cap);
	out[(*pos)++] = '.';
	return TK_OK;
}

/* Append the encoded JWS header {"alg":"ES256","kid":...,"typ":"JWT"}. */
static tk_err append_header(const struct tk_crypto *c, const struct tk_crypto_key *key,
			    char *out, size_t out_cap, size_t *pos, struct tk_diag *diag)
{
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	char header[160], kid_text[64];
	size_t kid_len = 0;
	int n;
	tk_err err = tk_cose_key_thumbprint_crypto(c, key, kid, diag);

	if (err == TK_OK)
		err = tk_ear_b64url_encode(kid, sizeof(kid), kid_text, sizeof(kid_text),
					   &kid_len, diag);
	if (err != TK_OK)
		return err;
	n = snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"kid\":\"%.*s\",\"typ\":\"JWT\"}",
		     (int)kid_len, kid_text);
	return append_b64(header, (size_t)n, out, out_cap, pos, diag);
}

/* The claims as compact JSON with sorted names; caller frees the text. */
static char *render_claims(const struct tk_ear *ear, struct tk_diag *diag)
{
	json_t *claims = ear_json(ear, diag);
	char *text = claims != NULL ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(claims);
	return text;
}

tk_err tk_ear_sign_jwt(const struct tk_crypto *c, const struct tk_crypto_key *key,
		       const struct tk_ear *ear, char *out, size_t out_cap,
		       size_t *out_len, struct tk_diag *diag)
{
	uint8_t sig[TK_CRYPTO_SIG_MAX];
	size_t sig_len = 0, pos = 0;
	struct tk_span signing_input;
	char *payload = NULL;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (key == NULL || ear == NULL || out == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key, EAR or output is NULL");
	if (tk_crypto_key_type(key) != TK_CRYPTO_KEY_P256)
		return TK_FAIL(diag, TK_ERR_KEY, "a JWT EAR is signed with ES256: P-256 key "
			       "required");
	if (ear->cnf_kid.len == 0 && ear->cnf_key.len > 0)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "cnf with a COSE_Key has no JSON form here: set cnf_kid to the "
			       "key's RFC 9679 thumbprint");

	/* Counting the CBOR encoding runs the same checks as the CBOR form. */
	err = tk_ear_encode(ear, NULL, 0, &pos, diag);
	pos = 0;
	if (err == TK_OK) {
		payload = render_claims(ear, diag);
		/* A TEEP claims decoding failure is recorded first and kept. */
		if (payload == NULL)
			err = TK_FAIL(diag, diag != NULL && diag->code != TK_OK ? diag->code
				      : TK_ERR_NOMEM, "EAR claims cannot be written as JSON");
	}
	if (err == TK_OK)
		err = append_header(c, key, out, out_cap, &pos, diag);
	if (err == TK_OK)
		err = append_dot(out, out_cap, &pos, diag);
	if (err == TK_OK)
		err = append_b64(payload, strlen(payload), out, out_cap, &pos, diag);

	/* The JWS signing input is the ASCII text written so far. */
	signing_input = tk_span_make(out, pos);
	if (err == TK_OK)
		err = tk_crypto_sign(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &signing_input, 1,
				     sig, &sig_len, diag);
	if (err == TK_OK)
		err = append_dot(out, out_cap, &pos, diag);
	if (err == TK_OK)
		err = append_b64(sig, sig_len, out, out_cap, &pos, diag);

	free(payload);
	if (err == TK_OK)
		*out_len = pos;
	return err;
}

/*
 * Copy an alg value from an unverified header for a message: at most
 * cap - 1 bytes, anything but printable ASCII replaced by '?', so the
 * value cannot break the line a caller logs or prints.
 */
static void printable_alg(const char *alg, char *out, size_t cap)
{
	size_t i = 0;

	for (; alg[i] != '\0' && i + 1 < cap; i++)
		out[i] = alg[i] >= 0x20 && alg[i] <= 0x7e ? alg[i] : '?';
	out[i] = '\0';
}

/* Check the JWS header: alg ES256, no crit; returns nothing else. */
static tk_err check_header(const char *b64, size_t len, struct tk_diag *diag)
{
	char text[HEADER_MAX], shown[24];
	size_t text_len = 0;
	json_error_t jerr;
	json_t *header, *alg;
	tk_err err;

	err = tk_ear_b64url_decode(b64, len, false, (uint8_t *)text, sizeof(text), &text_len,
				   "JWS header", diag);
	if (err != TK_OK)
		return err == TK_ERR_BUFFER_TOO_SMALL ? TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			"JWS header longer than %d bytes", HEADER_MAX) : err;
	header = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &jerr);
	if (header == NULL || !json_is_object(header)) {
		json_decref(header);
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "JWS header is not a JSON object");
	}
	alg = json_object_get(header, "alg");
	printable_alg(json_is_string(alg) ? json_string_value(alg) : "(missing)", shown,
		      sizeof(shown));
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "ES256") != 0)
		err = TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			      "JWS alg %s is not supported, expected ES256", shown);
	else if (json_object_get(header, "crit") != NULL)
		err = TK_FAIL(diag, TK_ERR_CRIT, "JWS header has crit, which is not supported");
	json_decref(header);
	return err;
}

/* Verify the signature over "header.payload" with the first key that fits. */
static tk_err check_signature(const char *jwt, size_t signed_len, const char *sig_b64,
			      size_t sig_b64_len, const struct tk_crypto_key *const *keys,
			      size_t n_keys, size_t *key_index, struct tk_diag *diag)
{
	uint8_t sig[TK_CRYPTO_SIG_MAX + 3];
	size_t sig_len = 0;
	struct tk_span part = tk_span_make(jwt, signed_len);
	tk_err err = tk_ear_b64url_decode(sig_b64, sig_b64_len, false, sig, sizeof(sig), &sig_len,
					  "JWS signature", diag);

	if (err != TK_OK)
		return err == TK_ERR_BUFFER_TOO_SMALL
			? TK_FAIL(diag, TK_ERR_SIGNATURE, "JWS signature is too long") : err;
	err = TK_FAIL(diag, TK_ERR_UNTRUSTED, "no P-256 verifier key to check the JWT");
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i] == NULL || tk_crypto_key_type(keys[i]) != TK_CRYPTO_KEY_P256)
			continue;
		if (diag != NULL)
			tk_diag_clear(diag);
		err = tk_crypto_verify(keys[i], TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1,
				       sig, sig_len, diag);
		if (err == TK_OK) {
			*key_index = i;
			return TK_OK;
		}
	}
	return err;
}

tk_err tk_ear_verify_jwt(const struct tk_crypto *c, const char *jwt, size_t jwt_len,
			 const struct tk_crypto_key *const *keys, size_t n_keys,
			 uint8_t *cbor, size_t cbor_cap, struct tk_ear *out,
			 size_t *key_index, struct tk_diag *diag)
{
	const char *dot1, *dot2;
	char *payload = NULL;
	size_t payload_len = 0, cbor_len = 0, index = 0;
	tk_err err;

	(void)c;
	if (key_index != NULL)
		*key_index = 0;
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "EAR output is NULL");
	memset(out, 0, sizeof(*out));
	if (jwt == NULL || keys == NULL || n_keys == 0 || cbor == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "JWT, verifier keys or CBOR buffer missing");
	if (jwt_len > TK_EAR_JWT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "JWT is %zu bytes, maximum %u",
			       jwt_len, TK_EAR_JWT_MAX_SIZE);

	/* Compact serialization: exactly three base64url parts. */
	dot1 = memchr(jwt, '.', jwt_len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', jwt_len - (size_t)(dot1 + 1 - jwt)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', jwt_len - (size_t)(dot2 + 1 - jwt)) != NULL)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE,
			       "JWT is not three base64url parts separated by dots");

	err = check_header(jwt, (size_t)(dot1 - jwt), diag);
	if (err == TK_OK)
		err = check_signature(jwt, (size_t)(dot2 - jwt), dot2 + 1,
				      jwt_len - (size_t)(dot2 + 1 - jwt), keys, n_keys,
				      &index, diag);
	if (err == TK_OK) {
		size_t b64_len = (size_t)(dot2 - dot1 - 1);

		payload = malloc(b64_len + 1);
		if (payload == NULL)
			err = TK_FAIL(diag, TK_ERR_NOMEM, "no memory for the JWT payload");
		else
			err = tk_ear_b64url_decode(dot1 + 1, b64_len, false, (uint8_t *)payload,
						   b64_len + 1, &payload_len, "JWT payload",
						   diag);
	}
	if (err == TK_OK)
		err = tk_ear_json_to_cbor(payload, payload_len, cbor, cbor_cap, &cbor_len,
					  diag);
	if (err == TK_OK)
		err = tk_ear_decode(cbor, cbor_len, out, diag);
	free(payload);
	if (err == TK_OK && key_index != NULL)
		*key_index = index;
	return err;
}
