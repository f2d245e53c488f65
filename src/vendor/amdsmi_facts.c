/* The AMD SMI facts table, its setters, readers and validators (see amdsmi_facts.h). */
#include "vendor/amdsmi_facts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

enum af_kind { AF_STR, AF_INT, AF_BOOL, AF_HEX4, AF_HEX16, AF_ENUM, AF_ARRAY, AF_NAMES };
enum { SCOPE_DEV = 1, SCOPE_SYS = 2, SCOPE_ITEM = 4 };

struct af_field {
	const char *path;
	enum af_kind kind;
	int scope;
	long long min, max;            /* AF_INT range; AF_STR: max length */
	const char *const *values;     /* AF_ENUM: NULL-terminated names */
	const struct af_field *items;  /* AF_ARRAY: the members of each element */
	size_t item_count;
	size_t max_items;              /* AF_ARRAY, AF_NAMES */
};

#define I64_MAX 9223372036854775807LL
#define MHZ_MAX 100000             /* no clock domain runs near 100 GHz */
#define MW_MAX 100000000           /* 100 kW: above any board */
#define BYTES_MAX (1LL << 52)      /* 4 PiB */
#define COUNT_MAX 1000000000LL

const struct amdsmi_throttler amdsmi_throttlers[] = {
	{ 1ull << 0, "ppt0" }, { 1ull << 1, "ppt1" }, { 1ull << 2, "ppt2" }, { 1ull << 3, "ppt3" },
	{ 1ull << 4, "spl" }, { 1ull << 5, "fppt" }, { 1ull << 6, "sppt" }, { 1ull << 7, "sppt_apu" },
	{ 1ull << 16, "tdc_gfx" }, { 1ull << 17, "tdc_soc" }, { 1ull << 18, "tdc_mem" }, { 1ull << 19, "tdc_vdd" },
	{ 1ull << 20, "tdc_cvip" }, { 1ull << 21, "edc_cpu" }, { 1ull << 22, "edc_gfx" }, { 1ull << 23, "apcc" },
	{ 1ull << 32, "temp_gpu" }, { 1ull << 33, "temp_core" }, { 1ull << 34, "temp_mem" },
	{ 1ull << 35, "temp_edge" }, { 1ull << 36, "temp_hotspot" }, { 1ull << 37, "temp_soc" },
	{ 1ull << 38, "temp_vr_gfx" }, { 1ull << 39, "temp_vr_soc" }, { 1ull << 40, "temp_vr_mem0" },
	{ 1ull << 41, "temp_vr_mem1" }, { 1ull << 42, "temp_liquid0" }, { 1ull << 43, "temp_liquid1" },
	{ 1ull << 44, "vrhot0" }, { 1ull << 45, "vrhot1" }, { 1ull << 46, "prochot_cpu" }, { 1ull << 47, "prochot_gfx" },
	{ 1ull << 56, "ppm" }, { 1ull << 57, "fit" },
};
const size_t amdsmi_throttler_count = ARRAY_SIZE(amdsmi_throttlers);

const char *const amdsmi_violations[] = { "prochot", "ppt", "socket_thermal", "vr_thermal", "hbm_thermal", NULL };
const char *const amdsmi_compute_partitions[] = { "SPX", "DPX", "TPX", "QPX", "CPX", NULL };
const char *const amdsmi_memory_partitions[] = { "NPS1", "NPS2", "NPS4", "NPS8", NULL };
const char *const amdsmi_xgmi_states[] = { "no_errors", "error", "multiple_errors", NULL };
static const char *const layouts[] = { "24.5", "24.6+", NULL };
static const char *const throttle_sources[] = { "violation_status", "gpu_metrics", NULL };

#define STR(p, n, s) { p, AF_STR, s, 0, n, NULL, NULL, 0, 0 }
#define INT(p, lo, hi, s) { p, AF_INT, s, lo, hi, NULL, NULL, 0, 0 }
#define BOOL(p, s) { p, AF_BOOL, s, 0, 0, NULL, NULL, 0, 0 }
#define HEX4(p) { p, AF_HEX4, SCOPE_DEV, 0, 0, NULL, NULL, 0, 0 }
#define HEX16(p) { p, AF_HEX16, SCOPE_DEV, 0, 0, NULL, NULL, 0, 0 }
#define ENUM(p, v, s) { p, AF_ENUM, s, 0, 0, v, NULL, 0, 0 }
#define ARRAY(p, t, max, s) { p, AF_ARRAY, s, 0, 0, NULL, t, ARRAY_SIZE(t), max }
#define NAMES(p) { p, AF_NAMES, SCOPE_DEV, 0, 0, NULL, NULL, 0, 64 }
#define CLOCK(d) INT("clocks_mhz." d ".current", 0, MHZ_MAX, D), INT("clocks_mhz." d ".min", 0, MHZ_MAX, D), \
	INT("clocks_mhz." d ".max", 0, MHZ_MAX, D), INT("overdrive_mhz." d ".soft_max", 0, MHZ_MAX, D), \
	INT("overdrive_mhz." d ".limit_max", 0, MHZ_MAX, D)
