/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the SUIT report records of the SQLite TAM store: report keys
 * per agent kid (enrolled, replaced, missing), reports kept newest first
 * and limited per device, and the wrappers' checks of lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/tk_store.h"
#include "store/tk_store_report.h"
#include "store/tk_store_sqlite.h"

struct fixture {
	char dir[64];
	char path[96];
	struct tk_store st;
	struct tk_diag diag;
};

static const uint8_t ueid_a[] = {0x01, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7};
static const uint8_t ueid_b[] = {0x01, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7};
static const uint8_t token[] = "update-token-0001";
static const uint8_t digest[32] = {1, 2, 3};
static const uint8_t report_bytes[] = {0xa3, 0x03, 0x80, 0x04, 0xf5, 0x18, 0x63, 0x82,
				       0x60, 0x82, 0x2f, 0x41, 0x00};

static void expect_err(const char *what, tk_err expected, tk_err actual,
		       const struct tk_diag *diag)
{
	if (expected != actual) {
		char detail[TK_DIAG_MSG_MAX + 128];

		tk_diag_format(diag, detail, sizeof(detail));
		fail_msg("%s: expected %s, got %s (%s)", what, tk_err_name(expected),
			 tk_err_name(actual), detail);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-store-rep-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/tam.sqlite", f->dir);
	tk_diag_clear(&f->diag);
	expect_err("open", TK_OK, tk_store_sqlite_open(f->path, &f->st, &f->diag), &f->diag);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	tk_store_sqlite_close(&f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_report_key_enroll_replace(void **state)
{
	struct fixture *f = *state;
	struct tk_store_report_key key = {.pubkey_len = 3, .enrolled_at = 100};
	struct tk_store_report_key got;

	memset(key.agent_kid, 0x11, sizeof(key.agent_kid));
	memset(key.report_kid, 0x22, sizeof(key.report_kid));
	memcpy(key.pubkey, "\xa1\x01\x02", 3);
	expect_err("get before enrolment", TK_ERR_NOT_FOUND,
		   tk_store_report_key_get(&f->st, tk_span_make(key.agent_kid, 32), &got, &f->diag),
		   &f->diag);
	expect_err("set", TK_OK, tk_store_report_key_set(&f->st, &key, &f->diag), &f->diag);
	expect_err("get", TK_OK,
		   tk_store_report_key_get(&f->st, tk_span_make(key.agent_kid, 32), &got, &f->diag),
		   &f->diag);
	assert_memory_equal(got.report_kid, key.report_kid, 32);
	assert_int_equal(got.pubkey_len, 3);
	assert_memory_equal(got.pubkey, key.pubkey, 3);
	assert_int_equal(got.enrolled_at, 100);

	/* Enrolling again replaces the key of the same agent kid. */
	memset(key.report_kid, 0x33, sizeof(key.report_kid));
	key.enrolled_at = 200;
	expect_err("replace", TK_OK, tk_store_report_key_set(&f->st, &key, &f->diag), &f->diag);
	expect_err("get again", TK_OK,
		   tk_store_report_key_get(&f->st, tk_span_make(key.agent_kid, 32), &got, &f->diag),
		   &f->diag);
	assert_int_equal(got.report_kid[0], 0x33);
	assert_int_equal(got.enrolled_at, 200);
}

static void add(struct fixture *f, const uint8_t *ueid, int64_t code, int64_t at)
{
	struct tk_store_suit_report r = {
		.ueid = tk_span_make(ueid, 8),
		.token = tk_span_make(token, sizeof(token) - 1),
		.digest = tk_span_make(digest, sizeof(digest)),
		.uri = tk_span_make("https://tam.example/ta", 22),
		.success = code == 0,
		.result_code = code,
		.reason = code == 0 ? 0 : 10,
		.record_count = 2,
		.encrypted = true,
		.report = tk_span_make(report_bytes, sizeof(report_bytes)),
		.received_at = at,
	};

	memset(r.kid, 0x44, sizeof(r.kid));
	expect_err("add", TK_OK, tk_store_suit_report_add(&f->st, &r, &f->diag), &f->diag);
}

struct collected {
	size_t count;
	int64_t received[8];
	int64_t codes[8];
	bool last_encrypted;
	size_t last_report_len;
};

static tk_err collect(void *ctx, const struct tk_store_suit_report *r)
{
	struct collected *c = ctx;

	if (c->count >= 8)
		return TK_ERR_LIMIT_COUNT;
	c->received[c->count] = r->received_at;
	c->codes[c->count] = r->result_code;
	c->last_encrypted = r->encrypted;
	c->last_report_len = r->report.len;
	c->count++;
	return TK_OK;
}

static void test_reports_newest_first(void **state)
{
	struct fixture *f = *state;
	struct collected c;

	add(f, ueid_a, 0, 10);
	add(f, ueid_a, 506, 20);
	add(f, ueid_b, 0, 30);

	memset(&c, 0, sizeof(c));
	expect_err("list one device", TK_OK,
		   tk_store_suit_report_each(&f->st, tk_span_make(ueid_a, 8), 0, collect, &c,
					     &f->diag), &f->diag);
	assert_int_equal(c.count, 2);
	assert_int_equal(c.received[0], 20);
	assert_int_equal(c.codes[0], 506);
	assert_int_equal(c.received[1], 10);
	assert_true(c.last_encrypted);
	assert_int_equal(c.last_report_len, sizeof(report_bytes));

	memset(&c, 0, sizeof(c));
	expect_err("list all, one each", TK_OK,
		   tk_store_suit_report_each(&f->st, TK_SPAN_EMPTY, 1, collect, &c, &f->diag),
		   &f->diag);
	assert_int_equal(c.count, 2);
	assert_int_equal(c.received[0], 20);
	assert_int_equal(c.received[1], 30);
}

static void test_report_invalid_input(void **state)
{
	struct fixture *f = *state;
	struct tk_store_suit_report r = {
		.ueid = tk_span_make(ueid_a, 8),
		.token = tk_span_make(token, sizeof(token) - 1),
		.digest = tk_span_make(digest, sizeof(digest)),
		.report = tk_span_make(report_bytes, sizeof(report_bytes)),
	};
	struct tk_store_report_key key = {.pubkey_len = 0};
	struct tk_store_report_key got;

	r.digest = TK_SPAN_EMPTY;
	expect_err("no digest", TK_ERR_ARG, tk_store_suit_report_add(&f->st, &r, &f->diag),
		   &f->diag);
	r.digest = tk_span_make(digest, sizeof(digest));
	r.report = TK_SPAN_EMPTY;
	expect_err("no report", TK_ERR_LIMIT_SIZE, tk_store_suit_report_add(&f->st, &r, &f->diag),
		   &f->diag);
	expect_err("empty report key", TK_ERR_ARG, tk_store_report_key_set(&f->st, &key, &f->diag),
		   &f->diag);
	expect_err("short agent kid", TK_ERR_ARG,
		   tk_store_report_key_get(&f->st, tk_span_make(digest, 5), &got, &f->diag),
		   &f->diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_key_enroll_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_invalid_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
