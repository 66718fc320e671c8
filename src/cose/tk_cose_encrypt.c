/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE_Encrypt0 and COSE_Encrypt (RFC 9052 section 5) with the content and
 * recipient algorithms listed in tk_cose.h. Decryption reads the whole
 * message (headers of every layer) before it uses any key.
 *
 *   COSE_Encrypt0 = [Headers, ciphertext: bstr / nil]
 *   COSE_Encrypt = [Headers, ciphertext: bstr / nil,
 *                   recipients: [+ COSE_recipient]]
 *   COSE_recipient = [Headers, ciphertext: bstr / nil, ? recipients]
 *   Enc_structure = [context: "Encrypt0" / "Encrypt", protected, external_aad]
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

/* Largest content or key-wrap key in bytes (AES-256, ChaCha20). */
#define KEY_MAX 32

/* A content encryption algorithm. */
struct content_alg {
	int64_t alg;
	enum tk_crypto_aead_alg aead; /* TK_CRYPTO_AEAD_NONE for AES-CTR */
	size_t key_len;
	size_t iv_len;
};

static const struct content_alg content_algs[] = {
	{TK_COSE_ALG_A128GCM, TK_CRYPTO_AEAD_A128GCM, 16, 12},
	{TK_COSE_ALG_A192GCM, TK_CRYPTO_AEAD_A192GCM, 24, 12},
	{TK_COSE_ALG_A256GCM, TK_CRYPTO_AEAD_A256GCM, 32, 12},
	{TK_COSE_ALG_CHACHA20_POLY1305, TK_CRYPTO_AEAD_CHACHA20_POLY1305, 32, 12},
	{TK_COSE_ALG_A128CTR, TK_CRYPTO_AEAD_NONE, 16, 16},
	{TK_COSE_ALG_A192CTR, TK_CRYPTO_AEAD_NONE, 24, 16},
	{TK_COSE_ALG_A256CTR, TK_CRYPTO_AEAD_NONE, 32, 16},
};

/* A key wrap recipient algorithm (RFC 9053 sections 6.2 and 6.4). */
struct wrap_alg {
	int64_t alg;
	bool ecdh;      /* ECDH-ES + key wrap, else AES key wrap with a KEK */
	size_t kek_len;
	int64_t kw_alg; /* AlgorithmID of the COSE_KDF_Context */
};

static const struct wrap_alg wrap_algs[] = {
	{TK_COSE_ALG_A128KW, false, 16, TK_COSE_ALG_A128KW},
	{TK_COSE_ALG_A192KW, false, 24, TK_COSE_ALG_A192KW},
	{TK_COSE_ALG_A256KW, false, 32, TK_COSE_ALG_A256KW},
	{TK_COSE_ALG_ECDH_ES_A128KW, true, 16, TK_COSE_ALG_A128KW},
	{TK_COSE_ALG_ECDH_ES_A192KW, true, 24, TK_COSE_ALG_A192KW},
	{TK_COSE_ALG_ECDH_ES_A256KW, true, 32, TK_COSE_ALG_A256KW},
};

/* One COSE_recipient of a COSE_Encrypt being decrypted. */
struct recipient_entry {
	struct tk_cose_hdr hdr;
	struct tk_span ciphertext; /* the wrapped content key */
	tk_err err;                /* TK_OK, or why it cannot be used */
	struct tk_diag diag;
};

static const struct content_alg *find_content_alg(int64_t alg)
{
	for (size_t i = 0; i < sizeof(content_algs) / sizeof(content_algs[0]); i++) {
		if (content_algs[i].alg == alg)
			return &content_algs[i];
	}
	return NULL;
}

static const struct wrap_alg *find_wrap_alg(int64_t alg)
{
	for (size_t i = 0; i < sizeof(wrap_algs) / sizeof(wrap_algs[0]); i++) {
		if (wrap_algs[i].alg == alg)
			return &wrap_algs[i];
	}
	return NULL;
}

