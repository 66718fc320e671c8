// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_teep tk_store tk_eat tk_cose tk_cbor tk_crypto tk_common
//
// Feed the TAM state machine agent messages. The first input byte picks the
// mode. With 0 the rest is the raw message (COSE parsing, kid lookup). With
// any other value the rest is signed as the TEEP payload of a COSE_Sign1 by
// an enrolled agent key. So the fuzzer reaches the handlers behind the
// signature check too (message decoding, evidence, sessions, results). The
// store is an SQLite file in a temporary folder made once per process. A
// session is opened first so challenges exist. Every call must either
// return a message or fail cleanly.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "store/tk_store_sqlite.h"
#include "teep/tk_teep_tam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Largest input processed; longer inputs are ignored.
#define MAX_INPUT (32u * 1024u)

static uint8_t message[MAX_INPUT + 256];
static uint8_t reply[64u * 1024u];
static uint8_t work[128u * 1024u];

static struct tk_store store;
static struct tk_teep_tam tam;
static struct tk_crypto_key *agent_key;
static int64_t now = 1796428800;

static struct tk_crypto_key *generate(enum tk_crypto_key_type type)
{
	struct tk_crypto_key *key = NULL;

	if (tk_crypto_key_generate(tk_crypto_openssl(), type, &key, NULL) != TK_OK)
		abort();
	return key;
}

static void enroll(const struct tk_crypto_key *key)
{
	struct tk_store_agent_key rec = {.alg = tk_cose_alg_for_key(key)};

	if (tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, rec.kid, NULL) != TK_OK ||
	    tk_cose_key_encode_public(key, TK_SPAN_EMPTY, rec.alg, rec.pubkey,
				      sizeof(rec.pubkey), &rec.pubkey_len, NULL) != TK_OK ||
	    tk_store_agent_key_add(&store, &rec, NULL) != TK_OK)
		abort();
}

static char dir[] = "/tmp/tk-fuzz-tam-XXXXXX";

// Remove the database and its folder when the fuzzer exits.
static void cleanup(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char path[64];

	tk_store_sqlite_close(&store);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s/tam.sqlite%s", dir, suffixes[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	char path[64];
	struct tk_teep_tam_config cfg = {0};
	size_t len = 0;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/tam.sqlite", dir);
	if (tk_store_sqlite_open(path, &store, NULL) != TK_OK)
		abort();
	atexit(cleanup);
	agent_key = generate(TK_CRYPTO_KEY_P256);
	enroll(agent_key);

	cfg.crypto = tk_crypto_openssl();
	cfg.store = &store;
	cfg.esp256_key = generate(TK_CRYPTO_KEY_P256);
	cfg.ed25519_key = generate(TK_CRYPTO_KEY_ED25519);
	cfg.work = work;
	cfg.work_cap = sizeof(work);
	if (tk_teep_tam_init(&tam, &cfg, NULL) != TK_OK ||
	    tk_teep_tam_process(&tam, now, NULL, 0, reply, sizeof(reply), &len, NULL) != TK_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *in = data + 1;
	size_t in_len = size - 1, out_len = 0;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2 || size - 1 > MAX_INPUT)
		return 0;

	if (data[0] != 0) {
		struct tk_cose_signer signer = {
			.key = agent_key, .alg = TK_COSE_ALG_ESP256, .kid_thumbprint = true,
		};
		struct tk_cose_sign_opts opts = {.tagged = true};

		if (tk_cose_sign1_create(tk_crypto_openssl(), &signer, data + 1, size - 1, &opts,
					 message, sizeof(message), &in_len, NULL) != TK_OK)
			return 0;
		in = message;
	}

	tk_err err = tk_teep_tam_process(&tam, now, in, in_len, reply, sizeof(reply),
					 &out_len, NULL);
	if (err != TK_OK && out_len != 0)
		abort();
	return 0;
}
