/* Private to policy/: the compiled form of a policy document. */
#ifndef POLICY_POLICY_INT_H
#define POLICY_POLICY_INT_H

#include <stdarg.h>
#include <stdint.h>

#include <jansson.h>

#include "policy/policy.h"

#define POLICY_MAX_ROLES     256
#define POLICY_MAX_RULES     256
#define POLICY_MAX_RESOURCES 32	/* resource types in a document */
#define POLICY_MAX_LIST      256
#define POLICY_ATTR_MAX      256	/* bytes of an attribute path */

#define OP_MASK_ALL	((1u << POLICY_OP_COUNT) - 1)
#define OP_MASK_FLAT	((1u << POLICY_OP_BULK) | (1u << POLICY_OP_DISCOVER))

/* An attribute path, lowercased, its core schema URN stripped. Length 0
 * is the whole resource (the core schema URN alone). */
struct pattr {
	const char	*s;
	size_t		 len;
};

/* One key of a rule's "where": the attribute (or the resource id) and
 * the patterns, lowercased, "*" a glob. */
struct pcond {
	const char	 *name;		/* the key as the document spells it */
	struct pattr	  key;
	int		  is_id;
	const char	**pats;
	size_t		  npats;
};

struct prule {
	int		  index;	/* in the role's "rules" */
	int		  deny;
	unsigned	  ops;		/* 1 << enum policy_op */
	uint32_t	  resmask;	/* 1 << index in set->types */
	const char	**upstreams;	/* nup 0: every upstream */
	size_t		  nup;
	struct pattr	 *attrs;	/* nattrs 0: every attribute */
	size_t		  nattrs;
	struct pcond	 *where;
	size_t		  nwhere;
};

struct prole {
	char			  name[POLICY_NAME_MAX + 1];
	int64_t			  token_ttl;	/* 0: not set */
	char			  scopes[POLICY_SCOPES_MAX];
	struct policy_limits	  limits;
	struct prule		 *rules;
	size_t			  nrules;
	/* The rules that mention each operation, in document order. */
	const struct prule	**deny[POLICY_OP_COUNT];
	size_t			  ndeny[POLICY_OP_COUNT];
	const struct prule	**allow[POLICY_OP_COUNT];
	size_t			  nallow[POLICY_OP_COUNT];
};

struct parena;

struct policy_set {
	struct prole	*roles;
	size_t		 nroles;
	uint16_t	*hash;		/* role index + 1, 0: empty slot */
	size_t		 hsize;		/* a power of two */
	/* Resource types the document knows: User, Group, then the others
	 * rules name, in order of appearance. */
	char		 types[POLICY_MAX_RESOURCES][POLICY_NAME_MAX + 1];
	size_t		 ntypes;
	struct parena	*arena;		/* everything the rules point to */
};

void perr_set(struct policy_error *err, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Loading: where in the document we are, for errors. */
struct pctx {
	struct policy_error	*err;
	struct policy_set	*set;
	char			 path[POLICY_ERR_PATH];
};

/* Fill C->err with C->path + SUFFIX and the message; returns -1. */
int pfail(struct pctx *c, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* V must be a non-empty array of at most POLICY_MAX_LIST strings, each
 * accepted by OK (may be NULL); WHAT names a refused one. */
int pcheck_strings(struct pctx *c, const char *key, json_t *v,
    int (*ok)(const char *), const char *what);

/* policy.c: role lookup, arena. */
const struct prole *prole_find(const struct policy_set *set,
    const char *name);
int prole_index(struct policy_set *set);
void *parena_alloc(struct policy_set *set, size_t n);
void parena_free(struct parena **a);

/* policy_load.c: operation and type names. */
int pop_lookup(const char *s);
int ptype_find(const struct policy_set *set, const char *name);

/* policy_compile.c: turn a validated document into SET's roles. */
int pcompile_role(struct pctx *c, json_t *role, struct prole *r);

/* policy_attr.c: attribute paths, case folding, globs. */
void pattr_view(const char *path, const char **p, size_t *n);
int pattr_ok(const char *s);
int pattr_under(const char *anc, size_t alen, const char *p, size_t plen);
int pattr_eq(const char *a, size_t alen, const char *b, size_t blen);
int pglob_match(const char *pat, const char *s);
int pci_eq(const char *a, const char *b);

/* policy_decide.c: decide F with UPSTREAM and SCOPE in place of F's (a
 * bulk operation is decided with its envelope's). */
int pdecide(const struct policy_set *set, const char *role,
    const struct policy_facts *f, const char *upstream, const char *scope,
    struct policy_decision *d);

/* policy_limits.c: a role's "limits" into R->limits (C->path is the
 * role's); CIDRs: 0, -1 malformed, -2 host bits set. */
int plimits_parse(struct pctx *c, json_t *limits, struct prole *r);
int pcidr_parse(const char *s, struct policy_cidr *out);

#endif
