/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the teep-agent program as a user runs it: help, version, misuse
 * and failure lines, init and list on a fresh state folder, key checks, and
 * the output of a session that ends without an Update. The program runs as
 * a child process. A session talks to a small HTTP server in this process
 * on 127.0.0.1 that plays a TAM with canned responses.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "teep/tk_teep_msg.h"

#include "proc.h"

#define MAX_RESPONSES 4
#define REQUEST_MAX 65536

/* Folder of one test run: the state folder, key files and plain files. */
static char temp_dir[] = "/tmp/tk-agent-cli-XXXXXX";
static char state_dir[256];
static char tee_pub[256];   /* TEE public key PEM, a valid public key of any role */
static char tam_pub[256];   /* public key of the fake TAM */
static char tam_priv[256];  /* its private key, the wrong file for --tam-key */
static char plain_file[256];
static struct tk_crypto_key *tam_key;

/* Loopback HTTP server that sends responses[n] on its n-th connection. */
struct server {
	int fd;
	int port;
	pthread_t thread;
	const uint8_t *responses[MAX_RESPONSES];
	size_t response_lens[MAX_RESPONSES];
	size_t n_responses;
	size_t served;
};

/* Read one request: headers, then Content-Length bytes of body. */
static void read_request(int fd)
{
	static char buf[REQUEST_MAX];
	size_t len = 0;

	while (len + 1 < sizeof(buf)) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		const char *end;
		const char *length;

		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end == NULL)
			continue;
		length = strcasestr(buf, "\r\nContent-Length:");
		if (len >= (size_t)(end + 4 - buf) + (length != NULL ? strtoul(length + 17, NULL, 10)
								     : 0))
			return;
	}
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (s->served < s->n_responses) {
		int c = accept(s->fd, NULL, NULL);
		ssize_t sent;

		if (c < 0)
			break;
		read_request(c);
		sent = send(c, s->responses[s->served], s->response_lens[s->served], MSG_NOSIGNAL);
		(void)sent;
		s->served++;
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s->fd, 4), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &addr_len), 0);
	s->port = ntohs(addr.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_key_pem(const char *path, const struct tk_crypto_key *key, bool private_key)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;

	assert_int_equal(tk_crypto_key_export_pem(key, private_key, pem, sizeof(pem), &len, NULL),
			 TK_OK);
	write_file(path, pem, len);
	tk_wipe(pem, sizeof(pem));
}

/* Run teep-agent with the given arguments (NULL-terminated) into *r. */
static void run_agent(struct proc_result *r, const char *const *args)
{
	const char *argv[24];
	size_t n = 0;

	argv[n++] = TK_AGENT_BIN;
	for (; args[n - 1] != NULL; n++) {
		assert_true(n + 1 < sizeof(argv) / sizeof(argv[0]));
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	assert_int_equal(proc_run(r, argv), 0);
}

static int setup(void **state)
{
	static struct proc_result r;

	(void)state;
	assert_non_null(mkdtemp(temp_dir));
	snprintf(state_dir, sizeof(state_dir), "%s/tee", temp_dir);
	snprintf(tee_pub, sizeof(tee_pub), "%s/tee-pub.pem", temp_dir);
	snprintf(tam_pub, sizeof(tam_pub), "%s/tam-pub.pem", temp_dir);
	snprintf(tam_priv, sizeof(tam_priv), "%s/tam-priv.pem", temp_dir);
	snprintf(plain_file, sizeof(plain_file), "%s/plain", temp_dir);
	write_file(plain_file, "x", 1);

	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &tam_key,
						NULL),
			 TK_OK);
	write_key_pem(tam_pub, tam_key, false);
	write_key_pem(tam_priv, tam_key, true);
	assert_int_equal(chmod(tam_priv, 0600), 0);

	run_agent(&r, (const char *[]){"init", "--state", state_dir, NULL});
	if (r.exit_code != 0)
		fail_msg("init failed: %s", r.err);
	run_agent(&r, (const char *[]){"pubkey", "--state", state_dir, NULL});
	assert_int_equal(r.exit_code, 0);
	write_file(tee_pub, r.out, strlen(r.out));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tk_crypto_key_free(tam_key);
	proc_remove_tree(temp_dir);
	return 0;
}

