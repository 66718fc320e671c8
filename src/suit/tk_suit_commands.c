/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conditions of the SUIT processor (draft-ietf-suit-manifest-37
 * section 8.4.9, draft-ietf-suit-trust-domains-11 sections 5.6.3 and
 * 5.6.4), each applied to one component index. Conditions have no side
 * effect except marking a staged image as verified.
 *
 * A staged image was hashed while it streamed into its staging area, so
 * image-match compares that digest; an installed image is streamed from
 * the platform through a hashing sink. check-content streams the image
 * through a comparing sink that never exits early.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_process_impl.h"

/* Sink that hashes what it receives and counts the bytes. */
struct hash_sink {
	struct tk_crypto_hash_ctx hash;
	uint64_t len;
};

static tk_err hash_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct hash_sink *s = ctx;

	s->len += len;
	return tk_crypto_sha256_update(&s->hash, chunk, len, diag);
}

/* Sink that compares what it receives with an expected content, without an
 * early exit (manifest-37 section 8.4.9.3 requires constant time). */
struct compare_sink {
	struct tk_span expected;
	uint64_t len;
	uint8_t diff;
};

static tk_err compare_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct compare_sink *s = ctx;

	(void)diag;
	for (size_t i = 0; i < len; i++) {
		uint64_t at = s->len + i;
		uint8_t want = at < s->expected.len ? s->expected.ptr[at] : 0;

		s->diff |= (uint8_t)(chunk[i] ^ want);
	}
	s->len += len;
	return TK_OK;
}

struct tk_span tk_suit_component_id(const struct tk_suit_frame *f, size_t i)
{
	if (i < f->m->component_count)
		return f->m->components[i];
	return TK_SPAN_EMPTY;
}

tk_err tk_suit_read_image(struct tk_suit_exec *x, size_t i, const struct tk_suit_sink *sink)
{
	struct tk_suit_processor *p = x->p;
	const struct tk_suit_component *c = &x->f->comps[i];
	struct tk_span id = tk_suit_component_id(x->f, i);
	tk_err err;

	if (c->area >= 0) {
		err = tk_suit_need_hook(p, (const void *)p->ops->stage_read, "stage_read");
		if (err == TK_OK)
			err = p->ops->stage_read(p->ops->ctx, (unsigned)c->area, sink, p->diag);
		return err;
	}
	if (c->is_dependency) {
		if (c->envelope.len == 0)
			return TK_FAIL(p->diag, TK_ERR_NOT_FOUND,
				       "dependency %zu has not been fetched", i);
		return sink->write(sink->ctx, c->envelope.ptr, c->envelope.len, p->diag);
	}
	err = tk_suit_need_hook(p, (const void *)p->ops->read, "read");
	if (err == TK_OK)
		err = p->ops->read(p->ops->ctx, id.ptr, id.len, sink, p->diag);
	return err;
}

/* vendor-identifier, class-identifier, device-identifier (section 8.4.9.1) */
static tk_err cond_identifier(struct tk_suit_exec *x, size_t i, int64_t command)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_VENDOR_ID, TK_SUIT_PARAM_CLASS_ID,
				       TK_SUIT_PARAM_DEVICE_ID};
	struct tk_suit_processor *p = x->p;
	const struct tk_suit_params *params = &x->f->comps[i].params;
	struct tk_span id = tk_suit_component_id(x->f, i);
	enum tk_suit_identifier which = TK_SUIT_ID_DEVICE;
	struct tk_span value = params->device_id;
	bool match = false;
	tk_err err;

	if (command == TK_SUIT_CMD_VENDOR_IDENTIFIER) {
		which = TK_SUIT_ID_VENDOR;
		value = params->vendor_id;
	} else if (command == TK_SUIT_CMD_CLASS_IDENTIFIER) {
		which = TK_SUIT_ID_CLASS;
		value = params->class_id;
	}
	tk_suit_record_params(x, i, &keys[which == TK_SUIT_ID_DEVICE ? 2 : which - 1], 1);

	/* "If no ID has been set, this condition fails." */
	if (value.len == 0)
		return TK_FAIL(p->diag, TK_ERR_CONDITION, "parameter not set for component index %zu",
			       i);
	err = tk_suit_need_hook(p, (const void *)p->ops->check_identifier, "check_identifier");
	if (err == TK_OK)
		err = p->ops->check_identifier(p->ops->ctx, which, id.ptr, id.len, value.ptr,
					       value.len, &match, p->diag);
	if (err == TK_OK && !match)
		err = TK_FAIL(p->diag, TK_ERR_CONDITION, "identifier of component index %zu "
			      "does not match", i);
	return err;
}

/* Digest and size of the current image of component i. */
static tk_err image_digest(struct tk_suit_exec *x, size_t i, uint8_t out[TK_SUIT_DIGEST_LEN],
			   uint64_t *size)
{
	const struct tk_suit_component *c = &x->f->comps[i];
	struct hash_sink hs;
	struct tk_suit_sink sink = {hash_write, &hs};
	tk_err err;

	if (c->area >= 0) {
		memcpy(out, c->digest, TK_SUIT_DIGEST_LEN);
		*size = c->size;
		return TK_OK;
	}
	memset(&hs, 0, sizeof(hs));
	err = tk_crypto_sha256_init(x->p->opts->crypto, &hs.hash, x->p->diag);
	if (err != TK_OK)
		return err;
	err = tk_suit_read_image(x, i, &sink);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&hs.hash);
		return err;
	}
	*size = hs.len;
	return tk_crypto_sha256_final(&hs.hash, out, x->p->diag);
}

