/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE (RFC 9052, algorithms RFC 9053 and RFC 9864): COSE_Sign1, COSE_Sign
 * with several signers, COSE_Mac0, COSE_Encrypt0, COSE_Encrypt, COSE_Key
 * and RFC 9679 key thumbprints.
 *
 * Signing algorithms: ESP256 (-9, ECDSA P-256 SHA-256) and Ed25519 (-19).
 * Verification also accepts their older, polymorphic names ES256 (-7) and
 * EdDSA (-8) when used with a P-256 or Ed25519 key. MAC: HMAC 256/256 (5).
 *
 * Header parameters understood (RFC 9052 section 3.1), the only ones a
 * protected header may contain; any other protected label fails with
 * TK_ERR_CRIT:
 *   1 alg           int (a tstr alg is never supported)
 *   2 crit          array of labels. Each must be one of the labels 1, 3
 *                   or 4 and be present in the same protected header,
 *                   otherwise the message fails with TK_ERR_CRIT.
 *   3 content type  uint or tstr
 *   4 kid           bstr (we write it in the unprotected header)
 * Unprotected headers may also carry IV (5), partial IV (6) and ephemeral
 * key (-1), which the encryption functions use. Other unprotected labels
 * (for example counter signatures) are ignored, as RFC 9052 section 3
 * allows. A label present in both buckets fails with TK_ERR_SCHEMA_VALUE.
 * alg may be in either bucket. We write it protected, except for AES-CTR
 * content and AES key wrap recipients, which keep an empty protected header.
 * A protected header sent as an encoded empty map (h'A0') is accepted and
 * enters the signed, MACed or encrypted structure as h'', like a
 * zero-length one (RFC 9052 section 3).
 *
 * Parsing allocates nothing: every span returned is a view into the message
 * buffer given (or into the detached payload or AAD the caller passed),
 * valid while that buffer is. Key operations go through the crypto
 * provider, which may allocate.
 */
#ifndef TK_COSE_H
#define TK_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"

/* CBOR tags (RFC 9052 section 2). */
#define TK_COSE_TAG_SIGN1 18
#define TK_COSE_TAG_SIGN 98
#define TK_COSE_TAG_MAC0 17

/* Algorithms (IANA COSE Algorithms registry). */
#define TK_COSE_ALG_ES256 (-7)    /* P-256 key required */
#define TK_COSE_ALG_EDDSA (-8)    /* verify only; Ed25519 key required */
#define TK_COSE_ALG_ESP256 (-9)   /* RFC 9864 */
#define TK_COSE_ALG_ED25519 (-19) /* RFC 9864 */
#define TK_COSE_ALG_HMAC_256_256 5

/* Header labels. */
#define TK_COSE_HDR_ALG 1
#define TK_COSE_HDR_CRIT 2
#define TK_COSE_HDR_CONTENT_TYPE 3
#define TK_COSE_HDR_KID 4

/*
 * Maximum number of signers in a COSE_Sign, on create and verify. TEEP
 * uses one per cipher suite (two today); more fails with
 * TK_ERR_LIMIT_COUNT so a peer cannot make us try unbounded signatures.
 */
#define TK_COSE_MAX_SIGNERS 8

/* Maximum number of labels in a crit array; more fails with TK_ERR_CRIT. */
#define TK_COSE_MAX_CRIT 4

/* Maximum kid length we accept or write, in bytes (TK_ERR_SCHEMA_LENGTH). */
#define TK_COSE_KID_MAX 64

/* Rule for the outer CBOR tag of an input message. */
enum tk_cose_tag_mode {
	TK_COSE_TAG_OPTIONAL = 0, /* tagged with the right tag, or untagged */
	TK_COSE_TAG_REQUIRED = 1, /* must carry the tag */
	TK_COSE_TAG_FORBIDDEN = 2 /* must be untagged (e.g. inside SUIT) */
};

/*
 * Decoded header parameters of one layer (protected and unprotected merged).
 * Spans are views into the message.
 */
struct tk_cose_headers {
	bool has_alg;
	int64_t alg;                 /* valid when has_alg */
	struct tk_span kid;          /* empty when absent */
	bool has_content_type;
	bool content_type_is_text;   /* true: content_type_text, else _uint */
	uint64_t content_type_uint;
	struct tk_span content_type_text;
	struct tk_span protected_raw; /* contents of the protected bstr */
	struct tk_span iv;           /* label 5, empty when absent */
};

