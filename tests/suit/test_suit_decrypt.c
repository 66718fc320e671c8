/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SUIT processor with encrypted payloads: a signed manifest fetches the
 * ciphertext of draft-ietf-suit-firmware-encryption-24's AES-KW vectors
 * from a URI with encryption-info set, so the fetch decrypts while it
 * stages, and its validate section checks the plaintext with
 * condition-image-match. The fetched bytes are not signed, so each row
 * alters them (or the platform's KEK) and expects its own error code, with
 * nothing committed on failure. The draft's own signed manifests that write
 * encrypted content are processed too.
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
#include "suit/tk_suit_encryption.h"

#define FE_DIR TK_VECTORS_DIR "/suit/firmware-encryption/"
#define BUF_CAP 4096
#define URI "https://example.org/firmware.enc"

static const char plaintext[] = "This is a real firmware image.";
static const uint8_t kek_61[16] = "aaaaaaaaaaaaaaaa";

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

static size_t read_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[512], text[2 * BUF_CAP + 1];
	size_t n, len = 0;
	int half = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", FE_DIR, name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
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

/* Staging areas of the test platform. */
#define AREAS 2

/* A platform that serves one fetched body and stages in memory. */
static struct platform {
	uint8_t body[BUF_CAP];
	size_t body_len;
	uint8_t area[AREAS][BUF_CAP];
	size_t area_len[AREAS];
	unsigned begun;     /* bit a: area a begun and not aborted */
	size_t commits;
	uint8_t committed[BUF_CAP];
	size_t committed_len;
	bool has_sequence;
	struct tk_suit_unwrap_key key;
} pf;

static tk_err pf_fetch(void *ctx, const char *uri, uint64_t max_size,
		       const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	(void)ctx;
	if (strcmp(uri, URI) != 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no body for %s", uri);
	if (pf.body_len > max_size)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "body of %zu bytes over %llu", pf.body_len,
			       (unsigned long long)max_size);
	/* Two chunks, so decryption runs across a chunk boundary. */
	tk_err err = sink->write(sink->ctx, pf.body, pf.body_len / 2, diag);

	if (err == TK_OK)
		err = sink->write(sink->ctx, pf.body + pf.body_len / 2,
				  pf.body_len - pf.body_len / 2, diag);
	return err;
}

static tk_err pf_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	(void)ctx;
	if (area >= AREAS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%d staging areas only", AREAS);
	pf.begun |= 1u << area;
	pf.area_len[area] = 0;
	return TK_OK;
}

static tk_err pf_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			     struct tk_diag *diag)
{
	(void)ctx;
	if (len > sizeof(pf.area[area]) - pf.area_len[area])
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "staging area full");
	memcpy(pf.area[area] + pf.area_len[area], chunk, len);
	pf.area_len[area] += len;
	return TK_OK;
}

static tk_err pf_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			    struct tk_diag *diag)
{
	(void)ctx;
	return sink->write(sink->ctx, pf.area[area], pf.area_len[area], diag);
}

/* Commits count; the image of every component but ['enc'] (the copy
 * test's ciphertext) is kept. */
static tk_err pf_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			      uint64_t sequence_number, struct tk_diag *diag)
{
	static const uint8_t enc[] = {0x81, 0x43, 'e', 'n', 'c'};

	(void)ctx;
	(void)sequence_number;
	(void)diag;
	if (id_len != sizeof(enc) || memcmp(id, enc, sizeof(enc)) != 0) {
		memcpy(pf.committed, pf.area[area], pf.area_len[area]);
		pf.committed_len = pf.area_len[area];
	}
	pf.commits++;
	return TK_OK;
}

static void pf_stage_abort(void *ctx, unsigned area)
{
	(void)ctx;
	memset(pf.area[area], 0, sizeof(pf.area[area]));
	pf.area_len[area] = 0;
	pf.begun &= ~(1u << area);
}

static tk_err pf_get_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t *out,
			      bool *found, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)diag;
	*out = 0;
	*found = false;
	return TK_OK;
}

static tk_err pf_set_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t value,
			      struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)value;
	(void)diag;
	pf.has_sequence = true;
	return TK_OK;
}

static tk_err pf_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
			    size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	(void)ctx;
	return tk_suit_unwrap_cek(tk_crypto_openssl(), recipient, &pf.key, cek, cek_cap, cek_len,
				  diag);
}

