/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging hook. Libraries never print: they call the function the program
 * supplies in a struct tk_log. A NULL struct tk_log, or one with a NULL
 * function, discards the message.
 *
 * One event per line, no embedded newline, prefixed with the component and
 * the ids involved. Never pass keys, personalization data, full tokens or
 * whole evidence; use tk_log_id_prefix() to shorten ids and tokens.
 */
#ifndef TK_LOG_H
#define TK_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "tk_err.h"

enum tk_log_level {
	TK_LOG_DEBUG = 0,
	TK_LOG_INFO = 1,
	TK_LOG_NOTICE = 2,
	TK_LOG_WARNING = 3,
	TK_LOG_ERROR = 4,
};

struct tk_log {
	/* Called with one formatted line (no newline); may be NULL. */
	void (*write)(void *ctx, enum tk_log_level level, const char *component,
		      const char *line);
	void *ctx;
	enum tk_log_level min_level; /* events below this level are dropped */
};

/* Format and emit one event. `component` is a short name such as "tam". */
void tk_log(const struct tk_log *log, enum tk_log_level level,
	    const char *component, const char *fmt, ...) TK_PRINTF(4, 5);

/* Name of a level ("debug", "info", ...). */
const char *tk_log_level_name(enum tk_log_level level);

/*
 * Write the first `nbytes` bytes of `id` as lowercase hex followed by "..."
 * when the id is longer, so logs name tokens and keys without revealing them
 * whole. out must hold 2 * nbytes + 4 bytes; always NUL-terminated.
 */
void tk_log_id_prefix(const uint8_t *id, size_t id_len, size_t nbytes,
		      char *out, size_t out_cap);

/* Ready-made writer: "LEVEL component: line" on stderr. ctx is unused. */
void tk_log_write_stderr(void *ctx, enum tk_log_level level,
			 const char *component, const char *line);

#endif /* TK_LOG_H */