/* One row: arguments, expected exit code, and text expected in or absent from the output. */
struct cli_case {
	const char *description;
	const char *args[12];
	int exit_code;
	const char *out_has;    /* substring of stdout, or NULL */
	const char *out_lacks;  /* text stdout must not contain, or NULL */
	const char *err_starts; /* prefix of stderr, or NULL; "" = stderr empty */
	const char *err_has;    /* substring of stderr, or NULL */
};

/* Paths in args: STATE, PLAIN, TEE_PUB, TAM_PUB and TAM_PRIV stand for the files above. */
static const char *expand(const char *arg)
{
	if (arg == NULL)
		return NULL;
	if (strcmp(arg, "STATE") == 0)
		return state_dir;
	if (strcmp(arg, "PLAIN") == 0)
		return plain_file;
	if (strcmp(arg, "TEE_PUB") == 0)
		return tee_pub;
	if (strcmp(arg, "TAM_PUB") == 0)
		return tam_pub;
	if (strcmp(arg, "TAM_PRIV") == 0)
		return tam_priv;
	return arg;
}

static const struct cli_case cli_cases[] = {
	{"version", {"--version", NULL}, 0, "teep-agent " TK_PROJECT_VERSION "\n", NULL, "", NULL},
	{"top help says what it does", {"-h", NULL}, 0, "TEEP Broker and Agent", NULL, "", NULL},
	{"command help shows that command only", {"list", "-h", NULL}, 0, "teep-agent list",
	 "teep-agent run", "", NULL},
	{"run help gives --max-body default", {"run", "-h", NULL}, 0, "default 1048576", NULL, "",
	 NULL},
	{"run help gives --timeout default", {"run", "-h", NULL}, 0, "default 30,", NULL, "", NULL},
	{"run help gives the key count limit", {"run", "-h", NULL}, 0, "at most 8", NULL, "", NULL},
	{"run help exempts payloads fetched by URI from --max-body", {"run", "-h", NULL}, 0,
	 "payloads fetched by URI are not", "SUIT payload accepted", "", NULL},
	{"run help gives --verifier as a base URI", {"run", "-h", NULL}, 0,
	 "the API paths are", "challenge-response API is at", "", NULL},
	{"unknown command", {"bogus", NULL}, 2, NULL, NULL, "teep-agent: unknown command: bogus\n",
	 NULL},
	{"missing option value", {"run", "--state", NULL}, 2, NULL, NULL,
	 "teep-agent: run: missing value for --state\n", NULL},
	{"init on a regular file", {"init", "--state", "PLAIN", NULL}, 1, NULL, NULL,
	 "teep-agent: cannot create the TEE state: ", "is not a directory"},
	{"init with another algorithm", {"init", "--state", "STATE", "--alg", "ed25519", NULL}, 1,
	 NULL, "kid:", "teep-agent: cannot initialize the TEE state: ", "an ESP256 signing key"},
	{"init again with the same algorithm", {"init", "--state", "STATE", "--alg", "esp256", NULL},
	 0, "kid: ", NULL, NULL, NULL},
	{"TPM init on a simulated-TEE folder",
	 {"init", "--state", "STATE", "--backend", "tpm", "--tcti", "swtpm:host=127.0.0.1,port=9",
	  NULL},
	 1, NULL, "kid:", "teep-agent: cannot open the TEE state: ",
	 "belongs to the simulated TEE backend: drop --backend tpm"},
	{"enroll-ak on a simulated TEE",
	 {"enroll-ak", "--state", "STATE", "--verifier", "http://127.0.0.1:9", NULL}, 2, NULL, NULL,
	 "teep-agent: enroll-ak: enroll-ak needs --backend tpm: the simulated TEE has no "
	 "endorsement key\n", NULL},
	{"list of an empty state", {"list", "--state", "STATE", NULL}, 0,
	 "no components installed\n", NULL, "", NULL},
	{"list logs debug with -v", {"list", "-v", "--state", "STATE", NULL}, 0, NULL, NULL, NULL,
	 "loaded TEE signing key"},
	{"pubkey logs nothing", {"pubkey", "--state", "STATE", NULL}, 0, "BEGIN PUBLIC KEY", NULL,
	 "", NULL},
	{"TAM key file missing",
	 {"run", "--state", "STATE", "--tam", "http://127.0.0.1:9/tam", "--tam-key", "/nonexistent.pem",
	  "--trust-anchor", "TEE_PUB", NULL},
	 1, NULL, NULL,
	 "teep-agent: cannot load TAM key: /nonexistent.pem: TK_ERR_NOT_FOUND (601): ", NULL},
	{"private key as TAM key",
	 {"run", "--state", "STATE", "--tam", "http://127.0.0.1:9/tam", "--tam-key", "TAM_PRIV",
	  "--trust-anchor", "TEE_PUB", NULL},
	 1, NULL, NULL, "teep-agent: cannot load TAM key: ", "TK_ERR_KEY (404): "},
};

