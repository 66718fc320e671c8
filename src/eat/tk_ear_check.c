/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The relying party's check of an attestation result (the TEEP draft,
 * "Handling an Attestation Result"): a trusted verifier signed it, it is
 * fresh, it binds the TEEP Agent's key, and it affirms the TA the relying
 * party cares about. Each failed check is a reason in the decision, so a
 * caller can tell a user every cause at once.
 */
#include "eat/tk_ear_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eat/tk_ear_json_impl.h"

static void add_reason(struct tk_ear_decision *d, tk_err code, const char *fmt, ...)
	TK_PRINTF(3, 4);

static void add_reason(struct tk_ear_decision *d, tk_err code, const char *fmt, ...)
{
	va_list ap;

	if (d->reason_count >= TK_EAR_MAX_REASONS) {
		d->reasons_dropped++;
		return;
	}
	d->reasons[d->reason_count].code = code;
	va_start(ap, fmt);
	vsnprintf(d->reasons[d->reason_count].text, TK_DIAG_MSG_MAX, fmt, ap);
	va_end(ap);
	d->reason_count++;
}

/* True when nonce (bytes, or base64url text) equals expected. */
static bool nonce_matches(struct tk_span nonce, bool is_text, struct tk_span expected)
{
	char text[2 * TK_EAT_NONCE_MAX];
	size_t text_len = 0;

	if (!is_text)
		return nonce.len == expected.len &&
		       tk_ct_equal(nonce.ptr, expected.ptr, expected.len);
	if (tk_ear_b64url_encode(expected.ptr, expected.len, text, sizeof(text), &text_len,
				 NULL) != TK_OK)
		return false;
	return nonce.len == text_len && tk_ct_equal(nonce.ptr, text, text_len);
}

static void check_nonce(const struct tk_ear *ear, struct tk_span expected,
			struct tk_ear_decision *d)
{
	bool found = false;

	if (ear->nonce.len > 0 && nonce_matches(ear->nonce, ear->nonce_is_text, expected))
		return;
	found = ear->nonce.len > 0;
	for (size_t i = 0; i < ear->submod_count; i++) {
		const struct tk_ear_appraisal *a = &ear->submods[i];

		if (a->nonce.len > 0 && nonce_matches(a->nonce, a->nonce_is_text, expected))
			return;
		found = found || a->nonce.len > 0;
	}
	add_reason(d, TK_ERR_NONCE, found ? "eat_nonce differs from the expected nonce"
					   : "no eat_nonce, a nonce was expected");
}

/* Match level of one TEEP Claims-Set against an expected value (higher is better). */
enum teep_match {
	TEEP_ABSENT = 0,  /* no claim that could carry the value */
	TEEP_DIFFERS = 1, /* the claim is there with another value */
	TEEP_MATCHES = 2,
};

typedef enum teep_match (*teep_matcher)(const struct tk_eat_claims *c, struct tk_span want);

/*
 * Decode the TEEP claims of every submodule and return the best match of
 * want among them. Claims that do not decode add a reason.
 */
static enum teep_match match_teep(const struct tk_ear *ear, teep_matcher match,
				  struct tk_span want, struct tk_ear_decision *d)
{
	struct tk_eat_claims *c = malloc(sizeof(*c));
	enum teep_match best = TEEP_ABSENT;

	if (c == NULL) {
		add_reason(d, TK_ERR_NOMEM, "no memory to read the TEEP claims");
		return TEEP_ABSENT;
	}
	for (size_t i = 0; best != TEEP_MATCHES && i < ear->submod_count; i++) {
		struct tk_span teep = ear->submods[i].teep_claims;
		struct tk_diag diag;
		enum teep_match m;

		if (teep.len == 0)
			continue;
		tk_diag_clear(&diag);
		if (tk_eat_decode_claims(teep.ptr, teep.len, c, &diag) != TK_OK) {
			add_reason(d, diag.code, "submodule %.*s: TEEP claims invalid: %s",
				   (int)ear->submods[i].name.len,
				   (const char *)ear->submods[i].name.ptr, diag.msg);
			continue;
		}
		m = match(c, want);
		best = m > best ? m : best;
	}
	free(c);
	return best;
}

