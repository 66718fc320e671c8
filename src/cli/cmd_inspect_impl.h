/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of `teep inspect`, shared by cmd_inspect.c (the command and
 * the validators) and cmd_inspect_classify.c (recognition of an input).
 */
#ifndef TK_CLI_INSPECT_IMPL_H
#define TK_CLI_INSPECT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "tk_cli.h"

/* CBOR tags of the COSE objects without a constant in tk_cose.h. */
#define COSE_TAG_ENCRYPT0 16
#define COSE_TAG_ENCRYPT 96
#define COSE_TAG_MAC 97

/* Kind of object the input was recognised as. */
enum kind {
	KIND_UNKNOWN = 0,
	KIND_TEEP,
	KIND_SUIT,
	KIND_COSE_SIGN1,
	KIND_COSE_SIGN,
	KIND_COSE_MAC0,
	KIND_COSE_MAC,
	KIND_COSE_ENCRYPT0,
	KIND_COSE_ENCRYPT,
	KIND_EAT_CLAIMS,
	KIND_SUIT_REPORT,
};

/* Outer shape of the input, read without validating the content. */
struct shape {
	uint64_t tags[2];          /* outermost first */
	unsigned tag_count;        /* tags read, at most 2 */
	enum tk_cbor_type type;    /* type under the tags */
	uint64_t count;            /* array elements or map pairs */
	enum tk_cbor_type elem[5]; /* array: types of the first elements */
	struct tk_span protected_hdr;   /* array: element 0 when a bstr */
	struct tk_span unprotected_hdr; /* array: element 1 when a map, encoded */
	bool has_key2;             /* map: integer key 2 present */
	bool has_key3;             /* map: integer key 3 present */
	bool has_key99;            /* map: suit-reference (99) present */
};

/* Read the outer shape of a well-formed item at buf[0..len) into *s. */
void tk_cli_inspect_read_shape(const uint8_t *buf, size_t len, struct shape *s);

/* Name the kind of object an input of shape *s is, or KIND_UNKNOWN. */
enum kind tk_cli_inspect_classify(const struct shape *s);

#endif /* TK_CLI_INSPECT_IMPL_H */
