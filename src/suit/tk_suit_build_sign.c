/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checking and assembly half of the general envelope builder
 * (tk_suit_build.h): checks a description against the drafts' structure and
 * our limits, then lays out and signs the envelope.
 *
 *   SUIT_Envelope = { 2: bstr .cbor SUIT_Authentication,
 *                     3: bstr .cbor SUIT_Manifest,
 *                     * severable-key => bstr (severed members),
 *                     * tstr => bstr (integrated payloads) }
 *   SUIT_Authentication = [ bstr .cbor SUIT_Digest,
 *                           + bstr .cbor COSE_Sign1_Tagged ]
 *
 * The authentication wrapper comes first but depends on everything after
 * it. So the tail (key 3 onwards) is written first, at the end of the
 * caller's buffer: the severed members, whose digests the manifest needs,
 * then the integrated members, then the manifest. The manifest's digest is
 * signed, and the tail is moved behind the wrapper. No allocation.
 */
#include "suit/tk_suit_build.h"

#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_build_impl.h"
#include "suit/tk_suit_impl.h"

/* Upper bound of one encoded COSE_Sign1 authentication block: tag, array
 * head, protected header {1: alg} as a 4-byte bstr, unprotected map with a
 * kid of TK_COSE_KID_MAX bytes, nil, and a 64-byte signature. */
#define SIGN1_MAX (8 + TK_COSE_KID_MAX + 8 + 2 + 64 + 8)

/* Upper bound of the encoded SUIT_Digest of SHA-256: 38 bytes. */
#define DIGEST_ITEM_MAX 40

/* Envelope tag, map head, key 2, the wrapper's heads, its digest and one
 * bstr-wrapped block per signer. */
#define PREFIX_MAX (16 + DIGEST_ITEM_MAX + TK_SUIT_BUILD_MAX_SIGNERS * (SIGN1_MAX + 4))

/* Upper bound of the prefix for the signers of one description. */
static size_t prefix_bound(const struct tk_suit_build_desc *desc)
{
	return 16 + DIGEST_ITEM_MAX + desc->signer_count * (SIGN1_MAX + 4);
}

