/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wrappers around the store hooks. They are the one place that checks a
 * hook exists (a missing one fails with TK_ERR_UNSUPPORTED, never succeeds)
 * and that lengths fit the limits of tk_store.h, so every backend can rely
 * on both.
 */
#include "store/tk_store.h"

#include <stdint.h>

/* Fail with TK_ERR_UNSUPPORTED when the store or its hook `name` is missing. */
#define REQUIRE_HOOK(st, name, diag)                                             \
	do {                                                                     \
		if ((st) == NULL || (st)->ops == NULL || (st)->ops->name == NULL) \
			return TK_FAIL((diag), TK_ERR_UNSUPPORTED,               \
				       "store has no " #name " hook");          \
	} while (0)

static tk_err check_len(struct tk_span value, size_t max, const char *what,
			struct tk_diag *diag)
{
	if (value.len > max)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "%s of %zu bytes exceeds %zu",
			       what, value.len, max);
	if (value.len > 0 && value.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s has a length but no bytes", what);
	return TK_OK;
}

static tk_err check_kid(struct tk_span kid, struct tk_diag *diag)
{
	if (kid.len != TK_STORE_KID_LEN || kid.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "kid of %zu bytes, expected %d",
			       kid.len, TK_STORE_KID_LEN);
	return TK_OK;
}

/* Sequence numbers are stored as signed 64-bit integers. */
static tk_err check_sequence(uint64_t sequence, struct tk_diag *diag)
{
	if (sequence > INT64_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "sequence number %llu exceeds %lld",
			       (unsigned long long)sequence, (long long)INT64_MAX);
	return TK_OK;
}

tk_err tk_store_begin(const struct tk_store *st, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, begin, diag);
	return st->ops->begin(st->ctx, diag);
}

tk_err tk_store_commit(const struct tk_store *st, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, commit, diag);
	return st->ops->commit(st->ctx, diag);
}

void tk_store_rollback(const struct tk_store *st)
{
	if (st != NULL && st->ops != NULL && st->ops->rollback != NULL)
		st->ops->rollback(st->ctx);
}

tk_err tk_store_agent_key_add(const struct tk_store *st,
			      const struct tk_store_agent_key *key, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, agent_key_add, diag);
	if (key == NULL || key->pubkey_len == 0 || key->pubkey_len > TK_STORE_PUBKEY_MAX ||
	    key->ueid_len > TK_STORE_UEID_MAX)
		return TK_FAIL(diag, TK_ERR_ARG, "agent key record out of bounds");
	return st->ops->agent_key_add(st->ctx, key, diag);
}

tk_err tk_store_agent_key_get(const struct tk_store *st, struct tk_span kid,
			      struct tk_store_agent_key *out, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, agent_key_get, diag);
	if ((err = check_kid(kid, diag)) != TK_OK)
		return err;
	return st->ops->agent_key_get(st->ctx, kid, out, diag);
}

tk_err tk_store_device_record(const struct tk_store *st, struct tk_span ueid,
			      struct tk_span kid, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, device_record, diag);
	if (ueid.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "empty UEID");
	if ((err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK ||
	    (err = check_kid(kid, diag)) != TK_OK)
		return err;
	return st->ops->device_record(st->ctx, ueid, kid, now, diag);
}

tk_err tk_store_manifest_add(const struct tk_store *st, const struct tk_store_manifest *m,
			     int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, manifest_add, diag);
	if (m == NULL || m->component_id.len == 0 || m->envelope.len == 0 ||
	    m->digest.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest record lacks a field");
	if ((err = check_len(m->component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_len(m->digest, TK_STORE_DIGEST_MAX, "digest", diag)) != TK_OK ||
	    (err = check_len(m->image_digest, TK_STORE_DIGEST_MAX, "image digest",
			     diag)) != TK_OK ||
	    (err = check_sequence(m->sequence, diag)) != TK_OK)
		return err;
	return st->ops->manifest_add(st->ctx, m, now, diag);
}

tk_err tk_store_manifest_get(const struct tk_store *st, struct tk_span component_id,
			     struct tk_store_manifest *out, struct tk_store_manifest_buf *buf,
			     uint8_t *env, size_t env_cap, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, manifest_get, diag);
	if (out == NULL || buf == NULL || (env == NULL && env_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "manifest_get without output buffers");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK)
		return err;
	return st->ops->manifest_get(st->ctx, component_id, out, buf, env, env_cap, diag);
}

