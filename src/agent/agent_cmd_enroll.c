/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-agent enroll-ak TEE --verifier URI: enroll the TPM attestation key
 * (AK) with a teep-verifier by credential activation (TPM 2.0 Library,
 * Part 1, section 24), so that the verifier trusts the AK's quotes as
 * coming from the TPM of the EK certificate it trusts:
 *
 *   1. POST URI/ak-enrollment/v1/new with the EK certificate, the AK's
 *      TPMT_PUBLIC and the UEID; the verifier returns a credential blob
 *      made for that EK and the AK's name.
 *   2. TPM2_ActivateCredential recovers the secret inside the TPM.
 *   3. POST URI/ak-enrollment/v1/<id> with the secret; the verifier
 *      enrolls the AK. The command prints the AK's kid and TPM name.
 *
 * JSON binary members are standard base64 with padding (RFC 4648
 * section 4). The secret is wiped from memory once sent.
 */
#include "agent/agent_cli.h"

#include <jansson.h>
#include <string.h>

#include "eat/tk_eat_tpm_credential.h"
#include "http/tk_http_request.h"

#define ENROLL_PATH "/ak-enrollment/v1/"

/* A URI suffix accepted and dropped, so the run --verifier URI works too. */
#define CR_SUFFIX "/challenge-response/v1"

/* Largest JSON request or response: a base64 EK certificate and some. */
#define JSON_MAX 16384

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 <= out_cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		v |= i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? in[i + 2] : 0;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

static int b64_value(char ch)
{
	const char *p = ch != '\0' ? strchr(b64_alphabet, ch) : NULL;

	return p != NULL ? (int)(p - b64_alphabet) : -1;
}

/* Decode padded standard base64; false for bad characters or length. */
static bool b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t len = strlen(in), o = 0;

	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t n = 3;

		for (size_t k = 0; k < 4; k++)
			v[k] = b64_value(in[i + k]);
		if (i + 4 == len && in[i + 3] == '=')
			n = in[i + 2] == '=' ? 1 : 2;
		if (v[0] < 0 || v[1] < 0 || (n >= 2 && v[2] < 0) || (n == 3 && v[3] < 0) ||
		    o + n > cap)
			return false;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (n >= 2)
			out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		if (n == 3)
			out[o++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
	}
	*out_len = o;
	return true;
}

/* State of one enrollment: the inputs sent, the credential received, the secret. */
struct enrollment {
	char base[TK_HTTP_CLIENT_MAX_URI];  /* verifier URI without a trailing slash */
	uint8_t ek_cert[TK_TEE_MAX_CERT_LEN];
	size_t ek_cert_len;
	uint8_t ak_public[TK_EAT_TPM_PUBLIC_MAX];
	size_t ak_public_len;
	uint8_t ueid[TK_TEE_UEID_LEN];
	size_t ueid_len;
	char id[2 * 16 + 1];                  /* pending enrollment id, hex */
	uint8_t id_object[TK_TEE_MAX_CREDENTIAL_BLOB_LEN];
	size_t id_object_len;
	uint8_t encrypted_secret[TK_TEE_MAX_CREDENTIAL_BLOB_LEN];
	size_t encrypted_secret_len;
	uint8_t secret[TK_TEE_MAX_CREDENTIAL_LEN];
	size_t secret_len;
};

/* Read what the verifier needs from the TEE. */
static tk_err read_tee(const struct tk_tee *tee, struct enrollment *e, struct tk_diag *diag)
{
	tk_err err = tk_tee_endorsement_certificate(tee, e->ek_cert, sizeof(e->ek_cert),
						    &e->ek_cert_len, diag);

	if (err == TK_OK)
		err = tk_tee_attestation_key_public(tee, e->ak_public, sizeof(e->ak_public),
						    &e->ak_public_len, diag);
	if (err == TK_OK)
		err = tk_tee_ueid(tee, e->ueid, sizeof(e->ueid), &e->ueid_len, diag);
	return err;
}

/* POST a JSON object to base + path; *reply is the parsed response object. */
static tk_err post_json(const struct enrollment *e, const char *path, json_t *body,
			long expected, json_t **reply, struct tk_diag *diag)
{
	struct tk_http_client_config cfg = {.log = &agent_log};
	struct tk_http_request req = {.content_type = "application/json",
				      .accept = "application/json"};
	struct tk_http_response resp;
	char uri[TK_HTTP_CLIENT_MAX_URI + 64];
	static char text[JSON_MAX];
	static uint8_t out[JSON_MAX];
	size_t len = body != NULL ? json_dumpb(body, text, sizeof(text), JSON_COMPACT) : 0;
	tk_err err;

	*reply = NULL;
	json_decref(body);
	if (len == 0 || len > sizeof(text))
		return TK_FAIL(diag, TK_ERR_INTERNAL, "cannot encode the enrollment request");
	snprintf(uri, sizeof(uri), "%s%s%s", e->base, ENROLL_PATH, path);
	req.uri = uri;
	req.body = (const uint8_t *)text;
	req.body_len = len;
	err = tk_http_request_post(&cfg, &req, out, sizeof(out), &resp, diag);
	tk_wipe(text, len);
	if (err != TK_OK)
		return err;
	*reply = json_loadb((const char *)out, resp.body_len, 0, NULL);
	if (resp.status != expected) {
		const char *detail = json_string_value(json_object_get(*reply, "detail"));

		err = TK_FAIL(diag, TK_ERR_HTTP_STATUS, "verifier answered %ld: %.200s",
			      resp.status, detail != NULL ? detail : "no detail");
	} else if (!json_is_object(*reply)) {
		err = TK_FAIL(diag, TK_ERR_SCHEMA_TYPE, "verifier's response is not a JSON "
			      "object");
	}
	if (err != TK_OK) {
		json_decref(*reply);
		*reply = NULL;
	}
	return err;
}

