/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated TEE backend: a software signing key and a state directory
 * standing in for TEE storage. It is what `teep-agent` uses until a real
 * TEE or a TPM backs the agent, so it keeps the promises a real one would
 * where software can: the private key is written only to key.pem (mode
 * 0600) and never logged, installs are atomic, sequence numbers only grow,
 * and nothing a peer chooses becomes a path. The layout is documented with
 * struct tk_tee_sim_config.
 */
#include "tee/tk_tee.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "tee/tk_tee_measure.h"
#include "tee/tk_tee_sim_fs.h"
#include "tee/tk_tee_sim_impl.h"
#include "tee/tk_tee_sim_secrets.h"
#include "tee/tk_tee_sim_store.h"

/* File name of an id: lowercase hex SHA-256 of its bytes. */
static tk_err id_file_name(const struct sim *sim, const uint8_t *id,
			   size_t id_len, char name[TK_TEE_SIM_HASH_NAME_LEN + 1],
			   struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	tk_err err = tk_crypto_sha256(sim->crypto, id, id_len, digest, diag);

	if (err != TK_OK)
		return err;
	tk_tee_sim_hex(digest, sizeof(digest), name);
	return TK_OK;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void tk_tee_sim_close(void *ctx)
{
	struct sim *sim = ctx;

	if (sim == NULL)
		return;
	tk_crypto_key_free(sim->key);
	tk_crypto_key_free(sim->report_key);
	tk_tee_sim_secrets_close(&sim->secrets);
	tk_tee_sim_store_close(&sim->store);
	close_fd(&sim->components_fd);
	close_fd(&sim->manifests_fd);
	close_fd(&sim->sequence_fd);
	close_fd(&sim->lock_fd);
	close_fd(&sim->root_fd);
	tk_wipe(sim, sizeof(*sim));
	free(sim);
}

/* Key. */

/* A storage-only instance has no key, and its key hooks fail. */
static tk_err require_key(const struct sim *sim, struct tk_diag *diag)
{
	if (sim->key == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "this TEE store was opened without a signing key");
	return TK_OK;
}

static tk_err sim_key_info(void *ctx, struct tk_tee_key_info *out,
			   struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	if (sim->key == NULL)
		return require_key(sim, diag);
	*out = sim->key_info;
	return TK_OK;
}

static tk_err sim_signing_key(void *ctx, const struct tk_crypto_key **out,
			      struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	if (sim->key == NULL)
		return require_key(sim, diag);
	*out = sim->key;
	return TK_OK;
}

static tk_err sim_sign(void *ctx, const uint8_t *tbs, size_t tbs_len,
		       uint8_t *sig, size_t sig_cap, size_t *sig_len,
		       struct tk_diag *diag)
{
	const struct sim *sim = ctx;
	struct tk_span part = tk_span_make(tbs, tbs_len);
	uint8_t buf[TK_CRYPTO_SIG_MAX];
	size_t len = 0;
	tk_err err = require_key(sim, diag);

	if (err != TK_OK)
		return err;
	err = tk_crypto_sign(sim->key, tk_cose_sig_alg(sim->key_info.alg),
			     &part, 1, buf, &len, diag);
	if (err != TK_OK)
		return err;
	if (len > sig_cap)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "signature is %zu bytes, buffer %zu", len, sig_cap);
	memcpy(sig, buf, len);
	*sig_len = len;
	return TK_OK;
}

static tk_err sim_public_key_pem(void *ctx, char *out, size_t out_cap,
				 size_t *out_len, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	if (sim->key == NULL)
		return require_key(sim, diag);
	return tk_crypto_key_export_pem(sim->key, false, (uint8_t *)out,
					out_cap, out_len, diag);
}

static tk_err sim_report_key(void *ctx, const struct tk_crypto_key **out,
			     struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	if (sim->report_key == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND,
			       "no SUIT report key: open the TEE with create once");
	*out = sim->report_key;
	return TK_OK;
}

static tk_err sim_ueid(void *ctx, uint8_t *out, size_t out_cap,
		       size_t *out_len, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	if (out_cap < sizeof(sim->ueid))
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "UEID is %zu bytes, buffer %zu",
			       sizeof(sim->ueid), out_cap);
	memcpy(out, sim->ueid, sizeof(sim->ueid));
	*out_len = sizeof(sim->ueid);
	return TK_OK;
}

/* Objects: components, manifests and sequence numbers share one format. */

