/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged writes and reference counts of the simulated TEE (see
 * tk_tee_sim_store.h). Every name is a hex digest or a fixed prefix, and
 * every open uses O_NOFOLLOW relative to an open folder, like the rest of
 * the simulated backend.
 */
#include "tee/tk_tee_sim_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tee/tk_tee_sim_fs.h"

#define REFS_DIR "refs"

/* Hex digits of each hash in a reference file name: 160 bits each, so the
 * name (81 characters) fits the backend's temporary-name limit. The target
 * id stored in the file is compared as well, so a prefix clash cannot
 * count for another target. */
#define REF_HASH_HEX 40

/* Bytes moved per read when streaming a file. */
#define CHUNK 16384

static tk_err fail_errno(struct tk_diag *diag, const char *what, const char *name, int errnum)
{
	return TK_FAIL(diag, errnum == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO, "%s %s failed: %s",
		       what, name, strerror(errnum));
}

static void area_name(unsigned area, char out[32])
{
	(void)snprintf(out, 32, "%sstage-%u", TK_TEE_SIM_TMP_PREFIX, area);
}

/* Lowercase hex SHA-256 of id, cut to `digits` characters. */
static tk_err hash_name(const struct tk_tee_sim_store *s, const uint8_t *id, size_t id_len,
			size_t digits, char *out, struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	char hex[2 * TK_CRYPTO_SHA256_LEN + 1];
	tk_err err = tk_crypto_sha256(s->crypto, id, id_len, digest, diag);

	if (err != TK_OK)
		return err;
	tk_tee_sim_hex(digest, sizeof(digest), hex);
	memcpy(out, hex, digits);
	out[digits] = '\0';
	return TK_OK;
}

void tk_tee_sim_store_init(struct tk_tee_sim_store *s)
{
	s->refs_fd = -1;
	for (unsigned a = 0; a < TK_TEE_MAX_STAGING_AREAS; a++)
		s->areas[a].fd = -1;
}

tk_err tk_tee_sim_store_open(struct tk_tee_sim_store *s, const struct tk_crypto *crypto,
			     int root_fd, int components_fd, bool create, struct tk_diag *diag)
{
	memset(s, 0, sizeof(*s));
	s->crypto = crypto;
	s->components_fd = components_fd;
	s->refs_fd = -1;
	for (unsigned a = 0; a < TK_TEE_MAX_STAGING_AREAS; a++)
		s->areas[a].fd = -1;
	/* Created even without `create`, so a state directory made before
	 * reference counts existed gains the folder. */
	(void)create;
	return tk_tee_sim_open_dir(root_fd, REFS_DIR, true, &s->refs_fd, diag);
}

void tk_tee_sim_store_close(struct tk_tee_sim_store *s)
{
	for (unsigned a = 0; a < TK_TEE_MAX_STAGING_AREAS; a++)
		tk_tee_sim_stage_abort(s, a);
	if (s->refs_fd >= 0)
		close(s->refs_fd);
	s->refs_fd = -1;
}

/* Staging. */

static struct tk_tee_sim_area *open_area(struct tk_tee_sim_store *s, unsigned area,
					 struct tk_diag *diag)
{
	if (area >= TK_TEE_MAX_STAGING_AREAS || s->areas[area].fd < 0) {
		(void)TK_FAIL(diag, TK_ERR_STATE, "staging area %u is not open", area);
		return NULL;
	}
	return &s->areas[area];
}

static tk_err write_all(int fd, const uint8_t *data, size_t len, struct tk_diag *diag)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_errno(diag, "write", "staging area", n < 0 ? errno : EIO);
		data += n;
		len -= (size_t)n;
	}
	return TK_OK;
}

