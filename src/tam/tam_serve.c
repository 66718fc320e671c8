/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-tam serve: load the two TAM keys, open the store, start the HTTP
 * server with the TAM state machine as its handler, and wait for SIGTERM or
 * SIGINT. The signals are blocked before the server thread starts, so only
 * the main thread receives them (in sigwait), and the stop is orderly:
 * server first, then store and keys.
 *
 * The handler runs on the server's single polling thread, which is the only
 * user of the store while serving. So each store transaction stays on one
 * thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/tk_log.h"
#include "common/tk_log_limit.h"
#include "crypto/tk_crypto.h"
#include "http/tk_http_client.h"
#include "http/tk_http_server.h"
#include "store/tk_store_sqlite.h"
#include "teep/tk_teep_tam.h"
#include "tam.h"
#include "tam_verifier.h"

/* Seconds between purges of expired sessions. */
#define PURGE_INTERVAL 60

/*
 * Largest --max-body accepted, in bytes. Agent messages are far smaller than
 * the Updates the TAM sends, so the response limit bounds them amply.
 */
#define MAX_BODY_LIMIT TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE

/* Largest --max-sessions accepted; rows of about 200 bytes each (an estimate). */
#define MAX_SESSIONS_LIMIT 10000000

/* Maximum length of a --listen value ("255.255.255.255:65535" is 21). */
#define LISTEN_MAX 64

struct serve_ctx {
	struct tk_teep_tam tam;
	struct tam_verifier *verifier;          /* NULL: enrolled-key mode */
	struct tk_teep_tam_verifier_ops verifier_ops;
	const struct tk_store *store;
	const struct tk_log *log;
	int64_t last_purge;
	struct tk_log_limit refused_log_limit; /* lines on refused new sessions */
};

/* HTTP handler: run the TAM; a dropped message becomes "no message" (204). */
static tk_err handle(void *ctx, const uint8_t *body, size_t body_len, uint8_t *out,
		     size_t out_cap, size_t *out_len)
{
	struct serve_ctx *sc = ctx;
	int64_t now = (int64_t)time(NULL);
	struct tk_diag diag;
	tk_err err;

	tk_diag_clear(&diag);
	if (now - sc->last_purge >= PURGE_INTERVAL) {
		uint64_t removed = 0;

		sc->last_purge = now;
		if (tk_store_session_purge(sc->store, now, &removed, &diag) != TK_OK)
			tk_log(sc->log, TK_LOG_WARNING, "tam", "session purge failed: %s",
			       diag.msg);
		else if (removed > 0)
			tk_log(sc->log, TK_LOG_INFO, "tam", "purged %llu expired sessions",
			       (unsigned long long)removed);
		tk_diag_clear(&diag);
	}

	err = tk_teep_tam_process(&sc->tam, now, body, body_len, out, out_cap, out_len, &diag);
	if (err != TK_OK && body_len > 0 && tk_teep_tam_is_drop(err)) {
		*out_len = 0;
		return TK_OK;
	}
	/* A new session is not a message to drop: the client gets an error status.
	 * Any client can cause this, so the line is rate-limited. */
	if (err != TK_OK && tk_teep_tam_is_drop(err)) {
		uint64_t suppressed = 0;

		if (!tk_log_limit_pass(&sc->refused_log_limit, now,
				       TK_LOG_LIMIT_DEFAULT_PER_SECOND, &suppressed))
			return err;
		if (suppressed > 0)
			tk_log(sc->log, TK_LOG_NOTICE, "tam", "refused a new session: %s (%llu "
			       "similar lines suppressed before it)", diag.msg,
			       (unsigned long long)suppressed);
		else
			tk_log(sc->log, TK_LOG_NOTICE, "tam", "refused a new session: %s",
			       diag.msg);
		return err;
	}
	if (err != TK_OK) {
		char detail[TK_DIAG_MSG_MAX + 128];

		tk_diag_format(&diag, detail, sizeof(detail));
		tk_log(sc->log, TK_LOG_ERROR, "tam", "processing failed: %s", detail);
	}
	return err;
}

