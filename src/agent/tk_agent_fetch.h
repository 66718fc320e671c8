/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's SUIT fetch hook for http(s) URIs. The body streams from the
 * HTTP client into the SUIT processor's sink in chunks of at most
 * TK_HTTP_FETCH_CHUNK bytes, so memory does not grow with the payload.
 * Large payloads show progress.
 *
 * Progress, for payloads of TK_AGENT_PROGRESS_MIN bytes or more: when
 * standard error is a terminal, one line rewritten in place
 * ("fetching URI: 45% (135 of 300 MiB)"); otherwise an info log line at
 * every 10% (every TK_AGENT_PROGRESS_STEP bytes when the server sends no
 * Content-Length). Each fetch ends with one info line giving the size,
 * time and rate.
 */
#ifndef TK_AGENT_FETCH_H
#define TK_AGENT_FETCH_H

#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "http/tk_http_client.h"
#include "suit/tk_suit.h"

/* Payloads smaller than this (bytes) show no progress. */
#define TK_AGENT_PROGRESS_MIN (4u * 1024u * 1024u)

/* Progress step without a Content-Length, in bytes. */
#define TK_AGENT_PROGRESS_STEP (64u * 1024u * 1024u)

/*
 * Stream `uri` into `sink` with tk_http_fetch_stream(), at most `max_size`
 * bytes, logging to `log` (may be NULL). Returns the fetch's error.
 */
TK_MUST_CHECK tk_err tk_agent_fetch(const struct tk_http_client_config *cfg, const char *uri,
				    uint64_t max_size, const struct tk_suit_sink *sink,
				    const struct tk_log *log, struct tk_diag *diag);

#endif /* TK_AGENT_FETCH_H */
