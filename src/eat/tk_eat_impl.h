/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the decoders of src/eat/, private to the layer. */
#ifndef TK_EAT_IMPL_H
#define TK_EAT_IMPL_H

#include "cbor/tk_cbor.h"
#include "common/tk_err.h"
#include "common/tk_span.h"

/*
 * Skip one item, failing with TK_ERR_SCHEMA_TAG on a tag anywhere inside
 * it. Recursion is bounded by TK_CBOR_MAX_DEPTH, which
 * tk_cbor_dec_init() enforced on the whole input.
 */
tk_err tk_eat_skip_untagged(struct tk_cbor_dec *dec);

/* The same, returning the item's encoded bytes, a view into buf. */
tk_err tk_eat_get_raw_untagged(struct tk_cbor_dec *dec, const uint8_t *buf,
			       struct tk_span *out);

#endif /* TK_EAT_IMPL_H */
