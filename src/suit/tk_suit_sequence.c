/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command sequences of the SUIT processor (draft-ietf-suit-manifest-37
 * sections 6.4, 6.5 and 8.4.10): the loop over SUIT_Command_Sequence, the
 * dispatch of each command over the selected component indices, the
 * control flow of try-each and run-sequence with soft-failure, the
 * records the reporting policy requests, and the record of the command
 * whose failure ends the procedure, sent whatever its policy.
 *
 * A command either applies once (set-component-index, the parameter
 * directives) or once per selected component index, in index order, as
 * section 6.5 requires for an index list and for `true`. try-each and
 * run-sequence run their argument once per selected index with that single
 * index selected, and restore the outer selection afterwards.
 *
 * The first failure is decorated once with where it happened (manifest,
 * section, command and its byte offset), so a nested failure keeps the
 * innermost location.
 */
#include "suit/tk_suit.h"

#include <stdio.h>
#include <string.h>

#include "suit/tk_suit_process_impl.h"

/* Members of a try-each argument (TK_ERR_LIMIT_COUNT), the same bound as a
 * command sequence. */
#define MAX_TRY_EACH_SEQUENCES TK_SUIT_MAX_COMMANDS

/* Kinds of commands by the shape of their argument. */
enum command_kind {
	KIND_UNKNOWN,
	KIND_CONDITION, /* reporting policy; failure may be soft */
	KIND_DIRECTIVE, /* reporting policy; failure always aborts */
	KIND_ONCE,      /* own argument, applies once */
	KIND_NESTED,    /* try-each, run-sequence */
};

static enum command_kind command_kind(int64_t command)
{
	switch (command) {
	case TK_SUIT_CMD_VENDOR_IDENTIFIER:
	case TK_SUIT_CMD_CLASS_IDENTIFIER:
	case TK_SUIT_CMD_IMAGE_MATCH:
	case TK_SUIT_CMD_COMPONENT_SLOT:
	case TK_SUIT_CMD_CHECK_CONTENT:
	case TK_SUIT_CMD_DEPENDENCY_INTEGRITY:
	case TK_SUIT_CMD_IS_DEPENDENCY:
	case TK_SUIT_CMD_ABORT:
	case TK_SUIT_CMD_DEVICE_IDENTIFIER:
		return KIND_CONDITION;
	case TK_SUIT_CMD_PROCESS_DEPENDENCY:
	case TK_SUIT_CMD_WRITE:
	case TK_SUIT_CMD_FETCH:
	case TK_SUIT_CMD_COPY:
	case TK_SUIT_CMD_INVOKE:
	case TK_SUIT_CMD_SWAP:
	case TK_SUIT_CMD_UNLINK:
		return KIND_DIRECTIVE;
	case TK_SUIT_CMD_SET_COMPONENT_INDEX:
	case TK_SUIT_CMD_SET_PARAMETERS:
	case TK_SUIT_CMD_OVERRIDE_PARAMETERS:
		return KIND_ONCE;
	case TK_SUIT_CMD_TRY_EACH:
	case TK_SUIT_CMD_RUN_SEQUENCE:
		return KIND_NESTED;
	default:
		return KIND_UNKNOWN;
	}
}

const char *tk_suit_exec_section_name(int64_t section)
{
	if (section == TK_SUIT_RECORD_SECTION_SHARED)
		return "shared sequence";
	return tk_suit_section_name((enum tk_suit_section)section);
}

void tk_suit_clear_soft_failure(struct tk_suit_processor *p)
{
	tk_diag_clear(p->diag);
	p->decorated = false;
}

tk_err tk_suit_need_hook(struct tk_suit_processor *p, const void *hook, const char *name)
{
	if (hook == NULL)
		return TK_FAIL(p->diag, TK_ERR_UNSUPPORTED,
			       "platform has no %s hook", name);
	return TK_OK;
}

/*
 * Prefix the failure just recorded with its location, once: a failure in a
 * nested sequence or a dependency is decorated where it happened.
 */
static void decorate(struct tk_suit_exec *x, int64_t command, tk_err err)
{
	struct tk_diag *diag = x->p->diag;
	const char *name = tk_suit_command_name(command);
	char msg[TK_DIAG_MSG_MAX];
	char where[24] = "";

	if (diag == NULL || diag->code != err || x->p->decorated)
		return;
	x->p->decorated = true;
	if (x->f->record_id_len > 0)
		(void)snprintf(where, sizeof(where), " dependency %llu",
			       (unsigned long long)x->f->record_id[x->f->record_id_len - 1]);
	memcpy(msg, diag->msg, sizeof(msg));
	(void)snprintf(diag->msg, sizeof(diag->msg), "manifest%s, %s, %s (%lld) at offset %zu: %.160s",
		       where, tk_suit_exec_section_name(x->section),
		       name != NULL ? name : "command", (long long)command, x->offset, msg);
}

