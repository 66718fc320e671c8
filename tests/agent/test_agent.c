/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the agent state machine against a scripted fake TAM in process.
 * The fake TAM signs QueryRequests as COSE_Sign with test keys (ESP256 and
 * Ed25519) and Updates as COSE_Sign1. The agent runs on the simulated TEE in
 * a temporary state folder and on the real SUIT processor, with the SUIT
 * example signer key as trust anchor. Replies are verified with the TEE key
 * and decoded, and the TEE store is checked after each Update.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vector_io.h"
#include "agent/tk_agent_boot.h"
#include "agent/tk_agent_report.h"
#include "agent/tk_agent_tee.h"
#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_agent.h"
#include "teep/tk_teep_msg.h"

#define BUF_CAP (256u * 1024u)

/* Component id of the TA in the draft's suit_integrated example. */
static const uint8_t example_component_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74,
	0x42, 't', 'a',
};

/* Its manifest component id: the same path ending in 'suit'. */
static const uint8_t example_manifest_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74,
	0x44, 's', 'u', 'i', 't',
};

/* SHA-256 of 'Hello, Secure World!', the image digest in the example. */
static const uint8_t example_digest[32] = {
	0x8c, 0xf7, 0x1a, 0xc8, 0x6a, 0xf3, 0x1b, 0xe1, 0x84, 0xec, 0x7a, 0x05, 0xa4, 0x11,
	0xa8, 0xc3, 0xa1, 0x4f, 0xd9, 0xb7, 0x7a, 0x30, 0xd0, 0x46, 0x39, 0x74, 0x81, 0x46,
	0x94, 0x68, 0xec, 0xe8,
};

/* Vendor and class ids the example manifest's conditions check. */
static const uint8_t example_vendor_id[16] = {
	0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60,
	0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f,
};
static const uint8_t example_class_id[16] = {
	0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba,
	0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e,
};

static const uint8_t token[16] = "agent-test-token";
static const uint8_t challenge[16] = "agent-challenge!";

/* Everything one test uses; created fresh for each test. */
struct fixture {
	char state_dir[64];
	struct tk_tee tee;
	struct tk_crypto_key *tam_p256;
	struct tk_crypto_key *tam_ed25519;
	struct tk_crypto_key *stranger;
	struct tk_crypto_key *signer; /* SUIT example key: the trust anchor */
	struct tk_agent_tee glue;
	struct tk_teep_agent_config cfg;
	struct tk_teep_agent agent;
	uint8_t *envelope;            /* suit_integrated example */
	size_t envelope_len;
	uint8_t *work;
	uint8_t *msg;                 /* what the fake TAM sends */
	uint8_t *reply;
	size_t reply_len;
	uint8_t payload[BUF_CAP / 4];
	struct tk_span requested[1];
};

