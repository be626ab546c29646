/* A pre-parse bound on JSON nesting, shared by the facts derivation and the
 * validator: refuse a body jansson would recurse into too deeply before
 * jansson builds any of it. */
#ifndef KEYD_SCIM_JSON_DEPTH_H
#define KEYD_SCIM_JSON_DEPTH_H

#include <stddef.h>

/* 1 when S (LEN bytes) nests arrays and objects at most MAX deep, 0 when
 * deeper. Brackets inside strings do not count; malformed JSON is left for
 * jansson to refuse. */
int scim_json_depth_ok(const char *s, size_t len, int max);

#endif
