/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SUIT manifest processor (draft-ietf-suit-manifest-37 section 6): a
 * command interpreter over an authenticated manifest, reaching the device
 * only through struct tk_suit_platform_ops.
 *
 * Fetch, write and copy stage the new image of a component, either as a
 * view into the envelope (integrated payloads, parameter content) or in the
 * caller's work buffer (fetched and copied bytes). Conditions read the
 * staged image, or the installed one through the read hook. The store hook
 * is called only after every section of the procedure succeeded, so a
 * failed manifest changes nothing on the platform.
 *
 * Each command applies to the components the component index selects,
 * kept as a bit set so that an index list and `true` work like an integer.
 * Try-each, run-sequence and dependencies are left to the full processor;
 * their slots in the dispatch fail with TK_ERR_UNSUPPORTED.
 */
#include "suit/tk_suit.h"

#include <stdio.h>
#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/* Parameters of one component (manifest-37 section 8.4.8). */
struct params {
	struct tk_span vendor_id, class_id, device_id; /* empty when unset */
	bool has_digest;
	struct tk_suit_digest digest;
	bool has_size;
	uint64_t size;
	struct tk_span uri;             /* empty when unset */
	bool has_content;
	struct tk_span content;
	bool has_source;
	uint64_t source;
	bool has_fetch_arguments;
	bool has_slot;
};

/* Parameters and staged image of one component. */
struct component {
	struct params params;
	bool staged;
	struct tk_span image; /* view into the envelope or the work buffer */
	bool verified;        /* the staged bytes are authenticated: written
				 from the manifest, or matched by image-match
				 or check-content since they were fetched */
};

/* Interpreter state for one procedure. */
struct processor {
	const struct tk_suit_manifest *m;
	const struct tk_suit_process_opts *opts;
	const struct tk_suit_platform_ops *ops;
	enum tk_suit_procedure procedure;
	struct component comps[TK_SUIT_MAX_COMPONENTS];
	uint32_t selected;     /* bit i: component i is current */
	size_t work_used;      /* bytes of opts->work holding staged images */
	struct tk_diag *diag;
};

/* Sink that appends to the work buffer. */
struct stage_sink {
	struct processor *p;
	size_t start;
	uint64_t max;  /* bytes accepted */
	size_t len;
};

static tk_err stage_write(void *ctx, const uint8_t *chunk, size_t len,
			  struct tk_diag *diag)
{
	struct stage_sink *s = ctx;
	struct processor *p = s->p;

	if (len == 0)
		return TK_OK;
	if ((uint64_t)s->len + len > s->max)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "image larger than %llu bytes",
			       (unsigned long long)s->max);
	if (len > p->opts->work_cap - s->start - s->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "image does not fit the %zu-byte work buffer",
			       p->opts->work_cap);
	memcpy(p->opts->work + s->start + s->len, chunk, len);
	s->len += len;
	return TK_OK;
}

/* The bytes a stage sink received, as a view into the work buffer. */
static struct tk_span staged_view(const struct processor *p, const struct stage_sink *s)
{
	if (s->len == 0)
		return TK_SPAN_EMPTY;
	return tk_span_make(p->opts->work + s->start, s->len);
}

/* Sink that hashes what it receives and counts the bytes. */
struct hash_sink {
	struct tk_crypto_hash_ctx hash;
	uint64_t len;
};

static tk_err hash_write(void *ctx, const uint8_t *chunk, size_t len,
			 struct tk_diag *diag)
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

static tk_err compare_write(void *ctx, const uint8_t *chunk, size_t len,
			    struct tk_diag *diag)
{
	struct compare_sink *s = ctx;

	(void)diag;
	for (size_t i = 0; i < len; i++) {
		uint64_t at = s->len + i;

		if (at < s->expected.len)
			s->diff |= (uint8_t)(chunk[i] ^ s->expected.ptr[at]);
	}
	s->len += len;
	return TK_OK;
}

/* Parameters. */

/* Decode one parameter value into *out. */
static tk_err decode_parameter(struct tk_cbor_dec *dec, int64_t key,
			       struct params *out, struct tk_diag *diag)
{
	struct tk_span bytes;
	bool flag = false;
	tk_err err;

