/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end tests: the real teep, teep-tam and teep-agent programs, run as
 * processes on loopback with state in a temporary folder. Each test starts
 * its own TAM on a free port and stops it by PID.
 *
 * The negative cases check two things. The peer gets a clear response (an
 * HTTP status, a TEEP Error, or a one-line CLI error), and neither store
 * changes (the agent's component list and the TAM's device view are the
 * same before and after).
 */
/* strcasestr() for header checks; test code only. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "teep/tk_teep_msg.h"

#include "proc.h"

/* Component id ['TEEP-Device', 'SecureFS', h'5f1c9a2e...', 'ta'] (byte strings), hex CBOR. */
static const char ta_id[] =
	"844b544545502d446576696365485365637572654653505f1c9a2e7b3d4c8e9a612d4b8e0f7c13427461";

/* Body limit given to the TAM in these tests, in bytes. */
#define TEST_MAX_BODY 16384

struct e2e {
	char dir[128];
	char path[16][192]; /* scratch paths, see path_of() */
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

static void keygen(struct e2e *t, const char *alg, const char *name)
{
	char priv[192], pub[192];

	snprintf(priv, sizeof(priv), "%s/%s.pem", t->dir, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub.pem", t->dir, name);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "keygen", "--alg", alg, "--out",
					  priv, "--pub", pub, NULL});
}

static void build_manifest(struct e2e *t, const char *seq, const char *out)
{
	char key[192], ta[192];

	snprintf(key, sizeof(key), "%s/signer.pem", t->dir);
	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", key,
					  "--component-id", ta_id, "--seq", seq,
					  "--integrated", "--out", out, ta, NULL});
}

/* Register an envelope with the TAM database and remember its id. */
static void add_manifest(struct e2e *t, const char *db, const char *envelope)
{
	char signer[192];
	const char *line;

	snprintf(signer, sizeof(signer), "%s/signer.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", db,
					  "--signer", signer, envelope, NULL});
	line = strstr(t->result.out, "manifest-component-id: ");
	assert_non_null(line);
	sscanf(line, "manifest-component-id: %511s", t->manifest_id);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "require", "--db", db,
					  "--manifest", t->manifest_id, "--all", NULL});
}

static void start_tam(struct e2e *t, const char *db)
{
	char port_file[192], log[192], max_body[32], port[16] = "";
	char esp[192], ed[192];

	snprintf(port_file, sizeof(port_file), "%s/port", t->dir);
	snprintf(log, sizeof(log), "%s/tam.log", t->dir);
	char report[192];

	snprintf(esp, sizeof(esp), "%s/tam-esp256.pem", t->dir);
	snprintf(ed, sizeof(ed), "%s/tam-ed25519.pem", t->dir);
	snprintf(report, sizeof(report), "%s/tam-report.pem", t->dir);
	snprintf(max_body, sizeof(max_body), "%d", TEST_MAX_BODY);
	unlink(port_file);
	t->tam_pid = proc_start((const char *[]){TK_TAM_BIN, "serve", "--db", db, "--key", esp,
						 "--key", ed, "--listen", "127.0.0.1:0",
						 "--port-file", port_file, "--max-body",
						 max_body, "--report-decryption-key", report,
						 NULL},
				log);
	assert_true(t->tam_pid > 0);
	for (int i = 0; i < 200 && proc_read_file(port_file, port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 25 * 1000 * 1000}, NULL);
	long port_number = strtol(port, NULL, 10);
	assert_true(port_number > 0 && port_number < 65536);
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

static void run_agent(struct e2e *t, int expected)
{
	char esp[192], ed[192], anchor[192], report[192];

	snprintf(esp, sizeof(esp), "%s/tam-esp256.pub.pem", t->dir);
	snprintf(ed, sizeof(ed), "%s/tam-ed25519.pub.pem", t->dir);
	snprintf(anchor, sizeof(anchor), "%s/signer.pub.pem", t->dir);
	snprintf(report, sizeof(report), "%s/tam-report.pub.pem", t->dir);
	run_expect(t, expected, (const char *[]){TK_AGENT_BIN, "run", "--state", t->tee,
						 "--tam", t->url, "--tam-key", esp,
						 "--tam-key", ed, "--trust-anchor", anchor,
						 "--tam-encryption-key", report, NULL});
}

/* The agent's component list and the TAM's device view, for comparisons. */
static void snapshot(struct e2e *t, char *agent_out, char *tam_out, size_t cap)
{
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	snprintf(agent_out, cap, "%s", t->result.out);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	snprintf(tam_out, cap, "%s", t->result.out);
}

static int setup(void **state)
{
	struct e2e *t = calloc(1, sizeof(*t));
	char agent_pub[192], envelope[192];

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/tk-e2e.XXXXXX");
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
	snprintf(agent_pub, sizeof(agent_pub), "%s/agent.pub.pem", t->dir);
	FILE *f = fopen(agent_pub, "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	/* The SUIT report key is enrolled with the TEEP key. */
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "report-pubkey", "--state", t->tee,
					  NULL});
	f = fopen(path_of(t, 15, "agent-report.pub.pem"), "w");
	assert_non_null(f);
	fputs(t->result.out, f);
	fclose(f);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", t->db,
					  "--report-key", t->path[15], agent_pub, NULL});
	assert_non_null(strstr(t->result.out, "report-kid: "));
	snprintf(envelope, sizeof(envelope), "%s/hello-2.suit", t->dir);
	build_manifest(t, "2", envelope);
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

