/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TAM persistence behind one interface: a struct tk_store_ops table with a
 * void *ctx, so the TAM state machine and the admin commands never see which
 * database stores their records. SQLite is the first backend
 * (tk_store_sqlite.h); a PostgreSQL backend can follow with the same schema
 * and migrations (tk_store_schema.h).
 *
 * Records:
 *   devices     one per UEID, with first and last seen times
 *   agent_keys  enrolled TEEP Agent public keys by kid (RFC 9679 thumbprint)
 *   manifests   registered SUIT envelopes by manifest component id and
 *               sequence number
 *   manifest_components  the component ids each registered manifest
 *               installs (its SUIT common.components)
 *   policies    "device X (or every device) must have manifest component id Y"
 *   installed   what each device reported in its last QueryResponse
 *   sessions    outstanding TAM requests: token or challenge, expiry, state
 *   unrequired  "device X (or every device) was required to have manifest
 *               component id Y": policies an administrator removed
 *   update_manifests  the manifests each outstanding Update carries
 *   results     Success and Error messages received
 *   audit       one line per change of state, for operators
 *
 * Transactions: the TAM opens one with begin(), calls the record hooks, and
 * ends it with commit() or rollback(), so every protocol step is applied
 * whole or not at all. Hooks called outside a transaction run in their own.
 *
 * Times are seconds since the Unix epoch, given by the caller so tests can
 * control the clock. Every hook that the backend does not provide is NULL,
 * and the tk_store_*() wrappers below fail with TK_ERR_UNSUPPORTED for it.
 */
#ifndef TK_STORE_H
#define TK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "store/tk_store_attest.h"
#include "store/tk_store_report.h"

/* Length of a kid: a SHA-256 COSE key thumbprint (RFC 9679). */
#define TK_STORE_KID_LEN 32

/*
 * Maximum UEID length. RFC 9711 section 4.2.1 allows 7 to 33 bytes; 64
 * leaves room for vendor UEIDs without letting a peer grow records.
 * Longer values fail with TK_ERR_LIMIT_SIZE.
 */
#define TK_STORE_UEID_MAX 64

/*
 * Maximum length of an encoded SUIT_Component_Identifier. Component ids are
 * a few short byte strings in practice; longer ones fail with
 * TK_ERR_LIMIT_SIZE.
 */
#define TK_STORE_COMPONENT_ID_MAX 256

/* Maximum number of component ids recorded for one manifest, the same bound
 * as TK_SUIT_MAX_COMPONENTS in the SUIT decoder. */
#define TK_STORE_MANIFEST_COMPONENTS_MAX 8

/* Maximum encoded COSE_Key length (a P-256 public key takes 77 bytes). */
#define TK_STORE_PUBKEY_MAX 256

/* Maximum digest length (SHA-512 would need 64). */
#define TK_STORE_DIGEST_MAX 64

/* Token and challenge limits of draft-ietf-teep-protocol section 4.2. */
#define TK_STORE_TOKEN_MAX 64
#define TK_STORE_CHALLENGE_MAX 512

/* Maximum length of a free-text field (error message, audit detail). */
#define TK_STORE_TEXT_MAX 256

/* State of an outstanding request. Stored as integers; never renumber. */
enum tk_store_session_state {
	TK_STORE_SESSION_QUERY_SENT = 1,  /* QueryRequest sent, QueryResponse due */
	TK_STORE_SESSION_UPDATE_SENT = 2, /* Update sent, Success or Error due */
};

/* Session field that an incoming message is matched on. */
enum tk_store_session_key {
	TK_STORE_BY_TOKEN = 1,     /* the TEEP token parameter */
	TK_STORE_BY_CHALLENGE = 2, /* the challenge, echoed as eat_nonce */
};

/* An enrolled TEEP Agent key. */
struct tk_store_agent_key {
	uint8_t kid[TK_STORE_KID_LEN];
	int64_t alg;                         /* COSE algorithm, e.g. -9 or -19 */
	uint8_t pubkey[TK_STORE_PUBKEY_MAX]; /* public part as an encoded COSE_Key */
	size_t pubkey_len;
	uint8_t ueid[TK_STORE_UEID_MAX];     /* device last seen with this key */
	size_t ueid_len;                     /* 0 until the key is first used */
	int64_t enrolled_at;
};

