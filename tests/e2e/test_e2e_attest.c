/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end tests of attestation: teep-tam, teep-agent, teep-verifier
 * (its admin commands fill the verifier database) and teep run as
 * processes on loopback with the simulated TEE, state in a temporary
 * folder, each TAM on a free port and stopped by PID.
 *
 * Background check: teep-tam appraises the agent's evidence with the
 * verifier library in its own process (--verifier-db), installs only after
 * an affirming result, refuses with err-code 7 otherwise, and hands the
 * result back for `teep-agent show-result`.
 *
 * Passport: the test plays the agent. It obtains a result for its evidence
 * from the verifier library with the TAM's challenge as nonce and presents
 * it. The TAM accepts it once, from the device the result is bound to,
 * before the challenge expires.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_attest.h"
#include "teep/tk_teep_msg.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

#include "proc.h"
#include "swtpm.h"

/* Component id ['TEEP-Device', 'SecureFS', h'5f1c9a2e...', 'ta'], hex CBOR. */
static const char ta_id[] =
	"844b544545502d446576696365485365637572654653505f1c9a2e7b3d4c8e9a612d4b8e0f7c13427461";

/* URI of the fake agent's manifests entry, and its digest (32 bytes of 0x42 ...). */
static const char fake_agent_uri[] = "urn:teepkit:e2e-fake-agent";

struct e2e {
	char dir[128];
	char path[8][192];
	char db[192];
	char vdb[192];
	char tee[192];
	char url[96];
	char ueid[80];
	char tcti[96];       /* TPM backend: the swtpm TCTI; "" for the simulator */
	struct swtpm tpm;    /* pid 0 unless the test started swtpm */
	pid_t verifier_pid;  /* teep-verifier serve, 0 when not running */
	pid_t tam_pid;
	struct proc_result result;
};

static const char *path_of(struct e2e *t, int slot, const char *name)
{
	snprintf(t->path[slot], sizeof(t->path[slot]), "%s/%s", t->dir, name);
	return t->path[slot];
}

static void run_expect(struct e2e *t, int expected, const char *const argv[])
{
	assert_int_equal(proc_run(&t->result, argv), 0);
	if (t->result.exit_code != expected)
		print_error("%s %s exited %d (expected %d)\nstdout: %s\nstderr: %s\n", argv[0],
			    argv[1], t->result.exit_code, expected, t->result.out, t->result.err);
	assert_int_equal(t->result.exit_code, expected);
}

static void keygen(struct e2e *t, const char *name)
{
	char priv[192], pub[192];
	const char *alg = strstr(name, "ed25519") != NULL ? "ed25519" : "esp256";

	snprintf(priv, sizeof(priv), "%s/%s.pem", t->dir, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub.pem", t->dir, name);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "keygen", "--alg", alg, "--out", priv,
					  "--pub", pub, NULL});
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

/* Hex of a text's bytes into out, which has room for 2 * strlen(text) + 1 bytes. */
static void hex_of(const char *text, char *out)
{
	size_t n = strlen(text);

	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)text[i]);
	out[2 * n] = '\0';
}

/* Add a reference value for a component (hex) with a digest (hex). */
static void add_reference(struct e2e *t, const char *component_hex, const char *digest_hex)
{
	run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "add-reference", "--db", t->vdb,
					  "--component", component_hex, "--digest", digest_hex,
					  NULL});
}

/* Reference value of the real agent: its URI and the digest of its binary. */
static void add_agent_reference(struct e2e *t)
{
	char uri[96], uri_hex[200], digest[65];
	char *version;

	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "--version", NULL});
	version = strchr(t->result.out, ' ');
	assert_non_null(version);
	version[strcspn(version, "\n")] = '\0';
	snprintf(uri, sizeof(uri), "urn:teepkit:teep-agent:%s", version + 1);
	hex_of(uri, uri_hex);
	file_digest(TK_AGENT_BIN, digest);
	add_reference(t, uri_hex, digest);
}

static void add_ta_reference(struct e2e *t, bool right_digest)
{
	char ta[192], digest[65];

	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	file_digest(ta, digest);
	if (!right_digest)
		digest[0] = digest[0] == '0' ? '1' : '0';
	add_reference(t, ta_id, digest);
}

