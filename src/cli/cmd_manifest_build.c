/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `teep manifest build` and `teep manifest verify`.
 *
 * build reads a JSON manifest description (docs/manifest-format.md) with
 * cli_desc.c, adds one signer per --key (alg and kid from the description's
 * "signers" entry at the same position), and writes the envelope the SUIT
 * builder makes. Output on stdout, one `name: value` line each, for scripts:
 *   manifest-component-id: <hex of the encoded id>   (when the manifest has one)
 *   sequence-number: <N>
 *   envelope-size: <bytes>
 *
 * verify authenticates an envelope (binary, or annotated hex with --hex)
 * with the trusted keys given, decodes its manifest as the agent does, and
 * prints the envelope in diagnostic notation with names, after a comment
 * line saying which key verified it.
 */
#include "tk_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_desc.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"

/* Keys of one invocation, released together. */
struct key_set {
	struct tk_crypto_key *keys[TK_CLI_MAX_REPEATS];
	size_t count;
	uint8_t kids[TK_CLI_MAX_REPEATS][TK_CRYPTO_SHA256_LEN]; /* thumbprints */
};

static void free_keys(struct key_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		tk_crypto_key_free(set->keys[i]);
	set->count = 0;
}

/* Read every --key; *failed names the file of a failure. */
static tk_err load_keys(const struct tk_cli_args *args, bool need_private, struct key_set *set,
			const char **failed, struct tk_diag *diag)
{
	tk_err err = TK_OK;

	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < args->repeated_count && err == TK_OK; i++) {
		uint8_t *pem = NULL;
		size_t pem_len = 0;

		*failed = args->repeated[i];
		err = tk_cli_read_file(args->repeated[i], &pem, &pem_len, diag);
		if (err == TK_OK)
			err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len,
						       &set->keys[i], diag);
		tk_cli_free_file(pem, pem_len);
		if (err == TK_OK)
			set->count++;
		if (err == TK_OK && need_private && !tk_crypto_key_has_private(set->keys[i]))
			err = TK_FAIL(diag, TK_ERR_KEY,
				      "a public key cannot sign; pass the private key");
	}
	return err;
}

/* Signers from the keys and the description's "signers" settings. */
static tk_err make_signers(const struct tk_cli_desc *d, struct key_set *set,
			   struct tk_suit_build_signer *signers, struct tk_diag *diag)
{
	if (d->signer_count > set->count)
		return TK_FAIL(diag, TK_ERR_ARG, "the description has %zu signers but %zu --key",
			       d->signer_count, set->count);
	for (size_t i = 0; i < set->count; i++) {
		memset(&signers[i], 0, sizeof(signers[i]));
		signers[i].key = set->keys[i];
		if (i >= d->signer_count)
			continue;
		signers[i].alg = d->signers[i].alg;
		signers[i].kid = d->signers[i].kid;
		if (d->signers[i].kid_thumbprint) {
			tk_err err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(),
								   set->keys[i], set->kids[i],
								   diag);

			if (err != TK_OK)
				return err;
			signers[i].kid = tk_span_make(set->kids[i], TK_CRYPTO_SHA256_LEN);
		}
	}
	return TK_OK;
}

/* Build into a buffer the caller frees. */
static tk_err build(const struct tk_suit_build_desc *desc, uint8_t **out, size_t *out_len,
		    struct tk_diag *diag)
{
	size_t needed = 0;
	uint8_t *buf;
	tk_err err;

	*out = NULL;
	*out_len = 0;
	err = tk_suit_build(desc, tk_crypto_openssl(), NULL, 0, &needed, diag);
	if (err != TK_OK)
		return err;
	buf = malloc(needed);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "envelope of %zu bytes", needed);
	err = tk_suit_build(desc, tk_crypto_openssl(), buf, needed, out_len, diag);
	if (err != TK_OK) {
		free(buf);
		return err;
	}
	*out = buf;
	return TK_OK;
}

static void print_built(const struct tk_suit_build_desc *desc, size_t envelope_len)
{
	char id_hex[2 * TK_SUIT_MAX_ID_LEN + 1];

	if (desc->manifest_component_id.len > 0) {
		tk_cli_hex_format(desc->manifest_component_id.ptr, desc->manifest_component_id.len,
				  id_hex, sizeof(id_hex));
		printf("manifest-component-id: %s\n", id_hex);
	}
	printf("sequence-number: %llu\n", (unsigned long long)desc->sequence_number);
	printf("envelope-size: %zu\n", envelope_len);
}

