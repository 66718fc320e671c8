/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rate limit for log lines that a peer can cause (rejected requests,
 * dropped messages), so a flood of bad input cannot flood the log. Each kind
 * of line has its own struct tk_log_limit. At most `max` lines of a kind
 * pass per second. The rest are counted, and the next line that passes
 * reports how many were suppressed before it.
 *
 * NOTE: lines suppressed at the end of a burst are reported only when the
 * next line of their kind passes. A program that stops logs no final count.
 *
 * Header-only, with no global state: the caller keeps the structs and
 * passes the time, so a library can use it without I/O of its own.
 */
#ifndef TK_LOG_LIMIT_H
#define TK_LOG_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Default maximum of lines of one kind per second. */
#define TK_LOG_LIMIT_DEFAULT_PER_SECOND 10

/* State of one kind of line. Zero-initialise before the first use. */
struct tk_log_limit {
	int64_t second;      /* second of the current window */
	unsigned lines;      /* lines passed in that second */
	uint64_t suppressed; /* lines suppressed since the last line passed */
};

/*
 * Decide whether a line of this kind may be logged at `now` (seconds, any
 * clock that does not go back). Returns true when it may; *suppressed then
 * gets the count of lines suppressed since the previous one passed, which
 * the caller appends to the line. Returns false, and counts the line, when
 * `max` lines have passed in this second already.
 */
static inline bool tk_log_limit_pass(struct tk_log_limit *limit, int64_t now, unsigned max,
				     uint64_t *suppressed)
{
	*suppressed = 0;
	if (now != limit->second) {
		limit->second = now;
		limit->lines = 0;
	}
	if (limit->lines >= max) {
		limit->suppressed++;
		return false;
	}
	limit->lines++;
	*suppressed = limit->suppressed;
	limit->suppressed = 0;
	return true;
}

#endif /* TK_LOG_LIMIT_H */
