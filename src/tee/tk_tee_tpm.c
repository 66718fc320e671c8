/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM backend: a TPM 2.0 roots the TEE's keys and measurements, and
 * an inner simulated backend opened storage-only keeps components,
 * manifests, sequence numbers and the UEID, so both backends store them
 * with the same code. The layout is documented with struct
 * tk_tee_tpm_config; the TPM commands are in tk_tee_tpm_esys.c.
 *
 * The signing key handle given to the COSE layer is an external key of
 * the crypto layer: hashing happens in software, the ECDSA signature in
 * the TPM. Attestation statements carry extraData = SHA-256(nonce || kid)
 * so a verifier can tie the TEEP key to the TPM's attestation key.
 */
#include "tee/tk_tee.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto_external.h"
#include "tee/tk_tee_measure.h"
#include "tee/tk_tee_sim_fs.h"
#include "tee/tk_tee_tpm_impl.h"

#include <tss2/tss2_mu.h>

#define TPM_DIR "tpm"
#define SIGNING_KEY_FILE "signing-key"
#define ATTESTATION_KEY_FILE "attestation-key"
#define REPORT_KEY_FILE "report-key"

/* Largest marshalled key blob: TPM2B_PUBLIC and TPM2B_PRIVATE. */
#define BLOB_MAX (sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE))

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void tpm_close(void *ctx)
{
	struct tpm *tpm = ctx;

	if (tpm == NULL)
		return;
	tk_crypto_key_free(tpm->key);
	tk_crypto_key_free(tpm->report_key);
	tk_tee_sim_secrets_close(&tpm->secrets);
	tpm_disconnect(tpm);
	free(tpm->tcti_conf);
	tk_tee_close(&tpm->store);
	close_fd(&tpm->tpm_fd);
	close_fd(&tpm->root_fd);
	tk_wipe(tpm, sizeof(*tpm));
	free(tpm);
}

/* Keys. */

static tk_err tpm_key_info(void *ctx, struct tk_tee_key_info *out,
			   struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	(void)diag;
	*out = tpm->key_info;
	return TK_OK;
}

static tk_err tpm_signing_key(void *ctx, const struct tk_crypto_key **out,
			      struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	(void)diag;
	*out = tpm->key;
	return TK_OK;
}

static tk_err tpm_sign(void *ctx, const uint8_t *tbs, size_t tbs_len,
		       uint8_t *sig, size_t sig_cap, size_t *sig_len,
		       struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;
	struct tk_span part = tk_span_make(tbs, tbs_len);
	uint8_t buf[TK_CRYPTO_SIG_MAX];
	size_t len = 0;
	tk_err err;

	err = tk_crypto_sign(tpm->key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1,
			     buf, &len, diag);
	if (err != TK_OK)
		return err;
	if (len > sig_cap)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "signature is %zu bytes, buffer %zu", len, sig_cap);
	memcpy(sig, buf, len);
	*sig_len = len;
	return TK_OK;
}

static tk_err tpm_public_key_pem(void *ctx, char *out, size_t out_cap,
				 size_t *out_len, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_crypto_key_export_pem(tpm->key, false, (uint8_t *)out, out_cap,
					out_len, diag);
}

static tk_err tpm_report_key(void *ctx, const struct tk_crypto_key **out,
			     struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	if (tpm->report_key == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND,
			       "no SUIT report key: open the TEE with create once");
	*out = tpm->report_key;
	return TK_OK;
}

/* Measured load and attestation. */

static tk_err extend_pcr(void *ctx, const struct tk_tee_measurement *m,
			 struct tk_diag *diag)
{
	return tpm_pcr_extend(ctx, m->event, diag);
}

static tk_err tpm_load_component(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
				 const struct tk_tee_invoke_ops *invoke,
				 struct tk_diag *diag)
{
	struct tpm *tpm = ctx;
	struct tk_tee_measure_extender extender = {extend_pcr, tpm, tpm->pcr};

	return tk_tee_measure_load(&tpm->store, tpm->crypto, tpm->tpm_fd, &extender,
				   id, id_len, expected_digest, invoke, diag);
}