int tk_cli_manifest_build(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	const char *desc_path = tk_cli_get(cmd, args, "desc");
	const char *out_path = tk_cli_get(cmd, args, "out");
	struct tk_suit_build_signer signers[TK_CLI_MAX_REPEATS];
	const char *failed = desc_path;
	struct tk_cli_desc d;
	struct key_set keys;
	uint8_t *envelope = NULL;
	size_t envelope_len = 0;
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	memset(&keys, 0, sizeof(keys));
	err = tk_cli_desc_load(desc_path, &d, &diag);
	if (err == TK_OK)
		err = load_keys(args, true, &keys, &failed, &diag);
	if (err == TK_OK) {
		failed = desc_path;
		err = make_signers(&d, &keys, signers, &diag);
	}
	if (err == TK_OK) {
		d.desc.signers = signers;
		d.desc.signer_count = keys.count;
		err = build(&d.desc, &envelope, &envelope_len, &diag);
	}
	if (err == TK_OK) {
		failed = out_path;
		err = tk_cli_write_file(out_path, envelope, envelope_len, 0644,
					TK_CLI_WRITE_REPLACE, &diag);
	}
	if (err == TK_OK)
		print_built(&d.desc, envelope_len);

	free(envelope);
	free_keys(&keys);
	tk_cli_desc_free(&d);
	if (err != TK_OK)
		return tk_cli_fail(cmd, failed, &diag);
	return TK_CLI_EXIT_OK;
}

/* Authenticate buf with the keys; *which is the index of the key that verified. */
static tk_err authenticate(const uint8_t *buf, size_t len, const struct key_set *keys,
			   struct tk_suit_manifest *manifest, size_t *which,
			   struct tk_diag *diag)
{
	const struct tk_crypto_key *one[1];
	struct tk_suit_envelope env;
	tk_err err;

	err = tk_suit_decode_envelope(buf, len, &env, diag);
	if (err != TK_OK)
		return err;
	/* One key at a time, so the output can name the key that verified. */
	for (size_t i = 0; i < keys->count; i++) {
		struct tk_diag attempt;

		tk_diag_clear(&attempt);
		one[0] = keys->keys[i];
		err = tk_suit_authenticate(&env, tk_crypto_openssl(), one, 1, manifest, &attempt);
		if (err == TK_OK) {
			*which = i;
			return TK_OK;
		}
		if (i + 1 == keys->count)
			*diag = attempt;
	}
	return err;
}

int tk_cli_manifest_verify(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	const char *name = strcmp(args->operand, "-") == 0 ? "stdin" : args->operand;
	const char *failed = name;
	struct tk_suit_manifest manifest;
	struct tk_cli_text text = {0};
	struct key_set keys;
	uint8_t *buf = NULL;
	size_t len = 0, which = 0;
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	err = load_keys(args, false, &keys, &failed, &diag);
	if (err == TK_OK) {
		failed = name;
		err = tk_cli_read_file(args->operand, &buf, &len, &diag);
	}
	/* Decoding in place: the bytes never overtake the digits. */
	if (err == TK_OK && tk_cli_has(cmd, args, "hex"))
		err = tk_cli_hex_decode((const char *)buf, len, buf, len, &len, &diag);
	if (err == TK_OK)
		err = authenticate(buf, len, &keys, &manifest, &which, &diag);
	if (err == TK_OK)
		err = tk_cli_render_diag(buf, len, TK_CLI_SCHEMA_SUIT, &text, &diag);
	if (err == TK_OK)
		printf("/ SUIT envelope, authenticated by %s, sequence number %llu /\n%s\n",
		       args->repeated[which], (unsigned long long)manifest.sequence_number,
		       text.buf);

	tk_cli_text_free(&text);
	tk_cli_free_file(buf, len);
	free_keys(&keys);
	if (err != TK_OK)
		return tk_cli_fail(cmd, failed, &diag);
	return TK_CLI_EXIT_OK;
}