/* A registered SUIT manifest; envelope and ids are views, see each hook. */
/* Storage for the views of a struct tk_store_manifest read by manifest_get. */
struct tk_store_manifest_buf {
	uint8_t component_id[TK_STORE_COMPONENT_ID_MAX];
	uint8_t digest[TK_STORE_DIGEST_MAX];
	uint8_t image_digest[TK_STORE_DIGEST_MAX];
};

struct tk_store_manifest {
	struct tk_span component_id; /* encoded SUIT_Component_Identifier */
	uint64_t sequence;           /* suit-manifest-sequence-number */
	struct tk_span digest;       /* SHA-256 of the encoded SUIT_Manifest */
	struct tk_span image_digest; /* SHA-256 the manifest requires of the
					image it installs; empty if unknown */
	struct tk_span envelope;     /* the whole SUIT_Envelope as received */
};

/* One trusted component a device reported (an entry of its tc-list). */
struct tk_store_installed {
	struct tk_span component_id;
	bool has_sequence;
	uint64_t sequence;
	struct tk_span digest;       /* empty when the device gave none */
};

/* An outstanding request of the TAM. */
struct tk_store_session {
	enum tk_store_session_state state;
	uint8_t token[TK_STORE_TOKEN_MAX];
	size_t token_len;                    /* 0 when the request had no token */
	uint8_t challenge[TK_STORE_CHALLENGE_MAX];
	size_t challenge_len;                /* 0 when the request had no challenge */
	int64_t created_at;
	int64_t expires_at;                  /* rejected at or after this time */
	int64_t alg;                         /* COSE algorithm of the agent, 0 if unknown */
	uint8_t kid[TK_STORE_KID_LEN];
	bool has_kid;                        /* the agent is known (Update sessions) */
};

/* Kind of a result record. Stored as integers; never renumber. */
enum tk_store_result_kind {
	TK_STORE_RESULT_SUCCESS = 1,
	TK_STORE_RESULT_ERROR = 2,
};

/* A Success or Error message received from an agent. */
struct tk_store_result {
	enum tk_store_result_kind kind;
	uint8_t kid[TK_STORE_KID_LEN];
	struct tk_span ueid;         /* empty when unknown */
	struct tk_span token;
	uint64_t err_code;           /* TEEP err-code; 0 for Success */
	struct tk_span err_msg;      /* UTF-8 err-msg, empty if none */
	int64_t received_at;
};

/* A device as listed by the admin commands; views valid during the callback. */
struct tk_store_device {
	struct tk_span ueid;
	int64_t first_seen;
	int64_t last_seen;
	struct tk_span kid;          /* empty when no key is bound to it */
	bool has_result;
	enum tk_store_result_kind last_result;
	uint64_t last_err_code;
	struct tk_span last_err_msg;
	int64_t last_result_at;
};

/*
 * Callbacks for listings. Views are valid only during the call. Returning
 * anything but TK_OK stops the listing and is returned by the hook.
 */
typedef tk_err (*tk_store_id_fn)(void *cb_ctx, struct tk_span component_id);
typedef tk_err (*tk_store_installed_fn)(void *cb_ctx,
					const struct tk_store_installed *item);
typedef tk_err (*tk_store_device_fn)(void *cb_ctx, const struct tk_store_device *dev);
/* One registered manifest as listed by manifest_each; m->envelope is empty. */
typedef tk_err (*tk_store_manifest_fn)(void *cb_ctx, const struct tk_store_manifest *m,
				       int64_t added_at);

struct tk_store_ops {
	/* Transactions (see the file comment). rollback() returns nothing: a
	 * failed rollback leaves the backend to discard the transaction. */
	tk_err (*begin)(void *ctx, struct tk_diag *diag);
	tk_err (*commit)(void *ctx, struct tk_diag *diag);
	void (*rollback)(void *ctx);

	/*
	 * Add a key; TK_ERR_EXISTS ("agent key <kid prefix> is already
	 * enrolled") when the kid is enrolled already.
	 */
	tk_err (*agent_key_add)(void *ctx, const struct tk_store_agent_key *key,
				struct tk_diag *diag);
	/* Copy the key with this kid into *out; TK_ERR_NOT_FOUND when absent. */
	tk_err (*agent_key_get)(void *ctx, struct tk_span kid,
				struct tk_store_agent_key *out, struct tk_diag *diag);

