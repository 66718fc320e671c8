/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TAM state machine with a fake agent in process. They cover
 * the QueryRequest, an Update for what the policy requires, and recording
 * Success and Error. They also cover the drops (replay, unknown kid, wrong
 * nonce, expiry, missing evidence, tokens never sent), each of which must
 * leave every table's row count unchanged.
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

/* Manifest component id [h'TEEP-Device', h'ta'] and a stand-in envelope. */
static const uint8_t ta_id[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				'c', 'e', 0x42, 't', 'a'};
static const uint8_t ta_envelope[] = {0xa2, 0x02, 0x41, 0x00, 0x03, 0x41, 0x01};
/* A second registered but not required TA, requested by the agent. */
static const uint8_t other_id[] = {0x81, 0x45, 'o', 't', 'h', 'e', 'r'};
static const uint8_t other_envelope[] = {0xa2, 0x02, 0x41, 0x02, 0x03, 0x41, 0x03};

/*
 * Manifest component id [h'TEEP-Device', h'suit'] of a manifest that
 * installs the component ta_id, as in the TEEP draft's examples where the
 * two ids differ.
 */
static const uint8_t suit_id[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				  'c', 'e', 0x44, 's', 'u', 'i', 't'};

static uint8_t in[BENCH_MSG_MAX], out[BENCH_MSG_MAX];

static int setup_p256(void **state)
{
	struct bench *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	bench_setup(b, TK_CRYPTO_KEY_P256);
	*state = b;
	return 0;
}

static int setup_ed25519(void **state)
{
	struct bench *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	bench_setup(b, TK_CRYPTO_KEY_ED25519);
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bench *b = *state;

	bench_teardown(b);
	free(b);
	return 0;
}

static void assert_counts_equal(const struct bench_counts *a, const struct bench_counts *b)
{
	assert_int_equal(a->devices, b->devices);
	assert_int_equal(a->agent_keys, b->agent_keys);
	assert_int_equal(a->manifests, b->manifests);
	assert_int_equal(a->policies, b->policies);
	assert_int_equal(a->installed, b->installed);
	assert_int_equal(a->sessions, b->sessions);
	assert_int_equal(a->update_manifests, b->update_manifests);
	assert_int_equal(a->results, b->results);
	assert_int_equal(a->audit, b->audit);
}

static tk_err process(struct bench *b, int64_t now, size_t in_len, size_t *out_len)
{
	tk_diag_clear(&b->diag);
	return tk_teep_tam_process(&b->tam, now, in, in_len, out, sizeof(out), out_len,
				   &b->diag);
}

static void test_query_request_signed_twice(void **state)
{
	struct bench *b = *state;
	struct tk_cose_trusted_key ed = {.key = b->tam_ed25519};
	struct tk_cose_verify_opts opts = {.keys = &ed, .n_keys = 1};
	struct tk_teep_cipher_suite suite;
	struct tk_cose_verified v;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	uint8_t challenge[512];
	size_t challenge_len = 0, len;

	len = bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	bench_expect("verify with Ed25519", TK_OK,
		     tk_cose_sign_verify(b->crypto, out, len, &opts, &v, &b->diag), &b->diag);
	assert_int_equal(v.signer.alg, TK_COSE_ALG_ED25519);
	bench_expect("decode", TK_OK, tk_teep_decode(v.payload.ptr, v.payload.len, &msg,
						     &b->diag), &b->diag);

	assert_int_equal(challenge_len, TK_TEEP_TAM_NONCE_LEN);
	assert_int_equal(msg.query_request.token.len, 0);
	assert_int_equal(msg.query_request.data_item_requested,
			 TK_TEEP_DATA_ATTESTATION | TK_TEEP_DATA_TRUSTED_COMPONENTS |
				 TK_TEEP_DATA_SUIT_REPORTS);
	assert_int_equal(msg.query_request.supported_teep_cipher_suites.count, 2);
	bench_expect("suites", TK_OK,
		     tk_teep_iter_init(&it, msg.query_request.supported_teep_cipher_suites.raw,
				       &b->diag), &b->diag);
	bench_expect("suite 1", TK_OK, tk_teep_iter_next_suite(&it, &suite), NULL);
	assert_int_equal(suite.cose_type, TK_TEEP_COSE_SIGN1);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ESP256);
	bench_expect("suite 2", TK_OK, tk_teep_iter_next_suite(&it, &suite), NULL);
	assert_int_equal(suite.alg, TK_TEEP_ALG_ED25519);

	assert_int_equal(bench_counts(b).sessions, 1);

	/* A second session gets another challenge. */
	uint8_t second[512];
	size_t second_len = 0;

	bench_connect(b, BENCH_NOW, second, &second_len, out, sizeof(out));
	assert_int_equal(second_len, challenge_len);
	assert_memory_not_equal(second, challenge, challenge_len);
	assert_int_equal(bench_counts(b).sessions, 2);
}

