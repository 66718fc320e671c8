/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cryptographic provider interface. Every layer reaches hashes, random
 * bytes, keys, signatures, MACs, ECDH, HKDF, AES key wrap, AEADs and
 * AES-CTR through a `struct tk_crypto`: a table of
 * operations plus a context pointer, so an mbedTLS or PSA backend can be
 * added for in-TEE builds without link-time symbol replacement.
 * tk_crypto_openssl() returns the OpenSSL 3.0 provider; src/crypto/ is the
 * only code in teepkit that calls OpenSSL.
 *
 * Callers use the tk_crypto_* wrapper functions below, never the table
 * directly. A wrapper whose operation is missing from the table fails with
 * TK_ERR_UNSUPPORTED.
 *
 * Messages to sign, verify or MAC are passed as a list of parts (struct
 * tk_span) that the provider processes as if concatenated. COSE uses this
 * to sign a Sig_structure whose payload stays in the caller's buffer.
 *
 * Allocation: keys and hash contexts are allocated by the provider (OpenSSL
 * allocates internally on every operation). Keys are owned by the caller
 * and released with tk_crypto_key_free(), which also wipes private key
 * material.
 */
#ifndef TK_CRYPTO_H
#define TK_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"

/* Lengths in bytes. */
#define TK_CRYPTO_SHA256_LEN 32
#define TK_CRYPTO_HMAC_SHA256_LEN 32
#define TK_CRYPTO_P256_COORD_LEN 32   /* x, y and d of a P-256 key */
#define TK_CRYPTO_ED25519_KEY_LEN 32  /* public x and private seed */
#define TK_CRYPTO_P256_SIG_LEN 64     /* COSE ECDSA signature: r || s */
#define TK_CRYPTO_ED25519_SIG_LEN 64
#define TK_CRYPTO_SIG_MAX 64          /* largest signature of any supported alg */

/*
 * Upper bound of a PEM encoding produced by tk_crypto_key_export_pem() for
 * any supported key (a P-256 PKCS#8 private key is 241 bytes).
 */
#define TK_CRYPTO_PEM_MAX 512

/*
 * Maximum number of parts in one message passed to sign, verify or HMAC.
 * A COSE Sig_structure needs at most 8 (header pieces, protected headers,
 * external AAD and payload); more fails with TK_ERR_LIMIT_COUNT.
 */
#define TK_CRYPTO_MAX_PARTS 12

/* Lengths for key agreement, key derivation and ciphers, in bytes. */
#define TK_CRYPTO_ECDH_SECRET_LEN 32  /* P-256 shared secret (x coordinate) */
#define TK_CRYPTO_HKDF_PRK_LEN 32     /* HKDF-SHA256 pseudorandom key */
#define TK_CRYPTO_HKDF_MAX_OUT (255 * 32) /* RFC 5869 limit for SHA-256 */
#define TK_CRYPTO_AES_KW_OVERHEAD 8   /* RFC 3394 integrity block */
#define TK_CRYPTO_AES_CFB_IV_LEN 16   /* AES-CFB128 initialization vector */
#define TK_CRYPTO_AEAD_NONCE_LEN 12
#define TK_CRYPTO_AEAD_TAG_LEN 16
#define TK_CRYPTO_AES_CTR_IV_LEN 16   /* initial counter block */

/* Key types. Values are stable; 0 is never a valid type. */
enum tk_crypto_key_type {
	TK_CRYPTO_KEY_NONE = 0,
	TK_CRYPTO_KEY_P256 = 1,    /* ECDSA / ECDH on NIST P-256 (secp256r1) */
	TK_CRYPTO_KEY_ED25519 = 2, /* EdDSA on edwards25519 (RFC 8032) */
};

/* Signature algorithms, independent of COSE numbering. */
enum tk_crypto_sig_alg {
	TK_CRYPTO_SIG_NONE = 0,
	TK_CRYPTO_SIG_ECDSA_P256_SHA256 = 1, /* raw r || s, 64 bytes */
	TK_CRYPTO_SIG_ED25519 = 2,           /* pure Ed25519, 64 bytes */
};

