/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the SUIT layer. Fixtures are the draft-ietf-teep-protocol
 * examples (suit_uri, suit_integrated, the example TA), the
 * draft-ietf-suit-manifest examples 0-5 with their P-256 key, and envelopes
 * made by our builder. Negative rows cover tampering, a wrong key, failed
 * conditions, rollback, unknown commands, missing hooks and truncation. A test platform records every hook
 * call so each process test compares the calls made, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

#define MAX_FILE (256 * 1024)
#define MAX_CALLS 16
#define CALL_LEN 96
#define WORK_CAP 4096

/* Vendor and class ids the TEEP examples require (suit_uri.diag.txt). */
static const uint8_t example_vendor_id[16] = {
	0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60,
	0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f};
static const uint8_t example_class_id[16] = {
	0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba,
	0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e};
static const char example_uri[] =
	"https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta";

/* Files. */

struct blob {
	uint8_t bytes[MAX_FILE];
	size_t len;
};

static void read_file(const char *path, struct blob *out)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		fail_msg("cannot open %s", path);
	out->len = fread(out->bytes, 1, sizeof(out->bytes), f);
	fclose(f);
}

static void read_vector(const char *relative, struct blob *out)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", TK_VECTORS_DIR, relative);
	read_file(path, out);
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex digits of text[0..len), skipping everything else. */
static size_t hex_decode(const char *text, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (size_t i = 0; i < len; i++) {
		int v = hex_value(text[i]);

		if (v < 0)
			continue;
		if (high < 0) {
			high = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(high << 4 | v);
		high = -1;
	}
	return n;
}

/* Annotated hex of the TEEP vectors: text after '#' on a line is ignored. */
static void read_annotated_hex(const char *relative, struct blob *out)
{
	static struct blob text;
	size_t i = 0;

	read_vector(relative, &text);
	out->len = 0;
	while (i < text.len) {
		size_t end = i;

		while (end < text.len && text.bytes[end] != '\n')
			end++;
		size_t stop = i;
		while (stop < end && text.bytes[stop] != '#')
			stop++;
		out->len += hex_decode((const char *)text.bytes + i, stop - i,
				       out->bytes + out->len, sizeof(out->bytes) - out->len);
		i = end + 1;
	}
}

/* Last ~~~ block of a manifest-spec example: the signed, tagged envelope. */
static void read_spec_example(int number, struct blob *out)
{
	static struct blob text;
	char relative[64];
	const char *start = NULL, *end = NULL;

	snprintf(relative, sizeof(relative), "suit/manifest-spec/example%d.txt", number);
	read_vector(relative, &text);
	text.bytes[text.len < MAX_FILE ? text.len : MAX_FILE - 1] = '\0';
	for (const char *p = strstr((const char *)text.bytes, "~~~"); p != NULL;
	     p = strstr(p + 3, "~~~")) {
		start = end;
		end = p;
	}
	assert_non_null(start);
	start = strchr(start, '\n');
	assert_non_null(start);
	out->len = hex_decode(start, (size_t)(end - start), out->bytes, sizeof(out->bytes));
}

/* Keys. */

static struct tk_crypto_key *example_key(void)
{
	static struct blob pem;
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	read_vector("suit/manifest-spec/private_key.pem", &pem);
	assert_int_equal(tk_crypto_key_import_pem(tk_crypto_openssl(), pem.bytes, pem.len,
						  &key, &diag), TK_OK);
	return key;
}

static struct tk_crypto_key *fresh_key(enum tk_crypto_key_type type)
{
	struct tk_crypto_key *key = NULL;

	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), type, &key, NULL),
			 TK_OK);
	return key;
}

/* Test platform: records calls, serves one fetch body, one sequence number. */

struct platform {
	char calls[MAX_CALLS][CALL_LEN];
	size_t call_count;
	const uint8_t *vendor_id;     /* identifiers the device asserts */
	const uint8_t *class_id;
	struct tk_span body;          /* what fetch and read return */
	bool has_sequence;
	uint64_t sequence;            /* stored highest sequence number */
	uint8_t stored[WORK_CAP];     /* last image stored */
	size_t stored_len;
	uint8_t areas[4][WORK_CAP];   /* staging areas 0-3 */
	size_t area_len[4];
	size_t aborts;                /* stage_abort calls */
};

static void record(struct platform *pf, const char *fmt, ...) TK_PRINTF(2, 3);
static void record(struct platform *pf, const char *fmt, ...)
{
	va_list ap;

	assert_true(pf->call_count < MAX_CALLS);
	va_start(ap, fmt);
	vsnprintf(pf->calls[pf->call_count++], CALL_LEN, fmt, ap);
	va_end(ap);
}

static tk_err pf_fetch(void *ctx, const char *uri, uint64_t max_size,
		       const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct platform *pf = ctx;
	size_t half = pf->body.len / 2;
	tk_err err;

	(void)max_size;
	record(pf, "fetch %s", uri);
	/* Two chunks, so the processor receives a stream. */
	err = sink->write(sink->ctx, pf->body.ptr, half, diag);
	if (err == TK_OK)
		err = sink->write(sink->ctx, pf->body.ptr + half, pf->body.len - half, diag);
	return err;
}

static tk_err pf_check_identifier(void *ctx, enum tk_suit_identifier which,
				  const uint8_t *id, size_t id_len, const uint8_t *value,
				  size_t value_len, bool *match, struct tk_diag *diag)
{
	struct platform *pf = ctx;
	const uint8_t *expected = which == TK_SUIT_ID_VENDOR ? pf->vendor_id :
				  which == TK_SUIT_ID_CLASS ? pf->class_id : NULL;

	(void)id;
	(void)id_len;
	(void)diag;
	record(pf, "check_identifier %s",
	       which == TK_SUIT_ID_VENDOR ? "vendor" :
	       which == TK_SUIT_ID_CLASS ? "class" : "device");
	*match = expected != NULL && value_len == 16 && memcmp(expected, value, 16) == 0;
	return TK_OK;
}

static tk_err pf_read(void *ctx, const uint8_t *id, size_t id_len,
		      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)id;
	(void)id_len;
	record(pf, "read");
	return sink->write(sink->ctx, pf->body.ptr, pf->body.len, diag);
}

static tk_err pf_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)diag;
	record(pf, "stage_begin %u", area);
	assert_true(area < 4);
	pf->area_len[area] = 0;
	return TK_OK;
}

static tk_err pf_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			     struct tk_diag *diag)
{
	struct platform *pf = ctx;

	assert_true(area < 4);
	if (len > WORK_CAP - pf->area_len[area])
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "test staging area full");
	memcpy(pf->areas[area] + pf->area_len[area], chunk, len);
	pf->area_len[area] += len;
	return TK_OK;
}

static tk_err pf_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			    struct tk_diag *diag)
{
	struct platform *pf = ctx;

	assert_true(area < 4);
	return sink->write(sink->ctx, pf->areas[area], pf->area_len[area], diag);
}

static tk_err pf_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			      uint64_t sequence_number, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)diag;
	assert_true(area < 4);
	record(pf, "store id %zu bytes, image %zu bytes, seq %llu", id_len, pf->area_len[area],
	       (unsigned long long)sequence_number);
	assert_non_null(id);
	memcpy(pf->stored, pf->areas[area], pf->area_len[area]);
	pf->stored_len = pf->area_len[area];
	pf->area_len[area] = 0;
	return TK_OK;
}

static void pf_stage_abort(void *ctx, unsigned area)
{
	struct platform *pf = ctx;

	assert_true(area < 4);
	pf->area_len[area] = 0;
	pf->aborts++;
}

static tk_err pf_unlink(void *ctx, const uint8_t *holder, size_t holder_len, const uint8_t *id,
			size_t id_len, uint64_t *remaining, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)id;
	(void)holder;
	(void)holder_len;
	(void)diag;
	record(pf, "unlink id %zu bytes", id_len);
	*remaining = 0;
	return TK_OK;
}

static tk_err pf_get_sequence(void *ctx, const uint8_t *id, size_t id_len,
			      uint64_t *out, bool *found, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)id;
	(void)diag;
	record(pf, "get_sequence_number id %zu bytes", id_len);
	*found = pf->has_sequence;
	*out = pf->has_sequence ? pf->sequence : 0;
	return TK_OK;
}

static tk_err pf_set_sequence(void *ctx, const uint8_t *id, size_t id_len,
			      uint64_t value, struct tk_diag *diag)
{
	struct platform *pf = ctx;

	(void)id;
	(void)diag;
	record(pf, "set_sequence_number id %zu bytes, %llu", id_len,
	       (unsigned long long)value);
	pf->has_sequence = true;
	pf->sequence = value;
	return TK_OK;
}

