/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-tam: entry point, the command table and the argument parser. The
 * table is the only description of the command line: the parser checks
 * against it and the usage text is printed from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tam.h"

/* Help of --db for commands that create the database, and for those that need one. */
#define DB_CREATE_HELP "SQLite database of the TAM (created with mode 0600 if missing)"
#define DB_EXISTING_HELP "SQLite database of the TAM (must exist)"

static const struct tam_option serve_options[] = {
	{"db", "FILE", DB_CREATE_HELP, 1, 1, 0},
	{"key", "PRIV.pem", "TAM signing key, PKCS#8 PEM: one ESP256 and one Ed25519",
	 2, 2, 0},
	{"listen", "ADDR:PORT", "IPv4 address (A.B.C.D or localhost) and port 0..65535 to "
	 "serve /tam on; port 0 picks a free one", 1, 1, 0},
	{"port-file", "FILE", "write the port listened on to FILE once serving", 0, 1, 0},
	{"max-body", "BYTES", "request body limit in bytes, 1..1048576 (default 65536)",
	 0, 1, 0},
	{"token-lifetime", "SECONDS", "lifetime of a token or challenge in seconds, "
	 "1..86400 (default 300)", 0, 1, 0},
	{"max-sessions", "COUNT", "maximum sessions kept until they expire, 1..10000000; "
	 "beyond it an empty POST gets 503 (default 10000)", 0, 1, 0},
	{"verifier", "URI", "appraise evidence with teep-verifier (background-check model; "
	 "needs --verifier-key): base URI of teep-verifier (e.g. http://127.0.0.1:8443); "
	 "the API paths are appended", 0, 1, 0},
	{"verifier-db", "FILE", "appraise evidence in process against this teep-verifier "
	 "database (background-check model)", 0, 1, 0},
	{"verifier-signing-key", "PRIV.pem", "key the in-process verifier signs attestation "
	 "results with, P-256 PKCS#8 PEM (with --verifier-db)", 0, 1, 0},
	{"verifier-key", "PUB.pem", "trust attestation results signed with this verifier "
	 "key, SPKI PEM (passport model)", 0, 2, 0},
	{"decryption-key", "PRIV.pem", "P-256 key, PKCS#8 PEM, that agents encrypt "
	 "evidence and SUIT reports to (their --tam-encryption-key is its public part)",
	 0, 1, 0},
	{"report-decryption-key", "PRIV.pem", "older name of --decryption-key", 0, 1, 0},
};

static const struct tam_option enroll_options[] = {
	{"db", "FILE", DB_CREATE_HELP, 1, 1, 0},
	{"report-key", "REPORT_PUB.pem", "the agent's SUIT report public key, SPKI PEM "
	 "(teep-agent report-pubkey); reports of an agent without one are not stored",
	 0, 1, 0},
};

static const struct tam_option show_reports_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
	{"device", "UEID_HEX", "only the device with this UEID", 0, 1, 0},
};

static const struct tam_option db_existing_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
};

static const struct tam_option add_manifest_options[] = {
	{"db", "FILE", DB_CREATE_HELP, 1, 1, 0},
	{"signer", "SIGNER_PUB.pem", "public key (SPKI PEM) the envelope must be signed "
	 "with", 1, 1, 0},
};

static const struct tam_option require_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
	{"manifest", "ID_HEX", "manifest component id, hex of its CBOR encoding", 1, 1, 0},
	{"device", "UEID_HEX", "the device with this UEID (hex of 7..33 bytes)", 0, 1, 1},
	{"all", NULL, "every device", 0, 1, 1},
};

static const struct tam_option set_group_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
	{"device", "UEID_HEX", "the device with this UEID (hex of 1..64 bytes)", 1, 1, 0},
	{"group", "NAME", "group name: 1..64 of A-Z a-z 0-9 . _ -", 1, 1, 0},
};

static const struct tam_option set_policy_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
	{"group", "NAME", "group the policy is for (\"default\": devices in no group)", 1, 1,
	 0},
	{"warning", "accept|reject", "whether an attestation result of tier warning lets "
	 "the TAM install (default reject)", 1, 1, 0},
};

