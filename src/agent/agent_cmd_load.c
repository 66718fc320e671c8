/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent load and measurements: flow "deploy versus load". Installing
 * only stores a component. Loading measures it into the TEE's attestation
 * state (the measurement log, and for the TPM backend a PCR) and then runs
 * it, so evidence reports what is loaded rather than what is stored.
 *
 * The stored envelopes are authenticated again with the given trust
 * anchors (the store could have been altered since install), and the
 * first whose common components list names the component is used. When it
 * has an invoke section, its invocation procedure runs
 * (draft-ietf-suit-manifest-37 section 8.4.6: validate, load, invoke), and
 * the invoke hook is the TEE's measured load with the
 * suit-parameter-image-digest the manifest gives the component. Without
 * one, the digest its shared sequence sets is used directly (see
 * load_without_invoke()). Either way the backend checks the stored bytes
 * against that digest before anything is recorded.
 *
 * Running: without --runner the component is only recorded as loaded and
 * nothing is executed. With --runner PROG the TEE's invoke hook runs PROG with
 * the component id hex as its argument and the checked image on its
 * standard input, after the measurement is recorded.
 */
#include "agent/agent_cli.h"
#include "agent/tk_agent_auth.h"
#include "agent/tk_agent_boot.h"
#include "agent/tk_agent_platform.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cbor/tk_cbor.h"
#include "suit/tk_suit.h"

/* SUIT command and parameter numbers (draft-ietf-suit-manifest-37, IANA section). */
#define SUIT_SET_COMPONENT_INDEX 12
#define SUIT_SET_PARAMETERS 19
#define SUIT_OVERRIDE_PARAMETERS 20
#define SUIT_PARAMETER_IMAGE_DIGEST 3

/* Maximum manifests looked at for one load (TK_ERR_LIMIT_COUNT beyond). */
#define MAX_MANIFESTS 64

struct manifest_ids {
	size_t count;
	uint8_t ids[MAX_MANIFESTS][TK_TEE_MAX_ID_LEN];
	size_t lens[MAX_MANIFESTS];
};

static tk_err collect_manifest(void *ctx, const struct tk_tee_object_info *info)
{
	struct manifest_ids *m = ctx;

	/* The caller reports the limit; visit hooks have no diag. */
	if (m->count == MAX_MANIFESTS)
		return TK_ERR_LIMIT_COUNT;
	memcpy(m->ids[m->count], info->id, info->id_len);
	m->lens[m->count++] = info->id_len;
	return TK_OK;
}

/* Read a set-component-index argument; set *selected when it names `index`. */
static tk_err index_selects(struct tk_cbor_dec *dec, uint64_t index, bool *selected)
{
	uint64_t value, count;
	bool all;
	tk_err err;

	*selected = false;
	switch (tk_cbor_peek(dec)) {
	case TK_CBOR_UINT:
		err = tk_cbor_get_uint(dec, &value);
		*selected = err == TK_OK && value == index;
		return err;
	case TK_CBOR_TRUE:
		err = tk_cbor_get_bool(dec, &all);
		*selected = err == TK_OK && all;
		return err;
	default:
		err = tk_cbor_enter_array(dec, &count);
		while (err == TK_OK && tk_cbor_more(dec)) {
			err = tk_cbor_get_uint(dec, &value);
			if (err == TK_OK && value == index)
				*selected = true;
		}
		return err == TK_OK ? tk_cbor_leave(dec) : err;
	}
}

/* Read SUIT_Digest = [alg, bstr] from the bstr .cbor of an image-digest. */
static tk_err read_digest(struct tk_span wrapped, uint8_t out[TK_TEE_DIGEST_LEN],
			  struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span bytes;
	uint64_t count;
	int64_t alg = 0;
	tk_err err = tk_cbor_dec_init(&dec, wrapped.ptr, wrapped.len, TK_CBOR_STRICT, diag);

	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK)
		err = tk_cbor_get_int(&dec, &alg);
	if (err == TK_OK)
		err = tk_cbor_get_bstr(&dec, &bytes);
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		return err;
	if (alg != TK_SUIT_ALG_SHA256 || bytes.len != TK_TEE_DIGEST_LEN)
		return TK_FAIL(diag, TK_ERR_ALG_UNSUPPORTED,
			       "image digest with algorithm %lld and %zu bytes, expected SHA-256",
			       (long long)alg, bytes.len);
	memcpy(out, bytes.ptr, TK_TEE_DIGEST_LEN);
	return TK_OK;
}

