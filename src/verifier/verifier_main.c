/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-verifier: entry point, the command table and the argument parser.
 * The table is the only description of the command line: the parser checks
 * against it and the usage text is printed from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verifier.h"

#define DB_HELP "SQLite database of the verifier (created with mode 0600 if missing)"
#define DB_EXISTING_HELP "SQLite database of the verifier (must exist)"

static const struct ver_option serve_options[] = {
	{"db", "FILE", DB_HELP, true, 0},
	{"key", "PRIV.pem", "key that signs attestation results, P-256 PKCS#8 PEM", true, 0},
	{"listen", "ADDR:PORT", "IPv4 address (A.B.C.D or localhost) and port 0..65535; "
	 "port 0 picks a free one", true, 0},
	{"port-file", "FILE", "write the port listened on to FILE once serving", false, 0},
	{"max-body", "BYTES", "request body limit in bytes, 1..1048576 (default 65536)",
	 false, 0},
	{"session-lifetime", "SECONDS", "lifetime of a session in seconds, 1..86400 "
	 "(default 300)", false, 0},
	{"result-lifetime", "SECONDS", "validity of a result (its exp claim) in seconds, "
	 "1..31536000 (default 86400)", false, 0},
	{"max-sessions", "COUNT", "maximum sessions kept until they expire, 1..10000000; "
	 "beyond it newSession gets 503 (default 10000)", false, 0},
	{"max-results", "COUNT", "results kept in the history, 1..100000000; the oldest go "
	 "first (default 100000)", false, 0},
};

static const struct ver_option add_ca_options[] = {
	{"db", "FILE", DB_HELP, true, 0},
};

static const struct ver_option enroll_options[] = {
	{"db", "FILE", DB_HELP, true, 0},
	{"ueid", "HEX", "UEID of the device the key belongs to (hex of 7..33 bytes)", true, 0},
};

static const struct ver_option reference_options[] = {
	{"db", "FILE", DB_HELP, true, 0},
	{"corim", "FILE", "unsigned CoRIM or CoMID (CBOR) whose reference triples to add",
	 false, 1},
	{"component", "HEX", "component: encoded SUIT component id, or the bytes of a "
	 "manifest URI", false, 1},
	{"digest", "HEX", "SHA-256 digest the component must have (with --component)",
	 false, 0},
	{"vendor", "NAME", "vendor of the component (with --component; default empty)",
	 false, 0},
	{"class", "NAME", "class (product line) of the component (with --component; "
	 "default empty)", false, 0},
};

static const struct ver_option show_aks_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, true, 0},
};

static const struct ver_option show_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, true, 0},
	{"limit", "COUNT", "newest results to list, 1..100000 (default 20)", false, 0},
};

static const struct ver_option pubkey_options[] = {
	{"key", "PRIV.pem", "the verifier's signing key, P-256 PKCS#8 PEM", true, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* struct ver_args has room for VER_MAX_OPTIONS values per command. */
_Static_assert(COUNT(serve_options) <= VER_MAX_OPTIONS, "serve has too many options");
_Static_assert(COUNT(reference_options) <= VER_MAX_OPTIONS, "add-reference has too many "
	       "options");

static const struct ver_command commands[] = {
	{"serve", "serve the challenge-response API at /challenge-response/v1/ until "
	 "SIGTERM or SIGINT", NULL, serve_options, COUNT(serve_options), ver_serve},
	{"add-ca", "trust an EK CA certificate (PEM or DER) for TPM evidence", "CERT.pem",
	 add_ca_options, COUNT(add_ca_options), ver_add_ca},
	{"enroll-key", "trust an attestation key (simulated TEE key or TPM AK) for one "
	 "UEID; prints its kid", "KEY.pem", enroll_options, COUNT(enroll_options),
	 ver_enroll_key},
	{"add-reference", "add reference values: a CoRIM's, or one component digest", NULL,
	 reference_options, COUNT(reference_options), ver_add_reference},
	{"show-results", "list the newest attestation results", NULL, show_options,
	 COUNT(show_options), ver_show_results},
	{"pubkey", "print the public key (SPKI PEM) and kid that verify results", NULL,
	 pubkey_options, COUNT(pubkey_options), ver_pubkey},
	{"show-aks", "list the TPM attestation keys enrolled by credential activation", NULL,
	 show_aks_options, COUNT(show_aks_options), ver_show_aks},
};

static size_t option_index(const struct ver_command *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		if (strcmp(cmd->options[i].name, name) == 0)
			return i;
	}
	return SIZE_MAX;
}

const char *ver_get(const struct ver_command *cmd, const struct ver_args *args,
		    const char *name)
{
	size_t i = option_index(cmd, name);

	return i == SIZE_MAX ? NULL : args->values[i];
}

static void usage_command(FILE *out, const struct ver_command *cmd)
{
	int open_group = 0;

	fprintf(out, "  teep-verifier %s", cmd->name);
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct ver_option *o = &cmd->options[i];
		const char *space = o->value != NULL ? " " : "";
		const char *value = o->value != NULL ? o->value : "";

		if (o->group != 0) {
			fprintf(out, "%s--%s%s%s", open_group == o->group ? " | " : " (", o->name,
				space, value);
			open_group = o->group;
			if (i + 1 == cmd->option_count || cmd->options[i + 1].group != o->group) {
				fputc(')', out);
				open_group = 0;
			}
			continue;
		}
		fprintf(out, " %s--%s%s%s%s", o->required ? "" : "[", o->name, space, value,
			o->required ? "" : "]");
	}
	if (cmd->operand != NULL)
		fprintf(out, " %s", cmd->operand);
	fprintf(out, "\n      %s\n", cmd->summary);
	for (size_t i = 0; i < cmd->option_count; i++)
		fprintf(out, "      --%-18s %s\n", cmd->options[i].name, cmd->options[i].help);
}

