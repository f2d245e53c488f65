/* Data files (data/NAME.json): embedded at build time, overridable with
 * --data-dir DIR or CHIPAUDIT_DATA_DIR for updated rules and bulletins, and
 * read from the installed copy (meson option default_data_dir) when the
 * binary was built with one and it exists. */
#ifndef CHIPAUDIT_DATA_H
#define CHIPAUDIT_DATA_H

#include <jansson.h>
#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct embedded_file embedded_data[];

/* Use DIR instead of the installed or embedded copies ("": embedded). */
void data_set_dir(const char *dir);
/* The directory data files are read from; NULL or "": the embedded copies. */
const char *data_dir(void);

/* Load data file NAME ("accelerators.json") as JSON. On error returns NULL
 * with err = "data/NAME: problem" (or the override path). */
json_t *data_load(const char *name, char *err, size_t errlen);

#endif