/* AEAD algorithms: AES-GCM (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439). */
enum tk_crypto_aead_alg {
	TK_CRYPTO_AEAD_NONE = 0,
	TK_CRYPTO_AEAD_A128GCM = 1,
	TK_CRYPTO_AEAD_A192GCM = 2,
	TK_CRYPTO_AEAD_A256GCM = 3,
	TK_CRYPTO_AEAD_CHACHA20_POLY1305 = 4,
};

/*
 * Algorithms of streaming content encryption (tk_crypto_cipher_init()):
 * AES-CTR (NIST SP 800-38A, no integrity), AES-GCM and ChaCha20-Poly1305.
 */
enum tk_crypto_cipher_alg {
	TK_CRYPTO_CIPHER_NONE = 0,
	TK_CRYPTO_CIPHER_A128CTR = 1,
	TK_CRYPTO_CIPHER_A256CTR = 2,
	TK_CRYPTO_CIPHER_A128GCM = 3,
	TK_CRYPTO_CIPHER_A256GCM = 4,
	TK_CRYPTO_CIPHER_CHACHA20_POLY1305 = 5,
};

/*
 * Streaming cipher state. Declare one, start it with
 * tk_crypto_cipher_init() and end it with one of the final calls or
 * tk_crypto_cipher_abort(), which release `impl` and wipe the key
 * schedule. Fields are private.
 */
struct tk_crypto_cipher_ctx {
	const struct tk_crypto *provider;
	void *impl;                 /* provider state, NULL when not started */
	enum tk_crypto_cipher_alg alg;
	bool encrypt;
};

/*
 * Opaque key. Created by a provider (generate, import); the caller owns it
 * and releases it with tk_crypto_key_free(). A key can be used only with the
 * provider that created it; another provider fails with TK_ERR_KEY.
 */
struct tk_crypto_key;

/*
 * Incremental hash state. Declare one on the stack, start it with
 * tk_crypto_sha256_init() and end it with tk_crypto_sha256_final() or
 * tk_crypto_sha256_abort(), which release `impl`. Fields are private.
 */
struct tk_crypto_hash_ctx {
	const struct tk_crypto *provider;
	void *impl; /* provider state, NULL when not started */
};

/*
 * Operations of a provider. `ctx` is the provider's context. Any member
 * may be NULL, and the wrapper then fails with TK_ERR_UNSUPPORTED.
 * Arguments have the meaning documented on the wrapper of the same name.
 * Wrappers check arguments before calling and set outputs to empty values
 * on failure, so implementations may rely on valid arguments.
 *
 * New members are appended at the end; initialise tables with designated
 * initialisers so they stay valid. HKDF is not an operation: the wrapper
 * builds it from hmac_sha256.
 */
struct tk_crypto_ops {
	tk_err (*sha256)(void *ctx, const uint8_t *data, size_t len,
			 uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag);
	tk_err (*sha256_init)(void *ctx, void **impl, struct tk_diag *diag);
	tk_err (*sha256_update)(void *ctx, void *impl, const uint8_t *data,
				size_t len, struct tk_diag *diag);
	/* Writes the digest and releases impl, also on failure. */
	tk_err (*sha256_final)(void *ctx, void *impl,
			       uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag);
	void (*sha256_abort)(void *ctx, void *impl);

	tk_err (*random)(void *ctx, uint8_t *out, size_t len, struct tk_diag *diag);

