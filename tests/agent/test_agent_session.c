/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole TEEP sessions in one process. The agent state machine on the
 * simulated TEE talks to the TAM state machine on an SQLite store through
 * an in-process struct tk_transport_ops. That transport behaves as the HTTP
 * glue does (a message the TAM rejects becomes the empty response) and can
 * inject faults: a replayed message, a corrupted one, a lost response.
 * The TAM's records are set up with the store calls teep-tam's admin
 * commands make, using the SUIT example envelope and its signer key.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vector_io.h"
#include "agent/tk_agent_tee.h"
#include "cose/tk_cose.h"
#include "store/tk_store.h"
#include "store/tk_store_sqlite.h"
#include "suit/tk_suit.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_agent.h"
#include "teep/tk_teep_attest.h"
#include "teep/tk_teep_tam.h"

#define BUF_CAP (256u * 1024u)

/* Fixed clock of the TAM, in seconds since the epoch. */
#define NOW 1796400000

/* Component id of the TA in the draft's suit_integrated example. */
static const uint8_t example_component_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74,
	0x42, 't', 'a',
};

/* SHA-256 of 'Hello, Secure World!', the image digest in the example. */
static const uint8_t example_digest[32] = {
	0x8c, 0xf7, 0x1a, 0xc8, 0x6a, 0xf3, 0x1b, 0xe1, 0x84, 0xec, 0x7a, 0x05, 0xa4, 0x11,
	0xa8, 0xc3, 0xa1, 0x4f, 0xd9, 0xb7, 0x7a, 0x30, 0xd0, 0x46, 0x39, 0x74, 0x81, 0x46,
	0x94, 0x68, 0xec, 0xe8,
};

static const uint8_t example_vendor_id[16] = {
	0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60,
	0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f,
};
static const uint8_t example_class_id[16] = {
	0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba,
	0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e,
};

/* Faults the in-process transport injects. */
enum fault {
	FAULT_NONE = 0,
	FAULT_REPLAY,  /* deliver the agent's QueryResponse to the TAM twice */
	FAULT_CORRUPT, /* flip a bit of the TAM's Update on its way */
	FAULT_LOSE,    /* lose the TAM's Update, so the session ends for the agent */
};

/* The TAM end of the in-process transport. */
struct wire {
	struct tk_teep_tam tam;
	enum fault fault;
	int exchanges;
	tk_err replay_result;     /* what the TAM returned for the replay */
	uint8_t saved[BUF_CAP / 4];
	size_t saved_len;
};

struct fixture {
	char dir[64];
	char path[128];
	struct tk_tee tee;
	struct tk_store store;
	struct tk_crypto_key *tam_p256;
	struct tk_crypto_key *tam_ed25519;
	struct tk_crypto_key *signer;
	struct tk_agent_tee glue;
	struct tk_teep_agent_config cfg;
	struct tk_teep_agent agent;
	struct wire wire;
	uint8_t *tam_work;
	uint8_t *work;
	uint8_t *buf;
	uint8_t *reply;
	uint8_t *envelope;
	size_t envelope_len;
};

static const struct tk_crypto *crypto(void)
{
	return tk_crypto_openssl();
}

/* Enroll the TEE key with the TAM. */
static void enroll_agent(struct fixture *f)
{
	const struct tk_crypto_key *tee_key = NULL;
	struct tk_store_agent_key key;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	assert_int_equal(tk_tee_signing_key(&f->tee, &tee_key, NULL), TK_OK);
	memset(&key, 0, sizeof(key));
	key.alg = tk_cose_alg_for_key(tee_key);
	key.enrolled_at = NOW;
	assert_int_equal(tk_cose_key_thumbprint_crypto(crypto(), tee_key, key.kid, NULL), TK_OK);
	assert_int_equal(tk_cose_key_encode_public(tee_key, TK_SPAN_EMPTY, key.alg, key.pubkey,
						   sizeof(key.pubkey), &key.pubkey_len, NULL),
			 TK_OK);
	assert_int_equal(tk_store_begin(&f->store, &diag), TK_OK);
	if (tk_store_agent_key_add(&f->store, &key, &diag) != TK_OK)
		fail_msg("enrolment failed: %s", diag.msg);
	assert_int_equal(tk_store_commit(&f->store, &diag), TK_OK);
}