static const struct tk_suit_platform_ops full_ops_template = {
	.fetch = pf_fetch,
	.check_identifier = pf_check_identifier,
	.read = pf_read,
	.stage_begin = pf_stage_begin,
	.stage_write = pf_stage_write,
	.stage_read = pf_stage_read,
	.stage_commit = pf_stage_commit,
	.stage_abort = pf_stage_abort,
	.unlink = pf_unlink,
	.get_sequence_number = pf_get_sequence,
	.set_sequence_number = pf_set_sequence,
};

static struct blob ta; /* the example TA binary */

static void platform_init(struct platform *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->vendor_id = example_vendor_id;
	pf->class_id = example_class_id;
	pf->body = tk_span_make(ta.bytes, ta.len);
}

/* Report a failed row with its description, the codes and the detail. */
static void expect_err(const char *what, tk_err expected, tk_err actual,
		       const struct tk_diag *diag)
{
	if (expected != actual)
		fail_msg("%s: expected %s, got %s: %s", what, tk_err_name(expected),
			 tk_err_name(actual), diag->msg);
}

/* Expected call lists. */

static const char *const calls_uri[] = {
	"get_sequence_number id 44 bytes",
	"check_identifier vendor",
	"check_identifier class",
	"stage_begin 0",
	"fetch https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta",
	"store id 42 bytes, image 20 bytes, seq 3",
	"set_sequence_number id 44 bytes, 3",
	NULL,
};

static const char *const calls_integrated[] = {
	"get_sequence_number id 44 bytes",
	"check_identifier vendor",
	"check_identifier class",
	"stage_begin 0",
	"store id 42 bytes, image 20 bytes, seq 3",
	"set_sequence_number id 44 bytes, 3",
	NULL,
};

static void expect_calls(const char *what, const struct platform *pf,
			 const char *const *expected)
{
	size_t n = 0;

	while (expected[n] != NULL)
		n++;
	for (size_t i = 0; i < n && i < pf->call_count; i++) {
		if (strcmp(expected[i], pf->calls[i]) != 0)
			fail_msg("%s: call %zu: expected \"%s\", got \"%s\"", what, i,
				 expected[i], pf->calls[i]);
	}
	if (n != pf->call_count)
		fail_msg("%s: expected %zu platform calls, got %zu", what, n,
			 pf->call_count);
}

/* Decode, authenticate and run the update procedure of env. */
static tk_err process(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
		      const struct tk_suit_platform_ops *ops, struct tk_suit_manifest *m,
		      struct tk_diag *diag)
{
	static uint8_t work[WORK_CAP];
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_process_opts opts = {ops, tk_crypto_openssl(), work, sizeof(work), NULL, NULL, 0};

	tk_diag_clear(diag);
	return tk_suit_process_envelope(env, len, keys, 1, &opts, m, diag);
}

/* TEEP examples install the example TA. */

static void test_teep_examples_install(void **state)
{
	static const struct {
		const char *file;
		const char *const *calls;
	} rows[] = {
		{"teep/suit_uri.hex.txt", calls_uri},
		{"teep/suit_integrated.hex.txt", calls_integrated},
	};
	struct tk_crypto_key *key = example_key();
	static struct blob env;

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_platform_ops ops = full_ops_template;
		struct tk_suit_manifest m;
		struct platform pf;
		struct tk_diag diag;
		tk_err err;

		read_annotated_hex(rows[r].file, &env);
		platform_init(&pf);
		ops.ctx = &pf;
		err = process(env.bytes, env.len, key, &ops, &m, &diag);
		expect_err(rows[r].file, TK_OK, err, &diag);
		expect_calls(rows[r].file, &pf, rows[r].calls);
		assert_int_equal(m.sequence_number, 3);
		assert_int_equal(m.component_count, 1);
		assert_int_equal(pf.stored_len, ta.len);
		assert_memory_equal(pf.stored, ta.bytes, ta.len);
		assert_int_equal(pf.sequence, 3);
	}
	tk_crypto_key_free(key);
}

/* Decode and authenticate: envelope fields and manifest fields. */
static void test_teep_examples_decode(void **state)
{
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static struct blob env;
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	read_annotated_hex("teep/suit_integrated.hex.txt", &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, &diag), TK_OK);
	assert_false(e.tagged);
	assert_int_equal(e.integrated_count, 1);
	assert_int_equal(e.integrated[0].name.len, 3);
	assert_memory_equal(e.integrated[0].name.ptr, "#tc", 3);
	assert_int_equal(e.integrated[0].payload.len, 20);
	assert_int_equal(tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag),
			 TK_OK);
	assert_int_equal(m.manifest_component_id.len, 44);
	assert_int_equal(m.manifest_component_id.ptr[0], 0x84);
	assert_int_equal(m.section_count, 2); /* install, uninstall */
	assert_int_equal(m.sections[0].section, TK_SUIT_SECTION_INSTALL);
	assert_int_equal(m.sections[1].section, TK_SUIT_SECTION_UNINSTALL);
	assert_int_equal(m.integrated_count, 1);
	tk_crypto_key_free(key);
}

/* The same envelope with tag 107 decodes and authenticates too. */
static void test_tagged_envelope(void **state)
{
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static struct blob env, tagged;
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	read_annotated_hex("teep/suit_uri.hex.txt", &env);
	tagged.bytes[0] = 0xd8;
	tagged.bytes[1] = 0x6b;
	memcpy(tagged.bytes + 2, env.bytes, env.len);
	tagged.len = env.len + 2;
	assert_int_equal(tk_suit_decode_envelope(tagged.bytes, tagged.len, &e, &diag), TK_OK);
	assert_true(e.tagged);
	assert_int_equal(tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag),
			 TK_OK);
	assert_int_equal(m.sequence_number, 3);

	/* Any other tag is rejected. */
	tagged.bytes[1] = 0x6c;
	assert_int_equal(tk_suit_decode_envelope(tagged.bytes, tagged.len, &e, &diag),
			 TK_ERR_SCHEMA_TYPE);
	tk_crypto_key_free(key);
}

/* manifest-spec examples 0-5 decode and authenticate. */
static void test_spec_examples_authenticate(void **state)
{
	static const struct {
		size_t components;
		uint64_t sequence;
		bool severed;     /* example 2 severs install and text */
	} rows[6] = {
		{1, 0, false}, {1, 1, false}, {1, 2, true},
		{1, 3, false}, {3, 4, false}, {2, 5, false},
	};
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static struct blob env;

	(void)state;
	for (int i = 0; i < 6; i++) {
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct tk_diag diag;
		char what[32];
		tk_err err;

		snprintf(what, sizeof(what), "example%d", i);
		tk_diag_clear(&diag);
		read_spec_example(i, &env);
		err = tk_suit_decode_envelope(env.bytes, env.len, &e, &diag);
		expect_err(what, TK_OK, err, &diag);
		assert_true(e.tagged);
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag);
		expect_err(what, TK_OK, err, &diag);
		assert_int_equal(m.component_count, rows[i].components);
		assert_int_equal(m.sequence_number, rows[i].sequence);
		assert_int_equal(e.severed_install.len > 0, rows[i].severed);
		assert_false(m.severed_missing);
	}
	tk_crypto_key_free(key);
}

/* Negative rows on suit_uri. */

enum mutation {
	MUT_NONE,
	MUT_SIGNATURE,     /* flip a bit of the COSE signature */
	MUT_MANIFEST,      /* flip a bit of the sequence number */
	MUT_WRONG_KEY,     /* verify with a fresh key */
	MUT_BODY,          /* fetch returns other bytes */
	MUT_VENDOR,        /* device asserts another vendor id */
	MUT_SEQ_EQUAL,     /* stored sequence number 3 */
	MUT_SEQ_HIGHER,    /* stored sequence number 4 */
	MUT_SEQ_LOWER,     /* stored sequence number 2: installs */
	MUT_NO_FETCH,      /* fetch hook NULL */
	MUT_NO_STORE,      /* stage_commit hook NULL */
	MUT_NO_IDENTIFIER, /* check_identifier hook NULL */
};

static size_t find_bytes(const struct blob *b, const uint8_t *pattern, size_t len)
{
	for (size_t i = 0; i + len <= b->len; i++) {
		if (memcmp(b->bytes + i, pattern, len) == 0)
			return i;
	}
	fail_msg("pattern not found");
	return 0;
}

