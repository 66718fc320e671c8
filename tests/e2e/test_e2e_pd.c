/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end: personalization data encrypted to the TEE. A data provider
 * builds a manifest with `teep manifest build` whose config.json is
 * encrypted (ECDH-ES+A128KW) to the key `teep-agent encryption-pubkey`
 * prints, a TAM on loopback serves it, and `teep-agent run` installs it.
 * The TEE unwraps the content key itself; the installed component must have
 * the plaintext's digest. The signer is a trust anchor held by the TEE and
 * scoped to ['TEEP-Device', 'SecureFS'], so the same signer's manifest for
 * a component outside that prefix is rejected. A manifest encrypted to
 * another key fails without installing anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* ['TEEP-Device', 'SecureFS', 'config.json'] as the hex of its CBOR encoding. */
static const char config_id_hex[] =
	"834b544545502d4465766963654853656375726546534b636f6e6669672e6a736f6e";

/* ['TEEP-Device', 'SecureFS'] as the hex of its CBOR encoding. */
static const char scope_hex[] = "824b544545502d446576696365485365637572654653";

static const char plaintext[] =
	"{\"name\":\"FOO Bar\",\"secret\":\"0123456789abfcdef0123456789abcd\"}";

struct e2e {
	char dir[128];
	char tee[192];
	char db[192];
	char url[96];
	pid_t tam_pid;
	struct proc_result result;
};

static const char *path(struct e2e *t, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", t->dir, name);
	return out;
}

static void run_expect(struct e2e *t, int expected, const char *const argv[])
{
	assert_int_equal(proc_run(&t->result, argv), 0);
	if (t->result.exit_code != expected)
		print_error("%s %s exited %d (expected %d)\nstdout: %s\nstderr: %s\n", argv[0],
			    argv[1], t->result.exit_code, expected, t->result.out, t->result.err);
	assert_int_equal(t->result.exit_code, expected);
}

/* Write the last program output (or text) to file `name` in the folder. */
static void save(struct e2e *t, const char *name, const char *text)
{
	char p[192];
	FILE *f = fopen(path(t, name, p, sizeof(p)), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Fail unless the last output contains text, printing both streams. */
static void expect_output(struct e2e *t, const char *text)
{
	if (strstr(t->result.out, text) == NULL)
		print_error("output lacks \"%s\"\nstdout: %s\nstderr: %s\n", text, t->result.out,
			    t->result.err);
	assert_non_null(strstr(t->result.out, text));
}

static void keygen(struct e2e *t, const char *alg, const char *name)
{
	char priv[192], pub[192], base[64];

	snprintf(base, sizeof(base), "%s.pem", name);
	path(t, base, priv, sizeof(priv));
	snprintf(base, sizeof(base), "%s.pub.pem", name);
	path(t, base, pub, sizeof(pub));
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "keygen", "--alg", alg, "--out",
					  priv, "--pub", pub, NULL});
}

/*
 * A manifest description: component [prefix..., last] with the payload
 * config.json encrypted to recipient.pub.pem with content_alg, written
 * by directive-write and checked by image-match on the plaintext.
 */
static void write_description(struct e2e *t, const char *name, const char *first,
			      const char *content_alg, const char *recipient, int seq)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"manifest-sequence-number\": %d,\n"
		 " \"encrypted\": {\"config\": {\"plaintext\": {\"file\": \"config.json\"},\n"
		 "   \"content-alg\": \"%s\",\n"
		 "   \"recipient\": {\"alg\": \"ECDH-ES+A128KW\", \"public-key\": \"%s\"}}},\n"
		 " \"components\": [[{\"text\": \"%s\"}, {\"text\": \"SecureFS\"},\n"
		 "                   {\"text\": \"config.json\"}]],\n"
		 " \"manifest-component-id\": [{\"text\": \"%s\"}, {\"text\": \"SecureFS\"},\n"
		 "                   {\"text\": \"config.suit\"}],\n"
		 " \"install\": [{\"directive-set-component-index\": 0},\n"
		 "   {\"directive-override-parameters\": {\n"
		 "     \"content\": {\"ciphertext\": \"config\"},\n"
		 "     \"encryption-info\": {\"encryption-info\": \"config\"}}},\n"
		 "   {\"directive-write\": 15}],\n"
		 " \"validate\": [{\"directive-set-component-index\": 0},\n"
		 "   {\"directive-override-parameters\": {\n"
		 "     \"image-digest\": {\"file\": \"config.json\"},\n"
		 "     \"image-size\": {\"file\": \"config.json\"}}},\n"
		 "   {\"condition-image-match\": 15}]}\n",
		 seq, content_alg, recipient, first, first);
	save(t, name, text);
}

