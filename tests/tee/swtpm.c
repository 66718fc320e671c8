/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Software TPM harness (see swtpm.h). Processes are started with the
 * end-to-end tests' proc helpers and stopped by the PID they return.
 */
#define _XOPEN_SOURCE 700
#include "swtpm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../e2e/proc.h"

#define SWTPM_BIN "/usr/bin/swtpm"
#define SWTPM_SETUP_BIN "/usr/bin/swtpm_setup"
#define SWTPM_LOCALCA_BIN "/usr/bin/swtpm_localca"

/* Tries at finding two free adjacent ports before giving up. */
#define PORT_TRIES 20

/* How long swtpm may take to accept connections, in 50 ms steps. */
#define READY_STEPS 100

bool swtpm_available(void)
{
	return access(SWTPM_BIN, X_OK) == 0 && access(SWTPM_SETUP_BIN, X_OK) == 0 &&
	       access(SWTPM_LOCALCA_BIN, X_OK) == 0;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Write the local CA's and swtpm_setup's configuration into t->dir. */
static int write_configs(const struct swtpm *t)
{
	char path[SWTPM_PATH_MAX + 32];
	char text[4 * SWTPM_PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/swtpm-localca.conf", t->dir);
	snprintf(text, sizeof(text),
		 "statedir = %s/ca\nsigningkey = %s/ca/signkey.pem\n"
		 "issuercert = %s/ca/issuercert.pem\ncertserial = %s/ca/certserial\n",
		 t->dir, t->dir, t->dir, t->dir);
	if (write_text(path, text) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/swtpm-localca.options", t->dir);
	if (write_text(path, "--platform-manufacturer teepkit\n"
			     "--platform-version 2.1\n--platform-model swtpm\n") != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/swtpm_setup.conf", t->dir);
	snprintf(text, sizeof(text),
		 "create_certs_tool = %s\ncreate_certs_tool_config = %s/swtpm-localca.conf\n"
		 "create_certs_tool_options = %s/swtpm-localca.options\n"
		 "active_pcr_banks = sha256\n",
		 SWTPM_LOCALCA_BIN, t->dir, t->dir);
	return write_text(path, text);
}

static int manufacture(const struct swtpm *t)
{
	char state[SWTPM_PATH_MAX + 16], ca[SWTPM_PATH_MAX + 16];
	char config[SWTPM_PATH_MAX + 32], log[SWTPM_PATH_MAX + 32];
	struct proc_result *r = calloc(1, sizeof(*r));
	int rc = -1;

	snprintf(state, sizeof(state), "%s/tpm", t->dir);
	snprintf(ca, sizeof(ca), "%s/ca", t->dir);
	snprintf(config, sizeof(config), "%s/swtpm_setup.conf", t->dir);
	snprintf(log, sizeof(log), "%s/swtpm_setup.log", t->dir);
	if (r == NULL || (mkdir(state, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(ca, 0700) != 0 && errno != EEXIST) || write_configs(t) != 0)
		goto out;

	const char *argv[] = {SWTPM_SETUP_BIN, "--tpm2", "--tpmstate", state,
			      "--config", config, "--create-ek-cert", "--overwrite",
			      "--logfile", log, NULL};
	if (proc_run(r, argv) != 0 || r->exit_code != 0) {
		fprintf(stderr, "swtpm_setup failed with %d, see %s\n",
			r->exit_code, log);
		goto out;
	}
	rc = 0;
out:
	free(r);
	return rc;
}

static bool port_free(int port)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* An ephemeral port P from the kernel such that P + 1 is free as well. */
static int pick_ports(void)
{
	for (int i = 0; i < PORT_TRIES; i++) {
		struct sockaddr_in addr = {.sin_family = AF_INET};
		socklen_t len = sizeof(addr);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int port = -1;

		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
			port = ntohs(addr.sin_port);
		if (fd >= 0)
			close(fd);
		if (port > 0 && port < 65535 && port_free(port) && port_free(port + 1))
			return port;
	}
	return -1;
}

static bool accepts(int port)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int launch(struct swtpm *t)
{
	char state[SWTPM_PATH_MAX + 32], server[96], ctrl[96];
	char log[SWTPM_PATH_MAX + 32];

	/* A restart keeps the ports, as a TPM reset keeps the device path. */
	if (t->port <= 0)
		t->port = pick_ports();
	if (t->port < 0) {
		fprintf(stderr, "no two free adjacent loopback ports\n");
		return -1;
	}
	snprintf(state, sizeof(state), "dir=%s/tpm", t->dir);
	snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port + 1);
	snprintf(log, sizeof(log), "%s/swtpm.log", t->dir);
	snprintf(t->tcti, sizeof(t->tcti), "swtpm:host=127.0.0.1,port=%d", t->port);

	const char *argv[] = {SWTPM_BIN, "socket", "--tpm2", "--tpmstate", state,
			      "--server", server, "--ctrl", ctrl,
			      "--flags", "not-need-init,startup-clear", NULL};
	t->pid = proc_start(argv, log);
	if (t->pid <= 0) {
		t->pid = 0;
		return -1;
	}
	for (int i = 0; i < READY_STEPS; i++) {
		if (accepts(t->port))
			return 0;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	fprintf(stderr, "swtpm did not listen on port %d, see %s\n", t->port, log);
	swtpm_stop(t);
	return -1;
}

int swtpm_start(struct swtpm *t, const char *dir)
{
	memset(t, 0, sizeof(*t));
	if (strlen(dir) >= sizeof(t->dir))
		return -1;
	memcpy(t->dir, dir, strlen(dir) + 1);
	if ((mkdir(t->dir, 0700) != 0 && errno != EEXIST) || manufacture(t) != 0)
		return -1;
	return launch(t);
}

void swtpm_stop(struct swtpm *t)
{
	if (t->pid > 0)
		proc_stop(t->pid);
	t->pid = 0;
}

int swtpm_restart(struct swtpm *t)
{
	swtpm_stop(t);
	return launch(t);
}
