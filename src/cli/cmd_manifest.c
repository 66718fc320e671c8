/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `teep manifest`: build and sign a SUIT envelope that installs one TA
 * image, fetched by URI or carried as the integrated payload "#tc", with the
 * SUIT layer's builder. The envelope is written untagged, as TEEP carries it
 * in an Update's manifest-list.
 *
 * The one --component-id names both the trusted component and its manifest.
 * TAM policy and the agent's anti-rollback state are keyed by the manifest
 * component id, so the id a user passes to `teep-tam require` and to
 * `teep-agent run --request` is the id printed here.
 *
 * Output on stdout, one `name: value` line each, for scripts:
 *   manifest-component-id: <hex of the encoded SUIT_Component_Identifier>
 *   manifest-component-id-diag: <the same in diagnostic notation>
 *   sequence-number: <N>
 *   image-digest: sha-256:<hex of the SHA-256 digest of TA_FILE>
 * The names and forms are those `teep-tam add-manifest` prints.
 */
#include "tk_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

/* Key of the integrated payload, as in the TEEP draft's suit_integrated. */
#define INTEGRATED_NAME "#tc"

/* Length of a UUID in bytes and in its RFC 9562 text form. */
#define UUID_LEN 16
#define UUID_TEXT_LEN 36

/* Room for the diagnostic notation of a component id of maximum length. */
#define ID_DIAG_MAX (8 * TK_SUIT_MAX_ID_LEN + 64)

/* Arguments of one invocation, parsed. */
struct manifest_request {
	uint8_t component_id[TK_SUIT_MAX_ID_LEN];
	size_t component_id_len;
	uint64_t sequence_number;
	uint8_t vendor_id[UUID_LEN];
	uint8_t class_id[UUID_LEN];
	bool has_vendor_id;
	bool has_class_id;
};

/* Parse a decimal uint64 with no sign, spaces or trailing text. */
static bool parse_u64(const char *text, uint64_t *out)
{
	char *end = NULL;
	unsigned long long value;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = (uint64_t)value;
	return true;
}

/* Parse the RFC 9562 text form 8-4-4-4-12 (either case) into 16 bytes. */
static bool parse_uuid(const char *text, uint8_t out[UUID_LEN])
{
	char hex[2 * UUID_LEN + 1];
	size_t n = 0;
	size_t len = 0;
	struct tk_diag diag;

	if (strlen(text) != UUID_TEXT_LEN)
		return false;
	for (size_t i = 0; i < UUID_TEXT_LEN; i++) {
		bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash_position != (text[i] == '-'))
			return false;
		if (!dash_position)
			hex[n++] = text[i];
	}
	hex[n] = '\0';
	tk_diag_clear(&diag);
	return tk_cli_hex_parse(hex, out, UUID_LEN, &len, &diag) == TK_OK && len == UUID_LEN;
}

/*
 * Check that id is one strictly encoded SUIT_Component_Identifier,
 * `[* bstr]` (draft-ietf-suit-manifest-37 section 8.4.5.1). An empty
 * array is rejected as well: it names no component.
 */
static tk_err check_component_id(const uint8_t *id, size_t len, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	size_t index = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, id, len, TK_CBOR_STRICT, diag);
	if (err != TK_OK)
		return err;
	if (tk_cbor_peek(&dec) != TK_CBOR_ARRAY)
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "not a CBOR array");
	err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count == 0)
		return TK_FAIL(diag, TK_ERR_SCHEMA_LENGTH, "empty array names no component");
	while (err == TK_OK && tk_cbor_more(&dec)) {
		struct tk_span element;

		if (tk_cbor_peek(&dec) != TK_CBOR_BSTR)
			return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE,
				       "element %zu is not a byte string", index);
		err = tk_cbor_get_bstr(&dec, &element);
		index++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

/*
 * Whether uri starts with http:// or https:// and names more than the
 * scheme, the URIs an agent fetches with HTTP, and fits the SUIT limit.
 */
static bool is_fetchable_uri(const char *uri)
{
	size_t scheme_len;

	if (strncmp(uri, "http://", 7) == 0)
		scheme_len = 7;
	else if (strncmp(uri, "https://", 8) == 0)
		scheme_len = 8;
	else
		return false;
	return uri[scheme_len] != '\0' && strlen(uri) <= TK_SUIT_MAX_URI_LEN;
}

/* Parse and check the options; returns 0 or the misuse exit code. */
static int parse_request(const struct tk_cli_command *cmd, const struct tk_cli_args *args,
			 struct manifest_request *req)
{
	const char *id_hex = tk_cli_get(cmd, args, "component-id");
	const char *seq = tk_cli_get(cmd, args, "seq");
	const char *vendor = tk_cli_get(cmd, args, "vendor-id");
	const char *class = tk_cli_get(cmd, args, "class-id");
	const char *uri = tk_cli_get(cmd, args, "uri");
	struct tk_diag diag;

	memset(req, 0, sizeof(*req));
	tk_diag_clear(&diag);
	if (tk_cli_hex_parse(id_hex, req->component_id, sizeof(req->component_id),
			     &req->component_id_len, &diag) != TK_OK ||
	    check_component_id(req->component_id, req->component_id_len, &diag) != TK_OK)
		return tk_cli_misuse(cmd, "invalid --component-id %s: %s", id_hex, diag.msg);
	if (!parse_u64(seq, &req->sequence_number))
		return tk_cli_misuse(cmd, "invalid --seq %s (expected an unsigned 64-bit "
				     "decimal integer)", seq);
	if (vendor != NULL) {
		if (!parse_uuid(vendor, req->vendor_id))
			return tk_cli_misuse(cmd, "invalid --vendor-id %s (expected a UUID "
					     "such as c0ddd5f1-5243-5660-87db-4f5b0aa26c2f)",
					     vendor);
		req->has_vendor_id = true;
	}
	if (class != NULL) {
		if (!parse_uuid(class, req->class_id))
			return tk_cli_misuse(cmd, "invalid --class-id %s (expected a UUID "
					     "such as db42f709-3d8c-55ba-a8c5-265fc5820f4e)",
					     class);
		req->has_class_id = true;
	}
	if (uri != NULL && !is_fetchable_uri(uri))
		return tk_cli_misuse(cmd, "invalid --uri %s (expected an http:// or https:// URI "
				     "of at most %d bytes, such as https://tam.example/ta.bin)",
				     uri, TK_SUIT_MAX_URI_LEN);
	return 0;
}

