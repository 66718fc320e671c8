/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict CBOR (RFC 8949): an encoder that writes preferred serialization
 * into the caller's buffer, and a pull decoder that allocates nothing.
 *
 * The decoder validates the whole item when it is initialised (well-formed,
 * within limits, valid UTF-8, no two map keys of equal value, no trailing
 * bytes, and the strict options requested), so the getters that follow can only fail
 * because the item has another shape than the caller expects. Getters keep a
 * sticky error: after the first failure every call fails with the same code,
 * and tk_cbor_dec_finish() reports it once.
 *
 * Everything returned by the decoder is a view into the input buffer, valid
 * while that buffer is.
 */
#ifndef TK_CBOR_H
#define TK_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tk_err.h"
#include "../common/tk_span.h"

/*
 * Maximum nesting depth of arrays, maps and tags, counting the top-level
 * item as depth 1. Deeper input fails with TK_ERR_LIMIT_DEPTH. TEEP
 * messages nest at most 8 levels and SUIT manifests about 12; 32 leaves room
 * without letting a peer drive recursion or stack use.
 */
#define TK_CBOR_MAX_DEPTH 32

/*
 * Maximum number of pairs in one map; larger maps fail with
 * TK_ERR_LIMIT_COUNT. The validator finds duplicate keys without
 * allocating: it keeps the offsets of a map's keys on the stack (8 bytes
 * per pair, so at most 16 KiB with TK_CBOR_MAX_DEPTH nested maps) and
 * compares each new key by value with the earlier ones, n * (n - 1) / 2
 * comparisons for n pairs. Keys compare in the CBOR data model, so 1 and
 * 0x1801, or "ab" and (_ "a", "b"), are duplicates. The largest map in the
 * TEEP, SUIT, COSE, EAT and CWT example vectors has 8 pairs.
 */
#define TK_CBOR_MAX_MAP_PAIRS 64

/* Decoder options, combined with |. */
enum tk_cbor_flags {
	TK_CBOR_ALLOW_ALL = 0,
	TK_CBOR_NO_INDEFINITE = 1u << 0, /* reject indefinite lengths */
	TK_CBOR_PREFERRED = 1u << 1,     /* reject non-preferred encodings of
					    heads and floats */
	/* The strict profile used by EAT and SUIT. */
	TK_CBOR_STRICT = TK_CBOR_NO_INDEFINITE | TK_CBOR_PREFERRED,
};

/* CBOR major types, plus values the decoder reports for major type 7. */
enum tk_cbor_type {
	TK_CBOR_UINT = 0,
	TK_CBOR_NINT = 1,
	TK_CBOR_BSTR = 2,
	TK_CBOR_TSTR = 3,
	TK_CBOR_ARRAY = 4,
	TK_CBOR_MAP = 5,
	TK_CBOR_TAG = 6,
	TK_CBOR_SIMPLE = 7, /* simple value other than false/true/null/undefined */
	TK_CBOR_FALSE = 8,
	TK_CBOR_TRUE = 9,
	TK_CBOR_NULL = 10,
	TK_CBOR_UNDEFINED = 11,
	TK_CBOR_FLOAT = 12,
	TK_CBOR_NONE = 13, /* no item left at this level */
};

/* Name of a type for messages, such as "bstr" or "end of container". */
const char *tk_cbor_type_name(enum tk_cbor_type type);

/* Open container on the decoder's stack. */
struct tk_cbor_level {
	uint64_t remaining; /* items (map: keys and values) left; unused if indefinite */
	bool indefinite;    /* ends at a break code */
	bool is_map;
};

/* Pull decoder. Initialise with tk_cbor_dec_init(); fields are private. */
struct tk_cbor_dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;         /* offset of the next item head */
	uint32_t flags;     /* enum tk_cbor_flags */
	tk_err err;         /* sticky error, TK_OK while none */
	struct tk_diag *diag;
	unsigned depth;     /* open containers, at most TK_CBOR_MAX_DEPTH */
	struct tk_cbor_level stack[TK_CBOR_MAX_DEPTH];
};

/*
 * Check that buf contains exactly one well-formed item that obeys `flags` and
 * the limits above, without decoding it for a caller. Borrows buf.
 */
TK_MUST_CHECK tk_err tk_cbor_check(const uint8_t *buf, size_t len,
				   uint32_t flags, struct tk_diag *diag);

/*
 * Validate buf with tk_cbor_check() and prepare to pull its items. On
 * failure the decoder is left in the error state. Borrows buf and diag,
 * which must outlive the decoder.
 */
TK_MUST_CHECK tk_err tk_cbor_dec_init(struct tk_cbor_dec *dec, const uint8_t *buf,
				      size_t len, uint32_t flags,
				      struct tk_diag *diag);

/* Type of the next item at the current level, or TK_CBOR_NONE at its end. */
enum tk_cbor_type tk_cbor_peek(struct tk_cbor_dec *dec);

/* Byte offset of the next item, for error messages and raw views. */
size_t tk_cbor_offset(const struct tk_cbor_dec *dec);

