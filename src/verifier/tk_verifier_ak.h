/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enrollment of a TPM attestation key (AK) by credential activation (TPM
 * 2.0 Library, Part 1, section 24). An EK cannot sign, so nothing in TPM
 * evidence proves that its AK lives in the TPM of its EK certificate. The
 * exchange below proves it once, and the verifier then records the AK as
 * enrolled and bound to that EK certificate:
 *
 *   1. begin: the node sends its EK certificate (DER), the AK's marshalled
 *      TPMT_PUBLIC and its UEID. The verifier checks that the certificate
 *      chains to a trusted EK CA and that the AK is a restricted P-256
 *      signing key fixed to its TPM, computes the AK's name, and makes a
 *      credential of a fresh 32-byte secret for that EK and name. It
 *      stores only SHA-256 of the secret, with an expiry, and returns an
 *      id with the credential blob.
 *   2. the node runs TPM2_ActivateCredential, which only the TPM holding
 *      that EK, with that AK loaded, can do, and sends the secret back.
 *   3. finish: the pending enrollment is used up whatever the outcome; a
 *      secret whose digest matches (constant-time compare) enrolls the AK
 *      for the UEID, bound to the SHA-256 of the EK certificate, unless
 *      an AK of another EK certificate is already bound to that UEID.
 *
 * Appraisal of TPM evidence then requires the evidence's EK certificate
 * to be the bound one for an AK enrolled this way (tk_verifier_tpm.c).
 */
#ifndef TK_VERIFIER_AK_H
#define TK_VERIFIER_AK_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "eat/tk_eat_tpm_credential.h"
#include "verifier/tk_verifier.h"

/* Length of a pending enrollment's id, in bytes (random). */
#define TK_VERIFIER_AK_ID_LEN 16

/* Length of the secret protected by the credential, in bytes. */
#define TK_VERIFIER_AK_SECRET_LEN 32

/*
 * Seconds a pending enrollment stays valid: enough for one TPM round
 * trip of a node on a slow link, short enough that a stolen blob is of
 * no use later.
 */
#define TK_VERIFIER_AK_LIFETIME 300

/* A pending enrollment, as the store keeps it. */
struct tk_verifier_ak_pending {
	uint8_t id[TK_VERIFIER_AK_ID_LEN];
	struct tk_verifier_attest_key key;           /* AK as COSE_Key, kid, UEID */
	uint8_t ak_name[TK_EAT_TPM_AK_NAME_LEN];    /* nameAlg || SHA-256 */
	uint8_t ek_cert_digest[TK_CRYPTO_SHA256_LEN]; /* SHA-256 of the EK DER */
	uint8_t secret_digest[TK_CRYPTO_SHA256_LEN];  /* SHA-256 of the secret */
	int64_t expires_at;                          /* rejected at or after */
};

/* Reply of step 1 to the node: id, credential blob and expiry. */
struct tk_verifier_ak_challenge {
	uint8_t id[TK_VERIFIER_AK_ID_LEN];
	struct tk_eat_tpm_credential credential;
	int64_t expires_at;
};

/*
 * Step 1. ek_cert is the DER EK certificate, ak_public the AK's
 * TPMT_PUBLIC, ueid the node's UEID (1 to TK_VERIFIER_UEID_MAX bytes).
 * An EK certificate that does not chain to a trusted EK CA, or no
 * trusted EK CA at all, is TK_ERR_UNTRUSTED; an AK
 * that is not fit is the code of tk_eat_tpm_ak_parse();
 * TK_ERR_LIMIT_COUNT when max_sessions enrollments are pending.
 */
TK_MUST_CHECK tk_err tk_verifier_ak_enroll_begin(struct tk_verifier *v, int64_t now,
						 struct tk_span ek_cert, struct tk_span ak_public,
						 struct tk_span ueid,
						 struct tk_verifier_ak_challenge *out,
						 struct tk_diag *diag);

/*
 * Step 3. TK_ERR_NOT_FOUND for an unknown id, TK_ERR_REPLAY when it was
 * used, TK_ERR_EXPIRED past its expiry, TK_ERR_SIGNATURE when the secret
 * does not match. TK_ERR_EXISTS when the AK is enrolled for another UEID.
 * TK_ERR_POLICY when an AK enrolled by activation binds the UEID to
 * another EK certificate.
 * On success *out (may be NULL) is the enrolled record.
 */
TK_MUST_CHECK tk_err tk_verifier_ak_enroll_finish(struct tk_verifier *v, int64_t now,
						  const uint8_t id[TK_VERIFIER_AK_ID_LEN],
						  struct tk_span secret,
						  struct tk_verifier_ak_pending *out,
						  struct tk_diag *diag);

#endif /* TK_VERIFIER_AK_H */
