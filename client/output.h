/* How keyctl shows keyd's answers: "key: value" lines and aligned tables
 * for people, one JSON document for scripts. Every string from keyd is
 * shown with its control characters replaced, so an answer cannot drive
 * the terminal. */
#ifndef CLIENT_OUTPUT_H
#define CLIENT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum output_fmt {
	OUTPUT_TEXT = 0,	/* strings, numbers, arrays joined by spaces */
	OUTPUT_TIME,		/* Unix seconds as 2026-11-23T10:00:00Z */
	OUTPUT_SECRET,		/* shown once, in a field line, with a warning */
	OUTPUT_DOC		/* a JSON document, indented, below its label */
};

/* One value to show. KEY names a member of the result, or of an object
 * one level down ("client.name"). Null shows as "-"; an absent member
 * drops its field line, and shows as "-" in a table cell. */
struct output_field {
	const char	*key;
	const char	*label;		/* line label, or column header */
	enum output_fmt	 fmt;
};

/* How one command's result reads. Field arrays end with a NULL key. */
struct output_view {
	const struct output_field *fields; /* "label: value" lines, or NULL */
	const char		  *list;   /* member holding the rows, or NULL */
	const struct output_field *cols;   /* the rows' columns */
};

/* Print RESULT to FP as V says: field lines, then (after a blank line if
 * both) a header row and one aligned row per element of V->list. An
 * OUTPUT_SECRET field adds a line on stderr saying it will not be shown
 * again; in a table it shows as "-". Returns 0, or -1 with ERR set when
 * V->list is not an array in RESULT. */
int output_view(FILE *fp, const json_t *result, const struct output_view *v,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Print ROWS as output_view prints a table, with the header row when
 * HEADER. Rows that continue an earlier table (keyctl audit tail
 * --follow) leave it out. */
void output_rows(FILE *fp, const json_t *rows, const struct output_field *cols,
    int header);

/* Print RESULT to FP as one compact JSON document and a newline.
 * Returns 0 or -1 on a write error. */
int output_json(FILE *fp, const json_t *result)
	__attribute__((warn_unused_result));

/* Print "keyctl: MESSAGE" and a newline on stderr, control characters
 * replaced, truncated to one bounded line. */
void output_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
