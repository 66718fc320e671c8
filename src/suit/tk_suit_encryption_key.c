/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content key recovery for SUIT encrypted payloads: the KDF context of
 * draft-ietf-suit-firmware-encryption-24 section 5.2.4 and the unwrap of
 * one COSE_recipient with a key the caller holds. A TEE backend calls
 * tk_suit_unwrap_cek() from its unwrap_cek hook, so its private key or KEK
 * never leaves the backend.
 */
#include "suit/tk_suit_encryption.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* A recipient algorithm (RFC 9053 sections 6.2.1 and 6.4). */
struct wrap_alg {
	int64_t alg;
	bool ecdh;      /* ECDH-ES + key wrap, else AES-KW with a KEK */
	int64_t kw_alg; /* the key wrap algorithm, AlgorithmID of the KDF */
	size_t kek_len;
};

static const struct wrap_alg wrap_algs[] = {
	{TK_COSE_ALG_A128KW, false, TK_COSE_ALG_A128KW, 16},
	{TK_COSE_ALG_A192KW, false, TK_COSE_ALG_A192KW, 24},
	{TK_COSE_ALG_A256KW, false, TK_COSE_ALG_A256KW, 32},
	{TK_COSE_ALG_ECDH_ES_A128KW, true, TK_COSE_ALG_A128KW, 16},
	{TK_COSE_ALG_ECDH_ES_A256KW, true, TK_COSE_ALG_A256KW, 32},
};

static const struct wrap_alg *find_wrap_alg(int64_t alg)
{
	for (size_t i = 0; i < sizeof(wrap_algs) / sizeof(wrap_algs[0]); i++) {
		if (wrap_algs[i].alg == alg)
			return &wrap_algs[i];
	}
	return NULL;
}

tk_err tk_suit_kdf_context_encode(int64_t kw_alg, size_t key_len,
				  struct tk_span recipient_protected, uint8_t *out,
				  size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len == NULL || out == NULL ||
	    (recipient_protected.ptr == NULL && recipient_protected.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to KDF context encode");
	*out_len = 0;

	/* COSE_KDF_Context = [AlgorithmID, PartyUInfo, PartyVInfo, SuppPubInfo]
	 * with both party infos [nil, nil, nil] and SuppPubInfo =
	 * [keyDataLength, protected, other]. */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_array(&enc, 4);
	tk_cbor_put_int(&enc, kw_alg);
	for (int party = 0; party < 2; party++) {
		tk_cbor_put_array(&enc, 3);
		tk_cbor_put_null(&enc);
		tk_cbor_put_null(&enc);
		tk_cbor_put_null(&enc);
	}
	tk_cbor_put_array(&enc, 3);
	tk_cbor_put_uint(&enc, (uint64_t)key_len * 8);
	tk_cbor_put_bstr(&enc, recipient_protected.ptr, recipient_protected.len);
	tk_cbor_put_bstr(&enc, (const uint8_t *)TK_SUIT_KDF_OTHER,
			 sizeof(TK_SUIT_KDF_OTHER) - 1);
	err = tk_cbor_enc_finish(&enc, out_len);
	if (err != TK_OK)
		*out_len = 0;
	return err;
}

/*
 * KEK of an ECDH-ES recipient: HKDF-SHA256 over the shared secret with the
 * recipient's salt and the KDF context (RFC 9053 section 5.1).
 */
static tk_err derive_kek(const struct tk_crypto *crypto, const struct tk_suit_recipient *r,
			 const struct wrap_alg *walg, const struct tk_crypto_key *priv,
			 uint8_t kek[TK_SUIT_CEK_MAX], struct tk_diag *diag)
{
	struct tk_cose_key epk;
	struct tk_crypto_key *peer = NULL;
	uint8_t secret[TK_CRYPTO_ECDH_SECRET_LEN];
	uint8_t context[TK_SUIT_KDF_CONTEXT_MAX];
	size_t context_len = 0;
	tk_err err;

	if (r->ephemeral_key.len == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			       "ECDH-ES recipient without an ephemeral key (label -1)");
	err = tk_cose_key_decode(r->ephemeral_key.ptr, r->ephemeral_key.len, &epk, diag);
	if (err == TK_OK && (epk.kty != TK_COSE_KTY_EC2 || epk.crv != TK_COSE_CRV_P256))
		err = TK_FAIL(diag, TK_ERR_KEY, "ephemeral key is not an EC2 P-256 key");
	if (err == TK_OK && epk.d.len != 0)
		err = TK_FAIL(diag, TK_ERR_KEY, "ephemeral key carries a private part");
	if (err == TK_OK)
		err = tk_cose_key_to_crypto(crypto, &epk, &peer, diag);
	if (err == TK_OK)
		err = tk_crypto_ecdh(priv, peer, secret, diag);
	if (err == TK_OK)
		err = tk_suit_kdf_context_encode(walg->kw_alg, walg->kek_len, r->protected_raw,
						 context, sizeof(context), &context_len, diag);
	if (err == TK_OK)
		err = tk_crypto_hkdf_sha256(crypto, r->salt,
					    tk_span_make(secret, sizeof(secret)),
					    tk_span_make(context, context_len), kek,
					    walg->kek_len, diag);
	tk_wipe(secret, sizeof(secret));
	tk_crypto_key_free(peer);
	return err;
}

/* Check that key fits recipient r and walg. */
static tk_err check_key(const struct tk_suit_recipient *r, const struct wrap_alg *walg,
			const struct tk_suit_unwrap_key *key, struct tk_diag *diag)
{
	if (key->kid.len > 0 && r->kid.len > 0 && !tk_span_equal(key->kid, r->kid))
		return TK_FAIL(diag, TK_ERR_KEY, "recipient kid does not match the key's");
	if (walg->ecdh) {
		if (key->private_key == NULL ||
		    tk_crypto_key_type(key->private_key) != TK_CRYPTO_KEY_P256 ||
		    !tk_crypto_key_has_private(key->private_key))
			return TK_FAIL(diag, TK_ERR_KEY,
				       "ECDH-ES recipient needs a P-256 private key");
		return TK_OK;
	}

	/* Draft section 5.1.4: AES-KW has no per-message parameters, so the
	 * recipient's protected header is empty. */
	if (r->protected_raw.len != 0 &&
	    !(r->protected_raw.len == 1 && r->protected_raw.ptr[0] == 0xa0))
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "AES-KW recipient with a non-empty protected header");
	if (key->kek == NULL || key->kek_len != walg->kek_len)
		return TK_FAIL(diag, TK_ERR_KEY, "recipient alg %" PRId64 " needs a %zu-byte KEK",
			       r->alg, walg->kek_len);
	return TK_OK;
}

