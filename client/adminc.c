/* Admin socket client: connect, send one JSON line, read one JSON line,
 * all inside one 30 s deadline and a 1 MiB bound each way. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "client/adminc.h"

/* Every block jansson hands out carries its size in front, so that
 * adminc_free can wipe it whole. The union keeps malloc's alignment. */
union adminc_hdr {
	size_t		size;
	max_align_t	align;
};

static void *
adminc_malloc(size_t size)
{
	union adminc_hdr	*h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	if ((h = malloc(sizeof(*h) + size)) == NULL)
		return NULL;
	h->size = size;
	return h + 1;
}

static void
adminc_free(void *p)
{
	union adminc_hdr	*h;

	if (p == NULL)
		return;
	h = (union adminc_hdr *)p - 1;
	sodium_memzero(p, h->size);
	free(h);
}

void
adminc_init(void)
{
	json_set_alloc_funcs(adminc_malloc, adminc_free);
}

static void
adminc_deadline(struct timespec *deadline)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += ADMINC_TIMEOUT_MS / 1000;
}

/* Milliseconds left before DEADLINE, 0 once it has passed. */
static int
adminc_left(const struct timespec *deadline)
{
	struct timespec	now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms < 0)
		return 0;
	if (ms > ADMINC_TIMEOUT_MS)
		return ADMINC_TIMEOUT_MS;
	return (int)ms;
}

/* Wait until FD is ready for EVENTS. POLLHUP and POLLERR count as ready:
 * the next send or recv reports what happened. */
static enum adminc_err
adminc_wait(int fd, short events, const struct timespec *deadline,
    char *err, size_t errlen)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = fd;
	pfd.events = events;
	for (;;) {
		pfd.revents = 0;
		n = poll(&pfd, 1, adminc_left(deadline));
		if (n > 0)
			return ADMINC_OK;
		if (n == 0) {
			snprintf(err, errlen, "keyd did not answer within %d s",
			    ADMINC_TIMEOUT_MS / 1000);
			return ADMINC_ETIMEOUT;
		}
		if (errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return ADMINC_EIO;
		}
	}
}

/* OP and ARGS as one compact JSON line. Compact output escapes control
 * characters inside strings, so the only '\n' is the one we append. */
