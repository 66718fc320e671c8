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

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "http/tk_http_request.h"
#include "tam.h"
#include "teep/tk_teep_attest.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

/* Verifier name recorded for the in-process appraisals. */
#define INPROC_NAME "in-process"

/*
 * Time limits of one call to teep-verifier, in milliseconds. teep-tam
 * serves every agent from one polling thread, so a verifier that does not
 * respond stalls all sessions for this long. The HTTP client's 30 s default
 * is far above what one appraisal costs (a few ms). The call fails closed.
 */
#define VERIFIER_TIMEOUT_MS 5000L
#define VERIFIER_CONNECT_TIMEOUT_MS 2000L

/* Bytes of a problem detail (RFC 9457) the verifier gave that a reason keeps:
   the rest of the reason, "the verifier refused the evidence (STATUS): ", fits 64. */
#define PROBLEM_DETAIL_SHOWN (TK_TEEP_TAM_REASON_CAP - 64)

/* Paths of teep-verifier's challenge-response API under --verifier URI. */
#define NEW_SESSION_PATH "/challenge-response/v1/newSession"

/* Media type of the evidence posted to the verifier (the TEEP EAT profile). */
#define EVIDENCE_MEDIA_TYPE "application/eat+cwt; eat_profile=\"" TK_EAT_TEEP_PROFILE "\""

/*
 * Maximum verifier sessions the TAM remembers, one per QueryRequest
 * awaiting its QueryResponse. When all are taken, the one that expires
 * first is forgotten, and its QueryResponse is dropped with
 * TK_ERR_NONCE. Each takes about 2.1 KiB.
 */
#define MAX_PENDING 1024

/* Largest JSON body of newSession, in bytes. */
#define SESSION_JSON_MAX 4096

/* A verifier session opened for a challenge. */
struct pending {
	uint8_t nonce[TK_EAT_NONCE_MAX];
	size_t nonce_len;                        /* 0: free slot */
	char url[TK_HTTP_CLIENT_MAX_URI + 1];    /* where the evidence goes */
	int64_t expires_at;
};

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
	/* Verifier over HTTP, when --verifier is given. */
	char origin[TK_HTTP_CLIENT_MAX_URI + 1]; /* scheme://host[:port] */
	char base[TK_HTTP_CLIENT_MAX_URI + 1];   /* --verifier without a final '/' */
	struct pending *pending;                 /* MAX_PENDING slots */
	int64_t lifetime;
	const struct tk_log *log;
	/* Output of the last appraisal; the appraisal's views point here. */
	uint8_t ueid[TK_VERIFIER_UEID_MAX];
	uint8_t result[TK_VERIFIER_RESULT_MAX];
	struct tk_eat_claims claims;
};

/* Load one PEM key; private_part is true when the key must have its private part. */
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

/*
 * A result of the TAM's own verifier session that names no key: the
 * verifier did not recognize the key that signed the evidence, so nothing
 * binds the result to the agent. That is status none, a refusal, whatever
 * status the result gives; the UEID is left to the TAM.
 */
static tk_err unbound_refusal(const struct tk_ear *ear, struct tk_span result,
			      struct tk_span media_type, struct tk_teep_tam_appraisal *out,
			      struct tk_diag *diag)
{
	const struct tk_ear_appraisal *sub = ear->submod_count > 0 ? &ear->submods[0] : NULL;
	tk_err err = result_nonce(ear, &out->nonce, diag);

	if (err != TK_OK)
		return err;
	out->tier = TK_STORE_TIER_NONE;
	snprintf(out->verifier, sizeof(out->verifier), "%.*s %.*s",
		 (int)ear->verifier_developer.len, (const char *)ear->verifier_developer.ptr,
		 (int)ear->verifier_build.len, (const char *)ear->verifier_build.ptr);
	if (sub != NULL && (sub->tv_present & 1u) != 0)
		snprintf(out->reason, sizeof(out->reason), "the verifier's result names no key "
			 "(instance-identity %d)", sub->tv[0]);
	else
		snprintf(out->reason, sizeof(out->reason), "the verifier's result names no key");
	out->result = result;
	out->media_type = media_type;
	return TK_OK;
}

/*
 * Turn a verified EAR into an appraisal, after the cnf and expiry checks.
 * result and media_type are what the appraisal records. own_session is
 * true when the result belongs to the TAM's own verifier session
 * (background check), so a result that names no key is a refusal rather
 * than a drop.
 */
static tk_err appraisal_from_ear(struct tam_verifier *v, const struct tk_ear *ear,
				 const struct tk_teep_tam_attestation *in, bool own_session,
				 struct tk_span result, struct tk_span media_type,
				 struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	int64_t status = tk_ear_overall_status(ear);
	tk_err err;

	if (ear->cnf_kid.len == 0 && ear->cnf_key.len == 0 && own_session)
		return unbound_refusal(ear, result, media_type, out, diag);
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
	out->result = result;
	out->media_type = media_type;
	return TK_OK;
}

