/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bench and fake agent for the TAM tests; see fake_agent.h.
 */
#include "fake_agent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "store/tk_store_sqlite.h"

const uint8_t bench_image_digest[32] = {0x1d, 0x16, 0xe5};

static const uint8_t oemid[3] = {0x00, 0x1b, 0x44};
static const char hwmodel[] = "teepkit-test";
static const char hwversion[] = "1.0";

void bench_expect(const char *what, tk_err expected, tk_err actual,
		  const struct tk_diag *diag)
{
	if (expected != actual) {
		char detail[TK_DIAG_MSG_MAX + 128] = "";

		if (diag != NULL)
			tk_diag_format(diag, detail, sizeof(detail));
		fail_msg("%s: expected %s, got %s (%s)", what, tk_err_name(expected),
			 tk_err_name(actual), detail);
	}
}

static void capture_log(void *ctx, enum tk_log_level level, const char *component,
			const char *line)
{
	struct bench *b = ctx;

	if (level < TK_LOG_NOTICE)
		return;
	snprintf(b->last_notice, sizeof(b->last_notice), "%s: %s", component, line);
	b->last_level = level;
	b->notice_lines++;
}

void bench_enroll(struct bench *b, const struct tk_crypto_key *key, uint8_t kid_out[32])
{
	struct tk_store_agent_key rec = {.alg = tk_cose_alg_for_key(key), .enrolled_at = 1};

	bench_expect("thumbprint", TK_OK,
		     tk_cose_key_thumbprint_crypto(b->crypto, key, rec.kid, &b->diag), &b->diag);
	bench_expect("encode key", TK_OK,
		     tk_cose_key_encode_public(key, TK_SPAN_EMPTY, rec.alg, rec.pubkey,
					       sizeof(rec.pubkey), &rec.pubkey_len, &b->diag),
		     &b->diag);
	bench_expect("enroll", TK_OK, tk_store_agent_key_add(&b->store, &rec, &b->diag),
		     &b->diag);
	memcpy(kid_out, rec.kid, 32);
}

static struct tk_crypto_key *generate(struct bench *b, enum tk_crypto_key_type type)
{
	struct tk_crypto_key *key = NULL;

	bench_expect("generate", TK_OK, tk_crypto_key_generate(b->crypto, type, &key, &b->diag),
		     &b->diag);
	return key;
}

void bench_setup(struct bench *b, enum tk_crypto_key_type agent_type)
{
	struct tk_teep_tam_config cfg;

	memset(b, 0, sizeof(*b));
	tk_diag_clear(&b->diag);
	b->crypto = tk_crypto_openssl();
	snprintf(b->dir, sizeof(b->dir), "/tmp/tk-tam-XXXXXX");
	assert_non_null(mkdtemp(b->dir));
	snprintf(b->path, sizeof(b->path), "%s/tam.sqlite", b->dir);
	bench_expect("open", TK_OK, tk_store_sqlite_open(b->path, &b->store, &b->diag),
		     &b->diag);

	b->tam_p256 = generate(b, TK_CRYPTO_KEY_P256);
	b->tam_ed25519 = generate(b, TK_CRYPTO_KEY_ED25519);
	b->agent = generate(b, agent_type);
	b->stranger = generate(b, agent_type);
	bench_enroll(b, b->agent, b->agent_kid);
	b->ueid[0] = 0x01;
	for (size_t i = 1; i < sizeof(b->ueid); i++)
		b->ueid[i] = (uint8_t)(0x40 + i);

	b->log.write = capture_log;
	b->log.ctx = b;
	b->log.min_level = TK_LOG_DEBUG;
	cfg = (struct tk_teep_tam_config){
		.crypto = b->crypto, .store = &b->store, .esp256_key = b->tam_p256,
		.ed25519_key = b->tam_ed25519, .lifetime = BENCH_LIFETIME, .log = &b->log,
		.work = b->work, .work_cap = sizeof(b->work),
	};
	bench_expect("tam init", TK_OK, tk_teep_tam_init(&b->tam, &cfg, &b->diag), &b->diag);
}

void bench_teardown(struct bench *b)
{
	char cmd[128];

	tk_store_sqlite_close(&b->store);
	tk_crypto_key_free(b->tam_p256);
	tk_crypto_key_free(b->tam_ed25519);
	tk_crypto_key_free(b->agent);
	tk_crypto_key_free(b->stranger);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	assert_int_equal(system(cmd), 0);
}

