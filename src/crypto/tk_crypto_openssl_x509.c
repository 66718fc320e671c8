/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 chain verification of the OpenSSL 3.0 provider, for TPM
 * endorsement key certificates. X509_verify_cert checks the chain against
 * a store with only the caller's trusted CAs, never the system store. The
 * leaf's public key is handed back through the provider's own PEM import,
 * so only P-256 leaves become keys.
 */
#include "crypto/tk_crypto_openssl.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

/* Parse one DER certificate, rejecting bytes after it. */
static tk_err parse_der(const char *what, size_t i, struct tk_span der,
			X509 **out, struct tk_diag *diag)
{
	const unsigned char *p = der.ptr;

	*out = d2i_X509(NULL, &p, (long)der.len);
	if (*out == NULL)
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, what);
	if (p != der.ptr + der.len) {
		X509_free(*out);
		*out = NULL;
		return TK_FAIL(diag, TK_ERR_KEY,
			       "%s: certificate %zu has %zu bytes after its DER encoding",
			       what, i, (size_t)(der.ptr + der.len - p));
	}
	return TK_OK;
}

static tk_err build_store(const struct tk_span *trusted, size_t n_trusted,
			  X509_STORE *store, struct tk_diag *diag)
{
	for (size_t i = 0; i < n_trusted; i++) {
		X509 *cert = NULL;
		tk_err err = parse_der("trusted CA certificate is not valid DER",
				       i, trusted[i], &cert, diag);

		if (err != TK_OK)
			return err;
		if (X509_STORE_add_cert(store, cert) != 1) {
			X509_free(cert);
			return TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO,
					       "adding a trusted CA failed");
		}
		X509_free(cert); /* the store holds its own reference */
	}
	return TK_OK;
}

static tk_err build_untrusted(const struct tk_span *chain, size_t n_chain,
			      STACK_OF(X509) *untrusted, struct tk_diag *diag)
{
	for (size_t i = 1; i < n_chain; i++) {
		X509 *cert = NULL;
		tk_err err = parse_der("chain certificate is not valid DER", i,
				       chain[i], &cert, diag);

		if (err != TK_OK)
			return err;
		if (sk_X509_push(untrusted, cert) <= 0) {
			X509_free(cert);
			return TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM,
					       "certificate stack push failed");
		}
	}
	return TK_OK;
}

/* Hand the leaf's public key over as a provider key (P-256 only). */
static tk_err export_leaf_key(X509 *leaf, struct tk_crypto_key **out,
			      struct tk_diag *diag)
{
	EVP_PKEY *pkey = X509_get0_pubkey(leaf);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long pem_len;
	tk_err err;

	if (pkey == NULL || bio == NULL) {
		BIO_free(bio);
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "leaf certificate has no public key");
	}
	if (PEM_write_bio_PUBKEY(bio, pkey) != 1) {
		BIO_free(bio);
		return TK_FAIL_OPENSSL(diag, TK_ERR_KEY, "leaf public key export failed");
	}
	pem_len = BIO_get_mem_data(bio, &pem);
	err = tk_crypto_key_import_pem(tk_crypto_openssl(), (const uint8_t *)pem,
				       (size_t)pem_len, out, diag);
	BIO_free(bio);
	return err;
}

tk_err tk_crypto_ossl_x509_verify_chain(void *ctx, const struct tk_span *chain,
					size_t n_chain, const struct tk_span *trusted,
					size_t n_trusted, int64_t at_time,
					struct tk_crypto_key **leaf_key,
					struct tk_diag *diag)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *sctx = X509_STORE_CTX_new();
	X509 *leaf = NULL;
	tk_err err = TK_ERR_NOMEM;

	(void)ctx;
	if (store == NULL || untrusted == NULL || sctx == NULL) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_NOMEM, "X.509 store allocation failed");
		goto done;
	}
	err = build_store(trusted, n_trusted, store, diag);
	if (err == TK_OK)
		err = parse_der("leaf certificate is not valid DER", 0, chain[0], &leaf,
				diag);
	if (err == TK_OK)
		err = build_untrusted(chain, n_chain, untrusted, diag);
	if (err != TK_OK)
		goto done;

	if (X509_STORE_CTX_init(sctx, store, leaf, untrusted) != 1) {
		err = TK_FAIL_OPENSSL(diag, TK_ERR_CRYPTO, "X509_STORE_CTX_init failed");
		goto done;
	}
	if (at_time > 0)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sctx),
					   (time_t)at_time);
	if (X509_verify_cert(sctx) != 1) {
		int code = X509_STORE_CTX_get_error(sctx);

		ERR_clear_error();
		err = TK_FAIL(diag, TK_ERR_UNTRUSTED,
			      "certificate chain does not verify: %s (at depth %d)",
			      X509_verify_cert_error_string(code),
			      X509_STORE_CTX_get_error_depth(sctx));
		goto done;
	}

	/*
	 * An EK certificate is an end-entity certificate. X509_verify_cert
	 * also accepts a trusted CA, or an intermediate issued by one, sent
	 * as the leaf, but the key of a CA is no EK.
	 */
	if (X509_check_ca(leaf) != 0) {
		err = TK_FAIL(diag, TK_ERR_UNTRUSTED,
			      "leaf certificate is a CA certificate, not an end-entity "
			      "(EK) certificate");
		goto done;
	}
	err = leaf_key != NULL ? export_leaf_key(leaf, leaf_key, diag) : TK_OK;

done:
	X509_STORE_CTX_free(sctx);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_free(store);
	return err;
}
