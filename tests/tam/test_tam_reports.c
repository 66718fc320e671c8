/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of SUIT reports at the TAM: a Success or Error carrying reports is
 * stored only when each report verifies with the agent's enrolled report
 * key, decrypts with the TAM's report key and names the Update's token as
 * its nonce; any other report drops the whole message and leaves every
 * table unchanged. Reports of an agent without an enrolled report key are
 * logged and not stored.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "fake_agent.h"
#include "suit/tk_suit_report.h"

/* Component id and a stand-in envelope, as in test_teep_tam.c. */
static const uint8_t ta_id[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				'c', 'e', 0x42, 't', 'a'};
static const uint8_t ta_envelope[] = {0xa2, 0x02, 0x41, 0x00, 0x03, 0x41, 0x01};
static const uint8_t manifest_digest[32] = {0xd1, 0xd2, 0xd3};

static uint8_t in[BENCH_MSG_MAX], out[BENCH_MSG_MAX];

struct fixture {
	struct bench b;
	struct tk_crypto_key *report_key;   /* the agent's report key */
	struct tk_crypto_key *tam_report;   /* TAM's report decryption key */
	uint8_t token[64];
	size_t token_len;
	bool registered;                    /* the TA is required already */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bench_setup(&f->b, TK_CRYPTO_KEY_P256);
	assert_int_equal(tk_crypto_key_generate(f->b.crypto, TK_CRYPTO_KEY_P256, &f->report_key,
						NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->b.crypto, TK_CRYPTO_KEY_P256, &f->tam_report,
						NULL), TK_OK);
	f->b.tam.cfg.report_key = f->tam_report;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bench_teardown(&f->b);
	tk_crypto_key_free(f->report_key);
	tk_crypto_key_free(f->tam_report);
	free(f);
	return 0;
}

static tk_err process(struct bench *b, int64_t now, size_t in_len, size_t *out_len)
{
	tk_diag_clear(&b->diag);
	return tk_teep_tam_process(&b->tam, now, in, in_len, out, sizeof(out), out_len,
				   &b->diag);
}

/* Enroll f->report_key as the report key of the bench's agent key. */
static void enroll_report_key(struct fixture *f)
{
	struct tk_store_report_key rec = {.enrolled_at = BENCH_NOW};

	memcpy(rec.agent_kid, f->b.agent_kid, 32);
	assert_int_equal(tk_cose_key_thumbprint_crypto(f->b.crypto, f->report_key,
						       rec.report_kid, NULL), TK_OK);
	assert_int_equal(tk_cose_key_encode_public(f->report_key, TK_SPAN_EMPTY, 0, rec.pubkey,
						   sizeof(rec.pubkey), &rec.pubkey_len, NULL),
			 TK_OK);
	bench_expect("enroll report key", TK_OK,
		     tk_store_report_key_set(&f->b.store, &rec, &f->b.diag), &f->b.diag);
}

/* Connect, reply with a QueryResponse and keep the Update's token. */
static void run_to_update(struct fixture *f)
{
	struct bench *b = &f->b;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct tk_teep_msg msg;

	if (!f->registered)
		bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
				  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	f->registered = true;
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW + 1, in_len, &out_len),
		     &b->diag);
	bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
	memcpy(f->token, msg.update.token.ptr, msg.update.token.len);
	f->token_len = msg.update.token.len;
}

