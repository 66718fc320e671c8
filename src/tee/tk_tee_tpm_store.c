/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage hooks of the TPM backend. A TPM stores no components, so each
 * hook forwards to the simulated backend the TPM backend opened
 * storage-only in the same state directory: both backends store
 * components, manifests, sequence numbers and the UEID with one piece of
 * code, and a change to the simulator's store applies to both.
 */
#include "tee/tk_tee_tpm_impl.h"

static tk_err tpm_ueid(void *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
		       struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_ueid(&tpm->store, out, out_cap, out_len, diag);
}

static tk_err tpm_install_component(void *ctx, const uint8_t *id, size_t id_len,
				    const uint8_t *image, size_t image_len,
				    uint64_t sequence_number, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_install_component(&tpm->store, id, id_len, image, image_len,
					sequence_number, diag);
}

static tk_err tpm_component_info(void *ctx, const uint8_t *id, size_t id_len,
				 struct tk_tee_object_info *out, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_component_info(&tpm->store, id, id_len, out, diag);
}

static tk_err tpm_read_component(void *ctx, const uint8_t *id, size_t id_len,
				 uint8_t *out, size_t out_cap, size_t *out_len,
				 struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_read_component(&tpm->store, id, id_len, out, out_cap, out_len,
				     diag);
}

static tk_err tpm_list_components(void *ctx, tk_tee_visit_fn visit,
				  void *visit_ctx, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_list_components(&tpm->store, visit, visit_ctx, diag);
}

static tk_err tpm_remove_component(void *ctx, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_remove_component(&tpm->store, id, id_len, diag);
}

static tk_err tpm_store_manifest(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t *envelope, size_t envelope_len,
				 uint64_t sequence_number, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_store_manifest(&tpm->store, id, id_len, envelope, envelope_len,
				     sequence_number, diag);
}

static tk_err tpm_manifest_info(void *ctx, const uint8_t *id, size_t id_len,
				struct tk_tee_object_info *out, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_manifest_info(&tpm->store, id, id_len, out, diag);
}

static tk_err tpm_read_manifest(void *ctx, const uint8_t *id, size_t id_len,
				uint8_t *out, size_t out_cap, size_t *out_len,
				struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_read_manifest(&tpm->store, id, id_len, out, out_cap, out_len,
				    diag);
}

static tk_err tpm_list_manifests(void *ctx, tk_tee_visit_fn visit,
				 void *visit_ctx, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_list_manifests(&tpm->store, visit, visit_ctx, diag);
}

static tk_err tpm_remove_manifest(void *ctx, const uint8_t *id, size_t id_len,
				  struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_remove_manifest(&tpm->store, id, id_len, diag);
}

static tk_err tpm_get_sequence_number(void *ctx, const uint8_t *id, size_t id_len,
				      uint64_t *out, bool *found,
				      struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_get_sequence_number(&tpm->store, id, id_len, out, found, diag);
}

static tk_err tpm_set_sequence_number(void *ctx, const uint8_t *id, size_t id_len,
				      uint64_t value, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_set_sequence_number(&tpm->store, id, id_len, value, diag);
}

static tk_err tpm_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_stage_begin(&tpm->store, area, diag);
}

static tk_err tpm_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			      struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_stage_write(&tpm->store, area, chunk, len, diag);
}

static tk_err tpm_stage_read(void *ctx, unsigned area, tk_tee_write_fn write,
			     void *write_ctx, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_stage_read(&tpm->store, area, write, write_ctx, diag);
}

static tk_err tpm_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			       uint64_t sequence_number, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_stage_commit(&tpm->store, area, id, id_len, sequence_number, diag);
}

static void tpm_stage_abort(void *ctx, unsigned area)
{
	const struct tpm *tpm = ctx;

	tk_tee_stage_abort(&tpm->store, area);
}

static tk_err tpm_stream_component(void *ctx, const uint8_t *id, size_t id_len,
				   tk_tee_write_fn write, void *write_ctx,
				   struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_stream_component(&tpm->store, id, id_len, write, write_ctx, diag);
}

static tk_err tpm_link(void *ctx, const uint8_t *holder, size_t holder_len,
		       const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_link(&tpm->store, holder, holder_len, target, target_len, diag);
}

static tk_err tpm_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
			 const uint8_t *target, size_t target_len, uint64_t *remaining,
			 struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_unlink(&tpm->store, holder, holder_len, target, target_len, remaining,
			     diag);
}

static tk_err tpm_references(void *ctx, const uint8_t *target, size_t target_len,
			     const uint8_t *holder, size_t holder_len, uint64_t *others,
			     struct tk_diag *diag)
{
	const struct tpm *tpm = ctx;

	return tk_tee_references(&tpm->store, target, target_len, holder, holder_len, others,
				 diag);
}

void tpm_store_hooks(struct tk_tee_ops *ops)
{
	ops->ueid = tpm_ueid;
	ops->install_component = tpm_install_component;
	ops->component_info = tpm_component_info;
	ops->read_component = tpm_read_component;
	ops->list_components = tpm_list_components;
	ops->remove_component = tpm_remove_component;
	ops->store_manifest = tpm_store_manifest;
	ops->manifest_info = tpm_manifest_info;
	ops->read_manifest = tpm_read_manifest;
	ops->list_manifests = tpm_list_manifests;
	ops->remove_manifest = tpm_remove_manifest;
	ops->get_sequence_number = tpm_get_sequence_number;
	ops->set_sequence_number = tpm_set_sequence_number;
	ops->stage_begin = tpm_stage_begin;
	ops->stage_write = tpm_stage_write;
	ops->stage_read = tpm_stage_read;
	ops->stage_commit = tpm_stage_commit;
	ops->stage_abort = tpm_stage_abort;
	ops->stream_component = tpm_stream_component;
	ops->link = tpm_link;
	ops->unlink = tpm_unlink;
	ops->references = tpm_references;
}