/* Send the record the reporting policy requests, and the record of the
 * failure that ends the procedure whatever the policy (the result record of
 * draft-ietf-suit-report-18 section 4), if the platform collects them. */
static tk_err send_record(struct tk_suit_exec *x, int64_t command, uint64_t policy,
			  size_t index, tk_err result, bool ends)
{
	const struct tk_suit_platform_ops *ops = x->p->ops;
	struct tk_suit_record rec;
	bool ok = result == TK_OK;
	tk_err err;

	ends = ends && !ok && !x->p->failure_recorded;
	if (ends)
		x->p->failure_recorded = true;
	if (ops->report == NULL)
		return TK_OK;
	if (!ends && ((ok && (policy & TK_SUIT_RECORD_ON_SUCCESS) == 0) ||
		      (!ok && (policy & TK_SUIT_RECORD_ON_FAILURE) == 0)))
		return TK_OK;

	memset(&rec, 0, sizeof(rec));
	rec.manifest_id = x->f->record_id;
	rec.manifest_id_len = x->f->record_id_len;
	rec.section = x->section;
	rec.offset = x->offset;
	rec.component_index = index;
	rec.command = command;
	rec.policy = policy;
	rec.result = result;
	rec.ends_procedure = ends;
	if ((ok && (policy & TK_SUIT_SYSINFO_ON_SUCCESS) != 0) ||
	    (!ok && (policy & TK_SUIT_SYSINFO_ON_FAILURE) != 0))
		rec.properties = x->properties;
	if (ok) {
		err = ops->report(ops->ctx, &rec, x->p->diag);
	} else {
		/* Keep the command's failure in diag; a report failure only
		 * replaces it when the report hook itself fails. */
		struct tk_diag saved = x->p->diag != NULL ? *x->p->diag : (struct tk_diag){0};

		err = ops->report(ops->ctx, &rec, x->p->diag);
		if (err == TK_OK && x->p->diag != NULL)
			*x->p->diag = saved;
	}
	return err;
}

/* A failed condition with soft-failure set ends its sequence softly
 * (manifest-37 section 8.4.10.8) instead of failing the procedure. */
static bool fails_softly(const struct tk_suit_exec *x, enum command_kind kind, tk_err err)
{
	return kind == KIND_CONDITION && x->soft_failure &&
	       (err == TK_ERR_CONDITION || err == TK_ERR_DIGEST_MISMATCH);
}

/* Record the failure of a command that sent no record of it: an unknown
 * command, a parameter directive, a malformed argument, try-each. */
static tk_err record_failure(struct tk_suit_exec *x, int64_t command, tk_err result)
{
	size_t index = 0;

	while (index + 1 < x->f->slot_count && (x->selected & (UINT64_C(1) << index)) == 0)
		index++;
	return send_record(x, command, 0, index, result, true);
}

/* Run a condition or directive with a reporting policy on each selected
 * index. A failed condition with soft-failure set ends the sequence softly. */
static tk_err run_per_index(struct tk_suit_exec *x, struct tk_cbor_dec *dec,
			    int64_t command, enum command_kind kind)
{
	uint64_t policy = 0;
	tk_err err = tk_cbor_get_uint(dec, &policy);

	if (err == TK_OK && x->selected == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "no component index is set and the manifest has "
				       "%zu component indices", x->f->slot_count);
	for (size_t i = 0; err == TK_OK && i < x->f->slot_count; i++) {
		tk_err rec_err;

		if ((x->selected & (UINT64_C(1) << i)) == 0)
			continue;
		x->properties = TK_SPAN_EMPTY;
		if (kind == KIND_CONDITION)
			err = tk_suit_run_condition(x, command, i);
		else
			err = tk_suit_run_directive(x, command, i);
		if (err != TK_OK)
			decorate(x, command, err);
		rec_err = send_record(x, command, policy, i, err, !fails_softly(x, kind, err));
		if (err == TK_OK)
			err = rec_err;
	}
	if (err != TK_OK && fails_softly(x, kind, err)) {
		x->soft_failed = true;
		return TK_OK;
	}
	return err;
}

