/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pieces shared by COSE_Sign1, COSE_Sign and COSE_Mac0: header parameter
 * parsing with the understood set of tk_cose.h, the outer tag and payload,
 * the Sig_structure and MAC_structure, and the search for a trusted key.
 *
 * Header buckets (RFC 9052 section 3):
 *   Headers = (protected: empty_or_serialized_map, unprotected: header_map)
 *   empty_or_serialized_map = bstr .cbor header_map / bstr .size 0
 * A protected header may contain only the labels we understand, since a
 * parameter we ignore there could change the meaning of what was signed.
 * Unknown unprotected labels are skipped.
 */
#include "cose/tk_cose_impl.h"

#include <inttypes.h>
#include <string.h>

#include "cbor/tk_cbor.h"

/* Bit of a header label in tk_cose_hdr.prot_labels / unprot_labels. */
#define LABEL_BIT(label) (1u << (unsigned)(label))

static tk_err parse_alg(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr)
{
	struct tk_span text;
	tk_err err;

	if (tk_cbor_peek(dec) == TK_CBOR_TSTR) {
		err = tk_cbor_get_tstr(dec, &text);
		hdr->alg_is_text = true;
	} else {
		err = tk_cbor_get_int(dec, &hdr->h.alg);
	}
	if (err == TK_OK)
		hdr->h.has_alg = true;
	return err;
}

static tk_err parse_content_type(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr)
{
	tk_err err;

	if (tk_cbor_peek(dec) == TK_CBOR_TSTR) {
		err = tk_cbor_get_tstr(dec, &hdr->h.content_type_text);
		hdr->h.content_type_is_text = true;
	} else {
		err = tk_cbor_get_uint(dec, &hdr->h.content_type_uint);
	}
	if (err == TK_OK)
		hdr->h.has_content_type = true;
	return err;
}

static tk_err parse_kid(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr)
{
	tk_err err = tk_cbor_get_bstr(dec, &hdr->h.kid);

	if (err == TK_OK && hdr->h.kid.len > TK_COSE_KID_MAX)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
					"kid of %zu bytes, limit %d", hdr->h.kid.len,
					TK_COSE_KID_MAX);
	return err;
}

/* crit = [+ label] (RFC 9052 section 3.1); text labels are never understood. */
static tk_err parse_crit(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr)
{
	uint64_t count;
	tk_err err = tk_cbor_enter_array(dec, &count);

	if (err != TK_OK)
		return err;
	if (count == 0)
		return tk_cbor_dec_fail(dec, TK_ERR_CRIT, "crit array is empty");
	if (count > TK_COSE_MAX_CRIT)
		return tk_cbor_dec_fail(dec, TK_ERR_CRIT, "crit lists %" PRIu64
					" labels, limit %d", count, TK_COSE_MAX_CRIT);
	while (err == TK_OK && tk_cbor_more(dec)) {
		if (hdr->n_crit >= TK_COSE_MAX_CRIT)
			return tk_cbor_dec_fail(dec, TK_ERR_CRIT, "crit has too many labels");
		if (tk_cbor_peek(dec) == TK_CBOR_TSTR)
			return tk_cbor_dec_fail(dec, TK_ERR_CRIT,
						"crit lists a text label, not understood");
		err = tk_cbor_get_int(dec, &hdr->crit[hdr->n_crit]);
		if (err == TK_OK)
			hdr->n_crit++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	return err;
}

/* Parse the value of an understood label 1-4 and record which bucket had it. */
static tk_err parse_param(struct tk_cbor_dec *dec, int64_t label, bool protected_bucket,
			  struct tk_cose_hdr *hdr)
{
	unsigned *mine = protected_bucket ? &hdr->prot_labels : &hdr->unprot_labels;
	unsigned other = protected_bucket ? hdr->unprot_labels : hdr->prot_labels;

	/* RFC 9052 section 3: a label must not occur in both buckets. */
	if (other & LABEL_BIT(label))
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"header label %" PRId64 " in both buckets", label);
	*mine |= LABEL_BIT(label);

	switch (label) {
	case TK_COSE_HDR_ALG:
		return parse_alg(dec, hdr);
	case TK_COSE_HDR_CRIT:
		if (!protected_bucket)
			return tk_cbor_dec_fail(dec, TK_ERR_CRIT,
						"crit in the unprotected header");
		return parse_crit(dec, hdr);
	case TK_COSE_HDR_CONTENT_TYPE:
		return parse_content_type(dec, hdr);
	default:
		return parse_kid(dec, hdr);
	}
}

