/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The five TEEP messages of draft-ietf-teep-protocol (QueryRequest,
 * QueryResponse, Update, Success, Error): decode and validate a TEEP
 * payload (the content of its COSE_Sign1 or COSE_Sign), and encode one.
 *
 * Decoding allocates nothing. The decoded struct contains views into the
 * input: strings as spans, lists as the raw encoded CBOR array plus its
 * entry count. Walk a list with a struct tk_teep_iter. Every entry was
 * validated by tk_teep_decode(), so iterating a decoded list only fails on
 * misuse.
 *
 * Encoding writes into the caller's buffer. A list is taken from its `raw`
 * field when that is set (a list copied from a decoded message), otherwise
 * from its `items` array of `count` entries. The encoder applies the same
 * checks as the decoder, so what it writes always decodes.
 *
 * Validation covers the CDDL of the draft and the one field rule of its
 * prose that concerns a single message (have-binary requires
 * tc-manifest-sequence-number). Rules that need the session, such as
 * "token present if and only if the attestation bit is clear" or token
 * matching, are left to the TAM and agent state machines.
 */
#ifndef TK_TEEP_MSG_H
#define TK_TEEP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_span.h"

/* Message type numbers (draft section "TEEP Message Type Registry"). */
enum tk_teep_type {
	TK_TEEP_TYPE_QUERY_REQUEST = 1,
	TK_TEEP_TYPE_QUERY_RESPONSE = 2,
	TK_TEEP_TYPE_UPDATE = 3,
	TK_TEEP_TYPE_SUCCESS = 5,
	TK_TEEP_TYPE_ERROR = 6,
};

/*
 * Option map labels (draft section "Mapping of TEEP Message Parameters to
 * CBOR Labels"). Labels 0 and 5 are reserved.
 */
enum tk_teep_label {
	TK_TEEP_LABEL_SUPPORTED_TEEP_CIPHER_SUITES = 1,
	TK_TEEP_LABEL_CHALLENGE = 2,
	TK_TEEP_LABEL_VERSIONS = 3,
	TK_TEEP_LABEL_SUPPORTED_SUIT_COSE_PROFILES = 4,
	TK_TEEP_LABEL_SELECTED_VERSION = 6,
	TK_TEEP_LABEL_ATTESTATION_PAYLOAD = 7,
	TK_TEEP_LABEL_TC_LIST = 8,
	TK_TEEP_LABEL_EXT_LIST = 9,
	TK_TEEP_LABEL_MANIFEST_LIST = 10,
	TK_TEEP_LABEL_MSG = 11,
	TK_TEEP_LABEL_ERR_MSG = 12,
	TK_TEEP_LABEL_ATTESTATION_PAYLOAD_FORMAT = 13,
	TK_TEEP_LABEL_REQUESTED_TC_LIST = 14,
	TK_TEEP_LABEL_UNNEEDED_MANIFEST_LIST = 15,
	TK_TEEP_LABEL_COMPONENT_ID = 16,
	TK_TEEP_LABEL_TC_MANIFEST_SEQUENCE_NUMBER = 17,
	TK_TEEP_LABEL_HAVE_BINARY = 18,
	TK_TEEP_LABEL_SUIT_REPORTS = 19,
	TK_TEEP_LABEL_TOKEN = 20,
	TK_TEEP_LABEL_SUPPORTED_FRESHNESS_MECHANISMS = 21,
	TK_TEEP_LABEL_ERR_LANG = 22,
	TK_TEEP_LABEL_ERR_CODE = 23,
};

/* data-item-requested bits of a QueryRequest. */
#define TK_TEEP_DATA_ATTESTATION 0x1u
#define TK_TEEP_DATA_TRUSTED_COMPONENTS 0x2u
#define TK_TEEP_DATA_EXTENSIONS 0x4u
#define TK_TEEP_DATA_SUIT_REPORTS 0x8u

/*
 * err-code values (draft section "TEEP Error Code Registry"). 0 is reserved
 * and rejected. Any other value is kept, including the reserved 11-16 and
 * 18-23 and values above 23, and the caller treats it as an unknown error.
 */