/* Run one QueryResponse for the required TA and return the Update's token. */
static size_t run_to_update(struct bench *b, enum tk_crypto_key_type tam_key,
			    uint8_t *token)
{
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_span envelope;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};

	bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));

	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW + 1, in_len, &out_len),
		     &b->diag);
	assert_true(out_len > 0);
	bench_open_update(b, out, out_len, tam_key, &msg);
	assert_int_equal(msg.update.token.len, TK_TEEP_TAM_NONCE_LEN);
	assert_int_equal(msg.update.manifest_list.count, 1);
	bench_expect("manifest list", TK_OK,
		     tk_teep_iter_init(&it, msg.update.manifest_list.raw, &b->diag), &b->diag);
	bench_expect("envelope", TK_OK, tk_teep_iter_next_bstr(&it, &envelope), NULL);
	assert_int_equal(envelope.len, sizeof(ta_envelope));
	assert_memory_equal(envelope.ptr, ta_envelope, sizeof(ta_envelope));

	memcpy(token, msg.update.token.ptr, msg.update.token.len);
	return msg.update.token.len;
}

/* Keep the fields of the one installed record (digest as a flag: view ends). */
static tk_err copy_installed(void *cb_ctx, const struct tk_store_installed *item)
{
	struct tk_store_installed *seen = cb_ctx;

	assert_memory_equal(item->digest.ptr, bench_image_digest, sizeof(bench_image_digest));
	*seen = *item;
	seen->component_id = TK_SPAN_EMPTY;
	seen->digest = tk_span_make(bench_image_digest, item->digest.len);
	return TK_OK;
}

static void test_update_then_success(void **state)
{
	struct bench *b = *state;
	uint8_t token[64];
	size_t token_len = run_to_update(b, TK_CRYPTO_KEY_P256, token), in_len, out_len = 0;
	struct bench_counts after_update = bench_counts(b), after_success;

	assert_int_equal(after_update.devices, 1);
	assert_int_equal(after_update.installed, 0);
	assert_int_equal(after_update.sessions, 2);
	assert_int_equal(after_update.update_manifests, 1);

	in_len = fake_result(b, b->agent, tk_span_make(token, token_len), 0, in, sizeof(in));
	bench_expect("Success", TK_OK, process(b, BENCH_NOW + 2, in_len, &out_len), &b->diag);
	assert_int_equal(out_len, 0);
	after_success = bench_counts(b);
	assert_int_equal(after_success.results, 1);
	/* Success records the Update's manifest as installed on the device,
	 * with the image digest registered with the manifest. */
	assert_int_equal(after_success.installed, 1);
	struct tk_store_installed seen = {0};

	bench_expect("installed", TK_OK,
		     tk_store_installed_each(&b->store, tk_span_make(b->ueid, sizeof(b->ueid)),
					     copy_installed, &seen, &b->diag), &b->diag);
	assert_true(seen.has_sequence);
	assert_int_equal(seen.sequence, 1);
	assert_int_equal(seen.digest.len, sizeof(bench_image_digest));

	/* The same Success again is a replay: dropped, nothing recorded. */
	bench_expect("replayed Success", TK_ERR_REPLAY,
		     process(b, BENCH_NOW + 3, in_len, &out_len), &b->diag);
	assert_int_equal(out_len, 0);
	struct bench_counts now = bench_counts(b);
	assert_counts_equal(&after_success, &now);
	assert_non_null(strstr(b->last_notice, "dropped Success"));
	assert_non_null(strstr(b->last_notice, " (token "));
	assert_int_equal(b->last_level, TK_LOG_NOTICE);
}

static void test_update_signed_with_agent_suite(void **state)
{
	struct bench *b = *state;
	uint8_t token[64];
	size_t token_len = run_to_update(b, TK_CRYPTO_KEY_ED25519, token), in_len, out_len = 0;

	in_len = fake_result(b, b->agent, tk_span_make(token, token_len), 17, in, sizeof(in));
	bench_expect("Error", TK_OK, process(b, BENCH_NOW + 2, in_len, &out_len), &b->diag);
	assert_int_equal(bench_counts(b).results, 1);
	/* The peer's err-msg had a newline; the log line must not. */
	assert_null(strchr(b->last_notice, '\n'));
	assert_non_null(strstr(b->last_notice, "Error 17"));
}