tk_err tk_tee_sim_stage_begin(struct tk_tee_sim_store *s, unsigned area, struct tk_diag *diag)
{
	static const uint8_t blank[TK_TEE_SIM_RECORD_LEN];
	struct tk_tee_sim_area *a;
	char name[32];
	tk_err err;

	if (area >= TK_TEE_MAX_STAGING_AREAS)
		return TK_FAIL(diag, TK_ERR_ARG, "staging area %u, limit %d", area,
			       TK_TEE_MAX_STAGING_AREAS);
	tk_tee_sim_stage_abort(s, area);
	a = &s->areas[area];
	area_name(area, name);
	a->fd = openat(s->components_fd, name,
		       O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (a->fd < 0)
		return fail_errno(diag, "create", name, errno);
	a->size = 0;
	/* The record is written on commit, once size and digest are known. */
	err = write_all(a->fd, blank, sizeof(blank), diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_init(s->crypto, &a->hash, diag);
	if (err != TK_OK) {
		close(a->fd);
		a->fd = -1;
		unlinkat(s->components_fd, name, 0);
	}
	return err;
}

tk_err tk_tee_sim_stage_write(struct tk_tee_sim_store *s, unsigned area, const uint8_t *chunk,
			      size_t len, struct tk_diag *diag)
{
	struct tk_tee_sim_area *a = open_area(s, area, diag);
	tk_err err;

	if (a == NULL)
		return TK_ERR_STATE;
	if (len > TK_TEE_MAX_OBJECT_SIZE - a->size)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "staged image exceeds %llu bytes",
			       (unsigned long long)TK_TEE_MAX_OBJECT_SIZE);
	err = write_all(a->fd, chunk, len, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_update(&a->hash, chunk, len, diag);
	if (err == TK_OK)
		a->size += len;
	return err;
}

/* Stream `size` bytes of fd from `offset` into write, hashing them into
 * hash when it is not NULL. */
static tk_err stream_fd(int fd, uint64_t offset, uint64_t size, struct tk_crypto_hash_ctx *hash,
			tk_tee_write_fn write, void *write_ctx, struct tk_diag *diag)
{
	uint8_t buf[CHUNK];
	tk_err err = TK_OK;

	while (err == TK_OK && size > 0) {
		size_t want = size < sizeof(buf) ? (size_t)size : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_errno(diag, "read", "stored object", n < 0 ? errno : EIO);
		if (hash != NULL)
			err = tk_crypto_sha256_update(hash, buf, (size_t)n, diag);
		if (err == TK_OK)
			err = write(write_ctx, buf, (size_t)n, diag);
		offset += (uint64_t)n;
		size -= (uint64_t)n;
	}
	tk_wipe(buf, sizeof(buf));
	return err;
}

tk_err tk_tee_sim_stage_read(struct tk_tee_sim_store *s, unsigned area, tk_tee_write_fn write,
			     void *write_ctx, struct tk_diag *diag)
{
	struct tk_tee_sim_area *a = open_area(s, area, diag);

	if (a == NULL)
		return TK_ERR_STATE;
	return stream_fd(a->fd, TK_TEE_SIM_RECORD_LEN, a->size, NULL, write, write_ctx, diag);
}

/* Write the record, sync, and rename the area over the component. */
static tk_err commit_file(struct tk_tee_sim_store *s, struct tk_tee_sim_area *a, unsigned area,
			  const struct tk_tee_object_info *info, struct tk_diag *diag)
{
	uint8_t record[TK_TEE_SIM_RECORD_LEN];
	char tmp[32], name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	tk_err err;

	area_name(area, tmp);
	err = hash_name(s, info->id, info->id_len, TK_TEE_SIM_HASH_NAME_LEN, name, diag);
	if (err != TK_OK)
		return err;
	tk_tee_sim_record_encode(info, record);
	if (pwrite(a->fd, record, sizeof(record), 0) != (ssize_t)sizeof(record))
		return fail_errno(diag, "write record of", tmp, errno != 0 ? errno : EIO);
	if (fsync(a->fd) != 0)
		return fail_errno(diag, "fsync", tmp, errno);
	if (renameat(s->components_fd, tmp, s->components_fd, name) != 0)
		return fail_errno(diag, "rename", tmp, errno);
	/* The rename is durable only once the folder itself is synced. */
	if (fsync(s->components_fd) != 0)
		return fail_errno(diag, "fsync folder of", name, errno);
	return TK_OK;
}

tk_err tk_tee_sim_stage_commit(struct tk_tee_sim_store *s, unsigned area, const uint8_t *id,
			       size_t id_len, uint64_t sequence_number, struct tk_diag *diag)
{
	struct tk_tee_sim_area *a = open_area(s, area, diag);
	struct tk_tee_object_info info;
	tk_err err;

	if (a == NULL)
		return TK_ERR_STATE;
	memset(&info, 0, sizeof(info));
	memcpy(info.id, id, id_len);
	info.id_len = id_len;
	info.size = a->size;
	info.sequence_number = sequence_number;
	err = tk_crypto_sha256_final(&a->hash, info.digest, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_init(s->crypto, &a->hash, diag);
	if (err == TK_OK)
		err = commit_file(s, a, area, &info, diag);
	if (err != TK_OK) {
		tk_tee_sim_stage_abort(s, area);
		return err;
	}
	tk_crypto_sha256_abort(&a->hash);
	close(a->fd);
	a->fd = -1;
	return TK_OK;
}

void tk_tee_sim_stage_abort(struct tk_tee_sim_store *s, unsigned area)
{
	struct tk_tee_sim_area *a;
	char name[32];

	if (area >= TK_TEE_MAX_STAGING_AREAS || s->areas[area].fd < 0)
		return;
	a = &s->areas[area];
	tk_crypto_sha256_abort(&a->hash);
	close(a->fd);
	a->fd = -1;
	area_name(area, name);
	unlinkat(s->components_fd, name, 0);
}

tk_err tk_tee_sim_stream_component(struct tk_tee_sim_store *s, const uint8_t *id,
				   size_t id_len, tk_tee_write_fn write, void *write_ctx,
				   struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_tee_object_info info;
	struct tk_crypto_hash_ctx hash;
	tk_err err;
	int fd = -1;

	err = hash_name(s, id, id_len, TK_TEE_SIM_HASH_NAME_LEN, name, diag);
	if (err == TK_OK)
		err = tk_tee_sim_open_object(s->components_fd, name, &info, &fd, diag);
	if (err == TK_OK && (info.id_len != id_len || memcmp(info.id, id, id_len) != 0))
		err = TK_FAIL(diag, TK_ERR_IO, "object file %s records another id", name);
	if (err == TK_OK)
		err = tk_crypto_sha256_init(s->crypto, &hash, diag);
	if (err != TK_OK) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	err = stream_fd(fd, TK_TEE_SIM_RECORD_LEN, info.size, &hash, write, write_ctx, diag);
	close(fd);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&hash);
		return err;
	}
	/* The bytes already went out, so on a mismatch the receiver must
	 * drop them. */
	err = tk_crypto_sha256_final(&hash, digest, diag);
	if (err == TK_OK && !tk_ct_equal(digest, info.digest, sizeof(digest)))
		err = TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			      "stored component no longer matches its digest");
	return err;
}

