/* The DCMI facts: what the Ascend backend writes about each NPU chip, as a
 * table of members with their types and ranges (as nvml_facts.h does for
 * NVML).
 *
 * The table serves the backend (a value out of range becomes null with the
 * reason), the validators (a captured dcmi.json or a facts file is hostile
 * input) and the runtime description (members read by dotted path). Each
 * device object carries "unavailable": {PATH: reason} for every null member.
 * docs/vendors.md lists the members and the DCMI call behind each. */
#ifndef CHIPAUDIT_DCMI_FACTS_H
#define CHIPAUDIT_DCMI_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Where `chipaudit snapshot` keeps the section and --root reads it back. */
#define DCMI_CAPTURE_PATH "/var/lib/chipaudit-capture/dcmi.json"
/* Most NPU chips one host reports that we describe (64 cards x 4 chips). */
#define DCMI_MAX_DEVICES 256

/* Names of DCMI's enumerations as facts spell them. */
extern const char *const dcmi_health_names[];   /* indexed by health 0..3 */
extern const char *const dcmi_network_names[];  /* indexed by dcmi_rdfx_detect_result 0..8 */

/* Setting members of a device (or the section) by dotted path; a value the
 * table does not allow is stored as null with the reason. */
void df_set_int(json_t *obj, const char *path, long long value);
void df_set_bool(json_t *obj, const char *path, bool value);
void df_set_str(json_t *obj, const char *path, const char *value);
/* A string from a buffer of SIZE bytes the library filled: NUL-terminated
 * inside it, printable and within the table's length. */
void df_set_buffer(json_t *obj, const char *path, const void *buf, size_t size);
/* An enumeration value VALUE, named by NAMES (NULL-terminated). */
void df_set_enum(json_t *obj, const char *path, const char *const *names, long long value);
void df_set_json(json_t *obj, const char *path, json_t *value);
void df_unavailable(json_t *obj, const char *path, const char *reason);

/* Reading: NULL (false) when absent or null. */
const json_t *df_get(const json_t *obj, const char *path);
bool df_int(const json_t *obj, const char *path, long long *out);
bool df_bool(const json_t *obj, const char *path, bool *out);
const char *df_str(const json_t *obj, const char *path);
/* Why PATH is null, or "not reported". */
const char *df_why(const json_t *obj, const char *path);

/* Validation of hostile documents; err = "WHERE.member: problem". */
int dcmi_validate_device(const json_t *dev, const char *where, char *err, size_t errlen);
int dcmi_validate_system(const json_t *section, const char *where, char *err, size_t errlen);
int dcmi_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen);

#endif