void bench_require_all(struct bench *b, struct tk_span component_id,
		       struct tk_span envelope)
{
	static const uint8_t digest[32] = {0x5a};
	struct tk_store_manifest m = {
		.component_id = component_id, .sequence = 1,
		.digest = tk_span_make(digest, sizeof(digest)),
		.image_digest = tk_span_make(bench_image_digest, sizeof(bench_image_digest)),
		.envelope = envelope,
	};

	bench_expect("add manifest", TK_OK, tk_store_manifest_add(&b->store, &m, 1, &b->diag),
		     &b->diag);
	bench_expect("require", TK_OK,
		     tk_store_policy_add(&b->store, component_id, TK_SPAN_EMPTY, 1, &b->diag),
		     &b->diag);
}

struct bench_counts bench_counts(struct bench *b)
{
	struct bench_counts c;
	struct {
		const char *table;
		uint64_t *out;
	} tables[] = {
		{"devices", &c.devices}, {"agent_keys", &c.agent_keys},
		{"manifests", &c.manifests}, {"policies", &c.policies},
		{"installed", &c.installed}, {"sessions", &c.sessions},
		{"update_manifests", &c.update_manifests}, {"results", &c.results},
		{"audit", &c.audit},
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		bench_expect(tables[i].table, TK_OK,
			     tk_store_count_rows(&b->store, tables[i].table, tables[i].out,
						 &b->diag), &b->diag);
	return c;
}

size_t bench_connect(struct bench *b, int64_t now, uint8_t *challenge,
		     size_t *challenge_len, uint8_t *out, size_t out_cap)
{
	struct tk_cose_trusted_key trusted = {.key = b->tam_p256};
	struct tk_cose_verify_opts opts = {.keys = &trusted, .n_keys = 1};
	struct tk_cose_verified v;
	struct tk_teep_msg msg;
	size_t len = 0;

	bench_expect("connect", TK_OK,
		     tk_teep_tam_process(&b->tam, now, NULL, 0, out, out_cap, &len, &b->diag),
		     &b->diag);
	bench_expect("verify QueryRequest", TK_OK,
		     tk_cose_sign_verify(b->crypto, out, len, &opts, &v, &b->diag), &b->diag);
	bench_expect("decode QueryRequest", TK_OK,
		     tk_teep_decode(v.payload.ptr, v.payload.len, &msg, &b->diag), &b->diag);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_REQUEST);
	memcpy(challenge, msg.query_request.challenge.ptr, msg.query_request.challenge.len);
	*challenge_len = msg.query_request.challenge.len;
	return len;
}

/* Sign TEEP evidence for the bench's device with `attester`. */
static size_t sign_evidence(struct bench *b, struct tk_crypto_key *attester,
			    struct tk_span nonce, uint8_t *out, size_t out_cap)
{
	static const uint8_t digest[32] = {0x11};
	struct tk_eat_suit_reference ref = {
		.uri = tk_span_make("https://example.com/agent", 25),
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = tk_span_make(digest, sizeof(digest)),
	};
	struct tk_eat_claims claims;
	uint8_t ref_buf[128];
	size_t ref_len = 0, len = 0;