static const struct tk_crypto *crypto(void)
{
	return tk_crypto_openssl();
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_tee_sim_config sim;
	char path[512];
	uint8_t *pem;
	size_t pem_len = 0;

	assert_non_null(f);
	snprintf(f->state_dir, sizeof(f->state_dir), "/tmp/tk-agent-test-XXXXXX");
	assert_non_null(mkdtemp(f->state_dir));
	size_t dir_len = strlen(f->state_dir);
	snprintf(f->state_dir + dir_len, sizeof(f->state_dir) - dir_len, "/tee");
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = f->state_dir;
	sim.create = true;
	sim.create_alg = TK_COSE_ALG_ESP256;
	assert_int_equal(tk_tee_sim_open(&sim, &f->tee, NULL), TK_OK);

	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &f->tam_p256, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_ED25519, &f->tam_ed25519,
						NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &f->stranger, NULL),
			 TK_OK);
	snprintf(path, sizeof(path), "%s/suit/manifest-spec/private_key.pem", TK_VECTORS_DIR);
	pem = vector_read_file(path, &pem_len);
	assert_int_equal(tk_crypto_key_import_pem(crypto(), pem, pem_len, &f->signer, NULL), TK_OK);
	free(pem);
	f->envelope = vector_read_hex("suit_integrated.hex.txt", &f->envelope_len);

	f->glue.tee = &f->tee;
	f->glue.crypto = crypto();
	f->glue.trust_anchors = (const struct tk_crypto_key *const *)&f->signer;
	f->glue.n_trust_anchors = 1;
	f->glue.has_vendor_id = true;
	memcpy(f->glue.vendor_id, example_vendor_id, 16);
	f->glue.has_class_id = true;
	memcpy(f->glue.class_id, example_class_id, 16);

	f->work = malloc(BUF_CAP);
	f->msg = malloc(BUF_CAP);
	f->reply = malloc(BUF_CAP);
	f->requested[0] = tk_span_make(example_component_id, sizeof(example_component_id));
	f->cfg.crypto = crypto();
	f->cfg.tam_keys[0] = f->tam_p256;
	f->cfg.tam_keys[1] = f->tam_ed25519;
	f->cfg.n_tam_keys = 2;
	f->cfg.tee = tk_agent_tee_ops(&f->glue);
	f->cfg.device.oemid = tk_span_make("\x89\x48\x23", 3);
	f->cfg.device.hwmodel = tk_span_make("test-model", 10);
	f->cfg.device.hwversion = "1.3.4";
	f->cfg.device.agent_uri = "urn:teepkit:test-agent";
	f->cfg.requested = f->requested;
	f->cfg.n_requested = 1;
	f->cfg.work = f->work;
	f->cfg.work_cap = BUF_CAP;
	f->cfg.tam_uri = "in-process";
	assert_int_equal(tk_teep_agent_init(&f->agent, &f->cfg, NULL), TK_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	tk_tee_close(&f->tee);
	tk_crypto_key_free(f->tam_p256);
	tk_crypto_key_free(f->tam_ed25519);
	tk_crypto_key_free(f->stranger);
	tk_crypto_key_free(f->signer);
	free(f->envelope);
	free(f->work);
	free(f->msg);
	free(f->reply);
	f->state_dir[strlen(f->state_dir) - 4] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->state_dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Encode a QueryRequest offering the given suites. */
static size_t encode_query_request(struct fixture *f, const int64_t *algs, size_t n_algs,
				   uint64_t items)
{
	struct tk_teep_cipher_suite suites[2];
	struct tk_span profile = tk_span_make(tk_teep_profile_sha256_esp256_ecdh_a128ctr,
					      sizeof(tk_teep_profile_sha256_esp256_ecdh_a128ctr));
	struct tk_teep_msg msg;
	size_t len = 0;

	memset(&msg, 0, sizeof(msg));
	memset(suites, 0, sizeof(suites));
	for (size_t i = 0; i < n_algs; i++) {
		suites[i].op_count = 1;
		suites[i].cose_type = TK_TEEP_COSE_SIGN1;
		suites[i].alg = algs[i];
	}
	msg.type = TK_TEEP_TYPE_QUERY_REQUEST;
	msg.query_request.token = tk_span_make(token, sizeof(token));
	if ((items & TK_TEEP_DATA_ATTESTATION) != 0)
		msg.query_request.challenge = tk_span_make(challenge, sizeof(challenge));
	msg.query_request.supported_teep_cipher_suites.items = suites;
	msg.query_request.supported_teep_cipher_suites.count = n_algs;
	msg.query_request.supported_suit_cose_profiles.items = &profile;
	msg.query_request.supported_suit_cose_profiles.count = 1;
	msg.query_request.data_item_requested = items;
	assert_int_equal(tk_teep_encode(&msg, f->payload, sizeof(f->payload), &len, NULL), TK_OK);
	return len;
}

/* Sign payload as COSE_Sign with each key given (the TAM's first message). */
static size_t sign_multi(struct fixture *f, size_t payload_len,
			 struct tk_crypto_key *const *keys, size_t n_keys)
{
	struct tk_cose_signer signers[2];
	struct tk_cose_sign_opts opts;
	size_t len = 0;

	memset(signers, 0, sizeof(signers));
	memset(&opts, 0, sizeof(opts));
	for (size_t i = 0; i < n_keys; i++) {
		signers[i].key = keys[i];
		signers[i].alg = tk_cose_alg_for_key(keys[i]);
		signers[i].kid_thumbprint = true;
	}
	opts.tagged = true;
	assert_int_equal(tk_cose_sign_create(crypto(), signers, n_keys, f->payload, payload_len,
					     &opts, f->msg, BUF_CAP, &len, NULL),
			 TK_OK);
	return len;
}

static size_t sign_single(struct fixture *f, size_t payload_len, struct tk_crypto_key *key)
{
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;
	size_t len = 0;

	memset(&signer, 0, sizeof(signer));
	memset(&opts, 0, sizeof(opts));
	signer.key = key;
	signer.alg = tk_cose_alg_for_key(key);
	signer.kid_thumbprint = true;
	opts.tagged = true;
	assert_int_equal(tk_cose_sign1_create(crypto(), &signer, f->payload, payload_len, &opts,
					      f->msg, BUF_CAP, &len, NULL),
			 TK_OK);
	return len;
}

/* Feed msg[0..len) to the agent; fails the test on an unexpected result. */
static void deliver(struct fixture *f, size_t len, tk_err expected)
{
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	err = tk_teep_agent_process(&f->agent, f->msg, len, f->reply, BUF_CAP, &f->reply_len,
				    &diag);
	if (err != expected)
		fail_msg("process: expected %s, got %s: %s", tk_err_name(expected),
			 tk_err_name(err), diag.msg);
}

/* Verify the agent's reply with the TEE key and decode it into *msg. */
static void open_reply(struct fixture *f, struct tk_teep_msg *msg)
{
	struct tk_cose_trusted_key key = {f->agent.tee_key, TK_SPAN_EMPTY};
	struct tk_cose_verify_opts opts;
	struct tk_cose_verified verified;
	struct tk_diag diag;

	memset(&opts, 0, sizeof(opts));
	opts.tag_mode = TK_COSE_TAG_REQUIRED;
	opts.keys = &key;
	opts.n_keys = 1;
	tk_diag_clear(&diag);
	if (tk_cose_sign1_verify(crypto(), f->reply, f->reply_len, &opts, &verified, &diag) != TK_OK)
		fail_msg("reply does not verify with the TEE key: %s", diag.msg);
	if (tk_teep_decode(verified.payload.ptr, verified.payload.len, msg, &diag) != TK_OK)
		fail_msg("reply does not decode: %s", diag.msg);
}

/* Run a QueryRequest signed by both TAM keys and return the response. */
static void query(struct fixture *f, struct tk_teep_msg *msg)
{
	static const int64_t both[2] = {TK_TEEP_ALG_ESP256, TK_TEEP_ALG_ED25519};
	struct tk_crypto_key *keys[2] = {f->tam_ed25519, f->tam_p256};
	size_t len = encode_query_request(f, both, 2,
					  TK_TEEP_DATA_ATTESTATION |
						  TK_TEEP_DATA_TRUSTED_COMPONENTS);

	deliver(f, sign_multi(f, len, keys, 2), TK_OK);
	open_reply(f, msg);
	assert_int_equal(msg->type, TK_TEEP_TYPE_QUERY_RESPONSE);
}

/* Send an Update (manifest and unneeded id optional) and return the reply. */
static void update_lists(struct fixture *f, const uint8_t *envelope, size_t envelope_len,
			 const uint8_t *unneeded, size_t unneeded_len, struct tk_span tok,
			 struct tk_teep_msg *reply)
{
	struct tk_span manifest = tk_span_make(envelope, envelope_len);
	struct tk_span unneeded_id = tk_span_make(unneeded, unneeded_len);
	struct tk_teep_msg msg;
	size_t len = 0;

	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_UPDATE;
	msg.update.token = tok;
	if (envelope != NULL) {
		msg.update.manifest_list.items = &manifest;
		msg.update.manifest_list.count = 1;
	}
	if (unneeded != NULL) {
		msg.update.unneeded_manifest_list.items = &unneeded_id;
		msg.update.unneeded_manifest_list.count = 1;
	}
	assert_int_equal(tk_teep_encode(&msg, f->payload, sizeof(f->payload), &len, NULL), TK_OK);
	deliver(f, sign_single(f, len, f->tam_p256), TK_OK);
	open_reply(f, reply);
}

/* Send an Update with one manifest and the given token; return the reply. */
static void update(struct fixture *f, const uint8_t *envelope, size_t envelope_len,
		   struct tk_span tok, struct tk_teep_msg *reply)
{
	update_lists(f, envelope, envelope_len, NULL, 0, tok, reply);
}

static size_t count_components(struct fixture *f)
{
	size_t n = 0;
	struct tk_tee_object_info info;

	if (tk_tee_component_info(&f->tee, example_component_id, sizeof(example_component_id),
				  &info, NULL) == TK_OK)
		n++;
	return n;
}

static void restart_session(struct fixture *f)
{
	assert_int_equal(tk_teep_agent_init(&f->agent, &f->cfg, NULL), TK_OK);
}

static void test_query_response(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	struct tk_teep_iter it;
	struct tk_teep_requested_tc req;
	struct tk_cose_trusted_key key = {f->agent.tee_key, TK_SPAN_EMPTY};
	struct tk_eat_verify_opts eopts;
	struct tk_eat_verified ev;
	struct tk_diag diag;

	query(f, &msg);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_QUERY_RESPONSE);
	assert_int_equal(msg.query_response.token.len, sizeof(token));
	assert_memory_equal(msg.query_response.token.ptr, token, sizeof(token));
	/* Nothing installed yet: no tc-list, and the requested TA is listed. */
	assert_int_equal(msg.query_response.tc_list.count, 0);
	assert_int_equal(msg.query_response.requested_tc_list.count, 1);
	assert_int_equal(tk_teep_iter_init(&it, msg.query_response.requested_tc_list.raw, NULL),
			 TK_OK);
	assert_int_equal(tk_teep_iter_next_requested_tc(&it, &req), TK_OK);
	assert_int_equal(req.component_id.len, sizeof(example_component_id));
	assert_memory_equal(req.component_id.ptr, example_component_id,
			    sizeof(example_component_id));

	/* The evidence verifies with the TEE key and carries the challenge. */
	assert_true(msg.query_response.has_attestation_payload);
	memset(&eopts, 0, sizeof(eopts));
	eopts.keys = &key;
	eopts.n_keys = 1;
	eopts.nonce = tk_span_make(challenge, sizeof(challenge));
	tk_diag_clear(&diag);
	if (tk_eat_verify(crypto(), msg.query_response.attestation_payload.ptr,
			  msg.query_response.attestation_payload.len, &eopts, &ev, &diag) != TK_OK)
		fail_msg("evidence does not verify: %s", diag.msg);
	assert_int_equal(ev.claims.nonce.len, sizeof(challenge));
	assert_memory_equal(ev.claims.nonce.ptr, challenge, sizeof(challenge));
	assert_int_equal(ev.claims.ueid.len, TK_TEE_UEID_LEN);
	assert_int_equal(ev.claims.oemid.len, 3);
	assert_int_equal(ev.claims.manifest_count, 1);
}

