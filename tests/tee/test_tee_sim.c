/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the simulated TEE backend: the state directory and key file
 * modes, a stable key, kid and UEID across restarts, the component and
 * manifest store, persisted sequence numbers and recovery from an
 * interrupted install. Further tests check that no component id or symlink
 * reaches outside the state directory. Each test uses its own temporary
 * folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee.h"

static void check_err(const char *desc, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	if (expected == actual)
		return;
	tk_diag_format(diag, detail, sizeof(detail));
	fail_msg("%s: expected %s, got %s (%s)", desc, tk_err_name(expected),
		 tk_err_name(actual), detail);
}

/* A temporary base folder; the state directory is base/state. */
struct fixture {
	char base[64];
	char state[96];
	struct tk_tee tee;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/tk-tee-test-XXXXXX");
	if (mkdtemp(f->base) == NULL)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->base);
	*state = f;
	return 0;
}

/* Remove a folder tree made by a test (no symlinks are followed). */
static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;

	if (dir == NULL) {
		unlink(path);
		return;
	}
	while ((entry = readdir(dir)) != NULL) {
		char child[512];
		struct stat st;

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(child);
		else
			unlink(child);
	}
	closedir(dir);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tk_tee_close(&f->tee);
	remove_tree(f->base);
	free(f);
	return 0;
}

static tk_err open_sim(struct fixture *f, bool create, int64_t alg,
		       struct tk_diag *diag)
{
	struct tk_tee_sim_config config = {
		.state_dir = f->state,
		.create = create,
		.create_alg = alg,
	};

	tk_tee_close(&f->tee);
	tk_diag_clear(diag);
	return tk_tee_sim_open(&config, &f->tee, diag);
}

static void open_ok(struct fixture *f, bool create)
{
	struct tk_diag diag;

	check_err("open simulated TEE", TK_OK, open_sim(f, create, 0, &diag), &diag);
}

static mode_t mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Hex SHA-256 of an id: the name of its object file. */
static void object_name(const uint8_t *id, size_t id_len, char name[65])
{
	uint8_t digest[32];

	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), id, id_len, digest,
					  NULL), TK_OK);
	for (size_t i = 0; i < 32; i++)
		snprintf(name + 2 * i, 3, "%02x", digest[i]);
}

/* Component ids are encoded SUIT_Component_Identifiers. */
static const uint8_t id_a[] = {0x81, 0x41, 'a'};
static const uint8_t id_b[] = {0x81, 0x41, 'b'};
static const uint8_t image_1[] = "first image of TA a";
static const uint8_t image_2[] = "second, longer image of TA a";

static void test_init_modes(void **state)
{
	struct fixture *f = *state;

	open_ok(f, true);
	assert_int_equal(mode_of(f->base, "state"), 0700);
	assert_int_equal(mode_of(f->state, "key.pem"), 0600);
	assert_int_equal(mode_of(f->state, "ueid"), 0600);
	assert_int_equal(mode_of(f->state, "components"), 0700);
	assert_int_equal(mode_of(f->state, "manifests"), 0700);
	assert_int_equal(mode_of(f->state, "sequence"), 0700);
}

static void test_open_missing_without_create(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;

	check_err("no state directory", TK_ERR_NOT_FOUND,
		  open_sim(f, false, 0, &diag), &diag);
	assert_null(f->tee.ops);
}

