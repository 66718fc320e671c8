/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The appraisal library of the RATS Verifier (RFC 9334 section 3). It
 * takes TEEP evidence (an EAT of the TEEP profile, with a TPM quote when
 * the agent has the TPM backend) and appraises it against endorsements and
 * reference values. The outcome is a signed attestation result in the EAR
 * format of draft-ietf-rats-ear. teep-verifier serves it over HTTP; a TAM
 * can call it in its own process (background-check model without a
 * network hop).
 *
 * The library has no I/O of its own. Endorsements, reference values,
 * sessions and the results history are reached through struct
 * tk_verifier_store_ops; tk_verifier_sqlite.h gives the SQLite backend.
 * Times are given by the caller, in seconds since the Unix epoch.
 *
 * Outcomes of tk_verifier_appraise():
 *   - TK_OK with an attestation result: the evidence was appraised, and the
 *     EAR gives its status (affirming, warning, contraindicated, none).
 *     A bad signature, an unknown key or an unknown TA gives an EAR, not an
 *     error, so a relying party learns why.
 *   - an error and no result, when there is nothing the verifier can
 *     vouch for: unknown session (TK_ERR_NOT_FOUND), a session already used
 *     (TK_ERR_REPLAY) or expired (TK_ERR_EXPIRED), eat_nonce other than the
 *     session's (TK_ERR_NONCE), evidence that is not a COSE_Sign1 over a
 *     TEEP-profile Claims-Set (the code of the first failed check), or a
 *     failure of the store, the clock or the signing key.
 * docs/verifier.md lists which check sets which trustworthiness claim.
 */
#ifndef TK_VERIFIER_H
#define TK_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"

/* Length of a session id (random bytes; hex in URLs) and of its nonce. */
#define TK_VERIFIER_SESSION_ID_LEN 16
#define TK_VERIFIER_NONCE_LEN 32

/* Default lifetime of a session, in seconds. */
#define TK_VERIFIER_DEFAULT_LIFETIME 300

/*
 * Default maximum of sessions kept until they expire and are purged. A new
 * session beyond it fails with TK_ERR_LIMIT_COUNT (HTTP 503), so a client
 * calling newSession in a loop cannot grow the database without bound.
 */
#define TK_VERIFIER_DEFAULT_MAX_SESSIONS 10000

/*
 * Maximum size of an attestation result, in bytes (CWT or JWT). The
 * largest EAR repeats the TEEP claims of evidence of TK_EAT_MAX_SIZE
 * (16 KiB). The JWT form encodes binary claims in base64url and then the
 * whole payload again, which grows that to about 30 KiB (an estimate), so
 * the JWT limit of tk_ear_json.h, 64 KiB, is enough for both forms. A
 * smaller output buffer fails with TK_ERR_BUFFER_TOO_SMALL.
 */
#define TK_VERIFIER_RESULT_MAX (64u * 1024u)

/* Limits of the store records, checked on add (TK_ERR_LIMIT_SIZE). */
#define TK_VERIFIER_UEID_MAX 33         /* RFC 9711 section 4.2.1 */
#define TK_VERIFIER_KID_LEN 32          /* RFC 9679 SHA-256 thumbprint */
#define TK_VERIFIER_COSE_KEY_MAX 256    /* encoded public COSE_Key */
#define TK_VERIFIER_NAME_MAX 128        /* vendor and class texts */
#define TK_VERIFIER_COMPONENT_MAX 256   /* component identifier bytes */
#define TK_VERIFIER_DIGEST_MAX 64       /* SHA-512 would need 64 */
#define TK_VERIFIER_CERT_MAX 4096       /* one DER certificate */
#define TK_VERIFIER_REASON_MAX 256      /* text of an appraisal reason */

/* Trustworthiness tiers (draft-ietf-rats-ar4si), the values of ear.status. */
enum tk_verifier_tier {
	TK_VERIFIER_TIER_NONE = 0,
	TK_VERIFIER_TIER_AFFIRMING = 2,
	TK_VERIFIER_TIER_WARNING = 32,
	TK_VERIFIER_TIER_CONTRAINDICATED = 96,
};

