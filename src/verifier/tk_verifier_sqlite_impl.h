/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the files of the verifier's SQLite backend: the
 * context, statement helpers and the hooks defined outside
 * tk_verifier_sqlite.c.
 */
#ifndef TK_VERIFIER_SQLITE_IMPL_H
#define TK_VERIFIER_SQLITE_IMPL_H

#include <sqlite3.h>

#include "verifier/tk_verifier_sqlite.h"

struct tk_verifier_sqlite {
	sqlite3 *db;
	uint64_t max_results; /* rows kept in the results history */
};

/* Run SQL without results (TK_ERR_DB with SQLite's message on failure). */
tk_err tk_verifier_sqlite_exec(sqlite3 *db, const char *sql, struct tk_diag *diag);
tk_err tk_verifier_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt,
				  struct tk_diag *diag);
/* Bind bytes as a blob (an empty span as an empty blob, not NULL). */
void tk_verifier_sqlite_bind(sqlite3_stmt *stmt, int idx, struct tk_span value);
/* View of a blob column, valid until the next step or finalize. */
struct tk_span tk_verifier_sqlite_column(sqlite3_stmt *stmt, int col);
/* Copy a blob column into out[0..cap) (TK_ERR_INTERNAL when it is larger). */
tk_err tk_verifier_sqlite_copy(sqlite3_stmt *stmt, int col, uint8_t *out, size_t cap,
			       size_t *out_len, struct tk_diag *diag);
/* Step a statement that returns no row, then finalize it; a constraint
 * violation is TK_ERR_EXISTS. */
tk_err tk_verifier_sqlite_step_done(sqlite3 *db, sqlite3_stmt *stmt, struct tk_diag *diag);
/* Commit when err is TK_OK, else roll back; returns the first error. */
tk_err tk_verifier_sqlite_end(sqlite3 *db, tk_err err, struct tk_diag *diag);

/* Hooks of tk_verifier_sqlite_records.c. */
tk_err tk_verifier_sqlite_hook_key_get(void *ctx, struct tk_span kid,
				       struct tk_verifier_attest_key *out,
				       struct tk_diag *diag);
tk_err tk_verifier_sqlite_hook_refval_match(void *ctx, struct tk_span component,
					    int64_t digest_alg, struct tk_span digest,
					    enum tk_verifier_refval_match *match,
					    struct tk_verifier_refval *out,
					    struct tk_diag *diag);
tk_err tk_verifier_sqlite_hook_ek_ca_get(void *ctx, size_t index,
					 struct tk_verifier_ek_ca *out,
					 struct tk_diag *diag);

/* Schema version 2 and the hooks of tk_verifier_sqlite_ak.c. */
extern const char tk_verifier_sqlite_migration_2[];
tk_err tk_verifier_sqlite_hook_ak_pending_add(void *ctx,
					      const struct tk_verifier_ak_pending *pending,
					      int64_t now, size_t max_pending,
					      struct tk_diag *diag);
tk_err tk_verifier_sqlite_hook_ak_pending_take(void *ctx, const uint8_t *id, int64_t now,
					       struct tk_verifier_ak_pending *out,
					       struct tk_diag *diag);
tk_err tk_verifier_sqlite_hook_ak_enroll(void *ctx, const struct tk_verifier_ak_pending *p,
					 int64_t now, struct tk_diag *diag);
tk_err tk_verifier_sqlite_hook_ak_binding_get(void *ctx, struct tk_span kid,
					      uint8_t ek_cert_digest[32],
					      struct tk_diag *diag);

#endif /* TK_VERIFIER_SQLITE_IMPL_H */
