/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EAR Claims-Set encoding and strict decoding (draft-ietf-rats-ear-03;
 * layout in tk_ear.h). The decoder visits every item, known or not, so a
 * tag or a non-preferred encoding anywhere fails before the caller sees
 * a value, and it checks the required claims once the map is read.
 */
#include "eat/tk_ear.h"

#include <string.h>

#include "eat/tk_eat_impl.h"

/*
 * Profiles accepted on input: draft-03's, and the one of earlier drafts
 * that Veraison's published results still carry. Only the first is
 * written.
 */
static const char *const accepted_profiles[] = {
	TK_EAR_PROFILE,
	"tag:github.com,2023:veraison/ear",
};

static bool is_int_type(enum tk_cbor_type type)
{
	return type == TK_CBOR_UINT || type == TK_CBOR_NINT;
}

static tk_err get_typed(struct tk_cbor_dec *dec, enum tk_cbor_type type,
			const char *claim, struct tk_span *out)
{
	if (tk_cbor_peek(dec) == TK_CBOR_TAG)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG, "claim %s is tagged", claim);
	if (tk_cbor_peek(dec) != type)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "claim %s: expected %s",
					claim, type == TK_CBOR_TSTR ? "text" : "bytes");
	return type == TK_CBOR_TSTR ? tk_cbor_get_tstr(dec, out)
				    : tk_cbor_get_bstr(dec, out);
}

static tk_err get_int(struct tk_cbor_dec *dec, const char *claim, int64_t *out)
{
	if (!is_int_type(tk_cbor_peek(dec)))
		return tk_cbor_dec_fail(dec, tk_cbor_peek(dec) == TK_CBOR_TAG
					? TK_ERR_SCHEMA_TAG : TK_ERR_SCHEMA_TYPE,
					"claim %s: expected an integer", claim);
	return tk_cbor_get_int(dec, out);
}

static tk_err enter_map(struct tk_cbor_dec *dec, const char *claim)
{
	uint64_t count = 0;

	if (tk_cbor_peek(dec) != TK_CBOR_MAP)
		return tk_cbor_dec_fail(dec, tk_cbor_peek(dec) == TK_CBOR_TAG
					? TK_ERR_SCHEMA_TAG : TK_ERR_SCHEMA_TYPE,
					"claim %s: expected a map", claim);
	return tk_cbor_enter_map(dec, &count);
}

static bool is_tier(int64_t status)
{
	return tk_ear_status_name(status) != NULL;
}

static tk_err get_status(struct tk_cbor_dec *dec, int64_t *out)
{
	tk_err err = get_int(dec, "ear.status", out);

	if (err == TK_OK && !is_tier(*out))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "claim ear.status: %lld is not a tier "
				       "(0, 2, 32 or 96)", (long long)*out);
	return err;
}

/* eat_nonce = bstr .size (8..64) / tstr .size (8..88) (RFC 9711 4.1). */
static tk_err get_nonce(struct tk_cbor_dec *dec, struct tk_span *out, bool *is_text)
{
	bool text = tk_cbor_peek(dec) == TK_CBOR_TSTR;
	size_t max = text ? 88 : TK_EAT_NONCE_MAX;
	tk_err err = get_typed(dec, text ? TK_CBOR_TSTR : TK_CBOR_BSTR, "eat_nonce", out);

	*is_text = text;
	if (err == TK_OK && (out->len < TK_EAT_NONCE_MIN || out->len > max))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim eat_nonce: %zu bytes, expected %d to %zu",
				       out->len, TK_EAT_NONCE_MIN, max);
	return err;
}