/* Register an envelope signed by the example key and require it for all. */
static void require_manifest(struct fixture *f, const uint8_t *envelope, size_t envelope_len)
{
	struct tk_store_manifest rec;
	struct tk_suit_envelope env;
	struct tk_suit_manifest manifest;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	assert_int_equal(tk_suit_decode_envelope(envelope, envelope_len, &env, NULL), TK_OK);
	assert_int_equal(tk_suit_authenticate(&env, crypto(),
					      (const struct tk_crypto_key *const *)&f->signer, 1,
					      &manifest, NULL),
			 TK_OK);
	memset(&rec, 0, sizeof(rec));
	rec.component_id = manifest.manifest_component_id;
	rec.sequence = manifest.sequence_number;
	rec.digest = tk_span_make(manifest.digest, sizeof(manifest.digest));
	rec.image_digest = tk_span_make(example_digest, sizeof(example_digest));
	rec.envelope = tk_span_make(envelope, envelope_len);

	assert_int_equal(tk_store_begin(&f->store, &diag), TK_OK);
	if (tk_store_manifest_add(&f->store, &rec, NOW, &diag) != TK_OK ||
	    tk_store_policy_add(&f->store, manifest.manifest_component_id, TK_SPAN_EMPTY, NOW,
				&diag) != TK_OK)
		fail_msg("store setup failed: %s", diag.msg);
	assert_int_equal(tk_store_commit(&f->store, &diag), TK_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_tee_sim_config sim;
	struct tk_teep_tam_config tam;
	char path[512];
	uint8_t *pem;
	size_t pem_len = 0;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-agent-session-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/tee", f->dir);
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = f->path;
	sim.create = true;
	sim.create_alg = TK_COSE_ALG_ED25519;
	assert_int_equal(tk_tee_sim_open(&sim, &f->tee, NULL), TK_OK);
	snprintf(f->path, sizeof(f->path), "%s/tam.sqlite", f->dir);
	assert_int_equal(tk_store_sqlite_open(f->path, &f->store, NULL), TK_OK);

	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &f->tam_p256, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_ED25519, &f->tam_ed25519,
						NULL),
			 TK_OK);
	snprintf(path, sizeof(path), "%s/suit/manifest-spec/private_key.pem", TK_VECTORS_DIR);
	pem = vector_read_file(path, &pem_len);
	assert_int_equal(tk_crypto_key_import_pem(crypto(), pem, pem_len, &f->signer, NULL), TK_OK);
	free(pem);
	f->envelope = vector_read_hex("suit_integrated.hex.txt", &f->envelope_len);
	enroll_agent(f);

	f->tam_work = malloc(BUF_CAP);
	f->work = malloc(BUF_CAP);
	f->buf = malloc(BUF_CAP);
	f->reply = malloc(BUF_CAP);
	memset(&tam, 0, sizeof(tam));
	tam.crypto = crypto();
	tam.store = &f->store;
	tam.esp256_key = f->tam_p256;
	tam.ed25519_key = f->tam_ed25519;
	tam.work = f->tam_work;
	tam.work_cap = BUF_CAP;
	assert_int_equal(tk_teep_tam_init(&f->wire.tam, &tam, NULL), TK_OK);

	f->glue.tee = &f->tee;
	f->glue.crypto = crypto();
	f->glue.trust_anchors = (const struct tk_crypto_key *const *)&f->signer;
	f->glue.n_trust_anchors = 1;
	f->glue.has_vendor_id = true;
	memcpy(f->glue.vendor_id, example_vendor_id, 16);
	f->glue.has_class_id = true;
	memcpy(f->glue.class_id, example_class_id, 16);
	f->cfg.crypto = crypto();
	f->cfg.tam_keys[0] = f->tam_p256;
	f->cfg.tam_keys[1] = f->tam_ed25519;
	f->cfg.n_tam_keys = 2;
	f->cfg.tee = tk_agent_tee_ops(&f->glue);
	f->cfg.device.oemid = tk_span_make("\x89\x48\x23", 3);
	f->cfg.device.hwmodel = tk_span_make("test-model", 10);
	f->cfg.device.hwversion = "1.3.4";
	f->cfg.device.agent_uri = "urn:teepkit:test-agent";
	f->cfg.work = f->work;
	f->cfg.work_cap = BUF_CAP;
	f->cfg.tam_uri = "in-process";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	tk_tee_close(&f->tee);
	tk_store_sqlite_close(&f->store);
	tk_crypto_key_free(f->tam_p256);
	tk_crypto_key_free(f->tam_ed25519);
	tk_crypto_key_free(f->signer);
	free(f->envelope);
	free(f->tam_work);
	free(f->work);
	free(f->buf);
	free(f->reply);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Pass one request to the TAM as the HTTP glue does: a rejected message
   gets the empty response. */
