/* config: keyd.conf parsing, -o overrides, config_finish. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyd/config.h"

struct fix {
	char	dir[64];
	char	path[128];
};

static int
setup(void **state)
{
	struct fix *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	if (testdir_make(x->dir, sizeof(x->dir), "config") == -1) {
		free(x);
		return -1;
	}
	snprintf(x->path, sizeof(x->path), "%s/keyd.conf", x->dir);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *x = *state;

	testdir_remove(x->dir);
	free(x);
	return 0;
}

static void
write_conf(const struct fix *x, const char *text, size_t len)
{
	FILE *fp;

	fp = fopen(x->path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Load TEXT on top of the defaults; returns config_load_file's result. */
static int
load(const struct fix *x, const char *text, struct config *c, char *err,
    size_t errlen)
{
	write_conf(x, text, strlen(text));
	config_defaults(c);
	err[0] = '\0';
	return config_load_file(c, x->path, err, errlen);
}

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8443");
	assert_int_equal(c.tls, 1);
	assert_int_equal(c.access_token_ttl, 15 * 60);
	assert_int_equal(c.max_body, 1 << 20);
	assert_int_equal(c.log_json, 0);
	assert_int_equal(c.max_connections, 1024);
	assert_int_equal(c.client_timeout, 30);
	assert_string_equal(c.state_dir, "");
	assert_string_equal(c.tls_cert, "");
	assert_string_equal(c.tls_key, "");
	assert_string_equal(c.admin_socket, "");
	assert_string_equal(c.root_key, "");
	assert_string_equal(c.store, "");
}

