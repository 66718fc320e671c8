/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of evidence encrypted to the TAM (draft-ietf-teep-protocol, "EATs
 * and SUIT Reports": ES-DH with AES-KW, "EAT Encryption" in the KDF
 * context). The TAM decrypts it with its evidence key before any appraisal;
 * without the key, with another key, or when the payload does not match its
 * format, it drops the QueryResponse, logs why and stores nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "fake_agent.h"
#include "store/tk_store_attest.h"
#include "teep/tk_teep_attest.h"

static uint8_t in[BENCH_MSG_MAX], out_buf[BENCH_MSG_MAX];

/* What the fake verifier was handed. */
struct seen {
	struct bench *bench;
	unsigned calls;
	uint8_t payload[4096];
	size_t payload_len;
	size_t format_len;
};

struct fixture {
	struct bench b;
	struct tk_crypto_key *tam_enc;   /* the TAM's evidence key */
	struct tk_crypto_key *other_enc; /* a key of no TAM here */
	struct seen seen;
	struct tk_teep_tam_verifier_ops ops;
};

static tk_err seen_appraise(void *ctx, const struct tk_teep_tam_attestation *a,
			    struct tk_teep_tam_appraisal *out, struct tk_diag *diag)
{
	struct seen *s = ctx;

	(void)diag;
	s->calls++;
	assert_true(a->payload.len <= sizeof(s->payload));
	memcpy(s->payload, a->payload.ptr, a->payload.len);
	s->payload_len = a->payload.len;
	s->format_len = a->format.len;
	memset(out, 0, sizeof(*out));
	out->tier = TK_STORE_TIER_AFFIRMING;
	out->ueid = tk_span_make(s->bench->ueid, sizeof(s->bench->ueid));
	snprintf(out->verifier, sizeof(out->verifier), "fake");
	return TK_OK;
}

/* Restart the bench TAM with this evidence key (NULL: none) and verifier. */
static void restart_tam(struct fixture *f, const struct tk_crypto_key *key, bool verifier)
{
	struct tk_teep_tam_config cfg = f->b.tam.cfg;

	cfg.evidence_key = key;
	cfg.verifier = verifier ? &f->ops : NULL;
	bench_expect("tam init", TK_OK, tk_teep_tam_init(&f->b.tam, &cfg, &f->b.diag),
		     &f->b.diag);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bench_setup(&f->b, TK_CRYPTO_KEY_P256);
	assert_int_equal(tk_crypto_key_generate(f->b.crypto, TK_CRYPTO_KEY_P256, &f->tam_enc,
						NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->b.crypto, TK_CRYPTO_KEY_P256,
						&f->other_enc, NULL), TK_OK);
	f->seen.bench = &f->b;
	f->ops = (struct tk_teep_tam_verifier_ops){
		.appraise_evidence = seen_appraise, .ctx = &f->seen,
	};
	restart_tam(f, f->tam_enc, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->tam_enc);
	tk_crypto_key_free(f->other_enc);
	bench_teardown(&f->b);
	free(f);
	return 0;
}

static struct tk_span encrypted_format(void)
{
	return tk_span_make(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE,
			    strlen(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE));
}

/* Open a session and send a QueryResponse with evidence encrypted to key. */
static tk_err query(struct fixture *f, struct tk_crypto_key *key, struct tk_span format,
		    size_t *out_len)
{
	uint8_t challenge[64];
	size_t challenge_len = 0, in_len;

	bench_connect(&f->b, BENCH_NOW, challenge, &challenge_len, out_buf, sizeof(out_buf));
	in_len = fake_query_response(&f->b, &(struct fake_query_response){
		.signer = f->b.agent, .attester = f->b.agent,
		.nonce = tk_span_make(challenge, challenge_len),
		.format = format, .encrypt_to = key,
	}, in, sizeof(in));
	*out_len = 0;
	tk_diag_clear(&f->b.diag);
	return tk_teep_tam_process(&f->b.tam, BENCH_NOW, in, in_len, out_buf, sizeof(out_buf),
				   out_len, &f->b.diag);
}

