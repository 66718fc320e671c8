/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader of CoRIM / CoMID reference values (shapes in tk_eat_corim.h).
 * It walks the reference-triples and emits one record per digest, with a
 * copy of the environment the digest belongs to. Everything else in a
 * CoRIM is skipped. CoRIM uses tags (class ids, reg-ids), so unlike the
 * TEEP evidence decoder this one accepts them, but it requires definite
 * lengths and preferred serialization.
 */
#include "eat/tk_eat_corim.h"

#include <string.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"

/* Map keys of draft-ietf-rats-corim. */
#define CORIM_TAGS 1          /* corim-map: concise tags */
#define COMID_TRIPLES 4       /* concise-mid-tag: triples-map */
#define TRIPLES_REFERENCE 0   /* triples-map: reference-triples */
#define ENV_CLASS 0           /* environment-map: class-map */
#define CLASS_ID 0
#define CLASS_VENDOR 1
#define CLASS_MODEL 2
#define CLASS_LAYER 3
#define CLASS_INDEX 4
#define MEAS_MKEY 0           /* measurement-map */
#define MEAS_MVAL 1
#define MVAL_DIGESTS 2        /* measurement-values-map */
#define MVAL_REGISTERS 14

/* Output list and the record being filled. */
struct sink {
	struct tk_eat_corim_refval *out;
	size_t cap;
	size_t count;
	struct tk_eat_corim_refval current; /* environment and mkey so far */
};

static tk_err expect_type(struct tk_cbor_dec *dec, enum tk_cbor_type type, const char *what)
{
	if (tk_cbor_peek(dec) == type)
		return TK_OK;
	return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "%s: expected %s, found %s", what,
				tk_cbor_type_name(type), tk_cbor_type_name(tk_cbor_peek(dec)));
}

static tk_err enter(struct tk_cbor_dec *dec, enum tk_cbor_type type, const char *what)
{
	uint64_t count = 0;
	tk_err err = expect_type(dec, type, what);

	if (err != TK_OK)
		return err;
	return type == TK_CBOR_MAP ? tk_cbor_enter_map(dec, &count)
				   : tk_cbor_enter_array(dec, &count);
}

/* Read an unsigned map key; other keys are reported as UINT64_MAX. */
static tk_err get_key(struct tk_cbor_dec *dec, uint64_t *key)
{
	*key = UINT64_MAX;
	if (tk_cbor_peek(dec) == TK_CBOR_UINT)
		return tk_cbor_get_uint(dec, key);
	return tk_cbor_skip(dec);
}

/* class-id = tagged-uuid-type / tagged-oid-type / tagged-bytes */
static tk_err decode_class_id(struct tk_cbor_dec *dec, struct tk_eat_corim_refval *r)
{
	tk_err err = expect_type(dec, TK_CBOR_TAG, "class-id");

	if (err == TK_OK)
		err = tk_cbor_get_tag(dec, &r->class_id_tag);
	if (err == TK_OK && r->class_id_tag != TK_CORIM_TAG_UUID &&
	    r->class_id_tag != TK_CORIM_TAG_OID && r->class_id_tag != TK_CORIM_TAG_BYTES)
		return tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TAG,
					"class-id tag %llu, expected 37, 111 or 560",
					(unsigned long long)r->class_id_tag);
	if (err == TK_OK)
		err = expect_type(dec, TK_CBOR_BSTR, "class-id");
	return err != TK_OK ? err : tk_cbor_get_bstr(dec, &r->class_id);
}

static tk_err decode_class(struct tk_cbor_dec *dec, struct tk_eat_corim_refval *r)
{
	tk_err err = enter(dec, TK_CBOR_MAP, "class-map");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err != TK_OK)
			break;
		switch (key) {
		case CLASS_ID:
			err = decode_class_id(dec, r);
			break;
		case CLASS_VENDOR:
			err = expect_type(dec, TK_CBOR_TSTR, "vendor");
			err = err != TK_OK ? err : tk_cbor_get_tstr(dec, &r->vendor);
			break;
		case CLASS_MODEL:
			err = expect_type(dec, TK_CBOR_TSTR, "model");
			err = err != TK_OK ? err : tk_cbor_get_tstr(dec, &r->model);
			break;
		case CLASS_LAYER:
			r->has_layer = true;
			err = tk_cbor_get_uint(dec, &r->layer);
			break;
		case CLASS_INDEX:
			r->has_index = true;
			err = tk_cbor_get_uint(dec, &r->index);
			break;
		default:
			err = tk_cbor_skip(dec);
		}
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_environment(struct tk_cbor_dec *dec, struct tk_eat_corim_refval *r)
{
	tk_err err = enter(dec, TK_CBOR_MAP, "environment-map");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err == TK_OK && key == ENV_CLASS)
			err = decode_class(dec, r);
		else if (err == TK_OK)
			err = tk_cbor_skip(dec);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* One [hash-alg-id: int / tstr, hash-value: bstr] into a new record. */
