/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TEE backend interface: the services the TEEP Agent needs from the
 * TEE it manages, behind one table of function pointers with a context
 * pointer. A simulated backend, a TPM-rooted one and later real TEEs
 * (OP-TEE, SGX, a confidential VM) plug in without link-time symbol
 * replacement.
 *
 * A backend owns:
 * - the TEE signing key, created on first start. No hook exports its
 *   private part. It signs TEEP messages and EAT evidence, and its kid is
 *   the RFC 9679 COSE key thumbprint (SHA-256) of its public COSE_Key;
 * - the UEID of the device (RFC 9711 section 4.2.1);
 * - the component store: installed trusted components by component id,
 *   each install atomic (after a crash the store contains the old or the new
 *   image, never a mix);
 * - the installed SUIT envelope per manifest component id;
 * - the highest accepted sequence number per manifest component id, kept
 *   apart from the envelopes so removing a manifest never lowers it
 *   (anti-rollback, draft-ietf-teep-protocol section "Anti-rollback").
 *
 * Component ids and manifest component ids are the CBOR encoding of a
 * SUIT_Component_Identifier array, passed as opaque bytes. A backend never
 * derives a path or name from those bytes directly.
 *
 * Call the tk_tee_* wrappers rather than the hooks: a wrapper fails with
 * TK_ERR_UNSUPPORTED when the backend leaves a hook NULL, checks its
 * arguments, and empties the outputs on failure.
 */
#ifndef TK_TEE_H
#define TK_TEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "common/tk_span.h"

struct tk_crypto;
struct tk_crypto_key;
struct tk_suit_recipient;

/*
 * Maximum length of an encoded component id or manifest component id.
 * Longer ids fail with TK_ERR_LIMIT_SIZE. A SUIT_Component_Identifier in the
 * TEEP examples is under 40 bytes; 256 leaves room for several path
 * elements while keeping metadata records small and fixed-size.
 */
#define TK_TEE_MAX_ID_LEN 256

/*
 * Maximum size of one stored component image (TK_ERR_LIMIT_SIZE), equal to
 * TK_SUIT_MAX_IMAGE_SIZE. Images stream through staging areas, reads and
 * loads in bounded chunks, so the limit bounds disk use, not memory: 4 GiB
 * leaves room for large TAs and data. Compare it as uint64_t.
 */
#define TK_TEE_MAX_OBJECT_SIZE (UINT64_C(4) * 1024u * 1024u * 1024u)

/*
 * Maximum size of one stored manifest envelope (TK_ERR_LIMIT_SIZE), equal
 * to TK_SUIT_MAX_ENVELOPE_SIZE: envelopes are stored and read back whole
 * in memory.
 */
#define TK_TEE_MAX_ENVELOPE_SIZE (64u * 1024u * 1024u + 64u * 1024u)

/* Length of a UEID of type RAND: type byte 0x01 and 32 random bytes. */
#define TK_TEE_UEID_LEN 33

/* Length of a kid: an RFC 9679 thumbprint with SHA-256. */
#define TK_TEE_KID_LEN 32

/* Length of the SHA-256 digests reported for stored objects. */
#define TK_TEE_DIGEST_LEN 32

/* Metadata of one stored component image or manifest envelope. */
struct tk_tee_object_info {
	uint8_t id[TK_TEE_MAX_ID_LEN]; /* encoded (manifest) component id */
	size_t id_len;
	uint8_t digest[TK_TEE_DIGEST_LEN]; /* SHA-256 of the stored bytes */
	uint64_t size;                 /* bytes stored */
	uint64_t sequence_number;      /* manifest sequence number of the
					  install (components: of the
					  manifest that wrote the image) */
};

/*
 * Called once per stored object by the list hooks. Returning anything but
 * TK_OK stops the walk, and the list call returns that code.
 */
typedef tk_err (*tk_tee_visit_fn)(void *visit_ctx,
				  const struct tk_tee_object_info *info);

/*
 * Receiver of streamed bytes, called once per chunk in order. Returning
 * anything but TK_OK stops the transfer, and the call returns that code.
 */
typedef tk_err (*tk_tee_write_fn)(void *write_ctx, const uint8_t *chunk,
				  size_t len, struct tk_diag *diag);

/*
 * Staging areas a backend keeps at once (numbered 0 to this - 1). A SUIT
 * procedure stages at most one image per component of each manifest it
 * processes; 16 covers the SUIT processor's own bound.
 */
#define TK_TEE_MAX_STAGING_AREAS 16

/* Public half of the TEE signing key. */
struct tk_tee_key_info {
	int64_t alg;                 /* COSE algorithm: -9 ESP256 or -19 Ed25519 */
	uint8_t kid[TK_TEE_KID_LEN]; /* RFC 9679 thumbprint, SHA-256 */
};

