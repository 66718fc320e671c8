/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-verifier serve: load the signing key, open the database, start the
 * HTTP API (verifier_api.c) and wait for SIGTERM or SIGINT. The signals are
 * blocked before the server thread starts, so only the main thread receives
 * them (in sigwait), and the stop is orderly: server first, then database
 * and key. The handler runs on the server's single polling thread, the only
 * user of the database while serving.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verifier_serve.h"

/* Largest --max-body accepted, in bytes. */
#define MAX_BODY_LIMIT (1024u * 1024u)

/* Largest --max-sessions accepted; rows of about 100 bytes each (an estimate). */
#define MAX_SESSIONS_LIMIT 10000000

/*
 * Default validity of a result, in seconds: a day, so a result handed back
 * to an agent (passport model) can still be presented to a data provider's
 * TAM later the same day, while a stolen one does not last.
 */
#define VER_DEFAULT_RESULT_LIFETIME 86400

/* Maximum length of a --listen value ("255.255.255.255:65535" is 21). */
#define LISTEN_MAX 64

#define LISTEN_FORMS "A.B.C.D:PORT or localhost:PORT, with PORT 0..65535"

/* Parse "A.B.C.D:PORT" or "localhost:PORT"; misuse (exit 2) otherwise. */
static int parse_listen(const struct ver_command *cmd, const char *listen, char *addr,
			uint16_t *port)
{
	const char *colon = strrchr(listen, ':');
	struct in_addr ipv4;
	char *end = NULL;
	unsigned long value;

	if (listen[0] == '[' || (colon != NULL && memchr(listen, ':', (size_t)(colon - listen))))
		return ver_misuse(cmd, "--listen %s: IPv6 is not supported yet; give "
				  LISTEN_FORMS, listen);
	if (colon == NULL || colon == listen || (size_t)(colon - listen) >= LISTEN_MAX)
		return ver_misuse(cmd, "--listen %s is not " LISTEN_FORMS, listen);
	memcpy(addr, listen, (size_t)(colon - listen));
	addr[colon - listen] = '\0';
	errno = 0;
	value = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || value > 65535)
		return ver_misuse(cmd, "--listen %s: port %s is not 0..65535", listen, colon + 1);
	if (strcmp(addr, "localhost") == 0)
		snprintf(addr, LISTEN_MAX, "127.0.0.1");
	if (inet_pton(AF_INET, addr, &ipv4) != 1)
		return ver_misuse(cmd, "--listen %s: %s is not an IPv4 address; give "
				  LISTEN_FORMS, listen, addr);
	*port = (uint16_t)value;
	return VER_EXIT_OK;
}

/* Parse an optional positive decimal option; *out keeps its value if absent. */
static int parse_positive(const struct ver_command *cmd, const struct ver_args *args,
			  const char *name, uint64_t max, uint64_t *out)
{
	const char *text = ver_get(cmd, args, name);
	char *end = NULL;
	unsigned long long value;

	if (text == NULL)
		return VER_EXIT_OK;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value == 0 ||
	    value > max)
		return ver_misuse(cmd, "--%s %s is not a number from 1 to %llu", name, text,
				  (unsigned long long)max);
	*out = value;
	return VER_EXIT_OK;
}

/*
 * Write the port atomically: a temporary file with a random name created
 * exclusively (mkstemp), renamed over the path, so nobody can plant a link
 * under a predictable name.
 */
static tk_err write_port_file(const char *path, uint16_t port, struct tk_diag *diag)
{
	char tmp[4096], text[8];
	int fd, len;
	tk_err err = TK_OK;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "path longer than %zu bytes",
			       sizeof(tmp) - 8);
	fd = mkstemp(tmp);
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
	len = snprintf(text, sizeof(text), "%u\n", (unsigned int)port);
	if (fchmod(fd, 0644) != 0 || write(fd, text, (size_t)len) != len)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && err == TK_OK)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
	if (err == TK_OK && rename(tmp, path) != 0)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot rename %s: %s", tmp, strerror(errno));
	if (err != TK_OK)
		unlink(tmp);
	return err;
}

/* Serve until SIGTERM or SIGINT arrives; *sig gets the signal. */
static int run_server(const struct tk_http_api_config *hcfg, const char *port_file,
		      const struct tk_log *log, const sigset_t *stop_signals, int *sig)
{
	struct tk_http_api *srv = NULL;
	char where[LISTEN_MAX + 8];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	snprintf(where, sizeof(where), "%s:%u", hcfg->address, (unsigned int)hcfg->port);
	if (tk_http_api_start(hcfg, &srv, &diag) != TK_OK)
		return ver_fail("cannot start the HTTP server", where, &diag);
	tk_log(log, TK_LOG_NOTICE, "verifier", "serving http://%s:%u%s", hcfg->address,
	       (unsigned int)tk_http_api_port(srv), hcfg->prefix);
	if (port_file != NULL && write_port_file(port_file, tk_http_api_port(srv), &diag) != TK_OK) {
		tk_http_api_stop(srv);
		return ver_fail("cannot write the port file", port_file, &diag);
	}
	while (sigwait(stop_signals, sig) != 0)
		;
	tk_log(log, TK_LOG_NOTICE, "verifier", "stopping on signal %d", *sig);
	tk_http_api_stop(srv);
	return VER_EXIT_OK;
}

