/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged writes and reference counts of the simulated TEE, internal to
 * src/tee/. tk_tee_sim.c owns one of these per open backend and forwards
 * the matching hooks here. A backend that keeps its store in a simulated
 * one (the TPM backend) forwards these hooks to it.
 *
 * A staging area is a temporary file in components/ that becomes a
 * component only on commit, by one rename, so an install stays atomic and
 * a crash leaves a temporary file that the next open removes. The SHA-256
 * of the record is computed while the bytes stream in.
 *
 * A reference is one file refs/<hash of target>-<hash of holder>, so a
 * holder references a target at most once, counts survive a restart, and
 * a target's count is the number of files with its prefix.
 */
#ifndef TK_TEE_SIM_STORE_H
#define TK_TEE_SIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"

/* One staging area: its temporary file while open. */
struct tk_tee_sim_area {
	int fd;                        /* -1 when the area is not open */
	uint64_t size;                 /* bytes written after the record */
	struct tk_crypto_hash_ctx hash; /* SHA-256 of those bytes */
};

struct tk_tee_sim_store {
	const struct tk_crypto *crypto;
	int components_fd;             /* components/, borrowed */
	int refs_fd;                   /* refs/, -1 when not open */
	struct tk_tee_sim_area areas[TK_TEE_MAX_STAGING_AREAS];
};

/* Mark every descriptor closed, so close is safe before open. */
void tk_tee_sim_store_init(struct tk_tee_sim_store *s);

/*
 * Open refs/ below root_fd (created with `create`, also in a state
 * directory made before it existed) and mark every area closed.
 */
tk_err tk_tee_sim_store_open(struct tk_tee_sim_store *s, const struct tk_crypto *crypto,
			     int root_fd, int components_fd, bool create, struct tk_diag *diag);

/* Abort every open area and close refs/. */
void tk_tee_sim_store_close(struct tk_tee_sim_store *s);

/* The hooks of the same names in struct tk_tee_ops. */
tk_err tk_tee_sim_stage_begin(struct tk_tee_sim_store *s, unsigned area, struct tk_diag *diag);
tk_err tk_tee_sim_stage_write(struct tk_tee_sim_store *s, unsigned area, const uint8_t *chunk,
			      size_t len, struct tk_diag *diag);
tk_err tk_tee_sim_stage_read(struct tk_tee_sim_store *s, unsigned area, tk_tee_write_fn write,
			     void *write_ctx, struct tk_diag *diag);
tk_err tk_tee_sim_stage_commit(struct tk_tee_sim_store *s, unsigned area, const uint8_t *id,
			       size_t id_len, uint64_t sequence_number, struct tk_diag *diag);
void tk_tee_sim_stage_abort(struct tk_tee_sim_store *s, unsigned area);
tk_err tk_tee_sim_stream_component(struct tk_tee_sim_store *s, const uint8_t *id,
				   size_t id_len, tk_tee_write_fn write, void *write_ctx,
				   struct tk_diag *diag);
tk_err tk_tee_sim_link(struct tk_tee_sim_store *s, const uint8_t *holder, size_t holder_len,
		       const uint8_t *target, size_t target_len, struct tk_diag *diag);
tk_err tk_tee_sim_unlink(struct tk_tee_sim_store *s, const uint8_t *holder, size_t holder_len,
			 const uint8_t *target, size_t target_len, uint64_t *remaining,
			 struct tk_diag *diag);
tk_err tk_tee_sim_references(struct tk_tee_sim_store *s, const uint8_t *target,
			     size_t target_len, const uint8_t *holder, size_t holder_len,
			     uint64_t *others, struct tk_diag *diag);

/*
 * The same as struct tk_tee_ops hooks. `ctx` points to a backend state
 * whose first member is its struct tk_tee_sim_store, so a backend lists
 * these in its ops table directly.
 */
tk_err tk_tee_sim_hook_stage_begin(void *ctx, unsigned area, struct tk_diag *diag);
tk_err tk_tee_sim_hook_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
				   struct tk_diag *diag);
tk_err tk_tee_sim_hook_stage_read(void *ctx, unsigned area, tk_tee_write_fn write,
				  void *write_ctx, struct tk_diag *diag);
tk_err tk_tee_sim_hook_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
				    uint64_t sequence_number, struct tk_diag *diag);
void tk_tee_sim_hook_stage_abort(void *ctx, unsigned area);
tk_err tk_tee_sim_hook_stream_component(void *ctx, const uint8_t *id, size_t id_len,
					tk_tee_write_fn write, void *write_ctx,
					struct tk_diag *diag);
tk_err tk_tee_sim_hook_link(void *ctx, const uint8_t *holder, size_t holder_len,
			    const uint8_t *target, size_t target_len, struct tk_diag *diag);
tk_err tk_tee_sim_hook_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
			      const uint8_t *target, size_t target_len, uint64_t *remaining,
			      struct tk_diag *diag);
tk_err tk_tee_sim_hook_references(void *ctx, const uint8_t *target, size_t target_len,
				  const uint8_t *holder, size_t holder_len, uint64_t *others,
				  struct tk_diag *diag);

#endif /* TK_TEE_SIM_STORE_H */
