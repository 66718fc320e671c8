/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the TAM store: opening and closing the database, schema
 * migration, transactions, the ops table and the statement helpers that the
 * hooks share. The hooks that read and write records are grouped by concept
 * in tk_store_sqlite_device.c, tk_store_sqlite_manifest.c and
 * tk_store_sqlite_session.c. Each hook prepares its statements, binds values
 * (byte strings as blobs, never spliced into SQL) and finalizes them before
 * returning, so no statement outlives a call and the connection can be
 * closed at any time.
 *
 * Transactions: begin() issues BEGIN IMMEDIATE, which takes the write lock
 * at once, so two TAM processes on one file serialise at the start of a step
 * instead of failing when one upgrades a read lock. Hooks that run several
 * statements wrap them in a SAVEPOINT, which nests inside an open
 * transaction and acts as one outside it.
 */
#include "store/tk_store_sqlite.h"
#include "store/tk_store_sqlite_impl.h"

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

/* Tables count_rows() accepts; the name is spliced into SQL, so only these. */
static const char *const known_tables[] = {
	"devices", "agent_keys", "manifests", "policies", "installed",
	"sessions", "update_manifests", "results", "audit", "schema_version",
	"manifest_components", "attestation_results", "device_groups", "group_policies",
	"agent_report_keys", "suit_reports", "unrequired",
};

/* Non-NULL pointer for zero-length blobs: SQLite binds a NULL pointer as NULL. */
static const uint8_t empty_blob[1];

tk_err tk_store_sqlite_db_fail(struct tk_diag *diag, sqlite3 *db, tk_err code, const char *what,
			       const char *file, int line)
{
	return tk_diag_set(diag, code, TK_DIAG_NO_OFFSET, file, line,
			   "sqlite: %s: %s", what, sqlite3_errmsg(db));
}

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

tk_err tk_store_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
			       struct tk_diag *diag)
{
	*stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK)
		return DB_FAIL(diag, db, "prepare");
	return TK_OK;
}

int tk_store_sqlite_bind_bytes(sqlite3_stmt *stmt, int idx, struct tk_span value)
{
	const void *ptr = value.len > 0 ? (const void *)value.ptr : (const void *)empty_blob;

	return sqlite3_bind_blob(stmt, idx, ptr, (int)value.len, SQLITE_TRANSIENT);
}

int tk_store_sqlite_bind_bytes_or_null(sqlite3_stmt *stmt, int idx, struct tk_span value)
{
	if (value.len == 0)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_blob(stmt, idx, value.ptr, (int)value.len, SQLITE_TRANSIENT);
}

struct tk_span tk_store_sqlite_column_bytes(sqlite3_stmt *stmt, int col)
{
	const void *ptr = sqlite3_column_blob(stmt, col);
	int len = sqlite3_column_bytes(stmt, col);

	if (ptr == NULL || len <= 0)
		return TK_SPAN_EMPTY;
	return tk_span_make(ptr, (size_t)len);
}

tk_err tk_store_sqlite_copy_column(sqlite3_stmt *stmt, int col, uint8_t *out, size_t cap,
				   size_t *out_len, struct tk_diag *diag)
{
	struct tk_span v = tk_store_sqlite_column_bytes(stmt, col);

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

tk_err tk_store_sqlite_step_done(sqlite3 *db, sqlite3_stmt *stmt, struct tk_diag *diag)
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

tk_err tk_store_sqlite_savepoint_begin(sqlite3 *db, struct tk_diag *diag)
{
	return exec_sql(db, "SAVEPOINT tk_hook", diag);
}

tk_err tk_store_sqlite_savepoint_end(sqlite3 *db, tk_err err, struct tk_diag *diag)
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
	if ((err = tk_store_sqlite_prepare(s->db, sql, &stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		err = DB_FAIL(diag, s->db, "count rows");
	sqlite3_finalize(stmt);
	return err;
}

static const struct tk_store_ops sqlite_ops = {
	.begin = hook_begin,
	.commit = hook_commit,
	.rollback = hook_rollback,
	.agent_key_add = tk_store_sqlite_hook_agent_key_add,
	.agent_key_get = tk_store_sqlite_hook_agent_key_get,
	.device_record = tk_store_sqlite_hook_device_record,
	.manifest_add = tk_store_sqlite_hook_manifest_add,
	.manifest_get = tk_store_sqlite_hook_manifest_get,
	.policy_add = tk_store_sqlite_hook_policy_add,
	.policy_each = tk_store_sqlite_hook_policy_each,
	.installed_replace = tk_store_sqlite_hook_installed_replace,
	.installed_each = tk_store_sqlite_hook_installed_each,
	.session_add = tk_store_sqlite_hook_session_add,
	.session_use = tk_store_sqlite_hook_session_use,
	.update_manifest_add = tk_store_sqlite_hook_update_manifest_add,
	.installed_from_update = tk_store_sqlite_hook_installed_from_update,
	.session_purge = tk_store_sqlite_hook_session_purge,
	.result_add = tk_store_sqlite_hook_result_add,
	.audit_add = tk_store_sqlite_hook_audit_add,
	.device_each = tk_store_sqlite_hook_device_each,
	.count_rows = hook_count_rows,
	.policy_remove = tk_store_sqlite_hook_policy_remove,
	.manifest_each = tk_store_sqlite_hook_manifest_each,
	.policy_target_each = tk_store_sqlite_hook_policy_target_each,
	.manifest_components_add = tk_store_sqlite_hook_manifest_components_add,
	.manifest_components_each = tk_store_sqlite_hook_manifest_components_each,
	.manifest_by_component_each = tk_store_sqlite_hook_manifest_by_component_each,
	.attestation_add = tk_store_sqlite_hook_attestation_add,
	.attestation_each = tk_store_sqlite_hook_attestation_each,
	.device_group_set = tk_store_sqlite_hook_device_group_set,
	.device_group_get = tk_store_sqlite_hook_device_group_get,
	.group_policy_set = tk_store_sqlite_hook_group_policy_set,
	.group_policy_get = tk_store_sqlite_hook_group_policy_get,
	.report_key_set = tk_store_sqlite_hook_report_key_set,
	.report_key_get = tk_store_sqlite_hook_report_key_get,
	.suit_report_add = tk_store_sqlite_hook_suit_report_add,
	.suit_report_each = tk_store_sqlite_hook_suit_report_each,
	.unrequired_add = tk_store_sqlite_hook_unrequired_add,
	.unrequired_each = tk_store_sqlite_hook_unrequired_each,
};

static tk_err read_version(sqlite3 *db, int64_t *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	*out = 0;
	err = tk_store_sqlite_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version",
				      &stmt, diag);
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

	err = tk_store_sqlite_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
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
