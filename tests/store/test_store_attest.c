/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the attestation records of the SQLite TAM store: the history of
 * attestation results per device (newest first, limited per device),
 * device groups with their default, group policies with their default,
 * and the wrappers' checks of names and lengths.
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
#include "store/tk_store_attest.h"
#include "store/tk_store_sqlite.h"

struct fixture {
	char dir[64];
	char path[96];
	struct tk_store st;
	struct tk_diag diag;
};

static const uint8_t ueid_a[] = {0x01, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7};
static const uint8_t ueid_b[] = {0x01, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7};

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
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-store-att-XXXXXX");
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

static struct tk_span text(const char *s)
{
	return tk_span_make(s, strlen(s));
}

static void add(struct fixture *f, const uint8_t *ueid, size_t ueid_len,
		enum tk_store_tier tier, int64_t at, const char *result)
{
	struct tk_store_attestation a = {
		.ueid = tk_span_make(ueid, ueid_len),
		.model = TK_STORE_MODEL_PASSPORT,
		.tier = tier,
		.decision = tier == TK_STORE_TIER_AFFIRMING ? TK_STORE_DECISION_PROCEED
							    : TK_STORE_DECISION_REFUSE,
		.group = text("default"),
		.verifier = text("teep-verifier"),
		.reason = tier == TK_STORE_TIER_AFFIRMING ? TK_SPAN_EMPTY : text("bad TA"),
		.media_type = text("application/eat+cwt"),
		.result = text(result),
		.appraised_at = at,
	};

	memset(a.kid, 0x5a, sizeof(a.kid));
	tk_diag_clear(&f->diag);
	expect_err("add", TK_OK, tk_store_attestation_add(&f->st, &a, &f->diag), &f->diag);
}

/* Up to 8 rows seen by a listing, copied out of the callback. */
struct seen {
	size_t n;
	uint8_t ueid_first[8];
	enum tk_store_tier tier[8];
	int64_t at[8];
	char result[8][16];
	char reason[8][16];
};

static tk_err collect(void *cb_ctx, const struct tk_store_attestation *a)
{
	struct seen *s = cb_ctx;

	if (s->n == 8)
		return TK_ERR_LIMIT_COUNT;
	s->ueid_first[s->n] = a->ueid.len > 1 ? a->ueid.ptr[1] : 0;
	s->tier[s->n] = a->tier;
	s->at[s->n] = a->appraised_at;
	snprintf(s->result[s->n], 16, "%.*s", (int)a->result.len, (const char *)a->result.ptr);
	snprintf(s->reason[s->n], 16, "%.*s", (int)a->reason.len, (const char *)a->reason.ptr);
	assert_int_equal(a->kid[0], 0x5a);
	assert_int_equal(a->model, TK_STORE_MODEL_PASSPORT);
	s->n++;
	return TK_OK;
}

static void test_history_newest_first(void **state)
{
	struct fixture *f = *state;
	struct seen s = {0};

	add(f, ueid_a, sizeof(ueid_a), TK_STORE_TIER_AFFIRMING, 100, "ear-1");
	add(f, ueid_a, sizeof(ueid_a), TK_STORE_TIER_CONTRAINDICATED, 200, "ear-2");
	add(f, ueid_b, sizeof(ueid_b), TK_STORE_TIER_WARNING, 150, "ear-3");

	expect_err("list a", TK_OK,
		   tk_store_attestation_each(&f->st, tk_span_make(ueid_a, sizeof(ueid_a)), 0,
					     collect, &s, &f->diag), &f->diag);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.tier[0], TK_STORE_TIER_CONTRAINDICATED);
	assert_int_equal(s.at[0], 200);
	assert_string_equal(s.result[0], "ear-2");
	assert_string_equal(s.reason[0], "bad TA");
	assert_int_equal(s.tier[1], TK_STORE_TIER_AFFIRMING);
	assert_string_equal(s.reason[1], "");

	/* Latest of every device: one row each, ordered by UEID. */
	memset(&s, 0, sizeof(s));
	expect_err("latest", TK_OK,
		   tk_store_attestation_each(&f->st, TK_SPAN_EMPTY, 1, collect, &s, &f->diag),
		   &f->diag);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ueid_first[0], 0xa1);
	assert_string_equal(s.result[0], "ear-2");
	assert_int_equal(s.ueid_first[1], 0xb1);
	assert_int_equal(s.tier[1], TK_STORE_TIER_WARNING);

	uint64_t n = 0;

	expect_err("count", TK_OK,
		   tk_store_count_rows(&f->st, "attestation_results", &n, &f->diag), &f->diag);
	assert_int_equal(n, 3);
}

