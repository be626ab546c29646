/* keyd init. keyd.conf is written last: an instance without one is
 * incomplete, and on failure everything this run created is removed so a
 * retry starts clean. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/config.h"
#include "keyd/init.h"
#include "keyd/keyd.h"
#include "keyd/keyring.h"
#include "keyd/store.h"
#include "keyd/tlsgen.h"
#include "policy/policy.h"

#define TLS_DAYS	825
#define INIT_PASS_MIN	12

/* Paths inside the new instance. */
struct layout {
	char dir[PATH_MAX];
	char root_key[PATH_MAX];
	char salt[PATH_MAX];
	char store[PATH_MAX];
	char tls_dir[PATH_MAX];
	char cert[PATH_MAX];
	char key[PATH_MAX];
	char conf[PATH_MAX];
};

static int
path_join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
layout_make(struct layout *l, const char *dir, char *err, size_t errlen)
{
	if (realpath(dir, l->dir) == NULL) {
		snprintf(err, errlen, "cannot resolve %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (path_join(l->root_key, PATH_MAX, l->dir, "root.key") == -1 ||
	    path_join(l->salt, PATH_MAX, l->dir, "passphrase.salt") == -1 ||
	    path_join(l->store, PATH_MAX, l->dir, "keyd.db") == -1 ||
	    path_join(l->tls_dir, PATH_MAX, l->dir, "tls") == -1 ||
	    path_join(l->cert, PATH_MAX, l->tls_dir, "cert.pem") == -1 ||
	    path_join(l->key, PATH_MAX, l->tls_dir, "key.pem") == -1 ||
	    path_join(l->conf, PATH_MAX, l->dir, "keyd.conf") == -1) {
		snprintf(err, errlen, "state directory path %s is too long",
		    l->dir);
		return -1;
	}
	return 0;
}

static int
state_dir_create(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST || stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot create state directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	if (chmod(dir, 0700) == -1) {
		snprintf(err, errlen, "cannot chmod 0700 %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
instance_absent(const struct layout *l, char *err, size_t errlen)
{
	const char	*paths[] = { l->conf, l->store, l->root_key, l->cert };
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], F_OK) == 0) {
			snprintf(err, errlen, "%s already holds an instance "
			    "(%s exists); keyd init never overwrites one: pick "
			    "another --state or remove it first", l->dir,
			    paths[i]);
			return -1;
		}
	return 0;
}

static int
file_write_new(const char *path, const void *buf, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	ok = write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0;
	close(fd);
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		unlink(path);
	}
	return ok ? 0 : -1;
}

/* The root key: an existing file, a passphrase, or a new file. */
static int
root_key_get(const struct init_opts *o, const struct layout *l,
    unsigned char **root, char *err, size_t errlen)
{
	unsigned char	 salt[KEYRING_SALT_LEN];
	char		*pass;
	ssize_t		 n;
	int		 rc = -1;

	if (o->passphrase_file == NULL)
		return keyring_root_read_file(o->root_key_file != NULL ?
		    o->root_key_file : l->root_key, root, err, errlen);
	if ((pass = sodium_malloc(KEYD_PASS_MAX)) == NULL) {
		snprintf(err, errlen, "out of guarded memory");
		return -1;
	}
	if ((n = keyd_passphrase_read(o->passphrase_file, pass, err, errlen))
	    == -1)
		goto out;
	if (n < INIT_PASS_MIN) {
		snprintf(err, errlen, "the passphrase in %s is too short: use "
		    "at least %d bytes", o->passphrase_file, INIT_PASS_MIN);
		goto out;
	}
	randombytes_buf(salt, sizeof(salt));
	if (file_write_new(l->salt, salt, sizeof(salt), 0600, err, errlen) ==
	    -1)
		goto out;
	if (keyring_root_from_passphrase(pass, (size_t)n, salt, root) == -1)
		snprintf(err, errlen, "cannot derive the root key: out of "
		    "memory");
	else
		rc = 0;
out:
	if (pass != NULL)
		sodium_free(pass);
	return rc;
}

static int
store_seed(struct store *st, struct keyring *kr, char *err, size_t errlen)
{
	unsigned char	 pepper[KEYRING_KEY_LEN], *blob = NULL;
	size_t		 len;
	int64_t		 version;
	int		 rc = -1;

	randombytes_buf(pepper, sizeof(pepper));
	if (keyring_dek_create(kr, 1, &blob, &len) == -1 ||
	    store_dek_put(st, 1, blob, len) != 0)
		goto fail;
	free(blob);
	blob = NULL;
	if (keyring_wrap(kr, "token_pepper", pepper, sizeof(pepper), &blob,
	    &len) == -1 || store_meta_put(st, "token_pepper", blob, len) != 0)
		goto fail;
	if (store_policy_put(st, policy_default_document(), &version) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "cannot seed the store: %s", store_errmsg(st));
out:
	sodium_memzero(pepper, sizeof(pepper));
	free(blob);
	return rc;
}

