/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP/HTTP client on libcurl (draft-ietf-teep-otrp-over-http, sections
 * "Use of HTTP as a Transport" and "TEEP/HTTP Client Behavior").
 *
 * Every transfer goes through configure_transfer(), which applies the rules
 * the binding and our security rules require on the curl handle: only
 * http and https (for the request and for any redirect target), no
 * automatic redirects, no cookie engine, no proxy taken from the
 * environment, certificate and host name checks for https, a time limit,
 * and a response size limit enforced while receiving. The response is
 * written into the caller's buffer, so no peer-declared length ever sizes
 * an allocation.
 */
#include "http/tk_http_client.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest Content-Type value the client compares, with parameters. */
#define CONTENT_TYPE_MAX 128

struct tk_http_client {
	CURL *curl;                 /* reused, so the session keeps its connection */
	char uri[TK_HTTP_CLIENT_MAX_URI + 1];
	char shown_uri[TK_HTTP_CLIENT_SHOWN_URI_CAP]; /* uri without its password */
	struct tk_http_client_config cfg; /* cfg.uri points at uri above */
};

/* Receive state of one transfer: the caller's buffer and the limit. */
struct sink {
	uint8_t *buf;
	size_t cap;      /* min(caller's capacity, configured limit) */
	size_t len;
	bool overflow;   /* the body went past cap; the transfer was aborted */
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *sink = userdata;
	size_t n = size * nmemb;

	if (n > sink->cap - sink->len) {
		sink->overflow = true;
		return 0; /* makes curl abort with CURLE_WRITE_ERROR */
	}
	if (n > 0)
		memcpy(sink->buf + sink->len, data, n);
	sink->len += n;
	return n;
}

/* True when uri[0..len) starts with http:// or https:// (any case). */
static bool scheme_allowed(const char *uri, size_t len)
{
	return (len > 7 && strncasecmp(uri, "http://", 7) == 0) ||
	       (len > 8 && strncasecmp(uri, "https://", 8) == 0);
}

void tk_http_uri_redact(const char *uri, char out[TK_HTTP_CLIENT_SHOWN_URI_CAP])
{
	const char *authority = strstr(uri, "://");
	const char *end, *at = NULL, *colon = NULL;
	int n;

	/* RFC 3986 section 3.2: authority = [ userinfo "@" ] host [ ":" port ],
	 * ending at the first "/", "?" or "#". */
	if (authority != NULL) {
		authority += 3;
		end = authority + strcspn(authority, "/?#");
		for (const char *p = authority; p < end; p++) {
			if (*p == '@')
				at = p;
		}
		if (at != NULL)
			colon = memchr(authority, ':', (size_t)(at - authority));
	}
	if (colon == NULL)
		n = snprintf(out, TK_HTTP_CLIENT_SHOWN_URI_CAP, "%s", uri);
	else
		n = snprintf(out, TK_HTTP_CLIENT_SHOWN_URI_CAP, "%.*s***%s",
			     (int)(colon + 1 - uri), uri, at);

	/* Mark a cut, which only a URI over TK_HTTP_CLIENT_MAX_URI needs. */
	if (n < 0 || (size_t)n >= TK_HTTP_CLIENT_SHOWN_URI_CAP)
		memcpy(out + TK_HTTP_CLIENT_SHOWN_URI_CAP - 4, "...", 4);
}

/* Length of the prefix of s[0..len) without a byte of `reject`, at most max. */
static size_t strcspn_bounded(const char *s, size_t len, const char *reject, size_t max)
{
	size_t n = 0;

	while (n < len && n < max && strchr(reject, s[n]) == NULL)
		n++;
	return n;
}

static tk_err check_uri(const char *uri, size_t len, struct tk_diag *diag)
{
	if (len == 0 || len > TK_HTTP_CLIENT_MAX_URI)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "URI length %zu outside 1..%d", len,
			       TK_HTTP_CLIENT_MAX_URI);
	if (memchr(uri, '\0', len) != NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "URI contains a NUL byte");
	/* Only the scheme is quoted: the rest may hold a password. */
	if (!scheme_allowed(uri, len))
		return TK_FAIL(diag, TK_ERR_ARG, "URI scheme is not http or https: %.*s",
			       (int)strcspn_bounded(uri, len, ":", 16), uri);
	return TK_OK;
}

