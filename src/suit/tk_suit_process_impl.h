/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interpreter state shared by the files of the SUIT processor: the
 * procedures (tk_suit_process.c), command sequences and their control flow
 * (tk_suit_sequence.c), parameters (tk_suit_parameters.c), conditions
 * (tk_suit_commands.c), directives (tk_suit_directives.c) and dependencies
 * (tk_suit_dependency.c). Not part of the public interface.
 *
 * One struct tk_suit_frame keeps the state of one manifest: the root or a
 * dependency. All frames live in struct tk_suit_processor on the caller's
 * stack, so the processor allocates nothing.
 */
#ifndef TK_SUIT_PROCESS_IMPL_H
#define TK_SUIT_PROCESS_IMPL_H

#include "crypto/tk_crypto.h"
#include "suit/tk_suit_impl.h"

/* Component indices one manifest can address: its components and its
 * dependency slots, which may lie past the component list. */
#define TK_SUIT_MAX_SLOTS (TK_SUIT_MAX_COMPONENTS + TK_SUIT_MAX_DEPENDENCIES)

/* Reporting policy bits (manifest-37 section 8.4.7). */
#define TK_SUIT_RECORD_ON_SUCCESS 1u
#define TK_SUIT_RECORD_ON_FAILURE 2u
#define TK_SUIT_SYSINFO_ON_SUCCESS 4u
#define TK_SUIT_SYSINFO_ON_FAILURE 8u

/* Manifest key used in records for the shared sequence (suit-common). */
#define TK_SUIT_RECORD_SECTION_SHARED 3

/* Parameters of one component (manifest-37 section 8.4.8). Every value is
 * a view into the manifest that set it; raw[] keeps the encoded values for
 * report records. */
struct tk_suit_params {
	struct tk_span vendor_id, class_id, device_id; /* empty when unset */
	bool has_digest;
	struct tk_suit_digest digest;
	bool has_size;
	uint64_t size;
	struct tk_span uri;             /* empty when unset */
	bool has_content;
	struct tk_span content;
	bool has_source;
	uint64_t source;
	bool has_slot;
	uint64_t slot;
	bool has_invoke_args;
	struct tk_span invoke_args;
	bool has_fetch_arguments;
	struct tk_span fetch_arguments;
	bool has_encryption_info;
	struct tk_span encryption_info;
	struct tk_span raw[TK_SUIT_PARAM_FETCH_ARGUMENTS + 1]; /* by key */
};

/* State of one component index of a manifest. */
struct tk_suit_component {
	struct tk_suit_params params;
	int area;             /* staging area with the new image, -1 none */
	bool verified;        /* the staged bytes are authenticated: written
				 from the manifest, or matched by image-match
				 or check-content since they were fetched */
	uint8_t digest[TK_SUIT_DIGEST_LEN]; /* SHA-256 of the staged bytes */
	uint64_t size;        /* staged bytes */

	/* Dependency slots (trust-domains-11 section 5.2.2). */
	bool is_dependency;
	struct tk_span prefix;      /* encoded dependency-prefix or empty */
	struct tk_span envelope;    /* fetched dependency envelope: a view
				       into the root envelope or opts->work */
	bool integrity_checked;     /* dependency-integrity succeeded on the
				       envelope currently held */
	int frame;                  /* frame of the dependency, -1 none */
};

/* One manifest in the procedure: the root (frame 0) or a dependency. */
struct tk_suit_frame {
	const struct tk_suit_manifest *m;
	struct tk_suit_manifest storage;  /* the decoded dependency */
	struct tk_suit_component comps[TK_SUIT_MAX_SLOTS];
	size_t slot_count;     /* component indices in use */
	struct tk_span holder; /* id that links this manifest's components:
				  its manifest component id, or its
				  dependent's holder */
	uint32_t sections_done; /* bit k: section with key k processed */
	uint64_t record_id[TK_SUIT_MAX_MANIFESTS]; /* dependency indices from
						       the root, for records */
	size_t record_id_len;
};

/* Interpreter state for one procedure. */
struct tk_suit_processor {
	const struct tk_suit_process_opts *opts;
	const struct tk_suit_platform_ops *ops;
	enum tk_suit_procedure procedure;
	size_t frame_count;
	uint32_t areas_begun;  /* bit a: stage_begin was called for area a */
	uint32_t areas_used;   /* bit a: area a contains a component's image */
	size_t work_used;      /* bytes of opts->work holding envelopes */
	unsigned nesting;      /* try-each, run-sequence and dependency
				  levels entered */
	bool decorated;        /* diag already names where it failed */
	bool failure_recorded; /* the report hook has the record of the
				  failure that ends the procedure */
	struct tk_diag *diag;
	/* Last, so the fields above can be zeroed without the frames. */
	struct tk_suit_frame frames[TK_SUIT_MAX_MANIFESTS];
};

