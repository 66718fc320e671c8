/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Claims-Set encoding and strict decoding for the TEEP profile of EAT, and
 * the profile's claim rules. The decoder walks every claim, known or not,
 * so that a tag or a non-preferred item anywhere in the claims fails before
 * the caller sees a single value.
 */
#include "eat/tk_eat.h"

#include <string.h>

#include "eat/tk_eat_impl.h"

/*
 * Skip one item, rejecting tags anywhere inside it (the TEEP profile:
 * "CBOR Tags are not used"). Recursion is bounded by TK_CBOR_MAX_DEPTH,
 * which tk_cbor_dec_init() enforced on the whole input.
 */
tk_err tk_eat_skip_untagged(struct tk_cbor_dec *dec)
{
	uint64_t count;

	switch (tk_cbor_peek(dec)) {
	case TK_CBOR_TAG:
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"CBOR tag inside the claims (the TEEP "
					"profile uses no tags)");
	case TK_CBOR_ARRAY:
	case TK_CBOR_MAP: {
		bool is_map = tk_cbor_peek(dec) == TK_CBOR_MAP;
		tk_err err = is_map ? tk_cbor_enter_map(dec, &count)
				    : tk_cbor_enter_array(dec, &count);

		while (err == TK_OK && tk_cbor_more(dec))
			err = tk_eat_skip_untagged(dec);
		if (err != TK_OK)
			return err;
		return tk_cbor_leave(dec);
	}
	default:
		return tk_cbor_skip(dec);
	}
}

/* Skip one item without tags and return its encoded bytes. */
tk_err tk_eat_get_raw_untagged(struct tk_cbor_dec *dec, const uint8_t *buf,
			       struct tk_span *out)
{
	size_t start = tk_cbor_offset(dec);
	tk_err err = tk_eat_skip_untagged(dec);

	if (err != TK_OK)
		return err;
	*out = tk_span_make(buf + start, tk_cbor_offset(dec) - start);
	return TK_OK;
}

static bool is_int(enum tk_cbor_type type)
{
	return type == TK_CBOR_UINT || type == TK_CBOR_NINT;
}

static tk_err expect(struct tk_cbor_dec *dec, enum tk_cbor_type type,
		     const char *claim, const char *what)
{
	enum tk_cbor_type got = tk_cbor_peek(dec);

	if (got == type || (type == TK_CBOR_UINT && got == TK_CBOR_NINT))
		return TK_OK;
	if (got == TK_CBOR_TAG)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"claim %s: tagged (the TEEP profile uses "
					"no tags)", claim);
	return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
				"claim %s: expected %s", claim, what);
}

static tk_err get_bstr_sized(struct tk_cbor_dec *dec, const char *claim,
			     size_t min, size_t max, struct tk_span *out)
{
	tk_err err = expect(dec, TK_CBOR_BSTR, claim, "a byte string");

	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, out);
	if (err != TK_OK)
		return err;
	if (out->len < min || out->len > max)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					"claim %s: %zu bytes, expected %zu to %zu",
					claim, out->len, min, max);
	return TK_OK;
}

static tk_err get_int_claim(struct tk_cbor_dec *dec, const char *claim,
			    int64_t *out)
{
	tk_err err = expect(dec, TK_CBOR_UINT, claim, "an integer");

	return err != TK_OK ? err : tk_cbor_get_int(dec, out);
}

/* cnf = {3: kid} / {1: COSE_Key}, exactly one method (RFC 8747 3.1). */
static tk_err decode_cnf(struct tk_cbor_dec *dec, const uint8_t *buf,
			 struct tk_eat_claims *out)
{
	uint64_t count = 0;
	int64_t method = 0;
	tk_err err = expect(dec, TK_CBOR_MAP, "cnf", "a map");

