/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte spans: a pointer and a length, never NUL-terminated. A span borrows
 * its bytes, and a function that returns one documents what it views.
 */
#ifndef TK_SPAN_H
#define TK_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tk_span {
	const uint8_t *ptr; /* NULL only when len is 0 */
	size_t len;
};

#define TK_SPAN_EMPTY ((struct tk_span){NULL, 0})

static inline struct tk_span tk_span_make(const void *ptr, size_t len)
{
	struct tk_span s = {(const uint8_t *)ptr, len};
	return s;
}

static inline bool tk_span_equal(struct tk_span a, struct tk_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Overwrite a secret with zeros in a way the compiler cannot drop. */
void tk_wipe(void *ptr, size_t len);

/* Constant-time equality of two buffers of the same length. */
bool tk_ct_equal(const void *a, const void *b, size_t len);

#endif /* TK_SPAN_H */
