/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the simulated TEE's keys for SUIT: the recipient key that
 * decrypts personalization data encrypted to its public key, provisioned
 * KEKs and MAC keys, and TC signer trust anchors with scopes. Each runs on
 * a fresh state directory and reopens it to check what persists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_encryption.h"
#include "tee/tk_tee.h"
#include "tee_test_util.h"

#define BUF_CAP 1024

static const char pd[] = "{\"name\":\"FOO Bar\",\"secret\":\"0123456789abfcdef\"}";
static const uint8_t kek[16] = "aaaaaaaaaaaaaaaa";

struct fixture {
	struct tee_test_dir dir;
	struct tk_tee tee;
};

static int setup(void **state)
{
	static struct fixture f;
	struct tk_tee_sim_config config = {0};
	struct tk_diag diag;

	memset(&f, 0, sizeof(f));
	if (tee_test_dir_make(&f.dir) != 0)
		return -1;
	config.state_dir = f.dir.state;
	config.create = true;
	tk_diag_clear(&diag);
	if (tk_tee_sim_open(&config, &f.tee, &diag) != TK_OK)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_tee_close(&f->tee);
	tee_test_dir_remove(&f->dir);
	return 0;
}

/* Reopen the state directory without create. */
static void reopen(struct fixture *f)
{
	struct tk_tee_sim_config config = {0};
	struct tk_diag diag;

	tk_tee_close(&f->tee);
	config.state_dir = f->dir.state;
	tk_diag_clear(&diag);
	tee_test_check("reopen", TK_OK, tk_tee_sim_open(&config, &f->tee, &diag), &diag);
}

/* unwrap_cek of the SUIT platform, forwarded to the TEE. */
static tk_err forward_unwrap(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
			     size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	return tk_tee_unwrap_cek(ctx, recipient, cek, cek_cap, cek_len, diag);
}

struct collect {
	uint8_t buf[BUF_CAP];
	size_t len;
};

static tk_err collect_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct collect *c = ctx;

	if (len > sizeof(c->buf) - c->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "test sink full");
	memcpy(c->buf + c->len, chunk, len);
	c->len += len;
	return TK_OK;
}

/* Decrypt info + ct with the TEE's keys into out. */
static tk_err tee_decrypt(const struct tk_tee *tee, const uint8_t *info, size_t info_len,
			  const uint8_t *ct, size_t ct_len, struct collect *out,
			  struct tk_diag *diag)
{
	struct tk_suit_platform_ops ops;
	struct tk_suit_sink sink = {collect_write, out};
	struct tk_suit_decrypt_ctx ctx;
	tk_err err;

	memset(&ops, 0, sizeof(ops));
	ops.unwrap_cek = forward_unwrap;
	ops.ctx = (void *)tee;
	out->len = 0;
	err = tk_suit_decrypt_begin(&ctx, tk_span_make(info, info_len), &ops,
				    tk_crypto_openssl(), diag);
	if (err == TK_OK)
		err = tk_suit_decrypt_update(&ctx, ct, ct_len, &sink, diag);
	if (err == TK_OK)
		err = tk_suit_decrypt_finish(&ctx, &sink, diag);
	tk_suit_decrypt_wipe(&ctx);
	return err;
}

/* Encrypt pd for recipient r. */
static void encrypt_pd(const struct tk_suit_encrypt_recipient *r, int64_t content_alg,
		       uint8_t *info, size_t *info_len, uint8_t *ct, size_t *ct_len)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("encrypt", TK_OK,
		       tk_suit_encrypt_payload(tk_crypto_openssl(), content_alg, r,
					       tk_span_make(pd, strlen(pd)), info, BUF_CAP,
					       info_len, ct, BUF_CAP, ct_len, &diag),
		       &diag);
}

