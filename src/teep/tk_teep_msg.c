/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder of the five TEEP messages.
 *
 * Each message type has a table of its options (label, kind of field,
 * where the field lives in the struct). The decoder looks up each label of
 * the options map in the table and skips labels it does not find. The kind
 * decides how a field is read and checked, so a bound is stated once per
 * kind. The encoder in tk_teep_msg_enc.c walks the same tables, which
 * tk_teep_msg_impl.h declares.
 *
 * Lists are checked entry by entry by the same readers the iterators in
 * tk_teep_msg_iter.c use, and kept as raw views.
 */
#include "teep/tk_teep_msg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "teep/tk_teep_msg_impl.h"
#include "teep/tk_teep_names.h"

/* The SUIT COSE profiles of draft-ietf-suit-mti, encoded. */
const uint8_t tk_teep_profile_sha256_esp256_ecdh_a128ctr[8] = {
	0x84, 0x2f, 0x28, 0x38, 0x1c, 0x39, 0xff, 0xfd}; /* [-16, -9, -29, -65534] */
const uint8_t tk_teep_profile_sha256_ed25519_ecdh_a128ctr[8] = {
	0x84, 0x2f, 0x32, 0x38, 0x1c, 0x39, 0xff, 0xfd}; /* [-16, -19, -29, -65534] */
const uint8_t tk_teep_profile_sha256_esp256_ecdh_a128gcm[6] = {
	0x84, 0x2f, 0x28, 0x38, 0x1c, 0x01};             /* [-16, -9, -29, 1] */
const uint8_t tk_teep_profile_sha256_ed25519_ecdh_chacha_poly[7] = {
	0x84, 0x2f, 0x32, 0x38, 0x1c, 0x18, 0x18};       /* [-16, -19, -29, 24] */

static const char *type_name(enum tk_cbor_type type)
{
	static const char *const names[] = {
		[TK_CBOR_UINT] = "an unsigned integer",
		[TK_CBOR_NINT] = "a negative integer",
		[TK_CBOR_BSTR] = "a byte string",
		[TK_CBOR_TSTR] = "a text string",
		[TK_CBOR_ARRAY] = "an array",
		[TK_CBOR_MAP] = "a map",
		[TK_CBOR_TAG] = "a tag",
		[TK_CBOR_SIMPLE] = "a simple value",
		[TK_CBOR_FALSE] = "false",
		[TK_CBOR_TRUE] = "true",
		[TK_CBOR_NULL] = "null",
		[TK_CBOR_UNDEFINED] = "undefined",
		[TK_CBOR_FLOAT] = "a float",
		[TK_CBOR_NONE] = "missing",
	};

	if ((size_t)type >= sizeof(names) / sizeof(names[0]) || names[type] == NULL)
		return "an unknown item";
	return names[type];
}

static size_t offset_of(const struct reader *r)
{
	return tk_cbor_offset(r->dec);
}

static struct tk_span view_from(const struct reader *r, size_t start)
{
	return tk_span_make(r->buf + start, offset_of(r) - start);
}

/* Fail unless the next item has type `want`. An absent item is missing. */
static tk_err expect_type(struct reader *r, const char *name, enum tk_cbor_type want)
{
	enum tk_cbor_type type = tk_cbor_peek(r->dec);

	if (type == want)
		return TK_OK;
	if (type == TK_CBOR_NONE)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_MISSING, offset_of(r),
				  "%s is missing", name);
	return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_TYPE, offset_of(r), "%s is %s, expected %s",
			  name, type_name(type), type_name(want));
}

static tk_err expect_bool(struct reader *r, const char *name)
{
	if (tk_cbor_peek(r->dec) == TK_CBOR_TRUE)
		return TK_OK;
	return expect_type(r, name, TK_CBOR_FALSE);
}