static size_t effective_max_body(const struct tk_http_client_config *cfg)
{
	return cfg->max_body != 0 ? cfg->max_body : TK_HTTP_CLIENT_DEFAULT_MAX_BODY;
}

/*
 * Apply the binding's transport rules to a handle. Returns the first curl
 * error, so a libcurl that lacks an option fails instead of silently
 * running without the rule.
 */
static CURLcode configure_transfer(CURL *curl, const struct tk_http_client_config *cfg,
				   const char *uri, struct sink *sink)
{
	long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms
					   : TK_HTTP_CLIENT_DEFAULT_TIMEOUT_MS;
	long connect = cfg->connect_timeout_ms > 0
			       ? cfg->connect_timeout_ms
			       : TK_HTTP_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                             \
	do {                                                      \
		if (rc == CURLE_OK)                               \
			rc = curl_easy_setopt(curl, (opt), (val)); \
	} while (0)
	SET(CURLOPT_URL, uri);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* "Redirects MUST NOT be automatically followed." */
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* "Cookies are not used": the cookie engine stays off (no
	   CURLOPT_COOKIEFILE), and no Cookie header is sent. */
	SET(CURLOPT_COOKIE, (char *)NULL);
	/* An empty proxy string disables proxies named in the environment. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file != NULL)
		SET(CURLOPT_CAINFO, cfg->ca_file);
	SET(CURLOPT_TIMEOUT_MS, timeout);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->cap);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, sink);
#undef SET
	return rc;
}

/* Media type of a Content-Type value without parameters, compared without case. */
static bool is_teep_media_type(const char *content_type)
{
	size_t n = strlen(TK_HTTP_TEEP_MEDIA_TYPE);

	if (content_type == NULL || strncasecmp(content_type, TK_HTTP_TEEP_MEDIA_TYPE, n) != 0)
		return false;
	content_type += n;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	return *content_type == '\0' || *content_type == ';';
}

/*
 * Map a finished transfer to a tk_err, naming the URI. An error status is
 * checked before the size, because the body of an error (a 404 page, say)
 * may exceed the limit, and the status is the cause worth reporting.
 */
static tk_err transfer_result(CURL *curl, CURLcode rc, const struct sink *sink,
			      const char *uri, struct tk_diag *diag)
{
	long status = 0;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 300)
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS, "%s returned HTTP status %ld", uri,
			       status);
	if (sink->overflow || rc == CURLE_FILESIZE_EXCEEDED)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "response from %s is larger than %zu bytes", uri,
			       sink->cap);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return TK_FAIL(diag, TK_ERR_NETWORK, "request to %s timed out", uri);
	if (rc != CURLE_OK)
		return TK_FAIL(diag, TK_ERR_NETWORK, "request to %s failed: %s", uri,
			       curl_easy_strerror(rc));
	return TK_OK;
}