	switch (key) {
	case TK_SUIT_PARAM_VENDOR_ID:
		/* RFC4122_UUID / cbor-pen = #6.112(bstr) */
		if (tk_cbor_peek(dec) == TK_CBOR_TAG) {
			bool found = false;

			err = tk_cbor_skip_tag(dec, 112, &found);
			if (err == TK_OK && !found)
				err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
						       "vendor id tag is not 112");
			if (err != TK_OK)
				return err;
		}
		return tk_cbor_get_bstr(dec, &out->vendor_id);
	case TK_SUIT_PARAM_CLASS_ID:
	case TK_SUIT_PARAM_DEVICE_ID:
		err = tk_cbor_get_bstr(dec, &bytes);
		if (err == TK_OK && bytes.len != TK_SUIT_UUID_LEN)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					       "UUID parameter %lld of %zu bytes, "
					       "expected 16", (long long)key, bytes.len);
		if (err == TK_OK && key == TK_SUIT_PARAM_CLASS_ID)
			out->class_id = bytes;
		else if (err == TK_OK)
			out->device_id = bytes;
		return err;
	case TK_SUIT_PARAM_IMAGE_DIGEST:
		err = tk_cbor_get_bstr(dec, &bytes);
		if (err == TK_OK)
			err = tk_suit_digest_decode(bytes.ptr, bytes.len, &out->digest, diag);
		out->has_digest = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_IMAGE_SIZE:
		err = tk_cbor_get_uint(dec, &out->size);
		out->has_size = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_URI:
		err = tk_cbor_get_tstr(dec, &out->uri);
		if (err == TK_OK && out->uri.len == 0)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "empty URI");
		return err;
	case TK_SUIT_PARAM_CONTENT:
		err = tk_cbor_get_bstr(dec, &out->content);
		out->has_content = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_SOURCE_COMPONENT:
		err = tk_cbor_get_uint(dec, &out->source);
		out->has_source = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_COMPONENT_SLOT:
		out->has_slot = true;
		return tk_cbor_skip(dec);
	case TK_SUIT_PARAM_FETCH_ARGUMENTS:
		out->has_fetch_arguments = true;
		return tk_cbor_get_bstr(dec, &bytes);
	case TK_SUIT_PARAM_INVOKE_ARGS:
		return tk_cbor_get_bstr(dec, &bytes);
	case TK_SUIT_PARAM_STRICT_ORDER:
		/* This processor always runs commands in order, which is
		 * valid for either value (manifest-37 section 6.7). */
		return tk_cbor_get_bool(dec, &flag);
	case TK_SUIT_PARAM_SOFT_FAILURE:
		/* Setting it outside try-each or run-sequence causes an
		 * abort (manifest-37 section 8.4.8.15). */
		return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					"soft-failure outside try-each or run-sequence");
	default:
		if (key < 0) /* custom parameters are hints (section 8.4.8.16) */
			return tk_cbor_skip(dec);
		return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					"unknown parameter %lld", (long long)key);
	}
}

/* Copy the parameters set in `from` (a mask of keys) onto `to`. With
 * `override` false, parameters already set in `to` are kept. */
static void merge_params(struct params *to, const struct params *from, bool override)
{
	if (from->vendor_id.len > 0 && (override || to->vendor_id.len == 0))
		to->vendor_id = from->vendor_id;
	if (from->class_id.len > 0 && (override || to->class_id.len == 0))
		to->class_id = from->class_id;
	if (from->device_id.len > 0 && (override || to->device_id.len == 0))
		to->device_id = from->device_id;
	if (from->has_digest && (override || !to->has_digest)) {
		to->has_digest = true;
		to->digest = from->digest;
	}
	if (from->has_size && (override || !to->has_size)) {
		to->has_size = true;
		to->size = from->size;
	}
	if (from->uri.len > 0 && (override || to->uri.len == 0))
		to->uri = from->uri;
	if (from->has_content && (override || !to->has_content)) {
		to->has_content = true;
		to->content = from->content;
	}
	if (from->has_source && (override || !to->has_source)) {
		to->has_source = true;
		to->source = from->source;
	}
	to->has_fetch_arguments |= from->has_fetch_arguments;
	to->has_slot |= from->has_slot;
}

