/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the appraisal library with its SQLite store. A table of
 * evidence variants (good, unknown TA, tampered TA, wrong nonce, unknown
 * key, bad signature, other UEID) gives each its expected error or status
 * and trustworthiness claims. Other tests cover sessions (single use,
 * expiry, limit), malformed evidence, the in-process mode without a
 * session, cnf of another key and the largest evidence. Every EAR is
 * verified with the eat layer and its claims compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "eat_test_util.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

/* A fixed clock: 2026-12-04T00:00:00Z. */
#define NOW 1796342400

static const char agent_uri[] = "urn:teepkit:teep-agent:0.1.0";
static const uint8_t agent_digest[32] = {0x11, 0x22, 0x33};
/* Encoded SUIT component id [h'7461'] of the TA, and its image digest. */
static const uint8_t ta_component[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t ta_digest[32] = {0xaa, 0xbb};
static const uint8_t other_component[] = {0x81, 0x42, 0x7a, 0x7a};
static const uint8_t encryption_kid[32] = {0xe1, 0xe2, 0xe3, [31] = 0xef};
static const uint8_t oemid[3] = {0x89, 0x48, 0x23};

struct fixture {
	const struct tk_crypto *c;
	char dir[64];
	char db_path[96];
	struct tk_verifier_sqlite *db;
	struct tk_verifier_store_ops ops;
	struct tk_verifier verifier;
	struct tk_crypto_key *verifier_key;
	struct tk_crypto_key *agent_key;   /* enrolled */
	struct tk_crypto_key *stranger;    /* not enrolled */
	uint8_t agent_kid[32];
	uint8_t ueid[16];
};

/* How to build one evidence variant. */
struct variant {
	bool wrong_nonce;
	bool unknown_key;
	bool other_ueid;
	bool corrupt_signature;
	int ta;               /* 0 known TA, 1 unknown component, 2 wrong digest */
	bool no_ta;
	bool encryption_kid;  /* teepkit-encryption-kid: encryption_kid below */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_verifier_attest_key rec = {0};
	struct tk_verifier_refval rv = {0};
	struct tk_verifier_config cfg = {0};

	assert_non_null(f);
	f->c = tk_crypto_openssl();
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-verifier-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/v.db", f->dir);
	assert_int_equal(tk_verifier_sqlite_open(f->db_path, true, &f->db, &f->ops, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->verifier_key, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_P256, &f->agent_key, NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_key_generate(f->c, TK_CRYPTO_KEY_ED25519, &f->stranger, NULL),
			 TK_OK);
	assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, f->agent_key, f->agent_kid, NULL),
			 TK_OK);
	for (size_t i = 0; i < sizeof(f->ueid); i++)
		f->ueid[i] = (uint8_t)(i == 0 ? 0x01 : 0x40 + i);

	/* Enroll the agent key for the UEID. */
	memcpy(rec.kid, f->agent_kid, sizeof(rec.kid));
	memcpy(rec.ueid, f->ueid, sizeof(f->ueid));
	rec.ueid_len = sizeof(f->ueid);
	assert_int_equal(tk_cose_key_encode_public(f->agent_key, TK_SPAN_EMPTY, TK_COSE_ALG_ESP256,
						   rec.cose_key, sizeof(rec.cose_key),
						   &rec.cose_key_len, NULL), TK_OK);
	assert_int_equal(tk_verifier_sqlite_key_add(f->db, &rec, NOW, NULL), TK_OK);

	/* Reference values: the agent by URI, the TA by component id. */
	snprintf(rv.vendor, sizeof(rv.vendor), "teepkit");
	snprintf(rv.class_name, sizeof(rv.class_name), "sim");
	rv.digest_alg = TK_EAT_DIGEST_SHA256;
	memcpy(rv.component, agent_uri, strlen(agent_uri));
	rv.component_len = strlen(agent_uri);
	memcpy(rv.digest, agent_digest, 32);
	rv.digest_len = 32;
	assert_int_equal(tk_verifier_sqlite_refval_add(f->db, &rv, "test", NOW, NULL), TK_OK);
	memcpy(rv.component, ta_component, sizeof(ta_component));
	rv.component_len = sizeof(ta_component);
	memcpy(rv.digest, ta_digest, 32);
	assert_int_equal(tk_verifier_sqlite_refval_add(f->db, &rv, "test", NOW, NULL), TK_OK);

	cfg.crypto = f->c;
	cfg.store = &f->ops;
	cfg.signing_key = f->verifier_key;
	cfg.keep_history = true;
	cfg.max_sessions = 16;
	assert_int_equal(tk_verifier_init(&f->verifier, &cfg, NULL), TK_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	tk_verifier_sqlite_close(f->db);
	tk_crypto_key_free(f->verifier_key);
	tk_crypto_key_free(f->agent_key);
	tk_crypto_key_free(f->stranger);
	snprintf(path, sizeof(path), "%s-wal", f->db_path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", f->db_path);
	unlink(path);
	unlink(f->db_path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Sign evidence for nonce according to v into out; returns its length. */
static size_t make_evidence(struct fixture *f, const struct variant *v, struct tk_span nonce,
			    uint8_t *out, size_t cap)
{
	static struct tk_eat_claims claims;
	uint8_t ref[128], meas[128], wrong[64], other_ueid[16];
	struct tk_eat_suit_reference r = {0};
	struct tk_eat_measured_component mc = {0};
	size_t ref_len = 0, meas_len = 0, len = 0;

	memset(&claims, 0, sizeof(claims));
	r.uri = tk_span_make(agent_uri, strlen(agent_uri));
	r.digest_alg = TK_EAT_DIGEST_SHA256;
	r.digest = tk_span_make(agent_digest, 32);
	assert_int_equal(tk_eat_encode_suit_reference(&r, ref, sizeof(ref), &ref_len, NULL), TK_OK);
	mc.component_id = v->ta == 1 ? tk_span_make(other_component, sizeof(other_component))
				     : tk_span_make(ta_component, sizeof(ta_component));
	mc.digest_alg = TK_EAT_DIGEST_SHA256;
	mc.digest = v->ta == 2 ? tk_span_make(agent_digest, 32) : tk_span_make(ta_digest, 32);
	assert_int_equal(tk_eat_encode_measured_component(&mc, meas, sizeof(meas), &meas_len,
							  NULL), TK_OK);

	memcpy(wrong, nonce.ptr, nonce.len);
	wrong[0] ^= 0x01;
	memcpy(other_ueid, f->ueid, sizeof(other_ueid));
	other_ueid[5] ^= 0xff;
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = v->wrong_nonce ? tk_span_make(wrong, nonce.len) : nonce;
	claims.ueid = tk_span_make(v->other_ueid ? other_ueid : f->ueid, sizeof(f->ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("teepkit-sim", 11);
	claims.hwversion = tk_span_make("1.0.0", 5);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref, ref_len);
	claims.manifest_count = 1;
	if (!v->no_ta) {
		claims.present |= TK_EAT_HAS_MEASUREMENTS;
		claims.measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
		claims.measurements[0].body = tk_span_make(meas, meas_len);
		claims.measurement_count = 1;
	}
	if (v->encryption_kid) {
		claims.present |= TK_EAT_HAS_ENCRYPTION_KID;
		claims.encryption_kid = tk_span_make(encryption_kid, sizeof(encryption_kid));
	}
	assert_int_equal(tk_eat_sign(f->c, v->unknown_key ? f->stranger : f->agent_key, &claims,
				     out, cap, &len, NULL), TK_OK);
	if (v->corrupt_signature)
		out[len - 1] ^= 0x01;
	return len;
}

/* Verify the EAR with the eat layer and return it decoded (views into ear). */
static void verify_ear(struct fixture *f, const uint8_t *ear, size_t ear_len,
		       struct tk_ear *out)
{
	struct tk_cose_trusted_key trusted = {.key = f->verifier_key};
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	err = tk_ear_verify_cwt(f->c, ear, ear_len, &trusted, 1, out, NULL, &diag);
	check_err("EAR verifies with the verifier key", TK_OK, err, &diag);
}

/* The result's TEEP claims carry teepkit-encryption-kid exactly when expected. */
static void check_encryption_kid(const struct tk_ear *ear, bool expected)
{
	static struct tk_eat_claims teep;
	struct tk_span claims = ear->submods[0].teep_claims;

	assert_int_equal(tk_eat_decode_claims(claims.ptr, claims.len, &teep, NULL), TK_OK);
	assert_int_equal((teep.present & TK_EAT_HAS_ENCRYPTION_KID) != 0, expected);
	if (expected) {
		assert_int_equal(teep.encryption_kid.len, sizeof(encryption_kid));
		assert_memory_equal(teep.encryption_kid.ptr, encryption_kid,
				    sizeof(encryption_kid));
	}
}

struct row {
	const char *desc;
	struct variant v;
	tk_err err;                 /* expected error, TK_OK for a result */
	enum tk_verifier_tier status;
	int identity;               /* expected instance-identity */
	int executables;            /* expected executables, -1: absent */
	bool teep_claims;           /* the EAR carries ear.teep-claims */
};

static const struct row rows[] = {
	{"good evidence", {0}, TK_OK, TK_VERIFIER_TIER_AFFIRMING, 2, 2, true},
	{"good evidence naming the encryption key", {.encryption_kid = true}, TK_OK,
	 TK_VERIFIER_TIER_AFFIRMING, 2, 2, true},
	{"only the agent, no TA", {.no_ta = true}, TK_OK, TK_VERIFIER_TIER_AFFIRMING, 2, 2,
	 true},
	{"unknown TA component", {.ta = 1}, TK_OK, TK_VERIFIER_TIER_WARNING, 2, 33, true},
	{"TA with another digest", {.ta = 2}, TK_OK, TK_VERIFIER_TIER_CONTRAINDICATED, 2, 96,
	 true},
	{"key not enrolled", {.unknown_key = true}, TK_OK, TK_VERIFIER_TIER_CONTRAINDICATED, 97,
	 -1, false},
	{"signature altered", {.corrupt_signature = true}, TK_OK,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 99, -1, false},
	{"UEID of another device", {.other_ueid = true}, TK_OK,
	 TK_VERIFIER_TIER_CONTRAINDICATED, 96, 2, true},
	{"nonce of another session", {.wrong_nonce = true}, TK_ERR_NONCE, 0, 0, 0, false},
};

static void test_appraisal_table(void **state)
{
	struct fixture *f = *state;
	static uint8_t evidence[4096], ear[TK_VERIFIER_RESULT_MAX];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct tk_verifier_session s;
		struct tk_verifier_request req = {0};
		struct tk_verifier_result res;
		struct tk_ear decoded;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
		req.has_session = true;
		memcpy(req.session_id, s.id, sizeof(s.id));
		req.evidence = tk_span_make(evidence, make_evidence(f, &r->v,
				tk_span_make(s.nonce, sizeof(s.nonce)), evidence, sizeof(evidence)));
		err = tk_verifier_appraise(&f->verifier, NOW + 1, &req, ear, sizeof(ear), &res,
					   &diag);
		print_message("row: %s\n", r->desc);
		check_err(r->desc, r->err, err, &diag);
		if (r->err != TK_OK)
			continue;
		assert_int_equal(res.status, r->status);
		assert_int_equal(res.vector.value[TK_VERIFIER_INSTANCE_IDENTITY], r->identity);
		if (r->executables >= 0)
			assert_int_equal(res.vector.value[TK_VERIFIER_EXECUTABLES], r->executables);
		else
			assert_int_equal(res.vector.present & (1u << TK_VERIFIER_EXECUTABLES), 0);
		assert_int_equal(res.vector.value[TK_VERIFIER_RUNTIME_OPAQUE], 32);
		assert_true((res.vector.present & (1u << TK_VERIFIER_HARDWARE)) != 0);
		assert_int_equal(res.vector.value[TK_VERIFIER_HARDWARE], 0);
		assert_int_equal(r->status == TK_VERIFIER_TIER_AFFIRMING, res.reason[0] == '\0');

		verify_ear(f, ear, res.ear_len, &decoded);
		assert_int_equal(decoded.submod_count, 1);
		assert_memory_equal(decoded.submods[0].name.ptr, "teep", 4);
		assert_int_equal(decoded.submods[0].status, (int64_t)r->status);
		assert_int_equal(decoded.submods[0].tv[TK_EAR_TV_INSTANCE_IDENTITY], r->identity);
		assert_true(decoded.has_status);
		assert_int_equal(decoded.status, (int64_t)r->status);
		assert_int_equal(decoded.iat, NOW + 1);
		assert_false(decoded.has_exp);
		assert_int_equal(decoded.nonce.len, sizeof(s.nonce));
		assert_memory_equal(decoded.nonce.ptr, s.nonce, sizeof(s.nonce));
		assert_int_equal(decoded.submods[0].teep_claims.len > 0, r->teep_claims);
		if (r->teep_claims) {
			assert_int_equal(decoded.cnf_kid.len, 32);
			assert_memory_equal(decoded.cnf_kid.ptr, f->agent_kid, 32);
			check_encryption_kid(&decoded, r->v.encryption_kid);
		}
	}
}

/* A session gives one result; the second use is a replay. */
static void test_session_single_use(void **state)
{
	struct fixture *f = *state;
	static uint8_t evidence[4096], ear[TK_VERIFIER_RESULT_MAX];
	const struct variant good = {0};
	struct tk_verifier_session s;
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	struct tk_diag diag;

	assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
	req.has_session = true;
	memcpy(req.session_id, s.id, sizeof(s.id));
	req.evidence = tk_span_make(evidence, make_evidence(f, &good, tk_span_make(s.nonce, 32),
							    evidence, sizeof(evidence)));
	tk_diag_clear(&diag);
	check_err("first use", TK_OK, tk_verifier_appraise(&f->verifier, NOW, &req, ear,
							   sizeof(ear), &res, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("second use", TK_ERR_REPLAY, tk_verifier_appraise(&f->verifier, NOW, &req, ear,
								    sizeof(ear), &res, &diag),
		  &diag);
	assert_int_equal(res.ear_len, 0);

	/* A wrong nonce uses the session up as well. */
	assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
	memcpy(req.session_id, s.id, sizeof(s.id));
	tk_diag_clear(&diag);
	check_err("evidence of the earlier session", TK_ERR_NONCE,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);
	tk_diag_clear(&diag);
	check_err("retry after a wrong nonce", TK_ERR_REPLAY,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);
}

static void test_session_expiry_and_limit(void **state)
{
	struct fixture *f = *state;
	static uint8_t ear[TK_VERIFIER_RESULT_MAX];
	struct tk_verifier_session s;
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	uint64_t removed = 0;
	int64_t expires;
	struct tk_diag diag;
	uint8_t body[8] = {0};

	/* Unknown session id. */
	req.has_session = true;
	memset(req.session_id, 0x5a, sizeof(req.session_id));
	req.evidence = tk_span_make(body, sizeof(body));
	tk_diag_clear(&diag);
	check_err("unknown session", TK_ERR_NOT_FOUND,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);

	/* Expired: checked before the evidence is read. */
	assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
	memcpy(req.session_id, s.id, sizeof(s.id));
	tk_diag_clear(&diag);
	check_err("expired session", TK_ERR_EXPIRED,
		  tk_verifier_appraise(&f->verifier, s.expires_at, &req, ear, sizeof(ear), &res,
				       &diag), &diag);

	/* max_sessions is 16: fifteen more fit beside the one above. */
	expires = s.expires_at;
	for (int i = 0; i < 15; i++)
		assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("seventeenth session", TK_ERR_LIMIT_COUNT,
		  tk_verifier_new_session(&f->verifier, NOW, &s, &diag), &diag);
	assert_int_equal(s.expires_at, 0);

	/* Once they expire and are purged, sessions are available again. */
	assert_int_equal(tk_verifier_purge(&f->verifier, expires, &removed, NULL), TK_OK);
	assert_int_equal(removed, 16);
	assert_int_equal(tk_verifier_new_session(&f->verifier, expires, &s, NULL), TK_OK);
}

/* Evidence the verifier cannot read gets an error, not a result. */
static void test_malformed_evidence(void **state)
{
	struct fixture *f = *state;
	static uint8_t ear[TK_VERIFIER_RESULT_MAX];
	static const uint8_t garbage[] = {0xd2, 0x84, 0x40, 0xa0, 0x41};
	static const uint8_t not_cose[] = {0xa1, 0x01, 0x02};
	static const struct {
		const char *desc;
		const uint8_t *bytes;
		size_t len;
		tk_err err;
	} cases[] = {
		{"truncated COSE_Sign1", garbage, sizeof(garbage), TK_ERR_CBOR_LENGTH},
		{"a map, not COSE_Sign1", not_cose, sizeof(not_cose), TK_ERR_SCHEMA_TYPE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_verifier_session s;
		struct tk_verifier_request req = {0};
		struct tk_verifier_result res;
		struct tk_diag diag;

		assert_int_equal(tk_verifier_new_session(&f->verifier, NOW, &s, NULL), TK_OK);
		req.has_session = true;
		memcpy(req.session_id, s.id, sizeof(s.id));
		req.evidence = tk_span_make(cases[i].bytes, cases[i].len);
		tk_diag_clear(&diag);
		check_err(cases[i].desc, cases[i].err,
			  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res,
					       &diag), &diag);
	}
}

/* In-process mode: the TAM's own challenge and the TEEP key it verified. */
static void test_in_process(void **state)
{
	struct fixture *f = *state;
	static uint8_t evidence[4096], ear[TK_VERIFIER_RESULT_MAX];
	const struct variant good = {0};
	uint8_t challenge[32], other_kid[32];
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	struct tk_ear decoded;
	struct tk_diag diag;

	memset(challenge, 0xc3, sizeof(challenge));
	req.nonce = tk_span_make(challenge, sizeof(challenge));
	req.cnf_kid = tk_span_make(f->agent_kid, 32);
	req.evidence = tk_span_make(evidence, make_evidence(f, &good, req.nonce, evidence,
							    sizeof(evidence)));
	tk_diag_clear(&diag);
	check_err("in-process appraisal", TK_OK,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);
	assert_int_equal(res.status, TK_VERIFIER_TIER_AFFIRMING);
	assert_memory_equal(res.cnf_kid, f->agent_kid, 32);
	assert_int_equal(res.ueid_len, sizeof(f->ueid));
	verify_ear(f, ear, res.ear_len, &decoded);
	assert_memory_equal(decoded.nonce.ptr, challenge, sizeof(challenge));

	/* The TEEP message was signed by another key than the evidence names. */
	memset(other_kid, 0x77, sizeof(other_kid));
	req.cnf_kid = tk_span_make(other_kid, sizeof(other_kid));
	tk_diag_clear(&diag);
	check_err("cnf of another key", TK_OK,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);
	assert_int_equal(res.status, TK_VERIFIER_TIER_CONTRAINDICATED);
	assert_int_equal(res.vector.value[TK_VERIFIER_INSTANCE_IDENTITY], 96);
	verify_ear(f, ear, res.ear_len, &decoded);
	assert_memory_equal(decoded.cnf_kid.ptr, other_kid, 32);
}

static tk_err count_row(void *ctx, const struct tk_verifier_history_row *row)
{
	size_t *n = ctx;

	assert_true(row->ear.len > 0);
	(*n)++;
	return TK_OK;
}

/*
 * Every result is in the history, up to its maximum; re-enrolling a key
 * for another UEID is refused.
 */
static void test_history_and_enrollment(void **state)
{
	struct fixture *f = *state;
	struct tk_verifier_attest_key rec;
	uint64_t count = 0;
	size_t listed = 0;
	struct tk_diag diag;

	test_in_process(state);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "results", &count, NULL), TK_OK);
	assert_int_equal(count, 2);
	assert_int_equal(tk_verifier_sqlite_result_each(f->db, 10, count_row, &listed, NULL),
			 TK_OK);
	assert_int_equal(listed, 2);

	/* With a maximum of 3 rows, three more appraisals push the first out. */
	tk_verifier_sqlite_set_max_results(f->db, 3);
	test_in_process(state);
	test_in_process(state);
	assert_int_equal(tk_verifier_sqlite_count(f->db, "results", &count, NULL), TK_OK);
	assert_int_equal(count, 3);

	tk_diag_clear(&diag);
	assert_int_equal(f->ops.key_get(f->ops.ctx, tk_span_make(f->agent_kid, 32), &rec, &diag),
			 TK_OK);
	assert_int_equal(tk_verifier_sqlite_key_add(f->db, &rec, NOW, NULL), TK_OK);
	rec.ueid[3] ^= 0xff;
	tk_diag_clear(&diag);
	check_err("same key for another UEID", TK_ERR_EXISTS,
		  tk_verifier_sqlite_key_add(f->db, &rec, NOW, &diag), &diag);
}

/*
 * The largest evidence (64 manifests with long URIs, near the 16 KiB
 * limit) gives a JWT and a CWT within TK_VERIFIER_RESULT_MAX.
 */
static void test_largest_evidence(void **state)
{
	struct fixture *f = *state;
	static struct tk_eat_claims claims;
	static uint8_t refs[TK_EAT_MAX_MANIFESTS][256], evidence[TK_EAT_MAX_SIZE];
	static uint8_t ear[TK_VERIFIER_RESULT_MAX];
	static const enum tk_verifier_format formats[2] = {TK_VERIFIER_EAR_CWT,
							    TK_VERIFIER_EAR_JWT};
	char uri[192];
	uint8_t nonce[32];
	size_t len = 0;

	memset(nonce, 0x61, sizeof(nonce));
	memset(&claims, 0, sizeof(claims));
	for (size_t i = 0; i < TK_EAT_MAX_MANIFESTS; i++) {
		struct tk_eat_suit_reference r = {0};
		size_t ref_len = 0;

		memset(uri, 'u', sizeof(uri));
		snprintf(uri, sizeof(uri), "https://tam.example/%02zu/", i);
		uri[strlen(uri)] = 'u';
		r.uri = tk_span_make(uri, 180);
		r.digest_alg = TK_EAT_DIGEST_SHA256;
		r.digest = tk_span_make(ta_digest, 32);
		assert_int_equal(tk_eat_encode_suit_reference(&r, refs[i], sizeof(refs[i]), &ref_len,
							      NULL), TK_OK);
		claims.manifests[i].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
		claims.manifests[i].body = tk_span_make(refs[i], ref_len);
	}
	claims.manifest_count = TK_EAT_MAX_MANIFESTS;
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS;
	claims.nonce = tk_span_make(nonce, sizeof(nonce));
	claims.ueid = tk_span_make(f->ueid, sizeof(f->ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("teepkit-sim", 11);
	claims.hwversion = tk_span_make("1.0.0", 5);
	assert_int_equal(tk_eat_sign(f->c, f->agent_key, &claims, evidence, sizeof(evidence), &len,
				     NULL), TK_OK);
	assert_true(len > 14000);

	for (size_t i = 0; i < 2; i++) {
		struct tk_verifier_request req = {0};
		struct tk_verifier_result res;
		struct tk_diag diag;

		req.nonce = tk_span_make(nonce, sizeof(nonce));
		req.evidence = tk_span_make(evidence, len);
		req.format = formats[i];
		tk_diag_clear(&diag);
		check_err(i == 0 ? "largest evidence, CWT" : "largest evidence, JWT", TK_OK,
			  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res,
					       &diag), &diag);
		print_message("evidence %zu bytes, result %zu bytes\n", len, res.ear_len);
		assert_int_equal(res.status, TK_VERIFIER_TIER_WARNING);
		assert_true(res.ear_len <= TK_VERIFIER_RESULT_MAX);
	}
}

/* An agent with an Ed25519 key (Ed25519 COSE algorithm) is appraised too. */
static void test_ed25519_agent(void **state)
{
	struct fixture *f = *state;
	static uint8_t evidence[4096], ear[TK_VERIFIER_RESULT_MAX];
	struct tk_verifier_attest_key rec = {0};
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	const struct variant good = {0};
	struct tk_crypto_key *p256 = f->agent_key;
	uint8_t challenge[16];
	struct tk_diag diag;

	/* make_evidence signs with agent_key: point it at the Ed25519 key. */
	f->agent_key = f->stranger;
	assert_int_equal(tk_cose_key_thumbprint_crypto(f->c, f->stranger, rec.kid, NULL), TK_OK);
	memcpy(rec.ueid, f->ueid, sizeof(f->ueid));
	rec.ueid_len = sizeof(f->ueid);
	assert_int_equal(tk_cose_key_encode_public(f->stranger, TK_SPAN_EMPTY,
						   TK_COSE_ALG_ED25519, rec.cose_key,
						   sizeof(rec.cose_key), &rec.cose_key_len, NULL),
			 TK_OK);
	assert_int_equal(tk_verifier_sqlite_key_add(f->db, &rec, NOW, NULL), TK_OK);

	memset(challenge, 0x17, sizeof(challenge));
	req.nonce = tk_span_make(challenge, sizeof(challenge));
	req.evidence = tk_span_make(evidence, make_evidence(f, &good, req.nonce, evidence,
							    sizeof(evidence)));
	f->agent_key = p256;
	tk_diag_clear(&diag);
	check_err("Ed25519 evidence", TK_OK,
		  tk_verifier_appraise(&f->verifier, NOW, &req, ear, sizeof(ear), &res, &diag),
		  &diag);
	assert_int_equal(res.status, TK_VERIFIER_TIER_AFFIRMING);
	assert_memory_equal(res.cnf_kid, rec.kid, sizeof(rec.kid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_appraisal_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_single_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_expiry_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_and_enrollment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_largest_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ed25519_agent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
