/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the JSON description reader, shared by the reader of the
 * document's top level (cli_desc.c) and of its values, commands and
 * sequences (cli_desc_values.c). `where` arguments name the JSON member
 * for messages, such as "install[2].directive-fetch".
 */
#ifndef TK_CLI_DESC_IMPL_H
#define TK_CLI_DESC_IMPL_H

#include <jansson.h>

#include "cli_desc.h"

/* Room for a JSON member path in messages. */
#define TK_CLI_DESC_WHERE_MAX 160

/* Format a member path for messages into out; a longer path is cut,
 * which only shortens a message. */
void tk_cli_desc_where(char *out, size_t cap, const char *fmt, ...) TK_PRINTF(3, 4);

/* Fail with TK_ERR_ARG and "<where>: <message>". */
tk_err tk_cli_desc_fail(struct tk_diag *diag, const char *where, const char *fmt, ...)
	TK_PRINTF(3, 4);

/* Allocate n zeroed elements owned by d, counted against
 * TK_CLI_DESC_MAX_NODES; NULL with diag set on failure. */
void *tk_cli_desc_alloc(struct tk_cli_desc *d, size_t n, size_t size, struct tk_diag *diag);

/* Bytes in any of the description's forms (hex string, hex, text, file,
 * integrated). The view is owned by d or by its JSON document. */
TK_MUST_CHECK tk_err tk_cli_desc_bytes(struct tk_cli_desc *d, json_t *v, const char *where,
				       struct tk_span *out, struct tk_diag *diag);

/* A SUIT_Component_Identifier from a JSON array of bytes, encoded. */
TK_MUST_CHECK tk_err tk_cli_desc_component_id(struct tk_cli_desc *d, json_t *v,
					      const char *where, struct tk_span *out,
					      struct tk_diag *diag);

/* A command sequence from a JSON array of commands; depth counts the
 * try-each and run-sequence levels around it. */
TK_MUST_CHECK tk_err tk_cli_desc_sequence(struct tk_cli_desc *d, json_t *v, const char *where,
					  unsigned depth, struct tk_suit_build_sequence *out,
					  struct tk_diag *diag);

/* Read the "encrypted" member: encrypt each payload for its recipient
 * into d->encrypted. NULL v: none. */
TK_MUST_CHECK tk_err tk_cli_desc_encrypt(struct tk_cli_desc *d, json_t *v,
					 struct tk_diag *diag);

/* The encrypted payload named `name`, or NULL. */
const struct tk_cli_desc_encrypted *tk_cli_desc_find_encrypted(const struct tk_cli_desc *d,
								const char *name);

#endif /* TK_CLI_DESC_IMPL_H */
