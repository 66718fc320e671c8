/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the `teep` program, run as a separate process the way a user
 * runs it. They cover golden output for `teep inspect` on the TEEP draft's
 * eight hex examples and on a table of malformed inputs, the COSE WG
 * examples, the usage and exit-code conventions, `teep keygen` file
 * handling, and a keygen, manifest, inspect round trip.
 *
 * A golden file tests/cli/golden/<case>.txt contains the exit status, stdout
 * and stderr of one run. Set TK_UPDATE_GOLDEN=1 to rewrite them from the
 * current program after checking the difference by hand.
 *
 * The program is found through TK_TEEP_PROGRAM, a path the build passes in.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define VECTORS_TEEP TK_VECTORS_DIR "/teep"
#define GOLDEN_DIR TK_SOURCE_DIR "/tests/cli/golden"
#define MALFORMED_DIR TK_SOURCE_DIR "/tests/cli/malformed"
#define VALID_DIR TK_SOURCE_DIR "/tests/cli/valid"

/* Manifest descriptions, and a P-256 public key that signed none of them. */
#define MANIFEST_FIXTURES TK_SOURCE_DIR "/tests/suit/manifests"
#define RECIPIENT_KEY MANIFEST_FIXTURES "/tee_recipient.pub.pem"

/* Output of the manifest build cases, overwritten by each. */
#define TEMP_ENVELOPE "/tmp/tk_cli_test_manifest_build.cbor"

/* The SUIT manifest-spec example key, which signed the draft's envelopes. */
#define SUIT_EXAMPLE_KEY "../suit/manifest-spec/private_key.pem"

/* SHA-256 of the TEEP draft's example TA, as its manifests state. */
#define EXAMPLE_TA "8d82573a-926d-4754-9353-32dc29997f74.ta"
#define EXAMPLE_TA_SHA256 "8cf71ac86af31be184ec7a05a411a8c3a14fd9b77a30d046397481469468ece8"

/* Encoded ['TEEP-Device', 'SecureFS', h'8d82...7f74', 'ta']. */
#define EXAMPLE_COMPONENT_ID \
	"844b544545502d446576696365485365637572654653508d82573a926d4754935332dc29997f744274" \
	"61"

/* Maximum arguments in one run of the program, including argv[0] and NULL. */
#define MAX_ARGS 24

/* Result of one run: exit status and captured output, NUL-terminated. */
struct run {
	int status; /* exit status, or -1 when the program did not exit */
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
};

static char temp_dir[] = "/tmp/tk_cli_test_XXXXXX";

static char *read_whole(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	size_t cap = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return buf;
}