/* override-parameters and set-parameters: {+ $$SUIT_Parameters} */
static tk_err cmd_parameters(struct processor *p, struct tk_cbor_dec *dec, bool override)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_suit_key key;
	struct params given;
	uint64_t count = 0;
	tk_err err;

	memset(&given, 0, sizeof(given));
	err = tk_cbor_enter_map(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "empty parameter map");
	while (err == TK_OK && tk_cbor_more(dec)) {
		err = tk_suit_map_key(dec, &order, &key);
		if (err == TK_OK && key.type == TK_CBOR_TSTR)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					       "parameter key is a text string");
		if (err == TK_OK)
			err = decode_parameter(dec, key.value, &given, p->diag);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);

	for (size_t i = 0; err == TK_OK && i < p->m->component_count; i++) {
		if (p->selected & (UINT32_C(1) << i))
			merge_params(&p->comps[i].params, &given, override);
	}
	return err;
}

/* set-component-index: uint / true / [+ uint] */
static tk_err cmd_set_component_index(struct processor *p, struct tk_cbor_dec *dec)
{
	size_t count = p->m->component_count;
	enum tk_cbor_type type = tk_cbor_peek(dec);
	uint32_t selected = 0;
	uint64_t index = 0, n = 0;
	bool all = false;
	tk_err err;

	if (type == TK_CBOR_TRUE || type == TK_CBOR_FALSE) {
		err = tk_cbor_get_bool(dec, &all);
		if (err == TK_OK && !all)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					       "component index false");
		selected = (uint32_t)((UINT64_C(1) << count) - 1);
	} else if (type == TK_CBOR_ARRAY) {
		err = tk_cbor_enter_array(dec, &n);
		if (err == TK_OK && n == 0)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					       "empty component index list");
		while (err == TK_OK && tk_cbor_more(dec)) {
			err = tk_cbor_get_uint(dec, &index);
			if (err != TK_OK || index >= count)
				break;
			selected |= UINT32_C(1) << index;
		}
		if (err == TK_OK && index < count)
			err = tk_cbor_leave(dec);
	} else {
		err = tk_cbor_get_uint(dec, &index);
		selected = index < count ? UINT32_C(1) << index : 0;
	}

	if (err == TK_OK && index >= count)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "component index %llu, manifest has %zu components",
				       (unsigned long long)index, count);
	if (err == TK_OK)
		p->selected = selected;
	return err;
}

/* Conditions. */

static tk_err need_hook(struct processor *p, const void *hook, const char *name)
{
	if (hook == NULL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "platform has no %s hook", name);
	return TK_OK;
}

/* vendor-identifier, class-identifier, device-identifier */
static tk_err cond_identifier(struct processor *p, size_t i, int64_t command)
{
	const struct params *params = &p->comps[i].params;
	struct tk_span id = p->m->components[i];
	enum tk_suit_identifier which;
	struct tk_span value;
	bool match = false;
	tk_err err;

	if (command == TK_SUIT_CMD_VENDOR_IDENTIFIER) {
		which = TK_SUIT_ID_VENDOR;
		value = params->vendor_id;
	} else if (command == TK_SUIT_CMD_CLASS_IDENTIFIER) {
		which = TK_SUIT_ID_CLASS;
		value = params->class_id;
	} else {
		which = TK_SUIT_ID_DEVICE;
		value = params->device_id;
	}

	/* "If no ID has been set, this condition fails" (section 8.4.9.1). */
	if (value.len == 0)
		return TK_FAIL(p->diag, TK_ERR_CONDITION,
			       "%s: parameter not set for component %zu",
			       tk_suit_command_name(command), i);
	err = need_hook(p, (const void *)p->ops->check_identifier, "check_identifier");
	if (err == TK_OK)
		err = p->ops->check_identifier(p->ops->ctx, which, id.ptr, id.len,
					       value.ptr, value.len, &match, p->diag);
	if (err == TK_OK && !match)
		err = TK_FAIL(p->diag, TK_ERR_CONDITION,
			      "%s failed for component %zu",
			      tk_suit_command_name(command), i);
	return err;
}

