/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for SUIT envelope authentication with COSE_Mac0 blocks and
 * scoped trust anchors (tk_suit_authenticate_opts()). The input is an
 * envelope; it is authenticated with the manifest-spec example key, once
 * unscoped and once scoped to ['TEEP-Device', 'SecureFS'], and with the
 * MAC key of the firmware encryption draft's AES-KW manifests (32 bytes of
 * 0x61). Properties checked: a manifest accepted under the scope has ids
 * inside it, so the scoped run never succeeds where a manifest id lies
 * outside, and a failure leaves the manifest zeroed.
 */
// fuzz-libs: tk_suit tk_cose tk_cbor tk_crypto tk_common
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The public key of the manifest-spec examples' private_key.pem. */
static const uint8_t spec_x[32] = {
	0x84, 0x96, 0x81, 0x1a, 0xae, 0x0b, 0xaa, 0xab, 0xd2, 0x61, 0x57, 0x18,
	0x9e, 0xec, 0xda, 0x26, 0xbe, 0xaa, 0x8b, 0xf1, 0x1b, 0x6f, 0x3f, 0xe6,
	0xe2, 0xb5, 0x65, 0x9c, 0x85, 0xdb, 0xc0, 0xad,
};
static const uint8_t spec_y[32] = {
	0x3b, 0x1f, 0x2a, 0x4b, 0x6c, 0x09, 0x81, 0x31, 0xc0, 0xa3, 0x6d, 0xac,
	0xd1, 0xd7, 0x8b, 0xd3, 0x81, 0xdc, 0xdf, 0xb0, 0x9c, 0x05, 0x2d, 0xb3,
	0x39, 0x91, 0xdb, 0x73, 0x38, 0xb4, 0xa8, 0x96,
};
/* ['TEEP-Device', 'SecureFS'] */
static const uint8_t scope[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				'c', 'e', 0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S'};

static struct tk_crypto_key *spec_key;

static tk_err mac_61(void *ctx, struct tk_span kid, const struct tk_span *parts, size_t n_parts,
		     uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN], struct tk_diag *diag)
{
	static const uint8_t key[32] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	(void)ctx;
	(void)kid;
	return tk_crypto_hmac_sha256(tk_crypto_openssl(), key, sizeof(key), parts, n_parts, out,
				     diag);
}

/* True when id's first two elements are those of scope. */
static bool starts_with_scope(struct tk_span id)
{
	struct tk_span first = TK_SPAN_EMPTY, second = TK_SPAN_EMPTY;
	struct tk_cbor_dec dec;
	uint64_t count = 0;

	if (tk_cbor_dec_init(&dec, id.ptr, id.len, TK_CBOR_STRICT, NULL) != TK_OK ||
	    tk_cbor_enter_array(&dec, &count) != TK_OK || count < 2 ||
	    tk_cbor_get_bstr(&dec, &first) != TK_OK || tk_cbor_get_bstr(&dec, &second) != TK_OK)
		return false;
	return tk_span_equal(first, tk_span_make("TEEP-Device", 11)) &&
	       tk_span_equal(second, tk_span_make("SecureFS", 8));
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_cose_mac_hook mac = {mac_61, NULL};
	struct tk_suit_trust_anchor anchor = {NULL, TK_SPAN_EMPTY};
	struct tk_suit_auth_opts opts = {&anchor, 1, &mac};
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;

	if (spec_key == NULL &&
	    tk_crypto_key_import_public(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, spec_x,
					sizeof(spec_x), spec_y, sizeof(spec_y), &spec_key,
					NULL) != TK_OK)
		abort();
	anchor.key = spec_key;
	if (tk_suit_decode_envelope(data, size, &env, NULL) != TK_OK)
		return 0;

	if (tk_suit_authenticate_opts(&env, tk_crypto_openssl(), &opts, &m, NULL) != TK_OK &&
	    !all_zero(&m, sizeof(m)))
		abort();

	/* Scoped and without the MAC: every id must be under the scope. */
	anchor.scope = tk_span_make(scope, sizeof(scope));
	opts.mac = NULL;
	if (tk_suit_authenticate_opts(&env, tk_crypto_openssl(), &opts, &m, NULL) == TK_OK) {
		if (m.manifest_component_id.len > 0 && !starts_with_scope(m.manifest_component_id))
			abort();
		for (size_t i = 0; i < m.component_count; i++) {
			if (!starts_with_scope(m.components[i]))
				abort();
		}
	}
	return 0;
}
