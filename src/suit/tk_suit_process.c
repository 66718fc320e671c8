/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SUIT manifest processor (draft-ietf-suit-manifest-37 section 6): a
 * command interpreter over an authenticated manifest, reaching the device
 * only through struct tk_suit_platform_ops.
 *
 * Fetch, write and copy stage the new image of a component, either as a
 * view into the envelope (integrated payloads, parameter content) or in the
 * caller's work buffer (fetched and copied bytes). Conditions read the
 * staged image, or the installed one through the read hook. The store hook
 * is called only after every section of the procedure succeeded, so a
 * failed manifest changes nothing on the platform.
 *
 * Each command applies to the components the component index selects,
 * kept as a bit set so that an index list and `true` work like an integer.
 * Try-each, run-sequence and dependencies are left to the full processor;
 * their slots in the dispatch fail with TK_ERR_UNSUPPORTED.
 */
#include "suit/tk_suit.h"

#include <stdio.h>
#include <string.h>

#include "suit/tk_suit_process_impl.h"

/*
 * Bytes of a component id shown in log lines; a longer id is cut with
 * "...". A TEEP component id is about 42 bytes, so it shows whole.
 */
#define LOG_COMPONENT_ID_BYTES 64

/* A command whose argument is a reporting policy (uint). */
static tk_err cmd_with_policy(struct tk_suit_processor *p, struct tk_cbor_dec *dec,
			      int64_t command)
{
	uint64_t policy = 0;
	tk_err err = tk_cbor_get_uint(dec, &policy);

	if (err == TK_OK && p->selected == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "%s before set-component-index in a manifest "
				       "with %zu components", tk_suit_command_name(command),
				       p->m->component_count);
	for (size_t i = 0; err == TK_OK && i < p->m->component_count; i++) {
		if (p->selected & (UINT32_C(1) << i))
			err = tk_suit_run_on_component(p, command, i);
	}
	return err;
}

/* Dispatch one command; its argument is the next item of dec. */
static tk_err run_command(struct tk_suit_processor *p, struct tk_cbor_dec *dec,
			  int64_t command)
{
	const char *name = tk_suit_command_name(command);

	switch (command) {
	case TK_SUIT_CMD_SET_COMPONENT_INDEX:
		return tk_suit_cmd_set_component_index(p, dec);
	case TK_SUIT_CMD_OVERRIDE_PARAMETERS:
		return tk_suit_cmd_parameters(p, dec, true);
	case TK_SUIT_CMD_SET_PARAMETERS:
		return tk_suit_cmd_parameters(p, dec, false);
	case TK_SUIT_CMD_VENDOR_IDENTIFIER:
	case TK_SUIT_CMD_CLASS_IDENTIFIER:
	case TK_SUIT_CMD_DEVICE_IDENTIFIER:
	case TK_SUIT_CMD_IMAGE_MATCH:
	case TK_SUIT_CMD_CHECK_CONTENT:
	case TK_SUIT_CMD_ABORT:
	case TK_SUIT_CMD_FETCH:
	case TK_SUIT_CMD_WRITE:
	case TK_SUIT_CMD_COPY:
	case TK_SUIT_CMD_UNLINK:
		return cmd_with_policy(p, dec, command);
	default:
		/* TODO: try-each, run-sequence, swap, invoke, slots and the
		 * dependency commands come with the full processor. */
		if (name != NULL)
			return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
						"command %s (%lld) is not supported",
						name, (long long)command);
		return tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED,
					"unknown command %lld", (long long)command);
	}
}

/*
 * SUIT_Command_Sequence = [ + (command: int, argument) ], a flat array of
 * pairs, at most TK_SUIT_MAX_COMMANDS of them.
 */