tk_err tk_http_client_new(const struct tk_http_client_config *cfg,
			  struct tk_http_client **out, struct tk_diag *diag)
{
	struct tk_http_client *client = NULL;
	size_t uri_len;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no output for the HTTP client");
	*out = NULL;
	if (cfg == NULL || cfg->uri == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing TAM URI");
	uri_len = strnlen(cfg->uri, TK_HTTP_CLIENT_MAX_URI + 1);
	err = check_uri(cfg->uri, uri_len, diag);
	if (err != TK_OK)
		return err;

	client = calloc(1, sizeof(*client));
	if (client == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate the HTTP client");
	client->curl = curl_easy_init();
	if (client->curl == NULL) {
		free(client);
		return TK_FAIL(diag, TK_ERR_NOMEM, "curl_easy_init failed");
	}
	memcpy(client->uri, cfg->uri, uri_len);
	client->uri[uri_len] = '\0';
	tk_http_uri_redact(client->uri, client->shown_uri);
	client->cfg = *cfg;
	client->cfg.uri = client->uri;
	*out = client;
	return TK_OK;
}

void tk_http_client_free(struct tk_http_client *client)
{
	if (client == NULL)
		return;
	curl_easy_cleanup(client->curl);
	free(client);
}

/* Build the request header list; NULL when out of memory. */
static struct curl_slist *teep_headers(bool has_body)
{
	struct curl_slist *list = NULL;
	struct curl_slist *next;
	const char *lines[3] = {
		"Accept: " TK_HTTP_TEEP_MEDIA_TYPE,
		/* The empty POST carries no Content-Type; "Content-Type:" with
		   no value removes curl's form-encoded default. */
		has_body ? "Content-Type: " TK_HTTP_TEEP_MEDIA_TYPE : "Content-Type:",
		/* No "Expect: 100-continue" round trip for small bodies. */
		"Expect:",
	};

	for (size_t i = 0; i < 3; i++) {
		next = curl_slist_append(list, lines[i]);
		if (next == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

/* Check the status and Content-Type of a finished POST. */
static tk_err check_post_response(struct tk_http_client *client, const struct sink *sink,
				  struct tk_diag *diag)
{
	long status = 0;
	char *content_type = NULL;

	curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(client->curl, CURLINFO_CONTENT_TYPE, &content_type);

	/* 204, or a 200 with an empty body, ends the session. */
	if (status == 204 || (status == 200 && sink->len == 0))
		return TK_OK;
	if (status != 200)
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS,
			       "TAM %s returned HTTP status %ld", client->shown_uri, status);
	if (!is_teep_media_type(content_type))
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS,
			       "TAM %s returned Content-Type %.*s, expected %s",
			       client->shown_uri, CONTENT_TYPE_MAX,
			       content_type != NULL ? content_type : "(none)",
			       TK_HTTP_TEEP_MEDIA_TYPE);
	return TK_OK;
}

tk_err tk_http_client_post(struct tk_http_client *client, const uint8_t *body,
			   size_t body_len, uint8_t *resp, size_t resp_cap,
			   size_t *resp_len, struct tk_diag *diag)
{
	struct sink sink = {resp, 0, 0, false};
	struct curl_slist *headers = NULL;
	size_t limit;
	long status = 0;
	CURLcode rc;
	tk_err err = TK_ERR_INTERNAL;

	if (resp_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no output length for the response");
	*resp_len = 0;
	if (client == NULL || (body == NULL && body_len > 0) || (resp == NULL && resp_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "invalid arguments to the HTTP POST");
	limit = effective_max_body(&client->cfg);
	sink.cap = resp_cap < limit ? resp_cap : limit;

	headers = teep_headers(body_len > 0);
	if (headers == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot build the request headers");

	curl_easy_reset(client->curl);
	rc = configure_transfer(client->curl, &client->cfg, client->uri, &sink);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(client->curl, CURLOPT_POST, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(client->curl, CURLOPT_POSTFIELDS,
				      body_len > 0 ? (const char *)body : "");
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(client->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)body_len);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, headers);
	if (rc != CURLE_OK) {
		err = TK_FAIL(diag, TK_ERR_NETWORK, "cannot configure the request to %s: %s",
			      client->shown_uri, curl_easy_strerror(rc));
		goto out;
	}

	rc = curl_easy_perform(client->curl);
	err = transfer_result(client->curl, rc, &sink, client->shown_uri, diag);
	if (err != TK_OK)
		goto out;
	err = check_post_response(client, &sink, diag);
	if (err != TK_OK)
		goto out;

	curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &status);
	tk_log(client->cfg.log, TK_LOG_DEBUG, "http",
	       "POST %s: sent %zu bytes, status %ld, received %zu bytes", client->shown_uri,
	       body_len, status, sink.len);
	*resp_len = status == 204 ? 0 : sink.len;
	err = TK_OK;
out:
	/* The handle must not keep pointers to this call's header list. */
	curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	curl_slist_free_all(headers);
	return err;
}

static tk_err transport_exchange(void *ctx, const uint8_t *req, size_t req_len,
				 uint8_t *resp, size_t resp_cap, size_t *resp_len,
				 struct tk_diag *diag)
{
	return tk_http_client_post(ctx, req, req_len, resp, resp_cap, resp_len, diag);
}

struct tk_transport_ops tk_http_client_transport(struct tk_http_client *client)
{
	struct tk_transport_ops ops = {transport_exchange, client};

	return ops;
}

tk_err tk_http_fetch(const struct tk_http_client_config *cfg, const char *uri,
		     size_t uri_len, uint8_t *out, size_t out_cap, size_t *out_len,
		     struct tk_diag *diag)
{
	char uri_z[TK_HTTP_CLIENT_MAX_URI + 1];
	char shown[TK_HTTP_CLIENT_SHOWN_URI_CAP];
	struct sink sink = {out, 0, 0, false};
	size_t limit;
	long status = 0;
	CURL *curl = NULL;
	CURLcode rc;
	tk_err err = TK_ERR_INTERNAL;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no output length for the fetch");
	*out_len = 0;
	if (cfg == NULL || uri == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "invalid arguments to the HTTP fetch");
	err = check_uri(uri, uri_len, diag);
	if (err != TK_OK)
		return err;
	memcpy(uri_z, uri, uri_len);
	uri_z[uri_len] = '\0';
	tk_http_uri_redact(uri_z, shown);
	limit = effective_max_body(cfg);
	sink.cap = out_cap < limit ? out_cap : limit;

	curl = curl_easy_init();
	if (curl == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "curl_easy_init failed");
	rc = configure_transfer(curl, cfg, uri_z, &sink);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	if (rc != CURLE_OK) {
		err = TK_FAIL(diag, TK_ERR_NETWORK, "cannot configure the fetch of %s: %s",
			      shown, curl_easy_strerror(rc));
		goto out;
	}

	rc = curl_easy_perform(curl);
	err = transfer_result(curl, rc, &sink, shown, diag);
	if (err != TK_OK)
		goto out;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		err = TK_FAIL(diag, TK_ERR_HTTP_STATUS, "fetch of %s returned HTTP status %ld",
			      shown, status);
		goto out;
	}
	tk_log(cfg->log, TK_LOG_DEBUG, "http", "GET %s: received %zu bytes", shown, sink.len);
	*out_len = sink.len;
	err = TK_OK;
out:
	curl_easy_cleanup(curl);
	return err;
}

/* Receive state of one streamed fetch. */
struct stream {
	CURL *curl;
	const struct tk_suit_sink *sink;
	const struct tk_http_progress *progress;
	uint64_t max_size;
	uint64_t received;   /* bytes the sink accepted */
	uint64_t total;      /* Content-Length, 0 while unknown */
	bool bad_status;     /* a response other than 200 was discarded */
	bool overflow;       /* the body passed max_size */
	tk_err sink_err;     /* the sink's failure, TK_OK while none */
	struct tk_diag *diag;
};

static size_t stream_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct stream *st = userdata;
	size_t n = size * nmemb;
	long status = 0;
	curl_off_t length = -1;

	/* Headers are complete when the first body byte arrives. */
	curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		st->bad_status = true;
		return 0;
	}
	if (n > st->max_size - st->received) {
		st->overflow = true;
		return 0;
	}
	if (st->received == 0 &&
	    curl_easy_getinfo(st->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
	    length > 0)
		st->total = (uint64_t)length;
	st->sink_err = st->sink->write(st->sink->ctx, (const uint8_t *)data, n, st->diag);
	if (st->sink_err != TK_OK)
		return 0; /* makes curl abort with CURLE_WRITE_ERROR */
	st->received += n;
	if (st->progress != NULL && st->progress->update != NULL)
		st->progress->update(st->progress->ctx, st->received, st->total);
	return n;
}

/* Map a finished streamed fetch to a tk_err, naming the URI. */
static tk_err stream_result(const struct stream *st, CURLcode rc, const char *uri,
			    struct tk_diag *diag)
{
	long status = 0;

	curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
	if (st->sink_err != TK_OK)
		return st->sink_err;
	if (status >= 300 || st->bad_status)
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS, "fetch of %s returned HTTP status %ld",
			       uri, status);
	if (st->overflow || rc == CURLE_FILESIZE_EXCEEDED)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "payload at %s is larger than %llu bytes",
			       uri, (unsigned long long)st->max_size);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return TK_FAIL(diag, TK_ERR_NETWORK, "fetch of %s timed out after %llu bytes", uri,
			       (unsigned long long)st->received);
	if (rc != CURLE_OK)
		return TK_FAIL(diag, TK_ERR_NETWORK, "fetch of %s failed after %llu bytes: %s", uri,
			       (unsigned long long)st->received, curl_easy_strerror(rc));
	if (status != 200)
		return TK_FAIL(diag, TK_ERR_HTTP_STATUS, "fetch of %s returned HTTP status %ld",
			       uri, status);
	return TK_OK;
}

