/* upstream: input checks (names, URLs, pins, timeouts, tokens, PEMs), the
 * registry over a real store and keyring (sealing, reload, tampering,
 * removal while held, capacity), the libcurl settings and a test against
 * a port nobody listens on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "keyd/keyring.h"
#include "keyd/store.h"
#include "keyd/tlsgen.h"
#include "keyd/upstream.h"
#include "keyd/upstream_int.h"

#define TOKEN	"upstream-token-7f3c9a1e5b2d4c6f8a0b"

struct fix {
	char			 dir[64];
	char			 db[128];
	struct store		*st;
	struct keyring		*kr;
	struct upstream_reg	*reg;
};

static int
setup(void **state)
{
	unsigned char	 root[KEYRING_KEY_LEN], *w = NULL;
	size_t		 wlen;
	struct fix	*f;
	char		 err[512];

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    testdir_make(f->dir, sizeof(f->dir), "upstream") == -1)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/keyd.db", f->dir);
	randombytes_buf(root, sizeof(root));
	if (store_open(f->db, &f->st, err, sizeof(err)) != 0 ||
	    (f->kr = keyring_new(root)) == NULL ||
	    keyring_dek_create(f->kr, 1, &w, &wlen) != 0 ||
	    upstream_reg_new(&f->reg) != 0)
		return -1;
	free(w);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	upstream_reg_free(&f->reg);
	assert_null(f->reg);
	keyring_free(&f->kr);
	store_close(&f->st);
	testdir_remove(f->dir);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* --- checks ------------------------------------------------------------ */

static void
test_name_valid(void **state)
{
	static const struct {
		const char	*name;
		int		 ok;
	} t[] = {
		{ "okta-prod", 1 }, { "a", 1 }, { "A.b_c-9", 1 }, { "...", 1 },
		{ "", 0 }, { ".", 0 }, { "..", 0 }, { "a/b", 0 }, { "a b", 0 },
		{ "a%2f", 0 }, { "é", 0 }, { "a?", 0 }, { "a#", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123",
		  1 },
		{ "01234567890123456789012345678901234567890123456789012345678901234",
		  0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (upstream_name_valid(t[i].name) != t[i].ok)
			fail_msg("name \"%s\": want %d", t[i].name, t[i].ok);
}

static void
test_url_check(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused, ERR holds WHY */
		const char	*why;
	} t[] = {
		{ "http://127.0.0.1:8080/scim/v2", "http://127.0.0.1:8080/scim/v2",
		  NULL },
		{ "http://127.0.0.1:8080/scim/v2/", "http://127.0.0.1:8080/scim/v2",
		  NULL },
		{ "HTTPS://Scim.Example.com/v2//", "https://Scim.Example.com/v2",
		  NULL },
		{ "https://scim.example.com", "https://scim.example.com", NULL },
		{ "http://localhost:9/x", "http://localhost:9/x", NULL },
		{ "http://127.8.9.10/x", "http://127.8.9.10/x", NULL },
		{ "http://[::1]:80/x", "http://[::1]:80/x", NULL },
		{ "http://10.0.0.1/x", NULL, "loopback" },
		{ "http://[::2]/x", NULL, "loopback" },
		{ "http://scim.example.com/x", NULL, "loopback" },
		{ "ftp://127.0.0.1/x", NULL, "http:// or https://" },
		{ "127.0.0.1/x", NULL, "http:// or https://" },
		{ "https://", NULL, "no host" },
		{ "https:///x", NULL, "no host" },
		{ "https://u@h/x", NULL, "user" },
		{ "https://u:p@h/x", NULL, "user" },
		{ "https://h/x?a=1", NULL, "query" },
		{ "https://h/x#f", NULL, "fragment" },
		{ "https://h/a b", NULL, "space" },
		{ "https://h/\x01", NULL, "space" },
		{ "https://h:99999/", NULL, "does not parse" },
	};
	char	out[UPSTREAM_URL_MAX + 1], err[512];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		if (upstream_url_check(t[i].in, out, sizeof(out), err,
		    sizeof(err)) == 0) {
			if (t[i].out == NULL)
				fail_msg("%s: accepted as %s", t[i].in, out);
			assert_string_equal(out, t[i].out);
		} else if (t[i].out != NULL)
			fail_msg("%s: refused: %s", t[i].in, err);
		else if (strstr(err, t[i].why) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", t[i].in, err,
			    t[i].why);
	}
}