static tk_err run_sequence(struct tk_suit_processor *p, struct tk_span sequence,
			   const char *what)
{
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	int64_t command = 0;
	size_t done = 0;
	tk_err err;

	/* With one component it is the current one; with more, the sequence
	 * must select one first (manifest-37 section 6.2). */
	p->selected = p->m->component_count == 1 ? 1u : 0u;

	err = tk_cbor_dec_init(&dec, sequence.ptr, sequence.len, TK_CBOR_STRICT, p->diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && (count == 0 || count % 2 != 0))
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "%s: command sequence of %llu items, expected "
				       "a non-empty list of pairs", what,
				       (unsigned long long)count);
	if (err == TK_OK && count / 2 > TK_SUIT_MAX_COMMANDS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT,
				       "%s: %llu commands, limit %d", what,
				       (unsigned long long)(count / 2), TK_SUIT_MAX_COMMANDS);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		err = tk_cbor_get_int(&dec, &command);
		if (err == TK_OK)
			err = run_command(p, &dec, command);
		done++;
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);

	if (err != TK_OK && p->diag != NULL && p->diag->code == err) {
		char msg[TK_DIAG_MSG_MAX];
		size_t n = strlen(p->diag->msg);

		/* Name where the failure happened; the message keeps the cause
		 * unless prefixing would cut it. */
		if (n + 48 < sizeof(msg)) {
			memcpy(msg, p->diag->msg, n + 1);
			(void)snprintf(p->diag->msg, sizeof(p->diag->msg),
				       "%.24s, command %zu: %.200s", what, done, msg);
		}
	}
	return err;
}

/* Sections. */

static struct tk_span find_section(const struct tk_suit_manifest *m,
				   enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++) {
		if (m->sections[i].section == section)
			return m->sections[i].sequence;
	}
	return TK_SPAN_EMPTY;
}

/* Fail when the manifest carries a section this procedure cannot run. */
static tk_err reject_section(struct tk_suit_processor *p, enum tk_suit_section section)
{
	if (find_section(p->m, section).len == 0)
		return TK_OK;
	return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
		       "manifest has a %s section, which is not supported yet",
		       tk_suit_section_name(section));
}

static tk_err run_section(struct tk_suit_processor *p, enum tk_suit_section section)
{
	struct tk_span sequence = find_section(p->m, section);

	if (sequence.len == 0)
		return TK_OK;
	return run_sequence(p, sequence, tk_suit_section_name(section));
}

/* Anti-rollback (manifest-37 sections 6.1 and 8.4.2). */
static tk_err check_rollback(struct tk_suit_processor *p)
{
	struct tk_span id = p->m->manifest_component_id;
	uint64_t stored = 0;
	bool found = false;
	tk_err err;

	if (id.len == 0)
		return TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			       "manifest has no manifest component id (key 5) to "
			       "key its sequence number");
	err = tk_suit_need_hook(p, (const void *)p->ops->get_sequence_number,
			"get_sequence_number");
	if (err == TK_OK)
		err = p->ops->get_sequence_number(p->ops->ctx, id.ptr, id.len, &stored,
						  &found, p->diag);
	if (err == TK_OK && found && p->m->sequence_number <= stored)
		err = TK_FAIL(p->diag, TK_ERR_ROLLBACK,
			      "manifest sequence number %llu is not higher than the "
			      "installed %llu",
			      (unsigned long long)p->m->sequence_number,
			      (unsigned long long)stored);
	return err;
}

/*
 * Store every staged component, then persist the sequence number. A fetched
 * image that no condition checked is rejected first. The manifest draft
 * leaves image-match to the author, but storing bytes that neither the
 * signature nor a digest covers would let any server on the fetch path
 * choose the trusted component.
 */
static tk_err commit_update(struct tk_suit_processor *p)
{
	struct tk_span mid = p->m->manifest_component_id;
	tk_err err = TK_OK;

	for (size_t i = 0; i < p->m->component_count; i++) {
		if (p->comps[i].staged && !p->comps[i].verified)
			return TK_FAIL(p->diag, TK_ERR_POLICY,
				       "component %zu was fetched but not checked "
				       "with image-match or check-content", i);
	}

	for (size_t i = 0; err == TK_OK && i < p->m->component_count; i++) {
		struct tk_span id = p->m->components[i];

		if (!p->comps[i].staged)
			continue;
		err = p->ops->store(p->ops->ctx, id.ptr, id.len, p->comps[i].image.ptr,
				    p->comps[i].image.len, p->m->sequence_number,
				    p->diag);
		if (err == TK_OK) {
			char id_hex[2 * LOG_COMPONENT_ID_BYTES + 4];

			tk_log_id_prefix(id.ptr, id.len, LOG_COMPONENT_ID_BYTES, id_hex,
					 sizeof(id_hex));
			tk_log(p->opts->log, TK_LOG_INFO, "suit",
			       "stored component %s (%zu bytes) of manifest "
			       "sequence number %llu", id_hex, p->comps[i].image.len,
			       (unsigned long long)p->m->sequence_number);
		}
	}
	if (err == TK_OK)
		err = p->ops->set_sequence_number(p->ops->ctx, mid.ptr, mid.len,
						  p->m->sequence_number, p->diag);
	return err;
}