/* Digest of samples/hello.ta, as `teep-agent list` prints it. */
static void sample_digest(char *out, size_t cap)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum %s/samples/hello.ta", TK_SOURCE_DIR);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, (int)cap, p));
	out[64] = '\0';
	pclose(p);
}

static void test_install_by_policy(void **state)
{
	struct e2e *t = *state;
	char digest[80];

	add_manifest(t, t->db, path_of(t, 0, "hello-2.suit"));
	start_tam(t, t->db);
	run_agent(t, 0);

	sample_digest(digest, sizeof(digest));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	assert_non_null(strstr(t->result.out, ta_id));
	assert_non_null(strstr(t->result.out, digest));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, digest));

	/* A second check finds nothing to do and changes nothing. */
	char agent_before[PROC_OUTPUT_MAX];
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	snprintf(agent_before, sizeof(agent_before), "%s", t->result.out);
	run_agent(t, 0);
	assert_non_null(strstr(t->result.out, "0 manifests installed"));
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	assert_string_equal(agent_before, t->result.out);
	stop_tam(t);
}

struct http_reply {
	long status;
	unsigned char body[65536];
	size_t body_len;
	char headers[8192];
	size_t headers_len;
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

static size_t collect_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct http_reply *reply = arg;
	size_t len = size * n;

	if (len >= sizeof(reply->headers) - reply->headers_len)
		return 0;
	memcpy(reply->headers + reply->headers_len, ptr, len);
	reply->headers_len += len;
	reply->headers[reply->headers_len] = '\0';
	return len;
}

/* POST body with the given Content-Type (NULL: none) and read the reply. */
static void http_post(const char *url, const char *content_type, const void *body,
		      size_t body_len, struct http_reply *reply)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	char line[128];

	memset(reply, 0, sizeof(*reply));
	assert_non_null(curl);
	headers = curl_slist_append(headers, "Accept: application/teep+cbor");
	snprintf(line, sizeof(line), "Content-Type: %s", content_type ? content_type : "");
	headers = curl_slist_append(headers, line);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_len ? body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

/* Start a TAM with the manifest required and the TA installed once. */
static void start_installed(struct e2e *t)
{
	add_manifest(t, t->db, path_of(t, 0, "hello-2.suit"));
	start_tam(t, t->db);
	run_agent(t, 0);
}

/*
 * A hand-driven agent for the replay and nonce cases. It signs with the
 * simulated TEE's own key (read from its state folder), so the TAM trusts
 * it. It builds each QueryResponse itself, so a test can replay one or put
 * a wrong nonce in the evidence.
 */