/*
 * Maximum number of entries in the measurement log, that is loads since
 * the log was last cleared (TPM: since the TPM was reset). One more load
 * fails with TK_ERR_LIMIT_COUNT. A node loads a few trusted applications;
 * 64 bounds the log file and the evidence claim built from it.
 */
#define TK_TEE_MAX_MEASUREMENTS 64

/*
 * Maximum length of a verifier nonce passed to the attestation hooks
 * (TK_ERR_LIMIT_SIZE). It matches the largest eat_nonce of RFC 9711.
 */
#define TK_TEE_MAX_NONCE_LEN 64

/* Capacity of struct tk_tee_quote's buffers: a marshalled TPMS_ATTEST of
 * a quote or certify fits in 1024 bytes, a TPMT_SIGNATURE in 256. */
#define TK_TEE_MAX_ATTEST_LEN 1024
#define TK_TEE_MAX_QUOTE_SIG_LEN 256

/* Capacity of struct tk_tee_quote's object buffer: a marshalled ECC
 * P-256 TPMT_PUBLIC takes under 100 bytes. */
#define TK_TEE_MAX_OBJECT_PUBLIC_LEN 256

/* Maximum length of the DER endorsement key certificate (TK_ERR_LIMIT_SIZE). */
#define TK_TEE_MAX_CERT_LEN 4096

/*
 * Maximum length of each marshalled part of a credential blob for
 * activate_credential (TK_ERR_LIMIT_SIZE): a TPM2B_ENCRYPTED_SECRET of an
 * RSA 4096 EK takes 514 bytes, a TPM2B_ID_OBJECT under 140.
 */
#define TK_TEE_MAX_CREDENTIAL_BLOB_LEN 1024

/* Maximum length of a recovered credential: a SHA-512 TPM2B_DIGEST. */
#define TK_TEE_MAX_CREDENTIAL_LEN 64

/*
 * One entry of the measurement log, in load order. Each load extends a
 * hash chain: event = SHA-256(encoded component id || image digest), and
 * running = SHA-256(previous running || event), starting from 32 zero
 * bytes. That is the TPM's PCR extend rule, so for the TPM backend
 * `running` is the value of PCR `pcr` after the extend.
 */
struct tk_tee_measurement {
	uint8_t id[TK_TEE_MAX_ID_LEN];        /* encoded component id */
	size_t id_len;
	uint8_t digest[TK_TEE_DIGEST_LEN];    /* SHA-256 of the loaded image */
	uint8_t event[TK_TEE_DIGEST_LEN];     /* value extended, see above */
	uint8_t running[TK_TEE_DIGEST_LEN];   /* chain value after this entry */
	uint32_t pcr;                         /* PCR extended (TPM); 0 (sim) */
};

/*
 * Called once per log entry, oldest first. Returning anything but TK_OK
 * stops the walk, and the list call returns that code.
 */
typedef tk_err (*tk_tee_measurement_fn)(void *visit_ctx,
					const struct tk_tee_measurement *m);

/*
 * The image a load checked, as handed to an invoke hook: `size` bytes that
 * stream() writes into `write` in chunks, in order. The backend keeps a
 * private copy of the bytes it measured, so a change to the store after
 * the check does not reach the hook. Valid during the invoke call only.
 */
struct tk_tee_image {
	uint64_t size;
	tk_err (*stream)(void *ctx, tk_tee_write_fn write, void *write_ctx,
			 struct tk_diag *diag);
	void *ctx;
};

/*
 * Runs a component once it is measured. The hook borrows `image` for the
 * call. A NULL invoke hook table means "measure and record only".
 */
struct tk_tee_invoke_ops {
	tk_err (*invoke)(void *ctx, const uint8_t *id, size_t id_len,
			 const struct tk_tee_image *image, struct tk_diag *diag);
	void *ctx;
};

/* Formats of struct tk_tee_quote. */
enum tk_tee_quote_format {
	TK_TEE_QUOTE_NONE = 0,
	/* Simulated TEE: attest is the 32-byte running hash of the
	   measurement log, signature is empty. Only the evidence signature
	   of the TEE key vouches for it. */
	TK_TEE_QUOTE_SIM = 1,
	/* TPM 2.0: attest is the marshalled TPMS_ATTEST (TPM 2.0 Library,
	   Part 2) of a quote or certify, signature the marshalled
	   TPMT_SIGNATURE (ECDSA with SHA-256) by the attestation key. */
	TK_TEE_QUOTE_TPM2 = 2,
};

/*
 * Signed statement of the TEE about its state. For the TPM backend the
 * qualifying data (extraData) is SHA-256(nonce || kid), with kid the
 * signing key's RFC 9679 thumbprint. A verifier that recomputes it can
 * tell that the statement is fresh and that the TEEP signing key belongs
 * to the same TEE.
 */
