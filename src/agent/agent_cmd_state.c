/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent init, pubkey and list: create or open the TEE state and
 * print its key, its UEID or its installed components.
 */
#include "agent/agent_cli.h"

#include <string.h>
#include <sys/stat.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* Name of a TEE key algorithm, for messages. */
static const char *alg_label(int64_t alg)
{
	if (alg == TK_COSE_ALG_ESP256)
		return "ESP256";
	if (alg == TK_COSE_ALG_ED25519)
		return "Ed25519";
	return "unknown";
}

int agent_cmd_init(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *alg_name = args->count[INIT_ALG] > 0 ? args->values[INIT_ALG][0] : "esp256";
	struct tk_tee tee = {0};
	struct tk_tee_key_info info;
	uint8_t ueid[TK_TEE_UEID_LEN];
	size_t ueid_len = 0;
	struct tk_diag diag;
	struct stat st;
	int64_t alg;
	tk_err err;

	if (strcmp(alg_name, "esp256") == 0)
		alg = TK_COSE_ALG_ESP256;
	else if (strcmp(alg_name, "ed25519") == 0)
		alg = TK_COSE_ALG_ED25519;
	else
		return agent_usage_error(cmd, "invalid value for --alg: %s (expected esp256 or ed25519)",
				   alg_name);

	tk_diag_clear(&diag);
	if (stat(state, &st) == 0 && !S_ISDIR(st.st_mode)) {
		(void)TK_FAIL(&diag, TK_ERR_ARG, "the path exists but is not a directory, and "
			      "--state needs a new or existing state folder");
		return agent_fail("cannot create the TEE state", state, TK_ERR_ARG, &diag);
	}
	err = agent_open_tee(args, true, alg, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_key_info(&tee, &info, &diag);
	if (err == TK_OK)
		err = tk_tee_ueid(&tee, ueid, sizeof(ueid), &ueid_len, &diag);

	/* An existing state keeps its key: a different --alg is an error, so a
	   script never believes it got the algorithm it asked for. */
	if (err == TK_OK && args->count[INIT_ALG] > 0 && info.alg != alg)
		err = TK_FAIL(&diag, TK_ERR_EXISTS, "the state already contains an %s signing "
			      "key, which is kept. Use a new --state folder for an %s key",
			      alg_label(info.alg), alg_label(alg));
	if (err == TK_OK) {
		printf("kid: ");
		agent_print_hex(stdout, info.kid, sizeof(info.kid));
		printf("\nueid: ");
		agent_print_hex(stdout, ueid, ueid_len);
		printf("\n");
	}
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : agent_fail("cannot initialize the TEE state", state, err, &diag);
}

int agent_cmd_pubkey(const struct command *cmd, const struct args *args)
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
	err = tk_tee_public_key_pem(&tee, pem, sizeof(pem), &len, &diag);
	if (err == TK_OK)
		fwrite(pem, 1, len, stdout);
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK : agent_fail("cannot export the TEE public key", state, err, &diag);
}

int agent_cmd_report_pubkey(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const struct tk_crypto_key *key = NULL;
	struct tk_tee tee = {0};
	uint8_t pem[TK_CRYPTO_PEM_MAX];
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_report_key(&tee, &key, &diag);
	if (err == TK_OK)
		err = tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &len, &diag);
	if (err == TK_OK)
		fwrite(pem, 1, len, stdout);
	tk_tee_close(&tee);
	return err == TK_OK ? EXIT_OK
			    : agent_fail("cannot export the SUIT report public key", state, err,
					 &diag);
}

/*
 * One line per component: id hex, sequence number and digest (named as
 * teep-tam show-devices names them), and last the id in diagnostic
 * notation, because it contains spaces. ctx counts the lines.
 */
static tk_err print_component(void *ctx, const struct tk_tee_object_info *info)
{
	size_t *count = ctx;
	char text[MAX_DIAG_TEXT];
	size_t text_len = 0;

	(*count)++;
	agent_print_hex(stdout, info->id, info->id_len);
	printf(" sequence-number %llu sha-256:", (unsigned long long)info->sequence_number);
	agent_print_hex(stdout, info->digest, sizeof(info->digest));
	if (tk_cbor_to_diag(info->id, info->id_len, TK_CBOR_ALLOW_ALL, false, NULL, text,
			    sizeof(text), &text_len, NULL) == TK_OK)
		printf(" %s", text);
	printf("\n");
	return TK_OK;
}

int agent_cmd_list(const struct command *cmd, const struct args *args)
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
	err = tk_tee_list_components(&tee, print_component, &count, &diag);
	tk_tee_close(&tee);
	if (err != TK_OK)
		return agent_fail("cannot list components", state, err, &diag);
	if (count == 0)
		printf("no components installed\n");
	return EXIT_OK;
}