	tk_err (*key_generate)(void *ctx, enum tk_crypto_key_type type,
			       struct tk_crypto_key **out, struct tk_diag *diag);
	void (*key_free)(void *ctx, struct tk_crypto_key *key);
	tk_err (*key_import_pem)(void *ctx, const uint8_t *pem, size_t pem_len,
				 struct tk_crypto_key **out, struct tk_diag *diag);
	tk_err (*key_export_pem)(void *ctx, const struct tk_crypto_key *key,
				 bool private_key, uint8_t *out, size_t out_cap,
				 size_t *out_len, struct tk_diag *diag);
	tk_err (*key_import_public)(void *ctx, enum tk_crypto_key_type type,
				    const uint8_t *x, size_t x_len,
				    const uint8_t *y, size_t y_len,
				    struct tk_crypto_key **out, struct tk_diag *diag);
	tk_err (*key_import_private)(void *ctx, enum tk_crypto_key_type type,
				     const uint8_t *d, size_t d_len,
				     struct tk_crypto_key **out, struct tk_diag *diag);
	tk_err (*key_export_public)(void *ctx, const struct tk_crypto_key *key,
				    uint8_t x[TK_CRYPTO_P256_COORD_LEN],
				    uint8_t y[TK_CRYPTO_P256_COORD_LEN],
				    struct tk_diag *diag);

	tk_err (*sign)(void *ctx, const struct tk_crypto_key *key,
		       enum tk_crypto_sig_alg alg, const struct tk_span *parts,
		       size_t n_parts, uint8_t sig[TK_CRYPTO_SIG_MAX],
		       size_t *sig_len, struct tk_diag *diag);
	tk_err (*verify)(void *ctx, const struct tk_crypto_key *key,
			 enum tk_crypto_sig_alg alg, const struct tk_span *parts,
			 size_t n_parts, const uint8_t *sig, size_t sig_len,
			 struct tk_diag *diag);

	tk_err (*hmac_sha256)(void *ctx, const uint8_t *key, size_t key_len,
			      const struct tk_span *parts, size_t n_parts,
			      uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
			      struct tk_diag *diag);

	tk_err (*ecdh)(void *ctx, const struct tk_crypto_key *priv,
		       const struct tk_crypto_key *peer,
		       uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN], struct tk_diag *diag);
	tk_err (*aes_kw_wrap)(void *ctx, const uint8_t *kek, size_t kek_len,
			      const uint8_t *in, size_t in_len, uint8_t *out,
			      struct tk_diag *diag);
	tk_err (*aes_kw_unwrap)(void *ctx, const uint8_t *kek, size_t kek_len,
				const uint8_t *in, size_t in_len, uint8_t *out,
				struct tk_diag *diag);
	tk_err (*aead_seal)(void *ctx, enum tk_crypto_aead_alg alg,
			    const uint8_t *key, size_t key_len,
			    const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
			    struct tk_span aad, const uint8_t *in, size_t in_len,
			    uint8_t *out, struct tk_diag *diag);
	tk_err (*aead_open)(void *ctx, enum tk_crypto_aead_alg alg,
			    const uint8_t *key, size_t key_len,
			    const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
			    struct tk_span aad, const uint8_t *in, size_t in_len,
			    uint8_t *out, struct tk_diag *diag);
	tk_err (*aes_ctr)(void *ctx, const uint8_t *key, size_t key_len,
			  const uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN],
			  const uint8_t *in, size_t len, uint8_t *out,
			  struct tk_diag *diag);

	/* Streaming ciphers; final and abort release impl, also on failure.
	 * For decryption `tag` is the expected tag, for encryption the
	 * output; it is unused (NULL) for AES-CTR. */
	tk_err (*cipher_init)(void *ctx, enum tk_crypto_cipher_alg alg,
			      bool encrypt, const uint8_t *key,
			      const uint8_t *iv, size_t iv_len,
			      struct tk_span aad, void **impl,
			      struct tk_diag *diag);
	tk_err (*cipher_update)(void *ctx, void *impl, const uint8_t *in,
				size_t len, uint8_t *out, struct tk_diag *diag);
	tk_err (*cipher_final)(void *ctx, void *impl,
			       uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN],
			       struct tk_diag *diag);
	void (*cipher_abort)(void *ctx, void *impl);

	/* X.509 chain verification, see tk_crypto_x509_verify_chain(). */
	tk_err (*x509_verify_chain)(void *ctx, const struct tk_span *chain,
				    size_t n_chain, const struct tk_span *trusted,
				    size_t n_trusted, int64_t at_time,
				    struct tk_crypto_key **leaf_key,
				    struct tk_diag *diag);

	/* TPM credential protection, see tk_crypto_aes_cfb() and
	 * tk_crypto_rsa_oaep_encrypt_cert(). */
	tk_err (*aes_cfb)(void *ctx, bool encrypt, const uint8_t *key, size_t key_len,
			  const uint8_t iv[TK_CRYPTO_AES_CFB_IV_LEN], const uint8_t *in,
			  size_t len, uint8_t *out, struct tk_diag *diag);
	tk_err (*rsa_oaep_encrypt_cert)(void *ctx, const uint8_t *cert, size_t cert_len,
					const uint8_t *label, size_t label_len,
					const uint8_t *in, size_t in_len, uint8_t *out,
					size_t out_cap, size_t *out_len,
					struct tk_diag *diag);
};

