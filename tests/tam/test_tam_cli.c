/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the teep-tam program's command line, run as a process: the
 * admin commands and their output, which commands may create a database,
 * the one-line failure format, argument checks and the start and stop of
 * serve. Databases are prepared through the store API, so no SUIT envelope
 * or agent is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "crypto/tk_crypto.h"
#include "store/tk_store_sqlite.h"

#include "proc.h"

/* Manifest component id [h'ta'] as hex CBOR, and its bytes. */
#define TA_ID_HEX "81427461"
static const uint8_t ta_id[] = {0x81, 0x42, 't', 'a'};

/* A UEID of the minimum length, 7 bytes (RFC 9711). */
#define UEID_7 "01020304050607"

struct cli {
	char dir[64];
	char db[96];
	char scratch[96];
	struct proc_result result;
};

static int setup(void **state)
{
	struct cli *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-tam-cli-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/tam.sqlite", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct cli *t = *state;

	proc_remove_tree(t->dir);
	free(t);
	return 0;
}

static const char *path_in(struct cli *t, const char *name)
{
	snprintf(t->scratch, sizeof(t->scratch), "%s/%s", t->dir, name);
	return t->scratch;
}

/* Run teep-tam with argv (after the program name); check the exit status. */
static void run_tam(struct cli *t, int expected, const char *const args[])
{
	const char *argv[16] = {TK_TAM_BIN};
	size_t n = 1;

	for (; args[n - 1] != NULL; n++) {
		assert_true(n < 15);
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	assert_int_equal(proc_run(&t->result, argv), 0);
	if (t->result.exit_code != expected)
		fail_msg("teep-tam %s exited %d, expected %d\nstdout: %s\nstderr: %s", args[0],
			 t->result.exit_code, expected, t->result.out, t->result.err);
}

/* Check that stderr is exactly one line, equal to `line` plus a newline. */
static void assert_one_error_line(const struct cli *t, const char *line)
{
	char expected[512];

	snprintf(expected, sizeof(expected), "%s\n", line);
	if (strcmp(t->result.err, expected) != 0)
		fail_msg("stderr:\n%sexpected:\n%s", t->result.err, expected);
}

/* Create the database with one manifest at sequence 1, added at time 0. */
static void create_db_with_manifest(struct cli *t)
{
	static const uint8_t digest[32] = {0xd1, 0x02};
	static const uint8_t envelope[] = {0xa0};
	struct tk_store_manifest m = {
		.component_id = tk_span_make(ta_id, sizeof(ta_id)),
		.sequence = 1,
		.digest = tk_span_make(digest, sizeof(digest)),
		.envelope = tk_span_make(envelope, sizeof(envelope)),
	};
	struct tk_store st;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	assert_int_equal(tk_store_sqlite_open(t->db, &st, &diag), TK_OK);
	assert_int_equal(tk_store_manifest_add(&st, &m, 0, &diag), TK_OK);
	tk_store_sqlite_close(&st);
}

/* Write a new key of `type` as PEM (private or public part) to path. */
static void write_key(const char *path, enum tk_crypto_key_type type, bool private_key)
{
	struct tk_crypto_key *key = NULL;
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	struct tk_diag diag;
	FILE *f;

	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), type, &key, &diag), TK_OK);
	assert_int_equal(tk_crypto_key_export_pem(key, private_key, pem, sizeof(pem), &pem_len,
						  &diag), TK_OK);
	tk_crypto_key_free(key);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(pem, 1, pem_len, f), pem_len);
	assert_int_equal(fclose(f), 0);
	if (private_key)
		assert_int_equal(chmod(path, 0600), 0);
}

static void test_version_and_help(void **state)
{
	struct cli *t = *state;

	run_tam(t, 0, (const char *[]){"--version", NULL});
	assert_string_equal(t->result.out, "teep-tam " TAM_VERSION "\n");

	run_tam(t, 0, (const char *[]){"-h", NULL});
	assert_true(strncmp(t->result.out, "teep-tam: Trusted Application Manager", 37) == 0);
	assert_non_null(strstr(t->result.out, "request body limit in bytes, 1..1048576 "
					      "(default 65536)"));
	assert_non_null(strstr(t->result.out, "1..86400 (default 300)"));
	assert_non_null(strstr(t->result.out, "teep-tam unrequire --db FILE --manifest ID_HEX "
					      "(--device UEID_HEX | --all)"));
	assert_non_null(strstr(t->result.out, "teep-tam show-manifests --db FILE"));
}

