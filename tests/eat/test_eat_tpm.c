/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of TPM quote parsing and verification against the swtpm 0.7.1
 * quote vector (ECDSA P-256 AK, SHA-256 PCR 16 extended once with the
 * digest of ta.bin), and tables of malformed and mismatching inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "eat/tk_eat_tpm.h"
#include "eat_test_util.h"

#define QUOTE_DIR TK_VECTORS_DIR "/eat/swtpm-quote"

/* Values printed in the vector's INFO.txt. */
static const char nonce_hex[] = "f1ef7c3dbf0a332927800f0c03f28903";
static const char ta_digest_hex[] =
	"21ec31e3a80646758524cb266f89251e2114816b4bf7021af6f8aa12432944a1";
static const char pcr16_hex[] =
	"d6413547d13420b8c01cf65407712bd786b0ee5079b01fdb09fa2ca1c0fdbca1";
static const char pcr_digest_hex[] =
	"4c795133fb2d770f9ff6ee69bed22dca6b9c75cbc5d62000321599f64859918c";

struct fixture {
	const struct tk_crypto *c;
	struct tk_crypto_key *ak;
	uint8_t attest[512], sig[256], nonce[16], pcr16[32];
	size_t attest_len, sig_len;
	struct tk_eat_tpm_pcr_value pcr;
};

static int setup(void **state)
{
	static struct fixture f;
	uint8_t pem[512];
	size_t pem_len;

	f.c = tk_crypto_openssl();
	pem_len = read_file(QUOTE_DIR "/ak.pub.pem", pem, sizeof(pem));
	if (tk_crypto_key_import_pem(f.c, pem, pem_len, &f.ak, NULL) != TK_OK)
		return -1;
	f.attest_len = read_file(QUOTE_DIR "/quote.msg", f.attest, sizeof(f.attest));
	f.sig_len = read_file(QUOTE_DIR "/quote.sig", f.sig, sizeof(f.sig));
	hex_decode(nonce_hex, f.nonce, sizeof(f.nonce));
	hex_decode(pcr16_hex, f.pcr16, sizeof(f.pcr16));
	f.pcr.index = 16;
	f.pcr.value = tk_span_make(f.pcr16, sizeof(f.pcr16));
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->ak);
	return 0;
}

static struct tk_eat_tpm_verify_opts default_opts(const struct fixture *f)
{
	struct tk_eat_tpm_verify_opts opts = {
		.ak = f->ak,
		.qualifying_data = tk_span_make(f->nonce, sizeof(f->nonce)),
		.pcrs = &f->pcr,
		.n_pcrs = 1,
	};
	return opts;
}

static void test_vector_parses(void **state)
{
	struct fixture *f = *state;
	struct tk_eat_tpm_attest attest;
	struct tk_eat_tpm_signature sig;
	uint8_t digest[32];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("parse attest", TK_OK,
		  tk_eat_tpm_parse_attest(f->attest, f->attest_len, &attest, &diag), &diag);
	assert_int_equal(attest.magic, TK_TPM_GENERATED_VALUE);
	assert_int_equal(attest.type, TK_TPM_ST_ATTEST_QUOTE);
	assert_int_equal(attest.qualified_signer.len, 34);
	assert_memory_equal(attest.extra_data.ptr, f->nonce, sizeof(f->nonce));
	assert_int_equal(attest.bank_count, 1);
	assert_int_equal(attest.banks[0].hash_alg, TK_TPM_ALG_SHA256);
	assert_int_equal(attest.banks[0].size_of_select, 3);
	assert_int_equal(attest.banks[0].select[2], 0x01); /* PCR 16 */
	hex_decode(pcr_digest_hex, digest, sizeof(digest));
	assert_int_equal(attest.pcr_digest.len, 32);
	assert_memory_equal(attest.pcr_digest.ptr, digest, 32);

	check_err("parse signature", TK_OK,
		  tk_eat_tpm_parse_signature(f->sig, f->sig_len, &sig, &diag), &diag);
	assert_int_equal(sig.sig_alg, TK_TPM_ALG_ECDSA);
	assert_int_equal(sig.hash_alg, TK_TPM_ALG_SHA256);
	assert_int_equal(sig.r.len, 32);
	assert_int_equal(sig.s.len, 32);
}