static tk_err write_object(const struct sim *sim, int dirfd, const uint8_t *id,
			   size_t id_len, const uint8_t *data, size_t data_len,
			   uint64_t sequence_number, struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	uint8_t record[TK_TEE_SIM_RECORD_LEN];
	struct tk_tee_object_info info;
	tk_err err;

	memset(&info, 0, sizeof(info));
	memcpy(info.id, id, id_len);
	info.id_len = id_len;
	info.size = data_len;
	info.sequence_number = sequence_number;
	err = tk_crypto_sha256(sim->crypto, data, data_len, info.digest, diag);
	if (err == TK_OK)
		err = id_file_name(sim, id, id_len, name, diag);
	if (err != TK_OK)
		return err;

	tk_tee_sim_record_encode(&info, record);
	return tk_tee_sim_write_atomic(dirfd, name, 0600, record, sizeof(record),
				       data, data_len, diag);
}

/*
 * Open the object of `id` and check that its record names the same id, so
 * a hash collision or a file moved by hand cannot pass for another object.
 */
static tk_err open_object(const struct sim *sim, int dirfd, const uint8_t *id,
			  size_t id_len, struct tk_tee_object_info *info,
			  int *fd, struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	tk_err err = id_file_name(sim, id, id_len, name, diag);

	*fd = -1;
	if (err != TK_OK)
		return err;
	err = tk_tee_sim_open_object(dirfd, name, info, fd, diag);
	if (err != TK_OK)
		return err;
	if (info->id_len != id_len || memcmp(info->id, id, id_len) != 0) {
		close_fd(fd);
		memset(info, 0, sizeof(*info));
		return TK_FAIL(diag, TK_ERR_IO,
			       "object file %s records another id", name);
	}
	return TK_OK;
}

static tk_err object_info(const struct sim *sim, int dirfd, const uint8_t *id,
			  size_t id_len, struct tk_tee_object_info *out,
			  struct tk_diag *diag)
{
	int fd;
	tk_err err = open_object(sim, dirfd, id, id_len, out, &fd, diag);

	close_fd(&fd);
	return err;
}

/* Read the data of an object and check it against the recorded digest. */
static tk_err read_object(const struct sim *sim, int dirfd, const uint8_t *id,
			  size_t id_len, uint8_t *out, size_t out_cap,
			  size_t *out_len, struct tk_diag *diag)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_tee_object_info info;
	tk_err err;
	int fd;

	err = open_object(sim, dirfd, id, id_len, &info, &fd, diag);
	if (err != TK_OK)
		return err;

	if (info.size > out_cap)
		err = TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			      "stored object is %llu bytes, buffer %zu",
			      (unsigned long long)info.size, out_cap);
	if (err == TK_OK)
		err = tk_tee_sim_read_exact(fd, out, (size_t)info.size, diag);
	close_fd(&fd);
	if (err == TK_OK)
		err = tk_crypto_sha256(sim->crypto, out, (size_t)info.size,
				       digest, diag);
	if (err == TK_OK && !tk_ct_equal(digest, info.digest, sizeof(digest)))
		err = TK_FAIL(diag, TK_ERR_DIGEST_MISMATCH,
			      "stored object no longer matches its digest");
	if (err != TK_OK) {
		if (out_cap > 0)
			tk_wipe(out, out_cap < info.size ? out_cap : (size_t)info.size);
		return err;
	}
	*out_len = (size_t)info.size;
	return TK_OK;
}

static bool is_hash_name(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	}
	return i == TK_TEE_SIM_HASH_NAME_LEN;
}

static tk_err list_objects(int dirfd, tk_tee_visit_fn visit, void *visit_ctx,
			   struct tk_diag *diag)
{
	struct tk_tee_object_info info;
	struct dirent *entry;
	tk_err err = TK_OK;
	DIR *dir;
	int fd = dup(dirfd);

	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "dup failed: %s", strerror(errno));
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_IO, "opendir failed: %s",
			       strerror(errno));
	}
	rewinddir(dir);

	/* Skip temporaries and anything this backend did not name. */
	while (err == TK_OK && (entry = readdir(dir)) != NULL) {
		int obj_fd;

		if (!is_hash_name(entry->d_name))
			continue;
		err = tk_tee_sim_open_object(dirfd, entry->d_name, &info,
					     &obj_fd, diag);
		if (err != TK_OK)
			break;
		close_fd(&obj_fd);
		err = visit(visit_ctx, &info);
	}
	closedir(dir);
	return err;
}

static tk_err sim_install_component(void *ctx, const uint8_t *id, size_t id_len,
				    const uint8_t *image, size_t image_len,
				    uint64_t sequence_number,
				    struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return write_object(sim, sim->components_fd, id, id_len, image,
			    image_len, sequence_number, diag);
}

