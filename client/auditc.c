/* keyctl audit verify, tail, query and export. The offline verifier is
 * keyd's own (keyd/audit_chain.c), fed from the export file line by line,
 * so what keyctl accepts is exactly what keyd would. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/adminc.h"
#include "client/auditc.h"
#include "keyd/audit_chain.h"

#define EXIT_DONE	0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define FOLLOW_US	1000000		/* --follow polls once a second */
#define LINE_MAX_LEN	(64 * 1024)	/* one line of an export */
#define ROWS_MAX	100000		/* a table, in text mode */
#define EXPORT_FORMAT	"keyd-audit-export/1"

static int
call(const char *sock, const char *op, json_t *args, json_t **res)
{
	char		err[ADMINC_ERR_MAX];
	enum adminc_err	e;

	if ((e = adminc_call(sock, op, args, res, err, sizeof(err))) ==
	    ADMINC_OK)
		return 0;
	output_error("%s%s", err, e == ADMINC_ECONNECT ? " (is keyd running? "
	    "set --socket or KEYD_SOCKET)" : "");
	return -1;
}

static int
line_out(const json_t *o)
{
	if (json_dumpf(o, stdout, JSON_COMPACT) == -1 ||
	    fputc('\n', stdout) == EOF)
		return -1;
	return 0;
}

