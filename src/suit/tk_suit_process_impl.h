/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interpreter state shared by the processor's dispatch (tk_suit_process.c)
 * and its commands (tk_suit_commands.c). Not part of the public interface.
 */
#ifndef TK_SUIT_PROCESS_IMPL_H
#define TK_SUIT_PROCESS_IMPL_H

#include "suit/tk_suit_impl.h"

/* Parameters of one component (manifest-37 section 8.4.8). */
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
	bool has_fetch_arguments;
	bool has_slot;
};

/* Parameters and staged image of one component. */
struct tk_suit_component {
	struct tk_suit_params params;
	bool staged;
	struct tk_span image; /* view into the envelope or the work buffer */
	bool verified;        /* the staged bytes are authenticated: written
				 from the manifest, or matched by image-match
				 or check-content since they were fetched */
};

/* Interpreter state for one procedure. */
struct tk_suit_processor {
	const struct tk_suit_manifest *m;
	const struct tk_suit_process_opts *opts;
	const struct tk_suit_platform_ops *ops;
	enum tk_suit_procedure procedure;
	struct tk_suit_component comps[TK_SUIT_MAX_COMPONENTS];
	uint32_t selected;     /* bit i: component i is current */
	size_t work_used;      /* bytes of opts->work holding staged images */
	struct tk_diag *diag;
};

/* Fail with TK_ERR_UNSUPPORTED, naming the hook, when hook is NULL. */
TK_MUST_CHECK tk_err tk_suit_need_hook(struct tk_suit_processor *p, const void *hook,
				       const char *name);

/* override-parameters (override true) and set-parameters (false). */
TK_MUST_CHECK tk_err tk_suit_cmd_parameters(struct tk_suit_processor *p,
					    struct tk_cbor_dec *dec, bool override);

/* set-component-index: uint / true / [+ uint]. */
TK_MUST_CHECK tk_err tk_suit_cmd_set_component_index(struct tk_suit_processor *p,
						     struct tk_cbor_dec *dec);

/*
 * Run one condition or directive whose argument is a reporting policy on
 * component i: vendor, class and device identifier, image-match,
 * check-content, abort, fetch, write, copy and unlink.
 */
TK_MUST_CHECK tk_err tk_suit_run_on_component(struct tk_suit_processor *p,
					      int64_t command, size_t i);

#endif /* TK_SUIT_PROCESS_IMPL_H */
