/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the SQLite TAM store: schema and migrations, single-use and
 * expiring tokens and challenges, transactions, manifests, policies,
 * devices and the hook wrappers. Each test opens a fresh database in a
 * temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/tk_store.h"
#include "store/tk_store_schema.h"
#include "store/tk_store_sqlite.h"

struct fixture {
	char dir[64];
	char path[96];
	struct tk_store st;
	struct tk_diag diag;
};

/* Fail with the description, expected and actual error names and the detail. */
static void expect_err(const char *what, tk_err expected, tk_err actual,
		       const struct tk_diag *diag)
{
	if (expected != actual) {
		char detail[TK_DIAG_MSG_MAX + 128];

		tk_diag_format(diag, detail, sizeof(detail));
		fail_msg("%s: expected %s, got %s (%s)", what, tk_err_name(expected),
			 tk_err_name(actual), detail);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tk-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/tam.sqlite", f->dir);
	tk_diag_clear(&f->diag);
	expect_err("open", TK_OK, tk_store_sqlite_open(f->path, &f->st, &f->diag), &f->diag);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	tk_store_sqlite_close(&f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static uint64_t rows(struct fixture *f, const char *table)
{
	uint64_t n = 0;

	expect_err(table, TK_OK, tk_store_count_rows(&f->st, table, &n, &f->diag), &f->diag);
	return n;
}

static void test_schema_created(void **state)
{
	static const char *const tables[] = {
		"devices", "agent_keys", "manifests", "policies", "installed",
		"sessions", "update_manifests", "results", "audit",
	};
	struct fixture *f = *state;
	struct stat sb;
	int64_t version = 0;

	expect_err("version", TK_OK, tk_store_sqlite_version(&f->st, &version, &f->diag),
		   &f->diag);
	assert_int_equal(version, (int64_t)tk_store_migration_count);
	assert_int_equal(rows(f, "schema_version"), tk_store_migration_count);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		assert_int_equal(rows(f, tables[i]), 0);

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* Reopening applies nothing twice. */
	tk_store_sqlite_close(&f->st);
	expect_err("reopen", TK_OK, tk_store_sqlite_open(f->path, &f->st, &f->diag), &f->diag);
	assert_int_equal(rows(f, "schema_version"), tk_store_migration_count);
}

static void test_schema_render(void **state)
{
	char out[8192];
	struct tk_diag diag;

	(void)state;
	tk_diag_clear(&diag);
	expect_err("render postgres", TK_OK,
		   tk_store_schema_render(tk_store_migrations[0].sql,
					  TK_STORE_DIALECT_POSTGRES, out, sizeof(out), &diag),
		   &diag);
	assert_non_null(strstr(out, "BYTEA"));
	assert_non_null(strstr(out, "GENERATED ALWAYS AS IDENTITY"));
	assert_null(strchr(out, '{'));
	assert_null(strstr(out, "BLOB"));

	expect_err("render sqlite", TK_OK,
		   tk_store_schema_render("a {bytes} b {id}", TK_STORE_DIALECT_SQLITE, out,
					  sizeof(out), &diag), &diag);
	assert_string_equal(out, "a BLOB b INTEGER PRIMARY KEY");
	expect_err("unknown placeholder", TK_ERR_ARG,
		   tk_store_schema_render("x {nope}", TK_STORE_DIALECT_SQLITE, out,
					  sizeof(out), &diag), &diag);
	expect_err("small buffer", TK_ERR_BUFFER_TOO_SMALL,
		   tk_store_schema_render("{bytes}", TK_STORE_DIALECT_SQLITE, out, 4, &diag),
		   &diag);
}

static struct tk_store_session session_with(const char *token, const char *challenge,
					    int64_t expires_at)
{
	struct tk_store_session s = {
		.state = TK_STORE_SESSION_UPDATE_SENT,
		.created_at = 1000,
		.expires_at = expires_at,
		.alg = -9,
	};

	s.token_len = strlen(token);
	memcpy(s.token, token, s.token_len);
	s.challenge_len = strlen(challenge);
	memcpy(s.challenge, challenge, s.challenge_len);
	return s;
}

static void test_session_single_use(void **state)
{
	static const struct {
		const char *what;
		enum tk_store_session_key by;
		const char *key;
		int64_t now;
		tk_err expected;
	} cases[] = {
		{"unknown token", TK_STORE_BY_TOKEN, "no-such-token", 1001, TK_ERR_NOT_FOUND},
		{"expired token", TK_STORE_BY_TOKEN, "token-b-0123", 2000, TK_ERR_EXPIRED},
		{"expired at the exact second", TK_STORE_BY_TOKEN, "token-b-0123", 1500,
		 TK_ERR_EXPIRED},
		{"first use", TK_STORE_BY_TOKEN, "token-a-0123", 1001, TK_OK},
		{"second use", TK_STORE_BY_TOKEN, "token-a-0123", 1002, TK_ERR_REPLAY},
		{"expired challenge", TK_STORE_BY_CHALLENGE, "challenge-b-01", 1600,
		 TK_ERR_EXPIRED},
		{"challenge of a used session", TK_STORE_BY_CHALLENGE, "challenge-a-01", 1001,
		 TK_ERR_REPLAY},
		{"challenge first use", TK_STORE_BY_CHALLENGE, "challenge-c-01", 1001, TK_OK},
		{"challenge second use", TK_STORE_BY_CHALLENGE, "challenge-c-01", 1001,
		 TK_ERR_REPLAY},
	};
	struct fixture *f = *state;
	struct tk_store_session a = session_with("token-a-0123", "challenge-a-01", 5000);
	struct tk_store_session b = session_with("token-b-0123", "challenge-b-01", 1500);
	struct tk_store_session c = session_with("", "challenge-c-01", 5000);
	struct tk_store_session out;

	expect_err("add a", TK_OK, tk_store_session_add(&f->st, &a, &f->diag), &f->diag);
	expect_err("add b", TK_OK, tk_store_session_add(&f->st, &b, &f->diag), &f->diag);
	expect_err("add c", TK_OK, tk_store_session_add(&f->st, &c, &f->diag), &f->diag);
	expect_err("token reuse", TK_ERR_EXISTS, tk_store_session_add(&f->st, &a, &f->diag),
		   &f->diag);
	assert_int_equal(rows(f, "sessions"), 3);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tk_err err;

		tk_diag_clear(&f->diag);
		err = tk_store_session_use(&f->st, cases[i].by,
					   tk_span_make(cases[i].key, strlen(cases[i].key)),
					   cases[i].now, &out, &f->diag);
		expect_err(cases[i].what, cases[i].expected, err, &f->diag);
		if (err == TK_OK) {
			assert_int_equal(out.state, TK_STORE_SESSION_UPDATE_SENT);
			assert_int_equal(out.expires_at, 5000);
			assert_int_equal(out.alg, -9);
		} else {
			assert_int_equal(out.token_len, 0);
		}
	}

	uint64_t removed = 0;
	expect_err("purge", TK_OK, tk_store_session_purge(&f->st, 3000, &removed, &f->diag),
		   &f->diag);
	assert_int_equal(removed, 1);
	assert_int_equal(rows(f, "sessions"), 2);
}

static struct tk_store_agent_key agent_key(uint8_t fill)
{
	struct tk_store_agent_key k = {.alg = -9, .pubkey_len = 8, .enrolled_at = 10};

	memset(k.kid, fill, sizeof(k.kid));
	memset(k.pubkey, 0xa0, k.pubkey_len);
	return k;
}

static void test_transaction_rollback(void **state)
{
	struct fixture *f = *state;
	struct tk_store_agent_key k1 = agent_key(1), k2 = agent_key(2), got;

	expect_err("begin", TK_OK, tk_store_begin(&f->st, &f->diag), &f->diag);
	expect_err("add in tx", TK_OK, tk_store_agent_key_add(&f->st, &k1, &f->diag), &f->diag);
	expect_err("audit in tx", TK_OK, tk_store_audit_add(&f->st, 10, "test", "x", &f->diag),
		   &f->diag);
	tk_store_rollback(&f->st);
	assert_int_equal(rows(f, "agent_keys"), 0);
	assert_int_equal(rows(f, "audit"), 0);

	expect_err("begin", TK_OK, tk_store_begin(&f->st, &f->diag), &f->diag);
	expect_err("add k2", TK_OK, tk_store_agent_key_add(&f->st, &k2, &f->diag), &f->diag);
	expect_err("commit", TK_OK, tk_store_commit(&f->st, &f->diag), &f->diag);
	assert_int_equal(rows(f, "agent_keys"), 1);
	expect_err("duplicate kid", TK_ERR_EXISTS, tk_store_agent_key_add(&f->st, &k2, &f->diag),
		   &f->diag);

	expect_err("get k2", TK_OK, tk_store_agent_key_get(&f->st, tk_span_make(k2.kid, 32),
							   &got, &f->diag), &f->diag);
	assert_memory_equal(got.pubkey, k2.pubkey, k2.pubkey_len);
	assert_int_equal(got.pubkey_len, k2.pubkey_len);
	assert_int_equal(got.alg, -9);
	assert_int_equal(got.ueid_len, 0);
	expect_err("get k1", TK_ERR_NOT_FOUND,
		   tk_store_agent_key_get(&f->st, tk_span_make(k1.kid, 32), &got, &f->diag),
		   &f->diag);

	/* A failing step inside a transaction leaves the earlier ones undone too. */
	expect_err("begin", TK_OK, tk_store_begin(&f->st, &f->diag), &f->diag);
	expect_err("add k1", TK_OK, tk_store_agent_key_add(&f->st, &k1, &f->diag), &f->diag);
	expect_err("duplicate in tx", TK_ERR_EXISTS,
		   tk_store_agent_key_add(&f->st, &k2, &f->diag), &f->diag);
	tk_store_rollback(&f->st);
	assert_int_equal(rows(f, "agent_keys"), 1);
}

static struct tk_store_manifest manifest(const char *id, uint64_t seq, const char *env)
{
	static const uint8_t digest[32] = {0xd1};
	static const uint8_t image_digest[32] = {0x1e};
	struct tk_store_manifest m = {
		.component_id = tk_span_make(id, strlen(id)),
		.sequence = seq,
		.digest = tk_span_make(digest, sizeof(digest)),
		.image_digest = tk_span_make(image_digest, sizeof(image_digest)),
		.envelope = tk_span_make(env, strlen(env)),
	};

	return m;
}

static void test_manifest_sequence(void **state)
{
	static const struct {
		const char *what;
		uint64_t seq;
		tk_err expected;
	} cases[] = {
		{"first", 2, TK_OK},
		{"same sequence", 2, TK_ERR_EXISTS},
		{"lower sequence", 1, TK_ERR_ROLLBACK},
		{"higher sequence", 3, TK_OK},
		{"beyond int64", UINT64_MAX, TK_ERR_LIMIT_SIZE},
	};
	struct fixture *f = *state;
	struct tk_store_manifest_buf buf;
	uint8_t env[64];
	struct tk_store_manifest got;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_store_manifest m = manifest("ta-1", cases[i].seq,
						      i == 3 ? "envelope-v3" : "envelope-v2");

		tk_diag_clear(&f->diag);
		expect_err(cases[i].what, cases[i].expected,
			   tk_store_manifest_add(&f->st, &m, 100, &f->diag), &f->diag);
	}
	assert_int_equal(rows(f, "manifests"), 2);

	expect_err("get latest", TK_OK,
		   tk_store_manifest_get(&f->st, tk_span_make("ta-1", 4), &got, &buf,
					 env, sizeof(env), &f->diag), &f->diag);
	assert_int_equal(got.sequence, 3);
	assert_int_equal(got.envelope.len, strlen("envelope-v3"));
	assert_memory_equal(got.envelope.ptr, "envelope-v3", got.envelope.len);
	assert_int_equal(got.digest.len, 32);
	assert_int_equal(got.digest.ptr[0], 0xd1);
	assert_int_equal(got.image_digest.len, 32);
	assert_int_equal(got.image_digest.ptr[0], 0x1e);

	expect_err("small buffer", TK_ERR_BUFFER_TOO_SMALL,
		   tk_store_manifest_get(&f->st, tk_span_make("ta-1", 4), &got, &buf,
					 env, 4, &f->diag), &f->diag);
	expect_err("unknown id", TK_ERR_NOT_FOUND,
		   tk_store_manifest_get(&f->st, tk_span_make("ta-9", 4), &got, &buf,
					 env, sizeof(env), &f->diag), &f->diag);
}

struct id_list {
	char ids[4][16];
	size_t count;
};

static tk_err collect_id(void *cb_ctx, struct tk_span id)
{
	struct id_list *list = cb_ctx;

	assert_true(list->count < 4);
	assert_true(id.len < sizeof(list->ids[0]));
	/* The "every device" policy target is an empty span with no bytes. */
	if (id.len > 0)
		memcpy(list->ids[list->count], id.ptr, id.len);
	list->ids[list->count][id.len] = '\0';
	list->count++;
	return TK_OK;
}

static void test_policy_for_device_or_all(void **state)
{
	struct fixture *f = *state;
	struct tk_store_manifest m1 = manifest("ta-1", 1, "e1"), m2 = manifest("ta-2", 1, "e2");
	struct id_list list = {0};
	struct tk_span dev_a = tk_span_make("device-a", 8), dev_b = tk_span_make("device-b", 8);

	expect_err("unregistered", TK_ERR_NOT_FOUND,
		   tk_store_policy_add(&f->st, m1.component_id, TK_SPAN_EMPTY, 1, &f->diag),
		   &f->diag);
	expect_err("add m1", TK_OK, tk_store_manifest_add(&f->st, &m1, 1, &f->diag), &f->diag);
	expect_err("add m2", TK_OK, tk_store_manifest_add(&f->st, &m2, 1, &f->diag), &f->diag);
	expect_err("m1 for all", TK_OK,
		   tk_store_policy_add(&f->st, m1.component_id, TK_SPAN_EMPTY, 1, &f->diag),
		   &f->diag);
	expect_err("m1 for all twice", TK_OK,
		   tk_store_policy_add(&f->st, m1.component_id, TK_SPAN_EMPTY, 1, &f->diag),
		   &f->diag);
	expect_err("m2 for a", TK_OK,
		   tk_store_policy_add(&f->st, m2.component_id, dev_a, 1, &f->diag), &f->diag);
	assert_int_equal(rows(f, "policies"), 2);

	expect_err("list a", TK_OK, tk_store_policy_each(&f->st, dev_a, collect_id, &list,
							 &f->diag), &f->diag);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.ids[0], "ta-1");
	assert_string_equal(list.ids[1], "ta-2");

	memset(&list, 0, sizeof(list));
	expect_err("list b", TK_OK, tk_store_policy_each(&f->st, dev_b, collect_id, &list,
							 &f->diag), &f->diag);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.ids[0], "ta-1");
}

