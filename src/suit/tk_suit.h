/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT manifests (draft-ietf-suit-manifest-37, with the manifest component
 * id, uninstall and unlink of draft-ietf-suit-trust-domains-11): envelope
 * decoding, authentication, a manifest processor driven through a platform
 * `_ops` table, and a builder for the envelopes `teep manifest` writes.
 *
 * The steps are separate calls so that nothing of a manifest is read before
 * it is authenticated:
 *
 *   tk_suit_decode_envelope()  reads only the envelope map: the
 *                              authentication wrapper, the manifest byte
 *                              string, severed members and integrated
 *                              payloads, all as views into the input;
 *   tk_suit_authenticate()     checks the SUIT_Digest over the manifest byte
 *                              string and a COSE_Sign1 by a trusted key, and
 *                              only then decodes the manifest into a
 *                              struct tk_suit_manifest;
 *   tk_suit_process()          runs a procedure of an authenticated
 *                              manifest against the platform hooks.
 *
 * tk_suit_check_envelope_unauthenticated() runs the checks of
 * tk_suit_authenticate() that need no key, for inspection, and returns no
 * manifest.
 *
 * tk_suit_process_envelope() chains the three for the common case.
 *
 * The processor streams what fetch, write and copy produce into staging
 * areas of the platform (stage_begin, stage_write), hashing the bytes on
 * the way, so its memory does not grow with the payload size. Only after
 * the whole procedure succeeded does it commit each staged area as its
 * component and then persist the new sequence number. On failure it aborts
 * every area, so a failed manifest leaves the installed components as they
 * were.
 *
 * Everything here borrows its inputs: spans in the structs below are views
 * into the envelope buffer, valid while that buffer is. Nothing allocates.
 */
#ifndef TK_SUIT_H
#define TK_SUIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_span.h"

struct tk_crypto;
struct tk_crypto_key;
struct tk_suit_recipient;
struct tk_cose_mac_hook;

/* CBOR tag of SUIT_Envelope_Tagged. Decoding accepts it; the builder omits
 * it because TEEP carries envelopes untagged in its manifest-list. */
#define TK_SUIT_ENVELOPE_TAG 107

/* CBOR tag of SUIT_Manifest_Tagged, for the diagnostic printer. */
#define TK_SUIT_MANIFEST_TAG 1070

/*
 * Limits. Each is checked against the array or buffer it protects and fails
 * with the error named; none truncates silently.
 */

/* Envelope size accepted before authentication (TK_ERR_LIMIT_SIZE). An
 * envelope is held in memory whole, and its integrated payloads live inside
 * it, so this bounds the memory of one manifest: 64 MiB of integrated
 * payload plus 64 KiB of manifest. Larger images go by URI. */
#define TK_SUIT_MAX_ENVELOPE_SIZE (64u * 1024u * 1024u + 64u * 1024u)

/* Size of one component image that is fetched, copied or decrypted into a
 * staging area (TK_ERR_LIMIT_SIZE), the same bound as the TEE component
 * store. Such images stream in bounded chunks and never sit in memory
 * whole, so 4 GiB serves large TAs and data sets. A declared image size
 * above it fails before anything is fetched. Compare it as uint64_t. */
#define TK_SUIT_MAX_IMAGE_SIZE (UINT64_C(4) * 1024u * 1024u * 1024u)

/* Components listed in one manifest (TK_ERR_LIMIT_COUNT). TEEP manifests
 * name one trusted component; the manifest-spec examples at most two. */
#define TK_SUIT_MAX_COMPONENTS 8

/* Encoded length of a component id (TK_ERR_LIMIT_SIZE), the same bound as
 * the TEE store's ids. */
#define TK_SUIT_MAX_ID_LEN 256

/* Commands in one command sequence, counted per sequence
 * (TK_ERR_LIMIT_COUNT). The TEEP examples use at most 3. */
#define TK_SUIT_MAX_COMMANDS 64

/* Nesting of try-each, run-sequence and process-dependency, counted
 * together (TK_ERR_LIMIT_DEPTH). Each level costs one interpreter frame on
 * the stack; the manifest-spec examples nest one level. */
#define TK_SUIT_MAX_NESTING 4

/* Entries of suit-dependencies in one manifest (TK_ERR_LIMIT_COUNT). The
 * TEEP personalization example has one. */
#define TK_SUIT_MAX_DEPENDENCIES 4

