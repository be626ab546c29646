/* Token format: <prefix>_<id><secret><check> (docs/token-format.md).
 * prefix kdpk | kdat | kdadm; id 12 base62; secret 32 base62; check 6 base62
 * = CRC32 (IEEE) of everything before it, big-endian base62, zero-padded. */
#ifndef KEYD_TOKEN_H
#define KEYD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_ID_LEN     12
#define TOKEN_SECRET_LEN 32
#define TOKEN_CHECK_LEN  6
#define TOKEN_MAX_LEN    (5 + 1 + TOKEN_ID_LEN + TOKEN_SECRET_LEN + TOKEN_CHECK_LEN)

enum token_kind { TOKEN_PK = 0, TOKEN_AT = 1, TOKEN_ADM = 2 };

enum token_err {
	TOKEN_OK = 0,
	TOKEN_EMALFORMED,	/* wrong prefix, length or alphabet */
	TOKEN_ECHECKSUM		/* well-formed, but the check digits do not match */
};

struct token_ref {
	enum token_kind kind;
	char id[TOKEN_ID_LEN + 1];	/* public lookup key, NUL-terminated */
};

/* Mint a new token of KIND into OUT (NUL-terminated). Each id and secret
 * character comes from randombytes_uniform(62), so there is no modulo
 * bias. OUT holds a secret: give it sodium_malloc memory and wipe it.
 * Returns the token's length. Cannot fail. */
size_t token_generate(enum token_kind kind, char out[TOKEN_MAX_LEN + 1]);

/* Check S (LEN bytes, not necessarily NUL-terminated) for format and checksum
 * without any lookup; on TOKEN_OK fill REF. Never reads past LEN. */
enum token_err token_parse(const char *s, size_t len, struct token_ref *ref)
	__attribute__((warn_unused_result));

/* "kdpk", "kdat" or "kdadm". */
const char *token_kind_prefix(enum token_kind kind);

/* A short, static, secret-free description of ERR. */
const char *token_strerror(enum token_err err);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of BUF. */
uint32_t token_crc32(const void *buf, size_t len);

#endif