static void test_missing_db_not_created(void **state)
{
	static const char *const commands[][8] = {
		{"show-devices", "--db", NULL},
		{"show-manifests", "--db", NULL},
		{"require", "--manifest", TA_ID_HEX, "--all", "--db", NULL},
		{"unrequire", "--manifest", TA_ID_HEX, "--all", "--db", NULL},
	};
	struct cli *t = *state;
	char line[256];

	snprintf(line, sizeof(line), "teep-tam: cannot open the database: %s: "
		 "TK_ERR_NOT_FOUND (601): not found: no such file; enroll-agent, add-manifest "
		 "and serve create the database", t->db);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *args[8] = {0};
		size_t n = 0;

		for (; commands[i][n] != NULL; n++)
			args[n] = commands[i][n];
		args[n] = t->db;
		run_tam(t, 1, args);
		assert_one_error_line(t, line);
		if (access(t->db, F_OK) == 0)
			fail_msg("%s created %s", commands[i][0], t->db);
	}
}

static void test_not_a_database(void **state)
{
	struct cli *t = *state;
	char line[512];
	FILE *f = fopen(t->db, "w");

	assert_non_null(f);
	fputs("name,value\nthis is a text file, not a database\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(line, sizeof(line), "teep-tam: cannot open the database: %s: TK_ERR_DB (602): "
		 "database operation failed: %s is not a teepkit database (SQLite: file is "
		 "not a database)", t->db, t->db);
	run_tam(t, 1, (const char *[]){"show-devices", "--db", t->db, NULL});
	assert_one_error_line(t, line);
	write_key(path_in(t, "agent.pub.pem"), TK_CRYPTO_KEY_P256, false);
	run_tam(t, 1, (const char *[]){"enroll-agent", "--db", t->db, t->scratch, NULL});
	assert_one_error_line(t, line);
}

static void test_enroll_twice_idempotent(void **state)
{
	struct cli *t = *state;
	static char first[PROC_OUTPUT_MAX];

	write_key(path_in(t, "agent.pub.pem"), TK_CRYPTO_KEY_ED25519, false);
	run_tam(t, 0, (const char *[]){"enroll-agent", "--db", t->db, t->scratch, NULL});
	assert_int_equal(strlen(t->result.out), strlen("kid: ") + 64 + 1);
	snprintf(first, sizeof(first), "%s", t->result.out);
	run_tam(t, 0, (const char *[]){"enroll-agent", "--db", t->db, t->scratch, NULL});
	assert_string_equal(t->result.out, first);
	assert_string_equal(t->result.err, "");
}

static void test_policies_listed_and_removed(void **state)
{
	static const char manifest_block[] =
		"manifest-component-id: " TA_ID_HEX "\n"
		"  manifest-component-id-diag: [h'7461']\n"
		"  sequence-number: 1\n"
		"  manifest-digest: sha-256:d102000000000000000000000000000000000000000000000000"
		"000000000000\n"
		"  image-digest: none\n"
		"  added: 1970-01-01T00:00:00Z\n";
	struct cli *t = *state;
	char expected[1024];

	create_db_with_manifest(t);
	run_tam(t, 0, (const char *[]){"show-manifests", "--db", t->db, NULL});
	snprintf(expected, sizeof(expected), "%s  required-on: none\n", manifest_block);
	assert_string_equal(t->result.out, expected);

	run_tam(t, 0, (const char *[]){"require", "--db", t->db, "--manifest", TA_ID_HEX,
				       "--all", NULL});
	assert_string_equal(t->result.out, "required: " TA_ID_HEX " device: all\n");
	run_tam(t, 0, (const char *[]){"require", "--db", t->db, "--manifest", TA_ID_HEX,
				       "--device", UEID_7, NULL});
	run_tam(t, 0, (const char *[]){"show-manifests", "--db", t->db, NULL});
	snprintf(expected, sizeof(expected), "%s  required-on: all\n  required-on: " UEID_7
		 "\n", manifest_block);
	assert_string_equal(t->result.out, expected);

	run_tam(t, 0, (const char *[]){"unrequire", "--db", t->db, "--manifest", TA_ID_HEX,
				       "--all", NULL});
	assert_string_equal(t->result.out, "unrequired: " TA_ID_HEX " device: all\n");
	run_tam(t, 0, (const char *[]){"show-manifests", "--db", t->db, NULL});
	snprintf(expected, sizeof(expected), "%s  required-on: " UEID_7 "\n", manifest_block);
	assert_string_equal(t->result.out, expected);

	run_tam(t, 1, (const char *[]){"unrequire", "--db", t->db, "--manifest", TA_ID_HEX,
				       "--all", NULL});
	assert_one_error_line(t, "teep-tam: cannot remove the policy: " TA_ID_HEX ": "
			      "TK_ERR_NOT_FOUND (601): not found: no policy requires this "
			      "manifest on every device");
}

static void test_empty_lists(void **state)
{
	struct cli *t = *state;
	struct tk_store st;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	assert_int_equal(tk_store_sqlite_open(t->db, &st, &diag), TK_OK);
	tk_store_sqlite_close(&st);
	run_tam(t, 0, (const char *[]){"show-manifests", "--db", t->db, NULL});
	assert_string_equal(t->result.out, "no manifests\n");
	run_tam(t, 0, (const char *[]){"show-devices", "--db", t->db, NULL});
	assert_string_equal(t->result.out, "no devices\n");
}