static void test_negative_rows(void **state)
{
	static const struct {
		const char *what;
		enum mutation mutation;
		tk_err expected;
		size_t calls; /* platform calls made before the failure */
	} rows[] = {
		{"unchanged", MUT_NONE, TK_OK, 7},
		{"tampered signature", MUT_SIGNATURE, TK_ERR_SIGNATURE, 0},
		{"tampered manifest byte", MUT_MANIFEST, TK_ERR_DIGEST_MISMATCH, 0},
		{"wrong key", MUT_WRONG_KEY, TK_ERR_SIGNATURE, 0},
		{"digest mismatch", MUT_BODY, TK_ERR_DIGEST_MISMATCH, 5},
		{"vendor id mismatch", MUT_VENDOR, TK_ERR_CONDITION, 2},
		{"rollback equal", MUT_SEQ_EQUAL, TK_ERR_ROLLBACK, 1},
		{"rollback lower", MUT_SEQ_HIGHER, TK_ERR_ROLLBACK, 1},
		{"update from lower", MUT_SEQ_LOWER, TK_OK, 7},
		{"missing fetch hook", MUT_NO_FETCH, TK_ERR_UNSUPPORTED, 3},
		{"missing stage_commit hook", MUT_NO_STORE, TK_ERR_UNSUPPORTED, 3},
		{"missing identifier hook", MUT_NO_IDENTIFIER, TK_ERR_UNSUPPORTED, 1},
	};
	static const uint8_t sequence_3[] = {0x01, 0x01, 0x02, 0x03}; /* {1: 1, 2: 3 */
	static const uint8_t other_body[20] = "Hello, Evil World!!!";
	static const uint8_t other_vendor[16] = {1};
	struct tk_crypto_key *key = example_key();
	struct tk_crypto_key *wrong = fresh_key(TK_CRYPTO_KEY_P256);
	static struct blob original, env;

	(void)state;
	read_annotated_hex("teep/suit_uri.hex.txt", &original);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_platform_ops ops = full_ops_template;
		const struct tk_crypto_key *use = key;
		struct tk_suit_manifest m;
		struct platform pf;
		struct tk_diag diag;
		tk_err err;

		env = original;
		platform_init(&pf);
		ops.ctx = &pf;
		switch (rows[r].mutation) {
		case MUT_SIGNATURE:
			env.bytes[0x70] ^= 0x01; /* inside the 64-byte signature */
			break;
		case MUT_MANIFEST:
			env.bytes[find_bytes(&env, sequence_3, sizeof(sequence_3)) + 3] ^= 0x04;
			break;
		case MUT_WRONG_KEY:
			use = wrong;
			break;
		case MUT_BODY:
			pf.body = tk_span_make(other_body, sizeof(other_body));
			break;
		case MUT_VENDOR:
			pf.vendor_id = other_vendor;
			break;
		case MUT_SEQ_EQUAL:
		case MUT_SEQ_HIGHER:
		case MUT_SEQ_LOWER:
			pf.has_sequence = true;
			pf.sequence = rows[r].mutation == MUT_SEQ_EQUAL ? 3 :
				      rows[r].mutation == MUT_SEQ_HIGHER ? 4 : 2;
			break;
		case MUT_NO_FETCH:
			ops.fetch = NULL;
			break;
		case MUT_NO_STORE:
			ops.stage_commit = NULL;
			break;
		case MUT_NO_IDENTIFIER:
			ops.check_identifier = NULL;
			break;
		case MUT_NONE:
			break;
		}

		err = process(env.bytes, env.len, use, &ops, &m, &diag);
		expect_err(rows[r].what, rows[r].expected, err, &diag);
		if (pf.call_count != rows[r].calls)
			fail_msg("%s: expected %zu platform calls, got %zu", rows[r].what,
				 rows[r].calls, pf.call_count);
		if (rows[r].expected != TK_OK) {
			/* Nothing stored, sequence number unchanged. */
			assert_int_equal(pf.stored_len, 0);
			assert_int_equal(m.component_count, 0);
		}
	}
	tk_crypto_key_free(wrong);
	tk_crypto_key_free(key);
}

/* Every truncation of an envelope fails to decode. */
static void test_truncated_envelope(void **state)
{
	static struct blob env;
	struct tk_suit_envelope e;
	struct tk_diag diag;

	(void)state;
	read_annotated_hex("teep/suit_integrated.hex.txt", &env);
	for (size_t len = 1; len < env.len; len++) {
		tk_diag_clear(&diag);
		tk_err err = tk_suit_decode_envelope(env.bytes, len, &e, &diag);

		if (err == TK_OK)
			fail_msg("envelope truncated to %zu bytes decoded", len);
		assert_int_equal(e.manifest.len, 0);
	}
	tk_diag_clear(&diag);
	tk_err last = tk_suit_decode_envelope(env.bytes, env.len - 1, &e, &diag);
	if (last != TK_ERR_CBOR_TRUNCATED && last != TK_ERR_CBOR_LENGTH)
		fail_msg("truncated by one byte: got %s", tk_err_name(last));
}

/* Envelopes signed by the test: a manifest given as bytes, re-signed. */

static size_t sign_manifest(const uint8_t *manifest, size_t manifest_len,
			    const struct tk_crypto_key *key, uint8_t *out, size_t cap)
{
	uint8_t digest[32], item[40], sign1[128], auth[200];
	size_t item_len = 0, sign1_len = 0, auth_len = 0, out_len = 0;
	struct tk_cose_signer signer = {key, tk_cose_alg_for_key(key), TK_SPAN_EMPTY, false};
	struct tk_cose_sign_opts sopts = {true, true, TK_SPAN_EMPTY, false, 0};
	struct tk_cbor_enc enc;
	uint8_t bstr[WORK_CAP];
	size_t bstr_len = 0;

	tk_cbor_enc_init(&enc, bstr, sizeof(bstr), NULL);
	tk_cbor_put_bstr(&enc, manifest, manifest_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &bstr_len), TK_OK);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), bstr, bstr_len, digest, NULL),
			 TK_OK);

	tk_cbor_enc_init(&enc, item, sizeof(item), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, -16);
	tk_cbor_put_bstr(&enc, digest, 32);
	assert_int_equal(tk_cbor_enc_finish(&enc, &item_len), TK_OK);
	assert_int_equal(tk_cose_sign1_create(tk_crypto_openssl(), &signer, item, item_len,
					      &sopts, sign1, sizeof(sign1), &sign1_len, NULL),
			 TK_OK);

	tk_cbor_enc_init(&enc, auth, sizeof(auth), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_bstr(&enc, sign1, sign1_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &auth_len), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, auth, auth_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, bstr, bstr_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &out_len), TK_OK);
	return out_len;
}

/* The manifest of suit_uri with one byte patched, re-signed with key. */
static size_t patched_uri_envelope(const uint8_t *pattern, size_t pattern_len,
				   size_t at, uint8_t value,
				   const struct tk_crypto_key *key, uint8_t *out, size_t cap)
{
	static struct blob env;
	struct tk_suit_envelope e;
	uint8_t manifest[WORK_CAP];
	struct blob *view = &env;

	read_annotated_hex("teep/suit_uri.hex.txt", &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, NULL), TK_OK);
	assert_true(e.manifest.len <= sizeof(manifest));
	memcpy(manifest, e.manifest.ptr, e.manifest.len);
	(void)view;
	for (size_t i = 0; i + pattern_len <= e.manifest.len; i++) {
		if (memcmp(manifest + i, pattern, pattern_len) == 0) {
			manifest[i + at] = value;
			return sign_manifest(manifest, e.manifest.len, key, out, cap);
		}
	}
	fail_msg("pattern not found in the manifest");
	return 0;
}

static void test_unknown_commands(void **state)
{
	/* In install: fetch 15, image-match 15. */
	static const uint8_t fetch_then_match[] = {0x15, 0x0f, 0x03, 0x0f};
	static const struct {
		const char *what;
		uint8_t command;
		tk_err expected;
		const char *named;
	} rows[] = {
		{"unknown command 16", 0x10, TK_ERR_UNSUPPORTED, "unknown command 16"},
		{"invoke in install", 0x17, TK_ERR_UNSUPPORTED, "directive-invoke"},
		{"try-each without a list", 0x0f, TK_ERR_SCHEMA_TYPE, "directive-try-each"},
		{"abort", 0x0e, TK_ERR_CONDITION, "abort"},
		{"fetch kept", 0x15, TK_OK, NULL},
	};
	struct tk_crypto_key *key = fresh_key(TK_CRYPTO_KEY_ED25519);
	static uint8_t env[WORK_CAP];

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_platform_ops ops = full_ops_template;
		struct tk_suit_manifest m;
		struct platform pf;
		struct tk_diag diag;
		size_t len;
		tk_err err;

		len = patched_uri_envelope(fetch_then_match, sizeof(fetch_then_match), 0,
					   rows[r].command, key, env, sizeof(env));
		platform_init(&pf);
		ops.ctx = &pf;
		err = process(env, len, key, &ops, &m, &diag);
		expect_err(rows[r].what, rows[r].expected, err, &diag);
		if (rows[r].named != NULL && strstr(diag.msg, rows[r].named) == NULL)
			fail_msg("%s: message does not name %s: %s", rows[r].what,
				 rows[r].named, diag.msg);
		if (err != TK_OK)
			assert_int_equal(pf.stored_len, 0);
	}
	tk_crypto_key_free(key);
}

