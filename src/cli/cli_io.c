/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File and hex helpers of the `teep` program: bounded whole-file reads,
 * writes that never widen a secret's permissions or follow a planted
 * symlink, and the annotated-hex reader of `teep inspect --hex`. Annotated
 * hex is the format of the TEEP draft's examples, hex bytes with `#`
 * comments.
 */
#include "tk_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/tk_span.h"
#include "crypto/tk_crypto.h"

/* Read chunk size for files whose size is not known in advance (pipes). */
#define READ_CHUNK 65536

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Length of the well-formed UTF-8 sequence of 2 to 4 bytes at text[i], or 0
 * when there is none. Overlong three- and four-byte forms and surrogates
 * are accepted, because the check only separates text from binary data.
 */
static size_t utf8_sequence_len(const unsigned char *text, size_t text_len, size_t i)
{
	size_t len;

	if (text[i] >= 0xc2 && text[i] <= 0xdf)
		len = 2;
	else if (text[i] >= 0xe0 && text[i] <= 0xef)
		len = 3;
	else if (text[i] >= 0xf0 && text[i] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > text_len - i)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((text[i + k] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/*
 * Find the first byte that a text file does not contain: NUL and the other
 * control characters except tab, line feed, vertical tab, form feed and
 * carriage return, DEL, and bytes above 0x7f outside well-formed UTF-8.
 * Returns whether there is one, and its offset in *offset.
 */
static bool find_binary_byte(const char *text, size_t text_len, size_t *offset)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t i = 0;

	while (i < text_len) {
		unsigned char c = bytes[i];
		size_t sequence_len;

		if (c < 0x80) {
			bool whitespace = c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
					  c == '\r';

			if ((c < 0x20 && !whitespace) || c == 0x7f)
				break;
			i++;
			continue;
		}
		sequence_len = utf8_sequence_len(bytes, text_len, i);
		if (sequence_len == 0)
			break;
		i += sequence_len;
	}
	*offset = i;
	return i < text_len;
}

/* Read everything from fd, growing the buffer up to TK_CLI_MAX_FILE_SIZE. */
static tk_err read_fd(int fd, uint8_t **out, size_t *out_len,
		      struct tk_diag *diag)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	tk_err err = TK_ERR_IO;

	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t new_cap = cap == 0 ? READ_CHUNK : cap * 2;
			uint8_t *grown;

			if (cap >= (size_t)TK_CLI_MAX_FILE_SIZE + 1) {
				err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
					      "larger than %u bytes", TK_CLI_MAX_FILE_SIZE);
				goto done;
			}
			if (new_cap > (size_t)TK_CLI_MAX_FILE_SIZE + 1)
				new_cap = (size_t)TK_CLI_MAX_FILE_SIZE + 1;
			grown = malloc(new_cap);
			if (grown == NULL) {
				err = TK_FAIL(diag, TK_ERR_NOMEM, "reading");
				goto done;
			}
			if (len > 0)
				memcpy(grown, buf, len);
			/* The old buffer may hold a private key: wipe before freeing. */
			tk_cli_free_file(buf, len);
			buf = grown;
			cap = new_cap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = TK_FAIL(diag, TK_ERR_IO, "cannot read: %s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > TK_CLI_MAX_FILE_SIZE) {
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "larger than %u bytes", TK_CLI_MAX_FILE_SIZE);
		goto done;
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL) {
			err = TK_FAIL(diag, TK_ERR_NOMEM, "reading");
			goto done;
		}
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	err = TK_OK;
done:
	tk_cli_free_file(buf, len);
	return err;
}

tk_err tk_cli_read_file(const char *path, uint8_t **out, size_t *out_len,
			struct tk_diag *diag)
{
	int fd;
	tk_err err;

	*out = NULL;
	*out_len = 0;
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, out, out_len, diag);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot open: %s", strerror(errno));
	}
	err = read_fd(fd, out, out_len, diag);
	close(fd);
	return err;
}

/* Feed everything from fd to h in READ_CHUNK reads; count the bytes. */
static tk_err hash_fd(int fd, struct tk_crypto_hash_ctx *h, uint8_t *buf,
		      uint64_t *size, struct tk_diag *diag)
{
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);
		tk_err err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return TK_FAIL(diag, TK_ERR_IO, "cannot read: %s", strerror(errno));
		if (n == 0)
			return TK_OK;
		err = tk_crypto_sha256_update(h, buf, (size_t)n, diag);
		if (err != TK_OK)
			return err;
		*size += (uint64_t)n;
	}
}

tk_err tk_cli_hash_file(const char *path, uint8_t digest[TK_CRYPTO_SHA256_LEN],
			uint64_t *size, struct tk_diag *diag)
{
	struct tk_crypto_hash_ctx h = {0};
	uint8_t *buf = NULL;
	int fd = -1;
	tk_err err;

	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot open: %s", strerror(errno));
	buf = malloc(READ_CHUNK);
	if (buf == NULL) {
		err = TK_FAIL(diag, TK_ERR_NOMEM, "reading");
		goto done;
	}
	err = tk_crypto_sha256_init(tk_crypto_openssl(), &h, diag);
	if (err == TK_OK)
		err = hash_fd(fd, &h, buf, size, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_final(&h, digest, diag);
	tk_crypto_sha256_abort(&h);
done:
	free(buf);
	close(fd);
	return err;
}

void tk_cli_free_file(uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return;
	tk_wipe(buf, len);
	free(buf);
}

static tk_err write_all(int fd, const uint8_t *buf, size_t len,
			struct tk_diag *diag)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return TK_FAIL(diag, TK_ERR_IO, "cannot write: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot sync: %s", strerror(errno));
	return TK_OK;
}

