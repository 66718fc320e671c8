/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider-independent wrapper of X.509 chain verification: argument and
 * limit checks before the provider runs, and an empty output on failure.
 */
#include "crypto/tk_crypto.h"

#include <stddef.h>

/* Check a list of DER certificates against the named limits. */
static tk_err check_certs(const char *what, const struct tk_span *certs,
			  size_t n, struct tk_diag *diag)
{
	if (n == 0 || certs == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "%s is empty", what);
	if (n > TK_CRYPTO_X509_MAX_CHAIN)
		return TK_FAIL(diag, TK_ERR_LIMIT_COUNT,
			       "%s has %zu certificates, maximum %d", what, n,
			       TK_CRYPTO_X509_MAX_CHAIN);
	for (size_t i = 0; i < n; i++) {
		if (certs[i].ptr == NULL || certs[i].len == 0)
			return TK_FAIL(diag, TK_ERR_ARG, "%s: certificate %zu is empty",
				       what, i);
		if (certs[i].len > TK_CRYPTO_X509_MAX_DER)
			return TK_FAIL(diag, TK_ERR_LIMIT_SIZE,
				       "%s: certificate %zu is %zu bytes, maximum %d",
				       what, i, certs[i].len, TK_CRYPTO_X509_MAX_DER);
	}
	return TK_OK;
}

tk_err tk_crypto_x509_verify_chain(const struct tk_crypto *c,
				   const struct tk_span *chain, size_t n_chain,
				   const struct tk_span *trusted, size_t n_trusted,
				   int64_t at_time, struct tk_crypto_key **leaf_key,
				   struct tk_diag *diag)
{
	tk_err err;

	if (leaf_key != NULL)
		*leaf_key = NULL;
	if (at_time < 0)
		return TK_FAIL(diag, TK_ERR_ARG, "verification time %lld is negative",
			       (long long)at_time);
	err = check_certs("certificate chain", chain, n_chain, diag);
	if (err == TK_OK)
		err = check_certs("trusted CA list", trusted, n_trusted, diag);
	if (err != TK_OK)
		return err;
	if (c == NULL || c->ops == NULL || c->ops->x509_verify_chain == NULL)
		return TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			       "crypto provider has no x509_verify_chain operation");

	err = c->ops->x509_verify_chain(c->ctx, chain, n_chain, trusted, n_trusted,
					at_time, leaf_key, diag);
	if (err != TK_OK && leaf_key != NULL && *leaf_key != NULL) {
		tk_crypto_key_free(*leaf_key);
		*leaf_key = NULL;
	}
	return err;
}
