/* Self-signed listener certificate made at `keyd init` with mbedTLS.
 * mbedTLS 2.28 has no writer for subjectAltName or extendedKeyUsage, so
 * those two extensions are DER-encoded here by hand. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include "keyd/tlsgen.h"

#define PERS		"keyd-tlsgen"
#define SUBJECT		"CN=keyd,O=keyd"
#define SERIAL_LEN	16
#define DAYS_MAX	36500		/* keeps now + days far from overflow */
#define HOST_MAX	253		/* longest DNS name */
#define SAN_MAX		4		/* localhost, 127.0.0.1, ::1, host */
#define EXT_MAX		512		/* SAN with a HOST_MAX name fits */
#define TIME_LEN	sizeof("YYYYMMDDhhmmss")
#define CERT_PEM_MAX	4096
#define KEY_PEM_MAX	1024
#define TAG_DNS		(MBEDTLS_ASN1_CONTEXT_SPECIFIC | \
			    MBEDTLS_X509_SAN_DNS_NAME)
#define TAG_IP		(MBEDTLS_ASN1_CONTEXT_SPECIFIC | \
			    MBEDTLS_X509_SAN_IP_ADDRESS)

struct tlsgen {
	mbedtls_entropy_context	 entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context	 key;
	mbedtls_x509write_cert	 crt;
	unsigned char		*cert_pem;
	unsigned char		*key_pem;	/* private key; wiped on free */
	char			*err;
	size_t			 errlen;
};

/* One GeneralName of the subjectAltName extension. */
struct gname {
	unsigned char		 tag;
	const unsigned char	*data;
	size_t			 len;
};

static const unsigned char ip_v4_loopback[4] = { 127, 0, 0, 1 };
static const unsigned char ip_v6_loopback[16] = { [15] = 1 };

/* Returns 0 when RET is an mbedTLS success (0 or a length), else writes
 * "mbedtls: WHAT: reason" into the error buffer and returns -1. */
static int
mbed_check(struct tlsgen *g, const char *what, int ret)
{
	char	 reason[128];

	if (ret >= 0)
		return 0;
	mbedtls_strerror(ret, reason, sizeof(reason));
	snprintf(g->err, g->errlen, "mbedtls: %s: %s", what, reason);
	return -1;
}

static void
gen_init(struct tlsgen *g, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	mbedtls_entropy_init(&g->entropy);
	mbedtls_ctr_drbg_init(&g->drbg);
	mbedtls_pk_init(&g->key);
	mbedtls_x509write_crt_init(&g->crt);
	g->err = err;
	g->errlen = errlen;
}

static void
gen_free(struct tlsgen *g)
{
	if (g->key_pem != NULL)
		mbedtls_platform_zeroize(g->key_pem, KEY_PEM_MAX);
	free(g->key_pem);
	free(g->cert_pem);
	mbedtls_x509write_crt_free(&g->crt);
	mbedtls_pk_free(&g->key);
	mbedtls_ctr_drbg_free(&g->drbg);
	mbedtls_entropy_free(&g->entropy);
}

/* The name goes into an IA5String and a log line, so only LDH and dots. */
static int
hostname_valid(const char *hostname)
{
	size_t	 i, len;

	len = strnlen(hostname, HOST_MAX + 1);
	if (len == 0 || len > HOST_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", hostname[i]) ==
		    NULL)
			return 0;
	return 1;
}

static int
args_check(struct tlsgen *g, const char *cert_path, const char *key_path,
    const char *hostname, int days)
{
	if (cert_path == NULL || key_path == NULL) {
		snprintf(g->err, g->errlen, "certificate and key paths are "
		    "required");
		return -1;
	}
	if (days < 1 || days > DAYS_MAX) {
		snprintf(g->err, g->errlen, "certificate lifetime must be 1 "
		    "to %d days, not %d", DAYS_MAX, days);
		return -1;
	}
	if (hostname != NULL && !hostname_valid(hostname)) {
		snprintf(g->err, g->errlen, "host name for the certificate "
		    "must be 1 to %d letters, digits, '-' or '.'", HOST_MAX);
		return -1;
	}
	return 0;
}

static int
rng_seed(struct tlsgen *g)
{
	return mbed_check(g, "seed random generator",
	    mbedtls_ctr_drbg_seed(&g->drbg, mbedtls_entropy_func,
	    &g->entropy, (const unsigned char *)PERS, strlen(PERS)));
}

static int
key_generate(struct tlsgen *g)
{
	const mbedtls_pk_info_t	*info;

	info = mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY);
	if (mbed_check(g, "set up key", mbedtls_pk_setup(&g->key, info)) == -1)
		return -1;
	return mbed_check(g, "generate P-256 key",
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(g->key),
	    mbedtls_ctr_drbg_random, &g->drbg));
}