enum tk_teep_err_code {
	TK_TEEP_ERR_PERMANENT_ERROR = 1,
	TK_TEEP_ERR_UNSUPPORTED_EXTENSION = 2,
	TK_TEEP_ERR_UNSUPPORTED_FRESHNESS_MECHANISMS = 3,
	TK_TEEP_ERR_UNSUPPORTED_MSG_VERSION = 4,
	TK_TEEP_ERR_UNSUPPORTED_CIPHER_SUITES = 5,
	TK_TEEP_ERR_BAD_CERTIFICATE = 6,
	TK_TEEP_ERR_ATTESTATION_REQUIRED = 7,
	TK_TEEP_ERR_UNSUPPORTED_SUIT_REPORT = 8,
	TK_TEEP_ERR_CERTIFICATE_EXPIRED = 9,
	TK_TEEP_ERR_TEMPORARY_ERROR = 10,
	TK_TEEP_ERR_MANIFEST_PROCESSING_FAILED = 17,
};

/* Freshness mechanisms. */
#define TK_TEEP_FRESHNESS_NONCE 0u
#define TK_TEEP_FRESHNESS_TIMESTAMP 1u

/* Cipher suite parts: the COSE type of an operation and its algorithms. */
#define TK_TEEP_COSE_SIGN1 18       /* CoAP Content-Format of COSE_Sign1 */
#define TK_TEEP_ALG_ESP256 (-9)     /* ECDSA P-256 with SHA-256 */
#define TK_TEEP_ALG_ED25519 (-19)   /* EdDSA with Ed25519 */

/* Protocol version defined by the draft. */
#define TK_TEEP_VERSION_0 0u

/* Bounds on field lengths from the CDDL, in bytes (inclusive). */
#define TK_TEEP_TOKEN_MIN 8
#define TK_TEEP_TOKEN_MAX 64
#define TK_TEEP_CHALLENGE_MIN 8
#define TK_TEEP_CHALLENGE_MAX 512
#define TK_TEEP_MSG_MIN 1           /* msg and err-msg */
#define TK_TEEP_MSG_MAX 128
#define TK_TEEP_ERR_LANG_MIN 1
#define TK_TEEP_ERR_LANG_MAX 35

/*
 * Maximum number of entries in any one list of a message (the draft sets
 * none). A list with more fails with TK_ERR_LIMIT_COUNT, on decode and on
 * encode. Nothing is allocated per entry, so the limit only bounds the work
 * a peer can cause per message. 4096 is an estimate, well above the number
 * of trusted components one TEE is expected to hold.
 */
#define TK_TEEP_MAX_LIST_COUNT 4096

/*
 * Encoded SUIT COSE profiles of draft-ietf-suit-mti, for the
 * supported-suit-cose-profiles lists a TAM or agent sends.
 */
extern const uint8_t tk_teep_profile_sha256_esp256_ecdh_a128ctr[8];
extern const uint8_t tk_teep_profile_sha256_ed25519_ecdh_a128ctr[8];
extern const uint8_t tk_teep_profile_sha256_esp256_ecdh_a128gcm[6];
extern const uint8_t tk_teep_profile_sha256_ed25519_ecdh_chacha_poly[7];

/*
 * One TEEP cipher suite: a non-empty array of operations, each
 * [COSE type, COSE algorithm]. The suites of the draft have one operation,
 * [[18, -9]] and [[18, -19]]. When raw is empty the encoder writes the
 * one-operation suite [[cose_type, alg]].
 */
struct tk_teep_cipher_suite {
	struct tk_span raw;     /* encoded suite; decode sets it, encode copies it when set */
	size_t op_count;        /* operations in the suite, >= 1 */
	int64_t cose_type;      /* first operation: COSE type, e.g. TK_TEEP_COSE_SIGN1 */
	int64_t alg;            /* first operation: algorithm, e.g. TK_TEEP_ALG_ESP256 */
};

/*
 * One tc-list entry, a system-property-claims map of draft-ietf-suit-report:
 * { 0 (system-component-id) => SUIT_Component_Identifier, + SUIT_Parameters }.
 * When raw is empty the encoder writes { 0: component_id, 3: << image_digest >> },
 * so image_digest is then required.
 */
struct tk_teep_tc_claims {
	struct tk_span raw;          /* encoded map; decode sets it, encode copies it when set */
	struct tk_span component_id; /* encoded SUIT_Component_Identifier ([* bstr]) */
	struct tk_span image_digest; /* content of suit-parameter-image-digest (3): an
					encoded SUIT_Digest; len 0 when absent */
};

