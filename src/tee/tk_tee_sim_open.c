/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening of the simulated TEE backend: the state directory and its lock,
 * the signing key, the SUIT report key, the UEID and the object folders.
 * The hooks are in tk_tee_sim.c, and both files share struct sim through
 * tk_tee_sim_impl.h.
 */
#include "tee/tk_tee.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee_sim_fs.h"
#include "tee/tk_tee_sim_impl.h"
#include "tee/tk_tee_sim_secrets.h"
#include "tee/tk_tee_sim_store.h"

#define KEY_FILE "key.pem"
#define REPORT_KEY_FILE "report-key.pem"
#define UEID_FILE "ueid"
#define LOCK_FILE "lock"
#define COMPONENTS_DIR "components"
#define MANIFESTS_DIR "manifests"
#define SEQUENCE_DIR "sequence"

/* UEID type byte for a random UEID (RFC 9711 section 4.2.1.1). */
#define UEID_TYPE_RAND 0x01

/* Opening. */

/*
 * Create the state directory 0700 unless it exists, and fsync its parent
 * so that the new entry survives a crash.
 */
static tk_err create_root(const char *path, struct tk_diag *diag)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t parent_len;
	tk_err err = TK_OK;
	int fd;

	if (mkdir(path, 0700) != 0) {
		if (errno == EEXIST)
			return TK_OK;
		return TK_FAIL(diag, TK_ERR_IO, "create state directory %s failed: %s",
			       path, strerror(errno));
	}

	if (slash == NULL) {
		parent[0] = '.';
		parent_len = 1;
	} else {
		parent_len = slash == path ? 1 : (size_t)(slash - path);
		if (parent_len >= sizeof(parent))
			return TK_FAIL(diag, TK_ERR_ARG, "state directory path is too long");
		memcpy(parent, path, parent_len);
	}
	parent[parent_len] = '\0';

	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		err = TK_FAIL(diag, TK_ERR_IO, "fsync of %s failed: %s", parent,
			      strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

/* Open the state directory itself, creating it 0700 when allowed. */
static tk_err open_root(const struct tk_tee_sim_config *config, int *out_fd,
			struct tk_diag *diag)
{
	const char *path = config->state_dir;
	struct stat st;
	int fd;

	*out_fd = -1;
	if (config->create) {
		tk_err err = create_root(path, diag);

		if (err != TK_OK)
			return err;
	}

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "open state directory %s failed: %s (run "
			       "`teep-agent init` first, or check it is not a symlink)",
			       path, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_POLICY,
			       "state directory %s must be owned by this user with "
			       "mode 0700", path);
	}
	*out_fd = fd;
	return TK_OK;
}

/*
 * Take an exclusive lock so that two processes never write one state
 * directory at once. The lock dies with the process, so a crash never
 * leaves the directory locked.
 * NOTE: POSIX record locks belong to the process, so a second open of the
 * same directory within one process is not excluded. Programs open the
 * backend once.
 */
static tk_err lock_root(struct sim *sim, const char *path, struct tk_diag *diag)
{
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	sim->lock_fd = openat(sim->root_fd, LOCK_FILE,
			      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (sim->lock_fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "open %s/%s failed: %s", path,
			       LOCK_FILE, strerror(errno));
	if (fcntl(sim->lock_fd, F_SETLK, &lock) != 0)
		return TK_FAIL(diag, TK_ERR_STATE,
			       "state directory %s is in use by another process",
			       path);
	return TK_OK;
}

static tk_err create_key(struct sim *sim, int64_t alg, struct tk_diag *diag)
{
	enum tk_crypto_key_type type = TK_CRYPTO_KEY_P256;
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	tk_err err;

	if (alg == TK_COSE_ALG_ED25519)
		type = TK_CRYPTO_KEY_ED25519;
	else if (alg != 0 && alg != TK_COSE_ALG_ESP256)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "TEE key algorithm %lld is not ESP256 (-9) or "
			       "Ed25519 (-19)", (long long)alg);

	err = tk_crypto_key_generate(sim->crypto, type, &sim->key, diag);
	if (err == TK_OK)
		err = tk_crypto_key_export_pem(sim->key, true, pem, sizeof(pem),
					       &pem_len, diag);
	if (err == TK_OK)
		err = tk_tee_sim_write_atomic(sim->root_fd, KEY_FILE, 0600, pem,
					      pem_len, NULL, 0, diag);
	tk_wipe(pem, sizeof(pem));
	return err;
}

