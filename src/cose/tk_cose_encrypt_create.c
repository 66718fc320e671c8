/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creation of COSE_Encrypt0 and COSE_Encrypt with one recipient. The
 * ciphertext is written straight into the caller's output buffer after the
 * encoded headers, so the plaintext is never copied. The plaintext must not
 * overlap the output.
 */
#include "cose/tk_cose.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose_impl.h"

#define KEY_MAX 32
#define IV_MAX 16

/* Largest protected header we write: {1: alg}. */
#define PROTECTED_MAX 16

/* Largest COSE_Key we write for an ephemeral P-256 key. */
#define EPHEMERAL_KEY_MAX 96

/* Content algorithm parameters, as in tk_cose_encrypt.c. */
struct content_params {
	enum tk_crypto_aead_alg aead; /* TK_CRYPTO_AEAD_NONE for AES-CTR */
	size_t key_len;
	size_t iv_len;
};

static const struct tk_cose_sign_opts default_opts;

static bool content_params_of(int64_t alg, struct content_params *p)
{
	switch (alg) {
	case TK_COSE_ALG_A128GCM:
		*p = (struct content_params){TK_CRYPTO_AEAD_A128GCM, 16, 12};
		return true;
	case TK_COSE_ALG_A192GCM:
		*p = (struct content_params){TK_CRYPTO_AEAD_A192GCM, 24, 12};
		return true;
	case TK_COSE_ALG_A256GCM:
		*p = (struct content_params){TK_CRYPTO_AEAD_A256GCM, 32, 12};
		return true;
	case TK_COSE_ALG_CHACHA20_POLY1305:
		*p = (struct content_params){TK_CRYPTO_AEAD_CHACHA20_POLY1305, 32, 12};
		return true;
	case TK_COSE_ALG_A128CTR:
		*p = (struct content_params){TK_CRYPTO_AEAD_NONE, 16, 16};
		return true;
	case TK_COSE_ALG_A192CTR:
		*p = (struct content_params){TK_CRYPTO_AEAD_NONE, 24, 16};
		return true;
	case TK_COSE_ALG_A256CTR:
		*p = (struct content_params){TK_CRYPTO_AEAD_NONE, 32, 16};
		return true;
	default:
		return false;
	}
}

/* Everything the content layer needs, worked out before any output. */
struct content_plan {
	int64_t alg;
	struct content_params params;
	uint8_t iv[IV_MAX];
	uint8_t prot[PROTECTED_MAX];
	size_t prot_len;
	size_t ciphertext_len;
};

static tk_err plan_content(const struct tk_crypto *c, int64_t alg, size_t cek_len,
			   size_t plaintext_len, const struct tk_cose_sign_opts *opts,
			   struct content_plan *plan, struct tk_diag *diag)
{
	memset(plan, 0, sizeof(*plan));
	plan->alg = alg;
	if (!content_params_of(alg, &plan->params))
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "content alg %" PRId64, alg);
	if (cek_len != plan->params.key_len)
		return TK_FAIL(diag, TK_ERR_KEY, "content key of %zu bytes, alg %" PRId64
			       " needs %zu", cek_len, alg, plan->params.key_len);
	if (opts->detached || opts->has_content_type)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "detached ciphertext and content type are not supported");
	if (plan->params.aead == TK_CRYPTO_AEAD_NONE && opts->external_aad.len != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "AES-CTR content cannot bind external AAD");
	if (plaintext_len > SIZE_MAX - TK_CRYPTO_AEAD_TAG_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "plaintext of %zu bytes", plaintext_len);
	plan->ciphertext_len = plaintext_len +
			       (plan->params.aead != TK_CRYPTO_AEAD_NONE ? TK_CRYPTO_AEAD_TAG_LEN : 0);

	/* AES-CTR needs an empty protected header (see check_ctr_layout() in
	   tk_cose_encrypt.c), so its alg goes unprotected. The AEADs protect it. */
	if (plan->params.aead != TK_CRYPTO_AEAD_NONE) {
		tk_err err = tk_cose_encode_protected(alg, false, 0, plan->prot,
						      sizeof(plan->prot), &plan->prot_len, diag);
		if (err != TK_OK)
			return err;
	}
	return tk_crypto_random(c, plan->iv, plan->params.iv_len, diag);
}

