/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `teep inspect`: recognise a TEEP message, SUIT envelope, COSE object or
 * EAT, validate it with the decoder of its layer, and print it in
 * diagnostic notation with labels named.
 *
 * Recognition goes by the outer tag when there is one, else by shape:
 *
 *   tag 107, or a map with bstr keys 2 and 3     SUIT envelope
 *   tag 18, or [bstr, map, bstr/nil, bstr]       COSE_Sign1 (COSE_Mac0 when
 *                                                the alg is a MAC algorithm)
 *   tag 17                                       COSE_Mac0
 *   tag 97, or [bstr, map, bstr/nil, bstr, array] COSE_Mac
 *   tag 98, or [bstr, map, bstr/nil, array]      COSE_Sign (COSE_Encrypt
 *                                                when the body has an alg
 *                                                or an IV)
 *   tag 96                                       COSE_Encrypt
 *   tag 16, or [bstr, map, bstr/nil]             COSE_Encrypt0
 *   tag 61 (CWT)                                 the COSE object inside
 *   [uint, ...]                                  TEEP message
 *   any other map                                EAT claims set
 *
 * A COSE_Sign1 or COSE_Sign whose payload is a TEEP message is validated as
 * that message too. A COSE_Sign1 whose payload is a map is an EAT.
 *
 * Without --key nothing is verified: signatures are shown, not checked, and
 * a SUIT manifest is printed but not decoded, because the SUIT layer decodes
 * a manifest only after authenticating it. With --key PUB.pem, a
 * COSE_Sign1, a COSE_Sign or a SUIT envelope must verify with that key
 * before anything it signs is decoded.
 *
 * On success the program prints a comment line naming what it found, then
 * the diagnostic notation, and exits 0. When the input is invalid it prints
 * one line, `teep: inspect: FILE: <field>: <reason> at byte offset N`, on
 * stderr and exits 1; nothing goes to stdout.
 */
#include "tk_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"
#include "suit/tk_suit_report.h"
#include "suit/tk_suit.h"
#include "teep/tk_teep_msg.h"

#include "cmd_inspect_impl.h"

/* Maximum bytes of a PEM header line quoted in the error for a PEM input. */
#define PEM_HEADER_QUOTE_MAX 64

/* Detail of a failed validation, for the error line. */
struct failure {
	struct tk_diag diag;
	size_t base;               /* offset of the validated item in the input */
};

/* Input of one validation. */
struct subject {
	const uint8_t *buf;
	size_t len;
	const struct shape *shape;
	enum kind kind;
	const struct tk_crypto_key *key; /* verify with it; NULL: decode only */
};

static const char *teep_type_name(enum tk_teep_type type)
{
	switch (type) {
	case TK_TEEP_TYPE_QUERY_REQUEST: return "QueryRequest";
	case TK_TEEP_TYPE_QUERY_RESPONSE: return "QueryResponse";
	case TK_TEEP_TYPE_UPDATE: return "Update";
	case TK_TEEP_TYPE_SUCCESS: return "Success";
	case TK_TEEP_TYPE_ERROR: return "Error";
	default: return "message";
	}
}

static const char *kind_name(enum kind kind)
{
	switch (kind) {
	case KIND_TEEP: return "TEEP message";
	case KIND_SUIT: return "SUIT envelope";
	case KIND_COSE_SIGN1: return "COSE_Sign1";
	case KIND_COSE_SIGN: return "COSE_Sign";
	case KIND_COSE_MAC0: return "COSE_Mac0";
	case KIND_COSE_MAC: return "COSE_Mac";
	case KIND_COSE_ENCRYPT0: return "COSE_Encrypt0";
	case KIND_COSE_ENCRYPT: return "COSE_Encrypt";
	case KIND_EAT_CLAIMS: return "EAT claims set";
	case KIND_SUIT_REPORT: return "SUIT report";
	default: return "unknown";
	}
}

