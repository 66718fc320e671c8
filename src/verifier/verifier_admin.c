/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The administration commands of teep-verifier. Each prints its result as
 * `name: value` lines on stdout, which scripts parse:
 *
 *   add-ca          ek-ca: sha-256:<hex of the certificate's DER>
 *   enroll-key      kid: <hex>  ueid: <hex>
 *   add-reference   reference-values: <count added or already present>
 *                   skipped: <count with a digest other than SHA-256>
 *   pubkey          the SPKI PEM, then kid: <hex>
 *   show-results    see show_row()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cose/tk_cose.h"
#include "eat/tk_eat.h"
#include "eat/tk_eat_corim.h"
#include "verifier.h"

/* Most reference values read from one CoRIM (TK_ERR_LIMIT_COUNT beyond). */
#define MAX_CORIM_REFVALS 256

/* Largest SPKI PEM printed by pubkey. */
#define PUBKEY_PEM_MAX 512

/* Value of one base64 character, -1 for others. */
static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * The DER inside a PEM "CERTIFICATE" block (RFC 7468), or the input as it
 * is when it is DER already (starts with a SEQUENCE). Decodes in place.
 */
static tk_err certificate_der(uint8_t *buf, size_t len, struct tk_span *der,
			      struct tk_diag *diag)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	const char *text = (const char *)buf;
	const char *start, *stop;
	uint32_t bits = 0;
	size_t n = 0;
	int nbits = 0;

	if (len > 0 && buf[0] == 0x30) {
		*der = tk_span_make(buf, len);
		return TK_OK;
	}
	buf[len] = '\0'; /* ver_read_file leaves room for it */
	start = strstr(text, begin);
	stop = start != NULL ? strstr(start, end) : NULL;
	if (start == NULL || stop == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "neither DER nor a PEM CERTIFICATE block");
	for (const char *p = start + sizeof(begin) - 1; p < stop; p++) {
		int v = base64_value(*p);

		if (*p == '=' || *p == '\r' || *p == '\n' || *p == ' ')
			continue;
		if (v < 0)
			return TK_FAIL(diag, TK_ERR_ARG, "invalid base64 character in the PEM");
		bits = bits << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			buf[n++] = (uint8_t)(bits >> nbits);
		}
	}
	if (n == 0 || buf[0] != 0x30)
		return TK_FAIL(diag, TK_ERR_ARG, "the PEM block holds no DER certificate");
	*der = tk_span_make(buf, n);
	return TK_OK;
}

int ver_add_ca(const struct ver_command *cmd, const struct ver_args *args)
{
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_span der = TK_SPAN_EMPTY;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	err = ver_read_file(args->operand, &buf, &len, &diag);
	if (err == TK_OK)
		err = certificate_der(buf, len, &der, &diag);
	if (err == TK_OK)
		err = tk_crypto_sha256(tk_crypto_openssl(), der.ptr, der.len, digest, &diag);
	if (err != TK_OK) {
		ver_free_file(buf, len);
		return ver_fail("cannot read the certificate", args->operand, &diag);
	}
	rc = ver_open_db(ver_get(cmd, args, "db"), true, &db, &ops);
	if (rc == VER_EXIT_OK &&
	    tk_verifier_sqlite_ek_ca_add(db, der, (int64_t)time(NULL), &diag) != TK_OK)
		rc = ver_fail("cannot add the EK CA", args->operand, &diag);
	tk_verifier_sqlite_close(db);
	ver_free_file(buf, len);
	if (rc != VER_EXIT_OK)
		return rc;
	printf("ek-ca: sha-256:");
	ver_hex_print(stdout, tk_span_make(digest, sizeof(digest)));
	printf("\n");
	return VER_EXIT_OK;
}

