/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoding half of the general envelope builder (tk_suit_build.h): the
 * manifest, its command sequences, parameters, text and the severable
 * members, written with the CBOR encoder. Every map goes through the
 * encoder's sorted-map region, so the output is in canonical order whatever
 * the order of the description. tk_suit_build_sign.c checks the
 * description first, so these writers assume valid counts and depths.
 *
 * The CDDL written here (draft-ietf-suit-manifest-37 section 8,
 * draft-ietf-suit-trust-domains-11 section 5):
 *
 *   SUIT_Manifest = { 1: 1, 2: uint, 3: bstr .cbor SUIT_Common,
 *                     ? 4: tstr, ? 5: SUIT_Component_Identifier,
 *                     * section-key => bstr .cbor SUIT_Command_Sequence
 *                                      / SUIT_Digest (severed),
 *                     ? 23: bstr .cbor SUIT_Text_Map / SUIT_Digest }
 *   SUIT_Common = { ? 1: { + uint => { ? 1: SUIT_Component_Identifier } },
 *                   ? 2: [ + SUIT_Component_Identifier ],
 *                   ? 4: bstr .cbor SUIT_Command_Sequence }
 *   SUIT_Command_Sequence = [ + (command: int, argument) ]
 */
#include "suit/tk_suit_build_impl.h"

#include <string.h>

#include "suit/tk_suit_impl.h"

static void put_sequence(struct tk_cbor_enc *enc, const struct tk_suit_build_sequence *seq);

static void put_value(struct tk_cbor_enc *enc, const struct tk_suit_build_value *v)
{
	switch (v->kind) {
	case TK_SUIT_VALUE_UINT:
		tk_cbor_put_uint(enc, v->uint);
		break;
	case TK_SUIT_VALUE_INT:
		tk_cbor_put_int(enc, v->sint);
		break;
	case TK_SUIT_VALUE_BOOL:
		tk_cbor_put_bool(enc, v->boolean);
		break;
	case TK_SUIT_VALUE_BSTR:
		tk_cbor_put_bstr(enc, v->bytes.ptr, v->bytes.len);
		break;
	case TK_SUIT_VALUE_TSTR:
		tk_cbor_put_tstr(enc, (const char *)v->bytes.ptr, v->bytes.len);
		break;
	case TK_SUIT_VALUE_RAW:
		tk_cbor_put_raw(enc, v->bytes.ptr, v->bytes.len);
		break;
	case TK_SUIT_VALUE_WRAPPED:
		tk_cbor_put_bstr_begin(enc);
		tk_cbor_put_raw(enc, v->bytes.ptr, v->bytes.len);
		tk_cbor_put_bstr_end(enc);
		break;
	case TK_SUIT_VALUE_DIGEST:
		tk_cbor_put_bstr_begin(enc);
		tk_cbor_put_array(enc, 2);
		tk_cbor_put_int(enc, v->sint);
		tk_cbor_put_bstr(enc, v->bytes.ptr, v->bytes.len);
		tk_cbor_put_bstr_end(enc);
		break;
	}
}

static void put_params(struct tk_cbor_enc *enc, const struct tk_suit_build_param *params,
		       size_t count)
{
	tk_cbor_put_map(enc, count);
	tk_cbor_map_sort_begin(enc);
	for (size_t i = 0; i < count; i++) {
		tk_cbor_put_int(enc, params[i].key);
		put_value(enc, &params[i].value);
	}
	tk_cbor_map_sort_end(enc, count);
}

static void put_wrapped_sequence(struct tk_cbor_enc *enc,
				 const struct tk_suit_build_sequence *seq)
{
	tk_cbor_put_bstr_begin(enc);
	put_sequence(enc, seq);
	tk_cbor_put_bstr_end(enc);
}

