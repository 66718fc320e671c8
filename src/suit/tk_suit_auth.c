/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT authentication. The blocks of the authentication wrapper are
 * checked against trusted keys (COSE_Sign1) and a MAC hook (COSE_Mac0)
 * before any byte of the manifest is read. The keys that verified are then
 * held to their scopes, so a TC signer trusted only for some component ids
 * cannot install or replace others. The wrapper's digest check and the
 * manifest decoder are in tk_suit_envelope.c.
 */
#include "suit/tk_suit.h"

#include <stdio.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/*
 * Trusted keys passed to one authentication (TK_ERR_LIMIT_COUNT). A TC
 * signer has one or two keys (ESP256 and Ed25519) per TAM.
 */
#define MAX_TRUSTED_KEYS 16

/* Maximum length of a component id in diagnostic notation in a message. */
#define ID_TEXT_MAX 96

/* Rank of a failed block's error: the most telling one is reported. */
static int block_error_rank(tk_err err)
{
	switch (err) {
	case TK_ERR_SIGNATURE:
		return 4;
	case TK_ERR_CRIT:
		return 3;
	case TK_ERR_UNTRUSTED:
		return 2;
	case TK_ERR_ALG_UNSUPPORTED:
		return 1;
	default:
		return 5; /* malformed blocks are reported as they are */
	}
}

/* Keys that verified the blocks of one authentication wrapper. */
struct block_result {
	uint32_t anchors; /* bit i: anchor i verified a COSE_Sign1 block */
	bool mac;         /* a COSE_Mac0 block verified */
};

/* Verify one block; TK_ERR_UNSUPPORTED for a block type not checked. */
static tk_err verify_block(const struct tk_crypto *crypto, struct tk_span block,
			   const struct tk_cose_verify_opts *opts,
			   const struct tk_suit_auth_opts *auth, struct block_result *result,
			   struct tk_diag *diag)
{
	struct tk_cose_verified verified;
	tk_err err;

	/* Tag 18 (0xd2) selects COSE_Sign1_Tagged, tag 17 (0xd1)
	 * COSE_Mac0_Tagged; COSE_Sign and COSE_Mac are not supported. */
	if (block.len >= 1 && block.ptr[0] == 0xd2) {
		err = tk_cose_sign1_verify(crypto, block.ptr, block.len, opts, &verified, diag);
		if (err == TK_OK)
			result->anchors |= UINT32_C(1) << verified.key_index;
		return err;
	}
	if (block.len >= 1 && block.ptr[0] == 0xd1 && auth->mac != NULL) {
		err = tk_cose_mac0_verify_hook(auth->mac, block.ptr, block.len, opts, &verified,
					       diag);
		if (err == TK_OK)
			result->mac = true;
		return err;
	}
	return TK_ERR_UNSUPPORTED;
}

/*
 * Verify every block against the anchors and the MAC hook. The detached
 * payload is the encoded SUIT_Digest. Succeeds when at least one block
 * verifies; *result records which keys did.
 */
static tk_err verify_blocks(const struct tk_crypto *crypto, struct tk_span digest,
			    const struct tk_span *blocks, size_t block_count,
			    const struct tk_cose_trusted_key *keys,
			    const struct tk_suit_auth_opts *auth, struct block_result *result,
			    struct tk_diag *diag)
{
	struct tk_cose_verify_opts opts;
	struct tk_diag block_diag, worst_diag;
	tk_err worst = TK_ERR_UNSUPPORTED;
	int worst_rank = 0;
	bool verified = false;

	memset(&opts, 0, sizeof(opts));
	opts.tag_mode = TK_COSE_TAG_REQUIRED;
	opts.detached = true;
	opts.detached_payload = digest;
	opts.keys = keys;
	opts.n_keys = auth->anchor_count;

	memset(result, 0, sizeof(*result));
	tk_diag_clear(&worst_diag);
	for (size_t i = 0; i < block_count; i++) {
		tk_err err;

		tk_diag_clear(&block_diag);
		err = verify_block(crypto, blocks[i], &opts, auth, result, &block_diag);
		if (err == TK_OK)
			verified = true;
		else if (err != TK_ERR_UNSUPPORTED && block_error_rank(err) > worst_rank) {
			worst = err;
			worst_rank = block_error_rank(err);
			worst_diag = block_diag;
		}
	}
	if (verified)
		return TK_OK;
	if (worst_rank == 0)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "none of %zu authentication blocks is a COSE_Sign1%s; other "
			       "block types are not supported", block_count,
			       auth->mac != NULL ? " or COSE_Mac0" : "");
	return TK_FAIL(diag, worst, "authentication block: %s", worst_diag.msg);
}

/* Scopes. */

/* Maximum elements of a trust anchor scope (TK_ERR_LIMIT_COUNT). */
#define MAX_SCOPE_ELEMENTS 16

/*
 * Decode the first elements of an encoded component id, at most cap. An id
 * with more elements fails with TK_ERR_LIMIT_COUNT unless `prefix_only`,
 * which is enough to compare it with a scope of at most cap elements.
 */
static tk_err id_elements(struct tk_span id, bool prefix_only, struct tk_span *elems,
			  size_t cap, size_t *n)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err = tk_cbor_dec_init(&dec, id.ptr, id.len, TK_CBOR_STRICT, NULL);

	*n = 0;
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec) && *n < cap)
		err = tk_cbor_get_bstr(&dec, &elems[(*n)++]);
	if (err == TK_OK && tk_cbor_more(&dec))
		return prefix_only ? TK_OK : TK_ERR_LIMIT_COUNT;
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	return err;
}

