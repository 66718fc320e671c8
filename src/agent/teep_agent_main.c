/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent: the TEEP Broker and Agent of one node, on the simulated TEE.
 *
 *   teep-agent init   --state DIR [--alg esp256|ed25519]
 *   teep-agent pubkey --state DIR
 *   teep-agent run    --state DIR --tam URI --tam-key PUB.pem...
 *                     --trust-anchor SIGNER_PUB.pem... [--request ID_HEX]...
 *   teep-agent list   --state DIR
 *
 * One table (commands[]) drives argument parsing and the usage text. Exit
 * status: 0 on success, 1 when the work failed (one line on stderr:
 * "teep-agent: <what failed>: <value>: <NAME> (<number>): <sentence>:
 * <detail>", the tk_diag_format() form teep and teep-tam print), 2 on
 * misuse (one line plus the command's usage on stderr). Logs go to stderr,
 * one line per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/tk_agent_tee.h"
#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_log.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "http/tk_http_client.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_agent.h"

#define PROGRAM "teep-agent"

/* The project version, from CMake. */
#ifndef TK_AGENT_VERSION
#error "TK_AGENT_VERSION must be defined by the build"
#endif
#define PROGRAM_VERSION TK_AGENT_VERSION

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Maximum values of one repeatable option (--tam-key, --trust-anchor, --request). */
#define MAX_VALUES 8

/* Help text layout: option help starts at HELP_COLUMN, lines end by HELP_WIDTH. */
#define HELP_COLUMN 31
#define HELP_WIDTH 79
_Static_assert(TK_HTTP_CLIENT_DEFAULT_MAX_BODY == 1048576u, "update the --max-body help");
_Static_assert(TK_SUIT_MAX_ENVELOPE_SIZE == 67174400u, "update the --max-body help");
_Static_assert(TK_HTTP_CLIENT_DEFAULT_TIMEOUT_MS == 30000L, "update the --timeout help");

/* Maximum --timeout, in seconds. */
#define MAX_TIMEOUT_S 3600

/* Maximum options of one command. */
#define MAX_OPTIONS 10

/* Largest PEM file read, in bytes; a PEM key is well under 1 KiB. */
#define MAX_PEM_FILE (64u * 1024u)

/* Largest encoded component id given with --request, in bytes. */
#define MAX_ID_LEN TK_TEE_MAX_ID_LEN

/* Largest diagnostic-notation line printed for one component id. */
#define MAX_DIAG_TEXT 1024

/*
 * Device claims of the simulated TEE for the evidence. The OEM ID is a
 * fixed 16-byte random value naming teepkit's simulator (RFC 9711 section
 * 4.2.3.1 allows random OEM IDs); a real backend reports its own.
 */
static const uint8_t sim_oemid[16] = {
	0x5d, 0x1c, 0x3e, 0x9a, 0x42, 0x7b, 0x4f, 0x10,
	0x8e, 0x66, 0x0a, 0xd3, 0x71, 0x2c, 0xb5, 0x94,
};
static const char sim_hwmodel[] = "teepkit-sim";
static const char sim_hwversion[] = "1.0";
static const char agent_uri[] = "urn:teepkit:teep-agent:" PROGRAM_VERSION;

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

static int cmd_init(const struct command *cmd, const struct args *args);
static int cmd_pubkey(const struct command *cmd, const struct args *args);
static int cmd_run(const struct command *cmd, const struct args *args);
static int cmd_list(const struct command *cmd, const struct args *args);

/* Option indexes used by the commands below; each table keeps this order. */
enum { OPT_STATE = 0 };
enum { RUN_TAM = 1, RUN_TAM_KEY, RUN_ANCHOR, RUN_REQUEST, RUN_VENDOR, RUN_CLASS, RUN_CA,
       RUN_MAX_BODY, RUN_TIMEOUT };
enum { INIT_ALG = 1 };

static const struct command commands[] = {
	{"init", "create the TEE state folder and signing key; print kid and ueid", cmd_init,
	 TK_LOG_NOTICE,
	 {{"state", "DIR", "TEE state folder (created mode 0700)", true, false},
	  {"alg", "ALG",
	   "signing key algorithm of a new state: esp256 (default) or ed25519; "
	   "an existing state must already have this algorithm", false, false}}},
	{"pubkey", "print the TEE public key as PEM", cmd_pubkey, TK_LOG_NOTICE,
	 {{"state", "DIR", "TEE state folder", true, false}}},
	{"run", "run one policy check against a TAM", cmd_run, TK_LOG_INFO,
	 {{"state", "DIR", "TEE state folder", true, false},
	  {"tam", "URI", "TAM URI (http or https)", true, false},
	  {"tam-key", "PUB.pem", "trusted TAM public key, SPKI PEM", true,
	   true},
	  {"trust-anchor", "PUB.pem",
	   "trusted component signer public key, SPKI PEM", true, true},
	  {"request", "ID_HEX",
	   "request the TA with this component id hex", false, true},
	  {"vendor-id", "UUID", "device vendor id for SUIT vendor conditions", false, false},
	  {"class-id", "UUID", "device class id for SUIT class conditions", false, false},
	  {"ca-file", "FILE", "CA bundle for an https TAM (default: system store)", false, false},
	  {"max-body", "BYTES",
	   "largest TAM message or SUIT payload accepted, in bytes "
	   "(default 1048576, at most 67174400)", false, false},
	  {"timeout", "SECONDS",
	   "time limit of each HTTP transfer, in seconds (default 30, at most 3600)", false,
	   false}}},
	{"list", "list installed trusted components", cmd_list, TK_LOG_NOTICE,
	 {{"state", "DIR", "TEE state folder", true, false}}},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

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
static void print_usage(FILE *out, const struct command *cmd)
{
	if (cmd == NULL)
		fprintf(out, "%s: TEEP Broker and Agent of one device on a simulated TEE; asks a "
			"TAM which trusted\napplications to install and installs them with "
			"SUIT manifests.\n", PROGRAM);
	fprintf(out, "usage:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];

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

static int usage_error(const struct command *cmd, const char *fmt, ...) TK_PRINTF(2, 3);

/* Report misuse as one line plus the usage of cmd (all commands when NULL); return 2. */
static int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROGRAM);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr, cmd);
	return EXIT_USAGE;
}

/*
 * Report a failure as "teep-agent: <what>: <value>: " and the
 * tk_diag_format() text of diag, and return 1. A diag without a code (or
 * NULL) is reported with err, its sentence and "no detail recorded".
 */
static int fail(const char *what, const char *value, tk_err err, const struct tk_diag *diag)
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

/* Return value of parse_args() after -h printed the help, so main() exits 0. */
#define HELP_PRINTED (-1)

/* Parse the options of cmd; returns EXIT_OK, EXIT_USAGE or HELP_PRINTED. */
static int parse_args(const struct command *cmd, int argc, char **argv, struct args *args)
{
	memset(args, 0, sizeof(*args));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		size_t j;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			print_usage(stdout, cmd);
			return HELP_PRINTED;
		}
		if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			args->verbose = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0)
			return usage_error(cmd, "unexpected argument: %s", arg);
		for (j = 0; j < MAX_OPTIONS && cmd->options[j].name != NULL; j++)
			if (strcmp(arg + 2, cmd->options[j].name) == 0)
				break;
		if (j == MAX_OPTIONS || cmd->options[j].name == NULL)
			return usage_error(cmd, "unknown option: %s", arg);
		if (i + 1 >= argc)
			return usage_error(cmd, "missing value for %s", arg);
		if (args->count[j] > 0 && !cmd->options[j].repeatable)
			return usage_error(cmd, "more than one value for %s", arg);
		if (args->count[j] == MAX_VALUES)
			return usage_error(cmd, "more than %d values for %s", MAX_VALUES, arg);
		args->values[j][args->count[j]++] = argv[++i];
	}
	for (size_t j = 0; j < MAX_OPTIONS && cmd->options[j].name != NULL; j++)
		if (cmd->options[j].required && args->count[j] == 0)
			return usage_error(cmd, "missing required option --%s",
					   cmd->options[j].name);
	return EXIT_OK;
}

