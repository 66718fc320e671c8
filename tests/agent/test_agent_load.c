/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of `teep-agent load` and `teep-agent measurements` as a process,
 * on a simulated TEE prepared in-process: a component and its signed
 * envelope (made by the SUIT builder) are stored as an install would
 * store them, then the program loads the component. Rows cover success,
 * an altered stored image, an untrusted signer, an unknown component and
 * misuse, each with its exit status and error name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/tk_crypto.h"
#include "proc.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"
#include "tee/tk_tee.h"

/* [h'7461'] and its manifest component id [h'6d61']. */
static const uint8_t component_id[] = {0x81, 0x42, 0x74, 0x61};
static const uint8_t manifest_id[] = {0x81, 0x42, 0x6d, 0x61};
static const uint8_t image[] = "trusted application image";

struct fixture {
	char base[64];
	char state[96];
	char signer_pub[96];
	char other_pub[96];
	struct tk_crypto_key *signer; /* kept by setup_invocable, else NULL */
	struct proc_result result;
};

static void write_public_pem(const struct tk_crypto_key *key, const char *path)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &len, NULL),
			 TK_OK);
	assert_int_equal(fwrite(pem, 1, len, f), len);
	fclose(f);
}

/* Store the component and its envelope as an install would. */
static void install(struct fixture *f, const struct tk_crypto_key *signer)
{
	struct tk_tee_sim_config config = {.state_dir = f->state, .create = true};
	struct tk_suit_build_params params = {
		.component_id = tk_span_make(component_id, sizeof(component_id)),
		.manifest_component_id = tk_span_make(manifest_id, sizeof(manifest_id)),
		.sequence_number = 1,
		.image = tk_span_make(image, sizeof(image)),
		.integrated_name = "#tc",
		.signer = signer,
		.crypto = tk_crypto_openssl(),
	};
	uint8_t envelope[2048];
	size_t envelope_len = 0;
	struct tk_tee tee;

	assert_int_equal(tk_suit_build_envelope(&params, envelope, sizeof(envelope),
						&envelope_len, NULL), TK_OK);
	assert_int_equal(tk_tee_sim_open(&config, &tee, NULL), TK_OK);
	assert_int_equal(tk_tee_install_component(&tee, component_id, sizeof(component_id),
						  image, sizeof(image), 1, NULL), TK_OK);
	assert_int_equal(tk_tee_store_manifest(&tee, manifest_id, sizeof(manifest_id),
					       envelope, envelope_len, 1, NULL), TK_OK);
	tk_tee_close(&tee);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_crypto_key *signer = NULL, *other = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/tk-agent-load-XXXXXX");
	if (mkdtemp(f->base) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->base);
	snprintf(f->signer_pub, sizeof(f->signer_pub), "%s/signer.pub.pem", f->base);
	snprintf(f->other_pub, sizeof(f->other_pub), "%s/other.pub.pem", f->base);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						&signer, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						&other, NULL), TK_OK);
	write_public_pem(signer, f->signer_pub);
	write_public_pem(other, f->other_pub);
	install(f, signer);
	tk_crypto_key_free(signer);
	tk_crypto_key_free(other);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	proc_remove_tree(f->base);
	free(f);
	return 0;
}

/* Run teep-agent with args (NULL-terminated, at most 12). */
static void run_agent(struct fixture *f, const char *const *args)
{
	const char *argv[16] = {TK_AGENT_BIN};
	size_t n = 1;

	for (size_t i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	assert_int_equal(proc_run(&f->result, argv), 0);
}

static void expect_run(struct fixture *f, const char *desc, const char *const *args,
		       int exit_code, const char *out_has, const char *err_has)
{
	run_agent(f, args);
	if (f->result.exit_code != exit_code ||
	    (out_has != NULL && strstr(f->result.out, out_has) == NULL) ||
	    (err_has != NULL && strstr(f->result.err, err_has) == NULL))
		fail_msg("%s: exit %d (expected %d)\nstdout: %s\nstderr: %s", desc,
			 f->result.exit_code, exit_code, f->result.out, f->result.err);
}

static void test_load_then_measurements(void **state)
{
	struct fixture *f = *state;

	expect_run(f, "measurements before load",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0,
		   "no components loaded", NULL);
	expect_run(f, "load",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, NULL},
		   0, "loaded 81427461 sha-256:", NULL);
	expect_run(f, "measurements after load",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0,
		   "81427461 sha-256:", NULL);
	assert_null(strstr(f->result.out, " pcr "));
	assert_non_null(strstr(f->result.out, " running "));
}

