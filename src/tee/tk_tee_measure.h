/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Measured load, shared by the simulated and the TPM backends; internal
 * to src/tee/.
 *
 * A load reads a stored component through the backend's own hooks (which
 * check the digest recorded at install), compares it with the image
 * digest of its manifest, and appends an entry to the measurement log.
 * The log is one file, rewritten atomically on every append:
 *
 *   magic "TKTEEML1" (8 bytes), then per entry (TK_TEE_MLOG_ENTRY_LEN):
 *   id length (2, big endian), id (TK_TEE_MAX_ID_LEN, zero padded),
 *   image digest (32), event (32), running hash (32), PCR (4, big endian)
 *
 * The chain rule is documented with struct tk_tee_measurement.
 */
#ifndef TK_TEE_MEASURE_H
#define TK_TEE_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"

/* File name of the measurement log in a backend's state folder. */
#define TK_TEE_MLOG_FILE "measurements"

/* Size of one log entry on disk. */
#define TK_TEE_MLOG_ENTRY_LEN (2 + TK_TEE_MAX_ID_LEN + 3 * TK_TEE_DIGEST_LEN + 4)

/*
 * Hash component `id` of `tee` in chunks (the backend's stream_component)
 * and check it against `expected_digest`. Fills m's id, digest and event,
 * and leaves running and pcr 0. When copy_fd is not -1, the bytes hashed
 * are also appended to it and *copied (may be NULL) receives their
 * number. A stored image that matches neither its install record nor the
 * manifest fails with TK_ERR_DIGEST_MISMATCH.
 */
tk_err tk_tee_measure_read(const struct tk_tee *tee, const struct tk_crypto *crypto,
			   const uint8_t *id, size_t id_len,
			   const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
			   int copy_fd, uint64_t *copied,
			   struct tk_tee_measurement *m, struct tk_diag *diag);

/* SHA-256(prev || event) into out: the PCR extend rule for SHA-256. */
tk_err tk_tee_measure_extend(const struct tk_crypto *crypto,
			     const uint8_t prev[TK_TEE_DIGEST_LEN],
			     const uint8_t event[TK_TEE_DIGEST_LEN],
			     uint8_t out[TK_TEE_DIGEST_LEN], struct tk_diag *diag);

/*
 * Check the log in folder dirfd and visit its entries (visit may be NULL).
 * *running receives the last chain value (32 zero bytes for an empty or
 * missing log) and *count the number of entries. A broken chain or a
 * malformed file fails with TK_ERR_DIGEST_MISMATCH.
 */
tk_err tk_tee_mlog_walk(int dirfd, const struct tk_crypto *crypto,
			tk_tee_measurement_fn visit, void *visit_ctx,
			uint8_t running[TK_TEE_DIGEST_LEN], size_t *count,
			struct tk_diag *diag);

/*
 * Check the log in folder dirfd against expect (a PCR value) and visit its
 * entries, from one read of the file, so that the entries visited are the
 * ones checked. A chain that does not end at expect fails with
 * TK_ERR_DIGEST_MISMATCH before the first visit. *count receives the
 * number of entries, also on that failure.
 */
tk_err tk_tee_mlog_walk_expect(int dirfd, const struct tk_crypto *crypto,
			       const uint8_t expect[TK_TEE_DIGEST_LEN],
			       tk_tee_measurement_fn visit, void *visit_ctx,
			       size_t *count, struct tk_diag *diag);

/*
 * Append m (id, digest, event and pcr set) to the log in dirfd, setting
 * m->running from the chain. Fails with TK_ERR_LIMIT_COUNT when the log
 * contains TK_TEE_MAX_MEASUREMENTS entries.
 */
tk_err tk_tee_mlog_append(int dirfd, const struct tk_crypto *crypto,
			  struct tk_tee_measurement *m, struct tk_diag *diag);

/* Records a measurement in a root of trust (the TPM's PCR extend). */
struct tk_tee_measure_extender {
	tk_err (*extend)(void *ctx, const struct tk_tee_measurement *m,
			 struct tk_diag *diag);
	void *ctx;
	uint32_t pcr; /* copied into each log entry */
};

/*
 * The load hook of both backends: tk_tee_measure_read(), then the
 * extender (may be NULL), then the log append in dirfd, then invoke (may
 * be NULL). The invoke hook runs only after the load is recorded, and
 * reads the bytes measured from an unlinked copy in dirfd.
 */
tk_err tk_tee_measure_load(const struct tk_tee *tee, const struct tk_crypto *crypto,
			   int dirfd, const struct tk_tee_measure_extender *extender,
			   const uint8_t *id, size_t id_len,
			   const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
			   const struct tk_tee_invoke_ops *invoke,
			   struct tk_diag *diag);

/* Remove the log, so the chain starts again from zero. */
tk_err tk_tee_mlog_clear(int dirfd, struct tk_diag *diag);

#endif /* TK_TEE_MEASURE_H */
