/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one error type of teepkit, and the diagnostic record that carries
 * the detail of a failure (message with the values involved, input offset,
 * source file and line) apart from the code.
 *
 * Codes have explicit values grouped in documented ranges and are never
 * renumbered, so logs and CLI output stay comparable across versions.
 * tk_err_name() and tk_err_text() give each code its name and sentence.
 */
#ifndef TK_ERR_H
#define TK_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define TK_MUST_CHECK __attribute__((warn_unused_result))
#define TK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TK_MUST_CHECK
#define TK_PRINTF(fmt, args)
#endif

/*
 * Ranges:
 *   0         success
 *   100-199   malformed CBOR (not well-formed, or outside the strict profile)
 *   200-299   invalid for the schema (well-formed CBOR, wrong shape or value)
 *   300-399   limit exceeded (a named bound, or an output buffer too small)
 *   400-499   crypto (signature, digest, key, algorithm)
 *   500-599   policy (trust, freshness, rollback, rules of the protocol)
 *   600-699   storage and I/O (files, database, network, HTTP)
 *   700-799   misuse (bad argument, wrong state, unsupported feature)
 *   800-899   internal (out of memory, broken invariant)
 */
typedef enum tk_err {
	TK_OK = 0,

	TK_ERR_CBOR_TRUNCATED = 100,      /* input ends inside an item */
	TK_ERR_CBOR_TRAILING = 101,       /* bytes after the top-level item */
	TK_ERR_CBOR_RESERVED_AI = 102,    /* additional information 28-30 */
	TK_ERR_CBOR_UTF8 = 103,           /* invalid UTF-8 in a text string */
	TK_ERR_CBOR_DUPLICATE_KEY = 104,  /* same key twice in one map */
	TK_ERR_CBOR_INDEFINITE = 105,     /* indefinite length where forbidden */
	TK_ERR_CBOR_NOT_PREFERRED = 106,  /* longer encoding than needed */
	TK_ERR_CBOR_BREAK = 107,          /* break outside an indefinite item */
	TK_ERR_CBOR_CHUNK = 108,          /* bad chunk in an indefinite string */
	TK_ERR_CBOR_SIMPLE = 109,         /* simple value 0-31 encoded in two bytes */
	TK_ERR_CBOR_LENGTH = 110,         /* length larger than the remaining input */

	TK_ERR_SCHEMA_TYPE = 200,         /* item of the wrong CBOR type */
	TK_ERR_SCHEMA_MISSING = 201,      /* required field absent */
	TK_ERR_SCHEMA_VALUE = 202,        /* value outside its allowed range or set */
	TK_ERR_SCHEMA_LENGTH = 203,       /* string or list length out of bounds */
	TK_ERR_SCHEMA_UNKNOWN = 204,      /* unknown message type or required key */
	TK_ERR_SCHEMA_TAG = 205,          /* missing, wrong or unexpected tag */

	TK_ERR_LIMIT_DEPTH = 300,         /* nesting deeper than the limit */
	TK_ERR_LIMIT_SIZE = 301,          /* input larger than the limit */
	TK_ERR_LIMIT_COUNT = 302,         /* more entries than the limit */
	TK_ERR_BUFFER_TOO_SMALL = 303,    /* caller's output buffer too small */

	TK_ERR_CRYPTO = 400,              /* crypto library failure */
	TK_ERR_SIGNATURE = 401,           /* signature or MAC does not verify */
	TK_ERR_DIGEST_MISMATCH = 402,     /* digest differs from the expected one */
	TK_ERR_ALG_UNSUPPORTED = 403,     /* algorithm not supported or not allowed */
	TK_ERR_KEY = 404,                 /* key malformed, wrong type or unusable */
	TK_ERR_CRIT = 405,                /* critical or unknown protected header */
	TK_ERR_DECRYPT = 406,             /* decryption failed */

	TK_ERR_UNTRUSTED = 500,           /* signer or key is not trusted */
	TK_ERR_ROLLBACK = 501,            /* sequence number not higher than stored */
	TK_ERR_NONCE = 502,               /* nonce, token or challenge mismatch */
	TK_ERR_REPLAY = 503,              /* token or challenge already used */
	TK_ERR_EXPIRED = 504,             /* token, challenge or session expired */
	TK_ERR_POLICY = 505,              /* rejected by policy */
	TK_ERR_CONDITION = 506,           /* a SUIT condition failed */
	TK_ERR_PROTOCOL = 507,            /* message not allowed in this state */

	TK_ERR_IO = 600,                  /* file system call failed */
	TK_ERR_NOT_FOUND = 601,           /* file, record or component not found */
	TK_ERR_DB = 602,                  /* database call failed */
	TK_ERR_NETWORK = 603,             /* connection, bind or transfer failed */
	TK_ERR_HTTP_STATUS = 604,         /* unexpected HTTP status */
	TK_ERR_EXISTS = 605,              /* record already exists */
	TK_ERR_DEVICE = 606,              /* TPM or other device rejected a command */

	TK_ERR_ARG = 700,                 /* invalid argument */
	TK_ERR_STATE = 701,               /* call not valid in this state */
	TK_ERR_UNSUPPORTED = 702,         /* feature or hook not supported */

	TK_ERR_NOMEM = 800,               /* out of memory */
	TK_ERR_INTERNAL = 801,            /* broken internal invariant */
} tk_err;

