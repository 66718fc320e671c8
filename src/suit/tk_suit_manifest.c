/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT manifest decoding, called by tk_suit_authenticate() once the SUIT
 * digest and a signature over it have been checked. Reads the manifest,
 * its common section and its command sequences in the strict CBOR profile
 * and canonical key order, and resolves severed members against their
 * digests. Command sequences are only checked for well-formedness here; the
 * processor interprets them.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/*
 * Count the offset of the failure just recorded while decoding `part` from
 * the start of `whole` instead, where part is a view into whole.
 */
static void rebase_offset(struct tk_diag *diag, struct tk_span part, struct tk_span whole)
{
	if (diag != NULL && diag->code != TK_OK && diag->offset != TK_DIAG_NO_OFFSET)
		diag->offset += (size_t)(part.ptr - whole.ptr);
}

/* Check that a byte string contains one item in the strict profile. */
static tk_err check_embedded(struct tk_cbor_dec *dec, struct tk_span content,
			     const char *what)
{
	struct tk_diag inner;
	tk_err err;

	tk_diag_clear(&inner);
	err = tk_cbor_check(content.ptr, content.len, TK_CBOR_STRICT, &inner);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err, "%s: %s", what, inner.msg);
	return TK_OK;
}

/* Consume a map key that must be an unsigned integer. */
static tk_err get_uint_key(struct tk_cbor_dec *dec, struct tk_suit_key_order *order,
			   uint64_t *out)
{
	struct tk_suit_key key;
	tk_err err = tk_suit_map_key(dec, order, &key);

	*out = 0;
	if (err == TK_OK && key.type != TK_CBOR_UINT)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
				       "map key is not an unsigned integer");
	if (err == TK_OK)
		*out = (uint64_t)key.value;
	return err;
}

/*
 * SUIT_Dependencies = { + uint => SUIT_Dependency_Metadata }
 * SUIT_Dependency_Metadata = { ? suit-dependency-prefix => SUIT_Component_Identifier }
 * (draft-ietf-suit-trust-domains-11 section 5.2.2)
 */
static tk_err decode_dependency(struct tk_cbor_dec *dec, struct tk_suit_manifest *m,
				uint64_t index)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	uint64_t count = 0, key = 0;
	size_t k = m->dependency_count;
	tk_err err;

	if (k >= TK_SUIT_MAX_DEPENDENCIES)
		return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT, "more than %d dependencies",
					TK_SUIT_MAX_DEPENDENCIES);
	m->dependencies[k].index = index;
	m->dependencies[k].prefix = TK_SPAN_EMPTY;
	err = tk_cbor_enter_map(dec, &count);
	while (err == TK_OK && tk_cbor_more(dec)) {
		err = get_uint_key(dec, &order, &key);
		if (err == TK_OK && key != TK_SUIT_DEPENDENCY_PREFIX)
			err = tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					       "unknown dependency metadata key %llu",
					       (unsigned long long)key);
		if (err == TK_OK)
			err = tk_suit_component_id_get(dec, &m->dependencies[k].prefix);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	if (err == TK_OK)
		m->dependency_count++;
	return err;
}

static tk_err decode_dependencies(struct tk_cbor_dec *dec, struct tk_suit_manifest *m)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	uint64_t count = 0, index = 0;
	tk_err err;

	m->has_dependencies = true;
	err = tk_cbor_enter_map(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH, "suit-dependencies is empty");
	while (err == TK_OK && tk_cbor_more(dec)) {
		err = get_uint_key(dec, &order, &index);
		if (err == TK_OK)
			err = decode_dependency(dec, m, index);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	return err;
}

/* SUIT_Components = [ + SUIT_Component_Identifier ] */
static tk_err decode_components(struct tk_cbor_dec *dec, struct tk_suit_manifest *m)
{
	uint64_t count = 0;
	size_t start = tk_cbor_offset(dec);
	tk_err err;

	err = tk_cbor_enter_array(dec, &count);
	if (err == TK_OK && count == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "suit-components is empty");
	if (err == TK_OK && count > TK_SUIT_MAX_COMPONENTS)
		err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
				       "%llu components, limit %d",
				       (unsigned long long)count, TK_SUIT_MAX_COMPONENTS);
	while (err == TK_OK && tk_cbor_more(dec) &&
	       m->component_count < TK_SUIT_MAX_COMPONENTS) {
		err = tk_suit_component_id_get(dec, &m->components[m->component_count]);
		if (err == TK_OK)
			m->component_count++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	if (err == TK_OK)
		m->components_encoded = tk_span_make(dec->buf + start, tk_cbor_offset(dec) - start);
	return err;
}

/*
 * SUIT_Common = {
 *   ? suit-dependencies => map,                             ; 1, trust-domains
 *   ? suit-components => SUIT_Components,                    ; 2
 *   ? suit-shared-sequence => bstr .cbor SUIT_Shared_Sequence, ; 4
 * }
 */
