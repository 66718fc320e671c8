/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrappers of the SUIT report hooks of the TAM store (tk_store_report.h):
 * the one place that checks a hook exists and that lengths fit the limits.
 */
#include "store/tk_store_report.h"

#include <string.h>

#include "store/tk_store.h"

#define REQUIRE_HOOK(st, name, diag)                                             \
	do {                                                                     \
		if ((st) == NULL || (st)->ops == NULL || (st)->ops->name == NULL) \
			return TK_FAIL((diag), TK_ERR_UNSUPPORTED,               \
				       "store has no " #name " hook");          \
	} while (0)

tk_err tk_store_report_key_set(const struct tk_store *st, const struct tk_store_report_key *key,
			       struct tk_diag *diag)
{
	REQUIRE_HOOK(st, report_key_set, diag);
	if (key == NULL || key->pubkey_len == 0 || key->pubkey_len > sizeof(key->pubkey))
		return TK_FAIL(diag, TK_ERR_ARG, "report key of %zu bytes, expected 1..%zu",
			       key != NULL ? key->pubkey_len : 0, sizeof(key->pubkey));
	return st->ops->report_key_set(st->ctx, key, diag);
}

tk_err tk_store_report_key_get(const struct tk_store *st, struct tk_span agent_kid,
			       struct tk_store_report_key *out, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, report_key_get, diag);
	if (out == NULL || agent_kid.len != TK_STORE_KID_LEN)
		return TK_FAIL(diag, TK_ERR_ARG, "agent kid of %zu bytes, expected %d",
			       agent_kid.len, TK_STORE_KID_LEN);
	memset(out, 0, sizeof(*out));
	return st->ops->report_key_get(st->ctx, agent_kid, out, diag);
}

tk_err tk_store_suit_report_add(const struct tk_store *st, const struct tk_store_suit_report *r,
				struct tk_diag *diag)
{
	REQUIRE_HOOK(st, suit_report_add, diag);
	if (r == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no SUIT report");
	if (r->ueid.len > TK_STORE_UEID_MAX || r->token.len > TK_STORE_TOKEN_MAX ||
	    r->digest.len == 0 || r->digest.len > TK_STORE_DIGEST_MAX)
		return TK_FAIL(diag, TK_ERR_ARG, "SUIT report with a UEID of %zu, a token of %zu "
			       "or a digest of %zu bytes", r->ueid.len, r->token.len, r->digest.len);
	if (r->uri.len > TK_STORE_REPORT_URI_MAX || r->report.len == 0 ||
	    r->report.len > TK_STORE_SUIT_REPORT_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "SUIT report of %zu bytes or URI of %zu",
			       r->report.len, r->uri.len);
	return st->ops->suit_report_add(st->ctx, r, diag);
}

tk_err tk_store_suit_report_each(const struct tk_store *st, struct tk_span ueid, size_t limit,
				 tk_store_suit_report_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, suit_report_each, diag);
	if (cb == NULL || ueid.len > TK_STORE_UEID_MAX)
		return TK_FAIL(diag, TK_ERR_ARG, "no callback, or a UEID of %zu bytes", ueid.len);
	return st->ops->suit_report_each(st->ctx, ueid, limit, cb, cb_ctx, diag);
}
