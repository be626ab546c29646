/* keyctl: keyd's admin CLI (docs/keyctl.md).
 *   keyctl [--socket PATH] [--json] NOUN [VERB] [ARGS...]
 * Reads argv against the command table (cmd.c), sends one request to
 * keyd's admin socket (adminc.c), prints the result (output.c).
 * Exit 0 done, 1 keyd refused or cannot be reached, 2 bad usage. */
#include <sys/resource.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "client/adminc.h"
#include "client/auditc.h"
#include "client/cmd.h"
#include "client/output.h"

#define EXIT_DONE	0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define ARG_MAX_LEN	256	/* any NAME, ID or option value */
#define FILE_MAX	(1024 * 1024)	/* a file sent as an argument */
#define QUOTE_MAX	64	/* how much of a bad word an error repeats */
#define SOCKET_ENV	"KEYD_SOCKET"
#define SOCKET_DEFAULT	"./var/dev/keyd.sock"
#define USAGE		"keyctl [--socket PATH] [--json] COMMAND [ARGS...]"

/* One command line, parsed. Strings point into argv. */
struct inv {
	const char		*socket;
	int			 json;
	int			 help;
	int			 dashdash;	/* after "--": words only */
	const char		*noun;
	const struct cmd	*cmd;
	const char		*pos[CMD_MAX_POS];
	size_t			 npos;
	const char		*opt[CMD_MAX_OPTS];	/* as cmd->opts */
};

/* One line on stderr: what is wrong, then the form that would be right. */
static int
usage_error(const struct inv *inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
usage_error(const struct inv *inv, const char *fmt, ...)
{
	char	msg[512];
	char	more[256];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (inv->cmd != NULL) {
		cmd_synopsis(inv->cmd, more, sizeof(more));
		output_error("%s (usage: keyctl %s)", msg, more);
	} else if (inv->noun != NULL) {
		cmd_verbs(inv->noun, more, sizeof(more));
		output_error("%s (%s verbs: %s)", msg, inv->noun, more);
	} else
		output_error("%s (usage: %s; keyctl --help lists commands)",
		    msg, USAGE);
	return -1;
}

/* WHAT names VALUE in errors: "NAME", "--role". jansson refuses a string
 * that is not UTF-8; better to say so here than fail later. */
static int
check_value(const struct inv *inv, const char *what, const char *value,
    size_t max)
{
	json_t	*s;

	if (value[0] == '\0')
		return usage_error(inv, "%s is empty", what);
	if (strnlen(value, max + 1) > max)
		return usage_error(inv, "%s is longer than %zu bytes", what,
		    max);
	if ((s = json_string(value)) == NULL)
		return usage_error(inv, "%s is not valid UTF-8", what);
	json_decref(s);
	return 0;
}

static int
parse_noun(struct inv *inv, const char *word)
{
	int	kind;

	if (strcmp(word, "help") == 0) {
		inv->help = 1;
		return 0;
	}
	if ((kind = cmd_noun_kind(word)) == -1)
		return usage_error(inv, "unknown command \"%.*s\"", QUOTE_MAX,
		    word);
	inv->noun = word;
	if (kind == 0)
		inv->cmd = cmd_find(word, NULL);
	return 0;
}

static int
parse_word(struct inv *inv, const char *word)
{
	const struct cmd	*c;
	const struct cmd_pos	*p;

	if (inv->noun == NULL)
		return parse_noun(inv, word);
	if (inv->cmd == NULL) {
		if ((c = cmd_find(inv->noun, word)) == NULL)
			return usage_error(inv, "unknown verb \"%.*s\" for %s",
			    QUOTE_MAX, word, inv->noun);
		inv->cmd = c;
		return 0;
	}
	if (inv->npos == CMD_MAX_POS || inv->cmd->pos[inv->npos].meta == NULL)
		return usage_error(inv, "unexpected argument \"%.*s\"",
		    QUOTE_MAX, word);
	p = &inv->cmd->pos[inv->npos];
	if (check_value(inv, p->meta, word, ARG_MAX_LEN) == -1)
		return -1;
	inv->pos[inv->npos++] = word;
	return 0;
}

/* The value of FLAG: after '=' when EQ is set, else the next word. */
static int
parse_value(struct inv *inv, int argc, char *argv[], int *i,
    const char *flag, const char *eq, const char **val)
{
	if (eq != NULL)
		*val = eq + 1;
	else if (*i + 1 < argc)
		*val = argv[++*i];
	else
		return usage_error(inv, "%s needs a value", flag);
	return 0;
}

/* --socket and --json are global and may come anywhere; a command's own
 * options are known only once its noun and verb have been read. */
static int
parse_option(struct inv *inv, int argc, char *argv[], int *i)
{
	const char	*arg = argv[*i];
	const char	*name = arg + 2;
	const char	*eq, *val = NULL;
	const char	**slot;
	char		 flag[QUOTE_MAX + 3];
	size_t		 len, max = ARG_MAX_LEN;
	int		 k = -1;

	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		inv->help = 1;
		return 0;
	}
	/* "-n": a command's one-letter option */
	if (strncmp(arg, "--", 2) != 0 && (arg[2] != '\0' || inv->cmd == NULL ||
	    cmd_opt_index(inv->cmd, arg + 1, 1) == -1))
		return usage_error(inv, "unknown option %.*s", QUOTE_MAX, arg);
	if (strncmp(arg, "--", 2) != 0)
		name = arg + 1;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	snprintf(flag, sizeof(flag), "%s%.*s", name == arg + 1 ? "-" : "--",
	    (int)(len < QUOTE_MAX ? len : QUOTE_MAX), name);
	if (strcmp(flag, "--json") == 0 && eq == NULL) {
		inv->json = 1;
		return 0;
	}
	if (strcmp(flag, "--socket") == 0) {
		slot = &inv->socket;
		max = ADMINC_PATH_MAX;
	} else if (inv->cmd != NULL &&
	    (k = cmd_opt_index(inv->cmd, name, len)) != -1)
		slot = &inv->opt[k];
	else if (strcmp(flag, "--json") == 0)
		return usage_error(inv, "--json takes no value");
	else
		return usage_error(inv, "unknown option %s", flag);
	if (*slot != NULL)
		return usage_error(inv, "%s given twice", flag);
	if (slot != &inv->socket && inv->cmd->opts[k].kind == CMD_ARG_FLAG) {
		if (eq != NULL)
			return usage_error(inv, "%s takes no value", flag);
		*slot = "true";
		return 0;
	}
	if (parse_value(inv, argc, argv, i, flag, eq, &val) == -1 ||
	    check_value(inv, flag, val, max) == -1)
		return -1;
	*slot = val;
	return 0;
}

