/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AK enrollment API of teep-verifier serve (protocol in
 * verifier/tk_verifier_ak.h), and the show-aks command:
 *
 *   POST /ak-enrollment/v1/new   application/json
 *        {"ek_certificate": base64 DER, "ak_public": base64 TPMT_PUBLIC,
 *         "ueid": base64}
 *        201, Location: /ak-enrollment/v1/<32 hex digits>, application/json
 *        {"id": hex, "credential_blob": base64 TPM2B_ID_OBJECT,
 *         "encrypted_secret": base64 TPM2B_ENCRYPTED_SECRET,
 *         "expiry": RFC 3339 time}
 *   POST /ak-enrollment/v1/<id>  application/json {"secret": base64}
 *        200 {"status": "enrolled", "kid": hex, "ak_name": hex}
 *
 * Failures get application/problem+json: 400 malformed request or an AK
 * that is not a restricted signing key fixed to its TPM, 403 an EK
 * certificate that does not chain to a trusted EK CA, a wrong secret or a
 * UEID bound to an AK of another EK certificate, 404 unknown enrollment, 409 used, 410 expired, 415 not JSON, 503 too
 * many pending, 500 internal. Base64 is standard with padding (RFC 4648
 * section 4), as the challenge-response API's nonce.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "verifier/tk_verifier_ak.h"
#include "verifier_serve.h"

#define NEW_PATH VER_AK_PREFIX "new"

/* Largest decoded field: a DER EK certificate. */
#define FIELD_MAX TK_VERIFIER_CERT_MAX

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char ch)
{
	const char *p = ch != '\0' ? strchr(b64_alphabet, ch) : NULL;

	return p != NULL ? (int)(p - b64_alphabet) : -1;
}

/* Decode padded standard base64; false for bad characters or length. */
static bool b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t len = strlen(in), o = 0;

	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t n = 3;

		for (size_t k = 0; k < 4; k++)
			v[k] = b64_value(in[i + k]);
		if (i + 4 == len && in[i + 3] == '=')
			n = in[i + 2] == '=' ? 1 : 2;
		if (v[0] < 0 || v[1] < 0 || (n >= 2 && v[2] < 0) || (n == 3 && v[3] < 0) ||
		    o + n > cap)
			return false;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (n >= 2)
			out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		if (n == 3)
			out[o++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
	}
	*out_len = o;
	return true;
}

static void b64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 <= out_cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		v |= i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? in[i + 2] : 0;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

static void hex_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static void respond(struct tk_http_api_response *resp, unsigned int status, const char *type,
		    json_t *value)
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

/* Log the failure (rate-limited) and respond with problem details. */
static void fail(struct ver_serve_ctx *sc, int64_t now, struct tk_http_api_response *resp,
		 unsigned int status, const char *title, const char *detail)
{
	uint64_t suppressed = 0;

	if (tk_log_limit_pass(&sc->reject_log_limit, now, TK_LOG_LIMIT_DEFAULT_PER_SECOND,
			      &suppressed))
		tk_log(sc->log, status >= 500 ? TK_LOG_ERROR : TK_LOG_NOTICE, "verifier",
		       "AK enrollment rejected (%u): %s%s", status, detail,
		       suppressed > 0 ? " (similar lines were suppressed before it)" : "");
	respond(resp, status, "application/problem+json",
		json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title,
			  "status", (int)status, "detail", status >= 500 ? title : detail));
}

/* HTTP status and title for an enrollment error. */
static unsigned int status_of(tk_err err, const char **title)
{
	static const struct {
		tk_err err;
		unsigned int status;
		const char *title;
	} map[] = {
		{TK_ERR_UNTRUSTED, 403, "Forbidden"}, {TK_ERR_SIGNATURE, 403, "Forbidden"},
		{TK_ERR_POLICY, 403, "Forbidden"},
		{TK_ERR_NOT_FOUND, 404, "Not Found"}, {TK_ERR_REPLAY, 409, "Conflict"},
		{TK_ERR_EXISTS, 409, "Conflict"},     {TK_ERR_EXPIRED, 410, "Gone"},
		{TK_ERR_LIMIT_COUNT, 503, "Service Unavailable"},
		{TK_ERR_DB, 500, "Internal Server Error"},
		{TK_ERR_CRYPTO, 500, "Internal Server Error"},
		{TK_ERR_UNSUPPORTED, 500, "Internal Server Error"},
		{TK_ERR_INTERNAL, 500, "Internal Server Error"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].err == err) {
			*title = map[i].title;
			return map[i].status;
		}
	}
	*title = "Bad Request";
	return 400;
}

/* A base64 string member of obj, decoded into out (1..cap bytes). */
static bool get_field(json_t *obj, const char *name, uint8_t *out, size_t cap, size_t *len)
{
	const char *text = json_string_value(json_object_get(obj, name));

	return text != NULL && b64_decode(text, out, cap, len) && *len > 0;
}

static void begin(struct ver_serve_ctx *sc, int64_t now, json_t *body,
		  struct tk_http_api_response *resp)
{
	static uint8_t cert[FIELD_MAX]; /* the server runs one handler at a time */
	uint8_t ak[TK_EAT_TPM_PUBLIC_MAX], ueid[TK_VERIFIER_UEID_MAX];
	char id[2 * TK_VERIFIER_AK_ID_LEN + 1], expiry[21];
	char blob[2 * TK_EAT_TPM_ID_OBJECT_MAX], secret[2 * TK_EAT_TPM_ENCRYPTED_SECRET_MAX];
	size_t cert_len = 0, ak_len = 0, ueid_len = 0;
	struct tk_verifier_ak_challenge ch;
	const char *title = "";
	struct tk_diag diag;
	unsigned int status;
	tk_err err;