	if (err == TK_OK)
		err = tk_cbor_enter_map(dec, &count);
	if (err == TK_OK && count != 1)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "claim cnf: %llu confirmation methods, "
				       "expected 1", (unsigned long long)count);
	if (err == TK_OK)
		err = get_int_claim(dec, "cnf", &method);
	if (err != TK_OK)
		return err;

	if (method == TK_EAT_CNF_KID) {
		err = get_bstr_sized(dec, "cnf kid", 1, TK_COSE_KID_MAX,
				     &out->cnf_kid);
	} else if (method == TK_EAT_CNF_COSE_KEY) {
		err = expect(dec, TK_CBOR_MAP, "cnf COSE_Key", "a map");
		if (err == TK_OK)
			err = tk_eat_get_raw_untagged(dec, buf, &out->cnf_key);
	} else {
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
				       "claim cnf: confirmation method %lld is "
				       "not supported (expected 1 or 3)",
				       (long long)method);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* hwversion = [version: tstr, ? scheme: int] (RFC 9711 4.2.5). */
static tk_err decode_hwversion(struct tk_cbor_dec *dec,
			       struct tk_eat_claims *out)
{
	uint64_t count = 0;
	tk_err err = expect(dec, TK_CBOR_ARRAY, "hwversion", "an array");

	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && (count < 1 || count > 2))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim hwversion: %llu elements, expected 1 or 2",
				       (unsigned long long)count);
	if (err == TK_OK)
		err = expect(dec, TK_CBOR_TSTR, "hwversion", "version text");
	if (err == TK_OK)
		err = tk_cbor_get_tstr(dec, &out->hwversion);
	if (err == TK_OK && count == 2) {
		err = get_int_claim(dec, "hwversion scheme",
				    &out->hwversion_scheme);
		out->has_hwversion_scheme = err == TK_OK;
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* One [content-type: uint, content-format: bstr / any] entry. */
static tk_err decode_format_entry(struct tk_cbor_dec *dec, const uint8_t *buf,
				  const char *claim, struct tk_eat_manifest *m)
{
	uint64_t pair = 0;
	tk_err err = expect(dec, TK_CBOR_ARRAY, claim, "an array of entries");

	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &pair);
	if (err == TK_OK && pair != 2)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim %s: entry of %llu elements, expected 2",
				       claim, (unsigned long long)pair);
	if (err == TK_OK && tk_cbor_peek(dec) != TK_CBOR_UINT)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
				       "claim %s: content type is not an unsigned integer",
				       claim);
	if (err == TK_OK)
		err = tk_cbor_get_uint(dec, &m->content_type);
	if (err == TK_OK && tk_cbor_peek(dec) == TK_CBOR_BSTR) {
		m->body_is_bstr = true;
		err = tk_cbor_get_bstr(dec, &m->body);
	} else if (err == TK_OK) {
		err = tk_eat_get_raw_untagged(dec, buf, &m->body);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/*
 * manifests and measurements = [+ [content-type: uint, content-format:
 * bstr / any]] (RFC 9711 sections 4.2.15 and 4.2.16), into entries[0..max).
 */
static tk_err decode_format_list(struct tk_cbor_dec *dec, const uint8_t *buf,
				 const char *claim, struct tk_eat_manifest *entries,
				 size_t max, size_t *count)
{
	uint64_t n = 0;
	tk_err err = expect(dec, TK_CBOR_ARRAY, claim, "an array");

	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &n);
	if (err == TK_OK && n == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim %s: empty, expected at least one entry", claim);
	if (err == TK_OK && n > max)
		err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
				       "claim %s: %llu entries, maximum %zu", claim,
				       (unsigned long long)n, max);

	while (err == TK_OK && tk_cbor_more(dec)) {
		/* n was checked, but the bound protects entries itself. */
		if (*count >= max) {
			err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
					       "claim %s: more than %zu entries", claim, max);
			break;
		}
		err = decode_format_entry(dec, buf, claim, &entries[*count]);
		if (err == TK_OK)
			(*count)++;
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* pcrs = [+ [index: uint .le 23, value: bstr .size 32]] */
static tk_err decode_tpm_pcrs(struct tk_cbor_dec *dec, struct tk_eat_tpm_claim *tpm)
{
	uint64_t n = 0;
	tk_err err = expect(dec, TK_CBOR_ARRAY, "tpm-quote pcrs", "an array");

	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &n);
	while (err == TK_OK && tk_cbor_more(dec)) {
		struct tk_eat_tpm_pcr_value *v = &tpm->pcrs[tpm->pcr_count];
		uint64_t pair = 0;

		if (tpm->pcr_count >= TK_EAT_TPM_MAX_PCRS) {
			err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
					       "claim tpm-quote: more than %d PCR values",
					       TK_EAT_TPM_MAX_PCRS);
			break;
		}
		err = expect(dec, TK_CBOR_ARRAY, "tpm-quote pcr", "an array");
		if (err == TK_OK)
			err = tk_cbor_enter_array(dec, &pair);
		if (err == TK_OK && pair != 2)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					       "claim tpm-quote: PCR entry of %llu elements, "
					       "expected 2", (unsigned long long)pair);
		if (err == TK_OK)
			err = tk_cbor_get_uint(dec, &v->index);
		if (err == TK_OK && v->index >= TK_EAT_TPM_MAX_PCRS)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					       "claim tpm-quote: PCR index %llu, maximum %d",
					       (unsigned long long)v->index,
					       TK_EAT_TPM_MAX_PCRS - 1);
		if (err == TK_OK)
			err = get_bstr_sized(dec, "tpm-quote pcr value", TK_CRYPTO_SHA256_LEN,
					     TK_CRYPTO_SHA256_LEN, &v->value);
		if (err == TK_OK)
			err = tk_cbor_leave(dec);
		if (err == TK_OK)
			tpm->pcr_count++;
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* ek-chain = [+ bstr], DER certificates, leaf first. */
static tk_err decode_tpm_chain(struct tk_cbor_dec *dec, struct tk_eat_tpm_claim *tpm)
{
	uint64_t n = 0;
	tk_err err = expect(dec, TK_CBOR_ARRAY, "tpm-quote ek-chain", "an array");

	if (err == TK_OK)
		err = tk_cbor_enter_array(dec, &n);
	while (err == TK_OK && tk_cbor_more(dec)) {
		if (tpm->ek_chain_count >= TK_EAT_TPM_MAX_CHAIN) {
			err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
					       "claim tpm-quote: more than %d EK chain "
					       "certificates", TK_EAT_TPM_MAX_CHAIN);
			break;
		}
		err = get_bstr_sized(dec, "tpm-quote ek-chain", 1, TK_EAT_MAX_SIZE,
				     &tpm->ek_chain[tpm->ek_chain_count]);
		if (err == TK_OK)
			tpm->ek_chain_count++;
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_tpm_member(struct tk_cbor_dec *dec, const uint8_t *buf,
				uint64_t key, struct tk_eat_tpm_claim *tpm)
{
	switch (key) {
	case TK_EAT_TPM_KEY_ATTEST:
		return get_bstr_sized(dec, "tpm-quote attest", 1, TK_EAT_MAX_SIZE,
				      &tpm->attest);
	case TK_EAT_TPM_KEY_SIGNATURE:
		return get_bstr_sized(dec, "tpm-quote signature", 1, TK_EAT_MAX_SIZE,
				      &tpm->signature);
	case TK_EAT_TPM_KEY_PCRS:
		return decode_tpm_pcrs(dec, tpm);
	case TK_EAT_TPM_KEY_AK: {
		tk_err err = expect(dec, TK_CBOR_MAP, "tpm-quote ak", "a COSE_Key map");

		return err != TK_OK ? err : tk_eat_get_raw_untagged(dec, buf, &tpm->ak_key);
	}
	case TK_EAT_TPM_KEY_EK_CHAIN:
		return decode_tpm_chain(dec, tpm);
	default:
		return tk_eat_skip_untagged(dec);
	}
}

/* tpm-quote = {1: attest, 2: signature, 3: pcrs, ? 4: ak, ? 5: ek-chain} */
static tk_err decode_tpm_quote(struct tk_cbor_dec *dec, const uint8_t *buf,
			       struct tk_eat_tpm_claim *tpm)
{
	uint64_t count = 0;
	tk_err err = expect(dec, TK_CBOR_MAP, "tpm-quote", "a map");

	if (err == TK_OK)
		err = tk_cbor_enter_map(dec, &count);
	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key = 0;

		if (tk_cbor_peek(dec) != TK_CBOR_UINT)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					       "claim tpm-quote: key is not an unsigned integer");
		if (err == TK_OK)
			err = tk_cbor_get_uint(dec, &key);
		if (err == TK_OK)
			err = decode_tpm_member(dec, buf, key, tpm);
	}
	if (err == TK_OK && (tpm->attest.len == 0 || tpm->signature.len == 0 ||
			     tpm->pcr_count == 0))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "claim tpm-quote: attest (1), signature (2) and "
				       "pcrs (3) are required");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_oemid(struct tk_cbor_dec *dec, struct tk_eat_claims *out)
{
	if (is_int(tk_cbor_peek(dec))) {
		out->oemid_is_pen = true;
		return tk_cbor_get_int(dec, &out->oemid_pen);
	}
	/* oemid-ieee is 3 bytes, oemid-random 16 (RFC 9711 4.2.3). */
	tk_err err = get_bstr_sized(dec, "oemid", 3, 16, &out->oemid);

	if (err == TK_OK && out->oemid.len != 3 && out->oemid.len != 16)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "claim oemid: %zu bytes, expected 3 or 16",
				       out->oemid.len);
	return err;
}

