/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 commands of the TPM backend, through tpm2-tss 3.2 ESAPI.
 *
 * Keys:
 * - SRK: the ECC P-256 storage primary of the owner hierarchy (restricted
 *   decrypt, AES-128-CFB, zero unique), derived again from the
 *   hierarchy's seed for each use, so it needs no persistent handle;
 * - TEEP signing key: unrestricted ECDSA P-256 with SHA-256 under the SRK;
 * - attestation key (AK): restricted ECDSA P-256 with SHA-256 under the
 *   persistent EK, whose policy is PolicySecret(TPM_RH_ENDORSEMENT), so
 *   creating and loading it takes a policy session.
 * Owner and endorsement authorizations are taken to be empty, as
 * swtpm_setup leaves them.
 *
 * NOTE: commands run without parameter encryption or an HMAC session
 * salted to the TPM, so a local attacker on the TCTI path can read and
 * alter them. That is acceptable for swtpm on loopback; a real TPM on a
 * bus needs a session bound to the EK.
 */
#include "tee/tk_tee_tpm_impl.h"

#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

/*
 * Bytes read per TPM2_NV_Read. NOTE: swtpm 0.7 accepts 512; a TPM whose
 * TPM_PT_NV_BUFFER_MAX is smaller would need the value from GetCapability.
 */
#define NV_CHUNK 512

/*
 * After a command whose connection failed, ESAPI refuses every later one
 * as out of sequence, even once the TPM is reachable again. So such a
 * failure marks the context, and ready() replaces it before the next
 * command. The failed command is not repeated, because the TPM may have
 * run it (a PCR extend must not happen twice).
 */
static void note_rc(struct tpm *tpm, TSS2_RC rc)
{
	if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER || rc == TSS2_ESYS_RC_BAD_SEQUENCE)
		tpm->reconnect = true;
}

/* A failed tpm2-tss call. Marshalling calls, which need no TPM, use it directly. */
static tk_err tss_fail(struct tk_diag *diag, const char *what, TSS2_RC rc)
{
	return TK_FAIL(diag, TK_ERR_DEVICE, "%s failed: 0x%x (%s)", what,
		       (unsigned)rc, Tss2_RC_Decode(rc));
}

static tk_err rc_fail(struct tpm *tpm, struct tk_diag *diag, const char *what, TSS2_RC rc)
{
	note_rc(tpm, rc);
	return tss_fail(diag, what, rc);
}

tk_err tpm_connect(struct tpm *tpm, const char *tcti, struct tk_diag *diag)
{
	TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti, &tpm->tcti);

	if (rc != TSS2_RC_SUCCESS) {
		tpm->tcti = NULL;
		return TK_FAIL(diag, TK_ERR_NETWORK,
			       "cannot reach the TPM through TCTI \"%s\": 0x%x (%s)",
			       tcti, (unsigned)rc, Tss2_RC_Decode(rc));
	}
	rc = Esys_Initialize(&tpm->esys, tpm->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		tpm->esys = NULL;
		return rc_fail(tpm, diag, "Esys_Initialize", rc);
	}
	return TK_OK;
}

void tpm_disconnect(struct tpm *tpm)
{
	if (tpm->esys != NULL)
		Esys_Finalize(&tpm->esys);
	if (tpm->tcti != NULL)
		Tss2_TctiLdr_Finalize(&tpm->tcti);
	tpm->esys = NULL;
	tpm->tcti = NULL;
}

/* Replace the ESAPI context and TCTI when a failure marked them. */
static tk_err ready(struct tpm *tpm, struct tk_diag *diag)
{
	tk_err err;

	if (!tpm->reconnect)
		return TK_OK;
	tpm_disconnect(tpm);
	err = tpm_connect(tpm, tpm->tcti_conf, diag);
	if (err == TK_OK)
		tpm->reconnect = false;
	return err;
}

static void flush(struct tpm *tpm, ESYS_TR *handle)
{
	if (*handle != ESYS_TR_NONE)
		note_rc(tpm, Esys_FlushContext(tpm->esys, *handle));
	*handle = ESYS_TR_NONE;
}