/* Resolve the content algorithm of hdr and check its IV. */
static tk_err check_content_alg(const struct tk_cose_hdr *hdr,
				const struct tk_cose_decrypt_opts *opts,
				const struct content_alg **out, struct tk_diag *diag)
{
	const struct content_alg *calg;
	bool allowed = opts->allowed_algs == NULL;

	*out = NULL;
	if (!hdr->h.has_alg)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "alg header parameter missing");
	if (hdr->alg_is_text)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "alg given as text");
	calg = find_content_alg(hdr->h.alg);
	for (size_t i = 0; !allowed && i < opts->n_allowed_algs; i++)
		allowed = opts->allowed_algs[i] == hdr->h.alg;
	if (calg == NULL || !allowed)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "content alg %" PRId64 " not supported or not allowed",
			       hdr->h.alg);
	if (hdr->has_partial_iv)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "partial IV needs a base IV, which is not supported");
	if (hdr->h.iv.len != calg->iv_len)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH, "IV of %zu bytes, expected %zu",
			       hdr->h.iv.len, calg->iv_len);
	*out = calg;
	return TK_OK;
}

/* Encode Enc_structure into buf (RFC 9052 section 5.3). */
static tk_err build_enc_structure(const char *context, struct tk_span protected_raw,
				  struct tk_span aad, uint8_t *buf, size_t *len,
				  struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	struct tk_span prot = tk_cose_structure_protected(protected_raw);
	tk_err err;

	tk_cbor_enc_init(&enc, buf, TK_COSE_ENC_STRUCTURE_MAX, diag);
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_cstr(&enc, context);
	tk_cbor_put_bstr(&enc, prot.ptr, prot.len);
	tk_cbor_put_bstr(&enc, aad.ptr, aad.len);
	err = tk_cbor_enc_finish(&enc, len);
	if (err == TK_ERR_BUFFER_TOO_SMALL)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "Enc_structure exceeds %d bytes (protected %zu, AAD %zu)",
			       TK_COSE_ENC_STRUCTURE_MAX, prot.len, aad.len);
	return err;
}

/*
 * AES-CTR has no integrity, so no Enc_structure is authenticated. The SUIT
 * firmware encryption draft requires an empty protected header, and
 * external AAD would be silently unbound.
 */
static tk_err check_ctr_layout(const struct tk_cose_hdr *hdr, struct tk_span aad,
			       struct tk_diag *diag)
{
	if (tk_cose_structure_protected(hdr->h.protected_raw).len != 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "AES-CTR content with a non-empty protected header");
	if (aad.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "AES-CTR content cannot bind external AAD");
	return TK_OK;
}

/* Decrypt the content layer with cek. */
static tk_err decrypt_content(const struct tk_crypto *c, const struct tk_cose_hdr *hdr,
			      const char *context, struct tk_span ciphertext,
			      const uint8_t *cek, size_t cek_len,
			      const struct tk_cose_decrypt_opts *opts, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	const struct content_alg *calg;
	uint8_t structure[TK_COSE_ENC_STRUCTURE_MAX];
	size_t structure_len = 0;
	tk_err err = check_content_alg(hdr, opts, &calg, diag);

	if (err != TK_OK)
		return err;
	if (cek == NULL || cek_len != calg->key_len)
		return TK_FAIL(diag, TK_ERR_KEY, "content key of %zu bytes, alg %" PRId64
			       " needs %zu", cek_len, calg->alg, calg->key_len);

	if (calg->aead != TK_CRYPTO_AEAD_NONE) {
		err = build_enc_structure(context, hdr->h.protected_raw, opts->external_aad,
					  structure, &structure_len, diag);
		if (err == TK_OK)
			err = tk_crypto_aead_open(c, calg->aead, cek, cek_len, hdr->h.iv.ptr,
						  tk_span_make(structure, structure_len),
						  ciphertext.ptr, ciphertext.len, out, out_cap,
						  out_len, diag);
		return err;
	}

	err = check_ctr_layout(hdr, opts->external_aad, diag);
	if (err == TK_OK && out_cap < ciphertext.len)
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			      "plaintext needs %zu bytes, buffer has %zu", ciphertext.len,
			      out_cap);
	if (err == TK_OK)
		err = tk_crypto_aes_ctr(c, cek, cek_len, hdr->h.iv.ptr, ciphertext.ptr,
					ciphertext.len, out, diag);
	if (err == TK_OK)
		*out_len = ciphertext.len;
	return err;
}

