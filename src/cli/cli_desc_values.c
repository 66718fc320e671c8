/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader of the JSON manifest description (docs/manifest-format.md) for
 * `teep manifest build`. It turns the document into a struct
 * tk_suit_build_desc: names of commands, parameters, sections and text keys
 * are looked up in the SUIT layer's name tables, so the JSON uses the
 * registered names that `teep inspect` prints. Payload files named by the
 * description are read here, and their digests and sizes computed, because
 * the SUIT layer does no I/O.
 *
 * Every allocation goes into one list in struct tk_cli_desc and is freed
 * with it. Text views point into the parsed JSON document, which lives as
 * long as the description. Unknown members are rejected, so a misspelt
 * name fails instead of being left out of a signed manifest.
 */
#include "cli_desc_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"
#include "tk_cli.h"

/* Room for a JSON member path in messages, such as "install[3].fetch". */
#define WHERE_MAX TK_CLI_DESC_WHERE_MAX

/* Highest command number looked up by name (directive-unlink is 33). */
#define COMMAND_NUMBER_MAX 40

/* Highest parameter and text key looked up by name. */
#define KEY_NUMBER_MAX 40

/* SUIT command numbers whose argument is not a reporting policy. */
#define CMD_SET_COMPONENT_INDEX 12
#define CMD_TRY_EACH 15
#define CMD_SET_PARAMETERS 19
#define CMD_OVERRIDE_PARAMETERS 20
#define CMD_RUN_SEQUENCE 32

/* Parameters whose value has a form of its own. */
#define PARAM_VENDOR_ID 1
#define PARAM_CLASS_ID 2
#define PARAM_IMAGE_DIGEST 3
#define PARAM_STRICT_ORDER 12
#define PARAM_SOFT_FAILURE 13
#define PARAM_IMAGE_SIZE 14
#define PARAM_ENCRYPTION_INFO 19
#define PARAM_URI 21
#define PARAM_DEVICE_ID 24

/* Bits of SUIT_Rep_Policy (draft-ietf-suit-manifest-37 section 8.4.7). */
static const struct {
	const char *name;
	uint64_t bit;
} policy_bits[] = {
	{"send-record-on-success", 1},
	{"send-record-on-failure", 2},
	{"send-sysinfo-success", 4},
	{"send-sysinfo-failure", 8},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

tk_err tk_cli_desc_fail(struct tk_diag *diag, const char *where, const char *fmt, ...)
{
	char msg[TK_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return TK_FAIL(diag, TK_ERR_ARG, "%s: %s", where, msg);
}

void tk_cli_desc_where(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(out, cap, fmt, ap) < 0 && cap > 0)
		out[0] = '\0';
	va_end(ap);
}

/* Allocate `bytes` zeroed bytes owned by d, counted as `nodes` nodes. */
static void *alloc_block(struct tk_cli_desc *d, size_t bytes, size_t nodes,
			 struct tk_diag *diag)
{
	void *p;

	if (nodes > TK_CLI_DESC_MAX_NODES - d->nodes) {
		d->alloc_err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "description has more than %d nodes",
				       TK_CLI_DESC_MAX_NODES);
		return NULL;
	}
	if (d->block_count == d->block_cap) {
		size_t cap = d->block_cap == 0 ? 32 : 2 * d->block_cap;
		void **blocks = realloc(d->blocks, cap * sizeof(*blocks));

		if (blocks == NULL) {
			d->alloc_err = TK_FAIL(diag, TK_ERR_NOMEM,
					       "cannot grow the description's block list");
			return NULL;
		}
		d->blocks = blocks;
		d->block_cap = cap;
	}
	p = calloc(1, bytes > 0 ? bytes : 1);
	if (p == NULL) {
		d->alloc_err = TK_FAIL(diag, TK_ERR_NOMEM,
				       "cannot allocate %zu bytes for the description", bytes);
		return NULL;
	}
	d->blocks[d->block_count++] = p;
	d->nodes += nodes;
	return p;
}

void *tk_cli_desc_alloc(struct tk_cli_desc *d, size_t n, size_t size, struct tk_diag *diag)
{
	if (size != 0 && n > SIZE_MAX / size) {
		d->alloc_err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu description nodes", n);
		return NULL;
	}
	return alloc_block(d, n * size, n, diag);
}

