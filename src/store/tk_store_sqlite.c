/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the TAM store. Each hook prepares its statements,
 * binds values (byte strings as blobs, never spliced into SQL) and
 * finalizes them before returning, so no statement outlives a call and the
 * connection can be closed at any time.
 *
 * Transactions: begin() issues BEGIN IMMEDIATE, which takes the write lock
 * at once, so two TAM processes on one file serialise at the start of a step
 * instead of failing when one upgrades a read lock. Hooks that run several
 * statements wrap them in a SAVEPOINT, which nests inside an open
 * transaction and acts as one outside it.
 */
#include "store/tk_store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/tk_store_schema.h"

/* Largest rendered migration, in bytes; the schema is far below it. */
#define RENDERED_SQL_MAX 8192

struct sqlite_store {
	sqlite3 *db;
};

/* Tables count_rows() accepts; the name is spliced into SQL, so only these. */
static const char *const known_tables[] = {
	"devices", "agent_keys", "manifests", "policies", "installed",
	"sessions", "update_manifests", "results", "audit", "schema_version",
};

/* Bytes of a kid shown in messages, as in `teep-tam show-devices` prefixes. */
#define KID_PREFIX_BYTES 8

/* Non-NULL pointer for zero-length blobs: SQLite binds a NULL pointer as NULL. */
static const uint8_t empty_blob[1];

static tk_err db_fail(struct tk_diag *diag, sqlite3 *db, tk_err code, const char *what,
		      const char *file, int line)
{
	return tk_diag_set(diag, code, TK_DIAG_NO_OFFSET, file, line,
			   "sqlite: %s: %s", what, sqlite3_errmsg(db));
}

#define DB_FAIL(diag, db, what) db_fail((diag), (db), TK_ERR_DB, (what), __FILE__, __LINE__)

static tk_err exec_sql(sqlite3 *db, const char *sql, struct tk_diag *diag)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tk_err err = TK_FAIL(diag, TK_ERR_DB, "sqlite: %.64s: %s", sql,
				     msg != NULL ? msg : "unknown error");

		sqlite3_free(msg);
		return err;
	}
	return TK_OK;
}

static tk_err prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
		      struct tk_diag *diag)
{
	*stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
		return DB_FAIL(diag, db, "prepare");
	return TK_OK;
}

/* Bind a byte string; an empty span binds a zero-length blob, not NULL. */
static int bind_bytes(sqlite3_stmt *stmt, int idx, struct tk_span value)
{
	const void *ptr = value.len > 0 ? (const void *)value.ptr : (const void *)empty_blob;

	return sqlite3_bind_blob(stmt, idx, ptr, (int)value.len, SQLITE_TRANSIENT);
}

/* Bind a byte string, or NULL when it is empty. */
static int bind_bytes_or_null(sqlite3_stmt *stmt, int idx, struct tk_span value)
{
	if (value.len == 0)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_blob(stmt, idx, value.ptr, (int)value.len, SQLITE_TRANSIENT);
}

static struct tk_span column_bytes(sqlite3_stmt *stmt, int col)
{
	const void *ptr = sqlite3_column_blob(stmt, col);
	int len = sqlite3_column_bytes(stmt, col);

	if (ptr == NULL || len <= 0)
		return TK_SPAN_EMPTY;
	return tk_span_make(ptr, (size_t)len);
}

/* Copy a blob column into out[0..cap); TK_ERR_INTERNAL if the stored value is
 * longer than the limit every writer checked. */
static tk_err copy_column(sqlite3_stmt *stmt, int col, uint8_t *out, size_t cap,
			  size_t *out_len, struct tk_diag *diag)
{
	struct tk_span v = column_bytes(stmt, col);

	*out_len = 0;
	if (v.len > cap)
		return TK_FAIL(diag, TK_ERR_INTERNAL,
			       "stored value of %zu bytes in column %d exceeds %zu",
			       v.len, col, cap);
	if (v.len > 0)
		memcpy(out, v.ptr, v.len);
	*out_len = v.len;
	return TK_OK;
}

