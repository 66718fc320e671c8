/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File helpers of the simulated TEE backend. Every path is relative to a
 * folder descriptor and opened with O_NOFOLLOW. Every replacement is a
 * rename of a fully written and fsynced temporary file, so a crash at any
 * point leaves either the old or the new file under the final name.
 */
#include "tee/tk_tee_sim_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Magic at the start of every object file, version 1 of the record. */
static const uint8_t record_magic[8] = {'T', 'K', 'T', 'E', 'E', 'O', 'B', '1'};

/* Maximum length of a file name this backend creates, with the NUL. */
#define NAME_MAX_LEN 96

static tk_err fail_errno(struct tk_diag *diag, const char *what,
			 const char *name, int errnum)
{
	tk_err code = errnum == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO;

	return TK_FAIL(diag, code, "%s %s failed: %s", what, name,
		       strerror(errnum));
}

tk_err tk_tee_sim_open_dir(int dirfd, const char *name, bool create,
			   int *out_fd, struct tk_diag *diag)
{
	int fd;

	*out_fd = -1;
	if (create) {
		if (mkdirat(dirfd, name, 0700) == 0) {
			/* The new entry is durable once its parent is synced. */
			if (fsync(dirfd) != 0)
				return fail_errno(diag, "fsync parent of", name, errno);
		} else if (errno != EEXIST) {
			return fail_errno(diag, "mkdir", name, errno);
		}
	}

	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(diag, "open folder", name, errno);
	*out_fd = fd;
	return TK_OK;
}

static tk_err write_all(int fd, const uint8_t *data, size_t len,
			const char *name, struct tk_diag *diag)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_errno(diag, "write", name, n < 0 ? errno : EIO);
		data += n;
		len -= (size_t)n;
	}
	return TK_OK;
}

tk_err tk_tee_sim_write_atomic(int dirfd, const char *name, unsigned mode,
			       const uint8_t *head, size_t head_len,
			       const uint8_t *data, size_t data_len,
			       struct tk_diag *diag)
{
	char tmp[NAME_MAX_LEN];
	tk_err err = TK_ERR_IO;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s", TK_TEE_SIM_TMP_PREFIX,
			     name) >= sizeof(tmp))
		return TK_FAIL(diag, TK_ERR_INTERNAL, "file name %s too long", name);

	/*
	 * A temporary file of the same name can only be left by a crash,
	 * because one process holds the state directory lock.
	 */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    (mode_t)mode);
	if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
		fd = openat(dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    (mode_t)mode);
	if (fd < 0)
		return fail_errno(diag, "create", tmp, errno);

	/* The umask may have removed bits, so set the exact mode. */
	if (fchmod(fd, (mode_t)mode) != 0) {
		err = fail_errno(diag, "chmod", tmp, errno);
		goto out;
	}
	err = write_all(fd, head, head_len, tmp, diag);
	if (err == TK_OK)
		err = write_all(fd, data, data_len, tmp, diag);
	if (err != TK_OK)
		goto out;
	if (fsync(fd) != 0) {
		err = fail_errno(diag, "fsync", tmp, errno);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = fail_errno(diag, "close", tmp, errno);
		goto out;
	}
	fd = -1;

	if (renameat(dirfd, tmp, dirfd, name) != 0) {
		err = fail_errno(diag, "rename", tmp, errno);
		goto out;
	}
	/* The rename is durable only once the folder itself is synced. */
	if (fsync(dirfd) != 0)
		return fail_errno(diag, "fsync folder of", name, errno);
	return TK_OK;

out:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return err;
}

/* Open a regular file for reading. *st receives its status. */
static tk_err open_regular(int dirfd, const char *name, int *out_fd,
			   struct stat *st, struct tk_diag *diag)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*out_fd = -1;
	if (fd < 0)
		return fail_errno(diag, "open", name, errno);
	if (fstat(fd, st) != 0) {
		int errnum = errno;

		close(fd);
		return fail_errno(diag, "stat", name, errnum);
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_IO, "%s is not a regular file", name);
	}
	*out_fd = fd;
	return TK_OK;
}

tk_err tk_tee_sim_read_exact(int fd, uint8_t *out, size_t len,
			     struct tk_diag *diag)
{
	while (len > 0) {
		ssize_t n = read(fd, out, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return TK_FAIL(diag, TK_ERR_IO, "read failed: %s",
				       strerror(errno));
		if (n == 0)
			return TK_FAIL(diag, TK_ERR_IO,
				       "file ends %zu bytes early", len);
		out += n;
		len -= (size_t)n;
	}
	return TK_OK;
}

tk_err tk_tee_sim_read_small(int dirfd, const char *name, bool private_file,
			     uint8_t *out, size_t out_cap, size_t *out_len,
			     struct tk_diag *diag)
{
	struct stat st;
	tk_err err;
	int fd;

	*out_len = 0;
	err = open_regular(dirfd, name, &fd, &st, diag);
	if (err != TK_OK)
		return err;

	if (private_file && (st.st_mode & 077) != 0) {
		err = TK_FAIL(diag, TK_ERR_POLICY,
			      "%s has mode %03o, expected 0600: fix it with chmod 600",
			      name, (unsigned)(st.st_mode & 0777));
	} else if (st.st_size < 0 || (uint64_t)st.st_size > out_cap) {
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			      "%s is %lld bytes, maximum %zu", name,
			      (long long)st.st_size, out_cap);
	} else {
		err = tk_tee_sim_read_exact(fd, out, (size_t)st.st_size, diag);
		if (err == TK_OK)
			*out_len = (size_t)st.st_size;
	}
	close(fd);
	return err;
}

