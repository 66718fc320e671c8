/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the teep-verifier commands: failure reports, files,
 * keys, hex, times and opening the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "verifier.h"

int ver_fail(const char *what, const char *value, const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	tk_diag_format(diag, detail, sizeof(detail));
	fprintf(stderr, "teep-verifier: %s: %s: %s\n", what, value != NULL ? value : "-", detail);
	return VER_EXIT_FAIL;
}

tk_err ver_read_file(const char *path, uint8_t **out, size_t *out_len, struct tk_diag *diag)
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
	if ((uint64_t)st.st_size > VER_MAX_FILE_SIZE) {
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "file of %lld bytes exceeds %u",
			      (long long)st.st_size, VER_MAX_FILE_SIZE);
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
	ver_free_file(buf, len);
	close(fd);
	return err;
}

void ver_free_file(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	tk_wipe(buf, len);
	free(buf);
}

tk_err ver_read_key(const char *path, bool want_private, struct tk_crypto_key **out,
		    struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err;

	*out = NULL;
	err = ver_read_file(path, &pem, &pem_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	ver_free_file(pem, pem_len);
	if (err == TK_OK && want_private && !tk_crypto_key_has_private(*out))
		err = TK_FAIL(diag, TK_ERR_KEY, "a public key; the verifier needs its private key");
	else if (err == TK_OK && !want_private && tk_crypto_key_has_private(*out))
		err = TK_FAIL(diag, TK_ERR_KEY, "a private key was given where a public key "
			      "belongs; export the public part");
	if (err != TK_OK) {
		tk_crypto_key_free(*out);
		*out = NULL;
	}
	return err;
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

tk_err ver_hex_parse(const char *hex, uint8_t *out, size_t out_cap, size_t *out_len,
		     struct tk_diag *diag)
{
	size_t len = strlen(hex);

	*out_len = 0;
	if (len == 0 || len % 2 != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "hex of %zu digits: need an even, nonzero "
			       "number", len);
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

void ver_hex_print(FILE *out, struct tk_span bytes)
{
	for (size_t i = 0; i < bytes.len; i++)
		fprintf(out, "%02x", bytes.ptr[i]);
}

void ver_time_format(int64_t when, char out[21])
{
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "%lld", (long long)when);
}

int ver_open_db(const char *path, bool create_missing, struct tk_verifier_sqlite **db,
		struct tk_verifier_store_ops *ops)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tk_verifier_sqlite_open(path, create_missing, db, ops, &diag) != TK_OK)
		return ver_fail("cannot open the database", path, &diag);
	return VER_EXIT_OK;
}
