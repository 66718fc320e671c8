// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_suit_report tk_cose tk_cbor tk_crypto tk_common
//
// Decode SUIT reports as the TAM and `teep inspect` do. Every decoded view
// must lie inside the input and every count within its limit; a report
// that decodes must decode again to the same fields (the decoder keeps no
// state). The input is also offered to tk_suit_report_open() as a
// protected report, which must fail cleanly: no key the fuzzer knows signs
// it. Then the input is signed with the fuzzer's report key and opened
// with a recipient key, so the payload checks and the COSE_Encrypt parser
// behind the signature run too: an open that succeeds must return a view
// inside the signed message, unencrypted (no recipient was made for the
// fuzzer's key).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tk_crypto_key *report_key, *recipient_key;
static uint8_t plain[TK_SUIT_REPORT_MAX_SIZE];
static uint8_t signed_msg[TK_SUIT_REPORT_MAX_SIZE + TK_SUIT_REPORT_PROTECT_OVERHEAD];

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

/* Sign data as the payload of a report and open it with a recipient key. */
static void open_signed(const uint8_t *data, size_t size, const struct tk_crypto_key **keys)
{
	struct tk_suit_report_protect protect = {.report_key = keys[0]};
	struct tk_suit_report_opened opened;
	size_t len = 0;

	if (size == 0 || size > TK_SUIT_REPORT_MAX_SIZE)
		return;
	if (recipient_key == NULL &&
	    tk_crypto_key_generate(tk_crypto_openssl(), TK_CRYPTO_KEY_P256, &recipient_key,
				   NULL) != TK_OK)
		abort();
	protect.alg = tk_cose_alg_for_key(keys[0]);
	if (tk_suit_report_protect(tk_crypto_openssl(), &protect, data, size, NULL, 0, signed_msg,
				   sizeof(signed_msg), &len, NULL) != TK_OK)
		abort();
	if (tk_suit_report_open(tk_crypto_openssl(), keys, 1, recipient_key, signed_msg, len,
				plain, sizeof(plain), &opened, NULL) != TK_OK)
		return;
	if (opened.encrypted || opened.report.len != size)
		abort();
	check_span(opened.report, signed_msg, len);
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
	open_signed(data, size, keys);
	return 0;
}