static enum adminc_err
adminc_request(const char *op, json_t *args, char **buf, size_t *len,
    char *err, size_t errlen)
{
	json_t		*req = NULL;
	size_t		 n;
	enum adminc_err	 rc = ADMINC_ENOMEM;

	*buf = NULL;
	if (args != NULL)
		req = json_pack("{s:s, s:O}", "op", op, "args", args);
	else
		req = json_pack("{s:s, s:{}}", "op", op, "args");
	if (req == NULL) {
		snprintf(err, errlen, "cannot encode the request for %s", op);
		goto out;
	}
	n = json_dumpb(req, NULL, 0, JSON_COMPACT);
	if (n == 0 || n >= ADMINC_LINE_MAX) {
		snprintf(err, errlen, "request for %s is over %d bytes", op,
		    ADMINC_LINE_MAX);
		rc = ADMINC_ETOOBIG;
		goto out;
	}
	if ((*buf = malloc(n + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	json_dumpb(req, *buf, n, JSON_COMPACT);
	(*buf)[n] = '\n';
	*len = n + 1;
	rc = ADMINC_OK;
out:
	json_decref(req);
	return rc;
}

static enum adminc_err
adminc_connect(const char *path, int *fdp, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { ADMINC_TIMEOUT_MS / 1000, 0 };
	size_t			 len = strlen(path);
	int			 fd = -1;
	enum adminc_err		 rc = ADMINC_ECONNECT;

	if (len > ADMINC_PATH_MAX) {
		snprintf(err, errlen, "cannot connect to %s: path is longer "
		    "than %zu bytes", path, ADMINC_PATH_MAX);
		goto out;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		rc = ADMINC_EIO;
		goto out;
	}
	/* connect(2) on a Unix socket blocks while keyd's backlog is full. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EACCES || errno == EPERM)
			rc = ADMINC_EACCESS;
		snprintf(err, errlen, "cannot connect to %s: %s", path,
		    strerror(errno));
		goto out;
	}
	*fdp = fd;
	fd = -1;
	rc = ADMINC_OK;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

/* A failed send is not the end: keyd may have refused us with a line
 * and closed before reading all of ours, so the caller reads anyway. */
static void
adminc_send(int fd, const char *buf, size_t len,
    const struct timespec *deadline)
{
	char	ignored[1];
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		if (adminc_wait(fd, POLLOUT, deadline, ignored,
		    sizeof(ignored)) != ADMINC_OK)
			return;
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		off += (size_t)n;
	}
	/* A server that reads to EOF rather than to '\n' still answers. */
	(void)shutdown(fd, SHUT_WR);
}

/* Read up to the first '\n' (or EOF) into BUF, at most ADMINC_LINE_MAX
 * bytes; *GOT counts every byte written to BUF, for the wipe. */
static enum adminc_err
adminc_recv(int fd, char *buf, size_t *linelen, size_t *got,
    const struct timespec *deadline, char *err, size_t errlen)
{
	const char	*nl;
	ssize_t		 n;
	enum adminc_err	 rc;

	*got = 0;
	while (*got < ADMINC_LINE_MAX) {
		if ((rc = adminc_wait(fd, POLLIN, deadline, err, errlen)) !=
		    ADMINC_OK)
			return rc;
		n = recv(fd, buf + *got, ADMINC_LINE_MAX - *got, MSG_DONTWAIT);
		/* keyd closing before it read our line resets the socket. */
		if (n == -1 && errno == ECONNRESET)
			break;
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(err, errlen, "reading keyd's answer: %s",
			    strerror(errno));
			return ADMINC_EIO;
		}
		if (n == 0)
			break;
		nl = memchr(buf + *got, '\n', (size_t)n);
		*got += (size_t)n;
		if (nl != NULL) {
			*linelen = (size_t)(nl - buf);
			return ADMINC_OK;
		}
	}
	if (*got == ADMINC_LINE_MAX) {
		snprintf(err, errlen, "keyd's answer is over %d bytes",
		    ADMINC_LINE_MAX);
		return ADMINC_ETOOBIG;
	}
	if (*got == 0) {
		snprintf(err, errlen, "keyd closed the connection without "
		    "answering");
		return ADMINC_ECLOSED;
	}
	/* EOF without '\n': the parser rejects a truncated object. */
	*linelen = *got;
	return ADMINC_OK;
}

/* ok:false carries keyd's message; a missing one still gets a line. */
static enum adminc_err
adminc_refusal(const json_t *resp, char *err, size_t errlen)
{
	const json_t	*msg = json_object_get(resp, "error");

	if (json_is_string(msg) && json_string_length(msg) > 0)
		snprintf(err, errlen, "%s", json_string_value(msg));
	else
		snprintf(err, errlen, "keyd refused the request without "
		    "saying why");
	return ADMINC_EREFUSED;
}

/* The parser's error text quotes the input near the fault, and the input
 * may hold a secret: report only the position. */
static enum adminc_err
adminc_parse(const char *line, size_t len, json_t **result, char *err,
    size_t errlen)
{
	json_t		*resp;
	json_t		*res;
	json_t		*ok;
	json_error_t	 jerr;
	enum adminc_err	 rc = ADMINC_EPROTO;

	resp = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (resp == NULL) {
		snprintf(err, errlen, "keyd's answer is not valid JSON "
		    "(byte %d)", jerr.position);
		goto out;
	}
	ok = json_object_get(resp, "ok");
	if (!json_is_object(resp) || !json_is_boolean(ok)) {
		snprintf(err, errlen, "keyd's answer has no \"ok\" member");
		goto out;
	}
	if (json_is_false(ok)) {
		rc = adminc_refusal(resp, err, errlen);
		goto out;
	}
	res = json_object_get(resp, "result");
	if (!json_is_object(res)) {
		snprintf(err, errlen, "keyd's answer has no \"result\" object");
		goto out;
	}
	*result = json_incref(res);
	rc = ADMINC_OK;
out:
	json_decref(resp);
	return rc;
}

enum adminc_err
adminc_call(const char *path, const char *op, json_t *args,
    json_t **result, char *err, size_t errlen)
{
	struct timespec	 deadline;
	char		*req = NULL;
	char		*line = NULL;
	size_t		 reqlen = 0, linelen = 0, got = 0;
	int		 fd = -1;
	enum adminc_err	 rc;

	*result = NULL;
	adminc_deadline(&deadline);
	if ((rc = adminc_request(op, args, &req, &reqlen, err, errlen)) !=
	    ADMINC_OK)
		goto out;
	if ((line = malloc(ADMINC_LINE_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = ADMINC_ENOMEM;
		goto out;
	}
	if ((rc = adminc_connect(path, &fd, err, errlen)) != ADMINC_OK)
		goto out;
	adminc_send(fd, req, reqlen, &deadline);
	if ((rc = adminc_recv(fd, line, &linelen, &got, &deadline, err,
	    errlen)) != ADMINC_OK)
		goto out;
	rc = adminc_parse(line, linelen, result, err, errlen);
out:
	if (fd != -1)
		close(fd);
	if (line != NULL)
		sodium_memzero(line, got);
	free(line);
	free(req);
	return rc;
}
