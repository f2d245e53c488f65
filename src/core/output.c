#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int fail(char *err, size_t errlen, const char *path, int errnum, int code)
{
	snprintf(err, errlen, "%s: %s", path, strerror(errnum));
	return code;
}

static void release(struct output *o)
{
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	o->fd = -1;
}

/* A new file beside PATH, named PATH.tmpXXXXXX, created with O_EXCL: never an
 * existing file, link or FIFO that someone else put there. */
static int create_temporary(struct output *o, mode_t mode)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];

	for (int attempt = 0; attempt < 100; attempt++) {
		char suffix[sizeof(r) + 1];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		for (size_t i = 0; i < sizeof(r); i++)
			suffix[i] = letters[r[i] % (sizeof(letters) - 1)];
		suffix[sizeof(r)] = '\0';
		free(o->tmp);
		o->tmp = xasprintf("%s.tmp%s", o->path, suffix);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static int open_direct(struct output *o, const char *path, char *err, size_t errlen)
{
	o->direct = true;
	o->fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	if (o->fd < 0) {
		int code = fail(err, errlen, path, errno, CA_ERR_CANTCREAT);
		release(o);
		return code;
	}
	return 0;
}

/* Where a symbolic link's regular target is, when it is a path that can be
 * renamed over (not /proc/self/fd/N naming a deleted file): else NULL. */
static char *link_target(const char *path, const struct stat *target)
{
	char *real = realpath(path, NULL);
	struct stat st;

	if (real && lstat(real, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == target->st_dev &&
	    st.st_ino == target->st_ino)
		return real;
	free(real);
	return NULL;
}

int output_open(struct output *o, const char *path, mode_t mode, unsigned flags, char *err, size_t errlen)
{
	struct stat st, target;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (strcmp(path, "-") == 0) {
		o->path = xstrdup("<stdout>");
		o->fd = STDOUT_FILENO;
		o->direct = true;
		fflush(stdout);
		return 0;
	}
	o->path = xstrdup(path);
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			int code = fail(err, errlen, path, errno, CA_ERR_CANTCREAT);
			release(o);
			return code;
		}
	} else if (S_ISDIR(st.st_mode)) {
		release(o);
		return fail(err, errlen, path, EISDIR, CA_ERR_CANTCREAT);
	} else if (S_ISLNK(st.st_mode) && !(flags & OUTPUT_NEVER_THROUGH)) {
		char *real;
		if (stat(path, &target) != 0) {
			snprintf(err, errlen, "%s: a symbolic link to nothing (%s)", path, strerror(errno));
			release(o);
			return CA_ERR_CANTCREAT;
		}
		if (!S_ISREG(target.st_mode) || (real = link_target(path, &target)) == NULL)
			return open_direct(o, path, err, errlen);
		free(o->path);
		o->path = real;
	} else if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !(flags & OUTPUT_NEVER_THROUGH)) {
		return open_direct(o, path, err, errlen);
	}
	if (create_temporary(o, mode) != 0) {
		int code = fail(err, errlen, path, errno, CA_ERR_CANTCREAT);
		release(o);
		return code;
	}
	return 0;
}

int output_write(struct output *o, const void *data, size_t len, char *err, size_t errlen)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(err, errlen, o->path, errno, CA_ERR_IO);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sync_directory(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static int commit_direct(struct output *o, char *err, size_t errlen)
{
	int rc = 0;

	if (o->fd != STDOUT_FILENO && close(o->fd) != 0)
		rc = fail(err, errlen, o->path, errno, CA_ERR_IO);
	release(o);
	return rc;
}

int output_commit(struct output *o, char *err, size_t errlen)
{
	int rc, saved;

	if (o->direct)
		return commit_direct(o, err, errlen);
	/* fsync before rename: else a crash can leave the new name on empty data */
	if (fsync(o->fd) != 0 || close(o->fd) != 0) {
		saved = errno;
		o->fd = -1;
		rc = fail(err, errlen, o->path, saved, CA_ERR_IO);
		output_abort(o);
		return rc;
	}
	o->fd = -1;
	if (rename(o->tmp, o->path) != 0) {
		rc = fail(err, errlen, o->path, errno, CA_ERR_CANTCREAT);
		output_abort(o);
		return rc;
	}
	sync_directory(o->path);
	release(o);
	return 0;
}

void output_abort(struct output *o)
{
	if (o->path == NULL)
		return;
	if (!o->direct) {
		if (o->fd >= 0)
			close(o->fd);
		unlink(o->tmp);
	} else if (o->fd >= 0 && o->fd != STDOUT_FILENO) {
		close(o->fd);
	}
	release(o);
}

int output_file(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		char *err, size_t errlen)
{
	struct output o;
	int rc = output_open(&o, path, mode, flags, err, errlen);

	if (rc != 0)
		return rc;
	if ((rc = output_write(&o, data, len, err, errlen)) != 0) {
		output_abort(&o);
		return rc;
	}
	return output_commit(&o, err, errlen);
}
