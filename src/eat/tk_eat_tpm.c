/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 quote parsing and verification (layouts in tk_eat_tpm.h). The
 * parsers read through a bounds-checked cursor with a sticky error, so a
 * size field past the input stops the parse at that field with its
 * offset. The signature is checked before any field is trusted.
 */
#include "eat/tk_eat_tpm.h"

#include <string.h>

/* Bounds-checked big-endian reader with a sticky error. */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	tk_err err;
	struct tk_diag *diag;
};

static bool need(struct reader *r, size_t n, const char *field)
{
	if (r->err != TK_OK)
		return false;
	if (n > r->len - r->pos) {
		r->err = TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, r->pos,
				    "%s: needs %zu bytes, %zu left", field, n,
				    r->len - r->pos);
		return false;
	}
	return true;
}

static uint64_t get_be(struct reader *r, size_t n, const char *field)
{
	uint64_t v = 0;

	if (!need(r, n, field))
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | r->buf[r->pos + i];
	r->pos += n;
	return v;
}

/* TPM2B_*: a u16 size, then that many bytes, at most `max`. */
static struct tk_span get_tpm2b(struct reader *r, size_t max, const char *field)
{
	size_t size = (size_t)get_be(r, 2, field);
	struct tk_span out = TK_SPAN_EMPTY;

	if (r->err == TK_OK && size > max) {
		r->err = TK_FAIL_AT(r->diag, TK_ERR_LIMIT_SIZE, r->pos - 2,
				    "%s: %zu bytes, maximum %zu", field, size, max);
		return out;
	}
	if (!need(r, size, field))
		return out;
	out = tk_span_make(r->buf + r->pos, size);
	r->pos += size;
	return out;
}

static tk_err finish(struct reader *r, const char *what)
{
	if (r->err == TK_OK && r->pos != r->len)
		r->err = TK_FAIL_AT(r->diag, TK_ERR_SCHEMA_LENGTH, r->pos,
				    "%s: %zu bytes after the structure", what,
				    r->len - r->pos);
	return r->err;
}

/* TPML_PCR_SELECTION = count u32, count x TPMS_PCR_SELECTION. */
static void get_pcr_selection(struct reader *r, struct tk_eat_tpm_attest *out)
{
	uint64_t count = get_be(r, 4, "TPML_PCR_SELECTION count");

	if (r->err == TK_OK && count > TK_EAT_TPM_MAX_BANKS) {
		r->err = TK_FAIL_AT(r->diag, TK_ERR_LIMIT_COUNT, r->pos - 4,
				    "TPML_PCR_SELECTION: %llu banks, maximum %d",
				    (unsigned long long)count, TK_EAT_TPM_MAX_BANKS);
		return;
	}
	for (size_t i = 0; r->err == TK_OK && i < count; i++) {
		struct tk_eat_tpm_pcr_selection *sel = &out->banks[i];

		sel->hash_alg = (uint16_t)get_be(r, 2, "TPMS_PCR_SELECTION hash");
		sel->size_of_select = (uint8_t)get_be(r, 1, "sizeofSelect");
		if (r->err == TK_OK && sel->size_of_select > TK_EAT_TPM_SELECT_MAX) {
			r->err = TK_FAIL_AT(r->diag, TK_ERR_LIMIT_SIZE, r->pos - 1,
					    "sizeofSelect %u, maximum %d",
					    sel->size_of_select, TK_EAT_TPM_SELECT_MAX);
			return;
		}
		if (!need(r, sel->size_of_select, "pcrSelect"))
			return;
		memcpy(sel->select, r->buf + r->pos, sel->size_of_select);
		r->pos += sel->size_of_select;
		out->bank_count = i + 1;
	}
}

tk_err tk_eat_tpm_parse_attest(const uint8_t *buf, size_t len,
			       struct tk_eat_tpm_attest *out, struct tk_diag *diag)
{
	struct reader r = {.buf = buf, .len = len, .diag = diag};

