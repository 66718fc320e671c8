/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interface of the `teep` program: the subcommand table type, the
 * parsed arguments handed to each subcommand, and the file helpers they
 * share. The table in teep_main.c drives both argument parsing and the usage
 * text, so a new option appears in `teep -h` by being added there only.
 *
 * Exit status of every subcommand: TK_CLI_EXIT_OK (0) on success,
 * TK_CLI_EXIT_FAIL (1) when the work failed (message on stderr),
 * TK_CLI_EXIT_USAGE (2) on misuse (one line plus the usage on stderr).
 */
#ifndef TK_CLI_H
#define TK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"

struct tk_crypto_key;

enum {
	TK_CLI_EXIT_OK = 0,
	TK_CLI_EXIT_FAIL = 1,
	TK_CLI_EXIT_USAGE = 2,
};

/*
 * Maximum size of any file the program reads (TA image, CBOR or hex input,
 * PEM key), in bytes. Larger files fail with TK_ERR_LIMIT_SIZE before any
 * byte is parsed, so a wrong path such as a disk image cannot exhaust
 * memory. 64 MiB is far above the TA images and messages TEEP carries.
 */
#define TK_CLI_MAX_FILE_SIZE (64u * 1024u * 1024u)

/* Maximum options one subcommand declares; the parser's result array size. */
#define TK_CLI_MAX_OPTIONS 12

/* One `--name [VALUE]` option of a subcommand. */
struct tk_cli_option {
	const char *name;     /* long name without the leading "--" */
	const char *value;    /* placeholder shown in usage ("FILE"), or NULL
				 for a flag without a value */
	const char *help;     /* one line: what the option sets, and its unit */
	bool required;        /* must be given (ignored inside a group) */
	int group;            /* nonzero: exactly one option of this group
				 must be given, shown as `(--a X | --b)` */
	bool repeatable;      /* may be given up to TK_CLI_MAX_REPEATS times;
				 the values are in tk_cli_args.repeated */
};

/* Maximum values of the one repeatable option of a subcommand. */
#define TK_CLI_MAX_REPEATS 4

/* Values of the options and operands of one invocation. */
struct tk_cli_args {
	const char *value[TK_CLI_MAX_OPTIONS]; /* option value, or "" for a flag */
	bool given[TK_CLI_MAX_OPTIONS];        /* option present on the command line */
	const char *operand;                   /* the positional argument, or NULL */
	const char *repeated[TK_CLI_MAX_REPEATS]; /* values of the repeatable
						     option, in order */
	size_t repeated_count;
};

struct tk_cli_command;

/* Runs a subcommand; returns one of the TK_CLI_EXIT_ codes. */
typedef int (*tk_cli_run_fn)(const struct tk_cli_command *cmd,
			     const struct tk_cli_args *args);

/* One subcommand, as listed in the usage text. */
struct tk_cli_command {
	const char *name;
	const char *summary;                  /* one line for `teep -h` */
	const char *operand;                  /* placeholder of the one positional
						 argument, or NULL for none */
	const char *operand_help;             /* what the operand is */
	const struct tk_cli_option *options;  /* `option_count` entries */
	size_t option_count;
	tk_cli_run_fn run;
};

/* Index of the option named `name` in cmd->options; aborts if absent. */
size_t tk_cli_option_index(const struct tk_cli_command *cmd, const char *name);

/* Value of option `name`, or NULL when it was not given. */
const char *tk_cli_get(const struct tk_cli_command *cmd,
		       const struct tk_cli_args *args, const char *name);

/* Whether option `name` was given. */
bool tk_cli_has(const struct tk_cli_command *cmd, const struct tk_cli_args *args,
		const char *name);

/*
 * Report misuse of `cmd`: prints "teep: <cmd>: <message>" and the usage of
 * the subcommand on stderr. Returns TK_CLI_EXIT_USAGE.
 */
int tk_cli_misuse(const struct tk_cli_command *cmd, const char *fmt, ...)
	TK_PRINTF(2, 3);

/*
 * Report a failure: prints "teep: <cmd>: <value>: " and the tk_diag_format()
 * text of diag ("NAME (number): sentence: message [at byte offset N]") on
 * stderr, the form teep-tam and teep-agent print. Returns TK_CLI_EXIT_FAIL.
 */
int tk_cli_fail(const struct tk_cli_command *cmd, const char *value,
		const struct tk_diag *diag);

/*
 * Read a whole file, or standard input when path is "-". The buffer is
 * allocated; caller owns it, release with tk_cli_free_file(). Files larger
 * than TK_CLI_MAX_FILE_SIZE fail with TK_ERR_LIMIT_SIZE. An empty file gives
 * a non-NULL buffer of length 0.
 */
TK_MUST_CHECK tk_err tk_cli_read_file(const char *path, uint8_t **out,
				      size_t *out_len, struct tk_diag *diag);

/*
 * SHA-256 and size of a file of any size, read in bounded chunks through
 * the crypto layer's incremental hash: for payloads that are described
 * but not embedded (fetched by URI).
 */
TK_MUST_CHECK tk_err tk_cli_hash_file(const char *path, uint8_t digest[32],
				      uint64_t *size, struct tk_diag *diag);

/* Wipe (the buffer may hold a key) and free a buffer of tk_cli_read_file(). */
void tk_cli_free_file(uint8_t *buf, size_t len);

/* Behaviour of tk_cli_write_file() when the file exists. */
enum tk_cli_write_mode {
	TK_CLI_WRITE_EXCL,    /* fail with TK_ERR_EXISTS if the path exists */
	TK_CLI_WRITE_REPLACE, /* replace it atomically */
};

