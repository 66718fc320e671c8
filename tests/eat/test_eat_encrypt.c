/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of EAT Encryption. Signed evidence encrypted to the TAM decrypts
 * and verifies, and the "EAT Encryption" KDF context is bound, because
 * decryption without it fails. The wrong key, algorithms and sizes fail
 * with their codes. Python's cbor2 and cryptography decrypt what we
 * encrypt, deriving the key with the context independently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eat/tk_eat.h"
#include "eat_test_util.h"

struct fixture {
	const struct tk_crypto *c;
	struct tk_crypto_key *agent;
	struct tk_crypto_key *tam;
	struct tk_crypto_key *other;
	uint8_t nonce[16];
	uint8_t evidence[2048];
	size_t evidence_len;
};

static int setup(void **state)
{
	static struct fixture f;
	static struct tk_eat_claims claims;
	static const uint8_t ueid[17] = {0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t ref[] = {0x82, 0x61, 'u', 0x82, 0x2f, 0x41, 0x00};

	f.c = tk_crypto_openssl();
	if (tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.agent, NULL) != TK_OK ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.tam, NULL) != TK_OK ||
	    tk_crypto_key_generate(f.c, TK_CRYPTO_KEY_P256, &f.other, NULL) != TK_OK)
		return -1;
	memset(f.nonce, 0x5c, sizeof(f.nonce));
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = tk_span_make(f.nonce, sizeof(f.nonce));
	claims.ueid = tk_span_make(ueid, sizeof(ueid));
	claims.oemid_is_pen = true;
	claims.oemid_pen = 64242;
	claims.hwmodel = tk_span_make("sim", 3);
	claims.hwversion = tk_span_make("1", 1);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref, sizeof(ref));
	claims.manifest_count = 1;
	if (tk_eat_sign(f.c, f.agent, &claims, f.evidence, sizeof(f.evidence),
			&f.evidence_len, NULL) != TK_OK)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->agent);
	tk_crypto_key_free(f->tam);
	tk_crypto_key_free(f->other);
	return 0;
}

static void round_trip(struct fixture *f, int64_t alg)
{
	static uint8_t msg[4096], plain[4096];
	struct tk_cose_trusted_key trusted = {.key = NULL};
	struct tk_eat_verify_opts vopts = {0};
	static struct tk_eat_verified v;
	size_t msg_len = 0, plain_len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("encrypt", TK_OK,
		  tk_eat_encrypt(f->c, f->tam, tk_span_make("tam", 3), alg, f->evidence,
				 f->evidence_len, msg, sizeof(msg), &msg_len, &diag), &diag);
	assert_int_equal(msg[0], 0xd8); /* tag 96 */
	assert_int_equal(msg[1], 96);
	check_err("decrypt", TK_OK,
		  tk_eat_decrypt(f->c, f->tam, msg, msg_len, plain, sizeof(plain), &plain_len,
				 &diag), &diag);
	assert_int_equal(plain_len, f->evidence_len);
	assert_memory_equal(plain, f->evidence, plain_len);

	trusted.key = f->agent;
	vopts.keys = &trusted;
	vopts.n_keys = 1;
	vopts.nonce = tk_span_make(f->nonce, sizeof(f->nonce));
	check_err("verify decrypted", TK_OK,
		  tk_eat_verify(f->c, plain, plain_len, &vopts, &v, &diag), &diag);
}

static void test_round_trip_a128gcm(void **state)
{
	round_trip(*state, TK_COSE_ALG_A128GCM);
}

static void test_round_trip_chacha(void **state)
{
	round_trip(*state, TK_COSE_ALG_CHACHA20_POLY1305);
}