/* Read an int (major type 0 or 1) that fits int64_t. */
static tk_err read_int(struct reader *r, const char *name, int64_t *out)
{
	if (tk_cbor_peek(r->dec) != TK_CBOR_NINT) {
		tk_err err = expect_type(r, name, TK_CBOR_UINT);
		if (err != TK_OK)
			return err;
	}
	return tk_cbor_get_int(r->dec, out);
}

static tk_err read_uint(struct reader *r, const char *name, uint64_t *out)
{
	tk_err err = expect_type(r, name, TK_CBOR_UINT);

	if (err != TK_OK)
		return err;
	return tk_cbor_get_uint(r->dec, out);
}

/* uint .size 4: versions, selected-version and ext-info. */
static tk_err read_uint32(struct reader *r, const char *name, uint32_t *out)
{
	size_t at = offset_of(r);
	uint64_t value = 0;
	tk_err err = read_uint(r, name, &value);

	if (err != TK_OK)
		return err;
	if (value > UINT32_MAX)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_VALUE, at,
				  "%s %" PRIu64 " does not fit in 4 bytes", name, value);
	*out = (uint32_t)value;
	return TK_OK;
}

/* err-code: the draft reserves 0, and other unknown values are kept. */
static tk_err read_err_code(struct reader *r, const char *name, uint64_t *out)
{
	size_t at = offset_of(r);
	tk_err err = read_uint(r, name, out);

	if (err != TK_OK)
		return err;
	if (*out == 0)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_VALUE, at,
				  "%s 0 is reserved and must not be used", name);
	return TK_OK;
}

/* A byte or text string whose length is within [min, max]. */
static tk_err read_string(struct reader *r, const char *name, enum tk_cbor_type type,
			  size_t min, size_t max, struct tk_span *out)
{
	size_t at = offset_of(r);
	tk_err err = expect_type(r, name, type);

	if (err != TK_OK)
		return err;
	err = type == TK_CBOR_BSTR ? tk_cbor_get_bstr(r->dec, out)
				   : tk_cbor_get_tstr(r->dec, out);
	if (err != TK_OK)
		return err;
	if (out->len < min)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, at,
				  "%s length %zu is below %zu", name, out->len, min);
	if (out->len > max)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, at,
				  "%s length %zu is above %zu", name, out->len, max);
	return TK_OK;
}

/* Enter an array of at least `min` and at most TK_TEEP_MAX_LIST_COUNT entries. */
tk_err tk_teep_msg_enter_array(struct reader *r, const char *name, uint64_t min,
			       uint64_t *count)
{
	size_t at = offset_of(r);
	tk_err err = expect_type(r, name, TK_CBOR_ARRAY);

	if (err != TK_OK)
		return err;
	err = tk_cbor_enter_array(r->dec, count);
	if (err != TK_OK)
		return err;
	if (*count < min)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, at,
				  "%s has %" PRIu64 " entries, expected at least %" PRIu64,
				  name, *count, min);
	if (*count > TK_TEEP_MAX_LIST_COUNT)
		return TK_FAIL_AT(r->diag, TK_ERR_LIMIT_COUNT, at,
				  "%s has %" PRIu64 " entries, above the limit of %d",
				  name, *count, TK_TEEP_MAX_LIST_COUNT);
	return TK_OK;
}

/* ---- list entries ------------------------------------------------------ */

tk_err tk_teep_msg_read_uint_entry(struct reader *r, const char *name, void *out)
{
	uint64_t value = 0;
	tk_err err = read_uint(r, name, &value);

	if (err == TK_OK && out != NULL)
		*(uint64_t *)out = value;
	return err;
}

static tk_err read_uint32_entry(struct reader *r, const char *name, void *out)
{
	uint32_t value = 0;
	tk_err err = read_uint32(r, name, &value);

	if (err == TK_OK && out != NULL)
		*(uint64_t *)out = value;
	return err;
}