static int setup(void **state)
{
	struct e2e *t = calloc(1, sizeof(*t));
	char agent_pub[192], envelope[192], ta[192], signer[192], line[192];
	const char *at;
	FILE *f;

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-e2e-att.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->db, sizeof(t->db), "%s/tam.sqlite", t->dir);
	snprintf(t->vdb, sizeof(t->vdb), "%s/verifier.sqlite", t->dir);
	snprintf(t->tee, sizeof(t->tee), "%s/tee", t->dir);
	*state = t;

	keygen(t, "tam-esp256");
	keygen(t, "tam-ed25519");
	keygen(t, "signer");
	keygen(t, "verifier");
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", t->tee, NULL});
	at = strstr(t->result.out, "ueid: ");
	assert_non_null(at);
	sscanf(at, "ueid: %79s", t->ueid);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "pubkey", "--state", t->tee, NULL});
	snprintf(agent_pub, sizeof(agent_pub), "%s/agent.pub.pem", t->dir);
	f = fopen(agent_pub, "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db,
					  agent_pub, NULL});
	run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "enroll-key", "--db", t->vdb,
					  "--ueid", t->ueid, agent_pub, NULL});

	/* The TA manifest, registered and required on every device. */
	snprintf(envelope, sizeof(envelope), "%s/hello.suit", t->dir);
	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	snprintf(signer, sizeof(signer), "%s/signer.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", signer,
					  "--component-id", ta_id, "--seq", "1", "--integrated",
					  "--out", envelope, ta, NULL});
	snprintf(signer, sizeof(signer), "%s/signer.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db,
					  "--signer", signer, envelope, NULL});
	at = strstr(t->result.out, "manifest-component-id: ");
	assert_non_null(at);
	sscanf(at, "manifest-component-id: %191s", line);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "require", "--db", t->db, "--manifest",
					  line, "--all", NULL});
	return 0;
}

static int teardown(void **state)
{
	struct e2e *t = *state;

	/* A failed assertion skips the test's own stops, so stop everything here. */
	if (t->tam_pid > 0)
		proc_stop(t->tam_pid);
	if (t->verifier_pid > 0)
		proc_stop(t->verifier_pid);
	if (t->tpm.pid > 0)
		swtpm_stop(&t->tpm);
	proc_remove_tree(t->dir);
	free(t);
	return 0;
}

/* Start teep-tam with extra options (NULL-terminated, at most 6). */
static void start_tam(struct e2e *t, const char *const extra[])
{
	const char *argv[24] = {TK_TAM_BIN, "serve", "--db", t->db, "--key",
				path_of(t, 0, "tam-esp256.pem"), "--key",
				path_of(t, 1, "tam-ed25519.pem"), "--listen", "127.0.0.1:0",
				"--port-file", path_of(t, 2, "port")};
	char port[16] = "";
	size_t n = 12;

	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 22; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	unlink(t->path[2]);
	t->tam_pid = proc_start(argv, path_of(t, 3, "tam.log"));
	assert_true(t->tam_pid > 0);
	for (int i = 0; i < 200 && proc_read_file(t->path[2], port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	long number = strtol(port, NULL, 10);
	assert_true(number > 0 && number < 65536);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%ld/tam", number);
}

static void start_tam_inproc(struct e2e *t)
{
	start_tam(t, (const char *[]){"--verifier-db", t->vdb, "--verifier-signing-key",
				      path_of(t, 4, "verifier.pem"), NULL});
}

static void stop_tam(struct e2e *t)
{
	if (t->tam_pid > 0) {
		int code = proc_stop(t->tam_pid);

		t->tam_pid = 0;
		assert_int_equal(code, 0);
	}
}

/*
 * Run teep-agent COMMAND --state TEE [options] (NULL-terminated, at most
 * 10), with the TPM backend options when the test uses swtpm.
 */
static void agent(struct e2e *t, int expected, const char *command, const char *const opts[])
{
	const char *argv[20] = {TK_AGENT_BIN, command, "--state", t->tee};
	size_t n = 4;

	if (t->tcti[0] != '\0') {
		argv[n++] = "--backend";
		argv[n++] = "tpm";
		argv[n++] = "--tcti";
		argv[n++] = t->tcti;
	}
	for (size_t i = 0; opts != NULL && opts[i] != NULL && n < 19; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	run_expect(t, expected, argv);
}

static void run_agent(struct e2e *t, int expected)
{
	agent(t, expected, "run", (const char *[]){"--tam", t->url, "--tam-key",
						   path_of(t, 5, "tam-esp256.pub.pem"),
						   "--tam-key",
						   path_of(t, 6, "tam-ed25519.pub.pem"),
						   "--trust-anchor",
						   path_of(t, 7, "signer.pub.pem"), NULL});
}

static bool installed(struct e2e *t)
{
	agent(t, 0, "list", NULL);
	return strstr(t->result.out, ta_id) != NULL;
}

/* The TAM's latest attestation line of show-devices. */
static void latest_attestation(struct e2e *t, char *out, size_t cap)
{
	const char *at;

	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	at = strstr(t->result.out, "  attestation: ");
	assert_non_null(at);
	snprintf(out, cap, "%.*s", (int)strcspn(at, "\n"), at);
}

static void test_install_after_affirming(void **state)
{
	struct e2e *t = *state;
	char line[256];

	start_tam_inproc(t);

	/* The verifier does not know the agent's code: warning, refused. */
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	assert_false(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "warning background-check refuse"));

	/* With the agent's reference value the result is affirming. */
	add_agent_reference(t);
	run_agent(t, 0);
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_non_null(strstr(t->result.out, "attestation result from"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));

	/* The agent kept the result the TAM acted on. */
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "show-result", "--state", t->tee, NULL});
	assert_non_null(strstr(t->result.out, "status: affirming"));
	assert_non_null(strstr(t->result.out, TK_TEEP_EAR_MEDIA_TYPE));

	/* The history lists both appraisals, newest first. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", t->db,
					  "--device", t->ueid, NULL});
	const char *affirming = strstr(t->result.out, "tier: affirming");
	const char *warning = strstr(t->result.out, "tier: warning");

	assert_non_null(affirming);
	assert_non_null(warning);
	assert_true(affirming < warning);
	assert_non_null(strstr(t->result.out, "result-claims: {"));
	assert_non_null(strstr(t->result.out, "\"teep\": {1000 / ear.status /: 2"));
	stop_tam(t);
}

static void load_ta(struct e2e *t, int expected);
static bool tam_log_has(struct e2e *t, const char *text);

/* Start teep-verifier serve on a free port; returns its PID, sets base URI. */
static pid_t start_verifier(struct e2e *t, char *base, size_t cap)
{
	char port_file[192], log[192], port[16] = "";
	pid_t pid;

	snprintf(port_file, sizeof(port_file), "%s/verifier.port", t->dir);
	snprintf(log, sizeof(log), "%s/verifier.log", t->dir);
	pid = proc_start((const char *[]){TK_VERIFIER_BIN, "serve", "--db", t->vdb, "--key",
					  path_of(t, 4, "verifier.pem"), "--listen",
					  "127.0.0.1:0", "--port-file", port_file, NULL}, log);
	assert_true(pid > 0);
	for (int i = 0; i < 200 && proc_read_file(port_file, port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	long number = strtol(port, NULL, 10);
	assert_true(number > 0 && number < 65536);
	snprintf(base, cap, "http://127.0.0.1:%ld", number);
	t->verifier_pid = pid;
	return pid;
}

static void test_background_check_over_http(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256];
	pid_t verifier;

	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), NULL});
	run_agent(t, 0);
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "show-result", "--state", t->tee, NULL});
	assert_non_null(strstr(t->result.out, "status: affirming"));

	/* A loaded TA with another digest than its reference value. */
	add_ta_reference(t, false);
	load_ta(t, 0);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "contraindicated background-check refuse"));
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
}

