/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TPM backend against swtpm: key creation in the TPM,
 * signatures checked by the crypto layer, quotes and certifications
 * verified with the attestation key, PCR extends on load, refusal of
 * altered images, no transient handle left behind, and state across a
 * reopen and a TPM reset. Each test manufactures its own swtpm (see
 * swtpm.h); without swtpm installed the tests are skipped.
 *
 * TPMS_ATTEST (TPM 2.0 Library, Part 2) is parsed here only as far as
 * the tests need; the EAT layer has the full parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "swtpm.h"
#include "tee_test_util.h"

/* The debug PCR: resettable and unused by firmware, so tests own it. */
#define TEST_PCR 16

#define TPM_GENERATED_VALUE 0xff544347u
#define TPM_ST_ATTEST_CERTIFY 0x8017u
#define TPM_ST_ATTEST_QUOTE 0x8018u
#define TPM_ALG_ECDSA 0x0018u
#define TPM_ALG_SHA256 0x000bu

static const uint8_t id_a[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t image_a[] = "image of component a";
static const uint8_t nonce[16] = {0xf1, 0xef, 0x7c, 0x3d, 0xbf, 0x0a, 0x33, 0x29,
				  0x27, 0x80, 0x0f, 0x0c, 0x03, 0xf2, 0x89, 0x03};

struct fixture {
	struct tee_test_dir dir;
	char tpm_dir[TEE_TEST_PATH_MAX];
	struct swtpm swtpm;
	struct tk_tee tee;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || tee_test_dir_make(&f->dir) != 0)
		return -1;
	snprintf(f->tpm_dir, sizeof(f->tpm_dir), "%s/swtpm", f->dir.base);
	*state = f;
	if (!swtpm_available())
		return 0;
	return swtpm_start(&f->swtpm, f->tpm_dir);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_tee_close(&f->tee);
	swtpm_stop(&f->swtpm);
	tee_test_dir_remove(&f->dir);
	free(f);
	return 0;
}

static void require_swtpm(void)
{
	if (!swtpm_available()) {
		print_message("swtpm, swtpm_setup or swtpm_localca is not installed\n");
		skip();
	}
}

static void open_ok(struct fixture *f)
{
	struct tk_tee_tpm_config config = {
		.state_dir = f->dir.state,
		.tcti = f->swtpm.tcti,
		.pcr = TEST_PCR,
		.create = true,
	};
	struct tk_diag diag;

	tk_tee_close(&f->tee);
	tk_diag_clear(&diag);
	tee_test_check("open TPM backend", TK_OK, tk_tee_tpm_open(&config, &f->tee, &diag),
		       &diag);
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), data, len, out, NULL),
			 TK_OK);
}

/* Import a PEM public key produced by one of the backend's hooks. */
static struct tk_crypto_key *import_pem(const char *pem, size_t len)
{
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("import PEM", TK_OK,
		       tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem,
						len, &key, &diag), &diag);
	return key;
}

static struct tk_crypto_key *attestation_key(struct fixture *f)
{
	char pem[TK_CRYPTO_PEM_MAX];
	struct tk_diag diag;
	size_t len = 0;

	tk_diag_clear(&diag);
	tee_test_check("attestation key", TK_OK,
		       tk_tee_attestation_key_pem(&f->tee, pem, sizeof(pem), &len, &diag),
		       &diag);
	return import_pem(pem, len);
}

/* A reader over marshalled TPM structures (big endian). */
struct reader {
	const uint8_t *p;
	size_t len, off;
};

static uint32_t read_uint(struct reader *r, size_t n)
{
	uint32_t v = 0;

	assert_true(r->off + n <= r->len);
	for (size_t i = 0; i < n; i++)
		v = v << 8 | r->p[r->off++];
	return v;
}