struct device_seen {
	size_t count;
	bool has_kid;
	bool has_result;
	uint64_t err_code;
	int64_t last_seen;
};

static tk_err collect_device(void *cb_ctx, const struct tk_store_device *dev)
{
	struct device_seen *seen = cb_ctx;

	seen->count++;
	seen->has_kid = dev->kid.len == TK_STORE_KID_LEN;
	seen->has_result = dev->has_result;
	seen->err_code = dev->last_err_code;
	seen->last_seen = dev->last_seen;
	return TK_OK;
}

static tk_err count_installed(void *cb_ctx, const struct tk_store_installed *item)
{
	size_t *n = cb_ctx;

	(void)item;
	(*n)++;
	return TK_OK;
}

static void test_device_record_and_results(void **state)
{
	struct fixture *f = *state;
	struct tk_store_agent_key k = agent_key(7), got;
	struct tk_span ueid = tk_span_make("\x01ueid-0001", 10), kid = tk_span_make(k.kid, 32);
	struct tk_store_installed items[2] = {
		{.component_id = tk_span_make("ta-1", 4)},
		{.component_id = tk_span_make("ta-2", 4), .has_sequence = true, .sequence = 4},
	};
	struct tk_store_result r = {
		.kind = TK_STORE_RESULT_ERROR, .ueid = ueid, .token = tk_span_make("tok", 3),
		.err_code = 17, .err_msg = tk_span_make("failed", 6), .received_at = 60,
	};
	struct device_seen seen = {0};
	size_t n_installed = 0;

	expect_err("unknown kid", TK_ERR_NOT_FOUND,
		   tk_store_device_record(&f->st, ueid, kid, 50, &f->diag), &f->diag);
	assert_int_equal(rows(f, "devices"), 0);

	expect_err("enroll", TK_OK, tk_store_agent_key_add(&f->st, &k, &f->diag), &f->diag);
	expect_err("record", TK_OK, tk_store_device_record(&f->st, ueid, kid, 50, &f->diag),
		   &f->diag);
	expect_err("record again", TK_OK,
		   tk_store_device_record(&f->st, ueid, kid, 55, &f->diag), &f->diag);
	assert_int_equal(rows(f, "devices"), 1);
	expect_err("get", TK_OK, tk_store_agent_key_get(&f->st, kid, &got, &f->diag), &f->diag);
	assert_int_equal(got.ueid_len, ueid.len);

	/* A second key cannot take over the device the first key is bound to. */
	struct tk_store_agent_key k2 = agent_key(8);
	struct tk_span kid2 = tk_span_make(k2.kid, 32);

	expect_err("enroll second", TK_OK, tk_store_agent_key_add(&f->st, &k2, &f->diag),
		   &f->diag);
	expect_err("second key, same UEID", TK_ERR_EXISTS,
		   tk_store_device_record(&f->st, ueid, kid2, 56, &f->diag), &f->diag);
	expect_err("get second", TK_OK, tk_store_agent_key_get(&f->st, kid2, &got, &f->diag),
		   &f->diag);
	assert_int_equal(got.ueid_len, 0);

	expect_err("installed", TK_OK,
		   tk_store_installed_replace(&f->st, ueid, items, 2, 55, &f->diag), &f->diag);
	expect_err("installed again", TK_OK,
		   tk_store_installed_replace(&f->st, ueid, items + 1, 1, 56, &f->diag),
		   &f->diag);
	expect_err("list installed", TK_OK,
		   tk_store_installed_each(&f->st, ueid, count_installed, &n_installed,
					   &f->diag), &f->diag);
	assert_int_equal(n_installed, 1);

	memcpy(r.kid, k.kid, 32);
	expect_err("result", TK_OK, tk_store_result_add(&f->st, &r, &f->diag), &f->diag);
	expect_err("devices", TK_OK, tk_store_device_each(&f->st, collect_device, &seen,
							  &f->diag), &f->diag);
	assert_int_equal(seen.count, 1);
	assert_true(seen.has_kid);
	assert_true(seen.has_result);
	assert_int_equal(seen.err_code, 17);
	assert_int_equal(seen.last_seen, 55);
}