static int
flush_out(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		output_error("cannot write to standard output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The TIME column, from time_us: 2026-11-23T10:00:00.123Z. */
static void
row_time(json_t *rec)
{
	json_int_t	us = json_integer_value(json_object_get(rec, "time_us"));
	time_t		t = (time_t)(us / 1000000);
	struct tm	tm;
	char		day[32], buf[48];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return;
	snprintf(buf, sizeof(buf), "%s.%03dZ", day,
	    (int)((us / 1000) % 1000));
	json_object_set_new(rec, "time", json_string(buf));
}

/* Records as JSON lines, or as table rows (with the header when HEADER). */
static int
records_out(json_t *recs, int json, const struct output_view *view,
    int header)
{
	size_t i;

	for (i = 0; i < json_array_size(recs); i++) {
		if (json && line_out(json_array_get(recs, i)) == -1)
			return -1;
		if (!json)
			row_time(json_array_get(recs, i));
	}
	if (!json)
		output_rows(stdout, recs, view->cols, header);
	return flush_out();
}

static json_int_t
int_of(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The report of a verification, keyd's or the file's: printed either
 * way, and a broken chain is exit 1 with its first bad seq on stderr. */
static int
verify_report(const json_t *res, int json, const struct output_view *view)
{
	char err[ADMINC_ERR_MAX];

	if (json ? line_out(res) == -1 : output_view(stdout, res, view, err,
	    sizeof(err)) == -1)
		return EXIT_FAIL;
	if (flush_out() == -1)
		return EXIT_FAIL;
	if (json_is_true(json_object_get(res, "valid")))
		return EXIT_DONE;
	output_error("the audit chain is broken at seq %" JSON_INTEGER_FORMAT
	    ": %s", int_of(res, "bad_seq"), json_string_value(json_object_get(
	    res, "error")));
	return EXIT_FAIL;
}

static int
verify_online(const char *sock, json_t *args, int json,
    const struct output_view *view)
{
	json_t	*res = NULL;
	int	 rc = EXIT_FAIL;

	for (;;) {
		if (call(sock, "audit.verify", args, &res) == -1)
			return EXIT_FAIL;
		if (json_is_true(json_object_get(res, "done")))
			break;
		if (json_object_set(args, "state", json_object_get(res,
		    "state")) == -1)
			goto out;
		json_decref(res);
		res = NULL;
	}
	rc = verify_report(res, json, view);
out:
	json_decref(res);
	return rc;
}

/* One line of an export into the verifier. */
static void
verify_line(struct audit_verify *v, const char *line, size_t n,
    size_t lineno, int64_t *upto)
{
	struct audit_rec	 r;
	struct audit_cp		 cp;
	json_error_t		 jerr;
	json_t			*o;
	const char		*type, *fmt;
	char			 why[AUDIT_WHY_MAX];

	if ((o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		(void)audit_verify_fail(v, v->next_seq, "line %zu is not JSON: "
		    "%s", lineno, jerr.text);
		return;
	}
	type = json_string_value(json_object_get(o, "type"));
	fmt = json_string_value(json_object_get(o, "format"));
	if (type != NULL && strcmp(type, "header") == 0 && lineno == 1) {
		if (fmt == NULL || strcmp(fmt, EXPORT_FORMAT) != 0)
			(void)audit_verify_fail(v, 1, "line 1: not a %s "
			    "export", EXPORT_FORMAT);
		*upto = int_of(o, "upto_seq");
	} else if (type != NULL && strcmp(type, "checkpoint") == 0) {
		if (audit_cp_from_json(o, &cp, why, sizeof(why)) == -1)
			(void)audit_verify_fail(v, v->next_seq, "line %zu: %s",
			    lineno, why);
		else
			(void)!audit_verify_checkpoint(v, &cp);
	} else if (audit_rec_from_json(o, &r, why, sizeof(why)) == -1)
		(void)audit_verify_fail(v, v->next_seq, "line %zu: %s", lineno,
		    why);
	else
		(void)!audit_verify_record(v, &r);
	json_decref(o);
}

static void
verify_stream(struct audit_verify *v, FILE *fp, int64_t *upto)
{
	char	line[LINE_MAX_LEN + 2];
	size_t	n, lineno = 0;

	while (v->bad_seq == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			(void)audit_verify_fail(v, v->next_seq, "line %zu is "
			    "longer than %d bytes", lineno, LINE_MAX_LEN);
			break;
		}
		if (n > 0)
			verify_line(v, line, n, lineno, upto);
	}
	if (v->bad_seq == 0 && ferror(fp))
		(void)audit_verify_fail(v, v->next_seq, "read error: %s",
		    strerror(errno));
}

static json_t *
file_result(const struct audit_verify *v, const char *path)
{
	json_t *o;

	if ((o = audit_verify_to_json(v)) != NULL &&
	    json_object_set_new(o, "file", json_string(path)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
verify_file(json_t *args, int json, const struct output_view *view)
{
	struct audit_verify	 v;
	unsigned char		 pk[AUDIT_PK_LEN];
	const char		*path, *key;
	int64_t			 upto = 0;
	json_t			*res;
	FILE			*fp;
	int			 rc;

	path = json_string_value(json_object_get(args, "file"));
	key = json_string_value(json_object_get(args, "pubkey"));
	if (key == NULL || json_object_get(args, "from") != NULL) {
		output_error("verify --file takes --pubkey KEY (keyctl audit "
		    "pubkey prints it) and no --from");
		return EXIT_USAGE;
	}
	if (audit_pk_parse(key, pk) == -1) {
		output_error("--pubkey is not a base64 Ed25519 public key");
		return EXIT_USAGE;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		output_error("cannot open %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	audit_verify_init(&v, pk);
	verify_stream(&v, fp, &upto);
	fclose(fp);
	if (v.bad_seq == 0 && upto > 0 && v.last_cp_seq < upto)
		(void)audit_verify_fail(&v, v.next_seq, "the export ends at seq "
		    "%lld, but its header promises a checkpoint at seq %lld: "
		    "it was cut short", (long long)v.next_seq - 1,
		    (long long)upto);
	(void)!audit_verify_end(&v, 0, NULL, 1);
	if ((res = file_result(&v, path)) == NULL)
		return EXIT_FAIL;
	rc = verify_report(res, json, view);
	json_decref(res);
	return rc;
}

static int
tail_poll(const char *sock, json_int_t last, int json,
    const struct output_view *view)
{
	json_t		*a, *res = NULL, *recs;
	json_int_t	 n;

	for (;;) {
		usleep(FOLLOW_US);
		if ((a = json_pack("{s:I}", "after", last)) == NULL ||
		    call(sock, "audit.tail", a, &res) == -1) {
			json_decref(a);
			return EXIT_FAIL;
		}
		json_decref(a);
		recs = json_object_get(res, "records");
		if ((n = (json_int_t)json_array_size(recs)) > 0) {
			last = int_of(json_array_get(recs, (size_t)n - 1),
			    "seq");
			if (records_out(recs, json, view, 0) == -1)
				break;
		}
		json_decref(res);
		res = NULL;
	}
	json_decref(res);
	return EXIT_FAIL;
}

static int
tail(const char *sock, json_t *args, int json, const struct output_view *view)
{
	json_t		*res = NULL, *recs;
	json_int_t	 last;
	int		 follow, rc = EXIT_FAIL;
	size_t		 n;

	follow = json_is_true(json_object_get(args, "follow"));
	json_object_del(args, "follow");
	if (call(sock, "audit.tail", args, &res) == -1)
		return EXIT_FAIL;
	recs = json_object_get(res, "records");
	n = json_array_size(recs);
	last = n > 0 ? int_of(json_array_get(recs, n - 1), "seq") :
	    int_of(res, "head_seq");
	if (records_out(recs, json, view, 1) == 0)
		rc = follow ? tail_poll(sock, last, json, view) : EXIT_DONE;
	json_decref(res);
	return rc;
}

/* Collect a page's rows for one table, past ROWS_MAX refuse. */
static int
rows_add(json_t *all, json_t *recs)
{
	if (json_array_size(all) + json_array_size(recs) > ROWS_MAX) {
		output_error("more than %d records: narrow the query, or use "
		    "--json", ROWS_MAX);
		return -1;
	}
	return json_array_extend(all, recs);
}

static int
query(const char *sock, json_t *args, int json,
    const struct output_view *view)
{
	json_t	*res = NULL, *all = json_array(), *recs;
	int	 rc = EXIT_FAIL, more = 1;

	while (more) {
		if (call(sock, "audit.query", args, &res) == -1)
			goto out;
		recs = json_object_get(res, "records");
		if (json ? records_out(recs, 1, view, 0) == -1 :
		    rows_add(all, recs) == -1)
			goto out;
		more = json_is_true(json_object_get(res, "more"));
		json_object_set_new(args, "after", json_integer(int_of(res,
		    "next_after")));
		json_decref(res);
		res = NULL;
	}
	if (json || records_out(all, 0, view, 1) == 0)
		rc = EXIT_DONE;
out:
	json_decref(res);
	json_decref(all);
	return rc;
}

static int
export_page_out(const json_t *res)
{
	const json_t	*items = json_object_get(res, "items");
	const json_t	*header = json_object_get(res, "header");
	size_t		 i;

	if (header != NULL && line_out(header) == -1)
		return -1;
	for (i = 0; i < json_array_size(items); i++)
		if (line_out(json_array_get(items, i)) == -1)
			return -1;
	return flush_out();
}

static int
export(const char *sock, json_t *args)
{
	json_t	*res = NULL;
	int	 done = 0;

	while (!done) {
		if (call(sock, "audit.export", args, &res) == -1)
			return EXIT_FAIL;
		if (export_page_out(res) == -1)
			break;
		done = json_is_true(json_object_get(res, "done"));
		json_object_set_new(args, "next", json_integer(int_of(res,
		    "next")));
		json_object_set_new(args, "upto", json_integer(int_of(res,
		    "upto")));
		json_decref(res);
		res = NULL;
	}
	json_decref(res);
	return done ? EXIT_DONE : EXIT_FAIL;
}

int
auditc_run(const char *sock, const char *op, json_t *args, int json,
    const struct output_view *view)
{
	if (strcmp(op, "audit.verify") == 0)
		return json_object_get(args, "file") != NULL ?
		    verify_file(args, json, view) :
		    verify_online(sock, args, json, view);
	if (strcmp(op, "audit.tail") == 0)
		return tail(sock, args, json, view);
	if (strcmp(op, "audit.query") == 0)
		return query(sock, args, json, view);
	if (strcmp(op, "audit.export") == 0)
		return export(sock, args);
	return -1;
}