static void test_other_image_sent(void **state)
{
	struct bench *b = *state;
	const struct tk_span installed[] = {tk_span_make(ta_id, sizeof(ta_id))};
	struct fake_query_response q = {
		.signer = b->agent, .attester = b->agent, .installed = installed,
		.installed_count = 1, .other_image = true,
	};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;

	/* The device lists the component with another image: another version. */
	bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	assert_true(out_len > 0);
	assert_int_equal(bench_counts(b).sessions, 2);
}

static void test_nothing_to_send(void **state)
{
	struct bench *b = *state;
	const struct tk_span installed[] = {tk_span_make(ta_id, sizeof(ta_id))};
	struct fake_query_response q = {
		.signer = b->agent, .attester = b->agent, .installed = installed,
		.installed_count = 1,
	};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 1;

	bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	assert_int_equal(out_len, 0);
	assert_int_equal(bench_counts(b).installed, 1);
	assert_int_equal(bench_counts(b).devices, 1);
	assert_int_equal(bench_counts(b).sessions, 1);
}

static void test_requested_ta_sent(void **state)
{
	struct bench *b = *state;
	const struct tk_span requested[] = {
		tk_span_make(other_id, sizeof(other_id)),
		tk_span_make("\x81\x41z", 3), /* not registered: ignored */
	};
	/* The device lists the TA too: an explicit request still gets it. */
	const struct tk_span installed[] = {tk_span_make(other_id, sizeof(other_id))};
	struct tk_store_manifest m = {
		.component_id = tk_span_make(other_id, sizeof(other_id)), .sequence = 3,
		.digest = tk_span_make(ta_envelope, sizeof(ta_envelope)),
		.envelope = tk_span_make(other_envelope, sizeof(other_envelope)),
	};
	struct fake_query_response q = {
		.signer = b->agent, .attester = b->agent, .requested = requested,
		.requested_count = 2, .installed = installed, .installed_count = 1,
	};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct tk_teep_msg msg;

	bench_expect("add", TK_OK, tk_store_manifest_add(&b->store, &m, 1, &b->diag), &b->diag);
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);
}

/*
 * Register the manifest suit_id, which installs ta_id, with the image digest
 * bench_require_all() uses. With `required` it is required on all devices.
 */
static void register_suit_manifest(struct bench *b, bool required)
{
	const struct tk_span components[] = {tk_span_make(ta_id, sizeof(ta_id))};
	struct tk_store_manifest m = {
		.component_id = tk_span_make(suit_id, sizeof(suit_id)), .sequence = 1,
		.digest = tk_span_make(bench_image_digest, sizeof(bench_image_digest)),
		.image_digest = tk_span_make(bench_image_digest, sizeof(bench_image_digest)),
		.envelope = tk_span_make(ta_envelope, sizeof(ta_envelope)),
	};

	if (required)
		bench_require_all(b, m.component_id, m.envelope);
	else
		bench_expect("add", TK_OK, tk_store_manifest_add(&b->store, &m, 1, &b->diag),
			     &b->diag);
	bench_expect("components", TK_OK,
		     tk_store_manifest_components_add(&b->store,
						      tk_span_make(suit_id, sizeof(suit_id)), 1,
						      components, 1, &b->diag), &b->diag);
}

static void test_component_of_manifest_reported(void **state)
{
	static const struct {
		const char *what;
		bool other_image;
		bool update_expected;
	} cases[] = {
		{"component with the manifest's image", false, false},
		{"component with another image", true, true},
	};
	struct bench *b = *state;
	const struct tk_span installed[] = {tk_span_make(ta_id, sizeof(ta_id))};

	register_suit_manifest(b, true);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_query_response q = {
			.signer = b->agent, .attester = b->agent, .installed = installed,
			.installed_count = 1, .other_image = cases[i].other_image,
		};
		uint8_t challenge[512];
		size_t challenge_len = 0, in_len, out_len = 0;
		struct tk_teep_msg msg;

		bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
		q.nonce = tk_span_make(challenge, challenge_len);
		in_len = fake_query_response(b, &q, in, sizeof(in));
		bench_expect(cases[i].what, TK_OK, process(b, BENCH_NOW, in_len, &out_len),
			     &b->diag);
		if (!cases[i].update_expected) {
			if (out_len != 0)
				fail_msg("%s: expected no Update, got %zu bytes", cases[i].what,
					 out_len);
			continue;
		}
		if (out_len == 0)
			fail_msg("%s: expected an Update, got none", cases[i].what);
		bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
		assert_int_equal(msg.update.manifest_list.count, 1);
	}
}