	if (out == NULL || (buf == NULL && len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "TPMS_ATTEST buffer or output is NULL");
	memset(out, 0, sizeof(*out));
	if (len > TK_EAT_TPM_ATTEST_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "TPMS_ATTEST is %zu bytes, maximum %d",
			       len, TK_EAT_TPM_ATTEST_MAX);

	out->magic = (uint32_t)get_be(&r, 4, "TPMS_ATTEST magic");
	if (r.err == TK_OK && out->magic != TK_TPM_GENERATED_VALUE)
		r.err = TK_FAIL_AT(diag, TK_ERR_SCHEMA_VALUE, 0,
				   "TPMS_ATTEST magic 0x%08x, expected 0x%08x "
				   "(TPM_GENERATED_VALUE)", out->magic,
				   TK_TPM_GENERATED_VALUE);
	out->type = (uint16_t)get_be(&r, 2, "TPMS_ATTEST type");
	if (r.err == TK_OK && out->type != TK_TPM_ST_ATTEST_QUOTE)
		r.err = TK_FAIL_AT(diag, TK_ERR_SCHEMA_VALUE, 4,
				   "TPMS_ATTEST type 0x%04x, expected 0x%04x "
				   "(TPM_ST_ATTEST_QUOTE)", out->type,
				   TK_TPM_ST_ATTEST_QUOTE);
	out->qualified_signer = get_tpm2b(&r, TK_EAT_TPM_NAME_MAX, "qualifiedSigner");
	out->extra_data = get_tpm2b(&r, TK_EAT_TPM_DATA_MAX, "extraData");
	out->clock = get_be(&r, 8, "clockInfo.clock");
	out->reset_count = (uint32_t)get_be(&r, 4, "clockInfo.resetCount");
	out->restart_count = (uint32_t)get_be(&r, 4, "clockInfo.restartCount");
	out->safe = get_be(&r, 1, "clockInfo.safe") != 0;
	out->firmware_version = get_be(&r, 8, "firmwareVersion");
	get_pcr_selection(&r, out);
	out->pcr_digest = get_tpm2b(&r, TK_EAT_TPM_DATA_MAX, "pcrDigest");

	if (finish(&r, "TPMS_ATTEST") != TK_OK) {
		memset(out, 0, sizeof(*out));
		return r.err;
	}
	return TK_OK;
}

tk_err tk_eat_tpm_parse_signature(const uint8_t *buf, size_t len,
				  struct tk_eat_tpm_signature *out,
				  struct tk_diag *diag)
{
	struct reader r = {.buf = buf, .len = len, .diag = diag};

	if (out == NULL || (buf == NULL && len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "TPMT_SIGNATURE buffer or output is NULL");
	memset(out, 0, sizeof(*out));
	if (len > TK_EAT_TPM_SIGNATURE_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "TPMT_SIGNATURE is %zu bytes, maximum %d", len,
			       TK_EAT_TPM_SIGNATURE_MAX);

	out->sig_alg = (uint16_t)get_be(&r, 2, "TPMT_SIGNATURE sigAlg");
	out->hash_alg = (uint16_t)get_be(&r, 2, "TPMT_SIGNATURE hash");
	if (r.err == TK_OK && (out->sig_alg != TK_TPM_ALG_ECDSA ||
			       out->hash_alg != TK_TPM_ALG_SHA256))
		r.err = TK_FAIL_AT(diag, TK_ERR_ALG_UNSUPPORTED, 0,
				   "TPMT_SIGNATURE algorithm 0x%04x with hash 0x%04x, "
				   "expected ECDSA (0x0018) with SHA-256 (0x000b)",
				   out->sig_alg, out->hash_alg);
	out->r = get_tpm2b(&r, TK_CRYPTO_P256_COORD_LEN, "signatureR");
	out->s = get_tpm2b(&r, TK_CRYPTO_P256_COORD_LEN, "signatureS");
	if (r.err == TK_OK && (out->r.len == 0 || out->s.len == 0))
		r.err = TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
				"TPMT_SIGNATURE: empty r or s");

	if (finish(&r, "TPMT_SIGNATURE") != TK_OK) {
		memset(out, 0, sizeof(*out));
		return r.err;
	}
	return TK_OK;
}

/* The value given for PCR `index`, or NULL; duplicates fail. */
static tk_err find_pcr(const struct tk_eat_tpm_pcr_value *pcrs, size_t n,
		       unsigned index, const struct tk_eat_tpm_pcr_value **found,
		       struct tk_diag *diag)
{
	*found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (pcrs[i].index != index)
			continue;
		if (*found != NULL)
			return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
				       "PCR %u has two values", index);
		*found = &pcrs[i];
	}
	if (*found == NULL)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			       "PCR %u is quoted but has no value", index);
	if ((*found)->value.len != TK_CRYPTO_SHA256_LEN)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "PCR %u value is %zu bytes, expected 32", index,
			       (*found)->value.len);
	return TK_OK;
}

