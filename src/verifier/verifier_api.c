/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The challenge-response API of teep-verifier, in the shape of Veraison's
 * (a relying party or an agent gets a nonce, then posts evidence that
 * carries it):
 *
 *   POST /challenge-response/v1/newSession
 *        optional body application/json {"nonce": base64 of 32 bytes}: the
 *        session takes that nonce (an agent passing on a TAM's challenge
 *        for a passport result) instead of a random one, even when
 *        another session has the same nonce
 *        201, Location: /challenge-response/v1/session/<32 hex digits>,
 *        application/json {"nonce": base64, "expiry": RFC 3339 time,
 *        "accept": [evidence media types], "status": "waiting"}
 *   POST /challenge-response/v1/session/<id>   body: the evidence, with
 *        Content-Type application/eat+cwt (eat_profile, when present, the
 *        TEEP profile) or application/eat-cwt
 *        200, the EAR: application/eat+cwt by default, application/eat+jwt
 *        when Accept requests it (see choose_format())
 *
 * Failures get application/problem+json (RFC 9457) with type, title,
 * status and detail: 400 malformed evidence or nonce mismatch, 404 unknown
 * session or path, 405 method, 406 Accept, 409 session used, 410 session
 * expired, 413 body too large (by the server), 415 media type, 503 too
 * many sessions, 500 internal. Every session is single use: evidence that
 * reaches the appraisal uses it up whatever the outcome, while a request
 * rejected for its media type or Accept field leaves it unused. A nonce
 * is not unique to a session: the relying party that issued it as its
 * challenge accepts a result carrying it once.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/tk_log_limit.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "verifier_serve.h"

#define NEW_SESSION_PATH VER_API_PREFIX "newSession"
#define SESSION_PATH VER_API_PREFIX "session/"

/* Media types (draft-ietf-rats-eat-media-type; the EAR profile of draft-03). */
#define EVIDENCE_TYPE "application/eat+cwt"
#define EVIDENCE_TYPE_LEGACY "application/eat-cwt"
#define RESULT_CWT "application/eat+cwt; eat_profile=\"" TK_EAR_PROFILE "\""
#define RESULT_JWT "application/eat+jwt; eat_profile=\"" TK_EAR_PROFILE "\""

/* Seconds between purges of expired sessions. */
#define PURGE_INTERVAL 60

/* Length of a media type before its parameters, spaces trimmed. */
static size_t type_length(const char *value, size_t len, const char **start)
{
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	*start = value;
	for (size_t i = 0; i < len; i++) {
		if (value[i] == ';') {
			len = i;
			break;
		}
	}
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	return len;
}

static bool type_is(const char *value, size_t len, const char *type)
{
	const char *start;
	size_t n = type_length(value, len, &start);

	return n == strlen(type) && strncasecmp(start, type, n) == 0;
}

/*
 * True for evidence media types this verifier reads: application/eat+cwt
 * whose eat_profile parameter, when present, is the TEEP profile (quoted
 * or not), and the older application/eat-cwt.
 */
static bool evidence_type_ok(const char *content_type)
{
	const char *param;

	if (content_type == NULL)
		return false;
	if (type_is(content_type, strlen(content_type), EVIDENCE_TYPE_LEGACY))
		return true;
	if (!type_is(content_type, strlen(content_type), EVIDENCE_TYPE))
		return false;
	param = strstr(content_type, "eat_profile=");
	if (param == NULL)
		return true;
	param += strlen("eat_profile=");
	if (*param == '"')
		return strncmp(param + 1, TK_EAT_TEEP_PROFILE "\"",
			       strlen(TK_EAT_TEEP_PROFILE) + 1) == 0;
	return strncmp(param, TK_EAT_TEEP_PROFILE, strlen(TK_EAT_TEEP_PROFILE)) == 0 &&
	       (param[strlen(TK_EAT_TEEP_PROFILE)] == '\0' ||
		param[strlen(TK_EAT_TEEP_PROFILE)] == ';' ||
		param[strlen(TK_EAT_TEEP_PROFILE)] == ' ');
}