/* Stream the current image of component i (staged or installed) into sink. */
static tk_err read_image(struct processor *p, size_t i, const struct tk_suit_sink *sink)
{
	struct tk_span id = p->m->components[i];
	tk_err err;

	if (p->comps[i].staged)
		return sink->write(sink->ctx, p->comps[i].image.ptr,
				   p->comps[i].image.len, p->diag);
	err = need_hook(p, (const void *)p->ops->read, "read");
	if (err == TK_OK)
		err = p->ops->read(p->ops->ctx, id.ptr, id.len, sink, p->diag);
	return err;
}

/* image-match: SHA-256 of the image against suit-parameter-image-digest,
 * and its length against suit-parameter-image-size when set. */
static tk_err cond_image_match(struct processor *p, size_t i)
{
	const struct params *params = &p->comps[i].params;
	struct hash_sink hs;
	struct tk_suit_sink sink = {hash_write, &hs};
	uint8_t actual[TK_SUIT_DIGEST_LEN];
	tk_err err;

	if (!params->has_digest)
		return TK_FAIL(p->diag, TK_ERR_CONDITION,
			       "image-match: no image digest set for component %zu", i);

	memset(&hs, 0, sizeof(hs));
	err = tk_crypto_sha256_init(p->opts->crypto, &hs.hash, p->diag);
	if (err != TK_OK)
		return err;
	err = read_image(p, i, &sink);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&hs.hash);
		return err;
	}
	err = tk_crypto_sha256_final(&hs.hash, actual, p->diag);
	if (err != TK_OK)
		return err;

	if (!tk_ct_equal(actual, params->digest.bytes.ptr, TK_SUIT_DIGEST_LEN))
		return TK_FAIL(p->diag, TK_ERR_DIGEST_MISMATCH,
			       "image-match: digest of component %zu differs from "
			       "the manifest's", i);
	if (params->has_size && params->size != hs.len)
		return TK_FAIL(p->diag, TK_ERR_DIGEST_MISMATCH,
			       "image-match: component %zu has %llu bytes, the "
			       "manifest expects %llu", i, (unsigned long long)hs.len,
			       (unsigned long long)params->size);
	if (p->comps[i].staged)
		p->comps[i].verified = true;
	return TK_OK;
}

/* check-content: byte comparison with suit-parameter-content. */
static tk_err cond_check_content(struct processor *p, size_t i)
{
	const struct params *params = &p->comps[i].params;
	struct compare_sink cs = {params->content, 0, 0};
	struct tk_suit_sink sink = {compare_write, &cs};
	tk_err err;

	if (!params->has_content)
		return TK_FAIL(p->diag, TK_ERR_CONDITION,
			       "check-content: no content set for component %zu", i);
	err = read_image(p, i, &sink);
	if (err == TK_OK && (cs.diff != 0 || cs.len != params->content.len))
		err = TK_FAIL(p->diag, TK_ERR_CONDITION,
			      "check-content failed for component %zu", i);
	if (err == TK_OK && p->comps[i].staged)
		p->comps[i].verified = true;
	return err;
}

/* Directives. */

/* Most bytes a component may be staged with. */
static uint64_t image_limit(const struct params *params)
{
	uint64_t limit = TK_SUIT_MAX_IMAGE_SIZE;

	if (params->has_size && params->size < limit)
		limit = params->size;
	return limit;
}

/* Fetch an integrated payload: the URI is "#name", an envelope key. */
static tk_err fetch_integrated(struct processor *p, size_t i, struct tk_span uri)
{
	for (size_t k = 0; k < p->m->integrated_count; k++) {
		const struct tk_suit_integrated *item = &p->m->integrated[k];

		if (!tk_span_equal(item->name, uri))
			continue;
		if (item->payload.len > image_limit(&p->comps[i].params))
			return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
				       "integrated payload %.*s of %zu bytes exceeds "
				       "the image size", (int)uri.len,
				       (const char *)uri.ptr, item->payload.len);
		p->comps[i].staged = true;
		p->comps[i].verified = false;
		p->comps[i].image = item->payload;
		return TK_OK;
	}
	return TK_FAIL(p->diag, TK_ERR_NOT_FOUND,
		       "fetch: integrated payload %.*s not in the envelope",
		       (int)(uri.len > 64 ? 64 : uri.len), (const char *)uri.ptr);
}

