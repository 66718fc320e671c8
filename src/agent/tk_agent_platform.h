/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage hooks of the agent's SUIT platform (tk_agent_platform.c): staged
 * writes, reads of installed components, reference counts, and the
 * uninstall of a manifest whose last reference is dropped. Internal to
 * src/agent/; tk_agent_suit_platform() puts these in the ops table.
 */
#ifndef TK_AGENT_PLATFORM_H
#define TK_AGENT_PLATFORM_H

#include "agent/tk_agent_tee.h"

/*
 * Bound of the dependency envelopes one manifest fetches by URI, in bytes
 * (TK_ERR_LIMIT_SIZE beyond). A TEEP TA manifest is under 1 KiB; this
 * leaves room for integrated payloads. Integrated dependencies stay in the
 * envelope and do not count.
 */
#define TK_AGENT_DEPENDENCY_BUFFER (256u * 1024u)

/* struct tk_suit_platform_ops hooks on a struct tk_agent_tee ctx. */
tk_err tk_agent_platform_read(void *ctx, const uint8_t *id, size_t id_len,
			      const struct tk_suit_sink *sink, struct tk_diag *diag);
tk_err tk_agent_platform_stage_begin(void *ctx, unsigned area, struct tk_diag *diag);
tk_err tk_agent_platform_stage_write(void *ctx, unsigned area, const uint8_t *chunk,
				     size_t len, struct tk_diag *diag);
tk_err tk_agent_platform_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
				    struct tk_diag *diag);
tk_err tk_agent_platform_stage_commit(void *ctx, unsigned area, const uint8_t *id,
				      size_t id_len, uint64_t sequence_number,
				      struct tk_diag *diag);
void tk_agent_platform_stage_abort(void *ctx, unsigned area);
tk_err tk_agent_platform_link(void *ctx, const uint8_t *holder, size_t holder_len,
			      const uint8_t *target, size_t target_len, struct tk_diag *diag);
tk_err tk_agent_platform_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
				const uint8_t *target, size_t target_len, uint64_t *remaining,
				struct tk_diag *diag);
tk_err tk_agent_platform_references(void *ctx, const uint8_t *target, size_t target_len,
				    const uint8_t *holder, size_t holder_len, uint64_t *others,
				    struct tk_diag *diag);

tk_err tk_agent_platform_store_dependency(void *ctx, const uint8_t *id, size_t id_len,
					  const uint8_t *envelope, size_t envelope_len,
					  uint64_t sequence_number, struct tk_diag *diag);
/*
 * Invoke hook: the TEE's measured load of component `id`
 * (tk_tee_load_component()) against `image_digest`, which must be set and
 * SHA-256 (TK_ERR_POLICY, TK_ERR_ALG_UNSUPPORTED), then glue->runner. The
 * invoke arguments are not passed on: a runner gets the component id only.
 */
tk_err tk_agent_platform_invoke(void *ctx, const uint8_t *id, size_t id_len,
				const uint8_t *args, size_t args_len,
				const struct tk_suit_digest *image_digest, struct tk_diag *diag);
tk_err tk_agent_platform_authenticate(void *ctx, const struct tk_suit_envelope *env,
				      struct tk_suit_manifest *out, struct tk_diag *diag);

/*
 * Fill *opts to run the SUIT processor on glue, with *ops as its platform
 * hooks. With reference counts it allocates the buffer for dependency
 * envelopes: release with tk_agent_process_opts_free(), also on failure.
 */
tk_err tk_agent_process_opts(struct tk_agent_tee *glue, struct tk_suit_platform_ops *ops,
			     struct tk_suit_process_opts *opts, struct tk_diag *diag);
void tk_agent_process_opts_free(struct tk_suit_process_opts *opts);

/* True when the backend keeps reference counts (link, unlink and
 * references hooks), which dependencies need. */
bool tk_agent_has_references(const struct tk_agent_tee *glue);

/*
 * Drop the manifest's reference to itself; when no manifest references it
 * any more, authenticate its stored envelope again, run its uninstall
 * procedure (or, without an uninstall section, unlink the components it
 * names) and remove the envelope. A manifest another one still depends on
 * stays installed. The sequence number stays, so the manifest cannot be
 * rolled back later.
 */
tk_err tk_agent_uninstall_manifest(struct tk_agent_tee *glue, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag);

#endif /* TK_AGENT_PLATFORM_H */
