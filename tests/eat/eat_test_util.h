/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the eat tests (see eat_test_util.c). */
#ifndef EAT_TEST_UTIL_H
#define EAT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"

/* Fail with the description, the expected and actual codes and the detail. */
void check_err(const char *desc, tk_err expected, tk_err actual,
	       const struct tk_diag *diag);

/* Read a whole file into out[0..cap); fails the test when it does not fit. */
size_t read_file(const char *path, uint8_t *out, size_t cap);

/* Decode an even-length hex string; returns the byte count. */
size_t hex_decode(const char *hex, uint8_t *out, size_t cap);

/* Read a diagnostic-notation file and convert it to CBOR; returns the length. */
size_t edn_file(const char *path, uint8_t *out, size_t cap);

#endif /* EAT_TEST_UTIL_H */
