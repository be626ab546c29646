/* The public listener: libmicrohttpd, TLS, routing to handlers. The
 * concurrency model (an epoll thread pool, one worker per core) lives here
 * and nowhere else. */
#ifndef KEYD_SERVER_H
#define KEYD_SERVER_H

#include <stddef.h>

struct keyd;
struct server;

/* Start listening on k->cfg.listen with the configured TLS files. Returns
 * 0, or -1 with ERR naming the cause. Free with server_stop. */
int server_start(struct keyd *k, struct server **s, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Stop accepting, give in-flight requests up to GRACE_MS to finish, then
 * close everything. Safe with *S == NULL. */
void server_stop(struct server **s, int grace_ms);

#endif