tk_err tk_store_policy_add(const struct tk_store *st, struct tk_span component_id,
			   struct tk_span ueid, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, policy_add, diag);
	if (component_id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "empty manifest component id");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->policy_add(st->ctx, component_id, ueid, now, diag);
}

tk_err tk_store_policy_each(const struct tk_store *st, struct tk_span ueid,
			    tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, policy_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "policy_each without a callback");
	if ((err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->policy_each(st->ctx, ueid, cb, cb_ctx, diag);
}

tk_err tk_store_installed_replace(const struct tk_store *st, struct tk_span ueid,
				  const struct tk_store_installed *items, size_t n,
				  int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, installed_replace, diag);
	if (ueid.len == 0 || (n > 0 && items == NULL))
		return TK_FAIL(diag, TK_ERR_ARG, "installed_replace without UEID or items");
	if ((err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		if ((err = check_len(items[i].component_id, TK_STORE_COMPONENT_ID_MAX,
				     "component id", diag)) != TK_OK ||
		    (err = check_len(items[i].digest, TK_STORE_DIGEST_MAX, "digest",
				     diag)) != TK_OK ||
		    (err = check_sequence(items[i].sequence, diag)) != TK_OK)
			return err;
	}
	return st->ops->installed_replace(st->ctx, ueid, items, n, now, diag);
}

tk_err tk_store_installed_each(const struct tk_store *st, struct tk_span ueid,
			       tk_store_installed_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, installed_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "installed_each without a callback");
	return st->ops->installed_each(st->ctx, ueid, cb, cb_ctx, diag);
}

tk_err tk_store_session_add(const struct tk_store *st, const struct tk_store_session *s,
			    struct tk_diag *diag)
{
	REQUIRE_HOOK(st, session_add, diag);
	if (s == NULL || s->token_len > TK_STORE_TOKEN_MAX ||
	    s->challenge_len > TK_STORE_CHALLENGE_MAX ||
	    (s->token_len == 0 && s->challenge_len == 0))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "session needs a token or a challenge within limits");
	return st->ops->session_add(st->ctx, s, diag);
}

tk_err tk_store_session_use(const struct tk_store *st, enum tk_store_session_key by,
			    struct tk_span key, int64_t now, struct tk_store_session *out,
			    struct tk_diag *diag)
{
	size_t max = by == TK_STORE_BY_TOKEN ? TK_STORE_TOKEN_MAX : TK_STORE_CHALLENGE_MAX;
	tk_err err;

	REQUIRE_HOOK(st, session_use, diag);
	if (out == NULL || key.len == 0 ||
	    (by != TK_STORE_BY_TOKEN && by != TK_STORE_BY_CHALLENGE))
		return TK_FAIL(diag, TK_ERR_ARG, "session_use without a key");
	if ((err = check_len(key, max, "session key", diag)) != TK_OK)
		return err;
	return st->ops->session_use(st->ctx, by, key, now, out, diag);
}

tk_err tk_store_update_manifest_add(const struct tk_store *st, struct tk_span token,
				    struct tk_span component_id, uint64_t sequence,
				    struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, update_manifest_add, diag);
	if (token.len == 0 || component_id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "update manifest without token or id");
	if ((err = check_len(token, TK_STORE_TOKEN_MAX, "token", diag)) != TK_OK ||
	    (err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_sequence(sequence, diag)) != TK_OK)
		return err;
	return st->ops->update_manifest_add(st->ctx, token, component_id, sequence, diag);
}