struct tk_tee_quote {
	enum tk_tee_quote_format format;
	uint8_t attest[TK_TEE_MAX_ATTEST_LEN];
	size_t attest_len;
	uint8_t signature[TK_TEE_MAX_QUOTE_SIG_LEN];
	size_t signature_len;
	/* Certify only: the marshalled TPMT_PUBLIC of the certified key. The
	   attest names the key by nameAlg || SHA-256 of these bytes, and
	   they contain its public point and attributes (fixedTPM, sign). */
	uint8_t object[TK_TEE_MAX_OBJECT_PUBLIC_LEN];
	size_t object_len;
};

/* Kinds of symmetric secrets an administrator provisions into the TEE. */
enum tk_tee_secret_use {
	TK_TEE_SECRET_KEK = 1,      /* AES-KW KEK (16, 24 or 32 bytes) that
				       unwraps the CEK of encrypted SUIT
				       payloads (A128KW, A192KW, A256KW) */
	TK_TEE_SECRET_MAC_KEY = 2,  /* HMAC 256/256 key (32 bytes) of COSE_Mac0
				       authentication blocks of SUIT envelopes */
};

/* Length of a provisioned secret's kid, in bytes (TK_ERR_LIMIT_SIZE). */
#define TK_TEE_MAX_SECRET_KID 64

/* Length of a trust anchor's PEM, in bytes: a P-256 or Ed25519 SPKI PEM is
 * under 200 (TK_ERR_LIMIT_SIZE beyond). */
#define TK_TEE_ANCHOR_PEM_MAX 512

/*
 * A TC signer trust anchor held by the TEE: a public key that may sign
 * SUIT manifests, optionally only for component ids under `scope`.
 */
struct tk_tee_trust_anchor {
	uint8_t kid[TK_TEE_KID_LEN];   /* RFC 9679 thumbprint of the key;
					  set by the backend on add */
	char pem[TK_TEE_ANCHOR_PEM_MAX]; /* the public key, SPKI PEM */
	size_t pem_len;
	uint8_t scope[TK_TEE_MAX_ID_LEN]; /* encoded SUIT_Component_Identifier
					     prefix, or empty: any component */
	size_t scope_len;
};

/* Called once per trust anchor by trust_anchor_list; non-TK_OK stops. */
typedef tk_err (*tk_tee_anchor_fn)(void *visit_ctx,
				   const struct tk_tee_trust_anchor *anchor);

/*
 * Backend hooks. Every hook takes the backend's ctx first and a diag last
 * (may be NULL). Buffers follow the span convention: out, out_cap, out_len.
 */
struct tk_tee_ops {
	/* Algorithm and kid of the signing key. */
	tk_err (*key_info)(void *ctx, struct tk_tee_key_info *out,
			   struct tk_diag *diag);

	/*
	 * The signing key as a crypto handle for the COSE and EAT layers, a
	 * view valid until the backend is closed. A backend whose key cannot
	 * leave the TEE returns a handle whose provider signs inside it.
	 */
	tk_err (*signing_key)(void *ctx, const struct tk_crypto_key **out,
			      struct tk_diag *diag);

	/*
	 * Sign `tbs` (for COSE: the encoded Sig_structure) with the signing
	 * key; the signature is in COSE form (r || s for ECDSA).
	 */
	tk_err (*sign)(void *ctx, const uint8_t *tbs, size_t tbs_len,
		       uint8_t *sig, size_t sig_cap, size_t *sig_len,
		       struct tk_diag *diag);

	/* Public key as PEM (SPKI), for enrolment with a TAM. */
	tk_err (*public_key_pem)(void *ctx, char *out, size_t out_cap,
				 size_t *out_len, struct tk_diag *diag);

	/*
	 * The SUIT report signing key as a crypto handle, a view valid until
	 * the backend is closed. It is a key of its own, because
	 * draft-ietf-teep-protocol requires the key of a SUIT report's COSE
	 * protection to differ from the one signing TEEP messages. Its
	 * algorithm is that of the signing key. TK_ERR_NOT_FOUND when the
	 * backend was opened without creating one.
	 */
	tk_err (*report_key)(void *ctx, const struct tk_crypto_key **out,
			     struct tk_diag *diag);

	/* The UEID, TK_TEE_UEID_LEN bytes for the simulated backend. */
	tk_err (*ueid)(void *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
		       struct tk_diag *diag);

	/*
	 * Store `image` as component `id` atomically, replacing any earlier
	 * image. `sequence_number` is that of the manifest installing it.
	 */
	tk_err (*install_component)(void *ctx, const uint8_t *id, size_t id_len,
				    const uint8_t *image, size_t image_len,
				    uint64_t sequence_number,
				    struct tk_diag *diag);

