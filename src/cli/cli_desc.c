/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Top level of the JSON manifest description (docs/manifest-format.md):
 * the manifest's members, components, dependencies, sections, severed
 * members, text, integrated payloads and per-signer settings. Values,
 * commands and sequences are read by cli_desc_values.c.
 *
 * Encrypted payloads (cli_desc_encrypt.c) and then integrated payloads are
 * read first, so values elsewhere in the document can name them
 * ({"ciphertext": NAME}, {"integrated": "#tc"}).
 */
#include "cli_desc_impl.h"

#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "suit/tk_suit.h"

/* Top-level members that are not sections. Members starting with "$" are
 * comments and ignored. */
static const char *const plain_members[] = {
	"manifest-version", "manifest-sequence-number", "reference-uri",
	"manifest-component-id", "components", "dependencies", "shared-sequence",
	"severed", "text", "integrated", "signers", "tagged", "encrypted",
};

/* Section keys a description may name, with their registered names. */
static const int64_t section_keys[] = {7, 8, 9, 15, 16, 18, 20, 24};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Text members of SUIT_Text_LMap and SUIT_Text_Component_Keys go up to 6. */
#define TEXT_KEY_MAX 16

static bool section_by_name(const char *name, int64_t *key)
{
	for (size_t i = 0; i < COUNT(section_keys); i++) {
		if (strcmp(name, tk_suit_section_name((enum tk_suit_section)section_keys[i])) ==
		    0) {
			*key = section_keys[i];
			return true;
		}
	}
	return false;
}

static tk_err check_members(json_t *root, struct tk_diag *diag)
{
	const char *name;
	json_t *value;
	int64_t key;

	json_object_foreach(root, name, value) {
		bool known = name[0] == '$' || section_by_name(name, &key);

		for (size_t i = 0; !known && i < COUNT(plain_members); i++)
			known = strcmp(name, plain_members[i]) == 0;
		if (!known)
			return tk_cli_desc_fail(diag, name, "unknown member");
	}
	return TK_OK;
}

static tk_err get_uint(json_t *root, const char *name, bool required, uint64_t *out,
		       struct tk_diag *diag)
{
	json_t *v = json_object_get(root, name);

	if (v == NULL && !required)
		return TK_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return tk_cli_desc_fail(diag, name, "expected an unsigned integer");
	*out = (uint64_t)json_integer_value(v);
	return TK_OK;
}

/* "integrated": {"#name": BYTES, ...} */
static tk_err parse_integrated(struct tk_cli_desc *d, json_t *v, struct tk_diag *diag)
{
	struct tk_suit_build_integrated *items;
	char where[TK_CLI_DESC_WHERE_MAX];
	const char *name;
	json_t *value;
	size_t i = 0;

	if (v == NULL)
		return TK_OK;
	if (!json_is_object(v))
		return tk_cli_desc_fail(diag, "integrated", "expected an object of name: bytes");
	items = tk_cli_desc_alloc(d, json_object_size(v), sizeof(*items), diag);
	if (items == NULL)
		return d->alloc_err;
	d->desc.integrated = items;
	json_object_foreach(v, name, value) {
		tk_err err;

		tk_cli_desc_where(where, sizeof(where), "integrated.%s", name);
		items[i].name = tk_span_make(name, strlen(name));
		err = tk_cli_desc_bytes(d, value, where, &items[i].bytes, diag);
		if (err != TK_OK)
			return err;
		d->desc.integrated_count = ++i;
	}
	return TK_OK;
}

static tk_err parse_components(struct tk_cli_desc *d, json_t *root, struct tk_diag *diag)
{
	json_t *v = json_object_get(root, "components");
	char where[TK_CLI_DESC_WHERE_MAX];
	struct tk_span *ids;
	size_t n = json_array_size(v);

	if (!json_is_array(v) || n == 0)
		return tk_cli_desc_fail(diag, "components", "expected a non-empty array of "
					"component ids");
	ids = tk_cli_desc_alloc(d, n, sizeof(*ids), diag);
	if (ids == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		tk_err err;

		tk_cli_desc_where(where, sizeof(where), "components[%zu]", i);
		err = tk_cli_desc_component_id(d, json_array_get(v, i), where, &ids[i], diag);
		if (err != TK_OK)
			return err;
	}
	d->desc.components = ids;
	d->desc.component_count = n;
	return TK_OK;
}

