/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the TEEP/HTTP client against a small HTTP server the test runs
 * on 127.0.0.1 (a free port picked by the kernel). The server replies to each
 * connection with one canned response and keeps the request it received,
 * so the tests assert both what the client sent and how it treats the
 * response.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/tk_http_client.h"

#define REQUEST_MAX 8192

/* Loopback server that replies to each connection with `response`. */
struct server {
	int fd;
	int port;
	pthread_t thread;
	const char *response;     /* full HTTP response text, or NULL to hang */
	size_t response_len;
	char request[REQUEST_MAX]; /* last request received, NUL-terminated */
	int connections;
	volatile int stop;
};

/* Read one request: headers, then Content-Length bytes of body. */
static void read_request(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	size_t body = 0;
	char *end = NULL;

	while (len + 1 < cap) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");

			body = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
			if (len >= (size_t)(end + 4 - buf) + body)
				break;
		}
	}
	buf[len] = '\0';
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!s->stop) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			break;
		if (s->stop) {
			close(c);
			break;
		}
		s->connections++;
		read_request(c, s->request, sizeof(s->request));
		if (s->response != NULL) {
			ssize_t sent = send(c, s->response, s->response_len, MSG_NOSIGNAL);
			(void)sent;
		} else {
			sleep(2); /* never reply in time */
		}
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s, const char *response, size_t response_len)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->response = response;
	s->response_len = response_len;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s->fd, 4), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &addr_len), 0);
	s->port = ntohs(addr.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
}

/* One row: a canned response, the body posted, and what the client returns. */
struct post_case {
	const char *description;
	const char *response;
	const char *body;          /* NULL for the empty POST */
	size_t max_body;           /* 0 = default */
	tk_err expected;
	const char *expected_body; /* received body on success ("" = end) */
};

#define TEEP_HEADERS "Content-Type: application/teep+cbor\r\n"

static const struct post_case post_cases[] = {
	{"message answered with a message",
	 "HTTP/1.1 200 OK\r\n" TEEP_HEADERS "Content-Length: 3\r\n\r\nabc", NULL, 0, TK_OK,
	 "abc"},
	{"media type with a parameter",
	 "HTTP/1.1 200 OK\r\nContent-Type: application/teep+cbor; x=1\r\n"
	 "Content-Length: 2\r\n\r\nxy",
	 "q", 0, TK_OK, "xy"},
	{"204 ends the session", "HTTP/1.1 204 No Content\r\n\r\n", "hello", 0, TK_OK, ""},
	{"empty 200 ends the session",
	 "HTTP/1.1 200 OK\r\n" TEEP_HEADERS "Content-Length: 0\r\n\r\n", "hello", 0, TK_OK, ""},
	{"redirect not followed",
	 "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n",
	 NULL, 0, TK_ERR_HTTP_STATUS, NULL},
	{"server error", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
	 "m", 0, TK_ERR_HTTP_STATUS, NULL},
	{"wrong content type",
	 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabc", "m", 0,
	 TK_ERR_HTTP_STATUS, NULL},
	{"body over the limit",
	 "HTTP/1.1 200 OK\r\n" TEEP_HEADERS "Content-Length: 10\r\n\r\n0123456789", "m", 4,
	 TK_ERR_LIMIT_SIZE, NULL},
	{"error status with a body over the limit",
	 "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 10\r\n\r\n0123456789", "m", 4,
	 TK_ERR_HTTP_STATUS, NULL},
	{"body over the limit without length",
	 "HTTP/1.1 200 OK\r\n" TEEP_HEADERS "Connection: close\r\n\r\n0123456789", "m", 4,
	 TK_ERR_LIMIT_SIZE, NULL},
};

static void check_err(const char *description, tk_err expected, tk_err actual,
		      const struct tk_diag *diag)
{
	if (expected != actual)
		fail_msg("%s: expected %s, got %s: %s", description, tk_err_name(expected),
			 tk_err_name(actual), diag->msg);
}

