#include "parse/pathlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static void add(struct pathlist *list, size_t *cap, const char *s, size_t n)
{
	if (list->count == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		list->paths = xreallocarray(list->paths, *cap, sizeof(*list->paths));
	}
	list->paths[list->count++] = xstrndup(s, n);
}

int pathlist_parse(const char *data, size_t len, const char *name, struct pathlist *list, char *err, size_t errlen)
{
	const char *p = data, *end = data + len;
	size_t cap = 0, line = 0;

	list->paths = NULL;
	list->count = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p);

		line++;
		if (memchr(p, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%zu: a NUL byte in a file name", name, line);
			goto fail;
		}
		if (n > PATHLIST_MAX_PATH) {
			snprintf(err, errlen, "%s:%zu: a file name longer than %d bytes", name, line, PATHLIST_MAX_PATH);
			goto fail;
		}
		if (n > 0)
			add(list, &cap, p, n);
		p = nl ? nl + 1 : end;
	}
	return 0;
fail:
	pathlist_free(list);
	return -1;
}

void pathlist_free(struct pathlist *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->paths[i]);
	free(list->paths);
	list->paths = NULL;
	list->count = 0;
}
