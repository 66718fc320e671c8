/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Measured load and the measurement log (see tk_tee_measure.h). The log
 * is small (at most TK_TEE_MAX_MEASUREMENTS entries of 358 bytes), so an
 * append reads it whole, checks the chain and writes it back through one
 * atomic rename: a crash leaves the old log or the new one.
 */
#include "tee/tk_tee_measure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tee/tk_tee_sim_fs.h"

/* Magic at the start of the log file, version 1 of the format. */
static const uint8_t mlog_magic[8] = {'T', 'K', 'T', 'E', 'E', 'M', 'L', '1'};

#define MLOG_MAX_LEN (sizeof(mlog_magic) + \
		      TK_TEE_MAX_MEASUREMENTS * TK_TEE_MLOG_ENTRY_LEN)

tk_err tk_tee_measure_extend(const struct tk_crypto *crypto,
			     const uint8_t prev[TK_TEE_DIGEST_LEN],
			     const uint8_t event[TK_TEE_DIGEST_LEN],
			     uint8_t out[TK_TEE_DIGEST_LEN], struct tk_diag *diag)
{
	uint8_t buf[2 * TK_TEE_DIGEST_LEN];

	memcpy(buf, prev, TK_TEE_DIGEST_LEN);
	memcpy(buf + TK_TEE_DIGEST_LEN, event, TK_TEE_DIGEST_LEN);
	return tk_crypto_sha256(crypto, buf, sizeof(buf), out, diag);
}

/* event = SHA-256(encoded component id || image digest). */
static tk_err measure_event(const struct tk_crypto *crypto,
			    struct tk_tee_measurement *m, struct tk_diag *diag)
{
	uint8_t buf[TK_TEE_MAX_ID_LEN + TK_TEE_DIGEST_LEN];

	memcpy(buf, m->id, m->id_len);
	memcpy(buf + m->id_len, m->digest, TK_TEE_DIGEST_LEN);
	return tk_crypto_sha256(crypto, buf, m->id_len + TK_TEE_DIGEST_LEN,
				m->event, diag);
}

/* Chunk of the copy handed to an invoke hook, on the stack. */
#define COPY_CHUNK (16u * 1024u)

/* Receives the stored image in chunks: hashes each and, when copy_fd is
 * open, appends it to the private copy for the invoke hook. */
struct measure_sink {
	struct tk_crypto_hash_ctx hash;
	int copy_fd;    /* -1 when the image is only measured */
	uint64_t len;   /* bytes received */
};

static tk_err write_all(int fd, const uint8_t *data, size_t len, struct tk_diag *diag)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TK_FAIL(diag, TK_ERR_IO, "writing the copy of a loaded image failed: %s",
				       n < 0 ? strerror(errno) : "short write");
		data += n;
		len -= (size_t)n;
	}
	return TK_OK;
}

static tk_err measure_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct measure_sink *ms = ctx;
	tk_err err = TK_OK;

	if (ms->copy_fd >= 0)
		err = write_all(ms->copy_fd, chunk, len, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_update(&ms->hash, chunk, len, diag);
	if (err == TK_OK)
		ms->len += len;
	return err;
}

/* Stream the stored image through ms, which the backend checks against
 * the digest recorded at install once the last chunk is written. */
static tk_err hash_stored(const struct tk_tee *tee, const struct tk_crypto *crypto,
			  const uint8_t *id, size_t id_len, struct measure_sink *ms,
			  uint8_t digest[TK_TEE_DIGEST_LEN], struct tk_diag *diag)
{
	tk_err err = tk_crypto_sha256_init(crypto, &ms->hash, diag);

	if (err != TK_OK)
		return err;
	err = tk_tee_stream_component(tee, id, id_len, measure_write, ms, diag);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&ms->hash);
		return err;
	}
	return tk_crypto_sha256_final(&ms->hash, digest, diag);
}

tk_err tk_tee_measure_read(const struct tk_tee *tee, const struct tk_crypto *crypto,
			   const uint8_t *id, size_t id_len,
			   const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
			   int copy_fd, uint64_t *copied,
			   struct tk_tee_measurement *m, struct tk_diag *diag)
{
	struct measure_sink ms;
	tk_err err;

