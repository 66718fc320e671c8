/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Appraisal of TPM evidence. The test builds what the TPM backend sends: a
 * TPMS_ATTEST quote signed by an AK, the quoted PCR, the measurement log,
 * the AK and an EK certificate chain. The rows check each trustworthiness
 * claim the TPM path sets: good evidence, EK chaining to an untrusted CA or
 * to none, AK not enrolled, quote for another nonce or TEEP key, a cnf
 * naming another key than the quote binds, altered quote signature, a
 * measurement log that does not replay to the quoted PCR, and a TEEP key
 * nobody enrolled that cnf carries as a COSE_Key (good when the quote binds
 * its thumbprint, 96 when it binds another).
 *
 * The EK and CA certificates are made with the openssl command (OpenSSL
 * 3.0) in a temporary folder at setup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "eat/tk_eat_tpm.h"
#include "eat_test_util.h"
#include "proc.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

/* The appraisal time: now, so the certificates made at setup are valid. */
#define NOW ((int64_t)time(NULL))
#define PCR_INDEX 16

static const uint8_t ta_component[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t ta_digest[32] = {0xaa, 0xbb};
static const char agent_uri[] = "urn:teepkit:teep-agent:0.1.0";
static const uint8_t agent_digest[32] = {0x11, 0x22};
static const uint8_t oemid[3] = {0x89, 0x48, 0x23};

struct fixture {
	const struct tk_crypto *c;
	char dir[64];
	char db_path[96];
	struct tk_verifier_sqlite *db;
	struct tk_verifier_store_ops ops;
	struct tk_verifier verifier;
	struct tk_crypto_key *verifier_key;
	struct tk_crypto_key *teep_key;
	struct tk_crypto_key *ak;
	uint8_t teep_kid[32];
	uint8_t ueid[16];
	uint8_t ek_der[2048], ca_der[2048], other_ca_der[2048], rsa_ek_der[2048], int_der[2048];
	size_t ek_len, ca_len, other_ca_len, rsa_ek_len, int_len;
};

/* How to build one variant of the evidence. */
struct variant {
	bool quote_other_nonce;
	bool quote_other_kid;    /* the quote binds another TEEP key than the signer */
	bool cnf_other_kid;      /* cnf and the caller name another key than the signer,
				    which the quote binds */
	bool corrupt_quote_signature;
	bool log_off_pcr;        /* the log replays to another value than the PCR */
	bool rsa_ek;             /* RSA EK certificate from an intermediate CA, as swtpm
				    issues them */
	int extra_pcr;           /* >0: a second measurement of the TA naming this
				    unquoted PCR; <0: a second one naming no PCR */
	bool cnf_key;            /* cnf carries the signer's COSE_Key, not its kid */
	bool teep_unenrolled;    /* the TEEP key that signs is not enrolled */
};

/* Run a shell command line of openssl calls in dir; fail the test otherwise. */
static void shell(const char *dir, const char *script)
{
	static struct proc_result r;
	char line[2048];

	snprintf(line, sizeof(line), "cd %s && %s", dir, script);
	assert_int_equal(proc_run(&r, (const char *const[]){"/bin/sh", "-c", line, NULL}), 0);
	if (r.exit_code != 0)
		fail_msg("%s: %s", script, r.err);
}

static size_t read_bytes(const char *dir, const char *name, uint8_t *out, size_t cap)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, out, cap);
}

