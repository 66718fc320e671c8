/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP/HTTP client (draft-ietf-teep-otrp-over-http, section "TEEP/HTTP
 * Client Behavior") on libcurl, and the GETs used to fetch SUIT payloads
 * named by an http(s) URI: into a buffer, or streamed into a SUIT sink.
 *
 * A client posts to one TAM URI: an empty body with `Accept:
 * application/teep+cbor` to open a session, then each TEEP message with
 * `Accept` and `Content-Type: application/teep+cbor`. A response with status
 * 204, or an empty body, ends the session. Redirects are never followed,
 * cookies are never stored or sent, only the http and https schemes are
 * allowed (also for the connection itself, so a scheme switch cannot
 * happen), response bodies are limited, and every transfer has a timeout.
 * HTTPS always verifies the server certificate and host name.
 *
 * The client is an HTTP program-layer helper: it allocates (the curl
 * handle) and does network I/O, unlike the libraries below it.
 */
#ifndef TK_HTTP_CLIENT_H
#define TK_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "suit/tk_suit.h"
#include "teep/tk_teep_transport.h"

/* Media type of TEEP messages (draft-ietf-teep-protocol, IANA section). */
#define TK_HTTP_TEEP_MEDIA_TYPE "application/teep+cbor"

/*
 * Default maximum response body, in bytes. A TEEP Update carries whole SUIT
 * envelopes, possibly with integrated payloads; 1 MiB fits a small TA while
 * bounding what a hostile server can make the agent buffer. Larger bodies
 * fail with TK_ERR_LIMIT_SIZE.
 */
#define TK_HTTP_CLIENT_DEFAULT_MAX_BODY (1024u * 1024u)

/* Default time limit for one whole transfer, in milliseconds. */
#define TK_HTTP_CLIENT_DEFAULT_TIMEOUT_MS 30000L

/* Default time limit for connecting (TCP and TLS), in milliseconds. */
#define TK_HTTP_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000L

/* Maximum length of a URI accepted by the client, in bytes. */
#define TK_HTTP_CLIENT_MAX_URI 2048

/*
 * Size of a buffer for tk_http_uri_redact(), with the NUL: masking a
 * password of fewer than 3 bytes lengthens the URI by at most 3 bytes.
 */
#define TK_HTTP_CLIENT_SHOWN_URI_CAP (TK_HTTP_CLIENT_MAX_URI + 4)

struct tk_http_client_config {
	const char *uri;          /* TAM URI, http:// or https:// */
	size_t max_body;          /* response body limit; 0 = default */
	long timeout_ms;          /* whole transfer; 0 = default */
	long connect_timeout_ms;  /* connect phase; 0 = default */
	const char *ca_file;      /* PEM CA bundle for https; NULL = system store */
	const struct tk_log *log; /* may be NULL */
};

/*
 * Copy a NUL-terminated URI for messages and logs, with the password of its
 * userinfo replaced by "***" (a URI carries basic authentication
 * credentials as "user:password@host"). out must hold
 * TK_HTTP_CLIENT_SHOWN_URI_CAP bytes. A URI longer than
 * TK_HTTP_CLIENT_MAX_URI may be cut, and then ends in "...".
 */
void tk_http_uri_redact(const char *uri, char out[TK_HTTP_CLIENT_SHOWN_URI_CAP]);

/* Client bound to one TAM URI. Opaque. */
struct tk_http_client;

/*
 * Create a client for cfg->uri after checking its scheme and length.
 * Copies what it needs from cfg. Caller owns *out, release with
 * tk_http_client_free(); *out is NULL on failure.
 */
TK_MUST_CHECK tk_err tk_http_client_new(const struct tk_http_client_config *cfg,
					struct tk_http_client **out,
					struct tk_diag *diag);

/* Release a client and its connection. NULL is ignored. */
void tk_http_client_free(struct tk_http_client *client);

/*
 * POST `body` (body_len 0 opens a session) to the TAM URI and store the
 * response body in resp[0..resp_cap). *resp_len is 0 when the TAM ended the
 * session (204 or empty body). Fails with TK_ERR_NETWORK (connection,
 * timeout), TK_ERR_HTTP_STATUS (any status other than 200 and 204,
 * including redirects, or a body with another Content-Type), or
 * TK_ERR_LIMIT_SIZE (body over the limit or over resp_cap). On failure
 * *resp_len is 0.
 */
TK_MUST_CHECK tk_err tk_http_client_post(struct tk_http_client *client,
					 const uint8_t *body, size_t body_len,
					 uint8_t *resp, size_t resp_cap,
					 size_t *resp_len, struct tk_diag *diag);

/* Transport ops that call tk_http_client_post(); borrows client. */
struct tk_transport_ops tk_http_client_transport(struct tk_http_client *client);

/*
 * GET an http(s) URI (uri[0..uri_len), not NUL-terminated, as found in a
 * SUIT manifest) into out[0..out_cap), with the same scheme, redirect,
 * cookie, size and timeout rules as the TEEP client; only status 200 is
 * accepted. *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_http_fetch(const struct tk_http_client_config *cfg,
				   const char *uri, size_t uri_len,
				   uint8_t *out, size_t out_cap, size_t *out_len,
				   struct tk_diag *diag);

/*
 * Largest chunk a streamed fetch hands to its sink, in bytes: the size of
 * curl's receive buffer. The body never exists whole in memory, so a fetch
 * of any size needs about this much.
 */
#define TK_HTTP_FETCH_CHUNK (64u * 1024u)

/*
 * A streamed fetch that received nothing for this long, in seconds, fails
 * with TK_ERR_NETWORK (below 1 byte per second counts as nothing). It
 * replaces the whole-transfer time limit when the configuration sets none,
 * because a large payload may rightly take minutes.
 */
#define TK_HTTP_FETCH_STALL_SECONDS 30L

/* Progress of a streamed fetch. */
struct tk_http_progress {
	/*
	 * Called after each chunk reached the sink: `received` bytes so far
	 * of `total`, the Content-Length, or 0 when the server sent none.
	 */
	void (*update)(void *ctx, uint64_t received, uint64_t total);
	void *ctx;
};

/*
 * GET an http(s) URI (uri[0..uri_len)) and stream the body into `sink`
 * chunk by chunk (each at most TK_HTTP_FETCH_CHUNK bytes), with the
 * scheme, redirect, cookie and certificate rules of the TEEP client. Only
 * status 200 is accepted; no byte of another response reaches the sink.
 *
 * `max_size` bounds the body (TK_ERR_LIMIT_SIZE as soon as a declared
 * Content-Length or the bytes received pass it); cfg->max_body does not
 * apply. cfg->timeout_ms, when set, limits the whole transfer; otherwise a
 * transfer fails only when it stalls for TK_HTTP_FETCH_STALL_SECONDS. A
 * sink error stops the transfer and is returned with the sink's detail.
 * `progress` may be NULL. *received (may be NULL) is the number of bytes
 * the sink accepted, also on failure.
 */
TK_MUST_CHECK tk_err tk_http_fetch_stream(const struct tk_http_client_config *cfg,
					  const char *uri, size_t uri_len, uint64_t max_size,
					  const struct tk_suit_sink *sink,
					  const struct tk_http_progress *progress,
					  uint64_t *received, struct tk_diag *diag);

#endif /* TK_HTTP_CLIENT_H */
