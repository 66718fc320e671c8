/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Full processing of the example manifests, part of bench_suit. The
 * manifest-spec examples 0-5 carry placeholder image digests, so, as
 * tests/suit/test_suit_process.c does, they are built with the digests of
 * generated images of the published sizes, signed with the published
 * example key. The TEEP examples fetch the draft's TA; the personalization
 * manifest is the corrected copy (dependency integrity checked), whose
 * config.json the platform decrypts with the draft's recipient key.
 * The platform keeps staging areas and installed images in memory.
 */
#include "bench_suit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_desc.h"
#include "suit/tk_suit_build.h"
#include "suit/tk_suit_encryption.h"

/* Each timing is the fastest of ROUNDS rounds of at least ROUND_SECONDS,
 * as in bench_suit.c. */
#define ROUNDS 5
#define ROUND_SECONDS 0.1

/* Sizes of the two images of the manifest-spec examples (image-size). */
#define IMAGE_A_SIZE 34768
#define IMAGE_B_SIZE 76834
#define AREA_CAP (96 * 1024)
#define AREAS 2
#define INSTALLED_MAX 8
#define ID_MAX 128
#define WORK_CAP 4096

/* The placeholder digests of the manifest-spec examples, as the
 * descriptions write them. */
#define PLACEHOLDER_A "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
#define PLACEHOLDER_B "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff"

/* Private key d of the TEEP draft's personalization recipient, printed in
 * the draft's appendix with the example. */
static const uint8_t recipient_d[32] = {
	0x60, 0xfe, 0x6d, 0xd6, 0xd8, 0x5d, 0x57, 0x40, 0xa5, 0x34, 0x9b, 0x6f, 0x91, 0x26, 0x7e, 0xea,
	0xc5, 0xba, 0x81, 0xb8, 0xcb, 0x53, 0xee, 0x24, 0x9e, 0x4b, 0x4e, 0xb1, 0x02, 0xc4, 0x76, 0xb3};

static const char *const fixtures[] = {
	"example0.json", "example1.json", "example2.json", "example3.json", "example4.json",
	"example5.json", "suit_uri.json", "suit_integrated.json",
	"suit_personalization_encrypted.json",
};

/* A URI the platform serves and the bytes it serves. */
struct served {
	const char *uri;
	struct tk_span bytes;
};

struct installed {
	uint8_t id[ID_MAX];
	size_t id_len;
	uint8_t *bytes;
	size_t len;
};

struct platform {
	struct served served[6];
	uint8_t area[AREAS][AREA_CAP];
	size_t area_len[AREAS];
	struct installed installed[INSTALLED_MAX];
	struct tk_crypto_key *recipient;
};

static uint8_t image_a[IMAGE_A_SIZE], image_b[IMAGE_B_SIZE];
static uint8_t installed_bytes[INSTALLED_MAX][AREA_CAP];

/* "Hello, Secure World!", the TEEP draft's TA, and the tagged suit_uri
 * envelope the personalization manifest depends on. */
static uint8_t teep_ta[64], teep_uri[1024];
static size_t teep_ta_len, teep_uri_len;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t read_data(const char *name, uint8_t *out, size_t cap)
{
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TK_FIXTURES_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	len = fread(out, 1, cap, f);
	fclose(f);
	return len;
}

static struct installed *find_installed(struct platform *p, const uint8_t *id, size_t id_len)
{
	for (size_t i = 0; i < INSTALLED_MAX; i++) {
		struct installed *in = &p->installed[i];

		if (in->bytes != NULL && in->id_len == id_len && memcmp(in->id, id, id_len) == 0)
			return in;
	}
	return NULL;
}

static tk_err install(struct platform *p, const uint8_t *id, size_t id_len,
		      const uint8_t *bytes, size_t len, struct tk_diag *diag)
{
	struct installed *in = find_installed(p, id, id_len);

	for (size_t i = 0; in == NULL && i < INSTALLED_MAX; i++) {
		if (p->installed[i].bytes == NULL) {
			in = &p->installed[i];
			in->bytes = installed_bytes[i];
		}
	}
	if (in == NULL || id_len > ID_MAX || len > AREA_CAP)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "benchmark platform full");
	memcpy(in->id, id, id_len);
	in->id_len = id_len;
	memmove(in->bytes, bytes, len);
	in->len = len;
	return TK_OK;
}

