/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEEP/HTTP server on libmicrohttpd 0.9.75; the rules it enforces are
 * listed in tk_http_server.h. libmicrohttpd calls the access handler once
 * when the headers are in (checks that need no body happen there), once per
 * body chunk, and once more when the body is complete (the handler runs
 * then). A request context carries the body between those calls.
 */
#include "http/tk_http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/tk_log_limit.h"

/*
 * Bytes of an oversized body (one sent without Content-Length) read and
 * discarded before the connection is closed without a response. Reading a
 * little lets a client that streams its body see the 413. The bound stops a
 * client from making the server read forever.
 */
#define DRAIN_MAX (1024u * 1024u)

/* First body buffer, in bytes; it doubles up to the limit as bytes arrive. */
#define BODY_INITIAL_CAP 4096u

/* Characters of a received Content-Type kept for the log line of a 415. */
#define TYPE_LOG_MAX 48

/* Kinds of log lines a client can cause; each kind is rate-limited on its own. */
enum peer_event {
	PEER_REJECTED,   /* wrong method or path, or Accept excludes TEEP (405, 404, 406) */
	PEER_TOO_LARGE,  /* body over the limit (413) */
	PEER_MEDIA_TYPE, /* wrong Content-Type (415) */
	PEER_CLOSED,     /* connection closed while the body arrived */
	PEER_BUSY,       /* handler at a resource limit (503) */
	LIBRARY_MESSAGE, /* libmicrohttpd's own messages, often on a client's
			    broken connection */
	PEER_EVENT_COUNT,
};

struct tk_http_server {
	struct MHD_Daemon *daemon;
	char *path;
	size_t max_body;
	size_t max_response;
	tk_http_handler_fn handler;
	void *handler_ctx;
	const struct tk_log *log;
	uint16_t port;
	uint8_t *response; /* handler output, max_response bytes; one request at a
			      time runs on the polling thread */
	struct tk_log_limit limits[PEER_EVENT_COUNT]; /* used on the polling thread */
	/* While MHD_start_daemon() runs, libmicrohttpd's first message goes into
	 * start_msg for the failure report instead of the log, so a failed start
	 * prints one line. */
	atomic_bool starting;
	char start_msg[128];
};

/* State of one request between the calls of the access handler. */
struct request {
	uint8_t *body;
	size_t len;        /* bytes buffered */
	size_t cap;
	size_t received;   /* bytes received, buffered or not */
	bool too_large;    /* body exceeded max_body: respond 413 */
	bool wrong_type;   /* Content-Type is not the TEEP media type */
	char type[TYPE_LOG_MAX + 4]; /* Content-Type received, printable, for the log */
};

/*
 * Log a line a client can cause at `level` (info or notice, warning for
 * libmicrohttpd's messages), at most TK_LOG_LIMIT_DEFAULT_PER_SECOND lines
 * of one kind per second.
 */
static void log_peer(struct tk_http_server *srv, enum peer_event kind,
		     enum tk_log_level level, const char *fmt, ...) TK_PRINTF(4, 5);
