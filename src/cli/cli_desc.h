/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON manifest description of `teep manifest build`
 * (docs/manifest-format.md), read into the SUIT builder's description
 * struct. JSON stays in the program layer: the SUIT layer takes plain
 * structs and does no I/O, so this file also reads the payload files a
 * description names and computes their digests and sizes.
 */
#ifndef TK_CLI_DESC_H
#define TK_CLI_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "suit/tk_suit_build.h"

/*
 * Maximum nodes (commands, parameters, ids, text fields) one description
 * may allocate (TK_ERR_LIMIT_COUNT beyond it), so a hostile or broken file
 * cannot make the CLI allocate without bound. The largest fixture uses
 * about 60.
 */
#define TK_CLI_DESC_MAX_NODES 4096

/* Per-signer settings a description may give, by position of --key. */
struct tk_cli_desc_signer {
	int64_t alg;              /* 0: from the key */
	struct tk_span kid;       /* empty: none */
	bool kid_thumbprint;      /* kid is the key's RFC 9679 thumbprint */
};

/* Payloads a description may encrypt (TK_ERR_LIMIT_COUNT beyond it). */
#define TK_CLI_DESC_MAX_ENCRYPTED 4

/* One payload of "encrypted", after encryption. Views owned by the
 * description. */
struct tk_cli_desc_encrypted {
	const char *name;          /* the member name that values refer to */
	struct tk_span ciphertext; /* {"ciphertext": name} */
	struct tk_span info;       /* {"encryption-info": name}: the encoded
				      SUIT_Encryption_Info */
};

/*
 * A loaded description. desc.signers is left empty: the caller adds the
 * keys. Everything the views point to is owned by this struct; release
 * with tk_cli_desc_free().
 */
struct tk_cli_desc {
	struct tk_suit_build_desc desc;
	struct tk_cli_desc_signer signers[TK_SUIT_BUILD_MAX_SIGNERS];
	size_t signer_count;      /* entries of "signers" in the file */
	struct tk_cli_desc_encrypted encrypted[TK_CLI_DESC_MAX_ENCRYPTED];
	size_t encrypted_count;
	void *json;               /* the parsed document (json_t *) */
	void **blocks;            /* allocations, freed together */
	size_t block_count;
	size_t block_cap;
	size_t nodes;             /* counted against TK_CLI_DESC_MAX_NODES */
	tk_err alloc_err;         /* why the last allocation failed */
	char *dir;                /* folder of the description, for paths;
				     NULL: file members are rejected */
};

/*
 * Read the description at `path` (or standard input for "-", with paths
 * relative to the working folder). Fails with TK_ERR_ARG naming the JSON
 * member that is invalid, or the error of a file it names. On failure *out
 * is released and zeroed.
 */
TK_MUST_CHECK tk_err tk_cli_desc_load(const char *path, struct tk_cli_desc *out,
				      struct tk_diag *diag);

/*
 * Read a description from json[0..len), as tk_cli_desc_load() does. File
 * names are relative to `dir`; with dir NULL any file member fails with
 * TK_ERR_ARG, so untrusted input cannot make the program read files.
 */
TK_MUST_CHECK tk_err tk_cli_desc_load_buffer(const char *json, size_t len, const char *dir,
					     struct tk_cli_desc *out, struct tk_diag *diag);

/* Release what tk_cli_desc_load() allocated. Safe on a zeroed struct. */
void tk_cli_desc_free(struct tk_cli_desc *d);

#endif /* TK_CLI_DESC_H */