/* Check that the log replays to the PCR's current value. */
static tk_err check_log(struct tpm *tpm, size_t *count, bool *pcr_zero,
			struct tk_diag *diag)
{
	static const uint8_t zero[TK_TEE_DIGEST_LEN];
	uint8_t running[TK_TEE_DIGEST_LEN], pcr[TK_TEE_DIGEST_LEN];
	tk_err err;

	err = tk_tee_mlog_walk(tpm->tpm_fd, tpm->crypto, NULL, NULL, running, count,
			       diag);
	if (err == TK_OK)
		err = tpm_pcr_read(tpm, pcr, diag);
	if (err != TK_OK)
		return err;
	*pcr_zero = tk_ct_equal(pcr, zero, sizeof(pcr));
	if (!tk_ct_equal(pcr, running, sizeof(pcr)))
		return TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			       "measurement log of %zu entries does not replay to PCR %u",
			       *count, (unsigned)tpm->pcr);
	return TK_OK;
}

/* Visit the entries of one read of the log, checked against the PCR. */
static tk_err tpm_list_measurements(void *ctx, tk_tee_measurement_fn visit,
				    void *visit_ctx, struct tk_diag *diag)
{
	struct tpm *tpm = ctx;
	uint8_t pcr[TK_TEE_DIGEST_LEN];
	size_t count = 0;
	tk_err err = tpm_pcr_read(tpm, pcr, diag);

	if (err != TK_OK)
		return err;
	return tk_tee_mlog_walk_expect(tpm->tpm_fd, tpm->crypto, pcr, visit, visit_ctx,
				       &count, diag);
}

/* extraData of quote and certify: SHA-256(nonce || kid). */
static tk_err qualifying_data(const struct tpm *tpm, const uint8_t *nonce,
			      size_t nonce_len, uint8_t out[TK_TEE_DIGEST_LEN],
			      struct tk_diag *diag)
{
	uint8_t buf[TK_TEE_MAX_NONCE_LEN + TK_TEE_KID_LEN];

	memcpy(buf, nonce, nonce_len);
	memcpy(buf + nonce_len, tpm->key_info.kid, TK_TEE_KID_LEN);
	return tk_crypto_sha256(tpm->crypto, buf, nonce_len + TK_TEE_KID_LEN, out,
				diag);
}

static tk_err tpm_quote_hook(void *ctx, const uint8_t *nonce, size_t nonce_len,
			     struct tk_tee_quote *out, struct tk_diag *diag)
{
	struct tpm *tpm = ctx;
	uint8_t data[TK_TEE_DIGEST_LEN];
	tk_err err = qualifying_data(tpm, nonce, nonce_len, data, diag);

	if (err != TK_OK)
		return err;
	return tpm_quote(tpm, data, out, diag);
}

static tk_err tpm_certify_hook(void *ctx, const uint8_t *nonce, size_t nonce_len,
			       struct tk_tee_quote *out, struct tk_diag *diag)
{
	struct tpm *tpm = ctx;
	uint8_t data[TK_TEE_DIGEST_LEN];
	tk_err err = qualifying_data(tpm, nonce, nonce_len, data, diag);

	if (err != TK_OK)
		return err;
	return tpm_certify(tpm, data, out, diag);
}

static tk_err tpm_attestation_key_pem(void *ctx, char *out, size_t out_cap,
				      size_t *out_len, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;
	uint8_t x[TK_CRYPTO_P256_COORD_LEN], y[TK_CRYPTO_P256_COORD_LEN];
	struct tk_crypto_key *ak = NULL;
	tk_err err;

	err = tpm_blob_point(&tpm->attestation, x, y, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_public(tpm->crypto, TK_CRYPTO_KEY_P256, x,
						  sizeof(x), y, sizeof(y), &ak, diag);
	if (err == TK_OK)
		err = tk_crypto_key_export_pem(ak, false, (uint8_t *)out, out_cap,
					       out_len, diag);
	tk_crypto_key_free(ak);
	return err;
}

static tk_err tpm_endorsement_certificate(void *ctx, uint8_t *out, size_t out_cap,
					  size_t *out_len, struct tk_diag *diag)
{
	struct tpm *tpm = ctx;

	return tpm_nv_read(tpm, tpm->ek_cert_index, out, out_cap, out_len, diag);
}

static tk_err tpm_attestation_key_public(void *ctx, uint8_t *out, size_t out_cap,
					 size_t *out_len, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;
	size_t offset = 0;
	TSS2_RC rc = Tss2_MU_TPMT_PUBLIC_Marshal(&tpm->attestation.public_area.publicArea,
						 out, out_cap, &offset);

	if (rc != TSS2_RC_SUCCESS)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "attestation key TPMT_PUBLIC does not fit in %zu bytes", out_cap);
	*out_len = offset;
	return TK_OK;
}