/*
 * Evidence encrypted to the TAM ("EAT Encryption"): the TAM decrypts it
 * with --decryption-key and the verifier over HTTP appraises the EAT; a
 * TAM without the key drops the QueryResponse and says why in its log.
 */
static void test_encrypted_evidence_over_http(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256], enc_priv[192], enc_pub[192];
	const char *run_opts[12];
	pid_t verifier;

	/* Own buffers: start_tam() reuses the path slots 0..3. */
	keygen(t, "tam-enc");
	snprintf(enc_priv, sizeof(enc_priv), "%s/tam-enc.pem", t->dir);
	snprintf(enc_pub, sizeof(enc_pub), "%s/tam-enc.pub.pem", t->dir);
	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), "--decryption-key",
				      enc_priv, NULL});
	memcpy(run_opts, (const char *[]){"--tam", t->url, "--tam-key",
					  path_of(t, 5, "tam-esp256.pub.pem"), "--tam-key",
					  path_of(t, 6, "tam-ed25519.pub.pem"), "--trust-anchor",
					  path_of(t, 7, "signer.pub.pem"), "--tam-encryption-key",
					  enc_pub, NULL}, 11 * sizeof(run_opts[0]));
	agent(t, 0, "run", run_opts);
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));
	stop_tam(t);

	/* The same agent against a TAM that has no decryption key. */
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), NULL});
	run_opts[1] = t->url;
	agent(t, 0, "run", run_opts);
	assert_non_null(strstr(t->result.out, "the TAM dropped the QueryResponse"));
	assert_true(tam_log_has(t, "dropped QueryResponse from kid"));
	assert_true(tam_log_has(t, "evidence is encrypted (ueid"));
	assert_true(tam_log_has(t, "but the TAM has no decryption key"));
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
}

struct http_reply {
	long status;
	unsigned char body[65536];
	size_t body_len;
};

static size_t collect_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct http_reply *reply = arg;
	size_t len = size * n;

	if (len > sizeof(reply->body) - reply->body_len)
		return 0;
	memcpy(reply->body + reply->body_len, ptr, len);
	reply->body_len += len;
	return len;
}

/* POST a JSON body to teep-verifier's newSession; returns the status, body in out. */
static long post_new_session(const char *base, const char *json, char *out, size_t cap)
{
	static struct http_reply reply;
	struct curl_slist *headers = NULL;
	char url[128];
	CURL *curl = curl_easy_init();
	long status = 0;

	assert_non_null(curl);
	memset(&reply, 0, sizeof(reply));
	snprintf(url, sizeof(url), "%s/challenge-response/v1/newSession", base);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	snprintf(out, cap, "%.*s", (int)reply.body_len, (const char *)reply.body);
	return status;
}

