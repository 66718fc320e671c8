/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON form of EAR, mapped to and from the CBOR form
 * (draft-ietf-rats-ear-03 gives each claim a JSON name and a CBOR label).
 * JSON to CBOR is table-driven: each object level has a table of member
 * names with the label and the kind of value, and members not in the
 * table are skipped. Maps are written in deterministic order, so the
 * CBOR of a JSON result is unique and tk_ear_decode() applies unchanged.
 */
#include "eat/tk_ear_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cbor/tk_cbor.h"
#include "eat/tk_ear_json_impl.h"

/* Kinds of member values and how each becomes CBOR. */
enum kind {
	K_TEXT,        /* string -> tstr */
	K_INT,         /* integer, or a real with an integral value -> int */
	K_B64,         /* base64url string -> bstr */
	K_NONCE,       /* base64url string -> bstr; other text stays tstr */
	K_STATUS,      /* tier name or number -> int */
	K_VERIFIER,    /* {developer, build} -> {0, 1} */
	K_SUBMODS,     /* {name: appraisal} */
	K_CNF,         /* {"kid": base64url} -> {3: bstr} */
	K_VECTOR,      /* {claim name: int} -> {key: int} */
	K_POLICY_IDS,  /* [+ string] */
	K_POLICY_ONE,  /* one string (earlier drafts) -> [string] */
	K_TEEP,        /* TEEP Claims-Set */
	K_OEMID,       /* integer, or base64url -> bstr */
	K_HWVERSION,   /* [string, ? int] */
	K_FORMATS,     /* [+ [int, base64url]] -> [+ [uint, bstr]] */
};

struct member {
	const char *name;
	int64_t label;
	enum kind kind;
};

static const struct member top_members[] = {
	{"eat_profile", TK_EAT_CLAIM_PROFILE, K_TEXT},
	{"iat", TK_EAT_CLAIM_IAT, K_INT},
	{"exp", TK_EAT_CLAIM_EXP, K_INT},
	{"nbf", TK_EAT_CLAIM_NBF, K_INT},
	{"cnf", TK_EAT_CLAIM_CNF, K_CNF},
	{"eat_nonce", TK_EAT_CLAIM_NONCE, K_NONCE},
	{"ear_status", TK_EAR_CLAIM_STATUS, K_STATUS},
	{"ear.status", TK_EAR_CLAIM_STATUS, K_STATUS},
	{"ear_raw_evidence", TK_EAR_CLAIM_RAW_EVIDENCE, K_B64},
	{"ear.raw-evidence", TK_EAR_CLAIM_RAW_EVIDENCE, K_B64},
	{"ear_verifier_id", TK_EAR_CLAIM_VERIFIER_ID, K_VERIFIER},
	{"ear.verifier-id", TK_EAR_CLAIM_VERIFIER_ID, K_VERIFIER},
	{"submods", TK_EAT_CLAIM_SUBMODS, K_SUBMODS},
};

static const struct member appraisal_members[] = {
	{"eat_nonce", TK_EAT_CLAIM_NONCE, K_NONCE},
	{"ear_status", TK_EAR_CLAIM_STATUS, K_STATUS},
	{"ear.status", TK_EAR_CLAIM_STATUS, K_STATUS},
	{"ear_trustworthiness_vector", TK_EAR_CLAIM_TRUST_VECTOR, K_VECTOR},
	{"ear.trustworthiness-vector", TK_EAR_CLAIM_TRUST_VECTOR, K_VECTOR},
	{"ear_appraisal_policy_ids", TK_EAR_CLAIM_POLICY_IDS, K_POLICY_IDS},
	{"ear.appraisal-policy-id", TK_EAR_CLAIM_POLICY_IDS, K_POLICY_ONE},
	{"ear_teep_claims", TK_EAR_CLAIM_TEEP, K_TEEP},
	{"ear.teep-claims", TK_EAR_CLAIM_TEEP, K_TEEP},
};