/* A TPM2B: its size and a pointer to its bytes. */
static const uint8_t *read_tpm2b(struct reader *r, size_t *size)
{
	const uint8_t *bytes;

	*size = read_uint(r, 2);
	assert_true(r->off + *size <= r->len);
	bytes = r->p + r->off;
	r->off += *size;
	return bytes;
}

/* The fields of TPMS_ATTEST the tests check. */
struct attest {
	uint32_t type;
	uint8_t extra[64];
	size_t extra_len;
	uint8_t pcr_digest[32];   /* quote */
	uint8_t pcr_select[3];    /* quote, SHA-256 bank */
	uint8_t certified_name[34]; /* certify: nameAlg || SHA-256 */
};

static void parse_attest(const struct tk_tee_quote *q, struct attest *a)
{
	struct reader r = {q->attest, q->attest_len, 0};
	const uint8_t *bytes;
	size_t size;

	memset(a, 0, sizeof(*a));
	assert_int_equal(read_uint(&r, 4), TPM_GENERATED_VALUE);
	a->type = read_uint(&r, 2);
	(void)read_tpm2b(&r, &size); /* qualifiedSigner */
	bytes = read_tpm2b(&r, &size); /* extraData */
	assert_true(size <= sizeof(a->extra));
	memcpy(a->extra, bytes, size);
	a->extra_len = size;
	r.off += 8 + 4 + 4 + 1 + 8; /* clockInfo, firmwareVersion */
	if (a->type == TPM_ST_ATTEST_QUOTE) {
		assert_int_equal(read_uint(&r, 4), 1); /* one selection */
		assert_int_equal(read_uint(&r, 2), TPM_ALG_SHA256);
		assert_int_equal(read_uint(&r, 1), 3);
		for (int i = 0; i < 3; i++)
			a->pcr_select[i] = (uint8_t)read_uint(&r, 1);
		bytes = read_tpm2b(&r, &size);
		assert_int_equal(size, 32);
		memcpy(a->pcr_digest, bytes, 32);
	} else {
		bytes = read_tpm2b(&r, &size); /* name */
		assert_int_equal(size, 34);
		memcpy(a->certified_name, bytes, 34);
		(void)read_tpm2b(&r, &size); /* qualifiedName */
	}
	assert_int_equal(r.off, r.len);
}

/* TPMT_SIGNATURE (ECDSA) to the raw r || s the crypto layer verifies. */
static void signature_rs(const struct tk_tee_quote *q, uint8_t rs[64])
{
	struct reader r = {q->signature, q->signature_len, 0};
	const uint8_t *bytes;
	size_t size;

	assert_int_equal(read_uint(&r, 2), TPM_ALG_ECDSA);
	assert_int_equal(read_uint(&r, 2), TPM_ALG_SHA256);
	memset(rs, 0, 64);
	bytes = read_tpm2b(&r, &size);
	assert_true(size <= 32);
	memcpy(rs + 32 - size, bytes, size);
	bytes = read_tpm2b(&r, &size);
	assert_true(size <= 32);
	memcpy(rs + 64 - size, bytes, size);
	assert_int_equal(r.off, r.len);
}

/* Check q's signature with the AK and its extraData against the nonce. */
static void verify_statement(struct fixture *f, const struct tk_tee_quote *q,
			     struct attest *a)
{
	struct tk_crypto_key *ak = attestation_key(f);
	struct tk_span part = tk_span_make(q->attest, q->attest_len);
	struct tk_tee_key_info info;
	uint8_t buf[sizeof(nonce) + 32], expect[32], rs[64];
	struct tk_diag diag;

	assert_int_equal(q->format, TK_TEE_QUOTE_TPM2);
	parse_attest(q, a);
	signature_rs(q, rs);
	tk_diag_clear(&diag);
	tee_test_check("statement signature", TK_OK,
		       tk_crypto_verify(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, rs,
					sizeof(rs), &diag), &diag);
	rs[10] ^= 1;
	tee_test_check("altered statement signature", TK_ERR_SIGNATURE,
		       tk_crypto_verify(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, rs,
					sizeof(rs), &diag), &diag);
	tk_crypto_key_free(ak);

