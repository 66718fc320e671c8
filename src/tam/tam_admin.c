/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The administration commands of teep-tam that change the database. Each
 * opens the database, makes its change in one transaction with an audit
 * line, and prints its result as `name: value` lines on stdout, which
 * scripts parse (the listings are in tam_show.c):
 *
 *   enroll-agent   kid: <hex>
 *   add-manifest   manifest-component-id: <hex>
 *                  manifest-component-id-diag: <CBOR diagnostic notation>
 *                  sequence-number: <decimal>
 *                  manifest-digest: sha-256:<hex of the SUIT digest of the manifest>
 *                  image-digest: sha-256:<hex>|none
 *   require        required: <hex> device: <ueid hex>|all
 *   unrequire      unrequired: <hex> device: <ueid hex>|all
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "store/tk_store_sqlite.h"
#include "suit/tk_suit.h"
#include "tam.h"

/*
 * SUIT numbers from the IANA section of draft-ietf-suit-manifest: the
 * override-parameters directive (20), which alone may set a digest, its
 * image-digest parameter (3), and SHA-256 (COSE algorithm -16).
 */
#define SUIT_DIRECTIVE_OVERRIDE_PARAMETERS 20
#define SUIT_PARAMETER_IMAGE_DIGEST 3
#define SUIT_DIGEST_SHA256 (-16)

/* Commit the transaction, or roll it back when err is set or commit fails. */
static tk_err finish(const struct tk_store *st, tk_err err, struct tk_diag *diag)
{
	if (err == TK_OK)
		err = tk_store_commit(st, diag);
	if (err != TK_OK)
		tk_store_rollback(st);
	return err;
}