static void test_ueid_length_checked(void **state)
{
	static const struct {
		const char *what;
		const char *ueid;
		int exit_code;
		const char *error_line; /* NULL: not compared */
	} cases[] = {
		{"2 bytes", "0000", 1, "teep-tam: invalid UEID: 0000: TK_ERR_ARG (700): invalid "
		 "argument: UEID of 2 bytes; RFC 9711 allows 7 to 33 bytes"},
		{"6 bytes", "010203040506", 1, NULL},
		{"7 bytes", UEID_7, 0, NULL},
		{"33 bytes", "01020304050607080910111213141516171819202122232425262728293031"
		 "3233", 0, NULL},
		{"34 bytes", "01020304050607080910111213141516171819202122232425262728293031"
		 "323334", 1, NULL},
		{"not hex", "zz", 2, NULL},
	};
	struct cli *t = *state;

	create_db_with_manifest(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].what);
		run_tam(t, cases[i].exit_code,
			(const char *[]){"require", "--db", t->db, "--manifest", TA_ID_HEX,
					 "--device", cases[i].ueid, NULL});
		if (cases[i].error_line != NULL)
			assert_one_error_line(t, cases[i].error_line);
		if (cases[i].exit_code == 1) {
			assert_non_null(strstr(t->result.err, cases[i].ueid));
			assert_non_null(strstr(t->result.err, "RFC 9711 allows 7 to 33 bytes"));
		}
	}
}

static void test_listen_values_misuse(void **state)
{
	static const struct {
		const char *listen;
		const char *message;
	} cases[] = {
		{"[::1]:0", "teep-tam: serve: --listen [::1]:0: IPv6 is not supported yet; give "
		 "A.B.C.D:PORT or localhost:PORT, with PORT 0..65535\n"},
		{"::1", "IPv6 is not supported yet"},
		{"127.0.0.1", "teep-tam: serve: --listen 127.0.0.1 is not A.B.C.D:PORT or "
		 "localhost:PORT, with PORT 0..65535\n"},
		{":8080", "is not A.B.C.D:PORT or localhost:PORT"},
		{"999.1.1.1:0", "teep-tam: serve: --listen 999.1.1.1:0: 999.1.1.1 is not an IPv4 "
		 "address; give A.B.C.D:PORT or localhost:PORT, with PORT 0..65535\n"},
		{"example.org:80", "example.org is not an IPv4 address"},
		{"localhost:70000", "teep-tam: serve: --listen localhost:70000: port 70000 is not "
		 "0..65535\n"},
		{"localhost:", "port  is not 0..65535"},
		{"localhost:-1", "port -1 is not 0..65535"},
	};
	struct cli *t = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_tam(t, 2, (const char *[]){"serve", "--db", t->db, "--key", "a.pem", "--key",
					       "b.pem", "--listen", cases[i].listen, NULL});
		if (strstr(t->result.err, cases[i].message) == NULL)
			fail_msg("--listen %s: stderr lacks \"%s\":\n%s", cases[i].listen,
				 cases[i].message, t->result.err);
		assert_non_null(strstr(t->result.err, "usage:"));
	}
	assert_int_equal(access(t->db, F_OK), -1);
}

