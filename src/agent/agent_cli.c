/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared parts of teep-agent (see agent_cli.h): usage text and option
 * parsing driven by the command table, error lines in the
 * tk_diag_format() form, file and hex helpers, and opening the TEE
 * backend the options name.
 */
#include "agent/agent_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* Help text layout: option help starts at HELP_COLUMN, lines end by HELP_WIDTH. */
#define HELP_COLUMN 31
#define HELP_WIDTH 79

struct tk_log agent_log = {tk_log_write_stderr, NULL, TK_LOG_INFO};

/* Print "      LEFT  HELP", wrapping HELP at spaces to fit HELP_WIDTH. */
static void print_help_line(FILE *out, const char *left, const char *help)
{
	int column = fprintf(out, "      %s", left);
	const char *word = help;

	while (*word != '\0') {
		size_t len = strcspn(word, " ");

		if (column >= HELP_COLUMN && column + 1 + (int)len > HELP_WIDTH) {
			fputc('\n', out);
			column = 0;
		}
		if (column < HELP_COLUMN)
			column += fprintf(out, "%*s", HELP_COLUMN - column, "");
		else
			column += fprintf(out, " ");
		column += fprintf(out, "%.*s", (int)len, word);
		word += len;
		while (*word == ' ')
			word++;
	}
	fputc('\n', out);
}

/* Print one option with its help and "(required, repeatable, at most N)". */
static void print_option_help(FILE *out, const struct option_spec *o)
{
	char left[48];
	char help[256];

	snprintf(left, sizeof(left), "--%s %s", o->name, o->value);
	if (o->required && o->repeatable)
		snprintf(help, sizeof(help), "%s (required, repeatable, at most %d)", o->help,
			 MAX_VALUES);
	else if (o->repeatable)
		snprintf(help, sizeof(help), "%s (repeatable, at most %d)", o->help, MAX_VALUES);
	else if (o->required)
		snprintf(help, sizeof(help), "%s (required)", o->help);
	else
		snprintf(help, sizeof(help), "%s", o->help);
	print_help_line(out, left, help);
}

/* Print the usage of one command, or of all with a summary when cmd is NULL. */
void agent_print_usage(FILE *out, const struct command *cmd)
{
	if (cmd == NULL)
		fprintf(out, "%s: TEEP Broker and Agent of one device on a simulated or TPM-backed TEE; asks a "
			"TAM which trusted\napplications to install and installs them with "
			"SUIT manifests.\n", PROGRAM);
	fprintf(out, "usage:\n");
	for (size_t i = 0; i < agent_command_count; i++) {
		const struct command *c = &agent_commands[i];

		if (cmd != NULL && cmd != c)
			continue;
		fprintf(out, "  %s %s [-v] OPTIONS\n      %s\n", PROGRAM, c->name, c->summary);
		for (size_t j = 0; j < MAX_OPTIONS && c->options[j].name != NULL; j++)
			print_option_help(out, &c->options[j]);
		print_help_line(out, "-v, --verbose", "also log debug events");
	}
	if (cmd == NULL)
		fprintf(out, "  %s -h, --help\n      print this help\n"
			"  %s COMMAND -h\n      print the help of one command\n"
			"  %s --version\n      print the version\n", PROGRAM, PROGRAM, PROGRAM);
}

/* Report misuse as one line plus the usage of cmd (all commands when NULL); return 2. */
int agent_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROGRAM);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	agent_print_usage(stderr, cmd);
	return EXIT_USAGE;
}

/*
 * Report a failure as "teep-agent: <what>: <value>: " and the
 * tk_diag_format() text of diag, and return 1. A diag without a code (or
 * NULL) is reported with err, its sentence and "no detail recorded".
 */
