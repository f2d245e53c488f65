/* The facts document: gathering it from a sysroot and validating one read
 * from a file. */
#ifndef CHIPAUDIT_PROBE_FACTS_H
#define CHIPAUDIT_PROBE_FACTS_H

#include <jansson.h>
#include <stddef.h>

#include "core/sysroot.h"

/* 2: each device's vendor library values at accelerators[].vendor_library.NAME,
 * beside the vendor-neutral accelerators[].runtime (vendor/runtime.h);
 * 1: NVML's values at accelerators[].nvml. Older facts are read in the form
 * of the newest. */
#define FACTS_SCHEMA_VERSION 2
#define FACTS_SCHEMA_OLDEST 1

struct accdb;
struct probe_options;

/* Gather every section. Data that cannot be read is listed in
 * facts.limitations; a file whose content is malformed (possible only in a
 * captured tree, or a broken kernel) stops the probe: NULL, with err naming
 * the file and the problem. */
json_t *facts_gather(const struct sysroot *sr, const struct accdb *db,
		     const struct probe_options *opts, char *err, size_t errlen);

/* Validate an untrusted facts document; err = "NAME: where: problem". A
 * document of an older schema is brought to the current one first. */
int facts_validate(json_t *facts, const char *name, char *err, size_t errlen);

/* The entry of ACCELERATORS (facts.accelerators, or a report's) whose
 * pci_address is ADDRESS, or NULL. */
json_t *accelerator_by_address(const json_t *accelerators, const char *address);

/* Load and validate a facts file ("-" for stdin); returns NULL with err and
 * *error (CA_ERR_NOINPUT or CA_ERR_DATA). */
json_t *facts_load(const char *path, char *err, size_t errlen, int *error);

#endif