static void test_post_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(post_cases) / sizeof(post_cases[0]); i++) {
		const struct post_case *c = &post_cases[i];
		struct server s;
		struct tk_http_client_config cfg;
		struct tk_http_client *client = NULL;
		struct tk_diag diag;
		char uri[64];
		uint8_t resp[64];
		size_t resp_len = 99;
		tk_err err;

		server_start(&s, c->response, strlen(c->response));
		snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/tam", s.port);
		memset(&cfg, 0, sizeof(cfg));
		cfg.uri = uri;
		cfg.max_body = c->max_body;
		cfg.timeout_ms = 5000;
		tk_diag_clear(&diag);
		assert_int_equal(tk_http_client_new(&cfg, &client, &diag), TK_OK);
		err = tk_http_client_post(client, (const uint8_t *)c->body,
					  c->body != NULL ? strlen(c->body) : 0, resp,
					  sizeof(resp), &resp_len, &diag);
		tk_http_client_free(client);
		server_stop(&s);

		check_err(c->description, c->expected, err, &diag);
		if (err != TK_OK) {
			assert_int_equal(resp_len, 0);
			continue;
		}
		if (resp_len != strlen(c->expected_body) ||
		    memcmp(resp, c->expected_body, resp_len) != 0)
			fail_msg("%s: body of %zu bytes differs", c->description, resp_len);
	}
}

static void test_post_headers(void **state)
{
	static const char response[] = "HTTP/1.1 204 No Content\r\n"
				       "Set-Cookie: session=1\r\n\r\n";
	struct server s;
	struct tk_http_client_config cfg;
	struct tk_http_client *client = NULL;
	char uri[64];
	uint8_t resp[16];
	size_t resp_len = 0;

	(void)state;
	server_start(&s, response, strlen(response));
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/tam", s.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.uri = uri;
	assert_int_equal(tk_http_client_new(&cfg, &client, NULL), TK_OK);

	/* Empty POST: Accept, and no Content-Type. */
	assert_int_equal(tk_http_client_post(client, NULL, 0, resp, sizeof(resp), &resp_len,
					     NULL),
			 TK_OK);
	assert_non_null(strstr(s.request, "POST /tam HTTP/1.1\r\n"));
	assert_non_null(strcasestr(s.request, "\r\nAccept: application/teep+cbor\r\n"));
	assert_null(strcasestr(s.request, "\r\nContent-Type:"));

	/* A message: both headers, the body, and no cookie sent back. */
	assert_int_equal(tk_http_client_post(client, (const uint8_t *)"\x82\x02\xa0", 3, resp,
					     sizeof(resp), &resp_len, NULL),
			 TK_OK);
	assert_non_null(strcasestr(s.request, "\r\nAccept: application/teep+cbor\r\n"));
	assert_non_null(strcasestr(s.request, "\r\nContent-Type: application/teep+cbor\r\n"));
	assert_non_null(strcasestr(s.request, "\r\nContent-Length: 3\r\n"));
	assert_null(strcasestr(s.request, "\r\nCookie:"));
	assert_null(strcasestr(s.request, "\r\nExpect:"));
	assert_int_equal(s.connections >= 1, 1);

	tk_http_client_free(client);
	server_stop(&s);
}

static void test_timeout(void **state)
{
	struct server s;
	struct tk_http_client_config cfg;
	struct tk_http_client *client = NULL;
	struct tk_diag diag;
	char uri[64];
	uint8_t resp[16];
	size_t resp_len = 0;

	(void)state;
	server_start(&s, NULL, 0);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/tam", s.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.uri = uri;
	cfg.timeout_ms = 300;
	tk_diag_clear(&diag);
	assert_int_equal(tk_http_client_new(&cfg, &client, &diag), TK_OK);
	check_err("server never answers", TK_ERR_NETWORK,
		  tk_http_client_post(client, NULL, 0, resp, sizeof(resp), &resp_len, &diag),
		  &diag);
	assert_non_null(strstr(diag.msg, "timed out"));
	tk_http_client_free(client);
	server_stop(&s);
}

/* URIs the client must reject before any connection. */
static void test_uri_rejected(void **state)
{
	static const struct {
		const char *description;
		const char *uri;
		tk_err expected;
	} cases[] = {
		{"ftp scheme", "ftp://127.0.0.1/tam", TK_ERR_ARG},
		{"file scheme", "file:///etc/passwd", TK_ERR_ARG},
		{"no scheme", "127.0.0.1/tam", TK_ERR_ARG},
		{"empty URI", "", TK_ERR_LIMIT_SIZE},
		{"scheme only", "http://", TK_ERR_ARG},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_http_client_config cfg;
		struct tk_http_client *client = (struct tk_http_client *)&cfg;
		struct tk_diag diag;

		memset(&cfg, 0, sizeof(cfg));
		cfg.uri = cases[i].uri;
		tk_diag_clear(&diag);
		check_err(cases[i].description, cases[i].expected,
			  tk_http_client_new(&cfg, &client, &diag), &diag);
		assert_null(client);
	}
}