/* Streaming settings on top of configure_transfer(). */
static CURLcode configure_stream(CURL *curl, const struct tk_http_client_config *cfg,
				 const char *uri, struct stream *st)
{
	struct sink unused = {NULL, 0, 0, false};
	CURLcode rc = configure_transfer(curl, cfg, uri, &unused);
	curl_off_t max = st->max_size > (uint64_t)INT64_MAX ? (curl_off_t)INT64_MAX
							     : (curl_off_t)st->max_size;

#define SET(opt, val)                                             \
	do {                                                      \
		if (rc == CURLE_OK)                               \
			rc = curl_easy_setopt(curl, (opt), (val)); \
	} while (0)
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, max);
	SET(CURLOPT_BUFFERSIZE, (long)TK_HTTP_FETCH_CHUNK);
	SET(CURLOPT_WRITEFUNCTION, stream_write);
	SET(CURLOPT_WRITEDATA, st);
	if (cfg->timeout_ms <= 0) {
		SET(CURLOPT_TIMEOUT_MS, 0L);
		SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
		SET(CURLOPT_LOW_SPEED_TIME, TK_HTTP_FETCH_STALL_SECONDS);
	}
#undef SET
	return rc;
}

tk_err tk_http_fetch_stream(const struct tk_http_client_config *cfg, const char *uri,
			    size_t uri_len, uint64_t max_size, const struct tk_suit_sink *sink,
			    const struct tk_http_progress *progress, uint64_t *received,
			    struct tk_diag *diag)
{
	char uri_z[TK_HTTP_CLIENT_MAX_URI + 1];
	char shown[TK_HTTP_CLIENT_SHOWN_URI_CAP];
	struct stream st;
	CURLcode rc;
	tk_err err;