/* One requested-tc-list entry (requested-tc-info). */
struct tk_teep_requested_tc {
	struct tk_span component_id;  /* encoded SUIT_Component_Identifier */
	bool has_sequence_number;
	uint64_t sequence_number;     /* tc-manifest-sequence-number: minimum wanted */
	bool has_have_binary;
	bool have_binary;             /* true requires has_sequence_number */
};

/*
 * Lists. `raw` is the encoded CBOR array (head included), len 0 when the
 * list is absent; `count` is its number of entries. On encode, set either
 * `raw` (count is then ignored) or `items` and `count`. A list with neither
 * is absent, except the positional lists of a QueryRequest, which are
 * always written and so must not be empty.
 */

/* Unsigned values: versions, ext-list, supported-freshness-mechanisms. */
struct tk_teep_uint_list {
	struct tk_span raw;
	size_t count;
	const uint64_t *items;
};

/*
 * Byte strings or encoded items. For manifest-list and suit-reports an item
 * is the content of the byte string (an encoded SUIT_Envelope or
 * SUIT_Report); for unneeded-manifest-list it is an encoded
 * SUIT_Component_Identifier; for supported-suit-cose-profiles an encoded
 * profile array.
 */
struct tk_teep_span_list {
	struct tk_span raw;
	size_t count;
	const struct tk_span *items;
};

struct tk_teep_suite_list {
	struct tk_span raw;
	size_t count;
	const struct tk_teep_cipher_suite *items;
};

struct tk_teep_tc_list {
	struct tk_span raw;
	size_t count;
	const struct tk_teep_tc_claims *items;
};

struct tk_teep_requested_tc_list {
	struct tk_span raw;
	size_t count;
	const struct tk_teep_requested_tc *items;
};

/*
 * In the messages below, a bounded string (token, challenge, msg, err-msg,
 * err-lang) with len 0 is absent. Fields that may be empty when present
 * have a has_ flag. Text fields are UTF-8, not NUL-terminated.
 */

/*
 * [ 1, options, supported-teep-cipher-suites, supported-suit-cose-profiles,
 *   data-item-requested ]
 */
struct tk_teep_query_request {
	struct tk_span token;                         /* 20: 8..64 bytes */
	struct tk_teep_uint_list supported_freshness_mechanisms; /* 21 */
	struct tk_span challenge;                     /* 2: 8..512 bytes */
	struct tk_teep_uint_list versions;            /* 3: each < 2^32 */
	bool has_attestation_payload_format;
	struct tk_span attestation_payload_format;    /* 13: text (media type) */
	bool has_attestation_payload;
	struct tk_span attestation_payload;           /* 7: bstr */
	struct tk_teep_span_list suit_reports;        /* 19 */
	struct tk_teep_suite_list supported_teep_cipher_suites; /* positional, >= 1 */
	struct tk_teep_span_list supported_suit_cose_profiles;  /* positional, >= 1 */
	uint64_t data_item_requested;                 /* positional, TK_TEEP_DATA_* bits */
};

/* [ 2, options ] */
struct tk_teep_query_response {
	struct tk_span token;                         /* 20 */
	bool has_selected_version;
	uint32_t selected_version;                    /* 6 */
	bool has_attestation_payload_format;
	struct tk_span attestation_payload_format;    /* 13 */
	bool has_attestation_payload;
	struct tk_span attestation_payload;           /* 7 */
	struct tk_teep_span_list suit_reports;        /* 19 */
	struct tk_teep_tc_list tc_list;               /* 8 */
	struct tk_teep_requested_tc_list requested_tc_list; /* 14 */
	struct tk_teep_span_list unneeded_manifest_list;    /* 15 */
	struct tk_teep_uint_list ext_list;            /* 9: each < 2^32 */
};

/* [ 3, options ] */
struct tk_teep_update {
	struct tk_span token;                         /* 20 */
	struct tk_teep_span_list unneeded_manifest_list; /* 15 */
	struct tk_teep_span_list manifest_list;       /* 10: SUIT_Envelope bytes */
	bool has_attestation_payload_format;
	struct tk_span attestation_payload_format;    /* 13 */
	bool has_attestation_payload;
	struct tk_span attestation_payload;           /* 7 */
	bool has_err_code;
	uint64_t err_code;                            /* 23: not 0 */
	struct tk_span err_msg;                       /* 12: 1..128 bytes */
	struct tk_span err_lang;                      /* 22: 1..35 bytes */
};