/* bstr .cbor X: a byte string holding exactly one well-formed item. */
static tk_err read_cbor_bstr(struct reader *r, const char *name, struct tk_span *out)
{
	size_t at = offset_of(r);
	struct tk_diag inner;
	tk_err err = read_string(r, name, TK_CBOR_BSTR, 0, SIZE_MAX, out);

	if (err != TK_OK)
		return err;
	tk_diag_clear(&inner);
	err = tk_cbor_check(out->ptr, out->len, TK_CBOR_ALLOW_ALL, &inner);
	if (err != TK_OK)
		return TK_FAIL_AT(r->diag, err, at,
				  "%s does not hold one well-formed CBOR item: %s",
				  name, inner.msg);
	return TK_OK;
}

tk_err tk_teep_msg_read_cbor_bstr_entry(struct reader *r, const char *name, void *out)
{
	struct tk_span content;
	tk_err err = read_cbor_bstr(r, name, &content);

	if (err == TK_OK && out != NULL)
		*(struct tk_span *)out = content;
	return err;
}

/* SUIT_Component_Identifier = [* bstr]. out receives the encoded array. */
static tk_err read_component_id(struct reader *r, const char *name, void *out)
{
	size_t start = offset_of(r);
	uint64_t count = 0;
	struct tk_span part;
	tk_err err = tk_teep_msg_enter_array(r, name, 0, &count);

	for (uint64_t i = 0; err == TK_OK && i < count; i++) {
		err = expect_type(r, name, TK_CBOR_BSTR);
		if (err == TK_OK)
			err = tk_cbor_get_bstr(r->dec, &part);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err == TK_OK && out != NULL)
		*(struct tk_span *)out = view_from(r, start);
	return err;
}

/* $suit-cose-profile: an array of COSE algorithm ids, e.g. [-16, -9, -29, -65534]. */
static tk_err read_profile(struct reader *r, const char *name, void *out)
{
	size_t start = offset_of(r);
	uint64_t count = 0;
	int64_t alg;
	tk_err err = tk_teep_msg_enter_array(r, name, 1, &count);

	for (uint64_t i = 0; err == TK_OK && i < count; i++)
		err = read_int(r, name, &alg);
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err == TK_OK && out != NULL)
		*(struct tk_span *)out = view_from(r, start);
	return err;
}

/* One cipher suite operation: [COSE type, COSE algorithm]. */
static tk_err read_operation(struct reader *r, const char *name, int64_t *cose_type,
			     int64_t *alg)
{
	size_t at = offset_of(r);
	uint64_t count = 0;
	tk_err err = tk_teep_msg_enter_array(r, name, 2, &count);

	if (err != TK_OK)
		return err;
	if (count != 2)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, at,
				  "%s operation has %" PRIu64 " elements, expected 2",
				  name, count);
	err = read_int(r, name, cose_type);
	if (err == TK_OK)
		err = read_int(r, name, alg);
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	return err;
}

/* $teep-cipher-suite = [+ [cose-type, cose-alg]] (draft section "TEEP Messages"). */
tk_err tk_teep_msg_read_suite(struct reader *r, const char *name, void *out)
{
	struct tk_teep_cipher_suite suite = {0};
	size_t start = offset_of(r);
	uint64_t count = 0;
	int64_t cose_type, alg;
	tk_err err = tk_teep_msg_enter_array(r, name, 1, &count);

	for (uint64_t i = 0; err == TK_OK && i < count; i++) {
		err = read_operation(r, name, &cose_type, &alg);
		if (err == TK_OK && i == 0) {
			suite.cose_type = cose_type;
			suite.alg = alg;
		}
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err == TK_OK && out != NULL) {
		suite.op_count = (size_t)count;
		suite.raw = view_from(r, start);
		*(struct tk_teep_cipher_suite *)out = suite;
	}
	return err;
}

/*
 * system-property-claims = { system-component-id => SUIT_Component_Identifier,
 *                            + $$SUIT_Parameters } (draft-ietf-suit-report).
 */
