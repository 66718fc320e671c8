/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted SUIT payloads (draft-ietf-suit-firmware-encryption-24).
 * SUIT_Encryption_Info, the value of suit-parameter-encryption-info (19),
 * is a COSE_Encrypt (tag 96) with a detached ciphertext. Its recipients
 * carry the content encryption key (CEK) wrapped with AES-KW (A128KW,
 * A192KW, A256KW: a pre-shared KEK) or ECDH-ES+A128KW / ECDH-ES+A256KW (a
 * static P-256 recipient key). Content algorithms: A128CTR, A256CTR,
 * A128GCM, A256GCM and ChaCha20/Poly1305.
 *
 * Decryption streams: the processor's write, copy and fetch directives
 * feed the ciphertext in chunks to tk_suit_decrypt_update(), which writes
 * plaintext to a sink. For the AEADs the last 16 bytes of the stream are
 * the tag. Plaintext given to the sink is NOT authentic until
 * tk_suit_decrypt_finish() returns TK_OK. So the sink must stage it, and the
 * caller must discard (wipe) it when finish or any update fails. AES-CTR
 * has no integrity at all: the manifest must check the plaintext or the
 * ciphertext with condition-image-match (draft section 8).
 *
 * The recipient's private key or KEK never enters this code: each
 * recipient is handed to the platform's unwrap_cek hook
 * (struct tk_suit_platform_ops), which recovers the CEK inside the TEE by
 * calling tk_suit_unwrap_cek() with its own key.
 *
 * Encryption (tk_suit_encrypt_payload()) produces the SUIT_Encryption_Info
 * and the detached ciphertext for one recipient, for manifest builders.
 *
 * Nothing here allocates; contexts are caller-allocated. Parsing borrows
 * the encryption info, which must stay valid until finish or wipe.
 */
#ifndef TK_SUIT_ENCRYPTION_H
#define TK_SUIT_ENCRYPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

/* Size of an encoded SUIT_Encryption_Info (TK_ERR_LIMIT_SIZE). One ES-DH
 * recipient takes about 140 bytes; 4 KiB leaves room for the COSE limit
 * of 8 recipients with long kids. */
#define TK_SUIT_MAX_ENCRYPTION_INFO 4096

/* Largest CEK or KEK in bytes (AES-256, ChaCha20). */
#define TK_SUIT_CEK_MAX 32

/* Plaintext bytes decrypted per sink write. */
#define TK_SUIT_DECRYPT_CHUNK 512

/* SuppPubInfo.other of the KDF context, draft section 5.2.4. */
#define TK_SUIT_KDF_OTHER "SUIT Payload Encryption"

/*
 * Largest encoded COSE_KDF_Context: the fixed parts take under 60 bytes,
 * plus the recipient's protected header (TK_ERR_BUFFER_TOO_SMALL beyond).
 */
#define TK_SUIT_KDF_CONTEXT_MAX 256

/*
 * One COSE_recipient handed to the unwrap_cek hook. Views into the
 * encryption info, valid during the hook call only.
 */
struct tk_suit_recipient {
	int64_t alg;                  /* COSE alg: -3, -4, -5, -29 or -31 */
	struct tk_span kid;           /* key id (label 4), empty when absent */
	struct tk_span protected_raw; /* content of the recipient's protected
					 bstr: enters the KDF context */
	struct tk_span ephemeral_key; /* ECDH-ES: encoded COSE_Key of the
					 sender's ephemeral key */
	struct tk_span salt;          /* ECDH-ES: HKDF salt (label -20), empty
					 for none */
	struct tk_span wrapped_cek;   /* the AES-KW output */
	struct tk_span encoded;       /* the whole encoded COSE_recipient */
	size_t cek_len;               /* CEK length the content alg needs */
};

/*
 * The secret a TEE backend unwraps with: a P-256 private key for the
 * ECDH-ES recipients, or a KEK for the AES-KW ones. Either may be unset;
 * kid, when non-empty, must equal the recipient's kid when it has one.
 */
struct tk_suit_unwrap_key {
	const struct tk_crypto_key *private_key; /* borrowed, or NULL */
	const uint8_t *kek;                      /* borrowed, or NULL */
	size_t kek_len;                          /* 16, 24 or 32 */
	struct tk_span kid;
};

/*
 * Recover the CEK of one recipient with `key`, for a TEE backend's
 * unwrap_cek hook. ECDH-ES: ECDH of key->private_key with the ephemeral
 * key, HKDF-SHA256 (salt from the recipient, else none) over the KDF
 * context of tk_suit_kdf_context_encode(), then AES-KW unwrap. AES-KW:
 * unwrap with key->kek, whose length must fit the alg.
 *
 * Errors: TK_ERR_ALG_UNSUPPORTED (alg), TK_ERR_KEY (no key of the right
 * kind or length, kid differs, or the unwrap integrity check failed:
 * wrong key or altered recipient), TK_ERR_BUFFER_TOO_SMALL. The CEK is
 * written to cek[0..*cek_len); the caller wipes it. Intermediate secrets
 * are wiped. On failure *cek_len is 0 and cek is wiped.
 */
TK_MUST_CHECK tk_err tk_suit_unwrap_cek(const struct tk_crypto *crypto,
					const struct tk_suit_recipient *recipient,
					const struct tk_suit_unwrap_key *key,
					uint8_t *cek, size_t cek_cap, size_t *cek_len,
					struct tk_diag *diag);

