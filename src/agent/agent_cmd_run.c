/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent run: one policy check against a TAM, with the agent state
 * machine on the TEE backend and the HTTP client as transport.
 */
#include "agent/agent_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_attest.h"
#include "agent/tk_agent_boot.h"
#include "agent/tk_agent_report.h"
#include "agent/tk_agent_tee.h"
#include "cbor/tk_cbor.h"
#include "http/tk_http_client.h"
#include "teep/tk_teep_agent.h"

/* Maximum --timeout, in seconds. */
#define MAX_TIMEOUT_S 3600

/*
 * Device claims of the simulated TEE for the evidence. The OEM ID is a
 * fixed 16-byte random value naming teepkit's simulator (RFC 9711 section
 * 4.2.3.1 allows random OEM IDs). A real backend reports its own.
 */
static const uint8_t sim_oemid[16] = {
	0x5d, 0x1c, 0x3e, 0x9a, 0x42, 0x7b, 0x4f, 0x10,
	0x8e, 0x66, 0x0a, 0xd3, 0x71, 0x2c, 0xb5, 0x94,
};
static const char sim_hwmodel[] = "teepkit-sim";
static const char sim_hwversion[] = "1.0";
static const char agent_uri[] = "urn:teepkit:teep-agent:" PROGRAM_VERSION;

/* SHA-256 of this program's executable, for the manifests claim. */
static tk_err hash_self(uint8_t out[TK_CRYPTO_SHA256_LEN], struct tk_diag *diag)
{
	struct tk_crypto_hash_ctx h = {0};
	uint8_t chunk[16384];
	size_t n;
	FILE *f;
	tk_err err;

	f = fopen("/proc/self/exe", "rb");
	if (f == NULL)
		return TK_FAIL(diag, TK_ERR_IO, "open /proc/self/exe failed: %s", strerror(errno));
	err = tk_crypto_sha256_init(tk_crypto_openssl(), &h, diag);
	while (err == TK_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = tk_crypto_sha256_update(&h, chunk, n, diag);
	if (err == TK_OK && ferror(f))
		err = TK_FAIL(diag, TK_ERR_IO, "read of /proc/self/exe failed");
	fclose(f);
	if (err != TK_OK) {
		tk_crypto_sha256_abort(&h);
		return err;
	}
	return tk_crypto_sha256_final(&h, out, diag);
}

/* Everything cmd_run owns, released in one place. */
struct run_state {
	struct tk_crypto_key *tam_keys[MAX_VALUES];
	struct tk_crypto_key *anchors[MAX_VALUES];
	uint8_t requested_ids[MAX_VALUES][MAX_ID_LEN];
	struct tk_span requested[MAX_VALUES];
	struct tk_tee tee;
	struct tk_http_client *client;
	struct tk_crypto_key *tam_encryption_key;
	struct tk_agent_report *report;
	struct tk_agent_boot boot;
	uint8_t *buf;
	uint8_t *reply;
	uint8_t *work;
};

static void run_state_free(struct run_state *rs)
{
	for (size_t i = 0; i < MAX_VALUES; i++) {
		tk_crypto_key_free(rs->tam_keys[i]);
		tk_crypto_key_free(rs->anchors[i]);
	}
	tk_crypto_key_free(rs->tam_encryption_key);
	free(rs->report);
	tk_agent_boot_free(&rs->boot);
	tk_tee_close(&rs->tee);
	tk_http_client_free(rs->client);
	free(rs->buf);
	free(rs->reply);
	free(rs->work);
}

/* Parse a decimal option value in 1..max. */
static bool parse_size(const char *text, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v == 0 || v > max || text[0] == '-')
		return false;
	*out = v;
	return true;
}

/* Load keys and ids named on the command line; returns an exit code. */
static int load_run_inputs(const struct command *cmd, const struct args *args,
			   struct run_state *rs, struct tk_agent_tee *glue)
{
	struct tk_diag diag;
	size_t len = 0;
	tk_err err;

