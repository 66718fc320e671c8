/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for attestation results: the strict EAR decoder, the
 * JSON-to-CBOR transcoder, JWT verification, and the relying-party check
 * on the input as a CWT or JWT. Property: a decoded result encodes to
 * bytes that decode to the same result.
 */
// fuzz-libs: tk_ear_json tk_eat tk_cose tk_cbor tk_crypto tk_common
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eat/tk_ear_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness keeps one key for the whole run; libraries keep no state. */
static struct tk_crypto_key *fuzz_key;

static void check_reencode(const struct tk_ear *ear)
{
	static uint8_t out[TK_EAR_MAX_SIZE];
	static struct tk_ear again;
	size_t len = 0;

	if (tk_ear_encode(ear, out, sizeof(out), &len, NULL) != TK_OK)
		return;
	if (tk_ear_decode(out, len, &again, NULL) != TK_OK)
		abort();
	if (again.submod_count != ear->submod_count || again.iat != ear->iat ||
	    !tk_span_equal(again.nonce, ear->nonce) ||
	    tk_ear_overall_status(&again) != tk_ear_overall_status(ear))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static uint8_t cbor[TK_EAR_MAX_SIZE];
	static struct tk_ear ear;
	static struct tk_ear_decision decision;
	struct tk_ear_expect expect = {0};
	const struct tk_crypto_key *keys[1];
	size_t cbor_len = 0;

	if (fuzz_key == NULL &&
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &fuzz_key, NULL) != TK_OK)
		abort();
	keys[0] = fuzz_key;

	if (tk_ear_decode(data, size, &ear, NULL) == TK_OK)
		check_reencode(&ear);
	if (tk_ear_json_to_cbor((const char *)data, size, cbor, sizeof(cbor), &cbor_len,
				NULL) == TK_OK &&
	    tk_ear_decode(cbor, cbor_len, &ear, NULL) == TK_OK)
		check_reencode(&ear);
	(void)tk_ear_verify_jwt(c, (const char *)data, size, keys, 1, cbor, sizeof(cbor),
				&ear, NULL, NULL);

	expect.verifier_key = fuzz_key;
	expect.nonce = tk_span_make("12345678", 8);
	if (tk_ear_check(c, data, size, &expect, &decision, NULL) == TK_OK &&
	    !decision.affirming)
		abort();
	return 0;
}
