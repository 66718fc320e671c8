/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conformance tests of the SUIT processor (draft-ietf-suit-manifest-37,
 * draft-ietf-suit-trust-domains-11) against a recording platform: the
 * manifest-spec examples 0-5, the TEEP examples including the
 * personalization manifest with its dependency, and tables of rows for
 * every condition, the control flow, the limits and the dependency rules.
 * Each process test compares the platform calls made, in order.
 *
 * The examples carry placeholder image digests, so besides the published
 * envelopes (whose image-match fails) the tests run copies whose digests
 * are those of generated payloads of the published sizes, re-signed with
 * the published example key.
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
#include "suit/tk_suit_encryption.h"

#define MAX_FILE (256 * 1024)
#define MAX_CALLS 64
#define CALL_LEN 128
#define MAX_IMAGE (80 * 1024)
#define MAX_INSTALLED 4
#define MAX_AREAS TK_SUIT_MAX_STAGING_AREAS
#define ENV_CAP 8192

/* Sizes of the two images of the manifest-spec examples (image-size). */
#define IMAGE_A_SIZE 34768
#define IMAGE_B_SIZE 76834

/* Placeholder digests of the manifest-spec examples. */
static const uint8_t placeholder_a[32] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t placeholder_b[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

/* Identifiers of the manifest-spec examples and of the TEEP examples. */
static const uint8_t spec_vendor_id[16] = {
	0xfa, 0x6b, 0x4a, 0x53, 0xd5, 0xad, 0x5f, 0xdf, 0xbe, 0x9d, 0xe6, 0x63, 0xe4, 0xd4, 0x1f, 0xfe};
static const uint8_t spec_class_id[16] = {
	0x14, 0x92, 0xaf, 0x14, 0x25, 0x69, 0x5e, 0x48, 0xbf, 0x42, 0x9b, 0x2d, 0x51, 0xf2, 0xab, 0x45};
static const uint8_t teep_vendor_id[16] = {
	0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60, 0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f};
static const uint8_t teep_class_id[16] = {
	0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba, 0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e};
static const uint8_t device_id[16] = {
	0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04};

static uint8_t image_a[IMAGE_A_SIZE], image_b[IMAGE_B_SIZE];

/* Files. */

struct blob {
	uint8_t bytes[MAX_FILE];
	size_t len;
};

static void read_vector(const char *relative, struct blob *out)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TK_VECTORS_DIR, relative);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	out->len = fread(out->bytes, 1, sizeof(out->bytes), f);
	fclose(f);
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

/* Decode the hex digits of text, skipping anything else. */
static size_t hex_decode(const char *text, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (size_t i = 0; i < len; i++) {
		int v = hex_value((unsigned char)text[i]);

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
		size_t end = i, stop = i;

		while (end < text.len && text.bytes[end] != '\n')
			end++;
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

static struct tk_crypto_key *example_key(void)
{
	static struct blob pem;
	struct tk_crypto_key *key = NULL;

	read_vector("suit/manifest-spec/private_key.pem", &pem);
	assert_int_equal(tk_crypto_key_import_pem(tk_crypto_openssl(), pem.bytes, pem.len, &key,
						  NULL), TK_OK);
	return key;
}

/* Recording platform. */

struct installed {
	uint8_t id[64];
	size_t id_len;
	uint8_t data[MAX_IMAGE];
	size_t len;
};

struct served {
	const char *uri;
	struct tk_span body;
};

struct link {
	uint8_t holder[64], target[64];
	size_t holder_len, target_len;
};

struct platform {
	char calls[MAX_CALLS][CALL_LEN];
	size_t call_count;
	const uint8_t *vendor_id, *class_id;
	uint64_t slot;                 /* slot every component lives in */
	struct served served[4];
	struct installed installed[MAX_INSTALLED];
	uint8_t areas[MAX_AREAS][MAX_IMAGE];
	size_t area_len[MAX_AREAS];
	bool area_open[MAX_AREAS];
	struct link links[8];
	size_t link_count;
	bool has_sequence;
	uint64_t sequence;
	size_t records;
	char record_text[8][CALL_LEN];
	uint8_t record_props[8][96];
	size_t record_props_len[8];
};

static struct platform pf;

static void record(const char *fmt, ...) TK_PRINTF(1, 2);
static void record(const char *fmt, ...)
{
	va_list ap;

	assert_true(pf.call_count < MAX_CALLS);
	va_start(ap, fmt);
	vsnprintf(pf.calls[pf.call_count++], CALL_LEN, fmt, ap);
	va_end(ap);
}

/* Hex of the last bytes of an encoded id, enough to tell the ids of one
 * test apart: [h'00'] is "814100". */
static const char *tail(const uint8_t *id, size_t len, char out[16])
{
	size_t n = len < 6 ? len : 6;

	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", id[len - n + i]);
	out[2 * n] = '\0';
	return out;
}

static struct installed *find_installed(const uint8_t *id, size_t id_len)
{
	for (size_t i = 0; i < MAX_INSTALLED; i++) {
		if (pf.installed[i].id_len == id_len && memcmp(pf.installed[i].id, id, id_len) == 0)
			return &pf.installed[i];
	}
	return NULL;
}

static void install(const uint8_t *id, size_t id_len, const uint8_t *data, size_t len)
{
	struct installed *slot = find_installed(id, id_len);

	for (size_t i = 0; slot == NULL && i < MAX_INSTALLED; i++) {
		if (pf.installed[i].id_len == 0)
			slot = &pf.installed[i];
	}
	assert_non_null(slot);
	assert_true(id_len <= sizeof(slot->id) && len <= sizeof(slot->data));
	memcpy(slot->id, id, id_len);
	slot->id_len = id_len;
	memcpy(slot->data, data, len);
	slot->len = len;
}

static tk_err pf_fetch(void *ctx, const char *uri, uint64_t max_size,
		       const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	(void)ctx;
	(void)max_size;
	record("fetch %s", uri);
	for (size_t i = 0; i < 4; i++) {
		struct tk_span b = pf.served[i].body;
		size_t half = b.len / 2;
		tk_err err;

		if (pf.served[i].uri == NULL || strcmp(pf.served[i].uri, uri) != 0)
			continue;
		/* Two chunks, so the processor receives a stream. */
		err = sink->write(sink->ctx, b.ptr, half, diag);
		if (err == TK_OK)
			err = sink->write(sink->ctx, b.ptr + half, b.len - half, diag);
		return err;
	}
	return TK_FAIL(diag, TK_ERR_NOT_FOUND, "test server has no %s", uri);
}

static tk_err pf_check_identifier(void *ctx, enum tk_suit_identifier which, const uint8_t *id,
				  size_t id_len, const uint8_t *value, size_t value_len,
				  bool *match, struct tk_diag *diag)
{
	const uint8_t *own = which == TK_SUIT_ID_VENDOR ? pf.vendor_id :
			     which == TK_SUIT_ID_CLASS ? pf.class_id : device_id;
	char t[16];

	(void)ctx;
	(void)diag;
	record("check_identifier %s %s",
	       which == TK_SUIT_ID_VENDOR ? "vendor" : which == TK_SUIT_ID_CLASS ? "class" :
	       "device", tail(id, id_len, t));
	*match = value_len == 16 && memcmp(own, value, 16) == 0;
	return TK_OK;
}

static tk_err pf_check_slot(void *ctx, const uint8_t *id, size_t id_len, uint64_t slot,
			    bool *match, struct tk_diag *diag)
{
	char t[16];

	(void)ctx;
	(void)diag;
	record("check_slot %s %llu", tail(id, id_len, t), (unsigned long long)slot);
	*match = slot == pf.slot;
	return TK_OK;
}

static tk_err pf_read(void *ctx, const uint8_t *id, size_t id_len,
		      const struct tk_suit_sink *sink, struct tk_diag *diag)
{
	struct installed *in = find_installed(id, id_len);
	char t[16];

	(void)ctx;
	record("read %s", tail(id, id_len, t));
	if (in == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "component not installed");
	return sink->write(sink->ctx, in->data, in->len, diag);
}

static tk_err pf_stage_begin(void *ctx, unsigned area, struct tk_diag *diag)
{
	(void)ctx;
	(void)diag;
	record("stage_begin %u", area);
	assert_true(area < MAX_AREAS);
	pf.area_len[area] = 0;
	pf.area_open[area] = true;
	return TK_OK;
}

static tk_err pf_stage_write(void *ctx, unsigned area, const uint8_t *chunk, size_t len,
			     struct tk_diag *diag)
{
	(void)ctx;
	assert_true(area < MAX_AREAS && pf.area_open[area]);
	if (len > MAX_IMAGE - pf.area_len[area])
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "test staging area full");
	memcpy(pf.areas[area] + pf.area_len[area], chunk, len);
	pf.area_len[area] += len;
	return TK_OK;
}

static tk_err pf_stage_read(void *ctx, unsigned area, const struct tk_suit_sink *sink,
			    struct tk_diag *diag)
{
	(void)ctx;
	record("stage_read %u", area);
	assert_true(area < MAX_AREAS && pf.area_open[area]);
	return sink->write(sink->ctx, pf.areas[area], pf.area_len[area], diag);
}

static tk_err pf_stage_commit(void *ctx, unsigned area, const uint8_t *id, size_t id_len,
			      uint64_t sequence_number, struct tk_diag *diag)
{
	char t[16];

	(void)ctx;
	(void)diag;
	record("stage_commit %u %s %zu bytes seq %llu", area, tail(id, id_len, t),
	       pf.area_len[area], (unsigned long long)sequence_number);
	assert_true(area < MAX_AREAS && pf.area_open[area]);
	install(id, id_len, pf.areas[area], pf.area_len[area]);
	pf.area_open[area] = false;
	return TK_OK;
}

static void pf_stage_abort(void *ctx, unsigned area)
{
	(void)ctx;
	record("stage_abort %u", area);
	assert_true(area < MAX_AREAS);
	pf.area_open[area] = false;
}

/* Records the first two bytes of the image digest handed to the hook. */
static tk_err pf_invoke(void *ctx, const uint8_t *id, size_t id_len, const uint8_t *args,
			size_t args_len, const struct tk_suit_digest *image_digest,
			struct tk_diag *diag)
{
	char t[16];

	(void)ctx;
	(void)args;
	(void)diag;
	if (image_digest == NULL || image_digest->bytes.len < 2)
		record("invoke %s args %zu bytes no digest", tail(id, id_len, t), args_len);
	else
		record("invoke %s args %zu bytes digest %02x%02x", tail(id, id_len, t), args_len,
		       image_digest->bytes.ptr[0], image_digest->bytes.ptr[1]);
	return TK_OK;
}

static bool same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static tk_err pf_link(void *ctx, const uint8_t *holder, size_t holder_len, const uint8_t *target,
		      size_t target_len, struct tk_diag *diag)
{
	char h[16], t[16];

	(void)ctx;
	(void)diag;
	record("link %s %s", tail(holder, holder_len, h), tail(target, target_len, t));
	for (size_t i = 0; i < pf.link_count; i++) {
		if (same(pf.links[i].holder, pf.links[i].holder_len, holder, holder_len) &&
		    same(pf.links[i].target, pf.links[i].target_len, target, target_len))
			return TK_OK;
	}
	assert_true(pf.link_count < 8 && holder_len <= 64 && target_len <= 64);
	memcpy(pf.links[pf.link_count].holder, holder, holder_len);
	pf.links[pf.link_count].holder_len = holder_len;
	memcpy(pf.links[pf.link_count].target, target, target_len);
	pf.links[pf.link_count].target_len = target_len;
	pf.link_count++;
	return TK_OK;
}

static tk_err pf_unlink(void *ctx, const uint8_t *holder, size_t holder_len,
			const uint8_t *target, size_t target_len, uint64_t *remaining,
			struct tk_diag *diag)
{
	char h[16], t[16];
	size_t left = 0;

	(void)ctx;
	(void)diag;
	record("unlink %s %s", tail(holder, holder_len, h), tail(target, target_len, t));
	for (size_t i = 0; i < pf.link_count; i++) {
		if (same(pf.links[i].holder, pf.links[i].holder_len, holder, holder_len) &&
		    same(pf.links[i].target, pf.links[i].target_len, target, target_len)) {
			pf.links[i] = pf.links[--pf.link_count];
			i--;
		}
	}
	for (size_t i = 0; i < pf.link_count; i++)
		left += same(pf.links[i].target, pf.links[i].target_len, target, target_len);
	*remaining = left;
	return TK_OK;
}

static tk_err pf_references(void *ctx, const uint8_t *target, size_t target_len,
			    const uint8_t *holder, size_t holder_len, uint64_t *others,
			    struct tk_diag *diag)
{
	(void)ctx;
	(void)diag;
	*others = 0;
	for (size_t i = 0; i < pf.link_count; i++) {
		if (same(pf.links[i].target, pf.links[i].target_len, target, target_len) &&
		    !same(pf.links[i].holder, pf.links[i].holder_len, holder, holder_len))
			(*others)++;
	}
	return TK_OK;
}

static tk_err pf_get_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t *out,
			      bool *found, struct tk_diag *diag)
{
	(void)ctx;
	(void)id;
	(void)id_len;
	(void)diag;
	record("get_sequence_number");
	*found = pf.has_sequence;
	*out = pf.has_sequence ? pf.sequence : 0;
	return TK_OK;
}