struct fake_agent {
	const struct tk_crypto *crypto;
	struct tk_crypto_key *key;
	uint8_t ueid[64];
	size_t ueid_len;
	struct tk_diag diag;
};

static void expect_ok(const char *what, tk_err err, const struct tk_diag *diag)
{
	char text[512];

	if (err != TK_OK) {
		tk_diag_format(diag, text, sizeof(text));
		fail_msg("%s failed: %s", what, text);
	}
}

static void fake_open(struct e2e *t, struct fake_agent *fa)
{
	char path[256], pem[4096];
	long pem_len, ueid_len;

	memset(fa, 0, sizeof(*fa));
	fa->crypto = tk_crypto_openssl();
	snprintf(path, sizeof(path), "%s/key.pem", t->tee);
	pem_len = proc_read_file(path, pem, sizeof(pem));
	assert_true(pem_len > 0);
	expect_ok("import TEE key",
		  tk_crypto_key_import_pem(fa->crypto, (const uint8_t *)pem, (size_t)pem_len,
					   &fa->key, &fa->diag), &fa->diag);
	tk_wipe(pem, sizeof(pem));

	FILE *f;
	snprintf(path, sizeof(path), "%s/ueid", t->tee);
	f = fopen(path, "rb");
	assert_non_null(f);
	ueid_len = (long)fread(fa->ueid, 1, sizeof(fa->ueid), f);
	fclose(f);
	assert_true(ueid_len > 0);
	fa->ueid_len = (size_t)ueid_len;
}

static void fake_close(struct fake_agent *fa)
{
	tk_crypto_key_free(fa->key);
}

/* Open a session and return the QueryRequest's challenge and token. */
static void fake_connect(struct e2e *t, struct tk_teep_msg *qr, struct http_reply *reply,
			 struct fake_agent *fa)
{
	struct tk_cose_headers body, signer;
	struct tk_span payload;

	http_post(t->url, NULL, NULL, 0, reply);
	assert_int_equal(reply->status, 200);
	expect_ok("peek QueryRequest",
		  tk_cose_peek(reply->body, reply->body_len, &body, &signer, &payload,
			       &fa->diag), &fa->diag);
	expect_ok("decode QueryRequest",
		  tk_teep_decode(payload.ptr, payload.len, qr, &fa->diag), &fa->diag);
	assert_int_equal(qr->type, TK_TEEP_TYPE_QUERY_REQUEST);
	assert_true(qr->query_request.challenge.len >= 8);
}

/* Build a signed QueryResponse whose evidence carries `nonce`. */
static size_t fake_query_response(struct fake_agent *fa, struct tk_span token,
				  struct tk_span nonce, uint8_t *out, size_t out_cap)
{
	static const uint8_t oemid[16] = {0x74, 0x65, 0x65, 0x70};
	static const uint8_t agent_digest[32] = {0x42};
	struct tk_eat_suit_reference ref = {
		.uri = tk_span_make("urn:teepkit:e2e-fake-agent", 26),
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = tk_span_make(agent_digest, sizeof(agent_digest)),
	};
	struct tk_cose_signer signer = {
		.key = fa->key, .alg = tk_cose_alg_for_key(fa->key), .kid_thumbprint = true,
	};
	const struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_RESPONSE};
	struct tk_eat_claims claims;
	uint8_t ref_buf[128], evidence[2048], payload[4096];
	size_t ref_len = 0, evidence_len = 0, payload_len = 0, len = 0;

	memset(&claims, 0, sizeof(claims));
	expect_ok("encode reference",
		  tk_eat_encode_suit_reference(&ref, ref_buf, sizeof(ref_buf), &ref_len,
					       &fa->diag), &fa->diag);
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = nonce;
	claims.ueid = tk_span_make(fa->ueid, fa->ueid_len);
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("e2e", 3);
	claims.hwversion = tk_span_make("1.0", 3);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref_buf, ref_len);
	claims.manifest_count = 1;
	expect_ok("sign evidence",
		  tk_eat_sign(fa->crypto, fa->key, &claims, evidence, sizeof(evidence),
			      &evidence_len, &fa->diag), &fa->diag);

	msg.query_response.token = token;
	msg.query_response.has_attestation_payload = true;
	msg.query_response.attestation_payload = tk_span_make(evidence, evidence_len);
	expect_ok("encode QueryResponse",
		  tk_teep_encode(&msg, payload, sizeof(payload), &payload_len, &fa->diag),
		  &fa->diag);
	expect_ok("sign QueryResponse",
		  tk_cose_sign1_create(fa->crypto, &signer, payload, payload_len, &opts, out,
				       out_cap, &len, &fa->diag), &fa->diag);
	return len;
}