/*
 * Write buf to path with permission bits `perm` narrowed by the umask
 * (0600 for secrets).
 * TK_CLI_WRITE_EXCL creates the file with O_EXCL, so a symlink or an
 * existing file at path is never followed or truncated. TK_CLI_WRITE_REPLACE
 * writes a temporary file beside path, fsyncs it and renames it over path,
 * so a reader gets the old or the new content, and the file never has wider
 * permissions than `perm` while it contains the data. Borrows buf.
 */
TK_MUST_CHECK tk_err tk_cli_write_file(const char *path, const uint8_t *buf,
				       size_t len, unsigned perm,
				       enum tk_cli_write_mode mode,
				       struct tk_diag *diag);

/*
 * Decode annotated hex. On each line, text from `#` to the end of the line
 * is a comment. Of the rest, every character that is not a hex digit is
 * dropped, and the remaining digits are decoded in pairs across lines.
 * Writes into out[0..out_cap). Fails with TK_ERR_ARG when text contains a
 * byte no text file contains (NUL, another control character than
 * whitespace, DEL, or a byte above 0x7f outside UTF-8) or an odd number of
 * digits, and with TK_ERR_BUFFER_TOO_SMALL when out is too small. out may alias text
 * (decoding in place is safe because the output never overtakes the input).
 */
TK_MUST_CHECK tk_err tk_cli_hex_decode(const char *text, size_t text_len,
				       uint8_t *out, size_t out_cap,
				       size_t *out_len, struct tk_diag *diag);

/*
 * Parse a strict lowercase-or-uppercase hex string with no separators into
 * out. Fails with TK_ERR_ARG on odd length or a non-hex character.
 */
TK_MUST_CHECK tk_err tk_cli_hex_parse(const char *hex, uint8_t *out,
				      size_t out_cap, size_t *out_len,
				      struct tk_diag *diag);

/* Write len bytes as lowercase hex into out (needs 2 * len + 1 bytes). */
void tk_cli_hex_format(const uint8_t *buf, size_t len, char *out, size_t out_cap);

/* Layer whose names label the keys of an item printed by inspect. */
enum tk_cli_schema {
	TK_CLI_SCHEMA_PLAIN = 0, /* no names */
	TK_CLI_SCHEMA_TEEP = 1,  /* TEEP message */
	TK_CLI_SCHEMA_SUIT = 2,  /* SUIT envelope and what it wraps */
	TK_CLI_SCHEMA_COSE = 3,  /* COSE object: header and COSE_Key labels */
	TK_CLI_SCHEMA_EAT = 4,   /* EAT claims set */
	TK_CLI_SCHEMA_SUIT_REPORT = 5, /* SUIT_Report */
};

/* A growing NUL-terminated text buffer. Caller owns buf, release with
 * tk_cli_text_free(). Zero-initialise before first use. */
struct tk_cli_text {
	char *buf;
	size_t len; /* excluding the NUL */
	size_t cap;
};

void tk_cli_text_free(struct tk_cli_text *text);

/*
 * Print buf (one well-formed CBOR item) in diagnostic notation with labels
 * named by `schema`, expanding byte strings that wrap CBOR inline as
 * `<< ... >>`. On failure out is empty.
 */
TK_MUST_CHECK tk_err tk_cli_render_diag(const uint8_t *buf, size_t len,
					enum tk_cli_schema schema,
					struct tk_cli_text *out, struct tk_diag *diag);

/*
 * Schema of a COSE or attestation payload by its shape: a TEEP message
 * (array starting with a message type), an EAT claims set (map), a COSE
 * object (COSE tag or array), else TK_CLI_SCHEMA_PLAIN.
 */
enum tk_cli_schema tk_cli_classify_payload(const uint8_t *buf, size_t len);

/* Outcome of tk_cli_inspect_buffer(). */
struct tk_cli_inspection {
	char description[96];    /* recognised kind, printed as a comment */
	struct tk_cli_text text; /* diagnostic notation, empty on failure;
				    release with tk_cli_text_free() */
	struct tk_diag diag;     /* the failure, its offset counted from the
				    start of the input and its message
				    starting with the field */
};

/*
 * Recognise buf as a TEEP message, SUIT envelope, COSE object or EAT,
 * validate it with its layer's decoder (verifying it first with key when
 * key is not NULL) and render it in diagnostic notation. Borrows buf and
 * key. Always release out->text, also on failure.
 */
TK_MUST_CHECK tk_err tk_cli_inspect_buffer(const uint8_t *buf, size_t len,
					   const struct tk_crypto_key *key,
					   struct tk_cli_inspection *out);

/* The subcommands, each in its own file. */
int tk_cli_keygen(const struct tk_cli_command *cmd, const struct tk_cli_args *args);
int tk_cli_manifest(const struct tk_cli_command *cmd, const struct tk_cli_args *args);
int tk_cli_inspect(const struct tk_cli_command *cmd, const struct tk_cli_args *args);
int tk_cli_manifest_build(const struct tk_cli_command *cmd, const struct tk_cli_args *args);
int tk_cli_manifest_verify(const struct tk_cli_command *cmd, const struct tk_cli_args *args);
int tk_cli_attestation_verify(const struct tk_cli_command *cmd,
			      const struct tk_cli_args *args);

/*
 * Print `<lead>teep <command> --option VALUE ... OPERAND`, wrapped so that
 * continuation lines start under the first option.
 */
void tk_cli_print_synopsis(FILE *stream, const char *lead, const struct tk_cli_command *cmd);

/* Whether an option before `index` belongs to the same exclusive group. */
bool tk_cli_group_listed_before(const struct tk_cli_command *cmd, size_t index);

/* Print the usage of one subcommand, with its option help, to `stream`. */
void tk_cli_print_command_usage(FILE *stream, const struct tk_cli_command *cmd);

#endif /* TK_CLI_H */
