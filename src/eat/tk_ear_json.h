/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON form of EAR (a JWT, RFC 7519, signed as a JWS with ES256 in
 * compact serialization) and the relying-party check that takes either
 * form. These functions are the library tk_ear_json, apart from tk_eat,
 * because they parse JSON with jansson, which allocates: tk_eat keeps its
 * rule of no heap on parsing paths, and only programs (verifier, TAM, CLI)
 * link this one.
 *
 * JSON and CBOR forms map one to one (draft-ietf-rats-ear-03): the JWT
 * decoder transcodes the verified JSON claims into the CBOR Claims-Set in
 * a caller buffer and decodes that with tk_ear_decode(), so both forms
 * meet the same checks. Names of draft-03 ("ear_status") and of earlier
 * drafts ("ear.status", "ear.appraisal-policy-id") are accepted; names
 * written are draft-03's. Binary claims are base64url text in JSON.
 * Members the mapping does not know are skipped, as unknown CBOR labels
 * are. In JSON, cnf carries {"kid": base64url}; a COSE_Key cnf exists in
 * the CBOR form only.
 */
#ifndef TK_EAR_JSON_H
#define TK_EAR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"

/*
 * Maximum size of a JWT (TK_ERR_LIMIT_SIZE beyond), checked before
 * anything is decoded: the CBOR limit grown by the base64url and JSON
 * overhead.
 */
#define TK_EAR_JWT_MAX_SIZE (64u * 1024u)

/*
 * Sign ear as a JWT: header {"alg":"ES256","typ":"JWT","kid":
 * base64url(RFC 9679 thumbprint)}, the claims as JSON. Only P-256 keys
 * (TK_ERR_KEY otherwise); a cnf given only as a COSE_Key is
 * TK_ERR_UNSUPPORTED, as the JSON form carries a kid. Writes ASCII into out[0..out_cap), not
 * NUL-terminated.
 */
TK_MUST_CHECK tk_err tk_ear_sign_jwt(const struct tk_crypto *c,
				     const struct tk_crypto_key *key,
				     const struct tk_ear *ear, char *out,
				     size_t out_cap, size_t *out_len,
				     struct tk_diag *diag);

/*
 * Verify a JWT EAR with one of keys (P-256; alg must be ES256,
 * TK_ERR_ALG_UNSUPPORTED otherwise), then transcode its claims to CBOR
 * into cbor[0..cbor_cap) and decode them into *out, which views cbor.
 * *key_index receives the key that verified (may be NULL).
 */
TK_MUST_CHECK tk_err tk_ear_verify_jwt(const struct tk_crypto *c, const char *jwt,
				       size_t jwt_len,
				       const struct tk_crypto_key *const *keys,
				       size_t n_keys, uint8_t *cbor, size_t cbor_cap,
				       struct tk_ear *out, size_t *key_index,
				       struct tk_diag *diag);

/*
 * Transcode EAR claims from JSON text to the CBOR Claims-Set (no
 * signature involved: for inspection and tests). Writes into
 * cbor[0..cbor_cap).
 */
TK_MUST_CHECK tk_err tk_ear_json_to_cbor(const char *json, size_t json_len,
					 uint8_t *cbor, size_t cbor_cap,
					 size_t *cbor_len, struct tk_diag *diag);

/* Maximum number of reasons a decision records; later ones are counted. */
#define TK_EAR_MAX_REASONS 8

/* One reason of a relying-party decision. */
struct tk_ear_reason {
	tk_err code;                  /* what failed, TK_OK for information */
	char text[TK_DIAG_MSG_MAX];   /* sentence naming the values involved */
};

/* Result of tk_ear_check(). */
struct tk_ear_decision {
	bool affirming;               /* every check passed */
	bool verified;                /* signature verified, claims decoded */
	int64_t status;               /* overall status, when verified */
	struct tk_ear_reason reasons[TK_EAR_MAX_REASONS];
	size_t reason_count;          /* reasons recorded */
	size_t reasons_dropped;       /* reasons past TK_EAR_MAX_REASONS */
};

/* Expectations of a relying party. Zero-initialise; empty spans are skipped. */
struct tk_ear_expect {
	const struct tk_crypto_key *verifier_key; /* required, borrowed */
	struct tk_span nonce;         /* expected eat_nonce */
	struct tk_span ta_digest;     /* SHA-256 of a TA that must be listed in
					 the TEEP claims (measurements, or the
					 SUIT_Reference digest of manifests) */
	struct tk_span key_thumbprint;/* RFC 9679 thumbprint cnf must name */
	struct tk_span encryption_kid;/* RFC 9679 thumbprint of the TEE's
					 payload-encryption key, which a
					 teepkit-encryption-kid claim in the
					 TEEP claims must name */
	int64_t now;                  /* seconds since the epoch for exp; 0
					 skips the expiry check */
};

/*
 * Relying-party check of an attestation result in either form (a JWT is
 * recognised by its leading "ey"): signature by expect->verifier_key,
 * profile, overall status affirming, nonce (top level or any submodule's,
 * compared in constant time; a text nonce is compared with the base64url
 * form of the expected bytes), TA digest, cnf binding, encryption key
 * (teepkit-encryption-kid, absent or different is a reason), expiry. Every
 * failed check adds a reason; after a signature or decoding failure no
 * other check runs. Returns TK_OK when the decision is affirming, else
 * the code of the first reason (TK_ERR_POLICY when only the status is
 * not affirming). TK_ERR_ARG for missing arguments.
 */
TK_MUST_CHECK tk_err tk_ear_check(const struct tk_crypto *c, const uint8_t *ear,
				  size_t ear_len, const struct tk_ear_expect *expect,
				  struct tk_ear_decision *decision,
				  struct tk_diag *diag);

#endif /* TK_EAR_JSON_H */
