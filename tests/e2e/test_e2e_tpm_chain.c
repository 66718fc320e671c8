/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware-rooted attestation chain end to end, with every party a
 * process on loopback. swtpm has an EK certificate from a local CA made in
 * the test's folder, and teep-verifier serve trusts that CA. teep-tam
 * serve asks the verifier over HTTP (background check), and teep-agent
 * runs on the TPM backend.
 *
 * The verifier learns the attestation key (AK) only by credential
 * activation (`teep-agent enroll-ak`), never from the operator, and the
 * TEEP key from the evidence's cnf, which the quote binds. So an
 * affirming result needs the whole chain: EK certificate, activation,
 * quote, EAR, TAM decision. Without the activation, or with a TPM whose EK
 * certificate comes from a CA the verifier does not trust, the TAM answers
 * with err-code 7 and installs nothing. Without swtpm installed the tests
 * are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "swtpm.h"

/* Component id ['TEEP-Device', 'SecureFS', h'5f1c9a2e...', 'ta'], hex CBOR. */
static const char ta_id[] =
	"844b544545502d446576696365485365637572654653505f1c9a2e7b3d4c8e9a612d4b8e0f7c13427461";

/* Files in the test folder, by slot. */
enum {
	TAM_DB, VERIFIER_DB, VERIFIER_KEY, VERIFIER_PUB, VERIFIER_PORT, VERIFIER_LOG,
	TAM_ESP256, TAM_ESP256_PUB, TAM_ED25519, TAM_ED25519_PUB, TAM_PORT, TAM_LOG,
	SIGNER, SIGNER_PUB, ENVELOPE, AGENT_PUB, TEE, EAR, SLOT_COUNT
};

static const char *const slot_names[SLOT_COUNT] = {
	"tam.sqlite", "verifier.sqlite", "verifier.pem", "verifier.pub.pem", "verifier.port",
	"verifier.log", "tam-esp256.pem", "tam-esp256.pub.pem", "tam-ed25519.pem",
	"tam-ed25519.pub.pem", "tam.port", "tam.log", "signer.pem", "signer.pub.pem",
	"hello.suit", "agent.pub.pem", "tee", "tee/attestation-result",
};

struct chain {
	char dir[64];
	char path[SLOT_COUNT][160];
	char ta[192];             /* samples/hello.ta */
	char ta_digest[65];       /* its SHA-256, hex */
	char verifier_uri[64];    /* http://127.0.0.1:PORT */
	char tam_uri[96];         /* http://127.0.0.1:PORT/tam */
	char ueid[80];            /* the agent's UEID, hex */
	struct swtpm tpm;         /* its CA is the one the verifier trusts */
	struct swtpm other;       /* started only by the untrusted-CA test */
	const struct swtpm *device;  /* the TPM the agent uses */
	pid_t verifier_pid;
	pid_t tam_pid;
	struct proc_result result;
};

static void run_expect(struct chain *c, int expected, const char *const argv[])
{
	assert_int_equal(proc_run(&c->result, argv), 0);
	if (c->result.exit_code != expected)
		fail_msg("%s %s: exit %d, expected %d\nstdout: %s\nstderr: %s", argv[0], argv[1],
			 c->result.exit_code, expected, c->result.out, c->result.err);
}

/* SHA-256 of a file as hex, with sha256sum. */
static void file_digest(const char *path, char out[65])
{
	char cmd[320], line[160];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	memcpy(out, line, 64);
	out[64] = '\0';
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Hex of a text's bytes into out, which has room for 2 * strlen(text) + 1 bytes. */
static void hex_of(const char *text, char *out)
{
	size_t n = strlen(text);

	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)text[i]);
	out[2 * n] = '\0';
}

static void keygen(struct chain *c, const char *alg, int priv, int pub)
{
	run_expect(c, 0, (const char *[]){TK_TEEP_BIN, "keygen", "--alg", alg, "--out",
					  c->path[priv], "--pub", c->path[pub], NULL});
}

/*
 * Reference values of the verifier: the agent (its URI and the digest of
 * its binary) and the TA (its component id and the digest of its image).
 */
