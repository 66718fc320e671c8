/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoder of the five TEEP messages.
 *
 * It walks the option table of the message type, which the decoder in
 * tk_teep_msg.c also uses, and writes the options that are present in
 * table order. A list, cipher suite or system-property-claims entry is
 * copied from its raw view when that is set, otherwise written from its
 * fields.
 *
 * The encoder checks its output by decoding it, so the two sides cannot
 * drift apart. A call that only computes the length (out == NULL) skips
 * that check.
 */
#include "teep/tk_teep_msg.h"

#include "teep/tk_teep_msg_impl.h"
#include "teep/tk_teep_names.h"

static bool option_present(const struct option *opt)
{
	struct tk_span *raw;
	size_t *count;

	switch (opt->kind) {
	case FIELD_TOKEN:
	case FIELD_CHALLENGE:
	case FIELD_MSG:
	case FIELD_ERR_LANG:
		return ((const struct tk_span *)opt->field)->len > 0;
	case FIELD_TEXT:
	case FIELD_BSTR:
	case FIELD_VERSION:
	case FIELD_ERR_CODE:
		return *opt->has;
	default:
		tk_teep_msg_list_view(opt->kind, opt->field, &raw, &count);
		return raw->len > 0 || *count > 0;
	}
}

static void write_suite(struct tk_cbor_enc *enc, const struct tk_teep_cipher_suite *s)
{
	if (s->raw.len > 0) {
		tk_cbor_put_raw(enc, s->raw.ptr, s->raw.len);
		return;
	}
	tk_cbor_put_array(enc, 1);
	tk_cbor_put_array(enc, 2);
	tk_cbor_put_int(enc, s->cose_type);
	tk_cbor_put_int(enc, s->alg);
}

static void write_tc_claims(struct tk_cbor_enc *enc, const struct tk_teep_tc_claims *c)
{
	if (c->raw.len > 0) {
		tk_cbor_put_raw(enc, c->raw.ptr, c->raw.len);
		return;
	}
	tk_cbor_put_map(enc, 2);
	tk_cbor_put_uint(enc, SYSTEM_COMPONENT_ID);
	tk_cbor_put_raw(enc, c->component_id.ptr, c->component_id.len);
	tk_cbor_put_uint(enc, SUIT_PARAMETER_IMAGE_DIGEST);
	tk_cbor_put_bstr(enc, c->image_digest.ptr, c->image_digest.len);
}

static void write_requested_tc(struct tk_cbor_enc *enc,
			       const struct tk_teep_requested_tc *tc)
{
	tk_cbor_put_map(enc, 1u + tc->has_sequence_number + tc->has_have_binary);
	tk_cbor_put_uint(enc, TK_TEEP_LABEL_COMPONENT_ID);
	tk_cbor_put_raw(enc, tc->component_id.ptr, tc->component_id.len);
	if (tc->has_sequence_number) {
		tk_cbor_put_uint(enc, TK_TEEP_LABEL_TC_MANIFEST_SEQUENCE_NUMBER);
		tk_cbor_put_uint(enc, tc->sequence_number);
	}
	if (tc->has_have_binary) {
		tk_cbor_put_uint(enc, TK_TEEP_LABEL_HAVE_BINARY);
		tk_cbor_put_bool(enc, tc->have_binary);
	}
}

/* Write entry i of a list given as items. The kind selects the items array. */
static void write_entry(struct tk_cbor_enc *enc, enum field_kind kind,
			const void *field, size_t i)
{
	switch (kind) {
	case FIELD_UINT_LIST:
	case FIELD_VERSION_LIST:
		tk_cbor_put_uint(enc, ((const struct tk_teep_uint_list *)field)->items[i]);
		break;
	case FIELD_CBOR_BSTR_LIST: {
		const struct tk_span *item =
			&((const struct tk_teep_span_list *)field)->items[i];
		tk_cbor_put_bstr(enc, item->ptr, item->len);
		break;
	}
	case FIELD_SUITE_LIST:
		write_suite(enc, &((const struct tk_teep_suite_list *)field)->items[i]);
		break;
	case FIELD_TC_LIST:
		write_tc_claims(enc, &((const struct tk_teep_tc_list *)field)->items[i]);
		break;
	case FIELD_REQUESTED_LIST:
		write_requested_tc(enc,
				   &((const struct tk_teep_requested_tc_list *)field)->items[i]);
		break;
	default: { /* FIELD_ID_LIST, FIELD_PROFILE_LIST: encoded items */
		const struct tk_span *item =
			&((const struct tk_teep_span_list *)field)->items[i];
		tk_cbor_put_raw(enc, item->ptr, item->len);
		break;
	}
	}
}

