/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP API server on libmicrohttpd 0.9.75; the rules it enforces are in
 * tk_http_api.h. As in tk_http_server.c, libmicrohttpd calls the access
 * handler once when the headers are in, once per body chunk and once when
 * the body is complete. A request context carries the body between calls.
 */
#include "http/tk_http_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/tk_log_limit.h"
#include "http/tk_http_server.h"

/* Bytes of an oversized body read and discarded before the connection is
 * closed, so a client that streams its body can see the 413. */
#define DRAIN_MAX (1024u * 1024u)

/* First body buffer, in bytes; it doubles up to the limit as bytes arrive. */
#define BODY_INITIAL_CAP 4096u

/* Kinds of log lines a client can cause; each kind is rate-limited on its own. */
enum peer_event {
	PEER_NOT_FOUND,  /* path outside the prefix (404) */
	PEER_TOO_LARGE,  /* body over the limit (413) */
	PEER_CLOSED,     /* connection closed while the body arrived */
	LIBRARY_MESSAGE, /* libmicrohttpd's own messages */
	PEER_EVENT_COUNT,
};

struct tk_http_api {
	struct MHD_Daemon *daemon;
	char *prefix;
	size_t max_body;
	size_t max_response;
	tk_http_api_handler_fn handler;
	void *handler_ctx;
	const struct tk_log *log;
	uint16_t port;
	uint8_t *response; /* handler output; one request at a time */
	struct tk_log_limit limits[PEER_EVENT_COUNT];
};

/* State of one request between the calls of the access handler. */
struct request {
	uint8_t *body;
	size_t len;
	size_t cap;
	size_t received;  /* bytes received, buffered or not */
	bool too_large;
};

static void log_peer(struct tk_http_api *srv, enum peer_event kind, enum tk_log_level level,
		     const char *fmt, ...) TK_PRINTF(4, 5);
static void log_peer(struct tk_http_api *srv, enum peer_event kind, enum tk_log_level level,
		     const char *fmt, ...)
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

/* Queue a response with the security fields every response carries. */
static enum MHD_Result respond(struct MHD_Connection *conn, const struct tk_http_api_response *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (r->body_len > 0 && r->content_type[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->location[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->allow[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Respond with a status and no body. */
static enum MHD_Result respond_status(struct MHD_Connection *conn, unsigned int status)
{
	struct tk_http_api_response r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	return respond(conn, &r);
}

/* Checks made when the headers are in; returns 0 to go on, else a status. */
static unsigned int check_headers(struct tk_http_api *srv, struct MHD_Connection *conn,
				  const char *url, const char *method)
{
	const char *length;
	unsigned long long declared;

	if (strncmp(url, srv->prefix, strlen(srv->prefix)) != 0) {
		log_peer(srv, PEER_NOT_FOUND, TK_LOG_INFO, "rejected %.16s %.64s (404)", method,
			 url);
		return MHD_HTTP_NOT_FOUND;
	}
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

/* Take one body chunk; false when the connection must be closed. */
static bool request_append(const struct tk_http_api *srv, struct request *req,
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

/* The body is complete: hand the request to the handler. */
static enum MHD_Result request_finish(struct tk_http_api *srv, struct MHD_Connection *conn,
				      const char *url, const char *method, struct request *req)
{
	struct tk_http_api_request in;
	struct tk_http_api_response out;

	if (req->too_large) {
		log_peer(srv, PEER_TOO_LARGE, TK_LOG_NOTICE, "rejected a body of %zu bytes or "
			 "more over the limit of %zu bytes (413)", req->received, srv->max_body);
		return respond_status(conn, MHD_HTTP_CONTENT_TOO_LARGE);
	}
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.path = url;
	in.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_TYPE);
	in.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	in.body = req->body;
	in.body_len = req->len;

	memset(&out, 0, sizeof(out));
	out.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	out.body = srv->response;
	out.body_cap = srv->max_response;
	srv->handler(srv->handler_ctx, &in, &out);
	if (out.body_len > out.body_cap)
		out.body_len = 0;
	return respond(conn, &out);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct tk_http_api *srv = cls;
	struct request *req = *con_cls;
	unsigned int status;

	(void)version;
	if (req == NULL) {
		status = check_headers(srv, conn, url, method);
		if (status != 0)
			return respond_status(conn, status);
		req = calloc(1, sizeof(*req));
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
	return request_finish(srv, conn, url, method, req);
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
	struct tk_http_api *srv = cls;
	char line[256];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	log_peer(srv, LIBRARY_MESSAGE, TK_LOG_WARNING, "libmicrohttpd: %s", line);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

static void server_free(struct tk_http_api *srv)
{
	if (srv == NULL)
		return;
	if (srv->daemon != NULL)
		MHD_stop_daemon(srv->daemon);
	free(srv->response);
	free(srv->prefix);
	free(srv);
}

/* Read back the bound port (the one the system picked when the config gave 0). */
static tk_err read_port(struct tk_http_api *srv, struct tk_diag *diag)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_LISTEN_FD);
	if (info == NULL || getsockname(info->listen_fd, (struct sockaddr *)&addr, &len) != 0)
		return TK_FAIL(diag, TK_ERR_NETWORK, "cannot read the listening port");
	srv->port = ntohs(addr.sin_port);
	return TK_OK;
}

tk_err tk_http_api_start(const struct tk_http_api_config *cfg, struct tk_http_api **out,
			 struct tk_diag *diag)
{
	struct tk_http_api *srv = NULL;
	struct sockaddr_in addr = {0};
	tk_err err;

	*out = NULL;
	if (cfg == NULL || cfg->handler == NULL || cfg->prefix == NULL ||
	    cfg->prefix[0] != '/' || cfg->address == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "server config lacks address, prefix or handler");
	addr.sin_family = AF_INET;
	addr.sin_port = htons(cfg->port);
	if (inet_pton(AF_INET, cfg->address, &addr.sin_addr) != 1)
		return TK_FAIL(diag, TK_ERR_ARG, "invalid IPv4 address \"%.64s\"", cfg->address);

	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "server");
	srv->max_body = cfg->max_body != 0 ? cfg->max_body : TK_HTTP_API_DEFAULT_MAX_BODY;
	srv->max_response = cfg->max_response != 0 ? cfg->max_response
						   : TK_HTTP_API_DEFAULT_MAX_RESPONSE;
	srv->handler = cfg->handler;
	srv->handler_ctx = cfg->handler_ctx;
	srv->log = cfg->log;
	srv->prefix = strdup(cfg->prefix);
	srv->response = malloc(srv->max_response);
	if (srv->prefix == NULL || srv->response == NULL) {
		err = TK_FAIL(diag, TK_ERR_NOMEM, "server buffers");
		goto fail;
	}

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
	if (srv->daemon == NULL) {
		err = TK_FAIL(diag, TK_ERR_NETWORK, "cannot listen on %s:%u (address in use, or "
			      "no permission)", cfg->address, (unsigned int)cfg->port);
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

uint16_t tk_http_api_port(const struct tk_http_api *srv)
{
	return srv != NULL ? srv->port : 0;
}

void tk_http_api_stop(struct tk_http_api *srv)
{
	server_free(srv);
}