static void test_restart_keeps_identity(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_key_info first, second;
	uint8_t ueid1[64], ueid2[64];
	char pem1[512], pem2[512];
	size_t ueid1_len, ueid2_len, pem1_len, pem2_len;
	struct tk_diag diag;

	open_ok(f, true);
	assert_int_equal(tk_tee_key_info(&f->tee, &first, NULL), TK_OK);
	assert_int_equal(first.alg, TK_COSE_ALG_ESP256);
	assert_int_equal(tk_tee_ueid(&f->tee, ueid1, sizeof(ueid1), &ueid1_len, NULL), TK_OK);
	assert_int_equal(ueid1_len, TK_TEE_UEID_LEN);
	assert_int_equal(ueid1[0], 0x01);
	assert_int_equal(tk_tee_public_key_pem(&f->tee, pem1, sizeof(pem1), &pem1_len,
					       NULL), TK_OK);
	assert_memory_equal(pem1, "-----BEGIN PUBLIC KEY-----", 26);

	/* Reopen, asking for Ed25519: the existing key wins. */
	check_err("reopen", TK_OK, open_sim(f, false, TK_COSE_ALG_ED25519, &diag), &diag);
	assert_int_equal(tk_tee_key_info(&f->tee, &second, NULL), TK_OK);
	assert_int_equal(second.alg, TK_COSE_ALG_ESP256);
	assert_memory_equal(first.kid, second.kid, TK_TEE_KID_LEN);
	assert_int_equal(tk_tee_ueid(&f->tee, ueid2, sizeof(ueid2), &ueid2_len, NULL), TK_OK);
	assert_int_equal(ueid2_len, ueid1_len);
	assert_memory_equal(ueid1, ueid2, ueid1_len);
	assert_int_equal(tk_tee_public_key_pem(&f->tee, pem2, sizeof(pem2), &pem2_len,
					       NULL), TK_OK);
	assert_int_equal(pem1_len, pem2_len);
	assert_memory_equal(pem1, pem2, pem1_len);
}

static void test_key_signs_and_kid_is_thumbprint(void **state)
{
	struct fixture *f = *state;
	const struct tk_crypto_key *key = NULL;
	uint8_t thumbprint[32], sig[TK_CRYPTO_SIG_MAX];
	struct tk_tee_key_info info;
	struct tk_span part = tk_span_make("to be signed", 12);
	size_t sig_len = 0;
	struct tk_diag diag;

	check_err("create Ed25519", TK_OK, open_sim(f, true, TK_COSE_ALG_ED25519, &diag),
		  &diag);
	assert_int_equal(tk_tee_key_info(&f->tee, &info, NULL), TK_OK);
	assert_int_equal(info.alg, TK_COSE_ALG_ED25519);
	assert_int_equal(tk_tee_signing_key(&f->tee, &key, NULL), TK_OK);
	assert_int_equal(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key,
						       thumbprint, NULL), TK_OK);
	assert_memory_equal(info.kid, thumbprint, sizeof(thumbprint));

	assert_int_equal(tk_tee_sign(&f->tee, part.ptr, part.len, sig, sizeof(sig),
				     &sig_len, NULL), TK_OK);
	assert_int_equal(sig_len, TK_CRYPTO_ED25519_SIG_LEN);
	assert_int_equal(tk_crypto_verify(key, TK_CRYPTO_SIG_ED25519, &part, 1, sig,
					  sig_len, NULL), TK_OK);
	check_err("signature buffer too small", TK_ERR_BUFFER_TOO_SMALL,
		  tk_tee_sign(&f->tee, part.ptr, part.len, sig, 10, &sig_len, &diag), &diag);
	assert_int_equal(sig_len, 0);
}

static void test_unsupported_algorithm(void **state)
{
	struct fixture *f = *state;
	struct tk_diag diag;

	check_err("ES384 key", TK_ERR_ALG_UNSUPPORTED, open_sim(f, true, -35, &diag),
		  &diag);
}

/* Collects what a list call visits. */
struct seen {
	size_t count;
	struct tk_tee_object_info items[8];
};

static tk_err collect(void *ctx, const struct tk_tee_object_info *info)
{
	struct seen *seen = ctx;

	if (seen->count == 8)
		return TK_ERR_LIMIT_COUNT;
	seen->items[seen->count++] = *info;
	return TK_OK;
}

