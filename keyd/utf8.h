/* UTF-8 (RFC 3629), read one character at a time: for the filter parser,
 * which must refuse what is not UTF-8, and for the audit record and the
 * log, which must keep what a client sent from reaching a terminal or a
 * JSON line as anything but text. */
#ifndef KEYD_UTF8_H
#define KEYD_UTF8_H

#include <stddef.h>

/* The length of the well-formed multi-byte sequence at S (N bytes left,
 * N >= 1): 2 to 4, or 0 for ASCII, a stray continuation byte, an overlong
 * form, a surrogate, a value past U+10FFFF, or a sequence cut short. */
size_t utf8_multi(const unsigned char *s, size_t n);

/* The length of the character at S (N >= 1 bytes left) when it is fit to
 * print: printable ASCII, or a well-formed multi-byte sequence that is not
 * a C1 control (U+0080 to U+009F, which some terminals obey). 0 for
 * anything else: C0 controls, DEL, C1 controls, bytes that are not UTF-8. */
size_t utf8_printable(const unsigned char *s, size_t n);

#endif
