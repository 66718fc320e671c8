/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the eat tests: error checks that print the diagnostic,
 * file and hex readers, and a small converter from diagnostic notation to
 * CBOR. The specs publish many examples only as diagnostic notation, and
 * the converter is written apart from src/cbor so it encodes them
 * independently.
 */
#include "eat_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void check_err(const char *desc, tk_err expected, tk_err actual,
	       const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, detail, sizeof(detail));
	fail_msg("%s: expected %s, got %s (%s)", desc, tk_err_name(expected),
		 tk_err_name(actual), detail);
}

size_t read_file(const char *path, uint8_t *out, size_t cap)
{
	FILE *file = fopen(path, "rb");
	size_t n;

	if (file == NULL)
		fail_msg("cannot open %s", path);
	n = fread(out, 1, cap, file);
	assert_true(n < cap);
	fclose(file);
	return n;
}

size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		unsigned v;

		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/*
 * Diagnostic notation to CBOR, enough for the RFC 9711 examples: maps,
 * arrays, integers, text, h'' byte strings (juxtaposed ones concatenated),
 * <<embedded>> items, true/false/null, tags and /comments/. Writes preferred serialization.
 */
struct edn {
	const char *p;
	uint8_t *out;
	size_t len, cap;
};

static void edn_byte(struct edn *e, uint8_t b)
{
	assert_true(e->len < e->cap);
	e->out[e->len++] = b;
}

static void edn_head(struct edn *e, unsigned major, uint64_t v)
{
	uint8_t mt = (uint8_t)(major << 5);

	if (v < 24) {
		edn_byte(e, mt | (uint8_t)v);
	} else if (v <= 0xff) {
		edn_byte(e, mt | 24);
		edn_byte(e, (uint8_t)v);
	} else if (v <= 0xffff) {
		edn_byte(e, mt | 25);
		for (int s = 8; s >= 0; s -= 8)
			edn_byte(e, (uint8_t)(v >> s));
	} else if (v <= 0xffffffffu) {
		edn_byte(e, mt | 26);
		for (int s = 24; s >= 0; s -= 8)
			edn_byte(e, (uint8_t)(v >> s));
	} else {
		edn_byte(e, mt | 27);
		for (int s = 56; s >= 0; s -= 8)
			edn_byte(e, (uint8_t)(v >> s));
	}
}

/* Skip white space and /comments/, and commas when `commas`. */
static void edn_skip(struct edn *e, bool commas)
{
	for (;;) {
		while (*e->p == ' ' || *e->p == '\n' || *e->p == '\r' || *e->p == '\t' ||
		       (commas && *e->p == ','))
			e->p++;
		if (*e->p != '/')
			return;
		e->p = strchr(e->p + 1, '/');
		assert_non_null(e->p);
		e->p++;
	}
}

static void edn_space(struct edn *e)
{
	edn_skip(e, true);
}

static void edn_item(struct edn *e);

/* Parse items up to `close` into a separate buffer, then write the head. */
static void edn_container(struct edn *e, char close, unsigned major)
{
	struct edn inner = {.p = e->p + 1, .cap = e->cap - e->len};
	uint64_t items = 0;

	inner.out = malloc(inner.cap);
	assert_non_null(inner.out);
	for (;;) {
		edn_space(&inner);
		if (*inner.p == close)
			break;
		edn_item(&inner);
		items++;
		edn_space(&inner);
		if (*inner.p == ':')
			inner.p++;
	}
	e->p = inner.p + 1;
	edn_head(e, major, major == 5 ? items / 2 : items);
	assert_true(e->len + inner.len <= e->cap);
	memcpy(e->out + e->len, inner.out, inner.len);
	e->len += inner.len;
	free(inner.out);
}

