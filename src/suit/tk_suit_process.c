/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SUIT manifest processor (draft-ietf-suit-manifest-37 section 6,
 * draft-ietf-suit-trust-domains-11 sections 3 to 7): the procedures
 * (update, invocation, uninstall), the anti-rollback check, and the commit
 * that makes an update visible only once every section succeeded.
 *
 * Command sequences and their control flow are in tk_suit_sequence.c,
 * parameters in tk_suit_parameters.c, conditions in tk_suit_commands.c,
 * directives in tk_suit_directives.c and dependencies in
 * tk_suit_dependency.c. The processor reaches the device only through
 * struct tk_suit_platform_ops and keeps its whole state in one struct on
 * the stack.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "suit/tk_suit_process_impl.h"

/*
 * Bytes of a component id shown in log lines; a longer id is cut with
 * "...". A TEEP component id is about 42 bytes, so it shows whole.
 */
#define LOG_COMPONENT_ID_BYTES 64

/* Sections of the update procedure, in the order of trust-domains-11
 * section 3 (dependency resolution before any payload fetch). */
static const enum tk_suit_section update_sections[] = {
	TK_SUIT_SECTION_DEPENDENCY_RESOLUTION, TK_SUIT_SECTION_PAYLOAD_FETCH,
	TK_SUIT_SECTION_CANDIDATE_VERIFICATION, TK_SUIT_SECTION_INSTALL,
	TK_SUIT_SECTION_VALIDATE,
};

/* Sections of the invocation procedure (manifest-37 section 8.4.6). */
static const enum tk_suit_section invoke_sections[] = {
	TK_SUIT_SECTION_VALIDATE, TK_SUIT_SECTION_LOAD, TK_SUIT_SECTION_INVOKE,
};

/* The id that keys the anti-rollback check of the root manifest. */
static struct tk_span rollback_key(const struct tk_suit_manifest *m)
{
	if (m->manifest_component_id.len > 0)
		return m->manifest_component_id;
	return m->components_encoded;
}

/* Anti-rollback (manifest-37 sections 6.1 and 8.4.2). */
static tk_err check_rollback(struct tk_suit_processor *p)
{
	const struct tk_suit_manifest *m = p->frames[0].m;
	struct tk_span id = rollback_key(m);
	uint64_t stored = 0;
	bool found = false;
	tk_err err;

	err = tk_suit_need_hook(p, (const void *)p->ops->get_sequence_number,
				"get_sequence_number");
	if (err == TK_OK)
		err = p->ops->get_sequence_number(p->ops->ctx, id.ptr, id.len, &stored, &found,
						  p->diag);
	if (err == TK_OK && found && m->sequence_number <= stored)
		err = TK_FAIL(p->diag, TK_ERR_ROLLBACK,
			      "manifest sequence number %llu is not higher than the installed %llu",
			      (unsigned long long)m->sequence_number, (unsigned long long)stored);
	return err;
}

static void log_commit(struct tk_suit_processor *p, struct tk_span id,
		       const struct tk_suit_component *c, uint64_t sequence_number)
{
	char id_hex[2 * LOG_COMPONENT_ID_BYTES + 4];

	tk_log_id_prefix(id.ptr, id.len, LOG_COMPONENT_ID_BYTES, id_hex, sizeof(id_hex));
	tk_log(p->opts->log, TK_LOG_INFO, "suit",
	       "stored component %s (%llu bytes) of manifest sequence number %llu", id_hex,
	       (unsigned long long)c->size, (unsigned long long)sequence_number);
}

/*
 * Before committing anything: every staged image is verified, and no
 * component another manifest references would be overwritten. A fetched
 * image that no condition checked is never installed: the manifest draft
 * leaves image-match to the author, but installing bytes that neither the
 * signature nor a digest covers would let the server choose the component.
 */
