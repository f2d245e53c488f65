/* libFuzzer target: the file list `verify --files-from` reads. Every path
 * it returns is a non-empty line of the input, without NUL or newline, no
 * longer than the limit, and the paths in order are the input's lines. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/pathlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pathlist list;
	char err[256];
	const char *p = (const char *)data;
	size_t left = size;

	if (pathlist_parse((const char *)data, size, "fuzz", &list, err, sizeof(err)) != 0) {
		if (strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	for (size_t i = 0; i < list.count; i++) {
		size_t n = strlen(list.paths[i]);
		if (n == 0 || n > PATHLIST_MAX_PATH || memchr(list.paths[i], '\n', n) != NULL)
			abort();
		while (left > 0 && *p == '\n') {  /* the empty lines skipped */
			p++;
			left--;
		}
		if (left < n || memcmp(p, list.paths[i], n) != 0 || (left > n && p[n] != '\n'))
			abort();
		p += n;
		left -= n;
	}
	while (left > 0 && *p == '\n') {
		p++;
		left--;
	}
	if (left != 0)  /* every line was returned */
		abort();
	pathlist_free(&list);
	return 0;
}
