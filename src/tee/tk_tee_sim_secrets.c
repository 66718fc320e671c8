/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated TEE's keys for SUIT: the P-256 recipient key of encrypted
 * payloads (encryption-key.pem), provisioned KEKs and MAC keys
 * (secrets/<h>) and TC signer trust anchors (trust-anchors/<kid hex>).
 * KEKs and MAC keys are read into memory only for the operation that
 * needs them and wiped right after it. Files are written atomically, mode
 * 0600, through the helpers of tk_tee_sim_fs.c.
 *
 * Secret file: use (1 byte), kid length (1), kid, secret.
 * Trust anchor file: scope length (2, big endian), scope, PEM.
 */
#include "tee/tk_tee_sim_secrets.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_encryption.h"
#include "tee/tk_tee_sim_fs.h"

#define ENC_KEY_FILE "encryption-key.pem"
#define SECRETS_DIR "secrets"
#define ANCHORS_DIR "trust-anchors"

/* Largest secret: an AES-256 KEK or an HMAC 256/256 key. */
#define SECRET_MAX 32
#define SECRET_FILE_MAX (2 + TK_TEE_MAX_SECRET_KID + SECRET_MAX)
#define ANCHOR_FILE_MAX (2 + TK_TEE_MAX_ID_LEN + TK_TEE_ANCHOR_PEM_MAX)

/* One decoded secret file. */
struct secret {
	enum tk_tee_secret_use use;
	uint8_t kid[TK_TEE_MAX_SECRET_KID];
	size_t kid_len;
	uint8_t key[SECRET_MAX];
	size_t key_len;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Load the recipient key, or create it when missing and `create`. */
static tk_err open_enc_key(struct tk_tee_sim_secrets *s, bool create, struct tk_diag *diag)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_sim_read_small(s->root_fd, ENC_KEY_FILE, true, pem, sizeof(pem), &pem_len,
				    &local);
	if (err == TK_OK) {
		err = tk_crypto_key_import_pem(s->crypto, pem, pem_len, &s->enc_key, diag);
	} else if (err == TK_ERR_NOT_FOUND && create) {
		err = tk_crypto_key_generate(s->crypto, TK_CRYPTO_KEY_P256, &s->enc_key, diag);
		if (err == TK_OK)
			err = tk_crypto_key_export_pem(s->enc_key, true, pem, sizeof(pem),
						       &pem_len, diag);
		if (err == TK_OK)
			err = tk_tee_sim_write_atomic(s->root_fd, ENC_KEY_FILE, 0600, pem, pem_len,
						      NULL, 0, diag);
	} else if (err == TK_ERR_NOT_FOUND) {
		err = TK_OK;
	} else {
		err = TK_FAIL(diag, err, "recipient key: %s", local.msg);
	}
	tk_wipe(pem, sizeof(pem));
	if (err == TK_OK && s->enc_key != NULL &&
	    (tk_crypto_key_type(s->enc_key) != TK_CRYPTO_KEY_P256 ||
	     !tk_crypto_key_has_private(s->enc_key)))
		err = TK_FAIL(diag, TK_ERR_KEY, "%s is not a P-256 private key", ENC_KEY_FILE);
	return err;
}

/* Open folder `name`; without `create` a missing one stays closed. */
static tk_err open_folder(int root_fd, const char *name, bool create, int *fd,
			  struct tk_diag *diag)
{
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_sim_open_dir(root_fd, name, create, fd, &local);
	if (err == TK_ERR_NOT_FOUND && !create)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	return TK_OK;
}

tk_err tk_tee_sim_secrets_open(struct tk_tee_sim_secrets *s, const struct tk_crypto *crypto,
			       int root_fd, bool create, struct tk_diag *diag)
{
	tk_err err;

	memset(s, 0, sizeof(*s));
	s->crypto = crypto;
	s->root_fd = root_fd;
	s->secrets_fd = s->anchors_fd = -1;
	err = open_folder(root_fd, SECRETS_DIR, create, &s->secrets_fd, diag);
	if (err == TK_OK)
		err = open_folder(root_fd, ANCHORS_DIR, create, &s->anchors_fd, diag);
	if (err == TK_OK)
		err = open_enc_key(s, create, diag);
	if (err != TK_OK)
		tk_tee_sim_secrets_close(s);
	return err;
}

