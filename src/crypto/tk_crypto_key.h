/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of struct tk_crypto_key, private to src/crypto/. Providers
 * allocate the struct and fill type, has_private and impl. The wrapper in
 * tk_crypto.c sets provider, so the sign, export and free calls find the
 * provider through the key and callers need not name it again.
 */
#ifndef TK_CRYPTO_KEY_H
#define TK_CRYPTO_KEY_H

#include <stdbool.h>

#include "crypto/tk_crypto.h"

struct tk_crypto_key {
	const struct tk_crypto *provider; /* provider that created the key */
	enum tk_crypto_key_type type;
	bool has_private;                 /* contains a private part */
	void *impl;                       /* provider's key object */
};

#endif /* TK_CRYPTO_KEY_H */
