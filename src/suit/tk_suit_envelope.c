/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT envelope decoding and the authentication wrapper's digest check.
 *
 * The envelope is read in two steps so that no byte of the manifest is
 * interpreted before it is authenticated (manifest-37 section 6.2). The
 * envelope decoder only splits the outer map into views. The manifest is
 * decoded by tk_suit_authenticate() (tk_suit_auth.c), after the SUIT digest
 * and a block over it have been checked. tk_suit_check_envelope_unauthenticated()
 * decodes it with the same decoder for inspection and drops the result. Every map is read in the strict CBOR profile and
 * in canonical key order, which the draft requires of SUIT encodings.
 */
#include "suit/tk_suit.h"

#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/* Tag of COSE_Mac_Tagged (RFC 9052 section 6.1), which tk_cose.h lacks. */
#define COSE_TAG_MAC 97

/* Length of the name of one part of the envelope in an error message. */
#define PART_NAME_MAX 48

/* Helpers shared with the processor and the builder. */

/* Decode one encoded key item. */
static tk_err decode_key(struct tk_span raw, struct tk_suit_key *key, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	tk_err err;

	err = tk_cbor_dec_init(&dec, raw.ptr, raw.len, TK_CBOR_STRICT, diag);
	if (err != TK_OK)
		return err;
	key->type = tk_cbor_peek(&dec);
	if (key->type == TK_CBOR_UINT || key->type == TK_CBOR_NINT)
		err = tk_cbor_get_int(&dec, &key->value);
	else if (key->type == TK_CBOR_TSTR)
		err = tk_cbor_get_tstr(&dec, &key->text);
	else
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "map key is neither an integer nor a text string");
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

tk_err tk_suit_map_key(struct tk_cbor_dec *dec, struct tk_suit_key_order *order,
		       struct tk_suit_key *key)
{
	struct tk_span raw;
	tk_err err;

	memset(key, 0, sizeof(*key));
	err = tk_cbor_get_raw(dec, &raw);
	if (err != TK_OK)
		return err;

	if (order->prev.len > 0) {
		size_t n = order->prev.len < raw.len ? order->prev.len : raw.len;
		int cmp = memcmp(order->prev.ptr, raw.ptr, n);

		/* Equal keys are rejected by the CBOR decoder already. */
		if (cmp > 0 || (cmp == 0 && order->prev.len > raw.len))
			return tk_cbor_dec_fail(dec, TK_ERR_CBOR_NOT_PREFERRED,
						"map keys not in canonical order "
						"(RFC 8949 section 4.2.1)");
	}
	order->prev = raw;

	err = decode_key(raw, key, NULL);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err,
					"map key is neither an int64 nor a text string");
	return TK_OK;
}

tk_err tk_suit_get_bstr_with_head(struct tk_cbor_dec *dec, struct tk_span *content,
				  struct tk_span *encoded)
{
	struct tk_cbor_dec inner;
	tk_err err;

	*content = TK_SPAN_EMPTY;
	*encoded = TK_SPAN_EMPTY;
	if (tk_cbor_peek(dec) != TK_CBOR_BSTR)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "expected a byte string");
	err = tk_cbor_get_raw(dec, encoded);
	if (err == TK_OK)
		err = tk_cbor_dec_init(&inner, encoded->ptr, encoded->len, TK_CBOR_STRICT, NULL);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&inner, content);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&inner);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err, "byte string could not be read");
	return TK_OK;
}

/* SUIT_Digest = [ suit-digest-algorithm-id: int, suit-digest-bytes: bstr,
 *                 * $$SUIT_Digest-extensions ] */