void tk_tee_sim_secrets_close(struct tk_tee_sim_secrets *s)
{
	if (s == NULL)
		return;
	close_fd(&s->secrets_fd);
	close_fd(&s->anchors_fd);
	tk_crypto_key_free(s->enc_key);
	s->enc_key = NULL;
}

tk_err tk_tee_sim_encryption_key_pem(const struct tk_tee_sim_secrets *s, char *out,
				     size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	if (s->enc_key == NULL)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND,
			       "no recipient key: run `teep-agent init` on this state folder");
	return tk_crypto_key_export_pem(s->enc_key, false, (uint8_t *)out, out_cap, out_len,
					diag);
}

/* Secrets. */

/* File name of a secret: hex SHA-256 of the use byte and the kid. */
static tk_err secret_name(const struct tk_tee_sim_secrets *s, enum tk_tee_secret_use use,
			  const uint8_t *kid, size_t kid_len,
			  char name[TK_TEE_SIM_HASH_NAME_LEN + 1], struct tk_diag *diag)
{
	uint8_t buf[1 + TK_TEE_MAX_SECRET_KID];
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	tk_err err;

	buf[0] = (uint8_t)use;
	if (kid_len > 0)
		memcpy(buf + 1, kid, kid_len);
	err = tk_crypto_sha256(s->crypto, buf, 1 + kid_len, digest, diag);
	if (err == TK_OK)
		tk_tee_sim_hex(digest, sizeof(digest), name);
	return err;
}

tk_err tk_tee_sim_provision_secret(const struct tk_tee_sim_secrets *s,
				   enum tk_tee_secret_use use, const uint8_t *kid,
				   size_t kid_len, const uint8_t *secret, size_t secret_len,
				   struct tk_diag *diag)
{
	uint8_t file[SECRET_FILE_MAX];
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	size_t len = 2 + kid_len + secret_len;
	tk_err err;

	if (s->secrets_fd < 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no %s folder: run `teep-agent init`",
			       SECRETS_DIR);
	if (kid_len > TK_TEE_MAX_SECRET_KID || secret_len > SECRET_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "kid or secret too long");
	file[0] = (uint8_t)use;
	file[1] = (uint8_t)kid_len;
	if (kid_len > 0)
		memcpy(file + 2, kid, kid_len);
	memcpy(file + 2 + kid_len, secret, secret_len);
	err = secret_name(s, use, kid, kid_len, name, diag);
	if (err == TK_OK)
		err = tk_tee_sim_write_atomic(s->secrets_fd, name, 0600, file, len, NULL, 0, diag);
	tk_wipe(file, sizeof(file));
	return err;
}

/* Read and decode secret file `name`. */
static tk_err read_secret(const struct tk_tee_sim_secrets *s, const char *name,
			  struct secret *out, struct tk_diag *diag)
{
	uint8_t file[SECRET_FILE_MAX];
	size_t len = 0;
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = tk_tee_sim_read_small(s->secrets_fd, name, true, file, sizeof(file), &len, diag);
	if (err == TK_OK && (len < 2 || file[1] > TK_TEE_MAX_SECRET_KID ||
			     len - 2 < file[1] || len - 2 - file[1] > SECRET_MAX))
		err = TK_FAIL(diag, TK_ERR_IO, "secret file %s is malformed", name);
	if (err == TK_OK) {
		out->use = (enum tk_tee_secret_use)file[0];
		out->kid_len = file[1];
		memcpy(out->kid, file + 2, out->kid_len);
		out->key_len = len - 2 - out->kid_len;
		memcpy(out->key, file + 2 + out->kid_len, out->key_len);
	}
	tk_wipe(file, sizeof(file));
	return err;
}

