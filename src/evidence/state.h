/* The state directory: the host key and the history of audits.
 * `--state DIR`, else $CHIPAUDIT_STATE, else /var/lib/chipaudit. */
#ifndef CHIPAUDIT_STATE_H
#define CHIPAUDIT_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_DEFAULT_DIR "/var/lib/chipaudit"
#define STATE_ENV "CHIPAUDIT_STATE"

/* The directory to use. *chosen is true when the user named it (option or
 * environment), false for the default. */
const char *state_dir(const char *option, bool *chosen);

/* Create DIR (mode 0700) when missing; its parent must exist. An existing
 * DIR must be a directory owned by the caller that neither group nor others
 * may write. 0, or -1 with err = "DIR: problem" and errno set. */
int state_ensure(const char *dir, char *err, size_t errlen);

/* The same test of an existing DIR, creating nothing; with OWNER_TOO false
 * (a reader of history), only that group and others cannot write it. */
int state_check(const char *dir, bool owner_too, char *err, size_t errlen);

/* DIR/NAME; caller frees. */
char *state_path(const char *dir, const char *name);

#endif
