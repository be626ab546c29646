/* keyd: `keyd init …` creates an instance; `keyd -c FILE [-o name=value]…`
 * runs one in the foreground until SIGTERM or SIGINT. */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/admin.h"
#include "keyd/audit.h"
#include "keyd/harden.h"
#include "keyd/init.h"
#include "keyd/keyd.h"
#include "keyd/log.h"
#include "keyd/server.h"

#define ERR_MAX		1024
#define MAX_OVERRIDES	64
#define GRACE_MS	5000

static void
usage(void)
{
	fprintf(stderr,
	    "usage: keyd -c FILE [-o name=value]...\n"
	    "       keyd init --state DIR [--root-key-file FILE | "
	    "--passphrase-file FILE] [--listen ADDR]\n"
	    "       keyd --version\n");
}

static int
die(const char *msg)
{
	fprintf(stderr, "keyd: %s\n", msg);
	return 1;
}

static int
abs_path(const char *in, char *out, size_t len)
{
	char buf[PATH_MAX];

	if (realpath(in, buf) == NULL)
		return -1;
	return (size_t)snprintf(out, len, "%s", buf) < len ? 0 : -1;
}

static int
cmd_init(int argc, char **argv)
{
	struct init_opts	o;
	char			err[ERR_MAX], keyfile[PATH_MAX];
	int			i;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			goto bad;
		if (strcmp(argv[i], "--state") == 0)
			o.state_dir = argv[++i];
		else if (strcmp(argv[i], "--root-key-file") == 0)
			o.root_key_file = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0)
			o.passphrase_file = argv[++i];
		else if (strcmp(argv[i], "--listen") == 0)
			o.listen = argv[++i];
		else
			goto bad;
	}
	if (o.state_dir == NULL || (o.root_key_file != NULL &&
	    o.passphrase_file != NULL))
		goto bad;
	if (o.root_key_file != NULL) {
		if (abs_path(o.root_key_file, keyfile, sizeof(keyfile)) == -1) {
			snprintf(err, sizeof(err), "cannot use root key %s: %s",
			    o.root_key_file, strerror(errno));
			return die(err);
		}
		o.root_key_file = keyfile;
	}
	umask(077);
	if (init_instance(&o, err, sizeof(err)) == -1)
		return die(err);
	printf("keyd: instance created in %s\n", o.state_dir);
	printf("keyd: start it with: keyd -c %s/keyd.conf\n", o.state_dir);
	return 0;
bad:
	usage();
	return 2;
}

static int
config_read(struct config *c, int argc, char **argv, char *err, size_t len)
{
	const char	*file = NULL, *ov[MAX_OVERRIDES];
	int		 ch, nov = 0, i;

	while ((ch = getopt(argc, argv, "c:o:")) != -1) {
		if (ch == 'c')
			file = optarg;
		else if (ch == 'o' && nov < MAX_OVERRIDES)
			ov[nov++] = optarg;
		else
			return 2;
	}
	if (file == NULL || optind != argc)
		return 2;
	config_defaults(c);
	if (config_load_file(c, file, err, len) == -1)
		return -1;
	for (i = 0; i < nov; i++)
		if (config_override(c, ov[i], err, len) == -1)
			return -1;
	return config_finish(c, err, len);
}

static sigset_t
signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* every thread inherits */
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit makes a write fail (EFBIG), and the audit log
	 * fails closed, rather than kill keyd. */
	signal(SIGXFSZ, SIG_IGN);
	return set;
}

/* Wait for SIGTERM or SIGINT; SIGHUP is ignored for now. */
static int
signals_wait(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			return sig;
		log_event(LOG_INFO, "keyd.signal", "SIGHUP ignored");
	}
}

static int
serve(struct keyd *k)
{
	struct server	*srv = NULL;
	struct admin	*adm = NULL;
	sigset_t	 set;
	char		 err[ERR_MAX];
	int		 sig;

	set = signals_block();
	if (keyd_open(k, err, sizeof(err)) == -1)
		return die(err);
	if (audit_event(k->audit, "keyd.start", "version=%s pid=%ld listen=%s",
	    KEYD_VERSION, (long)getpid(), k->cfg.listen) == -1) {
		keyd_close(k);
		return die("cannot write the audit log (see audit.failing "
		    "above); keyd does not start without it");
	}
	if (admin_start(k, &adm, err, sizeof(err)) == -1 ||
	    server_start(k, &srv, err, sizeof(err)) == -1) {
		admin_stop(&adm);
		keyd_close(k);
		return die(err);
	}
	log_event(LOG_INFO, "keyd.started", "version=%s listen=%s tls=%s "
	    "admin_socket=%s pid=%ld", KEYD_VERSION, k->cfg.listen,
	    k->cfg.tls ? "on" : "off", k->cfg.admin_socket, (long)getpid());
	sig = signals_wait(&set);
	log_event(LOG_INFO, "keyd.stopping", "signal=%s; finishing in-flight "
	    "requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	server_stop(&srv, GRACE_MS);
	admin_stop(&adm);
	if (audit_event(k->audit, "keyd.stop", "signal=%s", sig == SIGTERM ?
	    "SIGTERM" : "SIGINT") == -1)
		log_event(LOG_ERROR, "keyd.stopping", "the keyd.stop audit "
		    "record could not be written");
	keyd_close(k);
	log_event(LOG_INFO, "keyd.stopped", "clean shutdown");
	return 0;
}

int
main(int argc, char **argv)
{
	static struct keyd	k;
	char			err[ERR_MAX];
	int			r;

	if (sodium_init() < 0)
		return die("libsodium failed to initialise");
	if (harden_process(err, sizeof(err)) == -1)
		return die(err);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("keyd %s\n", KEYD_VERSION);
		return 0;
	}
	if ((r = config_read(&k.cfg, argc, argv, err, sizeof(err))) == 2) {
		usage();
		return 2;
	}
	if (r == -1)
		return die(err);
	log_set_json(k.cfg.log_json);
	return serve(&k);
}
