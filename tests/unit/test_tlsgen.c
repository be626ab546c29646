/* tlsgen: the generated key and certificate parse, verify, carry the
 * promised names and extensions, and existing files are never touched. */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "keyd/tlsgen.h"

#define HOST		"keyd.example.test"
#define DAYS		30
#define FILE_MAX	8192
#define SEQ		(MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define TAG_DNS		(MBEDTLS_ASN1_CONTEXT_SPECIFIC | \
			    MBEDTLS_X509_SAN_DNS_NAME)
#define TAG_IP		(MBEDTLS_ASN1_CONTEXT_SPECIFIC | \
			    MBEDTLS_X509_SAN_IP_ADDRESS)

struct fixture {
	char	 dir[64];
	char	 cert[128];
	char	 key[128];
	char	 err[256];
};

struct gname {
	unsigned char		 tag;
	const unsigned char	*data;
	size_t			 len;
};

static const unsigned char v4[4] = { 127, 0, 0, 1 };
static const unsigned char v6[16] = { [15] = 1 };

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_tlsgen.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unlink(f->cert);
	unlink(f->key);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
generate(struct fixture *f, const char *hostname)
{
	int	 rc;

	rc = tlsgen_self_signed(f->cert, f->key, hostname, DAYS, f->err,
	    sizeof(f->err));
	if (rc != 0)
		fail_msg("tlsgen_self_signed: %s", f->err);
}

static void
cert_load(const char *path, mbedtls_x509_crt *crt)
{
	mbedtls_x509_crt_init(crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(crt, path), 0);
}

static size_t
file_read(const char *path, char *buf, size_t size)
{
	FILE	*fp;
	size_t	 n;

	assert_non_null(fp = fopen(path, "rb"));
	n = fread(buf, 1, size, fp);
	assert_true(n < size);
	fclose(fp);
	return n;
}

static int
file_exists(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0;
}

static unsigned
file_mode(const char *path)
{
	struct stat	 st;

	assert_int_equal(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/* Points VAL at the extnValue contents of extension OID, or fails. */
static void
ext_find(const mbedtls_x509_crt *crt, const char *oid, size_t oidlen,
    unsigned char **val, size_t *vallen)
{
	unsigned char	*p = crt->v3_ext.p, *end = p + crt->v3_ext.len, *ext;
	size_t		 len;
	int		 match, critical;

	assert_int_equal(mbedtls_asn1_get_tag(&p, end, &len, SEQ), 0);
	while (p < end) {
		assert_int_equal(mbedtls_asn1_get_tag(&p, end, &len, SEQ), 0);
		ext = p + len;
		assert_int_equal(mbedtls_asn1_get_tag(&p, ext, &len,
		    MBEDTLS_ASN1_OID), 0);
		match = len == oidlen && memcmp(p, oid, len) == 0;
		p += len;
		if (*p == MBEDTLS_ASN1_BOOLEAN)
			assert_int_equal(mbedtls_asn1_get_bool(&p, ext,
			    &critical), 0);
		assert_int_equal(mbedtls_asn1_get_tag(&p, ext, &len,
		    MBEDTLS_ASN1_OCTET_STRING), 0);
		if (match) {
			*val = p;
			*vallen = len;
			return;
		}
		p = ext;
	}
	fail_msg("extension not found");
}

/* Reads the raw GeneralNames of the SAN extension, every kind of name. */
static size_t
san_read(const mbedtls_x509_crt *crt, struct gname *out, size_t max)
{
	unsigned char	*p, *end;
	size_t		 len, n = 0;

	ext_find(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), &p, &len);
	end = p + len;
	assert_int_equal(mbedtls_asn1_get_tag(&p, end, &len, SEQ), 0);
	assert_ptr_equal(p + len, end);
	while (p < end) {
		assert_true(n < max);
		out[n].tag = *p++;
		assert_int_equal(mbedtls_asn1_get_len(&p, end, &len), 0);
		out[n].data = p;
		out[n].len = len;
		p += len;
		n++;
	}
	return n;
}

static void
san_expect(const mbedtls_x509_crt *crt, const struct gname *want,
    size_t nwant)
{
	struct gname	 got[8];
	size_t		 i, n;

	n = san_read(crt, got, 8);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].tag, want[i].tag);
		assert_int_equal(got[i].len, want[i].len);
		assert_memory_equal(got[i].data, want[i].data, want[i].len);
	}
}

/* Whether mbedTLS's own SAN list (dNSName entries) holds NAME. */
static int
san_has_dns(const mbedtls_x509_crt *crt, const char *name)
{
	const mbedtls_x509_sequence	*s;

	for (s = &crt->subject_alt_names; s != NULL; s = s->next)
		if ((s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK) ==
		    MBEDTLS_X509_SAN_DNS_NAME && s->buf.len == strlen(name) &&
		    memcmp(s->buf.p, name, s->buf.len) == 0)
			return 1;
	return 0;
}

