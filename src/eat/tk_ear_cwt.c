/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EAR encoding in deterministic order, signing and verification as a CWT
 * (COSE_Sign1), and the names of statuses, vector keys and labels.
 */
#include "eat/tk_ear.h"

#include <string.h>

#include "cbor/tk_cbor.h"

/* Signature algorithms accepted on an EAR: the TEEP suites and older names. */
static const int64_t allowed_algs[] = {
	TK_COSE_ALG_ESP256,
	TK_COSE_ALG_ED25519,
	TK_COSE_ALG_ES256,
	TK_COSE_ALG_EDDSA,
};

static const char *const tv_names[TK_EAR_TV_COUNT] = {
	"instance-identity", "configuration", "executables", "file-system",
	"hardware", "runtime-opaque", "storage-opaque", "sourced-data",
};

const char *tk_ear_status_name(int64_t status)
{
	switch (status) {
	case TK_EAR_STATUS_NONE:
		return "none";
	case TK_EAR_STATUS_AFFIRMING:
		return "affirming";
	case TK_EAR_STATUS_WARNING:
		return "warning";
	case TK_EAR_STATUS_CONTRAINDICATED:
		return "contraindicated";
	default:
		return NULL;
	}
}

const char *tk_ear_tv_name(unsigned key)
{
	return key < TK_EAR_TV_COUNT ? tv_names[key] : NULL;
}

/* Rank of a tier for "worst of": none ranks between warning and worse. */
static int tier_rank(int64_t status)
{
	switch (status) {
	case TK_EAR_STATUS_AFFIRMING:
		return 0;
	case TK_EAR_STATUS_NONE:
		return 1;
	case TK_EAR_STATUS_WARNING:
		return 2;
	default:
		return 3;
	}
}

int64_t tk_ear_overall_status(const struct tk_ear *ear)
{
	int64_t worst = TK_EAR_STATUS_AFFIRMING;

	if (ear == NULL || ear->submod_count == 0)
		return TK_EAR_STATUS_NONE;
	if (ear->has_status)
		worst = ear->status;
	for (size_t i = 0; i < ear->submod_count; i++) {
		if (tier_rank(ear->submods[i].status) > tier_rank(worst))
			worst = ear->submods[i].status;
	}
	return worst;
}

static unsigned popcount8(uint8_t bits)
{
	unsigned n = 0;

	for (; bits != 0; bits &= (uint8_t)(bits - 1))
		n++;
	return n;
}

/* EAR-appraisal keys ascending: 10, 1000, 1001, 1003, 65000. */
static void put_appraisal(struct tk_cbor_enc *enc, const struct tk_ear_appraisal *a)
{
	unsigned pairs = 1 + (a->nonce.len > 0) + (a->tv_present != 0) +
			 (a->policy_id_count > 0) + (a->teep_claims.len > 0);

	tk_cbor_put_map(enc, pairs);
	if (a->nonce.len > 0) {
		tk_cbor_put_uint(enc, TK_EAT_CLAIM_NONCE);
		if (a->nonce_is_text)
			tk_cbor_put_tstr(enc, (const char *)a->nonce.ptr, a->nonce.len);
		else
			tk_cbor_put_bstr(enc, a->nonce.ptr, a->nonce.len);
	}
	tk_cbor_put_uint(enc, TK_EAR_CLAIM_STATUS);
	tk_cbor_put_int(enc, a->status);
	if (a->tv_present != 0) {
		tk_cbor_put_uint(enc, TK_EAR_CLAIM_TRUST_VECTOR);
		tk_cbor_put_map(enc, popcount8(a->tv_present));
		for (unsigned k = 0; k < TK_EAR_TV_COUNT; k++) {
			if (a->tv_present & (1u << k)) {
				tk_cbor_put_uint(enc, k);
				tk_cbor_put_int(enc, a->tv[k]);
			}
		}
	}
	if (a->policy_id_count > 0) {
		tk_cbor_put_uint(enc, TK_EAR_CLAIM_POLICY_IDS);
		tk_cbor_put_array(enc, a->policy_id_count);
		for (size_t i = 0; i < a->policy_id_count; i++)
			tk_cbor_put_tstr(enc, (const char *)a->policy_ids[i].ptr,
					 a->policy_ids[i].len);
	}
	if (a->teep_claims.len > 0) {
		tk_cbor_put_uint(enc, TK_EAR_CLAIM_TEEP);
		tk_cbor_put_raw(enc, a->teep_claims.ptr, a->teep_claims.len);
	}
}