/* References. */

/* refs/<target hash>-<holder hash>, and the prefix of a target. */
static tk_err ref_name(const struct tk_tee_sim_store *s, const uint8_t *target,
		       size_t target_len, const uint8_t *holder, size_t holder_len,
		       char out[2 * REF_HASH_HEX + 2], struct tk_diag *diag)
{
	tk_err err = hash_name(s, target, target_len, REF_HASH_HEX, out, diag);

	if (err != TK_OK || holder == NULL)
		return err;
	out[REF_HASH_HEX] = '-';
	return hash_name(s, holder, holder_len, REF_HASH_HEX, out + REF_HASH_HEX + 1, diag);
}

static tk_err check_ids(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
			struct tk_diag *diag)
{
	if (a == NULL || b == NULL || a_len == 0 || b_len == 0 || a_len > TK_TEE_MAX_ID_LEN ||
	    b_len > TK_TEE_MAX_ID_LEN)
		return TK_FAIL(diag, TK_ERR_ARG, "holder or target id empty or over %d bytes",
			       TK_TEE_MAX_ID_LEN);
	return TK_OK;
}

tk_err tk_tee_sim_link(struct tk_tee_sim_store *s, const uint8_t *holder, size_t holder_len,
		       const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	char name[2 * REF_HASH_HEX + 2];
	uint8_t record[TK_TEE_SIM_RECORD_LEN];
	struct tk_tee_object_info info;
	struct stat st;
	tk_err err = check_ids(holder, holder_len, target, target_len, diag);

	if (err == TK_OK)
		err = ref_name(s, target, target_len, holder, holder_len, name, diag);
	if (err != TK_OK)
		return err;
	if (fstatat(s->refs_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return TK_OK; /* a holder references a target once */
	memset(&info, 0, sizeof(info));
	memcpy(info.id, holder, holder_len);
	info.id_len = holder_len;
	info.size = target_len;
	tk_tee_sim_record_encode(&info, record);
	return tk_tee_sim_write_atomic(s->refs_fd, name, 0600, record, sizeof(record), target,
				       target_len, diag);
}

/* True when reference file `name` records target as its target. */
static bool ref_targets(const struct tk_tee_sim_store *s, const char *name,
			const uint8_t *target, size_t target_len)
{
	struct tk_tee_object_info info;
	uint8_t stored[TK_TEE_MAX_ID_LEN];
	bool same = false;
	int fd = -1;

	if (tk_tee_sim_open_object(s->refs_fd, name, &info, &fd, NULL) != TK_OK)
		return false;
	if (info.size == target_len &&
	    tk_tee_sim_read_exact(fd, stored, target_len, NULL) == TK_OK)
		same = memcmp(stored, target, target_len) == 0;
	close(fd);
	return same;
}

/* Count the references to target, leaving out the file named `skip`. */
static tk_err count_refs(const struct tk_tee_sim_store *s, const uint8_t *target,
			 size_t target_len, const char *skip, uint64_t *out, struct tk_diag *diag)
{
	char prefix[2 * REF_HASH_HEX + 2];
	struct dirent *entry;
	tk_err err;
	DIR *dir;
	int fd;

	*out = 0;
	err = ref_name(s, target, target_len, NULL, 0, prefix, diag);
	if (err != TK_OK)
		return err;
	prefix[REF_HASH_HEX] = '-';
	prefix[REF_HASH_HEX + 1] = '\0';
	fd = dup(s->refs_fd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return fail_errno(diag, "open folder", REFS_DIR, errno);
	}
	rewinddir(dir);
	while ((entry = readdir(dir)) != NULL) {
		if (strncmp(entry->d_name, prefix, REF_HASH_HEX + 1) != 0 ||
		    (skip != NULL && strcmp(entry->d_name, skip) == 0))
			continue;
		if (ref_targets(s, entry->d_name, target, target_len))
			(*out)++;
	}
	closedir(dir);
	return TK_OK;
}

/* Remove the image of component `target` when it is one; absent is fine,
 * since the target may be a manifest. */
static tk_err remove_component(struct tk_tee_sim_store *s, const uint8_t *target,
			       size_t target_len, struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	tk_err err = hash_name(s, target, target_len, TK_TEE_SIM_HASH_NAME_LEN, name, diag);

	if (err != TK_OK)
		return err;
	if (unlinkat(s->components_fd, name, 0) != 0)
		return errno == ENOENT ? TK_OK : fail_errno(diag, "remove", name, errno);
	if (fsync(s->components_fd) != 0)
		return fail_errno(diag, "fsync folder of", name, errno);
	return TK_OK;
}

tk_err tk_tee_sim_unlink(struct tk_tee_sim_store *s, const uint8_t *holder, size_t holder_len,
			 const uint8_t *target, size_t target_len, uint64_t *remaining,
			 struct tk_diag *diag)
{
	char name[2 * REF_HASH_HEX + 2];
	tk_err err = check_ids(holder, holder_len, target, target_len, diag);

	*remaining = 0;
	if (err == TK_OK)
		err = ref_name(s, target, target_len, holder, holder_len, name, diag);
	if (err != TK_OK)
		return err;
	/* A holder that holds no reference decrements nothing. */
	if (unlinkat(s->refs_fd, name, 0) != 0 && errno != ENOENT)
		return fail_errno(diag, "remove", name, errno);
	if (fsync(s->refs_fd) != 0)
		return fail_errno(diag, "fsync folder of", name, errno);
	err = count_refs(s, target, target_len, NULL, remaining, diag);
	if (err == TK_OK && *remaining == 0)
		err = remove_component(s, target, target_len, diag);
	return err;
}

tk_err tk_tee_sim_references(struct tk_tee_sim_store *s, const uint8_t *target,
			     size_t target_len, const uint8_t *holder, size_t holder_len,
			     uint64_t *others, struct tk_diag *diag)
{
	char name[2 * REF_HASH_HEX + 2];
	tk_err err = check_ids(holder, holder_len, target, target_len, diag);

	*others = 0;
	if (err == TK_OK)
		err = ref_name(s, target, target_len, holder, holder_len, name, diag);
	if (err == TK_OK)
		err = count_refs(s, target, target_len, name, others, diag);
	return err;
}

/* Hooks for struct tk_tee_ops (see tk_tee_sim_store.h). */

tk_err tk_tee_sim_hook_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	return tk_tee_sim_stage_begin(ctx, area, diag);
}

tk_err tk_tee_sim_hook_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			       struct tk_diag *diag)
{
	return tk_tee_sim_stage_write(ctx, area, chunk, len, diag);
}