static const struct tk_suit_platform_ops ops_template = {
	.fetch = pf_fetch,
	.stage_begin = pf_stage_begin,
	.stage_write = pf_stage_write,
	.stage_read = pf_stage_read,
	.stage_commit = pf_stage_commit,
	.stage_abort = pf_stage_abort,
	.get_sequence_number = pf_get_sequence,
	.set_sequence_number = pf_set_sequence,
	.unwrap_cek = pf_unwrap_cek,
};

/* Encode a command sequence into out: the bytes of a bstr member. */
static size_t encode_install(const uint8_t *info, size_t info_len, uint8_t *out, size_t cap)
{
	struct tk_cbor_enc enc;
	size_t len = 0;

	/* [set-component-index 0, override-parameters {19: info, 21: URI},
	 *  fetch 15] */
	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_array(&enc, 6);
	tk_cbor_put_uint(&enc, 12);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 19);
	tk_cbor_put_bstr(&enc, info, info_len);
	tk_cbor_put_uint(&enc, 21);
	tk_cbor_put_cstr(&enc, URI);
	tk_cbor_put_uint(&enc, 21);
	tk_cbor_put_uint(&enc, 15);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* [set-component-index 0, override-parameters {3: digest, 14: size},
 *  condition-image-match 15], with the digest and size of `image`. */
static size_t encode_validate(const char *image, uint8_t *out, size_t cap)
{
	uint8_t digest[32], item[48];
	size_t item_len = 0, len = 0;
	struct tk_cbor_enc enc;

	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), (const uint8_t *)image,
					  strlen(image), digest, NULL),
			 TK_OK);
	tk_cbor_enc_init(&enc, item, sizeof(item), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, -16);
	tk_cbor_put_bstr(&enc, digest, sizeof(digest));
	assert_int_equal(tk_cbor_enc_finish(&enc, &item_len), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_array(&enc, 6);
	tk_cbor_put_uint(&enc, 12);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_uint(&enc, 14);
	tk_cbor_put_uint(&enc, strlen(image));
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_uint(&enc, 15);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* SUIT_Digest [-16, SHA-256 of data] into out. */
static size_t encode_digest(const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	uint8_t digest[32];
	struct tk_cbor_enc enc;
	size_t out_len = 0;

	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), data, len, digest, NULL), TK_OK);
	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, -16);
	tk_cbor_put_bstr(&enc, digest, sizeof(digest));
	assert_int_equal(tk_cbor_enc_finish(&enc, &out_len), TK_OK);
	return out_len;
}

/*
 * Sign an envelope {2: wrapper, 3: manifest} with manifest {1: 1, 2: 1,
 * 3: common, 5: ['fw'], 7: validate, 20: install}.
 */
