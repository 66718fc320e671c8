/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT envelope authentication for the agent: the TC signer keys given on
 * the command line (unscoped), the trust anchors the TEE holds (with their
 * component id scopes) and the TEE's MAC key for COSE_Mac0 blocks.
 */
#ifndef TK_AGENT_AUTH_H
#define TK_AGENT_AUTH_H

#include <stddef.h>

#include "common/tk_err.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "tee/tk_tee.h"

/*
 * Trust anchors taken from the TEE for one authentication
 * (TK_ERR_LIMIT_COUNT beyond), leaving room for command-line keys within
 * the 16 keys tk_suit_authenticate_opts() accepts.
 */
#define TK_AGENT_MAX_TEE_ANCHORS 8

/*
 * Authenticate env with `keys` (unscoped, may be empty), every trust
 * anchor tee holds, and tee's MAC key through tk_tee_mac_sha256(). A
 * backend without trust anchor or MAC hooks contributes nothing. On
 * success *out contains the manifest, with views into env's buffer.
 */
TK_MUST_CHECK tk_err tk_agent_authenticate(const struct tk_tee *tee,
					   const struct tk_crypto *crypto,
					   const struct tk_crypto_key *const *keys,
					   size_t key_count,
					   const struct tk_suit_envelope *env,
					   struct tk_suit_manifest *out,
					   struct tk_diag *diag);

#endif /* TK_AGENT_AUTH_H */