	assert_int_equal(tk_tee_key_info(&f->tee, &info, NULL), TK_OK);
	memcpy(buf, nonce, sizeof(nonce));
	memcpy(buf + sizeof(nonce), info.kid, 32);
	sha256(buf, sizeof(buf), expect);
	assert_int_equal(a->extra_len, 32);
	assert_memory_equal(a->extra, expect, 32);
}

static void quote_ok(struct fixture *f, struct attest *a)
{
	struct tk_tee_quote q;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("quote", TK_OK, tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag),
		       &diag);
	verify_statement(f, &q, a);
	assert_int_equal(a->type, TPM_ST_ATTEST_QUOTE);
	assert_int_equal(a->pcr_select[TEST_PCR / 8], 1u << (TEST_PCR % 8));
}

static void install_and_load(struct fixture *f, tk_err expected)
{
	uint8_t digest[32];
	struct tk_diag diag;

	sha256(image_a, sizeof(image_a), digest);
	tk_diag_clear(&diag);
	tee_test_check("install", TK_OK,
		       tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_a,
						sizeof(image_a), 1, &diag), &diag);
	tee_test_check("load", expected,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest, NULL,
					     &diag), &diag);
}

static void test_tpm_sign_verify(void **state)
{
	static const uint8_t tbs[] = "Sig_structure stand-in";
	struct fixture *f = *state;
	struct tk_crypto_key *pub;
	const struct tk_crypto_key *key = NULL;
	struct tk_span part = tk_span_make(tbs, sizeof(tbs));
	struct tk_tee_key_info info;
	char pem[TK_CRYPTO_PEM_MAX];
	uint8_t sig[64], out[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0, sig_len = 0, out_len = 0;
	struct tk_diag diag;

	require_swtpm();
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("key info", TK_OK, tk_tee_key_info(&f->tee, &info, &diag), &diag);
	assert_int_equal(info.alg, -9); /* ESP256 */
	tee_test_check("public key", TK_OK,
		       tk_tee_public_key_pem(&f->tee, pem, sizeof(pem), &pem_len, &diag),
		       &diag);
	pub = import_pem(pem, pem_len);

	tee_test_check("sign", TK_OK,
		       tk_tee_sign(&f->tee, tbs, sizeof(tbs), sig, sizeof(sig), &sig_len,
				   &diag), &diag);
	assert_int_equal(sig_len, 64);
	tee_test_check("verify", TK_OK,
		       tk_crypto_verify(pub, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					sig_len, &diag), &diag);

	/* The crypto handle signs in the TPM too, and never exports d. */
	tee_test_check("signing key", TK_OK, tk_tee_signing_key(&f->tee, &key, &diag),
		       &diag);
	tee_test_check("sign with handle", TK_OK,
		       tk_crypto_sign(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
				      &sig_len, &diag), &diag);
	tee_test_check("verify handle signature", TK_OK,
		       tk_crypto_verify(pub, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					sig_len, &diag), &diag);
	tee_test_check("export private", TK_ERR_KEY,
		       tk_crypto_key_export_pem(key, true, out, sizeof(out), &out_len,
						&diag), &diag);
	tk_crypto_key_free(pub);
}

static void test_tpm_report_key_and_secrets(void **state)
{
	static const uint8_t tbs[] = "SUIT report stand-in";
	struct fixture *f = *state;
	const struct tk_crypto_key *report = NULL, *key = NULL;
	struct tk_span part = tk_span_make(tbs, sizeof(tbs));
	uint8_t sig[64], x1[32], y1[32], x2[32], y2[32];
	char pem[TK_CRYPTO_PEM_MAX];
	size_t sig_len = 0, pem_len = 0;
	struct tk_diag diag;

	require_swtpm();
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("report key", TK_OK, tk_tee_report_key(&f->tee, &report, &diag), &diag);
	tee_test_check("signing key", TK_OK, tk_tee_signing_key(&f->tee, &key, &diag), &diag);
	assert_int_equal(tk_crypto_key_export_public(report, x1, y1, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(key, x2, y2, NULL), TK_OK);
	assert_memory_not_equal(x1, x2, 32);
	tee_test_check("sign with report key", TK_OK,
		       tk_crypto_sign(report, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
				      &sig_len, &diag), &diag);
	tee_test_check("verify report signature", TK_OK,
		       tk_crypto_verify(report, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					sig_len, &diag), &diag);
	tee_test_check("verify with the other key", TK_ERR_SIGNATURE,
		       tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					sig_len, &diag), &diag);

	/* The SUIT keys are the simulator's, in the same state directory. */
	tee_test_check("encryption key", TK_OK,
		       tk_tee_encryption_public_key_pem(&f->tee, pem, sizeof(pem), &pem_len,
							&diag), &diag);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
}

static tk_err append_chunk(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct {
		uint8_t buf[64];
		size_t len;
	} *out = ctx;

	if (out->len + len > sizeof(out->buf))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "too many bytes");
	memcpy(out->buf + out->len, chunk, len);
	out->len += len;
	return TK_OK;
}