/* Require suit_id on the bench device, then remove that policy as teep-tam
 * unrequire does. */
static void require_then_unrequire(struct bench *b)
{
	struct tk_span id = tk_span_make(suit_id, sizeof(suit_id));
	struct tk_span ueid = tk_span_make(b->ueid, sizeof(b->ueid));

	register_suit_manifest(b, false);
	bench_expect("require", TK_OK, tk_store_policy_add(&b->store, id, ueid, 1, &b->diag),
		     &b->diag);
	bench_expect("unrequire", TK_OK, tk_store_policy_remove(&b->store, id, ueid, &b->diag),
		     &b->diag);
	bench_expect("record", TK_OK, tk_store_unrequired_add(&b->store, id, ueid, 2, &b->diag),
		     &b->diag);
}

/*
 * Send a QueryResponse listing installed[0..n) and requested[0..r); return
 * the Update's length, 0 when the TAM sent none.
 */
static size_t query_with(struct bench *b, const struct tk_span *installed, size_t n,
			 const struct tk_span *requested, size_t r)
{
	struct fake_query_response q = {
		.signer = b->agent, .attester = b->agent, .installed = installed,
		.installed_count = n, .requested = requested, .requested_count = r,
	};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;

	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW + 1, in_len, &out_len),
		     &b->diag);
	return out_len;
}

static void test_unrequired_manifest_unneeded(void **state)
{
	struct bench *b = *state;
	/* other_id is registered but was never required: another TAM's or the
	 * device's own business, so it is never listed. */
	const struct tk_span installed[] = {tk_span_make(ta_id, sizeof(ta_id)),
					    tk_span_make(other_id, sizeof(other_id))};
	struct tk_store_manifest other = {
		.component_id = tk_span_make(other_id, sizeof(other_id)), .sequence = 1,
		.digest = tk_span_make(ta_envelope, sizeof(ta_envelope)),
		.envelope = tk_span_make(other_envelope, sizeof(other_envelope)),
	};
	uint8_t token[TK_TEEP_TAM_NONCE_LEN];
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_span id;
	size_t out_len, in_len;

	bench_expect("add other", TK_OK, tk_store_manifest_add(&b->store, &other, 1, &b->diag),
		     &b->diag);
	require_then_unrequire(b);
	out_len = query_with(b, installed, 2, NULL, 0);
	assert_true(out_len > 0);
	bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);

	/* draft-ietf-teep-protocol: unneeded-manifest-list names the manifest
	 * component id (suit_id), not the component id the device reported. */
	assert_int_equal(msg.update.manifest_list.count, 0);
	assert_int_equal(msg.update.unneeded_manifest_list.count, 1);
	bench_expect("unneeded list", TK_OK,
		     tk_teep_iter_init(&it, msg.update.unneeded_manifest_list.raw, &b->diag),
		     &b->diag);
	bench_expect("unneeded id", TK_OK, tk_teep_iter_next_item(&it, &id), NULL);
	assert_int_equal(id.len, sizeof(suit_id));
	assert_memory_equal(id.ptr, suit_id, sizeof(suit_id));
	assert_false(tk_teep_iter_more(&it));
	assert_int_equal(bench_counts(b).update_manifests, 0);

	/* The removal is logged with the UEID, the kid and the manifest id. */
	assert_non_null(strstr(b->last_notice, "lists manifest 824b544545502d446576696365447375"
					       "6974 as unneeded"));
	assert_non_null(strstr(b->last_notice, "ueid "));
	assert_non_null(strstr(b->last_notice, "kid "));

	/* The agent's Success is recorded like any other. */
	memcpy(token, msg.update.token.ptr, sizeof(token));
	in_len = fake_result(b, b->agent, tk_span_make(token, sizeof(token)), 0, in, sizeof(in));
	bench_expect("Success", TK_OK, process(b, BENCH_NOW + 2, in_len, &out_len), &b->diag);
	assert_int_equal(bench_counts(b).results, 1);
}

