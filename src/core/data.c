#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "sysroot.h"
#include "util.h"

/* The installed copy (meson option default_data_dir, /usr/share/chipaudit in
 * the Debian package), read when it exists; empty in a build tree, which
 * reads only what is built in. */
#ifndef CHIPAUDIT_DEFAULT_DATA_DIR
#define CHIPAUDIT_DEFAULT_DATA_DIR ""
#endif

static const char *override_dir;

void data_set_dir(const char *dir)
{
	override_dir = dir;
}

/* Decided once, so that every file of one run comes from the same place. */
static const char *default_dir(void)
{
	static int decided;
	static const char *dir;
	struct stat st;

	if (!decided) {
		decided = 1;
		if (*CHIPAUDIT_DEFAULT_DATA_DIR && stat(CHIPAUDIT_DEFAULT_DATA_DIR, &st) == 0 && S_ISDIR(st.st_mode))
			dir = CHIPAUDIT_DEFAULT_DATA_DIR;
	}
	return dir;
}

/* --data-dir, else CHIPAUDIT_DATA_DIR, else the installed copy when present;
 * NULL or "" (an empty --data-dir or variable) means the embedded copy. */
const char *data_dir(void)
{
	const char *env;

	if (override_dir)
		return override_dir;
	env = getenv("CHIPAUDIT_DATA_DIR");
	if (env)
		return env;
	return default_dir();
}

json_t *data_load(const char *name, char *err, size_t errlen)
{
	const char *dir = data_dir();

	if (dir && *dir) {
		char *path = path_join(dir, name);
		int code;
		json_t *v = json_load_path(path, err, errlen, &code);
		free(path);
		return v;
	}
	for (const struct embedded_file *f = embedded_data; f->name; f++) {
		if (strcmp(f->name, name) == 0) {
			char label[256];
			snprintf(label, sizeof(label), "data/%s", name);
			return json_parse_strict(f->data, f->len, label, err, errlen);
		}
	}
	snprintf(err, errlen, "data/%s: not built into this binary", name);
	return NULL;
}
