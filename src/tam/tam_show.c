/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The listing commands of teep-tam. Each opens an existing database (which
 * applies any schema migration it lacks, but changes no record), reads it,
 * and prints `name: value` lines on stdout, which scripts parse:
 *
 *   show-devices   one block per device, blocks separated by a blank line:
 *                  device: <ueid hex>
 *                    kid: <hex>|none
 *                    first-seen: <UTC time>
 *                    last-seen: <UTC time>
 *                    installed: <component id hex> sha-256:<hex>|none <diag>
 *                    group: <name>
 *                    attestation: <tier> <model> proceed|refuse <UTC time>
 *                                 group <name> | none
 *                    last-result: success <UTC time>
 *                                 | error <err-code> <UTC time> <err-msg>
 *                                 | none
 *                  or the line "no devices".
 *   show-manifests one block per manifest component id, blocks separated
 *                  by a blank line:
 *                  manifest-component-id: <hex>
 *                    manifest-component-id-diag: <CBOR diagnostic notation>
 *                    then for each registered sequence number, lowest first:
 *                    sequence-number: <decimal>
 *                    manifest-digest: sha-256:<hex>
 *                    image-digest: sha-256:<hex>|none
 *                    added: <UTC time>
 *                    then one line per policy, or "required-on: none":
 *                    required-on: all|<ueid hex>
 *                  or the line "no manifests".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/tk_store_sqlite.h"
#include "tam.h"

/* Print peer text with control characters replaced, so one record stays one line. */
static void print_text(struct tk_span text)
{
	for (size_t i = 0; i < text.len; i++) {
		uint8_t c = text.ptr[i];

		putchar(c < 0x20 || c == 0x7f ? '?' : c);
	}
}

static tk_err print_installed(void *cb_ctx, const struct tk_store_installed *item)
{
	(void)cb_ctx;
	printf("  installed: ");
	tam_hex_print(stdout, item->component_id);
	if (item->digest.len > 0) {
		printf(" sha-256:");
		tam_hex_print(stdout, item->digest);
	} else {
		printf(" none");
	}
	printf(" ");
	tam_diag_print(stdout, item->component_id);
	printf("\n");
	return TK_OK;
}

struct device_listing {
	const struct tk_store *store;
	size_t count;
	struct tk_diag *diag;
};

static tk_err print_device(void *cb_ctx, const struct tk_store_device *dev)
{
	struct device_listing *listing = cb_ctx;
	char first[21], last[21], result_at[21];

	tam_time_format(dev->first_seen, first);
	tam_time_format(dev->last_seen, last);
	tam_time_format(dev->last_result_at, result_at);

	printf("%sdevice: ", listing->count > 0 ? "\n" : "");
	tam_hex_print(stdout, dev->ueid);
	printf("\n  kid: ");
	if (dev->kid.len > 0)
		tam_hex_print(stdout, dev->kid);
	else
		printf("none");
	printf("\n  first-seen: %s\n  last-seen: %s\n", first, last);
	listing->count++;

	tk_err err = tk_store_installed_each(listing->store, dev->ueid, print_installed, NULL,
					     listing->diag);
	if (err != TK_OK)
		return err;

	err = tam_print_latest_attestation(listing->store, dev->ueid, listing->diag);
	if (err != TK_OK)
		return err;

	if (!dev->has_result)
		printf("  last-result: none\n");
	else if (dev->last_result == TK_STORE_RESULT_SUCCESS)
		printf("  last-result: success %s\n", result_at);
	else {
		printf("  last-result: error %llu %s ", (unsigned long long)dev->last_err_code,
		       result_at);
		print_text(dev->last_err_msg);
		printf("\n");
	}
	return TK_OK;
}

int tam_show_devices(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *db = tam_get(cmd, args, "db");
	struct tk_store st = {0};
	struct device_listing listing = {.store = &st};
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	listing.diag = &diag;
	if ((rc = tam_open_existing_store(db, &st)) != TAM_EXIT_OK)
		return rc;
	err = tk_store_device_each(&st, print_device, &listing, &diag);
	tk_store_sqlite_close(&st);
	if (err != TK_OK)
		return tam_fail("cannot list devices", db, &diag);
	if (listing.count == 0)
		printf("no devices\n");
	return TAM_EXIT_OK;
}

