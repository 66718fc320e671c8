/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `teep` program: the one table of subcommands and their options, the
 * argument parser driven by it, and the dispatch. cli_usage.c generates the
 * usage text from the same table, and the subcommands live in cmd_<name>.c.
 *
 * Conventions (shared by teep-tam and teep-agent): `-h` prints the usage to
 * stdout and exits 0, and so does `--version` with the version; misuse prints one line and the usage to stderr and
 * exits 2; a failure prints `teep: <command>: <value>: <reason>` to stderr
 * and exits 1.
 */
#include "tk_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The exclusive group of `teep manifest`: where the agent gets the image. */
#define GROUP_IMAGE_SOURCE 1

static const struct tk_cli_option keygen_options[] = {
	{"alg", "esp256|ed25519",
	 "ESP256 (ECDSA P-256, SHA-256) or Ed25519", true, 0, false},
	{"out", "PRIV.pem", "private key output (PKCS#8 PEM, mode 0600)", true, 0, false},
	{"pub", "PUB.pem", "also write the public key (SPKI PEM)", false, 0, false},
	{"force", NULL, "replace existing key files", false, 0, false},
};

static const struct tk_cli_option manifest_options[] = {
	{"key", "SIGNER_PRIV.pem", "TC signer's private key (PKCS#8 PEM)", true, 0, false},
	{"component-id", "ID_HEX",
	 "hex of the CBOR SUIT_Component_Identifier array", true, 0, false},
	{"seq", "N", "manifest sequence number, 0 to 2^64-1", true, 0, false},
	{"vendor-id", "UUID", "add a vendor-id condition", false, 0, false},
	{"class-id", "UUID", "add a class-id condition", false, 0, false},
	{"uri", "URI", "agents fetch the image from this http(s) URI", false,
	 GROUP_IMAGE_SOURCE, false},
	{"integrated", NULL, "carry the image inside the envelope", false, GROUP_IMAGE_SOURCE, false},
	{"out", "ENVELOPE.cbor", "envelope output (replaced if it exists)", true, 0, false},
};

static const struct tk_cli_option manifest_build_options[] = {
	{"desc", "DESC.json", "manifest description (docs/manifest-format.md)", true, 0, false},
	{"key", "SIGNER.pem", "signer's private key (PKCS#8 PEM), once per signer",
	 true, 0, true},
	{"out", "ENVELOPE.cbor", "envelope output (replaced if it exists)", true, 0, false},
};

static const struct tk_cli_option manifest_verify_options[] = {
	{"hex", NULL, "ENVELOPE is annotated hex (# starts a comment)", false, 0, false},
	{"key", "PUB.pem", "trusted public key (PEM), once per trusted signer", true, 0,
	 true},
};

static const struct tk_cli_option inspect_options[] = {
	{"hex", NULL,
	 "FILE is annotated hex (# starts a comment)",
	 false, 0, false},
	{"key", "PUB.pem",
	 "verify the COSE signature or SUIT envelope with this key",
	 false, 0, false},
};

static const struct tk_cli_option attestation_verify_options[] = {
	{"verifier-key", "PUB.pem", "verifier's public key (PEM) that must have signed FILE",
	 true, 0, false},
	{"nonce", "HEX", "expected eat_nonce, 8 to 64 bytes", false, 0, false},
	{"ta-digest", "HEX", "SHA-256 of a TA the result must list (32 bytes)", false, 0,
	 false},
	{"kid", "HEX", "RFC 9679 thumbprint of the agent key cnf must name", false, 0,
	 false},
	{"key", "PUB.pem", "agent public key (PEM) cnf must name, in place of --kid",
	 false, 0, false},
	{"encryption-key", "PUB.pem",
	 "TEE encryption public key (PEM) the result must name",
	 false, 0, false},
};

