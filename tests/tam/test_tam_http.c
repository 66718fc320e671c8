/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TEEP/HTTP server with the TAM behind it. The server runs in
 * process on 127.0.0.1 with a port the system picks, and libcurl drives it.
 * The empty POST must get a QueryRequest signed with both TAM keys, and
 * every response with a body must carry the binding's header fields. Wrong
 * Content-Type, missing Accept, oversized bodies, other methods and other
 * paths must get the status the binding or HTTP prescribes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>

#include "common/tk_log_limit.h"

#include "cose/tk_cose.h"
#include "fake_agent.h"
#include "http/tk_http_server.h"

/* Body limit of the test server, small so oversized bodies are cheap. */
#define TEST_MAX_BODY 2048

struct http_fixture {
	struct bench bench;
	struct tk_http_server *srv;
	char url[64];
};

struct response {
	long status;
	uint8_t body[BENCH_MSG_MAX];
	size_t body_len;
	char headers[4096];
	size_t headers_len;
};

/* Bytes a read callback streams without a declared length. */
struct stream {
	size_t left;
};

static tk_err tam_handler(void *ctx, const uint8_t *body, size_t body_len, uint8_t *out,
			  size_t out_cap, size_t *out_len)
{
	struct bench *b = ctx;
	tk_err err;

	tk_diag_clear(&b->diag);
	err = tk_teep_tam_process(&b->tam, BENCH_NOW, body, body_len, out, out_cap, out_len,
				  &b->diag);
	if (body_len > 0 && tk_teep_tam_is_drop(err)) {
		*out_len = 0;
		return TK_OK;
	}
	return err;
}

/* Handler that fails with the tk_err that ctx points to. */
static tk_err failing_handler(void *ctx, const uint8_t *body, size_t body_len,
			      uint8_t *out, size_t out_cap, size_t *out_len)
{
	(void)body;
	(void)body_len;
	(void)out;
	(void)out_cap;
	*out_len = 0;
	return *(const tk_err *)ctx;
}

static struct tk_http_server *start(tk_http_handler_fn handler, void *ctx, char *url,
				    size_t url_cap)
{
	struct tk_http_server_config cfg = {
		.address = "127.0.0.1", .port = 0, .path = "/tam", .max_body = TEST_MAX_BODY,
		.handler = handler, .handler_ctx = ctx,
	};
	struct tk_http_server *srv = NULL;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	bench_expect("start", TK_OK, tk_http_server_start(&cfg, &srv, &diag), &diag);
	assert_true(tk_http_server_port(srv) != 0);
	snprintf(url, url_cap, "http://127.0.0.1:%u/tam", (unsigned)tk_http_server_port(srv));
	return srv;
}

static int setup(void **state)
{
	struct http_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bench_setup(&f->bench, TK_CRYPTO_KEY_P256);
	f->srv = start(tam_handler, &f->bench, f->url, sizeof(f->url));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct http_fixture *f = *state;

	tk_http_server_stop(f->srv);
	bench_teardown(&f->bench);
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

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct stream *s = ctx;
	size_t len = size * n < s->left ? size * n : s->left;

	memset(buf, 0xa5, len);
	s->left -= len;
	return len;
}

/* Request options of one test request. */
struct request {
	const char *method;       /* NULL: POST */
	const char *url_suffix;   /* appended to the server URL, e.g. "x" */
	const char *content_type; /* NULL: none */
	const char *accept;       /* NULL: none */
	const uint8_t *body;
	size_t body_len;
	size_t stream_len;        /* >0: send this many bytes chunked, no length */
};

static void perform(const char *url, const struct request *req, struct response *r)
{
	struct curl_slist *headers = NULL;
	struct stream stream = {.left = req->stream_len};
	char line[128], full_url[96];
	CURL *curl = curl_easy_init();

	assert_non_null(curl);
	memset(r, 0, sizeof(*r));
	snprintf(full_url, sizeof(full_url), "%s%s", url,
		 req->url_suffix != NULL ? req->url_suffix : "");
	curl_easy_setopt(curl, CURLOPT_URL, full_url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);

	/* Drop the headers curl adds by default, then add the requested ones. */
	headers = curl_slist_append(headers, "Expect:");
	headers = curl_slist_append(headers, "Accept:");
	headers = curl_slist_append(headers, "Content-Type:");
	if (req->accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", req->accept);
		headers = curl_slist_append(headers, line);
	}
	if (req->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", req->content_type);
		headers = curl_slist_append(headers, line);
	}

	if (req->method != NULL) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (req->stream_len > 0) {
		headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(curl, CURLOPT_READDATA, &stream);
	} else {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? (const char *)req->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

	CURLcode rc = curl_easy_perform(curl);
	/* The server may close an oversized upload early; the status still counts. */
	if (rc != CURLE_OK && rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR)
		fail_msg("curl: %s", curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

static bool has_header(const struct response *r, const char *line)
{
	const char *p = r->headers;
	size_t len = strlen(line);

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, line, len) == 0 && (p[len] == '\r' || p[len] == '\n'))
			return true;
	}
	return false;
}