static void write_whole(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void path_in_temp(char *out, size_t cap, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", temp_dir, name);

	assert_true(n > 0 && (size_t)n < cap);
}

/*
 * Run `program` with argv (argv[0] is replaced by program) in directory
 * cwd, with stdin from stdin_path (NULL: /dev/null), capturing stdout and
 * stderr.
 */
static void run_program(const char *program, const char *cwd, const char *stdin_path,
			const char *const *argv, struct run *r)
{
	char out_path[512];
	char err_path[512];
	const char *args[MAX_ARGS];
	size_t argc = 0;
	int wstatus = 0;
	pid_t pid;

	path_in_temp(out_path, sizeof(out_path), "run.stdout");
	path_in_temp(err_path, sizeof(err_path), "run.stderr");
	args[argc++] = program;
	for (size_t i = 1; argv[i] != NULL; i++) {
		assert_true(argc + 1 < MAX_ARGS);
		args[argc++] = argv[i];
	}
	args[argc] = NULL;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open(stdin_path != NULL ? stdin_path : "/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0 || err < 0 || chdir(cwd) != 0)
			_exit(127);
		dup2(in, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execv(program, (char *const *)args);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	r->out = read_whole(out_path, &r->out_len);
	r->err = read_whole(err_path, &r->err_len);
	assert_non_null(r->out);
	assert_non_null(r->err);
}

/* Run the teep program under test; see run_program(). */
static void run_teep(const char *cwd, const char *stdin_path, const char *const *argv,
		     struct run *r)
{
	run_program(TK_TEEP_PROGRAM, cwd, stdin_path, argv, r);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* The golden text of a run: exit status, then stdout, then stderr. */
static char *format_run(const struct run *r)
{
	size_t cap = r->out_len + r->err_len + 64;
	char *text = malloc(cap);

	assert_non_null(text);
	snprintf(text, cap, "exit: %d\n--- stdout\n%s--- stderr\n%s", r->status, r->out, r->err);
	return text;
}

/* Compare a run with golden/<name>.txt, or rewrite it under TK_UPDATE_GOLDEN. */
static void check_golden(const char *description, const char *name, const struct run *r)
{
	char path[512];
	char *actual = format_run(r);
	char *expected;
	const char *update = getenv("TK_UPDATE_GOLDEN");

	snprintf(path, sizeof(path), "%s/%s.txt", GOLDEN_DIR, name);
	if (update != NULL && strcmp(update, "1") == 0)
		write_whole(path, actual, strlen(actual));
	expected = read_whole(path, NULL);
	if (expected == NULL || strcmp(expected, actual) != 0) {
		print_error("%s: output differs from %s\n--- expected\n%s--- actual\n%s",
			    description, path, expected != NULL ? expected : "(missing)\n",
			    actual);
		free(expected);
		free(actual);
		fail();
	}
	free(expected);
	free(actual);
}

/* One golden case: arguments, where they run, and what they show. */
struct golden_case {
	const char *name;        /* golden file name, also the test's label */
	const char *description;
	const char *cwd;         /* directory the relative paths are in */
	const char *argv[12];    /* after "teep", NULL-terminated */
	int expected_status;
};

static const struct golden_case vector_cases[] = {
	{"inspect_query_request", "draft QueryRequest example", VECTORS_TEEP,
	 {"inspect", "--hex", "query_request.hex.txt"}, 0},
	{"inspect_query_response", "draft QueryResponse example", VECTORS_TEEP,
	 {"inspect", "--hex", "query_response.hex.txt"}, 0},
	{"inspect_update", "draft Update example (older inner manifest)", VECTORS_TEEP,
	 {"inspect", "--hex", "update.hex.txt"}, 0},
	{"inspect_teep_success", "draft Success example", VECTORS_TEEP,
	 {"inspect", "--hex", "teep_success.hex.txt"}, 0},
	{"inspect_teep_error", "draft Error example", VECTORS_TEEP,
	 {"inspect", "--hex", "teep_error.hex.txt"}, 0},
	{"inspect_suit_uri", "draft SUIT envelope fetching by URI", VECTORS_TEEP,
	 {"inspect", "--hex", "suit_uri.hex.txt"}, 0},
	{"inspect_suit_integrated", "draft SUIT envelope with integrated payload",
	 VECTORS_TEEP, {"inspect", "--hex", "suit_integrated.hex.txt"}, 0},
	{"inspect_suit_personalization", "draft SUIT envelope with encrypted PD",
	 VECTORS_TEEP, {"inspect", "--hex", "suit_personalization.hex.txt"}, 0},
};

/*
 * Inputs of the other kinds inspect recognises, in tests/cli/valid/
 * (generated with Python cbor2; signatures are zeros, so none verifies),
 * and the draft's envelopes authenticated with the key that signed them.
 */
static const struct golden_case valid_cases[] = {
	{"valid_sign1_teep_success", "COSE_Sign1 carrying a TEEP Success", VALID_DIR,
	 {"inspect", "--hex", "sign1_teep_success.hex"}, 0},
	{"valid_sign_teep_query_request", "COSE_Sign with two signers carrying a QueryRequest",
	 VALID_DIR, {"inspect", "--hex", "sign_teep_query_request.hex"}, 0},
	{"valid_eat_cwt", "CWT-tagged COSE_Sign1 carrying EAT claims", VALID_DIR,
	 {"inspect", "--hex", "eat_cwt.hex"}, 0},
	{"valid_eat_claims", "bare EAT claims set", VALID_DIR,
	 {"inspect", "--hex", "eat_claims.hex"}, 0},
	{"valid_eat_tpm_claims", "EAT claims with tpm-quote and encryption kid", VALID_DIR,
	 {"inspect", "--hex", "eat_tpm_claims.hex"}, 0},
	{"valid_query_response_eat", "QueryResponse with EAT evidence", VALID_DIR,
	 {"inspect", "--hex", "query_response_eat.hex"}, 0},
	{"valid_mac0", "tagged COSE_Mac0", VALID_DIR, {"inspect", "--hex", "mac0.hex"}, 0},
	{"valid_encrypt0", "untagged COSE_Encrypt0", VALID_DIR,
	 {"inspect", "--hex", "encrypt0.hex"}, 0},
	{"valid_sign1_suit_report", "COSE_Sign1 carrying a SUIT report", VALID_DIR,
	 {"inspect", "--hex", "sign1_suit_report.hex"}, 0},
	{"key_suit_uri", "draft URI envelope authenticated with its signer's key",
	 VECTORS_TEEP, {"inspect", "--hex", "--key", SUIT_EXAMPLE_KEY, "suit_uri.hex.txt"}, 0},
	{"key_suit_integrated", "draft integrated envelope authenticated", VECTORS_TEEP,
	 {"inspect", "--hex", "--key", SUIT_EXAMPLE_KEY, "suit_integrated.hex.txt"}, 0},
	{"key_sign1_zero_signature", "a zero signature fails verification", VALID_DIR,
	 {"inspect", "--hex", "--key", TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem",
	  "sign1_teep_success.hex"}, 1},
	{"key_unsigned_teep", "--key on an unsigned message fails", VECTORS_TEEP,
	 {"inspect", "--hex", "--key", SUIT_EXAMPLE_KEY, "teep_success.hex.txt"}, 1},
	{"manifest_verify_suit_uri", "manifest verify of the draft URI envelope", VECTORS_TEEP,
	 {"manifest", "verify", "--hex", "--key", SUIT_EXAMPLE_KEY, "suit_uri.hex.txt"}, 0},
	{"manifest_verify_wrong_key", "manifest verify with a key that did not sign",
	 VECTORS_TEEP, {"manifest", "verify", "--hex", "--key", RECIPIENT_KEY,
			"suit_personalization.hex.txt"}, 1},
	{"manifest_build_example0", "manifest build of the SUIT draft's example 0",
	 MANIFEST_FIXTURES, {"manifest", "build", "--desc", "example0.json", "--key",
			     TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem", "--out",
			     TEMP_ENVELOPE}, 0},
	{"manifest_build_no_key", "manifest build without --key is misuse", MANIFEST_FIXTURES,
	 {"manifest", "build", "--desc", "example0.json", "--out", TEMP_ENVELOPE}, 2},
	{"manifest_build_not_json", "manifest build of a file that is not JSON",
	 MANIFEST_FIXTURES, {"manifest", "build", "--desc", "tee_recipient.pub.pem", "--key",
			     TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem", "--out",
			     TEMP_ENVELOPE}, 1},
};

/*
 * Malformed inputs, each an annotated hex file in tests/cli/malformed/
 * whose first line describes the defect. Every one must fail with exit 1 and
 * the one-line error naming field and byte offset.
 */
static const char *const malformed_cases[] = {
	"truncated_token",      /* token bstr cut short */
	"trailing_byte",        /* a byte after a valid Success */
	"token_text",           /* token as a text string */
	"token_short",          /* 4-byte token, below 8 */
	"token_long",           /* 65-byte token, above 64 */
	"unknown_type",         /* TEEP message type 4 */
	"err_code_zero",        /* Error with the reserved err-code 0 */
	"err_msg_empty",        /* Error with an empty err-msg */
	"query_request_short",  /* QueryRequest missing its positional fields */
	"cipher_suites_empty",  /* QueryRequest with no cipher suite */
	"duplicate_key",        /* token twice in one options map */
	"indefinite_array",     /* indefinite-length TEEP message */
	"non_preferred",        /* message type in a two-byte head */
	"reserved_ai",          /* additional information 28 */
	"too_deep",             /* 40 nested arrays */
	"empty",                /* no bytes at all */
	"odd_digits",           /* hex with an odd number of digits */
	"nul_byte",             /* a NUL byte among the hex digits */
	"scalar",               /* a bare integer */
	"unknown_tag",          /* tag 256 around an integer */
	"suit_no_manifest",     /* tagged envelope without key 3 */
	"suit_unknown_key",     /* envelope with an unknown integer key */
	"suit_empty_wrapper",   /* envelope with empty wrapper and manifest */
	"suit_wrapper_ints",    /* envelope with wrapper [0, 0] and manifest {} */
	"cose_sign1_bad_protected", /* COSE_Sign1 with a map as protected header */
	"cose_sign1_teep_bad",  /* COSE_Sign1 carrying a TEEP Success with a short token */
	"mac0_bad_tag",         /* COSE_Mac0 whose tag is an integer */
	"encrypt0_short",       /* COSE_Encrypt0 with two elements */
	"eat_nonce_int",        /* EAT claims set with an integer eat_nonce */
	"suit_report_reason",   /* SUIT report with the unknown reason 13 */
};

static void run_golden(const struct golden_case *c)
{
	const char *argv[14] = {"teep"};
	struct run r;

	for (size_t i = 0; c->argv[i] != NULL; i++)
		argv[i + 1] = c->argv[i];
	run_teep(c->cwd, NULL, argv, &r);
	if (r.status != c->expected_status)
		print_error("%s: exit %d, expected %d\nstderr: %s", c->description, r.status,
			    c->expected_status, r.err);
	assert_int_equal(r.status, c->expected_status);
	check_golden(c->description, c->name, &r);
	run_free(&r);
}

static void test_inspect_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vector_cases) / sizeof(vector_cases[0]); i++)
		run_golden(&vector_cases[i]);
}

static void test_inspect_other_kinds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++)
		run_golden(&valid_cases[i]);
}