/* A protected report with this nonce and result, signed with `key`. */
static size_t make_report(struct fixture *f, const struct tk_crypto_key *key,
			  struct tk_span nonce, tk_err result, bool encrypt, uint8_t *msg,
			  size_t cap)
{
	struct tk_suit_report_builder builder;
	struct tk_suit_record record = {.section = 20, .offset = 7, .policy = 3,
					.result = result};
	struct tk_suit_report_params params = {
		.uri = tk_span_make("https://tam.example/ta.suit", 27),
		.digest_alg = TK_SUIT_ALG_SHA256,
		.digest = tk_span_make(manifest_digest, sizeof(manifest_digest)),
		.nonce = nonce,
		.result = result,
		.failed_section = TK_SUIT_REPORT_SECTION_MANIFEST,
	};
	struct tk_suit_report_protect protect = {
		.report_key = key, .alg = tk_cose_alg_for_key(key),
		.recipient = encrypt ? f->tam_report : NULL,
	};
	uint8_t records[256], report[1024], work[2048];
	size_t report_len = 0, len = 0;

	tk_suit_report_init(&builder, records, sizeof(records));
	assert_int_equal(tk_suit_report_add(&builder, &record, NULL), TK_OK);
	assert_int_equal(tk_suit_report_finish(&builder, &params, report, sizeof(report),
					       &report_len, NULL), TK_OK);
	assert_int_equal(tk_suit_report_protect(f->b.crypto, &protect, report, report_len, work,
						sizeof(work), msg, cap, &len, NULL), TK_OK);
	return len;
}

/* Sign a Success (err_code 0) or Error 17 carrying one report. */
static size_t result_message(struct fixture *f, uint64_t err_code, const uint8_t *report,
			     size_t report_len)
{
	struct tk_span item = tk_span_make(report, report_len);
	struct tk_cose_signer s = {
		.key = f->b.agent, .alg = tk_cose_alg_for_key(f->b.agent), .kid_thumbprint = true,
	};
	struct tk_cose_sign_opts opts = {.tagged = true};
	static uint8_t payload[BENCH_MSG_MAX];
	struct tk_span token = tk_span_make(f->token, f->token_len);
	struct tk_teep_msg msg;
	size_t payload_len = 0, len = 0;

	memset(&msg, 0, sizeof(msg));
	if (err_code == 0) {
		msg.type = TK_TEEP_TYPE_SUCCESS;
		msg.success.token = token;
		msg.success.suit_reports.items = &item;
		msg.success.suit_reports.count = 1;
	} else {
		msg.type = TK_TEEP_TYPE_ERROR;
		msg.error.token = token;
		msg.error.err_code = err_code;
		msg.error.suit_reports.items = &item;
		msg.error.suit_reports.count = 1;
	}
	assert_int_equal(tk_teep_encode(&msg, payload, sizeof(payload), &payload_len, NULL),
			 TK_OK);
	assert_int_equal(tk_cose_sign1_create(f->b.crypto, &s, payload, payload_len, &opts, in,
					      sizeof(in), &len, NULL), TK_OK);
	return len;
}

struct seen {
	size_t count;
	struct tk_store_suit_report last;
	uint8_t digest[32];
};

static tk_err collect(void *ctx, const struct tk_store_suit_report *r)
{
	struct seen *s = ctx;

	s->count++;
	s->last = *r;
	memcpy(s->digest, r->digest.ptr, r->digest.len < 32 ? r->digest.len : 32);
	s->last.ueid = s->last.token = s->last.uri = s->last.report = s->last.digest =
		TK_SPAN_EMPTY;
	return TK_OK;
}

static struct seen stored(struct fixture *f)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	bench_expect("list reports", TK_OK,
		     tk_store_suit_report_each(&f->b.store, TK_SPAN_EMPTY, 0, collect, &s,
					       &f->b.diag), &f->b.diag);
	return s;
}

static void test_success_report_stored(void **state)
{
	struct fixture *f = *state;
	uint8_t report[2048];
	size_t report_len, in_len, out_len = 0;
	struct seen s;

	enroll_report_key(f);
	run_to_update(f);
	report_len = make_report(f, f->report_key, tk_span_make(f->token, f->token_len), TK_OK,
				 true, report, sizeof(report));
	in_len = result_message(f, 0, report, report_len);
	bench_expect("Success with a report", TK_OK, process(&f->b, BENCH_NOW + 2, in_len,
							      &out_len), &f->b.diag);
	s = stored(f);
	assert_int_equal(s.count, 1);
	assert_true(s.last.success);
	assert_true(s.last.encrypted);
	assert_int_equal(s.last.record_count, 1);
	assert_memory_equal(s.digest, manifest_digest, 32);
	assert_memory_equal(s.last.kid, f->b.agent_kid, 32);
	assert_int_equal(bench_counts(&f->b).results, 1);
}

