/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transport a TEEP session runs over, as an ops table so the agent
 * state machine never depends on HTTP. The HTTP client implements it with
 * libcurl (http/tk_http_client.h); tests implement it in process to wire a
 * TAM and an agent together and to inject transport faults.
 *
 * One exchange follows the TEEP HTTP binding (draft-ietf-teep-otrp-over-http,
 * "TEEP/HTTP Client Behavior"): the client posts a request body (empty to
 * open a session) and receives a response body; an empty response body
 * (HTTP 204 or a 200 with no content) ends the session.
 */
#ifndef TK_TEEP_TRANSPORT_H
#define TK_TEEP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"

struct tk_transport_ops {
	/*
	 * Send `req` (req_len 0 opens a session) and write the response body
	 * into resp[0..resp_cap). *resp_len is 0 when the peer ended the
	 * session. A body larger than resp_cap fails with TK_ERR_LIMIT_SIZE.
	 * On failure *resp_len is 0. A NULL hook makes the session fail with
	 * TK_ERR_UNSUPPORTED.
	 */
	tk_err (*exchange)(void *ctx, const uint8_t *req, size_t req_len,
			   uint8_t *resp, size_t resp_cap, size_t *resp_len,
			   struct tk_diag *diag);
	void *ctx;
};

#endif /* TK_TEEP_TRANSPORT_H */
