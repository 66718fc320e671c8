/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conditions, directives and parameter commands of the SUIT processor
 * (draft-ietf-suit-manifest-37 sections 8.4.8 to 8.4.10), each applied to
 * one component. Staged images live in the envelope (integrated payloads,
 * parameter content) or in the caller's work buffer (fetched and copied
 * bytes). Conditions read them through a sink, so the installed image can
 * be streamed from the platform the same way.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_process_impl.h"

/* Sink that appends to the work buffer. */
struct stage_sink {
	struct tk_suit_processor *p;
	size_t start;
	uint64_t max;  /* bytes accepted */
	size_t len;
};

static tk_err stage_write(void *ctx, const uint8_t *chunk, size_t len,
			  struct tk_diag *diag)
{
	struct stage_sink *s = ctx;
	struct tk_suit_processor *p = s->p;

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
static struct tk_span staged_view(const struct tk_suit_processor *p,
				  const struct stage_sink *s)
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
			       struct tk_suit_params *out, struct tk_diag *diag)
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

/* Copy the parameters set in `from` onto `to`. With
 * `override` false, parameters already set in `to` are kept. */
static void merge_params(struct tk_suit_params *to, const struct tk_suit_params *from,
			 bool override)
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
tk_err tk_suit_cmd_parameters(struct tk_suit_processor *p, struct tk_cbor_dec *dec,
			      bool override)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_suit_key key;
	struct tk_suit_params given;
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
tk_err tk_suit_cmd_set_component_index(struct tk_suit_processor *p, struct tk_cbor_dec *dec)
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

tk_err tk_suit_need_hook(struct tk_suit_processor *p, const void *hook, const char *name)
{
	if (hook == NULL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "platform has no %s hook", name);
	return TK_OK;
}

/* vendor-identifier, class-identifier, device-identifier */
static tk_err cond_identifier(struct tk_suit_processor *p, size_t i, int64_t command)
{
	const struct tk_suit_params *params = &p->comps[i].params;
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
	err = tk_suit_need_hook(p, (const void *)p->ops->check_identifier, "check_identifier");
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
static tk_err read_image(struct tk_suit_processor *p, size_t i,
			 const struct tk_suit_sink *sink)
{
	struct tk_span id = p->m->components[i];
	tk_err err;

	if (p->comps[i].staged)
		return sink->write(sink->ctx, p->comps[i].image.ptr,
				   p->comps[i].image.len, p->diag);
	err = tk_suit_need_hook(p, (const void *)p->ops->read, "read");
	if (err == TK_OK)
		err = p->ops->read(p->ops->ctx, id.ptr, id.len, sink, p->diag);
	return err;
}

/* image-match: SHA-256 of the image against suit-parameter-image-digest,
 * and its length against suit-parameter-image-size when set. */
static tk_err cond_image_match(struct tk_suit_processor *p, size_t i)
{
	const struct tk_suit_params *params = &p->comps[i].params;
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
static tk_err cond_check_content(struct tk_suit_processor *p, size_t i)
{
	const struct tk_suit_params *params = &p->comps[i].params;
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
static uint64_t image_limit(const struct tk_suit_params *params)
{
	uint64_t limit = TK_SUIT_MAX_IMAGE_SIZE;

	if (params->has_size && params->size < limit)
		limit = params->size;
	return limit;
}

/* Fetch an integrated payload: the URI is "#name", an envelope key. */
static tk_err fetch_integrated(struct tk_suit_processor *p, size_t i, struct tk_span uri)
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
static tk_err fetch_remote(struct tk_suit_processor *p, size_t i, struct tk_span uri)
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
	err = tk_suit_need_hook(p, (const void *)p->ops->fetch, "fetch");
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

static tk_err dir_fetch(struct tk_suit_processor *p, size_t i)
{
	struct tk_span uri = p->comps[i].params.uri;

	if (uri.len == 0)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "fetch: no URI set for component %zu", i);
	if (uri.ptr[0] == '#')
		return fetch_integrated(p, i, uri);
	return fetch_remote(p, i, uri);
}

static tk_err dir_write(struct tk_suit_processor *p, size_t i)
{
	const struct tk_suit_params *params = &p->comps[i].params;

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

static tk_err dir_copy(struct tk_suit_processor *p, size_t i)
{
	const struct tk_suit_params *params = &p->comps[i].params;
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
static tk_err dir_unlink(struct tk_suit_processor *p, size_t i)
{
	struct tk_span id = p->m->components[i];
	tk_err err;

	if (p->procedure != TK_SUIT_PROCEDURE_UNINSTALL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "unlink is supported only in the uninstall procedure");
	err = tk_suit_need_hook(p, (const void *)p->ops->unlink, "unlink");
	if (err == TK_OK)
		err = p->ops->unlink(p->ops->ctx, id.ptr, id.len, p->diag);
	return err;
}

/* Run one component-scoped command on component i. */
tk_err tk_suit_run_on_component(struct tk_suit_processor *p, int64_t command, size_t i)
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