/* Manifests processed in one procedure, the root included
 * (TK_ERR_LIMIT_COUNT). Bounds the dependency tree; each manifest keeps
 * its parameters in the processor's state on the stack. */
#define TK_SUIT_MAX_MANIFESTS 4

/* Staging areas one procedure may use at once (TK_ERR_LIMIT_COUNT): one new
 * image per component and per dependency slot of every manifest, which
 * copy and swap may keep alive together. */
#define TK_SUIT_MAX_STAGING_AREAS 16

/* Size of the encoded SUIT_Parameters map passed with one report record
 * (TK_ERR_LIMIT_SIZE): a URI of TK_SUIT_MAX_URI_LEN plus digest, size and
 * identifiers. */
#define TK_SUIT_MAX_RECORD_PROPERTIES (TK_SUIT_MAX_URI_LEN + 256)

/* Authentication blocks in the wrapper (TK_ERR_LIMIT_COUNT). */
#define TK_SUIT_MAX_AUTH_BLOCKS 4

/* Integrated payloads in one envelope (TK_ERR_LIMIT_COUNT). */
#define TK_SUIT_MAX_INTEGRATED 8

/* Length of a URI parameter in bytes, without the NUL (TK_ERR_LIMIT_SIZE). */
#define TK_SUIT_MAX_URI_LEN 2048

/* Length of a SHA-256 SUIT digest, the only digest algorithm supported. */
#define TK_SUIT_DIGEST_LEN 32

/* COSE algorithm of SHA-256 in SUIT_Digest. */
#define TK_SUIT_ALG_SHA256 (-16)

/*
 * Manifest members that hold a command sequence, by their manifest key. The
 * processor fails with TK_ERR_UNSUPPORTED, naming the section, when a
 * procedure meets one it does not run yet.
 */
enum tk_suit_section {
	TK_SUIT_SECTION_VALIDATE = 7,
	TK_SUIT_SECTION_LOAD = 8,
	TK_SUIT_SECTION_INVOKE = 9,
	TK_SUIT_SECTION_DEPENDENCY_RESOLUTION = 15,
	TK_SUIT_SECTION_PAYLOAD_FETCH = 16,
	TK_SUIT_SECTION_CANDIDATE_VERIFICATION = 18,
	TK_SUIT_SECTION_INSTALL = 20,
	TK_SUIT_SECTION_UNINSTALL = 24,
};

/* Number of entries of struct tk_suit_manifest.sections. */
#define TK_SUIT_SECTION_SLOTS 8

/* Name of a section ("install", ...), or "unknown". Never NULL. */
const char *tk_suit_section_name(enum tk_suit_section section);

/* A SUIT_Digest: algorithm and digest bytes (a view). */
struct tk_suit_digest {
	int64_t alg;           /* COSE hash algorithm, TK_SUIT_ALG_SHA256 */
	struct tk_span bytes;
};

/* One integrated payload: envelope member with a text key such as "#tc". */
struct tk_suit_integrated {
	struct tk_span name;    /* the text key, not NUL-terminated */
	struct tk_span payload; /* the byte string content */
};

/*
 * A decoded, not yet authenticated envelope. Only the shape of the outer
 * map has been checked; the manifest is an opaque byte string here.
 */
struct tk_suit_envelope {
	struct tk_span raw;          /* the whole envelope as given */
	bool tagged;                 /* it carried tag 107 */
	struct tk_span auth_wrapper; /* content of key 2 (SUIT_Authentication) */
	struct tk_span manifest_bstr; /* key 3 encoded as byte string, head
					 included: the SUIT digest input */
	struct tk_span manifest;     /* content of key 3 (SUIT_Manifest) */
	/* Severed members: key 15, 16, 18, 20 or 23 encoded as byte
	 * string, head included (their digest input); empty when absent. */
	struct tk_span severed_payload_fetch;
	struct tk_span severed_install;
	struct tk_span severed_text;
	struct tk_span severed_dependency_resolution;
	struct tk_span severed_candidate_verification;
	size_t integrated_count;
	struct tk_suit_integrated integrated[TK_SUIT_MAX_INTEGRATED];
};

/*
 * An authenticated manifest, filled only by tk_suit_authenticate(). Command
 * sequences are the encoded SUIT_Command_Sequence arrays (the content of
 * their byte string), already matched against their digest when severed.
 */
