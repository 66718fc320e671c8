/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AK enrollment by credential activation, end to end in one process: the
 * verifier library makes a credential for swtpm's EK certificate and the
 * AK's name, the TPM backend activates it, and the secret it recovers
 * enrolls the AK bound to that EK. Rows cover a wrong secret (rejected,
 * and the enrollment is used up), replay, expiry, an unknown id, an
 * untrusted EK, an AK that is not a restricted key and a UEID bound to
 * another EK certificate. The appraisal's binding check sets
 * instance-identity 96 for evidence with another EK certificate. Without
 * swtpm installed the tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto/tk_crypto.h"
#include "proc.h"
#include "swtpm.h"
#include "tee/tk_tee.h"
#include "verifier/tk_verifier_ak.h"
#include "verifier/tk_verifier_impl.h"
#include "verifier/tk_verifier_sqlite.h"

#define NOW ((int64_t)time(NULL))

static const uint8_t ueid[16] = {0x01, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

struct fixture {
	char dir[64];
	char db_path[96];
	struct swtpm swtpm;
	struct tk_tee tee;
	struct tk_verifier_sqlite *db;
	struct tk_verifier_store_ops ops;
	struct tk_verifier verifier;
	struct tk_crypto_key *verifier_key;
	uint8_t ek_cert[TK_TEE_MAX_CERT_LEN];
	size_t ek_cert_len;
	uint8_t ak_public[TK_EAT_TPM_PUBLIC_MAX];
	size_t ak_public_len;
};

/* Add the swtpm local CA's root and issuer certificates as trusted EK CAs. */
static void trust_swtpm_ca(struct fixture *f)
{
	static const char *const names[] = {"swtpm-localca-rootca-cert", "issuercert"};
	char cmd[1024], path[256];
	uint8_t der[TK_VERIFIER_CERT_MAX];

	for (size_t i = 0; i < 2; i++) {
		FILE *fp;
		size_t len;

		snprintf(path, sizeof(path), "%s/ca-%zu.der", f->dir, i);
		snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/ca/%s.pem -outform DER -out %s",
			 f->swtpm.dir, names[i], path);
		assert_int_equal(system(cmd), 0);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		len = fread(der, 1, sizeof(der), fp);
		fclose(fp);
		assert_int_equal(tk_verifier_sqlite_ek_ca_add(f->db, tk_span_make(der, len), NOW,
							      NULL), TK_OK);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_tee_tpm_config tcfg = {.create = true};
	struct tk_verifier_config cfg = {0};
	char tpm_dir[128], state_dir[128];

	assert_non_null(f);
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-ak-enroll-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	if (!swtpm_available())
		return 0;
	snprintf(tpm_dir, sizeof(tpm_dir), "%s/swtpm", f->dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
	assert_int_equal(swtpm_start(&f->swtpm, tpm_dir), 0);
	tcfg.state_dir = state_dir;
	tcfg.tcti = f->swtpm.tcti;
	assert_int_equal(tk_tee_tpm_open(&tcfg, &f->tee, NULL), TK_OK);
	assert_int_equal(tk_tee_endorsement_certificate(&f->tee, f->ek_cert, sizeof(f->ek_cert),
							&f->ek_cert_len, NULL), TK_OK);
	assert_int_equal(tk_tee_attestation_key_public(&f->tee, f->ak_public,
						       sizeof(f->ak_public), &f->ak_public_len,
						       NULL), TK_OK);

	snprintf(f->db_path, sizeof(f->db_path), "%s/v.db", f->dir);
	assert_int_equal(tk_verifier_sqlite_open(f->db_path, true, &f->db, &f->ops, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						&f->verifier_key, NULL), TK_OK);
	cfg.crypto = tk_crypto_openssl();
	cfg.store = &f->ops;
	cfg.signing_key = f->verifier_key;
	assert_int_equal(tk_verifier_init(&f->verifier, &cfg, NULL), TK_OK);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_tee_close(&f->tee);
	swtpm_stop(&f->swtpm);
	tk_verifier_sqlite_close(f->db);
	tk_crypto_key_free(f->verifier_key);
	proc_remove_tree(f->dir);
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

static void check(const char *desc, tk_err expected, tk_err actual, const struct tk_diag *diag)
{
	if (actual != expected)
		fail_msg("%s: expected %s, got %s (%s)", desc, tk_err_name(expected),
			 tk_err_name(actual), diag->msg);
}

static void begin(struct fixture *f, struct tk_verifier_ak_challenge *ch)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check("begin", TK_OK,
	      tk_verifier_ak_enroll_begin(&f->verifier, NOW,
					  tk_span_make(f->ek_cert, f->ek_cert_len),
					  tk_span_make(f->ak_public, f->ak_public_len),
					  tk_span_make(ueid, sizeof(ueid)), ch, &diag), &diag);
}

/* The TPM's part: recover the secret. */
static size_t activate(struct fixture *f, const struct tk_verifier_ak_challenge *ch,
		       uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN])
{
	struct tk_diag diag;
	size_t len = 0;

	tk_diag_clear(&diag);
	check("activate", TK_OK,
	      tk_tee_activate_credential(&f->tee, ch->credential.id_object,
					 ch->credential.id_object_len,
					 ch->credential.encrypted_secret,
					 ch->credential.encrypted_secret_len, secret,
					 TK_TEE_MAX_CREDENTIAL_LEN, &len, &diag), &diag);
	return len;
}

static tk_err finish(struct fixture *f, int64_t now, const uint8_t *id, const uint8_t *secret,
		     size_t len, struct tk_verifier_ak_pending *out, struct tk_diag *diag)
{
	tk_diag_clear(diag);
	return tk_verifier_ak_enroll_finish(&f->verifier, now, id, tk_span_make(secret, len), out,
					    diag);
}

static void test_enroll_round_trip(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_ak_challenge ch;
	struct tk_verifier_ak_pending enrolled;
	struct tk_verifier_attest_key rec;
	struct tk_eat_tpm_ak ak;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN], ek_digest[32], bound[32];
	size_t len;
	uint64_t count = 0;
	struct tk_diag diag;

	require_swtpm();
	trust_swtpm_ca(f);
	begin(f, &ch);
	len = activate(f, &ch, secret);
	assert_int_equal(len, TK_VERIFIER_AK_SECRET_LEN);
	check("finish", TK_OK, finish(f, NOW, ch.id, secret, len, &enrolled, &diag), &diag);

	/* Enrolled for the UEID, under the AK's kid, bound to this EK. */
	assert_int_equal(tk_eat_tpm_ak_parse(tk_crypto_openssl(), f->ak_public, f->ak_public_len,
					     &ak, NULL), TK_OK);
	assert_memory_equal(enrolled.ak_name, ak.name, sizeof(ak.name));
	assert_int_equal(f->ops.key_get(f->ops.ctx, tk_span_make(enrolled.key.kid, 32), &rec,
					NULL), TK_OK);
	assert_int_equal(rec.ueid_len, sizeof(ueid));
	assert_memory_equal(rec.ueid, ueid, sizeof(ueid));
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), f->ek_cert, f->ek_cert_len,
					  ek_digest, NULL), TK_OK);
	assert_int_equal(f->ops.ak_binding_get(f->ops.ctx, tk_span_make(enrolled.key.kid, 32),
					       bound, NULL), TK_OK);
	assert_memory_equal(bound, ek_digest, 32);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "ak_bindings", &count, NULL), TK_OK);
	assert_int_equal(count, 1);

	check("the same enrollment again", TK_ERR_REPLAY,
	      finish(f, NOW, ch.id, secret, len, NULL, &diag), &diag);
}