/* Load the two private keys; exactly one must be P-256 and one Ed25519. */
static int load_keys(const struct tam_command *cmd, const struct tam_args *args,
		     struct tk_crypto_key **p256, struct tk_crypto_key **ed25519)
{
	for (unsigned i = 0; i < tam_count(cmd, args, "key"); i++) {
		const char *path = tam_get_at(cmd, args, "key", i);
		struct tk_crypto_key *key = NULL;
		uint8_t *pem = NULL;
		size_t pem_len = 0;
		struct tk_diag diag;
		tk_err err;

		tk_diag_clear(&diag);
		err = tam_read_file(path, &pem, &pem_len, &diag);
		if (err == TK_OK)
			err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, &key,
						       &diag);
		tam_free_file(pem, pem_len);
		if (err == TK_OK && !tk_crypto_key_has_private(key))
			err = TK_FAIL(&diag, TK_ERR_KEY, "a public key; the TAM needs its "
				      "private key");
		if (err == TK_OK)
			err = tam_check_private_file(path, &diag);
		if (err != TK_OK) {
			tk_crypto_key_free(key);
			return tam_fail("cannot load the TAM key", path, &diag);
		}

		struct tk_crypto_key **slot =
			tk_crypto_key_type(key) == TK_CRYPTO_KEY_P256 ? p256 : ed25519;
		if (*slot != NULL) {
			tk_crypto_key_free(key);
			return tam_misuse(cmd, "give one ESP256 and one Ed25519 --key, not two "
					  "of one kind");
		}
		*slot = key;
	}
	return TAM_EXIT_OK;
}

/* The --listen forms, for messages. */
#define LISTEN_FORMS "A.B.C.D:PORT or localhost:PORT, with PORT 0..65535"

/*
 * Parse "A.B.C.D:PORT" or "localhost:PORT" into IPv4 address text and port.
 * A malformed value is misuse (exit 2), and so is an IPv6 address, which the
 * server cannot bind yet.
 */
static int parse_listen(const struct tam_command *cmd, const char *listen, char *addr,
			uint16_t *port)
{
	const char *colon = strrchr(listen, ':');
	struct in_addr ipv4;
	char *end = NULL;
	unsigned long value;

	if (listen[0] == '[' || (colon != NULL && memchr(listen, ':', (size_t)(colon - listen))))
		return tam_misuse(cmd, "--listen %s: IPv6 is not supported yet; give "
				  LISTEN_FORMS, listen);
	if (colon == NULL || colon == listen || (size_t)(colon - listen) >= LISTEN_MAX)
		return tam_misuse(cmd, "--listen %s is not " LISTEN_FORMS, listen);
	memcpy(addr, listen, (size_t)(colon - listen));
	addr[colon - listen] = '\0';
	errno = 0;
	value = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || value > 65535)
		return tam_misuse(cmd, "--listen %s: port %s is not 0..65535", listen, colon + 1);
	if (strcmp(addr, "localhost") == 0)
		snprintf(addr, LISTEN_MAX, "127.0.0.1");
	if (inet_pton(AF_INET, addr, &ipv4) != 1)
		return tam_misuse(cmd, "--listen %s: %s is not an IPv4 address; give "
				  LISTEN_FORMS, listen, addr);
	*port = (uint16_t)value;
	return TAM_EXIT_OK;
}

/* Parse an optional positive decimal option; *out keeps its value if absent. */
static int parse_positive(const struct tam_command *cmd, const struct tam_args *args,
			  const char *name, uint64_t max, uint64_t *out)
{
	const char *text = tam_get(cmd, args, name);
	char *end = NULL;
	unsigned long long value;

	if (text == NULL)
		return TAM_EXIT_OK;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value == 0 ||
	    value > max)
		return tam_misuse(cmd, "--%s %s is not a number from 1 to %llu", name, text,
				  (unsigned long long)max);
	*out = value;
	return TAM_EXIT_OK;
}