static tk_err tpm_activate_credential_hook(void *ctx, const uint8_t *id_object,
					   size_t id_object_len,
					   const uint8_t *encrypted_secret,
					   size_t encrypted_secret_len, uint8_t *out,
					   size_t out_cap, size_t *out_len,
					   struct tk_diag *diag)
{
	return tpm_activate_credential(ctx, id_object, id_object_len, encrypted_secret,
				       encrypted_secret_len, out, out_cap, out_len, diag);
}

/*
 * SUIT keys: the simulator's code and files, in this state directory.
 * NOTE: so the payload recipient key, KEKs and MAC keys are software keys
 * in files (mode 0600), not TPM objects. Unwrapping inside the TPM
 * (TPM2_ECDH_ZGen for the recipient key) would close that gap.
 */

static tk_err tpm_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient,
			     uint8_t *cek, size_t cek_cap, size_t *cek_len,
			     struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_unwrap_cek(&tpm->secrets, recipient, cek, cek_cap, cek_len,
				     diag);
}

static tk_err tpm_encryption_public_key_pem(void *ctx, char *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_encryption_key_pem(&tpm->secrets, out, out_cap, out_len, diag);
}

static tk_err tpm_provision_secret(void *ctx, enum tk_tee_secret_use use,
				   const uint8_t *kid, size_t kid_len,
				   const uint8_t *secret, size_t secret_len,
				   struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_provision_secret(&tpm->secrets, use, kid, kid_len, secret,
					   secret_len, diag);
}

static tk_err tpm_mac_sha256(void *ctx, const uint8_t *kid, size_t kid_len,
			     const struct tk_span *parts, size_t n_parts,
			     uint8_t out[32], struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_mac_sha256(&tpm->secrets, kid, kid_len, parts, n_parts, out,
				     diag);
}

static tk_err tpm_trust_anchor_add(void *ctx, struct tk_tee_trust_anchor *anchor,
				   struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_anchor_add(&tpm->secrets, anchor, diag);
}

static tk_err tpm_trust_anchor_list(void *ctx, tk_tee_anchor_fn visit,
				    void *visit_ctx, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_anchor_list(&tpm->secrets, visit, visit_ctx, diag);
}

static tk_err tpm_trust_anchor_remove(void *ctx, const uint8_t kid[TK_TEE_KID_LEN],
				      struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_sim_anchor_remove(&tpm->secrets, kid, diag);
}

/* Hooks of this file; tpm_store_hooks() adds the storage ones. */
static const struct tk_tee_ops tpm_ops = {
	.key_info = tpm_key_info,
	.signing_key = tpm_signing_key,
	.sign = tpm_sign,
	.public_key_pem = tpm_public_key_pem,
	.report_key = tpm_report_key,
	.load_component = tpm_load_component,
	.list_measurements = tpm_list_measurements,
	.quote = tpm_quote_hook,
	.certify_signing_key = tpm_certify_hook,
	.attestation_key_pem = tpm_attestation_key_pem,
	.endorsement_certificate = tpm_endorsement_certificate,
	.attestation_key_public = tpm_attestation_key_public,
	.activate_credential = tpm_activate_credential_hook,
	.unwrap_cek = tpm_unwrap_cek,
	.encryption_public_key_pem = tpm_encryption_public_key_pem,
	.provision_secret = tpm_provision_secret,
	.mac_sha256 = tpm_mac_sha256,
	.trust_anchor_add = tpm_trust_anchor_add,
	.trust_anchor_list = tpm_trust_anchor_list,
	.trust_anchor_remove = tpm_trust_anchor_remove,
	.close = tpm_close,
};