static tk_err pf_set_sequence(void *ctx, const uint8_t *id, size_t id_len, uint64_t value,
			      struct tk_diag *diag)
{
	char t[16];

	(void)ctx;
	(void)diag;
	record("set_sequence_number %s %llu", tail(id, id_len, t), (unsigned long long)value);
	pf.has_sequence = true;
	pf.sequence = value;
	return TK_OK;
}

static tk_err pf_report(void *ctx, const struct tk_suit_record *rec, struct tk_diag *diag)
{
	(void)ctx;
	(void)diag;
	if (pf.records < 8) {
		snprintf(pf.record_text[pf.records], CALL_LEN,
			 "section %lld offset %llu index %llu command %lld policy %llu %s%s",
			 (long long)rec->section, (unsigned long long)rec->offset,
			 (unsigned long long)rec->component_index, (long long)rec->command,
			 (unsigned long long)rec->policy, tk_err_name(rec->result),
			 rec->ends_procedure ? " ends" : "");
		assert_true(rec->properties.len <= sizeof(pf.record_props[0]));
		if (rec->properties.len > 0)
			memcpy(pf.record_props[pf.records], rec->properties.ptr,
			       rec->properties.len);
		pf.record_props_len[pf.records] = rec->properties.len;
	}
	pf.records++;
	return TK_OK;
}

/* Every hook but link, references and report: a platform without
 * reference counts, which processes manifests without dependencies. */
static const struct tk_suit_platform_ops ops_template = {
	.fetch = pf_fetch,
	.check_identifier = pf_check_identifier,
	.check_slot = pf_check_slot,
	.read = pf_read,
	.stage_begin = pf_stage_begin,
	.stage_write = pf_stage_write,
	.stage_read = pf_stage_read,
	.stage_commit = pf_stage_commit,
	.stage_abort = pf_stage_abort,
	.invoke = pf_invoke,
	.unlink = pf_unlink,
	.get_sequence_number = pf_get_sequence,
	.set_sequence_number = pf_set_sequence,
};

static void platform_reset(const uint8_t *vendor_id, const uint8_t *class_id)
{
	memset(&pf, 0, sizeof(pf));
	pf.vendor_id = vendor_id;
	pf.class_id = class_id;
	pf.slot = 1;
}

/* Report a failed check with its description, the codes and the detail. */
static void expect_err(const char *what, tk_err expected, tk_err actual,
		       const struct tk_diag *diag)
{
	if (expected != actual)
		fail_msg("%s: expected %s, got %s: %s", what, tk_err_name(expected),
			 tk_err_name(actual), diag->msg);
}