static void test_vector_verifies(void **state)
{
	struct fixture *f = *state;
	struct tk_eat_tpm_verify_opts opts = default_opts(f);
	struct tk_eat_tpm_attest attest;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check_err("verify quote", TK_OK,
		  tk_eat_tpm_verify_quote(f->c, f->attest, f->attest_len, f->sig,
					  f->sig_len, &opts, &attest, &diag), &diag);
	assert_int_equal(attest.extra_data.len, 16);
}

/* PCR 16 replayed from the digest of ta.bin equals the quoted value. */
static void test_pcr_replay_matches(void **state)
{
	struct fixture *f = *state;
	uint8_t ta[64], digest[32], from_file[32], pcr[32];
	size_t ta_len = read_file(QUOTE_DIR "/ta.bin", ta, sizeof(ta));
	struct tk_span log = tk_span_make(digest, sizeof(digest));

	assert_int_equal(tk_crypto_sha256(f->c, ta, ta_len, from_file, NULL), TK_OK);
	hex_decode(ta_digest_hex, digest, sizeof(digest));
	assert_memory_equal(from_file, digest, 32);
	assert_int_equal(tk_eat_tpm_pcr_replay(f->c, &log, 1, pcr, NULL), TK_OK);
	assert_memory_equal(pcr, f->pcr16, 32);

	/* An empty log is the reset value, all zeros. */
	assert_int_equal(tk_eat_tpm_pcr_replay(f->c, NULL, 0, pcr, NULL), TK_OK);
	for (size_t i = 0; i < sizeof(pcr); i++)
		assert_int_equal(pcr[i], 0);
}

/* Verification failures, one change each. */
enum change { WRONG_NONCE, SHORT_NONCE, WRONG_PCR, OTHER_PCR_INDEX, EXTRA_PCR,
	      NO_PCR, FLIPPED_SIG, FLIPPED_ATTEST, OTHER_AK };

static const struct {
	const char *desc;
	enum change change;
	tk_err expected;
} verify_rows[] = {
	{"other qualifying data", WRONG_NONCE, TK_ERR_NONCE},
	{"truncated qualifying data", SHORT_NONCE, TK_ERR_NONCE},
	{"other PCR value", WRONG_PCR, TK_ERR_DIGEST_MISMATCH},
	{"value for an unquoted PCR", OTHER_PCR_INDEX, TK_ERR_SCHEMA_MISSING},
	{"one PCR value too many", EXTRA_PCR, TK_ERR_SCHEMA_VALUE},
	{"no PCR values", NO_PCR, TK_ERR_SCHEMA_MISSING},
	{"signature byte flipped", FLIPPED_SIG, TK_ERR_SIGNATURE},
	{"attest byte flipped", FLIPPED_ATTEST, TK_ERR_SIGNATURE},
	{"another attestation key", OTHER_AK, TK_ERR_SIGNATURE},
};