static void test_installed_from_update(void **state)
{
	struct fixture *f = *state;
	struct tk_store_agent_key k = agent_key(9);
	struct tk_store_session ses = session_with("update-token-1", "", 5000);
	struct tk_span token = tk_span_make(ses.token, ses.token_len);
	struct tk_span ueid = tk_span_make("\x01ueid-0002", 10);
	uint64_t removed = 0;
	size_t n_installed = 0;

	expect_err("enroll", TK_OK, tk_store_agent_key_add(&f->st, &k, &f->diag), &f->diag);
	expect_err("record", TK_OK, tk_store_device_record(&f->st, ueid,
							   tk_span_make(k.kid, 32), 50,
							   &f->diag), &f->diag);
	expect_err("session", TK_OK, tk_store_session_add(&f->st, &ses, &f->diag), &f->diag);
	expect_err("manifest 1", TK_OK,
		   tk_store_update_manifest_add(&f->st, token, tk_span_make("ta-1", 4), 3,
						&f->diag), &f->diag);
	expect_err("manifest 2", TK_OK,
		   tk_store_update_manifest_add(&f->st, token, tk_span_make("ta-2", 4), 1,
						&f->diag), &f->diag);
	expect_err("unknown token", TK_ERR_NOT_FOUND,
		   tk_store_update_manifest_add(&f->st, tk_span_make("no-such-token", 13),
						tk_span_make("ta-1", 4), 1, &f->diag), &f->diag);
	assert_int_equal(rows(f, "update_manifests"), 2);

	expect_err("installed", TK_OK,
		   tk_store_installed_from_update(&f->st, token, ueid, 60, &f->diag), &f->diag);
	expect_err("list", TK_OK, tk_store_installed_each(&f->st, ueid, count_installed,
							  &n_installed, &f->diag), &f->diag);
	assert_int_equal(n_installed, 2);

	/* Purging the session takes its update manifests with it. */
	expect_err("purge", TK_OK, tk_store_session_purge(&f->st, 6000, &removed, &f->diag),
		   &f->diag);
	assert_int_equal(removed, 1);
	assert_int_equal(rows(f, "update_manifests"), 0);
	assert_int_equal(rows(f, "installed"), 2);
}

