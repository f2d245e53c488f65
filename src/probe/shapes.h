/* Where the drift checks and `chipaudit diff` find the facts other areas
 * gather. Every path into another area's section is here, in one file, so
 * that a change of shape is one edit; docs/evidence.md lists them. Every
 * accessor tolerates an absent section or member (NULL / false): the caller
 * then says what it could not compare. */
#ifndef CHIPAUDIT_SHAPES_H
#define CHIPAUDIT_SHAPES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"

/* A number at PATH (integer or real). */
bool jpath_num(const json_t *obj, const char *path, double *out);

/* facts.accelerators[] whose pci_address is ADDR. */
const json_t *shape_accelerator(const json_t *facts, const char *addr);
/* The entry of LIST whose NAME_OF is NAME (modules by name, firmware by path). */
const json_t *shape_find_named(const json_t *list, const char *(*name_of)(const json_t *), const char *name);

/* Power and clock limits of an accelerator: a value lower than before is a
 * cap that appeared (accelerators[].nvml as src/vendor/nvml_facts.c
 * writes and validates it). */
struct limit_field {
	const char *path;    /* below the accelerator object */
	const char *label;   /* for messages */
	const char *unit;
	double scale;        /* value * scale = value in unit */
};
extern const struct limit_field shape_limit_fields[];
extern const size_t shape_limit_field_count;

/* Measured dense throughput per precision, {"fp16": 148.1, ...} (* accelerators[].measured.dense_tops, src/measure/validate.c), or NULL. */
const json_t *shape_measured_tops(const json_t *acc);
/* Whether the figure at PRECISION is a lower bound from chipaudit's PTX
 * kernels rather than a cuBLASLt figure (accelerators[].measured.approximate). */
bool shape_measured_approximate(const json_t *acc, const char *precision);
/* Other measured members diff shows (bandwidths, method), by path below the accelerator. */
extern const char *const shape_measured_paths[];
extern const size_t shape_measured_path_count;

/* Identity and firmware members of an accelerator diff shows. */
extern const char *const shape_accelerator_paths[];
extern const size_t shape_accelerator_path_count;

/* A member diff compares, by PATH below an entry, shown as WHAT. */
struct shape_member {
	const char *what;
	const char *path;
};

/* Kernel modules (src/probe/modules.c): facts.modules.list[] of
 * {name, version, file: {path, sha256, ...} or null for a built-in one}. */
const json_t *shape_modules(const json_t *facts);
const char *shape_module_name(const json_t *m);
const char *shape_module_version(const json_t *m);
const char *shape_module_sha256(const json_t *m);
/* What diff compares of a module; the first is its digest. */
extern const struct shape_member shape_module_members[];
extern const size_t shape_module_member_count;
/* The kernel release whose modules were examined (modules.release), else
 * the running kernel (host.kernel). */
const char *shape_kernel_release(const json_t *facts);

/* Firmware files (src/probe/firmware.c): facts.firmware[] is one
 * entry per driver firmware directory, {driver, directory, exists, files:
 * [{path, size, sha256 or null, error}]}. The files of all of them, in one
 * new array (the caller releases it), or NULL when facts has no firmware. */
json_t *shape_firmware_files(const json_t *facts);
const char *shape_firmware_path(const json_t *f);
const char *shape_firmware_sha256(const json_t *f);
/* What diff compares of a firmware file; the first is its digest. */
extern const struct shape_member shape_firmware_members[];
extern const size_t shape_firmware_member_count;

/* The accelerator driver versions, as one sorted, comma-separated string
 * ("nvidia 570.124.06"), from facts.drivers[].version, and
 * facts.nvml.driver_version as the nvidia driver's version where
 * drivers[] does not know it (NVML reports the loaded kernel driver's
 * version: the same driver, named once). Caller frees; NULL when none is known. */
char *shape_driver_versions(const json_t *facts);

/* Processes (src/probe/procs.c, procs_validate.c): the inspected
 * device users, facts.processes.device_users[] (NULL when processes is null,
 * as gathered without /proc); a device user holds an accelerator device
 * node ("devices" not empty). */
const json_t *shape_processes(const json_t *facts);
bool shape_is_device_user(const json_t *proc);
/* What names a process across reboots: its executable, else its command
 * (/proc/PID/comm). */
const char *shape_process_identity(const json_t *proc);
/* Its network peers, "ADDRESS:PORT" (IPv6 in brackets), loopback and
 * unconnected sockets left out: a new array. */
json_t *shape_network_peers(const json_t *proc);

#endif