static size_t sign_manifest(const struct tk_crypto_key *key, struct tk_span common,
			    struct tk_span install, struct tk_span validate, uint8_t *out,
			    size_t cap)
{
	static const uint8_t component[] = {0x81, 0x42, 'f', 'w'}; /* ['fw'] */
	uint8_t manifest[BUF_CAP], manifest_bstr[BUF_CAP], wrapper[512], block[256], item[48];
	size_t manifest_len = 0, manifest_bstr_len = 0, wrapper_len = 0, block_len = 0;
	size_t item_len, len = 0;
	struct tk_cose_sign_opts opts = {.tagged = true, .detached = true};
	struct tk_cose_signer signer = {key, TK_COSE_ALG_ESP256, TK_SPAN_EMPTY, false};
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, manifest, sizeof(manifest), NULL);
	tk_cbor_put_map(&enc, 6);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr(&enc, common.ptr, common.len);
	tk_cbor_put_uint(&enc, 5);
	tk_cbor_put_raw(&enc, component, sizeof(component));
	tk_cbor_put_uint(&enc, 7);
	tk_cbor_put_bstr(&enc, validate.ptr, validate.len);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_bstr(&enc, install.ptr, install.len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &manifest_len), TK_OK);

	tk_cbor_enc_init(&enc, manifest_bstr, sizeof(manifest_bstr), NULL);
	tk_cbor_put_bstr(&enc, manifest, manifest_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &manifest_bstr_len), TK_OK);
	item_len = encode_digest(manifest_bstr, manifest_bstr_len, item, sizeof(item));
	assert_int_equal(tk_cose_sign1_create(tk_crypto_openssl(), &signer, item, item_len, &opts,
					      block, sizeof(block), &block_len, NULL),
			 TK_OK);

	tk_cbor_enc_init(&enc, wrapper, sizeof(wrapper), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_bstr(&enc, block, block_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &wrapper_len), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, wrapper, wrapper_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, manifest_bstr, manifest_bstr_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/*
 * Sign an envelope whose manifest fetches the encrypted firmware with
 * `info` and validates `expected` as plaintext.
 */
static size_t build_envelope(const struct tk_crypto_key *key, const uint8_t *info,
			     size_t info_len, const char *expected, uint8_t *out, size_t cap)
{
	static const uint8_t common[] = {0xa1, 0x02, 0x81, 0x81, 0x42, 'f', 'w'};
	uint8_t install[BUF_CAP], validate[256];
	size_t install_len = encode_install(info, info_len, install, sizeof(install));
	size_t validate_len = encode_validate(expected, validate, sizeof(validate));

	return sign_manifest(key, tk_span_make(common, sizeof(common)),
			     tk_span_make(install, install_len),
			     tk_span_make(validate, validate_len), out, cap);
}

/* Changes a row makes before processing. */
enum change {
	CHANGE_NONE,
	CHANGE_BODY_BYTE,   /* XOR 0x01 into the first fetched byte */
	CHANGE_TAG_BYTE,    /* XOR 0x01 into the last fetched byte */
	CHANGE_TRUNCATE,    /* drop the last 16 fetched bytes */
	CHANGE_WRONG_KEK,   /* the platform has another KEK under kid-1 */
	CHANGE_NO_HOOK,     /* the platform has no unwrap_cek hook */
	CHANGE_OTHER_IMAGE, /* validate expects another plaintext */
};

static const struct row {
	const char *desc;
	bool gcm;
	enum change change;
	tk_err expected;
} rows[] = {
	{"AES-KW + A128CTR", false, CHANGE_NONE, TK_OK},
	{"AES-KW + A128GCM", true, CHANGE_NONE, TK_OK},
	{"CTR ciphertext altered on the way", false, CHANGE_BODY_BYTE, TK_ERR_DIGEST_MISMATCH},
	{"GCM ciphertext altered on the way", true, CHANGE_BODY_BYTE, TK_ERR_DECRYPT},
	{"GCM tag altered on the way", true, CHANGE_TAG_BYTE, TK_ERR_DECRYPT},
	{"GCM tag cut off", true, CHANGE_TRUNCATE, TK_ERR_DECRYPT},
	{"CTR with a wrong KEK", false, CHANGE_WRONG_KEK, TK_ERR_KEY},
	{"GCM with a wrong KEK", true, CHANGE_WRONG_KEK, TK_ERR_KEY},
	{"CTR without unwrap hook", false, CHANGE_NO_HOOK, TK_ERR_UNSUPPORTED},
	{"CTR plaintext digest mismatch", false, CHANGE_OTHER_IMAGE, TK_ERR_DIGEST_MISMATCH},
	{"GCM plaintext digest mismatch", true, CHANGE_OTHER_IMAGE, TK_ERR_DIGEST_MISMATCH},
};

static void test_fetch_decrypts(void **state)
{
	static const uint8_t other_kek[16] = "bbbbbbbbbbbbbbbb";
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("signer", TK_OK,
		  tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &key, &diag),
		  &diag);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const struct row *row = &rows[r];
		const struct tk_crypto_key *keys[1] = {key};
		struct tk_suit_platform_ops ops = ops_template;
		struct tk_suit_process_opts opts;
		uint8_t info[BUF_CAP], env[2 * BUF_CAP];
		size_t info_len, env_len;

		memset(&pf, 0, sizeof(pf));
		pf.key.kek = kek_61;
		pf.key.kek_len = sizeof(kek_61);
		pf.key.kid = tk_span_make("kid-1", 5);
		info_len = read_vector(row->gcm ? "suit-encryption-info-aes-kw-aes-gcm.hex"
					       : "suit-encryption-info-aes-kw-aes-ctr.hex",
				       info, sizeof(info));
		pf.body_len = read_vector(row->gcm ? "encrypted-payload-aes-kw-aes-gcm.hex"
						   : "encrypted-payload-aes-kw-aes-ctr.hex",
					  pf.body, sizeof(pf.body));
		env_len = build_envelope(key, info, info_len,
					 row->change == CHANGE_OTHER_IMAGE ? "This is another image."
									   : plaintext,
					 env, sizeof(env));
		if (row->change == CHANGE_BODY_BYTE)
			pf.body[0] ^= 0x01;
		if (row->change == CHANGE_TAG_BYTE)
			pf.body[pf.body_len - 1] ^= 0x01;
		if (row->change == CHANGE_TRUNCATE)
			pf.body_len -= TK_CRYPTO_AEAD_TAG_LEN;
		if (row->change == CHANGE_WRONG_KEK)
			pf.key.kek = other_kek;
		if (row->change == CHANGE_NO_HOOK)
			ops.unwrap_cek = NULL;

		memset(&opts, 0, sizeof(opts));
		opts.ops = &ops;
		opts.crypto = tk_crypto_openssl();
		tk_diag_clear(&diag);
		check_err(row->desc, row->expected,
			  tk_suit_process_envelope(env, env_len, keys, 1, &opts, NULL, &diag),
			  &diag);
		if (row->expected == TK_OK) {
			assert_int_equal(pf.commits, 1);
			assert_int_equal(pf.committed_len, strlen(plaintext));
			assert_memory_equal(pf.committed, plaintext, strlen(plaintext));
			assert_true(pf.has_sequence);
		} else {
			assert_int_equal(pf.commits, 0);
			assert_false(pf.has_sequence);
			assert_int_equal(pf.begun, 0);
		}
	}
	tk_crypto_key_free(key);
}