/* Keys of the severable members, in canonical (ascending) order. */
static const int64_t severable_keys[] = {
	TK_SUIT_SECTION_DEPENDENCY_RESOLUTION, TK_SUIT_SECTION_PAYLOAD_FETCH,
	TK_SUIT_SECTION_CANDIDATE_VERIFICATION, TK_SUIT_SECTION_INSTALL,
	TK_SUIT_MAN_TEXT,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_section_key(int64_t key)
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

static bool is_severable(int64_t key)
{
	for (size_t i = 0; i < COUNT(severable_keys); i++) {
		if (severable_keys[i] == key)
			return true;
	}
	return false;
}

/* A component id must be one non-empty SUIT_Component_Identifier = [* bstr]. */
static tk_err check_component_id(struct tk_span id, const char *what, size_t index,
				 struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span encoded;
	tk_err err;

	if (id.len == 0 || id.ptr == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s %zu is missing", what, index);
	err = tk_cbor_dec_init(&dec, id.ptr, id.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_suit_component_id_get(&dec, &encoded);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		return TK_FAIL(diag, TK_ERR_ARG, "%s %zu is not a SUIT_Component_Identifier",
			       what, index);
	return TK_OK;
}

static tk_err check_sequence(const struct tk_suit_build_sequence *seq, unsigned depth,
			     const char *where, struct tk_diag *diag);

static tk_err check_command(const struct tk_suit_build_command *cmd, unsigned depth,
			    const char *where, struct tk_diag *diag)
{
	switch (cmd->kind) {
	case TK_SUIT_ARG_UINT:
	case TK_SUIT_ARG_TRUE:
		return TK_OK;
	case TK_SUIT_ARG_INDICES:
		if (cmd->index_count == 0 || cmd->indices == NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "%s: empty component index list", where);
		return TK_OK;
	case TK_SUIT_ARG_PARAMS:
		if (cmd->param_count == 0 || cmd->params == NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "%s: command %lld sets no parameter",
				       where, (long long)cmd->command);
		if (cmd->param_count > TK_SUIT_BUILD_MAX_PARAMS)
			return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%s: %zu parameters, limit %d",
				       where, cmd->param_count, TK_SUIT_BUILD_MAX_PARAMS);
		return TK_OK;
	case TK_SUIT_ARG_TRY_EACH:
	case TK_SUIT_ARG_SEQUENCE:
		break;
	case TK_SUIT_ARG_RAW:
		if (cmd->raw.len == 0 ||
		    tk_cbor_check(cmd->raw.ptr, cmd->raw.len, TK_CBOR_STRICT, diag) != TK_OK)
			return TK_FAIL(diag, TK_ERR_ARG, "%s: argument of command %lld is not "
				       "one CBOR item", where, (long long)cmd->command);
		return TK_OK;
	default:
		return TK_FAIL(diag, TK_ERR_ARG, "%s: unknown argument kind %d", where,
			       (int)cmd->kind);
	}

	/* draft-ietf-suit-manifest-37 section 8.4.10.2: try-each takes two
	 * or more sequences and an optional nil. */
	if (cmd->kind == TK_SUIT_ARG_TRY_EACH && cmd->sequence_count < 2)
		return TK_FAIL(diag, TK_ERR_ARG, "%s: try-each needs at least 2 sequences",
			       where);
	if (cmd->kind == TK_SUIT_ARG_SEQUENCE && cmd->sequence_count != 1)
		return TK_FAIL(diag, TK_ERR_ARG, "%s: run-sequence takes one sequence", where);
	if (depth >= TK_SUIT_MAX_NESTING)
		return TK_FAIL(diag, TK_ERR_LIMIT_DEPTH, "%s: sequences nested deeper than %d",
			       where, TK_SUIT_MAX_NESTING);
	for (size_t i = 0; i < cmd->sequence_count; i++) {
		tk_err err = check_sequence(&cmd->sequences[i], depth + 1, where, diag);

		if (err != TK_OK)
			return err;
	}
	return TK_OK;
}

static tk_err check_sequence(const struct tk_suit_build_sequence *seq, unsigned depth,
			     const char *where, struct tk_diag *diag)
{
	if (seq->count == 0 || seq->commands == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s: empty command sequence", where);
	if (seq->count > TK_SUIT_MAX_COMMANDS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%s: %zu commands, limit %d", where,
			       seq->count, TK_SUIT_MAX_COMMANDS);
	for (size_t i = 0; i < seq->count; i++) {
		tk_err err = check_command(&seq->commands[i], depth, where, diag);

		if (err != TK_OK)
			return err;
	}
	return TK_OK;
}

static tk_err check_sections(const struct tk_suit_build_desc *desc, struct tk_diag *diag)
{
	if (desc->section_count > TK_SUIT_BUILD_MAX_SECTIONS ||
	    (desc->sections == NULL && desc->section_count > 0))
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu sections, limit %d",
			       desc->section_count, TK_SUIT_BUILD_MAX_SECTIONS);
	for (size_t i = 0; i < desc->section_count; i++) {
		const struct tk_suit_build_section *s = &desc->sections[i];
		const char *name = tk_suit_section_name((enum tk_suit_section)s->key);
		tk_err err;

		if (!is_section_key(s->key))
			return TK_FAIL(diag, TK_ERR_ARG, "%lld is not a section key",
				       (long long)s->key);
		for (size_t j = 0; j < i; j++) {
			if (desc->sections[j].key == s->key)
				return TK_FAIL(diag, TK_ERR_ARG, "section %s given twice", name);
		}
		if (s->severed && !is_severable(s->key))
			return TK_FAIL(diag, TK_ERR_ARG, "section %s is not severable", name);
		err = check_sequence(&s->sequence, 0, name, diag);
		if (err != TK_OK)
			return err;
	}
	return TK_OK;
}

static tk_err check_common(const struct tk_suit_build_desc *desc, struct tk_diag *diag)
{
	tk_err err;

	if (desc->manifest_version != 1)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest version %llu, expected 1",
			       (unsigned long long)desc->manifest_version);
	if (desc->component_count == 0 || desc->components == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no components");
	if (desc->component_count > TK_SUIT_MAX_COMPONENTS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu components, limit %d",
			       desc->component_count, TK_SUIT_MAX_COMPONENTS);
	for (size_t i = 0; i < desc->component_count; i++) {
		err = check_component_id(desc->components[i], "component", i, diag);
		if (err != TK_OK)
			return err;
	}
	/* The decoder's bound, so a built envelope always decodes. */
	if (desc->dependency_count > TK_SUIT_MAX_DEPENDENCIES)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu dependencies, limit %d",
			       desc->dependency_count, TK_SUIT_MAX_DEPENDENCIES);
	for (size_t i = 0; i < desc->dependency_count; i++) {
		const struct tk_suit_build_dependency *dep = &desc->dependencies[i];

		/* trust-domains-11 section 5.2.2 makes a dependency a component
		 * index of suit-components. NOTE: the TEEP draft's
		 * personalization example puts its dependency at the index
		 * after its one component, so indices up to the components
		 * plus the dependencies are accepted, as the processor does. */
		if (dep->index >= desc->component_count + desc->dependency_count)
			return TK_FAIL(diag, TK_ERR_ARG, "dependency %zu: index %llu is past the "
				       "components and dependencies", i,
				       (unsigned long long)dep->index);
		for (size_t j = 0; j < i; j++) {
			if (desc->dependencies[j].index == dep->index)
				return TK_FAIL(diag, TK_ERR_ARG, "dependency index %llu given twice",
					       (unsigned long long)dep->index);
		}
		if (dep->prefix.len > 0) {
			err = check_component_id(dep->prefix, "dependency-prefix", i, diag);
			if (err != TK_OK)
				return err;
		}
	}
	if (desc->manifest_component_id.len > 0) {
		err = check_component_id(desc->manifest_component_id,
					 "manifest-component-id", 0, diag);
		if (err != TK_OK)
			return err;
	}
	if (desc->has_shared_sequence)
		return check_sequence(&desc->shared_sequence, 0, "shared-sequence", diag);
	return TK_OK;
}

static tk_err check_text(const struct tk_suit_build_desc *desc, struct tk_diag *diag)
{
	for (size_t i = 0; i < desc->text_lang_count; i++) {
		const struct tk_suit_build_text_lang *lang = &desc->text[i];

		if (lang->tag.len == 0)
			return TK_FAIL(diag, TK_ERR_ARG, "text language %zu has no tag", i);
		if (lang->field_count + lang->component_count == 0)
			return TK_FAIL(diag, TK_ERR_ARG, "text language %zu is empty", i);
		for (size_t c = 0; c < lang->component_count; c++) {
			tk_err err = check_component_id(lang->components[c].id,
							"text component", c, diag);

			if (err != TK_OK)
				return err;
		}
	}
	return TK_OK;
}

static tk_err check_envelope_members(const struct tk_suit_build_desc *desc,
				     struct tk_diag *diag)
{
	if (desc->integrated_count > TK_SUIT_MAX_INTEGRATED)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu integrated payloads, limit %d",
			       desc->integrated_count, TK_SUIT_MAX_INTEGRATED);
	for (size_t i = 0; i < desc->integrated_count; i++) {
		const struct tk_suit_build_integrated *p = &desc->integrated[i];

		if (p->name.len == 0 || p->name.ptr == NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "integrated payload %zu has no name", i);
		for (size_t j = 0; j < i; j++) {
			if (tk_span_equal(desc->integrated[j].name, p->name))
				return TK_FAIL(diag, TK_ERR_ARG,
					       "integrated payload %.*s given twice",
					       (int)p->name.len, (const char *)p->name.ptr);
		}
	}
	if (desc->signer_count == 0 || desc->signers == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "no signer");
	if (desc->signer_count > TK_SUIT_BUILD_MAX_SIGNERS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu signers, limit %d",
			       desc->signer_count, TK_SUIT_BUILD_MAX_SIGNERS);
	for (size_t i = 0; i < desc->signer_count; i++) {
		if (desc->signers[i].key == NULL)
			return TK_FAIL(diag, TK_ERR_ARG, "signer %zu has no key", i);
	}
	return TK_OK;
}