/* unprotected = {[1: alg,] 5: iv}, alg only for AES-CTR. */
static void put_content_unprotected(struct tk_cbor_enc *enc, const struct content_plan *plan)
{
	bool ctr = plan->params.aead == TK_CRYPTO_AEAD_NONE;

	tk_cbor_put_map(enc, ctr ? 2 : 1);
	if (ctr) {
		tk_cbor_put_uint(enc, TK_COSE_HDR_ALG);
		tk_cbor_put_int(enc, plan->alg);
	}
	tk_cbor_put_uint(enc, TK_COSE_HDR_IV);
	tk_cbor_put_bstr(enc, plan->iv, plan->params.iv_len);
}

/*
 * Write [tag,] array head, headers and the ciphertext bstr head into out.
 * *prefix_len is the offset where the ciphertext goes.
 */
static tk_err put_content_prefix(const struct content_plan *plan, uint64_t tag,
				 unsigned items, const struct tk_cose_sign_opts *opts,
				 uint8_t *out, size_t out_cap, size_t *prefix_len,
				 struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	uint8_t head[9];
	size_t head_len = 0;
	tk_err err;

	err = tk_cose_bstr_head(plan->ciphertext_len, head, &head_len, diag);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	if (opts->tagged)
		tk_cbor_put_tag(&enc, tag);
	tk_cbor_put_array(&enc, items);
	tk_cbor_put_bstr(&enc, plan->prot, plan->prot_len);
	put_content_unprotected(&enc, plan);
	tk_cbor_put_raw(&enc, head, head_len);
	err = tk_cbor_enc_finish(&enc, prefix_len);
	if (err == TK_OK && (out == NULL || out_cap - *prefix_len < plan->ciphertext_len))
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			      "ciphertext of %zu bytes does not fit the output",
			      plan->ciphertext_len);
	return err;
}

/* Encrypt plaintext into out (ciphertext_len bytes). */
static tk_err encrypt_content(const struct tk_crypto *c, const struct content_plan *plan,
			      const char *context, const uint8_t *cek,
			      const uint8_t *plaintext, size_t plaintext_len,
			      const struct tk_cose_sign_opts *opts, uint8_t *out,
			      struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	uint8_t structure[TK_COSE_ENC_STRUCTURE_MAX];
	size_t structure_len = 0;
	size_t written = 0;
	tk_err err;

	if (plan->params.aead == TK_CRYPTO_AEAD_NONE)
		return tk_crypto_aes_ctr(c, cek, plan->params.key_len, plan->iv, plaintext,
					 plaintext_len, out, diag);

	/* Enc_structure = [context, protected, external_aad] */
	tk_cbor_enc_init(&enc, structure, sizeof(structure), diag);
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_cstr(&enc, context);
	tk_cbor_put_bstr(&enc, plan->prot, plan->prot_len);
	tk_cbor_put_bstr(&enc, opts->external_aad.ptr, opts->external_aad.len);
	err = tk_cbor_enc_finish(&enc, &structure_len);
	if (err == TK_ERR_BUFFER_TOO_SMALL)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "Enc_structure exceeds %d bytes",
			       TK_COSE_ENC_STRUCTURE_MAX);
	if (err != TK_OK)
		return err;
	return tk_crypto_aead_seal(c, plan->params.aead, cek, plan->params.key_len, plan->iv,
				   tk_span_make(structure, structure_len), plaintext,
				   plaintext_len, out, plan->ciphertext_len, &written, diag);
}

static tk_err check_create_args(const uint8_t *plaintext, size_t plaintext_len,
				const uint8_t *out, size_t out_cap, size_t *out_len,
				const struct tk_cose_sign_opts *opts, struct tk_diag *diag)
{
	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "out_len is NULL");
	*out_len = 0;
	if ((plaintext == NULL && plaintext_len != 0) ||
	    (opts->external_aad.ptr == NULL && opts->external_aad.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL plaintext or AAD with a length");

	/* Ciphertext goes straight into out, so a counting pass is not offered. */
	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "output buffer is NULL");
	if (plaintext != NULL && (uintptr_t)plaintext < (uintptr_t)out + out_cap &&
	    (uintptr_t)out < (uintptr_t)plaintext + plaintext_len)
		return TK_FAIL(diag, TK_ERR_ARG, "plaintext overlaps the output");
	return TK_OK;
}

