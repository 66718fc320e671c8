/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EAT Encryption of draft-ietf-teep-protocol ("EATs and SUIT Reports"):
 * the agent encrypts its signed evidence to the TAM with ES-DH, so that
 * intermediaries between them see no device identifiers or measurements.
 * A thin layer over the COSE_Encrypt code: it fixes the recipient
 * algorithm, the KDF context string and the allowed content algorithms.
 */
#include "eat/tk_eat.h"

#include <string.h>

/* Content algorithms allowed: the AEADs of the TEEP cipher suites. */
static const int64_t content_algs[] = {
	TK_COSE_ALG_A128GCM,
	TK_COSE_ALG_CHACHA20_POLY1305,
};

static bool content_alg_allowed(int64_t alg)
{
	for (size_t i = 0; i < sizeof(content_algs) / sizeof(content_algs[0]); i++) {
		if (content_algs[i] == alg)
			return true;
	}
	return false;
}

static struct tk_span context(void)
{
	return tk_span_make(TK_EAT_ENCRYPTION_CONTEXT, strlen(TK_EAT_ENCRYPTION_CONTEXT));
}

tk_err tk_eat_encrypt(const struct tk_crypto *c, const struct tk_crypto_key *tam_key,
		      struct tk_span kid, int64_t content_alg, const uint8_t *evidence,
		      size_t evidence_len, uint8_t *out, size_t out_cap, size_t *out_len,
		      struct tk_diag *diag)
{
	struct tk_cose_recipient recipient = {
		.alg = TK_COSE_ALG_ECDH_ES_A128KW,
		.key = tam_key,
		.kid = kid,
		.kdf_other = context(),
	};
	struct tk_cose_sign_opts opts = {.tagged = true};

	if (out_len != NULL)
		*out_len = 0;
	if (tam_key == NULL || evidence == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "TAM key, evidence or output is NULL");
	if (tk_crypto_key_type(tam_key) != TK_CRYPTO_KEY_P256)
		return TK_FAIL(diag, TK_ERR_KEY, "ES-DH needs the TAM's P-256 key");
	if (!content_alg_allowed(content_alg))
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "content algorithm %lld is not an AEAD of the TEEP cipher "
			       "suites (A128GCM 1, ChaCha20/Poly1305 24)",
			       (long long)content_alg);
	if (evidence_len > TK_EAT_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "evidence is %zu bytes, maximum %u",
			       evidence_len, TK_EAT_MAX_SIZE);
	return tk_cose_encrypt_create(c, content_alg, &recipient, evidence, evidence_len,
				      &opts, out, out_cap, out_len, diag);
}

tk_err tk_eat_decrypt(const struct tk_crypto *c, const struct tk_crypto_key *tam_key,
		      const uint8_t *msg, size_t msg_len, uint8_t *out, size_t out_cap,
		      size_t *out_len, struct tk_diag *diag)
{
	struct tk_cose_decrypt_opts opts = {
		.tag_mode = TK_COSE_TAG_OPTIONAL,
		.recipient_key = tam_key,
		.kdf_other = context(),
		.allowed_algs = content_algs,
		.n_allowed_algs = sizeof(content_algs) / sizeof(content_algs[0]),
	};
	struct tk_cose_decrypted result;

	if (out_len != NULL)
		*out_len = 0;
	if (tam_key == NULL || msg == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "TAM key, message or output is NULL");
	if (msg_len > TK_EAT_ENCRYPTED_MAX_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "encrypted evidence is %zu bytes, maximum %u", msg_len,
			       TK_EAT_ENCRYPTED_MAX_SIZE);
	return tk_cose_encrypt_decrypt(c, msg, msg_len, &opts, out, out_cap, out_len,
				       &result, diag);
}