/* Parse the options of serve into the verifier config and listen address. */
static int parse_serve(const struct ver_command *cmd, const struct ver_args *args,
		       char *addr, uint16_t *port, uint64_t *max_body,
		       struct tk_verifier_config *cfg)
{
	uint64_t lifetime = TK_VERIFIER_DEFAULT_LIFETIME;
	uint64_t result_lifetime = VER_DEFAULT_RESULT_LIFETIME;
	uint64_t max_sessions = TK_VERIFIER_DEFAULT_MAX_SESSIONS;
	int rc;

	if ((rc = parse_listen(cmd, ver_get(cmd, args, "listen"), addr, port)) != 0 ||
	    (rc = parse_positive(cmd, args, "max-body", MAX_BODY_LIMIT, max_body)) != 0 ||
	    (rc = parse_positive(cmd, args, "session-lifetime", 86400, &lifetime)) != 0 ||
	    (rc = parse_positive(cmd, args, "result-lifetime", 31536000,
				 &result_lifetime)) != 0 ||
	    (rc = parse_positive(cmd, args, "max-sessions", MAX_SESSIONS_LIMIT,
				 &max_sessions)) != 0)
		return rc;
	cfg->lifetime = (int64_t)lifetime;
	cfg->result_lifetime = (int64_t)result_lifetime;
	cfg->max_sessions = (size_t)max_sessions;
	return VER_EXIT_OK;
}

int ver_serve(const struct ver_command *cmd, const struct ver_args *args)
{
	static const struct tk_log log = {
		.write = tk_log_write_stderr, .min_level = TK_LOG_INFO,
	};
	struct tk_verifier_config cfg = {0};
	struct tk_verifier_store_ops ops;
	struct tk_verifier_sqlite *db = NULL;
	struct tk_crypto_key *key = NULL;
	struct ver_serve_ctx *sc = NULL;
	uint64_t max_body = TK_HTTP_API_DEFAULT_MAX_BODY;
	uint64_t max_results = TK_VERIFIER_SQLITE_DEFAULT_MAX_RESULTS;
	char addr[LISTEN_MAX];
	uint16_t port = 0;
	sigset_t stop_signals;
	struct tk_diag diag;
	int sig = 0;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = parse_serve(cmd, args, addr, &port, &max_body, &cfg)) != VER_EXIT_OK ||
	    (rc = parse_positive(cmd, args, "max-results", 100000000, &max_results)) !=
		    VER_EXIT_OK)
		return rc;
	if (ver_read_key(ver_get(cmd, args, "key"), true, &key, &diag) != TK_OK)
		return ver_fail("cannot load the verifier key", ver_get(cmd, args, "key"), &diag);
	if ((rc = ver_open_db(ver_get(cmd, args, "db"), true, &db, &ops)) != VER_EXIT_OK)
		goto done;
	tk_verifier_sqlite_set_max_results(db, max_results);

	rc = VER_EXIT_FAIL;
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		TK_FAIL(&diag, TK_ERR_NOMEM, "server state");
		rc = ver_fail("cannot start the verifier", ver_get(cmd, args, "db"), &diag);
		goto done;
	}
	cfg.crypto = tk_crypto_openssl();
	cfg.store = &ops;
	cfg.signing_key = key;
	cfg.build = "teep-verifier " VERIFIER_VERSION;
	cfg.keep_history = true;
	cfg.log = &log;
	if (tk_verifier_init(&sc->verifier, &cfg, &diag) != TK_OK) {
		rc = ver_fail("cannot start the verifier", ver_get(cmd, args, "key"), &diag);
		goto done;
	}
	sc->log = &log;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	struct tk_http_api_config hcfg = {
		.address = addr, .port = port, .prefix = "/",
		.max_body = (size_t)max_body, .max_response = TK_VERIFIER_RESULT_MAX,
		.handler = ver_api_handle, .handler_ctx = sc, .log = &log,
	};
	rc = run_server(&hcfg, ver_get(cmd, args, "port-file"), &log, &stop_signals, &sig);

done:
	tk_verifier_sqlite_close(db);
	tk_crypto_key_free(key);
	free(sc);
	if (sig != 0)
		tk_log(&log, TK_LOG_NOTICE, "verifier", "stopped; exit status %d", rc);
	return rc;
}