/* Open the one regular file in folder `dir` read-write, or return -1. */
static int open_only_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	int fd = -1;

	if (d == NULL)
		return -1;
	while (fd < 0 && (entry = readdir(d)) != NULL)
		if (entry->d_name[0] != '.')
			fd = openat(dirfd(d), entry->d_name, O_RDWR);
	closedir(d);
	return fd;
}

static void test_load_rejects(void **state)
{
	struct fixture *f = *state;
	char path[160];
	int fd;

	expect_run(f, "untrusted signer",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->other_pub, NULL},
		   1, NULL, "TK_ERR_SIGNATURE");
	expect_run(f, "unknown component",
		   (const char *[]){"load", "--state", f->state, "--component", "81427462",
				    "--trust-anchor", f->signer_pub, NULL},
		   1, NULL, "TK_ERR_NOT_FOUND");
	expect_run(f, "component id not an array",
		   (const char *[]){"load", "--state", f->state, "--component", "4274",
				    "--trust-anchor", f->signer_pub, NULL},
		   2, NULL, "invalid value for --component");
	/* With /dev/tpmrm0 present the agent would open the real TPM. */
	if (access("/dev/tpmrm0", F_OK) != 0)
		expect_run(f, "tpm without tcti",
			   (const char *[]){"load", "--state", f->state, "--backend", "tpm",
					    "--component", "81427461", "--trust-anchor",
					    f->signer_pub, NULL},
			   2, NULL, "--backend tpm needs --tcti");

	/* Change the last stored byte of the image: the load is refused. */
	snprintf(path, sizeof(path), "%s/components", f->state);
	fd = open_only_file(path);
	assert_true(fd >= 0);
	{
		off_t end = lseek(fd, 0, SEEK_END);
		uint8_t byte;

		assert_int_equal(pread(fd, &byte, 1, end - 1), 1);
		byte ^= 1;
		assert_int_equal(pwrite(fd, &byte, 1, end - 1), 1);
		close(fd);
	}
	expect_run(f, "altered image",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, NULL},
		   1, NULL, "TK_ERR_DIGEST_MISMATCH");
	expect_run(f, "nothing recorded",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0,
		   "no components loaded", NULL);
}

static void write_script(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0700), 0);
}

static void test_load_runs_runner(void **state)
{
	struct fixture *f = *state;
	char runner[128], failing[128], ran[128], script[512], content[256];
	long n;

	snprintf(runner, sizeof(runner), "%s/runner.sh", f->base);
	snprintf(failing, sizeof(failing), "%s/failing.sh", f->base);
	snprintf(ran, sizeof(ran), "%s/ran", f->base);
	snprintf(script, sizeof(script), "#!/bin/sh\nprintf '%%s\\n' \"$1\" > %s\ncat >> %s\n",
		 ran, ran);
	write_script(runner, script);
	write_script(failing, "#!/bin/sh\nexit 3\n");

	expect_run(f, "load with runner",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, "--runner", runner, NULL},
		   0, "loaded 81427461", NULL);
	n = proc_read_file(ran, content, sizeof(content));
	assert_int_equal(n, 9 + (long)sizeof(image));
	assert_memory_equal(content, "81427461\n", 9);
	assert_memory_equal(content + 9, image, sizeof(image));

	/* A failing runner fails the load; the measurement stays recorded. */
	expect_run(f, "failing runner",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, "--runner", failing, NULL},
		   1, NULL, "failed with status 3");
	expect_run(f, "both loads recorded",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0, NULL, NULL);
	assert_non_null(strstr(f->result.out, "81427461 sha-256:"));
	assert_non_null(strstr(strstr(f->result.out, "\n") + 1, "81427461 sha-256:"));
}