/* Every crit label must be one we process and be in the protected map. */
static tk_err check_crit(const struct tk_cose_hdr *hdr, struct tk_diag *diag)
{
	for (size_t i = 0; i < hdr->n_crit; i++) {
		int64_t label = hdr->crit[i];

		if (label != TK_COSE_HDR_ALG && label != TK_COSE_HDR_CONTENT_TYPE &&
		    label != TK_COSE_HDR_KID)
			return TK_FAIL(diag, TK_ERR_CRIT,
				       "crit lists label %" PRId64 ", not understood", label);
		if (!(hdr->prot_labels & LABEL_BIT(label)))
			return TK_FAIL(diag, TK_ERR_CRIT,
				       "crit lists label %" PRId64
				       ", absent from the protected header", label);
	}
	return TK_OK;
}

tk_err tk_cose_parse_protected(struct tk_span raw, struct tk_cose_hdr *hdr,
			       struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	uint64_t count;
	int64_t label;
	tk_err err;

	hdr->h.protected_raw = raw;
	if (raw.len == 0)
		return TK_OK;

	err = tk_cbor_dec_init(&dec, raw.ptr, raw.len, TK_COSE_DEC_FLAGS, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_map(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		if (tk_cbor_peek(&dec) != TK_CBOR_UINT && tk_cbor_peek(&dec) != TK_CBOR_NINT)
			return tk_cbor_dec_fail(&dec, TK_ERR_CRIT,
						"protected header has a text label, not understood");
		err = tk_cbor_get_int(&dec, &label);
		if (err != TK_OK)
			break;
		if (label < TK_COSE_HDR_ALG || label > TK_COSE_HDR_KID)
			return tk_cbor_dec_fail(&dec, TK_ERR_CRIT,
						"protected header label %" PRId64
						" not understood", label);
		err = parse_param(&dec, label, true, hdr);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		err = check_crit(hdr, diag);
	return err;
}

/*
 * Parse one unprotected label: 1-4 as in the protected bucket, and the
 * encryption labels IV, partial IV, ephemeral key and salt. Others are
 * skipped.
 */
static tk_err parse_unprotected_param(struct tk_cbor_dec *dec, int64_t label,
				      struct tk_cose_hdr *hdr)
{
	struct tk_span unused;

	switch (label) {
	case TK_COSE_HDR_ALG:
	case TK_COSE_HDR_CRIT:
	case TK_COSE_HDR_CONTENT_TYPE:
	case TK_COSE_HDR_KID:
		return parse_param(dec, label, false, hdr);
	case TK_COSE_HDR_IV:
		return tk_cbor_get_bstr(dec, &hdr->h.iv);
	case TK_COSE_HDR_PARTIAL_IV:
		hdr->has_partial_iv = true;
		return tk_cbor_get_bstr(dec, &unused);
	case TK_COSE_HDR_EPHEMERAL_KEY:
		if (tk_cbor_peek(dec) != TK_CBOR_MAP)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE,
						"ephemeral key is not a COSE_Key map");
		return tk_cbor_get_raw(dec, &hdr->ephemeral_key);
	case TK_COSE_HDR_SALT:
		return tk_cbor_get_bstr(dec, &hdr->salt);
	default:
		return tk_cbor_skip(dec);
	}
}

tk_err tk_cose_parse_unprotected(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr)
{
	uint64_t count;
	int64_t label;
	tk_err err = tk_cbor_enter_map(dec, &count);

	while (err == TK_OK && tk_cbor_more(dec)) {
		enum tk_cbor_type type = tk_cbor_peek(dec);

		/* Text labels are not ours: skip the pair. */
		if (type != TK_CBOR_UINT && type != TK_CBOR_NINT) {
			err = tk_cbor_skip(dec);
			if (err == TK_OK)
				err = tk_cbor_skip(dec);
			continue;
		}
		err = tk_cbor_get_int(dec, &label);
		if (err == TK_OK)
			err = parse_unprotected_param(dec, label, hdr);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	return err;
}

tk_err tk_cose_read_tag(struct tk_cbor_dec *dec, enum tk_cose_tag_mode mode,
			uint64_t expected, const char *what)
{
	uint64_t tag;
	tk_err err;

	if (tk_cbor_peek(dec) != TK_CBOR_TAG) {
		if (mode == TK_COSE_TAG_REQUIRED)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
						"%s without its tag %" PRIu64, what, expected);
		return TK_OK;
	}
	err = tk_cbor_get_tag(dec, &tag);
	if (err != TK_OK)
		return err;
	if (tag != expected)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"%s with tag %" PRIu64 ", expected %" PRIu64,
					what, tag, expected);
	if (mode == TK_COSE_TAG_FORBIDDEN)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"%s tagged where an untagged one is required", what);
	return TK_OK;
}