static void expect_calls(const char *what, const char *const *expected)
{
	size_t n = 0;

	while (expected[n] != NULL)
		n++;
	for (size_t i = 0; i < n && i < pf.call_count; i++) {
		if (strcmp(expected[i], pf.calls[i]) == 0)
			continue;
		for (size_t k = 0; k < pf.call_count; k++)
			print_message("  call %zu: %s\n", k, pf.calls[k]);
		fail_msg("%s: call %zu: expected \"%s\", got \"%s\"", what, i, expected[i],
			 pf.calls[i]);
	}
	if (n != pf.call_count) {
		for (size_t i = 0; i < pf.call_count; i++)
			print_message("  call %zu: %s\n", i, pf.calls[i]);
		fail_msg("%s: expected %zu platform calls, got %zu", what, n, pf.call_count);
	}
}

/* Envelopes. */

/* Sign manifest bytes into an untagged envelope, with one integrated
 * member `name` when it is not NULL. Returns the envelope length. */
static size_t sign_envelope(const uint8_t *manifest, size_t manifest_len,
			    const struct tk_crypto_key *key, const char *name,
			    struct tk_span member, const struct tk_suit_envelope *severed,
			    uint8_t *out, size_t cap)
{
	static uint8_t bstr[ENV_CAP];
	uint8_t digest[32], item[40], sign1[128], auth[200];
	size_t item_len = 0, sign1_len = 0, auth_len = 0, out_len = 0, bstr_len = 0;
	struct tk_cose_signer signer = {key, tk_cose_alg_for_key(key), TK_SPAN_EMPTY, false};
	struct tk_cose_sign_opts sopts = {true, true, TK_SPAN_EMPTY, false, 0};
	struct tk_cbor_enc enc;

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
	const struct {
		uint64_t key;
		struct tk_span member;
	} members[] = {
		{15, severed != NULL ? severed->severed_dependency_resolution : TK_SPAN_EMPTY},
		{18, severed != NULL ? severed->severed_candidate_verification : TK_SPAN_EMPTY},
		{20, severed != NULL ? severed->severed_install : TK_SPAN_EMPTY},
		{23, severed != NULL ? severed->severed_text : TK_SPAN_EMPTY},
	};
	size_t pairs = 2 + (name != NULL);

	for (size_t k = 0; k < 4; k++)
		pairs += members[k].member.len > 0;
	tk_cbor_put_map(&enc, pairs);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, auth, auth_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, bstr, bstr_len);
	/* Severed members are encoded byte strings, head included. */
	for (size_t k = 0; k < 4; k++) {
		if (members[k].member.len == 0)
			continue;
		tk_cbor_put_uint(&enc, members[k].key);
		tk_cbor_put_raw(&enc, members[k].member.ptr, members[k].member.len);
	}
	if (name != NULL) {
		tk_cbor_put_cstr(&enc, name);
		tk_cbor_put_bstr(&enc, member.ptr, member.len);
	}
	assert_int_equal(tk_cbor_enc_finish(&enc, &out_len), TK_OK);
	return out_len;
}

/* Replace every occurrence of `from` (32 bytes) in buf by `to`. */
static void replace_digest(uint8_t *buf, size_t len, const uint8_t *from, const uint8_t *to)
{
	for (size_t i = 0; i + 32 <= len; i++) {
		if (memcmp(buf + i, from, 32) == 0)
			memcpy(buf + i, to, 32);
	}
}

/* A manifest-spec example with the placeholder digests replaced by those
 * of image_a and image_b, re-signed with the example key. */
static size_t patched_example(int number, const struct tk_crypto_key *key, uint8_t *out,
			      size_t cap)
{
	static struct blob env;
	static uint8_t manifest[ENV_CAP];
	uint8_t digest_a[32], digest_b[32];
	struct tk_suit_envelope e;

	read_spec_example(number, &env);
	assert_int_equal(tk_suit_decode_envelope(env.bytes, env.len, &e, NULL), TK_OK);
	assert_true(e.manifest.len <= sizeof(manifest));
	memcpy(manifest, e.manifest.ptr, e.manifest.len);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), image_a, sizeof(image_a),
					  digest_a, NULL), TK_OK);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), image_b, sizeof(image_b),
					  digest_b, NULL), TK_OK);
	replace_digest(manifest, e.manifest.len, placeholder_a, digest_a);
	replace_digest(manifest, e.manifest.len, placeholder_b, digest_b);
	/* Example 2 keeps its install and text severed: carry them over. */
	return sign_envelope(manifest, e.manifest.len, key, NULL, TK_SPAN_EMPTY, &e, out, cap);
}

/* Decode, authenticate with keys[0] and run one procedure. */
static tk_err run(const uint8_t *env, size_t len, const struct tk_crypto_key *key,
		  const struct tk_suit_platform_ops *ops, enum tk_suit_procedure procedure,
		  struct tk_diag *diag)
{
	static uint8_t work[ENV_CAP];
	const struct tk_crypto_key *keys[1] = {key};
	struct tk_suit_process_opts opts = {ops, tk_crypto_openssl(), work, sizeof(work), NULL,
					    keys, 1};
	struct tk_suit_envelope e;
	struct tk_suit_manifest m;
	tk_err err;

	tk_diag_clear(diag);
	err = tk_suit_decode_envelope(env, len, &e, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, diag);
	if (err == TK_OK)
		err = tk_suit_process(&m, procedure, &opts, diag);
	return err;
}

static void example_platform(void)
{
	static const uint8_t id0[] = {0x81, 0x41, 0x00};

	platform_reset(spec_vendor_id, spec_class_id);
	pf.served[0] = (struct served){"http://example.com/file.bin", {image_a, sizeof(image_a)}};
	pf.served[1] = (struct served){"http://example.com/file1.bin", {image_a, sizeof(image_a)}};
	pf.served[2] = (struct served){"http://example.com/file2.bin", {image_b, sizeof(image_b)}};
	pf.served[3] = (struct served){"http://example.com/very/long/path/to/file/file.bin",
				       {image_a, sizeof(image_a)}};
	/* Secure boot (example 0) validates what is installed already. */
	install(id0, sizeof(id0), image_a, sizeof(image_a));
}

/* Manifest-spec examples. */

#define VENDOR_CLASS_0 "check_identifier vendor 814100", "check_identifier class 814100"
#define SLOTS_0 "check_slot 814100 0", "check_slot 814100 1"
/* Invoke of component 0, with the first bytes of the image digest its
 * parameters give (that of image_a, which these examples are built with). */
#define INVOKE_0 "invoke 814100 args 0 bytes digest 21eb"

/* Example 0, secure boot: validate the installed image, invoke it. */
static const char *const example0_update[] = {
	"get_sequence_number", VENDOR_CLASS_0, "read 814100", "set_sequence_number 81814100 0",
	NULL};
static const char *const example0_invoke[] = {
	VENDOR_CLASS_0, "read 814100", VENDOR_CLASS_0, INVOKE_0, NULL};

/* Example 1, download and install; the shared sequence runs again before
 * validate, which checks the staged image by the digest taken while it
 * streamed in. */
static const char *const example1_update[] = {
	"get_sequence_number", VENDOR_CLASS_0, "stage_begin 0",
	"fetch http://example.com/file.bin", VENDOR_CLASS_0,
	"stage_commit 0 814100 34768 bytes seq 1", "set_sequence_number 81814100 1", NULL};
static const char *const example1_invoke[] = {VENDOR_CLASS_0, "read 814100", NULL};

/* Example 2, severed install and text. */
static const char *const example2_update[] = {
	"get_sequence_number", VENDOR_CLASS_0, "stage_begin 0",
	"fetch http://example.com/very/long/path/to/file/file.bin", VENDOR_CLASS_0,
	"stage_commit 0 814100 34768 bytes seq 2", "set_sequence_number 81814100 2", NULL};
static const char *const example2_invoke[] = {
	VENDOR_CLASS_0, "read 814100", VENDOR_CLASS_0, INVOKE_0, NULL};

