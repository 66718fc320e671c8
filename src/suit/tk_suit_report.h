/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SUIT reports (draft-ietf-suit-report-18): a builder that turns the
 * records the manifest processor passes to its report hook into a
 * SUIT_Report, a strict decoder for the TAM and `teep inspect`, and the
 * COSE protection of draft-ietf-teep-protocol section "EATs and SUIT
 * Reports" (COSE_Sign1 with a report key, optionally around a COSE_Encrypt
 * to the TAM).
 *
 *   SUIT_Report = {
 *     99: SUIT_Reference,            [uri: tstr, SUIT_Digest]
 *     ? 2: nonce: bstr,
 *     3: records: [* SUIT_Record / system-property-claims],
 *     4: true / {5: code: int, 6: SUIT_Record, 7: reason: uint},
 *     ? 8: SUIT_Capability_Report,
 *     * $$SUIT_Report_Extensions
 *   }
 *   SUIT_Record = [manifest-id: [* uint], section: int, offset: uint,
 *                  component-index: uint, properties: {* int => any}]
 *
 * The builder is the "Reporting Engine" of draft-ietf-suit-manifest-37
 * section 8.4.9. It keeps a record when the command's reporting policy asks
 * for one (send-record-on-success 1 for a command that succeeded,
 * send-record-on-failure 2 for one that failed) and copies the measured
 * properties into it only when the policy asks for system information as
 * well (send-sysinfo-success 4, send-sysinfo-failure 8); otherwise the
 * record carries an empty properties map. The failed record marked
 * ends_procedure becomes the result record, whatever its policy; a failed
 * record without the mark becomes it only when no other failed record did.
 *
 * Memory is bounded: kept records are encoded into the caller's buffer,
 * at most TK_SUIT_REPORT_MAX_RECORDS of them and each at most
 * TK_SUIT_REPORT_MAX_RECORD_SIZE bytes. A record over either limit is not
 * kept: tk_suit_report_add() returns TK_ERR_LIMIT_COUNT or
 * TK_ERR_LIMIT_SIZE, the builder stays usable, and the finished report says
 * how many records it left out in the extension member
 * TK_SUIT_REPORT_KEY_RECORDS_OMITTED. The result is never lost to a limit:
 * the result record is kept in the builder itself, without its properties
 * when they do not fit.
 *
 * Nothing here allocates or does I/O. Decoded reports are views into the
 * input buffer.
 */
#ifndef TK_SUIT_REPORT_H
#define TK_SUIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "suit/tk_suit.h"

struct tk_crypto;
struct tk_crypto_key;

/* SUIT_Report keys (draft-ietf-suit-report-18 section 4). */
#define TK_SUIT_REPORT_KEY_NONCE 2
#define TK_SUIT_REPORT_KEY_RECORDS 3
#define TK_SUIT_REPORT_KEY_RESULT 4
#define TK_SUIT_REPORT_KEY_RESULT_CODE 5
#define TK_SUIT_REPORT_KEY_RESULT_RECORD 6
#define TK_SUIT_REPORT_KEY_RESULT_REASON 7
#define TK_SUIT_REPORT_KEY_CAPABILITY 8
#define TK_SUIT_REPORT_KEY_REFERENCE 99

/*
 * teepkit extension ($$SUIT_Report_Extensions): the number of records the
 * builder left out because of its limits, present only when not 0. The
 * label is in the first-come-first-served range of the SUIT_Report
 * Elements registry and is not registered.
 */
#define TK_SUIT_REPORT_KEY_RECORDS_OMITTED (-65537)

/* Reporting policy bits (draft-ietf-suit-manifest-37 section 8.4.9). */
#define TK_SUIT_POLICY_RECORD_SUCCESS 1u
#define TK_SUIT_POLICY_RECORD_FAILURE 2u
#define TK_SUIT_POLICY_SYSINFO_SUCCESS 4u
#define TK_SUIT_POLICY_SYSINFO_FAILURE 8u

/*
 * Records kept in one report (TK_ERR_LIMIT_COUNT). The TEEP manifests run
 * a few dozen commands, so 64 leaves room for a record of each.
 */