static void test_error_report_stored(void **state)
{
	struct fixture *f = *state;
	uint8_t report[2048];
	size_t report_len, in_len, out_len = 0;
	struct seen s;
	size_t notices;

	enroll_report_key(f);
	run_to_update(f);
	notices = f->b.notice_lines;
	report_len = make_report(f, f->report_key, tk_span_make(f->token, f->token_len),
				 TK_ERR_CONDITION, false, report, sizeof(report));
	in_len = result_message(f, 17, report, report_len);
	bench_expect("Error with a report", TK_OK, process(&f->b, BENCH_NOW + 2, in_len,
							    &out_len), &f->b.diag);
	s = stored(f);
	assert_int_equal(s.count, 1);
	assert_false(s.last.success);
	assert_false(s.last.encrypted);
	assert_int_equal(s.last.result_code, TK_ERR_CONDITION);
	assert_int_equal(s.last.reason, TK_SUIT_REASON_CONDITION_FAILED);
	/* One notice for the failed report, one for the Error. */
	assert_int_equal(f->b.notice_lines, notices + 2);
}

/*
 * Connect and reply with a QueryResponse carrying one boot-time report.
 * The TAM's QueryRequest has no token, so the report needs no nonce.
 */
static tk_err boot_query_response(struct fixture *f, struct tk_span nonce, size_t *out_len)
{
	struct bench *b = &f->b;
	static uint8_t report[2048];
	struct tk_span item;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent,
					.suit_reports = &item, .suit_report_count = 1};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len;

	item = tk_span_make(report, make_report(f, f->report_key, nonce, TK_OK, true, report,
						  sizeof(report)));
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	return process(b, BENCH_NOW + 1, in_len, out_len);
}

static void test_boot_report_stored(void **state)
{
	struct fixture *f = *state;
	size_t out_len = 0;
	struct seen s;

	enroll_report_key(f);
	bench_expect("QueryResponse with a boot report", TK_OK,
		     boot_query_response(f, TK_SPAN_EMPTY, &out_len), &f->b.diag);
	s = stored(f);
	assert_int_equal(s.count, 1);
	assert_true(s.last.boot);
	assert_true(s.last.success);
	assert_true(s.last.encrypted);
	assert_memory_equal(s.digest, manifest_digest, 32);
	assert_memory_equal(s.last.kid, f->b.agent_kid, 32);
}

/* A QueryRequest without a token makes any boot report nonce a mismatch. */
static void test_boot_report_nonce_dropped(void **state)
{
	struct fixture *f = *state;
	static const uint8_t nonce[16] = {7};
	size_t out_len = 0;

	enroll_report_key(f);
	bench_expect("boot report with a nonce", TK_ERR_NONCE,
		     boot_query_response(f, tk_span_make(nonce, sizeof(nonce)), &out_len),
		     &f->b.diag);
	assert_int_equal(out_len, 0);
	assert_int_equal(stored(f).count, 0);
}