tk_err tk_suit_digest_decode(const uint8_t *buf, size_t len,
			     struct tk_suit_digest *out, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	struct tk_suit_digest digest = {0, TK_SPAN_EMPTY};
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count < 2)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "SUIT_Digest has %llu items, expected at least 2",
				       (unsigned long long)count);
	if (err == TK_OK)
		err = tk_cbor_get_int(&dec, &digest.alg);
	if (err == TK_OK && digest.alg != TK_SUIT_ALG_SHA256)
		err = tk_cbor_dec_fail(&dec, TK_ERR_ALG_UNSUPPORTED,
				       "SUIT digest algorithm %lld, only SHA-256 (-16) "
				       "is supported", (long long)digest.alg);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &digest.bytes);
	if (err == TK_OK && digest.bytes.len != TK_SUIT_DIGEST_LEN)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "SHA-256 digest of %zu bytes, expected %d",
				       digest.bytes.len, TK_SUIT_DIGEST_LEN);
	/* Extensions are allowed by the CDDL and carry nothing we use. */
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		*out = digest;
	return err;
}

/* SUIT_Component_Identifier = [* bstr] */
tk_err tk_suit_component_id_get(struct tk_cbor_dec *dec, struct tk_span *out)
{
	struct tk_cbor_dec inner;
	struct tk_span raw, part;
	uint64_t count = 0;
	tk_err err;

	*out = TK_SPAN_EMPTY;
	if (tk_cbor_peek(dec) != TK_CBOR_ARRAY)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
					"component id is not an array");
	err = tk_cbor_get_raw(dec, &raw);
	if (err != TK_OK)
		return err;
	if (raw.len > TK_SUIT_MAX_ID_LEN)
		return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_SIZE,
					"component id of %zu bytes, limit %d", raw.len,
					TK_SUIT_MAX_ID_LEN);

	err = tk_cbor_dec_init(&inner, raw.ptr, raw.len, TK_CBOR_STRICT, NULL);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&inner, &count);
	while (err == TK_OK && tk_cbor_more(&inner))
		err = tk_cbor_get_bstr(&inner, &part);
	if (err == TK_OK)
		err = tk_cbor_leave(&inner);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&inner);
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err,
					"component id is not an array of byte strings");
	*out = raw;
	return TK_OK;
}

/* Envelope decoding. */

/* One envelope member with an integer key. */
static tk_err decode_envelope_member(struct tk_cbor_dec *dec, uint64_t key,
				     struct tk_suit_envelope *env)
{
	struct tk_span content, encoded;
	struct tk_span *severed = NULL;
	tk_err err;

	switch (key) {
	case TK_SUIT_ENV_AUTHENTICATION:
		return tk_cbor_get_bstr(dec, &env->auth_wrapper);
	case TK_SUIT_ENV_MANIFEST:
		return tk_suit_get_bstr_with_head(dec, &env->manifest, &env->manifest_bstr);
	case TK_SUIT_SECTION_PAYLOAD_FETCH:
		severed = &env->severed_payload_fetch;
		break;
	case TK_SUIT_SECTION_INSTALL:
		severed = &env->severed_install;
		break;
	case TK_SUIT_MAN_TEXT:
		severed = &env->severed_text;
		break;
	/* Severable as well (trust-domains-11 section 9.1). */
	case TK_SUIT_SECTION_DEPENDENCY_RESOLUTION:
		severed = &env->severed_dependency_resolution;
		break;
	case TK_SUIT_SECTION_CANDIDATE_VERIFICATION:
		severed = &env->severed_candidate_verification;
		break;
	default:
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
					"unknown envelope key %llu",
					(unsigned long long)key);
	}

	err = tk_suit_get_bstr_with_head(dec, &content, &encoded);
	if (err == TK_OK)
		*severed = encoded;
	return err;
}

/* One integrated payload: tstr key => bstr. */
static tk_err decode_integrated(struct tk_cbor_dec *dec, struct tk_span name,
				struct tk_suit_envelope *env)
{
	struct tk_span payload;
	tk_err err;

	if (env->integrated_count == TK_SUIT_MAX_INTEGRATED)
		return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
					"more than %d integrated payloads",
					TK_SUIT_MAX_INTEGRATED);
	err = tk_cbor_get_bstr(dec, &payload);
	if (err != TK_OK)
		return err;
	env->integrated[env->integrated_count].name = name;
	env->integrated[env->integrated_count].payload = payload;
	env->integrated_count++;
	return TK_OK;
}

