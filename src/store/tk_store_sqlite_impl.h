/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal header of the SQLite store, shared by tk_store_sqlite.c and the
 * hook files tk_store_sqlite_{device,manifest,session}.c and included by
 * nothing else. It declares the store context, the statement helpers every
 * hook uses and the hooks that the ops table in tk_store_sqlite.c names.
 * The hooks behave as tk_store.h documents for struct tk_store_ops.
 */
#ifndef TK_STORE_SQLITE_IMPL_H
#define TK_STORE_SQLITE_IMPL_H

#include <sqlite3.h>

#include "store/tk_store_sqlite.h"

/* Context of an SQLite store, kept as the ctx of its struct tk_store. */
struct sqlite_store {
	sqlite3 *db;
};

/* Set diag to code with the message "sqlite: <what>: <SQLite message>" and
 * return code. DB_FAIL passes TK_ERR_DB and the caller's file and line. */
tk_err tk_store_sqlite_db_fail(struct tk_diag *diag, sqlite3 *db, tk_err code,
			       const char *what, const char *file, int line);

#define DB_FAIL(diag, db, what) \
	tk_store_sqlite_db_fail((diag), (db), TK_ERR_DB, (what), __FILE__, __LINE__)

/* Prepare one statement. On failure *stmt is NULL. */
TK_MUST_CHECK tk_err tk_store_sqlite_prepare(sqlite3 *db, const char *sql,
					     sqlite3_stmt **stmt, struct tk_diag *diag);

/* Bind a byte string; an empty span binds a zero-length blob, not NULL. */
int tk_store_sqlite_bind_bytes(sqlite3_stmt *stmt, int idx, struct tk_span value);

/* Bind a byte string, or NULL when it is empty. */
int tk_store_sqlite_bind_bytes_or_null(sqlite3_stmt *stmt, int idx, struct tk_span value);

/* Returns a view into the blob column, valid until the next step or finalize. */
struct tk_span tk_store_sqlite_column_bytes(sqlite3_stmt *stmt, int col);

/* Copy a blob column into out[0..cap); TK_ERR_INTERNAL if the stored value is
 * longer than the limit every writer checked. */
TK_MUST_CHECK tk_err tk_store_sqlite_copy_column(sqlite3_stmt *stmt, int col, uint8_t *out,
						 size_t cap, size_t *out_len,
						 struct tk_diag *diag);

/* Run a statement that returns no rows, then finalize it. */
TK_MUST_CHECK tk_err tk_store_sqlite_step_done(sqlite3 *db, sqlite3_stmt *stmt,
					       struct tk_diag *diag);

/* Open the savepoint in which a hook runs several statements as one. */
TK_MUST_CHECK tk_err tk_store_sqlite_savepoint_begin(sqlite3 *db, struct tk_diag *diag);

/* Release the savepoint on success, undo it on failure; returns err. */
TK_MUST_CHECK tk_err tk_store_sqlite_savepoint_end(sqlite3 *db, tk_err err,
						   struct tk_diag *diag);

/* Agent keys, devices and installed components (tk_store_sqlite_device.c). */
tk_err tk_store_sqlite_hook_agent_key_add(void *ctx, const struct tk_store_agent_key *key,
					  struct tk_diag *diag);