static void test_policy_remove(void **state)
{
	struct fixture *f = *state;
	struct tk_store_manifest m1 = manifest("ta-1", 1, "e1");
	struct tk_span dev_a = tk_span_make("device-a", 8), dev_b = tk_span_make("device-b", 8);
	struct id_list list = {0};

	expect_err("add m1", TK_OK, tk_store_manifest_add(&f->st, &m1, 1, &f->diag), &f->diag);
	expect_err("m1 for all", TK_OK,
		   tk_store_policy_add(&f->st, m1.component_id, TK_SPAN_EMPTY, 1, &f->diag),
		   &f->diag);
	expect_err("m1 for a", TK_OK,
		   tk_store_policy_add(&f->st, m1.component_id, dev_a, 1, &f->diag), &f->diag);

	expect_err("targets", TK_OK,
		   tk_store_policy_target_each(&f->st, m1.component_id, collect_id, &list,
					       &f->diag), &f->diag);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.ids[0], "");
	assert_string_equal(list.ids[1], "device-a");

	expect_err("remove for b, never added", TK_ERR_NOT_FOUND,
		   tk_store_policy_remove(&f->st, m1.component_id, dev_b, &f->diag), &f->diag);
	tk_diag_clear(&f->diag);
	expect_err("remove for all", TK_OK,
		   tk_store_policy_remove(&f->st, m1.component_id, TK_SPAN_EMPTY, &f->diag),
		   &f->diag);
	expect_err("remove for all twice", TK_ERR_NOT_FOUND,
		   tk_store_policy_remove(&f->st, m1.component_id, TK_SPAN_EMPTY, &f->diag),
		   &f->diag);
	tk_diag_clear(&f->diag);

	/* The device's own policy stays; device b needs nothing now. */
	memset(&list, 0, sizeof(list));
	expect_err("list a", TK_OK, tk_store_policy_each(&f->st, dev_a, collect_id, &list,
							 &f->diag), &f->diag);
	assert_int_equal(list.count, 1);
	memset(&list, 0, sizeof(list));
	expect_err("list b", TK_OK, tk_store_policy_each(&f->st, dev_b, collect_id, &list,
							 &f->diag), &f->diag);
	assert_int_equal(list.count, 0);

	expect_err("remove for a", TK_OK,
		   tk_store_policy_remove(&f->st, m1.component_id, dev_a, &f->diag), &f->diag);
	assert_int_equal(rows(f, "policies"), 0);
}