static void test_replayed_query_response(void **state)
{
	struct e2e *t = *state;
	struct fake_agent fa;
	struct tk_teep_msg qr;
	static struct http_reply reply;
	static uint8_t response[8192];
	char agent_before[PROC_OUTPUT_MAX], tam_before[PROC_OUTPUT_MAX];
	char agent_after[PROC_OUTPUT_MAX], tam_after[PROC_OUTPUT_MAX];
	char log[65536];
	size_t response_len;

	start_installed(t);
	fake_open(t, &fa);
	fake_connect(t, &qr, &reply, &fa);
	response_len = fake_query_response(&fa, qr.query_request.token,
					   qr.query_request.challenge, response,
					   sizeof(response));

	/* The TAM sends an Update for the first QueryResponse because the fake lists nothing. */
	http_post(t->url, "application/teep+cbor", response, response_len, &reply);
	assert_int_equal(reply.status, 200);
	assert_true(reply.body_len > 0);
	snapshot(t, agent_before, tam_before, sizeof(agent_before));

	/* The same bytes again: the challenge is used, so the TAM drops them. */
	http_post(t->url, "application/teep+cbor", response, response_len, &reply);
	assert_int_equal(reply.status, 204);
	assert_int_equal(reply.body_len, 0);
	assert_true(proc_read_file(path_of(t, 1, "tam.log"), log, sizeof(log)) > 0);
	assert_non_null(strstr(log, "TK_ERR_REPLAY"));

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
	fake_close(&fa);
	stop_tam(t);
}

static void test_evidence_wrong_nonce(void **state)
{
	struct e2e *t = *state;
	struct fake_agent fa;
	struct tk_teep_msg qr;
	static struct http_reply reply;
	static uint8_t response[8192];
	uint8_t wrong[32];
	char agent_before[PROC_OUTPUT_MAX], tam_before[PROC_OUTPUT_MAX];
	char agent_after[PROC_OUTPUT_MAX], tam_after[PROC_OUTPUT_MAX];
	char log[65536];
	size_t response_len;

	start_installed(t);
	snapshot(t, agent_before, tam_before, sizeof(agent_before));
	fake_open(t, &fa);
	fake_connect(t, &qr, &reply, &fa);

	/* Evidence signed by the enrolled key, but over another nonce. */
	assert_true(qr.query_request.challenge.len <= sizeof(wrong));
	memcpy(wrong, qr.query_request.challenge.ptr, qr.query_request.challenge.len);
	wrong[0] ^= 0xff;
	response_len = fake_query_response(&fa, qr.query_request.token,
					   tk_span_make(wrong, qr.query_request.challenge.len),
					   response, sizeof(response));
	http_post(t->url, "application/teep+cbor", response, response_len, &reply);
	assert_int_equal(reply.status, 204);
	assert_int_equal(reply.body_len, 0);
	assert_true(proc_read_file(path_of(t, 1, "tam.log"), log, sizeof(log)) > 0);
	assert_non_null(strstr(log, "TK_ERR_NONCE"));

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
	fake_close(&fa);
	stop_tam(t);
}