/* A CA, an EK certificate it issues (P-256), and an unrelated CA. */
static void make_certificates(struct fixture *f)
{
	static const char *const script =
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout ca.key -out ca.der -outform DER -subj /CN=EK-CA -days 3650 2>/dev/null && "
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout other.key -out other.der -outform DER -subj /CN=Other-CA -days 3650 "
		"2>/dev/null && "
		"openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout ek.key -out ek.csr -subj /CN=EK 2>/dev/null && "
		"openssl x509 -req -in ek.csr -CA ca.der -CAform DER -CAkey ca.key "
		"-CAcreateserial -out ek.der -outform DER -days 3650 2>/dev/null && "
		"printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' "
		"> int.ext && "
		"openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout int.key -out int.csr -subj /CN=EK-Intermediate 2>/dev/null && "
		"openssl x509 -req -in int.csr -CA ca.der -CAform DER -CAkey ca.key "
		"-CAcreateserial -extfile int.ext -out int.der -outform DER -days 3650 "
		"2>/dev/null && "
		"openssl req -new -newkey rsa:2048 -nodes -keyout rsa-ek.key -out rsa-ek.csr "
		"-subj /CN=RSA-EK 2>/dev/null && "
		"openssl x509 -req -in rsa-ek.csr -CA int.der -CAform DER -CAkey int.key "
		"-CAcreateserial -out rsa-ek.der -outform DER -days 3650 2>/dev/null";

	shell(f->dir, script);
	f->ca_len = read_bytes(f->dir, "ca.der", f->ca_der, sizeof(f->ca_der));
	f->other_ca_len = read_bytes(f->dir, "other.der", f->other_ca_der,
				     sizeof(f->other_ca_der));
	f->ek_len = read_bytes(f->dir, "ek.der", f->ek_der, sizeof(f->ek_der));
	f->rsa_ek_len = read_bytes(f->dir, "rsa-ek.der", f->rsa_ek_der, sizeof(f->rsa_ek_der));
	f->int_len = read_bytes(f->dir, "int.der", f->int_der, sizeof(f->int_der));
}

static void enroll(struct fixture *f, const struct tk_crypto_key *key)
{
	struct tk_verifier_attest_key rec = {0};

	assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, key, rec.kid, NULL), TK_OK);
	memcpy(rec.ueid, f->ueid, sizeof(f->ueid));
	rec.ueid_len = sizeof(f->ueid);
	assert_int_equal(tk_cose_key_encode_public(key, TK_SPAN_EMPTY, TK_COSE_ALG_ESP256,
						   rec.cose_key, sizeof(rec.cose_key),
						   &rec.cose_key_len, NULL), TK_OK);
	assert_int_equal(tk_verifier_sqlite_key_add(f->db, &rec, NOW, NULL), TK_OK);
}

static void add_refval(struct fixture *f, const void *component, size_t len,
		       const uint8_t digest[32])
{
	struct tk_verifier_refval rv = {0};

	rv.digest_alg = TK_EAT_DIGEST_SHA256;
	memcpy(rv.component, component, len);
	rv.component_len = len;
	memcpy(rv.digest, digest, 32);
	rv.digest_len = 32;
	assert_int_equal(tk_verifier_sqlite_refval_add(f->db, &rv, "test", NOW, NULL), TK_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_verifier_config cfg = {0};

	assert_non_null(f);
	f->c = tk_crypto_openssl();
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-verifier-tpm-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/v.db", f->dir);
	make_certificates(f);
	assert_int_equal(tk_verifier_sqlite_open(f->db_path, true, &f->db, &f->ops, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->verifier_key, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->teep_key, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->ak, NULL), TK_OK);
	assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, f->teep_key, f->teep_kid, NULL),
			 TK_OK);
	for (size_t i = 0; i < sizeof(f->ueid); i++)
		f->ueid[i] = (uint8_t)(i == 0 ? 0x01 : 0x20 + i);
	enroll(f, f->teep_key);
	enroll(f, f->ak);
	add_refval(f, agent_uri, strlen(agent_uri), agent_digest);
	add_refval(f, ta_component, sizeof(ta_component), ta_digest);

	cfg.crypto = f->c;
	cfg.store = &f->ops;
	cfg.signing_key = f->verifier_key;
	assert_int_equal(tk_verifier_init(&f->verifier, &cfg, NULL), TK_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_verifier_sqlite_close(f->db);
	tk_crypto_key_free(f->verifier_key);
	tk_crypto_key_free(f->teep_key);
	tk_crypto_key_free(f->ak);
	proc_remove_tree(f->dir);
	free(f);
	return 0;
}

