/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keeping and showing the attestation result a TAM handed back; see
 * agent_attest.h. The result is kept as received, signature included, so
 * a relying party can verify it with the verifier's key. show-result
 * prints its claims without checking the signature, and prints a line
 * stating that.
 */
#include "agent/agent_attest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent_cli.h"
#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"
#include "http/tk_http_request.h"
#include "teep/tk_teep_attest.h"

#define RESULT_FILE "attestation-result"
#define TYPE_FILE "attestation-result.type"

/* Largest media type kept, in bytes. */
#define TYPE_MAX 256

/* Largest encoded COSE_Key of the attestation key (P-256 takes 77 bytes). */
#define COSE_KEY_MAX 256

/* Largest diagnostic notation printed for a result. */
#define DIAG_MAX (64u * 1024u)

/* Write path atomically: a temporary file renamed over it, mode 0600. */
static tk_err write_file(const char *dir, const char *name, const uint8_t *data, size_t len,
			 struct tk_diag *diag)
{
	char path[4096], tmp[4112];
	tk_err err = TK_OK;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "state folder path too long");
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return TK_FAIL(diag, TK_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
	if (err == TK_OK && fsync(fd) != 0)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot sync %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && err == TK_OK)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
	if (err == TK_OK && rename(tmp, path) != 0)
		err = TK_FAIL(diag, TK_ERR_IO, "cannot rename %s: %s", tmp, strerror(errno));
	if (err != TK_OK)
		unlink(tmp);
	return err;
}

static tk_err save_result(void *ctx, struct tk_span result, struct tk_span format,
			  struct tk_diag *diag)
{
	struct agent_attest *a = ctx;
	tk_err err;

	if (result.len == 0 || result.len > AGENT_RESULT_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "attestation result of %zu bytes, "
			       "expected 1..%u", result.len, AGENT_RESULT_MAX);
	if (format.len > TYPE_MAX)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "media type of %zu bytes exceeds %d",
			       format.len, TYPE_MAX);
	/* The type goes first: a crash between the two leaves the old result
	 * with the new type, and both are EAR CWTs in this version. */
	err = write_file(a->state_dir, TYPE_FILE, format.ptr, format.len, diag);
	if (err == TK_OK)
		err = write_file(a->state_dir, RESULT_FILE, result.ptr, result.len, diag);
	if (err == TK_OK)
		a->saved = true;
	return err;
}

/* Measurements being added to the evidence. */
struct measurement_walk {
	struct tk_eat_claims *claims;
	uint8_t *buf;
	size_t cap;
	size_t used;
	struct tk_diag *diag;
};

static tk_err add_measurement(void *ctx, const struct tk_tee_measurement *m)
{
	struct measurement_walk *w = ctx;
	struct tk_eat_measured_component mc = {
		.component_id = tk_span_make(m->id, m->id_len),
		.digest_alg = TK_EAT_DIGEST_SHA256,
		.digest = tk_span_make(m->digest, sizeof(m->digest)),
		.has_pcr = m->pcr != 0,
		.pcr = m->pcr,
	};
	struct tk_eat_claims *claims = w->claims;
	size_t len = 0;
	tk_err err;

	if (claims->measurement_count == TK_EAT_MAX_MEASUREMENTS)
		return TK_FAIL(w->diag, TK_ERR_LIMIT_COUNT, "more than %d loaded components",
			       TK_EAT_MAX_MEASUREMENTS);
	err = tk_eat_encode_measured_component(&mc, w->buf + w->used, w->cap - w->used, &len,
					       w->diag);
	if (err != TK_OK)
		return err;
	claims->measurements[claims->measurement_count].content_type =
		TK_EAT_CONTENT_FORMAT_CBOR;
	claims->measurements[claims->measurement_count].body =
		tk_span_make(w->buf + w->used, len);
	claims->measurement_count++;
	w->used += len;
	return TK_OK;
}

/* Copy bytes into the walk's buffer; returns a view of the copy. */
static tk_err keep_bytes(struct measurement_walk *w, const uint8_t *data, size_t len,
			 struct tk_span *out)
{
	if (len > w->cap - w->used)
		return TK_FAIL(w->diag, TK_ERR_BUFFER_TOO_SMALL, "evidence claims exceed %zu "
			       "bytes", w->cap);
	memcpy(w->buf + w->used, data, len);
	*out = tk_span_make(w->buf + w->used, len);
	w->used += len;
	return TK_OK;
}

