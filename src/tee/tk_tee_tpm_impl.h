/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the TPM backend, shared by tk_tee_tpm.c (the backend
 * hooks and opening) and tk_tee_tpm_esys.c (the TPM commands through
 * tpm2-tss ESAPI).
 *
 * Object slots: swtpm has three transient object slots and no resource
 * manager sits between it and us, so every command sequence here loads
 * what it needs and flushes it before returning, on success and failure
 * alike. No transient handle outlives one hook call.
 */
#ifndef TK_TEE_TPM_IMPL_H
#define TK_TEE_TPM_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "tee/tk_tee_sim_secrets.h"

/* A key created under a parent: the TPM's public and wrapped private area. */
struct tpm_key_blob {
	TPM2B_PUBLIC public_area;
	TPM2B_PRIVATE private_area;
};

struct tpm;

/* Context of an external key's signer: which blob signs. */
struct tpm_signer {
	struct tpm *tpm;
	const struct tpm_key_blob *blob;
};

struct tpm {
	struct tk_tee_ops ops;      /* this instance's hooks */
	const struct tk_crypto *crypto;
	const struct tk_log *log;
	struct tk_tee store;        /* simulated backend, storage only */
	struct tk_tee_sim_secrets secrets; /* SUIT keys, as the simulator's */
	int root_fd;                /* the state directory */
	int tpm_fd;                 /* its tpm/ folder */
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char *tcti_conf;            /* copy of the TCTI configuration */
	bool reconnect;             /* a command failed below the TPM (lost
				       connection, ESAPI out of sequence):
				       connect again before the next one */
	uint32_t pcr;               /* PCR extended on load */
	uint32_t ek_handle;         /* persistent endorsement key */
	uint32_t ek_cert_index;     /* NV index of its certificate */
	struct tpm_key_blob signing;     /* TEEP signing key, under the SRK */
	struct tpm_key_blob attestation; /* attestation key, under the EK */
	struct tpm_key_blob report;      /* SUIT report key, under the SRK */
	struct tpm_signer signing_signer;
	struct tpm_signer report_signer;
	struct tk_crypto_key *key;  /* signing key handle; the TPM signs */
	struct tk_crypto_key *report_key; /* NULL when the state has none */
	struct tk_tee_key_info key_info;
};

/* Parent that a key is created and loaded under. */
enum tpm_parent {
	TPM_PARENT_SRK = 1, /* ECC P-256 storage primary of the owner hierarchy */
	TPM_PARENT_EK = 2,  /* the persistent endorsement key */
};

/* Set the storage hooks in ops: they forward to tpm->store. */
void tpm_store_hooks(struct tk_tee_ops *ops);

/* Connect to the TPM named by the TCTI configuration string. */
tk_err tpm_connect(struct tpm *tpm, const char *tcti, struct tk_diag *diag);

/* Close the ESAPI context and the TCTI. Safe when not connected. */
void tpm_disconnect(struct tpm *tpm);

/*
 * Create a key under `parent`: the TEEP signing key (unrestricted ECDSA
 * P-256) for TPM_PARENT_SRK, the attestation key (restricted ECDSA P-256)
 * for TPM_PARENT_EK.
 */
tk_err tpm_create_key(struct tpm *tpm, enum tpm_parent parent,
		      struct tpm_key_blob *out, struct tk_diag *diag);

/* Marshal a blob as TPM2B_PUBLIC || TPM2B_PRIVATE, and back. */
tk_err tpm_blob_encode(const struct tpm_key_blob *blob, uint8_t *out,
		       size_t out_cap, size_t *out_len, struct tk_diag *diag);
tk_err tpm_blob_decode(const uint8_t *in, size_t in_len,
		       struct tpm_key_blob *out, struct tk_diag *diag);

/* P-256 point of a blob's public area, each coordinate left-padded to 32. */
tk_err tpm_blob_point(const struct tpm_key_blob *blob,
		      uint8_t x[TK_CRYPTO_P256_COORD_LEN],
		      uint8_t y[TK_CRYPTO_P256_COORD_LEN], struct tk_diag *diag);

/*
 * Signer of the external keys: ECDSA over a SHA-256 digest in the TPM
 * with the blob of ctx, a struct tpm_signer.
 */
tk_err tpm_sign_digest(void *ctx, const uint8_t digest[TK_CRYPTO_SHA256_LEN],
		       uint8_t sig[TK_CRYPTO_P256_SIG_LEN], struct tk_diag *diag);

/* PCR_Extend of the SHA-256 bank, and PCR_Read of the same PCR. */
tk_err tpm_pcr_extend(struct tpm *tpm, const uint8_t digest[TK_TEE_DIGEST_LEN],
		      struct tk_diag *diag);
tk_err tpm_pcr_read(struct tpm *tpm, uint8_t out[TK_TEE_DIGEST_LEN],
		    struct tk_diag *diag);

/* TPM2_Quote of the measurement PCR and TPM2_Certify of the signing key. */
tk_err tpm_quote(struct tpm *tpm, const uint8_t qualifying[TK_TEE_DIGEST_LEN],
		 struct tk_tee_quote *out, struct tk_diag *diag);
tk_err tpm_certify(struct tpm *tpm, const uint8_t qualifying[TK_TEE_DIGEST_LEN],
		   struct tk_tee_quote *out, struct tk_diag *diag);

/* Read the whole NV index `index` (the EK certificate) into out. */
tk_err tpm_nv_read(struct tpm *tpm, uint32_t index, uint8_t *out,
		   size_t out_cap, size_t *out_len, struct tk_diag *diag);

/*
 * TPM2_ActivateCredential with the attestation key and the EK, for
 * marshalled TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET. A blob the TPM
 * rejects as not made for it is TK_ERR_DECRYPT.
 */
tk_err tpm_activate_credential(struct tpm *tpm, const uint8_t *id_object,
			       size_t id_object_len, const uint8_t *encrypted_secret,
			       size_t encrypted_secret_len, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct tk_diag *diag);

#endif /* TK_TEE_TPM_IMPL_H */
