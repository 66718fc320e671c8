/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decryption of SUIT payloads (draft-ietf-suit-firmware-encryption-24):
 * reading SUIT_Encryption_Info, recovering the CEK through the platform's
 * unwrap_cek hook, and streaming the content cipher into a sink.
 *
 *   SUIT_Encryption_Info = #6.96([protected: empty_or_serialized_map,
 *                                 unprotected: header_map,
 *                                 ciphertext: bstr / nil,
 *                                 recipients: [+ COSE_recipient]])
 *
 * The key material a recipient needs (a P-256 private key or a KEK) is
 * never passed to this file: the hook gets the recipient and returns a
 * CEK, which lives on the stack of tk_suit_decrypt_begin() until the
 * cipher has been started and is wiped there.
 */
#include "suit/tk_suit_encryption.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* Largest Enc_structure: 16 bytes of fixed parts plus the protected header. */
#define ENC_STRUCTURE_MAX 512

/* A content algorithm of the draft and the streaming cipher that runs it. */
struct content_alg {
	int64_t cose_alg;
	enum tk_crypto_cipher_alg cipher;
};

static const struct content_alg content_algs[] = {
	{TK_COSE_ALG_A128CTR, TK_CRYPTO_CIPHER_A128CTR},
	{TK_COSE_ALG_A256CTR, TK_CRYPTO_CIPHER_A256CTR},
	{TK_COSE_ALG_A128GCM, TK_CRYPTO_CIPHER_A128GCM},
	{TK_COSE_ALG_A256GCM, TK_CRYPTO_CIPHER_A256GCM},
	{TK_COSE_ALG_CHACHA20_POLY1305, TK_CRYPTO_CIPHER_CHACHA20_POLY1305},
};

static enum tk_crypto_cipher_alg find_cipher(int64_t cose_alg)
{
	for (size_t i = 0; i < sizeof(content_algs) / sizeof(content_algs[0]); i++) {
		if (content_algs[i].cose_alg == cose_alg)
			return content_algs[i].cipher;
	}
	return TK_CRYPTO_CIPHER_NONE;
}

/* An encoded empty map in a protected bstr counts as empty (RFC 9052
 * section 3). */
static bool protected_is_empty(struct tk_span raw)
{
	return raw.len == 0 || (raw.len == 1 && raw.ptr[0] == 0xa0);
}

/* Check the content layer; return its streaming cipher. */
static tk_err check_content(const struct tk_cose_encrypt_view *v,
			    enum tk_crypto_cipher_alg *cipher, struct tk_diag *diag)
{
	*cipher = TK_CRYPTO_CIPHER_NONE;
	if (v->tag != TK_COSE_TAG_ENCRYPT)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "COSE_Encrypt0 as encryption info: the draft's CDDL allows "
			       "only COSE_Encrypt (tag 96)");
	if (!v->detached)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "encryption info with an attached ciphertext; the payload "
			       "must be detached (parameter content, fetch or copy)");
	if (!v->body.has_alg)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "content alg missing");
	if (v->alg_is_text || find_cipher(v->body.alg) == TK_CRYPTO_CIPHER_NONE)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "content alg %" PRId64 " is not supported", v->body.alg);
	if (v->has_partial_iv)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "partial IV is not supported");
	*cipher = find_cipher(v->body.alg);
	if (v->body.iv.len != tk_crypto_cipher_iv_len(*cipher))
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH, "IV of %zu bytes, alg %" PRId64
			       " needs %zu", v->body.iv.len, v->body.alg,
			       tk_crypto_cipher_iv_len(*cipher));

	/* Section 6: AES-CTR binds no AAD, so its protected header must be a
	 * zero-length byte string. */
	if (!tk_crypto_cipher_is_aead(*cipher) && v->body.protected_raw.len != 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "AES-CTR content with a non-empty protected header");
	return TK_OK;
}

/* Describe recipient r for the unwrap hook. */
static tk_err make_recipient(const struct tk_cose_recipient_view *r, size_t cek_len,
			     struct tk_suit_recipient *out, struct tk_diag *diag)
{
	memset(out, 0, sizeof(*out));
	if (r->nested)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "nested recipients are not supported");
	if (r->has_partial_iv)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "recipient with a partial IV");
	if (!r->hdr.has_alg)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "recipient alg missing");
	if (r->alg_is_text)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "recipient alg given as text");
	out->alg = r->hdr.alg;
	out->kid = r->hdr.kid;
	out->protected_raw = r->hdr.protected_raw;
	out->ephemeral_key = r->ephemeral_key;
	out->salt = r->salt;
	out->wrapped_cek = r->ciphertext;
	out->encoded = r->encoded;
	out->cek_len = cek_len;
	return TK_OK;
}

/* Rank of a recipient failure: the highest ranked one is reported. */
static int failure_rank(tk_err err)
{
	switch (err) {
	case TK_ERR_UNSUPPORTED:
	case TK_ERR_ALG_UNSUPPORTED:
		return 1;
	case TK_ERR_KEY:
		return 2;
	default:
		return 3;
	}
}

