/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of EAT claim labels and of the labels nested in cnf, so `teep
 * inspect` can annotate a Claims-Set in diagnostic notation.
 */
#include "eat/tk_eat.h"

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

static const char *key_name(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	(void)ctx;
	if (path_len == 0)
		return FIND(claim_names, key);
	if (path_len == 1 && path[0] == TK_EAT_CLAIM_CNF)
		return FIND(cnf_names, key);
	if (path_len == 2 && path[0] == TK_EAT_CLAIM_CNF &&
	    path[1] == TK_EAT_CNF_COSE_KEY)
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