	if (!get_field(body, "ek_certificate", cert, sizeof(cert), &cert_len) ||
	    !get_field(body, "ak_public", ak, sizeof(ak), &ak_len) ||
	    !get_field(body, "ueid", ueid, sizeof(ueid), &ueid_len)) {
		fail(sc, now, resp, 400, "Bad Request", "ek_certificate, ak_public and ueid must "
		     "be base64 of at most 4096, 256 and 33 bytes");
		return;
	}
	tk_diag_clear(&diag);
	err = tk_verifier_ak_enroll_begin(&sc->verifier, now, tk_span_make(cert, cert_len),
					  tk_span_make(ak, ak_len), tk_span_make(ueid, ueid_len),
					  &ch, &diag);
	if (err != TK_OK) {
		status = status_of(err, &title);
		fail(sc, now, resp, status, title, diag.msg);
		return;
	}
	hex_encode(ch.id, sizeof(ch.id), id);
	b64_encode(ch.credential.id_object, ch.credential.id_object_len, blob, sizeof(blob));
	b64_encode(ch.credential.encrypted_secret, ch.credential.encrypted_secret_len, secret,
		   sizeof(secret));
	ver_time_format(ch.expires_at, expiry);
	snprintf(resp->location, sizeof(resp->location), VER_AK_PREFIX "%s", id);
	tk_log(sc->log, TK_LOG_INFO, "verifier", "AK enrollment %.8s started", id);
	respond(resp, 201, "application/json",
		json_pack("{s:s, s:s, s:s, s:s}", "id", id, "credential_blob", blob,
			  "encrypted_secret", secret, "expiry", expiry));
}

static void finish(struct ver_serve_ctx *sc, int64_t now, const char *id_hex, json_t *body,
		   struct tk_http_api_response *resp)
{
	uint8_t id[TK_VERIFIER_AK_ID_LEN], secret[TK_VERIFIER_AK_SECRET_LEN + 3];
	char kid[2 * TK_VERIFIER_KID_LEN + 1], name[2 * TK_EAT_TPM_AK_NAME_LEN + 1];
	struct tk_verifier_ak_pending enrolled;
	size_t id_len = 0, secret_len = 0;
	const char *title = "";
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	if (strlen(id_hex) != 2 * sizeof(id) ||
	    ver_hex_parse(id_hex, id, sizeof(id), &id_len, &diag) != TK_OK) {
		fail(sc, now, resp, 404, "Not Found", "no such AK enrollment");
		return;
	}
	if (!get_field(body, "secret", secret, sizeof(secret), &secret_len)) {
		fail(sc, now, resp, 400, "Bad Request", "secret must be base64 of 32 bytes");
		return;
	}
	err = tk_verifier_ak_enroll_finish(&sc->verifier, now, id,
					   tk_span_make(secret, secret_len), &enrolled, &diag);
	tk_wipe(secret, sizeof(secret));
	if (err != TK_OK) {
		unsigned int status = status_of(err, &title);

		fail(sc, now, resp, status, title, diag.msg);
		return;
	}
	hex_encode(enrolled.key.kid, sizeof(enrolled.key.kid), kid);
	hex_encode(enrolled.ak_name, sizeof(enrolled.ak_name), name);
	tk_log(sc->log, TK_LOG_NOTICE, "verifier", "AK enrollment %.8s: AK kid %.16s enrolled",
	       id_hex, kid);
	respond(resp, 200, "application/json",
		json_pack("{s:s, s:s, s:s}", "status", "enrolled", "kid", kid, "ak_name", name));
}

void ver_ak_enroll_handle(struct ver_serve_ctx *sc, int64_t now,
			  const struct tk_http_api_request *req,
			  struct tk_http_api_response *resp)
{
	const char *type = req->content_type;
	json_error_t error;
	json_t *body;

	if (strcmp(req->method, "POST") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "POST");
		fail(sc, now, resp, 405, "Method Not Allowed", "use POST");
		return;
	}
	if (type == NULL || strncmp(type, "application/json", strlen("application/json")) != 0) {
		fail(sc, now, resp, 415, "Unsupported Media Type", "send application/json");
		return;
	}
	body = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES,
			  &error);
	if (!json_is_object(body)) {
		json_decref(body);
		fail(sc, now, resp, 400, "Bad Request", "the body is not a JSON object");
		return;
	}
	if (strcmp(req->path, NEW_PATH) == 0)
		begin(sc, now, body, resp);
	else
		finish(sc, now, req->path + strlen(VER_AK_PREFIX), body, resp);
	json_decref(body);
}

/* show-aks */

static tk_err show_ak(void *ctx, const struct tk_verifier_ak_row *row)
{
	char when[21];

	(void)ctx;
	ver_time_format(row->enrolled_at, when);
	printf("ak: ");
	ver_hex_print(stdout, row->kid);
	printf(" enrolled %s\n  name: ", when);
	ver_hex_print(stdout, row->ak_name);
	printf("\n  ueid: ");
	ver_hex_print(stdout, row->ueid);
	printf("\n  ek-certificate-sha256: ");
	ver_hex_print(stdout, row->ek_cert_digest);
	printf("\n");
	return TK_OK;
}

int ver_show_aks(const struct ver_command *cmd, const struct ver_args *args)
{
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	struct tk_diag diag;
	int rc;

	rc = ver_open_db(ver_get(cmd, args, "db"), false, &db, &ops);
	if (rc != VER_EXIT_OK)
		return rc;
	tk_diag_clear(&diag);
	if (tk_verifier_sqlite_ak_each(db, show_ak, NULL, &diag) != TK_OK)
		rc = ver_fail("cannot list the enrolled AKs", ver_get(cmd, args, "db"), &diag);
	tk_verifier_sqlite_close(db);
	return rc;
}