static void test_passport_nonce_is_token(void **state)
{
	struct fixture *f = *state;
	static const int64_t both[2] = {TK_TEEP_ALG_ESP256, TK_TEEP_ALG_ED25519};
	struct tk_cose_trusted_key key = {f->agent.tee_key, TK_SPAN_EMPTY};
	struct tk_eat_verify_opts eopts;
	struct tk_eat_verified ev;
	struct tk_teep_msg msg;
	struct tk_diag diag;
	uint8_t saved[1024];
	size_t len;

	/* Attestation bit set, token and no challenge, as in the draft's
	   QueryRequest example: the token is the EAT nonce. */
	len = encode_query_request(f, both, 2, TK_TEEP_DATA_ATTESTATION);
	memcpy(saved, f->payload, len);
	assert_int_equal(tk_teep_decode(saved, len, &msg, NULL), TK_OK);
	msg.query_request.challenge = TK_SPAN_EMPTY;
	assert_int_equal(tk_teep_encode(&msg, f->payload, sizeof(f->payload), &len, NULL), TK_OK);
	deliver(f, sign_multi(f, len, &f->tam_p256, 1), TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_RESPONSE);
	assert_true(msg.query_response.has_attestation_payload);

	memset(&eopts, 0, sizeof(eopts));
	eopts.keys = &key;
	eopts.n_keys = 1;
	eopts.nonce = tk_span_make(token, sizeof(token));
	tk_diag_clear(&diag);
	if (tk_eat_verify(crypto(), msg.query_response.attestation_payload.ptr,
			  msg.query_response.attestation_payload.len, &eopts, &ev, &diag) != TK_OK)
		fail_msg("evidence does not verify with the token as nonce: %s", diag.msg);
}

static void test_update_installs(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	struct tk_tee_object_info info;
	struct tk_teep_iter it;
	struct tk_teep_tc_claims tc;
	uint64_t seq = 0;
	bool found = false;

	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	if (msg.type != TK_TEEP_TYPE_SUCCESS)
		fail_msg("expected Success, got type %d: %.*s", (int)msg.type,
			 (int)msg.error.err_msg.len, (const char *)msg.error.err_msg.ptr);
	assert_int_equal(msg.success.token.len, sizeof(token));
	assert_int_equal(f->agent.installed, 1);

	/* The TA is in the TEE store with the example's digest and sequence number. */
	assert_int_equal(tk_tee_component_info(&f->tee, example_component_id,
					       sizeof(example_component_id), &info, NULL),
			 TK_OK);
	assert_memory_equal(info.digest, example_digest, 32);
	assert_int_equal(info.size, 20);
	assert_int_equal(info.sequence_number, 3);
	assert_int_equal(tk_tee_get_sequence_number(&f->tee, example_manifest_id,
						    sizeof(example_manifest_id), &seq, &found,
						    NULL),
			 TK_OK);
	assert_true(found);
	assert_int_equal(seq, 3);

	/* The next session reports it in tc-list and no longer requests it. */
	restart_session(f);
	query(f, &msg);
	assert_int_equal(msg.query_response.tc_list.count, 1);
	assert_int_equal(msg.query_response.requested_tc_list.count, 0);
	assert_int_equal(tk_teep_iter_init(&it, msg.query_response.tc_list.raw, NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_tc(&it, &tc), TK_OK);
	assert_int_equal(tc.component_id.len, sizeof(example_component_id));
	assert_memory_equal(tc.component_id.ptr, example_component_id,
			    sizeof(example_component_id));

	/* The same manifest again is not newer: Error 17, store unchanged. */
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED);
	assert_int_equal(f->agent.last_cause, TK_ERR_ROLLBACK);
	assert_int_equal(count_components(f), 1);
}

/*
 * A manifest whose manifest component id equals its component id, as
 * `teep manifest` builds them: its uninstall unlinks its own id, which must
 * remove the component once and not start the same uninstall again.
 */
