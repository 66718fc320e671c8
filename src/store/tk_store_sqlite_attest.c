/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the SQLite store for attestation records: the history of
 * attestation results per device, device groups and group policies
 * (tk_store_attest.h). Shared helpers and struct sqlite_store are in
 * tk_store_sqlite_impl.h, and the ops table is in tk_store_sqlite.c.
 */
#include "store/tk_store_sqlite_impl.h"

#include <string.h>

/* Bind a text span, or NULL when it is empty. */
static void bind_text_or_null(sqlite3_stmt *stmt, int idx, struct tk_span text)
{
	if (text.len == 0)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_text(stmt, idx, (const char *)text.ptr, (int)text.len,
				  SQLITE_TRANSIENT);
}

/* View of a text column; empty when NULL. */
static struct tk_span column_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	if (text == NULL)
		return TK_SPAN_EMPTY;
	return tk_span_make(text, (size_t)sqlite3_column_bytes(stmt, col));
}

tk_err tk_store_sqlite_hook_attestation_add(void *ctx, const struct tk_store_attestation *a,
					    struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO attestation_results (ueid, kid, model, tier, decision,"
			" group_name, verifier, reason, media_type, result, appraised_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, a->ueid);
	tk_store_sqlite_bind_bytes(stmt, 2, tk_span_make(a->kid, TK_STORE_KID_LEN));
	sqlite3_bind_int(stmt, 3, (int)a->model);
	sqlite3_bind_int(stmt, 4, (int)a->tier);
	sqlite3_bind_int(stmt, 5, (int)a->decision);
	sqlite3_bind_text(stmt, 6, (const char *)a->group.ptr, (int)a->group.len,
			  SQLITE_TRANSIENT);
	bind_text_or_null(stmt, 7, a->verifier);
	bind_text_or_null(stmt, 8, a->reason);
	bind_text_or_null(stmt, 9, a->media_type);
	tk_store_sqlite_bind_bytes_or_null(stmt, 10, a->result);
	sqlite3_bind_int64(stmt, 11, a->appraised_at);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

/*
 * Columns 0-11: id, ueid, kid, model, tier, decision, group_name, verifier,
 * reason, media_type, result, appraised_at. The window numbers each
 * device's rows newest first, so `limit` applies per device.
 */
static const char attestation_list_sql[] =
	"SELECT id, ueid, kid, model, tier, decision, group_name, verifier, reason,"
	" media_type, result, appraised_at FROM ("
	" SELECT *, ROW_NUMBER() OVER (PARTITION BY ueid ORDER BY id DESC) AS n"
	" FROM attestation_results WHERE ? = 0 OR ueid = ?)"
	" WHERE ? = 0 OR n <= ? ORDER BY ueid, id DESC";

static tk_err attestation_row(sqlite3_stmt *stmt, tk_store_attestation_fn cb, void *cb_ctx,
			      struct tk_diag *diag)
{
	struct tk_store_attestation a = {
		.id = sqlite3_column_int64(stmt, 0),
		.ueid = tk_store_sqlite_column_bytes(stmt, 1),
		.model = (enum tk_store_attest_model)sqlite3_column_int(stmt, 3),
		.tier = (enum tk_store_tier)sqlite3_column_int(stmt, 4),
		.decision = (enum tk_store_attest_decision)sqlite3_column_int(stmt, 5),
		.group = column_text(stmt, 6),
		.verifier = column_text(stmt, 7),
		.reason = column_text(stmt, 8),
		.media_type = column_text(stmt, 9),
		.result = tk_store_sqlite_column_bytes(stmt, 10),
		.appraised_at = sqlite3_column_int64(stmt, 11),
	};
	size_t kid_len = 0;
	tk_err err;

	err = tk_store_sqlite_copy_column(stmt, 2, a.kid, sizeof(a.kid), &kid_len, diag);
	if (err != TK_OK)
		return err;
	return cb(cb_ctx, &a);
}

tk_err tk_store_sqlite_hook_attestation_each(void *ctx, struct tk_span ueid, size_t limit,
					     tk_store_attestation_fn cb, void *cb_ctx,
					     struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db, attestation_list_sql, &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, ueid.len > 0 ? 1 : 0);
	tk_store_sqlite_bind_bytes(stmt, 2, ueid);
	sqlite3_bind_int64(stmt, 3, limit > 0 ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = attestation_row(stmt, cb, cb_ctx, diag);
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list attestation results");
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_device_group_set(void *ctx, struct tk_span ueid, const char *group,
					     int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO device_groups (ueid, group_name, assigned_at) VALUES (?, ?, ?)"
			" ON CONFLICT (ueid) DO UPDATE SET group_name = excluded.group_name,"
			" assigned_at = excluded.assigned_at", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	sqlite3_bind_text(stmt, 2, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, now);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_device_group_get(void *ctx, struct tk_span ueid, char *out,
					     size_t out_cap, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	struct tk_span name;
	tk_err err;
	int rc;

	out[0] = '\0';
	err = tk_store_sqlite_prepare(s->db, "SELECT group_name FROM device_groups WHERE ueid = ?",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "device is in no group");
	} else if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, s->db, "read the group of a device");
	} else {
		name = column_text(stmt, 0);
		if (name.len == 0 || name.len >= out_cap)
			err = TK_FAIL(diag, TK_ERR_INTERNAL, "stored group name of %zu bytes",
				      name.len);
		else {
			memcpy(out, name.ptr, name.len);
			out[name.len] = '\0';
		}
	}
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_group_policy_set(void *ctx, const char *group, bool accept_warning,
					     int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO group_policies (group_name, accept_warning, updated_at)"
			" VALUES (?, ?, ?) ON CONFLICT (group_name) DO UPDATE SET"
			" accept_warning = excluded.accept_warning,"
			" updated_at = excluded.updated_at", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 2, accept_warning ? 1 : 0);
	sqlite3_bind_int64(stmt, 3, now);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_group_policy_get(void *ctx, const char *group, bool *accept_warning,
					     struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	*accept_warning = false;
	err = tk_store_sqlite_prepare(s->db, "SELECT accept_warning FROM group_policies"
					     " WHERE group_name = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "group has no policy");
	else if (rc != SQLITE_ROW)
		err = DB_FAIL(diag, s->db, "read a group policy");
	else
		*accept_warning = sqlite3_column_int(stmt, 0) != 0;
	sqlite3_finalize(stmt);
	return err;
}
