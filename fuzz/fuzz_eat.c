/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the EAT layer: the strict Claims-Set decoder, the TEEP
 * profile check, the SUIT_Reference decoder on every manifests entry, the
 * measured-component decoder on every measurements entry, the TPM quote
 * parsers on the tpm-quote claim and on the raw input, and the diagnostic
 * printer with the claim names. Evidence verification runs
 * twice: on the input as signed evidence, and on the input as claims signed
 * with a test key. Property: decoded claims with byte-string manifest
 * bodies re-encode to bytes that decode again to the same claims.
 */
// fuzz-libs: tk_eat tk_cose tk_cbor tk_crypto tk_common
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eat/tk_eat.h"
#include "eat/tk_eat_tpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness keeps one key for the whole run; libraries keep no state. */
static struct tk_crypto_key *fuzz_key;

static void check_reencode(const struct tk_eat_claims *claims)
{
	static uint8_t out[TK_EAT_MAX_SIZE];
	struct tk_eat_claims again;
	size_t len = 0;

	for (size_t i = 0; i < claims->manifest_count; i++) {
		if (!claims->manifests[i].body_is_bstr)
			return;
	}
	for (size_t i = 0; i < claims->measurement_count; i++) {
		if (!claims->measurements[i].body_is_bstr)
			return;
	}
	if (tk_eat_encode_claims(claims, out, sizeof(out), &len, NULL) != TK_OK)
		return;
	/* What we wrote must decode under the same strict rules. */
	if (tk_eat_decode_claims(out, len, &again, NULL) != TK_OK)
		abort();
	if (again.present != claims->present ||
	    again.manifest_count != claims->manifest_count ||
	    again.measurement_count != claims->measurement_count ||
	    again.tpm.pcr_count != claims->tpm.pcr_count ||
	    !tk_span_equal(again.nonce, claims->nonce) ||
	    !tk_span_equal(again.ueid, claims->ueid) ||
	    !tk_span_equal(again.encryption_kid, claims->encryption_kid))
		abort();
}

static void verify_as_evidence(const uint8_t *data, size_t size)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	static uint8_t evidence[TK_EAT_MAX_SIZE + 256];
	struct tk_cose_signer signer = {.alg = TK_COSE_ALG_ESP256, .kid_thumbprint = true};
	struct tk_cose_sign_opts sign_opts = {.tagged = true};
	struct tk_cose_trusted_key trusted;
	struct tk_eat_verify_opts opts;
	struct tk_eat_verified verified;
	static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t len = 0;

	if (fuzz_key == NULL &&
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &fuzz_key, NULL) != TK_OK)
		abort();
	memset(&trusted, 0, sizeof(trusted));
	trusted.key = fuzz_key;
	memset(&opts, 0, sizeof(opts));
	opts.keys = &trusted;
	opts.n_keys = 1;
	opts.nonce = tk_span_make(nonce, sizeof(nonce));

	/* The input as evidence rarely passes the signature check. */
	(void)tk_eat_verify(c, data, size, &opts, &verified, NULL);

	/* The input as claims signed with the trusted key reaches the claim checks. */
	signer.key = fuzz_key;
	if (size > TK_EAT_MAX_SIZE - 128 ||
	    tk_cose_sign1_create(c, &signer, data, size, &sign_opts, evidence,
				 sizeof(evidence), &len, NULL) != TK_OK)
		return;
	if (tk_eat_verify(c, evidence, len, &opts, &verified, NULL) == TK_OK &&
	    !tk_span_equal(verified.claims.nonce, opts.nonce))
		abort();
}

/* The TPM parsers on the quote claim, and on the raw input. */
static void parse_tpm(const struct tk_eat_claims *claims, const uint8_t *data, size_t size)
{
	struct tk_eat_tpm_attest attest;
	struct tk_eat_tpm_signature sig;

	if (claims != NULL && (claims->present & TK_EAT_HAS_TPM_QUOTE)) {
		(void)tk_eat_tpm_parse_attest(claims->tpm.attest.ptr, claims->tpm.attest.len,
					      &attest, NULL);
		(void)tk_eat_tpm_parse_signature(claims->tpm.signature.ptr,
						 claims->tpm.signature.len, &sig, NULL);
	}
	if (tk_eat_tpm_parse_attest(data, size, &attest, NULL) == TK_OK &&
	    (attest.bank_count > TK_EAT_TPM_MAX_BANKS ||
	     attest.extra_data.len > TK_EAT_TPM_DATA_MAX))
		abort();
	if (tk_eat_tpm_parse_signature(data, size, &sig, NULL) == TK_OK &&
	    (sig.r.len > 32 || sig.s.len > 32))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tk_eat_claims claims;
	static char text[4 * TK_EAT_MAX_SIZE];
	size_t text_len = 0;

	if (tk_eat_decode_claims(data, size, &claims, NULL) == TK_OK) {
		struct tk_eat_suit_reference ref;

		(void)tk_eat_check_teep_profile(&claims, NULL);
		struct tk_eat_measured_component mc;

		for (size_t i = 0; i < claims.manifest_count; i++)
			(void)tk_eat_decode_suit_reference(&claims.manifests[i], &ref, NULL);
		for (size_t i = 0; i < claims.measurement_count; i++)
			(void)tk_eat_decode_measured_component(&claims.measurements[i], &mc,
							       NULL);
		parse_tpm(&claims, data, size);
		check_reencode(&claims);
		(void)tk_cbor_to_diag(data, size, TK_CBOR_STRICT, true, tk_eat_names(),
				      text, sizeof(text), &text_len, NULL);
	}
	parse_tpm(NULL, data, size);
	verify_as_evidence(data, size);
	return 0;
}
