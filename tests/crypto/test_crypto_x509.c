/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of X.509 chain verification, as used for TPM EK certificates. A
 * P-256 EK certificate (key encipherment only, like a real EK) issued by
 * an intermediate under a root verifies to the root and yields its key.
 * Rows of chains that must fail each have their code. The openssl
 * command-line tool makes the certificates at setup, so they do not come
 * from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/tk_crypto.h"

static char dir[] = "/tmp/tk_x509_XXXXXX";

/*
 * Root CA, intermediate CA, EK leaf (P-256), an RSA leaf, an unrelated
 * root, a self-signed leaf named like the EK, and a leaf issued by the EK
 * (not a CA); all as DER, plus the EK public key as PEM.
 */
static const char make_certs[] =
	"set -e\n"
	"ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1; }\n"
	"ec root.key; ec inter.key; ec ek.key; ec other.key\n"
	"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null\n"
	"printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > ca.ext\n"
	"printf 'keyUsage=critical,keyEncipherment\\n' > ek.ext\n"
	"openssl req -x509 -new -key root.key -subj '/CN=EK Root' -days 3650 "
	"-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
	"-out root.pem\n"
	"openssl req -x509 -new -key other.key -subj '/CN=Other Root' -days 3650 "
	"-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
	"-out other.pem\n"
	"openssl req -new -key inter.key -subj '/CN=EK Intermediate' -out inter.csr\n"
	"openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 "
	"-days 3650 -extfile ca.ext -out inter.pem 2>/dev/null\n"
	"for leaf in ek rsa; do\n"
	"  openssl req -new -key $leaf.key -subj \"/CN=$leaf\" -out $leaf.csr\n"
	"  openssl x509 -req -in $leaf.csr -CA inter.pem -CAkey inter.key -set_serial 3 "
	"-days 3650 -extfile ek.ext -out $leaf.pem 2>/dev/null\n"
	"done\n"
	"ec fake.key; ec sub.key\n"
	"openssl req -x509 -new -key fake.key -subj '/CN=ek' -days 3650 -out fake.pem\n"
	"openssl req -new -key sub.key -subj '/CN=sub' -out sub.csr\n"
	"openssl x509 -req -in sub.csr -CA ek.pem -CAkey ek.key -set_serial 4 "
	"-days 3650 -extfile ek.ext -out sub.pem 2>/dev/null\n"
	"for c in root other inter ek rsa fake sub; do\n"
	"  openssl x509 -in $c.pem -outform DER -out $c.der\n"
	"done\n"
	"openssl pkey -in ek.key -pubout -out ek.pub.pem\n";

struct der {
	uint8_t buf[4096];
	size_t len;
};

static struct der root, other, inter, ek, rsa, fake, sub;

static void load(const char *name, struct der *out)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	out->len = fread(out->buf, 1, sizeof(out->buf), f);
	fclose(f);
	assert_true(out->len > 0 && out->len < sizeof(out->buf));
}

static int setup(void **state)
{
	char command[sizeof(make_certs) + 128];

	(void)state;
	if (system("command -v openssl > /dev/null") != 0)
		return 0;
	if (mkdtemp(dir) == NULL)
		return -1;
	/* Write the script to a file rather than quoting it for the shell. */
	snprintf(command, sizeof(command), "%s/make.sh", dir);
	{
		FILE *f = fopen(command, "w");

		if (f == NULL)
			return -1;
		fputs(make_certs, f);
		fclose(f);
	}
	snprintf(command, sizeof(command), "cd %s && sh make.sh > /dev/null 2>&1", dir);
	return system(command) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	return system(command) == 0 ? 0 : -1;
}

static struct tk_span span(const struct der *d)
{
	return tk_span_make(d->buf, d->len);
}