/* Keep a buffer of tk_cli_read_file() with the description's blocks. */
static tk_err keep_block(struct tk_cli_desc *d, void *buf, struct tk_diag *diag)
{
	void **slot = alloc_block(d, sizeof(void *), 1, diag);

	if (slot == NULL) {
		free(buf);
		return d->alloc_err;
	}
	/* Swap the fresh block for buf so the list frees buf. */
	free(d->blocks[d->block_count - 1]);
	d->blocks[d->block_count - 1] = buf;
	return TK_OK;
}

/* Room for a file path relative to the description's folder. */
#define PATH_MAX_LEN 4096

/* The path of a {"file": PATH}, relative to the description's folder. */
static tk_err resolve_path(const struct tk_cli_desc *d, const char *path, const char *where,
			   char full[PATH_MAX_LEN], struct tk_diag *diag)
{
	int n;

	if (d->dir == NULL)
		return tk_cli_desc_fail(diag, where, "file %s: this description may not name files",
					path);
	if (path[0] == '/')
		n = snprintf(full, PATH_MAX_LEN, "%s", path);
	else
		n = snprintf(full, PATH_MAX_LEN, "%s/%s", d->dir, path);
	if (n < 0 || (size_t)n >= PATH_MAX_LEN)
		return tk_cli_desc_fail(diag, where, "path %s is too long", path);
	return TK_OK;
}

/*
 * Read a file whole: its bytes go into the envelope (integrated payload,
 * plaintext to encrypt) or into a value, so TK_CLI_MAX_FILE_SIZE bounds it.
 */
static tk_err read_relative(struct tk_cli_desc *d, const char *path, const char *where,
			    struct tk_span *out, struct tk_diag *diag)
{
	char full[PATH_MAX_LEN];
	struct tk_diag inner;
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err = resolve_path(d, path, where, full, diag);

	if (err != TK_OK)
		return err;
	tk_diag_clear(&inner);
	err = tk_cli_read_file(full, &buf, &len, &inner);
	if (err == TK_ERR_LIMIT_SIZE)
		return TK_FAIL(diag, err, "%s: %s: %s, the limit of a file whose bytes are "
			       "embedded; a payload fetched by URI has no limit", where, full,
			       inner.msg);
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s: %s: %s", where, full, inner.msg);
	err = keep_block(d, buf, diag);
	if (err == TK_OK)
		*out = tk_span_make(buf, len);
	return err;
}

static tk_err parse_hex(struct tk_cli_desc *d, const char *hex, const char *where,
			struct tk_span *out, struct tk_diag *diag)
{
	size_t cap = strlen(hex) / 2, len = 0;
	uint8_t *buf = alloc_block(d, cap, 1, diag);
	struct tk_diag inner;

	if (buf == NULL)
		return d->alloc_err;
	tk_diag_clear(&inner);
	if (tk_cli_hex_parse(hex, buf, cap, &len, &inner) != TK_OK)
		return tk_cli_desc_fail(diag, where, "invalid hex string \"%.32s\"", hex);
	*out = tk_span_make(buf, len);
	return TK_OK;
}

/* Find an integrated member by name for {"integrated": NAME} values. */
static bool find_integrated(const struct tk_cli_desc *d, const char *name, struct tk_span *out)
{
	for (size_t i = 0; i < d->desc.integrated_count; i++) {
		struct tk_span n = d->desc.integrated[i].name;

		if (n.len == strlen(name) && memcmp(n.ptr, name, n.len) == 0) {
			*out = d->desc.integrated[i].bytes;
			return true;
		}
	}
	return false;
}

/*
 * Bytes: "hex", {"hex": "..."}, {"text": "..."} (UTF-8 bytes),
 * {"file": PATH}, {"integrated": NAME} or {"ciphertext": NAME}.
 */
tk_err tk_cli_desc_bytes(struct tk_cli_desc *d, json_t *v, const char *where,
			  struct tk_span *out, struct tk_diag *diag)
{
	const char *key;
	json_t *value;

