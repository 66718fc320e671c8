/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Item heads, float widths, UTF-8 and skipping: the pieces the encoder,
 * validator, pull decoder and diagnostic printer share. Floats are converted
 * by manipulating IEEE 754 bits rather than by C casts, because a cast of an
 * out-of-range double to float is undefined behaviour and would hide NaN
 * payloads.
 */
#include "cbor/tk_cbor_impl.h"

#include <math.h>
#include <string.h>

/* Width of the exponent and mantissa fields of each IEEE 754 format. */
#define HALF_EXP_BITS 5
#define HALF_MANT_BITS 10
#define SINGLE_EXP_BITS 8
#define SINGLE_MANT_BITS 23
#define DOUBLE_MANT_BITS 52
#define DOUBLE_EXP_MAX 0x7ff
#define DOUBLE_BIAS 1023

/* Half-precision quiet NaN, the one NaN the encoder writes. */
#define HALF_QUIET_NAN 0x7e00

static uint64_t low_bits(unsigned n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

static uint64_t double_to_bits(double value)
{
	uint64_t bits;

	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

static double bits_to_double(uint64_t bits)
{
	double value;

	memcpy(&value, &bits, sizeof(value));
	return value;
}

/*
 * Convert the double `bits` to a format with `exp_bits` exponent and
 * `mant_bits` mantissa bits; false when the value (or NaN payload) would
 * change.
 */
static bool float_narrow(uint64_t bits, unsigned exp_bits, unsigned mant_bits,
			 uint64_t *out)
{
	uint64_t sign = (bits >> 63) << (exp_bits + mant_bits);
	uint64_t raw_exp = (bits >> DOUBLE_MANT_BITS) & DOUBLE_EXP_MAX;
	uint64_t mant = bits & low_bits(DOUBLE_MANT_BITS);
	unsigned dropped = DOUBLE_MANT_BITS - mant_bits;
	int bias = (1 << (exp_bits - 1)) - 1;
	int exp;

	/* Infinity and NaN keep the all-ones exponent; a NaN keeps its payload. */
	if (raw_exp == DOUBLE_EXP_MAX) {
		if ((mant & low_bits(dropped)) != 0)
			return false;
		*out = sign | (low_bits(exp_bits) << mant_bits) | (mant >> dropped);
		return true;
	}
	/* Zero fits every width; double subnormals fit none of the narrower. */
	if (raw_exp == 0) {
		*out = sign;
		return mant == 0;
	}

	exp = (int)raw_exp - DOUBLE_BIAS;
	if (exp > bias)
		return false;
	if (exp >= 1 - bias) {
		if ((mant & low_bits(dropped)) != 0)
			return false;
		*out = sign | ((uint64_t)(exp + bias) << mant_bits) | (mant >> dropped);
		return true;
	}

	/* Subnormal in the narrow format: the implicit 1 becomes explicit. */
	uint64_t sig = mant | (UINT64_C(1) << DOUBLE_MANT_BITS);
	unsigned shift = dropped + (unsigned)(1 - bias - exp);
	if (shift > DOUBLE_MANT_BITS || (sig & low_bits(shift)) != 0)
		return false;
	*out = sign | (sig >> shift);
	return true;
}

/* Value of a half or single precision float given by its bits. */
static double float_widen(uint64_t bits, unsigned exp_bits, unsigned mant_bits)
{
	uint64_t sign = (bits >> (exp_bits + mant_bits)) & 1;
	uint64_t raw_exp = (bits >> mant_bits) & low_bits(exp_bits);
	uint64_t mant = bits & low_bits(mant_bits);
	int bias = (1 << (exp_bits - 1)) - 1;
	double value;

	if (raw_exp == low_bits(exp_bits))
		return bits_to_double((sign << 63) |
				      ((uint64_t)DOUBLE_EXP_MAX << DOUBLE_MANT_BITS) |
				      (mant << (DOUBLE_MANT_BITS - mant_bits)));
	if (raw_exp == 0)
		value = ldexp((double)mant, 1 - bias - (int)mant_bits);
	else
		value = ldexp((double)(mant | (UINT64_C(1) << mant_bits)),
			      (int)raw_exp - bias - (int)mant_bits);
	return sign ? -value : value;
}

tk_err tk_cbor_head_read(const uint8_t *buf, size_t len, size_t pos,
			 struct tk_cbor_head *head, struct tk_diag *diag)
{
	unsigned arg_len;

	if (pos >= len)
		return TK_FAIL_AT(diag, TK_ERR_CBOR_TRUNCATED, pos,
				  "input of %zu bytes ends where an item head is expected",
				  len);

	head->major = buf[pos] >> 5;
	head->ai = buf[pos] & 0x1f;
	head->arg = 0;
	head->pos = pos;
	head->size = 1;
	if (head->ai < TK_CBOR_AI_1BYTE) {
		head->arg = head->ai;
		return TK_OK;
	}
	if (head->ai == TK_CBOR_AI_INDEFINITE)
		return TK_OK;
	if (head->ai > TK_CBOR_AI_8BYTE)
		return TK_FAIL_AT(diag, TK_ERR_CBOR_RESERVED_AI, pos,
				  "initial byte 0x%02x has reserved additional information %u",
				  buf[pos], head->ai);

	/* AI 24-27: a 1, 2, 4 or 8 byte big-endian argument follows. */
	arg_len = 1u << (head->ai - TK_CBOR_AI_1BYTE);
	if (arg_len > len - pos - 1)
		return TK_FAIL_AT(diag, TK_ERR_CBOR_TRUNCATED, pos,
				  "head 0x%02x needs %u argument bytes but %zu remain",
				  buf[pos], arg_len, len - pos - 1);
	for (unsigned i = 0; i < arg_len; i++)
		head->arg = (head->arg << 8) | buf[pos + 1 + i];
	head->size = 1 + arg_len;
	return TK_OK;
}

bool tk_cbor_head_is_break(const struct tk_cbor_head *head)
{
	return head->major == 7 && head->ai == TK_CBOR_AI_INDEFINITE;
}

enum tk_cbor_type tk_cbor_head_type(const struct tk_cbor_head *head)
{
	if (head->major < 7)
		return (enum tk_cbor_type)head->major;

	switch (head->ai) {
	case TK_CBOR_SIMPLE_FALSE:
		return TK_CBOR_FALSE;
	case TK_CBOR_SIMPLE_TRUE:
		return TK_CBOR_TRUE;
	case TK_CBOR_SIMPLE_NULL:
		return TK_CBOR_NULL;
	case TK_CBOR_SIMPLE_UNDEFINED:
		return TK_CBOR_UNDEFINED;
	case 25:
	case 26:
	case 27:
		return TK_CBOR_FLOAT;
	case TK_CBOR_AI_INDEFINITE:
		return TK_CBOR_NONE;
	default:
		return TK_CBOR_SIMPLE;
	}
}

const char *tk_cbor_type_name(enum tk_cbor_type type)
{
	static const char *const names[] = {
		"uint", "nint", "bstr", "tstr", "array", "map", "tag",
		"simple value", "false", "true", "null", "undefined", "float",
		"end of container",
	};

	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown type";
	return names[type];
}

double tk_cbor_head_float(const struct tk_cbor_head *head)
{
	if (head->ai == 25)
		return float_widen(head->arg, HALF_EXP_BITS, HALF_MANT_BITS);
	if (head->ai == 26)
		return float_widen(head->arg, SINGLE_EXP_BITS, SINGLE_MANT_BITS);
	return bits_to_double(head->arg);
}

unsigned tk_cbor_float_shortest(double value, uint64_t *bits)
{
	uint64_t wide = double_to_bits(value);

	if (isnan(value)) {
		*bits = HALF_QUIET_NAN;
		return 2;
	}
	if (float_narrow(wide, HALF_EXP_BITS, HALF_MANT_BITS, bits))
		return 2;
	if (float_narrow(wide, SINGLE_EXP_BITS, SINGLE_MANT_BITS, bits))
		return 4;
	*bits = wide;
	return 8;
}

bool tk_cbor_float_is_long(const struct tk_cbor_head *head)
{
	uint64_t wide = double_to_bits(tk_cbor_head_float(head));
	uint64_t unused;

	if (head->ai == 25)
		return false;
	if (float_narrow(wide, HALF_EXP_BITS, HALF_MANT_BITS, &unused))
		return true;
	return head->ai == 27 &&
	       float_narrow(wide, SINGLE_EXP_BITS, SINGLE_MANT_BITS, &unused);
}

bool tk_cbor_arg_is_long(const struct tk_cbor_head *head)
{
	switch (head->ai) {
	case 24:
		return head->arg < TK_CBOR_AI_1BYTE;
	case 25:
		return head->arg <= UINT8_MAX;
	case 26:
		return head->arg <= UINT16_MAX;
	case 27:
		return head->arg <= UINT32_MAX;
	default:
		return false;
	}
}

/* Length of the UTF-8 sequence at ptr[0..left), or 0 when it is invalid. */
static size_t utf8_sequence(const uint8_t *ptr, size_t left)
{
	uint8_t lead = ptr[0];
	uint8_t min = 0x80, max = 0xbf; /* range of the second byte */
	size_t n;

	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		n = 2;
	else if (lead >= 0xe0 && lead <= 0xef)
		n = 3;
	else if (lead >= 0xf0 && lead <= 0xf4)
		n = 4;
	else
		return 0; /* continuation byte, overlong C0/C1, or above F4 */

	/* RFC 3629 section 4: these leads restrict the second byte. */
	if (lead == 0xe0)
		min = 0xa0; /* overlong */
	else if (lead == 0xed)
		max = 0x9f; /* surrogates U+D800-U+DFFF */
	else if (lead == 0xf0)
		min = 0x90; /* overlong */
	else if (lead == 0xf4)
		max = 0x8f; /* above U+10FFFF */

	if (left < n || ptr[1] < min || ptr[1] > max)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (ptr[i] < 0x80 || ptr[i] > 0xbf)
			return 0;
	}
	return n;
}

size_t tk_cbor_utf8_check(const uint8_t *ptr, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t n = utf8_sequence(ptr + pos, len - pos);
		if (n == 0)
			return pos;
		pos += n;
	}
	return len;
}