static void
test_url_too_long(void **state)
{
	char	url[UPSTREAM_URL_MAX + 16], out[UPSTREAM_URL_MAX + 1];
	char	err[512];

	(void)state;
	memset(url, 'a', sizeof(url) - 1);
	memcpy(url, "https://h/", 10);
	url[sizeof(url) - 1] = '\0';
	assert_int_equal(upstream_url_check(url, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
}

static void
test_pin_check(void **state)
{
	static const char *const good[] = {
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
		"sha256//+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/w=",
	};
	static const char *const bad[] = {
		"", "sha256//", "sha1//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"sha256//AAAA", "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;",
		"sha256//-_-_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"/etc/ssl/key.pem",
	};
	char	pins[16 * 64] = "", err[512];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (upstream_pin_check(good[i], err, sizeof(err)) != 0)
			fail_msg("pin %s refused: %s", good[i], err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (upstream_pin_check(bad[i], err, sizeof(err)) != -1)
			fail_msg("pin \"%s\" accepted", bad[i]);
	for (i = 0; i < UPSTREAM_PINS_MAX + 1; i++) {
		snprintf(pins + strlen(pins), sizeof(pins) - strlen(pins),
		    "%s%s", i > 0 ? ";" : "", good[0]);
		assert_int_equal(upstream_pin_check(pins, err, sizeof(err)),
		    i < UPSTREAM_PINS_MAX ? 0 : -1);
	}
}

static void
test_timeout_parse(void **state)
{
	int64_t	ms = 0;
	char	err[512];

	(void)state;
	assert_int_equal(upstream_timeout_parse("10s", &ms, err, sizeof(err)),
	    0);
	assert_int_equal(ms, 10000);
	assert_int_equal(upstream_timeout_parse("5m", &ms, err, sizeof(err)),
	    0);
	assert_int_equal(ms, 300000);
	assert_int_equal(upstream_timeout_parse("1s", &ms, err, sizeof(err)),
	    0);
	assert_int_equal(ms, 1000);
	assert_int_equal(upstream_timeout_parse("0s", &ms, err, sizeof(err)),
	    -1);
	assert_int_equal(upstream_timeout_parse("301s", &ms, err,
	    sizeof(err)), -1);
	assert_int_equal(upstream_timeout_parse("10", &ms, err, sizeof(err)),
	    -1);
	assert_int_equal(upstream_timeout_parse("-1s", &ms, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "bad --timeout"));
}

static void
test_bearer_check(void **state)
{
	char	big[UPSTREAM_BEARER_MAX + 2], err[512];

	(void)state;
	assert_int_equal(upstream_bearer_check("abc", 3, err, sizeof(err)), 3);
	assert_int_equal(upstream_bearer_check("abc\n", 4, err, sizeof(err)),
	    3);
	assert_int_equal(upstream_bearer_check("abc\r\n", 5, err, sizeof(err)),
	    3);
	assert_int_equal(upstream_bearer_check("a.b-c_d~e+f/g=", 14, err,
	    sizeof(err)), 14);
	assert_int_equal(upstream_bearer_check("\n", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(upstream_bearer_check("ab\n\n", 4, err, sizeof(err)),
	    -1);
	assert_int_equal(upstream_bearer_check("a b", 3, err, sizeof(err)), -1);
	assert_int_equal(upstream_bearer_check("a\tb", 3, err, sizeof(err)),
	    -1);
	assert_int_equal(upstream_bearer_check("a\rb", 3, err, sizeof(err)),
	    -1);
	assert_int_equal(upstream_bearer_check("ab\xc3\xa9", 4, err,
	    sizeof(err)), -1);
	assert_null(strstr(err, "ab"));		/* never quotes the token */
	memset(big, 'a', sizeof(big));
	assert_int_equal(upstream_bearer_check(big, UPSTREAM_BEARER_MAX, err,
	    sizeof(err)), UPSTREAM_BEARER_MAX);
	assert_int_equal(upstream_bearer_check(big, UPSTREAM_BEARER_MAX + 1,
	    err, sizeof(err)), -1);
}

/* Read PATH whole into a malloc'd NUL-terminated string. */
static char *
slurp(const char *path, size_t *len)
{
	char	*buf;
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, 1024 * 1024);
	n = buf != NULL ? fread(buf, 1, 1024 * 1024 - 1, fp) : 0;
	fclose(fp);
	if (len != NULL)
		*len = n;
	return buf;
}

/* A certificate and key made by keyd's own generator, in DIR as TAG. */
static void
pair_make(const char *dir, const char *tag, char **cert, char **key)
{
	char	c[256], k[256], err[512];

	snprintf(c, sizeof(c), "%s/%s.crt", dir, tag);
	snprintf(k, sizeof(k), "%s/%s.key", dir, tag);
	if (tlsgen_self_signed(c, k, NULL, 2, err, sizeof(err)) != 0)
		fail_msg("tlsgen: %s", err);
	assert_non_null(*cert = slurp(c, NULL));
	assert_non_null(*key = slurp(k, NULL));
}

static void
test_pem_checks(void **state)
{
	struct fix	*f = *state;
	char		*c1, *k1, *c2, *k2, err[512];
	char		*bundle;
	int64_t		 not_after = 0;
	char		 subject[256];

	pair_make(f->dir, "one", &c1, &k1);
	pair_make(f->dir, "two", &c2, &k2);
	assert_int_equal(upstream_ca_check(c1, err, sizeof(err)), 0);
	assert_non_null(bundle = calloc(1, strlen(c1) + strlen(c2) + 1));
	memcpy(bundle, c1, strlen(c1));
	memcpy(bundle + strlen(c1), c2, strlen(c2));
	assert_int_equal(upstream_ca_check(bundle, err, sizeof(err)), 0);
	assert_int_equal(upstream_ca_check(k1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PEM certificate"));
	assert_int_equal(upstream_ca_check("", err, sizeof(err)), -1);
	assert_int_equal(upstream_client_check(c1, k1, strlen(k1), err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_client_check(c1, k2, strlen(k2), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(upstream_client_check(c1, c2, strlen(c2), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "private key"));
	assert_int_equal(upstream_client_check(k1, k1, strlen(k1), err,
	    sizeof(err)), -1);
	assert_int_equal(upstream_cert_info(c1, subject, sizeof(subject),
	    &not_after), 0);
	assert_non_null(strstr(subject, "CN=keyd"));
	assert_true(not_after > time(NULL) && not_after < time(NULL) + 3 *
	    86400);
	free(bundle);
	free(c1);
	free(k1);
	free(c2);
	free(k2);
}

/* --- the registry -------------------------------------------------------- */

static int
add_bearer(struct fix *f, const char *name, const char *url, char *err,
    size_t errlen)
{
	struct upstream_spec s;

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.url = url;
	s.bearer = TOKEN "\n";
	s.bearer_len = strlen(s.bearer);
	return upstream_add(f->reg, f->st, f->kr, &s, NULL, err, errlen);
}

/* 1 when NEEDLE is anywhere in the file PATH. */
static int
file_holds(const char *path, const char *needle)
{
	char	*buf;
	size_t	 n;
	int	 yes;

	if ((buf = slurp(path, &n)) == NULL)
		return 0;
	yes = memmem(buf, n, needle, strlen(needle)) != NULL;
	free(buf);
	return yes;
}

/* The raw secret column of NAME, read outside the store. */
static int
raw_secret(const char *db, const char *name, unsigned char *buf, size_t *len,
    int64_t *dek)
{
	sqlite3_stmt	*stmt = NULL;
	sqlite3		*h;
	int		 rc = -1, n;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, "SELECT secret, dek_version FROM upstreams "
	    "WHERE name = ?", -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    (n = sqlite3_column_bytes(stmt, 0)) > 0 &&
		    (size_t)n <= *len) {
			memcpy(buf, sqlite3_column_blob(stmt, 0), (size_t)n);
			*len = (size_t)n;
			*dek = sqlite3_column_int64(stmt, 1);
			rc = 0;
		}
	}
	sqlite3_finalize(stmt);
	sqlite3_close(h);
	return rc;
}

static void
test_add_seals(void **state)
{
	struct fix	*f = *state;
	struct upstream	*up = NULL;
	unsigned char	 blob[1024], *pt = NULL;
	size_t		 len = sizeof(blob), ptlen;
	int64_t		 dek = 0;
	char		 err[512] = "", path[200];

	if (add_bearer(f, "hr", "http://127.0.0.1:9/scim/v2/", err,
	    sizeof(err)) != 0)
		fail_msg("add: %s", err);
	assert_int_equal(upstream_get(f->reg, "hr", &up), 0);
	assert_int_equal(up->cred_version, 1);
	assert_true(up->created_at > 0);
	assert_string_equal(up->url, "http://127.0.0.1:9/scim/v2");
	assert_int_equal(up->auth, UPSTREAM_AUTH_BEARER);
	assert_int_equal(up->timeout_ms, UPSTREAM_TIMEOUT_DEFAULT_MS);
	assert_int_equal(up->secret_len, strlen(TOKEN));
	assert_string_equal(up->secret, TOKEN);	/* the newline dropped */
	upstream_release(&up);
	assert_null(up);

	/* What the store holds is the sealed blob, bound to its row. */
	assert_int_equal(raw_secret(f->db, "hr", blob, &len, &dek), 0);
	assert_int_equal(dek, 1);
	assert_int_equal(blob[0], 0x01);
	assert_null(memmem(blob, len, TOKEN, strlen(TOKEN)));
	assert_int_equal(keyring_open(f->kr, "upstreams", "hr", "bearer", blob,
	    len, &pt, &ptlen), 0);
	assert_memory_equal(pt, TOKEN, strlen(TOKEN));
	keyring_secret_free(&pt);
	assert_int_equal(keyring_open(f->kr, "upstreams", "other", "bearer",
	    blob, len, &pt, &ptlen), -1);
	assert_int_equal(keyring_open(f->kr, "upstreams", "hr", "client_key",
	    blob, len, &pt, &ptlen), -1);

	/* Nowhere in the database files. */
	assert_false(file_holds(f->db, TOKEN));
	snprintf(path, sizeof(path), "%s-wal", f->db);
	assert_false(file_holds(path, TOKEN));
}

static void
test_add_refusals(void **state)
{
	struct fix		*f = *state;
	struct upstream_spec	 s;
	char			 err[512];

	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), UPSTREAM_EXISTS);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(add_bearer(f, "bad name", "http://127.0.0.1:9/", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "bad upstream name"));
	assert_int_equal(add_bearer(f, "x", "http://198.51.100.1/", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "loopback"));
	memset(&s, 0, sizeof(s));
	s.name = "x";
	assert_int_equal(upstream_add(f->reg, f->st, f->kr, &s, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "missing --url"));
	s.url = "http://127.0.0.1/";
	s.client_cert = "x";
	assert_int_equal(upstream_add(f->reg, f->st, f->kr, &s, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "go together"));
	s.client_cert = NULL;
	s.pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	assert_int_equal(upstream_add(f->reg, f->st, f->kr, &s, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "https://"));
	assert_int_equal(upstream_reg_count(f->reg), 1);
}

static void
test_reload(void **state)
{
	struct fix	*f = *state;
	struct upstream	*up = NULL;
	char		 err[512] = "";

	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(add_bearer(f, "crm", "http://127.0.0.1:10/", err,
	    sizeof(err)), 0);
	upstream_reg_free(&f->reg);
	assert_int_equal(upstream_reg_new(&f->reg), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &up), UPSTREAM_NOTFOUND);
	assert_null(up);
	if (upstream_reg_load(f->reg, f->st, f->kr, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	assert_int_equal(upstream_reg_count(f->reg), 2);
	assert_int_equal(upstream_get(f->reg, "crm", &up), 0);
	assert_string_equal(up->url, "http://127.0.0.1:10");
	assert_string_equal(up->secret, TOKEN);
	assert_int_equal(up->cred_version, 1);
	assert_true(up->created_at > 0);
	upstream_release(&up);
}

/* A sealed credential moved to another row does not open there. */
static void
test_tamper(void **state)
{
	struct fix	*f = *state;
	char		 err[512] = "";
	sqlite3		*h;

	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE upstreams SET name = 'evil'",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(upstream_reg_load(f->reg, f->st, f->kr, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "upstream \"evil\""));
	assert_non_null(strstr(err, "does not open"));
	assert_int_equal(upstream_reg_count(f->reg), 0);
}

static void
test_remove_while_held(void **state)
{
	struct fix	*f = *state;
	struct upstream	*held = NULL, *again = NULL;
	uint64_t	 gen;
	char		 err[512] = "";

	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &held), 0);
	gen = held->generation;
	assert_int_equal(upstream_remove(f->reg, f->st, "hr", err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &again), UPSTREAM_NOTFOUND);
	/* The request in flight still has its upstream, credential and all. */
	assert_string_equal(held->secret, TOKEN);
	upstream_release(&held);
	assert_int_equal(upstream_remove(f->reg, f->st, "hr", err,
	    sizeof(err)), UPSTREAM_NOTFOUND);
	assert_non_null(strstr(err, "no upstream"));
	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &again), 0);
	assert_true(again->generation != gen);
	upstream_release(&again);
}