/* The ciphertext: a bstr, or nil with a detached ciphertext from opts. */
static tk_err read_ciphertext(struct tk_cbor_dec *dec,
			      const struct tk_cose_decrypt_opts *opts,
			      struct tk_span *ciphertext)
{
	if (tk_cbor_peek(dec) == TK_CBOR_NULL) {
		if (!opts->detached)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
						"ciphertext is nil but none was given");
		*ciphertext = opts->detached_ciphertext;
		return tk_cbor_get_null(dec);
	}
	if (opts->detached)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"ciphertext is attached but a detached one was expected");
	return tk_cbor_get_bstr(dec, ciphertext);
}

/* Headers and ciphertext of the content layer, after the tag. */
static tk_err read_content_layer(struct tk_cbor_dec *dec,
				 const struct tk_cose_decrypt_opts *opts,
				 uint64_t expected_items, const char *what,
				 struct tk_cose_hdr *hdr, struct tk_span *ciphertext,
				 struct tk_diag *diag)
{
	struct tk_span prot = TK_SPAN_EMPTY;
	uint64_t count = 0;
	tk_err err = tk_cbor_enter_array(dec, &count);

	if (err == TK_OK && count != expected_items)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "%s array of %" PRIu64 " items, expected %" PRIu64,
				       what, count, expected_items);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &prot);
	if (err == TK_OK)
		err = tk_cose_parse_protected(prot, hdr, diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(dec, hdr);
	if (err == TK_OK)
		err = read_ciphertext(dec, opts, ciphertext);
	return err;
}

