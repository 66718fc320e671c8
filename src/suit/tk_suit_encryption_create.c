/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encryption of SUIT payloads for manifest builders
 * (draft-ietf-suit-firmware-encryption-24): a fresh CEK and IV encrypt the
 * payload as a detached ciphertext, and one COSE_recipient carries the CEK
 * wrapped with a KEK (AES-KW) or with a KEK derived by ECDH-ES from a fresh
 * ephemeral key and the recipient's P-256 public key. The output has the
 * layout of the draft's examples (section 6), so its vectors and this
 * encoder can be checked against each other.
 */
#include "suit/tk_suit_encryption.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* Largest protected header written: {1: alg}. */
#define PROTECTED_MAX 8

/* Largest encoded ephemeral COSE_Key: {1: 2, -1: 1, -2: x, -3: y}. */
#define EPHEMERAL_KEY_MAX 96

/* Largest Enc_structure written: ["Encrypt", {1: alg}, h'']. */
#define AAD_MAX 24

/* Largest wrapped CEK: a 32-byte key plus the AES-KW block. */
#define WRAPPED_MAX (TK_SUIT_CEK_MAX + TK_CRYPTO_AES_KW_OVERHEAD)

/* Everything the encryption info needs, worked out before any output. */
struct plan {
	int64_t content_alg;
	enum tk_crypto_cipher_alg cipher;
	uint8_t cek[TK_SUIT_CEK_MAX];
	size_t cek_len;
	uint8_t iv[TK_CRYPTO_AES_CTR_IV_LEN];
	size_t iv_len;
	uint8_t prot[PROTECTED_MAX];      /* content layer protected header */
	size_t prot_len;
	uint8_t rprot[PROTECTED_MAX];     /* recipient protected header */
	size_t rprot_len;
	uint8_t epk[EPHEMERAL_KEY_MAX];   /* ECDH-ES ephemeral COSE_Key */
	size_t epk_len;
	uint8_t wrapped[WRAPPED_MAX];
	size_t wrapped_len;
};

static enum tk_crypto_cipher_alg cipher_of(int64_t alg)
{
	switch (alg) {
	case TK_COSE_ALG_A128CTR:
		return TK_CRYPTO_CIPHER_A128CTR;
	case TK_COSE_ALG_A256CTR:
		return TK_CRYPTO_CIPHER_A256CTR;
	case TK_COSE_ALG_A128GCM:
		return TK_CRYPTO_CIPHER_A128GCM;
	case TK_COSE_ALG_A256GCM:
		return TK_CRYPTO_CIPHER_A256GCM;
	case TK_COSE_ALG_CHACHA20_POLY1305:
		return TK_CRYPTO_CIPHER_CHACHA20_POLY1305;
	default:
		return TK_CRYPTO_CIPHER_NONE;
	}
}

/* Encode {1: alg} into out. */
static tk_err encode_alg_map(int64_t alg, uint8_t *out, size_t cap, size_t *len,
			     struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, out, cap, diag);
	tk_cbor_put_map(&enc, 1);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_int(&enc, alg);
	return tk_cbor_enc_finish(&enc, len);
}

/* Wrap the CEK with a derived KEK: fresh ephemeral key, ECDH, HKDF. */
static tk_err wrap_ecdh(const struct tk_crypto *c, const struct tk_suit_encrypt_recipient *r,
			size_t kek_len, int64_t kw_alg, struct plan *p, struct tk_diag *diag)
{
	struct tk_crypto_key *eph = NULL;
	uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN];
	uint8_t context[TK_SUIT_KDF_CONTEXT_MAX];
	uint8_t kek[TK_SUIT_CEK_MAX];
	size_t context_len = 0;
	tk_err err;

	if (r->public_key == NULL || tk_crypto_key_type(r->public_key) != TK_CRYPTO_KEY_P256)
		return TK_FAIL(diag, TK_ERR_KEY, "ECDH-ES recipient needs a P-256 public key");
	err = encode_alg_map(r->alg, p->rprot, sizeof(p->rprot), &p->rprot_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &eph, diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(eph, TK_SPAN_EMPTY, 0, p->epk, sizeof(p->epk),
						&p->epk_len, diag);
	if (err == TK_OK)
		err = tk_crypto_ecdh(eph, r->public_key, secret, diag);
	if (err == TK_OK)
		err = tk_suit_kdf_context_encode(kw_alg, kek_len,
						 tk_span_make(p->rprot, p->rprot_len), context,
						 sizeof(context), &context_len, diag);
	if (err == TK_OK)
		err = tk_crypto_hkdf_sha256(c, TK_SPAN_EMPTY, tk_span_make(secret, sizeof(secret)),
					    tk_span_make(context, context_len), kek, kek_len,
					    diag);
	if (err == TK_OK)
		err = tk_crypto_aes_kw_wrap(c, kek, kek_len, p->cek, p->cek_len, p->wrapped,
					    sizeof(p->wrapped), &p->wrapped_len, diag);
	tk_wipe(secret, sizeof(secret));
	tk_wipe(kek, sizeof(kek));
	tk_crypto_key_free(eph);
	return err;
}

