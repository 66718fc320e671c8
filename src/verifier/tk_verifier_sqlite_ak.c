/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite hooks of AK enrollment by credential activation (tk_verifier_ak.h)
 * and the schema version that adds its tables:
 *   ak_pending   pending enrollments: id, the AK (kid, COSE_Key, name), UEID,
 *                SHA-256 of the EK certificate and of the secret, expiry,
 *                used flag. Single use, like sessions.
 *   ak_bindings  AKs enrolled by activation, by kid: name, UEID, SHA-256 of
 *                the EK certificate they were activated with, time.
 * An enrolled AK also gets its attest_keys row, so appraisal finds it as
 * it finds a key an administrator enrolled.
 */
#include <string.h>

#include "tk_verifier_sqlite_impl.h"
#include "verifier/tk_verifier_ak.h"

const char tk_verifier_sqlite_migration_2[] =
	"CREATE TABLE ak_pending ("
	" id BLOB NOT NULL PRIMARY KEY,"
	" kid BLOB NOT NULL,"
	" cose_key BLOB NOT NULL,"
	" ueid BLOB NOT NULL,"
	" ak_name BLOB NOT NULL,"
	" ek_cert_digest BLOB NOT NULL,"
	" secret_digest BLOB NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" used SMALLINT NOT NULL DEFAULT 0);"
	"CREATE INDEX ak_pending_expires ON ak_pending (expires_at);"

	"CREATE TABLE ak_bindings ("
	" kid BLOB NOT NULL PRIMARY KEY,"
	" ak_name BLOB NOT NULL,"
	" ueid BLOB NOT NULL,"
	" ek_cert_digest BLOB NOT NULL,"
	" enrolled_at BIGINT NOT NULL);";

