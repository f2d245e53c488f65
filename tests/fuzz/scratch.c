#include "scratch.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void join(char *out, size_t len, const char *root, const char *rel)
{
	if ((size_t)snprintf(out, len, "%s%s%s", root, rel[0] == '/' ? "" : "/", rel) >= len)
		abort();
}

/* The tree a target made, removed when it exits: a test run leaves nothing
 * in /tmp. */
static char made_root[256];

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_made_root(void)
{
	nftw(made_root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remember_root(const char *root)
{
	if (made_root[0] != '\0')
		return;
	if ((size_t)snprintf(made_root, sizeof(made_root), "%s", root) >= sizeof(made_root) ||
	    atexit(remove_made_root) != 0)
		abort();
}

void scratch_mkdirs(const char *root, const char *rel)
{
	char path[512];

	remember_root(root);
	join(path, sizeof(path), root, rel);
	if (mkdir(root, 0755) != 0 && errno != EEXIST)
		abort();
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

void scratch_put(const char *root, const char *rel, const void *data, size_t n)
{
	char path[512];
	FILE *f;

	join(path, sizeof(path), root, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(data, 1, n, f);
	fclose(f);
}

void scratch_link(const char *root, const char *target, const char *rel)
{
	char path[512];

	join(path, sizeof(path), root, rel);
	if (symlink(target, path) != 0 && errno != EEXIST)
		abort();
}

void scratch_fifo(const char *root, const char *rel)
{
	char path[512];

	join(path, sizeof(path), root, rel);
	unlink(path);
	if (mkfifo(path, 0644) != 0)
		abort();
}