static tk_err check_desc(const struct tk_suit_build_desc *desc, struct tk_diag *diag)
{
	tk_err err = check_common(desc, diag);

	if (err == TK_OK)
		err = check_sections(desc, diag);
	if (err == TK_OK)
		err = check_text(desc, diag);
	if (err == TK_OK)
		err = check_envelope_members(desc, diag);
	return err;
}

/* Whether member `key` is severed in this description. */
static bool is_severed(const struct tk_suit_build_desc *desc, int64_t key)
{
	if (key == TK_SUIT_MAN_TEXT)
		return desc->text_lang_count > 0 && desc->text_severed;
	for (size_t i = 0; i < desc->section_count; i++) {
		if (desc->sections[i].key == key)
			return desc->sections[i].severed;
	}
	return false;
}

/* Integrated members in canonical order: shorter encoded keys first, then
 * bytewise. Writes `count` indices into order. */
static void sort_integrated(const struct tk_suit_build_desc *desc, size_t *order)
{
	for (size_t i = 0; i < desc->integrated_count; i++) {
		size_t j = i;

		order[i] = i;
		while (j > 0) {
			struct tk_span a = desc->integrated[order[j - 1]].name;
			struct tk_span b = desc->integrated[order[j]].name;
			size_t tmp;

			if (a.len < b.len || (a.len == b.len && memcmp(a.ptr, b.ptr, a.len) < 0))
				break;
			tmp = order[j - 1];
			order[j - 1] = order[j];
			order[j] = tmp;
			j--;
		}
	}
}