/*
 * Call `fn` for each secret of `use` until it returns anything but
 * TK_ERR_KEY, and return that; *visited counts the secrets of `use` seen.
 * Returns TK_ERR_NOT_FOUND when there is none.
 */
typedef tk_err (*secret_fn)(void *ctx, const struct secret *secret, struct tk_diag *diag);

static tk_err each_secret(const struct tk_tee_sim_secrets *s, enum tk_tee_secret_use use,
			  secret_fn fn, void *ctx, size_t *visited, struct tk_diag *diag)
{
	struct secret secret;
	struct dirent *entry;
	tk_err result = TK_ERR_NOT_FOUND;
	DIR *dir;
	int fd = dup(s->secrets_fd);

	*visited = 0;
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "dup failed: %s", strerror(errno));
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_IO, "opendir failed: %s", strerror(errno));
	}
	rewinddir(dir);
	while ((entry = readdir(dir)) != NULL) {
		struct tk_diag one;
		tk_err err;

		if (strlen(entry->d_name) != TK_TEE_SIM_HASH_NAME_LEN)
			continue;
		tk_diag_clear(&one);
		err = read_secret(s, entry->d_name, &secret, &one);
		if (err == TK_OK && secret.use != use)
			continue;
		(*visited)++;
		result = err == TK_OK ? fn(ctx, &secret, &one) : err;
		if (result != TK_ERR_KEY) {
			if (result != TK_OK && diag != NULL && diag->code == TK_OK)
				*diag = one;
			break;
		}
	}
	tk_wipe(&secret, sizeof(secret));
	closedir(dir);
	return result;
}

/* Load the secret of `use` and `kid` into *out; TK_ERR_KEY when absent. */
static tk_err find_secret(const struct tk_tee_sim_secrets *s, enum tk_tee_secret_use use,
			  const uint8_t *kid, size_t kid_len, struct secret *out,
			  struct tk_diag *diag)
{
	char name[TK_TEE_SIM_HASH_NAME_LEN + 1];
	struct tk_diag local;
	tk_err err;

	if (kid_len > TK_TEE_MAX_SECRET_KID)
		return TK_FAIL(diag, TK_ERR_KEY, "kid of %zu bytes names no secret", kid_len);
	err = secret_name(s, use, kid, kid_len, name, diag);
	if (err != TK_OK)
		return err;
	tk_diag_clear(&local);
	err = read_secret(s, name, out, &local);
	if (err == TK_ERR_NOT_FOUND)
		return TK_FAIL(diag, TK_ERR_KEY, "no %s provisioned with this kid",
			       use == TK_TEE_SECRET_KEK ? "KEK" : "MAC key");
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s", local.msg);
	return TK_OK;
}

/* Unwrap context for each_secret(). */
struct unwrap_try {
	const struct tk_tee_sim_secrets *s;
	const struct tk_suit_recipient *r;
	uint8_t *cek;
	size_t cek_cap;
	size_t *cek_len;
};

static tk_err try_kek(void *ctx, const struct secret *secret, struct tk_diag *diag)
{
	struct unwrap_try *t = ctx;
	struct tk_suit_unwrap_key key = {NULL, secret->key, secret->key_len,
					 tk_span_make(secret->kid, secret->kid_len)};

	return tk_suit_unwrap_cek(t->s->crypto, t->r, &key, t->cek, t->cek_cap, t->cek_len,
				  diag);
}

