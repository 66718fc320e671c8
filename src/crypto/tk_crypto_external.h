/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys whose private part never leaves a device (a TPM, an HSM). The
 * handle behaves as any P-256 key of the crypto layer: COSE signs with
 * tk_crypto_sign(), thumbprints read its public coordinates, verifiers
 * verify with it. Signing hashes the message parts with the base
 * provider and hands the SHA-256 digest to the device's signer.
 */
#ifndef TK_CRYPTO_EXTERNAL_H
#define TK_CRYPTO_EXTERNAL_H

#include <stdint.h>

#include "crypto/tk_crypto.h"

/* The device side of an external key. */
struct tk_crypto_signer_ops {
	/*
	 * Sign a SHA-256 digest with ECDSA P-256 and write the raw r || s
	 * (each 32 bytes, big endian, left-padded with zeros).
	 */
	tk_err (*sign_digest)(void *ctx, const uint8_t digest[TK_CRYPTO_SHA256_LEN],
			      uint8_t sig[TK_CRYPTO_P256_SIG_LEN],
			      struct tk_diag *diag);
	void *ctx;
};

/*
 * Make a P-256 key handle with public point (x, y) whose private
 * operations go to `signer`. It signs ECDSA with SHA-256 only. Exporting
 * the private key and ECDH fail with TK_ERR_KEY.
 * `base` computes digests and verifies. Borrows base and signer->ctx,
 * which must outlive the key; copies *signer. Caller owns *out, release
 * with tk_crypto_key_free().
 */
TK_MUST_CHECK tk_err tk_crypto_key_external(const struct tk_crypto *base,
					    const uint8_t x[TK_CRYPTO_P256_COORD_LEN],
					    const uint8_t y[TK_CRYPTO_P256_COORD_LEN],
					    const struct tk_crypto_signer_ops *signer,
					    struct tk_crypto_key **out,
					    struct tk_diag *diag);

#endif /* TK_CRYPTO_EXTERNAL_H */