static void test_install_list_read_remove(void **state)
{
	struct fixture *f = *state;
	struct tk_tee_object_info info;
	uint8_t digest[32], buf[128];
	struct seen seen = {0};
	struct tk_diag diag;
	size_t len = 0;

	open_ok(f, true);
	assert_int_equal(tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_1,
						  sizeof(image_1), 1, NULL), TK_OK);
	assert_int_equal(tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_2,
						  sizeof(image_2), 2, NULL), TK_OK);
	assert_int_equal(tk_tee_install_component(&f->tee, id_b, sizeof(id_b), image_1,
						  sizeof(image_1), 7, NULL), TK_OK);

	/* The second install replaced the first. */
	assert_int_equal(tk_tee_component_info(&f->tee, id_a, sizeof(id_a), &info, NULL),
			 TK_OK);
	assert_int_equal(info.size, sizeof(image_2));
	assert_int_equal(info.sequence_number, 2);
	assert_int_equal(tk_crypto_sha256(tk_crypto_openssl(), image_2, sizeof(image_2),
					  digest, NULL), TK_OK);
	assert_memory_equal(info.digest, digest, 32);
	assert_int_equal(tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf,
					       sizeof(buf), &len, NULL), TK_OK);
	assert_int_equal(len, sizeof(image_2));
	assert_memory_equal(buf, image_2, len);

	tk_diag_clear(&diag);
	check_err("read into a small buffer", TK_ERR_BUFFER_TOO_SMALL,
		  tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf, 4, &len, &diag),
		  &diag);
	assert_int_equal(len, 0);

	assert_int_equal(tk_tee_list_components(&f->tee, collect, &seen, NULL), TK_OK);
	assert_int_equal(seen.count, 2);
	for (size_t i = 0; i < seen.count; i++) {
		bool is_b = seen.items[i].id[2] == 'b';

		assert_int_equal(seen.items[i].id_len, 3);
		assert_int_equal(seen.items[i].sequence_number, is_b ? 7 : 2);
	}

	assert_int_equal(tk_tee_remove_component(&f->tee, id_a, sizeof(id_a), NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("read removed", TK_ERR_NOT_FOUND,
		  tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf, sizeof(buf),
					&len, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("remove twice", TK_ERR_NOT_FOUND,
		  tk_tee_remove_component(&f->tee, id_a, sizeof(id_a), &diag), &diag);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tk_tee_list_components(&f->tee, collect, &seen, NULL), TK_OK);
	assert_int_equal(seen.count, 1);
	assert_int_equal(seen.items[0].id[2], 'b');
}

static void test_manifest_store(void **state)
{
	struct fixture *f = *state;
	static const uint8_t envelope[] = {0xd8, 0x6b, 0xa2, 0x02, 0x40, 0x03, 0x40};
	struct tk_tee_object_info info;
	struct seen seen = {0};
	uint8_t buf[64];
	uint64_t seq = 0;
	bool found = false;
	size_t len = 0;
	struct tk_diag diag;

	open_ok(f, true);
	assert_int_equal(tk_tee_store_manifest(&f->tee, id_a, sizeof(id_a), envelope,
					       sizeof(envelope), 3, NULL), TK_OK);
	assert_int_equal(tk_tee_set_sequence_number(&f->tee, id_a, sizeof(id_a), 3, NULL),
			 TK_OK);
	assert_int_equal(tk_tee_manifest_info(&f->tee, id_a, sizeof(id_a), &info, NULL),
			 TK_OK);
	assert_int_equal(info.sequence_number, 3);
	assert_int_equal(info.size, sizeof(envelope));
	assert_int_equal(tk_tee_read_manifest(&f->tee, id_a, sizeof(id_a), buf,
					      sizeof(buf), &len, NULL), TK_OK);
	assert_int_equal(len, sizeof(envelope));
	assert_memory_equal(buf, envelope, len);
	assert_int_equal(tk_tee_list_manifests(&f->tee, collect, &seen, NULL), TK_OK);
	assert_int_equal(seen.count, 1);

	/* Removing the envelope keeps the anti-rollback floor. */
	assert_int_equal(tk_tee_remove_manifest(&f->tee, id_a, sizeof(id_a), NULL), TK_OK);
	tk_diag_clear(&diag);
	check_err("removed manifest", TK_ERR_NOT_FOUND,
		  tk_tee_manifest_info(&f->tee, id_a, sizeof(id_a), &info, &diag), &diag);
	assert_int_equal(tk_tee_get_sequence_number(&f->tee, id_a, sizeof(id_a), &seq,
						    &found, NULL), TK_OK);
	assert_true(found);
	assert_int_equal(seq, 3);
}

static void test_sequence_numbers_persist(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		uint64_t value;
		tk_err expected;
	} steps[] = {
		{"first value", 5, TK_OK},
		{"lower value", 3, TK_ERR_ROLLBACK},
		{"equal value", 5, TK_OK},
		{"higher value", 9, TK_OK},
		{"zero after nine", 0, TK_ERR_ROLLBACK},
	};
	uint64_t seq = 1;
	bool found = true;
	struct tk_diag diag;

	open_ok(f, true);
	assert_int_equal(tk_tee_get_sequence_number(&f->tee, id_b, sizeof(id_b), &seq,
						    &found, NULL), TK_OK);
	assert_false(found);
	assert_int_equal(seq, 0);

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		tk_diag_clear(&diag);
		check_err(steps[i].desc, steps[i].expected,
			  tk_tee_set_sequence_number(&f->tee, id_b, sizeof(id_b),
						     steps[i].value, &diag), &diag);
	}

	open_ok(f, false);
	assert_int_equal(tk_tee_get_sequence_number(&f->tee, id_b, sizeof(id_b), &seq,
						    &found, NULL), TK_OK);
	assert_true(found);
	assert_int_equal(seq, 9);
	tk_diag_clear(&diag);
	check_err("lower after reopen", TK_ERR_ROLLBACK,
		  tk_tee_set_sequence_number(&f->tee, id_b, sizeof(id_b), 8, &diag), &diag);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void test_interrupted_install_recovers(void **state)
{
	struct fixture *f = *state;
	char name[65], tmp[256], stray[256];
	uint8_t buf[128];
	size_t len = 0;

	open_ok(f, true);
	assert_int_equal(tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_1,
						  sizeof(image_1), 1, NULL), TK_OK);
	tk_tee_close(&f->tee);

	/* A crash between write and rename leaves the temporary file. */
	object_name(id_a, sizeof(id_a), name);
	snprintf(tmp, sizeof(tmp), "%s/components/.tmp-%s", f->state, name);
	write_file(tmp, "half of a new ima", 17);
	snprintf(stray, sizeof(stray), "%s/.tmp-ueid", f->state);
	write_file(stray, "x", 1);

	open_ok(f, false);
	assert_false(exists(tmp));
	assert_false(exists(stray));
	assert_int_equal(tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf,
					       sizeof(buf), &len, NULL), TK_OK);
	assert_int_equal(len, sizeof(image_1));
	assert_memory_equal(buf, image_1, len);
}

