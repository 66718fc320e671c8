/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of attestation in the TAM state machine, with a fake agent and a
 * fake verifier in process: the enrolled-key mode, the background-check
 * model (the verifier's tier decides, the result is handed back in the
 * Update), the passport model (a result the agent presents, matched to a
 * challenge by its nonce), the device-group policy on warnings, the
 * refusal Update with err-code 7 (also when the verifier refuses the
 * evidence), and an agent's Error 7 asking for the TAM's own attestation.
 */
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
#include "store/tk_store_attest.h"
#include "teep/tk_teep_attest.h"

/* Manifest component id [h'TEEP-Device', h'ta'] and a stand-in envelope. */
static const uint8_t ta_id[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				'c', 'e', 0x42, 't', 'a'};
static const uint8_t ta_envelope[] = {0xa2, 0x02, 0x41, 0x00, 0x03, 0x41, 0x01};

/* Bytes the fake verifier returns as its signed result. */
static const uint8_t fake_ear[] = {0xd2, 0x84, 0x43, 0xa1, 0x01, 0x28, 0xa0, 0x41,
				   0x00, 0x41, 0x01};

static uint8_t in[BENCH_MSG_MAX], out_buf[BENCH_MSG_MAX];

/* The fake verifier: returns the configured tier, counts its calls. */
struct fake_verifier {
	struct bench *bench;
	enum tk_store_tier tier;
	uint8_t nonce[64];       /* verify_result: nonce it reports */
	size_t nonce_len;
	tk_err fail;             /* verify_result: error to return instead */
	tk_err appraise_fail;    /* appraise_evidence: error to return instead */
	bool refuse;             /* appraise_evidence: refused, no UEID, no result */
	unsigned evidence_calls, result_calls;
	uint8_t seen_kid[32];
};

static tk_err fake_appraise(void *ctx, const struct tk_teep_tam_attestation *a,
			    struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct fake_verifier *f = ctx;

	f->evidence_calls++;
	memcpy(f->seen_kid, a->agent_kid.ptr, sizeof(f->seen_kid));
	memset(out, 0, sizeof(*out));
	if (f->appraise_fail != TK_OK)
		return TK_FAIL(diag, f->appraise_fail, "fake verifier cannot be reached");
	if (f->refuse) {
		out->tier = TK_STORE_TIER_NONE;
		snprintf(out->verifier, sizeof(out->verifier), "fake");
		snprintf(out->reason, sizeof(out->reason), "the verifier refused the evidence "
			 "(400): unknown key");
		return TK_OK;
	}
	out->tier = f->tier;
	out->ueid = tk_span_make(f->bench->ueid, sizeof(f->bench->ueid));
	out->result = tk_span_make(fake_ear, sizeof(fake_ear));
	out->media_type = tk_span_make(TK_TEEP_EAR_MEDIA_TYPE, strlen(TK_TEEP_EAR_MEDIA_TYPE));
	snprintf(out->verifier, sizeof(out->verifier), "fake");
	if (f->tier != TK_STORE_TIER_AFFIRMING)
		snprintf(out->reason, sizeof(out->reason), "unrecognized TA \x01 loaded");
	return TK_OK;
}

static tk_err fake_verify_result(void *ctx, const struct tk_teep_tam_attestation *a,
				 struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct fake_verifier *f = ctx;

	f->result_calls++;
	memset(out, 0, sizeof(*out));
	if (f->fail != TK_OK)
		return TK_FAIL(diag, f->fail, "fake verifier rejects the result");
	out->tier = f->tier;
	out->ueid = tk_span_make(f->bench->ueid, sizeof(f->bench->ueid));
	out->nonce = tk_span_make(f->nonce, f->nonce_len);
	out->result = a->payload;
	out->media_type = a->format;
	snprintf(out->verifier, sizeof(out->verifier), "fake");
	return TK_OK;
}

struct fixture {
	struct bench b;
	struct fake_verifier fv;
	struct tk_teep_tam_verifier_ops ops;
};

