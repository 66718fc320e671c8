/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the appraisal: the state one appraisal builds up, shared by
 * tk_verifier.c (sessions, status, signing) and tk_verifier_checks.c (the
 * checks that set the trustworthiness claims).
 */
#ifndef TK_VERIFIER_IMPL_H
#define TK_VERIFIER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eat/tk_eat.h"
#include "verifier/tk_verifier.h"

/*
 * Appraisal policies, named in ear.appraisal-policy-ids. Each requires a
 * set of claims for the status (see docs/verifier.md): the status is the
 * worst tier among them, and the other claims are reported without
 * changing it.
 */
#define TK_VERIFIER_POLICY_SIM "https://teepkit.example/policy/teep-sim/1"
#define TK_VERIFIER_POLICY_TPM "https://teepkit.example/policy/teep-tpm/1"

/* The state of one appraisal. Lives on the caller's stack (about 40 KiB). */
struct tk_verifier_appraisal {
	struct tk_span nonce;               /* expected eat_nonce */
	struct tk_verifier_vector vector;   /* claims set so far */
	uint8_t required;                   /* bit per claim the status needs */
	const char *policy_id;
	char reason[TK_VERIFIER_REASON_MAX]; /* first check below affirming */
	uint8_t ueid[TK_VERIFIER_UEID_MAX];  /* set once the evidence verified */
	size_t ueid_len;
	bool has_cnf;                       /* cnf_kid is set */
	uint8_t cnf_kid[TK_VERIFIER_KID_LEN];
	bool has_tpm_quote;
	uint8_t teep_claims[TK_EAT_MAX_SIZE]; /* encoded ear.teep-claims */
	size_t teep_claims_len;             /* 0: none, the evidence did not verify */
	struct tk_eat_claims peeked;        /* unverified claims, to pick the path */
	struct tk_eat_verified verified;    /* views into the request's evidence */
};

/* Set claim to value, and the reason when it is the first below affirming. */
void tk_verifier_set_claim(struct tk_verifier_appraisal *a, enum tk_verifier_claim claim,
			   int value, const char *fmt, ...) TK_PRINTF(4, 5);

/*
 * Set the result's cnf to the kid the caller named, else to fallback (a
 * 32-byte kid; an empty fallback leaves cnf out).
 */
void tk_verifier_set_cnf(const struct tk_verifier_request *req, struct tk_span fallback,
			 struct tk_verifier_appraisal *a);

/* Encode the TEEP claims of verified evidence for ear.teep-claims. */
TK_MUST_CHECK tk_err tk_verifier_encode_teep_claims(const struct tk_eat_claims *claims,
						    struct tk_verifier_appraisal *a,
						    struct tk_diag *diag);

/*
 * Appraise evidence that carries a TPM quote (tk_verifier_tpm.c). kid is
 * the COSE kid of the evidence and peeked its claims before verification.
 */
TK_MUST_CHECK tk_err tk_verifier_check_tpm(struct tk_verifier *v, int64_t now,
					   const struct tk_verifier_request *req,
					   struct tk_span kid,
					   const struct tk_eat_claims *peeked,
					   struct tk_verifier_appraisal *a,
					   struct tk_diag *diag);

/*
 * Run every check on req->evidence and fill a. Returns TK_OK when a result
 * can be issued (whatever its status), or the error that prevents one.
 */
TK_MUST_CHECK tk_err tk_verifier_check_evidence(struct tk_verifier *v, int64_t now,
						const struct tk_verifier_request *req,
						struct tk_verifier_appraisal *a,
						struct tk_diag *diag);

/*
 * Compare the manifests and measurements of verified claims with the
 * reference values and set the executables claim.
 */
TK_MUST_CHECK tk_err tk_verifier_check_executables(struct tk_verifier *v,
						   const struct tk_eat_claims *claims,
						   struct tk_verifier_appraisal *a,
						   struct tk_diag *diag);

/*
 * For an AK enrolled by credential activation (tk_verifier_ak.c), set
 * instance-identity to 96 unless the evidence's EK certificate is the one
 * the AK was activated with. AKs enrolled by an administrator pass.
 */
TK_MUST_CHECK tk_err tk_verifier_check_ak_binding(struct tk_verifier *v,
						  const struct tk_eat_tpm_claim *tpm,
						  const uint8_t ak_kid[TK_VERIFIER_KID_LEN],
						  struct tk_verifier_appraisal *a,
						  struct tk_diag *diag);

#endif /* TK_VERIFIER_IMPL_H */
