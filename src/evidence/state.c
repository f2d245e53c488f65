#include "evidence/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sysroot.h"
#include "core/util.h"

const char *state_dir(const char *option, bool *chosen)
{
	const char *env = getenv(STATE_ENV);

	*chosen = true;
	if (option && *option)
		return option;
	if (env && *env)
		return env;
	*chosen = false;
	return STATE_DEFAULT_DIR;
}

/* Keys and history are kept only where nobody else can put or swap files:
 * a directory of the caller's own that group and others cannot write. A
 * reader (OWNER_TOO false) may read another user's, not one anybody may
 * swap files in. */
static int state_trusted(const char *dir, const struct stat *st, bool owner_too, char *err, size_t errlen)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		errno = ENOTDIR;
		return -1;
	}
	if (owner_too && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by this user (uid %u): refusing to use it "
			 "for keys and history", dir, (unsigned)st->st_uid, (unsigned)geteuid());
		errno = EPERM;
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: writable by %s (mode %04o): refusing to use it for keys and history; "
			 "chmod go-w it", dir, (st->st_mode & S_IWOTH) ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}

int state_ensure(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST) {
		int saved = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(saved));
		errno = saved;
		return -1;
	}
	if (stat(dir, &st) != 0) {
		int saved = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(saved));
		errno = saved;
		return -1;
	}
	return state_trusted(dir, &st, true, err, errlen);
}

int state_check(const char *dir, bool owner_too, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		int saved = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(saved));
		errno = saved;
		return -1;
	}
	return state_trusted(dir, &st, owner_too, err, errlen);
}

char *state_path(const char *dir, const char *name)
{
	return path_join(dir, name);
}