/* Build the signed envelope into a buffer the caller frees. */
static tk_err build_envelope(const struct manifest_request *req, const char *uri,
			     const struct tk_crypto_key *signer, const uint8_t *image,
			     size_t image_len, uint8_t **out, size_t *out_len,
			     struct tk_diag *diag)
{
	struct tk_suit_build_params params;
	uint8_t *buf = NULL;
	size_t needed = 0;
	tk_err err;

	*out = NULL;
	*out_len = 0;
	memset(&params, 0, sizeof(params));
	params.component_id = tk_span_make(req->component_id, req->component_id_len);
	params.manifest_component_id = params.component_id;
	params.sequence_number = req->sequence_number;
	params.vendor_id = req->has_vendor_id ? req->vendor_id : NULL;
	params.class_id = req->has_class_id ? req->class_id : NULL;
	params.image = tk_span_make(image, image_len);
	params.uri = uri;
	params.integrated_name = uri == NULL ? INTEGRATED_NAME : NULL;
	params.signer = signer;
	params.crypto = tk_crypto_openssl();

	err = tk_suit_build_envelope(&params, NULL, 0, &needed, diag);
	if (err != TK_OK)
		return err;
	buf = malloc(needed);
	if (buf == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "envelope of %zu bytes", needed);
	err = tk_suit_build_envelope(&params, buf, needed, out_len, diag);
	if (err != TK_OK) {
		free(buf);
		return err;
	}
	*out = buf;
	return TK_OK;
}

/* Read a PEM private key. Caller owns *out, release with tk_crypto_key_free(). */
static tk_err load_signer(const char *path, struct tk_crypto_key **out, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err;

	*out = NULL;
	err = tk_cli_read_file(path, &pem, &pem_len, diag);
	if (err != TK_OK)
		return err;
	err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	tk_cli_free_file(pem, pem_len);
	if (err == TK_OK && !tk_crypto_key_has_private(*out)) {
		tk_crypto_key_free(*out);
		*out = NULL;
		err = TK_FAIL(diag, TK_ERR_KEY, "a public key cannot sign; pass the private key");
	}
	return err;
}

static void print_result(const struct manifest_request *req, const uint8_t *image,
			 size_t image_len, struct tk_diag *diag, tk_err *err)
{
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	char digest_hex[2 * TK_CRYPTO_SHA256_LEN + 1];
	char id_hex[2 * TK_SUIT_MAX_ID_LEN + 1];
	char id_diag[ID_DIAG_MAX];
	size_t id_diag_len = 0;

	*err = tk_crypto_sha256(tk_crypto_openssl(), image, image_len, digest, diag);
	if (*err == TK_OK)
		*err = tk_cbor_to_diag(req->component_id, req->component_id_len,
				       TK_CBOR_STRICT, false, NULL, id_diag, sizeof(id_diag),
				       &id_diag_len, diag);
	if (*err != TK_OK)
		return;
	tk_cli_hex_format(req->component_id, req->component_id_len, id_hex, sizeof(id_hex));
	tk_cli_hex_format(digest, sizeof(digest), digest_hex, sizeof(digest_hex));
	printf("manifest-component-id: %s\n", id_hex);
	printf("manifest-component-id-diag: %s\n", id_diag);
	printf("sequence-number: %llu\n", (unsigned long long)req->sequence_number);
	printf("image-digest: sha-256:%s\n", digest_hex);
}

int tk_cli_manifest(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	const char *key_path = tk_cli_get(cmd, args, "key");
	const char *out_path = tk_cli_get(cmd, args, "out");
	const char *uri = tk_cli_get(cmd, args, "uri");
	struct manifest_request req;
	struct tk_crypto_key *signer = NULL;
	uint8_t *image = NULL;
	size_t image_len = 0;
	uint8_t *envelope = NULL;
	size_t envelope_len = 0;
	const char *failed = key_path;
	struct tk_diag diag;
	tk_err err;
	int rc;

	rc = parse_request(cmd, args, &req);
	if (rc != 0)
		return rc;

	tk_diag_clear(&diag);
	err = load_signer(key_path, &signer, &diag);
	if (err == TK_OK) {
		failed = args->operand;
		err = tk_cli_read_file(args->operand, &image, &image_len, &diag);
	}
	if (err == TK_OK)
		err = build_envelope(&req, uri, signer, image, image_len, &envelope,
				     &envelope_len, &diag);
	if (err == TK_OK) {
		failed = out_path;
		err = tk_cli_write_file(out_path, envelope, envelope_len, 0644,
					TK_CLI_WRITE_REPLACE, &diag);
	}
	if (err == TK_OK)
		print_result(&req, image, image_len, &diag, &err);

	free(envelope);
	tk_cli_free_file(image, image_len);
	tk_crypto_key_free(signer);
	if (err != TK_OK)
		return tk_cli_fail(cmd, failed, &diag);
	return TK_CLI_EXIT_OK;
}