/* Verify a signed result with the trusted verifier keys and appraise it. */
static tk_err check_result(struct tam_verifier *v, const struct tk_teep_tam_attestation *in,
			   bool own_session, struct tk_span result, struct tk_span media_type,
			   struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct tk_ear *ear;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if (v->n_trusted == 0)
		return TK_FAIL(diag, TK_ERR_POLICY, "an attestation result arrived, but no "
			       "verifier key is trusted");
	ear = calloc(1, sizeof(*ear));
	if (ear == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "EAR record");
	err = tk_ear_verify_cwt(v->crypto, result.ptr, result.len, v->trusted, v->n_trusted,
				ear, NULL, diag);
	if (err == TK_OK)
		err = appraisal_from_ear(v, ear, in, own_session, result, media_type, out, diag);
	free(ear);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

/* Passport model: a result the agent presents. */
static tk_err verify_result(void *ctx, const struct tk_teep_tam_attestation *in,
			    struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	return check_result(ctx, in, false, in->payload, in->format, out, diag);
}

/* Decode standard base64 with padding (RFC 4648 section 4), as Veraison sends nonces. */
static bool base64_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	size_t len = strlen(text), n = 0, pad = 0;
	int bits = 0;

	if (len == 0 || len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(alphabet, text[i]);

		if (text[i] == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (text[i] == '\0' || p == NULL || pad > 0)
			return false;
		acc = acc << 6 | (uint32_t)(p - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return false;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	*out_len = n;
	return true;
}

/*
 * The slot to use for a new session: a free or expired one, else the
 * first to expire. Slots expire unused when the agent presents a passport
 * result instead of evidence.
 */
static struct pending *pending_slot(struct tam_verifier *v, int64_t now)
{
	struct pending *oldest = &v->pending[0];

	for (size_t i = 0; i < MAX_PENDING; i++) {
		if (v->pending[i].nonce_len == 0 || v->pending[i].expires_at <= now)
			return &v->pending[i];
		if (v->pending[i].expires_at < oldest->expires_at)
			oldest = &v->pending[i];
	}
	tk_log(v->log, TK_LOG_WARNING, "tam", "%d verifier sessions outstanding; the oldest "
	       "is forgotten", MAX_PENDING);
	return oldest;
}

/*
 * Absolute URL of the session from its Location header: a path on the
 * verifier's origin. Another origin is refused, so the verifier cannot
 * send the TAM's evidence elsewhere.
 */
static tk_err session_url(const struct tam_verifier *v, const char *location, char *out,
			  size_t cap, struct tk_diag *diag)
{
	size_t origin_len = strlen(v->origin);

	if (strncmp(location, v->origin, origin_len) == 0 && location[origin_len] == '/')
		location += origin_len;
	if (location[0] != '/')
		return TK_FAIL(diag, TK_ERR_PROTOCOL, "verifier session Location \"%.64s\" is "
			       "not on the verifier's origin", location);
	if ((size_t)snprintf(out, cap, "%s%s", v->origin, location) >= cap)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "verifier session URL too long");
	return TK_OK;
}

/* Read the nonce of a newSession response body: {"nonce": base64, ...}. */
static tk_err session_nonce(const uint8_t *body, size_t len, struct pending *p,
			    struct tk_diag *diag)
{
	json_error_t error;
	json_t *root = json_loadb((const char *)body, len, 0, &error);
	const char *value = json_string_value(json_object_get(root, "nonce"));
	tk_err err = TK_OK;

	if (root == NULL)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "verifier session is not JSON: %s",
			      error.text);
	else if (value == NULL)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "verifier session has no nonce");
	else if (!base64_decode(value, p->nonce, sizeof(p->nonce), &p->nonce_len) ||
		 p->nonce_len < TK_EAT_NONCE_MIN)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_VALUE, "verifier nonce is not base64 of "
			      "%d..%d bytes", TK_EAT_NONCE_MIN, TK_EAT_NONCE_MAX);
	if (err != TK_OK)
		p->nonce_len = 0;
	json_decref(root);
	return err;
}

/* Open a verifier session; its nonce is the QueryRequest's challenge. */
/*
 * Name the verifier, by its redacted base URI, in the diag of a failed
 * exchange; the cause keeps its code and place. A long URI is cut.
 */