/* Read a PEM public key file. Caller owns *out. */
static tk_err read_public_key(const char *path, struct tk_crypto_key **out,
			      struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err;

	*out = NULL;
	err = tam_read_file(path, &pem, &pem_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	tam_free_file(pem, pem_len);
	if (err == TK_OK && tk_crypto_key_has_private(*out)) {
		tk_crypto_key_free(*out);
		*out = NULL;
		err = TK_FAIL(diag, TK_ERR_KEY, "a private key was given where a public key "
			      "belongs; export the public part");
	}
	return err;
}

/* Build the store record of an agent key: COSE_Key encoding and thumbprint. */
static tk_err agent_key_record(const struct tk_crypto_key *key,
			       struct tk_store_agent_key *rec, struct tk_diag *diag)
{
	tk_err err;

	memset(rec, 0, sizeof(*rec));
	rec->alg = tk_cose_alg_for_key(key);
	rec->enrolled_at = (int64_t)time(NULL);
	err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, rec->kid, diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(key, TK_SPAN_EMPTY, rec->alg, rec->pubkey,
						sizeof(rec->pubkey), &rec->pubkey_len, diag);
	return err;
}

/* Succeed when the enrolled key with rec's kid has rec's public key. */
static tk_err check_same_key(const struct tk_store *st, const struct tk_store_agent_key *rec,
			     struct tk_diag *diag)
{
	struct tk_store_agent_key stored;
	struct tk_diag local;

	tk_diag_clear(&local);
	if (tk_store_agent_key_get(st, tk_span_make(rec->kid, TK_STORE_KID_LEN), &stored,
				   &local) != TK_OK ||
	    stored.pubkey_len != rec->pubkey_len ||
	    memcmp(stored.pubkey, rec->pubkey, rec->pubkey_len) != 0)
		return TK_ERR_EXISTS; /* diag keeps "already enrolled" */
	tk_diag_clear(diag);
	return TK_OK;
}

int tam_enroll_agent(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *path = args->operand;
	const char *report_path = tam_get(cmd, args, "report-key");
	uint8_t report_kid[32];
	struct tk_store st = {0};
	struct tk_store_agent_key rec;
	struct tk_crypto_key *key = NULL;
	char detail[2 * TK_STORE_KID_LEN + 16];
	struct tk_diag diag;
	tk_err err;
	int rc;

	(void)cmd;
	tk_diag_clear(&diag);
	if ((err = read_public_key(path, &key, &diag)) == TK_OK)
		err = agent_key_record(key, &rec, &diag);
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return tam_fail("cannot read the agent key", path, &diag);

	if ((rc = tam_open_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		return rc;
	for (size_t i = 0; i < 8; i++)
		snprintf(detail + 2 * i, 3, "%02x", rec.kid[i]);
	err = tk_store_begin(&st, &diag);
	if (err == TK_OK) {
		err = tk_store_agent_key_add(&st, &rec, &diag);
		if (err == TK_OK)
			err = tk_store_audit_add(&st, rec.enrolled_at, "enroll-agent", detail,
						 &diag);
		err = finish(&st, err, &diag);
	}
	/* The kid is the key's thumbprint, so an enrolled kid is this very key:
	 * enrolling it again succeeds and changes nothing, as long as the stored
	 * public key matches. */
	if (err == TK_ERR_EXISTS)
		err = check_same_key(&st, &rec, &diag);
	if (err == TK_OK && report_path != NULL) {
		err = tam_enroll_report_key(&st, rec.kid, report_path, report_kid, &diag);
		if (err != TK_OK)
			path = report_path;
	}
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot enroll the agent key", path, &diag);

	printf("kid: ");
	tam_hex_print(stdout, tk_span_make(rec.kid, TK_STORE_KID_LEN));
	printf("\n");
	if (report_path != NULL) {
		printf("report-kid: ");
		tam_hex_print(stdout, tk_span_make(report_kid, sizeof(report_kid)));
		printf("\n");
	}
	return TAM_EXIT_OK;
}

/* Verify the envelope with the signer key and fill the manifest record. */
static tk_err authenticate_envelope(const uint8_t *env_buf, size_t env_len,
				    const struct tk_crypto_key *signer,
				    struct tk_suit_manifest *manifest,
				    struct tk_diag *diag)
{
	struct tk_suit_envelope *env = calloc(1, sizeof(*env));
	tk_err err;

	if (env == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "envelope");
	err = tk_suit_decode_envelope(env_buf, env_len, env, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(env, tk_crypto_openssl(), &signer, 1, manifest, diag);
	if (err == TK_OK && manifest->manifest_component_id.len == 0)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			      "manifest has no manifest component id (key 5)");
	free(env);
	return err;
}

/* SHA-256 bytes of an encoded SUIT_Digest [-16, bstr], or empty. */
static struct tk_span sha256_of_suit_digest(struct tk_span encoded)
{
	struct tk_span bytes = TK_SPAN_EMPTY;
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	int64_t alg = 0;

	if (tk_cbor_dec_init(&dec, encoded.ptr, encoded.len, TK_CBOR_STRICT, NULL) != TK_OK ||
	    tk_cbor_enter_array(&dec, &count) != TK_OK || count != 2 ||
	    tk_cbor_get_int(&dec, &alg) != TK_OK || tk_cbor_get_bstr(&dec, &bytes) != TK_OK ||
	    tk_cbor_leave(&dec) != TK_OK || tk_cbor_dec_finish(&dec) != TK_OK)
		return TK_SPAN_EMPTY;
	if (alg != SUIT_DIGEST_SHA256 || bytes.len != TK_CRYPTO_SHA256_LEN)
		return TK_SPAN_EMPTY;
	return bytes;
}

/* Look for image-digest in the parameters map of an override-parameters. */
static struct tk_span digest_in_parameters(struct tk_cbor_dec *dec)
{
	struct tk_span found = TK_SPAN_EMPTY, value;
	uint64_t pairs = 0;
	int64_t key = 0;

	if (tk_cbor_enter_map(dec, &pairs) != TK_OK)
		return TK_SPAN_EMPTY;
	while (tk_cbor_more(dec)) {
		if (tk_cbor_get_int(dec, &key) != TK_OK)
			return TK_SPAN_EMPTY;
		if (key == SUIT_PARAMETER_IMAGE_DIGEST && tk_cbor_get_bstr(dec, &value) == TK_OK)
			found = sha256_of_suit_digest(value);
		else if (tk_cbor_skip(dec) != TK_OK)
			return TK_SPAN_EMPTY;
	}
	return tk_cbor_leave(dec) == TK_OK ? found : TK_SPAN_EMPTY;
}

/*
 * Find the image digest the shared sequence sets (SUIT_Command_Sequence =
 * [+ (command, argument)]), where single-component manifests such as those
 * `teep manifest` builds put it. Empty when none is found.
 */
static struct tk_span find_image_digest(const struct tk_suit_manifest *manifest)
{
	struct tk_span seq = manifest->shared_sequence, found = TK_SPAN_EMPTY;
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	int64_t command = 0;

	if (seq.len == 0 || manifest->component_count != 1 ||
	    tk_cbor_dec_init(&dec, seq.ptr, seq.len, TK_CBOR_STRICT, NULL) != TK_OK ||
	    tk_cbor_enter_array(&dec, &count) != TK_OK)
		return TK_SPAN_EMPTY;
	while (tk_cbor_more(&dec) && found.len == 0) {
		if (tk_cbor_get_int(&dec, &command) != TK_OK)
			return TK_SPAN_EMPTY;
		if (command == SUIT_DIRECTIVE_OVERRIDE_PARAMETERS)
			found = digest_in_parameters(&dec);
		else if (tk_cbor_skip(&dec) != TK_OK)
			return TK_SPAN_EMPTY;
	}
	return found;
}

static void print_manifest(const struct tk_suit_manifest *manifest)
{
	struct tk_span image_digest = find_image_digest(manifest);

	printf("manifest-component-id: ");
	tam_hex_print(stdout, manifest->manifest_component_id);
	printf("\nmanifest-component-id-diag: ");
	tam_diag_print(stdout, manifest->manifest_component_id);
	printf("\nsequence-number: %llu\nmanifest-digest: sha-256:",
	       (unsigned long long)manifest->sequence_number);
	tam_hex_print(stdout, tk_span_make(manifest->digest, sizeof(manifest->digest)));
	printf("\nimage-digest: ");
	if (image_digest.len > 0) {
		printf("sha-256:");
		tam_hex_print(stdout, image_digest);
	} else {
		printf("none");
	}
	printf("\n");
}

/*
 * Store the manifest, the component ids it installs and an audit line, in
 * one transaction. Devices report and request those component ids, which
 * need not equal the manifest component id.
 */
static tk_err store_manifest(const struct tk_store *st,
			     const struct tk_suit_manifest *manifest,
			     const uint8_t *env_buf, size_t env_len, struct tk_diag *diag)
{
	struct tk_store_manifest rec = {
		.component_id = manifest->manifest_component_id,
		.sequence = manifest->sequence_number,
		.digest = tk_span_make(manifest->digest, sizeof(manifest->digest)),
		.image_digest = find_image_digest(manifest),
		.envelope = tk_span_make(env_buf, env_len),
	};
	int64_t now = (int64_t)time(NULL);
	char detail[64];
	tk_err err;

	snprintf(detail, sizeof(detail), "sequence %llu, %zu bytes",
		 (unsigned long long)manifest->sequence_number, env_len);
	err = tk_store_begin(st, diag);
	if (err != TK_OK)
		return err;
	err = tk_store_manifest_add(st, &rec, now, diag);
	if (err == TK_OK)
		err = tk_store_manifest_components_add(st, rec.component_id, rec.sequence,
						       manifest->components,
						       manifest->component_count, diag);
	if (err == TK_OK)
		err = tk_store_audit_add(st, now, "add-manifest", detail, diag);
	return finish(st, err, diag);
}

int tam_add_manifest(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *path = args->operand;
	const char *signer_path = tam_get(cmd, args, "signer");
	struct tk_suit_manifest *manifest = NULL;
	struct tk_crypto_key *signer = NULL;
	struct tk_store st = {0};
	uint8_t *env_buf = NULL;
	size_t env_len = 0;
	struct tk_diag diag;
	tk_err err;
	int rc = TAM_EXIT_FAIL;

	tk_diag_clear(&diag);
	if (read_public_key(signer_path, &signer, &diag) != TK_OK)
		return tam_fail("cannot read the signer key", signer_path, &diag);
	manifest = calloc(1, sizeof(*manifest));
	err = manifest == NULL ? TK_FAIL(&diag, TK_ERR_NOMEM, "manifest")
			       : tam_read_file(path, &env_buf, &env_len, &diag);
	if (err == TK_OK)
		err = authenticate_envelope(env_buf, env_len, signer, manifest, &diag);
	if (err != TK_OK) {
		rc = tam_fail("cannot verify the envelope", path, &diag);
		goto done;
	}

	if ((rc = tam_open_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		goto done;
	err = store_manifest(&st, manifest, env_buf, env_len, &diag);
	tk_store_sqlite_close(&st);
	if (err != TK_OK) {
		rc = tam_fail("cannot register the manifest", path, &diag);
		goto done;
	}
	print_manifest(manifest);
	rc = TAM_EXIT_OK;

done:
	tk_crypto_key_free(signer);
	tam_free_file(env_buf, env_len);
	free(manifest);
	return rc;
}

/* Manifest component id and UEID of require and unrequire. */
struct policy_args {
	const char *id_hex;
	const char *ueid_hex; /* NULL for --all */
	uint8_t id[TK_STORE_COMPONENT_ID_MAX];
	size_t id_len;
	uint8_t ueid[TK_STORE_UEID_MAX];
	size_t ueid_len;      /* 0 for --all */
};

/* Parse --manifest and --device; returns an exit code. */
static int parse_policy_args(const struct tam_command *cmd, const struct tam_args *args,
			     struct policy_args *out)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	out->id_hex = tam_get(cmd, args, "manifest");
	out->ueid_hex = tam_get(cmd, args, "device");
	out->ueid_len = 0;
	if (tam_hex_parse(out->id_hex, out->id, sizeof(out->id), &out->id_len,
			  &diag) != TK_OK ||
	    tk_cbor_check(out->id, out->id_len, TK_CBOR_STRICT, &diag) != TK_OK)
		return tam_misuse(cmd, "--manifest %s is not the hex of one CBOR item",
				  out->id_hex);
	if (out->ueid_hex == NULL)
		return TAM_EXIT_OK;
	if (tam_hex_parse(out->ueid_hex, out->ueid, sizeof(out->ueid), &out->ueid_len,
			  &diag) != TK_OK)
		return tam_misuse(cmd, "--device %s is not a UEID in hex", out->ueid_hex);
	/* RFC 9711 section 4.2.1: a UEID is 7 to 33 bytes; evidence with another
	 * length is rejected, so a policy for it could never apply. */
	if (out->ueid_len < TK_EAT_UEID_MIN || out->ueid_len > TK_EAT_UEID_MAX) {
		TK_FAIL(&diag, TK_ERR_ARG, "UEID of %zu bytes; RFC 9711 allows %d to %d bytes",
			out->ueid_len, TK_EAT_UEID_MIN, TK_EAT_UEID_MAX);
		return tam_fail("invalid UEID", out->ueid_hex, &diag);
	}
	return TAM_EXIT_OK;
}

int tam_require(const struct tam_command *cmd, const struct tam_args *args)
{
	struct policy_args p;
	struct tk_store st = {0};
	int64_t now = (int64_t)time(NULL);
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = parse_policy_args(cmd, args, &p)) != TAM_EXIT_OK)
		return rc;
	if ((rc = tam_open_existing_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		return rc;
	err = tk_store_begin(&st, &diag);
	if (err == TK_OK) {
		err = tk_store_policy_add(&st, tk_span_make(p.id, p.id_len),
					  tk_span_make(p.ueid, p.ueid_len), now, &diag);
		if (err == TK_OK)
			err = tk_store_audit_add(&st, now, "require",
						 p.ueid_hex != NULL ? p.ueid_hex : "all", &diag);
		err = finish(&st, err, &diag);
	}
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot require the manifest", p.id_hex, &diag);

	printf("required: ");
	tam_hex_print(stdout, tk_span_make(p.id, p.id_len));
	printf(" device: %s\n", p.ueid_hex != NULL ? p.ueid_hex : "all");
	return TAM_EXIT_OK;
}

int tam_unrequire(const struct tam_command *cmd, const struct tam_args *args)
{
	struct policy_args p;
	struct tk_store st = {0};
	int64_t now = (int64_t)time(NULL);
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = parse_policy_args(cmd, args, &p)) != TAM_EXIT_OK)
		return rc;
	if ((rc = tam_open_existing_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		return rc;
	err = tk_store_begin(&st, &diag);
	if (err == TK_OK) {
		err = tk_store_policy_remove(&st, tk_span_make(p.id, p.id_len),
					     tk_span_make(p.ueid, p.ueid_len), &diag);
		/* The record lets the TAM delete the component at the next
		 * contact: it lists only manifests it once required. */
		if (err == TK_OK)
			err = tk_store_unrequired_add(&st, tk_span_make(p.id, p.id_len),
						      tk_span_make(p.ueid, p.ueid_len), now,
						      &diag);
		if (err == TK_OK)
			err = tk_store_audit_add(&st, now, "unrequire",
						 p.ueid_hex != NULL ? p.ueid_hex : "all", &diag);
		err = finish(&st, err, &diag);
	}
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot remove the policy", p.id_hex, &diag);

	printf("unrequired: ");
	tam_hex_print(stdout, tk_span_make(p.id, p.id_len));
	printf(" device: %s\n", p.ueid_hex != NULL ? p.ueid_hex : "all");
	return TAM_EXIT_OK;
}