static const struct member teep_members[] = {
	{"eat_nonce", TK_EAT_CLAIM_NONCE, K_NONCE},
	{"ueid", TK_EAT_CLAIM_UEID, K_B64},
	{"oemid", TK_EAT_CLAIM_OEMID, K_OEMID},
	{"hwmodel", TK_EAT_CLAIM_HWMODEL, K_B64},
	{"hwversion", TK_EAT_CLAIM_HWVERSION, K_HWVERSION},
	{"manifests", TK_EAT_CLAIM_MANIFESTS, K_FORMATS},
	{"measurements", TK_EAT_CLAIM_MEASUREMENTS, K_FORMATS},
	{"teepkit_encryption_kid", TK_EAT_CLAIM_ENCRYPTION_KID, K_B64},
};

static const struct member verifier_members[] = {
	{"developer", 0, K_TEXT},
	{"build", 1, K_TEXT},
};

#define N(table) (sizeof(table) / sizeof(table[0]))

static tk_err put_value(struct tk_cbor_enc *enc, json_t *value, enum kind kind,
			const char *name, struct tk_diag *diag);

static const struct member *find_member(const struct member *table, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	}
	return NULL;
}

/* An object whose members are named in table, as a sorted CBOR map. */
static tk_err put_object(struct tk_cbor_enc *enc, json_t *obj, const struct member *table,
			 size_t n, const char *what, struct tk_diag *diag)
{
	const char *name;
	json_t *value;
	uint64_t pairs = 0;
	tk_err err = TK_OK;

	if (!json_is_object(obj))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not a JSON object", what);
	json_object_foreach(obj, name, value) {
		if (find_member(table, n, name) != NULL)
			pairs++;
	}
	tk_cbor_put_map(enc, pairs);
	tk_cbor_map_sort_begin(enc);
	json_object_foreach(obj, name, value) {
		const struct member *m = find_member(table, n, name);

		if (m == NULL)
			continue;
		tk_cbor_put_int(enc, m->label);
		err = put_value(enc, value, m->kind, m->name, diag);
		if (err != TK_OK)
			return err;
	}
	tk_cbor_map_sort_end(enc, pairs);
	return TK_OK;
}

static tk_err put_text(struct tk_cbor_enc *enc, json_t *value, const char *name,
		       struct tk_diag *diag)
{
	if (!json_is_string(value))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not a string", name);
	tk_cbor_put_tstr(enc, json_string_value(value), json_string_length(value));
	return TK_OK;
}

static tk_err get_integer(json_t *value, const char *name, int64_t *out,
			  struct tk_diag *diag)
{
	double real;

	if (json_is_integer(value)) {
		*out = (int64_t)json_integer_value(value);
		return TK_OK;
	}
	/* Some issuers write NumericDate as a real, e.g. 1.666529184e+09. */
	real = json_is_real(value) ? json_real_value(value) : 0.5;
	if (real != floor(real) || real < -9.0e15 || real > 9.0e15)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not an integer", name);
	*out = (int64_t)real;
	return TK_OK;
}

/* base64url text to a bstr; other text to a tstr when text_ok. */
static tk_err put_b64(struct tk_cbor_enc *enc, json_t *value, const char *name,
		      bool text_ok, struct tk_diag *diag)
{
	size_t len, out_len = 0;
	uint8_t *buf;
	tk_err err;

	if (!json_is_string(value))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not a base64url string", name);
	len = json_string_length(value);
	buf = malloc(len + 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "%s: no memory for %zu bytes", name, len);
	/*
	 * A nonce is text in JSON; the draft's ext-teep example writes it in
	 * base64url with non-zero unused bits, so those are tolerated here.
	 * The JWS signature covers the JSON text, so this adds no malleability.
	 */
	err = tk_ear_b64url_decode(json_string_value(value), len, text_ok, buf, len + 1,
				   &out_len, name, text_ok ? NULL : diag);
	if (err == TK_OK)
		tk_cbor_put_bstr(enc, buf, out_len);
	else if (text_ok)
		tk_cbor_put_tstr(enc, json_string_value(value), len);
	free(buf);
	return text_ok ? TK_OK : err;
}