static void log_peer(struct tk_http_server *srv, enum peer_event kind,
		     enum tk_log_level level, const char *fmt, ...)
{
	struct timespec ts = {0};
	uint64_t suppressed = 0;
	char line[320];
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!tk_log_limit_pass(&srv->limits[kind], (int64_t)ts.tv_sec,
			       TK_LOG_LIMIT_DEFAULT_PER_SECOND, &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (suppressed > 0)
		tk_log(srv->log, level, "http", "%s (%llu similar lines suppressed before it)",
		       line, (unsigned long long)suppressed);
	else
		tk_log(srv->log, level, "http", "%s", line);
}

/* Copy a header value for a log line: at most TYPE_LOG_MAX characters,
 * others than printable ASCII replaced by '?'. */
static void copy_for_log(const char *value, char *out, size_t out_cap)
{
	size_t n = 0;

	for (; value[n] != '\0' && n < TYPE_LOG_MAX && n + 4 < out_cap; n++) {
		unsigned char c = (unsigned char)value[n];

		out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (value[n] != '\0' && n + 4 <= out_cap) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* Compare a media type (before any ';' parameter, spaces trimmed). */
static bool media_type_is(const char *value, size_t len, const char *type)
{
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if (value[i] == ';') {
			len = i;
			break;
		}
	}
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	return len == strlen(type) && strncasecmp(value, type, len) == 0;
}

/*
 * True when the parameters of one Accept element give it weight 0, which
 * marks the type as not acceptable (RFC 9110 section 12.4.2: qvalue =
 * "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ], parameter names ignore case).
 */
static bool weight_is_zero(const char *element, size_t len)
{
	const char *end = element + len;
	const char *p = memchr(element, ';', len);

	while (p != NULL && p < end) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			const char *v = p + 2;

			if (v == end || *v != '0')
				return false;
			for (v++; v < end && (*v == '.' || *v == '0'); v++)
				;
			return v == end || *v == ' ' || *v == '\t' || *v == ';';
		}
		p = memchr(p, ';', (size_t)(end - p));
	}
	return false;
}

/*
 * True when an Accept field value admits the TEEP media type. The most
 * specific range that matches decides (RFC 9110 section 12.5.1), so the
 * TEEP type with q=0 is rejected even beside a wildcard range.
 */
static bool accept_allows_teep(const char *accept)
{
	static const char *const ranges[] = {TK_HTTP_SERVER_MEDIA_TYPE, "application/*", "*/*"};
	const size_t n_ranges = sizeof(ranges) / sizeof(ranges[0]);
	size_t best = n_ranges; /* index into ranges of the most specific match */
	bool allowed = false;
	const char *p = accept;

	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		for (size_t i = 0; i < best; i++) {
			if (media_type_is(p, len, ranges[i])) {
				best = i;
				allowed = !weight_is_zero(p, len);
				break;
			}
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
	return allowed;
}

/* Queue a response; a body gets the four fields of the binding. */
static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int status,
			       const uint8_t *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (len > 0) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					TK_HTTP_SERVER_MEDIA_TYPE);
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'");
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Checks made when the headers are in; returns 0 to go on, else a status,
 * after logging the reason.
 */
static unsigned int check_headers(struct tk_http_server *srv, struct MHD_Connection *conn,
				  const char *url, const char *method)
{
	const char *accept, *length;
	unsigned long long declared;
	unsigned int status = 0;

	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	else if (strcmp(url, srv->path) != 0)
		status = MHD_HTTP_NOT_FOUND;
	if (status == 0) {
		accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_ACCEPT);
		if (accept == NULL || !accept_allows_teep(accept))
			status = MHD_HTTP_NOT_ACCEPTABLE;
	}
	if (status != 0) {
		log_peer(srv, PEER_REJECTED, TK_LOG_INFO, "rejected %.16s %.64s (%u)", method,
			 url, status);
		return status;
	}

	/* A declared length over the limit is rejected before any body byte. */
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					     MHD_HTTP_HEADER_CONTENT_LENGTH);
	declared = length != NULL ? strtoull(length, NULL, 10) : 0;
	if (declared > srv->max_body) {
		log_peer(srv, PEER_TOO_LARGE, TK_LOG_NOTICE, "rejected a body of %llu bytes "
			 "(Content-Length) over the limit of %zu bytes (413)", declared,
			 srv->max_body);
		return MHD_HTTP_CONTENT_TOO_LARGE;
	}
	return 0;
}

static struct request *request_new(struct MHD_Connection *conn)
{
	struct request *req = calloc(1, sizeof(*req));
	const char *type;

	if (req == NULL)
		return NULL;
	type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_CONTENT_TYPE);
	req->wrong_type = type == NULL ||
			  !media_type_is(type, strlen(type), TK_HTTP_SERVER_MEDIA_TYPE);
	copy_for_log(type != NULL ? type : "(none)", req->type, sizeof(req->type));
	return req;
}