tk_err tk_teep_msg_read_tc_claims(struct reader *r, const char *name, void *out)
{
	struct tk_teep_tc_claims claims = {0};
	char field[NAME_MAX_LEN];
	size_t start = offset_of(r);
	uint64_t pairs = 0;
	int64_t key = 0;
	bool have_id = false;
	tk_err err = expect_type(r, name, TK_CBOR_MAP);

	if (err == TK_OK)
		err = tk_cbor_enter_map(r->dec, &pairs);
	while (err == TK_OK && tk_cbor_more(r->dec)) {
		err = read_int(r, name, &key);
		if (err != TK_OK)
			break;
		if (key == SYSTEM_COMPONENT_ID) {
			snprintf(field, sizeof(field), "%s.system-component-id", name);
			err = read_component_id(r, field, &claims.component_id);
			have_id = true;
		} else if (key == SUIT_PARAMETER_IMAGE_DIGEST) {
			snprintf(field, sizeof(field), "%s.image-digest", name);
			err = read_cbor_bstr(r, field, &claims.image_digest);
		} else {
			err = tk_cbor_skip(r->dec);
		}
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err != TK_OK)
		return err;

	if (!have_id)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_MISSING, start,
				  "%s has no system-component-id (0)", name);
	if (pairs < 2)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, start,
				  "%s has no SUIT parameter besides system-component-id",
				  name);
	claims.raw = view_from(r, start);
	if (out != NULL)
		*(struct tk_teep_tc_claims *)out = claims;
	return TK_OK;
}

/* One label of requested-tc-info. Unknown labels are skipped. */
static tk_err read_requested_field(struct reader *r, const char *name, uint64_t label,
				   struct tk_teep_requested_tc *tc, bool *have_id)
{
	char field[NAME_MAX_LEN];

	switch (label) {
	case TK_TEEP_LABEL_COMPONENT_ID:
		*have_id = true;
		snprintf(field, sizeof(field), "%s.component-id", name);
		return read_component_id(r, field, &tc->component_id);
	case TK_TEEP_LABEL_TC_MANIFEST_SEQUENCE_NUMBER:
		tc->has_sequence_number = true;
		snprintf(field, sizeof(field), "%s.tc-manifest-sequence-number", name);
		return read_uint(r, field, &tc->sequence_number);
	case TK_TEEP_LABEL_HAVE_BINARY: {
		tk_err err;

		tc->has_have_binary = true;
		snprintf(field, sizeof(field), "%s.have-binary", name);
		err = expect_bool(r, field);
		return err != TK_OK ? err : tk_cbor_get_bool(r->dec, &tc->have_binary);
	}
	default:
		return tk_cbor_skip(r->dec);
	}
}

/*
 * requested-tc-info = { component-id => SUIT_Component_Identifier,
 *                       ? tc-manifest-sequence-number => uint,
 *                       ? have-binary => bool }
 */
tk_err tk_teep_msg_read_requested_tc(struct reader *r, const char *name, void *out)
{
	struct tk_teep_requested_tc tc = {0};
	size_t start = offset_of(r);
	uint64_t pairs = 0, label = 0;
	bool have_id = false;
	tk_err err = expect_type(r, name, TK_CBOR_MAP);

	if (err == TK_OK)
		err = tk_cbor_enter_map(r->dec, &pairs);
	while (err == TK_OK && tk_cbor_more(r->dec)) {
		err = read_uint(r, "requested-tc-info label", &label);
		if (err == TK_OK)
			err = read_requested_field(r, name, label, &tc, &have_id);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err != TK_OK)
		return err;

	if (!have_id)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_MISSING, start,
				  "%s has no component-id", name);
	/* "If have-binary is true, the tc-manifest-sequence-number field MUST be present." */
	if (tc.have_binary && !tc.has_sequence_number)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_MISSING, start,
				  "%s has have-binary true but no tc-manifest-sequence-number",
				  name);
	if (out != NULL)
		*(struct tk_teep_requested_tc *)out = tc;
	return TK_OK;
}