/*
 * SUIT_Envelope_Tagged = #6.107(SUIT_Envelope)
 * SUIT_Envelope = {
 *   suit-authentication-wrapper => bstr .cbor SUIT_Authentication,  ; 2
 *   suit-manifest => bstr .cbor SUIT_Manifest,                      ; 3
 *   ? suit-payload-fetch => bstr, ? suit-install => bstr,           ; 16, 20
 *   ? suit-text => bstr,                                            ; 23
 *   * tstr => bstr,                           ; integrated payloads
 * }
 */
static tk_err decode_envelope_map(struct tk_cbor_dec *dec, struct tk_suit_envelope *env)
{
	struct tk_suit_key_order order = {TK_SPAN_EMPTY};
	struct tk_suit_key key;
	uint64_t count = 0;
	bool found = false;
	tk_err err;

	err = tk_cbor_skip_tag(dec, TK_SUIT_ENVELOPE_TAG, &found);
	env->tagged = found;
	if (err == TK_OK && tk_cbor_peek(dec) != TK_CBOR_MAP)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
				       "SUIT envelope is not a map (or has a tag "
				       "other than 107)");
	if (err == TK_OK)
		err = tk_cbor_enter_map(dec, &count);

	while (err == TK_OK && tk_cbor_more(dec)) {
		err = tk_suit_map_key(dec, &order, &key);
		if (err != TK_OK)
			break;
		if (key.type == TK_CBOR_UINT)
			err = decode_envelope_member(dec, (uint64_t)key.value, env);
		else if (key.type == TK_CBOR_TSTR)
			err = decode_integrated(dec, key.text, env);
		else
			err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_UNKNOWN,
					       "unknown envelope key %lld",
					       (long long)key.value);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);

	if (err == TK_OK && env->auth_wrapper.ptr == NULL)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "envelope has no authentication wrapper (key 2)");
	if (err == TK_OK && env->manifest_bstr.ptr == NULL)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "envelope has no manifest (key 3)");
	return err;
}

tk_err tk_suit_decode_envelope(const uint8_t *buf, size_t len,
			       struct tk_suit_envelope *out, struct tk_diag *diag)
{
	struct tk_suit_envelope env;
	struct tk_cbor_dec dec;
	tk_err err;

	memset(out, 0, sizeof(*out));
	memset(&env, 0, sizeof(env));
	if (buf == NULL || len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "empty SUIT envelope");
	if (len > TK_SUIT_MAX_ENVELOPE_SIZE)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
			       "SUIT envelope of %zu bytes, limit %u", len,
			       (unsigned)TK_SUIT_MAX_ENVELOPE_SIZE);

	env.raw = tk_span_make(buf, len);
	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = decode_envelope_map(&dec, &env);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		*out = env;
	return err;
}

/* Authentication. */

/*
 * Copy a failure `err` recorded in `inner` while decoding `part`, a view
 * into the envelope, into diag. The message gets `field` in front, and the
 * offset is counted from the start of the envelope.
 */
static tk_err fail_in_part(struct tk_diag *diag, tk_err err, const struct tk_diag *inner,
			   const struct tk_suit_envelope *env, struct tk_span part,
			   const char *field)
{
	size_t offset = inner->offset;

	if (inner->code == TK_OK)
		return TK_FAIL(diag, err, "%s: no detail recorded", field);
	if (offset != TK_DIAG_NO_OFFSET)
		offset += (size_t)(part.ptr - env->raw.ptr);
	return tk_diag_set(diag, inner->code, offset, inner->file, inner->line, "%s: %s",
			   field, inner->msg);
}

/*
 * SUIT_Authentication = [ bstr .cbor SUIT_Digest,
 *                         * bstr .cbor SUIT_Authentication_Block ]
 * Returns the digest's content and up to TK_SUIT_MAX_AUTH_BLOCKS blocks.
 */