static void test_context_bound(void **state)
{
	struct fixture *f = *state;
	static uint8_t msg[4096], plain[4096];
	struct tk_cose_decrypt_opts opts = {.recipient_key = NULL};
	struct tk_cose_decrypted result;
	size_t msg_len = 0, plain_len = 9;
	struct tk_diag diag;

	assert_int_equal(tk_eat_encrypt(f->c, f->tam, TK_SPAN_EMPTY, TK_COSE_ALG_A128GCM,
					f->evidence, f->evidence_len, msg, sizeof(msg),
					&msg_len, NULL), TK_OK);
	/* The same message, decrypted without "EAT Encryption" in the context. */
	opts.recipient_key = f->tam;
	tk_diag_clear(&diag);
	check_err("no context", TK_ERR_DECRYPT,
		  tk_cose_encrypt_decrypt(f->c, msg, msg_len, &opts, plain, sizeof(plain),
					  &plain_len, &result, &diag), &diag);
	opts.kdf_other = tk_span_make("SUIT Report Encryption", 22);
	tk_diag_clear(&diag);
	check_err("report context", TK_ERR_DECRYPT,
		  tk_cose_encrypt_decrypt(f->c, msg, msg_len, &opts, plain, sizeof(plain),
					  &plain_len, &result, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("another TAM key", TK_ERR_DECRYPT,
		  tk_eat_decrypt(f->c, f->other, msg, msg_len, plain, sizeof(plain), &plain_len,
				 &diag), &diag);
	assert_int_equal(plain_len, 0);
	msg[msg_len - 20] ^= 1; /* inside the wrapped key or the ciphertext */
	tk_diag_clear(&diag);
	check_err("altered message", TK_ERR_DECRYPT,
		  tk_eat_decrypt(f->c, f->tam, msg, msg_len, plain, sizeof(plain), &plain_len,
				 &diag), &diag);
}

static void test_rejects(void **state)
{
	struct fixture *f = *state;
	static uint8_t msg[TK_EAT_ENCRYPTED_MAX_SIZE + 2], plain[64];
	struct tk_crypto_key *ed = NULL;
	size_t len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("A128CTR", TK_ERR_ALG_UNSUPPORTED,
		  tk_eat_encrypt(f->c, f->tam, TK_SPAN_EMPTY, TK_COSE_ALG_A128CTR, f->evidence,
				 f->evidence_len, msg, sizeof(msg), &len, &diag), &diag);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_ED25519, &ed, NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("Ed25519 TAM key", TK_ERR_KEY,
		  tk_eat_encrypt(f->c, ed, TK_SPAN_EMPTY, TK_COSE_ALG_A128GCM, f->evidence,
				 f->evidence_len, msg, sizeof(msg), &len, &diag), &diag);
	tk_crypto_key_free(ed);
	tk_diag_clear(&diag);
	check_err("evidence over the limit", TK_ERR_LIMIT_SIZE,
		  tk_eat_encrypt(f->c, f->tam, TK_SPAN_EMPTY, TK_COSE_ALG_A128GCM, msg,
				 TK_EAT_MAX_SIZE + 1, msg, sizeof(msg), &len, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("message over the limit", TK_ERR_LIMIT_SIZE,
		  tk_eat_decrypt(f->c, f->tam, msg, TK_EAT_ENCRYPTED_MAX_SIZE + 1, plain,
				 sizeof(plain), &len, &diag), &diag);
}

/* Independent oracle: the key derivation with the context, in Python. */
static const char oracle_script[] =
	"import sys, cbor2\n"
	"from cryptography.hazmat.primitives import hashes, serialization\n"
	"from cryptography.hazmat.primitives.asymmetric import ec\n"
	"from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
	"from cryptography.hazmat.primitives.kdf.hkdf import HKDF\n"
	"from cryptography.hazmat.primitives.keywrap import aes_key_unwrap\n"
	"priv = serialization.load_pem_private_key(open(sys.argv[2], 'rb').read(), None)\n"
	"item = cbor2.loads(open(sys.argv[1], 'rb').read())\n"
	"assert item.tag == 96\n"
	"prot, unprot, ct, recipients = item.value\n"
	"rprot, runprot, wrapped = recipients[0]\n"
	"assert cbor2.loads(rprot) == {1: -29}\n"
	"epk = runprot[-1]\n"
	"peer = ec.EllipticCurvePublicNumbers(int.from_bytes(epk[-2], 'big'),\n"
	"    int.from_bytes(epk[-3], 'big'), ec.SECP256R1()).public_key()\n"
	"ctx = cbor2.dumps([-3, [None] * 3, [None] * 3, [128, rprot, b'EAT Encryption']])\n"
	"kek = HKDF(hashes.SHA256(), 16, None, ctx).derive(priv.exchange(ec.ECDH(), peer))\n"
	"cek = aes_key_unwrap(kek, wrapped)\n"
	"assert cbor2.loads(prot) == {1: 1}\n"
	"aad = cbor2.dumps(['Encrypt', prot, b''])\n"
	"plain = AESGCM(cek).decrypt(unprot[5], ct, aad)\n"
	"assert plain == open(sys.argv[3], 'rb').read(), 'plaintext differs'\n"
	"print('oracle ok')\n";

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *file = fopen(path, "wb");

	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, len, file), len);
	assert_int_equal(fclose(file), 0);
}

static void test_python_oracle_decrypts(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/tk-eat-enc-XXXXXX";
	char msg_path[64], key_path[64], ev_path[64], script_path[64], command[512];
	static uint8_t msg[4096];
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t msg_len = 0, pem_len = 0;
	int status;

	if (system("/usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(msg_path, sizeof(msg_path), "%s/eat.enc", dir);
	snprintf(key_path, sizeof(key_path), "%s/tam.pem", dir);
	snprintf(ev_path, sizeof(ev_path), "%s/eat.cbor", dir);
	snprintf(script_path, sizeof(script_path), "%s/oracle.py", dir);
	assert_int_equal(tk_eat_encrypt(f->c, f->tam, TK_SPAN_EMPTY, TK_COSE_ALG_A128GCM,
					f->evidence, f->evidence_len, msg, sizeof(msg),
					&msg_len, NULL), TK_OK);
	/* A test key in a private temporary folder, removed below. */
	assert_int_equal(tk_crypto_key_export_pem(f->tam, true, pem, sizeof(pem), &pem_len,
						  NULL), TK_OK);
	write_file(msg_path, msg, msg_len);
	write_file(key_path, pem, pem_len);
	tk_wipe(pem, sizeof(pem));
	write_file(ev_path, f->evidence, f->evidence_len);
	write_file(script_path, oracle_script, strlen(oracle_script));
	snprintf(command, sizeof(command), "/usr/bin/python3 %s %s %s %s", script_path,
		 msg_path, key_path, ev_path);
	status = system(command);
	unlink(msg_path);
	unlink(key_path);
	unlink(ev_path);
	unlink(script_path);
	rmdir(dir);
	assert_int_equal(status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_a128gcm),
		cmocka_unit_test(test_round_trip_chacha),
		cmocka_unit_test(test_context_bound),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_python_oracle_decrypts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
