/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the SUIT envelope decoder, the processor and the
 * builder. Not part of the public interface.
 */
#ifndef TK_SUIT_IMPL_H
#define TK_SUIT_IMPL_H

#include "suit/tk_suit.h"

/* Envelope and manifest keys (draft-ietf-suit-manifest-37 section 11,
 * draft-ietf-suit-trust-domains-11 section 9). */
#define TK_SUIT_ENV_AUTHENTICATION 2
#define TK_SUIT_ENV_MANIFEST 3
#define TK_SUIT_MAN_VERSION 1
#define TK_SUIT_MAN_SEQUENCE_NUMBER 2
#define TK_SUIT_MAN_COMMON 3
#define TK_SUIT_MAN_REFERENCE_URI 4
#define TK_SUIT_MAN_COMPONENT_ID 5
#define TK_SUIT_MAN_TEXT 23
#define TK_SUIT_COMMON_DEPENDENCIES 1
#define TK_SUIT_COMMON_COMPONENTS 2
#define TK_SUIT_COMMON_SHARED_SEQUENCE 4

/* Commands (manifest-37 section 11.4, trust-domains-11 section 9.4). */
#define TK_SUIT_CMD_VENDOR_IDENTIFIER 1
#define TK_SUIT_CMD_CLASS_IDENTIFIER 2
#define TK_SUIT_CMD_IMAGE_MATCH 3
#define TK_SUIT_CMD_COMPONENT_SLOT 5
#define TK_SUIT_CMD_CHECK_CONTENT 6
#define TK_SUIT_CMD_DEPENDENCY_INTEGRITY 7
#define TK_SUIT_CMD_IS_DEPENDENCY 8
#define TK_SUIT_CMD_PROCESS_DEPENDENCY 11
#define TK_SUIT_CMD_SET_COMPONENT_INDEX 12
#define TK_SUIT_CMD_ABORT 14
#define TK_SUIT_CMD_TRY_EACH 15
#define TK_SUIT_CMD_WRITE 18
#define TK_SUIT_CMD_SET_PARAMETERS 19
#define TK_SUIT_CMD_OVERRIDE_PARAMETERS 20
#define TK_SUIT_CMD_FETCH 21
#define TK_SUIT_CMD_COPY 22
#define TK_SUIT_CMD_INVOKE 23
#define TK_SUIT_CMD_DEVICE_IDENTIFIER 24
#define TK_SUIT_CMD_SWAP 31
#define TK_SUIT_CMD_RUN_SEQUENCE 32
#define TK_SUIT_CMD_UNLINK 33

/* Parameters (manifest-37 section 11.5). */
#define TK_SUIT_PARAM_VENDOR_ID 1
#define TK_SUIT_PARAM_CLASS_ID 2
#define TK_SUIT_PARAM_IMAGE_DIGEST 3
#define TK_SUIT_PARAM_COMPONENT_SLOT 5
#define TK_SUIT_PARAM_STRICT_ORDER 12
#define TK_SUIT_PARAM_SOFT_FAILURE 13
#define TK_SUIT_PARAM_IMAGE_SIZE 14
#define TK_SUIT_PARAM_CONTENT 18
#define TK_SUIT_PARAM_URI 21
#define TK_SUIT_PARAM_SOURCE_COMPONENT 22
#define TK_SUIT_PARAM_INVOKE_ARGS 23
#define TK_SUIT_PARAM_DEVICE_ID 24
#define TK_SUIT_PARAM_FETCH_ARGUMENTS 25
/* suit-parameter-encryption-info (draft-ietf-suit-firmware-encryption-24
 * section 4, value 19 in its CDDL). */
#define TK_SUIT_PARAM_ENCRYPTION_INFO 19

/* Key of SUIT_Dependency_Metadata (draft-ietf-suit-trust-domains-11
 * section 5.1.2, value 1 in the TEEP draft's example). */
#define TK_SUIT_DEPENDENCY_PREFIX 1

/* Report policy value the builder writes: record and sysinfo on success
 * and failure, as the TEEP examples do. */
