/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Endorsements and reference values in the verifier's SQLite store:
 * enrolled attestation keys, trusted EK CA certificates and component
 * digests, with the hooks the appraisal reads them through and the calls
 * the admin commands add them with.
 */
#include "verifier/tk_verifier_sqlite_impl.h"

#include <stdio.h>
#include <string.h>

/* ---- attestation keys ---- */

tk_err tk_verifier_sqlite_hook_key_get(void *ctx, struct tk_span kid,
				       struct tk_verifier_attest_key *out,
				       struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	size_t kid_len = 0;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = tk_verifier_sqlite_prepare(s->db, "SELECT kid, cose_key, ueid FROM attest_keys "
					 "WHERE kid = ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, kid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		err = tk_verifier_sqlite_copy(stmt, 0, out->kid, sizeof(out->kid), &kid_len, diag);
		if (err == TK_OK)
			err = tk_verifier_sqlite_copy(stmt, 1, out->cose_key, sizeof(out->cose_key),
						      &out->cose_key_len, diag);
		if (err == TK_OK)
			err = tk_verifier_sqlite_copy(stmt, 2, out->ueid, sizeof(out->ueid),
						      &out->ueid_len, diag);
	} else if (rc == SQLITE_DONE) {
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no enrolled attestation key has this kid");
	} else {
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read key: %s", sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(stmt);
	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_verifier_sqlite_key_add(struct tk_verifier_sqlite *s,
				  const struct tk_verifier_attest_key *key, int64_t now,
				  struct tk_diag *diag)
{
	struct tk_verifier_attest_key stored;
	struct tk_diag local;
	sqlite3_stmt *stmt;
	tk_err err;

	if (key->ueid_len == 0 || key->ueid_len > sizeof(key->ueid) ||
	    key->cose_key_len == 0 || key->cose_key_len > sizeof(key->cose_key))
		return TK_FAIL(diag, TK_ERR_ARG, "key record with UEID of %zu bytes and "
			       "COSE_Key of %zu bytes", key->ueid_len, key->cose_key_len);

	/* The kid is the key's thumbprint: a stored row with it is this key. */
	tk_diag_clear(&local);
	err = tk_verifier_sqlite_hook_key_get(s, tk_span_make(key->kid, sizeof(key->kid)),
					      &stored, &local);
	if (err == TK_OK) {
		if (!tk_span_equal(tk_span_make(stored.ueid, stored.ueid_len),
				   tk_span_make(key->ueid, key->ueid_len)))
			return TK_FAIL(diag, TK_ERR_EXISTS, "the key is enrolled for another "
				       "UEID");
		return TK_OK;
	}
	if (err != TK_ERR_NOT_FOUND)
		return TK_FAIL(diag, err, "%s", local.msg);

	err = tk_verifier_sqlite_prepare(s->db, "INSERT INTO attest_keys (kid, cose_key, ueid, "
					 "enrolled_at) VALUES (?, ?, ?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, tk_span_make(key->kid, sizeof(key->kid)));
	tk_verifier_sqlite_bind(stmt, 2, tk_span_make(key->cose_key, key->cose_key_len));
	tk_verifier_sqlite_bind(stmt, 3, tk_span_make(key->ueid, key->ueid_len));
	sqlite3_bind_int64(stmt, 4, now);
	return tk_verifier_sqlite_step_done(s->db, stmt, diag);
}

/* ---- EK CA certificates ---- */

tk_err tk_verifier_sqlite_hook_ek_ca_get(void *ctx, size_t index,
					 struct tk_verifier_ek_ca *out,
					 struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt;
	tk_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	err = tk_verifier_sqlite_prepare(s->db, "SELECT der FROM ek_cas ORDER BY added_at, der "
					 "LIMIT 1 OFFSET ?", &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)index);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		err = tk_verifier_sqlite_copy(stmt, 0, out->der, sizeof(out->der), &out->der_len,
					      diag);
	else if (rc == SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no EK CA certificate %zu", index);
	else
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read EK CA: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	return err;
}

tk_err tk_verifier_sqlite_ek_ca_add(struct tk_verifier_sqlite *s, struct tk_span der,
				    int64_t now, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	if (der.len == 0 || der.len > TK_VERIFIER_CERT_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "certificate of %zu bytes, the "
			       "maximum is %u", der.len, (unsigned)TK_VERIFIER_CERT_MAX);
	err = tk_verifier_sqlite_prepare(s->db, "INSERT OR IGNORE INTO ek_cas (der, added_at) "
					 "VALUES (?, ?)", &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, der);
	sqlite3_bind_int64(stmt, 2, now);
	return tk_verifier_sqlite_step_done(s->db, stmt, diag);
}

/* ---- reference values ---- */

/* Copy a reference value row (vendor, class, component, digest_alg, digest). */
static tk_err refval_from_row(sqlite3_stmt *stmt, struct tk_verifier_refval *out,
			      struct tk_diag *diag)
{
	const unsigned char *vendor = sqlite3_column_text(stmt, 0);
	const unsigned char *class_name = sqlite3_column_text(stmt, 1);
	tk_err err;

	memset(out, 0, sizeof(*out));
	snprintf(out->vendor, sizeof(out->vendor), "%s", vendor != NULL ? (const char *)vendor : "");
	snprintf(out->class_name, sizeof(out->class_name), "%s",
		 class_name != NULL ? (const char *)class_name : "");
	out->digest_alg = sqlite3_column_int64(stmt, 3);
	err = tk_verifier_sqlite_copy(stmt, 2, out->component, sizeof(out->component),
				      &out->component_len, diag);
	if (err == TK_OK)
		err = tk_verifier_sqlite_copy(stmt, 4, out->digest, sizeof(out->digest),
					      &out->digest_len, diag);
	return err;
}

/*
 * Look at every reference value of the component: one with the same
 * algorithm and digest is a match; others make it a mismatch. Digests are
 * compared in constant time although both sides are public, so the rule for
 * digest comparisons has no exceptions.
 */
tk_err tk_verifier_sqlite_hook_refval_match(void *ctx, struct tk_span component,
					    int64_t digest_alg, struct tk_span digest,
					    enum tk_verifier_refval_match *match,
					    struct tk_verifier_refval *out,
					    struct tk_diag *diag)
{
	struct tk_verifier_sqlite *s = ctx;
	sqlite3_stmt *stmt;
	struct tk_span stored;
	tk_err err;
	int rc;

	*match = TK_VERIFIER_REFVAL_UNKNOWN;
	err = tk_verifier_sqlite_prepare(s->db, "SELECT vendor, class, component, digest_alg, "
					 "digest FROM reference_values WHERE component = ?",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	tk_verifier_sqlite_bind(stmt, 1, component);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*match = TK_VERIFIER_REFVAL_MISMATCH;
		stored = tk_verifier_sqlite_column(stmt, 4);
		if (sqlite3_column_int64(stmt, 3) != digest_alg || stored.len != digest.len ||
		    !tk_ct_equal(stored.ptr, digest.ptr, digest.len))
			continue;
		*match = TK_VERIFIER_REFVAL_MATCH;
		if (out != NULL)
			err = refval_from_row(stmt, out, diag);
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = TK_FAIL(diag, TK_ERR_DB, "sqlite: read reference values: %s",
			      sqlite3_errmsg(s->db));
	sqlite3_finalize(stmt);
	if (err != TK_OK)
		*match = TK_VERIFIER_REFVAL_UNKNOWN;
	return err;
}

tk_err tk_verifier_sqlite_refval_add(struct tk_verifier_sqlite *s,
				     const struct tk_verifier_refval *rv, const char *source,
				     int64_t now, struct tk_diag *diag)
{
	sqlite3_stmt *stmt;
	tk_err err;

	if (rv->component_len == 0 || rv->component_len > sizeof(rv->component) ||
	    rv->digest_len == 0 || rv->digest_len > sizeof(rv->digest) ||
	    memchr(rv->vendor, '\0', sizeof(rv->vendor)) == NULL ||
	    memchr(rv->class_name, '\0', sizeof(rv->class_name)) == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "reference value with component of %zu bytes "
			       "and digest of %zu bytes", rv->component_len, rv->digest_len);
	err = tk_verifier_sqlite_prepare(s->db, "INSERT OR IGNORE INTO reference_values "
					 "(vendor, class, component, digest_alg, digest, "
					 "source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
					 &stmt, diag);
	if (err != TK_OK)
		return err;
	sqlite3_bind_text(stmt, 1, rv->vendor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, rv->class_name, -1, SQLITE_TRANSIENT);
	tk_verifier_sqlite_bind(stmt, 3, tk_span_make(rv->component, rv->component_len));
	sqlite3_bind_int64(stmt, 4, rv->digest_alg);
	tk_verifier_sqlite_bind(stmt, 5, tk_span_make(rv->digest, rv->digest_len));
	sqlite3_bind_text(stmt, 6, source != NULL ? source : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 7, now);
	return tk_verifier_sqlite_step_done(s->db, stmt, diag);
}