/*
 * Take one body chunk. Bytes beyond max_body, and any body with the wrong
 * Content-Type, are counted but not kept. Returns false when the connection
 * must be closed (drain bound reached or out of memory).
 */
static bool request_append(const struct tk_http_server *srv, struct request *req,
			   const char *data, size_t size)
{
	size_t need;

	if (size > SIZE_MAX - req->received)
		return false;
	req->received += size;
	if (req->received > srv->max_body) {
		req->too_large = true;
		return req->received - srv->max_body <= DRAIN_MAX;
	}
	if (req->wrong_type)
		return true;

	need = req->len + size;
	if (need > req->cap) {
		size_t cap = req->cap == 0 ? BODY_INITIAL_CAP : req->cap;
		uint8_t *body;

		while (cap < need)
			cap *= 2;
		if (cap > srv->max_body)
			cap = srv->max_body;
		body = realloc(req->body, cap);
		if (body == NULL)
			return false;
		req->body = body;
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, size);
	req->len = need;
	return true;
}

/* The body is complete: respond to it. */
static enum MHD_Result request_finish(struct tk_http_server *srv,
				      struct MHD_Connection *conn, struct request *req)
{
	size_t out_len = 0;
	tk_err err;

	if (req->too_large) {
		log_peer(srv, PEER_TOO_LARGE, TK_LOG_NOTICE, "rejected a body of %zu bytes or "
			 "more over the limit of %zu bytes (413)", req->received, srv->max_body);
		return respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, 0);
	}
	/* The empty POST opens a session and needs no Content-Type. */
	if (req->received > 0 && req->wrong_type) {
		log_peer(srv, PEER_MEDIA_TYPE, TK_LOG_NOTICE, "rejected a body with Content-Type "
			 "\"%s\", not %s (415)", req->type, TK_HTTP_SERVER_MEDIA_TYPE);
		return respond(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL, 0);
	}

	err = srv->handler(srv->handler_ctx, req->body, req->len, srv->response,
			   srv->max_response, &out_len);
	if (err == TK_ERR_LIMIT_COUNT) {
		log_peer(srv, PEER_BUSY, TK_LOG_NOTICE, "handler at a resource limit: %s (503)",
			 tk_err_name(err));
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, 0);
	}
	if (err != TK_OK) {
		tk_log(srv->log, TK_LOG_ERROR, "http", "handler failed: %s (500)",
		       tk_err_name(err));
		return respond(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, 0);
	}
	if (out_len == 0)
		return respond(conn, MHD_HTTP_NO_CONTENT, NULL, 0);
	return respond(conn, MHD_HTTP_OK, srv->response, out_len);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct tk_http_server *srv = cls;
	struct request *req = *con_cls;
	unsigned int status;

	(void)version;
	if (req == NULL) {
		status = check_headers(srv, conn, url, method);
		if (status != 0)
			return respond(conn, status, NULL, 0);
		req = request_new(conn);
		if (req == NULL)
			return MHD_NO;
		*con_cls = req;
		return MHD_YES;
	}

	if (*upload_data_size > 0) {
		bool keep = request_append(srv, req, upload_data, *upload_data_size);

		*upload_data_size = 0;
		if (!keep)
			log_peer(srv, PEER_CLOSED, TK_LOG_NOTICE, "closed a connection after %zu "
				 "body bytes (limit %zu bytes)", req->received, srv->max_body);
		return keep ? MHD_YES : MHD_NO;
	}
	return request_finish(srv, conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (req != NULL) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

/* libmicrohttpd passes its own format strings, so the check cannot see them. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#endif
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct tk_http_server *srv = cls;
	char line[256];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (atomic_load(&srv->starting)) {
		if (srv->start_msg[0] == '\0')
			snprintf(srv->start_msg, sizeof(srv->start_msg), "%.127s", line);
		return;
	}
	/* NOTE: libmicrohttpd may call this from the polling thread and, while
	 * stopping, from the caller's; a rare race there only miscounts lines. */
	log_peer(srv, LIBRARY_MESSAGE, TK_LOG_WARNING, "libmicrohttpd: %s", line);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

static void server_free(struct tk_http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->daemon != NULL)
		MHD_stop_daemon(srv->daemon);
	free(srv->response);
	free(srv->path);
	free(srv);
}