/* Name the field of a message that names none: "CBOR: <message>". */
static void prefix_field(struct tk_diag *diag, const char *field)
{
	char msg[TK_DIAG_MSG_MAX + 32];
	size_t len;

	snprintf(msg, sizeof(msg), "%s: %s", field, diag->msg);
	len = strnlen(msg, sizeof(diag->msg) - 1);
	memcpy(diag->msg, msg, len);
	diag->msg[len] = '\0';
}

/* Decode a TEEP message at buf[0..len), base bytes into the input. */
static tk_err validate_teep(const uint8_t *buf, size_t len, size_t base,
			    char *description, size_t description_cap, struct failure *f)
{
	struct tk_teep_msg msg;
	tk_err err;

	f->base = base;
	err = tk_teep_decode(buf, len, &msg, &f->diag);
	if (err == TK_OK)
		snprintf(description, description_cap, "TEEP %s", teep_type_name(msg.type));
	return err;
}

/* A SUIT_Report, checked by the decoder the TAM uses. */
static tk_err validate_suit_report(const uint8_t *buf, size_t len, size_t base,
				   struct failure *f)
{
	struct tk_suit_report *report = malloc(sizeof(*report));
	tk_err err;

	f->base = base;
	if (report == NULL)
		return TK_FAIL(&f->diag, TK_ERR_NOMEM, "SUIT report");
	err = tk_suit_report_decode(buf, len, report, &f->diag);
	free(report);
	return err;
}

static tk_err validate_eat(const uint8_t *buf, size_t len, size_t base, struct failure *f)
{
	struct tk_eat_claims *claims = malloc(sizeof(*claims));
	tk_err err;

	f->base = base;
	if (claims == NULL)
		return TK_FAIL(&f->diag, TK_ERR_NOMEM, "EAT claims");
	err = tk_eat_decode_claims(buf, len, claims, &f->diag);
	free(claims);
	return err;
}

/* Offset of the COSE object inside a CWT tag (61), or 0 when untagged. */
static size_t skip_cwt_tag(const uint8_t *buf, size_t len)
{
	struct tk_cbor_dec dec;
	bool found = false;

	if (tk_cbor_dec_init(&dec, buf, len, TK_CBOR_ALLOW_ALL, NULL) != TK_OK ||
	    tk_cbor_skip_tag(&dec, TK_EAT_TAG_CWT, &found) != TK_OK || !found)
		return 0;
	return tk_cbor_offset(&dec);
}

/* Verify a COSE_Sign1 or COSE_Sign with one key; *payload is what it signs. */
static tk_err verify_signed(const uint8_t *msg, size_t len, enum kind kind,
			    const struct tk_crypto_key *key, struct tk_span *payload,
			    struct tk_diag *diag)
{
	struct tk_cose_trusted_key trusted = {key, TK_SPAN_EMPTY};
	struct tk_cose_verify_opts opts;
	struct tk_cose_verified verified;
	tk_err err;

	memset(&opts, 0, sizeof(opts));
	opts.tag_mode = TK_COSE_TAG_OPTIONAL;
	opts.keys = &trusted;
	opts.n_keys = 1;
	if (kind == KIND_COSE_SIGN1)
		err = tk_cose_sign1_verify(tk_crypto_openssl(), msg, len, &opts, &verified, diag);
	else
		err = tk_cose_sign_verify(tk_crypto_openssl(), msg, len, &opts, &verified, diag);
	*payload = err == TK_OK ? verified.payload : TK_SPAN_EMPTY;
	return err;
}

/*
 * Decode a COSE_Sign1 or COSE_Sign with the COSE layer, verifying it first
 * when a key is given, then its payload when that is a TEEP message or (for
 * COSE_Sign1) an EAT claims set.
 */