/* Opening. */

/* Load a key blob from tpm/<name>, or create the key when allowed. */
static tk_err open_blob(struct tpm *tpm, const char *name, enum tpm_parent parent,
			bool create, struct tpm_key_blob *blob, bool *created,
			struct tk_diag *diag)
{
	uint8_t buf[BLOB_MAX];
	struct tk_diag local;
	size_t len = 0;
	tk_err err;

	*created = false;
	tk_diag_clear(&local);
	err = tk_tee_sim_read_small(tpm->tpm_fd, name, true, buf, sizeof(buf), &len,
				    &local);
	if (err == TK_OK)
		return tpm_blob_decode(buf, len, blob, diag);
	if (err != TK_ERR_NOT_FOUND || !create)
		return TK_FAIL(diag, err, "%s/%s: %s", TPM_DIR, name, local.msg);

	err = tpm_create_key(tpm, parent, blob, diag);
	if (err == TK_OK)
		err = tpm_blob_encode(blob, buf, sizeof(buf), &len, diag);
	if (err == TK_OK)
		err = tk_tee_sim_write_atomic(tpm->tpm_fd, name, 0600, buf, len, NULL, 0,
					      diag);
	*created = err == TK_OK;
	return err;
}

/* Make the crypto handle of a TPM key: its public point, the TPM signs. */
static tk_err external_key(struct tpm *tpm, struct tpm_signer *signer,
			   const struct tpm_key_blob *blob, struct tk_crypto_key **out,
			   struct tk_diag *diag)
{
	uint8_t x[TK_CRYPTO_P256_COORD_LEN], y[TK_CRYPTO_P256_COORD_LEN];
	struct tk_crypto_signer_ops ops = {tpm_sign_digest, signer};
	tk_err err = tpm_blob_point(blob, x, y, diag);

	signer->tpm = tpm;
	signer->blob = blob;
	if (err != TK_OK)
		return err;
	return tk_crypto_key_external(tpm->crypto, x, y, &ops, out, diag);
}

/*
 * The SUIT report key: a TPM key of its own, because the report's COSE
 * key must differ from the TEEP key. Without `create` a state that has
 * none keeps none, and the report_key hook fails with TK_ERR_NOT_FOUND.
 */
static tk_err open_report_key(struct tpm *tpm, bool create, struct tk_diag *diag)
{
	struct tk_diag local;
	bool created = false;
	tk_err err;

	tk_diag_clear(&local);
	err = open_blob(tpm, REPORT_KEY_FILE, TPM_PARENT_SRK, create, &tpm->report, &created,
			&local);
	if (err == TK_ERR_NOT_FOUND && !create)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(diag, err, "SUIT report key: %s", local.msg);
	return external_key(tpm, &tpm->report_signer, &tpm->report, &tpm->report_key, diag);
}

static tk_err open_keys(struct tpm *tpm, bool create, struct tk_diag *diag)
{
	bool created_key = false, created_ak = false;
	char kid_hex[2 * 8 + 4];
	tk_err err;

	err = open_blob(tpm, SIGNING_KEY_FILE, TPM_PARENT_SRK, create, &tpm->signing,
			&created_key, diag);
	if (err == TK_OK)
		err = open_blob(tpm, ATTESTATION_KEY_FILE, TPM_PARENT_EK, create,
				&tpm->attestation, &created_ak, diag);
	if (err == TK_OK)
		err = external_key(tpm, &tpm->signing_signer, &tpm->signing, &tpm->key, diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tpm->crypto, tpm->key,
						    tpm->key_info.kid, diag);
	if (err == TK_OK)
		err = open_report_key(tpm, create, diag);
	if (err != TK_OK)
		return err;
	tpm->key_info.alg = TK_COSE_ALG_ESP256;

	tk_log_id_prefix(tpm->key_info.kid, sizeof(tpm->key_info.kid), 8, kid_hex,
			 sizeof(kid_hex));
	tk_log(tpm->log, TK_LOG_INFO, "tee-tpm", "%s TPM signing key kid %s, %s attestation key",
	       created_key ? "created" : "loaded", kid_hex,
	       created_ak ? "created" : "loaded");
	return TK_OK;
}