static tk_err tam_exchange(struct wire *w, const uint8_t *req, size_t req_len, uint8_t *resp,
			   size_t resp_cap, size_t *resp_len, struct tk_diag *diag)
{
	tk_err err = tk_teep_tam_process(&w->tam, NOW, req, req_len, resp, resp_cap, resp_len,
					 diag);

	if (err != TK_OK && tk_teep_tam_is_drop(err)) {
		*resp_len = 0;
		return TK_OK;
	}
	return err;
}

static tk_err wire_exchange(void *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
			    size_t resp_cap, size_t *resp_len, struct tk_diag *diag)
{
	struct wire *w = ctx;
	int step = w->exchanges++;
	tk_err err;

	/* Step 1 carries the QueryResponse; keep it for the replay. */
	if (step == 1 && req_len <= sizeof(w->saved)) {
		memcpy(w->saved, req, req_len);
		w->saved_len = req_len;
	}
	err = tam_exchange(w, req, req_len, resp, resp_cap, resp_len, diag);
	if (err != TK_OK || step != 1)
		return err;

	/* The response to step 1 is the Update. */
	if (w->fault == FAULT_REPLAY) {
		uint8_t scratch[BUF_CAP / 4];
		size_t scratch_len = 0;
		struct tk_diag replay_diag;

		tk_diag_clear(&replay_diag);
		w->replay_result = tk_teep_tam_process(&w->tam, NOW, w->saved, w->saved_len,
						       scratch, sizeof(scratch), &scratch_len,
						       &replay_diag);
	}
	if (w->fault == FAULT_CORRUPT && *resp_len > 20)
		resp[*resp_len - 10] ^= 0x01;
	if (w->fault == FAULT_LOSE)
		*resp_len = 0;
	return TK_OK;
}

static tk_err run_session(struct fixture *f, enum fault fault, struct tk_diag *diag)
{
	struct tk_transport_ops transport = {wire_exchange, &f->wire};

	f->wire.fault = fault;
	f->wire.exchanges = 0;
	tk_diag_clear(diag);
	assert_int_equal(tk_teep_agent_init(&f->agent, &f->cfg, NULL), TK_OK);
	return tk_teep_agent_run(&f->agent, &transport, f->buf, BUF_CAP, f->reply, BUF_CAP, diag);
}

static bool installed(struct fixture *f)
{
	struct tk_tee_object_info info;

	if (tk_tee_component_info(&f->tee, example_component_id, sizeof(example_component_id),
				  &info, NULL) != TK_OK)
		return false;
	assert_memory_equal(info.digest, example_digest, 32);
	return true;
}

static void test_session_installs_by_policy(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;
	tk_err err;

	require_manifest(f, f->envelope, f->envelope_len);
	err = run_session(f, FAULT_NONE, &diag);
	if (err != TK_OK)
		fail_msg("session: %s: %s", tk_err_name(err), diag.msg);
	assert_int_equal(f->wire.exchanges, 3);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_SUCCESS);
	assert_int_equal(f->agent.alg, TK_COSE_ALG_ED25519);
	assert_true(installed(f));
	/* NOTE: the second session is checked in the next test, with a
	   manifest whose manifest component id equals its component id, as
	   `teep manifest` builds them. This TAM matches tc-list entries against
	   manifest component ids. The example's ids differ ('suit' and 'ta'
	   last), so the TAM would offer the example again and the agent would
	   refuse it as not newer. */
}

static void test_session_second_check_idle(void **state)
{
	struct fixture *f = *state;
	static const uint8_t image[] = "Hello, Secure World!";
	struct tk_suit_build_params p;
	uint8_t *envelope = malloc(BUF_CAP);
	size_t envelope_len = 0;
	struct tk_diag diag;
	tk_err err;

	memset(&p, 0, sizeof(p));
	p.component_id = tk_span_make(example_component_id, sizeof(example_component_id));
	p.manifest_component_id = p.component_id;
	p.sequence_number = 5;
	p.image = tk_span_make(image, sizeof(image) - 1);
	p.integrated_name = "#tc";
	p.signer = f->signer;
	p.crypto = crypto();
	assert_int_equal(tk_suit_build_envelope(&p, envelope, BUF_CAP, &envelope_len, NULL), TK_OK);
	require_manifest(f, envelope, envelope_len);

	err = run_session(f, FAULT_NONE, &diag);
	if (err != TK_OK)
		fail_msg("session: %s: %s", tk_err_name(err), diag.msg);
	assert_true(installed(f));

	/* The next session finds the TA installed: no Update, nothing changes. */
	err = run_session(f, FAULT_NONE, &diag);
	if (err != TK_OK)
		fail_msg("second session: %s: %s", tk_err_name(err), diag.msg);
	assert_int_equal(f->wire.exchanges, 2);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_QUERY_RESPONSE);
	assert_int_equal(f->agent.installed, 0);
	assert_true(installed(f));
	free(envelope);
}

