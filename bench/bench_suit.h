/* SPDX-License-Identifier: Apache-2.0 */
/* Parts of the SUIT benchmark program (bench_suit.c) in other files. */
#ifndef TK_BENCH_SUIT_H
#define TK_BENCH_SUIT_H

#include "common/tk_err.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit.h"

/* Print diag and exit with status 1. */
void bench_die(const char *what, const struct tk_diag *diag);

/* Time decode + authenticate and each full procedure of the example
 * manifests (bench_suit_examples.c); ratios are to verify_us. */
void bench_examples(const struct tk_crypto_key *key, double verify_us);

#endif /* TK_BENCH_SUIT_H */