/* Envelope shapes built from the pieces of suit_uri. */
enum envelope_shape {
	SHAPE_UNKNOWN_KEY,     /* {2: auth, 3: manifest, 99: h''} */
	SHAPE_NO_MANIFEST,     /* {2: auth} */
	SHAPE_PAYLOAD_TEXT,    /* {2: auth, 3: manifest, "#tc": "text"} */
	SHAPE_OUT_OF_ORDER,    /* {3: manifest, 2: auth} */
	SHAPE_INDEFINITE,      /* indefinite-length map */
	SHAPE_NO_AUTH_BLOCK,   /* authentication wrapper [digest] */
	SHAPE_SEVERED_EXTRA,   /* {2: auth, 3: manifest, 20: h'...'} */
	SHAPE_NINE_INTEGRATED, /* {2: auth, 3: manifest, "#0": h'', ... "#8": h''} */
	SHAPE_FIVE_BLOCKS,     /* authentication wrapper [digest, block x 5] */
};

static size_t encode_shape(enum envelope_shape shape, uint8_t *out, size_t cap)
{
	static struct blob env;
	struct tk_suit_envelope e;
	struct tk_cbor_enc enc;
	struct tk_cbor_dec dec;
	struct tk_span auth_bstr, digest_item;
	uint64_t count = 0;
	size_t len = 0;

	read_annotated_hex("teep/suit_uri.hex.txt", &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, NULL), TK_OK);
	/* The encoded key-2 byte string: from the key's value to key 3. */
	auth_bstr = tk_span_make(env.bytes + 2, (size_t)(e.manifest_bstr.ptr - 1 - env.bytes - 2));

	tk_cbor_enc_init(&enc, out, cap, NULL);
	switch (shape) {
	case SHAPE_UNKNOWN_KEY:
	case SHAPE_PAYLOAD_TEXT:
	case SHAPE_SEVERED_EXTRA:
		tk_cbor_put_map(&enc, 3);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_raw(&enc, auth_bstr.ptr, auth_bstr.len);
		tk_cbor_put_uint(&enc, 3);
		tk_cbor_put_raw(&enc, e.manifest_bstr.ptr, e.manifest_bstr.len);
		if (shape == SHAPE_UNKNOWN_KEY) {
			tk_cbor_put_uint(&enc, 99);
			tk_cbor_put_bstr(&enc, NULL, 0);
		} else if (shape == SHAPE_PAYLOAD_TEXT) {
			tk_cbor_put_cstr(&enc, "#tc");
			tk_cbor_put_cstr(&enc, "text");
		} else {
			tk_cbor_put_uint(&enc, 20);
			tk_cbor_put_bstr(&enc, (const uint8_t *)"\x82\x03\x0f", 3);
		}
		break;
	case SHAPE_NO_MANIFEST:
		tk_cbor_put_map(&enc, 1);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_raw(&enc, auth_bstr.ptr, auth_bstr.len);
		break;
	case SHAPE_OUT_OF_ORDER:
		tk_cbor_put_map(&enc, 2);
		tk_cbor_put_uint(&enc, 3);
		tk_cbor_put_raw(&enc, e.manifest_bstr.ptr, e.manifest_bstr.len);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_raw(&enc, auth_bstr.ptr, auth_bstr.len);
		break;
	case SHAPE_INDEFINITE:
		assert_true(env.len + 1 <= cap);
		memcpy(out, env.bytes, env.len);
		out[0] = 0xbf; /* map of indefinite length */
		out[env.len] = 0xff;
		return env.len + 1;
	case SHAPE_NO_AUTH_BLOCK:
		assert_int_equal(tk_cbor_dec_init(&dec, e.auth_wrapper.ptr, e.auth_wrapper.len,
						  TK_CBOR_STRICT, NULL), TK_OK);
		assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
		assert_int_equal(tk_cbor_get_raw(&dec, &digest_item), TK_OK);
		tk_cbor_put_map(&enc, 2);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_bstr_begin(&enc);
		tk_cbor_put_array(&enc, 1);
		tk_cbor_put_raw(&enc, digest_item.ptr, digest_item.len);
		tk_cbor_put_bstr_end(&enc);
		tk_cbor_put_uint(&enc, 3);
		tk_cbor_put_raw(&enc, e.manifest_bstr.ptr, e.manifest_bstr.len);
		break;
	case SHAPE_NINE_INTEGRATED:
		tk_cbor_put_map(&enc, 2 + TK_SUIT_MAX_INTEGRATED + 1);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_raw(&enc, auth_bstr.ptr, auth_bstr.len);
		tk_cbor_put_uint(&enc, 3);
		tk_cbor_put_raw(&enc, e.manifest_bstr.ptr, e.manifest_bstr.len);
		for (int i = 0; i <= TK_SUIT_MAX_INTEGRATED; i++) {
			char name[3] = {'#', (char)('0' + i), '\0'};

			tk_cbor_put_cstr(&enc, name);
			tk_cbor_put_bstr(&enc, NULL, 0);
		}
		break;
	case SHAPE_FIVE_BLOCKS: {
		struct tk_span block;

		assert_int_equal(tk_cbor_dec_init(&dec, e.auth_wrapper.ptr, e.auth_wrapper.len,
						  TK_CBOR_STRICT, NULL), TK_OK);
		assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
		assert_int_equal(tk_cbor_get_raw(&dec, &digest_item), TK_OK);
		assert_int_equal(tk_cbor_get_raw(&dec, &block), TK_OK);
		tk_cbor_put_map(&enc, 2);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_bstr_begin(&enc);
		tk_cbor_put_array(&enc, 1 + TK_SUIT_MAX_AUTH_BLOCKS + 1);
		tk_cbor_put_raw(&enc, digest_item.ptr, digest_item.len);
		for (int i = 0; i <= TK_SUIT_MAX_AUTH_BLOCKS; i++)
			tk_cbor_put_raw(&enc, block.ptr, block.len);
		tk_cbor_put_bstr_end(&enc);
		tk_cbor_put_uint(&enc, 3);
		tk_cbor_put_raw(&enc, e.manifest_bstr.ptr, e.manifest_bstr.len);
		break;
	}
	}
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

static void test_envelope_rows(void **state)
{
	static const struct {
		const char *what;
		enum envelope_shape shape;
		tk_err decode_expected;
		tk_err authenticate_expected;
	} rows[] = {
		{"unknown envelope key", SHAPE_UNKNOWN_KEY, TK_ERR_SCHEMA_UNKNOWN, TK_OK},
		{"no manifest", SHAPE_NO_MANIFEST, TK_ERR_SCHEMA_MISSING, TK_OK},
		{"integrated payload as text", SHAPE_PAYLOAD_TEXT, TK_ERR_SCHEMA_TYPE, TK_OK},
		{"keys out of order", SHAPE_OUT_OF_ORDER, TK_ERR_CBOR_NOT_PREFERRED, TK_OK},
		{"indefinite-length map", SHAPE_INDEFINITE, TK_ERR_CBOR_INDEFINITE, TK_OK},
		{"no authentication block", SHAPE_NO_AUTH_BLOCK, TK_OK, TK_ERR_SCHEMA_MISSING},
		{"severed member not referenced", SHAPE_SEVERED_EXTRA, TK_OK,
		 TK_ERR_SCHEMA_VALUE},
		{"nine integrated payloads", SHAPE_NINE_INTEGRATED, TK_ERR_LIMIT_COUNT, TK_OK},
		{"five authentication blocks", SHAPE_FIVE_BLOCKS, TK_OK, TK_ERR_LIMIT_COUNT},
	};
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static uint8_t env[WORK_CAP];

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		size_t len = encode_shape(rows[r].shape, env, sizeof(env));
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_suit_decode_envelope(env, len, &e, &diag);
		expect_err(rows[r].what, rows[r].decode_expected, err, &diag);
		if (err != TK_OK)
			continue;
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag);
		expect_err(rows[r].what, rows[r].authenticate_expected, err, &diag);
	}

	/* An envelope over TK_SUIT_MAX_ENVELOPE_SIZE fails before it is read. */
	{
		uint8_t *big = calloc(1, TK_SUIT_MAX_ENVELOPE_SIZE + 1);
		struct tk_suit_envelope e;
		struct tk_diag diag;

		assert_non_null(big);
		tk_diag_clear(&diag);
		expect_err("envelope over the size limit", TK_ERR_LIMIT_SIZE,
			   tk_suit_decode_envelope(big, TK_SUIT_MAX_ENVELOPE_SIZE + 1, &e, &diag),
			   &diag);
		free(big);
	}

	/* Authentication needs at least one trusted key. */
	{
		static struct blob uri;
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct tk_diag diag;

		tk_diag_clear(&diag);
		read_annotated_hex("teep/suit_uri.hex.txt", &uri);
		assert_int_equal(tk_suit_decode_envelope(uri.bytes, uri.len, &e, &diag), TK_OK);
		expect_err("no trusted key", TK_ERR_UNTRUSTED,
			   tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 0, &m, &diag),
			   &diag);
	}
	tk_crypto_key_free(key);
}