static tk_err emit_digest(struct tk_cbor_dec *dec, struct sink *s)
{
	struct tk_eat_corim_refval r = s->current;
	tk_err err = enter(dec, TK_CBOR_ARRAY, "digest");

	if (err == TK_OK && tk_cbor_peek(dec) == TK_CBOR_TSTR) {
		r.hash_alg_is_text = true;
		err = tk_cbor_get_tstr(dec, &r.hash_alg_name);
	} else if (err == TK_OK) {
		err = tk_cbor_get_int(dec, &r.hash_alg);
	}
	if (err == TK_OK)
		err = expect_type(dec, TK_CBOR_BSTR, "hash-value");
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &r.digest);
	if (err == TK_OK && tk_cbor_more(dec))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "digest has more than two elements");
	if (err != TK_OK)
		return err;
	if (s->count >= s->cap)
		return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT,
					"more than %zu reference values", s->cap);
	s->out[s->count++] = r;
	return tk_cbor_leave(dec);
}

static tk_err decode_digests(struct tk_cbor_dec *dec, struct sink *s)
{
	tk_err err = enter(dec, TK_CBOR_ARRAY, "digests");

	while (err == TK_OK && tk_cbor_more(dec))
		err = emit_digest(dec, s);
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* integrity-registers = {+ (uint / tstr) => digests} */
static tk_err decode_registers(struct tk_cbor_dec *dec, struct sink *s)
{
	struct tk_eat_corim_refval saved = s->current;
	tk_err err = enter(dec, TK_CBOR_MAP, "integrity-registers");

	while (err == TK_OK && tk_cbor_more(dec)) {
		s->current.has_register = true;
		s->current.register_is_text = tk_cbor_peek(dec) == TK_CBOR_TSTR;
		if (s->current.register_is_text)
			err = tk_cbor_get_tstr(dec, &s->current.register_name);
		else
			err = tk_cbor_get_uint(dec, &s->current.register_index);
		if (err == TK_OK)
			err = decode_digests(dec, s);
	}
	s->current = saved;
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_mval(struct tk_cbor_dec *dec, struct sink *s)
{
	tk_err err = enter(dec, TK_CBOR_MAP, "mval");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err == TK_OK && key == MVAL_DIGESTS)
			err = decode_digests(dec, s);
		else if (err == TK_OK && key == MVAL_REGISTERS)
			err = decode_registers(dec, s);
		else if (err == TK_OK)
			err = tk_cbor_skip(dec);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_measurement(struct tk_cbor_dec *dec, struct sink *s)
{
	size_t first = s->count;
	struct tk_span mkey = TK_SPAN_EMPTY;
	bool has_mval = false;
	tk_err err = enter(dec, TK_CBOR_MAP, "measurement-map");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err == TK_OK && key == MEAS_MKEY && tk_cbor_peek(dec) == TK_CBOR_TSTR) {
			err = tk_cbor_get_tstr(dec, &mkey);
		} else if (err == TK_OK && key == MEAS_MVAL) {
			has_mval = true;
			err = decode_mval(dec, s);
		} else if (err == TK_OK) {
			err = tk_cbor_skip(dec);
		}
	}
	if (err == TK_OK && !has_mval)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_MISSING,
				       "measurement-map without mval (key 1)");

	/* mkey may come after mval in a map, so the records get it now. */
	for (size_t i = first; err == TK_OK && i < s->count; i++)
		s->out[i].mkey = mkey;
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* reference-triple = [environment-map, [+ measurement-map]] */
static tk_err decode_triple(struct tk_cbor_dec *dec, struct sink *s)
{
	tk_err err = enter(dec, TK_CBOR_ARRAY, "reference-triple");

	memset(&s->current, 0, sizeof(s->current));
	if (err == TK_OK)
		err = decode_environment(dec, &s->current);
	if (err == TK_OK)
		err = enter(dec, TK_CBOR_ARRAY, "measurements of a reference-triple");
	while (err == TK_OK && tk_cbor_more(dec))
		err = decode_measurement(dec, s);
	if (err == TK_OK)
		err = tk_cbor_leave(dec);
	if (err == TK_OK && tk_cbor_more(dec))
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_LENGTH,
				       "reference-triple has more than two elements");
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