static tk_err check_decrypt_args(const struct tk_cose_decrypt_opts *opts,
				 const uint8_t *msg, const uint8_t *out, size_t *out_len,
				 struct tk_cose_decrypted *result, struct tk_diag *diag)
{
	if (out_len == NULL || result == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL output to COSE decrypt");
	*out_len = 0;
	memset(result, 0, sizeof(*result));
	if (opts == NULL || msg == NULL || out == NULL ||
	    (opts->external_aad.ptr == NULL && opts->external_aad.len != 0) ||
	    (opts->detached_ciphertext.ptr == NULL && opts->detached_ciphertext.len != 0) ||
	    (opts->allowed_algs == NULL && opts->n_allowed_algs != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to COSE decrypt");
	return TK_OK;
}

tk_err tk_cose_encrypt0_decrypt(const struct tk_crypto *c, const uint8_t *msg,
				size_t msg_len, const struct tk_cose_decrypt_opts *opts,
				uint8_t *out, size_t out_cap, size_t *out_len,
				struct tk_cose_decrypted *result, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_cose_hdr hdr;
	struct tk_span ciphertext = TK_SPAN_EMPTY;
	tk_err err;

	err = check_decrypt_args(opts, msg, out, out_len, result, diag);
	if (err != TK_OK)
		return err;
	memset(&hdr, 0, sizeof(hdr));

	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cose_read_tag(&dec, opts->tag_mode, TK_COSE_TAG_ENCRYPT0,
				       "COSE_Encrypt0");
	if (err == TK_OK)
		err = read_content_layer(&dec, opts, 3, "COSE_Encrypt0", &hdr, &ciphertext,
					 diag);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		err = decrypt_content(c, &hdr, "Encrypt0", ciphertext, opts->cek, opts->cek_len,
				      opts, out, out_cap, out_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		*out_len = 0;
		return err;
	}
	result->body = hdr.h;
	return TK_OK;
}

/* Parse one COSE_recipient = [Headers, ciphertext: bstr / nil]. */
static tk_err decode_recipient(struct tk_cbor_dec *dec, struct recipient_entry *entry)
{
	struct tk_span prot = TK_SPAN_EMPTY;
	uint64_t count = 0;
	tk_err err;

	memset(entry, 0, sizeof(*entry));
	tk_diag_clear(&entry->diag);
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count == 4)
		entry->err = TK_FAIL(&entry->diag, TK_ERR_UNSUPPORTED,
				     "nested recipients are not supported");
	else if (err == TK_OK && count != 3)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE_recipient array of %" PRIu64 " items", count);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &prot);
	if (err == TK_OK && entry->err == TK_OK)
		entry->err = tk_cose_parse_protected(prot, &entry->hdr, &entry->diag);
	if (err == TK_OK)
		err = tk_cose_parse_unprotected(dec, &entry->hdr);
	if (err == TK_OK && tk_cbor_peek(dec) == TK_CBOR_NULL)
		err = tk_cbor_get_null(dec);
	else if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &entry->ciphertext);
	if (err == TK_OK)
		err = tk_cbor_leave(dec); /* skips nested recipients */
	return err;
}

/*
 * COSE_KDF_Context (RFC 9053 section 5.2) for ECDH-ES + key wrap, with no
 * party identities: [AlgorithmID, [nil, nil, nil], [nil, nil, nil],
 *                    [keyDataLength, protected, ? other: bstr]].
 */
static tk_err build_kdf_context(int64_t kw_alg, size_t kek_len,
				struct tk_span recipient_protected, struct tk_span other,
				uint8_t *buf, size_t *len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	struct tk_span prot = tk_cose_structure_protected(recipient_protected);

	tk_cbor_enc_init(&enc, buf, TK_COSE_ENC_STRUCTURE_MAX, diag);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_int(&enc, kw_alg);
	for (int party = 0; party < 2; party++) {
		tk_cbor_put_array(&enc, 3);
		tk_cbor_put_null(&enc);
		tk_cbor_put_null(&enc);
		tk_cbor_put_null(&enc);
	}
	tk_cbor_put_array(&enc, other.len > 0 ? 3 : 2);
	tk_cbor_put_uint(&enc, (uint64_t)kek_len * 8);
	tk_cbor_put_bstr(&enc, prot.ptr, prot.len);
	if (other.len > 0)
		tk_cbor_put_bstr(&enc, other.ptr, other.len);
	return tk_cbor_enc_finish(&enc, len);
}

tk_err tk_cose_derive_kek(const struct tk_crypto *c, const struct tk_crypto_key *priv,
			  const struct tk_crypto_key *peer, int64_t kw_alg, size_t kek_len,
			  struct tk_span recipient_protected, struct tk_span other,
			  uint8_t *kek, struct tk_diag *diag)
{
	uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN];
	uint8_t context[TK_COSE_ENC_STRUCTURE_MAX];
	size_t context_len = 0;
	tk_err err;

	err = tk_crypto_ecdh(priv, peer, secret, diag);
	if (err == TK_OK)
		err = build_kdf_context(kw_alg, kek_len, recipient_protected, other, context,
					&context_len, diag);
	if (err == TK_OK)
		err = tk_crypto_hkdf_sha256(c, TK_SPAN_EMPTY,
					    tk_span_make(secret, sizeof(secret)),
					    tk_span_make(context, context_len), kek, kek_len,
					    diag);
	tk_wipe(secret, sizeof(secret));
	return err;
}