tk_err tk_cose_read_payload(struct tk_cbor_dec *dec,
			    const struct tk_cose_verify_opts *opts,
			    struct tk_span *payload)
{
	enum tk_cbor_type type = tk_cbor_peek(dec);

	if (type == TK_CBOR_NULL) {
		if (!opts->detached)
			return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
						"payload is nil but no detached payload was given");
		*payload = opts->detached_payload;
		return tk_cbor_get_null(dec);
	}
	if (opts->detached && type == TK_CBOR_BSTR)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
					"payload is attached but a detached one was expected");
	return tk_cbor_get_bstr(dec, payload);
}

enum tk_crypto_key_type tk_cose_key_type_for(enum tk_crypto_sig_alg alg)
{
	switch (alg) {
	case TK_CRYPTO_SIG_ECDSA_P256_SHA256:
		return TK_CRYPTO_KEY_P256;
	case TK_CRYPTO_SIG_ED25519:
		return TK_CRYPTO_KEY_ED25519;
	default:
		return TK_CRYPTO_KEY_NONE;
	}
}

tk_err tk_cose_check_verify_opts(const struct tk_cose_verify_opts *opts,
				 struct tk_diag *diag)
{
	if ((opts->external_aad.ptr == NULL && opts->external_aad.len != 0) ||
	    (opts->detached_payload.ptr == NULL && opts->detached_payload.len != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "external AAD or detached payload is NULL");
	if ((opts->keys == NULL && opts->n_keys != 0) ||
	    (opts->allowed_algs == NULL && opts->n_allowed_algs != 0))
		return TK_FAIL(diag, TK_ERR_ARG, "trusted keys or allowed algs are NULL");
	return TK_OK;
}

static bool alg_allowed(int64_t alg, const struct tk_cose_verify_opts *opts)
{
	if (opts->allowed_algs == NULL)
		return true;
	for (size_t i = 0; i < opts->n_allowed_algs; i++) {
		if (opts->allowed_algs[i] == alg)
			return true;
	}
	return false;
}

tk_err tk_cose_check_sig_alg(const struct tk_cose_hdr *hdr,
			     const struct tk_cose_verify_opts *opts,
			     enum tk_crypto_sig_alg *sig_alg, struct tk_diag *diag)
{
	*sig_alg = TK_CRYPTO_SIG_NONE;
	if (!hdr->h.has_alg)
		return TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "alg header parameter missing");
	if (hdr->alg_is_text)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "alg given as text");
	*sig_alg = tk_cose_sig_alg(hdr->h.alg);
	if (*sig_alg == TK_CRYPTO_SIG_NONE)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED, "alg %" PRId64, hdr->h.alg);
	if (!alg_allowed(hdr->h.alg, opts)) {
		*sig_alg = TK_CRYPTO_SIG_NONE;
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "alg %" PRId64 " not allowed here", hdr->h.alg);
	}
	return TK_OK;
}