static void test_verify_failures(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(verify_rows) / sizeof(verify_rows[0]); i++) {
		struct tk_eat_tpm_verify_opts opts = default_opts(f);
		struct tk_eat_tpm_pcr_value pcrs[2] = {f->pcr, f->pcr};
		uint8_t attest[512], sig[256], value[32];
		struct tk_crypto_key *other = NULL;
		struct tk_eat_tpm_attest out;
		struct tk_diag diag;
		tk_err err;

		memcpy(attest, f->attest, f->attest_len);
		memcpy(sig, f->sig, f->sig_len);
		memcpy(value, f->pcr16, sizeof(value));
		pcrs[0].value = tk_span_make(value, sizeof(value));
		opts.pcrs = pcrs;
		switch (verify_rows[i].change) {
		case WRONG_NONCE: opts.qualifying_data = tk_span_make(f->pcr16, 16); break;
		case SHORT_NONCE: opts.qualifying_data.len = 15; break;
		case WRONG_PCR: value[0] ^= 1; break;
		case OTHER_PCR_INDEX: pcrs[0].index = 17; break;
		case EXTRA_PCR: pcrs[1].index = 17; opts.n_pcrs = 2; break;
		case NO_PCR: opts.n_pcrs = 0; break;
		case FLIPPED_SIG: sig[10] ^= 1; break;
		case FLIPPED_ATTEST: attest[40] ^= 1; break;
		case OTHER_AK:
			assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256,
								&other, NULL), TK_OK);
			opts.ak = other;
			break;
		}
		tk_diag_clear(&diag);
		err = tk_eat_tpm_verify_quote(f->c, attest, f->attest_len, sig, f->sig_len,
					      &opts, &out, &diag);
		tk_crypto_key_free(other);
		check_err(verify_rows[i].desc, verify_rows[i].expected, err, &diag);
		assert_int_equal(out.magic, 0);
	}
}

/* TPMT_SIGNATURE of attest[0..len) by ak: ECDSA, SHA-256, r and s of 32 bytes. */
#define QUOTE_SIG_LEN (2 + 2 + 2 * 34)

static void sign_quote(const struct tk_crypto_key *ak, const uint8_t *attest, size_t len,
		       uint8_t sig[QUOTE_SIG_LEN])
{
	struct tk_span part = tk_span_make(attest, len);
	uint8_t raw[64];
	size_t raw_len = 0;

	assert_int_equal(tk_crypto_sign(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, raw,
					&raw_len, NULL), TK_OK);
	assert_int_equal(raw_len, 64);
	memcpy(sig, "\x00\x18\x00\x0b\x00\x20", 6);
	memcpy(sig + 6, raw, 32);
	memcpy(sig + 38, "\x00\x20", 2);
	memcpy(sig + 40, raw + 32, 32);
}

/*
 * A quote with empty extraData, checked by a caller that left
 * qualifying_data empty: it carries no nonce, so it could be replayed,
 * and verification must refuse the empty expectation.
 */
static void test_empty_qualifying_data(void **state)
{
	struct fixture *f = *state;
	uint8_t attest[256], sig[QUOTE_SIG_LEN];
	struct tk_eat_tpm_verify_opts opts = default_opts(f);
	struct tk_crypto_key *ak = NULL;
	struct tk_eat_tpm_attest out;
	struct tk_diag diag;
	size_t len = 0;

	/* magic, type and qualifiedSigner from the vector, extraData empty. */
	memcpy(attest, f->attest, 0x2a);
	attest[0x2a] = 0x00;
	attest[0x2b] = 0x00;
	len = 0x2c;
	memcpy(attest + len, f->attest + 0x2c + 16, f->attest_len - 0x2c - 16);
	len += f->attest_len - 0x2c - 16;

	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &ak, NULL), TK_OK);
	sign_quote(ak, attest, len, sig);
	opts.ak = ak;
	opts.qualifying_data = TK_SPAN_EMPTY;
	tk_diag_clear(&diag);
	check_err("empty expected qualifying data", TK_ERR_ARG,
		  tk_eat_tpm_verify_quote(f->c, attest, len, sig, sizeof(sig), &opts, &out,
					  &diag), &diag);
	assert_int_equal(out.magic, 0);
	tk_crypto_key_free(ak);
}

/*
 * A quote whose selection lists the SHA-256 bank twice, both times with
 * PCR 16, signed by a fresh AK. Its digest covers PCR 16 twice, so two
 * values, 16 and an unquoted PCR 3, would be counted as two selected PCRs
 * and PCR 3 would pass as quoted.
 */
