/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the files of the tk_ear_json library. */
#ifndef TK_EAR_JSON_IMPL_H
#define TK_EAR_JSON_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"

/* Length of the unpadded base64url text of n bytes. */
size_t tk_ear_b64url_len(size_t n);

/*
 * Write the unpadded base64url form (RFC 4648 section 5) of in into
 * out[0..out_cap), no NUL. TK_ERR_BUFFER_TOO_SMALL when it does not fit.
 */
tk_err tk_ear_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_cap,
			    size_t *out_len, struct tk_diag *diag);

/*
 * Decode unpadded base64url strictly: padding, characters outside the
 * alphabet, a length of 1 mod 4 and (unless allow_unused_bits) non-zero
 * unused bits are TK_ERR_SCHEMA_VALUE naming `what`.
 */
tk_err tk_ear_b64url_decode(const char *in, size_t len, bool allow_unused_bits,
			    uint8_t *out, size_t out_cap, size_t *out_len,
			    const char *what, struct tk_diag *diag);

#endif /* TK_EAR_JSON_IMPL_H */