static bool has_prefix(struct tk_span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len > n && memcmp(s.ptr, prefix, n) == 0;
}

/* Fetch through the platform hook into the work buffer. */
static tk_err fetch_remote(struct processor *p, size_t i, struct tk_span uri)
{
	char text[TK_SUIT_MAX_URI_LEN + 1];
	struct stage_sink ss = {p, p->work_used, image_limit(&p->comps[i].params), 0};
	struct tk_suit_sink sink = {stage_write, &ss};
	tk_err err;

	if (!has_prefix(uri, "https://") && !has_prefix(uri, "http://"))
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "fetch: URI scheme not supported (http and https only): "
			       "%.*s", (int)(uri.len > 64 ? 64 : uri.len),
			       (const char *)uri.ptr);
	if (uri.len > TK_SUIT_MAX_URI_LEN || memchr(uri.ptr, 0, uri.len) != NULL)
		return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
			       "fetch: URI of %zu bytes (limit %d) or with a NUL byte",
			       uri.len, TK_SUIT_MAX_URI_LEN);
	if (p->comps[i].params.has_fetch_arguments)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "fetch: suit-parameter-fetch-arguments not supported");
	err = need_hook(p, (const void *)p->ops->fetch, "fetch");
	if (err != TK_OK)
		return err;

	memcpy(text, uri.ptr, uri.len);
	text[uri.len] = '\0';
	err = p->ops->fetch(p->ops->ctx, text, ss.max, &sink, p->diag);
	if (err != TK_OK)
		return err;
	p->comps[i].staged = true;
	p->comps[i].verified = false;
	p->comps[i].image = staged_view(p, &ss);
	p->work_used += ss.len;
	return TK_OK;
}

static tk_err dir_fetch(struct processor *p, size_t i)
{
	struct tk_span uri = p->comps[i].params.uri;

	if (uri.len == 0)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "fetch: no URI set for component %zu", i);
	if (uri.ptr[0] == '#')
		return fetch_integrated(p, i, uri);
	return fetch_remote(p, i, uri);
}

static tk_err dir_write(struct processor *p, size_t i)
{
	const struct params *params = &p->comps[i].params;

	if (!params->has_content)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "write: no content set for component %zu", i);
	if (params->content.len > image_limit(params))
		return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
			       "write: content exceeds the image size");
	/* The content is part of the authenticated manifest. */
	p->comps[i].staged = true;
	p->comps[i].verified = true;
	p->comps[i].image = params->content;
	return TK_OK;
}

static tk_err dir_copy(struct processor *p, size_t i)
{
	const struct params *params = &p->comps[i].params;
	struct stage_sink ss = {p, p->work_used, image_limit(params), 0};
	struct tk_suit_sink sink = {stage_write, &ss};
	size_t source;
	tk_err err;

	if (!params->has_source)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "copy: no source component set for component %zu", i);
	if (params->source >= p->m->component_count || params->source == i)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_VALUE,
			       "copy: source component %llu invalid for component %zu",
			       (unsigned long long)params->source, i);
	source = (size_t)params->source;

	if (p->comps[source].staged) {
		if (p->comps[source].image.len > ss.max)
			return TK_FAIL(p->diag, TK_ERR_LIMIT_SIZE,
				       "copy: source exceeds the image size");
		p->comps[i].staged = true;
		p->comps[i].verified = p->comps[source].verified;
		p->comps[i].image = p->comps[source].image;
		return TK_OK;
	}

	/* An installed source was verified when it was installed. */
	err = read_image(p, source, &sink);
	if (err != TK_OK)
		return err;
	p->comps[i].staged = true;
	p->comps[i].verified = true;
	p->comps[i].image = staged_view(p, &ss);
	p->work_used += ss.len;
	return TK_OK;
}

