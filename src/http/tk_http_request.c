/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A POST with the caller's media types, on libcurl; see tk_http_request.h.
 * The body is collected into the caller's buffer and the two headers a
 * challenge-response API needs (Content-Type, Location) into the
 * response record, so nothing here allocates beyond libcurl's handle.
 */
#include "http/tk_http_request.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Bounded body sink. */
struct body_sink {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

/* Header sink: keeps Content-Type and Location of the last response. */
struct header_sink {
	struct tk_http_response *resp;
	bool overflow;
};

static size_t write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct body_sink *s = userdata;
	size_t n = size * nmemb;

	if (n > s->cap - s->len) {
		s->overflow = true;
		return 0;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

/* Copy a header's value (trimmed) when its name matches. */
static void keep_header(const char *line, size_t len, const char *name, char *out,
			bool *overflow)
{
	size_t name_len = strlen(name);
	size_t start, end;

	if (len <= name_len || strncasecmp(line, name, name_len) != 0 || line[name_len] != ':')
		return;
	start = name_len + 1;
	end = len;
	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
			       line[end - 1] == ' '))
		end--;
	if (end - start >= TK_HTTP_HEADER_VALUE_CAP) {
		*overflow = true;
		return;
	}
	memcpy(out, line + start, end - start);
	out[end - start] = '\0';
}

static size_t write_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct header_sink *s = userdata;
	size_t n = size * nmemb;

	/* A status line starts a new response (after a 100 Continue). */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		s->resp->content_type[0] = '\0';
		s->resp->location[0] = '\0';
	}
	keep_header(data, n, "Content-Type", s->resp->content_type, &s->overflow);
	keep_header(data, n, "Location", s->resp->location, &s->overflow);
	return n;
}

static bool scheme_allowed(const char *uri)
{
	return strncmp(uri, "http://", 7) == 0 || strncmp(uri, "https://", 8) == 0;
}

static struct curl_slist *request_headers(const struct tk_http_request *req, bool *failed)
{
	struct curl_slist *list = NULL, *next;
	char line[TK_HTTP_HEADER_VALUE_CAP + 16];
	const char *values[2] = {req->content_type, req->accept};
	const char *names[2] = {"Content-Type", "Accept"};

	*failed = false;
	/* An empty Expect stops libcurl from waiting for 100 Continue. */
	list = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; list != NULL && i < 2; i++) {
		if (values[i] == NULL)
			continue;
		snprintf(line, sizeof(line), "%s: %s", names[i], values[i]);
		next = curl_slist_append(list, line);
		if (next == NULL)
			break;
		list = next;
	}
	*failed = list == NULL;
	return list;
}

static CURLcode configure(CURL *curl, const struct tk_http_client_config *cfg,
			  const struct tk_http_request *req, struct curl_slist *headers,
			  struct body_sink *body, struct header_sink *hdr)
{
	long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : TK_HTTP_CLIENT_DEFAULT_TIMEOUT_MS;
	long connect = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
						   : TK_HTTP_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                             \
	do {                                                      \
		if (rc == CURLE_OK)                               \
			rc = curl_easy_setopt(curl, (opt), (val)); \
	} while (0)
	SET(CURLOPT_URL, req->uri);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_COOKIE, (char *)NULL);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file != NULL)
		SET(CURLOPT_CAINFO, cfg->ca_file);
	SET(CURLOPT_TIMEOUT_MS, timeout);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body->cap);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, req->body_len > 0 ? (const char *)req->body : "");
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, write_body);
	SET(CURLOPT_WRITEDATA, body);
	SET(CURLOPT_HEADERFUNCTION, write_header);
	SET(CURLOPT_HEADERDATA, hdr);
#undef SET
	return rc;
}

tk_err tk_http_request_post(const struct tk_http_client_config *cfg,
			    const struct tk_http_request *req, uint8_t *out, size_t out_cap,
			    struct tk_http_response *resp, struct tk_diag *diag)
{
	size_t limit = cfg->max_body != 0 ? cfg->max_body : TK_HTTP_CLIENT_DEFAULT_MAX_BODY;
	struct body_sink body = {.buf = out, .cap = out_cap < limit ? out_cap : limit};
	struct header_sink hdr = {.resp = resp};
	struct curl_slist *headers = NULL;
	bool failed = false;
	CURL *curl = NULL;
	CURLcode rc;
	tk_err err = TK_OK;

	memset(resp, 0, sizeof(*resp));
	if (req->uri == NULL || !scheme_allowed(req->uri) ||
	    strlen(req->uri) > TK_HTTP_CLIENT_MAX_URI)
		return TK_FAIL(diag, TK_ERR_ARG, "URI is not http(s) of at most %d bytes",
			       TK_HTTP_CLIENT_MAX_URI);
	headers = request_headers(req, &failed);
	curl = curl_easy_init();
	if (failed || curl == NULL) {
		err = TK_FAIL(diag, TK_ERR_NOMEM, "HTTP request handle");
		goto out;
	}
	rc = configure(curl, cfg, req, headers, &body, &hdr);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(curl);
	if (body.overflow || rc == CURLE_FILESIZE_EXCEEDED)
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "response body exceeds %zu bytes", body.cap);
	else if (hdr.overflow)
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "response header exceeds %d bytes",
			      TK_HTTP_HEADER_VALUE_CAP - 1);
	else if (rc != CURLE_OK)
		err = TK_FAIL(diag, TK_ERR_NETWORK, "POST failed: %s", curl_easy_strerror(rc));
	if (err == TK_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body_len = body.len;
	}
out:
	if (err != TK_OK)
		memset(resp, 0, sizeof(*resp));
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return err;
}