static tk_err check_appraisal(const struct tk_ear_appraisal *a, size_t i,
			      struct tk_diag *diag)
{
	tk_err err;

	if (a->name.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "submodule %zu has no name", i);
	if (tk_ear_status_name(a->status) == NULL)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "submodule %zu: status %lld is not a tier", i,
			       (long long)a->status);
	if (a->policy_id_count > TK_EAR_MAX_POLICY_IDS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "submodule %zu: %zu policy ids, maximum %d", i,
			       a->policy_id_count, TK_EAR_MAX_POLICY_IDS);
	if (a->teep_claims.len == 0)
		return TK_OK;
	err = tk_cbor_check(a->teep_claims.ptr, a->teep_claims.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK && (a->teep_claims.ptr[0] >> 5) != TK_CBOR_MAP)
		err = TK_FAIL(diag, TK_ERR_ARG, "submodule %zu: TEEP claims are not a map", i);
	return err;
}

static tk_err check_ear(const struct tk_ear *ear, struct tk_diag *diag)
{
	if (ear->verifier_developer.len == 0 || ear->verifier_build.len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			       "ear.verifier-id needs developer and build");
	if (ear->submod_count == 0 || ear->submod_count > TK_EAR_MAX_SUBMODS)
		return TK_FAIL(diag, ear->submod_count == 0 ? TK_ERR_SCHEMA_MISSING
							   : TK_ERR_LIMIT_COUNT,
			       "%zu submodules, expected 1 to %d", ear->submod_count,
			       TK_EAR_MAX_SUBMODS);
	if (ear->has_status && tk_ear_status_name(ear->status) == NULL)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE, "status %lld is not a tier",
			       (long long)ear->status);
	for (size_t i = 0; i < ear->submod_count; i++) {
		tk_err err = check_appraisal(&ear->submods[i], i, diag);

		if (err != TK_OK)
			return err;
	}
	return TK_OK;
}

static void put_cnf(struct tk_cbor_enc *enc, const struct tk_ear *ear)
{
	tk_cbor_put_uint(enc, TK_EAT_CLAIM_CNF);
	tk_cbor_put_map(enc, 1);
	if (ear->cnf_kid.len > 0) {
		tk_cbor_put_uint(enc, TK_EAT_CNF_KID);
		tk_cbor_put_bstr(enc, ear->cnf_kid.ptr, ear->cnf_kid.len);
	} else {
		tk_cbor_put_uint(enc, TK_EAT_CNF_COSE_KEY);
		tk_cbor_put_raw(enc, ear->cnf_key.ptr, ear->cnf_key.len);
	}
}

static void put_submods(struct tk_cbor_enc *enc, const struct tk_ear *ear)
{
	tk_cbor_put_uint(enc, TK_EAT_CLAIM_SUBMODS);
	tk_cbor_put_map(enc, ear->submod_count);
	tk_cbor_map_sort_begin(enc);
	for (size_t i = 0; i < ear->submod_count; i++) {
		tk_cbor_put_tstr(enc, (const char *)ear->submods[i].name.ptr,
				 ear->submods[i].name.len);
		put_appraisal(enc, &ear->submods[i]);
	}
	tk_cbor_map_sort_end(enc, ear->submod_count);
}