struct tk_suit_manifest {
	uint64_t sequence_number;
	struct tk_span manifest_component_id; /* encoded
						  SUIT_Component_Identifier
						  (key 5), empty if absent */
	struct tk_span reference_uri;          /* key 4 text, empty if absent */
	uint8_t digest[TK_SUIT_DIGEST_LEN];    /* SUIT digest of the manifest */
	size_t component_count;
	struct tk_span components[TK_SUIT_MAX_COMPONENTS]; /* encoded ids */
	struct tk_span shared_sequence;        /* empty if absent */
	/* Command sequences by section; .section is 0 in unused slots and a
	 * present section never has an empty .sequence. */
	struct {
		enum tk_suit_section section;
		struct tk_span sequence;
	} sections[TK_SUIT_SECTION_SLOTS];
	size_t section_count;
	bool severed_missing;       /* a severable section is known only by
				       its digest (its member was removed) */
	bool has_dependencies;      /* suit-common carries suit-dependencies */
	size_t dependency_count;    /* entries of suit-dependencies */
	struct {
		uint64_t index;     /* component index of the dependency, may
				       be past the component list */
		struct tk_span prefix; /* encoded suit-dependency-prefix,
					  empty when absent */
	} dependencies[TK_SUIT_MAX_DEPENDENCIES];
	struct tk_span components_encoded; /* the SUIT_Components array */
	size_t integrated_count;
	struct tk_suit_integrated integrated[TK_SUIT_MAX_INTEGRATED];
};

/*
 * Decode the outer map of an envelope, tagged 107 or untagged, with the
 * strict CBOR profile (canonical encoding is required by the draft).
 * Rejects unknown integer keys other than the severable members, an
 * integrated payload name twice, and any envelope larger than
 * TK_SUIT_MAX_ENVELOPE_SIZE. Does not read the manifest. On failure *out is
 * zeroed. Returns views into buf, valid while buf is.
 */
TK_MUST_CHECK tk_err tk_suit_decode_envelope(const uint8_t *buf, size_t len,
					     struct tk_suit_envelope *out,
					     struct tk_diag *diag);

/*
 * Authenticate an envelope, then decode its manifest into *out.
 *
 * Checks, in this order: the SUIT_Digest (SHA-256 over
 * envelope->manifest_bstr) matches, compared in constant time; at least one
 * COSE_Sign1 authentication block verifies, detached, over the encoded
 * SUIT_Digest with one of the `key_count` trusted keys (ESP256, ES256,
 * Ed25519 or EdDSA). Only then is the manifest decoded: version 1, sequence
 * number, common (components, shared sequence), manifest component id, and
 * the command sequences, with severed members checked against their
 * digests. Blocks of other COSE types are skipped; if none verifies the call
 * fails with TK_ERR_SIGNATURE (TK_ERR_UNTRUSTED when key_count is 0).
 *
 * `crypto` computes the digests; each key verifies with its own provider.
 * Borrows env, crypto and keys. On failure *out is zeroed, and offsets in
 * diag count from the start of the envelope. The manifest contains views
 * into the envelope buffer.
 */
TK_MUST_CHECK tk_err tk_suit_authenticate(const struct tk_suit_envelope *env,
					  const struct tk_crypto *crypto,
					  const struct tk_crypto_key *const *keys,
					  size_t key_count,
					  struct tk_suit_manifest *out,
					  struct tk_diag *diag);

/* A trusted TC signer key, optionally limited to some components. */
struct tk_suit_trust_anchor {
	const struct tk_crypto_key *key; /* borrowed */
	struct tk_span scope;            /* encoded SUIT_Component_Identifier,
					    or empty: any component. When set,
					    the manifest component id and every
					    component id of a manifest this key
					    authenticates must start with its
					    elements */
};

/* Keys for tk_suit_authenticate_opts(). Zero-initialise, then set. */
struct tk_suit_auth_opts {
	const struct tk_suit_trust_anchor *anchors; /* borrowed */
	size_t anchor_count;                        /* at most 16 */
	/* HMAC 256/256 of COSE_Mac0 blocks, computed by the key's holder
	 * (the TEE), for the symmetric profile suit-sha256-hmac-a128kw-a128ctr
	 * of draft-ietf-suit-mti. NULL: COSE_Mac0 blocks are skipped. */
	const struct tk_cose_mac_hook *mac;
};