/* The SHA-256 TA digest in one TEEP Claims-Set: measurements or manifests. */
static enum teep_match teep_lists_digest(const struct tk_eat_claims *c, struct tk_span digest)
{
	for (size_t i = 0; i < c->measurement_count; i++) {
		struct tk_eat_measured_component mc;

		if (tk_eat_decode_measured_component(&c->measurements[i], &mc, NULL) == TK_OK &&
		    mc.digest_alg == TK_EAT_DIGEST_SHA256 && tk_span_equal(mc.digest, digest))
			return TEEP_MATCHES;
	}
	for (size_t i = 0; i < c->manifest_count; i++) {
		struct tk_eat_suit_reference ref;

		if (tk_eat_decode_suit_reference(&c->manifests[i], &ref, NULL) == TK_OK &&
		    ref.digest_alg == TK_EAT_DIGEST_SHA256 && tk_span_equal(ref.digest, digest))
			return TEEP_MATCHES;
	}
	return TEEP_ABSENT;
}

static void check_ta_digest(const struct tk_ear *ear, struct tk_span digest,
			    struct tk_ear_decision *d)
{
	if (match_teep(ear, teep_lists_digest, digest, d) != TEEP_MATCHES)
		add_reason(d, TK_ERR_DIGEST_MISMATCH,
			   "the expected TA digest is in no measurements or manifests claim");
}

/* The teepkit-encryption-kid claim of one TEEP Claims-Set against kid. */
static enum teep_match teep_names_encryption_kid(const struct tk_eat_claims *c,
						 struct tk_span kid)
{
	if ((c->present & TK_EAT_HAS_ENCRYPTION_KID) == 0)
		return TEEP_ABSENT;
	if (c->encryption_kid.len == kid.len &&
	    tk_ct_equal(c->encryption_kid.ptr, kid.ptr, kid.len))
		return TEEP_MATCHES;
	return TEEP_DIFFERS;
}

static void check_encryption_kid(const struct tk_ear *ear, struct tk_span kid,
				 struct tk_ear_decision *d)
{
	enum teep_match m = match_teep(ear, teep_names_encryption_kid, kid, d);

	if (m == TEEP_ABSENT)
		add_reason(d, TK_ERR_UNTRUSTED, "no teepkit-encryption-kid claim names the "
			   "TEE's encryption key, an encryption key was expected");
	else if (m == TEEP_DIFFERS)
		add_reason(d, TK_ERR_UNTRUSTED, "teepkit-encryption-kid names another "
			   "encryption key than the expected one");
}

static void check_cnf(const struct tk_crypto *c, const struct tk_ear *ear,
		      struct tk_span thumbprint, struct tk_ear_decision *d)
{
	uint8_t computed[TK_CRYPTO_SHA256_LEN];
	struct tk_span named = ear->cnf_kid;
	struct tk_cose_key key;

	if (named.len == 0 && ear->cnf_key.len == 0) {
		add_reason(d, TK_ERR_UNTRUSTED, "no cnf claim binds the result to a key");
		return;
	}
	if (named.len == 0) {
		if (tk_cose_key_decode(ear->cnf_key.ptr, ear->cnf_key.len, &key, NULL) != TK_OK ||
		    tk_cose_key_thumbprint(c, &key, computed, NULL) != TK_OK) {
			add_reason(d, TK_ERR_KEY, "cnf COSE_Key is not a usable key");
			return;
		}
		named = tk_span_make(computed, sizeof(computed));
	}
	if (named.len != thumbprint.len || !tk_ct_equal(named.ptr, thumbprint.ptr, named.len))
		add_reason(d, TK_ERR_UNTRUSTED, "cnf names another key than the expected one");
}

