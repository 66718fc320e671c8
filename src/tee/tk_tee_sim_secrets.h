/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys the simulated TEE keeps for SUIT, internal to src/tee/: the
 * recipient key of encrypted payloads, provisioned KEKs and MAC keys, and
 * TC signer trust anchors. tk_tee_sim.c owns one of these per open backend
 * and forwards the matching hooks here.
 */
#ifndef TK_TEE_SIM_SECRETS_H
#define TK_TEE_SIM_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "tee/tk_tee.h"

struct tk_tee_sim_secrets {
	const struct tk_crypto *crypto;
	int root_fd;                    /* the state directory, borrowed */
	int secrets_fd;                 /* secrets/, -1 when not open */
	int anchors_fd;                 /* trust-anchors/, -1 when not open */
	struct tk_crypto_key *enc_key;  /* recipient key, NULL when absent */
};

/*
 * Open the folders and load the recipient key below root_fd; with `create`
 * create what is missing (also in a state directory made before these
 * existed). Without `create` a missing key or folder is no error: the
 * hooks that need it then fail with TK_ERR_NOT_FOUND.
 */
tk_err tk_tee_sim_secrets_open(struct tk_tee_sim_secrets *s, const struct tk_crypto *crypto,
			       int root_fd, bool create, struct tk_diag *diag);

/* Close the folders and free (wipe) the recipient key. */
void tk_tee_sim_secrets_close(struct tk_tee_sim_secrets *s);

/* The hooks of the same names in struct tk_tee_ops. */
tk_err tk_tee_sim_unwrap_cek(const struct tk_tee_sim_secrets *s,
			     const struct tk_suit_recipient *recipient, uint8_t *cek,
			     size_t cek_cap, size_t *cek_len, struct tk_diag *diag);
tk_err tk_tee_sim_encryption_key_pem(const struct tk_tee_sim_secrets *s, char *out,
				     size_t out_cap, size_t *out_len, struct tk_diag *diag);
tk_err tk_tee_sim_provision_secret(const struct tk_tee_sim_secrets *s,
				   enum tk_tee_secret_use use, const uint8_t *kid,
				   size_t kid_len, const uint8_t *secret, size_t secret_len,
				   struct tk_diag *diag);
tk_err tk_tee_sim_mac_sha256(const struct tk_tee_sim_secrets *s, const uint8_t *kid,
			     size_t kid_len, const struct tk_span *parts, size_t n_parts,
			     uint8_t out[32], struct tk_diag *diag);
tk_err tk_tee_sim_anchor_add(const struct tk_tee_sim_secrets *s,
			     struct tk_tee_trust_anchor *anchor, struct tk_diag *diag);
tk_err tk_tee_sim_anchor_list(const struct tk_tee_sim_secrets *s, tk_tee_anchor_fn visit,
			      void *visit_ctx, struct tk_diag *diag);
tk_err tk_tee_sim_anchor_remove(const struct tk_tee_sim_secrets *s,
				const uint8_t kid[TK_TEE_KID_LEN], struct tk_diag *diag);

#endif /* TK_TEE_SIM_SECRETS_H */