/* Staging and reference counts are the simulator's, reached through the TPM backend. */
static void test_tpm_staged_install(void **state)
{
	static const uint8_t holder[] = {0x81, 0x42, 0x6d, 0x61};
	struct fixture *f = *state;
	struct {
		uint8_t buf[64];
		size_t len;
	} streamed = {{0}, 0};
	struct tk_tee_object_info info;
	uint64_t remaining = 9;
	struct tk_diag diag;

	require_swtpm();
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("stage begin", TK_OK, tk_tee_stage_begin(&f->tee, 0, &diag), &diag);
	tee_test_check("stage write", TK_OK,
		       tk_tee_stage_write(&f->tee, 0, image_a, 10, &diag), &diag);
	tee_test_check("stage write rest", TK_OK,
		       tk_tee_stage_write(&f->tee, 0, image_a + 10, sizeof(image_a) - 10, &diag),
		       &diag);
	tee_test_check("stage commit", TK_OK,
		       tk_tee_stage_commit(&f->tee, 0, id_a, sizeof(id_a), 3, &diag), &diag);
	tee_test_check("component info", TK_OK,
		       tk_tee_component_info(&f->tee, id_a, sizeof(id_a), &info, &diag), &diag);
	assert_int_equal(info.size, sizeof(image_a));
	assert_int_equal(info.sequence_number, 3);
	tee_test_check("stream component", TK_OK,
		       tk_tee_stream_component(&f->tee, id_a, sizeof(id_a), append_chunk,
					       &streamed, &diag), &diag);
	assert_int_equal(streamed.len, sizeof(image_a));
	assert_memory_equal(streamed.buf, image_a, sizeof(image_a));

	tee_test_check("link", TK_OK,
		       tk_tee_link(&f->tee, holder, sizeof(holder), id_a, sizeof(id_a), &diag),
		       &diag);
	tee_test_check("unlink", TK_OK,
		       tk_tee_unlink(&f->tee, holder, sizeof(holder), id_a, sizeof(id_a),
				     &remaining, &diag), &diag);
	assert_int_equal(remaining, 0);
	tee_test_check("component gone with its last reference", TK_ERR_NOT_FOUND,
		       tk_tee_component_info(&f->tee, id_a, sizeof(id_a), &info, &diag), &diag);
}

