/* A list of file names, one per line, as `verify --files-from FILE` reads
 * it: a fleet's batch of reports can be longer than a command line may be. */
#ifndef CHIPAUDIT_PATHLIST_H
#define CHIPAUDIT_PATHLIST_H

#include <stddef.h>

#define PATHLIST_MAX_BYTES ((size_t)256 << 20)
#define PATHLIST_MAX_PATH 4096

struct pathlist {
	char **paths;
	size_t count;
};

/* Split DATA (LEN bytes, untrusted) into paths, one per line. Empty lines
 * are skipped, as tar -T does; a NUL byte or a line longer than
 * PATHLIST_MAX_PATH is an error, err = "NAME:LINE: problem". 0 or -1; on
 * success free LIST with pathlist_free. */
int pathlist_parse(const char *data, size_t len, const char *name, struct pathlist *list, char *err, size_t errlen);
void pathlist_free(struct pathlist *list);

#endif
