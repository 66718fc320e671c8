/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Usage text and messages of the `teep` program, generated from the
 * subcommand table: synopsis lines wrapped for an 80-column terminal, the
 * option help of one subcommand, and the misuse and failure lines whose
 * form all teepkit programs share. Also the option lookups subcommands use.
 */
#include "tk_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column at which synopsis lines wrap, for an 80-column terminal. */
#define USAGE_WIDTH 79

/* Column where option help starts in a subcommand's usage. */
#define HELP_COLUMN 30

/* Room for one synopsis token such as `(--uri URI | --integrated)`. */
#define TOKEN_MAX 160

/* Print `--name VALUE` for one option, `--name VALUE...` if repeatable. */
static void print_option_use(FILE *stream, const struct tk_cli_option *opt)
{
	if (opt->value != NULL)
		fprintf(stream, "--%s %s%s", opt->name, opt->value, opt->repeatable ? "..." : "");
	else
		fprintf(stream, "--%s", opt->name);
}

/* Append `--name VALUE` (or `--name VALUE...`) to a token buffer. */
static void append_option_use(char *token, size_t cap, const struct tk_cli_option *opt)
{
	size_t used = strlen(token);

	if (opt->value != NULL)
		snprintf(token + used, cap - used, "--%s %s%s", opt->name, opt->value,
			 opt->repeatable ? "..." : "");
	else
		snprintf(token + used, cap - used, "--%s", opt->name);
}

bool tk_cli_group_listed_before(const struct tk_cli_command *cmd, size_t index)
{
	for (size_t i = 0; i < index; i++) {
		if (cmd->options[i].group == cmd->options[index].group)
			return true;
	}
	return false;
}

/* Writes a synopsis token by token, wrapping before USAGE_WIDTH. */
struct synopsis_writer {
	FILE *stream;
	size_t column; /* characters on the current line */
	size_t indent; /* column of continuation lines */
};

static void emit_token(struct synopsis_writer *w, const char *token)
{
	size_t len = strlen(token);

	if (w->column + 1 + len > USAGE_WIDTH && w->column > w->indent) {
		fprintf(w->stream, "\n%*s", (int)w->indent, "");
		w->column = w->indent;
	} else {
		fputc(' ', w->stream);
		w->column++;
	}
	fputs(token, w->stream);
	w->column += len;
}

/* The token of option i: `--a X`, `[--a X]`, or its group `(--a X | --b)`. */
static void format_option_token(const struct tk_cli_command *cmd, size_t i, char *token,
				size_t cap)
{
	const struct tk_cli_option *opt = &cmd->options[i];
	size_t used;

	token[0] = '\0';
	if (opt->group == 0) {
		snprintf(token, cap, "%s", opt->required ? "" : "[");
		append_option_use(token, cap, opt);
		used = strlen(token);
		snprintf(token + used, cap - used, "%s", opt->required ? "" : "]");
		return;
	}
	snprintf(token, cap, "(");
	for (size_t j = i; j < cmd->option_count; j++) {
		if (cmd->options[j].group != opt->group)
			continue;
		used = strlen(token);
		snprintf(token + used, cap - used, "%s", j == i ? "" : " | ");
		append_option_use(token, cap, &cmd->options[j]);
	}
	used = strlen(token);
	snprintf(token + used, cap - used, ")");
}

void tk_cli_print_synopsis(FILE *stream, const char *lead, const struct tk_cli_command *cmd)
{
	struct synopsis_writer w = {stream, 0, 0};
	char token[TOKEN_MAX];

	fprintf(stream, "%steep %s", lead, cmd->name);
	w.column = strlen(lead) + strlen("teep ") + strlen(cmd->name);
	w.indent = w.column + 1;
	for (size_t i = 0; i < cmd->option_count; i++) {
		if (cmd->options[i].group != 0 && tk_cli_group_listed_before(cmd, i))
			continue;
		format_option_token(cmd, i, token, sizeof(token));
		emit_token(&w, token);
	}
	if (cmd->operand != NULL)
		emit_token(&w, cmd->operand);
	fputc('\n', stream);
}

void tk_cli_print_command_usage(FILE *stream, const struct tk_cli_command *cmd)
{
	tk_cli_print_synopsis(stream, "usage: ", cmd);
	fprintf(stream, "\n%s\n\n", cmd->summary);
	for (size_t i = 0; i < cmd->option_count; i++) {
		const struct tk_cli_option *opt = &cmd->options[i];
		int width = (int)strlen(opt->name) + 2;

		if (opt->value != NULL)
			width += (int)strlen(opt->value) + 1 + (opt->repeatable ? 3 : 0);
		fputs("  ", stream);
		print_option_use(stream, opt);
		fprintf(stream, "%*s%s\n", width < HELP_COLUMN - 2 ? HELP_COLUMN - 2 - width : 2, "",
			opt->help);
	}
	if (cmd->operand != NULL) {
		fprintf(stream, "  %-*s%s\n", HELP_COLUMN - 2, cmd->operand, cmd->operand_help);
	}
	fprintf(stream, "  %-*s%s\n", HELP_COLUMN - 2, "-h, --help", "print this help and exit");
}


size_t tk_cli_option_index(const struct tk_cli_command *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->option_count; i++) {
		if (strcmp(cmd->options[i].name, name) == 0)
			return i;
	}
	/* A subcommand asked for an option its own table lacks: a bug here. */
	fprintf(stderr, "teep: %s: internal error: no option --%s\n", cmd->name, name);
	abort();
}

const char *tk_cli_get(const struct tk_cli_command *cmd,
		       const struct tk_cli_args *args, const char *name)
{
	size_t i = tk_cli_option_index(cmd, name);

	return args->given[i] ? args->value[i] : NULL;
}

bool tk_cli_has(const struct tk_cli_command *cmd, const struct tk_cli_args *args,
		const char *name)
{
	return args->given[tk_cli_option_index(cmd, name)];
}

int tk_cli_misuse(const struct tk_cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "teep: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	tk_cli_print_command_usage(stderr, cmd);
	return TK_CLI_EXIT_USAGE;
}

int tk_cli_fail(const struct tk_cli_command *cmd, const char *value,
		const struct tk_diag *diag)
{
	char detail[TK_DIAG_MSG_MAX + 128];

	tk_diag_format(diag, detail, sizeof(detail));
	fprintf(stderr, "teep: %s: %s: %s\n", cmd->name, value, detail);
	return TK_CLI_EXIT_FAIL;
}
