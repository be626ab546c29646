/* Policy loading and the scope view of a role. The document is validated
 * whole at load time so that a bad one is refused before it can apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

static const struct prole *
role_find(const struct policy_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->nroles; i++)
		if (strcmp(set->roles[i].name, name) == 0)
			return &set->roles[i];
	return NULL;
}

int
policy_role_exists(const struct policy_set *set, const char *role)
{
	return role_find(set, role) != NULL;
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

	if ((r = role_find(set, role)) == NULL)
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

	if ((r = role_find(set, role)) == NULL)
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
	if ((r = role_find(set, role)) == NULL)
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
	free((*setp)->roles);
	free(*setp);
	*setp = NULL;
}
