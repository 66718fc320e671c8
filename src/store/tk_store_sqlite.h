/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the TAM store (tk_store.h). One database file, opened in
 * WAL mode so admin commands can read while the TAM serves, with foreign
 * keys on and a busy timeout so concurrent writers wait instead of failing.
 * Opening applies the schema migrations of tk_store_schema.h that the file
 * lacks, each in its own transaction.
 *
 * One store serves one thread at a time; the TAM program serialises calls.
 */
#ifndef TK_STORE_SQLITE_H
#define TK_STORE_SQLITE_H

#include "store/tk_store.h"

/*
 * How long a call waits for another connection's write lock before failing
 * with TK_ERR_DB, in milliseconds. Admin commands and the TAM share a file;
 * a few seconds covers any single transaction of theirs.
 */
#define TK_STORE_SQLITE_BUSY_MS 5000

/*
 * Open (creating if needed, mode 0600) the database at path and migrate it
 * to the current schema. On success *out holds the store; caller owns it,
 * release with tk_store_sqlite_close(). On failure *out is {NULL, NULL}.
 */
TK_MUST_CHECK tk_err tk_store_sqlite_open(const char *path, struct tk_store *out,
					  struct tk_diag *diag);

/*
 * Open an existing teepkit database at path, as tk_store_sqlite_open() does,
 * but never create one: TK_ERR_NOT_FOUND when the file does not exist, and
 * TK_ERR_DB when it is not an SQLite database or has no teepkit schema.
 * For commands that only read or that change records of an existing TAM.
 */
TK_MUST_CHECK tk_err tk_store_sqlite_open_existing(const char *path, struct tk_store *out,
						   struct tk_diag *diag);

/* Close a store opened by tk_store_sqlite_open(); a rolled-back transaction
 * is discarded. Accepts a store whose ctx is NULL. */
void tk_store_sqlite_close(struct tk_store *st);

/* Schema version of the open database (for tests and diagnostics). */
TK_MUST_CHECK tk_err tk_store_sqlite_version(const struct tk_store *st, int64_t *out,
					     struct tk_diag *diag);

#endif /* TK_STORE_SQLITE_H */
