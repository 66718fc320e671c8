/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal reader of reference values in CoRIM / CoMID
 * (draft-ietf-rats-corim): the reference-triples of a concise-mid-tag,
 * each an environment (class: id, vendor, model, layer, index) with
 * measurements whose digests a verifier compares with evidence.
 *
 * Shapes read (everything else is skipped after strict CBOR checks):
 *   corim       = 501({0: id, 1: [+ 506(bstr .cbor concise-mid-tag)], *})
 *                 or a bare concise-mid-tag
 *   concise-mid-tag = {? 0: lang, 1: tag-identity, ? 2: entities,
 *                      4: {? 0: [+ reference-triple], * ...}}
 *   reference-triple = [environment-map, [+ measurement-map]]
 *   environment-map  = {? 0: class-map, ...}
 *   class-map  = {? 0: class-id (tag 37 uuid / 111 oid / 560 bytes),
 *                 ? 1: vendor tstr, ? 2: model tstr, ? 3: layer uint,
 *                 ? 4: index uint}
 *   measurement-map  = {? 0: mkey (tstr / uint / tagged), 1: mval}
 *   mval = {? 2: digests, ? 14: integrity-registers, * ...}
 *   digests = [+ [hash-alg-id: int / tstr, hash-value: bstr]]
 *   integrity-registers = {+ (uint / tstr) => digests}
 * Each digest becomes one struct tk_eat_corim_refval. Unsigned CoRIM
 * only: a signed CoRIM (COSE_Sign1, tag 18) is TK_ERR_UNSUPPORTED.
 * Definite lengths and preferred serialization are required. Decoding
 * allocates nothing: values are views into the input.
 */
#ifndef TK_EAT_CORIM_H
#define TK_EAT_CORIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"

/* CBOR tags of CoRIM (draft-ietf-rats-corim) and of its class ids. */
#define TK_CORIM_TAG_UNSIGNED 501
#define TK_CORIM_TAG_COMID 506
#define TK_CORIM_TAG_UUID 37
#define TK_CORIM_TAG_OID 111
#define TK_CORIM_TAG_BYTES 560

/* Named hash algorithm ids (IANA Named Information Hash Algorithm). */
#define TK_CORIM_HASH_SHA256 1

/*
 * Maximum number of CoMID tags in one CoRIM (TK_ERR_LIMIT_COUNT beyond).
 * The draft's examples carry one; a product's reference values a few.
 */
#define TK_EAT_CORIM_MAX_TAGS 16

/* One reference value: an expected digest of one measured environment. */
struct tk_eat_corim_refval {
	uint64_t class_id_tag;       /* 37, 111 or 560; 0 when no class id */
	struct tk_span class_id;     /* bytes inside the tag */
	struct tk_span vendor;       /* empty when absent */
	struct tk_span model;
	bool has_layer;
	uint64_t layer;
	bool has_index;
	uint64_t index;
	struct tk_span mkey;         /* text measurement key, or empty */
	bool has_register;           /* from integrity-registers */
	bool register_is_text;
	uint64_t register_index;
	struct tk_span register_name;
	bool hash_alg_is_text;       /* "sha-256" rather than 1 */
	int64_t hash_alg;            /* named information id, e.g. 1 SHA-256 */
	struct tk_span hash_alg_name;
	struct tk_span digest;
};

/*
 * Read the reference values of a CoRIM or a bare CoMID into
 * out[0..out_cap); *count receives how many. More values than out_cap
 * fail with TK_ERR_LIMIT_COUNT. Views into buf; *count is 0 on failure.
 */
TK_MUST_CHECK tk_err tk_eat_corim_refvals(const uint8_t *buf, size_t len,
					  struct tk_eat_corim_refval *out,
					  size_t out_cap, size_t *count,
					  struct tk_diag *diag);

/* Query of tk_eat_corim_match(). Empty spans match anything. */
struct tk_eat_corim_query {
	struct tk_span vendor;
	struct tk_span model;
	struct tk_span class_id;
	struct tk_span mkey;
	struct tk_span digest;       /* required: the measured SHA-256 */
};

/*
 * Find the first reference value whose SHA-256 digest (hash alg 1 or
 * "sha-256") equals query->digest and whose other set fields are equal.
 * Returns its index in refvals, or -1 when none matches.
 */
long tk_eat_corim_match(const struct tk_eat_corim_refval *refvals, size_t n,
			const struct tk_eat_corim_query *query);

#endif /* TK_EAT_CORIM_H */
