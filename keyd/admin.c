/* Admin transport: a Unix socket, one JSON request line per connection.
 * Access is by peer uid (SO_PEERCRED): keyd's own uid or root. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/admin.h"
#include "keyd/admin_int.h"
#include "keyd/keyd.h"
#include "keyd/log.h"

#define ADMIN_REQ_MAX	(1024 * 1024)
#define ADMIN_IO_TIMEOUT_S 10

struct admin {
	struct keyd	*k;
	int		 fd;
	int		 stop_pipe[2];
	pthread_t	 thread;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int
peer_allowed(int fd, uid_t *uid)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return 0;
	*uid = cred.uid;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Read one line (without the newline) into a malloc'd, wiped-on-free
 * buffer; NULL on error, EOF before a newline, or past ADMIN_REQ_MAX. */
static char *
read_line(int fd, size_t *len)
{
	char	*buf;
	size_t	 n = 0;
	ssize_t	 r;

	if ((buf = sodium_malloc(ADMIN_REQ_MAX + 1)) == NULL)
		return NULL;
	while (n < ADMIN_REQ_MAX) {
		r = read(fd, buf + n, ADMIN_REQ_MAX - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(buf + n - (size_t)r, '\n', (size_t)r) != NULL)
			break;
	}
	if (n == 0 || memchr(buf, '\n', n) == NULL) {
		sodium_free(buf);
		return NULL;
	}
	*len = (size_t)((char *)memchr(buf, '\n', n) - buf);
	buf[*len] = '\0';
	return buf;
}

static void
write_all(int fd, const char *s, size_t len)
{
	ssize_t r;

	while (len > 0 && (r = write(fd, s, len)) > 0) {
		s += r;
		len -= (size_t)r;
	}
}

static json_t *
reply_error(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static void
serve_one(struct admin *a, int fd)
{
	struct timeval	 tv = { ADMIN_IO_TIMEOUT_S, 0 };
	json_error_t	 jerr;
	json_t		*req = NULL, *rep;
	char		*line = NULL, *out;
	size_t		 len;
	uid_t		 uid = (uid_t)-1;
	char		 who[32];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!peer_allowed(fd, &uid)) {
		log_event(LOG_WARN, "admin.denied", "peer uid %ld is neither "
		    "keyd's nor root", (long)uid);
		admin_audit_denied(a->k, (long)uid);
		rep = reply_error("permission denied: connect as keyd's user "
		    "or root");
	} else if ((line = read_line(fd, &len)) == NULL)
		rep = reply_error("send one JSON request line, at most 1 MiB, "
		    "ending in a newline");
	else if ((req = json_loadb(line, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		rep = reply_error("the request is not valid JSON");
	else {
		snprintf(who, sizeof(who), "uid:%ld", (long)uid);
		admin_audit_peer(who);
		rep = admin_dispatch(a->k, req);
	}
	if (rep != NULL && (out = json_dumps(rep, JSON_COMPACT)) != NULL) {
		write_all(fd, out, strlen(out));
		write_all(fd, "\n", 1);
		sodium_memzero(out, strlen(out));	/* may hold a new key */
		free(out);
	}
	json_decref(rep);
	json_decref(req);
	if (line != NULL)
		sodium_free(line);
}

static void *
admin_loop(void *arg)
{
	struct admin	*a = arg;
	struct pollfd	 pfd[2];
	int		 c;

	(void)pthread_setname_np(pthread_self(), "keyd-admin");
	pfd[0].fd = a->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = a->stop_pipe[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if ((c = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		serve_one(a, c);
		close(c);
	}
	return NULL;
}

/* A socket file that nobody answers on is left over from a crash. */
static int
socket_stale(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, stale;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	stale = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int
admin_bind(struct admin *a, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			r;

	if (socket_stale(a->path))
		unlink(a->path);
	if ((a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->path, sizeof(sun.sun_path));
	old = umask(0177);	/* born 0600: no window where others connect */
	r = bind(a->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || chmod(a->path, 0600) == -1 || listen(a->fd, 16) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on admin socket %s: %s%s",
	    a->path, strerror(errno), errno == EADDRINUSE ?
	    " (is another keyd running?)" : "");
	return -1;
}

int
admin_start(struct keyd *k, struct admin **ap, char *err, size_t errlen)
{
	struct admin *a;

	*ap = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->k = k;
	a->fd = a->stop_pipe[0] = a->stop_pipe[1] = -1;
	if (strlen(k->cfg.admin_socket) >= sizeof(a->path)) {
		snprintf(err, errlen, "admin_socket %s is longer than a Unix "
		    "socket path may be (%zu bytes)", k->cfg.admin_socket,
		    sizeof(a->path) - 1);
		goto fail;
	}
	memcpy(a->path, k->cfg.admin_socket, strlen(k->cfg.admin_socket) + 1);
	if (admin_bind(a, err, errlen) == -1)
		goto fail;
	if (pipe2(a->stop_pipe, O_CLOEXEC) == -1 ||
	    pthread_create(&a->thread, NULL, admin_loop, a) != 0) {
		snprintf(err, errlen, "cannot start the admin thread");
		goto fail;
	}
	*ap = a;
	return 0;
fail:
	if (a->fd != -1)
		close(a->fd);
	if (a->stop_pipe[0] != -1) {
		close(a->stop_pipe[0]);
		close(a->stop_pipe[1]);
	}
	free(a);
	return -1;
}

void
admin_stop(struct admin **ap)
{
	struct admin *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	write_all(a->stop_pipe[1], "x", 1);
	pthread_join(a->thread, NULL);
	close(a->fd);
	close(a->stop_pipe[0]);
	close(a->stop_pipe[1]);
	unlink(a->path);
	free(a);
	*ap = NULL;
}