static const struct tam_option show_results_options[] = {
	{"db", "FILE", DB_EXISTING_HELP, 1, 1, 0},
	{"device", "UEID_HEX", "only the device with this UEID", 0, 1, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The parser indexes struct tam_args by option; serve has the most options. */
_Static_assert(COUNT(serve_options) <= TAM_MAX_OPTIONS, "raise TAM_MAX_OPTIONS");

static const struct tam_command commands[] = {
	{"serve", "serve the TEEP HTTP binding at /tam until SIGTERM or SIGINT", NULL,
	 serve_options, COUNT(serve_options), tam_serve},
	{"enroll-agent", "trust a TEEP Agent's public key; prints its kid (enrolling it "
	 "again changes nothing)", "PUB.pem",
	 enroll_options, COUNT(enroll_options), tam_enroll_agent},
	{"add-manifest", "verify and register a SUIT envelope; prints its manifest "
	 "component id and sequence number", "ENVELOPE.cbor",
	 add_manifest_options, COUNT(add_manifest_options), tam_add_manifest},
	{"require", "require a registered manifest on one device or on all", NULL,
	 require_options, COUNT(require_options), tam_require},
	{"unrequire", "remove a policy that require added (one device, or the policy for "
	 "all)", NULL, require_options, COUNT(require_options), tam_unrequire},
	{"show-devices", "list devices, their keys, installed components and last "
	 "result", NULL, db_existing_options, COUNT(db_existing_options), tam_show_devices},
	{"show-manifests", "list registered manifests: sequence numbers, digests and the "
	 "devices that require them", NULL, db_existing_options,
	 COUNT(db_existing_options), tam_show_manifests},
	{"set-group", "place a device in a group, whose policy applies to its attestation "
	 "results", NULL, set_group_options, COUNT(set_group_options), tam_set_group},
	{"set-policy", "set whether a group's devices with a warning attestation result get "
	 "their manifests", NULL, set_policy_options, COUNT(set_policy_options),
	 tam_set_policy},
	{"show-results", "list the attestation results the TAM acted on, newest first", NULL,
	 show_results_options, COUNT(show_results_options), tam_show_results},
	{"show-reports", "list the verified SUIT reports agents sent, newest first", NULL,
	 show_reports_options, COUNT(show_reports_options), tam_show_reports},
};

static size_t option_index(const struct tam_command *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		if (strcmp(cmd->options[i].name, name) == 0)
			return i;
	}
	return SIZE_MAX;
}

unsigned tam_count(const struct tam_command *cmd, const struct tam_args *args,
		   const char *name)
{
	size_t i = option_index(cmd, name);

	return i == SIZE_MAX ? 0 : args->counts[i];
}

const char *tam_get_at(const struct tam_command *cmd, const struct tam_args *args,
		       const char *name, unsigned n)
{
	size_t i = option_index(cmd, name);

	if (i == SIZE_MAX || n >= args->counts[i])
		return NULL;
	return args->values[i][n];
}

const char *tam_get(const struct tam_command *cmd, const struct tam_args *args,
		    const char *name)
{
	return tam_get_at(cmd, args, name, 0);
}

static void usage_line(FILE *out, const struct tam_command *cmd)
{
	int open_group = 0;

	fprintf(out, "  teep-tam %s", cmd->name);
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct tam_option *o = &cmd->options[i];
		const char *value = o->value != NULL ? o->value : "";
		const char *space = o->value != NULL ? " " : "";

		if (o->group != 0) {
			fprintf(out, "%s--%s%s%s", open_group == o->group ? " | " : " (",
				o->name, space, value);
			open_group = o->group;
			if (i + 1 == cmd->option_count || cmd->options[i + 1].group != o->group) {
				fputc(')', out);
				open_group = 0;
			}
			continue;
		}
		for (unsigned n = 0; n < (o->max_count > 0 ? o->max_count : 1); n++) {
			bool optional = n >= o->min_count;

			fprintf(out, " %s--%s%s%s%s", optional ? "[" : "", o->name, space, value,
				optional ? "]" : "");
		}
	}
	if (cmd->operand != NULL)
		fprintf(out, " %s", cmd->operand);
	fputc('\n', out);
}

