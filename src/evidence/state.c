#include "evidence/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

char *state_path(const char *dir, const char *name)
{
	return path_join(dir, name);
}