/* Example 3, A/B slots: the platform puts the component in slot 1, so the
 * first try-each entry fails softly and the second one applies. */
static const char *const example3_update[] = {
	"get_sequence_number", SLOTS_0, VENDOR_CLASS_0, SLOTS_0, "stage_begin 0",
	"fetch http://example.com/file2.bin", SLOTS_0, VENDOR_CLASS_0,
	"stage_commit 0 814100 76834 bytes seq 3", "set_sequence_number 81814100 3", NULL};
static const char *const example3_invoke[] = {SLOTS_0, VENDOR_CLASS_0, "read 814100", NULL};

/* Example 4, load from external storage: payload-fetch stages [h'02'],
 * install copies it to [h'00'] from the staging area. */
static const char *const example4_update[] = {
	"get_sequence_number", VENDOR_CLASS_0, "stage_begin 0",
	"fetch http://example.com/file.bin", VENDOR_CLASS_0, "stage_begin 1", "stage_read 0",
	VENDOR_CLASS_0, "stage_commit 1 814100 34768 bytes seq 4",
	"stage_commit 0 814102 34768 bytes seq 4", "set_sequence_number 814102814101 4", NULL};
/* Its load copies [h'00'] to [h'01'] and expects another digest, which a
 * copy without decompression cannot produce: image-match fails and the
 * staged copy is aborted. */
static const char *const example4_invoke[] = {
	VENDOR_CLASS_0, "read 814100", VENDOR_CLASS_0, "stage_begin 0", "read 814100",
	"stage_abort 0", NULL};

/* Example 5, two images. */
static const char *const example5_update[] = {
	"get_sequence_number", VENDOR_CLASS_0, "stage_begin 0",
	"fetch http://example.com/file1.bin", "stage_begin 1",
	"fetch http://example.com/file2.bin", VENDOR_CLASS_0,
	"stage_commit 0 814100 34768 bytes seq 5", "stage_commit 1 814101 76834 bytes seq 5",
	"set_sequence_number 814100814101 5", NULL};
static const char *const example5_invoke[] = {
	VENDOR_CLASS_0, "read 814100", "read 814101", VENDOR_CLASS_0,
	INVOKE_0, NULL};

static void test_spec_examples(void **state)
{
	static const struct {
		const char *const *update;
		const char *const *invoke;
		tk_err invoke_expected;
	} rows[] = {
		{example0_update, example0_invoke, TK_OK},
		{example1_update, example1_invoke, TK_OK},
		{example2_update, example2_invoke, TK_OK},
		{example3_update, example3_invoke, TK_OK},
		{example4_update, example4_invoke, TK_ERR_DIGEST_MISMATCH},
		{example5_update, example5_invoke, TK_OK},
	};
	static uint8_t env[ENV_CAP];
	struct tk_crypto_key *key = example_key();

	(void)state;
	for (int n = 0; n <= 5; n++) {
		struct tk_suit_platform_ops ops = ops_template;
		size_t len = patched_example(n, key, env, sizeof(env));
		char what[32];
		struct tk_diag diag;

		example_platform();
		snprintf(what, sizeof(what), "example %d update", n);
		expect_err(what, TK_OK, run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
			   &diag);
		expect_calls(what, rows[n].update);

		pf.call_count = 0;
		snprintf(what, sizeof(what), "example %d invocation", n);
		expect_err(what, rows[n].invoke_expected,
			   run(env, len, key, &ops, TK_SUIT_PROCEDURE_INVOKE, &diag), &diag);
		expect_calls(what, rows[n].invoke);
		for (size_t a = 0; a < MAX_AREAS; a++)
			assert_false(pf.area_open[a]);
	}
	tk_crypto_key_free(key);
}

/* The published examples authenticate with the published key; their
 * placeholder digests then fail image-match and nothing is committed. */
static void test_spec_examples_published(void **state)
{
	static struct blob env;
	struct tk_crypto_key *key = example_key();

	(void)state;
	for (int n = 0; n <= 5; n++) {
		struct tk_suit_platform_ops ops = ops_template;
		char what[32];
		struct tk_diag diag;

		example_platform();
		read_spec_example(n, &env);
		snprintf(what, sizeof(what), "published example %d", n);
		expect_err(what, TK_ERR_DIGEST_MISMATCH,
			   run(env.bytes, env.len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
			   &diag);
		for (size_t i = 0; i < pf.call_count; i++) {
			if (strncmp(pf.calls[i], "stage_commit", 12) == 0 ||
			    strncmp(pf.calls[i], "set_sequence", 12) == 0)
				fail_msg("%s: committed after a failure: %s", what, pf.calls[i]);
		}
		for (size_t a = 0; a < MAX_AREAS; a++)
			assert_false(pf.area_open[a]);
	}
	tk_crypto_key_free(key);
}

/* Tables of rows on small manifests. */

struct row {
	const char *what;
	size_t components;   /* [h'00'] and, with 2, [h'01'] */
	int dependency;      /* component index in suit-dependencies, -1 none */
	const char *shared;  /* hex of the shared sequence */
	const char *install; /* hex of the install sequence */
	int stored;          /* installed sequence number, -1 none */
	tk_err expected;
	const char *named;   /* text the failure message must contain */
};

/* Rows generated by process_rows.py with Python cbor2 from readable command lists (each row's
 * name says what it checks); the manifest around them is built below. */
static const struct row rows[] = {
#include "test_suit_process_rows.inc"
};

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
	return hex_decode(hex, strlen(hex), out, cap);
}

/* {1: 1, 2: 1, 3: << common >>, 5: ['m'], 20: << install >>} */
static size_t encode_row_manifest(const struct row *r, uint8_t *out, size_t cap)
{
	static uint8_t shared[ENV_CAP], install[ENV_CAP];
	size_t shared_len = hex_to_bytes(r->shared, shared, sizeof(shared));
	size_t install_len = hex_to_bytes(r->install, install, sizeof(install));
	struct tk_cbor_enc enc;
	size_t len = 0;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 5);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_map(&enc, r->dependency >= 0 ? 3 : 2);
	if (r->dependency >= 0) {
		tk_cbor_put_uint(&enc, 1);
		tk_cbor_put_map(&enc, 1);
		tk_cbor_put_uint(&enc, (uint64_t)r->dependency);
		tk_cbor_put_map(&enc, 0);
	}
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_array(&enc, r->components);
	for (size_t i = 0; i < r->components; i++) {
		uint8_t id = (uint8_t)i;

		tk_cbor_put_array(&enc, 1);
		tk_cbor_put_bstr(&enc, &id, 1);
	}
	tk_cbor_put_uint(&enc, 4);
	tk_cbor_put_bstr(&enc, shared, shared_len);
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_uint(&enc, 5);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"m", 1);
	tk_cbor_put_uint(&enc, 20);
	tk_cbor_put_bstr(&enc, install, install_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

static void table_platform(int stored)
{
	static const uint8_t id0[] = {0x81, 0x41, 0x00}, id1[] = {0x81, 0x41, 0x01};

	platform_reset(spec_vendor_id, spec_class_id);
	pf.served[0] = (struct served){"http://example.com/a", {image_a, 16}};
	install(id0, sizeof(id0), (const uint8_t *)"ABC", 3);
	install(id1, sizeof(id1), (const uint8_t *)"DEF", 3);
	pf.has_sequence = stored >= 0;
	pf.sequence = stored >= 0 ? (uint64_t)stored : 0;
}

static void test_rows(void **state)
{
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	struct tk_crypto_key *key = example_key();

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tk_suit_platform_ops ops = ops_template;
		size_t manifest_len = encode_row_manifest(&rows[r], manifest, sizeof(manifest));
		size_t env_len;
		struct tk_diag diag;
		tk_err err;

		env_len = sign_envelope(manifest, manifest_len, key,
					rows[r].dependency >= 0 ? "#dep" : NULL,
					tk_span_make(image_a, 8), NULL, env, sizeof(env));
		ops.link = pf_link;
		ops.references = pf_references;
		table_platform(rows[r].stored);
		err = run(env, env_len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag);
		expect_err(rows[r].what, rows[r].expected, err, &diag);
		if (rows[r].named != NULL && strstr(diag.msg, rows[r].named) == NULL)
			fail_msg("%s: message does not name \"%s\": %s", rows[r].what,
				 rows[r].named, diag.msg);
		for (size_t a = 0; a < MAX_AREAS; a++)
			if (pf.area_open[a])
				fail_msg("%s: staging area %zu left open", rows[r].what, a);
		if (err != TK_OK && pf.sequence != (uint64_t)(rows[r].stored < 0 ? 0 :
							     rows[r].stored))
			fail_msg("%s: sequence number changed after a failure", rows[r].what);
	}
	tk_crypto_key_free(key);
}

