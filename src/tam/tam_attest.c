/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation commands of teep-tam: device groups, the policy of each
 * group, and the history of attestation results.
 *
 *   set-group    --device UEID --group NAME     place a device in a group
 *   set-policy   --group NAME --warning accept|reject
 *   show-results [--device UEID]                 history, newest first
 *
 * show-results prints one block per appraisal, blocks separated by a
 * blank line, as `name: value` lines that scripts parse:
 *   attestation: <id>
 *     device: <ueid hex>
 *     kid: <hex>
 *     appraised: <UTC time>
 *     model: enrolled-key|background-check|passport
 *     tier: none|affirming|warning|contraindicated
 *     decision: proceed|refuse
 *     group: <name>
 *     verifier: <name>|none
 *     reason: <text>|none
 *     result: <media type> <size> bytes|none
 *     result-claims: <claims in CBOR diagnostic notation, one line>
 *                    (only for a CWT result; its signature is not checked)
 * or the line "no attestation results".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cbor/tk_cbor.h"
#include "cose/tk_cose.h"
#include "eat/tk_ear.h"
#include "eat/tk_eat.h"

#include "store/tk_store_attest.h"
#include "store/tk_store_sqlite.h"
#include "tam.h"

/* Parse --device UEID hex (1..TK_STORE_UEID_MAX bytes); returns an exit code. */
static int parse_ueid(const struct tam_command *cmd, const char *hex, uint8_t *out,
		      size_t *out_len)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tam_hex_parse(hex, out, TK_STORE_UEID_MAX, out_len, &diag) != TK_OK ||
	    *out_len == 0)
		return tam_misuse(cmd, "--device %s is not the hex of 1..%d bytes", hex,
				  TK_STORE_UEID_MAX);
	return TAM_EXIT_OK;
}

static int check_group(const struct tam_command *cmd, const char *group)
{
	struct tk_diag diag;

	tk_diag_clear(&diag);
	if (tk_store_group_name_check(group, &diag) != TK_OK)
		return tam_misuse(cmd, "--group %s: %s", group, diag.msg);
	return TAM_EXIT_OK;
}

/* Run one change and its audit line in a transaction; returns the error. */
static tk_err commit_change(const struct tk_store *st, tk_err err, struct tk_diag *diag)
{
	if (err == TK_OK)
		err = tk_store_commit(st, diag);
	if (err != TK_OK)
		tk_store_rollback(st);
	return err;
}