	/* Metadata of one component; TK_ERR_NOT_FOUND when absent. */
	tk_err (*component_info)(void *ctx, const uint8_t *id, size_t id_len,
				 struct tk_tee_object_info *out,
				 struct tk_diag *diag);

	/*
	 * Copy the image of component `id` into out. Fails with
	 * TK_ERR_DIGEST_MISMATCH when the stored bytes no longer match the
	 * digest recorded at install, TK_ERR_NOT_FOUND when absent.
	 */
	tk_err (*read_component)(void *ctx, const uint8_t *id, size_t id_len,
				 uint8_t *out, size_t out_cap, size_t *out_len,
				 struct tk_diag *diag);

	/* Visit every installed component, in no particular order. */
	tk_err (*list_components)(void *ctx, tk_tee_visit_fn visit,
				  void *visit_ctx, struct tk_diag *diag);

	/* Remove component `id`; TK_ERR_NOT_FOUND when absent. */
	tk_err (*remove_component)(void *ctx, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag);

	/*
	 * Store the installed SUIT envelope of manifest component id `id`
	 * atomically, replacing an earlier one. Does not change the stored
	 * highest sequence number: call set_sequence_number for that.
	 */
	tk_err (*store_manifest)(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t *envelope, size_t envelope_len,
				 uint64_t sequence_number, struct tk_diag *diag);

	/* Metadata of one stored manifest; TK_ERR_NOT_FOUND when absent. */
	tk_err (*manifest_info)(void *ctx, const uint8_t *id, size_t id_len,
				struct tk_tee_object_info *out,
				struct tk_diag *diag);

	/* Copy the stored envelope of `id` into out, checked as above. */
	tk_err (*read_manifest)(void *ctx, const uint8_t *id, size_t id_len,
				uint8_t *out, size_t out_cap, size_t *out_len,
				struct tk_diag *diag);

	/* Visit every stored manifest, in no particular order. */
	tk_err (*list_manifests)(void *ctx, tk_tee_visit_fn visit,
				 void *visit_ctx, struct tk_diag *diag);

	/* Remove the envelope of `id`; its sequence number stays. */
	tk_err (*remove_manifest)(void *ctx, const uint8_t *id, size_t id_len,
				  struct tk_diag *diag);

	/*
	 * Highest accepted sequence number of manifest component id `id`.
	 * *found is false (and *out 0) when none was ever stored.
	 */
	tk_err (*get_sequence_number)(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t *out, bool *found,
				      struct tk_diag *diag);

	/*
	 * Persist `value` as the highest sequence number of `id`. Fails with
	 * TK_ERR_ROLLBACK when it is lower than the stored one; an equal value
	 * succeeds and changes nothing.
	 */
	tk_err (*set_sequence_number)(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t value,
				      struct tk_diag *diag);

	/*
	 * Load component `id` (flow "deploy versus load"): read its stored
	 * image, check it against the digest recorded at install and against
	 * `expected_digest` (the image digest of its manifest). Either check
	 * fails with TK_ERR_DIGEST_MISMATCH. Then append it to the
	 * measurement log (the TPM backend also extends the PCR), and hand
	 * the image to `invoke` when it is not NULL. Nothing is recorded when
	 * a check fails.
	 */
	tk_err (*load_component)(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
				 const struct tk_tee_invoke_ops *invoke,
				 struct tk_diag *diag);

	/*
	 * Visit the measurement log, oldest entry first. The backend checks
	 * the hash chain first (and, for the TPM, that it ends at the PCR's
	 * value) and fails with TK_ERR_DIGEST_MISMATCH when it does not hold.
	 */
	tk_err (*list_measurements)(void *ctx, tk_tee_measurement_fn visit,
				    void *visit_ctx, struct tk_diag *diag);

	/*
	 * A statement over what is loaded, bound to `nonce` (1 to
	 * TK_TEE_MAX_NONCE_LEN bytes). TPM: a quote of the measurement PCR.
	 */
	tk_err (*quote)(void *ctx, const uint8_t *nonce, size_t nonce_len,
			struct tk_tee_quote *out, struct tk_diag *diag);

	/*
	 * The attestation key's certification of the TEEP signing key
	 * (TPM2_Certify), bound to `nonce` as for quote.
	 */
	tk_err (*certify_signing_key)(void *ctx, const uint8_t *nonce,
				      size_t nonce_len, struct tk_tee_quote *out,
				      struct tk_diag *diag);

	/* Public attestation key that signs quotes, as PEM (SPKI). */
	tk_err (*attestation_key_pem)(void *ctx, char *out, size_t out_cap,
				      size_t *out_len, struct tk_diag *diag);