static void assert_binding_headers(const char *what, const struct response *r)
{
	static const char *const required[] = {
		"Content-Type: application/teep+cbor",
		"X-Content-Type-Options: nosniff",
		"Content-Security-Policy: default-src 'none'",
		"Referrer-Policy: no-referrer",
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!has_header(r, required[i]))
			fail_msg("%s: response lacks \"%s\"; headers:\n%s", what, required[i],
				 r->headers);
	}
	/* The binding states that Cache-Control MUST NOT be used on these responses. */
	for (const char *p = r->headers; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, "Cache-Control:", 14) == 0)
			fail_msg("%s: response has Cache-Control", what);
	}
}

static void test_empty_post_query_request(void **state)
{
	struct http_fixture *f = *state;
	struct request req = {.accept = "application/teep+cbor"};
	struct tk_cose_trusted_key p256 = {.key = f->bench.tam_p256};
	struct tk_cose_trusted_key ed = {.key = f->bench.tam_ed25519};
	struct tk_cose_verify_opts opts = {.n_keys = 1};
	struct tk_cose_verified v;
	struct tk_teep_msg msg;
	static struct response r;

	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.body_len > 0);
	assert_binding_headers("empty POST", &r);

	/* The COSE_Sign verifies with each TAM key on its own. */
	opts.keys = &p256;
	bench_expect("ESP256 signer", TK_OK,
		     tk_cose_sign_verify(f->bench.crypto, r.body, r.body_len, &opts, &v,
					 &f->bench.diag), &f->bench.diag);
	assert_int_equal(v.signer.alg, TK_COSE_ALG_ESP256);
	opts.keys = &ed;
	bench_expect("Ed25519 signer", TK_OK,
		     tk_cose_sign_verify(f->bench.crypto, r.body, r.body_len, &opts, &v,
					 &f->bench.diag), &f->bench.diag);
	assert_int_equal(v.signer.alg, TK_COSE_ALG_ED25519);
	bench_expect("decode", TK_OK, tk_teep_decode(v.payload.ptr, v.payload.len, &msg,
						     &f->bench.diag), &f->bench.diag);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_REQUEST);
	assert_int_equal(msg.query_request.challenge.len, TK_TEEP_TAM_NONCE_LEN);

	/* Accept with parameters and a list also admits the TEEP type. */
	req.accept = "text/html, application/teep+cbor;q=0.9";
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
	req.accept = "*/*";
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
}