/* A provider: its operations and their context. */
struct tk_crypto {
	const struct tk_crypto_ops *ops;
	void *ctx;
};

/*
 * The OpenSSL 3.0 provider: a constant table with no mutable state, safe to
 * share between threads. Never NULL.
 */
const struct tk_crypto *tk_crypto_openssl(void);

/* Hashes. */

/* SHA-256 of data[0..len) into out. Borrows data. */
TK_MUST_CHECK tk_err tk_crypto_sha256(const struct tk_crypto *c, const uint8_t *data,
				      size_t len, uint8_t out[TK_CRYPTO_SHA256_LEN],
				      struct tk_diag *diag);
/* Start an incremental SHA-256 in h. On failure h holds nothing to release. */
TK_MUST_CHECK tk_err tk_crypto_sha256_init(const struct tk_crypto *c,
					   struct tk_crypto_hash_ctx *h,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_crypto_sha256_update(struct tk_crypto_hash_ctx *h,
					     const uint8_t *data, size_t len,
					     struct tk_diag *diag);
/* Write the digest and release h, also on failure (then out is zeroed). */
TK_MUST_CHECK tk_err tk_crypto_sha256_final(struct tk_crypto_hash_ctx *h,
					    uint8_t out[TK_CRYPTO_SHA256_LEN],
					    struct tk_diag *diag);
/* Release h without a digest. Safe on a zeroed or already finished h. */
void tk_crypto_sha256_abort(struct tk_crypto_hash_ctx *h);

/* Fill out[0..len) with bytes from a cryptographically secure generator. */
TK_MUST_CHECK tk_err tk_crypto_random(const struct tk_crypto *c, uint8_t *out,
				      size_t len, struct tk_diag *diag);

/* Keys. On failure *out is NULL. */

/* Generate a key pair. Caller owns *out, release with tk_crypto_key_free(). */
TK_MUST_CHECK tk_err tk_crypto_key_generate(const struct tk_crypto *c,
					    enum tk_crypto_key_type type,
					    struct tk_crypto_key **out,
					    struct tk_diag *diag);

/* Release a key and wipe its private part. NULL is allowed. */
void tk_crypto_key_free(struct tk_crypto_key *key);

/* Type of a key, TK_CRYPTO_KEY_NONE for NULL. */
enum tk_crypto_key_type tk_crypto_key_type(const struct tk_crypto_key *key);

/* True if the key contains a private part (can sign). */
bool tk_crypto_key_has_private(const struct tk_crypto_key *key);

/*
 * Import one PEM block from memory: "PRIVATE KEY" (PKCS#8, unencrypted) or
 * "PUBLIC KEY" (SPKI), P-256 or Ed25519; any other key type or curve fails
 * with TK_ERR_KEY. Borrows pem (need not be NUL-terminated). Caller owns
 * *out, release with tk_crypto_key_free().
 */
TK_MUST_CHECK tk_err tk_crypto_key_import_pem(const struct tk_crypto *c,
					      const uint8_t *pem, size_t pem_len,
					      struct tk_crypto_key **out,
					      struct tk_diag *diag);

/*
 * Write the key as PEM into out: PKCS#8 "PRIVATE KEY" when private_key is
 * true (fails with TK_ERR_KEY for a public-only key), otherwise SPKI
 * "PUBLIC KEY". The output is not NUL-terminated. A private PEM is a secret:
 * the caller wipes out after use. *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_crypto_key_export_pem(const struct tk_crypto_key *key,
					      bool private_key, uint8_t *out,
					      size_t out_cap, size_t *out_len,
					      struct tk_diag *diag);

/*
 * Import a public key from its raw coordinates as in a COSE_Key: P-256 takes
 * x and y (32 bytes each, the point must be on the curve); Ed25519 takes x
 * (32 bytes) and requires y == NULL, y_len == 0. Caller owns *out.
 */
TK_MUST_CHECK tk_err tk_crypto_key_import_public(const struct tk_crypto *c,
						 enum tk_crypto_key_type type,
						 const uint8_t *x, size_t x_len,
						 const uint8_t *y, size_t y_len,
						 struct tk_crypto_key **out,
						 struct tk_diag *diag);

/*
 * Import a private key from its raw scalar (P-256 d, 32 bytes) or seed
 * (Ed25519, 32 bytes); the public part is derived. Borrows d; the caller
 * wipes it. Caller owns *out.
 */
TK_MUST_CHECK tk_err tk_crypto_key_import_private(const struct tk_crypto *c,
						  enum tk_crypto_key_type type,
						  const uint8_t *d, size_t d_len,
						  struct tk_crypto_key **out,
						  struct tk_diag *diag);

/*
 * Write the raw public coordinates: P-256 x and y (32 bytes each, big
 * endian); Ed25519 x (32 bytes) and y is left untouched (may be NULL).
 * On failure the buffers are zeroed.
 */
TK_MUST_CHECK tk_err tk_crypto_key_export_public(const struct tk_crypto_key *key,
						 uint8_t x[TK_CRYPTO_P256_COORD_LEN],
						 uint8_t y[TK_CRYPTO_P256_COORD_LEN],
						 struct tk_diag *diag);

/* Signature algorithm that fits a key type, TK_CRYPTO_SIG_NONE if none. */
enum tk_crypto_sig_alg tk_crypto_sig_alg_for_key(enum tk_crypto_key_type type);

/*
 * Sign the concatenation of parts[0..n_parts) with key and alg (which must
 * fit the key type, otherwise TK_ERR_KEY). ECDSA signatures are the raw
 * r || s form COSE uses (RFC 9053 section 2.1), 64 bytes for P-256.
 * *sig_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_crypto_sign(const struct tk_crypto_key *key,
				    enum tk_crypto_sig_alg alg,
				    const struct tk_span *parts, size_t n_parts,
				    uint8_t sig[TK_CRYPTO_SIG_MAX], size_t *sig_len,
				    struct tk_diag *diag);

/*
 * Verify sig over the concatenation of parts. Returns TK_OK, or
 * TK_ERR_SIGNATURE when the signature does not verify (including a
 * signature of the wrong length), TK_ERR_KEY when alg does not fit the key.
 */
TK_MUST_CHECK tk_err tk_crypto_verify(const struct tk_crypto_key *key,
				      enum tk_crypto_sig_alg alg,
				      const struct tk_span *parts, size_t n_parts,
				      const uint8_t *sig, size_t sig_len,
				      struct tk_diag *diag);

/*
 * HMAC-SHA256 of the concatenation of parts with key[0..key_len). Borrows
 * key; the caller wipes it. Compare tags with tk_ct_equal().
 */
TK_MUST_CHECK tk_err tk_crypto_hmac_sha256(const struct tk_crypto *c,
					   const uint8_t *key, size_t key_len,
					   const struct tk_span *parts, size_t n_parts,
					   uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
					   struct tk_diag *diag);

/* Key agreement, key derivation and ciphers. Outputs that are secrets
 * (shared secrets, derived keys, unwrapped keys, plaintexts) are wiped on
 * failure; the caller wipes them after use. */

/*
 * ECDH on P-256: the x coordinate of priv * peer (RFC 9053 section 6.3.1).
 * priv must contain a private part; both keys must be P-256 (TK_ERR_KEY).
 */
TK_MUST_CHECK tk_err tk_crypto_ecdh(const struct tk_crypto_key *priv,
				    const struct tk_crypto_key *peer,
				    uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN],
				    struct tk_diag *diag);