/* Running hash after the last load: the value of the measurement PCR. */
static tk_err keep_running(void *ctx, const struct tk_tee_measurement *m)
{
	memcpy(ctx, m->running, TK_TEE_DIGEST_LEN);
	return TK_OK;
}

/*
 * cnf as the TEEP key's COSE_Key rather than its kid: the quote binds the
 * key's thumbprint, so a verifier that enrolled the AK can check the evidence
 * with this key without the TEEP key being enrolled.
 */
static tk_err add_cnf_key(const struct tk_tee *tee, struct measurement_walk *w)
{
	uint8_t cose_key[COSE_KEY_MAX];
	char pem[TK_CRYPTO_PEM_MAX];
	struct tk_crypto_key *key = NULL;
	size_t pem_len = 0, key_len = 0;
	tk_err err;

	err = tk_tee_public_key_pem(tee, pem, sizeof(pem), &pem_len, w->diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem, pem_len,
					       &key, w->diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(key, TK_SPAN_EMPTY, 0, cose_key,
						sizeof(cose_key), &key_len, w->diag);
	tk_crypto_key_free(key);
	if (err == TK_OK)
		err = keep_bytes(w, cose_key, key_len, &w->claims->cnf_key);
	if (err == TK_OK)
		w->claims->cnf_kid = TK_SPAN_EMPTY;
	return err;
}

/*
 * The tpm-quote claim of a TPM-backed TEE. It carries a quote of the
 * measurement PCR by the attestation key (AK), the PCR's value, the AK as
 * a COSE_Key and the EK certificate. The TEE binds the quote's qualifying
 * data to the evidence's eat_nonce and the TEEP key, which cnf then
 * carries as a COSE_Key. A verifier checks the quote with the AK it
 * enrolled and replays the measurements to the PCR value. Other backends
 * make no such quote, so the claim is left out and cnf stays a kid.
 */
static tk_err add_tpm_quote(const struct tk_tee *tee, struct tk_span nonce,
			    struct measurement_walk *w)
{
	struct tk_eat_tpm_claim *tpm = &w->claims->tpm;
	static const uint8_t zero[TK_TEE_DIGEST_LEN];
	uint8_t pcr[TK_TEE_DIGEST_LEN];
	uint8_t ak_key[COSE_KEY_MAX];
	uint8_t ek[TK_TEE_MAX_CERT_LEN];
	char pem[TK_CRYPTO_PEM_MAX];
	struct tk_tee_quote quote;
	struct tk_crypto_key *ak = NULL;
	size_t pem_len = 0, ak_len = 0, ek_len = 0;
	struct tk_diag local;
	tk_err err;

	memset(&quote, 0, sizeof(quote));
	tk_diag_clear(&local);
	err = tk_tee_quote(tee, nonce.ptr, nonce.len, &quote, &local);
	if (err == TK_ERR_UNSUPPORTED || (err == TK_OK && quote.format != TK_TEE_QUOTE_TPM2))
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(w->diag, err, "TPM quote failed: %s", local.msg);
	memcpy(pcr, zero, sizeof(pcr));
	err = tk_tee_list_measurements(tee, keep_running, pcr, w->diag);
	if (err == TK_OK)
		err = tk_tee_attestation_key_pem(tee, pem, sizeof(pem), &pem_len, w->diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem, pem_len,
					       &ak, w->diag);
	if (err == TK_OK)
		err = tk_cose_key_encode_public(ak, TK_SPAN_EMPTY, 0, ak_key,
						sizeof(ak_key), &ak_len, w->diag);
	tk_crypto_key_free(ak);
	if (err == TK_OK)
		err = tk_tee_endorsement_certificate(tee, ek, sizeof(ek), &ek_len, w->diag);
	if (err == TK_OK)
		err = keep_bytes(w, quote.attest, quote.attest_len, &tpm->attest);
	if (err == TK_OK)
		err = keep_bytes(w, quote.signature, quote.signature_len, &tpm->signature);
	if (err == TK_OK)
		err = keep_bytes(w, pcr, sizeof(pcr), &tpm->pcrs[0].value);
	if (err == TK_OK)
		err = keep_bytes(w, ak_key, ak_len, &tpm->ak_key);
	if (err == TK_OK && ek_len > 0)
		err = keep_bytes(w, ek, ek_len, &tpm->ek_chain[0]);
	if (err == TK_OK)
		err = add_cnf_key(tee, w);
	if (err != TK_OK)
		return err;
	tpm->pcrs[0].index = TK_TEE_TPM_DEFAULT_PCR;
	tpm->pcr_count = 1;
	tpm->ek_chain_count = ek_len > 0 ? 1 : 0;
	w->claims->present |= TK_EAT_HAS_TPM_QUOTE;
	return TK_OK;
}

/*
 * The teepkit-encryption-kid claim: the RFC 9679 thumbprint of the key
 * data providers encrypt personalization data to, so the result about
 * this evidence names it. A TEE without such a key leaves the claim out.
 */
static tk_err add_encryption_kid(const struct tk_tee *tee, struct measurement_walk *w)
{
	uint8_t kid[TK_CRYPTO_SHA256_LEN];
	char pem[TK_CRYPTO_PEM_MAX];
	struct tk_crypto_key *key = NULL;
	size_t pem_len = 0;
	struct tk_diag local;
	tk_err err;

	tk_diag_clear(&local);
	err = tk_tee_encryption_public_key_pem(tee, pem, sizeof(pem), &pem_len, &local);
	if (err == TK_ERR_UNSUPPORTED || err == TK_ERR_NOT_FOUND)
		return TK_OK;
	if (err != TK_OK)
		return TK_FAIL(w->diag, err, "TEE encryption key: %s", local.msg);
	err = tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem, pem_len, &key,
				       w->diag);
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, kid, w->diag);
	tk_crypto_key_free(key);
	if (err == TK_OK)
		err = keep_bytes(w, kid, sizeof(kid), &w->claims->encryption_kid);
	if (err == TK_OK)
		w->claims->present |= TK_EAT_HAS_ENCRYPTION_KID;
	return err;
}

