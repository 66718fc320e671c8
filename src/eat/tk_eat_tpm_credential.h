/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 credential protection on the verifier's side (TPM 2.0 Library,
 * Part 1, section 24 "Credential Protection"): TPM2_MakeCredential done
 * in software, so that only the TPM holding a given endorsement key (EK)
 * and a loaded object of a given name can recover a secret with
 * TPM2_ActivateCredential. A verifier uses it to learn that an attestation
 * key (AK) lives in the TPM whose EK certificate it trusts.
 *
 * Wire layouts (TPM 2.0 Library, Part 2; integers big endian):
 *   AK name            nameAlg u16 (TPM_ALG_SHA256) || SHA-256(TPMT_PUBLIC)
 *   TPMT_PUBLIC (ECC)  type u16 0x0023, nameAlg u16, objectAttributes u32,
 *                      authPolicy TPM2B, symmetric u16 [keyBits u16,
 *                      mode u16], scheme u16 [hashAlg u16], curveID u16,
 *                      kdf u16 [hashAlg u16], unique.x TPM2B, unique.y TPM2B
 *                      (the bracketed fields only when the u16 before them
 *                      is not TPM_ALG_NULL)
 *   TPM2B_ID_OBJECT    size u16 || integrityHMAC TPM2B_DIGEST || encIdentity
 *   TPM2B_ENCRYPTED_SECRET  size u16 || RSA-OAEP ciphertext of the seed
 *
 * MakeCredential for an RSA EK with nameAlg SHA-256 and AES-128-CFB
 * (the TCG default EK template, which swtpm_setup uses):
 *   seed          32 random bytes
 *   encryptedSecret = RSA-OAEP-SHA256(EK, label "IDENTITY\0", seed)
 *   symKey        = KDFa(SHA256, seed, "STORAGE", name, "", 128)
 *   encIdentity   = AES-128-CFB(symKey, IV 0, u16 len || credential)
 *   HMACkey       = KDFa(SHA256, seed, "INTEGRITY", "", "", 256)
 *   integrityHMAC = HMAC-SHA256(HMACkey, encIdentity || name)
 * The EK's template is not in its certificate, so these parameters are
 * assumed; an EK with another symmetric algorithm or nameAlg cannot
 * activate the credential (TPM_RC_INTEGRITY), which fails safe.
 */
#ifndef TK_EAT_TPM_CREDENTIAL_H
#define TK_EAT_TPM_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"

/* Length of a SHA-256 object name: nameAlg (2) and the digest. */
#define TK_EAT_TPM_AK_NAME_LEN 34

/*
 * Maximum credential (secret) length: a TPM2B_DIGEST of the EK's nameAlg,
 * SHA-256 (TK_ERR_LIMIT_SIZE beyond).
 */
#define TK_EAT_TPM_CREDENTIAL_MAX 32

/* Maximum length of a marshalled ECC TPMT_PUBLIC accepted as an AK. */
#define TK_EAT_TPM_PUBLIC_MAX 256

/* Marshalled TPM2B_ID_OBJECT: size, TPM2B_DIGEST HMAC, encIdentity. */
#define TK_EAT_TPM_ID_OBJECT_MAX (2 + 2 + 32 + 2 + TK_EAT_TPM_CREDENTIAL_MAX)

/* Marshalled TPM2B_ENCRYPTED_SECRET of an RSA EK up to 4096 bits. */
#define TK_EAT_TPM_ENCRYPTED_SECRET_MAX (2 + TK_CRYPTO_RSA_MAX_LEN)

/* A credential blob for TPM2_ActivateCredential, marshalled. */
struct tk_eat_tpm_credential {
	uint8_t id_object[TK_EAT_TPM_ID_OBJECT_MAX];   /* TPM2B_ID_OBJECT */
	size_t id_object_len;
	uint8_t encrypted_secret[TK_EAT_TPM_ENCRYPTED_SECRET_MAX]; /* TPM2B_ENCRYPTED_SECRET */
	size_t encrypted_secret_len;
};

/* An attestation key's public area, checked by tk_eat_tpm_ak_parse(). */
struct tk_eat_tpm_ak {
	uint8_t name[TK_EAT_TPM_AK_NAME_LEN];     /* nameAlg || SHA-256 */
	uint8_t x[TK_CRYPTO_P256_COORD_LEN];      /* public point, left-padded */
	uint8_t y[TK_CRYPTO_P256_COORD_LEN];
	uint32_t attributes;                      /* TPMA_OBJECT */
};

/*
 * KDFa of TPM 2.0 Library, Part 1, section 11.4.10.2: the counter-mode
 * KDF of NIST SP 800-108 with HMAC-SHA256, each block HMAC(key, u32 i ||
 * label || 0x00 || context_u || context_v || u32 bits). `label` is the
 * text without its terminating zero, which the function adds. out_len is
 * 1 to 255 * 32 bytes; bits = 8 * out_len.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_kdfa(const struct tk_crypto *c, struct tk_span key,
				     const char *label, struct tk_span context_u,
				     struct tk_span context_v, uint8_t *out, size_t out_len,
				     struct tk_diag *diag);

/*
 * Parse a marshalled TPMT_PUBLIC and check that it is an attestation key
 * a verifier can trust once activated: ECC NIST P-256, nameAlg SHA-256,
 * ECDSA with SHA-256, no symmetric or KDF scheme, and the attributes
 * fixedTPM, fixedParent, sensitiveDataOrigin, restricted and sign without
 * decrypt. A malformed area is TK_ERR_SCHEMA_LENGTH (or _VALUE); a wrong
 * algorithm TK_ERR_ALG_UNSUPPORTED; wrong attributes TK_ERR_KEY. On
 * success *out has the name (nameAlg || SHA-256 of the bytes given).
 */
TK_MUST_CHECK tk_err tk_eat_tpm_ak_parse(const struct tk_crypto *c, const uint8_t *public_area,
					 size_t public_len, struct tk_eat_tpm_ak *out,
					 struct tk_diag *diag);

/*
 * TPM2_MakeCredential in software: protect `credential` (1 to
 * TK_EAT_TPM_CREDENTIAL_MAX bytes) for the object `name` loaded in the
 * TPM whose RSA EK is the key of `ek_cert` (DER X.509). A fresh seed is
 * drawn for every call and wiped after use. Borrows every input; *out is
 * zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_make_credential(const struct tk_crypto *c,
						struct tk_span ek_cert, struct tk_span name,
						struct tk_span credential,
						struct tk_eat_tpm_credential *out,
						struct tk_diag *diag);

#endif /* TK_EAT_TPM_CREDENTIAL_H */