/* A verifier that is down: the TAM cannot open a session, so no QueryRequest goes out. */
static void test_verifier_down(void **state)
{
	struct e2e *t = *state;
	char base[64];
	pid_t verifier;

	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), NULL});
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "TK_ERR_HTTP_STATUS"));
	assert_false(installed(t));
	stop_tam(t);
	assert_true(tam_log_has(t, "processing failed"));
	assert_true(tam_log_has(t, "TK_ERR_NETWORK"));
}

/*
 * A simulated agent whose key the TAM enrolled but the verifier did not:
 * the verifier's result names no key (instance-identity 97), and the TAM
 * answers with err-code 7 naming that reason, and records status none.
 */
static void test_unknown_key_gets_err_code_7(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256], pub[192];
	pid_t verifier;
	FILE *f;

	snprintf(t->tee, sizeof(t->tee), "%s/tee-unknown", t->dir);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", t->tee, NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "pubkey", "--state", t->tee, NULL});
	snprintf(pub, sizeof(pub), "%s/unknown.pub.pem", t->dir);
	f = fopen(pub, "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db, pub, NULL});
	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), NULL});
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	assert_non_null(strstr(t->result.err, "the verifier's result names no key "
					      "(instance-identity 97)"));
	assert_false(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "none background-check refuse"));
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
}

/* Passport model with the real agent: it obtains its result from teep-verifier. */
static void test_passport_from_agent(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256];
	pid_t verifier;

	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier-key", path_of(t, 4, "verifier.pub.pem"), NULL});
	agent(t, 0, "run", (const char *[]){"--tam", t->url, "--tam-key",
					    path_of(t, 5, "tam-esp256.pub.pem"), "--tam-key",
					    path_of(t, 6, "tam-ed25519.pub.pem"), "--trust-anchor",
					    path_of(t, 7, "signer.pub.pem"), "--verifier", base, NULL});
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_non_null(strstr(t->result.err, "obtained an attestation result"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming passport proceed"));

	/* The session nonce a request chooses, and bodies that are refused. */
	static const char nonce_b64[] = "ERERERERERERERERERERERERERERERERERERERERERE=";
	char json[128], body[4096];

	snprintf(json, sizeof(json), "{\"nonce\": \"%s\"}", nonce_b64);
	assert_int_equal(post_new_session(base, json, body, sizeof(body)), 201);
	assert_non_null(strstr(body, nonce_b64));
	assert_int_equal(post_new_session(base, "{\"nonce\": \"ERER\"}", body, sizeof(body)),
			 400);
	assert_int_equal(post_new_session(base, "not json", body, sizeof(body)), 400);
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
}

/*
 * A TAM that runs both models: it opens a verifier session for each
 * QueryRequest (background check), and the agent presents a result of
 * the same verifier for that challenge (passport). The agent's session
 * takes the nonce the TAM's session already holds.
 */
static void test_passport_with_tam_verifier(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256];
	pid_t verifier;

	add_agent_reference(t);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier", base, "--verifier-key",
				      path_of(t, 4, "verifier.pub.pem"), NULL});
	agent(t, 0, "run", (const char *[]){"--tam", t->url, "--tam-key",
					    path_of(t, 5, "tam-esp256.pub.pem"), "--tam-key",
					    path_of(t, 6, "tam-ed25519.pub.pem"), "--trust-anchor",
					    path_of(t, 7, "signer.pub.pem"), "--verifier", base, NULL});
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_non_null(strstr(t->result.err, "obtained an attestation result"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming passport proceed"));

	/* The same TAM appraises the evidence of an agent without --verifier. */
	run_agent(t, 0);
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
}

static void load_ta(struct e2e *t, int expected)
{
	agent(t, expected, "load", (const char *[]){"--component", ta_id, "--trust-anchor",
						    path_of(t, 7, "signer.pub.pem"), NULL});
}

static void test_unrecognized_ta_refused(void **state)
{
	struct e2e *t = *state;
	char line[256];

	add_agent_reference(t);
	start_tam_inproc(t);
	run_agent(t, 0);
	assert_true(installed(t));

	/* A loaded TA the verifier has no reference value for: warning. */
	load_ta(t, 0);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "warning background-check refuse"));

	/* A group that accepts warnings proceeds. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "set-group", "--db", t->db, "--device",
					  t->ueid, "--group", "lab", NULL});
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "set-policy", "--db", t->db, "--group",
					  "lab", "--warning", "accept", NULL});
	run_agent(t, 0);
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "warning background-check proceed"));
	assert_non_null(strstr(line, "group lab"));

	/* A TA whose digest differs from its reference value: contraindicated,
	 * which no policy accepts. */
	add_ta_reference(t, false);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "contraindicated background-check refuse"));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, "reason: "));
	stop_tam(t);
}