/* Count lines; the error of an invalid input must be exactly one. */
static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void test_inspect_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		char file[128];
		char golden[128];
		char prefix[200];
		const char *argv[] = {"teep", "inspect", "--hex", file, NULL};
		struct run r;

		snprintf(file, sizeof(file), "%s.hex", malformed_cases[i]);
		snprintf(golden, sizeof(golden), "malformed_%s", malformed_cases[i]);
		run_teep(MALFORMED_DIR, NULL, argv, &r);
		if (r.status != 1 || r.out_len != 0 || count_lines(r.err) != 1)
			print_error("%s: exit %d (expected 1), %zu stdout bytes (expected 0), "
				    "stderr: %s", file, r.status, r.out_len, r.err);
		assert_int_equal(r.status, 1);
		assert_int_equal(r.out_len, 0);
		assert_int_equal(count_lines(r.err), 1);
		assert_non_null(strstr(r.err, "teep: inspect: "));
		/* The error follows the file name in the tk_diag_format() form. */
		snprintf(prefix, sizeof(prefix), "teep: inspect: %s: TK_ERR_", file);
		assert_true(strncmp(r.err, prefix, strlen(prefix)) == 0);
		/* Only a file the hex reader rejects has no decoded byte to point at. */
		if (strcmp(malformed_cases[i], "odd_digits") != 0 &&
		    strcmp(malformed_cases[i], "nul_byte") != 0)
			assert_non_null(strstr(r.err, " at byte offset "));
		check_golden(file, golden, &r);
		run_free(&r);
	}
}

