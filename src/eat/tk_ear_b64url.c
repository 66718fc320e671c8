/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unpadded base64url (RFC 4648 section 5), as JWS compact serialization
 * and the JSON form of EAT binary claims use it. The decoder is strict,
 * so one byte string has one text form and a signed JWT cannot be
 * re-encoded into another that still verifies.
 */
#include "eat/tk_ear_json_impl.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int sextet(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

size_t tk_ear_b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

tk_err tk_ear_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_cap,
			    size_t *out_len, struct tk_diag *diag)
{
	size_t need = tk_ear_b64url_len(len), o = 0;

	*out_len = 0;
	if (need > out_cap)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "base64url of %zu bytes needs %zu characters, %zu available",
			       len, need, out_cap);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t chunk = len - i < 3 ? len - i : 3;

		if (chunk > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (chunk > 2)
			v |= in[i + 2];
		for (size_t k = 0; k < chunk + 1; k++)
			out[o++] = alphabet[(v >> (18 - 6 * k)) & 0x3f];
	}
	*out_len = o;
	return TK_OK;
}

tk_err tk_ear_b64url_decode(const char *in, size_t len, bool allow_unused_bits,
			    uint8_t *out, size_t out_cap, size_t *out_len,
			    const char *what, struct tk_diag *diag)
{
	size_t o = 0, need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	uint32_t acc = 0;
	unsigned bits = 0;

	*out_len = 0;
	if (len % 4 == 1)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "%s: base64url text of %zu characters is truncated", what, len);
	if (need > out_cap)
		return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
			       "%s: %zu bytes decoded, %zu available", what, need, out_cap);
	for (size_t i = 0; i < len; i++) {
		int v = sextet(in[i]);

		if (v < 0)
			return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
				       "%s: character 0x%02x at %zu is not base64url",
				       what, (unsigned char)in[i], i);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0 && !allow_unused_bits)
		return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE,
			       "%s: base64url text has non-zero unused bits", what);
	*out_len = o;
	return TK_OK;
}