static void edn_bytes(struct edn *e)
{
	uint8_t buf[4096];
	size_t n = 0;

	/* h'..' h'..' juxtaposed form one string. */
	while (e->p[0] == 'h' && e->p[1] == '\'') {
		int nibble = -1;

		for (e->p += 2; *e->p != '\''; e->p++) {
			int v;

			if (*e->p >= '0' && *e->p <= '9')
				v = *e->p - '0';
			else if ((*e->p | 0x20) >= 'a' && (*e->p | 0x20) <= 'f')
				v = (*e->p | 0x20) - 'a' + 10;
			else
				continue;
			if (nibble < 0) {
				nibble = v;
			} else {
				assert_true(n < sizeof(buf));
				buf[n++] = (uint8_t)(nibble << 4 | v);
				nibble = -1;
			}
		}
		e->p++;
		edn_skip(e, false);
	}
	edn_head(e, 2, n);
	for (size_t i = 0; i < n; i++)
		edn_byte(e, buf[i]);
}

static void edn_text(struct edn *e)
{
	uint8_t buf[4096];
	size_t n = 0;

	for (e->p++; *e->p != '"'; e->p++) {
		if (*e->p == '\\')
			e->p++;
		assert_true(n < sizeof(buf));
		buf[n++] = (uint8_t)*e->p;
	}
	e->p++;
	edn_head(e, 3, n);
	for (size_t i = 0; i < n; i++)
		edn_byte(e, buf[i]);
}

/* << item >>: a byte string holding the encoded item. */
static void edn_embedded(struct edn *e)
{
	struct edn inner = {.p = e->p + 2, .cap = e->cap - e->len};

	inner.out = malloc(inner.cap);
	assert_non_null(inner.out);
	edn_item(&inner);
	edn_space(&inner);
	assert_true(inner.p[0] == '>' && inner.p[1] == '>');
	e->p = inner.p + 2;
	edn_head(e, 2, inner.len);
	assert_true(e->len + inner.len <= e->cap);
	memcpy(e->out + e->len, inner.out, inner.len);
	e->len += inner.len;
	free(inner.out);
}

static void edn_item(struct edn *e)
{
	edn_space(e);
	if (*e->p == '{') {
		edn_container(e, '}', 5);
	} else if (*e->p == '[') {
		edn_container(e, ']', 4);
	} else if (*e->p == '"') {
		edn_text(e);
	} else if (e->p[0] == 'h' && e->p[1] == '\'') {
		edn_bytes(e);
	} else if (e->p[0] == '<' && e->p[1] == '<') {
		edn_embedded(e);
	} else if (strncmp(e->p, "true", 4) == 0) {
		edn_byte(e, 0xf5);
		e->p += 4;
	} else if (strncmp(e->p, "false", 5) == 0) {
		edn_byte(e, 0xf4);
		e->p += 5;
	} else if (strncmp(e->p, "null", 4) == 0) {
		edn_byte(e, 0xf6);
		e->p += 4;
	} else {
		char *end;
		long long v = strtoll(e->p, &end, 10);

		assert_true(end != e->p);
		e->p = end;
		edn_space(e);
		if (*e->p == '(') {
			/* A tag: N( item ) */
			e->p++;
			edn_head(e, 6, (uint64_t)v);
			edn_item(e);
			edn_space(e);
			assert_int_equal(*e->p, ')');
			e->p++;
		} else if (v < 0) {
			edn_head(e, 1, (uint64_t)(-1 - v));
		} else {
			edn_head(e, 0, (uint64_t)v);
		}
	}
}

/* Read a diagnostic-notation file and convert it; returns the length. */
size_t edn_file(const char *path, uint8_t *out, size_t cap)
{
	char text[8192];
	FILE *file = fopen(path, "r");
	size_t n;
	struct edn e = {.out = out, .cap = cap};

	if (file == NULL)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[n] = '\0';

	/*
	 * The TEEP draft's example has "application/cbor" inside a comment,
	 * and a slash ends a comment in diagnostic notation.
	 */
	for (char *at = strstr(text, "application/cbor"); at != NULL;
	     at = strstr(at, "application/cbor"))
		at[strlen("application")] = '-';
	e.p = text;
	edn_item(&e);
	edn_space(&e);
	assert_int_equal(*e.p, '\0');
	return e.len;
}

