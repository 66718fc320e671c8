/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-verifier as a process on 127.0.0.1: the admin commands set up a
 * database, `serve` runs on a port the system picks, and libcurl drives the
 * challenge-response API. Results are verified with the eat layer and by
 * the Python oracle (ear_oracle.py, run with /usr/bin/python3 and its
 * cryptography and cbor2 packages), and every error status of the API has
 * a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_ear_json.h"
#include "eat/tk_eat.h"
#include "eat_test_util.h"
#include "proc.h"

#define ORACLE TK_SOURCE_DIR "/tests/verifier/ear_oracle.py"
#define PREFIX "/challenge-response/v1/"
#define EVIDENCE_TYPE "application/eat+cwt; eat_profile=\"urn:ietf:rfc:rfcXXXX\""

static const char agent_uri[] = "urn:teepkit:teep-agent:0.1.0";
static const uint8_t agent_digest[32] = {0x5e, 0x11};
static const char ueid_hex[] = "0112233445566778";

struct fixture {
	const struct tk_crypto *c;
	char dir[64];
	char path[6][160];   /* db, verifier key, agent pub, port file, log, result */
	struct tk_crypto_key *verifier_key;
	struct tk_crypto_key *agent_key;
	pid_t pid;
	char url[64];
};

enum { DB, VKEY, AGENT_PUB, PORT_FILE, LOG, RESULT };

struct response {
	long status;
	char headers[4096];
	size_t headers_len;
	uint8_t body[32768];
	size_t body_len;
};

static void write_pem(const struct tk_crypto_key *key, bool private_key, const char *path)
{
	uint8_t pem[1024];
	size_t len = 0;
	FILE *f;

	assert_int_equal(tk_crypto_key_export_pem(key, private_key, pem, sizeof(pem), &len, NULL),
			 TK_OK);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(fwrite(pem, 1, len, f), len);
	fclose(f);
}

/* Run teep-verifier with args; return its result. */
static void run(struct proc_result *r, const char *const *argv)
{
	assert_int_equal(proc_run(r, argv), 0);
}

static void hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const char *const names[] = {"v.db", "verifier.pem", "agent.pub.pem", "port",
					    "log", "result"};
	static struct proc_result r;
	char uri_hex[2 * sizeof(agent_uri)], digest_hex[65], port[16];

	assert_non_null(f);
	f->c = tk_crypto_openssl();
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-verifier-http-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (size_t i = 0; i < 6; i++)
		snprintf(f->path[i], sizeof(f->path[i]), "%s/%s", f->dir, names[i]);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->verifier_key, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->agent_key, NULL),
			 TK_OK);
	write_pem(f->verifier_key, true, f->path[VKEY]);
	write_pem(f->agent_key, false, f->path[AGENT_PUB]);

	run(&r, (const char *const[]){TK_VERIFIER_BIN, "enroll-key", "--db", f->path[DB],
				      "--ueid", ueid_hex, f->path[AGENT_PUB], NULL});
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "ueid: 0112233445566778\n"));
	hex((const uint8_t *)agent_uri, strlen(agent_uri), uri_hex);
	hex(agent_digest, sizeof(agent_digest), digest_hex);
	run(&r, (const char *const[]){TK_VERIFIER_BIN, "add-reference", "--db", f->path[DB],
				      "--component", uri_hex, "--digest", digest_hex, "--vendor",
				      "teepkit", "--class", "sim", NULL});
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.out, "reference-values: 1\nskipped: 0\n");

	f->pid = proc_start((const char *const[]){TK_VERIFIER_BIN, "serve", "--db", f->path[DB],
						  "--key", f->path[VKEY], "--listen", "127.0.0.1:0",
						  "--port-file", f->path[PORT_FILE], "--max-body",
						  "4096", "--max-sessions", "12", NULL},
			    f->path[LOG]);
	assert_true(f->pid > 0);
	for (int i = 0; i < 100 && proc_read_file(f->path[PORT_FILE], port, sizeof(port)) <= 0; i++)
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	port[strcspn(port, "\n")] = '\0';
	assert_true(strtoul(port, NULL, 10) > 0);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%s", port);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char log[4096];

	assert_int_equal(proc_stop(f->pid), 0);
	if (proc_read_file(f->path[LOG], log, sizeof(log)) > 0)
		print_message("server log:\n%s", log);
	tk_crypto_key_free(f->verifier_key);
	tk_crypto_key_free(f->agent_key);
	proc_remove_tree(f->dir);
	free(f);
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct response *r = ctx;
	size_t len = size * n;

	if (len > sizeof(r->body) - r->body_len)
		return 0;
	memcpy(r->body + r->body_len, data, len);
	r->body_len += len;
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct response *r = ctx;
	size_t len = size * n;

	if (len < sizeof(r->headers) - r->headers_len) {
		memcpy(r->headers + r->headers_len, data, len);
		r->headers_len += len;
		r->headers[r->headers_len] = '\0';
	}
	return len;
}

