/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the verifier's store: opening, migrations, the session
 * hooks and the results history. The endorsement and reference value hooks
 * are in tk_verifier_sqlite_records.c. Values are bound (byte strings as
 * blobs), never spliced into SQL, and no statement outlives a call.
 */
#include "verifier/tk_verifier_sqlite.h"
#include "verifier/tk_verifier_sqlite_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Version 1. reference_values has one row per distinct value, so adding a
 * CoRIM twice changes nothing; the component index serves the appraisal's
 * lookup. Migration 3 drops the UNIQUE constraint of sessions.nonce.
 */
static const char migration_1[] =
	"CREATE TABLE attest_keys ("
	" kid BLOB NOT NULL PRIMARY KEY,"
	" cose_key BLOB NOT NULL,"
	" ueid BLOB NOT NULL,"
	" enrolled_at BIGINT NOT NULL);"

	"CREATE TABLE ek_cas ("
	" der BLOB NOT NULL PRIMARY KEY,"
	" added_at BIGINT NOT NULL);"

	"CREATE TABLE reference_values ("
	" vendor TEXT NOT NULL,"
	" class TEXT NOT NULL,"
	" component BLOB NOT NULL,"
	" digest_alg BIGINT NOT NULL,"
	" digest BLOB NOT NULL,"
	" source TEXT NOT NULL,"
	" added_at BIGINT NOT NULL,"
	" PRIMARY KEY (vendor, class, component, digest_alg, digest));"
	"CREATE INDEX reference_values_component ON reference_values (component);"

	"CREATE TABLE sessions ("
	" id BLOB NOT NULL PRIMARY KEY,"
	" nonce BLOB NOT NULL UNIQUE,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" used SMALLINT NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"

	"CREATE TABLE results ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" session_id BLOB,"
	" ueid BLOB,"
	" appraised_at BIGINT NOT NULL,"
	" status SMALLINT NOT NULL,"
	" vector_present SMALLINT NOT NULL,"
	" vector BLOB NOT NULL,"
	" reason TEXT NOT NULL,"
	" ear BLOB NOT NULL);";

/*
 * Version 3. A session is found by its id only, so two sessions may have
 * the same nonce. A TAM opens a background-check session whose nonce is
 * its challenge, and an agent that requests a passport result for that
 * challenge opens a second session with the same nonce. Each session is still single use, and the
 * relying party accepts a challenge once. SQLite cannot drop a
 * constraint, so the table is rebuilt.
 */
static const char migration_3[] =
	"CREATE TABLE sessions_v3 ("
	" id BLOB NOT NULL PRIMARY KEY,"
	" nonce BLOB NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" used SMALLINT NOT NULL DEFAULT 0);"
	"INSERT INTO sessions_v3 (id, nonce, created_at, expires_at, used)"
	" SELECT id, nonce, created_at, expires_at, used FROM sessions;"
	"DROP TABLE sessions;"
	"ALTER TABLE sessions_v3 RENAME TO sessions;"
	"CREATE INDEX sessions_expires ON sessions (expires_at);";

static const char *const migrations[] = {migration_1, tk_verifier_sqlite_migration_2,
					 migration_3};
#define MIGRATION_COUNT (sizeof(migrations) / sizeof(migrations[0]))

/* Non-NULL pointer for zero-length blobs: SQLite binds a NULL pointer as NULL. */
static const uint8_t empty_blob[1];

tk_err tk_verifier_sqlite_exec(sqlite3 *db, const char *sql, struct tk_diag *diag)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tk_err err = TK_FAIL(diag, TK_ERR_DB, "sqlite: %.48s: %s", sql,
				     msg != NULL ? msg : "unknown error");

		sqlite3_free(msg);
		return err;
	}
	return TK_OK;
}

tk_err tk_verifier_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
				  struct tk_diag *diag)
{
	*stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
		return TK_FAIL(diag, TK_ERR_DB, "sqlite: prepare: %s", sqlite3_errmsg(db));
	return TK_OK;
}

void tk_verifier_sqlite_bind(sqlite3_stmt *stmt, int idx, struct tk_span value)
{
	const void *ptr = value.len > 0 ? (const void *)value.ptr : (const void *)empty_blob;

	(void)sqlite3_bind_blob(stmt, idx, ptr, (int)value.len, SQLITE_TRANSIENT);
}