static void check_status(const struct tk_ear *ear, struct tk_ear_decision *d)
{
	d->status = tk_ear_overall_status(ear);
	if (d->status == TK_EAR_STATUS_AFFIRMING)
		return;
	for (size_t i = 0; i < ear->submod_count; i++) {
		const struct tk_ear_appraisal *a = &ear->submods[i];

		if (a->status != TK_EAR_STATUS_AFFIRMING)
			add_reason(d, TK_ERR_POLICY, "submodule %.*s: status %s",
				   (int)a->name.len, (const char *)a->name.ptr,
				   tk_ear_status_name(a->status));
	}
	if (ear->has_status && ear->status != TK_EAR_STATUS_AFFIRMING)
		add_reason(d, TK_ERR_POLICY, "status %s", tk_ear_status_name(ear->status));
}

/* Verify and decode either form into *ear; a JWT is transcoded into cbor. */
static tk_err verify_any(const struct tk_crypto *c, const uint8_t *buf, size_t len,
			 const struct tk_crypto_key *key, uint8_t *cbor, struct tk_ear *ear,
			 struct tk_diag *diag)
{
	struct tk_cose_trusted_key trusted = {.key = key};

	if (len >= 2 && buf[0] == 'e' && buf[1] == 'y') {
		/* A JWT: trailing white space (a file's newline) is not part of it. */
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
				   buf[len - 1] == ' '))
			len--;
		return tk_ear_verify_jwt(c, (const char *)buf, len, &key, 1, cbor,
					 TK_EAR_MAX_SIZE, ear, NULL, diag);
	}
	return tk_ear_verify_cwt(c, buf, len, &trusted, 1, ear, NULL, diag);
}

static void run_checks(const struct tk_crypto *c, const struct tk_ear *ear,
		       const struct tk_ear_expect *expect, struct tk_ear_decision *d)
{
	check_status(ear, d);
	if (expect->nonce.len > 0)
		check_nonce(ear, expect->nonce, d);
	if (expect->ta_digest.len > 0)
		check_ta_digest(ear, expect->ta_digest, d);
	if (expect->key_thumbprint.len > 0)
		check_cnf(c, ear, expect->key_thumbprint, d);
	if (expect->encryption_kid.len > 0)
		check_encryption_kid(ear, expect->encryption_kid, d);
	if (expect->now > 0 && ear->has_exp && ear->exp <= expect->now)
		add_reason(d, TK_ERR_EXPIRED, "result expired at %lld, now is %lld",
			   (long long)ear->exp, (long long)expect->now);
}

tk_err tk_ear_check(const struct tk_crypto *c, const uint8_t *buf, size_t len,
		    const struct tk_ear_expect *expect, struct tk_ear_decision *decision,
		    struct tk_diag *diag)
{
	struct tk_ear *ear = NULL;
	uint8_t *cbor = NULL;
	struct tk_diag inner;
	tk_err err;

	if (decision == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "decision output is NULL");
	memset(decision, 0, sizeof(*decision));
	decision->status = TK_EAR_STATUS_NONE;
	if (buf == NULL || expect == NULL || expect->verifier_key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "result, expectations or verifier key missing");

	ear = malloc(sizeof(*ear));
	cbor = malloc(TK_EAR_MAX_SIZE);
	tk_diag_clear(&inner);
	if (ear == NULL || cbor == NULL)
		err = TK_FAIL(&inner, TK_ERR_NOMEM, "no memory to decode the result");
	else
		err = verify_any(c, buf, len, expect->verifier_key, cbor, ear, &inner);

	if (err != TK_OK) {
		add_reason(decision, err, "%s", inner.msg);
	} else {
		decision->verified = true;
		run_checks(c, ear, expect, decision);
		decision->affirming = decision->reason_count == 0;
	}
	free(ear);
	free(cbor);

	if (decision->affirming)
		return TK_OK;
	return TK_FAIL(diag, decision->reasons[0].code, "attestation result not accepted: %s",
		       decision->reasons[0].text);
}