/* Inputs of tk_suit_check_envelope_unauthenticated(), mostly made from suit_uri. */
enum unauthenticated_shape {
	UNAUTH_URI_EXAMPLE,        /* suit_uri as published */
	UNAUTH_INTEGRATED_EXAMPLE, /* suit_integrated as published */
	UNAUTH_EMPTY_WRAPPER,      /* {2: h'', 3: h''} */
	UNAUTH_WRAPPER_OF_INTS,    /* {2: << [0, 0] >>, 3: << {} >>} */
	UNAUTH_NO_BLOCK,           /* wrapper [digest] */
	UNAUTH_BLOCK_NOT_COSE,     /* wrapper [digest, h'01'] */
	UNAUTH_BLOCK_COSE_SIGN,    /* block 98([h'', {}, nil, []]) */
	UNAUTH_BLOCK_THREE_ITEMS,  /* block 18([h'', {}, nil]) */
	UNAUTH_BLOCK_MAC0,         /* block 17([h'', {}, nil, h'00']) */
	UNAUTH_SIGNATURE_ZEROED,   /* the signature bytes set to 0 */
	UNAUTH_DIGEST_ZEROED,      /* the SUIT digest bytes set to 0 */
	UNAUTH_MANIFEST_EMPTY_MAP, /* manifest {} with its correct digest */
	UNAUTH_COMMON_UNKNOWN_KEY, /* manifest {1: 1, 2: 1, 3: << {9: 0} >>}, correct digest */
};

/* Encode {2: << [<< digest >>, << block >> ...] >>, 3: manifest_bstr}. */
static size_t encode_wrapped(struct tk_span digest, const struct tk_span *blocks,
			     size_t block_count, struct tk_span manifest_bstr, uint8_t *out,
			     size_t cap)
{
	struct tk_cbor_enc enc;
	size_t len = 0;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_array(&enc, 1 + block_count);
	tk_cbor_put_bstr(&enc, digest.ptr, digest.len);
	for (size_t i = 0; i < block_count; i++)
		tk_cbor_put_bstr(&enc, blocks[i].ptr, blocks[i].len);
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, manifest_bstr.ptr, manifest_bstr.len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

static size_t encode_unauthenticated(enum unauthenticated_shape shape, uint8_t *out, size_t cap)
{
	static struct blob example;
	static uint8_t block_copy[512];
	static const uint8_t empty_wrapper[] = {0xa2, 0x02, 0x40, 0x03, 0x40};
	static const uint8_t wrapper_of_ints[] = {0xa2, 0x02, 0x43, 0x82, 0x00, 0x00,
						  0x03, 0x41, 0xa0};
	static const uint8_t not_cose[] = {0x01};
	static const uint8_t cose_sign[] = {0xd8, 0x62, 0x84, 0x40, 0xa0, 0xf6, 0x80};
	static const uint8_t three_items[] = {0xd2, 0x83, 0x40, 0xa0, 0xf6};
	static const uint8_t mac0[] = {0xd1, 0x84, 0x40, 0xa0, 0xf6, 0x41, 0x00};
	static const uint8_t empty_manifest_bstr[] = {0x41, 0xa0};
	static const uint8_t common_unknown_key_bstr[] = {0x4a, 0xa3, 0x01, 0x01, 0x02, 0x01,
							  0x03, 0x43, 0xa1, 0x09, 0x00};
	uint8_t digest_copy[64], sha[TK_SUIT_DIGEST_LEN];
	struct tk_suit_envelope e;
	struct tk_cbor_dec dec;
	struct tk_cbor_enc enc;
	struct tk_span digest, block, replaced;
	uint64_t count = 0;
	size_t len = 0;

	read_annotated_hex(shape == UNAUTH_INTEGRATED_EXAMPLE ? "teep/suit_integrated.hex.txt"
							       : "teep/suit_uri.hex.txt",
			   &example);
	if (shape == UNAUTH_URI_EXAMPLE || shape == UNAUTH_INTEGRATED_EXAMPLE) {
		assert_true(example.len <= cap);
		memcpy(out, example.bytes, example.len);
		return example.len;
	}
	if (shape == UNAUTH_EMPTY_WRAPPER || shape == UNAUTH_WRAPPER_OF_INTS) {
		const uint8_t *bytes = shape == UNAUTH_EMPTY_WRAPPER ? empty_wrapper
								      : wrapper_of_ints;
		len = shape == UNAUTH_EMPTY_WRAPPER ? sizeof(empty_wrapper)
						    : sizeof(wrapper_of_ints);
		memcpy(out, bytes, len);
		return len;
	}

	/* The digest and the one COSE_Sign1 block of suit_uri. */
	assert_int_equal(tk_suit_decode_envelope(example.bytes, example.len, &e, NULL), TK_OK);
	assert_int_equal(tk_cbor_dec_init(&dec, e.auth_wrapper.ptr, e.auth_wrapper.len,
					  TK_CBOR_STRICT, NULL), TK_OK);
	assert_int_equal(tk_cbor_enter_array(&dec, &count), TK_OK);
	assert_int_equal(count, 2);
	assert_int_equal(tk_cbor_get_bstr(&dec, &digest), TK_OK);
	assert_int_equal(tk_cbor_get_bstr(&dec, &block), TK_OK);

	switch (shape) {
	case UNAUTH_NO_BLOCK:
		return encode_wrapped(digest, NULL, 0, e.manifest_bstr, out, cap);
	case UNAUTH_BLOCK_NOT_COSE:
		replaced = tk_span_make(not_cose, sizeof(not_cose));
		break;
	case UNAUTH_BLOCK_COSE_SIGN:
		replaced = tk_span_make(cose_sign, sizeof(cose_sign));
		break;
	case UNAUTH_BLOCK_THREE_ITEMS:
		replaced = tk_span_make(three_items, sizeof(three_items));
		break;
	case UNAUTH_BLOCK_MAC0:
		replaced = tk_span_make(mac0, sizeof(mac0));
		break;
	case UNAUTH_SIGNATURE_ZEROED:
		/* The signature is the last 64 bytes of the ESP256 block. */
		assert_true(block.len <= sizeof(block_copy) && block.len > 64);
		memcpy(block_copy, block.ptr, block.len);
		memset(block_copy + block.len - 64, 0, 64);
		replaced = tk_span_make(block_copy, block.len);
		break;
	case UNAUTH_DIGEST_ZEROED:
		/* The digest bytes are the last 32 bytes of the SUIT_Digest. */
		assert_true(digest.len <= sizeof(digest_copy) && digest.len > 32);
		memcpy(digest_copy, digest.ptr, digest.len);
		memset(digest_copy + digest.len - 32, 0, 32);
		return encode_wrapped(tk_span_make(digest_copy, digest.len), &block, 1,
				      e.manifest_bstr, out, cap);
	case UNAUTH_MANIFEST_EMPTY_MAP:
	case UNAUTH_COMMON_UNKNOWN_KEY:
		replaced = shape == UNAUTH_MANIFEST_EMPTY_MAP
				   ? tk_span_make(empty_manifest_bstr, sizeof(empty_manifest_bstr))
				   : tk_span_make(common_unknown_key_bstr,
						  sizeof(common_unknown_key_bstr));
		assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), replaced.ptr,
						  replaced.len, sha, NULL),
				 TK_OK);
		tk_cbor_enc_init(&enc, digest_copy, sizeof(digest_copy), NULL);
		tk_cbor_put_array(&enc, 2);
		tk_cbor_put_int(&enc, TK_SUIT_ALG_SHA256);
		tk_cbor_put_bstr(&enc, sha, sizeof(sha));
		assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
		return encode_wrapped(tk_span_make(digest_copy, len), &block, 1, replaced, out,
				      cap);
	default:
		fail_msg("shape %d has no encoding", (int)shape);
	}
	return encode_wrapped(digest, &replaced, 1, e.manifest_bstr, out, cap);
}