static tk_err check_commit(struct tk_suit_processor *p)
{
	for (size_t k = 0; k < p->frame_count; k++) {
		const struct tk_suit_frame *f = &p->frames[k];

		for (size_t i = 0; i < f->slot_count; i++) {
			struct tk_span id = tk_suit_component_id(f, i);
			uint64_t others = 0;
			tk_err err;

			if (f->comps[i].area < 0)
				continue;
			if (!f->comps[i].verified)
				return TK_FAIL(p->diag, TK_ERR_POLICY,
					       "component index %zu was fetched but not checked "
					       "with image-match or check-content", i);
			if (p->ops->references == NULL)
				continue;
			err = p->ops->references(p->ops->ctx, id.ptr, id.len, f->holder.ptr,
						 f->holder.len, &others, p->diag);
			if (err == TK_OK && others > 0)
				err = TK_FAIL(p->diag, TK_ERR_POLICY,
					      "component index %zu is referenced by another "
					      "manifest", i);
			if (err != TK_OK)
				return err;
		}
	}
	return TK_OK;
}

/* Commit the staged images of frame f and link them to its holder. */
static tk_err commit_frame(struct tk_suit_processor *p, struct tk_suit_frame *f)
{
	tk_err err = TK_OK;

	for (size_t i = 0; err == TK_OK && i < f->slot_count; i++) {
		struct tk_suit_component *c = &f->comps[i];
		struct tk_span id = tk_suit_component_id(f, i);

		if (c->area < 0)
			continue;
		err = p->ops->stage_commit(p->ops->ctx, (unsigned)c->area, id.ptr, id.len,
					   f->m->sequence_number, p->diag);
		p->areas_used &= ~(UINT32_C(1) << c->area);
		p->areas_begun &= ~(UINT32_C(1) << c->area);
		c->area = -1;
		if (err == TK_OK && p->ops->link != NULL)
			err = p->ops->link(p->ops->ctx, f->holder.ptr, f->holder.len, id.ptr, id.len,
					   p->diag);
		if (err == TK_OK)
			log_commit(p, id, c, f->m->sequence_number);
	}
	return err;
}

/* Link each processed dependency to its dependent, persist its sequence
 * number and let the platform keep its envelope. */
static tk_err commit_dependencies(struct tk_suit_processor *p, const struct tk_suit_frame *f)
{
	tk_err err = TK_OK;

	for (size_t i = 0; err == TK_OK && i < f->slot_count; i++) {
		const struct tk_suit_component *c = &f->comps[i];
		const struct tk_suit_frame *dep;

		if (!c->is_dependency || c->frame < 0 || !c->integrity_checked)
			continue;
		dep = &p->frames[c->frame];
		if (tk_span_equal(dep->holder, f->holder))
			continue;
		err = p->ops->link(p->ops->ctx, f->holder.ptr, f->holder.len, dep->holder.ptr,
				   dep->holder.len, p->diag);
		if (err == TK_OK && dep->m->manifest_component_id.len > 0)
			err = p->ops->set_sequence_number(p->ops->ctx, dep->holder.ptr,
							  dep->holder.len,
							  dep->m->sequence_number, p->diag);
		if (err == TK_OK && dep->m->manifest_component_id.len > 0 &&
		    p->ops->store_dependency != NULL)
			err = p->ops->store_dependency(p->ops->ctx, dep->holder.ptr, dep->holder.len,
						       c->envelope.ptr, c->envelope.len,
						       dep->m->sequence_number, p->diag);
	}
	return err;
}

static tk_err commit_update(struct tk_suit_processor *p)
{
	struct tk_suit_frame *root = &p->frames[0];
	struct tk_span key = rollback_key(root->m);
	tk_err err = check_commit(p);

	for (size_t k = 0; err == TK_OK && k < p->frame_count; k++)
		err = commit_frame(p, &p->frames[k]);
	for (size_t k = 0; err == TK_OK && k < p->frame_count; k++)
		err = commit_dependencies(p, &p->frames[k]);
	/* The root manifest references itself until it is unlinked. */
	if (err == TK_OK && p->ops->link != NULL)
		err = p->ops->link(p->ops->ctx, root->holder.ptr, root->holder.len,
				   root->holder.ptr, root->holder.len, p->diag);
	if (err == TK_OK)
		err = p->ops->set_sequence_number(p->ops->ctx, key.ptr, key.len,
						  root->m->sequence_number, p->diag);
	return err;
}

