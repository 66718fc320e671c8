/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Iterators over the lists of a decoded TEEP message.
 *
 * The decoder keeps each list as its raw encoded array. The typed next
 * functions read an entry with the same entry reader the decoder used to
 * check it, so both parse an entry the same way. tk_teep_iter_next_item()
 * returns the encoded item as it is.
 */
#include "teep/tk_teep_msg.h"

#include <stdio.h>

#include "teep/tk_teep_msg_impl.h"

tk_err tk_teep_iter_init(struct tk_teep_iter *it, struct tk_span raw, struct tk_diag *diag)
{
	struct reader r = {&it->dec, raw.ptr, diag};
	uint64_t count = 0;
	tk_err err = TK_OK;

	it->buf = raw.ptr;
	it->diag = diag;
	it->index = 0;
	it->active = false;
	if (raw.len == 0)
		return TK_OK;

	err = tk_cbor_dec_init(&it->dec, raw.ptr, raw.len, TEEP_CBOR_FLAGS, diag);
	if (err == TK_OK)
		err = tk_teep_msg_enter_array(&r, "list", 0, &count);
	it->active = err == TK_OK;
	return err;
}

bool tk_teep_iter_more(struct tk_teep_iter *it)
{
	return it->active && tk_cbor_more(&it->dec);
}

static tk_err iter_next(struct tk_teep_iter *it, entry_reader read_entry, void *out)
{
	struct reader r = {&it->dec, it->buf, it->diag};
	char name[NAME_MAX_LEN];
	tk_err err;

	if (!tk_teep_iter_more(it))
		return TK_FAIL(it->diag, TK_ERR_STATE, "list has no entry left");
	snprintf(name, sizeof(name), "entry %zu", it->index);
	err = read_entry(&r, name, out);
	if (err == TK_OK)
		it->index++;
	else
		it->active = false;
	return err;
}

tk_err tk_teep_iter_next_uint(struct tk_teep_iter *it, uint64_t *out)
{
	return iter_next(it, tk_teep_msg_read_uint_entry, out);
}

tk_err tk_teep_iter_next_bstr(struct tk_teep_iter *it, struct tk_span *out)
{
	return iter_next(it, tk_teep_msg_read_cbor_bstr_entry, out);
}

tk_err tk_teep_iter_next_item(struct tk_teep_iter *it, struct tk_span *out)
{
	tk_err err;

	if (!tk_teep_iter_more(it))
		return TK_FAIL(it->diag, TK_ERR_STATE, "list has no entry left");
	err = tk_cbor_get_raw(&it->dec, out);
	if (err == TK_OK)
		it->index++;
	else
		it->active = false;
	return err;
}

tk_err tk_teep_iter_next_suite(struct tk_teep_iter *it, struct tk_teep_cipher_suite *out)
{
	return iter_next(it, tk_teep_msg_read_suite, out);
}

tk_err tk_teep_iter_next_tc(struct tk_teep_iter *it, struct tk_teep_tc_claims *out)
{
	return iter_next(it, tk_teep_msg_read_tc_claims, out);
}

tk_err tk_teep_iter_next_requested_tc(struct tk_teep_iter *it,
				      struct tk_teep_requested_tc *out)
{
	return iter_next(it, tk_teep_msg_read_requested_tc, out);
}
