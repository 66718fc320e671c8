/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EAT Attestation Results (EAR, draft-ietf-rats-ear-03): the signed
 * verdict a verifier returns about evidence, and the checks a relying
 * party (a TAM, or a data provider) runs on it.
 *
 * CBOR form written and accepted (a CWT: COSE_Sign1, optionally tag 61):
 *   EAR = {
 *     265  eat_profile      "tag:ietf.org,2026:rats/ear#03"   required
 *     6    iat              int                                required
 *     4    exp              int                                optional
 *     8    cnf              {3: kid} / {1: COSE_Key}           optional
 *     10   eat_nonce        bstr .size (8..64) / tstr (8..88)  optional
 *     1000 ear.status       0 / 2 / 32 / 96                    optional
 *     1002 ear.raw-evidence bstr                               optional
 *     1004 ear.verifier-id  {0: developer tstr, 1: build tstr} required
 *     266  submods          {+ tstr => EAR-appraisal}          required
 *   }
 *   EAR-appraisal = {
 *     1000  ear.status                 0 / 2 / 32 / 96         required
 *     1001  ear.trustworthiness-vector {? 0..7 => -128..127}   optional
 *     1003  ear.appraisal-policy-ids   [+ tstr]                optional
 *     10    eat_nonce                                          optional
 *     65000 ear.teep-claims            TEEP Claims-Set         optional
 *   }
 * The TEEP claims (ext-teep.cddl) may hold eat_nonce, ueid, oemid,
 * hwmodel, hwversion and manifests; teepkit also accepts and writes
 * measurements (273) there, so a relying party can check which TA digest
 * is loaded. cnf at the top level binds the result to the TEEP Agent's
 * key, as the TEEP draft's "Handling an Attestation Result" requires.
 *
 * Input is strict CBOR (definite lengths, preferred serialization); tags
 * are rejected except the CWT and COSE_Sign1 tags around the token.
 * Unknown labels are skipped. Decoded results are views into the input.
 * The JSON form (a JWT) and the relying-party check are in tk_ear_json.h.
 */
#ifndef TK_EAR_H
#define TK_EAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"

/* The EAR profile of draft-ietf-rats-ear-03. */
#define TK_EAR_PROFILE "tag:ietf.org,2026:rats/ear#03"

/* EAR claim labels (draft-ietf-rats-ear-03, CBOR form). */
#define TK_EAR_CLAIM_STATUS 1000
#define TK_EAR_CLAIM_TRUST_VECTOR 1001
#define TK_EAR_CLAIM_RAW_EVIDENCE 1002
#define TK_EAR_CLAIM_POLICY_IDS 1003
#define TK_EAR_CLAIM_VERIFIER_ID 1004
#define TK_EAR_CLAIM_TEEP 65000

/* Trustworthiness tiers (draft-ietf-rats-ar4si). */
enum tk_ear_status {
	TK_EAR_STATUS_NONE = 0,
	TK_EAR_STATUS_AFFIRMING = 2,
	TK_EAR_STATUS_WARNING = 32,
	TK_EAR_STATUS_CONTRAINDICATED = 96,
};

/* Keys of the trustworthiness vector. */
enum tk_ear_tv_key {
	TK_EAR_TV_INSTANCE_IDENTITY = 0,
	TK_EAR_TV_CONFIGURATION = 1,
	TK_EAR_TV_EXECUTABLES = 2,
	TK_EAR_TV_FILE_SYSTEM = 3,
	TK_EAR_TV_HARDWARE = 4,
	TK_EAR_TV_RUNTIME_OPAQUE = 5,
	TK_EAR_TV_STORAGE_OPAQUE = 6,
	TK_EAR_TV_SOURCED_DATA = 7,
	TK_EAR_TV_COUNT = 8,
};

/*
 * Limits (TK_ERR_LIMIT_COUNT or TK_ERR_LIMIT_SIZE beyond). A TEEP result
 * has one submodule per attested environment (the draft's examples have
 * at most two); policy ids are one per appraisal policy. The size bounds
 * a result that carries the raw evidence (TK_EAT_MAX_SIZE) and its TEEP
 * claims.
 */
#define TK_EAR_MAX_SUBMODS 8
#define TK_EAR_MAX_POLICY_IDS 4
#define TK_EAR_MAX_SIZE (40u * 1024u)

