/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostic notation for `teep inspect`, with labels named and embedded
 * CBOR shown inline.
 *
 * TEEP, SUIT and COSE wrap CBOR items in byte strings (COSE protected
 * headers and payloads, SUIT manifests and command sequences, the envelopes
 * of a TEEP Update). tk_cbor_to_diag() prints such a byte string as hex, so
 * each item is rendered in two passes. The cbor layer prints the item. Then
 * every byte string in it that contains exactly one CBOR array, map or tag
 * is rendered the same way, recursively, and put in place of its hex as
 * `<< ... >>` (RFC 8610 appendix G.3). The hex to replace is found by
 * printing the byte string alone with the same printer, so this code never
 * depends on how the printer formats hex.
 *
 * Labels are named by the tables of the layers. Because a wrapped item is
 * printed on its own, the callback gets only the map keys inside it. The
 * wrapper below prefixes the keys that led to the byte string, so a SUIT
 * manifest printed alone is still known to sit under envelope key 3.
 */
#include "tk_cli.h"

#include <stdlib.h>
#include <string.h>

#include "cbor/tk_cbor.h"
#include "eat/tk_eat.h"
#include "suit/tk_suit.h"
#include "suit/tk_suit_report.h"
#include "teep/tk_teep_names.h"

/*
 * Maximum map keys on the path from the outermost item to a map, across
 * byte-string boundaries. Deeper keys are still printed, only without a
 * name. TK_CBOR_MAX_DEPTH bounds one level; 64 covers the deepest TEEP
 * nesting (Update, envelope, manifest, common, parameters) many times.
 */
#define MAX_PATH 64

/*
 * Maximum nesting of byte-string-wrapped items that are expanded. Deeper
 * ones stay hex. A TEEP Update nests five (envelope, manifest, common,
 * shared sequence, digest); 16 leaves room and bounds recursion on hostile
 * input.
 */
#define MAX_EMBED_DEPTH 16

/* Initial size of a diagnostic notation buffer, grown on demand. */
#define DIAG_MIN_CAP 4096

/* Names and context of one rendering pass. */
struct names_ctx {
	const struct tk_cbor_names *inner; /* `table`, or NULL for no names */
	struct tk_cbor_names table;        /* the layer's names */
	int64_t prefix[MAX_PATH];          /* map keys leading to this item */
	unsigned prefix_len;
	int64_t scratch[MAX_PATH];         /* prefix + path, built per call */
};

/* One byte string in an item whose content is a single CBOR item. */
struct embedded {
	struct tk_span raw;      /* the byte string, head included */
	struct tk_span content;  /* the wrapped item */
	int64_t path[MAX_PATH];  /* map keys from the item to the byte string */
	unsigned path_len;
	long top_index;          /* position in the outermost array (tags
				    skipped), or -1 when nested deeper */
};

struct embedded_list {
	struct embedded *items;
	size_t count;
	size_t cap;
};

/* COSE header parameter labels (RFC 9052 section 3.1, RFC 9053). */
static const char *cose_header_name(int64_t label)
{
	switch (label) {
	case 1: return "alg";
	case 2: return "crit";
	case 3: return "content type";
	case 4: return "kid";
	case 5: return "IV";
	case 6: return "Partial IV";
	case 7: return "counter signature";
	case -1: return "ephemeral key";
	default: return NULL;
	}
}

/* COSE_Key labels for kty EC2 and OKP (RFC 9052 section 7, RFC 9053). */
static const char *cose_key_name(int64_t label)
{
	switch (label) {
	case 1: return "kty";
	case 2: return "kid";
	case 3: return "alg";
	case -1: return "crv";
	case -2: return "x";
	case -3: return "y";
	case -4: return "d";
	default: return NULL;
	}
}

static const char *cose_tag_name(uint64_t tag)
{
	switch (tag) {
	case 16: return "COSE_Encrypt0";
	case 17: return "COSE_Mac0";
	case 18: return "COSE_Sign1";
	case 61: return "CWT";
	case 96: return "COSE_Encrypt";
	case 97: return "COSE_Mac";
	case 98: return "COSE_Sign";
	default: return NULL;
	}
}