/* unlink (trust-domains-11 section 5.6.5), run only by uninstall. */
static tk_err dir_unlink(struct processor *p, size_t i)
{
	struct tk_span id = p->m->components[i];
	tk_err err;

	if (p->procedure != TK_SUIT_PROCEDURE_UNINSTALL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "unlink is supported only in the uninstall procedure");
	err = need_hook(p, (const void *)p->ops->unlink, "unlink");
	if (err == TK_OK)
		err = p->ops->unlink(p->ops->ctx, id.ptr, id.len, p->diag);
	return err;
}

/* Run one component-scoped command on component i. */
static tk_err run_on_component(struct processor *p, int64_t command, size_t i)
{
	switch (command) {
	case TK_SUIT_CMD_VENDOR_IDENTIFIER:
	case TK_SUIT_CMD_CLASS_IDENTIFIER:
	case TK_SUIT_CMD_DEVICE_IDENTIFIER:
		return cond_identifier(p, i, command);
	case TK_SUIT_CMD_IMAGE_MATCH:
		return cond_image_match(p, i);
	case TK_SUIT_CMD_CHECK_CONTENT:
		return cond_check_content(p, i);
	case TK_SUIT_CMD_ABORT:
		return TK_FAIL(p->diag, TK_ERR_CONDITION, "condition-abort");
	case TK_SUIT_CMD_FETCH:
		return dir_fetch(p, i);
	case TK_SUIT_CMD_WRITE:
		return dir_write(p, i);
	case TK_SUIT_CMD_COPY:
		return dir_copy(p, i);
	case TK_SUIT_CMD_UNLINK:
		return dir_unlink(p, i);
	default:
		return TK_FAIL(p->diag, TK_ERR_INTERNAL, "command %lld not dispatched",
			       (long long)command);
	}
}

/* A command whose argument is a reporting policy (uint). */
static tk_err cmd_with_policy(struct processor *p, struct tk_cbor_dec *dec,
			      int64_t command)
{
	uint64_t policy = 0;
	tk_err err = tk_cbor_get_uint(dec, &policy);

	if (err == TK_OK && p->selected == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "%s before set-component-index in a manifest "
				       "with %zu components", tk_suit_command_name(command),
				       p->m->component_count);
	for (size_t i = 0; err == TK_OK && i < p->m->component_count; i++) {
		if (p->selected & (UINT32_C(1) << i))
			err = run_on_component(p, command, i);
	}
	return err;
}

/* Dispatch one command; its argument is the next item of dec. */
static tk_err run_command(struct processor *p, struct tk_cbor_dec *dec, int64_t command)
{
	const char *name = tk_suit_command_name(command);

	switch (command) {
	case TK_SUIT_CMD_SET_COMPONENT_INDEX:
		return cmd_set_component_index(p, dec);
	case TK_SUIT_CMD_OVERRIDE_PARAMETERS:
		return cmd_parameters(p, dec, true);
	case TK_SUIT_CMD_SET_PARAMETERS:
		return cmd_parameters(p, dec, false);
	case TK_SUIT_CMD_VENDOR_IDENTIFIER:
	case TK_SUIT_CMD_CLASS_IDENTIFIER:
	case TK_SUIT_CMD_DEVICE_IDENTIFIER:
	case TK_SUIT_CMD_IMAGE_MATCH:
	case TK_SUIT_CMD_CHECK_CONTENT:
	case TK_SUIT_CMD_ABORT:
	case TK_SUIT_CMD_FETCH:
	case TK_SUIT_CMD_WRITE:
	case TK_SUIT_CMD_COPY:
	case TK_SUIT_CMD_UNLINK:
		return cmd_with_policy(p, dec, command);
	default:
		/* TODO: try-each, run-sequence, swap, invoke, slots and the
		 * dependency commands come with the full processor. */
		if (name != NULL)
			return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
						"command %s (%lld) is not supported",
						name, (long long)command);
		return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					"unknown command %lld", (long long)command);
	}
}