tk_err tk_tee_sim_remove(int dirfd, const char *name, struct tk_diag *diag)
{
	if (unlinkat(dirfd, name, 0) != 0)
		return fail_errno(diag, "remove", name, errno);
	if (fsync(dirfd) != 0)
		return fail_errno(diag, "fsync folder of", name, errno);
	return TK_OK;
}

tk_err tk_tee_sim_remove_temporaries(int dirfd, unsigned *removed,
				     struct tk_diag *diag)
{
	size_t prefix_len = strlen(TK_TEE_SIM_TMP_PREFIX);
	struct dirent *entry;
	tk_err err = TK_OK;
	DIR *dir;
	int fd;

	/* closedir() closes the descriptor, so hand it a duplicate. */
	fd = dup(dirfd);
	if (fd < 0)
		return fail_errno(diag, "dup", "state folder", errno);
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return fail_errno(diag, "opendir", "state folder", errno);
	}
	rewinddir(dir);

	while ((entry = readdir(dir)) != NULL) {
		if (strncmp(entry->d_name, TK_TEE_SIM_TMP_PREFIX, prefix_len) != 0)
			continue;
		if (unlinkat(dirfd, entry->d_name, 0) != 0) {
			err = fail_errno(diag, "remove", entry->d_name, errno);
			break;
		}
		(*removed)++;
	}
	closedir(dir);
	if (err == TK_OK && *removed > 0 && fsync(dirfd) != 0)
		err = fail_errno(diag, "fsync", "state folder", errno);
	return err;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * Record layout, integers little endian:
 *   0    magic "TKTEEOB1"
 *   8    id length (2 bytes)
 *   10   id, zero padded to TK_TEE_MAX_ID_LEN
 *   266  sequence number (8)
 *   274  data size (8)
 *   282  SHA-256 of the data (32)
 *   314  zero padding to TK_TEE_SIM_RECORD_LEN
 */
enum {
	OFF_ID_LEN = 8,
	OFF_ID = 10,
	OFF_SEQ = OFF_ID + TK_TEE_MAX_ID_LEN,
	OFF_SIZE = OFF_SEQ + 8,
	OFF_DIGEST = OFF_SIZE + 8,
	OFF_END = OFF_DIGEST + TK_TEE_DIGEST_LEN,
};

_Static_assert(OFF_END <= TK_TEE_SIM_RECORD_LEN, "record does not fit");
_Static_assert(TK_TEE_MAX_ID_LEN <= 0xffff, "id length needs 2 bytes");

void tk_tee_sim_record_encode(const struct tk_tee_object_info *info,
			      uint8_t out[TK_TEE_SIM_RECORD_LEN])
{
	memset(out, 0, TK_TEE_SIM_RECORD_LEN);
	memcpy(out, record_magic, sizeof(record_magic));
	out[OFF_ID_LEN] = (uint8_t)(info->id_len & 0xff);
	out[OFF_ID_LEN + 1] = (uint8_t)(info->id_len >> 8);
	memcpy(out + OFF_ID, info->id, info->id_len);
	put_u64(out + OFF_SEQ, info->sequence_number);
	put_u64(out + OFF_SIZE, info->size);
	memcpy(out + OFF_DIGEST, info->digest, TK_TEE_DIGEST_LEN);
}

static tk_err record_decode(const uint8_t in[TK_TEE_SIM_RECORD_LEN],
			    const char *name, struct tk_tee_object_info *info,
			    struct tk_diag *diag)
{
	size_t id_len = (size_t)in[OFF_ID_LEN] | ((size_t)in[OFF_ID_LEN + 1] << 8);

	if (memcmp(in, record_magic, sizeof(record_magic)) != 0)
		return TK_FAIL(diag, TK_ERR_IO, "%s has no valid record header", name);
	if (id_len == 0 || id_len > TK_TEE_MAX_ID_LEN)
		return TK_FAIL(diag, TK_ERR_IO, "%s records an id of %zu bytes",
			       name, id_len);

	memset(info, 0, sizeof(*info));
	info->id_len = id_len;
	memcpy(info->id, in + OFF_ID, id_len);
	info->sequence_number = get_u64(in + OFF_SEQ);
	info->size = get_u64(in + OFF_SIZE);
	memcpy(info->digest, in + OFF_DIGEST, TK_TEE_DIGEST_LEN);
	return TK_OK;
}

tk_err tk_tee_sim_open_object(int dirfd, const char *name,
			      struct tk_tee_object_info *info, int *out_fd,
			      struct tk_diag *diag)
{
	uint8_t record[TK_TEE_SIM_RECORD_LEN];
	struct stat st;
	tk_err err;
	int fd;

	*out_fd = -1;
	err = open_regular(dirfd, name, &fd, &st, diag);
	if (err != TK_OK)
		return err;

	if ((uint64_t)st.st_size < TK_TEE_SIM_RECORD_LEN)
		err = TK_FAIL(diag, TK_ERR_IO, "%s is shorter than its record", name);
	if (err == TK_OK)
		err = tk_tee_sim_read_exact(fd, record, sizeof(record), diag);
	if (err == TK_OK)
		err = record_decode(record, name, info, diag);
	if (err == TK_OK &&
	    info->size != (uint64_t)st.st_size - TK_TEE_SIM_RECORD_LEN)
		err = TK_FAIL(diag, TK_ERR_IO,
			      "%s records %llu data bytes but holds %llu", name,
			      (unsigned long long)info->size,
			      (unsigned long long)st.st_size - TK_TEE_SIM_RECORD_LEN);
	if (err != TK_OK) {
		close(fd);
		memset(info, 0, sizeof(*info));
		return err;
	}
	*out_fd = fd;
	return TK_OK;
}

void tk_tee_sim_hex(const uint8_t *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xf];
	}
	out[2 * len] = '\0';
}