static void test_chain_verifies(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();
	struct tk_span chain[2], trusted[2];
	struct tk_crypto_key *key = NULL, *expected = NULL;
	uint8_t x[32], y[32], ex[32], ey[32], pem[512];
	size_t pem_len;
	struct tk_diag diag;
	char path[128];
	FILE *f;

	(void)state;
	if (dir[strlen(dir) - 1] == 'X')
		skip();
	load("root.der", &root);
	load("other.der", &other);
	load("inter.der", &inter);
	load("ek.der", &ek);
	load("rsa.der", &rsa);
	load("fake.der", &fake);
	load("sub.der", &sub);
	chain[0] = span(&ek);
	chain[1] = span(&inter);
	trusted[0] = span(&other);
	trusted[1] = span(&root);

	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_x509_verify_chain(c, chain, 2, trusted, 2, 0, &key, &diag),
			 TK_OK);
	assert_int_equal(tk_crypto_key_type(key), TK_CRYPTO_KEY_P256);
	assert_false(tk_crypto_key_has_private(key));

	/* The key returned is the EK certificate's. */
	snprintf(path, sizeof(path), "%s/ek.pub.pem", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	pem_len = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	assert_int_equal(tk_crypto_key_import_pem(c, pem, pem_len, &expected, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(key, x, y, NULL), TK_OK);
	assert_int_equal(tk_crypto_key_export_public(expected, ex, ey, NULL), TK_OK);
	assert_memory_equal(x, ex, 32);
	assert_memory_equal(y, ey, 32);
	tk_crypto_key_free(key);
	tk_crypto_key_free(expected);

	/* Without a key output the chain alone is checked: an RSA EK passes. */
	chain[0] = span(&rsa);
	tk_diag_clear(&diag);
	assert_int_equal(tk_crypto_x509_verify_chain(c, chain, 2, trusted, 2, 0, NULL, &diag),
			 TK_OK);
	chain[0] = span(&ek);
	trusted[1] = span(&other);
	assert_int_equal(tk_crypto_x509_verify_chain(c, chain, 2, trusted, 2, 0, NULL, &diag),
			 TK_ERR_UNTRUSTED);
}

enum change { NO_INTERMEDIATE, OTHER_ROOT, RSA_LEAF, EXPIRED, BEFORE_VALID, BAD_DER,
	      TRAILING_BYTE, TOO_MANY, EMPTY_TRUSTED, SELF_SIGNED, ISSUED_BY_EK,
	      SELF_SIGNED_TRUSTED_TOO, ROOT_AS_LEAF, INTERMEDIATE_AS_LEAF };

static const struct {
	const char *desc;
	enum change change;
	tk_err expected;
} fail_rows[] = {
	{"intermediate missing", NO_INTERMEDIATE, TK_ERR_UNTRUSTED},
	{"trusted root is another", OTHER_ROOT, TK_ERR_UNTRUSTED},
	{"RSA leaf", RSA_LEAF, TK_ERR_KEY},
	{"verified in 2100, expired", EXPIRED, TK_ERR_UNTRUSTED},
	{"verified in 2001, not yet valid", BEFORE_VALID, TK_ERR_UNTRUSTED},
	{"leaf is not DER", BAD_DER, TK_ERR_KEY},
	{"leaf has a trailing byte", TRAILING_BYTE, TK_ERR_KEY},
	{"nine certificates", TOO_MANY, TK_ERR_LIMIT_COUNT},
	{"no trusted CA", EMPTY_TRUSTED, TK_ERR_ARG},
	{"self-signed leaf", SELF_SIGNED, TK_ERR_UNTRUSTED},
	{"leaf issued by the EK, not a CA", ISSUED_BY_EK, TK_ERR_UNTRUSTED},
	{"self-signed leaf sent as its own CA", SELF_SIGNED_TRUSTED_TOO, TK_ERR_UNTRUSTED},
	{"trusted root sent as the EK certificate", ROOT_AS_LEAF, TK_ERR_UNTRUSTED},
	{"intermediate CA sent as the EK certificate", INTERMEDIATE_AS_LEAF, TK_ERR_UNTRUSTED},
};

static void test_chain_failures(void **state)
{
	const struct tk_crypto *c = tk_crypto_openssl();

	(void)state;
	if (dir[strlen(dir) - 1] == 'X' || root.len == 0)
		skip();
	for (size_t i = 0; i < sizeof(fail_rows) / sizeof(fail_rows[0]); i++) {
		static struct der leaf;
		struct tk_span chain[9], trusted[1] = {span(&root)};
		size_t n_chain = 2, n_trusted = 1;
		int64_t at = 0;
		struct tk_crypto_key *key = NULL;
		struct tk_diag diag;
		tk_err err;

		leaf = ek;
		chain[0] = span(&leaf);
		chain[1] = span(&inter);
		switch (fail_rows[i].change) {
		case NO_INTERMEDIATE: n_chain = 1; break;
		case OTHER_ROOT: trusted[0] = span(&other); break;
		case RSA_LEAF: chain[0] = span(&rsa); break;
		case EXPIRED: at = 4102444800; break;       /* 2100-01-01 */
		case BEFORE_VALID: at = 978307200; break;   /* 2001-01-01 */
		case BAD_DER: leaf.buf[0] = 0x31; break;
		case TRAILING_BYTE: leaf.buf[leaf.len++] = 0; chain[0] = span(&leaf); break;
		case TOO_MANY:
			for (size_t k = 0; k < 9; k++)
				chain[k] = span(&inter);
			n_chain = 9;
			break;
		case EMPTY_TRUSTED: n_trusted = 0; break;
		case SELF_SIGNED: chain[0] = span(&fake); n_chain = 1; break;
		case ISSUED_BY_EK:
			chain[0] = span(&sub);
			chain[1] = span(&ek);
			chain[2] = span(&inter);
			n_chain = 3;
			break;
		case ROOT_AS_LEAF: chain[0] = span(&root); n_chain = 1; break;
		case INTERMEDIATE_AS_LEAF: chain[0] = span(&inter); n_chain = 1; break;
		case SELF_SIGNED_TRUSTED_TOO:
			chain[0] = span(&fake);
			chain[1] = span(&fake);
			break;
		}
		tk_diag_clear(&diag);
		err = tk_crypto_x509_verify_chain(c, chain, n_chain, trusted, n_trusted, at, &key,
						  &diag);
		if (err != fail_rows[i].expected)
			fail_msg("%s: expected %s, got %s (%s)", fail_rows[i].desc,
				 tk_err_name(fail_rows[i].expected), tk_err_name(err), diag.msg);
		assert_null(key);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_chain_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