static tk_err name_verifier(const struct tam_verifier *v, tk_err err, struct tk_diag *diag)
{
	struct tk_diag cause;
	char shown[TK_HTTP_CLIENT_SHOWN_URI_CAP];

	if (err == TK_OK || diag == NULL || diag->code == TK_OK)
		return err;
	cause = *diag;
	tk_http_uri_redact(v->base, shown);
	tk_diag_clear(diag);
	(void)tk_diag_set(diag, cause.code, cause.offset, cause.file, cause.line,
			  "%s (teep-verifier %s)", cause.msg, shown);
	return err;
}

static tk_err new_challenge_http(void *ctx, int64_t now, uint8_t *out, size_t cap,
				 size_t *out_len, struct tk_diag *diag)
{
	struct tam_verifier *v = ctx;
	struct tk_http_client_config http = {.log = v->log,
					     .timeout_ms = VERIFIER_TIMEOUT_MS,
					     .connect_timeout_ms = VERIFIER_CONNECT_TIMEOUT_MS};
	struct tk_http_request req = {.accept = "application/json"};
	struct tk_http_response resp;
	uint8_t body[SESSION_JSON_MAX];
	char uri[sizeof(v->base) + sizeof(NEW_SESSION_PATH)];
	struct pending p = {0}, *slot;
	tk_err err;

	*out_len = 0;
	snprintf(uri, sizeof(uri), "%s%s", v->base, NEW_SESSION_PATH);
	req.uri = uri;
	err = tk_http_request_post(&http, &req, body, sizeof(body), &resp, diag);
	if (err == TK_OK && resp.status != 201)
		err = TK_FAIL(diag, TK_ERR_HTTP_STATUS, "verifier newSession answered %ld",
			      resp.status);
	if (err == TK_OK)
		err = session_nonce(body, resp.body_len, &p, diag);
	if (err == TK_OK)
		err = session_url(v, resp.location, p.url, sizeof(p.url), diag);
	if (err == TK_OK && p.nonce_len > cap)
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "nonce of %zu bytes", p.nonce_len);
	if (err != TK_OK)
		return name_verifier(v, err, diag);
	p.expires_at = now + v->lifetime;
	slot = pending_slot(v, now);
	*slot = p;
	memcpy(out, p.nonce, p.nonce_len);
	*out_len = p.nonce_len;
	return TK_OK;
}

/* Take the session opened for challenge; TK_ERR_NONCE when there is none. */
static tk_err take_pending(struct tam_verifier *v, struct tk_span challenge,
			   struct pending *out, struct tk_diag *diag)
{
	for (size_t i = 0; i < MAX_PENDING; i++) {
		struct pending *p = &v->pending[i];

		if (p->nonce_len == 0 ||
		    !tk_span_equal(tk_span_make(p->nonce, p->nonce_len), challenge))
			continue;
		*out = *p;
		memset(p, 0, sizeof(*p));
		return TK_OK;
	}
	return TK_FAIL(diag, TK_ERR_NONCE, "no verifier session was opened for this challenge");
}

/* Map a failure status of the verifier to the TAM's error. */
static tk_err verifier_status(const struct tk_http_response *resp, struct tk_diag *diag)
{
	switch (resp->status) {
	case 400:
	case 415:
		return TK_FAIL(diag, TK_ERR_POLICY, "verifier rejected the evidence (%ld)",
			       resp->status);
	case 404:
	case 409:
		return TK_FAIL(diag, TK_ERR_REPLAY, "verifier session unknown or used (%ld)",
			       resp->status);
	case 410:
		return TK_FAIL(diag, TK_ERR_EXPIRED, "verifier session expired");
	default:
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS, "verifier answered %ld", resp->status);
	}
}

/*
 * The verifier returned 400 or 415 because it rejects this evidence (an
 * unknown key, evidence it cannot parse). That is status none, so the TAM
 * replies with err-code 7 and records it. The reason is the problem detail
 * (RFC 9457) that the verifier returned. The UEID is left to the TAM.
 */
static void appraise_refusal(const struct tam_verifier *v, const struct tk_http_response *resp,
			     struct tk_teep_tam_appraisal *out)
{
	json_t *root = json_loadb((const char *)v->result, resp->body_len, 0, NULL);
	const char *detail = json_string_value(json_object_get(root, "detail"));
	char shown[PROBLEM_DETAIL_SHOWN + 1] = "no detail given";
	size_t n = 0;

	/* Peer text: cut to a bound, anything but printable ASCII shown as '?'. */
	for (; detail != NULL && detail[n] != '\0' && n < PROBLEM_DETAIL_SHOWN; n++)
		shown[n] = detail[n] >= 0x20 && detail[n] < 0x7f ? detail[n] : '?';
	if (detail != NULL)
		shown[n] = '\0';
	memset(out, 0, sizeof(*out));
	out->tier = TK_STORE_TIER_NONE;
	snprintf(out->verifier, sizeof(out->verifier), "%.*s", (int)(sizeof(out->verifier) - 1),
		 v->origin);
	snprintf(out->reason, sizeof(out->reason), "the verifier refused the evidence (%ld): %s",
		 resp->status, shown);
	json_decref(root);
}