/* Read a whole small file into a new buffer. */
static tk_err read_file(const char *path, size_t max, uint8_t **out, size_t *out_len,
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

static tk_err load_public_key(const char *path, struct tk_crypto_key **key, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t len = 0;
	tk_err err;

	err = read_file(path, MAX_PEM_FILE, &pem, &len, diag);
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
static bool parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
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
static bool parse_uuid(const char *text, uint8_t out[16])
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
	return n == 32 && parse_hex(hex, out, 16, &len) && len == 16;
}

static void print_hex(FILE *out, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", buf[i]);
}

static tk_err open_tee(const char *state, bool create, int64_t alg, struct tk_tee *tee,
		       const struct tk_log *log, struct tk_diag *diag)
{
	struct tk_tee_sim_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.state_dir = state;
	cfg.create = create;
	cfg.create_alg = alg;
	cfg.log = log;
	return tk_tee_sim_open(&cfg, tee, diag);
}

/* The program's log; main() sets its level from the command and -v. */
static struct tk_log stderr_log = {tk_log_write_stderr, NULL, TK_LOG_INFO};

/* Name of a TEE key algorithm, for messages. */
static const char *alg_label(int64_t alg)
{
	if (alg == TK_COSE_ALG_ESP256)
		return "ESP256";
	if (alg == TK_COSE_ALG_ED25519)
		return "Ed25519";
	return "unknown";
}

static int cmd_init(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *alg_name = args->count[INIT_ALG] > 0 ? args->values[INIT_ALG][0] : "esp256";
	struct tk_tee tee = {0};
	struct tk_tee_key_info info;
	uint8_t ueid[TK_TEE_UEID_LEN];
	size_t ueid_len = 0;
	struct tk_diag diag;
	struct stat st;
	int64_t alg;
	tk_err err;

	if (strcmp(alg_name, "esp256") == 0)
		alg = TK_COSE_ALG_ESP256;
	else if (strcmp(alg_name, "ed25519") == 0)
		alg = TK_COSE_ALG_ED25519;
	else
		return usage_error(cmd, "invalid value for --alg: %s (expected esp256 or ed25519)",
				   alg_name);

	tk_diag_clear(&diag);
	if (stat(state, &st) == 0 && !S_ISDIR(st.st_mode)) {
		(void)TK_FAIL(&diag, TK_ERR_ARG, "the path exists but is not a directory, and "
			      "--state needs a new or existing state folder");
		return fail("cannot create the TEE state", state, TK_ERR_ARG, &diag);
	}
	err = open_tee(state, true, alg, &tee, &stderr_log, &diag);
	if (err != TK_OK)
		return fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_key_info(&tee, &info, &diag);
	if (err == TK_OK)
		err = tk_tee_ueid(&tee, ueid, sizeof(ueid), &ueid_len, &diag);

	/* An existing state keeps its key: a different --alg is an error, so a
	   script never believes it got the algorithm it asked for. */
	if (err == TK_OK && args->count[INIT_ALG] > 0 && info.alg != alg)
		err = TK_FAIL(&diag, TK_ERR_EXISTS, "the state already contains an %s signing "
			      "key, which is kept. Use a new --state folder for an %s key",
			      alg_label(info.alg), alg_label(alg));
	if (err == TK_OK) {
		printf("kid: ");
		print_hex(stdout, info.kid, sizeof(info.kid));
		printf("\nueid: ");
		print_hex(stdout, ueid, ueid_len);
		printf("\n");
	}
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : fail("cannot initialize the TEE state", state, err, &diag);
}

static int cmd_pubkey(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee tee = {0};
	char pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = open_tee(state, false, 0, &tee, &stderr_log, &diag);
	if (err != TK_OK)
		return fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_public_key_pem(&tee, pem, sizeof(pem), &len, &diag);
	if (err == TK_OK)
		fwrite(pem, 1, len, stdout);
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : fail("cannot export the TEE public key", state, err, &diag);
}

/*
 * One line per component: id hex, sequence number and digest (named as
 * teep-tam show-devices names them), and last the id in diagnostic
 * notation, because it contains spaces. ctx counts the lines.
 */
static tk_err print_component(void *ctx, const struct tk_tee_object_info *info)
{
	size_t *count = ctx;
	char text[MAX_DIAG_TEXT];
	size_t text_len = 0;

	(*count)++;
	print_hex(stdout, info->id, info->id_len);
	printf(" sequence-number %llu sha-256:", (unsigned long long)info->sequence_number);
	print_hex(stdout, info->digest, sizeof(info->digest));
	if (tk_cbor_to_diag(info->id, info->id_len, TK_CBOR_ALLOW_ALL, false, NULL, text,
			    sizeof(text), &text_len, NULL) == TK_OK)
		printf(" %s", text);
	printf("\n");
	return TK_OK;
}

static int cmd_list(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee tee = {0};
	struct tk_diag diag;
	size_t count = 0;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = open_tee(state, false, 0, &tee, &stderr_log, &diag);
	if (err != TK_OK)
		return fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_list_components(&tee, print_component, &count, &diag);
	tk_tee_close(&tee);
	if (err != TK_OK)
		return fail("cannot list components", state, err, &diag);
	if (count == 0)
		printf("no components installed\n");
	return EXIT_OK;
}

/* SHA-256 of this program's executable, for the manifests claim. */
static tk_err hash_self(uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	struct tk_crypto_hash_ctx h = {0};
	uint8_t chunk[16384];
	size_t n;
	FILE *f;
	tk_err err;

	f = fopen("/proc/self/exe", "rb");
	if (f == NULL)
		return TK_FAIL(diag, TK_ERR_IO, "open /proc/self/exe failed: %s", strerror(errno));
	err = tk_crypto_sha256_init(tk_crypto_openssl(), &h, diag);
	while (err == TK_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = tk_crypto_sha256_update(&h, chunk, n, diag);
	if (err == TK_OK && ferror(f))
		err = TK_FAIL(diag, TK_ERR_IO, "read of /proc/self/exe failed");
	fclose(f);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&h);
		return err;
	}
	return tk_crypto_sha256_final(&h, out, diag);
}

