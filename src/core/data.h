/* Data files (data/NAME.json): embedded at build time, overridable with
 * --data-dir DIR or CHIPAUDIT_DATA_DIR for updated rules and bulletins. */
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

/* Use DIR instead of the embedded copies (NULL: embedded). */
void data_set_dir(const char *dir);
const char *data_dir(void);

/* Load data file NAME ("accelerators.json") as JSON. On error returns NULL
 * with err = "data/NAME: problem" (or the override path). */
json_t *data_load(const char *name, char *err, size_t errlen);

#endif
