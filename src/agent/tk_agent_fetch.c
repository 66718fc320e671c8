/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streamed payload fetch with progress (see tk_agent_fetch.h). The
 * progress callback runs after each chunk, so it only compares counters
 * and prints when a step is passed. A terminal line is rewritten at most
 * once per percent.
 */
#include "agent/tk_agent_fetch.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024.0 * 1024.0)

/* State of the progress display of one fetch. */
struct progress {
	const struct tk_log *log;
	const char *uri;        /* redacted, for display */
	bool tty;               /* draw one line on standard error */
	bool line_open;         /* a terminal line is drawn and needs a newline */
	uint64_t next;          /* percent (known total) or bytes (unknown)
				   at which to show the next step */
	double started;         /* monotonic seconds */
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_known(struct progress *p, uint64_t received, uint64_t total)
{
	uint64_t percent = received * 100 / total;

	if (percent < p->next)
		return;
	if (p->tty) {
		fprintf(stderr, "\rfetching %s: %3llu%% (%.0f of %.0f MiB)", p->uri,
			(unsigned long long)percent, (double)received / MIB, (double)total / MIB);
		fflush(stderr);
		p->line_open = true;
		p->next = percent + 1;
	} else {
		tk_log(p->log, TK_LOG_INFO, "agent", "fetch %s: %llu%% (%.0f of %.0f MiB)", p->uri,
		       (unsigned long long)percent, (double)received / MIB, (double)total / MIB);
		p->next = percent - percent % 10 + 10;
	}
}

static void show_unknown(struct progress *p, uint64_t received)
{
	if (received < p->next)
		return;
	if (p->tty) {
		fprintf(stderr, "\rfetching %s: %.0f MiB", p->uri, (double)received / MIB);
		fflush(stderr);
		p->line_open = true;
		p->next = received + TK_AGENT_PROGRESS_MIN;
	} else {
		tk_log(p->log, TK_LOG_INFO, "agent", "fetch %s: %.0f MiB received", p->uri,
		       (double)received / MIB);
		p->next = received - received % TK_AGENT_PROGRESS_STEP + TK_AGENT_PROGRESS_STEP;
	}
}

static void update(void *ctx, uint64_t received, uint64_t total)
{
	struct progress *p = ctx;

	if (total != 0 && total < TK_AGENT_PROGRESS_MIN)
		return;
	if (total != 0)
		show_known(p, received, total);
	else if (received >= TK_AGENT_PROGRESS_MIN)
		show_unknown(p, received);
}

tk_err tk_agent_fetch(const struct tk_http_client_config *cfg, const char *uri,
		      uint64_t max_size, const struct tk_suit_sink *sink,
		      const struct tk_log *log, struct tk_diag *diag)
{
	char shown[TK_HTTP_CLIENT_SHOWN_URI_CAP];
	struct progress p;
	struct tk_http_progress hook = {update, &p};
	uint64_t received = 0;
	double seconds;
	tk_err err;

	tk_http_uri_redact(uri, shown);
	memset(&p, 0, sizeof(p));
	p.log = log;
	p.uri = shown;
	p.tty = isatty(STDERR_FILENO) == 1;
	p.started = now_seconds();

	err = tk_http_fetch_stream(cfg, uri, strlen(uri), max_size, sink, &hook, &received, diag);
	if (p.line_open)
		fputc('\n', stderr);
	seconds = now_seconds() - p.started;
	if (err == TK_OK)
		tk_log(log, TK_LOG_INFO, "agent", "fetched %s: %llu bytes in %.1f s (%.1f MiB/s)",
		       shown, (unsigned long long)received, seconds,
		       seconds > 0 ? (double)received / MIB / seconds : 0.0);
	else
		tk_log(log, TK_LOG_NOTICE, "agent", "fetch of %s failed after %llu bytes: %s",
		       shown, (unsigned long long)received, tk_err_name(err));
	return err;
}
