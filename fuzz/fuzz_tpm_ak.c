/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the attestation key check of AK enrollment: the
 * TPMT_PUBLIC parser a verifier runs on a node's request. Property: an
 * accepted area is named SHA-256 over exactly its bytes, with a point of
 * 32-byte coordinates.
 */
// fuzz-libs: tk_eat tk_crypto tk_common
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eat/tk_eat_tpm_credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	uint8_t digest[TK_CRYPTO_SHA256_LEN];
	struct tk_eat_tpm_ak ak;

	if (tk_eat_tpm_ak_parse(c, data, size, &ak, NULL) != TK_OK)
		return 0;
	if (tk_crypto_sha256(c, data, size, digest, NULL) != TK_OK)
		abort();
	if (ak.name[0] != 0x00 || ak.name[1] != 0x0b ||
	    memcmp(ak.name + 2, digest, sizeof(digest)) != 0)
		abort();
	return 0;
}
