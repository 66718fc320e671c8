/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage and invoke hooks of the agent's SUIT platform (see tk_agent_platform.h).
 *
 * A backend with staged writes (the simulated and the TPM backends)
 * receives each image as it streams, so the agent keeps no buffer of the
 * image's size, and the backend makes it visible only on commit. A backend
 * without them (one that provides only install_component) gets a heap
 * buffer per staging area, bounded by the staging size, installed with one
 * atomic write on commit.
 *
 * Reference counts live in the backend. When the last reference to a
 * manifest is dropped, its stored envelope is authenticated again and its
 * uninstall procedure runs, which drops its references in turn; the depth
 * of that chain is bounded by TK_SUIT_MAX_NESTING.
 */
#include "agent/tk_agent_platform.h"

#include <stdlib.h>
#include <string.h>

#include "agent/tk_agent_auth.h"

static size_t staging_size(const struct tk_agent_tee *glue)
{
	return glue->staging_size != 0 ? glue->staging_size : TK_AGENT_DEFAULT_STAGING;
}

static bool tee_stages(const struct tk_agent_tee *glue)
{
	return glue->tee != NULL && glue->tee->ops != NULL && glue->tee->ops->stage_begin != NULL;
}

bool tk_agent_has_references(const struct tk_agent_tee *glue)
{
	const struct tk_tee_ops *ops = glue->tee != NULL ? glue->tee->ops : NULL;

	return ops != NULL && ops->link != NULL && ops->unlink != NULL && ops->references != NULL;
}

/* Adapter from the TEE's write callback to a SUIT sink. */
static tk_err sink_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	const struct tk_suit_sink *sink = ctx;

	return sink->write(sink->ctx, chunk, len, diag);
}

tk_err tk_agent_platform_read(void *ctx, const uint8_t *id, size_t id_len,
			      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_tee_object_info info;
	size_t len = 0;
	uint8_t *buf;
	tk_err err;

	if (glue->tee->ops->stream_component != NULL)
		return tk_tee_stream_component(glue->tee, id, id_len, sink_write, (void *)sink, diag);

	/* Without stream_component the image is read whole: at most the
	   staging size, as for the heap staging areas below. */
	err = tk_tee_component_info(glue->tee, id, id_len, &info, diag);
	if (err != TK_OK)
		return err;
	if (info.size > staging_size(glue))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "component of %llu bytes is over the %zu-byte staging size of a "
			       "backend without streamed reads",
			       (unsigned long long)info.size, staging_size(glue));
	buf = malloc(info.size > 0 ? (size_t)info.size : 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %llu bytes for a component",
			       (unsigned long long)info.size);
	err = tk_tee_read_component(glue->tee, id, id_len, buf, (size_t)info.size, &len, diag);
	if (err == TK_OK)
		err = sink->write(sink->ctx, buf, len, diag);
	tk_wipe(buf, (size_t)info.size);
	free(buf);
	return err;
}

/* Heap staging for a backend without staged writes. */

static struct tk_agent_stage *stage_area(struct tk_agent_tee *glue, unsigned area)
{
	return area < TK_SUIT_MAX_STAGING_AREAS ? &glue->stage[area] : NULL;
}

static void heap_abort(struct tk_agent_tee *glue, unsigned area)
{
	struct tk_agent_stage *st = stage_area(glue, area);

	if (st == NULL || st->buf == NULL)
		return;
	tk_wipe(st->buf, st->len);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

static tk_err heap_write(struct tk_agent_tee *glue, unsigned area, const uint8_t *chunk,
			 size_t len, struct tk_diag *diag)
{
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
		heap_abort(glue, area);
		st->buf = grown;
		st->cap = cap;
		st->len = kept;
	}
	memcpy(st->buf + st->len, chunk, len);
	st->len += len;
	return TK_OK;
}

tk_err tk_agent_platform_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	if (tee_stages(glue))
		return tk_tee_stage_begin(glue->tee, area, diag);
	if (stage_area(glue, area) == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	heap_abort(glue, area);
	return TK_OK;
}

tk_err tk_agent_platform_stage_write(void *ctx, unsigned area, const uint8_t *chunk,
				     size_t len, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	if (tee_stages(glue))
		return tk_tee_stage_write(glue->tee, area, chunk, len, diag);
	return heap_write(glue, area, chunk, len, diag);
}

tk_err tk_agent_platform_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
				    struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_stage *st = stage_area(glue, area);

	if (tee_stages(glue))
		return tk_tee_stage_read(glue->tee, area, sink_write, (void *)sink, diag);
	if (st == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	if (st->len == 0)
		return TK_OK;
	return sink->write(sink->ctx, st->buf, st->len, diag);
}

