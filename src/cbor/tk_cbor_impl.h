/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the CBOR encoder, validator, pull decoder and
 * diagnostic printer: the item head, float conversions, UTF-8 validation
 * and a bounds-checked skip. Not part of the public interface.
 *
 * Every item starts with a head (RFC 8949 section 3): an initial byte with
 * the major type in its top 3 bits and the additional information (AI) in
 * the low 5, followed by 0, 1, 2, 4 or 8 bytes of argument for AI 24-27.
 */
#ifndef TK_CBOR_IMPL_H
#define TK_CBOR_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"

/* Additional information values with a meaning of their own. */
#define TK_CBOR_AI_1BYTE 24
#define TK_CBOR_AI_8BYTE 27
#define TK_CBOR_AI_INDEFINITE 31

/* Simple values (major type 7, RFC 8949 section 3.3). */
#define TK_CBOR_SIMPLE_FALSE 20
#define TK_CBOR_SIMPLE_TRUE 21
#define TK_CBOR_SIMPLE_NULL 22
#define TK_CBOR_SIMPLE_UNDEFINED 23

/* The break stop code that ends an indefinite-length item. */
#define TK_CBOR_BREAK 0xff

/* Decoded head of one item. */
struct tk_cbor_head {
	uint8_t major;  /* 0-7 */
	uint8_t ai;     /* additional information, 0-31 */
	uint64_t arg;   /* argument: value, length, count, tag or float bits;
			   0 for AI 31 */
	size_t pos;     /* offset of the initial byte */
	size_t size;    /* bytes of the head, 1-9 */
};

/*
 * Read the head at buf[pos]. Fails with TK_ERR_CBOR_TRUNCATED when the
 * argument runs past len and TK_ERR_CBOR_RESERVED_AI for AI 28-30. No other
 * rule is checked here.
 */
tk_err tk_cbor_head_read(const uint8_t *buf, size_t len, size_t pos,
			 struct tk_cbor_head *head, struct tk_diag *diag);

/* Type the decoder reports for an item with this head. */
enum tk_cbor_type tk_cbor_head_type(const struct tk_cbor_head *head);

/* True for the break stop code. */
bool tk_cbor_head_is_break(const struct tk_cbor_head *head);

/* Value of a float head (AI 25, 26 or 27) as a double; exact for all three. */
double tk_cbor_head_float(const struct tk_cbor_head *head);

/*
 * Encode `value` in the shortest IEEE 754 width that keeps it exactly:
 * returns 2, 4 or 8 and the bits of that width in *bits. NaN gives the
 * half-precision quiet NaN 0x7e00.
 */
unsigned tk_cbor_float_shortest(double value, uint64_t *bits);

/*
 * True when the float head could have been written shorter: a single or
 * double whose value (or NaN payload) fits a narrower width.
 */
bool tk_cbor_float_is_long(const struct tk_cbor_head *head);

/* True when the argument of a head with AI 24-27 fits a shorter head. */
bool tk_cbor_arg_is_long(const struct tk_cbor_head *head);

/*
 * Validate UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). Returns len when valid, else the offset of the first byte of
 * the invalid sequence.
 */
size_t tk_cbor_utf8_check(const uint8_t *ptr, size_t len);

/*
 * Find the end of the item at buf[pos] (nested items and tags included) and
 * store it in *end. Bounds-checked on any input but checks no other rule;
 * fails with the first truncation or reserved AI found, or
 * TK_ERR_LIMIT_DEPTH beyond TK_CBOR_MAX_DEPTH.
 */
tk_err tk_cbor_skip_item(const uint8_t *buf, size_t len, size_t pos, size_t *end);

#endif /* TK_CBOR_IMPL_H */
