/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of measured load on the simulated TEE backend: a load checks the
 * stored image against the manifest's digest, the measurement log forms
 * the documented hash chain, a tampered log or image is rejected, the
 * simulated quote is the running hash, and the log survives a reopen.
 * Each test uses its own temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "tee/tk_tee_measure.h"
#include "tee_test_util.h"

/* Component ids: CBOR arrays of one byte string, [h'7461'] and [h'7462']. */
static const uint8_t id_a[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t id_b[] = {0x81, 0x42, 0x74, 0x62};
static const uint8_t image_a[] = "image of component a";
static const uint8_t image_b[] = "image of component b";

/* Size of the log header and of one entry (see tk_tee_measure.h). */
#define MLOG_MAGIC_LEN 8
#define MLOG_ENTRY_LEN (2 + TK_TEE_MAX_ID_LEN + 3 * 32 + 4)

struct fixture {
	struct tee_test_dir dir;
	struct tk_tee tee;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || tee_test_dir_make(&f->dir) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_tee_close(&f->tee);
	tee_test_dir_remove(&f->dir);
	free(f);
	return 0;
}

static void open_ok(struct fixture *f)
{
	struct tk_tee_sim_config config = {.state_dir = f->dir.state, .create = true};
	struct tk_diag diag;

	tk_tee_close(&f->tee);
	tk_diag_clear(&diag);
	tee_test_check("open simulated TEE", TK_OK,
		       tk_tee_sim_open(&config, &f->tee, &diag), &diag);
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), data, len, out, NULL),
			 TK_OK);
}

static void install(struct fixture *f, const uint8_t *id, size_t id_len,
		    const uint8_t *image, size_t image_len)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("install", TK_OK,
		       tk_tee_install_component(&f->tee, id, id_len, image, image_len,
						1, &diag), &diag);
}

static tk_err load(struct fixture *f, const uint8_t *id, size_t id_len,
		   const uint8_t *image, size_t image_len, struct tk_diag *diag)
{
	uint8_t digest[32];

	sha256(image, image_len, digest);
	tk_diag_clear(diag);
	return tk_tee_load_component(&f->tee, id, id_len, digest, NULL, diag);
}

/* Expected chain value after loading (id, image) on top of prev. */
static void chain(uint8_t running[32], const uint8_t *id, size_t id_len,
		  const uint8_t *image, size_t image_len)
{
	uint8_t buf[TK_TEE_MAX_ID_LEN + 64];
	uint8_t event[32];

	memcpy(buf, id, id_len);
	sha256(image, image_len, buf + id_len);
	sha256(buf, id_len + 32, event);
	memcpy(buf, running, 32);
	memcpy(buf + 32, event, 32);
	sha256(buf, 64, running);
}

struct collected {
	size_t count;
	struct tk_tee_measurement entries[4];
};

static tk_err collect(void *ctx, const struct tk_tee_measurement *m)
{
	struct collected *c = ctx;

	if (c->count < 4)
		c->entries[c->count] = *m;
	c->count++;
	return TK_OK;
}

static void list_ok(struct fixture *f, struct collected *c)
{
	struct tk_diag diag;

	memset(c, 0, sizeof(*c));
	tk_diag_clear(&diag);
	tee_test_check("list measurements", TK_OK,
		       tk_tee_list_measurements(&f->tee, collect, c, &diag), &diag);
}

static void quote_ok(struct fixture *f, uint8_t out[32])
{
	static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct tk_tee_quote q;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("quote", TK_OK,
		       tk_tee_quote(&f->tee, nonce, sizeof(nonce), &q, &diag), &diag);
	assert_int_equal(q.format, TK_TEE_QUOTE_SIM);
	assert_int_equal(q.attest_len, 32);
	assert_int_equal(q.signature_len, 0);
	memcpy(out, q.attest, 32);
}

