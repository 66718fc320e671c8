/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the CoRIM reference-value reader. Property: every
 * record it returns has a digest inside the input, and matching a
 * record's own digest finds a record.
 */
// fuzz-libs: tk_eat tk_cose tk_cbor tk_crypto tk_common
#include <stdint.h>
#include <stdlib.h>

#include "eat/tk_eat_corim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tk_eat_corim_refval refvals[64];
	size_t count = 0;

	if (tk_eat_corim_refvals(data, size, refvals, 64, &count, NULL) != TK_OK)
		return 0;
	for (size_t i = 0; i < count; i++) {
		struct tk_eat_corim_query q = {.digest = refvals[i].digest};
		const uint8_t *d = refvals[i].digest.ptr;

		if (d != NULL && (d < data || d + refvals[i].digest.len > data + size))
			abort();
		/* A numeric SHA-256 record must be found by its own digest. */
		if (q.digest.len > 0 && !refvals[i].hash_alg_is_text &&
		    refvals[i].hash_alg == TK_CORIM_HASH_SHA256 &&
		    tk_eat_corim_match(refvals, count, &q) < 0)
			abort();
	}
	return 0;
}
