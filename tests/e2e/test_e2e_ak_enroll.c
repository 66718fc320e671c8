/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AK enrollment over HTTP with the real programs: teep-agent enroll-ak
 * on a swtpm-backed TEE against teep-verifier serve on a free loopback
 * port. The verifier trusts swtpm's local CA; the agent prints the AK's
 * kid and TPM name, and teep-verifier show-aks lists the same. Against a
 * verifier that trusts no EK CA the command fails with exit status 1.
 * Malformed requests to the API get their HTTP status (curl as client).
 * Without swtpm installed the tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "proc.h"
#include "swtpm.h"

struct fixture {
	char dir[64];
	char path[8][192];  /* tee, db, key, port file, log, ca root, ca issuer, other db */
	struct swtpm swtpm;
	struct proc_result result;
	pid_t verifier;
	char base[64];
};

enum { TEE, DB, KEY, PORT, LOG, CA_ROOT, CA_ISSUER, EMPTY_DB };

static void run_expect(struct fixture *f, int expected, const char *const argv[])
{
	assert_int_equal(proc_run(&f->result, argv), 0);
	if (f->result.exit_code != expected)
		fail_msg("%s %s: exit %d, expected %d\nstdout: %s\nstderr: %s", argv[0], argv[1],
			 f->result.exit_code, expected, f->result.out, f->result.err);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const char *const names[] = {"tee", "v.db", "verifier.pem", "verifier.port",
					    "verifier.log", "swtpm/ca/swtpm-localca-rootca-cert.pem",
					    "swtpm/ca/issuercert.pem", "empty.db"};
	char tpm_dir[128], cmd[512];

	assert_non_null(f);
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-e2e-ak-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (size_t i = 0; i < 8; i++)
		snprintf(f->path[i], sizeof(f->path[i]), "%s/%s", f->dir, names[i]);
	if (!swtpm_available())
		return 0;
	snprintf(tpm_dir, sizeof(tpm_dir), "%s/swtpm", f->dir);
	assert_int_equal(swtpm_start(&f->swtpm, tpm_dir), 0);
	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm EC -pkeyopt "
		 "ec_paramgen_curve:P-256 -out %s", f->path[KEY]);
	assert_int_equal(system(cmd), 0);
	run_expect(f, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", f->path[TEE],
					  "--backend", "tpm", "--tcti", f->swtpm.tcti, NULL});
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->verifier > 0)
		proc_stop(f->verifier);
	swtpm_stop(&f->swtpm);
	proc_remove_tree(f->dir);
	free(f);
	return 0;
}

static void require_swtpm(void)
{
	if (!swtpm_available()) {
		print_message("swtpm, swtpm_setup or swtpm_localca is not installed\n");
		skip();
	}
}

/* Start teep-verifier serve on db; sets f->base. */
static void start_verifier(struct fixture *f, const char *db)
{
	char port[16] = "";
	long number;

	f->verifier = proc_start((const char *[]){TK_VERIFIER_BIN, "serve", "--db", db, "--key",
						  f->path[KEY], "--listen", "127.0.0.1:0",
						  "--port-file", f->path[PORT], NULL},
				 f->path[LOG]);
	assert_true(f->verifier > 0);
	for (int i = 0; i < 200 && proc_read_file(f->path[PORT], port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	number = strtol(port, NULL, 10);
	assert_true(number > 0 && number < 65536);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%ld", number);
}

static void enroll(struct fixture *f, int expected)
{
	run_expect(f, expected, (const char *[]){TK_AGENT_BIN, "enroll-ak", "--state",
						 f->path[TEE], "--backend", "tpm", "--tcti",
						 f->swtpm.tcti, "--verifier", f->base, NULL});
}

static void test_enroll_ak_over_http(void **state)
{
	struct fixture *f = *state;
	char kid[65], name[69];

	require_swtpm();
	run_expect(f, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db", f->path[DB],
					  f->path[CA_ROOT], NULL});
	run_expect(f, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db", f->path[DB],
					  f->path[CA_ISSUER], NULL});
	start_verifier(f, f->path[DB]);
	enroll(f, 0);
	assert_int_equal(sscanf(f->result.out, "enrolled AK kid %64s\nname: %68s", kid, name), 2);
	assert_int_equal(strlen(kid), 64);
	assert_int_equal(strlen(name), 68);
	assert_memory_equal(name, "000b", 4);

	run_expect(f, 0, (const char *[]){TK_VERIFIER_BIN, "show-aks", "--db", f->path[DB],
					  NULL});
	assert_memory_equal(f->result.out, "ak: ", 4);
	assert_memory_equal(f->result.out + 4, kid, 64);
	assert_non_null(strstr(f->result.out, name));
	assert_non_null(strstr(f->result.out, "ek-certificate-sha256: "));

	/* Enrolling again runs a new activation and keeps one row. */
	enroll(f, 0);
	run_expect(f, 0, (const char *[]){TK_VERIFIER_BIN, "show-aks", "--db", f->path[DB],
					  NULL});
	assert_null(strstr(strstr(f->result.out, "ak: ") + 1, "ak: "));
}

static void test_enroll_ak_untrusted_ek(void **state)
{
	struct fixture *f = *state;

	require_swtpm();
	start_verifier(f, f->path[EMPTY_DB]);
	enroll(f, 1);
	assert_non_null(strstr(f->result.err, "teep-agent: AK enrollment failed: "));
	assert_non_null(strstr(f->result.err, "403"));
	assert_non_null(strstr(f->result.err, "no trusted EK CA is configured"));
	run_expect(f, 0, (const char *[]){TK_VERIFIER_BIN, "show-aks", "--db",
					  f->path[EMPTY_DB], NULL});
	assert_string_equal(f->result.out, "");
}

/* Requests the enrollment API rejects, each row with its HTTP status. */
static void test_enroll_api_rejects(void **state)
{
	struct fixture *f = *state;
	static const char zero_id[] = "00000000000000000000000000000000";
	struct row {
		const char *desc;
		const char *method;
		const char *path;
		const char *type;
		const char *body;
		const char *status;
	} rows[] = {
		{"text body", "POST", "new", "text/plain", "{}", "415"},
		{"empty object", "POST", "new", "application/json", "{}", "400"},
		{"not base64", "POST", "new", "application/json",
		 "{\"ek_certificate\": \"!!!!\", \"ak_public\": \"AAAA\", \"ueid\": \"AQ==\"}",
		 "400"},
		{"not JSON", "POST", "new", "application/json", "[1,", "400"},
		{"unknown enrollment", "POST", zero_id, "application/json",
		 "{\"secret\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", "404"},
		{"short id", "POST", "00", "application/json", "{\"secret\": \"AA==\"}", "404"},
		{"GET", "GET", "new", "application/json", "{}", "405"},
	};
	char uri[128], type[64];

	require_swtpm();
	start_verifier(f, f->path[DB]);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(uri, sizeof(uri), "%s/ak-enrollment/v1/%s", f->base, rows[i].path);
		snprintf(type, sizeof(type), "Content-Type: %s", rows[i].type);
		assert_int_equal(proc_run(&f->result, (const char *[]){
			"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X",
			rows[i].method, "-H", type, "--data-binary", rows[i].body, uri, NULL}), 0);
		if (strcmp(f->result.out, rows[i].status) != 0)
			fail_msg("%s: expected HTTP %s, got %.16s", rows[i].desc, rows[i].status,
				 f->result.out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enroll_ak_over_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_ak_untrusted_ek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_api_rejects, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