/*
 * Encode the COSE_KDF_Context of draft section 5.2.4:
 *   [AlgorithmID: kw_alg, [nil, nil, nil], [nil, nil, nil],
 *    [keyDataLength: key bits, protected: bstr, other: "SUIT Payload
 *     Encryption"]]
 * kw_alg is the key wrap algorithm (-3, -4 or -5) and key_len its key
 * length in bytes. recipient_protected is the content of the recipient's
 * protected bstr. *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_suit_kdf_context_encode(int64_t kw_alg, size_t key_len,
						struct tk_span recipient_protected,
						uint8_t *out, size_t out_cap,
						size_t *out_len, struct tk_diag *diag);

/*
 * Streaming decryption state. Caller-allocated; fields are private.
 * Begin, then update any number of times, then finish; wipe on every path
 * that does not reach finish (wipe after finish is harmless).
 */
struct tk_suit_decrypt_ctx {
	struct tk_crypto_cipher_ctx cipher;
	bool started;
	bool aead;
	uint8_t held[TK_CRYPTO_AEAD_TAG_LEN]; /* AEAD: the last bytes seen,
						 the tag once the stream ends */
	size_t held_len;
	uint64_t ciphertext_len;              /* bytes given to update */
	uint8_t out[TK_SUIT_DECRYPT_CHUNK];   /* plaintext on its way to the
						 sink; wiped after each write */
};

/*
 * Parse `encryption_info` (an encoded SUIT_Encryption_Info, at most
 * TK_SUIT_MAX_ENCRYPTION_INFO bytes) and recover the CEK: each recipient,
 * in order, goes to ops->unwrap_cek until one yields a CEK. Then start the
 * content cipher; for the AEADs the Enc_structure ["Encrypt", protected,
 * h''] is the AAD (draft section 6).
 *
 * Errors:
 *   - TK_ERR_UNSUPPORTED: no unwrap_cek hook, a COSE_Encrypt0 (which the
 *     draft's CDDL does not allow), an attached ciphertext, nested
 *     recipients or a partial IV.
 *   - TK_ERR_ALG_UNSUPPORTED: the content or recipient alg.
 *   - TK_ERR_SCHEMA_*: the shape, a missing or wrong-length IV, or a
 *     non-empty protected header with AES-CTR.
 *   - TK_ERR_KEY: no recipient could be unwrapped. The most telling hook
 *     error is returned.
 * Borrows everything. The CEK is wiped before returning, and ctx is wiped
 * on failure.
 */
TK_MUST_CHECK tk_err tk_suit_decrypt_begin(struct tk_suit_decrypt_ctx *ctx,
					   struct tk_span encryption_info,
					   const struct tk_suit_platform_ops *ops,
					   const struct tk_crypto *crypto,
					   struct tk_diag *diag);

/*
 * Decrypt the next `len` ciphertext bytes and write the plaintext to `out`
 * in chunks of at most TK_SUIT_DECRYPT_CHUNK. For an AEAD the last 16 bytes
 * seen are held back as the possible tag. A failing sink stops the stream
 * with its error. On failure ctx is wiped.
 */
TK_MUST_CHECK tk_err tk_suit_decrypt_update(struct tk_suit_decrypt_ctx *ctx,
					    const uint8_t *in, size_t len,
					    const struct tk_suit_sink *out,
					    struct tk_diag *diag);

/*
 * End the stream. For an AEAD, verify the tag (the held-back last 16
 * bytes). A stream shorter than a tag or a tag that does not verify fails
 * with TK_ERR_DECRYPT, and the caller must discard all plaintext. `out` is
 * unused today because update writes every plaintext byte, so it may be
 * NULL. It is there for ciphers that emit a final block. ctx is wiped in
 * every case.
 */
TK_MUST_CHECK tk_err tk_suit_decrypt_finish(struct tk_suit_decrypt_ctx *ctx,
					    const struct tk_suit_sink *out,
					    struct tk_diag *diag);

/* Release and wipe ctx. Safe on a zeroed, finished or failed ctx. */
void tk_suit_decrypt_wipe(struct tk_suit_decrypt_ctx *ctx);

/* The recipient of tk_suit_encrypt_payload(). */
struct tk_suit_encrypt_recipient {
	int64_t alg;                          /* A128KW, A256KW or
						 ECDH-ES+A128KW */
	const struct tk_crypto_key *public_key; /* ECDH-ES: recipient's P-256
						   public key, borrowed */
	const uint8_t *kek;                   /* AES-KW: the KEK, borrowed */
	size_t kek_len;
	struct tk_span kid;                   /* written unprotected; may be
						 empty */
};

/*
 * Encrypt `plaintext` for one recipient with a fresh random CEK and IV
 * (and a fresh ephemeral P-256 key for ECDH-ES): the SUIT_Encryption_Info
 * goes to info[0..*info_len) and the detached ciphertext (plaintext_len
 * bytes, plus a 16-byte tag for A128GCM) to ct[0..*ct_len).
 * content_alg: A128CTR (-65534), A256CTR (-65532), A128GCM (1), A256GCM
 * (3) or ChaCha20/Poly1305 (24). The layout is that of the draft's
 * examples: AES-CTR content alg unprotected with an empty protected
 * header, AEAD alg protected; AES-KW recipients with an empty protected
 * header and {1: alg, 4: kid}; ECDH-ES recipients with {1: alg} protected
 * and {4: kid, -1: ephemeral key} unprotected (kid only when given). The CEK is wiped. On
 * failure both lengths are 0 and ct is wiped.
 */
TK_MUST_CHECK tk_err tk_suit_encrypt_payload(const struct tk_crypto *crypto,
					     int64_t content_alg,
					     const struct tk_suit_encrypt_recipient *recipient,
					     struct tk_span plaintext,
					     uint8_t *info, size_t info_cap, size_t *info_len,
					     uint8_t *ct, size_t ct_cap, size_t *ct_len,
					     struct tk_diag *diag);

#endif /* TK_SUIT_ENCRYPTION_H */
