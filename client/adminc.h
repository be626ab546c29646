/* Admin socket client: one request line to keyd, one answer line back
 * (docs/admin-api.md). The transport only; keyctl.c decides what to print. */
#ifndef CLIENT_ADMINC_H
#define CLIENT_ADMINC_H

#include <sys/un.h>

#include <stddef.h>

#include <jansson.h>

#define ADMINC_LINE_MAX		(1024 * 1024)	/* per line, '\n' included */
#define ADMINC_TIMEOUT_MS	30000		/* whole exchange */
#define ADMINC_ERR_MAX		1024
/* Longest socket path that fits sockaddr_un, NUL excluded. */
#define ADMINC_PATH_MAX		(sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

enum adminc_err {
	ADMINC_OK = 0,
	ADMINC_ECONNECT,	/* no socket, or nobody listening on it */
	ADMINC_EACCESS,		/* the socket's mode shut us out */
	ADMINC_ECLOSED,		/* keyd hung up without a word */
	ADMINC_EIO,		/* a send or receive failed */
	ADMINC_ETIMEOUT,	/* no full answer within ADMINC_TIMEOUT_MS */
	ADMINC_ETOOBIG,		/* request or answer past ADMINC_LINE_MAX */
	ADMINC_EPROTO,		/* the answer is not the documented shape */
	ADMINC_ENOMEM,
	ADMINC_EREFUSED		/* keyd answered ok:false */
};

/* Make jansson wipe every block it frees: answers carry fresh keys and
 * tokens. Call once, before any other jansson call. */
void adminc_init(void);

/* Send {"op": OP, "args": ARGS} to the keyd listening on PATH and wait for
 * its answer. ARGS is borrowed and may be NULL (sent as {}). On ADMINC_OK
 * *RESULT is the answer's result object, owned by the caller (json_decref).
 * Otherwise *RESULT is NULL and ERR holds one line for "keyctl: %s": keyd's
 * own message on ADMINC_EREFUSED, ours on the rest; never a secret. */
enum adminc_err adminc_call(const char *path, const char *op, json_t *args,
    json_t **result, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
