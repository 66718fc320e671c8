/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the streamed payload fetch (tk_http_fetch_stream) against a
 * loopback server thread that generates its body on the fly, so payloads
 * of many megabytes need no buffer in the test either. The sink checks
 * every byte against the generator and the size of every chunk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/tk_http_client.h"
#include "pattern_server.h"

/* Size of the streamed payload: large next to TK_HTTP_FETCH_CHUNK, small
 * enough for a quick test. The benchmark streams hundreds of megabytes. */
#define PAYLOAD_SIZE (24u * 1024u * 1024u + 123u)

/* Sink that checks bytes against the generator and may fail on purpose. */
struct check_sink {
	uint64_t received;
	size_t writes;
	size_t largest;         /* largest chunk seen */
	bool mismatch;
	uint64_t fail_after;    /* fail the write that passes this, 0 never */
	size_t progress_calls;
	uint64_t last_received; /* from the progress callback */
	uint64_t last_total;
};

static tk_err check_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct check_sink *c = ctx;

	c->writes++;
	if (len > c->largest)
		c->largest = len;
	if (c->fail_after != 0 && c->received + len > c->fail_after)
		return TK_FAIL(diag, TK_ERR_IO, "staging full after %llu bytes",
			       (unsigned long long)c->received);
	for (size_t i = 0; i < len; i++) {
		if (chunk[i] != pattern_byte(c->received + i))
			c->mismatch = true;
	}
	c->received += len;
	return TK_OK;
}

static void check_progress(void *ctx, uint64_t received, uint64_t total)
{
	struct check_sink *c = ctx;

	c->progress_calls++;
	c->last_received = received;
	c->last_total = total;
}

/* Fetch from a fresh server; returns the error and fills *c. */
static tk_err fetch(int status, uint64_t body_len, bool content_length, uint64_t max_size,
		    struct check_sink *c, uint64_t *received, struct tk_diag *diag)
{
	struct tk_http_client_config cfg;
	struct tk_suit_sink sink = {check_write, c};
	struct tk_http_progress progress = {check_progress, c};
	struct pattern_server s = {0};
	char uri[64];
	tk_err err;

	memset(&cfg, 0, sizeof(cfg));
	pattern_server_start(&s, status, body_len, content_length);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload", s.port);
	tk_diag_clear(diag);
	err = tk_http_fetch_stream(&cfg, uri, strlen(uri), max_size, &sink, &progress, received,
				   diag);
	pattern_server_stop(&s);
	return err;
}

static void test_stream_with_length(void **state)
{
	struct check_sink c = {0};
	struct tk_diag diag;
	uint64_t received = 0;

	(void)state;
	assert_int_equal(fetch(200, PAYLOAD_SIZE, true, PAYLOAD_SIZE, &c, &received, &diag),
			 TK_OK);
	assert_int_equal(received, PAYLOAD_SIZE);
	assert_int_equal(c.received, PAYLOAD_SIZE);
	assert_false(c.mismatch);
	assert_true(c.largest <= TK_HTTP_FETCH_CHUNK);
	assert_true(c.writes >= PAYLOAD_SIZE / TK_HTTP_FETCH_CHUNK);
	assert_int_equal(c.progress_calls, c.writes);
	assert_int_equal(c.last_received, PAYLOAD_SIZE);
	assert_int_equal(c.last_total, PAYLOAD_SIZE);
}

static void test_stream_without_length(void **state)
{
	struct check_sink c = {0};
	struct tk_diag diag;
	uint64_t received = 0;

	(void)state;
	assert_int_equal(fetch(200, 3 * TK_HTTP_FETCH_CHUNK + 1, false, PAYLOAD_SIZE, &c,
			       &received, &diag), TK_OK);
	assert_int_equal(c.received, 3 * TK_HTTP_FETCH_CHUNK + 1);
	assert_false(c.mismatch);
	assert_int_equal(c.last_total, 0);
}

/* Failures, each with the error it must give. */
static void test_stream_failures(void **state)
{
	static const struct {
		const char *description;
		int status;
		uint64_t body_len;
		bool content_length;
		uint64_t max_size;
		uint64_t fail_after;
		tk_err expected;
	} rows[] = {
		{"declared length over the limit", 200, 1000000, true, 999999, 0,
		 TK_ERR_LIMIT_SIZE},
		{"undeclared length over the limit", 200, 1000000, false, 999999, 0,
		 TK_ERR_LIMIT_SIZE},
		{"missing payload with a page", 404, 5000, true, PAYLOAD_SIZE, 0,
		 TK_ERR_HTTP_STATUS},
		{"partial content", 206, 5000, true, PAYLOAD_SIZE, 0, TK_ERR_HTTP_STATUS},
		{"no content", 204, 0, true, PAYLOAD_SIZE, 0, TK_ERR_HTTP_STATUS},
		{"sink fails midway", 200, 1000000, true, PAYLOAD_SIZE, 300000, TK_ERR_IO},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct check_sink c = {0};
		struct tk_diag diag;
		uint64_t received = 0;
		tk_err err;

		c.fail_after = rows[i].fail_after;
		err = fetch(rows[i].status, rows[i].body_len, rows[i].content_length,
			    rows[i].max_size, &c, &received, &diag);
		if (err != rows[i].expected)
			print_error("%s: %s, expected %s: %s\n", rows[i].description,
				    tk_err_name(err), tk_err_name(rows[i].expected), diag.msg);
		assert_int_equal(err, rows[i].expected);
		assert_true(received <= rows[i].max_size);
		assert_false(c.mismatch);
		/* A response other than 200 never reaches the sink. */
		if (rows[i].status != 200)
			assert_int_equal(c.writes, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_with_length),
		cmocka_unit_test(test_stream_without_length),
		cmocka_unit_test(test_stream_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