/* Unwrap the content key of an ECDH-ES + key wrap recipient. */
static tk_err unwrap_ecdh(const struct tk_crypto *c, const struct recipient_entry *r,
			  const struct wrap_alg *walg, const struct tk_cose_decrypt_opts *opts,
			  uint8_t cek[KEY_MAX], size_t *cek_len, struct tk_diag *diag)
{
	struct tk_cose_key epk;
	struct tk_crypto_key *peer = NULL;
	uint8_t kek[KEY_MAX];
	tk_err err;

	if (opts->recipient_key == NULL)
		return TK_FAIL(diag, TK_ERR_KEY, "ECDH-ES recipient but no private key given");
	if (r->hdr.ephemeral_key.len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "ECDH-ES recipient without ephemeral key");
	err = tk_cose_key_decode(r->hdr.ephemeral_key.ptr, r->hdr.ephemeral_key.len, &epk,
				 diag);
	if (err == TK_OK && epk.d.len != 0)
		err = TK_FAIL(diag, TK_ERR_KEY, "ephemeral key carries a private part");
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(c, &epk, &peer, diag);
	if (err == TK_OK)
		err = tk_cose_derive_kek(c, opts->recipient_key, peer, walg->kw_alg,
					 walg->kek_len, r->hdr.h.protected_raw, opts->kdf_other,
					 kek, diag);
	if (err == TK_OK)
		err = tk_crypto_aes_kw_unwrap(c, kek, walg->kek_len, r->ciphertext.ptr,
					      r->ciphertext.len, cek, KEY_MAX, cek_len, diag);
	tk_wipe(kek, sizeof(kek));
	tk_crypto_key_free(peer);
	return err;
}

/* Recover the content key from one recipient with the secret in opts. */
static tk_err recover_cek(const struct tk_crypto *c, const struct recipient_entry *r,
			  const struct tk_cose_decrypt_opts *opts, uint8_t cek[KEY_MAX],
			  size_t *cek_len, struct tk_diag *diag)
{
	const struct wrap_alg *walg;

	*cek_len = 0;
	if (!r->hdr.h.has_alg || r->hdr.alg_is_text)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "recipient alg missing or text");
	if (opts->kid.len > 0 && r->hdr.h.kid.len > 0 && !tk_span_equal(opts->kid, r->hdr.h.kid))
		return TK_FAIL(diag, TK_ERR_KEY, "recipient kid does not match");

	/* RFC 9053 section 6.1: direct use of the shared key, no ciphertext. */
	if (r->hdr.h.alg == TK_COSE_ALG_DIRECT) {
		if (opts->cek == NULL || opts->cek_len > KEY_MAX)
			return TK_FAIL(diag, TK_ERR_KEY, "direct recipient but no content key");
		if (r->ciphertext.len != 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
				       "direct recipient with a ciphertext");
		memcpy(cek, opts->cek, opts->cek_len);
		*cek_len = opts->cek_len;
		return TK_OK;
	}
	walg = find_wrap_alg(r->hdr.h.alg);
	if (walg == NULL)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "recipient alg %" PRId64,
			       r->hdr.h.alg);
	if (walg->ecdh)
		return unwrap_ecdh(c, r, walg, opts, cek, cek_len, diag);
	if (opts->kek == NULL || opts->kek_len != walg->kek_len)
		return TK_FAIL(diag, TK_ERR_KEY, "recipient alg %" PRId64 " needs a %zu-byte KEK",
			       r->hdr.h.alg, walg->kek_len);
	return tk_crypto_aes_kw_unwrap(c, opts->kek, opts->kek_len, r->ciphertext.ptr,
				       r->ciphertext.len, cek, KEY_MAX, cek_len, diag);
}

/* Rank of a recipient failure: the highest ranked one is reported. */
static int recipient_rank(tk_err err)
{
	switch (err) {
	case TK_ERR_ALG_UNSUPPORTED:
		return 1;
	case TK_ERR_KEY:
		return 2;
	default:
		return 3; /* TK_ERR_DECRYPT, malformed recipient headers, ... */
	}
}