struct tk_span tk_verifier_sqlite_column(sqlite3_stmt *stmt, int col)
{
	const void *ptr = sqlite3_column_blob(stmt, col);
	int len = sqlite3_column_bytes(stmt, col);

	if (ptr == NULL || len <= 0)
		return TK_SPAN_EMPTY;
	return tk_span_make(ptr, (size_t)len);
}

tk_err tk_verifier_sqlite_copy(sqlite3_stmt *stmt, int col, uint8_t *out, size_t cap,
			       size_t *out_len, struct tk_diag *diag)
{
	struct tk_span v = tk_verifier_sqlite_column(stmt, col);

	*out_len = 0;
	if (v.len > cap)
		return TK_FAIL(diag, TK_ERR_INTERNAL, "stored value of %zu bytes in column "
			       "%d exceeds %zu", v.len, col, cap);
	if (v.len > 0)
		memcpy(out, v.ptr, v.len);
	*out_len = v.len;
	return TK_OK;
}

tk_err tk_verifier_sqlite_step_done(sqlite3 *db, sqlite3_stmt *stmt, struct tk_diag *diag)
{
	int rc = sqlite3_step(stmt);
	tk_err err = TK_OK;

	if (rc == SQLITE_CONSTRAINT)
		err = TK_FAIL(diag, TK_ERR_EXISTS, "sqlite: %s", sqlite3_errmsg(db));
	else if (rc != SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: step: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_verifier_sqlite_end(sqlite3 *db, tk_err err, struct tk_diag *diag)
{
	if (err == TK_OK)
		err = tk_verifier_sqlite_exec(db, "COMMIT", diag);
	if (err != TK_OK && !sqlite3_get_autocommit(db))
		(void)tk_verifier_sqlite_exec(db, "ROLLBACK", NULL);
	return err;
}

/* ---- sessions ---- */

static tk_err count_live_sessions(sqlite3 *db, int64_t now, uint64_t *out,
				  struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	*out = 0;
	err = tk_verifier_sqlite_prepare(db, "SELECT COUNT(*) FROM sessions WHERE "
					 "expires_at > ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: count sessions: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

static tk_err hook_session_add(void *ctx, const struct tk_verifier_session *ses,
			       int64_t now, size_t max_sessions, struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt = NULL;
	uint64_t live = 0;
	tk_err err;

	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	err = count_live_sessions(s->db, now, &live, diag);
	if (err == TK_OK && live >= max_sessions)
		err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%llu sessions are outstanding, the "
			      "maximum is %zu", (unsigned long long)live, max_sessions);
	if (err == TK_OK)
		err = tk_verifier_sqlite_prepare(s->db, "INSERT INTO sessions (id, nonce, "
						 "created_at, expires_at, used) VALUES (?, ?, "
						 "?, ?, 0)", &stmt, diag);
	if (err == TK_OK) {
		tk_verifier_sqlite_bind(stmt, 1, tk_span_make(ses->id, sizeof(ses->id)));
		tk_verifier_sqlite_bind(stmt, 2, tk_span_make(ses->nonce, sizeof(ses->nonce)));
		sqlite3_bind_int64(stmt, 3, ses->created_at);
		sqlite3_bind_int64(stmt, 4, ses->expires_at);
		err = tk_verifier_sqlite_step_done(s->db, stmt, diag);
	}
	return tk_verifier_sqlite_end(s->db, err, diag);
}

/* Read the session row, decide whether it may be used now, mark it used. */
static tk_err session_take_locked(sqlite3 *db, const uint8_t *id, int64_t now,
				  struct tk_verifier_session *out, struct tk_diag *diag)
{
	struct tk_span id_span = tk_span_make(id, TK_VERIFIER_SESSION_ID_LEN);
	sqlite3_stmt *stmt;
	size_t nonce_len = 0;
	bool used;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(db, "SELECT nonce, created_at, expires_at, used "
					 "FROM sessions WHERE id = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, id_span);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? TK_FAIL(diag, TK_ERR_NOT_FOUND, "no such session")
					: TK_FAIL(diag, TK_ERR_DB, "sqlite: read session: %s",
						  sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return err;
	}
	memcpy(out->id, id, TK_VERIFIER_SESSION_ID_LEN);
	out->created_at = sqlite3_column_int64(stmt, 1);
	out->expires_at = sqlite3_column_int64(stmt, 2);
	used = sqlite3_column_int(stmt, 3) != 0;
	err = tk_verifier_sqlite_copy(stmt, 0, out->nonce, sizeof(out->nonce), &nonce_len, diag);
	sqlite3_finalize(stmt);
	if (err == TK_OK && nonce_len != sizeof(out->nonce))
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "stored nonce of %zu bytes", nonce_len);
	if (err == TK_OK && used)
		err = TK_FAIL(diag, TK_ERR_REPLAY, "session already used");
	if (err == TK_OK && now >= out->expires_at)
		err = TK_FAIL(diag, TK_ERR_EXPIRED, "session expired %lld seconds ago",
			      (long long)(now - out->expires_at));
	if (err != TK_OK)
		return err;

	err = tk_verifier_sqlite_prepare(db, "UPDATE sessions SET used = 1 WHERE id = ?",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, id_span);
	return tk_verifier_sqlite_step_done(db, stmt, diag);
}

static tk_err hook_session_take(void *ctx, const uint8_t id[TK_VERIFIER_SESSION_ID_LEN],
				int64_t now, struct tk_verifier_session *out,
				struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	err = session_take_locked(s->db, id, now, out, diag);
	err = tk_verifier_sqlite_end(s->db, err, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

static tk_err hook_session_purge(void *ctx, int64_t now, uint64_t *removed,
				 struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	*removed = 0;
	err = tk_verifier_sqlite_prepare(s->db, "DELETE FROM sessions WHERE expires_at <= ?",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	err = tk_verifier_sqlite_step_done(s->db, stmt, diag);
	if (err == TK_OK)
		*removed = (uint64_t)sqlite3_changes(s->db);
	return err;
}

/* ---- results history ---- */

/* Delete the oldest results beyond max_results. */
static tk_err trim_results(struct tk_verifier_sqlite *s, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_verifier_sqlite_prepare(s->db, "DELETE FROM results WHERE id <= "
					 "(SELECT MAX(id) FROM results) - ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)s->max_results);
	return tk_verifier_sqlite_step_done(s->db, stmt, diag);
}

static tk_err hook_result_add(void *ctx, const struct tk_verifier_result_record *rec,
			      struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	uint8_t vector[TK_VERIFIER_CLAIM_COUNT];
	sqlite3_stmt *stmt;
	tk_err err;

	for (size_t i = 0; i < TK_VERIFIER_CLAIM_COUNT; i++)
		vector[i] = (uint8_t)rec->vector.value[i];
	err = tk_verifier_sqlite_prepare(s->db, "INSERT INTO results (session_id, ueid, "
					 "appraised_at, status, vector_present, vector, reason, "
					 "ear) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	if (rec->has_session)
		tk_verifier_sqlite_bind(stmt, 1, tk_span_make(rec->session_id,
							     sizeof(rec->session_id)));
	if (rec->ueid.len > 0)
		tk_verifier_sqlite_bind(stmt, 2, rec->ueid);
	sqlite3_bind_int64(stmt, 3, rec->appraised_at);
	sqlite3_bind_int(stmt, 4, (int)rec->status);
	sqlite3_bind_int(stmt, 5, rec->vector.present);
	tk_verifier_sqlite_bind(stmt, 6, tk_span_make(vector, sizeof(vector)));
	sqlite3_bind_text(stmt, 7, rec->reason != NULL ? rec->reason : "", -1,
			  SQLITE_TRANSIENT);
	tk_verifier_sqlite_bind(stmt, 8, rec->ear);

	/* The row and the trim are one transaction. */
	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK) {
		sqlite3_finalize(stmt);
		return err;
	}
	err = tk_verifier_sqlite_step_done(s->db, stmt, diag);
	if (err == TK_OK)
		err = trim_results(s, diag);
	return tk_verifier_sqlite_end(s->db, err, diag);
}

void tk_verifier_sqlite_set_max_results(struct tk_verifier_sqlite *s, uint64_t max_results)
{
	s->max_results = max_results > 0 ? max_results : 1;
}

/* Fill a history row from the current result row; views into stmt. */
static void history_row(sqlite3_stmt *stmt, struct tk_verifier_history_row *row)
{
	struct tk_span session = tk_verifier_sqlite_column(stmt, 1);
	struct tk_span vector = tk_verifier_sqlite_column(stmt, 6);
	const unsigned char *reason = sqlite3_column_text(stmt, 7);

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(stmt, 0);
	row->has_session = session.len == TK_VERIFIER_SESSION_ID_LEN;
	if (row->has_session)
		memcpy(row->session_id, session.ptr, session.len);
	row->ueid = tk_verifier_sqlite_column(stmt, 2);
	row->appraised_at = sqlite3_column_int64(stmt, 3);
	row->status = (enum tk_verifier_tier)sqlite3_column_int(stmt, 4);
	row->vector.present = (uint8_t)sqlite3_column_int(stmt, 5);
	for (size_t i = 0; i < TK_VERIFIER_CLAIM_COUNT && i < vector.len; i++)
		row->vector.value[i] = (int8_t)vector.ptr[i];
	row->reason = reason != NULL ? (const char *)reason : "";
	row->ear = tk_verifier_sqlite_column(stmt, 8);
}

tk_err tk_verifier_sqlite_result_each(struct tk_verifier_sqlite *s, size_t limit,
				      tk_err (*fn)(void *ctx,
						   const struct tk_verifier_history_row *row),
				      void *ctx, struct tk_diag *diag)
{
	struct tk_verifier_history_row row;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(s->db, "SELECT id, session_id, ueid, appraised_at, "
					 "status, vector_present, vector, reason, ear FROM "
					 "results ORDER BY id DESC LIMIT ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		history_row(stmt, &row);
		if ((err = fn(ctx, &row)) != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read results: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_verifier_sqlite_count(struct tk_verifier_sqlite *s, const char *table,
				uint64_t *out, struct tk_diag *diag)
{
	static const char *const tables[] = {"attest_keys", "ek_cas", "reference_values",
					     "sessions", "results", "ak_pending",
					     "ak_bindings"};
	sqlite3_stmt *stmt;
	bool known = false;
	char sql[64];
	tk_err err;

	*out = 0;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		known = known || strcmp(table, tables[i]) == 0;
	if (!known)
		return TK_FAIL(diag, TK_ERR_ARG, "unknown table \"%.32s\"", table);
	/* The name is one of the constants above, so splicing it is safe. */
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if ((err = tk_verifier_sqlite_prepare(s->db, sql, &stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: count rows: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	return err;
}

/* ---- opening ---- */

static tk_err read_version(sqlite3 *db, int64_t *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	*out = 0;
	err = tk_verifier_sqlite_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM "
					 "verifier_schema_version", &stmt, diag);
	if (err != TK_OK)
		return err;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read schema version: %s",
			      sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

/*
 * Apply the missing migrations, each in one transaction with its version
 * row. The version table has its own name, so a TAM database given by
 * mistake is not taken for a verifier database of another version.
 */
static tk_err migrate(sqlite3 *db, struct tk_diag *diag)
{
	char record[128];
	int64_t version;
	tk_err err;

	err = tk_verifier_sqlite_exec(db, "CREATE TABLE IF NOT EXISTS verifier_schema_version ("
				      " version BIGINT NOT NULL PRIMARY KEY,"
				      " applied_at BIGINT NOT NULL)", diag);
	if (err == TK_OK)
		err = read_version(db, &version, diag);
	if (err != TK_OK)
		return err;
	if (version > (int64_t)MIGRATION_COUNT)
		return TK_FAIL(diag, TK_ERR_DB, "database schema version %lld is newer than "
			       "this program's %zu", (long long)version, MIGRATION_COUNT);

	for (size_t i = (size_t)version; i < MIGRATION_COUNT && err == TK_OK; i++) {
		snprintf(record, sizeof(record), "INSERT INTO verifier_schema_version (version, "
			 "applied_at) VALUES (%zu, %lld)", i + 1, (long long)time(NULL));
		if ((err = tk_verifier_sqlite_exec(db, "BEGIN IMMEDIATE", diag)) != TK_OK)
			break;
		err = tk_verifier_sqlite_exec(db, migrations[i], diag);
		if (err == TK_OK)
			err = tk_verifier_sqlite_exec(db, record, diag);
		err = tk_verifier_sqlite_end(db, err, diag);
	}
	return err;
}

/* Create the file 0600 before SQLite opens it, or require that it exists. */
static tk_err prepare_file(const char *path, bool create_missing, struct tk_diag *diag)
{
	int fd;

	if (!create_missing) {
		if (access(path, F_OK) != 0)
			return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no such file; add-ca, enroll-key, "
				       "add-reference and serve create the database");
		return TK_OK;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "cannot create or open %s: %s", path, strerror(errno));
	close(fd);
	return TK_OK;
}

/*
 * Fail with TK_ERR_DB unless the database has the verifier's version
 * table, so a command that must not create a database does not turn any
 * SQLite file (a TAM's, say) into one.
 */
static tk_err check_verifier_schema(sqlite3 *db, const char *path, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
					 "AND name = 'verifier_schema_version'", &stmt, diag);
	if (err != TK_OK)
		return err;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "%s is not a teep-verifier database", path);
	else if (rc != SQLITE_ROW)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read the schema: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

static const struct tk_verifier_store_ops sqlite_ops_template = {
	.session_add = hook_session_add,
	.session_take = hook_session_take,
	.session_purge = hook_session_purge,
	.key_get = tk_verifier_sqlite_hook_key_get,
	.refval_match = tk_verifier_sqlite_hook_refval_match,
	.ek_ca_get = tk_verifier_sqlite_hook_ek_ca_get,
	.result_add = hook_result_add,
	.ak_pending_add = tk_verifier_sqlite_hook_ak_pending_add,
	.ak_pending_take = tk_verifier_sqlite_hook_ak_pending_take,
	.ak_enroll = tk_verifier_sqlite_hook_ak_enroll,
	.ak_binding_get = tk_verifier_sqlite_hook_ak_binding_get,
};

tk_err tk_verifier_sqlite_open(const char *path, bool create_missing,
			       struct tk_verifier_sqlite **out,
			       struct tk_verifier_store_ops *ops, struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	tk_err err;

	*out = NULL;
	memset(ops, 0, sizeof(*ops));
	if (path == NULL || path[0] == '\0')
		return TK_FAIL(diag, TK_ERR_ARG, "no database path");
	if ((err = prepare_file(path, create_missing, diag)) != TK_OK)
		return err;
	if (create_missing)
		flags |= SQLITE_OPEN_CREATE;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "store context");
	s->max_results = TK_VERIFIER_SQLITE_DEFAULT_MAX_RESULTS;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		err = TK_FAIL(diag, TK_ERR_DB, "SQLite cannot open %s: %s", path,
			      s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, TK_VERIFIER_SQLITE_BUSY_MS);

	/* synchronous=FULL makes a used session durable before the result goes
	 * out, so a crash cannot make a session usable twice. */
	err = tk_verifier_sqlite_exec(s->db, "PRAGMA journal_mode = WAL; "
				      "PRAGMA synchronous = FULL", diag);
	if (err != TK_OK && sqlite3_errcode(s->db) == SQLITE_NOTADB) {
		tk_diag_clear(diag);
		err = TK_FAIL(diag, TK_ERR_DB, "%s is not a database (SQLite: %s)", path,
			      sqlite3_errmsg(s->db));
	}
	if (err == TK_OK && !create_missing)
		err = check_verifier_schema(s->db, path, diag);
	if (err == TK_OK)
		err = migrate(s->db, diag);
	if (err != TK_OK)
		goto fail;

	*ops = sqlite_ops_template;
	ops->ctx = s;
	*out = s;
	return TK_OK;

fail:
	sqlite3_close(s->db);
	free(s);
	return err;
}

void tk_verifier_sqlite_close(struct tk_verifier_sqlite *s)
{
	if (s == NULL)
		return;
	if (!sqlite3_get_autocommit(s->db))
		(void)tk_verifier_sqlite_exec(s->db, "ROLLBACK", NULL);
	sqlite3_close(s->db);
	free(s);
}