static void put_argument(struct tk_cbor_enc *enc, const struct tk_suit_build_command *cmd)
{
	switch (cmd->kind) {
	case TK_SUIT_ARG_UINT:
		tk_cbor_put_uint(enc, cmd->uint);
		break;
	case TK_SUIT_ARG_TRUE:
		tk_cbor_put_bool(enc, true);
		break;
	case TK_SUIT_ARG_INDICES:
		tk_cbor_put_array(enc, cmd->index_count);
		for (size_t i = 0; i < cmd->index_count; i++)
			tk_cbor_put_uint(enc, cmd->indices[i]);
		break;
	case TK_SUIT_ARG_PARAMS:
		put_params(enc, cmd->params, cmd->param_count);
		break;
	case TK_SUIT_ARG_TRY_EACH:
		tk_cbor_put_array(enc, cmd->sequence_count + (cmd->try_each_nil ? 1 : 0));
		for (size_t i = 0; i < cmd->sequence_count; i++)
			put_wrapped_sequence(enc, &cmd->sequences[i]);
		if (cmd->try_each_nil)
			tk_cbor_put_null(enc);
		break;
	case TK_SUIT_ARG_SEQUENCE:
		put_wrapped_sequence(enc, &cmd->sequences[0]);
		break;
	case TK_SUIT_ARG_RAW:
		tk_cbor_put_raw(enc, cmd->raw.ptr, cmd->raw.len);
		break;
	}
}

/* The depth of try-each and run-sequence is bounded by the checks. */
static void put_sequence(struct tk_cbor_enc *enc, const struct tk_suit_build_sequence *seq)
{
	tk_cbor_put_array(enc, 2 * (uint64_t)seq->count);
	for (size_t i = 0; i < seq->count; i++) {
		tk_cbor_put_int(enc, seq->commands[i].command);
		put_argument(enc, &seq->commands[i]);
	}
}

static void put_text_fields(struct tk_cbor_enc *enc,
			    const struct tk_suit_build_text_field *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		tk_cbor_put_int(enc, fields[i].key);
		tk_cbor_put_tstr(enc, (const char *)fields[i].text.ptr, fields[i].text.len);
	}
}

/* SUIT_Text_Map = { + tag38-ltag => SUIT_Text_LMap } */
static void put_text_map(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc)
{
	tk_cbor_put_map(enc, desc->text_lang_count);
	tk_cbor_map_sort_begin(enc);
	for (size_t i = 0; i < desc->text_lang_count; i++) {
		const struct tk_suit_build_text_lang *lang = &desc->text[i];
		size_t pairs = lang->field_count + lang->component_count;

		tk_cbor_put_tstr(enc, (const char *)lang->tag.ptr, lang->tag.len);
		tk_cbor_put_map(enc, pairs);
		tk_cbor_map_sort_begin(enc);
		put_text_fields(enc, lang->fields, lang->field_count);
		for (size_t c = 0; c < lang->component_count; c++) {
			const struct tk_suit_build_text_component *comp = &lang->components[c];

			tk_cbor_put_raw(enc, comp->id.ptr, comp->id.len);
			tk_cbor_put_map(enc, comp->field_count);
			tk_cbor_map_sort_begin(enc);
			put_text_fields(enc, comp->fields, comp->field_count);
			tk_cbor_map_sort_end(enc, comp->field_count);
		}
		tk_cbor_map_sort_end(enc, pairs);
	}
	tk_cbor_map_sort_end(enc, desc->text_lang_count);
}

void tk_suit_build_put_severable(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc,
				 int64_t key)
{
	tk_cbor_put_bstr_begin(enc);
	if (key == TK_SUIT_MAN_TEXT) {
		put_text_map(enc, desc);
	} else {
		for (size_t i = 0; i < desc->section_count; i++) {
			if (desc->sections[i].key == key)
				put_sequence(enc, &desc->sections[i].sequence);
		}
	}
	tk_cbor_put_bstr_end(enc);
}

