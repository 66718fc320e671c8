/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the SQLite store for TEEP sessions (token and challenge, used
 * once before they expire), the manifests sent in an Update, the results
 * agents report and the audit log. Shared helpers are in
 * tk_store_sqlite_impl.h, and the ops table is in tk_store_sqlite.c.
 */
#include "store/tk_store_sqlite_impl.h"

#include <string.h>

tk_err tk_store_sqlite_hook_session_add(void *ctx, const struct tk_store_session *ses,
					struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO sessions (state, token, challenge, created_at, expires_at,"
			" alg, kid, used) VALUES (?, ?, ?, ?, ?, ?, ?, 0)", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, (int)ses->state);
	tk_store_sqlite_bind_bytes_or_null(stmt, 2, tk_span_make(ses->token, ses->token_len));
	tk_store_sqlite_bind_bytes_or_null(stmt, 3, tk_span_make(ses->challenge,
								 ses->challenge_len));
	sqlite3_bind_int64(stmt, 4, ses->created_at);
	sqlite3_bind_int64(stmt, 5, ses->expires_at);
	sqlite3_bind_int64(stmt, 6, ses->alg);
	if (ses->has_kid)
		tk_store_sqlite_bind_bytes(stmt, 7, tk_span_make(ses->kid, TK_STORE_KID_LEN));
	else
		sqlite3_bind_null(stmt, 7);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

/* Copy the session row selected by `stmt` (columns as in session_select). */
static tk_err session_from_row(sqlite3_stmt *stmt, struct tk_store_session *out,
			       struct tk_diag *diag)
{
	size_t kid_len = 0;
	tk_err err;

	memset(out, 0, sizeof(*out));
	out->state = (enum tk_store_session_state)sqlite3_column_int(stmt, 0);
	out->created_at = sqlite3_column_int64(stmt, 3);
	out->expires_at = sqlite3_column_int64(stmt, 4);
	out->alg = sqlite3_column_int64(stmt, 5);
	err = tk_store_sqlite_copy_column(stmt, 1, out->token, sizeof(out->token),
					  &out->token_len, diag);
	if (err == TK_OK)
		err = tk_store_sqlite_copy_column(stmt, 2, out->challenge, sizeof(out->challenge),
						  &out->challenge_len, diag);
	if (err == TK_OK)
		err = tk_store_sqlite_copy_column(stmt, 6, out->kid, sizeof(out->kid),
						  &kid_len, diag);
	out->has_kid = kid_len == TK_STORE_KID_LEN;
	return err;
}

static const char session_select_by_token[] =
	"SELECT state, token, challenge, created_at, expires_at, alg, kid, used"
	" FROM sessions WHERE token = ?";
static const char session_select_by_challenge[] =
	"SELECT state, token, challenge, created_at, expires_at, alg, kid, used"
	" FROM sessions WHERE challenge = ?";

/*
 * Read the session, decide whether it may be used now, and mark it used.
 * Runs inside a savepoint, so the read and the update see the same row.
 */
static tk_err session_use_locked(sqlite3 *db, enum tk_store_session_key by,
				 struct tk_span key, int64_t now,
				 struct tk_store_session *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	bool used = false;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(db, by == TK_STORE_BY_TOKEN ? session_select_by_token
							  : session_select_by_challenge,
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no session has this %s",
			      by == TK_STORE_BY_TOKEN ? "token" : "challenge");
	else if (rc != SQLITE_ROW)
		err = DB_FAIL(diag, db, "read session");
	else {
		err = session_from_row(stmt, out, diag);
		used = sqlite3_column_int(stmt, 7) != 0;
	}
	sqlite3_finalize(stmt);
	if (err != TK_OK)
		return err;

	if (used)
		return TK_FAIL(diag, TK_ERR_REPLAY, "session was used already");
	if (now >= out->expires_at)
		return TK_FAIL(diag, TK_ERR_EXPIRED, "session expired %lld s ago",
			       (long long)(now - out->expires_at));

	err = tk_store_sqlite_prepare(db,
			by == TK_STORE_BY_TOKEN
				? "UPDATE sessions SET used = 1 WHERE token = ? AND used = 0"
				: "UPDATE sessions SET used = 1 WHERE challenge = ? AND used = 0",
			&stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, key);
	if ((err = tk_store_sqlite_step_done(db, stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_changes(db) != 1)
		return TK_FAIL(diag, TK_ERR_REPLAY, "session was used concurrently");
	return TK_OK;
}

tk_err tk_store_sqlite_hook_session_use(void *ctx, enum tk_store_session_key by, struct tk_span key,
					int64_t now, struct tk_store_session *out,
					struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	struct tk_store_session ses;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
		return err;
	err = session_use_locked(s->db, by, key, now, &ses, diag);
	err = tk_store_sqlite_savepoint_end(s->db, err, diag);
	if (err == TK_OK)
		*out = ses;
	tk_wipe(&ses, sizeof(ses));
	return err;
}

tk_err tk_store_sqlite_hook_update_manifest_add(void *ctx, struct tk_span token,
						struct tk_span component_id, uint64_t sequence,
						struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
				      "INSERT INTO update_manifests (token, component_id, sequence)"
				      " VALUES (?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, token);
	tk_store_sqlite_bind_bytes(stmt, 2, component_id);
	sqlite3_bind_int64(stmt, 3, (int64_t)sequence);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_installed_from_update(void *ctx, struct tk_span token,
						  struct tk_span ueid, int64_t now,
						  struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	/* Each manifest's recorded component ids are installed, or its manifest
	 * component id when it was registered without them. The WHERE clause
	 * keeps SQLite from reading ON CONFLICT as part of the join. */
	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO installed (ueid, component_id, sequence, digest, reported_at)"
			" SELECT ?, COALESCE(c.component_id, u.component_id), u.sequence,"
			" m.image_digest, ?"
			" FROM update_manifests u LEFT JOIN manifests m"
			" ON m.component_id = u.component_id AND m.sequence = u.sequence"
			" LEFT JOIN manifest_components c"
			" ON c.manifest_component_id = u.component_id AND c.sequence = u.sequence"
			" WHERE u.token = ? ON CONFLICT (ueid, component_id) DO UPDATE SET"
			" sequence = excluded.sequence, digest = excluded.digest,"
			" reported_at = excluded.reported_at", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	sqlite3_bind_int64(stmt, 2, now);
	tk_store_sqlite_bind_bytes(stmt, 3, token);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_session_purge(void *ctx, int64_t now, uint64_t *removed,
					  struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if (removed != NULL)
		*removed = 0;
	err = tk_store_sqlite_prepare(s->db, "DELETE FROM sessions WHERE expires_at < ?",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	err = tk_store_sqlite_step_done(s->db, stmt, diag);
	if (err == TK_OK && removed != NULL)
		*removed = (uint64_t)sqlite3_changes(s->db);
	return err;
}

tk_err tk_store_sqlite_hook_result_add(void *ctx, const struct tk_store_result *r,
				       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if (r->err_code > INT64_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "err-code %llu exceeds %lld",
			       (unsigned long long)r->err_code, (long long)INT64_MAX);
	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO results (kind, kid, ueid, token, err_code, err_msg,"
			" received_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, (int)r->kind);
	tk_store_sqlite_bind_bytes(stmt, 2, tk_span_make(r->kid, TK_STORE_KID_LEN));
	tk_store_sqlite_bind_bytes_or_null(stmt, 3, r->ueid);
	tk_store_sqlite_bind_bytes_or_null(stmt, 4, r->token);
	sqlite3_bind_int64(stmt, 5, (int64_t)r->err_code);
	if (r->err_msg.len > 0)
		sqlite3_bind_text(stmt, 6, (const char *)r->err_msg.ptr, (int)r->err_msg.len,
				  SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 6);
	sqlite3_bind_int64(stmt, 7, r->received_at);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_audit_add(void *ctx, int64_t now, const char *event,
				      const char *detail, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
				      "INSERT INTO audit (at, event, detail) VALUES (?, ?, ?)",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, detail, (int)strnlen(detail, TK_STORE_TEXT_MAX),
			  SQLITE_TRANSIENT);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}