/* Wrap the CEK for the recipient. */
static tk_err wrap_cek(const struct tk_crypto *c, const struct tk_suit_encrypt_recipient *r,
		       struct plan *p, struct tk_diag *diag)
{
	switch (r->alg) {
	case TK_COSE_ALG_ECDH_ES_A128KW:
		return wrap_ecdh(c, r, 16, TK_COSE_ALG_A128KW, p, diag);
	case TK_COSE_ALG_A128KW:
	case TK_COSE_ALG_A256KW:
		if (r->kek == NULL || r->kek_len != (r->alg == TK_COSE_ALG_A128KW ? 16u : 32u))
			return TK_FAIL(diag, TK_ERR_KEY, "recipient alg %" PRId64
				       " needs a %u-byte KEK", r->alg,
				       r->alg == TK_COSE_ALG_A128KW ? 16u : 32u);
		return tk_crypto_aes_kw_wrap(c, r->kek, r->kek_len, p->cek, p->cek_len,
					     p->wrapped, sizeof(p->wrapped), &p->wrapped_len,
					     diag);
	default:
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "recipient alg %" PRId64 " is not supported for encryption",
			       r->alg);
	}
}

/* Choose the algorithms, draw the CEK and IV, and wrap the CEK. */
static tk_err make_plan(const struct tk_crypto *c, int64_t content_alg,
			const struct tk_suit_encrypt_recipient *r, struct plan *p,
			struct tk_diag *diag)
{
	tk_err err;

	p->content_alg = content_alg;
	p->cipher = cipher_of(content_alg);
	if (p->cipher == TK_CRYPTO_CIPHER_NONE)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "content alg %" PRId64 " is not supported", content_alg);
	if (r->kid.ptr == NULL && r->kid.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL kid");
	p->cek_len = tk_crypto_cipher_key_len(p->cipher);
	p->iv_len = tk_crypto_cipher_iv_len(p->cipher);

	/* AES-CTR: empty protected header (draft section 6), alg unprotected. */
	err = TK_OK;
	if (tk_crypto_cipher_is_aead(p->cipher))
		err = encode_alg_map(content_alg, p->prot, sizeof(p->prot), &p->prot_len, diag);
	if (err == TK_OK)
		err = tk_crypto_random(c, p->cek, p->cek_len, diag);
	if (err == TK_OK)
		err = tk_crypto_random(c, p->iv, p->iv_len, diag);
	if (err == TK_OK)
		err = wrap_cek(c, r, p, diag);
	return err;
}

/* COSE_recipient = [protected, unprotected, wrapped CEK]. Unprotected map
 * keys in bytewise order: 1 (alg, AES-KW only), 4 (kid), -1 (ephemeral). */
static void put_recipient(struct tk_cbor_enc *enc, const struct tk_suit_encrypt_recipient *r,
			  const struct plan *p)
{
	bool ecdh = p->epk_len > 0;

	/* Either alg or the ephemeral key, plus the kid when there is one. */
	tk_cbor_put_array(enc, 3);
	tk_cbor_put_bstr(enc, p->rprot, p->rprot_len);
	tk_cbor_put_map(enc, 1u + (r->kid.len > 0 ? 1u : 0u));
	if (!ecdh) {
		tk_cbor_put_uint(enc, TK_COSE_HDR_ALG);
		tk_cbor_put_int(enc, r->alg);
	}
	if (r->kid.len > 0) {
		tk_cbor_put_uint(enc, TK_COSE_HDR_KID);
		tk_cbor_put_bstr(enc, r->kid.ptr, r->kid.len);
	}
	if (ecdh) {
		tk_cbor_put_int(enc, TK_COSE_HDR_EPHEMERAL_KEY);
		tk_cbor_put_raw(enc, p->epk, p->epk_len);
	}
	tk_cbor_put_bstr(enc, p->wrapped, p->wrapped_len);
}