int tam_set_group(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *hex = tam_get(cmd, args, "device");
	const char *group = tam_get(cmd, args, "group");
	uint8_t ueid[TK_STORE_UEID_MAX];
	size_t ueid_len = 0;
	struct tk_store st = {0};
	int64_t now = (int64_t)time(NULL);
	char detail[TK_STORE_GROUP_MAX + 2 * TK_STORE_UEID_MAX + 8];
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = parse_ueid(cmd, hex, ueid, &ueid_len)) != TAM_EXIT_OK ||
	    (rc = check_group(cmd, group)) != TAM_EXIT_OK)
		return rc;
	if ((rc = tam_open_existing_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		return rc;
	snprintf(detail, sizeof(detail), "%s %s", hex, group);
	err = tk_store_begin(&st, &diag);
	if (err == TK_OK) {
		err = tk_store_device_group_set(&st, tk_span_make(ueid, ueid_len), group, now,
						&diag);
		if (err == TK_OK)
			err = tk_store_audit_add(&st, now, "set-group", detail, &diag);
		err = commit_change(&st, err, &diag);
	}
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot set the group", hex, &diag);
	printf("device: %s group: %s\n", hex, group);
	return TAM_EXIT_OK;
}

int tam_set_policy(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *group = tam_get(cmd, args, "group");
	const char *warning = tam_get(cmd, args, "warning");
	struct tk_store st = {0};
	int64_t now = (int64_t)time(NULL);
	char detail[TK_STORE_GROUP_MAX + 32];
	struct tk_diag diag;
	bool accept;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if ((rc = check_group(cmd, group)) != TAM_EXIT_OK)
		return rc;
	if (strcmp(warning, "accept") != 0 && strcmp(warning, "reject") != 0)
		return tam_misuse(cmd, "--warning %s is neither accept nor reject", warning);
	accept = strcmp(warning, "accept") == 0;
	if ((rc = tam_open_existing_store(tam_get(cmd, args, "db"), &st)) != TAM_EXIT_OK)
		return rc;
	snprintf(detail, sizeof(detail), "%s warning %s", group, warning);
	err = tk_store_begin(&st, &diag);
	if (err == TK_OK) {
		err = tk_store_group_policy_set(&st, group, accept, now, &diag);
		if (err == TK_OK)
			err = tk_store_audit_add(&st, now, "set-policy", detail, &diag);
		err = commit_change(&st, err, &diag);
	}
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot set the policy", group, &diag);
	printf("group: %s warning: %s\n", group, warning);
	return TAM_EXIT_OK;
}

/* Print text with control characters replaced, so one record stays one line. */
static void print_text(struct tk_span text)
{
	for (size_t i = 0; i < text.len; i++) {
		uint8_t c = text.ptr[i];

		putchar(c < 0x20 || c == 0x7f ? '?' : c);
	}
}

static const char *decision_name(enum tk_store_attest_decision d)
{
	return d == TK_STORE_DECISION_PROCEED ? "proceed" : "refuse";
}

struct result_listing {
	size_t count;
};

/* Largest diagnostic notation printed for a result's claims, in bytes. */
#define CLAIMS_TEXT_MAX (64u * 1024u)

/*
 * Print the claims of a CWT result ([#6.61] COSE_Sign1) on one line, with
 * the EAR's claim names; nothing when it is not one. The signature was
 * checked when the TAM accepted the result, not here.
 */
static void print_result_claims(struct tk_span cwt)
{
	struct tk_cose_headers body, signer;
	struct tk_span sign1, payload;
	struct tk_cbor_dec dec;
	size_t len = 0;
	bool tagged;
	char *text;

	if (tk_cbor_dec_init(&dec, cwt.ptr, cwt.len, TK_CBOR_STRICT, NULL) != TK_OK ||
	    tk_cbor_skip_tag(&dec, TK_EAT_TAG_CWT, &tagged) != TK_OK ||
	    tk_cbor_get_raw(&dec, &sign1) != TK_OK || tk_cbor_dec_finish(&dec) != TK_OK ||
	    tk_cose_peek(sign1.ptr, sign1.len, &body, &signer, &payload, NULL) != TK_OK)
		return;
	text = malloc(CLAIMS_TEXT_MAX);
	if (text == NULL)
		return;
	if (tk_cbor_to_diag(payload.ptr, payload.len, TK_CBOR_ALLOW_ALL, false, tk_ear_names(),
			    text, CLAIMS_TEXT_MAX, &len, NULL) == TK_OK)
		printf("  result-claims: %.*s\n", (int)len, text);
	free(text);
}

static tk_err print_result(void *cb_ctx, const struct tk_store_attestation *a)
{
	struct result_listing *listing = cb_ctx;
	char at[21];

	tam_time_format(a->appraised_at, at);
	printf("%sattestation: %lld\n  device: ", listing->count++ > 0 ? "\n" : "",
	       (long long)a->id);
	tam_hex_print(stdout, a->ueid);
	printf("\n  kid: ");
	tam_hex_print(stdout, tk_span_make(a->kid, sizeof(a->kid)));
	printf("\n  appraised: %s\n  model: %s\n  tier: %s\n  decision: %s\n  group: ", at,
	       tk_store_model_name(a->model), tk_store_tier_name(a->tier),
	       decision_name(a->decision));
	print_text(a->group);
	printf("\n  verifier: ");
	if (a->verifier.len > 0)
		print_text(a->verifier);
	else
		printf("none");
	printf("\n  reason: ");
	if (a->reason.len > 0)
		print_text(a->reason);
	else
		printf("none");
	printf("\n  result: ");
	if (a->result.len == 0) {
		printf("none\n");
		return TK_OK;
	}
	print_text(a->media_type);
	printf(" %zu bytes\n", a->result.len);
	print_result_claims(a->result);
	return TK_OK;
}

int tam_show_results(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *db = tam_get(cmd, args, "db");
	const char *hex = tam_get(cmd, args, "device");
	struct result_listing listing = {0};
	uint8_t ueid[TK_STORE_UEID_MAX];
	size_t ueid_len = 0;
	struct tk_store st = {0};
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if (hex != NULL && (rc = parse_ueid(cmd, hex, ueid, &ueid_len)) != TAM_EXIT_OK)
		return rc;
	if ((rc = tam_open_existing_store(db, &st)) != TAM_EXIT_OK)
		return rc;
	err = tk_store_attestation_each(&st, tk_span_make(ueid, ueid_len), 0, print_result,
					&listing, &diag);
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot list attestation results", db, &diag);
	if (listing.count == 0)
		printf("no attestation results\n");
	return TAM_EXIT_OK;
}

/* Line of show-devices with the latest appraisal of one device. */
static tk_err print_latest(void *cb_ctx, const struct tk_store_attestation *a)
{
	bool *printed = cb_ctx;
	char at[21];

	tam_time_format(a->appraised_at, at);
	printf("  attestation: %s %s %s %s group ", tk_store_tier_name(a->tier),
	       tk_store_model_name(a->model), decision_name(a->decision), at);
	print_text(a->group);
	printf("\n");
	*printed = true;
	return TK_OK;
}

tk_err tam_print_latest_attestation(const struct tk_store *st, struct tk_span ueid,
				    struct tk_diag *diag)
{
	char group[TK_STORE_GROUP_MAX + 1];
	bool printed = false;
	tk_err err;

	err = tk_store_device_group_get(st, ueid, group, sizeof(group), diag);
	if (err != TK_OK)
		return err;
	printf("  group: %s\n", group);
	err = tk_store_attestation_each(st, ueid, 1, print_latest, &printed, diag);
	if (err == TK_OK && !printed)
		printf("  attestation: none\n");
	return err;
}
