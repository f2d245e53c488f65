/* The probe: reads the machine through the sysroot and writes facts.
 *
 * Facts are one JSON document. Each section of it is produced by one probe
 * (src/probe/<name>.c) and checked on load by the same module's validator,
 * so a facts file from elsewhere is held to what the probe would write. */
#ifndef CHIPAUDIT_PROBE_H
#define CHIPAUDIT_PROBE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/sysroot.h"

struct accdb;

#define PROBE_VENDOR_LIBRARIES_MAX 8

/* Options from the command line that shape what is gathered. */
struct probe_options {
	char **device_globs;      /* --device-node GLOB (repeatable): more accelerator device nodes */
	size_t n_device_globs;
	/* --vendor-library NAME=PATH: the library each backend loads instead
	 * of its default, by the backend's place in vendor_backends[]. */
	const char *vendor_library[PROBE_VENDOR_LIBRARIES_MAX];
	int measure;          /* enum measure_mode (src/measure/measure.h); 0: not measured */
	int measure_quiet;    /* no progress bar even on a terminal */
	int unused_;
};

struct probe_ctx {
	const struct sysroot *sysroot;
	const struct accdb *accdb;
	const struct probe_options *options;
	json_t *facts;        /* the document being built */
	int failed;           /* set by probe_fail */
	char error[512];
};

/* Malformed input: stop gathering, report "FILE: problem". First call wins. */
void probe_fail(struct probe_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Say plainly what could not be examined: appended to facts.limitations as
 * {"source": SOURCE, "reason": ...}. */
void probe_limitation(struct probe_ctx *ctx, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct probe_section {
	const char *name;     /* the top-level key it owns in facts */
	/* Fill facts[name]. Returns 0, or -1 when the section could not be
	 * gathered at all (a limitation has been recorded). */
	int (*gather)(struct probe_ctx *ctx);
	/* Validate facts[name] from an untrusted document; err = "name...: problem". */
	int (*validate)(const json_t *section, const json_t *facts, char *err, size_t errlen);
	int required;         /* must be present in every facts document */
};

extern const struct probe_section probe_sections[];
extern const size_t probe_section_count;

/* Each probe's entry points. */
int probe_host(struct probe_ctx *ctx);
int validate_host(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_pci(struct probe_ctx *ctx);
/* A --root tree must hold sys/bus/pci: without it nothing about accelerators
 * can be concluded. 0, or -1 with err = "DIR: what is missing" (and where
 * the tree's root probably is, one directory down). */
int probe_root_check(const struct sysroot *sr, char *err, size_t errlen);
int validate_accelerators(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_iommu(struct probe_ctx *ctx);
int validate_iommu(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_pcie(struct probe_ctx *ctx);
int validate_pcie(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_kernel(struct probe_ctx *ctx);
int validate_kernel(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_drivers(struct probe_ctx *ctx);
int validate_drivers(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_modules(struct probe_ctx *ctx);
int validate_modules(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_firmware(struct probe_ctx *ctx);
int validate_firmware(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_processes(struct probe_ctx *ctx);
int validate_processes(const json_t *section, const json_t *facts, char *err, size_t errlen);
/* For the --device-node option (src/cmd/common.c); defined in
 * src/probe/procdata.c. */
int device_glob_valid(const char *glob, char *err, size_t errlen);
/* One section per vendor backend, named after it (src/probe/vendor.c). */
int probe_vendors(struct probe_ctx *ctx);
int validate_vendors(const json_t *section, const json_t *facts, char *err, size_t errlen);
/* Make each accelerator's runtime record again from its vendor library
 * values: a record read from a file is never believed. FROM_V1: facts of
 * schema 1, whose values are moved from accelerators[].NAME to
 * accelerators[].vendor_library.NAME first. */
void vendor_records_rebuild(json_t *facts, bool from_v1);
/* The accelerators of DOC (a report that carries no facts) with schema 1's
 * accelerators[].NAME moved to accelerators[].vendor_library.NAME and their
 * runtime record made; those already in schema 2's form are left as they
 * are. */
void vendor_values_upgrade(json_t *doc);
/* The library --vendor-library names for backend NAME, or NULL (its default). */
const char *probe_vendor_library(const struct probe_options *opts, const char *name);
/* Set it from "NAME=PATH"; -1 with err when NAME is no backend or PATH empty. */
int probe_vendor_library_set(struct probe_options *opts, const char *spec, char *err, size_t errlen);
/* --nvml-library PATH, the older spelling of --vendor-library nvml=PATH. */
int probe_nvml_library_set(struct probe_options *opts, const char *path, char *err, size_t errlen);
int probe_kernel_xids(struct probe_ctx *ctx);
int validate_kernel_xids(const json_t *section, const json_t *facts, char *err, size_t errlen);
int probe_measure(struct probe_ctx *ctx);
int validate_measurement(const json_t *section, const json_t *facts, char *err, size_t errlen);

#endif
