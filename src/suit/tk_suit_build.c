/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The envelope builder behind `teep manifest`: one trusted component, its
 * digest and size, a URI or an integrated payload, signed with one key.
 *
 * The layout follows the draft-ietf-teep-protocol examples (suit_uri and
 * suit_integrated), so a manifest built with their parameters equals the
 * examples' manifest byte for byte. Only the signature differs, because
 * ECDSA signatures are randomized.
 *
 * No allocation: the manifest is encoded at the end of the caller's buffer,
 * hashed and signed, then moved behind the authentication wrapper written
 * at the front.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/* Upper bounds of the encoded SUIT_Digest (38 bytes: heads, alg and the
 * 32-byte digest) and of the COSE_Sign1 over it (74 bytes: tag, array head,
 * a 4-byte protected header bstr, empty map, nil, 66-byte signature). */
#define DIGEST_ITEM_MAX 40
#define SIGN1_MAX 96
/* Envelope head, key 2, the bstr-wrapped authentication wrapper, key 3. */
#define PREFIX_MAX (8 + DIGEST_ITEM_MAX + SIGN1_MAX + 16)

/* Shared sequence: override-parameters with the identity and the image
 * digest and size, then the vendor and class conditions. */
static void put_shared_sequence(struct tk_cbor_enc *enc,
				const struct tk_suit_build_params *bp,
				const uint8_t digest[TK_SUIT_DIGEST_LEN])
{
	uint64_t pairs = 2 + (bp->vendor_id != NULL) + (bp->class_id != NULL);
	uint64_t items = 2 + 2 * (uint64_t)(bp->vendor_id != NULL) +
			 2 * (uint64_t)(bp->class_id != NULL);

	tk_cbor_put_array(enc, items);
	tk_cbor_put_uint(enc, TK_SUIT_CMD_OVERRIDE_PARAMETERS);
	tk_cbor_put_map(enc, pairs);
	if (bp->vendor_id != NULL) {
		tk_cbor_put_uint(enc, TK_SUIT_PARAM_VENDOR_ID);
		tk_cbor_put_bstr(enc, bp->vendor_id, TK_SUIT_UUID_LEN);
	}
	if (bp->class_id != NULL) {
		tk_cbor_put_uint(enc, TK_SUIT_PARAM_CLASS_ID);
		tk_cbor_put_bstr(enc, bp->class_id, TK_SUIT_UUID_LEN);
	}
	tk_cbor_put_uint(enc, TK_SUIT_PARAM_IMAGE_DIGEST);
	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_array(enc, 2);
	tk_cbor_put_int(enc, TK_SUIT_ALG_SHA256);
	tk_cbor_put_bstr(enc, digest, TK_SUIT_DIGEST_LEN);
	tk_cbor_put_bstr_end(enc);
	tk_cbor_put_uint(enc, TK_SUIT_PARAM_IMAGE_SIZE);
	tk_cbor_put_uint(enc, bp->image.len);

	if (bp->vendor_id != NULL) {
		tk_cbor_put_uint(enc, TK_SUIT_CMD_VENDOR_IDENTIFIER);
		tk_cbor_put_uint(enc, TK_SUIT_REPORT_ALL);
	}
	if (bp->class_id != NULL) {
		tk_cbor_put_uint(enc, TK_SUIT_CMD_CLASS_IDENTIFIER);
		tk_cbor_put_uint(enc, TK_SUIT_REPORT_ALL);
	}
}

