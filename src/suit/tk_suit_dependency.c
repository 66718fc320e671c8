/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dependencies of the SUIT processor (draft-ietf-suit-trust-domains-11
 * section 5): the dependency slots of a manifest, dependency-integrity,
 * process-dependency in lock-step with the dependent, and the links from a
 * dependent to its dependencies.
 *
 * A dependency slot contains the dependency's envelope, fetched or written
 * by the dependent. dependency-integrity authenticates that envelope with
 * the same trust anchors as the root, checks its manifest digest against
 * the dependent's image-digest, and decodes its manifest into a frame of
 * its own. Only then may process-dependency run the dependency's section
 * of the same name, after its shared sequence.
 *
 * A dependency is identified at this recipient by its manifest component
 * id, or, when it has none, by the dependency-prefix the dependent gives;
 * that id holds the links of the components the dependency installs.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_process_impl.h"

tk_err tk_suit_frame_init(struct tk_suit_processor *p, struct tk_suit_frame *f,
			  const struct tk_suit_manifest *m, struct tk_span holder)
{
	/* f->storage may hold *m, so it is not cleared here. */
	f->m = m;
	f->holder = holder;
	f->slot_count = m->component_count;
	f->sections_done = 0;
	f->record_id_len = 0;
	for (size_t i = 0; i < TK_SUIT_MAX_SLOTS; i++) {
		memset(&f->comps[i], 0, sizeof(f->comps[i]));
		f->comps[i].area = -1;
		f->comps[i].frame = -1;
	}
	for (size_t k = 0; k < m->dependency_count; k++) {
		uint64_t index = m->dependencies[k].index;

		if (index >= TK_SUIT_MAX_SLOTS)
			return TK_FAIL(p->diag, TK_ERR_LIMIT_COUNT,
				       "dependency at component index %llu, limit %d",
				       (unsigned long long)index, TK_SUIT_MAX_SLOTS - 1);
		f->comps[index].is_dependency = true;
		f->comps[index].prefix = m->dependencies[k].prefix;
		if (index + 1 > f->slot_count)
			f->slot_count = (size_t)index + 1;
	}
	return TK_OK;
}

/* The id that identifies dependency m at this recipient. */
static tk_err dependency_id(struct tk_suit_processor *p, const struct tk_suit_manifest *m,
			    struct tk_span prefix, struct tk_span *out)
{
	*out = m->manifest_component_id.len > 0 ? m->manifest_component_id : prefix;
	if (m->manifest_component_id.len > 0 && prefix.len > 0 &&
	    !tk_span_equal(m->manifest_component_id, prefix))
		return TK_FAIL(p->diag, TK_ERR_POLICY,
			       "dependency's manifest component id differs from the "
			       "dependency-prefix its dependent gives");
	return TK_OK;
}

/* A dependency may repeat the installed sequence number, since several
 * dependents can share it, but never go below it. */
static tk_err check_dependency_rollback(struct tk_suit_processor *p, struct tk_span id,
					uint64_t sequence_number)
{
	uint64_t stored = 0;
	bool found = false;
	tk_err err;

	if (id.len == 0)
		return TK_OK;
	err = tk_suit_need_hook(p, (const void *)p->ops->get_sequence_number,
				"get_sequence_number");
	if (err == TK_OK)
		err = p->ops->get_sequence_number(p->ops->ctx, id.ptr, id.len, &stored, &found,
						  p->diag);
	if (err == TK_OK && found && sequence_number < stored)
		err = TK_FAIL(p->diag, TK_ERR_ROLLBACK,
			      "dependency sequence number %llu is lower than the installed %llu",
			      (unsigned long long)sequence_number, (unsigned long long)stored);
	return err;
}

/* Take a frame for the dependency in slot i of x->f, reusing its own. */
static tk_err dependency_frame(struct tk_suit_exec *x, size_t i, struct tk_suit_frame **out)
{
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];

	if (c->frame >= 0) {
		*out = &p->frames[c->frame];
		return TK_OK;
	}
	if (p->frame_count >= TK_SUIT_MAX_MANIFESTS)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_COUNT,
			       "more than %d manifests in one procedure", TK_SUIT_MAX_MANIFESTS);
	if (x->f->record_id_len + 1 > TK_SUIT_MAX_MANIFESTS)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_DEPTH, "dependencies nested too deep");
	c->frame = (int)p->frame_count++;
	*out = &p->frames[c->frame];
	return TK_OK;
}

/*
 * dependency-integrity (trust-domains-11 section 5.6.4): authenticate the
 * envelope in slot i, compare its digest with image-digest, decode it.
 */
