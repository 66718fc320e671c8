/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the TEEP message decoder (tk_teep_msg.c), encoder
 * (tk_teep_msg_enc.c) and list iterators (tk_teep_msg_iter.c): the option
 * tables, the list entry readers and the limits they apply. Not part of
 * the public interface.
 */
#ifndef TK_TEEP_MSG_IMPL_H
#define TK_TEEP_MSG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_span.h"
#include "teep/tk_teep_msg.h"

/*
 * TEEP messages are decoded in preferred serialization without indefinite
 * lengths. The draft does not require it, but it is what the TAM and agent
 * send, and it makes decode then encode reproduce the input byte for byte.
 */
#define TEEP_CBOR_FLAGS TK_CBOR_STRICT

/* Most options a message type defines (Error has 9 besides token). */
#define MAX_OPTIONS 12

/* Room for an entry name such as "requested-tc-list[4095].component-id". */
#define NAME_MAX_LEN 64

/* Label 0 of system-property-claims, and the SUIT parameter it may carry. */
#define SYSTEM_COMPONENT_ID 0
#define SUIT_PARAMETER_IMAGE_DIGEST 3

/* Kind of a field, which decides how it is read, checked and written. */
enum field_kind {
	FIELD_TOKEN,          /* bstr .size (8..64) */
	FIELD_CHALLENGE,      /* bstr .size (8..512) */
	FIELD_MSG,            /* text .size (1..128): msg, err-msg */
	FIELD_ERR_LANG,       /* text .size (1..35) */
	FIELD_TEXT,           /* text, any length, with a has_ flag */
	FIELD_BSTR,           /* bstr, any length, with a has_ flag */
	FIELD_VERSION,        /* uint .size 4 (uint32_t), with a has_ flag */
	FIELD_ERR_CODE,       /* err-code: uint, not 0, with a has_ flag */
	FIELD_UINT_LIST,      /* [+ uint] */
	FIELD_VERSION_LIST,   /* [+ uint .size 4] */
	FIELD_CBOR_BSTR_LIST, /* [+ bstr .cbor any] */
	FIELD_ID_LIST,        /* [+ SUIT_Component_Identifier] */
	FIELD_PROFILE_LIST,   /* [+ $suit-cose-profile] */
	FIELD_SUITE_LIST,     /* [+ $teep-cipher-suite] */
	FIELD_TC_LIST,        /* [+ system-property-claims] */
	FIELD_REQUESTED_LIST, /* [+ requested-tc-info] */
};

/* One option of a message type. */
struct option {
	uint64_t label;
	enum field_kind kind;
	void *field;  /* struct tk_span, uint32_t, uint64_t or list struct, by kind */
	bool *has;    /* presence flag of FIELD_TEXT, _BSTR, _VERSION, _ERR_CODE */
};

/* Decoding state shared by the decoder's readers and the iterators. */
struct reader {
	struct tk_cbor_dec *dec;
	const uint8_t *buf;   /* start of the input, for raw views */
	struct tk_diag *diag;
};

/* Reads one list entry into out (may be NULL to only check it). */
typedef tk_err (*entry_reader)(struct reader *r, const char *name, void *out);

/* Enter an array of at least `min` and at most TK_TEEP_MAX_LIST_COUNT entries. */
TK_MUST_CHECK tk_err tk_teep_msg_enter_array(struct reader *r, const char *name,
					     uint64_t min, uint64_t *count);

/* Entry readers, of type entry_reader, shared by the decoder and the iterators. */
TK_MUST_CHECK tk_err tk_teep_msg_read_uint_entry(struct reader *r, const char *name,
						 void *out);
TK_MUST_CHECK tk_err tk_teep_msg_read_cbor_bstr_entry(struct reader *r, const char *name,
						      void *out);
TK_MUST_CHECK tk_err tk_teep_msg_read_suite(struct reader *r, const char *name, void *out);
TK_MUST_CHECK tk_err tk_teep_msg_read_tc_claims(struct reader *r, const char *name,
						void *out);
TK_MUST_CHECK tk_err tk_teep_msg_read_requested_tc(struct reader *r, const char *name,
						   void *out);

/* The raw view and count of a list field, by kind. */
void tk_teep_msg_list_view(enum field_kind kind, void *field, struct tk_span **raw,
			   size_t **count);

/*
 * Fill o (room for MAX_OPTIONS) with the option table of msg->type, token
 * first then by label, and return its size, 0 if the type is unknown.
 */
size_t tk_teep_msg_message_options(struct tk_teep_msg *msg, struct option *o);

/* Number of array elements of each type: type, options, positional fields. */
uint64_t tk_teep_msg_message_length(enum tk_teep_type type);

#endif /* TK_TEEP_MSG_IMPL_H */