/* try-each: [2* bstr .cbor SUIT_Command_Sequence, ? nil] on index i. */
static tk_err try_each_on(struct tk_suit_exec *x, struct tk_span arg, size_t i)
{
	char last[TK_DIAG_MSG_MAX] = "";
	struct tk_cbor_dec dec;
	struct tk_span seq;
	uint64_t count = 0;
	size_t tried = 0;
	bool done = false, soft = false, empty_ok = false;
	tk_err err;

	err = tk_cbor_dec_init(&dec, arg.ptr, arg.len, TK_CBOR_STRICT, x->p->diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && (count < 2 || count > MAX_TRY_EACH_SEQUENCES))
		err = tk_cbor_dec_fail(&dec, count < 2 ? TK_ERR_SCHEMA_LENGTH : TK_ERR_LIMIT_COUNT,
				       "try-each with %llu sequences (2 to %d)",
				       (unsigned long long)count, MAX_TRY_EACH_SEQUENCES);
	while (err == TK_OK && tk_cbor_more(&dec)) {
		if (tk_cbor_peek(&dec) == TK_CBOR_NULL) {
			err = tk_cbor_get_null(&dec);
			/* nil is allowed only last (manifest-37 section 8.4.10.2) */
			if (err == TK_OK && tk_cbor_more(&dec))
				err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_VALUE,
						       "try-each: nil before the last entry");
			empty_ok = true;
			break;
		}
		err = tk_cbor_get_bstr(&dec, &seq);
		if (err != TK_OK || done)
			continue; /* check the shape of the remaining entries */
		err = tk_suit_run_sequence(x->p, x->f, x->section, seq, UINT64_C(1) << i, true,
					   true, &soft);
		tried++;
		if (err == TK_OK && !soft)
			done = true;
		if (err == TK_OK && soft && x->p->diag != NULL) {
			/* Keep the cause in case every entry fails. */
			memcpy(last, x->p->diag->msg, sizeof(last));
			tk_suit_clear_soft_failure(x->p);
		}
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err == TK_OK && (done || empty_ok))
		return TK_OK;
	if (err == TK_OK)
		err = TK_FAIL(x->p->diag, TK_ERR_CONDITION,
			      "all %zu sequences failed on component index %zu; last: %.150s",
			      tried, i, last);
	return err;
}

/* run-sequence: bstr .cbor SUIT_Command_Sequence on index i. A condition
 * failure with soft-failure set ends it without failing (section
 * 8.4.10.8). */
static tk_err run_sequence_on(struct tk_suit_exec *x, struct tk_span seq, size_t i)
{
	bool soft = false;
	tk_err err;

	err = tk_suit_run_sequence(x->p, x->f, x->section, seq, UINT64_C(1) << i, true, false,
				   &soft);
	if (err == TK_OK && soft)
		tk_suit_clear_soft_failure(x->p);
	return err;
}

static tk_err run_nested(struct tk_suit_exec *x, struct tk_cbor_dec *dec, int64_t command)
{
	struct tk_span arg;
	tk_err err;

	if (command == TK_SUIT_CMD_TRY_EACH && tk_cbor_peek(dec) != TK_CBOR_ARRAY) {
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_TYPE, "try-each argument is not an array");
	} else if (command == TK_SUIT_CMD_TRY_EACH) {
		err = tk_cbor_get_raw(dec, &arg);
	} else {
		err = tk_cbor_get_bstr(dec, &arg);
	}
	if (err == TK_OK && x->selected == 0)
		err = tk_cbor_dec_fail(dec, TK_ERR_SCHEMA_VALUE,
				       "%s before set-component-index",
				       tk_suit_command_name(command));
	if (err == TK_OK && x->p->nesting >= TK_SUIT_MAX_NESTING)
		err = tk_cbor_dec_fail(dec, TK_ERR_LIMIT_DEPTH,
				       "%s nested deeper than %d levels",
				       tk_suit_command_name(command), TK_SUIT_MAX_NESTING);
	if (err != TK_OK) {
		decorate(x, command, err);
		return err;
	}

	x->p->nesting++;
	for (size_t i = 0; err == TK_OK && i < x->f->slot_count; i++) {
		if ((x->selected & (UINT64_C(1) << i)) == 0)
			continue;
		if (command == TK_SUIT_CMD_TRY_EACH)
			err = try_each_on(x, arg, i);
		else
			err = run_sequence_on(x, arg, i);
	}
	x->p->nesting--;
	if (err != TK_OK)
		decorate(x, command, err);
	return err;
}