static const char *cose_names_key(void *ctx, const int64_t *path, unsigned path_len,
				  int64_t key)
{
	(void)ctx;
	if (path_len == 0)
		return cose_header_name(key);
	if (path[path_len - 1] == -1)
		return cose_key_name(key);
	return NULL;
}

static const char *cose_names_tag(void *ctx, uint64_t tag)
{
	(void)ctx;
	return cose_tag_name(tag);
}

/* Names of COSE headers, COSE_Key labels and COSE tags. */
static const struct tk_cbor_names cose_names = {cose_names_key, cose_names_tag, NULL};

/* Copy the names of `schema` into *out; false when it has none. */
static bool schema_names(enum tk_cli_schema schema, struct tk_cbor_names *out)
{
	switch (schema) {
	case TK_CLI_SCHEMA_TEEP:
		*out = tk_teep_cbor_names();
		return true;
	case TK_CLI_SCHEMA_SUIT:
		*out = tk_suit_cbor_names;
		return true;
	case TK_CLI_SCHEMA_COSE:
		*out = cose_names;
		return true;
	case TK_CLI_SCHEMA_SUIT_REPORT:
		*out = tk_suit_report_cbor_names;
		return true;
	case TK_CLI_SCHEMA_EAT:
		*out = *tk_eat_names();
		return true;
	default:
		return false;
	}
}

static const char *prefixed_key_name(void *ctx, const int64_t *path, unsigned path_len,
				     int64_t key)
{
	struct names_ctx *names = ctx;
	unsigned len = names->prefix_len;

	if (names->inner == NULL || names->inner->key_name == NULL)
		return NULL;
	if (len + path_len > MAX_PATH)
		return NULL;
	for (unsigned i = 0; i < len + path_len; i++)
		names->scratch[i] = i < len ? names->prefix[i] : path[i - len];
	return names->inner->key_name(names->inner->ctx, names->scratch, len + path_len, key);
}

/* The layer's tag name, else a COSE tag name (COSE objects nest anywhere). */
static const char *fallback_tag_name(void *ctx, uint64_t tag)
{
	struct names_ctx *names = ctx;
	const char *name = NULL;

	if (names->inner != NULL && names->inner->tag_name != NULL)
		name = names->inner->tag_name(names->inner->ctx, tag);
	return name != NULL ? name : cose_tag_name(tag);
}

static tk_err text_reserve(struct tk_cli_text *text, size_t extra, struct tk_diag *diag)
{
	size_t cap = text->cap == 0 ? DIAG_MIN_CAP : text->cap;
	char *grown;

	if (text->len + extra + 1 <= text->cap)
		return TK_OK;
	while (cap < text->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			return TK_FAIL(diag, TK_ERR_NOMEM, "diagnostic notation too long");
		cap *= 2;
	}
	grown = realloc(text->buf, cap);
	if (grown == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "diagnostic notation of %zu bytes", cap);
	text->buf = grown;
	text->cap = cap;
	return TK_OK;
}

static tk_err text_append(struct tk_cli_text *text, const char *s, size_t len,
			  struct tk_diag *diag)
{
	tk_err err = text_reserve(text, len, diag);

	if (err != TK_OK)
		return err;
	memcpy(text->buf + text->len, s, len);
	text->len += len;
	text->buf[text->len] = '\0';
	return TK_OK;
}

void tk_cli_text_free(struct tk_cli_text *text)
{
	free(text->buf);
	text->buf = NULL;
	text->len = 0;
	text->cap = 0;
}

/* Print one item with tk_cbor_to_diag(), growing the buffer until it fits. */
static tk_err print_item(const uint8_t *buf, size_t len, const struct tk_cbor_names *names,
			 struct tk_cli_text *out, struct tk_diag *diag)
{
	tk_err err;