static tk_err p_fetch(void *ctx, const char *uri, uint64_t max_size,
		      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct platform *p = ctx;

	(void)max_size;
	for (size_t i = 0; i < sizeof(p->served) / sizeof(p->served[0]); i++) {
		if (p->served[i].uri != NULL && strcmp(p->served[i].uri, uri) == 0)
			return sink->write(sink->ctx, p->served[i].bytes.ptr,
					   p->served[i].bytes.len, diag);
	}
	return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no %s in the benchmark", uri);
}

static tk_err p_check_identifier(void *ctx, enum tk_suit_identifier which, const uint8_t *id,
				 size_t id_len, const uint8_t *value, size_t value_len,
				 bool *match, struct tk_diag *diag)
{
	(void)ctx, (void)which, (void)id, (void)id_len, (void)value, (void)value_len, (void)diag;
	*match = true;
	return TK_OK;
}

/* The component sits in slot 1, so example 3's first try-each entry
 * fails softly and the second applies. */
static tk_err p_check_slot(void *ctx, const uint8_t *id, size_t id_len, uint64_t slot,
			   bool *match, struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)diag;
	*match = slot == 1;
	return TK_OK;
}

static tk_err p_read(void *ctx, const uint8_t *id, size_t id_len,
		     const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct installed *in = find_installed(ctx, id, id_len);

	if (in == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "component not installed");
	return sink->write(sink->ctx, in->bytes, in->len, diag);
}

static tk_err p_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	struct platform *p = ctx;

	if (area >= AREAS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "staging area %u", area);
	p->area_len[area] = 0;
	return TK_OK;
}

static tk_err p_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			    struct tk_diag *diag)
{
	struct platform *p = ctx;

	if (area >= AREAS || len > AREA_CAP - p->area_len[area])
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "staging area %u full", area);
	memcpy(p->area[area] + p->area_len[area], chunk, len);
	p->area_len[area] += len;
	return TK_OK;
}

static tk_err p_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			   struct tk_diag *diag)
{
	struct platform *p = ctx;

	if (area >= AREAS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "staging area %u", area);
	return sink->write(sink->ctx, p->area[area], p->area_len[area], diag);
}

static tk_err p_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			     uint64_t sequence_number, struct tk_diag *diag)
{
	struct platform *p = ctx;

	(void)sequence_number;
	if (area >= AREAS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "staging area %u", area);
	return install(p, id, id_len, p->area[area], p->area_len[area], diag);
}

static void p_stage_abort(void *ctx, unsigned area)
{
	struct platform *p = ctx;

	if (area < AREAS)
		p->area_len[area] = 0;
}

static tk_err p_invoke(void *ctx, const uint8_t *id, size_t id_len, const uint8_t *args,
		       size_t args_len, const struct tk_suit_digest *image_digest,
		       struct tk_diag *diag)
{
	(void)ctx, (void)id, (void)id_len, (void)args, (void)args_len, (void)image_digest;
	(void)diag;
	return TK_OK;
}

/* Links are accepted and not counted: each run starts from the same state. */
static tk_err p_link(void *ctx, const uint8_t *holder, size_t holder_len,
		     const uint8_t *target, size_t target_len, struct tk_diag *diag)
{
	(void)ctx, (void)holder, (void)holder_len, (void)target, (void)target_len, (void)diag;
	return TK_OK;
}

static tk_err p_references(void *ctx, const uint8_t *target, size_t target_len,
			   const uint8_t *holder, size_t holder_len, uint64_t *others,
			   struct tk_diag *diag)
{
	(void)ctx, (void)target, (void)target_len, (void)holder, (void)holder_len, (void)diag;
	*others = 0;
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
	(void)ctx, (void)id, (void)id_len, (void)value, (void)diag;
	return TK_OK;
}