/* Decode the draft's annotated hex as its README specifies, for oracles. */
static size_t decode_hex_file(const char *path, uint8_t *out, size_t cap)
{
	char *text = read_whole(path, NULL);
	size_t len = 0;
	int high = -1;
	int comment = 0;

	assert_non_null(text);
	for (const char *p = text; *p != '\0'; p++) {
		int v = -1;

		if (*p == '\n')
			comment = 0;
		else if (*p == '#')
			comment = 1;
		if (comment)
			continue;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		if (v < 0)
			continue;
		if (high < 0) {
			high = v;
		} else {
			assert_true(len < cap);
			out[len++] = (uint8_t)(high << 4 | v);
			high = -1;
		}
	}
	free(text);
	return len;
}

/* Binary input and standard input print what --hex prints for the same bytes. */
static void test_inspect_binary_and_stdin(void **state)
{
	static uint8_t bytes[8192];
	char bin_path[512];
	char hex_path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(vector_cases) / sizeof(vector_cases[0]); i++) {
		const char *hex_name = vector_cases[i].argv[2];
		const char *hex_argv[] = {"teep", "inspect", "--hex", hex_name, NULL};
		const char *bin_argv[] = {"teep", "inspect", bin_path, NULL};
		const char *stdin_argv[] = {"teep", "inspect", "-", NULL};
		const char *stdin_hex_argv[] = {"teep", "inspect", "--hex", "-", NULL};
		struct run hex;
		struct run bin;
		struct run in;
		struct run in_hex;
		size_t len;

		snprintf(hex_path, sizeof(hex_path), "%s/%s", VECTORS_TEEP, hex_name);
		len = decode_hex_file(hex_path, bytes, sizeof(bytes));
		path_in_temp(bin_path, sizeof(bin_path), "input.cbor");
		write_whole(bin_path, bytes, len);

		run_teep(VECTORS_TEEP, NULL, hex_argv, &hex);
		run_teep(VECTORS_TEEP, NULL, bin_argv, &bin);
		run_teep(VECTORS_TEEP, bin_path, stdin_argv, &in);
		run_teep(VECTORS_TEEP, hex_path, stdin_hex_argv, &in_hex);
		assert_int_equal(hex.status, 0);
		assert_int_equal(bin.status, 0);
		assert_int_equal(in.status, 0);
		assert_int_equal(in_hex.status, 0);
		assert_string_equal(bin.out, hex.out);
		assert_string_equal(in.out, hex.out);
		assert_string_equal(in_hex.out, hex.out);
		run_free(&hex);
		run_free(&bin);
		run_free(&in);
		run_free(&in_hex);
	}
}

/*
 * The COSE WG examples listed in cose/MANIFEST.tsv (file, input kind, outer
 * tag, expected, failures injected, title). inspect verifies nothing, so a
 * row whose failure is cryptographic (changed signature or tag, unknown
 * algorithm) still decodes. Only a row whose outer tag is wrong for its
 * structure must be rejected.
 */
struct cose_row {
	char file[256];
	char outer_tag[32];
	char expected[16];
	char injected[128];
};

/* Rows the COSE layer rejects on purpose, with the reason. */
static const char *const cose_rejected_on_purpose[] = {
	/* A text label in the protected header is a parameter the COSE layer
	 * does not understand, and protected parameters not understood are
	 * rejected. */
	"RFC8152/Appendix_C_1_4.json",
};