static void test_tampered_image_detected(void **state)
{
	struct fixture *f = *state;
	char name[65], path[256];
	uint8_t buf[128], byte = 0;
	size_t len = 0;
	struct tk_diag diag;
	int fd;

	open_ok(f, true);
	assert_int_equal(tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_1,
						  sizeof(image_1), 1, NULL), TK_OK);
	object_name(id_a, sizeof(id_a), name);
	snprintf(path, sizeof(path), "%s/components/%s", f->state, name);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, 320), 1);
	byte ^= 0x20;
	assert_int_equal(pwrite(fd, &byte, 1, 320), 1);
	close(fd);

	tk_diag_clear(&diag);
	check_err("flipped image byte", TK_ERR_DIGEST_MISMATCH,
		  tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf, sizeof(buf),
					&len, &diag), &diag);
	assert_int_equal(len, 0);
}

/* Count entries of a folder other than . and .. */
static size_t count_entries(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	size_t n = 0;

	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, ".."))
			n++;
	}
	closedir(dir);
	return n;
}

static void test_hostile_ids_stay_inside(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *desc;
		const char *bytes;
	} ids[] = {
		{"parent path", "../../escape"},
		{"absolute path", "/tmp/escape"},
		{"dot", "."},
		{"temporary prefix", ".tmp-x"},
		{"embedded NUL", "a\0../b"},
	};
	char path[256];
	uint8_t buf[128];
	size_t len;

	open_ok(f, true);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const uint8_t *id = (const uint8_t *)ids[i].bytes;
		size_t id_len = i == 4 ? 6 : strlen(ids[i].bytes);
		struct tk_diag diag;

		tk_diag_clear(&diag);
		check_err(ids[i].desc, TK_OK,
			  tk_tee_install_component(&f->tee, id, id_len, image_1,
						   sizeof(image_1), 1, &diag), &diag);
		check_err(ids[i].desc, TK_OK,
			  tk_tee_read_component(&f->tee, id, id_len, buf, sizeof(buf),
						&len, &diag), &diag);
		assert_int_equal(len, sizeof(image_1));
	}

	/* Only hash-named files appeared, all inside components/. */
	snprintf(path, sizeof(path), "%s/components", f->state);
	assert_int_equal(count_entries(path), 5);
	assert_int_equal(count_entries(f->base), 1);
	assert_false(exists("/tmp/escape"));
	snprintf(path, sizeof(path), "%s/escape", f->base);
	assert_false(exists(path));
}