static tk_err validate_signed(const struct subject *in, char *description,
			      size_t description_cap, struct failure *f)
{
	size_t start = skip_cwt_tag(in->buf, in->len);
	const uint8_t *buf = in->buf;
	enum kind kind = in->kind;
	struct tk_cose_headers body;
	struct tk_cose_headers signer;
	struct tk_span payload = TK_SPAN_EMPTY;
	const char *verified = in->key != NULL ? ", signature verified" : "";
	char inner[32]; /* "TEEP QueryResponse" at most, so the description fits */
	size_t base;
	tk_err err;

	f->base = start;
	if (in->key != NULL)
		err = verify_signed(buf + start, in->len - start, kind, in->key, &payload,
				    &f->diag);
	else
		err = tk_cose_peek(buf + start, in->len - start, &body, &signer, &payload,
				   &f->diag);
	snprintf(description, description_cap, "%s%s", kind_name(kind), verified);
	if (err != TK_OK)
		prefix_field(&f->diag, kind_name(kind));
	if (err != TK_OK || payload.len == 0)
		return err;

	base = (size_t)(payload.ptr - buf);
	switch (tk_cli_classify_payload(payload.ptr, payload.len)) {
	case TK_CLI_SCHEMA_TEEP:
		err = validate_teep(payload.ptr, payload.len, base, inner, sizeof(inner), f);
		if (err == TK_OK)
			snprintf(description, description_cap, "%s carrying a %s%s", kind_name(kind), inner,
				 verified);
		return err;
	case TK_CLI_SCHEMA_EAT:
		if (kind != KIND_COSE_SIGN1)
			return TK_OK;
		err = validate_eat(payload.ptr, payload.len, base, f);
		if (err == TK_OK)
			snprintf(description, description_cap, "EAT in a %s%s", kind_name(kind), verified);
		return err;
	case TK_CLI_SCHEMA_SUIT_REPORT:
		err = validate_suit_report(payload.ptr, payload.len, base, f);
		if (err == TK_OK)
			snprintf(description, description_cap, "SUIT report in a %s%s",
				 kind_name(kind), verified);
		return err;
	default:
		return TK_OK;
	}
}

/*
 * The COSE layer decodes COSE_Mac0, COSE_Encrypt0 and COSE_Encrypt only
 * together with their key, and COSE_Mac not at all, so inspect checks their
 * structure here against RFC 9052 sections 5 and 6:
 *   Headers = (protected: bstr .cbor header_map / bstr .size 0,
 *              unprotected: header_map)
 *   COSE_Mac0 = [Headers, payload: bstr / nil, tag: bstr]
 *   COSE_Mac = [Headers, payload: bstr / nil, tag: bstr, recipients: [+COSE_recipient]]
 *   COSE_Encrypt0 = [Headers, ciphertext: bstr / nil]
 *   COSE_Encrypt = [Headers, ciphertext: bstr / nil, recipients: [+COSE_recipient]]
 *   COSE_recipient = [Headers, ciphertext: bstr / nil, ? recipients: [+COSE_recipient]]
 * NOTE: algorithms and header values are not checked, only the structure.
 */
static tk_err check_headers(struct tk_cbor_dec *dec)
{
	struct tk_span prot;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_BSTR)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "protected: not a byte string");
	err = tk_cbor_get_bstr(dec, &prot);
	if (err == TK_OK && prot.len > 0 &&
	    ((prot.ptr[0] >> 5) != TK_CBOR_MAP ||
	     tk_cbor_check(prot.ptr, prot.len, TK_CBOR_STRICT, NULL) != TK_OK))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"protected: not an encoded header map");
	if (err == TK_OK && tk_cbor_peek(dec) != TK_CBOR_MAP)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "unprotected: not a map");
	return err == TK_OK ? tk_cbor_skip(dec) : err;
}

static tk_err check_bstr_or_nil(struct tk_cbor_dec *dec, const char *field)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);

	if (type != TK_CBOR_BSTR && type != TK_CBOR_NULL)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "%s: not a byte string or nil",
					field);
	return tk_cbor_skip(dec);
}

static tk_err enter_cose_array(struct tk_cbor_dec *dec, const char *name, uint64_t min,
			       uint64_t max)
{
	uint64_t count = 0;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "%s: not an array", name);
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && (count < min || count > max) && min == max)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					"%s: %llu elements, expected %llu", name,
					(unsigned long long)count, (unsigned long long)min);
	if (err == TK_OK && (count < min || count > max))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					"%s: %llu elements, expected %llu to %llu", name,
					(unsigned long long)count, (unsigned long long)min,
					(unsigned long long)max);
	return err;
}