static tk_err p_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
			   size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	struct platform *p = ctx;
	struct tk_suit_unwrap_key key = {p->recipient, NULL, 0, TK_SPAN_EMPTY};

	return tk_suit_unwrap_cek(tk_crypto_openssl(), recipient, &key, cek, cek_cap, cek_len,
				  diag);
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
	ops.references = p_references;
	ops.get_sequence_number = p_get_sequence;
	ops.set_sequence_number = p_set_sequence;
	ops.unwrap_cek = p_unwrap_cek;
	ops.ctx = p;
	return ops;
}

/* Serve the examples' URIs; example 0 validates an image installed already. */
static void platform_init(struct platform *p)
{
	static const uint8_t id0[] = {0x81, 0x41, 0x00};
	static const uint8_t tag[] = {0xd8, 0x6b}; /* SUIT_Envelope_Tagged, 107 */
	struct tk_span a = {image_a, sizeof(image_a)}, b = {image_b, sizeof(image_b)};
	struct tk_diag diag;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < sizeof(image_a); i++)
		image_a[i] = (uint8_t)(i * 7u + 1u);
	for (size_t i = 0; i < sizeof(image_b); i++)
		image_b[i] = (uint8_t)(i * 13u + 5u);
	teep_ta_len = read_data("ta.bin", teep_ta, sizeof(teep_ta));
	memcpy(teep_uri, tag, sizeof(tag));
	teep_uri_len = sizeof(tag) + read_data("suit_uri.suit", teep_uri + sizeof(tag),
					       sizeof(teep_uri) - sizeof(tag));
	p->served[0] = (struct served){"http://example.com/file.bin", a};
	p->served[1] = (struct served){"http://example.com/file1.bin", a};
	p->served[2] = (struct served){"http://example.com/file2.bin", b};
	p->served[3] = (struct served){"http://example.com/very/long/path/to/file/file.bin", a};
	p->served[4] = (struct served){"https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta",
				       {teep_ta, teep_ta_len}};
	p->served[5] = (struct served){
		"https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit",
		{teep_uri, teep_uri_len}};
	tk_diag_clear(&diag);
	if (install(p, id0, sizeof(id0), image_a, sizeof(image_a), &diag) != TK_OK ||
	    tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, recipient_d,
					 sizeof(recipient_d), &p->recipient, &diag) != TK_OK)
		bench_die("benchmark platform", &diag);
}

/* Replace each `from` (64 hex digits) in text by the hex of digest. */
static void replace_hex(char *text, const char *from, const uint8_t digest[32])
{
	char hex[65];

	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	for (char *at = strstr(text, from); at != NULL; at = strstr(at + 64, from))
		memcpy(at, hex, 64);
}

/* Build a fixture, real digests in place of the placeholders, signed with
 * the example key; caller frees *out. */
static size_t build_fixture(const char *name, const struct tk_crypto_key *key, uint8_t **out)
{
	static char json[64 * 1024];
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	uint8_t digest_a[32], digest_b[32];
	struct tk_cli_desc d;
	struct tk_diag diag;
	size_t json_len, cap = 0, len = 0;

	json_len = read_data(name, (uint8_t *)json, sizeof(json) - 1);
	json[json_len] = '\0';
	tk_diag_clear(&diag);
	if (tk_crypto_sha256(tk_crypto_openssl(), image_a, sizeof(image_a), digest_a, &diag) !=
		    TK_OK ||
	    tk_crypto_sha256(tk_crypto_openssl(), image_b, sizeof(image_b), digest_b, &diag) !=
		    TK_OK)
		bench_die("digest", &diag);
	replace_hex(json, PLACEHOLDER_A, digest_a);
	replace_hex(json, PLACEHOLDER_B, digest_b);
	if (tk_cli_desc_load_buffer(json, json_len, TK_FIXTURES_DIR, &d, &diag) != TK_OK)
		bench_die(name, &diag);
	d.desc.signers = &signer;
	d.desc.signer_count = 1;
	if (tk_suit_build(&d.desc, tk_crypto_openssl(), NULL, 0, &cap, &diag) != TK_OK)
		bench_die(name, &diag);
	*out = malloc(cap);
	if (*out == NULL ||
	    tk_suit_build(&d.desc, tk_crypto_openssl(), *out, cap, &len, &diag) != TK_OK)
		bench_die(name, &diag);
	tk_cli_desc_free(&d);
	return len;
}