	if (received != NULL)
		*received = 0;
	if (cfg == NULL || uri == NULL || sink == NULL || sink->write == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid arguments to the HTTP fetch");
	err = check_uri(uri, uri_len, diag);
	if (err != TK_OK)
		return err;
	memcpy(uri_z, uri, uri_len);
	uri_z[uri_len] = '\0';
	tk_http_uri_redact(uri_z, shown);

	memset(&st, 0, sizeof(st));
	st.curl = curl_easy_init();
	if (st.curl == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "curl_easy_init failed");
	st.sink = sink;
	st.progress = progress;
	st.max_size = max_size;
	st.diag = diag;
	rc = configure_stream(st.curl, cfg, uri_z, &st);
	if (rc != CURLE_OK) {
		err = TK_FAIL(diag, TK_ERR_NETWORK, "cannot configure the fetch of %s: %s", shown,
			      curl_easy_strerror(rc));
	} else {
		rc = curl_easy_perform(st.curl);
		err = stream_result(&st, rc, shown, diag);
	}
	if (err == TK_OK)
		tk_log(cfg->log, TK_LOG_DEBUG, "http", "GET %s: streamed %llu bytes", shown,
		       (unsigned long long)st.received);
	if (received != NULL)
		*received = st.received;
	curl_easy_cleanup(st.curl);
	return err;
}