struct manifest_listing {
	const struct tk_store *store;
	uint8_t last_id[TK_STORE_COMPONENT_ID_MAX]; /* component id of the open block */
	size_t last_id_len;
	size_t count;                               /* blocks printed */
	struct tk_diag *diag;
};

static tk_err print_target(void *cb_ctx, struct tk_span ueid)
{
	size_t *targets = cb_ctx;

	printf("  required-on: ");
	if (ueid.len == 0)
		printf("all");
	else
		tam_hex_print(stdout, ueid);
	printf("\n");
	(*targets)++;
	return TK_OK;
}

/* Close the open block with the devices its component id is required on. */
static tk_err print_targets(struct manifest_listing *listing)
{
	size_t targets = 0;
	tk_err err;

	if (listing->last_id_len == 0)
		return TK_OK;
	err = tk_store_policy_target_each(listing->store,
					  tk_span_make(listing->last_id, listing->last_id_len),
					  print_target, &targets, listing->diag);
	if (err == TK_OK && targets == 0)
		printf("  required-on: none\n");
	return err;
}

/* Rows come ordered by component id, so a new id closes the previous block. */
static tk_err print_manifest_row(void *cb_ctx, const struct tk_store_manifest *m,
				 int64_t added_at)
{
	struct manifest_listing *listing = cb_ctx;
	char added[21];
	tk_err err;

	if (m->component_id.len > sizeof(listing->last_id))
		return TK_FAIL(listing->diag, TK_ERR_INTERNAL, "stored component id of %zu "
			       "bytes exceeds %zu", m->component_id.len, sizeof(listing->last_id));
	if (m->component_id.len != listing->last_id_len ||
	    memcmp(m->component_id.ptr, listing->last_id, m->component_id.len) != 0) {
		if ((err = print_targets(listing)) != TK_OK)
			return err;
		printf("%smanifest-component-id: ", listing->count > 0 ? "\n" : "");
		tam_hex_print(stdout, m->component_id);
		printf("\n  manifest-component-id-diag: ");
		tam_diag_print(stdout, m->component_id);
		printf("\n");
		memcpy(listing->last_id, m->component_id.ptr, m->component_id.len);
		listing->last_id_len = m->component_id.len;
		listing->count++;
	}

	tam_time_format(added_at, added);
	printf("  sequence-number: %llu\n  manifest-digest: sha-256:",
	       (unsigned long long)m->sequence);
	tam_hex_print(stdout, m->digest);
	printf("\n  image-digest: ");
	if (m->image_digest.len > 0) {
		printf("sha-256:");
		tam_hex_print(stdout, m->image_digest);
	} else {
		printf("none");
	}
	printf("\n  added: %s\n", added);
	return TK_OK;
}

int tam_show_manifests(const struct tam_command *cmd, const struct tam_args *args)
{
	const char *db = tam_get(cmd, args, "db");
	struct tk_store st = {0};
	struct manifest_listing *listing;
	struct tk_diag diag;
	tk_err err;
	int rc;

	tk_diag_clear(&diag);
	listing = calloc(1, sizeof(*listing));
	if (listing == NULL) {
		TK_FAIL(&diag, TK_ERR_NOMEM, "manifest listing");
		return tam_fail("cannot list manifests", db, &diag);
	}
	listing->store = &st;
	listing->diag = &diag;
	if ((rc = tam_open_existing_store(db, &st)) != TAM_EXIT_OK) {
		free(listing);
		return rc;
	}
	err = tk_store_manifest_each(&st, print_manifest_row, listing, &diag);
	if (err == TK_OK)
		err = print_targets(listing);
	tk_store_sqlite_close(&st);
	if (err == TK_OK && listing->count == 0)
		printf("no manifests\n");
	free(listing);
	if (err != TK_OK)
		return tam_fail("cannot list manifests", db, &diag);
	return TAM_EXIT_OK;
}
