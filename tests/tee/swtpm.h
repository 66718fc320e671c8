/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A software TPM per test. swtpm_setup manufactures a TPM 2.0 state with
 * an EK certificate issued by a local CA made in the test's own folder.
 * Its swtpm_setup.conf and swtpm-localca files are there too, never in
 * /etc or /var/lib. Then `swtpm socket` serves the TPM on two free
 * loopback ports until swtpm_stop() ends it by PID. Test code only.
 */
#ifndef TK_TEST_SWTPM_H
#define TK_TEST_SWTPM_H

#include <stdbool.h>
#include <sys/types.h>

#define SWTPM_PATH_MAX 256

struct swtpm {
	char dir[SWTPM_PATH_MAX];   /* base folder: tpm state, CA, logs */
	char tcti[96];              /* "swtpm:host=127.0.0.1,port=P" */
	int port;                   /* server port; control is port + 1 */
	pid_t pid;                  /* the swtpm process, 0 when stopped */
};

/* True when swtpm, swtpm_setup and swtpm_localca are installed. */
bool swtpm_available(void);

/*
 * Manufacture a TPM in folder `dir` (created when missing) and start it.
 * Returns 0, or -1 with a reason printed to stderr.
 */
int swtpm_start(struct swtpm *t, const char *dir);

/* Stop the TPM process (SIGTERM, then SIGKILL). The folder stays. */
void swtpm_stop(struct swtpm *t);

/* Stop and start the process on the same state and ports: a TPM reset. */
int swtpm_restart(struct swtpm *t);

#endif /* TK_TEST_SWTPM_H */