static int setup_enrolled(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bench_setup(&f->b, TK_CRYPTO_KEY_P256);
	f->fv.bench = &f->b;
	*state = f;
	return 0;
}

static int setup_verifier(void **state)
{
	struct fixture *f;
	struct tk_teep_tam_config cfg;

	setup_enrolled(state);
	f = *state;
	f->ops = (struct tk_teep_tam_verifier_ops){
		.appraise_evidence = fake_appraise, .verify_result = fake_verify_result,
		.ctx = &f->fv,
	};
	f->fv.tier = TK_STORE_TIER_AFFIRMING;
	cfg = f->b.tam.cfg;
	cfg.verifier = &f->ops;
	bench_expect("tam init", TK_OK, tk_teep_tam_init(&f->b.tam, &cfg, &f->b.diag),
		     &f->b.diag);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bench_teardown(&f->b);
	free(f);
	return 0;
}

static tk_err process(struct bench *b, size_t in_len, size_t *out_len)
{
	tk_diag_clear(&b->diag);
	return tk_teep_tam_process(&b->tam, BENCH_NOW, in, in_len, out_buf, sizeof(out_buf), out_len,
				   &b->diag);
}

/* Open a session and send a QueryResponse with evidence; returns the response length. */
static size_t query(struct fixture *f, tk_err expected, bool installed)
{
	struct tk_span ta = tk_span_make(ta_id, sizeof(ta_id));
	uint8_t challenge[64];
	size_t challenge_len = 0, in_len, out_len = 0;

	bench_connect(&f->b, BENCH_NOW, challenge, &challenge_len, out_buf, sizeof(out_buf));
	in_len = fake_query_response(&f->b, &(struct fake_query_response){
		.signer = f->b.agent, .attester = f->b.agent,
		.nonce = tk_span_make(challenge, challenge_len),
		.installed = &ta, .installed_count = installed ? 1 : 0,
	}, in, sizeof(in));
	bench_expect("QueryResponse", expected, process(&f->b, in_len, &out_len), &f->b.diag);
	return out_len;
}

/* Latest attestation row of the bench device. */
struct latest {
	size_t n;
	struct tk_store_attestation a;
	char group[80], reason[160], verifier[80];
	size_t result_len;
};

static tk_err keep_first(void *cb_ctx, const struct tk_store_attestation *a)
{
	struct latest *l = cb_ctx;

	if (l->n++ > 0)
		return TK_OK;
	l->a = *a;
	snprintf(l->group, sizeof(l->group), "%.*s", (int)a->group.len,
		 (const char *)a->group.ptr);
	snprintf(l->reason, sizeof(l->reason), "%.*s", (int)a->reason.len,
		 (const char *)a->reason.ptr);
	snprintf(l->verifier, sizeof(l->verifier), "%.*s", (int)a->verifier.len,
		 (const char *)a->verifier.ptr);
	l->result_len = a->result.len;
	return TK_OK;
}

static struct latest latest(struct bench *b)
{
	struct latest l = {0};

	bench_expect("attestation_each", TK_OK,
		     tk_store_attestation_each(&b->store, tk_span_make(b->ueid, sizeof(b->ueid)),
					       0, keep_first, &l, &b->diag), &b->diag);
	return l;
}

static void test_enrolled_key_affirms(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	size_t len;

	bench_require_all(&f->b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	len = query(f, TK_OK, false);
	assert_true(len > 0);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);
	assert_false(msg.update.has_err_code);
	assert_false(msg.update.has_attestation_payload);

	struct latest l = latest(&f->b);

	assert_int_equal(l.n, 1);
	assert_int_equal(l.a.model, TK_STORE_MODEL_ENROLLED_KEY);
	assert_int_equal(l.a.tier, TK_STORE_TIER_AFFIRMING);
	assert_int_equal(l.a.decision, TK_STORE_DECISION_PROCEED);
	assert_string_equal(l.group, "default");
	assert_string_equal(l.verifier, "enrolled-key");
	assert_int_equal(l.result_len, 0);
}

