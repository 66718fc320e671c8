/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parameters and the component index of the SUIT processor
 * (draft-ietf-suit-manifest-37 sections 8.4.8 and 8.4.10.1,
 * draft-ietf-suit-trust-domains-11 section 5.6.1): decoding
 * SUIT_Parameters, override-parameters, set-parameters (set only when
 * unset), set-component-index, and the encoding of consumed parameters for
 * report records.
 *
 * Parameter values stay views into the manifest that set them; raw[] keeps
 * each encoded value so a record can carry it unchanged.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "suit/tk_suit_process_impl.h"

/* RFC4122_UUID / cbor-pen = #6.112(bstr) */
static tk_err decode_vendor_id(struct tk_cbor_dec *dec, struct tk_span *out)
{
	bool found = false;
	tk_err err = TK_OK;

	if (tk_cbor_peek(dec) == TK_CBOR_TAG) {
		err = tk_cbor_skip_tag(dec, 112, &found);
		if (err == TK_OK && !found)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG, "vendor id tag is not 112");
	}
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, out);
	return err;
}

static tk_err decode_uuid(struct tk_cbor_dec *dec, int64_t key, struct tk_span *out)
{
	tk_err err = tk_cbor_get_bstr(dec, out);

	if (err == TK_OK && out->len != TK_SUIT_UUID_LEN)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "UUID parameter %lld of %zu bytes, expected 16",
				       (long long)key, out->len);
	return err;
}

/* A bstr parameter that must contain one well-formed CBOR item. */
static tk_err decode_bstr_cbor(struct tk_cbor_dec *dec, const char *what, struct tk_span *out)
{
	tk_err err = tk_cbor_get_bstr(dec, out);

	if (err == TK_OK && tk_cbor_check(out->ptr, out->len, TK_CBOR_STRICT, NULL) != TK_OK)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE, "%s is not one CBOR item", what);
	return err;
}

/* Processor parameters: strict-order and soft-failure (section 8.4.8.14
 * and 8.4.8.15). */
static tk_err decode_processor_param(struct tk_suit_exec *x, struct tk_cbor_dec *dec,
				     int64_t key)
{
	bool flag = false;
	tk_err err = tk_cbor_get_bool(dec, &flag);

	if (err != TK_OK || key == TK_SUIT_PARAM_STRICT_ORDER)
		return err; /* commands always run in order, valid for either value */
	if (!x->nested)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"soft-failure set outside try-each or run-sequence");
	x->soft_failure = flag;
	return TK_OK;
}

/* Decode one parameter value into *out. */
static tk_err decode_parameter(struct tk_suit_exec *x, struct tk_cbor_dec *dec, int64_t key,
			       struct tk_suit_params *out)
{
	tk_err err;

	switch (key) {
	case TK_SUIT_PARAM_VENDOR_ID:
		return decode_vendor_id(dec, &out->vendor_id);
	case TK_SUIT_PARAM_CLASS_ID:
		return decode_uuid(dec, key, &out->class_id);
	case TK_SUIT_PARAM_DEVICE_ID:
		return decode_uuid(dec, key, &out->device_id);
	case TK_SUIT_PARAM_IMAGE_DIGEST: {
		struct tk_span bytes;

		err = tk_cbor_get_bstr(dec, &bytes);
		if (err == TK_OK)
			err = tk_suit_digest_decode(bytes.ptr, bytes.len, &out->digest, x->p->diag);
		out->has_digest = err == TK_OK;
		return err;
	}
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
		err = tk_cbor_get_uint(dec, &out->slot);
		out->has_slot = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_FETCH_ARGUMENTS:
		err = tk_cbor_get_bstr(dec, &out->fetch_arguments);
		out->has_fetch_arguments = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_INVOKE_ARGS:
		err = tk_cbor_get_bstr(dec, &out->invoke_args);
		out->has_invoke_args = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_ENCRYPTION_INFO:
		err = decode_bstr_cbor(dec, "encryption-info", &out->encryption_info);
		out->has_encryption_info = err == TK_OK;
		return err;
	case TK_SUIT_PARAM_STRICT_ORDER:
	case TK_SUIT_PARAM_SOFT_FAILURE:
		return decode_processor_param(x, dec, key);
	default:
		/* Custom parameters only hint at custom commands, which fail
		 * anyway (section 8.4.8.16); skipping them changes nothing. */
		if (key < 0)
			return tk_cbor_skip(dec);
		return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED, "unknown parameter %lld",
					(long long)key);
	}
}