static void test_unneeded_same_id_unlinked(void **state)
{
	struct fixture *f = *state;
	struct tk_suit_build_params p;
	struct tk_teep_msg msg;
	uint8_t *envelope = malloc(BUF_CAP);
	size_t envelope_len = 0;
	static const uint8_t image[] = "a trusted app";

	assert_non_null(envelope);
	memset(&p, 0, sizeof(p));
	p.component_id = tk_span_make(example_component_id, sizeof(example_component_id));
	p.manifest_component_id = p.component_id;
	p.sequence_number = 1;
	p.image = tk_span_make(image, sizeof(image) - 1);
	p.integrated_name = "#tc";
	p.signer = f->signer;
	p.crypto = crypto();
	assert_int_equal(tk_suit_build_envelope(&p, envelope, BUF_CAP, &envelope_len, NULL),
			 TK_OK);

	query(f, &msg);
	update(f, envelope, envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_int_equal(count_components(f), 1);

	restart_session(f);
	query(f, &msg);
	update_lists(f, NULL, 0, example_component_id, sizeof(example_component_id),
		     tk_span_make(token, sizeof(token)), &msg);
	if (msg.type != TK_TEEP_TYPE_SUCCESS)
		fail_msg("expected Success, got type %d: %.*s", (int)msg.type,
			 (int)msg.error.err_msg.len, (const char *)msg.error.err_msg.ptr);
	assert_int_equal(f->agent.unlinked, 1);
	assert_int_equal(count_components(f), 0);
	free(envelope);
}

static void test_lower_sequence_rejected(void **state)
{
	struct fixture *f = *state;
	struct tk_suit_build_params p;
	struct tk_teep_msg msg;
	struct tk_tee_object_info info;
	uint8_t *older = malloc(BUF_CAP);
	size_t older_len = 0;
	static const uint8_t image[] = "an older trusted app";

	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);

	/* Sequence number 2 < 3 for the same manifest component id. */
	memset(&p, 0, sizeof(p));
	p.component_id = tk_span_make(example_component_id, sizeof(example_component_id));
	p.manifest_component_id = tk_span_make(example_manifest_id, sizeof(example_manifest_id));
	p.sequence_number = 2;
	p.image = tk_span_make(image, sizeof(image) - 1);
	p.integrated_name = "#tc";
	p.signer = f->signer;
	p.crypto = crypto();
	assert_int_equal(tk_suit_build_envelope(&p, older, BUF_CAP, &older_len, NULL), TK_OK);

	restart_session(f);
	query(f, &msg);
	update(f, older, older_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED);
	assert_true(msg.error.err_msg.len > 0);
	assert_int_equal(f->agent.last_cause, TK_ERR_ROLLBACK);

	/* The err-msg names the manifest by the last 16 bytes of its id and by
	   its sequence number, not by its position in the manifest-list. */
	assert_non_null(strstr(f->agent.last_err_msg,
			       "install of manifest ...6d4754935332dc29997f744473756974 "
			       "sequence number 2 failed: "));
	assert_int_equal(tk_tee_component_info(&f->tee, example_component_id,
					       sizeof(example_component_id), &info, NULL),
			 TK_OK);
	assert_memory_equal(info.digest, example_digest, 32);
	free(older);
}

static void test_tampered_manifest(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	uint8_t *bad = malloc(f->envelope_len);
	const uint8_t *sig;

	/* Flip one bit of the manifest signature (0x6A9F... in the example). */
	memcpy(bad, f->envelope, f->envelope_len);
	sig = memmem(bad, f->envelope_len, "\x6a\x9f\x4d\x3d", 4);
	assert_non_null(sig);
	bad[sig - bad] ^= 0x01;

	query(f, &msg);
	update(f, bad, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED);
	assert_int_equal(msg.error.token.len, sizeof(token));
	assert_true(msg.error.err_msg.len > 0);
	assert_int_equal(f->agent.last_cause, TK_ERR_SIGNATURE);

	/* An unauthenticated manifest is named by its manifest-list position. */
	assert_non_null(strstr(f->agent.last_err_msg,
			       "install of manifest-list entry 0 failed: "));
	assert_int_equal(count_components(f), 0);
	free(bad);
}

/* Open the only SUIT report of a Success or Error and decode it. */
static void open_suit_report(struct fixture *f, const struct tk_teep_span_list *reports,
			     const struct tk_crypto_key *tam_key, uint8_t *plain, size_t plain_cap,
			     struct tk_suit_report *report)
{
	const struct tk_crypto_key *report_key = NULL;
	struct tk_suit_report_opened opened;
	struct tk_teep_iter it;
	struct tk_span item;
	struct tk_diag diag;

	assert_int_equal(reports->count, 1);
	assert_int_equal(tk_teep_iter_init(&it, reports->raw, NULL), TK_OK);
	assert_int_equal(tk_teep_iter_next_bstr(&it, &item), TK_OK);
	assert_int_equal(tk_tee_report_key(&f->tee, &report_key, NULL), TK_OK);
	tk_diag_clear(&diag);
	if (tk_suit_report_open(crypto(), &report_key, 1, tam_key, item.ptr, item.len, plain,
				plain_cap, &opened, &diag) != TK_OK)
		fail_msg("SUIT report does not open: %s", diag.msg);
	assert_true(opened.encrypted);
	if (tk_suit_report_decode(opened.report.ptr, opened.report.len, report, &diag) != TK_OK)
		fail_msg("SUIT report does not decode: %s", diag.msg);
	assert_int_equal(report->nonce.len, sizeof(token));
	assert_memory_equal(report->nonce.ptr, token, sizeof(token));
	assert_int_equal(report->digest_alg, TK_SUIT_ALG_SHA256);
}

/*
 * SUIT reports in Success and Error, encrypted to the TAM and signed with
 * the TEE's report key: success, rollback and a forged manifest signature.
 */