/* A runner that cannot run is reported before the load is recorded. */
static void test_load_missing_runner(void **state)
{
	struct fixture *f = *state;
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/no-such-runner", f->base);
	expect_run(f, "missing runner",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, "--runner", missing, NULL},
		   1, NULL, "no-such-runner");
	expect_run(f, "nothing recorded",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0,
		   "no components loaded", NULL);
}

/* [h'7462'] and [h'6d62'], installed by a second signer. */
static const uint8_t second_id[] = {0x81, 0x42, 0x74, 0x62};
static const uint8_t second_manifest_id[] = {0x81, 0x42, 0x6d, 0x62};

static void install_second(struct fixture *f, const struct tk_crypto_key *signer)
{
	struct tk_tee_sim_config config = {.state_dir = f->state};
	struct tk_suit_build_params params = {
		.component_id = tk_span_make(second_id, sizeof(second_id)),
		.manifest_component_id = tk_span_make(second_manifest_id,
						      sizeof(second_manifest_id)),
		.sequence_number = 1,
		.image = tk_span_make(image, sizeof(image)),
		.integrated_name = "#tc",
		.signer = signer,
		.crypto = tk_crypto_openssl(),
	};
	uint8_t envelope[2048];
	size_t envelope_len = 0;
	struct tk_tee tee;

	assert_int_equal(tk_suit_build_envelope(&params, envelope, sizeof(envelope),
						&envelope_len, NULL), TK_OK);
	assert_int_equal(tk_tee_sim_open(&config, &tee, NULL), TK_OK);
	assert_int_equal(tk_tee_install_component(&tee, second_id, sizeof(second_id), image,
						  sizeof(image), 1, NULL), TK_OK);
	assert_int_equal(tk_tee_store_manifest(&tee, second_manifest_id,
					       sizeof(second_manifest_id), envelope,
					       envelope_len, 1, NULL), TK_OK);
	tk_tee_close(&tee);
}

/*
 * Two signers (an operator's TA and a data provider's component): each
 * component loads with its own signer's anchor alone, whatever order the
 * store lists the manifests in, because a manifest the anchors do not
 * authenticate cannot name the component.
 */
static void test_load_beside_other_signer(void **state)
{
	struct fixture *f = *state;
	struct tk_crypto_key *other = NULL;

	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &other,
						NULL), TK_OK);
	write_public_pem(other, f->other_pub);
	install_second(f, other);
	tk_crypto_key_free(other);

	expect_run(f, "first component, first signer only",
		   (const char *[]){"load", "--state", f->state, "--component", "81427461",
				    "--trust-anchor", f->signer_pub, NULL},
		   0, "loaded 81427461", NULL);
	expect_run(f, "second component, second signer only",
		   (const char *[]){"load", "--state", f->state, "--component", "81427462",
				    "--trust-anchor", f->other_pub, NULL},
		   0, "loaded 81427462", NULL);
	expect_run(f, "second component, first signer only",
		   (const char *[]){"load", "--state", f->state, "--component", "81427462",
				    "--trust-anchor", f->signer_pub, NULL},
		   1, NULL, "TK_ERR_SIGNATURE");
}

/*
 * Manifests with an invoke section: [h'7469'] under [h'6d69'], whose
 * shared sequence sets the image digest and size, whose validate section
 * checks image-match and whose invoke section invokes the component
 * (draft-ietf-suit-manifest-37 sections 8.4.6 and 8.4.10.7). With
 * `invokes` false the invoke section only checks image-match again.
 */
static const uint8_t invocable_id[] = {0x81, 0x42, 0x74, 0x69};
static const uint8_t invocable_manifest_id[] = {0x81, 0x42, 0x6d, 0x69};