/*
 * HKDF-SHA256 (RFC 5869), built on tk_crypto_hmac_sha256() so every
 * provider with HMAC has it. An empty salt means 32 zero bytes.
 */
TK_MUST_CHECK tk_err tk_crypto_hkdf_sha256_extract(const struct tk_crypto *c,
						   struct tk_span salt, struct tk_span ikm,
						   uint8_t prk[TK_CRYPTO_HKDF_PRK_LEN],
						   struct tk_diag *diag);
/* out_len must be 1..TK_CRYPTO_HKDF_MAX_OUT (TK_ERR_ARG otherwise). */
TK_MUST_CHECK tk_err tk_crypto_hkdf_sha256_expand(const struct tk_crypto *c,
						  const uint8_t prk[TK_CRYPTO_HKDF_PRK_LEN],
						  struct tk_span info, uint8_t *out,
						  size_t out_len, struct tk_diag *diag);
/* Extract then expand. */
TK_MUST_CHECK tk_err tk_crypto_hkdf_sha256(const struct tk_crypto *c,
					   struct tk_span salt, struct tk_span ikm,
					   struct tk_span info, uint8_t *out,
					   size_t out_len, struct tk_diag *diag);

/*
 * AES key wrap (RFC 3394) with a 16, 24 or 32-byte KEK. in_len must be a
 * multiple of 8, at least 16. wrap writes in_len + 8 bytes, unwrap
 * in_len - 8; out_cap is checked (TK_ERR_BUFFER_TOO_SMALL). A failed
 * integrity check on unwrap is TK_ERR_DECRYPT.
 */