	/*
	 * Create or refresh the device with this UEID (last seen = now) and bind
	 * the agent key kid to it. TK_ERR_EXISTS when another kid is bound to
	 * the UEID already, so one key cannot take over another device's records.
	 */
	tk_err (*device_record)(void *ctx, struct tk_span ueid, struct tk_span kid,
				int64_t now, struct tk_diag *diag);

	/*
	 * Add a manifest. TK_ERR_EXISTS when this component id already has this
	 * sequence number, TK_ERR_ROLLBACK when it has a higher one.
	 */
	tk_err (*manifest_add)(void *ctx, const struct tk_store_manifest *m,
			       int64_t now, struct tk_diag *diag);
	/*
	 * Find the highest sequence number registered for component_id and copy
	 * its envelope into env[0..env_cap). *out gets views into env and into
	 * buf. With env NULL and env_cap 0 only the metadata is read and
	 * out->envelope is empty. TK_ERR_NOT_FOUND when none is registered,
	 * TK_ERR_BUFFER_TOO_SMALL when env is too small.
	 */
	tk_err (*manifest_get)(void *ctx, struct tk_span component_id,
			       struct tk_store_manifest *out,
			       struct tk_store_manifest_buf *buf, uint8_t *env,
			       size_t env_cap, struct tk_diag *diag);

	/*
	 * Require a registered manifest component id for one device (ueid) or,
	 * with an empty ueid, for every device. TK_ERR_NOT_FOUND when no manifest
	 * with that id is registered; requiring twice is not an error.
	 */
	tk_err (*policy_add)(void *ctx, struct tk_span component_id,
			     struct tk_span ueid, int64_t now, struct tk_diag *diag);
	/* List each component id required for this device (its own or all). */
	tk_err (*policy_each)(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
			      void *cb_ctx, struct tk_diag *diag);

	/* Replace what the device reported as installed with items[0..n). */
	tk_err (*installed_replace)(void *ctx, struct tk_span ueid,
				    const struct tk_store_installed *items, size_t n,
				    int64_t now, struct tk_diag *diag);
	/* List what the device last reported as installed. */
	tk_err (*installed_each)(void *ctx, struct tk_span ueid,
				 tk_store_installed_fn cb, void *cb_ctx,
				 struct tk_diag *diag);

	/* Add an outstanding request; TK_ERR_EXISTS on a token or challenge reuse. */
	tk_err (*session_add)(void *ctx, const struct tk_store_session *s,
			      struct tk_diag *diag);
	/*
	 * Mark the session found by `key` used and copy it into *out. Atomic:
	 * of two callers with the same value at most one succeeds.
	 * TK_ERR_NOT_FOUND when no session has that value, TK_ERR_REPLAY when it
	 * was used, TK_ERR_EXPIRED when now >= expires_at. Only a success
	 * changes the record.
	 */
	tk_err (*session_use)(void *ctx, enum tk_store_session_key by,
			      struct tk_span key, int64_t now,
			      struct tk_store_session *out, struct tk_diag *diag);
	/*
	 * Note that the Update sent with `token` carries this manifest, so a
	 * Success for it can record the component as installed.
	 */
	tk_err (*update_manifest_add)(void *ctx, struct tk_span token,
				      struct tk_span component_id, uint64_t sequence,
				      struct tk_diag *diag);
	/*
	 * Record the components of the manifests of the Update sent with
	 * `token` as installed on the device, with the manifests' sequence
	 * numbers and image digests. A manifest registered without component
	 * ids is recorded under its manifest component id.
	 */
	tk_err (*installed_from_update)(void *ctx, struct tk_span token,
					struct tk_span ueid, int64_t now,
					struct tk_diag *diag);
	/* Delete sessions that expired before `now`; *removed gets their count. */
	tk_err (*session_purge)(void *ctx, int64_t now, uint64_t *removed,
				struct tk_diag *diag);

	/* Record a Success or Error message. */
	tk_err (*result_add)(void *ctx, const struct tk_store_result *r,
			     struct tk_diag *diag);

	/* Append an audit line: event name and a detail naming the ids involved. */
	tk_err (*audit_add)(void *ctx, int64_t now, const char *event,
			    const char *detail, struct tk_diag *diag);

	/* List devices ordered by UEID, each with its key and last result. */
	tk_err (*device_each)(void *ctx, tk_store_device_fn cb, void *cb_ctx,
			      struct tk_diag *diag);