/*
 * The check without a key rejects what authentication rejects for the
 * envelope's form, and nothing for a signature it cannot check.
 */
static void test_check_unauthenticated(void **state)
{
	static const struct {
		const char *what;
		enum unauthenticated_shape shape;
		tk_err check_expected;
		tk_err authenticate_expected;
		const char *named;      /* text the failure message must contain */
		size_t offset;          /* expected offset, or SIZE_MAX for any */
	} rows[] = {
		{"uri example", UNAUTH_URI_EXAMPLE, TK_OK, TK_OK, NULL, SIZE_MAX},
		{"integrated example", UNAUTH_INTEGRATED_EXAMPLE, TK_OK, TK_OK, NULL, SIZE_MAX},
		{"empty wrapper and manifest", UNAUTH_EMPTY_WRAPPER, TK_ERR_CBOR_TRUNCATED,
		 TK_ERR_CBOR_TRUNCATED, "authentication wrapper", 3},
		{"wrapper of integers", UNAUTH_WRAPPER_OF_INTS, TK_ERR_SCHEMA_TYPE,
		 TK_ERR_SCHEMA_TYPE, "authentication wrapper", 4},
		{"no authentication block", UNAUTH_NO_BLOCK, TK_ERR_SCHEMA_MISSING,
		 TK_ERR_SCHEMA_MISSING, "authentication wrapper", SIZE_MAX},
		{"block not COSE", UNAUTH_BLOCK_NOT_COSE, TK_ERR_SCHEMA_TAG,
		 TK_ERR_UNSUPPORTED, "authentication block 1", SIZE_MAX},
		{"COSE_Sign block", UNAUTH_BLOCK_COSE_SIGN, TK_ERR_UNSUPPORTED,
		 TK_ERR_UNSUPPORTED, "authentication block 1", SIZE_MAX},
		{"block of three items", UNAUTH_BLOCK_THREE_ITEMS, TK_ERR_SCHEMA_LENGTH,
		 TK_ERR_SCHEMA_LENGTH, "authentication block 1", SIZE_MAX},
		{"COSE_Mac0 block", UNAUTH_BLOCK_MAC0, TK_OK, TK_ERR_UNSUPPORTED, NULL, SIZE_MAX},
		{"signature zeroed", UNAUTH_SIGNATURE_ZEROED, TK_OK, TK_ERR_SIGNATURE, NULL,
		 SIZE_MAX},
		{"digest zeroed", UNAUTH_DIGEST_ZEROED, TK_ERR_DIGEST_MISMATCH,
		 TK_ERR_DIGEST_MISMATCH, "authentication wrapper digest", SIZE_MAX},
		{"manifest an empty map", UNAUTH_MANIFEST_EMPTY_MAP, TK_ERR_SCHEMA_MISSING,
		 TK_ERR_SIGNATURE, "manifest", SIZE_MAX},
		{"unknown key in common", UNAUTH_COMMON_UNKNOWN_KEY, TK_ERR_SCHEMA_UNKNOWN,
		 TK_ERR_SIGNATURE, "suit-common key 9", SIZE_MAX},
	};
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static uint8_t env[WORK_CAP];

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		size_t len = encode_unauthenticated(rows[r].shape, env, sizeof(env));
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tk_suit_decode_envelope(env, len, &e, &diag);
		expect_err(rows[r].what, TK_OK, err, &diag);

		err = tk_suit_check_envelope_unauthenticated(&e, tk_crypto_openssl(), &diag);
		expect_err(rows[r].what, rows[r].check_expected, err, &diag);
		if (rows[r].named != NULL && strstr(diag.msg, rows[r].named) == NULL)
			fail_msg("%s: message does not name %s: %s", rows[r].what,
				 rows[r].named, diag.msg);
		if (err != TK_OK && diag.offset != TK_DIAG_NO_OFFSET && diag.offset >= len)
			fail_msg("%s: offset %zu is outside the %zu-byte envelope",
				 rows[r].what, diag.offset, len);
		if (rows[r].offset != SIZE_MAX)
			assert_int_equal(diag.offset, rows[r].offset);
		/* The common map starts 8 bytes into the manifest's content. */
		if (rows[r].shape == UNAUTH_COMMON_UNKNOWN_KEY)
			assert_in_range(diag.offset, (size_t)(e.manifest.ptr - env) + 8, len - 1);

		tk_diag_clear(&diag);
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag);
		expect_err(rows[r].what, rows[r].authenticate_expected, err, &diag);
	}
	tk_crypto_key_free(key);
}

/* A severed install member must match the digest in the manifest. */
static void test_severed_member_tampered(void **state)
{
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	static struct blob env;
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	struct tk_diag diag;
	size_t at;

	(void)state;
	tk_diag_clear(&diag);
	read_spec_example(2, &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, &diag), TK_OK);
	assert_true(e.severed_install.len > 4);
	at = (size_t)(e.severed_install.ptr - env.bytes) + e.severed_install.len - 1;
	env.bytes[at] ^= 0x01;
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, &diag), TK_OK);
	expect_err("tampered severed install", TK_ERR_DIGEST_MISMATCH,
		   tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag), &diag);
	tk_crypto_key_free(key);
}

/* Hand-made manifests, signed with a test key: shape and command rows. */

/* [20, {1: vendor, 2: class}, 1, 15, 2, 15] and the same after
 * [12, true] for manifests with several components. */
static const char shared_one_hex[] =
	"8614a20150c0ddd5f15243566087db4f5b0aa26c2f0250db42f7093d8c55baa8c5265fc5820f4e010f020f";
static const char shared_all_hex[] =
	"880cf514a20150c0ddd5f15243566087db4f5b0aa26c2f0250db42f7093d8c55baa8c5265fc5820f4e010f020f";

struct manifest_spec {
	const char *what;
	uint64_t version;
	size_t components;       /* ids [h'00'], [h'01'], ... */
	bool dependencies;       /* suit-common has suit-dependencies */
	bool component_id;       /* has a manifest component id */
	bool out_of_order;       /* sequence number written before version */
	const char *install_hex; /* install sequence; "many" for 65 commands */
	tk_err authenticate_expected;
	tk_err process_expected;
	size_t stores;
	const char *named;       /* text the failure message must contain */
};

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
	return hex_decode(hex, strlen(hex), out, cap);
}