tk_err tk_tee_sim_unwrap_cek(const struct tk_tee_sim_secrets *s,
			     const struct tk_suit_recipient *r, uint8_t *cek, size_t cek_cap,
			     size_t *cek_len, struct tk_diag *diag)
{
	struct unwrap_try t = {s, r, cek, cek_cap, cek_len};
	struct secret secret;
	size_t visited = 0;
	tk_err err;

	/* ECDH-ES: the recipient key. */
	if (r->ephemeral_key.len > 0 || r->alg == TK_COSE_ALG_ECDH_ES_A128KW ||
	    r->alg == TK_COSE_ALG_ECDH_ES_A256KW) {
		struct tk_suit_unwrap_key key = {s->enc_key, NULL, 0, TK_SPAN_EMPTY};

		if (s->enc_key == NULL)
			return TK_FAIL(diag, TK_ERR_KEY, "this TEE has no recipient key");
		return tk_suit_unwrap_cek(s->crypto, r, &key, cek, cek_cap, cek_len, diag);
	}
	if (s->secrets_fd < 0)
		return TK_FAIL(diag, TK_ERR_KEY, "this TEE has no provisioned KEK");

	/* AES-KW: the KEK named by the recipient's kid, else every KEK. */
	if (r->kid.len > 0) {
		err = find_secret(s, TK_TEE_SECRET_KEK, r->kid.ptr, r->kid.len, &secret, diag);
		if (err == TK_OK)
			err = try_kek(&t, &secret, diag);
		tk_wipe(&secret, sizeof(secret));
		return err;
	}
	err = each_secret(s, TK_TEE_SECRET_KEK, try_kek, &t, &visited, diag);
	if (visited == 0)
		return TK_FAIL(diag, TK_ERR_KEY, "this TEE has no provisioned KEK");
	if (err == TK_ERR_KEY)
		return TK_FAIL(diag, TK_ERR_KEY, "none of %zu KEKs unwraps the recipient",
			       visited);
	return err;
}

/* MAC context for each_secret(): the only MAC key wins. */
struct mac_pick {
	struct secret found;
	size_t count;
};

static tk_err count_mac(void *ctx, const struct secret *secret, struct tk_diag *diag)
{
	struct mac_pick *m = ctx;

	(void)diag;
	m->found = *secret;
	m->count++;
	return TK_ERR_KEY; /* keep walking */
}

tk_err tk_tee_sim_mac_sha256(const struct tk_tee_sim_secrets *s, const uint8_t *kid,
			     size_t kid_len, const struct tk_span *parts, size_t n_parts,
			     uint8_t out[32], struct tk_diag *diag)
{
	struct mac_pick pick;
	size_t visited = 0;
	tk_err err = TK_OK;

	memset(&pick, 0, sizeof(pick));
	if (s->secrets_fd < 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "this TEE has no provisioned MAC key");
	if (kid_len > 0) {
		err = find_secret(s, TK_TEE_SECRET_MAC_KEY, kid, kid_len, &pick.found, diag);
		if (err == TK_ERR_KEY)
			err = TK_ERR_NOT_FOUND;
	} else {
		(void)each_secret(s, TK_TEE_SECRET_MAC_KEY, count_mac, &pick, &visited, NULL);
		if (pick.count == 0)
			err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "this TEE has no provisioned MAC key");
		else if (pick.count > 1)
			err = TK_FAIL(diag, TK_ERR_KEY,
				      "%zu MAC keys provisioned and the block names no kid",
				      pick.count);
	}
	if (err == TK_OK)
		err = tk_crypto_hmac_sha256(s->crypto, pick.found.key, pick.found.key_len, parts,
					    n_parts, out, diag);
	tk_wipe(&pick, sizeof(pick));
	return err;
}

/* Trust anchors. */

tk_err tk_tee_sim_anchor_add(const struct tk_tee_sim_secrets *s,
			     struct tk_tee_trust_anchor *anchor, struct tk_diag *diag)
{
	uint8_t file[ANCHOR_FILE_MAX];
	char name[2 * TK_TEE_KID_LEN + 1];
	struct tk_crypto_key *key = NULL;
	size_t len = 2 + anchor->scope_len + anchor->pem_len;
	tk_err err;

	if (s->anchors_fd < 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no %s folder: run `teep-agent init`",
			       ANCHORS_DIR);
	err = tk_crypto_key_import_pem(s->crypto, (const uint8_t *)anchor->pem, anchor->pem_len,
				       &key, diag);
	if (err == TK_OK && tk_crypto_key_has_private(key))
		err = TK_FAIL(diag, TK_ERR_KEY, "a trust anchor must be a public key");
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(s->crypto, key, anchor->kid, diag);
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return err;