static void test_suit_reports(void **state)
{
	struct fixture *f = *state;
	struct tk_agent_report *rep = calloc(1, sizeof(*rep));
	struct tk_suit_report *report = calloc(1, sizeof(*report));
	struct tk_crypto_key *tam_enc = NULL;
	struct tk_suit_envelope env;
	struct tk_suit_manifest manifest;
	uint8_t plain[4096], digest[32];
	uint8_t *bad = malloc(f->envelope_len);
	uint8_t *sig;
	struct tk_teep_msg msg;

	assert_non_null(rep);
	assert_non_null(report);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &tam_enc, NULL),
			 TK_OK);
	rep->tee = &f->tee;
	rep->crypto = crypto();
	rep->tam_key = tam_enc;
	f->glue.report = rep;
	f->cfg.tee = tk_agent_tee_ops(&f->glue);
	restart_session(f);
	assert_int_equal(tk_suit_decode_envelope(f->envelope, f->envelope_len, &env, NULL), TK_OK);
	assert_int_equal(tk_suit_authenticate(&env, crypto(),
					      (const struct tk_crypto_key *const *)&f->signer, 1,
					      &manifest, NULL), TK_OK);

	/* Installed: result true, referring to the manifest's digest. */
	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_int_equal(f->agent.suit_reports, 1);
	open_suit_report(f, &msg.success.suit_reports, tam_enc, plain, sizeof(plain), report);
	assert_true(report->success);
	assert_memory_equal(report->digest.ptr, manifest.digest, 32);

	/* The same manifest again: rollback, a failed condition after
	   authentication. */
	restart_session(f);
	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	open_suit_report(f, &msg.error.suit_reports, tam_enc, plain, sizeof(plain), report);
	assert_false(report->success);
	assert_int_equal(report->result_code, TK_ERR_ROLLBACK);
	assert_int_equal(report->result_reason, TK_SUIT_REASON_CONDITION_FAILED);
	assert_int_equal(report->capability.len, 0);
	assert_memory_equal(report->digest.ptr, manifest.digest, 32);

	/* A forged signature: unauthorised, in the authentication wrapper, and
	   the digest is computed over the manifest as received. */
	memcpy(bad, f->envelope, f->envelope_len);
	sig = memmem(bad, f->envelope_len, "\x6a\x9f\x4d\x3d", 4);
	assert_non_null(sig);
	*sig ^= 0x01;
	restart_session(f);
	query(f, &msg);
	update(f, bad, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	open_suit_report(f, &msg.error.suit_reports, tam_enc, plain, sizeof(plain), report);
	assert_int_equal(report->result_code, TK_ERR_SIGNATURE);
	assert_int_equal(report->result_reason, TK_SUIT_REASON_UNAUTHORISED);
	assert_int_equal(report->result_record.section, TK_SUIT_REPORT_SECTION_AUTHENTICATION);
	assert_int_equal(tk_crypto_sha256(crypto(), env.manifest_bstr.ptr, env.manifest_bstr.len,
					  digest, NULL), TK_OK);
	assert_memory_equal(report->digest.ptr, digest, 32);

	f->glue.report = NULL;
	tk_crypto_key_free(tam_enc);
	free(bad);
	free(report);
	free(rep);
}

/* Build an envelope of the example TC whose install sequence is
 * override-parameters {key: 3}, then `command` with argument 0 unless
 * command is 0. */
static size_t build_install(struct fixture *f, int64_t key, int64_t command, uint8_t *out,
			    size_t cap)
{
	static const uint8_t zero[] = {0x00};
	const struct tk_suit_build_param param = {key, {.kind = TK_SUIT_VALUE_UINT, .uint = 3}};
	const struct tk_suit_build_command commands[2] = {
		{.command = 20, .kind = TK_SUIT_ARG_PARAMS, .params = &param, .param_count = 1},
		{.command = command, .kind = TK_SUIT_ARG_RAW,
		 .raw = tk_span_make(zero, sizeof(zero))},
	};
	const struct tk_suit_build_section install = {
		TK_SUIT_SECTION_INSTALL, {commands, command != 0 ? 2 : 1}, false};
	const struct tk_span component = tk_span_make(example_component_id,
						      sizeof(example_component_id));
	const struct tk_suit_build_signer signer = {f->signer, 0, {NULL, 0}};
	const struct tk_suit_build_desc desc = {
		.manifest_version = 1,
		.sequence_number = 4,
		.components = &component,
		.component_count = 1,
		.manifest_component_id = tk_span_make(example_manifest_id,
						      sizeof(example_manifest_id)),
		.sections = &install,
		.section_count = 1,
		.signers = &signer,
		.signer_count = 1,
	};
	struct tk_diag diag;
	size_t len = 0;

	tk_diag_clear(&diag);
	if (tk_suit_build(&desc, crypto(), out, cap, &len, &diag) != TK_OK)
		fail_msg("test envelope does not build: %s", diag.msg);
	return len;
}

/*
 * An unknown command and an unknown parameter in a manifest whose commands
 * request no records: the result record of the SUIT report still names the
 * failed command (install section, its offset), the reason maps the
 * failure (draft-ietf-suit-report-18 section 4.2), and the capability
 * report is present because the manifest needs what the processor lacks.
 */
static void test_suit_report_unsupported(void **state)
{
	static const struct {
		const char *desc;
		int64_t key;             /* override-parameters key */
		int64_t command;         /* second command, 0 for none */
		uint64_t offset;         /* of the failed command */
		enum tk_suit_report_reason reason;
	} rows[] = {
		/* [20, {14: 3}, -300, 0]: -300 follows 1 + 1 + 3 bytes. */
		{"custom command", 14, -300, 5, TK_SUIT_REASON_COMMAND_UNSUPPORTED},
		/* [20, {99: 3}]: override-parameters follows the array head.
		   99 is unassigned (custom parameters, below 0, are skipped). */
		{"unknown parameter", 99, 0, 1, TK_SUIT_REASON_PARAMETER_UNSUPPORTED},
	};
	struct fixture *f = *state;
	struct tk_agent_report *rep = calloc(1, sizeof(*rep));
	struct tk_suit_report *report = calloc(1, sizeof(*report));
	struct tk_crypto_key *tam_enc = NULL;
	uint8_t *envelope = malloc(BUF_CAP);
	uint8_t plain[4096];
	struct tk_teep_msg msg;

	assert_non_null(rep);
	assert_non_null(report);
	assert_non_null(envelope);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &tam_enc, NULL),
			 TK_OK);
	rep->tee = &f->tee;
	rep->crypto = crypto();
	rep->tam_key = tam_enc;
	f->glue.report = rep;
	f->cfg.tee = tk_agent_tee_ops(&f->glue);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = build_install(f, rows[i].key, rows[i].command, envelope, BUF_CAP);

		print_message("%s\n", rows[i].desc);
		restart_session(f);
		query(f, &msg);
		update(f, envelope, len, tk_span_make(token, sizeof(token)), &msg);
		assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
		assert_int_equal(f->agent.last_cause, TK_ERR_UNSUPPORTED);
		open_suit_report(f, &msg.error.suit_reports, tam_enc, plain, sizeof(plain),
				 report);
		assert_false(report->success);
		assert_int_equal(report->result_code, TK_ERR_UNSUPPORTED);
		assert_int_equal(report->result_reason, rows[i].reason);
		assert_int_equal(report->record_count, 0);
		assert_int_equal(report->result_record.manifest_id_len, 0);
		assert_int_equal(report->result_record.section, TK_SUIT_SECTION_INSTALL);
		assert_int_equal(report->result_record.offset, rows[i].offset);
		assert_int_equal(report->result_record.component_index, 0);
		assert_true(report->capability.len > 0);
	}

	f->glue.report = NULL;
	tk_crypto_key_free(tam_enc);
	free(envelope);
	free(report);
	free(rep);
}