tk_err tk_cose_encrypt0_create(const struct tk_crypto *c, int64_t alg, const uint8_t *cek,
			       size_t cek_len, const uint8_t *plaintext,
			       size_t plaintext_len, const struct tk_cose_sign_opts *opts,
			       uint8_t *out, size_t out_cap, size_t *out_len,
			       struct tk_diag *diag)
{
	struct content_plan plan;
	size_t prefix_len = 0;
	tk_err err;

	if (opts == NULL)
		opts = &default_opts;
	err = check_create_args(plaintext, plaintext_len, out, out_cap, out_len, opts, diag);
	if (err == TK_OK && cek == NULL)
		err = TK_FAIL(diag, TK_ERR_KEY, "content key is NULL");
	if (err == TK_OK)
		err = plan_content(c, alg, cek_len, plaintext_len, opts, &plan, diag);
	if (err == TK_OK)
		err = put_content_prefix(&plan, TK_COSE_TAG_ENCRYPT0, 3, opts, out, out_cap,
					 &prefix_len, diag);
	if (err == TK_OK)
		err = encrypt_content(c, &plan, "Encrypt0", cek, plaintext, plaintext_len,
				      opts, out + prefix_len, diag);
	if (err != TK_OK) {
		if (out != NULL)
			tk_wipe(out, out_cap);
		return err;
	}
	*out_len = prefix_len + plan.ciphertext_len;
	return TK_OK;
}

/* A recipient worked out before any output: headers and wrapped key. */
struct recipient_plan {
	uint8_t prot[PROTECTED_MAX];
	size_t prot_len;
	uint8_t epk[EPHEMERAL_KEY_MAX]; /* encoded ephemeral COSE_Key */
	size_t epk_len;
	uint8_t wrapped[KEY_MAX + TK_CRYPTO_AES_KW_OVERHEAD];
	size_t wrapped_len;
};

/* RFC 9053 section 6.4: ECDH-ES with a fresh ephemeral key, then key wrap. */
static tk_err plan_ecdh_recipient(const struct tk_crypto *c,
				  const struct tk_cose_recipient *r, size_t kek_len,
				  int64_t kw_alg, const uint8_t *cek, size_t cek_len,
				  struct recipient_plan *plan, struct tk_diag *diag)
{
	struct tk_crypto_key *eph = NULL;
	uint8_t kek[KEY_MAX];
	tk_err err;

	err = tk_cose_encode_protected(r->alg, false, 0, plan->prot, sizeof(plan->prot),
				       &plan->prot_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &eph, diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(eph, TK_SPAN_EMPTY, 0, plan->epk,
						sizeof(plan->epk), &plan->epk_len, diag);
	if (err == TK_OK)
		err = tk_cose_derive_kek(c, eph, r->key, kw_alg, kek_len,
					 tk_span_make(plan->prot, plan->prot_len), r->kdf_other,
					 kek, diag);
	if (err == TK_OK)
		err = tk_crypto_aes_kw_wrap(c, kek, kek_len, cek, cek_len, plan->wrapped,
					    sizeof(plan->wrapped), &plan->wrapped_len, diag);
	tk_wipe(kek, sizeof(kek));
	tk_crypto_key_free(eph);
	return err;
}

static tk_err plan_recipient(const struct tk_crypto *c, const struct tk_cose_recipient *r,
			     const uint8_t *cek, size_t cek_len,
			     struct recipient_plan *plan, struct tk_diag *diag)
{
	size_t kek_len;
	int64_t kw_alg;
	bool ecdh;

	memset(plan, 0, sizeof(*plan));
	switch (r->alg) {
	case TK_COSE_ALG_A128KW:
	case TK_COSE_ALG_ECDH_ES_A128KW:
		kek_len = 16;
		kw_alg = TK_COSE_ALG_A128KW;
		break;
	case TK_COSE_ALG_A256KW:
	case TK_COSE_ALG_ECDH_ES_A256KW:
		kek_len = 32;
		kw_alg = TK_COSE_ALG_A256KW;
		break;
	default:
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "recipient alg %" PRId64, r->alg);
	}
	if (r->kid.len > TK_COSE_KID_MAX || (r->kid.ptr == NULL && r->kid.len != 0))
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH, "recipient kid of %zu bytes",
			       r->kid.len);
	ecdh = r->alg == TK_COSE_ALG_ECDH_ES_A128KW || r->alg == TK_COSE_ALG_ECDH_ES_A256KW;
	if (ecdh) {
		if (tk_crypto_key_type(r->key) != TK_CRYPTO_KEY_P256)
			return TK_FAIL(diag, TK_ERR_KEY, "ECDH-ES recipient needs a P-256 key");
		return plan_ecdh_recipient(c, r, kek_len, kw_alg, cek, cek_len, plan, diag);
	}

	/* AES key wrap has no per-invocation parameters, so its protected
	   header is empty, as in the COSE WG and SUIT examples. */
	if (r->kek == NULL || r->kek_len != kek_len)
		return TK_FAIL(diag, TK_ERR_KEY, "recipient KEK of %zu bytes, expected %zu",
			       r->kek_len, kek_len);
	return tk_crypto_aes_kw_wrap(c, r->kek, r->kek_len, cek, cek_len, plan->wrapped,
				     sizeof(plan->wrapped), &plan->wrapped_len, diag);
}