/* Templates. */

static const TPMA_OBJECT key_base_attributes =
	TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH;

/* ECC P-256 storage key, the usual SRK template. */
static TPM2B_PUBLIC srk_template(void)
{
	TPM2B_PUBLIC t = {0};

	t.publicArea.type = TPM2_ALG_ECC;
	t.publicArea.nameAlg = TPM2_ALG_SHA256;
	t.publicArea.objectAttributes = key_base_attributes | TPMA_OBJECT_NODA |
					TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	t.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	t.publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
	t.publicArea.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	t.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	t.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	t.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	t.publicArea.unique.ecc.x.size = 32;
	t.publicArea.unique.ecc.y.size = 32;
	return t;
}

/* ECDSA P-256 with SHA-256; restricted for the attestation key. */
static TPM2B_PUBLIC signing_template(bool restricted)
{
	TPM2B_PUBLIC t = {0};

	t.publicArea.type = TPM2_ALG_ECC;
	t.publicArea.nameAlg = TPM2_ALG_SHA256;
	t.publicArea.objectAttributes = key_base_attributes | TPMA_OBJECT_SIGN_ENCRYPT;
	if (restricted)
		t.publicArea.objectAttributes |= TPMA_OBJECT_RESTRICTED;
	t.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	t.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	t.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	t.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	t.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	return t;
}

/* Parents. */

static tk_err create_srk(struct tpm *tpm, ESYS_TR *out, struct tk_diag *diag)
{
	TPM2B_SENSITIVE_CREATE sensitive = {0};
	TPM2B_PUBLIC template = srk_template();
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TSS2_RC rc;

	*out = ESYS_TR_NONE;
	rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &template,
				&outside, &pcrs, out, NULL, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		*out = ESYS_TR_NONE;
		return rc_fail(tpm, diag, "TPM2_CreatePrimary of the storage key", rc);
	}
	return TK_OK;
}

/* A policy session satisfying the EK's PolicySecret(TPM_RH_ENDORSEMENT). */
static tk_err ek_session(struct tpm *tpm, ESYS_TR *out, struct tk_diag *diag)
{
	TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_NULL};
	TSS2_RC rc;

	rc = Esys_StartAuthSession(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
				   TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, out);
	if (rc != TSS2_RC_SUCCESS) {
		*out = ESYS_TR_NONE;
		return rc_fail(tpm, diag, "TPM2_StartAuthSession", rc);
	}
	rc = Esys_PolicySecret(tpm->esys, ESYS_TR_RH_ENDORSEMENT, *out,
			       ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
			       NULL, NULL, 0, NULL, NULL);
	/* The TPM flushes the session after the next command succeeds. */
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_TRSess_SetAttributes(tpm->esys, *out, 0,
					       TPMA_SESSION_CONTINUESESSION);
	if (rc != TSS2_RC_SUCCESS) {
		flush(tpm, out);
		return rc_fail(tpm, diag, "TPM2_PolicySecret for the endorsement key", rc);
	}
	return TK_OK;
}

static tk_err ek_handle(struct tpm *tpm, ESYS_TR *out, struct tk_diag *diag)
{
	TSS2_RC rc = Esys_TR_FromTPMPublic(tpm->esys, tpm->ek_handle, ESYS_TR_NONE,
					   ESYS_TR_NONE, ESYS_TR_NONE, out);

	if (rc != TSS2_RC_SUCCESS) {
		*out = ESYS_TR_NONE;
		note_rc(tpm, rc);
		return TK_FAIL(diag, TK_ERR_DEVICE,
			       "no endorsement key at persistent handle 0x%08x: 0x%x (%s)",
			       (unsigned)tpm->ek_handle, (unsigned)rc, Tss2_RC_Decode(rc));
	}
	return TK_OK;
}

/*
 * Get the parent ready: a fresh SRK (flushed by the caller), or the EK
 * (closed by the caller with Esys_TR_Close) and a policy session for it.
 */