static tk_err load_key(struct sim *sim, struct tk_diag *diag)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	tk_err err;

	err = tk_tee_sim_read_small(sim->root_fd, KEY_FILE, true, pem,
				    sizeof(pem), &pem_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(sim->crypto, pem, pem_len,
					       &sim->key, diag);
	tk_wipe(pem, sizeof(pem));
	if (err == TK_OK && !tk_crypto_key_has_private(sim->key))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s holds no private key", KEY_FILE);
	return err;
}

/* Load the signing key, or create it on first start. */
static tk_err open_key(struct sim *sim, const struct tk_tee_sim_config *config,
		       struct tk_diag *diag)
{
	struct tk_diag local;
	bool created = false;
	char kid_hex[2 * 8 + 4];
	tk_err err;

	tk_diag_clear(&local);
	err = load_key(sim, &local);
	if (err == TK_ERR_NOT_FOUND && config->create) {
		err = create_key(sim, config->create_alg, diag);
		created = true;
	} else if (err != TK_OK) {
		return TK_FAIL(diag, err, "TEE signing key: %s", local.msg);
	}
	if (err != TK_OK)
		return err;

	sim->key_info.alg = tk_cose_alg_for_key(sim->key);
	if (sim->key_info.alg == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "TEE signing key has an unusable type");
	err = tk_cose_key_thumbprint_crypto(sim->crypto, sim->key,
					    sim->key_info.kid, diag);
	if (err != TK_OK)
		return err;

	tk_log_id_prefix(sim->key_info.kid, sizeof(sim->key_info.kid), 8,
			 kid_hex, sizeof(kid_hex));
	tk_log(sim->log, TK_LOG_INFO, "tee-sim", "%s TEE signing key kid %s alg %lld",
	       created ? "created" : "loaded", kid_hex,
	       (long long)sim->key_info.alg);
	return TK_OK;
}

/*
 * Load the SUIT report key, or create it with the signing key's type when
 * missing and `create` is set, also in a state directory made before
 * report keys existed. Without `create` a missing key is no error: the
 * report_key hook then fails with TK_ERR_NOT_FOUND.
 */
static tk_err open_report_key(struct sim *sim, bool create, struct tk_diag *diag)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_sim_read_small(sim->root_fd, REPORT_KEY_FILE, true, pem, sizeof(pem),
				    &pem_len, &local);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(sim->crypto, pem, pem_len, &sim->report_key, diag);
	else if (err == TK_ERR_NOT_FOUND && create)
		err = tk_crypto_key_generate(sim->crypto, tk_crypto_key_type(sim->key),
					     &sim->report_key, diag);
	else if (err == TK_ERR_NOT_FOUND)
		return TK_OK;
	else
		return TK_FAIL(diag, err, "SUIT report key: %s", local.msg);

	/* A key just generated is written out; pem_len is 0 only then. */
	if (err == TK_OK && pem_len == 0)
		err = tk_crypto_key_export_pem(sim->report_key, true, pem, sizeof(pem), &pem_len,
					       diag);
	if (err == TK_OK && local.code == TK_ERR_NOT_FOUND)
		err = tk_tee_sim_write_atomic(sim->root_fd, REPORT_KEY_FILE, 0600, pem, pem_len,
					      NULL, 0, diag);
	tk_wipe(pem, sizeof(pem));
	if (err == TK_OK && !tk_crypto_key_has_private(sim->report_key))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s holds no private key", REPORT_KEY_FILE);
	if (err == TK_OK && tk_crypto_key_type(sim->report_key) != tk_crypto_key_type(sim->key))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s is not of the signing key's type",
			      REPORT_KEY_FILE);
	return err;
}