static tk_err count_live(sqlite3 *db, int64_t now, uint64_t *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_verifier_sqlite_prepare(db, "SELECT COUNT(*) FROM ak_pending WHERE used = 0 "
					 "AND expires_at > ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(stmt, 0);
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: count AK enrollments: %s",
			      sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

static tk_err delete_dead(sqlite3 *db, int64_t now, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_verifier_sqlite_prepare(db, "DELETE FROM ak_pending WHERE used = 1 OR "
					 "expires_at <= ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, now);
	return tk_verifier_sqlite_step_done(db, stmt, diag);
}

static tk_err insert_pending(sqlite3 *db, const struct tk_verifier_ak_pending *p,
			     struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	err = tk_verifier_sqlite_prepare(db, "INSERT INTO ak_pending (id, kid, cose_key, ueid, "
					 "ak_name, ek_cert_digest, secret_digest, expires_at) "
					 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, tk_span_make(p->id, sizeof(p->id)));
	tk_verifier_sqlite_bind(stmt, 2, tk_span_make(p->key.kid, sizeof(p->key.kid)));
	tk_verifier_sqlite_bind(stmt, 3, tk_span_make(p->key.cose_key, p->key.cose_key_len));
	tk_verifier_sqlite_bind(stmt, 4, tk_span_make(p->key.ueid, p->key.ueid_len));
	tk_verifier_sqlite_bind(stmt, 5, tk_span_make(p->ak_name, sizeof(p->ak_name)));
	tk_verifier_sqlite_bind(stmt, 6, tk_span_make(p->ek_cert_digest,
						       sizeof(p->ek_cert_digest)));
	tk_verifier_sqlite_bind(stmt, 7, tk_span_make(p->secret_digest,
						       sizeof(p->secret_digest)));
	sqlite3_bind_int64(stmt, 8, p->expires_at);
	return tk_verifier_sqlite_step_done(db, stmt, diag);
}

tk_err tk_verifier_sqlite_hook_ak_pending_add(void *ctx,
					      const struct tk_verifier_ak_pending *pending,
					      int64_t now, size_t max_pending,
					      struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	uint64_t live = 0;
	tk_err err;

	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	/* Used and expired rows go first, so the table stays bounded by max_pending. */
	err = delete_dead(s->db, now, diag);
	if (err == TK_OK)
		err = count_live(s->db, now, &live, diag);
	if (err == TK_OK && live >= max_pending)
		err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%llu AK enrollments are pending, maximum "
			      "%zu", (unsigned long long)live, max_pending);
	if (err == TK_OK)
		err = insert_pending(s->db, pending, diag);
	return tk_verifier_sqlite_end(s->db, err, diag);
}

/* Copy the columns of a pending row (SELECT order of take_locked). */
static tk_err read_pending(sqlite3_stmt *stmt, struct tk_verifier_ak_pending *out,
			   struct tk_diag *diag)
{
	size_t len = 0;
	tk_err err;

	err = tk_verifier_sqlite_copy(stmt, 0, out->key.kid, sizeof(out->key.kid), &len, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 1, out->key.cose_key, sizeof(out->key.cose_key),
					      &out->key.cose_key_len, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 2, out->key.ueid, sizeof(out->key.ueid),
					      &out->key.ueid_len, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 3, out->ak_name, sizeof(out->ak_name), &len,
					      diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 4, out->ek_cert_digest,
					      sizeof(out->ek_cert_digest), &len, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 5, out->secret_digest,
					      sizeof(out->secret_digest), &len, diag);
	out->expires_at = sqlite3_column_int64(stmt, 6);
	return err;
}

static tk_err take_locked(sqlite3 *db, struct tk_span id, int64_t now,
			  struct tk_verifier_ak_pending *out, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	bool used = false;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(db, "SELECT kid, cose_key, ueid, ak_name, "
					 "ek_cert_digest, secret_digest, expires_at, used "
					 "FROM ak_pending WHERE id = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		err = read_pending(stmt, out, diag);
		used = sqlite3_column_int(stmt, 7) != 0;
	} else {
		err = rc == SQLITE_DONE ? TK_FAIL(diag, TK_ERR_NOT_FOUND, "no such AK enrollment")
					: TK_FAIL(diag, TK_ERR_DB, "sqlite: read AK enrollment: %s",
						  sqlite3_errmsg(db));
	}
	sqlite3_finalize(stmt);
	if (err == TK_OK && used)
		err = TK_FAIL(diag, TK_ERR_REPLAY, "AK enrollment already used");
	if (err == TK_OK && now >= out->expires_at)
		err = TK_FAIL(diag, TK_ERR_EXPIRED, "AK enrollment expired %lld seconds ago",
			      (long long)(now - out->expires_at));
	if (err != TK_OK)
		return err;

	err = tk_verifier_sqlite_prepare(db, "UPDATE ak_pending SET used = 1 WHERE id = ?",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, id);
	return tk_verifier_sqlite_step_done(db, stmt, diag);
}

tk_err tk_verifier_sqlite_hook_ak_pending_take(void *ctx, const uint8_t *id, int64_t now,
					       struct tk_verifier_ak_pending *out,
					       struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	err = take_locked(s->db, tk_span_make(id, TK_VERIFIER_AK_ID_LEN), now, out, diag);
	err = tk_verifier_sqlite_end(s->db, err, diag);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	else
		memcpy(out->id, id, TK_VERIFIER_AK_ID_LEN);
	return err;
}

/*
 * Fail with TK_ERR_POLICY when an AK enrolled by activation binds the UEID
 * of p to another EK certificate, so that a TPM cannot claim the UEID of
 * another device.
 */
static tk_err check_ueid_ek(sqlite3 *db, const struct tk_verifier_ak_pending *p,
			    struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(db, "SELECT 1 FROM ak_bindings WHERE ueid = ? AND "
					 "ek_cert_digest != ? LIMIT 1", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, tk_span_make(p->key.ueid, p->key.ueid_len));
	tk_verifier_sqlite_bind(stmt, 2, tk_span_make(p->ek_cert_digest,
						       sizeof(p->ek_cert_digest)));
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = TK_FAIL(diag, TK_ERR_POLICY, "the UEID is bound to an AK of another EK "
			      "certificate: one TPM cannot enroll an AK for another device's UEID");
	else if (rc != SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read AK bindings of the UEID: %s",
			      sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_verifier_sqlite_hook_ak_enroll(void *ctx, const struct tk_verifier_ak_pending *p,
					 int64_t now, struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt = NULL;
	tk_err err;

	if ((err = tk_verifier_sqlite_exec(s->db, "BEGIN IMMEDIATE", diag)) != TK_OK)
		return err;
	err = check_ueid_ek(s->db, p, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_key_add(s, &p->key, now, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_prepare(s->db, "INSERT OR REPLACE INTO ak_bindings (kid, "
						 "ak_name, ueid, ek_cert_digest, enrolled_at) "
						 "VALUES (?, ?, ?, ?, ?)", &stmt, diag);
	if (err == TK_OK) {
		tk_verifier_sqlite_bind(stmt, 1, tk_span_make(p->key.kid, sizeof(p->key.kid)));
		tk_verifier_sqlite_bind(stmt, 2, tk_span_make(p->ak_name, sizeof(p->ak_name)));
		tk_verifier_sqlite_bind(stmt, 3, tk_span_make(p->key.ueid, p->key.ueid_len));
		tk_verifier_sqlite_bind(stmt, 4, tk_span_make(p->ek_cert_digest,
							       sizeof(p->ek_cert_digest)));
		sqlite3_bind_int64(stmt, 5, now);
		err = tk_verifier_sqlite_step_done(s->db, stmt, diag);
	}
	return tk_verifier_sqlite_end(s->db, err, diag);
}

tk_err tk_verifier_sqlite_hook_ak_binding_get(void *ctx, struct tk_span kid,
					      uint8_t ek_cert_digest[32], struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt;
	size_t len = 0;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(s->db, "SELECT ek_cert_digest FROM ak_bindings "
					 "WHERE kid = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, kid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = tk_verifier_sqlite_copy(stmt, 0, ek_cert_digest, 32, &len, diag);
	else if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "the AK was not enrolled by activation");
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read AK binding: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	if (err == TK_OK && len != 32)
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "stored EK digest of %zu bytes", len);
	return err;
}

tk_err tk_verifier_sqlite_ak_each(struct tk_verifier_sqlite *s,
				  tk_err (*fn)(void *ctx, const struct tk_verifier_ak_row *row),
				  void *ctx, struct tk_diag *diag)
{
	struct tk_verifier_ak_row row;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	err = tk_verifier_sqlite_prepare(s->db, "SELECT kid, ak_name, ueid, ek_cert_digest, "
					 "enrolled_at FROM ak_bindings ORDER BY enrolled_at, kid",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row.kid = tk_verifier_sqlite_column(stmt, 0);
		row.ak_name = tk_verifier_sqlite_column(stmt, 1);
		row.ueid = tk_verifier_sqlite_column(stmt, 2);
		row.ek_cert_digest = tk_verifier_sqlite_column(stmt, 3);
		row.enrolled_at = sqlite3_column_int64(stmt, 4);
		if ((err = fn(ctx, &row)) != TK_OK)
			break;
	}
	if (err == TK_OK && rc != SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read AK bindings: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	return err;
}