static void test_wrong_content_type(void **state)
{
	struct e2e *t = *state;
	struct http_reply reply;
	char agent_before[PROC_OUTPUT_MAX], tam_before[PROC_OUTPUT_MAX];
	char agent_after[PROC_OUTPUT_MAX], tam_after[PROC_OUTPUT_MAX];
	static const unsigned char body[] = {0x83, 0x02, 0xa0, 0x00};

	start_installed(t);
	snapshot(t, agent_before, tam_before, sizeof(agent_before));

	http_post(t->url, "application/json", body, sizeof(body), &reply);
	assert_int_equal(reply.status, 415);
	http_post(t->url, NULL, body, sizeof(body), &reply);
	assert_int_equal(reply.status, 415);

	/* The empty POST that opens a session needs no Content-Type. */
	http_post(t->url, NULL, NULL, 0, &reply);
	assert_int_equal(reply.status, 200);
	assert_true(reply.body_len > 0);
	assert_non_null(strcasestr(reply.headers, "X-Content-Type-Options: nosniff"));
	assert_non_null(strcasestr(reply.headers, "Content-Security-Policy: default-src 'none'"));
	assert_non_null(strcasestr(reply.headers, "Referrer-Policy: no-referrer"));
	assert_non_null(strcasestr(reply.headers, "Content-Type: application/teep+cbor"));

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
	stop_tam(t);
}

static void test_oversized_body(void **state)
{
	struct e2e *t = *state;
	struct http_reply reply;
	static unsigned char body[TEST_MAX_BODY + 1];
	char agent_before[PROC_OUTPUT_MAX], tam_before[PROC_OUTPUT_MAX];
	char agent_after[PROC_OUTPUT_MAX], tam_after[PROC_OUTPUT_MAX];

	start_installed(t);
	snapshot(t, agent_before, tam_before, sizeof(agent_before));

	/* A byte string head declaring the whole body, so only the size is wrong. */
	memset(body, 0x41, sizeof(body));
	http_post(t->url, "application/teep+cbor", body, sizeof(body), &reply);
	assert_int_equal(reply.status, 413);

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
	stop_tam(t);
}

static void test_truncated_cbor(void **state)
{
	struct e2e *t = *state;
	struct http_reply reply;
	char agent_before[PROC_OUTPUT_MAX], tam_before[PROC_OUTPUT_MAX];
	char agent_after[PROC_OUTPUT_MAX], tam_after[PROC_OUTPUT_MAX];
	char log[65536];
	/* COSE_Sign1 tag and array head, then the input ends. */
	static const unsigned char body[] = {0xd2, 0x84, 0x43, 0xa1, 0x01};

	start_installed(t);
	snapshot(t, agent_before, tam_before, sizeof(agent_before));

	/* The TAM drops an invalid message, and an empty 2xx response ends the session. */
	http_post(t->url, "application/teep+cbor", body, sizeof(body), &reply);
	assert_int_equal(reply.status, 204);
	assert_int_equal(reply.body_len, 0);
	assert_true(proc_read_file(path_of(t, 1, "tam.log"), log, sizeof(log)) > 0);
	assert_non_null(strstr(log, "TK_ERR_CBOR"));

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
	stop_tam(t);
}

static int count_lines(const char *text)
{
	int lines = 0;

	for (; *text != '\0'; text++)
		lines += *text == '\n';
	return lines;
}

/* Flip one bit of the byte at `offset` from the start (or, if negative, the end). */
static void flip_bit(const char *path, long offset)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
	c = fgetc(f);
	assert_int_not_equal(c, EOF);
	assert_int_equal(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
	fputc(c ^ 0x01, f);
	fclose(f);
}

/*
 * Offset of the first byte of the signature in an envelope we built: the
 * COSE_Sign1 ends with `null` (f6, the detached payload) followed by the
 * 64-byte signature head 58 40.
 */
static long signature_offset(const char *path)
{
	unsigned char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (size_t i = 0; i + 3 < n; i++) {
		if (buf[i] == 0xf6 && buf[i + 1] == 0x58 && buf[i + 2] == 0x40)
			return (long)i + 3;
	}
	fail_msg("no detached COSE_Sign1 signature found in %s", path);
	return -1;
}