TK_MUST_CHECK tk_err tk_crypto_aes_kw_wrap(const struct tk_crypto *c,
					   const uint8_t *kek, size_t kek_len,
					   const uint8_t *in, size_t in_len,
					   uint8_t *out, size_t out_cap, size_t *out_len,
					   struct tk_diag *diag);
TK_MUST_CHECK tk_err tk_crypto_aes_kw_unwrap(const struct tk_crypto *c,
					     const uint8_t *kek, size_t kek_len,
					     const uint8_t *in, size_t in_len,
					     uint8_t *out, size_t out_cap, size_t *out_len,
					     struct tk_diag *diag);

/* Key length in bytes of an AEAD algorithm, 0 for an unknown one. */
size_t tk_crypto_aead_key_len(enum tk_crypto_aead_alg alg);

/*
 * Encrypt in[0..in_len) and write ciphertext || 16-byte tag (in_len + 16
 * bytes) to out. The nonce is 12 bytes and must never repeat under a key.
 * out may equal in.
 */
TK_MUST_CHECK tk_err tk_crypto_aead_seal(const struct tk_crypto *c,
					 enum tk_crypto_aead_alg alg,
					 const uint8_t *key, size_t key_len,
					 const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
					 struct tk_span aad, const uint8_t *in,
					 size_t in_len, uint8_t *out, size_t out_cap,
					 size_t *out_len, struct tk_diag *diag);
/*
 * Check and decrypt ciphertext || tag (in_len >= 16) into in_len - 16
 * bytes of out. A wrong tag is TK_ERR_DECRYPT and out is wiped.
 */