static void test_unrequired_manifest_kept(void **state)
{
	static const struct {
		const char *what;
		bool installed;  /* the device reports ta_id */
		bool requested;  /* the device requests ta_id */
		bool required;   /* a policy for all devices requires suit_id again */
		size_t manifests; /* expected manifest-list count, SIZE_MAX: no Update */
	} cases[] = {
		{"component not reported", false, false, false, SIZE_MAX},
		{"required again for all devices", true, false, true, SIZE_MAX},
		{"requested by the device", true, true, false, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench *b = *state;
		const struct tk_span ids[] = {tk_span_make(ta_id, sizeof(ta_id))};
		struct tk_teep_msg msg;
		size_t out_len;

		/* Each case starts on a fresh bench. */
		if (i > 0) {
			bench_teardown(b);
			memset(b, 0, sizeof(*b));
			bench_setup(b, TK_CRYPTO_KEY_P256);
		}
		require_then_unrequire(b);
		if (cases[i].required)
			bench_expect("require all", TK_OK,
				     tk_store_policy_add(&b->store,
							 tk_span_make(suit_id, sizeof(suit_id)),
							 TK_SPAN_EMPTY, 3, &b->diag), &b->diag);
		out_len = query_with(b, cases[i].installed ? ids : NULL,
				     cases[i].installed ? 1 : 0, cases[i].requested ? ids : NULL,
				     cases[i].requested ? 1 : 0);
		if (cases[i].manifests == SIZE_MAX) {
			if (out_len != 0)
				fail_msg("%s: expected no Update, got %zu bytes", cases[i].what,
					 out_len);
			continue;
		}
		if (out_len == 0)
			fail_msg("%s: expected an Update, got none", cases[i].what);
		bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
		assert_int_equal(msg.update.manifest_list.count, cases[i].manifests);
		assert_int_equal(msg.update.unneeded_manifest_list.count, 0);
	}
}

/* Component ids of the installed records. */
struct installed_ids {
	uint8_t id[64];
	size_t id_len; /* of the last record */
	size_t count;
};

static tk_err copy_installed_id(void *cb_ctx, const struct tk_store_installed *item)
{
	struct installed_ids *seen = cb_ctx;

	assert_true(item->component_id.len <= sizeof(seen->id));
	memcpy(seen->id, item->component_id.ptr, item->component_id.len);
	seen->id_len = item->component_id.len;
	seen->count++;
	return TK_OK;
}

static void test_requested_component_served(void **state)
{
	struct bench *b = *state;
	const struct tk_span requested[] = {tk_span_make(ta_id, sizeof(ta_id))};
	const struct tk_span installed[] = {tk_span_make(ta_id, sizeof(ta_id))};
	struct fake_query_response q = {
		.signer = b->agent, .attester = b->agent, .requested = requested,
		.requested_count = 1, .installed = installed, .installed_count = 1,
	};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_span envelope;
	struct installed_ids seen = {0};
	uint8_t token[64];

	/* No policy requires the manifest, so only the request can bring it. */
	register_suit_manifest(b, false);
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	assert_true(out_len > 0);
	bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);
	bench_expect("manifest list", TK_OK,
		     tk_teep_iter_init(&it, msg.update.manifest_list.raw, &b->diag), &b->diag);
	bench_expect("envelope", TK_OK, tk_teep_iter_next_bstr(&it, &envelope), NULL);
	assert_int_equal(envelope.len, sizeof(ta_envelope));
	assert_memory_equal(envelope.ptr, ta_envelope, sizeof(ta_envelope));
	assert_int_equal(bench_counts(b).update_manifests, 1);

	/* Success records the component the manifest installs, not the
	 * manifest component id. */
	memcpy(token, msg.update.token.ptr, msg.update.token.len);
	in_len = fake_result(b, b->agent, tk_span_make(token, msg.update.token.len), 0, in,
			     sizeof(in));
	bench_expect("Success", TK_OK, process(b, BENCH_NOW + 1, in_len, &out_len), &b->diag);
	bench_expect("installed", TK_OK,
		     tk_store_installed_each(&b->store, tk_span_make(b->ueid, sizeof(b->ueid)),
					     copy_installed_id, &seen, &b->diag), &b->diag);
	assert_int_equal(seen.count, 1);
	assert_int_equal(seen.id_len, sizeof(ta_id));
	assert_memory_equal(seen.id, ta_id, sizeof(ta_id));
}