/* Rows: a QueryRequest variation and the agent's reply. */
static void test_query_request_rejections(void **state)
{
	struct fixture *f = *state;
	static const int64_t ed_only[1] = {TK_TEEP_ALG_ED25519};
	static const int64_t both[2] = {TK_TEEP_ALG_ESP256, TK_TEEP_ALG_ED25519};
	struct tk_teep_msg msg;
	size_t len;

	/* Signed by a key the agent does not trust: dropped, no reply. */
	len = encode_query_request(f, both, 2, TK_TEEP_DATA_TRUSTED_COMPONENTS);
	deliver(f, sign_multi(f, len, &f->stranger, 1), TK_ERR_UNTRUSTED);
	assert_int_equal(f->reply_len, 0);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_NONE);

	/* Only Ed25519 offered to an ESP256 agent: Error 5 with our suite. */
	restart_session(f);
	len = encode_query_request(f, ed_only, 1, TK_TEEP_DATA_TRUSTED_COMPONENTS);
	deliver(f, sign_multi(f, len, &f->tam_p256, 1), TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES);
	assert_int_equal(msg.error.supported_teep_cipher_suites.count, 1);
	assert_int_equal(msg.error.token.len, sizeof(token));

	/* Signed only with Ed25519, which an ESP256 agent does not verify: Error 5. */
	restart_session(f);
	len = encode_query_request(f, both, 2, TK_TEEP_DATA_TRUSTED_COMPONENTS);
	deliver(f, sign_multi(f, len, &f->tam_ed25519, 1), TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES);
	assert_int_equal(f->agent.last_cause, TK_ERR_ALG_UNSUPPORTED);

	/* Truncated CBOR: Error 1 (permanent error), no token known. */
	restart_session(f);
	len = encode_query_request(f, both, 2, TK_TEEP_DATA_TRUSTED_COMPONENTS);
	len = sign_multi(f, len, &f->tam_p256, 1);
	deliver(f, len - 5, TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_PERMANENT_ERROR);
	assert_int_equal(msg.error.token.len, 0);
	assert_true(f->agent.last_cause >= 100 && f->agent.last_cause < 200);
}

static void test_update_rejections(void **state)
{
	struct fixture *f = *state;
	static const uint8_t other_token[16] = "not-the-token!!!";
	struct tk_teep_msg msg;

	/* An Update before any QueryRequest is not allowed: Error 1. */
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_PERMANENT_ERROR);
	assert_int_equal(f->agent.last_cause, TK_ERR_PROTOCOL);

	/* The Update has its own token (a TAM uses a new one per message): it is
	   accepted and echoed. */
	restart_session(f);
	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(other_token, sizeof(other_token)),
	       &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_int_equal(msg.success.token.len, sizeof(other_token));
	assert_memory_equal(msg.success.token.ptr, other_token, sizeof(other_token));
	assert_int_equal(count_components(f), 1);

	/* A second Update in the same session is not allowed: Error 1. */
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(msg.error.err_code, TK_TEEP_ERR_PERMANENT_ERROR);
	assert_int_equal(msg.error.token.len, sizeof(token));
	assert_int_equal(f->agent.last_cause, TK_ERR_PROTOCOL);
}

static void test_unneeded_manifest_unlinked(void **state)
{
	struct fixture *f = *state;
	struct tk_teep_msg msg;
	struct tk_tee_object_info info;
	uint64_t seq = 0;
	bool found = false;

	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_int_equal(count_components(f), 1);

	/* Unlinking runs the manifest's uninstall section: the TA is removed,
	   the envelope too, and the sequence number stays. */
	restart_session(f);
	query(f, &msg);
	update_lists(f, NULL, 0, example_manifest_id, sizeof(example_manifest_id),
		     tk_span_make(token, sizeof(token)), &msg);
	if (msg.type != TK_TEEP_TYPE_SUCCESS)
		fail_msg("expected Success, got type %d: %.*s", (int)msg.type,
			 (int)msg.error.err_msg.len, (const char *)msg.error.err_msg.ptr);
	assert_int_equal(f->agent.unlinked, 1);
	assert_int_equal(count_components(f), 0);
	assert_int_equal(tk_tee_manifest_info(&f->tee, example_manifest_id,
					      sizeof(example_manifest_id), &info, NULL),
			 TK_ERR_NOT_FOUND);
	assert_int_equal(tk_tee_get_sequence_number(&f->tee, example_manifest_id,
						    sizeof(example_manifest_id), &seq, &found,
						    NULL),
			 TK_OK);
	assert_true(found);
	assert_int_equal(seq, 3);

	/* Unlinking a manifest that is not installed succeeds and changes nothing. */
	restart_session(f);
	query(f, &msg);
	update_lists(f, NULL, 0, example_manifest_id, sizeof(example_manifest_id),
		     tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_SUCCESS);
	assert_int_equal(f->agent.unlinked, 0);

	/* Reinstalling the same sequence number is still a rollback. */
	restart_session(f);
	query(f, &msg);
	update(f, f->envelope, f->envelope_len, tk_span_make(token, sizeof(token)), &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_ERROR);
	assert_int_equal(f->agent.last_cause, TK_ERR_ROLLBACK);
	assert_int_equal(count_components(f), 0);
}

