/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the SQLite store for registered manifests and the policies that
 * require them on a device or on every device. A new manifest must carry a
 * sequence number above every stored one for its manifest component id, and
 * a policy may only name a registered manifest. The component ids a
 * manifest installs are stored beside it, because devices report and
 * request components by those ids. Shared helpers are in
 * tk_store_sqlite_impl.h, and the ops table is in tk_store_sqlite.c.
 */
#include "store/tk_store_sqlite_impl.h"

#include <string.h>

/* Highest sequence number stored for a component id; *found false if none. */
static tk_err manifest_max_sequence(sqlite3 *db, struct tk_span component_id,
				    bool *found, int64_t *max, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	*found = false;
	*max = 0;
	err = tk_store_sqlite_prepare(db,
				      "SELECT MAX(sequence) FROM manifests WHERE component_id = ?",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, component_id);
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

tk_err tk_store_sqlite_hook_manifest_add(void *ctx, const struct tk_store_manifest *m,
					 int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	bool found;
	int64_t max;
	tk_err err;

	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
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
		err = tk_store_sqlite_prepare(s->db,
				"INSERT INTO manifests (component_id, sequence, digest,"
				" image_digest, envelope, added_at) VALUES (?, ?, ?, ?, ?, ?)",
				&stmt, diag);
	if (err == TK_OK) {
		tk_store_sqlite_bind_bytes(stmt, 1, m->component_id);
		sqlite3_bind_int64(stmt, 2, (int64_t)m->sequence);
		tk_store_sqlite_bind_bytes(stmt, 3, m->digest);
		tk_store_sqlite_bind_bytes_or_null(stmt, 4, m->image_digest);
		tk_store_sqlite_bind_bytes(stmt, 5, m->envelope);
		sqlite3_bind_int64(stmt, 6, now);
		err = tk_store_sqlite_step_done(s->db, stmt, diag);
	}

	return tk_store_sqlite_savepoint_end(s->db, err, diag);
}

tk_err tk_store_sqlite_hook_manifest_get(void *ctx, struct tk_span component_id,
					 struct tk_store_manifest *out,
					 struct tk_store_manifest_buf *buf, uint8_t *env,
					 size_t env_cap, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	size_t digest_len = 0, image_digest_len = 0, env_len = 0;
	sqlite3_stmt *stmt;
	int64_t sequence = 0;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = tk_store_sqlite_prepare(s->db,
			"SELECT sequence, digest, envelope, image_digest FROM manifests"
			" WHERE component_id = ? ORDER BY sequence DESC LIMIT 1", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, component_id);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND,
			      "no manifest is registered for this component id");
	} else if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, s->db, "read manifest");
	} else {
		sequence = sqlite3_column_int64(stmt, 0);
		err = tk_store_sqlite_copy_column(stmt, 1, buf->digest, sizeof(buf->digest),
						  &digest_len, diag);
		if (err == TK_OK)
			err = tk_store_sqlite_copy_column(stmt, 3, buf->image_digest,
							  sizeof(buf->image_digest),
							  &image_digest_len, diag);
		if (err == TK_OK && env != NULL &&
		    (size_t)sqlite3_column_bytes(stmt, 2) > env_cap)
			err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
				      "envelope of %d bytes exceeds the buffer of %zu",
				      sqlite3_column_bytes(stmt, 2), env_cap);
		if (err == TK_OK && env != NULL)
			err = tk_store_sqlite_copy_column(stmt, 2, env, env_cap, &env_len, diag);
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

tk_err tk_store_sqlite_hook_policy_add(void *ctx, struct tk_span component_id, struct tk_span ueid,
				       int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	bool found;
	int64_t max;
	tk_err err;

	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = manifest_max_sequence(s->db, component_id, &found, &max, diag);
	if (err == TK_OK && !found)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND,
			      "no manifest is registered for this component id");
	if (err == TK_OK)
		err = tk_store_sqlite_prepare(s->db,
				"INSERT INTO policies (component_id, ueid, added_at)"
				" VALUES (?, ?, ?) ON CONFLICT (component_id, ueid) DO NOTHING",
				&stmt, diag);
	if (err == TK_OK) {
		tk_store_sqlite_bind_bytes(stmt, 1, component_id);
		tk_store_sqlite_bind_bytes(stmt, 2, ueid);
		sqlite3_bind_int64(stmt, 3, now);
		err = tk_store_sqlite_step_done(s->db, stmt, diag);
	}

	return tk_store_sqlite_savepoint_end(s->db, err, diag);
}