static void test_update_fits_response(void **state)
{
	static const struct {
		uint8_t id[3];
		size_t envelope_len;
	} manifests[] = {
		{{0x81, 0x41, 'a'}, 40000},
		{{0x81, 0x41, 'b'}, 40000},
		{{0x81, 0x41, 'c'}, BENCH_MSG_MAX + 1}, /* can never fit a response */
	};
	static uint8_t envelope[BENCH_MSG_MAX + 1];
	struct bench *b = *state;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_span sent;

	/* Each stand-in envelope is one CBOR byte string of the given size. */
	for (size_t i = 0; i < sizeof(manifests) / sizeof(manifests[0]); i++) {
		size_t content = manifests[i].envelope_len - 5;

		envelope[0] = 0x5a;
		envelope[1] = (uint8_t)(content >> 24);
		envelope[2] = (uint8_t)(content >> 16);
		envelope[3] = (uint8_t)(content >> 8);
		envelope[4] = (uint8_t)content;
		bench_require_all(b, tk_span_make(manifests[i].id, sizeof(manifests[i].id)),
				  tk_span_make(envelope, manifests[i].envelope_len));
	}
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));

	/* Only one of the two that fit goes in; the other follows later. */
	bench_expect("QueryResponse", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	bench_open_update(b, out, out_len, TK_CRYPTO_KEY_P256, &msg);
	assert_int_equal(msg.update.manifest_list.count, 1);
	bench_expect("manifest list", TK_OK,
		     tk_teep_iter_init(&it, msg.update.manifest_list.raw, &b->diag), &b->diag);
	bench_expect("manifest", TK_OK, tk_teep_iter_next_bstr(&it, &sent), &b->diag);
	assert_int_equal(sent.len, 40000);
	assert_int_equal(bench_counts(b).update_manifests, 1);
}

/* One rejected QueryResponse: how it differs from a valid one. */
struct rejection {
	const char *what;
	bool stranger_signs;      /* signed by a key never enrolled */
	bool stranger_attests;    /* evidence signed by another key */
	bool wrong_nonce;
	bool omit_evidence;
	bool with_token;
	int64_t delay;            /* seconds after the QueryRequest */
	tk_err expected;
	const char *logged;       /* text the drop's log line contains */
};

static void test_query_response_rejections(void **state)
{
	static const struct rejection cases[] = {
		{"unknown kid", .stranger_signs = true, .expected = TK_ERR_UNTRUSTED,
		 .logged = "is not enrolled"},
		{"evidence by another key", .stranger_attests = true,
		 .expected = TK_ERR_UNTRUSTED, .logged = "dropped QueryResponse"},
		{"wrong nonce in evidence", .wrong_nonce = true, .expected = TK_ERR_NONCE,
		 .logged = "matches no challenge"},
		{"no evidence", .omit_evidence = true, .expected = TK_ERR_SCHEMA_MISSING,
		 .logged = "attestation-payload"},
		{"token never sent", .with_token = true, .expected = TK_ERR_PROTOCOL,
		 .logged = "token"},
		{"late response", .delay = BENCH_LIFETIME, .expected = TK_ERR_EXPIRED,
		 .logged = "expired"},
	};
	struct bench *b = *state;

	bench_require_all(b, tk_span_make(ta_id, sizeof(ta_id)),
			  tk_span_make(ta_envelope, sizeof(ta_envelope)));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rejection *c = &cases[i];
		uint8_t challenge[512], other[32] = {0x77};
		size_t challenge_len = 0, in_len, out_len = 1;
		struct fake_query_response q = {
			.signer = c->stranger_signs ? b->stranger : b->agent,
			.attester = c->stranger_attests ? b->stranger : b->agent,
			.omit_evidence = c->omit_evidence,
			.token = c->with_token ? tk_span_make("token-12345678", 14)
					       : TK_SPAN_EMPTY,
		};
		struct bench_counts before, after;
		tk_err err;

		bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
		q.nonce = c->wrong_nonce ? tk_span_make(other, sizeof(other))
					 : tk_span_make(challenge, challenge_len);
		in_len = fake_query_response(b, &q, in, sizeof(in));
		before = bench_counts(b);
		b->last_notice[0] = '\0';

		err = process(b, BENCH_NOW + c->delay, in_len, &out_len);
		bench_expect(c->what, c->expected, err, &b->diag);
		assert_true(tk_teep_tam_is_drop(err));
		assert_int_equal(out_len, 0);
		after = bench_counts(b);
		assert_counts_equal(&before, &after);
		if (strstr(b->last_notice, c->logged) == NULL)
			fail_msg("%s: log line \"%s\" lacks \"%s\"", c->what, b->last_notice,
				 c->logged);
	}
}

