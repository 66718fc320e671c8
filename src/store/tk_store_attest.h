/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation records of the TAM store: the attestation results the TAM
 * acted on, kept as a history per device, the group each device belongs
 * to, and the attestation policy of each group. They are hooks of struct
 * tk_store_ops (tk_store.h) like every other record. This header contains
 * their types and wrappers so that the attestation part of the interface
 * reads in one place.
 *
 * Records:
 *   attestation_results  one row per appraisal: device, agent kid, RATS
 *                        model, trustworthiness tier, the decision taken,
 *                        verifier, reason and the signed result (EAR)
 *   device_groups        UEID -> group name; a device without a row is in
 *                        TK_STORE_DEFAULT_GROUP
 *   group_policies       group name -> whether a "warning" tier proceeds;
 *                        a group without a row rejects it
 */
#ifndef TK_STORE_ATTEST_H
#define TK_STORE_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tk_err.h"
#include "common/tk_span.h"

struct tk_store;

/*
 * Maximum length of a group name in bytes, without the NUL. Names are
 * 1..64 characters of A-Z, a-z, 0-9, '.', '_' and '-' (TK_ERR_ARG
 * otherwise), so they can be printed and passed on a command line as they
 * are.
 */
#define TK_STORE_GROUP_MAX 64

/* Group of a device that no administrator assigned. */
#define TK_STORE_DEFAULT_GROUP "default"

/*
 * Maximum size of a stored attestation result (a signed EAR), in bytes.
 * An EAR with one submodule and the TEEP claims takes well under 1 KiB;
 * 16 KiB is the evidence limit of the EAT layer, and larger results fail
 * with TK_ERR_LIMIT_SIZE.
 */
#define TK_STORE_RESULT_MAX (16u * 1024u)

/* Maximum length of the verifier name, media type and reason texts. */
#define TK_STORE_ATTEST_TEXT_MAX 256

/* RATS model that gave the result. Stored as integers; never renumber. */
enum tk_store_attest_model {
	TK_STORE_MODEL_ENROLLED_KEY = 1,     /* evidence checked against the enrolled
						key only, no verifier */
	TK_STORE_MODEL_BACKGROUND_CHECK = 2, /* the TAM passed the evidence to a
						verifier (RFC 9334 section 5.2) */
	TK_STORE_MODEL_PASSPORT = 3,         /* the agent presented a result
						(RFC 9334 section 5.1) */
};

/*
 * Trustworthiness tiers of draft-ietf-rats-ar4si as EAR's ear.status
 * carries them. Stored as integers with these values.
 */
enum tk_store_tier {
	TK_STORE_TIER_NONE = 0,
	TK_STORE_TIER_AFFIRMING = 2,
	TK_STORE_TIER_WARNING = 32,
	TK_STORE_TIER_CONTRAINDICATED = 96,
};

/* Decision the TAM took on a result. Stored as integers; never renumber. */
enum tk_store_attest_decision {
	TK_STORE_DECISION_PROCEED = 1, /* the Update plan went ahead */
	TK_STORE_DECISION_REFUSE = 2,  /* Update with ERR_ATTESTATION_REQUIRED */
};

/* One appraisal. Spans are borrowed on add and views during a listing. */
struct tk_store_attestation {
	int64_t id;                       /* set by listings; ignored on add */
	struct tk_span ueid;              /* 1..TK_STORE_UEID_MAX bytes */
	uint8_t kid[32];                  /* agent key (TK_STORE_KID_LEN) */
	enum tk_store_attest_model model;
	enum tk_store_tier tier;
	enum tk_store_attest_decision decision;
	struct tk_span group;             /* group the policy came from */
	struct tk_span verifier;          /* verifier name, text; may be empty */
	struct tk_span reason;            /* text, empty when affirming */
	struct tk_span media_type;        /* of result; empty when no result */
	struct tk_span result;            /* signed attestation result; may be empty */
	int64_t appraised_at;
};

/* Callback of tk_store_attestation_each(); views valid during the call. */
typedef tk_err (*tk_store_attestation_fn)(void *cb_ctx, const struct tk_store_attestation *a);

/* Name of a tier ("affirming"), or "unknown". Never NULL. */
const char *tk_store_tier_name(enum tk_store_tier tier);

/* Name of a model ("passport"), or "unknown". Never NULL. */
const char *tk_store_model_name(enum tk_store_attest_model model);

/* TK_ERR_ARG unless name is a valid group name (see TK_STORE_GROUP_MAX). */
TK_MUST_CHECK tk_err tk_store_group_name_check(const char *name, struct tk_diag *diag);

/*
 * Wrappers of the attestation hooks: each checks that the hook exists
 * (TK_ERR_UNSUPPORTED otherwise) and the lengths against the limits above.
 */

/* Append an appraisal to the device's history. */
TK_MUST_CHECK tk_err tk_store_attestation_add(const struct tk_store *st,
					      const struct tk_store_attestation *a,
					      struct tk_diag *diag);
/*
 * List appraisals newest first: of one device, or of all with an empty
 * ueid; at most `limit` rows per device (0: all of them).
 */
TK_MUST_CHECK tk_err tk_store_attestation_each(const struct tk_store *st, struct tk_span ueid,
					       size_t limit, tk_store_attestation_fn cb,
					       void *cb_ctx, struct tk_diag *diag);
/* Put the device with this UEID in a group (replacing its old group). */
TK_MUST_CHECK tk_err tk_store_device_group_set(const struct tk_store *st, struct tk_span ueid,
					       const char *group, int64_t now,
					       struct tk_diag *diag);
/*
 * Copy the device's group name, NUL-terminated, into out (at least
 * TK_STORE_GROUP_MAX + 1 bytes); TK_STORE_DEFAULT_GROUP when none is set.
 */
TK_MUST_CHECK tk_err tk_store_device_group_get(const struct tk_store *st, struct tk_span ueid,
					       char *out, size_t out_cap, struct tk_diag *diag);
/* Set whether a warning tier proceeds for devices of this group. */
TK_MUST_CHECK tk_err tk_store_group_policy_set(const struct tk_store *st, const char *group,
					       bool accept_warning, int64_t now,
					       struct tk_diag *diag);
/* Read a group's policy; false (reject warnings) when none is set. */
TK_MUST_CHECK tk_err tk_store_group_policy_get(const struct tk_store *st, const char *group,
					       bool *accept_warning, struct tk_diag *diag);

#endif /* TK_STORE_ATTEST_H */