/* SUIT_Encryption_Info = #6.96([protected, unprotected, nil, [recipient]]) */
static tk_err encode_info(const struct tk_suit_encrypt_recipient *r, const struct plan *p,
			  uint8_t *out, size_t cap, size_t *len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	bool ctr = !tk_crypto_cipher_is_aead(p->cipher);

	tk_cbor_enc_init(&enc, out, cap, diag);
	tk_cbor_put_tag(&enc, TK_COSE_TAG_ENCRYPT);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_bstr(&enc, p->prot, p->prot_len);
	tk_cbor_put_map(&enc, ctr ? 2 : 1);
	if (ctr) {
		tk_cbor_put_uint(&enc, TK_COSE_HDR_ALG);
		tk_cbor_put_int(&enc, p->content_alg);
	}
	tk_cbor_put_uint(&enc, TK_COSE_HDR_IV);
	tk_cbor_put_bstr(&enc, p->iv, p->iv_len);
	tk_cbor_put_null(&enc);
	tk_cbor_put_array(&enc, 1);
	put_recipient(&enc, r, p);
	return tk_cbor_enc_finish(&enc, len);
}

/* Encrypt the plaintext into ct with the planned CEK and IV. */
static tk_err encrypt_content(const struct tk_crypto *c, const struct plan *p,
			      struct tk_span plaintext, uint8_t *ct, size_t ct_cap,
			      size_t *ct_len, struct tk_diag *diag)
{
	struct tk_crypto_cipher_ctx cc;
	struct tk_cbor_enc enc;
	uint8_t aad[AAD_MAX];
	size_t aad_len = 0, need = plaintext.len;
	bool aead = tk_crypto_cipher_is_aead(p->cipher);
	tk_err err = TK_OK;

	if (aead)
		need += TK_CRYPTO_AEAD_TAG_LEN;
	if (need < plaintext.len || ct_cap < need)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "ciphertext needs %zu bytes, buffer has %zu", need, ct_cap);
	if (aead) {
		tk_cbor_enc_init(&enc, aad, sizeof(aad), diag);
		tk_cbor_put_array(&enc, 3);
		tk_cbor_put_cstr(&enc, "Encrypt");
		tk_cbor_put_bstr(&enc, p->prot, p->prot_len);
		tk_cbor_put_bstr(&enc, NULL, 0);
		err = tk_cbor_enc_finish(&enc, &aad_len);
	}
	if (err == TK_OK)
		err = tk_crypto_cipher_init(c, &cc, p->cipher, true, p->cek, p->cek_len, p->iv,
					    p->iv_len, tk_span_make(aad, aad_len), diag);
	if (err != TK_OK)
		return err;
	err = tk_crypto_cipher_update(&cc, plaintext.ptr, plaintext.len, ct, diag);
	if (err == TK_OK)
		err = tk_crypto_cipher_final_encrypt(&cc, aead ? ct + plaintext.len : NULL, diag);
	tk_crypto_cipher_abort(&cc);
	if (err == TK_OK)
		*ct_len = need;
	return err;
}

tk_err tk_suit_encrypt_payload(const struct tk_crypto *crypto, int64_t content_alg,
			       const struct tk_suit_encrypt_recipient *recipient,
			       struct tk_span plaintext, uint8_t *info, size_t info_cap,
			       size_t *info_len, uint8_t *ct, size_t ct_cap, size_t *ct_len,
			       struct tk_diag *diag)
{
	struct plan p;
	tk_err err;

	if (info_len == NULL || ct_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL output length");
	*info_len = 0;
	*ct_len = 0;
	if (crypto == NULL || recipient == NULL || info == NULL || ct == NULL ||
	    (plaintext.ptr == NULL && plaintext.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to payload encryption");
	if ((uint64_t)plaintext.len > TK_SUIT_MAX_IMAGE_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "payload of %zu bytes, limit %llu",
			       plaintext.len, (unsigned long long)TK_SUIT_MAX_IMAGE_SIZE);
	memset(&p, 0, sizeof(p));

	err = make_plan(crypto, content_alg, recipient, &p, diag);
	if (err == TK_OK)
		err = encode_info(recipient, &p, info, info_cap, info_len, diag);
	if (err == TK_OK)
		err = encrypt_content(crypto, &p, plaintext, ct, ct_cap, ct_len, diag);
	tk_wipe(&p, sizeof(p));
	if (err != TK_OK) {
		*info_len = 0;
		*ct_len = 0;
		tk_wipe(ct, ct_cap);
	}
	return err;
}