static int
serial_set(struct tlsgen *g)
{
	unsigned char	 raw[SERIAL_LEN];
	mbedtls_mpi	 serial;
	int		 rc = -1;

	mbedtls_mpi_init(&serial);
	if (mbed_check(g, "random serial", mbedtls_ctr_drbg_random(&g->drbg,
	    raw, sizeof(raw))) == -1)
		goto out;
	/* Top bit clear: the INTEGER stays positive in 16 bytes without a
	 * leading zero. Next bit set: it is never shorter, never zero. */
	raw[0] = (raw[0] & 0x7f) | 0x40;
	if (mbed_check(g, "read serial", mbedtls_mpi_read_binary(&serial, raw,
	    sizeof(raw))) == -1)
		goto out;
	if (mbed_check(g, "set serial",
	    mbedtls_x509write_crt_set_serial(&g->crt, &serial)) == -1)
		goto out;
	rc = 0;
out:
	mbedtls_mpi_free(&serial);
	return rc;
}

static int
time_format(time_t t, char out[TIME_LEN])
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (strftime(out, TIME_LEN, "%Y%m%d%H%M%S", &tm) != TIME_LEN - 1)
		return -1;
	return 0;
}

static int
validity_set(struct tlsgen *g, int days)
{
	char	 from[TIME_LEN], to[TIME_LEN];
	time_t	 now;

	now = time(NULL);
	if (now == (time_t)-1 || time_format(now, from) == -1 ||
	    time_format(now + (time_t)days * 86400, to) == -1) {
		snprintf(g->err, g->errlen, "cannot format the certificate "
		    "validity dates from the system clock");
		return -1;
	}
	return mbed_check(g, "set validity",
	    mbedtls_x509write_crt_set_validity(&g->crt, from, to));
}

/* Wraps the LEN bytes just written before *P in a SEQUENCE; returns the
 * total length or a negative mbedTLS error, like asn1write itself. */