static bool parse_cose_row(char *line, struct cose_row *row)
{
	char *fields[6];
	size_t n = 0;

	for (char *p = line; n < 6; n++) {
		fields[n] = p;
		p = strchr(p, '\t');
		if (p == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 5 || line[0] == '#')
		return false;
	fields[n - 1][strcspn(fields[n - 1], "\n")] = '\0';
	snprintf(row->file, sizeof(row->file), "%s", fields[0]);
	snprintf(row->outer_tag, sizeof(row->outer_tag), "%s", fields[2]);
	snprintf(row->expected, sizeof(row->expected), "%s", fields[3]);
	snprintf(row->injected, sizeof(row->injected), "%s", fields[4]);
	return true;
}

static int expected_cose_status(const struct cose_row *row)
{
	for (size_t i = 0; i < sizeof(cose_rejected_on_purpose) / sizeof(char *); i++) {
		if (strcmp(row->file, cose_rejected_on_purpose[i]) == 0)
			return 1;
	}
	/* A numeric outer tag (992, 995, 998) is no COSE tag at all. */
	if (row->outer_tag[0] >= '0' && row->outer_tag[0] <= '9')
		return 1;
	/* A COSE_Mac relabelled with the COSE_Mac0 tag has five elements. */
	if (strstr(row->injected, "ChangeCBORTag") != NULL)
		return 1;
	return 0;
}

static void test_inspect_cose_examples(void **state)
{
	char path[512];
	char line[1024];
	FILE *manifest;
	size_t rows = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/cose/MANIFEST.tsv", TK_VECTORS_DIR);
	manifest = fopen(path, "r");
	assert_non_null(manifest);
	assert_non_null(fgets(line, sizeof(line), manifest)); /* header */
	while (fgets(line, sizeof(line), manifest) != NULL) {
		struct cose_row row;
		char hex[300];
		const char *argv[] = {"teep", "inspect", "--hex", hex, NULL};
		struct run r;
		int expected;

		if (!parse_cose_row(line, &row))
			continue;
		snprintf(hex, sizeof(hex), "%.*s.cbor.hex", (int)(strlen(row.file) - 5), row.file);
		expected = expected_cose_status(&row);
		run_teep(TK_VECTORS_DIR "/cose", NULL, argv, &r);
		if (r.status != expected)
			print_error("%s (%s, %s %s): exit %d, expected %d\nstderr: %s", row.file,
				    row.outer_tag, row.expected, row.injected, r.status, expected,
				    r.err);
		assert_int_equal(r.status, expected);
		if (expected == 0 && strcmp(row.outer_tag, "None") != 0)
			assert_non_null(strstr(r.out, row.outer_tag));
		if (expected == 1)
			assert_int_equal(count_lines(r.err), 1);
		run_free(&r);
		rows++;
	}
	fclose(manifest);
	/* The manifest lists 186 examples; all must have run. */
	assert_int_equal(rows, 186);
}

static const struct golden_case usage_cases[] = {
	{"usage_help", "teep -h prints the usage to stdout", "/", {"-h"}, 0},
	{"usage_keygen_help", "teep keygen -h prints its options", "/", {"keygen", "-h"}, 0},
	{"usage_manifest_help", "teep manifest --help prints its options", "/",
	 {"manifest", "--help"}, 0},
	{"usage_inspect_help", "teep inspect -h prints its options", "/", {"inspect", "-h"}, 0},
	{"usage_no_command", "teep without a command is misuse", "/", {NULL}, 2},
	{"usage_unknown_command", "an unknown command is misuse", "/", {"frobnicate"}, 2},
	{"usage_unknown_option", "an unknown option is misuse", "/",
	 {"inspect", "--bogus", "x"}, 2},
	{"usage_short_option", "an unknown short option is misuse", "/",
	 {"inspect", "-x", "file"}, 2},
	{"usage_missing_operand", "inspect without FILE is misuse", "/", {"inspect"}, 2},
	{"usage_extra_operand", "inspect with two files is misuse", "/",
	 {"inspect", "a", "b"}, 2},
	{"usage_missing_value", "an option without its value is misuse", "/",
	 {"keygen", "--out"}, 2},
	{"usage_missing_required", "keygen without --out is misuse", "/",
	 {"keygen", "--alg", "esp256"}, 2},
	{"usage_bad_alg", "keygen with an unknown algorithm is misuse", "/",
	 {"keygen", "--alg", "rsa", "--out", "k.pem"}, 2},
	{"usage_flag_value", "a flag given a value is misuse", "/",
	 {"inspect", "--hex=yes", "f"}, 2},
	{"usage_manifest_no_source", "manifest needs --uri or --integrated", "/",
	 {"manifest", "--key", "k", "--component-id", "814100", "--seq", "1", "--out", "o",
	  "ta"}, 2},
	{"inspect_missing_file", "inspect of a missing file fails", "/",
	 {"inspect", "/nonexistent/teep-input.cbor"}, 1},
	{"inspect_pem", "inspect of a PEM key says it is PEM",
	 TK_VECTORS_DIR "/suit/manifest-spec", {"inspect", "private_key.pem"}, 1},
	{"inspect_pem_hex", "inspect --hex of a PEM key says it is PEM",
	 TK_VECTORS_DIR "/suit/manifest-spec", {"inspect", "--hex", "private_key.pem"}, 1},
	{"inspect_binary_as_hex", "inspect --hex of binary CBOR says it is not hex",
	 MALFORMED_DIR, {"inspect", "--hex", "binary_envelope.cbor"}, 1},
};

static void test_usage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++)
		run_golden(&usage_cases[i]);
}

/* --version prints the project version from CMake on stdout and exits 0. */
static void test_version(void **state)
{
	const char *argv[] = {"teep", "--version", NULL};
	struct run r;

	(void)state;
	run_teep("/", NULL, argv, &r);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "teep " TK_PROJECT_VERSION "\n");
	assert_string_equal(r.err, "");
	run_free(&r);
}