	memset(&ms, 0, sizeof(ms));
	ms.copy_fd = copy_fd;
	if (copied != NULL)
		*copied = 0;
	memset(m, 0, sizeof(*m));
	err = hash_stored(tee, crypto, id, id_len, &ms, m->digest, diag);
	if (err == TK_OK && !tk_ct_equal(m->digest, expected_digest, TK_TEE_DIGEST_LEN))
		err = TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			      "stored image does not match the image digest of its manifest");
	if (err == TK_OK) {
		memcpy(m->id, id, id_len);
		m->id_len = id_len;
		err = measure_event(crypto, m, diag);
	}
	if (err != TK_OK) {
		memset(m, 0, sizeof(*m));
		return err;
	}
	if (copied != NULL)
		*copied = ms.len;
	return TK_OK;
}

/*
 * Create the private copy for an invoke hook: a file with a random name
 * in dirfd, mode 0600, unlinked at once so that only this descriptor
 * reaches it and closing it frees the space.
 */
static tk_err open_copy(int dirfd, const struct tk_crypto *crypto, int *out,
			struct tk_diag *diag)
{
	uint8_t random_bytes[8];
	char name[sizeof(".load-") + 2 * sizeof(random_bytes)];
	tk_err err = tk_crypto_random(crypto, random_bytes, sizeof(random_bytes), diag);
	int fd;

	*out = -1;
	if (err != TK_OK)
		return err;
	memcpy(name, ".load-", 6);
	tk_tee_sim_hex(random_bytes, sizeof(random_bytes), name + 6);
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "creating %s for the loaded image failed: %s", name,
			       strerror(errno));
	if (unlinkat(dirfd, name, 0) != 0) {
		err = TK_FAIL(diag, TK_ERR_IO, "removing %s failed: %s", name, strerror(errno));
		close(fd);
		return err;
	}
	*out = fd;
	return TK_OK;
}

/* The private copy as a struct tk_tee_image. */
struct image_copy {
	int fd;
	uint64_t size;
};

static tk_err stream_copy(void *ctx, tk_tee_write_fn write, void *write_ctx,
			  struct tk_diag *diag)
{
	const struct image_copy *copy = ctx;
	uint8_t buf[COPY_CHUNK];
	uint64_t offset = 0;
	tk_err err = TK_OK;

	while (err == TK_OK && offset < copy->size) {
		uint64_t left = copy->size - offset;
		size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t n = pread(copy->fd, buf, want, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TK_FAIL(diag, TK_ERR_IO, "reading the copy of a loaded image failed: %s",
				       n < 0 ? strerror(errno) : "unexpected end of file");
		err = write(write_ctx, buf, (size_t)n, diag);
		offset += (uint64_t)n;
	}
	return err;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void encode_entry(const struct tk_tee_measurement *m, uint8_t *out)
{
	memset(out, 0, TK_TEE_MLOG_ENTRY_LEN);
	out[0] = (uint8_t)(m->id_len >> 8);
	out[1] = (uint8_t)m->id_len;
	memcpy(out + 2, m->id, m->id_len);
	out += 2 + TK_TEE_MAX_ID_LEN;
	memcpy(out, m->digest, TK_TEE_DIGEST_LEN);
	memcpy(out + TK_TEE_DIGEST_LEN, m->event, TK_TEE_DIGEST_LEN);
	memcpy(out + 2 * TK_TEE_DIGEST_LEN, m->running, TK_TEE_DIGEST_LEN);
	out += 3 * TK_TEE_DIGEST_LEN;
	out[0] = (uint8_t)(m->pcr >> 24);
	out[1] = (uint8_t)(m->pcr >> 16);
	out[2] = (uint8_t)(m->pcr >> 8);
	out[3] = (uint8_t)m->pcr;
}

static tk_err decode_entry(const uint8_t *in, size_t index,
			   struct tk_tee_measurement *m, struct tk_diag *diag)
{
	memset(m, 0, sizeof(*m));
	m->id_len = (size_t)in[0] << 8 | in[1];
	if (m->id_len == 0 || m->id_len > TK_TEE_MAX_ID_LEN)
		return TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			       "measurement log entry %zu has an id of %zu bytes",
			       index, m->id_len);
	memcpy(m->id, in + 2, m->id_len);
	in += 2 + TK_TEE_MAX_ID_LEN;
	memcpy(m->digest, in, TK_TEE_DIGEST_LEN);
	memcpy(m->event, in + TK_TEE_DIGEST_LEN, TK_TEE_DIGEST_LEN);
	memcpy(m->running, in + 2 * TK_TEE_DIGEST_LEN, TK_TEE_DIGEST_LEN);
	m->pcr = get_be32(in + 3 * TK_TEE_DIGEST_LEN);
	return TK_OK;
}

/* Read the log file into a new buffer; a missing log is empty. */
static tk_err read_log(int dirfd, uint8_t **out, size_t *out_len,
		       struct tk_diag *diag)
{
	struct tk_diag local;
	uint8_t *buf = malloc(MLOG_MAX_LEN);
	tk_err err;