static tk_err check_recipients(struct tk_cbor_dec *dec)
{
	uint64_t count = 0;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "recipients: not an array");
	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count == 0)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "recipients: empty array");
	while (err == TK_OK && tk_cbor_more(dec)) {
		err = enter_cose_array(dec, "COSE_recipient", 3, 4);
		if (err == TK_OK)
			err = check_headers(dec);
		if (err == TK_OK)
			err = check_bstr_or_nil(dec, "ciphertext");
		/* The decoder's depth limit bounds this recursion. */
		if (err == TK_OK && tk_cbor_more(dec))
			err = check_recipients(dec);
		if (err == TK_OK)
			err = tk_cbor_leave(dec);
	}
	return err == TK_OK ? tk_cbor_leave(dec) : err;
}

static tk_err validate_cose_structure(const uint8_t *buf, size_t len, enum kind kind,
				      struct failure *f)
{
	struct tk_cbor_dec dec;
	size_t start = skip_cwt_tag(buf, len);
	bool mac = kind == KIND_COSE_MAC0 || kind == KIND_COSE_MAC;
	uint64_t tag = kind == KIND_COSE_MAC0 ? TK_COSE_TAG_MAC0
		       : kind == KIND_COSE_MAC ? COSE_TAG_MAC
		       : kind == KIND_COSE_ENCRYPT0 ? COSE_TAG_ENCRYPT0 : COSE_TAG_ENCRYPT;
	uint64_t elements = 4;
	bool tagged = false;
	tk_err err;

	if (kind == KIND_COSE_ENCRYPT0)
		elements = 3;
	else if (kind == KIND_COSE_MAC)
		elements = 5;
	f->base = start;
	err = tk_cbor_dec_init(&dec, buf + start, len - start, TK_CBOR_ALLOW_ALL, &f->diag);
	if (err == TK_OK)
		err = tk_cbor_skip_tag(&dec, tag, &tagged);
	if (err == TK_OK)
		err = enter_cose_array(&dec, kind_name(kind), elements, elements);
	if (err == TK_OK)
		err = check_headers(&dec);
	if (err == TK_OK)
		err = check_bstr_or_nil(&dec, mac ? "payload" : "ciphertext");
	if (err == TK_OK && mac && tk_cbor_peek(&dec) != TK_CBOR_BSTR)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE, "tag: not a byte string");
	else if (err == TK_OK && mac)
		err = tk_cbor_skip(&dec);
	if (err == TK_OK && (kind == KIND_COSE_ENCRYPT || kind == KIND_COSE_MAC))
		err = check_recipients(&dec);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

/*
 * Decode a SUIT envelope. With a key, authenticate it, which is when the
 * SUIT layer decodes the manifest for processing. Without one, let the SUIT
 * layer check the wrapper, the digest and the manifest with no signature
 * verified.
 */
static tk_err validate_suit(const struct subject *in, char *description,
			    size_t description_cap, struct failure *f)
{
	struct tk_suit_envelope *env = malloc(sizeof(*env));
	struct tk_suit_manifest *manifest = malloc(sizeof(*manifest));
	tk_err err = TK_ERR_NOMEM;

	if (env == NULL || manifest == NULL) {
		err = TK_FAIL(&f->diag, TK_ERR_NOMEM, "SUIT envelope");
		goto done;
	}
	err = tk_suit_decode_envelope(in->buf, in->len, env, &f->diag);
	if (err == TK_OK && in->key != NULL)
		err = tk_suit_authenticate(env, tk_crypto_openssl(), &in->key, 1, manifest,
					   &f->diag);
	else if (err == TK_OK)
		err = tk_suit_check_envelope_unauthenticated(env, tk_crypto_openssl(), &f->diag);
	if (err == TK_OK && in->key != NULL)
		snprintf(description, description_cap,
			 "SUIT envelope, authenticated, sequence number %llu",
			 (unsigned long long)manifest->sequence_number);
	else if (err == TK_OK)
		snprintf(description, description_cap,
			 "SUIT envelope (signature not checked: use --key)");
done:
	free(manifest);
	free(env);
	return err;
}