/* Misuse of manifest options, checked by exit status and first line. */
static void test_manifest_misuse(void **state)
{
	static const struct {
		const char *description;
		const char *argv[16];
		const char *message;
	} cases[] = {
		{"both --uri and --integrated",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "1",
		  "--uri", "https://a/b", "--integrated", "--out", "o", "ta"},
		 "exactly one of --uri or --integrated is required"},
		{"component id not hex",
		 {"teep", "manifest", "--key", "k", "--component-id", "81zz", "--seq", "1",
		  "--integrated", "--out", "o", "ta"},
		 "invalid --component-id 81zz"},
		{"component id not an array",
		 {"teep", "manifest", "--key", "k", "--component-id", "4141", "--seq", "1",
		  "--integrated", "--out", "o", "ta"},
		 "invalid --component-id 4141"},
		{"component id an empty array",
		 {"teep", "manifest", "--key", "k", "--component-id", "80", "--seq", "1",
		  "--integrated", "--out", "o", "ta"},
		 "invalid --component-id 80"},
		{"sequence number negative",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "-1",
		  "--integrated", "--out", "o", "ta"},
		 "invalid --seq -1"},
		{"sequence number above 2^64-1",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq",
		  "18446744073709551616", "--integrated", "--out", "o", "ta"},
		 "invalid --seq 18446744073709551616"},
		{"vendor id not a UUID",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "1",
		  "--vendor-id", "c0ddd5f1", "--integrated", "--out", "o", "ta"},
		 "invalid --vendor-id c0ddd5f1"},
		{"URI with an ftp scheme",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "1",
		  "--uri", "ftp://x/y", "--out", "o", "ta.bin"},
		 "invalid --uri ftp://x/y (expected an http:// or https:// URI"},
		{"URI with only a scheme",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "1",
		  "--uri", "https://", "--out", "o", "ta.bin"},
		 "invalid --uri https:// (expected an http:// or https:// URI"},
		{"URI with an uppercase scheme",
		 {"teep", "manifest", "--key", "k", "--component-id", "814100", "--seq", "1",
		  "--uri", "HTTP://x/y", "--out", "o", "ta.bin"},
		 "invalid --uri HTTP://x/y"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_teep(temp_dir, NULL, cases[i].argv, &r);
		if (r.status != 2 || strstr(r.err, cases[i].message) == NULL)
			print_error("%s: exit %d (expected 2), stderr: %s", cases[i].description,
				    r.status, r.err);
		assert_int_equal(r.status, 2);
		assert_int_equal(r.out_len, 0);
		assert_non_null(strstr(r.err, cases[i].message));
		assert_non_null(strstr(r.err, "\nusage: teep manifest "));
		run_free(&r);
	}
}

/* A --uri above the 2048-byte SUIT limit is misuse, not a failure. */
static void test_manifest_long_uri(void **state)
{
	static char uri[2050];
	const char *argv[] = {"teep", "manifest", "--key", "k", "--component-id", "814100",
			      "--seq", "1", "--uri", uri, "--out", "o", "ta.bin", NULL};
	struct run r;

	(void)state;
	memcpy(uri, "https://", 8);
	memset(uri + 8, 'a', sizeof(uri) - 9);
	uri[sizeof(uri) - 1] = '\0';
	run_teep(temp_dir, NULL, argv, &r);
	assert_int_equal(r.status, 2);
	assert_int_equal(r.out_len, 0);
	assert_non_null(strstr(r.err, "of at most 2048 bytes"));
	run_free(&r);
}

/* keygen prints "kid: " and 64 lowercase hex digits on one line. */
static void assert_kid_line(const char *out)
{
	assert_int_equal(strlen(out), 70);
	assert_memory_equal(out, "kid: ", 5);
	for (size_t i = 5; i < 69; i++)
		assert_non_null(strchr("0123456789abcdef", out[i]));
	assert_int_equal(out[69], '\n');
}

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/*
 * Independent oracle for the kid: the RFC 9679 thumbprint of a public key
 * PEM computed with Python's cryptography and cbor2 packages. The COSE_Key
 * labels used (1, -1, -2, -3) each encode in one byte, so cbor2's canonical
 * order equals the RFC 8949 deterministic order the RFC requires.
 */
static const char thumbprint_script[] =
	"import sys, hashlib, cbor2\n"
	"from cryptography.hazmat.primitives import serialization as s\n"
	"from cryptography.hazmat.primitives.asymmetric import ec\n"
	"k = s.load_pem_public_key(open(sys.argv[1], 'rb').read())\n"
	"if isinstance(k, ec.EllipticCurvePublicKey):\n"
	"    n = k.public_numbers()\n"
	"    m = {1: 2, -1: 1, -2: n.x.to_bytes(32, 'big'), -3: n.y.to_bytes(32, 'big')}\n"
	"else:\n"
	"    m = {1: 1, -1: 6, -2: k.public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)}\n"
	"print(hashlib.sha256(cbor2.dumps(m, canonical=True)).hexdigest())\n";

static void check_kid_with_python(const char *pub_path, const char *kid_line)
{
	const char *argv[] = {"python3", "-c", thumbprint_script, pub_path, NULL};
	struct run r;

	run_program("/usr/bin/python3", temp_dir, NULL, argv, &r);
	if (r.status != 0)
		print_error("python3 thumbprint oracle failed: %s", r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, kid_line + strlen("kid: "));
	run_free(&r);
}

