/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema migrations of the TAM store; see tk_store_schema.h for the rules
 * they follow. Never edit a released migration: add a new one.
 */
#include "store/tk_store_schema.h"

#include <string.h>

const char tk_store_schema_version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version BIGINT NOT NULL PRIMARY KEY,"
	" applied_at BIGINT NOT NULL)";

/*
 * Version 1, the first vertical slice.
 *
 * policies.ueid is the empty byte string for "every device" rather than
 * NULL, because both backends treat NULLs as distinct in a primary key and
 * a policy for all devices could otherwise be added twice. Policies do not
 * reference devices: an operator may require a manifest for a device before
 * it first connects.
 *
 * sessions.token and sessions.challenge are each unique when present, so a
 * value can never name two outstanding requests.
 */
static const char migration_1[] =
	"CREATE TABLE devices ("
	" ueid {bytes} NOT NULL PRIMARY KEY,"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL);"

	"CREATE TABLE agent_keys ("
	" kid {bytes} NOT NULL PRIMARY KEY,"
	" alg BIGINT NOT NULL,"
	" public_key {bytes} NOT NULL,"
	" ueid {bytes} REFERENCES devices (ueid),"
	" enrolled_at BIGINT NOT NULL);"

	"CREATE TABLE manifests ("
	" component_id {bytes} NOT NULL,"
	" sequence BIGINT NOT NULL,"
	" digest {bytes} NOT NULL,"
	" image_digest {bytes},"
	" envelope {bytes} NOT NULL,"
	" added_at BIGINT NOT NULL,"
	" PRIMARY KEY (component_id, sequence));"

	"CREATE TABLE policies ("
	" component_id {bytes} NOT NULL,"
	" ueid {bytes} NOT NULL,"
	" added_at BIGINT NOT NULL,"
	" PRIMARY KEY (component_id, ueid));"

	"CREATE TABLE installed ("
	" ueid {bytes} NOT NULL REFERENCES devices (ueid),"
	" component_id {bytes} NOT NULL,"
	" sequence BIGINT,"
	" digest {bytes},"
	" reported_at BIGINT NOT NULL,"
	" PRIMARY KEY (ueid, component_id));"

	"CREATE TABLE sessions ("
	" id {id},"
	" state SMALLINT NOT NULL,"
	" token {bytes} UNIQUE,"
	" challenge {bytes} UNIQUE,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" alg BIGINT NOT NULL,"
	" kid {bytes},"
	" used SMALLINT NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"

	"CREATE TABLE update_manifests ("
	" token {bytes} NOT NULL REFERENCES sessions (token) ON DELETE CASCADE,"
	" component_id {bytes} NOT NULL,"
	" sequence BIGINT NOT NULL,"
	" PRIMARY KEY (token, component_id));"

	"CREATE TABLE results ("
	" id {id},"
	" kind SMALLINT NOT NULL,"
	" kid {bytes} NOT NULL,"
	" ueid {bytes},"
	" token {bytes},"
	" err_code BIGINT NOT NULL,"
	" err_msg TEXT,"
	" received_at BIGINT NOT NULL);"
	"CREATE INDEX results_ueid ON results (ueid, id);"

	"CREATE TABLE audit ("
	" id {id},"
	" at BIGINT NOT NULL,"
	" event TEXT NOT NULL,"
	" detail TEXT NOT NULL)";

/*
 * Version 2: the component ids (SUIT common.components) each registered
 * manifest installs. A manifest component id need not equal the id of the
 * component it installs, and devices report and request component ids.
 * Manifests registered before this version have no rows here.
 */
static const char migration_2[] =
	"CREATE TABLE manifest_components ("
	" manifest_component_id {bytes} NOT NULL,"
	" sequence BIGINT NOT NULL,"
	" component_id {bytes} NOT NULL,"
	" PRIMARY KEY (manifest_component_id, sequence, component_id),"
	" FOREIGN KEY (manifest_component_id, sequence)"
	" REFERENCES manifests (component_id, sequence));"
	"CREATE INDEX manifest_components_component ON manifest_components (component_id)";

/*
 * Version 3: attestation. attestation_results keeps every appraisal the
 * TAM acted on, as a history per device (newest by id). Groups and group
 * policies do not reference devices, so an operator may place a device in
 * a group before it first connects. A device without a row is in the
 * group "default", and a group without a policy rejects warnings.
 */
static const char migration_3[] =
	"CREATE TABLE attestation_results ("
	" id {id},"
	" ueid {bytes} NOT NULL,"
	" kid {bytes} NOT NULL,"
	" model SMALLINT NOT NULL,"
	" tier SMALLINT NOT NULL,"
	" decision SMALLINT NOT NULL,"
	" group_name TEXT NOT NULL,"
	" verifier TEXT,"
	" reason TEXT,"
	" media_type TEXT,"
	" result {bytes},"
	" appraised_at BIGINT NOT NULL);"
	"CREATE INDEX attestation_results_ueid ON attestation_results (ueid, id);"

	"CREATE TABLE device_groups ("
	" ueid {bytes} NOT NULL PRIMARY KEY,"
	" group_name TEXT NOT NULL,"
	" assigned_at BIGINT NOT NULL);"

	"CREATE TABLE group_policies ("
	" group_name TEXT NOT NULL PRIMARY KEY,"
	" accept_warning SMALLINT NOT NULL,"
	" updated_at BIGINT NOT NULL)";