/*
 * SUIT_Command_Sequence = [ + (command: int, argument) ], a flat array of
 * pairs, at most TK_SUIT_MAX_COMMANDS of them.
 */
static tk_err run_sequence(struct processor *p, struct tk_span sequence,
			   const char *what)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	int64_t command = 0;
	size_t done = 0;
	tk_err err;

	/* With one component it is the current one; with more, the sequence
	 * must select one first (manifest-37 section 6.2). */
	p->selected = p->m->component_count == 1 ? 1u : 0u;

	err = tk_cbor_dec_init(&dec, sequence.ptr, sequence.len, TK_CBOR_STRICT, p->diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && (count == 0 || count % 2 != 0))
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "%s: command sequence of %llu items, expected "
				       "a non-empty list of pairs", what,
				       (unsigned long long)count);
	if (err == TK_OK && count / 2 > TK_SUIT_MAX_COMMANDS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT,
				       "%s: %llu commands, limit %d", what,
				       (unsigned long long)(count / 2), TK_SUIT_MAX_COMMANDS);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		err = tk_cbor_get_int(&dec, &command);
		if (err == TK_OK)
			err = run_command(p, &dec, command);
		done++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);

	if (err != TK_OK && p->diag != NULL && p->diag->code == err) {
		char msg[TK_DIAG_MSG_MAX];
		size_t n = strlen(p->diag->msg);

		/* Name where the failure happened; the message keeps the cause
		 * unless prefixing would cut it. */
		if (n + 48 < sizeof(msg)) {
			memcpy(msg, p->diag->msg, n + 1);
			(void)snprintf(p->diag->msg, sizeof(p->diag->msg),
				       "%.24s, command %zu: %.200s", what, done, msg);
		}
	}
	return err;
}

/* Sections. */

static struct tk_span find_section(const struct tk_suit_manifest *m,
				   enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++) {
		if (m->sections[i].section == section)
			return m->sections[i].sequence;
	}
	return TK_SPAN_EMPTY;
}

/* Fail when the manifest carries a section this procedure cannot run. */
static tk_err reject_section(struct processor *p, enum tk_suit_section section)
{
	if (find_section(p->m, section).len == 0)
		return TK_OK;
	return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
		       "manifest has a %s section, which is not supported yet",
		       tk_suit_section_name(section));
}

static tk_err run_section(struct processor *p, enum tk_suit_section section)
{
	struct tk_span sequence = find_section(p->m, section);

	if (sequence.len == 0)
		return TK_OK;
	return run_sequence(p, sequence, tk_suit_section_name(section));
}

/* Anti-rollback (manifest-37 sections 6.1 and 8.4.2). */
static tk_err check_rollback(struct processor *p)
{
	struct tk_span id = p->m->manifest_component_id;
	uint64_t stored = 0;
	bool found = false;
	tk_err err;

	if (id.len == 0)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "manifest has no manifest component id (key 5) to "
			       "key its sequence number");
	err = need_hook(p, (const void *)p->ops->get_sequence_number,
			"get_sequence_number");
	if (err == TK_OK)
		err = p->ops->get_sequence_number(p->ops->ctx, id.ptr, id.len, &stored,
						  &found, p->diag);
	if (err == TK_OK && found && p->m->sequence_number <= stored)
		err = TK_FAIL(p->diag, TK_ERR_ROLLBACK,
			      "manifest sequence number %llu is not higher than the "
			      "installed %llu",
			      (unsigned long long)p->m->sequence_number,
			      (unsigned long long)stored);
	return err;
}

/*
 * Store every staged component, then persist the sequence number. A fetched
 * image that no condition checked is rejected first: the manifest draft
 * leaves image-match to the author, but storing bytes that neither the
 * signature nor a digest covers would let whoever serves the URI choose
 * the trusted component.
 */