/* A key we trust for verification, with an optional kid to match. */
struct tk_cose_trusted_key {
	const struct tk_crypto_key *key; /* borrowed */
	struct tk_span kid;              /* if non-empty and the signer has a
					    kid, the two must be equal; an
					    empty kid here, or a signer
					    without kid, matches any key of
					    the right type */
};

/*
 * Verification options. Zero-initialise, then set what applies.
 */
struct tk_cose_verify_opts {
	enum tk_cose_tag_mode tag_mode;
	struct tk_span external_aad;     /* empty for none */
	bool detached;                   /* payload is nil in the message and
					    is detached_payload instead */
	struct tk_span detached_payload;
	const struct tk_cose_trusted_key *keys; /* trusted keys, borrowed */
	size_t n_keys;
	/* Algorithms allowed; NULL means all supported ones listed above. */
	const int64_t *allowed_algs;
	size_t n_allowed_algs;
};

/* Result of a successful verification. Views as documented per field. */
struct tk_cose_verified {
	struct tk_span payload;        /* view into the message, or the detached
					  payload passed in the options */
	struct tk_cose_headers body;   /* Sign1: its headers; Sign: the body's */
	struct tk_cose_headers signer; /* headers of the signer that verified
					  (for Sign1 a copy of body) */
	size_t signer_index;           /* position in the COSE_Sign signers
					  array; 0 for Sign1 */
	size_t key_index;              /* index in opts->keys that verified */
};

/* A key to sign with. */
struct tk_cose_signer {
	const struct tk_crypto_key *key; /* borrowed, must hold a private part */
	int64_t alg;                     /* TK_COSE_ALG_ESP256 or _ED25519 */
	struct tk_span kid;              /* written in the unprotected header;
					    empty = none unless kid_thumbprint */
	bool kid_thumbprint;             /* use the key's RFC 9679 thumbprint
					    as kid (ignores kid) */
};

/* Options when creating a message. Zero-initialise, then set what applies. */
struct tk_cose_sign_opts {
	bool tagged;                 /* write the COSE tag (18, 98 or 17) */
	bool detached;               /* write nil in place of the payload */
	struct tk_span external_aad; /* empty for none */
	bool has_content_type;       /* write content type (label 3) in the
					    protected header of the body */
	uint64_t content_type;       /* CoAP content format */
};

/*
 * COSE_Sign1 = [protected: bstr, unprotected: map, payload: bstr / nil,
 *               signature: bstr], optionally tag 18.
 * Sign payload with signer. The protected header is {1: alg} (plus 3 when
 * opts->has_content_type), the unprotected header {4: kid} when a kid is
 * set. Writes into out[0..out_cap); *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_cose_sign1_create(const struct tk_crypto *c,
					  const struct tk_cose_signer *signer,
					  const uint8_t *payload, size_t payload_len,
					  const struct tk_cose_sign_opts *opts,
					  uint8_t *out, size_t out_cap, size_t *out_len,
					  struct tk_diag *diag);

/*
 * Verify a COSE_Sign1 against the trusted keys in opts: keys whose kid
 * matches (see struct tk_cose_trusted_key) and whose type fits alg are
 * tried in order. Errors: TK_ERR_SCHEMA_TAG (wrong or missing tag),
 * TK_ERR_CRIT (protected header not understood), TK_ERR_ALG_UNSUPPORTED,
 * TK_ERR_UNTRUSTED (no trusted key fits), TK_ERR_SIGNATURE. On success *out
 * contains views into msg (or into the detached payload); on failure it is
 * zeroed. Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_sign1_verify(const struct tk_crypto *c,
					  const uint8_t *msg, size_t msg_len,
					  const struct tk_cose_verify_opts *opts,
					  struct tk_cose_verified *out,
					  struct tk_diag *diag);

/*
 * COSE_Sign = [protected, unprotected, payload: bstr / nil,
 *              signatures: [+ COSE_Signature]], optionally tag 98;
 * COSE_Signature = [protected, unprotected, signature: bstr].
 * Sign payload once per signer (1..TK_COSE_MAX_SIGNERS). The body's
 * protected header is empty (or {3: content type}); each signer's protected
 * header is {1: alg} and its unprotected header {4: kid}.
 */
