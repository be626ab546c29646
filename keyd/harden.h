/* Process hardening that applies before any key is loaded. */
#ifndef KEYD_HARDEN_H
#define KEYD_HARDEN_H

#include <stddef.h>

/* Make the process non-dumpable (no core files, no ptrace by same-uid
 * peers), set RLIMIT_CORE to 0 and a umask of 077. Returns 0, or -1 with
 * ERR. */
int harden_process(char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