static size_t encode_spec_manifest(const struct manifest_spec *spec, uint8_t *out, size_t cap)
{
	uint8_t shared[128], install[512];
	size_t shared_len, install_len = 0, len = 0;
	struct tk_cbor_enc enc;

	shared_len = hex_to_bytes(spec->components > 1 ? shared_all_hex : shared_one_hex,
				  shared, sizeof(shared));
	if (strcmp(spec->install_hex, "many") == 0) {
		tk_cbor_enc_init(&enc, install, sizeof(install), NULL);
		tk_cbor_put_array(&enc, 2 * (TK_SUIT_MAX_COMMANDS + 1));
		for (int i = 0; i <= TK_SUIT_MAX_COMMANDS; i++) {
			tk_cbor_put_uint(&enc, 1);
			tk_cbor_put_uint(&enc, 15);
		}
		assert_int_equal(tk_cbor_enc_finish(&enc, &install_len), TK_OK);
	} else {
		install_len = hex_to_bytes(spec->install_hex, install, sizeof(install));
	}

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 4 + (spec->component_id ? 1 : 0));
	if (spec->out_of_order) {
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_uint(&enc, 1);
		tk_cbor_put_uint(&enc, 1);
		tk_cbor_put_uint(&enc, spec->version);
	} else {
		tk_cbor_put_uint(&enc, 1);
		tk_cbor_put_uint(&enc, spec->version);
		tk_cbor_put_uint(&enc, 2);
		tk_cbor_put_uint(&enc, 1);
	}
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_map(&enc, spec->dependencies ? 3 : 2);
	if (spec->dependencies) {
		tk_cbor_put_uint(&enc, 1);
		tk_cbor_put_map(&enc, 1);
		tk_cbor_put_uint(&enc, 0);
		tk_cbor_put_map(&enc, 0);
	}
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_array(&enc, spec->components);
	for (size_t i = 0; i < spec->components; i++) {
		uint8_t id = (uint8_t)i;

		tk_cbor_put_array(&enc, 1);
		tk_cbor_put_bstr(&enc, &id, 1);
	}
	tk_cbor_put_uint(&enc, 4);
	tk_cbor_put_bstr(&enc, shared, shared_len);
	tk_cbor_put_bstr_end(&enc);
	if (spec->component_id) {
		tk_cbor_put_uint(&enc, 5);
		tk_cbor_put_array(&enc, 1);
		tk_cbor_put_bstr(&enc, (const uint8_t *)"m", 1);
	}
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_bstr(&enc, install, install_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

static void test_manifest_rows(void **state)
{
	static const struct manifest_spec rows[] = {
		{"keys out of order", 1, 1, false, true, true, "82030f",
		 TK_ERR_CBOR_NOT_PREFERRED, TK_OK, 0, "canonical order"},
		{"version 2", 2, 1, false, true, false, "82030f",
		 TK_ERR_UNSUPPORTED, TK_OK, 0, "version 2"},
		{"nine components", 1, 9, false, true, false, "82030f",
		 TK_ERR_LIMIT_COUNT, TK_OK, 0, "9 components"},
		{"dependencies", 1, 1, true, true, false, "82030f",
		 TK_OK, TK_ERR_UNSUPPORTED, 0, "dependencies"},
		/* Without a manifest component id the component list keys the
		 * sequence number, and install runs. */
		{"no manifest component id", 1, 1, false, false, false, "82030f",
		 TK_OK, TK_ERR_CONDITION, 0, "no image digest"},
		/* [20, {18: 'ABC'}, 18, 15, 6, 15]: write, check-content */
		{"write and check content", 1, 1, false, true, false,
		 "8614a11243414243120f060f", TK_OK, TK_OK, 1, NULL},
		/* [20, {21: "ftp://example.org/ta"}, 21, 15] */
		{"ftp uri", 1, 1, false, true, false,
		 "8414a115746674703a2f2f6578616d706c652e6f72672f7461150f",
		 TK_OK, TK_ERR_UNSUPPORTED, 0, "scheme"},
		/* [20, {13: true}] */
		{"soft failure outside try-each", 1, 1, false, true, false, "8214a10df5",
		 TK_OK, TK_ERR_SCHEMA_VALUE, 0, "soft-failure"},
		/* [20, {21: "#x"}, 21, 15] */
		{"integrated payload missing", 1, 1, false, true, false,
		 "8414a115622378150f", TK_OK, TK_ERR_NOT_FOUND, 0, "#x"},
		/* [20, {14: 4, 21: "https://example.org/ta"}, 21, 15] */
		{"fetch over image size", 1, 1, false, true, false,
		 "8414a20e04157668747470733a2f2f6578616d706c652e6f72672f7461150f",
		 TK_OK, TK_ERR_LIMIT_SIZE, 0, "larger than 4"},
		/* [12, 0, 20, {18: 'ABC'}, 18, 15, 12, 1, 20, {22: 0}, 22, 15,
		 *  20, {18: 'ABC'}, 6, 15]: write 0, copy 0 to 1, check 1 */
		{"copy between components", 1, 2, false, true, false,
		 "900c0014a11243414243120f0c0114a11600160f14a11243414243060f",
		 TK_OK, TK_OK, 2, NULL},
		/* [12, true, 20, {18: 'A'}, 18, 15] */
		{"component index true", 1, 2, false, true, false, "860cf514a1124141120f",
		 TK_OK, TK_OK, 2, NULL},
		/* [20, {18: 'A'}, 18, 15] with two components */
		{"no component index", 1, 2, false, true, false, "8414a1124141120f",
		 TK_OK, TK_ERR_SCHEMA_VALUE, 0, "before set-component-index"},
		/* [3, 15] with no digest set */
		{"image match without digest", 1, 1, false, true, false, "82030f",
		 TK_OK, TK_ERR_CONDITION, 0, "no image digest"},
		{"too many commands", 1, 1, false, true, false, "many",
		 TK_OK, TK_ERR_LIMIT_COUNT, 0, "65 commands"},
		/* [20, {3: << [-16, digest of the example TA] >>}, 3, 15]: the
		 * installed image is read through the read hook */
		{"image match on installed image", 1, 1, false, true, false,
		 "8414a1035824822f58208cf71ac86af31be184ec7a05a411a8c3a14fd9b77a30d0463974"
		 "81469468ece8030f", TK_OK, TK_OK, 0, NULL},
		/* the same with a digest of zeros */
		{"installed image mismatch", 1, 1, false, true, false,
		 "8414a1035824822f58200000000000000000000000000000000000000000000000000000"
		 "000000000000030f", TK_OK, TK_ERR_DIGEST_MISMATCH, 0, "image-match"},
		/* [12, 1, 20, {22: 0}, 22, 15, 20, {3: << digest >>}, 3, 15]: copy
		 * the installed component 0 into component 1, then check it */
		{"copy from installed component", 1, 2, false, true, false,
		 "8a0c0114a11600160f14a1035824822f58208cf71ac86af31be184ec7a05a411a8c3a14f"
		 "d9b77a30d046397481469468ece8030f", TK_OK, TK_OK, 1, NULL},
		/* [20, {21: "https://example.org/ta"}, 21, 15], no image-match */
		{"fetch without image match", 1, 1, false, true, false,
		 "8414a1157668747470733a2f2f6578616d706c652e6f72672f7461150f",
		 TK_OK, TK_ERR_POLICY, 0, "not checked"},
	};
	struct tk_crypto_key *key = fresh_key(TK_CRYPTO_KEY_P256);
	const struct tk_crypto_key *keys[1] = {key};
	static uint8_t manifest[WORK_CAP], env[WORK_CAP], work[WORK_CAP];

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_platform_ops ops = full_ops_template;
		struct tk_suit_process_opts opts = {&ops, tk_crypto_openssl(), work,
						    sizeof(work), NULL, NULL, 0};
		size_t manifest_len = encode_spec_manifest(&rows[r], manifest, sizeof(manifest));
		size_t env_len = sign_manifest(manifest, manifest_len, key, env, sizeof(env));
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct platform pf;
		struct tk_diag diag;
		size_t stores = 0;
		tk_err err;

		tk_diag_clear(&diag);
		platform_init(&pf);
		ops.ctx = &pf;
		assert_int_equal(tk_suit_decode_envelope(env, env_len, &e, &diag), TK_OK);
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag);
		expect_err(rows[r].what, rows[r].authenticate_expected, err, &diag);
		if (err == TK_OK) {
			err = tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, &opts, &diag);
			expect_err(rows[r].what, rows[r].process_expected, err, &diag);
		}
		if (rows[r].named != NULL && strstr(diag.msg, rows[r].named) == NULL)
			fail_msg("%s: message does not name \"%s\": %s", rows[r].what,
				 rows[r].named, diag.msg);
		for (size_t i = 0; i < pf.call_count; i++)
			stores += strncmp(pf.calls[i], "store ", 6) == 0;
		if (stores != rows[r].stores)
			fail_msg("%s: expected %zu stores, got %zu", rows[r].what,
				 rows[r].stores, stores);
		if (rows[r].stores > 0) {
			assert_int_equal(pf.sequence, 1);
			assert_true(pf.stored_len == 3 || pf.stored_len == 1 ||
				    pf.stored_len == ta.len);
		}
	}
	tk_crypto_key_free(key);
}

/* Builder. */

static const uint8_t ta_component_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74,
	0x42, 't', 'a'};
static const uint8_t suit_component_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74,
	0x44, 's', 'u', 'i', 't'};

static struct tk_suit_build_params example_params(const struct tk_crypto_key *key,
						  bool integrated)
{
	struct tk_suit_build_params bp;

	memset(&bp, 0, sizeof(bp));
	bp.component_id = tk_span_make(ta_component_id, sizeof(ta_component_id));
	bp.manifest_component_id = tk_span_make(suit_component_id, sizeof(suit_component_id));
	bp.sequence_number = 3;
	bp.vendor_id = example_vendor_id;
	bp.class_id = example_class_id;
	bp.image = tk_span_make(ta.bytes, ta.len);
	bp.uri = integrated ? NULL : example_uri;
	bp.integrated_name = integrated ? "#tc" : NULL;
	bp.signer = key;
	bp.crypto = tk_crypto_openssl();
	return bp;
}

/* Run the Python oracle on a built envelope. */
static void check_with_oracle(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
			      const char *name)
{
	char env_path[512], key_path[512], command[2048];
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	FILE *f;

	snprintf(env_path, sizeof(env_path), "%s/test_suit_%s.cbor", TK_BINARY_DIR, name);
	snprintf(key_path, sizeof(key_path), "%s/test_suit_%s.pub.pem", TK_BINARY_DIR, name);
	assert_int_equal(tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &pem_len, NULL),
			 TK_OK);
	f = fopen(env_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(env, 1, len, f), len);
	fclose(f);
	f = fopen(key_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pem, 1, pem_len, f), pem_len);
	fclose(f);

	snprintf(command, sizeof(command),
		 "/usr/bin/python3 %s/tests/suit/check_envelope.py %s %s", TK_SOURCE_DIR,
		 env_path, key_path);
	if (system(command) != 0)
		fail_msg("%s: the Python oracle rejected the envelope", name);
	remove(env_path);
	remove(key_path);
}