tk_err tk_suit_dependency_integrity(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	struct tk_suit_frame *dep = NULL;
	struct tk_span id = TK_SPAN_EMPTY;
	bool reused;
	tk_err err;

	if (!c->is_dependency)
		return TK_FAIL(p->diag, TK_ERR_CONDITION, "component index %zu is not a dependency",
			       i);
	if (c->envelope.len == 0)
		return TK_FAIL(p->diag, TK_ERR_CONDITION, "dependency %zu has not been fetched", i);
	if (!c->params.has_digest)
		return TK_FAIL(p->diag, TK_ERR_CONDITION, "no image digest set for dependency %zu",
			       i);
	c->integrity_checked = false;

	reused = c->frame >= 0;
	err = dependency_frame(x, i, &dep);
	if (err == TK_OK)
		err = tk_suit_decode_envelope(c->envelope.ptr, c->envelope.len, &env, p->diag);
	if (err == TK_OK && p->ops->authenticate != NULL)
		err = p->ops->authenticate(p->ops->ctx, &env, &m, p->diag);
	else if (err == TK_OK)
		err = tk_suit_authenticate(&env, p->opts->crypto, p->opts->trust_anchors,
					   p->opts->trust_anchor_count, &m, p->diag);
	if (err == TK_OK && !tk_ct_equal(m.digest, c->params.digest.bytes.ptr,
					 TK_SUIT_DIGEST_LEN))
		err = TK_FAIL(p->diag, TK_ERR_DIGEST_MISMATCH,
			      "manifest digest of dependency %zu differs from image-digest", i);
	if (err == TK_OK)
		err = dependency_id(p, &m, c->prefix, &id);
	if (err == TK_OK && m.severed_missing)
		err = TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			      "a severed section of dependency %zu is missing", i);
	if (err == TK_OK && p->procedure == TK_SUIT_PROCEDURE_UPDATE)
		err = check_dependency_rollback(p, id, m.sequence_number);
	if (err != TK_OK)
		return err;

	/* A second check of the same manifest keeps the state the
	 * dependency built so far; another manifest starts afresh. */
	if (reused && memcmp(dep->storage.digest, m.digest, TK_SUIT_DIGEST_LEN) == 0) {
		c->integrity_checked = true;
		return TK_OK;
	}
	for (size_t k = 0; reused && k < dep->slot_count; k++)
		tk_suit_drop_area(p, dep, k);
	dep->storage = m;
	err = tk_suit_frame_init(p, dep, &dep->storage, id.len > 0 ? id : x->f->holder);
	if (err != TK_OK)
		return err;

	memcpy(dep->record_id, x->f->record_id, x->f->record_id_len * sizeof(uint64_t));
	dep->record_id[x->f->record_id_len] = i;
	dep->record_id_len = x->f->record_id_len + 1;
	c->integrity_checked = true;
	return TK_OK;
}

/* Make the dependent's parameters for slot i the dependency's defaults
 * (set-parameters semantics, trust-domains-11 section 5.6.1). */
static void inherit_params(struct tk_suit_frame *dep, const struct tk_suit_component *c)
{
	for (size_t k = 0; k < dep->slot_count; k++)
		tk_suit_params_inherit(&dep->comps[k].params, &c->params);
}

/* process-dependency (trust-domains-11 section 5.6.2) */
tk_err tk_suit_process_dependency(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];
	struct tk_suit_frame *dep;
	tk_err err;

	if (!c->is_dependency)
		return TK_FAIL(p->diag, TK_ERR_POLICY,
			       "component index %zu is not in suit-dependencies", i);
	if (x->section == TK_SUIT_RECORD_SECTION_SHARED)
		return TK_FAIL(p->diag, TK_ERR_POLICY,
			       "process-dependency in the shared sequence");
	if (p->procedure == TK_SUIT_PROCEDURE_UNINSTALL)
		return tk_suit_unlink_dependency(x, i);
	if (!c->integrity_checked)
		return TK_FAIL(p->diag, TK_ERR_POLICY,
			       "dependency %zu has not passed dependency-integrity, which must "
			       "precede process-dependency (draft-ietf-suit-trust-domains-11 "
			       "section 5.6.2)", i);
	if (p->nesting >= TK_SUIT_MAX_NESTING)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_DEPTH, "dependencies nested deeper than %d",
			       TK_SUIT_MAX_NESTING);

	dep = &p->frames[c->frame];
	inherit_params(dep, c);
	p->nesting++;
	err = tk_suit_run_section(p, dep, (enum tk_suit_section)x->section);
	p->nesting--;
	return err;
}

/*
 * process-dependency and unlink of a dependency in the uninstall
 * procedure: drop the dependent's link to it. The platform runs the
 * dependency's own uninstall once no link remains.
 */
tk_err tk_suit_unlink_dependency(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_processor *p = x->p;
	const struct tk_suit_component *c = &x->f->comps[i];
	struct tk_span target = c->prefix;
	uint64_t remaining = 0;
	tk_err err;

	if (c->frame >= 0 && c->integrity_checked)
		target = p->frames[c->frame].holder;
	if (target.len == 0)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "dependency %zu has no dependency-prefix to name it in uninstall", i);
	err = tk_suit_need_hook(p, (const void *)p->ops->unlink, "unlink");
	if (err == TK_OK)
		err = p->ops->unlink(p->ops->ctx, x->f->holder.ptr, x->f->holder.len, target.ptr,
				     target.len, &remaining, p->diag);
	return err;
}

tk_err tk_suit_check_lockstep(struct tk_suit_processor *p, const struct tk_suit_frame *f,
			      enum tk_suit_section section)
{
	if (p->procedure == TK_SUIT_PROCEDURE_UNINSTALL)
		return TK_OK;
	for (size_t i = 0; i < f->slot_count; i++) {
		const struct tk_suit_component *c = &f->comps[i];
		const struct tk_suit_frame *dep;

		if (!c->is_dependency || c->frame < 0 || !c->integrity_checked)
			continue;
		dep = &p->frames[c->frame];
		if (tk_suit_find_section(dep->m, section).len > 0 &&
		    (dep->sections_done & (UINT32_C(1) << section)) == 0)
			return TK_FAIL(p->diag, TK_ERR_POLICY,
				       "dependency %zu has a %s section its dependent did not "
				       "process", i, tk_suit_section_name(section));
	}
	return TK_OK;
}
