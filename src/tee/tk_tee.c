/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrappers around the TEE backend hooks. They are the only callers of the
 * hooks, so every backend gets the same argument checks, the same
 * TK_ERR_UNSUPPORTED for a hook it leaves NULL, and outputs emptied on
 * failure, whatever the backend does.
 */
#include "tee/tk_tee.h"

#include <string.h>

/* Fail unless tee is open and provides `hook`. */
#define REQUIRE_HOOK(tee, hook, diag)                                          \
	do {                                                                   \
		if ((tee) == NULL || (tee)->ops == NULL)                       \
			return TK_FAIL((diag), TK_ERR_ARG,                     \
				       "TEE backend is not open");             \
		if ((tee)->ops->hook == NULL)                                  \
			return TK_FAIL((diag), TK_ERR_UNSUPPORTED,             \
				       "TEE backend has no " #hook " hook");   \
	} while (0)

static tk_err check_id(const uint8_t *id, size_t id_len, struct tk_diag *diag)
{
	if (id == NULL || id_len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "component id is empty");
	if (id_len > TK_TEE_MAX_ID_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "component id is %zu bytes, maximum %d", id_len,
			       TK_TEE_MAX_ID_LEN);
	return TK_OK;
}

static tk_err check_out(const void *out, size_t out_cap, const size_t *out_len,
			struct tk_diag *diag)
{
	if (out_len == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "output buffer is invalid");
	return TK_OK;
}

tk_err tk_tee_key_info(const struct tk_tee *tee, struct tk_tee_key_info *out,
		       struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "key info output is NULL");
	memset(out, 0, sizeof(*out));
	REQUIRE_HOOK(tee, key_info, diag);
	err = tee->ops->key_info(tee->ctx, out, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_tee_signing_key(const struct tk_tee *tee,
			  const struct tk_crypto_key **out, struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "signing key output is NULL");
	*out = NULL;
	REQUIRE_HOOK(tee, signing_key, diag);
	err = tee->ops->signing_key(tee->ctx, out, diag);
	if (err == TK_OK && *out == NULL)
		err = TK_FAIL(diag, TK_ERR_INTERNAL,
			      "TEE backend returned no signing key");
	if (err != TK_OK)
		*out = NULL;
	return err;
}

tk_err tk_tee_sign(const struct tk_tee *tee, const uint8_t *tbs, size_t tbs_len,
		   uint8_t *sig, size_t sig_cap, size_t *sig_len,
		   struct tk_diag *diag)
{
	tk_err err = check_out(sig, sig_cap, sig_len, diag);

	if (err != TK_OK)
		return err;
	*sig_len = 0;
	if (tbs == NULL && tbs_len > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "data to sign is NULL");
	REQUIRE_HOOK(tee, sign, diag);
	err = tee->ops->sign(tee->ctx, tbs, tbs_len, sig, sig_cap, sig_len, diag);
	if (err != TK_OK)
		*sig_len = 0;
	return err;
}

tk_err tk_tee_public_key_pem(const struct tk_tee *tee, char *out,
			     size_t out_cap, size_t *out_len,
			     struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	REQUIRE_HOOK(tee, public_key_pem, diag);
	err = tee->ops->public_key_pem(tee->ctx, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_report_key(const struct tk_tee *tee, const struct tk_crypto_key **out,
			 struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report key output is NULL");
	*out = NULL;
	REQUIRE_HOOK(tee, report_key, diag);
	err = tee->ops->report_key(tee->ctx, out, diag);
	if (err == TK_OK && *out == NULL)
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "TEE backend returned no report key");
	if (err != TK_OK)
		*out = NULL;
	return err;
}

tk_err tk_tee_ueid(const struct tk_tee *tee, uint8_t *out, size_t out_cap,
		   size_t *out_len, struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	REQUIRE_HOOK(tee, ueid, diag);
	err = tee->ops->ueid(tee->ctx, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_install_component(const struct tk_tee *tee, const uint8_t *id,
				size_t id_len, const uint8_t *image,
				size_t image_len, uint64_t sequence_number,
				struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	if (image == NULL && image_len > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "component image is NULL");
	if ((uint64_t)image_len > TK_TEE_MAX_OBJECT_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "component image is %zu bytes, maximum %llu",
			       image_len, (unsigned long long)TK_TEE_MAX_OBJECT_SIZE);
	REQUIRE_HOOK(tee, install_component, diag);
	return tee->ops->install_component(tee->ctx, id, id_len, image,
					   image_len, sequence_number, diag);
}

static tk_err object_info(const struct tk_tee *tee, bool manifest,
			  const uint8_t *id, size_t id_len,
			  struct tk_tee_object_info *out, struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "info output is NULL");
	memset(out, 0, sizeof(*out));
	err = check_id(id, id_len, diag);
	if (err != TK_OK)
		return err;
	if (manifest) {
		REQUIRE_HOOK(tee, manifest_info, diag);
		err = tee->ops->manifest_info(tee->ctx, id, id_len, out, diag);
	} else {
		REQUIRE_HOOK(tee, component_info, diag);
		err = tee->ops->component_info(tee->ctx, id, id_len, out, diag);
	}
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_tee_component_info(const struct tk_tee *tee, const uint8_t *id,
			     size_t id_len, struct tk_tee_object_info *out,
			     struct tk_diag *diag)
{
	return object_info(tee, false, id, id_len, out, diag);
}

tk_err tk_tee_manifest_info(const struct tk_tee *tee, const uint8_t *id,
			    size_t id_len, struct tk_tee_object_info *out,
			    struct tk_diag *diag)
{
	return object_info(tee, true, id, id_len, out, diag);
}

static tk_err read_object(const struct tk_tee *tee, bool manifest,
			  const uint8_t *id, size_t id_len, uint8_t *out,
			  size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	err = check_id(id, id_len, diag);
	if (err != TK_OK)
		return err;
	if (manifest) {
		REQUIRE_HOOK(tee, read_manifest, diag);
		err = tee->ops->read_manifest(tee->ctx, id, id_len, out,
					      out_cap, out_len, diag);
	} else {
		REQUIRE_HOOK(tee, read_component, diag);
		err = tee->ops->read_component(tee->ctx, id, id_len, out,
					       out_cap, out_len, diag);
	}
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_read_component(const struct tk_tee *tee, const uint8_t *id,
			     size_t id_len, uint8_t *out, size_t out_cap,
			     size_t *out_len, struct tk_diag *diag)
{
	return read_object(tee, false, id, id_len, out, out_cap, out_len, diag);
}

tk_err tk_tee_read_manifest(const struct tk_tee *tee, const uint8_t *id,
			    size_t id_len, uint8_t *out, size_t out_cap,
			    size_t *out_len, struct tk_diag *diag)
{
	return read_object(tee, true, id, id_len, out, out_cap, out_len, diag);
}

tk_err tk_tee_list_components(const struct tk_tee *tee, tk_tee_visit_fn visit,
			      void *visit_ctx, struct tk_diag *diag)
{
	if (visit == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "visit function is NULL");
	REQUIRE_HOOK(tee, list_components, diag);
	return tee->ops->list_components(tee->ctx, visit, visit_ctx, diag);
}

tk_err tk_tee_list_manifests(const struct tk_tee *tee, tk_tee_visit_fn visit,
			     void *visit_ctx, struct tk_diag *diag)
{
	if (visit == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "visit function is NULL");
	REQUIRE_HOOK(tee, list_manifests, diag);
	return tee->ops->list_manifests(tee->ctx, visit, visit_ctx, diag);
}

tk_err tk_tee_remove_component(const struct tk_tee *tee, const uint8_t *id,
			       size_t id_len, struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, remove_component, diag);
	return tee->ops->remove_component(tee->ctx, id, id_len, diag);
}

tk_err tk_tee_store_manifest(const struct tk_tee *tee, const uint8_t *id,
			     size_t id_len, const uint8_t *envelope,
			     size_t envelope_len, uint64_t sequence_number,
			     struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	if (envelope == NULL || envelope_len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "envelope is empty");
	if (envelope_len > TK_TEE_MAX_ENVELOPE_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "envelope is %zu bytes, maximum %u",
			       envelope_len, TK_TEE_MAX_ENVELOPE_SIZE);
	REQUIRE_HOOK(tee, store_manifest, diag);
	return tee->ops->store_manifest(tee->ctx, id, id_len, envelope,
					envelope_len, sequence_number, diag);
}

tk_err tk_tee_remove_manifest(const struct tk_tee *tee, const uint8_t *id,
			      size_t id_len, struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, remove_manifest, diag);
	return tee->ops->remove_manifest(tee->ctx, id, id_len, diag);
}

tk_err tk_tee_get_sequence_number(const struct tk_tee *tee, const uint8_t *id,
				  size_t id_len, uint64_t *out, bool *found,
				  struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL || found == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "sequence number output is NULL");
	*out = 0;
	*found = false;
	err = check_id(id, id_len, diag);
	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, get_sequence_number, diag);
	err = tee->ops->get_sequence_number(tee->ctx, id, id_len, out, found,
					    diag);
	if (err != TK_OK) {
		*out = 0;
		*found = false;
	}
	return err;
}

tk_err tk_tee_set_sequence_number(const struct tk_tee *tee, const uint8_t *id,
				  size_t id_len, uint64_t value,
				  struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, set_sequence_number, diag);
	return tee->ops->set_sequence_number(tee->ctx, id, id_len, value, diag);
}