/* Decode, authenticate and, unless procedure is 0, run it. */
static tk_err run_once(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
		       struct platform *p, int procedure, struct tk_diag *diag)
{
	static uint8_t work[WORK_CAP];
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_platform_ops ops = platform_ops(p);
	struct tk_suit_process_opts opts = {&ops, tk_crypto_openssl(), work, sizeof(work), NULL,
					    keys, 1};
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	tk_err err;

	tk_diag_clear(diag);
	err = tk_suit_decode_envelope(env, len, &e, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, diag);
	if (err != TK_OK || procedure == 0)
		return err;
	return tk_suit_process(&m, (enum tk_suit_procedure)procedure, &opts, diag);
}

/* Microseconds per run_once(), the fastest of ROUNDS rounds; *result and
 * diag hold the outcome of the last run. */
static double time_runs(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
			struct platform *p, int procedure, tk_err *result, struct tk_diag *diag)
{
	double best = 0;

	for (int round = 0; round < ROUNDS; round++) {
		double start = now(), us;
		size_t n = 0;

		do {
			*result = run_once(env, len, key, p, procedure, diag);
			n++;
		} while (now() - start < ROUND_SECONDS);
		us = (now() - start) * 1e6 / (double)n;
		if (round == 0 || us < best)
			best = us;
	}
	return best;
}

/* Whether the fixture has an invocation (validate, load or invoke). */
static bool has_invocation(const uint8_t *env, size_t len, const struct tk_crypto_key *key)
{
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tk_suit_decode_envelope(env, len, &e, &diag) != TK_OK ||
	    tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag) != TK_OK)
		return false;
	for (size_t i = 0; i < m.section_count; i++) {
		if (m.sections[i].section == TK_SUIT_SECTION_VALIDATE ||
		    m.sections[i].section == TK_SUIT_SECTION_LOAD ||
		    m.sections[i].section == TK_SUIT_SECTION_INVOKE)
			return true;
	}
	return false;
}

static void print_row(const char *what, size_t len, double auth_us, double us, double verify_us,
		      tk_err err, const struct tk_diag *diag)
{
	printf("%-48s %6zu %9.1f %10.1f %8.2f  %s%s%s\n", what, len, auth_us, us, us / verify_us,
	       tk_err_name(err), err == TK_OK ? "" : ": ", err == TK_OK ? "" : diag->msg);
}

void bench_examples(const struct tk_crypto_key *key, double verify_us)
{
	static struct platform p;
	struct tk_diag diag;

	platform_init(&p);
	printf("\nfull processing, real digests, example key (us: decode + authenticate + "
	       "procedure)\n%-48s %6s %9s %10s %8s  %s\n", "fixture / procedure", "bytes",
	       "auth us", "full us", "x verify", "result");
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		char what[80];
		uint8_t *env = NULL;
		size_t len = build_fixture(fixtures[i], key, &env);
		tk_err err;
		double auth_us = time_runs(env, len, key, &p, 0, &err, &diag);
		double us = time_runs(env, len, key, &p, TK_SUIT_PROCEDURE_UPDATE, &err, &diag);

		snprintf(what, sizeof(what), "%s update", fixtures[i]);
		print_row(what, len, auth_us, us, verify_us, err, &diag);
		if (has_invocation(env, len, key)) {
			us = time_runs(env, len, key, &p, TK_SUIT_PROCEDURE_INVOKE, &err, &diag);
			snprintf(what, sizeof(what), "%s invocation", fixtures[i]);
			print_row(what, len, auth_us, us, verify_us, err, &diag);
		}
		free(env);
	}
	tk_crypto_key_free(p.recipient);
}
