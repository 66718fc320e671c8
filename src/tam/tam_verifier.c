/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verifier hooks of teep-tam serve; see tam_verifier.h for the modes.
 *
 * An attestation result counts only when a trusted verifier key signed it
 * and its cnf names the key that signed the QueryResponse carrying it
 * (draft-ietf-teep-protocol, "Handling an Attestation Result"), so a
 * result obtained by one device cannot be presented by another. Its
 * eat_nonce is returned to the state machine, which accepts it only as an
 * outstanding challenge, once.
 */
#include "tam_verifier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "tam.h"
#include "teep/tk_teep_attest.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

/* Verifier name recorded for the in-process appraisals. */
#define INPROC_NAME "in-process"

struct tam_verifier {
	const struct tk_crypto *crypto;
	/* Keys whose results are trusted: the --verifier-key ones, then the
	 * in-process verifier's own key. */
	struct tk_crypto_key *keys[TAM_MAX_VERIFIER_KEYS];
	struct tk_cose_trusted_key trusted[TAM_MAX_VERIFIER_KEYS + 1];
	size_t n_trusted;
	/* In-process verifier, when --verifier-db is given. */
	struct tk_crypto_key *signing_key;
	struct tk_verifier_sqlite *db;
	struct tk_verifier_store_ops store;
	struct tk_verifier verifier;
	bool inproc;
	/* Output of the last appraisal; the appraisal's views point here. */
	uint8_t ueid[TK_VERIFIER_UEID_MAX];
	uint8_t result[TK_VERIFIER_RESULT_MAX];
	struct tk_eat_claims claims;
};

/* Load one PEM key; private says whether the private part is required. */
static tk_err load_key(const struct tk_crypto *c, const char *path, bool private_part,
		       struct tk_crypto_key **out, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t len = 0;
	tk_err err;

	*out = NULL;
	err = tam_read_file(path, &pem, &len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(c, pem, len, out, diag);
	tam_free_file(pem, len);
	if (err == TK_OK && private_part && !tk_crypto_key_has_private(*out))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s is a public key; the in-process verifier "
			      "signs with a private key", path);
	if (err == TK_OK && !private_part && tk_crypto_key_has_private(*out))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s contains a private key, but a verifier's "
			      "public key (SPKI PEM) is expected", path);
	if (err != TK_OK) {
		tk_crypto_key_free(*out);
		*out = NULL;
	}
	return err;
}

/* First eat_nonce of the result: the top-level one, else a submodule's. */
static tk_err result_nonce(const struct tk_ear *ear, struct tk_span *nonce,
			   struct tk_diag *diag)
{
	bool is_text = ear->nonce_is_text;

	*nonce = ear->nonce;
	for (size_t i = 0; nonce->len == 0 && i < ear->submod_count; i++) {
		*nonce = ear->submods[i].nonce;
		is_text = ear->submods[i].nonce_is_text;
	}
	if (nonce->len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "attestation result has no eat_nonce");
	if (is_text)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "attestation result carries a text "
			       "eat_nonce; the TAM's challenge is bytes");
	return TK_OK;
}

/* UEID of the TEEP claims of the first submodule that has one. */
static tk_err result_ueid(struct tam_verifier *v, const struct tk_ear *ear,
			  struct tk_span *ueid, struct tk_diag *diag)
{
	tk_err err;

	*ueid = TK_SPAN_EMPTY;
	for (size_t i = 0; i < ear->submod_count; i++) {
		struct tk_span teep = ear->submods[i].teep_claims;

		if (teep.len == 0)
			continue;
		err = tk_eat_decode_claims(teep.ptr, teep.len, &v->claims, diag);
		if (err != TK_OK)
			return err;
		if (v->claims.present & TK_EAT_HAS_UEID) {
			*ueid = v->claims.ueid;
			return TK_OK;
		}
	}
	return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "attestation result names no UEID in "
		       "its TEEP claims");
}

/* Turn a verified EAR into an appraisal, after the cnf and expiry checks. */
static tk_err appraisal_from_ear(struct tam_verifier *v, const struct tk_ear *ear,
				 const struct tk_teep_tam_attestation *in,
				 struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	int64_t status = tk_ear_overall_status(ear);
	tk_err err;

	if (ear->cnf_kid.len == 0)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "attestation result has no cnf kid, so "
			       "nothing binds it to the agent's key");
	if (!tk_span_equal(ear->cnf_kid, in->agent_kid))
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "attestation result is bound (cnf) to "
			       "another key than the one that signed the QueryResponse");
	if (ear->has_exp && in->now >= ear->exp)
		return TK_FAIL(diag, TK_ERR_EXPIRED, "attestation result expired at %lld",
			       (long long)ear->exp);
	if ((err = result_nonce(ear, &out->nonce, diag)) != TK_OK ||
	    (err = result_ueid(v, ear, &out->ueid, diag)) != TK_OK)
		return err;

	out->tier = (enum tk_store_tier)status;
	snprintf(out->verifier, sizeof(out->verifier), "%.*s %.*s",
		 (int)ear->verifier_developer.len, (const char *)ear->verifier_developer.ptr,
		 (int)ear->verifier_build.len, (const char *)ear->verifier_build.ptr);
	if (status != TK_EAR_STATUS_AFFIRMING)
		snprintf(out->reason, sizeof(out->reason), "the verifier's status is %s",
			 tk_store_tier_name(out->tier));
	out->result = in->payload;
	out->media_type = in->format;
	return TK_OK;
}