/*
 * A log whose PCR reads zero is from before a TPM reset: start a new one.
 * Any other mismatch stays, for list_measurements to report.
 */
static tk_err reset_log_after_tpm_reset(struct tpm *tpm, struct tk_diag *diag)
{
	struct tk_diag local;
	bool pcr_zero = false;
	size_t count = 0;
	tk_err err;

	tk_diag_clear(&local);
	err = check_log(tpm, &count, &pcr_zero, &local);
	if (err == TK_OK)
		return TK_OK;
	if (err != TK_ERR_DIGEST_MISMATCH)
		return TK_FAIL(diag, err, "%s", local.msg);
	if (!pcr_zero)
		return TK_OK;
	tk_log(tpm->log, TK_LOG_NOTICE, "tee-tpm",
	       "PCR %u is zero: the TPM was reset, clearing %zu measurement log entries",
	       (unsigned)tpm->pcr, count);
	return tk_tee_mlog_clear(tpm->tpm_fd, diag);
}

static tk_err open_state(struct tpm *tpm, const struct tk_tee_tpm_config *config,
			 struct tk_diag *diag)
{
	struct tk_tee_sim_config store = {
		.state_dir = config->state_dir,
		.crypto = tpm->crypto,
		.create = config->create,
		.storage_only = true,
		.log = config->log,
	};
	tk_err err = tk_tee_sim_open(&store, &tpm->store, diag);

	if (err != TK_OK)
		return err;
	/* The simulated backend has checked the folder's owner and mode. */
	tpm->root_fd = open(config->state_dir,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tpm->root_fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "open state directory %s failed",
			       config->state_dir);
	err = tk_tee_sim_open_dir(tpm->root_fd, TPM_DIR, config->create, &tpm->tpm_fd,
				  diag);
	if (err == TK_OK)
		err = tk_tee_sim_secrets_open(&tpm->secrets, tpm->crypto, tpm->root_fd,
					      config->create, diag);
	return err;
}

tk_err tk_tee_tpm_open(const struct tk_tee_tpm_config *config, struct tk_tee *out,
		       struct tk_diag *diag)
{
	struct tpm *tpm = NULL;
	tk_err err;

	if (out != NULL) {
		out->ops = NULL;
		out->ctx = NULL;
	}
	if (config == NULL || config->state_dir == NULL || config->tcti == NULL ||
	    out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "state directory or TCTI is not set");
	if (config->pcr > 23)
		return TK_FAIL(diag, TK_ERR_ARG, "PCR %u does not exist, use 0 to 23",
			       (unsigned)config->pcr);

	tpm = calloc(1, sizeof(*tpm));
	if (tpm == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "allocating the TEE state failed");
	tpm->crypto = config->crypto != NULL ? config->crypto : tk_crypto_openssl();
	tpm->log = config->log;
	tpm->root_fd = tpm->tpm_fd = -1;
	tpm->secrets.secrets_fd = tpm->secrets.anchors_fd = -1;
	tpm->pcr = config->pcr != 0 ? config->pcr : TK_TEE_TPM_DEFAULT_PCR;
	tpm->ek_handle = config->ek_handle != 0 ? config->ek_handle : TK_TEE_TPM_DEFAULT_EK;
	tpm->ek_cert_index = config->ek_cert_index != 0 ? config->ek_cert_index :
			     TK_TEE_TPM_DEFAULT_EK_CERT;

	tpm->tcti_conf = strdup(config->tcti);
	err = tpm->tcti_conf != NULL ? open_state(tpm, config, diag)
				     : TK_FAIL(diag, TK_ERR_NOMEM, "copying the TCTI failed");
	if (err == TK_OK)
		err = tpm_connect(tpm, config->tcti, diag);
	if (err == TK_OK)
		err = open_keys(tpm, config->create, diag);
	if (err == TK_OK)
		err = reset_log_after_tpm_reset(tpm, diag);
	if (err != TK_OK) {
		tpm_close(tpm);
		return err;
	}
	tpm->ops = tpm_ops;
	tpm_store_hooks(&tpm->ops);
	out->ops = &tpm->ops;
	out->ctx = tpm;
	return TK_OK;
}
