/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent installs a payload fetched by URI end to end. A manifest built
 * with the SUIT builder names a payload of many megabytes on a loopback
 * server. The agent's process_manifest hook runs the SUIT processor, whose
 * fetch streams through tk_agent_fetch() into the simulated TEE's staging,
 * and the installed component must have the payload's size and digest. Then the
 * failures: a payload that does not match its digest and a missing one
 * install nothing, and the progress log lines. Peak memory is measured by
 * bench/bench_suit, not here.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/tk_agent_fetch.h"
#include "agent/tk_agent_tee.h"
#include "crypto/tk_crypto.h"
#include "pattern_server.h"
#include "suit/tk_suit_build.h"
#include "tee/tk_tee.h"

/* Payload size: many fetch chunks, still quick on a shared machine. */
#define PAYLOAD_SIZE (16u * 1024u * 1024u + 5u)

/* [h'00'] and ['m1']: the component and the manifest component id. */
static const uint8_t component_id[] = {0x81, 0x41, 0x00};
static const uint8_t manifest_id[] = {0x81, 0x42, 0x6d, 0x31};

struct fixture {
	char dir[64];
	struct tk_tee tee;
	struct tk_crypto_key *signer;
	struct tk_agent_tee glue;
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_tee_sim_config sim;
	struct tk_crypto_hash_ctx h;
	uint8_t chunk[4096];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-agent-fetch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = f->dir;
	sim.create = true;
	sim.create_alg = -9;
	assert_int_equal(tk_tee_sim_open(&sim, &f->tee, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						&f->signer, NULL), TK_OK);

	/* SHA-256 of the payload the server generates. */
	assert_int_equal(tk_crypto_sha256_init(tk_crypto_openssl(), &h, NULL), TK_OK);
	for (uint64_t done = 0; done < PAYLOAD_SIZE; done += sizeof(chunk)) {
		size_t len = PAYLOAD_SIZE - done < sizeof(chunk) ? (size_t)(PAYLOAD_SIZE - done)
								 : sizeof(chunk);

		for (size_t i = 0; i < len; i++)
			chunk[i] = pattern_byte(done + i);
		assert_int_equal(tk_crypto_sha256_update(&h, chunk, len, NULL), TK_OK);
	}
	assert_int_equal(tk_crypto_sha256_final(&h, f->digest, NULL), TK_OK);

	f->glue.tee = &f->tee;
	f->glue.crypto = tk_crypto_openssl();
	f->glue.trust_anchors = (const struct tk_crypto_key *const *)&f->signer;
	f->glue.n_trust_anchors = 1;
	f->glue.staging_size = 2 * PAYLOAD_SIZE;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	tk_tee_close(&f->tee);
	tk_crypto_key_free(f->signer);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A manifest that fetches PAYLOAD_SIZE bytes from `uri` and checks them. */
static size_t build_manifest(struct fixture *f, const char *uri, uint64_t sequence,
			     uint8_t *out, size_t cap)
{
	struct tk_suit_build_param shared_params[2] = {
		{3, {TK_SUIT_VALUE_DIGEST, 0, -16, false, {f->digest, sizeof(f->digest)}}},
		{14, {TK_SUIT_VALUE_UINT, PAYLOAD_SIZE, 0, false, {NULL, 0}}},
	};
	struct tk_suit_build_param uri_param = {
		21, {TK_SUIT_VALUE_TSTR, 0, 0, false, {(const uint8_t *)uri, strlen(uri)}}};
	struct tk_suit_build_command shared[1], install[3];
	struct tk_suit_build_section section;
	struct tk_suit_build_signer signer = {f->signer, 0, {NULL, 0}};
	struct tk_span components[1] = {{component_id, sizeof(component_id)}};
	struct tk_suit_build_desc desc;
	size_t len = 0;

	memset(shared, 0, sizeof(shared));
	memset(install, 0, sizeof(install));
	shared[0] = (struct tk_suit_build_command){.command = 20, .kind = TK_SUIT_ARG_PARAMS,
						   .params = shared_params, .param_count = 2};
	install[0] = (struct tk_suit_build_command){.command = 20, .kind = TK_SUIT_ARG_PARAMS,
						    .params = &uri_param, .param_count = 1};
	install[1] = (struct tk_suit_build_command){.command = 21, .kind = TK_SUIT_ARG_UINT,
						    .uint = 15};
	install[2] = (struct tk_suit_build_command){.command = 3, .kind = TK_SUIT_ARG_UINT,
						    .uint = 15};
	section = (struct tk_suit_build_section){20, {install, 3}, false};
	memset(&desc, 0, sizeof(desc));
	desc.manifest_version = 1;
	desc.sequence_number = sequence;
	desc.components = components;
	desc.component_count = 1;
	desc.has_shared_sequence = true;
	desc.shared_sequence = (struct tk_suit_build_sequence){shared, 1};
	desc.manifest_component_id = tk_span_make(manifest_id, sizeof(manifest_id));
	desc.sections = &section;
	desc.section_count = 1;
	desc.signers = &signer;
	desc.signer_count = 1;
	assert_int_equal(tk_suit_build(&desc, tk_crypto_openssl(), out, cap, &len, NULL), TK_OK);
	return len;
}

/* Serve the payload (bytes XORed with `flip`, status `status`) and install. */
static tk_err install(struct fixture *f, int status, uint8_t flip, uint64_t sequence,
		      struct tk_diag *diag)
{
	struct tk_teep_agent_tee_ops ops = tk_agent_tee_ops(&f->glue);
	struct tk_teep_agent_manifest_name name;
	struct pattern_server s = {0};
	uint8_t env[2048];
	char uri[64];
	size_t len;
	tk_err err;