/* Passport model: a result the agent presents. */
static tk_err verify_result(void *ctx, const struct tk_teep_tam_attestation *in,
			    struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct tam_verifier *v = ctx;
	struct tk_ear *ear;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if (v->n_trusted == 0)
		return TK_FAIL(diag, TK_ERR_POLICY, "the agent presented an attestation result, "
			       "but no verifier key is trusted");
	ear = calloc(1, sizeof(*ear));
	if (ear == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "EAR record");
	err = tk_ear_verify_cwt(v->crypto, in->payload.ptr, in->payload.len, v->trusted,
				v->n_trusted, ear, NULL, diag);
	if (err == TK_OK)
		err = appraisal_from_ear(v, ear, in, out, diag);
	free(ear);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

/* Background check in process: the verifier library appraises the evidence. */
static tk_err appraise_inproc(void *ctx, const struct tk_teep_tam_attestation *in,
			      struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct tam_verifier *v = ctx;
	struct tk_verifier_request req = {
		.nonce = in->challenge,
		.evidence = in->payload,
		.cnf_kid = in->agent_kid,
		.format = TK_VERIFIER_EAR_CWT,
	};
	struct tk_verifier_result res;
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = tk_verifier_appraise(&v->verifier, in->now, &req, v->result, sizeof(v->result),
				   &res, diag);
	if (err != TK_OK)
		return err;
	memcpy(v->ueid, res.ueid, res.ueid_len);
	out->tier = (enum tk_store_tier)res.status;
	out->ueid = tk_span_make(v->ueid, res.ueid_len);
	out->result = tk_span_make(v->result, res.ear_len);
	out->media_type = tk_span_make(TK_TEEP_EAR_MEDIA_TYPE, strlen(TK_TEEP_EAR_MEDIA_TYPE));
	snprintf(out->verifier, sizeof(out->verifier), "%s", INPROC_NAME);
	/* The reason is cut to the appraisal's size; the verifier's history
	 * keeps it whole. */
	snprintf(out->reason, sizeof(out->reason), "%.*s", (int)(sizeof(out->reason) - 1),
		 res.reason);
	return TK_OK;
}

static tk_err open_inproc(struct tam_verifier *v, const struct tam_verifier_options *opts,
			  struct tk_diag *diag)
{
	struct tk_verifier_config cfg = {0};
	tk_err err;

	if (opts->signing_key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "--verifier-db needs --verifier-signing-key");
	err = load_key(v->crypto, opts->signing_key, true, &v->signing_key, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_open(opts->db, false, &v->db, &v->store, diag);
	if (err != TK_OK)
		return err;
	cfg.crypto = v->crypto;
	cfg.store = &v->store;
	cfg.signing_key = v->signing_key;
	cfg.developer = "teepkit teep-tam";
	cfg.keep_history = true;
	cfg.log = opts->log;
	if ((err = tk_verifier_init(&v->verifier, &cfg, diag)) != TK_OK)
		return err;
	v->trusted[v->n_trusted++].key = v->signing_key;
	v->inproc = true;
	return TK_OK;
}

tk_err tam_verifier_open(const struct tam_verifier_options *opts, struct tam_verifier **out,
			 struct tk_teep_tam_verifier_ops *ops, struct tk_diag *diag)
{
	struct tam_verifier *v;
	tk_err err = TK_OK;

	*out = NULL;
	memset(ops, 0, sizeof(*ops));
	if (opts->db == NULL && opts->n_keys == 0) {
		if (opts->signing_key != NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "--verifier-signing-key needs "
				       "--verifier-db");
		return TK_OK;
	}
	if (opts->n_keys > TAM_MAX_VERIFIER_KEYS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu verifier keys, at most %d",
			       opts->n_keys, TAM_MAX_VERIFIER_KEYS);
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "verifier state");
	v->crypto = tk_crypto_openssl();
	for (size_t i = 0; err == TK_OK && i < opts->n_keys; i++) {
		err = load_key(v->crypto, opts->keys[i], false, &v->keys[i], diag);
		if (err == TK_OK)
			v->trusted[v->n_trusted++].key = v->keys[i];
	}
	if (err == TK_OK && opts->db != NULL)
		err = open_inproc(v, opts, diag);
	if (err != TK_OK) {
		tam_verifier_free(v);
		return err;
	}

	ops->verify_result = verify_result;
	ops->appraise_evidence = v->inproc ? appraise_inproc : NULL;
	ops->ctx = v;
	*out = v;
	return TK_OK;
}

void tam_verifier_free(struct tam_verifier *v)
{
	if (v == NULL)
		return;
	tk_verifier_sqlite_close(v->db);
	for (size_t i = 0; i < TAM_MAX_VERIFIER_KEYS; i++)
		tk_crypto_key_free(v->keys[i]);
	tk_crypto_key_free(v->signing_key);
	free(v);
}