/* A password in the URI is masked where the client shows the URI. */
static void test_uri_password_masked(void **state)
{
	static const struct {
		const char *description;
		const char *userinfo;       /* before the host, "" for none */
		const char *path;
		const char *shown_userinfo; /* expected in the message */
		tk_err expected;
	} cases[] = {
		{"user and password", "admin:hunter2@", "/tam", "admin:***@", TK_ERR_HTTP_STATUS},
		/* curl rejects the unencoded "@"; the message must still mask it. */
		{"password with @ in it", "admin:hunter2@x@", "/tam", "admin:***@",
		 TK_ERR_NETWORK},
		{"user only", "admin@", "/tam", "admin@", TK_ERR_HTTP_STATUS},
		{"@ in the path", "", "/tam/hunter2@x", "", TK_ERR_HTTP_STATUS},
	};
	static const char failure[] =
		"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_http_client_config cfg;
		struct tk_http_client *client = NULL;
		struct server s;
		struct tk_diag diag;
		char uri[128], shown[128];
		uint8_t resp[16];
		size_t resp_len = 0;
		tk_err err;

		server_start(&s, failure, strlen(failure));
		snprintf(uri, sizeof(uri), "http://%s127.0.0.1:%d%s", cases[i].userinfo, s.port,
			 cases[i].path);
		snprintf(shown, sizeof(shown), "http://%s127.0.0.1:%d%s",
			 cases[i].shown_userinfo, s.port, cases[i].path);
		memset(&cfg, 0, sizeof(cfg));
		cfg.uri = uri;
		cfg.timeout_ms = 5000;
		tk_diag_clear(&diag);
		assert_int_equal(tk_http_client_new(&cfg, &client, &diag), TK_OK);
		err = tk_http_client_post(client, NULL, 0, resp, sizeof(resp), &resp_len, &diag);
		tk_http_client_free(client);
		server_stop(&s);

		check_err(cases[i].description, cases[i].expected, err, &diag);
		if (strstr(diag.msg, shown) == NULL)
			fail_msg("%s: message does not show %s: %s", cases[i].description, shown,
				 diag.msg);
		if (strstr(cases[i].userinfo, "hunter2") != NULL &&
		    strstr(diag.msg, "hunter2") != NULL)
			fail_msg("%s: message shows the password: %s", cases[i].description,
				 diag.msg);
	}
}

