/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A loopback HTTP server thread for payload tests. It serves one
 * connection with a status line, an optional Content-Length and a body
 * generated on the fly, so payloads of many megabytes need no buffer.
 */
#ifndef PATTERN_SERVER_H
#define PATTERN_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pattern_server {
	int fd;
	int port;               /* on 127.0.0.1, picked by the kernel */
	pthread_t thread;
	int status;             /* HTTP status of the response */
	uint64_t body_len;      /* bytes of generated body */
	bool content_length;    /* send Content-Length, else end by closing */
	uint8_t flip;           /* XORed into every body byte (0: the pattern) */
	bool accepted;          /* a client connected; read after stop */
};

/* Byte `i` of every generated body. */
uint8_t pattern_byte(uint64_t i);

/* Start serving one request; asserts on failure. */
void pattern_server_start(struct pattern_server *s, int status, uint64_t body_len,
			  bool content_length);

/* Wait for the request to finish (or unblock a server never reached). */
void pattern_server_stop(struct pattern_server *s);

#endif /* PATTERN_SERVER_H */