static tk_err decode_profile(struct tk_cbor_dec *dec, struct tk_eat_claims *out)
{
	if (tk_cbor_peek(dec) == TK_CBOR_BSTR) {
		out->profile_is_oid = true;
		return tk_cbor_get_bstr(dec, &out->profile);
	}
	tk_err err = expect(dec, TK_CBOR_TSTR, "eat_profile", "a URI or an OID");

	return err != TK_OK ? err : tk_cbor_get_tstr(dec, &out->profile);
}

/* Decode the value of one known claim, or skip an unknown one. */
static tk_err decode_claim(struct tk_cbor_dec *dec, const uint8_t *buf,
			   int64_t label, struct tk_eat_claims *out)
{
	switch (label) {
	case TK_EAT_CLAIM_IAT:
		out->present |= TK_EAT_HAS_IAT;
		return get_int_claim(dec, "iat", &out->iat);
	case TK_EAT_CLAIM_CNF:
		out->present |= TK_EAT_HAS_CNF;
		return decode_cnf(dec, buf, out);
	case TK_EAT_CLAIM_NONCE:
		/* The TEEP profile: "the value is a single bstr". */
		out->present |= TK_EAT_HAS_NONCE;
		return get_bstr_sized(dec, "eat_nonce", TK_EAT_NONCE_MIN,
				      TK_EAT_NONCE_MAX, &out->nonce);
	case TK_EAT_CLAIM_UEID:
		out->present |= TK_EAT_HAS_UEID;
		return get_bstr_sized(dec, "ueid", TK_EAT_UEID_MIN,
				      TK_EAT_UEID_MAX, &out->ueid);
	case TK_EAT_CLAIM_OEMID:
		out->present |= TK_EAT_HAS_OEMID;
		return decode_oemid(dec, out);
	case TK_EAT_CLAIM_HWMODEL:
		out->present |= TK_EAT_HAS_HWMODEL;
		return get_bstr_sized(dec, "hwmodel", 1, TK_EAT_HWMODEL_MAX,
				      &out->hwmodel);
	case TK_EAT_CLAIM_HWVERSION:
		out->present |= TK_EAT_HAS_HWVERSION;
		return decode_hwversion(dec, out);
	case TK_EAT_CLAIM_PROFILE:
		out->present |= TK_EAT_HAS_PROFILE;
		return decode_profile(dec, out);
	case TK_EAT_CLAIM_MANIFESTS:
		out->present |= TK_EAT_HAS_MANIFESTS;
		return decode_format_list(dec, buf, "manifests", out->manifests,
					  TK_EAT_MAX_MANIFESTS, &out->manifest_count);
	case TK_EAT_CLAIM_MEASUREMENTS:
		out->present |= TK_EAT_HAS_MEASUREMENTS;
		return decode_format_list(dec, buf, "measurements", out->measurements,
					  TK_EAT_MAX_MEASUREMENTS,
					  &out->measurement_count);
	case TK_EAT_CLAIM_TPM_QUOTE:
		out->present |= TK_EAT_HAS_TPM_QUOTE;
		return decode_tpm_quote(dec, buf, &out->tpm);
	case TK_EAT_CLAIM_ENCRYPTION_KID:
		out->present |= TK_EAT_HAS_ENCRYPTION_KID;
		return get_bstr_sized(dec, "teepkit-encryption-kid", TK_CRYPTO_SHA256_LEN,
				      TK_CRYPTO_SHA256_LEN, &out->encryption_kid);
	default:
		return tk_eat_skip_untagged(dec);
	}
}