/* The manifest as a byte string (the SUIT digest input). */
static void put_manifest_bstr(struct tk_cbor_enc *enc,
			      const struct tk_suit_build_params *bp,
			      const uint8_t digest[TK_SUIT_DIGEST_LEN])
{
	const char *uri = bp->uri != NULL ? bp->uri : bp->integrated_name;

	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_map(enc, 6);
	tk_cbor_put_uint(enc, TK_SUIT_MAN_VERSION);
	tk_cbor_put_uint(enc, 1);
	tk_cbor_put_uint(enc, TK_SUIT_MAN_SEQUENCE_NUMBER);
	tk_cbor_put_uint(enc, bp->sequence_number);

	tk_cbor_put_uint(enc, TK_SUIT_MAN_COMMON);
	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_map(enc, 2);
	tk_cbor_put_uint(enc, TK_SUIT_COMMON_COMPONENTS);
	tk_cbor_put_array(enc, 1);
	tk_cbor_put_raw(enc, bp->component_id.ptr, bp->component_id.len);
	tk_cbor_put_uint(enc, TK_SUIT_COMMON_SHARED_SEQUENCE);
	tk_cbor_put_bstr_begin(enc);
	put_shared_sequence(enc, bp, digest);
	tk_cbor_put_bstr_end(enc);
	tk_cbor_put_bstr_end(enc);

	tk_cbor_put_uint(enc, TK_SUIT_MAN_COMPONENT_ID);
	tk_cbor_put_raw(enc, bp->manifest_component_id.ptr, bp->manifest_component_id.len);

	tk_cbor_put_uint(enc, TK_SUIT_SECTION_INSTALL);
	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_array(enc, 6);
	tk_cbor_put_uint(enc, TK_SUIT_CMD_OVERRIDE_PARAMETERS);
	tk_cbor_put_map(enc, 1);
	tk_cbor_put_uint(enc, TK_SUIT_PARAM_URI);
	tk_cbor_put_cstr(enc, uri);
	tk_cbor_put_uint(enc, TK_SUIT_CMD_FETCH);
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_ALL);
	tk_cbor_put_uint(enc, TK_SUIT_CMD_IMAGE_MATCH);
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_ALL);
	tk_cbor_put_bstr_end(enc);

	tk_cbor_put_uint(enc, TK_SUIT_SECTION_UNINSTALL);
	tk_cbor_put_bstr_begin(enc);
	tk_cbor_put_array(enc, 2);
	tk_cbor_put_uint(enc, TK_SUIT_CMD_UNLINK);
	tk_cbor_put_uint(enc, TK_SUIT_REPORT_ALL);
	tk_cbor_put_bstr_end(enc);
	tk_cbor_put_bstr_end(enc);
}

/* A component id must be one SUIT_Component_Identifier = [* bstr]. */
static tk_err check_component_id(struct tk_span id, const char *what, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span encoded;
	tk_err err;

	if (id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "%s is missing", what);
	err = tk_cbor_dec_init(&dec, id.ptr, id.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_suit_component_id_get(&dec, &encoded);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s is not a SUIT_Component_Identifier", what);
	return TK_OK;
}

static tk_err check_params(const struct tk_suit_build_params *bp, struct tk_diag *diag)
{
	tk_err err;

	if (bp->signer == NULL || bp->crypto == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing signer key or crypto provider");
	if ((bp->uri == NULL) == (bp->integrated_name == NULL))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "give either a URI or an integrated payload name");
	if (bp->uri != NULL && strncmp(bp->uri, "http://", 7) != 0 &&
	    strncmp(bp->uri, "https://", 8) != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "URI %s is not http or https", bp->uri);
	if (bp->uri != NULL && strlen(bp->uri) > TK_SUIT_MAX_URI_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "URI longer than %d bytes",
			       TK_SUIT_MAX_URI_LEN);
	if (bp->integrated_name != NULL &&
	    (bp->integrated_name[0] != '#' || bp->integrated_name[1] == '\0'))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "integrated payload name %s does not start with '#'",
			       bp->integrated_name);
	if (bp->image.len > TK_SUIT_MAX_IMAGE_SIZE || (bp->image.ptr == NULL && bp->image.len))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "image of %zu bytes, limit %u",
			       bp->image.len, (unsigned)TK_SUIT_MAX_IMAGE_SIZE);
	err = check_component_id(bp->component_id, "component id", diag);
	if (err == TK_OK)
		err = check_component_id(bp->manifest_component_id,
					 "manifest component id", diag);
	return err;
}

/*
 * SUIT_Authentication = [ bstr .cbor SUIT_Digest, bstr .cbor COSE_Sign1 ]
 * written with the envelope's first two keys into prefix.
 */
static tk_err build_prefix(const struct tk_suit_build_params *bp,
			   const uint8_t *manifest_bstr, size_t manifest_len,
			   bool integrated, uint8_t *prefix, size_t *prefix_len,
			   struct tk_diag *diag)
{
	uint8_t digest_item[DIGEST_ITEM_MAX], sign1[SIGN1_MAX];
	uint8_t manifest_digest[TK_SUIT_DIGEST_LEN];
	size_t digest_len = 0, sign1_len = 0;
	struct tk_cose_signer signer;
	struct tk_cose_sign_opts sopts;
	struct tk_cbor_enc enc;
	tk_err err;