/* One request; content_type and accept NULL leave the field out. */
static void perform(const struct fixture *f, const char *method, const char *path,
		    const char *content_type, const char *accept, const uint8_t *body,
		    size_t body_len, struct response *r)
{
	struct curl_slist *headers = NULL;
	char url[256], line[256];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	assert_non_null(curl);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", f->url, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	headers = curl_slist_append(headers, "Expect:");
	headers = curl_slist_append(headers, "Accept:");
	headers = curl_slist_append(headers, "Content-Type:");
	if (content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, line);
	}
	if (accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", accept);
		headers = curl_slist_append(headers, line);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? (const char *)body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		fail_msg("curl: %s", curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

/* The value of header `name` (case-insensitive), copied into out. */
static bool header_value(const struct response *r, const char *name, char *out, size_t cap)
{
	const char *p = r->headers;
	size_t len = strlen(name);

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
			const char *v = p + len + 1;
			size_t n;

			while (*v == ' ')
				v++;
			n = strcspn(v, "\r\n");
			if (n >= cap)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

static size_t base64_decode(const char *in, uint8_t *out, size_t cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t bits = 0;
	size_t n = 0;
	int nbits = 0;

	for (const char *p = in; *p != '\0' && *p != '='; p++) {
		const char *pos = strchr(alphabet, *p);

		assert_non_null(pos);
		bits = bits << 6 | (uint32_t)(pos - alphabet);
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			assert_true(n < cap);
			out[n++] = (uint8_t)(bits >> nbits);
		}
	}
	return n;
}

/* A session from newSession: its path and nonce. */
struct session {
	char path[128];
	uint8_t nonce[64];
	size_t nonce_len;
};

static void new_session(const struct fixture *f, struct session *s)
{
	static struct response r;
	json_error_t error;
	json_t *body;
	const char *nonce;

	perform(f, "POST", PREFIX "newSession", NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 201);
	assert_true(header_value(&r, "Location", s->path, sizeof(s->path)));
	assert_int_equal(strncmp(s->path, PREFIX "session/", strlen(PREFIX "session/")), 0);
	assert_int_equal(strlen(s->path), strlen(PREFIX "session/") + 32);
	body = json_loadb((const char *)r.body, r.body_len, 0, &error);
	assert_non_null(body);
	nonce = json_string_value(json_object_get(body, "nonce"));
	assert_non_null(nonce);
	s->nonce_len = base64_decode(nonce, s->nonce, sizeof(s->nonce));
	assert_int_equal(s->nonce_len, 32);
	assert_string_equal(json_string_value(json_object_get(body, "status")), "waiting");
	assert_non_null(json_string_value(json_object_get(body, "expiry")));
	json_decref(body);
}

/* Evidence of the enrolled agent for nonce; returns its length. */
static size_t make_evidence(const struct fixture *f, const uint8_t *nonce, size_t nonce_len,
			    uint8_t *out, size_t cap)
{
	static const uint8_t ueid[8] = {0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78};
	static const uint8_t oemid[3] = {0x89, 0x48, 0x23};
	struct tk_eat_suit_reference ref = {0};
	struct tk_eat_claims *claims = calloc(1, sizeof(*claims));
	uint8_t body[128];
	size_t body_len = 0, len = 0;

	assert_non_null(claims);
	ref.uri = tk_span_make(agent_uri, strlen(agent_uri));
	ref.digest_alg = TK_EAT_DIGEST_SHA256;
	ref.digest = tk_span_make(agent_digest, sizeof(agent_digest));
	assert_int_equal(tk_eat_encode_suit_reference(&ref, body, sizeof(body), &body_len, NULL),
			 TK_OK);
	claims->present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			  TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims->nonce = tk_span_make(nonce, nonce_len);
	claims->ueid = tk_span_make(ueid, sizeof(ueid));
	claims->oemid = tk_span_make(oemid, sizeof(oemid));
	claims->hwmodel = tk_span_make("teepkit-sim", 11);
	claims->hwversion = tk_span_make("1.0.0", 5);
	claims->manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims->manifests[0].body = tk_span_make(body, body_len);
	claims->manifest_count = 1;
	assert_int_equal(tk_eat_sign(f->c, f->agent_key, claims, out, cap, &len, NULL), TK_OK);
	free(claims);
	return len;
}

/* Check a result with the Python oracle: signature, status and nonce. */
static void oracle(const struct fixture *f, const struct response *r, int status,
		   const uint8_t *nonce, size_t nonce_len)
{
	static struct proc_result pr;
	char pub[160], status_text[8], nonce_hex[2 * 64 + 1];
	FILE *out;

	snprintf(pub, sizeof(pub), "%s/verifier.pub.pem", f->dir);
	write_pem(f->verifier_key, false, pub);
	out = fopen(f->path[RESULT], "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(r->body, 1, r->body_len, out), r->body_len);
	fclose(out);
	snprintf(status_text, sizeof(status_text), "%d", status);
	hex(nonce, nonce_len, nonce_hex);
	run(&pr, (const char *const[]){"/usr/bin/python3", ORACLE, pub, f->path[RESULT],
				       status_text, nonce_hex, NULL});
	if (pr.exit_code != 0)
		fail_msg("oracle: %s%s", pr.out, pr.err);
	assert_string_equal(pr.out, "ok\n");
}

/* POST evidence to a session's path. */
static void post_evidence(const struct fixture *f, const char *path, const char *accept,
			  const uint8_t *evidence, size_t len, struct response *r)
{
	perform(f, "POST", path, EVIDENCE_TYPE, accept, evidence, len, r);
}

/* A problem details body with this status. */
static void assert_problem(const struct response *r, long status)
{
	char type[128];
	json_error_t error;
	json_t *body;

	assert_int_equal(r->status, status);
	assert_true(header_value(r, "Content-Type", type, sizeof(type)));
	assert_string_equal(type, "application/problem+json");
	body = json_loadb((const char *)r->body, r->body_len, 0, &error);
	assert_non_null(body);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), status);
	assert_non_null(json_string_value(json_object_get(body, "detail")));
	json_decref(body);
}

static void test_cwt_result(void **state)
{
	struct fixture *f = *state;
	static struct response r;
	static uint8_t evidence[4096];
	struct tk_cose_trusted_key trusted = {.key = f->verifier_key};
	struct session s;
	struct tk_ear ear;
	char type[160];
	size_t len;

	new_session(f, &s);
	len = make_evidence(f, s.nonce, s.nonce_len, evidence, sizeof(evidence));
	post_evidence(f, s.path, NULL, evidence, len, &r);
	assert_int_equal(r.status, 200);
	assert_true(header_value(&r, "Content-Type", type, sizeof(type)));
	assert_string_equal(type, "application/eat+cwt; eat_profile=\"tag:ietf.org,2026:rats/ear#03\"");
	assert_int_equal(tk_ear_verify_cwt(f->c, r.body, r.body_len, &trusted, 1, &ear, NULL, NULL),
			 TK_OK);
	assert_int_equal(ear.status, 2);
	assert_int_equal(ear.submods[0].status, 2);
	assert_true(ear.has_exp);
	assert_int_equal(ear.exp, ear.iat + 86400);
	assert_memory_equal(ear.nonce.ptr, s.nonce, s.nonce_len);
	oracle(f, &r, 2, s.nonce, s.nonce_len);

	/* The session is used up. */
	post_evidence(f, s.path, NULL, evidence, len, &r);
	assert_problem(&r, 409);
}

static void test_jwt_result(void **state)
{
	struct fixture *f = *state;
	static struct response r;
	static uint8_t evidence[4096], cbor[TK_EAR_MAX_SIZE];
	const struct tk_crypto_key *keys[1] = {f->verifier_key};
	struct session s;
	struct tk_ear ear;
	char type[160];
	size_t len;

	new_session(f, &s);
	len = make_evidence(f, s.nonce, s.nonce_len, evidence, sizeof(evidence));
	post_evidence(f, s.path, "application/eat+jwt", evidence, len, &r);
	assert_int_equal(r.status, 200);
	assert_true(header_value(&r, "Content-Type", type, sizeof(type)));
	assert_string_equal(type, "application/eat+jwt; eat_profile=\"tag:ietf.org,2026:rats/ear#03\"");
	assert_int_equal(tk_ear_verify_jwt(f->c, (const char *)r.body, r.body_len, keys, 1, cbor,
					   sizeof(cbor), &ear, NULL, NULL), TK_OK);
	assert_int_equal(ear.submods[0].status, 2);
	oracle(f, &r, 2, s.nonce, s.nonce_len);
}

/* Requests the API rejects, each with its status. */
static void test_rejected_requests(void **state)
{
	struct fixture *f = *state;
	static struct response r;
	static uint8_t evidence[8192];
	struct session s, other;
	char path[160];
	size_t len;

	perform(f, "GET", PREFIX "newSession", NULL, NULL, NULL, 0, &r);
	assert_problem(&r, 405);
	perform(f, "POST", PREFIX "elsewhere", NULL, NULL, NULL, 0, &r);
	assert_problem(&r, 404);
	perform(f, "POST", "/tam", NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	snprintf(path, sizeof(path), PREFIX "session/%032d", 0);
	post_evidence(f, path, NULL, evidence, 16, &r);
	assert_problem(&r, 404);
	perform(f, "POST", PREFIX "session/xyz", EVIDENCE_TYPE, NULL, evidence, 16, &r);
	assert_problem(&r, 404);

	new_session(f, &s);
	len = make_evidence(f, s.nonce, s.nonce_len, evidence, sizeof(evidence));
	perform(f, "POST", s.path, "application/cbor", NULL, evidence, len, &r);
	assert_problem(&r, 415);
	perform(f, "POST", s.path, "application/eat+cwt; eat_profile=\"urn:other\"", NULL,
		evidence, len, &r);
	assert_problem(&r, 415);
	post_evidence(f, s.path, "text/html", evidence, len, &r);
	assert_problem(&r, 406);
	post_evidence(f, s.path, NULL, evidence, 5000, &r);
	assert_int_equal(r.status, 413);

	/* Those rejections left the session unused. Its evidence posted to
	 * another session has the wrong nonce; then the session itself gets
	 * malformed evidence, which uses it up. */
	new_session(f, &other);
	post_evidence(f, other.path, NULL, evidence, len, &r);
	assert_problem(&r, 400);
	post_evidence(f, s.path, NULL, (const uint8_t *)"\xa1\x01\x02", 3, &r);
	assert_problem(&r, 400);
	post_evidence(f, s.path, NULL, evidence, len, &r);
	assert_problem(&r, 409);
}

/* --max-sessions 12: the thirteenth outstanding session gets 503. */
static void test_session_limit(void **state)
{
	struct fixture *f = *state;
	static struct response r;
	struct session s;

	for (int i = 0; i < 12; i++)
		new_session(f, &s);
	perform(f, "POST", PREFIX "newSession", NULL, NULL, NULL, 0, &r);
	assert_problem(&r, 503);
}

/*
 * A nonce the client chose may be held by two sessions (a TAM's session
 * for its challenge, and the agent's session for a passport result):
 * both get 201 with their own id, and each is used once.
 */
static void test_chosen_nonce_twice(void **state)
{
	struct fixture *f = *state;
	static const char body[] = "{\"nonce\": \"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"}";
	static struct response r;
	static uint8_t evidence[4096];
	uint8_t nonce[32];
	char first[128], second[128];
	size_t len;

	memset(nonce, 0x01, sizeof(nonce));
	perform(f, "POST", PREFIX "newSession", "application/json", NULL,
		(const uint8_t *)body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	assert_true(header_value(&r, "Location", first, sizeof(first)));
	perform(f, "POST", PREFIX "newSession", "application/json", NULL,
		(const uint8_t *)body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	assert_true(header_value(&r, "Location", second, sizeof(second)));
	assert_string_not_equal(first, second);

	len = make_evidence(f, nonce, sizeof(nonce), evidence, sizeof(evidence));
	post_evidence(f, first, NULL, evidence, len, &r);
	assert_int_equal(r.status, 200);
	oracle(f, &r, 2, nonce, sizeof(nonce));
	post_evidence(f, first, NULL, evidence, len, &r);
	assert_problem(&r, 409);
	post_evidence(f, second, NULL, evidence, len, &r);
	assert_int_equal(r.status, 200);
	oracle(f, &r, 2, nonce, sizeof(nonce));
	post_evidence(f, second, NULL, evidence, len, &r);
	assert_problem(&r, 409);
}

/* add-reference reads the reference triples of a CoRIM. */
static void test_corim_reference(void **state)
{
	struct fixture *f = *state;
	static struct proc_result pr;
	static uint8_t cbor[8192];
	char path[192];
	size_t len = edn_file(TK_VECTORS_DIR "/eat/corim-draft/corim-2.diag", cbor, sizeof(cbor));
	FILE *out;

	snprintf(path, sizeof(path), "%s/corim-2.cbor", f->dir);
	out = fopen(path, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(cbor, 1, len, out), len);
	fclose(out);
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "add-reference", "--db", f->path[DB],
				       "--corim", path, NULL});
	if (pr.exit_code != 0)
		fail_msg("add-reference: %s", pr.err);
	assert_string_equal(pr.out, "reference-values: 3\nskipped: 0\n");

	/* Not CBOR at all. */
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "add-reference", "--db", f->path[DB],
				       "--corim", f->path[AGENT_PUB], NULL});
	assert_int_equal(pr.exit_code, 1);
	assert_non_null(strstr(pr.err, "teep-verifier: cannot add the CoRIM's reference values"));
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "add-reference", "--db", f->path[DB],
				       "--corim", path, "--digest", "00", NULL});
	assert_int_equal(pr.exit_code, 2);
}