/* Scan a parameters map; take image-digest when the component is selected. */
static tk_err scan_parameters(struct tk_cbor_dec *dec, bool selected,
			      uint8_t out[TK_TEE_DIGEST_LEN], bool *found, struct tk_diag *diag)
{
	struct tk_span wrapped;
	uint64_t pairs, key;
	tk_err err = tk_cbor_enter_map(dec, &pairs);

	while (err == TK_OK && tk_cbor_more(dec)) {
		err = tk_cbor_get_uint(dec, &key);
		if (err == TK_OK && key == SUIT_PARAMETER_IMAGE_DIGEST && selected) {
			err = tk_cbor_get_bstr(dec, &wrapped);
			if (err == TK_OK)
				err = read_digest(wrapped, out, diag);
			*found = err == TK_OK;
		} else if (err == TK_OK) {
			err = tk_cbor_skip(dec);
		}
	}
	return err == TK_OK ? tk_cbor_leave(dec) : err;
}

/*
 * Find the image digest the shared sequence sets for component `index`.
 * A sequence of a one-component manifest sets no index and means component
 * 0; with several components draft-ietf-suit-manifest-37 requires each
 * sequence to begin with set-component-index.
 */
static tk_err image_digest(struct tk_span sequence, uint64_t index,
			   uint8_t out[TK_TEE_DIGEST_LEN], bool *found, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	bool selected = index == 0;
	uint64_t count, command;
	tk_err err;

	*found = false;
	err = tk_cbor_dec_init(&dec, sequence.ptr, sequence.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		err = tk_cbor_get_uint(&dec, &command);
		if (err != TK_OK)
			break;
		if (command == SUIT_SET_COMPONENT_INDEX)
			err = index_selects(&dec, index, &selected);
		else if (command == SUIT_SET_PARAMETERS || command == SUIT_OVERRIDE_PARAMETERS)
			err = scan_parameters(&dec, selected, out, found, diag);
		else
			err = tk_cbor_skip(&dec);
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	return err == TK_OK ? tk_cbor_dec_finish(&dec) : err;
}

/* An authenticated stored manifest naming the component. The manifest's
   views point into buf, which the caller frees. */
struct stored_manifest {
	uint8_t *buf;
	struct tk_suit_manifest manifest;
	size_t index;   /* of the component in the manifest's components */
};

/* Authenticate a stored envelope and look for the component in it. *names
   is set, and out->buf kept, when the authenticated manifest lists it. */
static tk_err read_stored(const struct tk_tee *tee, const uint8_t *mid, size_t mid_len,
			  const struct tk_crypto_key *const *anchors, size_t n_anchors,
			  const uint8_t *id, size_t id_len, struct stored_manifest *out,
			  bool *names, struct tk_diag *diag)
{
	struct tk_tee_object_info info;
	struct tk_suit_envelope env;
	uint8_t *buf = NULL;
	size_t len = 0;
	tk_err err;

	*names = false;
	err = tk_tee_manifest_info(tee, mid, mid_len, &info, diag);
	if (err == TK_OK && info.size > TK_TEE_MAX_ENVELOPE_SIZE)
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "stored manifest of %llu bytes exceeds %u",
			      (unsigned long long)info.size, TK_TEE_MAX_ENVELOPE_SIZE);
	if (err == TK_OK && (buf = malloc(info.size > 0 ? (size_t)info.size : 1)) == NULL)
		err = TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %llu bytes for a manifest",
			      (unsigned long long)info.size);
	if (err == TK_OK)
		err = tk_tee_read_manifest(tee, mid, mid_len, buf, (size_t)info.size, &len, diag);
	if (err == TK_OK)
		err = tk_suit_decode_envelope(buf, len, &env, diag);
	if (err == TK_OK)
		err = tk_agent_authenticate(tee, tk_crypto_openssl(), anchors, n_anchors, &env,
					    &out->manifest, diag);
	for (size_t k = 0; err == TK_OK && k < out->manifest.component_count; k++) {
		if (out->manifest.components[k].len == id_len &&
		    memcmp(out->manifest.components[k].ptr, id, id_len) == 0) {
			*names = true;
			out->index = k;
			break;
		}
	}
	if (err == TK_OK && *names) {
		out->buf = buf;
		return TK_OK;
	}
	free(buf);
	return err;
}