/* trustworthiness-vector = {? 0..7 => -128..127} */
static tk_err decode_vector(struct tk_cbor_dec *dec, struct tk_ear_appraisal *a)
{
	tk_err err = enter_map(dec, "ear.trustworthiness-vector");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key = 0;
		int64_t value = 0;

		if (tk_cbor_peek(dec) != TK_CBOR_UINT)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
						"trustworthiness vector key is not an "
						"unsigned integer");
		err = tk_cbor_get_uint(dec, &key);
		if (err == TK_OK)
			err = get_int(dec, "ear.trustworthiness-vector", &value);
		if (err == TK_OK && key >= TK_EAR_TV_COUNT)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
					       "trustworthiness vector key %llu, expected 0 to 7",
					       (unsigned long long)key);
		if (err == TK_OK && (value < -128 || value > 127))
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					       "trustworthiness claim %lld is outside "
					       "-128..127", (long long)value);
		if (err == TK_OK) {
			a->tv_present |= (uint8_t)(1u << key);
			a->tv[key] = (int8_t)value;
		}
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* ear.appraisal-policy-ids = [+ text], at most TK_EAR_MAX_POLICY_IDS. */
static tk_err decode_policy_ids(struct tk_cbor_dec *dec, struct tk_ear_appraisal *a)
{
	uint64_t count = 0;
	tk_err err = TK_OK;

	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"claim ear.appraisal-policy-ids: expected an array");
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim ear.appraisal-policy-ids is empty");
	while (err == TK_OK && tk_cbor_more(dec)) {
		if (a->policy_id_count >= TK_EAR_MAX_POLICY_IDS)
			return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
						"more than %d appraisal policy ids",
						TK_EAR_MAX_POLICY_IDS);
		err = get_typed(dec, TK_CBOR_TSTR, "ear.appraisal-policy-ids",
				&a->policy_ids[a->policy_id_count]);
		if (err == TK_OK)
			a->policy_id_count++;
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_appraisal_claim(struct tk_cbor_dec *dec, const uint8_t *buf,
				     int64_t label, struct tk_ear_appraisal *a,
				     bool *has_status)
{
	tk_err err;

	switch (label) {
	case TK_EAR_CLAIM_STATUS:
		*has_status = true;
		return get_status(dec, &a->status);
	case TK_EAR_CLAIM_TRUST_VECTOR:
		return decode_vector(dec, a);
	case TK_EAR_CLAIM_POLICY_IDS:
		return decode_policy_ids(dec, a);
	case TK_EAT_CLAIM_NONCE:
		return get_nonce(dec, &a->nonce, &a->nonce_is_text);
	case TK_EAR_CLAIM_TEEP:
		if (tk_cbor_peek(dec) != TK_CBOR_MAP)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
						"claim ear.teep-claims: expected a map");
		err = tk_eat_get_raw_untagged(dec, buf, &a->teep_claims);
		if (err == TK_OK && a->teep_claims.len == 1)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					       "claim ear.teep-claims is empty");
		return err;
	default:
		return tk_eat_skip_untagged(dec);
	}
}

/* Claim label: an integer, or text (a private claim, skipped). */
static tk_err get_label(struct tk_cbor_dec *dec, int64_t *label, bool *is_text)
{
	*is_text = tk_cbor_peek(dec) == TK_CBOR_TSTR;
	if (*is_text)
		return tk_cbor_skip(dec);
	if (!is_int_type(tk_cbor_peek(dec)))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"claim label is not an integer or text");
	return tk_cbor_get_int(dec, label);
}

static tk_err decode_appraisal(struct tk_cbor_dec *dec, const uint8_t *buf,
			       struct tk_ear_appraisal *a)
{
	bool has_status = false;
	tk_err err = enter_map(dec, "EAR-appraisal");

	while (err == TK_OK && tk_cbor_more(dec)) {
		int64_t label = 0;
		bool is_text = false;

		err = get_label(dec, &label, &is_text);
		if (err == TK_OK && is_text)
			err = tk_eat_skip_untagged(dec);
		else if (err == TK_OK)
			err = decode_appraisal_claim(dec, buf, label, a, &has_status);
	}
	if (err == TK_OK && !has_status)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "submodule \"%.*s\" has no ear.status",
				       (int)a->name.len, (const char *)a->name.ptr);
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* submods = {+ tstr => EAR-appraisal} */
static tk_err decode_submods(struct tk_cbor_dec *dec, const uint8_t *buf,
			     struct tk_ear *out)
{
	tk_err err = enter_map(dec, "submods");

	while (err == TK_OK && tk_cbor_more(dec)) {
		struct tk_ear_appraisal *a;

		if (out->submod_count >= TK_EAR_MAX_SUBMODS)
			return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
						"more than %d submodules", TK_EAR_MAX_SUBMODS);
		a = &out->submods[out->submod_count];
		err = get_typed(dec, TK_CBOR_TSTR, "submods name", &a->name);
		if (err == TK_OK)
			err = decode_appraisal(dec, buf, a);
		if (err == TK_OK)
			out->submod_count++;
	}
	if (err == TK_OK && out->submod_count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "claim submods is empty");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* ear.verifier-id = {0: developer tstr, 1: build tstr} */
static tk_err decode_verifier_id(struct tk_cbor_dec *dec, struct tk_ear *out)
{
	tk_err err = enter_map(dec, "ear.verifier-id");

	while (err == TK_OK && tk_cbor_more(dec)) {
		int64_t key = -1;

		err = get_int(dec, "ear.verifier-id key", &key);
		if (err == TK_OK && key == 0)
			err = get_typed(dec, TK_CBOR_TSTR, "ear.verifier-id developer",
					&out->verifier_developer);
		else if (err == TK_OK && key == 1)
			err = get_typed(dec, TK_CBOR_TSTR, "ear.verifier-id build",
					&out->verifier_build);
		else if (err == TK_OK)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
					       "ear.verifier-id key %lld, expected 0 or 1",
					       (long long)key);
	}
	if (err == TK_OK && (out->verifier_developer.len == 0 || out->verifier_build.len == 0))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "ear.verifier-id needs developer (0) and build (1)");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* cnf = {3: kid} / {1: COSE_Key} (RFC 8747 section 3.1) */