static void test_recipient_key(void **state)
{
	struct fixture *f = *state;
	struct tk_suit_encrypt_recipient r;
	struct tk_crypto_key *pub = NULL;
	char pem[TK_CRYPTO_PEM_MAX], path[TEE_TEST_PATH_MAX + 32];
	uint8_t info[BUF_CAP], ct[BUF_CAP];
	size_t pem_len = 0, info_len = 0, ct_len = 0;
	struct collect out;
	struct tk_diag diag;
	struct stat st;

	tk_diag_clear(&diag);
	tee_test_check("public key", TK_OK,
		       tk_tee_encryption_public_key_pem(&f->tee, pem, sizeof(pem), &pem_len,
							&diag),
		       &diag);
	assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
	snprintf(path, sizeof(path), "%s/encryption-key.pem", f->dir.state);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	tee_test_check("import", TK_OK,
		       tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem,
						pem_len, &pub, &diag),
		       &diag);
	memset(&r, 0, sizeof(r));
	r.alg = TK_COSE_ALG_ECDH_ES_A128KW;
	r.public_key = pub;
	encrypt_pd(&r, TK_COSE_ALG_A128GCM, info, &info_len, ct, &ct_len);

	/* The key persists: decrypt after reopening. */
	reopen(f);
	tee_test_check("decrypt", TK_OK, tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out,
						     &diag),
		       &diag);
	assert_int_equal(out.len, strlen(pd));
	assert_memory_equal(out.buf, pd, out.len);

	/* A KEK recipient finds no KEK yet. */
	memset(&r, 0, sizeof(r));
	r.alg = TK_COSE_ALG_A128KW;
	r.kek = kek;
	r.kek_len = sizeof(kek);
	r.kid = tk_span_make("kid-1", 5);
	encrypt_pd(&r, TK_COSE_ALG_A128CTR, info, &info_len, ct, &ct_len);
	tk_diag_clear(&diag);
	tee_test_check("no KEK provisioned", TK_ERR_KEY,
		       tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out, &diag), &diag);
	tk_crypto_key_free(pub);
}

static void test_provisioned_kek(void **state)
{
	static const uint8_t other[16] = "bbbbbbbbbbbbbbbb";
	struct fixture *f = *state;
	struct tk_suit_encrypt_recipient r;
	uint8_t info[BUF_CAP], ct[BUF_CAP];
	size_t info_len = 0, ct_len = 0;
	struct collect out;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("provision", TK_OK,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_KEK,
					       (const uint8_t *)"kid-1", 5, kek, sizeof(kek),
					       &diag),
		       &diag);
	tee_test_check("provision another", TK_OK,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_KEK,
					       (const uint8_t *)"kid-2", 5, other,
					       sizeof(other), &diag),
		       &diag);
	tee_test_check("KEK of 20 bytes", TK_ERR_KEY,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_KEK,
					       (const uint8_t *)"kid-3", 5, kek, 20, &diag),
		       &diag);
	tk_diag_clear(&diag);
	reopen(f);

	memset(&r, 0, sizeof(r));
	r.alg = TK_COSE_ALG_A128KW;
	r.kek = kek;
	r.kek_len = sizeof(kek);
	r.kid = tk_span_make("kid-1", 5);
	encrypt_pd(&r, TK_COSE_ALG_A128CTR, info, &info_len, ct, &ct_len);
	tee_test_check("decrypt with kid-1", TK_OK,
		       tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out, &diag), &diag);
	assert_memory_equal(out.buf, pd, strlen(pd));

	/* No kid: every KEK is tried. */
	r.kid = TK_SPAN_EMPTY;
	encrypt_pd(&r, TK_COSE_ALG_A128GCM, info, &info_len, ct, &ct_len);
	tee_test_check("decrypt without kid", TK_OK,
		       tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out, &diag), &diag);
	assert_memory_equal(out.buf, pd, strlen(pd));

	/* A kid the TEE does not know, and the right kid with another KEK. */
	r.kid = tk_span_make("kid-9", 5);
	encrypt_pd(&r, TK_COSE_ALG_A128CTR, info, &info_len, ct, &ct_len);
	tee_test_check("unknown kid", TK_ERR_KEY,
		       tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out, &diag), &diag);
	tk_diag_clear(&diag);
	r.kid = tk_span_make("kid-2", 5);
	encrypt_pd(&r, TK_COSE_ALG_A128CTR, info, &info_len, ct, &ct_len);
	tee_test_check("kid-2 with the KEK of kid-1", TK_ERR_KEY,
		       tee_decrypt(&f->tee, info, info_len, ct, ct_len, &out, &diag), &diag);
}