static void test_groups_and_policies(void **state)
{
	struct fixture *f = *state;
	struct tk_span a = tk_span_make(ueid_a, sizeof(ueid_a));
	char group[TK_STORE_GROUP_MAX + 1];
	bool accept = true;

	expect_err("default group", TK_OK,
		   tk_store_device_group_get(&f->st, a, group, sizeof(group), &f->diag), &f->diag);
	assert_string_equal(group, TK_STORE_DEFAULT_GROUP);
	expect_err("default policy", TK_OK,
		   tk_store_group_policy_get(&f->st, "edge", &accept, &f->diag), &f->diag);
	assert_false(accept);

	expect_err("set group", TK_OK,
		   tk_store_device_group_set(&f->st, a, "edge", 10, &f->diag), &f->diag);
	expect_err("set policy", TK_OK,
		   tk_store_group_policy_set(&f->st, "edge", true, 10, &f->diag), &f->diag);
	expect_err("group", TK_OK,
		   tk_store_device_group_get(&f->st, a, group, sizeof(group), &f->diag), &f->diag);
	assert_string_equal(group, "edge");
	expect_err("policy", TK_OK,
		   tk_store_group_policy_get(&f->st, "edge", &accept, &f->diag), &f->diag);
	assert_true(accept);

	/* Both replace the earlier value. */
	expect_err("move", TK_OK,
		   tk_store_device_group_set(&f->st, a, "core-1", 11, &f->diag), &f->diag);
	expect_err("reject", TK_OK,
		   tk_store_group_policy_set(&f->st, "edge", false, 11, &f->diag), &f->diag);
	expect_err("group again", TK_OK,
		   tk_store_device_group_get(&f->st, a, group, sizeof(group), &f->diag), &f->diag);
	assert_string_equal(group, "core-1");
	expect_err("policy again", TK_OK,
		   tk_store_group_policy_get(&f->st, "edge", &accept, &f->diag), &f->diag);
	assert_false(accept);
}

static void test_invalid_input(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *what;
		const char *group;
		tk_err expected;
	} rows[] = {
		{"empty name", "", TK_ERR_ARG},
		{"space", "edge nodes", TK_ERR_ARG},
		{"slash", "a/b", TK_ERR_ARG},
		{"65 bytes", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 TK_ERR_ARG},
		{"64 bytes", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 TK_OK},
	};
	struct tk_span a = tk_span_make(ueid_a, sizeof(ueid_a));
	uint8_t big[TK_STORE_RESULT_MAX + 1] = {0};
	struct tk_store_attestation rec = {
		.ueid = a, .group = text("default"), .appraised_at = 1,
		.result = tk_span_make(big, sizeof(big)),
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tk_diag_clear(&f->diag);
		expect_err(rows[i].what, rows[i].expected,
			   tk_store_device_group_set(&f->st, a, rows[i].group, 1, &f->diag),
			   &f->diag);
	}
	tk_diag_clear(&f->diag);
	expect_err("result over the limit", TK_ERR_LIMIT_SIZE,
		   tk_store_attestation_add(&f->st, &rec, &f->diag), &f->diag);
	rec.result = TK_SPAN_EMPTY;
	rec.ueid = TK_SPAN_EMPTY;
	tk_diag_clear(&f->diag);
	expect_err("no UEID", TK_ERR_ARG, tk_store_attestation_add(&f->st, &rec, &f->diag),
		   &f->diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_and_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