/* Layout of the tail: key 3 and the manifest, severed and integrated members. */
struct tail_plan {
	size_t manifest_len;      /* the manifest bstr, head included */
	size_t severed_len;       /* all severed keys and bstrs */
	size_t integrated_len;    /* all integrated keys and bstrs */
	size_t total;             /* 1 (key 3) + the three above */
	size_t pairs;             /* envelope map pairs */
	struct tk_suit_build_severed digests;
};

static tk_err plan_tail(const struct tk_suit_build_desc *desc, struct tail_plan *plan,
			struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	tk_err err;

	memset(plan, 0, sizeof(*plan));
	for (size_t i = 0; i < COUNT(severable_keys); i++) {
		if (is_severed(desc, severable_keys[i]))
			plan->digests.keys[plan->digests.count++] = severable_keys[i];
	}

	/* Digest lengths are fixed, so counting with zero digests sizes the
	 * manifest exactly. */
	tk_cbor_enc_init(&enc, NULL, 0, diag);
	tk_suit_build_put_manifest(&enc, desc, &plan->digests);
	err = tk_cbor_enc_finish(&enc, &plan->manifest_len);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, NULL, 0, diag);
	for (size_t i = 0; i < plan->digests.count; i++) {
		tk_cbor_put_int(&enc, plan->digests.keys[i]);
		tk_suit_build_put_severable(&enc, desc, plan->digests.keys[i]);
	}
	err = tk_cbor_enc_finish(&enc, &plan->severed_len);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, NULL, 0, diag);
	for (size_t i = 0; i < desc->integrated_count; i++) {
		tk_cbor_put_tstr(&enc, (const char *)desc->integrated[i].name.ptr,
				 desc->integrated[i].name.len);
		tk_cbor_put_bstr(&enc, desc->integrated[i].bytes.ptr,
				 desc->integrated[i].bytes.len);
	}
	err = tk_cbor_enc_finish(&enc, &plan->integrated_len);
	if (err != TK_OK)
		return err;
	plan->total = 1 + plan->manifest_len + plan->severed_len + plan->integrated_len;
	plan->pairs = 2 + plan->digests.count + desc->integrated_count;
	if (plan->total > TK_SUIT_MAX_ENVELOPE_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "envelope of %zu bytes, limit %u",
			       plan->total, (unsigned)TK_SUIT_MAX_ENVELOPE_SIZE);
	return TK_OK;
}

/*
 * Write the tail into tail[0..plan->total): severed members first (their
 * digests go into the manifest), then integrated members, then key 3 and
 * the manifest in front of them.
 */
static tk_err write_tail(const struct tk_suit_build_desc *desc, const struct tk_crypto *crypto,
			 struct tail_plan *plan, uint8_t *tail, struct tk_diag *diag)
{
	size_t pos = 1 + plan->manifest_len, len = 0, order[TK_SUIT_MAX_INTEGRATED];
	struct tk_cbor_enc enc;
	tk_err err = TK_OK;

	for (size_t i = 0; i < plan->digests.count && err == TK_OK; i++) {
		tk_cbor_enc_init(&enc, tail + pos, plan->total - pos, diag);
		tk_cbor_put_int(&enc, plan->digests.keys[i]);
		tk_suit_build_put_severable(&enc, desc, plan->digests.keys[i]);
		err = tk_cbor_enc_finish(&enc, &len);
		/* Severable keys are below 24, so the key is one byte and the
		 * digest covers the byte string after it. */
		if (err == TK_OK)
			err = tk_crypto_sha256(crypto, tail + pos + 1, len - 1,
					       plan->digests.digests[i], diag);
		pos += len;
	}
	sort_integrated(desc, order);
	tk_cbor_enc_init(&enc, tail + pos, plan->total - pos, diag);
	for (size_t i = 0; i < desc->integrated_count; i++) {
		const struct tk_suit_build_integrated *p = &desc->integrated[order[i]];

		tk_cbor_put_tstr(&enc, (const char *)p->name.ptr, p->name.len);
		tk_cbor_put_bstr(&enc, p->bytes.ptr, p->bytes.len);
	}
	if (err == TK_OK)
		err = tk_cbor_enc_finish(&enc, &len);

