/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The directives of the SUIT processor that take a reporting policy
 * (draft-ietf-suit-manifest-37 section 8.4.10, draft-ietf-suit-trust-
 * domains-11 sections 5.6.2 and 5.6.5): fetch, write, copy, swap, invoke,
 * unlink and process-dependency, each applied to one component index.
 *
 * A new image always goes to a fresh staging area of the platform, hashed
 * while it streams, so the source of a copy stays readable and the
 * processor never keeps an image in memory. Staged areas are committed by
 * tk_suit_process() once the whole procedure succeeded. A dependency slot
 * holds an envelope instead: a view into the root envelope for an
 * integrated dependency, or bytes fetched into the caller's work buffer.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_encryption.h"
#include "suit/tk_suit_process_impl.h"

/* Characters of a URI quoted in a message. */
#define URI_QUOTE_LEN 64

/* Sink that appends to a staging area, hashing and counting the bytes. */
struct stage_sink {
	struct tk_suit_processor *p;
	unsigned area;
	uint64_t max;   /* bytes accepted */
	uint64_t len;
	struct tk_crypto_hash_ctx hash;
};

static tk_err stage_sink_write(void *ctx, const uint8_t *chunk, size_t len,
			       struct tk_diag *diag)
{
	struct stage_sink *s = ctx;
	const struct tk_suit_platform_ops *ops = s->p->ops;
	tk_err err;

	if (len == 0)
		return TK_OK;
	if (len > s->max - s->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "image larger than %llu bytes",
			       (unsigned long long)s->max);
	err = tk_crypto_sha256_update(&s->hash, chunk, len, diag);
	if (err == TK_OK)
		err = ops->stage_write(ops->ctx, s->area, chunk, len, diag);
	if (err == TK_OK)
		s->len += len;
	return err;
}

/* Sink that appends a dependency envelope to the work buffer. */
struct work_sink {
	struct tk_suit_processor *p;
	uint64_t max;
	size_t len;
};

static tk_err work_sink_write(void *ctx, const uint8_t *chunk, size_t len,
			      struct tk_diag *diag)
{
	struct work_sink *s = ctx;
	struct tk_suit_processor *p = s->p;
	size_t room = p->opts->work_cap - p->work_used - s->len;

	if (len == 0)
		return TK_OK;
	if (len > room || len > s->max - s->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "dependency envelope exceeds the %zu-byte work buffer or %llu bytes",
			       p->opts->work_cap, (unsigned long long)s->max);
	memcpy(p->opts->work + p->work_used + s->len, chunk, len);
	s->len += len;
	return TK_OK;
}

/* Abort staging area `area` and mark it free. */
static void release_area(struct tk_suit_processor *p, unsigned area)
{
	p->ops->stage_abort(p->ops->ctx, area);
	p->areas_used &= ~(UINT32_C(1) << area);
	p->areas_begun &= ~(UINT32_C(1) << area);
}

void tk_suit_drop_area(struct tk_suit_processor *p, struct tk_suit_frame *f, size_t i)
{
	struct tk_suit_component *c = &f->comps[i];

	if (c->area < 0)
		return;
	release_area(p, (unsigned)c->area);
	c->area = -1;
	c->verified = false;
}

/* Begin a free staging area. */
static tk_err begin_area(struct tk_suit_processor *p, unsigned *out)
{
	const struct tk_suit_platform_ops *ops = p->ops;
	unsigned a = 0;
	tk_err err;

	err = tk_suit_need_hook(p, (const void *)ops->stage_begin, "stage_begin");
	if (err == TK_OK)
		err = tk_suit_need_hook(p, (const void *)ops->stage_write, "stage_write");
	if (err == TK_OK)
		err = tk_suit_need_hook(p, (const void *)ops->stage_abort, "stage_abort");
	if (err == TK_OK)
		err = tk_suit_need_hook(p, (const void *)ops->stage_commit, "stage_commit");
	if (err != TK_OK)
		return err;
	while (a < TK_SUIT_MAX_STAGING_AREAS && (p->areas_used & (UINT32_C(1) << a)) != 0)
		a++;
	if (a == TK_SUIT_MAX_STAGING_AREAS)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_COUNT, "more than %d staged images",
			       TK_SUIT_MAX_STAGING_AREAS);
	p->areas_begun |= UINT32_C(1) << a;
	err = ops->stage_begin(ops->ctx, a, p->diag);
	if (err != TK_OK)
		return err;
	p->areas_used |= UINT32_C(1) << a;
	*out = a;
	return TK_OK;
}

