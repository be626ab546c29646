/* Loopback sockets and hand-made upstreams for unit tests that talk to
 * 127.0.0.1 and nothing else. */
#ifndef TESTS_UNIT_LOOPBACK_H
#define TESTS_UNIT_LOOPBACK_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keyd/upstream.h"

/* A TCP socket bound to 127.0.0.1 on a free port (*PORT), not listening:
 * a connection there is refused at once until the caller listen()s on it.
 * Returns the socket (close it when done), or -1. */
static inline int
loopback_bind(int *port)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* U as the registry would make it for NAME at http://127.0.0.1:PORT/scim,
 * without a registry: SECRET (borrowed; NULL for none) is its bearer
 * token, and GENERATION tells it from another of the same name. */
static inline void
loopback_upstream(struct upstream *u, const char *name, int port,
    const char *secret, uint64_t generation)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->url, sizeof(u->url), "http://127.0.0.1:%d/scim", port);
	u->auth = secret != NULL ? UPSTREAM_AUTH_BEARER : UPSTREAM_AUTH_NONE;
	u->timeout_ms = 5000;
	u->secret = secret;
	u->secret_len = secret != NULL ? strlen(secret) : 0;
	u->created_at = 1700000000;
	u->generation = generation;
	u->refs = 1;
}

#endif