/*
 * The first authenticated manifest naming component id. A manifest the
 * anchors do not authenticate is skipped, since another signer's manifest
 * (a data provider's beside the operator's) is no reason to refuse the
 * load. Its failure is returned only when no manifest names the component.
 */
static tk_err find_manifest(const struct tk_tee *tee, const struct tk_crypto_key *const *anchors,
			    size_t n_anchors, const uint8_t *id, size_t id_len,
			    struct stored_manifest *out, struct tk_diag *diag)
{
	struct manifest_ids *ids = calloc(1, sizeof(*ids));
	struct tk_diag failure;
	tk_err failure_err = TK_OK;
	bool names = false;
	tk_err err = TK_OK;

	if (ids == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate the manifest list");
	tk_diag_clear(&failure);
	err = tk_tee_list_manifests(tee, collect_manifest, ids, diag);
	if (err == TK_ERR_LIMIT_COUNT)
		(void)TK_FAIL(diag, err, "more than %d manifests are stored", MAX_MANIFESTS);
	for (size_t i = 0; err == TK_OK && !names && i < ids->count; i++) {
		struct tk_diag local;
		tk_err manifest_err;

		tk_diag_clear(&local);
		manifest_err = read_stored(tee, ids->ids[i], ids->lens[i], anchors, n_anchors, id,
					   id_len, out, &names, &local);
		if (manifest_err != TK_OK && failure_err == TK_OK) {
			failure_err = manifest_err;
			failure = local;
		}
	}
	if (err == TK_OK && !names && failure_err != TK_OK) {
		err = failure_err;
		if (diag != NULL)
			*diag = failure;
	}
	if (err == TK_OK && !names)
		err = TK_FAIL(diag, TK_ERR_NOT_FOUND, "no stored manifest names the component");
	free(ids);
	return err;
}

/* The image digest the shared sequence sets for the component. */
static tk_err shared_digest(const struct stored_manifest *sm, uint8_t out[TK_TEE_DIGEST_LEN],
			    struct tk_diag *diag)
{
	bool found = false;
	tk_err err = TK_OK;

	if (sm->manifest.shared_sequence.len > 0)
		err = image_digest(sm->manifest.shared_sequence, sm->index, out, &found, diag);
	if (err == TK_OK && !found)
		err = TK_FAIL(diag, TK_ERR_POLICY, "the manifest sets no image digest for the "
			      "component, so its image cannot be checked");
	return err;
}

static bool has_section(const struct tk_suit_manifest *m, enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++)
		if (m->sections[i].section == section)
			return true;
	return false;
}

/* One log entry per line: component id, image digest, PCR, running hash. */
static tk_err print_measurement(void *ctx, const struct tk_tee_measurement *m)
{
	size_t *count = ctx;

	(*count)++;
	agent_print_hex(stdout, m->id, m->id_len);
	printf(" sha-256:");
	agent_print_hex(stdout, m->digest, sizeof(m->digest));
	if (m->pcr != 0)
		printf(" pcr %u", (unsigned)m->pcr);
	printf(" running ");
	agent_print_hex(stdout, m->running, sizeof(m->running));
	printf("\n");
	return TK_OK;
}

/* Walk of the measurement log: counts entries and keeps the last entry
   for the component at or after index `from`. */
struct log_walk {
	const uint8_t *id;
	size_t id_len;
	size_t from;
	size_t count;
	bool found;
	struct tk_tee_measurement entry;
};

static tk_err walk_log(void *ctx, const struct tk_tee_measurement *m)
{
	struct log_walk *w = ctx;

	if (w->count++ >= w->from && m->id_len == w->id_len &&
	    memcmp(m->id, w->id, w->id_len) == 0) {
		w->found = true;
		w->entry = *m;
	}
	return TK_OK;
}

