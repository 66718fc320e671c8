// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_suit tk_cose tk_cbor tk_crypto tk_common
/*
 * Fuzz target for the SUIT layer, in two modes chosen by the first byte.
 *
 *   even: The rest is an envelope. It is decoded, checked without a key
 *         and authenticated with a fixed Ed25519 test key, so the envelope
 *         decoder and the authentication wrapper parser read the raw input.
 *   odd:  The rest is a manifest. The harness wraps it in an envelope
 *         signed with that key, so manifest decoding and the processor run
 *         on it through the public API, against a platform whose hooks
 *         accept everything. Because the signature is valid, the check
 *         without a key must succeed exactly when authentication does.
 *
 * The library has no way to process a manifest without authenticating it,
 * and the harness adds none: the second mode signs instead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

#define MAX_INPUT 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Ed25519 seed of the test key: 32 bytes of 0x5a. Not a secret. */
static const uint8_t test_seed[32] = {
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};

static const uint8_t fuzz_body[20] = "Hello, Secure World!";

static tk_err fetch_ok(void *ctx, const char *uri, uint64_t max_size,
		       const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	(void)ctx;
	(void)uri;
	if (max_size < sizeof(fuzz_body))
		return sink->write(sink->ctx, fuzz_body, (size_t)max_size, diag);
	return sink->write(sink->ctx, fuzz_body, sizeof(fuzz_body), diag);
}

static tk_err identifier_ok(void *ctx, enum tk_suit_identifier which, const uint8_t *id,
			    size_t id_len, const uint8_t *value, size_t value_len,
			    bool *match, struct tk_diag *diag)
{
	(void)ctx;
	(void)which;
	(void)id;
	(void)id_len;
	(void)value;
	(void)value_len;
	(void)diag;
	*match = true;
	return TK_OK;
}

static tk_err read_ok(void *ctx, const uint8_t *id, size_t id_len,
		      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	return sink->write(sink->ctx, fuzz_body, sizeof(fuzz_body), diag);
}

/* In-memory staging areas, small on purpose: larger images fail with
 * TK_ERR_LIMIT_SIZE, which the processor must handle. */
#define FUZZ_AREA_CAP 4096
static uint8_t fuzz_areas[TK_SUIT_MAX_STAGING_AREAS][FUZZ_AREA_CAP];
static size_t fuzz_area_len[TK_SUIT_MAX_STAGING_AREAS];

static tk_err stage_begin_ok(void *ctx, unsigned area, struct tk_diag *diag)
{
	(void)ctx;
	if (area >= TK_SUIT_MAX_STAGING_AREAS)
		abort(); /* the processor numbers areas within the limit */
	fuzz_area_len[area] = 0;
	(void)diag;
	return TK_OK;
}

static tk_err stage_write_ok(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			     struct tk_diag *diag)
{
	(void)ctx;
	if (len > FUZZ_AREA_CAP - fuzz_area_len[area])
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "fuzz staging area full");
	memcpy(fuzz_areas[area] + fuzz_area_len[area], chunk, len);
	fuzz_area_len[area] += len;
	return TK_OK;
}

static tk_err stage_read_ok(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			    struct tk_diag *diag)
{
	(void)ctx;
	return sink->write(sink->ctx, fuzz_areas[area], fuzz_area_len[area], diag);
}

static tk_err stage_commit_ok(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			      uint64_t sequence_number, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)sequence_number;
	(void)diag;
	fuzz_area_len[area] = 0;
	return TK_OK;
}

static void stage_abort_ok(void *ctx, unsigned area)
{
	(void)ctx;
	fuzz_area_len[area] = 0;
}

static tk_err slot_ok(void *ctx, const uint8_t *id, size_t id_len, uint64_t slot, bool *match,
		      struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)diag;
	*match = slot == 1;
	return TK_OK;
}

static tk_err invoke_ok(void *ctx, const uint8_t *id, size_t id_len, const uint8_t *args,
			size_t args_len, const struct tk_suit_digest *image_digest,
			struct tk_diag *diag)
{
	(void)image_digest;
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)args;
	(void)args_len;
	(void)diag;
	return TK_OK;
}

static tk_err link_ok(void *ctx, const uint8_t *holder, size_t holder_len, const uint8_t *target,
		      size_t target_len, struct tk_diag *diag)
{
	(void)ctx;
	(void)holder;
	(void)holder_len;
	(void)target;
	(void)target_len;
	(void)diag;
	return TK_OK;
}

static tk_err unlink_ok(void *ctx, const uint8_t *holder, size_t holder_len,
			const uint8_t *target, size_t target_len, uint64_t *remaining,
			struct tk_diag *diag)
{
	(void)ctx;
	(void)holder;
	(void)holder_len;
	(void)target;
	(void)target_len;
	(void)diag;
	*remaining = 0;
	return TK_OK;
}

static tk_err references_none(void *ctx, const uint8_t *target, size_t target_len,
			      const uint8_t *holder, size_t holder_len, uint64_t *others,
			      struct tk_diag *diag)
{
	(void)ctx;
	(void)target;
	(void)target_len;
	(void)holder;
	(void)holder_len;
	(void)diag;
	*others = 0;
	return TK_OK;
}