static time_t
x509_time(const mbedtls_x509_time *t)
{
	struct tm	 tm = {
		.tm_year = t->year - 1900, .tm_mon = t->mon - 1,
		.tm_mday = t->day, .tm_hour = t->hour, .tm_min = t->min,
		.tm_sec = t->sec,
	};

	return timegm(&tm);
}

static int
verify(mbedtls_x509_crt *crt, const char *cn, uint32_t *flags)
{
	return mbedtls_x509_crt_verify(crt, crt, NULL, cn, flags, NULL, NULL);
}

static void
test_cert_is_v3_p256_self_signed(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt crt;
	char		 dn[128];

	generate(f, HOST);
	cert_load(f->cert, &crt);
	assert_int_equal(crt.version, 3);
	assert_int_equal(crt.sig_md, MBEDTLS_MD_SHA256);
	assert_int_equal(crt.sig_pk, MBEDTLS_PK_ECDSA);
	assert_int_equal(mbedtls_pk_get_type(&crt.pk), MBEDTLS_PK_ECKEY);
	assert_int_equal(mbedtls_pk_get_bitlen(&crt.pk), 256);
	assert_int_equal(mbedtls_pk_ec(crt.pk)->grp.id,
	    MBEDTLS_ECP_DP_SECP256R1);
	assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
	assert_non_null(strstr(dn, "CN=keyd"));
	assert_non_null(strstr(dn, "O=keyd"));
	assert_int_equal(crt.issuer_raw.len, crt.subject_raw.len);
	assert_memory_equal(crt.issuer_raw.p, crt.subject_raw.p,
	    crt.subject_raw.len);
	mbedtls_x509_crt_free(&crt);
}

static void
test_serial_is_positive_16_bytes_and_fresh(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt a, b;

	generate(f, NULL);
	cert_load(f->cert, &a);
	unlink(f->cert);
	unlink(f->key);
	generate(f, NULL);
	cert_load(f->cert, &b);
	assert_int_equal(a.serial.len, 16);
	assert_int_equal(a.serial.p[0] & 0x80, 0);
	assert_int_not_equal(a.serial.p[0], 0);
	assert_int_equal(b.serial.len, 16);
	assert_memory_not_equal(a.serial.p, b.serial.p, 16);
	assert_int_not_equal(mbedtls_pk_check_pair(&a.pk, &b.pk), 0);
	mbedtls_x509_crt_free(&a);
	mbedtls_x509_crt_free(&b);
}

static void
test_validity_is_now_plus_days(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt crt;
	time_t		 before, from, to;

	before = time(NULL);
	generate(f, HOST);
	cert_load(f->cert, &crt);
	from = x509_time(&crt.valid_from);
	to = x509_time(&crt.valid_to);
	assert_true(from >= before && from <= time(NULL));
	assert_int_equal(to - from, (time_t)DAYS * 86400);
	mbedtls_x509_crt_free(&crt);
}

static void
test_extensions_for_a_tls_server(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt crt;
	unsigned char	*ski;
	size_t		 skilen;

	generate(f, HOST);
	cert_load(f->cert, &crt);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS);
	assert_int_equal(crt.ca_istrue, 0);
	assert_int_equal(crt.key_usage, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
	    MBEDTLS_X509_KU_KEY_AGREEMENT);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
	assert_int_equal(crt.ext_key_usage.buf.len,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
	assert_memory_equal(crt.ext_key_usage.buf.p, MBEDTLS_OID_SERVER_AUTH,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
	assert_null(crt.ext_key_usage.next);
	ext_find(&crt, MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER), &ski,
	    &skilen);
	assert_int_equal(skilen, 2 + 20);	/* OCTET STRING of a SHA-1 */
	mbedtls_x509_crt_free(&crt);
}

static void
test_san_lists_loopback_and_hostname(void **state)
{
	struct fixture		*f = *state;
	mbedtls_x509_crt	 crt;
	const struct gname	 want[] = {
		{ TAG_DNS, (const unsigned char *)"localhost", 9 },
		{ TAG_IP, v4, sizeof(v4) },
		{ TAG_IP, v6, sizeof(v6) },
		{ TAG_DNS, (const unsigned char *)HOST, sizeof(HOST) - 1 },
	};

	generate(f, HOST);
	cert_load(f->cert, &crt);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	assert_true(san_has_dns(&crt, "localhost"));
	assert_true(san_has_dns(&crt, HOST));
	san_expect(&crt, want, sizeof(want) / sizeof(want[0]));
	mbedtls_x509_crt_free(&crt);
}

static void
test_san_without_hostname(void **state)
{
	struct fixture		*f = *state;
	mbedtls_x509_crt	 crt;
	const struct gname	 want[] = {
		{ TAG_DNS, (const unsigned char *)"localhost", 9 },
		{ TAG_IP, v4, sizeof(v4) },
		{ TAG_IP, v6, sizeof(v6) },
	};

	generate(f, NULL);
	cert_load(f->cert, &crt);
	san_expect(&crt, want, sizeof(want) / sizeof(want[0]));
	mbedtls_x509_crt_free(&crt);
}