	out->len = 0;
	for (;;) {
		size_t written = 0;

		err = text_reserve(out, out->cap == 0 ? 3 * len + DIAG_MIN_CAP : out->cap, diag);
		if (err != TK_OK)
			return err;
		err = tk_cbor_to_diag(buf, len, TK_CBOR_ALLOW_ALL, true, names, out->buf,
				      out->cap, &written, diag);
		if (err != TK_ERR_BUFFER_TOO_SMALL) {
			out->len = err == TK_OK ? written : 0;
			return err;
		}
		/* Retry bigger; the failed attempt must not stay in diag. */
		tk_diag_clear(diag);
	}
}

/* Integer value of an encoded map key, or INT64_MIN when not an integer. */
static int64_t key_value(struct tk_span raw)
{
	uint8_t major;
	uint8_t info;
	uint64_t value = 0;
	size_t size;

	if (raw.len == 0)
		return INT64_MIN;
	major = raw.ptr[0] >> 5;
	info = raw.ptr[0] & 0x1f;
	if (major > 1 || info > 27)
		return INT64_MIN;
	size = info < 24 ? 0 : (size_t)1 << (info - 24);
	if (info < 24)
		value = info;
	for (size_t i = 0; i < size && i + 1 < raw.len; i++)
		value = value << 8 | raw.ptr[i + 1];
	if (value > INT64_MAX)
		return INT64_MIN;
	return major == 0 ? (int64_t)value : -1 - (int64_t)value;
}

/* Whether a byte string contains exactly one CBOR array, map or tag. */
static bool wraps_cbor(struct tk_span content)
{
	uint8_t major;

	if (content.len == 0)
		return false;
	major = content.ptr[0] >> 5;
	if (major != TK_CBOR_ARRAY && major != TK_CBOR_MAP && major != TK_CBOR_TAG)
		return false;
	return tk_cbor_check(content.ptr, content.len, TK_CBOR_ALLOW_ALL, NULL) == TK_OK;
}

static tk_err list_push(struct embedded_list *list, const struct embedded *item,
			struct tk_diag *diag)
{
	if (list->count == list->cap) {
		size_t cap = list->cap == 0 ? 8 : list->cap * 2;
		struct embedded *grown = realloc(list->items, cap * sizeof(*grown));

		if (grown == NULL)
			return TK_FAIL(diag, TK_ERR_NOMEM, "%zu embedded items", cap);
		list->items = grown;
		list->cap = cap;
	}
	list->items[list->count++] = *item;
	return TK_OK;
}

struct walk {
	struct tk_cbor_dec dec;
	struct embedded_list *list;
	struct embedded cur;  /* path of the item being walked */
	struct tk_diag *diag;
};

static tk_err walk_item(struct walk *w, long top_index, unsigned depth);

static tk_err walk_bstr(struct walk *w, long top_index)
{
	size_t offset = tk_cbor_offset(&w->dec);
	const uint8_t *head = w->dec.buf + offset;
	struct tk_span content;
	tk_err err;

	/* An indefinite-length byte string has no single view: leave it hex. */
	if ((head[0] & 0x1f) == 31)
		return tk_cbor_skip(&w->dec);
	err = tk_cbor_get_bstr(&w->dec, &content);
	if (err != TK_OK || !wraps_cbor(content))
		return err;
	w->cur.raw = tk_span_make(head, (size_t)(content.ptr + content.len - head));
	w->cur.content = content;
	w->cur.top_index = top_index;
	return list_push(w->list, &w->cur, w->diag);
}

static tk_err walk_map(struct walk *w, unsigned depth)
{
	uint64_t count = 0;
	tk_err err = tk_cbor_enter_map(&w->dec, &count);

	while (err == TK_OK && tk_cbor_more(&w->dec)) {
		struct tk_span key;
		unsigned saved = w->cur.path_len;

		err = tk_cbor_get_raw(&w->dec, &key);
		if (err != TK_OK)
			break;
		if (w->cur.path_len < MAX_PATH)
			w->cur.path[w->cur.path_len++] = key_value(key);
		err = walk_item(w, -1, depth + 1);
		w->cur.path_len = saved;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&w->dec);
	return err;
}

