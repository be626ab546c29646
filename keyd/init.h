/* `keyd init`: create a new instance in a state directory. */
#ifndef KEYD_INIT_H
#define KEYD_INIT_H

#include <stddef.h>

struct init_opts {
	const char	*state_dir;
	const char	*root_key_file;		/* NULL: create STATE/root.key */
	const char	*passphrase_file;	/* NULL: not passphrase mode */
	const char	*listen;		/* NULL: the default */
};

/* Create the instance: state dir (0700), root key or passphrase salt,
 * store with DEK v1, token pepper and default policy, TLS certificate and
 * keyd.conf. Refuses an existing instance. Returns 0, or -1 with ERR. */
int init_instance(const struct init_opts *o, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
