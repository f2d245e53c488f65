#include "scratch.h"

#include <errno.h>
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

void scratch_mkdirs(const char *root, const char *rel)
{
	char path[512];

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