/* List what unrequired_each returns for a device into a fresh list. */
static void list_unrequired(struct fixture *f, struct tk_span ueid, struct id_list *list)
{
	memset(list, 0, sizeof(*list));
	expect_err("unrequired", TK_OK,
		   tk_store_unrequired_each(&f->st, ueid, collect_id, list, &f->diag), &f->diag);
}

static void test_unrequired_listed(void **state)
{
	struct fixture *f = *state;
	struct tk_store_manifest m1 = manifest("ta-1", 1, "e1");
	struct tk_store_manifest m2 = manifest("ta-2", 1, "e2");
	struct tk_span dev_a = tk_span_make("device-a", 8), dev_b = tk_span_make("device-b", 8);
	struct id_list list;

	expect_err("add m1", TK_OK, tk_store_manifest_add(&f->st, &m1, 1, &f->diag), &f->diag);
	expect_err("add m2", TK_OK, tk_store_manifest_add(&f->st, &m2, 1, &f->diag), &f->diag);
	expect_err("m1 removed for a", TK_OK,
		   tk_store_unrequired_add(&f->st, m1.component_id, dev_a, 5, &f->diag), &f->diag);
	expect_err("m1 removed for a again", TK_OK,
		   tk_store_unrequired_add(&f->st, m1.component_id, dev_a, 6, &f->diag), &f->diag);
	expect_err("m2 removed for all", TK_OK,
		   tk_store_unrequired_add(&f->st, m2.component_id, TK_SPAN_EMPTY, 5, &f->diag),
		   &f->diag);
	expect_err("unregistered removed for a", TK_OK,
		   tk_store_unrequired_add(&f->st, tk_span_make("ta-9", 4), dev_a, 5, &f->diag),
		   &f->diag);
	assert_int_equal(rows(f, "unrequired"), 3);

	/* Unregistered manifests are never listed. */
	list_unrequired(f, dev_a, &list);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.ids[0], "ta-1");
	assert_string_equal(list.ids[1], "ta-2");
	list_unrequired(f, dev_b, &list);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.ids[0], "ta-2");

	/* A policy that requires the manifest again hides it, for every
	 * device when it is the policy for all. */
	expect_err("m1 for a again", TK_OK,
		   tk_store_policy_add(&f->st, m1.component_id, dev_a, 7, &f->diag), &f->diag);
	expect_err("m2 for all again", TK_OK,
		   tk_store_policy_add(&f->st, m2.component_id, TK_SPAN_EMPTY, 7, &f->diag),
		   &f->diag);
	list_unrequired(f, dev_a, &list);
	assert_int_equal(list.count, 0);
	list_unrequired(f, dev_b, &list);
	assert_int_equal(list.count, 0);
}