	/*
	 * The endorsement key certificate (DER X.509) that the manufacturer
	 * or swtpm_setup stored in TPM NV, for a verifier to chain to its CA.
	 */
	tk_err (*endorsement_certificate)(void *ctx, uint8_t *out,
					  size_t out_cap, size_t *out_len,
					  struct tk_diag *diag);

	/*
	 * The attestation key's marshalled TPMT_PUBLIC. Its name, which a
	 * credential is bound to, is nameAlg (SHA-256) || SHA-256 of these
	 * bytes (see tk_eat_tpm_ak_parse()).
	 */
	tk_err (*attestation_key_public)(void *ctx, uint8_t *out, size_t out_cap,
					 size_t *out_len, struct tk_diag *diag);

	/*
	 * TPM2_ActivateCredential (TPM 2.0 Library, Part 3, section 12.5):
	 * recover the credential a verifier protected for the attestation
	 * key and this TPM's endorsement key. id_object is a marshalled
	 * TPM2B_ID_OBJECT, encrypted_secret a marshalled
	 * TPM2B_ENCRYPTED_SECRET (at most TK_TEE_MAX_CREDENTIAL_BLOB_LEN
	 * bytes each). A blob made for another TPM or another key fails
	 * with TK_ERR_DECRYPT. The credential is a secret: wipe it after use.
	 */
	tk_err (*activate_credential)(void *ctx, const uint8_t *id_object,
				      size_t id_object_len,
				      const uint8_t *encrypted_secret,
				      size_t encrypted_secret_len, uint8_t *out,
				      size_t out_cap, size_t *out_len,
				      struct tk_diag *diag);

	/*
	 * Recover the content encryption key of one COSE_recipient of an
	 * encrypted SUIT payload with a key that never leaves the backend:
	 * the recipient key (ECDH-ES+A128KW, ECDH-ES+A256KW) or a provisioned
	 * KEK (A128KW, A192KW, A256KW) whose kid matches. Same signature as
	 * the SUIT platform hook, so an agent can forward it. TK_ERR_KEY
	 * when the backend has no fitting key.
	 */
	tk_err (*unwrap_cek)(void *ctx, const struct tk_suit_recipient *recipient,
			     uint8_t *cek, size_t cek_cap, size_t *cek_len,
			     struct tk_diag *diag);

	/*
	 * Public half of the recipient key (P-256) as PEM (SPKI): data
	 * providers encrypt personalization data to it.
	 */
	tk_err (*encryption_public_key_pem)(void *ctx, char *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag);

	/* Store a symmetric secret under kid, replacing one of the same use
	 * and kid. */
	tk_err (*provision_secret)(void *ctx, enum tk_tee_secret_use use,
				   const uint8_t *kid, size_t kid_len,
				   const uint8_t *secret, size_t secret_len,
				   struct tk_diag *diag);

	/*
	 * HMAC-SHA256 of the concatenation of parts with the MAC key of
	 * `kid` (empty kid: the only MAC key, TK_ERR_KEY when there are
	 * several). TK_ERR_NOT_FOUND when no such key is provisioned.
	 */
	tk_err (*mac_sha256)(void *ctx, const uint8_t *kid, size_t kid_len,
			     const struct tk_span *parts, size_t n_parts,
			     uint8_t out[32], struct tk_diag *diag);

	/* Add or replace (same key) a TC signer trust anchor; sets
	 * anchor->kid. */
	tk_err (*trust_anchor_add)(void *ctx, struct tk_tee_trust_anchor *anchor,
				   struct tk_diag *diag);

	/* Visit every trust anchor, in no particular order. */
	tk_err (*trust_anchor_list)(void *ctx, tk_tee_anchor_fn visit,
				    void *visit_ctx, struct tk_diag *diag);

	/* Remove the trust anchor with this kid; TK_ERR_NOT_FOUND when
	 * absent. */
	tk_err (*trust_anchor_remove)(void *ctx, const uint8_t kid[TK_TEE_KID_LEN],
				      struct tk_diag *diag);

	/*
	 * Staged writes: an image streams into staging area `area` and
	 * becomes component `id` only on commit, atomically, replacing an
	 * earlier image; abort discards it. Beginning an area discards what
	 * it held. Areas do not survive close or a restart.
	 */
	tk_err (*stage_begin)(void *ctx, unsigned area, struct tk_diag *diag);
	tk_err (*stage_write)(void *ctx, unsigned area, const uint8_t *chunk,
			      size_t len, struct tk_diag *diag);
	tk_err (*stage_read)(void *ctx, unsigned area, tk_tee_write_fn write,
			     void *write_ctx, struct tk_diag *diag);
	tk_err (*stage_commit)(void *ctx, unsigned area, const uint8_t *id,
			       size_t id_len, uint64_t sequence_number,
			       struct tk_diag *diag);
	void (*stage_abort)(void *ctx, unsigned area);