/* AES-KW unwrap; a failed integrity check means a wrong key or an altered
 * recipient, reported as TK_ERR_KEY. */
static tk_err unwrap(const struct tk_crypto *crypto, const uint8_t *kek, size_t kek_len,
		     const struct tk_suit_recipient *r, uint8_t *cek, size_t cek_cap,
		     size_t *cek_len, struct tk_diag *diag)
{
	struct tk_diag inner;
	tk_err err;

	tk_diag_clear(&inner);
	err = tk_crypto_aes_kw_unwrap(crypto, kek, kek_len, r->wrapped_cek.ptr,
				      r->wrapped_cek.len, cek, cek_cap, cek_len, &inner);
	if (err == TK_ERR_DECRYPT)
		return TK_FAIL(diag, TK_ERR_KEY, "content key unwrap failed: wrong key or "
			       "altered recipient (%s)", inner.msg);
	if (err != TK_OK)
		return TK_FAIL(diag, err, "content key unwrap: %s", inner.msg);
	return TK_OK;
}

tk_err tk_suit_unwrap_cek(const struct tk_crypto *crypto, const struct tk_suit_recipient *r,
			  const struct tk_suit_unwrap_key *key, uint8_t *cek, size_t cek_cap,
			  size_t *cek_len, struct tk_diag *diag)
{
	const struct wrap_alg *walg;
	uint8_t derived[TK_SUIT_CEK_MAX];
	const uint8_t *kek;
	tk_err err;

	if (cek_len == NULL || cek == NULL || r == NULL || key == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "NULL argument to CEK unwrap");
	*cek_len = 0;
	walg = find_wrap_alg(r->alg);
	if (walg == NULL)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "recipient alg %" PRId64 " is not supported", r->alg);
	err = check_key(r, walg, key, diag);
	if (err != TK_OK)
		return err;

	kek = key->kek;
	if (walg->ecdh) {
		err = derive_kek(crypto, r, walg, key->private_key, derived, diag);
		kek = derived;
	}
	if (err == TK_OK)
		err = unwrap(crypto, kek, walg->kek_len, r, cek, cek_cap, cek_len, diag);
	tk_wipe(derived, sizeof(derived));
	if (err != TK_OK) {
		tk_wipe(cek, cek_cap);
		*cek_len = 0;
	}
	return err;
}
