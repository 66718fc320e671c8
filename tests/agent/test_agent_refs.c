/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reference counts through the agent glue on the simulated TEE: the TEEP
 * TA manifest installed as a root and again as the dependency of a
 * personalization manifest, unlinked by manifest component id as an
 * unneeded-manifest-list would, with a restart of the TEE in between. A
 * TA that another manifest depends on stays; removing the dependent then
 * removes both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/tk_agent_tee.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"
#include "vector_io.h"

#define ENV_CAP 8192

/* Ids of the TEEP examples: the TA component and manifest, the
 * personalization manifest (config.suit). */
static const uint8_t ta_component_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74, 0x42, 't', 'a'};
static const uint8_t ta_manifest_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54,
	0x93, 0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74, 0x44, 's', 'u', 'i', 't'};
static const uint8_t config_manifest_id[] = {
	0x83, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x4b, 'c', 'o', 'n', 'f', 'i', 'g', '.', 's', 'u', 'i', 't'};
static const uint8_t config_component_id[] = {
	0x83, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e',
	0x48, 'S', 'e', 'c', 'u', 'r', 'e', 'F', 'S',
	0x4b, 'c', 'o', 'n', 'f', 'i', 'g', '.', 'j', 's', 'o', 'n'};

static const uint8_t vendor_id[16] = {
	0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60, 0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f};
static const uint8_t class_id[16] = {
	0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba, 0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e};

static struct tk_crypto_key *signer;
static char state_dir[64];

static void check(const char *what, tk_err expected, tk_err actual, const struct tk_diag *diag)
{
	if (expected != actual)
		fail_msg("%s: expected %s, got %s: %s", what, tk_err_name(expected),
			 tk_err_name(actual), diag->msg);
}

/* Sign manifest bytes into an envelope with the integrated member `name`. */
static size_t sign_envelope(const uint8_t *manifest, size_t manifest_len, const char *name,
			    const uint8_t *member, size_t member_len, uint8_t *out, size_t cap)
{
	static uint8_t bstr[ENV_CAP];
	uint8_t digest[32], item[40], sign1[128], auth[200];
	size_t item_len = 0, sign1_len = 0, auth_len = 0, out_len = 0, bstr_len = 0;
	struct tk_cose_signer s = {signer, tk_cose_alg_for_key(signer), TK_SPAN_EMPTY, false};
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
	assert_int_equal(tk_cose_sign1_create(tk_crypto_openssl(), &s, item, item_len, &sopts,
					      sign1, sizeof(sign1), &sign1_len, NULL), TK_OK);
	tk_cbor_enc_init(&enc, auth, sizeof(auth), NULL);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_bstr(&enc, item, item_len);
	tk_cbor_put_bstr(&enc, sign1, sign1_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &auth_len), TK_OK);

	tk_cbor_enc_init(&enc, out, cap, NULL);
	tk_cbor_put_map(&enc, 3);
	tk_cbor_put_uint(&enc, 2);
	tk_cbor_put_bstr(&enc, auth, auth_len);
	tk_cbor_put_uint(&enc, 3);
	tk_cbor_put_raw(&enc, bstr, bstr_len);
	tk_cbor_put_cstr(&enc, name);
	tk_cbor_put_bstr(&enc, member, member_len);
	assert_int_equal(tk_cbor_enc_finish(&enc, &out_len), TK_OK);
	return out_len;
}

static void open_glue(const char *dir, struct tk_tee *tee, struct tk_agent_tee *glue)
{
	struct tk_tee_sim_config sim = {.state_dir = dir, .create = true};
	struct tk_diag diag;

	tk_diag_clear(&diag);
	check("open TEE", TK_OK, tk_tee_sim_open(&sim, tee, &diag), &diag);
	memset(glue, 0, sizeof(*glue));
	glue->tee = tee;
	glue->crypto = tk_crypto_openssl();
	glue->trust_anchors = (const struct tk_crypto_key *const *)&signer;
	glue->n_trust_anchors = 1;
	glue->has_vendor_id = true;
	memcpy(glue->vendor_id, vendor_id, 16);
	glue->has_class_id = true;
	memcpy(glue->class_id, class_id, 16);
}

static bool installed(const struct tk_tee *tee, const uint8_t *id, size_t id_len)
{
	struct tk_tee_object_info info;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	return tk_tee_component_info(tee, id, id_len, &info, &diag) == TK_OK;
}

/* The personalization copy with the TA manifest integrated, signed. */
static size_t personalization_envelope(const uint8_t *ta, size_t ta_len, uint8_t *out,
				       size_t cap)
{
	uint8_t manifest[ENV_CAP];
	size_t hex_len = 0;
	char path[512];
	uint8_t *hex;

	snprintf(path, sizeof(path), "%s/tests/suit/data/personalization_integrated_dependency.hex",
		 TK_SOURCE_DIR);
	hex = vector_read_file(path, &hex_len);
	assert_true(hex_len / 2 <= sizeof(manifest));
	for (size_t i = 0; i + 1 < hex_len; i += 2) {
		unsigned v = 0;

		assert_int_equal(sscanf((const char *)hex + i, "%2x", &v), 1);
		manifest[i / 2] = (uint8_t)v;
	}
	free(hex);
	return sign_envelope(manifest, hex_len / 2, "#ta.suit", ta, ta_len, out, cap);
}