/* {1: 1, 2: 1, 3: << {1: deps, 2: [[h'00']], 4: shared} >>, 5: ['m']}
 * with `count` dependencies at indices first, first + 1, ... */
static size_t encode_dependencies(uint64_t first, size_t count, uint8_t *out, size_t cap)
{
	static const uint8_t shared[] = {0x82, 0x0c, 0x00}; /* [12, 0] */
	struct tk_cbor_enc enc;
	size_t len = 0;

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 4);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_map(&enc, 3);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_map(&enc, count);
	for (size_t k = 0; k < count; k++) {
		tk_cbor_put_uint(&enc, first + k);
		tk_cbor_put_map(&enc, 0);
	}
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"", 1);
	tk_cbor_put_uint(&enc, 4);
	tk_cbor_put_bstr(&enc, shared, sizeof(shared));
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_uint(&enc, 5);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"m", 1);
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* Dependency limits: entries per manifest, and indices past the slots. */
static void test_dependency_limits(void **state)
{
	static const struct {
		const char *what;
		uint64_t first;
		size_t count;
		tk_err authenticate, process;
	} limit_rows[] = {
		{"four dependencies", 1, TK_SUIT_MAX_DEPENDENCIES, TK_OK, TK_OK},
		{"five dependencies", 1, TK_SUIT_MAX_DEPENDENCIES + 1, TK_ERR_LIMIT_COUNT, TK_OK},
		{"dependency past the slots", TK_SUIT_MAX_COMPONENTS + TK_SUIT_MAX_DEPENDENCIES, 1,
		 TK_OK, TK_ERR_LIMIT_COUNT},
	};
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	struct tk_crypto_key *key = example_key();
	const struct tk_crypto_key *keys[1] = {key};

	(void)state;
	for (size_t r = 0; r < sizeof(limit_rows) / sizeof(limit_rows[0]); r++) {
		struct tk_suit_platform_ops ops = ops_template;
		struct tk_suit_process_opts opts = {&ops, tk_crypto_openssl(), NULL, 0, NULL, keys, 1};
		size_t len = encode_dependencies(limit_rows[r].first, limit_rows[r].count, manifest,
						 sizeof(manifest));
		struct tk_suit_envelope e;
		struct tk_suit_manifest m;
		struct tk_diag diag;
		tk_err err;

		len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, env, sizeof(env));
		ops.link = pf_link;
		ops.references = pf_references;
		table_platform(-1);
		tk_diag_clear(&diag);
		assert_int_equal(tk_suit_decode_envelope(env, len, &e, &diag), TK_OK);
		err = tk_suit_authenticate(&e, tk_crypto_openssl(), keys, 1, &m, &diag);
		expect_err(limit_rows[r].what, limit_rows[r].authenticate, err, &diag);
		if (err != TK_OK)
			continue;
		expect_err(limit_rows[r].what, limit_rows[r].process,
			   tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, &opts, &diag), &diag);
	}
	tk_crypto_key_free(key);
}

/*
 * {1: 1, 2: 1, 3: << common >>, 5: ['m'], 15: digest, 18: digest} with
 * the two sequences severed into env->severed_* (encoded byte strings in
 * `members`).
 */
static size_t encode_severed(const uint8_t *resolution, size_t resolution_len,
			     const uint8_t *verification, size_t verification_len,
			     uint8_t *members, struct tk_suit_envelope *env, uint8_t *out,
			     size_t cap)
{
	static const uint8_t shared[] = {0x82, 0x0c, 0x00}; /* [12, 0] */
	struct tk_cbor_enc enc;
	uint8_t digest[2][32];
	size_t len = 0, first = 0, second = 0;

	tk_cbor_enc_init(&enc, members, 256, NULL);
	tk_cbor_put_bstr(&enc, resolution, resolution_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &first), TK_OK);
	tk_cbor_enc_init(&enc, members + first, 256, NULL);
	tk_cbor_put_bstr(&enc, verification, verification_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &second), TK_OK);
	memset(env, 0, sizeof(*env));
	env->severed_dependency_resolution = tk_span_make(members, first);
	env->severed_candidate_verification = tk_span_make(members + first, second);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), members, first, digest[0], NULL),
			 TK_OK);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), members + first, second,
					  digest[1], NULL), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 6);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_uint(&enc, 1);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_map(&enc, 2);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"", 1);
	tk_cbor_put_uint(&enc, 4);
	tk_cbor_put_bstr(&enc, shared, sizeof(shared));
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_uint(&enc, 5);
	tk_cbor_put_array(&enc, 1);
	tk_cbor_put_bstr(&enc, (const uint8_t *)"m", 1);
	for (size_t k = 0; k < 2; k++) {
		tk_cbor_put_uint(&enc, k == 0 ? 15 : 18);
		tk_cbor_put_array(&enc, 2);
		tk_cbor_put_int(&enc, -16);
		tk_cbor_put_bstr(&enc, digest[k], 32);
	}
	assert_int_equal(tk_cbor_enc_finish(&enc, &len), TK_OK);
	return len;
}

/* Severed dependency-resolution and candidate-verification sections run
 * once matched against their digests (trust-domains-11 section 9.1). */
static void test_severed_sections(void **state)
{
	/* [20, {18: 'ABC'}, 6, 15]: check the installed "ABC" */
	static const uint8_t check_abc[] = {0x84, 0x14, 0xa1, 0x12, 0x43, 'A', 'B', 'C', 0x06, 0x0f};
	static const uint8_t abort_seq[] = {0x82, 0x0e, 0x0f}; /* [14, 15] */
	static uint8_t manifest[ENV_CAP], env[ENV_CAP], members[512];
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	struct tk_suit_envelope severed;
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = encode_severed(check_abc, sizeof(check_abc), check_abc, sizeof(check_abc), members,
			     &severed, manifest, sizeof(manifest));
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, &severed, env, sizeof(env));
	table_platform(-1);
	expect_err("both checks", TK_OK, run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
		   &diag);
	assert_int_equal(pf.sequence, 1);

	len = encode_severed(check_abc, sizeof(check_abc), abort_seq, sizeof(abort_seq), members,
			     &severed, manifest, sizeof(manifest));
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, &severed, env, sizeof(env));
	table_platform(-1);
	expect_err("verification aborts", TK_ERR_CONDITION,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
	assert_non_null(strstr(diag.msg, "candidate-verification"));

	/* The member no longer matches its digest. */
	len = encode_severed(check_abc, sizeof(check_abc), abort_seq, sizeof(abort_seq), members,
			     &severed, manifest, sizeof(manifest));
	members[severed.severed_dependency_resolution.len - 1] ^= 1;
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, &severed, env, sizeof(env));
	table_platform(-1);
	expect_err("member altered", TK_ERR_DIGEST_MISMATCH,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);

	/* The member was removed: the update cannot run that section. */
	len = encode_severed(check_abc, sizeof(check_abc), abort_seq, sizeof(abort_seq), members,
			     &severed, manifest, sizeof(manifest));
	severed.severed_dependency_resolution = TK_SPAN_EMPTY;
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, &severed, env, sizeof(env));
	table_platform(-1);
	expect_err("member removed", TK_ERR_SCHEMA_MISSING,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
	assert_int_equal(pf.call_count, 0);
	tk_crypto_key_free(key);
}

