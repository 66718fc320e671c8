/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the verifier's appraisal (in-process mode, with a store
 * held in memory). Each input is appraised as evidence the way a peer
 * sends it. It is also signed with the harness key as a Claims-Set and
 * appraised again, with a CWT and with a JWT result, so the paths after the
 * signature check (reference values, TPM quote, PCR replay, EK chain, EAR
 * encoding) see arbitrary claims too. The store
 * treats every kid as enrolled for one UEID and matches reference values
 * by the digest's first byte, so every executables outcome is reachable.
 * Property: an appraisal either fails or gives an EAR that verifies with
 * the verifier key and repeats the status it returned.
 */
// fuzz-libs: tk_verifier tk_ear_json tk_eat tk_cose tk_cbor tk_crypto tk_common
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "verifier/tk_verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness keeps its keys for the whole run; libraries keep no state. */
static struct tk_crypto_key *agent_key, *verifier_key;
static struct tk_verifier_attest_key agent_rec;

static const uint8_t ueid[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

static tk_err key_get(void *ctx, struct tk_span kid, struct tk_verifier_attest_key *out,
		      struct tk_diag *diag)
{
	(void)ctx;
	(void)kid;
	(void)diag;
	*out = agent_rec;
	return TK_OK;
}

static tk_err refval_match(void *ctx, struct tk_span component, int64_t digest_alg,
			   struct tk_span digest, enum tk_verifier_refval_match *match,
			   struct tk_verifier_refval *out, struct tk_diag *diag)
{
	(void)ctx;
	(void)component;
	(void)digest_alg;
	(void)out;
	(void)diag;
	*match = digest.len == 0 ? TK_VERIFIER_REFVAL_UNKNOWN
				 : (enum tk_verifier_refval_match)(digest.ptr[0] % 3);
	return TK_OK;
}

static tk_err ek_ca_get(void *ctx, size_t index, struct tk_verifier_ek_ca *out,
			struct tk_diag *diag)
{
	(void)ctx;
	(void)out;
	return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no EK CA %zu", index);
}

static tk_err result_add(void *ctx, const struct tk_verifier_result_record *rec,
			 struct tk_diag *diag)
{
	(void)ctx;
	(void)rec;
	(void)diag;
	return TK_OK;
}

static const struct tk_verifier_store_ops store = {
	.key_get = key_get,
	.refval_match = refval_match,
	.ek_ca_get = ek_ca_get,
	.result_add = result_add,
};

static void init_keys(void)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	if (agent_key != NULL)
		return;
	if (tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &agent_key, NULL) != TK_OK ||
	    tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &verifier_key, NULL) != TK_OK ||
	    tk_cose_key_thumbprint_crypto(c, agent_key, agent_rec.kid, NULL) != TK_OK ||
	    tk_cose_key_encode_public(agent_key, TK_SPAN_EMPTY, TK_COSE_ALG_ESP256,
				      agent_rec.cose_key, sizeof(agent_rec.cose_key),
				      &agent_rec.cose_key_len, NULL) != TK_OK)
		abort();
	memcpy(agent_rec.ueid, ueid, sizeof(ueid));
	agent_rec.ueid_len = sizeof(ueid);
}

/* Appraise evidence with nonce; check the property on success. */
static void appraise(struct tk_verifier *v, struct tk_span evidence, struct tk_span nonce,
		     enum tk_verifier_format format)
{
	static uint8_t ear[TK_VERIFIER_RESULT_MAX];
	struct tk_cose_trusted_key trusted = {.key = verifier_key};
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	struct tk_ear decoded;

	req.nonce = nonce;
	req.evidence = evidence;
	req.format = format;
	if (tk_verifier_appraise(v, 1796342400, &req, ear, sizeof(ear), &res, NULL) != TK_OK)
		return;
	if (format == TK_VERIFIER_EAR_JWT)
		return;
	if (tk_ear_verify_cwt(tk_crypto_openssl(), ear, res.ear_len, &trusted, 1, &decoded, NULL,
			      NULL) != TK_OK ||
	    decoded.submod_count != 1 || decoded.submods[0].status != (int64_t)res.status)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t signed_buf[TK_EAT_MAX_SIZE + 256];
	static struct tk_eat_claims claims;
	static const uint8_t default_nonce[8] = {0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x30, 0x30, 0x31};
	struct tk_verifier_config cfg = {0};
	struct tk_cose_signer signer = {0};
	struct tk_cose_sign_opts opts = {0};
	struct tk_span nonce = tk_span_make(default_nonce, sizeof(default_nonce));
	struct tk_verifier v;
	size_t len = 0;

	init_keys();
	cfg.crypto = tk_crypto_openssl();
	cfg.store = &store;
	cfg.signing_key = verifier_key;
	cfg.keep_history = true;
	if (tk_verifier_init(&v, &cfg, NULL) != TK_OK)
		abort();

	/* The claims' own nonce, when they have one of a valid length, so the
	 * appraisal gets past the nonce check. */
	if (tk_eat_decode_claims(data, size, &claims, NULL) == TK_OK &&
	    claims.nonce.len >= TK_EAT_NONCE_MIN && claims.nonce.len <= TK_EAT_NONCE_MAX)
		nonce = claims.nonce;

	appraise(&v, tk_span_make(data, size), nonce, TK_VERIFIER_EAR_CWT);

	signer.key = agent_key;
	signer.alg = TK_COSE_ALG_ESP256;
	signer.kid_thumbprint = true;
	opts.tagged = true;
	if (size <= TK_EAT_MAX_SIZE &&
	    tk_cose_sign1_create(tk_crypto_openssl(), &signer, data, size, &opts, signed_buf,
				 sizeof(signed_buf), &len, NULL) == TK_OK) {
		appraise(&v, tk_span_make(signed_buf, len), nonce, TK_VERIFIER_EAR_CWT);
		appraise(&v, tk_span_make(signed_buf, len), nonce, TK_VERIFIER_EAR_JWT);
	}
	return 0;
}