/* Validate the input as in->kind; *what receives a description on success. */
static tk_err validate(const struct subject *in, char *description,
		       size_t description_cap, struct failure *f)
{
	const uint8_t *buf = in->buf;
	size_t len = in->len;
	enum kind kind = in->kind;
	const struct shape *shape = in->shape;

	snprintf(description, description_cap, "%s", kind_name(kind));
	f->base = 0;
	if (in->key != NULL && kind != KIND_SUIT && kind != KIND_COSE_SIGN1 &&
	    kind != KIND_COSE_SIGN && kind != KIND_UNKNOWN)
		return TK_FAIL_AT(&f->diag, TK_ERR_ARG, 0,
				  "--key: a %s carries no signature to verify", kind_name(kind));
	switch (kind) {
	case KIND_TEEP:
		return validate_teep(buf, len, 0, description, description_cap, f);
	case KIND_SUIT:
		return validate_suit(in, description, description_cap, f);
	case KIND_COSE_SIGN1:
	case KIND_COSE_SIGN:
		return validate_signed(in, description, description_cap, f);
	case KIND_COSE_MAC0:
	case KIND_COSE_MAC:
	case KIND_COSE_ENCRYPT0:
	case KIND_COSE_ENCRYPT:
		return validate_cose_structure(buf, len, kind, f);
	case KIND_EAT_CLAIMS:
		return validate_eat(buf, len, 0, f);
	case KIND_SUIT_REPORT:
		return validate_suit_report(buf, len, 0, f);
	default:
		if (shape->tag_count > 0)
			return TK_FAIL_AT(&f->diag, TK_ERR_SCHEMA_TAG, 0,
					  "tag %llu: not a SUIT, COSE or CWT tag",
					  (unsigned long long)shape->tags[0]);
		return TK_FAIL_AT(&f->diag, TK_ERR_SCHEMA_UNKNOWN, 0,
				  "input: not a TEEP message, SUIT envelope, COSE object or "
				  "EAT claims set");
	}
}

static enum tk_cli_schema kind_schema(enum kind kind)
{
	switch (kind) {
	case KIND_TEEP: return TK_CLI_SCHEMA_TEEP;
	case KIND_SUIT: return TK_CLI_SCHEMA_SUIT;
	case KIND_EAT_CLAIMS: return TK_CLI_SCHEMA_EAT;
	case KIND_SUIT_REPORT: return TK_CLI_SCHEMA_SUIT_REPORT;
	default: return TK_CLI_SCHEMA_COSE;
	}
}

