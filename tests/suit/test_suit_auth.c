/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of SUIT envelope authentication beyond one COSE_Sign1: COSE_Mac0
 * HMAC 256/256 blocks with the key held by a hook (the AES-KW manifests of
 * draft-ietf-suit-firmware-encryption-24, MAC key 32 bytes of 0x61), the
 * ESP256-signed ES-DH manifest of the same draft, several blocks in one
 * wrapper, and trust anchors scoped to a component id prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

#define FE_DIR TK_VECTORS_DIR "/suit/firmware-encryption/"
#define SPEC_KEY TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem"
#define BUF_CAP 8192

static const uint8_t mac_key_61[32] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static void check_err(const char *desc, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	char text[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, text, sizeof(text));
	print_error("%s: expected %s, got %s: %s\n", desc, tk_err_name(expected),
		    tk_err_name(actual), text);
	fail();
}

static size_t read_file(const char *path, uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		print_error("cannot open %s\n", path);
		fail();
	}
	n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

/* Read a hex vector of the firmware encryption draft. */
static size_t read_hex_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[512], text[2 * BUF_CAP + 1];
	size_t n, len = 0;
	int half = -1;

	snprintf(path, sizeof(path), "%s%s", FE_DIR, name);
	n = read_file(path, (uint8_t *)text, sizeof(text) - 1);
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		int v = c >= '0' && c <= '9' ? c - '0'
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
			: c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			continue;
		if (half < 0) {
			half = v;
			continue;
		}
		assert_true(len < cap);
		out[len++] = (uint8_t)(half << 4 | v);
		half = -1;
	}
	return len;
}

/* A MAC hook holding one key, as a TEE would; counts its calls. */
struct mac_holder {
	const uint8_t *key;
	size_t key_len;
	size_t calls;
};

static tk_err hold_mac(void *ctx, struct tk_span kid, const struct tk_span *parts,
		       size_t n_parts, uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN],
		       struct tk_diag *diag)
{
	struct mac_holder *h = ctx;

	(void)kid;
	h->calls++;
	if (h->key == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no MAC key provisioned");
	return tk_crypto_hmac_sha256(tk_crypto_openssl(), h->key, h->key_len, parts, n_parts,
				     out, diag);
}

static tk_err authenticate(const uint8_t *buf, size_t len, const struct tk_suit_auth_opts *opts,
			   struct tk_suit_manifest *m, struct tk_diag *diag)
{
	struct tk_suit_envelope env;
	tk_err err = tk_suit_decode_envelope(buf, len, &env, diag);

	if (err == TK_OK)
		err = tk_suit_authenticate_opts(&env, tk_crypto_openssl(), opts, m, diag);
	return err;
}

static void test_mac0_vectors(void **state)
{
	static const char *const names[] = {
		"suit-manifest-aes-kw.hex.signed",
		"suit-manifest-aes-kw-content.hex.signed",
		"suit-manifest-aes-kw-slot.hex.signed",
	};
	static const uint8_t wrong[32] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mac_holder holder = {mac_key_61, sizeof(mac_key_61), 0};
		struct tk_cose_mac_hook hook = {hold_mac, &holder};
		struct tk_suit_auth_opts opts;
		struct tk_suit_manifest m;
		uint8_t buf[BUF_CAP];
		size_t len = read_hex_vector(names[i], buf, sizeof(buf));
		struct tk_diag diag;

		memset(&opts, 0, sizeof(opts));
		opts.mac = &hook;
		tk_diag_clear(&diag);
		check_err(names[i], TK_OK, authenticate(buf, len, &opts, &m, &diag), &diag);
		assert_int_equal(holder.calls, 1);
		assert_int_equal(m.sequence_number, 1);

		holder.key = wrong;
		tk_diag_clear(&diag);
		check_err("wrong MAC key", TK_ERR_SIGNATURE,
			  authenticate(buf, len, &opts, &m, &diag), &diag);
		holder.key = NULL;
		tk_diag_clear(&diag);
		check_err("no MAC key in the TEE", TK_ERR_NOT_FOUND,
			  authenticate(buf, len, &opts, &m, &diag), &diag);

		opts.mac = NULL;
		tk_diag_clear(&diag);
		check_err("no MAC hook", TK_ERR_UNTRUSTED,
			  authenticate(buf, len, &opts, &m, &diag), &diag);
	}
}