/*
 * The measurements claim: one entry per load in the TEE's measurement log,
 * oldest first, so the evidence shows every component loaded since the
 * log began (nothing loaded: no claim). A TPM-backed TEE adds its quote.
 * Every TEE with a payload-encryption key adds that key's thumbprint.
 */
static tk_err evidence_claims(void *ctx, struct tk_span nonce, struct tk_eat_claims *claims,
			      uint8_t *buf, size_t buf_cap, size_t *used, struct tk_diag *diag)
{
	struct agent_attest *a = ctx;
	struct measurement_walk w = {
		.claims = claims, .buf = buf, .cap = buf_cap, .diag = diag,
	};
	tk_err err;

	*used = 0;
	if (a->tee == NULL)
		return TK_OK;
	claims->measurement_count = 0;
	err = tk_tee_list_measurements(a->tee, add_measurement, &w, diag);
	if (err != TK_OK)
		return err;
	if (claims->measurement_count > 0)
		claims->present |= TK_EAT_HAS_MEASUREMENTS;
	err = add_tpm_quote(a->tee, nonce, &w);
	if (err == TK_OK)
		err = add_encryption_kid(a->tee, &w);
	if (err != TK_OK)
		return err;
	*used = w.used;
	return TK_OK;
}

/* Path of teep-verifier's newSession under the verifier URI. */
#define NEW_SESSION_PATH "/challenge-response/v1/newSession"

/* Nonce length teep-verifier sessions take (TK_VERIFIER_NONCE_LEN). */
#define VERIFIER_NONCE_LEN 32