/* Load the UEID, or create a random one (RFC 9711 type RAND). */
static tk_err open_ueid(struct sim *sim, bool create, struct tk_diag *diag)
{
	struct tk_diag local;
	size_t len = 0;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_sim_read_small(sim->root_fd, UEID_FILE, false, sim->ueid,
				    sizeof(sim->ueid), &len, &local);
	if (err == TK_OK && len == sizeof(sim->ueid) &&
	    sim->ueid[0] == UEID_TYPE_RAND)
		return TK_OK;
	if (err == TK_OK)
		return TK_FAIL(diag, TK_ERR_IO, "%s is not a %d-byte random UEID",
			       UEID_FILE, TK_TEE_UEID_LEN);
	if (err != TK_ERR_NOT_FOUND || !create)
		return TK_FAIL(diag, err, "UEID: %s", local.msg);

	sim->ueid[0] = UEID_TYPE_RAND;
	err = tk_crypto_random(sim->crypto, sim->ueid + 1, sizeof(sim->ueid) - 1,
			       diag);
	if (err != TK_OK)
		return err;
	return tk_tee_sim_write_atomic(sim->root_fd, UEID_FILE, 0600, sim->ueid,
				       sizeof(sim->ueid), NULL, 0, diag);
}

/* Open the object folders and remove temporaries a crash left behind. */
static tk_err open_folders(struct sim *sim, bool create, struct tk_diag *diag)
{
	unsigned removed = 0;
	tk_err err;

	err = tk_tee_sim_open_dir(sim->root_fd, COMPONENTS_DIR, create,
				  &sim->components_fd, diag);
	if (err == TK_OK)
		err = tk_tee_sim_open_dir(sim->root_fd, MANIFESTS_DIR, create,
					  &sim->manifests_fd, diag);
	if (err == TK_OK)
		err = tk_tee_sim_open_dir(sim->root_fd, SEQUENCE_DIR, create,
					  &sim->sequence_fd, diag);
	if (err == TK_OK)
		err = tk_tee_sim_remove_temporaries(sim->root_fd, &removed, diag);
	if (err == TK_OK)
		err = tk_tee_sim_remove_temporaries(sim->components_fd, &removed, diag);
	if (err == TK_OK)
		err = tk_tee_sim_remove_temporaries(sim->manifests_fd, &removed, diag);
	if (err == TK_OK)
		err = tk_tee_sim_remove_temporaries(sim->sequence_fd, &removed, diag);
	if (err == TK_OK && removed > 0)
		tk_log(sim->log, TK_LOG_NOTICE, "tee-sim",
		       "removed %u temporary files left by an interrupted write",
		       removed);
	return err;
}

tk_err tk_tee_sim_open(const struct tk_tee_sim_config *config,
		       struct tk_tee *out, struct tk_diag *diag)
{
	struct sim *sim = NULL;
	tk_err err = TK_ERR_INTERNAL;

	if (out != NULL) {
		out->ops = NULL;
		out->ctx = NULL;
	}
	if (config == NULL || config->state_dir == NULL || out == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "state directory is not set");

	sim = calloc(1, sizeof(*sim));
	if (sim == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "allocating the TEE state failed");
	sim->crypto = config->crypto != NULL ? config->crypto : tk_crypto_openssl();
	sim->log = config->log;
	sim->root_fd = sim->lock_fd = -1;
	sim->components_fd = sim->manifests_fd = sim->sequence_fd = -1;
	sim->secrets.secrets_fd = sim->secrets.anchors_fd = -1;
	tk_tee_sim_store_init(&sim->store);

	err = open_root(config, &sim->root_fd, diag);
	if (err == TK_OK)
		err = lock_root(sim, config->state_dir, diag);
	if (err == TK_OK)
		err = open_folders(sim, config->create, diag);
	if (err == TK_OK)
		err = tk_tee_sim_store_open(&sim->store, sim->crypto, sim->root_fd,
					    sim->components_fd, config->create, diag);
	if (err == TK_OK && !config->storage_only)
		err = open_key(sim, config, diag);
	if (err == TK_OK)
		err = open_ueid(sim, config->create, diag);
	if (err == TK_OK && sim->key != NULL)
		err = open_report_key(sim, config->create, diag);
	if (err == TK_OK && sim->key != NULL)
		err = tk_tee_sim_secrets_open(&sim->secrets, sim->crypto, sim->root_fd,
					      config->create, diag);
	if (err != TK_OK) {
		tk_tee_sim_close(sim);
		return err;
	}

	out->ops = &tk_tee_sim_ops;
	out->ctx = sim;
	return TK_OK;
}
