/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process helpers for the end-to-end tests. Output goes through temporary
 * files rather than pipes so a chatty child can never block on a full pipe
 * while the test waits for it.
 */
#define _XOPEN_SOURCE 700
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int status_to_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static void read_back(int fd, char *buf, size_t cap)
{
	ssize_t n;
	size_t len = 0;

	lseek(fd, 0, SEEK_SET);
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

static int temp_fd(void)
{
	char path[] = "/tmp/tk-e2e-out.XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

int proc_run(struct proc_result *result, const char *const argv[])
{
	int out_fd = temp_fd();
	int err_fd = temp_fd();
	int status = 0;
	pid_t pid;

	memset(result, 0, sizeof(*result));
	result->exit_code = -1;
	if (out_fd < 0 || err_fd < 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		dup2(null_fd, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		goto fail;
	result->exit_code = status_to_code(status);
	read_back(out_fd, result->out, sizeof(result->out));
	read_back(err_fd, result->err, sizeof(result->err));
	close(out_fd);
	close(err_fd);
	return 0;

fail:
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	return -1;
}

pid_t proc_start(const char *const argv[], const char *log_path)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;

	int null_fd = open("/dev/null", O_RDONLY);
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	dup2(null_fd, STDIN_FILENO);
	dup2(log_fd, STDOUT_FILENO);
	dup2(log_fd, STDERR_FILENO);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

int proc_stop(pid_t pid)
{
	int status = 0;

	if (kill(pid, SIGTERM) != 0 && errno != ESRCH)
		return -1;
	for (int i = 0; i < 200; i++) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status_to_code(status);
		if (got < 0)
			return -1;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status_to_code(status);
}

long proc_read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL || cap == 0)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void proc_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