static void test_load_chains_measurements(void **state)
{
	struct fixture *f = *state;
	uint8_t expect[32] = {0};
	uint8_t quoted[32];
	struct collected c;
	struct tk_diag diag;

	open_ok(f);
	quote_ok(f, quoted);
	assert_memory_equal(quoted, expect, 32);

	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));
	install(f, id_b, sizeof(id_b), image_b, sizeof(image_b));
	tee_test_check("load a", TK_OK, load(f, id_a, sizeof(id_a), image_a,
					     sizeof(image_a), &diag), &diag);
	tee_test_check("load b", TK_OK, load(f, id_b, sizeof(id_b), image_b,
					     sizeof(image_b), &diag), &diag);
	chain(expect, id_a, sizeof(id_a), image_a, sizeof(image_a));
	list_ok(f, &c);
	assert_int_equal(c.count, 2);
	assert_memory_equal(c.entries[0].running, expect, 32);
	chain(expect, id_b, sizeof(id_b), image_b, sizeof(image_b));
	assert_memory_equal(c.entries[1].running, expect, 32);
	assert_int_equal(c.entries[1].id_len, sizeof(id_b));
	assert_memory_equal(c.entries[1].id, id_b, sizeof(id_b));
	assert_int_equal(c.entries[1].pcr, 0);

	quote_ok(f, quoted);
	assert_memory_equal(quoted, expect, 32);

	/* The log survives a reopen. */
	open_ok(f);
	list_ok(f, &c);
	assert_int_equal(c.count, 2);
	quote_ok(f, quoted);
	assert_memory_equal(quoted, expect, 32);
}

static void test_load_rejects(void **state)
{
	static const uint8_t wrong[32] = {0xee};
	static const uint8_t missing[] = {0x81, 0x41, 0x7a};
	struct fixture *f = *state;
	struct collected c;
	struct tk_diag diag;

	open_ok(f);
	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));

	tk_diag_clear(&diag);
	tee_test_check("manifest digest differs", TK_ERR_DIGEST_MISMATCH,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), wrong, NULL,
					     &diag), &diag);
	tee_test_check("component not installed", TK_ERR_NOT_FOUND,
		       load(f, missing, sizeof(missing), image_a, sizeof(image_a), &diag),
		       &diag);

	/* Change one stored byte: the install record no longer matches. */
	tee_test_flip_last_byte(f->dir.state, "components", "image of component a");
	tee_test_check("stored bytes altered", TK_ERR_DIGEST_MISMATCH,
		       load(f, id_a, sizeof(id_a), image_a, sizeof(image_a), &diag),
		       &diag);
	list_ok(f, &c);
	assert_int_equal(c.count, 0);
}

/* Flip one byte of the log file at offset `at`; listing must fail. */
static void tamper_log_at(struct fixture *f, long at)
{
	char path[TEE_TEST_PATH_MAX + 32];
	struct tk_tee_quote q;
	struct collected c;
	struct tk_diag diag;
	uint8_t byte;
	int fd;

	snprintf(path, sizeof(path), "%s/measurements", f->dir.state);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, at), 1);
	byte ^= 0x01;
	assert_int_equal(pwrite(fd, &byte, 1, at), 1);
	close(fd);

	tk_diag_clear(&diag);
	tee_test_check("tampered log", TK_ERR_DIGEST_MISMATCH,
		       tk_tee_list_measurements(&f->tee, collect, &c, &diag), &diag);
	tee_test_check("quote of tampered log", TK_ERR_DIGEST_MISMATCH,
		       tk_tee_quote(&f->tee, (const uint8_t *)"n", 1, &q, &diag), &diag);
	tee_test_check("load on tampered log", TK_ERR_DIGEST_MISMATCH,
		       load(f, id_a, sizeof(id_a), image_a, sizeof(image_a), &diag),
		       &diag);

	/* Undo, so the next row starts from a valid log. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	byte ^= 0x01;
	assert_int_equal(pwrite(fd, &byte, 1, at), 1);
	close(fd);
}

static void test_log_tamper_detected(void **state)
{
	/* Offsets into the second entry: id, image digest, event, running. */
	static const long rows[] = {
		MLOG_MAGIC_LEN + MLOG_ENTRY_LEN + 3,
		MLOG_MAGIC_LEN + MLOG_ENTRY_LEN + 2 + TK_TEE_MAX_ID_LEN,
		MLOG_MAGIC_LEN + MLOG_ENTRY_LEN + 2 + TK_TEE_MAX_ID_LEN + 32,
		MLOG_MAGIC_LEN + MLOG_ENTRY_LEN + 2 + TK_TEE_MAX_ID_LEN + 64,
		MLOG_MAGIC_LEN + 2 + TK_TEE_MAX_ID_LEN + 64, /* first entry */
		0,                                           /* magic */
	};
	struct fixture *f = *state;
	struct collected c;
	struct tk_diag diag;

	open_ok(f);
	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));
	install(f, id_b, sizeof(id_b), image_b, sizeof(image_b));
	tee_test_check("load a", TK_OK, load(f, id_a, sizeof(id_a), image_a,
					     sizeof(image_a), &diag), &diag);
	tee_test_check("load b", TK_OK, load(f, id_b, sizeof(id_b), image_b,
					     sizeof(image_b), &diag), &diag);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tamper_log_at(f, rows[i]);
	list_ok(f, &c);
	assert_int_equal(c.count, 2);
}