/* Labels ascending: 4, 6, 8, 10, 265, 266, 1000, 1002, 1004. */
tk_err tk_ear_encode(const struct tk_ear *ear, uint8_t *out, size_t out_cap,
		     size_t *out_len, struct tk_diag *diag)
{
	struct tk_span profile;
	struct tk_cbor_enc enc;
	unsigned pairs;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (ear == NULL || out_len == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "EAR or output buffer is NULL");
	err = check_ear(ear, diag);
	if (err != TK_OK)
		return err;

	profile = ear->profile.len > 0 ? ear->profile
				       : tk_span_make(TK_EAR_PROFILE, strlen(TK_EAR_PROFILE));
	pairs = 4 + ear->has_exp + (ear->cnf_kid.len > 0 || ear->cnf_key.len > 0) +
		(ear->nonce.len > 0) + ear->has_status + (ear->raw_evidence.len > 0);
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, pairs);
	if (ear->has_exp) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_EXP);
		tk_cbor_put_int(&enc, ear->exp);
	}
	tk_cbor_put_uint(&enc, TK_EAT_CLAIM_IAT);
	tk_cbor_put_int(&enc, ear->iat);
	if (ear->cnf_kid.len > 0 || ear->cnf_key.len > 0)
		put_cnf(&enc, ear);
	if (ear->nonce.len > 0) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_NONCE);
		if (ear->nonce_is_text)
			tk_cbor_put_tstr(&enc, (const char *)ear->nonce.ptr, ear->nonce.len);
		else
			tk_cbor_put_bstr(&enc, ear->nonce.ptr, ear->nonce.len);
	}
	tk_cbor_put_uint(&enc, TK_EAT_CLAIM_PROFILE);
	tk_cbor_put_tstr(&enc, (const char *)profile.ptr, profile.len);
	put_submods(&enc, ear);
	if (ear->has_status) {
		tk_cbor_put_uint(&enc, TK_EAR_CLAIM_STATUS);
		tk_cbor_put_int(&enc, ear->status);
	}
	if (ear->raw_evidence.len > 0) {
		tk_cbor_put_uint(&enc, TK_EAR_CLAIM_RAW_EVIDENCE);
		tk_cbor_put_bstr(&enc, ear->raw_evidence.ptr, ear->raw_evidence.len);
	}
	tk_cbor_put_uint(&enc, TK_EAR_CLAIM_VERIFIER_ID);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_put_tstr(&enc, (const char *)ear->verifier_developer.ptr,
			 ear->verifier_developer.len);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_tstr(&enc, (const char *)ear->verifier_build.ptr,
			 ear->verifier_build.len);
	return tk_cbor_enc_finish(&enc, out_len);
}

tk_err tk_ear_sign_cwt(const struct tk_crypto *c, const struct tk_crypto_key *key,
		       const struct tk_ear *ear, uint8_t *out, size_t out_cap,
		       size_t *out_len, struct tk_diag *diag)
{
	struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_cose_signer signer = {.key = key, .kid_thumbprint = true};
	uint8_t payload[TK_EAR_MAX_SIZE]; /* an EAR is bounded by this size */
	size_t payload_len = 0;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (key == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key or output is NULL");
	signer.alg = tk_cose_alg_for_key(key);
	if (signer.alg == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "key type cannot sign an EAR");

	err = tk_ear_encode(ear, payload, sizeof(payload), &payload_len, diag);
	if (err == TK_OK)
		err = tk_cose_sign1_create(c, &signer, payload, payload_len, &opts, out,
					   out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_ear_verify_cwt(const struct tk_crypto *c, const uint8_t *cwt, size_t cwt_len,
			 const struct tk_cose_trusted_key *keys, size_t n_keys,
			 struct tk_ear *out, size_t *key_index, struct tk_diag *diag)
{
	struct tk_cose_verify_opts opts = {
		.tag_mode = TK_COSE_TAG_OPTIONAL,
		.keys = keys,
		.n_keys = n_keys,
		.allowed_algs = allowed_algs,
		.n_allowed_algs = sizeof(allowed_algs) / sizeof(allowed_algs[0]),
	};
	struct tk_cose_verified verified;
	tk_err err;

	if (key_index != NULL)
		*key_index = 0;
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "EAR output is NULL");
	memset(out, 0, sizeof(*out));
	if (cwt == NULL || keys == NULL || n_keys == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "EAR or verifier keys missing");
	if (cwt_len > TK_EAR_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "EAR is %zu bytes, maximum %u",
			       cwt_len, TK_EAR_MAX_SIZE);

	/* CWT tag 61 in preferred serialization is the two bytes d8 3d. */
	if (cwt_len >= 2 && cwt[0] == 0xd8 && cwt[1] == TK_EAT_TAG_CWT) {
		cwt += 2;
		cwt_len -= 2;
	}
	err = tk_cose_sign1_verify(c, cwt, cwt_len, &opts, &verified, diag);
	if (err == TK_OK)
		err = tk_ear_decode(verified.payload.ptr, verified.payload.len, out, diag);
	if (err == TK_OK && key_index != NULL)
		*key_index = verified.key_index;
	return err;
}

const struct tk_cbor_names *tk_ear_names(void)
{
	return tk_eat_names();
}