tk_err tk_tee_load_component(const struct tk_tee *tee, const uint8_t *id,
			     size_t id_len,
			     const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
			     const struct tk_tee_invoke_ops *invoke,
			     struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	if (expected_digest == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "expected image digest is NULL");
	if (invoke != NULL && invoke->invoke == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "invoke hook table has no invoke hook");
	REQUIRE_HOOK(tee, load_component, diag);
	return tee->ops->load_component(tee->ctx, id, id_len, expected_digest,
					invoke, diag);
}

tk_err tk_tee_list_measurements(const struct tk_tee *tee,
				tk_tee_measurement_fn visit, void *visit_ctx,
				struct tk_diag *diag)
{
	if (visit == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "visit function is NULL");
	REQUIRE_HOOK(tee, list_measurements, diag);
	return tee->ops->list_measurements(tee->ctx, visit, visit_ctx, diag);
}

static tk_err check_nonce(const uint8_t *nonce, size_t nonce_len,
			  struct tk_tee_quote *out, struct tk_diag *diag)
{
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "quote output is NULL");
	memset(out, 0, sizeof(*out));
	if (nonce == NULL || nonce_len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "nonce is empty");
	if (nonce_len > TK_TEE_MAX_NONCE_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "nonce is %zu bytes, maximum %d", nonce_len,
			       TK_TEE_MAX_NONCE_LEN);
	return TK_OK;
}