static tk_err get_sequence_ok(void *ctx, const uint8_t *id, size_t id_len,
			      uint64_t *out, bool *found, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)diag;
	*out = 0;
	*found = false;
	return TK_OK;
}

static tk_err set_sequence_ok(void *ctx, const uint8_t *id, size_t id_len,
			      uint64_t value, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)value;
	(void)diag;
	return TK_OK;
}

static const struct tk_suit_platform_ops fuzz_ops = {
	.fetch = fetch_ok,
	.check_identifier = identifier_ok,
	.check_slot = slot_ok,
	.read = read_ok,
	.stage_begin = stage_begin_ok,
	.stage_write = stage_write_ok,
	.stage_read = stage_read_ok,
	.stage_commit = stage_commit_ok,
	.stage_abort = stage_abort_ok,
	.invoke = invoke_ok,
	.link = link_ok,
	.unlink = unlink_ok,
	.references = references_none,
	.get_sequence_number = get_sequence_ok,
	.set_sequence_number = set_sequence_ok,
};

/* Wrap manifest bytes into an envelope signed with key; 0 on failure. */
static size_t sign_manifest(const uint8_t *manifest, size_t len,
			    const struct tk_crypto_key *key, uint8_t *out, size_t cap)
{
	static uint8_t bstr[MAX_INPUT + 16];
	uint8_t digest[32], item[40], sign1[128], auth[200];
	size_t bstr_len = 0, item_len = 0, sign1_len = 0, auth_len = 0, out_len = 0;
	struct tk_cose_signer signer = {key, TK_COSE_ALG_ED25519, TK_SPAN_EMPTY, false};
	struct tk_cose_sign_opts opts = {true, true, TK_SPAN_EMPTY, false, 0};
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, bstr, sizeof(bstr), NULL);
	tk_cbor_put_bstr(&enc, manifest, len);
	if (tk_cbor_enc_finish(&enc, &bstr_len) != TK_OK ||
	    tk_crypto_sha256(c, bstr, bstr_len, digest, NULL) != TK_OK)
		return 0;

	tk_cbor_enc_init(&enc, item, sizeof(item), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, -16);
	tk_cbor_put_bstr(&enc, digest, sizeof(digest));
	if (tk_cbor_enc_finish(&enc, &item_len) != TK_OK ||
	    tk_cose_sign1_create(c, &signer, item, item_len, &opts, sign1, sizeof(sign1),
				 &sign1_len, NULL) != TK_OK)
		return 0;

	tk_cbor_enc_init(&enc, auth, sizeof(auth), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_bstr(&enc, sign1, sign1_len);
	if (tk_cbor_enc_finish(&enc, &auth_len) != TK_OK)
		return 0;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, auth, auth_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, bstr, bstr_len);
	if (tk_cbor_enc_finish(&enc, &out_len) != TK_OK)
		return 0;
	return out_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tk_crypto_key *key;
	static uint8_t envelope[MAX_INPUT + 512];
	static uint8_t work[4096];
	const struct tk_crypto_key *keys[1];
	struct tk_suit_process_opts opts = {&fuzz_ops, tk_crypto_openssl(), work,
					    sizeof(work), NULL, NULL, 1};
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	struct tk_diag diag;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	if (key == NULL &&
	    tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519,
					 test_seed, sizeof(test_seed), &key, NULL) != TK_OK)
		return 0;
	keys[0] = key;
	tk_diag_clear(&diag);

	if ((data[0] & 1) == 0) {
		if (tk_suit_decode_envelope(data + 1, size - 1, &env, &diag) != TK_OK)
			return 0;
		if (tk_suit_check_envelope_unauthenticated(&env, tk_crypto_openssl(), &diag) !=
			    TK_OK &&
		    diag.offset != TK_DIAG_NO_OFFSET && diag.offset >= size - 1)
			abort(); /* offsets count from the envelope start */
		tk_diag_clear(&diag);
		(void)!tk_suit_authenticate(&env, tk_crypto_openssl(), keys, 1, &m, &diag);
		return 0;
	}

	size_t len = sign_manifest(data + 1, size - 1, key, envelope, sizeof(envelope));

	if (len == 0)
		return 0;
	if (tk_suit_decode_envelope(envelope, len, &env, &diag) == TK_OK) {
		bool checked = tk_suit_check_envelope_unauthenticated(&env, tk_crypto_openssl(),
								      &diag) == TK_OK;
		bool authenticated = tk_suit_authenticate(&env, tk_crypto_openssl(), keys, 1,
							  &m, &diag) == TK_OK;

		if (checked != authenticated)
			abort();
	}
	tk_diag_clear(&diag);
	opts.trust_anchors = keys;
	if (tk_suit_process_envelope(envelope, len, keys, 1, &opts, &m, &diag) == TK_OK) {
		/* The invocation and uninstall procedures too, on a manifest
		 * that installed. */
		(void)!tk_suit_process(&m, TK_SUIT_PROCEDURE_INVOKE, &opts, &diag);
		(void)!tk_suit_process(&m, TK_SUIT_PROCEDURE_UNINSTALL, &opts, &diag);
	}
	return 0;
}