static tk_err open_parent(struct tpm *tpm, enum tpm_parent parent, ESYS_TR *handle,
			  ESYS_TR *session, struct tk_diag *diag)
{
	tk_err err = ready(tpm, diag);

	*session = ESYS_TR_PASSWORD;
	*handle = ESYS_TR_NONE;
	if (err != TK_OK)
		return err;
	if (parent == TPM_PARENT_SRK)
		return create_srk(tpm, handle, diag);
	err = ek_handle(tpm, handle, diag);
	if (err == TK_OK)
		err = ek_session(tpm, session, diag);
	return err;
}

static void close_parent(struct tpm *tpm, enum tpm_parent parent, ESYS_TR *handle,
			 ESYS_TR *session, TSS2_RC last_rc)
{
	/* A failed command leaves the policy session loaded. */
	if (*session != ESYS_TR_PASSWORD && last_rc != TSS2_RC_SUCCESS)
		flush(tpm, session);
	*session = ESYS_TR_NONE;
	if (parent == TPM_PARENT_SRK)
		flush(tpm, handle);
	else if (*handle != ESYS_TR_NONE)
		(void)Esys_TR_Close(tpm->esys, handle);
	*handle = ESYS_TR_NONE;
}

tk_err tpm_create_key(struct tpm *tpm, enum tpm_parent parent,
		      struct tpm_key_blob *out, struct tk_diag *diag)
{
	TPM2B_SENSITIVE_CREATE sensitive = {0};
	TPM2B_PUBLIC template = signing_template(parent == TPM_PARENT_EK);
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TPM2B_PRIVATE *private_area = NULL;
	TPM2B_PUBLIC *public_area = NULL;
	ESYS_TR handle = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TSS2_RC rc = TSS2_RC_SUCCESS;
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = open_parent(tpm, parent, &handle, &session, diag);
	if (err == TK_OK) {
		rc = Esys_Create(tpm->esys, handle, session, ESYS_TR_NONE, ESYS_TR_NONE,
				 &sensitive, &template, &outside, &pcrs, &private_area,
				 &public_area, NULL, NULL, NULL);
		if (rc != TSS2_RC_SUCCESS)
			err = rc_fail(tpm, diag, "TPM2_Create", rc);
	}
	close_parent(tpm, parent, &handle, &session, rc);
	if (err == TK_OK) {
		out->public_area = *public_area;
		out->private_area = *private_area;
	}
	Esys_Free(private_area);
	Esys_Free(public_area);
	return err;
}

/* Load a key created by tpm_create_key(); the caller flushes *out. */
static tk_err load_key(struct tpm *tpm, enum tpm_parent parent,
		       const struct tpm_key_blob *blob, ESYS_TR *out,
		       struct tk_diag *diag)
{
	ESYS_TR handle = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TSS2_RC rc = TSS2_RC_SUCCESS;
	tk_err err;

	*out = ESYS_TR_NONE;
	err = open_parent(tpm, parent, &handle, &session, diag);
	if (err == TK_OK) {
		rc = Esys_Load(tpm->esys, handle, session, ESYS_TR_NONE, ESYS_TR_NONE,
			       &blob->private_area, &blob->public_area, out);
		if (rc != TSS2_RC_SUCCESS) {
			*out = ESYS_TR_NONE;
			err = rc_fail(tpm, diag, parent == TPM_PARENT_EK ?
				      "TPM2_Load of the attestation key" :
				      "TPM2_Load of the signing key", rc);
		}
	}
	close_parent(tpm, parent, &handle, &session, rc);
	return err;
}

/* Blobs. */

tk_err tpm_blob_encode(const struct tpm_key_blob *blob, uint8_t *out,
		       size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	size_t offset = 0;
	TSS2_RC rc;

	rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&blob->public_area, out, out_cap, &offset);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_MU_TPM2B_PRIVATE_Marshal(&blob->private_area, out, out_cap,
						   &offset);
	if (rc != TSS2_RC_SUCCESS)
		return tss_fail(diag, "marshalling a key blob", rc);
	*out_len = offset;
	return TK_OK;
}

