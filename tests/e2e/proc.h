/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process helpers for the end-to-end tests: run a program to completion
 * with its output captured, or start a server in the background and stop
 * it by PID. Test code only; nothing here is part of the libraries.
 */
#ifndef TK_TEST_PROC_H
#define TK_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Largest stdout or stderr kept from one command; the rest is dropped. */
#define PROC_OUTPUT_MAX 65536

struct proc_result {
	int exit_code;                 /* exit status, or 128 + signal */
	char out[PROC_OUTPUT_MAX];     /* stdout, NUL-terminated */
	char err[PROC_OUTPUT_MAX];     /* stderr, NUL-terminated */
};

/*
 * Run argv (argv[0] is a path) with stdin from /dev/null and wait for it.
 * Returns 0 when the program ran, -1 when it could not be started.
 */
int proc_run(struct proc_result *result, const char *const argv[]);

/*
 * Start argv in the background with stdout and stderr appended to
 * log_path. Returns the PID, or -1.
 */
pid_t proc_start(const char *const argv[], const char *log_path);

/*
 * Send SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status as
 * in struct proc_result, or -1 when the process could not be reaped.
 */
int proc_stop(pid_t pid);

/* Read a whole small file into buf (NUL-terminated). Returns its length or -1. */
long proc_read_file(const char *path, char *buf, size_t cap);

/* Remove a folder tree created by a test. */
void proc_remove_tree(const char *path);

#endif /* TK_TEST_PROC_H */
