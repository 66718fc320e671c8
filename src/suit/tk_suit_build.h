/* SPDX-License-Identifier: Apache-2.0 */
/*
 * General SUIT envelope builder: a description of a manifest as plain C
 * structs (components, dependencies, the shared sequence and every command
 * section, text, severed members, integrated payloads) is encoded into a
 * signed SUIT envelope (draft-ietf-suit-manifest-37,
 * draft-ietf-suit-trust-domains-11).
 *
 * The description lists what the manifest contains, not how it is encoded.
 * The encoder writes preferred serialization and puts every map in the
 * canonical order of RFC 8949 section 4.2.1 (bytewise order of the encoded
 * keys), which is the order of the draft's examples. Command sequences keep
 * the order given, because their order is their meaning.
 *
 * The description holds no I/O and no JSON: `teep manifest build` reads its
 * JSON form (docs/manifest-format.md), reads payload files and computes
 * their digests, then calls tk_suit_build(). Nothing here allocates.
 */
#ifndef TK_SUIT_BUILD_H
#define TK_SUIT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"

struct tk_crypto;
struct tk_crypto_key;

/* Signers of one envelope, each a COSE_Sign1 authentication block
 * (TK_ERR_LIMIT_COUNT beyond it). The decoder accepts
 * TK_SUIT_MAX_AUTH_BLOCKS blocks, so a built envelope always decodes. */
#define TK_SUIT_BUILD_MAX_SIGNERS 4

/* Entries of one SUIT_Parameters map (TK_ERR_LIMIT_COUNT): each parameter
 * the drafts register fits once. */
#define TK_SUIT_BUILD_MAX_PARAMS 24

/* Command sequence sections of one manifest: the eight section keys. */
#define TK_SUIT_BUILD_MAX_SECTIONS 8

/* Kinds of a parameter value. */
enum tk_suit_build_value_kind {
	TK_SUIT_VALUE_UINT = 1,  /* .uint */
	TK_SUIT_VALUE_INT,       /* .sint, negative or not */
	TK_SUIT_VALUE_BOOL,      /* .boolean */
	TK_SUIT_VALUE_BSTR,      /* .bytes as a byte string */
	TK_SUIT_VALUE_TSTR,      /* .bytes (UTF-8) as a text string */
	TK_SUIT_VALUE_RAW,       /* .bytes is one encoded CBOR item, copied */
	TK_SUIT_VALUE_WRAPPED,   /* .bytes is one encoded CBOR item, written
				    as a byte string (bstr .cbor) */
	TK_SUIT_VALUE_DIGEST,    /* SUIT_Digest [.sint, .bytes] as bstr .cbor,
				    the form of suit-parameter-image-digest */
};

/* A parameter value. Views are borrowed. */
struct tk_suit_build_value {
	enum tk_suit_build_value_kind kind;
	uint64_t uint;
	int64_t sint;          /* INT, and the algorithm of a DIGEST */
	bool boolean;
	struct tk_span bytes;
};

/* One entry of a SUIT_Parameters map. */
struct tk_suit_build_param {
	int64_t key;           /* suit-parameter-* label */
	struct tk_suit_build_value value;
};

/* Kinds of a command argument. */
enum tk_suit_build_arg_kind {
	TK_SUIT_ARG_UINT = 1,  /* SUIT_Rep_Policy, or an index (.uint) */
	TK_SUIT_ARG_TRUE,      /* set-component-index true: all components */
	TK_SUIT_ARG_INDICES,   /* set-component-index [+ uint] */
	TK_SUIT_ARG_PARAMS,    /* set- or override-parameters map */
	TK_SUIT_ARG_TRY_EACH,  /* [2* bstr .cbor sequence, ? nil] */
	TK_SUIT_ARG_SEQUENCE,  /* run-sequence: bstr .cbor sequence */
	TK_SUIT_ARG_RAW,       /* custom command: .raw is one encoded item */
};

struct tk_suit_build_sequence;

/* One command: its number and argument. */
struct tk_suit_build_command {
	int64_t command;            /* SUIT command number */
	enum tk_suit_build_arg_kind kind;
	uint64_t uint;              /* UINT */
	const uint64_t *indices;    /* INDICES, index_count entries */
	size_t index_count;
	const struct tk_suit_build_param *params; /* PARAMS */
	size_t param_count;
	const struct tk_suit_build_sequence *sequences; /* TRY_EACH: the
							   options; SEQUENCE:
							   one entry */
	size_t sequence_count;
	bool try_each_nil;          /* TRY_EACH ends with nil (an empty
				       option that always succeeds) */
	struct tk_span raw;         /* RAW */
};