/*
 * Image match before decryption (draft-ietf-suit-firmware-encryption-24
 * section 8.1.2): the ciphertext is fetched into component ['enc'] and
 * matched against its digest, then copied with encryption-info into
 * ['fw'], whose plaintext the validate section matches.
 */
static size_t build_copy_envelope(const struct tk_crypto_key *key, const uint8_t *info,
				  size_t info_len, const uint8_t *ct, size_t ct_len, uint8_t *out,
				  size_t cap)
{
	/* {2: [['fw'], ['enc']]} */
	static const uint8_t common[] = {0xa1, 0x02, 0x82, 0x81, 0x42, 'f', 'w',
					 0x81, 0x43, 'e', 'n', 'c'};
	uint8_t install[BUF_CAP], validate[256], item[48];
	size_t item_len = encode_digest(ct, ct_len, item, sizeof(item));
	size_t install_len = 0, validate_len;
	struct tk_cbor_enc enc;

	/* [12, 1, 20, {3: digest, 14: size, 21: URI}, 21, 15, 3, 15,
	 *  12, 0, 20, {19: info, 22: 1}, 22, 15] */
	tk_cbor_enc_init(&enc, install, sizeof(install), NULL);
	tk_cbor_put_array(&enc, 14);
	tk_cbor_put_uint(&enc, 12);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_map(&enc, 3);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_uint(&enc, 14);
	tk_cbor_put_uint(&enc, ct_len);
	tk_cbor_put_uint(&enc, 21);
	tk_cbor_put_cstr(&enc, URI);
	tk_cbor_put_uint(&enc, 21);
	tk_cbor_put_uint(&enc, 15);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_uint(&enc, 15);
	tk_cbor_put_uint(&enc, 12);
	tk_cbor_put_uint(&enc, 0);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 19);
	tk_cbor_put_bstr(&enc, info, info_len);
	tk_cbor_put_uint(&enc, 22);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 22);
	tk_cbor_put_uint(&enc, 15);
	assert_int_equal(tk_cbor_enc_finish(&enc, &install_len), TK_OK);
	validate_len = encode_validate(plaintext, validate, sizeof(validate));
	return sign_manifest(key, tk_span_make(common, sizeof(common)),
			     tk_span_make(install, install_len),
			     tk_span_make(validate, validate_len), out, cap);
}

static void test_copy_decrypts(void **state)
{
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("signer", TK_OK,
		  tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &key, &diag),
		  &diag);
	for (int gcm = 0; gcm < 2; gcm++) {
		for (int altered = 0; altered < 2; altered++) {
			const struct tk_crypto_key *keys[1] = {key};
			struct tk_suit_platform_ops ops = ops_template;
			struct tk_suit_process_opts opts;
			uint8_t info[BUF_CAP], env[2 * BUF_CAP];
			size_t info_len, env_len;

			memset(&pf, 0, sizeof(pf));
			pf.key.kek = kek_61;
			pf.key.kek_len = sizeof(kek_61);
			info_len = read_vector(gcm ? "suit-encryption-info-aes-kw-aes-gcm.hex"
						   : "suit-encryption-info-aes-kw-aes-ctr.hex",
					       info, sizeof(info));
			pf.body_len = read_vector(gcm ? "encrypted-payload-aes-kw-aes-gcm.hex"
						      : "encrypted-payload-aes-kw-aes-ctr.hex",
						  pf.body, sizeof(pf.body));
			env_len = build_copy_envelope(key, info, info_len, pf.body, pf.body_len, env,
						      sizeof(env));
			/* Altered on the way: caught before any decryption. */
			if (altered)
				pf.body[3] ^= 0x01;

			memset(&opts, 0, sizeof(opts));
			opts.ops = &ops;
			opts.crypto = tk_crypto_openssl();
			tk_diag_clear(&diag);
			check_err(gcm ? "copy with A128GCM" : "copy with A128CTR",
				  altered ? TK_ERR_DIGEST_MISMATCH : TK_OK,
				  tk_suit_process_envelope(env, env_len, keys, 1, &opts, NULL, &diag),
				  &diag);
			if (altered) {
				assert_int_equal(pf.commits, 0);
				continue;
			}
			assert_int_equal(pf.commits, 2);
			assert_int_equal(pf.committed_len, strlen(plaintext));
			assert_memory_equal(pf.committed, plaintext, strlen(plaintext));
		}
	}
	tk_crypto_key_free(key);
}

