/* Self-signed listener certificate made at `keyd init` with mbedTLS. */
#ifndef KEYD_TLSGEN_H
#define KEYD_TLSGEN_H

#include <stddef.h>

/* Generate an ECDSA P-256 key and a self-signed X.509 v3 certificate for
 * CN=keyd, with subjectAltName DNS:localhost, IP:127.0.0.1 and IP:::1 plus
 * DNS:HOSTNAME when HOSTNAME is not NULL, valid from now for DAYS days,
 * serverAuth, SHA-256. Writes PEM to CERT_PATH (0644) and KEY_PATH (0600);
 * neither may exist. Returns 0, or -1 with a message in ERR. */
int tlsgen_self_signed(const char *cert_path, const char *key_path,
    const char *hostname, int days, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