static void
test_capacity(void **state)
{
	struct fix		*f = *state;
	struct upstream_spec	 s;
	char			 name[32], err[512];
	int			 i;

	memset(&s, 0, sizeof(s));
	s.url = "http://127.0.0.1/";
	s.name = name;
	for (i = 0; i < UPSTREAM_MAX; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		if (upstream_add(f->reg, f->st, f->kr, &s, NULL, err,
		    sizeof(err)) != 0)
			fail_msg("add %s: %s", name, err);
	}
	snprintf(name, sizeof(name), "one-more");
	assert_int_equal(upstream_add(f->reg, f->st, f->kr, &s, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "remove one first"));
	assert_int_equal(upstream_reg_count(f->reg), UPSTREAM_MAX);
}

/* The client key reaches curl through a sealed memfd holding exactly it. */
static void
test_mtls_files(void **state)
{
	struct fix		*f = *state;
	struct upstream_spec	 s;
	struct upstream		*up = NULL;
	char			*cert, *key, buf[8192], err[512], path[64];
	ssize_t			 n;
	int			 fd;

	pair_make(f->dir, "client", &cert, &key);
	memset(&s, 0, sizeof(s));
	s.name = "mtls";
	s.url = "https://scim.example.com/v2";
	s.client_cert = cert;
	s.client_key = key;
	s.client_key_len = strlen(key);
	s.ca = cert;
	if (upstream_add(f->reg, f->st, f->kr, &s, NULL, err, sizeof(err)) != 0)
		fail_msg("add: %s", err);
	assert_false(file_holds(f->db, key + 40));
	assert_int_equal(upstream_get(f->reg, "mtls", &up), 0);
	assert_int_equal(up->auth, UPSTREAM_AUTH_MTLS);
	assert_string_equal(up->secret, key);
	assert_non_null(upstream_files_ca(up->files));
	assert_non_null(upstream_files_cert(up->files));
	fd = open(upstream_files_key(up->files), O_RDWR);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, (ssize_t)strlen(key));
	assert_memory_equal(buf, key, (size_t)n);
	assert_int_equal(write(fd, "x", 1), -1);	/* sealed */
	close(fd);
	snprintf(path, sizeof(path), "%s", upstream_files_key(up->files));
	upstream_release(&up);

	/* Removed, the key's file is emptied, and its path is never reused:
	 * libcurl matches pooled connections by it. */
	assert_int_equal(upstream_remove(f->reg, f->st, "mtls", err,
	    sizeof(err)), 0);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	if (upstream_add(f->reg, f->st, f->kr, &s, NULL, err, sizeof(err)) != 0)
		fail_msg("add again: %s", err);
	assert_int_equal(upstream_get(f->reg, "mtls", &up), 0);
	assert_string_not_equal(upstream_files_key(up->files), path);
	upstream_release(&up);
	free(cert);
	free(key);
}