static void build(struct e2e *t, const char *desc, const char *out)
{
	char d[192], key[192], o[192];

	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "build", "--desc",
					  path(t, desc, d, sizeof(d)), "--key",
					  path(t, "signer.pem", key, sizeof(key)), "--out",
					  path(t, out, o, sizeof(o)), NULL});
}

static void add_manifest(struct e2e *t, const char *envelope)
{
	char env[192], signer[192], id[512];
	const char *line;

	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db, "--signer",
					  path(t, "signer.pub.pem", signer, sizeof(signer)),
					  path(t, envelope, env, sizeof(env)), NULL});
	line = strstr(t->result.out, "manifest-component-id: ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "manifest-component-id: %511s", id), 1);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "require", "--db", t->db, "--manifest", id,
					  "--all", NULL});
}

static void start_tam(struct e2e *t)
{
	char port_file[192], log[192], esp[192], ed[192], report[192], port[16] = "";
	long port_number;

	path(t, "port", port_file, sizeof(port_file));
	unlink(port_file);
	t->tam_pid = proc_start((const char *[]){TK_TAM_BIN, "serve", "--db", t->db, "--key",
						 path(t, "tam.pem", esp, sizeof(esp)), "--key",
						 path(t, "tam-ed25519.pem", ed, sizeof(ed)), "--listen",
						 "127.0.0.1:0", "--port-file", port_file,
						 "--report-decryption-key",
						 path(t, "tam-report.pem", report, sizeof(report)),
						 NULL},
				path(t, "tam.log", log, sizeof(log)));
	assert_true(t->tam_pid > 0);
	for (int i = 0; i < 200 && proc_read_file(port_file, port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	port_number = strtol(port, NULL, 10);
	assert_true(port_number > 0 && port_number < 65536);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%ld/tam", port_number);
}

static void stop_tam(struct e2e *t)
{
	if (t->tam_pid > 0) {
		assert_int_equal(proc_stop(t->tam_pid), 0);
		t->tam_pid = 0;
	}
}

/* One policy check; the agent has no --trust-anchor, only the TEE's. */
static void run_agent(struct e2e *t, int expected)
{
	char tam_key[192], report[192];

	run_expect(t, expected,
		   (const char *[]){TK_AGENT_BIN, "run", "--state", t->tee, "--tam", t->url,
				    "--tam-key", path(t, "tam.pub.pem", tam_key, sizeof(tam_key)),
				    "--tam-encryption-key",
				    path(t, "tam-report.pub.pem", report, sizeof(report)), NULL});
}

static int setup(void **state)
{
	struct e2e *t = calloc(1, sizeof(*t));
	char agent_pub[192], report_pub[192], signer_pub[192];

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-e2e-pd.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	path(t, "tee", t->tee, sizeof(t->tee));
	path(t, "tam.sqlite", t->db, sizeof(t->db));
	*state = t;

	keygen(t, "esp256", "tam");
	keygen(t, "ed25519", "tam-ed25519");
	keygen(t, "esp256", "tam-report");
	keygen(t, "esp256", "signer");
	save(t, "config.json", plaintext);

	/* The TEE, enrolled with the TAM, and its keys for the data provider. */
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", t->tee, NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "pubkey", "--state", t->tee, NULL});
	save(t, "agent.pub.pem", t->result.out);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "report-pubkey", "--state", t->tee,
					  NULL});
	save(t, "agent-report.pub.pem", t->result.out);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db,
					  "--report-key",
					  path(t, "agent-report.pub.pem", report_pub,
					       sizeof(report_pub)),
					  path(t, "agent.pub.pem", agent_pub, sizeof(agent_pub)),
					  NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "encryption-pubkey", "--state", t->tee,
					  NULL});
	assert_non_null(strstr(t->result.out, "-----BEGIN PUBLIC KEY-----"));
	save(t, "tee-enc.pub.pem", t->result.out);

	/* The data provider's signer, trusted only under its prefix. */
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "trust-add", "--state", t->tee, "--key",
					  path(t, "signer.pub.pem", signer_pub,
					       sizeof(signer_pub)),
					  "--scope", scope_hex, NULL});
	assert_non_null(strstr(t->result.out, "kid: "));
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

/* SHA-256 hex of config.json, as `teep-agent list` prints it. */
static void plaintext_digest(struct e2e *t, char *out, size_t cap)
{
	char cmd[256], p[192];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "sha256sum %s", path(t, "config.json", p, sizeof(p)));
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, (int)cap, f));
	out[64] = '\0';
	pclose(f);
}