/* MAC of the AES-KW manifests: 32 bytes of 0x61, held by this hook. */
static tk_err mac_61(void *ctx, struct tk_span kid, const struct tk_span *parts, size_t n_parts,
		     uint8_t out[TK_CRYPTO_HMAC_SHA256_LEN], struct tk_diag *diag)
{
	static const uint8_t key[32] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	(void)ctx;
	(void)kid;
	return tk_crypto_hmac_sha256(tk_crypto_openssl(), key, sizeof(key), parts, n_parts, out,
				     diag);
}

/*
 * The draft's signed manifests that write the encrypted content: the
 * AES-KW one authenticated by COSE_Mac0, the ES-DH one by ESP256 with the
 * manifest-spec example key, each decrypted with the documented key.
 */
static void test_published_manifests(void **state)
{
	static const uint8_t recipient_d[32] = {
		0x60, 0xfe, 0x6d, 0xd6, 0xd8, 0x5d, 0x57, 0x40, 0xa5, 0x34, 0x9b, 0x6f,
		0x91, 0x26, 0x7e, 0xea, 0xc5, 0xba, 0x81, 0xb8, 0xcb, 0x53, 0xee, 0x24,
		0x9e, 0x4b, 0x4e, 0xb1, 0x02, 0xc4, 0x76, 0xb3,
	};
	struct tk_cose_mac_hook mac = {mac_61, NULL};
	struct tk_crypto_key *signer = NULL, *recipient = NULL;
	struct tk_suit_platform_ops ops = ops_template;
	struct tk_suit_process_opts opts;
	uint8_t pem[4096];
	struct tk_diag diag;
	size_t pem_len;
	FILE *f;

	(void)state;
	f = fopen(TK_VECTORS_DIR "/suit/manifest-spec/private_key.pem", "rb");
	assert_non_null(f);
	pem_len = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	tk_diag_clear(&diag);
	check_err("signer", TK_OK,
		  tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, &signer, &diag),
		  &diag);
	check_err("recipient", TK_OK,
		  tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, recipient_d,
					       sizeof(recipient_d), &recipient, &diag),
		  &diag);
	memset(&opts, 0, sizeof(opts));
	opts.ops = &ops;
	opts.crypto = tk_crypto_openssl();

	for (int i = 0; i < 2; i++) {
		struct tk_suit_trust_anchor anchor = {signer, TK_SPAN_EMPTY};
		struct tk_suit_auth_opts auth = {&anchor, 1, &mac};
		struct tk_suit_envelope env;
		struct tk_suit_manifest m;
		uint8_t buf[BUF_CAP];
		size_t len = read_vector(i == 0 ? "suit-manifest-aes-kw-content.hex.signed"
						: "suit-manifest-es-ecdh-content.hex.signed",
					 buf, sizeof(buf));

		memset(&pf, 0, sizeof(pf));
		if (i == 0) {
			pf.key.kek = kek_61;
			pf.key.kek_len = sizeof(kek_61);
			pf.key.kid = tk_span_make("kid-1", 5);
		} else {
			pf.key.private_key = recipient;
		}
		check_err("decode", TK_OK, tk_suit_decode_envelope(buf, len, &env, &diag), &diag);
		check_err("authenticate", TK_OK,
			  tk_suit_authenticate_opts(&env, tk_crypto_openssl(), &auth, &m, &diag),
			  &diag);
		check_err(i == 0 ? "AES-KW content manifest" : "ES-DH content manifest", TK_OK,
			  tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, &opts, &diag), &diag);
		assert_int_equal(pf.commits, 1);
		assert_int_equal(pf.committed_len, strlen(plaintext));
		assert_memory_equal(pf.committed, plaintext, strlen(plaintext));
	}
	tk_crypto_key_free(signer);
	tk_crypto_key_free(recipient);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_decrypts),
		cmocka_unit_test(test_copy_decrypts),
		cmocka_unit_test(test_published_manifests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
