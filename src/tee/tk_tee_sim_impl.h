/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the simulated TEE backend, shared by tk_tee_sim.c (the
 * backend hooks) and tk_tee_sim_open.c (opening the state directory).
 */
#ifndef TK_TEE_SIM_IMPL_H
#define TK_TEE_SIM_IMPL_H

#include <stdint.h>

#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "tee/tk_tee_sim_secrets.h"
#include "tee/tk_tee_sim_store.h"

struct sim {
	/* First, so the store's hooks take this struct as their ctx. */
	struct tk_tee_sim_store store; /* staging areas, references */
	const struct tk_crypto *crypto;
	const struct tk_log *log;
	int root_fd;       /* the state directory */
	int lock_fd;       /* holds the write lock on LOCK_FILE */
	int components_fd;
	int manifests_fd;
	int sequence_fd;
	struct tk_crypto_key *key;
	struct tk_tee_key_info key_info;
	struct tk_crypto_key *report_key; /* NULL until created */
	uint8_t ueid[TK_TEE_UEID_LEN];
	struct tk_tee_sim_secrets secrets; /* recipient key, KEKs, MAC keys,
					      trust anchors */
};

/* Hooks of an open simulated backend, whose ctx is a struct sim. */
extern const struct tk_tee_ops tk_tee_sim_ops;

/* Close every descriptor, wipe and free the keys and sim. NULL is a no-op. */
void tk_tee_sim_close(void *ctx);

#endif /* TK_TEE_SIM_IMPL_H */
