/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent: the TEEP Broker and Agent of one node, on the simulated TEE
 * or on a TPM-backed one.
 *
 *   teep-agent init   TEE [--alg esp256|ed25519]
 *   teep-agent pubkey TEE
 *   teep-agent run    TEE --tam URI --tam-key PUB.pem...
 *                     --trust-anchor SIGNER_PUB.pem... [--request ID_HEX]...
 *   teep-agent list   TEE
 *   teep-agent load   TEE --component ID_HEX --trust-anchor SIGNER_PUB.pem...
 *   teep-agent measurements TEE
 *   teep-agent encryption-pubkey TEE
 *   teep-agent trust-add TEE --key SIGNER_PUB.pem [--scope ID_HEX]
 *   teep-agent trust-list TEE
 *   teep-agent trust-remove TEE --kid HEX
 *   teep-agent secret-add TEE --use kek|mac --kid TEXT --secret-file FILE
 *   teep-agent enroll-ak TEE --verifier URI      (TPM backend)
 * where TEE is --state DIR [--backend sim|tpm] [--tcti CONF].
 *
 * One table (agent_commands[]) drives argument parsing and the usage
 * text. Exit status: 0 on success, 1 when the work failed (one line on
 * stderr: "teep-agent: <what failed>: <value>: <NAME> (<number>):
 * <sentence>: <detail>", the tk_diag_format() form teep and teep-tam
 * print), 2 on misuse (one line plus the command's usage on stderr). Logs
 * go to stderr, one line per event. The subcommands are in agent_cmd_*.c.
 */
#include <string.h>

#include "agent/agent_cli.h"
#include "http/tk_http_client.h"
#include "suit/tk_suit.h"

_Static_assert(TK_HTTP_CLIENT_DEFAULT_MAX_BODY == 1048576u, "update the --max-body help");
_Static_assert(TK_SUIT_MAX_ENVELOPE_SIZE == 67174400u, "update the --max-body help");
_Static_assert(TK_HTTP_CLIENT_DEFAULT_TIMEOUT_MS == 30000L, "update the --timeout help");
_Static_assert(TK_TEE_TPM_DEFAULT_PCR == 23, "update the TPM help and the man page");

/* The options that select and open the TEE, first in every command. */
#define TEE_OPTIONS(state_help)                                                          \
	{"state", "DIR", state_help, true, false},                                       \
	{"backend", "NAME", "TEE backend: sim (default) or tpm", false, false},           \
	{"tcti", "CONF",                                                                 \
	 "TPM to use with --backend tpm, as a tpm2-tss TCTI configuration such as "       \
	 "swtpm:host=127.0.0.1,port=2321 (default: device:/dev/tpmrm0)", false, false}

const struct command agent_commands[] = {
	{"init", "create the TEE state folder and signing key; print kid and ueid",
	 agent_cmd_init, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder (created mode 0700)"),
	  {"alg", "ALG",
	   "signing key algorithm of a new state: esp256 (default) or ed25519 (not with "
	   "--backend tpm); an existing state must already have this algorithm", false, false}}},
	{"pubkey", "print the TEE public key as PEM", agent_cmd_pubkey, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder")}},
	{"report-pubkey", "print the SUIT report public key as PEM, for teep-tam enroll-agent "
	 "--report-key", agent_cmd_report_pubkey, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder")}},
	{"encryption-pubkey", "print the TEE's P-256 public key that data providers encrypt "
	 "personalization data to (ECDH-ES+A128KW), as PEM", agent_cmd_encryption_pubkey,
	 TK_LOG_NOTICE, {TEE_OPTIONS("TEE state folder")}},
	{"trust-add", "store a trusted component signer key in the TEE; print its kid",
	 agent_cmd_trust_add, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder"),
	  {"key", "PUB.pem", "the signer's public key, SPKI PEM", true, false},
	  {"scope", "ID_HEX",
	   "trust the key only for component ids starting with the elements of this "
	   "component id (hex of a CBOR array of byte strings); default: any", false,
	   false}}},
	{"trust-list", "list the trust anchors the TEE holds: kid and scope", agent_cmd_trust_list,
	 TK_LOG_NOTICE, {TEE_OPTIONS("TEE state folder")}},
	{"trust-remove", "remove a trust anchor from the TEE", agent_cmd_trust_remove,
	 TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder"),
	  {"kid", "HEX", "kid of the anchor, as trust-list prints it", true, false}}},
	{"secret-add", "provision a KEK for encrypted payloads or a MAC key for manifests "
	 "into the TEE", agent_cmd_secret_add, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder"),
	  {"use", "USE", "kek (AES-KW, 16, 24 or 32 bytes) or mac (HMAC 256/256, 32 bytes)",
	   true, false},
	  {"kid", "TEXT", "key id the manifests name the secret by (COSE kid)", true, false},
	  {"secret-file", "FILE", "file holding the secret as hex", true, false}}},
	{"run", "run one policy check against a TAM", agent_cmd_run, TK_LOG_INFO,
	 {TEE_OPTIONS("TEE state folder"),
	  {"tam", "URI", "TAM URI (http or https)", true, false},
	  {"tam-key", "PUB.pem", "trusted TAM public key, SPKI PEM", true,
	   true},
	  {"trust-anchor", "PUB.pem",
	   "trusted component signer public key, SPKI PEM, in addition to the trust "
	   "anchors the TEE holds (trust-add)", false, true},
	  {"request", "ID_HEX",
	   "request the TA with this component id hex", false, true},
	  {"vendor-id", "UUID", "device vendor id for SUIT vendor conditions", false, false},
	  {"class-id", "UUID", "device class id for SUIT class conditions", false, false},
	  {"ca-file", "FILE", "CA bundle for an https TAM (default: system store)", false, false},
	  {"max-body", "BYTES",
	   "largest TAM message accepted, with the SUIT envelopes in it, in bytes "
	   "(default 1048576, at most 67174400); payloads fetched by URI are not "
	   "limited by it", false, false},
	  {"timeout", "SECONDS",
	   "time limit of each HTTP transfer, in seconds (default 30, at most 3600)", false,
	   false},
	  {"tam-encryption-key", "PUB.pem",
	   "TAM's P-256 public key, SPKI PEM, that SUIT reports and evidence are "
	   "encrypted to (default: both are sent signed only)", false, false},
	  {"verifier", "URI",
	   "passport model: exchange the evidence for an attestation result at "
	   "teep-verifier and present the result to the TAM; base URI of teep-verifier "
	   "(e.g. http://127.0.0.1:8443); the API paths are appended", false, false}}},
	{"list", "list installed trusted components", agent_cmd_list, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder")}},
	{"load", "measure an installed component into the TEE's attestation state and load it",
	 agent_cmd_load, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder"),
	  {"component", "ID_HEX", "component id hex (a CBOR array of byte strings)", true,
	   false},
	  {"trust-anchor", "PUB.pem",
	   "trusted component signer public key, SPKI PEM, to authenticate the stored "
	   "manifest again, in addition to the TEE's trust anchors", false, true},
	  {"runner", "PROG",
	   "run PROG ID_HEX with the image on its standard input after measuring it "
	   "(default: only record the load)", false, false}}},
	{"measurements", "print the measurement log of loaded components, oldest first",
	 agent_cmd_measurements, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder")}},
	{"show-result", "print the attestation result the TAM last handed back (its "
	 "signature is not checked)", agent_cmd_show_result, TK_LOG_NOTICE,
	 {{"state", "DIR", "TEE state folder", true, false}}},
	{"enroll-ak", "enroll the TPM attestation key with a teep-verifier by credential "
	 "activation; print its kid and TPM name", agent_cmd_enroll_ak, TK_LOG_NOTICE,
	 {TEE_OPTIONS("TEE state folder"),
	  {"verifier", "URI", "teep-verifier base URI (http or https), such as "
	   "http://127.0.0.1:8080; the enrollment API is under /ak-enrollment/v1/", true,
	   false}}},
};
const size_t agent_command_count = sizeof(agent_commands) / sizeof(agent_commands[0]);

int main(int argc, char **argv)
{
	struct args args;
	int rc;

	if (argc < 2)
		return agent_usage_error(NULL, "missing command");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		agent_print_usage(stdout, NULL);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROGRAM, PROGRAM_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < agent_command_count; i++) {
		if (strcmp(argv[1], agent_commands[i].name) != 0)
			continue;
		rc = agent_parse_args(&agent_commands[i], argc - 2, argv + 2, &args);
		if (rc == HELP_PRINTED)
			return EXIT_OK;
		if (rc == EXIT_OK)
			rc = agent_check_backend(&agent_commands[i], &args);
		if (rc != EXIT_OK)
			return rc;
		agent_log.min_level = args.verbose ? TK_LOG_DEBUG : agent_commands[i].log_level;
		return agent_commands[i].run(&agent_commands[i], &args);
	}
	return agent_usage_error(NULL, "unknown command: %s", argv[1]);
}
