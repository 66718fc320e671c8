/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `teep keygen`: generate an ESP256 or Ed25519 signing key, write it as
 * PKCS#8 PEM (and optionally the SPKI public key), and print its kid, the
 * RFC 9679 COSE key thumbprint (SHA-256) that every teepkit program uses to
 * name a key.
 *
 * The private key file is created 0600 with O_EXCL, so an existing key is
 * never overwritten by mistake; --force replaces it atomically.
 */
#include "tk_cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/tk_span.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"

/* Mode of the public key file; the umask may narrow it. */
#define PUBLIC_KEY_MODE 0644

struct keygen_alg {
	const char *name;             /* value of --alg */
	enum tk_crypto_key_type type;
};

static const struct keygen_alg keygen_algs[] = {
	{"esp256", TK_CRYPTO_KEY_P256},
	{"ed25519", TK_CRYPTO_KEY_ED25519},
};

static enum tk_crypto_key_type parse_alg(const char *name)
{
	for (size_t i = 0; i < sizeof(keygen_algs) / sizeof(keygen_algs[0]); i++) {
		if (strcmp(name, keygen_algs[i].name) == 0)
			return keygen_algs[i].type;
	}
	return TK_CRYPTO_KEY_NONE;
}

/* Write the private key, then the public key if requested. */
static tk_err write_keys(const struct tk_crypto_key *key, const char *priv_path,
			 const char *pub_path, enum tk_cli_write_mode mode,
			 const char **failed_path, struct tk_diag *diag)
{
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t pem_len = 0;
	tk_err err;

	*failed_path = priv_path;
	err = tk_crypto_key_export_pem(key, true, pem, sizeof(pem), &pem_len, diag);
	if (err == TK_OK)
		err = tk_cli_write_file(priv_path, pem, pem_len, 0600, mode, diag);
	tk_wipe(pem, sizeof(pem));
	if (err != TK_OK || pub_path == NULL)
		return err;

	*failed_path = pub_path;
	err = tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &pem_len, diag);
	if (err == TK_OK)
		err = tk_cli_write_file(pub_path, pem, pem_len, PUBLIC_KEY_MODE, mode, diag);
	if (err != TK_OK && mode == TK_CLI_WRITE_EXCL) {
		/* Leave no private key behind whose public half was not written. */
		unlink(priv_path);
	}
	return err;
}

int tk_cli_keygen(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	const char *alg = tk_cli_get(cmd, args, "alg");
	const char *priv_path = tk_cli_get(cmd, args, "out");
	const char *pub_path = tk_cli_get(cmd, args, "pub");
	enum tk_cli_write_mode mode =
		tk_cli_has(cmd, args, "force") ? TK_CLI_WRITE_REPLACE : TK_CLI_WRITE_EXCL;
	enum tk_crypto_key_type type = parse_alg(alg);
	struct tk_crypto_key *key = NULL;
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	char kid_hex[2 * TK_CRYPTO_SHA256_LEN + 1];
	const char *failed = alg;
	struct tk_diag diag;
	tk_err err;

	if (type == TK_CRYPTO_KEY_NONE)
		return tk_cli_misuse(cmd, "invalid --alg %s (expected esp256 or ed25519)", alg);
	if (pub_path != NULL && strcmp(pub_path, priv_path) == 0)
		return tk_cli_misuse(cmd, "--pub and --out name the same file %s", pub_path);

	tk_diag_clear(&diag);
	err = tk_crypto_key_generate(tk_crypto_openssl(), type, &key, &diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, kid, &diag);
	if (err == TK_OK)
		err = write_keys(key, priv_path, pub_path, mode, &failed, &diag);
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return tk_cli_fail(cmd, failed, &diag);

	tk_cli_hex_format(kid, sizeof(kid), kid_hex, sizeof(kid_hex));
	printf("kid: %s\n", kid_hex);
	return TK_CLI_EXIT_OK;
}
