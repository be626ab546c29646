/* keyring: reading and creating the root key file (modes, sizes, file
 * types) and deriving it from a passphrase. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testdir.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyd/keyring.h"

struct fix {
	char	dir[64];
	char	path[128];	/* a file in DIR the test may create */
};

static int
group_setup(void **state)
{
	(void)state;
	umask(022);	/* so the modes the tests see are the ones asked for */
	return sodium_init() < 0 ? -1 : 0;
}

static int
dir_setup(void **state)
{
	struct fix *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (testdir_make(f->dir, sizeof(f->dir), "keyring") == -1) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/root.key", f->dir);
	*state = f;
	return 0;
}

static int
dir_teardown(void **state)
{
	struct fix *f = *state;

	testdir_remove(f->dir);
	free(f);
	return 0;
}

/* Write LEN random bytes to PATH with MODE (set explicitly, not by umask). */
static void
write_key_file(const char *path, size_t len, mode_t mode,
    unsigned char *copy)
{
	unsigned char	buf[64];
	int		fd;

	assert_true(len <= sizeof(buf));
	randombytes_buf(buf, sizeof(buf));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	if (copy != NULL)
		memcpy(copy, buf, len);
}

static void
test_root_read_file_modes(void **state)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0620, 0602, 0660,
	    0666, 0610, 0601, 0770 };
	struct fix	*f = *state;
	unsigned char	*root;
	char		 err[KEYRING_ERR_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_key_file(f->path, KEYRING_KEY_LEN, bad[i], NULL);
		err[0] = '\0';
		root = (unsigned char *)1;
		assert_int_equal(keyring_root_read_file(f->path, &root, err,
		    sizeof(err)), -1);
		assert_null(root);
		assert_non_null(strstr(err, "chmod 600"));
		assert_non_null(strstr(err, f->path));
	}
}

static void
test_root_read_file_sizes(void **state)
{
	static const size_t bad[] = { 0, 16, 31, 33, 64 };
	struct fix	*f = *state;
	unsigned char	*root;
	char		 err[KEYRING_ERR_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_key_file(f->path, bad[i], 0600, NULL);
		err[0] = '\0';
		root = (unsigned char *)1;
		assert_int_equal(keyring_root_read_file(f->path, &root, err,
		    sizeof(err)), -1);
		assert_null(root);
		assert_non_null(strstr(err, "32"));
	}
}

static void
test_root_read_file_ok(void **state)
{
	struct fix	*f = *state;
	unsigned char	 want[64], *root = NULL;
	char		 err[KEYRING_ERR_MAX] = "";

	write_key_file(f->path, KEYRING_KEY_LEN, 0600, want);
	assert_int_equal(keyring_root_read_file(f->path, &root, err,
	    sizeof(err)), 0);
	assert_non_null(root);
	assert_memory_equal(root, want, KEYRING_KEY_LEN);
	keyring_secret_free(&root);
	assert_null(root);
	/* Owner-read-only is fine too. */
	write_key_file(f->path, KEYRING_KEY_LEN, 0400, want);
	assert_int_equal(keyring_root_read_file(f->path, &root, err,
	    sizeof(err)), 0);
	assert_memory_equal(root, want, KEYRING_KEY_LEN);
	keyring_secret_free(&root);
}

static void
test_root_read_file_not_regular(void **state)
{
	struct fix	*f = *state;
	unsigned char	*root;
	char		 err[KEYRING_ERR_MAX], link[160];

	/* Missing. */
	err[0] = '\0';
	assert_int_equal(keyring_root_read_file(f->path, &root, err,
	    sizeof(err)), -1);
	assert_null(root);
	assert_non_null(strstr(err, f->path));
	/* A directory. */
	err[0] = '\0';
	assert_int_equal(keyring_root_read_file(f->dir, &root, err,
	    sizeof(err)), -1);
	assert_null(root);
	assert_non_null(strstr(err, "not a regular file"));
	/* A symlink to a good key file is not followed. */
	write_key_file(f->path, KEYRING_KEY_LEN, 0600, NULL);
	snprintf(link, sizeof(link), "%s/link.key", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_equal(keyring_root_read_file(link, &root, err,
	    sizeof(err)), -1);
	assert_null(root);
	unlink(link);
}

static void
test_root_create_file(void **state)
{
	struct fix	*f = *state;
	struct stat	 st;
	unsigned char	*root = NULL, before[KEYRING_KEY_LEN];
	char		 err[KEYRING_ERR_MAX] = "", other[160];
	int		 fd;

	assert_int_equal(keyring_root_create_file(f->path, err, sizeof(err)),
	    0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, KEYRING_KEY_LEN);
	assert_int_equal(keyring_root_read_file(f->path, &root, err,
	    sizeof(err)), 0);
	memcpy(before, root, sizeof(before));
	keyring_secret_free(&root);

	/* An existing path is refused and left as it was. */
	err[0] = '\0';
	assert_int_equal(keyring_root_create_file(f->path, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, f->path));
	assert_int_equal(keyring_root_read_file(f->path, &root, err,
	    sizeof(err)), 0);
	assert_memory_equal(root, before, sizeof(before));
	keyring_secret_free(&root);

	/* A second key is different from the first. */
	snprintf(other, sizeof(other), "%s/second.key", f->dir);
	assert_int_equal(keyring_root_create_file(other, err, sizeof(err)), 0);
	assert_int_equal(keyring_root_read_file(other, &root, err,
	    sizeof(err)), 0);
	assert_memory_not_equal(root, before, sizeof(before));
	keyring_secret_free(&root);
	unlink(other);

	/* A path in a missing directory fails cleanly. */
	snprintf(other, sizeof(other), "%s/nodir/root.key", f->dir);
	assert_int_equal(keyring_root_create_file(other, err, sizeof(err)),
	    -1);
	fd = open(other, O_RDONLY);
	assert_int_equal(fd, -1);
}

/* Argon2id at moderate limits costs real time: three derivations only. */
static void
test_root_from_passphrase(void **state)
{
	static const char pass[] = "correct horse battery staple";
	unsigned char	 salt1[KEYRING_SALT_LEN], salt2[KEYRING_SALT_LEN];
	unsigned char	*a = NULL, *b = NULL, *c = NULL;

	(void)state;
	memset(salt1, 0x11, sizeof(salt1));
	memcpy(salt2, salt1, sizeof(salt2));
	salt2[KEYRING_SALT_LEN - 1] ^= 1;
	assert_int_equal(keyring_root_from_passphrase(pass, strlen(pass), salt1,
	    &a), 0);
	assert_int_equal(keyring_root_from_passphrase(pass, strlen(pass), salt1,
	    &b), 0);
	assert_int_equal(keyring_root_from_passphrase(pass, strlen(pass), salt2,
	    &c), 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_memory_equal(a, b, KEYRING_KEY_LEN);
	assert_memory_not_equal(a, c, KEYRING_KEY_LEN);
	keyring_secret_free(&a);
	keyring_secret_free(&b);
	keyring_secret_free(&c);
	assert_null(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root_read_file_modes,
		    dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_root_read_file_sizes,
		    dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_root_read_file_ok,
		    dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_root_read_file_not_regular,
		    dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_root_create_file,
		    dir_setup, dir_teardown),
		cmocka_unit_test(test_root_from_passphrase),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