#define TK_SUIT_REPORT_ALL 15

/* Length of an RFC 9562 UUID in bytes. */
#define TK_SUIT_UUID_LEN 16

/*
 * Map key reader that also checks canonical order: SUIT maps must be
 * encoded in canonical order (manifest-37, "Encoding Considerations"), which
 * for preferred encodings is RFC 8949 section 4.2.1 bytewise lexicographic
 * order of the encoded keys. Zero-initialise one per map.
 */
struct tk_suit_key_order {
	struct tk_span prev; /* encoded previous key, empty before the first */
};

/* A decoded map key: an integer that fits int64_t, or a text string. */
struct tk_suit_key {
	enum tk_cbor_type type; /* TK_CBOR_UINT, TK_CBOR_NINT or TK_CBOR_TSTR */
	int64_t value;          /* for the integer types */
	struct tk_span text;    /* for TK_CBOR_TSTR */
};

/*
 * Consume the next map key. Fails with TK_ERR_CBOR_NOT_PREFERRED when it
 * does not sort after the previous key, and TK_ERR_SCHEMA_TYPE when it is
 * neither an integer nor a text string.
 */
TK_MUST_CHECK tk_err tk_suit_map_key(struct tk_cbor_dec *dec,
				     struct tk_suit_key_order *order,
				     struct tk_suit_key *key);

/* Consume a byte string; return its content and its encoding (head
 * included), both views into the input. */
TK_MUST_CHECK tk_err tk_suit_get_bstr_with_head(struct tk_cbor_dec *dec,
						struct tk_span *content,
						struct tk_span *encoded);

/*
 * Decode an encoded SUIT_Digest = [alg: int, bytes: bstr, * extensions].
 * Only SHA-256 is supported (TK_ERR_ALG_UNSUPPORTED otherwise); the bytes
 * must be TK_SUIT_DIGEST_LEN long. Views into buf.
 */
TK_MUST_CHECK tk_err tk_suit_digest_decode(const uint8_t *buf, size_t len,
					   struct tk_suit_digest *out,
					   struct tk_diag *diag);

/*
 * Consume one SUIT_Component_Identifier = [* bstr] from dec and return its
 * encoding, at most TK_SUIT_MAX_ID_LEN bytes.
 */
TK_MUST_CHECK tk_err tk_suit_component_id_get(struct tk_cbor_dec *dec,
					      struct tk_span *out);

/*
 * Decode the manifest of an envelope into *m (zeroed by the caller).
 * tk_suit_authenticate() calls it after the checks, and
 * tk_suit_check_envelope_unauthenticated() calls it and drops *m. Offsets
 * in diag count from the start of env->manifest.
 */
TK_MUST_CHECK tk_err tk_suit_decode_manifest(const struct tk_crypto *crypto,
					     const struct tk_suit_envelope *env,
					     struct tk_suit_manifest *m,
					     struct tk_diag *diag);

/*
 * Decode the authentication wrapper and check its SUIT_Digest against the
 * manifest. Returns the encoded digest item (the payload the blocks sign),
 * the blocks and the digest. Authentication and
 * tk_suit_check_envelope_unauthenticated() start with it. Offsets in diag
 * count from the start of the envelope.
 */
TK_MUST_CHECK tk_err tk_suit_check_wrapper(const struct tk_crypto *crypto,
					   const struct tk_suit_envelope *env,
					   struct tk_span *digest_item,
					   struct tk_span blocks[TK_SUIT_MAX_AUTH_BLOCKS],
					   size_t *block_count,
					   uint8_t digest[TK_SUIT_DIGEST_LEN],
					   struct tk_diag *diag);

/*
 * tk_suit_decode_manifest() naming the manifest in the error and counting
 * its offset from the start of the envelope.
 */
TK_MUST_CHECK tk_err tk_suit_decode_manifest_in(const struct tk_crypto *crypto,
						const struct tk_suit_envelope *env,
						struct tk_suit_manifest *m,
						struct tk_diag *diag);

#endif /* TK_SUIT_IMPL_H */
