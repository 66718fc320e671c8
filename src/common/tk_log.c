/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging through the program's hook, id shortening for log lines, and the
 * secret-wiping and constant-time helpers of tk_span.h.
 */
#include "tk_log.h"
#include "tk_span.h"

#include <stdarg.h>
#include <stdio.h>

/* Longest formatted log line; longer events are cut with "..." at the end. */
#define LOG_LINE_MAX 1024

static const char *const level_names[] = {
	"debug", "info", "notice", "warning", "error",
};

const char *tk_log_level_name(enum tk_log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[level];
}

void tk_log(const struct tk_log *log, enum tk_log_level level,
	    const char *component, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (log == NULL || log->write == NULL || level < log->min_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);

	/* One event per line: a newline from a peer's data must not forge a second event,
	   and other control characters (terminal escapes) must not reach the log. C1
	   controls are checked in their UTF-8 form, 0xc2 0x80 to 0xc2 0x9f. */
	for (char *p = line; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		unsigned char next = (unsigned char)p[1];

		if (c == '\n' || c == '\r') {
			*p = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			*p = '?';
		} else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
			p[0] = '?';
			p[1] = '?';
			p++;
		}
	}
	log->write(log->ctx, level, component, line);
}

void tk_log_id_prefix(const uint8_t *id, size_t id_len, size_t nbytes,
		      char *out, size_t out_cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = id_len < nbytes ? id_len : nbytes;
	size_t pos = 0;

	if (out_cap == 0)
		return;
	for (size_t i = 0; i < n && pos + 3 <= out_cap; i++) {
		out[pos++] = hex[id[i] >> 4];
		out[pos++] = hex[id[i] & 0x0f];
	}
	if (id_len > n && pos + 4 <= out_cap) {
		memcpy(out + pos, "...", 3);
		pos += 3;
	}
	out[pos] = '\0';
}

void tk_log_write_stderr(void *ctx, enum tk_log_level level,
			 const char *component, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s %s: %s\n", tk_log_level_name(level), component, line);
}

void tk_wipe(void *ptr, size_t len)
{
	volatile uint8_t *p = ptr;

	while (len-- > 0)
		*p++ = 0;
}

bool tk_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *pa = a;
	const volatile uint8_t *pb = b;
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= pa[i] ^ pb[i];
	return acc == 0;
}