#define TK_SUIT_REPORT_MAX_RECORDS 64

/*
 * Encoded size of one record (TK_ERR_LIMIT_SIZE): a manifest id, four
 * integers and a properties map with a digest, a size and a URI of up to
 * about 400 bytes.
 */
#define TK_SUIT_REPORT_MAX_RECORD_SIZE 512

/* Length of suit-record-manifest-id, the depth of the dependency walk
 * (TK_ERR_LIMIT_DEPTH). */
#define TK_SUIT_REPORT_MAX_MANIFEST_ID 8

/* Length of the nonce (TK_ERR_LIMIT_SIZE): a TEEP token has at most 64
 * bytes. */
#define TK_SUIT_REPORT_MAX_NONCE 64

/* Encoded size of a whole report accepted by the decoder
 * (TK_ERR_LIMIT_SIZE). The builder's output is smaller: at most the caller's
 * record buffer plus the reference, result and capabilities. */
#define TK_SUIT_REPORT_MAX_SIZE (64u * 1024u)

/* SUIT_Report_Reasons (draft-ietf-suit-report-18 section 4.2). */
enum tk_suit_report_reason {
	TK_SUIT_REASON_OK = 0,
	TK_SUIT_REASON_CBOR_PARSE = 1,
	TK_SUIT_REASON_COSE_UNSUPPORTED = 2,
	TK_SUIT_REASON_ALG_UNSUPPORTED = 3,
	TK_SUIT_REASON_UNAUTHORISED = 4,
	TK_SUIT_REASON_COMMAND_UNSUPPORTED = 5,
	TK_SUIT_REASON_COMPONENT_UNSUPPORTED = 6,
	TK_SUIT_REASON_COMPONENT_UNAUTHORISED = 7,
	TK_SUIT_REASON_PARAMETER_UNSUPPORTED = 8,
	TK_SUIT_REASON_SEVERING_UNSUPPORTED = 9,
	TK_SUIT_REASON_CONDITION_FAILED = 10,
	TK_SUIT_REASON_OPERATION_FAILED = 11,
	TK_SUIT_REASON_INVOKE_PENDING = 12,
};

/* Highest reason value the decoder accepts. */
#define TK_SUIT_REASON_MAX TK_SUIT_REASON_INVOKE_PENDING

/*
 * Map a processing failure to its report reason. `in_command` is true when
 * a command failed, false when the envelope failed before any command ran
 * (decoding or authentication): a digest mismatch then means the manifest
 * digest and is "unauthorised", in a command it is a failed image-match.
 * TK_OK maps to TK_SUIT_REASON_OK.
 */
enum tk_suit_report_reason tk_suit_report_reason(tk_err err, bool in_command);

/* Name of a reason ("condition-failed", ...), or "unknown". Never NULL. */
const char *tk_suit_report_reason_name(uint64_t reason);

/*
 * Sections of a result record when no command failed. SUIT_Record needs a
 * section, and these envelope keys differ from every command sequence key
 * (manifest keys 7 and up).
 */
#define TK_SUIT_REPORT_SECTION_AUTHENTICATION 2 /* suit-authentication-wrapper */
#define TK_SUIT_REPORT_SECTION_MANIFEST 3       /* suit-manifest */

/* Builder state. Initialise with tk_suit_report_init(); fields are private. */
struct tk_suit_report_builder {
	uint8_t *buf;            /* caller's buffer for the encoded records */
	size_t cap;
	size_t used;
	size_t count;            /* records in buf */
	uint64_t omitted;        /* records not kept because of a limit */
	bool failed;             /* a failed command was recorded */
	int64_t failed_command;  /* SUIT command number of the result record */
	uint8_t result_record[TK_SUIT_REPORT_MAX_RECORD_SIZE];
	size_t result_record_len;
};

/*
 * Start a report whose records are encoded into buf[0..cap). Borrows buf
 * until the report is finished. cap 0 keeps no records (only the result).
 */
void tk_suit_report_init(struct tk_suit_report_builder *b, uint8_t *buf, size_t cap);