/* Standard base64 with padding (RFC 4648 section 4); out has 4 * ceil(len / 3) + 1 bytes. */
static void base64_encode(const uint8_t *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		v |= i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? in[i + 2] : 0;
		out[n++] = alphabet[v >> 18 & 63];
		out[n++] = alphabet[v >> 12 & 63];
		out[n++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[n] = '\0';
}

/* Length of the scheme://host[:port] part of an http(s) URI. */
static size_t origin_length(const char *uri)
{
	const char *host = strstr(uri, "://");
	const char *path = host != NULL ? strchr(host + 3, '/') : NULL;

	return path != NULL ? (size_t)(path - uri) : strlen(uri);
}

/*
 * Passport model, first step: open a verifier session whose nonce is the
 * TAM's challenge, so the verifier's result carries the challenge that the
 * TAM checks. The evidence then carries the challenge too.
 */
static tk_err passport_nonce(void *ctx, struct tk_span challenge, uint8_t *out,
			     size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct agent_attest *a = ctx;
	struct tk_http_client_config http = {.ca_file = a->ca_file};
	char uri[TK_HTTP_CLIENT_MAX_URI + sizeof(NEW_SESSION_PATH)];
	char body[96], nonce[64];
	struct tk_http_request req = {.content_type = "application/json",
				      .accept = "application/json"};
	struct tk_http_response resp;
	uint8_t reply[4096];
	size_t origin = origin_length(a->verifier_uri), base = strlen(a->verifier_uri);
	tk_err err;

	*out_len = 0;
	if (challenge.len != VERIFIER_NONCE_LEN || challenge.len > out_cap)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED, "teep-verifier sessions take %d-byte "
			       "nonces; the TAM's challenge has %zu bytes", VERIFIER_NONCE_LEN,
			       challenge.len);
	while (base > 0 && a->verifier_uri[base - 1] == '/')
		base--;
	snprintf(uri, sizeof(uri), "%.*s%s", (int)base, a->verifier_uri, NEW_SESSION_PATH);
	base64_encode(challenge.ptr, challenge.len, nonce);
	snprintf(body, sizeof(body), "{\"nonce\": \"%s\"}", nonce);
	req.uri = uri;
	req.body = (const uint8_t *)body;
	req.body_len = strlen(body);
	err = tk_http_request_post(&http, &req, reply, sizeof(reply), &resp, diag);
	if (err == TK_OK && resp.status != 201)
		err = TK_FAIL(diag, TK_ERR_HTTP_STATUS, "verifier newSession answered %ld",
			      resp.status);
	/* The session must live on the verifier's own origin. */
	if (err == TK_OK && resp.location[0] != '/')
		err = TK_FAIL(diag, TK_ERR_PROTOCOL, "verifier session Location is not a path");
	if (err == TK_OK && (size_t)snprintf(a->session_url, sizeof(a->session_url), "%.*s%s",
					     (int)origin, a->verifier_uri, resp.location) >=
				    sizeof(a->session_url))
		err = TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "verifier session URL too long");
	if (err != TK_OK)
		return err;
	memcpy(out, challenge.ptr, challenge.len);
	*out_len = challenge.len;
	return TK_OK;
}

/* Passport model, second step: the evidence for the session's result (an EAR). */
static tk_err passport_result(void *ctx, struct tk_span evidence, uint8_t *out, size_t out_cap,
			      size_t *out_len, struct tk_diag *diag)
{
	struct agent_attest *a = ctx;
	struct tk_http_client_config http = {.ca_file = a->ca_file};
	struct tk_http_request req = {
		.uri = a->session_url,
		.content_type = "application/eat+cwt; eat_profile=\"" TK_EAT_TEEP_PROFILE "\"",
		.accept = TK_TEEP_EAR_MEDIA_TYPE,
		.body = evidence.ptr,
		.body_len = evidence.len,
	};
	struct tk_http_response resp;
	tk_err err;

	*out_len = 0;
	if (a->session_url[0] == '\0')
		return TK_FAIL(diag, TK_ERR_STATE, "no verifier session is open");
	err = tk_http_request_post(&http, &req, out, out_cap, &resp, diag);
	a->session_url[0] = '\0';
	if (err == TK_OK && resp.status != 200)
		err = TK_FAIL(diag, TK_ERR_HTTP_STATUS, "verifier answered %ld to the evidence",
			      resp.status);
	if (err == TK_OK)
		*out_len = resp.body_len;
	return err;
}

struct tk_teep_agent_attest_ops agent_attest_ops(struct agent_attest *ctx)
{
	struct tk_teep_agent_attest_ops ops = {
		.evidence_claims = evidence_claims, .save_result = save_result, .ctx = ctx,
	};

	if (ctx->verifier_uri != NULL) {
		ops.passport_nonce = passport_nonce;
		ops.passport_result = passport_result;
	}

	return ops;
}

/* Read a whole file of at most max bytes into a new buffer. */
static tk_err read_file(const char *dir, const char *name, size_t max, uint8_t **out,
			size_t *out_len, struct tk_diag *diag)
{
	char path[4096];
	uint8_t *buf;
	size_t len;
	FILE *f;

	*out = NULL;
	*out_len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return TK_FAIL(diag, errno == ENOENT ? TK_ERR_NOT_FOUND : TK_ERR_IO,
			       "%s: %s", name, strerror(errno));
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		return TK_FAIL(diag, TK_ERR_NOMEM, "%zu bytes", max);
	}
	len = fread(buf, 1, max + 1, f);
	fclose(f);
	if (len > max) {
		free(buf);
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "%s is larger than %zu bytes", name, max);
	}
	*out = buf;
	*out_len = len;
	return TK_OK;
}

