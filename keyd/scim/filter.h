/* SCIM filters (RFC 7644 §3.4.2.2) and attribute paths (§3.10, the PATCH
 * path of §3.5.2): a strict, bounded parser that reports the attribute
 * paths a filter or path names, for the policy engine. No allocation: the
 * caller provides the result structure. Self-contained (libc only), so the
 * fuzz harness builds it alone. */
#ifndef KEYD_SCIM_FILTER_H
#define KEYD_SCIM_FILTER_H

#include <stddef.h>

#define SCIM_FILTER_MAX_LEN	4096	/* bytes of one filter or path */
#define SCIM_FILTER_MAX_DEPTH	32	/* nested (), not() and [] */
#define SCIM_FILTER_MAX_ATTRS	64	/* distinct attribute paths */
#define SCIM_ATTR_PATH_MAX	255	/* bytes of one attribute path */
#define SCIM_FILTER_ERR_MAX	192

#define SCIM_FILTER_WUR __attribute__((warn_unused_result))

/* Attribute paths a filter names, each once (compared case-insensitively,
 * kept as first written). A path is "attr", "attr.sub" or "URN:attr[.sub]";
 * the core User and Group schema URNs are dropped ("userName"), extension
 * URNs kept. Inside a value filter a name is relative to its attribute:
 * emails[type eq "work"] names "emails" and "emails.type". */
struct scim_filter_attrs {
	size_t	n;
	char	path[SCIM_FILTER_MAX_ATTRS][SCIM_ATTR_PATH_MAX + 1];
};

/* Where and why a parse failed. msg reads "at byte 12: expected ...";
 * pos is that 0-based byte offset into the input. */
struct scim_filter_error {
	size_t	pos;
	char	msg[SCIM_FILTER_ERR_MAX];
};

/* A PATCH path: attrPath, or valuePath [subAttr]. */
struct scim_filter_path {
	char	attr[SCIM_ATTR_PATH_MAX + 1];	/* "emails", "name.givenName",
						 * "urn:…:User:manager" */
	char	sub[SCIM_ATTR_PATH_MAX + 1];	/* "emails.value" after a value
						 * filter, else "" */
	int	has_filter;			/* 1 for attr[filter] */
	struct scim_filter_attrs filter;	/* what the value filter names */
};

/* Parse FILTER (LEN bytes, need not be NUL-terminated) as an RFC 7644
 * filter and fill OUT with the attribute paths it names. Keywords,
 * operators and true/false/null are case-insensitive; runs of spaces are
 * accepted where the grammar has one; and binds tighter than or. Also
 * accepts attr[filter].sub OP value (Entra ID sends it). Returns 0, or -1
 * with ERR filled: a syntax error, a filter longer than
 * SCIM_FILTER_MAX_LEN, nesting deeper than SCIM_FILTER_MAX_DEPTH, or more
 * than SCIM_FILTER_MAX_ATTRS paths. OUT is undefined after -1. */
int scim_filter_parse(const char *filter, size_t len,
    struct scim_filter_attrs *out, struct scim_filter_error *err)
	SCIM_FILTER_WUR;

/* Parse S (LEN bytes) as a PATCH path (RFC 7644 §3.5.2: attrPath /
 * valuePath [subAttr], no surrounding spaces) into OUT. A plain attribute
 * path (no [filter]) is the same grammar body keys, sortBy and
 * attributes= use. Returns 0, or -1 with ERR filled, on the same bounds
 * as scim_filter_parse. */
int scim_filter_parse_path(const char *s, size_t len,
    struct scim_filter_path *out, struct scim_filter_error *err)
	SCIM_FILTER_WUR;

/* 1 when URN (LEN bytes) is the core User or Group schema URN, compared
 * case-insensitively; their attributes are written without the URN. */
int scim_filter_urn_is_core(const char *urn, size_t len);

#endif