int agent_fail(const char *what, const char *value, tk_err err, const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];
	struct tk_diag fallback;

	if (diag == NULL || diag->code == TK_OK) {
		tk_diag_clear(&fallback);
		(void)TK_FAIL(&fallback, err, "%s", "no detail recorded");
		diag = &fallback;
	}
	tk_diag_format(diag, detail, sizeof(detail));
	fprintf(stderr, "%s: %s: %s: %s\n", PROGRAM, what, value, detail);
	return EXIT_FAIL;
}

/* Parse the options of cmd; returns EXIT_OK, EXIT_USAGE or HELP_PRINTED. */
int agent_parse_args(const struct command *cmd, int argc, char **argv, struct args *args)
{
	memset(args, 0, sizeof(*args));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		size_t j;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			agent_print_usage(stdout, cmd);
			return HELP_PRINTED;
		}
		if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			args->verbose = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0)
			return agent_usage_error(cmd, "unexpected argument: %s", arg);
		for (j = 0; j < MAX_OPTIONS && cmd->options[j].name != NULL; j++)
			if (strcmp(arg + 2, cmd->options[j].name) == 0)
				break;
		if (j == MAX_OPTIONS || cmd->options[j].name == NULL)
			return agent_usage_error(cmd, "unknown option: %s", arg);
		if (i + 1 >= argc)
			return agent_usage_error(cmd, "missing value for %s", arg);
		if (args->count[j] > 0 && !cmd->options[j].repeatable)
			return agent_usage_error(cmd, "more than one value for %s", arg);
		if (args->count[j] == MAX_VALUES)
			return agent_usage_error(cmd, "more than %d values for %s", MAX_VALUES, arg);
		args->values[j][args->count[j]++] = argv[++i];
	}
	for (size_t j = 0; j < MAX_OPTIONS && cmd->options[j].name != NULL; j++)
		if (cmd->options[j].required && args->count[j] == 0)
			return agent_usage_error(cmd, "missing required option --%s",
					   cmd->options[j].name);
	return EXIT_OK;
}

/* Read a whole small file into a new buffer. */
tk_err agent_read_file(const char *path, size_t max, uint8_t **out, size_t *out_len,
			struct tk_diag *diag)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f;
	tk_err err = TK_OK;

	*out = NULL;
	*out_len = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO, "%s",
			       strerror(errno));
	buf = malloc(max + 1);
	if (buf == NULL)
		err = TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes", max);
	if (err == TK_OK) {
		len = fread(buf, 1, max + 1, f);
		if (ferror(f))
			err = TK_FAIL(diag, TK_ERR_IO, "read failed");
		else if (len > max)
			err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "file larger than %zu bytes", max);
	}
	fclose(f);
	if (err != TK_OK) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = len;
	return TK_OK;
}

tk_err agent_load_public_key(const char *path, struct tk_crypto_key **key, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t len = 0;
	tk_err err;

	err = agent_read_file(path, MAX_PEM_FILE, &pem, &len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, len, key, diag);
	if (err == TK_OK && tk_crypto_key_has_private(*key)) {
		/* A private key here means the wrong file, and keeping it loaded
		   would leave a secret in a process that never signs with it. */
		tk_crypto_key_free(*key);
		*key = NULL;
		err = TK_FAIL(diag, TK_ERR_KEY, "the file contains a private key, but a public "
			      "key (SPKI PEM, \"BEGIN PUBLIC KEY\") is expected");
	}
	tk_wipe(pem, len);
	free(pem);
	return err;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex text into out; false when not an even number of hex digits. */
bool agent_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = n / 2;
	return true;
}

/* UUID text (8-4-4-4-12 hex digits) into 16 bytes. */
bool agent_parse_uuid(const char *text, uint8_t out[16])
{
	char hex[33];
	size_t n = 0;
	size_t len = 0;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '-')
			continue;
		if (n == 32)
			return false;
		hex[n++] = *p;
	}
	hex[n] = '\0';
	return n == 32 && agent_parse_hex(hex, out, 16, &len) && len == 16;
}

void agent_print_hex(FILE *out, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", buf[i]);
}