/* Everything cmd_run owns, released in one place. */
struct run_state {
	struct tk_crypto_key *tam_keys[MAX_VALUES];
	struct tk_crypto_key *anchors[MAX_VALUES];
	uint8_t requested_ids[MAX_VALUES][MAX_ID_LEN];
	struct tk_span requested[MAX_VALUES];
	struct tk_tee tee;
	struct tk_http_client *client;
	uint8_t *buf;
	uint8_t *reply;
	uint8_t *work;
};

static void run_state_free(struct run_state *rs)
{
	for (size_t i = 0; i < MAX_VALUES; i++) {
		tk_crypto_key_free(rs->tam_keys[i]);
		tk_crypto_key_free(rs->anchors[i]);
	}
	tk_tee_close(&rs->tee);
	tk_http_client_free(rs->client);
	free(rs->buf);
	free(rs->reply);
	free(rs->work);
}

/* Parse a decimal option value in 1..max. */
static bool parse_size(const char *text, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v == 0 || v > max || text[0] == '-')
		return false;
	*out = v;
	return true;
}

/* Load keys and ids named on the command line; returns an exit code. */
static int load_run_inputs(const struct command *cmd, const struct args *args,
			   struct run_state *rs, struct tk_agent_tee *glue)
{
	struct tk_diag diag;
	size_t len = 0;
	tk_err err;

