/* keyctl's command table: every NOUN VERB it knows, the admin op each one
 * sends (docs/admin-api.md), its arguments, and how its result reads.
 * Adding a command is adding one row in cmd.c. */
#ifndef CLIENT_CMD_H
#define CLIENT_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "client/output.h"

#define CMD_MAX_POS	2	/* positional arguments per command */
#define CMD_MAX_OPTS	8	/* --options per command */

/* How an argument travels in the request. */
enum cmd_arg {
	CMD_ARG_STRING = 0,	/* as typed */
	CMD_ARG_FILE,		/* the named file's contents (at most 1 MiB) */
	CMD_ARG_INT,		/* a decimal integer */
	CMD_ARG_FLAG		/* an option without a value: true */
};

struct cmd_pos {
	const char	*meta;		/* "NAME", as usage shows it */
	const char	*key;		/* the member of the request's args */
	int		 optional;
	enum cmd_arg	 kind;
};

struct cmd_opt {
	const char	*name;		/* "ttl": both --ttl and the args member */
	const char	*meta;		/* "DURATION" */
	int		 required;
	enum cmd_arg	 kind;
	const char	*key;		/* the args member when not NAME, or NULL */
};

struct cmd {
	const char		*noun;
	const char		*verb;	/* NULL: the noun alone is the command */
	const char		*op;
	struct cmd_pos		 pos[CMD_MAX_POS];	/* NULL meta ends */
	struct cmd_opt		 opts[CMD_MAX_OPTS];	/* NULL name ends */
	const struct output_view *view;
	const char		*help;
};

/* The command NOUN VERB, VERB NULL for one that stands alone ("status").
 * Returns a row of the static table, or NULL when there is none. */
const struct cmd *cmd_find(const char *noun, const char *verb);

/* 1 when NOUN takes a verb ("client"), 0 when it stands alone
 * ("status"), -1 when no command has that noun. */
int cmd_noun_kind(const char *noun);

/* The index in C->opts of the option named NAME (LEN bytes, no dashes),
 * or -1. */
int cmd_opt_index(const struct cmd *c, const char *name, size_t len);

/* Write C's synopsis, "client create NAME --role ROLE", into BUF; a long
 * one is cut to LEN - 1 bytes. */
void cmd_synopsis(const struct cmd *c, char *buf, size_t len);

/* Write the verbs NOUN takes, space-separated, into BUF (cut to fit). */
void cmd_verbs(const char *noun, char *buf, size_t len);

/* Print one line per command to FP: synopsis and what it does. */
void cmd_list(FILE *fp);

#endif
