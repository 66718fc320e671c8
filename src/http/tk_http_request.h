/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP POST with the caller's media types, for the APIs teepkit talks
 * to besides TEEP: a RATS verifier's challenge-response API, where a TAM
 * (background-check model) or an agent (passport model) opens a session
 * and posts evidence.
 *
 * The transport rules are those of the TEEP client (tk_http_client.h):
 * http and https only, redirects never followed, no cookies, no proxy from
 * the environment, certificates verified, the response body limited and
 * every transfer timed out. Unlike tk_http_client_post(), any status is
 * returned to the caller, with the response's Content-Type and Location.
 */
#ifndef TK_HTTP_REQUEST_H
#define TK_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "http/tk_http_client.h"

/* Maximum length kept of the Content-Type and Location headers, with the NUL. */
#define TK_HTTP_HEADER_VALUE_CAP 512

/* One request. Strings are NUL-terminated and borrowed. */
struct tk_http_request {
	const char *uri;          /* http:// or https:// */
	const char *content_type; /* of body; NULL: no Content-Type */
	const char *accept;       /* NULL: no Accept */
	const uint8_t *body;      /* may be NULL when body_len is 0 */
	size_t body_len;
};

/* A response. Headers longer than the capacity fail the request. */
struct tk_http_response {
	long status;
	char content_type[TK_HTTP_HEADER_VALUE_CAP]; /* "" when absent */
	char location[TK_HTTP_HEADER_VALUE_CAP];     /* "" when absent */
	size_t body_len;                             /* bytes written to out */
};

/*
 * POST req and write the response body into out[0..out_cap) (also bounded
 * by cfg->max_body). cfg->uri is ignored; req->uri is used. Fails with
 * TK_ERR_NETWORK (connection, timeout), TK_ERR_LIMIT_SIZE (body or header
 * over its limit) or TK_ERR_ARG (a URI that is not http or https); any
 * HTTP status is a success for this call.
 */
TK_MUST_CHECK tk_err tk_http_request_post(const struct tk_http_client_config *cfg,
					  const struct tk_http_request *req, uint8_t *out,
					  size_t out_cap, struct tk_http_response *resp,
					  struct tk_diag *diag);

#endif /* TK_HTTP_REQUEST_H */