static void test_tampered_signature(void **state)
{
	struct e2e *t = *state;
	char tam_before[PROC_OUTPUT_MAX], agent_before[PROC_OUTPUT_MAX];
	char tam_after[PROC_OUTPUT_MAX], agent_after[PROC_OUTPUT_MAX];
	char signer[192];
	const char *envelope = path_of(t, 0, "hello-2.suit");

	snapshot(t, agent_before, tam_before, sizeof(agent_before));
	flip_bit(envelope, signature_offset(envelope) + 10);
	snprintf(signer, sizeof(signer), "%s/signer.pub.pem", t->dir);
	run_expect(t, 1, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db,
					  "--signer", signer, envelope, NULL});
	assert_non_null(strstr(t->result.err, "teep-tam: "));
	assert_non_null(strstr(t->result.err, "TK_ERR_SIGNATURE"));
	assert_int_equal(count_lines(t->result.err), 1);

	/* A manifest signed by another key does not verify with the trusted signer. */
	char other_key[192], other_env[192], ta[192];
	keygen(t, "esp256", "other");
	snprintf(other_key, sizeof(other_key), "%s/other.pem", t->dir);
	snprintf(other_env, sizeof(other_env), "%s/other.suit", t->dir);
	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", other_key,
					  "--component-id", ta_id, "--seq", "3",
					  "--integrated", "--out", other_env, ta, NULL});
	run_expect(t, 1, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db,
					  "--signer", signer, other_env, NULL});
	assert_non_null(strstr(t->result.err, "TK_ERR_SIGNATURE"));

	snapshot(t, agent_after, tam_after, sizeof(agent_after));
	assert_string_equal(agent_before, agent_after);
	assert_string_equal(tam_before, tam_after);
}

static void test_tampered_payload(void **state)
{
	struct e2e *t = *state;
	char agent_before[PROC_OUTPUT_MAX];
	const char *envelope = path_of(t, 0, "hello-2.suit");

	/*
	 * The integrated payload is the envelope's last item. Its digest is in
	 * the signed manifest, not its bytes, so the TAM stores the envelope
	 * and the TEE must refuse the image (condition image-match).
	 */
	flip_bit(envelope, -1);
	add_manifest(t, t->db, envelope);
	start_tam(t, t->db);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	snprintf(agent_before, sizeof(agent_before), "%s", t->result.out);

	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 17"));

	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	assert_string_equal(agent_before, t->result.out);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-devices", "--db", t->db, NULL});
	assert_null(strstr(t->result.out, ta_id + 2));
	stop_tam(t);
}

static void test_untrusted_signer_rejected_by_agent(void **state)
{
	struct e2e *t = *state;
	char agent_before[PROC_OUTPUT_MAX];
	char other_key[192], other_pub[192], other_env[192], ta[192];

	/* The TAM trusts this signer, the agent does not: the TEE must refuse. */
	keygen(t, "esp256", "other");
	snprintf(other_key, sizeof(other_key), "%s/other.pem", t->dir);
	snprintf(other_pub, sizeof(other_pub), "%s/other.pub.pem", t->dir);
	snprintf(other_env, sizeof(other_env), "%s/other.suit", t->dir);
	snprintf(ta, sizeof(ta), "%s/samples/hello.ta", TK_SOURCE_DIR);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", other_key,
					  "--component-id", ta_id, "--seq", "1",
					  "--integrated", "--out", other_env, ta, NULL});
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "add-manifest", "--db", t->db,
					  "--signer", other_pub, other_env, NULL});
	sscanf(strstr(t->result.out, "manifest-component-id: "),
	       "manifest-component-id: %511s", t->manifest_id);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "require", "--db", t->db,
					  "--manifest", t->manifest_id, "--all", NULL});
	start_tam(t, t->db);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	snprintf(agent_before, sizeof(agent_before), "%s", t->result.out);

	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 17"));

	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	assert_string_equal(agent_before, t->result.out);
	stop_tam(t);
}