/*
 * Hash the values of the selected PCRs of one SHA-256 bank into h. Bit n
 * of *hashed is set once PCR n is hashed: a selection that lists the bank
 * twice selects a PCR twice, and the two uses of one value must not count
 * as two of the values given.
 */
static tk_err hash_bank(const struct tk_eat_tpm_pcr_selection *sel,
			const struct tk_eat_tpm_pcr_value *pcrs, size_t n_pcrs,
			struct tk_crypto_hash_ctx *h, size_t *used, uint32_t *hashed,
			struct tk_diag *diag)
{
	tk_err err = TK_OK;

	if (sel->hash_alg != TK_TPM_ALG_SHA256)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "quote selects PCR bank 0x%04x, only SHA-256 (0x000b) "
			       "is supported", sel->hash_alg);
	for (unsigned pcr = 0; err == TK_OK && pcr < 8u * sel->size_of_select; pcr++) {
		const struct tk_eat_tpm_pcr_value *v;

		if ((sel->select[pcr / 8] & (1u << (pcr % 8))) == 0)
			continue;
		if ((*hashed & (UINT32_C(1) << pcr)) != 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
				       "quote selects PCR %u of the SHA-256 bank twice", pcr);
		*hashed |= UINT32_C(1) << pcr;
		err = find_pcr(pcrs, n_pcrs, pcr, &v, diag);
		if (err == TK_OK)
			err = tk_crypto_sha256_update(h, v->value.ptr, v->value.len, diag);
		(*used)++;
	}
	return err;
}

tk_err tk_eat_tpm_pcr_digest(const struct tk_crypto *c,
			     const struct tk_eat_tpm_attest *attest,
			     const struct tk_eat_tpm_pcr_value *pcrs, size_t n_pcrs,
			     uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	struct tk_crypto_hash_ctx h = {0};
	uint32_t hashed = 0;
	size_t used = 0;
	tk_err err;

	if (attest == NULL || out == NULL || (pcrs == NULL && n_pcrs > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "quote, PCR values or output is NULL");
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	err = tk_crypto_sha256_init(c, &h, diag);
	for (size_t i = 0; err == TK_OK && i < attest->bank_count; i++)
		err = hash_bank(&attest->banks[i], pcrs, n_pcrs, &h, &used, &hashed, diag);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&h);
		return err;
	}
	/*
	 * Every value given must be one the quote selects. Banks other than
	 * SHA-256 fail above, and a PCR selected twice fails in hash_bank(),
	 * so each value counted in used is a distinct selected PCR.
	 */
	if (used != n_pcrs) {
		tk_crypto_sha256_abort(&h);
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "%zu PCR values given, the quote selects %zu", n_pcrs, used);
	}
	return tk_crypto_sha256_final(&h, out, diag);
}

/* ECDSA signature over the attest bytes, r and s left-padded to 32. */
static tk_err verify_signature(const struct tk_crypto_key *ak, const uint8_t *attest,
			       size_t attest_len, const struct tk_eat_tpm_signature *sig,
			       struct tk_diag *diag)
{
	uint8_t rs[2 * TK_CRYPTO_P256_COORD_LEN] = {0};
	struct tk_span part = tk_span_make(attest, attest_len);

	memcpy(rs + TK_CRYPTO_P256_COORD_LEN - sig->r.len, sig->r.ptr, sig->r.len);
	memcpy(rs + 2 * TK_CRYPTO_P256_COORD_LEN - sig->s.len, sig->s.ptr, sig->s.len);
	return tk_crypto_verify(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, rs,
				sizeof(rs), diag);
}