/*
 * Claims-Set = { * (label: int / tstr) => any }. Text labels are private
 * claims this decoder does not know, so they are skipped like unknown
 * integer labels.
 */
tk_err tk_eat_decode_claims(const uint8_t *buf, size_t len,
			    struct tk_eat_claims *out, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err;

	if (out == NULL || (buf == NULL && len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "claims buffer or output is NULL");
	memset(out, 0, sizeof(*out));

	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_MAP)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "Claims-Set is not a map");
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &count);

	while (err == TK_OK && tk_cbor_more(&dec)) {
		enum tk_cbor_type key_type = tk_cbor_peek(&dec);
		int64_t label = 0;

		if (key_type == TK_CBOR_TSTR) {
			err = tk_cbor_skip(&dec);
			if (err == TK_OK)
				err = tk_eat_skip_untagged(&dec);
			continue;
		}
		if (!is_int(key_type)) {
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
					       "claim label is not an integer or text");
			break;
		}
		err = tk_cbor_get_int(&dec, &label);
		if (err == TK_OK)
			err = decode_claim(&dec, buf, label, out);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_eat_check_teep_profile(const struct tk_eat_claims *claims,
				 struct tk_diag *diag)
{
	/* Required by the profile's Claims Requirements, in label order. */
	static const struct {
		uint32_t bit;
		const char *name;
	} required[] = {
		{TK_EAT_HAS_CNF, "cnf"},
		{TK_EAT_HAS_NONCE, "eat_nonce"},
		{TK_EAT_HAS_UEID, "ueid"},
		{TK_EAT_HAS_OEMID, "oemid"},
		{TK_EAT_HAS_HWMODEL, "hwmodel"},
		{TK_EAT_HAS_HWVERSION, "hwversion"},
		{TK_EAT_HAS_MANIFESTS, "manifests"},
	};
	size_t profile_len = strlen(TK_EAT_TEEP_PROFILE);

