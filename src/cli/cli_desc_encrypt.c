/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "encrypted" member of a manifest description: payloads encrypted for
 * one recipient (draft-ietf-suit-firmware-encryption-24) with the SUIT
 * layer's tk_suit_encrypt_payload(), such as personalization data for a
 * TEE's public key. Each entry yields a ciphertext and a
 * SUIT_Encryption_Info that the rest of the document names:
 *
 *   "encrypted": {"config": {
 *       "plaintext": {"file": "config.json"},
 *       "content-alg": "A128CTR",
 *       "recipient": {"alg": "ECDH-ES+A128KW", "public-key": "tee.pub.pem",
 *                     "kid": {"text": "tee-1"}}}}
 *   ... "content": {"ciphertext": "config"},
 *       "encryption-info": {"encryption-info": "config"} ...
 *
 * An AES-KW recipient gives "kek" (bytes, 16 or 32 long) in place of
 * "public-key". Plaintext and KEK read from files or hex are wiped as soon
 * as the payload is encrypted.
 */
#include "cli_desc_impl.h"

#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_encryption.h"
#include "tk_cli.h"

/* COSE algorithms by the names a description uses. */
static const struct {
	const char *name;
	int64_t alg;
} alg_names[] = {
	{"A128CTR", TK_COSE_ALG_A128CTR},
	{"A256CTR", TK_COSE_ALG_A256CTR},
	{"A128GCM", TK_COSE_ALG_A128GCM},
	{"A256GCM", TK_COSE_ALG_A256GCM},
	{"ChaCha20/Poly1305", TK_COSE_ALG_CHACHA20_POLY1305},
	{"A128KW", TK_COSE_ALG_A128KW},
	{"A256KW", TK_COSE_ALG_A256KW},
	{"ECDH-ES+A128KW", TK_COSE_ALG_ECDH_ES_A128KW},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Tag of an AEAD content algorithm, added to the ciphertext. */
#define TAG_MAX 16

static bool alg_by_name(json_t *v, int64_t *alg)
{
	const char *name = json_string_value(v);

	for (size_t i = 0; name != NULL && i < COUNT(alg_names); i++) {
		if (strcmp(name, alg_names[i].name) == 0) {
			*alg = alg_names[i].alg;
			return true;
		}
	}
	return false;
}

const struct tk_cli_desc_encrypted *tk_cli_desc_find_encrypted(const struct tk_cli_desc *d,
								const char *name)
{
	for (size_t i = 0; i < d->encrypted_count; i++) {
		if (strcmp(d->encrypted[i].name, name) == 0)
			return &d->encrypted[i];
	}
	return NULL;
}

/* Read the recipient's public key from a PEM file beside the description. */
static tk_err load_public_key(struct tk_cli_desc *d, json_t *v, const char *where,
			      struct tk_crypto_key **key, struct tk_diag *diag)
{
	json_t *file = json_pack("{s:O}", "file", v);
	struct tk_span pem = {NULL, 0};
	tk_err err;

	if (file == NULL || !json_is_string(v)) {
		json_decref(file);
		return tk_cli_desc_fail(diag, where, "public-key is the path of a PEM file");
	}
	err = tk_cli_desc_bytes(d, file, where, &pem, diag);
	json_decref(file);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem.ptr, pem.len, key, diag);
	return err;
}

static tk_err parse_recipient(struct tk_cli_desc *d, json_t *v, const char *where,
			      struct tk_suit_encrypt_recipient *r, struct tk_crypto_key **key,
			      struct tk_diag *diag)
{
	json_t *pub = json_object_get(v, "public-key");
	json_t *kek = json_object_get(v, "kek");
	json_t *kid = json_object_get(v, "kid");
	struct tk_span kek_bytes = {NULL, 0};
	tk_err err = TK_OK;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(v) || !alg_by_name(json_object_get(v, "alg"), &r->alg))
		return tk_cli_desc_fail(diag, where, "recipient alg is A128KW, A256KW or "
					"ECDH-ES+A128KW");
	if ((pub == NULL) == (kek == NULL) ||
	    json_object_size(v) != 2 + (size_t)(kid != NULL))
		return tk_cli_desc_fail(diag, where, "a recipient has alg, public-key or kek, "
					"and an optional kid");
	if (kid != NULL)
		err = tk_cli_desc_bytes(d, kid, where, &r->kid, diag);
	if (err == TK_OK && pub != NULL) {
		err = load_public_key(d, pub, where, key, diag);
		r->public_key = *key;
	}
	if (err == TK_OK && kek != NULL) {
		err = tk_cli_desc_bytes(d, kek, where, &kek_bytes, diag);
		r->kek = kek_bytes.ptr;
		r->kek_len = kek_bytes.len;
	}
	return err;
}