/* Everything the command needs is there. */
static int
parse_finish(struct inv *inv)
{
	const struct cmd	*c = inv->cmd;
	size_t			 i;

	if (inv->noun == NULL)
		return usage_error(inv, "missing command");
	if (c == NULL)
		return usage_error(inv, "%s needs a verb", inv->noun);
	for (i = inv->npos; i < CMD_MAX_POS && c->pos[i].meta != NULL; i++)
		if (!c->pos[i].optional)
			return usage_error(inv, "missing %s", c->pos[i].meta);
	for (i = 0; i < CMD_MAX_OPTS && c->opts[i].name != NULL; i++)
		if (c->opts[i].required && inv->opt[i] == NULL)
			return usage_error(inv, "missing --%s %s",
			    c->opts[i].name, c->opts[i].meta);
	return 0;
}

/* "--help" anywhere wins over the rest of the line. */
static int
parse_argv(struct inv *inv, int argc, char *argv[])
{
	const char	*arg;
	int		 i, rc;

	for (i = 1; i < argc && !inv->help; i++) {
		arg = argv[i];
		rc = 0;
		if (!inv->dashdash && strcmp(arg, "--") == 0)
			inv->dashdash = 1;
		else if (!inv->dashdash && arg[0] == '-' && arg[1] != '\0')
			rc = parse_option(inv, argc, argv, &i);
		else
			rc = parse_word(inv, arg);
		if (rc == -1)
			return -1;
	}
	if (inv->help)
		return 0;
	return parse_finish(inv);
}

/* --socket, else $KEYD_SOCKET, else the development default. */
static const char *
keyctl_socket(const struct inv *inv)
{
	const char	*env;

	if (inv->socket != NULL)
		return inv->socket;
	env = secure_getenv(SOCKET_ENV);
	if (env == NULL || env[0] == '\0')
		return SOCKET_DEFAULT;
	if (strlen(env) > ADMINC_PATH_MAX) {
		output_error("%s is longer than %zu bytes", SOCKET_ENV,
		    ADMINC_PATH_MAX);
		return NULL;
	}
	return env;
}

/* The contents of PATH as a JSON string; NULL with a message on stderr
 * when it cannot be read, is over FILE_MAX or is not UTF-8 text. */