/* Dispatch one command; its argument is the next item of dec. */
static tk_err run_command(struct tk_suit_exec *x, struct tk_cbor_dec *dec, int64_t command)
{
	enum command_kind kind = command_kind(command);
	tk_err err;

	switch (kind) {
	case KIND_CONDITION:
	case KIND_DIRECTIVE:
		err = run_per_index(x, dec, command, kind);
		break;
	case KIND_NESTED:
		err = run_nested(x, dec, command);
		break;
	case KIND_ONCE:
		if (command == TK_SUIT_CMD_SET_COMPONENT_INDEX)
			err = tk_suit_cmd_set_component_index(x, dec);
		else
			err = tk_suit_cmd_parameters(x, dec,
						     command == TK_SUIT_CMD_OVERRIDE_PARAMETERS);
		break;
	default:
		/* Custom commands (below -256) and unassigned numbers: nothing
		 * is skipped, since a skipped condition would pass. */
		err = tk_cbor_dec_fail(dec, TK_ERR_UNSUPPORTED, "%s command %lld is not supported",
				       command < -256 ? "custom" : "unknown", (long long)command);
		break;
	}
	if (err != TK_OK && (kind == KIND_ONCE || kind == KIND_UNKNOWN))
		decorate(x, command, err);
	/* A failure inside a nested sequence or on one index was recorded
	 * where it happened; a failed report hook does not hide it. */
	if (err != TK_OK)
		(void)record_failure(x, command, err);
	return err;
}

/*
 * SUIT_Command_Sequence = [ + (command: int, argument) ], a flat array of
 * pairs, at most TK_SUIT_MAX_COMMANDS of them.
 */
tk_err tk_suit_run_sequence(struct tk_suit_processor *p, struct tk_suit_frame *f,
			    int64_t section, struct tk_span sequence, uint64_t selected,
			    bool nested, bool soft_failure, bool *soft)
{
	struct tk_suit_exec x;
	struct tk_cbor_dec dec;
	uint64_t count = 0;
	int64_t command = 0;
	tk_err err;

	*soft = false;
	memset(&x, 0, offsetof(struct tk_suit_exec, props));
	x.p = p;
	x.f = f;
	x.section = section;
	x.selected = selected;
	x.nested = nested;
	x.soft_failure = soft_failure;

	err = tk_cbor_dec_init(&dec, sequence.ptr, sequence.len, TK_CBOR_STRICT, p->diag);
	if (err == TK_OK)
		err = tk_cbor_enter_array(&dec, &count);
	if (err == TK_OK && (count == 0 || count % 2 != 0))
		err = tk_cbor_dec_fail(&dec, TK_ERR_SCHEMA_LENGTH,
				       "%s: command sequence of %llu items, expected a "
				       "non-empty list of pairs", tk_suit_exec_section_name(section),
				       (unsigned long long)count);
	if (err == TK_OK && count / 2 > TK_SUIT_MAX_COMMANDS)
		err = tk_cbor_dec_fail(&dec, TK_ERR_LIMIT_COUNT, "%s: %llu commands, limit %d",
				       tk_suit_exec_section_name(section),
				       (unsigned long long)(count / 2), TK_SUIT_MAX_COMMANDS);
	while (err == TK_OK && !x.soft_failed && tk_cbor_more(&dec)) {
		x.offset = tk_cbor_offset(&dec);
		err = tk_cbor_get_int(&dec, &command);
		if (err == TK_OK)
			err = run_command(&x, &dec, command);
	}
	if (x.soft_failed) {
		*soft = true;
		return TK_OK; /* the rest of the sequence is not run */
	}
	if (err == TK_OK)
		err = tk_cbor_leave(&dec);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	return err;
}

struct tk_span tk_suit_find_section(const struct tk_suit_manifest *m,
				    enum tk_suit_section section)
{
	for (size_t i = 0; i < m->section_count; i++) {
		if (m->sections[i].section == section)
			return m->sections[i].sequence;
	}
	return TK_SPAN_EMPTY;
}

/* The selection a sequence starts with: the only component when there is
 * one, else none, so a command before set-component-index fails
 * (manifest-37 section 6.2). */
static uint64_t initial_selection(const struct tk_suit_frame *f)
{
	return f->slot_count == 1 ? 1u : 0u;
}

tk_err tk_suit_run_section(struct tk_suit_processor *p, struct tk_suit_frame *f,
			   enum tk_suit_section section)
{
	struct tk_span sequence = tk_suit_find_section(f->m, section);
	bool soft = false;
	tk_err err = TK_OK;

	/* The shared sequence runs before each section (manifest-37 section
	 * 8.4.5), setting the parameters the section relies on. */
	if (sequence.len > 0 && f->m->shared_sequence.len > 0)
		err = tk_suit_run_sequence(p, f, TK_SUIT_RECORD_SECTION_SHARED,
					   f->m->shared_sequence, initial_selection(f), false,
					   false, &soft);
	if (err == TK_OK && sequence.len > 0)
		err = tk_suit_run_sequence(p, f, section, sequence, initial_selection(f), false,
					   false, &soft);
	if (err == TK_OK)
		f->sections_done |= UINT32_C(1) << section;
	if (err == TK_OK)
		err = tk_suit_check_lockstep(p, f, section);
	return err;
}