static void
test_curl_apply(void **state)
{
	struct fix		*f = *state;
	struct curl_slist	*h = NULL;
	struct upstream		*up = NULL;
	CURL			*c;
	char			 err[512] = "";

	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/", err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &up), 0);
	assert_non_null(c = curl_easy_init());
	assert_int_equal(upstream_curl_apply(c, up, &h, err, sizeof(err)), 0);
	assert_non_null(h);
	assert_string_equal(h->data, "Authorization: Bearer " TOKEN);
	assert_null(h->next);
	upstream_headers_free(&h);
	assert_null(h);
	upstream_headers_free(&h);
	curl_easy_cleanup(c);
	upstream_release(&up);
	upstream_release(&up);	/* NULL: a no-op */
}

static void
test_test_down(void **state)
{
	struct fix			*f = *state;
	struct upstream_test_result	 res;
	struct upstream			*up = NULL;
	char				 err[512] = "";

	/* Port 9 (discard) on loopback: nobody listens in a test machine. */
	assert_int_equal(add_bearer(f, "hr", "http://127.0.0.1:9/scim", err,
	    sizeof(err)), 0);
	assert_int_equal(upstream_get(f->reg, "hr", &up), 0);
	assert_int_equal(upstream_test(up, &res, err, sizeof(err)), -1);
	assert_string_equal(res.url, "http://127.0.0.1:9/scim/"
	    "ServiceProviderConfig");
	assert_non_null(strstr(err, "cannot connect"));
	assert_null(strstr(err, TOKEN));
	upstream_release(&up);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_url_too_long),
		cmocka_unit_test(test_pin_check),
		cmocka_unit_test(test_timeout_parse),
		cmocka_unit_test(test_bearer_check),
		T(test_pem_checks),
		T(test_add_seals),
		T(test_add_refusals),
		T(test_reload),
		T(test_tamper),
		T(test_remove_while_held),
		T(test_capacity),
		T(test_mtls_files),
		T(test_curl_apply),
		T(test_test_down),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