/* "dependencies": [{"component-index": N, "dependency-prefix": ID?}] */
static tk_err parse_dependencies(struct tk_cli_desc *d, json_t *v, struct tk_diag *diag)
{
	struct tk_suit_build_dependency *deps;
	char where[TK_CLI_DESC_WHERE_MAX];
	size_t n = json_array_size(v);

	if (v == NULL)
		return TK_OK;
	if (!json_is_array(v))
		return tk_cli_desc_fail(diag, "dependencies", "expected an array");
	deps = tk_cli_desc_alloc(d, n, sizeof(*deps), diag);
	if (deps == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		json_t *dep = json_array_get(v, i);
		json_t *index = json_object_get(dep, "component-index");
		json_t *prefix = json_object_get(dep, "dependency-prefix");

		tk_cli_desc_where(where, sizeof(where), "dependencies[%zu]", i);
		if (!json_is_integer(index) || json_integer_value(index) < 0 ||
		    json_object_size(dep) != 1 + (prefix != NULL))
			return tk_cli_desc_fail(diag, where, "expected component-index and an "
						"optional dependency-prefix");
		deps[i].index = (uint64_t)json_integer_value(index);
		if (prefix != NULL) {
			tk_err err = tk_cli_desc_component_id(d, prefix, where, &deps[i].prefix,
							      diag);

			if (err != TK_OK)
				return err;
		}
	}
	d->desc.dependencies = deps;
	d->desc.dependency_count = n;
	return TK_OK;
}

static bool is_listed(json_t *list, const char *name)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item) {
		if (json_is_string(item) && strcmp(json_string_value(item), name) == 0)
			return true;
	}
	return false;
}

static tk_err check_severed_names(json_t *severed, struct tk_diag *diag)
{
	size_t i;
	json_t *item;
	int64_t key;

	if (severed != NULL && !json_is_array(severed))
		return tk_cli_desc_fail(diag, "severed", "expected an array of member names");
	json_array_foreach(severed, i, item) {
		if (!json_is_string(item) || (strcmp(json_string_value(item), "text") != 0 &&
					      !section_by_name(json_string_value(item), &key)))
			return tk_cli_desc_fail(diag, "severed", "entry %zu is not a section "
						"name or text", i);
	}
	return TK_OK;
}

static tk_err parse_sections(struct tk_cli_desc *d, json_t *root, struct tk_diag *diag)
{
	struct tk_suit_build_section *sections;
	json_t *severed = json_object_get(root, "severed");
	size_t n = 0;
	tk_err err;

	err = check_severed_names(severed, diag);
	if (err != TK_OK)
		return err;
	sections = tk_cli_desc_alloc(d, COUNT(section_keys), sizeof(*sections), diag);
	if (sections == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < COUNT(section_keys); i++) {
		const char *name = tk_suit_section_name((enum tk_suit_section)section_keys[i]);
		json_t *v = json_object_get(root, name);

		if (v == NULL)
			continue;
		sections[n].key = section_keys[i];
		sections[n].severed = is_listed(severed, name);
		err = tk_cli_desc_sequence(d, v, name, 0, &sections[n].sequence, diag);
		if (err != TK_OK)
			return err;
		n++;
	}
	d->desc.sections = sections;
	d->desc.section_count = n;
	d->desc.text_severed = is_listed(severed, "text");
	return TK_OK;
}

static bool text_key_by_name(const char *name, bool component, int64_t *key)
{
	for (int64_t k = 0; k <= TEXT_KEY_MAX; k++) {
		const char *full = tk_suit_text_key_name(k, component);

		if (full != NULL && strcmp(full, name) == 0) {
			*key = k;
			return true;
		}
	}
	return false;
}

/* Text fields of an object, skipping the members in `skip`. */
static tk_err parse_text_fields(struct tk_cli_desc *d, json_t *v, bool component,
				const char *where, const struct tk_suit_build_text_field **out,
				size_t *count, struct tk_diag *diag)
{
	struct tk_suit_build_text_field *fields;
	const char *name;
	json_t *value;
	size_t n = 0;

	fields = tk_cli_desc_alloc(d, json_object_size(v), sizeof(*fields), diag);
	if (fields == NULL)
		return d->alloc_err;
	json_object_foreach(v, name, value) {
		if (strcmp(name, component ? "component-id" : "components") == 0)
			continue;
		if (!text_key_by_name(name, component, &fields[n].key))
			return tk_cli_desc_fail(diag, where, "unknown text member %s", name);
		if (!json_is_string(value))
			return tk_cli_desc_fail(diag, where, "%s takes a string", name);
		fields[n].text = tk_span_make(json_string_value(value), json_string_length(value));
		n++;
	}
	*out = fields;
	*count = n;
	return TK_OK;
}

static tk_err parse_text_components(struct tk_cli_desc *d, json_t *v, const char *where,
				    struct tk_suit_build_text_lang *lang, struct tk_diag *diag)
{
	struct tk_suit_build_text_component *comps;
	char inner[TK_CLI_DESC_WHERE_MAX];
	size_t n = json_array_size(v);

