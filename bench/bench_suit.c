/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT benchmark: a program, not a test. It prints
 *   1. baselines measured in the same run: one ECDSA P-256 verification
 *      and the SHA-256 throughput of the crypto provider;
 *   2. per manifest fixture (tests/suit/manifests), built with real image
 *      digests (bench_suit_examples.c): microseconds per decode +
 *      authenticate and per full update and invocation procedure, with
 *      the ratio to the verification baseline;
 *   3. a payload streamed over HTTP from a loopback server thread into a
 *      hashing sink (default 300 MiB);
 *   4. per payload size (default 64, 100 and 300 MiB), an update whose
 *      payload is fetched by URI, staged to a temporary file and checked
 *      by the processor;
 *   5. per payload size, the same update through teep-agent's hooks into
 *      the simulated TEE, then a measured load of the stored image.
 * Items 3 to 5 print MiB/s, and the peak resident set size (getrusage)
 * before and after; 3 and 4 also the ratio to SHA-256 over the same bytes.
 * The sizes run in increasing order in one process, and ru_maxrss only
 * grows, so an "after" figure equal for all sizes shows that memory does
 * not grow with the payload.
 *
 * Usage: bench_suit [--stream-mib N] [--large-mib N]...
 * Run it on an idle machine; docs/benchmarks.md records results.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_suit.h"

#include "agent/tk_agent_tee.h"
#include "crypto/tk_crypto.h"
#include "http/tk_http_client.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"

#define MIB (1024.0 * 1024.0)

/* Bytes generated per step by the server and the hashing baseline. */
#define CHUNK (64u * 1024u)

/* Each timing is the fastest of ROUNDS rounds of at least ROUND_SECONDS:
 * on a machine shared with other work the minimum is the most stable
 * estimate of the cost itself. */
#define ROUNDS 5
#define ROUND_SECONDS 0.1

/* [h'00']: the component id of the large payload. */
static const uint8_t component_id[] = {0x81, 0x41, 0x00};

/* Payload sizes of items 4 and 5 when no --large-mib is given, in MiB:
 * the old 64 MiB image limit and two sizes above it. */
static const uint64_t default_large_mib[] = {64, 100, 300};

/* Maximum number of --large-mib options. */
#define MAX_LARGE 8

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set size of this process so far, in MiB. */
static double peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static void die(const char *what, const struct tk_diag *diag)
{
	fprintf(stderr, "bench_suit: %s: %s: %s\n", what, tk_err_name(diag->code), diag->msg);
	exit(1);
}

void bench_die(const char *what, const struct tk_diag *diag)
{
	die(what, diag);
}

/*
 * The CHUNK bytes at `offset` (a multiple of CHUNK) of every generated
 * payload: one fixed block with the chunk number in its first 8 bytes, so
 * that generating costs a copy and no two chunks are equal.
 */
static void fill_pattern(uint8_t *buf, size_t len, uint64_t offset)
{
	static uint8_t block[CHUNK];
	static bool ready;
	uint64_t number = offset / CHUNK;

	if (!ready) {
		for (size_t i = 0; i < CHUNK; i++)
			block[i] = (uint8_t)(i * 7u + i / 251u);
		ready = true;
	}
	memcpy(buf, block, len);
	memcpy(buf, &number, len < sizeof(number) ? len : sizeof(number));
}

/* Baseline 1: microseconds per ESP256 verification over 100 bytes. */
static double verify_baseline(const struct tk_crypto_key *key)
{
	uint8_t msg[100] = {0}, sig[TK_CRYPTO_SIG_MAX];
	struct tk_span part = {msg, sizeof(msg)};
	size_t sig_len = 0, n = 0;
	struct tk_diag diag;
	double start;

	double best = 0;

	tk_diag_clear(&diag);
	if (tk_crypto_sign(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig, &sig_len,
			   &diag) != TK_OK)
		die("sign", &diag);
	for (int round = 0; round < ROUNDS; round++) {
		double us;

		n = 0;
		start = now();
		do {
			if (tk_crypto_verify(key, TK_CRYPTO_SIG_ECDSA_P256_SHA256, &part, 1, sig,
					     sig_len, &diag) != TK_OK)
				die("verify", &diag);
			n++;
		} while (now() - start < ROUND_SECONDS);
		us = (now() - start) * 1e6 / (double)n;
		if (round == 0 || us < best)
			best = us;
	}
	return best;
}

/* Baseline 2: MiB/s of SHA-256 over `bytes` of the pattern generated in
 * CHUNK steps; the digest goes to `digest`. */
