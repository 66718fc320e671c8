/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File and annotated-hex readers shared by the agent tests, so both read the
 * draft's example payloads the same way.
 */
#include "vector_io.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *vector_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(VECTOR_BUF_CAP);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, VECTOR_BUF_CAP, f);
	fclose(f);
	*len = n;
	return buf;
}

uint8_t *vector_read_hex(const char *name, size_t *len)
{
	char path[512];
	size_t text_len = 0;
	uint8_t *text;
	uint8_t *out = malloc(VECTOR_BUF_CAP);
	bool comment = false;
	int half = -1;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/teep/%s", TK_VECTORS_DIR, name);
	text = vector_read_file(path, &text_len);
	for (size_t i = 0; i < text_len; i++) {
		char c = (char)text[i];
		int v = -1;

		if (c == '#')
			comment = true;
		if (c == '\n')
			comment = false;
		if (comment)
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		if (v < 0)
			continue;
		if (half < 0) {
			half = v;
		} else {
			out[n++] = (uint8_t)(half << 4 | v);
			half = -1;
		}
	}
	free(text);
	*len = n;
	return out;
}
