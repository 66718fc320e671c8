/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 quotes in teepkit evidence: strict parsers for the structures a
 * TPM2_Quote returns (TPMS_ATTEST, TPML_PCR_SELECTION, TPMT_SIGNATURE;
 * TPM 2.0 Library, Part 2: Structures, sections 10.12.8, 10.9.7 and
 * 11.3.4) and the checks a verifier runs on them. Written by hand, with
 * no tpm2-tss dependency, so the eat layer stays a plain library.
 *
 * Wire layout read by tk_eat_tpm_parse_attest() (all integers big endian):
 *   magic            u32   TPM_GENERATED_VALUE 0xff544347
 *   type             u16   TPM_ST_ATTEST_QUOTE 0x8018
 *   qualifiedSigner  TPM2B_NAME   (u16 size, bytes)
 *   extraData        TPM2B_DATA   (u16 size, bytes): the qualifying data
 *   clockInfo        u64 clock, u32 resetCount, u32 restartCount, u8 safe
 *   firmwareVersion  u64
 *   attested.quote   TPML_PCR_SELECTION (u32 count, count x {u16 hash,
 *                    u8 sizeofSelect, sizeofSelect bytes bitmap}),
 *                    TPM2B_DIGEST pcrDigest
 * and by tk_eat_tpm_parse_signature():
 *   sigAlg u16 (TPM_ALG_ECDSA 0x0018), hash u16 (TPM_ALG_SHA256 0x000b),
 *   signatureR TPM2B_ECC_PARAMETER, signatureS TPM2B_ECC_PARAMETER
 * Every size is checked against its named limit and the bytes left, and
 * trailing bytes are rejected.
 *
 * Only ECDSA P-256 with SHA-256 signatures and the SHA-256 PCR bank are
 * verified: the swtpm attestation keys teepkit creates are ECC P-256, and
 * RSA keys are not a key type of the crypto layer.
 */
#ifndef TK_EAT_TPM_H
#define TK_EAT_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_eat.h"

/* Constants of the TPM 2.0 Library, Part 2. */
#define TK_TPM_GENERATED_VALUE 0xff544347u
#define TK_TPM_ST_ATTEST_QUOTE 0x8018u
#define TK_TPM_ALG_SHA256 0x000bu
#define TK_TPM_ALG_ECDSA 0x0018u

/*
 * Limits of the parsers (TK_ERR_LIMIT_SIZE or TK_ERR_LIMIT_COUNT beyond).
 * A TPMS_ATTEST of a quote over one bank is about 130 bytes (129 in the
 * swtpm vector). A name is at most 2 + 64 bytes (a SHA-512 name), a
 * digest at most 64. A TPM has a few banks of 24 PCRs, whose bitmap takes
 * 3 bytes; 4 are allowed.
 */
#define TK_EAT_TPM_ATTEST_MAX 1024
#define TK_EAT_TPM_SIGNATURE_MAX 256
#define TK_EAT_TPM_NAME_MAX 68
#define TK_EAT_TPM_DATA_MAX 64
#define TK_EAT_TPM_MAX_BANKS 4
#define TK_EAT_TPM_SELECT_MAX 4
#define TK_EAT_TPM_PCR_COUNT 24

/* One entry of a TPML_PCR_SELECTION. */
struct tk_eat_tpm_pcr_selection {
	uint16_t hash_alg;                       /* TPM_ALG_ID of the bank */
	uint8_t size_of_select;                  /* bytes in select, 0..4 */
	uint8_t select[TK_EAT_TPM_SELECT_MAX];   /* bit n of byte n/8: PCR n */
};

/* A parsed TPMS_ATTEST of type quote. Spans view the input. */
struct tk_eat_tpm_attest {
	uint32_t magic;
	uint16_t type;
	struct tk_span qualified_signer; /* TPM2B_NAME contents */
	struct tk_span extra_data;       /* qualifying data (the nonce) */
	uint64_t clock;                  /* milliseconds the TPM has run */
	uint32_t reset_count;
	uint32_t restart_count;
	bool safe;
	uint64_t firmware_version;
	struct tk_eat_tpm_pcr_selection banks[TK_EAT_TPM_MAX_BANKS];
	size_t bank_count;
	struct tk_span pcr_digest;       /* hash of the selected PCR values */
};