tk_err tk_tee_sim_hook_stage_read(void *ctx, unsigned area, tk_tee_write_fn write, void *write_ctx,
			      struct tk_diag *diag)
{
	return tk_tee_sim_stage_read(ctx, area, write, write_ctx, diag);
}

tk_err tk_tee_sim_hook_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
				uint64_t sequence_number, struct tk_diag *diag)
{
	return tk_tee_sim_stage_commit(ctx, area, id, id_len, sequence_number, diag);
}

void tk_tee_sim_hook_stage_abort(void *ctx, unsigned area)
{
	tk_tee_sim_stage_abort(ctx, area);
}

tk_err tk_tee_sim_hook_stream_component(void *ctx, const uint8_t *id, size_t id_len,
				    tk_tee_write_fn write, void *write_ctx, struct tk_diag *diag)
{
	return tk_tee_sim_stream_component(ctx, id, id_len, write, write_ctx, diag);
}

tk_err tk_tee_sim_hook_link(void *ctx, const uint8_t *holder, size_t holder_len,
			const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	return tk_tee_sim_link(ctx, holder, holder_len, target, target_len, diag);
}

tk_err tk_tee_sim_hook_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
			  const uint8_t *target, size_t target_len, uint64_t *remaining,
			  struct tk_diag *diag)
{
	return tk_tee_sim_unlink(ctx, holder, holder_len, target, target_len, remaining, diag);
}

tk_err tk_tee_sim_hook_references(void *ctx, const uint8_t *target, size_t target_len,
			      const uint8_t *holder, size_t holder_len, uint64_t *others,
			      struct tk_diag *diag)
{
	return tk_tee_sim_references(ctx, target, target_len, holder, holder_len, others, diag);
}