/* Background check over HTTP: post the evidence to the challenge's session. */
static tk_err appraise_http(void *ctx, const struct tk_teep_tam_attestation *in,
			    struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct tam_verifier *v = ctx;
	struct tk_http_client_config http = {.log = v->log,
					     .timeout_ms = VERIFIER_TIMEOUT_MS,
					     .connect_timeout_ms = VERIFIER_CONNECT_TIMEOUT_MS};
	struct tk_http_request req = {
		.content_type = EVIDENCE_MEDIA_TYPE,
		.accept = TK_TEEP_EAR_MEDIA_TYPE,
		.body = in->payload.ptr,
		.body_len = in->payload.len,
	};
	struct tk_http_response resp;
	struct pending p;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if ((err = take_pending(v, in->challenge, &p, diag)) != TK_OK)
		return err;
	if (in->now >= p.expires_at)
		return TK_FAIL(diag, TK_ERR_EXPIRED, "the verifier session of this challenge "
			       "expired");
	req.uri = p.url;
	err = tk_http_request_post(&http, &req, v->result, sizeof(v->result), &resp, diag);
	if (err != TK_OK)
		return name_verifier(v, err, diag);
	if (err == TK_OK && (resp.status == 400 || resp.status == 415)) {
		appraise_refusal(v, &resp, out);
		return TK_OK;
	}
	if (err == TK_OK && resp.status != 200)
		err = verifier_status(&resp, diag);
	if (err == TK_OK)
		err = check_result(v, in, true, tk_span_make(v->result, resp.body_len),
				   tk_span_make(TK_TEEP_EAR_MEDIA_TYPE,
						strlen(TK_TEEP_EAR_MEDIA_TYPE)), out, diag);
	/* The result must carry this challenge, not an older session's. */
	if (err == TK_OK && !tk_span_equal(out->nonce, in->challenge))
		err = TK_FAIL(diag, TK_ERR_NONCE, "the verifier's result carries another nonce");
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

/* Keep the origin and base of --verifier URI. */
static tk_err open_http(struct tam_verifier *v, const struct tam_verifier_options *opts,
			struct tk_diag *diag)
{
	const char *host, *path;
	size_t len = strlen(opts->uri);

	if (strncmp(opts->uri, "http://", 7) != 0 && strncmp(opts->uri, "https://", 8) != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "--verifier %s is not an http or https URI",
			       opts->uri);
	if (len > TK_HTTP_CLIENT_MAX_URI - 64)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "--verifier URI too long");
	if (v->n_trusted == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "--verifier needs --verifier-key to check the "
			       "verifier's results");
	host = strstr(opts->uri, "://") + 3;
	path = strchr(host, '/');
	snprintf(v->origin, sizeof(v->origin), "%.*s",
		 (int)(path != NULL ? (size_t)(path - opts->uri) : len), opts->uri);
	while (len > 0 && opts->uri[len - 1] == '/')
		len--;
	snprintf(v->base, sizeof(v->base), "%.*s", (int)len, opts->uri);
	v->pending = calloc(MAX_PENDING, sizeof(*v->pending));
	if (v->pending == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "verifier sessions");
	v->lifetime = opts->lifetime > 0 ? opts->lifetime : TK_TEEP_TAM_DEFAULT_LIFETIME;
	return TK_OK;
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
	if (opts->uri != NULL && opts->db != NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "give --verifier or --verifier-db, not both");
	if (opts->uri == NULL && opts->db == NULL && opts->n_keys == 0) {
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
	v->log = opts->log;
	for (size_t i = 0; err == TK_OK && i < opts->n_keys; i++) {
		err = load_key(v->crypto, opts->keys[i], false, &v->keys[i], diag);
		if (err == TK_OK)
			v->trusted[v->n_trusted++].key = v->keys[i];
	}
	if (err == TK_OK && opts->db != NULL)
		err = open_inproc(v, opts, diag);
	if (err == TK_OK && opts->uri != NULL)
		err = open_http(v, opts, diag);
	if (err != TK_OK) {
		tam_verifier_free(v);
		return err;
	}

	ops->verify_result = verify_result;
	ops->appraise_evidence = v->inproc ? appraise_inproc : NULL;
	if (opts->uri != NULL) {
		ops->new_challenge = new_challenge_http;
		ops->appraise_evidence = appraise_http;
	}
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
	free(v->pending);
	free(v);
}