static tk_err commit_update(struct processor *p)
{
	struct tk_span mid = p->m->manifest_component_id;
	tk_err err = TK_OK;

	for (size_t i = 0; i < p->m->component_count; i++) {
		if (p->comps[i].staged && !p->comps[i].verified)
			return TK_FAIL(p->diag, TK_ERR_POLICY,
				       "component %zu was fetched but not checked "
				       "with image-match or check-content", i);
	}

	for (size_t i = 0; err == TK_OK && i < p->m->component_count; i++) {
		struct tk_span id = p->m->components[i];

		if (!p->comps[i].staged)
			continue;
		err = p->ops->store(p->ops->ctx, id.ptr, id.len, p->comps[i].image.ptr,
				    p->comps[i].image.len, p->m->sequence_number,
				    p->diag);
		if (err == TK_OK)
			tk_log(p->opts->log, TK_LOG_INFO, "suit",
			       "stored component %zu (%zu bytes) of manifest "
			       "sequence number %llu", i, p->comps[i].image.len,
			       (unsigned long long)p->m->sequence_number);
	}
	if (err == TK_OK)
		err = p->ops->set_sequence_number(p->ops->ctx, mid.ptr, mid.len,
						  p->m->sequence_number, p->diag);
	return err;
}

static tk_err run_update(struct processor *p)
{
	static const enum tk_suit_section steps[] = {
		TK_SUIT_SECTION_PAYLOAD_FETCH, TK_SUIT_SECTION_CANDIDATE_VERIFICATION,
		TK_SUIT_SECTION_INSTALL, TK_SUIT_SECTION_VALIDATE,
	};
	tk_err err;

	/* Hooks the commit needs are checked first, so a missing one cannot
	 * leave components stored without their sequence number. */
	err = need_hook(p, (const void *)p->ops->store, "store");
	if (err == TK_OK)
		err = need_hook(p, (const void *)p->ops->set_sequence_number,
				"set_sequence_number");
	if (err == TK_OK && p->m->has_dependencies)
		err = TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			      "manifest has dependencies, which are not supported yet");
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_DEPENDENCY_RESOLUTION);
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_LOAD);
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_INVOKE);
	if (err == TK_OK && p->m->severed_missing)
		err = TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			      "a severed section is missing from the envelope");
	if (err == TK_OK)
		err = check_rollback(p);

	if (err == TK_OK && p->m->shared_sequence.len > 0)
		err = run_sequence(p, p->m->shared_sequence, "shared sequence");
	for (size_t k = 0; err == TK_OK && k < sizeof(steps) / sizeof(steps[0]); k++)
		err = run_section(p, steps[k]);

	if (err == TK_OK)
		err = commit_update(p);
	return err;
}

static tk_err run_uninstall(struct processor *p)
{
	tk_err err = TK_OK;

	if (p->m->shared_sequence.len > 0)
		err = run_sequence(p, p->m->shared_sequence, "shared sequence");
	if (err == TK_OK)
		err = run_section(p, TK_SUIT_SECTION_UNINSTALL);
	return err;
}

tk_err tk_suit_process(const struct tk_suit_manifest *manifest,
		       enum tk_suit_procedure procedure,
		       const struct tk_suit_process_opts *opts, struct tk_diag *diag)
{
	struct processor p;
	tk_err err;

	if (manifest == NULL || opts == NULL || opts->ops == NULL ||
	    opts->crypto == NULL || (opts->work == NULL && opts->work_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "missing manifest, platform ops, crypto or work buffer");
	if (manifest->component_count == 0 ||
	    manifest->component_count > TK_SUIT_MAX_COMPONENTS)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest with %zu components",
			       manifest->component_count);

	memset(&p, 0, sizeof(p));
	p.m = manifest;
	p.opts = opts;
	p.ops = opts->ops;
	p.procedure = procedure;
	p.diag = diag;

	switch (procedure) {
	case TK_SUIT_PROCEDURE_UPDATE:
		err = run_update(&p);
		break;
	case TK_SUIT_PROCEDURE_UNINSTALL:
		err = run_uninstall(&p);
		break;
	case TK_SUIT_PROCEDURE_INVOKE:
		err = TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			      "the invocation procedure is not supported yet");
		break;
	default:
		err = TK_FAIL(diag, TK_ERR_ARG, "unknown procedure %d", (int)procedure);
		break;
	}

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