static void add_references(struct chain *c)
{
	char uri[96], uri_hex[200], agent_digest[65];
	char *version;

	run_expect(c, 0, (const char *[]){TK_AGENT_BIN, "--version", NULL});
	version = strchr(c->result.out, ' ');
	assert_non_null(version);
	version[strcspn(version, "\n")] = '\0';
	snprintf(uri, sizeof(uri), "urn:teepkit:teep-agent:%s", version + 1);
	hex_of(uri, uri_hex);
	file_digest(TK_AGENT_BIN, agent_digest);
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "add-reference", "--db",
					  c->path[VERIFIER_DB], "--component", uri_hex,
					  "--digest", agent_digest, NULL});
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "add-reference", "--db",
					  c->path[VERIFIER_DB], "--component", ta_id,
					  "--digest", c->ta_digest, NULL});
}

/*
 * The EK CA chain of c->tpm: swtpm_localca issues EK certificates from an
 * intermediate CA (issuercert.pem) under its own root, and the verifier
 * needs both.
 */
static void add_ek_cas(struct chain *c)
{
	char ca[SWTPM_PATH_MAX + 48];

	snprintf(ca, sizeof(ca), "%s/ca/swtpm-localca-rootca-cert.pem", c->tpm.dir);
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db",
					  c->path[VERIFIER_DB], ca, NULL});
	snprintf(ca, sizeof(ca), "%s/ca/issuercert.pem", c->tpm.dir);
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db",
					  c->path[VERIFIER_DB], ca, NULL});
}

/* The TA manifest, registered with the TAM and required on every device. */
static void add_manifest(struct chain *c)
{
	char id[192];
	const char *at;

	run_expect(c, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", c->path[SIGNER],
					  "--component-id", ta_id, "--seq", "1", "--integrated",
					  "--out", c->path[ENVELOPE], c->ta, NULL});
	run_expect(c, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", c->path[TAM_DB],
					  "--signer", c->path[SIGNER_PUB], c->path[ENVELOPE],
					  NULL});
	at = strstr(c->result.out, "manifest-component-id: ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "manifest-component-id: %191s", id), 1);
	run_expect(c, 0, (const char *[]){TK_TAM_BIN, "require", "--db", c->path[TAM_DB],
					  "--manifest", id, "--all", NULL});
}

