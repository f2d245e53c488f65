/* JSON helpers on top of jansson: strict loading with located errors,
 * validation helpers that name the offending member, and accessors for checks. */
#ifndef CHIPAUDIT_JSON_H
#define CHIPAUDIT_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest JSON document accepted from a file (facts, reports, data, specs). */
#define JSON_MAX_DOCUMENT (64u * 1024 * 1024)

/* Parse a buffer strictly (no duplicate keys, one value, no NUL bytes).
 * On error: NULL and err = "NAME:LINE:COL: problem". */
json_t *json_parse_strict(const char *buf, size_t len, const char *name, char *err, size_t errlen);

/* Read and parse PATH ("-" for standard input). *error gets CA_ERR_NOINPUT
 * when the file cannot be read and CA_ERR_DATA when it is malformed. */
json_t *json_load_path(const char *path, char *err, size_t errlen, int *error);

/* Validation. Each returns 0 when valid, else -1 with err = "WHERE.KEY: problem".
 * Flags: */
enum { JV_REQUIRED = 1, JV_NULLABLE = 2 };
int jv_object(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen);
int jv_array(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen);
int jv_string(const json_t *parent, const char *key, int flags, size_t maxlen, const char *where, char *err, size_t errlen);
int jv_hex(const json_t *parent, const char *key, int flags, size_t digits, const char *where, char *err, size_t errlen);
int jv_integer(const json_t *parent, const char *key, int flags, json_int_t min, json_int_t max, const char *where, char *err, size_t errlen);
int jv_number(const json_t *parent, const char *key, int flags, double min, double max, const char *where, char *err, size_t errlen);
int jv_boolean(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen);
/* All elements of array KEY are strings of at most maxlen bytes. */
int jv_string_array(const json_t *parent, const char *key, int flags, size_t maxlen, const char *where, char *err, size_t errlen);
bool is_hex_string(const char *s, size_t digits);
/* OBJ has no member outside ALLOWED (n names): strict formats (policies,
 * data files) refuse a misspelt member instead of ignoring it. */
int jv_only_members(const json_t *obj, const char *const *allowed, size_t n, const char *where,
		    char *err, size_t errlen);

/* Accessors: NULL / false when absent, null or of another type. */
const char *jstr(const json_t *obj, const char *key);
bool jint(const json_t *obj, const char *key, json_int_t *out);
bool jnum(const json_t *obj, const char *key, double *out);   /* integer or real */
bool jbool(const json_t *obj, const char *key, bool *out);
json_t *jobj(const json_t *obj, const char *key);
json_t *jarr(const json_t *obj, const char *key);
/* The member at a dotted PATH ("power_mw.enforced_limit"), or NULL when a
 * step is absent or not an object, or the member is null. */
const json_t *jpath(const json_t *obj, const char *path);
/* The object that holds PATH's last member (*LEAF), creating the objects on
 * the way when CREATE; NULL when a step is not an object. */
json_t *jpath_parent(json_t *obj, const char *path, const char **leaf, bool create);

json_t *json_string_lossy(const char *value);

/* Set helpers that accept NULL strings (stored as JSON null). */
void jset_str(json_t *obj, const char *key, const char *value);
void jset_int(json_t *obj, const char *key, json_int_t value);
void jset_bool(json_t *obj, const char *key, bool value);
void jset_num(json_t *obj, const char *key, double value);  /* NaN -> null */
void jset(json_t *obj, const char *key, json_t *value);      /* steals; NULL -> null */

/* Serialise with our conventions (2-space indent, key order kept). Caller frees. */
char *json_to_text(const json_t *v, bool pretty);
/* The same followed by a newline: a document as a file holds it. */
char *json_to_text_nl(const json_t *v, bool pretty);

#endif