TK_MUST_CHECK tk_err tk_crypto_aead_open(const struct tk_crypto *c,
					 enum tk_crypto_aead_alg alg,
					 const uint8_t *key, size_t key_len,
					 const uint8_t nonce[TK_CRYPTO_AEAD_NONCE_LEN],
					 struct tk_span aad, const uint8_t *in,
					 size_t in_len, uint8_t *out, size_t out_cap,
					 size_t *out_len, struct tk_diag *diag);

/*
 * AES-CTR (NIST SP 800-38A) with a 16, 24 or 32-byte key and a 16-byte
 * initial counter block; encryption and decryption are the same. It has
 * no integrity: use it only under a signature or MAC (as SUIT does).
 * out (len bytes) may equal in.
 */
TK_MUST_CHECK tk_err tk_crypto_aes_ctr(const struct tk_crypto *c, const uint8_t *key,
				       size_t key_len,
				       const uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN],
				       const uint8_t *in, size_t len, uint8_t *out,
				       struct tk_diag *diag);

/*
 * Streaming content encryption and decryption.
 *
 * Key lengths: 16 bytes for A128CTR and A128GCM, 32 for A256CTR, A256GCM
 * and ChaCha20-Poly1305 (TK_ERR_KEY otherwise). IV: 16 bytes (the initial
 * counter block) for AES-CTR, 12 bytes for the AEADs (TK_ERR_ARG
 * otherwise). aad must be empty for AES-CTR (TK_ERR_ARG), which has
 * nothing to bind it to.
 *
 * Each update turns len bytes of input into len bytes of output; out may
 * equal in. For an AEAD, decrypted bytes are NOT authentic until
 * tk_crypto_cipher_final_decrypt() returns TK_OK: a caller stages them
 * and discards (wipes) them when the final call fails.
 */

/* Key length in bytes of a streaming cipher, 0 for an unknown one. */
size_t tk_crypto_cipher_key_len(enum tk_crypto_cipher_alg alg);

/* IV length in bytes of a streaming cipher, 0 for an unknown one. */
size_t tk_crypto_cipher_iv_len(enum tk_crypto_cipher_alg alg);

/* True for the algorithms with an authentication tag. */
bool tk_crypto_cipher_is_aead(enum tk_crypto_cipher_alg alg);

/*
 * Start encrypting or decrypting into cc. Borrows key, iv and aad only for
 * the call (the provider keeps its own key schedule, wiped on release).
 * On failure cc holds nothing to release.
 */
TK_MUST_CHECK tk_err tk_crypto_cipher_init(const struct tk_crypto *c,
					   struct tk_crypto_cipher_ctx *cc,
					   enum tk_crypto_cipher_alg alg, bool encrypt,
					   const uint8_t *key, size_t key_len,
					   const uint8_t *iv, size_t iv_len,
					   struct tk_span aad, struct tk_diag *diag);

/*
 * Process in[0..len) into out[0..len). On failure out is wiped and cc is
 * released.
 */
TK_MUST_CHECK tk_err tk_crypto_cipher_update(struct tk_crypto_cipher_ctx *cc,
					     const uint8_t *in, size_t len,
					     uint8_t *out, struct tk_diag *diag);

/*
 * End an encryption and release cc. For an AEAD the 16-byte tag is written
 * to tag (which may be NULL for AES-CTR).
 */
TK_MUST_CHECK tk_err tk_crypto_cipher_final_encrypt(struct tk_crypto_cipher_ctx *cc,
						    uint8_t tag[TK_CRYPTO_AEAD_TAG_LEN],
						    struct tk_diag *diag);

/*
 * End a decryption and release cc. For an AEAD `tag` is the received
 * 16-byte tag, and a tag that does not verify is TK_ERR_DECRYPT: the
 * caller must then discard every byte the updates produced. For AES-CTR
 * tag must be NULL and the call only releases cc.
 */
