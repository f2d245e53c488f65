/* The AMD SMI facts: what the AMD backend writes about each GPU, as a table
 * of members with their types and ranges (the same design as nvml_facts.h).
 *
 * One table serves the backend (a value out of range becomes null with the
 * reason), the validators (a captured amdsmi.json or a facts file is
 * hostile input) and the runtime record (members read by dotted path).
 * Each device object carries "unavailable": {PATH: reason} for every member
 * that is null. docs/vendors.md lists them. */
#ifndef CHIPAUDIT_AMDSMI_FACTS_H
#define CHIPAUDIT_AMDSMI_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where `chipaudit snapshot` stores the backend's output in a captured tree,
 * and where --root reads it back. */
#define AMDSMI_CAPTURE_PATH "/var/lib/chipaudit-capture/amdsmi.json"
/* Most GPUs one AMD SMI instance reports that we describe. */
#define AMDSMI_MAX_DEVICES 1024
/* Most processes listed per GPU. */
#define AMDSMI_MAX_PROCESSES 1024

/* A slowdown cause AMD SMI reports, and its name in facts. */
struct amdsmi_throttler {
	uint64_t bit;
	const char *name;
};
/* The ASIC-independent throttler bits of gpu_metrics.indep_throttle_status
 * (the kernel's SMU_THROTTLER_*_BIT, drivers/gpu/drm/amd/pm/swsmu/inc/amdgpu_smu.h). */
extern const struct amdsmi_throttler amdsmi_throttlers[];
extern const size_t amdsmi_throttler_count;
/* The violations amdsmi_get_violation_status reports, in facts' names. */
extern const char *const amdsmi_violations[];     /* NULL-terminated */

extern const char *const amdsmi_compute_partitions[];  /* "SPX", "DPX", ... */
extern const char *const amdsmi_memory_partitions[];   /* "NPS1", ... */
extern const char *const amdsmi_xgmi_states[];         /* indexed by amdsmi_xgmi_status_t */

/* Setting members of a device or section object by dotted path; a value
 * outside the table is stored as null with "unavailable"[PATH] = why. */
void af_set_int(json_t *obj, const char *path, long long value);
/* An unsigned value from the library: above INT64_MAX is out of range. */
void af_set_u64(json_t *obj, const char *path, uint64_t value);
void af_set_bool(json_t *obj, const char *path, bool value);
void af_set_str(json_t *obj, const char *path, const char *value);
/* A string from a buffer of SIZE bytes filled by the library: it must be
 * NUL-terminated inside the buffer, printable and within the table's length. */
void af_set_buffer(json_t *obj, const char *path, const char *buf, size_t size);
void af_set_json(json_t *obj, const char *path, json_t *value);
void af_unavailable(json_t *obj, const char *path, const char *reason);

/* Reading: the member at PATH, or NULL when absent or null. */
const json_t *af_get(const json_t *obj, const char *path);
bool af_int(const json_t *obj, const char *path, long long *out);
const char *af_str(const json_t *obj, const char *path);
/* Why PATH is null, or "not reported". */
const char *af_why(const json_t *obj, const char *path);

/* The names of the throttler bits set in BITS. */
json_t *amdsmi_throttler_names(uint64_t bits);

/* Validation of hostile documents; err = "WHERE.member: problem". */
int amdsmi_validate_device(const json_t *dev, const char *where, char *err, size_t errlen);
int amdsmi_validate_system(const json_t *section, const char *where, char *err, size_t errlen);
int amdsmi_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen);

#endif