static int
store_create(const struct layout *l, const unsigned char *root, char *err,
    size_t errlen)
{
	struct store	*st = NULL;
	struct keyring	*kr;
	int		 rc = -1;

	if ((kr = keyring_new(root)) == NULL) {
		snprintf(err, errlen, "out of guarded memory");
		return -1;
	}
	if (store_open(l->store, &st, err, errlen) == 0 &&
	    store_seed(st, kr, err, errlen) == 0)
		rc = 0;
	store_close(&st);
	keyring_free(&kr);
	return rc;
}

static int
conf_write(const struct init_opts *o, const struct layout *l, char *err,
    size_t errlen)
{
	char	buf[4 * PATH_MAX + 1024], root[PATH_MAX + 16];
	int	n;

	if (o->passphrase_file != NULL)
		snprintf(root, sizeof(root), "passphrase");
	else if (o->root_key_file != NULL)
		snprintf(root, sizeof(root), "file:%s", o->root_key_file);
	else
		snprintf(root, sizeof(root), "file:%s", l->root_key);
	n = snprintf(buf, sizeof(buf),
	    "# keyd configuration, written by keyd init.\n"
	    "# Every setting: docs/configuration.md. A later line wins.\n"
	    "state_dir = %s\n"
	    "listen = %s\n"
	    "tls = on\n"
	    "tls_cert = %s\n"
	    "tls_key = %s\n"
	    "admin_socket = %s/keyd.sock\n"
	    "root_key = %s\n"
	    "%s"
	    "access_token_ttl = 15m\n"
	    "max_body = 1MiB\n"
	    "log_format = text\n",
	    l->dir, o->listen != NULL ? o->listen : "127.0.0.1:8443", l->cert,
	    l->key, l->dir, root, o->passphrase_file != NULL ?
	    "# the passphrase comes from KEYD_PASSPHRASE_FILE, a systemd "
	    "credential\n# named keyd-passphrase, or a prompt\n" : "");
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		snprintf(err, errlen, "configuration too long");
		return -1;
	}
	return file_write_new(l->conf, buf, (size_t)n, 0600, err, errlen);
}

static void
undo(const struct layout *l, const struct init_opts *o)
{
	char wal[PATH_MAX + 8], shm[PATH_MAX + 8];

	snprintf(wal, sizeof(wal), "%s-wal", l->store);
	snprintf(shm, sizeof(shm), "%s-shm", l->store);
	unlink(l->conf);
	unlink(l->cert);
	unlink(l->key);
	rmdir(l->tls_dir);
	unlink(l->store);
	unlink(wal);
	unlink(shm);
	unlink(l->salt);
	if (o->root_key_file == NULL && o->passphrase_file == NULL)
		unlink(l->root_key);
}

/* Check --listen with keyd.conf's own rules before anything is created. */
static int
listen_check(const char *listen, char *err, size_t errlen)
{
	struct config c;

	if (listen == NULL)
		return 0;
	config_defaults(&c);
	return config_set(&c, "listen", listen, "--listen", err, errlen);
}

int
init_instance(const struct init_opts *o, char *err, size_t errlen)
{
	struct layout	 l;
	unsigned char	*root = NULL;
	int		 rc = -1;

	if (listen_check(o->listen, err, errlen) == -1 ||
	    state_dir_create(o->state_dir, err, errlen) == -1 ||
	    layout_make(&l, o->state_dir, err, errlen) == -1 ||
	    instance_absent(&l, err, errlen) == -1)
		return -1;
	if (o->root_key_file == NULL && o->passphrase_file == NULL &&
	    keyring_root_create_file(l.root_key, err, errlen) == -1)
		return -1;
	if (root_key_get(o, &l, &root, err, errlen) == -1 ||
	    store_create(&l, root, err, errlen) == -1)
		goto out;
	if (mkdir(l.tls_dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", l.tls_dir,
		    strerror(errno));
		goto out;
	}
	if (tlsgen_self_signed(l.cert, l.key, NULL, TLS_DAYS, err, errlen) ==
	    -1 || conf_write(o, &l, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	keyring_secret_free(&root);
	if (rc == -1)
		undo(&l, o);
	return rc;
}
