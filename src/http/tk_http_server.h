/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP/HTTP server (draft-ietf-teep-otrp-over-http, "TEEP/HTTP Server
 * Behavior") on libmicrohttpd. It handles HTTP, not TEEP: each POST body is
 * handed to a handler that returns the next message (or none), and the
 * server turns that into the response the binding prescribes:
 *
 *   - only POST to the configured path (405 for other methods, 404 for
 *     other paths);
 *   - an empty body opens a session and needs no Content-Type;
 *   - a non-empty body must have Content-Type application/teep+cbor, else
 *     415 Unsupported Media Type;
 *   - a request whose Accept field excludes application/teep+cbor gets 406,
 *     because the binding states a TAM SHOULD fail it with "an appropriate
 *     error response";
 *   - a body larger than max_body gets 413; the limit is checked against
 *     Content-Length before the body is read and against the bytes received
 *     while it is read, and nothing beyond the limit is buffered;
 *   - a message back gets 200 with it as the body, no message gets 204, and
 *     a handler failure gets 500 (the binding's 5xx when the TAM "cannot get
 *     a message back");
 *   - every response with a body carries Content-Type, then
 *     X-Content-Type-Options: nosniff, Content-Security-Policy:
 *     default-src 'none' and Referrer-Policy: no-referrer (binding section
 *     "Use of HTTP as a Transport"). No Cache-Control field is sent, because
 *     that section forbids it (MUST NOT) on these POST responses.
 *
 * Requests a client gets rejected are logged at info (404, 405, 406) or
 * notice (413, 415, 503, a connection closed mid-body), at most
 * TK_LOG_LIMIT_DEFAULT_PER_SECOND lines of each kind per second; the next
 * line that passes says how many were suppressed. libmicrohttpd's own
 * messages go at warning with the same limit. A failure of the handler
 * (500) is logged at error. An address that another socket holds fails
 * tk_http_server_start() with "address A:P is already in use".
 *
 * The server runs libmicrohttpd's own polling thread, which calls the
 * handler for one request at a time. It allocates (connections, bodies up
 * to max_body) and does network I/O: it is program-layer glue.
 */
#ifndef TK_HTTP_SERVER_H
#define TK_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"

/* Media type of TEEP messages (draft-ietf-teep-protocol, IANA section). */
#define TK_HTTP_SERVER_MEDIA_TYPE "application/teep+cbor"

/*
 * Default request body limit, in bytes. The TAM receives QueryResponse,
 * Success and Error messages. teepkit's evidence takes a few hundred bytes
 * and SUIT reports a few KiB (an estimate), so 64 KiB rejects floods early
 * without rejecting a real message.
 */
#define TK_HTTP_SERVER_DEFAULT_MAX_BODY (64u * 1024u)

/*
 * Default response limit, in bytes. An Update carries whole SUIT envelopes
 * with integrated payloads; it matches the agent's default of 1 MiB.
 */
#define TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE (1024u * 1024u)

/* Seconds an idle connection is kept before libmicrohttpd closes it. */
#define TK_HTTP_SERVER_CONNECTION_TIMEOUT 30

/* Maximum simultaneous connections, in total and per client address. */
#define TK_HTTP_SERVER_MAX_CONNECTIONS 64
#define TK_HTTP_SERVER_MAX_PER_IP 16

/*
 * Write the message that responds to `body` (body_len 0: a new session)
 * into out[0..out_cap). *out_len 0 means "no message" (HTTP 204). Returning
 * TK_ERR_LIMIT_COUNT (a resource such as outstanding sessions is used up)
 * makes the server respond 503, and any other error 500, so a handler that
 * drops a peer's message returns TK_OK with *out_len 0. Called on the
 * server thread.
 */
typedef tk_err (*tk_http_handler_fn)(void *ctx, const uint8_t *body, size_t body_len,
				     uint8_t *out, size_t out_cap, size_t *out_len);

struct tk_http_server_config {
	const char *address;       /* IPv4 address to bind, e.g. "127.0.0.1" */
	uint16_t port;             /* 0: let the system pick a free port */
	const char *path;          /* resource path, e.g. "/tam" */
	size_t max_body;           /* request limit; 0 = default */
	size_t max_response;       /* handler output buffer; 0 = default */
	tk_http_handler_fn handler;
	void *handler_ctx;
	const struct tk_log *log;  /* may be NULL; must outlive the server */
};

/* A running server. Opaque. */
struct tk_http_server;

/*
 * Bind, listen and start serving on a thread of libmicrohttpd. Copies what
 * it needs from cfg except handler_ctx and log, which it borrows. Caller
 * owns *out, release with tk_http_server_stop(); NULL on failure.
 */
TK_MUST_CHECK tk_err tk_http_server_start(const struct tk_http_server_config *cfg,
					  struct tk_http_server **out,
					  struct tk_diag *diag);

/* Port the server listens on (the one the system picked when the config gave 0). */
uint16_t tk_http_server_port(const struct tk_http_server *srv);

/* Stop serving, close connections and free the server. NULL is ignored. */
void tk_http_server_stop(struct tk_http_server *srv);

#endif /* TK_HTTP_SERVER_H */
