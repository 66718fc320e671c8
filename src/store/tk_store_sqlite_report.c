/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the SQLite store for SUIT report records: the report key of
 * each agent key and the verified reports (tk_store_report.h). Shared
 * helpers and struct sqlite_store are in tk_store_sqlite_impl.h, and the
 * ops table is in tk_store_sqlite.c.
 */
#include "store/tk_store_sqlite_impl.h"

#include <string.h>

tk_err tk_store_sqlite_hook_report_key_set(void *ctx, const struct tk_store_report_key *key,
					   struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO agent_report_keys (agent_kid, report_kid, pubkey, enrolled_at)"
			" VALUES (?, ?, ?, ?) ON CONFLICT (agent_kid) DO UPDATE SET"
			" report_kid = excluded.report_kid, pubkey = excluded.pubkey,"
			" enrolled_at = excluded.enrolled_at", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, tk_span_make(key->agent_kid, TK_STORE_KID_LEN));
	tk_store_sqlite_bind_bytes(stmt, 2, tk_span_make(key->report_kid, TK_STORE_KID_LEN));
	tk_store_sqlite_bind_bytes(stmt, 3, tk_span_make(key->pubkey, key->pubkey_len));
	sqlite3_bind_int64(stmt, 4, key->enrolled_at);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

tk_err tk_store_sqlite_hook_report_key_get(void *ctx, struct tk_span agent_kid,
					   struct tk_store_report_key *out, struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	size_t len = 0;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db,
			"SELECT report_kid, pubkey, enrolled_at FROM agent_report_keys"
			" WHERE agent_kid = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, agent_kid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		memcpy(out->agent_kid, agent_kid.ptr, TK_STORE_KID_LEN);
		err = tk_store_sqlite_copy_column(stmt, 0, out->report_kid,
						  sizeof(out->report_kid), &len, diag);
		if (err == TK_OK)
			err = tk_store_sqlite_copy_column(stmt, 1, out->pubkey, sizeof(out->pubkey),
							  &out->pubkey_len, diag);
		out->enrolled_at = sqlite3_column_int64(stmt, 2);
	} else if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no report key enrolled for this agent key");
	} else {
		err = DB_FAIL(diag, s->db, "read a report key");
	}
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_store_sqlite_hook_suit_report_add(void *ctx, const struct tk_store_suit_report *r,
					    struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_store_sqlite_prepare(s->db,
			"INSERT INTO suit_reports (ueid, kid, token, manifest_digest, manifest_uri,"
			" success, result_code, reason, records, encrypted, report, received_at,"
			" boot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_store_sqlite_bind_bytes(stmt, 1, r->ueid);
	tk_store_sqlite_bind_bytes(stmt, 2, tk_span_make(r->kid, TK_STORE_KID_LEN));
	tk_store_sqlite_bind_bytes(stmt, 3, r->token);
	tk_store_sqlite_bind_bytes(stmt, 4, r->digest);
	sqlite3_bind_text(stmt, 5, r->uri.len > 0 ? (const char *)r->uri.ptr : "",
			  (int)r->uri.len, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 6, r->success ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, r->result_code);
	sqlite3_bind_int64(stmt, 8, (int64_t)r->reason);
	sqlite3_bind_int64(stmt, 9, r->record_count > INT64_MAX ? INT64_MAX
								: (int64_t)r->record_count);
	sqlite3_bind_int(stmt, 10, r->encrypted ? 1 : 0);
	tk_store_sqlite_bind_bytes(stmt, 11, r->report);
	sqlite3_bind_int64(stmt, 12, r->received_at);
	sqlite3_bind_int(stmt, 13, r->boot ? 1 : 0);
	return tk_store_sqlite_step_done(s->db, stmt, diag);
}

/*
 * Columns 0-13: id, ueid, kid, token, manifest_digest, manifest_uri,
 * success, result_code, reason, records, encrypted, report, received_at,
 * boot.
 * The window numbers each device's rows newest first, so `limit` applies
 * per device.
 */
static const char report_list_sql[] =
	"SELECT id, ueid, kid, token, manifest_digest, manifest_uri, success, result_code,"
	" reason, records, encrypted, report, received_at, boot FROM ("
	" SELECT *, ROW_NUMBER() OVER (PARTITION BY ueid ORDER BY id DESC) AS n"
	" FROM suit_reports WHERE ? = 0 OR ueid = ?)"
	" WHERE ? = 0 OR n <= ? ORDER BY ueid, id DESC";

static tk_err report_row(sqlite3_stmt *stmt, tk_store_suit_report_fn cb, void *cb_ctx,
			 struct tk_diag *diag)
{
	const unsigned char *uri = sqlite3_column_text(stmt, 5);
	struct tk_store_suit_report r = {
		.id = sqlite3_column_int64(stmt, 0),
		.ueid = tk_store_sqlite_column_bytes(stmt, 1),
		.token = tk_store_sqlite_column_bytes(stmt, 3),
		.digest = tk_store_sqlite_column_bytes(stmt, 4),
		.uri = uri != NULL ? tk_span_make(uri, (size_t)sqlite3_column_bytes(stmt, 5))
				   : TK_SPAN_EMPTY,
		.success = sqlite3_column_int(stmt, 6) != 0,
		.result_code = sqlite3_column_int64(stmt, 7),
		.reason = (uint64_t)sqlite3_column_int64(stmt, 8),
		.record_count = (uint64_t)sqlite3_column_int64(stmt, 9),
		.encrypted = sqlite3_column_int(stmt, 10) != 0,
		.report = tk_store_sqlite_column_bytes(stmt, 11),
		.received_at = sqlite3_column_int64(stmt, 12),
		.boot = sqlite3_column_int(stmt, 13) != 0,
	};
	size_t kid_len = 0;
	tk_err err;

	err = tk_store_sqlite_copy_column(stmt, 2, r.kid, sizeof(r.kid), &kid_len, diag);
	if (err != TK_OK)
		return err;
	return cb(cb_ctx, &r);
}

tk_err tk_store_sqlite_hook_suit_report_each(void *ctx, struct tk_span ueid, size_t limit,
					     tk_store_suit_report_fn cb, void *cb_ctx,
					     struct tk_diag *diag)
{
	struct sqlite_store *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_store_sqlite_prepare(s->db, report_list_sql, &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int(stmt, 1, ueid.len > 0 ? 1 : 0);
	tk_store_sqlite_bind_bytes(stmt, 2, ueid);
	sqlite3_bind_int64(stmt, 3, limit > 0 ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		err = report_row(stmt, cb, cb_ctx, diag);
		if (err != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = DB_FAIL(diag, s->db, "list SUIT reports");
	sqlite3_finalize(stmt);
	return err;
}