/* Wait up to 5 s for a server's port file; returns the port. */
static long wait_port(const char *port_file, const char *log_path)
{
	static char log[PROC_OUTPUT_MAX];
	char port[16] = "";
	long number;

	for (int i = 0; i < 200 && proc_read_file(port_file, port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	number = strtol(port, NULL, 10);
	if (number <= 0 || number >= 65536) {
		if (proc_read_file(log_path, log, sizeof(log)) < 0)
			log[0] = '\0';
		fail_msg("no port in %s after 5 s; log:\n%s", port_file, log);
	}
	return number;
}

static void start_servers(struct chain *c)
{
	c->verifier_pid = proc_start((const char *[]){TK_VERIFIER_BIN, "serve", "--db",
						      c->path[VERIFIER_DB], "--key",
						      c->path[VERIFIER_KEY], "--listen",
						      "127.0.0.1:0", "--port-file",
						      c->path[VERIFIER_PORT], NULL},
				     c->path[VERIFIER_LOG]);
	assert_true(c->verifier_pid > 0);
	snprintf(c->verifier_uri, sizeof(c->verifier_uri), "http://127.0.0.1:%ld",
		 wait_port(c->path[VERIFIER_PORT], c->path[VERIFIER_LOG]));

	c->tam_pid = proc_start((const char *[]){TK_TAM_BIN, "serve", "--db", c->path[TAM_DB],
						 "--key", c->path[TAM_ESP256], "--key",
						 c->path[TAM_ED25519], "--listen", "127.0.0.1:0",
						 "--port-file", c->path[TAM_PORT], "--verifier",
						 c->verifier_uri, "--verifier-key",
						 c->path[VERIFIER_PUB], NULL},
				c->path[TAM_LOG]);
	assert_true(c->tam_pid > 0);
	snprintf(c->tam_uri, sizeof(c->tam_uri), "http://127.0.0.1:%ld/tam",
		 wait_port(c->path[TAM_PORT], c->path[TAM_LOG]));
}

static int setup(void **state)
{
	struct chain *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	*state = c;
	snprintf(c->dir, sizeof(c->dir), "/tmp/tk-e2e-chain-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	for (int i = 0; i < SLOT_COUNT; i++)
		snprintf(c->path[i], sizeof(c->path[i]), "%s/%s", c->dir, slot_names[i]);
	return 0;
}

/*
 * Start swtpm and fill the verifier database (EK CAs of c->tpm, reference
 * values) and the TAM database (the TA required everywhere), then start
 * both servers. This runs in the test body, not in setup, because cmocka
 * skips the teardown of a failed setup and the processes would be left.
 */
static void prepare(struct chain *c)
{
	char tpm_dir[96];

	if (!swtpm_available()) {
		print_message("swtpm, swtpm_setup or swtpm_localca is not installed\n");
		skip();
	}
	snprintf(tpm_dir, sizeof(tpm_dir), "%s/swtpm", c->dir);
	assert_int_equal(swtpm_start(&c->tpm, tpm_dir), 0);
	keygen(c, "esp256", VERIFIER_KEY, VERIFIER_PUB);
	keygen(c, "esp256", TAM_ESP256, TAM_ESP256_PUB);
	keygen(c, "ed25519", TAM_ED25519, TAM_ED25519_PUB);
	keygen(c, "esp256", SIGNER, SIGNER_PUB);
	snprintf(c->ta, sizeof(c->ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	file_digest(c->ta, c->ta_digest);
	add_ek_cas(c);
	add_references(c);
	add_manifest(c);
	start_servers(c);
}

static int teardown(void **state)
{
	struct chain *c = *state;

	/* A failed assertion skips the test's own stops, so stop everything here. */
	if (c->tam_pid > 0)
		proc_stop(c->tam_pid);
	if (c->verifier_pid > 0)
		proc_stop(c->verifier_pid);
	if (c->tpm.pid > 0)
		swtpm_stop(&c->tpm);
	if (c->other.pid > 0)
		swtpm_stop(&c->other);
	proc_remove_tree(c->dir);
	free(c);
	return 0;
}

/*
 * Run teep-agent COMMAND --state TEE --backend tpm --tcti T [options]
 * (NULL-terminated, at most 10) on the device's TPM.
 */
static void agent(struct chain *c, int expected, const char *command, const char *const opts[])
{
	const char *argv[20] = {TK_AGENT_BIN, command, "--state", c->path[TEE], "--backend",
				"tpm", "--tcti", c->device->tcti};
	size_t n = 8;

	for (size_t i = 0; opts != NULL && opts[i] != NULL && n < 19; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	run_expect(c, expected, argv);
}

/*
 * Make the node: a TPM-backed TEE on tpm whose TEEP key the operator
 * enrolls with the TAM (it authenticates TEEP messages) and, when
 * verifier_key, with the verifier. The verifier needs that key only when
 * the AK is not enrolled: otherwise the evidence's cnf COSE_Key, bound by
 * the quote, is enough. The AK is not enrolled here.
 */
static void use_device(struct chain *c, const struct swtpm *tpm, bool verifier_key)
{
	const char *at;

	c->device = tpm;
	agent(c, 0, "init", NULL);
	at = strstr(c->result.out, "ueid: ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "ueid: %79s", c->ueid), 1);
	agent(c, 0, "pubkey", NULL);
	write_text(c->path[AGENT_PUB], c->result.out);
	run_expect(c, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", c->path[TAM_DB],
					  c->path[AGENT_PUB], NULL});
	if (verifier_key)
		run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "enroll-key", "--db",
						  c->path[VERIFIER_DB], "--ueid", c->ueid,
						  c->path[AGENT_PUB], NULL});
}

static void enroll_ak(struct chain *c, int expected)
{
	agent(c, expected, "enroll-ak", (const char *[]){"--verifier", c->verifier_uri, NULL});
}

static void run_agent(struct chain *c, int expected)
{
	agent(c, expected, "run", (const char *[]){"--tam", c->tam_uri, "--tam-key",
						   c->path[TAM_ESP256_PUB], "--tam-key",
						   c->path[TAM_ED25519_PUB], "--trust-anchor",
						   c->path[SIGNER_PUB], NULL});
}

static bool installed(struct chain *c)
{
	agent(c, 0, "list", NULL);
	return strstr(c->result.out, ta_id) != NULL;
}

/* The TAM's results history of the device, newest first, into c->result. */
static void show_results(struct chain *c)
{
	run_expect(c, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", c->path[TAM_DB],
					  "--device", c->ueid, NULL});
}

/* Count the occurrences of needle in haystack. */
static size_t count_of(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *at = strstr(haystack, needle); at != NULL;
	     at = strstr(at + 1, needle))
		n++;
	return n;
}

static void test_chain_install_and_load(void **state)
{
	struct chain *c = *state;

	prepare(c);
	use_device(c, &c->tpm, false);
	enroll_ak(c, 0);
	assert_non_null(strstr(c->result.out, "enrolled AK kid "));

	/* First contact: the verifier vouches through the activated AK. */
	run_agent(c, 0);
	assert_non_null(strstr(c->result.out, "1 manifest installed"));
	assert_true(installed(c));
	show_results(c);
	assert_int_equal(count_of(c->result.out, "tier: affirming"), 1);
	assert_non_null(strstr(c->result.out, "0 / instance-identity /: 2"));
	assert_non_null(strstr(c->result.out, "4 / hardware /: 2"));

	/* The loaded TA is measured into PCR 23 and shows in the next quote. */
	agent(c, 0, "load", (const char *[]){"--component", ta_id, "--trust-anchor",
					     c->path[SIGNER_PUB], NULL});
	run_agent(c, 0);
	show_results(c);
	assert_int_equal(count_of(c->result.out, "tier: affirming"), 2);
	assert_null(strstr(c->result.out, "tier: warning"));
	assert_null(strstr(c->result.out, "tier: contraindicated"));

	/* The result handed back lists the loaded TA's digest ... */
	run_expect(c, 0, (const char *[]){TK_AGENT_BIN, "show-result", "--state", c->path[TEE],
					  NULL});
	assert_non_null(strstr(c->result.out, "status: affirming"));
	assert_non_null(strstr(c->result.out, "2 / executables /: 2"));
	assert_non_null(strstr(c->result.out, c->ta_digest));

	/* ... and a relying party checks it with the verifier's key alone. */
	run_expect(c, 0, (const char *[]){TK_TEEP_BIN, "attestation", "verify",
					  "--verifier-key", c->path[VERIFIER_PUB], "--ta-digest",
					  c->ta_digest, "--key", c->path[AGENT_PUB],
					  c->path[EAR], NULL});
	assert_non_null(strstr(c->result.out, "decision: affirming"));
	assert_non_null(strstr(c->result.out, "TA digest"));
}

static void test_chain_without_activation(void **state)
{
	struct chain *c = *state;

	prepare(c);
	use_device(c, &c->tpm, true);
	run_agent(c, 1);
	assert_non_null(strstr(c->result.err, "err-code 7"));
	assert_false(installed(c));
	show_results(c);
	assert_non_null(strstr(c->result.out, "tier: contraindicated"));
	assert_null(strstr(c->result.out, "tier: affirming"));
	assert_non_null(strstr(c->result.out, "0 / instance-identity /: 97"));
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "show-aks", "--db",
					  c->path[VERIFIER_DB], NULL});
	assert_string_equal(c->result.out, "");
}

