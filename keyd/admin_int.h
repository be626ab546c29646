/* Private to the admin modules: the shape of one admin operation. */
#ifndef KEYD_ADMIN_INT_H
#define KEYD_ADMIN_INT_H

#include <stddef.h>
#include <stdint.h>

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

/* Audit ops (admin_audit.c, admin_audit_walk.c). */
json_t *admin_audit_verify(struct keyd *, json_t *, char *, size_t);
json_t *admin_audit_tail(struct keyd *, json_t *, char *, size_t);
json_t *admin_audit_query(struct keyd *, json_t *, char *, size_t);
json_t *admin_audit_export(struct keyd *, json_t *, char *, size_t);
json_t *admin_audit_pubkey(struct keyd *, json_t *, char *, size_t);

/* A time argument: Unix seconds, 2026-11-23T10:00:00Z or a duration ago
 * ("1h"), into microseconds. 0 or -1. */
int admin_audit_when(const char *s, int64_t *us);

/* The audit records of admin actions. Before an op: -1 (ERR set) when
 * the op changes something and the audit log cannot be written. After
 * it: write the record of OP (RESULT NULL: it failed with ERR) and
 * return RESULT, or NULL with ERR when the record cannot be written (the
 * result is then withheld and freed). Read-only ops are not recorded. */
int admin_audit_gate(struct keyd *k, const char *op, char *err,
    size_t errlen);
json_t *admin_audit_record(struct keyd *k, const char *op, json_t *args,
    json_t *result, char *err, size_t errlen);

/* Who is calling (for the records of this thread's next ops), and the
 * record of a caller refused at the socket. */
void admin_audit_peer(const char *who);
void admin_audit_denied(struct keyd *k, long uid);

/* Add the audit log's state to a status result O: audit ("ok" or
 * "failing: why"), audit_seq, audit_checkpoint. */
void admin_audit_status(struct keyd *k, json_t *o);

/* Upstream ops (admin_upstream.c). */
json_t *admin_upstream_add(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_list(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_show(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_remove(struct keyd *, json_t *, char *, size_t);
json_t *admin_upstream_test(struct keyd *, json_t *, char *, size_t);

#endif
