/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cost of one appraisal by the verifier library, against a baseline
 * measured in the same run: ECDSA P-256 signatures and verifications per
 * second through the crypto layer (an appraisal verifies the evidence and
 * signs the EAR, so these bound it).
 *
 * Usage: bench_verifier [ROUNDS]   (default 2000)
 *
 * Modes timed, each over ROUNDS appraisals of the same good evidence of a
 * simulated TEE (one agent reference and one TA measurement, both matched
 * against reference values in SQLite):
 *   in-process   no session, no history: what a TAM pays per QueryResponse
 *   history      the same, plus one results row per appraisal
 *   session      new session and appraisal with history, as teep-verifier
 *                does per request (HTTP not included)
 * The database is in a temporary folder under /tmp; SQLite commits with
 * synchronous=FULL, so the last two modes depend on the disk's fsync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "verifier/tk_verifier.h"
#include "verifier/tk_verifier_sqlite.h"

#define DEFAULT_ROUNDS 2000

static const char agent_uri[] = "urn:teepkit:teep-agent:0.1.0";
static const uint8_t agent_digest[32] = {0x11};
static const uint8_t ta_component[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t ta_digest[32] = {0xaa};
static const uint8_t ueid[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
static const uint8_t oemid[3] = {0x89, 0x48, 0x23};

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(tk_err err, const struct tk_diag *diag, const char *what)
{
	char text[TK_DIAG_MSG_MAX + 128];

	if (err == TK_OK)
		return;
	tk_diag_format(diag, text, sizeof(text));
	fprintf(stderr, "bench_verifier: %s: %s\n", what, text);
	exit(1);
}

/* Baseline: signatures and verifications per second over 64 bytes. */
static void baseline(const struct tk_crypto_key *key, unsigned rounds, double *sign_rate,
		     double *verify_rate)
{
	uint8_t data[64] = {0}, sig[TK_CRYPTO_SIG_MAX];
	struct tk_span part = tk_span_make(data, sizeof(data));
	size_t sig_len = 0;
	struct tk_diag diag;
	double start;

	tk_diag_clear(&diag);
	start = seconds();
	for (unsigned i = 0; i < rounds; i++)
		check(tk_crypto_sign(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, &sig_len,
				     &diag), &diag, "sign");
	*sign_rate = rounds / (seconds() - start);
	start = seconds();
	for (unsigned i = 0; i < rounds; i++)
		check(tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, sig_len,
				       &diag), &diag, "verify");
	*verify_rate = rounds / (seconds() - start);
}

/* Enroll the agent key and add the two reference values. */
static void fill_store(struct tk_verifier_sqlite *db, const struct tk_crypto_key *agent)
{
	struct tk_verifier_attest_key rec = {0};
	struct tk_verifier_refval rv = {0};
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), agent, rec.kid, &diag), &diag,
	      "thumbprint");
	memcpy(rec.ueid, ueid, sizeof(ueid));
	rec.ueid_len = sizeof(ueid);
	check(tk_cose_key_encode_public(agent, TK_SPAN_EMPTY, TK_COSE_ALG_ESP256, rec.cose_key,
					sizeof(rec.cose_key), &rec.cose_key_len, &diag), &diag,
	      "COSE_Key");
	check(tk_verifier_sqlite_key_add(db, &rec, 0, &diag), &diag, "enroll");
	rv.digest_alg = TK_EAT_DIGEST_SHA256;
	rv.digest_len = 32;
	memcpy(rv.component, agent_uri, strlen(agent_uri));
	rv.component_len = strlen(agent_uri);
	memcpy(rv.digest, agent_digest, 32);
	check(tk_verifier_sqlite_refval_add(db, &rv, "bench", 0, &diag), &diag, "refval");
	memcpy(rv.component, ta_component, sizeof(ta_component));
	rv.component_len = sizeof(ta_component);
	memcpy(rv.digest, ta_digest, 32);
	check(tk_verifier_sqlite_refval_add(db, &rv, "bench", 0, &diag), &diag, "refval");
}

