/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File helpers of the simulated TEE backend, internal to src/tee/.
 *
 * Every path is a fixed name or a hex digest relative to an open folder
 * descriptor, and every open uses O_NOFOLLOW, so nothing a peer sends can
 * reach a path and no symlink placed in the state directory is followed.
 * Writes are atomic: temporary file, fsync, rename, fsync of the folder.
 */
#ifndef TK_TEE_SIM_FS_H
#define TK_TEE_SIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "tee/tk_tee.h"

/* Prefix of temporary files; entries with it are removed at open. */
#define TK_TEE_SIM_TMP_PREFIX ".tmp-"

/* Length of a file name made from a SHA-256 digest: 64 hex digits. */
#define TK_TEE_SIM_HASH_NAME_LEN 64

/*
 * Size of the fixed metadata record at the start of every object file:
 * magic (8), id length (2), id (TK_TEE_MAX_ID_LEN), sequence number (8),
 * data size (8), SHA-256 of the data (32), zero padding to 320.
 */
#define TK_TEE_SIM_RECORD_LEN 320

/* Open (and create when `create`) folder `name` below dirfd, mode 0700. */
tk_err tk_tee_sim_open_dir(int dirfd, const char *name, bool create,
			   int *out_fd, struct tk_diag *diag);

/*
 * Replace file `name` below dirfd atomically with the concatenation of
 * head and data, created with `mode`.
 */
tk_err tk_tee_sim_write_atomic(int dirfd, const char *name, unsigned mode,
			       const uint8_t *head, size_t head_len,
			       const uint8_t *data, size_t data_len,
			       struct tk_diag *diag);

/*
 * Read a whole small file (at most out_cap bytes) that must be a regular
 * file with no group or other permission when `private_file`. Fails with
 * TK_ERR_NOT_FOUND when absent.
 */
tk_err tk_tee_sim_read_small(int dirfd, const char *name, bool private_file,
			     uint8_t *out, size_t out_cap, size_t *out_len,
			     struct tk_diag *diag);

/* Remove file `name` below dirfd and fsync the folder. */
tk_err tk_tee_sim_remove(int dirfd, const char *name, struct tk_diag *diag);

/* Remove every entry starting with TK_TEE_SIM_TMP_PREFIX; counts them. */
tk_err tk_tee_sim_remove_temporaries(int dirfd, unsigned *removed,
				     struct tk_diag *diag);

/* Encode the metadata record of info into out. */
void tk_tee_sim_record_encode(const struct tk_tee_object_info *info,
			      uint8_t out[TK_TEE_SIM_RECORD_LEN]);

/*
 * Open object file `name` below dirfd, read and check its record, and
 * leave the descriptor positioned at the data. The file size must equal
 * the record plus the recorded data size. *out_fd is -1 on failure.
 */
tk_err tk_tee_sim_open_object(int dirfd, const char *name,
			      struct tk_tee_object_info *info, int *out_fd,
			      struct tk_diag *diag);

/* Read exactly len bytes from fd. */
tk_err tk_tee_sim_read_exact(int fd, uint8_t *out, size_t len,
			     struct tk_diag *diag);

/* Lowercase hex of data into out (2 * len + 1 bytes, NUL-terminated). */
void tk_tee_sim_hex(const uint8_t *data, size_t len, char *out);

#endif /* TK_TEE_SIM_FS_H */