static void test_session_replayed_response_dropped(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;
	tk_err err;

	require_manifest(f, f->envelope, f->envelope_len);

	/* The TAM drops the second copy of the QueryResponse; the session that
	   delivered the first one completes. */
	err = run_session(f, FAULT_REPLAY, &diag);
	if (err != TK_OK)
		fail_msg("session: %s: %s", tk_err_name(err), diag.msg);
	assert_true(tk_teep_tam_is_drop(f->wire.replay_result));
	assert_true(installed(f));
}

static void test_session_corrupt_update_dropped(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;

	require_manifest(f, f->envelope, f->envelope_len);

	/* A bit flipped in the Update's signature: the agent drops it, sends
	   nothing, and installs nothing. */
	assert_int_equal(run_session(f, FAULT_CORRUPT, &diag), TK_ERR_UNTRUSTED);
	assert_int_equal(f->agent.last_sent, TK_TEEP_AGENT_SENT_QUERY_RESPONSE);
	assert_false(installed(f));
}

static void test_session_lost_update(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;

	require_manifest(f, f->envelope, f->envelope_len);

	/* The Update never arrives: the session ends after the QueryResponse
	   without an install, and a later session installs the TA. */
	assert_int_equal(run_session(f, FAULT_LOSE, &diag), TK_OK);
	assert_false(installed(f));
	assert_int_equal(run_session(f, FAULT_NONE, &diag), TK_OK);
	assert_true(installed(f));
}

/*
 * An agent with the TAM's encryption key sends its evidence as a tagged
 * COSE_Encrypt with the encrypted-evidence format; the TAM, given the
 * private part, decrypts and appraises it, and the TA is installed.
 */
static void test_session_encrypted_evidence(void **state)
{
	struct fixture *f = *state;
	struct tk_cose_headers body, signer;
	struct tk_crypto_key *enc = NULL;
	struct tk_teep_tam_config tam;
	struct tk_teep_msg msg;
	struct tk_span payload;
	struct tk_diag diag;
	tk_err err;

	assert_int_equal(tk_crypto_key_generate(crypto(), TK_CRYPTO_KEY_P256, &enc, NULL), TK_OK);
	tam = f->wire.tam.cfg;
	tam.evidence_key = enc;
	assert_int_equal(tk_teep_tam_init(&f->wire.tam, &tam, NULL), TK_OK);
	f->cfg.tam_encryption_key = enc;
	require_manifest(f, f->envelope, f->envelope_len);

	err = run_session(f, FAULT_NONE, &diag);
	if (err != TK_OK)
		fail_msg("session: %s: %s", tk_err_name(err), diag.msg);
	assert_true(installed(f));

	/* The QueryResponse the TAM got. */
	assert_int_equal(tk_cose_peek(f->wire.saved, f->wire.saved_len, &body, &signer, &payload,
				      NULL), TK_OK);
	assert_int_equal(tk_teep_decode(payload.ptr, payload.len, &msg, NULL), TK_OK);
	assert_int_equal(msg.type, TK_TEEP_TYPE_QUERY_RESPONSE);
	assert_true(msg.query_response.has_attestation_payload_format);
	assert_int_equal(msg.query_response.attestation_payload_format.len,
			 strlen(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE));
	assert_memory_equal(msg.query_response.attestation_payload_format.ptr,
			    TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE,
			    strlen(TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE));
	assert_true(msg.query_response.attestation_payload.len > 2);
	assert_int_equal(msg.query_response.attestation_payload.ptr[0], 0xd8);
	assert_int_equal(msg.query_response.attestation_payload.ptr[1], 96);
	tk_crypto_key_free(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_installs_by_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_second_check_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_replayed_response_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_corrupt_update_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_lost_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_encrypted_evidence, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