/* Walk a map, handing the value of `wanted` to fn and skipping the rest. */
static tk_err walk_map(struct tk_cbor_dec *dec, const char *what, uint64_t wanted,
		       tk_err (*fn)(struct tk_cbor_dec *, struct sink *), struct sink *s)
{
	tk_err err = enter(dec, TK_CBOR_MAP, what);

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err == TK_OK && key == wanted)
			err = fn(dec, s);
		else if (err == TK_OK)
			err = tk_cbor_skip(dec);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_reference_triples(struct tk_cbor_dec *dec, struct sink *s)
{
	tk_err err = enter(dec, TK_CBOR_ARRAY, "reference-triples");

	while (err == TK_OK && tk_cbor_more(dec))
		err = decode_triple(dec, s);
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

static tk_err decode_triples(struct tk_cbor_dec *dec, struct sink *s)
{
	return walk_map(dec, "triples-map", TRIPLES_REFERENCE, decode_reference_triples, s);
}

static tk_err decode_comid(struct tk_cbor_dec *dec, struct sink *s)
{
	return walk_map(dec, "concise-mid-tag", COMID_TRIPLES, decode_triples, s);
}

/* One concise tag of a CoRIM: 506(bstr .cbor concise-mid-tag); others skipped. */
static tk_err decode_concise_tag(struct tk_cbor_dec *dec, struct sink *s,
				 unsigned *comids, struct tk_diag *diag)
{
	struct tk_cbor_dec inner;
	struct tk_span bytes;
	uint64_t tag = 0;
	tk_err err = expect_type(dec, TK_CBOR_TAG, "CoRIM tag entry");

	if (err == TK_OK)
		err = tk_cbor_get_tag(dec, &tag);
	if (err == TK_OK && tag != TK_CORIM_TAG_COMID)
		return tk_cbor_skip(dec);
	if (err == TK_OK && ++*comids > TK_EAT_CORIM_MAX_TAGS)
		return tk_cbor_dec_fail(dec, TK_ERR_LIMIT_COUNT, "more than %d CoMID tags",
					TK_EAT_CORIM_MAX_TAGS);
	if (err == TK_OK)
		err = expect_type(dec, TK_CBOR_BSTR, "CoMID tag");
	if (err == TK_OK)
		err = tk_cbor_get_bstr(dec, &bytes);
	if (err != TK_OK)
		return err;

	err = tk_cbor_dec_init(&inner, bytes.ptr, bytes.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = decode_comid(&inner, s);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&inner);
	/* Keep the outer decoder's error sticky as well. */
	return err != TK_OK ? tk_cbor_dec_fail(dec, err, "%s",
					       diag != NULL ? diag->msg : "CoMID invalid")
			    : TK_OK;
}

static tk_err decode_corim(struct tk_cbor_dec *dec, struct sink *s, struct tk_diag *diag)
{
	unsigned comids = 0;
	tk_err err = enter(dec, TK_CBOR_MAP, "corim-map");

	while (err == TK_OK && tk_cbor_more(dec)) {
		uint64_t key;

		err = get_key(dec, &key);
		if (err != TK_OK || key != CORIM_TAGS) {
			err = err != TK_OK ? err : tk_cbor_skip(dec);
			continue;
		}
		err = enter(dec, TK_CBOR_ARRAY, "corim tags");
		while (err == TK_OK && tk_cbor_more(dec))
			err = decode_concise_tag(dec, s, &comids, diag);
		if (err == TK_OK)
			err = tk_cbor_leave(dec);
	}
	return err != TK_OK ? err : tk_cbor_leave(dec);
}

tk_err tk_eat_corim_refvals(const uint8_t *buf, size_t len,
			    struct tk_eat_corim_refval *out, size_t out_cap,
			    size_t *count, struct tk_diag *diag)
{
	struct sink s = {.out = out, .cap = out_cap};
	struct tk_cbor_dec dec;
	uint64_t tag = 0;
	tk_err err;

	if (count == NULL || out == NULL || (buf == NULL && len > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "CoRIM buffer, output or count is NULL");
	*count = 0;

	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_STRICT, diag);
	if (err == TK_OK && tk_cbor_peek(&dec) == TK_CBOR_TAG) {
		err = tk_cbor_get_tag(&dec, &tag);
		if (err == TK_OK && tag == TK_COSE_TAG_SIGN1)
			err = tk_cbor_dec_fail(&dec, TK_ERR_UNSUPPORTED,
					       "signed CoRIM (COSE_Sign1) is not supported");
		else if (err == TK_OK && tag != TK_CORIM_TAG_UNSIGNED)
			err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_TAG,
					       "CoRIM tag %llu, expected 501",
					       (unsigned long long)tag);
		if (err == TK_OK)
			err = decode_corim(&dec, &s, diag);
	} else if (err == TK_OK) {
		err = decode_comid(&dec, &s);
	}
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		return err;
	*count = s.count;
	return TK_OK;
}

static bool field_matches(struct tk_span want, struct tk_span got)
{
	return want.len == 0 || tk_span_equal(want, got);
}

static bool is_sha256(const struct tk_eat_corim_refval *r)
{
	if (r->hash_alg_is_text)
		return tk_span_equal(r->hash_alg_name, tk_span_make("sha-256", 7));
	return r->hash_alg == TK_CORIM_HASH_SHA256;
}

long tk_eat_corim_match(const struct tk_eat_corim_refval *refvals, size_t n,
			const struct tk_eat_corim_query *query)
{
	if (refvals == NULL || query == NULL || query->digest.len == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct tk_eat_corim_refval *r = &refvals[i];

		if (is_sha256(r) && tk_span_equal(r->digest, query->digest) &&
		    field_matches(query->vendor, r->vendor) &&
		    field_matches(query->model, r->model) &&
		    field_matches(query->class_id, r->class_id) &&
		    field_matches(query->mkey, r->mkey))
			return (long)i;
	}
	return -1;
}