	/*
	 * Stream the image of component `id` into write in chunks, then
	 * check it against the digest recorded at install: on
	 * TK_ERR_DIGEST_MISMATCH the receiver must drop what it got.
	 * TK_ERR_NOT_FOUND when absent.
	 */
	tk_err (*stream_component)(void *ctx, const uint8_t *id, size_t id_len,
				   tk_tee_write_fn write, void *write_ctx,
				   struct tk_diag *diag);

	/*
	 * Reference counts (draft-ietf-suit-trust-domains-11 section
	 * 5.6.5), kept across restarts. A holder (a manifest component id)
	 * references a target (a component id or a manifest component id).
	 * link adds the reference and succeeds without a second one when it
	 * exists. unlink drops it if present and sets *remaining to the
	 * references left. When none are left, unlink removes the component
	 * image of `target` if there is one. references counts the
	 * references of holders other than `holder`.
	 */
	tk_err (*link)(void *ctx, const uint8_t *holder, size_t holder_len,
		       const uint8_t *target, size_t target_len,
		       struct tk_diag *diag);
	tk_err (*unlink)(void *ctx, const uint8_t *holder, size_t holder_len,
			 const uint8_t *target, size_t target_len,
			 uint64_t *remaining, struct tk_diag *diag);
	tk_err (*references)(void *ctx, const uint8_t *target,
			     size_t target_len, const uint8_t *holder,
			     size_t holder_len, uint64_t *others,
			     struct tk_diag *diag);

	/* Release everything the backend holds, wiping key material. */
	void (*close)(void *ctx);
};

/* An open backend: its hooks and their context. */
struct tk_tee {
	const struct tk_tee_ops *ops;
	void *ctx;
};