tk_err tpm_blob_decode(const uint8_t *in, size_t in_len, struct tpm_key_blob *out,
		       struct tk_diag *diag)
{
	size_t offset = 0;
	TSS2_RC rc;

	memset(out, 0, sizeof(*out));
	rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(in, in_len, &offset, &out->public_area);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(in, in_len, &offset,
						     &out->private_area);
	if (rc != TSS2_RC_SUCCESS || offset != in_len) {
		memset(out, 0, sizeof(*out));
		return TK_FAIL(diag, TK_ERR_KEY, "TPM key blob of %zu bytes is malformed",
			       in_len);
	}
	return TK_OK;
}

/* Copy a TPM ECC parameter into 32 bytes, left-padded with zeros. */
static tk_err pad32(const TPM2B_ECC_PARAMETER *p, uint8_t out[32], const char *what,
		    struct tk_diag *diag)
{
	if (p->size > 32)
		return TK_FAIL(diag, TK_ERR_KEY, "%s of %u bytes, expected at most 32",
			       what, (unsigned)p->size);
	memset(out, 0, 32);
	memcpy(out + 32 - p->size, p->buffer, p->size);
	return TK_OK;
}

tk_err tpm_blob_point(const struct tpm_key_blob *blob,
		      uint8_t x[TK_CRYPTO_P256_COORD_LEN],
		      uint8_t y[TK_CRYPTO_P256_COORD_LEN], struct tk_diag *diag)
{
	const TPMT_PUBLIC *p = &blob->public_area.publicArea;
	tk_err err;

	if (p->type != TPM2_ALG_ECC || p->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256)
		return TK_FAIL(diag, TK_ERR_KEY, "TPM key is not ECC P-256");
	err = pad32(&p->unique.ecc.x, x, "x coordinate", diag);
	if (err == TK_OK)
		err = pad32(&p->unique.ecc.y, y, "y coordinate", diag);
	return err;
}

/* Signing. */

static tk_err ecdsa_signature(const TPMT_SIGNATURE *sig, uint8_t out[64],
			      struct tk_diag *diag)
{
	tk_err err;

	if (sig->sigAlg != TPM2_ALG_ECDSA)
		return TK_FAIL(diag, TK_ERR_DEVICE, "TPM signed with algorithm 0x%x, not ECDSA",
			       (unsigned)sig->sigAlg);
	err = pad32(&sig->signature.ecdsa.signatureR, out, "signature r", diag);
	if (err == TK_OK)
		err = pad32(&sig->signature.ecdsa.signatureS, out + 32, "signature s", diag);
	return err;
}

tk_err tpm_sign_digest(void *ctx, const uint8_t digest[TK_CRYPTO_SHA256_LEN],
		       uint8_t sig[TK_CRYPTO_P256_SIG_LEN], struct tk_diag *diag)
{
	const struct tpm_signer *signer = ctx;
	struct tpm *tpm = signer->tpm;
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_ECDSA};
	TPMT_TK_HASHCHECK validation = {.tag = TPM2_ST_HASHCHECK,
					.hierarchy = TPM2_RH_NULL};
	TPM2B_DIGEST in = {.size = TK_CRYPTO_SHA256_LEN};
	TPMT_SIGNATURE *out = NULL;
	ESYS_TR key = ESYS_TR_NONE;
	TSS2_RC rc;
	tk_err err;

	scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	memcpy(in.buffer, digest, TK_CRYPTO_SHA256_LEN);
	err = load_key(tpm, TPM_PARENT_SRK, signer->blob, &key, diag);
	if (err != TK_OK)
		return err;
	rc = Esys_Sign(tpm->esys, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
		       &in, &scheme, &validation, &out);
	flush(tpm, &key);
	if (rc != TSS2_RC_SUCCESS)
		err = rc_fail(tpm, diag, "TPM2_Sign", rc);
	else
		err = ecdsa_signature(out, sig, diag);
	Esys_Free(out);
	return err;
}

/* PCRs. */