	if (claims == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "claims are NULL");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if ((claims->present & required[i].bit) == 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
				       "required claim %s is missing", required[i].name);
	}
	if ((claims->present & TK_EAT_HAS_PROFILE) != 0 &&
	    (claims->profile_is_oid || claims->profile.len != profile_len ||
	     memcmp(claims->profile.ptr, TK_EAT_TEEP_PROFILE, profile_len) != 0))
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "claim eat_profile is not the TEEP profile %s",
			       TK_EAT_TEEP_PROFILE);
	if (claims->manifest_count == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "claim manifests is empty, expected at least one entry");
	return TK_OK;
}

/* Number of claims flagged in `present` that the encoder writes. */
static unsigned count_claims(uint32_t present)
{
	unsigned n = 0;

	uint32_t known = (TK_EAT_HAS_ENCRYPTION_KID << 1) - 1;

	for (uint32_t bits = present & known; bits != 0; bits &= bits - 1)
		n++;
	return n;
}

static void put_cnf(struct tk_cbor_enc *enc, const struct tk_eat_claims *c)
{
	tk_cbor_put_uint(enc, TK_EAT_CLAIM_CNF);
	tk_cbor_put_map(enc, 1);
	if (c->cnf_kid.len > 0) {
		tk_cbor_put_uint(enc, TK_EAT_CNF_KID);
		tk_cbor_put_bstr(enc, c->cnf_kid.ptr, c->cnf_kid.len);
	} else {
		tk_cbor_put_uint(enc, TK_EAT_CNF_COSE_KEY);
		tk_cbor_put_raw(enc, c->cnf_key.ptr, c->cnf_key.len);
	}
}

