/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interface of the teep-tam program: the command table type that
 * drives both argument parsing and the usage text, the parsed arguments,
 * and the helpers the commands share.
 *
 * Exit status: TAM_EXIT_OK (0) on success, TAM_EXIT_FAIL (1) when the work
 * failed, with "teep-tam: <what failed>: <value>: <reason>" on stderr, and
 * TAM_EXIT_USAGE (2) on misuse, with one line and the usage on stderr.
 */
#ifndef TAM_H
#define TAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "store/tk_store.h"

enum {
	TAM_EXIT_OK = 0,
	TAM_EXIT_FAIL = 1,
	TAM_EXIT_USAGE = 2,
};

/* Maximum options of one command, and values of one repeatable option. */
#define TAM_MAX_OPTIONS 16
#define TAM_MAX_VALUES 2

/*
 * Maximum size of a file the program reads (key, envelope), in bytes. An
 * envelope is sent whole in an Update, whose response limit is
 * TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE (1 MiB); 960 KiB leaves room for the
 * message and its signature around one envelope. Larger files fail with
 * TK_ERR_LIMIT_SIZE before they are parsed.
 */
#define TAM_MAX_FILE_SIZE (960u * 1024u)

/* One `--name [VALUE]` option of a command. */
struct tam_option {
	const char *name;    /* long name without "--" */
	const char *value;   /* placeholder in the usage ("FILE"), NULL for a flag */
	const char *help;    /* what the option sets, and its unit */
	unsigned min_count;  /* times it must be given (0: optional) */
	unsigned max_count;  /* times it may be given, 1..TAM_MAX_VALUES */
	int group;           /* nonzero: exactly one option of the group is given */
};

/* Values of one invocation. */
struct tam_args {
	const char *values[TAM_MAX_OPTIONS][TAM_MAX_VALUES]; /* "" for a flag */
	unsigned counts[TAM_MAX_OPTIONS];
	const char *operand;                                 /* or NULL */
};

struct tam_command;

typedef int (*tam_run_fn)(const struct tam_command *cmd, const struct tam_args *args);

struct tam_command {
	const char *name;
	const char *summary;         /* one line for the usage */
	const char *operand;         /* positional argument placeholder, or NULL */
	const struct tam_option *options;
	size_t option_count;
	tam_run_fn run;
};

/* Value of option `name` (the first when repeated), or NULL if not given. */
const char *tam_get(const struct tam_command *cmd, const struct tam_args *args,
		    const char *name);
/* Number of values given for option `name`. */
unsigned tam_count(const struct tam_command *cmd, const struct tam_args *args,
		   const char *name);
/* The i-th value of option `name`. */
const char *tam_get_at(const struct tam_command *cmd, const struct tam_args *args,
		       const char *name, unsigned i);

/* Print the usage of one command, or of all when cmd is NULL. */
void tam_usage(FILE *out, const struct tam_command *cmd);

/* "teep-tam: <cmd>: <message>" plus the command's usage on stderr; returns 2. */
int tam_misuse(const struct tam_command *cmd, const char *fmt, ...) TK_PRINTF(2, 3);

/*
 * "teep-tam: <what>: <value>: <diagnostic>" on stderr; returns 1. The
 * diagnostic names the code, its sentence and the values involved.
 */
int tam_fail(const char *what, const char *value, const struct tk_diag *diag);

/*
 * Read a whole file of at most TAM_MAX_FILE_SIZE bytes. Caller owns *out,
 * release with tam_free_file(), which wipes it (it may hold a key).
 */
TK_MUST_CHECK tk_err tam_read_file(const char *path, uint8_t **out, size_t *out_len,
				   struct tk_diag *diag);
void tam_free_file(uint8_t *buf, size_t len);

/*
 * Check that the file at path, which contains a private key, is not readable
 * or writable by group or others, as the agent and OpenSSH require.
 * TK_ERR_POLICY naming the mode otherwise.
 */
TK_MUST_CHECK tk_err tam_check_private_file(const char *path, struct tk_diag *diag);

/* Parse hex (no separators, either case) into out[0..out_cap). */
TK_MUST_CHECK tk_err tam_hex_parse(const char *hex, uint8_t *out, size_t out_cap,
				   size_t *out_len, struct tk_diag *diag);
/* Print bytes as lowercase hex on out. */
void tam_hex_print(FILE *out, struct tk_span bytes);

/* Print one CBOR item in diagnostic notation on out ("?" if it cannot). */
void tam_diag_print(FILE *out, struct tk_span item);

/* Format a time as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out[0..21). */
void tam_time_format(int64_t when, char out[21]);

/*
 * Open the SQLite store at path, reporting failures; returns an exit code.
 * tam_open_store() creates a missing database, tam_open_existing_store()
 * fails instead (for commands that read or that change policies).
 */
int tam_open_store(const char *path, struct tk_store *out);
int tam_open_existing_store(const char *path, struct tk_store *out);

/* The commands. */
int tam_serve(const struct tam_command *cmd, const struct tam_args *args);
int tam_enroll_agent(const struct tam_command *cmd, const struct tam_args *args);
int tam_add_manifest(const struct tam_command *cmd, const struct tam_args *args);
int tam_require(const struct tam_command *cmd, const struct tam_args *args);
int tam_unrequire(const struct tam_command *cmd, const struct tam_args *args);
int tam_show_devices(const struct tam_command *cmd, const struct tam_args *args);
int tam_show_manifests(const struct tam_command *cmd, const struct tam_args *args);
int tam_set_group(const struct tam_command *cmd, const struct tam_args *args);
int tam_set_policy(const struct tam_command *cmd, const struct tam_args *args);
int tam_show_results(const struct tam_command *cmd, const struct tam_args *args);
int tam_show_reports(const struct tam_command *cmd, const struct tam_args *args);

/*
 * Enroll the report key in the PEM file at path for the agent key with
 * agent_kid, and copy its kid (tam_report.c).
 */
TK_MUST_CHECK tk_err tam_enroll_report_key(const struct tk_store *st,
					   const uint8_t agent_kid[32], const char *path,
					   uint8_t report_kid[32], struct tk_diag *diag);

struct tk_crypto_key;

/*
 * Load serve's --decryption-key (or its older name --report-decryption-key),
 * NULL when not given; an exit code.
 */
int tam_load_report_decryption_key(const struct tam_command *cmd, const struct tam_args *args,
				   struct tk_crypto_key **out);

/*
 * Print the "group:" and "attestation:" lines of show-devices for one
 * device (its group, and its latest appraisal or "none").
 */
TK_MUST_CHECK tk_err tam_print_latest_attestation(const struct tk_store *st,
						  struct tk_span ueid, struct tk_diag *diag);

#endif /* TAM_H */