static tk_err sim_component_info(void *ctx, const uint8_t *id, size_t id_len,
				 struct tk_tee_object_info *out,
				 struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return object_info(sim, sim->components_fd, id, id_len, out, diag);
}

static tk_err sim_read_component(void *ctx, const uint8_t *id, size_t id_len,
				 uint8_t *out, size_t out_cap, size_t *out_len,
				 struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return read_object(sim, sim->components_fd, id, id_len, out, out_cap,
			   out_len, diag);
}

static tk_err sim_list_components(void *ctx, tk_tee_visit_fn visit,
				  void *visit_ctx, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return list_objects(sim->components_fd, visit, visit_ctx, diag);
}

static tk_err remove_object(const struct sim *sim, int dirfd, const uint8_t *id,
			    size_t id_len, struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	tk_err err = id_file_name(sim, id, id_len, name, diag);

	if (err != TK_OK)
		return err;
	return tk_tee_sim_remove(dirfd, name, diag);
}

static tk_err sim_remove_component(void *ctx, const uint8_t *id, size_t id_len,
				   struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return remove_object(sim, sim->components_fd, id, id_len, diag);
}

static tk_err sim_store_manifest(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t *envelope, size_t envelope_len,
				 uint64_t sequence_number, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return write_object(sim, sim->manifests_fd, id, id_len, envelope,
			    envelope_len, sequence_number, diag);
}

static tk_err sim_manifest_info(void *ctx, const uint8_t *id, size_t id_len,
				struct tk_tee_object_info *out,
				struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return object_info(sim, sim->manifests_fd, id, id_len, out, diag);
}

static tk_err sim_read_manifest(void *ctx, const uint8_t *id, size_t id_len,
				uint8_t *out, size_t out_cap, size_t *out_len,
				struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return read_object(sim, sim->manifests_fd, id, id_len, out, out_cap,
			   out_len, diag);
}

static tk_err sim_list_manifests(void *ctx, tk_tee_visit_fn visit,
				 void *visit_ctx, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return list_objects(sim->manifests_fd, visit, visit_ctx, diag);
}

static tk_err sim_remove_manifest(void *ctx, const uint8_t *id, size_t id_len,
				  struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return remove_object(sim, sim->manifests_fd, id, id_len, diag);
}

static tk_err sim_get_sequence_number(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t *out, bool *found,
				      struct tk_diag *diag)
{
	const struct sim *sim = ctx;
	struct tk_tee_object_info info;
	struct tk_diag local;
	tk_err err;

	/* A missing record is a valid result here, so keep it out of diag. */
	tk_diag_clear(&local);
	err = object_info(sim, sim->sequence_fd, id, id_len, &info, &local);
	if (err == TK_ERR_NOT_FOUND)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	*out = info.sequence_number;
	*found = true;
	return TK_OK;
}

static tk_err sim_set_sequence_number(void *ctx, const uint8_t *id,
				      size_t id_len, uint64_t value,
				      struct tk_diag *diag)
{
	const struct sim *sim = ctx;
	uint64_t stored = 0;
	bool found = false;
	tk_err err;

	err = sim_get_sequence_number(ctx, id, id_len, &stored, &found, diag);
	if (err != TK_OK)
		return err;
	if (found && value < stored)
		return TK_FAIL(diag, TK_ERR_ROLLBACK,
			       "sequence number %llu is lower than the stored %llu",
			       (unsigned long long)value,
			       (unsigned long long)stored);
	if (found && value == stored)
		return TK_OK;
	return write_object(sim, sim->sequence_fd, id, id_len, NULL, 0, value,
			    diag);
}

/* Measured load: the log in the state directory is the only record. */

static tk_err sim_load_component(void *ctx, const uint8_t *id, size_t id_len,
				 const uint8_t expected_digest[TK_TEE_DIGEST_LEN],
				 const struct tk_tee_invoke_ops *invoke,
				 struct tk_diag *diag)
{
	struct sim *sim = ctx;
	struct tk_tee self = {&tk_tee_sim_ops, sim};

	return tk_tee_measure_load(&self, sim->crypto, sim->root_fd, NULL, id,
				   id_len, expected_digest, invoke, diag);
}

static tk_err sim_list_measurements(void *ctx, tk_tee_measurement_fn visit,
				    void *visit_ctx, struct tk_diag *diag)
{
	const struct sim *sim = ctx;
	uint8_t running[TK_TEE_DIGEST_LEN];
	size_t count;

	return tk_tee_mlog_walk(sim->root_fd, sim->crypto, visit, visit_ctx,
				running, &count, diag);
}