/* The subcommands, in the order `teep -h` lists them. */
static const struct tk_cli_command commands[] = {
	{"keygen", "generate a signing key pair and print its RFC 9679 kid",
	 NULL, NULL, keygen_options, ARRAY_LEN(keygen_options), tk_cli_keygen},
	{"manifest", "build and sign a SUIT envelope that installs a TA image",
	 "TA_FILE", "the trusted application image", manifest_options,
	 ARRAY_LEN(manifest_options), tk_cli_manifest},
	{"manifest build", "build and sign a SUIT envelope from a JSON description",
	 NULL, NULL, manifest_build_options, ARRAY_LEN(manifest_build_options),
	 tk_cli_manifest_build},
	{"manifest verify", "authenticate a SUIT envelope and print it with names",
	 "ENVELOPE", "SUIT envelope (CBOR), or - for standard input", manifest_verify_options,
	 ARRAY_LEN(manifest_verify_options), tk_cli_manifest_verify},
	{"inspect", "validate and print a TEEP, SUIT, COSE or EAT object",
	 "FILE", "CBOR input, or - for standard input", inspect_options,
	 ARRAY_LEN(inspect_options), tk_cli_inspect},
	{"attestation verify", "check an attestation result (EAR) as a relying party",
	 "FILE", "EAR as a CWT (CBOR) or a JWT, or - for standard input",
	 attestation_verify_options, ARRAY_LEN(attestation_verify_options),
	 tk_cli_attestation_verify},
};

static void print_usage(FILE *stream)
{
	fputs("usage: teep <command> [options] [operand]\n"
	      "       teep <command> -h\n"
	      "       teep --version\n"
	      "\n"
	      "Build, sign and inspect TEEP, SUIT, COSE and EAT objects.\n"
	      "\n"
	      "commands:\n",
	      stream);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(stream, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fputc('\n', stream);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		tk_cli_print_synopsis(stream, "  ", &commands[i]);
}


static const struct tk_cli_option *find_option(const struct tk_cli_command *cmd,
					       const char *name, size_t name_len,
					       size_t *index)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		const char *candidate = cmd->options[i].name;

		if (strlen(candidate) == name_len && memcmp(candidate, name, name_len) == 0) {
			*index = i;
			return &cmd->options[i];
		}
	}
	return NULL;
}

/*
 * Parse one `--name`, `--name=VALUE` or `--name VALUE` at argv[*pos]; on
 * success *pos points at the last argument consumed. Returns 0 or the exit
 * code of a misuse already reported.
 */
static int parse_option(const struct tk_cli_command *cmd, int argc, char **argv,
			int *pos, struct tk_cli_args *args)
{
	const char *arg = argv[*pos] + 2;
	const char *equals = strchr(arg, '=');
	size_t name_len = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
	size_t index = 0;
	const struct tk_cli_option *opt = find_option(cmd, arg, name_len, &index);

	if (opt == NULL)
		return tk_cli_misuse(cmd, "unknown option %s", argv[*pos]);
	if (args->given[index] && !opt->repeatable)
		return tk_cli_misuse(cmd, "option --%s given twice", opt->name);
	if (opt->repeatable && args->repeated_count == TK_CLI_MAX_REPEATS)
		return tk_cli_misuse(cmd, "option --%s given more than %d times", opt->name,
				     TK_CLI_MAX_REPEATS);

	if (opt->value == NULL) {
		if (equals != NULL)
			return tk_cli_misuse(cmd, "option --%s takes no value", opt->name);
		args->value[index] = "";
	} else if (equals != NULL) {
		args->value[index] = equals + 1;
	} else if (*pos + 1 < argc) {
		*pos += 1;
		args->value[index] = argv[*pos];
	} else {
		return tk_cli_misuse(cmd, "option --%s requires a value %s", opt->name,
				     opt->value);
	}
	args->given[index] = true;
	if (opt->repeatable)
		args->repeated[args->repeated_count++] = args->value[index];
	return 0;
}

