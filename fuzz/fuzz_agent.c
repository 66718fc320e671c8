// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_teep tk_eat tk_cose tk_cbor tk_crypto tk_common
//
// Feed the agent state machine TEEP payloads that a trusted TAM signed, so
// the fuzzer reaches the handlers behind the signature check: the input is
// signed as a COSE_Sign1 with a fixed TAM key and processed in a fresh
// session; when the agent replies with a QueryResponse, the same payload is
// processed again in the QUERIED state. The TEE is an in-memory fake with
// one installed component whose manifest hooks fail, so no input can make
// the agent report a manifest as installed. Every call must either reply
// or fail cleanly.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "teep/tk_teep_agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Largest payload signed; longer inputs are ignored.
#define MAX_INPUT (32u * 1024u)

static uint8_t message[MAX_INPUT + 256];
static uint8_t reply[64u * 1024u];
static uint8_t work[64u * 1024u];

static struct tk_crypto_key *tam_key;
static struct tk_crypto_key *tee_key;

static const uint8_t component_id[] = {0x81, 0x41, 0x01};

static tk_err fake_signing_key(void *ctx, const struct tk_crypto_key **key, int64_t *alg,
			       struct tk_diag *diag)
{
	(void)ctx;
	(void)diag;
	*key = tee_key;
	*alg = TK_COSE_ALG_ED25519;
	return TK_OK;
}

static tk_err fake_ueid(void *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
			struct tk_diag *diag)
{
	(void)ctx;
	if (out_cap < 33)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL, "UEID buffer");
	memset(out, 0x01, 33);
	*out_len = 33;
	return TK_OK;
}

static tk_err fake_list(void *ctx, tk_teep_agent_visit_fn visit, void *visit_ctx,
			struct tk_diag *diag)
{
	struct tk_teep_agent_component c;

	(void)ctx;
	(void)diag;
	memset(&c, 0, sizeof(c));
	c.id = tk_span_make(component_id, sizeof(component_id));
	c.sequence_number = 1;
	return visit(visit_ctx, &c);
}

static tk_err fake_unlink(void *ctx, const uint8_t *id, size_t id_len, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no manifest installed");
}

static tk_err fake_process(void *ctx, const uint8_t *envelope, size_t envelope_len,
			   struct tk_teep_agent_manifest_name *name, struct tk_diag *diag)
{
	(void)ctx;
	(void)envelope;
	(void)envelope_len;
	(void)name;
	return TK_FAIL(diag, TK_ERR_SIGNATURE, "fuzz TEE installs nothing");
}

static void init_keys(void)
{
	if (tam_key != NULL)
		return;
	if (tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519, &tam_key, NULL) !=
		    TK_OK ||
	    tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519, &tee_key, NULL) !=
		    TK_OK)
		abort();
}

static size_t sign(const uint8_t *data, size_t size)
{
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;
	size_t len = 0;

	memset(&signer, 0, sizeof(signer));
	memset(&opts, 0, sizeof(opts));
	signer.key = tam_key;
	signer.alg = TK_COSE_ALG_ED25519;
	opts.tagged = true;
	if (tk_cose_sign1_create(tk_crypto_openssl(), &signer, data, size, &opts, message,
				 sizeof(message), &len, NULL) != TK_OK)
		abort();
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_teep_agent_config cfg;
	struct tk_teep_agent agent;
	size_t len;
	size_t reply_len = 0;
	tk_err err;

	if (size > MAX_INPUT)
		return 0;
	init_keys();
	memset(&cfg, 0, sizeof(cfg));
	cfg.crypto = tk_crypto_openssl();
	cfg.tam_keys[0] = tam_key;
	cfg.n_tam_keys = 1;
	cfg.tee.signing_key = fake_signing_key;
	cfg.tee.ueid = fake_ueid;
	cfg.tee.list_components = fake_list;
	cfg.tee.unlink_manifest = fake_unlink;
	cfg.tee.process_manifest = fake_process;
	cfg.device.oemid = tk_span_make("\x89\x48\x23", 3);
	cfg.device.hwmodel = tk_span_make("fuzz", 4);
	cfg.device.hwversion = "1.0";
	cfg.device.agent_uri = "urn:teepkit:fuzz";
	cfg.work = work;
	cfg.work_cap = sizeof(work);
	if (tk_teep_agent_init(&agent, &cfg, NULL) != TK_OK)
		abort();

	len = sign(data, size);
	err = tk_teep_agent_process(&agent, message, len, reply, sizeof(reply), &reply_len, NULL);
	if (err != TK_OK && reply_len != 0)
		abort();
	if (err != TK_OK || agent.last_sent != TK_TEEP_AGENT_SENT_QUERY_RESPONSE)
		return 0;

	// Second message of the session: the same payload, now as an Update candidate.
	err = tk_teep_agent_process(&agent, message, len, reply, sizeof(reply), &reply_len, NULL);
	if (err != TK_OK && reply_len != 0)
		abort();
	if (agent.installed != 0)
		abort();
	return 0;
}
