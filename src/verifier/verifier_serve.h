/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State of teep-verifier serve, shared by verifier_serve.c (start and
 * stop) and verifier_api.c (the request handler).
 */
#ifndef VERIFIER_SERVE_H
#define VERIFIER_SERVE_H

#include "common/tk_log.h"
#include "common/tk_log_limit.h"
#include "http/tk_http_api.h"
#include "verifier.h"
#include "verifier/tk_verifier.h"

/* Path prefix of the challenge-response API. */
#define VER_API_PREFIX "/challenge-response/v1/"

struct ver_serve_ctx {
	struct tk_verifier verifier;
	const struct tk_log *log;
	int64_t last_purge;                 /* time of the last session purge */
	struct tk_log_limit busy_log_limit;   /* lines on rejected new sessions */
	struct tk_log_limit reject_log_limit; /* lines on rejected requests */
};

/* Path prefix of the AK enrollment API (verifier_ak_enroll.c). */
#define VER_AK_PREFIX "/ak-enrollment/v1/"

/* Handle a request under VER_AK_PREFIX. */
void ver_ak_enroll_handle(struct ver_serve_ctx *sc, int64_t now,
			  const struct tk_http_api_request *req,
			  struct tk_http_api_response *resp);

/* The HTTP handler of the API (tk_http_api_handler_fn); ctx is a ver_serve_ctx. */
void ver_api_handle(void *ctx, const struct tk_http_api_request *req,
		    struct tk_http_api_response *resp);

#endif /* VERIFIER_SERVE_H */
