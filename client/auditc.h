/* keyctl's audit commands that are more, or less, than one request:
 * verify pages through keyd's answers, or checks an export file offline
 * without keyd; tail --follow polls; query and export page through the
 * log. docs/keyctl.md and docs/audit.md describe them. */
#ifndef CLIENT_AUDITC_H
#define CLIENT_AUDITC_H

#include <jansson.h>

#include "client/output.h"

/* Run OP (an audit.* op) with ARGS as keyctl parsed them, talking to the
 * keyd at SOCKET when it needs one; JSON selects JSON lines (or the JSON
 * document) over VIEW's table. Returns the exit status: 0 done, 1 keyd
 * refused or the chain is broken, 2 bad usage; or -1 when OP is an
 * ordinary one-request command for keyctl to send itself. */
int auditc_run(const char *socket, const char *op, json_t *args, int json,
    const struct output_view *view);

#endif