	/* Number of rows of table `table` (limits, tests and diagnostics). */
	tk_err (*count_rows)(void *ctx, const char *table, uint64_t *out,
			     struct tk_diag *diag);

	/*
	 * Remove the policy that requires component_id on one device (ueid) or,
	 * with an empty ueid, the policy for every device. A policy for every
	 * device and one for a single device are separate rows, so removing one
	 * keeps the other. TK_ERR_NOT_FOUND when no such policy exists.
	 */
	tk_err (*policy_remove)(void *ctx, struct tk_span component_id,
				struct tk_span ueid, struct tk_diag *diag);
	/* List registered manifests ordered by component id, then sequence. */
	tk_err (*manifest_each)(void *ctx, tk_store_manifest_fn cb, void *cb_ctx,
				struct tk_diag *diag);
	/*
	 * List the devices a policy requires component_id on, by UEID in
	 * ascending order; an empty UEID is the policy for every device.
	 */
	tk_err (*policy_target_each)(void *ctx, struct tk_span component_id,
				     tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag);

	/*
	 * Record component_ids[0..n) as the components that the registered
	 * manifest manifest_id with this sequence number installs.
	 * TK_ERR_NOT_FOUND when that manifest is not registered, TK_ERR_EXISTS
	 * when a component id is recorded for it already.
	 */
	tk_err (*manifest_components_add)(void *ctx, struct tk_span manifest_id,
					  uint64_t sequence,
					  const struct tk_span *component_ids, size_t n,
					  struct tk_diag *diag);
	/*
	 * List the component ids of the highest sequence number registered for
	 * manifest_id, in ascending order. Lists none when that manifest has no
	 * recorded components or is not registered.
	 */
	tk_err (*manifest_components_each)(void *ctx, struct tk_span manifest_id,
					   tk_store_id_fn cb, void *cb_ctx,
					   struct tk_diag *diag);
	/*
	 * List, in ascending order, the manifest component ids whose highest
	 * registered sequence number installs component_id.
	 */
	tk_err (*manifest_by_component_each)(void *ctx, struct tk_span component_id,
					     tk_store_id_fn cb, void *cb_ctx,
					     struct tk_diag *diag);

	/*
	 * Attestation records; see tk_store_attest.h for what each stores.
	 * device_group_get and group_policy_get fail with TK_ERR_NOT_FOUND
	 * when no row is set (the wrappers turn that into the defaults).
	 */
	tk_err (*attestation_add)(void *ctx, const struct tk_store_attestation *a,
				  struct tk_diag *diag);
	tk_err (*attestation_each)(void *ctx, struct tk_span ueid, size_t limit,
				   tk_store_attestation_fn cb, void *cb_ctx,
				   struct tk_diag *diag);
	tk_err (*device_group_set)(void *ctx, struct tk_span ueid, const char *group,
				   int64_t now, struct tk_diag *diag);
	tk_err (*device_group_get)(void *ctx, struct tk_span ueid, char *out,
				   size_t out_cap, struct tk_diag *diag);
	tk_err (*group_policy_set)(void *ctx, const char *group, bool accept_warning,
				   int64_t now, struct tk_diag *diag);
	tk_err (*group_policy_get)(void *ctx, const char *group, bool *accept_warning,
				   struct tk_diag *diag);

	/*
	 * SUIT report records; see tk_store_report.h for what each stores.
	 * report_key_get fails with TK_ERR_NOT_FOUND when none is enrolled.
	 */
	tk_err (*report_key_set)(void *ctx, const struct tk_store_report_key *key,
				 struct tk_diag *diag);
	tk_err (*report_key_get)(void *ctx, struct tk_span agent_kid,
				 struct tk_store_report_key *out, struct tk_diag *diag);
	tk_err (*suit_report_add)(void *ctx, const struct tk_store_suit_report *r,
				  struct tk_diag *diag);
	tk_err (*suit_report_each)(void *ctx, struct tk_span ueid, size_t limit,
				   tk_store_suit_report_fn cb, void *cb_ctx,
				   struct tk_diag *diag);