/*
 * Add one record from the processor's report hook (see the file comment
 * for the policy rules). Returns TK_OK when the record was kept or its
 * policy asked for none; TK_ERR_LIMIT_COUNT or TK_ERR_LIMIT_SIZE when a
 * limit stopped it (the omission is counted and the builder stays usable,
 * so a report hook should not stop the procedure for it); TK_ERR_ARG for
 * a malformed record (properties that are not one CBOR map, a manifest id
 * deeper than TK_SUIT_REPORT_MAX_MANIFEST_ID).
 */
TK_MUST_CHECK tk_err tk_suit_report_add(struct tk_suit_report_builder *b,
					const struct tk_suit_record *record,
					struct tk_diag *diag);

/* Commands, parameters and algorithms of the processor, for
 * suit-report-capability-report. */
struct tk_suit_capabilities {
	const int64_t *commands;     /* SUIT command numbers, at least one */
	size_t n_commands;
	const int64_t *parameters;   /* SUIT parameter numbers, at least one */
	size_t n_parameters;
	const int64_t *algorithms;   /* COSE algorithms, at least one */
	size_t n_algorithms;
	/* Components are reported as [true]: any component id, because the
	   TEE store takes any SUIT_Component_Identifier. */
};

/* The capabilities of the processor in tk_suit_process(). */
extern const struct tk_suit_capabilities tk_suit_capabilities_default;

/* Everything a report carries besides its records. */
struct tk_suit_report_params {
	struct tk_span uri;          /* suit-report-manifest-uri: the
					manifest's reference URI, may be
					empty */
	int64_t digest_alg;          /* COSE hash algorithm of the digest */
	struct tk_span digest;       /* the manifest's SUIT digest */
	struct tk_span nonce;        /* TEEP token; empty = no nonce member */
	tk_err result;               /* TK_OK or the procedure's failure */
	int64_t failed_section;      /* section for the result record when no
					command failed, such as
					TK_SUIT_REPORT_SECTION_AUTHENTICATION */
	const struct tk_suit_capabilities *capabilities; /* NULL = no
							     capability
							     report */
};

/*
 * Write the SUIT_Report into out[0..out_cap), map keys in ascending order
 * (the deterministic order of RFC 8949 section 4.2.1). With a failure the
 * result record is the failed command's (see the file comment), or [[],
 * failed_section, 0, 0, {}] when no command failed. *out_len is 0 on failure
 * (TK_ERR_BUFFER_TOO_SMALL, TK_ERR_ARG for a nonce or URI over its limit).
 */
TK_MUST_CHECK tk_err tk_suit_report_finish(const struct tk_suit_report_builder *b,
					   const struct tk_suit_report_params *params,
					   uint8_t *out, size_t out_cap, size_t *out_len,
					   struct tk_diag *diag);

/* A decoded SUIT_Record, or system-property-claims when is_system. */
struct tk_suit_report_record {
	bool is_system;              /* a system-property-claims map */
	uint64_t manifest_id[TK_SUIT_REPORT_MAX_MANIFEST_ID];
	size_t manifest_id_len;
	int64_t section;
	uint64_t offset;
	uint64_t component_index;
	struct tk_span properties;   /* encoded map (for system-property-
					claims, the whole map) */
};

/* A decoded SUIT_Report. Spans are views into the input. */
struct tk_suit_report {
	struct tk_span uri;
	int64_t digest_alg;
	struct tk_span digest;
	struct tk_span nonce;        /* empty when absent */
	size_t record_count;
	struct tk_suit_report_record records[TK_SUIT_REPORT_MAX_RECORDS];
	bool success;                /* result true */
	int64_t result_code;         /* when !success */
	uint64_t result_reason;
	struct tk_suit_report_record result_record;
	struct tk_span capability;   /* encoded capability map, empty when
					absent */
	uint64_t records_omitted;    /* teepkit extension, 0 when absent */
};

/*
 * Decode a SUIT_Report strictly: preferred CBOR, the required members, each
 * member's type, records of the right shape, a reason within 0..12, and a
 * capability report with its three required lists. Unknown extension keys
 * are skipped. More than TK_SUIT_REPORT_MAX_RECORDS records fail with
 * TK_ERR_LIMIT_COUNT. On failure *out is zeroed. Borrows buf.
 */
