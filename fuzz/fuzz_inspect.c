/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for `teep inspect`: the annotated-hex reader, then
 * recognition, validation by the layer decoders and the diagnostic
 * notation renderer, which re-parses every byte string that wraps CBOR.
 * The input is tried both as binary CBOR and as annotated hex.
 */
// fuzz-libs: tk_cli tk_teep tk_eat tk_suit tk_cose tk_crypto tk_cbor tk_common
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/tk_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inspect(const uint8_t *buf, size_t len)
{
	struct tk_cli_inspection result;

	if (tk_cli_inspect_buffer(buf, len, NULL, &result) == TK_OK &&
	    strlen(result.text.buf) != result.text.len)
		abort(); /* the rendering must be one NUL-terminated text */
	tk_cli_text_free(&result.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *decoded = malloc(size + 1);
	size_t decoded_len = 0;
	struct tk_diag diag;

	if (decoded == NULL)
		return 0;
	inspect(data, size);

	tk_diag_clear(&diag);
	if (tk_cli_hex_decode((const char *)data, size, decoded, size + 1, &decoded_len,
			      &diag) == TK_OK)
		inspect(decoded, decoded_len);
	free(decoded);
	return 0;
}