	if (json_is_string(v))
		return parse_hex(d, json_string_value(v), where, out, diag);
	if (!json_is_object(v) || json_object_size(v) != 1)
		return tk_cli_desc_fail(diag, where, "expected a hex string or an object with one of "
			    "hex, text, file, integrated, ciphertext");
	json_object_foreach(v, key, value) {
		if (!json_is_string(value))
			return tk_cli_desc_fail(diag, where, "%s takes a string", key);
		if (strcmp(key, "hex") == 0)
			return parse_hex(d, json_string_value(value), where, out, diag);
		if (strcmp(key, "text") == 0) {
			*out = tk_span_make(json_string_value(value), json_string_length(value));
			return TK_OK;
		}
		if (strcmp(key, "file") == 0)
			return read_relative(d, json_string_value(value), where, out, diag);
		if (strcmp(key, "integrated") == 0) {
			if (!find_integrated(d, json_string_value(value), out))
				return tk_cli_desc_fail(diag, where, "no integrated payload %s",
					    json_string_value(value));
			return TK_OK;
		}
		if (strcmp(key, "ciphertext") == 0) {
			const struct tk_cli_desc_encrypted *e =
				tk_cli_desc_find_encrypted(d, json_string_value(value));

			if (e == NULL)
				return tk_cli_desc_fail(diag, where, "no encrypted payload %s",
							json_string_value(value));
			*out = e->ciphertext;
			return TK_OK;
		}
	}
	return tk_cli_desc_fail(diag, where, "unknown bytes form %s", key);
}

/* A SUIT_Component_Identifier: a JSON array of bytes, encoded. */
tk_err tk_cli_desc_component_id(struct tk_cli_desc *d, json_t *v, const char *where,
				 struct tk_span *out, struct tk_diag *diag)
{
	struct tk_span parts[TK_SUIT_MAX_ID_LEN];
	size_t n = json_array_size(v), len = 0;
	struct tk_cbor_enc enc;
	uint8_t *buf;
	tk_err err;

	if (!json_is_array(v) || n == 0)
		return tk_cli_desc_fail(diag, where, "a component id is a non-empty array of byte strings");
	if (n > COUNT(parts))
		return tk_cli_desc_fail(diag, where, "component id of %zu elements", n);
	for (size_t i = 0; i < n; i++) {
		err = tk_cli_desc_bytes(d, json_array_get(v, i), where, &parts[i], diag);
		if (err != TK_OK)
			return err;
	}
	buf = alloc_block(d, TK_SUIT_MAX_ID_LEN, 1, diag);
	if (buf == NULL)
		return d->alloc_err;
	tk_cbor_enc_init(&enc, buf, TK_SUIT_MAX_ID_LEN, diag);
	tk_cbor_put_array(&enc, n);
	for (size_t i = 0; i < n; i++)
		tk_cbor_put_bstr(&enc, parts[i].ptr, parts[i].len);
	if (tk_cbor_enc_finish(&enc, &len) != TK_OK)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "%s: component id longer than %d bytes",
			       where, TK_SUIT_MAX_ID_LEN);
	*out = tk_span_make(buf, len);
	return TK_OK;
}

/* Whether `name` is `full` or `full` without its "condition-",
 * "directive-" or "parameter-" prefix. */
static bool name_matches(const char *name, const char *full)
{
	const char *dash;

	if (full == NULL)
		return false;
	if (strcmp(name, full) == 0)
		return true;
	dash = strchr(full, '-');
	return dash != NULL &&
	       (strncmp(full, "condition-", 10) == 0 || strncmp(full, "directive-", 10) == 0) &&
	       strcmp(name, dash + 1) == 0;
}

/* A decimal integer key such as "-3" or "42" for unregistered labels. */
static bool parse_number_key(const char *name, int64_t *out)
{
	char *end = NULL;
	long long value;

	if (name[0] == '\0' || (name[0] != '-' && (name[0] < '0' || name[0] > '9')))
		return false;
	value = strtoll(name, &end, 10);
	if (*end != '\0')
		return false;
	*out = value;
	return true;
}

static tk_err parse_policy(json_t *v, const char *where, uint64_t *out, struct tk_diag *diag)
{
	size_t i;
	json_t *item;

	*out = 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return TK_OK;
	}
	if (!json_is_array(v))
		return tk_cli_desc_fail(diag, where, "a reporting policy is an unsigned integer or an array "
			    "of send-record-on-success, send-record-on-failure, "
			    "send-sysinfo-success, send-sysinfo-failure");
	json_array_foreach(v, i, item) {
		size_t b = 0;

		while (b < COUNT(policy_bits) &&
		       !(json_is_string(item) && strcmp(json_string_value(item),
							policy_bits[b].name) == 0))
			b++;
		if (b == COUNT(policy_bits))
			return tk_cli_desc_fail(diag, where, "unknown reporting policy bit at index %zu", i);
		*out |= policy_bits[b].bit;
	}
	return TK_OK;
}