/*
 * tk_suit_authenticate() with trust anchors that may be scoped and with
 * COSE_Mac0 blocks. Every block is checked: a COSE_Sign1 against the
 * anchors, a COSE_Mac0 through opts->mac. At least one must verify
 * (manifest-37 section 8.3 leaves the policy for several blocks to the
 * recipient). Then the manifest is decoded and held to the scopes: the
 * call succeeds when a COSE_Mac0 verified, or when a verifying anchor is
 * unscoped or has a scope that covers the manifest's component ids.
 * Otherwise it fails with TK_ERR_UNTRUSTED, naming the component id
 * outside the scope.
 */
TK_MUST_CHECK tk_err tk_suit_authenticate_opts(const struct tk_suit_envelope *env,
					       const struct tk_crypto *crypto,
					       const struct tk_suit_auth_opts *opts,
					       struct tk_suit_manifest *out,
					       struct tk_diag *diag);

/*
 * Check an envelope as far as is possible without a trusted key, for
 * inspection. Checks that the authentication wrapper is a bstr-wrapped
 * SUIT_Digest followed by 1 to TK_SUIT_MAX_AUTH_BLOCKS blocks, each a
 * bstr-wrapped COSE_Sign1_Tagged or COSE_Mac0_Tagged; that the digest
 * equals SHA-256 over env->manifest_bstr; and that the manifest decodes with
 * the decoder tk_suit_authenticate() uses, severed members included.
 *
 * No signature or MAC is verified, so success means only that the envelope
 * is well formed. That is why it returns no manifest: tk_suit_authenticate()
 * stays the only way to a struct tk_suit_manifest for tk_suit_process().
 * Offsets in diag count from the start of the envelope. Borrows env and
 * crypto (which computes the digests).
 */
TK_MUST_CHECK tk_err tk_suit_check_envelope_unauthenticated(const struct tk_suit_envelope *env,
							    const struct tk_crypto *crypto,
							    struct tk_diag *diag);

/*
 * Receiver of streamed bytes. The fetch and read hooks call `write` once per
 * chunk, in order; a non-TK_OK return must stop the transfer and be
 * returned by the hook.
 */
struct tk_suit_sink {
	tk_err (*write)(void *ctx, const uint8_t *chunk, size_t len,
			struct tk_diag *diag);
	void *ctx;
};

/* Recipient identifiers that conditions compare with the manifest's. */
enum tk_suit_identifier {
	TK_SUIT_ID_VENDOR = 1, /* suit-parameter-vendor-identifier */
	TK_SUIT_ID_CLASS = 2,  /* suit-parameter-class-identifier */
	TK_SUIT_ID_DEVICE = 24 /* suit-parameter-device-identifier */
};

/*
 * One command the processor reports to the platform's report hook, as its
 * reporting policy requests (draft-ietf-suit-manifest-37 section 8.4.9,
 * SUIT_Record of draft-ietf-suit-report-18). Views are valid only during
 * the hook call.
 */
struct tk_suit_record {
	const uint64_t *manifest_id; /* dependency indices from the root
					manifest; manifest_id_len 0 for it */
	size_t manifest_id_len;
	int64_t section;             /* manifest key of the command sequence
					(suit-common 3 for the shared
					sequence) */
	uint64_t offset;             /* byte offset of the command within
					its encoded sequence */
	uint64_t component_index;
	int64_t command;             /* SUIT command number */
	uint64_t policy;             /* the command's reporting policy bits */
	tk_err result;               /* TK_OK or the command's failure */
	struct tk_span properties;   /* encoded SUIT_Parameters map the policy
					asks for, empty when none */
	bool ends_procedure;         /* the failure that ends the procedure,
					sent whatever the policy: the
					report's result record names this
					command */
};

/*
 * Platform hooks. Every hook takes ctx first and a diag last (may be NULL).
 * Component ids and manifest component ids are the CBOR encoding of a
 * SUIT_Component_Identifier array, passed as opaque bytes (at most
 * TK_SUIT_MAX_ID_LEN). A NULL hook makes the command that needs it fail with
 * TK_ERR_UNSUPPORTED; no hook is ever assumed to succeed.
 *
 * Staging areas are numbered 0 to TK_SUIT_MAX_STAGING_AREAS - 1 by the
 * processor. An area contains one candidate image that is not installed
 * until stage_commit installs it. The processor aborts every area it began
 * and did not commit, on success and on failure alike.
 *
 * References: a holder (a manifest component id) references a target (a
 * component id or the manifest component id of a dependency). The platform
 * keeps these links persistently; a target's reference count is the number
 * of holders linking it (draft-ietf-suit-trust-domains-11 section 5.6.5).
 */