bool agent_parse_component_id(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
	return agent_parse_hex(hex, out, cap, out_len) &&
	       tk_cbor_check(out, *out_len, TK_CBOR_STRICT, NULL) == TK_OK &&
	       out[0] >= 0x81 && out[0] <= 0x9f;
}

/*
 * TPM of --backend tpm without --tcti: the kernel's TPM resource manager,
 * which lets several processes share the TPM.
 */
#define DEFAULT_TPM_DEVICE "/dev/tpmrm0"
#define DEFAULT_TPM_TCTI "device:" DEFAULT_TPM_DEVICE

/* Signing key file of the simulated TEE, present in every folder it created. */
#define SIM_KEY_FILE "key.pem"

static bool backend_is_tpm(const struct args *args)
{
	return args->count[OPT_BACKEND] > 0 && strcmp(args->values[OPT_BACKEND][0], "tpm") == 0;
}

int agent_check_backend(const struct command *cmd, const struct args *args)
{
	const char *name = args->count[OPT_BACKEND] > 0 ? args->values[OPT_BACKEND][0] : "sim";

	if (strcmp(name, "sim") != 0 && strcmp(name, "tpm") != 0)
		return agent_usage_error(cmd, "invalid value for --backend: %s (expected sim or tpm)",
					 name);
	/* Only the existence of the device is checked; opening it is the backend's job. */
	if (backend_is_tpm(args) && args->count[OPT_TCTI] == 0 &&
	    access(DEFAULT_TPM_DEVICE, F_OK) != 0)
		return agent_usage_error(cmd, "--backend tpm needs --tcti CONF, because the "
					 "default TPM " DEFAULT_TPM_DEVICE " (--tcti "
					 DEFAULT_TPM_TCTI ") does not exist; give --tcti "
					 "swtpm:host=127.0.0.1,port=2321 for a swtpm");
	if (!backend_is_tpm(args) && args->count[OPT_TCTI] > 0)
		return agent_usage_error(cmd, "--tcti is only for --backend tpm");
	return EXIT_OK;
}

tk_err agent_open_tee(const struct args *args, bool create, int64_t alg, struct tk_tee *tee,
		      struct tk_diag *diag)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee_sim_config sim;
	struct tk_tee_tpm_config tpm;
	char tpm_dir[4096];
	struct stat st;

	if (backend_is_tpm(args)) {
		/* Checked before the TPM is touched, so a refused init changes nothing. */
		if ((size_t)snprintf(tpm_dir, sizeof(tpm_dir), "%s/" SIM_KEY_FILE, state) <
			    sizeof(tpm_dir) &&
		    lstat(tpm_dir, &st) == 0)
			return TK_FAIL(diag, TK_ERR_ARG, "this state folder belongs to the simulated "
				       "TEE backend: drop --backend tpm, or give a new --state folder");
		if (alg != 0 && alg != TK_COSE_ALG_ESP256)
			return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
				       "the TPM backend has ESP256 keys only (a TPM has no Ed25519)");
		memset(&tpm, 0, sizeof(tpm));
		tpm.state_dir = state;
		tpm.tcti = args->count[OPT_TCTI] > 0 ? args->values[OPT_TCTI][0]
						      : DEFAULT_TPM_TCTI;
		tpm.create = create;
		tpm.log = &agent_log;
		return tk_tee_tpm_open(&tpm, tee, diag);
	}

	/* Without this check the simulator would report a missing key.pem. */
	if ((size_t)snprintf(tpm_dir, sizeof(tpm_dir), "%s/tpm", state) < sizeof(tpm_dir) &&
	    lstat(tpm_dir, &st) == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "this state folder belongs to the TPM backend: "
			       "add --backend tpm, and --tcti CONF unless the TPM is "
			       DEFAULT_TPM_DEVICE);
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = state;
	sim.create = create;
	sim.create_alg = alg;
	sim.log = &agent_log;
	return tk_tee_sim_open(&sim, tee, diag);
}