/* ---- lists and options ------------------------------------------------- */

static entry_reader list_entry_reader(enum field_kind kind)
{
	switch (kind) {
	case FIELD_UINT_LIST:
		return tk_teep_msg_read_uint_entry;
	case FIELD_VERSION_LIST:
		return read_uint32_entry;
	case FIELD_CBOR_BSTR_LIST:
		return tk_teep_msg_read_cbor_bstr_entry;
	case FIELD_ID_LIST:
		return read_component_id;
	case FIELD_PROFILE_LIST:
		return read_profile;
	case FIELD_SUITE_LIST:
		return tk_teep_msg_read_suite;
	case FIELD_TC_LIST:
		return tk_teep_msg_read_tc_claims;
	case FIELD_REQUESTED_LIST:
		return tk_teep_msg_read_requested_tc;
	default:
		return NULL;
	}
}

/* The raw view and count of a list field, by kind. */
void tk_teep_msg_list_view(enum field_kind kind, void *field, struct tk_span **raw,
			   size_t **count)
{
	switch (kind) {
	case FIELD_UINT_LIST:
	case FIELD_VERSION_LIST: {
		struct tk_teep_uint_list *list = field;
		*raw = &list->raw;
		*count = &list->count;
		break;
	}
	case FIELD_SUITE_LIST: {
		struct tk_teep_suite_list *list = field;
		*raw = &list->raw;
		*count = &list->count;
		break;
	}
	case FIELD_TC_LIST: {
		struct tk_teep_tc_list *list = field;
		*raw = &list->raw;
		*count = &list->count;
		break;
	}
	case FIELD_REQUESTED_LIST: {
		struct tk_teep_requested_tc_list *list = field;
		*raw = &list->raw;
		*count = &list->count;
		break;
	}
	default: { /* FIELD_CBOR_BSTR_LIST, FIELD_ID_LIST, FIELD_PROFILE_LIST */
		struct tk_teep_span_list *list = field;
		*raw = &list->raw;
		*count = &list->count;
		break;
	}
	}
}