tk_err tk_tee_quote(const struct tk_tee *tee, const uint8_t *nonce,
		    size_t nonce_len, struct tk_tee_quote *out,
		    struct tk_diag *diag)
{
	tk_err err = check_nonce(nonce, nonce_len, out, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, quote, diag);
	err = tee->ops->quote(tee->ctx, nonce, nonce_len, out, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_tee_certify_signing_key(const struct tk_tee *tee, const uint8_t *nonce,
				  size_t nonce_len, struct tk_tee_quote *out,
				  struct tk_diag *diag)
{
	tk_err err = check_nonce(nonce, nonce_len, out, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, certify_signing_key, diag);
	err = tee->ops->certify_signing_key(tee->ctx, nonce, nonce_len, out, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_tee_attestation_key_pem(const struct tk_tee *tee, char *out,
				  size_t out_cap, size_t *out_len,
				  struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	REQUIRE_HOOK(tee, attestation_key_pem, diag);
	err = tee->ops->attestation_key_pem(tee->ctx, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_endorsement_certificate(const struct tk_tee *tee, uint8_t *out,
				      size_t out_cap, size_t *out_len,
				      struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	REQUIRE_HOOK(tee, endorsement_certificate, diag);
	err = tee->ops->endorsement_certificate(tee->ctx, out, out_cap, out_len,
						diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_attestation_key_public(const struct tk_tee *tee, uint8_t *out,
				     size_t out_cap, size_t *out_len,
				     struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	REQUIRE_HOOK(tee, attestation_key_public, diag);
	err = tee->ops->attestation_key_public(tee->ctx, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_activate_credential(const struct tk_tee *tee, const uint8_t *id_object,
				  size_t id_object_len, const uint8_t *encrypted_secret,
				  size_t encrypted_secret_len, uint8_t *out,
				  size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	tk_err err = check_out(out, out_cap, out_len, diag);

	if (err != TK_OK)
		return err;
	*out_len = 0;
	if (id_object == NULL || id_object_len == 0 || encrypted_secret == NULL ||
	    encrypted_secret_len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "credential blob is empty");
	if (id_object_len > TK_TEE_MAX_CREDENTIAL_BLOB_LEN ||
	    encrypted_secret_len > TK_TEE_MAX_CREDENTIAL_BLOB_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "credential blob parts of %zu and %zu bytes, maximum %d",
			       id_object_len, encrypted_secret_len,
			       TK_TEE_MAX_CREDENTIAL_BLOB_LEN);
	REQUIRE_HOOK(tee, activate_credential, diag);
	err = tee->ops->activate_credential(tee->ctx, id_object, id_object_len,
					    encrypted_secret, encrypted_secret_len, out,
					    out_cap, out_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		*out_len = 0;
	}
	return err;
}

tk_err tk_tee_stage_begin(const struct tk_tee *tee, unsigned area, struct tk_diag *diag)
{
	if (area >= TK_TEE_MAX_STAGING_AREAS)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u, limit %d", area,
			       TK_TEE_MAX_STAGING_AREAS);
	REQUIRE_HOOK(tee, stage_begin, diag);
	return tee->ops->stage_begin(tee->ctx, area, diag);
}

tk_err tk_tee_stage_write(const struct tk_tee *tee, unsigned area, const uint8_t *chunk,
			  size_t len, struct tk_diag *diag)
{
	if (chunk == NULL && len > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "chunk is NULL");
	REQUIRE_HOOK(tee, stage_write, diag);
	return tee->ops->stage_write(tee->ctx, area, chunk, len, diag);
}

tk_err tk_tee_stage_read(const struct tk_tee *tee, unsigned area, tk_tee_write_fn write,
			 void *write_ctx, struct tk_diag *diag)
{
	if (write == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "write function is NULL");
	REQUIRE_HOOK(tee, stage_read, diag);
	return tee->ops->stage_read(tee->ctx, area, write, write_ctx, diag);
}

tk_err tk_tee_stage_commit(const struct tk_tee *tee, unsigned area, const uint8_t *id,
			   size_t id_len, uint64_t sequence_number, struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, stage_commit, diag);
	return tee->ops->stage_commit(tee->ctx, area, id, id_len, sequence_number, diag);
}

void tk_tee_stage_abort(const struct tk_tee *tee, unsigned area)
{
	if (tee != NULL && tee->ops != NULL && tee->ops->stage_abort != NULL)
		tee->ops->stage_abort(tee->ctx, area);
}

tk_err tk_tee_stream_component(const struct tk_tee *tee, const uint8_t *id, size_t id_len,
			       tk_tee_write_fn write, void *write_ctx, struct tk_diag *diag)
{
	tk_err err = check_id(id, id_len, diag);

	if (err != TK_OK)
		return err;
	if (write == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "write function is NULL");
	REQUIRE_HOOK(tee, stream_component, diag);
	return tee->ops->stream_component(tee->ctx, id, id_len, write, write_ctx, diag);
}

tk_err tk_tee_link(const struct tk_tee *tee, const uint8_t *holder, size_t holder_len,
		   const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	tk_err err = check_id(holder, holder_len, diag);

	if (err == TK_OK)
		err = check_id(target, target_len, diag);
	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, link, diag);
	return tee->ops->link(tee->ctx, holder, holder_len, target, target_len, diag);
}

tk_err tk_tee_unlink(const struct tk_tee *tee, const uint8_t *holder, size_t holder_len,
		     const uint8_t *target, size_t target_len, uint64_t *remaining,
		     struct tk_diag *diag)
{
	tk_err err;

	if (remaining == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "remaining count output is NULL");
	*remaining = 0;
	err = check_id(holder, holder_len, diag);
	if (err == TK_OK)
		err = check_id(target, target_len, diag);
	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, unlink, diag);
	return tee->ops->unlink(tee->ctx, holder, holder_len, target, target_len, remaining,
				diag);
}

tk_err tk_tee_references(const struct tk_tee *tee, const uint8_t *target, size_t target_len,
			 const uint8_t *holder, size_t holder_len, uint64_t *others,
			 struct tk_diag *diag)
{
	tk_err err;

	if (others == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "reference count output is NULL");
	*others = 0;
	err = check_id(target, target_len, diag);
	if (err == TK_OK)
		err = check_id(holder, holder_len, diag);
	if (err != TK_OK)
		return err;
	REQUIRE_HOOK(tee, references, diag);
	return tee->ops->references(tee->ctx, target, target_len, holder, holder_len, others,
				    diag);
}

void tk_tee_close(struct tk_tee *tee)
{
	if (tee == NULL)
		return;
	if (tee->ops != NULL && tee->ops->close != NULL)
		tee->ops->close(tee->ctx);
	tee->ops = NULL;
	tee->ctx = NULL;
}