static int
der_sequence(unsigned char **p, unsigned char *start, int len)
{
	int	 ret;

	if ((ret = mbedtls_asn1_write_len(p, start, (size_t)len)) < 0)
		return ret;
	len += ret;
	if ((ret = mbedtls_asn1_write_tag(p, start,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return ret;
	return len + ret;
}

/* [tag] IMPLICIT: the tag replaces IA5String / OCTET STRING. */
static int
der_general_name(unsigned char **p, unsigned char *start,
    const struct gname *gn)
{
	int	 ret, len;

	if ((len = mbedtls_asn1_write_raw_buffer(p, start, gn->data,
	    gn->len)) < 0)
		return len;
	if ((ret = mbedtls_asn1_write_len(p, start, gn->len)) < 0)
		return ret;
	len += ret;
	if ((ret = mbedtls_asn1_write_tag(p, start, gn->tag)) < 0)
		return ret;
	return len + ret;
}

static size_t
san_names(const char *hostname, struct gname names[SAN_MAX])
{
	static const char	 localhost[] = "localhost";
	size_t			 n = 0;

	names[n++] = (struct gname){ TAG_DNS,
	    (const unsigned char *)localhost, sizeof(localhost) - 1 };
	names[n++] = (struct gname){ TAG_IP, ip_v4_loopback,
	    sizeof(ip_v4_loopback) };
	names[n++] = (struct gname){ TAG_IP, ip_v6_loopback,
	    sizeof(ip_v6_loopback) };
	if (hostname != NULL && strcasecmp(hostname, localhost) != 0)
		names[n++] = (struct gname){ TAG_DNS,
		    (const unsigned char *)hostname, strlen(hostname) };
	return n;
}

/* GeneralNames for HOSTNAME, DER at the end of BUF starting at *P.
 * Returns its length or a negative mbedTLS error. */
static int
san_der(const char *hostname, unsigned char *buf, size_t size,
    unsigned char **p)
{
	struct gname	 names[SAN_MAX];
	size_t		 i;
	int		 ret, len = 0;

	*p = buf + size;
	/* asn1write fills from the end: emit the last name first. */
	for (i = san_names(hostname, names); i-- > 0; ) {
		if ((ret = der_general_name(p, buf, &names[i])) < 0)
			return ret;
		len += ret;
	}
	return der_sequence(p, buf, len);
}

/* ExtKeyUsageSyntax holding only id-kp-serverAuth; as san_der. */
static int
eku_der(unsigned char *buf, size_t size, unsigned char **p)
{
	int	 ret;

	*p = buf + size;
	if ((ret = mbedtls_asn1_write_oid(p, buf, MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) < 0)
		return ret;
	return der_sequence(p, buf, ret);
}

static int
san_add(struct tlsgen *g, const char *hostname)
{
	unsigned char	 buf[EXT_MAX], *der;
	int		 len;

	len = san_der(hostname, buf, sizeof(buf), &der);
	if (mbed_check(g, "encode subjectAltName", len) == -1)
		return -1;
	return mbed_check(g, "add subjectAltName",
	    mbedtls_x509write_crt_set_extension(&g->crt,
	    MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der,
	    (size_t)len));
}

static int
eku_add(struct tlsgen *g)
{
	unsigned char	 buf[EXT_MAX], *der;
	int		 len;

	len = eku_der(buf, sizeof(buf), &der);
	if (mbed_check(g, "encode extendedKeyUsage", len) == -1)
		return -1;
	return mbed_check(g, "add extendedKeyUsage",
	    mbedtls_x509write_crt_set_extension(&g->crt,
	    MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, der,
	    (size_t)len));
}

static int
extensions_set(struct tlsgen *g, const char *hostname)
{
	if (mbed_check(g, "set basicConstraints",
	    mbedtls_x509write_crt_set_basic_constraints(&g->crt, 0, -1)) == -1)
		return -1;
	if (mbed_check(g, "set keyUsage",
	    mbedtls_x509write_crt_set_key_usage(&g->crt,
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
	    MBEDTLS_X509_KU_KEY_AGREEMENT)) == -1)
		return -1;
	if (mbed_check(g, "set subjectKeyIdentifier",
	    mbedtls_x509write_crt_set_subject_key_identifier(&g->crt)) == -1)
		return -1;
	if (eku_add(g) == -1)
		return -1;
	return san_add(g, hostname);
}

static int
cert_build(struct tlsgen *g, const char *hostname, int days)
{
	mbedtls_x509write_crt_set_version(&g->crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&g->crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&g->crt, &g->key);
	mbedtls_x509write_crt_set_issuer_key(&g->crt, &g->key);
	if (mbed_check(g, "set subject", mbedtls_x509write_crt_set_subject_name(
	    &g->crt, SUBJECT)) == -1)
		return -1;
	if (mbed_check(g, "set issuer", mbedtls_x509write_crt_set_issuer_name(
	    &g->crt, SUBJECT)) == -1)
		return -1;
	if (serial_set(g) == -1 || validity_set(g, days) == -1)
		return -1;
	return extensions_set(g, hostname);
}

/* Signs the certificate and renders both PEMs (NUL-terminated). */
static int
pem_render(struct tlsgen *g)
{
	g->cert_pem = calloc(1, CERT_PEM_MAX);
	g->key_pem = calloc(1, KEY_PEM_MAX);
	if (g->cert_pem == NULL || g->key_pem == NULL) {
		snprintf(g->err, g->errlen, "cannot allocate PEM buffers: %s",
		    strerror(errno));
		return -1;
	}
	if (mbed_check(g, "sign certificate", mbedtls_x509write_crt_pem(
	    &g->crt, g->cert_pem, CERT_PEM_MAX, mbedtls_ctr_drbg_random,
	    &g->drbg)) == -1)
		return -1;
	return mbed_check(g, "write key", mbedtls_pk_write_key_pem(&g->key,
	    g->key_pem, KEY_PEM_MAX));
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates PATH (must not exist) holding PEM; on failure nothing is left. */
static int
pem_write_file(const char *path, mode_t mode, const unsigned char *pem,
    char *err, size_t errlen)
{
	const char	*text = (const char *)pem;
	int		 fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		goto out;
	}
	/* The umask may have narrowed MODE; the contract promises it. */
	if (fchmod(fd, mode) == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	if (fd != -1 && rc == -1)
		unlink(path);
	return rc;
}

int
tlsgen_self_signed(const char *cert_path, const char *key_path,
    const char *hostname, int days, char *err, size_t errlen)
{
	struct tlsgen	 g;
	int		 rc = -1;

	gen_init(&g, err, errlen);
	if (args_check(&g, cert_path, key_path, hostname, days) == -1)
		goto out;
	if (rng_seed(&g) == -1 || key_generate(&g) == -1 ||
	    cert_build(&g, hostname, days) == -1 || pem_render(&g) == -1)
		goto out;
	if (pem_write_file(key_path, 0600, g.key_pem, err, errlen) == -1)
		goto out;
	if (pem_write_file(cert_path, 0644, g.cert_pem, err, errlen) == -1) {
		unlink(key_path);
		goto out;
	}
	rc = 0;
out:
	gen_free(&g);
	return rc;
}
