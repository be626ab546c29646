/* keyd.conf: "name = value" lines and -o overrides, checked as a whole by
 * config_finish. */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyd/config.h"
#include "policy/units.h"

#define CONFIG_LINE_MAX		4096
#define CONFIG_AUDIT_CP_MAX	1000000
#define CONFIG_SHOW_MAX		128	/* bytes of a bad value echoed back */
#define CONFIG_TTL_MIN		1
#define CONFIG_TTL_MAX		(24 * 3600)
#define CONFIG_BODY_MIN		((uint64_t)1 << 10)
#define CONFIG_BODY_MAX		((uint64_t)64 << 20)
#define CONFIG_CONNECTIONS_MAX	65536
#define CONFIG_WORKERS_MAX	64

enum config_read {
	CONFIG_READ_LINE,
	CONFIG_READ_EOF,
	CONFIG_READ_LONG,
	CONFIG_READ_NUL,
	CONFIG_READ_ERROR
};

struct config_setting {
	const char	*name;
	int		(*parse)(struct config *, const char *, char *, size_t);
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8443");
	c->tls = 1;
	c->access_token_ttl = 15 * 60;
	c->max_body = (uint64_t)1 << 20;
	c->log_json = 0;
	c->max_connections = 1024;
	c->client_timeout = 30;
	c->audit_sync = 1;
	c->audit_cp_records = 1000;
	c->audit_cp_interval = 10;
	c->audit_retention = 90 * 24 * 3600;
}

/* Copy SRC whole or not at all: a silently cut path names another file. */
static int
config_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* Decimal digits only, at most MAX; no sign, no spaces, no empty string.
 * Checking against MAX after every digit also keeps v * 10 from wrapping,
 * as long as MAX is far below ULONG_MAX / 10 (it is at most 65535). */
static int
config_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int
config_path(char *dst, size_t dstlen, const char *value, char *why,
    size_t whylen)
{
	if (config_copy(dst, dstlen, value) == 0)
		return 0;
	snprintf(why, whylen, "path is longer than %zu bytes", dstlen - 1);
	return -1;
}

static int
config_parse_state_dir(struct config *c, const char *v, char *why, size_t n)
{
	return config_path(c->state_dir, sizeof(c->state_dir), v, why, n);
}

static int
config_parse_tls_cert(struct config *c, const char *v, char *why, size_t n)
{
	return config_path(c->tls_cert, sizeof(c->tls_cert), v, why, n);
}

static int
config_parse_tls_key(struct config *c, const char *v, char *why, size_t n)
{
	return config_path(c->tls_key, sizeof(c->tls_key), v, why, n);
}

static int
config_parse_admin_socket(struct config *c, const char *v, char *why,
    size_t n)
{
	return config_path(c->admin_socket, sizeof(c->admin_socket), v, why,
	    n);
}

static int
config_parse_store(struct config *c, const char *v, char *why, size_t n)
{
	return config_path(c->store, sizeof(c->store), v, why, n);
}