/* Rows: a QueryRequest field the agent does not support and the err-code. */
static void test_query_request_negotiation(void **state)
{
	struct fixture *f = *state;
	static const uint64_t version_1[1] = {1};
	static const uint64_t timestamp_only[1] = {TK_TEEP_FRESHNESS_TIMESTAMP};
	static const int64_t both[2] = {TK_TEEP_ALG_ESP256, TK_TEEP_ALG_ED25519};
	static const uint8_t long_challenge[65] = {0};
	static const struct {
		const char *description;
		int field; /* 0 versions, 1 freshness, 2 no challenge or token,
			      3 long challenge */
		uint64_t err_code;
	} cases[] = {
		{"only version 1 offered", 0, TK_TEEP_ERR_UNSUPPORTED_MSG_VERSION},
		{"only timestamp freshness", 1, TK_TEEP_ERR_UNSUPPORTED_FRESHNESS_MECHANISMS},
		{"attestation without challenge or token", 2, TK_TEEP_ERR_PERMANENT_ERROR},
		{"challenge longer than an EAT nonce", 3, TK_TEEP_ERR_PERMANENT_ERROR},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_teep_msg msg;
		struct tk_teep_msg reply;
		struct tk_span copy = TK_SPAN_EMPTY;
		uint8_t saved[1024];
		size_t len;

		restart_session(f);
		len = encode_query_request(f, both, 2,
					   TK_TEEP_DATA_ATTESTATION | TK_TEEP_DATA_TRUSTED_COMPONENTS);
		/* Decode the encoded request, change one field, encode it again. */
		memcpy(saved, f->payload, len);
		assert_int_equal(tk_teep_decode(saved, len, &msg, NULL), TK_OK);
		if (cases[i].field == 0) {
			msg.query_request.versions.raw = copy;
			msg.query_request.versions.items = version_1;
			msg.query_request.versions.count = 1;
		} else if (cases[i].field == 1) {
			msg.query_request.supported_freshness_mechanisms.items = timestamp_only;
			msg.query_request.supported_freshness_mechanisms.count = 1;
		} else if (cases[i].field == 2) {
			msg.query_request.challenge = TK_SPAN_EMPTY;
			msg.query_request.token = TK_SPAN_EMPTY;
		} else {
			msg.query_request.challenge = tk_span_make(long_challenge,
								   sizeof(long_challenge));
		}
		assert_int_equal(tk_teep_encode(&msg, f->payload, sizeof(f->payload), &len, NULL),
				 TK_OK);
		deliver(f, sign_multi(f, len, &f->tam_p256, 1), TK_OK);
		open_reply(f, &reply);
		if (reply.type != TK_TEEP_TYPE_ERROR || reply.error.err_code != cases[i].err_code)
			fail_msg("%s: expected Error %llu, got type %d err-code %llu",
				 cases[i].description, (unsigned long long)cases[i].err_code,
				 (int)reply.type, (unsigned long long)reply.error.err_code);
		assert_int_equal(reply.error.token.len, cases[i].field == 2 ? 0 : sizeof(token));
		if (cases[i].field == 0)
			assert_int_equal(reply.error.versions.count, 1);
		if (cases[i].field == 1)
			assert_int_equal(reply.error.supported_freshness_mechanisms.count, 1);
	}
}

/* Scripted in-process TAM for tk_teep_agent_run(). */
struct script {
	struct fixture *f;
	int step;
	int fail_at;       /* step that fails with TK_ERR_NETWORK, or -1 */
	bool repeat;       /* reply to every message with the QueryRequest */
	size_t query_len;
	size_t update_len;
	uint8_t query[BUF_CAP / 8];
	uint8_t update[BUF_CAP / 8];
};

static tk_err script_exchange(void *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
			      size_t resp_cap, size_t *resp_len, struct tk_diag *diag)
{
	struct script *s = ctx;

	(void)req;
	*resp_len = 0;
	if (s->step == s->fail_at)
		return TK_FAIL(diag, TK_ERR_NETWORK, "injected transport failure at step %d",
			       s->step);
	if (s->repeat) {
		s->step++;
		memcpy(resp, s->query, s->query_len);
		*resp_len = s->query_len;
		return TK_OK;
	}
	switch (s->step++) {
	case 0: /* empty POST: send the QueryRequest */
		assert_int_equal(req_len, 0);
		assert_true(s->query_len <= resp_cap);
		memcpy(resp, s->query, s->query_len);
		*resp_len = s->query_len;
		break;
	case 1: /* QueryResponse: send the Update */
		assert_true(req_len > 0);
		memcpy(resp, s->update, s->update_len);
		*resp_len = s->update_len;
		break;
	default: /* Success or Error: end the session */
		break;
	}
	return TK_OK;
}

static void test_run_session(void **state)
{
	struct fixture *f = *state;
	static const int64_t both[2] = {TK_TEEP_ALG_ESP256, TK_TEEP_ALG_ED25519};
	struct script *s = calloc(1, sizeof(*s));
	struct tk_transport_ops transport = {script_exchange, s};
	struct tk_span manifest = tk_span_make(f->envelope, f->envelope_len);
	struct tk_teep_msg msg;
	struct tk_diag diag;
	size_t len = 0;
	tk_err err;

	s->f = f;
	s->fail_at = -1;
	s->query_len = sign_multi(f, encode_query_request(f, both, 2, TK_TEEP_DATA_ATTESTATION),
				  &f->tam_p256, 1);
	memcpy(s->query, f->msg, s->query_len);
	memset(&msg, 0, sizeof(msg));
	msg.type = TK_TEEP_TYPE_UPDATE;
	msg.update.token = tk_span_make(token, sizeof(token));
	msg.update.manifest_list.items = &manifest;
	msg.update.manifest_list.count = 1;
	assert_int_equal(tk_teep_encode(&msg, f->payload, sizeof(f->payload), &len, NULL), TK_OK);
	s->update_len = sign_single(f, len, f->tam_p256);
	memcpy(s->update, f->msg, s->update_len);

	tk_diag_clear(&diag);
	err = tk_teep_agent_run(&f->agent, &transport, f->msg, BUF_CAP, f->reply, BUF_CAP, &diag);
	if (err != TK_OK)
		fail_msg("run: %s: %s", tk_err_name(err), diag.msg);
	assert_int_equal(s->step, 3);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_SUCCESS);
	assert_int_equal(count_components(f), 1);

	/* The same session again fails: the manifest is not newer. */
	restart_session(f);
	s->step = 0;
	tk_diag_clear(&diag);
	err = tk_teep_agent_run(&f->agent, &transport, f->msg, BUF_CAP, f->reply, BUF_CAP, &diag);
	assert_int_equal(err, TK_ERR_ROLLBACK);
	assert_non_null(strstr(diag.msg, "err-code 17"));

	/* A transport failure after the QueryResponse ends the session with it. */
	restart_session(f);
	s->step = 0;
	s->fail_at = 1;
	tk_diag_clear(&diag);
	err = tk_teep_agent_run(&f->agent, &transport, f->msg, BUF_CAP, f->reply, BUF_CAP, &diag);
	assert_int_equal(err, TK_ERR_NETWORK);
	assert_non_null(strstr(diag.msg, "injected"));

	/* A TAM that never ends the session is cut off after the round limit. */
	restart_session(f);
	s->step = 0;
	s->fail_at = -1;
	s->repeat = true;
	tk_diag_clear(&diag);
	err = tk_teep_agent_run(&f->agent, &transport, f->msg, BUF_CAP, f->reply, BUF_CAP, &diag);
	assert_int_equal(err, TK_ERR_LIMIT_COUNT);
	assert_int_equal(s->step, TK_TEEP_AGENT_MAX_ROUNDS + 1);
	free(s);
}

