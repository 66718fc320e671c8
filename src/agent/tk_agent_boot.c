/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-time SUIT reports of `teep-agent load` (see tk_agent_boot.h): the
 * report of each load in a file of the state folder, and the hook that
 * protects the stored reports for a QueryResponse.
 */
#include "agent/tk_agent_boot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/tk_agent_report.h"
#include "agent/tk_agent_tee.h"
#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "suit/tk_suit_report.h"

/* suit-directive-invoke and suit-parameter-image-digest
 * (draft-ietf-suit-manifest-37, IANA section). */
#define SUIT_DIRECTIVE_INVOKE 23
#define SUIT_PARAMETER_IMAGE_DIGEST 3

/* Digits of a report's sequence number in its file name. */
#define SEQUENCE_DIGITS 20

/* Size of a report: the reference, one record and the result. */
#define BOOT_REPORT_CAP (TK_SUIT_MAX_URI_LEN + 3u * TK_SUIT_REPORT_MAX_RECORD_SIZE)

/* Bytes suit-report-nonce adds: its key and a bstr head. */
#define NONCE_OVERHEAD 16u

static void report_path(char *out, size_t cap, const char *state_dir, uint64_t sequence,
			const char *suffix)
{
	snprintf(out, cap, "%s/%s/%0*" PRIu64 "%s", state_dir, TK_AGENT_BOOT_DIR,
		 SEQUENCE_DIGITS, sequence, suffix);
}