/*
 * Encode the head of a byte string of `len` bytes without its content. The
 * head of a bstr has the same shape as the head of an unsigned integer with
 * the same argument (RFC 8949 section 3), so tk_cbor writes the uint and
 * the major type bits are changed from 0 to 2.
 */
tk_err tk_cose_bstr_head(uint64_t len, uint8_t out[9], size_t *out_len,
			 struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	tk_err err;

	tk_cbor_enc_init(&enc, out, 9, diag);
	tk_cbor_put_uint(&enc, len);
	err = tk_cbor_enc_finish(&enc, out_len);
	if (err == TK_OK)
		out[0] |= 0x40;
	return err;
}

/*
 * RFC 9052 section 3: a protected header without parameters is sent as a
 * zero-length bstr, "the version used in the serialization structures for
 * cryptographic computation", and recipients should also accept an encoded
 * empty map (h'A0'). Both therefore enter the structure as h''; the COSE WG
 * examples sign-pass-01 and mac-pass-01 are signed that way.
 */
struct tk_span tk_cose_structure_protected(struct tk_span raw)
{
	if (raw.len == 1 && raw.ptr[0] == 0xa0)
		return TK_SPAN_EMPTY;
	return raw;
}

tk_err tk_cose_build_tbs(struct tk_cose_tbs *tbs, const char *context,
			 struct tk_span body_protected, bool has_sign_protected,
			 struct tk_span sign_protected, struct tk_span external_aad,
			 struct tk_span payload, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;
	struct tk_span fields[3];
	size_t n_fields = 0;
	size_t prefix_len = 0;
	size_t head_len = 0;
	uint8_t head[9];
	tk_err err;

	memset(tbs, 0, sizeof(*tbs));
	body_protected = tk_cose_structure_protected(body_protected);
	sign_protected = tk_cose_structure_protected(sign_protected);

	/* [context, body_protected, ...: the prefix ends with the first bstr head. */
	tk_cbor_enc_init(&enc, tbs->prefix, sizeof(tbs->prefix), diag);
	tk_cbor_put_array(&enc, has_sign_protected ? 5 : 4);
	tk_cbor_put_cstr(&enc, context);
	err = tk_cose_bstr_head(body_protected.len, head, &head_len, diag);
	if (err != TK_OK)
		return err;
	tk_cbor_put_raw(&enc, head, head_len);
	err = tk_cbor_enc_finish(&enc, &prefix_len);
	if (err != TK_OK)
		return err;
	tbs->parts[tbs->n_parts++] = tk_span_make(tbs->prefix, prefix_len);
	tbs->parts[tbs->n_parts++] = body_protected;

	if (has_sign_protected)
		fields[n_fields++] = sign_protected;
	fields[n_fields++] = external_aad;
	fields[n_fields++] = payload;
	for (size_t i = 0; i < n_fields; i++) {
		err = tk_cose_bstr_head(fields[i].len, tbs->heads[i], &head_len, diag);
		if (err != TK_OK)
			return err;
		tbs->parts[tbs->n_parts++] = tk_span_make(tbs->heads[i], head_len);
		tbs->parts[tbs->n_parts++] = fields[i];
	}
	return TK_OK;
}

static const char *key_type_name(enum tk_crypto_key_type type)
{
	switch (type) {
	case TK_CRYPTO_KEY_P256:
		return "P-256";
	case TK_CRYPTO_KEY_ED25519:
		return "Ed25519";
	default:
		return "matching";
	}
}

static const char *sig_alg_name(enum tk_crypto_sig_alg alg)
{
	switch (alg) {
	case TK_CRYPTO_SIG_ECDSA_P256_SHA256:
		return "ECDSA P-256 SHA-256";
	case TK_CRYPTO_SIG_ED25519:
		return "Ed25519";
	default:
		return "unknown";
	}
}