/* Symbolic name of a code, such as "TK_ERR_CBOR_TRUNCATED". Never NULL. */
const char *tk_err_name(tk_err err);

/* One-sentence description of a code, without final period. Never NULL. */
const char *tk_err_text(tk_err err);

/* Maximum length of a diagnostic message, including the NUL. */
#define TK_DIAG_MSG_MAX 256

/* Offset value meaning "no input offset is known". */
#define TK_DIAG_NO_OFFSET SIZE_MAX

/*
 * Detail of the most recent failure. Callers keep one per operation and
 * pass it down; every layer accepts NULL where the caller does not want
 * detail. The first failure recorded wins: a later tk_diag_set() on a
 * record that already contains an error keeps the original cause.
 */
struct tk_diag {
	tk_err code;               /* TK_OK while nothing failed */
	size_t offset;             /* input byte offset, or TK_DIAG_NO_OFFSET */
	const char *file;          /* source file of the check that failed */
	int line;                  /* source line of that check */
	char msg[TK_DIAG_MSG_MAX]; /* message naming the values involved */
};

/* Reset a record to "no failure". */
void tk_diag_clear(struct tk_diag *diag);

/*
 * Record a failure and return its code, so a check reads
 * `return TK_FAIL(diag, TK_ERR_SCHEMA_VALUE, "token length %zu", n);`.
 * Use the macros below rather than these functions.
 */
tk_err tk_diag_set(struct tk_diag *diag, tk_err code, size_t offset,
		   const char *file, int line, const char *fmt, ...)
	TK_PRINTF(6, 7);
tk_err tk_diag_vset(struct tk_diag *diag, tk_err code, size_t offset,
		    const char *file, int line, const char *fmt, va_list ap)
	TK_PRINTF(6, 0);

#define TK_FAIL(diag, code, ...) \
	tk_diag_set((diag), (code), TK_DIAG_NO_OFFSET, __FILE__, __LINE__, __VA_ARGS__)
#define TK_FAIL_AT(diag, code, offset, ...) \
	tk_diag_set((diag), (code), (offset), __FILE__, __LINE__, __VA_ARGS__)

/*
 * Move the pending OpenSSL error queue into diag as TK_ERR_CRYPTO (or
 * `code`) with `what` as context, and empty the queue. Defined in the
 * crypto layer, the only one that links OpenSSL.
 */
tk_err tk_diag_set_openssl(struct tk_diag *diag, tk_err code, const char *what,
			   const char *file, int line);
#define TK_FAIL_OPENSSL(diag, code, what) \
	tk_diag_set_openssl((diag), (code), (what), __FILE__, __LINE__)

/*
 * Format "NAME (number): text: message [at offset N]" into out for humans.
 * Always NUL-terminates when out_cap > 0.
 */
void tk_diag_format(const struct tk_diag *diag, char *out, size_t out_cap);

#endif /* TK_ERR_H */