/* A wrong secret is rejected and uses the enrollment up. */
static void test_enroll_wrong_secret(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_ak_challenge ch;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN];
	size_t len;
	uint64_t count = 9;
	struct tk_diag diag;

	require_swtpm();
	trust_swtpm_ca(f);
	begin(f, &ch);
	len = activate(f, &ch, secret);
	secret[0] ^= 0x80;
	check("wrong secret", TK_ERR_SIGNATURE, finish(f, NOW, ch.id, secret, len, NULL, &diag),
	      &diag);
	secret[0] ^= 0x80;
	check("right secret after a wrong one", TK_ERR_REPLAY,
	      finish(f, NOW, ch.id, secret, len, NULL, &diag), &diag);
	check("unknown enrollment id", TK_ERR_NOT_FOUND,
	      finish(f, NOW, (const uint8_t *)"0123456789abcdef", secret, 31, NULL, &diag), &diag);
	begin(f, &ch);
	len = activate(f, &ch, secret);
	check("secret of 31 bytes", TK_ERR_SIGNATURE,
	      finish(f, NOW, ch.id, secret, len - 1, NULL, &diag), &diag);
	check("right secret after a short one", TK_ERR_REPLAY,
	      finish(f, NOW, ch.id, secret, len, NULL, &diag), &diag);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "attest_keys", &count, NULL), TK_OK);
	assert_int_equal(count, 0);
}