struct tk_suit_platform_ops {
	/*
	 * Fetch `uri` (NUL-terminated, scheme http or https; the processor
	 * rejects other schemes itself) and stream the body into `sink`.
	 * `max_size` is the most the processor accepts; a hook may stop early
	 * with TK_ERR_LIMIT_SIZE.
	 */
	tk_err (*fetch)(void *ctx, const char *uri, uint64_t max_size,
			const struct tk_suit_sink *sink, struct tk_diag *diag);

	/*
	 * Compare a recipient identifier with `value` (the manifest's
	 * parameter, 16 UUID bytes or a cbor-pen) for component `id`; set
	 * *match. Not matching is not an error of the hook.
	 */
	tk_err (*check_identifier)(void *ctx, enum tk_suit_identifier which,
				   const uint8_t *id, size_t id_len,
				   const uint8_t *value, size_t value_len,
				   bool *match, struct tk_diag *diag);

	/* Set *match when component `id` lives in slot `slot`
	 * (condition-component-slot, manifest-37 section 8.4.9.4). */
	tk_err (*check_slot)(void *ctx, const uint8_t *id, size_t id_len,
			     uint64_t slot, bool *match, struct tk_diag *diag);

	/*
	 * Stream the installed image of component `id` into `sink`, for
	 * conditions and copy of components this procedure did not stage;
	 * TK_ERR_NOT_FOUND when absent.
	 */
	tk_err (*read)(void *ctx, const uint8_t *id, size_t id_len,
		       const struct tk_suit_sink *sink, struct tk_diag *diag);

	/* Start staging area `area` empty, discarding what it held. */
	tk_err (*stage_begin)(void *ctx, unsigned area, struct tk_diag *diag);

	/* Append `len` bytes to staging area `area`. */
	tk_err (*stage_write)(void *ctx, unsigned area, const uint8_t *chunk,
			      size_t len, struct tk_diag *diag);

	/* Stream the content of staging area `area` into `sink`. */
	tk_err (*stage_read)(void *ctx, unsigned area,
			     const struct tk_suit_sink *sink,
			     struct tk_diag *diag);

	/*
	 * Install staging area `area` as component `id` atomically,
	 * replacing an earlier image; the area is empty afterwards. Called
	 * only after the whole procedure succeeded.
	 */
	tk_err (*stage_commit)(void *ctx, unsigned area, const uint8_t *id,
			       size_t id_len, uint64_t sequence_number,
			       struct tk_diag *diag);

	/* Discard staging area `area`; an area never begun is a no-op. */
	void (*stage_abort)(void *ctx, unsigned area);

	/*
	 * Run component `id` (directive-invoke) with the invoke arguments
	 * (empty when unset). A staged image of it is committed first.
	 * `image_digest` is the component's suit-parameter-image-digest, NULL
	 * when unset, so a platform with a measured load can check the bytes
	 * it runs against the digest the manifest gives and record it.
	 */
	tk_err (*invoke)(void *ctx, const uint8_t *id, size_t id_len,
			 const uint8_t *args, size_t args_len,
			 const struct tk_suit_digest *image_digest,
			 struct tk_diag *diag);

	/*
	 * Add the link holder -> target; an existing link is kept as is.
	 * A platform that leaves link or references NULL keeps no reference
	 * counts: the processor then refuses manifests with dependencies
	 * (TK_ERR_UNSUPPORTED) and treats no component as shared.
	 */
	tk_err (*link)(void *ctx, const uint8_t *holder, size_t holder_len,
		       const uint8_t *target, size_t target_len,
		       struct tk_diag *diag);

	/*
	 * Drop the link holder -> target if it exists (so one holder
	 * decrements a target once) and set *remaining to the links left.
	 * When none remain the platform removes the target: a component's
	 * image, or for a manifest its stored envelope after running its
	 * uninstall procedure.
	 */
	tk_err (*unlink)(void *ctx, const uint8_t *holder, size_t holder_len,
			 const uint8_t *target, size_t target_len,
			 uint64_t *remaining, struct tk_diag *diag);