/*
 * Recover the content key from the first recipient that yields one; its
 * index goes to *used. When none does, the most telling failure is
 * returned with its own detail.
 */
static tk_err find_cek(const struct tk_crypto *c, struct recipient_entry *recipients,
		       size_t n, const struct tk_cose_decrypt_opts *opts,
		       uint8_t cek[KEY_MAX], size_t *cek_len, size_t *used,
		       struct tk_diag *diag)
{
	size_t worst = 0;

	for (size_t i = 0; i < n; i++) {
		struct recipient_entry *r = &recipients[i];

		if (r->err == TK_OK)
			r->err = recover_cek(c, r, opts, cek, cek_len, &r->diag);
		if (r->err == TK_OK) {
			*used = i;
			return TK_OK;
		}
		if (recipient_rank(r->err) > recipient_rank(recipients[worst].err))
			worst = i;
	}
	tk_wipe(cek, KEY_MAX);
	*cek_len = 0;
	if (diag != NULL && diag->code == TK_OK)
		*diag = recipients[worst].diag;
	return recipients[worst].err;
}

/* Decode a whole COSE_Encrypt into hdr, ciphertext and recipients. */
static tk_err decode_encrypt(const uint8_t *msg, size_t msg_len,
			     const struct tk_cose_decrypt_opts *opts, struct tk_cose_hdr *hdr,
			     struct tk_span *ciphertext, struct recipient_entry *recipients,
			     size_t *n_recipients, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err;

	*n_recipients = 0;
	err = tk_cbor_dec_init(&dec, msg, msg_len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cose_read_tag(&dec, opts->tag_mode, TK_COSE_TAG_ENCRYPT, "COSE_Encrypt");
	if (err == TK_OK)
		err = read_content_layer(&dec, opts, 4, "COSE_Encrypt", hdr, ciphertext, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH, "COSE_Encrypt has no recipients");
	if (err == TK_OK && count > TK_COSE_MAX_RECIPIENTS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT,
				       "COSE_Encrypt has %" PRIu64 " recipients, limit %d", count,
				       TK_COSE_MAX_RECIPIENTS);
	while (err == TK_OK && tk_cbor_more(&dec) && *n_recipients < TK_COSE_MAX_RECIPIENTS) {
		err = decode_recipient(&dec, &recipients[*n_recipients]);
		if (err == TK_OK)
			(*n_recipients)++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

tk_err tk_cose_encrypt_decrypt(const struct tk_crypto *c, const uint8_t *msg,
			       size_t msg_len, const struct tk_cose_decrypt_opts *opts,
			       uint8_t *out, size_t out_cap, size_t *out_len,
			       struct tk_cose_decrypted *result, struct tk_diag *diag)
{
	struct recipient_entry recipients[TK_COSE_MAX_RECIPIENTS];
	struct tk_cose_hdr hdr;
	struct tk_span ciphertext = TK_SPAN_EMPTY;
	uint8_t cek[KEY_MAX];
	size_t cek_len = 0;
	size_t n = 0;
	size_t used = 0;
	tk_err err;

	err = check_decrypt_args(opts, msg, out, out_len, result, diag);
	if (err != TK_OK)
		return err;
	memset(&hdr, 0, sizeof(hdr));
	err = decode_encrypt(msg, msg_len, opts, &hdr, &ciphertext, recipients, &n, diag);

	if (err == TK_OK)
		err = find_cek(c, recipients, n, opts, cek, &cek_len, &used, diag);
	if (err == TK_OK)
		err = decrypt_content(c, &hdr, "Encrypt", ciphertext, cek, cek_len, opts, out,
				      out_cap, out_len, diag);
	tk_wipe(cek, sizeof(cek));
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		*out_len = 0;
		return err;
	}
	result->body = hdr.h;
	result->recipient_index = used;
	return TK_OK;
}