static void test_bank_selected_twice(void **state)
{
	struct fixture *f = *state;
	static const uint8_t bank[] = {0x00, 0x0b, 0x03, 0x00, 0x00, 0x01};
	uint8_t attest[256], sig[QUOTE_SIG_LEN], pcr3[32] = {0};
	uint8_t twice[64];
	struct tk_eat_tpm_pcr_value pcrs[2] = {f->pcr, f->pcr};
	struct tk_eat_tpm_verify_opts opts = default_opts(f);
	struct tk_crypto_key *ak = NULL;
	struct tk_eat_tpm_attest out;
	struct tk_diag diag;
	size_t len = 0x55;

	/* Header up to the selection from the vector, then count 2. */
	memcpy(attest, f->attest, len);
	memcpy(attest + len, "\x00\x00\x00\x02", 4);
	len += 4;
	memcpy(attest + len, bank, sizeof(bank));
	len += sizeof(bank);
	memcpy(attest + len, bank, sizeof(bank));
	len += sizeof(bank);
	memcpy(twice, f->pcr16, 32);
	memcpy(twice + 32, f->pcr16, 32);
	attest[len++] = 0x00;
	attest[len++] = 0x20;
	assert_int_equal(tk_crypto_sha256(f->c, twice, sizeof(twice), attest + len, NULL),
			 TK_OK);
	len += 32;

	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &ak, NULL), TK_OK);
	sign_quote(ak, attest, len, sig);

	pcrs[1].index = 3;
	pcrs[1].value = tk_span_make(pcr3, sizeof(pcr3));
	opts.ak = ak;
	opts.pcrs = pcrs;
	opts.n_pcrs = 2;
	tk_diag_clear(&diag);
	check_err("SHA-256 bank selected twice", TK_ERR_SCHEMA_VALUE,
		  tk_eat_tpm_verify_quote(f->c, attest, len, sig, sizeof(sig), &opts, &out,
					  &diag), &diag);
	tk_crypto_key_free(ak);
}

/* Malformed TPMS_ATTEST: an edit at an offset of the vector, or a length. */
static const struct {
	const char *desc;
	size_t offset;     /* byte to set, SIZE_MAX for none */
	uint8_t value;
	long len_delta;    /* added to the vector length */
	tk_err expected;
} attest_rows[] = {
	{"wrong magic", 0, 0x00, 0, TK_ERR_SCHEMA_VALUE},
	{"wrong type", 5, 0x14, 0, TK_ERR_SCHEMA_VALUE},
	{"name size past the limit", 6, 0x01, 0, TK_ERR_LIMIT_SIZE},
	{"extraData size past the limit", 0x2b, 0x41, 0, TK_ERR_LIMIT_SIZE},
	{"input ends inside extraData", SIZE_MAX, 0, -(129 - 0x30), TK_ERR_SCHEMA_LENGTH},
	{"five PCR banks", 0x58, 0x05, 0, TK_ERR_LIMIT_COUNT},
	{"sizeofSelect 5", 0x5b, 0x05, 0, TK_ERR_LIMIT_SIZE},
	{"truncated digest", SIZE_MAX, 0, -1, TK_ERR_SCHEMA_LENGTH},
	{"trailing byte", SIZE_MAX, 0, 1, TK_ERR_SCHEMA_LENGTH},
	{"empty", SIZE_MAX, 0, -129, TK_ERR_SCHEMA_LENGTH},
};

static void test_attest_malformed(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(attest_rows) / sizeof(attest_rows[0]); i++) {
		uint8_t buf[512] = {0};
		struct tk_eat_tpm_attest out;
		struct tk_diag diag;
		size_t len = (size_t)((long)f->attest_len + attest_rows[i].len_delta);

		memcpy(buf, f->attest, f->attest_len);
		if (attest_rows[i].offset != SIZE_MAX)
			buf[attest_rows[i].offset] = attest_rows[i].value;
		tk_diag_clear(&diag);
		check_err(attest_rows[i].desc, attest_rows[i].expected,
			  tk_eat_tpm_parse_attest(buf, len, &out, &diag), &diag);
		assert_int_equal(out.bank_count, 0);
	}
}

