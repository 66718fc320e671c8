/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-tam and SUIT reports: enrolling an agent's report key with its
 * agent key (enroll-agent --report-key), loading the TAM's report
 * decryption key (serve --decryption-key) and listing the stored
 * reports (show-reports).
 *
 * The TAM learns an agent's report key from its administrator, who reads
 * it with `teep-agent report-pubkey` next to `teep-agent pubkey`, because
 * draft-ietf-teep-protocol requires the report key to differ from the TEEP
 * key and names no way to convey it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cose/tk_cose.h"
#include "store/tk_store_report.h"
#include "store/tk_store_sqlite.h"
#include "suit/tk_suit_report.h"
#include "tam.h"

/* Read a PEM key file; `want_private` selects which half must be there. */
static tk_err read_key(const char *path, bool want_private, struct tk_crypto_key **out,
		       struct tk_diag *diag)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	tk_err err;

	*out = NULL;
	err = tam_read_file(path, &pem, &pem_len, diag);
	if (err == TK_OK)
		err = tk_crypto_key_import_pem(tk_crypto_openssl(), pem, pem_len, out, diag);
	tam_free_file(pem, pem_len);
	if (err == TK_OK && tk_crypto_key_has_private(*out) != want_private)
		err = TK_FAIL(diag, TK_ERR_KEY, want_private
			      ? "a public key; the TAM needs its private key"
			      : "a private key was given where a public key belongs; export the "
				"public part");
	if (err == TK_OK && want_private)
		err = tam_check_private_file(path, diag);
	if (err != TK_OK) {
		tk_crypto_key_free(*out);
		*out = NULL;
	}
	return err;
}

tk_err tam_enroll_report_key(const struct tk_store *st, const uint8_t agent_kid[32],
			     const char *path, uint8_t report_kid[32], struct tk_diag *diag)
{
	struct tk_store_report_key rec = {.enrolled_at = (int64_t)time(NULL)};
	struct tk_crypto_key *key = NULL;
	tk_err err;

	memcpy(rec.agent_kid, agent_kid, sizeof(rec.agent_kid));
	err = read_key(path, false, &key, diag);
	if (err == TK_OK && tk_cose_alg_for_key(key) == 0)
		err = TK_FAIL(diag, TK_ERR_KEY, "report key is neither P-256 nor Ed25519");
	if (err == TK_OK)
		err = tk_cose_key_thumbprint_crypto(tk_crypto_openssl(), key, rec.report_kid, diag);
	if (err == TK_OK && memcmp(rec.report_kid, agent_kid, sizeof(rec.report_kid)) == 0)
		err = TK_FAIL(diag, TK_ERR_KEY, "the report key is the agent's TEEP key; "
			      "draft-ietf-teep-protocol requires another one");
	if (err == TK_OK)
		err = tk_cose_key_encode_public(key, TK_SPAN_EMPTY, tk_cose_alg_for_key(key),
						rec.pubkey, sizeof(rec.pubkey), &rec.pubkey_len,
						diag);
	tk_crypto_key_free(key);
	if (err == TK_OK)
		err = tk_store_report_key_set(st, &rec, diag);
	if (err == TK_OK)
		memcpy(report_kid, rec.report_kid, sizeof(rec.report_kid));
	return err;
}

int tam_load_report_decryption_key(const struct tam_command *cmd, const struct tam_args *args,
				   struct tk_crypto_key **out)
{
	const char *path = tam_get(cmd, args, "decryption-key");
	const char *old_name = tam_get(cmd, args, "report-decryption-key");
	struct tk_diag diag;
	tk_err err;

	*out = NULL;
	if (path != NULL && old_name != NULL)
		return tam_misuse(cmd, "--decryption-key and --report-decryption-key name the "
				  "same key; give one");
	if (path == NULL)
		path = old_name;
	if (path == NULL)
		return TAM_EXIT_OK;
	tk_diag_clear(&diag);
	err = read_key(path, true, out, &diag);
	if (err == TK_OK && tk_crypto_key_type(*out) != TK_CRYPTO_KEY_P256) {
		err = TK_FAIL(&diag, TK_ERR_KEY, "not a P-256 key, which ECDH-ES+A128KW needs");
		tk_crypto_key_free(*out);
		*out = NULL;
	}
	if (err != TK_OK)
		return tam_fail("cannot load the report decryption key", path, &diag);
	return TAM_EXIT_OK;
}

struct report_listing {
	size_t count;
};

static void print_uri(struct tk_span uri)
{
	if (uri.len == 0) {
		printf("none");
		return;
	}
	for (size_t i = 0; i < uri.len; i++) {
		uint8_t c = uri.ptr[i];

		/* C0 and C1 controls (U+0080..U+009F is c2 80..c2 9f) print as '?'. */
		if (c == 0xc2 && i + 1 < uri.len && uri.ptr[i + 1] >= 0x80 &&
		    uri.ptr[i + 1] <= 0x9f) {
			c = '?';
			i++;
		}
		putchar(c < 0x20 || c == 0x7f ? '?' : c);
	}
}

static tk_err print_report(void *cb_ctx, const struct tk_store_suit_report *r)
{
	struct report_listing *listing = cb_ctx;
	char at[21];

	tam_time_format(r->received_at, at);
	printf("%ssuit-report: %lld\n  device: ", listing->count++ > 0 ? "\n" : "",
	       (long long)r->id);
	tam_hex_print(stdout, r->ueid);
	printf("\n  kid: ");
	tam_hex_print(stdout, tk_span_make(r->kid, sizeof(r->kid)));
	printf("\n  received: %s\n  manifest: sha-256:", at);
	tam_hex_print(stdout, r->digest);
	printf("\n  uri: ");
	print_uri(r->uri);
	if (r->success)
		printf("\n  result: success\n");
	else
		printf("\n  result: %s (code %lld)\n", tk_suit_report_reason_name(r->reason),
		       (long long)r->result_code);
	printf("  kind: %s\n  records: %llu\n  encrypted: %s\n  report: ",
	       r->boot ? "boot (QueryResponse)" : "update (Success or Error)",
	       (unsigned long long)r->record_count, r->encrypted ? "yes" : "no");
	tam_diag_print(stdout, r->report);
	printf("\n");
	return TK_OK;
}

int tam_show_reports(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *db = tam_get(cmd, args, "db");
	const char *hex = tam_get(cmd, args, "device");
	struct report_listing listing = {0};
	uint8_t ueid[TK_STORE_UEID_MAX];
	size_t ueid_len = 0;
	struct tk_store st = {0};
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	if (hex != NULL && (tam_hex_parse(hex, ueid, sizeof(ueid), &ueid_len, &diag) != TK_OK ||
			    ueid_len == 0))
		return tam_misuse(cmd, "--device %s is not the hex of 1..%d bytes", hex,
				  TK_STORE_UEID_MAX);
	if ((rc = tam_open_existing_store(db, &st)) != TAM_EXIT_OK)
		return rc;
	err = tk_store_suit_report_each(&st, tk_span_make(ueid, ueid_len), 0, print_report,
					&listing, &diag);
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot list SUIT reports", db, &diag);
	if (listing.count == 0)
		printf("no SUIT reports\n");
	return TAM_EXIT_OK;
}