/* Write one chunk of the image to the runner's standard input (ctx). */
static tk_err write_image(void *ctx, const uint8_t *image, size_t len, struct tk_diag *diag)
{
	int fd = *(const int *)ctx;

	while (len > 0) {
		ssize_t n = write(fd, image, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TK_FAIL(diag, TK_ERR_IO, "writing the image to the runner failed: %s",
				       n < 0 ? strerror(errno) : "short write");
		image += n;
		len -= (size_t)n;
	}
	return TK_OK;
}

/* Invoke hook: run ctx (the --runner path) on the image; wait for it. */
static tk_err run_runner(void *ctx, const uint8_t *id, size_t id_len,
			 const struct tk_tee_image *image, struct tk_diag *diag)
{
	const char *runner = ctx;
	char id_hex[2 * MAX_ID_LEN + 1];
	void (*old_pipe)(int);
	int fds[2], status = 0;
	pid_t pid;
	tk_err err;

	for (size_t i = 0; i < id_len; i++)
		snprintf(id_hex + 2 * i, 3, "%02x", id[i]);
	id_hex[2 * id_len] = '\0';
	if (pipe(fds) != 0)
		return TK_FAIL(diag, TK_ERR_IO, "pipe failed: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(runner, runner, id_hex, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		return TK_FAIL(diag, TK_ERR_IO, "fork failed: %s", strerror(errno));
	}

	/* A runner that exits without reading must not kill the agent. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	err = image->stream(image->ctx, write_image, &fds[1], diag);
	close(fds[1]);
	signal(SIGPIPE, old_pipe);
	if (waitpid(pid, &status, 0) != pid)
		return TK_FAIL(diag, TK_ERR_IO, "waiting for the runner failed: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return TK_FAIL(diag, TK_ERR_IO, "runner %s failed with status %d", runner,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return err;
}

struct load_inputs {
	uint8_t id[MAX_ID_LEN];
	size_t id_len;
	struct tk_crypto_key *anchors[MAX_VALUES];
	size_t n_anchors;
};

static int read_load_inputs(const struct command *cmd, const struct args *args,
			    struct load_inputs *in)
{
	const char *hex = args->values[LOAD_COMPONENT][0];
	struct tk_diag diag;
	tk_err err;

	if (!agent_parse_component_id(hex, in->id, sizeof(in->id), &in->id_len))
		return agent_usage_error(cmd, "invalid value for --component: %s (expected the hex "
					 "of a CBOR component id array)", hex);
	/* Checked before the load: a runner that cannot start would leave a load
	   recorded in the evidence that never ran. */
	if (args->count[LOAD_RUNNER] > 0 && access(args->values[LOAD_RUNNER][0], X_OK) != 0) {
		tk_diag_clear(&diag);
		err = TK_FAIL(&diag, TK_ERR_IO, "not executable: %s", strerror(errno));
		return agent_fail("cannot use --runner", args->values[LOAD_RUNNER][0], err, &diag);
	}
	for (size_t i = 0; i < args->count[LOAD_ANCHOR]; i++) {
		tk_diag_clear(&diag);
		err = agent_load_public_key(args->values[LOAD_ANCHOR][i], &in->anchors[i], &diag);
		if (err != TK_OK)
			return agent_fail("cannot load trust anchor", args->values[LOAD_ANCHOR][i],
					  err, &diag);
		in->n_anchors++;
	}
	return EXIT_OK;
}

/*
 * Run the invocation procedure of draft-ietf-suit-manifest-37 section
 * 8.4.6 (validate, load, invoke) on the stored manifest. The invoke hook
 * is the TEE's measured load with the image digest the manifest's
 * parameters give (tk_agent_platform_invoke()), then the runner. The
 * component must be among those invoked: the log must have a new entry
 * for it, which goes to *entry.
 */
static tk_err invoke_manifest(const struct tk_tee *tee, const struct load_inputs *in,
			      const struct stored_manifest *sm,
			      const struct tk_tee_invoke_ops *runner,
			      struct tk_tee_measurement *entry, struct tk_diag *diag)
{
	struct tk_agent_tee glue = {0};
	struct tk_suit_platform_ops ops;
	struct tk_suit_process_opts opts = {0};
	struct log_walk before = {0}, after = {0};
	tk_err err;

	glue.tee = tee;
	glue.crypto = tk_crypto_openssl();
	glue.trust_anchors = (const struct tk_crypto_key *const *)in->anchors;
	glue.n_trust_anchors = in->n_anchors;
	glue.runner = runner;
	glue.log = &agent_log;
	err = tk_tee_list_measurements(tee, walk_log, &before, diag);
	if (err == TK_OK)
		err = tk_agent_process_opts(&glue, &ops, &opts, diag);
	if (err == TK_OK)
		err = tk_suit_process(&sm->manifest, TK_SUIT_PROCEDURE_INVOKE, &opts, diag);
	tk_agent_process_opts_free(&opts);

	after.id = in->id;
	after.id_len = in->id_len;
	after.from = before.count;
	if (err == TK_OK)
		err = tk_tee_list_measurements(tee, walk_log, &after, diag);
	if (err == TK_OK && !after.found)
		err = TK_FAIL(diag, TK_ERR_POLICY,
			      "the manifest's invoke section does not invoke the component");
	if (err == TK_OK)
		*entry = after.entry;
	return err;
}

/*
 * NOTE: a manifest without an invoke section cannot be invoked by SUIT
 * (draft-ietf-suit-manifest-37 section 8.4.6), yet TEEP TA manifests (the
 * draft-ietf-teep-protocol examples) have none. For those the measured
 * load takes the image digest the shared sequence sets for the component,
 * and their validate and load sections do not run. The TEE still checks
 * the stored image against that digest and the install record before
 * anything is recorded, so nothing unchecked is loaded.
 */
static tk_err load_without_invoke(const struct tk_tee *tee, const struct load_inputs *in,
				  const struct stored_manifest *sm,
				  const struct tk_tee_invoke_ops *runner,
				  struct tk_tee_measurement *entry, struct tk_diag *diag)
{
	struct log_walk walk = {.id = in->id, .id_len = in->id_len};
	uint8_t digest[TK_TEE_DIGEST_LEN];
	tk_err err;

	err = shared_digest(sm, digest, diag);
	if (err == TK_OK)
		err = tk_tee_load_component(tee, in->id, in->id_len, digest, runner, diag);
	if (err == TK_OK)
		err = tk_tee_list_measurements(tee, walk_log, &walk, diag);
	if (err == TK_OK && !walk.found)
		err = TK_FAIL(diag, TK_ERR_INTERNAL, "the load left no measurement");
	if (err == TK_OK)
		*entry = walk.entry;
	return err;
}

int agent_cmd_load(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *hex = args->values[LOAD_COMPONENT][0];
	struct load_inputs in;
	struct tk_tee_invoke_ops runner = {run_runner, NULL};
	const struct tk_tee_invoke_ops *run = NULL;
	struct stored_manifest sm = {0};
	struct tk_tee_measurement entry;
	struct tk_tee tee = {0};
	struct tk_diag diag;
	size_t count = 0;
	tk_err err;
	int rc;

	memset(&in, 0, sizeof(in));
	tk_diag_clear(&diag);
	if (args->count[LOAD_RUNNER] > 0) {
		runner.ctx = (void *)args->values[LOAD_RUNNER][0];
		run = &runner;
	}
	rc = read_load_inputs(cmd, args, &in);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK) {
		rc = agent_fail("cannot open the TEE state", state, err, &diag);
		goto out;
	}
	err = find_manifest(&tee, (const struct tk_crypto_key *const *)in.anchors, in.n_anchors,
			    in.id, in.id_len, &sm, &diag);
	if (err == TK_OK && has_section(&sm.manifest, TK_SUIT_SECTION_INVOKE))
		err = invoke_manifest(&tee, &in, &sm, run, &entry, &diag);
	else if (err == TK_OK)
		err = load_without_invoke(&tee, &in, &sm, run, &entry, &diag);
	tk_agent_boot_record(state, sm.buf != NULL ? &sm.manifest : NULL, sm.index,
			     err == TK_OK ? entry.digest : NULL, err, &agent_log);
	if (err != TK_OK) {
		rc = agent_fail("cannot load component", hex, err, &diag);
		goto out;
	}
	printf("loaded ");
	(void)print_measurement(&count, &entry);
	rc = EXIT_OK;
out:
	free(sm.buf);
	tk_tee_close(&tee);
	for (size_t i = 0; i < MAX_VALUES; i++)
		tk_crypto_key_free(in.anchors[i]);
	return rc;
}

int agent_cmd_measurements(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_tee tee = {0};
	struct tk_diag diag;
	size_t count = 0;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);
	err = tk_tee_list_measurements(&tee, print_measurement, &count, &diag);
	tk_tee_close(&tee);
	if (err != TK_OK)
		return agent_fail("cannot read the measurement log", state, err, &diag);
	if (count == 0)
		printf("no components loaded\n");
	return EXIT_OK;
}
