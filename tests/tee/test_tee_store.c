/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the simulated TEE's staged writes and reference counts: an
 * image streamed into a staging area is invisible until commit and gone
 * after abort or close, a committed image reads back with its digest, and
 * reference counts survive a reopen of the state directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "tee_test_util.h"

static const uint8_t ta_id[] = {0x81, 0x42, 't', 'a'};
static const uint8_t pd_id[] = {0x81, 0x42, 'p', 'd'};
static const uint8_t ta_manifest[] = {0x81, 0x42, 'm', '1'};
static const uint8_t pd_manifest[] = {0x81, 0x42, 'm', '2'};

static void open_sim(const struct tee_test_dir *dir, struct tk_tee *tee)
{
	struct tk_tee_sim_config config = {.state_dir = dir->state, .create = true};
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("open", TK_OK, tk_tee_sim_open(&config, tee, &diag), &diag);
}

struct collect {
	uint8_t bytes[64];
	size_t len;
};

static tk_err collect_write(void *ctx, const uint8_t *chunk, size_t len, struct tk_diag *diag)
{
	struct collect *c = ctx;

	if (len > sizeof(c->bytes) - c->len)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "collector full");
	memcpy(c->bytes + c->len, chunk, len);
	c->len += len;
	return TK_OK;
}

/* Stage in two chunks, read back, commit; the image appears only then. */
static void test_stage_commit(void **state)
{
	struct tee_test_dir dir;
	struct tk_tee tee;
	struct tk_tee_object_info info;
	struct collect c = {{0}, 0};
	struct tk_diag diag;
	uint8_t digest[32];

	(void)state;
	assert_int_equal(tee_test_dir_make(&dir), 0);
	open_sim(&dir, &tee);
	tk_diag_clear(&diag);

	tee_test_check("begin", TK_OK, tk_tee_stage_begin(&tee, 3, &diag), &diag);
	tee_test_check("write 1", TK_OK,
		       tk_tee_stage_write(&tee, 3, (const uint8_t *)"Hello, ", 7, &diag), &diag);
	tee_test_check("write 2", TK_OK,
		       tk_tee_stage_write(&tee, 3, (const uint8_t *)"TEE", 3, &diag), &diag);
	tee_test_check("not visible yet", TK_ERR_NOT_FOUND,
		       tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), &diag);
	tk_diag_clear(&diag);
	tee_test_check("read staged", TK_OK, tk_tee_stage_read(&tee, 3, collect_write, &c, &diag),
		       &diag);
	assert_int_equal(c.len, 10);
	assert_memory_equal(c.bytes, "Hello, TEE", 10);

	tee_test_check("commit", TK_OK, tk_tee_stage_commit(&tee, 3, ta_id, sizeof(ta_id), 7, &diag),
		       &diag);
	tee_test_check("info", TK_OK,
		       tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), &diag);
	assert_int_equal(info.size, 10);
	assert_int_equal(info.sequence_number, 7);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), (const uint8_t *)"Hello, TEE", 10,
					  digest, NULL), TK_OK);
	assert_memory_equal(info.digest, digest, 32);

	c.len = 0;
	tee_test_check("stream", TK_OK,
		       tk_tee_stream_component(&tee, ta_id, sizeof(ta_id), collect_write, &c, &diag),
		       &diag);
	assert_int_equal(c.len, 10);
	assert_memory_equal(c.bytes, "Hello, TEE", 10);
	tee_test_check("area closed after commit", TK_ERR_STATE,
		       tk_tee_stage_write(&tee, 3, (const uint8_t *)"x", 1, &diag), &diag);
	tk_tee_close(&tee);
	tee_test_dir_remove(&dir);
}