static const struct {
	const char *desc;
	size_t offset;
	uint8_t value;
	long len_delta;
	tk_err expected;
} sig_rows[] = {
	{"RSASSA signature", 1, 0x14, 0, TK_ERR_ALG_UNSUPPORTED},
	{"SHA-1 hash", 3, 0x04, 0, TK_ERR_ALG_UNSUPPORTED},
	{"r longer than 32 bytes", 5, 0x21, 0, TK_ERR_LIMIT_SIZE},
	{"truncated s", SIZE_MAX, 0, -1, TK_ERR_SCHEMA_LENGTH},
	{"trailing byte", SIZE_MAX, 0, 1, TK_ERR_SCHEMA_LENGTH},
};

static void test_signature_malformed(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(sig_rows) / sizeof(sig_rows[0]); i++) {
		uint8_t buf[256] = {0};
		struct tk_eat_tpm_signature out;
		struct tk_diag diag;
		size_t len = (size_t)((long)f->sig_len + sig_rows[i].len_delta);

		memcpy(buf, f->sig, f->sig_len);
		if (sig_rows[i].offset != SIZE_MAX)
			buf[sig_rows[i].offset] = sig_rows[i].value;
		tk_diag_clear(&diag);
		check_err(sig_rows[i].desc, sig_rows[i].expected,
			  tk_eat_tpm_parse_signature(buf, len, &out, &diag), &diag);
		assert_int_equal(out.sig_alg, 0);
	}
}