/* Take a span parameter from `from` unless `to` has one and !override. */
static void merge_span(struct tk_span *to, struct tk_span from, bool override)
{
	if (from.len > 0 && (override || to->len == 0))
		*to = from;
}

#define MERGE_FLAGGED(to, from, flag, field, override)                         \
	do {                                                                   \
		if ((from)->flag && ((override) || !(to)->flag)) {             \
			(to)->flag = true;                                     \
			(to)->field = (from)->field;                           \
		}                                                              \
	} while (0)

/* Copy the parameters set in `from` onto `to`; with `override` false the
 * ones already set in `to` are kept (set-parameters). */
static void merge_params(struct tk_suit_params *to, const struct tk_suit_params *from,
			 bool override)
{
	merge_span(&to->vendor_id, from->vendor_id, override);
	merge_span(&to->class_id, from->class_id, override);
	merge_span(&to->device_id, from->device_id, override);
	merge_span(&to->uri, from->uri, override);
	MERGE_FLAGGED(to, from, has_digest, digest, override);
	MERGE_FLAGGED(to, from, has_size, size, override);
	MERGE_FLAGGED(to, from, has_content, content, override);
	MERGE_FLAGGED(to, from, has_source, source, override);
	MERGE_FLAGGED(to, from, has_slot, slot, override);
	MERGE_FLAGGED(to, from, has_invoke_args, invoke_args, override);
	MERGE_FLAGGED(to, from, has_fetch_arguments, fetch_arguments, override);
	MERGE_FLAGGED(to, from, has_encryption_info, encryption_info, override);
	for (size_t k = 0; k < sizeof(to->raw) / sizeof(to->raw[0]); k++)
		merge_span(&to->raw[k], from->raw[k], override);
}

void tk_suit_params_inherit(struct tk_suit_params *to, const struct tk_suit_params *from)
{
	struct tk_suit_params given = *from;

	/* These describe the dependency envelope itself, not its payloads. */
	given.has_digest = false;
	given.has_size = false;
	given.uri = TK_SPAN_EMPTY;
	given.has_content = false;
	given.has_encryption_info = false;
	given.raw[TK_SUIT_PARAM_IMAGE_DIGEST] = TK_SPAN_EMPTY;
	given.raw[TK_SUIT_PARAM_IMAGE_SIZE] = TK_SPAN_EMPTY;
	given.raw[TK_SUIT_PARAM_URI] = TK_SPAN_EMPTY;
	given.raw[TK_SUIT_PARAM_CONTENT] = TK_SPAN_EMPTY;
	given.raw[TK_SUIT_PARAM_ENCRYPTION_INFO] = TK_SPAN_EMPTY;
	merge_params(to, &given, false);
}

