/* Private to the admin modules: the shape of one admin operation. */
#ifndef KEYD_ADMIN_INT_H
#define KEYD_ADMIN_INT_H

#include <stddef.h>

#include <jansson.h>

struct keyd;

/* An admin op takes its ARGS object (may be NULL) and returns its result
 * object, or NULL with a message for the operator in ERR. */
typedef json_t *(*admin_op)(struct keyd *k, json_t *args, char *err,
    size_t errlen);

/* Policy ops (admin_policy.c). */
json_t *admin_policy_apply(struct keyd *, json_t *, char *, size_t);
json_t *admin_policy_show(struct keyd *, json_t *, char *, size_t);
json_t *admin_policy_history(struct keyd *, json_t *, char *, size_t);
json_t *admin_policy_test(struct keyd *, json_t *, char *, size_t);

/* Upstream ops (admin_upstream.c). */
json_t *admin_upstream_add(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_list(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_show(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_remove(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_test(struct keyd *, json_t *, char *, size_t);

#endif
