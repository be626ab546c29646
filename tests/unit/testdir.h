/* Scratch directories for unit tests: made under /tmp, removed with
 * everything in them (a store leaves -wal and -shm files behind). */
#ifndef TESTS_UNIT_TESTDIR_H
#define TESTS_UNIT_TESTDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Make /tmp/keyd-test-TAG.XXXXXX into DIR (LEN bytes). 0, or -1. */
static inline int
testdir_make(char *dir, size_t len, const char *tag)
{
	int n = snprintf(dir, len, "/tmp/keyd-test-%s.XXXXXX", tag);

	if (n < 0 || (size_t)n >= len)
		return -1;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

/* Remove DIR and the plain files in it (tests make no subdirectories). */
static inline void
testdir_remove(const char *dir)
{
	struct dirent	*e;
	char		 p[512];
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) <
		    sizeof(p))
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

#endif