static void test_chain_untrusted_ek_ca(void **state)
{
	struct chain *c = *state;
	char tpm_dir[96];

	prepare(c);

	/* Its own swtpm_localca: a root and an issuing CA the verifier lacks. */
	snprintf(tpm_dir, sizeof(tpm_dir), "%s/swtpm-other", c->dir);
	assert_int_equal(swtpm_start(&c->other, tpm_dir), 0);
	use_device(c, &c->other, true);
	enroll_ak(c, 1);
	assert_non_null(strstr(c->result.err, "teep-agent: AK enrollment failed: "));
	assert_non_null(strstr(c->result.err, "403"));
	assert_non_null(strstr(c->result.err, "certificate chain does not verify"));
	run_expect(c, 0, (const char *[]){TK_VERIFIER_BIN, "show-aks", "--db",
					  c->path[VERIFIER_DB], NULL});
	assert_string_equal(c->result.out, "");

	run_agent(c, 1);
	assert_non_null(strstr(c->result.err, "err-code 7"));
	assert_false(installed(c));
	show_results(c);
	assert_non_null(strstr(c->result.out, "tier: contraindicated"));
	assert_null(strstr(c->result.out, "tier: affirming"));
	assert_non_null(strstr(c->result.out, "0 / instance-identity /: 97"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_install_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_without_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_untrusted_ek_ca, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
