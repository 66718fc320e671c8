/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interface of the teep-verifier program: the command table that
 * drives both argument parsing and the usage text, and the helpers the
 * commands share.
 *
 * Exit status: VER_EXIT_OK (0) on success, VER_EXIT_FAIL (1) when the work
 * failed, with "teep-verifier: <what failed>: <value>: <reason>" on
 * stderr, and VER_EXIT_USAGE (2) on misuse, with one line and the usage on
 * stderr.
 */
#ifndef VERIFIER_H
#define VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "verifier/tk_verifier_sqlite.h"

enum {
	VER_EXIT_OK = 0,
	VER_EXIT_FAIL = 1,
	VER_EXIT_USAGE = 2,
};

/* Maximum options of one command. */
#define VER_MAX_OPTIONS 10

/*
 * Maximum size of a file the program reads (key, certificate, CoRIM), in
 * bytes; larger files fail with TK_ERR_LIMIT_SIZE before they are parsed.
 * A CoRIM with many reference values stays far below it.
 */
#define VER_MAX_FILE_SIZE (256u * 1024u)

/* One `--name [VALUE]` option of a command. */
struct ver_option {
	const char *name;   /* long name without "--" */
	const char *value;  /* placeholder in the usage ("FILE"), NULL for a flag */
	const char *help;   /* what the option sets, and its unit */
	bool required;
	int group;          /* nonzero: exactly one option of the group is given */
};

/* Values of one invocation: NULL where an option was not given. */
struct ver_args {
	const char *values[VER_MAX_OPTIONS];
	const char *operand;
};

struct ver_command;
typedef int (*ver_run_fn)(const struct ver_command *cmd, const struct ver_args *args);

struct ver_command {
	const char *name;
	const char *summary;
	const char *operand;  /* positional argument placeholder, or NULL */
	const struct ver_option *options;
	size_t option_count;
	ver_run_fn run;
};

/* Value of option `name`, or NULL if not given. */
const char *ver_get(const struct ver_command *cmd, const struct ver_args *args,
		    const char *name);

/* "teep-verifier: <cmd>: <message>" plus the command's usage on stderr; returns 2. */
int ver_misuse(const struct ver_command *cmd, const char *fmt, ...) TK_PRINTF(2, 3);

/* "teep-verifier: <what>: <value>: <diagnostic>" on stderr; returns 1. */
int ver_fail(const char *what, const char *value, const struct tk_diag *diag);

/* Read a whole file of at most VER_MAX_FILE_SIZE bytes. Caller owns *out,
 * release with ver_free_file(), which wipes it (it may hold a key). */
TK_MUST_CHECK tk_err ver_read_file(const char *path, uint8_t **out, size_t *out_len,
				   struct tk_diag *diag);
void ver_free_file(uint8_t *buf, size_t len);

/* Read a PEM key; want_private requires a private part, else refuses one. */
TK_MUST_CHECK tk_err ver_read_key(const char *path, bool want_private,
				  struct tk_crypto_key **out, struct tk_diag *diag);

/* Parse hex (no separators, either case) into out[0..out_cap). */
TK_MUST_CHECK tk_err ver_hex_parse(const char *hex, uint8_t *out, size_t out_cap,
				   size_t *out_len, struct tk_diag *diag);
void ver_hex_print(FILE *out, struct tk_span bytes);

/* Format a time as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out[0..21). */
void ver_time_format(int64_t when, char out[21]);

/* Open the database (create_missing: create it 0600); returns an exit code. */
int ver_open_db(const char *path, bool create_missing, struct tk_verifier_sqlite **db,
		struct tk_verifier_store_ops *ops);

/* The commands. */
int ver_serve(const struct ver_command *cmd, const struct ver_args *args);
int ver_add_ca(const struct ver_command *cmd, const struct ver_args *args);
int ver_enroll_key(const struct ver_command *cmd, const struct ver_args *args);
int ver_add_reference(const struct ver_command *cmd, const struct ver_args *args);
int ver_show_results(const struct ver_command *cmd, const struct ver_args *args);
int ver_pubkey(const struct ver_command *cmd, const struct ver_args *args);
int ver_show_aks(const struct ver_command *cmd, const struct ver_args *args);

#endif /* VERIFIER_H */