static void put_common(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc)
{
	uint64_t pairs = 1 + (desc->dependency_count > 0) + desc->has_shared_sequence;

	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_map(enc, pairs);
	tk_cbor_map_sort_begin(enc);
	if (desc->dependency_count > 0) {
		tk_cbor_put_uint(enc, TK_SUIT_COMMON_DEPENDENCIES);
		tk_cbor_put_map(enc, desc->dependency_count);
		tk_cbor_map_sort_begin(enc);
		for (size_t i = 0; i < desc->dependency_count; i++) {
			const struct tk_suit_build_dependency *dep = &desc->dependencies[i];

			tk_cbor_put_uint(enc, dep->index);
			tk_cbor_put_map(enc, dep->prefix.len > 0 ? 1 : 0);
			if (dep->prefix.len > 0) {
				tk_cbor_put_uint(enc, TK_SUIT_DEPENDENCY_PREFIX);
				tk_cbor_put_raw(enc, dep->prefix.ptr, dep->prefix.len);
			}
		}
		tk_cbor_map_sort_end(enc, desc->dependency_count);
	}
	tk_cbor_put_uint(enc, TK_SUIT_COMMON_COMPONENTS);
	tk_cbor_put_array(enc, desc->component_count);
	for (size_t i = 0; i < desc->component_count; i++)
		tk_cbor_put_raw(enc, desc->components[i].ptr, desc->components[i].len);
	if (desc->has_shared_sequence) {
		tk_cbor_put_uint(enc, TK_SUIT_COMMON_SHARED_SEQUENCE);
		put_wrapped_sequence(enc, &desc->shared_sequence);
	}
	tk_cbor_map_sort_end(enc, pairs);
	tk_cbor_put_bstr_end(enc);
}

static void put_digest(struct tk_cbor_enc *enc, const uint8_t digest[TK_SUIT_DIGEST_LEN])
{
	tk_cbor_put_array(enc, 2);
	tk_cbor_put_int(enc, TK_SUIT_ALG_SHA256);
	tk_cbor_put_bstr(enc, digest, TK_SUIT_DIGEST_LEN);
}

/* Manifest value of a severable member: its digest when severed. */
static void put_member(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc,
		       int64_t key, bool severed, const struct tk_suit_build_severed *digests)
{
	tk_cbor_put_int(enc, key);
	if (!severed) {
		tk_suit_build_put_severable(enc, desc, key);
		return;
	}
	for (size_t i = 0; i < digests->count; i++) {
		if (digests->keys[i] == key)
			put_digest(enc, digests->digests[i]);
	}
}

void tk_suit_build_put_manifest(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc,
				const struct tk_suit_build_severed *digests)
{
	uint64_t pairs = 3 + (desc->reference_uri.len > 0) +
			 (desc->manifest_component_id.len > 0) + desc->section_count +
			 (desc->text_lang_count > 0);

	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_map(enc, pairs);
	tk_cbor_map_sort_begin(enc);
	tk_cbor_put_uint(enc, TK_SUIT_MAN_VERSION);
	tk_cbor_put_uint(enc, desc->manifest_version);
	tk_cbor_put_uint(enc, TK_SUIT_MAN_SEQUENCE_NUMBER);
	tk_cbor_put_uint(enc, desc->sequence_number);
	tk_cbor_put_uint(enc, TK_SUIT_MAN_COMMON);
	put_common(enc, desc);
	if (desc->reference_uri.len > 0) {
		tk_cbor_put_uint(enc, TK_SUIT_MAN_REFERENCE_URI);
		tk_cbor_put_tstr(enc, (const char *)desc->reference_uri.ptr,
				 desc->reference_uri.len);
	}
	if (desc->manifest_component_id.len > 0) {
		tk_cbor_put_uint(enc, TK_SUIT_MAN_COMPONENT_ID);
		tk_cbor_put_raw(enc, desc->manifest_component_id.ptr,
				desc->manifest_component_id.len);
	}
	for (size_t i = 0; i < desc->section_count; i++)
		put_member(enc, desc, desc->sections[i].key, desc->sections[i].severed, digests);
	if (desc->text_lang_count > 0)
		put_member(enc, desc, TK_SUIT_MAN_TEXT, desc->text_severed, digests);
	tk_cbor_map_sort_end(enc, pairs);
	tk_cbor_put_bstr_end(enc);
}