static void test_enrolled_key_rejects_passport(void **state)
{
	struct fixture *f = *state;
	struct bench_counts before;
	uint8_t challenge[64];
	size_t challenge_len = 0, in_len, out_len = 0;

	bench_connect(&f->b, BENCH_NOW, challenge, &challenge_len, out_buf, sizeof(out_buf));
	before = bench_counts(&f->b);
	in_len = fake_query_response(&f->b, &(struct fake_query_response){
		.signer = f->b.agent,
		.payload = tk_span_make(fake_ear, sizeof(fake_ear)),
		.format = tk_span_make(TK_TEEP_EAR_MEDIA_TYPE, strlen(TK_TEEP_EAR_MEDIA_TYPE)),
	}, in, sizeof(in));
	bench_expect("passport without verifier key", TK_ERR_POLICY,
		     process(&f->b, in_len, &out_len), &f->b.diag);
	assert_int_equal(out_len, 0);
	assert_int_equal(bench_counts(&f->b).sessions, before.sessions);
	assert_int_equal(latest(&f->b).n, 0);
}

static void test_contraindicated_gets_err_code_7(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	size_t len, in_len, out_len = 0;

	bench_require_all(&f->b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	f->fv.tier = TK_STORE_TIER_CONTRAINDICATED;
	len = query(f, TK_OK, true);
	assert_int_equal(f->fv.evidence_calls, 1);
	assert_memory_equal(f->fv.seen_kid, f->b.agent_kid, 32);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 0);
	assert_true(msg.update.has_err_code);
	assert_int_equal(msg.update.err_code, TK_TEEP_ERR_ATTESTATION_REQUIRED);
	assert_int_equal(msg.update.err_msg.len,
			 strlen("attestation contraindicated for group default: "
				"unrecognized TA ? loaded"));
	assert_memory_equal(msg.update.err_msg.ptr,
			    "attestation contraindicated for group default: unrecognized TA ? "
			    "loaded", msg.update.err_msg.len);

	/* Refused: the tc-list is not recorded, the appraisal is. */
	assert_int_equal(bench_counts(&f->b).installed, 0);
	struct latest l = latest(&f->b);

	assert_int_equal(l.a.model, TK_STORE_MODEL_BACKGROUND_CHECK);
	assert_int_equal(l.a.tier, TK_STORE_TIER_CONTRAINDICATED);
	assert_int_equal(l.a.decision, TK_STORE_DECISION_REFUSE);
	assert_int_equal(l.result_len, sizeof(fake_ear));

	/* The agent's Success for that Update is recorded as usual. */
	in_len = fake_result(&f->b, f->b.agent, msg.update.token, 0, in, sizeof(in));
	bench_expect("Success", TK_OK, process(&f->b, in_len, &out_len), &f->b.diag);
	assert_int_equal(bench_counts(&f->b).results, 1);
}

static void test_none_gets_err_code_7(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	size_t len;

	f->fv.tier = TK_STORE_TIER_NONE;
	len = query(f, TK_OK, false);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.err_code, TK_TEEP_ERR_ATTESTATION_REQUIRED);
	assert_int_equal(msg.update.manifest_list.count, 0);
}

/*
 * A verifier that refuses the evidence (status none, no UEID) gets an
 * Update with err-code 7 naming its reason, recorded against the UEID the
 * evidence claims; a verifier that gives no answer gets the message
 * dropped, with nothing recorded.
 */
