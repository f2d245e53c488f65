/* Output files: every file a command writes goes through here.
 *
 * A regular file (or a new one) is replaced atomically: the bytes go to a
 * temporary file beside it, created with O_EXCL and the caller's mode under
 * the umask, flushed to disk and renamed over the target; a reader sees the
 * old file or the whole new one, and on any failure the temporary file is
 * removed and the old file stays as it was. "-" is standard output. An
 * existing file that is not regular (/dev/null, a terminal, a pipe) is
 * written directly, and never removed. A symbolic link to a regular file is
 * kept: the file it names is replaced. */
#ifndef CHIPAUDIT_OUTPUT_H
#define CHIPAUDIT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Never write through what exists at the path: whatever is there (a FIFO, a
 * device node, a symbolic link) is replaced by the new file. For secrets. */
#define OUTPUT_NEVER_THROUGH 1u

struct output {
	char *path;     /* the file written (a link's target once resolved) */
	char *tmp;      /* the temporary file; NULL when written directly */
	int fd;
	bool direct;    /* standard output or an existing non-regular file */
};

/* Open PATH for writing as above. 0, or CA_ERR_CANTCREAT with err =
 * "PATH: problem" and nothing left behind. */
int output_open(struct output *o, const char *path, mode_t mode, unsigned flags, char *err, size_t errlen);
/* 0, or CA_ERR_IO with err. */
int output_write(struct output *o, const void *data, size_t len, char *err, size_t errlen);
/* Flush and put the file in place. 0, or an error kind (core/error.h) with err, the
 * temporary file removed. Releases O either way. */
int output_commit(struct output *o, char *err, size_t errlen);
/* Give up: the temporary file is removed, a direct target left alone. */
void output_abort(struct output *o);

/* The whole of DATA to PATH: open, write, commit. */
int output_file(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		char *err, size_t errlen);

#endif