int ver_enroll_key(const struct ver_command *cmd, const struct ver_args *args)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	struct tk_verifier_attest_key rec;
	struct tk_crypto_key *key = NULL;
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	memset(&rec, 0, sizeof(rec));
	if (ver_hex_parse(ver_get(cmd, args, "ueid"), rec.ueid, sizeof(rec.ueid), &rec.ueid_len,
			  &diag) != TK_OK || rec.ueid_len < TK_EAT_UEID_MIN)
		return ver_misuse(cmd, "--ueid %s is not hex of %d..%d bytes",
				  ver_get(cmd, args, "ueid"), TK_EAT_UEID_MIN, TK_EAT_UEID_MAX);
	err = ver_read_key(args->operand, false, &key, &diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(c, key, rec.kid, &diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(key, TK_SPAN_EMPTY, tk_cose_alg_for_key(key),
						rec.cose_key, sizeof(rec.cose_key),
						&rec.cose_key_len, &diag);
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return ver_fail("cannot read the attestation key", args->operand, &diag);

	rc = ver_open_db(ver_get(cmd, args, "db"), true, &db, &ops);
	if (rc == VER_EXIT_OK &&
	    tk_verifier_sqlite_key_add(db, &rec, (int64_t)time(NULL), &diag) != TK_OK)
		rc = ver_fail("cannot enroll the attestation key", args->operand, &diag);
	tk_verifier_sqlite_close(db);
	if (rc != VER_EXIT_OK)
		return rc;
	printf("kid: ");
	ver_hex_print(stdout, tk_span_make(rec.kid, sizeof(rec.kid)));
	printf("\nueid: ");
	ver_hex_print(stdout, tk_span_make(rec.ueid, rec.ueid_len));
	printf("\n");
	return VER_EXIT_OK;
}

/* Copy a text span into a NUL-terminated field; false when it does not fit. */
static bool copy_name(char *out, size_t cap, struct tk_span text)
{
	if (text.len >= cap || memchr(text.ptr, '\0', text.len) != NULL)
		return false;
	if (text.len > 0)
		memcpy(out, text.ptr, text.len);
	out[text.len] = '\0';
	return true;
}

/*
 * Convert one CoRIM reference value to a store record. Vendor and model
 * name the environment, and the component is the measurement key (mkey)
 * when the value has one, else the class id's bytes. Only SHA-256 digests
 * are taken, so *usable is false for the others.
 */
static tk_err refval_from_corim(const struct tk_eat_corim_refval *in,
				struct tk_verifier_refval *out, bool *usable,
				struct tk_diag *diag)
{
	struct tk_span component = in->mkey.len > 0 ? in->mkey : in->class_id;
	bool sha256 = in->hash_alg_is_text
			      ? tk_span_equal(in->hash_alg_name, tk_span_make("sha-256", 7))
			      : in->hash_alg == TK_CORIM_HASH_SHA256;

	memset(out, 0, sizeof(*out));
	*usable = sha256 && in->digest.len == TK_CRYPTO_SHA256_LEN;
	if (!*usable)
		return TK_OK;
	if (component.len == 0 || component.len > sizeof(out->component))
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "a reference value has neither a "
			       "measurement key nor a class id of at most %zu bytes",
			       sizeof(out->component));
	if (!copy_name(out->vendor, sizeof(out->vendor), in->vendor) ||
	    !copy_name(out->class_name, sizeof(out->class_name), in->model))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "vendor or model longer than %d bytes",
			       TK_VERIFIER_NAME_MAX - 1);
	memcpy(out->component, component.ptr, component.len);
	out->component_len = component.len;
	out->digest_alg = TK_EAT_DIGEST_SHA256;
	memcpy(out->digest, in->digest.ptr, in->digest.len);
	out->digest_len = in->digest.len;
	return TK_OK;
}

/* Add every SHA-256 reference value of a CoRIM file. */
static int add_corim(struct tk_verifier_sqlite *db, const char *path)
{
	struct tk_eat_corim_refval *refvals = calloc(MAX_CORIM_REFVALS, sizeof(*refvals));
	size_t count = 0, added = 0, skipped = 0;
	struct tk_verifier_refval rv;
	char source[96];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	err = refvals != NULL ? ver_read_file(path, &buf, &len, &diag)
			      : TK_FAIL(&diag, TK_ERR_NOMEM, "reference values");
	if (err == TK_OK)
		err = tk_eat_corim_refvals(buf, len, refvals, MAX_CORIM_REFVALS, &count, &diag);
	snprintf(source, sizeof(source), "corim:%.80s", path);
	for (size_t i = 0; i < count && err == TK_OK; i++) {
		bool usable = false;

		err = refval_from_corim(&refvals[i], &rv, &usable, &diag);
		if (err == TK_OK && usable)
			err = tk_verifier_sqlite_refval_add(db, &rv, source, (int64_t)time(NULL),
							    &diag);
		added += err == TK_OK && usable;
		skipped += err == TK_OK && !usable;
	}
	ver_free_file(buf, len);
	free(refvals);
	if (err != TK_OK)
		return ver_fail("cannot add the CoRIM's reference values", path, &diag);
	printf("reference-values: %zu\nskipped: %zu\n", added, skipped);
	return VER_EXIT_OK;
}