static void test_verifier_refusal(void **state)
{
	static const char msg_text[] = "attestation none for group default: the verifier "
				       "refused the evidence (400): unknown key";
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	struct latest l;
	size_t len;

	f->fv.appraise_fail = TK_ERR_NETWORK;
	assert_int_equal(query(f, TK_ERR_NETWORK, false), 0);
	assert_int_equal(latest(&f->b).n, 0);

	f->fv.appraise_fail = TK_OK;
	f->fv.refuse = true;
	len = query(f, TK_OK, true);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_true(msg.update.has_err_code);
	assert_int_equal(msg.update.err_code, TK_TEEP_ERR_ATTESTATION_REQUIRED);
	assert_int_equal(msg.update.manifest_list.count, 0);
	assert_int_equal(msg.update.attestation_payload.len, 0);
	assert_int_equal(msg.update.err_msg.len, strlen(msg_text));
	assert_memory_equal(msg.update.err_msg.ptr, msg_text, strlen(msg_text));
	assert_int_equal(bench_counts(&f->b).installed, 0);
	l = latest(&f->b);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.a.tier, TK_STORE_TIER_NONE);
	assert_int_equal(l.a.decision, TK_STORE_DECISION_REFUSE);
	assert_string_equal(l.reason, "the verifier refused the evidence (400): unknown key");
	assert_string_equal(l.verifier, "fake");
}

static void test_warning_follows_group_policy(void **state)
{
	struct fixture *f = *state;
	struct tk_span ueid = tk_span_make(f->b.ueid, sizeof(f->b.ueid));
	struct tk_teep_msg msg;
	size_t len;

	bench_require_all(&f->b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	f->fv.tier = TK_STORE_TIER_WARNING;

	/* Group "default" has no policy, so warnings are rejected. */
	len = query(f, TK_OK, false);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.err_code, TK_TEEP_ERR_ATTESTATION_REQUIRED);

	/* In a group that accepts warnings the manifests and the result go out. */
	bench_expect("set group", TK_OK,
		     tk_store_device_group_set(&f->b.store, ueid, "lab", BENCH_NOW, &f->b.diag),
		     &f->b.diag);
	bench_expect("set policy", TK_OK,
		     tk_store_group_policy_set(&f->b.store, "lab", true, BENCH_NOW, &f->b.diag),
		     &f->b.diag);
	len = query(f, TK_OK, false);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_false(msg.update.has_err_code);
	assert_int_equal(msg.update.manifest_list.count, 1);
	assert_true(msg.update.has_attestation_payload);
	assert_memory_equal(msg.update.attestation_payload.ptr, fake_ear, sizeof(fake_ear));

	struct latest l = latest(&f->b);

	assert_int_equal(l.n, 2);
	assert_string_equal(l.group, "lab");
	assert_int_equal(l.a.decision, TK_STORE_DECISION_PROCEED);
}

static void test_result_handed_back_alone(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	size_t len;

	/* Nothing is required, but the result still goes back in an Update. */
	len = query(f, TK_OK, false);
	assert_true(len > 0);
	bench_open_update(&f->b, out_buf, len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 0);
	assert_false(msg.update.has_err_code);
	assert_true(msg.update.has_attestation_payload_format);
	assert_int_equal(msg.update.attestation_payload_format.len,
			 strlen(TK_TEEP_EAR_MEDIA_TYPE));
	assert_int_equal(msg.update.attestation_payload.len, sizeof(fake_ear));
}

/* Send a passport QueryResponse whose result reports nonce[0..nonce_len). */
static tk_err passport(struct fixture *f, const uint8_t *nonce, size_t nonce_len,
		       size_t *out_len)
{
	size_t in_len;

	memcpy(f->fv.nonce, nonce, nonce_len);
	f->fv.nonce_len = nonce_len;
	in_len = fake_query_response(&f->b, &(struct fake_query_response){
		.signer = f->b.agent,
		.payload = tk_span_make(fake_ear, sizeof(fake_ear)),
		.format = tk_span_make(TK_TEEP_EAR_MEDIA_TYPE, strlen(TK_TEEP_EAR_MEDIA_TYPE)),
	}, in, sizeof(in));
	return process(&f->b, in_len, out_len);
}