	err = tk_crypto_sha256(bp->crypto, manifest_bstr, manifest_len, manifest_digest, diag);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, digest_item, sizeof(digest_item), diag);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, TK_SUIT_ALG_SHA256);
	tk_cbor_put_bstr(&enc, manifest_digest, sizeof(manifest_digest));
	err = tk_cbor_enc_finish(&enc, &digest_len);
	if (err != TK_OK)
		return err;

	memset(&signer, 0, sizeof(signer));
	signer.key = bp->signer;
	signer.alg = tk_cose_alg_for_key(bp->signer);
	memset(&sopts, 0, sizeof(sopts));
	sopts.tagged = true;
	sopts.detached = true;
	err = tk_cose_sign1_create(bp->crypto, &signer, digest_item, digest_len, &sopts,
				   sign1, sizeof(sign1), &sign1_len, diag);
	if (err != TK_OK)
		return err;

	tk_cbor_enc_init(&enc, prefix, PREFIX_MAX, diag);
	tk_cbor_put_map(&enc, integrated ? 3 : 2);
	tk_cbor_put_uint(&enc, TK_SUIT_ENV_AUTHENTICATION);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_bstr(&enc, digest_item, digest_len);
	tk_cbor_put_bstr(&enc, sign1, sign1_len);
	tk_cbor_put_bstr_end(&enc);
	tk_cbor_put_uint(&enc, TK_SUIT_ENV_MANIFEST);
	return tk_cbor_enc_finish(&enc, prefix_len);
}

/* Size of the integrated member: text key and byte string. */
static tk_err put_integrated(const struct tk_suit_build_params *bp, uint8_t *out,
			     size_t cap, size_t *len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, out, cap, diag);
	tk_cbor_put_cstr(&enc, bp->integrated_name);
	tk_cbor_put_bstr(&enc, bp->image.ptr, bp->image.len);
	return tk_cbor_enc_finish(&enc, len);
}

tk_err tk_suit_build_envelope(const struct tk_suit_build_params *bp, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	uint8_t digest[TK_SUIT_DIGEST_LEN], prefix[PREFIX_MAX];
	size_t manifest_len = 0, prefix_len = 0, tail_len = 0, total;
	bool integrated;
	struct tk_cbor_enc enc;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing output length");
	*out_len = 0;
	if (bp == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "missing build parameters or buffer");
	err = check_params(bp, diag);
	if (err != TK_OK)
		return err;
	integrated = bp->uri == NULL;

	/* Sizes first: manifest, integrated member, prefix (upper bound). */
	err = tk_crypto_sha256(bp->crypto, bp->image.ptr, bp->image.len, digest, diag);
	if (err != TK_OK)
		return err;
	tk_cbor_enc_init(&enc, NULL, 0, diag);
	put_manifest_bstr(&enc, bp, digest);
	err = tk_cbor_enc_finish(&enc, &manifest_len);
	if (err == TK_OK && integrated)
		err = put_integrated(bp, NULL, 0, &tail_len, diag);
	if (err != TK_OK)
		return err;
	if (out == NULL) {
		*out_len = PREFIX_MAX + manifest_len + tail_len;
		return TK_OK;
	}
	if (out_cap < PREFIX_MAX + manifest_len + tail_len)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "envelope needs up to %zu bytes, buffer has %zu",
			       PREFIX_MAX + manifest_len + tail_len, out_cap);

	/* Manifest at the end of out, then the prefix that signs it. */
	tk_cbor_enc_init(&enc, out + out_cap - manifest_len, manifest_len, diag);
	put_manifest_bstr(&enc, bp, digest);
	err = tk_cbor_enc_finish(&enc, &manifest_len);
	if (err == TK_OK)
		err = build_prefix(bp, out + out_cap - manifest_len, manifest_len,
				   integrated, prefix, &prefix_len, diag);
	if (err != TK_OK) {
		tk_wipe(out, out_cap);
		return err;
	}

	memmove(out + prefix_len, out + out_cap - manifest_len, manifest_len);
	memcpy(out, prefix, prefix_len);
	total = prefix_len + manifest_len;
	if (integrated) {
		err = put_integrated(bp, out + total, out_cap - total, &tail_len, diag);
		if (err != TK_OK) {
			tk_wipe(out, out_cap);
			return err;
		}
		total += tail_len;
	}
	*out_len = total;
	return TK_OK;
}
