/* The HLML facts table, its setters, readers and validators (hlml_facts.h). */
#include "vendor/hlml_facts.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

enum hf_kind { HF_STR, HF_INT, HF_BOOL, HF_HEX4, HF_ENUM, HF_ARRAY };
enum { SCOPE_DEV = 1, SCOPE_SYS = 2, SCOPE_ITEM = 4 };

struct hf_field {
	const char *path;
	enum hf_kind kind;
	int scope;
	long long min, max;             /* HF_INT range; HF_STR: max length */
	const char *const *values;      /* HF_ENUM: NULL-terminated names */
	const struct hf_field *items;   /* HF_ARRAY: the members of each element */
	size_t item_count;
	size_t max_items;
};

#define MHZ_MAX 100000                 /* no clock domain runs near 100 GHz */
#define MW_MAX 100000000               /* 100 kW: above any board */
#define U32_MAX 4294967295LL
#define COUNT_MAX (1LL << 53)          /* error counters: exact in a JSON number */
#define HLML_DEVICE_ROW_RPL_MAX_FACT 65536 /* rows one device can have replaced: above any HBM stack's spares */

static const char *const api_ecc[] = { "memory_error_counter", "total_ecc_errors", NULL };

#define STR(p, n, s) { p, HF_STR, s, 0, n, NULL, NULL, 0, 0 }
#define INT(p, lo, hi, s) { p, HF_INT, s, lo, hi, NULL, NULL, 0, 0 }
#define BOOL(p, s) { p, HF_BOOL, s, 0, 0, NULL, NULL, 0, 0 }
#define HEX4(p) { p, HF_HEX4, SCOPE_DEV, 0, 0, NULL, NULL, 0, 0 }
#define ENUM(p, v, s) { p, HF_ENUM, s, 0, 0, v, NULL, 0, 0 }
#define ARRAY(p, t, max, s) { p, HF_ARRAY, s, 0, 0, NULL, t, ARRAY_SIZE(t), max }
#define D SCOPE_DEV
#define S SCOPE_SYS
#define IT SCOPE_ITEM

static const struct hf_field unreachable_fields[] = {
	INT("index", 0, HLML_MAX_DEVICES - 1, IT), STR("error", 256, IT),
};

static const struct hf_field fields[] = {
	/* the system */
	STR("library", 4096, S), STR("reason", 1024, S),
	STR("hlml_version", 127, S), STR("driver_version", 127, S),
	INT("device_count", 0, HLML_MAX_DEVICES, S),
	ARRAY("unreachable_devices", unreachable_fields, HLML_MAX_DEVICES, S),
	/* each device */
	HEX4("pci.vendor_id"), HEX4("pci.device_id"), STR("pci.bus_id", 14, D),
	STR("name", 63, D), STR("uuid", 127, D), STR("serial", 127, D), INT("minor_number", 0, 1023, D),
	STR("firmware.fit_version", 127, D), STR("firmware.os_version", 127, D),
	INT("power_mw.draw", 0, MW_MAX, D), INT("power_mw.default_limit", 0, MW_MAX, D),
	INT("temperature_c.aip", -100, 300, D), INT("temperature_c.board", -100, 300, D),
	INT("clocks_mhz.soc.current", 0, MHZ_MAX, D), INT("clocks_mhz.soc.max", 0, MHZ_MAX, D),
	INT("throttle.mask", 0, U32_MAX, D), BOOL("throttle.power", D), BOOL("throttle.thermal", D),
	BOOL("ecc.enabled", D), BOOL("ecc.pending", D), ENUM("ecc.api", api_ecc, D),
	INT("ecc.uncorrected.volatile", 0, COUNT_MAX, D), INT("ecc.uncorrected.aggregate", 0, COUNT_MAX, D),
	INT("ecc.corrected.volatile", 0, COUNT_MAX, D), INT("ecc.corrected.aggregate", 0, COUNT_MAX, D),
	INT("rows.replaced.single_bit", 0, HLML_DEVICE_ROW_RPL_MAX_FACT, D),
	INT("rows.replaced.double_bit", 0, HLML_DEVICE_ROW_RPL_MAX_FACT, D), BOOL("rows.pending", D),
};

static const struct hf_field *field_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].path, path) == 0)
			return &fields[i];
	return NULL;
}

void hf_unavailable(json_t *obj, const char *path, const char *reason)
{
	const char *leaf;
	json_t *parent = jpath_parent(obj, path, &leaf, true), *why;

	json_object_set_new(parent, leaf, json_null());
	why = json_object_get(obj, "unavailable");
	if (!json_is_object(why)) {
		why = json_object();
		json_object_set_new(obj, "unavailable", why);
	}
	json_object_set_new(why, path, json_string_lossy(reason));
}

static void set_value(json_t *obj, const char *path, json_t *value)
{
	const char *leaf;
	json_t *parent = jpath_parent(obj, path, &leaf, true);

	json_object_set_new(parent, leaf, value);
}

void hf_set_json(json_t *obj, const char *path, json_t *value)
{
	set_value(obj, path, value);
}