/* True when id starts with the elements of scope. */
static bool id_in_scope(struct tk_span id, const struct tk_span *scope, size_t scope_n)
{
	struct tk_span elems[MAX_SCOPE_ELEMENTS];
	size_t n = 0;

	if (id_elements(id, true, elems, MAX_SCOPE_ELEMENTS, &n) != TK_OK || n < scope_n)
		return false;
	for (size_t i = 0; i < scope_n; i++) {
		if (!tk_span_equal(elems[i], scope[i]))
			return false;
	}
	return true;
}

/* Check m's manifest component id and component ids against one scope;
 * *outside is the first id not covered. */
static bool manifest_in_scope(const struct tk_suit_manifest *m, struct tk_span scope,
			      struct tk_span *outside)
{
	struct tk_span elems[MAX_SCOPE_ELEMENTS];
	size_t n = 0;

	if (scope.len == 0)
		return true;
	*outside = scope;
	if (id_elements(scope, false, elems, MAX_SCOPE_ELEMENTS, &n) != TK_OK)
		return false;
	*outside = m->manifest_component_id;
	if (m->manifest_component_id.len > 0 &&
	    !id_in_scope(m->manifest_component_id, elems, n))
		return false;
	for (size_t i = 0; i < m->component_count; i++) {
		*outside = m->components[i];
		if (!id_in_scope(m->components[i], elems, n))
			return false;
	}
	return true;
}

/* Accept m when a MAC verified or a verifying anchor's scope covers it. */
static tk_err check_scopes(const struct tk_suit_manifest *m, const struct tk_suit_auth_opts *auth,
			   const struct block_result *result, struct tk_diag *diag)
{
	struct tk_span outside = TK_SPAN_EMPTY;
	char text[ID_TEXT_MAX];
	size_t text_len = 0;

	if (result->mac)
		return TK_OK;
	for (size_t i = 0; i < auth->anchor_count; i++) {
		if ((result->anchors & (UINT32_C(1) << i)) != 0 &&
		    manifest_in_scope(m, auth->anchors[i].scope, &outside))
			return TK_OK;
	}
	if (tk_cbor_to_diag(outside.ptr, outside.len, TK_CBOR_ALLOW_ALL, false, NULL, text,
			    sizeof(text), &text_len, NULL) != TK_OK)
		snprintf(text, sizeof(text), "(%zu bytes)", outside.len);
	return TK_FAIL(diag, TK_ERR_UNTRUSTED,
		       "the manifest's signer is not trusted for component %s", text);
}

tk_err tk_suit_authenticate_opts(const struct tk_suit_envelope *env,
				 const struct tk_crypto *crypto,
				 const struct tk_suit_auth_opts *opts,
				 struct tk_suit_manifest *out, struct tk_diag *diag)
{
	struct tk_cose_trusted_key trusted[MAX_TRUSTED_KEYS];
	struct tk_span blocks[TK_SUIT_MAX_AUTH_BLOCKS];
	struct tk_span digest_item = TK_SPAN_EMPTY;
	struct block_result result;
	struct tk_suit_manifest m;
	size_t block_count = 0;
	tk_err err;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	if (env == NULL || crypto == NULL || opts == NULL ||
	    (opts->anchors == NULL && opts->anchor_count > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "missing envelope, provider or keys");
	if (opts->anchor_count == 0 && opts->mac == NULL)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "no trusted TC signer key given");
	if (opts->anchor_count > MAX_TRUSTED_KEYS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu trusted keys, limit %d",
			       opts->anchor_count, MAX_TRUSTED_KEYS);
	for (size_t i = 0; i < opts->anchor_count; i++) {
		trusted[i].key = opts->anchors[i].key;
		trusted[i].kid = TK_SPAN_EMPTY;
	}

	err = tk_suit_check_wrapper(crypto, env, &digest_item, blocks, &block_count, m.digest,
				    diag);
	if (err == TK_OK)
		err = verify_blocks(crypto, digest_item, blocks, block_count, trusted, opts,
				    &result, diag);

	/* Authenticated: only now is the manifest read, then its ids are
	 * checked against the scopes of the keys that verified it. */
	if (err == TK_OK)
		err = tk_suit_decode_manifest_in(crypto, env, &m, diag);
	if (err == TK_OK)
		err = check_scopes(&m, opts, &result, diag);
	if (err == TK_OK)
		*out = m;
	return err;
}

tk_err tk_suit_authenticate(const struct tk_suit_envelope *env,
			    const struct tk_crypto *crypto,
			    const struct tk_crypto_key *const *keys, size_t key_count,
			    struct tk_suit_manifest *out, struct tk_diag *diag)
{
	struct tk_suit_trust_anchor anchors[MAX_TRUSTED_KEYS];
	struct tk_suit_auth_opts opts;

	memset(out, 0, sizeof(*out));
	if (keys == NULL && key_count > 0)
		return TK_FAIL(diag, TK_ERR_ARG, "missing envelope, provider or keys");
	if (key_count == 0)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED, "no trusted TC signer key given");
	if (key_count > MAX_TRUSTED_KEYS)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "%zu trusted keys, limit %d",
			       key_count, MAX_TRUSTED_KEYS);
	for (size_t i = 0; i < key_count; i++) {
		anchors[i].key = keys[i];
		anchors[i].scope = TK_SPAN_EMPTY;
	}
	memset(&opts, 0, sizeof(opts));
	opts.anchors = anchors;
	opts.anchor_count = key_count;
	return tk_suit_authenticate_opts(env, crypto, &opts, out, diag);
}