#define VIOLATION(v) BOOL("violation.active." v, D), INT("violation.percent." v, 0, 100, D)
#define D SCOPE_DEV
#define S SCOPE_SYS
#define IT SCOPE_ITEM

static const struct af_field process_fields[] = {
	INT("pid", 0, 4194304, IT), STR("name", 31, IT), INT("vram_bytes", 0, BYTES_MAX, IT),
	STR("container", 31, IT),
};
static const struct af_field unreachable_fields[] = {
	INT("index", 0, AMDSMI_MAX_DEVICES - 1, IT), STR("error", 256, IT),
};

static const struct af_field fields[] = {
	/* the system */
	STR("library", 4096, S), STR("reason", 1024, S), STR("library_version", 48, S),
	ENUM("struct_layout", layouts, S), INT("socket_count", 0, AMDSMI_MAX_DEVICES, S),
	INT("device_count", 0, AMDSMI_MAX_DEVICES, S),
	ARRAY("unreachable_devices", unreachable_fields, AMDSMI_MAX_DEVICES, S),
	/* each device: identity */
	STR("name", 255, D), STR("vendor_name", 63, D), STR("asic_serial", 31, D), INT("oam_id", 0, 65534, D),
	INT("compute_units", 0, 1000000, D), HEX4("pci.vendor_id"), HEX4("pci.device_id"),
	HEX4("pci.subsystem_vendor_id"), HEX4("pci.subsystem_device_id"), INT("pci.revision", 0, 255, D),
	STR("uuid", 63, D), STR("board.serial", 31, D), STR("board.product_name", 255, D),
	STR("board.model_number", 255, D), STR("board.fru_id", 31, D), STR("board.manufacturer", 63, D),
	STR("vbios.name", 63, D), STR("vbios.version", 31, D), STR("vbios.part_number", 63, D),
	STR("vbios.build_date", 31, D), STR("driver.name", 63, D), STR("driver.version", 63, D),
	STR("driver.date", 63, D),
	/* power, temperature, clocks */
	INT("power_mw.cap", 0, MW_MAX, D), INT("power_mw.default_cap", 0, MW_MAX, D),
	INT("power_mw.min_cap", 0, MW_MAX, D), INT("power_mw.max_cap", 0, MW_MAX, D),
	INT("power_mw.socket", 0, MW_MAX, D), INT("power_mw.average_socket", 0, MW_MAX, D),
	INT("temperature_c.hotspot", -100, 300, D), INT("temperature_c.memory", -100, 300, D),
	CLOCK("gfx"), CLOCK("memory"), BOOL("clocks_mhz.gfx.locked", D),
	/* slowdown */
	ENUM("throttle.source", throttle_sources, D),
	VIOLATION("prochot"), VIOLATION("ppt"), VIOLATION("socket_thermal"), VIOLATION("vr_thermal"),
	VIOLATION("hbm_thermal"),
	HEX16("throttle.indep_status"), NAMES("throttle.active"), INT("throttle.status", 0, 0xFFFFFFFFLL, D),
	/* partitions */
	ENUM("partition.compute", amdsmi_compute_partitions, D), ENUM("partition.memory", amdsmi_memory_partitions, D),
	ENUM("partition.profile", amdsmi_compute_partitions, D), INT("partition.count", 1, 64, D),
	INT("partition.listed", 1, 64, D),
	/* memory health */
	INT("ecc.correctable", 0, I64_MAX, D), INT("ecc.uncorrectable", 0, I64_MAX, D),
	INT("ecc.deferred", 0, I64_MAX, D), HEX16("ecc.enabled_blocks"),
	INT("bad_pages.retired", 0, COUNT_MAX, D), INT("bad_pages.pending", 0, COUNT_MAX, D),
	INT("bad_pages.unreservable", 0, COUNT_MAX, D),
	ENUM("xgmi.error_status", amdsmi_xgmi_states, D),
	ARRAY("processes", process_fields, AMDSMI_MAX_PROCESSES, D), INT("process_count", 0, COUNT_MAX, D),
};