static void install_encrypted(void **state, const char *content_alg)
{
	struct e2e *t = *state;
	char digest[80];

	write_description(t, "pd.json", "TEEP-Device", content_alg, "tee-enc.pub.pem", 1);
	build(t, "pd.json", "pd.suit");
	add_manifest(t, "pd.suit");
	start_tam(t);
	run_agent(t, 0);
	expect_output(t, "1 manifest installed");
	stop_tam(t);

	plaintext_digest(t, digest, sizeof(digest));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	expect_output(t, digest);
	expect_output(t, config_id_hex);
}

static void test_pd_aes_ctr(void **state)
{
	install_encrypted(state, "A128CTR");
}

static void test_pd_aes_gcm(void **state)
{
	install_encrypted(state, "A128GCM");
}

/* Install `desc` through a TAM; the agent must fail with `reason` in its
 * log and install nothing. */
static void expect_rejected(struct e2e *t, const char *desc, const char *reason)
{
	build(t, desc, "rejected.suit");
	add_manifest(t, "rejected.suit");
	start_tam(t);
	run_agent(t, 1);
	stop_tam(t);
	if (strstr(t->result.err, reason) == NULL)
		print_error("agent log lacks \"%s\": %s\n", reason, t->result.err);
	assert_non_null(strstr(t->result.err, reason));

	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	expect_output(t, "no components installed");
}

/* The data provider's signer for a component outside its scope. */
static void test_pd_outside_scope(void **state)
{
	struct e2e *t = *state;

	write_description(t, "outside.json", "Other-Device", "A128GCM", "tee-enc.pub.pem", 1);
	expect_rejected(t, "outside.json", "not trusted for component");
}

/* Personalization data encrypted to a key that is not the TEE's. */
static void test_pd_wrong_key(void **state)
{
	struct e2e *t = *state;

	keygen(t, "esp256", "other");
	write_description(t, "wrong-key.json", "TEEP-Device", "A128GCM", "other.pub.pem", 1);
	expect_rejected(t, "wrong-key.json", "content key unwrap failed");
}

/* The key commands: trust-list, trust-remove and secret-add. */
static void test_key_commands(void **state)
{
	struct e2e *t = *state;
	char kid[80], secret[192], dir[256];
	struct dirent *entry;
	size_t files = 0;
	DIR *folder;
	struct stat st;

	/* setup added the signer with its scope. */
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "trust-list", "--state", t->tee, NULL});
	expect_output(t, " scope 824b544545502d446576696365485365637572654653 ");
	assert_int_equal(sscanf(t->result.out, "%64s", kid), 1);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "trust-remove", "--state", t->tee,
					  "--kid", kid, NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "trust-list", "--state", t->tee, NULL});
	expect_output(t, "no trust anchors");
	run_expect(t, 1, (const char *[]){TK_AGENT_BIN, "trust-remove", "--state", t->tee,
					  "--kid", kid, NULL});
	run_expect(t, 2, (const char *[]){TK_AGENT_BIN, "trust-remove", "--state", t->tee,
					  "--kid", "abcd", NULL});

	/* A KEK read as hex from a file; the stored secret is private. */
	save(t, "kek.hex", "61616161616161616161616161616161\n");
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "secret-add", "--state", t->tee, "--use",
					  "kek", "--kid", "kid-1", "--secret-file",
					  path(t, "kek.hex", secret, sizeof(secret)), NULL});
	snprintf(dir, sizeof(dir), "%s/secrets", t->tee);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	folder = opendir(dir);
	assert_non_null(folder);
	while ((entry = readdir(folder)) != NULL) {
		char file[512];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, entry->d_name);
		assert_int_equal(stat(file, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		files++;
	}
	closedir(folder);
	assert_int_equal(files, 1);
	run_expect(t, 2, (const char *[]){TK_AGENT_BIN, "secret-add", "--state", t->tee, "--use",
					  "aes", "--kid", "kid-1", "--secret-file",
					  path(t, "kek.hex", secret, sizeof(secret)), NULL});
	save(t, "short.hex", "6161\n");
	run_expect(t, 1, (const char *[]){TK_AGENT_BIN, "secret-add", "--state", t->tee, "--use",
					  "kek", "--kid", "kid-2", "--secret-file",
					  path(t, "short.hex", secret, sizeof(secret)), NULL});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pd_aes_ctr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pd_aes_gcm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pd_outside_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pd_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_commands, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