/* An aborted area, and one left open at close, never become components. */
static void test_stage_abort(void **state)
{
	struct tee_test_dir dir;
	struct tk_tee tee;
	struct tk_tee_object_info info;
	struct tk_diag diag;

	(void)state;
	assert_int_equal(tee_test_dir_make(&dir), 0);
	open_sim(&dir, &tee);
	tk_diag_clear(&diag);
	tee_test_check("begin", TK_OK, tk_tee_stage_begin(&tee, 0, &diag), &diag);
	tee_test_check("write", TK_OK, tk_tee_stage_write(&tee, 0, (const uint8_t *)"x", 1, &diag),
		       &diag);
	tk_tee_stage_abort(&tee, 0);
	tee_test_check("commit after abort", TK_ERR_STATE,
		       tk_tee_stage_commit(&tee, 0, ta_id, sizeof(ta_id), 1, &diag), &diag);
	tk_diag_clear(&diag);
	tee_test_check("area out of range", TK_ERR_ARG,
		       tk_tee_stage_begin(&tee, TK_TEE_MAX_STAGING_AREAS, &diag), &diag);
	tk_diag_clear(&diag);
	tee_test_check("begin again", TK_OK, tk_tee_stage_begin(&tee, 1, &diag), &diag);
	tk_tee_close(&tee);

	open_sim(&dir, &tee);
	tee_test_check("nothing installed", TK_ERR_NOT_FOUND,
		       tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), &diag);
	tk_tee_close(&tee);
	tee_test_dir_remove(&dir);
}

static void install(struct tk_tee *tee, const uint8_t *id, size_t id_len)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	tee_test_check("install", TK_OK,
		       tk_tee_install_component(tee, id, id_len, (const uint8_t *)"img", 3, 1, &diag),
		       &diag);
}

/* A holder counts once; counts persist; the last unlink removes. */
static void test_references_persist(void **state)
{
	struct tee_test_dir dir;
	struct tk_tee tee;
	struct tk_tee_object_info info;
	struct tk_diag diag;
	uint64_t n = 99;

	(void)state;
	assert_int_equal(tee_test_dir_make(&dir), 0);
	open_sim(&dir, &tee);
	tk_diag_clear(&diag);
	install(&tee, ta_id, sizeof(ta_id));
	tee_test_check("link", TK_OK, tk_tee_link(&tee, ta_manifest, 4, ta_id, 4, &diag), &diag);
	tee_test_check("link again", TK_OK, tk_tee_link(&tee, ta_manifest, 4, ta_id, 4, &diag),
		       &diag);
	tee_test_check("link other", TK_OK, tk_tee_link(&tee, pd_manifest, 4, ta_id, 4, &diag),
		       &diag);
	tee_test_check("references", TK_OK,
		       tk_tee_references(&tee, ta_id, 4, ta_manifest, 4, &n, &diag), &diag);
	assert_int_equal(n, 1);
	tk_tee_close(&tee);

	/* After a restart. */
	open_sim(&dir, &tee);
	tee_test_check("references after reopen", TK_OK,
		       tk_tee_references(&tee, ta_id, 4, pd_manifest, 4, &n, &diag), &diag);
	assert_int_equal(n, 1);
	tee_test_check("unlink", TK_OK, tk_tee_unlink(&tee, pd_manifest, 4, ta_id, 4, &n, &diag),
		       &diag);
	assert_int_equal(n, 1);
	tee_test_check("unlink twice", TK_OK,
		       tk_tee_unlink(&tee, pd_manifest, 4, ta_id, 4, &n, &diag), &diag);
	assert_int_equal(n, 1); /* the same manifest decrements once */
	tee_test_check("still installed", TK_OK,
		       tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), &diag);
	tee_test_check("unlink last", TK_OK,
		       tk_tee_unlink(&tee, ta_manifest, 4, ta_id, 4, &n, &diag), &diag);
	assert_int_equal(n, 0);
	tee_test_check("removed", TK_ERR_NOT_FOUND,
		       tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), &diag);
	tk_diag_clear(&diag);

	/* A target without an image (a manifest) reaches zero quietly. */
	tee_test_check("link manifest", TK_OK,
		       tk_tee_link(&tee, pd_manifest, 4, ta_manifest, 4, &diag), &diag);
	tee_test_check("unlink manifest", TK_OK,
		       tk_tee_unlink(&tee, pd_manifest, 4, ta_manifest, 4, &n, &diag), &diag);
	assert_int_equal(n, 0);
	tee_test_check("empty holder", TK_ERR_ARG,
		       tk_tee_link(&tee, pd_id, 0, ta_id, 4, &diag), &diag);
	tk_tee_close(&tee);
	tee_test_dir_remove(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_commit),
		cmocka_unit_test(test_stage_abort),
		cmocka_unit_test(test_references_persist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