/* The simulated quote is the running hash; the nonce binds nothing here. */
static tk_err sim_quote(void *ctx, const uint8_t *nonce, size_t nonce_len,
			struct tk_tee_quote *out, struct tk_diag *diag)
{
	const struct sim *sim = ctx;
	size_t count;
	tk_err err;

	(void)nonce;
	(void)nonce_len;
	err = tk_tee_mlog_walk(sim->root_fd, sim->crypto, NULL, NULL, out->attest,
			       &count, diag);
	if (err != TK_OK)
		return err;
	out->format = TK_TEE_QUOTE_SIM;
	out->attest_len = TK_TEE_DIGEST_LEN;
	return TK_OK;
}

/* Keys for SUIT, kept in tk_tee_sim_secrets.c. */

static tk_err sim_unwrap_cek(void *ctx, const struct tk_suit_recipient *recipient,
			     uint8_t *cek, size_t cek_cap, size_t *cek_len,
			     struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_unwrap_cek(&sim->secrets, recipient, cek, cek_cap, cek_len,
				     diag);
}

static tk_err sim_encryption_public_key_pem(void *ctx, char *out, size_t out_cap,
					    size_t *out_len, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_encryption_key_pem(&sim->secrets, out, out_cap, out_len, diag);
}

static tk_err sim_provision_secret(void *ctx, enum tk_tee_secret_use use,
				   const uint8_t *kid, size_t kid_len,
				   const uint8_t *secret, size_t secret_len,
				   struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_provision_secret(&sim->secrets, use, kid, kid_len, secret,
					   secret_len, diag);
}

static tk_err sim_mac_sha256(void *ctx, const uint8_t *kid, size_t kid_len,
			     const struct tk_span *parts, size_t n_parts,
			     uint8_t out[32], struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_mac_sha256(&sim->secrets, kid, kid_len, parts, n_parts, out,
				     diag);
}

static tk_err sim_trust_anchor_add(void *ctx, struct tk_tee_trust_anchor *anchor,
				   struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_anchor_add(&sim->secrets, anchor, diag);
}

static tk_err sim_trust_anchor_list(void *ctx, tk_tee_anchor_fn visit,
				    void *visit_ctx, struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_anchor_list(&sim->secrets, visit, visit_ctx, diag);
}

static tk_err sim_trust_anchor_remove(void *ctx, const uint8_t kid[TK_TEE_KID_LEN],
				      struct tk_diag *diag)
{
	const struct sim *sim = ctx;

	return tk_tee_sim_anchor_remove(&sim->secrets, kid, diag);
}

const struct tk_tee_ops tk_tee_sim_ops = {
	.key_info = sim_key_info,
	.signing_key = sim_signing_key,
	.sign = sim_sign,
	.public_key_pem = sim_public_key_pem,
	.report_key = sim_report_key,
	.ueid = sim_ueid,
	.install_component = sim_install_component,
	.component_info = sim_component_info,
	.read_component = sim_read_component,
	.list_components = sim_list_components,
	.remove_component = sim_remove_component,
	.store_manifest = sim_store_manifest,
	.manifest_info = sim_manifest_info,
	.read_manifest = sim_read_manifest,
	.list_manifests = sim_list_manifests,
	.remove_manifest = sim_remove_manifest,
	.get_sequence_number = sim_get_sequence_number,
	.set_sequence_number = sim_set_sequence_number,
	.load_component = sim_load_component,
	.list_measurements = sim_list_measurements,
	.quote = sim_quote,
	.unwrap_cek = sim_unwrap_cek,
	.encryption_public_key_pem = sim_encryption_public_key_pem,
	.provision_secret = sim_provision_secret,
	.mac_sha256 = sim_mac_sha256,
	.trust_anchor_add = sim_trust_anchor_add,
	.trust_anchor_list = sim_trust_anchor_list,
	.trust_anchor_remove = sim_trust_anchor_remove,
	.stage_begin = tk_tee_sim_hook_stage_begin,
	.stage_write = tk_tee_sim_hook_stage_write,
	.stage_read = tk_tee_sim_hook_stage_read,
	.stage_commit = tk_tee_sim_hook_stage_commit,
	.stage_abort = tk_tee_sim_hook_stage_abort,
	.stream_component = tk_tee_sim_hook_stream_component,
	.link = tk_tee_sim_hook_link,
	.unlink = tk_tee_sim_hook_unlink,
	.references = tk_tee_sim_hook_references,
	.close = tk_tee_sim_close,
};
