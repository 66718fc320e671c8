/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File and annotated-hex readers for the agent tests. Each fails the
 * running cmocka test when the file cannot be read.
 */
#ifndef TK_TEST_VECTOR_IO_H
#define TK_TEST_VECTOR_IO_H

#include <stddef.h>
#include <stdint.h>

/* Largest file read, in bytes; the rest of a longer file is ignored. */
#define VECTOR_BUF_CAP (256u * 1024u)

/* Read a whole file. Caller owns the result, release with free(). */
uint8_t *vector_read_file(const char *path, size_t *len);

/*
 * Read TK_VECTORS_DIR/teep/<name> as annotated hex: text after '#' on each
 * line is dropped, then every non-hex character. Caller owns the result,
 * release with free().
 */
uint8_t *vector_read_hex(const char *name, size_t *len);

#endif /* TK_TEST_VECTOR_IO_H */