TK_MUST_CHECK tk_err tk_suit_report_decode(const uint8_t *buf, size_t len,
					   struct tk_suit_report *out,
					   struct tk_diag *diag);

/*
 * COSE protection (draft-ietf-teep-protocol section "EATs and SUIT
 * Reports", draft-ietf-suit-report-18 section 7):
 *
 *   SUIT_Report_Protected = #6.18([protected, unprotected,
 *                                  payload: bstr .cbor (SUIT_Report /
 *                                                       COSE_Encrypt),
 *                                  signature])
 *
 * Encryption is COSE_Encrypt (tag 96) with A128GCM content and one
 * ECDH-ES+A128KW recipient, whose COSE_KDF_Context has SuppPubInfo.other
 * "SUIT Report Encryption". The report draft's CDDL names COSE_Encrypt0,
 * but the TEEP draft's two-layer ES-DH structure needs the recipient layer
 * that only COSE_Encrypt has.
 */
#define TK_SUIT_REPORT_KDF_OTHER "SUIT Report Encryption"

/* Size a protected report adds to the plain one, with room to spare:
 * COSE_Sign1 headers and signature, COSE_Encrypt headers, ephemeral key,
 * wrapped key and tag. */
#define TK_SUIT_REPORT_PROTECT_OVERHEAD 512

/* How to protect a report. */
struct tk_suit_report_protect {
	const struct tk_crypto_key *report_key; /* signing key, borrowed */
	int64_t alg;                 /* TK_COSE_ALG_ESP256 or _ED25519 */
	const struct tk_crypto_key *recipient;  /* TAM's P-256 public key,
						   or NULL for no encryption */
	struct tk_span recipient_kid;           /* may be empty */
};

/*
 * Sign, and encrypt first when p->recipient is set, the encoded report.
 * The COSE_Sign1 is tagged and carries the report key's RFC 9679
 * thumbprint as kid. The ciphertext goes into `work`, which needs report_len +
 * TK_SUIT_REPORT_PROTECT_OVERHEAD bytes when encrypting and is unused
 * otherwise. *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_suit_report_protect(const struct tk_crypto *c,
					    const struct tk_suit_report_protect *p,
					    const uint8_t *report, size_t report_len,
					    uint8_t *work, size_t work_cap,
					    uint8_t *out, size_t out_cap, size_t *out_len,
					    struct tk_diag *diag);

/* Result of opening a protected report. */
struct tk_suit_report_opened {
	bool encrypted;              /* the payload was a COSE_Encrypt */
	size_t key_index;            /* index of the report key that verified */
	struct tk_span kid;          /* kid of the COSE_Sign1, view into msg */
	struct tk_span report;       /* the encoded SUIT_Report: a view into
					msg, or into `plain` when encrypted */
};

/*
 * Verify a SUIT_Report_Protected with one of the trusted report keys, then
 * decrypt its payload with `recipient_key` (a P-256 private key) when it is
 * a COSE_Encrypt. A report that is not signed, or encrypted while no
 * recipient key is given, fails (TK_ERR_SCHEMA_TAG, TK_ERR_KEY). The
 * plaintext goes into plain[0..plain_cap), which the caller wipes after
 * use. Borrows msg. On failure *out is zeroed.
 */
TK_MUST_CHECK tk_err tk_suit_report_open(const struct tk_crypto *c,
					 const struct tk_crypto_key *const *report_keys,
					 size_t n_report_keys,
					 const struct tk_crypto_key *recipient_key,
					 const uint8_t *msg, size_t msg_len,
					 uint8_t *plain, size_t plain_cap,
					 struct tk_suit_report_opened *out,
					 struct tk_diag *diag);

/*
 * Names of SUIT_Report keys for tk_cbor_to_diag(): the report's members,
 * the result's (under key 4) and the capability report's (under key 8).
 * Stateless; ctx unused.
 */
extern const struct tk_cbor_names tk_suit_report_cbor_names;

#endif /* TK_SUIT_REPORT_H */