static tk_err decode_cnf(struct tk_cbor_dec *dec, const uint8_t *buf, struct tk_ear *out)
{
	int64_t method = 0;
	tk_err err = enter_map(dec, "cnf");

	if (err == TK_OK && !tk_cbor_more(dec))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING, "claim cnf is empty");
	if (err == TK_OK)
		err = get_int(dec, "cnf method", &method);
	if (err == TK_OK && method == TK_EAT_CNF_KID) {
		err = get_typed(dec, TK_CBOR_BSTR, "cnf kid", &out->cnf_kid);
		if (err == TK_OK && (out->cnf_kid.len == 0 || out->cnf_kid.len > TK_COSE_KID_MAX))
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					       "claim cnf: kid of %zu bytes", out->cnf_kid.len);
	} else if (err == TK_OK && method == TK_EAT_CNF_COSE_KEY) {
		if (tk_cbor_peek(dec) != TK_CBOR_MAP)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
						"claim cnf: COSE_Key is not a map");
		err = tk_eat_get_raw_untagged(dec, buf, &out->cnf_key);
	} else if (err == TK_OK) {
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
				       "claim cnf: confirmation method %lld is not "
				       "supported (expected 1 or 3)", (long long)method);
	}
	if (err == TK_OK && tk_cbor_more(dec))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "claim cnf: more than one confirmation method");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err check_profile(struct tk_cbor_dec *dec, struct tk_span profile)
{
	for (size_t i = 0; i < sizeof(accepted_profiles) / sizeof(accepted_profiles[0]); i++) {
		if (tk_span_equal(profile, tk_span_make(accepted_profiles[i],
							strlen(accepted_profiles[i]))))
			return TK_OK;
	}
	return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				"eat_profile \"%.*s\" is not the EAR profile %s",
				(int)(profile.len > 80 ? 80 : profile.len),
				(const char *)profile.ptr, TK_EAR_PROFILE);
}

/* Bits of the claims the decoder saw, for the required-claim check. */
enum {
	SEEN_PROFILE = 1u << 0,
	SEEN_IAT = 1u << 1,
	SEEN_VERIFIER = 1u << 2,
	SEEN_SUBMODS = 1u << 3,
};

static tk_err decode_claim(struct tk_cbor_dec *dec, const uint8_t *buf, int64_t label,
			   struct tk_ear *out, unsigned *seen)
{
	tk_err err;

	switch (label) {
	case TK_EAT_CLAIM_PROFILE:
		*seen |= SEEN_PROFILE;
		err = get_typed(dec, TK_CBOR_TSTR, "eat_profile", &out->profile);
		return err != TK_OK ? err : check_profile(dec, out->profile);
	case TK_EAT_CLAIM_IAT:
		*seen |= SEEN_IAT;
		return get_int(dec, "iat", &out->iat);
	case TK_EAT_CLAIM_EXP:
		out->has_exp = true;
		return get_int(dec, "exp", &out->exp);
	case TK_EAT_CLAIM_CNF:
		return decode_cnf(dec, buf, out);
	case TK_EAT_CLAIM_NONCE:
		return get_nonce(dec, &out->nonce, &out->nonce_is_text);
	case TK_EAR_CLAIM_STATUS:
		out->has_status = true;
		return get_status(dec, &out->status);
	case TK_EAR_CLAIM_RAW_EVIDENCE:
		return get_typed(dec, TK_CBOR_BSTR, "ear.raw-evidence", &out->raw_evidence);
	case TK_EAR_CLAIM_VERIFIER_ID:
		*seen |= SEEN_VERIFIER;
		return decode_verifier_id(dec, out);
	case TK_EAT_CLAIM_SUBMODS:
		*seen |= SEEN_SUBMODS;
		return decode_submods(dec, buf, out);
	default:
		return tk_eat_skip_untagged(dec);
	}
}

static tk_err check_required(struct tk_cbor_dec *dec, unsigned seen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} required[] = {
		{SEEN_PROFILE, "eat_profile"},
		{SEEN_IAT, "iat"},
		{SEEN_VERIFIER, "ear.verifier-id"},
		{SEEN_SUBMODS, "submods"},
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if ((seen & required[i].bit) == 0)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
						"required claim %s is missing",
						required[i].name);
	}
	return TK_OK;
}

tk_err tk_ear_decode(const uint8_t *buf, size_t len, struct tk_ear *out,
		     struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	unsigned seen = 0;
	tk_err err;

	if (out == NULL || (buf == NULL && len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "EAR buffer or output is NULL");
	memset(out, 0, sizeof(*out));
	if (len > TK_EAR_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "EAR is %zu bytes, maximum %u",
			       len, TK_EAR_MAX_SIZE);

	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = enter_map(&dec, "EAR Claims-Set");
	while (err == TK_OK && tk_cbor_more(&dec)) {
		int64_t label = 0;
		bool is_text = false;

		err = get_label(&dec, &label, &is_text);
		if (err == TK_OK && is_text)
			err = tk_eat_skip_untagged(&dec);
		else if (err == TK_OK)
			err = decode_claim(&dec, buf, label, out, &seen);
	}
	if (err == TK_OK)
		err = check_required(&dec, seen);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}