static void test_fetch(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
				 "Content-Length: 20\r\n\r\nHello, Secure World!";
	static const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	static const char missing_page[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 20\r\n\r\n"
					   "<p>404 Not Found</p>";
	struct tk_http_client_config cfg;
	struct server s;
	struct tk_diag diag;
	char uri[64];
	uint8_t out[32];
	size_t out_len = 0;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	server_start(&s, ok, strlen(ok));
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/ta", s.port);
	assert_int_equal(tk_http_fetch(&cfg, uri, strlen(uri), out, sizeof(out), &out_len, NULL),
			 TK_OK);
	assert_int_equal(out_len, 20);
	assert_memory_equal(out, "Hello, Secure World!", 20);
	assert_non_null(strstr(s.request, "GET /ta HTTP/1.1\r\n"));
	tk_diag_clear(&diag);
	check_err("fetch over the buffer", TK_ERR_LIMIT_SIZE,
		  tk_http_fetch(&cfg, uri, strlen(uri), out, 10, &out_len, &diag), &diag);
	assert_int_equal(out_len, 0);
	server_stop(&s);

	server_start(&s, missing, strlen(missing));
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/ta", s.port);
	tk_diag_clear(&diag);
	check_err("fetch of a missing payload", TK_ERR_HTTP_STATUS,
		  tk_http_fetch(&cfg, uri, strlen(uri), out, sizeof(out), &out_len, &diag), &diag);
	server_stop(&s);

	/* The 404 page is larger than the buffer, but the status is still the cause. */
	server_start(&s, missing_page, strlen(missing_page));
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/ta", s.port);
	tk_diag_clear(&diag);
	check_err("fetch of a missing payload with a page", TK_ERR_HTTP_STATUS,
		  tk_http_fetch(&cfg, uri, strlen(uri), out, 10, &out_len, &diag), &diag);
	assert_non_null(strstr(diag.msg, "HTTP status 404"));
	server_stop(&s);
}

extern char **environ;

/* Run a command quietly and wait for it; returns its exit status, or -1. */
static int run_command(char *const argv[])
{
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status = 0;
	int rc;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Start `openssl s_server` on 127.0.0.1 with a fresh self-signed P-256
 * certificate for IP 127.0.0.1, and return its port (0 when openssl is
 * missing). The server reads its output through a pipe to learn the port.
 */
static int tls_server_start(const char *dir, pid_t *pid)
{
	char key[256], cert[256], line[256];
	char *req[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		       "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
		       "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
		       "-keyout", key, "-out", cert, NULL};
	char *serve[] = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert,
			 "-key", key, "-www", NULL};
	posix_spawn_file_actions_t actions;
	int fds[2];
	int port = 0;

	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if (run_command(req) != 0)
		return 0;
	assert_int_equal(pipe(fds), 0);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&actions, fds[0]);
	/* Its handshake-failure messages are expected; keep them off the log. */
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	assert_int_equal(posix_spawnp(pid, "openssl", &actions, NULL, serve, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	close(fds[1]);

	/* Read its output for up to 10 s, until the line naming the port. */
	for (size_t len = 0; port == 0 && len + 1 < sizeof(line);) {
		struct pollfd pfd = {fds[0], POLLIN, 0};
		ssize_t n;
		char *accept_line;

		if (poll(&pfd, 1, 10000) <= 0)
			break;
		n = read(fds[0], line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		line[len] = '\0';
		accept_line = strstr(line, "ACCEPT 127.0.0.1:");
		if (accept_line != NULL && strchr(accept_line, '\n') != NULL)
			port = (int)strtol(accept_line + 17, NULL, 10);
	}
	close(fds[0]);
	if (port == 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	return port;
}

/* The TLS server of the running https test, stopped by its teardown. */
static pid_t tls_server_pid;
static char tls_dir[] = "/tmp/tk-http-tls-XXXXXX";

static int tls_teardown(void **state)
{
	char cmd[300];

	(void)state;
	if (tls_server_pid > 0) {
		kill(tls_server_pid, SIGTERM);
		waitpid(tls_server_pid, NULL, 0);
		tls_server_pid = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tls_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* https: the server certificate is verified, with the system store or ca_file. */
static void test_https_verifies_server(void **state)
{
	char uri[64], cert[256];
	struct tk_http_client_config cfg;
	struct tk_http_client *client = NULL;
	struct tk_diag diag;
	uint8_t resp[8192];
	size_t resp_len = 0;
	int port;

	(void)state;
	assert_non_null(mkdtemp(tls_dir));
	port = tls_server_start(tls_dir, &tls_server_pid);
	if (port == 0)
		skip();
	snprintf(uri, sizeof(uri), "https://127.0.0.1:%d/tam", port);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tls_dir);

	/* A self-signed certificate is not in the system store: rejected. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.uri = uri;
	cfg.timeout_ms = 5000;
	tk_diag_clear(&diag);
	assert_int_equal(tk_http_client_new(&cfg, &client, &diag), TK_OK);
	check_err("POST to a self-signed server", TK_ERR_NETWORK,
		  tk_http_client_post(client, NULL, 0, resp, sizeof(resp), &resp_len, &diag),
		  &diag);
	tk_http_client_free(client);
	tk_diag_clear(&diag);
	check_err("GET from a self-signed server", TK_ERR_NETWORK,
		  tk_http_fetch(&cfg, uri, strlen(uri), resp, sizeof(resp), &resp_len, &diag),
		  &diag);

	/* Trusted through ca_file, the same server is accepted (openssl
	   s_server -www replies to GET only, so the check uses a fetch). */
	cfg.ca_file = cert;
	tk_diag_clear(&diag);
	check_err("GET from a server trusted through ca_file", TK_OK,
		  tk_http_fetch(&cfg, uri, strlen(uri), resp, sizeof(resp), &resp_len, &diag),
		  &diag);
	assert_true(resp_len > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_table),
		cmocka_unit_test(test_post_headers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_uri_rejected),
		cmocka_unit_test(test_uri_password_masked),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test_teardown(test_https_verifies_server, tls_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