static tk_err need_update_hooks(struct tk_suit_processor *p)
{
	const struct tk_suit_platform_ops *ops = p->ops;
	tk_err err;

	/* Checked first, so a missing hook cannot leave components stored
	 * without their links or sequence number. */
	err = tk_suit_need_hook(p, (const void *)ops->set_sequence_number, "set_sequence_number");
	/* A platform without reference counts cannot share components
	 * between manifests, so it cannot take dependencies either
	 * (trust-domains-11 section 5.3). */
	if (err == TK_OK && (ops->link == NULL || ops->references == NULL) &&
	    p->frames[0].m->dependency_count > 0)
		err = TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			      "manifest has dependencies and the platform has no link and "
			      "references hooks for reference counts");
	return err;
}

static tk_err run_sections(struct tk_suit_processor *p, const enum tk_suit_section *sections,
			   size_t count)
{
	tk_err err = TK_OK;

	for (size_t k = 0; err == TK_OK && k < count; k++)
		err = tk_suit_run_section(p, &p->frames[0], sections[k]);
	return err;
}

static tk_err run_update(struct tk_suit_processor *p)
{
	tk_err err = need_update_hooks(p);

	if (err == TK_OK && p->frames[0].m->severed_missing)
		err = TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			      "a severed section is missing from the envelope");
	if (err == TK_OK)
		err = check_rollback(p);
	if (err == TK_OK)
		err = run_sections(p, update_sections,
				   sizeof(update_sections) / sizeof(update_sections[0]));
	if (err == TK_OK)
		err = commit_update(p);
	return err;
}

/* Uninstall (trust-domains-11 section 6): the shared sequence, then the
 * uninstall section. */
static tk_err run_uninstall(struct tk_suit_processor *p)
{
	return tk_suit_run_section(p, &p->frames[0], TK_SUIT_SECTION_UNINSTALL);
}

/* Discard every staging area still begun: after a failure, and the ones
 * an update replaced. */
static void abort_areas(struct tk_suit_processor *p)
{
	for (unsigned a = 0; a < TK_SUIT_MAX_STAGING_AREAS; a++) {
		if (p->areas_begun & (UINT32_C(1) << a))
			p->ops->stage_abort(p->ops->ctx, a);
	}
	p->areas_begun = 0;
	p->areas_used = 0;
}

tk_err tk_suit_process(const struct tk_suit_manifest *manifest,
		       enum tk_suit_procedure procedure,
		       const struct tk_suit_process_opts *opts, struct tk_diag *diag)
{
	struct tk_suit_processor p;
	tk_err err;

	if (manifest == NULL || opts == NULL || opts->ops == NULL || opts->crypto == NULL ||
	    (opts->work == NULL && opts->work_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "missing manifest, platform ops, crypto or work buffer");
	if (manifest->component_count == 0 || manifest->component_count > TK_SUIT_MAX_COMPONENTS)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest with %zu components",
			       manifest->component_count);

	memset(&p, 0, offsetof(struct tk_suit_processor, frames));
	p.opts = opts;
	p.ops = opts->ops;
	p.procedure = procedure;
	p.diag = diag;
	p.frame_count = 1;
	err = tk_suit_frame_init(&p, &p.frames[0], manifest, rollback_key(manifest));
	if (err != TK_OK)
		return err;

	switch (procedure) {
	case TK_SUIT_PROCEDURE_UPDATE:
		err = run_update(&p);
		break;
	case TK_SUIT_PROCEDURE_INVOKE:
		err = run_sections(&p, invoke_sections,
				   sizeof(invoke_sections) / sizeof(invoke_sections[0]));
		break;
	case TK_SUIT_PROCEDURE_UNINSTALL:
		err = run_uninstall(&p);
		break;
	default:
		err = TK_FAIL(diag, TK_ERR_ARG, "unknown procedure %d", (int)procedure);
		break;
	}

	if (p.areas_begun != 0)
		abort_areas(&p);
	if (opts->work != NULL)
		tk_wipe(opts->work, p.work_used);
	return err;
}

tk_err tk_suit_process_envelope(const uint8_t *buf, size_t len,
				const struct tk_crypto_key *const *keys, size_t key_count,
				const struct tk_suit_process_opts *opts,
				struct tk_suit_manifest *out, struct tk_diag *diag)
{
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	tk_err err;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (opts == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing processor options");

	err = tk_suit_decode_envelope(buf, len, &env, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(&env, opts->crypto, keys, key_count, &m, diag);
	if (err == TK_OK)
		err = tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, opts, diag);
	if (err == TK_OK && out != NULL)
		*out = m;
	return err;
}