/* show-results lists what serve appraised. */
static void test_show_results(void **state)
{
	struct fixture *f = *state;
	static struct proc_result pr;

	test_cwt_result(state);
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "show-results", "--db", f->path[DB],
				       NULL});
	assert_int_equal(pr.exit_code, 0);
	assert_non_null(strstr(pr.out, " ueid 0112233445566778\n  status: affirming\n"));
	assert_non_null(strstr(pr.out, "  vector: instance-identity=2 executables=2 hardware=0 "
				       "runtime-opaque=32\n"));
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "show-results", "--db", "/nonexistent/db",
				       NULL});
	assert_int_equal(pr.exit_code, 1);
	run(&pr, (const char *const[]){TK_VERIFIER_BIN, "show-results", "--db", f->path[DB],
				       "--limit", "0", NULL});
	assert_int_equal(pr.exit_code, 2);
}

/* Make a self-signed CA certificate, ca.pem, in dir with the openssl command. */
static void shell_openssl(const char *dir)
{
	static struct proc_result r;
	char line[512];

	snprintf(line, sizeof(line), "cd %s && openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj /CN=EK-CA "
		 "-days 30 2>/dev/null", dir);
	assert_int_equal(proc_run(&r, (const char *const[]){"/bin/sh", "-c", line, NULL}), 0);
	assert_int_equal(r.exit_code, 0);
}