/* One read of the log is checked against the expected value, then listed. */
static void test_log_walk_expect(void **state)
{
	struct fixture *f = *state;
	uint8_t expect[32] = {0};
	struct collected c;
	struct tk_diag diag;
	size_t count = 0;
	int dirfd;

	open_ok(f);
	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));
	install(f, id_b, sizeof(id_b), image_b, sizeof(image_b));
	tee_test_check("load a", TK_OK, load(f, id_a, sizeof(id_a), image_a,
					     sizeof(image_a), &diag), &diag);
	tee_test_check("load b", TK_OK, load(f, id_b, sizeof(id_b), image_b,
					     sizeof(image_b), &diag), &diag);
	chain(expect, id_a, sizeof(id_a), image_a, sizeof(image_a));
	chain(expect, id_b, sizeof(id_b), image_b, sizeof(image_b));
	dirfd = open(f->dir.state, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);

	memset(&c, 0, sizeof(c));
	tk_diag_clear(&diag);
	tee_test_check("walk to the chain value", TK_OK,
		       tk_tee_mlog_walk_expect(dirfd, tk_crypto_openssl(), expect, collect,
					       &c, &count, &diag), &diag);
	assert_int_equal(count, 2);
	assert_int_equal(c.count, 2);

	/* Another value: nothing is visited. */
	expect[31] ^= 1;
	memset(&c, 0, sizeof(c));
	tk_diag_clear(&diag);
	tee_test_check("walk to another value", TK_ERR_DIGEST_MISMATCH,
		       tk_tee_mlog_walk_expect(dirfd, tk_crypto_openssl(), expect, collect,
					       &c, &count, &diag), &diag);
	assert_int_equal(count, 2);
	assert_int_equal(c.count, 0);
	close(dirfd);
}

static void test_log_limit(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;

	open_ok(f);
	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));
	for (int i = 0; i < TK_TEE_MAX_MEASUREMENTS; i++)
		tee_test_check("load under the limit", TK_OK,
			       load(f, id_a, sizeof(id_a), image_a, sizeof(image_a),
				    &diag), &diag);
	tee_test_check("load over the limit", TK_ERR_LIMIT_COUNT,
		       load(f, id_a, sizeof(id_a), image_a, sizeof(image_a), &diag),
		       &diag);
}

struct invoked {
	int calls;
	uint8_t image[64];
	size_t image_len;      /* bytes streamed */
	uint64_t image_size;   /* size the image announced */
	tk_err result;
};

static tk_err keep_chunk(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct invoked *inv = ctx;

	if (len > sizeof(inv->image) - inv->image_len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "image larger than the test buffer");
	memcpy(inv->image + inv->image_len, chunk, len);
	inv->image_len += len;
	return TK_OK;
}

static tk_err record_invoke(void *ctx, const uint8_t *id, size_t id_len,
			    const struct tk_tee_image *image, struct tk_diag *diag)
{
	struct invoked *inv = ctx;
	tk_err err;

	(void)id;
	(void)id_len;
	inv->calls++;
	inv->image_len = 0;
	inv->image_size = image->size;
	err = image->stream(image->ctx, keep_chunk, inv, diag);
	if (err != TK_OK)
		return err;
	if (inv->result != TK_OK)
		return TK_FAIL(diag, inv->result, "runner failed");
	return TK_OK;
}

