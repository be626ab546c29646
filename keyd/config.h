/* keyd.conf: "name = value" lines, '#' comments, later lines win.
 * docs/configuration.md lists every setting. */
#ifndef KEYD_CONFIG_H
#define KEYD_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_ERR_MAX 512

struct config {
	char	 state_dir[PATH_MAX];
	char	 listen[256];		/* host:port or [v6]:port */
	int	 tls;			/* 1 on (default), 0 off (loopback only) */
	char	 tls_cert[PATH_MAX];	/* default STATE/tls/cert.pem */
	char	 tls_key[PATH_MAX];	/* default STATE/tls/key.pem */
	char	 admin_socket[PATH_MAX];/* default STATE/keyd.sock */
	char	 root_key[PATH_MAX + 8];/* "file:PATH" or "passphrase" */
	char	 store[PATH_MAX];	/* default STATE/keyd.db */
	int64_t	 access_token_ttl;	/* seconds, default 15m */
	uint64_t max_body;		/* bytes, default 1MiB */
	int	 log_json;		/* log_format = json */
	int	 max_connections;	/* open client connections; 1024 */
	int64_t	 client_timeout;	/* s of a client's silence; 30 */
	int	 workers;		/* event-loop threads; 0: one per CPU */
	int	 metrics;		/* GET /metrics: CONFIG_METRICS_* */
	char	 public_url[256];	/* keyd as clients reach it; "": Host */
	char	 audit_path[PATH_MAX];	/* default STATE/audit.db */
	int	 audit_sync;		/* 1 (default): answer once recorded */
	int64_t	 audit_cp_records;	/* checkpoint every N, default 1000 */
	int64_t	 audit_cp_interval;	/* … or T seconds, default 10 */
	int64_t	 audit_retention;	/* seconds, default 90d; 0: keep all */
};

#define CONFIG_METRICS_LOCAL	0	/* loopback peers only (default) */
#define CONFIG_METRICS_ON	1	/* anyone who can connect */
#define CONFIG_METRICS_OFF	2	/* 404 */

/* Fill C with the built-in defaults. Paths under the state dir stay empty
 * until config_finish. */
void config_defaults(struct config *c);

/* Apply one setting. WHERE names its origin for errors ("keyd.conf:12" or
 * "-o"). On a bad name or value, writes "WHERE: reason" into ERR and
 * returns -1. */
int config_set(struct config *c, const char *name, const char *value,
    const char *where, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Read PATH line by line, calling config_set for each setting. Errors name
 * PATH:LINE and the reason. Returns 0 or -1. */
int config_load_file(struct config *c, const char *path, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Apply "-o name=value". Returns 0 or -1 with ERR set. */
int config_override(struct config *c, const char *assignment, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Check the whole: state_dir set, derived paths filled, tls=off only with a
 * loopback listen address. Returns 0 or -1 with ERR set. */
int config_finish(struct config *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Split c->listen into HOST (no brackets) and PORT. Returns 0 or -1. */
int config_listen_split(const char *listen, char *host, size_t hostlen,
    unsigned *port) __attribute__((warn_unused_result));

/* 1 when HOST is a loopback address (127.0.0.0/8, ::1, "localhost"). */
int config_host_is_loopback(const char *host);

#endif