TK_MUST_CHECK tk_err tk_cose_sign_create(const struct tk_crypto *c,
					 const struct tk_cose_signer *signers,
					 size_t n_signers,
					 const uint8_t *payload, size_t payload_len,
					 const struct tk_cose_sign_opts *opts,
					 uint8_t *out, size_t out_cap, size_t *out_len,
					 struct tk_diag *diag);

/*
 * Verify a COSE_Sign: succeeds on the first signer whose alg is supported
 * and allowed and whose signature verifies with a trusted key that matches
 * it. out->signer_index and out->key_index identify them. When none verifies,
 * the error is the most telling one met: TK_ERR_SIGNATURE if a candidate
 * signature failed, else TK_ERR_CRIT, else TK_ERR_UNTRUSTED, else
 * TK_ERR_ALG_UNSUPPORTED. A body protected header not understood fails the
 * whole message with TK_ERR_CRIT. Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_sign_verify(const struct tk_crypto *c,
					 const uint8_t *msg, size_t msg_len,
					 const struct tk_cose_verify_opts *opts,
					 struct tk_cose_verified *out,
					 struct tk_diag *diag);

/*
 * Read the headers and payload of a COSE_Sign1 or COSE_Sign without
 * verifying anything (for inspection, or to find the kid first). For a
 * COSE_Sign, `signer` receives the headers of the first signer. Nothing
 * returned may be trusted. Views into msg.
 */
TK_MUST_CHECK tk_err tk_cose_peek(const uint8_t *msg, size_t msg_len,
				  struct tk_cose_headers *body,
				  struct tk_cose_headers *signer,
				  struct tk_span *payload, struct tk_diag *diag);

/*
 * COSE_Mac0 = [protected, unprotected, payload: bstr / nil, tag: bstr],
 * optionally tag 17, with HMAC 256/256 (alg 5). key is the shared secret,
 * borrowed; the caller wipes it. kid may be empty.
 */
TK_MUST_CHECK tk_err tk_cose_mac0_create(const struct tk_crypto *c,
					 const uint8_t *key, size_t key_len,
					 struct tk_span kid,
					 const uint8_t *payload, size_t payload_len,
					 const struct tk_cose_sign_opts *opts,
					 uint8_t *out, size_t out_cap, size_t *out_len,
					 struct tk_diag *diag);

/*
 * Verify a COSE_Mac0 with the shared secret key (opts->keys is ignored).
 * The tag is compared in constant time. out->key_index is 0. Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_mac0_verify(const struct tk_crypto *c,
					 const uint8_t *key, size_t key_len,
					 const uint8_t *msg, size_t msg_len,
					 const struct tk_cose_verify_opts *opts,
					 struct tk_cose_verified *out,
					 struct tk_diag *diag);

/*
 * A MAC computed by whoever holds the key, for example a TEE: HMAC-SHA256
 * of the concatenation of parts with the key named by kid (empty when the
 * message carries none). Writes the 32-byte tag.
 */
struct tk_cose_mac_hook {
	tk_err (*hmac_sha256)(void *ctx, struct tk_span kid,
			      const struct tk_span *parts, size_t n_parts,
			      uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
			      struct tk_diag *diag);
	void *ctx;
};

/*
 * Verify a COSE_Mac0 like tk_cose_mac0_verify(), with the tag computed by
 * `hook` from the message's kid, so the key never reaches this code. A
 * hook failure is returned as it is (TK_ERR_NOT_FOUND or TK_ERR_KEY when
 * the holder has no such key). Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_mac0_verify_hook(const struct tk_cose_mac_hook *hook,
					      const uint8_t *msg, size_t msg_len,
					      const struct tk_cose_verify_opts *opts,
					      struct tk_cose_verified *out,
					      struct tk_diag *diag);

/*
 * COSE_Encrypt0 and COSE_Encrypt (RFC 9052 section 5).
 *
 * Content algorithms: A128GCM (1), A192GCM (2), A256GCM (3),
 * ChaCha20/Poly1305 (24), and A128CTR (-65534), A192CTR (-65533), A256CTR
 * (-65532) of RFC 9459. The CTR algorithms have no integrity, so no
 * Enc_structure is authenticated. As the SUIT firmware encryption draft
 * requires, their protected header must be empty, and external AAD is
 * rejected because nothing would bind it. A message using them must be
 * authenticated by other means (SUIT signs the manifest that carries the
 * payload digest).
 * Recipient algorithms of COSE_Encrypt: direct (-6), A128KW (-3), A192KW
 * (-4), A256KW (-5), ECDH-ES+A128KW (-29), ECDH-ES+A192KW (-30) and
 * ECDH-ES+A256KW (-31) with P-256 keys (RFC 9053 sections 6.1, 6.2, 6.4).
 * Recipient header labels also understood: 5 IV (bstr, unprotected),
 * 6 partial IV (always TK_ERR_UNSUPPORTED: it needs a base IV from a key
 * context we do not keep), -1 ephemeral key (COSE_Key, unprotected).
 */