static tk_err parse_uint(json_t *v, const char *where, uint64_t *out, struct tk_diag *diag)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return tk_cli_desc_fail(diag, where, "expected an unsigned integer");
	*out = (uint64_t)json_integer_value(v);
	return TK_OK;
}

/* RFC 9562 text form: 8-4-4-4-12 hex digits. */
static tk_err parse_uuid_or_bytes(struct tk_cli_desc *d, json_t *v, const char *where,
				  struct tk_span *out, struct tk_diag *diag)
{
	char hex[33];
	const char *s;
	size_t n = 0;

	if (!json_is_string(v) || json_string_length(v) != 36)
		return tk_cli_desc_bytes(d, v, where, out, diag);
	s = json_string_value(v);
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash != (s[i] == '-'))
			return tk_cli_desc_fail(diag, where, "invalid UUID %s", s);
		if (!dash)
			hex[n++] = s[i];
	}
	hex[n] = '\0';
	return parse_hex(d, hex, where, out, diag);
}

static tk_err digest_of(struct tk_cli_desc *d, struct tk_span data,
			struct tk_suit_build_value *out, struct tk_diag *diag)
{
	uint8_t *digest = alloc_block(d, TK_CRYPTO_SHA256_LEN, 1, diag);
	tk_err err;

	if (digest == NULL)
		return d->alloc_err;
	err = tk_crypto_sha256(tk_crypto_openssl(), data.ptr, data.len, digest, diag);
	if (err != TK_OK)
		return err;
	out->kind = TK_SUIT_VALUE_DIGEST;
	out->sint = TK_SUIT_ALG_SHA256;
	out->bytes = tk_span_make(digest, TK_CRYPTO_SHA256_LEN);
	return TK_OK;
}

/*
 * The digest of a dependency: SHA-256 over the manifest of its envelope,
 * encoded as a byte string, which is the digest its authentication wrapper
 * carries (draft-ietf-suit-trust-domains-11 section 5.2.2).
 */
static tk_err dependency_digest(struct tk_cli_desc *d, json_t *v, const char *where,
				struct tk_suit_build_value *out, struct tk_diag *diag)
{
	struct tk_suit_envelope env;
	struct tk_diag inner;
	struct tk_span data;
	tk_err err = tk_cli_desc_bytes(d, v, where, &data, diag);

	if (err != TK_OK)
		return err;
	tk_diag_clear(&inner);
	if (tk_suit_decode_envelope(data.ptr, data.len, &env, &inner) != TK_OK)
		return tk_cli_desc_fail(diag, where, "dependency is not a SUIT envelope: %s",
					inner.msg);
	return digest_of(d, env.manifest_bstr, out, diag);
}

/* {"file": PATH}: a file described by digest and size, never embedded. */
static bool is_file(json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 1 &&
	       json_is_string(json_object_get(v, "file"));
}

/*
 * Digest (into out) and size of a {"file": PATH}, hashed in bounded reads,
 * so a payload fetched by URI may be of any size.
 */
static tk_err hash_file(struct tk_cli_desc *d, json_t *v, const char *where,
			struct tk_suit_build_value *out, uint64_t *size, struct tk_diag *diag)
{
	const char *path = json_string_value(json_object_get(v, "file"));
	uint8_t *digest = alloc_block(d, TK_CRYPTO_SHA256_LEN, 1, diag);
	char full[PATH_MAX_LEN];
	struct tk_diag inner;
	tk_err err;

	if (digest == NULL)
		return d->alloc_err;
	err = resolve_path(d, path, where, full, diag);
	if (err != TK_OK)
		return err;
	tk_diag_clear(&inner);
	err = tk_cli_hash_file(full, digest, size, &inner);
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s: %s: %s", where, full, inner.msg);
	out->kind = TK_SUIT_VALUE_DIGEST;
	out->sint = TK_SUIT_ALG_SHA256;
	out->bytes = tk_span_make(digest, TK_CRYPTO_SHA256_LEN);
	return TK_OK;
}

/*
 * image-digest: {"algorithm-id": "sha256" or -16, "digest-bytes": HEX},
 * {"file": PATH} / {"integrated": NAME} for SHA-256 over those bytes, or
 * {"dependency": BYTES} for the manifest digest of a dependency envelope.
 */