/* override-parameters and set-parameters: {+ $$SUIT_Parameters} */
tk_err tk_suit_cmd_parameters(struct tk_suit_exec *x, struct tk_cbor_dec *dec, bool override)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_suit_params given;
	struct tk_suit_key key;
	uint64_t count = 0;
	size_t start;
	tk_err err;

	memset(&given, 0, sizeof(given));
	err = tk_cbor_enter_map(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "empty parameter map");
	while (err == TK_OK && tk_cbor_more(dec)) {
		err = tk_suit_map_key(dec, &order, &key);
		if (err == TK_OK && key.type == TK_CBOR_TSTR)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "parameter key is a text string");
		start = tk_cbor_offset(dec);
		if (err == TK_OK)
			err = decode_parameter(x, dec, key.value, &given);
		if (err == TK_OK && key.value >= 0 &&
		    key.value < (int64_t)(sizeof(given.raw) / sizeof(given.raw[0])))
			given.raw[key.value] = tk_span_make(dec->buf + start,
							    tk_cbor_offset(dec) - start);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	if (err == TK_OK && x->selected == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "parameters set before set-component-index in a manifest "
				       "with %zu component indices", x->f->slot_count);

	for (size_t i = 0; err == TK_OK && i < x->f->slot_count; i++) {
		if (x->selected & (UINT64_C(1) << i))
			merge_params(&x->f->comps[i].params, &given, override);
	}
	return err;
}

/* One index of set-component-index: a component or a dependency slot. */
static tk_err check_index(struct tk_suit_exec *x, struct tk_cbor_dec *dec, uint64_t index)
{
	if (index >= x->f->slot_count ||
	    (index >= x->f->m->component_count && !x->f->comps[index].is_dependency))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"component index %llu, manifest has %zu components "
					"and %zu dependencies", (unsigned long long)index,
					x->f->m->component_count, x->f->m->dependency_count);
	return TK_OK;
}

/* set-component-index: uint / true / [+ uint] (section 6.5) */
tk_err tk_suit_cmd_set_component_index(struct tk_suit_exec *x, struct tk_cbor_dec *dec)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);
	uint64_t selected = 0, index = 0, n = 0;
	bool all = false;
	tk_err err;

	if (type == TK_CBOR_TRUE || type == TK_CBOR_FALSE) {
		err = tk_cbor_get_bool(dec, &all);
		if (err == TK_OK && !all)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE, "component index false");
		for (size_t i = 0; err == TK_OK && i < x->f->slot_count; i++) {
			if (i < x->f->m->component_count || x->f->comps[i].is_dependency)
				selected |= UINT64_C(1) << i;
		}
	} else if (type == TK_CBOR_ARRAY) {
		err = tk_cbor_enter_array(dec, &n);
		if (err == TK_OK && n == 0)
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "empty component index list");
		while (err == TK_OK && tk_cbor_more(dec)) {
			err = tk_cbor_get_uint(dec, &index);
			if (err == TK_OK)
				err = check_index(x, dec, index);
			if (err == TK_OK)
				selected |= UINT64_C(1) << index;
		}
		if (err == TK_OK)
			err = tk_cbor_leave(dec);
	} else {
		err = tk_cbor_get_uint(dec, &index);
		if (err == TK_OK)
			err = check_index(x, dec, index);
		if (err == TK_OK)
			selected = UINT64_C(1) << index;
	}
	if (err == TK_OK)
		x->selected = selected;
	return err;
}

void tk_suit_record_params(struct tk_suit_exec *x, size_t i, const int64_t *keys,
			   size_t key_count)
{
	const struct tk_suit_params *params = &x->f->comps[i].params;
	struct tk_cbor_enc enc;
	size_t pairs = 0, len = 0;

	for (size_t k = 0; k < key_count; k++)
		pairs += params->raw[keys[k]].len > 0;
	x->properties = TK_SPAN_EMPTY;
	if (pairs == 0)
		return;
	tk_cbor_enc_init(&enc, x->props, sizeof(x->props), NULL);
	tk_cbor_put_map(&enc, pairs);
	for (size_t k = 0; k < key_count; k++) {
		struct tk_span raw = params->raw[keys[k]];

		if (raw.len == 0)
			continue;
		tk_cbor_put_int(&enc, keys[k]);
		tk_cbor_put_raw(&enc, raw.ptr, raw.len);
	}
	/* Properties that do not fit are left out of the record rather
	 * than cut. */
	if (tk_cbor_enc_finish(&enc, &len) == TK_OK)
		x->properties = tk_span_make(x->props, len);
}
