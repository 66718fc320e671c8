/* SPDX-License-Identifier: Apache-2.0 */
/*
 * teep-verifier show-results: the newest attestation results, one block
 * per result:
 *
 *   result: <id> at <time> session <hex>|in-process ueid <hex>|none
 *     status: <tier>
 *     vector: instance-identity=<v> executables=<v> ...   (claims present)
 *     reason: <first check below affirming>               (when there is one)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier.h"

/* Largest --limit accepted. */
#define LIMIT_MAX 100000

static tk_err show_row(void *ctx, const struct tk_verifier_history_row *row)
{
	char when[21];

	(void)ctx;
	ver_time_format(row->appraised_at, when);
	printf("result: %lld at %s session ", (long long)row->id, when);
	if (row->has_session)
		ver_hex_print(stdout, tk_span_make(row->session_id, sizeof(row->session_id)));
	else
		printf("in-process");
	printf(" ueid ");
	if (row->ueid.len > 0)
		ver_hex_print(stdout, row->ueid);
	else
		printf("none");
	printf("\n  status: %s\n  vector:", tk_verifier_tier_name(row->status));
	for (unsigned i = 0; i < TK_VERIFIER_CLAIM_COUNT; i++) {
		if ((row->vector.present & (1u << i)) != 0)
			printf(" %s=%d", tk_verifier_claim_name((enum tk_verifier_claim)i),
			       row->vector.value[i]);
	}
	printf("\n");
	if (row->reason[0] != '\0')
		printf("  reason: %s\n", row->reason);
	return TK_OK;
}

int ver_show_results(const struct ver_command *cmd, const struct ver_args *args)
{
	const char *limit_text = ver_get(cmd, args, "limit");
	struct tk_verifier_sqlite *db = NULL;
	struct tk_verifier_store_ops ops;
	unsigned long limit = 20;
	struct tk_diag diag;
	int rc;

	if (limit_text != NULL) {
		char *end = NULL;

		errno = 0;
		limit = strtoul(limit_text, &end, 10);
		if (limit_text[0] < '0' || limit_text[0] > '9' || *end != '\0' || errno != 0 ||
		    limit == 0 || limit > LIMIT_MAX)
			return ver_misuse(cmd, "--limit %s is not a number from 1 to %d",
					  limit_text, LIMIT_MAX);
	}
	rc = ver_open_db(ver_get(cmd, args, "db"), false, &db, &ops);
	if (rc != VER_EXIT_OK)
		return rc;
	tk_diag_clear(&diag);
	if (tk_verifier_sqlite_result_each(db, (size_t)limit, show_row, NULL, &diag) != TK_OK)
		rc = ver_fail("cannot list the results", ver_get(cmd, args, "db"), &diag);
	tk_verifier_sqlite_close(db);
	return rc;
}