tk_err tk_store_sqlite_hook_policy_each(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
					void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	/* A zero-length ueid is the "every device" policy. */
	err = tk_store_sqlite_prepare(s->db,
				      "SELECT DISTINCT component_id FROM policies"
				      " WHERE ueid = ? OR length(ueid) = 0 ORDER BY component_id",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, tk_store_sqlite_column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list policies");
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_policy_remove(void *ctx, struct tk_span component_id,
					  struct tk_span ueid, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
				      "DELETE FROM policies WHERE component_id = ? AND ueid = ?",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, component_id);
	tk_store_sqlite_bind_bytes(stmt, 2, ueid);
	if ((err = tk_store_sqlite_step_done(s->db, stmt, diag)) != TK_OK)
		return err;
	if (sqlite3_changes(s->db) == 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no policy requires this manifest on %s",
			       ueid.len > 0 ? "this device" : "every device");
	return TK_OK;
}

tk_err tk_store_sqlite_hook_manifest_each(void *ctx, tk_store_manifest_fn cb, void *cb_ctx,
					  struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db,
			"SELECT component_id, sequence, digest, image_digest, added_at"
			" FROM manifests ORDER BY component_id, sequence", &stmt, diag);
	if (err != TK_OK)
		return err;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct tk_store_manifest m = {
			.component_id = tk_store_sqlite_column_bytes(stmt, 0),
			.sequence = (uint64_t)sqlite3_column_int64(stmt, 1),
			.digest = tk_store_sqlite_column_bytes(stmt, 2),
			.image_digest = tk_store_sqlite_column_bytes(stmt, 3),
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

tk_err tk_store_sqlite_hook_policy_target_each(void *ctx, struct tk_span component_id,
					       tk_store_id_fn cb, void *cb_ctx,
					       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db,
			"SELECT ueid FROM policies WHERE component_id = ? ORDER BY ueid",
			&stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, component_id);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, tk_store_sqlite_column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list policy devices");
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_unrequired_add(void *ctx, struct tk_span component_id,
					   struct tk_span ueid, int64_t now,
					   struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO unrequired (component_id, ueid, removed_at) VALUES (?, ?, ?)"
			" ON CONFLICT (component_id, ueid) DO UPDATE SET removed_at = excluded.removed_at",
			&stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, component_id);
	tk_store_sqlite_bind_bytes(stmt, 2, ueid);
	sqlite3_bind_int64(stmt, 3, now);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_unrequired_each(void *ctx, struct tk_span ueid, tk_store_id_fn cb,
					    void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	/* A zero-length ueid is the row for every device, in both tables. */
	err = tk_store_sqlite_prepare(s->db,
			"SELECT DISTINCT u.component_id FROM unrequired u"
			" WHERE (u.ueid = ? OR length(u.ueid) = 0)"
			" AND EXISTS (SELECT 1 FROM manifests m"
			"  WHERE m.component_id = u.component_id)"
			" AND NOT EXISTS (SELECT 1 FROM policies p"
			"  WHERE p.component_id = u.component_id"
			"  AND (p.ueid = ? OR length(p.ueid) = 0))"
			" ORDER BY u.component_id", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	tk_store_sqlite_bind_bytes(stmt, 2, ueid);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, tk_store_sqlite_column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list removed policies");
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_manifest_components_add(void *ctx, struct tk_span manifest_id,
						    uint64_t sequence,
						    const struct tk_span *component_ids,
						    size_t n, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt = NULL;
	tk_err err;
	int rc;

	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = tk_store_sqlite_prepare(s->db,
			"SELECT 1 FROM manifests WHERE component_id = ? AND sequence = ?",
			&stmt, diag);
	if (err == TK_OK) {
		tk_store_sqlite_bind_bytes(stmt, 1, manifest_id);
		sqlite3_bind_int64(stmt, 2, (int64_t)sequence);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_DONE)
			err = TK_FAIL(diag, TK_ERR_NOT_FOUND,
				      "no manifest is registered for this component id"
				      " with sequence number %llu", (unsigned long long)sequence);
		else if (rc != SQLITE_ROW)
			err = DB_FAIL(diag, s->db, "read manifest");
		sqlite3_finalize(stmt);
	}

	for (size_t i = 0; err == TK_OK && i < n; i++) {
		err = tk_store_sqlite_prepare(s->db,
				"INSERT INTO manifest_components (manifest_component_id, sequence,"
				" component_id) VALUES (?, ?, ?)", &stmt, diag);
		if (err != TK_OK)
			break;
		tk_store_sqlite_bind_bytes(stmt, 1, manifest_id);
		sqlite3_bind_int64(stmt, 2, (int64_t)sequence);
		tk_store_sqlite_bind_bytes(stmt, 3, component_ids[i]);
		rc = sqlite3_step(stmt);
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			err = TK_FAIL(diag, TK_ERR_EXISTS,
				      "component id %zu is recorded for this manifest already", i);
		else if (rc != SQLITE_DONE)
			err = DB_FAIL(diag, s->db, "record manifest component");
		sqlite3_finalize(stmt);
	}

	return tk_store_sqlite_savepoint_end(s->db, err, diag);
}

/* Run a query with one blob parameter and pass column 0 of each row to cb. */
static tk_err list_ids(sqlite3 *db, const char *sql, struct tk_span param,
		       tk_store_id_fn cb, void *cb_ctx, const char *what,
		       struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	if ((err = tk_store_sqlite_prepare(db, sql, &stmt, diag)) != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, param);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = cb(cb_ctx, tk_store_sqlite_column_bytes(stmt, 0));
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, db, what);
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_manifest_components_each(void *ctx, struct tk_span manifest_id,
						     tk_store_id_fn cb, void *cb_ctx,
						     struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;

	return list_ids(s->db,
			"SELECT c.component_id FROM manifest_components c"
			" WHERE c.manifest_component_id = ?1 AND c.sequence ="
			" (SELECT MAX(m.sequence) FROM manifests m WHERE m.component_id = ?1)"
			" ORDER BY c.component_id",
			manifest_id, cb, cb_ctx, "list manifest components", diag);
}

tk_err tk_store_sqlite_hook_manifest_by_component_each(void *ctx,
						       struct tk_span component_id,
						       tk_store_id_fn cb, void *cb_ctx,
						       struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;

	return list_ids(s->db,
			"SELECT c.manifest_component_id FROM manifest_components c"
			" WHERE c.component_id = ? AND c.sequence ="
			" (SELECT MAX(m.sequence) FROM manifests m"
			" WHERE m.component_id = c.manifest_component_id)"
			" ORDER BY c.manifest_component_id",
			component_id, cb, cb_ctx, "list manifests by component", diag);
}
