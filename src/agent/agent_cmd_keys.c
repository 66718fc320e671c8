/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent commands for the keys the TEE holds for SUIT:
 *
 *   encryption-pubkey TEE   print the recipient public key that data
 *                           providers encrypt personalization data to
 *   trust-add TEE --key PUB.pem [--scope ID_HEX]
 *   trust-list TEE
 *   trust-remove TEE --kid HEX
 *   secret-add TEE --use kek|mac --kid TEXT --secret-file FILE
 *
 * A trust anchor is a TC signer public key, optionally limited to the
 * component ids that start with the elements of --scope. A secret is an
 * AES-KW KEK (16, 24 or 32 bytes) or an HMAC 256/256 key (32 bytes),
 * read as hex from a file so that it never appears in a process list.
 */
#include "agent/agent_cli.h"

#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"

/* Largest secret file: 32 bytes as hex plus whitespace. */
#define MAX_SECRET_FILE 256

int agent_cmd_encryption_pubkey(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee tee = {0};
	char pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_encryption_public_key_pem(&tee, pem, sizeof(pem), &len, &diag);
	if (err == TK_OK)
		fwrite(pem, 1, len, stdout);
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK
			    : agent_fail("cannot export the TEE encryption key", state, err, &diag);
}

int agent_cmd_trust_add(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *path = args->values[TRUST_KEY][0];
	struct tk_tee_trust_anchor anchor;
	struct tk_tee tee = {0};
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	struct tk_diag diag;
	tk_err err;

	memset(&anchor, 0, sizeof(anchor));
	if (args->count[TRUST_SCOPE] > 0 &&
	    !agent_parse_component_id(args->values[TRUST_SCOPE][0], anchor.scope,
				      sizeof(anchor.scope), &anchor.scope_len))
		return agent_usage_error(cmd, "invalid --scope: %s (expected the hex of a CBOR "
					 "array of byte strings)", args->values[TRUST_SCOPE][0]);
	tk_diag_clear(&diag);
	err = agent_read_file(path, sizeof(anchor.pem), &pem, &pem_len, &diag);
	if (err != TK_OK)
		return agent_fail("cannot read the trust anchor", path, err, &diag);
	memcpy(anchor.pem, pem, pem_len);
	anchor.pem_len = pem_len;
	free(pem);

	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_trust_anchor_add(&tee, &anchor, &diag);
	tk_tee_close(&tee);
	if (err != TK_OK)
		return agent_fail("cannot add the trust anchor", path, err, &diag);
	printf("kid: ");
	agent_print_hex(stdout, anchor.kid, sizeof(anchor.kid));
	printf("\n");
	return EXIT_OK;
}

/* One line per anchor: kid hex, then the scope hex and diagnostic notation,
 * or "any". */
static tk_err print_anchor(void *ctx, const struct tk_tee_trust_anchor *anchor)
{
	size_t *count = ctx;
	char text[MAX_DIAG_TEXT];
	size_t text_len = 0;

	(*count)++;
	agent_print_hex(stdout, anchor->kid, sizeof(anchor->kid));
	if (anchor->scope_len == 0) {
		printf(" scope any\n");
		return TK_OK;
	}
	printf(" scope ");
	agent_print_hex(stdout, anchor->scope, anchor->scope_len);
	if (tk_cbor_to_diag(anchor->scope, anchor->scope_len, TK_CBOR_ALLOW_ALL, false, NULL,
			    text, sizeof(text), &text_len, NULL) == TK_OK)
		printf(" %s", text);
	printf("\n");
	return TK_OK;
}

int agent_cmd_trust_list(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee tee = {0};
	struct tk_diag diag;
	size_t count = 0;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_trust_anchor_list(&tee, print_anchor, &count, &diag);
	tk_tee_close(&tee);
	if (err != TK_OK)
		return agent_fail("cannot list trust anchors", state, err, &diag);
	if (count == 0)
		printf("no trust anchors\n");
	return EXIT_OK;
}

int agent_cmd_trust_remove(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *hex = args->values[TRUST_KID][0];
	uint8_t kid[TK_TEE_KID_LEN];
	struct tk_tee tee = {0};
	size_t kid_len = 0;
	struct tk_diag diag;
	tk_err err;

	if (!agent_parse_hex(hex, kid, sizeof(kid), &kid_len) || kid_len != sizeof(kid))
		return agent_usage_error(cmd, "invalid --kid: %s (expected 64 hex digits, as "
					 "trust-list prints)", hex);
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_trust_anchor_remove(&tee, kid, &diag);
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : agent_fail("cannot remove the trust anchor", hex, err, &diag);
}

/* Read the hex secret of path into out, ignoring whitespace. */
static tk_err read_secret(const char *path, uint8_t *out, size_t cap, size_t *out_len,
			  struct tk_diag *diag)
{
	char hex[MAX_SECRET_FILE + 1];
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	tk_err err = agent_read_file(path, MAX_SECRET_FILE, &buf, &len, diag);

	if (err != TK_OK)
		return err;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t')
			hex[n++] = (char)buf[i];
	}
	hex[n] = '\0';
	tk_wipe(buf, len);
	free(buf);
	if (!agent_parse_hex(hex, out, cap, out_len))
		err = TK_FAIL(diag, TK_ERR_ARG, "the file does not contain a hex secret of at "
			      "most %zu bytes", cap);
	tk_wipe(hex, sizeof(hex));
	return err;
}

int agent_cmd_secret_add(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *use_name = args->values[SECRET_USE][0];
	const char *kid = args->values[SECRET_KID][0];
	const char *path = args->values[SECRET_FILE][0];
	enum tk_tee_secret_use use;
	struct tk_tee tee = {0};
	uint8_t secret[32];
	size_t secret_len = 0;
	struct tk_diag diag;
	tk_err err;

	if (strcmp(use_name, "kek") == 0)
		use = TK_TEE_SECRET_KEK;
	else if (strcmp(use_name, "mac") == 0)
		use = TK_TEE_SECRET_MAC_KEY;
	else
		return agent_usage_error(cmd, "invalid --use: %s (expected kek or mac)", use_name);
	if (strlen(kid) > TK_TEE_MAX_SECRET_KID)
		return agent_usage_error(cmd, "--kid is longer than %d bytes",
					 TK_TEE_MAX_SECRET_KID);

	tk_diag_clear(&diag);
	err = read_secret(path, secret, sizeof(secret), &secret_len, &diag);
	if (err != TK_OK)
		return agent_fail("cannot read the secret", path, err, &diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK) {
		tk_wipe(secret, sizeof(secret));
		return agent_fail("cannot open the TEE state", state, err, &diag);
	}
	err = tk_tee_provision_secret(&tee, use, (const uint8_t *)kid, strlen(kid), secret,
				      secret_len, &diag);
	tk_wipe(secret, sizeof(secret));
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : agent_fail("cannot provision the secret", kid, err, &diag);
}