static void test_tpm_quote_follows_load(void **state)
{
	static const uint8_t zero[32];
	struct fixture *f = *state;
	uint8_t expect[32], event[sizeof(id_a) + 32], pcr[64];
	struct attest a;

	require_swtpm();
	open_ok(f);
	quote_ok(f, &a);
	sha256(zero, 32, expect);
	assert_memory_equal(a.pcr_digest, expect, 32); /* SHA-256(PCR = 0) */

	install_and_load(f, TK_OK);

	/* PCR = SHA-256(0 || SHA-256(id || SHA-256(image))). */
	memcpy(event, id_a, sizeof(id_a));
	sha256(image_a, sizeof(image_a), event + sizeof(id_a));
	memset(pcr, 0, 32);
	sha256(event, sizeof(event), pcr + 32);
	sha256(pcr, 64, pcr);
	sha256(pcr, 32, expect);
	quote_ok(f, &a);
	assert_memory_equal(a.pcr_digest, expect, 32);
}

/* TPMA_OBJECT bits (TPM 2.0 Library, Part 2). */
#define TPMA_FIXEDTPM 0x00000002u
#define TPMA_RESTRICTED 0x00010000u
#define TPMA_SIGN 0x00040000u

/*
 * The certified name must be SHA-256 of the returned TPMT_PUBLIC, and that
 * TPMT_PUBLIC must carry the TEEP public key, fixed to the TPM.
 */
static void check_certified_object(struct fixture *f, const struct tk_tee_quote *q,
				   const struct attest *a)
{
	const struct tk_crypto_key *key = NULL;
	uint8_t name[34], x[32], y[32];
	const uint8_t *end = q->object + q->object_len;
	uint32_t attributes;

	assert_true(q->object_len > 8 + 68);
	name[0] = 0x00;
	name[1] = 0x0b;
	sha256(q->object, q->object_len, name + 2);
	assert_memory_equal(a->certified_name, name, sizeof(name));

	attributes = (uint32_t)q->object[4] << 24 | (uint32_t)q->object[5] << 16 |
		     (uint32_t)q->object[6] << 8 | q->object[7];
	assert_true(attributes & TPMA_FIXEDTPM);
	assert_true(attributes & TPMA_SIGN);
	assert_false(attributes & TPMA_RESTRICTED);

	/* unique.ecc closes the structure: 00 20 x 00 20 y. */
	assert_int_equal(tk_tee_signing_key(&f->tee, &key, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(key, x, y, NULL), TK_OK);
	assert_int_equal(end[-68], 0x00);
	assert_int_equal(end[-67], 0x20);
	assert_memory_equal(end - 66, x, 32);
	assert_int_equal(end[-34], 0x00);
	assert_int_equal(end[-33], 0x20);
	assert_memory_equal(end - 32, y, 32);
}

static void test_tpm_certify_signing_key(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_quote q;
	struct tk_diag diag;
	struct attest a;

	require_swtpm();
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("certify", TK_OK,
		       tk_tee_certify_signing_key(&f->tee, nonce, sizeof(nonce), &q, &diag),
		       &diag);
	verify_statement(f, &q, &a);
	assert_int_equal(a.type, TPM_ST_ATTEST_CERTIFY);
	check_certified_object(f, &q, &a);
}

static void test_tpm_ek_certificate(void **state)
{
	struct fixture *f = *state;
	uint8_t cert[TK_TEE_MAX_CERT_LEN];
	struct tk_diag diag;
	size_t len = 0;

	require_swtpm();
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("EK certificate", TK_OK,
		       tk_tee_endorsement_certificate(&f->tee, cert, sizeof(cert), &len,
						      &diag), &diag);
	/* DER SEQUENCE with a two-byte length: 30 82 hi lo. */
	assert_true(len > 4);
	assert_int_equal(cert[0], 0x30);
	assert_int_equal(cert[1], 0x82);
	assert_int_equal((size_t)(cert[2] << 8 | cert[3]) + 4, len);
	tee_test_check("EK certificate, small buffer", TK_ERR_LIMIT_SIZE,
		       tk_tee_endorsement_certificate(&f->tee, cert, 16, &len, &diag),
		       &diag);
}

static void test_tpm_altered_image_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t before[32];
	struct attest a;

	require_swtpm();
	open_ok(f);
	quote_ok(f, &a);
	memcpy(before, a.pcr_digest, 32);
	install_and_load(f, TK_OK);
	quote_ok(f, &a);
	memcpy(before, a.pcr_digest, 32);

	tee_test_flip_last_byte(f->dir.state, "components", "image of component a");
	{
		uint8_t digest[32];
		struct tk_diag diag;

		sha256(image_a, sizeof(image_a), digest);
		tk_diag_clear(&diag);
		tee_test_check("altered image", TK_ERR_DIGEST_MISMATCH,
			       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest,
						     NULL, &diag), &diag);
	}
	quote_ok(f, &a);
	assert_memory_equal(a.pcr_digest, before, 32);
}

