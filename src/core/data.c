#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sysroot.h"
#include "util.h"

static const char *override_dir;

void data_set_dir(const char *dir)
{
	override_dir = dir;
}

const char *data_dir(void)
{
	if (override_dir)
		return override_dir;
	return getenv("CHIPAUDIT_DATA_DIR");
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
