/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TAM side of the TEEP protocol (draft-ietf-teep-protocol), without a
 * transport: each call takes the bytes an agent sent (none to open a
 * session) and returns the bytes to send back (none when the TAM has no
 * message for the agent). Persistence goes through a struct tk_store, signatures
 * and random values through a struct tk_crypto, so the same code runs
 * behind the HTTP server, in tests wired to an agent in one process, or in
 * a benchmark.
 *
 * Flow:
 *   empty input   -> QueryRequest as COSE_Sign signed with the ESP256 and
 *                    the Ed25519 key, asking for attestation and trusted
 *                    components, offering cipher suites [[18,-9]] and
 *                    [[18,-19]], with a fresh challenge: random, or
 *                    the session nonce of the verifier that will
 *                    appraise the evidence (new_challenge hook).
 *   QueryResponse -> verify (enrolled agent key by kid), appraise the
 *                    attestation-payload (see "Attestation" below), use up
 *                    the challenge it responds to, apply the device group's
 *                    policy, record the appraisal and the device, then
 *                    either an Update (COSE_Sign1 with the suite the agent
 *                    used, fresh token) with the required-but-missing and
 *                    the requested manifests and any result to hand back,
 *                    an Update with err-code 7 and no manifests when the
 *                    policy refuses, or no message.
 *   Success/Error -> verify, use the Update's token up, record the result,
 *                    no message.
 *
 * Token and challenge (draft section "QueryRequest Message"): the token
 * "MUST be present if and only if the attestation bit is clear", so a
 * QueryRequest that requests attestation carries only the challenge, and
 * the QueryResponse is matched by the eat_nonce of its evidence, or by the
 * eat_nonce of the attestation result it presents. Updates
 * carry a token, matched by Success and Error. Both are 32 random bytes
 * (a verifier's session nonce has its own length, 8..64 bytes),
 * single use and expire after the configured lifetime.
 *
 * Every step is one store transaction. A message the TAM rejects is
 * dropped: the transaction is rolled back (the store is unchanged, the
 * token or challenge stays usable until it expires), the reason is logged
 * at notice with the agent's kid and a challenge or token prefix, at most
 * TK_LOG_LIMIT_DEFAULT_PER_SECOND lines per second, and the call returns the
 * error with no output. tk_teep_tam_is_drop() tells such errors from failures of
 * the TAM itself; the HTTP glue answers the first with 204 (the binding's
 * empty message) and the second with 500. A new session refused because
 * max_sessions are outstanding gets 503.
 */
#ifndef TK_TEEP_TAM_H
#define TK_TEEP_TAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_log_limit.h"
#include "crypto/tk_crypto.h"
#include "store/tk_store.h"
#include "store/tk_store_attest.h"

/* Length of the tokens and challenges the TAM creates, in bytes. */
#define TK_TEEP_TAM_NONCE_LEN 32

/* Default lifetime of a token or challenge, in seconds. */
#define TK_TEEP_TAM_DEFAULT_LIFETIME 300

/*
 * Maximum manifests in one Update. When more are due, or their envelopes
 * do not fit one response together, the first ones are sent and a notice is
 * logged. The others are still missing at the next QueryResponse, so they
 * go in a later Update. A manifest too large for any response is logged as
 * an error and never sent.
 */
#define TK_TEEP_TAM_MAX_UPDATE_MANIFESTS 16

/* Maximum tc-list entries recorded per device (TK_ERR_LIMIT_COUNT beyond). */
#define TK_TEEP_TAM_MAX_TC_LIST 256

/*
 * Default maximum of outstanding sessions: rows of the session table, used
 * or not, until they expire and are purged. A new session beyond it fails
 * with TK_ERR_LIMIT_COUNT, so a client that sends empty POSTs in a loop
 * cannot grow the database without bound. At the default lifetime it
 * admits 33 new sessions per second on average.
 */
#define TK_TEEP_TAM_DEFAULT_MAX_SESSIONS 10000

/*
 * Attestation (RFC 9334). The TAM appraises each QueryResponse's
 * attestation-payload in one of three ways:
 *   - enrolled-key mode (struct tk_teep_tam_config.verifier NULL): the
 *     evidence must be an EAT signed by the enrolled agent key, with the
 *     challenge as eat_nonce and cnf naming that key. A verified EAT counts
 *     as "affirming"; nothing is compared with reference values, and an
 *     attestation result from the agent is rejected.
 *   - background check: the verifier's appraise_evidence hook passes the
 *     evidence to a verifier (in process or over HTTP) and returns its
 *     signed result (EAR), which the TAM keeps and hands back to the agent
 *     in its Update.
 *   - passport: the agent presents an EAR (tk_teep_payload_is_result());
 *     verify_result checks it was signed by a trusted verifier, is bound by
 *     cnf to the key that signed the QueryResponse, and returns its nonce,
 *     which must equal an outstanding challenge.
 * Then the policy of the device's group decides: affirming proceeds,
 * warning proceeds only when the group accepts warnings, contraindicated
 * and none get an Update with err-code ERR_ATTESTATION_REQUIRED (7), an
 * err-msg and no manifests (draft section "Handling an Attestation
 * Result", case 1). Every appraisal is recorded in the store.
 */

/* Maximum length of an appraisal's reason, with the NUL. */
#define TK_TEEP_TAM_REASON_CAP 128

/* Maximum length of an appraisal's verifier name, with the NUL. */
#define TK_TEEP_TAM_VERIFIER_NAME_CAP 64

/* Input of an appraisal hook. Spans are borrowed for the call. */
struct tk_teep_tam_attestation {
	struct tk_span payload;    /* attestation-payload */
	struct tk_span format;     /* attestation-payload-format; empty when absent */
	struct tk_span challenge;  /* appraise_evidence: the eat_nonce the evidence
				      carries, which the TAM checks is an
				      outstanding challenge; verify_result: empty */
	struct tk_span agent_kid;  /* RFC 9679 thumbprint of the key that signed
				      the QueryResponse; cnf must name it */
	int64_t now;               /* seconds since the epoch */
};

/* Outcome of an appraisal hook. Spans are views valid until the next call. */
struct tk_teep_tam_appraisal {
	enum tk_store_tier tier;
	struct tk_span ueid;       /* device the evidence or result names */
	struct tk_span nonce;      /* verify_result: the result's eat_nonce */
	struct tk_span result;     /* signed attestation result; empty when none */
	struct tk_span media_type; /* of result */
	char verifier[TK_TEEP_TAM_VERIFIER_NAME_CAP]; /* who appraised, for records */
	char reason[TK_TEEP_TAM_REASON_CAP]; /* why not affirming; "" when affirming */
};

/*
 * Verifier hooks. A NULL appraise_evidence or verify_result makes a
 * payload that needs it fail with TK_ERR_POLICY (the message is dropped).
 * A hook returns TK_OK with a tier for anything it appraised, including a
 * contraindicated result, and an error only when there is nothing to
 * appraise (malformed, not signed by a trusted verifier, wrong cnf, stale).
 * appraise_evidence may return tier none with no UEID when the verifier
 * refused the evidence; the TAM then takes the UEID the evidence names.
 */
struct tk_teep_tam_verifier_ops {
	/*
	 * Write the challenge of a new QueryRequest into out[0..cap), 8..64
	 * bytes (an HTTP verifier hands out its session nonce). NULL: the TAM
	 * draws TK_TEEP_TAM_NONCE_LEN random bytes.
	 */
	tk_err (*new_challenge)(void *ctx, int64_t now, uint8_t *out, size_t cap,
				size_t *out_len, struct tk_diag *diag);
	tk_err (*appraise_evidence)(void *ctx, const struct tk_teep_tam_attestation *in,
				    struct tk_teep_tam_appraisal *out, struct tk_diag *diag);
	tk_err (*verify_result)(void *ctx, const struct tk_teep_tam_attestation *in,
				struct tk_teep_tam_appraisal *out, struct tk_diag *diag);
	void *ctx;
};

struct tk_teep_tam_config {
	const struct tk_crypto *crypto;          /* borrowed */
	const struct tk_store *store;            /* borrowed */
	const struct tk_crypto_key *esp256_key;  /* TAM P-256 private key, borrowed */
	const struct tk_crypto_key *ed25519_key; /* TAM Ed25519 private key, borrowed */
	int64_t lifetime;                        /* token/challenge lifetime, s; 0 = default */
	size_t max_sessions;                     /* outstanding sessions; 0 = default */
	const struct tk_log *log;                /* may be NULL */
	/* Verifier hooks, borrowed; NULL selects the enrolled-key mode. */
	const struct tk_teep_tam_verifier_ops *verifier;
	/*
	 * P-256 private key that agents encrypt SUIT reports to, borrowed.
	 * NULL: a message with an encrypted report is dropped (TK_ERR_KEY).
	 */
	const struct tk_crypto_key *report_key;
	/*
	 * P-256 private key that agents encrypt evidence to ("EAT Encryption",
	 * format TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE), borrowed. The evidence
	 * is decrypted before any appraisal, so verifier hooks get the EAT.
	 * NULL: a QueryResponse with encrypted evidence is dropped (TK_ERR_KEY).
	 */
	const struct tk_crypto_key *evidence_key;
	/*
	 * Scratch buffer, borrowed. It contains the envelopes of an Update and
	 * then the message before it is signed, so it must be twice the
	 * largest Update: give twice the response limit of the transport.
	 */
	uint8_t *work;
	size_t work_cap;
};

/* TAM state machine. Fields are private; initialise with tk_teep_tam_init(). */
struct tk_teep_tam {
	struct tk_teep_tam_config cfg;
	uint8_t esp256_kid[TK_CRYPTO_SHA256_LEN];
	uint8_t ed25519_kid[TK_CRYPTO_SHA256_LEN];
	struct tk_log_limit drop_log_limit;            /* lines on dropped messages */
	struct tk_log_limit untokened_error_log_limit; /* lines on Errors without token */
};

/*
 * Check cfg (both keys present, private and of the right type) and compute
 * the TAM's kids. Copies cfg; the pointers in it stay borrowed.
 */
TK_MUST_CHECK tk_err tk_teep_tam_init(struct tk_teep_tam *tam,
				      const struct tk_teep_tam_config *cfg,
				      struct tk_diag *diag);

/*
 * Process one message from an agent (in_len 0: a new session) at time
 * `now` (seconds since the epoch) and write the response into
 * out[0..out_cap). *out_len 0 means no message. On failure *out_len is 0
 * and nothing was stored; see tk_teep_tam_is_drop(). Borrows in.
 */
TK_MUST_CHECK tk_err tk_teep_tam_process(struct tk_teep_tam *tam, int64_t now,
					 const uint8_t *in, size_t in_len,
					 uint8_t *out, size_t out_cap, size_t *out_len,
					 struct tk_diag *diag);

/*
 * True when err means the agent's message was rejected (malformed, invalid,
 * over a limit, not authentic, stale or not allowed), false when the TAM
 * itself failed (storage, memory, internal). Only a message can be dropped:
 * a new session (in_len 0) that fails, for example with TK_ERR_LIMIT_COUNT
 * when too many sessions are outstanding, is reported to the client as an
 * error.
 */
bool tk_teep_tam_is_drop(tk_err err);

#endif /* TK_TEEP_TAM_H */
