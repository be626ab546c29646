/* Starting and stopping the listener: the listening socket, the TLS
 * certificate and key (GnuTLS credentials shared by every connection),
 * the workers, each watching that socket, and the blocking pool. */
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <sodium.h>

#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/proxy.h"
#include "keyd/server.h"
#include "keyd/server_int.h"

#define PEM_MAX		(64 * 1024)
/* TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy only (no CBC,
 * no static RSA key exchange: Mozilla's "intermediate" set), in the
 * server's order of preference */
#define TLS_PRIORITY	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
			"-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:" \
			"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:" \
			"+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"


/* Read a PEM file (bounded) into a NUL-terminated buffer from ALLOC. */
static char *
pem_read(const char *path, int secret, char *err, size_t errlen)
{
	char	*buf;
	ssize_t	 n, total = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = secret ? sodium_malloc(PEM_MAX) : malloc(PEM_MAX);
	while (buf != NULL && total < PEM_MAX - 1 &&
	    (n = read(fd, buf + total, (size_t)(PEM_MAX - 1 - total))) > 0)
		total += n;
	close(fd);
	if (buf == NULL || total == 0 || total >= PEM_MAX - 1) {
		snprintf(err, errlen, "cannot read %s: empty, unreadable or "
		    "larger than 64 KiB", path);
		if (buf != NULL)
			secret ? sodium_free(buf) : free(buf);
		return NULL;
	}
	buf[total] = '\0';
	return buf;
}

static int
listen_addr(const char *listen, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
	struct sockaddr_in	*v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*v6 = (struct sockaddr_in6 *)ss;
	char			 host[256];
	unsigned		 port;

	memset(ss, 0, sizeof(*ss));
	if (config_listen_split(listen, host, sizeof(host), &port) == -1)
		goto bad;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return 0;
	}
bad:
	snprintf(err, errlen, "listen = %s: use an IP address and port, as in "
	    "127.0.0.1:8443 or [::1]:8443", listen);
	return -1;
}


static int
listen_open(const struct sockaddr_storage *ss, char *err, size_t errlen)
{
	socklen_t	len = ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int		fd, on = 1;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(fd, (const struct sockaddr *)ss, len) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot listen: %s", strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* The certificate and key every TLS connection uses; the key's PEM is
 * wiped once GnuTLS has it. */
static int
tls_setup(struct server *s, char *err, size_t errlen)
{
	gnutls_datum_t	 cd, kd;
	char		*cert, *key;
	int		 rc = -1, e;

	if ((cert = pem_read(s->k->cfg.tls_cert, 0, err, errlen)) == NULL)
		return -1;
	if ((key = pem_read(s->k->cfg.tls_key, 1, err, errlen)) == NULL)
		goto out;
	cd.data = (unsigned char *)cert;
	cd.size = (unsigned)strlen(cert);
	kd.data = (unsigned char *)key;
	kd.size = (unsigned)strlen(key);
	if ((e = gnutls_certificate_allocate_credentials(&s->cred)) < 0 ||
	    (e = gnutls_certificate_set_x509_key_mem2(s->cred, &cd, &kd,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0 ||
	    (e = gnutls_priority_init(&s->prio, TLS_PRIORITY, NULL)) < 0 ||
	    (e = gnutls_session_ticket_key_generate(&s->ticket_key)) < 0) {
		snprintf(err, errlen, "cannot use the TLS certificate %s and "
		    "key %s: %s", s->k->cfg.tls_cert, s->k->cfg.tls_key,
		    gnutls_strerror(e));
		goto out;
	}
	rc = 0;
out:
	free(cert);
	if (key != NULL)
		sodium_free(key);
	return rc;
}

/* Every client and upstream connection is a descriptor: raise the soft
 * limit to the hard one, and say so when max_connections still cannot
 * be reached (past the limit, workers pause accepting for a moment). */
static void
files_limit(const struct keyd *k)
{
	struct rlimit	rl;
	rlim_t		want = (rlim_t)k->cfg.max_connections * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want)
		log_event(LOG_WARN, "server.files", "max_connections = %d "
		    "needs about %llu open files (a client and an upstream "
		    "connection each), and the limit is %llu: raise it "
		    "(LimitNOFILE=, ulimit -n) or lower max_connections",
		    k->cfg.max_connections, (unsigned long long)want,
		    (unsigned long long)rl.rlim_cur);
}

static size_t
workers_count(const struct keyd *k)
{
	long n;

	if (k->cfg.workers > 0)
		return (size_t)k->cfg.workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (size_t)n;
}

static int
workers_start(struct server *s, char *err, size_t errlen)
{
	size_t i;

	s->nw = workers_count(s->k);
	if ((s->w = calloc(s->nw, sizeof(*s->w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->nw; i++) {
		if (worker_init(s, &s->w[i], i, err, errlen) == -1)
			return -1;
		s->w[i].max_conns = (size_t)((s->k->cfg.max_connections +
		    (int)s->nw - 1) / (int)s->nw);
		if (s->w[i].max_conns == 0)
			s->w[i].max_conns = 1;
		if ((s->w[i].listen_fd = fcntl(s->listen_fd, F_DUPFD_CLOEXEC,
		    0)) == -1) {
			snprintf(err, errlen, "cannot listen on %s: %s",
			    s->k->cfg.listen, strerror(errno));
			return -1;
		}
		if (worker_start(&s->w[i]) == -1) {
			snprintf(err, errlen, "cannot start worker %zu", i);
			return -1;
		}
	}
	return 0;
}

int
server_start(struct keyd *k, struct server **sp, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	struct server		*s;
	char			 why[128];

	*sp = NULL;
	if (listen_addr(k->cfg.listen, &ss, err, errlen) == -1)
		return -1;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->k = k;
	s->listen_fd = -1;
	if (proxy_new(&s->proxy) == -1) {
		snprintf(err, errlen, "cannot set up the proxy (libcurl)");
		goto fail;
	}
	if (k->cfg.tls && tls_setup(s, err, errlen) == -1)
		goto fail;
	if ((s->listen_fd = listen_open(&ss, why, sizeof(why))) == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s", k->cfg.listen,
		    why + strlen("cannot listen: "));
		goto fail;
	}
	files_limit(k);
	if (pool_start(s) == -1) {
		snprintf(err, errlen, "cannot start the listener's threads");
		goto fail;
	}
	if (workers_start(s, err, errlen) == -1)
		goto fail;
	*sp = s;
	return 0;
fail:
	server_stop(&s, 0);
	return -1;
}

void
server_stop(struct server **sp, int grace_ms)
{
	struct server	*s;
	size_t		 i;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	s->grace_ms = grace_ms;
	for (i = 0; i < s->nw; i++)
		worker_stop(&s->w[i]);
	for (i = 0; i < s->nw; i++)
		worker_join(&s->w[i]);
	pool_stop(s);
	free(s->w);
	if (s->listen_fd != -1)
		close(s->listen_fd);
	proxy_free(&s->proxy);
	if (s->prio != NULL)
		gnutls_priority_deinit(s->prio);
	if (s->cred != NULL)
		gnutls_certificate_free_credentials(s->cred);
	if (s->ticket_key.data != NULL) {
		gnutls_memset(s->ticket_key.data, 0, s->ticket_key.size);
		gnutls_free(s->ticket_key.data);
	}
	free(s);
	*sp = NULL;
}