/*
 * True when another socket is bound to addr, so a failed start can report why.
 * SO_REUSEADDR, which libmicrohttpd sets as well, keeps a port in TIME_WAIT
 * from counting as used.
 */
static bool address_in_use(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	bool in_use;

	if (fd < 0)
		return false;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	in_use = bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0 &&
		 errno == EADDRINUSE;
	close(fd);
	return in_use;
}

/* Read back the bound port (the one the system picked when the config gave 0). */
static tk_err read_port(struct tk_http_server *srv, struct tk_diag *diag)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
	if (info == NULL ||
	    getsockname(info->listen_fd, (struct sockaddr *)&addr, &len) != 0)
		return TK_FAIL(diag, TK_ERR_NETWORK, "cannot read the listening port");
	srv->port = ntohs(addr.sin_port);
	return TK_OK;
}

tk_err tk_http_server_start(const struct tk_http_server_config *cfg,
			    struct tk_http_server **out, struct tk_diag *diag)
{
	struct tk_http_server *srv = NULL;
	struct sockaddr_in addr = {0};
	tk_err err;

	*out = NULL;
	if (cfg == NULL || cfg->handler == NULL || cfg->path == NULL || cfg->path[0] != '/' ||
	    cfg->address == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "server config lacks address, path or handler");
	addr.sin_family = AF_INET;
	addr.sin_port = htons(cfg->port);
	if (inet_pton(AF_INET, cfg->address, &addr.sin_addr) != 1)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid IPv4 address \"%.64s\"", cfg->address);

	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "server");
	srv->max_body = cfg->max_body != 0 ? cfg->max_body : TK_HTTP_SERVER_DEFAULT_MAX_BODY;
	srv->max_response = cfg->max_response != 0 ? cfg->max_response
						   : TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE;
	srv->handler = cfg->handler;
	srv->handler_ctx = cfg->handler_ctx;
	srv->log = cfg->log;
	srv->path = strdup(cfg->path);
	srv->response = malloc(srv->max_response);
	if (srv->path == NULL || srv->response == NULL) {
		err = TK_FAIL(diag, TK_ERR_NOMEM, "server buffers");
		goto fail;
	}

	atomic_store(&srv->starting, true);
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
		cfg->port, NULL, NULL, on_access, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)TK_HTTP_SERVER_CONNECTION_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)TK_HTTP_SERVER_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)TK_HTTP_SERVER_MAX_PER_IP,
		MHD_OPTION_END);
	atomic_store(&srv->starting, false);
	if (srv->daemon == NULL) {
		if (cfg->port != 0 && address_in_use(&addr))
			err = TK_FAIL(diag, TK_ERR_NETWORK, "address %s:%u is already in use",
				      cfg->address, (unsigned int)cfg->port);
		else
			err = TK_FAIL(diag, TK_ERR_NETWORK, "cannot listen on %s:%u: "
				      "libmicrohttpd: %s", cfg->address, (unsigned int)cfg->port,
				      srv->start_msg[0] != '\0' ? srv->start_msg : "no reason given");
		goto fail;
	}
	if ((err = read_port(srv, diag)) != TK_OK)
		goto fail;

	*out = srv;
	return TK_OK;

fail:
	server_free(srv);
	return err;
}

uint16_t tk_http_server_port(const struct tk_http_server *srv)
{
	return srv != NULL ? srv->port : 0;
}

void tk_http_server_stop(struct tk_http_server *srv)
{
	server_free(srv);
}