static tk_err run_update(struct tk_suit_processor *p)
{
	static const enum tk_suit_section steps[] = {
		TK_SUIT_SECTION_PAYLOAD_FETCH, TK_SUIT_SECTION_CANDIDATE_VERIFICATION,
		TK_SUIT_SECTION_INSTALL, TK_SUIT_SECTION_VALIDATE,
	};
	tk_err err;

	/* Hooks the commit needs are checked first, so a missing one cannot
	 * leave components stored without their sequence number. */
	err = tk_suit_need_hook(p, (const void *)p->ops->store, "store");
	if (err == TK_OK)
		err = tk_suit_need_hook(p, (const void *)p->ops->set_sequence_number,
				"set_sequence_number");
	if (err == TK_OK && p->m->has_dependencies)
		err = TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			      "manifest has dependencies, which are not supported yet");
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_DEPENDENCY_RESOLUTION);
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_LOAD);
	if (err == TK_OK)
		err = reject_section(p, TK_SUIT_SECTION_INVOKE);
	if (err == TK_OK && p->m->severed_missing)
		err = TK_FAIL(p->diag, TK_ERR_SCHEMA_MISSING,
			      "a severed section is missing from the envelope");
	if (err == TK_OK)
		err = check_rollback(p);

	if (err == TK_OK && p->m->shared_sequence.len > 0)
		err = run_sequence(p, p->m->shared_sequence, "shared sequence");
	for (size_t k = 0; err == TK_OK && k < sizeof(steps) / sizeof(steps[0]); k++)
		err = run_section(p, steps[k]);

	if (err == TK_OK)
		err = commit_update(p);
	return err;
}

static tk_err run_uninstall(struct tk_suit_processor *p)
{
	tk_err err = TK_OK;

	if (p->m->shared_sequence.len > 0)
		err = run_sequence(p, p->m->shared_sequence, "shared sequence");
	if (err == TK_OK)
		err = run_section(p, TK_SUIT_SECTION_UNINSTALL);
	return err;
}

tk_err tk_suit_process(const struct tk_suit_manifest *manifest,
		       enum tk_suit_procedure procedure,
		       const struct tk_suit_process_opts *opts, struct tk_diag *diag)
{
	struct tk_suit_processor p;
	tk_err err;

	if (manifest == NULL || opts == NULL || opts->ops == NULL ||
	    opts->crypto == NULL || (opts->work == NULL && opts->work_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "missing manifest, platform ops, crypto or work buffer");
	if (manifest->component_count == 0 ||
	    manifest->component_count > TK_SUIT_MAX_COMPONENTS)
		return TK_FAIL(diag, TK_ERR_ARG, "manifest with %zu components",
			       manifest->component_count);

	memset(&p, 0, sizeof(p));
	p.m = manifest;
	p.opts = opts;
	p.ops = opts->ops;
	p.procedure = procedure;
	p.diag = diag;

	switch (procedure) {
	case TK_SUIT_PROCEDURE_UPDATE:
		err = run_update(&p);
		break;
	case TK_SUIT_PROCEDURE_UNINSTALL:
		err = run_uninstall(&p);
		break;
	case TK_SUIT_PROCEDURE_INVOKE:
		err = TK_FAIL(diag, TK_ERR_UNSUPPORTED,
			      "the invocation procedure is not supported yet");
		break;
	default:
		err = TK_FAIL(diag, TK_ERR_ARG, "unknown procedure %d", (int)procedure);
		break;
	}

	if (opts->work != NULL)
		tk_wipe(opts->work, p.work_used);
	return err;
}

tk_err tk_suit_process_envelope(const uint8_t *buf, size_t len,
				const struct tk_crypto_key *const *keys, size_t key_count,
				const struct tk_suit_process_opts *opts,
				struct tk_suit_manifest *out, struct tk_diag *diag)
{
	struct tk_suit_envelope env;
	struct tk_suit_manifest m;
	tk_err err;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (opts == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing processor options");

	err = tk_suit_decode_envelope(buf, len, &env, diag);
	if (err == TK_OK)
		err = tk_suit_authenticate(&env, opts->crypto, keys, key_count, &m, diag);
	if (err == TK_OK)
		err = tk_suit_process(&m, TK_SUIT_PROCEDURE_UPDATE, opts, diag);
	if (err == TK_OK && out != NULL)
		*out = m;
	return err;
}