static void test_rejected_requests(void **state)
{
	static uint8_t big[TEST_MAX_BODY + 1];
	static const uint8_t message[] = {0xd2, 0x84, 0x40, 0xa0, 0x41, 0x00, 0x40};
	static const struct {
		const char *what;
		struct request req;
		long status;
	} cases[] = {
		{"wrong Content-Type", {.content_type = "application/cbor",
					.accept = "application/teep+cbor", .body = message,
					.body_len = sizeof(message)}, 415},
		{"no Content-Type", {.accept = "application/teep+cbor", .body = message,
				     .body_len = sizeof(message)}, 415},
		{"oversized body", {.content_type = "application/teep+cbor",
				    .accept = "application/teep+cbor", .body = big,
				    .body_len = sizeof(big)}, 413},
		{"oversized chunked body", {.content_type = "application/teep+cbor",
					    .accept = "application/teep+cbor",
					    .stream_len = 4 * TEST_MAX_BODY}, 413},
		{"no Accept", {.content_type = "application/teep+cbor"}, 406},
		{"Accept without TEEP", {.accept = "application/json"}, 406},
		{"TEEP rejected with q=0", {.accept = "application/teep+cbor;q=0"}, 406},
		{"any type rejected with q=0.0", {.accept = "*/*; q=0.0"}, 406},
		{"TEEP rejected beside */*", {.accept = "application/teep+cbor;Q=0, */*"}, 406},
		{"GET", {.method = "GET", .accept = "application/teep+cbor"}, 405},
		{"other path", {.url_suffix = "/x", .accept = "application/teep+cbor"}, 404},
		{"invalid message dropped", {.content_type = "application/teep+cbor",
					     .accept = "application/teep+cbor",
					     .body = message, .body_len = sizeof(message)}, 204},
		{"body at the limit dropped", {.content_type = "application/teep+cbor",
					       .accept = "application/teep+cbor", .body = big,
					       .body_len = TEST_MAX_BODY}, 204},
	};
	struct http_fixture *f = *state;
	static struct response r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_counts before = bench_counts(&f->bench), after;

		perform(f->url, &cases[i].req, &r);
		if (r.status != cases[i].status)
			fail_msg("%s: expected HTTP %ld, got %ld", cases[i].what,
				 cases[i].status, r.status);
		assert_int_equal(r.body_len, 0);
		after = bench_counts(&f->bench);
		assert_int_equal(before.sessions, after.sessions);
		assert_int_equal(before.devices, after.devices);
		assert_int_equal(before.results, after.results);
	}
}

static void test_full_exchange_over_http(void **state)
{
	static const uint8_t ta_id[] = {0x81, 0x42, 't', 'a'};
	static const uint8_t envelope[] = {0xa1, 0x03, 0x41, 0x00};
	struct http_fixture *f = *state;
	struct bench *b = &f->bench;
	struct request req = {.accept = "application/teep+cbor"};
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	struct tk_cose_trusted_key p256 = {.key = b->tam_p256};
	struct tk_cose_verify_opts opts = {.keys = &p256, .n_keys = 1};
	struct tk_cose_verified v;
	struct tk_teep_msg msg;
	static uint8_t qr[BENCH_MSG_MAX];
	static struct response r;

	bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(envelope, sizeof(envelope)));
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
	bench_expect("verify", TK_OK, tk_cose_sign_verify(b->crypto, r.body, r.body_len, &opts,
							  &v, &b->diag), &b->diag);
	bench_expect("decode", TK_OK, tk_teep_decode(v.payload.ptr, v.payload.len, &msg,
						     &b->diag), &b->diag);
	q.nonce = msg.query_request.challenge;

	req.content_type = "application/teep+cbor";
	req.body = qr;
	req.body_len = fake_query_response(b, &q, qr, sizeof(qr));
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
	assert_binding_headers("Update", &r);
	bench_open_update(b, r.body, r.body_len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);

	/* The same QueryResponse again is dropped: 204, nothing stored. */
	struct bench_counts before = bench_counts(b), after;

	perform(f->url, &req, &r);
	assert_int_equal(r.status, 204);
	assert_int_equal(r.body_len, 0);
	after = bench_counts(b);
	assert_int_equal(before.sessions, after.sessions);
	assert_int_equal(before.installed, after.installed);
	assert_int_equal(before.audit, after.audit);
}

static void test_handler_failure_status(void **state)
{
	static const struct {
		const char *what;
		tk_err err;
		long status;
	} cases[] = {
		{"store failure", TK_ERR_DB, 500},
		{"resource limit", TK_ERR_LIMIT_COUNT, 503},
	};
	struct request req = {.accept = "application/teep+cbor"};
	static struct response r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_http_server *srv;
		char url[64];

		srv = start(failing_handler, (void *)&cases[i].err, url, sizeof(url));
		perform(url, &req, &r);
		tk_http_server_stop(srv);
		if (r.status != cases[i].status)
			fail_msg("%s: expected status %ld, got %ld", cases[i].what,
				 cases[i].status, r.status);
		assert_int_equal(r.body_len, 0);
	}
}

/* Log lines the server wrote, captured from its polling thread. */
struct captured_log {
	pthread_mutex_t lock;
	char lines[64][320];
	enum tk_log_level levels[64];
	size_t count;
};

static void capture_line(void *ctx, enum tk_log_level level, const char *component,
			 const char *line)
{
	struct captured_log *log = ctx;

	pthread_mutex_lock(&log->lock);
	if (log->count < 64) {
		snprintf(log->lines[log->count], sizeof(log->lines[0]), "%s: %s", component,
			 line);
		log->levels[log->count] = level;
		log->count++;
	}
	pthread_mutex_unlock(&log->lock);
}

