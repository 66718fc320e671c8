/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent hooks on a TEE backend and the SUIT processor (see tk_agent_tee.h).
 *
 * Installing a manifest runs the SUIT update procedure with the backend as
 * the SUIT platform: images stream into staging areas that the backend
 * commits only after the whole procedure succeeded (tk_agent_platform.c),
 * so a manifest that fails leaves the TEE store unchanged. The envelope
 * itself is stored last, under its manifest component id, so a later
 * unlink can authenticate it again and run its uninstall section.
 */
#include "agent/tk_agent_tee.h"

#include <stdlib.h>
#include <string.h>

#include "agent/tk_agent_auth.h"
#include "agent/tk_agent_fetch.h"
#include "agent/tk_agent_platform.h"
#include "agent/tk_agent_report.h"
#include "cose/tk_cose.h"

/* Agent state machine hooks. */

static tk_err glue_signing_key(void *ctx, const struct tk_crypto_key **key, int64_t *alg,
			       struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_tee_key_info info;
	tk_err err;

	err = tk_tee_key_info(glue->tee, &info, diag);
	if (err == TK_OK)
		err = tk_tee_signing_key(glue->tee, key, diag);
	if (err != TK_OK) {
		*key = NULL;
		return err;
	}
	*alg = info.alg;
	return TK_OK;
}

static tk_err glue_ueid(void *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
			struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_ueid(glue->tee, out, out_cap, out_len, diag);
}

struct list_walk {
	tk_teep_agent_visit_fn visit;
	void *visit_ctx;
};

static tk_err visit_object(void *ctx, const struct tk_tee_object_info *info)
{
	struct list_walk *walk = ctx;
	struct tk_teep_agent_component c;

	c.id = tk_span_make(info->id, info->id_len);
	c.sequence_number = info->sequence_number;
	memcpy(c.digest, info->digest, sizeof(c.digest));
	return walk->visit(walk->visit_ctx, &c);
}

static tk_err glue_list_components(void *ctx, tk_teep_agent_visit_fn visit, void *visit_ctx,
				   struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct list_walk walk = {visit, visit_ctx};

	return tk_tee_list_components(glue->tee, visit_object, &walk, diag);
}

/* Unlink a manifest (unneeded-manifest-list): see tk_agent_uninstall_manifest(). */
static tk_err glue_unlink_manifest(void *ctx, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag)
{
	return tk_agent_uninstall_manifest(ctx, id, id_len, diag);
}

static tk_err glue_process_manifest(void *ctx, const uint8_t *envelope, size_t envelope_len,
				    struct tk_teep_agent_manifest_name *name,
				    struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_suit_platform_ops ops;
	struct tk_suit_process_opts opts = {0};
	struct tk_suit_envelope env;
	struct tk_suit_manifest manifest;
	char id_hex[2 * TK_TEE_MAX_ID_LEN + 4];
	tk_err err;

	err = tk_agent_process_opts(glue, &ops, &opts, diag);
	if (err != TK_OK) {
		tk_agent_process_opts_free(&opts);
		return err;
	}

	/* The steps of tk_suit_process_envelope(), so a failure after
	   authentication can name the manifest. */
	tk_agent_report_begin(glue->report);
	err = tk_suit_decode_envelope(envelope, envelope_len, &env, diag);
	if (err == TK_OK)
		err = tk_agent_authenticate(glue->tee, opts.crypto, glue->trust_anchors,
					    glue->n_trust_anchors, &env, &manifest, diag);
	if (err == TK_OK) {
		name->known = true;
		name->id = manifest.manifest_component_id;
		name->sequence_number = manifest.sequence_number;
		/* TEEP names trusted components by manifest component id. */
		if (manifest.manifest_component_id.len == 0)
			err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
				      "manifest has no manifest component id (key 5)");
	}
	if (err == TK_OK)
		err = tk_suit_process(&manifest, TK_SUIT_PROCEDURE_UPDATE, &opts, diag);
	tk_agent_process_opts_free(&opts);
	tk_agent_report_end(glue->report, envelope, envelope_len, &env,
			    name->known ? &manifest : NULL, err);
	if (err != TK_OK)
		return err;

	/*
	 * The manifest component id was checked above.
	 * NOTE: the components and sequence number are already stored here. A
	 * failure to store the envelope leaves them installed without it, and a
	 * later unlink then reports TK_ERR_NOT_FOUND. A TEE transaction over
	 * both would close this gap.
	 */
	err = tk_tee_store_manifest(glue->tee, manifest.manifest_component_id.ptr,
				    manifest.manifest_component_id.len, envelope, envelope_len,
				    manifest.sequence_number, diag);
	if (err != TK_OK)
		return err;
	tk_log_id_prefix(manifest.manifest_component_id.ptr, manifest.manifest_component_id.len,
			 TK_TEE_MAX_ID_LEN, id_hex, sizeof(id_hex));
	tk_log(glue->log, TK_LOG_INFO, "agent",
	       "installed manifest %s sequence number %llu", id_hex,
	       (unsigned long long)manifest.sequence_number);
	return TK_OK;
}