/* A command sequence. */
struct tk_suit_build_sequence {
	const struct tk_suit_build_command *commands;
	size_t count;
};

/* A command sequence member of the manifest (validate, install, ...). */
struct tk_suit_build_section {
	int64_t key;                /* enum tk_suit_section value */
	struct tk_suit_build_sequence sequence;
	bool severed;               /* the manifest carries only its digest,
				       the envelope the sequence (allowed for
				       dependency-resolution, payload-fetch,
				       candidate-verification and install) */
};

/* One text value: a SUIT_Text_Keys or SUIT_Text_Component_Keys entry. */
struct tk_suit_build_text_field {
	int64_t key;
	struct tk_span text;        /* UTF-8 */
};

/* The text of one component in one language. */
struct tk_suit_build_text_component {
	struct tk_span id;          /* encoded SUIT_Component_Identifier */
	const struct tk_suit_build_text_field *fields;
	size_t field_count;
};

/* SUIT_Text_LMap of one language. */
struct tk_suit_build_text_lang {
	struct tk_span tag;         /* language tag such as "en-US" */
	const struct tk_suit_build_text_field *fields;
	size_t field_count;
	const struct tk_suit_build_text_component *components;
	size_t component_count;
};

/* One entry of suit-dependencies (trust-domains-11 section 5.2.2). */
struct tk_suit_build_dependency {
	uint64_t index;             /* component index of the dependency */
	struct tk_span prefix;      /* encoded SUIT_Component_Identifier of
				       suit-dependency-prefix, empty for none */
};

/* An integrated payload or dependency: an envelope member with a text key. */
struct tk_suit_build_integrated {
	struct tk_span name;        /* such as "#tc"; not empty */
	struct tk_span bytes;       /* payload, or a whole dependency envelope */
};

/* One authentication block signer. */
struct tk_suit_build_signer {
	const struct tk_crypto_key *key; /* private key, borrowed */
	int64_t alg;                /* TK_COSE_ALG_ESP256, _ES256 or
				       _ED25519; 0 picks ESP256 or Ed25519
				       from the key */
	struct tk_span kid;         /* unprotected kid, empty for none */
};

/* A whole envelope. */
struct tk_suit_build_desc {
	uint64_t manifest_version;  /* 1 */
	uint64_t sequence_number;
	const struct tk_span *components; /* encoded ids, at least one */
	size_t component_count;
	const struct tk_suit_build_dependency *dependencies;
	size_t dependency_count;    /* at most TK_SUIT_MAX_DEPENDENCIES */
	bool has_shared_sequence;
	struct tk_suit_build_sequence shared_sequence;
	struct tk_span reference_uri;         /* empty for none */
	struct tk_span manifest_component_id; /* encoded, empty for none */
	const struct tk_suit_build_section *sections;
	size_t section_count;
	const struct tk_suit_build_text_lang *text;
	size_t text_lang_count;     /* 0: no suit-text */
	bool text_severed;
	const struct tk_suit_build_integrated *integrated;
	size_t integrated_count;
	const struct tk_suit_build_signer *signers;
	size_t signer_count;        /* 1..TK_SUIT_BUILD_MAX_SIGNERS */
	bool tagged;                /* write SUIT_Envelope_Tagged (tag 107) */
};

/*
 * Check a description, encode the manifest and its severed members, and
 * sign the SUIT digest once per signer (COSE_Sign1, detached, tagged 18).
 * Fails with TK_ERR_ARG (invalid description, with a message naming the
 * member), TK_ERR_LIMIT_COUNT or TK_ERR_LIMIT_SIZE (limits of tk_suit.h and
 * above), or a crypto error. With out == NULL and out_cap == 0 only
 * *out_len is set, to an upper bound of the envelope's size. Otherwise the
 * envelope is written into out[0..out_cap) and *out_len is its length; on
 * failure *out_len is 0 and out is wiped. `crypto` computes the digests.
 * Borrows everything.
 */
TK_MUST_CHECK tk_err tk_suit_build(const struct tk_suit_build_desc *desc,
				   const struct tk_crypto *crypto, uint8_t *out,
				   size_t out_cap, size_t *out_len,
				   struct tk_diag *diag);

/* Name of a SUIT parameter ("image-digest", ...), or NULL if unknown. */
const char *tk_suit_parameter_name(int64_t key);

/* Name of a SUIT_Text_Keys entry ("manifest-description", ...), or of a
 * SUIT_Text_Component_Keys entry when `component`; NULL if unknown. */
const char *tk_suit_text_key_name(int64_t key, bool component);

#endif /* TK_SUIT_BUILD_H */