/*
 * Write the port atomically: a temporary file renamed over the path. The
 * temporary name is random and created exclusively (mkstemp), because a
 * predictable name in a shared folder lets another user plant a link there
 * and have the file it points to overwritten.
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

	/* mkstemp creates the file 0600, but the port is no secret. */
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

/* Open the verifier the options name, if any; returns an exit code. */
static int open_verifier(const struct tam_command *cmd, const struct tam_args *args,
			 const struct tk_log *log, int64_t lifetime, struct serve_ctx *sc)
{
	struct tam_verifier_options opts = {
		.lifetime = lifetime,
		.uri = tam_get(cmd, args, "verifier"),
		.db = tam_get(cmd, args, "verifier-db"),
		.signing_key = tam_get(cmd, args, "verifier-signing-key"),
		.n_keys = tam_count(cmd, args, "verifier-key"),
		.log = log,
	};
	struct tk_diag diag;
	char shown_uri[TK_HTTP_CLIENT_SHOWN_URI_CAP] = "";
	const char *what;

	for (size_t i = 0; i < opts.n_keys && i < TAM_MAX_VERIFIER_KEYS; i++)
		opts.keys[i] = tam_get_at(cmd, args, "verifier-key", (unsigned)i);
	if (opts.signing_key != NULL && opts.db == NULL)
		return tam_misuse(cmd, "--verifier-signing-key needs --verifier-db");
	if (opts.db != NULL && opts.signing_key == NULL)
		return tam_misuse(cmd, "--verifier-db needs --verifier-signing-key");
	if (opts.uri != NULL && opts.db != NULL)
		return tam_misuse(cmd, "give --verifier or --verifier-db, not both");
	if (opts.uri != NULL && opts.n_keys == 0)
		return tam_misuse(cmd, "--verifier needs --verifier-key");
	/* The URI may carry a password, which no log line or message shows. */
	if (opts.uri != NULL)
		tk_http_uri_redact(opts.uri, shown_uri);
	tk_diag_clear(&diag);
	if (tam_verifier_open(&opts, &sc->verifier, &sc->verifier_ops, &diag) != TK_OK) {
		what = opts.keys[0];
		if (opts.db != NULL)
			what = opts.db;
		if (opts.uri != NULL)
			what = shown_uri;
		return tam_fail("cannot open the verifier", what, &diag);
	}
	if (sc->verifier == NULL)
		return TAM_EXIT_OK;
	if (opts.uri != NULL || opts.db != NULL)
		tk_log(log, TK_LOG_NOTICE, "tam", "attestation: %s %s, %zu trusted verifier "
		       "key%s", opts.uri != NULL ? "verifier" : "in-process verifier",
		       opts.uri != NULL ? shown_uri : opts.db, opts.n_keys,
		       opts.n_keys == 1 ? "" : "s");
	else
		tk_log(log, TK_LOG_NOTICE, "tam", "attestation: %zu trusted verifier key%s "
		       "(passport model only)", opts.n_keys, opts.n_keys == 1 ? "" : "s");
	return TAM_EXIT_OK;
}

/* Serve until SIGTERM or SIGINT arrives; *sig gets the signal. */
static int run_server(const struct tk_http_server_config *hcfg, const char *port_file,
		      const struct tk_log *log, const sigset_t *stop_signals, int *sig)
{
	struct tk_http_server *srv = NULL;
	char where[LISTEN_MAX + 8];
	struct tk_diag diag;

	tk_diag_clear(&diag);
	snprintf(where, sizeof(where), "%s:%u", hcfg->address, (unsigned int)hcfg->port);
	if (tk_http_server_start(hcfg, &srv, &diag) != TK_OK)
		return tam_fail("cannot start the HTTP server", where, &diag);
	tk_log(log, TK_LOG_NOTICE, "tam", "serving http://%s:%u%s", hcfg->address,
	       (unsigned int)tk_http_server_port(srv), hcfg->path);
	if (port_file != NULL &&
	    write_port_file(port_file, tk_http_server_port(srv), &diag) != TK_OK) {
		tk_http_server_stop(srv);
		return tam_fail("cannot write the port file", port_file, &diag);
	}

	while (sigwait(stop_signals, sig) != 0)
		;
	tk_log(log, TK_LOG_NOTICE, "tam", "stopping on signal %d", *sig);
	tk_http_server_stop(srv);
	return TAM_EXIT_OK;
}