static void usage_details(FILE *out, const struct tam_command *cmd)
{
	fprintf(out, "      %s\n", cmd->summary);
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct tam_option *o = &cmd->options[i];

		fprintf(out, "      --%-16s %s\n", o->name, o->help);
	}
}

void tam_usage(FILE *out, const struct tam_command *cmd)
{
	if (cmd == NULL)
		fprintf(out, "teep-tam: Trusted Application Manager (TAM) of TEEP: installs "
			"trusted applications over HTTP\n");
	fprintf(out, "usage:\n");
	for (size_t i = 0; i < COUNT(commands); i++) {
		if (cmd != NULL && cmd != &commands[i])
			continue;
		usage_line(out, &commands[i]);
		usage_details(out, &commands[i]);
	}
	if (cmd == NULL)
		fprintf(out, "  teep-tam -h\n      print this help\n"
			"  teep-tam --version\n      print the version\n");
}

int tam_misuse(const struct tam_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "teep-tam: %s%s", cmd != NULL ? cmd->name : "",
		cmd != NULL ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	tam_usage(stderr, cmd);
	return TAM_EXIT_USAGE;
}

/* Take one `--name [VALUE]` at argv[*i]. */
static int parse_option(const struct tam_command *cmd, int argc, char **argv, int *i,
			struct tam_args *args)
{
	size_t idx = option_index(cmd, argv[*i] + 2);
	const struct tam_option *o;

	if (idx == SIZE_MAX)
		return tam_misuse(cmd, "unknown option %s", argv[*i]);
	o = &cmd->options[idx];
	if (args->counts[idx] >= o->max_count)
		return tam_misuse(cmd, "option --%s given more than %u times", o->name,
				  o->max_count);
	if (o->value == NULL) {
		args->values[idx][args->counts[idx]++] = "";
		return TAM_EXIT_OK;
	}
	if (*i + 1 >= argc)
		return tam_misuse(cmd, "option --%s needs a value %s", o->name, o->value);
	*i += 1;
	args->values[idx][args->counts[idx]++] = argv[*i];
	return TAM_EXIT_OK;
}

/* Check required options and groups against the table. */
static int check_args(const struct tam_command *cmd, const struct tam_args *args)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct tam_option *o = &cmd->options[i];
		unsigned in_group = 0;

		if (o->group == 0) {
			if (args->counts[i] < o->min_count)
				return tam_misuse(cmd, "option --%s is required%s", o->name,
						  o->min_count > 1 ? " twice" : "");
			continue;
		}
		char names[128] = "";

		for (size_t j = 0; j < cmd->option_count; j++) {
			if (cmd->options[j].group != o->group)
				continue;
			in_group += args->counts[j];
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s--%s",
				 names[0] != '\0' ? " or " : "", cmd->options[j].name);
		}
		if (in_group != 1)
			return tam_misuse(cmd, "give exactly one of %s", names);
	}
	if (cmd->operand != NULL && args->operand == NULL)
		return tam_misuse(cmd, "missing operand %s", cmd->operand);
	return TAM_EXIT_OK;
}

static int parse_args(const struct tam_command *cmd, int argc, char **argv,
		      struct tam_args *args)
{
	int rc;

	memset(args, 0, sizeof(*args));
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			tam_usage(stdout, cmd);
			return -1;
		}
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			if ((rc = parse_option(cmd, argc, argv, &i, args)) != TAM_EXIT_OK)
				return rc;
			continue;
		}
		if (cmd->operand == NULL || args->operand != NULL)
			return tam_misuse(cmd, "unexpected argument %s", argv[i]);
		args->operand = argv[i];
	}
	return check_args(cmd, args);
}

int main(int argc, char **argv)
{
	struct tam_args args;
	int rc;

	if (argc < 2)
		return tam_misuse(NULL, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		tam_usage(stdout, NULL);
		return TAM_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("teep-tam %s\n", TAM_VERSION);
		return TAM_EXIT_OK;
	}

	for (size_t i = 0; i < COUNT(commands); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		rc = parse_args(&commands[i], argc - 2, argv + 2, &args);
		if (rc == -1)
			return TAM_EXIT_OK;
		if (rc != TAM_EXIT_OK)
			return rc;
		return commands[i].run(&commands[i], &args);
	}
	return tam_misuse(NULL, "unknown command %s", argv[1]);
}