/* One EAR-appraisal, the value of a submods entry. */
struct tk_ear_appraisal {
	struct tk_span name;          /* submodule name (text) */
	int64_t status;               /* enum tk_ear_status */
	uint8_t tv_present;           /* bit k: vector key k is present */
	int8_t tv[TK_EAR_TV_COUNT];   /* trustworthiness claims, -128..127 */
	struct tk_span policy_ids[TK_EAR_MAX_POLICY_IDS];
	size_t policy_id_count;
	struct tk_span nonce;         /* eat_nonce of this appraisal, or empty */
	bool nonce_is_text;
	struct tk_span teep_claims;   /* encoded ear.teep-claims map, or empty;
					 decode with tk_eat_decode_claims() */
};

/*
 * An attestation result: the decoder's output and the encoder's input.
 * Spans are views (into the decoded buffer when decoded).
 */
struct tk_ear {
	struct tk_span profile;       /* decode: as found; encode: empty means
					 TK_EAR_PROFILE */
	int64_t iat;                  /* seconds since the epoch */
	bool has_exp;
	int64_t exp;
	bool has_status;              /* optional top-level ear.status */
	int64_t status;
	struct tk_span verifier_developer;
	struct tk_span verifier_build;
	struct tk_span raw_evidence;  /* empty when absent */
	struct tk_span nonce;         /* top-level eat_nonce, or empty */
	bool nonce_is_text;           /* the JSON form carries text nonces */
	struct tk_span cnf_kid;       /* cnf {3: kid}, or empty */
	struct tk_span cnf_key;       /* cnf {1: COSE_Key}, encoded, or empty */
	struct tk_ear_appraisal submods[TK_EAR_MAX_SUBMODS];
	size_t submod_count;
};

/*
 * Encode an EAR Claims-Set in deterministic order. Checks that
 * verifier_developer, verifier_build and at least one submodule are set,
 * that each status is one of enum tk_ear_status (TK_ERR_SCHEMA_VALUE) and
 * that teep_claims, when set, is one well-formed CBOR map. Writes into
 * out[0..out_cap); *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_ear_encode(const struct tk_ear *ear, uint8_t *out,
				   size_t out_cap, size_t *out_len,
				   struct tk_diag *diag);

/*
 * Decode an EAR Claims-Set strictly: required claims present
 * (TK_ERR_SCHEMA_MISSING), eat_profile equal to TK_EAR_PROFILE
 * (TK_ERR_SCHEMA_VALUE), statuses from the tier set, vector values in
 * -128..127. Does not verify anything. Views into buf; *out is zeroed on
 * failure.
 */
TK_MUST_CHECK tk_err tk_ear_decode(const uint8_t *buf, size_t len,
				   struct tk_ear *out, struct tk_diag *diag);

/*
 * Encode ear and sign it as a tagged COSE_Sign1 with the verifier's key
 * (ESP256 for P-256, Ed25519), the key's RFC 9679 thumbprint as kid.
 * Borrows key, which must hold a private part.
 */
TK_MUST_CHECK tk_err tk_ear_sign_cwt(const struct tk_crypto *c,
				     const struct tk_crypto_key *key,
				     const struct tk_ear *ear, uint8_t *out,
				     size_t out_cap, size_t *out_len,
				     struct tk_diag *diag);

/*
 * Verify an EAR CWT (optional tag 61, COSE_Sign1 tagged or not) with one
 * of the trusted verifier keys (ESP256, ES256, Ed25519 or EdDSA), then
 * decode it. Size limit first (TK_ERR_LIMIT_SIZE), signature before any
 * claim is read. *key_index receives the key that verified (may be NULL).
 * On success *out views cwt; on failure it is zeroed.
 */
TK_MUST_CHECK tk_err tk_ear_verify_cwt(const struct tk_crypto *c,
				       const uint8_t *cwt, size_t cwt_len,
				       const struct tk_cose_trusted_key *keys,
				       size_t n_keys, struct tk_ear *out,
				       size_t *key_index, struct tk_diag *diag);

/* Name of a status ("affirming"), or NULL when not a tier value. */
const char *tk_ear_status_name(int64_t status);

/* Name of a trustworthiness vector key ("executables"), NULL if none. */
const char *tk_ear_tv_name(unsigned key);

/*
 * Overall status of a result: the worst tier of the top-level status and
 * every submodule (contraindicated > warning > affirming); a tier "none"
 * anywhere makes it none unless something is worse.
 */
int64_t tk_ear_overall_status(const struct tk_ear *ear);

/*
 * Names for tk_cbor_to_diag() when printing an EAR: EAT and EAR labels at
 * the top level and in appraisals. The same table as tk_eat_names(),
 * which names both; never NULL.
 */
const struct tk_cbor_names *tk_ear_names(void);

#endif /* TK_EAR_H */