static double sha256_baseline(uint64_t bytes, uint8_t digest[TK_CRYPTO_SHA256_LEN])
{
	static uint8_t chunk[CHUNK];
	struct tk_crypto_hash_ctx h;
	struct tk_diag diag;
	double start, gen = 0;

	tk_diag_clear(&diag);
	if (tk_crypto_sha256_init(tk_crypto_openssl(), &h, &diag) != TK_OK)
		die("sha256", &diag);
	start = now();
	for (uint64_t done = 0; done < bytes; done += CHUNK) {
		size_t len = bytes - done < CHUNK ? (size_t)(bytes - done) : CHUNK;
		double g = now();

		fill_pattern(chunk, len, done);
		gen += now() - g;
		if (tk_crypto_sha256_update(&h, chunk, len, &diag) != TK_OK)
			die("sha256", &diag);
	}
	if (tk_crypto_sha256_final(&h, digest, &diag) != TK_OK)
		die("sha256", &diag);
	/* Generating the bytes is not hashing them. */
	return (double)bytes / MIB / (now() - start - gen);
}


/*
 * Platform for the large payload. Identifiers and slots always match,
 * fetch streams from the loopback server, staging counts bytes and writes
 * them to a temporary file as a TEE's storage would.
 */
struct platform {
	const char *http_uri;  /* large payload URI, or NULL */
	int stage_fd;          /* temporary file for staging, or -1 */
	uint64_t staged;       /* bytes written to staging */
	uint64_t sequence;     /* stored sequence number, 0 for none */
};

static tk_err p_fetch(void *ctx, const char *uri, uint64_t max_size,
		      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct tk_http_client_config cfg;
	struct platform *p = ctx;

	(void)max_size;
	if (p->http_uri == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no payload server");
	memset(&cfg, 0, sizeof(cfg));
	return tk_http_fetch_stream(&cfg, uri, strlen(uri), max_size, sink, NULL, NULL, diag);
}

static tk_err p_check_identifier(void *ctx, enum tk_suit_identifier which, const uint8_t *id,
				 size_t id_len, const uint8_t *value, size_t value_len,
				 bool *match, struct tk_diag *diag)
{
	(void)ctx, (void)which, (void)id, (void)id_len, (void)value, (void)value_len, (void)diag;
	*match = true;
	return TK_OK;
}

static tk_err p_check_slot(void *ctx, const uint8_t *id, size_t id_len, uint64_t slot,
			   bool *match, struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)diag;
	*match = slot == 0;
	return TK_OK;
}

static tk_err p_read(void *ctx, const uint8_t *id, size_t id_len,
		     const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)sink;
	return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no installed components in the benchmark");
}

static tk_err p_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	struct platform *p = ctx;

	(void)area, (void)diag;
	p->staged = 0;
	if (p->stage_fd >= 0 && ftruncate(p->stage_fd, 0) != 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot truncate the staging file");
	if (p->stage_fd >= 0)
		lseek(p->stage_fd, 0, SEEK_SET);
	return TK_OK;
}

static tk_err p_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			    struct tk_diag *diag)
{
	struct platform *p = ctx;

	(void)area;
	if (p->stage_fd >= 0 && write(p->stage_fd, chunk, len) != (ssize_t)len)
		return TK_FAIL(diag, TK_ERR_IO, "cannot write the staging file");
	p->staged += len;
	return TK_OK;
}

static tk_err p_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			   struct tk_diag *diag)
{
	(void)ctx, (void)area, (void)sink;
	return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "the benchmark does not read staging back");
}

static tk_err p_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			     uint64_t sequence_number, struct tk_diag *diag)
{
	(void)ctx, (void)area, (void)id, (void)id_len, (void)sequence_number, (void)diag;
	return TK_OK;
}

static void p_stage_abort(void *ctx, unsigned area)
{
	(void)ctx, (void)area;
}

static tk_err p_invoke(void *ctx, const uint8_t *id, size_t id_len, const uint8_t *args,
		       size_t args_len, const struct tk_suit_digest *image_digest,
		       struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)args, (void)args_len, (void)image_digest;
	(void)diag;
	return TK_OK;
}

static tk_err p_link(void *ctx, const uint8_t *holder, size_t holder_len,
		     const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	(void)ctx, (void)holder, (void)holder_len, (void)target, (void)target_len, (void)diag;
	return TK_OK;
}

static tk_err p_get_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t *out,
			     bool *found, struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)diag;
	*out = 0;
	*found = false;
	return TK_OK;
}

static tk_err p_set_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t value,
			     struct tk_diag *diag)
{
	struct platform *p = ctx;