#define TK_COSE_TAG_ENCRYPT0 16
#define TK_COSE_TAG_ENCRYPT 96
#define TK_COSE_ALG_A128GCM 1
#define TK_COSE_ALG_A192GCM 2
#define TK_COSE_ALG_A256GCM 3
#define TK_COSE_ALG_CHACHA20_POLY1305 24
#define TK_COSE_ALG_A128CTR (-65534)
#define TK_COSE_ALG_A192CTR (-65533)
#define TK_COSE_ALG_A256CTR (-65532)
#define TK_COSE_ALG_DIRECT (-6)
#define TK_COSE_ALG_A128KW (-3)
#define TK_COSE_ALG_A192KW (-4)
#define TK_COSE_ALG_A256KW (-5)
#define TK_COSE_ALG_ECDH_ES_A128KW (-29)
#define TK_COSE_ALG_ECDH_ES_A192KW (-30)
#define TK_COSE_ALG_ECDH_ES_A256KW (-31)
#define TK_COSE_HDR_IV 5
#define TK_COSE_HDR_PARTIAL_IV 6
#define TK_COSE_HDR_EPHEMERAL_KEY (-1)
#define TK_COSE_HDR_SALT (-20)      /* RFC 9053 section 5.1, bstr */

/*
 * Maximum number of recipients in a COSE_Encrypt (TK_ERR_LIMIT_COUNT);
 * nested recipients are TK_ERR_UNSUPPORTED.
 */
#define TK_COSE_MAX_RECIPIENTS 8

/*
 * Maximum size of the encoded Enc_structure (context, protected header
 * and external AAD), which is built in a stack buffer
 * (TK_ERR_LIMIT_SIZE when exceeded).
 */
#define TK_COSE_ENC_STRUCTURE_MAX 512

/*
 * Secrets for decryption. Zero-initialise, then set the one that applies:
 * cek for COSE_Encrypt0 and direct recipients, kek for AES key wrap
 * recipients, recipient_key (a P-256 private key) for ECDH-ES recipients.
 * All are borrowed.
 */
struct tk_cose_decrypt_opts {
	enum tk_cose_tag_mode tag_mode;
	struct tk_span external_aad;      /* empty for none */
	bool detached;                    /* ciphertext is nil in the message */
	struct tk_span detached_ciphertext;
	const uint8_t *cek;
	size_t cek_len;
	const uint8_t *kek;
	size_t kek_len;
	const struct tk_crypto_key *recipient_key;
	struct tk_span kdf_other;         /* ECDH-ES: SuppPubInfo.other of the
					     COSE_KDF_Context, such as "SUIT
					     Report Encryption"; empty = absent */
	struct tk_span kid;               /* if non-empty, a recipient with a
					     kid must carry this one */
	const int64_t *allowed_algs;      /* content algorithms; NULL = all */
	size_t n_allowed_algs;
};

/* Result of a decryption; spans are views into the message. */
struct tk_cose_decrypted {
	struct tk_cose_headers body;      /* headers of the content layer */
	size_t recipient_index;           /* COSE_Encrypt only */
};

/*
 * Decrypt a COSE_Encrypt0 = [Headers, ciphertext: bstr / nil] (tag 16)
 * with opts->cek into out[0..out_cap). A wrong key or tag is
 * TK_ERR_DECRYPT. On failure *out_len is 0, out is wiped and *result is
 * zeroed. Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_encrypt0_decrypt(const struct tk_crypto *c,
					      const uint8_t *msg, size_t msg_len,
					      const struct tk_cose_decrypt_opts *opts,
					      uint8_t *out, size_t out_cap, size_t *out_len,
					      struct tk_cose_decrypted *result,
					      struct tk_diag *diag);

/*
 * Decrypt a COSE_Encrypt = [Headers, ciphertext, recipients: [+
 * COSE_recipient]] (tag 96): find a recipient whose algorithm and kid fit
 * the secret in opts, recover the content key from it, and decrypt. No
 * fitting recipient is TK_ERR_KEY. Same output rules as above.
 */