	/* Set *others to the links to `target` held by holders other than
	 * `holder`. */
	tk_err (*references)(void *ctx, const uint8_t *target,
			     size_t target_len, const uint8_t *holder,
			     size_t holder_len, uint64_t *others,
			     struct tk_diag *diag);

	/*
	 * Highest accepted sequence number of manifest component id `id`;
	 * *found false when none was stored.
	 */
	tk_err (*get_sequence_number)(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t *out, bool *found,
				      struct tk_diag *diag);

	/* Persist `value` as the highest sequence number of `id`. */
	tk_err (*set_sequence_number)(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t value,
				      struct tk_diag *diag);

	/*
	 * Keep the envelope of a dependency that has a manifest component id
	 * `id`, once the update that processed it succeeded, so its uninstall
	 * can run when no manifest references it any more. NULL: not kept.
	 */
	tk_err (*store_dependency)(void *ctx, const uint8_t *id, size_t id_len,
				   const uint8_t *envelope, size_t envelope_len,
				   uint64_t sequence_number, struct tk_diag *diag);

	/*
	 * Authenticate a dependency's envelope as the root was authenticated
	 * and decode its manifest into *out (trust-domains-11 section 5.1).
	 * NULL: tk_suit_authenticate() with opts->trust_anchors.
	 */
	tk_err (*authenticate)(void *ctx, const struct tk_suit_envelope *env,
			       struct tk_suit_manifest *out, struct tk_diag *diag);

	/*
	 * Receive one record for the SUIT report. A non-TK_OK return stops
	 * the procedure. NULL: records are not collected.
	 */
	tk_err (*report)(void *ctx, const struct tk_suit_record *record,
			 struct tk_diag *diag);

	/*
	 * Recover the content encryption key of one COSE_recipient of a
	 * SUIT_Encryption_Info (draft-ietf-suit-firmware-encryption-24) with
	 * a key that stays in the TEE, usually by calling
	 * tk_suit_unwrap_cek() (suit/tk_suit_encryption.h). TK_ERR_KEY when
	 * the platform has no key for this recipient; the processor then
	 * tries the next one. The CEK goes to cek[0..*cek_len).
	 */
	tk_err (*unwrap_cek)(void *ctx, const struct tk_suit_recipient *recipient,
			     uint8_t *cek, size_t cek_cap, size_t *cek_len,
			     struct tk_diag *diag);

	void *ctx;
};

/* Procedures of draft-ietf-suit-manifest-37 section 8.4.6. */
enum tk_suit_procedure {
	/* Update: dependency-resolution, payload-fetch,
	 * candidate-verification, install, validate. */
	TK_SUIT_PROCEDURE_UPDATE = 1,
	/* Invocation: validate, load, invoke. */
	TK_SUIT_PROCEDURE_INVOKE = 2,
	/* Uninstall: the uninstall section (trust-domains-11 section 6). */
	TK_SUIT_PROCEDURE_UNINSTALL = 3,
};

/* Processor settings. */
struct tk_suit_process_opts {
	const struct tk_suit_platform_ops *ops; /* borrowed, required */
	const struct tk_crypto *crypto;         /* digests, required */
	uint8_t *work;        /* holds dependency envelopes fetched by URI
				 (integrated ones stay in the envelope);
				 borrowed, wiped on return; may be NULL */
	size_t work_cap;      /* its size in bytes; a dependency envelope
				 beyond what is left fails with
				 TK_ERR_LIMIT_SIZE */
	const struct tk_log *log; /* may be NULL */
	/* Keys that authenticate dependency manifests when the platform has
	 * no authenticate hook (trust-domains-11 section 5.1: the signature
	 * of a dependency is verified too). */
	const struct tk_crypto_key *const *trust_anchors;
	size_t trust_anchor_count;
};