static void put_oemid(struct tk_cbor_enc *enc, const struct tk_eat_claims *c)
{
	tk_cbor_put_uint(enc, TK_EAT_CLAIM_OEMID);
	if (c->oemid_is_pen)
		tk_cbor_put_int(enc, c->oemid_pen);
	else
		tk_cbor_put_bstr(enc, c->oemid.ptr, c->oemid.len);
}

static void put_hwversion(struct tk_cbor_enc *enc, const struct tk_eat_claims *c)
{
	tk_cbor_put_uint(enc, TK_EAT_CLAIM_HWVERSION);
	tk_cbor_put_array(enc, c->has_hwversion_scheme ? 2 : 1);
	tk_cbor_put_tstr(enc, (const char *)c->hwversion.ptr, c->hwversion.len);
	if (c->has_hwversion_scheme)
		tk_cbor_put_int(enc, c->hwversion_scheme);
}

static void put_format_list(struct tk_cbor_enc *enc, int64_t label,
			    const struct tk_eat_manifest *entries, size_t count)
{
	tk_cbor_put_int(enc, label);
	tk_cbor_put_array(enc, count);
	for (size_t i = 0; i < count; i++) {
		tk_cbor_put_array(enc, 2);
		tk_cbor_put_uint(enc, entries[i].content_type);
		tk_cbor_put_bstr(enc, entries[i].body.ptr, entries[i].body.len);
	}
}

/* Keys 1, 2, 3, 4 and 5 in ascending order; 4 and 5 when set. */
static void put_tpm_quote(struct tk_cbor_enc *enc, const struct tk_eat_tpm_claim *t)
{
	tk_cbor_put_int(enc, TK_EAT_CLAIM_TPM_QUOTE);
	tk_cbor_put_map(enc, 3 + (t->ak_key.len > 0) + (t->ek_chain_count > 0));
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_ATTEST);
	tk_cbor_put_bstr(enc, t->attest.ptr, t->attest.len);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_SIGNATURE);
	tk_cbor_put_bstr(enc, t->signature.ptr, t->signature.len);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_PCRS);
	tk_cbor_put_array(enc, t->pcr_count);
	for (size_t i = 0; i < t->pcr_count; i++) {
		tk_cbor_put_array(enc, 2);
		tk_cbor_put_uint(enc, t->pcrs[i].index);
		tk_cbor_put_bstr(enc, t->pcrs[i].value.ptr, t->pcrs[i].value.len);
	}
	if (t->ak_key.len > 0) {
		tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_AK);
		tk_cbor_put_raw(enc, t->ak_key.ptr, t->ak_key.len);
	}
	if (t->ek_chain_count > 0) {
		tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_EK_CHAIN);
		tk_cbor_put_array(enc, t->ek_chain_count);
		for (size_t i = 0; i < t->ek_chain_count; i++)
			tk_cbor_put_bstr(enc, t->ek_chain[i].ptr, t->ek_chain[i].len);
	}
}