	tk_cbor_enc_init(&enc, tail, 1 + plan->manifest_len, diag);
	tk_cbor_put_uint(&enc, TK_SUIT_ENV_MANIFEST);
	tk_suit_build_put_manifest(&enc, desc, &plan->digests);
	if (err == TK_OK)
		err = tk_cbor_enc_finish(&enc, &len);
	if (err == TK_OK && len != 1 + plan->manifest_len)
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "manifest of %zu bytes, counted %zu",
			      len - 1, plan->manifest_len);
	return err;
}

static tk_err sign_block(const struct tk_suit_build_signer *s, const struct tk_crypto *crypto,
			 const uint8_t *digest_item, size_t digest_len, uint8_t *out,
			 size_t *out_len, struct tk_diag *diag)
{
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts opts;

	memset(&signer, 0, sizeof(signer));
	signer.key = s->key;
	signer.alg = s->alg != 0 ? s->alg : tk_cose_alg_for_key(s->key);
	signer.kid = s->kid;
	memset(&opts, 0, sizeof(opts));
	opts.tagged = true;
	opts.detached = true;
	return tk_cose_sign1_create(crypto, &signer, digest_item, digest_len, &opts, out,
				    SIGN1_MAX, out_len, diag);
}

/* Envelope head and key 2 with the authentication wrapper, into prefix. */
static tk_err write_prefix(const struct tk_suit_build_desc *desc,
			   const struct tk_crypto *crypto, const struct tail_plan *plan,
			   const uint8_t *manifest_bstr, uint8_t *prefix, size_t *prefix_len,
			   struct tk_diag *diag)
{
	uint8_t digest[TK_SUIT_DIGEST_LEN], digest_item[DIGEST_ITEM_MAX];
	uint8_t blocks[TK_SUIT_BUILD_MAX_SIGNERS][SIGN1_MAX];
	size_t block_len[TK_SUIT_BUILD_MAX_SIGNERS] = {0}, digest_len = 0;
	struct tk_cbor_enc enc;
	tk_err err;

	err = tk_crypto_sha256(crypto, manifest_bstr, plan->manifest_len, digest, diag);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, digest_item, sizeof(digest_item), diag);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, TK_SUIT_ALG_SHA256);
	tk_cbor_put_bstr(&enc, digest, sizeof(digest));
	err = tk_cbor_enc_finish(&enc, &digest_len);
	for (size_t i = 0; i < desc->signer_count && err == TK_OK; i++)
		err = sign_block(&desc->signers[i], crypto, digest_item, digest_len, blocks[i],
				 &block_len[i], diag);
	if (err != TK_OK)
		return err;

	tk_cbor_enc_init(&enc, prefix, PREFIX_MAX, diag);
	if (desc->tagged)
		tk_cbor_put_tag(&enc, TK_SUIT_ENVELOPE_TAG);
	tk_cbor_put_map(&enc, plan->pairs);
	tk_cbor_put_uint(&enc, TK_SUIT_ENV_AUTHENTICATION);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_array(&enc, 1 + desc->signer_count);
	tk_cbor_put_bstr(&enc, digest_item, digest_len);
	for (size_t i = 0; i < desc->signer_count; i++)
		tk_cbor_put_bstr(&enc, blocks[i], block_len[i]);
	tk_cbor_put_bstr_end(&enc);
	return tk_cbor_enc_finish(&enc, prefix_len);
}

tk_err tk_suit_build(const struct tk_suit_build_desc *desc, const struct tk_crypto *crypto,
		     uint8_t *out, size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	uint8_t prefix[PREFIX_MAX];
	size_t prefix_len = 0;
	struct tail_plan plan;
	uint8_t *tail;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing output length");
	*out_len = 0;
	if (desc == NULL || crypto == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "missing description, crypto or buffer");
	err = check_desc(desc, diag);
	if (err == TK_OK)
		err = plan_tail(desc, &plan, diag);
	if (err != TK_OK)
		return err;
	if (out == NULL) {
		*out_len = prefix_bound(desc) + plan.total;
		return TK_OK;
	}
	if (out_cap < prefix_bound(desc) + plan.total)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "envelope needs up to %zu bytes, buffer has %zu",
			       prefix_bound(desc) + plan.total, out_cap);

	tail = out + out_cap - plan.total;
	err = write_tail(desc, crypto, &plan, tail, diag);
	if (err == TK_OK)
		err = write_prefix(desc, crypto, &plan, tail + 1, prefix, &prefix_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		return err;
	}
	memmove(out + prefix_len, tail, plan.total);
	memcpy(out, prefix, prefix_len);
	*out_len = prefix_len + plan.total;
	return TK_OK;
}
