/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A manifest built by `teep manifest build` with an integrated dependency
 * installs through the agent's hooks into the simulated TEE. The TA
 * manifest (tests/suit/manifests/suit_integrated.json) is built first. A
 * personalization manifest carries its envelope as the integrated payload
 * "#ta.suit", resolves and checks it as its dependency, processes it, and
 * writes its own component. Both components must then be installed. A
 * second manifest does the same with its data encrypted for the TEE's
 * recipient key, which the TEE decrypts while writing it.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/tk_agent_tee.h"
#include "cli/cli_desc.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_build.h"
#include "tee/tk_tee.h"

#define FIXTURES TK_SOURCE_DIR "/tests/suit/manifests"
#define ENVELOPE_MAX 8192

/* The root manifest: personalization data depending on the TA manifest. */
static const char root_desc[] =
	"{\"manifest-sequence-number\": 1,"
	" \"components\": [[{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"                  {\"text\": \"config.json\"}]],"
	" \"dependencies\": [{\"component-index\": 1, \"dependency-prefix\":"
	"   [{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"    \"8d82573a926d4754935332dc29997f74\", {\"text\": \"suit\"}]}],"
	" \"manifest-component-id\": [{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"                            {\"text\": \"config.suit\"}],"
	" \"integrated\": {\"#ta.suit\": {\"file\": \"ta.suit\"}},"
	" \"dependency-resolution\": ["
	"   {\"directive-set-component-index\": 1},"
	"   {\"directive-override-parameters\": {\"uri\": \"#ta.suit\","
	"     \"image-digest\": {\"dependency\": {\"integrated\": \"#ta.suit\"}}}},"
	"   {\"directive-fetch\": 15},"
	"   {\"condition-dependency-integrity\": 15}],"
	" \"install\": ["
	"   {\"directive-set-component-index\": 1},"
	"   {\"condition-dependency-integrity\": 15},"
	"   {\"directive-process-dependency\": 15},"
	"   {\"directive-set-component-index\": 0},"
	"   {\"directive-override-parameters\": {\"content\": {\"text\": \"{\\\"key\\\":1}\"},"
	"     \"image-digest\": {\"text\": \"{\\\"key\\\":1}\"},"
	"     \"image-size\": {\"text\": \"{\\\"key\\\":1}\"}}},"
	"   {\"directive-write\": 15},"
	"   {\"condition-image-match\": 15}]}";

/*
 * The same with personalization data encrypted for the TEE's recipient key
 * (tee.pub.pem, exported from the simulated TEE), as a data provider
 * sends it: only the TEE can decrypt it while writing it.
 */
static const char encrypted_desc[] =
	"{\"manifest-sequence-number\": 1,"
	" \"encrypted\": {\"config\": {\"plaintext\": {\"text\": \"{\\\"secret\\\":42}\"},"
	"   \"content-alg\": \"A128CTR\", \"recipient\": {\"alg\": \"ECDH-ES+A128KW\","
	"   \"public-key\": \"tee.pub.pem\"}}},"
	" \"components\": [[{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"                  {\"text\": \"config.json\"}]],"
	" \"dependencies\": [{\"component-index\": 1, \"dependency-prefix\":"
	"   [{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"    \"8d82573a926d4754935332dc29997f74\", {\"text\": \"suit\"}]}],"
	" \"manifest-component-id\": [{\"text\": \"TEEP-Device\"}, {\"text\": \"SecureFS\"},"
	"                            {\"text\": \"config.suit\"}],"
	" \"integrated\": {\"#ta.suit\": {\"file\": \"ta.suit\"}},"
	" \"dependency-resolution\": ["
	"   {\"directive-set-component-index\": 1},"
	"   {\"directive-override-parameters\": {\"uri\": \"#ta.suit\","
	"     \"image-digest\": {\"dependency\": {\"integrated\": \"#ta.suit\"}}}},"
	"   {\"directive-fetch\": 15},"
	"   {\"condition-dependency-integrity\": 15}],"
	" \"install\": ["
	"   {\"directive-set-component-index\": 1},"
	"   {\"condition-dependency-integrity\": 15},"
	"   {\"directive-process-dependency\": 15},"
	"   {\"directive-set-component-index\": 0},"
	"   {\"directive-override-parameters\": {\"content\": {\"ciphertext\": \"config\"},"
	"     \"encryption-info\": {\"encryption-info\": \"config\"},"
	"     \"image-digest\": {\"text\": \"{\\\"secret\\\":42}\"},"
	"     \"image-size\": {\"text\": \"{\\\"secret\\\":42}\"}}},"
	"   {\"directive-write\": 15},"
	"   {\"condition-image-match\": 15}]}";

/* Encoded component ids of the TA and of the personalization data. */
static const uint8_t ta_id[] = {
	0x84, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e', 0x48, 'S', 'e', 'c',
	'u', 'r', 'e', 'F', 'S', 0x50, 0x8d, 0x82, 0x57, 0x3a, 0x92, 0x6d, 0x47, 0x54, 0x93,
	0x53, 0x32, 0xdc, 0x29, 0x99, 0x7f, 0x74, 0x42, 't', 'a'};
static const uint8_t config_id[] = {
	0x83, 0x4b, 'T', 'E', 'E', 'P', '-', 'D', 'e', 'v', 'i', 'c', 'e', 0x48, 'S', 'e', 'c',
	'u', 'r', 'e', 'F', 'S', 0x4b, 'c', 'o', 'n', 'f', 'i', 'g', '.', 'j', 's', 'o', 'n'};

/* Vendor and class identifiers of the TEEP examples. */
static const uint8_t vendor_id[16] = {0xc0, 0xdd, 0xd5, 0xf1, 0x52, 0x43, 0x56, 0x60,
				      0x87, 0xdb, 0x4f, 0x5b, 0x0a, 0xa2, 0x6c, 0x2f};
static const uint8_t class_id[16] = {0xdb, 0x42, 0xf7, 0x09, 0x3d, 0x8c, 0x55, 0xba,
				     0xa8, 0xc5, 0x26, 0x5f, 0xc5, 0x82, 0x0f, 0x4e};

/* Build a description with one signer into out; returns the length. */
static size_t build(struct tk_cli_desc *d, const struct tk_crypto_key *key, uint8_t *out)
{
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_diag diag;
	size_t len = 0;
	tk_err err;

	d->desc.signers = &signer;
	d->desc.signer_count = 1;
	tk_diag_clear(&diag);
	err = tk_suit_build(&d->desc, tk_crypto_openssl(), out, ENVELOPE_MAX, &len, &diag);
	if (err != TK_OK)
		print_error("build: %s: %s\n", tk_err_name(err), diag.msg);
	assert_int_equal(err, TK_OK);
	return len;
}

/*
 * Build the TA manifest and the root description `root` (with tee.pub.pem
 * from a fresh simulated TEE beside it), install the root through the
 * agent's hooks, and check that the TA and `config` are installed.
 */
static void install_root(const char *root, const char *config)
{
	static uint8_t ta_env[ENVELOPE_MAX], root_env[ENVELOPE_MAX];
	char dir[] = "/tmp/tk-agent-dependency-XXXXXX", path[128], tee_dir[128], cmd[160];
	char pem[1024];
	uint8_t stored[256];
	struct tk_teep_agent_manifest_name name;
	struct tk_teep_agent_tee_ops ops;
	struct tk_tee_object_info info;
	struct tk_tee_sim_config sim;
	struct tk_crypto_key *key = NULL;
	struct tk_agent_tee glue;
	struct tk_cli_desc d;
	struct tk_tee tee;
	struct tk_diag diag;
	size_t ta_len, root_len, pem_len = 0, stored_len = 0;
	FILE *f;
	tk_err err;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &key,
						NULL), TK_OK);
	snprintf(tee_dir, sizeof(tee_dir), "%s/tee", dir);
	memset(&sim, 0, sizeof(sim));
	sim.state_dir = tee_dir;
	sim.create = true;
	sim.create_alg = -9;
	assert_int_equal(tk_tee_sim_open(&sim, &tee, NULL), TK_OK);
	assert_int_equal(tk_tee_encryption_public_key_pem(&tee, pem, sizeof(pem), &pem_len, NULL),
			 TK_OK);
	snprintf(path, sizeof(path), "%s/tee.pub.pem", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pem, 1, pem_len, f), pem_len);
	assert_int_equal(fclose(f), 0);

	/* The dependency, written where the root description finds it. */
	tk_diag_clear(&diag);
	assert_int_equal(tk_cli_desc_load(FIXTURES "/suit_integrated.json", &d, &diag), TK_OK);
	ta_len = build(&d, key, ta_env);
	tk_cli_desc_free(&d);
	snprintf(path, sizeof(path), "%s/ta.suit", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(ta_env, 1, ta_len, f), ta_len);
	assert_int_equal(fclose(f), 0);
	err = tk_cli_desc_load_buffer(root, strlen(root), dir, &d, &diag);
	if (err != TK_OK)
		print_error("root description: %s: %s\n", tk_err_name(err), diag.msg);
	assert_int_equal(err, TK_OK);
	root_len = build(&d, key, root_env);
	tk_cli_desc_free(&d);
	assert_null(memmem(root_env, root_len, "secret", 6));

	memset(&glue, 0, sizeof(glue));
	glue.tee = &tee;
	glue.crypto = tk_crypto_openssl();
	glue.trust_anchors = (const struct tk_crypto_key *const *)&key;
	glue.n_trust_anchors = 1;
	glue.has_vendor_id = true;
	memcpy(glue.vendor_id, vendor_id, sizeof(vendor_id));
	glue.has_class_id = true;
	memcpy(glue.class_id, class_id, sizeof(class_id));
	ops = tk_agent_tee_ops(&glue);

	memset(&name, 0, sizeof(name));
	tk_diag_clear(&diag);
	err = ops.process_manifest(ops.ctx, root_env, root_len, &name, &diag);
	if (err != TK_OK)
		print_error("install: %s: %s\n", tk_err_name(err), diag.msg);
	assert_int_equal(err, TK_OK);
	assert_int_equal(tk_tee_component_info(&tee, ta_id, sizeof(ta_id), &info, &diag), TK_OK);
	assert_int_equal(info.size, 20);
	assert_int_equal(tk_tee_read_component(&tee, config_id, sizeof(config_id), stored,
					       sizeof(stored), &stored_len, &diag), TK_OK);
	assert_int_equal(stored_len, strlen(config));
	assert_memory_equal(stored, config, stored_len);

	tk_tee_close(&tee);
	tk_crypto_key_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_integrated_dependency_installs(void **state)
{
	(void)state;
	install_root(root_desc, "{\"key\":1}");
}

static void test_encrypted_data_installs(void **state)
{
	(void)state;
	install_root(encrypted_desc, "{\"secret\":42}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integrated_dependency_installs),
		cmocka_unit_test(test_encrypted_data_installs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
