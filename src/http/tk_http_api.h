/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small HTTP API server on libmicrohttpd for resources other than the
 * TEEP binding, which tk_http_server.h serves. The handler receives the
 * method, path, Content-Type, Accept and body of each request and sets the
 * status, Content-Type, Location and body of the response. teep-verifier's
 * challenge-response API is built on it.
 *
 * What the server itself enforces:
 *   - only paths under the configured prefix (404 otherwise);
 *   - a body larger than max_body gets 413, checked against Content-Length
 *     before the body is read and against the bytes received while it is
 *     read; nothing beyond the limit is buffered;
 *   - every response carries X-Content-Type-Options: nosniff,
 *     Content-Security-Policy: default-src 'none', Referrer-Policy:
 *     no-referrer and Cache-Control: no-store, because results are fresh
 *     and single use.
 * Rejected requests are logged at info or notice, at most
 * TK_LOG_LIMIT_DEFAULT_PER_SECOND lines of each kind per second.
 *
 * The handler runs on libmicrohttpd's single polling thread, one request
 * at a time. The server allocates and does network I/O: program-layer glue.
 */
#ifndef TK_HTTP_API_H
#define TK_HTTP_API_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"

/* Default request body limit, in bytes: evidence is at most 16 KiB. */
#define TK_HTTP_API_DEFAULT_MAX_BODY (64u * 1024u)

/* Default response body capacity, in bytes. */
#define TK_HTTP_API_DEFAULT_MAX_RESPONSE (64u * 1024u)

/* Capacity of the response's Content-Type and Location values. */
#define TK_HTTP_API_TYPE_MAX 160
#define TK_HTTP_API_LOCATION_MAX 256

/* One request, as the handler receives it. Views valid during the call. */
struct tk_http_api_request {
	const char *method;       /* "POST", "GET", ... */
	const char *path;         /* full path, starting with the prefix */
	const char *content_type; /* NULL when absent */
	const char *accept;       /* NULL when absent */
	const uint8_t *body;      /* NULL when empty */
	size_t body_len;
};

/* The response the handler fills. */
struct tk_http_api_response {
	unsigned int status;                     /* HTTP status code */
	char content_type[TK_HTTP_API_TYPE_MAX]; /* "" when there is no body */
	char location[TK_HTTP_API_LOCATION_MAX]; /* "" for none */
	char allow[32];                          /* Allow value for a 405, or "" */
	uint8_t *body;                           /* server buffer of body_cap bytes */
	size_t body_cap;
	size_t body_len;
};

/* Fill resp for req. Called on the server thread; must not fail. */
typedef void (*tk_http_api_handler_fn)(void *ctx, const struct tk_http_api_request *req,
				       struct tk_http_api_response *resp);

struct tk_http_api_config {
	const char *address;       /* IPv4 address to bind, e.g. "127.0.0.1" */
	uint16_t port;             /* 0: let the system pick a free port */
	const char *prefix;        /* path prefix served, e.g. "/challenge-response/v1/" */
	size_t max_body;           /* request limit; 0 = default */
	size_t max_response;       /* response body capacity; 0 = default */
	tk_http_api_handler_fn handler;
	void *handler_ctx;
	const struct tk_log *log;  /* may be NULL; must outlive the server */
};

/* A running server. Opaque. */
struct tk_http_api;

/*
 * Bind, listen and serve on a libmicrohttpd thread. Copies cfg except
 * handler_ctx and log, which it borrows. Caller owns *out, release with
 * tk_http_api_stop(); NULL on failure.
 */
TK_MUST_CHECK tk_err tk_http_api_start(const struct tk_http_api_config *cfg,
				       struct tk_http_api **out, struct tk_diag *diag);

/* Port the server listens on. */
uint16_t tk_http_api_port(const struct tk_http_api *srv);

/* Stop serving, close connections and free the server. NULL is ignored. */
void tk_http_api_stop(struct tk_http_api *srv);

#endif /* TK_HTTP_API_H */