static const struct af_field *field_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].path, path) == 0)
			return &fields[i];
	return NULL;
}

void af_unavailable(json_t *obj, const char *path, const char *reason)
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

void af_set_json(json_t *obj, const char *path, json_t *value)
{
	const char *leaf;
	json_t *parent = jpath_parent(obj, path, &leaf, true);

	json_object_set_new(parent, leaf, value);
}

void af_set_int(json_t *obj, const char *path, long long value)
{
	const struct af_field *f = field_find(path);
	char reason[96];

	if (f == NULL || f->kind != AF_INT) {
		af_unavailable(obj, path, "internal: not an integer member");
		return;
	}
	if (value < f->min || value > f->max) {
		snprintf(reason, sizeof(reason), "value %lld out of range [%lld, %lld]", value, f->min, f->max);
		af_unavailable(obj, path, reason);
		return;
	}
	af_set_json(obj, path, json_integer(value));
}

void af_set_u64(json_t *obj, const char *path, uint64_t value)
{
	char reason[64];

	if (value > (uint64_t)I64_MAX) {
		snprintf(reason, sizeof(reason), "value %" PRIu64 " out of range", value);
		af_unavailable(obj, path, reason);
		return;
	}
	af_set_int(obj, path, (long long)value);
}

void af_set_bool(json_t *obj, const char *path, bool value)
{
	af_set_json(obj, path, json_boolean(value));
}