static tk_err walk_item(struct walk *w, long top_index, unsigned depth)
{
	uint64_t count = 0;
	uint64_t tag = 0;
	long index = 0;
	tk_err err;

	switch (tk_cbor_peek(&w->dec)) {
	case TK_CBOR_BSTR:
		return walk_bstr(w, top_index);
	case TK_CBOR_MAP:
		return walk_map(w, depth);
	case TK_CBOR_TAG:
		/* A tag does not change the position in the outermost array. */
		err = tk_cbor_get_tag(&w->dec, &tag);
		return err == TK_OK ? walk_item(w, top_index, depth) : err;
	case TK_CBOR_ARRAY:
		err = tk_cbor_enter_array(&w->dec, &count);
		while (err == TK_OK && tk_cbor_more(&w->dec))
			err = walk_item(w, depth == 0 ? index++ : -1, depth + 1);
		return err == TK_OK ? tk_cbor_leave(&w->dec) : err;
	default:
		return tk_cbor_skip(&w->dec);
	}
}

/* List the byte strings of buf that wrap CBOR, outside nested wraps. */
static tk_err find_embedded(const uint8_t *buf, size_t len, struct embedded_list *list,
			    struct tk_diag *diag)
{
	struct walk w;
	tk_err err;

	memset(&w, 0, sizeof(w));
	w.list = list;
	w.diag = diag;
	err = tk_cbor_dec_init(&w.dec, buf, len, TK_CBOR_ALLOW_ALL, diag);
	if (err == TK_OK)
		err = walk_item(&w, -1, 0);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&w.dec);
	return err;
}

/*
 * Schema of a wrapped item. A tagged COSE object, a COSE payload, a TEEP
 * manifest-list entry or an attestation payload switches to the schema of
 * its content. Anything else (headers, manifests, command sequences,
 * digests) keeps the enclosing schema and its key path.
 */
static enum tk_cli_schema embedded_schema(enum tk_cli_schema parent,
					  const struct embedded *item, bool *reset_path)
{
	int64_t key = item->path_len > 0 ? item->path[item->path_len - 1] : INT64_MIN;

	*reset_path = true;
	/* A tagged COSE object, e.g. SUIT encryption info, gets COSE names. */
	if ((item->content.ptr[0] >> 5) == TK_CBOR_TAG &&
	    tk_cli_classify_payload(item->content.ptr, item->content.len) ==
		    TK_CLI_SCHEMA_COSE)
		return TK_CLI_SCHEMA_COSE;
	if (parent == TK_CLI_SCHEMA_COSE && item->path_len == 0 && item->top_index == 2)
		return tk_cli_classify_payload(item->content.ptr, item->content.len);
	if (parent == TK_CLI_SCHEMA_TEEP && key == 10)
		return TK_CLI_SCHEMA_SUIT;
	if (parent == TK_CLI_SCHEMA_TEEP && key == 7)
		return tk_cli_classify_payload(item->content.ptr, item->content.len);
	/* suit-reports (19): each a protected or plain SUIT_Report. */
	if (parent == TK_CLI_SCHEMA_TEEP && key == 19)
		return tk_cli_classify_payload(item->content.ptr, item->content.len);
	*reset_path = false;
	return parent;
}

/* Append s, indenting every line after the first by `indent` spaces. */
static tk_err append_indented(struct tk_cli_text *out, const char *s, size_t len,
			      size_t indent, struct tk_diag *diag)
{
	tk_err err = TK_OK;
	size_t start = 0;

	for (size_t i = 0; i <= len && err == TK_OK; i++) {
		if (i < len && s[i] != '\n')
			continue;
		err = text_append(out, s + start, i - start, diag);
		if (err == TK_OK && i < len) {
			err = text_append(out, "\n", 1, diag);
			for (size_t n = 0; n < indent && err == TK_OK; n++)
				err = text_append(out, " ", 1, diag);
		}
		start = i + 1;
	}
	return err;
}

