/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of TEEP numbers for people: message types, option labels, err-code
 * values and the tags found around TEEP messages. The diagnostic printer of
 * the CBOR layer uses them through tk_teep_cbor_names() to annotate a
 * message, e.g. `20 / token /`.
 */
#ifndef TK_TEEP_NAMES_H
#define TK_TEEP_NAMES_H

#include <stdint.h>

#include "cbor/tk_cbor.h"

/* "query-request", "query-response", "update", "success", "error", or NULL. */
const char *tk_teep_type_name(uint64_t type);

/* The draft's name of an option label, such as "token", or NULL. */
const char *tk_teep_label_name(uint64_t label);

/* The draft's name of an err-code, such as "ERR_TEMPORARY_ERROR", or NULL. */
const char *tk_teep_err_code_name(uint64_t err_code);

/*
 * Name of a COSE, CWT or SUIT tag that can wrap or sit inside a TEEP
 * message, such as "COSE_Sign1" for 18, or NULL.
 */
const char *tk_teep_tag_name(uint64_t tag);

/*
 * Callbacks for tk_cbor_to_diag() that name the labels of a TEEP message:
 * the options map, requested-tc-info maps (inside label 14) and tc-list
 * entries (inside label 8, named after SUIT parameters). The callbacks
 * assume the printed item is a bare TEEP message.
 */
struct tk_cbor_names tk_teep_cbor_names(void);

#endif /* TK_TEEP_NAMES_H */
