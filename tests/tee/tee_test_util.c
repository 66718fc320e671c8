/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the TEE backend tests (see tee_test_util.h). */
#define _XOPEN_SOURCE 700
#include "tee_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tee_test_dir_make(struct tee_test_dir *dir)
{
	snprintf(dir->base, sizeof(dir->base), "/tmp/tk-tee-test-XXXXXX");
	if (mkdtemp(dir->base) == NULL)
		return -1;
	snprintf(dir->state, sizeof(dir->state), "%s/state", dir->base);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tee_test_dir_remove(const struct tee_test_dir *dir)
{
	if (dir->base[0] != '\0')
		nftw(dir->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tee_test_check(const char *desc, tk_err expected, tk_err actual,
		    const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, detail, sizeof(detail));
	fail_msg("%s: expected %s, got %s (%s)", desc, tk_err_name(expected),
		 tk_err_name(actual), detail);
}

/* True when the file at path ends with tail_len bytes equal to tail. */
static int flip_if_tail(const char *path, const char *tail, size_t tail_len)
{
	char buf[256];
	struct stat st;
	int fd = open(path, O_RDWR);
	int flipped = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size >= tail_len &&
	    tail_len <= sizeof(buf) &&
	    pread(fd, buf, tail_len, st.st_size - (off_t)tail_len) == (ssize_t)tail_len &&
	    memcmp(buf, tail, tail_len) == 0) {
		buf[tail_len - 1] ^= 0x01;
		flipped = pwrite(fd, buf + tail_len - 1, 1, st.st_size - 1) == 1;
	}
	close(fd);
	return flipped;
}

void tee_test_flip_last_byte(const char *state, const char *folder,
			     const char *tail)
{
	char dir_path[TEE_TEST_PATH_MAX * 2];
	struct dirent *entry;
	int flipped = 0;
	DIR *dir;

	snprintf(dir_path, sizeof(dir_path), "%s/%s", state, folder);
	dir = opendir(dir_path);
	assert_non_null(dir);
	while (!flipped && (entry = readdir(dir)) != NULL) {
		char path[TEE_TEST_PATH_MAX * 3];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, entry->d_name);
		flipped = flip_if_tail(path, tail, strlen(tail) + 1);
	}
	closedir(dir);
	if (!flipped)
		fail_msg("no file in %s ends with \"%s\"", dir_path, tail);
}