/* Wait up to 10 s for the port file; returns the port. */
static unsigned wait_for_port(const char *port_file)
{
	char text[16];

	for (int i = 0; i < 200; i++) {
		if (proc_read_file(port_file, text, sizeof(text)) > 0)
			return (unsigned)strtoul(text, NULL, 10);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	fail_msg("no port file %s", port_file);
	return 0;
}

static void test_serve_localhost_stops(void **state)
{
	struct cli *t = *state;
	char p256[96], ed25519[96], port_file[96], log_path[96], log[4096], serving[64];
	const char *last;
	pid_t pid;
	unsigned port;

	snprintf(p256, sizeof(p256), "%s", path_in(t, "tam-p256.pem"));
	snprintf(ed25519, sizeof(ed25519), "%s", path_in(t, "tam-ed25519.pem"));
	snprintf(port_file, sizeof(port_file), "%s", path_in(t, "port"));
	snprintf(log_path, sizeof(log_path), "%s", path_in(t, "serve.log"));
	write_key(p256, TK_CRYPTO_KEY_P256, true);
	write_key(ed25519, TK_CRYPTO_KEY_ED25519, true);

	pid = proc_start((const char *[]){TK_TAM_BIN, "serve", "--db", t->db, "--key", p256,
					  "--key", ed25519, "--listen", "localhost:0",
					  "--port-file", port_file, NULL}, log_path);
	assert_true(pid > 0);
	port = wait_for_port(port_file);
	assert_true(port > 0);
	assert_int_equal(proc_stop(pid), 0);

	assert_true(proc_read_file(log_path, log, sizeof(log)) > 0);
	snprintf(serving, sizeof(serving), "notice tam: serving http://127.0.0.1:%u/tam\n", port);
	if (strstr(log, serving) == NULL)
		fail_msg("log lacks \"%s\":\n%s", serving, log);
	assert_non_null(strstr(log, "notice tam: stopping on signal 15\n"));
	last = strrchr(log, '\n');
	assert_non_null(last);
	while (last > log && last[-1] != '\n')
		last--;
	assert_string_equal(last, "notice tam: stopped; exit status 0\n");
}

/* A link planted where the port file's temporary name goes is not followed. */
static void test_serve_port_file_link(void **state)
{
	struct cli *t = *state;
	char p256[96], ed25519[96], port_file[96], log_path[96], victim[96], text[16];
	char script[1024];
	FILE *f;
	pid_t pid;

	snprintf(p256, sizeof(p256), "%s", path_in(t, "tam-p256.pem"));
	snprintf(ed25519, sizeof(ed25519), "%s", path_in(t, "tam-ed25519.pem"));
	snprintf(port_file, sizeof(port_file), "%s", path_in(t, "port"));
	snprintf(log_path, sizeof(log_path), "%s", path_in(t, "serve.log"));
	snprintf(victim, sizeof(victim), "%s", path_in(t, "victim"));
	write_key(p256, TK_CRYPTO_KEY_P256, true);
	write_key(ed25519, TK_CRYPTO_KEY_ED25519, true);
	f = fopen(victim, "w");
	assert_non_null(f);
	assert_true(fputs("keep\n", f) >= 0);
	assert_int_equal(fclose(f), 0);

	/* exec keeps the shell's PID, so the link has the name a PID-based
	 * temporary file would get. */
	snprintf(script, sizeof(script),
		 "ln -s '%s' '%s.tmp'$$ && exec '%s' serve --db '%s' --key '%s' --key '%s' "
		 "--listen 127.0.0.1:0 --port-file '%s'",
		 victim, port_file, TK_TAM_BIN, t->db, p256, ed25519, port_file);
	pid = proc_start((const char *[]){"/bin/sh", "-c", script, NULL}, log_path);
	assert_true(pid > 0);
	assert_true(wait_for_port(port_file) > 0);
	assert_int_equal(proc_stop(pid), 0);

	assert_int_equal(proc_read_file(victim, text, sizeof(text)), 5);
	assert_string_equal(text, "keep\n");
}

static void test_serve_port_in_use(void **state)
{
	struct cli *t = *state;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	char listen_arg[32], line[256], p256[96], ed25519[96];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));

	snprintf(p256, sizeof(p256), "%s", path_in(t, "tam-p256.pem"));
	snprintf(ed25519, sizeof(ed25519), "%s", path_in(t, "tam-ed25519.pem"));
	write_key(p256, TK_CRYPTO_KEY_P256, true);
	write_key(ed25519, TK_CRYPTO_KEY_ED25519, true);
	run_tam(t, 1, (const char *[]){"serve", "--db", t->db, "--key", p256, "--key", ed25519,
				       "--listen", listen_arg, NULL});
	close(fd);
	snprintf(line, sizeof(line), "teep-tam: cannot start the HTTP server: %s: "
		 "TK_ERR_NETWORK (603): network operation failed: address %s is already in use",
		 listen_arg, listen_arg);
	assert_one_error_line(t, line);
}

/* A TAM key file that group or others can read is rejected before serving. */
static void test_serve_rejects_loose_key(void **state)
{
	struct cli *t = *state;
	char line[512], p256[96], ed25519[96];

	snprintf(p256, sizeof(p256), "%s", path_in(t, "tam-p256.pem"));
	snprintf(ed25519, sizeof(ed25519), "%s", path_in(t, "tam-ed25519.pem"));
	write_key(p256, TK_CRYPTO_KEY_P256, true);
	write_key(ed25519, TK_CRYPTO_KEY_ED25519, true);
	assert_int_equal(chmod(p256, 0644), 0);
	run_tam(t, 1, (const char *[]){"serve", "--db", t->db, "--key", p256, "--key", ed25519,
				       "--listen", "127.0.0.1:0", NULL});
	snprintf(line, sizeof(line), "teep-tam: cannot load the TAM key: %s: TK_ERR_POLICY (505): "
		 "rejected by policy: private key file has mode 0644, so group or others can "
		 "read it; run chmod 600 on it", p256);
	assert_one_error_line(t, line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_and_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_db_not_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_twice_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policies_listed_and_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ueid_length_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_values_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_localhost_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_port_file_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_port_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_rejects_loose_key, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