static struct tk_crypto_key *spec_key(void)
{
	uint8_t pem[4096];
	size_t len = read_file(SPEC_KEY, pem, sizeof(pem));
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("manifest-spec key", TK_OK,
		  tk_crypto_key_import_pem(tk_crypto_openssl(), pem, len, &key, &diag), &diag);
	return key;
}

static void test_sign1_vector(void **state)
{
	struct tk_crypto_key *key = spec_key();
	struct tk_suit_trust_anchor anchor = {key, TK_SPAN_EMPTY};
	struct tk_suit_auth_opts opts;
	struct tk_suit_manifest m;
	uint8_t buf[BUF_CAP];
	size_t len = read_hex_vector("suit-manifest-es-ecdh-content.hex.signed", buf, sizeof(buf));
	struct tk_diag diag;

	(void)state;
	memset(&opts, 0, sizeof(opts));
	opts.anchors = &anchor;
	opts.anchor_count = 1;
	tk_diag_clear(&diag);
	check_err("ES-DH manifest", TK_OK, authenticate(buf, len, &opts, &m, &diag), &diag);
	assert_int_equal(m.component_count, 1);

	/* The same through the older interface. */
	tk_diag_clear(&diag);
	{
		struct tk_suit_envelope env;
		const struct tk_crypto_key *keys[1] = {key};

		check_err("decode", TK_OK, tk_suit_decode_envelope(buf, len, &env, &diag), &diag);
		check_err("tk_suit_authenticate", TK_OK,
			  tk_suit_authenticate(&env, tk_crypto_openssl(), keys, 1, &m, &diag),
			  &diag);
	}
	tk_crypto_key_free(key);
}

/* ['TEEP-Device', 'SecureFS', name] */
static size_t make_id(const char *last, uint8_t *out, size_t cap)
{
	struct tk_cbor_enc enc;
	size_t len = 0;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"TEEP-Device", 11);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"SecureFS", 8);
	tk_cbor_put_bstr(&enc, (const uint8_t *)last, strlen(last));
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* Blocks of a rebuilt authentication wrapper. */
enum block_kind { BLOCK_SIGN1_A, BLOCK_SIGN1_B, BLOCK_MAC0, BLOCK_SIGN1_BAD };

struct keys {
	struct tk_crypto_key *a, *b;
};

/* Encode one block over the encoded SUIT_Digest `digest_item`. */
static size_t make_block(enum block_kind kind, const struct keys *k, struct tk_span digest_item,
			 uint8_t *out, size_t cap)
{
	struct tk_cose_sign_opts opts = {.tagged = true, .detached = true};
	struct tk_cose_signer signer = {kind == BLOCK_SIGN1_B ? k->b : k->a,
					TK_COSE_ALG_ESP256, TK_SPAN_EMPTY, false};
	size_t len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (kind == BLOCK_MAC0)
		check_err("Mac0", TK_OK,
			  tk_cose_mac0_create(tk_crypto_openssl(), mac_key_61, sizeof(mac_key_61),
					      TK_SPAN_EMPTY, digest_item.ptr, digest_item.len,
					      &opts, out, cap, &len, &diag),
			  &diag);
	else
		check_err("Sign1", TK_OK,
			  tk_cose_sign1_create(tk_crypto_openssl(), &signer, digest_item.ptr,
					       digest_item.len, &opts, out, cap, &len, &diag),
			  &diag);
	if (kind == BLOCK_SIGN1_BAD)
		out[len - 1] ^= 0x01;
	return len;
}