/* Parse "<20 digits>.cbor" into *sequence. Returns false for any other name. */
static bool parse_name(const char *name, uint64_t *sequence)
{
	uint64_t v = 0;

	if (strlen(name) != SEQUENCE_DIGITS + 5 || strcmp(name + SEQUENCE_DIGITS, ".cbor") != 0)
		return false;
	for (size_t i = 0; i < SEQUENCE_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*sequence = v;
	return true;
}

/* Sequence numbers of the newest stored reports, ascending, and those to remove. */
struct listing {
	uint64_t sequence[TK_AGENT_BOOT_REPORTS_MAX + 1];
	size_t count;
	uint64_t highest;
	uint64_t removed[64];
	size_t n_removed;
};

static void keep_newest(struct listing *l, uint64_t sequence, size_t cap)
{
	size_t i = l->count;

	if (sequence > l->highest)
		l->highest = sequence;
	if (l->count == cap && sequence < l->sequence[0]) {
		if (l->n_removed < sizeof(l->removed) / sizeof(l->removed[0]))
			l->removed[l->n_removed++] = sequence;
		return;
	}
	if (l->count == cap) {
		if (l->n_removed < sizeof(l->removed) / sizeof(l->removed[0]))
			l->removed[l->n_removed++] = l->sequence[0];
		memmove(l->sequence, l->sequence + 1, (cap - 1) * sizeof(l->sequence[0]));
		i = --l->count;
	}
	while (i > 0 && l->sequence[i - 1] > sequence) {
		l->sequence[i] = l->sequence[i - 1];
		i--;
	}
	l->sequence[i] = sequence;
	l->count++;
}

static tk_err list_reports(const char *state_dir, size_t cap, struct listing *l,
			   struct tk_diag *diag)
{
	char path[PATH_MAX];
	struct dirent *entry;
	uint64_t sequence;
	DIR *dir;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%s/%s", state_dir, TK_AGENT_BOOT_DIR);
	dir = opendir(path);
	if (dir == NULL && errno == ENOENT)
		return TK_OK;
	if (dir == NULL)
		return TK_FAIL(diag, TK_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	while ((entry = readdir(dir)) != NULL)
		if (parse_name(entry->d_name, &sequence))
			keep_newest(l, sequence, cap);
	closedir(dir);
	return TK_OK;
}

static tk_err remove_report(const char *state_dir, uint64_t sequence, struct tk_diag *diag)
{
	char path[PATH_MAX];

	report_path(path, sizeof(path), state_dir, sequence, ".cbor");
	if (unlink(path) != 0 && errno != ENOENT)
		return TK_FAIL(diag, TK_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
	return TK_OK;
}

/* Write a new report file atomically: a temporary file, then rename. */
static tk_err write_report(const char *state_dir, uint64_t sequence, const uint8_t *report,
			   size_t len, struct tk_diag *diag)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	ssize_t n = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/%s", state_dir, TK_AGENT_BOOT_DIR);
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return TK_FAIL(diag, TK_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
	report_path(tmp, sizeof(tmp), state_dir, sequence, ".tmp");
	report_path(path, sizeof(path), state_dir, sequence, ".cbor");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
	while (len > 0 && (n = write(fd, report, len)) > 0) {
		report += n;
		len -= (size_t)n;
	}
	if (len > 0 || fsync(fd) != 0) {
		int saved = n < 0 ? errno : EIO;

		close(fd);
		unlink(tmp);
		return TK_FAIL(diag, TK_ERR_IO, "cannot write %s: %s", tmp, strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		return TK_FAIL(diag, TK_ERR_IO, "cannot rename %s: %s", tmp, strerror(saved));
	}
	return TK_OK;
}

/* properties = { suit-parameter-image-digest: bstr .cbor [-16, digest] } */
static tk_err encode_properties(const uint8_t digest[TK_SUIT_DIGEST_LEN], uint8_t *out,
				size_t cap, size_t *len, struct tk_diag *diag)
{
	struct tk_cbor_enc enc;

	tk_cbor_enc_init(&enc, out, cap, diag);
	tk_cbor_put_map(&enc, 1);
	tk_cbor_put_uint(&enc, SUIT_PARAMETER_IMAGE_DIGEST);
	tk_cbor_put_bstr_begin(&enc);
	tk_cbor_put_array(&enc, 2);
	tk_cbor_put_int(&enc, TK_SUIT_ALG_SHA256);
	tk_cbor_put_bstr(&enc, digest, TK_SUIT_DIGEST_LEN);
	tk_cbor_put_bstr_end(&enc);
	return tk_cbor_enc_finish(&enc, len);
}

static tk_err build_report(const struct tk_agent_boot_load *load, uint8_t *out, size_t cap,
			   size_t *len, struct tk_diag *diag)
{
	uint8_t records[2 * TK_SUIT_REPORT_MAX_RECORD_SIZE];
	uint8_t properties[64];
	size_t properties_len = 0;
	struct tk_suit_report_builder builder;
	struct tk_suit_record record = {
		.section = TK_SUIT_SECTION_INVOKE,
		.component_index = load->component_index,
		.command = SUIT_DIRECTIVE_INVOKE,
		.policy = TK_SUIT_POLICY_RECORD_SUCCESS | TK_SUIT_POLICY_RECORD_FAILURE |
			  TK_SUIT_POLICY_SYSINFO_SUCCESS | TK_SUIT_POLICY_SYSINFO_FAILURE,
		.result = load->result,
		.ends_procedure = load->result != TK_OK,
	};
	struct tk_suit_report_params params = {
		.uri = load->manifest->reference_uri,
		.digest_alg = TK_SUIT_ALG_SHA256,
		.digest = tk_span_make(load->manifest->digest, sizeof(load->manifest->digest)),
		.result = load->result,
		.failed_section = TK_SUIT_SECTION_INVOKE,
	};
	tk_err err = TK_OK;

	if (load->digest != NULL)
		err = encode_properties(load->digest, properties, sizeof(properties),
					&properties_len, diag);
	record.properties = tk_span_make(properties, properties_len);
	tk_suit_report_init(&builder, records, sizeof(records));
	if (err == TK_OK)
		err = tk_suit_report_add(&builder, &record, diag);
	if (err == TK_OK)
		err = tk_suit_report_finish(&builder, &params, out, cap, len, diag);
	return err;
}

tk_err tk_agent_boot_save(const char *state_dir, const struct tk_agent_boot_load *load,
			  struct tk_diag *diag)
{
	uint8_t *report = malloc(BOOT_REPORT_CAP);
	struct listing l;
	size_t len = 0;
	tk_err err;

	if (report == NULL)
		return TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate a boot report");
	err = build_report(load, report, BOOT_REPORT_CAP, &len, diag);
	if (err == TK_OK)
		err = list_reports(state_dir, TK_AGENT_BOOT_REPORTS_MAX - 1, &l, diag);
	if (err == TK_OK && l.highest == UINT64_MAX)
		err = TK_FAIL(diag, TK_ERR_LIMIT_COUNT, "boot report numbers are used up");
	if (err == TK_OK)
		err = write_report(state_dir, l.highest + 1, report, len, diag);

	/* The oldest go only once the new one is there. */
	for (size_t i = 0; err == TK_OK && i < l.n_removed; i++)
		err = remove_report(state_dir, l.removed[i], diag);
	free(report);
	return err;
}

void tk_agent_boot_record(const char *state_dir, const struct tk_suit_manifest *manifest,
			  size_t component_index, const uint8_t *digest, tk_err result,
			  const struct tk_log *log)
{
	struct tk_agent_boot_load load = {manifest, component_index, digest, result};
	struct tk_diag diag;

	if (manifest == NULL)
		return;
	tk_diag_clear(&diag);
	if (tk_agent_boot_save(state_dir, &load, &diag) != TK_OK)
		tk_log(log, TK_LOG_WARNING, "agent", "cannot store the SUIT report of the load: %s",
		       diag.msg);
}

static tk_err read_file(const char *path, uint8_t **out, size_t *len, struct tk_diag *diag)
{
	struct stat st;
	ssize_t n = 0;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (off_t)BOOT_REPORT_CAP) {
		close(fd);
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "%s is empty or larger than %u bytes", path,
			       (unsigned)BOOT_REPORT_CAP);
	}
	*out = malloc((size_t)st.st_size);
	while (*out != NULL && got < (size_t)st.st_size &&
	       (n = read(fd, *out + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (*out == NULL || got != (size_t)st.st_size) {
		free(*out);
		*out = NULL;
		return TK_FAIL(diag, TK_ERR_IO, "cannot read %s", path);
	}
	*len = got;
	return TK_OK;
}

tk_err tk_agent_boot_read(struct tk_agent_boot *boot, const char *state_dir,
			  struct tk_diag *diag)
{
	char path[PATH_MAX];
	struct listing l;
	tk_err err;

	memset(boot, 0, sizeof(*boot));
	boot->state_dir = state_dir;
	err = list_reports(state_dir, TK_AGENT_BOOT_REPORTS_MAX, &l, diag);
	for (size_t i = 0; err == TK_OK && i < l.count; i++) {
		report_path(path, sizeof(path), state_dir, l.sequence[i], ".cbor");
		err = read_file(path, &boot->reports[i], &boot->lens[i], diag);
		boot->sequence[i] = l.sequence[i];
		if (err == TK_OK)
			boot->count++;
	}
	return err;
}

void tk_agent_boot_free(struct tk_agent_boot *boot)
{
	for (size_t i = 0; i < TK_AGENT_BOOT_REPORTS_MAX; i++) {
		free(boot->reports[i]);
		boot->reports[i] = NULL;
	}
	boot->count = 0;
}

tk_err tk_agent_boot_remove_sent(struct tk_agent_boot *boot, struct tk_diag *diag)
{
	tk_err err = TK_OK;

	for (size_t i = 0; err == TK_OK && i < boot->sent && i < boot->count; i++)
		err = remove_report(boot->state_dir, boot->sequence[i], diag);
	return err;
}

/*
 * Copy a stored report into out with suit-report-nonce added. The report
 * has keys 3, 4, 99, possibly 8 and negative extension keys, so key 2 goes
 * first in the deterministic order of RFC 8949 section 4.2.1. The copy is
 * a map head with one more pair, then 2: nonce, then the old pairs.
 */
static tk_err add_nonce(const uint8_t *report, size_t len, struct tk_span nonce, uint8_t *out,
			size_t cap, size_t *out_len, struct tk_diag *diag)
{
	size_t head = report[0] == 0xb8 ? 2 : 1;
	uint64_t pairs = report[0] == 0xb8 ? report[1] : (uint64_t)(report[0] - 0xa0);
	struct tk_cbor_enc enc;

	if (len <= head || (report[0] != 0xb8 && (report[0] < 0xa1 || report[0] > 0xb7)) ||
	    !((report[head] > TK_SUIT_REPORT_KEY_NONCE && report[head] <= 0x1b) ||
	      (report[head] >= 0x20 && report[head] <= 0x3b)))
		return TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "stored boot report does not start with "
			       "a map whose first key is above suit-report-nonce");
	tk_cbor_enc_init(&enc, out, cap, diag);
	tk_cbor_put_map(&enc, pairs + 1);
	tk_cbor_put_uint(&enc, TK_SUIT_REPORT_KEY_NONCE);
	tk_cbor_put_bstr(&enc, nonce.ptr, nonce.len);
	tk_cbor_put_raw(&enc, report + head, len - head);
	return tk_cbor_enc_finish(&enc, out_len);
}

/* Sign (and encrypt) one plain report into out. */
static tk_err protect(const struct tk_agent_report *rep, const uint8_t *report, size_t len,
		      uint8_t *out, size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_suit_report_protect p = {0};
	size_t work_cap = rep->tam_key != NULL ? len + TK_SUIT_REPORT_PROTECT_OVERHEAD : 0;
	uint8_t *work = NULL;
	tk_err err;

	err = tk_tee_report_key(rep->tee, &p.report_key, diag);
	if (err == TK_OK && work_cap > 0 && (work = malloc(work_cap)) == NULL)
		err = TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes to encrypt a SUIT "
			      "report", work_cap);
	if (err == TK_OK) {
		p.alg = tk_cose_alg_for_key(p.report_key);
		p.recipient = rep->tam_key;
		err = tk_suit_report_protect(rep->crypto, &p, report, len, work, work_cap, out,
					     out_cap, out_len, diag);
	}
	free(work);
	return err;
}

tk_err tk_agent_boot_report_write(void *ctx, size_t index, struct tk_span nonce, uint8_t *out,
				  size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct tk_agent_tee *glue = ctx;
	const struct tk_agent_report *rep = glue->report;
	struct tk_agent_boot *boot = rep != NULL ? rep->boot : NULL;
	struct tk_suit_report check;
	uint8_t *plain = NULL;
	size_t plain_len = 0, cap;
	tk_err err;

	*out_len = 0;
	if (boot == NULL || index >= boot->count)
		return TK_FAIL(diag, TK_ERR_NOT_FOUND, "no boot report %zu", index);
	cap = boot->lens[index] + nonce.len + NONCE_OVERHEAD;

	/* A stored file is checked like a peer's report before it is signed. */
	err = tk_suit_report_decode(boot->reports[index], boot->lens[index], &check, diag);
	if (err == TK_OK && check.nonce.len > 0)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "stored boot report has a nonce already");
	if (err == TK_OK && (plain = malloc(cap)) == NULL)
		err = TK_FAIL(diag, TK_ERR_NOMEM, "cannot allocate %zu bytes for a report", cap);
	if (err == TK_OK && nonce.len > 0)
		err = add_nonce(boot->reports[index], boot->lens[index], nonce, plain, cap,
				&plain_len, diag);
	else if (err == TK_OK) {
		memcpy(plain, boot->reports[index], boot->lens[index]);
		plain_len = boot->lens[index];
	}
	if (err == TK_OK)
		err = protect(rep, plain, plain_len, out, out_cap, out_len, diag);
	if (err == TK_OK && index + 1 > boot->sent)
		boot->sent = index + 1;
	free(plain);
	return err;
}