/* One run of a command sequence. */
struct tk_suit_exec {
	struct tk_suit_processor *p;
	struct tk_suit_frame *f;
	int64_t section;        /* manifest key, for records and messages */
	uint64_t selected;      /* bit i: component index i is current */
	bool soft_failure;      /* suit-parameter-soft-failure */
	bool nested;            /* inside try-each or run-sequence */
	bool soft_failed;       /* a condition failed while soft_failure */
	size_t offset;          /* offset of the current command */
	struct tk_span properties; /* record properties the running command
				      set, empty when none */
	uint8_t props[TK_SUIT_MAX_RECORD_PROPERTIES];
};

/* Forget a condition failure that soft-failure turned into a skip. */
void tk_suit_clear_soft_failure(struct tk_suit_processor *p);

/* Fail with TK_ERR_UNSUPPORTED, naming the hook, when hook is NULL. */
TK_MUST_CHECK tk_err tk_suit_need_hook(struct tk_suit_processor *p, const void *hook,
				       const char *name);

/* Name of a command sequence by its manifest key (shared sequence for 3). */
const char *tk_suit_exec_section_name(int64_t section);

/*
 * Run a command sequence of frame f. `selected` is the selection at entry
 * (nested sequences get one index); `nested` is true for the argument of
 * try-each and run-sequence. Sets *soft when a condition failed with
 * soft-failure set; the return is then TK_OK.
 */
TK_MUST_CHECK tk_err tk_suit_run_sequence(struct tk_suit_processor *p, struct tk_suit_frame *f,
					  int64_t section, struct tk_span sequence,
					  uint64_t selected, bool nested, bool soft_failure,
					  bool *soft);

/* Run a section of frame f: its shared sequence, then its `section`
 * sequence when present. */
TK_MUST_CHECK tk_err tk_suit_run_section(struct tk_suit_processor *p, struct tk_suit_frame *f,
					 enum tk_suit_section section);

/* The command sequence of `section` in m, empty when absent. */
struct tk_span tk_suit_find_section(const struct tk_suit_manifest *m,
				    enum tk_suit_section section);

/* override-parameters (override true) and set-parameters (false). */
TK_MUST_CHECK tk_err tk_suit_cmd_parameters(struct tk_suit_exec *x,
					    struct tk_cbor_dec *dec, bool override);

/* Make `from` the defaults of `to` (set-if-unset), leaving out image
 * digest, size, URI, content and encryption-info, which describe the
 * dependency envelope rather than its payloads. */
void tk_suit_params_inherit(struct tk_suit_params *to, const struct tk_suit_params *from);

/* set-component-index: uint / true / [+ uint]. */
TK_MUST_CHECK tk_err tk_suit_cmd_set_component_index(struct tk_suit_exec *x,
						     struct tk_cbor_dec *dec);

/* Encode the parameters `keys` of component i into x->properties. */
void tk_suit_record_params(struct tk_suit_exec *x, size_t i, const int64_t *keys,
			   size_t key_count);

/* Conditions on component index i (tk_suit_commands.c). */
TK_MUST_CHECK tk_err tk_suit_run_condition(struct tk_suit_exec *x, int64_t command,
					   size_t i);

/* Directives with a reporting policy on component index i
 * (tk_suit_directives.c). */
TK_MUST_CHECK tk_err tk_suit_run_directive(struct tk_suit_exec *x, int64_t command,
					   size_t i);

/* Stream the current image of component i (staged or installed) into sink. */
TK_MUST_CHECK tk_err tk_suit_read_image(struct tk_suit_exec *x, size_t i,
					const struct tk_suit_sink *sink);

/* Release the staging area of component i of frame f, if any. */
void tk_suit_drop_area(struct tk_suit_processor *p, struct tk_suit_frame *f, size_t i);

/* The encoded component id of index i of frame f (empty for a dependency
 * slot past the component list). */
struct tk_span tk_suit_component_id(const struct tk_suit_frame *f, size_t i);

/* Dependency commands (tk_suit_dependency.c). */
TK_MUST_CHECK tk_err tk_suit_dependency_integrity(struct tk_suit_exec *x, size_t i);
TK_MUST_CHECK tk_err tk_suit_process_dependency(struct tk_suit_exec *x, size_t i);
TK_MUST_CHECK tk_err tk_suit_unlink_dependency(struct tk_suit_exec *x, size_t i);

/* Mark the dependency slots of frame f from its manifest's
 * suit-dependencies; fails when an index is out of range. */
TK_MUST_CHECK tk_err tk_suit_frame_init(struct tk_suit_processor *p, struct tk_suit_frame *f,
					const struct tk_suit_manifest *m, struct tk_span holder);

/* Fail when a dependency of f that was loaded has `section` and it was not
 * processed (trust-domains-11 section 5.1). */
TK_MUST_CHECK tk_err tk_suit_check_lockstep(struct tk_suit_processor *p,
					    const struct tk_suit_frame *f,
					    enum tk_suit_section section);

#endif /* TK_SUIT_PROCESS_IMPL_H */
