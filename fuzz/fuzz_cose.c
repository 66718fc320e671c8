/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the COSE decoders. The first input byte selects the
 * function the rest is fed to. The choices are COSE_Sign1 or COSE_Sign
 * verification against fixed test keys (with and without external AAD or a
 * detached payload), COSE_Mac0 verification, tk_cose_peek(), and COSE_Key
 * decoding followed by import and thumbprint. COSE_Encrypt0 and
 * COSE_Encrypt are decrypted with fixed secrets (direct, AES key wrap and
 * ECDH-ES recipients). Properties checked: a successful verification
 * returns views inside the input (or the detached payload), and failures
 * leave the outputs empty.
 */
// fuzz-libs: tk_cose tk_cbor tk_crypto tk_common
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Test keys: the RFC 8032 TEST 1 seed and the COSE WG example key "11". */
static const uint8_t ed25519_seed[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4,
	0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
	0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
static const uint8_t p256_d[32] = {
	0x57, 0xc9, 0x20, 0x77, 0x66, 0x41, 0x46, 0xe8, 0x76, 0x76, 0x0c, 0x95,
	0x20, 0xd0, 0x54, 0xaa, 0x93, 0xc3, 0xaf, 0xb0, 0x4e, 0x30, 0x67, 0x05,
	0xdb, 0x60, 0x90, 0x30, 0x85, 0x07, 0xb4, 0xd3,
};
static const uint8_t mac_key[32] = {
	0x84, 0x9b, 0x57, 0x21, 0x9d, 0xae, 0x48, 0xde, 0x64, 0x6d, 0x07, 0xdb,
	0xb5, 0x33, 0x56, 0x6e, 0x97, 0x66, 0x86, 0x45, 0x7c, 0x14, 0x91, 0xbe,
	0x3a, 0x76, 0xdc, 0xea, 0x6c, 0x42, 0x71, 0x88,
};
/* Content key and KEK "our-secret", and the ECDH key "meriadoc" of the
   COSE WG examples. */
static const uint8_t secret16[16] = {
	0x84, 0x9b, 0x57, 0x21, 0x9d, 0xae, 0x48, 0xde,
	0x64, 0x6d, 0x07, 0xdb, 0xb5, 0x33, 0x56, 0x6e,
};
static const uint8_t ecdh_d[32] = {
	0xaf, 0xf9, 0x07, 0xc9, 0x9f, 0x9a, 0xd3, 0xaa, 0xe6, 0xc4, 0xcd, 0xf2,
	0x11, 0x22, 0xbc, 0xe2, 0xbd, 0x68, 0xb5, 0x28, 0x3e, 0x69, 0x07, 0x15,
	0x4a, 0xd9, 0x11, 0x84, 0x0f, 0xa2, 0x08, 0xcf,
};
static const uint8_t aad[] = {0x11, 0xaa, 0x22, 0xbb, 0x33, 0xcc, 0x44, 0xdd,
			      0x55, 0x00, 0x66, 0x99};
static const uint8_t detached[] = "This is the content.";

/* Keys live for the whole run; the fuzzer process owns them. */
static struct tk_cose_trusted_key trusted[2];
static struct tk_crypto_key *ecdh_key;

static void load_keys(void)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static const uint8_t kid11[] = {'1', '1'};
	struct tk_crypto_key *p256 = NULL;
	struct tk_crypto_key *ed = NULL;

	if (trusted[0].key != NULL)
		return;
	if (tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, p256_d, 32, &p256, NULL) !=
		    TK_OK ||
	    tk_crypto_key_import_private(c, TK_CRYPTO_KEY_ED25519, ed25519_seed, 32, &ed,
					 NULL) != TK_OK ||
	    tk_crypto_key_import_private(c, TK_CRYPTO_KEY_P256, ecdh_d, 32, &ecdh_key,
					 NULL) != TK_OK)
		abort();
	trusted[0] = (struct tk_cose_trusted_key){p256, tk_span_make(kid11, 2)};
	trusted[1] = (struct tk_cose_trusted_key){ed, TK_SPAN_EMPTY};
}