/* Trustworthiness claims: index = label in ear.trustworthiness-vector. */
enum tk_verifier_claim {
	TK_VERIFIER_INSTANCE_IDENTITY = 0,
	TK_VERIFIER_CONFIGURATION = 1,
	TK_VERIFIER_EXECUTABLES = 2,
	TK_VERIFIER_FILE_SYSTEM = 3,
	TK_VERIFIER_HARDWARE = 4,
	TK_VERIFIER_RUNTIME_OPAQUE = 5,
	TK_VERIFIER_STORAGE_OPAQUE = 6,
	TK_VERIFIER_SOURCED_DATA = 7,
	TK_VERIFIER_CLAIM_COUNT = 8,
};

/* A trustworthiness vector: value[i] is valid when bit i of present is set. */
struct tk_verifier_vector {
	uint8_t present;                      /* bit per enum tk_verifier_claim */
	int8_t value[TK_VERIFIER_CLAIM_COUNT]; /* -128..127, AR4SI values */
};

/* Tier of one trustworthiness claim value (AR4SI section "Tiers"). */
enum tk_verifier_tier tk_verifier_tier_of(int value);

/* Name of a tier ("affirming"), or "unknown". */
const char *tk_verifier_tier_name(enum tk_verifier_tier tier);

/* Name of a trustworthiness claim ("instance-identity"), or NULL. */
const char *tk_verifier_claim_name(enum tk_verifier_claim claim);

/* ---- Store interface ---- */

/* A pending AK enrollment, defined in tk_verifier_ak.h. */
struct tk_verifier_ak_pending;

/*
 * A session: one nonce with an expiry. The store's session_take hook marks
 * it used and rejects a second take with TK_ERR_REPLAY.
 */
struct tk_verifier_session {
	uint8_t id[TK_VERIFIER_SESSION_ID_LEN];
	uint8_t nonce[TK_VERIFIER_NONCE_LEN];
	int64_t created_at;
	int64_t expires_at; /* rejected at or after this time */
};

/*
 * An enrolled attestation key: the key that signs a simulated TEE's
 * evidence, or a TPM attestation key (AK).
 */
struct tk_verifier_attest_key {
	uint8_t kid[TK_VERIFIER_KID_LEN];           /* RFC 9679 thumbprint */
	uint8_t cose_key[TK_VERIFIER_COSE_KEY_MAX]; /* public COSE_Key */
	size_t cose_key_len;
	uint8_t ueid[TK_VERIFIER_UEID_MAX];         /* the device it belongs to */
	size_t ueid_len;
};

/*
 * A reference value: the digest a component must have. `component` is the
 * encoded SUIT component identifier of a measurements entry, or the URI
 * bytes of a manifests entry (SUIT_Reference). Vendor and class name the
 * producer and product line, as in a CoMID environment.
 */
struct tk_verifier_refval {
	char vendor[TK_VERIFIER_NAME_MAX];
	char class_name[TK_VERIFIER_NAME_MAX];
	uint8_t component[TK_VERIFIER_COMPONENT_MAX];
	size_t component_len;
	int64_t digest_alg;                       /* COSE algorithm, -16 SHA-256 */
	uint8_t digest[TK_VERIFIER_DIGEST_MAX];
	size_t digest_len;
};

/* Outcome of comparing one component and digest with the reference values. */
enum tk_verifier_refval_match {
	TK_VERIFIER_REFVAL_UNKNOWN = 0,  /* no reference value names the component */
	TK_VERIFIER_REFVAL_MISMATCH = 1, /* the component is known, not this digest */
	TK_VERIFIER_REFVAL_MATCH = 2,    /* component and digest match one */
};

/* A trusted EK CA certificate (an endorsement of TPM manufacturers). */
struct tk_verifier_ek_ca {
	uint8_t der[TK_VERIFIER_CERT_MAX];
	size_t der_len;
};

/* One appraisal in the results history. Spans are borrowed on add. */
struct tk_verifier_result_record {
	uint8_t session_id[TK_VERIFIER_SESSION_ID_LEN]; /* zero in-process */
	bool has_session;
	struct tk_span ueid;           /* empty when the evidence named none */
	int64_t appraised_at;
	enum tk_verifier_tier status;
	struct tk_verifier_vector vector;
	const char *reason;            /* first check below affirming, or "" */
	struct tk_span ear;            /* the signed result as returned (CWT or JWT) */
};

