/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP Agent protocol state machine (draft-ietf-teep-protocol, section
 * "TEEP Agent Behavior"), transport-free: bytes of a TAM message in, bytes
 * of the signed reply out. tk_teep_agent_run() drives one session over a
 * struct tk_transport_ops (the HTTP binding, or an in-process TAM in tests).
 *
 * The TEE is reached only through struct tk_teep_agent_tee_ops: the signing
 * key, the UEID, the list of installed components, unlinking a manifest and
 * running the SUIT update procedure on one envelope. The program layer
 * implements these on a TEE backend and the SUIT processor, so this layer
 * depends on neither.
 *
 * Session rules enforced here:
 * - A QueryRequest must be signed (COSE_Sign or COSE_Sign1) by one of the
 *   configured TAM keys with the algorithm of the TEE key (ESP256 -9 or
 *   Ed25519 -19; ES256 -7 and EdDSA -8 accepted from older TAMs). That
 *   algorithm is the session's cipher suite: every reply is a COSE_Sign1
 *   with the TEE key, and every later TAM message must be a COSE_Sign1
 *   verified with the same TAM key.
 * - A message no configured TAM key verifies is dropped without a reply,
 *   because the draft's validation steps require rejecting it and a reply
 *   would send signed data to an unauthenticated peer. The exception is a
 *   message signed only with algorithms the agent does not support: the
 *   draft requires an ERR_UNSUPPORTED_CIPHER_SUITES (5) Error listing the
 *   agent's suite, which reveals nothing else.
 * - Any other invalid message (not CBOR, not COSE, invalid for the CDDL,
 *   not allowed in this state) gets an Error message in reply (err-code
 *   per the draft's table). Every reply echoes the token of the message it
 *   replies to, when that message had one.
 * - An Update is processed in the draft's order: unneeded-manifest-list
 *   first, then each manifest in order; the first failure stops it and is
 *   reported with ERR_MANIFEST_PROCESSING_FAILED (17) and an err-msg that
 *   names what failed. Manifests before the failing one stay installed.
 *
 * No heap use: messages are built in the caller's buffers.
 */
#ifndef TK_TEEP_AGENT_H
#define TK_TEEP_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "teep/tk_teep_agent_attest.h"
#include "teep/tk_teep_msg.h"
#include "teep/tk_teep_transport.h"

/*
 * Maximum number of TAM keys an agent trusts. More fail with
 * TK_ERR_LIMIT_COUNT. One key per cipher suite for each of a few TAMs.
 */
#define TK_TEEP_AGENT_MAX_TAM_KEYS 8

/*
 * Maximum number of messages the agent processes in one session. A TAM
 * needs three (QueryRequest, Update, then the end); more fail with
 * TK_ERR_LIMIT_COUNT so a hostile TAM cannot keep a session open forever.
 */
#define TK_TEEP_AGENT_MAX_ROUNDS 8

/*
 * Maximum number of requested component ids (RequestTA calls) per session.
 * More fail tk_teep_agent_init() with TK_ERR_LIMIT_COUNT. A node requests a
 * handful of TAs; 16 keeps the per-session check table on the stack.
 */
#define TK_TEEP_AGENT_MAX_REQUESTED 16

/* Maximum length of a session token (draft: bstr .size (8..64)). */
#define TK_TEEP_AGENT_MAX_TOKEN 64

/* Maximum length of device.agent_uri in bytes (TK_ERR_ARG when longer). */
#define TK_TEEP_AGENT_MAX_URI 256

/* Maximum err-msg length in bytes (draft: text .size (1..128)). */
#define TK_TEEP_AGENT_MAX_ERR_MSG 128

/* Size of the TAM's err-msg as kept for display: each byte at most "\xNN". */
#define TK_TEEP_AGENT_TAM_ERR_MSG_CAP (4 * TK_TEEP_AGENT_MAX_ERR_MSG + 1)

/*
 * Maximum SUIT reports in one Success or Error: one per manifest processed.
 * The reports of further manifests in a larger Update are left out, and a
 * log notice gives their count.
 */
#define TK_TEEP_AGENT_MAX_SUIT_REPORTS 16

/* Installed trusted component, as the TEE hooks report it. */
struct tk_teep_agent_component {
	struct tk_span id;        /* encoded SUIT_Component_Identifier */
	uint64_t sequence_number; /* of the manifest that installed it */
	uint8_t digest[32];       /* SHA-256 of the installed image */
};

/* Called once per installed component; anything but TK_OK stops the walk. */
typedef tk_err (*tk_teep_agent_visit_fn)(void *visit_ctx,
					 const struct tk_teep_agent_component *c);

/*
 * TEE hooks. A NULL hook makes the operation that needs it fail with
 * TK_ERR_UNSUPPORTED (the agent then responds to a QueryRequest or
 * Update with an Error, never with a made-up success).
 */
/*
 * Identity of a manifest that a process_manifest hook authenticated, for
 * errors and logs. `known` stays false until authentication succeeds,
 * because the fields of an unauthenticated manifest may be forged.
 */
struct tk_teep_agent_manifest_name {
	bool known;
	struct tk_span id;        /* manifest component id, view into the envelope */
	uint64_t sequence_number;
};

struct tk_teep_agent_tee_ops {
	/*
	 * The TEE signing key, a view valid while the backend is open, and
	 * its COSE algorithm (-9 ESP256 or -19 Ed25519).
	 */
	tk_err (*signing_key)(void *ctx, const struct tk_crypto_key **key,
			      int64_t *alg, struct tk_diag *diag);

	/* The device UEID (RFC 9711 section 4.2.1). */
	tk_err (*ueid)(void *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
		       struct tk_diag *diag);

	/* Visit every installed trusted component. */
	tk_err (*list_components)(void *ctx, tk_teep_agent_visit_fn visit,
				  void *visit_ctx, struct tk_diag *diag);

	/*
	 * Unlink the manifest with this manifest component id and remove what
	 * it installed, unless another installed manifest depends on it (it
	 * then stays until that one is unlinked). TK_ERR_NOT_FOUND when no
	 * such manifest is installed.
	 */
	tk_err (*unlink_manifest)(void *ctx, const uint8_t *id, size_t id_len,
				  struct tk_diag *diag);

	/*
	 * Run the SUIT update procedure on one envelope: authenticate it with
	 * the trusted component signers' keys, check anti-rollback, fetch and
	 * install its payloads atomically. On failure the TEE store is
	 * unchanged and diag names what failed. *name is filled as soon as
	 * the manifest is authenticated, so errors can name the manifest.
	 */
	tk_err (*process_manifest)(void *ctx, const uint8_t *envelope,
				   size_t envelope_len,
				   struct tk_teep_agent_manifest_name *name,
				   struct tk_diag *diag);

	/*
	 * Write the SUIT report of the last process_manifest call into out,
	 * signed with the TEE's report key (and encrypted to the TAM when its
	 * key is known). `nonce` becomes suit-report-nonce. It is the token of
	 * the Update (draft-ietf-teep-protocol, Success and Error messages).
	 * TK_ERR_NOT_FOUND when there is none. NULL: no SUIT reports.
	 */
	tk_err (*suit_report)(void *ctx, struct tk_span nonce, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag);

	/*
	 * Write stored boot-time SUIT report `index` (0 is the oldest; the
	 * reports of `teep-agent load`), protected like suit_report. Unless it
	 * is empty, `nonce` becomes suit-report-nonce. It is the QueryRequest's
	 * token (draft-ietf-teep-protocol, QueryResponse suit-reports).
	 * TK_ERR_NOT_FOUND past the last one. NULL: no boot reports.
	 */
	tk_err (*boot_report)(void *ctx, size_t index, struct tk_span nonce, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag);

	void *ctx;
};

/*
 * Device claims for the evidence (RFC 9711 sections 4.2.3-4.2.5 and
 * 4.2.15). The TEEP profile requires all of them.
 */
struct tk_teep_agent_device {
	struct tk_span oemid;     /* oemid: 16 random bytes or 3-byte IEEE OUI */
	struct tk_span hwmodel;   /* hwmodel bytes (1..32) */
	const char *hwversion;    /* hwversion text, NUL-terminated */
	/*
	 * The agent's own software for the manifests claim, as a
	 * SUIT_Reference (draft-ietf-suit-report section 4): a URI naming it
	 * and the SHA-256 digest of its code.
	 */
	const char *agent_uri;
	uint8_t agent_digest[32];
};

struct tk_teep_agent_config {
	const struct tk_crypto *crypto;
	/* Trusted TAM public keys; borrowed for the agent's lifetime. */
	const struct tk_crypto_key *tam_keys[TK_TEEP_AGENT_MAX_TAM_KEYS];
	size_t n_tam_keys;
	struct tk_teep_agent_tee_ops tee;
	struct tk_teep_agent_device device;
	/*
	 * Encoded component ids of TAs an application requested (RequestTA);
	 * those not installed go into requested-tc-list. Borrowed.
	 */
	const struct tk_span *requested;
	size_t n_requested;
	/*
	 * Scratch space for the reply payload and the evidence before they
	 * are signed; borrowed. TK_TEEP_AGENT_WORK_MIN bytes is enough for a
	 * few dozen installed components.
	 */
	uint8_t *work;
	size_t work_cap;
	/* Attestation hooks, borrowed; NULL: send evidence, keep no result. */
	const struct tk_teep_agent_attest_ops *attest;
	/*
	 * TAM's P-256 encryption public key, borrowed; NULL: evidence is sent
	 * in clear. When set, evidence (not a passport attestation result) is
	 * encrypted to it with "EAT Encryption" (tk_eat_encrypt(), A128GCM)
	 * and sent with format TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE.
	 */
	const struct tk_crypto_key *tam_encryption_key;
	const char *tam_uri;      /* for log lines only; may be NULL */
	const struct tk_log *log; /* may be NULL */
};

/* Suggested size of config.work. */
#define TK_TEEP_AGENT_WORK_MIN (16u * 1024u)

/* Kind of the last message the agent sent in a session. */
enum tk_teep_agent_sent {
	TK_TEEP_AGENT_SENT_NONE = 0,
	TK_TEEP_AGENT_SENT_QUERY_RESPONSE = 2,
	TK_TEEP_AGENT_SENT_SUCCESS = 5,
	TK_TEEP_AGENT_SENT_ERROR = 6,
};

enum tk_teep_agent_state {
	TK_TEEP_AGENT_IDLE = 0,    /* waiting for a QueryRequest */
	TK_TEEP_AGENT_QUERIED = 1, /* QueryResponse sent, waiting for an Update */
	TK_TEEP_AGENT_DONE = 2,    /* Success or Error sent after an Update */
};

/*
 * One agent session. Initialise with tk_teep_agent_init(); fields are
 * readable for logs and tests, never written by callers.
 */
struct tk_teep_agent {
	struct tk_teep_agent_config cfg;
	enum tk_teep_agent_state state;
	int64_t alg;                           /* TEE key algorithm */
	const struct tk_crypto_key *tee_key;   /* view from the TEE hooks */
	const struct tk_crypto_key *tam_key;   /* key that verified the QueryRequest */
	uint8_t token[TK_TEEP_AGENT_MAX_TOKEN]; /* of the last message verified */
	size_t token_len;                      /* 0 when it had none */
	enum tk_teep_agent_sent last_sent;
	uint64_t last_err_code;                /* err-code of the last Error sent */
	tk_err last_cause;                     /* why that Error was sent */
	char last_err_msg[TK_TEEP_AGENT_MAX_ERR_MSG + 1]; /* its err-msg */
	uint64_t tam_err_code;                 /* err-code the TAM put in its
						  Update, 0 when none */
	char tam_err_msg[TK_TEEP_AGENT_TAM_ERR_MSG_CAP]; /* its err-msg, control
							   characters escaped */
	unsigned installed;                    /* manifests installed this session */
	unsigned suit_reports;                 /* SUIT reports in the last reply */
	unsigned unlinked;                     /* manifests unlinked this session */
};

/*
 * Start a session: check the configuration and fetch the TEE key. Borrows
 * everything cfg points to for the lifetime of agent.
 */
TK_MUST_CHECK tk_err tk_teep_agent_init(struct tk_teep_agent *agent,
					const struct tk_teep_agent_config *cfg,
					struct tk_diag *diag);

/*
 * Process one message from the TAM and write the signed reply into
 * out[0..out_cap). Returns TK_OK with a reply (QueryResponse, Success or
 * an Error; agent->last_sent records which), or fails without a reply:
 * TK_ERR_UNTRUSTED when no trusted TAM key verifies the message (dropped),
 * TK_ERR_BUFFER_TOO_SMALL, or a local failure to sign. *out_len is 0 on
 * failure.
 */
TK_MUST_CHECK tk_err tk_teep_agent_process(struct tk_teep_agent *agent,
					   const uint8_t *in, size_t in_len,
					   uint8_t *out, size_t out_cap,
					   size_t *out_len, struct tk_diag *diag);

/*
 * Run one session over `transport`: an empty POST, then reply to each TAM
 * message until the TAM ends the session. buf and reply are the caller's
 * buffers for the received message and the reply. Returns TK_OK when the
 * session ended after a Success or without an Update; when the agent had to
 * send an Error, the cause of that Error (diag names what failed); transport
 * failures as the transport reports them.
 */
TK_MUST_CHECK tk_err tk_teep_agent_run(struct tk_teep_agent *agent,
				       const struct tk_transport_ops *transport,
				       uint8_t *buf, size_t buf_cap,
				       uint8_t *reply, size_t reply_cap,
				       struct tk_diag *diag);

#endif /* TK_TEEP_AGENT_H */