	(void)id, (void)id_len, (void)diag;
	p->sequence = value;
	return TK_OK;
}

static struct tk_suit_platform_ops platform_ops(struct platform *p)
{
	struct tk_suit_platform_ops ops;

	memset(&ops, 0, sizeof(ops));
	ops.fetch = p_fetch;
	ops.check_identifier = p_check_identifier;
	ops.check_slot = p_check_slot;
	ops.read = p_read;
	ops.stage_begin = p_stage_begin;
	ops.stage_write = p_stage_write;
	ops.stage_read = p_stage_read;
	ops.stage_commit = p_stage_commit;
	ops.stage_abort = p_stage_abort;
	ops.invoke = p_invoke;
	ops.link = p_link;
	ops.get_sequence_number = p_get_sequence;
	ops.set_sequence_number = p_set_sequence;
	ops.ctx = p;
	return ops;
}

/* Decode, authenticate and, when `process`, run the update procedure. */
static tk_err run_once(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
		       struct platform *p, bool process, struct tk_diag *diag)
{
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_platform_ops ops = platform_ops(p);
	struct tk_suit_process_opts opts;
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	tk_err err;

	tk_diag_clear(diag);
	err = tk_suit_decode_envelope(env, len, &e, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, diag);
	if (err != TK_OK || !process)
		return err;
	memset(&opts, 0, sizeof(opts));
	opts.ops = &ops;
	opts.crypto = tk_crypto_openssl();
	opts.trust_anchors = keys;
	opts.trust_anchor_count = 1;
	return tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, &opts, diag);
}

/* Loopback server thread that sends `bytes` of the pattern per request. */
struct server {
	int fd;
	int port;
	uint64_t bytes;
	int requests;          /* connections to serve before exiting */
	pthread_t thread;
};

static void send_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void *server_main(void *arg)
{
	static uint8_t chunk[CHUNK];
	struct server *s = arg;

	for (int r = 0; r < s->requests; r++) {
		char head[160], request[4096];
		int c = accept(s->fd, NULL, NULL);
		int n;

		if (c < 0)
			return NULL;
		if (recv(c, request, sizeof(request), 0) < 0) {
			close(c);
			continue;
		}
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n"
			     "Connection: close\r\n\r\n", (unsigned long long)s->bytes);
		send_all(c, (const uint8_t *)head, (size_t)n);
		for (uint64_t sent = 0; sent < s->bytes; sent += CHUNK) {
			size_t len = s->bytes - sent < CHUNK ? (size_t)(s->bytes - sent) : CHUNK;

			fill_pattern(chunk, len, sent);
			send_all(c, chunk, len);
		}
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s, uint64_t bytes, int requests)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);

	s->bytes = bytes;
	s->requests = requests;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(s->fd, 1) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&addr, &addr_len) != 0 ||
	    pthread_create(&s->thread, NULL, server_main, s) != 0) {
		perror("bench_suit: loopback server");
		exit(1);
	}
	s->port = ntohs(addr.sin_port);
}

static void server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* Sink that hashes what it receives, as a TEE would digest a payload. */
static tk_err hash_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	return tk_crypto_sha256_update(ctx, chunk, len, diag);
}

static void bench_stream(uint64_t bytes, double sha_mibs)
{
	struct tk_http_client_config cfg;
	struct tk_crypto_hash_ctx h;
	struct tk_suit_sink sink = {hash_write, &h};
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct server s;
	struct tk_diag diag;
	char uri[64];
	double before = peak_rss_mib(), start, seconds;
	uint64_t received = 0;

	memset(&cfg, 0, sizeof(cfg));
	server_start(&s, bytes, 1);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload", s.port);
	tk_diag_clear(&diag);
	if (tk_crypto_sha256_init(tk_crypto_openssl(), &h, &diag) != TK_OK)
		die("sha256", &diag);
	start = now();
	if (tk_http_fetch_stream(&cfg, uri, strlen(uri), bytes, &sink, NULL, &received, &diag) !=
	    TK_OK)
		die("streamed fetch", &diag);
	if (tk_crypto_sha256_final(&h, digest, &diag) != TK_OK)
		die("sha256", &diag);
	seconds = now() - start;
	server_stop(&s);
	printf("\nstreamed fetch + SHA-256 of %.0f MiB: %.2f s, %.0f MiB/s, %.2f x SHA-256 time; "
	       "peak RSS %.1f MiB before, %.1f MiB after\n", (double)bytes / MIB, seconds,
	       (double)received / MIB / seconds, seconds / ((double)bytes / MIB / sha_mibs), before,
	       peak_rss_mib());
}