	*out = NULL;
	*out_len = 0;
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate the measurement log");
	tk_diag_clear(&local);
	err = tk_tee_sim_read_small(dirfd, TK_TEE_MLOG_FILE, true, buf, MLOG_MAX_LEN,
				    out_len, &local);
	if (err == TK_ERR_NOT_FOUND) {
		*out_len = 0;
		err = TK_OK;
	} else if (err != TK_OK) {
		err = TK_FAIL(diag, err, "measurement log: %s", local.msg);
	}
	if (err != TK_OK) {
		free(buf);
		return err;
	}
	*out = buf;
	return TK_OK;
}

/* Check one decoded entry against the chain value before it. */
static tk_err check_entry(const struct tk_crypto *crypto, size_t index,
			  const struct tk_tee_measurement *m,
			  const uint8_t prev[TK_TEE_DIGEST_LEN], struct tk_diag *diag)
{
	struct tk_tee_measurement expect = *m;
	uint8_t running[TK_TEE_DIGEST_LEN];
	tk_err err = measure_event(crypto, &expect, diag);

	if (err == TK_OK)
		err = tk_tee_measure_extend(crypto, prev, m->event, running, diag);
	if (err != TK_OK)
		return err;
	if (!tk_ct_equal(expect.event, m->event, TK_TEE_DIGEST_LEN) ||
	    !tk_ct_equal(running, m->running, TK_TEE_DIGEST_LEN))
		return TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			       "measurement log entry %zu breaks the hash chain", index);
	return TK_OK;
}

/* Check that the chain ended at expect (NULL: no check). */
static tk_err check_expect(const uint8_t running[TK_TEE_DIGEST_LEN],
			   const uint8_t *expect, size_t n, struct tk_diag *diag)
{
	if (expect == NULL || tk_ct_equal(running, expect, TK_TEE_DIGEST_LEN))
		return TK_OK;
	return TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
		       "measurement log of %zu entries does not replay to the PCR value", n);
}

static tk_err walk_buffer(const uint8_t *buf, size_t len,
			  const struct tk_crypto *crypto, const uint8_t *expect,
			  tk_tee_measurement_fn visit, void *visit_ctx,
			  uint8_t running[TK_TEE_DIGEST_LEN], size_t *count,
			  struct tk_diag *diag)
{
	struct tk_tee_measurement m;
	size_t n, i;
	tk_err err = TK_OK;

	if (len == 0)
		return check_expect(running, expect, 0, diag);
	if (len < sizeof(mlog_magic) || memcmp(buf, mlog_magic, sizeof(mlog_magic)) != 0 ||
	    (len - sizeof(mlog_magic)) % TK_TEE_MLOG_ENTRY_LEN != 0)
		return TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			       "measurement log of %zu bytes is malformed", len);
	n = (len - sizeof(mlog_magic)) / TK_TEE_MLOG_ENTRY_LEN;

	/* Check the whole chain before the first visit. */
	for (i = 0; i < n && err == TK_OK; i++) {
		err = decode_entry(buf + sizeof(mlog_magic) + i * TK_TEE_MLOG_ENTRY_LEN,
				   i, &m, diag);
		if (err == TK_OK)
			err = check_entry(crypto, i, &m, running, diag);
		if (err == TK_OK)
			memcpy(running, m.running, TK_TEE_DIGEST_LEN);
	}
	if (err == TK_OK) {
		*count = n;
		err = check_expect(running, expect, n, diag);
	}
	for (i = 0; i < n && err == TK_OK && visit != NULL; i++) {
		err = decode_entry(buf + sizeof(mlog_magic) + i * TK_TEE_MLOG_ENTRY_LEN,
				   i, &m, diag);
		if (err == TK_OK)
			err = visit(visit_ctx, &m);
	}
	return err;
}