static tk_err put_status(struct tk_cbor_enc *enc, json_t *value, struct tk_diag *diag)
{
	static const int64_t tiers[] = {
		TK_EAR_STATUS_NONE, TK_EAR_STATUS_AFFIRMING, TK_EAR_STATUS_WARNING,
		TK_EAR_STATUS_CONTRAINDICATED,
	};

	if (json_is_integer(value)) {
		tk_cbor_put_int(enc, (int64_t)json_integer_value(value));
		return TK_OK;
	}
	for (size_t i = 0; json_is_string(value) && i < N(tiers); i++) {
		if (strcmp(json_string_value(value), tk_ear_status_name(tiers[i])) == 0) {
			tk_cbor_put_int(enc, tiers[i]);
			return TK_OK;
		}
	}
	return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
		       "ear.status is not none, affirming, warning or contraindicated");
}

static tk_err put_vector(struct tk_cbor_enc *enc, json_t *obj, struct tk_diag *diag)
{
	struct member table[TK_EAR_TV_COUNT];

	for (unsigned k = 0; k < TK_EAR_TV_COUNT; k++)
		table[k] = (struct member){tk_ear_tv_name(k), k, K_INT};
	return put_object(enc, obj, table, TK_EAR_TV_COUNT, "ear.trustworthiness-vector",
			  diag);
}

static tk_err put_submods(struct tk_cbor_enc *enc, json_t *obj, struct tk_diag *diag)
{
	const char *name;
	json_t *value;
	tk_err err = TK_OK;

	if (!json_is_object(obj))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "submods is not a JSON object");
	tk_cbor_put_map(enc, json_object_size(obj));
	tk_cbor_map_sort_begin(enc);
	json_object_foreach(obj, name, value) {
		tk_cbor_put_tstr(enc, name, strlen(name));
		err = put_object(enc, value, appraisal_members, N(appraisal_members),
				 "EAR-appraisal", diag);
		if (err != TK_OK)
			return err;
	}
	tk_cbor_map_sort_end(enc, json_object_size(obj));
	return TK_OK;
}

static tk_err put_cnf(struct tk_cbor_enc *enc, json_t *obj, struct tk_diag *diag)
{
	json_t *kid = json_object_get(obj, "kid");

	if (!json_is_object(obj) || json_object_size(obj) != 1 || kid == NULL)
		return TK_FAIL(diag, TK_ERR_SCHEMA_UNKNOWN,
			       "cnf must be {\"kid\": base64url} in the JSON form");
	tk_cbor_put_map(enc, 1);
	tk_cbor_put_uint(enc, TK_EAT_CNF_KID);
	return put_b64(enc, kid, "cnf kid", false, diag);
}

/* A JSON array of n items, each written by put_value with `kind`. */
static tk_err put_array(struct tk_cbor_enc *enc, json_t *arr, enum kind kind,
			const char *name, struct tk_diag *diag)
{
	size_t i;
	json_t *item;

	if (!json_is_array(arr))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not an array", name);
	tk_cbor_put_array(enc, json_array_size(arr));
	json_array_foreach(arr, i, item) {
		tk_err err = put_value(enc, item, kind, name, diag);

		if (err != TK_OK)
			return err;
	}
	return TK_OK;
}

static tk_err put_hwversion(struct tk_cbor_enc *enc, json_t *arr, struct tk_diag *diag)
{
	size_t n = json_array_size(arr);
	tk_err err;

	if (!json_is_array(arr) || n < 1 || n > 2)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "hwversion is not [text, ? int]");
	tk_cbor_put_array(enc, n);
	err = put_text(enc, json_array_get(arr, 0), "hwversion", diag);
	if (err == TK_OK && n == 2)
		err = put_value(enc, json_array_get(arr, 1), K_INT, "hwversion scheme", diag);
	return err;
}

