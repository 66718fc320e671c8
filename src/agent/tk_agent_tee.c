/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent hooks on a TEE backend and the SUIT processor (see tk_agent_tee.h).
 *
 * Installing a manifest runs the SUIT update procedure with the backend as
 * the SUIT platform: the processor stages every image in a heap buffer and
 * calls the store hook only after the whole procedure succeeded, so a
 * manifest that fails leaves the TEE store unchanged. The envelope itself
 * is stored last, under its manifest component id, so a later unlink can
 * authenticate it again and run its uninstall section.
 */
#include "agent/tk_agent_tee.h"

#include <stdlib.h>
#include <string.h>

#include "agent/tk_agent_auth.h"
#include "agent/tk_agent_fetch.h"
#include "agent/tk_agent_report.h"
#include "cose/tk_cose.h"

static size_t staging_size(const struct tk_agent_tee *glue)
{
	return glue->staging_size != 0 ? glue->staging_size : TK_AGENT_DEFAULT_STAGING;
}

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

/* True when the manifest has a command sequence for `section`. */
static bool has_section(const struct tk_suit_manifest *m, enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++)
		if (m->sections[i].section == section)
			return true;
	return false;
}

static tk_err process_opts(struct tk_agent_tee *glue, struct tk_suit_platform_ops *ops,
			   struct tk_suit_process_opts *opts, struct tk_diag *diag)
{
	(void)diag;
	memset(opts, 0, sizeof(*opts));
	*ops = tk_agent_suit_platform(glue);
	opts->ops = ops;
	opts->crypto = glue->crypto;
	opts->log = glue->log;
	opts->trust_anchors = glue->trust_anchors;
	opts->trust_anchor_count = glue->n_trust_anchors;
	/* The agent has no link hook, so manifests with dependencies fail
	 * before any dependency envelope is fetched: no work buffer. */
	opts->work = NULL;
	opts->work_cap = 0;
	return TK_OK;
}

/* Read the stored envelope of manifest `id` into a new buffer. */
static tk_err read_envelope(struct tk_agent_tee *glue, const uint8_t *id, size_t id_len,
			    uint8_t **out, size_t *out_len, struct tk_diag *diag)
{
	struct tk_tee_object_info info;
	uint8_t *buf;
	tk_err err;

	*out = NULL;
	*out_len = 0;
	err = tk_tee_manifest_info(glue->tee, id, id_len, &info, diag);
	if (err != TK_OK)
		return err;
	buf = malloc(info.size > 0 ? info.size : 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %llu bytes for a manifest",
			       (unsigned long long)info.size);
	err = tk_tee_read_manifest(glue->tee, id, id_len, buf, info.size, out_len, diag);
	if (err != TK_OK) {
		free(buf);
		*out_len = 0;
		return err;
	}
	*out = buf;
	return TK_OK;
}

/*
 * Unlink a manifest: authenticate its stored envelope again, run its
 * uninstall section (draft-ietf-suit-trust-domains section 7), or without
 * one remove the components it names, then remove the envelope. The
 * sequence number stays, so the manifest cannot be rolled back later.
 */
static tk_err glue_unlink_manifest(void *ctx, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_suit_platform_ops ops;
	struct tk_suit_process_opts opts = {0};
	struct tk_suit_envelope env;
	struct tk_suit_manifest manifest;
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err;

	err = read_envelope(glue, id, id_len, &buf, &len, diag);
	if (err == TK_OK)
		err = tk_suit_decode_envelope(buf, len, &env, diag);
	if (err == TK_OK)
		err = tk_agent_authenticate(glue->tee, glue->crypto, glue->trust_anchors,
					    glue->n_trust_anchors, &env, &manifest, diag);
	if (err == TK_OK)
		err = process_opts(glue, &ops, &opts, diag);
	if (err == TK_OK && has_section(&manifest, TK_SUIT_SECTION_UNINSTALL)) {
		err = tk_suit_process(&manifest, TK_SUIT_PROCEDURE_UNINSTALL, &opts, diag);
	} else if (err == TK_OK) {
		for (size_t i = 0; i < manifest.component_count && err == TK_OK; i++) {
			err = tk_tee_remove_component(glue->tee, manifest.components[i].ptr,
						      manifest.components[i].len, diag);
			if (err == TK_ERR_NOT_FOUND) {
				tk_diag_clear(diag);
				err = TK_OK;
			}
		}
	}
	if (err == TK_OK)
		err = tk_tee_remove_manifest(glue->tee, id, id_len, diag);
	free(opts.work);
	free(buf);
	return err;
}