/* Ask the hook for the CEK of one recipient. */
static tk_err unwrap_one(const struct tk_suit_platform_ops *ops,
			 const struct tk_cose_recipient_view *r, size_t need,
			 uint8_t cek[TK_SUIT_CEK_MAX], struct tk_diag *diag)
{
	struct tk_suit_recipient recipient;
	size_t cek_len = 0;
	tk_err err = make_recipient(r, need, &recipient, diag);

	if (err == TK_OK)
		err = ops->unwrap_cek(ops->ctx, &recipient, cek, TK_SUIT_CEK_MAX, &cek_len,
				      diag);
	if (err == TK_OK && cek_len != need)
		err = TK_FAIL(diag, TK_ERR_KEY, "unwrapped CEK of %zu bytes, content alg "
			      "needs %zu", cek_len, need);
	if (err != TK_OK)
		tk_wipe(cek, TK_SUIT_CEK_MAX);
	return err;
}

/* Recover the CEK from the first recipient the platform can unwrap. */
static tk_err find_cek(const struct tk_cose_encrypt_view *v,
		       const struct tk_suit_platform_ops *ops, size_t need,
		       uint8_t cek[TK_SUIT_CEK_MAX], struct tk_diag *diag)
{
	struct tk_diag worst_diag;
	tk_err worst = TK_ERR_KEY;
	int worst_rank = 0;

	tk_diag_clear(&worst_diag);
	for (size_t i = 0; i < v->recipient_count; i++) {
		struct tk_diag one;
		tk_err err;

		tk_diag_clear(&one);
		err = unwrap_one(ops, &v->recipients[i], need, cek, &one);
		if (err == TK_OK)
			return TK_OK;
		if (failure_rank(err) > worst_rank) {
			worst = err;
			worst_rank = failure_rank(err);
			worst_diag = one;
		}
	}
	return TK_FAIL(diag, worst, "no recipient of %zu could be unwrapped: %s",
		       v->recipient_count, worst_diag.msg);
}

/* Enc_structure = ["Encrypt", protected, external_aad: h''] (RFC 9052
 * section 5.3, draft section 6). */
static tk_err build_aad(struct tk_span protected_raw, uint8_t *buf, size_t *len,
			struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	struct tk_span prot = protected_is_empty(protected_raw) ? TK_SPAN_EMPTY
							      : protected_raw;
	tk_err err;

	tk_cbor_enc_init(&enc, buf, ENC_STRUCTURE_MAX, diag);
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_cstr(&enc, "Encrypt");
	tk_cbor_put_bstr(&enc, prot.ptr, prot.len);
	tk_cbor_put_bstr(&enc, NULL, 0);
	err = tk_cbor_enc_finish(&enc, len);
	if (err == TK_ERR_BUFFER_TOO_SMALL)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "protected header of %zu bytes exceeds the Enc_structure "
			       "limit of %d", prot.len, ENC_STRUCTURE_MAX);
	return err;
}

/* Parse, unwrap and start the cipher; ctx was zeroed. */
static tk_err begin(struct tk_suit_decrypt_ctx *ctx, struct tk_span info,
		    const struct tk_suit_platform_ops *ops, const struct tk_crypto *crypto,
		    struct tk_cose_encrypt_view *v, struct tk_diag *diag)
{
	enum tk_crypto_cipher_alg cipher = TK_CRYPTO_CIPHER_NONE;
	uint8_t cek[TK_SUIT_CEK_MAX];
	uint8_t aad[ENC_STRUCTURE_MAX];
	size_t aad_len = 0;
	tk_err err;

	err = tk_cose_encrypt_parse(info.ptr, info.len, v, diag);
	if (err == TK_OK)
		err = check_content(v, &cipher, diag);
	if (err == TK_OK && tk_crypto_cipher_is_aead(cipher))
		err = build_aad(v->body.protected_raw, aad, &aad_len, diag);
	if (err != TK_OK)
		return err;

	memset(cek, 0, sizeof(cek));
	err = find_cek(v, ops, tk_crypto_cipher_key_len(cipher), cek, diag);
	if (err == TK_OK)
		err = tk_crypto_cipher_init(crypto, &ctx->cipher, cipher, false, cek,
					    tk_crypto_cipher_key_len(cipher), v->body.iv.ptr,
					    v->body.iv.len, tk_span_make(aad, aad_len), diag);
	tk_wipe(cek, sizeof(cek));
	if (err == TK_OK) {
		ctx->aead = tk_crypto_cipher_is_aead(cipher);
		ctx->started = true;
	}
	return err;
}