static void test_altered_ta_not_loaded(void **state)
{
	struct e2e *t = *state;
	char dir[256], file[600];
	struct dirent *entry;
	DIR *d;
	FILE *f;
	int c;

	add_agent_reference(t);
	start_tam_inproc(t);
	run_agent(t, 0);
	stop_tam(t);
	assert_true(installed(t));

	/*
	 * Flip the last byte of the stored image. The file starts with the
	 * sim backend's record (magic, id, size, digest) and ends with the
	 * image, so the record still reads and the digest check fails.
	 */
	snprintf(dir, sizeof(dir), "%s/components", t->tee);
	d = opendir(dir);
	assert_non_null(d);
	while ((entry = readdir(d)) != NULL && entry->d_name[0] == '.')
		;
	assert_non_null(entry);
	snprintf(file, sizeof(file), "%s/%s", dir, entry->d_name);
	closedir(d);
	f = fopen(file, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	assert_int_equal(fputc(c ^ 0xff, f), c ^ 0xff);
	assert_int_equal(fclose(f), 0);

	load_ta(t, 1);
	assert_non_null(strstr(t->result.err, "TK_ERR_DIGEST_MISMATCH"));
	assert_null(strstr(t->result.err, "TK_ERR_IO"));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "measurements", "--state", t->tee,
					  NULL});
	assert_null(strstr(t->result.out, ta_id));
}

/* ---- TPM backend on swtpm ---- */

/*
 * Switch the test to a TPM-backed TEE on a fresh swtpm: create it, enroll
 * its TEEP key with the TAM and the verifier, and its attestation key (AK)
 * with the verifier. With trust_ca the verifier also trusts the CA that
 * issued swtpm's EK certificate.
 */
static void use_tpm(struct e2e *t, struct swtpm *tpm, bool trust_ca)
{
	struct tk_tee_tpm_config cfg = {0};
	struct tk_tee tee = {0};
	struct tk_diag diag;
	char dir[192], pub[192], ak[192], ca[256], pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	const char *at;
	FILE *f;

	if (!swtpm_available())
		skip();
	snprintf(dir, sizeof(dir), "%s/swtpm", t->dir);
	assert_int_equal(swtpm_start(tpm, dir), 0);
	snprintf(t->tcti, sizeof(t->tcti), "%s", tpm->tcti);
	snprintf(t->tee, sizeof(t->tee), "%s/tee-tpm", t->dir);

	agent(t, 0, "init", NULL);
	at = strstr(t->result.out, "ueid: ");
	assert_non_null(at);
	sscanf(at, "ueid: %79s", t->ueid);
	agent(t, 0, "pubkey", NULL);
	snprintf(pub, sizeof(pub), "%s/agent-tpm.pub.pem", t->dir);
	f = fopen(pub, "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db, pub, NULL});
	run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "enroll-key", "--db", t->vdb,
					  "--ueid", t->ueid, pub, NULL});

	/* The AK, read through the TEE interface as an operator's tool would. */
	tk_diag_clear(&diag);
	cfg.state_dir = t->tee;
	cfg.tcti = t->tcti;
	assert_int_equal(tk_tee_tpm_open(&cfg, &tee, &diag), TK_OK);
	assert_int_equal(tk_tee_attestation_key_pem(&tee, pem, sizeof(pem), &pem_len, &diag),
			 TK_OK);
	tk_tee_close(&tee);
	snprintf(ak, sizeof(ak), "%s/ak.pub.pem", t->dir);
	f = fopen(ak, "w");
	assert_non_null(f);
	fwrite(pem, 1, pem_len, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "enroll-key", "--db", t->vdb,
					  "--ueid", t->ueid, ak, NULL});
	/* swtpm_localca issues the EK certificate from an intermediate CA
	 * (issuercert.pem) under its own root. */
	if (trust_ca) {
		snprintf(ca, sizeof(ca), "%s/ca/swtpm-localca-rootca-cert.pem", dir);
		run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db", t->vdb, ca,
						  NULL});
		snprintf(ca, sizeof(ca), "%s/ca/issuercert.pem", dir);
		run_expect(t, 0, (const char *[]){TK_VERIFIER_BIN, "add-ca", "--db", t->vdb, ca,
						  NULL});
	}
	add_agent_reference(t);
}

/*
 * The quote in the evidence: the verifier checks it with the enrolled AK
 * (instance-identity 2), replays the measurement log to the quoted PCR
 * (executables 2) and chains the EK certificate to swtpm's CA (hardware
 * 2). So the TA installs, and the result stays affirming once it is loaded.
 */
static void test_tpm_install_after_affirming(void **state)
{
	struct e2e *t = *state;
	char line[256];

	use_tpm(t, &t->tpm, true);
	start_tam_inproc(t);
	run_agent(t, 0);
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	assert_true(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));

	add_ta_reference(t, true);
	load_ta(t, 0);
	run_agent(t, 0);
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming background-check proceed"));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "show-result", "--state", t->tee, NULL});
	assert_non_null(strstr(t->result.out, "0 / instance-identity /: 2"));
	assert_non_null(strstr(t->result.out, "2 / executables /: 2"));
	assert_non_null(strstr(t->result.out, "4 / hardware /: 2"));
	assert_non_null(strstr(t->result.out, "https://teepkit.example/policy/teep-tpm/1"));
	stop_tam(t);
	swtpm_stop(&t->tpm);
}