static void test_replayed_query_response(void **state)
{
	struct bench *b = *state;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	uint8_t challenge[512], kid_prefix[16];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct bench_counts before, after;

	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("first", TK_OK, process(b, BENCH_NOW, in_len, &out_len), &b->diag);

	before = bench_counts(b);
	bench_expect("replay", TK_ERR_REPLAY, process(b, BENCH_NOW + 1, in_len, &out_len),
		     &b->diag);
	assert_int_equal(out_len, 0);
	after = bench_counts(b);
	assert_counts_equal(&before, &after);

	/* The drop names the agent by a kid prefix and the challenge prefix. */
	snprintf((char *)kid_prefix, sizeof(kid_prefix), "%02x%02x%02x%02x...",
		 b->agent_kid[0], b->agent_kid[1], b->agent_kid[2], b->agent_kid[3]);
	assert_non_null(strstr(b->last_notice, (const char *)kid_prefix));
	assert_non_null(strstr(b->last_notice, "dropped QueryResponse"));
	assert_non_null(strstr(b->last_notice, " (challenge "));
	assert_int_equal(b->last_level, TK_LOG_NOTICE);
}

static void test_key_bound_to_one_ueid(void **state)
{
	struct bench *b = *state;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct bench_counts before, after;

	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("first device", TK_OK, process(b, BENCH_NOW, in_len, &out_len), &b->diag);

	/* The same key now claims another device. */
	b->ueid[1] ^= 0xff;
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	before = bench_counts(b);
	bench_expect("other UEID", TK_ERR_POLICY, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	after = bench_counts(b);
	assert_counts_equal(&before, &after);
	assert_int_equal(after.devices, 1);
}

static void test_ueid_of_another_key_rejected(void **state)
{
	struct bench *b = *state;
	struct fake_query_response q = {.signer = b->agent, .attester = b->agent};
	uint8_t challenge[512], stranger_kid[32];
	size_t challenge_len = 0, in_len, out_len = 0;
	struct bench_counts before, after;

	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("first key", TK_OK, process(b, BENCH_NOW, in_len, &out_len), &b->diag);

	/* A second enrolled key claims the UEID the first key is bound to. */
	bench_enroll(b, b->stranger, stranger_kid);
	q.signer = b->stranger;
	q.attester = b->stranger;
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	before = bench_counts(b);
	bench_expect("second key, same UEID", TK_ERR_POLICY,
		     process(b, BENCH_NOW, in_len, &out_len), &b->diag);
	assert_int_equal(out_len, 0);
	after = bench_counts(b);
	assert_counts_equal(&before, &after);
}

static void test_rejected_challenge_stays_usable(void **state)
{
	struct bench *b = *state;
	struct fake_query_response q = {.signer = b->agent, .attester = b->stranger};
	uint8_t challenge[512];
	size_t challenge_len = 0, in_len, out_len = 0;

	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	q.nonce = tk_span_make(challenge, challenge_len);
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("bad evidence", TK_ERR_UNTRUSTED, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);

	/* The rollback left the challenge unused, so the valid response is accepted. */
	q.attester = b->agent;
	in_len = fake_query_response(b, &q, in, sizeof(in));
	bench_expect("good evidence", TK_OK, process(b, BENCH_NOW, in_len, &out_len),
		     &b->diag);
	assert_int_equal(bench_counts(b).devices, 1);
}

static void test_result_token_checks(void **state)
{
	static const struct {
		const char *what;
		bool stranger;
		bool unknown_token;
		bool no_token;
		tk_err expected;
	} cases[] = {
		{"unknown token", .unknown_token = true, .expected = TK_ERR_NONCE},
		{"Success without token", .no_token = true, .expected = TK_ERR_PROTOCOL},
		{"unknown kid", .stranger = true, .expected = TK_ERR_UNTRUSTED},
	};
	struct bench *b = *state;
	uint8_t token[64];
	size_t token_len = run_to_update(b, TK_CRYPTO_KEY_P256, token);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_span t = tk_span_make(token, token_len);
		struct bench_counts before = bench_counts(b), after;
		size_t in_len, out_len = 1;

		if (cases[i].unknown_token)
			t = tk_span_make("0123456789abcdef", 16);
		if (cases[i].no_token)
			t = TK_SPAN_EMPTY;
		in_len = fake_result(b, cases[i].stranger ? b->stranger : b->agent, t, 0, in,
				     sizeof(in));
		bench_expect(cases[i].what, cases[i].expected,
			     process(b, BENCH_NOW + 2, in_len, &out_len), &b->diag);
		assert_int_equal(out_len, 0);
		after = bench_counts(b);
		assert_counts_equal(&before, &after);
	}
}

