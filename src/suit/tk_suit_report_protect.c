/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COSE protection of SUIT reports (see tk_suit_report.h): encrypt to the
 * TAM, then sign, so the signature also covers the ciphertext and a TAM
 * can check who sent a report before it spends a decryption on it.
 */
#include "suit/tk_suit_report.h"

#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"

/* Content algorithms accepted in an encrypted report: AEADs only. */
static const int64_t report_content_algs[] = {
	TK_COSE_ALG_A128GCM,
	TK_COSE_ALG_A256GCM,
	TK_COSE_ALG_CHACHA20_POLY1305,
};

static struct tk_span kdf_other(void)
{
	return tk_span_make((const uint8_t *)TK_SUIT_REPORT_KDF_OTHER,
			    strlen(TK_SUIT_REPORT_KDF_OTHER));
}

tk_err tk_suit_report_protect(const struct tk_crypto *c, const struct tk_suit_report_protect *p,
			      const uint8_t *report, size_t report_len, uint8_t *work,
			      size_t work_cap, uint8_t *out, size_t out_cap, size_t *out_len,
			      struct tk_diag *diag)
{
	struct tk_cose_sign_opts opts = {.tagged = true};
	struct tk_cose_signer signer;
	const uint8_t *payload = report;
	size_t payload_len = report_len;
	tk_err err = TK_OK;

	if (out_len != NULL)
		*out_len = 0;
	if (p == NULL || p->report_key == NULL || report == NULL || out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report, report key or output is missing");

	/* draft-ietf-teep-protocol section "EATs and SUIT Reports": layer 0
	   A128GCM, layer 1 ECDH-ES+A128KW to the TAM's key. */
	if (p->recipient != NULL) {
		struct tk_cose_recipient r = {
			.alg = TK_COSE_ALG_ECDH_ES_A128KW,
			.key = p->recipient,
			.kid = p->recipient_kid,
			.kdf_other = kdf_other(),
		};

		err = tk_cose_encrypt_create(c, TK_COSE_ALG_A128GCM, &r, report, report_len, &opts,
					     work, work_cap, &payload_len, diag);
		payload = work;
	}
	if (err != TK_OK)
		return err;

	signer = (struct tk_cose_signer){
		.key = p->report_key,
		.alg = p->alg,
		.kid_thumbprint = true,
	};
	err = tk_cose_sign1_create(c, &signer, payload, payload_len, &opts, out, out_cap, out_len,
				   diag);
	if (p->recipient != NULL && work != NULL)
		tk_wipe(work, work_cap);
	return err;
}

/* The payload is a SUIT_Report (a map) or a COSE_Encrypt (tag 96 or an
   array); anything else is not a report. */
static tk_err decrypt_payload(const struct tk_crypto *c, const struct tk_crypto_key *recipient_key,
			      struct tk_span payload, uint8_t *plain, size_t plain_cap,
			      struct tk_suit_report_opened *out, struct tk_diag *diag)
{
	struct tk_cose_decrypt_opts opts = {
		.tag_mode = TK_COSE_TAG_OPTIONAL,
		.recipient_key = recipient_key,
		.kdf_other = kdf_other(),
		.allowed_algs = report_content_algs,
		.n_allowed_algs = sizeof(report_content_algs) / sizeof(report_content_algs[0]),
	};
	struct tk_cose_decrypted result;
	size_t plain_len = 0;
	uint8_t first = payload.len > 0 ? payload.ptr[0] : 0;
	tk_err err;

	if (payload.len > 0 && first >> 5 == 5) {
		out->report = payload;
		return TK_OK;
	}
	if (first == 0xd0) /* tag 16 */
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "report encrypted as COSE_Encrypt0, which needs a shared key");
	if (first != 0xd8 && first >> 5 != 4)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE,
			       "report payload is neither a SUIT_Report nor a COSE_Encrypt");
	if (recipient_key == NULL)
		return TK_FAIL(diag, TK_ERR_KEY, "report is encrypted and no decryption key is set");
	err = tk_cose_encrypt_decrypt(c, payload.ptr, payload.len, &opts, plain, plain_cap,
				      &plain_len, &result, diag);
	if (err != TK_OK)
		return err;
	out->encrypted = true;
	out->report = tk_span_make(plain, plain_len);
	return TK_OK;
}

tk_err tk_suit_report_open(const struct tk_crypto *c,
			   const struct tk_crypto_key *const *report_keys, size_t n_report_keys,
			   const struct tk_crypto_key *recipient_key, const uint8_t *msg,
			   size_t msg_len, uint8_t *plain, size_t plain_cap,
			   struct tk_suit_report_opened *out, struct tk_diag *diag)
{
	struct tk_cose_trusted_key keys[TK_COSE_MAX_SIGNERS];
	struct tk_cose_verify_opts opts = {.tag_mode = TK_COSE_TAG_OPTIONAL};
	struct tk_cose_verified verified;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "report output is NULL");
	memset(out, 0, sizeof(*out));
	if (n_report_keys == 0 || report_keys == NULL)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "no report key to verify the report with");
	if (n_report_keys > TK_COSE_MAX_SIGNERS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu report keys (at most %d)",
			       n_report_keys, TK_COSE_MAX_SIGNERS);
	if (msg_len > TK_SUIT_REPORT_MAX_SIZE + TK_SUIT_REPORT_PROTECT_OVERHEAD)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "protected report of %zu bytes", msg_len);
	for (size_t i = 0; i < n_report_keys; i++)
		keys[i] = (struct tk_cose_trusted_key){.key = report_keys[i]};
	opts.keys = keys;
	opts.n_keys = n_report_keys;

	err = tk_cose_sign1_verify(c, msg, msg_len, &opts, &verified, diag);
	if (err == TK_OK)
		err = decrypt_payload(c, recipient_key, verified.payload, plain, plain_cap, out,
				      diag);
	if (err != TK_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->key_index = verified.key_index;
	out->kid = verified.body.kid;
	return TK_OK;
}
