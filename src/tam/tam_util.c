/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the teep-tam commands: failure reports, files, hex,
 * diagnostic notation, times and opening the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cbor/tk_cbor.h"
#include "store/tk_store_sqlite.h"
#include "tam.h"

/* Maximum length of the diagnostic notation printed for one component id. */
#define DIAG_TEXT_MAX 1024

int tam_fail(const char *what, const char *value, const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	tk_diag_format(diag, detail, sizeof(detail));
	fprintf(stderr, "teep-tam: %s: %s: %s\n", what, value != NULL ? value : "-", detail);
	return TAM_EXIT_FAIL;
}

tk_err tam_check_private_file(const char *path, struct tk_diag *diag)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot stat: %s", strerror(errno));
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return TK_FAIL(diag, TK_ERR_POLICY,
			       "private key file has mode %04o, so group or others can read it; "
			       "run chmod 600 on it", (unsigned)(st.st_mode & 07777));
	return TK_OK;
}

tk_err tam_read_file(const char *path, uint8_t **out, size_t *out_len,
		     struct tk_diag *diag)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err = TK_OK;
	int fd;

	*out = NULL;
	*out_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err = TK_FAIL(diag, TK_ERR_IO, "not a regular file");
		goto done;
	}
	if ((uint64_t)st.st_size > TAM_MAX_FILE_SIZE) {
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "file of %lld bytes exceeds %u",
			      (long long)st.st_size, TAM_MAX_FILE_SIZE);
		goto done;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		err = TK_FAIL(diag, TK_ERR_NOMEM, "file buffer");
		goto done;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = TK_FAIL(diag, TK_ERR_IO, "read failed: %s",
				      n < 0 ? strerror(errno) : "file shrank");
			goto done;
		}
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;

done:
	tam_free_file(buf, len);
	close(fd);
	return err;
}

void tam_free_file(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	tk_wipe(buf, len);
	free(buf);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

tk_err tam_hex_parse(const char *hex, uint8_t *out, size_t out_cap, size_t *out_len,
		     struct tk_diag *diag)
{
	size_t len = strlen(hex);

	*out_len = 0;
	if (len == 0 || len % 2 != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "hex of %zu digits: need an even, "
			       "nonzero number", len);
	if (len / 2 > out_cap)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "%zu bytes of hex exceed %zu", len / 2,
			       out_cap);
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return TK_FAIL(diag, TK_ERR_ARG, "invalid hex digit at position %zu",
				       hi < 0 ? i : i + 1);
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = len / 2;
	return TK_OK;
}

void tam_hex_print(FILE *out, struct tk_span bytes)
{
	for (size_t i = 0; i < bytes.len; i++)
		fprintf(out, "%02x", bytes.ptr[i]);
}

void tam_diag_print(FILE *out, struct tk_span item)
{
	char text[DIAG_TEXT_MAX];
	size_t len = 0;

	if (tk_cbor_to_diag(item.ptr, item.len, TK_CBOR_ALLOW_ALL, false, NULL, text,
			    sizeof(text), &len, NULL) != TK_OK) {
		fputc('?', out);
		return;
	}
	fwrite(text, 1, len, out);
}

void tam_time_format(int64_t when, char out[21])
{
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "%lld", (long long)when);
}

int tam_open_store(const char *path, struct tk_store *out)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tk_store_sqlite_open(path, out, &diag) != TK_OK)
		return tam_fail("cannot open the database", path, &diag);
	return TAM_EXIT_OK;
}

int tam_open_existing_store(const char *path, struct tk_store *out)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tk_store_sqlite_open_existing(path, out, &diag) != TK_OK)
		return tam_fail("cannot open the database", path, &diag);
	return TAM_EXIT_OK;
}