static void test_mac_key(void **state)
{
	static const uint8_t mac_key[32] = "0123456789abcdef0123456789abcdef";
	struct fixture *f = *state;
	const struct tk_span part = tk_span_make("payload", 7);
	uint8_t got[32], want[32];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("no MAC key", TK_ERR_NOT_FOUND,
		       tk_tee_mac_sha256(&f->tee, NULL, 0, &part, 1, got, &diag), &diag);
	tk_diag_clear(&diag);
	tee_test_check("provision", TK_OK,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_MAC_KEY,
					       (const uint8_t *)"mac-1", 5, mac_key,
					       sizeof(mac_key), &diag),
		       &diag);
	tee_test_check("reference", TK_OK,
		       tk_crypto_hmac_sha256(tk_crypto_openssl(), mac_key, sizeof(mac_key),
					     &part, 1, want, &diag),
		       &diag);
	tee_test_check("MAC by kid", TK_OK,
		       tk_tee_mac_sha256(&f->tee, (const uint8_t *)"mac-1", 5, &part, 1, got,
					 &diag),
		       &diag);
	assert_memory_equal(got, want, sizeof(want));
	tee_test_check("the only MAC key", TK_OK,
		       tk_tee_mac_sha256(&f->tee, NULL, 0, &part, 1, got, &diag), &diag);
	assert_memory_equal(got, want, sizeof(want));
	tee_test_check("unknown kid", TK_ERR_NOT_FOUND,
		       tk_tee_mac_sha256(&f->tee, (const uint8_t *)"mac-2", 5, &part, 1, got,
					 &diag),
		       &diag);
	tk_diag_clear(&diag);
	tee_test_check("MAC key of 16 bytes", TK_ERR_KEY,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_MAC_KEY,
					       (const uint8_t *)"mac-2", 5, mac_key, 16, &diag),
		       &diag);
	tk_diag_clear(&diag);
	tee_test_check("second key", TK_OK,
		       tk_tee_provision_secret(&f->tee, TK_TEE_SECRET_MAC_KEY,
					       (const uint8_t *)"mac-2", 5, mac_key,
					       sizeof(mac_key), &diag),
		       &diag);
	tee_test_check("two keys and no kid", TK_ERR_KEY,
		       tk_tee_mac_sha256(&f->tee, NULL, 0, &part, 1, got, &diag), &diag);
}

/* Collects listed anchors. */
struct anchor_list {
	struct tk_tee_trust_anchor anchors[4];
	size_t count;
};

static tk_err list_visit(void *ctx, const struct tk_tee_trust_anchor *anchor)
{
	struct anchor_list *l = ctx;

	if (l->count == 4)
		return TK_ERR_LIMIT_COUNT;
	l->anchors[l->count++] = *anchor;
	return TK_OK;
}

static void test_trust_anchors(void **state)
{
	/* ['TEEP-Device', 'SecureFS'] */
	static const uint8_t scope[] = {0x82, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i',
					'c', 'e', 0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S'};
	struct fixture *f = *state;
	struct tk_tee_trust_anchor anchor;
	struct tk_crypto_key *key = NULL;
	struct anchor_list list;
	uint8_t thumbprint[32];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("generate", TK_OK,
		       tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &key,
					      &diag),
		       &diag);
	memset(&anchor, 0, sizeof(anchor));
	tee_test_check("private PEM", TK_OK,
		       tk_crypto_key_export_pem(key, true, (uint8_t *)anchor.pem,
						sizeof(anchor.pem), &anchor.pem_len, &diag),
		       &diag);
	tee_test_check("a private key is no anchor", TK_ERR_KEY,
		       tk_tee_trust_anchor_add(&f->tee, &anchor, &diag), &diag);
	tk_diag_clear(&diag);
	tee_test_check("public PEM", TK_OK,
		       tk_crypto_key_export_pem(key, false, (uint8_t *)anchor.pem,
						sizeof(anchor.pem), &anchor.pem_len, &diag),
		       &diag);
	memcpy(anchor.scope, scope, sizeof(scope));
	anchor.scope_len = sizeof(scope);
	tee_test_check("add", TK_OK, tk_tee_trust_anchor_add(&f->tee, &anchor, &diag), &diag);
	tee_test_check("thumbprint", TK_OK,
		       tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, thumbprint, &diag),
		       &diag);
	assert_memory_equal(anchor.kid, thumbprint, sizeof(thumbprint));

	reopen(f);
	memset(&list, 0, sizeof(list));
	tee_test_check("list", TK_OK, tk_tee_trust_anchor_list(&f->tee, list_visit, &list, &diag),
		       &diag);
	assert_int_equal(list.count, 1);
	assert_memory_equal(list.anchors[0].kid, thumbprint, sizeof(thumbprint));
	assert_int_equal(list.anchors[0].scope_len, sizeof(scope));
	assert_memory_equal(list.anchors[0].scope, scope, sizeof(scope));
	assert_int_equal(list.anchors[0].pem_len, anchor.pem_len);

	tee_test_check("remove", TK_OK, tk_tee_trust_anchor_remove(&f->tee, thumbprint, &diag),
		       &diag);
	tee_test_check("remove again", TK_ERR_NOT_FOUND,
		       tk_tee_trust_anchor_remove(&f->tee, thumbprint, &diag), &diag);
	memset(&list, 0, sizeof(list));
	tk_diag_clear(&diag);
	tee_test_check("list empty", TK_OK,
		       tk_tee_trust_anchor_list(&f->tee, list_visit, &list, &diag), &diag);
	assert_int_equal(list.count, 0);
	tk_crypto_key_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recipient_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provisioned_kek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust_anchors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