/* [ 5, options ] */
struct tk_teep_success {
	struct tk_span token;                         /* 20 */
	struct tk_span msg;                           /* 11: 1..128 bytes */
	struct tk_teep_span_list suit_reports;        /* 19 */
};

/* [ 6, options, err-code ] */
struct tk_teep_error {
	struct tk_span token;                         /* 20 */
	struct tk_span err_msg;                       /* 12: 1..128 bytes */
	struct tk_span err_lang;                      /* 22: 1..35 bytes */
	struct tk_teep_suite_list supported_teep_cipher_suites; /* 1 */
	struct tk_teep_uint_list supported_freshness_mechanisms; /* 21 */
	struct tk_teep_span_list supported_suit_cose_profiles;  /* 4 */
	struct tk_span challenge;                     /* 2: 8..512 bytes */
	struct tk_teep_uint_list versions;            /* 3 */
	struct tk_teep_span_list suit_reports;        /* 19 */
	uint64_t err_code;                            /* positional, not 0 */
};

/* A TEEP message of any of the five types; `type` selects the member. */
struct tk_teep_msg {
	enum tk_teep_type type;
	union {
		struct tk_teep_query_request query_request;
		struct tk_teep_query_response query_response;
		struct tk_teep_update update;
		struct tk_teep_success success;
		struct tk_teep_error error;
	};
};

/*
 * Decode and validate one TEEP message. Options with labels unknown to the
 * message type are ignored. The input must be in preferred serialization
 * without indefinite lengths. On failure *out is zeroed and diag names the
 * field and byte offset. Returns views into buf, valid while buf is.
 */
TK_MUST_CHECK tk_err tk_teep_decode(const uint8_t *buf, size_t len,
				    struct tk_teep_msg *out, struct tk_diag *diag);

/*
 * Encode msg into out[0..out_cap) and validate the result with
 * tk_teep_decode(), so an invalid field fails with the error and message the
 * decoder gives (its offset is then one in out). With out == NULL and
 * out_cap == 0 only *out_len is computed, without validation. Options are
 * written token first, then in increasing label order, as in the draft's
 * examples. Fails with TK_ERR_BUFFER_TOO_SMALL when out is too small and
 * TK_ERR_ARG when a list has a count but no items; *out_len is 0 on failure.
 * Borrows msg.
 */
TK_MUST_CHECK tk_err tk_teep_encode(const struct tk_teep_msg *msg, uint8_t *out,
				    size_t out_cap, size_t *out_len,
				    struct tk_diag *diag);

/*
 * Iterator over one list of a message. Initialise with the list's raw
 * field, then call the next function matching the list while
 * tk_teep_iter_more() is true. An absent list yields no entry. Entries are
 * views into the list's buffer.
 */
struct tk_teep_iter {
	struct tk_cbor_dec dec;
	const uint8_t *buf;    /* the list's raw bytes */
	struct tk_diag *diag;
	size_t index;          /* entries returned so far */
	bool active;           /* raw was present */
};

TK_MUST_CHECK tk_err tk_teep_iter_init(struct tk_teep_iter *it, struct tk_span raw,
				       struct tk_diag *diag);
bool tk_teep_iter_more(struct tk_teep_iter *it);

/* versions, ext-list, supported-freshness-mechanisms */
TK_MUST_CHECK tk_err tk_teep_iter_next_uint(struct tk_teep_iter *it, uint64_t *out);
/* manifest-list, suit-reports: the content of the byte string */
TK_MUST_CHECK tk_err tk_teep_iter_next_bstr(struct tk_teep_iter *it, struct tk_span *out);
/* unneeded-manifest-list, supported-suit-cose-profiles: the encoded item */
TK_MUST_CHECK tk_err tk_teep_iter_next_item(struct tk_teep_iter *it, struct tk_span *out);
TK_MUST_CHECK tk_err tk_teep_iter_next_suite(struct tk_teep_iter *it,
					     struct tk_teep_cipher_suite *out);
TK_MUST_CHECK tk_err tk_teep_iter_next_tc(struct tk_teep_iter *it,
					  struct tk_teep_tc_claims *out);
TK_MUST_CHECK tk_err tk_teep_iter_next_requested_tc(struct tk_teep_iter *it,
						    struct tk_teep_requested_tc *out);

#endif /* TK_TEEP_MSG_H */