static tk_err decode_common(struct tk_span common, struct tk_suit_manifest *m,
			    struct tk_diag *diag)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_cbor_dec dec;
	uint64_t count = 0, key = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, common.ptr, common.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		err = get_uint_key(&dec, &order, &key);
		if (err != TK_OK)
			break;
		if (key == TK_SUIT_COMMON_DEPENDENCIES) {
			err = decode_dependencies(&dec, m);
		} else if (key == TK_SUIT_COMMON_COMPONENTS) {
			err = decode_components(&dec, m);
		} else if (key == TK_SUIT_COMMON_SHARED_SEQUENCE) {
			err = tk_cbor_get_bstr(&dec, &m->shared_sequence);
			if (err == TK_OK)
				err = check_embedded(&dec, m->shared_sequence,
						     "shared sequence");
		} else {
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_UNKNOWN,
					       "unknown suit-common key %llu",
					       (unsigned long long)key);
		}
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK && m->component_count == 0)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			      "suit-common lists no components");
	return err;
}

static bool is_section_key(uint64_t key)
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

/* Severable members: those the drafts let an author move to the envelope
 * (manifest-37 section 8.4.12, trust-domains-11 section 9.1). */
static bool is_severable_key(uint64_t key)
{
	return key == TK_SUIT_SECTION_PAYLOAD_FETCH || key == TK_SUIT_SECTION_INSTALL ||
	       key == TK_SUIT_MAN_TEXT || key == TK_SUIT_SECTION_DEPENDENCY_RESOLUTION ||
	       key == TK_SUIT_SECTION_CANDIDATE_VERIFICATION;
}

static struct tk_span severed_member(const struct tk_suit_envelope *env, uint64_t key)
{
	switch (key) {
	case TK_SUIT_SECTION_PAYLOAD_FETCH:
		return env->severed_payload_fetch;
	case TK_SUIT_SECTION_INSTALL:
		return env->severed_install;
	case TK_SUIT_SECTION_DEPENDENCY_RESOLUTION:
		return env->severed_dependency_resolution;
	case TK_SUIT_SECTION_CANDIDATE_VERIFICATION:
		return env->severed_candidate_verification;
	default:
		return env->severed_text;
	}
}

/*
 * A severed member: the manifest contains its SUIT_Digest, and the envelope
 * the encoded byte string (manifest-37 section 8.4.12). Returns the byte
 * string's content, or an empty span when the member was removed.
 */
static tk_err resolve_severed(struct tk_cbor_dec *dec, const struct tk_crypto *crypto,
			      const struct tk_suit_envelope *env, uint64_t key,
			      struct tk_span *content, struct tk_diag *diag)
{
	struct tk_span member = severed_member(env, key), digest_item;
	struct tk_suit_digest digest;
	uint8_t actual[TK_SUIT_DIGEST_LEN];
	struct tk_cbor_dec inner;
	tk_err err;

	*content = TK_SPAN_EMPTY;
	err = tk_cbor_get_raw(dec, &digest_item);
	if (err == TK_OK) {
		err = tk_suit_digest_decode(digest_item.ptr, digest_item.len, &digest, diag);
		if (err != TK_OK)
			rebase_offset(diag, digest_item, env->manifest);
	}
	if (err != TK_OK || member.len == 0)
		return err;

	err = tk_crypto_sha256(crypto, member.ptr, member.len, actual, diag);
	if (err == TK_OK && !tk_ct_equal(actual, digest.bytes.ptr, TK_SUIT_DIGEST_LEN))
		err = tk_cbor_dec_fail(dec, TK_ERR_DIGEST_MISMATCH,
				       "severed %s member does not match its digest",
				       key == TK_SUIT_MAN_TEXT ? "text" :
				       tk_suit_section_name((enum tk_suit_section)key));
	if (err != TK_OK)
		return err;

	/* The member lies outside the manifest, so its errors are reported
	 * at the digest that references it. */
	err = tk_cbor_dec_init(&inner, member.ptr, member.len, TK_CBOR_STRICT, NULL);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&inner, content);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&inner);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err, "severed member is not a byte string");
	return TK_OK;
}

/* A member that contains a command sequence, inline or severed. */
static tk_err decode_section(struct tk_cbor_dec *dec, const struct tk_crypto *crypto,
			     const struct tk_suit_envelope *env, uint64_t key,
			     struct tk_suit_manifest *m, struct tk_diag *diag)
{
	struct tk_span sequence = TK_SPAN_EMPTY;
	bool severed = tk_cbor_peek(dec) == TK_CBOR_ARRAY;
	tk_err err;

	if (severed && !is_severable_key(key))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"%s section is not severable",
					tk_suit_section_name((enum tk_suit_section)key));
	if (!severed && is_severable_key(key) && severed_member(env, key).len > 0)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"envelope carries a severed %s member the "
					"manifest does not reference by digest",
					tk_suit_section_name((enum tk_suit_section)key));

	if (severed)
		err = resolve_severed(dec, crypto, env, key, &sequence, diag);
	else
		err = tk_cbor_get_bstr(dec, &sequence);
	if (err != TK_OK)
		return err;

	if (key == TK_SUIT_MAN_TEXT)
		return TK_OK; /* text is for people, the processor ignores it */
	if (severed && sequence.len == 0) {
		m->severed_missing = true;
		return TK_OK;
	}
	err = check_embedded(dec, sequence,
			     tk_suit_section_name((enum tk_suit_section)key));
	if (err == TK_OK && sequence.len > 0) {
		m->sections[m->section_count].section = (enum tk_suit_section)key;
		m->sections[m->section_count].sequence = sequence;
		m->section_count++;
	}
	return err;
}