/* SUIT numbers (draft-ietf-suit-manifest-37, IANA section). */
#define CMD_IMAGE_MATCH 3
#define CMD_OVERRIDE_PARAMETERS 20
#define CMD_INVOKE 23
#define PARAM_IMAGE_DIGEST 3
#define PARAM_IMAGE_SIZE 14
#define REPORT_ALL 15

static void install_invocable(struct fixture *f, const struct tk_crypto_key *key,
			      const uint8_t *id, const uint8_t *mid, bool invokes)
{
	struct tk_tee_sim_config config = {.state_dir = f->state, .create = true};
	uint8_t digest[TK_TEE_DIGEST_LEN];
	struct tk_suit_build_param params[2] = {
		{PARAM_IMAGE_DIGEST, {TK_SUIT_VALUE_DIGEST, 0, -16, false, {digest, sizeof(digest)}}},
		{PARAM_IMAGE_SIZE, {TK_SUIT_VALUE_UINT, sizeof(image), 0, false, {NULL, 0}}},
	};
	struct tk_suit_build_command shared = {.command = CMD_OVERRIDE_PARAMETERS,
					       .kind = TK_SUIT_ARG_PARAMS, .params = params,
					       .param_count = 2};
	struct tk_suit_build_command validate = {.command = CMD_IMAGE_MATCH,
						 .kind = TK_SUIT_ARG_UINT, .uint = REPORT_ALL};
	struct tk_suit_build_command invoke = {.command = invokes ? CMD_INVOKE : CMD_IMAGE_MATCH,
					       .kind = TK_SUIT_ARG_UINT, .uint = REPORT_ALL};
	struct tk_suit_build_section sections[2] = {
		{TK_SUIT_SECTION_VALIDATE, {&validate, 1}, false},
		{TK_SUIT_SECTION_INVOKE, {&invoke, 1}, false},
	};
	struct tk_suit_build_signer signer = {key, 0, {NULL, 0}};
	struct tk_span components[1] = {{id, sizeof(invocable_id)}};
	struct tk_suit_build_desc desc = {
		.manifest_version = 1, .sequence_number = 1,
		.components = components, .component_count = 1,
		.has_shared_sequence = true, .shared_sequence = {&shared, 1},
		.manifest_component_id = {mid, sizeof(invocable_manifest_id)},
		.sections = sections, .section_count = 2,
		.signers = &signer, .signer_count = 1,
	};
	uint8_t envelope[2048];
	size_t envelope_len = 0;
	struct tk_tee tee;

	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), image, sizeof(image), digest, NULL),
			 TK_OK);
	assert_int_equal(tk_suit_build(&desc, tk_crypto_openssl(), envelope, sizeof(envelope),
				       &envelope_len, NULL), TK_OK);
	assert_int_equal(tk_tee_sim_open(&config, &tee, NULL), TK_OK);
	assert_int_equal(tk_tee_install_component(&tee, id, sizeof(invocable_id), image,
						  sizeof(image), 1, NULL), TK_OK);
	assert_int_equal(tk_tee_store_manifest(&tee, mid, sizeof(invocable_manifest_id), envelope,
					       envelope_len, 1, NULL), TK_OK);
	tk_tee_close(&tee);
}

/* A state holding only the invocable manifest and its component. */
static int setup_invocable(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tk_crypto_key *signer = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/tk-agent-load-XXXXXX");
	if (mkdtemp(f->base) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->base);
	snprintf(f->signer_pub, sizeof(f->signer_pub), "%s/signer.pub.pem", f->base);
	snprintf(f->other_pub, sizeof(f->other_pub), "%s/other.pub.pem", f->base);
	assert_int_equal(tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256,
						&signer, NULL), TK_OK);
	write_public_pem(signer, f->signer_pub);
	install_invocable(f, signer, invocable_id, invocable_manifest_id, true);
	/* Kept to sign a second manifest in the test. */
	f->signer = signer;
	*state = f;
	return 0;
}