/* recipients = [[protected, unprotected, wrapped key]] */
static tk_err put_recipients(const struct tk_cose_recipient *r,
			     const struct recipient_plan *plan, uint8_t *out,
			     size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	bool ecdh = plan->epk_len > 0;
	uint64_t pairs = 1 + (r->kid.len > 0 ? 1 : 0); /* alg or epk, and kid */

	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_bstr(&enc, plan->prot, plan->prot_len);

	/* ECDH-ES: {4: kid, -1: ephemeral key}; AES-KW: {1: alg, 4: kid}. */
	tk_cbor_put_map(&enc, pairs);
	if (!ecdh) {
		tk_cbor_put_uint(&enc, TK_COSE_HDR_ALG);
		tk_cbor_put_int(&enc, r->alg);
	}
	if (r->kid.len > 0) {
		tk_cbor_put_uint(&enc, TK_COSE_HDR_KID);
		tk_cbor_put_bstr(&enc, r->kid.ptr, r->kid.len);
	}
	if (ecdh) {
		tk_cbor_put_int(&enc, TK_COSE_HDR_EPHEMERAL_KEY);
		tk_cbor_put_raw(&enc, plan->epk, plan->epk_len);
	}
	tk_cbor_put_bstr(&enc, plan->wrapped, plan->wrapped_len);
	return tk_cbor_enc_finish(&enc, out_len);
}

tk_err tk_cose_encrypt_create(const struct tk_crypto *c, int64_t alg,
			      const struct tk_cose_recipient *recipient,
			      const uint8_t *plaintext, size_t plaintext_len,
			      const struct tk_cose_sign_opts *opts, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct content_plan plan;
	struct recipient_plan rplan;
	uint8_t cek[KEY_MAX];
	size_t prefix_len = 0;
	size_t tail_len = 0;
	tk_err err;

	if (opts == NULL)
		opts = &default_opts;
	memset(&rplan, 0, sizeof(rplan));
	err = check_create_args(plaintext, plaintext_len, out, out_cap, out_len, opts, diag);
	if (err == TK_OK && recipient == NULL)
		err = TK_FAIL(diag, TK_ERR_ARG, "recipient is NULL");

	/* A fresh content key, wrapped for the recipient. */
	if (err == TK_OK && !content_params_of(alg, &plan.params))
		err = TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "content alg %" PRId64, alg);
	if (err == TK_OK)
		err = tk_crypto_random(c, cek, plan.params.key_len, diag);
	if (err == TK_OK)
		err = plan_content(c, alg, plan.params.key_len, plaintext_len, opts, &plan,
				   diag);
	if (err == TK_OK)
		err = plan_recipient(c, recipient, cek, plan.params.key_len, &rplan, diag);

	if (err == TK_OK)
		err = put_content_prefix(&plan, TK_COSE_TAG_ENCRYPT, 4, opts, out, out_cap,
					 &prefix_len, diag);
	if (err == TK_OK)
		err = encrypt_content(c, &plan, "Encrypt", cek, plaintext, plaintext_len, opts,
				      out + prefix_len, diag);
	if (err == TK_OK)
		err = put_recipients(recipient, &rplan, out + prefix_len + plan.ciphertext_len,
				     out_cap - prefix_len - plan.ciphertext_len, &tail_len,
				     diag);
	tk_wipe(cek, sizeof(cek));
	if (err != TK_OK) {
		if (out != NULL)
			tk_wipe(out, out_cap);
		return err;
	}
	*out_len = prefix_len + plan.ciphertext_len + tail_len;
	return TK_OK;
}