static void test_id_too_long(void **state)
{
	struct fixture *f = *state;
	uint8_t id[TK_TEE_MAX_ID_LEN + 1];
	struct tk_diag diag;

	memset(id, 'a', sizeof(id));
	open_ok(f, true);
	tk_diag_clear(&diag);
	check_err("id over the limit", TK_ERR_LIMIT_SIZE,
		  tk_tee_install_component(&f->tee, id, sizeof(id), image_1,
					   sizeof(image_1), 1, &diag), &diag);
	tk_diag_clear(&diag);
	check_err("id at the limit", TK_OK,
		  tk_tee_install_component(&f->tee, id, sizeof(id) - 1, image_1,
					   sizeof(image_1), 1, &diag), &diag);
}

static void test_symlinks_not_followed(void **state)
{
	struct fixture *f = *state;
	char name[65], link_path[256], target[256], real[256];
	uint8_t buf[128];
	size_t len = 0;
	struct stat st;
	struct tk_diag diag;

	/* A symlink as the state directory is rejected. */
	snprintf(real, sizeof(real), "%s/real", f->base);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->state), 0);
	check_err("state directory is a symlink", TK_ERR_IO,
		  open_sim(f, true, 0, &diag), &diag);
	assert_int_equal(unlink(f->state), 0);

	/* A symlink planted at an object name is neither read nor written through. */
	open_ok(f, true);
	snprintf(target, sizeof(target), "%s/outside", f->base);
	write_file(target, "outside", 7);
	object_name(id_a, sizeof(id_a), name);
	snprintf(link_path, sizeof(link_path), "%s/components/%s", f->state, name);
	assert_int_equal(symlink(target, link_path), 0);

	tk_diag_clear(&diag);
	check_err("read through a symlink", TK_ERR_IO,
		  tk_tee_read_component(&f->tee, id_a, sizeof(id_a), buf, sizeof(buf),
					&len, &diag), &diag);
	assert_int_equal(tk_tee_install_component(&f->tee, id_a, sizeof(id_a), image_1,
						  sizeof(image_1), 1, NULL), TK_OK);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 7);
}

static void test_loose_modes_rejected(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct tk_diag diag;

	open_ok(f, true);
	tk_tee_close(&f->tee);

	snprintf(path, sizeof(path), "%s/key.pem", f->state);
	assert_int_equal(chmod(path, 0644), 0);
	check_err("key readable by others", TK_ERR_POLICY, open_sim(f, false, 0, &diag),
		  &diag);
	assert_null(strstr(diag.msg, "PRIVATE"));
	assert_int_equal(chmod(path, 0600), 0);

	assert_int_equal(chmod(f->state, 0755), 0);
	check_err("state directory readable by others", TK_ERR_POLICY,
		  open_sim(f, false, 0, &diag), &diag);
	assert_int_equal(chmod(f->state, 0700), 0);
	open_ok(f, false);
}

