/* The HLML facts: what the Intel Gaudi backend writes about each device, as a
 * table of members with their types and ranges (as nvml_facts.h does for
 * NVML).
 *
 * The table serves the backend (a value out of range becomes null with the
 * reason), the validators (a captured hlml.json or a facts file is hostile
 * input) and the runtime description (members read by dotted path). Each
 * device object carries "unavailable": {PATH: reason} for every null member.
 * docs/vendors.md lists the members and the HLML call behind each. */
#ifndef CHIPAUDIT_HLML_FACTS_H
#define CHIPAUDIT_HLML_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Where `chipaudit snapshot` keeps the section and --root reads it back. */
#define HLML_CAPTURE_PATH "/var/lib/chipaudit-capture/hlml.json"
/* Most Gaudi devices one host reports that we describe (HLS servers hold 8). */
#define HLML_MAX_DEVICES 64


/* Setting members of a device (or the section) by dotted path; a value the
 * table does not allow is stored as null with the reason. */
void hf_set_int(json_t *obj, const char *path, long long value);
void hf_set_bool(json_t *obj, const char *path, bool value);
void hf_set_str(json_t *obj, const char *path, const char *value);
/* A string from a buffer of SIZE bytes the library filled: NUL-terminated
 * inside it, printable and within the table's length. */
void hf_set_buffer(json_t *obj, const char *path, const void *buf, size_t size);
/* An enumeration value VALUE, named by NAMES (NULL-terminated). */
void hf_set_enum(json_t *obj, const char *path, const char *const *names, long long value);
void hf_set_json(json_t *obj, const char *path, json_t *value);
void hf_unavailable(json_t *obj, const char *path, const char *reason);

/* Reading: NULL (false) when absent or null. */
const json_t *hf_get(const json_t *obj, const char *path);
bool hf_int(const json_t *obj, const char *path, long long *out);
bool hf_bool(const json_t *obj, const char *path, bool *out);
const char *hf_str(const json_t *obj, const char *path);
/* Why PATH is null, or "not reported". */
const char *hf_why(const json_t *obj, const char *path);

/* Validation of hostile documents; err = "WHERE.member: problem". */
int hlml_validate_device(const json_t *dev, const char *where, char *err, size_t errlen);
int hlml_validate_system(const json_t *section, const char *where, char *err, size_t errlen);
int hlml_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen);

#endif
