/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrappers of the TEE hooks for encrypted SUIT payloads, provisioned
 * secrets and TC signer trust anchors. Like those in tk_tee.c they check
 * arguments, fail with TK_ERR_UNSUPPORTED for a NULL hook, and empty the
 * outputs on failure.
 */
#include "tee/tk_tee.h"

#include <string.h>

/* Fail unless tee is open and provides `hook`. */
#define REQUIRE_HOOK(tee, hook, diag)                                          \
	do {                                                                   \
		if ((tee) == NULL || (tee)->ops == NULL)                       \
			return TK_FAIL((diag), TK_ERR_ARG,                     \
				       "TEE backend is not open");             \
		if ((tee)->ops->hook == NULL)                                  \
			return TK_FAIL((diag), TK_ERR_UNSUPPORTED,             \
				       "TEE backend has no " #hook " hook");   \
	} while (0)

tk_err tk_tee_unwrap_cek(const struct tk_tee *tee, const struct tk_suit_recipient *recipient,
			 uint8_t *cek, size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	tk_err err;

	if (cek_len == NULL || cek == NULL || recipient == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to unwrap_cek");
	*cek_len = 0;
	REQUIRE_HOOK(tee, unwrap_cek, diag);
	err = tee->ops->unwrap_cek(tee->ctx, recipient, cek, cek_cap, cek_len, diag);
	if (err != TK_OK) {
		tk_wipe(cek, cek_cap);
		*cek_len = 0;
	}
	return err;
}

tk_err tk_tee_encryption_public_key_pem(const struct tk_tee *tee, char *out, size_t out_cap,
					size_t *out_len, struct tk_diag *diag)
{
	tk_err err;

	if (out_len == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "output buffer is invalid");
	*out_len = 0;
	REQUIRE_HOOK(tee, encryption_public_key_pem, diag);
	err = tee->ops->encryption_public_key_pem(tee->ctx, out, out_cap, out_len, diag);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

tk_err tk_tee_provision_secret(const struct tk_tee *tee, enum tk_tee_secret_use use,
			       const uint8_t *kid, size_t kid_len, const uint8_t *secret,
			       size_t secret_len, struct tk_diag *diag)
{
	if (secret == NULL || (kid == NULL && kid_len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to provision_secret");
	if (use != TK_TEE_SECRET_KEK && use != TK_TEE_SECRET_MAC_KEY)
		return TK_FAIL(diag, TK_ERR_ARG, "unknown secret use %d", (int)use);
	if (kid_len > TK_TEE_MAX_SECRET_KID)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "kid of %zu bytes, maximum %d", kid_len,
			       TK_TEE_MAX_SECRET_KID);
	if (use == TK_TEE_SECRET_KEK && secret_len != 16 && secret_len != 24 &&
	    secret_len != 32)
		return TK_FAIL(diag, TK_ERR_KEY, "KEK of %zu bytes, expected 16, 24 or 32",
			       secret_len);
	if (use == TK_TEE_SECRET_MAC_KEY && secret_len != 32)
		return TK_FAIL(diag, TK_ERR_KEY,
			       "HMAC 256/256 key of %zu bytes, expected 32", secret_len);
	REQUIRE_HOOK(tee, provision_secret, diag);
	return tee->ops->provision_secret(tee->ctx, use, kid, kid_len, secret, secret_len,
					  diag);
}

tk_err tk_tee_mac_sha256(const struct tk_tee *tee, const uint8_t *kid, size_t kid_len,
			 const struct tk_span *parts, size_t n_parts, uint8_t out[32],
			 struct tk_diag *diag)
{
	tk_err err;

	if (out == NULL || (parts == NULL && n_parts > 0) || (kid == NULL && kid_len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to mac_sha256");
	memset(out, 0, 32);
	REQUIRE_HOOK(tee, mac_sha256, diag);
	err = tee->ops->mac_sha256(tee->ctx, kid, kid_len, parts, n_parts, out, diag);
	if (err != TK_OK)
		memset(out, 0, 32);
	return err;
}

tk_err tk_tee_trust_anchor_add(const struct tk_tee *tee, struct tk_tee_trust_anchor *anchor,
			       struct tk_diag *diag)
{
	if (anchor == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL trust anchor");
	if (anchor->pem_len == 0 || anchor->pem_len > sizeof(anchor->pem) ||
	    anchor->scope_len > sizeof(anchor->scope))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "trust anchor PEM of %zu bytes or scope of %zu bytes is out "
			       "of bounds", anchor->pem_len, anchor->scope_len);
	REQUIRE_HOOK(tee, trust_anchor_add, diag);
	return tee->ops->trust_anchor_add(tee->ctx, anchor, diag);
}

tk_err tk_tee_trust_anchor_list(const struct tk_tee *tee, tk_tee_anchor_fn visit,
				void *visit_ctx, struct tk_diag *diag)
{
	if (visit == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL visit function");
	REQUIRE_HOOK(tee, trust_anchor_list, diag);
	return tee->ops->trust_anchor_list(tee->ctx, visit, visit_ctx, diag);
}

tk_err tk_tee_trust_anchor_remove(const struct tk_tee *tee, const uint8_t kid[TK_TEE_KID_LEN],
				  struct tk_diag *diag)
{
	if (kid == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL kid");
	REQUIRE_HOOK(tee, trust_anchor_remove, diag);
	return tee->ops->trust_anchor_remove(tee->ctx, kid, diag);
}