/* A non-empty list: check every entry, keep the raw array and its count. */
static tk_err read_list(struct reader *r, const char *name, enum field_kind kind,
			void *field)
{
	entry_reader read_entry = list_entry_reader(kind);
	char entry[NAME_MAX_LEN];
	size_t start = offset_of(r);
	uint64_t count = 0;
	struct tk_span *raw;
	size_t *list_count;
	tk_err err = tk_teep_msg_enter_array(r, name, 1, &count);

	for (uint64_t i = 0; err == TK_OK && i < count; i++) {
		snprintf(entry, sizeof(entry), "%s[%" PRIu64 "]", name, i);
		err = read_entry(r, entry, NULL);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	if (err != TK_OK)
		return err;

	tk_teep_msg_list_view(kind, field, &raw, &list_count);
	*raw = view_from(r, start);
	*list_count = (size_t)count;
	return TK_OK;
}

static tk_err read_option(struct reader *r, const struct option *opt)
{
	const char *name = tk_teep_label_name(opt->label);

	if (opt->has != NULL)
		*opt->has = true;
	switch (opt->kind) {
	case FIELD_TOKEN:
		return read_string(r, name, TK_CBOR_BSTR, TK_TEEP_TOKEN_MIN,
				   TK_TEEP_TOKEN_MAX, opt->field);
	case FIELD_CHALLENGE:
		return read_string(r, name, TK_CBOR_BSTR, TK_TEEP_CHALLENGE_MIN,
				   TK_TEEP_CHALLENGE_MAX, opt->field);
	case FIELD_MSG:
		return read_string(r, name, TK_CBOR_TSTR, TK_TEEP_MSG_MIN,
				   TK_TEEP_MSG_MAX, opt->field);
	case FIELD_ERR_LANG:
		return read_string(r, name, TK_CBOR_TSTR, TK_TEEP_ERR_LANG_MIN,
				   TK_TEEP_ERR_LANG_MAX, opt->field);
	case FIELD_TEXT:
		return read_string(r, name, TK_CBOR_TSTR, 0, SIZE_MAX, opt->field);
	case FIELD_BSTR:
		return read_string(r, name, TK_CBOR_BSTR, 0, SIZE_MAX, opt->field);
	case FIELD_VERSION:
		return read_uint32(r, name, opt->field);
	case FIELD_ERR_CODE:
		return read_err_code(r, name, opt->field);
	default:
		return read_list(r, name, opt->kind, opt->field);
	}
}

/* ---- option tables, token first then by label, as the encoder writes ---- */

#define OPTION(label, kind, field, has) \
	((struct option){TK_TEEP_LABEL_##label, (kind), (field), (has)})

static size_t query_request_options(struct tk_teep_query_request *m, struct option *o)
{
	size_t n = 0;

	o[n++] = OPTION(TOKEN, FIELD_TOKEN, &m->token, NULL);
	o[n++] = OPTION(CHALLENGE, FIELD_CHALLENGE, &m->challenge, NULL);
	o[n++] = OPTION(VERSIONS, FIELD_VERSION_LIST, &m->versions, NULL);
	o[n++] = OPTION(ATTESTATION_PAYLOAD, FIELD_BSTR, &m->attestation_payload,
			&m->has_attestation_payload);
	o[n++] = OPTION(ATTESTATION_PAYLOAD_FORMAT, FIELD_TEXT,
			&m->attestation_payload_format,
			&m->has_attestation_payload_format);
	o[n++] = OPTION(SUIT_REPORTS, FIELD_CBOR_BSTR_LIST, &m->suit_reports, NULL);
	o[n++] = OPTION(SUPPORTED_FRESHNESS_MECHANISMS, FIELD_UINT_LIST,
			&m->supported_freshness_mechanisms, NULL);
	return n;
}

static size_t query_response_options(struct tk_teep_query_response *m, struct option *o)
{
	size_t n = 0;

	o[n++] = OPTION(TOKEN, FIELD_TOKEN, &m->token, NULL);
	o[n++] = OPTION(SELECTED_VERSION, FIELD_VERSION, &m->selected_version,
			&m->has_selected_version);
	o[n++] = OPTION(ATTESTATION_PAYLOAD, FIELD_BSTR, &m->attestation_payload,
			&m->has_attestation_payload);
	o[n++] = OPTION(TC_LIST, FIELD_TC_LIST, &m->tc_list, NULL);
	o[n++] = OPTION(EXT_LIST, FIELD_VERSION_LIST, &m->ext_list, NULL);
	o[n++] = OPTION(ATTESTATION_PAYLOAD_FORMAT, FIELD_TEXT,
			&m->attestation_payload_format,
			&m->has_attestation_payload_format);
	o[n++] = OPTION(REQUESTED_TC_LIST, FIELD_REQUESTED_LIST, &m->requested_tc_list,
			NULL);
	o[n++] = OPTION(UNNEEDED_MANIFEST_LIST, FIELD_ID_LIST, &m->unneeded_manifest_list,
			NULL);
	o[n++] = OPTION(SUIT_REPORTS, FIELD_CBOR_BSTR_LIST, &m->suit_reports, NULL);
	return n;
}

static size_t update_options(struct tk_teep_update *m, struct option *o)
{
	size_t n = 0;

	o[n++] = OPTION(TOKEN, FIELD_TOKEN, &m->token, NULL);
	o[n++] = OPTION(ATTESTATION_PAYLOAD, FIELD_BSTR, &m->attestation_payload,
			&m->has_attestation_payload);
	o[n++] = OPTION(MANIFEST_LIST, FIELD_CBOR_BSTR_LIST, &m->manifest_list, NULL);
	o[n++] = OPTION(ERR_MSG, FIELD_MSG, &m->err_msg, NULL);
	o[n++] = OPTION(ATTESTATION_PAYLOAD_FORMAT, FIELD_TEXT,
			&m->attestation_payload_format,
			&m->has_attestation_payload_format);
	o[n++] = OPTION(UNNEEDED_MANIFEST_LIST, FIELD_ID_LIST, &m->unneeded_manifest_list,
			NULL);
	o[n++] = OPTION(ERR_LANG, FIELD_ERR_LANG, &m->err_lang, NULL);
	o[n++] = OPTION(ERR_CODE, FIELD_ERR_CODE, &m->err_code, &m->has_err_code);
	return n;
}

static size_t success_options(struct tk_teep_success *m, struct option *o)
{
	size_t n = 0;

	o[n++] = OPTION(TOKEN, FIELD_TOKEN, &m->token, NULL);
	o[n++] = OPTION(MSG, FIELD_MSG, &m->msg, NULL);
	o[n++] = OPTION(SUIT_REPORTS, FIELD_CBOR_BSTR_LIST, &m->suit_reports, NULL);
	return n;
}

static size_t error_options(struct tk_teep_error *m, struct option *o)
{
	size_t n = 0;

	o[n++] = OPTION(TOKEN, FIELD_TOKEN, &m->token, NULL);
	o[n++] = OPTION(SUPPORTED_TEEP_CIPHER_SUITES, FIELD_SUITE_LIST,
			&m->supported_teep_cipher_suites, NULL);
	o[n++] = OPTION(CHALLENGE, FIELD_CHALLENGE, &m->challenge, NULL);
	o[n++] = OPTION(VERSIONS, FIELD_VERSION_LIST, &m->versions, NULL);
	o[n++] = OPTION(SUPPORTED_SUIT_COSE_PROFILES, FIELD_PROFILE_LIST,
			&m->supported_suit_cose_profiles, NULL);
	o[n++] = OPTION(ERR_MSG, FIELD_MSG, &m->err_msg, NULL);
	o[n++] = OPTION(SUIT_REPORTS, FIELD_CBOR_BSTR_LIST, &m->suit_reports, NULL);
	o[n++] = OPTION(SUPPORTED_FRESHNESS_MECHANISMS, FIELD_UINT_LIST,
			&m->supported_freshness_mechanisms, NULL);
	o[n++] = OPTION(ERR_LANG, FIELD_ERR_LANG, &m->err_lang, NULL);
	return n;
}

/* Fill o with the option table of msg->type and return its size, 0 if unknown. */
size_t tk_teep_msg_message_options(struct tk_teep_msg *msg, struct option *o)
{
	switch (msg->type) {
	case TK_TEEP_TYPE_QUERY_REQUEST:
		return query_request_options(&msg->query_request, o);
	case TK_TEEP_TYPE_QUERY_RESPONSE:
		return query_response_options(&msg->query_response, o);
	case TK_TEEP_TYPE_UPDATE:
		return update_options(&msg->update, o);
	case TK_TEEP_TYPE_SUCCESS:
		return success_options(&msg->success, o);
	case TK_TEEP_TYPE_ERROR:
		return error_options(&msg->error, o);
	}
	return 0;
}

/* Number of array elements of each type: type, options, positional fields. */
uint64_t tk_teep_msg_message_length(enum tk_teep_type type)
{
	switch (type) {
	case TK_TEEP_TYPE_QUERY_REQUEST:
		return 5;
	case TK_TEEP_TYPE_ERROR:
		return 3;
	case TK_TEEP_TYPE_QUERY_RESPONSE:
	case TK_TEEP_TYPE_UPDATE:
	case TK_TEEP_TYPE_SUCCESS:
		return 2;
	}
	return 0;
}

/*
 * options: { * teep-option }, teep-option = (uint => any). Labels the
 * message type does not define are skipped, because the draft recommends
 * treating unrecognized labels as unknown optional parameters.
 */
static tk_err read_options(struct reader *r, struct tk_teep_msg *msg)
{
	struct option options[MAX_OPTIONS];
	size_t n = tk_teep_msg_message_options(msg, options);
	uint64_t pairs = 0, label = 0;
	tk_err err = expect_type(r, "options", TK_CBOR_MAP);

	if (err == TK_OK)
		err = tk_cbor_enter_map(r->dec, &pairs);
	while (err == TK_OK && tk_cbor_more(r->dec)) {
		const struct option *found = NULL;

		err = read_uint(r, "option label", &label);
		for (size_t i = 0; err == TK_OK && i < n && found == NULL; i++)
			if (options[i].label == label)
				found = &options[i];
		if (err == TK_OK)
			err = found != NULL ? read_option(r, found) : tk_cbor_skip(r->dec);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	return err;
}

/*
 * The fields after the options map:
 *   query-request: supported-teep-cipher-suites, supported-suit-cose-profiles,
 *                  data-item-requested
 *   error:         err-code
 */
static tk_err read_positional(struct reader *r, struct tk_teep_msg *msg)
{
	struct tk_teep_query_request *qr = &msg->query_request;
	tk_err err;

	switch (msg->type) {
	case TK_TEEP_TYPE_QUERY_REQUEST:
		err = read_list(r, "supported-teep-cipher-suites", FIELD_SUITE_LIST,
				&qr->supported_teep_cipher_suites);
		if (err == TK_OK)
			err = read_list(r, "supported-suit-cose-profiles",
					FIELD_PROFILE_LIST,
					&qr->supported_suit_cose_profiles);
		if (err == TK_OK)
			err = read_uint(r, "data-item-requested", &qr->data_item_requested);
		return err;
	case TK_TEEP_TYPE_ERROR:
		return read_err_code(r, "err-code", &msg->error.err_code);
	default:
		return TK_OK;
	}
}

/* teep-message-framework = [ type, options, * any ] narrowed to each type. */
static tk_err read_message(struct reader *r, struct tk_teep_msg *msg)
{
	size_t start = offset_of(r), type_at = 0;
	uint64_t count = 0, type = 0, expected;
	const char *name;
	tk_err err = expect_type(r, "TEEP message", TK_CBOR_ARRAY);

	if (err == TK_OK)
		err = tk_cbor_enter_array(r->dec, &count);
	type_at = offset_of(r);
	if (err == TK_OK)
		err = read_uint(r, "message type", &type);
	if (err != TK_OK)
		return err;

	/*
	 * Types 0..23 fit the enum, and tk_teep_msg_message_length() is 0 for
	 * reserved ones.
	 */
	expected = type <= 23 ? tk_teep_msg_message_length((enum tk_teep_type)type) : 0;
	name = tk_teep_type_name(type);
	if (expected == 0 || name == NULL)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_UNKNOWN, type_at,
				  "unknown TEEP message type %" PRIu64, type);
	if (count != expected)
		return TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, start,
				  "%s has %" PRIu64 " elements, expected %" PRIu64,
				  name, count, expected);
	msg->type = (enum tk_teep_type)type;

	err = read_options(r, msg);
	if (err == TK_OK)
		err = read_positional(r, msg);
	if (err == TK_OK)
		err = tk_cbor_leave(r->dec);
	return err;
}

tk_err tk_teep_decode(const uint8_t *buf, size_t len, struct tk_teep_msg *out,
		      struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct reader r = {&dec, buf, diag};
	struct tk_teep_msg msg;
	tk_err err;

	memset(&msg, 0, sizeof(msg));
	err = tk_cbor_dec_init(&dec, buf, len, TEEP_CBOR_FLAGS, diag);
	if (err == TK_OK)
		err = read_message(&r, &msg);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);

	if (err == TK_OK)
		*out = msg;
	else
		memset(out, 0, sizeof(*out));
	return err;
}