static size_t put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)(v >> 16));
	put_u16(p + 2, (uint16_t)v);
	return 4;
}

/* TPMS_ATTEST of a quote of PCR 16 (SHA-256 bank) with extraData qd. */
static size_t make_attest(const uint8_t qd[32], const uint8_t pcr_digest[32], uint8_t *out)
{
	size_t n = 0;

	n += put_u32(out + n, TK_TPM_GENERATED_VALUE);
	n += put_u16(out + n, TK_TPM_ST_ATTEST_QUOTE);
	n += put_u16(out + n, 34);                     /* qualifiedSigner: a name */
	n += put_u16(out + n, TK_TPM_ALG_SHA256);
	memset(out + n, 0x4e, 32);
	n += 32;
	n += put_u16(out + n, 32);                     /* extraData */
	memcpy(out + n, qd, 32);
	n += 32;
	memset(out + n, 0, 17);                        /* clockInfo */
	out[n + 16] = 1;                               /* safe */
	n += 17;
	memset(out + n, 0, 8);                         /* firmwareVersion */
	n += 8;
	n += put_u32(out + n, 1);                      /* one bank */
	n += put_u16(out + n, TK_TPM_ALG_SHA256);
	out[n++] = 3;                                  /* sizeofSelect */
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 1u << (PCR_INDEX - 16);             /* PCR 16 */
	n += put_u16(out + n, 32);                     /* pcrDigest */
	memcpy(out + n, pcr_digest, 32);
	return n + 32;
}

/* TPMT_SIGNATURE (ECDSA, SHA-256) of attest by key. */
static size_t make_signature(const struct tk_crypto_key *key, const uint8_t *attest,
			     size_t attest_len, uint8_t *out)
{
	struct tk_span part = tk_span_make(attest, attest_len);
	uint8_t sig[TK_CRYPTO_SIG_MAX];
	size_t sig_len = 0, n = 0;

	assert_int_equal(tk_crypto_sign(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					&sig_len, NULL), TK_OK);
	n += put_u16(out + n, TK_TPM_ALG_ECDSA);
	n += put_u16(out + n, TK_TPM_ALG_SHA256);
	n += put_u16(out + n, 32);
	memcpy(out + n, sig, 32);
	n += 32;
	n += put_u16(out + n, 32);
	memcpy(out + n, sig + 32, 32);
	return n + 32;
}

/* Encode the tpm-quote claim value into enc. */
static void put_tpm_claim(struct fixture *f, struct tk_cbor_enc *enc, const uint8_t *attest,
			  size_t attest_len, const uint8_t *sig, size_t sig_len,
			  const uint8_t pcr[32], bool rsa_ek)
{
	uint8_t ak[128];
	size_t ak_len = 0;

	assert_int_equal(tk_cose_key_encode_public(f->ak, TK_SPAN_EMPTY, TK_COSE_ALG_ESP256, ak,
						   sizeof(ak), &ak_len, NULL), TK_OK);
	tk_cbor_put_int(enc, TK_EAT_CLAIM_TPM_QUOTE);
	tk_cbor_put_map(enc, 5);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_ATTEST);
	tk_cbor_put_bstr(enc, attest, attest_len);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_SIGNATURE);
	tk_cbor_put_bstr(enc, sig, sig_len);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_PCRS);
	tk_cbor_put_array(enc, 1);
	tk_cbor_put_array(enc, 2);
	tk_cbor_put_uint(enc, PCR_INDEX);
	tk_cbor_put_bstr(enc, pcr, 32);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_AK);
	tk_cbor_put_raw(enc, ak, ak_len);
	tk_cbor_put_uint(enc, TK_EAT_TPM_KEY_EK_CHAIN);
	tk_cbor_put_array(enc, 1);
	if (rsa_ek)
		tk_cbor_put_bstr(enc, f->rsa_ek_der, f->rsa_ek_len);
	else
		tk_cbor_put_bstr(enc, f->ek_der, f->ek_len);
}