/*
 * Version 4: SUIT reports. agent_report_keys contains the report key an
 * administrator enrolled with each agent key (draft-ietf-teep-protocol
 * requires it to differ from the TEEP key); suit_reports keeps every
 * verified report as a history per device (newest by id), with the
 * decoded SUIT_Report and the fields a listing shows.
 */
static const char migration_4[] =
	"CREATE TABLE agent_report_keys ("
	" agent_kid {bytes} NOT NULL PRIMARY KEY,"
	" report_kid {bytes} NOT NULL,"
	" pubkey {bytes} NOT NULL,"
	" enrolled_at BIGINT NOT NULL);"

	"CREATE TABLE suit_reports ("
	" id {id},"
	" ueid {bytes} NOT NULL,"
	" kid {bytes} NOT NULL,"
	" token {bytes} NOT NULL,"
	" manifest_digest {bytes} NOT NULL,"
	" manifest_uri TEXT NOT NULL,"
	" success SMALLINT NOT NULL,"
	" result_code BIGINT NOT NULL,"
	" reason BIGINT NOT NULL,"
	" records BIGINT NOT NULL,"
	" encrypted SMALLINT NOT NULL,"
	" report {bytes} NOT NULL,"
	" received_at BIGINT NOT NULL);"
	"CREATE INDEX suit_reports_ueid ON suit_reports (ueid, id)";

/*
 * Version 5: policies an administrator removed. A row records that the
 * manifest component id was required on the device (or, with the empty
 * UEID, on every device), so the TAM may list it in an Update's
 * unneeded-manifest-list while no policy requires it again. Without it the
 * TAM could not tell its own components from another TAM's.
 */
static const char migration_5[] =
	"CREATE TABLE unrequired ("
	" component_id {bytes} NOT NULL,"
	" ueid {bytes} NOT NULL,"
	" removed_at BIGINT NOT NULL,"
	" PRIMARY KEY (component_id, ueid))";

/*
 * Version 6: boot-time SUIT reports. suit_reports.boot is 1 for a report
 * that came in a QueryResponse (draft-ietf-teep-protocol: SUIT reports of
 * boot, such as teep-agent load), whose token column then has the
 * QueryRequest's token or the empty byte string, and 0 for a report in a
 * Success or Error that responds to an Update.
 */
static const char migration_6[] =
	"ALTER TABLE suit_reports ADD COLUMN boot SMALLINT NOT NULL DEFAULT 0";

const struct tk_store_migration tk_store_migrations[] = {
	{1, "devices, agent keys, manifests, policies, installed, sessions, "
	    "update manifests, results, audit", migration_1},
	{2, "component ids of each manifest", migration_2},
	{3, "attestation results, device groups, group policies", migration_3},
	{4, "SUIT report keys and SUIT reports", migration_4},
	{5, "removed policies", migration_5},
	{6, "boot-time SUIT reports", migration_6},
};
const size_t tk_store_migration_count =
	sizeof(tk_store_migrations) / sizeof(tk_store_migrations[0]);

struct placeholder {
	const char *name;
	const char *sqlite;
	const char *postgres;
};

static const struct placeholder placeholders[] = {
	{"{bytes}", "BLOB", "BYTEA"},
	{"{id}", "INTEGER PRIMARY KEY",
	 "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"},
};

static const struct placeholder *find_placeholder(const char *at)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		if (strncmp(at, placeholders[i].name, strlen(placeholders[i].name)) == 0)
			return &placeholders[i];
	}
	return NULL;
}

tk_err tk_store_schema_render(const char *sql, enum tk_store_dialect dialect,
			      char *out, size_t out_cap, struct tk_diag *diag)
{
	size_t len = 0;

	if (out == NULL || out_cap == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "no output buffer for the schema");
	out[0] = '\0';
	if (dialect != TK_STORE_DIALECT_SQLITE && dialect != TK_STORE_DIALECT_POSTGRES)
		return TK_FAIL(diag, TK_ERR_ARG, "unknown SQL dialect %d", (int)dialect);

	for (const char *p = sql; *p != '\0';) {
		const char *piece = p;
		size_t piece_len = 1;

		if (*p == '{') {
			const struct placeholder *ph = find_placeholder(p);

			if (ph == NULL) {
				out[0] = '\0';
				return TK_FAIL(diag, TK_ERR_ARG,
					       "unknown schema placeholder at \"%.16s\"", p);
			}
			piece = dialect == TK_STORE_DIALECT_SQLITE ? ph->sqlite : ph->postgres;
			piece_len = strlen(piece);
			p += strlen(ph->name);
		} else {
			p++;
		}

		if (piece_len >= out_cap - len) {
			out[0] = '\0';
			return TK_FAIL(diag, TK_ERR_BUFFER_TOO_SMALL,
				       "rendered schema exceeds %zu bytes", out_cap);
		}
		memcpy(out + len, piece, piece_len);
		len += piece_len;
	}
	out[len] = '\0';
	return TK_OK;
}