/* Swap exchanges a staged and an installed image; both are committed. */
static void test_swap_commits_both(void **state)
{
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	static const uint8_t id0[] = {0x81, 0x41, 0x00}, id1[] = {0x81, 0x41, 0x01};
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	const struct row *swap = NULL;
	struct tk_diag diag;
	size_t len;

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		if (strcmp(rows[r].what, "swap staged and installed") == 0)
			swap = &rows[r];
	assert_non_null(swap);
	len = encode_row_manifest(swap, manifest, sizeof(manifest));
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, env, sizeof(env));
	table_platform(-1);
	expect_err("swap", TK_OK, run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
		   &diag);
	/* [h'00'] was written "XYZ" and swapped with [h'01'] ("DEF"). */
	assert_int_equal(find_installed(id0, 3)->len, 3);
	assert_memory_equal(find_installed(id0, 3)->data, "DEF", 3);
	assert_memory_equal(find_installed(id1, 3)->data, "XYZ", 3);
	tk_crypto_key_free(key);
}

/* Records: the policy bits select records, sysinfo adds the parameters. */
static void test_report_records(void **state)
{
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	/* install: [20, {3: << [-16, h'..'] >>, 14: 3}, 3, 15, 24, 2] with the
	 * digest of "ABC": image-match reports success with its parameters,
	 * device-identifier (not set) reports its failure without them. */
	static const struct row report_row = {
		"report", 1, -1, "8214a10150fa6b4a53d5ad5fdfbe9de663e4d41ffe",
		"8614a2035824822f5820b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df780e03030f1818"
		"02", -1, TK_ERR_CONDITION, NULL};
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	struct tk_diag diag;
	size_t len;

	(void)state;
	len = encode_row_manifest(&report_row, manifest, sizeof(manifest));
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, env, sizeof(env));
	ops.report = pf_report;
	table_platform(-1);
	expect_err("report", TK_ERR_CONDITION,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
	assert_int_equal(pf.records, 2);
	assert_string_equal(pf.record_text[0],
			    "section 20 offset 44 index 0 command 3 policy 15 TK_OK");
	assert_string_equal(pf.record_text[1],
			    "section 20 offset 46 index 0 command 24 policy 2 TK_ERR_CONDITION ends");
	/* {3: << digest >>, 14: 3} */
	assert_int_equal(pf.record_props_len[0], 42);
	assert_int_equal(pf.record_props[0][0], 0xa2);
	assert_int_equal(pf.record_props[0][1], 0x03);
	assert_int_equal(pf.record_props_len[1], 0);
	tk_crypto_key_free(key);
}

/*
 * The failure that ends the procedure reaches the report hook whatever the
 * reporting policy, once, as the innermost failed command: the SUIT
 * report's result record names it (draft-ietf-suit-report-18 section 4).
 */
static void test_report_failure_record(void **state)
{
	static const struct {
		struct row row;
		const char *record;
	} cases[] = {
		/* [20, {14: 3}, -300, 0] */
		{{"custom command", 1, -1, "8214a10150fa6b4a53d5ad5fdfbe9de663e4d41ffe",
		  "8414a10e0339012b00", -1, TK_ERR_UNSUPPORTED, "custom command -300"},
		 "section 20 offset 5 index 0 command -300 policy 0 TK_ERR_UNSUPPORTED ends"},
		/* [20, {99: 3}] */
		{{"unknown parameter", 1, -1, "8214a10150fa6b4a53d5ad5fdfbe9de663e4d41ffe",
		  "8214a1186303", -1, TK_ERR_UNSUPPORTED, "unknown parameter 99"},
		 "section 20 offset 1 index 0 command 20 policy 0 TK_ERR_UNSUPPORTED ends"},
		/* [24, 0]: device-identifier without the parameter */
		{{"condition without a policy", 1, -1, "8214a10150fa6b4a53d5ad5fdfbe9de663e4d41ffe",
		  "82181800", -1, TK_ERR_CONDITION, NULL},
		 "section 20 offset 1 index 0 command 24 policy 0 TK_ERR_CONDITION ends"},
		/* [32, << [-300, 0] >>]: the offset is within the nested sequence */
		{{"custom command in run-sequence", 1, -1,
		  "8214a10150fa6b4a53d5ad5fdfbe9de663e4d41ffe", "821820458239012b00", -1,
		  TK_ERR_UNSUPPORTED, NULL},
		 "section 20 offset 1 index 0 command -300 policy 0 TK_ERR_UNSUPPORTED ends"},
	};
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	struct tk_diag diag;

	(void)state;
	ops.report = pf_report;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct row *r = &cases[i].row;
		size_t len = encode_row_manifest(r, manifest, sizeof(manifest));

		len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, env, sizeof(env));
		table_platform(-1);
		expect_err(r->what, r->expected,
			   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
		if (r->named != NULL && strstr(diag.msg, r->named) == NULL)
			fail_msg("%s: message \"%s\" does not name \"%s\"", r->what, diag.msg,
				 r->named);
		if (pf.records != 1 || strcmp(pf.record_text[0], cases[i].record) != 0)
			fail_msg("%s: %zu records, first \"%s\"", r->what, pf.records,
				 pf.record_text[0]);
	}
	tk_crypto_key_free(key);
}

/* TEEP examples. */

static struct blob teep_uri, teep_ta;

static void teep_platform(void)
{
	platform_reset(teep_vendor_id, teep_class_id);
	read_annotated_hex("teep/suit_uri.hex.txt", &teep_uri);
	read_vector("teep/8d82573a-926d-4754-9353-32dc29997f74.ta", &teep_ta);
	pf.served[0] = (struct served){
		"https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta",
		{teep_ta.bytes, teep_ta.len}};
	pf.served[1] = (struct served){
		"https://example.org/8d82573a-926d-4754-9353-32dc29997f74.suit",
		{teep_uri.bytes, teep_uri.len}};
}

/* The personalization recipient key of draft-ietf-teep-protocol (its
 * appendix prints d); the test platform unwraps the CEK with it. */
static const uint8_t recipient_d[32] = {
	0x60, 0xfe, 0x6d, 0xd6, 0xd8, 0x5d, 0x57, 0x40, 0xa5, 0x34, 0x9b, 0x6f, 0x91, 0x26, 0x7e, 0xea,
	0xc5, 0xba, 0x81, 0xb8, 0xcb, 0x53, 0xee, 0x24, 0x9e, 0x4b, 0x4e, 0xb1, 0x02, 0xc4, 0x76, 0xb3};
static struct tk_crypto_key *recipient_key;

static tk_err pf_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient, uint8_t *cek,
			    size_t cek_cap, size_t *cek_len, struct tk_diag *diag)
{
	struct tk_suit_unwrap_key key = {recipient_key, NULL, 0, TK_SPAN_EMPTY};

	(void)ctx;
	record("unwrap_cek alg %lld", (long long)recipient->alg);
	return tk_suit_unwrap_cek(tk_crypto_openssl(), recipient, &key, cek, cek_cap, cek_len,
				  diag);
}

/* Tails of the TEEP ids: the TA component [.., 'ta'], the TA manifest
 * [.., 'suit'], the config.json component and the personalization
 * manifest [.., 'config.suit']. */
#define TA "997f74427461"
#define TA_SUIT "744473756974"
#define CONFIG "672e6a736f6e"
#define CONFIG_SUIT "672e73756974"

static const char *const teep_uri_calls[] = {
	"get_sequence_number", "check_identifier vendor " TA, "check_identifier class " TA,
	"stage_begin 0", "fetch https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta",
	"stage_commit 0 " TA " 20 bytes seq 3", "link " TA_SUIT " " TA,
	"link " TA_SUIT " " TA_SUIT, "set_sequence_number " TA_SUIT " 3", NULL};

static const char *const teep_integrated_calls[] = {
	"get_sequence_number", "check_identifier vendor " TA, "check_identifier class " TA,
	"stage_begin 0", "stage_commit 0 " TA " 20 bytes seq 3", "link " TA_SUIT " " TA,
	"link " TA_SUIT " " TA_SUIT, "set_sequence_number " TA_SUIT " 3", NULL};