void hf_set_int(json_t *obj, const char *path, long long value)
{
	const struct hf_field *f = field_find(path);
	char reason[96];

	if (f == NULL || f->kind != HF_INT) {
		hf_unavailable(obj, path, "internal: not an integer member");
		return;
	}
	if (value < f->min || value > f->max) {
		snprintf(reason, sizeof(reason), "value %lld out of range [%lld, %lld]", value, f->min, f->max);
		hf_unavailable(obj, path, reason);
		return;
	}
	set_value(obj, path, json_integer(value));
}

void hf_set_bool(json_t *obj, const char *path, bool value)
{
	set_value(obj, path, json_boolean(value));
}

static bool in_enum(const char *const *values, const char *s)
{
	for (size_t i = 0; values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return true;
	return false;
}

void hf_set_str(json_t *obj, const char *path, const char *value)
{
	const struct hf_field *f = field_find(path);

	if (f == NULL || (f->kind != HF_STR && f->kind != HF_ENUM && f->kind != HF_HEX4)) {
		hf_unavailable(obj, path, "internal: not a string member");
		return;
	}
	if (!str_is_printable(value) || (f->kind == HF_STR && strlen(value) > (size_t)f->max) ||
	    (f->kind == HF_ENUM && !in_enum(f->values, value)) || (f->kind == HF_HEX4 && !is_hex_string(value, 4))) {
		hf_unavailable(obj, path, "malformed value from the library");
		return;
	}
	set_value(obj, path, json_string(value));
}

void hf_set_buffer(json_t *obj, const char *path, const void *buf, size_t size)
{
	if (memchr(buf, '\0', size) == NULL) {
		hf_unavailable(obj, path, "malformed value from the library: not NUL-terminated");
		return;
	}
	hf_set_str(obj, path, buf);
}

void hf_set_enum(json_t *obj, const char *path, const char *const *names, long long value)
{
	long long n = 0;
	char reason[64];

	while (names[n])
		n++;
	if (value < 0 || value >= n) {
		snprintf(reason, sizeof(reason), "unknown value %lld from the library", value);
		hf_unavailable(obj, path, reason);
		return;
	}
	hf_set_str(obj, path, names[value]);
}

const json_t *hf_get(const json_t *obj, const char *path)
{
	return jpath(obj, path);
}

bool hf_int(const json_t *obj, const char *path, long long *out)
{
	const json_t *v = hf_get(obj, path);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

bool hf_bool(const json_t *obj, const char *path, bool *out)
{
	const json_t *v = hf_get(obj, path);

	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

const char *hf_str(const json_t *obj, const char *path)
{
	return json_string_value(hf_get(obj, path));
}

const char *hf_why(const json_t *obj, const char *path)
{
	const char *why = jstr(jobj(obj, "unavailable"), path);
	return why ? why : "not reported";
}

/* Validation. */

static int validate_field(const json_t *obj, const struct hf_field *f, const char *key, const char *where, char *err,
			  size_t errlen);

static int validate_items(const json_t *obj, const struct hf_field *f, const char *key, const char *where, char *err,
			  size_t errlen)
{
	const json_t *list = json_object_get(obj, key);
	size_t i;
	json_t *item;

	if (jv_array(obj, key, JV_NULLABLE, where, err, errlen))
		return -1;
	if (json_array_size(list) > f->max_items) {
		snprintf(err, errlen, "%s.%s: more than %zu elements", where, key, f->max_items);
		return -1;
	}
	json_array_foreach(list, i, item) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
		if (!json_is_object(item)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		for (size_t j = 0; j < f->item_count; j++)
			if (validate_field(item, &f->items[j], f->items[j].path, sub, err, errlen))
				return -1;
	}
	return 0;
}

static int validate_field(const json_t *obj, const struct hf_field *f, const char *key, const char *where, char *err,
			  size_t errlen)
{
	const char *s;

	switch (f->kind) {
	case HF_STR:
		if (jv_string(obj, key, JV_NULLABLE, (size_t)f->max, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !str_is_printable(s)) {
			snprintf(err, errlen, "%s.%s: not printable text", where, key);
			return -1;
		}
		return 0;
	case HF_INT:
		return jv_integer(obj, key, JV_NULLABLE, f->min, f->max, where, err, errlen);
	case HF_BOOL:
		return jv_boolean(obj, key, JV_NULLABLE, where, err, errlen);
	case HF_HEX4:
		return jv_hex(obj, key, JV_NULLABLE, 4, where, err, errlen);
	case HF_ENUM:
		if (jv_string(obj, key, JV_NULLABLE, 64, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !in_enum(f->values, s)) {
			snprintf(err, errlen, "%s.%s: \"%.64s\" is not a known value", where, key, s);
			return -1;
		}
		return 0;
	case HF_ARRAY:
		return validate_items(obj, f, key, where, err, errlen);
	}
	return 0;
}

/* Walk to the object holding PATH's leaf: each step, when present, must be
 * an object. Returns 1 with *parent set, 0 when a step is absent, -1 on
 * error. */
static int walk(const json_t *obj, const char *path, const json_t **parent, const char **leaf, char *where,
		size_t wherelen, char *err, size_t errlen)
{
	const char *p = path, *dot;

	while ((dot = strchr(p, '.')) != NULL) {
		char key[64];
		size_t n = (size_t)(dot - p), used = strlen(where);
		const json_t *next;
		memcpy(key, p, n);
		key[n] = '\0';
		if (jv_object(obj, key, JV_NULLABLE, where, err, errlen))
			return -1;
		next = json_object_get(obj, key);
		if (next == NULL || json_is_null(next))
			return 0;
		snprintf(where + used, wherelen - used, ".%s", key);
		obj = next;
		p = dot + 1;
	}
	*parent = obj;
	*leaf = p;
	return 1;
}

static int validate_scope(const json_t *obj, int scope, const char *where, char *err, size_t errlen)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char at[192];
		const json_t *parent;
		const char *leaf;
		int rc;
		if (!(fields[i].scope & scope))
			continue;
		snprintf(at, sizeof(at), "%s", where);
		rc = walk(obj, fields[i].path, &parent, &leaf, at, sizeof(at), err, errlen);
		if (rc < 0 || (rc > 0 && validate_field(parent, &fields[i], leaf, at, err, errlen)))
			return -1;
	}
	return 0;
}

static int validate_unavailable(const json_t *obj, int scope, const char *where, char *err, size_t errlen)
{
	const json_t *why = json_object_get(obj, "unavailable");
	const char *key;
	json_t *v;

	if (jv_object(obj, "unavailable", JV_NULLABLE, where, err, errlen))
		return -1;
	json_object_foreach((json_t *)why, key, v) {
		const struct hf_field *f = field_find(key);
		if (f == NULL || !(f->scope & scope)) {
			snprintf(err, errlen, "%s.unavailable: \"%.80s\" is not a member", where, key);
			return -1;
		}
		if (!json_is_string(v) || json_string_length(v) > 1024 ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			snprintf(err, errlen, "%s.unavailable.%s: expected a string of at most 1024 bytes", where, key);
			return -1;
		}
	}
	return 0;
}

int hlml_validate_device(const json_t *dev, const char *where, char *err, size_t errlen)
{
	const char *addr;

	if (!json_is_object(dev)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(dev, "index", JV_REQUIRED, 0, HLML_MAX_DEVICES - 1, where, err, errlen) ||
	    jv_string(dev, "pci_address", JV_REQUIRED, 32, where, err, errlen) ||
	    jv_boolean(dev, "lost", JV_REQUIRED, where, err, errlen))
		return -1;
	addr = jstr(dev, "pci_address");
	if (!pci_address_valid(addr)) {
		snprintf(err, errlen, "%s.pci_address: \"%.40s\" is not a PCI address (DDDD:BB:DD.F)", where, addr);
		return -1;
	}
	return validate_scope(dev, SCOPE_DEV, where, err, errlen) ||
	       validate_unavailable(dev, SCOPE_DEV, where, err, errlen)
		       ? -1
		       : 0;
}

int hlml_validate_system(const json_t *section, const char *where, char *err, size_t errlen)
{
	if (!json_is_object(section)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_boolean(section, "available", JV_REQUIRED, where, err, errlen) ||
	    jv_string_array(section, "missing_functions", JV_NULLABLE, 64, where, err, errlen))
		return -1;
	if (json_array_size(json_object_get(section, "missing_functions")) > 64) {
		snprintf(err, errlen, "%s.missing_functions: more than 64 elements", where);
		return -1;
	}
	return validate_scope(section, SCOPE_SYS, where, err, errlen) ||
	       validate_unavailable(section, SCOPE_SYS, where, err, errlen) ? -1 : 0;
}

int hlml_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen)
{
	const json_t *devices;
	size_t i, j;
	json_t *dev;

	if (hlml_validate_system(capture, where, err, errlen) || jv_array(capture, "devices", JV_REQUIRED, where, err, errlen))
		return -1;
	devices = json_object_get(capture, "devices");
	if (!json_is_true(json_object_get(capture, "available")) && json_array_size(devices) > 0) {
		snprintf(err, errlen, "%s.devices: devices listed where HLML was not available", where);
		return -1;
	}
	if (json_array_size(devices) > HLML_MAX_DEVICES) {
		snprintf(err, errlen, "%s.devices: more than %d devices", where, HLML_MAX_DEVICES);
		return -1;
	}
	json_array_foreach(devices, i, dev) {
		char sub[64];
		snprintf(sub, sizeof(sub), "%s.devices[%zu]", where, i);
		if (hlml_validate_device(dev, sub, err, errlen))
			return -1;
		for (j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(devices, j), "pci_address"), jstr(dev, "pci_address")) == 0) {
				snprintf(err, errlen, "%s.pci_address: %s listed twice", sub, jstr(dev, "pci_address"));
				return -1;
			}
		}
	}
	return 0;
}