static tk_err put_format(struct tk_cbor_enc *enc, json_t *entry, const char *name,
			 struct tk_diag *diag)
{
	tk_err err;

	if (!json_is_array(entry) || json_array_size(entry) != 2)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s entry is not [int, base64url]",
			       name);
	tk_cbor_put_array(enc, 2);
	err = put_value(enc, json_array_get(entry, 0), K_INT, name, diag);
	return err != TK_OK ? err : put_b64(enc, json_array_get(entry, 1), name, false, diag);
}

static tk_err put_value(struct tk_cbor_enc *enc, json_t *value, enum kind kind,
			const char *name, struct tk_diag *diag)
{
	int64_t v = 0;
	tk_err err;

	switch (kind) {
	case K_TEXT:
		return put_text(enc, value, name, diag);
	case K_INT:
		err = get_integer(value, name, &v, diag);
		if (err == TK_OK)
			tk_cbor_put_int(enc, v);
		return err;
	case K_B64:
		return put_b64(enc, value, name, false, diag);
	case K_NONCE:
		return put_b64(enc, value, name, true, diag);
	case K_STATUS:
		return put_status(enc, value, diag);
	case K_VERIFIER:
		return put_object(enc, value, verifier_members, N(verifier_members),
				  "ear.verifier-id", diag);
	case K_SUBMODS:
		return put_submods(enc, value, diag);
	case K_CNF:
		return put_cnf(enc, value, diag);
	case K_VECTOR:
		return put_vector(enc, value, diag);
	case K_POLICY_IDS:
		return put_array(enc, value, K_TEXT, name, diag);
	case K_POLICY_ONE:
		tk_cbor_put_array(enc, 1);
		return put_text(enc, value, name, diag);
	case K_TEEP:
		return put_object(enc, value, teep_members, N(teep_members),
				  "ear.teep-claims", diag);
	case K_OEMID:
		if (!json_is_integer(value))
			return put_b64(enc, value, name, false, diag);
		tk_cbor_put_int(enc, (int64_t)json_integer_value(value));
		return TK_OK;
	case K_HWVERSION:
		return put_hwversion(enc, value, diag);
	case K_FORMATS:
		if (!json_is_array(value))
			return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "%s is not an array", name);
		tk_cbor_put_array(enc, json_array_size(value));
		for (size_t i = 0; i < json_array_size(value); i++) {
			err = put_format(enc, json_array_get(value, i), name, diag);
			if (err != TK_OK)
				return err;
		}
		return TK_OK;
	}
	return TK_FAIL(diag, TK_ERR_INTERNAL, "member kind %d unknown", (int)kind);
}

tk_err tk_ear_json_to_cbor(const char *json, size_t json_len, uint8_t *cbor,
			   size_t cbor_cap, size_t *cbor_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	json_error_t jerr;
	json_t *root;
	tk_err err;

	if (cbor_len == NULL || json == NULL || (cbor == NULL && cbor_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "JSON, CBOR buffer or length is NULL");
	*cbor_len = 0;
	if (json_len > TK_EAR_JWT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "JSON claims are %zu bytes, maximum %u",
			       json_len, TK_EAR_JWT_MAX_SIZE);

	/* Duplicate names would make the claims ambiguous (RFC 7519 section 4). */
	root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return TK_FAIL_AT(diag, TK_ERR_SCHEMA_TYPE, (size_t)jerr.position,
				  "JSON claims are not valid: %s", jerr.text);
	tk_cbor_enc_init(&enc, cbor, cbor_cap, diag);
	err = put_object(&enc, root, top_members, N(top_members), "EAR", diag);
	json_decref(root);
	if (err != TK_OK)
		return err;
	return tk_cbor_enc_finish(&enc, cbor_len);
}
