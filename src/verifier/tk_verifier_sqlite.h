/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the verifier's store (struct tk_verifier_store_ops),
 * plus the administration calls that teep-verifier's commands use. The
 * verifier has its own database file and schema, apart from the TAM's: the
 * two are run by different parties (an operator's TAM may delegate to a
 * data provider's verifier), and neither should need the other's tables.
 *
 * Tables (schema version 2, migrations in tk_verifier_sqlite.c):
 *   attest_keys       enrolled attestation keys of the simulated TEE, by
 *                     kid (RFC 9679 thumbprint), each bound to one UEID
 *   ek_cas            trusted EK CA certificates (DER) for the TPM backend
 *   reference_values  vendor, class, component, digest algorithm, digest
 *   sessions          id, nonce, expiry, used flag
 *   results           appraisal history: session, UEID, status, vector,
 *                     reason and the signed EAR
 *   ak_pending, ak_bindings  AK enrollment by credential activation
 *                     (version 2, see tk_verifier_sqlite_ak.c)
 *
 * The file is created with mode 0600. Every hook runs in its own
 * transaction; the session hooks use BEGIN IMMEDIATE, so two processes on
 * one file cannot both use a session.
 */
#ifndef TK_VERIFIER_SQLITE_H
#define TK_VERIFIER_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "verifier/tk_verifier.h"

/* Milliseconds a call waits for another process's lock before TK_ERR_DB. */
#define TK_VERIFIER_SQLITE_BUSY_MS 5000

/* An open database. Opaque. */
struct tk_verifier_sqlite;

/*
 * Open (create_missing: create with mode 0600 when absent) and migrate the
 * database at path. Caller owns *out, release with tk_verifier_sqlite_close().
 * ops gets the store hooks, valid while *out is open.
 */
TK_MUST_CHECK tk_err tk_verifier_sqlite_open(const char *path, bool create_missing,
					     struct tk_verifier_sqlite **out,
					     struct tk_verifier_store_ops *ops,
					     struct tk_diag *diag);

/* Close the database. NULL is ignored. */
void tk_verifier_sqlite_close(struct tk_verifier_sqlite *db);

/*
 * Enroll an attestation key: the same kid again with the same key and UEID
 * succeeds and changes nothing; with another UEID it fails with
 * TK_ERR_EXISTS.
 */
TK_MUST_CHECK tk_err tk_verifier_sqlite_key_add(struct tk_verifier_sqlite *db,
						const struct tk_verifier_attest_key *key,
						int64_t now, struct tk_diag *diag);

/* Add a trusted EK CA certificate (DER); the same one again changes nothing. */
TK_MUST_CHECK tk_err tk_verifier_sqlite_ek_ca_add(struct tk_verifier_sqlite *db,
						  struct tk_span der, int64_t now,
						  struct tk_diag *diag);

/*
 * Add a reference value; `source` names where it came from ("corim:<id>"
 * or "command line"). The same value again changes nothing.
 */
TK_MUST_CHECK tk_err tk_verifier_sqlite_refval_add(struct tk_verifier_sqlite *db,
						   const struct tk_verifier_refval *rv,
						   const char *source, int64_t now,
						   struct tk_diag *diag);

/* One row of the results history, as tk_verifier_sqlite_result_each gives it. */
struct tk_verifier_history_row {
	int64_t id;
	bool has_session;
	uint8_t session_id[TK_VERIFIER_SESSION_ID_LEN];
	struct tk_span ueid;       /* views valid during the callback */
	int64_t appraised_at;
	enum tk_verifier_tier status;
	struct tk_verifier_vector vector;
	const char *reason;
	struct tk_span ear;
};

/* Call fn for the newest `limit` results, newest first; fn's error stops it. */
TK_MUST_CHECK tk_err tk_verifier_sqlite_result_each(
	struct tk_verifier_sqlite *db, size_t limit,
	tk_err (*fn)(void *ctx, const struct tk_verifier_history_row *row),
	void *ctx, struct tk_diag *diag);

/*
 * Default maximum of rows in the results history. Each appraisal that
 * gives a result adds a row of a few hundred bytes plus the EAR. Once the
 * maximum is reached, adding a row deletes the oldest, so a client that
 * posts evidence in a loop cannot fill the disk.
 */
#define TK_VERIFIER_SQLITE_DEFAULT_MAX_RESULTS 100000

/* Set the maximum rows of the results history (at least 1). */
void tk_verifier_sqlite_set_max_results(struct tk_verifier_sqlite *db, uint64_t max_results);

/* One AK enrolled by credential activation; views valid during the callback. */
struct tk_verifier_ak_row {
	struct tk_span kid;            /* RFC 9679 thumbprint of the AK */
	struct tk_span ak_name;        /* TPM name: nameAlg || SHA-256 */
	struct tk_span ueid;
	struct tk_span ek_cert_digest; /* SHA-256 of the EK certificate */
	int64_t enrolled_at;
};

/* Call fn for each AK enrolled by activation, oldest first; fn's error stops it. */
TK_MUST_CHECK tk_err tk_verifier_sqlite_ak_each(
	struct tk_verifier_sqlite *db,
	tk_err (*fn)(void *ctx, const struct tk_verifier_ak_row *row), void *ctx,
	struct tk_diag *diag);

/* Count the rows of one of the tables listed above (TK_ERR_ARG otherwise). */
TK_MUST_CHECK tk_err tk_verifier_sqlite_count(struct tk_verifier_sqlite *db,
					      const char *table, uint64_t *out,
					      struct tk_diag *diag);

#endif /* TK_VERIFIER_SQLITE_H */
