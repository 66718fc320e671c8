/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for SUIT_Encryption_Info (draft-ietf-suit-firmware-
 * encryption-24) and the streaming decryption behind it. Input layout:
 * two bytes (big endian) giving the length N of the encryption info, the
 * info, then the detached ciphertext. The ciphertext is fed in chunks
 * whose size comes from the info length, through a platform that unwraps
 * with the vectors' keys: the AES-KW KEK "aaaa..." with kid "kid-1" and
 * the P-256 recipient key of the TEEP protocol draft. Properties checked:
 * a successful decryption writes exactly the ciphertext length (AES-CTR)
 * or that length minus the 16-byte tag (AEAD), and the context is wiped
 * on every path.
 */
// fuzz-libs: tk_suit tk_cose tk_cbor tk_crypto tk_common
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_encryption.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t recipient_d[32] = {
	0x60, 0xfe, 0x6d, 0xd6, 0xd8, 0x5d, 0x57, 0x40, 0xa5, 0x34, 0x9b, 0x6f,
	0x91, 0x26, 0x7e, 0xea, 0xc5, 0xba, 0x81, 0xb8, 0xcb, 0x53, 0xee, 0x24,
	0x9e, 0x4b, 0x4e, 0xb1, 0x02, 0xc4, 0x76, 0xb3,
};
static const uint8_t kek[16] = "aaaaaaaaaaaaaaaa";

static struct tk_crypto_key *recipient_key;

static tk_err unwrap(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
		     size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	struct tk_suit_unwrap_key key = {recipient_key, kek, sizeof(kek),
					 tk_span_make("kid-1", 5)};

	(void)ctx;
	return tk_suit_unwrap_cek(tk_crypto_openssl(), recipient, &key, cek, cek_cap, cek_len,
				  diag);
}

static tk_err count_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	size_t *total = ctx;

	(void)chunk;
	(void)diag;
	*total += len;
	return TK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_suit_platform_ops ops;
	struct tk_cose_encrypt_view view;
	struct tk_suit_decrypt_ctx ctx;
	size_t total = 0, info_len, ct_len, chunk;
	struct tk_suit_sink sink = {count_write, &total};
	const uint8_t *info, *ct;
	tk_err err;

	if (recipient_key == NULL &&
	    tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, recipient_d,
					 sizeof(recipient_d), &recipient_key, NULL) != TK_OK)
		abort();
	if (size < 2)
		return 0;
	info_len = (size_t)data[0] << 8 | data[1];
	if (info_len > size - 2)
		return 0;
	info = data + 2;
	ct = info + info_len;
	ct_len = size - 2 - info_len;
	chunk = 1 + info_len % 37;

	(void)tk_cose_encrypt_parse(info, info_len, &view, NULL);

	memset(&ops, 0, sizeof(ops));
	ops.unwrap_cek = unwrap;
	err = tk_suit_decrypt_begin(&ctx, tk_span_make(info, info_len), &ops,
				    tk_crypto_openssl(), NULL);
	for (size_t at = 0; err == TK_OK && at < ct_len; at += chunk) {
		size_t n = ct_len - at < chunk ? ct_len - at : chunk;

		err = tk_suit_decrypt_update(&ctx, ct + at, n, &sink, NULL);
	}
	if (err == TK_OK) {
		bool aead = ctx.aead;

		err = tk_suit_decrypt_finish(&ctx, &sink, NULL);
		if (err == TK_OK && total != (aead ? ct_len - 16 : ct_len))
			abort();
	}
	tk_suit_decrypt_wipe(&ctx);
	if (ctx.started || ctx.cipher.impl != NULL)
		abort();
	return 0;
}