	for (size_t i = 0; i < args->count[RUN_TAM_KEY]; i++) {
		tk_diag_clear(&diag);
		err = agent_load_public_key(args->values[RUN_TAM_KEY][i], &rs->tam_keys[i], &diag);
		if (err != TK_OK)
			return agent_fail("cannot load TAM key", args->values[RUN_TAM_KEY][i], err, &diag);
	}
	for (size_t i = 0; i < args->count[RUN_ANCHOR]; i++) {
		tk_diag_clear(&diag);
		err = agent_load_public_key(args->values[RUN_ANCHOR][i], &rs->anchors[i], &diag);
		if (err != TK_OK)
			return agent_fail("cannot load trust anchor", args->values[RUN_ANCHOR][i], err,
				    &diag);
	}
	for (size_t i = 0; i < args->count[RUN_REQUEST]; i++) {
		const char *hex = args->values[RUN_REQUEST][i];

		if (!agent_parse_hex(hex, rs->requested_ids[i], MAX_ID_LEN, &len) ||
		    tk_cbor_check(rs->requested_ids[i], len, TK_CBOR_STRICT, NULL) != TK_OK ||
		    rs->requested_ids[i][0] < 0x81 || rs->requested_ids[i][0] > 0x9f)
			return agent_usage_error(cmd, "invalid value for --request: %s (expected the "
					   "hex of a CBOR component id array)", hex);
		rs->requested[i] = tk_span_make(rs->requested_ids[i], len);
	}
	if (args->count[RUN_VENDOR] > 0) {
		if (!agent_parse_uuid(args->values[RUN_VENDOR][0], glue->vendor_id))
			return agent_usage_error(cmd, "invalid value for --vendor-id: %s (expected a UUID)",
					   args->values[RUN_VENDOR][0]);
		glue->has_vendor_id = true;
	}
	if (args->count[RUN_CLASS] > 0) {
		if (!agent_parse_uuid(args->values[RUN_CLASS][0], glue->class_id))
			return agent_usage_error(cmd, "invalid value for --class-id: %s (expected a UUID)",
					   args->values[RUN_CLASS][0]);
		glue->has_class_id = true;
	}
	if (args->count[RUN_TAM_ENCRYPTION_KEY] > 0) {
		const char *path = args->values[RUN_TAM_ENCRYPTION_KEY][0];

		tk_diag_clear(&diag);
		err = agent_load_public_key(path, &rs->tam_encryption_key, &diag);
		if (err == TK_OK && tk_crypto_key_type(rs->tam_encryption_key) != TK_CRYPTO_KEY_P256)
			err = TK_FAIL(&diag, TK_ERR_KEY, "not a P-256 key, which ECDH-ES+A128KW "
				      "needs");
		if (err != TK_OK)
			return agent_fail("cannot load the TAM encryption key", path, err, &diag);
	}
	return EXIT_OK;
}

static const char *manifests_word(unsigned count)
{
	return count == 1 ? "manifest" : "manifests";
}

/*
 * Print how a session that ended without an error went. The HTTP binding
 * uses 204 both for "nothing is due" and for "the TAM dropped the
 * message", so the line for a session without an Update names both causes.
 */
static void print_session_result(const struct tk_teep_agent *agent, const char *tam,
				 bool result_kept)
{
	if (result_kept)
		printf("attestation result from %s kept; teep-agent show-result prints it\n",
		       tam);
	if (agent->last_sent == TK_TEEP_AGENT_SENT_NONE) {
		printf("session with %s ended: 0 manifests installed, because the TAM sent no "
		       "QueryRequest (its log says why)\n", tam);
		return;
	}
	if (agent->last_sent != TK_TEEP_AGENT_SENT_SUCCESS) {
		printf("session with %s ended: 0 manifests installed, because the TAM sent no "
		       "Update. Either nothing is due, or the TAM dropped the QueryResponse (its "
		       "log says why)\n", tam);
		return;
	}
	printf("session with %s ended: %u %s installed, %u %s unlinked\n", tam, agent->installed,
	       manifests_word(agent->installed), agent->unlinked, manifests_word(agent->unlinked));
}

