/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback payload server for tests (see pattern_server.h). */
#include "pattern_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

uint8_t pattern_byte(uint64_t i)
{
	return (uint8_t)(i * 7u + i / 251u);
}

static void send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void *server_main(void *arg)
{
	struct pattern_server *s = arg;
	char head[256], request[4096];
	uint8_t chunk[16384];
	int c = accept(s->fd, NULL, NULL);
	int n;

	if (c < 0)
		return NULL;
	s->accepted = true;
	if (recv(c, request, sizeof(request) - 1, 0) < 0) {
		close(c);
		return NULL;
	}
	if (s->content_length)
		n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %llu\r\n"
			     "Connection: close\r\n\r\n", s->status,
			     (unsigned long long)s->body_len);
	else
		n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nConnection: close\r\n\r\n",
			     s->status);
	send_all(c, head, (size_t)n);
	for (uint64_t sent = 0; sent < s->body_len;) {
		size_t len = s->body_len - sent < sizeof(chunk) ? (size_t)(s->body_len - sent)
							       : sizeof(chunk);

		for (size_t i = 0; i < len; i++)
			chunk[i] = pattern_byte(sent + i) ^ s->flip;
		send_all(c, chunk, len);
		sent += len;
	}
	close(c);
	return NULL;
}

void pattern_server_start(struct pattern_server *s, int status, uint64_t body_len,
			  bool content_length)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	uint8_t flip = s->flip;

	memset(s, 0, sizeof(*s));
	s->flip = flip;
	s->status = status;
	s->body_len = body_len;
	s->content_length = content_length;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s->fd, 1), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&addr, &addr_len), 0);
	s->port = ntohs(addr.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

void pattern_server_stop(struct pattern_server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}