static void usage(FILE *out, const struct ver_command *cmd)
{
	if (cmd == NULL)
		fprintf(out, "teep-verifier: RATS verifier for TEEP evidence: appraises it and "
			"returns signed EAR attestation results\n");
	fprintf(out, "usage:\n");
	for (size_t i = 0; i < COUNT(commands); i++) {
		if (cmd == NULL || cmd == &commands[i])
			usage_command(out, &commands[i]);
	}
	if (cmd == NULL)
		fprintf(out, "  teep-verifier -h\n      print this help\n"
			"  teep-verifier --version\n      print the version\n");
}

int ver_misuse(const struct ver_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "teep-verifier: %s%s", cmd != NULL ? cmd->name : "",
		cmd != NULL ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr, cmd);
	return VER_EXIT_USAGE;
}

/* Check required options and groups against the table. */
static int check_args(const struct ver_command *cmd, const struct ver_args *args)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct ver_option *o = &cmd->options[i];
		unsigned in_group = 0;

		if (o->required && args->values[i] == NULL)
			return ver_misuse(cmd, "option --%s is required", o->name);
		if (o->group == 0)
			continue;
		for (size_t j = 0; j < cmd->option_count; j++)
			in_group += cmd->options[j].group == o->group && args->values[j] != NULL;
		if (in_group != 1)
			return ver_misuse(cmd, "give exactly one option of the group that "
					  "contains --%s", o->name);
	}
	if (cmd->operand != NULL && args->operand == NULL)
		return ver_misuse(cmd, "missing operand %s", cmd->operand);
	return VER_EXIT_OK;
}

/* Parse argv against cmd; -1 after printing the help. */
static int parse_args(const struct ver_command *cmd, int argc, char **argv,
		      struct ver_args *args)
{
	memset(args, 0, sizeof(*args));
	for (int i = 0; i < argc; i++) {
		size_t idx;

		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout, cmd);
			return -1;
		}
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (cmd->operand == NULL || args->operand != NULL)
				return ver_misuse(cmd, "unexpected argument %s", argv[i]);
			args->operand = argv[i];
			continue;
		}
		idx = option_index(cmd, argv[i] + 2);
		if (idx == SIZE_MAX)
			return ver_misuse(cmd, "unknown option %s", argv[i]);
		if (args->values[idx] != NULL)
			return ver_misuse(cmd, "option %s given twice", argv[i]);
		if (cmd->options[idx].value == NULL) {
			args->values[idx] = "";
			continue;
		}
		if (i + 1 >= argc)
			return ver_misuse(cmd, "option %s needs a value %s", argv[i],
					  cmd->options[idx].value);
		args->values[idx] = argv[++i];
	}
	return check_args(cmd, args);
}

int main(int argc, char **argv)
{
	struct ver_args args;
	int rc;

	if (argc < 2)
		return ver_misuse(NULL, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout, NULL);
		return VER_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("teep-verifier %s\n", VERIFIER_VERSION);
		return VER_EXIT_OK;
	}
	for (size_t i = 0; i < COUNT(commands); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		rc = parse_args(&commands[i], argc - 2, argv + 2, &args);
		if (rc == -1)
			return VER_EXIT_OK;
		if (rc != VER_EXIT_OK)
			return rc;
		return commands[i].run(&commands[i], &args);
	}
	return ver_misuse(NULL, "unknown command %s", argv[1]);
}
