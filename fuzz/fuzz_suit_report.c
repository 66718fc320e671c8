// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_suit_report tk_cose tk_cbor tk_crypto tk_common
//
// Decode SUIT reports as the TAM and `teep inspect` do. Every decoded view
// must lie inside the input and every count within its limit; a report
// that decodes must decode again to the same fields (the decoder keeps no
// state). The input is also offered to tk_suit_report_open() as a
// protected report, which must fail cleanly: no key the fuzzer knows signs
// it.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tk_crypto_key *report_key;
static uint8_t plain[TK_SUIT_REPORT_MAX_SIZE];

static void check_span(struct tk_span s, const uint8_t *data, size_t size)
{
	if (s.len == 0)
		return;
	if (s.ptr < data || s.ptr + s.len > data + size)
		abort();
}

static void check_record(const struct tk_suit_report_record *r, const uint8_t *data,
			 size_t size)
{
	if (r->manifest_id_len > TK_SUIT_REPORT_MAX_MANIFEST_ID)
		abort();
	check_span(r->properties, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tk_suit_report report, again;
	struct tk_suit_report_opened opened;
	const struct tk_crypto_key *keys[1];

	if (tk_suit_report_decode(data, size, &report, NULL) == TK_OK) {
		if (report.record_count > TK_SUIT_REPORT_MAX_RECORDS ||
		    (!report.success && report.result_reason > TK_SUIT_REASON_MAX))
			abort();
		check_span(report.uri, data, size);
		check_span(report.digest, data, size);
		check_span(report.nonce, data, size);
		check_span(report.capability, data, size);
		for (size_t i = 0; i < report.record_count; i++)
			check_record(&report.records[i], data, size);
		check_record(&report.result_record, data, size);
		if (tk_suit_report_decode(data, size, &again, NULL) != TK_OK ||
		    memcmp(&report, &again, sizeof(report)) != 0)
			abort();
	} else if (report.record_count != 0 || report.uri.len != 0) {
		abort(); // a failed decode leaves *out zeroed
	}

	if (report_key == NULL &&
	    tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_ED25519, &report_key,
				   NULL) != TK_OK)
		abort();
	keys[0] = report_key;
	if (tk_suit_report_open(tk_crypto_openssl(), keys, 1, NULL, data, size, plain,
				sizeof(plain), &opened, NULL) == TK_OK)
		abort();
	return 0;
}