/* The items pointer of a list field, to catch a count without items. */
static const void *list_items(enum field_kind kind, const void *field)
{
	switch (kind) {
	case FIELD_UINT_LIST:
	case FIELD_VERSION_LIST:
		return ((const struct tk_teep_uint_list *)field)->items;
	case FIELD_SUITE_LIST:
		return ((const struct tk_teep_suite_list *)field)->items;
	case FIELD_TC_LIST:
		return ((const struct tk_teep_tc_list *)field)->items;
	case FIELD_REQUESTED_LIST:
		return ((const struct tk_teep_requested_tc_list *)field)->items;
	default:
		return ((const struct tk_teep_span_list *)field)->items;
	}
}

static tk_err write_list(struct tk_cbor_enc *enc, const char *name, enum field_kind kind,
			 void *field, struct tk_diag *diag)
{
	struct tk_span *raw;
	size_t *count;

	tk_teep_msg_list_view(kind, field, &raw, &count);
	if (raw->len > 0) {
		tk_cbor_put_raw(enc, raw->ptr, raw->len);
		return TK_OK;
	}
	if (*count > 0 && list_items(kind, field) == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s has count %zu but no items", name,
			       *count);
	tk_cbor_put_array(enc, *count);
	for (size_t i = 0; i < *count; i++)
		write_entry(enc, kind, field, i);
	return TK_OK;
}

static tk_err write_option(struct tk_cbor_enc *enc, const struct option *opt,
			   struct tk_diag *diag)
{
	const struct tk_span *span = opt->field;

	tk_cbor_put_uint(enc, opt->label);
	switch (opt->kind) {
	case FIELD_TOKEN:
	case FIELD_CHALLENGE:
	case FIELD_BSTR:
		tk_cbor_put_bstr(enc, span->ptr, span->len);
		return TK_OK;
	case FIELD_MSG:
	case FIELD_ERR_LANG:
	case FIELD_TEXT:
		tk_cbor_put_tstr(enc, (const char *)span->ptr, span->len);
		return TK_OK;
	case FIELD_VERSION:
		tk_cbor_put_uint(enc, *(const uint32_t *)opt->field);
		return TK_OK;
	case FIELD_ERR_CODE:
		tk_cbor_put_uint(enc, *(const uint64_t *)opt->field);
		return TK_OK;
	default:
		return write_list(enc, tk_teep_label_name(opt->label), opt->kind,
				  opt->field, diag);
	}
}

static tk_err write_message(struct tk_cbor_enc *enc, struct tk_teep_msg *msg,
			    struct tk_diag *diag)
{
	struct tk_teep_query_request *qr = &msg->query_request;
	struct option options[MAX_OPTIONS];
	size_t n = tk_teep_msg_message_options(msg, options), present = 0;
	tk_err err = TK_OK;

	if (n == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "unknown TEEP message type %d",
			       (int)msg->type);
	for (size_t i = 0; i < n; i++)
		present += option_present(&options[i]);

	tk_cbor_put_array(enc, tk_teep_msg_message_length(msg->type));
	tk_cbor_put_uint(enc, msg->type);
	tk_cbor_put_map(enc, present);
	for (size_t i = 0; err == TK_OK && i < n; i++)
		if (option_present(&options[i]))
			err = write_option(enc, &options[i], diag);

	if (err != TK_OK)
		return err;

	/* Positional fields after the options map. */
	if (msg->type == TK_TEEP_TYPE_QUERY_REQUEST) {
		err = write_list(enc, "supported-teep-cipher-suites", FIELD_SUITE_LIST,
				 &qr->supported_teep_cipher_suites, diag);
		if (err == TK_OK)
			err = write_list(enc, "supported-suit-cose-profiles",
					 FIELD_PROFILE_LIST,
					 &qr->supported_suit_cose_profiles, diag);
		tk_cbor_put_uint(enc, qr->data_item_requested);
	} else if (msg->type == TK_TEEP_TYPE_ERROR) {
		tk_cbor_put_uint(enc, msg->error.err_code);
	}
	return err;
}

tk_err tk_teep_encode(const struct tk_teep_msg *msg, uint8_t *out, size_t out_cap,
		      size_t *out_len, struct tk_diag *diag)
{
	/* A copy, so the option tables can point into it. Its spans still borrow. */
	struct tk_teep_msg copy = *msg;
	struct tk_teep_msg check;
	struct tk_cbor_enc enc;
	size_t len = 0;
	tk_err err;

	*out_len = 0;
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	err = write_message(&enc, &copy, diag);
	if (err == TK_OK)
		err = tk_cbor_enc_finish(&enc, &len);

	/* Check the output against every rule of the decoder. */
	if (err == TK_OK && out != NULL)
		err = tk_teep_decode(out, len, &check, diag);

	if (err == TK_OK)
		*out_len = len;
	return err;
}