static void test_qualifying_data(void **state)
{
	struct fixture *f = *state;
	uint8_t kid[32], out[32], expected[32], cat[48];
	struct tk_diag diag;

	memset(kid, 0x5a, sizeof(kid));
	memcpy(cat, f->nonce, 16);
	memcpy(cat + 16, kid, 32);
	assert_int_equal(tk_crypto_sha256(f->c, cat, sizeof(cat), expected, NULL), TK_OK);
	assert_int_equal(tk_eat_tpm_qualifying_data(f->c, tk_span_make(f->nonce, 16),
						    tk_span_make(kid, 32), out, NULL),
			 TK_OK);
	assert_memory_equal(out, expected, 32);

	tk_diag_clear(&diag);
	check_err("short nonce", TK_ERR_SCHEMA_LENGTH,
		  tk_eat_tpm_qualifying_data(f->c, tk_span_make(f->nonce, 7),
					     tk_span_make(kid, 32), out, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("short kid", TK_ERR_SCHEMA_LENGTH,
		  tk_eat_tpm_qualifying_data(f->c, tk_span_make(f->nonce, 16),
					     tk_span_make(kid, 31), out, &diag), &diag);
}

/*
 * Evidence carrying the vector's quote in the tpm-quote claim and the
 * load of ta.bin in measurements: signed, verified, decoded, and the
 * quote re-verified from the claim with the PCR replayed from the log.
 */
static void test_evidence_with_quote(void **state)
{
	struct fixture *f = *state;
	static const uint8_t component_id[] = {0x81, 0x43, 't', 'a', '1'};
	static const uint8_t oemid[3] = {1, 2, 3};
	uint8_t ueid[17] = {0x01}, digest[32], ak_cose[128], body[128], ev[4096];
	uint8_t pcr[32], kid[32];
	struct tk_eat_measured_component mc = {
		.component_id = tk_span_make(component_id, sizeof(component_id)),
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = tk_span_make(digest, sizeof(digest)),
		.has_pcr = true,
		.pcr = 16,
	};
	static struct tk_eat_claims claims;
	static struct tk_eat_verified v;
	struct tk_cose_trusted_key trusted = {0};
	struct tk_eat_verify_opts vopts = {0};
	struct tk_eat_measured_component got;
	struct tk_eat_tpm_verify_opts qopts = default_opts(f);
	struct tk_eat_tpm_attest attest;
	struct tk_crypto_key *teep_key = NULL;
	size_t ak_len = 0, body_len = 0, ev_len = 0;
	struct tk_span log;
	struct tk_diag diag;

	hex_decode(ta_digest_hex, digest, sizeof(digest));
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &teep_key, NULL),
			 TK_OK);
	assert_int_equal(tk_cose_key_encode_public(f->ak, TK_SPAN_EMPTY, 0, ak_cose,
						   sizeof(ak_cose), &ak_len, NULL), TK_OK);
	assert_int_equal(tk_eat_encode_measured_component(&mc, body, sizeof(body),
							  &body_len, NULL), TK_OK);

	memset(&claims, 0, sizeof(claims));
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS |
			 TK_EAT_HAS_MEASUREMENTS | TK_EAT_HAS_TPM_QUOTE;
	claims.nonce = tk_span_make(f->nonce, sizeof(f->nonce));
	claims.ueid = tk_span_make(ueid, sizeof(ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("swtpm", 5);
	claims.hwversion = tk_span_make("0.7.1", 5);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(body, body_len);
	claims.manifest_count = 1;
	claims.measurements[0] = claims.manifests[0];
	claims.measurement_count = 1;
	claims.tpm.attest = tk_span_make(f->attest, f->attest_len);
	claims.tpm.signature = tk_span_make(f->sig, f->sig_len);
	claims.tpm.pcrs[0] = f->pcr;
	claims.tpm.pcr_count = 1;
	claims.tpm.ak_key = tk_span_make(ak_cose, ak_len);
	tk_diag_clear(&diag);
	check_err("sign", TK_OK,
		  tk_eat_sign(f->c, teep_key, &claims, ev, sizeof(ev), &ev_len, &diag), &diag);

	trusted.key = teep_key;
	vopts.keys = &trusted;
	vopts.n_keys = 1;
	vopts.nonce = claims.nonce;
	check_err("verify", TK_OK, tk_eat_verify(f->c, ev, ev_len, &vopts, &v, &diag), &diag);
	assert_true(v.claims.present & TK_EAT_HAS_TPM_QUOTE);
	assert_int_equal(v.claims.measurement_count, 1);
	assert_int_equal(v.claims.tpm.pcr_count, 1);
	assert_int_equal(v.claims.tpm.pcrs[0].index, 16);
	assert_int_equal(v.claims.tpm.ak_key.len, ak_len);
	assert_memory_equal(v.claims.tpm.ak_key.ptr, ak_cose, ak_len);
	assert_int_equal(v.claims.tpm.ek_chain_count, 0);

	check_err("measured component", TK_OK,
		  tk_eat_decode_measured_component(&v.claims.measurements[0], &got, &diag),
		  &diag);
	assert_int_equal(got.component_id.len, sizeof(component_id));
	assert_true(got.has_pcr);
	assert_int_equal(got.pcr, 16);
	log = got.digest;
	check_err("replay", TK_OK, tk_eat_tpm_pcr_replay(f->c, &log, 1, pcr, &diag), &diag);
	assert_memory_equal(pcr, v.claims.tpm.pcrs[0].value.ptr, 32);

	qopts.pcrs = v.claims.tpm.pcrs;
	qopts.n_pcrs = v.claims.tpm.pcr_count;
	check_err("quote from the claim", TK_OK,
		  tk_eat_tpm_verify_quote(f->c, v.claims.tpm.attest.ptr,
					  v.claims.tpm.attest.len,
					  v.claims.tpm.signature.ptr,
					  v.claims.tpm.signature.len, &qopts, &attest, &diag),
		  &diag);
	assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, teep_key, kid, NULL), TK_OK);
	assert_memory_equal(v.claims.cnf_kid.ptr, kid, 32);
	tk_crypto_key_free(teep_key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_parses),
		cmocka_unit_test(test_vector_verifies),
		cmocka_unit_test(test_pcr_replay_matches),
		cmocka_unit_test(test_verify_failures),
		cmocka_unit_test(test_bank_selected_twice),
		cmocka_unit_test(test_empty_qualifying_data),
		cmocka_unit_test(test_attest_malformed),
		cmocka_unit_test(test_signature_malformed),
		cmocka_unit_test(test_qualifying_data),
		cmocka_unit_test(test_evidence_with_quote),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
