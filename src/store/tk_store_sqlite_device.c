/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the SQLite store for agent keys, devices and the trusted
 * components each device reports as installed. Binding a UEID to an agent
 * key and recording the device run in one savepoint, so a UEID never ends up
 * bound to two keys. Shared helpers and struct sqlite_store are in
 * tk_store_sqlite_impl.h, and the ops table is in tk_store_sqlite.c.
 */
#include "store/tk_store_sqlite_impl.h"

#include <stdio.h>
#include <string.h>

/* Bytes of a kid shown in messages, as in `teep-tam show-devices` prefixes. */
#define KID_PREFIX_BYTES 8

tk_err tk_store_sqlite_hook_agent_key_add(void *ctx, const struct tk_store_agent_key *key,
					  struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO agent_keys (kid, alg, public_key, ueid, enrolled_at)"
			" VALUES (?, ?, ?, NULL, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, tk_span_make(key->kid, TK_STORE_KID_LEN));
	sqlite3_bind_int64(stmt, 2, key->alg);
	tk_store_sqlite_bind_bytes(stmt, 3, tk_span_make(key->pubkey, key->pubkey_len));
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

tk_err tk_store_sqlite_hook_agent_key_get(void *ctx, struct tk_span kid,
					  struct tk_store_agent_key *out, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	struct tk_store_agent_key key = {0};
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = tk_store_sqlite_prepare(s->db,
				      "SELECT alg, public_key, ueid, enrolled_at FROM agent_keys"
				      " WHERE kid = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, kid);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no agent key is enrolled with this kid");
	} else if (rc != SQLITE_ROW) {
		err = DB_FAIL(diag, s->db, "read agent key");
	} else {
		memcpy(key.kid, kid.ptr, TK_STORE_KID_LEN);
		key.alg = sqlite3_column_int64(stmt, 0);
		key.enrolled_at = sqlite3_column_int64(stmt, 3);
		err = tk_store_sqlite_copy_column(stmt, 1, key.pubkey, sizeof(key.pubkey),
						  &key.pubkey_len, diag);
		if (err == TK_OK)
			err = tk_store_sqlite_copy_column(stmt, 2, key.ueid, sizeof(key.ueid),
							  &key.ueid_len, diag);
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
	err = tk_store_sqlite_prepare(db,
			"INSERT INTO devices (ueid, first_seen, last_seen) VALUES (?, ?, ?)"
			" ON CONFLICT (ueid) DO UPDATE SET last_seen = excluded.last_seen",
			&stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, now);
	return tk_store_sqlite_step_done(db, stmt, diag);
}

/* Fail with TK_ERR_EXISTS when an agent key other than `kid` is bound to `ueid`. */
static tk_err check_ueid_unbound(sqlite3 *db, struct tk_span ueid, struct tk_span kid,
				 struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(db, "SELECT 1 FROM agent_keys WHERE ueid = ? AND kid <> ?",
				      &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	tk_store_sqlite_bind_bytes(stmt, 2, kid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = TK_FAIL(diag, TK_ERR_EXISTS, "UEID is bound to another agent key");
	else if (rc != SQLITE_DONE)
		err = DB_FAIL(diag, db, "read the agent key bound to a UEID");
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_device_record(void *ctx, struct tk_span ueid, struct tk_span kid,
					  int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = check_ueid_unbound(s->db, ueid, kid, diag);
	if (err == TK_OK)
		err = device_upsert(s->db, ueid, now, diag);
	if (err == TK_OK)
		err = tk_store_sqlite_prepare(s->db, "UPDATE agent_keys SET ueid = ? WHERE kid = ?",
					      &stmt, diag);
	if (err == TK_OK) {
		tk_store_sqlite_bind_bytes(stmt, 1, ueid);
		tk_store_sqlite_bind_bytes(stmt, 2, kid);
		err = tk_store_sqlite_step_done(s->db, stmt, diag);
	}
	if (err == TK_OK && sqlite3_changes(s->db) != 1)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no agent key is enrolled with this kid");

	return tk_store_sqlite_savepoint_end(s->db, err, diag);
}

static tk_err installed_insert(sqlite3 *db, struct tk_span ueid,
			       const struct tk_store_installed *item, int64_t now,
			       struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	/* A device listing one component twice keeps the last entry. */
	err = tk_store_sqlite_prepare(db,
			"INSERT INTO installed (ueid, component_id, sequence, digest,"
			" reported_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ueid, component_id)"
			" DO UPDATE SET sequence = excluded.sequence, digest = excluded.digest",
			&stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);
	tk_store_sqlite_bind_bytes(stmt, 2, item->component_id);
	if (item->has_sequence)
		sqlite3_bind_int64(stmt, 3, (int64_t)item->sequence);
	else
		sqlite3_bind_null(stmt, 3);
	tk_store_sqlite_bind_bytes_or_null(stmt, 4, item->digest);
	sqlite3_bind_int64(stmt, 5, now);
	return tk_store_sqlite_step_done(db, stmt, diag);
}

tk_err tk_store_sqlite_hook_installed_replace(void *ctx, struct tk_span ueid,
					      const struct tk_store_installed *items, size_t n,
					      int64_t now, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	if ((err = tk_store_sqlite_savepoint_begin(s->db, diag)) != TK_OK)
		return err;

	err = tk_store_sqlite_prepare(s->db, "DELETE FROM installed WHERE ueid = ?", &stmt, diag);
	if (err == TK_OK) {
		tk_store_sqlite_bind_bytes(stmt, 1, ueid);
		err = tk_store_sqlite_step_done(s->db, stmt, diag);
	}
	for (size_t i = 0; err == TK_OK && i < n; i++)
		err = installed_insert(s->db, ueid, &items[i], now, diag);

	return tk_store_sqlite_savepoint_end(s->db, err, diag);
}

tk_err tk_store_sqlite_hook_installed_each(void *ctx, struct tk_span ueid, tk_store_installed_fn cb,
					   void *cb_ctx, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db,
				      "SELECT component_id, sequence, digest FROM installed"
				      " WHERE ueid = ? ORDER BY component_id", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, ueid);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct tk_store_installed item = {
			.component_id = tk_store_sqlite_column_bytes(stmt, 0),
			.has_sequence = sqlite3_column_type(stmt, 1) != SQLITE_NULL,
			.sequence = (uint64_t)sqlite3_column_int64(stmt, 1),
			.digest = tk_store_sqlite_column_bytes(stmt, 2),
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

/* Columns: ueid, first_seen, last_seen, kid, kind, err_code, err_msg, received_at. */
static const char device_list_sql[] =
	"SELECT d.ueid, d.first_seen, d.last_seen,"
	" (SELECT k.kid FROM agent_keys k WHERE k.ueid = d.ueid ORDER BY k.kid LIMIT 1),"
	" r.kind, r.err_code, r.err_msg, r.received_at"
	" FROM devices d LEFT JOIN results r ON r.id ="
	" (SELECT MAX(r2.id) FROM results r2 WHERE r2.ueid = d.ueid)"
	" ORDER BY d.ueid";

tk_err tk_store_sqlite_hook_device_each(void *ctx, tk_store_device_fn cb, void *cb_ctx,
					struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	if ((err = tk_store_sqlite_prepare(s->db, device_list_sql, &stmt, diag)) != TK_OK)
		return err;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *msg = sqlite3_column_text(stmt, 6);
		struct tk_store_device dev = {
			.ueid = tk_store_sqlite_column_bytes(stmt, 0),
			.first_seen = sqlite3_column_int64(stmt, 1),
			.last_seen = sqlite3_column_int64(stmt, 2),
			.kid = tk_store_sqlite_column_bytes(stmt, 3),
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