/*
 * A manifest that fetches `bytes` of the pattern from `uri`: the shared
 * sequence sets its digest and size, install fetches and checks it.
 */
static size_t build_large(const struct tk_crypto_key *key, const char *uri, uint64_t bytes,
			  const uint8_t digest[TK_CRYPTO_SHA256_LEN], uint8_t *out, size_t cap)
{
	static const uint8_t manifest_id[] = {0x81, 0x42, 0x6d, 0x31}; /* ['m1'] */
	struct tk_suit_build_param shared_params[2] = {
		{3, {TK_SUIT_VALUE_DIGEST, 0, -16, false, {digest, TK_CRYPTO_SHA256_LEN}}},
		{14, {TK_SUIT_VALUE_UINT, bytes, 0, false, {NULL, 0}}},
	};
	struct tk_suit_build_param uri_param = {
		21, {TK_SUIT_VALUE_TSTR, 0, 0, false, {(const uint8_t *)uri, strlen(uri)}}};
	struct tk_suit_build_command shared[1], install[3];
	struct tk_suit_build_section section;
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_span components[1] = {{component_id, sizeof(component_id)}};
	struct tk_suit_build_desc desc;
	struct tk_diag diag;
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
	desc.sequence_number = 1;
	desc.components = components;
	desc.component_count = 1;
	desc.has_shared_sequence = true;
	desc.shared_sequence = (struct tk_suit_build_sequence){shared, 1};
	desc.manifest_component_id = tk_span_make(manifest_id, sizeof(manifest_id));
	desc.sections = &section;
	desc.section_count = 1;
	desc.signers = &signer;
	desc.signer_count = 1;
	tk_diag_clear(&diag);
	if (tk_suit_build(&desc, tk_crypto_openssl(), out, cap, &len, &diag) != TK_OK)
		die("build the large manifest", &diag);
	return len;
}

static void bench_large(const struct tk_crypto_key *key, uint64_t bytes)
{
	static uint8_t env[4096];
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	char uri[64], path[] = "/tmp/bench_suit_stage_XXXXXX";
	struct platform p = {NULL, -1, 0, 0};
	struct server s;
	struct tk_diag diag;
	double sha_mibs, before, start, seconds;
	size_t len;
	tk_err err;

	sha_mibs = sha256_baseline(bytes, digest);
	server_start(&s, bytes, 1);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload", s.port);
	len = build_large(key, uri, bytes, digest, env, sizeof(env));

	p.http_uri = uri;
	p.stage_fd = mkstemp(path);
	if (p.stage_fd < 0) {
		perror("bench_suit: staging file");
		exit(1);
	}
	before = peak_rss_mib();
	start = now();
	err = run_once(env, len, key, &p, true, &diag);
	seconds = now() - start;
	server_stop(&s);
	close(p.stage_fd);
	unlink(path);
	if (err != TK_OK)
		die("process the large manifest", &diag);
	printf("update with a %.0f MiB payload by URI (fetch, stage to a file, image-match): "
	       "%.2f s, %.0f MiB/s, %.2f x SHA-256 time; staged %.0f MiB; peak RSS %.1f MiB "
	       "before, %.1f MiB after\n", (double)bytes / MIB, seconds,
	       (double)bytes / MIB / seconds, seconds / ((double)bytes / MIB / sha_mibs),
	       (double)p.staged / MIB, before, peak_rss_mib());
}

/*
 * The same update through teep-agent's hooks (tk_agent_tee_ops) on a fresh
 * simulated TEE: the agent's fetch hook streams the payload into the TEE's
 * staging files, and the component is committed at the end. The agent's
 * staging size keeps its default (8 MiB): the simulated TEE stages the
 * image itself. Then a measured load hashes the stored image.
 */