/* Add the one reference value given by --component and --digest. */
static int add_component(const struct ver_command *cmd, const struct ver_args *args,
			 struct tk_verifier_sqlite *db)
{
	const char *vendor = ver_get(cmd, args, "vendor");
	const char *class_name = ver_get(cmd, args, "class");
	struct tk_verifier_refval rv;
	struct tk_diag diag;

	tk_diag_clear(&diag);
	memset(&rv, 0, sizeof(rv));
	if (ver_hex_parse(ver_get(cmd, args, "component"), rv.component, sizeof(rv.component),
			  &rv.component_len, &diag) != TK_OK)
		return ver_misuse(cmd, "--component: %s", diag.msg);
	if (ver_hex_parse(ver_get(cmd, args, "digest"), rv.digest, sizeof(rv.digest),
			  &rv.digest_len, &diag) != TK_OK || rv.digest_len != TK_CRYPTO_SHA256_LEN)
		return ver_misuse(cmd, "--digest must be the hex of a SHA-256 digest (32 bytes)");
	if (!copy_name(rv.vendor, sizeof(rv.vendor), tk_span_make(vendor != NULL ? vendor : "",
								vendor != NULL ? strlen(vendor) : 0)) ||
	    !copy_name(rv.class_name, sizeof(rv.class_name),
		       tk_span_make(class_name != NULL ? class_name : "",
				    class_name != NULL ? strlen(class_name) : 0)))
		return ver_misuse(cmd, "--vendor and --class take at most %d bytes",
				  TK_VERIFIER_NAME_MAX - 1);
	rv.digest_alg = TK_EAT_DIGEST_SHA256;
	if (tk_verifier_sqlite_refval_add(db, &rv, "command line", (int64_t)time(NULL),
					  &diag) != TK_OK)
		return ver_fail("cannot add the reference value", ver_get(cmd, args, "component"),
				&diag);
	printf("reference-values: 1\nskipped: 0\n");
	return VER_EXIT_OK;
}

int ver_add_reference(const struct ver_command *cmd, const struct ver_args *args)
{
	const char *corim = ver_get(cmd, args, "corim");
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	int rc;

	if (corim != NULL && (ver_get(cmd, args, "digest") != NULL ||
			      ver_get(cmd, args, "vendor") != NULL ||
			      ver_get(cmd, args, "class") != NULL))
		return ver_misuse(cmd, "--digest, --vendor and --class go with --component, "
				  "not --corim");
	if (corim == NULL && ver_get(cmd, args, "digest") == NULL)
		return ver_misuse(cmd, "--component needs --digest");
	rc = ver_open_db(ver_get(cmd, args, "db"), true, &db, &ops);
	if (rc == VER_EXIT_OK)
		rc = corim != NULL ? add_corim(db, corim) : add_component(cmd, args, db);
	tk_verifier_sqlite_close(db);
	return rc;
}

int ver_pubkey(const struct ver_command *cmd, const struct ver_args *args)
{
	struct tk_crypto_key *key = NULL;
	uint8_t kid[TK_VERIFIER_KID_LEN];
	uint8_t pem[PUBKEY_PEM_MAX];
	size_t pem_len = 0;
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	err = ver_read_key(ver_get(cmd, args, "key"), true, &key, &diag);
	if (err == TK_OK && tk_crypto_key_type(key) != TK_CRYPTO_KEY_P256)
		err = TK_FAIL(&diag, TK_ERR_KEY, "the verifier signs with ESP256: give a P-256 "
			      "key");
	if (err == TK_OK)
		err = tk_crypto_key_export_pem(key, false, pem, sizeof(pem), &pem_len, &diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, kid, &diag);
	tk_crypto_key_free(key);
	if (err != TK_OK)
		return ver_fail("cannot read the verifier key", ver_get(cmd, args, "key"), &diag);
	fwrite(pem, 1, pem_len, stdout);
	printf("kid: ");
	ver_hex_print(stdout, tk_span_make(kid, sizeof(kid)));
	printf("\n");
	return VER_EXIT_OK;
}