static tk_err count_attestations(void *cb_ctx, const struct tk_store_attestation *a)
{
	size_t *n = cb_ctx;

	(*n)++;
	assert_int_equal(a->tier, TK_STORE_TIER_AFFIRMING);
	return TK_OK;
}

static size_t attestations(struct bench *b)
{
	size_t n = 0;

	bench_expect("attestation_each", TK_OK,
		     tk_store_attestation_each(&b->store, tk_span_make(b->ueid, sizeof(b->ueid)),
					       0, count_attestations, &n, &b->diag), &b->diag);
	return n;
}

static void test_encrypted_evidence_enrolled_key(void **state)
{
	struct fixture *f = *state;
	size_t out_len = 0;

	bench_expect("QueryResponse", TK_OK,
		     query(f, f->tam_enc, encrypted_format(), &out_len), &f->b.diag);
	assert_int_equal(attestations(&f->b), 1);
	assert_int_equal(bench_counts(&f->b).devices, 1);
}

/* The verifier hook gets the signed EAT, not the COSE_Encrypt, and no format. */
static void test_encrypted_evidence_verifier_gets_eat(void **state)
{
	struct fixture *f = *state;
	size_t out_len = 0;

	restart_tam(f, f->tam_enc, true);
	bench_expect("QueryResponse", TK_OK,
		     query(f, f->tam_enc, encrypted_format(), &out_len), &f->b.diag);
	assert_int_equal(f->seen.calls, 1);
	assert_int_equal(f->seen.format_len, 0);
	assert_true(f->seen.payload_len > 2);
	/* A COSE_Sign1 (tag 18) or a CWT (tag 61), never COSE_Encrypt (tag 96). */
	assert_true(f->seen.payload[0] == 0xd2 ||
		    (f->seen.payload[0] == 0xd8 && f->seen.payload[1] == 61));
	assert_int_equal(attestations(&f->b), 1);
}

/* Rows of QueryResponses the TAM drops, storing nothing. */
struct drop_row {
	const char *description;
	bool tam_has_key;
	bool encrypt_to_other; /* encrypt to another key than the TAM's */
	bool encrypt;          /* false: plain evidence labeled as encrypted */
	tk_err expected;
	const char *logged;    /* part of the drop line */
};

static const struct drop_row drop_rows[] = {
	{"encrypted to another key", true, true, true, TK_ERR_DECRYPT,
	 "cannot decrypt the evidence (ueid"},
	{"TAM without a decryption key", false, false, true, TK_ERR_KEY,
	 "evidence is encrypted (ueid"},
	{"plain evidence labeled encrypted", true, false, false, TK_ERR_SCHEMA_TAG,
	 "cannot decrypt the evidence (ueid"},
};

static void test_encrypted_evidence_dropped(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(drop_rows) / sizeof(drop_rows[0]); i++) {
		const struct drop_row *row = &drop_rows[i];
		struct tk_crypto_key *to = row->encrypt_to_other ? f->other_enc : f->tam_enc;
		struct bench_counts before, after;
		size_t out_len = 9;
		tk_err err;

		restart_tam(f, row->tam_has_key ? f->tam_enc : NULL, false);
		before = bench_counts(&f->b);
		err = query(f, row->encrypt ? to : NULL, encrypted_format(), &out_len);
		if (err != row->expected)
			fail_msg("%s: expected %s, got %s: %s", row->description,
				 tk_err_name(row->expected), tk_err_name(err), f->b.diag.msg);
		assert_int_equal(out_len, 0);
		if (strstr(f->b.last_notice, row->logged) == NULL ||
		    strstr(f->b.last_notice, "dropped QueryResponse from kid") == NULL)
			fail_msg("%s: log line \"%s\" lacks \"%s\"", row->description,
				 f->b.last_notice, row->logged);
		after = bench_counts(&f->b);
		/* Only the session row of the new QueryRequest was added. */
		after.sessions = before.sessions;
		assert_memory_equal(&before, &after, sizeof(before));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_encrypted_evidence_enrolled_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encrypted_evidence_verifier_gets_eat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encrypted_evidence_dropped, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
