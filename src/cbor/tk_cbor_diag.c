/* SPDX-License-Identifier: Apache-2.0 */
#include "cbor/tk_cbor.h"

tk_err tk_cbor_to_diag(const uint8_t *buf, size_t len, uint32_t flags,
		       bool pretty, const struct tk_cbor_names *names,
		       char *out, size_t out_cap, size_t *out_len,
		       struct tk_diag *diag)
{
	(void)buf; (void)len; (void)flags; (void)pretty; (void)names; (void)out; (void)out_cap;
	*out_len = 0;
	return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "diagnostic printer not written yet");
}