	if (v == NULL)
		return TK_OK;
	if (!json_is_array(v))
		return tk_cli_desc_fail(diag, where, "components is an array");
	comps = tk_cli_desc_alloc(d, n, sizeof(*comps), diag);
	if (comps == NULL)
		return d->alloc_err;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(v, i);
		tk_err err;

		tk_cli_desc_where(inner, sizeof(inner), "%s.components[%zu]", where, i);
		if (!json_is_object(c))
			return tk_cli_desc_fail(diag, inner, "expected an object");
		err = tk_cli_desc_component_id(d, json_object_get(c, "component-id"), inner,
					       &comps[i].id, diag);
		if (err == TK_OK)
			err = parse_text_fields(d, c, true, inner, &comps[i].fields,
						&comps[i].field_count, diag);
		if (err != TK_OK)
			return err;
	}
	lang->components = comps;
	lang->component_count = n;
	return TK_OK;
}

/* "text": {"en-US": {"manifest-description": "...", "components": [...]}} */
static tk_err parse_text(struct tk_cli_desc *d, json_t *v, struct tk_diag *diag)
{
	struct tk_suit_build_text_lang *langs;
	char where[TK_CLI_DESC_WHERE_MAX];
	const char *tag;
	json_t *value;
	size_t n = 0;

	if (v == NULL)
		return TK_OK;
	if (!json_is_object(v))
		return tk_cli_desc_fail(diag, "text", "expected an object of language tags");
	langs = tk_cli_desc_alloc(d, json_object_size(v), sizeof(*langs), diag);
	if (langs == NULL)
		return d->alloc_err;
	json_object_foreach(v, tag, value) {
		tk_err err;

		tk_cli_desc_where(where, sizeof(where), "text.%s", tag);
		if (!json_is_object(value))
			return tk_cli_desc_fail(diag, where, "expected an object");
		langs[n].tag = tk_span_make(tag, strlen(tag));
		err = parse_text_fields(d, value, false, where, &langs[n].fields,
					&langs[n].field_count, diag);
		if (err == TK_OK)
			err = parse_text_components(d, json_object_get(value, "components"),
						    where, &langs[n], diag);
		if (err != TK_OK)
			return err;
		n++;
	}
	d->desc.text = langs;
	d->desc.text_lang_count = n;
	return TK_OK;
}

static tk_err parse_signer(struct tk_cli_desc *d, json_t *v, const char *where,
			   struct tk_cli_desc_signer *s, struct tk_diag *diag)
{
	json_t *alg = json_object_get(v, "alg");
	json_t *kid = json_object_get(v, "kid");
	const char *name = json_string_value(alg);

	if (!json_is_object(v) || json_object_size(v) != (size_t)(alg != NULL) + (size_t)(kid != NULL))
		return tk_cli_desc_fail(diag, where, "a signer has only alg and kid");
	if (alg != NULL) {
		if (name != NULL && strcmp(name, "ESP256") == 0)
			s->alg = TK_COSE_ALG_ESP256;
		else if (name != NULL && strcmp(name, "ES256") == 0)
			s->alg = TK_COSE_ALG_ES256;
		else if (name != NULL && strcmp(name, "Ed25519") == 0)
			s->alg = TK_COSE_ALG_ED25519;
		else
			return tk_cli_desc_fail(diag, where, "alg is ESP256, ES256 or Ed25519");
	}
	if (json_is_string(kid) && strcmp(json_string_value(kid), "thumbprint") == 0)
		s->kid_thumbprint = true;
	else if (kid != NULL)
		return tk_cli_desc_bytes(d, kid, where, &s->kid, diag);
	return TK_OK;
}

static tk_err parse_signers(struct tk_cli_desc *d, json_t *v, struct tk_diag *diag)
{
	char where[TK_CLI_DESC_WHERE_MAX];

	if (v == NULL)
		return TK_OK;
	if (!json_is_array(v) || json_array_size(v) > TK_SUIT_BUILD_MAX_SIGNERS)
		return tk_cli_desc_fail(diag, "signers", "expected an array of at most %d "
					"signers", TK_SUIT_BUILD_MAX_SIGNERS);
	for (size_t i = 0; i < json_array_size(v); i++) {
		tk_err err;

		tk_cli_desc_where(where, sizeof(where), "signers[%zu]", i);
		err = parse_signer(d, json_array_get(v, i), where, &d->signers[i], diag);
		if (err != TK_OK)
			return err;
		d->signer_count = i + 1;
	}
	return TK_OK;
}