struct manifest_list {
	char ids[4][16];
	uint64_t sequences[4];
	size_t image_digest_lens[4];
	int64_t added_at[4];
	size_t count;
};

static tk_err collect_manifest(void *cb_ctx, const struct tk_store_manifest *m,
			       int64_t added_at)
{
	struct manifest_list *list = cb_ctx;

	assert_true(list->count < 4);
	assert_true(m->component_id.len < sizeof(list->ids[0]));
	assert_int_equal(m->envelope.len, 0);
	assert_int_equal(m->digest.len, 32);
	memcpy(list->ids[list->count], m->component_id.ptr, m->component_id.len);
	list->sequences[list->count] = m->sequence;
	list->image_digest_lens[list->count] = m->image_digest.len;
	list->added_at[list->count] = added_at;
	list->count++;
	return TK_OK;
}

static void test_manifest_each(void **state)
{
	struct fixture *f = *state;
	struct tk_store_manifest m2 = manifest("ta-2", 1, "e3");
	struct tk_store_manifest m1v1 = manifest("ta-1", 1, "e1");
	struct tk_store_manifest m1v4 = manifest("ta-1", 4, "e2");
	struct manifest_list list = {0};

	m2.image_digest = TK_SPAN_EMPTY;
	expect_err("empty list", TK_OK,
		   tk_store_manifest_each(&f->st, collect_manifest, &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 0);

	expect_err("add m2", TK_OK, tk_store_manifest_add(&f->st, &m2, 10, &f->diag), &f->diag);
	expect_err("add m1 v1", TK_OK, tk_store_manifest_add(&f->st, &m1v1, 11, &f->diag),
		   &f->diag);
	expect_err("add m1 v4", TK_OK, tk_store_manifest_add(&f->st, &m1v4, 12, &f->diag),
		   &f->diag);
	expect_err("list", TK_OK,
		   tk_store_manifest_each(&f->st, collect_manifest, &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 3);
	assert_string_equal(list.ids[0], "ta-1");
	assert_int_equal(list.sequences[0], 1);
	assert_int_equal(list.added_at[0], 11);
	assert_string_equal(list.ids[1], "ta-1");
	assert_int_equal(list.sequences[1], 4);
	assert_string_equal(list.ids[2], "ta-2");
	assert_int_equal(list.image_digest_lens[2], 0);
	assert_int_equal(list.image_digest_lens[0], 32);
}

static void test_manifest_components(void **state)
{
	static const struct tk_span two[] = {{(const uint8_t *)"c-a", 3},
					     {(const uint8_t *)"c-b", 3}};
	static const struct tk_span one[] = {{(const uint8_t *)"c-b", 3}};
	static const struct tk_span empty_id[] = {{(const uint8_t *)"", 0}};
	struct tk_span many[TK_STORE_MANIFEST_COMPONENTS_MAX + 1];
	static const struct {
		const char *what;
		const char *manifest_id;
		uint64_t seq;
		const struct tk_span *ids;
		size_t n;
		tk_err expected;
	} cases[] = {
		{"two components of v1", "m-1", 1, two, 2, TK_OK},
		{"recorded twice", "m-1", 1, one, 1, TK_ERR_EXISTS},
		{"unregistered sequence", "m-1", 7, one, 1, TK_ERR_NOT_FOUND},
		{"unregistered manifest", "m-9", 1, one, 1, TK_ERR_NOT_FOUND},
		{"no component ids", "m-1", 2, one, 0, TK_ERR_ARG},
		{"empty component id", "m-1", 2, empty_id, 1, TK_ERR_ARG},
		{"one component of v2", "m-1", 2, one, 1, TK_OK},
		{"component of m-2", "m-2", 1, one, 1, TK_OK},
	};
	struct fixture *f = *state;
	struct tk_store_manifest m1v1 = manifest("m-1", 1, "e1");
	struct tk_store_manifest m1v2 = manifest("m-1", 2, "e2");
	struct tk_store_manifest m2 = manifest("m-2", 1, "e3");
	struct id_list list = {0};

	expect_err("add m-1 v1", TK_OK, tk_store_manifest_add(&f->st, &m1v1, 1, &f->diag),
		   &f->diag);
	expect_err("add m-1 v2", TK_OK, tk_store_manifest_add(&f->st, &m1v2, 2, &f->diag),
		   &f->diag);
	expect_err("add m-2", TK_OK, tk_store_manifest_add(&f->st, &m2, 3, &f->diag), &f->diag);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tk_diag_clear(&f->diag);
		expect_err(cases[i].what, cases[i].expected,
			   tk_store_manifest_components_add(
				   &f->st, tk_span_make(cases[i].manifest_id, 3), cases[i].seq,
				   cases[i].ids, cases[i].n, &f->diag), &f->diag);
	}
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = one[0];
	expect_err("too many component ids", TK_ERR_LIMIT_COUNT,
		   tk_store_manifest_components_add(&f->st, tk_span_make("m-1", 3), 2, many,
						    sizeof(many) / sizeof(many[0]), &f->diag),
		   &f->diag);
	assert_int_equal(rows(f, "manifest_components"), 4);

	/* Only the highest sequence number of a manifest counts. */
	expect_err("components of m-1", TK_OK,
		   tk_store_manifest_components_each(&f->st, tk_span_make("m-1", 3), collect_id,
						     &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.ids[0], "c-b");

	memset(&list, 0, sizeof(list));
	expect_err("components of unknown", TK_OK,
		   tk_store_manifest_components_each(&f->st, tk_span_make("m-9", 3), collect_id,
						     &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 0);

	memset(&list, 0, sizeof(list));
	expect_err("manifests of c-b", TK_OK,
		   tk_store_manifest_by_component_each(&f->st, tk_span_make("c-b", 3),
						       collect_id, &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.ids[0], "m-1");
	assert_string_equal(list.ids[1], "m-2");

	/* c-a is a component of m-1 version 1 only, which version 2 replaced. */
	memset(&list, 0, sizeof(list));
	expect_err("manifests of c-a", TK_OK,
		   tk_store_manifest_by_component_each(&f->st, tk_span_make("c-a", 3),
						       collect_id, &list, &f->diag), &f->diag);
	assert_int_equal(list.count, 0);
}

static void test_agent_key_twice(void **state)
{
	struct fixture *f = *state;
	struct tk_store_agent_key key = agent_key(0xab);

	expect_err("first", TK_OK, tk_store_agent_key_add(&f->st, &key, &f->diag), &f->diag);
	expect_err("second", TK_ERR_EXISTS, tk_store_agent_key_add(&f->st, &key, &f->diag),
		   &f->diag);
	assert_string_equal(f->diag.msg, "agent key abababababababab... is already enrolled");
}

/* Open a path that must fail, and check the code and a part of the message. */
static void expect_open_fails(const char *path, tk_err expected, const char *msg_part)
{
	struct tk_store st = {0};
	struct tk_diag diag;

	tk_diag_clear(&diag);
	expect_err(path, expected, tk_store_sqlite_open_existing(path, &st, &diag), &diag);
	if (strstr(diag.msg, msg_part) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", path, diag.msg, msg_part);
	assert_null(st.ctx);
}

static void test_open_existing(void **state)
{
	struct fixture *f = *state;
	char missing[128], text[128], foreign[128];
	sqlite3 *other = NULL;
	struct tk_store st = {0};
	struct tk_diag diag;
	FILE *file;

	snprintf(missing, sizeof(missing), "%s/typo.sqlite", f->dir);
	expect_open_fails(missing, TK_ERR_NOT_FOUND, "no such file");
	assert_int_equal(access(missing, F_OK), -1);

	snprintf(missing, sizeof(missing), "%s/no-folder/tam.sqlite", f->dir);
	tk_diag_clear(&diag);
	expect_err("create in a missing folder", TK_ERR_NOT_FOUND,
		   tk_store_sqlite_open(missing, &st, &diag), &diag);
	assert_non_null(strstr(diag.msg, "No such file or directory"));

	snprintf(text, sizeof(text), "%s/notes.txt", f->dir);
	file = fopen(text, "w");
	assert_non_null(file);
	fputs("this is not a database, but a text file of some length\n", file);
	fclose(file);
	expect_open_fails(text, TK_ERR_DB, "is not a teepkit database (SQLite: file is not "
			  "a database)");
	tk_diag_clear(&diag);
	expect_err("create over text", TK_ERR_DB, tk_store_sqlite_open(text, &st, &diag), &diag);
	assert_non_null(strstr(diag.msg, "is not a teepkit database"));

	/* An SQLite file of another program is not taken over. */
	snprintf(foreign, sizeof(foreign), "%s/other.sqlite", f->dir);
	assert_int_equal(sqlite3_open(foreign, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	expect_open_fails(foreign, TK_ERR_DB, "has no schema_version table");

	tk_diag_clear(&diag);
	expect_err("existing", TK_OK, tk_store_sqlite_open_existing(f->path, &st, &diag), &diag);
	tk_store_sqlite_close(&st);
}

static void test_missing_hook_unsupported(void **state)
{
	static const struct tk_store_ops no_ops = {0};
	const struct tk_span one_id = tk_span_make("t", 1);
	struct tk_store empty = {.ops = &no_ops};
	struct tk_store_session out;
	struct tk_diag diag;
	uint64_t n;

	(void)state;
	tk_diag_clear(&diag);
	expect_err("begin", TK_ERR_UNSUPPORTED, tk_store_begin(&empty, &diag), &diag);
	expect_err("session_use", TK_ERR_UNSUPPORTED,
		   tk_store_session_use(&empty, TK_STORE_BY_TOKEN, tk_span_make("t", 1), 0,
					&out, &diag), &diag);
	expect_err("count", TK_ERR_UNSUPPORTED, tk_store_count_rows(&empty, "devices", &n,
								    &diag), &diag);
	expect_err("null store", TK_ERR_UNSUPPORTED, tk_store_commit(NULL, &diag), &diag);
	expect_err("policy_remove", TK_ERR_UNSUPPORTED,
		   tk_store_policy_remove(&empty, tk_span_make("t", 1), TK_SPAN_EMPTY, &diag),
		   &diag);
	expect_err("manifest_each", TK_ERR_UNSUPPORTED,
		   tk_store_manifest_each(&empty, collect_manifest, NULL, &diag), &diag);
	expect_err("policy_target_each", TK_ERR_UNSUPPORTED,
		   tk_store_policy_target_each(&empty, tk_span_make("t", 1), collect_id, NULL,
					       &diag), &diag);
	expect_err("manifest_components_add", TK_ERR_UNSUPPORTED,
		   tk_store_manifest_components_add(&empty, tk_span_make("t", 1), 1, &one_id,
						    1, &diag), &diag);
	expect_err("manifest_components_each", TK_ERR_UNSUPPORTED,
		   tk_store_manifest_components_each(&empty, tk_span_make("t", 1), collect_id,
						     NULL, &diag), &diag);
	expect_err("manifest_by_component_each", TK_ERR_UNSUPPORTED,
		   tk_store_manifest_by_component_each(&empty, tk_span_make("t", 1),
						       collect_id, NULL, &diag), &diag);
}

static void test_limits_checked(void **state)
{
	struct fixture *f = *state;
	uint8_t big[TK_STORE_UEID_MAX + 1] = {0};
	uint8_t kid[TK_STORE_KID_LEN] = {0};
	uint64_t n;

	expect_err("long UEID", TK_ERR_LIMIT_SIZE,
		   tk_store_device_record(&f->st, tk_span_make(big, sizeof(big)),
					  tk_span_make(kid, sizeof(kid)), 1, &f->diag), &f->diag);
	expect_err("short kid", TK_ERR_ARG,
		   tk_store_device_record(&f->st, tk_span_make(big, 8), tk_span_make(kid, 8), 1,
					  &f->diag), &f->diag);
	expect_err("unknown table", TK_ERR_ARG,
		   tk_store_count_rows(&f->st, "devices; DROP TABLE devices", &n, &f->diag),
		   &f->diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
		cmocka_unit_test(test_schema_render),
		cmocka_unit_test_setup_teardown(test_session_single_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_for_device_or_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_record_and_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_installed_from_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrequired_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_components, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_key_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_existing, setup, teardown),
		cmocka_unit_test(test_missing_hook_unsupported),
		cmocka_unit_test_setup_teardown(test_limits_checked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