/* Rows: a report the TAM must reject, dropping the whole message. */
static void test_bad_reports_dropped(void **state)
{
	struct fixture *f = *state;
	static const uint8_t other_nonce[32] = {9};
	struct tk_crypto_key *stranger = NULL;
	struct tk_crypto_key *tam_report = f->tam_report;
	uint8_t previous_token[64];
	size_t previous_token_len = 0;
	const struct {
		const char *desc;
		bool wrong_key;
		bool wrong_nonce;
		bool no_tam_key;
		bool teep_key;        /* signed with the agent's TEEP key */
		bool other_recipient; /* encrypted to a key the TAM does not have */
		bool previous_token;  /* nonce of an earlier Update: a replay */
		tk_err expected;
	} rows[] = {
		{"nonce is not the token", false, true, false, false, false, false, TK_ERR_NONCE},
		{"signed by another key", true, false, false, false, false, false,
		 TK_ERR_SIGNATURE},
		{"encrypted, TAM has no report key", false, false, true, false, false, false,
		 TK_ERR_KEY},
		{"signed with the TEEP key", false, false, false, true, false, false,
		 TK_ERR_SIGNATURE},
		{"encrypted to another TAM", false, false, false, false, true, false,
		 TK_ERR_DECRYPT},
		{"nonce of an earlier Update", false, false, false, false, false, true,
		 TK_ERR_NONCE},
	};

	assert_int_equal(tk_crypto_key_generate(f->b.crypto, TK_CRYPTO_KEY_P256, &stranger, NULL),
			 TK_OK);
	enroll_report_key(f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t report[2048];
		size_t report_len, in_len, out_len = 0;
		struct bench_counts before;
		struct tk_span nonce = tk_span_make(f->token, f->token_len);

		memcpy(previous_token, f->token, f->token_len);
		previous_token_len = f->token_len;
		run_to_update(f);
		before = bench_counts(&f->b);
		f->b.tam.cfg.report_key = rows[i].no_tam_key ? NULL : tam_report;
		f->tam_report = rows[i].other_recipient ? stranger : tam_report;
		if (rows[i].wrong_nonce)
			nonce = tk_span_make(other_nonce, sizeof(other_nonce));
		else if (rows[i].previous_token)
			nonce = tk_span_make(previous_token, previous_token_len);
		else
			nonce = tk_span_make(f->token, f->token_len);
		report_len = make_report(f, rows[i].wrong_key  ? stranger
					    : rows[i].teep_key ? f->b.agent
							       : f->report_key,
					 nonce, TK_OK, true, report, sizeof(report));
		f->tam_report = tam_report;
		in_len = result_message(f, 0, report, report_len);
		bench_expect(rows[i].desc, rows[i].expected,
			     process(&f->b, BENCH_NOW + 2, in_len, &out_len), &f->b.diag);
		assert_int_equal(bench_counts(&f->b).results, before.results);
		assert_int_equal(bench_counts(&f->b).installed, before.installed);
		assert_int_equal(stored(f).count, 0);
		/* A decrypted report that is then rejected is wiped as well. */
		assert_null(memmem(f->b.work, sizeof(f->b.work), "https://tam.example/ta.suit", 27));
	}
	tk_crypto_key_free(stranger);
}

/* A bare SUIT_Report, with no COSE_Sign1 around it, drops the message. */
static void test_unsigned_report_dropped(void **state)
{
	struct fixture *f = *state;
	struct tk_suit_report_builder builder;
	struct tk_suit_report_params params = {
		.digest_alg = TK_SUIT_ALG_SHA256,
		.digest = tk_span_make(manifest_digest, sizeof(manifest_digest)),
	};
	uint8_t report[1024];
	size_t report_len = 0, in_len, out_len = 0;
	tk_err err;

	enroll_report_key(f);
	run_to_update(f);
	params.nonce = tk_span_make(f->token, f->token_len);
	tk_suit_report_init(&builder, NULL, 0);
	assert_int_equal(tk_suit_report_finish(&builder, &params, report, sizeof(report),
					       &report_len, NULL), TK_OK);
	in_len = result_message(f, 0, report, report_len);
	err = process(&f->b, BENCH_NOW + 2, in_len, &out_len);
	assert_int_equal(err, TK_ERR_SCHEMA_TYPE);
	assert_int_equal(bench_counts(&f->b).results, 0);
	assert_int_equal(stored(f).count, 0);
}

static void test_no_report_key_logged(void **state)
{
	struct fixture *f = *state;
	uint8_t report[2048];
	size_t report_len, in_len, out_len = 0;

	run_to_update(f);
	report_len = make_report(f, f->report_key, tk_span_make(f->token, f->token_len), TK_OK,
				 true, report, sizeof(report));
	in_len = result_message(f, 0, report, report_len);
	bench_expect("Success", TK_OK, process(&f->b, BENCH_NOW + 2, in_len, &out_len),
		     &f->b.diag);
	assert_int_equal(stored(f).count, 0);
	assert_int_equal(bench_counts(&f->b).results, 1);
	assert_non_null(strstr(f->b.last_notice, "no report key is enrolled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success_report_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_report_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_reports_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_report_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_report_key_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_report_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_report_nonce_dropped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