static void test_keygen_files(void **state)
{
	static const char *const algs[] = {"esp256", "ed25519"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char priv[512];
		char pub[512];
		const char *argv[] = {"teep", "keygen", "--alg", algs[i], "--out", priv,
				      "--pub", pub, NULL};
		const char *force_argv[] = {"teep", "keygen", "--alg", algs[i], "--out", priv,
					    "--pub", pub, "--force", NULL};
		char *first_key;
		char *pub_text;
		char *key_after_reject;
		char *forced_key;
		struct run r;

		path_in_temp(priv, sizeof(priv), "priv.pem");
		path_in_temp(pub, sizeof(pub), "pub.pem");
		unlink(priv);
		unlink(pub);

		/* First run: private key 0600, PKCS#8; public key SPKI; kid printed. */
		run_teep(temp_dir, NULL, argv, &r);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.err, "");
		assert_kid_line(r.out);
		check_kid_with_python(pub, r.out);
		run_free(&r);
		assert_int_equal(file_mode(priv), 0600);
		first_key = read_whole(priv, NULL);
		assert_non_null(strstr(first_key, "-----BEGIN PRIVATE KEY-----"));
		pub_text = read_whole(pub, NULL);
		assert_non_null(strstr(pub_text, "-----BEGIN PUBLIC KEY-----"));
		free(pub_text);

		/* Second run without --force: refused, key unchanged. */
		run_teep(temp_dir, NULL, argv, &r);
		assert_int_equal(r.status, 1);
		assert_int_equal(r.out_len, 0);
		assert_non_null(strstr(r.err, "already exists"));
		assert_int_equal(count_lines(r.err), 1);
		run_free(&r);
		key_after_reject = read_whole(priv, NULL);
		assert_string_equal(key_after_reject, first_key);
		assert_int_equal(file_mode(priv), 0600);

		/* With --force: a new key replaces the old one, still 0600. */
		assert_int_equal(chmod(priv, 0644), 0);
		run_teep(temp_dir, NULL, force_argv, &r);
		assert_int_equal(r.status, 0);
		assert_kid_line(r.out);
		run_free(&r);
		forced_key = read_whole(priv, NULL);
		assert_string_not_equal(forced_key, first_key);
		assert_int_equal(file_mode(priv), 0600);

		free(first_key);
		free(key_after_reject);
		free(forced_key);
		unlink(priv);
		unlink(pub);
	}
}