static void test_lower_sequence_number(void **state)
{
	struct e2e *t = *state;
	char agent_before[PROC_OUTPUT_MAX];
	char db2[192], agent_pub[192], key[192];

	/* Install sequence number 2 from the first TAM. */
	start_installed(t);
	stop_tam(t);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	snprintf(agent_before, sizeof(agent_before), "%s", t->result.out);

	/* The TAM stored the agent's SUIT report of the install. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-reports", "--db", t->db, NULL});
	assert_non_null(strstr(t->result.out, "suit-report: 1\n"));
	assert_non_null(strstr(t->result.out, "result: success\n"));
	assert_non_null(strstr(t->result.out, "encrypted: yes\n"));

	/*
	 * A second TAM offers sequence number 1 of the same manifest, for an
	 * older image. The device reports another digest for the component,
	 * so the TAM sends the manifest and the TEE must refuse it.
	 */
	snprintf(db2, sizeof(db2), "%s/tam2.sqlite", t->dir);
	snprintf(agent_pub, sizeof(agent_pub), "%s/agent.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "enroll-agent", "--db", db2,
					  "--report-key", path_of(t, 15, "agent-report.pub.pem"),
					  agent_pub, NULL});
	FILE *f = fopen(path_of(t, 3, "hello-v0.ta"), "w");
	assert_non_null(f);
	fputs("teepkit sample trusted application v0\n", f);
	fclose(f);
	snprintf(key, sizeof(key), "%s/signer.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_TEEP_BIN, "manifest", "--key", key,
					  "--component-id", ta_id, "--seq", "1",
					  "--integrated", "--out", path_of(t, 2, "hello-1.suit"),
					  path_of(t, 3, "hello-v0.ta"), NULL});
	add_manifest(t, db2, path_of(t, 2, "hello-1.suit"));
	start_tam(t, db2);
	run_agent(t, 1);
	assert_non_null(strstr(t->result.err, "err-code 17"));
	assert_non_null(strstr(t->result.err, "TK_ERR_ROLLBACK"));

	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "list", "--state", t->tee, NULL});
	assert_string_equal(agent_before, t->result.out);
	stop_tam(t);

	/* The second TAM stored the report of the refused install. */
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-reports", "--db", db2, NULL});
	assert_non_null(strstr(t->result.out, "result: condition-failed (code 501)\n"));
	assert_null(strstr(t->result.out, "result: success"));
}

/* Occurrences of `needle` in `text`. */
static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Flow "deploy versus load" with boot-time SUIT reports: after a load,
 * the next session's QueryResponse carries the load's report, and the TAM
 * stores it as a boot report with the measured image digest. A later
 * session sends it no more.
 */
static void test_load_boot_report(void **state)
{
	struct e2e *t = *state;
	char digest[80], anchor[192];

	start_installed(t);
	snprintf(anchor, sizeof(anchor), "%s/signer.pub.pem", t->dir);
	run_expect(t, 0, (const char *[]){TK_AGENT_BIN, "load", "--state", t->tee,
					  "--component", ta_id, "--trust-anchor", anchor, NULL});
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-reports", "--db", t->db, NULL});
	assert_int_equal(count_of(t->result.out, "kind: boot"), 0);

	run_agent(t, 0);
	sample_digest(digest, sizeof(digest));
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-reports", "--db", t->db, NULL});
	assert_int_equal(count_of(t->result.out, "kind: boot (QueryResponse)\n"), 1);
	assert_int_equal(count_of(t->result.out, "kind: update (Success or Error)\n"), 1);
	assert_non_null(strstr(t->result.out, digest));

	run_agent(t, 0);
	run_expect(t, 0, (const char *[]){TK_TAM_BIN, "show-reports", "--db", t->db, NULL});
	assert_int_equal(count_of(t->result.out, "kind: boot"), 1);
	stop_tam(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_by_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_content_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_cbor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed_query_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_wrong_nonce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_signer_rejected_by_agent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lower_sequence_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_boot_report, setup, teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	int failed = cmocka_run_group_tests_name("e2e", tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