static bool get_b64(json_t *obj, const char *name, uint8_t *out, size_t cap, size_t *len)
{
	const char *text = json_string_value(json_object_get(obj, name));

	return text != NULL && b64_decode(text, out, cap, len) && *len > 0;
}

/* Step 1: send the EK certificate, AK and UEID; keep the credential. */
static tk_err begin(struct enrollment *e, struct tk_diag *diag)
{
	static char cert[2 * TK_TEE_MAX_CERT_LEN];
	char ak[2 * TK_EAT_TPM_PUBLIC_MAX], ueid[2 * TK_TEE_UEID_LEN + 4];
	const char *id;
	json_t *reply = NULL;
	tk_err err;

	b64_encode(e->ek_cert, e->ek_cert_len, cert, sizeof(cert));
	b64_encode(e->ak_public, e->ak_public_len, ak, sizeof(ak));
	b64_encode(e->ueid, e->ueid_len, ueid, sizeof(ueid));
	err = post_json(e, "new", json_pack("{s:s, s:s, s:s}", "ek_certificate", cert,
					    "ak_public", ak, "ueid", ueid), 201, &reply, diag);
	if (err != TK_OK)
		return err;
	id = json_string_value(json_object_get(reply, "id"));
	if (id == NULL || strlen(id) != sizeof(e->id) - 1 || strspn(id, "0123456789abcdef") !=
	    sizeof(e->id) - 1 ||
	    !get_b64(reply, "credential_blob", e->id_object, sizeof(e->id_object),
		     &e->id_object_len) ||
	    !get_b64(reply, "encrypted_secret", e->encrypted_secret,
		     sizeof(e->encrypted_secret), &e->encrypted_secret_len))
		err = TK_FAIL(diag, TK_ERR_SCHEMA_VALUE, "verifier's enrollment lacks a 32-digit "
			      "hex id, credential_blob or encrypted_secret");
	else
		memcpy(e->id, id, sizeof(e->id));
	json_decref(reply);
	return err;
}

/* Step 3: send the recovered secret; print the enrolled AK. */
static tk_err finish(struct enrollment *e, struct tk_diag *diag)
{
	char secret[2 * TK_TEE_MAX_CREDENTIAL_LEN + 4];
	const char *kid, *name;
	json_t *reply = NULL;
	tk_err err;

	b64_encode(e->secret, e->secret_len, secret, sizeof(secret));
	err = post_json(e, e->id, json_pack("{s:s}", "secret", secret), 200, &reply, diag);
	tk_wipe(secret, sizeof(secret));
	if (err != TK_OK)
		return err;
	kid = json_string_value(json_object_get(reply, "kid"));
	name = json_string_value(json_object_get(reply, "ak_name"));
	if (kid == NULL || name == NULL)
		err = TK_FAIL(diag, TK_ERR_SCHEMA_MISSING, "verifier's answer lacks kid or "
			      "ak_name");
	else
		printf("enrolled AK kid %.64s\nname: %.68s\n", kid, name);
	json_decref(reply);
	return err;
}

/* Copy the verifier URI without trailing slashes or the challenge-response path. */
static bool set_base(struct enrollment *e, const char *uri)
{
	size_t len = strlen(uri);

	while (len > 0 && uri[len - 1] == '/')
		len--;
	if (len >= strlen(CR_SUFFIX) &&
	    strncmp(uri + len - strlen(CR_SUFFIX), CR_SUFFIX, strlen(CR_SUFFIX)) == 0)
		len -= strlen(CR_SUFFIX);
	if (len == 0 || len >= sizeof(e->base))
		return false;
	memcpy(e->base, uri, len);
	e->base[len] = '\0';
	return true;
}

int agent_cmd_enroll_ak(const struct command *cmd, const struct args *args)
{
	const char *state = args->values[OPT_STATE][0];
	const char *uri = args->values[ENROLL_VERIFIER][0];
	static struct enrollment e;
	struct tk_tee tee = {0};
	struct tk_diag diag;
	tk_err err;

	memset(&e, 0, sizeof(e));
	if (args->count[OPT_BACKEND] == 0 || strcmp(args->values[OPT_BACKEND][0], "tpm") != 0)
		return agent_usage_error(cmd, "enroll-ak needs --backend tpm: the simulated TEE "
					 "has no endorsement key");
	if (!set_base(&e, uri))
		return agent_usage_error(cmd, "--verifier %.64s is empty or too long", uri);
	tk_diag_clear(&diag);
	err = agent_open_tee(args, false, 0, &tee, &diag);
	if (err != TK_OK)
		return agent_fail("cannot open the TEE state", state, err, &diag);

	err = read_tee(&tee, &e, &diag);
	if (err == TK_OK)
		err = begin(&e, &diag);
	if (err == TK_OK)
		err = tk_tee_activate_credential(&tee, e.id_object, e.id_object_len,
						 e.encrypted_secret, e.encrypted_secret_len,
						 e.secret, sizeof(e.secret), &e.secret_len, &diag);
	if (err == TK_OK)
		err = finish(&e, &diag);
	tk_tee_close(&tee);
	tk_wipe(e.secret, sizeof(e.secret));
	return err == TK_OK ? EXIT_OK : agent_fail("AK enrollment failed", uri, err, &diag);
}