/* Admin commands: exit status and the first line of stdout or stderr. */
static void test_admin_commands(void **state)
{
	struct fixture *f = *state;
	static struct proc_result pr;
	char ca[192], not_cert[192];
	const struct {
		const char *desc;
		const char *argv[10];
		int exit_code;
		const char *out;     /* expected start of stdout, or NULL */
		const char *err;     /* expected start of stderr, or NULL */
	} rows[] = {
		{"version", {"--version"}, 0, "teep-verifier " VERIFIER_VERSION "\n", NULL},
		{"help", {"-h"}, 0, "teep-verifier: RATS verifier", NULL},
		{"no command", {NULL}, 2, NULL, "teep-verifier: missing command"},
		{"unknown command", {"bogus"}, 2, NULL, "teep-verifier: unknown command bogus"},
		{"short UEID", {"enroll-key", "--db", f->path[DB], "--ueid", "0102", f->path[AGENT_PUB]},
		 2, NULL, "teep-verifier: enroll-key: --ueid 0102 is not hex of 7..33 bytes"},
		{"private key to enroll", {"enroll-key", "--db", f->path[DB], "--ueid",
		 "0102030405060708", f->path[VKEY]}, 1, NULL,
		 "teep-verifier: cannot read the attestation key"},
		{"key enrolled for another UEID", {"enroll-key", "--db", f->path[DB], "--ueid",
		 "0102030405060708", f->path[AGENT_PUB]}, 1, NULL,
		 "teep-verifier: cannot enroll the attestation key"},
		{"CA certificate", {"add-ca", "--db", f->path[DB], ca}, 0, "ek-ca: sha-256:", NULL},
		{"not a certificate", {"add-ca", "--db", f->path[DB], not_cert}, 1, NULL,
		 "teep-verifier: cannot read the certificate"},
		{"digest of 31 bytes", {"add-reference", "--db", f->path[DB], "--component", "74",
		 "--digest", "00112233445566778899aabbccddeeff00112233445566778899aabbccddee"}, 2,
		 NULL, "teep-verifier: add-reference: --digest must be"},
		{"component without digest", {"add-reference", "--db", f->path[DB], "--component",
		 "74"}, 2, NULL, "teep-verifier: add-reference: --component needs --digest"},
		{"pubkey of a public key", {"pubkey", "--key", f->path[AGENT_PUB]}, 1, NULL,
		 "teep-verifier: cannot read the verifier key"},
		{"pubkey", {"pubkey", "--key", f->path[VKEY]}, 0, "-----BEGIN PUBLIC KEY-----\n",
		 NULL},
		{"serve on IPv6", {"serve", "--db", f->path[DB], "--key", f->path[VKEY], "--listen",
		 "[::1]:0"}, 2, NULL, "teep-verifier: serve: --listen [::1]:0: IPv6"},
		{"show-results of a PEM file", {"show-results", "--db", f->path[AGENT_PUB]}, 1,
		 NULL, "teep-verifier: cannot open the database"},
	};

	snprintf(ca, sizeof(ca), "%s/ca.pem", f->dir);
	snprintf(not_cert, sizeof(not_cert), "%s", f->path[AGENT_PUB]);
	shell_openssl(f->dir);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *argv[12] = {TK_VERIFIER_BIN};

		for (size_t j = 0; j < 10 && rows[i].argv[j] != NULL; j++)
			argv[j + 1] = rows[i].argv[j];
		run(&pr, argv);
		print_message("row: %s\n", rows[i].desc);
		assert_int_equal(pr.exit_code, rows[i].exit_code);
		if (rows[i].out != NULL)
			assert_int_equal(strncmp(pr.out, rows[i].out, strlen(rows[i].out)), 0);
		if (rows[i].err != NULL && strncmp(pr.err, rows[i].err, strlen(rows[i].err)) != 0)
			fail_msg("%s: stderr \"%s\"", rows[i].desc, pr.err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cwt_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jwt_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chosen_nonce_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corim_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_commands, setup, teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