/* Create path with O_EXCL, so an existing file or symlink is never reused. */
static tk_err write_exclusive(const char *path, const uint8_t *buf, size_t len,
			      unsigned perm, struct tk_diag *diag)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		      (mode_t)perm);
	tk_err err;

	if (fd < 0 && errno == EEXIST)
		return TK_FAIL(diag, TK_ERR_EXISTS, "file exists; pass --force to replace it");
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot create: %s", strerror(errno));
	err = write_all(fd, buf, len, diag);
	if (close(fd) != 0 && err == TK_OK)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot close: %s", strerror(errno));
	if (err != TK_OK)
		unlink(path);
	return err;
}

/*
 * Write to a temporary file beside path (mkstemp creates it 0600, so the
 * content is never readable by others before the final mode is set), then
 * rename it over path.
 */
static tk_err write_replace(const char *path, const uint8_t *buf, size_t len,
			    unsigned perm, struct tk_diag *diag)
{
	size_t path_len = strlen(path);
	char *tmp = malloc(path_len + sizeof(".tmp.XXXXXX"));
	mode_t mask;
	int fd = -1;
	tk_err err = TK_ERR_IO;

	if (tmp == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "writing");
	memcpy(tmp, path, path_len);
	memcpy(tmp + path_len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));

	fd = mkstemp(tmp);
	if (fd < 0) {
		err = TK_FAIL(diag, TK_ERR_IO, "cannot create a temporary file: %s", strerror(errno));
		goto done;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, (mode_t)perm & ~mask) != 0) {
		err = TK_FAIL(diag, TK_ERR_IO, "cannot set the mode of %s: %s", tmp,
			      strerror(errno));
		goto done;
	}
	err = write_all(fd, buf, len, diag);
	if (err != TK_OK)
		goto done;
	if (close(fd) != 0) {
		fd = -1;
		err = TK_FAIL(diag, TK_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		err = TK_FAIL(diag, TK_ERR_IO, "cannot replace: %s", strerror(errno));
		goto done;
	}
	err = TK_OK;
done:
	if (fd >= 0)
		close(fd);
	if (err != TK_OK)
		unlink(tmp);
	free(tmp);
	return err;
}

tk_err tk_cli_write_file(const char *path, const uint8_t *buf, size_t len, unsigned perm,
			 enum tk_cli_write_mode mode, struct tk_diag *diag)
{
	if (mode == TK_CLI_WRITE_EXCL)
		return write_exclusive(path, buf, len, perm, diag);
	return write_replace(path, buf, len, perm, diag);
}

tk_err tk_cli_hex_decode(const char *text, size_t text_len, uint8_t *out, size_t out_cap,
			 size_t *out_len, struct tk_diag *diag)
{
	size_t len = 0;
	size_t digits = 0;
	size_t binary_offset = 0;
	bool in_comment = false;
	int high = 0;

	*out_len = 0;
	/* Dropping every non-digit would turn binary CBOR into random bytes. */
	if (find_binary_byte(text, text_len, &binary_offset))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "byte 0x%02x at file offset %zu is not text, so the input is "
			       "not annotated hex (give binary CBOR without --hex)",
			       (unsigned)(unsigned char)text[binary_offset], binary_offset);
	for (size_t i = 0; i < text_len; i++) {
		int value;

		if (text[i] == '\n') {
			in_comment = false;
			continue;
		}
		if (in_comment || text[i] == '#') {
			in_comment = true;
			continue;
		}
		value = hex_value((unsigned char)text[i]);
		if (value < 0)
			continue;
		if (digits % 2 == 0) {
			high = value;
		} else {
			if (len == out_cap)
				return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
					       "hex input decodes to more than %zu bytes", out_cap);
			out[len++] = (uint8_t)(high << 4 | value);
		}
		digits++;
	}
	if (digits % 2 != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "odd number of hex digits (%zu)", digits);
	*out_len = len;
	return TK_OK;
}

tk_err tk_cli_hex_parse(const char *hex, uint8_t *out, size_t out_cap, size_t *out_len,
			struct tk_diag *diag)
{
	size_t hex_len = strlen(hex);

	*out_len = 0;
	if (hex_len % 2 != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "odd number of hex digits (%zu)", hex_len);
	if (hex_len / 2 > out_cap)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "longer than %zu bytes", out_cap);
	for (size_t i = 0; i < hex_len; i += 2) {
		int high = hex_value((unsigned char)hex[i]);
		int low = hex_value((unsigned char)hex[i + 1]);

		if (high < 0 || low < 0)
			return TK_FAIL(diag, TK_ERR_ARG, "not a hex digit at character %zu",
				       high < 0 ? i + 1 : i + 2);
		out[i / 2] = (uint8_t)(high << 4 | low);
	}
	*out_len = hex_len / 2;
	return TK_OK;
}

void tk_cli_hex_format(const uint8_t *buf, size_t len, char *out, size_t out_cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (out_cap == 0)
		return;
	for (i = 0; i < len && 2 * i + 2 < out_cap; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0x0f];
	}
	out[2 * i] = '\0';
}
