/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end test of the TEEP delete flow driven by the TAM: the real teep,
 * teep-tam and teep-agent programs on loopback, with state in a temporary
 * folder. A trusted component is installed by policy, `teep-tam unrequire`
 * removes the policy, and at the agent's next contact the TAM's Update
 * names the manifest in its unneeded-manifest-list, so the agent unlinks
 * the component and sends Success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* Component id ['TEEP-Device', 'SecureFS', h'5f1c9a2e...', 'ta'] (byte strings), hex CBOR. */
static const char ta_id[] =
	"844b544545502d446576696365485365637572654653505f1c9a2e7b3d4c8e9a612d4b8e0f7c13427461";

struct e2e {
	char dir[128];
	char path[8][192]; /* scratch paths, see path_of() */
	char db[192];
	char tee[192];
	char url[96];
	char manifest_id[512];
	pid_t tam_pid;
	struct proc_result result;
};

static const char *path_of(struct e2e *t, int slot, const char *name)
{
	snprintf(t->path[slot], sizeof(t->path[slot]), "%s/%s", t->dir, name);
	return t->path[slot];
}

/* Run a program; fail the test with its stderr unless it exits `expected`. */
static void run_expect(struct e2e *t, int expected, const char *const argv[])
{
	assert_int_equal(proc_run(&t->result, argv), 0);
	if (t->result.exit_code != expected) {
		print_error("%s exited %d (expected %d)\nstdout: %s\nstderr: %s\n",
			    argv[0], t->result.exit_code, expected, t->result.out,
			    t->result.err);
	}
	assert_int_equal(t->result.exit_code, expected);
}

/* Fail, showing the output, unless the last stdout contains (or lacks) text. */
static void expect_output(struct e2e *t, const char *text, bool present)
{
	if ((strstr(t->result.out, text) != NULL) != present)
		fail_msg("stdout %s \"%s\":\n%s\nstderr:\n%s",
			 present ? "lacks" : "contains", text, t->result.out, t->result.err);
}

static void keygen(struct e2e *t, const char *alg, const char *name)
{
	char priv[192], pub[192];

	snprintf(priv, sizeof(priv), "%s/%s.pem", t->dir, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub.pem", t->dir, name);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "keygen", "--alg", alg, "--out",
					  priv, "--pub", pub, NULL});
}

/* Write the stdout of the last command to the file at path. */
static void save_output(struct e2e *t, const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(t->result.out, f);
	assert_int_equal(fclose(f), 0);
}

static void start_tam(struct e2e *t)
{
	char port_file[192], log[192], port[16] = "";
	char esp[192], ed[192], report[192];

	snprintf(port_file, sizeof(port_file), "%s/port", t->dir);
	snprintf(log, sizeof(log), "%s/tam.log", t->dir);
	snprintf(esp, sizeof(esp), "%s/tam-esp256.pem", t->dir);
	snprintf(ed, sizeof(ed), "%s/tam-ed25519.pem", t->dir);
	snprintf(report, sizeof(report), "%s/tam-report.pem", t->dir);
	unlink(port_file);
	t->tam_pid = proc_start((const char *[]){TK_TAM_BIN, "serve", "--db", t->db, "--key",
						 esp, "--key", ed, "--listen", "127.0.0.1:0",
						 "--port-file", port_file,
						 "--decryption-key", report, NULL},
				log);
	assert_true(t->tam_pid > 0);
	for (int i = 0; i < 200 && proc_read_file(port_file, port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	long port_number = strtol(port, NULL, 10);
	if (port_number <= 0 || port_number >= 65536) {
		static char tam_log[PROC_OUTPUT_MAX];

		(void)proc_read_file(log, tam_log, sizeof(tam_log));
		fail_msg("teep-tam serve wrote no port file; its log:\n%s", tam_log);
	}
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%ld/tam", port_number);
}

static void stop_tam(struct e2e *t)
{
	if (t->tam_pid > 0) {
		int code = proc_stop(t->tam_pid);

		t->tam_pid = 0;
		assert_int_equal(code, 0);
	}
}

static void run_agent(struct e2e *t)
{
	char esp[192], ed[192], anchor[192], report[192];

	snprintf(esp, sizeof(esp), "%s/tam-esp256.pub.pem", t->dir);
	snprintf(ed, sizeof(ed), "%s/tam-ed25519.pub.pem", t->dir);
	snprintf(anchor, sizeof(anchor), "%s/signer.pub.pem", t->dir);
	snprintf(report, sizeof(report), "%s/tam-report.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "run", "--state", t->tee, "--tam",
					  t->url, "--tam-key", esp, "--tam-key", ed,
					  "--trust-anchor", anchor, "--tam-encryption-key",
					  report, NULL});
}

static int setup(void **state)
{
	struct e2e *t = calloc(1, sizeof(*t));
	char ta[192];

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-e2e-delete.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->db, sizeof(t->db), "%s/tam.sqlite", t->dir);
	snprintf(t->tee, sizeof(t->tee), "%s/tee", t->dir);
	*state = t;

	keygen(t, "esp256", "tam-esp256");
	keygen(t, "ed25519", "tam-ed25519");
	keygen(t, "esp256", "signer");
	keygen(t, "esp256", "tam-report");
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", t->tee, NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "pubkey", "--state", t->tee, NULL});
	save_output(t, path_of(t, 0, "agent.pub.pem"));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "report-pubkey", "--state", t->tee,
					  NULL});
	save_output(t, path_of(t, 1, "agent-report.pub.pem"));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db,
					  "--report-key", t->path[1], t->path[0], NULL});

	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key",
					  path_of(t, 2, "signer.pem"), "--component-id", ta_id,
					  "--seq", "1", "--integrated", "--out",
					  path_of(t, 3, "hello-1.suit"), ta, NULL});
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db,
					  "--signer", path_of(t, 4, "signer.pub.pem"),
					  t->path[3], NULL});
	const char *line = strstr(t->result.out, "manifest-component-id: ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "manifest-component-id: %511s", t->manifest_id), 1);
	return 0;
}