/* The measurement log's PCR value: one TA loaded into PCR 16. */
static void log_pcr(struct fixture *f, const uint8_t *component, size_t len,
		    const uint8_t digest[32], uint8_t pcr[32])
{
	uint8_t event[32] = {0};
	uint8_t joined[64];
	struct tk_span one;

	memcpy(joined, component, len);
	memcpy(joined + len, digest, 32);
	assert_int_equal(tk_crypto_sha256(f->c, joined, len + 32, event, NULL), TK_OK);
	one = tk_span_make(event, sizeof(event));
	assert_int_equal(tk_eat_tpm_pcr_replay(f->c, &one, 1, pcr, NULL), TK_OK);
}

/* A TEEP key id that is not the signer's, for the cnf_other_kid variant. */
static const uint8_t other_teep_kid[32] = {0x5a, 0x5a};

/* TPM evidence for nonce according to v; returns its length. */
static size_t make_evidence(struct fixture *f, const struct variant *v, struct tk_span nonce,
			    uint8_t *out, size_t cap)
{
	static struct tk_eat_claims claims;
	static uint8_t payload[8192];
	uint8_t ref[128], meas[128], qd[32], pcr[32], pcr_digest[32], other[32], other_kid[32];
	uint8_t attest[256], sig[128];
	static uint8_t cnf_key[256];
	size_t cnf_key_len = 0;
	struct tk_eat_suit_reference r = {0};
	struct tk_eat_measured_component mc = {0};
	struct tk_cose_signer signer = {0};
	struct tk_cose_sign_opts opts = {0};
	size_t ref_len = 0, meas_len = 0, len = 0, attest_len, sig_len, payload_len = 0;
	struct tk_cbor_enc enc;
	static uint8_t extra[128];
	size_t extra_len = 0;

	r.uri = tk_span_make(agent_uri, strlen(agent_uri));
	r.digest_alg = TK_EAT_DIGEST_SHA256;
	r.digest = tk_span_make(agent_digest, 32);
	assert_int_equal(tk_eat_encode_suit_reference(&r, ref, sizeof(ref), &ref_len, NULL), TK_OK);
	mc.component_id = tk_span_make(ta_component, sizeof(ta_component));
	mc.digest_alg = TK_EAT_DIGEST_SHA256;
	mc.digest = tk_span_make(ta_digest, 32);
	mc.has_pcr = true;
	mc.pcr = PCR_INDEX;
	assert_int_equal(tk_eat_encode_measured_component(&mc, meas, sizeof(meas), &meas_len,
							  NULL), TK_OK);

	/* The quote: PCR 16 as the log gives it (or another value), bound to
	 * SHA-256(nonce || TEEP kid). */
	log_pcr(f, ta_component, sizeof(ta_component), v->log_off_pcr ? agent_digest : ta_digest,
		pcr);
	assert_int_equal(tk_crypto_sha256(f->c, pcr, 32, pcr_digest, NULL), TK_OK);
	memcpy(other, nonce.ptr, 32);
	other[0] ^= 0x80;
	memcpy(other_kid, f->teep_kid, 32);
	other_kid[31] ^= 0x01;
	assert_int_equal(tk_eat_tpm_qualifying_data(f->c, v->quote_other_nonce
						    ? tk_span_make(other, 32) : nonce,
						    tk_span_make(v->quote_other_kid ? other_kid
								 : f->teep_kid, 32),
						    qd, NULL), TK_OK);
	attest_len = make_attest(qd, pcr_digest, attest);
	sig_len = make_signature(f->ak, attest, attest_len, sig);
	if (v->corrupt_quote_signature)
		sig[sig_len - 1] ^= 0x01;

	memset(&claims, 0, sizeof(claims));
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS |
			 TK_EAT_HAS_MEASUREMENTS | TK_EAT_HAS_CNF | TK_EAT_HAS_PROFILE;
	claims.nonce = nonce;
	claims.cnf_kid = tk_span_make(v->cnf_other_kid ? other_teep_kid : f->teep_kid, 32);
	if (v->cnf_key) {
		assert_int_equal(tk_cose_key_encode_public(f->teep_key, TK_SPAN_EMPTY, 0, cnf_key,
							   sizeof(cnf_key), &cnf_key_len, NULL),
				 TK_OK);
		claims.cnf_kid = TK_SPAN_EMPTY;
		claims.cnf_key = tk_span_make(cnf_key, cnf_key_len);
	}
	claims.ueid = tk_span_make(f->ueid, sizeof(f->ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("teepkit-tpm", 11);
	claims.hwversion = tk_span_make("2.0", 3);
	claims.profile = tk_span_make(TK_EAT_TEEP_PROFILE, strlen(TK_EAT_TEEP_PROFILE));
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref, ref_len);
	claims.manifest_count = 1;
	claims.measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.measurements[0].body = tk_span_make(meas, meas_len);
	claims.measurement_count = 1;
	if (v->extra_pcr != 0) {
		mc.has_pcr = v->extra_pcr > 0;
		mc.pcr = v->extra_pcr > 0 ? (uint64_t)v->extra_pcr : 0;
		assert_int_equal(tk_eat_encode_measured_component(&mc, extra, sizeof(extra),
								  &extra_len, NULL), TK_OK);
		claims.measurements[1].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
		claims.measurements[1].body = tk_span_make(extra, extra_len);
		claims.measurement_count = 2;
	}

	/* The claims map, then the tpm-quote claim appended with the pair count
	 * raised by one (the map has fewer than 23 pairs, so its head is one
	 * byte). */
	assert_int_equal(tk_eat_encode_claims(&claims, payload, sizeof(payload), &payload_len,
					      NULL), TK_OK);
	assert_true(payload[0] >= 0xa0 && payload[0] < 0xb6);
	payload[0]++;
	tk_cbor_enc_init(&enc, payload + payload_len, sizeof(payload) - payload_len, NULL);
	put_tpm_claim(f, &enc, attest, attest_len, sig, sig_len, pcr, v->rsa_ek);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	payload_len += len;

	signer.key = f->teep_key;
	signer.alg = TK_COSE_ALG_ESP256;
	signer.kid_thumbprint = true;
	opts.tagged = true;
	assert_int_equal(tk_cose_sign1_create(f->c, &signer, payload, payload_len, &opts, out, cap,
					      &len, NULL), TK_OK);
	return len;
}

struct row {
	const char *desc;
	struct variant v;
	int trusted_ca;      /* 0 the EK's CA, 1 another CA, 2 none, 3 the EK's CA and
				the intermediate */
	bool enroll_ak;
	enum tk_verifier_tier status;
	int identity;
	int executables;     /* -1: absent */
	int hardware;        /* -1: absent */
};

static const struct row rows[] = {
	{"good TPM evidence", {0}, 0, true, TK_VERIFIER_TIER_AFFIRMING, 2, 2, 2},
	{"EK chains to an untrusted CA", {0}, 1, true, TK_VERIFIER_TIER_CONTRAINDICATED, 2, 2,
	 97},
	{"no EK CA configured", {0}, 2, true, TK_VERIFIER_TIER_CONTRAINDICATED, 2, 2, 97},
	{"AK not enrolled", {0}, 0, false, TK_VERIFIER_TIER_CONTRAINDICATED, 97, -1, -1},
	{"quote for another nonce", {.quote_other_nonce = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 96, 2, 2},
	{"quote for another TEEP key", {.quote_other_kid = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 96, 2, 2},
	{"cnf names another key than the quote binds", {.cnf_other_kid = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 96, -1, -1},
	{"quote signature altered", {.corrupt_quote_signature = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 99, 2, 2},
	{"log does not replay to the PCR", {.log_off_pcr = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 2, 96, 2},
	{"RSA EK under a trusted intermediate", {.rsa_ek = true}, 3, true,
	 TK_VERIFIER_TIER_AFFIRMING, 2, 2, 2},
	{"measurement of an unquoted PCR", {.extra_pcr = 17}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 2, 96, 2},
	{"measurement naming no PCR", {.extra_pcr = -1}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 2, 96, 2},
	{"RSA EK, intermediate not trusted", {.rsa_ek = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 2, 2, 97},
	{"TEEP key not enrolled, in cnf as a COSE_Key",
	 {.cnf_key = true, .teep_unenrolled = true}, 0, true, TK_VERIFIER_TIER_AFFIRMING, 2, 2,
	 2},
	{"cnf COSE_Key is not the key the quote binds",
	 {.cnf_key = true, .teep_unenrolled = true, .quote_other_kid = true}, 0, true,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 96, 2, 2},
};

static void run_row(struct fixture *f, const struct row *r)
{
	static uint8_t evidence[8192], ear[TK_VERIFIER_RESULT_MAX];
	struct tk_cose_trusted_key trusted = {.key = f->verifier_key};
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	uint8_t nonce[32];
	struct tk_ear decoded;
	struct tk_diag diag;

	memset(nonce, 0x3c, sizeof(nonce));
	if (r->trusted_ca == 3)
		assert_int_equal(tk_verifier_sqlite_ek_ca_add(f->db, tk_span_make(f->int_der,
							      f->int_len), NOW, NULL), TK_OK);
	if (r->trusted_ca == 0 || r->trusted_ca == 3)
		assert_int_equal(tk_verifier_sqlite_ek_ca_add(f->db, tk_span_make(f->ca_der,
							      f->ca_len), NOW, NULL), TK_OK);
	if (r->trusted_ca == 1)
		assert_int_equal(tk_verifier_sqlite_ek_ca_add(f->db, tk_span_make(f->other_ca_der,
							      f->other_ca_len), NOW, NULL), TK_OK);
	req.nonce = tk_span_make(nonce, sizeof(nonce));
	req.cnf_kid = tk_span_make(r->v.cnf_other_kid ? other_teep_kid : f->teep_kid, 32);
	req.evidence = tk_span_make(evidence, make_evidence(f, &r->v, req.nonce, evidence,
							    sizeof(evidence)));
	tk_diag_clear(&diag);
	print_message("row: %s\n", r->desc);
	check_err(r->desc, TK_OK, tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear),
						       &res, &diag), &diag);
	print_message("  reason: %s\n", res.reason);
	assert_true(res.has_tpm_quote);
	assert_int_equal(res.status, r->status);
	assert_int_equal(res.vector.value[TK_VERIFIER_INSTANCE_IDENTITY], r->identity);
	if (r->executables >= 0)
		assert_int_equal(res.vector.value[TK_VERIFIER_EXECUTABLES], r->executables);
	if (r->hardware >= 0)
		assert_int_equal(res.vector.value[TK_VERIFIER_HARDWARE], r->hardware);
	else
		assert_int_equal(res.vector.present & (1u << TK_VERIFIER_HARDWARE), 0);
	assert_int_equal(tk_ear_verify_cwt(f->c, ear, res.ear_len, &trusted, 1, &decoded, NULL,
					   NULL), TK_OK);
	assert_int_equal(decoded.submods[0].status, (int64_t)r->status);
	assert_int_equal(decoded.submods[0].policy_id_count, 1);
	assert_memory_equal(decoded.submods[0].policy_ids[0].ptr,
			    "https://teepkit.example/policy/teep-tpm/1",
			    decoded.submods[0].policy_ids[0].len);
}

static void test_tpm_table(void **state)
{
	(void)state;

	/* A fresh fixture per row, so CA and AK enrollments do not carry over. */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		void *fresh = NULL;
		struct fixture *f;

		assert_int_equal(setup(&fresh), 0);
		f = fresh;
		if (!rows[i].enroll_ak) {
			/* Sign the quote with a key nobody enrolled. */
			tk_crypto_key_free(f->ak);
			assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->ak,
								NULL), TK_OK);
		}
		if (rows[i].v.teep_unenrolled) {
			/* Sign the evidence with a TEEP key nobody enrolled. */
			tk_crypto_key_free(f->teep_key);
			assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256,
								&f->teep_key, NULL), TK_OK);
			assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, f->teep_key,
								       f->teep_kid, NULL), TK_OK);
		}
		run_row(f, &rows[i]);
		teardown(&fresh);
	}
}

