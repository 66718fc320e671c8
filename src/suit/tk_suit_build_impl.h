/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the general envelope builder, shared by its checking and
 * signing half (tk_suit_build_sign.c) and its encoding half
 * (tk_suit_build_encode.c). Not part of the public interface.
 */
#ifndef TK_SUIT_BUILD_IMPL_H
#define TK_SUIT_BUILD_IMPL_H

#include "cbor/tk_cbor.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_build.h"

/* Severable members of one manifest: the five severable section keys and
 * text. */
#define TK_SUIT_BUILD_MAX_SEVERED 6

/* Digests of the severed members, in ascending key order. */
struct tk_suit_build_severed {
	size_t count;
	int64_t keys[TK_SUIT_BUILD_MAX_SEVERED];
	uint8_t digests[TK_SUIT_BUILD_MAX_SEVERED][TK_SUIT_DIGEST_LEN];
};

/*
 * Write the manifest as a byte string (the SUIT digest input), with the
 * digests in `digests` in place of the severed members.
 */
void tk_suit_build_put_manifest(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc,
				const struct tk_suit_build_severed *digests);

/*
 * Write the byte string of severable member `key` (a section key, or
 * suit-text 23), as the envelope carries it when severed.
 */
void tk_suit_build_put_severable(struct tk_cbor_enc *enc, const struct tk_suit_build_desc *desc,
				 int64_t key);

#endif /* TK_SUIT_BUILD_IMPL_H */