static tk_err parse_manifest_members(struct tk_cli_desc *d, json_t *root, struct tk_diag *diag)
{
	json_t *mcid = json_object_get(root, "manifest-component-id");
	json_t *uri = json_object_get(root, "reference-uri");
	json_t *shared = json_object_get(root, "shared-sequence");
	json_t *tagged = json_object_get(root, "tagged");
	tk_err err;

	d->desc.manifest_version = 1;
	err = get_uint(root, "manifest-version", false, &d->desc.manifest_version, diag);
	if (err == TK_OK)
		err = get_uint(root, "manifest-sequence-number", true,
			       &d->desc.sequence_number, diag);
	if (err == TK_OK && mcid != NULL)
		err = tk_cli_desc_component_id(d, mcid, "manifest-component-id",
					       &d->desc.manifest_component_id, diag);
	if (err == TK_OK && uri != NULL && !json_is_string(uri))
		err = tk_cli_desc_fail(diag, "reference-uri", "expected a string");
	if (err == TK_OK && uri != NULL)
		d->desc.reference_uri = tk_span_make(json_string_value(uri),
						     json_string_length(uri));
	if (err == TK_OK && tagged != NULL && !json_is_boolean(tagged))
		err = tk_cli_desc_fail(diag, "tagged", "expected true or false");
	d->desc.tagged = json_is_true(tagged);
	if (err == TK_OK && shared != NULL) {
		d->desc.has_shared_sequence = true;
		err = tk_cli_desc_sequence(d, shared, "shared-sequence", 0,
					   &d->desc.shared_sequence, diag);
	}
	return err;
}

static tk_err parse_document(struct tk_cli_desc *d, json_t *root, struct tk_diag *diag)
{
	tk_err err;

	if (!json_is_object(root))
		return tk_cli_desc_fail(diag, "description", "expected a JSON object");
	err = check_members(root, diag);
	if (err == TK_OK)
		err = tk_cli_desc_encrypt(d, json_object_get(root, "encrypted"), diag);
	if (err == TK_OK)
		err = parse_integrated(d, json_object_get(root, "integrated"), diag);
	if (err == TK_OK)
		err = parse_manifest_members(d, root, diag);
	if (err == TK_OK)
		err = parse_components(d, root, diag);
	if (err == TK_OK)
		err = parse_dependencies(d, json_object_get(root, "dependencies"), diag);
	if (err == TK_OK)
		err = parse_sections(d, root, diag);
	if (err == TK_OK)
		err = parse_text(d, json_object_get(root, "text"), diag);
	if (err == TK_OK)
		err = parse_signers(d, json_object_get(root, "signers"), diag);
	return err;
}

/* Copy `len` bytes of dir as the folder of relative file names. */
static tk_err set_dir(struct tk_cli_desc *d, const char *dir, size_t len, struct tk_diag *diag)
{
	d->dir = malloc(len + 1);
	if (d->dir == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot copy the description's folder");
	memcpy(d->dir, dir, len);
	d->dir[len] = '\0';
	return TK_OK;
}

static tk_err load_root(json_t *root, const json_error_t *jerr, struct tk_cli_desc *out,
			struct tk_diag *diag)
{
	if (root == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid JSON at line %d column %d: %s",
			       jerr->line, jerr->column, jerr->text);
	out->json = root;
	return TK_OK;
}

tk_err tk_cli_desc_load(const char *path, struct tk_cli_desc *out, struct tk_diag *diag)
{
	const char *slash = strrchr(path, '/');
	json_error_t jerr;
	tk_err err;

	memset(out, 0, sizeof(*out));
	if (strcmp(path, "-") == 0)
		err = load_root(json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr), &jerr, out,
				diag);
	else
		err = load_root(json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), &jerr, out,
				diag);

	/* Relative names are relative to the description's folder (the
	 * working folder for standard input). */
	if (err == TK_OK && (slash == NULL || strcmp(path, "-") == 0))
		err = set_dir(out, ".", 1, diag);
	else if (err == TK_OK && slash == path)
		err = set_dir(out, "/", 1, diag);
	else if (err == TK_OK)
		err = set_dir(out, path, (size_t)(slash - path), diag);
	if (err == TK_OK)
		err = parse_document(out, out->json, diag);
	if (err != TK_OK)
		tk_cli_desc_free(out);
	return err;
}

tk_err tk_cli_desc_load_buffer(const char *json, size_t len, const char *dir,
			       struct tk_cli_desc *out, struct tk_diag *diag)
{
	json_error_t jerr;
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = load_root(json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, diag);
	if (err == TK_OK && dir != NULL)
		err = set_dir(out, dir, strlen(dir), diag);
	if (err == TK_OK)
		err = parse_document(out, out->json, diag);
	if (err != TK_OK)
		tk_cli_desc_free(out);
	return err;
}

void tk_cli_desc_free(struct tk_cli_desc *d)
{
	for (size_t i = 0; i < d->block_count; i++)
		free(d->blocks[i]);
	free(d->blocks);
	free(d->dir);
	if (d->json != NULL)
		json_decref(d->json);
	memset(d, 0, sizeof(*d));
}
