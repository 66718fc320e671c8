/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of SUIT labels for diagnostic output (`teep inspect`) and error
 * messages: sections, commands, and the keys of the envelope, manifest,
 * common, parameter and text maps, as registered by
 * draft-ietf-suit-manifest-37 section 11, draft-ietf-suit-trust-domains-11
 * section 9 and draft-ietf-suit-firmware-encryption-24 section 4.
 */
#include "suit/tk_suit.h"

#include <stddef.h>

#include "suit/tk_suit_build.h"
#include "suit/tk_suit_impl.h"

/* One label and its registered name. */
struct label_name {
	int64_t label;
	const char *name;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct label_name envelope_keys[] = {
	{TK_SUIT_ENV_AUTHENTICATION, "authentication-wrapper"},
	{TK_SUIT_ENV_MANIFEST, "manifest"},
	{TK_SUIT_SECTION_DEPENDENCY_RESOLUTION, "dependency-resolution"},
	{TK_SUIT_SECTION_PAYLOAD_FETCH, "payload-fetch"},
	{TK_SUIT_SECTION_CANDIDATE_VERIFICATION, "candidate-verification"},
	{TK_SUIT_SECTION_INSTALL, "install"},
	{TK_SUIT_MAN_TEXT, "text"},
};

static const struct label_name manifest_keys[] = {
	{TK_SUIT_MAN_VERSION, "manifest-version"},
	{TK_SUIT_MAN_SEQUENCE_NUMBER, "manifest-sequence-number"},
	{TK_SUIT_MAN_COMMON, "common"},
	{TK_SUIT_MAN_REFERENCE_URI, "reference-uri"},
	{TK_SUIT_MAN_COMPONENT_ID, "manifest-component-id"},
	{TK_SUIT_SECTION_VALIDATE, "validate"},
	{TK_SUIT_SECTION_LOAD, "load"},
	{TK_SUIT_SECTION_INVOKE, "invoke"},
	{TK_SUIT_SECTION_DEPENDENCY_RESOLUTION, "dependency-resolution"},
	{TK_SUIT_SECTION_PAYLOAD_FETCH, "payload-fetch"},
	{TK_SUIT_SECTION_CANDIDATE_VERIFICATION, "candidate-verification"},
	{TK_SUIT_SECTION_INSTALL, "install"},
	{TK_SUIT_MAN_TEXT, "text"},
	{TK_SUIT_SECTION_UNINSTALL, "uninstall"},
};

static const struct label_name common_keys[] = {
	{TK_SUIT_COMMON_DEPENDENCIES, "dependencies"},
	{TK_SUIT_COMMON_COMPONENTS, "components"},
	{TK_SUIT_COMMON_SHARED_SEQUENCE, "shared-sequence"},
};

static const struct label_name parameter_keys[] = {
	{TK_SUIT_PARAM_VENDOR_ID, "vendor-identifier"},
	{TK_SUIT_PARAM_CLASS_ID, "class-identifier"},
	{TK_SUIT_PARAM_IMAGE_DIGEST, "image-digest"},
	{TK_SUIT_PARAM_COMPONENT_SLOT, "component-slot"},
	{TK_SUIT_PARAM_STRICT_ORDER, "strict-order"},
	{TK_SUIT_PARAM_SOFT_FAILURE, "soft-failure"},
	{TK_SUIT_PARAM_IMAGE_SIZE, "image-size"},
	{TK_SUIT_PARAM_CONTENT, "content"},
	{TK_SUIT_PARAM_ENCRYPTION_INFO, "encryption-info"},
	{TK_SUIT_PARAM_URI, "uri"},
	{TK_SUIT_PARAM_SOURCE_COMPONENT, "source-component"},
	{TK_SUIT_PARAM_INVOKE_ARGS, "invoke-args"},
	{TK_SUIT_PARAM_DEVICE_ID, "device-identifier"},
	{TK_SUIT_PARAM_FETCH_ARGUMENTS, "fetch-arguments"},
};

static const struct label_name dependency_metadata_keys[] = {
	{TK_SUIT_DEPENDENCY_PREFIX, "dependency-prefix"},
};

/* SUIT_Text_LMap keys (manifest-37 section 8.4.4). */
static const struct label_name text_keys[] = {
	{1, "manifest-description"},
	{2, "update-description"},
	{3, "manifest-json-source"},
	{4, "manifest-yaml-source"},
};

/* SUIT_Text_Component_Keys (manifest-37 section 8.4.4). */
static const struct label_name component_text_keys[] = {
	{1, "vendor-name"},
	{2, "model-name"},
	{3, "vendor-domain"},
	{4, "model-info"},
	{5, "component-description"},
	{6, "component-version"},
};

/* COSE header labels in the authentication blocks (RFC 9052 section 3.1). */
static const struct label_name cose_header_keys[] = {
	{1, "alg"},
	{2, "crit"},
	{3, "content type"},
	{4, "kid"},
};

static const struct label_name commands[] = {
	{TK_SUIT_CMD_VENDOR_IDENTIFIER, "condition-vendor-identifier"},
	{TK_SUIT_CMD_CLASS_IDENTIFIER, "condition-class-identifier"},
	{TK_SUIT_CMD_IMAGE_MATCH, "condition-image-match"},
	{TK_SUIT_CMD_COMPONENT_SLOT, "condition-component-slot"},
	{TK_SUIT_CMD_CHECK_CONTENT, "condition-check-content"},
	{TK_SUIT_CMD_DEPENDENCY_INTEGRITY, "condition-dependency-integrity"},
	{TK_SUIT_CMD_IS_DEPENDENCY, "condition-is-dependency"},
	{TK_SUIT_CMD_PROCESS_DEPENDENCY, "directive-process-dependency"},
	{TK_SUIT_CMD_SET_COMPONENT_INDEX, "directive-set-component-index"},
	{TK_SUIT_CMD_ABORT, "condition-abort"},
	{TK_SUIT_CMD_TRY_EACH, "directive-try-each"},
	{TK_SUIT_CMD_WRITE, "directive-write"},
	{TK_SUIT_CMD_SET_PARAMETERS, "directive-set-parameters"},
	{TK_SUIT_CMD_OVERRIDE_PARAMETERS, "directive-override-parameters"},
	{TK_SUIT_CMD_FETCH, "directive-fetch"},
	{TK_SUIT_CMD_COPY, "directive-copy"},
	{TK_SUIT_CMD_INVOKE, "directive-invoke"},
	{TK_SUIT_CMD_DEVICE_IDENTIFIER, "condition-device-identifier"},
	{TK_SUIT_CMD_SWAP, "directive-swap"},
	{TK_SUIT_CMD_RUN_SEQUENCE, "directive-run-sequence"},
	{TK_SUIT_CMD_UNLINK, "directive-unlink"},
};

static const char *find_name(const struct label_name *table, size_t count,
			     int64_t label)
{
	for (size_t i = 0; i < count; i++) {
		if (table[i].label == label)
			return table[i].name;
	}
	return NULL;
}

static bool is_sequence_key(int64_t key)
{
	switch (key) {
	case TK_SUIT_SECTION_VALIDATE:
	case TK_SUIT_SECTION_LOAD:
	case TK_SUIT_SECTION_INVOKE:
	case TK_SUIT_SECTION_DEPENDENCY_RESOLUTION:
	case TK_SUIT_SECTION_PAYLOAD_FETCH:
	case TK_SUIT_SECTION_CANDIDATE_VERIFICATION:
	case TK_SUIT_SECTION_INSTALL:
	case TK_SUIT_SECTION_UNINSTALL:
		return true;
	default:
		return false;
	}
}

const char *tk_suit_section_name(enum tk_suit_section section)
{
	const char *name = find_name(manifest_keys, COUNT(manifest_keys), section);

	return name != NULL && is_sequence_key(section) ? name : "unknown";
}

const char *tk_suit_command_name(int64_t command)
{
	return find_name(commands, COUNT(commands), command);
}

const char *tk_suit_parameter_name(int64_t key)
{
	return find_name(parameter_keys, COUNT(parameter_keys), key);
}

const char *tk_suit_text_key_name(int64_t key, bool component)
{
	if (component)
		return find_name(component_text_keys, COUNT(component_text_keys), key);
	return find_name(text_keys, COUNT(text_keys), key);
}

/*
 * Pick the table from the innermost enclosing keys. The printer reports
 * the keys of maps it entered, including maps inside byte strings it
 * decodes, so a manifest is at [.., 3], its common at [.., 3, 3], and a
 * map of parameters inside a command sequence at [.., 3, 3, 4] (shared
 * sequence), [.., 3, <section>] or, for a severed section, [<section>].
 * The metadata of dependency i is at [.., 3, 3, 1, i]. Text is at [.., 3,
 * 23] or, severed, [23], and its language maps and component maps are
 * keyed by a text string and an array, which the printer reports as
 * INT64_MIN. Anything else at the top level is taken as the envelope.
 */
static const char *key_name(void *ctx, const int64_t *path, unsigned path_len,
			    int64_t key)
{
	int64_t last = path_len >= 1 ? path[path_len - 1] : 0;
	int64_t second = path_len >= 2 ? path[path_len - 2] : 0;
	int64_t third = path_len >= 3 ? path[path_len - 3] : 0;
	int64_t fourth = path_len >= 4 ? path[path_len - 4] : 0;

	(void)ctx;
	if (path_len == 0)
		return find_name(envelope_keys, COUNT(envelope_keys), key);
	if (fourth == TK_SUIT_ENV_MANIFEST && third == TK_SUIT_MAN_COMMON &&
	    second == TK_SUIT_COMMON_DEPENDENCIES)
		return find_name(dependency_metadata_keys, COUNT(dependency_metadata_keys), key);
	if (second == TK_SUIT_MAN_TEXT && last == INT64_MIN &&
	    (path_len == 2 || third == TK_SUIT_ENV_MANIFEST))
		return find_name(text_keys, COUNT(text_keys), key);
	if (third == TK_SUIT_MAN_TEXT && second == INT64_MIN && last == INT64_MIN &&
	    (path_len == 3 || fourth == TK_SUIT_ENV_MANIFEST))
		return find_name(component_text_keys, COUNT(component_text_keys), key);
	if (third == TK_SUIT_ENV_MANIFEST && second == TK_SUIT_MAN_COMMON &&
	    last == TK_SUIT_COMMON_SHARED_SEQUENCE)
		return find_name(parameter_keys, COUNT(parameter_keys), key);
	/* SUIT_Dependencies = { + uint => SUIT_Dependency_Metadata }, keyed by
	 * the dependency's component index (trust-domains-11 section 5.2.2). */
	if (third == TK_SUIT_ENV_MANIFEST && second == TK_SUIT_MAN_COMMON &&
	    last == TK_SUIT_COMMON_DEPENDENCIES)
		return "component-index";
	if (second == TK_SUIT_ENV_MANIFEST && last == TK_SUIT_MAN_COMMON)
		return find_name(common_keys, COUNT(common_keys), key);
	if (is_sequence_key(last))
		return find_name(parameter_keys, COUNT(parameter_keys), key);
	if (last == TK_SUIT_ENV_MANIFEST)
		return find_name(manifest_keys, COUNT(manifest_keys), key);
	if (last == TK_SUIT_ENV_AUTHENTICATION)
		return find_name(cose_header_keys, COUNT(cose_header_keys), key);
	return NULL;
}

static const char *tag_name(void *ctx, uint64_t tag)
{
	(void)ctx;
	switch (tag) {
	case TK_SUIT_ENVELOPE_TAG:
		return "SUIT_Envelope_Tagged";
	case TK_SUIT_MANIFEST_TAG:
		return "SUIT_Manifest_Tagged";
	case 112:
		return "cbor-pen";
	case 18:
		return "COSE_Sign1_Tagged";
	case 98:
		return "COSE_Sign_Tagged";
	case 17:
		return "COSE_Mac0_Tagged";
	case 97:
		return "COSE_Mac_Tagged";
	default:
		return NULL;
	}
}

const struct tk_cbor_names tk_suit_cbor_names = {key_name, tag_name, NULL};