TK_MUST_CHECK tk_err tk_cose_encrypt_decrypt(const struct tk_crypto *c,
					     const uint8_t *msg, size_t msg_len,
					     const struct tk_cose_decrypt_opts *opts,
					     uint8_t *out, size_t out_cap, size_t *out_len,
					     struct tk_cose_decrypted *result,
					     struct tk_diag *diag);

/*
 * Encrypt plaintext with a random IV as a COSE_Encrypt0 under cek (length
 * of the algorithm's key). The protected header is {1: alg} ({} for the
 * CTR algorithms, which carry alg unprotected); the unprotected header
 * carries the IV. opts->detached and content type are not supported
 * (TK_ERR_UNSUPPORTED).
 */
TK_MUST_CHECK tk_err tk_cose_encrypt0_create(const struct tk_crypto *c, int64_t alg,
					     const uint8_t *cek, size_t cek_len,
					     const uint8_t *plaintext, size_t plaintext_len,
					     const struct tk_cose_sign_opts *opts,
					     uint8_t *out, size_t out_cap, size_t *out_len,
					     struct tk_diag *diag);

/* The recipient of a COSE_Encrypt being created. */
struct tk_cose_recipient {
	int64_t alg;                      /* A128KW, A256KW, ECDH-ES+A128KW or
					     ECDH-ES+A256KW */
	const struct tk_crypto_key *key;  /* ECDH-ES: recipient's P-256 public
					     key, borrowed */
	const uint8_t *kek;               /* AES key wrap: the shared KEK */
	size_t kek_len;
	struct tk_span kid;               /* written unprotected; may be empty */
	struct tk_span kdf_other;         /* ECDH-ES: SuppPubInfo.other of the
					     COSE_KDF_Context; empty = absent */
};

/*
 * Encrypt plaintext as a COSE_Encrypt with one recipient: a random content
 * key encrypts the plaintext and is wrapped for the recipient (with a fresh
 * ephemeral P-256 key for ECDH-ES).
 */
TK_MUST_CHECK tk_err tk_cose_encrypt_create(const struct tk_crypto *c, int64_t alg,
					    const struct tk_cose_recipient *recipient,
					    const uint8_t *plaintext, size_t plaintext_len,
					    const struct tk_cose_sign_opts *opts,
					    uint8_t *out, size_t out_cap, size_t *out_len,
					    struct tk_diag *diag);

/*
 * One COSE_recipient as read by tk_cose_encrypt_parse(); views into the
 * message.
 */
struct tk_cose_recipient_view {
	struct tk_cose_headers hdr;   /* merged headers; hdr.protected_raw is
					 the content of the protected bstr */
	bool alg_is_text;             /* alg was a tstr (never supported) */
	bool has_partial_iv;          /* label 6 present (unsupported) */
	bool nested;                  /* carries its own recipients */
	struct tk_span ephemeral_key; /* label -1: encoded COSE_Key, or empty */
	struct tk_span salt;          /* label -20, or empty */
	struct tk_span ciphertext;    /* wrapped key, empty when nil */
	struct tk_span encoded;       /* the whole encoded COSE_recipient */
};

/*
 * A COSE_Encrypt (tag 96) or COSE_Encrypt0 (tag 16) read without any key,
 * so a caller can pick the recipient and key first. Views into the message.
 */
struct tk_cose_encrypt_view {
	uint64_t tag;                 /* TK_COSE_TAG_ENCRYPT or _ENCRYPT0 */
	struct tk_cose_headers body;  /* content layer headers */
	bool alg_is_text;
	bool has_partial_iv;
	bool detached;                /* ciphertext is nil */
	struct tk_span ciphertext;    /* empty when detached */
	size_t recipient_count;       /* 0 for COSE_Encrypt0 */
	struct tk_cose_recipient_view recipients[TK_COSE_MAX_RECIPIENTS];
};