/* Run a statement that returns no rows, then finalize it. */
static tk_err step_done(sqlite3 *db, sqlite3_stmt *stmt, struct tk_diag *diag)
{
	int rc = sqlite3_step(stmt);
	tk_err err = TK_OK;

	/* A missing referenced row is "not found"; other constraints guard
	 * uniqueness. */
	if (rc == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "sqlite: %s", sqlite3_errmsg(db));
	else if (rc == SQLITE_CONSTRAINT)
		err = TK_FAIL(diag, TK_ERR_EXISTS, "sqlite: %s", sqlite3_errmsg(db));
	else if (rc != SQLITE_DONE)
		err = DB_FAIL(diag, db, "step");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err savepoint_begin(sqlite3 *db, struct tk_diag *diag)
{
	return exec_sql(db, "SAVEPOINT tk_hook", diag);
}

/* Release the savepoint on success, undo it on failure; returns err. */
static tk_err savepoint_end(sqlite3 *db, tk_err err, struct tk_diag *diag)
{
	if (err == TK_OK)
		return exec_sql(db, "RELEASE tk_hook", diag);
	(void)exec_sql(db, "ROLLBACK TO tk_hook", NULL);
	(void)exec_sql(db, "RELEASE tk_hook", NULL);
	return err;
}

static tk_err hook_begin(void *ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;

	return exec_sql(s->db, "BEGIN IMMEDIATE", diag);
}

static tk_err hook_commit(void *ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;

	return exec_sql(s->db, "COMMIT", diag);
}

static void hook_rollback(void *ctx)
{
	struct sqlite_store *s = ctx;

	if (!sqlite3_get_autocommit(s->db))
		(void)exec_sql(s->db, "ROLLBACK", NULL);
}

static tk_err hook_agent_key_add(void *ctx, const struct tk_store_agent_key *key,
				 struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = prepare(s->db,
		      "INSERT INTO agent_keys (kid, alg, public_key, ueid, enrolled_at)"
		      " VALUES (?, ?, ?, NULL, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, tk_span_make(key->kid, TK_STORE_KID_LEN));
	sqlite3_bind_int64(stmt, 2, key->alg);
	bind_bytes(stmt, 3, tk_span_make(key->pubkey, key->pubkey_len));
	sqlite3_bind_int64(stmt, 4, key->enrolled_at);
	if (sqlite3_step(stmt) == SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return TK_OK;
	}
	/* The kid is the primary key, so a constraint failure means a duplicate. */
	if (sqlite3_errcode(s->db) == SQLITE_CONSTRAINT) {
		char kid_hex[2 * KID_PREFIX_BYTES + 1];

		for (size_t i = 0; i < KID_PREFIX_BYTES; i++)
			snprintf(kid_hex + 2 * i, 3, "%02x", key->kid[i]);
		err = TK_FAIL(diag, TK_ERR_EXISTS, "agent key %s... is already enrolled", kid_hex);
	} else {
		err = DB_FAIL(diag, s->db, "add agent key");
	}
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_agent_key_get(void *ctx, struct tk_span kid,
				 struct tk_store_agent_key *out, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	struct tk_store_agent_key key = {0};
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = prepare(s->db,
		      "SELECT alg, public_key, ueid, enrolled_at FROM agent_keys"
		      " WHERE kid = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, kid);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no agent key is enrolled with this kid");
	} else if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, s->db, "read agent key");
	} else {
		memcpy(key.kid, kid.ptr, TK_STORE_KID_LEN);
		key.alg = sqlite3_column_int64(stmt, 0);
		key.enrolled_at = sqlite3_column_int64(stmt, 3);
		err = copy_column(stmt, 1, key.pubkey, sizeof(key.pubkey), &key.pubkey_len,
				  diag);
		if (err == TK_OK)
			err = copy_column(stmt, 2, key.ueid, sizeof(key.ueid), &key.ueid_len,
					  diag);
	}
	sqlite3_finalize(stmt);

	if (err == TK_OK)
		*out = key;
	return err;
}

static tk_err device_upsert(sqlite3 *db, struct tk_span ueid, int64_t now,
			    struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	/* INSERT ... ON CONFLICT is in SQLite since 3.24 and PostgreSQL since 9.5. */
	err = prepare(db,
		      "INSERT INTO devices (ueid, first_seen, last_seen) VALUES (?, ?, ?)"
		      " ON CONFLICT (ueid) DO UPDATE SET last_seen = excluded.last_seen",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, now);
	return step_done(db, stmt, diag);
}