/* Most bytes component i may be staged with. */
static uint64_t image_limit(const struct tk_suit_params *params)
{
	uint64_t limit = TK_SUIT_MAX_IMAGE_SIZE;

	if (params->has_size && params->size < limit)
		limit = params->size;
	return limit;
}

/*
 * A component that another manifest references is never overwritten
 * (trust-domains-11 section 5.6.5).
 */
static tk_err check_overwrite(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_processor *p = x->p;
	struct tk_span id = tk_suit_component_id(x->f, i);
	uint64_t others = 0;
	tk_err err;

	/* Without reference counts no other manifest shares components. */
	if (p->ops->references == NULL)
		return TK_OK;
	err = p->ops->references(p->ops->ctx, id.ptr, id.len, x->f->holder.ptr,
					 x->f->holder.len, &others, p->diag);
	if (err == TK_OK && others > 0)
		err = TK_FAIL(p->diag, TK_ERR_POLICY,
			      "component index %zu is referenced by %llu other manifests", i,
			      (unsigned long long)others);
	return err;
}

/* Sink that decrypts what it receives into the staging sink. */
struct decrypt_sink {
	struct tk_suit_decrypt_ctx ctx;
	const struct tk_suit_sink *out;
};

static tk_err decrypt_sink_write(void *ctx, const uint8_t *chunk, size_t len,
				 struct tk_diag *diag)
{
	struct decrypt_sink *d = ctx;

	return tk_suit_decrypt_update(&d->ctx, chunk, len, d->out, diag);
}

typedef tk_err (*produce_fn)(struct tk_suit_exec *x, size_t i, const struct tk_suit_sink *sink,
			     const void *arg);

/*
 * Run `produce` into `sink`, through the decryption of the component's
 * encryption-info (draft-ietf-suit-firmware-encryption) when it has one:
 * the CEK is unwrapped by the platform, and for an AEAD the tag must
 * verify before the staged bytes count.
 */
static tk_err produce_plaintext(struct tk_suit_exec *x, size_t i, produce_fn produce,
				const void *arg, bool decrypt, const struct tk_suit_sink *sink)
{
	const struct tk_suit_params *params = &x->f->comps[i].params;
	struct decrypt_sink ds;
	struct tk_suit_sink in = {decrypt_sink_write, &ds};
	tk_err err;

	if (!decrypt || !params->has_encryption_info)
		return produce(x, i, sink, arg);
	memset(&ds, 0, sizeof(ds));
	ds.out = sink;
	err = tk_suit_decrypt_begin(&ds.ctx, params->encryption_info, x->p->ops,
				    x->p->opts->crypto, x->p->diag);
	if (err == TK_OK)
		err = produce(x, i, &in, arg);
	if (err == TK_OK)
		err = tk_suit_decrypt_finish(&ds.ctx, sink, x->p->diag);
	tk_suit_decrypt_wipe(&ds.ctx);
	return err;
}

/*
 * Stage a new image for component i: `produce` streams it into the sink,
 * decrypted when `decrypt` is set and the component has encryption-info.
 * On success the component's old area is released and the new one takes
 * its place, with `verified` as given.
 */
static tk_err stage_image(struct tk_suit_exec *x, size_t i, produce_fn produce,
			  const void *arg, bool decrypt, bool verified)
{
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];
	struct stage_sink ss;
	struct tk_suit_sink sink = {stage_sink_write, &ss};
	uint8_t digest[TK_SUIT_DIGEST_LEN];
	unsigned area = 0;
	tk_err err;

	/* A declared size over the limit fails before a byte is fetched. */
	if (c->params.has_size && c->params.size > TK_SUIT_MAX_IMAGE_SIZE)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
			       "image size %llu of component index %zu exceeds %llu bytes",
			       (unsigned long long)c->params.size, i,
			       (unsigned long long)TK_SUIT_MAX_IMAGE_SIZE);
	memset(&ss, 0, sizeof(ss));
	err = begin_area(p, &area);
	if (err != TK_OK)
		return err;
	err = tk_crypto_sha256_init(p->opts->crypto, &ss.hash, p->diag);
	if (err != TK_OK) {
		release_area(p, area);
		return err;
	}
	ss.p = p;
	ss.area = area;
	ss.max = image_limit(&c->params);

	err = produce_plaintext(x, i, produce, arg, decrypt, &sink);
	if (err == TK_OK) {
		err = tk_crypto_sha256_final(&ss.hash, digest, p->diag);
	} else {
		tk_crypto_sha256_abort(&ss.hash);
	}
	if (err != TK_OK) {
		release_area(p, area);
		return err;
	}
	tk_suit_drop_area(p, x->f, i);
	c->area = (int)area;
	memcpy(c->digest, digest, sizeof(digest));
	c->size = ss.len;
	c->verified = verified;
	return TK_OK;
}