	for (size_t i = 0; i < args->count[RUN_TAM_KEY]; i++) {
		tk_diag_clear(&diag);
		err = load_public_key(args->values[RUN_TAM_KEY][i], &rs->tam_keys[i], &diag);
		if (err != TK_OK)
			return fail("cannot load TAM key", args->values[RUN_TAM_KEY][i], err, &diag);
	}
	for (size_t i = 0; i < args->count[RUN_ANCHOR]; i++) {
		tk_diag_clear(&diag);
		err = load_public_key(args->values[RUN_ANCHOR][i], &rs->anchors[i], &diag);
		if (err != TK_OK)
			return fail("cannot load trust anchor", args->values[RUN_ANCHOR][i], err,
				    &diag);
	}
	for (size_t i = 0; i < args->count[RUN_REQUEST]; i++) {
		const char *hex = args->values[RUN_REQUEST][i];

		if (!parse_hex(hex, rs->requested_ids[i], MAX_ID_LEN, &len) ||
		    tk_cbor_check(rs->requested_ids[i], len, TK_CBOR_STRICT, NULL) != TK_OK ||
		    rs->requested_ids[i][0] < 0x81 || rs->requested_ids[i][0] > 0x9f)
			return usage_error(cmd, "invalid value for --request: %s (expected the "
					   "hex of a CBOR component id array)", hex);
		rs->requested[i] = tk_span_make(rs->requested_ids[i], len);
	}
	if (args->count[RUN_VENDOR] > 0) {
		if (!parse_uuid(args->values[RUN_VENDOR][0], glue->vendor_id))
			return usage_error(cmd, "invalid value for --vendor-id: %s (expected a UUID)",
					   args->values[RUN_VENDOR][0]);
		glue->has_vendor_id = true;
	}
	if (args->count[RUN_CLASS] > 0) {
		if (!parse_uuid(args->values[RUN_CLASS][0], glue->class_id))
			return usage_error(cmd, "invalid value for --class-id: %s (expected a UUID)",
					   args->values[RUN_CLASS][0]);
		glue->has_class_id = true;
	}
	return EXIT_OK;
}

