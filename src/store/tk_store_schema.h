/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TAM database schema as an ordered list of migrations shared by every
 * SQL backend. A database records the versions it has applied in the table
 * schema_version. Opening it applies the missing ones in order, each in one
 * transaction. So an old file is upgraded in place, and a crash mid-way
 * leaves it at the last complete version.
 *
 * The SQL stays within what SQLite 3.40 and PostgreSQL 15 both accept. The
 * two places where their type names differ are written as placeholders that
 * tk_store_schema_render() replaces for the backend:
 *   {bytes}  byte string column: BLOB (SQLite), BYTEA (PostgreSQL)
 *   {id}     surrogate key column: INTEGER PRIMARY KEY (SQLite, an alias of
 *            the rowid), BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY
 *            (PostgreSQL)
 * Booleans are SMALLINT 0 or 1 and times BIGINT seconds since the Unix
 * epoch, so no column depends on a backend's date or boolean type.
 */
#ifndef TK_STORE_SCHEMA_H
#define TK_STORE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"

enum tk_store_dialect {
	TK_STORE_DIALECT_SQLITE = 1,
	TK_STORE_DIALECT_POSTGRES = 2,
};

/* One step of the schema. Versions start at 1 and increase by one. */
struct tk_store_migration {
	int64_t version;
	const char *summary; /* what the step adds, for the audit log */
	const char *sql;     /* statements separated by ';', with placeholders */
};

/* Statement creating the version table, run before any migration. */
extern const char tk_store_schema_version_table[];

/* The migrations in order, and their count. */
extern const struct tk_store_migration tk_store_migrations[];
extern const size_t tk_store_migration_count;

/*
 * Copy sql into out[0..out_cap) with the placeholders replaced for dialect,
 * NUL-terminated. TK_ERR_BUFFER_TOO_SMALL when out is too small,
 * TK_ERR_ARG on an unknown placeholder or dialect.
 */
TK_MUST_CHECK tk_err tk_store_schema_render(const char *sql, enum tk_store_dialect dialect,
					    char *out, size_t out_cap,
					    struct tk_diag *diag);

#endif /* TK_STORE_SCHEMA_H */
