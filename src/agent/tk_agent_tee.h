/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Glue between the agent state machine and what it runs on: implements
 * struct tk_teep_agent_tee_ops on a TEE backend (tee/tk_tee.h) and the SUIT
 * processor (suit/tk_suit.h), and struct tk_suit_platform_ops on the same
 * backend plus the HTTP client for payloads named by an http(s) URI.
 *
 * It lives in the program layer because the teep layer may not include the
 * tee and http layers above it. It allocates (staging and read buffers),
 * which only the program layers may do.
 */
#ifndef TK_AGENT_TEE_H
#define TK_AGENT_TEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_log.h"
#include "crypto/tk_crypto.h"
#include "http/tk_http_client.h"
#include "suit/tk_suit.h"
#include "tee/tk_tee.h"
#include "teep/tk_teep_agent.h"

/* Length of a vendor or class identifier (an RFC 9562 UUID). */
#define TK_AGENT_UUID_LEN 16

/*
 * Default bound of one image staged in agent memory, in bytes, for a
 * backend without staged writes (larger ones fail with TK_ERR_LIMIT_SIZE).
 * A backend with staged writes bounds images itself.
 */
#define TK_AGENT_DEFAULT_STAGING (8u * 1024u * 1024u)

/* One SUIT staging area: a heap buffer grown as the image streams in. */
struct tk_agent_stage {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

struct tk_agent_report;

struct tk_agent_tee {
	const struct tk_tee *tee;           /* borrowed, open */
	const struct tk_crypto *crypto;
	/* Trusted component signers' public keys; borrowed. */
	const struct tk_crypto_key *const *trust_anchors;
	size_t n_trust_anchors;
	/* Recipient identifiers for vendor and class conditions. A condition
	   on an identifier the device has none for fails. */
	bool has_vendor_id;
	uint8_t vendor_id[TK_AGENT_UUID_LEN];
	bool has_class_id;
	uint8_t class_id[TK_AGENT_UUID_LEN];
	/* Settings for fetching URI payloads (uri is ignored). */
	struct tk_http_client_config fetch;
	size_t staging_size;                /* 0 = TK_AGENT_DEFAULT_STAGING */
	/* SUIT reports of the manifests processed (tk_agent_report.h);
	   borrowed, NULL for none. */
	struct tk_agent_report *report;
	/* Staging areas of the SUIT processor; zero-initialise, freed when
	   the processor commits or aborts them. */
	struct tk_agent_stage stage[TK_SUIT_MAX_STAGING_AREAS];
	unsigned uninstall_depth;           /* manifests being uninstalled */
	/* Runs a component the invoke hook loaded (teep-agent load);
	   borrowed, NULL: measure and record only. */
	const struct tk_tee_invoke_ops *runner;
	const struct tk_log *log;           /* may be NULL */
};

/* Hooks for the agent state machine on `glue`; borrows glue. */
struct tk_teep_agent_tee_ops tk_agent_tee_ops(struct tk_agent_tee *glue);

/* SUIT platform hooks on `glue`; borrows glue. */
struct tk_suit_platform_ops tk_agent_suit_platform(struct tk_agent_tee *glue);

#endif /* TK_AGENT_TEE_H */