tk_err tk_agent_platform_stage_commit(void *ctx, unsigned area, const uint8_t *id,
				      size_t id_len, uint64_t sequence_number,
				      struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_agent_stage *st = stage_area(glue, area);
	tk_err err;

	if (tee_stages(glue))
		return tk_tee_stage_commit(glue->tee, area, id, id_len, sequence_number, diag);
	if (st == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u out of range", area);
	err = tk_tee_install_component(glue->tee, id, id_len, st->buf, st->len, sequence_number,
				       diag);
	heap_abort(glue, area);
	return err;
}

void tk_agent_platform_stage_abort(void *ctx, unsigned area)
{
	struct tk_agent_tee *glue = ctx;

	if (tee_stages(glue))
		tk_tee_stage_abort(glue->tee, area);
	else
		heap_abort(glue, area);
}

/* References. */

tk_err tk_agent_platform_link(void *ctx, const uint8_t *holder, size_t holder_len,
			      const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_link(glue->tee, holder, holder_len, target, target_len, diag);
}

tk_err tk_agent_platform_references(void *ctx, const uint8_t *target, size_t target_len,
				    const uint8_t *holder, size_t holder_len, uint64_t *others,
				    struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_references(glue->tee, target, target_len, holder, holder_len, others, diag);
}

tk_err tk_agent_platform_store_dependency(void *ctx, const uint8_t *id, size_t id_len,
					  const uint8_t *envelope, size_t envelope_len,
					  uint64_t sequence_number, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_tee_store_manifest(glue->tee, id, id_len, envelope, envelope_len,
				     sequence_number, diag);
}

tk_err tk_agent_platform_invoke(void *ctx, const uint8_t *id, size_t id_len,
				const uint8_t *args, size_t args_len,
				const struct tk_suit_digest *image_digest, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	(void)args;
	(void)args_len;
	if (image_digest == NULL)
		return TK_FAIL(diag, TK_ERR_POLICY, "the manifest sets no image digest for the "
			       "invoked component, so its image cannot be checked");
	if (image_digest->alg != TK_SUIT_ALG_SHA256 || image_digest->bytes.len != TK_TEE_DIGEST_LEN)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "image digest with algorithm %lld and %zu bytes, expected SHA-256",
			       (long long)image_digest->alg, image_digest->bytes.len);
	return tk_tee_load_component(glue->tee, id, id_len, image_digest->bytes.ptr, glue->runner,
				     diag);
}

tk_err tk_agent_platform_authenticate(void *ctx, const struct tk_suit_envelope *env,
				      struct tk_suit_manifest *out, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;

	return tk_agent_authenticate(glue->tee, glue->crypto, glue->trust_anchors,
				     glue->n_trust_anchors, env, out, diag);
}

tk_err tk_agent_process_opts(struct tk_agent_tee *glue, struct tk_suit_platform_ops *ops,
			     struct tk_suit_process_opts *opts, struct tk_diag *diag)
{
	memset(opts, 0, sizeof(*opts));
	*ops = tk_agent_suit_platform(glue);
	opts->ops = ops;
	opts->crypto = glue->crypto;
	opts->log = glue->log;
	opts->trust_anchors = glue->trust_anchors;
	opts->trust_anchor_count = glue->n_trust_anchors;
	/* Without reference counts the processor refuses dependencies
	 * before fetching one, so it needs no buffer for their envelopes. */
	if (!tk_agent_has_references(glue))
		return TK_OK;
	opts->work = malloc(TK_AGENT_DEPENDENCY_BUFFER);
	if (opts->work == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %u bytes for dependencies",
			       TK_AGENT_DEPENDENCY_BUFFER);
	opts->work_cap = TK_AGENT_DEPENDENCY_BUFFER;
	return TK_OK;
}

void tk_agent_process_opts_free(struct tk_suit_process_opts *opts)
{
	free(opts->work);
	opts->work = NULL;
	opts->work_cap = 0;
}

/* True when the manifest has a command sequence for `section`. */
static bool has_section(const struct tk_suit_manifest *m, enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++)
		if (m->sections[i].section == section)
			return true;
	return false;
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
	if (info.size > TK_TEE_MAX_ENVELOPE_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "stored manifest of %llu bytes exceeds %u",
			       (unsigned long long)info.size, TK_TEE_MAX_ENVELOPE_SIZE);
	buf = malloc(info.size > 0 ? (size_t)info.size : 1);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %llu bytes for a manifest",
			       (unsigned long long)info.size);
	err = tk_tee_read_manifest(glue->tee, id, id_len, buf, (size_t)info.size, out_len, diag);
	if (err != TK_OK) {
		free(buf);
		*out_len = 0;
		return err;
	}
	*out = buf;
	return TK_OK;
}

