/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bench for the TAM: a fresh SQLite store in a temporary folder, TAM
 * keys, a TAM state machine, and a fake TEEP Agent that builds and signs
 * QueryResponse (with EAT evidence), Success and Error messages with a test
 * key. The captured log lets tests check what a drop names.
 */
#ifndef FAKE_AGENT_H
#define FAKE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "store/tk_store.h"
#include "teep/tk_teep_msg.h"
#include "teep/tk_teep_tam.h"

/* Buffer for one message either way. */
#define BENCH_MSG_MAX (64u * 1024u)

/* Time the tests run at (seconds since the epoch). */
#define BENCH_NOW 1796428800

/* Token lifetime of the bench TAM, in seconds. */
#define BENCH_LIFETIME 60

struct bench {
	char dir[64];
	char path[96];
	struct tk_store store;
	const struct tk_crypto *crypto;
	struct tk_crypto_key *tam_p256, *tam_ed25519;
	struct tk_crypto_key *agent;     /* enrolled agent key */
	struct tk_crypto_key *stranger;  /* never enrolled */
	uint8_t agent_kid[32];
	uint8_t ueid[17];
	struct tk_log log;
	char last_notice[512];           /* last line the TAM logged at notice or above */
	enum tk_log_level last_level;    /* level of that line */
	size_t notice_lines;             /* lines logged at notice or above */
	struct tk_teep_tam tam;
	uint8_t work[2 * BENCH_MSG_MAX];
	struct tk_diag diag;
};

/* Row counts of every table, to show a rejection changed nothing. */
struct bench_counts {
	uint64_t devices, agent_keys, manifests, policies, installed, sessions,
		update_manifests, results, audit;
};

/* Set up with an agent key of this type, enrolled. Asserts on failure. */
void bench_setup(struct bench *b, enum tk_crypto_key_type agent_type);
void bench_teardown(struct bench *b);

/* Enroll another agent key and copy its kid. Asserts on failure. */
void bench_enroll(struct bench *b, const struct tk_crypto_key *key, uint8_t kid_out[32]);

/* Image digest that bench_require_all() registers with each manifest. */
extern const uint8_t bench_image_digest[32];

/* Register envelope bytes for a component id and require it on all devices. */
void bench_require_all(struct bench *b, struct tk_span component_id,
		       struct tk_span envelope);

/* Row counts now. */
struct bench_counts bench_counts(struct bench *b);

/* Fail with names and diagnostic when expected != actual. */
void bench_expect(const char *what, tk_err expected, tk_err actual,
		  const struct tk_diag *diag);

/*
 * Open a session (empty input), check the QueryRequest it returns verifies
 * with the TAM's ESP256 key, and copy its challenge. Returns the message
 * length; the message is in out.
 */
size_t bench_connect(struct bench *b, int64_t now, uint8_t *challenge,
		     size_t *challenge_len, uint8_t *out, size_t out_cap);

/* What a fake QueryResponse carries. */
struct fake_query_response {
	struct tk_crypto_key *signer;       /* TEEP message key */
	struct tk_crypto_key *attester;     /* evidence key (usually the same) */
	struct tk_span nonce;               /* eat_nonce */
	struct tk_span token;               /* empty: no token */
	const struct tk_span *installed;    /* tc-list component ids */
	size_t installed_count;
	const struct tk_span *requested;    /* requested-tc-list component ids */
	size_t requested_count;
	bool omit_evidence;
	bool other_image;                   /* report a digest other than
					       bench_image_digest */
	struct tk_span payload;             /* non-empty: sent as the
					       attestation-payload instead of
					       evidence (a passport result) */
	struct tk_span format;              /* attestation-payload-format,
					       empty: absent */
	struct tk_crypto_key *encrypt_to;   /* non-NULL: the evidence is
					       encrypted to this TAM key
					       ("EAT Encryption", A128GCM) */
	const struct tk_span *suit_reports; /* boot-time SUIT reports */
	size_t suit_report_count;
};

/* Build and sign a QueryResponse. Returns its length. */
size_t fake_query_response(struct bench *b, const struct fake_query_response *q,
			   uint8_t *out, size_t out_cap);

/* Build and sign a Success (err_code 0) or Error with this token. */
size_t fake_result(struct bench *b, struct tk_crypto_key *signer, struct tk_span token,
		   uint64_t err_code, uint8_t *out, size_t out_cap);

/*
 * Verify an Update from the TAM with the TAM key of the given type, decode
 * it into *msg (views into the payload inside out) and return it.
 */
void bench_open_update(struct bench *b, const uint8_t *msg_buf, size_t len,
		       enum tk_crypto_key_type tam_key, struct tk_teep_msg *msg);

#endif /* FAKE_AGENT_H */