static void test_tpm_unknown_ta_refused(void **state)
{
	struct e2e *t = *state;
	char line[256];

	use_tpm(t, &t->tpm, true);
	start_tam_inproc(t);
	run_agent(t, 0);
	assert_true(installed(t));

	/* Loaded without a reference value: warning, which group default rejects. */
	load_ta(t, 0);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "warning background-check refuse"));

	/* Loaded with another digest than its reference value: contraindicated. */
	add_ta_reference(t, false);
	run_agent(t, 1);
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "contraindicated background-check refuse"));
	stop_tam(t);
	swtpm_stop(&t->tpm);
}

static void test_tpm_passport_from_agent(void **state)
{
	struct e2e *t = *state;
	char base[64], line[256];
	pid_t verifier;

	use_tpm(t, &t->tpm, true);
	verifier = start_verifier(t, base, sizeof(base));
	start_tam(t, (const char *[]){"--verifier-key", path_of(t, 4, "verifier.pub.pem"), NULL});
	agent(t, 0, "run", (const char *[]){"--tam", t->url, "--tam-key",
					    path_of(t, 5, "tam-esp256.pub.pem"), "--tam-key",
					    path_of(t, 6, "tam-ed25519.pub.pem"), "--trust-anchor",
					    path_of(t, 7, "signer.pub.pem"), "--verifier", base, NULL});
	assert_non_null(strstr(t->result.out, "1 manifest installed"));
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming passport proceed"));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, "4 / hardware /: 2"));
	stop_tam(t);
	t->verifier_pid = 0;
	assert_int_equal(proc_stop(verifier), 0);
	swtpm_stop(&t->tpm);
}

static void test_tpm_untrusted_ek_refused(void **state)
{
	struct e2e *t = *state;
	char line[256];

	use_tpm(t, &t->tpm, false);
	start_tam_inproc(t);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 7"));
	assert_false(installed(t));
	latest_attestation(t, line, sizeof(line));
	assert_null(strstr(line, "affirming"));
	assert_non_null(strstr(line, "refuse"));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, "4 / hardware /: 97"));
	stop_tam(t);
	swtpm_stop(&t->tpm);
}

/* ---- Passport: the test plays the agent over HTTP ---- */

static void http_post(const char *url, const void *body, size_t body_len,
		      struct http_reply *reply)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;

	memset(reply, 0, sizeof(*reply));
	assert_non_null(curl);
	headers = curl_slist_append(headers, "Accept: application/teep+cbor");
	if (body_len > 0)
		headers = curl_slist_append(headers, "Content-Type: application/teep+cbor");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_len ? body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

static void expect_ok(const char *what, tk_err err, const struct tk_diag *diag)
{
	char text[512];

	if (err != TK_OK) {
		tk_diag_format(diag, text, sizeof(text));
		fail_msg("%s failed: %s", what, text);
	}
}

/* A device played by the test: its TEE key, kid and UEID from a state folder. */
struct device {
	const struct tk_crypto *crypto;
	struct tk_crypto_key *key;
	uint8_t kid[32];
	uint8_t ueid[64];
	size_t ueid_len;
	struct tk_diag diag;
};

static void device_open(const char *tee, struct device *d)
{
	char path[256], pem[4096];
	long pem_len, n;
	FILE *f;

	memset(d, 0, sizeof(*d));
	d->crypto = tk_crypto_openssl();
	snprintf(path, sizeof(path), "%s/key.pem", tee);
	pem_len = proc_read_file(path, pem, sizeof(pem));
	assert_true(pem_len > 0);
	expect_ok("import TEE key",
		  tk_crypto_key_import_pem(d->crypto, (const uint8_t *)pem, (size_t)pem_len,
					   &d->key, &d->diag), &d->diag);
	tk_wipe(pem, sizeof(pem));
	expect_ok("kid", tk_cose_key_thumbprint_crypto(d->crypto, d->key, d->kid, &d->diag),
		  &d->diag);
	snprintf(path, sizeof(path), "%s/ueid", tee);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = (long)fread(d->ueid, 1, sizeof(d->ueid), f);
	fclose(f);
	assert_true(n > 0);
	d->ueid_len = (size_t)n;
}

static void device_close(struct device *d)
{
	tk_crypto_key_free(d->key);
}

/* Open a session; copy the QueryRequest's challenge. */
static size_t connect_tam(struct e2e *t, struct device *d, uint8_t *challenge)
{
	static struct http_reply reply;
	struct tk_cose_headers body, signer;
	struct tk_teep_msg qr;
	struct tk_span payload;

	http_post(t->url, NULL, 0, &reply);
	assert_int_equal(reply.status, 200);
	expect_ok("peek", tk_cose_peek(reply.body, reply.body_len, &body, &signer, &payload,
				       &d->diag), &d->diag);
	expect_ok("decode", tk_teep_decode(payload.ptr, payload.len, &qr, &d->diag), &d->diag);
	assert_true(qr.query_request.challenge.len >= 8 &&
		    qr.query_request.challenge.len <= 64);
	memcpy(challenge, qr.query_request.challenge.ptr, qr.query_request.challenge.len);
	return qr.query_request.challenge.len;
}