static void test_enroll_expired(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_ak_challenge ch;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN];
	size_t len;
	struct tk_diag diag;

	require_swtpm();
	trust_swtpm_ca(f);
	begin(f, &ch);
	len = activate(f, &ch, secret);
	check("after the lifetime", TK_ERR_EXPIRED,
	      finish(f, NOW + TK_VERIFIER_AK_LIFETIME + 1, ch.id, secret, len, NULL, &diag),
	      &diag);
}

/* Requests rejected at begin, each with its code. */
static void test_enroll_begin_rejects(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_ak_challenge ch;
	uint8_t bad_ak[TK_EAT_TPM_PUBLIC_MAX], bad_cert[TK_TEE_MAX_CERT_LEN];
	struct tk_diag diag;
	struct row {
		const char *desc;
		bool trust;
		const uint8_t *cert;
		size_t cert_len;
		const uint8_t *ak;
		size_t ueid_len;
		tk_err expected;
	} rows[] = {
		{"no trusted EK CA", false, f->ek_cert, f->ek_cert_len, f->ak_public, 16,
		 TK_ERR_UNTRUSTED},
		{"AK that may decrypt", true, f->ek_cert, f->ek_cert_len, bad_ak, 16, TK_ERR_KEY},
		{"altered EK certificate", true, bad_cert, f->ek_cert_len, f->ak_public, 16,
		 TK_ERR_UNTRUSTED},
		{"empty UEID", true, f->ek_cert, f->ek_cert_len, f->ak_public, 0, TK_ERR_ARG},
	};

	require_swtpm();
	memcpy(bad_ak, f->ak_public, f->ak_public_len);
	bad_ak[5] |= 0x02; /* objectAttributes bit 17: decrypt */
	memcpy(bad_cert, f->ek_cert, f->ek_cert_len);
	bad_cert[f->ek_cert_len - 10] ^= 0x01; /* inside the signature */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].trust && i > 0 && !rows[i - 1].trust)
			trust_swtpm_ca(f);
		tk_diag_clear(&diag);
		check(rows[i].desc, rows[i].expected,
		      tk_verifier_ak_enroll_begin(&f->verifier, NOW,
						  tk_span_make(rows[i].cert, rows[i].cert_len),
						  tk_span_make(rows[i].ak, f->ak_public_len),
						  tk_span_make(ueid, rows[i].ueid_len), &ch, &diag),
		      &diag);
		assert_int_equal(ch.credential.id_object_len, 0);
	}
}

