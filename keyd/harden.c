/* Hardening that needs no privilege: no core dumps, no same-uid ptrace. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "keyd/harden.h"

int
harden_process(char *err, size_t errlen)
{
	struct rlimit rl = { 0, 0 };

	umask(077);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		snprintf(err, errlen, "cannot make the process non-dumpable: "
		    "%s", strerror(errno));
		return -1;
	}
	if (setrlimit(RLIMIT_CORE, &rl) == -1) {
		snprintf(err, errlen, "cannot disable core dumps: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
