/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `teep attestation verify`: the relying party's check of an attestation
 * result (EAR, as a CWT or a JWT) with tk_ear_check(). It prints the
 * decision, the overall status and every reason on stdout, so a data
 * provider gets all causes at once, and exits 0 only when the result is
 * affirming. --encryption-key names the key `teep-agent encryption-pubkey`
 * printed: the result must carry its thumbprint, so a data provider checks
 * that it encrypts personalization data to the attested TEE.
 */
#include "tk_cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/tk_span.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear_json.h"

/* Hex option values of this command. */
struct hex_values {
	uint8_t nonce[TK_EAT_NONCE_MAX];
	uint8_t ta_digest[TK_CRYPTO_SHA256_LEN];
	uint8_t kid[TK_COSE_KID_MAX];
};

static tk_err load_key(const char *path, struct tk_crypto_key **out, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err = tk_cli_read_file(path, &pem, &pem_len, diag);

	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	tk_cli_free_file(pem, pem_len);
	return err;
}

/* The RFC 9679 thumbprint of the public key in the PEM file at path. */
static tk_err load_thumbprint(const char *path, uint8_t out[TK_CRYPTO_SHA256_LEN],
			      struct tk_diag *diag)
{
	struct tk_crypto_key *key = NULL;
	tk_err err = load_key(path, &key, diag);

	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, out, diag);
	tk_crypto_key_free(key);
	return err;
}

/* Parse an optional hex option of exact or bounded length into out. */
static int parse_hex_option(const struct tk_cli_command *cmd, const struct tk_cli_args *args,
			    const char *name, size_t min, size_t max, uint8_t *out,
			    struct tk_span *span)
{
	const char *hex = tk_cli_get(cmd, args, name);
	struct tk_diag diag;
	size_t len = 0;

	*span = TK_SPAN_EMPTY;
	if (hex == NULL)
		return TK_CLI_EXIT_OK;
	tk_diag_clear(&diag);
	if (strlen(hex) > 2 * max || tk_cli_hex_parse(hex, out, max, &len, &diag) != TK_OK ||
	    len < min) {
		if (min == max)
			return tk_cli_misuse(cmd, "--%s: expected %zu bytes of hex, got \"%s\"",
					     name, max, hex);
		return tk_cli_misuse(cmd, "--%s: expected %zu to %zu bytes of hex, got \"%s\"",
				     name, min, max, hex);
	}
	*span = tk_span_make(out, len);
	return TK_CLI_EXIT_OK;
}

/* Fill expect from the options; returns an exit code on misuse. */
static int parse_expectations(const struct tk_cli_command *cmd,
			      const struct tk_cli_args *args, struct hex_values *hex,
			      struct tk_ear_expect *expect)
{
	int rc = parse_hex_option(cmd, args, "nonce", TK_EAT_NONCE_MIN, TK_EAT_NONCE_MAX,
				  hex->nonce, &expect->nonce);

	if (rc == TK_CLI_EXIT_OK)
		rc = parse_hex_option(cmd, args, "ta-digest", TK_CRYPTO_SHA256_LEN,
				      TK_CRYPTO_SHA256_LEN, hex->ta_digest, &expect->ta_digest);
	if (rc == TK_CLI_EXIT_OK)
		rc = parse_hex_option(cmd, args, "kid", 1, TK_COSE_KID_MAX, hex->kid,
				      &expect->key_thumbprint);
	if (rc == TK_CLI_EXIT_OK && tk_cli_has(cmd, args, "kid") && tk_cli_has(cmd, args, "key"))
		rc = tk_cli_misuse(cmd, "give --kid or --key, not both");
	return rc;
}

static void print_decision(const struct tk_ear_decision *d, const struct tk_ear_expect *e)
{
	const char *status = tk_ear_status_name(d->status);

	printf("decision: %s\n", d->affirming ? "affirming" : "not affirming");
	if (d->verified)
		printf("status: %s\n", status != NULL ? status : "none");
	for (size_t i = 0; i < d->reason_count; i++)
		printf("reason: %s (%d): %s\n", tk_err_name(d->reasons[i].code),
		       (int)d->reasons[i].code, d->reasons[i].text);
	if (d->reasons_dropped > 0)
		printf("reason: %zu more not shown\n", d->reasons_dropped);
	if (d->affirming)
		printf("checked: signature, status%s%s%s%s, exp if present\n",
		       e->nonce.len > 0 ? ", nonce" : "",
		       e->ta_digest.len > 0 ? ", TA digest" : "",
		       e->key_thumbprint.len > 0 ? ", key binding" : "",
		       e->encryption_kid.len > 0 ? ", encryption key" : "");
}

int tk_cli_attestation_verify(const struct tk_cli_command *cmd,
			      const struct tk_cli_args *args)
{
	const char *path = args->operand;
	struct tk_crypto_key *verifier = NULL, *agent = NULL;
	uint8_t thumbprint[TK_CRYPTO_SHA256_LEN];
	uint8_t encryption_kid[TK_CRYPTO_SHA256_LEN];
	struct tk_ear_expect expect = {.now = (int64_t)time(NULL)};
	static struct hex_values hex;
	static struct tk_ear_decision decision;
	uint8_t *ear = NULL;
	size_t ear_len = 0;
	const char *failed = NULL;
	struct tk_diag diag;
	int rc;
	tk_err err;

	if (path == NULL)
		return tk_cli_misuse(cmd, "missing FILE");
	rc = parse_expectations(cmd, args, &hex, &expect);
	if (rc != TK_CLI_EXIT_OK)
		return rc;

	tk_diag_clear(&diag);
	failed = tk_cli_get(cmd, args, "verifier-key");
	err = load_key(failed, &verifier, &diag);
	if (err == TK_OK && tk_cli_has(cmd, args, "key")) {
		failed = tk_cli_get(cmd, args, "key");
		err = load_key(failed, &agent, &diag);
		if (err == TK_OK)
			err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), agent,
							    thumbprint, &diag);
		expect.key_thumbprint = tk_span_make(thumbprint, sizeof(thumbprint));
	}
	if (err == TK_OK && tk_cli_has(cmd, args, "encryption-key")) {
		failed = tk_cli_get(cmd, args, "encryption-key");
		err = load_thumbprint(failed, encryption_kid, &diag);
		expect.encryption_kid = tk_span_make(encryption_kid, sizeof(encryption_kid));
	}
	if (err == TK_OK) {
		failed = path;
		err = tk_cli_read_file(path, &ear, &ear_len, &diag);
	}
	if (err != TK_OK) {
		rc = tk_cli_fail(cmd, failed, &diag);
		goto done;
	}

	expect.verifier_key = verifier;
	err = tk_ear_check(tk_crypto_openssl(), ear, ear_len, &expect, &decision, &diag);
	print_decision(&decision, &expect);
	rc = err == TK_OK ? TK_CLI_EXIT_OK : tk_cli_fail(cmd, path, &diag);

done:
	tk_cli_free_file(ear, ear_len);
	tk_crypto_key_free(verifier);
	tk_crypto_key_free(agent);
	return rc;
}