/* Begin and activate an enrollment for this UEID, then finish it. */
static tk_err enroll_for(struct fixture *f, const uint8_t *for_ueid, size_t ueid_len,
			 struct tk_diag *diag)
{
	struct tk_verifier_ak_challenge ch;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN];
	size_t len;

	tk_diag_clear(diag);
	check("begin", TK_OK,
	      tk_verifier_ak_enroll_begin(&f->verifier, NOW,
					  tk_span_make(f->ek_cert, f->ek_cert_len),
					  tk_span_make(f->ak_public, f->ak_public_len),
					  tk_span_make(for_ueid, ueid_len), &ch, diag), diag);
	len = activate(f, &ch, secret);
	return finish(f, NOW, ch.id, secret, len, NULL, diag);
}

/*
 * A UEID bound by activation to another EK certificate (another device's
 * TPM) is not enrolled for this TPM's AK; another UEID is.
 */
static void test_enroll_ueid_of_other_ek(void **state)
{
	static const uint8_t other_ueid[16] = {0x01, 0xb0};
	struct fixture *f = *state;
	struct tk_verifier_ak_pending theirs;
	uint64_t count = 0;
	struct tk_diag diag;

	require_swtpm();
	trust_swtpm_ca(f);
	memset(&theirs, 0, sizeof(theirs));
	memset(theirs.key.kid, 0x55, sizeof(theirs.key.kid));
	theirs.key.cose_key[0] = 0xa0;
	theirs.key.cose_key_len = 1;
	memcpy(theirs.key.ueid, ueid, sizeof(ueid));
	theirs.key.ueid_len = sizeof(ueid);
	memset(theirs.ek_cert_digest, 0xaa, sizeof(theirs.ek_cert_digest));
	assert_int_equal(f->ops.ak_enroll(f->ops.ctx, &theirs, NOW, NULL), TK_OK);

	check("UEID bound to another EK", TK_ERR_POLICY,
	      enroll_for(f, ueid, sizeof(ueid), &diag), &diag);
	assert_non_null(strstr(diag.msg, "another EK certificate"));
	assert_int_equal(tk_verifier_sqlite_count(f->db, "attest_keys", &count, NULL), TK_OK);
	assert_int_equal(count, 1);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "ak_bindings", &count, NULL), TK_OK);
	assert_int_equal(count, 1);

	check("a UEID no other EK holds", TK_OK,
	      enroll_for(f, other_ueid, sizeof(other_ueid), &diag), &diag);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "ak_bindings", &count, NULL), TK_OK);
	assert_int_equal(count, 2);
}

/* Evidence with another EK certificate than the AK was activated with. */
static void test_binding_other_ek(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_ak_challenge ch;
	struct tk_verifier_ak_pending enrolled;
	struct tk_verifier_appraisal *a = calloc(1, sizeof(*a));
	struct tk_eat_tpm_claim tpm;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN], other[TK_TEE_MAX_CERT_LEN];
	size_t len;
	struct tk_diag diag;

	require_swtpm();
	assert_non_null(a);
	trust_swtpm_ca(f);
	begin(f, &ch);
	len = activate(f, &ch, secret);
	check("finish", TK_OK, finish(f, NOW, ch.id, secret, len, &enrolled, &diag), &diag);

	memset(&tpm, 0, sizeof(tpm));
	tpm.ek_chain[0] = tk_span_make(f->ek_cert, f->ek_cert_len);
	tpm.ek_chain_count = 1;
	assert_int_equal(tk_verifier_check_ak_binding(&f->verifier, &tpm, enrolled.key.kid, a,
						      NULL), TK_OK);
	assert_int_equal(a->vector.present, 0);

	memcpy(other, f->ek_cert, f->ek_cert_len);
	other[f->ek_cert_len - 1] ^= 0x01;
	tpm.ek_chain[0] = tk_span_make(other, f->ek_cert_len);
	assert_int_equal(tk_verifier_check_ak_binding(&f->verifier, &tpm, enrolled.key.kid, a,
						      NULL), TK_OK);
	assert_int_equal(a->vector.present, 1u << TK_VERIFIER_INSTANCE_IDENTITY);
	assert_int_equal(a->vector.value[TK_VERIFIER_INSTANCE_IDENTITY], 96);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enroll_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_wrong_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_begin_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_other_ek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enroll_ueid_of_other_ek, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