/* A returned span must lie inside the input or the detached payload. */
static void check_view(struct tk_span view, const uint8_t *in, size_t in_len)
{
	bool in_input = view.ptr >= in && view.ptr + view.len <= in + in_len;
	bool in_detached = view.ptr >= detached &&
			   view.ptr + view.len <= detached + sizeof(detached);

	if (view.len > 0 && !in_input && !in_detached)
		abort();
}

static void check_result(tk_err err, const struct tk_cose_verified *out,
			 const uint8_t *in, size_t in_len)
{
	if (err != TK_OK) {
		if (out->payload.ptr != NULL || out->body.kid.len != 0)
			abort();
		return;
	}
	check_view(out->payload, in, in_len);
	check_view(out->body.kid, in, in_len);
	check_view(out->signer.protected_raw, in, in_len);
}

/* Decrypt as COSE_Encrypt0 or COSE_Encrypt; failures must return nothing. */
static void fuzz_decrypt(const uint8_t *in, size_t len, bool encrypt0, uint8_t selector)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static uint8_t out[65536];
	size_t out_len = 1;
	struct tk_cose_decrypted result;
	struct tk_cose_decrypt_opts opts = {
		.cek = secret16,
		.cek_len = sizeof(secret16),
		.kek = secret16,
		.kek_len = sizeof(secret16),
		.recipient_key = ecdh_key,
	};
	tk_err err;

	if (selector & 0x10)
		opts.external_aad = tk_span_make(aad, sizeof(aad));
	err = encrypt0 ? tk_cose_encrypt0_decrypt(c, in, len, &opts, out, sizeof(out),
						  &out_len, &result, NULL)
		       : tk_cose_encrypt_decrypt(c, in, len, &opts, out, sizeof(out), &out_len,
						 &result, NULL);
	if (err != TK_OK && out_len != 0)
		abort();
	if (err == TK_OK) {
		if (out_len > len)
			abort();
		check_view(result.body.iv, in, len);
	}
}

static void fuzz_key(const uint8_t *in, size_t len)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_cose_key key;
	struct tk_crypto_key *ckey = NULL;
	uint8_t thumbprint[TK_CRYPTO_SHA256_LEN];

	if (tk_cose_key_decode(in, len, &key, NULL) != TK_OK)
		return;
	check_view(key.x, in, len);
	check_view(key.d, in, len);
	(void)!tk_cose_key_thumbprint(c, &key, thumbprint, NULL);
	if (tk_cose_key_to_crypto(c, &key, &ckey, NULL) == TK_OK) {
		if (tk_cose_key_thumbprint_crypto(c, ckey, thumbprint, NULL) != TK_OK)
			abort();
		tk_crypto_key_free(ckey);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_cose_verify_opts opts;
	struct tk_cose_verified out;
	struct tk_cose_headers body, signer;
	struct tk_span payload;
	const uint8_t *in = data + 1;
	size_t len;
	tk_err err;

	if (size < 1)
		return 0;
	len = size - 1;
	load_keys();

	/* Bits 4-5 of the selector: external AAD, detached payload. */
	memset(&opts, 0, sizeof(opts));
	opts.keys = trusted;
	opts.n_keys = 2;
	if (data[0] & 0x10)
		opts.external_aad = tk_span_make(aad, sizeof(aad));
	if (data[0] & 0x20) {
		opts.detached = true;
		opts.detached_payload = tk_span_make(detached, sizeof(detached) - 1);
	}

	switch (data[0] & 0x07) {
	case 0:
		err = tk_cose_sign1_verify(c, in, len, &opts, &out, NULL);
		check_result(err, &out, in, len);
		break;
	case 1:
		err = tk_cose_sign_verify(c, in, len, &opts, &out, NULL);
		check_result(err, &out, in, len);
		break;
	case 2:
		err = tk_cose_mac0_verify(c, mac_key, sizeof(mac_key), in, len, &opts, &out,
					  NULL);
		check_result(err, &out, in, len);
		break;
	case 3:
		if (tk_cose_peek(in, len, &body, &signer, &payload, NULL) == TK_OK) {
			check_view(payload, in, len);
			check_view(body.protected_raw, in, len);
			check_view(signer.kid, in, len);
		}
		break;
	case 5:
		fuzz_decrypt(in, len, true, data[0]);
		break;
	case 6:
		fuzz_decrypt(in, len, false, data[0]);
		break;
	default:
		fuzz_key(in, len);
		break;
	}
	return 0;
}