/*
 * Persistence hooks. A NULL hook makes the operation that needs it fail
 * with TK_ERR_UNSUPPORTED. Each hook runs in its own transaction.
 */
struct tk_verifier_store_ops {
	/* Add a session; TK_ERR_LIMIT_COUNT when max_sessions unexpired ones exist. */
	tk_err (*session_add)(void *ctx, const struct tk_verifier_session *session,
			      int64_t now, size_t max_sessions, struct tk_diag *diag);
	/*
	 * Mark a session used and return it: TK_ERR_NOT_FOUND when unknown,
	 * TK_ERR_REPLAY when used before, TK_ERR_EXPIRED at or after its
	 * expiry. Marking and reading are one transaction, so a session
	 * succeeds here once.
	 */
	tk_err (*session_take)(void *ctx, const uint8_t id[TK_VERIFIER_SESSION_ID_LEN],
			       int64_t now, struct tk_verifier_session *out,
			       struct tk_diag *diag);
	/* Delete sessions expired before now; *removed gets the count. */
	tk_err (*session_purge)(void *ctx, int64_t now, uint64_t *removed,
				struct tk_diag *diag);
	/* Look up an enrolled attestation key by kid (TK_ERR_NOT_FOUND). */
	tk_err (*key_get)(void *ctx, struct tk_span kid, struct tk_verifier_attest_key *out,
			  struct tk_diag *diag);
	/*
	 * Compare a component's digest with the reference values; *match gets
	 * the outcome and, for a match, *out the reference value (out may be
	 * NULL).
	 */
	tk_err (*refval_match)(void *ctx, struct tk_span component, int64_t digest_alg,
			       struct tk_span digest, enum tk_verifier_refval_match *match,
			       struct tk_verifier_refval *out, struct tk_diag *diag);
	/* The i-th trusted EK CA certificate; TK_ERR_NOT_FOUND past the last. */
	tk_err (*ek_ca_get)(void *ctx, size_t index, struct tk_verifier_ek_ca *out,
			    struct tk_diag *diag);
	/* Append an appraisal to the results history. */
	tk_err (*result_add)(void *ctx, const struct tk_verifier_result_record *rec,
			     struct tk_diag *diag);
	/* AK enrollment by credential activation: see tk_verifier_ak.h. */
	tk_err (*ak_pending_add)(void *ctx, const struct tk_verifier_ak_pending *pending,
				 int64_t now, size_t max_pending, struct tk_diag *diag);
	tk_err (*ak_pending_take)(void *ctx, const uint8_t *id, int64_t now,
				  struct tk_verifier_ak_pending *out, struct tk_diag *diag);
	tk_err (*ak_enroll)(void *ctx, const struct tk_verifier_ak_pending *pending,
			    int64_t now, struct tk_diag *diag);
	tk_err (*ak_binding_get)(void *ctx, struct tk_span kid,
				 uint8_t ek_cert_digest[32], struct tk_diag *diag);
	void *ctx;
};

/* ---- The verifier ---- */

/* Configuration. Zero-initialise, then set every field that applies. */
struct tk_verifier_config {
	const struct tk_crypto *crypto;
	const struct tk_verifier_store_ops *store; /* borrowed */
	/* Key that signs results: P-256 with its private part (ESP256), borrowed. */
	const struct tk_crypto_key *signing_key;
	const char *developer;      /* ear.verifier-id developer; NULL: "teepkit" */
	const char *build;          /* ear.verifier-id build; NULL: "teepkit" */
	int64_t lifetime;           /* session lifetime in seconds; 0: default */
	size_t max_sessions;        /* 0: TK_VERIFIER_DEFAULT_MAX_SESSIONS */
	/*
	 * Seconds a result stays valid: the EAR's exp is iat plus this. 0
	 * writes no exp, and the relying party decides how old a result it
	 * accepts.
	 */
	int64_t result_lifetime;
	bool keep_history;          /* call result_add for every appraisal */
	const struct tk_log *log;   /* may be NULL */
};

/* A verifier. Initialise with tk_verifier_init(); it owns no heap memory. */
struct tk_verifier {
	struct tk_verifier_config cfg;
	uint8_t signing_kid[TK_VERIFIER_KID_LEN]; /* thumbprint of signing_key */
};