tk_err tk_eat_tpm_verify_quote(const struct tk_crypto *c, const uint8_t *attest,
			       size_t attest_len, const uint8_t *sig, size_t sig_len,
			       const struct tk_eat_tpm_verify_opts *opts,
			       struct tk_eat_tpm_attest *out, struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_eat_tpm_signature parsed_sig;
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "quote output is NULL");
	memset(out, 0, sizeof(*out));
	if (opts == NULL || opts->ak == NULL || attest == NULL || sig == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "quote, signature or AK is missing");
	/* A quote with empty extraData has no nonce, so it could be a replay. */
	if (opts->qualifying_data.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "expected qualifying data is empty");
	if (attest_len > TK_EAT_TPM_ATTEST_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "TPMS_ATTEST is %zu bytes, maximum %d",
			       attest_len, TK_EAT_TPM_ATTEST_MAX);

	err = tk_eat_tpm_parse_signature(sig, sig_len, &parsed_sig, diag);
	if (err == TK_OK)
		err = verify_signature(opts->ak, attest, attest_len, &parsed_sig, diag);
	if (err == TK_OK)
		err = tk_eat_tpm_parse_attest(attest, attest_len, out, diag);

	/* Lengths are public; the bytes are compared in constant time. */
	if (err == TK_OK && (out->extra_data.len != opts->qualifying_data.len ||
			     !tk_ct_equal(out->extra_data.ptr, opts->qualifying_data.ptr,
					  out->extra_data.len)))
		err = TK_FAIL(diag, TK_ERR_NONCE,
			      "quote qualifying data (%zu bytes) differs from the "
			      "expected value (%zu bytes)", out->extra_data.len,
			      opts->qualifying_data.len);
	if (err == TK_OK)
		err = tk_eat_tpm_pcr_digest(c, out, opts->pcrs, opts->n_pcrs, digest, diag);
	if (err == TK_OK && (out->pcr_digest.len != sizeof(digest) ||
			     !tk_ct_equal(out->pcr_digest.ptr, digest, sizeof(digest))))
		err = TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			      "quote PCR digest differs from the hash of the PCR values");

	if (err != TK_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

tk_err tk_eat_tpm_qualifying_data(const struct tk_crypto *c, struct tk_span nonce,
				  struct tk_span kid, uint8_t out[TK_CRYPTO_SHA256_LEN],
				  struct tk_diag *diag)
{
	struct tk_crypto_hash_ctx h = {0};
	tk_err err;

	if (out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "qualifying data output is NULL");
	memset(out, 0, TK_CRYPTO_SHA256_LEN);
	if (nonce.len < TK_EAT_NONCE_MIN || nonce.len > TK_EAT_NONCE_MAX)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "eat_nonce of %zu bytes, expected %d to %d", nonce.len,
			       TK_EAT_NONCE_MIN, TK_EAT_NONCE_MAX);
	if (kid.len != TK_CRYPTO_SHA256_LEN)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
			       "kid of %zu bytes, expected a 32-byte thumbprint", kid.len);

	err = tk_crypto_sha256_init(c, &h, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_update(&h, nonce.ptr, nonce.len, diag);
	if (err == TK_OK)
		err = tk_crypto_sha256_update(&h, kid.ptr, kid.len, diag);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&h);
		return err;
	}
	return tk_crypto_sha256_final(&h, out, diag);
}

tk_err tk_eat_tpm_pcr_replay(const struct tk_crypto *c, const struct tk_span *digests,
			     size_t n_digests, uint8_t out[TK_CRYPTO_SHA256_LEN],
			     struct tk_diag *diag)
{
	uint8_t pcr[2 * TK_CRYPTO_SHA256_LEN] = {0};
	uint8_t next[TK_CRYPTO_SHA256_LEN];
	tk_err err = TK_OK;

	if (out == NULL || (digests == NULL && n_digests > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "digests or output is NULL");
	for (size_t i = 0; err == TK_OK && i < n_digests; i++) {
		if (digests[i].len != TK_CRYPTO_SHA256_LEN) {
			err = TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH,
				      "measurement %zu is %zu bytes, expected 32", i,
				      digests[i].len);
			break;
		}
		/* pcr = SHA-256(pcr || digest); pcr is the first half of the buffer. */
		memcpy(pcr + TK_CRYPTO_SHA256_LEN, digests[i].ptr, TK_CRYPTO_SHA256_LEN);
		err = tk_crypto_sha256(c, pcr, sizeof(pcr), next, diag);
		memcpy(pcr, next, TK_CRYPTO_SHA256_LEN);
	}
	if (err == TK_OK)
		memcpy(out, pcr, TK_CRYPTO_SHA256_LEN);
	else
		memset(out, 0, TK_CRYPTO_SHA256_LEN);
	return err;
}
