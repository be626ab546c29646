/* Event log on stderr. Each line is built in one buffer and written with
 * one write(2) (or, on a thread that holds its lines, several whole lines
 * in one), so lines from concurrent threads never interleave. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "keyd/log.h"
#include "keyd/utf8.h"

#define LOG_LINE_MAX 2048

static int log_json;

/* A worker's lines, written at the end of its loop's round. */
static __thread char	held[PIPE_BUF];
static __thread size_t	held_len;
static __thread int	holding;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_set_json(int json)
{
	log_json = json;
}

static void
log_timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char ms[8];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ms, sizeof(ms), ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
	if (n + strlen(ms) < len)
		memcpy(buf + n, ms, strlen(ms) + 1);
}

static size_t
log_format_json(char *line, size_t len, const char *ts, enum log_level level,
    const char *event, const char *msg)
{
	json_t	*o;
	char	*s;
	int	 n;

	o = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts,
	    "level", level_names[level], "event", event, "msg", msg);
	if (o == NULL)
		return 0;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return 0;
	n = snprintf(line, len, "%s\n", s);
	free(s);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

const char *
log_quote(const char *in, char *out, size_t outlen)
{
	size_t o = 0, need;

	if (outlen == 0)
		return out;
	for (; *in != '\0'; in++) {
		need = *in == '"' || *in == '\\' ? 2 : 1;
		if (o + need >= outlen)
			break;
		if (need == 2)
			out[o++] = '\\';
		out[o++] = *in;
	}
	out[o] = '\0';
	return out;
}

size_t
log_clean(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t	n = strlen(in), o = 0, c;

	if (outlen == 0)
		return 0;
	while (n > 0) {
		if ((c = utf8_printable(s, n)) > 0) {
			if (o + c >= outlen)
				break;
			memcpy(out + o, s, c);
			o += c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[0] >> 4];
			out[o++] = hex[s[0] & 0xf];
			c = 1;
		}
		s += c;
		n -= c;
	}
	out[o] = '\0';
	return o;
}

void
log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char	 raw[LOG_LINE_MAX / 2], msg[LOG_LINE_MAX / 2], ts[32];
	char	 line[LOG_LINE_MAX];
	va_list	 ap;
	size_t	 n;
	int	 r;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_clean(raw, msg, sizeof(msg));
	log_timestamp(ts, sizeof(ts));
	if (log_json) {
		n = log_format_json(line, sizeof(line), ts, level, event, msg);
	} else {
		r = snprintf(line, sizeof(line), "%s %-5s %s: %s\n", ts,
		    level_names[level], event, msg);
		n = r < 0 ? 0 : (size_t)r >= sizeof(line) ? sizeof(line) - 1 :
		    (size_t)r;
		if (n == sizeof(line) - 1)
			line[n - 1] = '\n';
	}
	if (n == 0)
		return;
	if (holding) {
		if (held_len + n > sizeof(held))
			log_flush();
		memcpy(held + held_len, line, n);
		held_len += n;
		return;
	}
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void
log_hold(void)
{
	holding = 1;
}

void
log_flush(void)
{
	size_t n = held_len;

	held_len = 0;
	if (n > 0 && write(STDERR_FILENO, held, n) < 0)
		return;
}
