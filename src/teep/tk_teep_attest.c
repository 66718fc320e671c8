/* SPDX-License-Identifier: Apache-2.0 */
/* Classification of an attestation-payload; see tk_teep_attest.h. */
#include "teep/tk_teep_attest.h"

#include <string.h>

bool tk_teep_payload_is_result(struct tk_span format)
{
	return tk_span_equal(format, tk_span_make(TK_TEEP_EAR_MEDIA_TYPE,
						  strlen(TK_TEEP_EAR_MEDIA_TYPE)));
}