static void test_passport_matches_challenge(void **state)
{
	struct fixture *f = *state;
	static const uint8_t never_sent[32] = {0x42};
	struct tk_teep_msg msg;
	uint8_t challenge[64];
	size_t challenge_len = 0, out_len = 0;

	bench_require_all(&f->b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	bench_connect(&f->b, BENCH_NOW, challenge, &challenge_len, out_buf, sizeof(out_buf));

	bench_expect("nonce never sent", TK_ERR_NONCE,
		     passport(f, never_sent, sizeof(never_sent), &out_len), &f->b.diag);
	assert_int_equal(latest(&f->b).n, 0);

	bench_expect("fresh", TK_OK, passport(f, challenge, challenge_len, &out_len),
		     &f->b.diag);
	assert_int_equal(f->fv.evidence_calls, 0);
	bench_open_update(&f->b, out_buf, out_len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);
	/* The agent has its result already, so none is handed back. */
	assert_false(msg.update.has_attestation_payload);
	assert_int_equal(latest(&f->b).a.model, TK_STORE_MODEL_PASSPORT);
	assert_int_equal(latest(&f->b).result_len, sizeof(fake_ear));

	bench_expect("replayed", TK_ERR_REPLAY, passport(f, challenge, challenge_len, &out_len),
		     &f->b.diag);
	assert_int_equal(latest(&f->b).n, 1);
}

static void test_passport_rejected_result_dropped(void **state)
{
	struct fixture *f = *state;
	uint8_t challenge[64];
	size_t challenge_len = 0, out_len = 0;

	bench_connect(&f->b, BENCH_NOW, challenge, &challenge_len, out_buf, sizeof(out_buf));
	f->fv.fail = TK_ERR_UNTRUSTED;
	bench_expect("untrusted", TK_ERR_UNTRUSTED,
		     passport(f, challenge, challenge_len, &out_len), &f->b.diag);
	assert_int_equal(out_len, 0);
	assert_int_equal(latest(&f->b).n, 0);

	/* The challenge stays usable after the drop. */
	f->fv.fail = TK_OK;
	bench_expect("then valid", TK_OK, passport(f, challenge, challenge_len, &out_len),
		     &f->b.diag);
}

static void test_agent_asks_tam_attestation(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_ERROR};
	struct tk_cose_signer s = {
		.key = f->b.agent, .alg = TK_COSE_ALG_ESP256, .kid_thumbprint = true,
	};
	struct tk_cose_sign_opts opts = {.tagged = true};
	uint8_t payload[256];
	size_t payload_len = 0, in_len = 0, out_len = 0;

	msg.error.err_code = TK_TEEP_ERR_ATTESTATION_REQUIRED;
	bench_expect("encode", TK_OK, tk_teep_encode(&msg, payload, sizeof(payload),
						     &payload_len, &f->b.diag), &f->b.diag);
	bench_expect("sign", TK_OK,
		     tk_cose_sign1_create(f->b.crypto, &s, payload, payload_len, &opts, in,
					  sizeof(in), &in_len, &f->b.diag), &f->b.diag);
	bench_expect("Error 7", TK_OK, process(&f->b, in_len, &out_len), &f->b.diag);
	assert_int_equal(out_len, 0);
	assert_non_null(strstr(f->b.last_notice, "requires attestation of the TAM"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enrolled_key_affirms, setup_enrolled,
						teardown),
		cmocka_unit_test_setup_teardown(test_enrolled_key_rejects_passport,
						setup_enrolled, teardown),
		cmocka_unit_test_setup_teardown(test_contraindicated_gets_err_code_7,
						setup_verifier, teardown),
		cmocka_unit_test_setup_teardown(test_none_gets_err_code_7, setup_verifier,
						teardown),
		cmocka_unit_test_setup_teardown(test_verifier_refusal, setup_verifier, teardown),
		cmocka_unit_test_setup_teardown(test_warning_follows_group_policy,
						setup_verifier, teardown),
		cmocka_unit_test_setup_teardown(test_result_handed_back_alone, setup_verifier,
						teardown),
		cmocka_unit_test_setup_teardown(test_passport_matches_challenge, setup_verifier,
						teardown),
		cmocka_unit_test_setup_teardown(test_passport_rejected_result_dropped,
						setup_verifier, teardown),
		cmocka_unit_test_setup_teardown(test_agent_asks_tam_attestation, setup_enrolled,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