static void test_builder_round_trip(void **state)
{
	static const struct {
		const char *name;
		enum tk_crypto_key_type type;
		bool integrated;
		const char *vector;        /* TEEP example with the same manifest */
		const char *const *calls;
	} rows[] = {
		{"esp256_uri", TK_CRYPTO_KEY_P256, false, "teep/suit_uri.hex.txt", calls_uri},
		{"esp256_integrated", TK_CRYPTO_KEY_P256, true,
		 "teep/suit_integrated.hex.txt", calls_integrated},
		{"ed25519_uri", TK_CRYPTO_KEY_ED25519, false, "teep/suit_uri.hex.txt",
		 calls_uri},
		{"ed25519_integrated", TK_CRYPTO_KEY_ED25519, true,
		 "teep/suit_integrated.hex.txt", calls_integrated},
	};
	static uint8_t out[WORK_CAP];
	static struct blob vector;

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_crypto_key *key = rows[r].type == TK_CRYPTO_KEY_P256 ?
					    example_key() : fresh_key(rows[r].type);
		struct tk_suit_build_params bp = example_params(key, rows[r].integrated);
		struct tk_suit_platform_ops ops = full_ops_template;
		struct tk_suit_envelope built, expected;
		struct tk_suit_manifest m;
		struct platform pf;
		struct tk_diag diag;
		size_t len = 0, bound = 0;
		tk_err err;

		tk_diag_clear(&diag);
		assert_int_equal(tk_suit_build_envelope(&bp, NULL, 0, &bound, &diag), TK_OK);
		err = tk_suit_build_envelope(&bp, out, sizeof(out), &len, &diag);
		expect_err(rows[r].name, TK_OK, err, &diag);
		assert_true(len <= bound);

		/* The manifest is the example's, byte for byte. */
		read_annotated_hex(rows[r].vector, &vector);
		assert_int_equal(tk_suit_decode_envelope(out, len, &built, &diag), TK_OK);
		assert_int_equal(tk_suit_decode_envelope(vector.bytes, vector.len, &expected,
							 &diag), TK_OK);
		assert_int_equal(built.manifest_bstr.len, expected.manifest_bstr.len);
		assert_memory_equal(built.manifest_bstr.ptr, expected.manifest_bstr.ptr,
				    expected.manifest_bstr.len);
		assert_int_equal(built.integrated_count, rows[r].integrated ? 1 : 0);
		if (rows[r].type == TK_CRYPTO_KEY_P256) {
			/* Same length as the example: only the signature differs. */
			assert_int_equal(len, vector.len);
		}

		platform_init(&pf);
		ops.ctx = &pf;
		err = process(out, len, key, &ops, &m, &diag);
		expect_err(rows[r].name, TK_OK, err, &diag);
		expect_calls(rows[r].name, &pf, rows[r].calls);
		assert_memory_equal(pf.stored, ta.bytes, ta.len);

		check_with_oracle(out, len, key, rows[r].name);
		tk_crypto_key_free(key);
	}
}

static void test_builder_rejects_bad_params(void **state)
{
	static const uint8_t not_an_id[] = {0x41, 0x00};
	struct tk_crypto_key *key = fresh_key(TK_CRYPTO_KEY_ED25519);
	static uint8_t out[WORK_CAP];
	static const struct {
		const char *what;
		int change;
		tk_err expected;
	} rows[] = {
		{"uri and integrated", 1, TK_ERR_ARG},
		{"neither uri nor integrated", 2, TK_ERR_ARG},
		{"ftp uri", 3, TK_ERR_ARG},
		{"name without #", 4, TK_ERR_ARG},
		{"component id not an array", 5, TK_ERR_ARG},
		{"missing signer", 6, TK_ERR_ARG},
	};

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_build_params bp = example_params(key, false);
		struct tk_diag diag;
		size_t len = 99;
		tk_err err;

		switch (rows[r].change) {
		case 1: bp.integrated_name = "#tc"; break;
		case 2: bp.uri = NULL; break;
		case 3: bp.uri = "ftp://example.org/ta"; break;
		case 4: bp.uri = NULL; bp.integrated_name = "tc"; break;
		case 5: bp.component_id = tk_span_make(not_an_id, sizeof(not_an_id)); break;
		default: bp.signer = NULL; break;
		}
		tk_diag_clear(&diag);
		err = tk_suit_build_envelope(&bp, out, sizeof(out), &len, &diag);
		if (rows[r].change == 5)
			assert_int_not_equal(err, TK_OK);
		else
			expect_err(rows[r].what, rows[r].expected, err, &diag);
		assert_int_equal(len, 0);
	}
	tk_crypto_key_free(key);
}

/* Uninstall runs the shared sequence and unlinks the component. */
static void test_uninstall(void **state)
{
	static const char *const calls[] = {
		"check_identifier vendor",
		"check_identifier class",
		"unlink id 42 bytes",
		NULL,
	};
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_platform_ops ops = full_ops_template;
	static uint8_t work[WORK_CAP];
	struct tk_suit_process_opts opts = {&ops, tk_crypto_openssl(), work, sizeof(work), NULL, NULL, 0};
	static struct blob env;
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	struct platform pf;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	platform_init(&pf);
	ops.ctx = &pf;
	read_annotated_hex("teep/suit_uri.hex.txt", &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, &diag), TK_OK);
	assert_int_equal(tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag),
			 TK_OK);
	expect_err("uninstall", TK_OK,
		   tk_suit_process(&m, TK_SUIT_PROCEDURE_UNINSTALL, &opts, &diag), &diag);
	expect_calls("uninstall", &pf, calls);
	/* suit_uri has no validate, load or invoke section. */
	pf.call_count = 0;
	expect_err("invoke", TK_OK,
		   tk_suit_process(&m, TK_SUIT_PROCEDURE_INVOKE, &opts, &diag), &diag);
	assert_int_equal(pf.call_count, 0);
	tk_crypto_key_free(key);
}

/* Names for the diagnostic printer. */
static void test_names(void **state)
{
	static const int64_t manifest_path[] = {3};
	static const int64_t install_path[] = {3, 20};
	static const int64_t shared_path[] = {3, 3, 4};
	static const int64_t dependency_path[] = {3, 3, 1, 1};
	static const int64_t text_path[] = {3, 23, INT64_MIN};
	static const int64_t severed_text_path[] = {23, INT64_MIN};
	static const int64_t component_text_path[] = {23, INT64_MIN, INT64_MIN};

	(void)state;
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, NULL, 0, 2),
			    "authentication-wrapper");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, manifest_path, 1, 5),
			    "manifest-component-id");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, install_path, 2, 21), "uri");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, shared_path, 3, 14),
			    "image-size");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, install_path, 2, 19),
			    "encryption-info");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, dependency_path, 4, 1),
			    "dependency-prefix");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, text_path, 3, 1),
			    "manifest-description");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, severed_text_path, 2, 4),
			    "manifest-yaml-source");
	assert_string_equal(tk_suit_cbor_names.key_name(NULL, component_text_path, 3, 6),
			    "component-version");
	assert_null(tk_suit_cbor_names.key_name(NULL, component_text_path, 3, 7));
	assert_string_equal(tk_suit_cbor_names.tag_name(NULL, 107), "SUIT_Envelope_Tagged");
	assert_string_equal(tk_suit_command_name(21), "directive-fetch");
	assert_null(tk_suit_command_name(30));
	assert_string_equal(tk_suit_section_name(TK_SUIT_SECTION_INSTALL), "install");
}

static int setup(void **state)
{
	(void)state;
	read_vector("teep/8d82573a-926d-4754-9353-32dc29997f74.ta", &ta);
	return ta.len == 20 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teep_examples_install),
		cmocka_unit_test(test_teep_examples_decode),
		cmocka_unit_test(test_tagged_envelope),
		cmocka_unit_test(test_spec_examples_authenticate),
		cmocka_unit_test(test_negative_rows),
		cmocka_unit_test(test_truncated_envelope),
		cmocka_unit_test(test_unknown_commands),
		cmocka_unit_test(test_manifest_rows),
		cmocka_unit_test(test_envelope_rows),
		cmocka_unit_test(test_check_unauthenticated),
		cmocka_unit_test(test_severed_member_tampered),
		cmocka_unit_test(test_builder_round_trip),
		cmocka_unit_test(test_builder_rejects_bad_params),
		cmocka_unit_test(test_uninstall),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