/* Fail with TK_ERR_EXISTS when an agent key other than `kid` is bound to `ueid`. */
static tk_err check_ueid_unbound(sqlite3 *db, struct tk_span ueid, struct tk_span kid,
				 struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = prepare(db, "SELECT 1 FROM agent_keys WHERE ueid = ? AND kid <> ?", &stmt,
		      diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);
	bind_bytes(stmt, 2, kid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = TK_FAIL(diag, TK_ERR_EXISTS, "UEID is bound to another agent key");
	else if (rc != SQLITE_DONE)
		err = DB_FAIL(diag, db, "read the agent key bound to a UEID");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_device_record(void *ctx, struct tk_span ueid, struct tk_span kid,
				 int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if ((err = savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = check_ueid_unbound(s->db, ueid, kid, diag);
	if (err == TK_OK)
		err = device_upsert(s->db, ueid, now, diag);
	if (err == TK_OK)
		err = prepare(s->db, "UPDATE agent_keys SET ueid = ? WHERE kid = ?", &stmt,
			      diag);
	if (err == TK_OK) {
		bind_bytes(stmt, 1, ueid);
		bind_bytes(stmt, 2, kid);
		err = step_done(s->db, stmt, diag);
	}
	if (err == TK_OK && sqlite3_changes(s->db) != 1)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no agent key is enrolled with this kid");

	return savepoint_end(s->db, err, diag);
}

/* Highest sequence number stored for a component id; *found false if none. */
static tk_err manifest_max_sequence(sqlite3 *db, struct tk_span component_id,
				    bool *found, int64_t *max, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	*found = false;
	*max = 0;
	err = prepare(db, "SELECT MAX(sequence) FROM manifests WHERE component_id = ?",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, component_id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, db, "read manifest sequence numbers");
	} else if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		*found = true;
		*max = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_manifest_add(void *ctx, const struct tk_store_manifest *m,
				int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	bool found;
	int64_t max;
	tk_err err;

	if ((err = savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = manifest_max_sequence(s->db, m->component_id, &found, &max, diag);
	if (err == TK_OK && found && (uint64_t)max == m->sequence)
		err = TK_FAIL(diag, TK_ERR_EXISTS,
			      "sequence number %llu is registered already",
			      (unsigned long long)m->sequence);
	else if (err == TK_OK && found && (uint64_t)max > m->sequence)
		err = TK_FAIL(diag, TK_ERR_ROLLBACK,
			      "sequence number %llu is lower than the registered %lld",
			      (unsigned long long)m->sequence, (long long)max);

	if (err == TK_OK)
		err = prepare(s->db,
			      "INSERT INTO manifests (component_id, sequence, digest, image_digest,"
			      " envelope, added_at) VALUES (?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err == TK_OK) {
		bind_bytes(stmt, 1, m->component_id);
		sqlite3_bind_int64(stmt, 2, (int64_t)m->sequence);
		bind_bytes(stmt, 3, m->digest);
		bind_bytes_or_null(stmt, 4, m->image_digest);
		bind_bytes(stmt, 5, m->envelope);
		sqlite3_bind_int64(stmt, 6, now);
		err = step_done(s->db, stmt, diag);
	}

	return savepoint_end(s->db, err, diag);
}

static tk_err hook_manifest_get(void *ctx, struct tk_span component_id,
				struct tk_store_manifest *out, struct tk_store_manifest_buf *buf,
				uint8_t *env, size_t env_cap, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	size_t digest_len = 0, image_digest_len = 0, env_len = 0;
	sqlite3_stmt *stmt;
	int64_t sequence = 0;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = prepare(s->db,
		      "SELECT sequence, digest, envelope, image_digest FROM manifests"
		      " WHERE component_id = ? ORDER BY sequence DESC LIMIT 1", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, component_id);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND,
			      "no manifest is registered for this component id");
	} else if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, s->db, "read manifest");
	} else {
		sequence = sqlite3_column_int64(stmt, 0);
		err = copy_column(stmt, 1, buf->digest, sizeof(buf->digest), &digest_len, diag);
		if (err == TK_OK)
			err = copy_column(stmt, 3, buf->image_digest, sizeof(buf->image_digest),
					  &image_digest_len, diag);
		if (err == TK_OK && env != NULL &&
		    (size_t)sqlite3_column_bytes(stmt, 2) > env_cap)
			err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
				      "envelope of %d bytes exceeds the buffer of %zu",
				      sqlite3_column_bytes(stmt, 2), env_cap);
		if (err == TK_OK && env != NULL)
			err = copy_column(stmt, 2, env, env_cap, &env_len, diag);
	}
	sqlite3_finalize(stmt);
	if (err != TK_OK)
		return err;

	memcpy(buf->component_id, component_id.ptr, component_id.len);
	out->component_id = tk_span_make(buf->component_id, component_id.len);
	out->sequence = (uint64_t)sequence;
	out->digest = tk_span_make(buf->digest, digest_len);
	out->image_digest = tk_span_make(buf->image_digest, image_digest_len);
	out->envelope = tk_span_make(env, env_len);
	return TK_OK;
}

static tk_err hook_policy_add(void *ctx, struct tk_span component_id, struct tk_span ueid,
			      int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	bool found;
	int64_t max;
	tk_err err;

	if ((err = savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = manifest_max_sequence(s->db, component_id, &found, &max, diag);
	if (err == TK_OK && !found)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND,
			      "no manifest is registered for this component id");
	if (err == TK_OK)
		err = prepare(s->db,
			      "INSERT INTO policies (component_id, ueid, added_at)"
			      " VALUES (?, ?, ?) ON CONFLICT (component_id, ueid) DO NOTHING",
			      &stmt, diag);
	if (err == TK_OK) {
		bind_bytes(stmt, 1, component_id);
		bind_bytes(stmt, 2, ueid);
		sqlite3_bind_int64(stmt, 3, now);
		err = step_done(s->db, stmt, diag);
	}

	return savepoint_end(s->db, err, diag);
}

static tk_err hook_policy_each(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
			       void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	/* A zero-length ueid is the "every device" policy. */
	err = prepare(s->db,
		      "SELECT DISTINCT component_id FROM policies"
		      " WHERE ueid = ? OR length(ueid) = 0 ORDER BY component_id",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list policies");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err installed_insert(sqlite3 *db, struct tk_span ueid,
			       const struct tk_store_installed *item, int64_t now,
			       struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	/* A device listing one component twice keeps the last entry. */
	err = prepare(db,
		      "INSERT INTO installed (ueid, component_id, sequence, digest,"
		      " reported_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ueid, component_id)"
		      " DO UPDATE SET sequence = excluded.sequence, digest = excluded.digest",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);
	bind_bytes(stmt, 2, item->component_id);
	if (item->has_sequence)
		sqlite3_bind_int64(stmt, 3, (int64_t)item->sequence);
	else
		sqlite3_bind_null(stmt, 3);
	bind_bytes_or_null(stmt, 4, item->digest);
	sqlite3_bind_int64(stmt, 5, now);
	return step_done(db, stmt, diag);
}

static tk_err hook_installed_replace(void *ctx, struct tk_span ueid,
				     const struct tk_store_installed *items, size_t n,
				     int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if ((err = savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = prepare(s->db, "DELETE FROM installed WHERE ueid = ?", &stmt, diag);
	if (err == TK_OK) {
		bind_bytes(stmt, 1, ueid);
		err = step_done(s->db, stmt, diag);
	}
	for (size_t i = 0; err == TK_OK && i < n; i++)
		err = installed_insert(s->db, ueid, &items[i], now, diag);

	return savepoint_end(s->db, err, diag);
}

static tk_err hook_installed_each(void *ctx, struct tk_span ueid, tk_store_installed_fn cb,
				  void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = prepare(s->db,
		      "SELECT component_id, sequence, digest FROM installed"
		      " WHERE ueid = ? ORDER BY component_id", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct tk_store_installed item = {
			.component_id = column_bytes(stmt, 0),
			.has_sequence = sqlite3_column_type(stmt, 1) != SQLITE_NULL,
			.sequence = (uint64_t)sqlite3_column_int64(stmt, 1),
			.digest = column_bytes(stmt, 2),
		};

		err = cb(cb_ctx, &item);
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list installed components");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_session_add(void *ctx, const struct tk_store_session *ses,
			       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = prepare(s->db,
		      "INSERT INTO sessions (state, token, challenge, created_at, expires_at,"
		      " alg, kid, used) VALUES (?, ?, ?, ?, ?, ?, ?, 0)", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, (int)ses->state);
	bind_bytes_or_null(stmt, 2, tk_span_make(ses->token, ses->token_len));
	bind_bytes_or_null(stmt, 3, tk_span_make(ses->challenge, ses->challenge_len));
	sqlite3_bind_int64(stmt, 4, ses->created_at);
	sqlite3_bind_int64(stmt, 5, ses->expires_at);
	sqlite3_bind_int64(stmt, 6, ses->alg);
	if (ses->has_kid)
		bind_bytes(stmt, 7, tk_span_make(ses->kid, TK_STORE_KID_LEN));
	else
		sqlite3_bind_null(stmt, 7);
	return step_done(s->db, stmt, diag);
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
	err = copy_column(stmt, 1, out->token, sizeof(out->token), &out->token_len, diag);
	if (err == TK_OK)
		err = copy_column(stmt, 2, out->challenge, sizeof(out->challenge),
				  &out->challenge_len, diag);
	if (err == TK_OK)
		err = copy_column(stmt, 6, out->kid, sizeof(out->kid), &kid_len, diag);
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

	err = prepare(db, by == TK_STORE_BY_TOKEN ? session_select_by_token
						  : session_select_by_challenge,
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, key);
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

	err = prepare(db, by == TK_STORE_BY_TOKEN
				  ? "UPDATE sessions SET used = 1 WHERE token = ? AND used = 0"
				  : "UPDATE sessions SET used = 1 WHERE challenge = ? AND used = 0",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, key);
	if ((err = step_done(db, stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_changes(db) != 1)
		return TK_FAIL(diag, TK_ERR_REPLAY, "session was used concurrently");
	return TK_OK;
}

static tk_err hook_session_use(void *ctx, enum tk_store_session_key by, struct tk_span key,
			       int64_t now, struct tk_store_session *out,
			       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	struct tk_store_session ses;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if ((err = savepoint_begin(s->db, diag)) != TK_OK)
		return err;
	err = session_use_locked(s->db, by, key, now, &ses, diag);
	err = savepoint_end(s->db, err, diag);
	if (err == TK_OK)
		*out = ses;
	tk_wipe(&ses, sizeof(ses));
	return err;
}

static tk_err hook_update_manifest_add(void *ctx, struct tk_span token,
				       struct tk_span component_id, uint64_t sequence,
				       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = prepare(s->db,
		      "INSERT INTO update_manifests (token, component_id, sequence)"
		      " VALUES (?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, token);
	bind_bytes(stmt, 2, component_id);
	sqlite3_bind_int64(stmt, 3, (int64_t)sequence);
	return step_done(s->db, stmt, diag);
}

static tk_err hook_installed_from_update(void *ctx, struct tk_span token,
					 struct tk_span ueid, int64_t now,
					 struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	/* The WHERE clause keeps SQLite from reading ON CONFLICT as part of the
	 * join. */
	err = prepare(s->db,
		      "INSERT INTO installed (ueid, component_id, sequence, digest, reported_at)"
		      " SELECT ?, u.component_id, u.sequence, m.image_digest, ?"
		      " FROM update_manifests u LEFT JOIN manifests m"
		      " ON m.component_id = u.component_id AND m.sequence = u.sequence"
		      " WHERE u.token = ? ON CONFLICT (ueid, component_id) DO UPDATE SET"
		      " sequence = excluded.sequence, digest = excluded.digest,"
		      " reported_at = excluded.reported_at", &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, ueid);
	sqlite3_bind_int64(stmt, 2, now);
	bind_bytes(stmt, 3, token);
	return step_done(s->db, stmt, diag);
}

static tk_err hook_session_purge(void *ctx, int64_t now, uint64_t *removed,
				 struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if (removed != NULL)
		*removed = 0;
	err = prepare(s->db, "DELETE FROM sessions WHERE expires_at < ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	err = step_done(s->db, stmt, diag);
	if (err == TK_OK && removed != NULL)
		*removed = (uint64_t)sqlite3_changes(s->db);
	return err;
}

static tk_err hook_result_add(void *ctx, const struct tk_store_result *r,
			      struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if (r->err_code > INT64_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "err-code %llu exceeds %lld",
			       (unsigned long long)r->err_code, (long long)INT64_MAX);
	err = prepare(s->db,
		      "INSERT INTO results (kind, kid, ueid, token, err_code, err_msg,"
		      " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, (int)r->kind);
	bind_bytes(stmt, 2, tk_span_make(r->kid, TK_STORE_KID_LEN));
	bind_bytes_or_null(stmt, 3, r->ueid);
	bind_bytes_or_null(stmt, 4, r->token);
	sqlite3_bind_int64(stmt, 5, (int64_t)r->err_code);
	if (r->err_msg.len > 0)
		sqlite3_bind_text(stmt, 6, (const char *)r->err_msg.ptr, (int)r->err_msg.len,
				  SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 6);
	sqlite3_bind_int64(stmt, 7, r->received_at);
	return step_done(s->db, stmt, diag);
}

static tk_err hook_audit_add(void *ctx, int64_t now, const char *event,
			     const char *detail, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = prepare(s->db, "INSERT INTO audit (at, event, detail) VALUES (?, ?, ?)", &stmt,
		      diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, detail, (int)strnlen(detail, TK_STORE_TEXT_MAX),
			  SQLITE_TRANSIENT);
	return step_done(s->db, stmt, diag);
}

/* Columns: ueid, first_seen, last_seen, kid, kind, err_code, err_msg, received_at. */
static const char device_list_sql[] =
	"SELECT d.ueid, d.first_seen, d.last_seen,"
	" (SELECT k.kid FROM agent_keys k WHERE k.ueid = d.ueid ORDER BY k.kid LIMIT 1),"
	" r.kind, r.err_code, r.err_msg, r.received_at"
	" FROM devices d LEFT JOIN results r ON r.id ="
	" (SELECT MAX(r2.id) FROM results r2 WHERE r2.ueid = d.ueid)"
	" ORDER BY d.ueid";

static tk_err hook_device_each(void *ctx, tk_store_device_fn cb, void *cb_ctx,
			       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	if ((err = prepare(s->db, device_list_sql, &stmt, diag)) != TK_OK)
		return err;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *msg = sqlite3_column_text(stmt, 6);
		struct tk_store_device dev = {
			.ueid = column_bytes(stmt, 0),
			.first_seen = sqlite3_column_int64(stmt, 1),
			.last_seen = sqlite3_column_int64(stmt, 2),
			.kid = column_bytes(stmt, 3),
			.has_result = sqlite3_column_type(stmt, 4) != SQLITE_NULL,
			.last_result = (enum tk_store_result_kind)sqlite3_column_int(stmt, 4),
			.last_err_code = (uint64_t)sqlite3_column_int64(stmt, 5),
			.last_err_msg = msg != NULL
				? tk_span_make(msg, (size_t)sqlite3_column_bytes(stmt, 6))
				: TK_SPAN_EMPTY,
			.last_result_at = sqlite3_column_int64(stmt, 7),
		};

		err = cb(cb_ctx, &dev);
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list devices");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_count_rows(void *ctx, const char *table, uint64_t *out,
			      struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	char sql[64];
	sqlite3_stmt *stmt;
	bool known = false;
	tk_err err;

	*out = 0;
	for (size_t i = 0; i < sizeof(known_tables) / sizeof(known_tables[0]); i++)
		known = known || strcmp(table, known_tables[i]) == 0;
	if (!known)
		return TK_FAIL(diag, TK_ERR_ARG, "unknown table \"%.32s\"", table);

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if ((err = prepare(s->db, sql, &stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		err = DB_FAIL(diag, s->db, "count rows");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_policy_remove(void *ctx, struct tk_span component_id,
				 struct tk_span ueid, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = prepare(s->db, "DELETE FROM policies WHERE component_id = ? AND ueid = ?",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, component_id);
	bind_bytes(stmt, 2, ueid);
	if ((err = step_done(s->db, stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_changes(s->db) == 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no policy requires this manifest on %s",
			       ueid.len > 0 ? "this device" : "every device");
	return TK_OK;
}

static tk_err hook_manifest_each(void *ctx, tk_store_manifest_fn cb, void *cb_ctx,
				 struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = prepare(s->db,
		      "SELECT component_id, sequence, digest, image_digest, added_at"
		      " FROM manifests ORDER BY component_id, sequence", &stmt, diag);
	if (err != TK_OK)
		return err;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct tk_store_manifest m = {
			.component_id = column_bytes(stmt, 0),
			.sequence = (uint64_t)sqlite3_column_int64(stmt, 1),
			.digest = column_bytes(stmt, 2),
			.image_digest = column_bytes(stmt, 3),
		};

		err = cb(cb_ctx, &m, sqlite3_column_int64(stmt, 4));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list manifests");
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_policy_target_each(void *ctx, struct tk_span component_id,
				      tk_store_id_fn cb, void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = prepare(s->db, "SELECT ueid FROM policies WHERE component_id = ? ORDER BY ueid",
		      &stmt, diag);
	if (err != TK_OK)
		return err;
	bind_bytes(stmt, 1, component_id);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list policy devices");
	sqlite3_finalize(stmt);
	return err;
}

static const struct tk_store_ops sqlite_ops = {
	.begin = hook_begin,
	.commit = hook_commit,
	.rollback = hook_rollback,
	.agent_key_add = hook_agent_key_add,
	.agent_key_get = hook_agent_key_get,
	.device_record = hook_device_record,
	.manifest_add = hook_manifest_add,
	.manifest_get = hook_manifest_get,
	.policy_add = hook_policy_add,
	.policy_each = hook_policy_each,
	.installed_replace = hook_installed_replace,
	.installed_each = hook_installed_each,
	.session_add = hook_session_add,
	.session_use = hook_session_use,
	.update_manifest_add = hook_update_manifest_add,
	.installed_from_update = hook_installed_from_update,
	.session_purge = hook_session_purge,
	.result_add = hook_result_add,
	.audit_add = hook_audit_add,
	.device_each = hook_device_each,
	.count_rows = hook_count_rows,
	.policy_remove = hook_policy_remove,
	.manifest_each = hook_manifest_each,
	.policy_target_each = hook_policy_target_each,
};

static tk_err read_version(sqlite3 *db, int64_t *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	*out = 0;
	err = prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &stmt, diag);
	if (err != TK_OK)
		return err;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		err = DB_FAIL(diag, db, "read schema version");
	sqlite3_finalize(stmt);
	return err;
}

/* Apply one migration and record it, in one transaction. */
static tk_err apply_migration(sqlite3 *db, const struct tk_store_migration *m,
			      struct tk_diag *diag)
{
	char sql[RENDERED_SQL_MAX];
	char record[128];
	tk_err err;

	err = tk_store_schema_render(m->sql, TK_STORE_DIALECT_SQLITE, sql, sizeof(sql), diag);
	if (err != TK_OK)
		return err;
	snprintf(record, sizeof(record),
		 "INSERT INTO schema_version (version, applied_at) VALUES (%lld, %lld)",
		 (long long)m->version, (long long)time(NULL));

	if ((err = exec_sql(db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	err = exec_sql(db, sql, diag);
	if (err == TK_OK)
		err = exec_sql(db, record, diag);
	if (err == TK_OK)
		err = exec_sql(db, "COMMIT", diag);
	if (err != TK_OK)
		(void)exec_sql(db, "ROLLBACK", NULL);
	return err;
}

static tk_err migrate(sqlite3 *db, struct tk_diag *diag)
{
	int64_t version;
	tk_err err;

	if ((err = exec_sql(db, tk_store_schema_version_table, diag)) != TK_OK)
		return err;
	if ((err = read_version(db, &version, diag)) != TK_OK)
		return err;
	if (version > (int64_t)tk_store_migration_count)
		return TK_FAIL(diag, TK_ERR_DB,
			       "database schema version %lld is newer than this program's %zu",
			       (long long)version, tk_store_migration_count);

	for (size_t i = (size_t)version; i < tk_store_migration_count; i++) {
		if ((err = apply_migration(db, &tk_store_migrations[i], diag)) != TK_OK)
			return err;
	}
	return TK_OK;
}

/* Create the file with mode 0600 before SQLite opens it with its default mode. */
static tk_err create_private_file(const char *path, struct tk_diag *diag)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot create or open %s: %s", path, strerror(errno));
	close(fd);
	return TK_OK;
}

/* Fail with TK_ERR_NOT_FOUND unless path names an existing file. */
static tk_err check_file_exists(const char *path, struct tk_diag *diag)
{
	struct stat st;

	if (stat(path, &st) != 0 && errno == ENOENT)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no such file; enroll-agent, "
			       "add-manifest and serve create the database");
	return TK_OK;
}

/*
 * Fail with TK_ERR_DB unless the database has the version table, so that a
 * command that must not create a database does not turn any SQLite file
 * into one.
 */
static tk_err check_teepkit_schema(sqlite3 *db, const char *path, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
			  " AND name = 'schema_version'", &stmt, diag);
	if (err != TK_OK)
		return err;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "%s is not a teepkit database (it has no "
			      "schema_version table)", path);
	else if (rc != SQLITE_ROW)
		err = DB_FAIL(diag, db, "read the schema");
	sqlite3_finalize(stmt);
	return err;
}

/* Open, configure and migrate; `create` allows creating a missing file. */
static tk_err open_store(const char *path, bool create, struct tk_store *out,
			 struct tk_diag *diag)
{
	struct sqlite_store *s = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	tk_err err;

	out->ops = NULL;
	out->ctx = NULL;
	if (path == NULL || path[0] == '\0')
		return TK_FAIL(diag, TK_ERR_ARG, "no database path");
	err = create ? create_private_file(path, diag) : check_file_exists(path, diag);
	if (err != TK_OK)
		return err;
	if (create)
		flags |= SQLITE_OPEN_CREATE;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "store context");
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		err = TK_FAIL(diag, TK_ERR_DB, "SQLite cannot open %s: %s", path,
			      s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, TK_STORE_SQLITE_BUSY_MS);

	/* WAL lets readers run beside the writer. synchronous=FULL makes each
	 * commit durable before the TAM sends its response, so a crash loses
	 * nothing an agent has already received. The first statement reads the
	 * file header, so a file of another kind fails here. */
	err = exec_sql(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			      " PRAGMA foreign_keys = ON", diag);
	if (err != TK_OK && sqlite3_errcode(s->db) == SQLITE_NOTADB) {
		tk_diag_clear(diag);
		err = TK_FAIL(diag, TK_ERR_DB, "%s is not a teepkit database (SQLite: %s)",
			      path, sqlite3_errmsg(s->db));
	}
	if (err == TK_OK && !create)
		err = check_teepkit_schema(s->db, path, diag);
	if (err == TK_OK)
		err = migrate(s->db, diag);
	if (err != TK_OK)
		goto fail;

	out->ops = &sqlite_ops;
	out->ctx = s;
	return TK_OK;

fail:
	sqlite3_close(s->db);
	free(s);
	return err;
}

tk_err tk_store_sqlite_open(const char *path, struct tk_store *out, struct tk_diag *diag)
{
	return open_store(path, true, out, diag);
}

tk_err tk_store_sqlite_open_existing(const char *path, struct tk_store *out,
				     struct tk_diag *diag)
{
	return open_store(path, false, out, diag);
}

void tk_store_sqlite_close(struct tk_store *st)
{
	struct sqlite_store *s;

	if (st == NULL || st->ctx == NULL)
		return;
	s = st->ctx;
	hook_rollback(s);
	sqlite3_close(s->db);
	free(s);
	st->ctx = NULL;
	st->ops = NULL;
}

tk_err tk_store_sqlite_version(const struct tk_store *st, int64_t *out,
			       struct tk_diag *diag)
{
	struct sqlite_store *s;

	*out = 0;
	if (st == NULL || st->ctx == NULL || st->ops != &sqlite_ops)
		return TK_FAIL(diag, TK_ERR_ARG, "not an SQLite store");
	s = st->ctx;
	return read_version(s->db, out, diag);
}