tk_err tk_tee_mlog_walk(int dirfd, const struct tk_crypto *crypto,
			tk_tee_measurement_fn visit, void *visit_ctx,
			uint8_t running[TK_TEE_DIGEST_LEN], size_t *count,
			struct tk_diag *diag)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err;

	memset(running, 0, TK_TEE_DIGEST_LEN);
	*count = 0;
	err = read_log(dirfd, &buf, &len, diag);
	if (err == TK_OK)
		err = walk_buffer(buf, len, crypto, NULL, visit, visit_ctx, running,
				  count, diag);
	free(buf);
	if (err != TK_OK) {
		memset(running, 0, TK_TEE_DIGEST_LEN);
		*count = 0;
	}
	return err;
}

tk_err tk_tee_mlog_walk_expect(int dirfd, const struct tk_crypto *crypto,
			       const uint8_t expect[TK_TEE_DIGEST_LEN],
			       tk_tee_measurement_fn visit, void *visit_ctx,
			       size_t *count, struct tk_diag *diag)
{
	uint8_t running[TK_TEE_DIGEST_LEN] = {0};
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err;

	*count = 0;
	err = read_log(dirfd, &buf, &len, diag);
	if (err == TK_OK)
		err = walk_buffer(buf, len, crypto, expect, visit, visit_ctx, running,
				  count, diag);
	free(buf);
	return err;
}

tk_err tk_tee_mlog_append(int dirfd, const struct tk_crypto *crypto,
			  struct tk_tee_measurement *m, struct tk_diag *diag)
{
	uint8_t running[TK_TEE_DIGEST_LEN];
	uint8_t *buf = NULL;
	size_t len = 0, count = 0;
	tk_err err;

	memset(running, 0, sizeof(running));
	err = read_log(dirfd, &buf, &len, diag);
	if (err == TK_OK)
		err = walk_buffer(buf, len, crypto, NULL, NULL, NULL, running, &count,
				  diag);
	if (err == TK_OK && count >= TK_TEE_MAX_MEASUREMENTS)
		err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			      "measurement log holds %zu entries, maximum %d",
			      count, TK_TEE_MAX_MEASUREMENTS);
	if (err == TK_OK)
		err = tk_tee_measure_extend(crypto, running, m->event, m->running, diag);
	if (err == TK_OK) {
		if (len == 0) {
			memcpy(buf, mlog_magic, sizeof(mlog_magic));
			len = sizeof(mlog_magic);
		}
		encode_entry(m, buf + len);
		len += TK_TEE_MLOG_ENTRY_LEN;
		err = tk_tee_sim_write_atomic(dirfd, TK_TEE_MLOG_FILE, 0600, buf, len,
					      NULL, 0, diag);
	}
	free(buf);
	return err;
}

tk_err tk_tee_mlog_clear(int dirfd, struct tk_diag *diag)
{
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_sim_remove(dirfd, TK_TEE_MLOG_FILE, &local);
	if (err == TK_ERR_NOT_FOUND)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(diag, err, "clearing the measurement log: %s", local.msg);
	return TK_OK;
}

tk_err tk_tee_measure_load(const struct tk_tee *tee, const struct tk_crypto *crypto,
			   int dirfd, const struct tk_tee_measure_extender *extender,
			   const uint8_t *id, size_t id_len,
			   const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
			   const struct tk_tee_invoke_ops *invoke,
			   struct tk_diag *diag)
{
	struct tk_tee_measurement m;
	struct image_copy copy = {-1, 0};
	struct tk_tee_image image;
	tk_err err = TK_OK;

	/* Only an invoke hook needs the bytes again; they go to a private
	   copy while they are hashed, so memory stays bounded at any size. */
	if (invoke != NULL)
		err = open_copy(dirfd, crypto, &copy.fd, diag);
	if (err == TK_OK)
		err = tk_tee_measure_read(tee, crypto, id, id_len, expected_digest, copy.fd,
					  &copy.size, &m, diag);

	/*
	 * The TPM is extended first: it is what a verifier trusts. If the log
	 * write then fails, the log trails the PCR, and list_measurements
	 * reports the mismatch instead of evidence that hides a load.
	 */
	if (err == TK_OK && extender != NULL) {
		m.pcr = extender->pcr;
		err = extender->extend(extender->ctx, &m, diag);
	}
	if (err == TK_OK)
		err = tk_tee_mlog_append(dirfd, crypto, &m, diag);
	if (err == TK_OK && invoke != NULL) {
		image.size = copy.size;
		image.stream = stream_copy;
		image.ctx = &copy;
		err = invoke->invoke(invoke->ctx, id, id_len, &image, diag);
	}
	if (copy.fd >= 0)
		close(copy.fd);
	return err;
}
