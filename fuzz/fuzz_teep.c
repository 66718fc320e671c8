// SPDX-License-Identifier: Apache-2.0
// fuzz-libs: tk_teep tk_cbor tk_common
//
// Decode the input as a TEEP message, walk every list with its iterator,
// re-encode the decoded struct, decode that again and require the second
// encoding to equal the first. Input that decodes must re-encode: the
// encoder applies the decoder's own checks to its output.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teep/tk_teep_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Largest re-encoding: options are dropped, never added, and heads keep
// their size, so the output is at most the input.
static uint8_t first[1 << 16];
static uint8_t second[1 << 16];

static void walk_uints(struct tk_span raw)
{
	struct tk_teep_iter it;
	uint64_t value;

	if (tk_teep_iter_init(&it, raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_uint(&it, &value) != TK_OK)
			abort();
}

static void walk_bstrs(struct tk_span raw)
{
	struct tk_teep_iter it;
	struct tk_span item;

	if (tk_teep_iter_init(&it, raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_bstr(&it, &item) != TK_OK)
			abort();
}

static void walk_items(struct tk_span raw)
{
	struct tk_teep_iter it;
	struct tk_span item;

	if (tk_teep_iter_init(&it, raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_item(&it, &item) != TK_OK)
			abort();
}

static void walk_suites(struct tk_span raw)
{
	struct tk_teep_iter it;
	struct tk_teep_cipher_suite suite;

	if (tk_teep_iter_init(&it, raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_suite(&it, &suite) != TK_OK)
			abort();
}

static void walk_query_response(const struct tk_teep_query_response *m)
{
	struct tk_teep_iter it;
	struct tk_teep_tc_claims claims;
	struct tk_teep_requested_tc tc;

	if (tk_teep_iter_init(&it, m->tc_list.raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_tc(&it, &claims) != TK_OK)
			abort();
	if (tk_teep_iter_init(&it, m->requested_tc_list.raw, NULL) != TK_OK)
		abort();
	while (tk_teep_iter_more(&it))
		if (tk_teep_iter_next_requested_tc(&it, &tc) != TK_OK ||
		    (tc.have_binary && !tc.has_sequence_number))
			abort();
	walk_items(m->unneeded_manifest_list.raw);
	walk_uints(m->ext_list.raw);
	walk_bstrs(m->suit_reports.raw);
}

static void walk_lists(const struct tk_teep_msg *msg)
{
	switch (msg->type) {
	case TK_TEEP_TYPE_QUERY_REQUEST:
		walk_uints(msg->query_request.versions.raw);
		walk_uints(msg->query_request.supported_freshness_mechanisms.raw);
		walk_bstrs(msg->query_request.suit_reports.raw);
		walk_suites(msg->query_request.supported_teep_cipher_suites.raw);
		walk_items(msg->query_request.supported_suit_cose_profiles.raw);
		break;
	case TK_TEEP_TYPE_QUERY_RESPONSE:
		walk_query_response(&msg->query_response);
		break;
	case TK_TEEP_TYPE_UPDATE:
		walk_items(msg->update.unneeded_manifest_list.raw);
		walk_bstrs(msg->update.manifest_list.raw);
		break;
	case TK_TEEP_TYPE_SUCCESS:
		walk_bstrs(msg->success.suit_reports.raw);
		break;
	case TK_TEEP_TYPE_ERROR:
		walk_suites(msg->error.supported_teep_cipher_suites.raw);
		walk_uints(msg->error.supported_freshness_mechanisms.raw);
		walk_items(msg->error.supported_suit_cose_profiles.raw);
		walk_uints(msg->error.versions.raw);
		walk_bstrs(msg->error.suit_reports.raw);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_teep_msg msg, again;
	size_t first_len = 0, second_len = 0;

	if (size > sizeof(first) || tk_teep_decode(data, size, &msg, NULL) != TK_OK)
		return 0;
	walk_lists(&msg);

	if (tk_teep_encode(&msg, first, sizeof(first), &first_len, NULL) != TK_OK)
		abort();
	if (first_len > size)
		abort();
	if (tk_teep_decode(first, first_len, &again, NULL) != TK_OK || again.type != msg.type)
		abort();
	if (tk_teep_encode(&again, second, sizeof(second), &second_len, NULL) != TK_OK)
		abort();
	if (second_len != first_len || memcmp(first, second, first_len) != 0)
		abort();
	return 0;
}