tk_err tpm_pcr_extend(struct tpm *tpm, const uint8_t digest[TK_TEE_DIGEST_LEN],
		      struct tk_diag *diag)
{
	TPML_DIGEST_VALUES values = {.count = 1};
	tk_err err = ready(tpm, diag);
	TSS2_RC rc;

	if (err != TK_OK)
		return err;
	values.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(values.digests[0].digest.sha256, digest, TK_TEE_DIGEST_LEN);
	rc = Esys_PCR_Extend(tpm->esys, ESYS_TR_PCR0 + tpm->pcr, ESYS_TR_PASSWORD,
			     ESYS_TR_NONE, ESYS_TR_NONE, &values);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail(tpm, diag, "TPM2_PCR_Extend", rc);
	return TK_OK;
}

static TPML_PCR_SELECTION pcr_selection(uint32_t pcr)
{
	TPML_PCR_SELECTION sel = {.count = 1};

	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1u << (pcr % 8));
	return sel;
}

tk_err tpm_pcr_read(struct tpm *tpm, uint8_t out[TK_TEE_DIGEST_LEN],
		    struct tk_diag *diag)
{
	TPML_PCR_SELECTION sel = pcr_selection(tpm->pcr);
	TPML_PCR_SELECTION *sel_out = NULL;
	TPML_DIGEST *values = NULL;
	tk_err err = ready(tpm, diag);
	TSS2_RC rc;

	if (err != TK_OK)
		return err;
	rc = Esys_PCR_Read(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
			   NULL, &sel_out, &values);
	if (rc != TSS2_RC_SUCCESS)
		err = rc_fail(tpm, diag, "TPM2_PCR_Read", rc);
	else if (values->count != 1 || values->digests[0].size != TK_TEE_DIGEST_LEN)
		err = TK_FAIL(diag, TK_ERR_DEVICE,
			      "TPM has no SHA-256 bank value for PCR %u",
			      (unsigned)tpm->pcr);
	else
		memcpy(out, values->digests[0].buffer, TK_TEE_DIGEST_LEN);
	Esys_Free(sel_out);
	Esys_Free(values);
	return err;
}

/* Attestation. */

static tk_err copy_attest(const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
			  struct tk_tee_quote *out, struct tk_diag *diag)
{
	size_t offset = 0;
	TSS2_RC rc;

	if (attest->size > sizeof(out->attest))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "TPMS_ATTEST of %u bytes, maximum %zu",
			       (unsigned)attest->size, sizeof(out->attest));
	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, out->signature, sizeof(out->signature),
					    &offset);
	if (rc != TSS2_RC_SUCCESS)
		return tss_fail(diag, "marshalling the TPMT_SIGNATURE", rc);
	memcpy(out->attest, attest->attestationData, attest->size);
	out->attest_len = attest->size;
	out->signature_len = offset;
	out->format = TK_TEE_QUOTE_TPM2;
	return TK_OK;
}

tk_err tpm_quote(struct tpm *tpm, const uint8_t qualifying[TK_TEE_DIGEST_LEN],
		 struct tk_tee_quote *out, struct tk_diag *diag)
{
	TPM2B_DATA data = {.size = TK_TEE_DIGEST_LEN};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPML_PCR_SELECTION sel = pcr_selection(tpm->pcr);
	TPM2B_ATTEST *attest = NULL;
	TPMT_SIGNATURE *sig = NULL;
	ESYS_TR ak = ESYS_TR_NONE;
	TSS2_RC rc;
	tk_err err;

	memcpy(data.buffer, qualifying, TK_TEE_DIGEST_LEN);
	err = load_key(tpm, TPM_PARENT_EK, &tpm->attestation, &ak, diag);
	if (err != TK_OK)
		return err;
	rc = Esys_Quote(tpm->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			&data, &scheme, &sel, &attest, &sig);
	flush(tpm, &ak);
	if (rc != TSS2_RC_SUCCESS)
		err = rc_fail(tpm, diag, "TPM2_Quote", rc);
	else
		err = copy_attest(attest, sig, out, diag);
	Esys_Free(attest);
	Esys_Free(sig);
	return err;
}