struct tk_teep_agent_tee_ops tk_agent_tee_ops(struct tk_agent_tee *glue)
{
	struct tk_teep_agent_tee_ops ops = {
		.signing_key = glue_signing_key,
		.ueid = glue_ueid,
		.list_components = glue_list_components,
		.unlink_manifest = glue_unlink_manifest,
		.process_manifest = glue_process_manifest,
		.suit_report = glue->report != NULL ? tk_agent_report_write : NULL,
		.ctx = glue,
	};

	return ops;
}

/* SUIT platform hooks. */

/* The body streams into the sink; no buffer of the payload's size. */
static tk_err platform_fetch(void *ctx, const char *uri, uint64_t max_size,
			     const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_agent_fetch(&glue->fetch, uri, max_size, sink, glue->log, diag);
}

static tk_err platform_check_identifier(void *ctx, enum tk_suit_identifier which,
					const uint8_t *id, size_t id_len,
					const uint8_t *value, size_t value_len, bool *match,
					struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	const uint8_t *own = NULL;

	(void)id;
	(void)id_len;
	(void)diag;
	if (which == TK_SUIT_ID_VENDOR && glue->has_vendor_id)
		own = glue->vendor_id;
	else if (which == TK_SUIT_ID_CLASS && glue->has_class_id)
		own = glue->class_id;
	/* No identifier of this kind (the device identifier included): no match. */
	*match = own != NULL && value_len == TK_AGENT_UUID_LEN &&
		 memcmp(own, value, TK_AGENT_UUID_LEN) == 0;
	return TK_OK;
}

static tk_err platform_get_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t *out,
				    bool *found, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_get_sequence_number(glue->tee, id, id_len, out, found, diag);
}

static tk_err platform_set_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t value,
				    struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_set_sequence_number(glue->tee, id, id_len, value, diag);
}

/* The CEK of an encrypted payload is unwrapped inside the TEE. */
static tk_err platform_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient,
				  uint8_t *cek, size_t cek_cap, size_t *cek_len,
				  struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_unwrap_cek(glue->tee, recipient, cek, cek_cap, cek_len, diag);
}

struct tk_suit_platform_ops tk_agent_suit_platform(struct tk_agent_tee *glue)
{
	struct tk_suit_platform_ops ops = {
		.fetch = platform_fetch,
		.check_identifier = platform_check_identifier,
		.read = tk_agent_platform_read,
		.stage_begin = tk_agent_platform_stage_begin,
		.stage_write = tk_agent_platform_stage_write,
		.stage_read = tk_agent_platform_stage_read,
		.stage_commit = tk_agent_platform_stage_commit,
		.stage_abort = tk_agent_platform_stage_abort,
		.invoke = tk_agent_platform_invoke,
		.unlink = tk_agent_platform_unlink,
		.authenticate = tk_agent_platform_authenticate,
		.get_sequence_number = platform_get_sequence,
		.set_sequence_number = platform_set_sequence,
		.report = glue->report != NULL ? tk_agent_report_record : NULL,
		.unwrap_cek = platform_unwrap_cek,
		.ctx = glue,
	};

	/* Without reference counts in the backend the processor refuses
	 * dependencies and does not check for shared components. */
	if (tk_agent_has_references(glue)) {
		ops.link = tk_agent_platform_link;
		ops.references = tk_agent_platform_references;
		ops.store_dependency = tk_agent_platform_store_dependency;
	}
	return ops;
}
