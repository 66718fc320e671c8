/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kind of an attestation-payload, given by its attestation-payload-format
 * (draft-ietf-teep-protocol, "Handling a QueryResponse Message"): Evidence
 * for a verifier (the background-check model of RFC 9334 section 5.2), or
 * an Attestation Result the agent obtained itself (the passport model,
 * section 5.1). Shared by the TAM and the agent state machines.
 *
 * The draft's text states the EAT media type of its "EAT Profile" section
 * indicates an Attestation Result and any other value Evidence, while the
 * same section defines that media type for the agent's evidence. teepkit
 * follows the meaning of the profile: an absent format or the TEEP EAT
 * profile is Evidence, an EAR (draft-ietf-rats-ear) is a result, and any
 * other value is Evidence of a format the verifier may know.
 */
#ifndef TK_TEEP_ATTEST_H
#define TK_TEEP_ATTEST_H

#include <stdbool.h>

#include "common/tk_span.h"

/*
 * Media type of an EAR signed as a CWT (draft-ietf-rats-ear section
 * "Media Types" with the profile of draft 03). The profile contains ':'
 * and '/', which a media type parameter may carry only quoted (RFC 9110
 * section 5.6.6), so it is quoted.
 */
#define TK_TEEP_EAR_MEDIA_TYPE \
	"application/eat+cwt; eat_profile=\"tag:ietf.org,2026:rats/ear#03\""

/*
 * attestation-payload-format of evidence encrypted to the TAM: the COSE
 * media type with the cose-type parameter (RFC 9052 section 9.1) of a
 * tagged COSE_Encrypt (tag 96). The draft's section "EATs and SUIT
 * Reports" defines the encryption ("EAT Encryption" in the KDF context)
 * but no media type, and its attestation-payload-format must be present
 * whenever the payload is not a plain EAT of the TEEP profile. Decrypted,
 * the payload is an EAT of the TEEP profile, as if the format were absent.
 */
#define TK_TEEP_ENCRYPTED_EVIDENCE_MEDIA_TYPE "application/cose; cose-type=\"cose-encrypt\""

/*
 * True when format names an EAR (TK_TEEP_EAR_MEDIA_TYPE, compared
 * byte for byte), false for Evidence: an empty format, the TEEP EAT
 * profile, or any other value.
 */
bool tk_teep_payload_is_result(struct tk_span format);

#endif /* TK_TEEP_ATTEST_H */