tk_err tk_store_installed_from_update(const struct tk_store *st, struct tk_span token,
				      struct tk_span ueid, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, installed_from_update, diag);
	if (token.len == 0 || ueid.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "installed_from_update without token or UEID");
	if ((err = check_len(token, TK_STORE_TOKEN_MAX, "token", diag)) != TK_OK ||
	    (err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->installed_from_update(st->ctx, token, ueid, now, diag);
}

tk_err tk_store_session_purge(const struct tk_store *st, int64_t now, uint64_t *removed,
			      struct tk_diag *diag)
{
	REQUIRE_HOOK(st, session_purge, diag);
	return st->ops->session_purge(st->ctx, now, removed, diag);
}

tk_err tk_store_result_add(const struct tk_store *st, const struct tk_store_result *r,
			   struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, result_add, diag);
	if (r == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no result record");
	if ((err = check_len(r->ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK ||
	    (err = check_len(r->token, TK_STORE_TOKEN_MAX, "token", diag)) != TK_OK ||
	    (err = check_len(r->err_msg, TK_STORE_TEXT_MAX, "err-msg", diag)) != TK_OK)
		return err;
	return st->ops->result_add(st->ctx, r, diag);
}

tk_err tk_store_audit_add(const struct tk_store *st, int64_t now, const char *event,
			  const char *detail, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, audit_add, diag);
	if (event == NULL || detail == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "audit line without event or detail");
	return st->ops->audit_add(st->ctx, now, event, detail, diag);
}

tk_err tk_store_device_each(const struct tk_store *st, tk_store_device_fn cb,
			    void *cb_ctx, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, device_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "device_each without a callback");
	return st->ops->device_each(st->ctx, cb, cb_ctx, diag);
}

tk_err tk_store_count_rows(const struct tk_store *st, const char *table, uint64_t *out,
			   struct tk_diag *diag)
{
	REQUIRE_HOOK(st, count_rows, diag);
	if (table == NULL || out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "count_rows without table or output");
	return st->ops->count_rows(st->ctx, table, out, diag);
}

tk_err tk_store_policy_remove(const struct tk_store *st, struct tk_span component_id,
			      struct tk_span ueid, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, policy_remove, diag);
	if (component_id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "empty manifest component id");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->policy_remove(st->ctx, component_id, ueid, diag);
}

tk_err tk_store_manifest_each(const struct tk_store *st, tk_store_manifest_fn cb,
			      void *cb_ctx, struct tk_diag *diag)
{
	REQUIRE_HOOK(st, manifest_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest_each without a callback");
	return st->ops->manifest_each(st->ctx, cb, cb_ctx, diag);
}

tk_err tk_store_policy_target_each(const struct tk_store *st, struct tk_span component_id,
				   tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, policy_target_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "policy_target_each without a callback");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK)
		return err;
	return st->ops->policy_target_each(st->ctx, component_id, cb, cb_ctx, diag);
}

tk_err tk_store_manifest_components_add(const struct tk_store *st, struct tk_span manifest_id,
					uint64_t sequence, const struct tk_span *component_ids,
					size_t n, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, manifest_components_add, diag);
	if (manifest_id.len == 0 || n == 0 || component_ids == NULL)
		return TK_FAIL(diag, TK_ERR_ARG,
			       "manifest components without manifest id or component ids");
	if (n > TK_STORE_MANIFEST_COMPONENTS_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu component ids exceed %d", n,
			       TK_STORE_MANIFEST_COMPONENTS_MAX);
	if ((err = check_len(manifest_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_sequence(sequence, diag)) != TK_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (component_ids[i].len == 0)
			return TK_FAIL(diag, TK_ERR_ARG, "empty component id");
		if ((err = check_len(component_ids[i], TK_STORE_COMPONENT_ID_MAX,
				     "component id", diag)) != TK_OK)
			return err;
	}
	return st->ops->manifest_components_add(st->ctx, manifest_id, sequence, component_ids,
						n, diag);
}

tk_err tk_store_manifest_components_each(const struct tk_store *st, struct tk_span manifest_id,
					 tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, manifest_components_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest_components_each without a callback");
	if ((err = check_len(manifest_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK)
		return err;
	return st->ops->manifest_components_each(st->ctx, manifest_id, cb, cb_ctx, diag);
}

tk_err tk_store_manifest_by_component_each(const struct tk_store *st,
					   struct tk_span component_id, tk_store_id_fn cb,
					   void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, manifest_by_component_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest_by_component_each without a callback");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX, "component id",
			     diag)) != TK_OK)
		return err;
	return st->ops->manifest_by_component_each(st->ctx, component_id, cb, cb_ctx, diag);
}

tk_err tk_store_unrequired_add(const struct tk_store *st, struct tk_span component_id,
			       struct tk_span ueid, int64_t now, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, unrequired_add, diag);
	if (component_id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "empty manifest component id");
	if ((err = check_len(component_id, TK_STORE_COMPONENT_ID_MAX,
			     "manifest component id", diag)) != TK_OK ||
	    (err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->unrequired_add(st->ctx, component_id, ueid, now, diag);
}

tk_err tk_store_unrequired_each(const struct tk_store *st, struct tk_span ueid,
				tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	tk_err err;

	REQUIRE_HOOK(st, unrequired_each, diag);
	if (cb == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "unrequired_each without a callback");
	if ((err = check_len(ueid, TK_STORE_UEID_MAX, "UEID", diag)) != TK_OK)
		return err;
	return st->ops->unrequired_each(st->ctx, ueid, cb, cb_ctx, diag);
}