static void test_second_process_locked_out(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status = 0;

	open_ok(f, true);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct tk_tee_sim_config config = {.state_dir = f->state};
		struct tk_tee other;

		_exit(tk_tee_sim_open(&config, &other, NULL) == TK_ERR_STATE ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The SUIT report key: its own key of the signing key's type, 0600, kept
   across restarts, and created in a state directory that lacks it. */
static void test_report_key(void **state)
{
	struct fixture *f = *state;
	const struct tk_crypto_key *key = NULL;
	struct tk_tee_key_info info;
	uint8_t first[32], second[32];
	char path[256];
	struct tk_diag diag;

	check_err("create Ed25519", TK_OK, open_sim(f, true, TK_COSE_ALG_ED25519, &diag),
		  &diag);
	assert_int_equal(mode_of(f->state, "report-key.pem"), 0600);
	check_err("report key", TK_OK, tk_tee_report_key(&f->tee, &key, &diag), &diag);
	assert_int_equal(tk_crypto_key_type(key), TK_CRYPTO_KEY_ED25519);
	assert_true(tk_crypto_key_has_private(key));
	assert_int_equal(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, first, NULL),
			 TK_OK);
	assert_int_equal(tk_tee_key_info(&f->tee, &info, NULL), TK_OK);
	assert_memory_not_equal(first, info.kid, sizeof(first));

	check_err("reopen", TK_OK, open_sim(f, false, 0, &diag), &diag);
	check_err("report key again", TK_OK, tk_tee_report_key(&f->tee, &key, &diag), &diag);
	assert_int_equal(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, second, NULL),
			 TK_OK);
	assert_memory_equal(first, second, sizeof(first));

	/* A state directory from before report keys: none without create,
	   a new one with it. */
	snprintf(path, sizeof(path), "%s/report-key.pem", f->state);
	assert_int_equal(unlink(path), 0);
	check_err("reopen without the key", TK_OK, open_sim(f, false, 0, &diag), &diag);
	check_err("no report key", TK_ERR_NOT_FOUND, tk_tee_report_key(&f->tee, &key, &diag),
		  &diag);
	assert_null(key);
	check_err("reopen with create", TK_OK, open_sim(f, true, 0, &diag), &diag);
	check_err("new report key", TK_OK, tk_tee_report_key(&f->tee, &key, &diag), &diag);
	assert_int_equal(tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, second, NULL),
			 TK_OK);
	assert_memory_not_equal(first, second, sizeof(first));
	assert_int_equal(mode_of(f->state, "report-key.pem"), 0600);
}

static void test_missing_hooks_unsupported(void **state)
{
	static const struct tk_tee_ops no_hooks = {0};
	struct tk_tee tee = {.ops = &no_hooks};
	struct tk_tee_key_info info;
	uint8_t buf[8];
	size_t len = 1;
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	check_err("key_info", TK_ERR_UNSUPPORTED, tk_tee_key_info(&tee, &info, &diag),
		  &diag);
	check_err("ueid", TK_ERR_UNSUPPORTED,
		  tk_tee_ueid(&tee, buf, sizeof(buf), &len, &diag), &diag);
	check_err("report key", TK_ERR_UNSUPPORTED,
		  tk_tee_report_key(&tee, &(const struct tk_crypto_key *){NULL}, &diag), &diag);
	assert_int_equal(len, 0);
	check_err("install", TK_ERR_UNSUPPORTED,
		  tk_tee_install_component(&tee, id_a, sizeof(id_a), buf, 1, 1, &diag),
		  &diag);
	check_err("closed backend", TK_ERR_ARG,
		  tk_tee_remove_component(&(struct tk_tee){0}, id_a, sizeof(id_a), &diag),
		  &diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_without_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_signs_and_kid_is_thumbprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_algorithm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_list_read_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_numbers_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_install_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_image_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_ids_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loose_modes_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_process_locked_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_key, setup, teardown),
		cmocka_unit_test(test_missing_hooks_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