static tk_err render(const uint8_t *buf, size_t len, enum tk_cli_schema schema,
		     const int64_t *prefix, unsigned prefix_len, unsigned embed_depth,
		     struct tk_cli_text *out, struct tk_diag *diag);

/*
 * Replace the hex of one wrapped item, searched from *pos in text, by its
 * rendering; append everything up to and including it to out.
 */
static tk_err substitute(const struct tk_cli_text *text, size_t *pos,
			 const struct embedded *item, enum tk_cli_schema schema,
			 const struct names_ctx *names, unsigned embed_depth,
			 struct tk_cli_text *out, struct tk_diag *diag)
{
	struct tk_cli_text needle = {0};
	struct tk_cli_text inner = {0};
	int64_t prefix[MAX_PATH];
	unsigned prefix_len = 0;
	bool reset = false;
	enum tk_cli_schema inner_schema = embedded_schema(schema, item, &reset);
	const char *found;
	size_t line_start;
	size_t indent = 0;
	tk_err err;

	if (!reset && names->prefix_len + item->path_len <= MAX_PATH) {
		prefix_len = names->prefix_len + item->path_len;
		for (unsigned i = 0; i < prefix_len; i++) {
			prefix[i] = i < names->prefix_len ? names->prefix[i]
							  : item->path[i - names->prefix_len];
		}
	}
	err = print_item(item->raw.ptr, item->raw.len, NULL, &needle, diag);
	if (err == TK_OK)
		err = render(item->content.ptr, item->content.len, inner_schema, prefix,
			     prefix_len, embed_depth + 1, &inner, diag);
	if (err != TK_OK)
		goto done;

	found = strstr(text->buf + *pos, needle.buf);
	if (found == NULL)
		goto done; /* printed differently in context: keep the hex */
	line_start = (size_t)(found - text->buf);
	while (line_start > 0 && text->buf[line_start - 1] != '\n')
		line_start--;
	while (text->buf[line_start + indent] == ' ')
		indent++;

	err = text_append(out, text->buf + *pos, (size_t)(found - (text->buf + *pos)), diag);
	if (err == TK_OK)
		err = text_append(out, "<< ", 3, diag);
	if (err == TK_OK)
		err = append_indented(out, inner.buf, inner.len, indent, diag);
	if (err == TK_OK)
		err = text_append(out, " >>", 3, diag);
	*pos = (size_t)(found - text->buf) + needle.len;
done:
	tk_cli_text_free(&needle);
	tk_cli_text_free(&inner);
	return err;
}

/* SUIT manifest key of the common member, and its shared-sequence key. */
#define SUIT_MANIFEST_KEY 3
#define SUIT_COMMON_KEY 3
#define SUIT_SHARED_SEQUENCE_KEY 4

/* Commands whose argument contains nested command sequences. */
#define SUIT_TRY_EACH 15
#define SUIT_RUN_SEQUENCE 32

/*
 * Whether the map keys `path` lead from an envelope to a command sequence:
 * [3 manifest, section], [3 manifest, 3 common, 4 shared-sequence], or a
 * severed section at the top of the envelope, [section].
 */
static bool is_command_sequence(const int64_t *path, unsigned path_len)
{
	static const int64_t sections[] = {
		TK_SUIT_SECTION_VALIDATE, TK_SUIT_SECTION_LOAD, TK_SUIT_SECTION_INVOKE,
		TK_SUIT_SECTION_DEPENDENCY_RESOLUTION, TK_SUIT_SECTION_PAYLOAD_FETCH,
		TK_SUIT_SECTION_CANDIDATE_VERIFICATION, TK_SUIT_SECTION_INSTALL,
		TK_SUIT_SECTION_UNINSTALL,
	};

	if (path_len == 3)
		return path[0] == SUIT_MANIFEST_KEY && path[1] == SUIT_COMMON_KEY &&
		       path[2] == SUIT_SHARED_SEQUENCE_KEY;
	if (path_len == 1)
		return path[0] == TK_SUIT_SECTION_DEPENDENCY_RESOLUTION ||
		       path[0] == TK_SUIT_SECTION_PAYLOAD_FETCH ||
		       path[0] == TK_SUIT_SECTION_CANDIDATE_VERIFICATION ||
		       path[0] == TK_SUIT_SECTION_INSTALL;
	if (path_len != 2 || path[0] != SUIT_MANIFEST_KEY)
		return false;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (path[1] == sections[i])
			return true;
	}
	return false;
}