static tk_err skip_at(const uint8_t *buf, size_t len, size_t pos, unsigned depth,
		      size_t *end);

/* Skip `count` items, or items up to a break when count is UINT64_MAX. */
static tk_err skip_items(const uint8_t *buf, size_t len, size_t pos,
			 uint64_t count, unsigned depth, size_t *end)
{
	bool indefinite = count == UINT64_MAX;
	tk_err err;

	for (uint64_t i = 0; indefinite || i < count; i++) {
		if (indefinite && pos < len && buf[pos] == TK_CBOR_BREAK) {
			*end = pos + 1;
			return TK_OK;
		}
		err = skip_at(buf, len, pos, depth, &pos);
		if (err != TK_OK)
			return err;
	}
	*end = pos;
	return TK_OK;
}

/* Skip a string whose head is `head`, chunk by chunk when indefinite. */
static tk_err skip_string(const uint8_t *buf, size_t len,
			  const struct tk_cbor_head *head, size_t *end)
{
	size_t pos = head->pos + head->size;
	struct tk_cbor_head chunk;
	tk_err err;

	if (head->ai != TK_CBOR_AI_INDEFINITE) {
		if (head->arg > len - pos)
			return TK_ERR_CBOR_LENGTH;
		*end = pos + (size_t)head->arg;
		return TK_OK;
	}
	for (;;) {
		err = tk_cbor_head_read(buf, len, pos, &chunk, NULL);
		if (err != TK_OK)
			return err;
		if (tk_cbor_head_is_break(&chunk)) {
			*end = pos + 1;
			return TK_OK;
		}
		if (chunk.major != head->major || chunk.ai == TK_CBOR_AI_INDEFINITE)
			return TK_ERR_CBOR_CHUNK;
		err = skip_string(buf, len, &chunk, &pos);
		if (err != TK_OK)
			return err;
	}
}

