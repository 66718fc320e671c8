/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of EAT claim labels, of the labels nested in cnf, and of the EAR
 * labels (draft-ietf-rats-ear-03) at the top level and in submodules, so
 * `teep inspect` can annotate evidence and attestation results alike in
 * diagnostic notation.
 */
#include "eat/tk_eat.h"

#include "eat/tk_ear.h"

struct label_name {
	int64_t label;
	const char *name;
};

/* RFC 9711 section 10.1 and the CWT claims of RFC 8392 and RFC 8747. */
static const struct label_name claim_names[] = {
	{TK_EAT_CLAIM_ISS, "iss"},
	{TK_EAT_CLAIM_SUB, "sub"},
	{TK_EAT_CLAIM_AUD, "aud"},
	{TK_EAT_CLAIM_EXP, "exp"},
	{TK_EAT_CLAIM_NBF, "nbf"},
	{TK_EAT_CLAIM_IAT, "iat"},
	{TK_EAT_CLAIM_CTI, "cti"},
	{TK_EAT_CLAIM_CNF, "cnf"},
	{TK_EAT_CLAIM_NONCE, "eat_nonce"},
	{TK_EAT_CLAIM_UEID, "ueid"},
	{TK_EAT_CLAIM_SUEIDS, "sueids"},
	{TK_EAT_CLAIM_OEMID, "oemid"},
	{TK_EAT_CLAIM_HWMODEL, "hwmodel"},
	{TK_EAT_CLAIM_HWVERSION, "hwversion"},
	{TK_EAT_CLAIM_UPTIME, "uptime"},
	{TK_EAT_CLAIM_OEMBOOT, "oemboot"},
	{TK_EAT_CLAIM_DBGSTAT, "dbgstat"},
	{TK_EAT_CLAIM_LOCATION, "location"},
	{TK_EAT_CLAIM_PROFILE, "eat_profile"},
	{TK_EAT_CLAIM_SUBMODS, "submods"},
	{TK_EAT_CLAIM_BOOTCOUNT, "bootcount"},
	{TK_EAT_CLAIM_BOOTSEED, "bootseed"},
	{TK_EAT_CLAIM_DLOAS, "dloas"},
	{TK_EAT_CLAIM_SWNAME, "swname"},
	{TK_EAT_CLAIM_SWVERSION, "swversion"},
	{TK_EAT_CLAIM_MANIFESTS, "manifests"},
	{TK_EAT_CLAIM_MEASUREMENTS, "measurements"},
	{TK_EAT_CLAIM_MEASRES, "measres"},
	{TK_EAT_CLAIM_INTUSE, "intuse"},
	{TK_EAT_CLAIM_TPM_QUOTE, "tpm-quote"},
	{TK_EAT_CLAIM_ENCRYPTION_KID, "teepkit-encryption-kid"},
};

/* Members of the tpm-quote claim. */
static const struct label_name tpm_quote_names[] = {
	{TK_EAT_TPM_KEY_ATTEST, "attest"},
	{TK_EAT_TPM_KEY_SIGNATURE, "signature"},
	{TK_EAT_TPM_KEY_PCRS, "pcrs"},
	{TK_EAT_TPM_KEY_AK, "ak"},
	{TK_EAT_TPM_KEY_EK_CHAIN, "ek-chain"},
};

/* Confirmation methods (RFC 8747 section 3.1). */
static const struct label_name cnf_names[] = {
	{TK_EAT_CNF_COSE_KEY, "COSE_Key"},
	{2, "Encrypted_COSE_Key"},
	{TK_EAT_CNF_KID, "kid"},
};

/* COSE_Key labels (RFC 9052 section 7.1, RFC 9053 section 7). */
static const struct label_name cose_key_names[] = {
	{1, "kty"}, {2, "kid"}, {3, "alg"}, {4, "key_ops"},
	{-1, "crv"}, {-2, "x"}, {-3, "y"}, {-4, "d"},
};

/* EAR claims, at the top level or in an EAR-appraisal. */
static const struct label_name ear_names[] = {
	{TK_EAR_CLAIM_STATUS, "ear.status"},
	{TK_EAR_CLAIM_TRUST_VECTOR, "ear.trustworthiness-vector"},
	{TK_EAR_CLAIM_RAW_EVIDENCE, "ear.raw-evidence"},
	{TK_EAR_CLAIM_POLICY_IDS, "ear.appraisal-policy-ids"},
	{TK_EAR_CLAIM_VERIFIER_ID, "ear.verifier-id"},
	{TK_EAR_CLAIM_TEEP, "ear.teep-claims"},
};

static const struct label_name verifier_id_names[] = {
	{0, "developer"},
	{1, "build"},
};

static const char *find_name(const struct label_name *table, size_t n,
			     int64_t label)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].label == label)
			return table[i].name;
	}
	return NULL;
}

#define FIND(table, label) find_name(table, sizeof(table) / sizeof(table[0]), label)

const char *tk_eat_claim_name(int64_t label)
{
	return FIND(claim_names, label);
}

/* A claim label of EAT or EAR. */
static const char *any_claim_name(int64_t key)
{
	const char *name = FIND(claim_names, key);

	return name != NULL ? name : FIND(ear_names, key);
}

/* Keys inside submods: submods -> name (text) -> claims or appraisal. */
static const char *submod_key_name(const int64_t *path, unsigned path_len, int64_t key)
{
	if (path_len == 2)
		return any_claim_name(key);
	if (path_len == 3 && path[2] == TK_EAR_CLAIM_TRUST_VECTOR && key >= 0)
		return tk_ear_tv_name((unsigned)key);
	if (path_len == 3 && path[2] == TK_EAR_CLAIM_TEEP)
		return any_claim_name(key);
	return NULL;
}

static const char *key_name(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	(void)ctx;
	if (path_len == 0)
		return any_claim_name(key);
	if (path[0] == TK_EAT_CLAIM_SUBMODS)
		return submod_key_name(path, path_len, key);
	if (path_len == 1 && path[0] == TK_EAR_CLAIM_VERIFIER_ID)
		return FIND(verifier_id_names, key);
	if (path_len == 1 && path[0] == TK_EAT_CLAIM_CNF)
		return FIND(cnf_names, key);
	if (path_len == 2 && path[0] == TK_EAT_CLAIM_CNF &&
	    path[1] == TK_EAT_CNF_COSE_KEY)
		return FIND(cose_key_names, key);
	if (path_len == 1 && path[0] == TK_EAT_CLAIM_TPM_QUOTE)
		return FIND(tpm_quote_names, key);
	if (path_len == 2 && path[0] == TK_EAT_CLAIM_TPM_QUOTE &&
	    path[1] == TK_EAT_TPM_KEY_AK)
		return FIND(cose_key_names, key);
	return NULL;
}

static const char *tag_name(void *ctx, uint64_t tag)
{
	(void)ctx;
	if (tag == TK_EAT_TAG_CWT)
		return "CWT";
	if (tag == TK_COSE_TAG_SIGN1)
		return "COSE_Sign1";
	return NULL;
}

static const struct tk_cbor_names eat_names = {
	.key_name = key_name,
	.tag_name = tag_name,
	.ctx = NULL,
};

const struct tk_cbor_names *tk_eat_names(void)
{
	return &eat_names;
}
