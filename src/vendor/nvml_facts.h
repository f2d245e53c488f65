/* The NVML facts: what the NVML backend writes about each GPU, as a table of
 * members with their types and ranges.
 *
 * The one table serves three readers: the backend (a value out of range
 * becomes null with the reason, so the probe never writes facts that fail
 * validation), the validators (a captured nvml.json or a facts file is
 * hostile input: every member is held to its type and range), and the checks
 * (members are read by their dotted path, "power_mw.enforced_limit"). Each
 * device object carries "unavailable": {PATH: reason} for every member that
 * is null, so a check that cannot judge says why. docs/nvml.md lists them. */
#ifndef CHIPAUDIT_NVML_FACTS_H
#define CHIPAUDIT_NVML_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where `chipaudit snapshot` stores the backend's output in a captured tree,
 * and where --root reads it back. */
#define NVML_CAPTURE_PATH "/var/lib/chipaudit-capture/nvml.json"
/* Most GPUs one NVML instance reports that we describe. */
#define NVML_MAX_DEVICES 1024

/* Clock event reason bits and their names in facts, in bit order. */
struct nvml_reason {
	uint64_t bit;
	const char *name;
};
extern const struct nvml_reason nvml_reasons[];
extern const size_t nvml_reason_count;

/* Names of enumerations as facts spell them. */
extern const char *const nvml_compute_modes[];        /* indexed by nvmlComputeMode_t */
extern const char *const nvml_operation_modes[];      /* indexed by nvmlGpuOperationMode_t */
extern const char *const nvml_virtualization_modes[]; /* indexed by nvmlGpuVirtualizationMode_t */
extern const char *const nvml_cc_environments[];      /* indexed by environment */

/* Setting members of a device object by dotted path. Every setter checks the
 * value against the table: a value outside it is stored as null, with
 * "unavailable"[PATH] = the reason. */
void nf_set_int(json_t *dev, const char *path, long long value);
void nf_set_bool(json_t *dev, const char *path, bool value);
/* A string from a buffer of SIZE bytes filled by the library: it must be
 * NUL-terminated inside the buffer, printable and within the table's length. */
void nf_set_buffer(json_t *dev, const char *path, const char *buf, size_t size);
void nf_set_str(json_t *dev, const char *path, const char *value);
void nf_set_base64(json_t *dev, const char *path, const unsigned char *data, size_t len);
/* Null, with the reason. */
void nf_unavailable(json_t *dev, const char *path, const char *reason);
/* Set an arbitrary JSON value (arrays) at PATH, stealing it. */
void nf_set_json(json_t *dev, const char *path, json_t *value);

/* Reading: the member at PATH, or NULL when absent or null. */
const json_t *nf_get(const json_t *dev, const char *path);
bool nf_int(const json_t *dev, const char *path, long long *out);
bool nf_bool(const json_t *dev, const char *path, bool *out);
const char *nf_str(const json_t *dev, const char *path);
/* Why PATH is null ("not supported by this GPU"), or "not reported". */
const char *nf_why(const json_t *dev, const char *path);

/* "00000000:18:00.0" (NVML's bus id) -> "0000:18:00.0" (the kernel's form).
 * Returns 0, or -1 when IN is not a bus id. OUT holds at least 16 bytes. */
int nvml_bus_id_normalise(const char *in, char *out, size_t outlen);

/* Decode clock event reason bits into a JSON array of names. */
json_t *nvml_reason_names(uint64_t bits);

/* Validation of hostile documents; err = "WHERE.member: problem". */
int nvml_validate_device(const json_t *dev, const char *where, char *err, size_t errlen);
/* The members of the top-level section (available, versions, confidential
 * computing, lost devices) but not its device list. */
int nvml_validate_system(const json_t *section, const char *where, char *err, size_t errlen);
/* A whole capture: system members plus "devices": [device objects] with
 * distinct PCI addresses. */
int nvml_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen);

#endif