/* Count the lines of text. */
static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void check_case(const struct cli_case *c)
{
	static struct proc_result r;
	const char *args[12];

	for (size_t i = 0; i < 12; i++)
		args[i] = expand(c->args[i]);
	run_agent(&r, args);
	if (r.exit_code != c->exit_code)
		fail_msg("%s: expected exit %d, got %d\nstdout: %s\nstderr: %s", c->description,
			 c->exit_code, r.exit_code, r.out, r.err);
	if (c->out_has != NULL && strstr(r.out, c->out_has) == NULL)
		fail_msg("%s: stdout lacks \"%s\":\n%s", c->description, c->out_has, r.out);
	if (c->out_lacks != NULL && strstr(r.out, c->out_lacks) != NULL)
		fail_msg("%s: stdout contains \"%s\":\n%s", c->description, c->out_lacks, r.out);
	if (c->err_starts != NULL && strncmp(r.err, c->err_starts, strlen(c->err_starts)) != 0)
		fail_msg("%s: stderr does not start with \"%s\":\n%s", c->description,
			 c->err_starts, r.err);
	if (c->err_starts != NULL && c->err_starts[0] == '\0' && r.err[0] != '\0')
		fail_msg("%s: expected no stderr, got:\n%s", c->description, r.err);
	if (c->err_has != NULL && strstr(r.err, c->err_has) == NULL)
		fail_msg("%s: stderr lacks \"%s\":\n%s", c->description, c->err_has, r.err);

	/* A failure is exactly one line. */
	if (c->exit_code == 1 && count_lines(r.err) != 1)
		fail_msg("%s: expected one line on stderr, got:\n%s", c->description, r.err);
}

static void test_cli_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cli_cases) / sizeof(cli_cases[0]); i++)
		check_case(&cli_cases[i]);
}

/*
 * --backend tpm without --tcti on a host without /dev/tpmrm0: a usage
 * error naming both ways to give a TPM. Skipped where the device exists,
 * so the test never opens a real TPM.
 */
static void test_tpm_without_tcti_or_device(void **state)
{
	static struct proc_result r;
	char tpm_state[300];

	(void)state;
	if (access("/dev/tpmrm0", F_OK) == 0)
		skip();
	snprintf(tpm_state, sizeof(tpm_state), "%s/tpm-state", temp_dir);
	run_agent(&r, (const char *[]){"init", "--state", tpm_state, "--backend", "tpm", NULL});
	assert_int_equal(r.exit_code, 2);
	assert_non_null(strstr(r.err, "teep-agent: init: --backend tpm needs --tcti CONF"));
	assert_non_null(strstr(r.err, "/dev/tpmrm0 (--tcti device:/dev/tpmrm0) does not exist"));
	assert_non_null(strstr(r.err, "--tcti swtpm:host=127.0.0.1,port=2321"));
	assert_int_equal(access(tpm_state, F_OK), -1);
}

/* A refused TPM init on a simulated-TEE folder adds no file: the folder has no tpm/. */
static void test_tpm_init_keeps_sim_folder(void **state)
{
	static struct proc_result r;
	char tpm_dir[300];

	(void)state;
	snprintf(tpm_dir, sizeof(tpm_dir), "%s/tpm", state_dir);
	run_agent(&r, (const char *[]){"init", "--state", state_dir, "--backend", "tpm", "--tcti",
				       "swtpm:host=127.0.0.1,port=9", NULL});
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.err, state_dir));
	assert_int_equal(access(tpm_dir, F_OK), -1);
	run_agent(&r, (const char *[]){"list", "--state", state_dir, NULL});
	assert_int_equal(r.exit_code, 0);
}

