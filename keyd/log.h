/* One line per event on stderr; text by default, JSON lines with
 * log_format = json. Never pass a secret to these functions. */
#ifndef KEYD_LOG_H
#define KEYD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Select JSON lines (1) or text (0). Call before threads start. */
void log_set_json(int json);

/* Log EVENT (a short dotted name, "token.issued") with a printf-style
 * message. Thread-safe: each line is written with one write(2). */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy IN to OUT (OUTLEN bytes, NUL-terminated) as log_event writes a
 * message: every control character (C0, DEL, C1) and every byte that is
 * not part of valid UTF-8 becomes \xNN, so that no value a client sent
 * can start a line of its own, move a terminal's cursor, or make a JSON
 * line unwritable. Cut short at a whole character. Returns the length. */
size_t log_clean(const char *in, char *out, size_t outlen);

/* Copy IN to OUT (OUTLEN bytes, NUL-terminated) for a log line that puts
 * it between double quotes: `"` and `\` become `\"` and `\\`, so that a
 * value a client sent can neither close the quotes nor fake a field after
 * them. Cut short before an escape that would not fit whole. Returns OUT. */
const char *log_quote(const char *in, char *out, size_t outlen);

/* On the calling thread, hold whole lines in a buffer of PIPE_BUF bytes
 * and write them together at log_flush (or when it fills): an event
 * loop calls log_flush at the end of every round, before it waits, so a
 * line is never held while nothing happens. One write(2) of at most
 * PIPE_BUF bytes still never interleaves with another thread's. */
void log_hold(void);
void log_flush(void);

#endif