static tk_err skip_at(const uint8_t *buf, size_t len, size_t pos, unsigned depth,
		      size_t *end)
{
	struct tk_cbor_head head;
	uint64_t count;
	tk_err err;

	err = tk_cbor_head_read(buf, len, pos, &head, NULL);
	if (err != TK_OK)
		return err;
	if (tk_cbor_head_is_break(&head))
		return TK_ERR_CBOR_BREAK;

	switch (head.major) {
	case 2:
	case 3:
		return skip_string(buf, len, &head, end);
	case 4:
	case 5:
	case 6:
		if (depth > TK_CBOR_MAX_DEPTH)
			return TK_ERR_LIMIT_DEPTH;
		break;
	default:
		*end = pos + head.size;
		return TK_OK;
	}

	pos += head.size;
	if (head.major == 6)
		return skip_at(buf, len, pos, depth + 1, end);
	count = head.arg;
	if (head.ai == TK_CBOR_AI_INDEFINITE)
		count = UINT64_MAX;
	else if (count > len - pos || (head.major == 5 && count > (len - pos) / 2))
		return TK_ERR_CBOR_LENGTH; /* each item takes at least one byte */
	else if (head.major == 5)
		count *= 2;
	return skip_items(buf, len, pos, count, depth + 1, end);
}

tk_err tk_cbor_skip_item(const uint8_t *buf, size_t len, size_t pos, size_t *end)
{
	return skip_at(buf, len, pos, 1, end);
}