static json_t *
file_string(const char *path)
{
	json_t	*s = NULL;
	char	*buf;
	size_t	 n;
	FILE	*fp;

	if ((fp = fopen(path, "re")) == NULL) {
		output_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(fp, NULL, _IONBF, 0);	/* no copy in a stdio buffer */
	if ((buf = malloc(FILE_MAX + 1)) != NULL) {
		n = fread(buf, 1, FILE_MAX + 1, fp);
		if (ferror(fp))
			output_error("cannot read %s: %s", path,
			    strerror(errno));
		else if (n > FILE_MAX)
			output_error("%s is larger than 1 MiB", path);
		else if ((s = json_stringn(buf, n)) == NULL)
			output_error("%s is not UTF-8 text", path);
		sodium_memzero(buf, n);
		free(buf);	/* it may hold a credential (--bearer-file) */
	}
	fclose(fp);
	return s;
}

static json_t *
arg_json(enum cmd_arg kind, const char *meta, const char *text)
{
	json_t		*s;
	char		*end;
	long long	 v;

	if (kind == CMD_ARG_FILE)
		return file_string(text);
	if (kind == CMD_ARG_FLAG)
		return json_true();
	if (kind != CMD_ARG_INT) {
		if ((s = json_string(text)) == NULL)
			output_error("out of memory");
		return s;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0') {
		output_error("%s must be an integer, not \"%.*s\"", meta,
		    QUOTE_MAX, text);
		return NULL;
	}
	return json_integer(v);
}

static int
keyctl_args(const struct inv *inv, json_t **out)
{
	const struct cmd	*c = inv->cmd;
	json_t			*args, *v;
	size_t			 i;
	int			 rc = -1;

	if ((args = json_object()) == NULL)
		goto out;
	for (i = 0; i < inv->npos; i++)
		if ((v = arg_json(c->pos[i].kind, c->pos[i].meta,
		    inv->pos[i])) == NULL ||
		    json_object_set_new(args, c->pos[i].key, v) == -1)
			goto out;
	for (i = 0; i < CMD_MAX_OPTS; i++)
		if (inv->opt[i] != NULL && ((v = arg_json(c->opts[i].kind,
		    c->opts[i].meta, inv->opt[i])) == NULL ||
		    json_object_set_new(args, c->opts[i].key != NULL ?
		    c->opts[i].key : c->opts[i].name, v) == -1))
			goto out;
	*out = args;
	args = NULL;
	rc = 0;
out:
	json_decref(args);
	return rc;
}

/* The hint says what to try next; it differs by what went wrong. */
static void
keyctl_report(enum adminc_err e, const char *err)
{
	switch (e) {
	case ADMINC_ECONNECT:
		output_error("%s (is keyd running? set --socket or %s)", err,
		    SOCKET_ENV);
		break;
	case ADMINC_EACCESS:
	case ADMINC_ECLOSED:
		output_error("%s (keyd answers only its own user and root)",
		    err);
		break;
	default:
		output_error("%s", err);
		break;
	}
}

static int
keyctl_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		output_error("cannot write to standard output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
keyctl_show(const struct inv *inv, const json_t *result)
{
	char	err[ADMINC_ERR_MAX];

	if (inv->json) {
		if (output_json(stdout, result) == -1) {
			output_error("cannot write to standard output: %s",
			    strerror(errno));
			return -1;
		}
	} else if (output_view(stdout, result, inv->cmd->view, err,
	    sizeof(err)) == -1) {
		output_error("%s", err);
		return -1;
	}
	return keyctl_flush();
}

static void
keyctl_help(FILE *fp)
{
	fprintf(fp, "usage: %s\n\ncommands:\n", USAGE);
	cmd_list(fp);
	fprintf(fp, "\noptions (anywhere on the line):\n"
	    "  --socket PATH  keyd's admin socket; default $%s, else %s\n"
	    "  --json         print keyd's result as one JSON document\n"
	    "  --help         print this list\n"
	    "\nexit status: 0 done, 1 keyd refused or cannot be reached, "
	    "2 bad usage\n", SOCKET_ENV, SOCKET_DEFAULT);
}

/* keyctl briefly holds freshly minted keys: keep them out of core files. */
static void
keyctl_harden(void)
{
	struct rlimit	rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
}

int
main(int argc, char *argv[])
{
	struct inv	 inv;
	json_t		*args = NULL;
	json_t		*result = NULL;
	const char	*path;
	char		 err[ADMINC_ERR_MAX];
	enum adminc_err	 e;
	int		 status = EXIT_USAGE;

	keyctl_harden();
	adminc_init();
	memset(&inv, 0, sizeof(inv));
	if (parse_argv(&inv, argc, argv) == -1)
		goto out;
	if (inv.help) {
		keyctl_help(stdout);
		status = keyctl_flush() == 0 ? EXIT_DONE : EXIT_FAIL;
		goto out;
	}
	if ((path = keyctl_socket(&inv)) == NULL)
		goto out;
	status = EXIT_FAIL;
	if (keyctl_args(&inv, &args) == -1)
		goto out;	/* arg_json said why */
	/* audit commands that are more (or less) than one request */
	if ((status = auditc_run(path, inv.cmd->op, args, inv.json,
	    inv.cmd->view)) != -1)
		goto out;
	status = EXIT_FAIL;
	e = adminc_call(path, inv.cmd->op, args, &result, err, sizeof(err));
	if (e != ADMINC_OK) {
		keyctl_report(e, err);
		goto out;
	}
	if (keyctl_show(&inv, result) == -1)
		goto out;
	status = EXIT_DONE;
out:
	json_decref(result);
	json_decref(args);
	return status;
}
