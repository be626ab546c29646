/* The loaded set: role lookup by name, the scope view of a role, and the
 * memory the compiled rules live in. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

void
perr_set(struct policy_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->path, sizeof(err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Everything a compiled rule points to comes from a chain of blocks, freed
 * together: no rule owns memory of its own. */
#define ARENA_BLOCK	16384

struct parena {
	struct parena	*next;
	size_t		 used, size;
	max_align_t	 data[];
};

void *
parena_alloc(struct policy_set *set, size_t n)
{
	struct parena	*a = set->arena;
	size_t		 need, sz;
	unsigned char	*p;

	if (n > ((size_t)1 << 30))
		return NULL;
	need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (need == 0)
		need = sizeof(max_align_t);
	if (a == NULL || a->size - a->used < need) {
		sz = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		if ((a = calloc(1, sizeof(*a) + sz)) == NULL)
			return NULL;
		a->size = sz;
		a->next = set->arena;
		set->arena = a;
	}
	p = (unsigned char *)a->data + a->used;
	a->used += need;
	return p;
}

void
parena_free(struct parena **ap)
{
	struct parena *a = *ap, *next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	*ap = NULL;
}

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Open addressing, at most half full: a lookup costs one hash and, on
 * average, about one comparison, however many roles there are. */
int
prole_index(struct policy_set *set)
{
	size_t i, slot;

	for (set->hsize = 8; set->hsize < 2 * set->nroles; set->hsize *= 2)
		;
	if ((set->hash = calloc(set->hsize, sizeof(*set->hash))) == NULL)
		return -1;
	for (i = 0; i < set->nroles; i++) {
		slot = name_hash(set->roles[i].name) & (set->hsize - 1);
		while (set->hash[slot] != 0)
			slot = (slot + 1) & (set->hsize - 1);
		set->hash[slot] = (uint16_t)(i + 1);
	}
	return 0;
}

const struct prole *
prole_find(const struct policy_set *set, const char *name)
{
	size_t slot;

	if (set == NULL || name == NULL || set->hash == NULL)
		return NULL;
	slot = name_hash(name) & (set->hsize - 1);
	while (set->hash[slot] != 0) {
		if (strcmp(set->roles[set->hash[slot] - 1].name, name) == 0)
			return &set->roles[set->hash[slot] - 1];
		slot = (slot + 1) & (set->hsize - 1);
	}
	return NULL;
}

int
policy_role_exists(const struct policy_set *set, const char *role)
{
	return prole_find(set, role) != NULL;
}

size_t
policy_role_count(const struct policy_set *set)
{
	return set->nroles;
}

const char *
policy_role_name(const struct policy_set *set, size_t i)
{
	return i < set->nroles ? set->roles[i].name : NULL;
}

int
policy_role_scopes(const struct policy_set *set, const char *role, char *out,
    size_t outlen)
{
	const struct prole *r;

	if ((r = prole_find(set, role)) == NULL)
		return -1;
	if ((size_t)snprintf(out, outlen, "%s", r->scopes) >= outlen)
		return -1;
	return 0;
}

int
policy_role_token_ttl(const struct policy_set *set, const char *role,
    int64_t *secs)
{
	const struct prole *r;

	if ((r = prole_find(set, role)) == NULL)
		return -1;
	if (r->token_ttl == 0)
		return 1;
	*secs = r->token_ttl;
	return 0;
}

/* 1 when the space-separated list LIST holds WORD (LEN bytes). */
static int
list_has(const char *list, const char *word, size_t len)
{
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && memcmp(p, word, len) == 0)
			return 1;
		p = *e == ' ' ? e + 1 : e;
	}
	return 0;
}

/* Keep the granted list in the role's (sorted) order and free of repeats:
 * walk the role's scopes and keep those the request names. */
static int
grant_filter(const char *held, const char *requested, char *out,
    size_t outlen)
{
	const char	*p = held, *e;
	size_t		 n = 0, len;

	out[0] = '\0';
	while (*p != '\0') {
		e = strchr(p, ' ');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (list_has(requested, p, len)) {
			if (n + len + 2 > outlen)
				return -1;
			if (n > 0)
				out[n++] = ' ';
			memcpy(out + n, p, len);
			n += len;
			out[n] = '\0';
		}
		p += len;
		if (*p == ' ')
			p++;
	}
	return 0;
}

int
policy_scope_grant(const struct policy_set *set, const char *role,
    const char *requested, char *out, size_t outlen, char *bad, size_t badlen)
{
	const struct prole	*r;
	const char		*p, *e;
	size_t			 len;

	bad[0] = '\0';
	if ((r = prole_find(set, role)) == NULL)
		return -1;
	if (requested == NULL || requested[strspn(requested, " ")] == '\0')
		return (size_t)snprintf(out, outlen, "%s", r->scopes) <
		    outlen ? 0 : -1;
	for (p = requested; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		len = (size_t)(e - p);
		if (!list_has(r->scopes, p, len)) {
			snprintf(bad, badlen, "%.*s", (int)(len > 128 ? 128 :
			    len), p);
			return -1;
		}
	}
	return grant_filter(r->scopes, requested, out, outlen);
}

void
policy_free(struct policy_set **setp)
{
	if (setp == NULL || *setp == NULL)
		return;
	parena_free(&(*setp)->arena);
	free((*setp)->hash);
	free((*setp)->roles);
	free(*setp);
	*setp = NULL;
}