static tk_err parse_digest(struct tk_cli_desc *d, json_t *v, const char *where,
			   struct tk_suit_build_value *out, struct tk_diag *diag)
{
	json_t *alg = json_object_get(v, "algorithm-id");
	json_t *bytes = json_object_get(v, "digest-bytes");
	json_t *dependency = json_object_get(v, "dependency");
	struct tk_span data;
	uint64_t size;
	tk_err err;

	if (dependency != NULL && json_object_size(v) == 1)
		return dependency_digest(d, dependency, where, out, diag);
	if (is_file(v))
		return hash_file(d, v, where, out, &size, diag);
	if (json_is_object(v) && alg == NULL && bytes == NULL) {
		err = tk_cli_desc_bytes(d, v, where, &data, diag);
		return err == TK_OK ? digest_of(d, data, out, diag) : err;
	}
	if (alg == NULL || bytes == NULL || json_object_size(v) != 2)
		return tk_cli_desc_fail(diag, where, "a digest has algorithm-id and digest-bytes, or one of "
			    "file, integrated, dependency");
	out->kind = TK_SUIT_VALUE_DIGEST;
	if (json_is_string(alg) && strcmp(json_string_value(alg), "sha256") == 0)
		out->sint = TK_SUIT_ALG_SHA256;
	else if (json_is_integer(alg))
		out->sint = json_integer_value(alg);
	else
		return tk_cli_desc_fail(diag, where, "algorithm-id is \"sha256\" or a COSE algorithm number");
	return tk_cli_desc_bytes(d, bytes, where, &out->bytes, diag);
}

/* image-size: an unsigned integer, or the size of {"file"} / {"integrated"}. */
static tk_err parse_size(struct tk_cli_desc *d, json_t *v, const char *where,
			 struct tk_suit_build_value *out, struct tk_diag *diag)
{
	struct tk_span data;
	tk_err err;

	out->kind = TK_SUIT_VALUE_UINT;
	if (!json_is_object(v))
		return parse_uint(v, where, &out->uint, diag);
	if (is_file(v)) {
		struct tk_suit_build_value digest;

		return hash_file(d, v, where, &digest, &out->uint, diag);
	}
	err = tk_cli_desc_bytes(d, v, where, &data, diag);
	out->uint = data.len;
	return err;
}

static tk_err parse_raw_cbor(struct tk_cli_desc *d, json_t *v, const char *where,
			     struct tk_span *out, struct tk_diag *diag)
{
	tk_err err = parse_hex(d, json_string_value(v), where, out, diag);
	struct tk_diag inner;

	tk_diag_clear(&inner);
	if (err == TK_OK && tk_cbor_check(out->ptr, out->len, TK_CBOR_STRICT, &inner) != TK_OK)
		return tk_cli_desc_fail(diag, where, "cbor is not one strictly encoded CBOR item: %s",
			    inner.msg);
	return err;
}

/* encryption-info: {"encryption-info": NAME} of an encrypted payload. */
static tk_err parse_encryption_info(struct tk_cli_desc *d, json_t *v, const char *where,
				    struct tk_suit_build_value *out, struct tk_diag *diag)
{
	json_t *name = json_object_get(v, "encryption-info");
	const struct tk_cli_desc_encrypted *e;

	if (!json_is_string(name) || json_object_size(v) != 1)
		return tk_cli_desc_fail(diag, where, "encryption-info takes {\"encryption-info\": "
					"NAME} or {\"cbor\": HEX}");
	e = tk_cli_desc_find_encrypted(d, json_string_value(name));
	if (e == NULL)
		return tk_cli_desc_fail(diag, where, "no encrypted payload %s",
					json_string_value(name));
	out->kind = TK_SUIT_VALUE_WRAPPED;
	out->bytes = e->info;
	return TK_OK;
}

static tk_err parse_param_value(struct tk_cli_desc *d, int64_t key, json_t *v,
				const char *where, struct tk_suit_build_value *out,
				struct tk_diag *diag)
{
	json_t *cbor = json_object_get(v, "cbor");