static void bench_agent_install(const struct tk_crypto_key *key, uint64_t bytes)
{
	static uint8_t env[4096];
	const struct tk_crypto_key *anchors[1] = {key};
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	char dir[] = "/tmp/bench_suit_tee_XXXXXX", uri[64], cmd[96];
	struct tk_teep_agent_manifest_name name;
	struct tk_teep_agent_tee_ops ops;
	struct tk_tee_sim_config sim;
	struct tk_agent_tee glue;
	struct tk_tee tee;
	struct server s;
	struct tk_diag diag;
	double before, start, seconds;
	size_t len;
	tk_err err;

	(void)sha256_baseline(bytes, digest);
	if (mkdtemp(dir) == NULL) {
		perror("bench_suit: TEE folder");
		exit(1);
	}
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = dir;
	sim.create = true;
	sim.create_alg = -9;
	tk_diag_clear(&diag);
	if (tk_tee_sim_open(&sim, &tee, &diag) != TK_OK)
		die("open the simulated TEE", &diag);
	memset(&glue, 0, sizeof(glue));
	glue.tee = &tee;
	glue.crypto = tk_crypto_openssl();
	glue.trust_anchors = anchors;
	glue.n_trust_anchors = 1;
	ops = tk_agent_tee_ops(&glue);

	server_start(&s, bytes, 1);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/payload", s.port);
	len = build_large(key, uri, bytes, digest, env, sizeof(env));
	memset(&name, 0, sizeof(name));
	before = peak_rss_mib();
	start = now();
	err = ops.process_manifest(ops.ctx, env, len, &name, &diag);
	seconds = now() - start;
	server_stop(&s);
	if (err != TK_OK)
		die("install through the agent", &diag);
	printf("install of a %.0f MiB payload by URI through the agent hooks into the simulated "
	       "TEE: %.2f s, %.0f MiB/s; peak RSS %.1f MiB before, %.1f MiB after\n",
	       (double)bytes / MIB, seconds, (double)bytes / MIB / seconds, before,
	       peak_rss_mib());

	before = peak_rss_mib();
	start = now();
	err = tk_tee_load_component(&tee, component_id, sizeof(component_id), digest, NULL, &diag);
	seconds = now() - start;
	tk_tee_close(&tee);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_suit: cannot remove %s\n", dir);
	if (err != TK_OK)
		die("load the installed component", &diag);
	printf("measured load of the stored %.0f MiB image: %.2f s, %.0f MiB/s; peak RSS %.1f MiB "
	       "before, %.1f MiB after\n", (double)bytes / MIB, seconds,
	       (double)bytes / MIB / seconds, before, peak_rss_mib());
}

static uint64_t parse_mib(const char *text)
{
	char *end = NULL;
	unsigned long long v = strtoull(text, &end, 10);

	if (end == text || *end != '\0' || v == 0 || v > 1024 * 1024) {
		fprintf(stderr, "bench_suit: invalid size %s (MiB, 1 to 1048576)\n", text);
		exit(2);
	}
	return (uint64_t)v * 1024u * 1024u;
}

int main(int argc, char **argv)
{
	uint64_t stream_bytes = 300u * 1024u * 1024u, large_bytes[MAX_LARGE];
	size_t n_large = 0;
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_crypto_key *key = NULL;
	char pem[1024];
	size_t pem_len;
	struct tk_diag diag;
	double verify_us, sha_mibs;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stream-mib") == 0 && i + 1 < argc) {
			stream_bytes = parse_mib(argv[++i]);
		} else if (strcmp(argv[i], "--large-mib") == 0 && i + 1 < argc &&
			   n_large < MAX_LARGE) {
			large_bytes[n_large++] = parse_mib(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench_suit [--stream-mib N] [--large-mib N]... "
				"(at most %d sizes)\n", MAX_LARGE);
			return 2;
		}
	}
	if (n_large == 0) {
		for (; n_large < sizeof(default_large_mib) / sizeof(default_large_mib[0]); n_large++)
			large_bytes[n_large] = default_large_mib[n_large] * 1024u * 1024u;
	}
	f = fopen(TK_EXAMPLE_KEY, "rb");
	pem_len = f != NULL ? fread(pem, 1, sizeof(pem), f) : 0;
	if (f != NULL)
		fclose(f);
	tk_diag_clear(&diag);
	if (tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem, pem_len, &key,
				     &diag) != TK_OK)
		die(TK_EXAMPLE_KEY, &diag);

	verify_us = verify_baseline(key);
	sha_mibs = sha256_baseline(stream_bytes, digest);
	printf("baseline: ESP256 verify %.1f us; SHA-256 %.0f MiB/s over %.0f MiB "
	       "(OpenSSL provider)\n", verify_us, sha_mibs, (double)stream_bytes / MIB);
	bench_examples(key, verify_us);
	bench_stream(stream_bytes, sha_mibs);
	printf("\nupdates by URI, staged to a file by the benchmark's platform:\n");
	for (size_t i = 0; i < n_large; i++)
		bench_large(key, large_bytes[i]);
	printf("\ninstalls by URI into the simulated TEE, each followed by a measured load:\n");
	for (size_t i = 0; i < n_large; i++)
		bench_agent_install(key, large_bytes[i]);
	tk_crypto_key_free(key);
	return 0;
}