/* Wrappers: same contracts as the hooks above. */
TK_MUST_CHECK tk_err tk_tee_key_info(const struct tk_tee *tee,
				     struct tk_tee_key_info *out,
				     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_signing_key(const struct tk_tee *tee,
					const struct tk_crypto_key **out,
					struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_sign(const struct tk_tee *tee, const uint8_t *tbs,
				 size_t tbs_len, uint8_t *sig, size_t sig_cap,
				 size_t *sig_len, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_public_key_pem(const struct tk_tee *tee, char *out,
					   size_t out_cap, size_t *out_len,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_report_key(const struct tk_tee *tee,
				       const struct tk_crypto_key **out,
				       struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_ueid(const struct tk_tee *tee, uint8_t *out,
				 size_t out_cap, size_t *out_len,
				 struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_install_component(const struct tk_tee *tee,
					      const uint8_t *id, size_t id_len,
					      const uint8_t *image,
					      size_t image_len,
					      uint64_t sequence_number,
					      struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_component_info(const struct tk_tee *tee,
					   const uint8_t *id, size_t id_len,
					   struct tk_tee_object_info *out,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_read_component(const struct tk_tee *tee,
					   const uint8_t *id, size_t id_len,
					   uint8_t *out, size_t out_cap,
					   size_t *out_len,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_list_components(const struct tk_tee *tee,
					    tk_tee_visit_fn visit,
					    void *visit_ctx,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_remove_component(const struct tk_tee *tee,
					     const uint8_t *id, size_t id_len,
					     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_store_manifest(const struct tk_tee *tee,
					   const uint8_t *id, size_t id_len,
					   const uint8_t *envelope,
					   size_t envelope_len,
					   uint64_t sequence_number,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_manifest_info(const struct tk_tee *tee,
					  const uint8_t *id, size_t id_len,
					  struct tk_tee_object_info *out,
					  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_read_manifest(const struct tk_tee *tee,
					  const uint8_t *id, size_t id_len,
					  uint8_t *out, size_t out_cap,
					  size_t *out_len, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_list_manifests(const struct tk_tee *tee,
					   tk_tee_visit_fn visit,
					   void *visit_ctx,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_remove_manifest(const struct tk_tee *tee,
					    const uint8_t *id, size_t id_len,
					    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_get_sequence_number(const struct tk_tee *tee,
						const uint8_t *id,
						size_t id_len, uint64_t *out,
						bool *found,
						struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_set_sequence_number(const struct tk_tee *tee,
						const uint8_t *id,
						size_t id_len, uint64_t value,
						struct tk_diag *diag);

TK_MUST_CHECK tk_err tk_tee_load_component(const struct tk_tee *tee,
					   const uint8_t *id, size_t id_len,
					   const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
					   const struct tk_tee_invoke_ops *invoke,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_list_measurements(const struct tk_tee *tee,
					      tk_tee_measurement_fn visit,
					      void *visit_ctx,
					      struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_quote(const struct tk_tee *tee, const uint8_t *nonce,
				  size_t nonce_len, struct tk_tee_quote *out,
				  struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_certify_signing_key(const struct tk_tee *tee,
						const uint8_t *nonce,
						size_t nonce_len,
						struct tk_tee_quote *out,
						struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_attestation_key_pem(const struct tk_tee *tee,
						char *out, size_t out_cap,
						size_t *out_len,
						struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_endorsement_certificate(const struct tk_tee *tee,
						    uint8_t *out, size_t out_cap,
						    size_t *out_len,
						    struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_attestation_key_public(const struct tk_tee *tee,
						   uint8_t *out, size_t out_cap,
						   size_t *out_len,
						   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_activate_credential(const struct tk_tee *tee,
						const uint8_t *id_object,
						size_t id_object_len,
						const uint8_t *encrypted_secret,
						size_t encrypted_secret_len,
						uint8_t *out, size_t out_cap,
						size_t *out_len,
						struct tk_diag *diag);

TK_MUST_CHECK tk_err tk_tee_unwrap_cek(const struct tk_tee *tee,
				       const struct tk_suit_recipient *recipient,
				       uint8_t *cek, size_t cek_cap,
				       size_t *cek_len, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_encryption_public_key_pem(const struct tk_tee *tee,
						      char *out, size_t out_cap,
						      size_t *out_len,
						      struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_provision_secret(const struct tk_tee *tee,
					     enum tk_tee_secret_use use,
					     const uint8_t *kid, size_t kid_len,
					     const uint8_t *secret,
					     size_t secret_len,
					     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_mac_sha256(const struct tk_tee *tee,
				       const uint8_t *kid, size_t kid_len,
				       const struct tk_span *parts,
				       size_t n_parts, uint8_t out[32],
				       struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_trust_anchor_add(const struct tk_tee *tee,
					     struct tk_tee_trust_anchor *anchor,
					     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_trust_anchor_list(const struct tk_tee *tee,
					      tk_tee_anchor_fn visit,
					      void *visit_ctx,
					      struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_trust_anchor_remove(const struct tk_tee *tee,
						const uint8_t kid[TK_TEE_KID_LEN],
						struct tk_diag *diag);

TK_MUST_CHECK tk_err tk_tee_stage_begin(const struct tk_tee *tee, unsigned area,
					struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_stage_write(const struct tk_tee *tee, unsigned area,
					const uint8_t *chunk, size_t len,
					struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_stage_read(const struct tk_tee *tee, unsigned area,
				       tk_tee_write_fn write, void *write_ctx,
				       struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_stage_commit(const struct tk_tee *tee, unsigned area,
					 const uint8_t *id, size_t id_len,
					 uint64_t sequence_number,
					 struct tk_diag *diag);
/* Abort staging area `area`; a no-op without the hook or a backend. */
void tk_tee_stage_abort(const struct tk_tee *tee, unsigned area);
TK_MUST_CHECK tk_err tk_tee_stream_component(const struct tk_tee *tee,
					     const uint8_t *id, size_t id_len,
					     tk_tee_write_fn write,
					     void *write_ctx,
					     struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_link(const struct tk_tee *tee, const uint8_t *holder,
				 size_t holder_len, const uint8_t *target,
				 size_t target_len, struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_unlink(const struct tk_tee *tee, const uint8_t *holder,
				   size_t holder_len, const uint8_t *target,
				   size_t target_len, uint64_t *remaining,
				   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_tee_references(const struct tk_tee *tee,
				       const uint8_t *target, size_t target_len,
				       const uint8_t *holder, size_t holder_len,
				       uint64_t *others, struct tk_diag *diag);

/* Close the backend (calls its close hook) and clear *tee. NULL is a no-op. */
void tk_tee_close(struct tk_tee *tee);

/*
 * The simulated backend: software keys and a state directory.
 *
 * Layout of `state_dir`, which is created mode 0700 when missing and
 * rejected when it is a symlink, is not owned by the caller's user, or
 * grants any access to group or others:
 *   key.pem            TEE signing key, PKCS#8 PEM, mode 0600
 *   report-key.pem     SUIT report signing key, the same algorithm and
 *                      format, mode 0600; created on an open with
 *                      `create` when missing, also in an older state
 *                      directory
 *   encryption-key.pem recipient key of encrypted SUIT payloads, P-256
 *                      PKCS#8 PEM, mode 0600; created like report-key.pem
 *   secrets/<h>        a provisioned KEK or MAC key, mode 0600; <h> is
 *                      the hex SHA-256 of the use byte and the kid
 *   trust-anchors/<h>  a TC signer trust anchor; <h> is the hex kid
 *   ueid               the UEID, raw bytes
 *   components/<h>     one installed component: metadata record and image
 *   manifests/<h>      one installed envelope: metadata record and envelope
 *   sequence/<h>       highest sequence number of one manifest component id
 *   measurements       the measurement log of loaded components, kept
 *                      until removed by hand (the simulator has no reset)
 * <h> is the lowercase hex SHA-256 of the encoded id, so no peer-chosen
 * bytes ever reach a path. Metadata and data share one file, so a single
 * rename replaces both: every file is written to a temporary name in the
 * same folder, fsynced, renamed into place, and the folder fsynced. Files
 * and folders are opened with O_NOFOLLOW relative to the state directory.
 * Temporary files left by a crash are removed when the backend is opened.
 */
struct tk_tee_sim_config {
	const char *state_dir;  /* path of the state directory */
	const struct tk_crypto *crypto; /* provider; NULL = OpenSSL */
	int64_t create_alg;     /* COSE alg of a key created on first start:
				   -9 ESP256 or -19 Ed25519; 0 = ESP256 */
	bool create;            /* create dir, key and UEID when missing;
				   false fails with TK_ERR_NOT_FOUND */
	bool storage_only;      /* no signing key (key.pem is neither read
				   nor created; the key hooks fail with
				   TK_ERR_UNSUPPORTED): the store of a
				   backend that keeps its keys elsewhere */
	const struct tk_log *log; /* may be NULL; never receives secrets */
};

/*
 * Open (and on first start, create) a simulated TEE. On success *out holds
 * the backend; caller owns it, release with tk_tee_close(). When a key
 * already exists, create_alg is ignored and the existing key is used.
 */
TK_MUST_CHECK tk_err tk_tee_sim_open(const struct tk_tee_sim_config *config,
				     struct tk_tee *out, struct tk_diag *diag);

/*
 * The TPM backend: a TPM 2.0 (swtpm or hardware) keeps the keys and the
 * measurements, and the state directory keeps the rest.
 *
 * Layout of `state_dir`: that of the simulated backend without key.pem,
 * report-key.pem and measurements (components, manifests, sequence
 * numbers, the UEID and the SUIT keys of encryption-key.pem, secrets/ and
 * trust-anchors/ are stored the same way, by the same code), plus
 *   tpm/signing-key     TEEP signing key, TPM2B_PUBLIC || TPM2B_PRIVATE
 *                       as the TPM wrapped it under the SRK, mode 0600
 *   tpm/report-key      SUIT report signing key (ESP256), the same
 *   tpm/attestation-key attestation key, the same, wrapped under the EK
 *   tpm/measurements    the measurement log, which replays to the PCR
 * The SRK is the TCG template's ECC P-256 storage primary, derived again
 * for each use. The TEEP signing key is ECDSA P-256 (ESP256): the TPM has
 * no Ed25519. The attestation key is a restricted ECDSA P-256 key under
 * the persistent EK. A TPM reset (PCR back to zero) clears the log at the
 * next open.
 */
struct tk_tee_tpm_config {
	const char *state_dir;  /* path of the state directory */
	const char *tcti;       /* TCTI configuration for tpm2-tss, such as
				   "swtpm:host=127.0.0.1,port=2321" or
				   "device:/dev/tpmrm0" */
	const struct tk_crypto *crypto; /* provider; NULL = OpenSSL */
	uint32_t pcr;           /* PCR extended on load, 0..23;
				   0 = TK_TEE_TPM_DEFAULT_PCR */
	uint32_t ek_handle;     /* persistent EK; 0 = TK_TEE_TPM_DEFAULT_EK */
	uint32_t ek_cert_index; /* NV index of the EK certificate;
				   0 = TK_TEE_TPM_DEFAULT_EK_CERT */
	bool create;            /* create dir and keys when missing;
				   false fails with TK_ERR_NOT_FOUND */
	const struct tk_log *log; /* may be NULL; never receives secrets */
};

/* PCR 23 is the application PCR of the TCG PC Client PCR allocation, so
 * loads leave boot measurements alone. Tests may pick the debug PCR 16. */
#define TK_TEE_TPM_DEFAULT_PCR 23

/* The RSA 2048 EK and its certificate at the TCG's usual handles, where
 * swtpm_setup 0.7 puts them. */
#define TK_TEE_TPM_DEFAULT_EK 0x81010001u
#define TK_TEE_TPM_DEFAULT_EK_CERT 0x01c00002u

/*
 * Open (and on first start, create) a TPM-backed TEE. On success *out
 * holds the backend; caller owns it, release with tk_tee_close(). TPM
 * failures are TK_ERR_DEVICE, an unreachable TPM TK_ERR_NETWORK.
 */
TK_MUST_CHECK tk_err tk_tee_tpm_open(const struct tk_tee_tpm_config *config,
				     struct tk_tee *out, struct tk_diag *diag);

#endif /* TK_TEE_H */