/* Wipe a secret the description read into its own blocks. The "text" form
 * lives in the JSON document and is left as is. */
static void wipe_secret(json_t *v, struct tk_span bytes)
{
	if (json_is_string(v) || json_object_get(v, "file") != NULL ||
	    json_object_get(v, "hex") != NULL)
		tk_wipe((void *)bytes.ptr, bytes.len);
}

static tk_err encrypt_one(struct tk_cli_desc *d, const char *name, json_t *v,
			  struct tk_cli_desc_encrypted *out, struct tk_diag *diag)
{
	char where[TK_CLI_DESC_WHERE_MAX];
	json_t *plain_v = json_object_get(v, "plaintext");
	json_t *recipient_v = json_object_get(v, "recipient");
	struct tk_suit_encrypt_recipient recipient;
	struct tk_crypto_key *key = NULL;
	struct tk_span plaintext = {NULL, 0};
	uint8_t *info = NULL, *ct = NULL;
	size_t info_len = 0, ct_len = 0;
	int64_t content_alg = 0;
	tk_err err;

	memset(&recipient, 0, sizeof(recipient));
	tk_cli_desc_where(where, sizeof(where), "encrypted.%s", name);
	if (!json_is_object(v) || json_object_size(v) != 3 || plain_v == NULL ||
	    !alg_by_name(json_object_get(v, "content-alg"), &content_alg))
		return tk_cli_desc_fail(diag, where, "expected plaintext, content-alg (A128CTR, "
					"A256CTR, A128GCM, A256GCM or ChaCha20/Poly1305) and "
					"recipient");
	err = tk_cli_desc_bytes(d, plain_v, where, &plaintext, diag);
	if (err == TK_OK)
		err = parse_recipient(d, recipient_v, where, &recipient, &key, diag);
	if (err == TK_OK) {
		info = tk_cli_desc_alloc(d, 1, TK_SUIT_MAX_ENCRYPTION_INFO, diag);
		ct = tk_cli_desc_alloc(d, 1, plaintext.len + TAG_MAX, diag);
		if (info == NULL || ct == NULL)
			err = d->alloc_err;
	}
	if (err == TK_OK)
		err = tk_suit_encrypt_payload(tk_crypto_openssl(), content_alg, &recipient,
					      plaintext, info, TK_SUIT_MAX_ENCRYPTION_INFO,
					      &info_len, ct, plaintext.len + TAG_MAX, &ct_len,
					      diag);

	/* The plaintext (personalization data) and the KEK are secrets. */
	wipe_secret(plain_v, plaintext);
	if (recipient_v != NULL && json_object_get(recipient_v, "kek") != NULL)
		wipe_secret(json_object_get(recipient_v, "kek"),
			    tk_span_make(recipient.kek, recipient.kek_len));
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return err;
	out->name = name;
	out->ciphertext = tk_span_make(ct, ct_len);
	out->info = tk_span_make(info, info_len);
	return TK_OK;
}

tk_err tk_cli_desc_encrypt(struct tk_cli_desc *d, json_t *v, struct tk_diag *diag)
{
	const char *name;
	json_t *value;

	if (v == NULL)
		return TK_OK;
	if (!json_is_object(v))
		return tk_cli_desc_fail(diag, "encrypted", "expected an object of name: payload");
	if (json_object_size(v) > TK_CLI_DESC_MAX_ENCRYPTED)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "encrypted: %zu payloads, limit %d",
			       json_object_size(v), TK_CLI_DESC_MAX_ENCRYPTED);
	json_object_foreach(v, name, value) {
		tk_err err = encrypt_one(d, name, value, &d->encrypted[d->encrypted_count], diag);

		if (err != TK_OK)
			return err;
		d->encrypted_count++;
	}
	return TK_OK;
}