static int
config_parse_listen(struct config *c, const char *v, char *why, size_t n)
{
	char host[sizeof(c->listen)];
	unsigned char addr[sizeof(struct in6_addr)];
	unsigned port;

	/* An address, not a name: keyd never resolves what it binds to. */
	if (config_listen_split(v, host, sizeof(host), &port) == -1 ||
	    (strcmp(host, "localhost") != 0 &&
	    inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1) ||
	    config_copy(c->listen, sizeof(c->listen), v) == -1) {
		snprintf(why, n, "bad address \"%.*s\" (use an IP address and "
		    "port, as in 127.0.0.1:8443 or [::1]:8443)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	return 0;
}

static int
config_parse_tls(struct config *c, const char *v, char *why, size_t n)
{
	static const char *const on[] = { "on", "yes", "true", "1" };
	static const char *const off[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (strcmp(v, on[i]) == 0) {
			c->tls = 1;
			return 0;
		}
		if (strcmp(v, off[i]) == 0) {
			c->tls = 0;
			return 0;
		}
	}
	snprintf(why, n, "bad boolean \"%.*s\" (use on or off)",
	    CONFIG_SHOW_MAX, v);
	return -1;
}

static int
config_parse_root_key(struct config *c, const char *v, char *why, size_t n)
{
	if (strcmp(v, "passphrase") != 0 &&
	    (strncmp(v, "file:", 5) != 0 || v[5] == '\0')) {
		snprintf(why, n, "bad value \"%.*s\" (use file:PATH or "
		    "passphrase)", CONFIG_SHOW_MAX, v);
		return -1;
	}
	if (config_copy(c->root_key, sizeof(c->root_key), v) == -1) {
		snprintf(why, n, "value is longer than %zu bytes",
		    sizeof(c->root_key) - 1);
		return -1;
	}
	return 0;
}

static int
config_parse_ttl(struct config *c, const char *v, char *why, size_t n)
{
	int64_t secs;

	if (units_parse_duration(v, &secs) == -1) {
		snprintf(why, n, "bad duration \"%.*s\" (use a unit: s, m, h, "
		    "d)", CONFIG_SHOW_MAX, v);
		return -1;
	}
	if (secs < CONFIG_TTL_MIN || secs > CONFIG_TTL_MAX) {
		snprintf(why, n, "%.*s is out of range (1s to 24h)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	c->access_token_ttl = secs;
	return 0;
}

static int
config_parse_max_body(struct config *c, const char *v, char *why, size_t n)
{
	uint64_t bytes;

	if (units_parse_size(v, &bytes) == -1) {
		snprintf(why, n, "bad size \"%.*s\" (use a unit: B, KiB, MiB)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	if (bytes < CONFIG_BODY_MIN || bytes > CONFIG_BODY_MAX) {
		snprintf(why, n, "%.*s is out of range (1KiB to 64MiB)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	c->max_body = bytes;
	return 0;
}

static int
config_parse_log_format(struct config *c, const char *v, char *why,
    size_t n)
{
	if (strcmp(v, "text") == 0)
		c->log_json = 0;
	else if (strcmp(v, "json") == 0)
		c->log_json = 1;
	else {
		snprintf(why, n, "bad value \"%.*s\" (use text or json)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	return 0;
}

static int
config_parse_workers(struct config *c, const char *v, char *why, size_t n)
{
	unsigned long m;

	if (config_uint(v, CONFIG_WORKERS_MAX, &m) == -1) {
		snprintf(why, n, "bad number \"%.*s\" (use 0, one per CPU, "
		    "or 1 to %d)", CONFIG_SHOW_MAX, v, CONFIG_WORKERS_MAX);
		return -1;
	}
	c->workers = (int)m;
	return 0;
}

static int
config_parse_max_connections(struct config *c, const char *v, char *why,
    size_t n)
{
	unsigned long m;

	if (config_uint(v, CONFIG_CONNECTIONS_MAX, &m) == -1 || m == 0) {
		snprintf(why, n, "bad number \"%.*s\" (use 1 to %d)",
		    CONFIG_SHOW_MAX, v, CONFIG_CONNECTIONS_MAX);
		return -1;
	}
	c->max_connections = (int)m;
	return 0;
}

static int
config_parse_metrics(struct config *c, const char *v, char *why, size_t n)
{
	if (strcmp(v, "local") == 0)
		c->metrics = CONFIG_METRICS_LOCAL;
	else if (strcmp(v, "on") == 0)
		c->metrics = CONFIG_METRICS_ON;
	else if (strcmp(v, "off") == 0)
		c->metrics = CONFIG_METRICS_OFF;
	else {
		snprintf(why, n, "bad value \"%.*s\" (use local, on or off)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	return 0;
}

/* scheme://host[:port][/path], as clients reach keyd (through a load
 * balancer, say): the base of the URLs keyd writes into answers. Only
 * characters that need no escaping in a header or a JSON string. */
static int
config_parse_public_url(struct config *c, const char *v, char *why, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~:[]/%";
	const char	*host;
	size_t		 len = strlen(v);

	host = strncmp(v, "https://", 8) == 0 ? v + 8 :
	    strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;
	while (host != NULL && len > (size_t)(host - v) && v[len - 1] == '/')
		len--;
	if (host == NULL || *host == '\0' || *host == '/' ||
	    strspn(v, ok) != strlen(v) ||
	    memmem(host, len - (size_t)(host - v), "//", 2) != NULL) {
		snprintf(why, n, "bad URL \"%.*s\" (use https://host[:port]"
		    "[/path], without a query)", CONFIG_SHOW_MAX, v);
		return -1;
	}
	if (len >= sizeof(c->public_url)) {
		snprintf(why, n, "the URL is longer than %zu bytes",
		    sizeof(c->public_url) - 1);
		return -1;
	}
	memcpy(c->public_url, v, len);
	c->public_url[len] = '\0';
	return 0;
}

static int
config_parse_audit_path(struct config *c, const char *v, char *why, size_t n)
{
	return config_path(c->audit_path, sizeof(c->audit_path), v, why, n);
}

static int
config_parse_audit_sync(struct config *c, const char *v, char *why, size_t n)
{
	if (strcmp(v, "on") == 0)
		c->audit_sync = 1;
	else if (strcmp(v, "off") == 0)
		c->audit_sync = 0;
	else {
		snprintf(why, n, "bad value \"%.*s\" (use on or off)",
		    CONFIG_SHOW_MAX, v);
		return -1;
	}
	return 0;
}

static int
config_parse_audit_cp_records(struct config *c, const char *v, char *why,
    size_t n)
{
	unsigned long r;

	if (config_uint(v, CONFIG_AUDIT_CP_MAX, &r) == -1 || r == 0) {
		snprintf(why, n, "bad number \"%.*s\" (use 1 to %d)",
		    CONFIG_SHOW_MAX, v, CONFIG_AUDIT_CP_MAX);
		return -1;
	}
	c->audit_cp_records = (int64_t)r;
	return 0;
}

/* A duration from MIN to MAX seconds into *OUT. */
static int
config_duration(const char *v, int64_t min, int64_t max, const char *range,
    int64_t *out, char *why, size_t n)
{
	int64_t secs;

	if (units_parse_duration(v, &secs) == -1) {
		snprintf(why, n, "bad duration \"%.*s\" (use a unit: s, m, h, "
		    "d)", CONFIG_SHOW_MAX, v);
		return -1;
	}
	if (secs < min || secs > max) {
		snprintf(why, n, "%.*s is out of range (%s)", CONFIG_SHOW_MAX,
		    v, range);
		return -1;
	}
	*out = secs;
	return 0;
}

static int
config_parse_audit_cp_interval(struct config *c, const char *v, char *why,
    size_t n)
{
	return config_duration(v, 1, 24 * 3600, "1s to 24h",
	    &c->audit_cp_interval, why, n);
}

static int
config_parse_client_timeout(struct config *c, const char *v, char *why,
    size_t n)
{
	return config_duration(v, 1, 3600, "1s to 1h", &c->client_timeout,
	    why, n);
}

static int
config_parse_audit_retention(struct config *c, const char *v, char *why,
    size_t n)
{
	if (strcmp(v, "off") == 0) {
		c->audit_retention = 0;
		return 0;
	}
	return config_duration(v, 1, (int64_t)100 * 365 * 24 * 3600,
	    "1s to 100 years, or off", &c->audit_retention, why, n);
}

static const struct config_setting config_settings[] = {
	{ "state_dir",		config_parse_state_dir },
	{ "listen",		config_parse_listen },
	{ "tls",		config_parse_tls },
	{ "tls_cert",		config_parse_tls_cert },
	{ "tls_key",		config_parse_tls_key },
	{ "admin_socket",	config_parse_admin_socket },
	{ "root_key",		config_parse_root_key },
	{ "store",		config_parse_store },
	{ "access_token_ttl",	config_parse_ttl },
	{ "max_body",		config_parse_max_body },
	{ "log_format",		config_parse_log_format },
	{ "max_connections",	config_parse_max_connections },
	{ "client_timeout",	config_parse_client_timeout },
	{ "workers",		config_parse_workers },
	{ "metrics",		config_parse_metrics },
	{ "public_url",		config_parse_public_url },
	{ "audit_path",		config_parse_audit_path },
	{ "audit_sync",		config_parse_audit_sync },
	{ "audit_checkpoint_records", config_parse_audit_cp_records },
	{ "audit_checkpoint_interval", config_parse_audit_cp_interval },
	{ "audit_retention",	config_parse_audit_retention },
};

int
config_set(struct config *c, const char *name, const char *value,
    const char *where, char *err, size_t errlen)
{
	char why[CONFIG_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(config_settings) / sizeof(config_settings[0]);
	    i++)
		if (strcmp(name, config_settings[i].name) == 0)
			break;
	if (i == sizeof(config_settings) / sizeof(config_settings[0])) {
		snprintf(err, errlen, "%s: unknown setting \"%.*s\"", where,
		    CONFIG_SHOW_MAX, name);
		return -1;
	}
	if (*value == '\0') {
		snprintf(err, errlen, "%s: %s: empty value", where, name);
		return -1;
	}
	if (config_settings[i].parse(c, value, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s: %s", where, name, why);
		return -1;
	}
	return 0;
}

static char *
config_trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Split LINE in place into NAME and VALUE. Returns 0, 1 for a line with
 * nothing but blanks and comments, or -1 with a static reason in *WHY. */
static int
config_split(char *line, char **name, char **value, const char **why)
{
	char *eq, *v;
	size_t n;

	/* '#' ends the line wherever it is, quotes included: values never
	 * need one, and one rule is easier to read than two. */
	if ((eq = strchr(line, '#')) != NULL)
		*eq = '\0';
	line = config_trim(line);
	if (*line == '\0')
		return 1;
	if ((eq = strchr(line, '=')) == NULL) {
		*why = "expected \"name = value\"";
		return -1;
	}
	*eq = '\0';
	*name = config_trim(line);
	v = config_trim(eq + 1);
	if (**name == '\0') {
		*why = "missing setting name before '='";
		return -1;
	}
	n = strlen(v);
	if (n > 0 && v[0] == '"') {
		if (n < 2 || v[n - 1] != '"') {
			*why = "unterminated quote in value";
			return -1;
		}
		v[n - 1] = '\0';
		v++;
	}
	*value = v;
	return 0;
}

/* One line into BUF (at most CONFIG_LINE_MAX bytes plus NUL), without its
 * newline. getc rather than fgets so that a NUL byte is seen, not taken
 * for the end of the line. */
static enum config_read
config_read_line(FILE *fp, char buf[CONFIG_LINE_MAX + 1])
{
	size_t n = 0;
	int ch;

	while ((ch = getc(fp)) != EOF && ch != '\n') {
		if (ch == '\0')
			return CONFIG_READ_NUL;
		if (n == CONFIG_LINE_MAX)
			return CONFIG_READ_LONG;
		buf[n++] = (char)ch;
	}
	if (ferror(fp))
		return CONFIG_READ_ERROR;
	if (ch == EOF && n == 0)
		return CONFIG_READ_EOF;
	buf[n] = '\0';
	return CONFIG_READ_LINE;
}

static int
config_line(struct config *c, char *line, const char *where, char *err,
    size_t errlen)
{
	char *name, *value;
	const char *why;
	int r;

	if ((r = config_split(line, &name, &value, &why)) == 1)
		return 0;
	if (r == -1) {
		snprintf(err, errlen, "%s: %s", where, why);
		return -1;
	}
	return config_set(c, name, value, where, err, errlen);
}

int
config_load_file(struct config *c, const char *path, char *err,
    size_t errlen)
{
	FILE *fp = NULL;
	char line[CONFIG_LINE_MAX + 1], where[PATH_MAX + 32];
	unsigned long lineno = 0;
	enum config_read r;
	int rc = -1;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		goto out;
	}
	while ((r = config_read_line(fp, line)) != CONFIG_READ_EOF) {
		snprintf(where, sizeof(where), "%s:%lu", path, ++lineno);
		if (r == CONFIG_READ_ERROR) {
			snprintf(err, errlen, "%s: read error: %s", where,
			    strerror(errno));
			goto out;
		}
		if (r == CONFIG_READ_LONG) {
			snprintf(err, errlen, "%s: line is longer than %d "
			    "bytes", where, CONFIG_LINE_MAX);
			goto out;
		}
		if (r == CONFIG_READ_NUL) {
			snprintf(err, errlen, "%s: line contains a NUL byte",
			    where);
			goto out;
		}
		if (config_line(c, line, where, err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	return rc;
}

int
config_override(struct config *c, const char *assignment, char *err,
    size_t errlen)
{
	char line[CONFIG_LINE_MAX + 1], where[CONFIG_SHOW_MAX + 8];
	char *name, *value;
	const char *why;
	int r;

	if (config_copy(line, sizeof(line), assignment) == -1) {
		snprintf(err, errlen, "-o: longer than %d bytes",
		    CONFIG_LINE_MAX);
		return -1;
	}
	if ((r = config_split(line, &name, &value, &why)) != 0) {
		snprintf(err, errlen, "-o: %s", r == 1 ?
		    "expected name=value" : why);
		return -1;
	}
	snprintf(where, sizeof(where), "-o");
	return config_set(c, name, value, where, err, errlen);
}

/* DIR/FILE into DST, unless DST is already set. */
static int
config_derive(char *dst, size_t dstlen, const char *dir, const char *file,
    const char *name, char *err, size_t errlen)
{
	size_t dlen = strlen(dir);
	int n;

	if (*dst != '\0')
		return 0;
	while (dlen > 0 && dir[dlen - 1] == '/')
		dlen--;
	n = snprintf(dst, dstlen, "%.*s/%s", (int)dlen, dir, file);
	if (n < 0 || (size_t)n >= dstlen) {
		*dst = '\0';
		snprintf(err, errlen, "%s: the default path %s/%s is too "
		    "long; set %s explicitly", name, dir, file, name);
		return -1;
	}
	return 0;
}

static int
config_derive_paths(struct config *c, char *err, size_t errlen)
{
	char rk[PATH_MAX];

	if (config_derive(c->tls_cert, sizeof(c->tls_cert), c->state_dir,
	    "tls/cert.pem", "tls_cert", err, errlen) == -1 ||
	    config_derive(c->tls_key, sizeof(c->tls_key), c->state_dir,
	    "tls/key.pem", "tls_key", err, errlen) == -1 ||
	    config_derive(c->admin_socket, sizeof(c->admin_socket),
	    c->state_dir, "keyd.sock", "admin_socket", err, errlen) == -1 ||
	    config_derive(c->store, sizeof(c->store), c->state_dir,
	    "keyd.db", "store", err, errlen) == -1 ||
	    config_derive(c->audit_path, sizeof(c->audit_path), c->state_dir,
	    "audit.db", "audit_path", err, errlen) == -1)
		return -1;
	if (*c->root_key != '\0')
		return 0;
	/* root_key has room for "file:" and any PATH_MAX path. */
	rk[0] = '\0';
	if (config_derive(rk, sizeof(rk), c->state_dir, "root.key",
	    "root_key", err, errlen) == -1)
		return -1;
	snprintf(c->root_key, sizeof(c->root_key), "file:%s", rk);
	return 0;
}

static int
config_check_socket(const struct config *c, char *err, size_t errlen)
{
	struct sockaddr_un sa;

	if (strlen(c->admin_socket) < sizeof(sa.sun_path))
		return 0;
	snprintf(err, errlen, "admin_socket: %s is longer than %zu bytes, the "
	    "limit for a Unix socket path; set admin_socket to a shorter path",
	    c->admin_socket, sizeof(sa.sun_path) - 1);
	return -1;
}

static int
config_check_tls(const struct config *c, char *err, size_t errlen)
{
	char host[sizeof(c->listen)];
	unsigned port;

	if (config_listen_split(c->listen, host, sizeof(host), &port) == -1) {
		snprintf(err, errlen, "listen: bad address \"%s\"", c->listen);
		return -1;
	}
	if (c->tls || config_host_is_loopback(host))
		return 0;
	snprintf(err, errlen, "tls = off is allowed only on a loopback listen "
	    "address; listen is %s: set listen = 127.0.0.1:%u or tls = on",
	    c->listen, port);
	return -1;
}

int
config_finish(struct config *c, char *err, size_t errlen)
{
	if (*c->state_dir == '\0') {
		snprintf(err, errlen, "state_dir is not set; set it in keyd.conf "
		    "or with -o state_dir=PATH");
		return -1;
	}
	if (config_derive_paths(c, err, errlen) == -1 ||
	    config_check_socket(c, err, errlen) == -1 ||
	    config_check_tls(c, err, errlen) == -1)
		return -1;
	return 0;
}

/* Hostnames and IPv4 literals: ASCII letters, digits, '.', '-'. A bare ':'
 * means an unbracketed IPv6 address, which is ambiguous with the port. */
static int
config_host_ok(const char *h, size_t n)
{
	size_t i;
	char ch;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		ch = h[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

int
config_listen_split(const char *listen, char *host, size_t hostlen,
    unsigned *port)
{
	char h[256];
	struct in6_addr a6;
	const char *p, *end;
	unsigned long v;
	size_t n;

	if (*listen == '[') {
		if ((end = strchr(listen, ']')) == NULL || end[1] != ':')
			return -1;
		p = listen + 1;
		n = (size_t)(end - p);
	} else {
		if ((end = strrchr(listen, ':')) == NULL)
			return -1;
		p = listen;
		n = (size_t)(end - p);
		if (!config_host_ok(p, n))
			return -1;
	}
	if (n == 0 || n >= sizeof(h) || n >= hostlen)
		return -1;
	memcpy(h, p, n);
	h[n] = '\0';
	if (*listen == '[' && inet_pton(AF_INET6, h, &a6) != 1)
		return -1;
	if (config_uint(end + (*listen == '[' ? 2 : 1), 65535, &v) == -1 ||
	    v == 0)
		return -1;
	memcpy(host, h, n + 1);
	*port = (unsigned)v;
	return 0;
}

int
config_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}