/* swtpm has three transient slots: a leaked handle fails within a few calls. */
static void test_tpm_handles_flushed(void **state)
{
	static const uint8_t tbs[] = "x";
	struct fixture *f = *state;
	struct tk_tee_quote q;
	struct tk_diag diag;
	uint8_t sig[64];
	size_t sig_len;

	require_swtpm();
	open_ok(f);
	install_and_load(f, TK_OK);
	for (int i = 0; i < 12; i++) {
		tk_diag_clear(&diag);
		tee_test_check("sign in a row", TK_OK,
			       tk_tee_sign(&f->tee, tbs, sizeof(tbs), sig, sizeof(sig),
					   &sig_len, &diag), &diag);
		tee_test_check("quote in a row", TK_OK,
			       tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag), &diag);
		tee_test_check("certify in a row", TK_OK,
			       tk_tee_certify_signing_key(&f->tee, nonce, sizeof(nonce), &q,
							  &diag), &diag);
	}
	install_and_load(f, TK_OK);
}

struct count {
	size_t n;
	uint8_t last[32];
};

static tk_err count_entry(void *ctx, const struct tk_tee_measurement *m)
{
	struct count *c = ctx;

	c->n++;
	memcpy(c->last, m->running, 32);
	assert_int_equal(m->pcr, TEST_PCR);
	return TK_OK;
}

static size_t measurements(struct fixture *f, tk_err expected)
{
	struct count c = {0};
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("list measurements", expected,
		       tk_tee_list_measurements(&f->tee, count_entry, &c, &diag), &diag);
	return c.n;
}

static void test_tpm_state_survives_reopen(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_key_info first, second;

	require_swtpm();
	open_ok(f);
	assert_int_equal(tk_tee_key_info(&f->tee, &first, NULL), TK_OK);
	install_and_load(f, TK_OK);
	assert_int_equal(measurements(f, TK_OK), 1);

	open_ok(f);
	assert_int_equal(tk_tee_key_info(&f->tee, &second, NULL), TK_OK);
	assert_memory_equal(first.kid, second.kid, 32);
	assert_int_equal(measurements(f, TK_OK), 1);

	/* A TPM reset zeroes the PCR; the next open starts a new log. */
	tk_tee_close(&f->tee);
	assert_int_equal(swtpm_restart(&f->swtpm), 0);
	open_ok(f);
	assert_int_equal(tk_tee_key_info(&f->tee, &second, NULL), TK_OK);
	assert_memory_equal(first.kid, second.kid, 32);
	assert_int_equal(measurements(f, TK_OK), 0);
	install_and_load(f, TK_OK);
	assert_int_equal(measurements(f, TK_OK), 1);
}

static void test_tpm_log_must_replay(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_quote q;
	struct tk_diag diag;
	char path[TEE_TEST_PATH_MAX + 32];

	require_swtpm();
	open_ok(f);
	install_and_load(f, TK_OK);
	install_and_load(f, TK_OK);

	/* A log that lost its entries no longer replays to the PCR. */
	snprintf(path, sizeof(path), "%s/tpm/measurements", f->dir.state);
	assert_int_equal(remove(path), 0);
	assert_int_equal(measurements(f, TK_ERR_DIGEST_MISMATCH), 0);
	tk_diag_clear(&diag);
	tee_test_check("quote still works", TK_OK,
		       tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag), &diag);
}

