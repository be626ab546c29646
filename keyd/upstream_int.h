/* Private to upstream*.c: the spec check and the in-memory files that hand
 * PEMs to libcurl. */
#ifndef KEYD_UPSTREAM_INT_H
#define KEYD_UPSTREAM_INT_H

#include <stddef.h>

#include "keyd/upstream.h"

/* Check SPEC whole and fill REC's plain fields (name, url, auth, PEMs
 * malloc'd, pin, timeout); *PT and *PTLEN point at the credential inside SPEC
 * (trimmed), or NULL for none. Returns 0, or -1 with ERR; REC is then
 * cleared. */
int upstream_spec_check(const struct upstream_spec *spec,
    struct upstream_rec *rec, const unsigned char **pt, size_t *ptlen,
    char *err, size_t errlen) UPSTREAM_WUR;

/* libcurl built with GnuTLS reads a CA, a client certificate and its key
 * only from files, never from memory. Each is put in a sealed memfd and
 * named "/proc/self/fd/N", so nothing reaches a disk. Opens what U needs
 * (nothing for an upstream with neither CA nor client certificate: *F is
 * then NULL). Returns 0 or -1. */
int upstream_files_open(const struct upstream *u, struct upstream_files **f)
	UPSTREAM_WUR;
/* Free *F: each memfd is emptied but stays open, so its "/proc/self/fd/N"
 * never names another upstream's file (libcurl reuses connections and TLS
 * sessions by path). */
void upstream_files_close(struct upstream_files **f);

/* The paths, or NULL when U has no such file. */
const char *upstream_files_ca(const struct upstream_files *f);
const char *upstream_files_cert(const struct upstream_files *f);
const char *upstream_files_key(const struct upstream_files *f);

#endif