static int teardown(void **state)
{
	struct e2e *t = *state;

	if (t->tam_pid > 0)
		proc_stop(t->tam_pid);
	proc_remove_tree(t->dir);
	free(t);
	return 0;
}

/*
 * The token prefix of the Update that the TAM log names as carrying the
 * manifest in its unneeded-manifest-list, copied into token[0..cap).
 */
static void unneeded_update_token(struct e2e *t, const char *log, char *token, size_t cap)
{
	char pattern[600];
	const char *line, *at;

	snprintf(pattern, sizeof(pattern), " lists manifest %s as unneeded", t->manifest_id);
	line = strstr(log, pattern);
	if (line == NULL)
		fail_msg("the TAM log has no line with \"%s\":\n%s", pattern, log);
	/* "... Update <token> lists manifest ...": the word before the match. */
	at = line;
	while (at > log && at[-1] != ' ')
		at--;
	assert_true((size_t)(line - at) < cap);
	memcpy(token, at, (size_t)(line - at));
	token[line - at] = '\0';
	assert_true(strlen(token) > 0);
}

static void test_unrequire_deletes_component(void **state)
{
	struct e2e *t = *state;
	static char log[PROC_OUTPUT_MAX];
	char token[32], success[64];

	/* Install by policy for every device. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "require", "--db", t->db, "--manifest",
					  t->manifest_id, "--all", NULL});
	start_tam(t);
	run_agent(t);
	expect_output(t, "1 manifest installed", true);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	expect_output(t, ta_id, true);

	/* Remove the policy: the next contact deletes the component. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "unrequire", "--db", t->db,
					  "--manifest", t->manifest_id, "--all", NULL});
	run_agent(t);
	expect_output(t, "0 manifests installed, 1 manifest unlinked", true);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	expect_output(t, ta_id, false);

	/* The TAM stored the agent's Success for the Update that deleted it. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	expect_output(t, "last-result: success", true);
	assert_true(proc_read_file(path_of(t, 5, "tam.log"), log, sizeof(log)) > 0);
	unneeded_update_token(t, log, token, sizeof(token));
	snprintf(success, sizeof(success), "Success from kid ");
	assert_non_null(strstr(log, success));
	snprintf(success, sizeof(success), "(token %s)", token);
	if (strstr(log, success) == NULL)
		fail_msg("the TAM log has no Success with \"%s\":\n%s", success, log);

	/* Once the device no longer reports it, nothing more is sent. */
	run_agent(t);
	expect_output(t, "0 manifests installed", true);
	expect_output(t, "unlinked", false);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	expect_output(t, "installed: ", false);
	stop_tam(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unrequire_deletes_component, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