/* Write "--a or --b" for the options of `group` into out. */
static void format_group_names(const struct tk_cli_command *cmd, int group, char *out,
			       size_t out_cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cmd->option_count && used < out_cap; i++) {
		int n;

		if (cmd->options[i].group != group)
			continue;
		n = snprintf(out + used, out_cap - used, "%s--%s", used == 0 ? "" : " or ",
			     cmd->options[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int check_required(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct tk_cli_option *opt = &cmd->options[i];
		unsigned in_group = 0;

		if (opt->group == 0) {
			if (opt->required && !args->given[i])
				return tk_cli_misuse(cmd, "missing option --%s", opt->name);
			continue;
		}
		if (tk_cli_group_listed_before(cmd, i))
			continue;
		for (size_t j = i; j < cmd->option_count; j++) {
			if (cmd->options[j].group == opt->group && args->given[j])
				in_group++;
		}
		if (in_group != 1) {
			char names[128];

			format_group_names(cmd, opt->group, names, sizeof(names));
			return tk_cli_misuse(cmd, "exactly one of %s is required", names);
		}
	}
	if (cmd->operand != NULL && args->operand == NULL)
		return tk_cli_misuse(cmd, "missing operand %s", cmd->operand);
	return 0;
}

/*
 * Parse the arguments after the subcommand name. Returns 0 and fills args,
 * or an exit code: TK_CLI_EXIT_USAGE after reporting misuse, or -1 after
 * printing the help that -h asked for.
 */
static int parse_args(const struct tk_cli_command *cmd, int argc, char **argv,
		      struct tk_cli_args *args)
{
	bool options_done = false;

	memset(args, 0, sizeof(*args));
	for (int pos = 0; pos < argc; pos++) {
		const char *arg = argv[pos];
		int rc;

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
			tk_cli_print_command_usage(stdout, cmd);
			return -1;
		} else if (!options_done && strncmp(arg, "--", 2) == 0) {
			rc = parse_option(cmd, argc, argv, &pos, args);
			if (rc != 0)
				return rc;
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			return tk_cli_misuse(cmd, "unknown option %s", arg);
		} else if (cmd->operand == NULL) {
			return tk_cli_misuse(cmd, "unexpected argument %s", arg);
		} else if (args->operand != NULL) {
			return tk_cli_misuse(cmd, "unexpected extra argument %s", arg);
		} else {
			args->operand = arg;
		}
	}
	return check_required(cmd, args);
}

/*
 * The command named by argv[1], or by argv[1] and argv[2] for the two-word
 * commands ("manifest build"); *used is the number of words it took.
 */
static const struct tk_cli_command *find_command(int argc, char **argv, int *used)
{
	for (size_t i = 0; argc >= 3 && i < ARRAY_LEN(commands); i++) {
		const char *space = strchr(commands[i].name, ' ');
		size_t first = space != NULL ? (size_t)(space - commands[i].name) : 0;

		if (space != NULL && strlen(argv[1]) == first &&
		    strncmp(argv[1], commands[i].name, first) == 0 &&
		    strcmp(argv[2], space + 1) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			*used = 1;
			return &commands[i];
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const struct tk_cli_command *cmd = NULL;
	struct tk_cli_args args;
	int used = 1;
	int rc;

	if (argc < 2) {
		fputs("teep: missing command\n", stderr);
		print_usage(stderr);
		return TK_CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(stdout);
		return TK_CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("teep %s\n", TK_CLI_VERSION);
		return TK_CLI_EXIT_OK;
	}
	cmd = find_command(argc, argv, &used);
	if (cmd == NULL) {
		fprintf(stderr, "teep: unknown command %s\n", argv[1]);
		print_usage(stderr);
		return TK_CLI_EXIT_USAGE;
	}

	rc = parse_args(cmd, argc - 1 - used, argv + 1 + used, &args);
	if (rc == -1)
		return TK_CLI_EXIT_OK;
	if (rc != 0)
		return rc;
	return cmd->run(cmd, &args);
}