static void print_hex(const char *label, struct tk_span bytes)
{
	printf("%s: ", label);
	for (size_t i = 0; i < bytes.len; i++)
		printf("%02x", bytes.ptr[i]);
	printf("%s\n", bytes.len == 0 ? "none" : "");
}

static void print_time(const char *label, int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;
	char text[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ",
						   &tm) == 0)
		snprintf(text, sizeof(text), "%lld", (long long)when);
	printf("%s: %s\n", label, text);
}

/* Claims-Set of a CWT ([#6.61] COSE_Sign1), without checking the signature. */
static tk_err cwt_payload(struct tk_span cwt, struct tk_span *payload, struct tk_diag *diag)
{
	struct tk_cose_headers body, signer;
	struct tk_cbor_dec dec;
	struct tk_span sign1;
	bool tagged;
	tk_err err;

	err = tk_cbor_dec_init(&dec, cwt.ptr, cwt.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_cbor_skip_tag(&dec, TK_EAT_TAG_CWT, &tagged);
	if (err == TK_OK)
		err = tk_cbor_get_raw(&dec, &sign1);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK)
		err = tk_cose_peek(sign1.ptr, sign1.len, &body, &signer, payload, diag);
	return err;
}

/* Print the EAR's claims; out of line because struct tk_ear is large. */
static tk_err print_ear(struct tk_span payload, struct tk_diag *diag)
{
	struct tk_ear *ear = calloc(1, sizeof(*ear));
	char *text = malloc(DIAG_MAX);
	size_t text_len = 0;
	const char *status;
	tk_err err;

	if (ear == NULL || text == NULL) {
		free(ear);
		free(text);
		return TK_FAIL(diag, TK_ERR_NOMEM, "EAR record");
	}
	err = tk_ear_decode(payload.ptr, payload.len, ear, diag);
	if (err == TK_OK) {
		status = tk_ear_status_name(tk_ear_overall_status(ear));
		printf("status: %s\n", status != NULL ? status : "unknown");
		printf("verifier: %.*s %.*s\n", (int)ear->verifier_developer.len,
		       (const char *)ear->verifier_developer.ptr, (int)ear->verifier_build.len,
		       (const char *)ear->verifier_build.ptr);
		print_time("issued", ear->iat);
		if (ear->has_exp)
			print_time("expires", ear->exp);
		print_hex("nonce", ear->nonce);
		print_hex("cnf-kid", ear->cnf_kid);
		err = tk_cbor_to_diag(payload.ptr, payload.len, TK_CBOR_ALLOW_ALL, true,
				      tk_ear_names(), text, DIAG_MAX, &text_len, diag);
	}
	if (err == TK_OK)
		printf("claims:\n%.*s\n", (int)text_len, text);
	free(ear);
	free(text);
	return err;
}

tk_err agent_attest_show(const char *state_dir, struct tk_diag *diag)
{
	uint8_t *result = NULL, *type = NULL;
	size_t result_len = 0, type_len = 0;
	struct tk_span payload;
	tk_err err;

	err = read_file(state_dir, RESULT_FILE, AGENT_RESULT_MAX, &result, &result_len, diag);
	if (err == TK_OK)
		err = read_file(state_dir, TYPE_FILE, TYPE_MAX, &type, &type_len, diag);
	if (err == TK_OK) {
		printf("media-type: %.*s\nsize: %zu bytes\n", (int)type_len, (const char *)type,
		       result_len);
		printf("signature: not checked (verify it with the verifier's key)\n");
		err = cwt_payload(tk_span_make(result, result_len), &payload, diag);
	}
	if (err == TK_OK)
		err = print_ear(payload, diag);
	free(result);
	free(type);
	return err;
}

int agent_cmd_show_result(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	struct tk_diag diag;
	tk_err err;

	(void)cmd;
	tk_diag_clear(&diag);
	err = agent_attest_show(state, &diag);
	if (err == TK_ERR_NOT_FOUND) {
		printf("no attestation result kept\n");
		return EXIT_OK;
	}
	if (err != TK_OK)
		return agent_fail("cannot show the attestation result", state, err, &diag);
	return EXIT_OK;
}
