/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent authentication of SUIT envelopes with the keys the TEE holds (see
 * tk_agent_auth.h). Trust anchors are read from the TEE for every
 * authentication, so one added or removed with `teep-agent trust-add` or
 * `trust-remove` counts from the next manifest on.
 */
#include "agent/tk_agent_auth.h"

#include <string.h>

#include "cose/tk_cose.h"

/* Keys of one authentication: command-line ones first, then the TEE's. */
struct anchor_set {
	const struct tk_crypto *crypto;
	struct tk_suit_trust_anchor anchors[16];
	size_t count;
	struct tk_crypto_key *owned[TK_AGENT_MAX_TEE_ANCHORS]; /* imported */
	size_t owned_count;
	uint8_t scopes[TK_AGENT_MAX_TEE_ANCHORS][TK_TEE_MAX_ID_LEN];
};

static tk_err add_tee_anchor(void *ctx, const struct tk_tee_trust_anchor *anchor)
{
	struct anchor_set *set = ctx;
	struct tk_crypto_key *key = NULL;
	size_t i = set->owned_count;
	tk_err err;

	if (i == TK_AGENT_MAX_TEE_ANCHORS || set->count == 16)
		return TK_ERR_LIMIT_COUNT;
	err = tk_crypto_key_import_pem(set->crypto, (const uint8_t *)anchor->pem,
				       anchor->pem_len, &key, NULL);
	if (err != TK_OK)
		return err;
	set->owned[i] = key;
	memcpy(set->scopes[i], anchor->scope, anchor->scope_len);
	set->anchors[set->count].key = key;
	set->anchors[set->count].scope = tk_span_make(set->scopes[i], anchor->scope_len);
	set->owned_count++;
	set->count++;
	return TK_OK;
}

/* The TEE's MAC key as a COSE MAC hook. */
static tk_err tee_mac(void *ctx, struct tk_span kid, const struct tk_span *parts,
		      size_t n_parts, uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
		      struct tk_diag *diag)
{
	return tk_tee_mac_sha256(ctx, kid.ptr, kid.len, parts, n_parts, out, diag);
}

tk_err tk_agent_authenticate(const struct tk_tee *tee, const struct tk_crypto *crypto,
			     const struct tk_crypto_key *const *keys, size_t key_count,
			     const struct tk_suit_envelope *env, struct tk_suit_manifest *out,
			     struct tk_diag *diag)
{
	struct tk_cose_mac_hook hook = {tee_mac, (void *)tee};
	struct tk_suit_auth_opts opts;
	struct anchor_set set;
	tk_err err = TK_OK;

	memset(out, 0, sizeof(*out));
	memset(&set, 0, sizeof(set));
	set.crypto = crypto;
	if (key_count > 16 - TK_AGENT_MAX_TEE_ANCHORS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu trust anchors given, at most %d",
			       key_count, 16 - TK_AGENT_MAX_TEE_ANCHORS);
	for (size_t i = 0; i < key_count; i++) {
		set.anchors[set.count].key = keys[i];
		set.anchors[set.count++].scope = TK_SPAN_EMPTY;
	}

	/* A backend without stored anchors (no hook) adds none. */
	if (tee->ops->trust_anchor_list != NULL)
		err = tk_tee_trust_anchor_list(tee, add_tee_anchor, &set, diag);
	if (err == TK_ERR_LIMIT_COUNT)
		err = TK_FAIL(diag, err, "the TEE holds more than %d trust anchors",
			      TK_AGENT_MAX_TEE_ANCHORS);
	if (err == TK_OK) {
		memset(&opts, 0, sizeof(opts));
		opts.anchors = set.anchors;
		opts.anchor_count = set.count;
		opts.mac = tee->ops->mac_sha256 != NULL ? &hook : NULL;
		err = tk_suit_authenticate_opts(env, crypto, &opts, out, diag);
	}
	for (size_t i = 0; i < set.owned_count; i++)
		tk_crypto_key_free(set.owned[i]);
	return err;
}
