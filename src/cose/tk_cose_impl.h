/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the COSE files: header parameter parsing, the
 * to-be-signed and to-be-MACed structures, and trusted-key matching. Not
 * part of the public interface.
 */
#ifndef TK_COSE_IMPL_H
#define TK_COSE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/*
 * Decoder flags for COSE input. RFC 9052 does not require deterministic
 * encoding of messages, but an indefinite-length string has no single view
 * to sign or return, so indefinite lengths are rejected.
 */
#define TK_COSE_DEC_FLAGS TK_CBOR_NO_INDEFINITE

/* Parsed header parameters of one layer, both buckets. */
struct tk_cose_hdr {
	struct tk_cose_headers h;  /* merged values handed to callers */
	unsigned prot_labels;      /* bit n set: label n (1-4) was protected */
	unsigned unprot_labels;    /* the same for the unprotected bucket */
	bool alg_is_text;          /* alg was a tstr (never supported) */
	int64_t crit[TK_COSE_MAX_CRIT];
	size_t n_crit;
	bool has_partial_iv;       /* label 6 was present (unsupported) */
	struct tk_span ephemeral_key; /* label -1: encoded COSE_Key, or empty */
	struct tk_span salt;       /* label -20 (unprotected), or empty */
};

/*
 * Parse the contents of a protected header bstr (empty, or a map with only
 * understood labels; crit checked) into hdr, which must be zeroed first.
 */
tk_err tk_cose_parse_protected(struct tk_span raw, struct tk_cose_hdr *hdr,
			    struct tk_diag *diag);

/*
 * Protected header bytes as they enter a Sig_, MAC_ or Enc_structure: an
 * encoded empty map (h'A0') becomes h''.
 */
struct tk_span tk_cose_structure_protected(struct tk_span raw);

/* Parse the unprotected header map at the decoder's position into hdr. */
tk_err tk_cose_parse_unprotected(struct tk_cbor_dec *dec, struct tk_cose_hdr *hdr);

/*
 * Consume an optional outer tag according to mode; any tag other than
 * `expected` fails with TK_ERR_SCHEMA_TAG.
 */
tk_err tk_cose_read_tag(struct tk_cbor_dec *dec, enum tk_cose_tag_mode mode,
		     uint64_t expected, const char *what);

/*
 * Read the payload (bstr, or nil when detached) and return the bytes that
 * are signed: the bstr's view, or the caller's detached payload.
 */
tk_err tk_cose_read_payload(struct tk_cbor_dec *dec,
			 const struct tk_cose_verify_opts *opts,
			 struct tk_span *payload);

/*
 * Decode a COSE_Sign1 or COSE_Mac0 (same shape, tag given) into hdr (zeroed
 * by the caller), the signed payload, and the final bstr (signature or tag).
 */
tk_err tk_cose_decode_single(const uint8_t *msg, size_t msg_len,
			     const struct tk_cose_verify_opts *opts, uint64_t tag,
			     const char *what, struct tk_cose_hdr *hdr,
			     struct tk_span *payload, struct tk_span *last,
			     struct tk_diag *diag);

/* Check the spans and arrays of verification options. */
tk_err tk_cose_check_verify_opts(const struct tk_cose_verify_opts *opts,
				 struct tk_diag *diag);

/* Resolve hdr's alg: present, not text, supported and allowed by opts. */
tk_err tk_cose_check_sig_alg(const struct tk_cose_hdr *hdr,
			  const struct tk_cose_verify_opts *opts,
			  enum tk_crypto_sig_alg *sig_alg, struct tk_diag *diag);

/*
 * The structure that is signed or MACed (RFC 9052 sections 4.4 and 6.3),
 * as parts that reference the protected headers, AAD and payload in place:
 *   Sig_structure = [context, body_protected, ? sign_protected,
 *                    external_aad, payload]
 *   MAC_structure = [context, protected, external_aad, payload]
 * The small heads are encoded with tk_cbor into `heads`.
 */
#define TK_COSE_TBS_PARTS 8
struct tk_cose_tbs {
	uint8_t prefix[32];  /* array head, context tstr, first bstr head */
	uint8_t heads[3][9]; /* bstr heads of the other fields */
	struct tk_span parts[TK_COSE_TBS_PARTS];
	size_t n_parts;
};

/*
 * Build the structure for `context` ("Signature1", "Signature" or "MAC0");
 * sign_protected is used only when has_sign_protected is true.
 */
tk_err tk_cose_build_tbs(struct tk_cose_tbs *tbs, const char *context,
		      struct tk_span body_protected, bool has_sign_protected,
		      struct tk_span sign_protected, struct tk_span external_aad,
		      struct tk_span payload, struct tk_diag *diag);

/*
 * Try the trusted keys of opts that fit sig_alg and kid. Returns TK_OK and
 * *key_index for the first that verifies, TK_ERR_SIGNATURE when at least one
 * key was tried and none verified, TK_ERR_UNTRUSTED when no key fits, or
 * another code for a failure of the provider.
 */
tk_err tk_cose_verify_with_keys(const struct tk_cose_tbs *tbs, enum tk_crypto_sig_alg sig_alg,
			     struct tk_span kid, struct tk_span sig,
			     const struct tk_cose_verify_opts *opts,
			     size_t *key_index, struct tk_diag *diag);

/* Key type a signature algorithm needs. */
enum tk_crypto_key_type tk_cose_key_type_for(enum tk_crypto_sig_alg alg);

/* Encode the head of a bstr of len bytes, without its content. */
tk_err tk_cose_bstr_head(uint64_t len, uint8_t out[9], size_t *out_len,
			 struct tk_diag *diag);

/*
 * KEK for ECDH-ES + AES key wrap (RFC 9053 section 6.4): HKDF-SHA256 over
 * the ECDH secret of priv and peer, with the COSE_KDF_Context naming
 * kw_alg, kek_len, the recipient's protected header and, when not empty,
 * SuppPubInfo.other (a bstr naming the protocol, as the SUIT encryption
 * and TEEP drafts require). No salt and no party identities are used.
 */
tk_err tk_cose_derive_kek(const struct tk_crypto *c, const struct tk_crypto_key *priv,
			  const struct tk_crypto_key *peer, int64_t kw_alg, size_t kek_len,
			  struct tk_span recipient_protected, struct tk_span other,
			  uint8_t *kek, struct tk_diag *diag);

/* Encode a protected header {1: alg[, 3: content type]} into out. */
tk_err tk_cose_encode_protected(int64_t alg, bool has_content_type,
			     uint64_t content_type, uint8_t *out, size_t out_cap,
			     size_t *out_len, struct tk_diag *diag);

#endif /* TK_COSE_IMPL_H */