/* Start a server that answers 204 and logs through `log`. */
static struct tk_http_server *start_logged(const struct tk_log *log, char *url,
					   size_t url_cap)
{
	static const tk_err ok = TK_OK;
	struct tk_http_server_config cfg = {
		.address = "127.0.0.1", .port = 0, .path = "/tam", .max_body = TEST_MAX_BODY,
		.handler = failing_handler, .handler_ctx = (void *)&ok, .log = log,
	};
	struct tk_http_server *srv = NULL;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	bench_expect("start", TK_OK, tk_http_server_start(&cfg, &srv, &diag), &diag);
	snprintf(url, url_cap, "http://127.0.0.1:%u/tam", (unsigned)tk_http_server_port(srv));
	return srv;
}

static void test_peer_error_log_lines(void **state)
{
	static uint8_t big[TEST_MAX_BODY + 1];
	static const uint8_t message[] = {0xd2, 0x84, 0x40, 0xa0, 0x41, 0x00, 0x40};
	static const struct {
		const char *what;
		struct request req;
		enum tk_log_level level;
		const char *line;
	} cases[] = {
		{"415 names the type", {.content_type = "text/plain;\x01x",
					.accept = "application/teep+cbor", .body = message,
					.body_len = sizeof(message)}, TK_LOG_NOTICE,
		 "http: rejected a body with Content-Type \"text/plain;?x\", not "
		 "application/teep+cbor (415)"},
		{"415 without a type", {.accept = "application/teep+cbor", .body = message,
					.body_len = sizeof(message)}, TK_LOG_NOTICE,
		 "http: rejected a body with Content-Type \"(none)\", not "
		 "application/teep+cbor (415)"},
		{"413 with length", {.content_type = "application/teep+cbor",
				     .accept = "application/teep+cbor", .body = big,
				     .body_len = sizeof(big)}, TK_LOG_NOTICE,
		 "http: rejected a body of 2049 bytes (Content-Length) over the limit of "
		 "2048 bytes (413)"},
		{"405", {.method = "GET", .accept = "application/teep+cbor"}, TK_LOG_INFO,
		 "http: rejected GET /tam (405)"},
		{"406", {.accept = "application/json"}, TK_LOG_INFO,
		 "http: rejected POST /tam (406)"},
		{"404 with escapes in the path", {.url_suffix = "%1b[2J%07%0d%0ax",
						  .accept = "application/teep+cbor"},
		 TK_LOG_INFO, "http: rejected POST /tam?[2J?  x (404)"},
		{"404 with a C1 control in the path", {.url_suffix = "%c2%9b31m%c3%a9",
						       .accept = "application/teep+cbor"},
		 TK_LOG_INFO, "http: rejected POST /tam??31m\xc3\xa9 (404)"},
	};
	static struct captured_log captured;
	struct tk_log log = {.write = capture_line, .ctx = &captured,
			     .min_level = TK_LOG_DEBUG};
	static struct response r;
	struct tk_http_server *srv;
	char url[64];

	(void)state;
	memset(&captured, 0, sizeof(captured));
	pthread_mutex_init(&captured.lock, NULL);
	srv = start_logged(&log, url, sizeof(url));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t before = captured.count;

		perform(url, &cases[i].req, &r);
		pthread_mutex_lock(&captured.lock);
		if (captured.count != before + 1)
			fail_msg("%s: expected one log line, got %zu", cases[i].what,
				 captured.count - before);
		if (strcmp(captured.lines[before], cases[i].line) != 0)
			fail_msg("%s: expected line\n  %s\ngot\n  %s", cases[i].what,
				 cases[i].line, captured.lines[before]);
		assert_int_equal(captured.levels[before], cases[i].level);
		pthread_mutex_unlock(&captured.lock);
	}
	tk_http_server_stop(srv);
	pthread_mutex_destroy(&captured.lock);
}