/* Store the report of a load of example_component_id (index 0). */
static void save_boot_report(struct fixture *f, const uint8_t *image_digest, tk_err result)
{
	struct tk_suit_manifest manifest;
	struct tk_agent_boot_load load = {&manifest, 0, image_digest, result};
	struct tk_diag diag;

	memset(&manifest, 0, sizeof(manifest));
	memcpy(manifest.digest, example_digest, sizeof(manifest.digest));
	manifest.reference_uri = tk_span_make("https://example.com/ta.suit", 27);
	tk_diag_clear(&diag);
	if (tk_agent_boot_save(f->state_dir, &load, &diag) != TK_OK)
		fail_msg("boot report not saved: %s", diag.msg);
}

/*
 * A stored boot report goes into the QueryResponse of a QueryRequest that
 * requests SUIT reports, with the token as nonce, signed with the report
 * key and encrypted to the TAM. It is removed once sent.
 */
static void test_query_response_boot_report(void **state)
{
	static const uint8_t image[32] = {0x1a, 0x2b, 0x3c};
	static const int64_t p256[1] = {TK_TEEP_ALG_ESP256};
	struct fixture *f = *state;
	struct tk_agent_report *rep = calloc(1, sizeof(*rep));
	struct tk_suit_report *report = calloc(1, sizeof(*report));
	struct tk_agent_boot boot;
	struct tk_crypto_key *tam_enc = NULL;
	uint8_t plain[4096];
	struct tk_teep_msg msg;
	size_t len;

	assert_non_null(rep);
	assert_non_null(report);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &tam_enc, NULL),
			 TK_OK);
	save_boot_report(f, image, TK_OK);
	assert_int_equal(tk_agent_boot_read(&boot, f->state_dir, NULL), TK_OK);
	assert_int_equal(boot.count, 1);
	rep->tee = &f->tee;
	rep->crypto = crypto();
	rep->tam_key = tam_enc;
	rep->boot = &boot;
	f->glue.report = rep;
	f->cfg.tee = tk_agent_tee_ops(&f->glue);
	f->cfg.tee.boot_report = tk_agent_boot_report_write;
	assert_int_equal(tk_teep_agent_init(&f->agent, &f->cfg, NULL), TK_OK);

	/* Without the suit-reports bit nothing is sent. */
	len = encode_query_request(f, p256, 1, TK_TEEP_DATA_TRUSTED_COMPONENTS);
	deliver(f, sign_single(f, len, f->tam_p256), TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.query_response.suit_reports.count, 0);
	assert_int_equal(boot.sent, 0);

	assert_int_equal(tk_teep_agent_init(&f->agent, &f->cfg, NULL), TK_OK);
	len = encode_query_request(f, p256, 1, TK_TEEP_DATA_TRUSTED_COMPONENTS |
					       TK_TEEP_DATA_SUIT_REPORTS);
	deliver(f, sign_single(f, len, f->tam_p256), TK_OK);
	open_reply(f, &msg);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_RESPONSE);
	open_suit_report(f, &msg.query_response.suit_reports, tam_enc, plain, sizeof(plain),
			 report);
	assert_true(report->success);
	assert_memory_equal(report->digest.ptr, example_digest, sizeof(example_digest));
	assert_int_equal(report->record_count, 1);
	assert_int_equal(report->records[0].section, TK_SUIT_SECTION_INVOKE);
	assert_int_equal(report->records[0].component_index, 0);
	assert_non_null(memmem(report->records[0].properties.ptr,
			       report->records[0].properties.len, image, sizeof(image)));
	assert_int_equal(boot.sent, 1);

	assert_int_equal(tk_agent_boot_remove_sent(&boot, NULL), TK_OK);
	tk_agent_boot_free(&boot);
	assert_int_equal(tk_agent_boot_read(&boot, f->state_dir, NULL), TK_OK);
	assert_int_equal(boot.count, 0);
	tk_agent_boot_free(&boot);
	f->glue.report = NULL;
	tk_crypto_key_free(tam_enc);
	free(report);
	free(rep);
}

/* The state folder keeps the newest TK_AGENT_BOOT_REPORTS_MAX reports. */
static void test_boot_reports_bounded(void **state)
{
	struct fixture *f = *state;
	struct tk_agent_boot boot;
	struct tk_suit_report *report = calloc(1, sizeof(*report));
	struct stat st;
	char path[256];

	assert_non_null(report);
	for (size_t i = 0; i < TK_AGENT_BOOT_REPORTS_MAX + 2; i++)
		save_boot_report(f, NULL, TK_ERR_DIGEST_MISMATCH);
	assert_int_equal(tk_agent_boot_read(&boot, f->state_dir, NULL), TK_OK);
	assert_int_equal(boot.count, TK_AGENT_BOOT_REPORTS_MAX);
	assert_int_equal(boot.sequence[0], 3);
	assert_int_equal(boot.sequence[TK_AGENT_BOOT_REPORTS_MAX - 1],
			 TK_AGENT_BOOT_REPORTS_MAX + 2);

	/* A failed load is reported as failed, without a measured digest. */
	assert_int_equal(tk_suit_report_decode(boot.reports[0], boot.lens[0], report, NULL),
			 TK_OK);
	assert_false(report->success);
	assert_int_equal(report->result_code, TK_ERR_DIGEST_MISMATCH);
	assert_int_equal(report->nonce.len, 0);
	tk_agent_boot_free(&boot);

	snprintf(path, sizeof(path), "%s/%s/%020d.cbor", f->state_dir, TK_AGENT_BOOT_DIR, 3);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_query_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passport_nonce_is_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_installs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lower_sequence_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_request_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unneeded_manifest_unlinked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unneeded_same_id_unlinked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_request_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suit_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suit_report_unsupported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_response_boot_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_reports_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
