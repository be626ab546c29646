/* Token minting and format checks: <prefix>_<id><secret><check>. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyd/token.h"

#define TOKEN_BODY_LEN	(TOKEN_ID_LEN + TOKEN_SECRET_LEN + TOKEN_CHECK_LEN)

static const char token_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char *const token_prefixes[] = {
	[TOKEN_PK] = "kdpk",
	[TOKEN_AT] = "kdat",
	[TOKEN_ADM] = "kdadm",
};

#define TOKEN_NKINDS	(sizeof(token_prefixes) / sizeof(token_prefixes[0]))

/* CRC-32 of each 4-bit value under the reflected polynomial 0xEDB88320:
 * entry i is i run through four shift/xor rounds. A nibble table is small
 * enough to write out, so there is no lazy initialisation to race on. */
static const uint32_t crc32_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t
token_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;
	size_t i;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0f];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0f];
	}
	return crc ^ 0xffffffffu;
}

const char *
token_kind_prefix(enum token_kind kind)
{
	if ((size_t)kind >= TOKEN_NKINDS)
		return NULL;
	return token_prefixes[kind];
}

const char *
token_strerror(enum token_err err)
{
	switch (err) {
	case TOKEN_OK:
		return "ok";
	case TOKEN_EMALFORMED:
		return "malformed token";
	case TOKEN_ECHECKSUM:
		return "token checksum mismatch";
	}
	return "unknown token error";
}

/* Big-endian, zero-padded: 62^6 > 2^32, so six digits always suffice. */
static void
token_check_encode(uint32_t crc, char out[TOKEN_CHECK_LEN])
{
	int i;

	for (i = TOKEN_CHECK_LEN - 1; i >= 0; i--) {
		out[i] = token_alphabet[crc % 62];
		crc /= 62;
	}
}

/* randombytes_uniform rejects samples past the largest multiple of 62, so
 * every character is uniform; a byte taken modulo 62 would not be. */
static void
token_random_chars(char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = token_alphabet[randombytes_uniform(62)];
}

size_t
token_generate(enum token_kind kind, char out[TOKEN_MAX_LEN + 1])
{
	const char *prefix;
	size_t plen, n;

	/* An unknown kind is a bug in the caller, not bad input. */
	if ((prefix = token_kind_prefix(kind)) == NULL)
		abort();
	plen = strlen(prefix);
	memcpy(out, prefix, plen);
	out[plen] = '_';
	n = plen + 1;
	token_random_chars(out + n, TOKEN_ID_LEN + TOKEN_SECRET_LEN);
	n += TOKEN_ID_LEN + TOKEN_SECRET_LEN;
	token_check_encode(token_crc32(out, n), out + n);
	n += TOKEN_CHECK_LEN;
	out[n] = '\0';
	return n;
}

/* The kind whose "prefix_" begins S, or -1. Reads at most LEN bytes. */
static int
token_match_prefix(const char *s, size_t len, size_t *plen)
{
	size_t k, n;

	for (k = 0; k < TOKEN_NKINDS; k++) {
		n = strlen(token_prefixes[k]);
		if (len > n && memcmp(s, token_prefixes[k], n) == 0 &&
		    s[n] == '_') {
			*plen = n + 1;
			return (int)k;
		}
	}
	return -1;
}

static int
token_is_base62(const char *s, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z')))
			return 0;
	}
	return 1;
}

enum token_err
token_parse(const char *s, size_t len, struct token_ref *ref)
{
	char check[TOKEN_CHECK_LEN];
	size_t plen;
	int kind;

	if ((kind = token_match_prefix(s, len, &plen)) < 0)
		return TOKEN_EMALFORMED;
	if (len != plen + TOKEN_BODY_LEN)
		return TOKEN_EMALFORMED;
	if (!token_is_base62(s + plen, TOKEN_BODY_LEN))
		return TOKEN_EMALFORMED;
	/* Compare encoded digits, not values: only the canonical encoding of
	 * the CRC is accepted, so each token has exactly one valid spelling. */
	token_check_encode(token_crc32(s, len - TOKEN_CHECK_LEN), check);
	if (memcmp(check, s + len - TOKEN_CHECK_LEN, TOKEN_CHECK_LEN) != 0)
		return TOKEN_ECHECKSUM;
	ref->kind = (enum token_kind)kind;
	memcpy(ref->id, s + plen, TOKEN_ID_LEN);
	ref->id[TOKEN_ID_LEN] = '\0';
	return TOKEN_OK;
}