/* One manifest member; `seen` collects the required keys found. */
static tk_err decode_manifest_member(struct tk_cbor_dec *dec, uint64_t key,
				     const struct tk_crypto *crypto,
				     const struct tk_suit_envelope *env,
				     struct tk_suit_manifest *m, struct tk_diag *diag)
{
	struct tk_span common;
	uint64_t version = 0;
	tk_err err;

	switch (key) {
	case TK_SUIT_MAN_VERSION:
		err = tk_cbor_get_uint(dec, &version);
		if (err == TK_OK && version != 1)
			err = tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					       "manifest version %llu, only 1 is "
					       "supported", (unsigned long long)version);
		return err;
	case TK_SUIT_MAN_SEQUENCE_NUMBER:
		return tk_cbor_get_uint(dec, &m->sequence_number);
	case TK_SUIT_MAN_COMMON:
		err = tk_cbor_get_bstr(dec, &common);
		if (err == TK_OK) {
			err = decode_common(common, m, diag);
			if (err != TK_OK)
				rebase_offset(diag, common, env->manifest);
		}
		return err;
	case TK_SUIT_MAN_REFERENCE_URI:
		return tk_cbor_get_tstr(dec, &m->reference_uri);
	case TK_SUIT_MAN_COMPONENT_ID:
		return tk_suit_component_id_get(dec, &m->manifest_component_id);
	case TK_SUIT_MAN_TEXT:
		return decode_section(dec, crypto, env, key, m, diag);
	default:
		if (is_section_key(key))
			return decode_section(dec, crypto, env, key, m, diag);
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
					"unknown manifest key %llu",
					(unsigned long long)key);
	}
}

/* Every severed member in the envelope must be covered by a digest in the
 * manifest; anything else would be unauthenticated. */
static tk_err check_severed_referenced(const struct tk_suit_envelope *env,
				       uint32_t severed_refs, struct tk_diag *diag)
{
	static const uint64_t keys[] = {TK_SUIT_SECTION_DEPENDENCY_RESOLUTION,
					TK_SUIT_SECTION_PAYLOAD_FETCH,
					TK_SUIT_SECTION_CANDIDATE_VERIFICATION,
					TK_SUIT_SECTION_INSTALL, TK_SUIT_MAN_TEXT};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (severed_member(env, keys[i]).len > 0 &&
		    (severed_refs & (UINT32_C(1) << keys[i])) == 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
				       "envelope member %llu is not referenced by a "
				       "digest in the manifest",
				       (unsigned long long)keys[i]);
	}
	return TK_OK;
}

/*
 * SUIT_Manifest = {
 *   suit-manifest-version => 1,                        ; 1
 *   suit-manifest-sequence-number => uint,             ; 2
 *   suit-common => bstr .cbor SUIT_Common,             ; 3
 *   ? suit-reference-uri => tstr,                      ; 4
 *   ? suit-manifest-component-id => SUIT_Component_Identifier, ; 5
 *   ? command sequences 7, 8, 9, 15, 18, 24 => bstr,
 *   ? 16, 20 => bstr / SUIT_Digest, ? suit-text 23 => bstr / SUIT_Digest,
 * }
 */
tk_err tk_suit_decode_manifest(const struct tk_crypto *crypto,
				const struct tk_suit_envelope *env,
				struct tk_suit_manifest *m, struct tk_diag *diag)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_cbor_dec dec;
	uint64_t count = 0, key = 0;
	unsigned required = 0; /* bit k set: key k (1-3) seen */
	uint32_t severed_refs = 0; /* bit k set: key k referenced by digest */
	tk_err err;

	err = tk_cbor_dec_init(&dec, env->manifest.ptr, env->manifest.len,
			       TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		err = get_uint_key(&dec, &order, &key);
		if (err == TK_OK && is_severable_key(key) &&
		    tk_cbor_peek(&dec) == TK_CBOR_ARRAY)
			severed_refs |= UINT32_C(1) << key;
		if (err == TK_OK)
			err = decode_manifest_member(&dec, key, crypto, env, m, diag);
		if (err == TK_OK && key <= TK_SUIT_MAN_COMMON)
			required |= 1u << key;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);

	if (err == TK_OK && (required & 0xeu) != 0xeu)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING,
			      "manifest lacks version, sequence number or common "
			      "(keys 1, 2, 3)");
	if (err == TK_OK)
		err = check_severed_referenced(env, severed_refs, diag);
	for (size_t i = 0; err == TK_OK && i < env->integrated_count; i++)
		m->integrated[i] = env->integrated[i];
	if (err == TK_OK)
		m->integrated_count = env->integrated_count;
	return err;
}