/*
 * Getters. Each consumes one item of the named type; on a type mismatch it
 * fails with TK_ERR_SCHEMA_TYPE and consumes nothing. Strings are views into
 * the input. An indefinite-length string fails with TK_ERR_SCHEMA_TYPE
 * because it has no single view, so reject it earlier with
 * TK_CBOR_NO_INDEFINITE where the schema forbids it.
 */
TK_MUST_CHECK tk_err tk_cbor_get_uint(struct tk_cbor_dec *dec, uint64_t *out);
/* Major type 0 or 1 that fits in int64_t; otherwise TK_ERR_SCHEMA_VALUE. */
TK_MUST_CHECK tk_err tk_cbor_get_int(struct tk_cbor_dec *dec, int64_t *out);
/*
 * Negative integer of any size: *arg is the encoded argument, so the value
 * is -1 - *arg (down to -2^64, which no C integer holds).
 */
TK_MUST_CHECK tk_err tk_cbor_get_nint(struct tk_cbor_dec *dec, uint64_t *arg);
TK_MUST_CHECK tk_err tk_cbor_get_bstr(struct tk_cbor_dec *dec, struct tk_span *out);
TK_MUST_CHECK tk_err tk_cbor_get_tstr(struct tk_cbor_dec *dec, struct tk_span *out);
TK_MUST_CHECK tk_err tk_cbor_get_bool(struct tk_cbor_dec *dec, bool *out);
TK_MUST_CHECK tk_err tk_cbor_get_null(struct tk_cbor_dec *dec);
/*
 * Any simple value (major type 7 other than a float): false, true, null
 * and undefined give 20 to 23.
 */
TK_MUST_CHECK tk_err tk_cbor_get_simple(struct tk_cbor_dec *dec, uint8_t *out);
/* Half, single or double precision float (not an integer). */
TK_MUST_CHECK tk_err tk_cbor_get_float(struct tk_cbor_dec *dec, double *out);
TK_MUST_CHECK tk_err tk_cbor_get_tag(struct tk_cbor_dec *dec, uint64_t *out);
/* Consume a tag only if the next item is that tag; *found reports whether it was. */
TK_MUST_CHECK tk_err tk_cbor_skip_tag(struct tk_cbor_dec *dec, uint64_t tag,
				      bool *found);

/*
 * Enter an array or map. *count is the number of elements (map: pairs), or
 * UINT64_MAX for an indefinite length; loop with tk_cbor_more() in either
 * case. Never size an allocation from *count: it is the peer's claim.
 */
TK_MUST_CHECK tk_err tk_cbor_enter_array(struct tk_cbor_dec *dec, uint64_t *count);
TK_MUST_CHECK tk_err tk_cbor_enter_map(struct tk_cbor_dec *dec, uint64_t *count);
/* True while the innermost open container has items left. */
bool tk_cbor_more(struct tk_cbor_dec *dec);
/*
 * Leave the innermost container. Items not yet consumed are skipped;
 * call tk_cbor_more() first where leftovers are an error.
 */
TK_MUST_CHECK tk_err tk_cbor_leave(struct tk_cbor_dec *dec);

/* Skip the next item whole (with everything nested in it). */
TK_MUST_CHECK tk_err tk_cbor_skip(struct tk_cbor_dec *dec);
/*
 * Skip the next item and return its encoded bytes (head included), a view
 * into the input. Used to keep a sub-item for hashing or later decoding.
 */
TK_MUST_CHECK tk_err tk_cbor_get_raw(struct tk_cbor_dec *dec, struct tk_span *out);

/*
 * Record a schema failure at the current offset and make it sticky. Use it
 * from schema decoders so their errors carry the offset like CBOR ones.
 * When the decoder already failed, the first error stays and is returned.
 */
tk_err tk_cbor_dec_fail(struct tk_cbor_dec *dec, tk_err code, const char *fmt, ...)
	TK_PRINTF(3, 4);

/*
 * End decoding: returns the sticky error, or TK_ERR_SCHEMA_TYPE when
 * containers are still open or the top-level item was not consumed.
 */
TK_MUST_CHECK tk_err tk_cbor_dec_finish(struct tk_cbor_dec *dec);

/* Open bstr wrapper or sorted map of the encoder. */
struct tk_cbor_enc_region {
	size_t start;  /* offset of the first content byte */
	bool sorted;   /* sorted map entries, else bstr content */
};

/*
 * Encoder. Writes into out[0..cap). With out == NULL and cap == 0 it only
 * counts, so a first pass can size the buffer. Errors are sticky; the first
 * (usually TK_ERR_BUFFER_TOO_SMALL) is returned by tk_cbor_enc_finish().
 * Fields are private.
 */

struct tk_cbor_enc {
	uint8_t *buf;
	size_t cap;
	size_t len;          /* bytes written, or needed when counting */
	tk_err err;
	struct tk_diag *diag;
	unsigned open;       /* open bstr wrappers and sorted maps */
	struct tk_cbor_enc_region region[TK_CBOR_MAX_DEPTH];
};