/* The certified key's TPMT_PUBLIC, as the TPM hashes it into its name. */
static tk_err marshal_public(const struct tpm_key_blob *blob, struct tk_tee_quote *out,
			     struct tk_diag *diag)
{
	size_t offset = 0;
	TSS2_RC rc = Tss2_MU_TPMT_PUBLIC_Marshal(&blob->public_area.publicArea, out->object,
						 sizeof(out->object), &offset);

	if (rc != TSS2_RC_SUCCESS)
		return tss_fail(diag, "marshalling the certified TPMT_PUBLIC", rc);
	out->object_len = offset;
	return TK_OK;
}

tk_err tpm_certify(struct tpm *tpm, const uint8_t qualifying[TK_TEE_DIGEST_LEN],
		   struct tk_tee_quote *out, struct tk_diag *diag)
{
	TPM2B_DATA data = {.size = TK_TEE_DIGEST_LEN};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPM2B_ATTEST *attest = NULL;
	TPMT_SIGNATURE *sig = NULL;
	ESYS_TR key = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TSS2_RC rc = TSS2_RC_SUCCESS;
	tk_err err;

	memcpy(data.buffer, qualifying, TK_TEE_DIGEST_LEN);
	err = load_key(tpm, TPM_PARENT_SRK, &tpm->signing, &key, diag);
	if (err == TK_OK)
		err = load_key(tpm, TPM_PARENT_EK, &tpm->attestation, &ak, diag);
	if (err == TK_OK) {
		rc = Esys_Certify(tpm->esys, key, ak, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, &data, &scheme, &attest, &sig);
		if (rc != TSS2_RC_SUCCESS)
			err = rc_fail(tpm, diag, "TPM2_Certify", rc);
		else
			err = copy_attest(attest, sig, out, diag);
	}
	flush(tpm, &key);
	flush(tpm, &ak);
	if (err == TK_OK)
		err = marshal_public(&tpm->signing, out, diag);
	Esys_Free(attest);
	Esys_Free(sig);
	return err;
}

/* NV. */

static tk_err nv_size(struct tpm *tpm, ESYS_TR nv, size_t *out,
		      struct tk_diag *diag)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TSS2_RC rc = Esys_NV_ReadPublic(tpm->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, &pub, NULL);

	if (rc != TSS2_RC_SUCCESS)
		return rc_fail(tpm, diag, "TPM2_NV_ReadPublic", rc);
	*out = pub->nvPublic.dataSize;
	Esys_Free(pub);
	return TK_OK;
}

tk_err tpm_nv_read(struct tpm *tpm, uint32_t index, uint8_t *out, size_t out_cap,
		   size_t *out_len, struct tk_diag *diag)
{
	ESYS_TR nv = ESYS_TR_NONE;
	size_t size = 0, done = 0;
	TSS2_RC rc;
	tk_err err = ready(tpm, diag);

	if (err != TK_OK)
		return err;
	rc = Esys_TR_FromTPMPublic(tpm->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &nv);
	note_rc(tpm, rc);
	if (rc != TSS2_RC_SUCCESS)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no NV index 0x%08x: 0x%x (%s)",
			       (unsigned)index, (unsigned)rc, Tss2_RC_Decode(rc));
	err = nv_size(tpm, nv, &size, diag);
	if (err == TK_OK && size > out_cap)
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			      "NV index 0x%08x holds %zu bytes, maximum %zu",
			      (unsigned)index, size, out_cap);
	while (err == TK_OK && done < size) {
		uint16_t chunk = (uint16_t)(size - done < NV_CHUNK ? size - done : NV_CHUNK);
		TPM2B_MAX_NV_BUFFER *data = NULL;

		rc = Esys_NV_Read(tpm->esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, ESYS_TR_NONE, chunk, (uint16_t)done, &data);
		if (rc != TSS2_RC_SUCCESS || data->size != chunk)
			err = rc_fail(tpm, diag, "TPM2_NV_Read", rc);
		else
			memcpy(out + done, data->buffer, chunk);
		Esys_Free(data);
		done += chunk;
	}
	(void)Esys_TR_Close(tpm->esys, &nv);
	if (err != TK_OK)
		return err;
	*out_len = size;
	return TK_OK;
}