/* The converse: a simulated-TEE init on a TPM folder is refused and writes no key.pem. */
static void test_sim_init_keeps_tpm_folder(void **state)
{
	static struct proc_result r;
	char folder[300];
	char path[320];

	(void)state;
	snprintf(folder, sizeof(folder), "%s/tpm-folder", temp_dir);
	snprintf(path, sizeof(path), "%s/tpm", folder);
	assert_int_equal(mkdir(folder, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	run_agent(&r, (const char *[]){"init", "--state", folder, NULL});
	assert_int_equal(r.exit_code, 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, folder));
	assert_non_null(strstr(r.err, "belongs to the TPM backend"));
	snprintf(path, sizeof(path), "%s/key.pem", folder);
	assert_int_equal(access(path, F_OK), -1);
}

/* A QueryRequest signed by the fake TAM, asking for the trusted components only. */
static size_t make_query_request(uint8_t *out, size_t cap)
{
	static const uint8_t token[16] = "agent-cli-token!";
	struct tk_span profile = tk_span_make(tk_teep_profile_sha256_esp256_ecdh_a128ctr,
					      sizeof(tk_teep_profile_sha256_esp256_ecdh_a128ctr));
	struct tk_teep_cipher_suite suite;
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;
	struct tk_teep_msg msg;
	uint8_t payload[1024];
	size_t payload_len = 0;
	size_t len = 0;

	memset(&suite, 0, sizeof(suite));
	suite.op_count = 1;
	suite.cose_type = TK_TEEP_COSE_SIGN1;
	suite.alg = TK_TEEP_ALG_ESP256;
	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_QUERY_REQUEST;
	msg.query_request.token = tk_span_make(token, sizeof(token));
	msg.query_request.supported_teep_cipher_suites.items = &suite;
	msg.query_request.supported_teep_cipher_suites.count = 1;
	msg.query_request.supported_suit_cose_profiles.items = &profile;
	msg.query_request.supported_suit_cose_profiles.count = 1;
	msg.query_request.data_item_requested = TK_TEEP_DATA_TRUSTED_COMPONENTS;
	assert_int_equal(tk_teep_encode(&msg, payload, sizeof(payload), &payload_len, NULL), TK_OK);

	memset(&signer, 0, sizeof(signer));
	memset(&opts, 0, sizeof(opts));
	signer.key = tam_key;
	signer.alg = tk_cose_alg_for_key(tam_key);
	signer.kid_thumbprint = true;
	opts.tagged = true;
	assert_int_equal(tk_cose_sign1_create(tk_crypto_openssl(), &signer, payload, payload_len,
					      &opts, out, cap, &len, NULL),
			 TK_OK);
	return len;
}

/*
 * An Update with err-code 7 and a draft-length err-msg of 128 bytes, one
 * of them a line feed, signed by the fake TAM.
 */
static size_t make_refusal_update(uint8_t *out, size_t cap, char msg_text[129])
{
	static const uint8_t token[16] = "agent-cli-update";
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;
	struct tk_teep_msg msg;
	uint8_t payload[1024];
	size_t payload_len = 0;
	size_t len = 0;

	memset(msg_text, 'w', 128);
	memcpy(msg_text, "attestation warning for group default: ", 39);
	msg_text[60] = '\n';
	memcpy(msg_text + 120, " the end", 8);
	msg_text[128] = '\0';
	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_UPDATE;
	msg.update.token = tk_span_make(token, sizeof(token));
	msg.update.has_err_code = true;
	msg.update.err_code = TK_TEEP_ERR_ATTESTATION_REQUIRED;
	msg.update.err_msg = tk_span_make((const uint8_t *)msg_text, 128);
	assert_int_equal(tk_teep_encode(&msg, payload, sizeof(payload), &payload_len, NULL), TK_OK);

	memset(&signer, 0, sizeof(signer));
	memset(&opts, 0, sizeof(opts));
	signer.key = tam_key;
	signer.alg = tk_cose_alg_for_key(tam_key);
	signer.kid_thumbprint = true;
	opts.tagged = true;
	assert_int_equal(tk_cose_sign1_create(tk_crypto_openssl(), &signer, payload, payload_len,
					      &opts, out, cap, &len, NULL),
			 TK_OK);
	return len;
}

/* Put an HTTP 200 response carrying a TEEP message into out; returns its length. */
static size_t http_teep_response(uint8_t *out, size_t cap, const uint8_t *body, size_t len)
{
	int head_len = snprintf((char *)out, cap,
				"HTTP/1.1 200 OK\r\nContent-Type: application/teep+cbor\r\n"
				"Content-Length: %zu\r\nConnection: close\r\n\r\n",
				len);

	assert_true(head_len > 0 && (size_t)head_len + len <= cap);
	memcpy(out + head_len, body, len);
	return (size_t)head_len + len;
}

/*
 * The TAM refuses with err-code 7: the agent answers Success, then exits 1
 * with one line naming err-code 7 and the whole err-msg, escaped, and no
 * protocol error.
 */
static void test_run_refused_update(void **state)
{
	static const char no_content[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
	static struct proc_result r;
	static uint8_t first[4096];
	static uint8_t second[4096];
	uint8_t body[2048];
	char msg_text[129];
	char expected[200];
	const char *last;
	struct server s;
	char uri[64];
	size_t len;

	(void)state;
	memset(&s, 0, sizeof(s));
	len = make_query_request(body, sizeof(body));
	s.response_lens[0] = http_teep_response(first, sizeof(first), body, len);
	s.responses[0] = first;
	len = make_refusal_update(body, sizeof(body), msg_text);
	s.response_lens[1] = http_teep_response(second, sizeof(second), body, len);
	s.responses[1] = second;
	s.responses[2] = (const uint8_t *)no_content;
	s.response_lens[2] = strlen(no_content);
	s.n_responses = 3;
	server_start(&s);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/tam", s.port);
	run_agent(&r, (const char *[]){"run", "--state", state_dir, "--tam", uri, "--tam-key",
				       tam_pub, "--trust-anchor", tee_pub, NULL});
	server_stop(&s);

	/* Log lines come first; the failure is the last line, and the only one
	   naming the program. */
	assert_int_equal(s.served, 3);
	assert_int_equal(r.exit_code, 1);
	assert_null(strstr(r.err, "TK_ERR_PROTOCOL"));
	last = strstr(r.err, "teep-agent: ");
	assert_non_null(last);
	assert_int_equal(count_lines(last), 1);
	assert_non_null(strstr(last, "teep-agent: policy check failed: "));
	assert_non_null(strstr(last, "err-code 7 (ERR_ATTESTATION_REQUIRED): "));
	msg_text[60] = '\0';
	snprintf(expected, sizeof(expected), "%s\\x0a%s\n", msg_text, msg_text + 61);
	assert_non_null(strstr(last, expected));
}

/*
 * The TAM replies to the QueryResponse with 204: exit 0, and the output
 * states that no Update came and names both possible causes.
 */
static void test_run_without_update(void **state)
{
	static const char no_content[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
	static struct proc_result r;
	static uint8_t first[4096];
	uint8_t signed_query[2048];
	size_t query_len = make_query_request(signed_query, sizeof(signed_query));
	struct server s;
	char uri[64];
	int head_len;

	(void)state;
	head_len = snprintf((char *)first, sizeof(first),
			    "HTTP/1.1 200 OK\r\nContent-Type: application/teep+cbor\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			    query_len);
	memcpy(first + head_len, signed_query, query_len);

	memset(&s, 0, sizeof(s));
	s.responses[0] = first;
	s.response_lens[0] = (size_t)head_len + query_len;
	s.responses[1] = (const uint8_t *)no_content;
	s.response_lens[1] = strlen(no_content);
	s.n_responses = 2;
	server_start(&s);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/tam", s.port);
	run_agent(&r, (const char *[]){"run", "--state", state_dir, "--tam", uri, "--tam-key",
				       tam_pub, "--trust-anchor", tee_pub, NULL});
	server_stop(&s);

	if (r.exit_code != 0)
		fail_msg("expected exit 0, got %d: %s", r.exit_code, r.err);
	assert_int_equal(s.served, 2);
	assert_non_null(strstr(r.out, "0 manifests installed"));
	assert_non_null(strstr(r.out, "the TAM sent no Update"));
	assert_non_null(strstr(r.out, "dropped the QueryResponse"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_table),
		cmocka_unit_test(test_run_without_update),
		cmocka_unit_test(test_run_refused_update),
		cmocka_unit_test(test_tpm_without_tcti_or_device),
		cmocka_unit_test(test_tpm_init_keeps_sim_folder),
		cmocka_unit_test(test_sim_init_keeps_tpm_folder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