TK_MUST_CHECK tk_err tk_crypto_cipher_final_decrypt(struct tk_crypto_cipher_ctx *cc,
						    const uint8_t *tag,
						    struct tk_diag *diag);

/* Release cc without finishing. Safe on a zeroed or already ended cc. */
void tk_crypto_cipher_abort(struct tk_crypto_cipher_ctx *cc);

/* X.509 certificates. */

/*
 * Maximum number of certificates in a chain or in a trusted list, and
 * maximum DER size of one certificate (TK_ERR_LIMIT_COUNT and
 * TK_ERR_LIMIT_SIZE beyond). A TPM EK chain is the EK certificate and one
 * to three CA certificates of about 1 KiB each.
 */
#define TK_CRYPTO_X509_MAX_CHAIN 8
#define TK_CRYPTO_X509_MAX_DER 8192

/*
 * Verify an X.509 certificate chain (DER, leaf first, then untrusted
 * intermediates) up to one of the trusted CA certificates (DER), as of
 * at_time (seconds since the epoch; 0 means now). No key usage or purpose
 * is required of the leaf, so TPM EK certificates (key encipherment only)
 * verify. When leaf_key is not NULL, on success *leaf_key is the leaf's
 * public key, which must then be P-256 (TK_ERR_KEY for RSA and others);
 * the caller owns it, release with tk_crypto_key_free(). With leaf_key
 * NULL only the chain is checked, so an RSA EK certificate verifies too.
 * A chain that does not verify is TK_ERR_UNTRUSTED with OpenSSL's reason,
 * and so is a leaf that is a CA certificate (an EK certificate is an end
 * entity). Malformed DER is TK_ERR_KEY.
 */
TK_MUST_CHECK tk_err tk_crypto_x509_verify_chain(const struct tk_crypto *c,
						 const struct tk_span *chain,
						 size_t n_chain,
						 const struct tk_span *trusted,
						 size_t n_trusted, int64_t at_time,
						 struct tk_crypto_key **leaf_key,
						 struct tk_diag *diag);

/* TPM credential protection (TPM 2.0 Library, Part 1, section 24). */

/*
 * Largest RSA modulus accepted by tk_crypto_rsa_oaep_encrypt_cert(), in
 * bytes (RSA 4096; TK_ERR_LIMIT_SIZE beyond). TPM EKs are RSA 2048.
 */
#define TK_CRYPTO_RSA_MAX_LEN 512

/*
 * AES-CFB128 (NIST SP 800-38A section 6.3) with a 16, 24 or 32-byte key
 * and a 16-byte IV: the TPM's symmetric protection of a credential. No
 * integrity: the TPM's outer HMAC covers it. out (len bytes) may equal in.
 */
TK_MUST_CHECK tk_err tk_crypto_aes_cfb(const struct tk_crypto *c, bool encrypt,
				       const uint8_t *key, size_t key_len,
				       const uint8_t iv[TK_CRYPTO_AES_CFB_IV_LEN],
				       const uint8_t *in, size_t len, uint8_t *out,
				       struct tk_diag *diag);

/*
 * RSAES-OAEP (RFC 8017 section 7.1) with SHA-256 and MGF1-SHA-256 to the
 * RSA public key of a DER X.509 certificate, with `label` (may be empty;
 * a TPM label includes its terminating zero byte). out_cap must hold the
 * modulus length (TK_ERR_BUFFER_TOO_SMALL). A certificate that is not
 * valid DER or holds no RSA key is TK_ERR_KEY. Borrows every input.
 */
TK_MUST_CHECK tk_err tk_crypto_rsa_oaep_encrypt_cert(const struct tk_crypto *c,
						     const uint8_t *cert, size_t cert_len,
						     const uint8_t *label, size_t label_len,
						     const uint8_t *in, size_t in_len,
						     uint8_t *out, size_t out_cap,
						     size_t *out_len, struct tk_diag *diag);

#endif /* TK_CRYPTO_H */
