/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation hooks of the TEEP Agent state machine (RFC 9334), set in
 * struct tk_teep_agent_config.attest. Every member may be NULL.
 *
 * Passport model (RFC 9334 section 5.1): when passport_result is set, the
 * agent obtains an attestation result for its evidence itself and sends
 * that result as the attestation-payload, with attestation-payload-format
 * TK_TEEP_EAR_MEDIA_TYPE, instead of the evidence. passport_nonce gives
 * the eat_nonce the evidence must carry for the verifier; NULL means the
 * QueryRequest's challenge (or token) itself. The TAM accepts the result
 * only when its eat_nonce is the challenge it sent.
 *
 * evidence_claims adds claims the TEE vouches for to the evidence before
 * the agent signs it, such as the measurements of the components loaded
 * (RFC 9711 section 4.2.16), which a verifier compares with its
 * reference values. NULL: the evidence names the agent only.
 *
 * save_result keeps an attestation result the TAM handed back in an
 * Update, so the device can later show it to a relying party such as a
 * data provider. NULL: the result is logged and not kept.
 */
#ifndef TK_TEEP_AGENT_ATTEST_H
#define TK_TEEP_AGENT_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "eat/tk_eat.h"

struct tk_teep_agent_attest_ops {
	/* Write the nonce for the evidence into out[0..out_cap), 8..64 bytes. */
	tk_err (*passport_nonce)(void *ctx, struct tk_span challenge, uint8_t *out,
				 size_t out_cap, size_t *out_len, struct tk_diag *diag);
	/* Exchange signed evidence for a signed result, written into out. */
	tk_err (*passport_result)(void *ctx, struct tk_span evidence, uint8_t *out,
				  size_t out_cap, size_t *out_len, struct tk_diag *diag);
	/*
	 * Set further claims: their bits in claims->present and their
	 * values as views into buf[0..buf_cap); *used gets the bytes of buf
	 * taken. nonce is the evidence's eat_nonce.
	 */
	tk_err (*evidence_claims)(void *ctx, struct tk_span nonce, struct tk_eat_claims *claims,
				  uint8_t *buf, size_t buf_cap, size_t *used,
				  struct tk_diag *diag);
	/* Keep a result and its media type (attestation-payload-format). */
	tk_err (*save_result)(void *ctx, struct tk_span result, struct tk_span format,
			      struct tk_diag *diag);
	void *ctx;
};

#endif /* TK_TEEP_AGENT_ATTEST_H */