static tk_err decode_auth_wrapper(struct tk_span wrapper, struct tk_span *digest,
				  struct tk_span blocks[TK_SUIT_MAX_AUTH_BLOCKS],
				  size_t *block_count, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	size_t n = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, wrapper.ptr, wrapper.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count < 2)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_MISSING,
				       "authentication wrapper has no authentication "
				       "block (manifest-37 section 8.3)");
	if (err == TK_OK && count - 1 > TK_SUIT_MAX_AUTH_BLOCKS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT,
				       "%llu authentication blocks, limit %d",
				       (unsigned long long)(count - 1),
				       TK_SUIT_MAX_AUTH_BLOCKS);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, digest);
	while (err == TK_OK && tk_cbor_more(&dec) && n < TK_SUIT_MAX_AUTH_BLOCKS)
		err = tk_cbor_get_bstr(&dec, &blocks[n++]);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	*block_count = err == TK_OK ? n : 0;
	return err;
}

/* Check the SUIT_Digest against SHA-256 of the encoded manifest bstr. */
static tk_err check_manifest_digest(const struct tk_crypto *crypto,
				    const struct tk_suit_envelope *env,
				    struct tk_span digest_item,
				    uint8_t out[TK_SUIT_DIGEST_LEN], struct tk_diag *diag)
{
	struct tk_suit_digest expected;
	uint8_t actual[TK_SUIT_DIGEST_LEN];
	tk_err err;

	err = tk_suit_digest_decode(digest_item.ptr, digest_item.len, &expected, diag);
	if (err != TK_OK)
		return err;
	err = tk_crypto_sha256(crypto, env->manifest_bstr.ptr, env->manifest_bstr.len,
			       actual, diag);
	if (err != TK_OK)
		return err;
	if (!tk_ct_equal(actual, expected.bytes.ptr, TK_SUIT_DIGEST_LEN))
		return TK_FAIL_AT(diag, TK_ERR_DIGEST_MISMATCH, 0,
				  "SUIT digest of the manifest does not match the "
				  "authentication wrapper");
	memcpy(out, actual, TK_SUIT_DIGEST_LEN);
	return TK_OK;
}

/* Declared in tk_suit_impl.h. */
tk_err tk_suit_check_wrapper(const struct tk_crypto *crypto, const struct tk_suit_envelope *env,
			     struct tk_span *digest_item,
			     struct tk_span blocks[TK_SUIT_MAX_AUTH_BLOCKS], size_t *block_count,
			     uint8_t digest[TK_SUIT_DIGEST_LEN], struct tk_diag *diag)
{
	struct tk_diag inner;
	tk_err err;

	tk_diag_clear(&inner);
	err = decode_auth_wrapper(env->auth_wrapper, digest_item, blocks, block_count, &inner);
	if (err != TK_OK)
		return fail_in_part(diag, err, &inner, env, env->auth_wrapper,
				    "authentication wrapper");
	err = check_manifest_digest(crypto, env, *digest_item, digest, &inner);
	if (err != TK_OK)
		return fail_in_part(diag, err, &inner, env, *digest_item,
				    "authentication wrapper digest");
	return TK_OK;
}

/* Declared in tk_suit_impl.h. */
tk_err tk_suit_decode_manifest_in(const struct tk_crypto *crypto,
				  const struct tk_suit_envelope *env,
				  struct tk_suit_manifest *m, struct tk_diag *diag)
{
	struct tk_diag inner;
	tk_err err;

	tk_diag_clear(&inner);
	err = tk_suit_decode_manifest(crypto, env, m, &inner);
	if (err != TK_OK)
		return fail_in_part(diag, err, &inner, env, env->manifest, "manifest");
	return TK_OK;
}

/* Fail unless the protected header, the content of a bstr, is empty or a map. */
static tk_err check_protected_header(struct tk_cbor_dec *dec, struct tk_span protected)
{
	struct tk_cbor_dec inner;
	tk_err err;

	if (protected.len == 0)
		return TK_OK;
	err = tk_cbor_dec_init(&inner, protected.ptr, protected.len, TK_CBOR_STRICT, NULL);
	if (err == TK_OK && tk_cbor_peek(&inner) != TK_CBOR_MAP)
		err = TK_ERR_SCHEMA_TYPE;
	if (err != TK_OK)
		return tk_cbor_dec_fail(dec, err, "protected header is not an encoded map");
	return TK_OK;
}

