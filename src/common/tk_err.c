/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table that gives every tk_err its name and sentence, and the
 * diagnostic record helpers. Kept in one table so the CLI, logs and tests
 * print the same words for the same code.
 */
#include "tk_err.h"

#include <stdio.h>
#include <string.h>

struct err_entry {
	tk_err code;
	const char *name;
	const char *text;
};

#define E(code, text) {code, #code, text}

static const struct err_entry err_table[] = {
	E(TK_OK, "success"),
	E(TK_ERR_CBOR_TRUNCATED, "CBOR input ends inside an item"),
	E(TK_ERR_CBOR_TRAILING, "bytes follow the CBOR item"),
	E(TK_ERR_CBOR_RESERVED_AI, "reserved CBOR additional information 28-30"),
	E(TK_ERR_CBOR_UTF8, "invalid UTF-8 in a CBOR text string"),
	E(TK_ERR_CBOR_DUPLICATE_KEY, "duplicate key in a CBOR map"),
	E(TK_ERR_CBOR_INDEFINITE, "indefinite-length CBOR item not allowed"),
	E(TK_ERR_CBOR_NOT_PREFERRED, "CBOR item not in preferred serialization"),
	E(TK_ERR_CBOR_BREAK, "CBOR break code outside an indefinite-length item"),
	E(TK_ERR_CBOR_CHUNK, "invalid chunk in an indefinite-length CBOR string"),
	E(TK_ERR_CBOR_SIMPLE, "CBOR simple value below 32 in two-byte form"),
	E(TK_ERR_CBOR_LENGTH, "CBOR length exceeds the remaining input"),
	E(TK_ERR_SCHEMA_TYPE, "item has the wrong type"),
	E(TK_ERR_SCHEMA_MISSING, "required field is missing"),
	E(TK_ERR_SCHEMA_VALUE, "value is out of range"),
	E(TK_ERR_SCHEMA_LENGTH, "length is out of bounds"),
	E(TK_ERR_SCHEMA_UNKNOWN, "unknown message type or required field"),
	E(TK_ERR_SCHEMA_TAG, "missing, wrong or unexpected tag"),
	E(TK_ERR_LIMIT_DEPTH, "nesting deeper than the limit"),
	E(TK_ERR_LIMIT_SIZE, "input larger than the limit"),
	E(TK_ERR_LIMIT_COUNT, "more entries than the limit"),
	E(TK_ERR_BUFFER_TOO_SMALL, "output buffer too small"),
	E(TK_ERR_CRYPTO, "cryptographic operation failed"),
	E(TK_ERR_SIGNATURE, "signature or MAC does not verify"),
	E(TK_ERR_DIGEST_MISMATCH, "digest does not match"),
	E(TK_ERR_ALG_UNSUPPORTED, "algorithm not supported"),
	E(TK_ERR_KEY, "key is malformed or unusable"),
	E(TK_ERR_CRIT, "critical or unknown protected header parameter"),
	E(TK_ERR_DECRYPT, "decryption failed"),
	E(TK_ERR_UNTRUSTED, "signer is not trusted"),
	E(TK_ERR_ROLLBACK, "sequence number is not higher than the installed one"),
	E(TK_ERR_NONCE, "nonce, token or challenge does not match"),
	E(TK_ERR_REPLAY, "token or challenge was already used"),
	E(TK_ERR_EXPIRED, "token, challenge or session expired"),
	E(TK_ERR_POLICY, "rejected by policy"),
	E(TK_ERR_CONDITION, "SUIT condition failed"),
	E(TK_ERR_PROTOCOL, "message not allowed in this protocol state"),
	E(TK_ERR_IO, "file operation failed"),
	E(TK_ERR_NOT_FOUND, "not found"),
	E(TK_ERR_DB, "database operation failed"),
	E(TK_ERR_NETWORK, "network operation failed"),
	E(TK_ERR_HTTP_STATUS, "unexpected HTTP status"),
	E(TK_ERR_EXISTS, "already exists"),
	E(TK_ERR_DEVICE, "TPM or other device rejected a command"),
	E(TK_ERR_ARG, "invalid argument"),
	E(TK_ERR_STATE, "call not valid in this state"),
	E(TK_ERR_UNSUPPORTED, "not supported"),
	E(TK_ERR_NOMEM, "out of memory"),
	E(TK_ERR_INTERNAL, "internal error"),
};

static const struct err_entry *find_entry(tk_err err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++) {
		if (err_table[i].code == err)
			return &err_table[i];
	}
	return NULL;
}

const char *tk_err_name(tk_err err)
{
	const struct err_entry *entry = find_entry(err);
	return entry ? entry->name : "TK_ERR_UNKNOWN";
}

const char *tk_err_text(tk_err err)
{
	const struct err_entry *entry = find_entry(err);
	return entry ? entry->text : "unknown error code";
}

void tk_diag_clear(struct tk_diag *diag)
{
	if (diag == NULL)
		return;
	diag->code = TK_OK;
	diag->offset = TK_DIAG_NO_OFFSET;
	diag->file = NULL;
	diag->line = 0;
	diag->msg[0] = '\0';
}

tk_err tk_diag_vset(struct tk_diag *diag, tk_err code, size_t offset,
		    const char *file, int line, const char *fmt, va_list ap)
{
	/* The first failure is the cause; later ones are its consequences. */
	if (diag == NULL || diag->code != TK_OK)
		return code;
	diag->code = code;
	diag->offset = offset;
	diag->file = file;
	diag->line = line;
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	return code;
}

tk_err tk_diag_set(struct tk_diag *diag, tk_err code, size_t offset,
		   const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tk_diag_vset(diag, code, offset, file, line, fmt, ap);
	va_end(ap);
	return code;
}

void tk_diag_format(const struct tk_diag *diag, char *out, size_t out_cap)
{
	if (out_cap == 0)
		return;
	if (diag == NULL || diag->code == TK_OK) {
		snprintf(out, out_cap, "no error");
		return;
	}
	if (diag->offset != TK_DIAG_NO_OFFSET)
		snprintf(out, out_cap, "%s (%d): %s: %s at byte offset %zu",
			 tk_err_name(diag->code), (int)diag->code,
			 tk_err_text(diag->code), diag->msg, diag->offset);
	else
		snprintf(out, out_cap, "%s (%d): %s: %s",
			 tk_err_name(diag->code), (int)diag->code,
			 tk_err_text(diag->code), diag->msg);
}