static tk_err glue_process_manifest(void *ctx, const uint8_t *envelope, size_t envelope_len,
				    struct tk_teep_agent_manifest_name *name,
				    struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_suit_platform_ops ops;
	struct tk_suit_process_opts opts;
	struct tk_suit_envelope env;
	struct tk_suit_manifest manifest;
	char id_hex[2 * TK_TEE_MAX_ID_LEN + 4];
	tk_err err;

	err = process_opts(glue, &ops, &opts, diag);
	if (err != TK_OK)
		return err;

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
	free(opts.work);
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

static tk_err platform_read(void *ctx, const uint8_t *id, size_t id_len,
			    const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_tee_object_info info;
	size_t len = 0;
	uint8_t *buf;
	tk_err err;

	err = tk_tee_component_info(glue->tee, id, id_len, &info, diag);
	if (err != TK_OK)
		return err;
	buf = malloc(info.size > 0 ? info.size : 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %llu bytes for a component",
			       (unsigned long long)info.size);
	err = tk_tee_read_component(glue->tee, id, id_len, buf, info.size, &len, diag);
	if (err == TK_OK)
		err = sink->write(sink->ctx, buf, len, diag);
	free(buf);
	return err;
}

/*
 * Staging areas. NOTE: the simulated TEE has no staged-write interface
 * yet, so an area is a heap buffer bounded by the staging size and the
 * commit installs it with one atomic write. Moving the areas into TEE
 * storage would make memory independent of the image size.
 */
static struct tk_agent_stage *stage_area(struct tk_agent_tee *glue, unsigned area)
{
	return area < TK_SUIT_MAX_STAGING_AREAS ? &glue->stage[area] : NULL;
}

static void platform_stage_abort(void *ctx, unsigned area)
{
	struct tk_agent_stage *st = stage_area(ctx, area);

	if (st == NULL || st->buf == NULL)
		return;
	tk_wipe(st->buf, st->len);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

static tk_err platform_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	if (stage_area(ctx, area) == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	platform_stage_abort(ctx, area);
	return TK_OK;
}

static tk_err platform_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
				   struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_stage *st = stage_area(glue, area);
	size_t limit = staging_size(glue);
	uint8_t *grown;
	size_t cap, kept;

	if (st == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	if (len > limit - st->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "staged image exceeds %zu bytes", limit);
	if (st->len + len > st->cap) {
		cap = st->cap == 0 ? 4096 : st->cap;
		while (cap < st->len + len)
			cap = cap > limit / 2 ? limit : cap * 2;
		grown = malloc(cap);
		if (grown == NULL)
			return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes of staging", cap);
		kept = st->len;
		if (kept > 0)
			memcpy(grown, st->buf, kept);
		/* Abort wipes and frees the old buffer and zeroes the area. */
		platform_stage_abort(ctx, area);
		st->buf = grown;
		st->cap = cap;
		st->len = kept;
	}
	memcpy(st->buf + st->len, chunk, len);
	st->len += len;
	return TK_OK;
}

static tk_err platform_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
				  struct tk_diag *diag)
{
	struct tk_agent_stage *st = stage_area(ctx, area);

	if (st == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	if (st->len == 0)
		return TK_OK;
	return sink->write(sink->ctx, st->buf, st->len, diag);
}

static tk_err platform_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
				    uint64_t sequence_number, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_stage *st = stage_area(glue, area);
	tk_err err;

	if (st == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	err = tk_tee_install_component(glue->tee, id, id_len, st->buf, st->len, sequence_number,
				       diag);
	platform_stage_abort(ctx, area);
	return err;
}

/*
 * Without reference counts in the TEE, unlinking removes the component:
 * the agent installs no dependencies (it has no link hook), so no other
 * manifest can share it.
 */
static tk_err platform_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
			      const uint8_t *id, size_t id_len, uint64_t *remaining,
			      struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	tk_err err;

	(void)holder;
	(void)holder_len;
	*remaining = 0;
	err = tk_tee_remove_component(glue->tee, id, id_len, diag);
	if (err == TK_ERR_NOT_FOUND) {
		tk_diag_clear(diag);
		err = TK_OK;
	}
	return err;
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
		.read = platform_read,
		.stage_begin = platform_stage_begin,
		.stage_write = platform_stage_write,
		.stage_read = platform_stage_read,
		.stage_commit = platform_stage_commit,
		.stage_abort = platform_stage_abort,
		.unlink = platform_unlink,
		.get_sequence_number = platform_get_sequence,
		.set_sequence_number = platform_set_sequence,
		.report = glue->report != NULL ? tk_agent_report_record : NULL,
		.unwrap_cek = platform_unwrap_cek,
		.ctx = glue,
	};

	return ops;
}
