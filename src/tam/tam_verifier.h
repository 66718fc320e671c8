/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier hooks of teep-tam serve (struct tk_teep_tam_verifier_ops):
 *
 *   in-process   --verifier-db FILE --verifier-signing-key PRIV.pem: the
 *                verifier library appraises the evidence in the TAM's own
 *                process, against the verifier database FILE, and signs
 *                the EAR with PRIV.pem. The challenge is the TAM's own
 *                random nonce, which the library takes as the expected
 *                eat_nonce; the TAM's session table keeps it single use.
 *   over HTTP    --verifier URI with --verifier-key: teep-verifier's
 *                challenge-response API at URI appraises the evidence
 *                (background-check model). For each new QueryRequest the
 *                TAM opens a verifier session and uses the session's nonce
 *                as its challenge, so the agent's evidence carries the
 *                nonce the verifier expects. The TAM keeps the session URL
 *                by challenge, in memory, and posts the evidence that
 *                carries the challenge to it. The
 *                verifier's result must be signed by a --verifier-key and
 *                carry the challenge and the agent's kid (cnf).
 *   passport     --verifier-key PUB.pem (repeatable): results an agent
 *                presents are accepted when one of these keys (or the
 *                in-process verifier's key) signed them. With --verifier
 *                too, the agent may obtain its result from the same
 *                verifier for the challenge, which is the nonce of the
 *                TAM's session. That session then expires unused.
 *
 * Without any of these options serve keeps the enrolled-key mode and
 * installs no hooks.
 */
#ifndef TAM_VERIFIER_H
#define TAM_VERIFIER_H

#include <stddef.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "teep/tk_teep_tam.h"

/* Maximum --verifier-key options. */
#define TAM_MAX_VERIFIER_KEYS 2

struct tam_verifier;

/* Options of serve; NULL or 0 for options not given. */
struct tam_verifier_options {
	const char *uri;                             /* --verifier */
	const char *db;                              /* --verifier-db */
	const char *signing_key;                     /* --verifier-signing-key */
	const char *keys[TAM_MAX_VERIFIER_KEYS];     /* --verifier-key */
	size_t n_keys;
	int64_t lifetime;                            /* of a challenge, seconds */
	const struct tk_log *log;
};

/*
 * Open what the options name and fill *ops. Caller owns *out, release with
 * tam_verifier_free(); *out is NULL and ops is zeroed when no option
 * selects a verifier (the enrolled-key mode).
 */
TK_MUST_CHECK tk_err tam_verifier_open(const struct tam_verifier_options *opts,
				       struct tam_verifier **out,
				       struct tk_teep_tam_verifier_ops *ops,
				       struct tk_diag *diag);

/* Close the verifier database and free the keys. NULL is ignored. */
void tam_verifier_free(struct tam_verifier *v);

#endif /* TAM_VERIFIER_H */