	/*
	 * Record that a policy removed with policy_remove required
	 * component_id on one device (ueid) or, with an empty ueid, on every
	 * device. Recording it twice updates removed_at.
	 */
	tk_err (*unrequired_add)(void *ctx, struct tk_span component_id,
				 struct tk_span ueid, int64_t now, struct tk_diag *diag);
	/*
	 * List, in ascending order, the registered manifest component ids that
	 * a removed policy required on this device (its own or every device's)
	 * and that no policy requires on it now.
	 */
	tk_err (*unrequired_each)(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
				  void *cb_ctx, struct tk_diag *diag);
};

/* A store: its hooks and their context. Borrowed by everything that uses it. */
struct tk_store {
	const struct tk_store_ops *ops;
	void *ctx;
};

/*
 * Wrappers that check the hook exists (TK_ERR_UNSUPPORTED otherwise) and
 * check argument lengths against the limits above before calling it.
 */
TK_MUST_CHECK tk_err tk_store_begin(const struct tk_store *st, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_commit(const struct tk_store *st, struct tk_diag *diag);
void tk_store_rollback(const struct tk_store *st);
TK_MUST_CHECK tk_err tk_store_agent_key_add(const struct tk_store *st,
					    const struct tk_store_agent_key *key,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_agent_key_get(const struct tk_store *st, struct tk_span kid,
					    struct tk_store_agent_key *out,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_device_record(const struct tk_store *st, struct tk_span ueid,
					    struct tk_span kid, int64_t now,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_add(const struct tk_store *st,
					   const struct tk_store_manifest *m, int64_t now,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_get(const struct tk_store *st,
					   struct tk_span component_id,
					   struct tk_store_manifest *out,
					   struct tk_store_manifest_buf *buf, uint8_t *env,
					   size_t env_cap, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_policy_add(const struct tk_store *st,
					 struct tk_span component_id, struct tk_span ueid,
					 int64_t now, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_policy_each(const struct tk_store *st, struct tk_span ueid,
					  tk_store_id_fn cb, void *cb_ctx,
					  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_installed_replace(const struct tk_store *st,
						struct tk_span ueid,
						const struct tk_store_installed *items,
						size_t n, int64_t now,
						struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_installed_each(const struct tk_store *st,
					     struct tk_span ueid,
					     tk_store_installed_fn cb, void *cb_ctx,
					     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_session_add(const struct tk_store *st,
					  const struct tk_store_session *s,
					  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_session_use(const struct tk_store *st,
					  enum tk_store_session_key by,
					  struct tk_span key, int64_t now,
					  struct tk_store_session *out,
					  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_update_manifest_add(const struct tk_store *st,
						  struct tk_span token,
						  struct tk_span component_id,
						  uint64_t sequence, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_installed_from_update(const struct tk_store *st,
						   struct tk_span token, struct tk_span ueid,
						   int64_t now, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_session_purge(const struct tk_store *st, int64_t now,
					    uint64_t *removed, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_result_add(const struct tk_store *st,
					 const struct tk_store_result *r,
					 struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_audit_add(const struct tk_store *st, int64_t now,
					const char *event, const char *detail,
					struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_device_each(const struct tk_store *st,
					  tk_store_device_fn cb, void *cb_ctx,
					  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_count_rows(const struct tk_store *st, const char *table,
					 uint64_t *out, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_policy_remove(const struct tk_store *st,
					    struct tk_span component_id, struct tk_span ueid,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_each(const struct tk_store *st,
					    tk_store_manifest_fn cb, void *cb_ctx,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_policy_target_each(const struct tk_store *st,
						 struct tk_span component_id,
						 tk_store_id_fn cb, void *cb_ctx,
						 struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_components_add(const struct tk_store *st,
						      struct tk_span manifest_id,
						      uint64_t sequence,
						      const struct tk_span *component_ids,
						      size_t n, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_components_each(const struct tk_store *st,
						       struct tk_span manifest_id,
						       tk_store_id_fn cb, void *cb_ctx,
						       struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_manifest_by_component_each(const struct tk_store *st,
							 struct tk_span component_id,
							 tk_store_id_fn cb, void *cb_ctx,
							 struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_unrequired_add(const struct tk_store *st,
					     struct tk_span component_id, struct tk_span ueid,
					     int64_t now, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_store_unrequired_each(const struct tk_store *st, struct tk_span ueid,
					      tk_store_id_fn cb, void *cb_ctx,
					      struct tk_diag *diag);

#endif /* TK_STORE_H */
