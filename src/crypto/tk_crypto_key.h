/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of struct tk_crypto_key, private to src/crypto/. Providers
 * allocate the struct and fill type, has_private and impl; the wrapper in
 * tk_crypto.c sets provider, so any key knows how to sign, export and free
 * itself without the caller naming the provider again.
 */
#ifndef TK_CRYPTO_KEY_H
#define TK_CRYPTO_KEY_H

#include <stdbool.h>

#include "crypto/tk_crypto.h"

struct tk_crypto_key {
	const struct tk_crypto *provider; /* provider that created the key */
	enum tk_crypto_key_type type;
	bool has_private;                 /* holds a private part */
	void *impl;                       /* provider's key object */
};

#endif /* TK_CRYPTO_KEY_H */