/* A trusted key fits when its type fits the algorithm and kids agree. */
static bool key_fits(const struct tk_cose_trusted_key *trusted,
		     enum tk_crypto_sig_alg sig_alg, struct tk_span kid)
{
	if (trusted->key == NULL ||
	    tk_crypto_key_type(trusted->key) != tk_cose_key_type_for(sig_alg))
		return false;

	/* A kid is only a hint: a signer without one is tried with every key. */
	if (trusted->kid.len == 0 || kid.len == 0)
		return true;
	return tk_span_equal(trusted->kid, kid);
}

tk_err tk_cose_verify_with_keys(const struct tk_cose_tbs *tbs,
				enum tk_crypto_sig_alg sig_alg, struct tk_span kid,
				struct tk_span sig, const struct tk_cose_verify_opts *opts,
				size_t *key_index, struct tk_diag *diag)
{
	size_t tried = 0;

	for (size_t i = 0; i < opts->n_keys; i++) {
		struct tk_diag attempt;
		tk_err err;

		if (!key_fits(&opts->keys[i], sig_alg, kid))
			continue;
		tried++;
		tk_diag_clear(&attempt);
		err = tk_crypto_verify(opts->keys[i].key, sig_alg, tbs->parts,
				       tbs->n_parts, sig.ptr, sig.len, &attempt);
		if (err == TK_OK) {
			*key_index = i;
			return TK_OK;
		}

		/* A provider failure is not a wrong key: stop and keep its cause. */
		if (err != TK_ERR_SIGNATURE) {
			if (diag != NULL && diag->code == TK_OK)
				*diag = attempt;
			return err;
		}
	}
	if (tried == 0)
		return TK_FAIL(diag, TK_ERR_UNTRUSTED,
			       "no trusted %s key%s the signer (%s signature, kid of %zu bytes)",
			       key_type_name(tk_cose_key_type_for(sig_alg)),
			       kid.len > 0 ? " with this kid fits" : " fits",
			       sig_alg_name(sig_alg), kid.len);
	return TK_FAIL(diag, TK_ERR_SIGNATURE,
		       "signature does not verify with the %zu trusted key%s that fit%s", tried,
		       tried == 1 ? "" : "s", tried == 1 ? "s" : "");
}

tk_err tk_cose_encode_protected(int64_t alg, bool has_content_type,
				uint64_t content_type, uint8_t *out, size_t out_cap,
				size_t *out_len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	/* Labels 1 and 3 are already in deterministic order. */
	tk_cbor_enc_init(&enc, out, out_cap, diag);
	tk_cbor_put_map(&enc, has_content_type ? 2 : 1);
	tk_cbor_put_uint(&enc, TK_COSE_HDR_ALG);
	tk_cbor_put_int(&enc, alg);
	if (has_content_type) {
		tk_cbor_put_uint(&enc, TK_COSE_HDR_CONTENT_TYPE);
		tk_cbor_put_uint(&enc, content_type);
	}
	return tk_cbor_enc_finish(&enc, out_len);
}

enum tk_crypto_sig_alg tk_cose_sig_alg(int64_t cose_alg)
{
	switch (cose_alg) {
	case TK_COSE_ALG_ESP256:
	case TK_COSE_ALG_ES256:
		return TK_CRYPTO_SIG_ECDSA_P256_SHA256;
	case TK_COSE_ALG_ED25519:
	case TK_COSE_ALG_EDDSA:
		return TK_CRYPTO_SIG_ED25519;
	default:
		return TK_CRYPTO_SIG_NONE;
	}
}

int64_t tk_cose_alg_for_key(const struct tk_crypto_key *key)
{
	switch (tk_crypto_key_type(key)) {
	case TK_CRYPTO_KEY_P256:
		return TK_COSE_ALG_ESP256;
	case TK_CRYPTO_KEY_ED25519:
		return TK_COSE_ALG_ED25519;
	default:
		return 0;
	}
}