/*
 * swtpm gone between calls (killed, or its host restarted): every hook
 * that needs the TPM fails with an error naming the TPM, and a load
 * records nothing. Once swtpm is back, the open backend works again.
 */
static void test_tpm_gone_between_calls(void **state)
{
	static const uint8_t tbs[] = "x";
	struct fixture *f = *state;
	struct tk_tee_quote q;
	struct tk_diag diag;
	uint8_t sig[64], digest[32];
	size_t sig_len = 0;
	char pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	tk_err err;

	require_swtpm();
	open_ok(f);
	install_and_load(f, TK_OK);
	swtpm_stop(&f->swtpm);

	tk_diag_clear(&diag);
	err = tk_tee_sign(&f->tee, tbs, sizeof(tbs), sig, sizeof(sig), &sig_len, &diag);
	assert_true(err == TK_ERR_DEVICE || err == TK_ERR_NETWORK);
	assert_int_equal(sig_len, 0);
	tk_diag_clear(&diag);
	err = tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag);
	assert_true(err == TK_ERR_DEVICE || err == TK_ERR_NETWORK);
	tk_diag_clear(&diag);
	err = tk_tee_certify_signing_key(&f->tee, nonce, sizeof(nonce), &q, &diag);
	assert_true(err == TK_ERR_DEVICE || err == TK_ERR_NETWORK);
	tk_diag_clear(&diag);
	sha256(image_a, sizeof(image_a), digest);
	err = tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest, NULL, &diag);
	assert_true(err == TK_ERR_DEVICE || err == TK_ERR_NETWORK);
	tk_diag_clear(&diag);
	err = tk_tee_list_measurements(&f->tee, count_entry, &(struct count){0}, &diag);
	assert_true(err == TK_ERR_DEVICE || err == TK_ERR_NETWORK);

	/* Keys read from the state folder need no TPM. */
	tk_diag_clear(&diag);
	tee_test_check("attestation key from the blob", TK_OK,
		       tk_tee_attestation_key_pem(&f->tee, pem, sizeof(pem), &pem_len, &diag),
		       &diag);

	/* swtpm back: the open backend works again. */
	assert_int_equal(swtpm_restart(&f->swtpm), 0);
	tk_diag_clear(&diag);
	tee_test_check("sign after swtpm is back", TK_OK,
		       tk_tee_sign(&f->tee, tbs, sizeof(tbs), sig, sizeof(sig), &sig_len, &diag),
		       &diag);

	/* A new open: the failed load left the log as it was. */
	open_ok(f);
	assert_int_equal(measurements(f, TK_OK), 0);
	install_and_load(f, TK_OK);
	assert_int_equal(measurements(f, TK_OK), 1);
}