	/* {"cbor": HEX}: an encoded item, wrapped for encryption-info. */
	if (json_is_string(cbor) && json_object_size(v) == 1) {
		out->kind = key == PARAM_ENCRYPTION_INFO ? TK_SUIT_VALUE_WRAPPED
							 : TK_SUIT_VALUE_RAW;
		return parse_raw_cbor(d, cbor, where, &out->bytes, diag);
	}
	switch (key) {
	case PARAM_VENDOR_ID:
	case PARAM_CLASS_ID:
	case PARAM_DEVICE_ID:
		out->kind = TK_SUIT_VALUE_BSTR;
		return parse_uuid_or_bytes(d, v, where, &out->bytes, diag);
	case PARAM_IMAGE_DIGEST:
		return parse_digest(d, v, where, out, diag);
	case PARAM_IMAGE_SIZE:
		return parse_size(d, v, where, out, diag);
	case PARAM_STRICT_ORDER:
	case PARAM_SOFT_FAILURE:
		if (!json_is_boolean(v))
			return tk_cli_desc_fail(diag, where, "expected true or false");
		out->kind = TK_SUIT_VALUE_BOOL;
		out->boolean = json_is_true(v);
		return TK_OK;
	case PARAM_URI:
		if (!json_is_string(v))
			return tk_cli_desc_fail(diag, where, "expected a URI string");
		out->kind = TK_SUIT_VALUE_TSTR;
		out->bytes = tk_span_make(json_string_value(v), json_string_length(v));
		return TK_OK;
	case PARAM_ENCRYPTION_INFO:
		return parse_encryption_info(d, v, where, out, diag);
	default:
		break;
	}
	if (json_is_integer(v)) {
		out->kind = json_integer_value(v) < 0 ? TK_SUIT_VALUE_INT : TK_SUIT_VALUE_UINT;
		out->sint = json_integer_value(v);
		out->uint = (uint64_t)json_integer_value(v);
		return TK_OK;
	}
	if (json_is_boolean(v)) {
		out->kind = TK_SUIT_VALUE_BOOL;
		out->boolean = json_is_true(v);
		return TK_OK;
	}
	out->kind = TK_SUIT_VALUE_BSTR;
	return tk_cli_desc_bytes(d, v, where, &out->bytes, diag);
}

static bool lookup_parameter(const char *name, int64_t *key)
{
	for (int64_t k = 0; k <= KEY_NUMBER_MAX; k++) {
		const char *full = tk_suit_parameter_name(k);

		if (full != NULL && strcmp(name, full) == 0) {
			*key = k;
			return true;
		}
	}
	return parse_number_key(name, key);
}

static tk_err parse_params(struct tk_cli_desc *d, json_t *v, const char *where,
			   struct tk_suit_build_command *cmd, struct tk_diag *diag)
{
	struct tk_suit_build_param *params;
	char inner[WHERE_MAX];
	const char *name;
	json_t *value;
	size_t i = 0;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return tk_cli_desc_fail(diag, where, "parameters are a non-empty object");
	params = tk_cli_desc_alloc(d, json_object_size(v), sizeof(*params), diag);
	if (params == NULL)
		return d->alloc_err;
	json_object_foreach(v, name, value) {
		tk_err err;

		tk_cli_desc_where(inner, sizeof(inner), "%s.%s", where, name);
		if (!lookup_parameter(name, &params[i].key))
			return tk_cli_desc_fail(diag, inner, "unknown parameter");
		err = parse_param_value(d, params[i].key, value, inner, &params[i].value, diag);
		if (err != TK_OK)
			return err;
		i++;
	}
	cmd->kind = TK_SUIT_ARG_PARAMS;
	cmd->params = params;
	cmd->param_count = i;
	return TK_OK;
}


static tk_err parse_index(struct tk_cli_desc *d, json_t *v, const char *where,
			  struct tk_suit_build_command *cmd, struct tk_diag *diag)
{
	uint64_t *indices;
	size_t n = json_array_size(v);

	if (json_is_true(v)) {
		cmd->kind = TK_SUIT_ARG_TRUE;
		return TK_OK;
	}
	if (!json_is_array(v)) {
		cmd->kind = TK_SUIT_ARG_UINT;
		return parse_uint(v, where, &cmd->uint, diag);
	}
	indices = tk_cli_desc_alloc(d, n, sizeof(*indices), diag);
	if (indices == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		tk_err err = parse_uint(json_array_get(v, i), where, &indices[i], diag);

		if (err != TK_OK)
			return err;
	}
	cmd->kind = TK_SUIT_ARG_INDICES;
	cmd->indices = indices;
	cmd->index_count = n;
	return TK_OK;
}