/* Evidence of the device with eat_nonce = nonce, as the real agent builds it. */
static size_t sign_evidence(struct device *d, struct tk_span nonce, uint8_t *out, size_t cap)
{
	static const uint8_t digest[32] = {0x42};
	static const uint8_t oemid[16] = {0x74, 0x65, 0x65, 0x70};
	struct tk_eat_suit_reference ref = {
		.uri = tk_span_make(fake_agent_uri, strlen(fake_agent_uri)),
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = tk_span_make(digest, sizeof(digest)),
	};
	static struct tk_eat_claims claims;
	uint8_t ref_buf[128];
	size_t ref_len = 0, len = 0;

	memset(&claims, 0, sizeof(claims));
	expect_ok("reference", tk_eat_encode_suit_reference(&ref, ref_buf, sizeof(ref_buf),
							     &ref_len, &d->diag), &d->diag);
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = nonce;
	claims.ueid = tk_span_make(d->ueid, d->ueid_len);
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("e2e", 3);
	claims.hwversion = tk_span_make("1.0", 3);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref_buf, ref_len);
	claims.manifest_count = 1;
	expect_ok("sign evidence", tk_eat_sign(d->crypto, d->key, &claims, out, cap, &len,
					       &d->diag), &d->diag);
	return len;
}

/*
 * The device's attestation result for nonce, from the verifier library
 * with the verifier database and key of the test (the passport the device
 * would get from a verifier).
 */
static size_t obtain_result(struct e2e *t, struct device *d, struct tk_span nonce,
			    uint8_t *out, size_t cap)
{
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	struct tk_verifier_config cfg = {0};
	struct tk_verifier_result res;
	struct tk_verifier v;
	struct tk_crypto_key *key = NULL;
	uint8_t evidence[4096];
	char pem[4096];
	long pem_len;
	struct tk_verifier_request req = {
		.nonce = nonce,
		.cnf_kid = tk_span_make(d->kid, sizeof(d->kid)),
		.format = TK_VERIFIER_EAR_CWT,
	};

	pem_len = proc_read_file(path_of(t, 4, "verifier.pem"), pem, sizeof(pem));
	assert_true(pem_len > 0);
	expect_ok("verifier key", tk_crypto_key_import_pem(d->crypto, (const uint8_t *)pem,
							   (size_t)pem_len, &key, &d->diag),
		  &d->diag);
	expect_ok("verifier db", tk_verifier_sqlite_open(t->vdb, false, &db, &ops, &d->diag),
		  &d->diag);
	cfg.crypto = d->crypto;
	cfg.store = &ops;
	cfg.signing_key = key;
	expect_ok("verifier init", tk_verifier_init(&v, &cfg, &d->diag), &d->diag);
	req.evidence = tk_span_make(evidence, sign_evidence(d, nonce, evidence,
							     sizeof(evidence)));
	expect_ok("appraise", tk_verifier_appraise(&v, (int64_t)time(NULL), &req, out, cap, &res,
						   &d->diag), &d->diag);
	assert_int_equal(res.status, TK_VERIFIER_TIER_AFFIRMING);
	tk_verifier_sqlite_close(db);
	tk_crypto_key_free(key);
	return res.ear_len;
}

/* A QueryResponse signed by d presenting result as its attestation-payload. */
static size_t passport_response(struct device *d, struct tk_span result, uint8_t *out,
				size_t cap)
{
	struct tk_cose_signer signer = {
		.key = d->key, .alg = tk_cose_alg_for_key(d->key), .kid_thumbprint = true,
	};
	const struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_RESPONSE};
	uint8_t payload[16384];
	size_t payload_len = 0, len = 0;

	msg.query_response.has_attestation_payload = true;
	msg.query_response.attestation_payload = result;
	msg.query_response.has_attestation_payload_format = true;
	msg.query_response.attestation_payload_format =
		tk_span_make(TK_TEEP_EAR_MEDIA_TYPE, strlen(TK_TEEP_EAR_MEDIA_TYPE));
	expect_ok("encode", tk_teep_encode(&msg, payload, sizeof(payload), &payload_len,
					   &d->diag), &d->diag);
	expect_ok("sign", tk_cose_sign1_create(d->crypto, &signer, payload, payload_len, &opts,
					       out, cap, &len, &d->diag), &d->diag);
	return len;
}

static bool tam_log_has(struct e2e *t, const char *text)
{
	static char log[262144];

	assert_true(proc_read_file(path_of(t, 3, "tam.log"), log, sizeof(log)) > 0);
	return strstr(log, text) != NULL;
}