/*
 * Run `procedure` of an authenticated manifest and of the dependencies it
 * processes.
 *
 * Update: first the anti-rollback check, keyed by the manifest component
 * id, or by the encoded component list when the manifest has none. A
 * sequence number lower than or EQUAL to the stored one fails with
 * TK_ERR_ROLLBACK, so an installed manifest is never applied twice
 * (draft-ietf-suit-manifest-37 section 8.4.2 requires rejecting lower
 * ones; TEEP relies on the sequence number against replayed Updates). Then
 * the shared sequence runs before each of dependency-resolution,
 * payload-fetch, candidate-verification, install and validate.
 * process-dependency runs the same section of a dependency, after its
 * shared sequence, so manifests advance in lock-step (trust-domains-11
 * section 5.4). When a dependency has a section that its dependent did
 * not process by the end of that section, the update fails with
 * TK_ERR_POLICY.
 * Only after every section succeeded are the staged areas committed (a
 * component another manifest still references is never overwritten:
 * TK_ERR_POLICY), the links from each manifest to its components and
 * dependencies added, and the sequence numbers persisted. A fetched image
 * that no image-match or check-content covered is never committed
 * (TK_ERR_POLICY).
 *
 * Invocation runs validate, load and invoke; images load writes are
 * committed before the invoke hook runs. Uninstall runs the shared
 * sequence and the uninstall section, where unlink drops the manifest's
 * link to a component and process-dependency its link to a dependency.
 *
 * Every command of manifest-37 and trust-domains-11 is run. An unknown or
 * custom command fails with TK_ERR_UNSUPPORTED. A failed condition fails
 * with TK_ERR_CONDITION (image-match: TK_ERR_DIGEST_MISMATCH) unless
 * soft-failure is set inside try-each or run-sequence. Every failure names
 * the manifest, section, command and its byte offset in the sequence.
 * write, copy and fetch decrypt a payload that has encryption-info through
 * tk_suit_decrypt_begin() and the unwrap_cek hook while it is staged.
 *
 * Borrows everything; the work buffer is wiped before returning.
 */
TK_MUST_CHECK tk_err tk_suit_process(const struct tk_suit_manifest *manifest,
				     enum tk_suit_procedure procedure,
				     const struct tk_suit_process_opts *opts,
				     struct tk_diag *diag);

/*
 * Decode, authenticate (with opts->crypto) and run the update procedure of
 * one envelope. On success *out (may be NULL) receives the authenticated
 * manifest, with views into buf.
 */
TK_MUST_CHECK tk_err tk_suit_process_envelope(const uint8_t *buf, size_t len,
					      const struct tk_crypto_key *const *keys,
					      size_t key_count,
					      const struct tk_suit_process_opts *opts,
					      struct tk_suit_manifest *out,
					      struct tk_diag *diag);

/* Content of an envelope for tk_suit_build_envelope(). */
struct tk_suit_build_params {
	struct tk_span component_id;          /* encoded SUIT_Component_
						  Identifier of the trusted
						  component, required */
	struct tk_span manifest_component_id; /* encoded, required */
	uint64_t sequence_number;
	const uint8_t *vendor_id;  /* 16 UUID bytes (RFC 9562), or NULL */
	const uint8_t *class_id;   /* 16 UUID bytes, or NULL */
	struct tk_span image;      /* the payload: digest and size are
				      computed from it */
	const char *uri;           /* fetch URI, or NULL for integrated */
	const char *integrated_name; /* envelope key such as "#tc" when
					uri is NULL; must start with '#' */
	const struct tk_crypto_key *signer; /* ESP256 or Ed25519 private
					       key; borrowed */
	const struct tk_crypto *crypto;     /* computes the digests */
};

/*
 * Build and sign an untagged envelope in the layout of the TEEP examples.
 * The shared sequence sets vendor-id, class-id, image digest and image size
 * and checks the vendor and class conditions for the ids given. Install
 * sets the uri, fetches and checks image-match, uninstall unlinks, and the
 * payload becomes an integrated member when no URI is given. The
 * authentication wrapper contains one COSE_Sign1 with a nil payload over the
 * encoded SUIT_Digest, without a kid, as in the examples. With out == NULL and out_cap == 0
 * only *out_len is set, to an upper bound for sizing a buffer (the exact
 * length is known after signing). *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_suit_build_envelope(const struct tk_suit_build_params *params,
					    uint8_t *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag);

/*
 * Names of SUIT envelope, manifest, common, parameter and COSE header keys
 * and of tags 107, 1070 and 112, for tk_cbor_to_diag(). The key callback
 * decides from the innermost path entries: it names a key in a map reached
 * through envelope key 3 (manifest), manifest key 3 (common), or a command
 * sequence key (parameters of override-parameters). Stateless; ctx unused.
 */
extern const struct tk_cbor_names tk_suit_cbor_names;

/* Name of a SUIT command ("directive-fetch", ...), or NULL if unknown. */
const char *tk_suit_command_name(int64_t command);

#endif /* TK_SUIT_H */