/* Read the public key of --key. Caller owns *out, release with tk_crypto_key_free(). */
static tk_err load_key(const char *path, struct tk_crypto_key **out, struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err;

	*out = NULL;
	err = tk_cli_read_file(path, &pem, &pem_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	tk_cli_free_file(pem, pem_len);
	return err;
}

/*
 * Fail with TK_ERR_ARG when buf starts, after optional whitespace, with a
 * PEM header line such as "-----BEGIN PUBLIC KEY-----" (RFC 7468). Both
 * binary CBOR and annotated hex would misread it, so the error names the
 * header instead.
 */
static tk_err reject_pem(const uint8_t *buf, size_t len, struct tk_diag *diag)
{
	static const char begin[] = "-----BEGIN";
	size_t start = 0;
	size_t end;

	while (start < len && (buf[start] == ' ' || buf[start] == '\t' || buf[start] == '\r' ||
			       buf[start] == '\n'))
		start++;
	if (len - start < sizeof(begin) - 1 || memcmp(buf + start, begin, sizeof(begin) - 1) != 0)
		return TK_OK;

	/* Quote the header line, at most PEM_HEADER_QUOTE_MAX bytes of it. */
	end = start;
	while (end < len && end - start < PEM_HEADER_QUOTE_MAX && buf[end] != '\n' &&
	       buf[end] != '\r' && buf[end] >= 0x20 && buf[end] < 0x7f)
		end++;
	return TK_FAIL(diag, TK_ERR_ARG,
		       "input: the file is PEM (%.*s), not CBOR (inspect reads binary CBOR, "
		       "or annotated hex with --hex)",
		       (int)(end - start), (const char *)buf + start);
}

/* Read the input named by the operand, decoding hex when asked. */
static tk_err load_input(const char *path, bool hex, uint8_t **buf, size_t *len,
			 struct tk_diag *diag)
{
	size_t decoded = 0;
	tk_err err = tk_cli_read_file(path, buf, len, diag);

	if (err != TK_OK)
		return err;
	err = reject_pem(*buf, *len, diag);
	if (err == TK_OK && hex) {
		/* Decoding in place: the bytes never overtake the digits. */
		err = tk_cli_hex_decode((const char *)*buf, *len, *buf, *len, &decoded, diag);
		if (err == TK_ERR_ARG)
			prefix_field(diag, "hex");
	}
	if (err != TK_OK) {
		tk_cli_free_file(*buf, *len);
		*buf = NULL;
		*len = 0;
		return err;
	}
	if (hex)
		*len = decoded;
	return TK_OK;
}

/* Count a failure's offset in the whole input and make sure it names a field. */
static void finish_failure(struct failure *f, const char *description)
{
	if (f->diag.offset == TK_DIAG_NO_OFFSET)
		f->diag.offset = f->base;
	else
		f->diag.offset += f->base;
	if (f->diag.msg[0] == '\0')
		snprintf(f->diag.msg, sizeof(f->diag.msg), "%s", description);
}

tk_err tk_cli_inspect_buffer(const uint8_t *buf, size_t len,
			     const struct tk_crypto_key *key,
			     struct tk_cli_inspection *out)
{
	struct failure f;
	struct shape shape;
	struct subject subject;
	enum kind kind;
	tk_err err;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	tk_diag_clear(&f.diag);
	snprintf(out->description, sizeof(out->description), "CBOR");

	/* Check well-formedness first, so every layer below gets one whole item. */
	err = tk_cbor_check(buf, len, TK_CBOR_ALLOW_ALL, &f.diag);
	if (err != TK_OK) {
		prefix_field(&f.diag, "CBOR");
		finish_failure(&f, out->description);
		out->diag = f.diag;
		return err;
	}
	tk_cli_inspect_read_shape(buf, len, &shape);
	kind = tk_cli_inspect_classify(&shape);
	subject = (struct subject){buf, len, &shape, kind, key};
	err = validate(&subject, out->description, sizeof(out->description), &f);
	if (err != TK_OK) {
		finish_failure(&f, out->description);
		out->diag = f.diag;
		return err;
	}

	err = tk_cli_render_diag(buf, len, kind_schema(kind), &out->text, &f.diag);
	out->diag = f.diag;
	return err;
}

int tk_cli_inspect(const struct tk_cli_command *cmd, const struct tk_cli_args *args)
{
	const char *name = strcmp(args->operand, "-") == 0 ? "stdin" : args->operand;
	const char *key_path = tk_cli_get(cmd, args, "key");
	struct tk_crypto_key *key = NULL;
	struct tk_cli_inspection result;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if (key_path != NULL && load_key(key_path, &key, &diag) != TK_OK)
		return tk_cli_fail(cmd, key_path, &diag);
	err = load_input(args->operand, tk_cli_has(cmd, args, "hex"), &buf, &len, &diag);
	if (err != TK_OK) {
		tk_crypto_key_free(key);
		return tk_cli_fail(cmd, name, &diag);
	}

	err = tk_cli_inspect_buffer(buf, len, key, &result);
	if (err != TK_OK) {
		rc = tk_cli_fail(cmd, name, &result.diag);
	} else {
		printf("/ %s /\n%s\n", result.description, result.text.buf);
		rc = TK_CLI_EXIT_OK;
	}
	tk_cli_text_free(&result.text);
	tk_cli_free_file(buf, len);
	tk_crypto_key_free(key);
	return rc;
}
