/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the TEE backend tests: a temporary folder per test,
 * error checks that print the diagnostic, and stored-file tampering.
 * Test code only.
 */
#ifndef TEE_TEST_UTIL_H
#define TEE_TEST_UTIL_H

#include "common/tk_err.h"

#define TEE_TEST_PATH_MAX 256

/* A temporary base folder; the backend's state directory is base/state. */
struct tee_test_dir {
	char base[64];
	char state[TEE_TEST_PATH_MAX];
};

/* Create the base folder (not the state directory). Returns 0 or -1. */
int tee_test_dir_make(struct tee_test_dir *dir);

/* Remove the base folder and everything below it. */
void tee_test_dir_remove(const struct tee_test_dir *dir);

/* Fail the test with names and diagnostic unless actual == expected. */
void tee_test_check(const char *desc, tk_err expected, tk_err actual,
		    const struct tk_diag *diag);

/*
 * Flip the last byte of the file in state/folder whose content ends with
 * `tail` (a NUL-terminated string; its NUL is part of the match, as the
 * tests store C strings with their NUL). Fails the test when none does.
 */
void tee_test_flip_last_byte(const char *state, const char *folder,
			     const char *tail);

#endif /* TEE_TEST_UTIL_H */