	memset(&claims, 0, sizeof(claims));
	bench_expect("suit reference", TK_OK,
		     tk_eat_encode_suit_reference(&ref, ref_buf, sizeof(ref_buf), &ref_len,
						  &b->diag), &b->diag);
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = nonce;
	claims.ueid = tk_span_make(b->ueid, sizeof(b->ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make(hwmodel, strlen(hwmodel));
	claims.hwversion = tk_span_make(hwversion, strlen(hwversion));
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref_buf, ref_len);
	claims.manifest_count = 1;
	bench_expect("sign evidence", TK_OK,
		     tk_eat_sign(b->crypto, attester, &claims, out, out_cap, &len, &b->diag),
		     &b->diag);
	return len;
}

static size_t sign_message(struct bench *b, struct tk_crypto_key *signer,
			   const struct tk_teep_msg *msg, uint8_t *out, size_t out_cap)
{
	struct tk_cose_signer s = {
		.key = signer, .alg = tk_cose_alg_for_key(signer), .kid_thumbprint = true,
	};
	struct tk_cose_sign_opts opts = {.tagged = true};
	static uint8_t payload[BENCH_MSG_MAX];
	size_t payload_len = 0, len = 0;

	bench_expect("encode", TK_OK,
		     tk_teep_encode(msg, payload, sizeof(payload), &payload_len, &b->diag),
		     &b->diag);
	bench_expect("sign", TK_OK,
		     tk_cose_sign1_create(b->crypto, &s, payload, payload_len, &opts, out,
					  out_cap, &len, &b->diag), &b->diag);
	return len;
}

size_t fake_query_response(struct bench *b, const struct fake_query_response *q,
			   uint8_t *out, size_t out_cap)
{
	/* SUIT_Digest [-16, h'...'] of the installed image. */
	uint8_t image_digest[36] = {0x82, 0x2f, 0x58, 0x20};
	struct tk_teep_tc_claims tcs[8];
	struct tk_teep_requested_tc reqs[8];
	struct tk_teep_msg msg = {.type = TK_TEEP_TYPE_QUERY_RESPONSE};
	uint8_t evidence[2048];
	static uint8_t encrypted[4096];
	size_t evidence_len, encrypted_len = 0;

	assert_true(q->installed_count <= 8 && q->requested_count <= 8);
	if (!q->other_image)
		memcpy(image_digest + 4, bench_image_digest, sizeof(bench_image_digest));
	memset(tcs, 0, sizeof(tcs));
	memset(reqs, 0, sizeof(reqs));
	for (size_t i = 0; i < q->installed_count; i++) {
		tcs[i].component_id = q->installed[i];
		tcs[i].image_digest = tk_span_make(image_digest, sizeof(image_digest));
	}
	for (size_t i = 0; i < q->requested_count; i++)
		reqs[i].component_id = q->requested[i];

	msg.query_response.token = q->token;
	msg.query_response.tc_list.count = q->installed_count;
	msg.query_response.tc_list.items = tcs;
	msg.query_response.requested_tc_list.count = q->requested_count;
	msg.query_response.requested_tc_list.items = reqs;
	msg.query_response.suit_reports.count = q->suit_report_count;
	msg.query_response.suit_reports.items = q->suit_reports;
	if (q->format.len > 0) {
		msg.query_response.has_attestation_payload_format = true;
		msg.query_response.attestation_payload_format = q->format;
	}
	if (q->payload.len > 0) {
		msg.query_response.has_attestation_payload = true;
		msg.query_response.attestation_payload = q->payload;
	} else if (!q->omit_evidence) {
		evidence_len = sign_evidence(b, q->attester, q->nonce, evidence,
					     sizeof(evidence));
		msg.query_response.has_attestation_payload = true;
		msg.query_response.attestation_payload = tk_span_make(evidence, evidence_len);
	}
	if (q->payload.len == 0 && !q->omit_evidence && q->encrypt_to != NULL) {
		bench_expect("encrypt evidence", TK_OK,
			     tk_eat_encrypt(b->crypto, q->encrypt_to, TK_SPAN_EMPTY,
					    TK_COSE_ALG_A128GCM, evidence, evidence_len,
					    encrypted, sizeof(encrypted), &encrypted_len,
					    &b->diag), &b->diag);
		msg.query_response.attestation_payload =
			tk_span_make(encrypted, encrypted_len);
	}
	return sign_message(b, q->signer, &msg, out, out_cap);
}

size_t fake_result(struct bench *b, struct tk_crypto_key *signer, struct tk_span token,
		   uint64_t err_code, uint8_t *out, size_t out_cap)
{
	struct tk_teep_msg msg;

	memset(&msg, 0, sizeof(msg));
	if (err_code == 0) {
		msg.type = TK_TEEP_TYPE_SUCCESS;
		msg.success.token = token;
	} else {
		msg.type = TK_TEEP_TYPE_ERROR;
		msg.error.token = token;
		msg.error.err_code = err_code;
		msg.error.err_msg = tk_span_make("install\nfailed", 14);
	}
	return sign_message(b, signer, &msg, out, out_cap);
}

void bench_open_update(struct bench *b, const uint8_t *msg_buf, size_t len,
		       enum tk_crypto_key_type tam_key, struct tk_teep_msg *msg)
{
	struct tk_cose_trusted_key trusted = {
		.key = tam_key == TK_CRYPTO_KEY_P256 ? b->tam_p256 : b->tam_ed25519,
	};
	struct tk_cose_verify_opts opts = {.keys = &trusted, .n_keys = 1};
	struct tk_cose_verified v;

	bench_expect("verify Update", TK_OK,
		     tk_cose_sign1_verify(b->crypto, msg_buf, len, &opts, &v, &b->diag),
		     &b->diag);
	bench_expect("decode Update", TK_OK,
		     tk_teep_decode(v.payload.ptr, v.payload.len, msg, &b->diag), &b->diag);
	assert_int_equal(msg->type, TK_TEEP_TYPE_UPDATE);
}