static void copy_file(const char *from, const char *to)
{
	uint8_t buf[4096];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;

	assert_non_null(in);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	out = fopen(to, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
}

/*
 * Key blobs swapped in the state folder: the signing key's blob where the
 * attestation key's belongs. Every command that loads it fails, and the
 * failures leave no object or session loaded: after more failures than
 * swtpm has slots, the right blob works again.
 */
static void test_tpm_swapped_blob_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	char ak[TEE_TEST_PATH_MAX + 32], signing[TEE_TEST_PATH_MAX + 32];
	char saved[TEE_TEST_PATH_MAX + 32];
	struct tk_tee_quote q;
	struct tk_diag diag;

	require_swtpm();
	open_ok(f);
	tk_tee_close(&f->tee);
	snprintf(ak, sizeof(ak), "%s/tpm/attestation-key", f->dir.state);
	snprintf(signing, sizeof(signing), "%s/tpm/signing-key", f->dir.state);
	snprintf(saved, sizeof(saved), "%s/attestation-key.saved", f->dir.base);
	copy_file(ak, saved);
	copy_file(signing, ak);
	open_ok(f);
	for (int i = 0; i < 8; i++) {
		tk_diag_clear(&diag);
		tee_test_check("quote with a swapped AK blob", TK_ERR_DEVICE,
			       tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag), &diag);
		tk_diag_clear(&diag);
		tee_test_check("certify with a swapped AK blob", TK_ERR_DEVICE,
			       tk_tee_certify_signing_key(&f->tee, nonce, sizeof(nonce), &q,
							  &diag), &diag);
	}
	tk_tee_close(&f->tee);
	copy_file(saved, ak);
	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("quote with the right blob", TK_OK,
		       tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag), &diag);
	tee_test_check("certify with the right blob", TK_OK,
		       tk_tee_certify_signing_key(&f->tee, nonce, sizeof(nonce), &q, &diag),
		       &diag);
}

static size_t read_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/eat/swtpm-quote/%s", TK_VECTORS_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open vector %s", path);
	n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

/*
 * The published swtpm quote: PCR 16 extended once with SHA-256(ta.bin),
 * quoted with nonce f1ef7c3dbf0a332927800f0c03f28903 by the AK in ak.pub.pem.
 * It checks this file's parser and the crypto layer's verify against a
 * quote made by tpm2-tools, and runs without swtpm.
 */
static void test_vector_quote_verifies(void **state)
{
	struct tk_tee_quote q = {.format = TK_TEE_QUOTE_TPM2};
	uint8_t ta[64], pem[512], pcr[64], expect[32], rs[64];
	struct tk_crypto_key *ak;
	struct tk_span part;
	struct tk_diag diag;
	struct attest a;
	size_t ta_len, pem_len;

	(void)state;
	q.attest_len = read_vector("quote.msg", q.attest, sizeof(q.attest));
	q.signature_len = read_vector("quote.sig", q.signature, sizeof(q.signature));
	ta_len = read_vector("ta.bin", ta, sizeof(ta));
	pem_len = read_vector("ak.pub.pem", pem, sizeof(pem));
	assert_int_equal(q.attest_len, 129);
	assert_int_equal(q.signature_len, 72);

	parse_attest(&q, &a);
	assert_int_equal(a.type, TPM_ST_ATTEST_QUOTE);
	assert_int_equal(a.extra_len, 16);
	assert_memory_equal(a.extra, nonce, 16);
	assert_int_equal(a.pcr_select[2], 0x01); /* PCR 16 */

	/* pcrDigest = SHA-256(PCR16), PCR16 = SHA-256(0^32 || SHA-256(ta.bin)). */
	memset(pcr, 0, 32);
	sha256(ta, ta_len, pcr + 32);
	sha256(pcr, 64, pcr);
	sha256(pcr, 32, expect);
	assert_memory_equal(a.pcr_digest, expect, 32);

	ak = import_pem((const char *)pem, pem_len);
	signature_rs(&q, rs);
	part = tk_span_make(q.attest, q.attest_len);
	tk_diag_clear(&diag);
	tee_test_check("vector quote signature", TK_OK,
		       tk_crypto_verify(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, rs,
					sizeof(rs), &diag), &diag);
	q.attest[q.attest_len - 1] ^= 1;
	tee_test_check("vector quote altered", TK_ERR_SIGNATURE,
		       tk_crypto_verify(ak, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, rs,
					sizeof(rs), &diag), &diag);
	tk_crypto_key_free(ak);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_quote_verifies),
		cmocka_unit_test_setup_teardown(test_tpm_sign_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_report_key_and_secrets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tpm_staged_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_quote_follows_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_certify_signing_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_ek_certificate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_altered_image_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tpm_handles_flushed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_state_survives_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tpm_log_must_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_gone_between_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpm_swapped_blob_fails_cleanly, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
