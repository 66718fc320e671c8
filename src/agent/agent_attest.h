/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation in teep-agent: the claims the TEE adds to the evidence, the
 * passport exchange with a verifier, and the result a TAM hands back in an
 * Update. That result is kept in the TEE state folder and printed by
 * `teep-agent show-result`, so a data provider can be shown the result the
 * TAM acted on (the passport use of draft-ietf-teep-protocol's Update).
 *
 * Files in the state folder, each replaced atomically:
 *   attestation-result       the signed result as received (an EAR CWT)
 *   attestation-result.type  its media type (attestation-payload-format)
 */
#ifndef AGENT_ATTEST_H
#define AGENT_ATTEST_H

#include <stdbool.h>

#include "common/tk_err.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_agent_attest.h"

/* Largest result kept, in bytes; the TAM's store keeps at most as much. */
#define AGENT_RESULT_MAX (16u * 1024u)

/* Context of the hooks: the state folder and the TEE, borrowed. */
struct agent_attest {
	const char *state_dir;
	const struct tk_tee *tee; /* NULL: no measurements in the evidence */
	/*
	 * Passport model: the teep-verifier whose challenge-response API is
	 * at this URI exchanges the evidence for a result, which the agent
	 * presents to the TAM. NULL: the agent sends its evidence.
	 */
	const char *verifier_uri;
	const char *ca_file;      /* CA bundle for an https verifier, or NULL */
	char session_url[2100];   /* the verifier session of this QueryRequest */
	bool saved;               /* a result was kept in this run */
};

/*
 * Hooks that add the TEE's measurement log to the evidence, obtain a
 * passport result when ctx->verifier_uri is set, and keep results in
 * ctx->state_dir. Borrows ctx.
 */
struct tk_teep_agent_attest_ops agent_attest_ops(struct agent_attest *ctx);

/*
 * Print the kept result on stdout (media type, size, status, verifier,
 * times, nonce, cnf and the claims in CBOR diagnostic notation).
 * TK_ERR_NOT_FOUND when none is kept.
 */
TK_MUST_CHECK tk_err agent_attest_show(const char *state_dir, struct tk_diag *diag);

#endif /* AGENT_ATTEST_H */