static tk_err produce_bytes(struct tk_suit_exec *x, size_t i, const struct tk_suit_sink *sink,
			    const void *arg)
{
	const struct tk_span *bytes = arg;

	(void)i;
	return sink->write(sink->ctx, bytes->ptr, bytes->len, x->p->diag);
}

static tk_err produce_fetch(struct tk_suit_exec *x, size_t i, const struct tk_suit_sink *sink,
			    const void *arg)
{
	const struct tk_suit_platform_ops *ops = x->p->ops;

	return ops->fetch(ops->ctx, (const char *)arg, image_limit(&x->f->comps[i].params), sink,
			  x->p->diag);
}

static tk_err produce_copy(struct tk_suit_exec *x, size_t i, const struct tk_suit_sink *sink,
			   const void *arg)
{
	(void)i;
	return tk_suit_read_image(x, *(const size_t *)arg, sink);
}

/* The payload named by an integrated URI "#name" (an envelope text key). */
static tk_err find_integrated(struct tk_suit_exec *x, struct tk_span uri, struct tk_span *out)
{
	const struct tk_suit_manifest *root = x->p->frames[0].m;

	/* Dependencies are processed in the root's envelope, so their
	 * integrated payloads and dependencies are the root's members. */
	for (size_t k = 0; k < root->integrated_count; k++) {
		if (tk_span_equal(root->integrated[k].name, uri)) {
			*out = root->integrated[k].payload;
			return TK_OK;
		}
	}
	if (x->f != &x->p->frames[0]) {
		for (size_t k = 0; k < x->f->m->integrated_count; k++) {
			if (tk_span_equal(x->f->m->integrated[k].name, uri)) {
				*out = x->f->m->integrated[k].payload;
				return TK_OK;
			}
		}
	}
	return TK_FAIL(x->p->diag, TK_ERR_NOT_FOUND, "integrated payload %.*s not in the envelope",
		       (int)(uri.len > URI_QUOTE_LEN ? URI_QUOTE_LEN : uri.len),
		       (const char *)uri.ptr);
}

static bool has_prefix(struct tk_span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len > n && memcmp(s.ptr, prefix, n) == 0;
}

/* The URI of component i as a C string in text; remote schemes only. */
static tk_err remote_uri(struct tk_suit_exec *x, struct tk_span uri, char *text)
{
	struct tk_suit_processor *p = x->p;

	if (!has_prefix(uri, "https://") && !has_prefix(uri, "http://"))
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "URI scheme not supported (http and https only): %.*s",
			       (int)(uri.len > URI_QUOTE_LEN ? URI_QUOTE_LEN : uri.len),
			       (const char *)uri.ptr);
	if (uri.len > TK_SUIT_MAX_URI_LEN || memchr(uri.ptr, 0, uri.len) != NULL)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
			       "URI of %zu bytes (limit %d) or with a NUL byte", uri.len,
			       TK_SUIT_MAX_URI_LEN);
	memcpy(text, uri.ptr, uri.len);
	text[uri.len] = '\0';
	return tk_suit_need_hook(p, (const void *)p->ops->fetch, "fetch");
}

/* Fetch into a dependency slot: the envelope is kept in memory. */
static tk_err fetch_dependency(struct tk_suit_exec *x, size_t i, struct tk_span uri)
{
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];
	char text[TK_SUIT_MAX_URI_LEN + 1];
	struct work_sink ws = {p, image_limit(&c->params), 0};
	struct tk_suit_sink sink = {work_sink_write, &ws};
	tk_err err;

	/* A fetch into the slot invalidates an earlier integrity check
	 * (trust-domains-11 section 5.6.4). */
	c->integrity_checked = false;
	c->envelope = TK_SPAN_EMPTY;
	if (uri.ptr[0] == '#')
		return find_integrated(x, uri, &c->envelope);
	err = remote_uri(x, uri, text);
	if (err == TK_OK && p->opts->work == NULL)
		err = TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE, "no work buffer for a dependency envelope");
	if (err == TK_OK)
		err = p->ops->fetch(p->ops->ctx, text, ws.max, &sink, p->diag);
	if (err != TK_OK)
		return err;
	c->envelope = tk_span_make(p->opts->work + p->work_used, ws.len);
	p->work_used += ws.len;
	return TK_OK;
}