	s.flip = flip;
	pattern_server_start(&s, status, PAYLOAD_SIZE, true);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload.bin", s.port);
	len = build_manifest(f, uri, sequence, env, sizeof(env));
	memset(&name, 0, sizeof(name));
	tk_diag_clear(diag);
	err = ops.process_manifest(ops.ctx, env, len, &name, diag);
	pattern_server_stop(&s);
	return err;
}

static void test_install_streamed_payload(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_object_info info;
	struct tk_diag diag;
	tk_err err = install(f, 200, 0, 1, &diag);

	if (err != TK_OK)
		print_error("install: %s: %s\n", tk_err_name(err), diag.msg);
	assert_int_equal(err, TK_OK);
	assert_int_equal(tk_tee_component_info(&f->tee, component_id, sizeof(component_id), &info,
					       &diag), TK_OK);
	assert_int_equal(info.size, PAYLOAD_SIZE);
	assert_memory_equal(info.digest, f->digest, sizeof(f->digest));
}

static void test_failed_fetch_installs_nothing(void **state)
{
	static const struct {
		const char *description;
		int status;
		uint8_t flip;
		tk_err expected;
	} rows[] = {
		{"payload that does not match its digest", 200, 0x5a, TK_ERR_DIGEST_MISMATCH},
		{"missing payload", 404, 0, TK_ERR_HTTP_STATUS},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tk_tee_object_info info;
		struct tk_diag diag;
		tk_err err = install(f, rows[i].status, rows[i].flip, 1, &diag);

		if (err != rows[i].expected)
			print_error("%s: %s, expected %s: %s\n", rows[i].description,
				    tk_err_name(err), tk_err_name(rows[i].expected), diag.msg);
		assert_int_equal(err, rows[i].expected);
		assert_int_equal(tk_tee_component_info(&f->tee, component_id, sizeof(component_id),
						       &info, &diag), TK_ERR_NOT_FOUND);
	}
}

/* Log lines captured from tk_agent_fetch(). */
struct captured {
	size_t percent_lines;   /* "fetch URI: N% (...)" */
	size_t received_lines;  /* "fetch URI: N MiB received" */
	size_t done_lines;      /* "fetched URI: ..." */
	char last_percent[160];
};

static void capture(void *ctx, enum tk_log_level level, const char *component,
		    const char *line)
{
	struct captured *c = ctx;

	(void)level, (void)component;
	if (strncmp(line, "fetched ", 8) == 0) {
		c->done_lines++;
	} else if (strstr(line, "MiB received") != NULL) {
		c->received_lines++;
	} else if (strchr(line, '%') != NULL) {
		c->percent_lines++;
		snprintf(c->last_percent, sizeof(c->last_percent), "%s", line);
	}
}

static tk_err count_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	(void)chunk, (void)diag;
	*(uint64_t *)ctx += len;
	return TK_OK;
}

/* Progress without a terminal: a log line per 10%, or per 64 MiB without a
 * Content-Length, and one line at the end. */
static void test_progress_log_lines(void **state)
{
	static const struct {
		bool content_length;
		size_t percent_lines;
		size_t received_lines;
	} rows[] = {
		{true, 11, 0},  /* 0%, 10%, ..., 100% */
		{false, 0, 1},  /* once past 4 MiB, next at 64 MiB */
	};

	(void)state;
	if (isatty(STDERR_FILENO))
		skip(); /* progress then goes to the terminal line */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct captured c = {0};
		struct tk_log log = {capture, &c, TK_LOG_DEBUG};
		struct tk_http_client_config cfg;
		uint64_t received = 0;
		struct tk_suit_sink sink = {count_write, &received};
		struct pattern_server s = {0};
		struct tk_diag diag;
		char uri[64];

		memset(&cfg, 0, sizeof(cfg));
		pattern_server_start(&s, 200, PAYLOAD_SIZE, rows[i].content_length);
		snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload.bin", s.port);
		tk_diag_clear(&diag);
		assert_int_equal(tk_agent_fetch(&cfg, uri, PAYLOAD_SIZE, &sink, &log, &diag), TK_OK);
		pattern_server_stop(&s);
		assert_int_equal(received, PAYLOAD_SIZE);
		assert_int_equal(c.percent_lines, rows[i].percent_lines);
		assert_int_equal(c.received_lines, rows[i].received_lines);
		assert_int_equal(c.done_lines, 1);
		if (rows[i].percent_lines > 0)
			assert_non_null(strstr(c.last_percent, ": 100% ("));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_streamed_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_fetch_installs_nothing, setup,
						teardown),
		cmocka_unit_test(test_progress_log_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