/* Good evidence for nonce; returns its length. */
static size_t make_evidence(const struct tk_crypto_key *agent, struct tk_span nonce,
			    uint8_t *out, size_t cap)
{
	static struct tk_eat_claims claims;
	static uint8_t ref[128], meas[128];
	struct tk_eat_suit_reference r = {0};
	struct tk_eat_measured_component mc = {0};
	size_t ref_len = 0, meas_len = 0, len = 0;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	r.uri = tk_span_make(agent_uri, strlen(agent_uri));
	r.digest_alg = TK_EAT_DIGEST_SHA256;
	r.digest = tk_span_make(agent_digest, 32);
	check(tk_eat_encode_suit_reference(&r, ref, sizeof(ref), &ref_len, &diag), &diag, "ref");
	mc.component_id = tk_span_make(ta_component, sizeof(ta_component));
	mc.digest_alg = TK_EAT_DIGEST_SHA256;
	mc.digest = tk_span_make(ta_digest, 32);
	check(tk_eat_encode_measured_component(&mc, meas, sizeof(meas), &meas_len, &diag), &diag,
	      "measurement");
	memset(&claims, 0, sizeof(claims));
	claims.present = TK_EAT_HAS_NONCE | TK_EAT_HAS_UEID | TK_EAT_HAS_OEMID |
			 TK_EAT_HAS_HWMODEL | TK_EAT_HAS_HWVERSION | TK_EAT_HAS_MANIFESTS |
			 TK_EAT_HAS_MEASUREMENTS;
	claims.nonce = nonce;
	claims.ueid = tk_span_make(ueid, sizeof(ueid));
	claims.oemid = tk_span_make(oemid, sizeof(oemid));
	claims.hwmodel = tk_span_make("teepkit-sim", 11);
	claims.hwversion = tk_span_make("1.0.0", 5);
	claims.manifests[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.manifests[0].body = tk_span_make(ref, ref_len);
	claims.manifest_count = 1;
	claims.measurements[0].content_type = TK_EAT_CONTENT_FORMAT_CBOR;
	claims.measurements[0].body = tk_span_make(meas, meas_len);
	claims.measurement_count = 1;
	check(tk_eat_sign(tk_crypto_openssl(), agent, &claims, out, cap, &len, &diag), &diag,
	      "evidence");
	return len;
}

/* Appraisals per second in one mode. */
static double run_mode(struct tk_verifier *v, const struct tk_crypto_key *agent,
		       bool with_session, unsigned rounds)
{
	static uint8_t evidence[4096], ear[TK_VERIFIER_RESULT_MAX];
	uint8_t challenge[32];
	struct tk_verifier_request req = {0};
	struct tk_verifier_result res;
	struct tk_verifier_session s;
	struct tk_diag diag;
	double start, elapsed = 0;

	memset(challenge, 0x42, sizeof(challenge));
	req.nonce = tk_span_make(challenge, sizeof(challenge));
	req.evidence = tk_span_make(evidence, make_evidence(agent, req.nonce, evidence,
							    sizeof(evidence)));
	for (unsigned i = 0; i < rounds; i++) {
		tk_diag_clear(&diag);
		if (with_session) {
			/* Session evidence is signed outside the timed part, as the
			 * agent signs it, not the verifier. */
			start = seconds();
			check(tk_verifier_new_session(v, (int64_t)time(NULL), &s, &diag), &diag,
			      "session");
			elapsed += seconds() - start;
			req.has_session = true;
			memcpy(req.session_id, s.id, sizeof(s.id));
			req.evidence = tk_span_make(evidence, make_evidence(agent,
					tk_span_make(s.nonce, sizeof(s.nonce)), evidence,
					sizeof(evidence)));
		}
		start = seconds();
		check(tk_verifier_appraise(v, (int64_t)time(NULL), &req, ear, sizeof(ear), &res,
					   &diag), &diag, "appraise");
		elapsed += seconds() - start;
		if (res.status != TK_VERIFIER_TIER_AFFIRMING) {
			fprintf(stderr, "bench_verifier: status %s: %s\n",
				tk_verifier_tier_name(res.status), res.reason);
			exit(1);
		}
	}
	return rounds / elapsed;
}

int main(int argc, char **argv)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : DEFAULT_ROUNDS;
	char dir[] = "/tmp/tk-bench-verifier-XXXXXX", path[64];
	struct tk_crypto_key *verifier_key = NULL, *agent = NULL;
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	struct tk_verifier_config cfg = {0};
	struct tk_verifier v;
	double sign_rate, verify_rate, rates[3];
	struct tk_diag diag;
	static const char *const names[3] = {"in-process", "history", "session"};

	if (rounds == 0)
		rounds = DEFAULT_ROUNDS;
	tk_diag_clear(&diag);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/v.db", dir);
	check(tk_verifier_sqlite_open(path, true, &db, &ops, &diag), &diag, "open");
	check(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &verifier_key, &diag), &diag, "key");
	check(tk_crypto_key_generate(c, TK_CRYPTO_KEY_P256, &agent, &diag), &diag, "key");
	fill_store(db, agent);
	baseline(agent, rounds, &sign_rate, &verify_rate);

	cfg.crypto = c;
	cfg.store = &ops;
	cfg.signing_key = verifier_key;
	cfg.max_sessions = rounds + 1;
	for (int mode = 0; mode < 3; mode++) {
		cfg.keep_history = mode > 0;
		check(tk_verifier_init(&v, &cfg, &diag), &diag, "init");
		rates[mode] = run_mode(&v, agent, mode == 2, rounds);
	}

	printf("rounds: %u\n", rounds);
	printf("baseline ECDSA P-256: %.0f signatures/s, %.0f verifications/s\n", sign_rate,
	       verify_rate);
	for (int mode = 0; mode < 3; mode++)
		printf("%-10s %8.0f appraisals/s  %7.1f us each  %.2f x verify rate\n",
		       names[mode], rates[mode], 1e6 / rates[mode], rates[mode] / verify_rate);

	tk_verifier_sqlite_close(db);
	tk_crypto_key_free(verifier_key);
	tk_crypto_key_free(agent);
	for (const char *suffix = "";; suffix = suffix[0] == '\0' ? "-wal" : "-shm") {
		char file[80];

		snprintf(file, sizeof(file), "%s%s", path, suffix);
		unlink(file);
		if (strcmp(suffix, "-shm") == 0)
			break;
	}
	rmdir(dir);
	return 0;
}
