/* The admin API: JSON lines over a Unix socket (docs/admin-api.md). */
#ifndef KEYD_ADMIN_H
#define KEYD_ADMIN_H

#include <stddef.h>

#include <jansson.h>

struct keyd;
struct admin;

/* Bind k->cfg.admin_socket (mode 0600; a stale socket is replaced, a live
 * one is an error) and serve it on a thread of its own. Returns 0, or -1
 * with ERR. Stop with admin_stop. */
int admin_start(struct keyd *k, struct admin **a, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Stop serving, wait for the thread, remove the socket. */
void admin_stop(struct admin **a);

/* Run one request object REQ ({"op": …, "args": {…}}) and return the reply
 * object ({"ok": true, "result": …} or {"ok": false, "error": …}); the
 * caller owns it. Shared by every admin transport. */
json_t *admin_dispatch(struct keyd *k, json_t *req);

#endif