/* Limits the encoder checks before writing (the decoder's, mirrored). */
static tk_err check_encode_limits(const struct tk_eat_claims *c, struct tk_diag *diag)
{
	if (c->manifest_count > TK_EAT_MAX_MANIFESTS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "%zu manifests entries, maximum %d",
			       c->manifest_count, TK_EAT_MAX_MANIFESTS);
	if (c->measurement_count > TK_EAT_MAX_MEASUREMENTS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "%zu measurements entries, maximum %d",
			       c->measurement_count, TK_EAT_MAX_MEASUREMENTS);
	if ((c->present & TK_EAT_HAS_TPM_QUOTE) &&
	    (c->tpm.pcr_count > TK_EAT_TPM_MAX_PCRS ||
	     c->tpm.ek_chain_count > TK_EAT_TPM_MAX_CHAIN))
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "tpm-quote: %zu PCR values and %zu EK certificates, "
			       "maximum %d and %d", c->tpm.pcr_count,
			       c->tpm.ek_chain_count, TK_EAT_TPM_MAX_PCRS,
			       TK_EAT_TPM_MAX_CHAIN);
	if ((c->present & TK_EAT_HAS_CNF) && c->cnf_kid.len == 0 &&
	    c->cnf_key.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "claim cnf has neither kid nor key");
	if ((c->present & TK_EAT_HAS_ENCRYPTION_KID) &&
	    c->encryption_kid.len != TK_CRYPTO_SHA256_LEN)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "claim teepkit-encryption-kid: %zu bytes, expected %d",
			       c->encryption_kid.len, TK_CRYPTO_SHA256_LEN);
	return TK_OK;
}

/* Labels in deterministic order (RFC 8949 section 4.2.1), see below. */
tk_err tk_eat_encode_claims(const struct tk_eat_claims *c, uint8_t *out,
			    size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len != NULL)
		*out_len = 0;
	if (c == NULL || out_len == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "claims or output buffer is NULL");
	err = check_encode_limits(c, diag);
	if (err != TK_OK)
		return err;

	/*
	 * Deterministic order (RFC 8949 section 4.2.1) sorts by encoded key:
	 * the private claims -75000 and -75001 (major type 1, in that order)
	 * follow every unsigned label.
	 */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, count_claims(c->present));
	if (c->present & TK_EAT_HAS_IAT) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_IAT);
		tk_cbor_put_int(&enc, c->iat);
	}
	if (c->present & TK_EAT_HAS_CNF)
		put_cnf(&enc, c);
	if (c->present & TK_EAT_HAS_NONCE) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_NONCE);
		tk_cbor_put_bstr(&enc, c->nonce.ptr, c->nonce.len);
	}
	if (c->present & TK_EAT_HAS_UEID) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_UEID);
		tk_cbor_put_bstr(&enc, c->ueid.ptr, c->ueid.len);
	}
	if (c->present & TK_EAT_HAS_OEMID)
		put_oemid(&enc, c);
	if (c->present & TK_EAT_HAS_HWMODEL) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_HWMODEL);
		tk_cbor_put_bstr(&enc, c->hwmodel.ptr, c->hwmodel.len);
	}
	if (c->present & TK_EAT_HAS_HWVERSION)
		put_hwversion(&enc, c);
	if (c->present & TK_EAT_HAS_PROFILE) {
		tk_cbor_put_uint(&enc, TK_EAT_CLAIM_PROFILE);
		if (c->profile_is_oid)
			tk_cbor_put_bstr(&enc, c->profile.ptr, c->profile.len);
		else
			tk_cbor_put_tstr(&enc, (const char *)c->profile.ptr,
					 c->profile.len);
	}
	if (c->present & TK_EAT_HAS_MANIFESTS)
		put_format_list(&enc, TK_EAT_CLAIM_MANIFESTS, c->manifests,
				c->manifest_count);
	if (c->present & TK_EAT_HAS_MEASUREMENTS)
		put_format_list(&enc, TK_EAT_CLAIM_MEASUREMENTS, c->measurements,
				c->measurement_count);
	if (c->present & TK_EAT_HAS_TPM_QUOTE)
		put_tpm_quote(&enc, &c->tpm);
	if (c->present & TK_EAT_HAS_ENCRYPTION_KID) {
		tk_cbor_put_int(&enc, TK_EAT_CLAIM_ENCRYPTION_KID);
		tk_cbor_put_bstr(&enc, c->encryption_kid.ptr, c->encryption_kid.len);
	}
	return tk_cbor_enc_finish(&enc, out_len);
}