/* Encrypted dependency envelopes (trust-domains-11 section 8.2) are not
 * decrypted: they fail rather than being taken as plaintext. */
static tk_err reject_encrypted_dependency(struct tk_suit_exec *x, size_t i)
{
	if (!x->f->comps[i].params.has_encryption_info)
		return TK_OK;
	return TK_FAIL(x->p->diag, TK_ERR_UNSUPPORTED,
		       "encrypted dependency envelopes (encryption-info) are not supported");
}

static tk_err dir_fetch(struct tk_suit_exec *x, size_t i)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_URI};
	const struct tk_suit_params *params = &x->f->comps[i].params;
	char text[TK_SUIT_MAX_URI_LEN + 1];
	struct tk_span payload;
	tk_err err;

	tk_suit_record_params(x, i, keys, 1);
	if (params->uri.len == 0)
		return TK_FAIL(x->p->diag, TK_ERR_SCHEMA_MISSING,
			       "no URI set for component index %zu", i);
	if (x->f->comps[i].is_dependency) {
		err = reject_encrypted_dependency(x, i);
		if (err == TK_OK)
			err = fetch_dependency(x, i, params->uri);
		return err;
	}
	if (params->has_fetch_arguments)
		return TK_FAIL(x->p->diag, TK_ERR_UNSUPPORTED,
			       "fetch-arguments are not supported by the fetch hook");
	err = check_overwrite(x, i);
	if (err != TK_OK)
		return err;
	if (params->uri.ptr[0] == '#') {
		err = find_integrated(x, params->uri, &payload);
		if (err == TK_OK)
			err = stage_image(x, i, produce_bytes, &payload, true, false);
		return err;
	}
	err = remote_uri(x, params->uri, text);
	if (err == TK_OK)
		err = stage_image(x, i, produce_fetch, text, true, false);
	return err;
}

static tk_err dir_write(struct tk_suit_exec *x, size_t i)
{
	const struct tk_suit_params *params = &x->f->comps[i].params;
	struct tk_suit_component *c = &x->f->comps[i];
	tk_err err;

	if (!params->has_content)
		return TK_FAIL(x->p->diag, TK_ERR_SCHEMA_MISSING,
			       "no content set for component index %zu", i);
	if (c->is_dependency) {
		err = reject_encrypted_dependency(x, i);
		if (err != TK_OK)
			return err;
		c->integrity_checked = false;
		c->envelope = params->content;
		return TK_OK;
	}
	err = check_overwrite(x, i);
	/* The content, encrypted or not, is part of the authenticated
	 * manifest, so what it decrypts to is fixed by it too. */
	if (err == TK_OK)
		err = stage_image(x, i, produce_bytes, &params->content, true, true);
	return err;
}

/* The source index of copy and swap, checked. */
static tk_err source_index(struct tk_suit_exec *x, size_t i, size_t *out)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_SOURCE_COMPONENT};
	const struct tk_suit_params *params = &x->f->comps[i].params;

	tk_suit_record_params(x, i, keys, 1);
	if (!params->has_source)
		return TK_FAIL(x->p->diag, TK_ERR_SCHEMA_MISSING,
			       "no source component set for component index %zu", i);
	if (params->source >= x->f->m->component_count || params->source == i ||
	    i >= x->f->m->component_count)
		return TK_FAIL(x->p->diag, TK_ERR_SCHEMA_VALUE,
			       "source component %llu invalid for component index %zu",
			       (unsigned long long)params->source, i);
	*out = (size_t)params->source;
	return TK_OK;
}

static tk_err dir_copy(struct tk_suit_exec *x, size_t i)
{
	const struct tk_suit_component *src;
	size_t source = 0;
	tk_err err;

	err = source_index(x, i, &source);
	if (err == TK_OK)
		err = check_overwrite(x, i);
	if (err != TK_OK)
		return err;
	/* An installed source was verified when it was installed. */
	src = &x->f->comps[source];
	return stage_image(x, i, produce_copy, &source, true,
			   src->area >= 0 ? src->verified : true);
}

/* Give component i a staging area holding its installed image. */
static tk_err materialize(struct tk_suit_exec *x, size_t i)
{
	if (x->f->comps[i].area >= 0)
		return TK_OK;
	return stage_image(x, i, produce_copy, &i, false, true);
}