/*
 * AK not enrolled, and a caller that names no TEEP key (teep-verifier
 * serve's API): the result names the device only when an enrolled TEEP
 * key signed the evidence, so a TAM can record the refusal.
 */
static void test_tpm_unknown_ak_names_device(void **state)
{
	static uint8_t evidence[8192], ear[TK_VERIFIER_RESULT_MAX];
	struct tk_cose_trusted_key trusted = {0};
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	const struct variant v = {0};
	struct tk_ear decoded;
	struct tk_diag diag;
	uint8_t nonce[32];
	void *fresh = NULL;
	struct fixture *f;

	(void)state;
	memset(nonce, 0x3c, sizeof(nonce));
	for (int teep_key_enrolled = 1; teep_key_enrolled >= 0; teep_key_enrolled--) {
		assert_int_equal(setup(&fresh), 0);
		f = fresh;
		tk_crypto_key_free(f->ak);
		assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->ak, NULL),
				 TK_OK);
		if (!teep_key_enrolled) {
			tk_crypto_key_free(f->teep_key);
			assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256,
								&f->teep_key, NULL), TK_OK);
		}
		req.nonce = tk_span_make(nonce, sizeof(nonce));
		req.evidence = tk_span_make(evidence, make_evidence(f, &v, req.nonce, evidence,
								    sizeof(evidence)));
		tk_diag_clear(&diag);
		check_err("unknown AK", TK_OK, tk_verifier_appraise(&f->verifier, NOW, &req, ear,
								    sizeof(ear), &res, &diag),
			  &diag);
		assert_int_equal(res.status, TK_VERIFIER_TIER_CONTRAINDICATED);
		assert_int_equal(res.vector.value[TK_VERIFIER_INSTANCE_IDENTITY], 97);
		assert_int_equal(res.vector.present & (1u << TK_VERIFIER_HARDWARE), 0);
		trusted.key = f->verifier_key;
		assert_int_equal(tk_ear_verify_cwt(f->c, ear, res.ear_len, &trusted, 1, &decoded,
						   NULL, NULL), TK_OK);
		if (teep_key_enrolled) {
			assert_int_equal(res.ueid_len, sizeof(f->ueid));
			assert_memory_equal(res.ueid, f->ueid, sizeof(f->ueid));
			assert_int_equal(decoded.cnf_kid.len, 32);
			assert_memory_equal(decoded.cnf_kid.ptr, f->teep_kid, 32);
			assert_true(decoded.submods[0].teep_claims.len > 0);
		} else {
			assert_int_equal(res.ueid_len, 0);
			assert_int_equal(decoded.cnf_kid.len, 0);
			assert_int_equal(decoded.submods[0].teep_claims.len, 0);
		}
		teardown(&fresh);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tpm_table),
		cmocka_unit_test(test_tpm_unknown_ak_names_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