/* try-each: [SEQUENCE, SEQUENCE, ..., null?]; run-sequence: SEQUENCE. */
static tk_err parse_nested(struct tk_cli_desc *d, json_t *v, const char *where,
			   unsigned depth, struct tk_suit_build_command *cmd,
			   struct tk_diag *diag)
{
	struct tk_suit_build_sequence *seqs;
	size_t n = json_array_size(v);
	char inner[WHERE_MAX];

	if (depth >= TK_SUIT_MAX_NESTING)
		return TK_FAIL(diag, TK_ERR_LIMIT_DEPTH, "%s: sequences nested deeper than %d",
			       where, TK_SUIT_MAX_NESTING);
	if (cmd->command == CMD_RUN_SEQUENCE) {
		seqs = tk_cli_desc_alloc(d, 1, sizeof(*seqs), diag);
		cmd->kind = TK_SUIT_ARG_SEQUENCE;
		cmd->sequences = seqs;
		cmd->sequence_count = 1;
		return seqs == NULL ? d->alloc_err
				    : tk_cli_desc_sequence(d, v, where, depth + 1, seqs, diag);
	}
	if (!json_is_array(v))
		return tk_cli_desc_fail(diag, where, "try-each takes an array of command sequences");
	if (n > 0 && json_is_null(json_array_get(v, n - 1))) {
		cmd->try_each_nil = true;
		n--;
	}
	seqs = tk_cli_desc_alloc(d, n, sizeof(*seqs), diag);
	if (seqs == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		tk_err err;

		tk_cli_desc_where(inner, sizeof(inner), "%s[%zu]", where, i);
		err = tk_cli_desc_sequence(d, json_array_get(v, i), inner, depth + 1, &seqs[i], diag);
		if (err != TK_OK)
			return err;
	}
	cmd->kind = TK_SUIT_ARG_TRY_EACH;
	cmd->sequences = seqs;
	cmd->sequence_count = n;
	return TK_OK;
}

static bool lookup_command(const char *name, int64_t *number)
{
	for (int64_t c = 0; c <= COMMAND_NUMBER_MAX; c++) {
		if (name_matches(name, tk_suit_command_name(c))) {
			*number = c;
			return true;
		}
	}
	return parse_number_key(name, number);
}

/* One command: an object with one member, the command name. */
static tk_err parse_command(struct tk_cli_desc *d, json_t *v, const char *where,
			    unsigned depth, struct tk_suit_build_command *cmd,
			    struct tk_diag *diag)
{
	char inner[WHERE_MAX];
	const char *name = NULL;
	json_t *arg = NULL;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return tk_cli_desc_fail(diag, where, "a command is an object with one member, such as "
			    "{\"directive-fetch\": 15}");
	json_object_foreach(v, name, arg) {
		break;
	}
	tk_cli_desc_where(inner, sizeof(inner), "%s.%s", where, name);
	if (!lookup_command(name, &cmd->command))
		return tk_cli_desc_fail(diag, inner, "unknown command");
	switch (cmd->command) {
	case CMD_SET_COMPONENT_INDEX:
		return parse_index(d, arg, inner, cmd, diag);
	case CMD_SET_PARAMETERS:
	case CMD_OVERRIDE_PARAMETERS:
		return parse_params(d, arg, inner, cmd, diag);
	case CMD_TRY_EACH:
	case CMD_RUN_SEQUENCE:
		return parse_nested(d, arg, inner, depth, cmd, diag);
	default:
		cmd->kind = TK_SUIT_ARG_UINT;
		return parse_policy(arg, inner, &cmd->uint, diag);
	}
}

tk_err tk_cli_desc_sequence(struct tk_cli_desc *d, json_t *v, const char *where,
			     unsigned depth, struct tk_suit_build_sequence *out,
			     struct tk_diag *diag)
{
	struct tk_suit_build_command *cmds;
	size_t n = json_array_size(v);
	char inner[WHERE_MAX];

	if (!json_is_array(v) || n == 0)
		return tk_cli_desc_fail(diag, where, "a command sequence is a non-empty array of commands");
	cmds = tk_cli_desc_alloc(d, n, sizeof(*cmds), diag);
	if (cmds == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		tk_err err;

		tk_cli_desc_where(inner, sizeof(inner), "%s[%zu]", where, i);
		err = parse_command(d, json_array_get(v, i), inner, depth, &cmds[i], diag);
		if (err != TK_OK)
			return err;
	}
	out->commands = cmds;
	out->count = n;
	return TK_OK;
}

