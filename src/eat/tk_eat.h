/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entity Attestation Tokens (RFC 9711) with the TEEP profile of
 * draft-ietf-teep-protocol (section "EAT Profile"): the evidence a TEEP
 * Agent puts in the attestation-payload of a QueryResponse.
 *
 * Wire format written and accepted (CWT, RFC 8392):
 *   evidence   = [#6.61] COSE_Sign1_Tagged / [#6.61] COSE_Sign1
 *   payload    = Claims-Set, a map with these claims:
 *     6   iat        int                      optional
 *     8   cnf        {3: kid}                 required; kid = RFC 9679
 *                    or {1: COSE_Key}         thumbprint (SHA-256) of the
 *                                             TEEP signing key
 *     10  eat_nonce  bstr .size (8..64)       the QueryRequest challenge
 *     256 ueid       bstr .size (7..33)       required
 *     258 oemid      bstr / int               required
 *     259 hwmodel    bstr .size (1..32)       required
 *     260 hwversion  [tstr, ? int]            required
 *     265 eat_profile tstr (URI) / bstr (OID) optional, must be the TEEP one
 *     272 manifests  [+ [uint, bstr]]         required
 *     273 measurements [+ [uint, bstr]]       optional: loaded TAs
 *     -75000 tpm-quote {1: attest, 2: sig,    optional: TPM backend
 *            3: [+ [pcr, value]], ? 4: AK COSE_Key, ? 5: [+ EK cert]}
 *     -75001 teepkit-encryption-kid       optional: RFC 9679 thumbprint
 *            bstr .size 32                (SHA-256) of the TEE's P-256
 *                                         payload-encryption public key
 * The profile demands CBOR only, definite lengths, preferred serialization
 * and no tags inside the claims; the decoder rejects anything else. Claims
 * not listed are skipped (after the same checks), as RFC 9711 allows.
 *
 * Choices where the draft leaves room, and why:
 * - cnf carries the kid (label 3), the thumbprint of the key: the draft's
 *   key identification rule names RFC 9679 thumbprints as kids, and its
 *   example evidence uses {3: kid}. A full COSE_Key (label 1) is accepted.
 * - Each manifests entry is [60, bstr .cbor SUIT_Reference] with
 *   SUIT_Reference = [uri: tstr, digest: SUIT_Digest] (draft-ietf-suit-report
 *   section 4). RFC 9711 section 4.2.15 makes every manifest body a byte
 *   string, so the reference is wrapped in one; 60 (application/cbor) is
 *   the draft example's placeholder while no content format is assigned.
 *   The decoder also accepts the draft example's unwrapped body.
 * - Each measurements entry (RFC 9711 section 4.2.16) is [60, bstr .cbor
 *   teepkit-measurement] with teepkit-measurement = [component-id:
 *   [+ bstr], digest: SUIT_Digest, ? pcr: uint], one per loaded TA in load
 *   order. With the TPM backend each entry names the PCR it was extended
 *   into, with the event SHA-256(component-id || digest), so a verifier
 *   replays the entries to the quoted value (tk_eat_tpm_pcr_replay()).
 * - The TPM quote travels in the private-use claim -75000 (RFC 8392
 *   section 9.1 reserves labels below -65536 for private use), because
 *   neither RFC 9711 nor the TEEP draft defines a claim for it.
 *   docs/evidence-format.md shows an example in diagnostic notation.
 * - The profile's label is "urn:ietf:rfc:rfcXXXX" as printed in the draft.
 *
 * Decoders allocate nothing: claims are views into the input buffer.
 */
#ifndef TK_EAT_H
#define TK_EAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_span.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"

/* Claim labels (RFC 9711 section 10.1, RFC 8392, RFC 8747). */
#define TK_EAT_CLAIM_ISS 1
#define TK_EAT_CLAIM_SUB 2
#define TK_EAT_CLAIM_AUD 3
#define TK_EAT_CLAIM_EXP 4
#define TK_EAT_CLAIM_NBF 5
#define TK_EAT_CLAIM_IAT 6
#define TK_EAT_CLAIM_CTI 7
#define TK_EAT_CLAIM_CNF 8
#define TK_EAT_CLAIM_NONCE 10
#define TK_EAT_CLAIM_UEID 256
#define TK_EAT_CLAIM_SUEIDS 257
#define TK_EAT_CLAIM_OEMID 258
#define TK_EAT_CLAIM_HWMODEL 259
#define TK_EAT_CLAIM_HWVERSION 260
#define TK_EAT_CLAIM_UPTIME 261
#define TK_EAT_CLAIM_OEMBOOT 262
#define TK_EAT_CLAIM_DBGSTAT 263
#define TK_EAT_CLAIM_LOCATION 264
#define TK_EAT_CLAIM_PROFILE 265
#define TK_EAT_CLAIM_SUBMODS 266
#define TK_EAT_CLAIM_BOOTCOUNT 267
#define TK_EAT_CLAIM_BOOTSEED 268
#define TK_EAT_CLAIM_DLOAS 269
#define TK_EAT_CLAIM_SWNAME 270
#define TK_EAT_CLAIM_SWVERSION 271
#define TK_EAT_CLAIM_MANIFESTS 272
#define TK_EAT_CLAIM_MEASUREMENTS 273
#define TK_EAT_CLAIM_MEASRES 274
#define TK_EAT_CLAIM_INTUSE 275

/* Private-use claim of teepkit evidence: the TPM quote (see above). */
#define TK_EAT_CLAIM_TPM_QUOTE (-75000)

/*
 * Private-use claim of teepkit evidence: the RFC 9679 thumbprint of the
 * key data providers encrypt personalization data to, so that a result
 * about this evidence names the key a data provider may encrypt to.
 */
#define TK_EAT_CLAIM_ENCRYPTION_KID (-75001)

/* Keys inside the tpm-quote claim. */
#define TK_EAT_TPM_KEY_ATTEST 1    /* bstr: TPMS_ATTEST as signed */
#define TK_EAT_TPM_KEY_SIGNATURE 2 /* bstr: TPMT_SIGNATURE */
#define TK_EAT_TPM_KEY_PCRS 3      /* [+ [index: uint, value: bstr]] */
#define TK_EAT_TPM_KEY_AK 4        /* COSE_Key: attestation key, public */
#define TK_EAT_TPM_KEY_EK_CHAIN 5  /* [+ bstr]: EK certificate, then CAs */

/* Confirmation methods inside cnf (RFC 8747 section 3.1). */
#define TK_EAT_CNF_COSE_KEY 1
#define TK_EAT_CNF_KID 3

/* CWT CBOR tag (RFC 8392 section 6). */
#define TK_EAT_TAG_CWT 61

/* The TEEP profile's label, as the draft prints it before publication. */
#define TK_EAT_TEEP_PROFILE "urn:ietf:rfc:rfcXXXX"

/* Media type of the attestation-payload-format for this evidence. */
#define TK_EAT_TEEP_MEDIA_TYPE \
	"application/eat+cwt; eat_profile=urn:ietf:rfc:rfcXXXX"

/* CoAP content format 60, application/cbor, used for SUIT_Reference. */
#define TK_EAT_CONTENT_FORMAT_CBOR 60

/* SUIT_Digest algorithm id of SHA-256 (COSE algorithm -16). */
#define TK_EAT_DIGEST_SHA256 (-16)

/* Bounds of eat_nonce, ueid and hwmodel (RFC 9711 sections 4.1, 4.2). */
#define TK_EAT_NONCE_MIN 8
#define TK_EAT_NONCE_MAX 64
#define TK_EAT_UEID_MIN 7
#define TK_EAT_UEID_MAX 33
#define TK_EAT_HWMODEL_MAX 32

/*
 * Maximum size of signed evidence, checked before the signature: larger
 * input fails with TK_ERR_LIMIT_SIZE. The TEEP claims take about 200
 * bytes plus about 60 per manifests entry; 16 KiB leaves room for
 * TK_EAT_MAX_MANIFESTS long URIs while bounding the work a peer can cause.
 */
#define TK_EAT_MAX_SIZE (16u * 1024u)

/*
 * Maximum number of entries in the manifests claim; more fails with
 * TK_ERR_LIMIT_COUNT. Evidence has one entry per installed manifest plus
 * the TEEP Agent. The claims struct stores them in a fixed array, so
 * nothing is allocated.
 */
#define TK_EAT_MAX_MANIFESTS 64

/*
 * Maximum number of entries in the measurements claim (TK_ERR_LIMIT_COUNT
 * beyond): one per loaded TA, stored in a fixed array like manifests.
 */
#define TK_EAT_MAX_MEASUREMENTS 64

/*
 * Maximum number of PCR values and EK chain certificates in the tpm-quote
 * claim (TK_ERR_LIMIT_COUNT beyond). A TPM 2.0 SHA-256 bank has 24 PCRs;
 * an EK chain is the EK certificate plus at most three CA certificates.
 */
#define TK_EAT_TPM_MAX_PCRS 24
#define TK_EAT_TPM_MAX_CHAIN 4

/* One entry of the manifests claim: [content-type, content-format]. */
struct tk_eat_manifest {
	uint64_t content_type; /* CoAP content format */
	struct tk_span body;   /* decode: view of the bstr contents, or of
				  the whole encoded item when not a bstr;
				  encode: the bytes to wrap in a bstr */
	bool body_is_bstr;     /* decode only; encode always writes a bstr */
};

/* A teepkit-measurement: what was loaded, its digest and the PCR extended. */
struct tk_eat_measured_component {
	struct tk_span component_id; /* encoded SUIT_Component_Identifier */
	int64_t digest_alg;          /* COSE algorithm id, TK_EAT_DIGEST_SHA256 */
	struct tk_span digest;       /* digest bytes */
	bool has_pcr;
	uint64_t pcr;                /* TPM PCR index, 0..23 */
};

/* One quoted PCR value of the tpm-quote claim. */
struct tk_eat_tpm_pcr_value {
	uint64_t index;        /* PCR index, 0..23 */
	struct tk_span value;  /* SHA-256 bank value, 32 bytes */
};

/* The tpm-quote claim. Spans view the evidence. */
struct tk_eat_tpm_claim {
	struct tk_span attest;    /* TPMS_ATTEST, parse with tk_eat_tpm_* */
	struct tk_span signature; /* TPMT_SIGNATURE */
	struct tk_eat_tpm_pcr_value pcrs[TK_EAT_TPM_MAX_PCRS];
	size_t pcr_count;
	struct tk_span ak_key;    /* encoded COSE_Key, empty when absent */
	struct tk_span ek_chain[TK_EAT_TPM_MAX_CHAIN]; /* DER certificates */
	size_t ek_chain_count;
};

/* A SUIT_Reference: the URI and SUIT digest of one manifest. */
struct tk_eat_suit_reference {
	struct tk_span uri;    /* tstr, may be empty */
	int64_t digest_alg;    /* COSE algorithm id, TK_EAT_DIGEST_SHA256 */
	struct tk_span digest; /* digest bytes */
};

/* Bits of struct tk_eat_claims.present. */
enum tk_eat_claim_bit {
	TK_EAT_HAS_IAT = 1u << 0,
	TK_EAT_HAS_CNF = 1u << 1,
	TK_EAT_HAS_NONCE = 1u << 2,
	TK_EAT_HAS_UEID = 1u << 3,
	TK_EAT_HAS_OEMID = 1u << 4,
	TK_EAT_HAS_HWMODEL = 1u << 5,
	TK_EAT_HAS_HWVERSION = 1u << 6,
	TK_EAT_HAS_PROFILE = 1u << 7,
	TK_EAT_HAS_MANIFESTS = 1u << 8,
	TK_EAT_HAS_MEASUREMENTS = 1u << 9,
	TK_EAT_HAS_TPM_QUOTE = 1u << 10,
	TK_EAT_HAS_ENCRYPTION_KID = 1u << 11,
};

/*
 * Decoded claims, spans are views into the decoded buffer. Also the input
 * of the encoder, which writes every claim whose bit is in `present`.
 */
struct tk_eat_claims {
	uint32_t present;           /* enum tk_eat_claim_bit */
	int64_t iat;                /* seconds since the epoch */
	struct tk_span cnf_kid;     /* cnf {3: kid}; empty when cnf has a key */
	struct tk_span cnf_key;     /* cnf {1: COSE_Key}, the encoded map;
				       decode only */
	struct tk_span nonce;       /* eat_nonce, one bstr */
	struct tk_span ueid;
	bool oemid_is_pen;          /* oemid is an IANA Private Enterprise
				       Number (int) rather than bytes */
	int64_t oemid_pen;
	struct tk_span oemid;       /* bytes: 3-byte IEEE OUI or 16 random */
	struct tk_span hwmodel;
	struct tk_span hwversion;   /* version text */
	bool has_hwversion_scheme;
	int64_t hwversion_scheme;   /* $version-scheme, e.g. 1 multipartnumeric */
	bool profile_is_oid;        /* eat_profile is an OID (bstr), not a URI */
	struct tk_span profile;
	struct tk_eat_manifest manifests[TK_EAT_MAX_MANIFESTS];
	size_t manifest_count;
	/* measurements entries have the shape of manifests entries */
	struct tk_eat_manifest measurements[TK_EAT_MAX_MEASUREMENTS];
	size_t measurement_count;
	struct tk_eat_tpm_claim tpm;   /* valid with TK_EAT_HAS_TPM_QUOTE */
	struct tk_span encryption_kid; /* teepkit-encryption-kid, 32 bytes */
};

/*
 * Encode claims as a Claims-Set map in preferred serialization, labels in
 * ascending order. Writes into out[0..out_cap) (out NULL and out_cap 0 only
 * count). Claims not flagged in `present` are left out; nothing is checked
 * against the TEEP profile (see tk_eat_check_teep_profile()).
 */
TK_MUST_CHECK tk_err tk_eat_encode_claims(const struct tk_eat_claims *claims,
					  uint8_t *out, size_t out_cap,
					  size_t *out_len, struct tk_diag *diag);

/*
 * Build TEEP evidence: check claims against the TEEP profile, set
 * eat_profile to TK_EAT_TEEP_PROFILE and, when claims->cnf_kid is empty,
 * cnf to the RFC 9679 thumbprint of key, then sign the Claims-Set as a
 * tagged COSE_Sign1 with key (ESP256 for P-256, Ed25519 for Ed25519) and
 * the thumbprint as kid. Borrows key, which must hold a private part.
 * *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_eat_sign(const struct tk_crypto *c,
				 const struct tk_crypto_key *key,
				 const struct tk_eat_claims *claims,
				 uint8_t *out, size_t out_cap, size_t *out_len,
				 struct tk_diag *diag);

/*
 * Decode a Claims-Set (strict CBOR, no tags anywhere inside) into *out.
 * Known claims of the wrong type or size fail with TK_ERR_SCHEMA_TYPE or
 * TK_ERR_SCHEMA_LENGTH naming the claim; unknown claims are skipped. Does
 * not check which claims are present. Views into buf; *out is zeroed on
 * failure.
 */
TK_MUST_CHECK tk_err tk_eat_decode_claims(const uint8_t *buf, size_t len,
					  struct tk_eat_claims *out,
					  struct tk_diag *diag);

/*
 * Check the TEEP profile's claim rules: ueid, oemid, hwmodel, hwversion,
 * manifests and cnf present (TK_ERR_SCHEMA_MISSING naming the first one
 * absent), eat_nonce present (freshness by nonce is the only mechanism
 * teepkit supports), and eat_profile, when present, equal to
 * TK_EAT_TEEP_PROFILE (TK_ERR_SCHEMA_VALUE).
 */
TK_MUST_CHECK tk_err tk_eat_check_teep_profile(const struct tk_eat_claims *claims,
					       struct tk_diag *diag);

/* Options of tk_eat_verify(). Zero-initialise, then set every field. */
struct tk_eat_verify_opts {
	/*
	 * Trusted attestation keys (in this version: the enrolled agent
	 * keys), borrowed. A key's kid, when set, must match the COSE kid.
	 */
	const struct tk_cose_trusted_key *keys;
	size_t n_keys;
	struct tk_span nonce;      /* expected eat_nonce: the challenge sent */
	/*
	 * Kid the cnf claim must name: the RFC 9679 thumbprint of the key
	 * that signed the TEEP message carrying the evidence. When empty, cnf
	 * must name the attestation key that verified the evidence, which is
	 * the same key in teepkit's simulated TEE.
	 */
	struct tk_span cnf_kid;
};

/* Result of a successful verification. */
struct tk_eat_verified {
	struct tk_eat_claims claims;  /* views into the evidence */
	size_t key_index;             /* index in opts->keys that verified */
	int64_t alg;                  /* COSE algorithm of the signature */
};

/*
 * Verify TEEP evidence, in this order: size limit, optional CWT tag, the
 * COSE_Sign1 signature with a trusted key (TK_ERR_UNTRUSTED when none
 * fits, TK_ERR_SIGNATURE when it does not verify), the claims decoded
 * strictly, the TEEP profile rules, eat_nonce equal to opts->nonce
 * (compared in constant time, TK_ERR_NONCE), and cnf naming the expected
 * key (TK_ERR_UNTRUSTED). Borrows evidence. On success out contains views
 * into it, and on failure *out is zeroed.
 */
TK_MUST_CHECK tk_err tk_eat_verify(const struct tk_crypto *c,
				   const uint8_t *evidence, size_t evidence_len,
				   const struct tk_eat_verify_opts *opts,
				   struct tk_eat_verified *out,
				   struct tk_diag *diag);

/*
 * Encode a SUIT_Reference [uri, [alg, digest]] for a manifests entry
 * body. Writes into out[0..out_cap).
 */
TK_MUST_CHECK tk_err tk_eat_encode_suit_reference(
	const struct tk_eat_suit_reference *ref, uint8_t *out, size_t out_cap,
	size_t *out_len, struct tk_diag *diag);

/*
 * Decode the SUIT_Reference in a manifests entry: the array form of
 * draft-ietf-suit-report, or the map form {1: uri, 0: digest} of the TEEP
 * draft's example. Views into manifest->body; *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_eat_decode_suit_reference(
	const struct tk_eat_manifest *manifest,
	struct tk_eat_suit_reference *out, struct tk_diag *diag);

/*
 * Encode a teepkit-measurement [component-id, [alg, digest], ? pcr] for a
 * measurements entry body; component_id must be an encoded array of byte
 * strings. Writes into out[0..out_cap).
 */
TK_MUST_CHECK tk_err tk_eat_encode_measured_component(
	const struct tk_eat_measured_component *mc, uint8_t *out, size_t out_cap,
	size_t *out_len, struct tk_diag *diag);

/*
 * Decode the teepkit-measurement in a measurements entry body (strict
 * CBOR, no tags). Views into measurement->body; *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_eat_decode_measured_component(
	const struct tk_eat_manifest *measurement,
	struct tk_eat_measured_component *out, struct tk_diag *diag);

/*
 * EAT Encryption (draft-ietf-teep-protocol, "EATs and SUIT Reports"):
 * signed evidence encrypted to the TAM as a tagged COSE_Encrypt with one
 * ECDH-ES+A128KW recipient whose COSE_KDF_Context has SuppPubInfo.other =
 * "EAT Encryption". The content algorithm is A128GCM or
 * ChaCha20/Poly1305, the AEADs of the draft's cipher suites; AES-CTR
 * suites carry no integrity of their own and are rejected here
 * (TK_ERR_ALG_UNSUPPORTED).
 */
#define TK_EAT_ENCRYPTION_CONTEXT "EAT Encryption"

/* Maximum size of encrypted evidence: the evidence plus COSE overhead. */
#define TK_EAT_ENCRYPTED_MAX_SIZE (TK_EAT_MAX_SIZE + 512u)

/*
 * Encrypt signed evidence to the TAM's P-256 public key tam_key (borrowed),
 * writing the TAM's kid in the recipient when kid is not empty. Writes into
 * out[0..out_cap); *out_len is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_eat_encrypt(const struct tk_crypto *c,
				    const struct tk_crypto_key *tam_key, struct tk_span kid,
				    int64_t content_alg, const uint8_t *evidence,
				    size_t evidence_len, uint8_t *out, size_t out_cap,
				    size_t *out_len, struct tk_diag *diag);

/*
 * Decrypt encrypted evidence with the TAM's P-256 private key (borrowed).
 * Size limit first (TK_ERR_LIMIT_SIZE), then the COSE_Encrypt with the
 * "EAT Encryption" context; a wrong key, context or tag is TK_ERR_DECRYPT
 * or TK_ERR_KEY. Writes the signed evidence into out[0..out_cap), which is
 * wiped on failure. Verify it with tk_eat_verify() next.
 */
TK_MUST_CHECK tk_err tk_eat_decrypt(const struct tk_crypto *c,
				    const struct tk_crypto_key *tam_key,
				    const uint8_t *msg, size_t msg_len, uint8_t *out,
				    size_t out_cap, size_t *out_len, struct tk_diag *diag);

/* Name of a Claims-Set label ("ueid"), or NULL when unknown. */
const char *tk_eat_claim_name(int64_t label);

/*
 * Names for tk_cbor_to_diag() when printing a Claims-Set: claim labels at
 * the top level, cnf and COSE_Key labels inside cnf, and the CWT and
 * COSE_Sign1 tags. A constant table; never NULL.
 */
const struct tk_cbor_names *tk_eat_names(void);

#endif /* TK_EAT_H */