/* True when an Accept element has q=0 (RFC 9110 section 12.4.2). */
static bool weight_is_zero(const char *element, size_t len)
{
	const char *end = element + len;
	const char *p = memchr(element, ';', len);

	while (p != NULL && p < end) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			const char *v = p + 2;

			if (v == end || *v != '0')
				return false;
			for (v++; v < end && (*v == '.' || *v == '0'); v++)
				;
			return v == end || *v == ' ' || *v == '\t' || *v == ';';
		}
		p = memchr(p, ';', (size_t)(end - p));
	}
	return false;
}

/*
 * Result format from Accept: absent means the CWT. Otherwise the first
 * element with a weight above 0 that names application/eat+jwt gives the
 * JWT, and one that names application/eat+cwt or a wildcard range
 * ("application/" or "*" with subtype "*") gives the CWT. Returns 0 when neither is acceptable (406).
 */
static enum tk_verifier_format choose_format(const char *accept)
{
	const char *p = accept;

	if (accept == NULL || accept[0] == '\0')
		return TK_VERIFIER_EAR_CWT;
	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (!weight_is_zero(p, len)) {
			if (type_is(p, len, "application/eat+jwt"))
				return TK_VERIFIER_EAR_JWT;
			if (type_is(p, len, "application/eat+cwt") ||
			    type_is(p, len, "application/*") || type_is(p, len, "*/*"))
				return TK_VERIFIER_EAR_CWT;
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

/* Write a JSON value as the response body with its type; 500 when it fails. */
static void respond_json(struct tk_http_api_response *resp, unsigned int status,
			 const char *type, json_t *value)
{
	size_t len = value != NULL ? json_dumpb(value, (char *)resp->body, resp->body_cap,
						JSON_COMPACT) : 0;

	json_decref(value);
	if (len == 0 || len > resp->body_cap) {
		resp->status = 500;
		resp->body_len = 0;
		return;
	}
	resp->status = status;
	resp->body_len = len;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", type);
}

/* A problem details response (RFC 9457). */
static void respond_problem(struct tk_http_api_response *resp, unsigned int status,
			    const char *title, const char *detail)
{
	respond_json(resp, status, "application/problem+json",
		     json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title,
			       "status", (int)status, "detail", detail));
}

/* Characters of a request path kept for a log line (9 hex digits of a session id). */
#define PATH_LOG_MAX 40

/*
 * Copy a peer's text for a log line: at most max characters, others than
 * printable ASCII replaced by '?', so a decoded path cannot break the line.
 */
static void printable(const char *text, size_t max, char *out)
{
	size_t n = 0;

	for (; text[n] != '\0' && n < max; n++)
		out[n] = text[n] >= 0x20 && text[n] < 0x7f ? text[n] : '?';
	out[n] = '\0';
}

/*
 * Reject a request before any session is touched: log it at info, at most
 * TK_LOG_LIMIT_DEFAULT_PER_SECOND lines per second, and respond.
 */
static void reject(struct ver_serve_ctx *sc, int64_t now, const struct tk_http_api_request *req,
		   struct tk_http_api_response *resp, unsigned int status, const char *title,
		   const char *detail)
{
	char method[16 + 1], path[PATH_LOG_MAX + 1];
	uint64_t suppressed = 0;

	if (tk_log_limit_pass(&sc->reject_log_limit, now, TK_LOG_LIMIT_DEFAULT_PER_SECOND,
			      &suppressed)) {
		printable(req->method, sizeof(method) - 1, method);
		printable(req->path, sizeof(path) - 1, path);
		tk_log(sc->log, TK_LOG_INFO, "verifier", "rejected %s %s (%u): %s%s", method, path,
		       status, detail, suppressed > 0 ? " (similar lines were suppressed before it)"
						      : "");
	}
	respond_problem(resp, status, title, detail);
}

/* Standard base64 with padding (RFC 4648 section 4), as Veraison sends nonces. */
static void base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 <= out_cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		v |= i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? in[i + 2] : 0;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Decode standard base64 with padding; false unless it is exactly cap bytes. */
static bool base64_decode_exact(const char *text, uint8_t *out, size_t cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(text), n = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *p = text[i] != '\0' ? strchr(alphabet, text[i]) : NULL;

		if (text[i] == '=' && i + 2 >= len)
			continue;
		if (p == NULL || (i > 0 && text[i - 1] == '='))
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
	return n == cap;
}

/*
 * Read the nonce a newSession request chose ({"nonce": base64}); *chosen
 * is false for an empty body. False when the body is not such JSON.
 */
static bool requested_nonce(const struct tk_http_api_request *req,
			    uint8_t nonce[TK_VERIFIER_NONCE_LEN], bool *chosen)
{
	json_t *root;
	const char *text;
	bool ok;

	*chosen = false;
	if (req->body_len == 0)
		return true;
	root = json_loadb((const char *)req->body, req->body_len, 0, NULL);
	text = json_string_value(json_object_get(root, "nonce"));
	ok = text != NULL && base64_decode_exact(text, nonce, TK_VERIFIER_NONCE_LEN);
	json_decref(root);
	*chosen = ok;
	return ok;
}

static void new_session(struct ver_serve_ctx *sc, int64_t now,
			const struct tk_http_api_request *req, struct tk_http_api_response *resp)
{
	struct tk_verifier_session session;
	uint8_t chosen_nonce[TK_VERIFIER_NONCE_LEN];
	char nonce[2 * TK_VERIFIER_NONCE_LEN + 4], expiry[21];
	char id[2 * TK_VERIFIER_SESSION_ID_LEN + 1];
	struct tk_diag diag;
	bool chosen;
	tk_err err;

	tk_diag_clear(&diag);
	if (!requested_nonce(req, chosen_nonce, &chosen)) {
		reject(sc, now, req, resp, 400, "Bad Request",
		       "newSession body must be {\"nonce\": base64 of 32 bytes} or empty");
		return;
	}
	if (chosen)
		err = tk_verifier_new_session_with_nonce(&sc->verifier, now, chosen_nonce,
							 &session, &diag);
	else
		err = tk_verifier_new_session(&sc->verifier, now, &session, &diag);
	if (err == TK_ERR_LIMIT_COUNT) {
		uint64_t suppressed = 0;

		if (tk_log_limit_pass(&sc->busy_log_limit, now, TK_LOG_LIMIT_DEFAULT_PER_SECOND,
				      &suppressed))
			tk_log(sc->log, TK_LOG_NOTICE, "verifier", "rejected a new session (503): "
			       "%s%s", diag.msg, suppressed > 0 ? " (similar lines were "
			       "suppressed before it)" : "");
		respond_problem(resp, 503, "Service Unavailable", diag.msg);
		return;
	}
	if (err != TK_OK) {
		tk_log(sc->log, TK_LOG_ERROR, "verifier", "cannot start a session: %s", diag.msg);
		respond_problem(resp, 500, "Internal Server Error", "cannot start a session");
		return;
	}
	for (size_t i = 0; i < sizeof(session.id); i++)
		snprintf(id + 2 * i, 3, "%02x", session.id[i]);
	base64_encode(session.nonce, sizeof(session.nonce), nonce, sizeof(nonce));
	ver_time_format(session.expires_at, expiry);
	snprintf(resp->location, sizeof(resp->location), SESSION_PATH "%s", id);
	respond_json(resp, 201, "application/json",
		     json_pack("{s:s, s:s, s:[s, s], s:s}", "nonce", nonce, "expiry", expiry,
			       "accept", EVIDENCE_TYPE "; eat_profile=\"" TK_EAT_TEEP_PROFILE "\"",
			       EVIDENCE_TYPE_LEGACY, "status", "waiting"));
}

/* HTTP status and title of an appraisal that gave no result. */
static unsigned int failure_status(tk_err err, const char **title)
{
	switch (err) {
	case TK_ERR_NOT_FOUND:
		*title = "Not Found";
		return 404;
	case TK_ERR_REPLAY:
		*title = "Conflict";
		return 409;
	case TK_ERR_EXPIRED:
		*title = "Gone";
		return 410;
	case TK_ERR_DB:
	case TK_ERR_IO:
	case TK_ERR_NOMEM:
	case TK_ERR_INTERNAL:
	case TK_ERR_CRYPTO:
	case TK_ERR_UNSUPPORTED:
	case TK_ERR_BUFFER_TOO_SMALL:
		*title = "Internal Server Error";
		return 500;
	default:
		*title = "Bad Request";
		return 400;
	}
}

static void appraise(struct ver_serve_ctx *sc, int64_t now, const char *id_hex,
		     const struct tk_http_api_request *req, struct tk_http_api_response *resp)
{
	struct tk_verifier_request vreq;
	struct tk_verifier_result res;
	char session[2 * 4 + 4];
	const char *title = "";
	struct tk_diag diag;
	unsigned int status;
	size_t id_len = 0;
	tk_err err;

	tk_diag_clear(&diag);
	memset(&vreq, 0, sizeof(vreq));
	if (strlen(id_hex) != 2 * TK_VERIFIER_SESSION_ID_LEN ||
	    ver_hex_parse(id_hex, vreq.session_id, sizeof(vreq.session_id), &id_len,
			  &diag) != TK_OK) {
		reject(sc, now, req, resp, 404, "Not Found", "no such session");
		return;
	}
	if (!evidence_type_ok(req->content_type)) {
		reject(sc, now, req, resp, 415, "Unsupported Media Type", "send the evidence as "
		       EVIDENCE_TYPE "; eat_profile=\"" TK_EAT_TEEP_PROFILE "\"");
		return;
	}
	vreq.format = choose_format(req->accept);
	if (vreq.format == 0) {
		reject(sc, now, req, resp, 406, "Not Acceptable", "results are "
		       "application/eat+cwt or application/eat+jwt");
		return;
	}
	vreq.has_session = true;
	vreq.evidence = tk_span_make(req->body, req->body_len);
	err = tk_verifier_appraise(&sc->verifier, now, &vreq, resp->body, resp->body_cap, &res,
				   &diag);
	if (err == TK_OK) {
		resp->status = 200;
		resp->body_len = res.ear_len;
		snprintf(resp->content_type, sizeof(resp->content_type), "%s",
			 vreq.format == TK_VERIFIER_EAR_JWT ? RESULT_JWT : RESULT_CWT);
		return;
	}
	tk_log_id_prefix(vreq.session_id, sizeof(vreq.session_id), 4, session, sizeof(session));
	status = failure_status(err, &title);
	tk_log(sc->log, status >= 500 ? TK_LOG_ERROR : TK_LOG_NOTICE, "verifier",
	       "session %s: no result (%u): %s: %s", session, status, tk_err_name(err), diag.msg);
	respond_problem(resp, status, title, status >= 500 ? tk_err_text(err) : diag.msg);
}

void ver_api_handle(void *ctx, const struct tk_http_api_request *req,
		    struct tk_http_api_response *resp)
{
	struct ver_serve_ctx *sc = ctx;
	int64_t now = (int64_t)time(NULL);
	const char *rest;

	if (now - sc->last_purge >= PURGE_INTERVAL) {
		struct tk_diag diag;
		uint64_t removed = 0;

		tk_diag_clear(&diag);
		sc->last_purge = now;
		if (tk_verifier_purge(&sc->verifier, now, &removed, &diag) != TK_OK)
			tk_log(sc->log, TK_LOG_WARNING, "verifier", "session purge failed: %s",
			       diag.msg);
	}

	if (strncmp(req->path, VER_AK_PREFIX, strlen(VER_AK_PREFIX)) == 0) {
		ver_ak_enroll_handle(sc, now, req, resp);
		return;
	}
	if (strcmp(req->path, NEW_SESSION_PATH) != 0 &&
	    strncmp(req->path, SESSION_PATH, strlen(SESSION_PATH)) != 0) {
		reject(sc, now, req, resp, 404, "Not Found", "no such resource");
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "POST");
		reject(sc, now, req, resp, 405, "Method Not Allowed", "use POST");
		return;
	}
	if (strcmp(req->path, NEW_SESSION_PATH) == 0) {
		new_session(sc, now, req, resp);
		return;
	}
	rest = req->path + strlen(SESSION_PATH);
	appraise(sc, now, rest, req, resp);
}