/*
 * Decode a tagged COSE_Encrypt or COSE_Encrypt0 into *out, checking the
 * header rules of tk_cose.h (protected labels understood, crit, no label
 * in both buckets) but no algorithm and no key. The tag is required (other
 * tags and an untagged array fail with TK_ERR_SCHEMA_TAG); more than
 * TK_COSE_MAX_RECIPIENTS recipients fail with TK_ERR_LIMIT_COUNT. A
 * recipient's own protected header is checked too, and a malformed one
 * fails the whole message. *out is zeroed on failure. Borrows msg.
 */
TK_MUST_CHECK tk_err tk_cose_encrypt_parse(const uint8_t *msg, size_t msg_len,
					   struct tk_cose_encrypt_view *out,
					   struct tk_diag *diag);

/* COSE_Key (RFC 9052 section 7, RFC 9053 section 7). */
#define TK_COSE_KTY_OKP 1
#define TK_COSE_KTY_EC2 2
#define TK_COSE_KTY_RSA 3
#define TK_COSE_KTY_SYMMETRIC 4
#define TK_COSE_CRV_P256 1
#define TK_COSE_CRV_ED25519 6

/*
 * Decoded COSE_Key. Spans are views into the encoded key; absent fields
 * are empty. Which fields apply depends on kty: OKP crv/x/d, EC2
 * crv/x/y/d, RSA n/e, Symmetric k.
 */
struct tk_cose_key {
	int64_t kty;
	struct tk_span kid;
	bool has_alg;
	int64_t alg;
	int64_t crv;        /* 0 when absent */
	struct tk_span x;   /* label -2 (EC2, OKP) */
	struct tk_span y;   /* label -3 (EC2; bstr only, compressed points
			       are rejected) */
	struct tk_span d;   /* label -4, private */
	struct tk_span n;   /* label -1 (RSA) */
	struct tk_span e;   /* label -2 (RSA) */
	struct tk_span k;   /* label -1 (Symmetric) */
};

/*
 * Decode a COSE_Key map (untagged). Unknown labels are ignored; known
 * labels of the wrong type fail with TK_ERR_SCHEMA_TYPE. Views into buf;
 * *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_cose_key_decode(const uint8_t *buf, size_t len,
					struct tk_cose_key *out, struct tk_diag *diag);

/*
 * Create a crypto key from a decoded COSE_Key: EC2 P-256 or OKP Ed25519,
 * with the private part when d is present. Other key types fail with
 * TK_ERR_KEY. Caller owns *out, release with tk_crypto_key_free().
 */
TK_MUST_CHECK tk_err tk_cose_key_to_crypto(const struct tk_crypto *c,
					   const struct tk_cose_key *key,
					   struct tk_crypto_key **out,
					   struct tk_diag *diag);

/*
 * Encode the public part of key as a COSE_Key map with labels in
 * deterministic order: {1: kty, [2: kid,] [3: alg,] -1: crv, -2: x[, -3: y]}.
 * kid may be empty, alg 0 means none.
 */
TK_MUST_CHECK tk_err tk_cose_key_encode_public(const struct tk_crypto_key *key,
					       struct tk_span kid, int64_t alg,
					       uint8_t *out, size_t out_cap,
					       size_t *out_len, struct tk_diag *diag);

/*
 * RFC 9679 COSE key thumbprint with SHA-256: the hash of the deterministic
 * encoding of the required parameters (OKP: 1, -1, -2; EC2: 1, -1, -2, -3;
 * RSA: 1, -1, -2; Symmetric: 1, -1).
 */
TK_MUST_CHECK tk_err tk_cose_key_thumbprint(const struct tk_crypto *c,
					    const struct tk_cose_key *key,
					    uint8_t out[TK_CRYPTO_SHA256_LEN],
					    struct tk_diag *diag);

/* The same for a crypto key (public part), used as kid in teepkit. */
TK_MUST_CHECK tk_err tk_cose_key_thumbprint_crypto(const struct tk_crypto *c,
						   const struct tk_crypto_key *key,
						   uint8_t out[TK_CRYPTO_SHA256_LEN],
						   struct tk_diag *diag);

/* COSE algorithm to crypto signature algorithm, TK_CRYPTO_SIG_NONE if
 * unsupported. */
enum tk_crypto_sig_alg tk_cose_sig_alg(int64_t cose_alg);

/* COSE signing algorithm teepkit writes for a key type, 0 if none. */
int64_t tk_cose_alg_for_key(const struct tk_crypto_key *key);

#endif /* TK_COSE_H */