static const char *manifests_word(unsigned count)
{
	return count == 1 ? "manifest" : "manifests";
}

/*
 * Print how a session that ended without an error went. The HTTP binding
 * uses 204 both for "nothing is due" and for "the TAM dropped the
 * message", so the line for a session without an Update names both causes.
 */
static void print_session_result(const struct tk_teep_agent *agent, const char *tam)
{
	if (agent->last_sent == TK_TEEP_AGENT_SENT_NONE) {
		printf("session with %s ended: 0 manifests installed, because the TAM sent no "
		       "QueryRequest (its log says why)\n", tam);
		return;
	}
	if (agent->last_sent != TK_TEEP_AGENT_SENT_SUCCESS) {
		printf("session with %s ended: 0 manifests installed, because the TAM sent no "
		       "Update. Either nothing is due, or the TAM dropped the QueryResponse (its "
		       "log says why)\n", tam);
		return;
	}
	printf("session with %s ended: %u %s installed, %u %s unlinked\n", tam, agent->installed,
	       manifests_word(agent->installed), agent->unlinked, manifests_word(agent->unlinked));
}

static int cmd_run(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *tam = args->values[RUN_TAM][0];
	char shown_tam[TK_HTTP_CLIENT_SHOWN_URI_CAP]; /* tam without its password */
	struct run_state rs;
	struct tk_agent_tee glue;
	struct tk_http_client_config http;
	struct tk_teep_agent_config cfg;
	struct tk_teep_agent agent;
	struct tk_transport_ops transport;
	unsigned long long value = 0;
	struct tk_diag diag;
	size_t max_body;
	int rc;
	tk_err err;

	tk_http_uri_redact(tam, shown_tam);
	memset(&rs, 0, sizeof(rs));
	memset(&glue, 0, sizeof(glue));
	memset(&http, 0, sizeof(http));
	memset(&cfg, 0, sizeof(cfg));
	tk_diag_clear(&diag);

	http.uri = tam;
	http.log = &stderr_log;
	if (args->count[RUN_CA] > 0)
		http.ca_file = args->values[RUN_CA][0];
	if (args->count[RUN_MAX_BODY] > 0) {
		if (!parse_size(args->values[RUN_MAX_BODY][0], TK_SUIT_MAX_ENVELOPE_SIZE, &value))
			return usage_error(cmd, "invalid value for --max-body: %s (expected 1..%u bytes)",
					   args->values[RUN_MAX_BODY][0],
					   (unsigned)TK_SUIT_MAX_ENVELOPE_SIZE);
		http.max_body = (size_t)value;
	}
	if (args->count[RUN_TIMEOUT] > 0) {
		if (!parse_size(args->values[RUN_TIMEOUT][0], MAX_TIMEOUT_S, &value))
			return usage_error(cmd, "invalid value for --timeout: %s (expected 1..%d seconds)",
					   args->values[RUN_TIMEOUT][0], MAX_TIMEOUT_S);
		http.timeout_ms = (long)value * 1000;
	}
	max_body = http.max_body != 0 ? http.max_body : TK_HTTP_CLIENT_DEFAULT_MAX_BODY;

	rc = load_run_inputs(cmd, args, &rs, &glue);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	err = open_tee(state, false, 0, &rs.tee, &stderr_log, &diag);
	if (err != TK_OK) {
		rc = fail("cannot open the TEE state", state, err, &diag);
		goto out;
	}
	err = tk_http_client_new(&http, &rs.client, &diag);
	if (err != TK_OK) {
		rc = fail("invalid TAM URI", shown_tam, err, &diag);
		goto out;
	}
	rs.buf = malloc(max_body);
	rs.reply = malloc(max_body);
	rs.work = malloc(max_body);
	if (rs.buf == NULL || rs.reply == NULL || rs.work == NULL) {
		(void)TK_FAIL(&diag, TK_ERR_NOMEM, "3 buffers of %zu bytes (--max-body)", max_body);
		rc = fail("cannot allocate session buffers", shown_tam, TK_ERR_NOMEM, &diag);
		goto out;
	}

	glue.tee = &rs.tee;
	glue.crypto = tk_crypto_openssl();
	glue.trust_anchors = (const struct tk_crypto_key *const *)rs.anchors;
	glue.n_trust_anchors = args->count[RUN_ANCHOR];
	glue.fetch = http;
	glue.log = &stderr_log;

	cfg.crypto = tk_crypto_openssl();
	for (size_t i = 0; i < args->count[RUN_TAM_KEY]; i++)
		cfg.tam_keys[i] = rs.tam_keys[i];
	cfg.n_tam_keys = args->count[RUN_TAM_KEY];
	cfg.tee = tk_agent_tee_ops(&glue);
	cfg.device.oemid = tk_span_make(sim_oemid, sizeof(sim_oemid));
	cfg.device.hwmodel = tk_span_make(sim_hwmodel, strlen(sim_hwmodel));
	cfg.device.hwversion = sim_hwversion;
	cfg.device.agent_uri = agent_uri;
	cfg.requested = rs.requested;
	cfg.n_requested = args->count[RUN_REQUEST];
	cfg.work = rs.work;
	cfg.work_cap = max_body;
	cfg.tam_uri = shown_tam;
	cfg.log = &stderr_log;
	err = hash_self(cfg.device.agent_digest, &diag);
	if (err == TK_OK)
		err = tk_teep_agent_init(&agent, &cfg, &diag);
	if (err != TK_OK) {
		rc = fail("cannot start the agent", state, err, &diag);
		goto out;
	}

	transport = tk_http_client_transport(rs.client);
	err = tk_teep_agent_run(&agent, &transport, rs.buf, max_body, rs.reply, max_body, &diag);
	if (err != TK_OK) {
		rc = fail("policy check failed", shown_tam, err, &diag);
		goto out;
	}
	print_session_result(&agent, shown_tam);
	rc = EXIT_OK;
out:
	run_state_free(&rs);
	return rc;
}

int main(int argc, char **argv)
{
	struct args args;
	int rc;

	if (argc < 2)
		return usage_error(NULL, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(stdout, NULL);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROGRAM, PROGRAM_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		rc = parse_args(&commands[i], argc - 2, argv + 2, &args);
		if (rc == HELP_PRINTED)
			return EXIT_OK;
		if (rc != EXIT_OK)
			return rc;
		stderr_log.min_level = args.verbose ? TK_LOG_DEBUG : commands[i].log_level;
		return commands[i].run(&commands[i], &args);
	}
	return usage_error(NULL, "unknown command: %s", argv[1]);
}