/* A parsed TPMT_SIGNATURE (ECDSA). Spans view the input. */
struct tk_eat_tpm_signature {
	uint16_t sig_alg;  /* TK_TPM_ALG_ECDSA */
	uint16_t hash_alg; /* TK_TPM_ALG_SHA256 */
	struct tk_span r;  /* big endian, 1..32 bytes */
	struct tk_span s;
};

/*
 * Parse a TPMS_ATTEST of type quote. Fails with TK_ERR_SCHEMA_VALUE for a
 * wrong magic or type, TK_ERR_SCHEMA_LENGTH for a size past the input or
 * bytes after the structure, TK_ERR_LIMIT_* past a limit above. Views into buf; *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_parse_attest(const uint8_t *buf, size_t len,
					     struct tk_eat_tpm_attest *out,
					     struct tk_diag *diag);

/*
 * Parse a TPMT_SIGNATURE. Any algorithm other than ECDSA with SHA-256 is
 * TK_ERR_ALG_UNSUPPORTED. Views into buf; *out is zeroed on failure.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_parse_signature(const uint8_t *buf, size_t len,
						struct tk_eat_tpm_signature *out,
						struct tk_diag *diag);

/*
 * Digest of PCR values as a quote computes it: SHA-256 over the values
 * concatenated in the order of the selection (bank by bank, PCR index
 * ascending). Every selected PCR of the SHA-256 bank must appear exactly
 * once in pcrs and no other (TK_ERR_SCHEMA_MISSING, TK_ERR_SCHEMA_VALUE);
 * a PCR selected twice (the bank listed twice) is TK_ERR_SCHEMA_VALUE, and
 * a selection of another bank is TK_ERR_ALG_UNSUPPORTED.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_pcr_digest(const struct tk_crypto *c,
					   const struct tk_eat_tpm_attest *attest,
					   const struct tk_eat_tpm_pcr_value *pcrs,
					   size_t n_pcrs,
					   uint8_t out[TK_CRYPTO_SHA256_LEN],
					   struct tk_diag *diag);

/* Options of tk_eat_tpm_verify_quote(). Zero-initialise, then set all. */
struct tk_eat_tpm_verify_opts {
	const struct tk_crypto_key *ak;   /* attestation key (P-256), borrowed */
	struct tk_span qualifying_data;   /* expected extraData, not empty */
	const struct tk_eat_tpm_pcr_value *pcrs; /* values the quote covers */
	size_t n_pcrs;
};

/*
 * Verify a quote, in this order: arguments (an empty
 * opts->qualifying_data is TK_ERR_ARG), sizes, the signature over the attest
 * bytes with opts->ak (TK_ERR_SIGNATURE), magic and type, extraData equal
 * to opts->qualifying_data (TK_ERR_NONCE), and pcrDigest equal to the
 * digest of opts->pcrs (TK_ERR_DIGEST_MISMATCH). On success *out
 * contains the parsed attest (views into attest); on failure it is zeroed.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_verify_quote(const struct tk_crypto *c,
					     const uint8_t *attest, size_t attest_len,
					     const uint8_t *sig, size_t sig_len,
					     const struct tk_eat_tpm_verify_opts *opts,
					     struct tk_eat_tpm_attest *out,
					     struct tk_diag *diag);

/*
 * Qualifying data a teepkit quote carries: SHA-256(eat_nonce || kid),
 * where kid is the RFC 9679 thumbprint of the TEEP signing key (32
 * bytes). It binds the quote to the challenge and to the key that signs
 * the evidence around it. nonce must be 8..64 bytes, kid 32.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_qualifying_data(const struct tk_crypto *c,
						struct tk_span nonce, struct tk_span kid,
						uint8_t out[TK_CRYPTO_SHA256_LEN],
						struct tk_diag *diag);

/*
 * Replay a measurement log into a SHA-256 PCR: start from 32 zero bytes
 * and for each digest set pcr = SHA-256(pcr || digest), as TPM2_PCR_Extend
 * does. Each digest must be 32 bytes. n_digests 0 gives the zero PCR.
 */
TK_MUST_CHECK tk_err tk_eat_tpm_pcr_replay(const struct tk_crypto *c,
					   const struct tk_span *digests, size_t n_digests,
					   uint8_t out[TK_CRYPTO_SHA256_LEN],
					   struct tk_diag *diag);

#endif /* TK_EAT_TPM_H */