/*
 * Build a signed envelope with the builder, then replace its wrapper by
 * [digest, blocks...]. Returns the new envelope's length.
 */
static size_t build_envelope(const struct keys *k, const enum block_kind *kinds, size_t n,
			     uint8_t *out, size_t cap)
{
	uint8_t built[BUF_CAP], wrapper[BUF_CAP], block[512], cid[64], mid[64];
	uint8_t digest_item[64], digest[32];
	struct tk_suit_build_params p;
	struct tk_suit_envelope env;
	struct tk_cbor_enc enc;
	size_t built_len = 0, wrapper_len = 0, digest_len = 0, len = 0;
	struct tk_diag diag;

	memset(&p, 0, sizeof(p));
	p.component_id = tk_span_make(cid, make_id("app.ta", cid, sizeof(cid)));
	p.manifest_component_id = tk_span_make(mid, make_id("app.suit", mid, sizeof(mid)));
	p.sequence_number = 3;
	p.image = tk_span_make("image", 5);
	p.uri = "https://example.org/app.ta";
	p.signer = k->a;
	p.crypto = tk_crypto_openssl();
	tk_diag_clear(&diag);
	check_err("build", TK_OK, tk_suit_build_envelope(&p, built, sizeof(built), &built_len,
							  &diag),
		  &diag);
	check_err("decode", TK_OK, tk_suit_decode_envelope(built, built_len, &env, &diag), &diag);

	/* SUIT_Digest = [-16, SHA-256 of the manifest bstr]. */
	check_err("digest", TK_OK,
		  tk_crypto_sha256(tk_crypto_openssl(), env.manifest_bstr.ptr,
				   env.manifest_bstr.len, digest, &diag),
		  &diag);
	tk_cbor_enc_init(&enc, digest_item, sizeof(digest_item), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, -16);
	tk_cbor_put_bstr(&enc, digest, sizeof(digest));
	assert_int_equal(tk_cbor_enc_finish(&enc, &digest_len), TK_OK);

	tk_cbor_enc_init(&enc, wrapper, sizeof(wrapper), NULL);
	tk_cbor_put_array(&enc, 1 + n);
	tk_cbor_put_bstr(&enc, digest_item, digest_len);
	for (size_t i = 0; i < n; i++) {
		size_t block_len = make_block(kinds[i], k, tk_span_make(digest_item, digest_len),
					      block, sizeof(block));

		tk_cbor_put_bstr(&enc, block, block_len);
	}
	assert_int_equal(tk_cbor_enc_finish(&enc, &wrapper_len), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, wrapper, wrapper_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, env.manifest_bstr.ptr, env.manifest_bstr.len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* ['TEEP-Device', 'SecureFS'] and ['TEEP-Device', 'Other'] */
static const uint8_t scope_securefs[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e',
					 'v', 'i', 'c', 'e', 0x48, 'S', 'e', 'c', 'u',
					 'r', 'e', 'F', 'S'};
static const uint8_t scope_other[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
				      'c', 'e', 0x45, 'O', 't', 'h', 'e', 'r'};
/* ['TEEP-Device', 'SecureFS', 'app.suit', 'x']: longer than the ids. */
static const uint8_t scope_deeper[] = {0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v',
				       'i', 'c', 'e', 0x48, 'S', 'e', 'c', 'u', 'r', 'e',
				       'F', 'S', 0x48, 'a', 'p', 'p', '.', 's', 'u', 'i',
				       't', 0x41, 'x'};

#define SPAN(a) {(a), sizeof(a)}

static const struct auth_row {
	const char *desc;
	enum block_kind blocks[3];
	size_t n_blocks;
	bool scope_a_set, scope_b_set;
	struct tk_span scope_a, scope_b;
	bool with_mac;
	tk_err expected;
} auth_rows[] = {
	{"one block, unscoped", {BLOCK_SIGN1_A}, 1, false, false, {0}, {0}, false, TK_OK},
	{"scope covers the ids", {BLOCK_SIGN1_A}, 1, true, false, SPAN(scope_securefs), {0},
	 false, TK_OK},
	{"scope outside the ids", {BLOCK_SIGN1_A}, 1, true, false, SPAN(scope_other), {0},
	 false, TK_ERR_UNTRUSTED},
	{"scope deeper than the ids", {BLOCK_SIGN1_A}, 1, true, false, SPAN(scope_deeper), {0},
	 false, TK_ERR_UNTRUSTED},
	{"A out of scope, B unscoped also signed", {BLOCK_SIGN1_A, BLOCK_SIGN1_B}, 2, true, false,
	 SPAN(scope_other), {0}, false, TK_OK},
	{"A out of scope, B in scope", {BLOCK_SIGN1_B, BLOCK_SIGN1_A}, 2, true, true,
	 SPAN(scope_other), SPAN(scope_securefs), false, TK_OK},
	{"only B signed, B out of scope", {BLOCK_SIGN1_B}, 1, false, true, {0},
	 SPAN(scope_other), false, TK_ERR_UNTRUSTED},
	{"bad A block, good B block", {BLOCK_SIGN1_BAD, BLOCK_SIGN1_B}, 2, false, false, {0},
	 {0}, false, TK_OK},
	{"bad block only", {BLOCK_SIGN1_BAD}, 1, false, false, {0}, {0}, false,
	 TK_ERR_SIGNATURE},
	{"Mac0 and Sign1, both verify", {BLOCK_MAC0, BLOCK_SIGN1_A}, 2, true, false,
	 SPAN(scope_other), {0}, true, TK_OK},
	{"Mac0 without a MAC hook, Sign1 out of scope", {BLOCK_MAC0, BLOCK_SIGN1_A}, 2, true,
	 false, SPAN(scope_other), {0}, false, TK_ERR_UNTRUSTED},
	{"Mac0 alone without a MAC hook", {BLOCK_MAC0}, 1, false, false, {0}, {0}, false,
	 TK_ERR_UNSUPPORTED},
	{"Mac0 alone", {BLOCK_MAC0}, 1, false, false, {0}, {0}, true, TK_OK},
};

static void test_blocks_and_scopes(void **state)
{
	struct keys k = {NULL, NULL};
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("key A", TK_OK,
		  tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &k.a, &diag),
		  &diag);
	check_err("key B", TK_OK,
		  tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &k.b, &diag),
		  &diag);
	for (size_t r = 0; r < sizeof(auth_rows) / sizeof(auth_rows[0]); r++) {
		const struct auth_row *row = &auth_rows[r];
		struct mac_holder holder = {mac_key_61, sizeof(mac_key_61), 0};
		struct tk_cose_mac_hook hook = {hold_mac, &holder};
		struct tk_suit_trust_anchor anchors[2] = {
			{k.a, row->scope_a_set ? row->scope_a : TK_SPAN_EMPTY},
			{k.b, row->scope_b_set ? row->scope_b : TK_SPAN_EMPTY},
		};
		struct tk_suit_auth_opts opts = {anchors, 2, row->with_mac ? &hook : NULL};
		struct tk_suit_manifest m;
		uint8_t env[BUF_CAP];
		size_t len = build_envelope(&k, row->blocks, row->n_blocks, env, sizeof(env));

		tk_diag_clear(&diag);
		check_err(row->desc, row->expected, authenticate(env, len, &opts, &m, &diag),
			  &diag);
		if (row->expected == TK_OK)
			assert_int_equal(m.sequence_number, 3);
	}
	tk_crypto_key_free(k.a);
	tk_crypto_key_free(k.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac0_vectors),
		cmocka_unit_test(test_sign1_vector),
		cmocka_unit_test(test_blocks_and_scopes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