static int teardown_invocable(void **state)
{
	struct fixture *f = *state;

	tk_crypto_key_free(f->signer);
	return teardown(state);
}

/* "loaded <id> sha-256:<SHA-256 of the image>" as the load prints it. */
static void expected_line(const char *id_hex, char *out, size_t cap)
{
	uint8_t digest[TK_TEE_DIGEST_LEN];
	size_t n;

	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), image, sizeof(image), digest, NULL),
			 TK_OK);
	n = (size_t)snprintf(out, cap, "loaded %s sha-256:", id_hex);
	for (size_t i = 0; i < sizeof(digest) && n + 2 < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02x", digest[i]);
}

/*
 * The invocation procedure: validate's image-match runs on the stored
 * image, invoke hands the component to the TEE's measured load (the log
 * gets the image digest) and to the runner.
 */
static void test_load_invokes(void **state)
{
	struct fixture *f = *state;
	char runner[128], ran[128], script[512], content[256], line[128];
	static const uint8_t idle_id[] = {0x81, 0x42, 0x74, 0x6a};
	static const uint8_t idle_manifest_id[] = {0x81, 0x42, 0x6d, 0x6a};

	snprintf(runner, sizeof(runner), "%s/runner.sh", f->base);
	snprintf(ran, sizeof(ran), "%s/ran", f->base);
	snprintf(script, sizeof(script), "#!/bin/sh\nprintf '%%s\\n' \"$1\" > %s\ncat >> %s\n",
		 ran, ran);
	write_script(runner, script);
	expected_line("81427469", line, sizeof(line));

	expect_run(f, "load through the invocation procedure",
		   (const char *[]){"load", "--state", f->state, "--component", "81427469",
				    "--trust-anchor", f->signer_pub, "--runner", runner, NULL},
		   0, line, NULL);
	assert_int_equal(proc_read_file(ran, content, sizeof(content)), 9 + (long)sizeof(image));
	assert_memory_equal(content, "81427469\n", 9);
	assert_memory_equal(content + 9, image, sizeof(image));
	expect_run(f, "measurement recorded",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0, line + 7,
		   NULL);

	/* An invoke section that does not invoke the component loads nothing. */
	install_invocable(f, f->signer, idle_id, idle_manifest_id, false);
	expect_run(f, "invoke section without directive-invoke",
		   (const char *[]){"load", "--state", f->state, "--component", "8142746a",
				    "--trust-anchor", f->signer_pub, NULL},
		   1, NULL, "TK_ERR_POLICY");
	expect_run(f, "no measurement of the idle component",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0, NULL, NULL);
	assert_null(strstr(f->result.out, "8142746a"));
}

/* An altered stored image fails validate's image-match; nothing recorded. */
static void test_load_invoke_altered(void **state)
{
	struct fixture *f = *state;
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/components", f->state);
	fd = open_only_file(path);
	assert_true(fd >= 0);
	{
		off_t end = lseek(fd, 0, SEEK_END);
		uint8_t byte;

		assert_int_equal(pread(fd, &byte, 1, end - 1), 1);
		byte ^= 1;
		assert_int_equal(pwrite(fd, &byte, 1, end - 1), 1);
		close(fd);
	}
	expect_run(f, "altered image, validate",
		   (const char *[]){"load", "--state", f->state, "--component", "81427469",
				    "--trust-anchor", f->signer_pub, NULL},
		   1, NULL, "TK_ERR_DIGEST_MISMATCH");
	if (strstr(f->result.err, "validate") == NULL)
		fail_msg("altered image: the failure does not name the validate section\n%s",
			 f->result.err);
	expect_run(f, "nothing recorded",
		   (const char *[]){"measurements", "--state", f->state, NULL}, 0,
		   "no components loaded", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_then_measurements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_runs_runner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_beside_other_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_runner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_invokes, setup_invocable,
						teardown_invocable),
		cmocka_unit_test_setup_teardown(test_load_invoke_altered, setup_invocable,
						teardown_invocable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