int tam_serve(const struct tam_command *cmd, const struct tam_args *args)
{
	static const struct tk_log log = {
		.write = tk_log_write_stderr, .min_level = TK_LOG_INFO,
	};
	struct tk_crypto_key *p256 = NULL, *ed25519 = NULL, *report_key = NULL;
	uint64_t max_body = TK_HTTP_SERVER_DEFAULT_MAX_BODY;
	uint64_t lifetime = TK_TEEP_TAM_DEFAULT_LIFETIME;
	uint64_t max_sessions = TK_TEEP_TAM_DEFAULT_MAX_SESSIONS;
	struct tk_store st = {0};
	struct serve_ctx *sc = NULL;
	uint8_t *work = NULL;
	char addr[LISTEN_MAX];
	uint16_t port = 0;
	sigset_t stop_signals;
	struct tk_diag diag;
	int sig = 0;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = parse_listen(cmd, tam_get(cmd, args, "listen"), addr, &port)) != 0 ||
	    (rc = parse_positive(cmd, args, "max-body", MAX_BODY_LIMIT, &max_body)) != 0 ||
	    (rc = parse_positive(cmd, args, "token-lifetime", 86400, &lifetime)) != 0 ||
	    (rc = parse_positive(cmd, args, "max-sessions", MAX_SESSIONS_LIMIT,
				 &max_sessions)) != 0 ||
	    (rc = load_keys(cmd, args, &p256, &ed25519)) != 0 ||
	    (rc = tam_load_report_decryption_key(cmd, args, &report_key)) != 0)
		goto done;
	if ((rc = tam_open_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		goto done;

	/* The work buffer contains an Update's envelopes and then its encoding,
	 * each at most one response long. */
	sc = calloc(1, sizeof(*sc));
	work = malloc(2 * TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE);
	rc = TAM_EXIT_FAIL;
	if (sc == NULL || work == NULL) {
		TK_FAIL(&diag, TK_ERR_NOMEM, "TAM state and work buffer");
		rc = tam_fail("cannot start the TAM", tam_get(cmd, args, "db"), &diag);
		goto done;
	}
	if ((rc = open_verifier(cmd, args, &log, (int64_t)lifetime, sc)) != TAM_EXIT_OK)
		goto done;
	struct tk_teep_tam_config tcfg = {
		.crypto = tk_crypto_openssl(), .store = &st, .esp256_key = p256,
		.ed25519_key = ed25519, .lifetime = (int64_t)lifetime,
		.max_sessions = (size_t)max_sessions, .log = &log,
		.work = work, .work_cap = 2 * TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE,
		.verifier = sc->verifier != NULL ? &sc->verifier_ops : NULL,
		.report_key = report_key, .evidence_key = report_key,
	};
	if (tk_teep_tam_init(&sc->tam, &tcfg, &diag) != TK_OK) {
		rc = tam_fail("cannot start the TAM", tam_get(cmd, args, "db"), &diag);
		goto done;
	}
	sc->store = &st;
	sc->log = &log;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	struct tk_http_server_config hcfg = {
		.address = addr, .port = port, .path = "/tam", .max_body = (size_t)max_body,
		.max_response = TK_HTTP_SERVER_DEFAULT_MAX_RESPONSE, .handler = handle,
		.handler_ctx = sc, .log = &log,
	};
	rc = run_server(&hcfg, tam_get(cmd, args, "port-file"), &log, &stop_signals, &sig);

done:
	tk_store_sqlite_close(&st);
	tk_crypto_key_free(p256);
	tk_crypto_key_free(ed25519);
	tk_crypto_key_free(report_key);
	free(work);
	if (sc != NULL)
		tam_verifier_free(sc->verifier);
	free(sc);
	if (sig != 0)
		tk_log(&log, TK_LOG_NOTICE, "tam", "stopped; exit status %d", rc);
	return rc;
}