static void test_outstanding_sessions_limited(void **state)
{
	struct bench *b = *state;
	struct tk_teep_tam_config cfg = b->tam.cfg;
	uint8_t challenge[512];
	size_t challenge_len = 0, out_len = 1;

	cfg.max_sessions = 2;
	bench_expect("tam init", TK_OK, tk_teep_tam_init(&b->tam, &cfg, &b->diag), &b->diag);
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	bench_connect(b, BENCH_NOW, challenge, &challenge_len, out, sizeof(out));
	bench_expect("third session", TK_ERR_LIMIT_COUNT, process(b, BENCH_NOW, 0, &out_len),
		     &b->diag);
	assert_int_equal(out_len, 0);
	assert_int_equal(bench_counts(b).sessions, 2);

	/* Once they expire, the old sessions are purged to make room. */
	bench_connect(b, BENCH_NOW + BENCH_LIFETIME + 1, challenge, &challenge_len, out,
		      sizeof(out));
	assert_int_equal(bench_counts(b).sessions, 1);
}

static void test_garbage_dropped(void **state)
{
	static const struct {
		const char *what;
		const uint8_t *bytes;
		size_t len;
	} cases[] = {
		{"truncated CBOR", (const uint8_t *)"\xd2\x84\x43", 3},
		{"not COSE", (const uint8_t *)"\x01", 1},
		{"COSE_Sign1 without kid", (const uint8_t *)"\x84\x40\xa0\x41\x00\x40", 6},
	};
	struct bench *b = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_counts before = bench_counts(b), after;
		size_t out_len = 1;
		tk_err err;

		memcpy(in, cases[i].bytes, cases[i].len);
		err = process(b, BENCH_NOW, cases[i].len, &out_len);
		if (!tk_teep_tam_is_drop(err))
			fail_msg("%s: expected a drop, got %s", cases[i].what, tk_err_name(err));
		assert_int_equal(out_len, 0);
		after = bench_counts(b);
		assert_counts_equal(&before, &after);
	}
}

/* Drops beyond the per-second limit are counted, and the count is logged later. */
static void test_drop_log_rate_limited(void **state)
{
	const size_t burst = TK_LOG_LIMIT_DEFAULT_PER_SECOND + 5;
	struct bench *b = *state;
	size_t out_len = 0, logged;

	in[0] = 0x01;
	b->notice_lines = 0;
	for (size_t i = 0; i < burst; i++) {
		tk_err err = process(b, BENCH_NOW, 1, &out_len);

		if (!tk_teep_tam_is_drop(err))
			fail_msg("message %zu: expected a drop, got %s", i, tk_err_name(err));
	}
	logged = b->notice_lines;
	assert_int_equal(logged, TK_LOG_LIMIT_DEFAULT_PER_SECOND);
	assert_null(strstr(b->last_notice, "suppressed"));

	(void)process(b, BENCH_NOW + 1, 1, &out_len);
	assert_int_equal(b->notice_lines, logged + 1);
	assert_non_null(strstr(b->last_notice, "dropped message from kid unknown: "));
	assert_non_null(strstr(b->last_notice, " (5 similar lines suppressed before it)"));
	assert_int_equal(b->last_level, TK_LOG_NOTICE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_query_request_signed_twice, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_update_then_success, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_update_signed_with_agent_suite,
						setup_ed25519, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_send, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_other_image_sent, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_requested_ta_sent, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_component_of_manifest_reported, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_requested_component_served, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_unrequired_manifest_unneeded, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_unrequired_manifest_kept, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_update_fits_response, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_query_response_rejections, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_replayed_query_response, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_drop_log_rate_limited, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_key_bound_to_one_ueid, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_ueid_of_another_key_rejected, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_rejected_challenge_stays_usable,
						setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_result_token_checks, setup_p256, teardown),
		cmocka_unit_test_setup_teardown(test_outstanding_sessions_limited, setup_p256,
						teardown),
		cmocka_unit_test_setup_teardown(test_garbage_dropped, setup_p256, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