/* keygen never writes through a symlink planted at the output path. */
static void test_keygen_symlink(void **state)
{
	char priv[512];
	char target[512];
	const char *argv[] = {"teep", "keygen", "--alg", "esp256", "--out", priv, NULL};
	struct run r;
	struct stat st;

	(void)state;
	path_in_temp(priv, sizeof(priv), "link.pem");
	path_in_temp(target, sizeof(target), "link-target");
	unlink(priv);
	unlink(target);
	assert_int_equal(symlink(target, priv), 0);
	run_teep(temp_dir, NULL, argv, &r);
	assert_int_equal(r.status, 1);
	assert_int_equal(stat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	run_free(&r);
	unlink(priv);
}

/* Value of a `name: value` line of r->out; copied into out. */
static void output_field(const struct run *r, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *line;
	size_t n = 0;

	snprintf(key, sizeof(key), "%s: ", name);
	line = strstr(r->out, key);
	if (line == NULL)
		print_error("no %s line in:\n%s", name, r->out);
	assert_non_null(line);
	line += strlen(key);
	while (line[n] != '\n' && line[n] != '\0' && n + 1 < cap)
		n++;
	memcpy(out, line, n);
	out[n] = '\0';
}

static void test_manifest_round_trip(void **state)
{
	static const char *const algs[] = {"esp256", "ed25519"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		for (int integrated = 0; integrated < 2; integrated++) {
			char key[512];
			char pub[512];
			char env[512];
			char value[256];
			const char *keygen_argv[] = {"teep", "keygen", "--alg", algs[i],
						     "--out", key, "--pub", pub, NULL};
			const char *manifest_argv[] = {
				"teep", "manifest", "--key", key, "--component-id",
				EXAMPLE_COMPONENT_ID, "--seq", "7", "--vendor-id",
				"c0ddd5f1-5243-5660-87db-4f5b0aa26c2f", "--class-id",
				"db42f709-3d8c-55ba-a8c5-265fc5820f4e",
				integrated ? "--integrated" : "--uri",
				integrated ? "--out" : "https://example.org/ta",
				integrated ? env : "--out", integrated ? EXAMPLE_TA : env,
				integrated ? NULL : EXAMPLE_TA, NULL};
			const char *inspect_argv[] = {"teep", "inspect", env, NULL};
			const char *verify_argv[] = {"teep", "inspect", "--key", pub, env, NULL};
			const char *wrong_key_argv[] = {
				"teep", "inspect", "--key",
				TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem", env, NULL};
			struct run r;

			path_in_temp(key, sizeof(key), "signer.pem");
			path_in_temp(pub, sizeof(pub), "signer.pub.pem");
			unlink(pub);
			path_in_temp(env, sizeof(env), "envelope.cbor");
			unlink(key);
			run_teep(temp_dir, NULL, keygen_argv, &r);
			assert_int_equal(r.status, 0);
			run_free(&r);

			run_teep(VECTORS_TEEP, NULL, manifest_argv, &r);
			if (r.status != 0)
				print_error("manifest (%s, %s) failed: %s", algs[i],
					    integrated ? "integrated" : "uri", r.err);
			assert_int_equal(r.status, 0);
			output_field(&r, "manifest-component-id", value, sizeof(value));
			assert_string_equal(value, EXAMPLE_COMPONENT_ID);
			output_field(&r, "sequence-number", value, sizeof(value));
			assert_string_equal(value, "7");
			output_field(&r, "image-digest", value, sizeof(value));
			assert_string_equal(value, "sha-256:" EXAMPLE_TA_SHA256);
			output_field(&r, "manifest-component-id-diag", value, sizeof(value));
			assert_non_null(strstr(value, "h'8d82573a926d4754935332dc29997f74'"));
			run_free(&r);

			run_teep(temp_dir, NULL, inspect_argv, &r);
			if (r.status != 0)
				print_error("inspect of the built envelope failed: %s", r.err);
			assert_int_equal(r.status, 0);
			assert_non_null(strstr(r.out, "/ SUIT envelope (signature not checked: "
						      "use --key) /\n"));
			assert_non_null(strstr(r.out, "2 / manifest-sequence-number /: 7"));
			assert_non_null(strstr(r.out, EXAMPLE_TA_SHA256));
			if (integrated)
				assert_non_null(strstr(r.out, "\"#tc\""));
			else
				assert_non_null(strstr(r.out, "\"https://example.org/ta\""));
			run_free(&r);

			/* The signer's public key authenticates it; another key does not. */
			run_teep(temp_dir, NULL, verify_argv, &r);
			if (r.status != 0)
				print_error("inspect --key of the built envelope failed: %s", r.err);
			assert_int_equal(r.status, 0);
			assert_non_null(strstr(r.out, "/ SUIT envelope, authenticated, "
						      "sequence number 7 /"));
			run_free(&r);
			run_teep(temp_dir, NULL, wrong_key_argv, &r);
			assert_int_equal(r.status, 1);
			assert_int_equal(r.out_len, 0);
			assert_int_equal(count_lines(r.err), 1);
			run_free(&r);

			unlink(key);
			unlink(pub);
			unlink(env);
		}
	}
}

/*
 * manifest build with two --key: the example P-256 key, as ES256 through
 * the description's signers, and a fresh Ed25519 key. manifest verify
 * accepts either key alone and names the key file that verified when given
 * a wrong key first. With only a wrong key it fails.
 */
static void test_manifest_build_two_signers(void **state)
{
	static const char desc[] = "{\"manifest-sequence-number\": 9, \"components\": [[\"00\"]], "
				   "\"signers\": [{\"alg\": \"ES256\"}, {\"kid\": \"thumbprint\"}]}";
	char desc_path[512], key[512], pub[512], env[512];
	const char *keygen_argv[] = {"teep", "keygen", "--alg", "ed25519", "--out", key,
				     "--pub", pub, "--force", NULL};
	const char *build_argv[] = {"teep", "manifest", "build", "--desc", desc_path, "--key",
				    SUIT_EXAMPLE_KEY, "--key", key, "--out", env, NULL};
	const struct {
		const char *first;
		const char *second; /* NULL: only one --key */
		int status;
		const char *named; /* key file the first line names */
	} rows[] = {
		{SUIT_EXAMPLE_KEY, NULL, 0, SUIT_EXAMPLE_KEY},
		{pub, NULL, 0, pub},
		{RECIPIENT_KEY, pub, 0, pub},
		{RECIPIENT_KEY, NULL, 1, NULL},
	};
	struct run r;

	(void)state;
	path_in_temp(desc_path, sizeof(desc_path), "input.cbor");
	path_in_temp(key, sizeof(key), "signer.pem");
	path_in_temp(pub, sizeof(pub), "signer.pub.pem");
	path_in_temp(env, sizeof(env), "envelope.cbor");
	write_whole(desc_path, desc, strlen(desc));
	run_teep(temp_dir, NULL, keygen_argv, &r);
	assert_int_equal(r.status, 0);
	run_free(&r);
	run_teep(VECTORS_TEEP, NULL, build_argv, &r);
	if (r.status != 0)
		print_error("manifest build with two keys failed: %s", r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "sequence-number: 9\n"));
	run_free(&r);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *one[] = {"teep", "manifest", "verify", "--key", rows[i].first, env,
				     NULL};
		const char *two[] = {"teep", "manifest", "verify", "--key", rows[i].first,
				     "--key", rows[i].second, env, NULL};
		char first_line[600];

		run_teep(VECTORS_TEEP, NULL, rows[i].second != NULL ? two : one, &r);
		assert_int_equal(r.status, rows[i].status);
		if (rows[i].named != NULL) {
			snprintf(first_line, sizeof(first_line),
				 "/ SUIT envelope, authenticated by %s, sequence number 9 /\n",
				 rows[i].named);
			assert_true(strncmp(r.out, first_line, strlen(first_line)) == 0);
			assert_non_null(strstr(r.out, "4 / kid /: h'"));
			assert_non_null(strstr(r.out, "1 / alg /: -7\n"));
			assert_non_null(strstr(r.out, "1 / alg /: -19\n"));
		} else {
			assert_non_null(strstr(r.err, "TK_ERR_SIGNATURE"));
		}
		run_free(&r);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(temp_dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char path[512];
	static const char *const names[] = {"run.stdout", "run.stderr", "input.cbor",
					    "priv.pem", "pub.pem", "signer.pem", "signer.pub.pem",
					    "envelope.cbor", "link.pem"};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_in_temp(path, sizeof(path), names[i]);
		unlink(path);
	}
	unlink(TEMP_ENVELOPE);
	return rmdir(temp_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect_vectors),
		cmocka_unit_test(test_inspect_other_kinds),
		cmocka_unit_test(test_inspect_malformed),
		cmocka_unit_test(test_inspect_binary_and_stdin),
		cmocka_unit_test(test_inspect_cose_examples),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_manifest_misuse),
		cmocka_unit_test(test_manifest_long_uri),
		cmocka_unit_test(test_keygen_files),
		cmocka_unit_test(test_manifest_build_two_signers),
		cmocka_unit_test(test_keygen_symlink),
		cmocka_unit_test(test_manifest_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
