/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared parts of the teep-agent program: the command table types, option
 * parsing, error reporting and TEE opening. Each subcommand lives in its
 * own agent_cmd_*.c file, and teep_agent_main.c contains the table and main().
 */
#ifndef AGENT_CLI_H
#define AGENT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/tk_err.h"
#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"

#define PROGRAM "teep-agent"

/* The project version, from CMake. */
#ifndef TK_AGENT_VERSION
#error "TK_AGENT_VERSION must be defined by the build"
#endif
#define PROGRAM_VERSION TK_AGENT_VERSION

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Maximum values of one repeatable option (--tam-key, --trust-anchor, --request). */
#define MAX_VALUES 8

/* Maximum options of one command. */
#define MAX_OPTIONS 14

/* Largest PEM file read, in bytes; a PEM key is well under 1 KiB. */
#define MAX_PEM_FILE (64u * 1024u)

/* Largest encoded component id given with --request or --component, in bytes. */
#define MAX_ID_LEN TK_TEE_MAX_ID_LEN

/* Largest diagnostic-notation line printed for one component id. */
#define MAX_DIAG_TEXT 1024

struct option_spec {
	const char *name;   /* long name without "--" */
	const char *value;  /* placeholder of the value */
	const char *help;
	bool required;
	bool repeatable;
};

struct args {
	const char *values[MAX_OPTIONS][MAX_VALUES];
	size_t count[MAX_OPTIONS];
	bool verbose; /* -v: log debug events too */
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(const struct command *cmd, const struct args *args);
	enum tk_log_level log_level; /* lowest level logged without -v */
	struct option_spec options[MAX_OPTIONS];
};

/*
 * Option indexes. Every command starts with the TEE options (state
 * folder, backend, TCTI); each table keeps the order below.
 */
enum { OPT_STATE = 0, OPT_BACKEND, OPT_TCTI, OPT_FIRST_OWN };
enum { INIT_ALG = OPT_FIRST_OWN };
enum { RUN_TAM = OPT_FIRST_OWN, RUN_TAM_KEY, RUN_ANCHOR, RUN_REQUEST, RUN_VENDOR,
       RUN_CLASS, RUN_CA, RUN_MAX_BODY, RUN_TIMEOUT, RUN_TAM_ENCRYPTION_KEY,
       RUN_VERIFIER };
enum { TRUST_KEY = OPT_FIRST_OWN, TRUST_SCOPE };
enum { TRUST_KID = OPT_FIRST_OWN };
enum { SECRET_USE = OPT_FIRST_OWN, SECRET_KID, SECRET_FILE };
enum { LOAD_COMPONENT = OPT_FIRST_OWN, LOAD_ANCHOR, LOAD_RUNNER };
enum { ENROLL_VERIFIER = OPT_FIRST_OWN };

/* The command table and its length, in teep_agent_main.c. */
extern const struct command agent_commands[];
extern const size_t agent_command_count;

/* The program's log on stderr; main() sets its level from the command and -v. */
extern struct tk_log agent_log;

/* Return value of agent_parse_args() after -h printed the help, so main() exits 0. */
#define HELP_PRINTED (-1)

/* Print the usage of one command, or of all with a summary when cmd is NULL. */
void agent_print_usage(FILE *out, const struct command *cmd);

/* Report misuse as one line plus the usage of cmd (all commands when NULL); return 2. */
int agent_usage_error(const struct command *cmd, const char *fmt, ...) TK_PRINTF(2, 3);

/*
 * Report a failure as "teep-agent: <what>: <value>: " and the
 * tk_diag_format() text of diag, and return 1. A diag without a code (or
 * NULL) is reported with err, its sentence and "no detail recorded".
 */
int agent_fail(const char *what, const char *value, tk_err err, const struct tk_diag *diag);

/* Parse the options of cmd; returns EXIT_OK, EXIT_USAGE or HELP_PRINTED. */
int agent_parse_args(const struct command *cmd, int argc, char **argv, struct args *args);

/*
 * Check --backend and --tcti: --backend tpm without --tcti needs
 * /dev/tpmrm0 to exist. Returns EXIT_OK or EXIT_USAGE.
 */
int agent_check_backend(const struct command *cmd, const struct args *args);

/* Read a whole small file into a new buffer; caller frees *out. */
tk_err agent_read_file(const char *path, size_t max, uint8_t **out, size_t *out_len,
		       struct tk_diag *diag);

/* Load a public key (SPKI PEM); a private key file is rejected. */
tk_err agent_load_public_key(const char *path, struct tk_crypto_key **key,
			     struct tk_diag *diag);

/* Decode hex text into out; false when not an even number of hex digits. */
bool agent_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *out_len);

/* Decode the hex of a CBOR component id array; false when it is not one. */
bool agent_parse_component_id(const char *hex, uint8_t *out, size_t cap, size_t *out_len);

/* UUID text (8-4-4-4-12 hex digits) into 16 bytes. */
bool agent_parse_uuid(const char *text, uint8_t out[16]);

void agent_print_hex(FILE *out, const uint8_t *buf, size_t len);

/*
 * Open the TEE the options name: the simulated backend, or the TPM one
 * with --tcti. `alg` is the algorithm of a key created by `create`
 * (0 = ESP256); the TPM backend has only ESP256.
 */
tk_err agent_open_tee(const struct args *args, bool create, int64_t alg, struct tk_tee *tee,
		      struct tk_diag *diag);

int agent_cmd_init(const struct command *cmd, const struct args *args);
int agent_cmd_pubkey(const struct command *cmd, const struct args *args);
int agent_cmd_report_pubkey(const struct command *cmd, const struct args *args);
int agent_cmd_encryption_pubkey(const struct command *cmd, const struct args *args);
int agent_cmd_trust_add(const struct command *cmd, const struct args *args);
int agent_cmd_trust_list(const struct command *cmd, const struct args *args);
int agent_cmd_trust_remove(const struct command *cmd, const struct args *args);
int agent_cmd_secret_add(const struct command *cmd, const struct args *args);
int agent_cmd_run(const struct command *cmd, const struct args *args);
int agent_cmd_list(const struct command *cmd, const struct args *args);
int agent_cmd_load(const struct command *cmd, const struct args *args);
int agent_cmd_measurements(const struct command *cmd, const struct args *args);
int agent_cmd_show_result(const struct command *cmd, const struct args *args);
int agent_cmd_enroll_ak(const struct command *cmd, const struct args *args);

#endif /* AGENT_CLI_H */