tk_err tk_store_sqlite_hook_agent_key_get(void *ctx, struct tk_span kid,
					  struct tk_store_agent_key *out, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_device_record(void *ctx, struct tk_span ueid, struct tk_span kid,
					  int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_installed_replace(void *ctx, struct tk_span ueid,
					      const struct tk_store_installed *items, size_t n,
					      int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_installed_each(void *ctx, struct tk_span ueid,
					   tk_store_installed_fn cb, void *cb_ctx,
					   struct tk_diag *diag);
tk_err tk_store_sqlite_hook_device_each(void *ctx, tk_store_device_fn cb, void *cb_ctx,
					struct tk_diag *diag);

/* Manifests and policies (tk_store_sqlite_manifest.c). */
tk_err tk_store_sqlite_hook_manifest_add(void *ctx, const struct tk_store_manifest *m,
					 int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_manifest_get(void *ctx, struct tk_span component_id,
					 struct tk_store_manifest *out,
					 struct tk_store_manifest_buf *buf, uint8_t *env,
					 size_t env_cap, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_manifest_each(void *ctx, tk_store_manifest_fn cb, void *cb_ctx,
					  struct tk_diag *diag);
tk_err tk_store_sqlite_hook_policy_add(void *ctx, struct tk_span component_id,
				       struct tk_span ueid, int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_policy_each(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
					void *cb_ctx, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_policy_remove(void *ctx, struct tk_span component_id,
					  struct tk_span ueid, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_policy_target_each(void *ctx, struct tk_span component_id,
					       tk_store_id_fn cb, void *cb_ctx,
					       struct tk_diag *diag);
tk_err tk_store_sqlite_hook_unrequired_add(void *ctx, struct tk_span component_id,
					   struct tk_span ueid, int64_t now,
					   struct tk_diag *diag);
tk_err tk_store_sqlite_hook_unrequired_each(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
					    void *cb_ctx, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_manifest_components_add(void *ctx, struct tk_span manifest_id,
						    uint64_t sequence,
						    const struct tk_span *component_ids,
						    size_t n, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_manifest_components_each(void *ctx, struct tk_span manifest_id,
						     tk_store_id_fn cb, void *cb_ctx,
						     struct tk_diag *diag);
tk_err tk_store_sqlite_hook_manifest_by_component_each(void *ctx,
						       struct tk_span component_id,
						       tk_store_id_fn cb, void *cb_ctx,
						       struct tk_diag *diag);

/* Sessions, Update manifests, results and audit (tk_store_sqlite_session.c). */
tk_err tk_store_sqlite_hook_session_add(void *ctx, const struct tk_store_session *ses,
					struct tk_diag *diag);
tk_err tk_store_sqlite_hook_session_use(void *ctx, enum tk_store_session_key by,
					struct tk_span key, int64_t now,
					struct tk_store_session *out, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_session_purge(void *ctx, int64_t now, uint64_t *removed,
					  struct tk_diag *diag);
tk_err tk_store_sqlite_hook_update_manifest_add(void *ctx, struct tk_span token,
						struct tk_span component_id, uint64_t sequence,
						struct tk_diag *diag);
tk_err tk_store_sqlite_hook_installed_from_update(void *ctx, struct tk_span token,
						  struct tk_span ueid, int64_t now,
						  struct tk_diag *diag);
tk_err tk_store_sqlite_hook_result_add(void *ctx, const struct tk_store_result *r,
				       struct tk_diag *diag);
tk_err tk_store_sqlite_hook_audit_add(void *ctx, int64_t now, const char *event,
				      const char *detail, struct tk_diag *diag);

/* SUIT report keys and SUIT reports (tk_store_sqlite_report.c). */
tk_err tk_store_sqlite_hook_report_key_set(void *ctx, const struct tk_store_report_key *key,
					   struct tk_diag *diag);
tk_err tk_store_sqlite_hook_report_key_get(void *ctx, struct tk_span agent_kid,
					   struct tk_store_report_key *out, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_suit_report_add(void *ctx, const struct tk_store_suit_report *r,
					    struct tk_diag *diag);
tk_err tk_store_sqlite_hook_suit_report_each(void *ctx, struct tk_span ueid, size_t limit,
					     tk_store_suit_report_fn cb, void *cb_ctx,
					     struct tk_diag *diag);

/* Attestation results, device groups and group policies (tk_store_sqlite_attest.c). */
tk_err tk_store_sqlite_hook_attestation_add(void *ctx, const struct tk_store_attestation *a,
					    struct tk_diag *diag);
tk_err tk_store_sqlite_hook_attestation_each(void *ctx, struct tk_span ueid, size_t limit,
					     tk_store_attestation_fn cb, void *cb_ctx,
					     struct tk_diag *diag);
tk_err tk_store_sqlite_hook_device_group_set(void *ctx, struct tk_span ueid, const char *group,
					     int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_device_group_get(void *ctx, struct tk_span ueid, char *out,
					     size_t out_cap, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_group_policy_set(void *ctx, const char *group, bool accept_warning,
					     int64_t now, struct tk_diag *diag);
tk_err tk_store_sqlite_hook_group_policy_get(void *ctx, const char *group, bool *accept_warning,
					     struct tk_diag *diag);

#endif /* TK_STORE_SQLITE_IMPL_H */