/* Check cfg and initialise v. Borrows everything cfg points to. */
TK_MUST_CHECK tk_err tk_verifier_init(struct tk_verifier *v,
				      const struct tk_verifier_config *cfg,
				      struct tk_diag *diag);

/*
 * Start a session: a fresh random id and nonce, stored with an expiry of
 * now + lifetime. TK_ERR_LIMIT_COUNT when max_sessions are outstanding.
 * *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_verifier_new_session(struct tk_verifier *v, int64_t now,
					     struct tk_verifier_session *out,
					     struct tk_diag *diag);

/*
 * Start a session whose nonce the caller chose: a relying party that
 * issued it as its own challenge (a TAM's QueryRequest challenge, which an
 * agent obtaining a passport result passes on) finds it in the result.
 * Another session may have the same nonce, such as the one the TAM opened
 * for that challenge. Sessions are found by id, and each is single use.
 * Otherwise as tk_verifier_new_session().
 */
TK_MUST_CHECK tk_err tk_verifier_new_session_with_nonce(
	struct tk_verifier *v, int64_t now, const uint8_t nonce[TK_VERIFIER_NONCE_LEN],
	struct tk_verifier_session *out, struct tk_diag *diag);

/* Delete expired sessions; *removed gets the count (may be NULL). */
TK_MUST_CHECK tk_err tk_verifier_purge(struct tk_verifier *v, int64_t now,
				       uint64_t *removed, struct tk_diag *diag);

/* Format of the attestation result. */
enum tk_verifier_format {
	TK_VERIFIER_EAR_CWT = 1, /* COSE_Sign1 (tag 18) over the EAR claims,
				    application/eat+cwt */
	TK_VERIFIER_EAR_JWT = 2, /* JWS compact serialization, ES256,
				    application/eat+jwt */
};

/* Appraisal request. Zero-initialise, then set the fields that apply. */
struct tk_verifier_request {
	/*
	 * Session whose nonce the evidence carries (teep-verifier's
	 * challenge-response).
	 * When has_session is false, `nonce` is the expected eat_nonce
	 * instead: the in-process caller (a TAM) issued it as its challenge and
	 * is responsible for its single use and expiry.
	 */
	bool has_session;
	uint8_t session_id[TK_VERIFIER_SESSION_ID_LEN];
	struct tk_span nonce;
	struct tk_span evidence;  /* the EAT as the agent sent it, borrowed */
	/*
	 * Thumbprint (RFC 9679) of the key that signed the TEEP message
	 * carrying the evidence. The evidence's cnf must name it, and the EAR's
	 * cnf repeats it. When empty, the cnf of the evidence is taken as it is.
	 */
	struct tk_span cnf_kid;
	enum tk_verifier_format format; /* 0: TK_VERIFIER_EAR_CWT */
};

/* Summary of an attestation result, besides the signed EAR. */
struct tk_verifier_result {
	enum tk_verifier_tier status;      /* ear.status of the "teep" submodule */
	struct tk_verifier_vector vector;  /* its trustworthiness vector */
	uint8_t ueid[TK_VERIFIER_UEID_MAX];
	size_t ueid_len;
	uint8_t cnf_kid[TK_VERIFIER_KID_LEN]; /* key the result is bound to */
	int64_t iat;
	bool has_tpm_quote;                /* the evidence carried a TPM quote */
	char reason[TK_VERIFIER_REASON_MAX]; /* first check below affirming, or "" */
	size_t ear_len;                    /* bytes of EAR written to the output */
};

/*
 * Appraise req->evidence and write the signed EAR into out[0..out_cap)
 * (TK_VERIFIER_RESULT_MAX bytes are enough). On TK_OK *res summarises the
 * EAR; see the file comment for the errors. With a session, the session is
 * used up by this call even when the appraisal then fails. *res is zeroed
 * on failure. Safe to call from one thread at a time per struct tk_verifier.
 */
TK_MUST_CHECK tk_err tk_verifier_appraise(struct tk_verifier *v, int64_t now,
					  const struct tk_verifier_request *req,
					  uint8_t *out, size_t out_cap,
					  struct tk_verifier_result *res,
					  struct tk_diag *diag);

#endif /* TK_VERIFIER_H */