/*
 * COSE_Sign1_Tagged = #6.18([protected: bstr, unprotected: map,
 *                            payload: bstr / nil, signature: bstr])
 * COSE_Mac0_Tagged  = #6.17([protected: bstr, unprotected: map,
 *                            payload: bstr / nil, tag: bstr])
 * (RFC 9052 sections 4.2 and 6.2). Checks the shape of one authentication
 * block and verifies nothing. COSE_Sign and COSE_Mac, which SUIT also
 * allows, fail with TK_ERR_UNSUPPORTED like in tk_suit_authenticate().
 */
static tk_err check_block_shape(struct tk_span block, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span protected = TK_SPAN_EMPTY;
	uint64_t tag = 0, count = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, block.ptr, block.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_TAG)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TAG,
				       "not a COSE_Sign1_Tagged (18) or COSE_Mac0_Tagged (17)");
	if (err == TK_OK)
		err = tk_cbor_get_tag(&dec, &tag);
	if (err == TK_OK && (tag == TK_COSE_TAG_SIGN || tag == COSE_TAG_MAC))
		err = tk_cbor_dec_fail(&dec, TK_ERR_UNSUPPORTED,
				       "COSE tag %llu: only COSE_Sign1 and COSE_Mac0 blocks "
				       "are supported", (unsigned long long)tag);
	else if (err == TK_OK && tag != TK_COSE_TAG_SIGN1 && tag != TK_COSE_TAG_MAC0)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TAG,
				       "tag %llu is not COSE_Sign1_Tagged (18) or "
				       "COSE_Mac0_Tagged (17)", (unsigned long long)tag);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_ARRAY)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE, "COSE structure is not an array");
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && count != 4)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "COSE structure has %llu elements, expected 4",
				       (unsigned long long)count);

	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_BSTR)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "protected header is not a byte string");
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &protected);
	if (err == TK_OK)
		err = check_protected_header(&dec, protected);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_MAP)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE, "unprotected header is not a map");
	if (err == TK_OK)
		err = tk_cbor_skip(&dec);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_BSTR &&
	    tk_cbor_peek(&dec) != TK_CBOR_NULL)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "payload is neither a byte string nor nil");
	if (err == TK_OK)
		err = tk_cbor_skip(&dec);
	if (err == TK_OK && tk_cbor_peek(&dec) != TK_CBOR_BSTR)
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TYPE,
				       "%s is not a byte string",
				       tag == TK_COSE_TAG_SIGN1 ? "signature" : "tag");
	if (err == TK_OK)
		err = tk_cbor_skip(&dec);

	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

tk_err tk_suit_check_envelope_unauthenticated(const struct tk_suit_envelope *env,
					      const struct tk_crypto *crypto,
					      struct tk_diag *diag)
{
	struct tk_span blocks[TK_SUIT_MAX_AUTH_BLOCKS];
	struct tk_span digest_item = TK_SPAN_EMPTY;
	uint8_t digest[TK_SUIT_DIGEST_LEN];
	struct tk_suit_manifest m;
	struct tk_diag inner;
	size_t block_count = 0;
	tk_err err;

	if (env == NULL || crypto == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing envelope or provider");
	memset(&m, 0, sizeof(m));

	err = tk_suit_check_wrapper(crypto, env, &digest_item, blocks, &block_count, digest,
				    diag);
	for (size_t i = 0; err == TK_OK && i < block_count; i++) {
		char field[PART_NAME_MAX];

		tk_diag_clear(&inner);
		err = check_block_shape(blocks[i], &inner);
		snprintf(field, sizeof(field), "authentication block %zu", i + 1);
		if (err != TK_OK)
			err = fail_in_part(diag, err, &inner, env, blocks[i], field);
	}

	/*
	 * The same decoder as after authentication, so inspection rejects
	 * what an agent would reject. Its result is dropped: without a
	 * verified signature it must never reach tk_suit_process().
	 */
	if (err == TK_OK)
		err = tk_suit_decode_manifest_in(crypto, env, &m, diag);
	return err;
}