static void test_dependency_refcounts(void **state)
{
	static uint8_t pd_env[ENV_CAP];
	struct tk_teep_agent_manifest_name name;
	struct tk_agent_tee glue;
	struct tk_tee tee;
	struct tk_teep_agent_tee_ops ops;
	struct tk_diag diag;
	size_t ta_len = 0, pd_len;
	uint8_t *ta = vector_read_hex("suit_integrated.hex.txt", &ta_len);

	(void)state;
	pd_len = personalization_envelope(ta, ta_len, pd_env, sizeof(pd_env));

	/* The TA as a root manifest, then the personalization manifest with
	 * the TA manifest as its dependency. */
	open_glue(state_dir, &tee, &glue);
	ops = tk_agent_tee_ops(&glue);
	tk_diag_clear(&diag);
	memset(&name, 0, sizeof(name));
	check("install TA", TK_OK, ops.process_manifest(ops.ctx, ta, ta_len, &name, &diag), &diag);
	memset(&name, 0, sizeof(name));
	check("install personalization", TK_OK,
	      ops.process_manifest(ops.ctx, pd_env, pd_len, &name, &diag), &diag);
	assert_true(installed(&tee, ta_component_id, sizeof(ta_component_id)));
	assert_true(installed(&tee, config_component_id, sizeof(config_component_id)));

	/* The TA is unneeded, but the personalization manifest depends on it. */
	check("unlink TA", TK_OK,
	      ops.unlink_manifest(ops.ctx, ta_manifest_id, sizeof(ta_manifest_id), &diag), &diag);
	assert_true(installed(&tee, ta_component_id, sizeof(ta_component_id)));
	tk_tee_close(&tee);

	/* After a restart, unlinking the dependent removes both. */
	open_glue(state_dir, &tee, &glue);
	ops = tk_agent_tee_ops(&glue);
	check("unlink personalization", TK_OK,
	      ops.unlink_manifest(ops.ctx, config_manifest_id, sizeof(config_manifest_id), &diag),
	      &diag);
	assert_false(installed(&tee, config_component_id, sizeof(config_component_id)));
	assert_false(installed(&tee, ta_component_id, sizeof(ta_component_id)));
	check("unlink again", TK_ERR_NOT_FOUND,
	      ops.unlink_manifest(ops.ctx, config_manifest_id, sizeof(config_manifest_id), &diag),
	      &diag);
	tk_tee_close(&tee);
	free(ta);
}

/* A TA installed only as a dependency goes with its dependent: the
 * processor hands its envelope to the TEE, so its uninstall can run. */
static void test_dependency_only(void **state)
{
	static uint8_t pd_env[ENV_CAP];
	struct tk_teep_agent_manifest_name name;
	struct tk_tee_object_info info;
	struct tk_agent_tee glue;
	struct tk_tee tee;
	struct tk_teep_agent_tee_ops ops;
	struct tk_diag diag;
	size_t ta_len = 0, pd_len;
	uint8_t *ta = vector_read_hex("suit_integrated.hex.txt", &ta_len);
	char dir[80];

	(void)state;
	snprintf(dir, sizeof(dir), "%s-only", state_dir);
	pd_len = personalization_envelope(ta, ta_len, pd_env, sizeof(pd_env));
	open_glue(dir, &tee, &glue);
	ops = tk_agent_tee_ops(&glue);
	tk_diag_clear(&diag);
	memset(&name, 0, sizeof(name));
	check("install personalization", TK_OK,
	      ops.process_manifest(ops.ctx, pd_env, pd_len, &name, &diag), &diag);
	assert_true(installed(&tee, ta_component_id, sizeof(ta_component_id)));
	check("TA envelope kept", TK_OK,
	      tk_tee_manifest_info(&tee, ta_manifest_id, sizeof(ta_manifest_id), &info, &diag),
	      &diag);
	assert_int_equal(info.size, ta_len);

	check("unlink personalization", TK_OK,
	      ops.unlink_manifest(ops.ctx, config_manifest_id, sizeof(config_manifest_id), &diag),
	      &diag);
	assert_false(installed(&tee, ta_component_id, sizeof(ta_component_id)));
	assert_false(installed(&tee, config_component_id, sizeof(config_component_id)));
	check("TA envelope removed", TK_ERR_NOT_FOUND,
	      tk_tee_manifest_info(&tee, ta_manifest_id, sizeof(ta_manifest_id), &info, &diag),
	      &diag);
	tk_tee_close(&tee);
	free(ta);
}

static int setup(void **state)
{
	char path[512];
	uint8_t *pem;
	size_t pem_len = 0, n;

	(void)state;
	snprintf(state_dir, sizeof(state_dir), "/tmp/tk-agent-refs-XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	n = strlen(state_dir);
	snprintf(state_dir + n, sizeof(state_dir) - n, "/tee");
	snprintf(path, sizeof(path), "%s/suit/manifest-spec/private_key.pem", TK_VECTORS_DIR);
	pem = vector_read_file(path, &pem_len);
	assert_int_equal(tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, &signer, NULL),
			 TK_OK);
	free(pem);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	tk_crypto_key_free(signer);
	/* The state folder sits in a mkdtemp folder this test made. */
	state_dir[strlen(state_dir) - 4] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dependency_refcounts),
		cmocka_unit_test(test_dependency_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