static tk_err render_sequence(const uint8_t *buf, size_t len, const int64_t *prefix,
			      unsigned prefix_len, unsigned embed_depth,
			      struct tk_cli_text *out, struct tk_diag *diag);

/* A byte string that wraps a command sequence, printed as << [...] >>. */
static tk_err render_wrapped_sequence(struct tk_cbor_dec *dec, const int64_t *prefix,
				      unsigned prefix_len, unsigned embed_depth,
				      struct tk_cli_text *out, struct tk_diag *diag)
{
	struct tk_cli_text inner = {0};
	struct tk_span content;
	tk_err err = tk_cbor_get_bstr(dec, &content);

	if (err == TK_OK)
		err = render_sequence(content.ptr, content.len, prefix, prefix_len,
				      embed_depth + 1, &inner, diag);
	if (err == TK_OK)
		err = text_append(out, "<< ", 3, diag);
	if (err == TK_OK)
		err = text_append(out, inner.buf, inner.len, diag);
	if (err == TK_OK)
		err = text_append(out, " >>", 3, diag);
	tk_cli_text_free(&inner);
	return err;
}

/*
 * The argument of try-each ([+ bstr .cbor sequence, ? nil]) or run-sequence
 * (bstr .cbor sequence), with the nested commands named. Fails, so the
 * caller prints the plain item, when the argument has another shape.
 */
static tk_err render_nested(struct tk_span raw, int64_t command, const int64_t *prefix,
			    unsigned prefix_len, unsigned embed_depth, struct tk_cli_text *out,
			    struct tk_diag *diag)
{
	struct tk_cli_text item = {0};
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	tk_err err;

	if (embed_depth >= MAX_EMBED_DEPTH)
		return TK_FAIL(diag, TK_ERR_LIMIT_DEPTH, "command sequences nested too deep");
	err = tk_cbor_dec_init(&dec, raw.ptr, raw.len, TK_CBOR_ALLOW_ALL, diag);
	if (err == TK_OK && command == SUIT_RUN_SEQUENCE)
		return render_wrapped_sequence(&dec, prefix, prefix_len, embed_depth, out, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK)
		err = text_append(out, "[\n", 2, diag);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		item.len = 0;
		if (tk_cbor_peek(&dec) == TK_CBOR_NULL) {
			err = tk_cbor_get_null(&dec);
			if (err == TK_OK)
				err = text_append(&item, "null", 4, diag);
		} else {
			err = render_wrapped_sequence(&dec, prefix, prefix_len, embed_depth, &item,
						      diag);
		}
		if (err == TK_OK)
			err = text_append(out, "  ", 2, diag);
		if (err == TK_OK)
			err = append_indented(out, item.buf, item.len, 2, diag);
		if (err == TK_OK)
			err = text_append(out, tk_cbor_more(&dec) ? ",\n" : "\n",
					  tk_cbor_more(&dec) ? 2 : 1, diag);
	}
	if (err == TK_OK)
		err = text_append(out, "]", 1, diag);
	tk_cli_text_free(&item);
	return err;
}

/*
 * Render a SUIT_Command_Sequence, [command, argument, ...], naming each
 * command as the draft's examples do: `20 / directive-override-parameters /`.
 * tk_cbor_names can only name map keys, so the array is printed here, each
 * element through render() for its names and wrapped items.
 */