static void test_load_invokes_after_measuring(void **state)
{
	struct fixture *f = *state;
	struct invoked inv = {0};
	struct tk_tee_invoke_ops ops = {record_invoke, &inv};
	struct collected c;
	struct tk_diag diag;
	uint8_t digest[32];

	open_ok(f);
	install(f, id_a, sizeof(id_a), image_a, sizeof(image_a));
	sha256(image_a, sizeof(image_a), digest);
	tk_diag_clear(&diag);
	tee_test_check("load and invoke", TK_OK,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest, &ops,
					     &diag), &diag);
	assert_int_equal(inv.calls, 1);
	assert_int_equal(inv.image_size, sizeof(image_a));
	assert_int_equal(inv.image_len, sizeof(image_a));
	assert_memory_equal(inv.image, image_a, sizeof(image_a));

	/* A failing runner fails the load, but the measurement stays. */
	inv.result = TK_ERR_IO;
	tee_test_check("runner fails", TK_ERR_IO,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest, &ops,
					     &diag), &diag);
	list_ok(f, &c);
	assert_int_equal(c.count, 2);

	/* A wrong digest never reaches the runner. */
	digest[0] ^= 1;
	inv.calls = 0;
	tee_test_check("wrong digest", TK_ERR_DIGEST_MISMATCH,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest, &ops,
					     &diag), &diag);
	assert_int_equal(inv.calls, 0);
}

/* The wrappers check arguments and fail with TK_ERR_UNSUPPORTED on a
 * backend without the hook, whatever the backend would do. */
static void test_wrappers_check_arguments(void **state)
{
	static const struct tk_tee_ops no_hooks = {0};
	static const uint8_t long_nonce[TK_TEE_MAX_NONCE_LEN + 1] = {0};
	struct tk_tee empty = {&no_hooks, NULL};
	struct fixture *f = *state;
	uint8_t digest[32] = {0}, cert[16];
	struct tk_tee_quote q;
	char pem[16];
	size_t len = 0;
	struct tk_diag diag;

	open_ok(f);
	tk_diag_clear(&diag);
	tee_test_check("nonce empty", TK_ERR_ARG, tk_tee_quote(&f->tee, long_nonce, 0, &q, &diag),
		       &diag);
	tee_test_check("nonce too long", TK_ERR_LIMIT_SIZE,
		       tk_tee_quote(&f->tee, long_nonce, sizeof(long_nonce), &q, &diag), &diag);
	tee_test_check("quote output NULL", TK_ERR_ARG,
		       tk_tee_quote(&f->tee, long_nonce, 8, NULL, &diag), &diag);
	tee_test_check("expected digest NULL", TK_ERR_ARG,
		       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), NULL, NULL, &diag),
		       &diag);
	tee_test_check("component id empty", TK_ERR_ARG,
		       tk_tee_load_component(&f->tee, id_a, 0, digest, NULL, &diag), &diag);
	{
		struct tk_tee_invoke_ops no_invoke = {NULL, NULL};

		tee_test_check("invoke table without hook", TK_ERR_UNSUPPORTED,
			       tk_tee_load_component(&f->tee, id_a, sizeof(id_a), digest,
						     &no_invoke, &diag), &diag);
	}
	tee_test_check("list without visit", TK_ERR_ARG,
		       tk_tee_list_measurements(&f->tee, NULL, NULL, &diag), &diag);

	/* The simulator has no TPM: these hooks are absent. */
	tee_test_check("sim certify", TK_ERR_UNSUPPORTED,
		       tk_tee_certify_signing_key(&f->tee, long_nonce, 8, &q, &diag), &diag);
	tee_test_check("sim attestation key", TK_ERR_UNSUPPORTED,
		       tk_tee_attestation_key_pem(&f->tee, pem, sizeof(pem), &len, &diag), &diag);
	tee_test_check("sim EK certificate", TK_ERR_UNSUPPORTED,
		       tk_tee_endorsement_certificate(&f->tee, cert, sizeof(cert), &len, &diag),
		       &diag);

	tee_test_check("no load hook", TK_ERR_UNSUPPORTED,
		       tk_tee_load_component(&empty, id_a, sizeof(id_a), digest, NULL, &diag),
		       &diag);
	tee_test_check("no list hook", TK_ERR_UNSUPPORTED,
		       tk_tee_list_measurements(&empty, collect, NULL, &diag), &diag);
	tee_test_check("no quote hook", TK_ERR_UNSUPPORTED,
		       tk_tee_quote(&empty, long_nonce, 8, &q, &diag), &diag);
	assert_int_equal(q.format, TK_TEE_QUOTE_NONE);
	assert_int_equal(q.attest_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_chains_measurements, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_tamper_detected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_log_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_walk_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_invokes_after_measuring,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrappers_check_arguments, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