/*
 * image-match (section 8.4.9.2). For a dependency slot the digest is that
 * of the dependency's manifest byte string (trust-domains-11 section
 * 5.2.2), which dependency-integrity checked.
 */
static tk_err cond_image_match(struct tk_suit_exec *x, size_t i)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_IMAGE_DIGEST, TK_SUIT_PARAM_IMAGE_SIZE};
	struct tk_suit_component *c = &x->f->comps[i];
	const struct tk_suit_params *params = &c->params;
	uint8_t actual[TK_SUIT_DIGEST_LEN];
	uint64_t size = 0;
	tk_err err;

	tk_suit_record_params(x, i, keys, 2);
	if (!params->has_digest)
		return TK_FAIL(x->p->diag, TK_ERR_CONDITION,
			       "no image digest set for component index %zu", i);
	if (c->is_dependency && c->area < 0) {
		if (!c->integrity_checked)
			return TK_FAIL(x->p->diag, TK_ERR_CONDITION,
				       "dependency %zu has not passed dependency-integrity", i);
		if (!tk_ct_equal(x->p->frames[c->frame].m->digest, params->digest.bytes.ptr,
				 TK_SUIT_DIGEST_LEN))
			return TK_FAIL(x->p->diag, TK_ERR_DIGEST_MISMATCH,
				       "manifest digest of dependency %zu differs", i);
		return TK_OK;
	}

	err = image_digest(x, i, actual, &size);
	if (err != TK_OK)
		return err;
	if (!tk_ct_equal(actual, params->digest.bytes.ptr, TK_SUIT_DIGEST_LEN))
		return TK_FAIL(x->p->diag, TK_ERR_DIGEST_MISMATCH,
			       "digest of component index %zu differs from the manifest's", i);
	if (params->has_size && params->size != size)
		return TK_FAIL(x->p->diag, TK_ERR_DIGEST_MISMATCH,
			       "component index %zu has %llu bytes, the manifest expects %llu", i,
			       (unsigned long long)size, (unsigned long long)params->size);
	if (c->area >= 0)
		c->verified = true;
	return TK_OK;
}

/* check-content (section 8.4.9.3), constant time in the content. */
static tk_err cond_check_content(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_component *c = &x->f->comps[i];
	struct compare_sink cs = {c->params.content, 0, 0};
	struct tk_suit_sink sink = {compare_write, &cs};
	tk_err err;

	/* The content may be secret, so it never goes into a record. */
	if (!c->params.has_content)
		return TK_FAIL(x->p->diag, TK_ERR_CONDITION,
			       "no content set for component index %zu", i);
	err = tk_suit_read_image(x, i, &sink);
	if (err == TK_OK && ((cs.diff | (uint8_t)(cs.len != c->params.content.len)) != 0))
		err = TK_FAIL(x->p->diag, TK_ERR_CONDITION,
			      "content of component index %zu differs", i);
	if (err == TK_OK && c->area >= 0)
		c->verified = true;
	return err;
}

/* component-slot (section 8.4.9.4) */
static tk_err cond_component_slot(struct tk_suit_exec *x, size_t i)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_COMPONENT_SLOT};
	struct tk_suit_processor *p = x->p;
	const struct tk_suit_params *params = &x->f->comps[i].params;
	struct tk_span id = tk_suit_component_id(x->f, i);
	bool match = false;
	tk_err err;

	tk_suit_record_params(x, i, keys, 1);
	if (!params->has_slot)
		return TK_FAIL(p->diag, TK_ERR_CONDITION,
			       "no component slot set for component index %zu", i);
	err = tk_suit_need_hook(p, (const void *)p->ops->check_slot, "check_slot");
	if (err == TK_OK)
		err = p->ops->check_slot(p->ops->ctx, id.ptr, id.len, params->slot, &match, p->diag);
	if (err == TK_OK && !match)
		err = TK_FAIL(p->diag, TK_ERR_CONDITION, "component index %zu is not in slot %llu",
			      i, (unsigned long long)params->slot);
	return err;
}

tk_err tk_suit_run_condition(struct tk_suit_exec *x, int64_t command, size_t i)
{
	switch (command) {
	case TK_SUIT_CMD_VENDOR_IDENTIFIER:
	case TK_SUIT_CMD_CLASS_IDENTIFIER:
	case TK_SUIT_CMD_DEVICE_IDENTIFIER:
		return cond_identifier(x, i, command);
	case TK_SUIT_CMD_IMAGE_MATCH:
		return cond_image_match(x, i);
	case TK_SUIT_CMD_CHECK_CONTENT:
		return cond_check_content(x, i);
	case TK_SUIT_CMD_COMPONENT_SLOT:
		return cond_component_slot(x, i);
	case TK_SUIT_CMD_DEPENDENCY_INTEGRITY:
		return tk_suit_dependency_integrity(x, i);
	case TK_SUIT_CMD_IS_DEPENDENCY:
		if (!x->f->comps[i].is_dependency)
			return TK_FAIL(x->p->diag, TK_ERR_CONDITION,
				       "component index %zu is not a dependency", i);
		return TK_OK;
	case TK_SUIT_CMD_ABORT:
		return TK_FAIL(x->p->diag, TK_ERR_CONDITION, "condition-abort");
	default:
		return TK_FAIL(x->p->diag, TK_ERR_INTERNAL, "command %lld is not a condition",
			       (long long)command);
	}
}