static tk_err render_sequence(const uint8_t *buf, size_t len, const int64_t *prefix,
			      unsigned prefix_len, unsigned embed_depth,
			      struct tk_cli_text *out, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_cli_text element = {0};
	int64_t command = INT64_MIN;
	uint64_t count = 0;
	size_t index = 0;
	tk_err err;

	err = tk_cbor_dec_init(&dec, buf, len, TK_CBOR_ALLOW_ALL, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK)
		err = text_append(out, "[\n", 2, diag);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		struct tk_span raw;
		const char *name = NULL;
		struct tk_diag nested_diag;

		err = tk_cbor_get_raw(&dec, &raw);
		tk_diag_clear(&nested_diag);
		if (err == TK_OK && index % 2 == 1 &&
		    (command == SUIT_TRY_EACH || command == SUIT_RUN_SEQUENCE) &&
		    render_nested(raw, command, prefix, prefix_len, embed_depth, &element,
				  &nested_diag) == TK_OK) {
			/* Printed with the nested commands named. */
		} else if (err == TK_OK) {
			element.len = 0;
			err = render(raw.ptr, raw.len, TK_CLI_SCHEMA_SUIT, prefix, prefix_len,
				     embed_depth, &element, diag);
		}
		if (err == TK_OK && index % 2 == 0) {
			command = key_value(raw);
			if (command != INT64_MIN)
				name = tk_suit_command_name(command);
		}
		if (err == TK_OK)
			err = text_append(out, "  ", 2, diag);
		if (err == TK_OK)
			err = append_indented(out, element.buf, element.len, 2, diag);
		if (err == TK_OK && name != NULL) {
			err = text_append(out, " / ", 3, diag);
			if (err == TK_OK)
				err = text_append(out, name, strlen(name), diag);
			if (err == TK_OK)
				err = text_append(out, " /", 2, diag);
		}
		if (err == TK_OK && tk_cbor_more(&dec))
			err = text_append(out, ",", 1, diag);
		if (err == TK_OK)
			err = text_append(out, "\n", 1, diag);
		tk_cli_text_free(&element);
		index++;
	}
	if (err == TK_OK)
		err = text_append(out, "]", 1, diag);
	tk_cli_text_free(&element);
	return err;
}

static tk_err render(const uint8_t *buf, size_t len, enum tk_cli_schema schema,
		     const int64_t *prefix, unsigned prefix_len, unsigned embed_depth,
		     struct tk_cli_text *out, struct tk_diag *diag)
{
	struct names_ctx *names = calloc(1, sizeof(*names));
	struct tk_cbor_names wrapper = {prefixed_key_name, fallback_tag_name, names};
	struct tk_cli_text text = {0};
	struct embedded_list list = {0};
	size_t pos = 0;
	tk_err err = TK_ERR_NOMEM;

	out->len = 0;
	if (names == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "rendering %zu bytes", len);
	if (schema == TK_CLI_SCHEMA_SUIT && len > 0 && (buf[0] >> 5) == TK_CBOR_ARRAY &&
	    is_command_sequence(prefix, prefix_len)) {
		free(names);
		return render_sequence(buf, len, prefix, prefix_len, embed_depth, out, diag);
	}
	names->inner = schema_names(schema, &names->table) ? &names->table : NULL;
	names->prefix_len = prefix_len;
	if (prefix_len > 0)
		memcpy(names->prefix, prefix, prefix_len * sizeof(int64_t));

	err = print_item(buf, len, &wrapper, &text, diag);
	if (err == TK_OK && embed_depth < MAX_EMBED_DEPTH)
		err = find_embedded(buf, len, &list, diag);
	for (size_t i = 0; i < list.count && err == TK_OK; i++)
		err = substitute(&text, &pos, &list.items[i], schema, names, embed_depth, out,
				 diag);
	if (err == TK_OK)
		err = text_append(out, text.buf + pos, text.len - pos, diag);

	free(list.items);
	tk_cli_text_free(&text);
	free(names);
	return err;
}

tk_err tk_cli_render_diag(const uint8_t *buf, size_t len, enum tk_cli_schema schema,
			  struct tk_cli_text *out, struct tk_diag *diag)
{
	tk_err err;

	memset(out, 0, sizeof(*out));
	err = render(buf, len, schema, NULL, 0, 0, out, diag);
	if (err != TK_OK)
		tk_cli_text_free(out);
	return err;
}