/* Credential activation. */

static tk_err unmarshal_credential(const uint8_t *id_object, size_t id_object_len,
				   const uint8_t *encrypted_secret,
				   size_t encrypted_secret_len, TPM2B_ID_OBJECT *blob,
				   TPM2B_ENCRYPTED_SECRET *secret, struct tk_diag *diag)
{
	size_t blob_off = 0, secret_off = 0;
	TSS2_RC rc;

	rc = Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(id_object, id_object_len, &blob_off, blob);
	if (rc != TSS2_RC_SUCCESS || blob_off != id_object_len)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "TPM2B_ID_OBJECT of %zu bytes is malformed", id_object_len);
	rc = Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(encrypted_secret, encrypted_secret_len,
						      &secret_off, secret);
	if (rc != TSS2_RC_SUCCESS || secret_off != encrypted_secret_len)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "TPM2B_ENCRYPTED_SECRET of %zu bytes is malformed",
			       encrypted_secret_len);
	return TK_OK;
}

/*
 * The response codes of a blob that was not made for this TPM and key:
 * the seed does not decrypt with the EK (value, size) or the HMAC over
 * the AK's name does not match (integrity).
 */
static bool credential_rejected(TSS2_RC rc)
{
	TSS2_RC code;

	if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER || (rc & TPM2_RC_FMT1) == 0)
		return false;
	code = rc & (TPM2_RC_FMT1 | 0x3f);
	return code == TPM2_RC_INTEGRITY || code == TPM2_RC_VALUE || code == TPM2_RC_SIZE;
}

tk_err tpm_activate_credential(struct tpm *tpm, const uint8_t *id_object,
			       size_t id_object_len, const uint8_t *encrypted_secret,
			       size_t encrypted_secret_len, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	TPM2B_ID_OBJECT blob = {0};
	TPM2B_ENCRYPTED_SECRET secret = {0};
	TPM2B_DIGEST *credential = NULL;
	ESYS_TR ak = ESYS_TR_NONE, ek = ESYS_TR_NONE, session = ESYS_TR_NONE;
	TSS2_RC rc = TSS2_RC_SUCCESS;
	tk_err err;

	err = unmarshal_credential(id_object, id_object_len, encrypted_secret,
				   encrypted_secret_len, &blob, &secret, diag);
	if (err == TK_OK)
		err = load_key(tpm, TPM_PARENT_EK, &tpm->attestation, &ak, diag);
	/* The AK needs its password, the EK its PolicySecret session. */
	if (err == TK_OK)
		err = open_parent(tpm, TPM_PARENT_EK, &ek, &session, diag);
	if (err == TK_OK) {
		rc = Esys_ActivateCredential(tpm->esys, ak, ek, ESYS_TR_PASSWORD, session,
					     ESYS_TR_NONE, &blob, &secret, &credential);
		if (credential_rejected(rc))
			err = TK_FAIL(diag, TK_ERR_DECRYPT, "TPM2_ActivateCredential rejected "
				      "the credential: it was not made for this TPM's EK and "
				      "attestation key: 0x%x (%s)", (unsigned)rc,
				      Tss2_RC_Decode(rc));
		else if (rc != TSS2_RC_SUCCESS)
			err = rc_fail(tpm, diag, "TPM2_ActivateCredential", rc);
	}
	close_parent(tpm, TPM_PARENT_EK, &ek, &session, rc);
	flush(tpm, &ak);

	if (err == TK_OK && credential->size > out_cap)
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL, "credential is %u bytes, buffer %zu",
			      (unsigned)credential->size, out_cap);
	if (err == TK_OK) {
		memcpy(out, credential->buffer, credential->size);
		*out_len = credential->size;
	}
	if (credential != NULL)
		tk_wipe(credential, sizeof(*credential));
	Esys_Free(credential);
	return err;
}