static void
test_every_setting(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	if (load(*state,
	    "state_dir = /var/lib/keyd\n"
	    "listen = [::1]:9443\n"
	    "tls = no\n"
	    "tls_cert = /etc/keyd/cert.pem\n"
	    "tls_key = /etc/keyd/key.pem\n"
	    "admin_socket = /run/keyd.sock\n"
	    "root_key = passphrase\n"
	    "store = /srv/keyd.db\n"
	    "access_token_ttl = 5m\n"
	    "max_body = 256KiB\n"
	    "log_format = json\n"
	    "max_connections = 64\n"
	    "client_timeout = 2m\n", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.state_dir, "/var/lib/keyd");
	assert_string_equal(c.listen, "[::1]:9443");
	assert_int_equal(c.tls, 0);
	assert_string_equal(c.tls_cert, "/etc/keyd/cert.pem");
	assert_string_equal(c.tls_key, "/etc/keyd/key.pem");
	assert_string_equal(c.admin_socket, "/run/keyd.sock");
	assert_string_equal(c.root_key, "passphrase");
	assert_string_equal(c.store, "/srv/keyd.db");
	assert_int_equal(c.access_token_ttl, 300);
	assert_int_equal(c.max_body, 256 * 1024);
	assert_int_equal(c.log_json, 1);
	assert_int_equal(c.max_connections, 64);
	assert_int_equal(c.client_timeout, 120);
}

static void
test_booleans(void **state)
{
	static const struct {
		const char	*v;
		int		 tls;
	} t[] = {
		{ "on", 1 }, { "yes", 1 }, { "true", 1 }, { "1", 1 },
		{ "off", 0 }, { "no", 0 }, { "false", 0 }, { "0", 0 },
	};
	struct config c;
	char err[CONFIG_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		config_defaults(&c);
		c.tls = !t[i].tls;
		assert_int_equal(config_set(&c, "tls", t[i].v, "x", err,
		    sizeof(err)), 0);
		assert_int_equal(c.tls, t[i].tls);
	}
}

static void
test_later_line_wins(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	if (load(*state,
	    "listen = 127.0.0.1:1\n"
	    "access_token_ttl = 1h\n"
	    "listen = 127.0.0.1:2\n"
	    "access_token_ttl = 30s\n", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.listen, "127.0.0.1:2");
	assert_int_equal(c.access_token_ttl, 30);
}

static void
test_comments_and_quotes(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	if (load(*state,
	    "# keyd.conf\n"
	    "\n"
	    "   \t  \n"
	    "  # indented comment = with equals\n"
	    "state_dir = \"/var/lib/keyd\"   # quoted, then a comment\n"
	    "\tlisten\t=\t127.0.0.1:9000\t\n"
	    "log_format=\"json\"#no spaces\n"
	    "store = \"/srv/my keyd.db\"\n"
	    "max_connections = 4\r\n"
	    "max_body = 2MiB", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.state_dir, "/var/lib/keyd");
	assert_string_equal(c.listen, "127.0.0.1:9000");
	assert_int_equal(c.log_json, 1);
	assert_string_equal(c.store, "/srv/my keyd.db");
	assert_int_equal(c.max_connections, 4);
	assert_int_equal(c.max_body, 2 << 20);
}

static void
test_empty_file(void **state)
{
	struct config c, d;
	char err[CONFIG_ERR_MAX];

	assert_int_equal(load(*state, "", &c, err, sizeof(err)), 0);
	config_defaults(&d);
	assert_memory_equal(&c, &d, sizeof(c));
}

/* Each case: file text, the line the error names, and the reason. */
static void
test_errors_name_file_and_line(void **state)
{
	static const struct {
		const char	*text;
		unsigned	 line;
		const char	*why;
	} t[] = {
		{ "state_dir = /x\nlisen = 127.0.0.1:1\n",
		  2, "unknown setting \"lisen\"" },
		{ "\n\n# comment\nlisten 127.0.0.1:1\n",
		  4, "expected \"name = value\"" },
		{ "= 1\n", 1, "missing setting name before '='" },
		{ "max_connections = 1\naccess_token_ttl = 15\n",
		  2, "access_token_ttl: bad duration \"15\" (use a unit: s, "
		  "m, h, d)" },
		{ "access_token_ttl = 0s\n",
		  1, "access_token_ttl: bad duration \"0s\" (use a unit: s, "
		  "m, h, d)" },
		{ "#\n#\naccess_token_ttl = 25h\n",
		  3, "access_token_ttl: 25h is out of range (1s to 24h)" },
		{ "client_timeout = 2h\n",
		  1, "client_timeout: 2h is out of range (1s to 1h)" },
		{ "client_timeout = 30\n",
		  1, "client_timeout: bad duration \"30\" (use a unit: s, m, h, "
		  "d)" },
		{ "max_body = 1MB\n",
		  1, "max_body: bad size \"1MB\" (use a unit: B, KiB, MiB)" },
		{ "\nmax_body = 1023B\n",
		  2, "max_body: 1023B is out of range (1KiB to 64MiB)" },
		{ "max_body = 65MiB\n",
		  1, "max_body: 65MiB is out of range (1KiB to 64MiB)" },
		{ "tls = on\ntls = maybe\n",
		  2, "tls: bad boolean \"maybe\" (use on or off)" },
		{ "tls = ON\n", 1, "tls: bad boolean \"ON\" (use on or off)" },
		{ "\n\n\nmax_connections =\n", 4, "max_connections: empty value" },
		{ "store = \"\"\n", 1, "store: empty value" },
		{ "store = # a comment is not a value\n",
		  1, "store: empty value" },
		{ "store = \"/x\n", 1, "unterminated quote in value" },
		{ "store = \"\n", 1, "unterminated quote in value" },
		{ "max_connections = 65537\n", 1, "max_connections: bad number "
		  "\"65537\" (use 1 to 65536)" },
		{ "max_connections = -1\n", 1, "max_connections: bad number "
		  "\"-1\" (use 1 to 65536)" },
		{ "max_connections = 0\n", 1, "max_connections: bad number "
		  "\"0\" (use 1 to 65536)" },
		{ "log_format = xml\n",
		  1, "log_format: bad value \"xml\" (use text or json)" },
		{ "root_key = file:\n", 1, "root_key: bad value \"file:\" (use "
		  "file:PATH or passphrase)" },
		{ "root_key = env:KEY\n", 1, "root_key: bad value \"env:KEY\" "
		  "(use file:PATH or passphrase)" },
		{ "listen = 127.0.0.1:0\n", 1, "listen: bad address "
		  "\"127.0.0.1:0\" (use an IP address and port, as in 127.0.0.1:8443 or [::1]:8443)" },
		{ "listen = ::1:8443\n", 1, "listen: bad address "
		  "\"::1:8443\" (use an IP address and port, as in 127.0.0.1:8443 or [::1]:8443)" },
		{ "listen = 0.0.0.0:8443\nlisten = 0.0.0.0\n", 2, "listen: bad "
		  "address \"0.0.0.0\" (use an IP address and port, as in "
		  "127.0.0.1:8443 or [::1]:8443)" },
		{ "listen = keyd.example.com:8443\n", 1, "listen: bad address "
		  "\"keyd.example.com:8443\" (use an IP address and port, as "
		  "in 127.0.0.1:8443 or [::1]:8443)" },
	};
	struct fix *x = *state;
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (load(x, t[i].text, &c, err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", t[i].text);
		snprintf(want, sizeof(want), "%s:%u: %s", x->path, t[i].line,
		    t[i].why);
		assert_string_equal(err, want);
	}
}

static void
test_line_length(void **state)
{
	struct fix *x = *state;
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];
	char *text;
	size_t n;

	/* line 1: exactly 4096 bytes, accepted; line 2: 4097, refused */
	text = malloc(3 * 4100);
	assert_non_null(text);
	n = (size_t)snprintf(text, 4100, "state_dir = /");
	memset(text + n, 'a', 4096 - n);
	n = 4096;
	text[n++] = '\n';
	text[n++] = '#';
	memset(text + n, 'b', 4096);
	n += 4096;
	text[n++] = '\n';
	text[n] = '\0';
	assert_int_equal(load(x, text, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line is longer than 4096 bytes",
	    x->path);
	assert_string_equal(err, want);

	/* without line 2 the file loads, and the long value is whole */
	text[4097] = '\0';
	if (load(x, text, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(strlen(c.state_dir), 4096 - strlen("state_dir = "));

	/* a last line with no newline is measured too */
	memset(text, '#', 4097);
	text[4097] = '\0';
	assert_int_equal(load(x, text, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: line is longer than 4096 bytes",
	    x->path);
	assert_string_equal(err, want);
	free(text);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "max_connections = 1\nstore = /a\0b\n";
	struct fix *x = *state;
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];

	write_conf(x, text, sizeof(text) - 1);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, x->path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line contains a NUL byte",
	    x->path);
	assert_string_equal(err, want);
}

static void
test_unreadable(void **state)
{
	struct fix *x = *state;
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX + 64];

	config_defaults(&c);
	snprintf(want, sizeof(want), "%s/missing.conf", x->dir);
	assert_int_equal(config_load_file(&c, want, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.conf: cannot open: "));

	assert_int_equal(config_load_file(&c, x->dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: read error: ", x->dir);
	assert_memory_equal(err, want, strlen(want));
}

static void
test_path_too_long(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];
	char *v;

	(void)state;
	v = malloc(PATH_MAX + 1);
	assert_non_null(v);
	memset(v, 'a', PATH_MAX);
	v[PATH_MAX] = '\0';
	config_defaults(&c);
	assert_int_equal(config_set(&c, "tls_key", v, "t:1", err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "t:1: tls_key: path is longer than %d "
	    "bytes", PATH_MAX - 1);
	assert_string_equal(err, want);
	assert_string_equal(c.tls_key, "");

	v[PATH_MAX - 1] = '\0';
	assert_int_equal(config_set(&c, "tls_key", v, "t:1", err,
	    sizeof(err)), 0);
	assert_int_equal(strlen(c.tls_key), PATH_MAX - 1);
	free(v);
}

static void
test_override(void **state)
{
	static const struct {
		const char	*o;
		const char	*want;
	} bad[] = {
		{ "lisen=127.0.0.1:1", "-o: unknown setting \"lisen\"" },
		{ "listen", "-o: expected \"name = value\"" },
		{ "", "-o: expected name=value" },
		{ "=1", "-o: missing setting name before '='" },
		{ "max_connections=", "-o: max_connections: empty value" },
		{ "access_token_ttl=15", "-o: access_token_ttl: "
		  "bad duration \"15\" (use a unit: s, m, h, d)" },
	};
	struct config c;
	char err[CONFIG_ERR_MAX];
	size_t i;

	if (load(*state, "listen = 127.0.0.1:1\nmax_connections = 2\n", &c, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(config_override(&c, "listen=127.0.0.1:9999", err,
	    sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.1:9999");
	assert_int_equal(config_override(&c, " max_connections = \"8\" ", err,
	    sizeof(err)), 0);
	assert_int_equal(c.max_connections, 8);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_override(&c, bad[i].o, err,
		    sizeof(err)), -1);
		assert_string_equal(err, bad[i].want);
	}
	/* a refused override leaves the earlier value alone */
	assert_int_equal(c.max_connections, 8);
	assert_int_equal(c.access_token_ttl, 15 * 60);
}

/* The audit settings: defaults, each accepted form, each refusal. */
static void
test_audit_settings(void **state)
{
	static const struct {
		const char *name, *value, *why;
	} bad[] = {
		{ "audit_sync", "yes", "audit_sync: bad value \"yes\" (use on or "
		    "off)" },
		{ "audit_checkpoint_records", "0", "audit_checkpoint_records: "
		    "bad number \"0\" (use 1 to 1000000)" },
		{ "audit_checkpoint_records", "1000001", NULL },
		{ "audit_checkpoint_interval", "10", "audit_checkpoint_interval: "
		    "bad duration \"10\" (use a unit: s, m, h, d)" },
		{ "audit_checkpoint_interval", "2d", "audit_checkpoint_interval: "
		    "2d is out of range (1s to 24h)" },
		{ "audit_retention", "never", NULL },
	};
	struct config	c;
	char		err[CONFIG_ERR_MAX];
	size_t		i;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.audit_sync, 1);
	assert_int_equal(c.audit_cp_records, 1000);
	assert_int_equal(c.audit_cp_interval, 10);
	assert_int_equal(c.audit_retention, 90 * 24 * 3600);
	assert_int_equal(config_set(&c, "audit_sync", "off", "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_set(&c, "audit_checkpoint_records", "50", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "audit_checkpoint_interval", "1m", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "audit_retention", "off", "t", err,
	    sizeof(err)), 0);
	assert_int_equal(c.audit_sync, 0);
	assert_int_equal(c.audit_cp_records, 50);
	assert_int_equal(c.audit_cp_interval, 60);
	assert_int_equal(c.audit_retention, 0);
	assert_int_equal(config_set(&c, "audit_retention", "30d", "t", err,
	    sizeof(err)), 0);
	assert_int_equal(c.audit_retention, 30 * 24 * 3600);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_set(&c, bad[i].name, bad[i].value, "t",
		    err, sizeof(err)), -1);
		if (bad[i].why != NULL)
			assert_string_equal(err + 3, bad[i].why);
	}
	/* the file goes next to the store unless placed elsewhere */
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", "/var/lib/keyd", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(c.audit_path, "/var/lib/keyd/audit.db");
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", "/var/lib/keyd", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "audit_path", "/srv/audit/a.db", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(c.audit_path, "/srv/audit/a.db");
}

static void
test_finish_derives_paths(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_finish(&c, err, sizeof(err)), -1);
	assert_string_equal(err, "state_dir is not set; set it in keyd.conf "
	    "or with -o state_dir=PATH");

	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", "/var/lib/keyd/", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(c.tls_cert, "/var/lib/keyd/tls/cert.pem");
	assert_string_equal(c.tls_key, "/var/lib/keyd/tls/key.pem");
	assert_string_equal(c.admin_socket, "/var/lib/keyd/keyd.sock");
	assert_string_equal(c.store, "/var/lib/keyd/keyd.db");
	assert_string_equal(c.root_key, "file:/var/lib/keyd/root.key");

	/* explicit settings survive; relative state dirs stay relative */
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", "state", "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_set(&c, "tls_cert", "/etc/cert.pem", "t",
	    err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "root_key", "passphrase", "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(c.tls_cert, "/etc/cert.pem");
	assert_string_equal(c.tls_key, "state/tls/key.pem");
	assert_string_equal(c.root_key, "passphrase");
}

static void
test_finish_long_paths(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	char dir[PATH_MAX];

	(void)state;
	/* too long for a Unix socket, fine for a file */
	memset(dir, 'd', 200);
	dir[0] = '/';
	dir[200] = '\0';
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", dir, "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), -1);
	assert_memory_equal(err, "admin_socket: /ddd", 18);
	assert_non_null(strstr(err, "the limit for a Unix socket path"));
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", dir, "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_set(&c, "admin_socket", "/run/keyd.sock",
	    "t", err, sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), 0);

	/* the derived path would not fit PATH_MAX */
	memset(dir, 'd', PATH_MAX - 4);
	dir[PATH_MAX - 4] = '\0';
	config_defaults(&c);
	assert_int_equal(config_set(&c, "state_dir", dir, "t", err,
	    sizeof(err)), 0);
	assert_int_equal(config_finish(&c, err, sizeof(err)), -1);
	assert_memory_equal(err, "tls_cert: the default path ", 27);
}

static void
test_finish_tls_off(void **state)
{
	static const struct {
		const char	*listen;
		int		 ok;
	} t[] = {
		{ "127.0.0.1:8443", 1 },
		{ "127.9.9.9:8443", 1 },
		{ "[::1]:8443", 1 },
		{ "[0:0:0:0:0:0:0:1]:8443", 1 },
		{ "localhost:8443", 1 },
		{ "0.0.0.0:8443", 0 },
		{ "[::]:8443", 0 },
		{ "10.0.0.1:8443", 0 },
		{ "128.0.0.1:8443", 0 },
	};
	struct config c;
	char err[CONFIG_ERR_MAX], want[CONFIG_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		config_defaults(&c);
		assert_int_equal(config_set(&c, "state_dir", "/s", "t", err,
		    sizeof(err)), 0);
		assert_int_equal(config_set(&c, "listen", t[i].listen, "t", err,
		    sizeof(err)), 0);
		/* with tls on, any address will do */
		assert_int_equal(config_finish(&c, err, sizeof(err)), 0);
		assert_int_equal(config_set(&c, "tls", "off", "t", err,
		    sizeof(err)), 0);
		if (t[i].ok) {
			if (config_finish(&c, err, sizeof(err)) != 0)
				fail_msg("%s: %s", t[i].listen, err);
			continue;
		}
		assert_int_equal(config_finish(&c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "tls = off is allowed only on a "
		    "loopback listen address; listen is %s: set listen = "
		    "127.0.0.1:8443 or tls = on", t[i].listen);
		assert_string_equal(err, want);
	}
}

static void
test_listen_split(void **state)
{
	static const struct {
		const char	*in;
		const char	*host;
		unsigned	 port;
	} good[] = {
		{ "127.0.0.1:8443", "127.0.0.1", 8443 },
		{ "0.0.0.0:1", "0.0.0.0", 1 },
		{ "localhost:65535", "localhost", 65535 },
		{ "keyd-1.example.com:443", "keyd-1.example.com", 443 },
		{ "[::1]:8443", "::1", 8443 },
		{ "[::]:80", "::", 80 },
		{ "[2001:db8::1]:443", "2001:db8::1", 443 },
		{ "[::ffff:127.0.0.1]:443", "::ffff:127.0.0.1", 443 },
	};
	static const char *const bad[] = {
		"", ":", ":8443", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:99999999999999999999",
		"127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1: 80",
		"127.0.0.1:80 ", " 127.0.0.1:80", "127.0.0.1:8a", "::1:8443",
		"::1", "[::1]", "[::1]:", "[::1]8443", "[]:80", "[::1]:0",
		"[127.0.0.1]:80", "[::1]:80:1", "[::1:80", "[::1]]:80",
		"[fe80::1%eth0]:80", "host name:80", "a_b:80", "a/b:80",
		"[[::1]]:80",
	};
	char host[256];
	unsigned port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (config_listen_split(good[i].in, host, sizeof(host),
		    &port) != 0)
			fail_msg("rejected \"%s\"", good[i].in);
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_listen_split(bad[i], host, sizeof(host), &port) != -1)
			fail_msg("accepted \"%s\"", bad[i]);

	/* the host must fit HOSTLEN with its NUL */
	assert_int_equal(config_listen_split("[::1]:1", host, 4, &port), 0);
	assert_int_equal(config_listen_split("[::1]:1", host, 3, &port), -1);
	assert_int_equal(config_listen_split("abc:1", host, 3, &port), -1);
}

static void
test_host_is_loopback(void **state)
{
	static const struct {
		const char	*host;
		int		 yes;
	} t[] = {
		{ "127.0.0.1", 1 }, { "127.255.255.254", 1 }, { "::1", 1 },
		{ "0::1", 1 }, { "localhost", 1 }, { "LOCALHOST", 1 },
		{ "0.0.0.0", 0 }, { "::", 0 }, { "126.0.0.1", 0 },
		{ "128.0.0.1", 0 }, { "127.1", 0 }, { "127.0.0.1.", 0 },
		{ "::2", 0 }, { "localhost.", 0 }, { "localhost6", 0 },
		{ "", 0 }, { "10.0.0.1", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (config_host_is_loopback(t[i].host) != t[i].yes)
			fail_msg("%s: want %d", t[i].host, t[i].yes);
}

/* public_url: a base URL clients reach keyd by; trailing slashes go;
 * nothing that would need escaping in a header or a JSON string. */
static void
test_public_url(void **state)
{
	static const struct {
		const char	*v;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "https://scim.example.com", "https://scim.example.com" },
		{ "https://scim.example.com/", "https://scim.example.com" },
		{ "http://10.0.0.1:8080/keyd//", "http://10.0.0.1:8080/keyd" },
		{ "https://[2001:db8::1]:8443/a_b~c/%7Ed",
		  "https://[2001:db8::1]:8443/a_b~c/%7Ed" },
		{ "ftp://scim.example.com", NULL },
		{ "scim.example.com", NULL },
		{ "https://", NULL },
		{ "https:///x", NULL },
		{ "https://h/x?y=1", NULL },
		{ "https://h/x#f", NULL },
		{ "https://h/\"x", NULL },
		{ "https://h/x y", NULL },
		{ "https://h/a\\b", NULL },
		{ "https://h//x", NULL },
	};
	struct config	c;
	char		err[CONFIG_ERR_MAX], big[300];
	size_t		i;
	int		r;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		config_defaults(&c);
		r = config_set(&c, "public_url", t[i].v, "x", err, sizeof(err));
		if (t[i].want == NULL) {
			if (r != -1)
				fail_msg("%s: accepted", t[i].v);
			assert_non_null(strstr(err, "public_url: bad URL"));
			assert_string_equal(c.public_url, "");
		} else {
			if (r != 0)
				fail_msg("%s: %s", t[i].v, err);
			assert_string_equal(c.public_url, t[i].want);
		}
	}
	config_defaults(&c);
	assert_string_equal(c.public_url, "");
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "https://", 8);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(config_set(&c, "public_url", big, "x", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 255 bytes"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_every_setting, setup,
		    teardown),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test_setup_teardown(test_later_line_wins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_comments_and_quotes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_file_and_line,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_length, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup,
		    teardown),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test_setup_teardown(test_override, setup, teardown),
		cmocka_unit_test(test_audit_settings),
		cmocka_unit_test(test_public_url),
		cmocka_unit_test(test_finish_derives_paths),
		cmocka_unit_test(test_finish_long_paths),
		cmocka_unit_test(test_finish_tls_off),
		cmocka_unit_test(test_listen_split),
		cmocka_unit_test(test_host_is_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