tk_err tk_suit_decrypt_begin(struct tk_suit_decrypt_ctx *ctx, struct tk_span encryption_info,
			     const struct tk_suit_platform_ops *ops,
			     const struct tk_crypto *crypto, struct tk_diag *diag)
{
	struct tk_cose_encrypt_view view;
	tk_err err;

	if (ctx == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL decryption context");
	memset(ctx, 0, sizeof(*ctx));
	if (ops == NULL || crypto == NULL || encryption_info.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing encryption info, hooks or provider");
	if (ops->unwrap_cek == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "platform has no unwrap_cek hook to decrypt a payload with "
			       "encryption-info");
	if (encryption_info.len > TK_SUIT_MAX_ENCRYPTION_INFO)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "encryption info of %zu bytes, limit %d",
			       encryption_info.len, TK_SUIT_MAX_ENCRYPTION_INFO);

	err = begin(ctx, encryption_info, ops, crypto, &view, diag);
	if (err != TK_OK)
		tk_suit_decrypt_wipe(ctx);
	return err;
}

/* Decrypt in[0..len) through ctx->out into the sink. */
static tk_err emit(struct tk_suit_decrypt_ctx *ctx, const uint8_t *in, size_t len,
		   const struct tk_suit_sink *out, struct tk_diag *diag)
{
	tk_err err = TK_OK;

	while (err == TK_OK && len > 0) {
		size_t n = len < sizeof(ctx->out) ? len : sizeof(ctx->out);

		err = tk_crypto_cipher_update(&ctx->cipher, in, n, ctx->out, diag);
		if (err == TK_OK)
			err = out->write(out->ctx, ctx->out, n, diag);
		tk_wipe(ctx->out, n);
		in += n;
		len -= n;
	}
	return err;
}

/*
 * AEAD: the tag ends the stream, so the last TK_CRYPTO_AEAD_TAG_LEN bytes
 * seen so far are held back. Decrypt what leaves the hold-back window.
 */
static tk_err update_aead(struct tk_suit_decrypt_ctx *ctx, const uint8_t *in, size_t len,
			  const struct tk_suit_sink *out, struct tk_diag *diag)
{
	size_t total = ctx->held_len + len;
	size_t ready, from_held, from_in;
	tk_err err;

	if (total <= sizeof(ctx->held)) {
		memcpy(ctx->held + ctx->held_len, in, len);
		ctx->held_len = total;
		return TK_OK;
	}
	ready = total - sizeof(ctx->held);
	from_held = ready < ctx->held_len ? ready : ctx->held_len;
	from_in = ready - from_held;

	err = emit(ctx, ctx->held, from_held, out, diag);
	if (err == TK_OK)
		err = emit(ctx, in, from_in, out, diag);
	if (err != TK_OK)
		return err;

	/* Keep the rest of the old window, then the tail of in. */
	memmove(ctx->held, ctx->held + from_held, ctx->held_len - from_held);
	ctx->held_len -= from_held;
	memcpy(ctx->held + ctx->held_len, in + from_in, len - from_in);
	ctx->held_len += len - from_in;
	return TK_OK;
}

tk_err tk_suit_decrypt_update(struct tk_suit_decrypt_ctx *ctx, const uint8_t *in, size_t len,
			      const struct tk_suit_sink *out, struct tk_diag *diag)
{
	tk_err err;

	if (ctx == NULL || !ctx->started)
		return TK_FAIL(diag, TK_ERR_STATE, "decryption not started");
	if (out == NULL || out->write == NULL || (in == NULL && len != 0)) {
		tk_suit_decrypt_wipe(ctx);
		return TK_FAIL(diag, TK_ERR_ARG, "missing sink or input");
	}
	if (len > TK_SUIT_MAX_IMAGE_SIZE + TK_CRYPTO_AEAD_TAG_LEN - ctx->ciphertext_len) {
		tk_suit_decrypt_wipe(ctx);
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "ciphertext larger than %llu bytes",
			       (unsigned long long)(TK_SUIT_MAX_IMAGE_SIZE + TK_CRYPTO_AEAD_TAG_LEN));
	}
	ctx->ciphertext_len += len;
	if (ctx->aead)
		err = update_aead(ctx, in, len, out, diag);
	else
		err = emit(ctx, in, len, out, diag);
	if (err != TK_OK)
		tk_suit_decrypt_wipe(ctx);
	return err;
}

tk_err tk_suit_decrypt_finish(struct tk_suit_decrypt_ctx *ctx, const struct tk_suit_sink *out,
			      struct tk_diag *diag)
{
	tk_err err;

	(void)out;
	if (ctx == NULL || !ctx->started)
		return TK_FAIL(diag, TK_ERR_STATE, "decryption not started");
	if (!ctx->aead)
		err = tk_crypto_cipher_final_decrypt(&ctx->cipher, NULL, diag);
	else if (ctx->held_len < sizeof(ctx->held))
		err = TK_FAIL(diag, TK_ERR_DECRYPT,
			      "encrypted payload of %zu bytes is shorter than its tag",
			      ctx->held_len);
	else
		err = tk_crypto_cipher_final_decrypt(&ctx->cipher, ctx->held, diag);
	tk_suit_decrypt_wipe(ctx);
	return err;
}

void tk_suit_decrypt_wipe(struct tk_suit_decrypt_ctx *ctx)
{
	if (ctx == NULL)
		return;
	tk_crypto_cipher_abort(&ctx->cipher);
	tk_wipe(ctx, sizeof(*ctx));
}