void tk_cbor_enc_init(struct tk_cbor_enc *enc, uint8_t *out, size_t cap,
		      struct tk_diag *diag);

void tk_cbor_put_uint(struct tk_cbor_enc *enc, uint64_t value);
void tk_cbor_put_int(struct tk_cbor_enc *enc, int64_t value);
/* Negative integer -1 - arg (the counterpart of tk_cbor_get_nint()). */
void tk_cbor_put_nint(struct tk_cbor_enc *enc, uint64_t arg);
void tk_cbor_put_bstr(struct tk_cbor_enc *enc, const uint8_t *ptr, size_t len);
/* Text string; invalid UTF-8 fails with TK_ERR_ARG. */
void tk_cbor_put_tstr(struct tk_cbor_enc *enc, const char *ptr, size_t len);
/* NUL-terminated text string, for literals. */
void tk_cbor_put_cstr(struct tk_cbor_enc *enc, const char *str);
void tk_cbor_put_array(struct tk_cbor_enc *enc, uint64_t count);
void tk_cbor_put_map(struct tk_cbor_enc *enc, uint64_t pairs);
void tk_cbor_put_tag(struct tk_cbor_enc *enc, uint64_t tag);
void tk_cbor_put_bool(struct tk_cbor_enc *enc, bool value);
void tk_cbor_put_null(struct tk_cbor_enc *enc);
void tk_cbor_put_undefined(struct tk_cbor_enc *enc);
/* Simple value 0-23 or 32-255; 24-31 are reserved and fail with TK_ERR_ARG. */
void tk_cbor_put_simple(struct tk_cbor_enc *enc, uint8_t value);
/*
 * Shortest of half, single or double precision that keeps the value; every
 * NaN is written as the half-precision quiet NaN f97e00.
 */
void tk_cbor_put_float(struct tk_cbor_enc *enc, double value);
/* Copy an already encoded item (the caller vouches it is one item). */
void tk_cbor_put_raw(struct tk_cbor_enc *enc, const uint8_t *ptr, size_t len);

/*
 * Wrap what is written between begin and end in a byte string (COSE
 * protected headers, SUIT bstr-wrapped sections). Nestable up to
 * TK_CBOR_MAX_DEPTH; the content is moved once its length is known.
 */
void tk_cbor_put_bstr_begin(struct tk_cbor_enc *enc);
void tk_cbor_put_bstr_end(struct tk_cbor_enc *enc);

/*
 * Sort map entries deterministically (RFC 8949 section 4.2.1: bytewise
 * lexicographic order of the encoded keys). Call begin after
 * tk_cbor_put_map(), write the `pairs` keys and values, then end. Sorting is
 * done in place without allocation, by insertion sort in time quadratic in
 * `pairs`. It fails with TK_ERR_CBOR_DUPLICATE_KEY if two keys are equal,
 * and with TK_ERR_ARG if the content is not `pairs` keys and values.
 * Sorted maps and bstr wrappers nest, but each must be ended before the one
 * that encloses it. Counting mode cannot see the bytes, so it detects
 * duplicates only when the second pass writes them.
 */
void tk_cbor_map_sort_begin(struct tk_cbor_enc *enc);
void tk_cbor_map_sort_end(struct tk_cbor_enc *enc, uint64_t pairs);

/*
 * Finish encoding: returns the sticky error, or TK_ERR_STATE if a bstr or
 * sorted map is still open. *out_len receives the bytes written (or needed
 * when counting); 0 on failure.
 */
TK_MUST_CHECK tk_err tk_cbor_enc_finish(struct tk_cbor_enc *enc, size_t *out_len);

/*
 * Diagnostic notation (RFC 8949 section 8). Calls `names` (may be NULL) for
 * each map key and tag so callers can annotate labels, e.g. `1 / alg /`.
 * `path` gives the enclosing map keys, innermost last (integer keys only;
 * others are reported as INT64_MIN). Returns NULL when no name applies.
 */
struct tk_cbor_names {
	const char *(*key_name)(void *ctx, const int64_t *path, unsigned path_len,
				int64_t key);
	const char *(*tag_name)(void *ctx, uint64_t tag);
	void *ctx;
};

/*
 * Print buf (one validated item) in diagnostic notation into out, indented
 * with two spaces per level when `pretty`. buf is first checked with
 * tk_cbor_check() under `flags`. Fails with TK_ERR_BUFFER_TOO_SMALL when out
 * is too small; *out_len excludes the NUL. With out == NULL and out_cap == 0
 * it only counts the characters needed. Map keys named by `names` print as
 * `1 / alg /: value` and named tags as `/ COSE_Sign1 / 18(...)`. Byte strings
 * print as h'..' even when they hold encoded CBOR.
 */
TK_MUST_CHECK tk_err tk_cbor_to_diag(const uint8_t *buf, size_t len, uint32_t flags,
				     bool pretty, const struct tk_cbor_names *names,
				     char *out, size_t out_cap, size_t *out_len,
				     struct tk_diag *diag);

#endif /* TK_CBOR_H */
