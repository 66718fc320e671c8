/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrappers of the attestation hooks of the TAM store (tk_store_attest.h).
 * As in tk_store.c, they are the one place that checks a hook exists and
 * that lengths fit the limits, and they turn "no row" into the defaults:
 * the group TK_STORE_DEFAULT_GROUP and a policy that rejects warnings.
 */
#include "store/tk_store_attest.h"

#include <string.h>

#include "store/tk_store.h"

#define REQUIRE_HOOK(st, name, diag)                                             \
	do {                                                                     \
		if ((st) == NULL || (st)->ops == NULL || (st)->ops->name == NULL) \
			return TK_FAIL((diag), TK_ERR_UNSUPPORTED,               \
				       "store has no " #name " hook");          \
	} while (0)

const char *tk_store_tier_name(enum tk_store_tier tier)
{
	switch (tier) {
	case TK_STORE_TIER_NONE: return "none";
	case TK_STORE_TIER_AFFIRMING: return "affirming";
	case TK_STORE_TIER_WARNING: return "warning";
	case TK_STORE_TIER_CONTRAINDICATED: return "contraindicated";
	}
	return "unknown";
}

const char *tk_store_model_name(enum tk_store_attest_model model)
{
	switch (model) {
	case TK_STORE_MODEL_ENROLLED_KEY: return "enrolled-key";
	case TK_STORE_MODEL_BACKGROUND_CHECK: return "background-check";
	case TK_STORE_MODEL_PASSPORT: return "passport";
	}
	return "unknown";
}

static bool group_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

tk_err tk_store_group_name_check(const char *name, struct tk_diag *diag)
{
	size_t len;

	if (name == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no group name");
	len = strnlen(name, TK_STORE_GROUP_MAX + 1);
	if (len == 0 || len > TK_STORE_GROUP_MAX)
		return TK_FAIL(diag, TK_ERR_ARG, "group name of %zu bytes, expected 1..%d",
			       len, TK_STORE_GROUP_MAX);
	for (size_t i = 0; i < len; i++) {
		if (!group_char(name[i]))
			return TK_FAIL(diag, TK_ERR_ARG, "group name has byte 0x%02x at %zu; "
				       "use A-Z, a-z, 0-9, '.', '_' and '-'",
				       (unsigned)(unsigned char)name[i], i);
	}
	return TK_OK;
}

static tk_err check_len(struct tk_span value, size_t min, size_t max, const char *what,
			struct tk_diag *diag)
{
	if (value.len < min || value.len > max)
		return TK_FAIL(diag, value.len > max ? TK_ERR_LIMIT_SIZE : TK_ERR_ARG,
			       "%s of %zu bytes, expected %zu..%zu", what, value.len, min, max);
	if (value.len > 0 && value.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s has a length but no bytes", what);
	return TK_OK;
}

tk_err tk_store_attestation_add(const struct tk_store *st,
				const struct tk_store_attestation *a, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, attestation_add, diag);
	if (a == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no attestation record");
	if ((err = check_len(a->ueid, 1, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK ||
	    (err = check_len(a->group, 1, TK_STORE_GROUP_MAX, "group", diag)) != TK_OK ||
	    (err = check_len(a->verifier, 0, TK_STORE_ATTEST_TEXT_MAX, "verifier", diag)) != TK_OK ||
	    (err = check_len(a->reason, 0, TK_STORE_ATTEST_TEXT_MAX, "reason", diag)) != TK_OK ||
	    (err = check_len(a->media_type, 0, TK_STORE_ATTEST_TEXT_MAX, "media type",
			     diag)) != TK_OK ||
	    (err = check_len(a->result, 0, TK_STORE_RESULT_MAX, "attestation result",
			     diag)) != TK_OK)
		return err;
	return st->ops->attestation_add(st->ctx, a, diag);
}

tk_err tk_store_attestation_each(const struct tk_store *st, struct tk_span ueid, size_t limit,
				 tk_store_attestation_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, attestation_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "attestation_each without a callback");
	if ((err = check_len(ueid, 0, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->attestation_each(st->ctx, ueid, limit, cb, cb_ctx, diag);
}

tk_err tk_store_device_group_set(const struct tk_store *st, struct tk_span ueid,
				 const char *group, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, device_group_set, diag);
	if ((err = check_len(ueid, 1, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK ||
	    (err = tk_store_group_name_check(group, diag)) != TK_OK)
		return err;
	return st->ops->device_group_set(st->ctx, ueid, group, now, diag);
}

tk_err tk_store_device_group_get(const struct tk_store *st, struct tk_span ueid, char *out,
				 size_t out_cap, struct tk_diag *diag)
{
	struct tk_diag local;
	tk_err err;

	REQUIRE_HOOK(st, device_group_get, diag);
	if (out == NULL || out_cap < TK_STORE_GROUP_MAX + 1)
		return TK_FAIL(diag, TK_ERR_ARG, "group buffer smaller than %d bytes",
			       TK_STORE_GROUP_MAX + 1);
	out[0] = '\0';
	if ((err = check_len(ueid, 1, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	tk_diag_clear(&local);
	err = st->ops->device_group_get(st->ctx, ueid, out, out_cap, &local);
	if (err == TK_ERR_NOT_FOUND) {
		memcpy(out, TK_STORE_DEFAULT_GROUP, sizeof(TK_STORE_DEFAULT_GROUP));
		return TK_OK;
	}
	if (err != TK_OK) {
		out[0] = '\0';
		return TK_FAIL(diag, err, "%s", local.msg);
	}
	return TK_OK;
}

tk_err tk_store_group_policy_set(const struct tk_store *st, const char *group,
				 bool accept_warning, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, group_policy_set, diag);
	if ((err = tk_store_group_name_check(group, diag)) != TK_OK)
		return err;
	return st->ops->group_policy_set(st->ctx, group, accept_warning, now, diag);
}

tk_err tk_store_group_policy_get(const struct tk_store *st, const char *group,
				 bool *accept_warning, struct tk_diag *diag)
{
	struct tk_diag local;
	tk_err err;

	REQUIRE_HOOK(st, group_policy_get, diag);
	if (accept_warning == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "group_policy_get without an output");
	*accept_warning = false;
	if ((err = tk_store_group_name_check(group, diag)) != TK_OK)
		return err;
	tk_diag_clear(&local);
	err = st->ops->group_policy_get(st->ctx, group, accept_warning, &local);
	if (err == TK_ERR_NOT_FOUND) {
		*accept_warning = false;
		return TK_OK;
	}
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	return TK_OK;
}