static void test_teep_examples(void **state)
{
	static const struct {
		const char *file;
		const char *const *calls;
	} files[] = {
		{"teep/suit_uri.hex.txt", teep_uri_calls},
		{"teep/suit_integrated.hex.txt", teep_integrated_calls},
	};
	static struct blob env;
	struct tk_crypto_key *key = example_key();

	(void)state;
	for (size_t r = 0; r < sizeof(files) / sizeof(files[0]); r++) {
		struct tk_suit_platform_ops ops = ops_template;
		struct tk_diag diag;

		ops.link = pf_link;
		ops.references = pf_references;
		teep_platform();
		read_annotated_hex(files[r].file, &env);
		expect_err(files[r].file, TK_OK,
			   run(env.bytes, env.len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
			   &diag);
		expect_calls(files[r].file, files[r].calls);
		assert_int_equal(pf.installed[0].len, teep_ta.len);
		assert_memory_equal(pf.installed[0].data, teep_ta.bytes, teep_ta.len);

		/* Uninstall unlinks the component from its manifest. */
		pf.call_count = 0;
		expect_err(files[r].file, TK_OK,
			   run(env.bytes, env.len, key, &ops, TK_SUIT_PROCEDURE_UNINSTALL, &diag),
			   &diag);
		assert_int_equal(pf.call_count, 3);
		assert_string_equal(pf.calls[2], "unlink " TA_SUIT " " TA);
		assert_int_equal(pf.link_count, 1); /* the manifest's own link */
	}
	tk_crypto_key_free(key);
}

/* A corrected copy of suit_personalization, re-signed with the example key. */
static size_t personalization_copy(const char *name, const struct tk_crypto_key *key,
				   uint8_t *out, size_t cap)
{
	static struct blob text;
	static uint8_t manifest[ENV_CAP];
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/suit/data/%s", TK_SOURCE_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	text.len = fread(text.bytes, 1, sizeof(text.bytes), f);
	fclose(f);
	len = hex_decode((const char *)text.bytes, text.len, manifest, sizeof(manifest));
	return sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, out, cap);
}

#define PERSONALIZATION_START                                                         \
	"get_sequence_number", "check_identifier vendor " CONFIG,                    \
		"check_identifier class " CONFIG, "fetch https://example.org/"         \
		"8d82573a-926d-4754-9353-32dc29997f74.suit"

/* The TA manifest runs as the dependency's install, then config.json is
 * written and checked; the dependency's components are linked to its
 * own manifest component id, and the dependency to its dependent. */
static const char *const personalization_calls[] = {
	PERSONALIZATION_START, "check_identifier vendor " CONFIG,
	"check_identifier class " CONFIG, "get_sequence_number", "check_identifier vendor " TA,
	"check_identifier class " TA, "stage_begin 0",
	"fetch https://example.org/8d82573a-926d-4754-9353-32dc29997f74.ta", "stage_begin 1",
	"check_identifier vendor " CONFIG, "check_identifier class " CONFIG,
	"stage_commit 1 " CONFIG " 61 bytes seq 3", "link " CONFIG_SUIT " " CONFIG,
	"stage_commit 0 " TA " 20 bytes seq 3", "link " TA_SUIT " " TA,
	"link " CONFIG_SUIT " " TA_SUIT, "set_sequence_number " TA_SUIT " 3",
	"link " CONFIG_SUIT " " CONFIG_SUIT, "set_sequence_number " CONFIG_SUIT " 3", NULL};

static void test_teep_personalization(void **state)
{
	static struct blob published;
	static uint8_t env[ENV_CAP];
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	struct tk_diag diag;
	size_t len, decrypted = 0;

	(void)state;
	ops.link = pf_link;
	ops.references = pf_references;

	/* Published: process-dependency without dependency-integrity. */
	teep_platform();
	read_annotated_hex("teep/suit_personalization.hex.txt", &published);
	expect_err("published", TK_ERR_POLICY,
		   run(published.bytes, published.len, key, &ops, TK_SUIT_PROCEDURE_UPDATE,
		       &diag), &diag);
	assert_non_null(strstr(diag.msg, "dependency-integrity"));
	assert_int_equal(pf.link_count, 0);

	/* Corrected, encrypted, without a way to unwrap the CEK: the
	 * dependency runs, the write fails, nothing is committed. */
	teep_platform();
	len = personalization_copy("personalization_integrity.hex", key, env, sizeof(env));
	expect_err("encrypted without unwrap", TK_ERR_UNSUPPORTED,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
	assert_non_null(strstr(diag.msg, "unwrap_cek"));
	assert_int_equal(pf.link_count, 0);
	assert_false(pf.has_sequence);

	/* Corrected, encrypted: the TEE unwraps the CEK (ECDH-ES+A128KW),
	 * AES-CTR decrypts into the staging area, validate matches the
	 * plaintext digest. */
	teep_platform();
	assert_int_equal(tk_crypto_key_import_private(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						      recipient_d, sizeof(recipient_d),
						      &recipient_key, NULL), TK_OK);
	ops.unwrap_cek = pf_unwrap_cek;
	expect_err("encrypted", TK_OK, run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
		   &diag);
	ops.unwrap_cek = NULL;
	tk_crypto_key_free(recipient_key);
	recipient_key = NULL;
	for (size_t k = 0; k < MAX_INSTALLED; k++) {
		if (pf.installed[k].len != 61)
			continue;
		assert_memory_equal(pf.installed[k].data, "{\"name\":\"FOO Bar\"", 17);
		decrypted++;
	}
	assert_int_equal(decrypted, 1);
	assert_int_equal(pf.link_count, 4);

	/* Corrected, plaintext: the whole update. */
	teep_platform();
	len = personalization_copy("personalization_plaintext.hex", key, env, sizeof(env));
	expect_err("plaintext", TK_OK, run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag),
		   &diag);
	expect_calls("plaintext", personalization_calls);
	assert_int_equal(pf.link_count, 4);

	/* Uninstall drops the dependent's link to the TA manifest (by its
	 * dependency-prefix) and unlinks config.json. */
	pf.call_count = 0;
	expect_err("uninstall", TK_OK,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UNINSTALL, &diag), &diag);
	assert_int_equal(pf.call_count, 4);
	assert_string_equal(pf.calls[2], "unlink " CONFIG_SUIT " " TA_SUIT);
	assert_string_equal(pf.calls[3], "unlink " CONFIG_SUIT " " CONFIG);
	assert_int_equal(pf.link_count, 2); /* the TA's links remain */
	tk_crypto_key_free(key);
}