/* swap (section 8.4.10.9): exchange the current images of i and source. */
static tk_err dir_swap(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_component *a = &x->f->comps[i], *b, t;
	size_t source = 0;
	tk_err err;

	err = source_index(x, i, &source);
	if (err == TK_OK)
		err = check_overwrite(x, i);
	if (err == TK_OK)
		err = check_overwrite(x, source);
	if (err == TK_OK)
		err = materialize(x, i);
	if (err == TK_OK)
		err = materialize(x, source);
	if (err != TK_OK)
		return err;
	b = &x->f->comps[source];
	t = *a;
	a->area = b->area;
	memcpy(a->digest, b->digest, sizeof(a->digest));
	a->size = b->size;
	a->verified = b->verified;
	b->area = t.area;
	memcpy(b->digest, t.digest, sizeof(b->digest));
	b->size = t.size;
	b->verified = t.verified;
	return TK_OK;
}

/* invoke (section 8.4.10.7), only in the invocation procedure. What load
 * staged for the component is committed first, so the platform runs it. */
static tk_err dir_invoke(struct tk_suit_exec *x, size_t i)
{
	static const int64_t keys[] = {TK_SUIT_PARAM_INVOKE_ARGS};
	struct tk_suit_processor *p = x->p;
	struct tk_suit_component *c = &x->f->comps[i];
	struct tk_span id = tk_suit_component_id(x->f, i);
	tk_err err = TK_OK;

	tk_suit_record_params(x, i, keys, 1);
	if (p->procedure != TK_SUIT_PROCEDURE_INVOKE || i >= x->f->m->component_count)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "invoke is supported only on a component in the invocation "
			       "procedure");
	err = tk_suit_need_hook(p, (const void *)p->ops->invoke, "invoke");
	if (err == TK_OK && c->area >= 0 && !c->verified)
		err = TK_FAIL(p->diag, TK_ERR_POLICY,
			      "component index %zu was loaded but not checked with image-match",
			      i);
	if (err == TK_OK && c->area >= 0) {
		err = p->ops->stage_commit(p->ops->ctx, (unsigned)c->area, id.ptr, id.len,
					   x->f->m->sequence_number, p->diag);
		p->areas_used &= ~(UINT32_C(1) << c->area);
		p->areas_begun &= ~(UINT32_C(1) << c->area);
		c->area = -1;
	}
	if (err == TK_OK)
		err = p->ops->invoke(p->ops->ctx, id.ptr, id.len, c->params.invoke_args.ptr,
				     c->params.invoke_args.len,
				     c->params.has_digest ? &c->params.digest : NULL, p->diag);
	return err;
}

/* unlink (trust-domains-11 section 5.6.5), in the uninstall procedure. */
static tk_err dir_unlink(struct tk_suit_exec *x, size_t i)
{
	struct tk_suit_processor *p = x->p;
	struct tk_span id = tk_suit_component_id(x->f, i);
	uint64_t remaining = 0;
	tk_err err;

	if (p->procedure != TK_SUIT_PROCEDURE_UNINSTALL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "unlink is supported only in the uninstall procedure");
	if (x->f->comps[i].is_dependency)
		return tk_suit_unlink_dependency(x, i);
	err = tk_suit_need_hook(p, (const void *)p->ops->unlink, "unlink");
	if (err == TK_OK)
		err = p->ops->unlink(p->ops->ctx, x->f->holder.ptr, x->f->holder.len, id.ptr, id.len,
				     &remaining, p->diag);
	return err;
}

tk_err tk_suit_run_directive(struct tk_suit_exec *x, int64_t command, size_t i)
{
	switch (command) {
	case TK_SUIT_CMD_FETCH:
		return dir_fetch(x, i);
	case TK_SUIT_CMD_WRITE:
		return dir_write(x, i);
	case TK_SUIT_CMD_COPY:
		return dir_copy(x, i);
	case TK_SUIT_CMD_SWAP:
		return dir_swap(x, i);
	case TK_SUIT_CMD_INVOKE:
		return dir_invoke(x, i);
	case TK_SUIT_CMD_UNLINK:
		return dir_unlink(x, i);
	case TK_SUIT_CMD_PROCESS_DEPENDENCY:
		return tk_suit_process_dependency(x, i);
	default:
		return TK_FAIL(x->p->diag, TK_ERR_INTERNAL, "command %lld is not a directive",
			       (long long)command);
	}
}