int agent_cmd_run(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *tam = args->values[RUN_TAM][0];
	char shown_tam[TK_HTTP_CLIENT_SHOWN_URI_CAP]; /* tam without its password */
	struct run_state rs;
	struct tk_agent_tee glue;
	struct tk_http_client_config http;
	struct tk_teep_agent_config cfg;
	struct tk_teep_agent agent;
	struct tk_transport_ops transport;
	struct agent_attest attest = {.state_dir = state};
	struct tk_teep_agent_attest_ops attest_ops;
	unsigned long long value = 0;
	struct tk_diag diag;
	size_t max_body;
	int rc;
	tk_err err;

	tk_http_uri_redact(tam, shown_tam);
	memset(&rs, 0, sizeof(rs));
	memset(&glue, 0, sizeof(glue));
	memset(&http, 0, sizeof(http));
	memset(&cfg, 0, sizeof(cfg));
	tk_diag_clear(&diag);

	http.uri = tam;
	http.log = &agent_log;
	if (args->count[RUN_CA] > 0)
		http.ca_file = args->values[RUN_CA][0];
	if (args->count[RUN_MAX_BODY] > 0) {
		if (!parse_size(args->values[RUN_MAX_BODY][0], TK_SUIT_MAX_ENVELOPE_SIZE, &value))
			return agent_usage_error(cmd, "invalid value for --max-body: %s (expected 1..%u bytes)",
					   args->values[RUN_MAX_BODY][0],
					   (unsigned)TK_SUIT_MAX_ENVELOPE_SIZE);
		http.max_body = (size_t)value;
	}
	if (args->count[RUN_TIMEOUT] > 0) {
		if (!parse_size(args->values[RUN_TIMEOUT][0], MAX_TIMEOUT_S, &value))
			return agent_usage_error(cmd, "invalid value for --timeout: %s (expected 1..%d seconds)",
					   args->values[RUN_TIMEOUT][0], MAX_TIMEOUT_S);
		http.timeout_ms = (long)value * 1000;
	}
	max_body = http.max_body != 0 ? http.max_body : TK_HTTP_CLIENT_DEFAULT_MAX_BODY;

	rc = load_run_inputs(cmd, args, &rs, &glue);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	err = agent_open_tee(args, false, 0, &rs.tee, &diag);
	if (err != TK_OK) {
		rc = agent_fail("cannot open the TEE state", state, err, &diag);
		goto out;
	}
	err = tk_http_client_new(&http, &rs.client, &diag);
	if (err != TK_OK) {
		rc = agent_fail("invalid TAM URI", shown_tam, err, &diag);
		goto out;
	}
	rs.buf = malloc(max_body);
	rs.reply = malloc(max_body);
	rs.work = malloc(max_body);
	if (rs.buf == NULL || rs.reply == NULL || rs.work == NULL) {
		(void)TK_FAIL(&diag, TK_ERR_NOMEM, "3 buffers of %zu bytes (--max-body)", max_body);
		rc = agent_fail("cannot allocate session buffers", shown_tam, TK_ERR_NOMEM, &diag);
		goto out;
	}

	glue.tee = &rs.tee;
	glue.crypto = tk_crypto_openssl();
	glue.trust_anchors = (const struct tk_crypto_key *const *)rs.anchors;
	glue.n_trust_anchors = args->count[RUN_ANCHOR];
	glue.fetch = http;
	glue.log = &agent_log;

	/* SUIT reports of the manifests this session processes. */
	rs.report = calloc(1, sizeof(*rs.report));
	if (rs.report == NULL) {
		(void)TK_FAIL(&diag, TK_ERR_NOMEM, "SUIT report state");
		rc = agent_fail("cannot allocate session buffers", shown_tam, TK_ERR_NOMEM, &diag);
		goto out;
	}
	rs.report->tee = &rs.tee;
	rs.report->crypto = tk_crypto_openssl();
	rs.report->tam_key = rs.tam_encryption_key;
	rs.report->log = &agent_log;
	glue.report = rs.report;

	/* Boot reports of earlier loads, for the QueryResponse. One that cannot
	   be read must not stop policy checks; newer loads rotate it out. */
	if (tk_agent_boot_read(&rs.boot, state, &diag) == TK_OK) {
		rs.report->boot = &rs.boot;
	} else {
		tk_log(&agent_log, TK_LOG_WARNING, "agent", "boot SUIT reports not sent: %s",
		       diag.msg);
		tk_diag_clear(&diag);
	}

	cfg.crypto = tk_crypto_openssl();
	for (size_t i = 0; i < args->count[RUN_TAM_KEY]; i++)
		cfg.tam_keys[i] = rs.tam_keys[i];
	cfg.n_tam_keys = args->count[RUN_TAM_KEY];
	cfg.tee = tk_agent_tee_ops(&glue);
	cfg.tee.boot_report = tk_agent_boot_report_write;
	cfg.device.oemid = tk_span_make(sim_oemid, sizeof(sim_oemid));
	cfg.device.hwmodel = tk_span_make(sim_hwmodel, strlen(sim_hwmodel));
	cfg.device.hwversion = sim_hwversion;
	cfg.device.agent_uri = agent_uri;
	cfg.requested = rs.requested;
	cfg.n_requested = args->count[RUN_REQUEST];
	cfg.work = rs.work;
	cfg.work_cap = max_body;
	cfg.tam_uri = shown_tam;
	cfg.log = &agent_log;
	cfg.tam_encryption_key = rs.tam_encryption_key;
	if (args->count[RUN_VERIFIER] > 0) {
		attest.verifier_uri = args->values[RUN_VERIFIER][0];
		attest.ca_file = http.ca_file;
	}
	attest_ops = agent_attest_ops(&attest);
	cfg.attest = &attest_ops;
	attest.tee = &rs.tee;
	err = hash_self(cfg.device.agent_digest, &diag);
	if (err == TK_OK)
		err = tk_teep_agent_init(&agent, &cfg, &diag);
	if (err != TK_OK) {
		rc = agent_fail("cannot start the agent", state, err, &diag);
		goto out;
	}

	transport = tk_http_client_transport(rs.client);
	err = tk_teep_agent_run(&agent, &transport, rs.buf, max_body, rs.reply, max_body, &diag);
	if (err != TK_OK) {
		rc = agent_fail("policy check failed", shown_tam, err, &diag);
		goto out;
	}
	print_session_result(&agent, shown_tam, attest.saved);

	/* The TAM has the boot reports it was sent; the next session sends
	   only newer ones. */
	if (tk_agent_boot_remove_sent(&rs.boot, &diag) != TK_OK)
		tk_log(&agent_log, TK_LOG_WARNING, "agent", "sent boot SUIT reports not removed: %s",
		       diag.msg);
	rc = EXIT_OK;
out:
	run_state_free(&rs);
	return rc;
}