	file[0] = (uint8_t)(anchor->scope_len >> 8);
	file[1] = (uint8_t)anchor->scope_len;
	memcpy(file + 2, anchor->scope, anchor->scope_len);
	memcpy(file + 2 + anchor->scope_len, anchor->pem, anchor->pem_len);
	tk_tee_sim_hex(anchor->kid, TK_TEE_KID_LEN, name);
	return tk_tee_sim_write_atomic(s->anchors_fd, name, 0600, file, len, NULL, 0, diag);
}

/* Read and decode trust anchor file `name` (kid given by the name). */
static tk_err read_anchor(const struct tk_tee_sim_secrets *s, const char *name,
			  const uint8_t kid[TK_TEE_KID_LEN], struct tk_tee_trust_anchor *out,
			  struct tk_diag *diag)
{
	uint8_t file[ANCHOR_FILE_MAX];
	size_t len = 0, scope_len;
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = tk_tee_sim_read_small(s->anchors_fd, name, true, file, sizeof(file), &len, diag);
	if (err != TK_OK)
		return err;
	scope_len = len >= 2 ? (size_t)file[0] << 8 | file[1] : 0;
	if (len < 2 || scope_len > TK_TEE_MAX_ID_LEN || len - 2 - scope_len == 0 ||
	    len - 2 < scope_len || len - 2 - scope_len > TK_TEE_ANCHOR_PEM_MAX)
		return TK_FAIL(diag, TK_ERR_IO, "trust anchor file %s is malformed", name);
	memcpy(out->kid, kid, TK_TEE_KID_LEN);
	out->scope_len = scope_len;
	memcpy(out->scope, file + 2, scope_len);
	out->pem_len = len - 2 - scope_len;
	memcpy(out->pem, file + 2 + scope_len, out->pem_len);
	return TK_OK;
}

/* Decode a 64-digit lowercase hex name into kid; false if it is not one. */
static bool kid_of_name(const char *name, uint8_t kid[TK_TEE_KID_LEN])
{
	if (strlen(name) != 2 * TK_TEE_KID_LEN)
		return false;
	for (size_t i = 0; i < TK_TEE_KID_LEN; i++) {
		int v = 0;

		for (int h = 0; h < 2; h++) {
			char c = name[2 * i + (size_t)h];

			if (c >= '0' && c <= '9')
				v = v * 16 + (c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (c - 'a' + 10);
			else
				return false;
		}
		kid[i] = (uint8_t)v;
	}
	return true;
}

tk_err tk_tee_sim_anchor_list(const struct tk_tee_sim_secrets *s, tk_tee_anchor_fn visit,
			      void *visit_ctx, struct tk_diag *diag)
{
	struct tk_tee_trust_anchor anchor;
	uint8_t kid[TK_TEE_KID_LEN];
	struct dirent *entry;
	tk_err err = TK_OK;
	DIR *dir;
	int fd;

	if (s->anchors_fd < 0)
		return TK_OK;
	fd = dup(s->anchors_fd);
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "dup failed: %s", strerror(errno));
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_IO, "opendir failed: %s", strerror(errno));
	}
	rewinddir(dir);
	while (err == TK_OK && (entry = readdir(dir)) != NULL) {
		if (!kid_of_name(entry->d_name, kid))
			continue;
		err = read_anchor(s, entry->d_name, kid, &anchor, diag);
		if (err == TK_OK)
			err = visit(visit_ctx, &anchor);
	}
	closedir(dir);
	return err;
}

tk_err tk_tee_sim_anchor_remove(const struct tk_tee_sim_secrets *s,
				const uint8_t kid[TK_TEE_KID_LEN], struct tk_diag *diag)
{
	char name[2 * TK_TEE_KID_LEN + 1];

	if (s->anchors_fd < 0)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no trust anchors are stored");
	tk_tee_sim_hex(kid, TK_TEE_KID_LEN, name);
	return tk_tee_sim_remove(s->anchors_fd, name, diag);
}