static void
test_verifies_against_itself_by_name(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt crt;
	uint32_t	 flags;

	generate(f, HOST);
	cert_load(f->cert, &crt);
	assert_int_equal(verify(&crt, "localhost", &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(verify(&crt, HOST, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(verify(&crt, "example.com", &flags),
	    MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
	assert_int_equal(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
	mbedtls_x509_crt_free(&crt);
}

static void
test_no_hostname_does_not_match_it(void **state)
{
	struct fixture	*f = *state;
	mbedtls_x509_crt crt;
	uint32_t	 flags;

	generate(f, NULL);
	cert_load(f->cert, &crt);
	assert_int_equal(verify(&crt, "localhost", &flags), 0);
	assert_int_not_equal(verify(&crt, HOST, &flags), 0);
	assert_int_equal(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
	mbedtls_x509_crt_free(&crt);
}

static void
test_key_is_private_and_matches_cert(void **state)
{
	struct fixture		*f = *state;
	mbedtls_x509_crt	 crt;
	mbedtls_pk_context	 key;
	mode_t			 old;

	/* A strict umask must not change the promised modes. */
	old = umask(077);
	generate(f, HOST);
	umask(old);
	assert_int_equal(file_mode(f->key), 0600);
	assert_int_equal(file_mode(f->cert), 0644);
	cert_load(f->cert, &crt);
	mbedtls_pk_init(&key);
	assert_int_equal(mbedtls_pk_parse_keyfile(&key, f->key, NULL), 0);
	assert_int_equal(mbedtls_pk_get_type(&key), MBEDTLS_PK_ECKEY);
	assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &key), 0);
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&crt);
}

static void
test_existing_files_are_left_alone(void **state)
{
	struct fixture	*f = *state;
	char		 cert0[FILE_MAX], key0[FILE_MAX];
	char		 cert1[FILE_MAX], key1[FILE_MAX];
	size_t		 certlen, keylen;

	generate(f, HOST);
	certlen = file_read(f->cert, cert0, sizeof(cert0));
	keylen = file_read(f->key, key0, sizeof(key0));
	assert_int_equal(tlsgen_self_signed(f->cert, f->key, HOST, DAYS,
	    f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, f->key));
	assert_non_null(strstr(f->err, strerror(EEXIST)));
	assert_int_equal(file_read(f->cert, cert1, sizeof(cert1)), certlen);
	assert_memory_equal(cert0, cert1, certlen);
	assert_int_equal(file_read(f->key, key1, sizeof(key1)), keylen);
	assert_memory_equal(key0, key1, keylen);
}

static void
test_existing_cert_leaves_no_key(void **state)
{
	struct fixture	*f = *state;
	static const char junk[] = "not a certificate\n";
	char		 buf[FILE_MAX];
	FILE		*fp;

	assert_non_null(fp = fopen(f->cert, "w"));
	fputs(junk, fp);
	fclose(fp);
	assert_int_equal(tlsgen_self_signed(f->cert, f->key, HOST, DAYS,
	    f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, f->cert));
	assert_false(file_exists(f->key));
	assert_int_equal(file_read(f->cert, buf, sizeof(buf)),
	    sizeof(junk) - 1);
	assert_memory_equal(buf, junk, sizeof(junk) - 1);
}

static void
test_bad_arguments_create_nothing(void **state)
{
	struct fixture	*f = *state;
	static const struct {
		const char	*hostname;
		int		 days;
	} bad[] = {
		{ HOST, 0 },
		{ HOST, -1 },
		{ HOST, 36501 },
		{ "", DAYS },
		{ "bad host", DAYS },
		{ "evil\nline", DAYS },
		{ "caf\xc3\xa9.test", DAYS },
	};
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->err[0] = '\0';
		assert_int_equal(tlsgen_self_signed(f->cert, f->key,
		    bad[i].hostname, bad[i].days, f->err, sizeof(f->err)), -1);
		assert_true(f->err[0] != '\0');
		assert_false(file_exists(f->cert));
		assert_false(file_exists(f->key));
	}
}

static void
test_missing_directory_names_path(void **state)
{
	struct fixture	*f = *state;
	char		 cert[160], key[160];

	snprintf(cert, sizeof(cert), "%s/nope/cert.pem", f->dir);
	snprintf(key, sizeof(key), "%s/nope/key.pem", f->dir);
	assert_int_equal(tlsgen_self_signed(cert, key, NULL, DAYS, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, key));
	assert_non_null(strstr(f->err, strerror(ENOENT)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_cert_is_v3_p256_self_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_serial_is_positive_16_bytes_and_fresh, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_validity_is_now_plus_days, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_extensions_for_a_tls_server, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_san_lists_loopback_and_hostname, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_san_without_hostname, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verifies_against_itself_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_hostname_does_not_match_it, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_key_is_private_and_matches_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_existing_files_are_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_existing_cert_leaves_no_key, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_arguments_create_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_directory_names_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