static void test_passport_accepted_once(void **state)
{
	struct e2e *t = *state;
	static uint8_t result[TK_VERIFIER_RESULT_MAX], message[32768];
	static struct http_reply reply;
	uint8_t challenge[64];
	struct device a;
	char uri_hex[200], line[256];
	size_t challenge_len, result_len, len;

	hex_of(fake_agent_uri, uri_hex);
	add_reference(t, uri_hex, "4200000000000000000000000000000000000000000000000000000000000000");
	start_tam(t, (const char *[]){"--verifier-key", path_of(t, 4, "verifier.pub.pem"), NULL});
	device_open(t->tee, &a);

	challenge_len = connect_tam(t, &a, challenge);
	result_len = obtain_result(t, &a, tk_span_make(challenge, challenge_len), result,
				   sizeof(result));
	len = passport_response(&a, tk_span_make(result, result_len), message, sizeof(message));
	http_post(t->url, message, len, &reply);
	assert_int_equal(reply.status, 200);
	assert_true(reply.body_len > 0);
	latest_attestation(t, line, sizeof(line));
	assert_non_null(strstr(line, "affirming passport proceed"));

	/* The same QueryResponse again: its challenge is used up. */
	http_post(t->url, message, len, &reply);
	assert_int_equal(reply.status, 204);
	assert_true(tam_log_has(t, "TK_ERR_REPLAY"));

	/* A result for a nonce the TAM never sent. */
	challenge[0] ^= 0xff;
	result_len = obtain_result(t, &a, tk_span_make(challenge, challenge_len), result,
				   sizeof(result));
	len = passport_response(&a, tk_span_make(result, result_len), message, sizeof(message));
	http_post(t->url, message, len, &reply);
	assert_int_equal(reply.status, 204);
	assert_true(tam_log_has(t, "TK_ERR_NONCE"));
	device_close(&a);
	stop_tam(t);
}

static void test_passport_stale_challenge(void **state)
{
	struct e2e *t = *state;
	static uint8_t result[TK_VERIFIER_RESULT_MAX], message[32768];
	static struct http_reply reply;
	uint8_t challenge[64];
	struct device a;
	char uri_hex[200];
	size_t challenge_len, result_len, len;

	hex_of(fake_agent_uri, uri_hex);
	add_reference(t, uri_hex, "4200000000000000000000000000000000000000000000000000000000000000");
	start_tam(t, (const char *[]){"--verifier-key", path_of(t, 4, "verifier.pub.pem"),
				      "--token-lifetime", "1", NULL});
	device_open(t->tee, &a);
	challenge_len = connect_tam(t, &a, challenge);
	result_len = obtain_result(t, &a, tk_span_make(challenge, challenge_len), result,
				   sizeof(result));
	len = passport_response(&a, tk_span_make(result, result_len), message, sizeof(message));
	sleep(2);
	http_post(t->url, message, len, &reply);
	assert_int_equal(reply.status, 204);
	assert_true(tam_log_has(t, "TK_ERR_EXPIRED"));
	device_close(&a);
	stop_tam(t);
}

static void test_passport_of_another_device(void **state)
{
	struct e2e *t = *state;
	static uint8_t result[TK_VERIFIER_RESULT_MAX], message[32768];
	static struct http_reply reply;
	uint8_t challenge[64];
	char tee_b[256], pub_b[256], uri_hex[200];
	struct device a, b;
	size_t challenge_len, result_len, len;
	FILE *f;

	hex_of(fake_agent_uri, uri_hex);
	add_reference(t, uri_hex, "4200000000000000000000000000000000000000000000000000000000000000");

	/* Device B: its own TEE, enrolled with the TAM. */
	snprintf(tee_b, sizeof(tee_b), "%s/tee-b", t->dir);
	snprintf(pub_b, sizeof(pub_b), "%s/agent-b.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "init", "--state", tee_b, NULL});
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "pubkey", "--state", tee_b, NULL});
	f = fopen(pub_b, "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db, pub_b,
					  NULL});

	start_tam(t, (const char *[]){"--verifier-key", path_of(t, 4, "verifier.pub.pem"), NULL});
	device_open(t->tee, &a);
	device_open(tee_b, &b);

	/* B opens a session, then presents A's result for B's challenge. */
	challenge_len = connect_tam(t, &b, challenge);
	result_len = obtain_result(t, &a, tk_span_make(challenge, challenge_len), result,
				   sizeof(result));
	len = passport_response(&b, tk_span_make(result, result_len), message, sizeof(message));
	http_post(t->url, message, len, &reply);
	assert_int_equal(reply.status, 204);
	assert_true(tam_log_has(t, "bound (cnf) to another key"));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-results", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, "no attestation results"));
	device_close(&a);
	device_close(&b);
	stop_tam(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_after_affirming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrecognized_ta_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_altered_ta_not_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_background_check_over_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encrypted_evidence_over_http, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_passport_from_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passport_with_tam_verifier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_gets_err_code_7, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verifier_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_install_after_affirming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_untrusted_ek_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_unknown_ta_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_passport_from_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passport_accepted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passport_stale_challenge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passport_of_another_device, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