/* Remove the component images a manifest without uninstall section
 * names, through their references when the backend counts them. */
static tk_err remove_components(struct tk_agent_tee *glue, const struct tk_suit_manifest *m,
				const uint8_t *id, size_t id_len, struct tk_diag *diag)
{
	tk_err err = TK_OK;

	for (size_t i = 0; i < m->component_count && err == TK_OK; i++) {
		struct tk_span c = m->components[i];
		uint64_t remaining = 0;

		if (tk_agent_has_references(glue))
			err = tk_tee_unlink(glue->tee, id, id_len, c.ptr, c.len, &remaining, diag);
		else
			err = tk_tee_remove_component(glue->tee, c.ptr, c.len, diag);
		if (err == TK_ERR_NOT_FOUND) {
			tk_diag_clear(diag);
			err = TK_OK;
		}
	}
	return err;
}

/* Run the uninstall of the stored manifest `id` and remove its envelope. */
static tk_err uninstall_stored(struct tk_agent_tee *glue, const uint8_t *id, size_t id_len,
			       struct tk_diag *diag)
{
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
		err = tk_agent_process_opts(glue, &ops, &opts, diag);
	if (err == TK_OK && has_section(&manifest, TK_SUIT_SECTION_UNINSTALL))
		err = tk_suit_process(&manifest, TK_SUIT_PROCEDURE_UNINSTALL, &opts, diag);
	else if (err == TK_OK)
		err = remove_components(glue, &manifest, id, id_len, diag);
	if (err == TK_OK)
		err = tk_tee_remove_manifest(glue->tee, id, id_len, diag);
	tk_agent_process_opts_free(&opts);
	free(buf);
	return err;
}

tk_err tk_agent_uninstall_manifest(struct tk_agent_tee *glue, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag)
{
	uint64_t remaining = 0;
	tk_err err = TK_OK;

	if (tk_agent_has_references(glue))
		err = tk_tee_unlink(glue->tee, id, id_len, id, id_len, &remaining, diag);
	if (err != TK_OK)
		return err;
	if (remaining > 0) {
		tk_log(glue->log, TK_LOG_INFO, "agent",
		       "manifest kept: %llu other manifests depend on it",
		       (unsigned long long)remaining);
		return TK_OK;
	}
	if (glue->uninstall_depth >= TK_SUIT_MAX_NESTING)
		return TK_FAIL(diag, TK_ERR_LIMIT_DEPTH,
			       "uninstall chain deeper than %d manifests", TK_SUIT_MAX_NESTING);
	glue->uninstall_depth++;
	err = uninstall_stored(glue, id, id_len, diag);
	glue->uninstall_depth--;
	return err;
}

/*
 * Unlink hook: drop the reference. When a manifest (one with a stored
 * envelope) loses its last reference, its own uninstall runs. The backend
 * has already removed a component image that lost its last one.
 */
tk_err tk_agent_platform_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
				const uint8_t *target, size_t target_len, uint64_t *remaining,
				struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	struct tk_tee_object_info info;
	struct tk_diag probe;
	tk_err err;

	*remaining = 0;
	if (!tk_agent_has_references(glue)) {
		/* Nothing is shared without counts: remove the component. */
		err = tk_tee_remove_component(glue->tee, target, target_len, diag);
		if (err == TK_ERR_NOT_FOUND) {
			tk_diag_clear(diag);
			err = TK_OK;
		}
		return err;
	}
	err = tk_tee_unlink(glue->tee, holder, holder_len, target, target_len, remaining, diag);
	if (err != TK_OK || *remaining > 0)
		return err;
	/* A manifest whose component id equals its manifest component id (as
	 * `teep manifest` builds them) unlinks its own id. Its uninstall is the
	 * one running, so starting it again would recurse to the depth limit. */
	if (holder_len == target_len && memcmp(holder, target, target_len) == 0)
		return TK_OK;

	tk_diag_clear(&probe);
	if (tk_tee_manifest_info(glue->tee, target, target_len, &info, &probe) != TK_OK)
		return TK_OK; /* a component, or a manifest never stored */
	if (glue->uninstall_depth >= TK_SUIT_MAX_NESTING)
		return TK_FAIL(diag, TK_ERR_LIMIT_DEPTH,
			       "uninstall chain deeper than %d manifests", TK_SUIT_MAX_NESTING);
	glue->uninstall_depth++;
	err = uninstall_stored(glue, target, target_len, diag);
	glue->uninstall_depth--;
	return err;
}