/* Requests beyond the per-second limit are counted, and the count is logged later. */
static void test_peer_error_log_rate_limited(void **state)
{
	static struct captured_log captured;
	struct tk_log log = {.write = capture_line, .ctx = &captured,
			     .min_level = TK_LOG_DEBUG};
	struct request req = {.method = "GET", .accept = "application/teep+cbor"};
	static struct response r;
	struct tk_http_server *srv;
	unsigned long long reported = 0;
	const size_t sent = 3 * TK_LOG_LIMIT_DEFAULT_PER_SECOND;
	char url[64];

	(void)state;
	memset(&captured, 0, sizeof(captured));
	pthread_mutex_init(&captured.lock, NULL);
	srv = start_logged(&log, url, sizeof(url));
	for (size_t i = 0; i < sent; i++)
		perform(url, &req, &r);
	/* The requests may span two seconds of the limit, not more. */
	assert_true(captured.count <= 2 * TK_LOG_LIMIT_DEFAULT_PER_SECOND);
	sleep(1);
	perform(url, &req, &r);
	tk_http_server_stop(srv);

	/* Every request is either a line or counted in a later line. */
	for (size_t i = 0; i < captured.count; i++) {
		const char *note = strstr(captured.lines[i], "(405) (");
		unsigned long long n = 0;

		if (note != NULL) {
			assert_int_equal(sscanf(note, "(405) (%llu similar lines suppressed "
						"before it)", &n), 1);
			reported += n;
		}
	}
	assert_int_equal(captured.count + reported, sent + 1);
	assert_true(reported >= sent - 2 * TK_LOG_LIMIT_DEFAULT_PER_SECOND);
	pthread_mutex_destroy(&captured.lock);
}

static void test_log_limit_windows(void **state)
{
	static const struct {
		const char *what;
		int64_t now;
		bool passes;
		uint64_t suppressed;
	} cases[] = {
		{"first in second 10", 10, true, 0},
		{"second in second 10", 10, true, 0},
		{"third in second 10 over max 2", 10, false, 0},
		{"fourth in second 10 over max 2", 10, false, 0},
		{"first in second 11 reports 2", 11, true, 2},
		{"second in second 11", 11, true, 0},
		{"third in second 11 over max 2", 11, false, 0},
		{"first in second 15 reports 1", 15, true, 1},
	};
	struct tk_log_limit limit = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t suppressed = 99;
		bool passes = tk_log_limit_pass(&limit, cases[i].now, 2, &suppressed);

		if (passes != cases[i].passes)
			fail_msg("%s: expected %s", cases[i].what,
				 cases[i].passes ? "pass" : "suppress");
		if (suppressed != cases[i].suppressed)
			fail_msg("%s: expected %llu suppressed, got %llu", cases[i].what,
				 (unsigned long long)cases[i].suppressed,
				 (unsigned long long)suppressed);
	}
}

static void test_address_in_use(void **state)
{
	static const tk_err ok = TK_OK;
	struct tk_http_server *first, *second = NULL;
	struct tk_http_server_config cfg = {
		.address = "127.0.0.1", .path = "/tam", .handler = failing_handler,
		.handler_ctx = (void *)&ok,
	};
	char url[64], expected[64];
	struct tk_diag diag;

	(void)state;
	first = start(failing_handler, (void *)&ok, url, sizeof(url));
	cfg.port = tk_http_server_port(first);
	tk_diag_clear(&diag);
	bench_expect("second start", TK_ERR_NETWORK, tk_http_server_start(&cfg, &second, &diag),
		     &diag);
	assert_null(second);
	snprintf(expected, sizeof(expected), "address 127.0.0.1:%u is already in use",
		 (unsigned)cfg.port);
	assert_string_equal(diag.msg, expected);
	tk_http_server_stop(first);
}

static void test_session_limit_503(void **state)
{
	struct http_fixture *f = *state;
	struct tk_teep_tam_config cfg = f->bench.tam.cfg;
	struct request req = {.accept = "application/teep+cbor"};
	static struct response r;

	cfg.max_sessions = 1;
	bench_expect("tam init", TK_OK, tk_teep_tam_init(&f->bench.tam, &cfg, &f->bench.diag),
		     &f->bench.diag);
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 200);
	perform(f->url, &req, &r);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.body_len, 0);
	assert_int_equal(bench_counts(&f->bench).sessions, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_post_query_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_exchange_over_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_limit_503, setup, teardown),
		cmocka_unit_test(test_handler_failure_status),
		cmocka_unit_test(test_peer_error_log_lines),
		cmocka_unit_test(test_peer_error_log_rate_limited),
		cmocka_unit_test(test_log_limit_windows),
		cmocka_unit_test(test_address_in_use),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