/* A component another manifest references is not overwritten. */
static void test_referenced_component_kept(void **state)
{
	static uint8_t manifest[ENV_CAP], env[ENV_CAP];
	static const uint8_t id0[] = {0x81, 0x41, 0x00}, other[] = {0x81, 0x41, 'x'};
	struct tk_crypto_key *key = example_key();
	struct tk_suit_platform_ops ops = ops_template;
	const struct row *write = NULL;
	struct tk_diag diag;
	size_t len;

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		if (strcmp(rows[r].what, "write and check") == 0)
			write = &rows[r];
	assert_non_null(write);
	len = encode_row_manifest(write, manifest, sizeof(manifest));
	len = sign_envelope(manifest, len, key, NULL, TK_SPAN_EMPTY, NULL, env, sizeof(env));
	ops.link = pf_link;
	ops.references = pf_references;
	table_platform(-1);
	expect_err("link", TK_OK, pf_link(NULL, other, sizeof(other), id0, sizeof(id0), NULL),
		   &diag);
	expect_err("referenced", TK_ERR_POLICY,
		   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
	assert_non_null(strstr(diag.msg, "referenced by 1 other"));
	assert_memory_equal(find_installed(id0, 3)->data, "ABC", 3);
	tk_crypto_key_free(key);
}

/*
 * A parameter the dependent sets for a dependency slot is a default of the
 * dependency's components (draft-ietf-suit-trust-domains-11 section
 * 5.6.1). The dependency {1: 1, 2: 1, 3: << {2: [[h'01']]} >>, 5: ['d'],
 * 20: << [1, 15] >>} checks the vendor id without setting it. The
 * dependent {..., 3: << {1: {1: {}}, 2: [[h'00']]} >>, 5: ['m'], 20: << [12,
 * 1, 20, {1: vendor id, 3: digest, 21: "#dep"}, 21, 15, 7, 15, 11, 15] >>}
 * sets it (or not) for slot 1. Both were encoded with Python cbor2.
 */
static void test_dependency_inherits_parameters(void **state)
{
	static const char dependency_hex[] = "a5010102010346a1028181410105814164144382010f";
	static const struct {
		const char *what;
		const char *dependent_hex;
		tk_err expected;
		const char *named;
	} dep_rows[] = {
		{"vendor id set by the dependent",
		 "a501010201034aa201a101a002818141000581416d14584a8a0c0114a30150fa6b4a53d5ad5fdf"
		 "be9de663e4d41ffe035824822f5820881bb488cae56d7afc79efb7fed86485fc52e744261c637d"
		 "80726715f0e20435156423646570150f070f0b0f",
		 TK_OK, "check_identifier vendor 814101"},
		{"vendor id not set by the dependent",
		 "a501010201034aa201a101a002818141000581416d1458388a0c0114a2035824822f5820881bb4"
		 "88cae56d7afc79efb7fed86485fc52e744261c637d80726715f0e20435156423646570150f070f"
		 "0b0f",
		 TK_ERR_CONDITION, "not set"},
		/* The same without process-dependency, although the dependency has an
		 * install section, which breaks the lock-step of trust-domains-11
		 * ("Changes to Abstract Machine Description"). */
		{"dependency section not processed",
		 "a501010201034aa201a101a002818141000581416d145848880c0114a30150fa6b4a53d5ad5fdf"
		 "be9de663e4d41ffe035824822f5820881bb488cae56d7afc79efb7fed86485fc52e744261c637d"
		 "80726715f0e20435156423646570150f070f",
		 TK_ERR_POLICY, "did not process"},
	};
	static uint8_t dep_manifest[64], dep_env[ENV_CAP], manifest[ENV_CAP], env[ENV_CAP];
	struct tk_crypto_key *key = example_key();
	size_t dep_len = hex_to_bytes(dependency_hex, dep_manifest, sizeof(dep_manifest));
	size_t dep_env_len = sign_envelope(dep_manifest, dep_len, key, NULL, TK_SPAN_EMPTY, NULL,
					   dep_env, sizeof(dep_env));

	(void)state;
	for (size_t r = 0; r < sizeof(dep_rows) / sizeof(dep_rows[0]); r++) {
		struct tk_suit_platform_ops ops = ops_template;
		size_t len = hex_to_bytes(dep_rows[r].dependent_hex, manifest, sizeof(manifest));
		bool called = false;
		struct tk_diag diag;

		len = sign_envelope(manifest, len, key, "#dep", tk_span_make(dep_env, dep_env_len),
				    NULL, env, sizeof(env));
		ops.link = pf_link;
		ops.references = pf_references;
		table_platform(-1);
		expect_err(dep_rows[r].what, dep_rows[r].expected,
			   run(env, len, key, &ops, TK_SUIT_PROCEDURE_UPDATE, &diag), &diag);
		for (size_t i = 0; i < pf.call_count; i++)
			called = called || strcmp(pf.calls[i], dep_rows[r].named) == 0;
		if (dep_rows[r].expected == TK_OK && !called)
			fail_msg("%s: no call \"%s\"", dep_rows[r].what, dep_rows[r].named);
		if (dep_rows[r].expected != TK_OK && strstr(diag.msg, dep_rows[r].named) == NULL)
			fail_msg("%s: message does not name \"%s\": %s", dep_rows[r].what,
				 dep_rows[r].named, diag.msg);
	}
	tk_crypto_key_free(key);
}

/* Set the hook named `hook` in ops to NULL. */
static void clear_hook(struct tk_suit_platform_ops *ops, const char *hook)
{
	if (strcmp(hook, "fetch") == 0)
		ops->fetch = NULL;
	else if (strcmp(hook, "read") == 0)
		ops->read = NULL;
	else if (strcmp(hook, "check_slot") == 0)
		ops->check_slot = NULL;
	else if (strcmp(hook, "stage_begin") == 0)
		ops->stage_begin = NULL;
	else if (strcmp(hook, "stage_read") == 0)
		ops->stage_read = NULL;
	else if (strcmp(hook, "invoke") == 0)
		ops->invoke = NULL;
	else if (strcmp(hook, "get_sequence_number") == 0)
		ops->get_sequence_number = NULL;
	else if (strcmp(hook, "set_sequence_number") == 0)
		ops->set_sequence_number = NULL;
	else
		fail_msg("no such hook in the test: %s", hook);
}

/* Each hook an example needs, when missing, fails with TK_ERR_UNSUPPORTED
 * and a message naming it; nothing is committed. */
static void test_missing_hooks(void **state)
{
	static const struct {
		const char *hook;
		int example;
		enum tk_suit_procedure procedure;
	} hook_rows[] = {
		{"fetch", 1, TK_SUIT_PROCEDURE_UPDATE},
		{"read", 0, TK_SUIT_PROCEDURE_UPDATE},
		{"check_slot", 3, TK_SUIT_PROCEDURE_UPDATE},
		{"stage_begin", 1, TK_SUIT_PROCEDURE_UPDATE},
		{"stage_read", 4, TK_SUIT_PROCEDURE_UPDATE},
		{"get_sequence_number", 1, TK_SUIT_PROCEDURE_UPDATE},
		{"set_sequence_number", 1, TK_SUIT_PROCEDURE_UPDATE},
		{"invoke", 0, TK_SUIT_PROCEDURE_INVOKE},
	};
	static uint8_t env[ENV_CAP];
	struct tk_crypto_key *key = example_key();

	(void)state;
	for (size_t r = 0; r < sizeof(hook_rows) / sizeof(hook_rows[0]); r++) {
		struct tk_suit_platform_ops ops = ops_template;
		size_t len = patched_example(hook_rows[r].example, key, env, sizeof(env));
		char named[48];
		struct tk_diag diag;

		clear_hook(&ops, hook_rows[r].hook);
		example_platform();
		expect_err(hook_rows[r].hook, TK_ERR_UNSUPPORTED,
			   run(env, len, key, &ops, hook_rows[r].procedure, &diag), &diag);
		snprintf(named, sizeof(named), "no %s hook", hook_rows[r].hook);
		if (strstr(diag.msg, named) == NULL)
			fail_msg("%s: message does not name the hook: %s", hook_rows[r].hook,
				 diag.msg);
		for (size_t i = 0; i < pf.call_count; i++) {
			if (strncmp(pf.calls[i], "stage_commit", 12) == 0 ||
			    strncmp(pf.calls[i], "set_sequence", 12) == 0 ||
			    strncmp(pf.calls[i], "invoke", 6) == 0)
				fail_msg("%s: committed or invoked without the hook: %s",
					 hook_rows[r].hook, pf.calls[i]);
		}
		for (size_t a = 0; a < MAX_AREAS; a++)
			if (pf.area_open[a])
				fail_msg("%s: staging area %zu left open", hook_rows[r].hook, a);
	}
	tk_crypto_key_free(key);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(image_a); i++)
		image_a[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(image_b); i++)
		image_b[i] = (uint8_t)(i * 13 + 5);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_examples),
		cmocka_unit_test(test_spec_examples_published),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_swap_commits_both),
		cmocka_unit_test(test_dependency_limits),
		cmocka_unit_test(test_severed_sections),
		cmocka_unit_test(test_report_records),
		cmocka_unit_test(test_report_failure_record),
		cmocka_unit_test(test_teep_examples),
		cmocka_unit_test(test_teep_personalization),
		cmocka_unit_test(test_referenced_component_kept),
		cmocka_unit_test(test_missing_hooks),
		cmocka_unit_test(test_dependency_inherits_parameters),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