static bool in_enum(const char *const *values, const char *s)
{
	for (size_t i = 0; values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return true;
	return false;
}

void af_set_str(json_t *obj, const char *path, const char *value)
{
	const struct af_field *f = field_find(path);

	if (f == NULL || (f->kind != AF_STR && f->kind != AF_ENUM && f->kind != AF_HEX4 && f->kind != AF_HEX16)) {
		af_unavailable(obj, path, "internal: not a string member");
		return;
	}
	if (!str_is_printable(value) || (f->kind == AF_STR && strlen(value) > (size_t)f->max) ||
	    (f->kind == AF_ENUM && !in_enum(f->values, value)) || (f->kind == AF_HEX4 && !is_hex_string(value, 4)) ||
	    (f->kind == AF_HEX16 && !is_hex_string(value, 16))) {
		af_unavailable(obj, path, "malformed value from the library");
		return;
	}
	af_set_json(obj, path, json_string(value));
}

void af_set_buffer(json_t *obj, const char *path, const char *buf, size_t size)
{
	if (memchr(buf, '\0', size) == NULL) {
		af_unavailable(obj, path, "malformed value from the library: not NUL-terminated");
		return;
	}
	af_set_str(obj, path, buf);
}

const json_t *af_get(const json_t *obj, const char *path)
{
	const json_t *v = jpath(obj, path);
	return json_is_null(v) ? NULL : v;
}

bool af_int(const json_t *obj, const char *path, long long *out)
{
	const json_t *v = af_get(obj, path);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

const char *af_str(const json_t *obj, const char *path)
{
	return json_string_value(af_get(obj, path));
}

const char *af_why(const json_t *obj, const char *path)
{
	const char *why = jstr(jobj(obj, "unavailable"), path);
	return why ? why : "not reported";
}

json_t *amdsmi_throttler_names(uint64_t bits)
{
	json_t *names = json_array();

	for (size_t i = 0; i < amdsmi_throttler_count; i++)
		if (bits & amdsmi_throttlers[i].bit)
			json_array_append_new(names, json_string(amdsmi_throttlers[i].name));
	return names;
}

/* Validation. */

static int validate_field(const json_t *obj, const struct af_field *f, const char *key, const char *where,
			  char *err, size_t errlen);

static int validate_items(const json_t *obj, const struct af_field *f, const char *key, const char *where,
			  char *err, size_t errlen)
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

static int validate_field(const json_t *obj, const struct af_field *f, const char *key, const char *where,
			  char *err, size_t errlen)
{
	const char *s;

	switch (f->kind) {
	case AF_STR:
		if (jv_string(obj, key, JV_NULLABLE, (size_t)f->max, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !str_is_printable(s)) {
			snprintf(err, errlen, "%s.%s: not printable text", where, key);
			return -1;
		}
		return 0;
	case AF_INT:
		return jv_integer(obj, key, JV_NULLABLE, f->min, f->max, where, err, errlen);
	case AF_BOOL:
		return jv_boolean(obj, key, JV_NULLABLE, where, err, errlen);
	case AF_HEX4:
		return jv_hex(obj, key, JV_NULLABLE, 4, where, err, errlen);
	case AF_HEX16:
		return jv_hex(obj, key, JV_NULLABLE, 16, where, err, errlen);
	case AF_ENUM:
		if (jv_string(obj, key, JV_NULLABLE, 64, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !in_enum(f->values, s)) {
			snprintf(err, errlen, "%s.%s: \"%.64s\" is not a known value", where, key, s);
			return -1;
		}
		return 0;
	case AF_NAMES:
		if (jv_string_array(obj, key, JV_NULLABLE, 32, where, err, errlen))
			return -1;
		if (json_array_size(json_object_get(obj, key)) > f->max_items) {
			snprintf(err, errlen, "%s.%s: more than %zu elements", where, key, f->max_items);
			return -1;
		}
		return 0;
	case AF_ARRAY:
		return validate_items(obj, f, key, where, err, errlen);
	}
	return 0;
}

/* Walk to the object holding PATH's leaf: each step, when present, must be
 * an object. Returns 1 with *parent set, 0 when a step is absent, -1 on error. */
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
		const struct af_field *f = field_find(key);
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

/* The throttler names, when present, must be the decoding of the bits. */
static int validate_throttlers(const json_t *dev, const char *where, char *err, size_t errlen)
{
	const char *bits = af_str(dev, "throttle.indep_status");
	const json_t *active = af_get(dev, "throttle.active");
	uint64_t v;
	json_t *want;
	int same;

	if (active == NULL)
		return 0;
	if (bits == NULL || parse_u64(bits, 16, &v) != 0) {
		snprintf(err, errlen, "%s.throttle.active: present without the status bits", where);
		return -1;
	}
	want = amdsmi_throttler_names(v);
	same = json_equal(want, active);
	json_decref(want);
	if (!same) {
		snprintf(err, errlen, "%s.throttle.active: does not match the bits %s", where, bits);
		return -1;
	}
	return 0;
}

int amdsmi_validate_device(const json_t *dev, const char *where, char *err, size_t errlen)
{
	const char *addr;

	if (!json_is_object(dev)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(dev, "index", JV_REQUIRED, 0, AMDSMI_MAX_DEVICES - 1, where, err, errlen) ||
	    jv_string(dev, "pci_address", JV_REQUIRED, 32, where, err, errlen) ||
	    jv_boolean(dev, "lost", JV_REQUIRED, where, err, errlen))
		return -1;
	addr = jstr(dev, "pci_address");
	if (!pci_address_valid(addr)) {
		snprintf(err, errlen, "%s.pci_address: \"%.40s\" is not a PCI address (DDDD:BB:DD.F)", where, addr);
		return -1;
	}
	return validate_scope(dev, SCOPE_DEV, where, err, errlen) ||
			       validate_unavailable(dev, SCOPE_DEV, where, err, errlen) ||
			       validate_throttlers(dev, where, err, errlen)
		       ? -1
		       : 0;
}

int amdsmi_validate_system(const json_t *section, const char *where, char *err, size_t errlen)
{
	if (!json_is_object(section)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_boolean(section, "available", JV_REQUIRED, where, err, errlen) ||
	    jv_string_array(section, "missing_functions", JV_NULLABLE, 64, where, err, errlen))
		return -1;
	if (json_array_size(json_object_get(section, "missing_functions")) > 256) {
		snprintf(err, errlen, "%s.missing_functions: more than 256 elements", where);
		return -1;
	}
	return validate_scope(section, SCOPE_SYS, where, err, errlen) ||
			       validate_unavailable(section, SCOPE_SYS, where, err, errlen)
		       ? -1
		       : 0;
}

int amdsmi_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen)
{
	const json_t *devices;
	size_t i, j;
	json_t *dev;

	if (amdsmi_validate_system(capture, where, err, errlen) ||
	    jv_array(capture, "devices", JV_REQUIRED, where, err, errlen))
		return -1;
	devices = json_object_get(capture, "devices");
	if (!json_is_true(json_object_get(capture, "available")) && json_array_size(devices) > 0) {
		snprintf(err, errlen, "%s.devices: devices listed where AMD SMI was not available", where);
		return -1;
	}
	if (json_array_size(devices) > AMDSMI_MAX_DEVICES) {
		snprintf(err, errlen, "%s.devices: more than %d devices", where, AMDSMI_MAX_DEVICES);
		return -1;
	}
	json_array_foreach(devices, i, dev) {
		char sub[64];
		snprintf(sub, sizeof(sub), "%s.devices[%zu]", where, i);
		if (amdsmi_validate_device(dev, sub, err, errlen))
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
