/* The NVML facts table, its setters, readers and validators (see nvml_facts.h). */
#include "nvml_facts.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

enum nf_kind { NF_STR, NF_INT, NF_BOOL, NF_HEX4, NF_HEX16, NF_B64, NF_ENUM, NF_ARRAY };
enum { SCOPE_DEV = 1, SCOPE_SYS = 2, SCOPE_ITEM = 4 };

struct nvml_field {
	const char *path;
	enum nf_kind kind;
	int scope;
	long long min, max;            /* NF_INT range; NF_STR, NF_B64: max length */
	const char *const *values;     /* NF_ENUM: NULL-terminated names */
	const struct nvml_field *items; /* NF_ARRAY: the members of each element */
	size_t item_count;
	size_t max_items;
};

#define I64_MAX 9223372036854775807LL
#define MHZ_MAX 100000             /* no clock domain runs near 100 GHz */
#define MW_MAX 100000000           /* 100 kW: above any board */
#define BYTES_MAX (1LL << 52)      /* 4 PiB of device memory */
#define COUNT_MAX 1000000000LL

const struct nvml_reason nvml_reasons[] = {
	{ 0x1, "gpu_idle" },
	{ 0x2, "applications_clocks_setting" },
	{ 0x4, "sw_power_cap" },
	{ 0x8, "hw_slowdown" },
	{ 0x10, "sync_boost" },
	{ 0x20, "sw_thermal_slowdown" },
	{ 0x40, "hw_thermal_slowdown" },
	{ 0x80, "hw_power_brake_slowdown" },
	{ 0x100, "display_clock_setting" },
};
const size_t nvml_reason_count = ARRAY_SIZE(nvml_reasons);

const char *const nvml_compute_modes[] = { "default", "exclusive_thread", "prohibited", "exclusive_process", NULL };
const char *const nvml_operation_modes[] = { "all_on", "compute", "low_dp", NULL };
const char *const nvml_virtualization_modes[] = { "none", "passthrough", "vgpu", "host_vgpu", "host_vsga", NULL };
const char *const nvml_cc_environments[] = { "unavailable", "sim", "prod", NULL };
static const char *const reason_apis[] = { "clocks_event_reasons", "clocks_throttle_reasons", NULL };
static const char *const cc_multi_gpu[] = { "none", "protected_pcie", NULL };
static const char *const cc_cpu_caps[] = { "none", "amd_sev", "intel_tdx", NULL };
static const char *const license_codes[] = { "unknown", "vgpu", "nvidia_rtx", "gaming", "compute", NULL };

#define STR(p, n, s) { p, NF_STR, s, 0, n, NULL, NULL, 0, 0 }
#define INT(p, lo, hi, s) { p, NF_INT, s, lo, hi, NULL, NULL, 0, 0 }
#define BOOL(p, s) { p, NF_BOOL, s, 0, 0, NULL, NULL, 0, 0 }
#define HEX4(p) { p, NF_HEX4, SCOPE_DEV, 0, 0, NULL, NULL, 0, 0 }
#define HEX16(p) { p, NF_HEX16, SCOPE_DEV, 0, 0, NULL, NULL, 0, 0 }
#define B64(p, n) { p, NF_B64, SCOPE_DEV, 0, n, NULL, NULL, 0, 0 }
#define ENUM(p, v, s) { p, NF_ENUM, s, 0, 0, v, NULL, 0, 0 }
#define ARRAY(p, t, max, s) { p, NF_ARRAY, s, 0, 0, NULL, t, ARRAY_SIZE(t), max }
#define CLOCKS(d) INT("clocks_mhz." d ".current", 0, MHZ_MAX, SCOPE_DEV), \
	INT("clocks_mhz." d ".max", 0, MHZ_MAX, SCOPE_DEV), \
	INT("clocks_mhz." d ".application", 0, MHZ_MAX, SCOPE_DEV), \
	INT("clocks_mhz." d ".default_application", 0, MHZ_MAX, SCOPE_DEV)
#define D SCOPE_DEV
#define S SCOPE_SYS
#define IT SCOPE_ITEM

static const struct nvml_field mig_instance_fields[] = {
	INT("gpu_instance_id", 0, 65535, IT), INT("compute_instance_id", 0, 65535, IT),
	STR("uuid", 96, IT), STR("name", 96, IT), STR("profile", 32, IT),
	INT("memory_total_bytes", 0, BYTES_MAX, IT),
};
static const struct nvml_field nvlink_fields[] = {
	INT("link", 0, 63, IT), BOOL("active", IT),
};
static const struct nvml_field license_fields[] = {
	ENUM("code", license_codes, IT), BOOL("licensed", IT), BOOL("enabled", IT),
	STR("product", 128, IT), STR("expiry", 32, IT), INT("expiry_status", 0, 255, IT),
};
static const struct nvml_field unreachable_fields[] = {
	INT("index", 0, NVML_MAX_DEVICES - 1, IT), STR("error", 256, IT),
};

static const struct nvml_field fields[] = {
	/* the system, from nvmlSystem* calls */
	STR("library", 4096, S), STR("reason", 1024, S),
	STR("driver_version", 80, S), STR("nvml_version", 80, S), STR("cuda_driver_version", 16, S),
	INT("device_count", 0, NVML_MAX_DEVICES, S),
	ENUM("confidential_computing.environment", nvml_cc_environments, S),
	BOOL("confidential_computing.feature", S), BOOL("confidential_computing.dev_tools_mode", S),
	ENUM("confidential_computing.multi_gpu_mode", cc_multi_gpu, S),
	BOOL("confidential_computing.gpus_ready", S),
	ENUM("confidential_computing.cpu_capability", cc_cpu_caps, S),
	BOOL("confidential_computing.gpus_capable", S),
	ARRAY("unreachable_devices", unreachable_fields, NVML_MAX_DEVICES, S),
	/* each device */
	STR("bus_id", 32, D), STR("name", 96, D), STR("uuid", 96, D), STR("serial", 64, D),
	STR("board_part_number", 80, D),
	HEX4("pci.vendor_id"), HEX4("pci.device_id"), HEX4("pci.subsystem_vendor_id"), HEX4("pci.subsystem_device_id"),
	STR("vbios_version", 32, D), STR("inforom_image_version", 16, D), STR("gsp_firmware_version", 64, D),
	BOOL("gsp_firmware_mode.enabled", D), BOOL("gsp_firmware_mode.default", D),
	INT("memory.total_bytes", 0, BYTES_MAX, D), INT("memory.reserved_bytes", 0, BYTES_MAX, D),
	CLOCKS("graphics"), CLOCKS("sm"), CLOCKS("memory"),
	HEX16("clock_event_reasons.current"), HEX16("clock_event_reasons.supported"),
	ENUM("clock_event_reasons.api", reason_apis, D),
	INT("violations_ns.power", 0, I64_MAX, D), INT("violations_ns.thermal", 0, I64_MAX, D),
	INT("violations_ns.sync_boost", 0, I64_MAX, D), INT("violations_ns.board_limit", 0, I64_MAX, D),
	INT("violations_ns.low_utilization", 0, I64_MAX, D), INT("violations_ns.reliability", 0, I64_MAX, D),
	INT("violations_ns.total_app_clocks", 0, I64_MAX, D), INT("violations_ns.total_base_clocks", 0, I64_MAX, D),
	INT("power_mw.draw", 0, MW_MAX, D), INT("power_mw.enforced_limit", 0, MW_MAX, D),
	INT("power_mw.limit", 0, MW_MAX, D), INT("power_mw.default_limit", 0, MW_MAX, D),
	INT("power_mw.min_limit", 0, MW_MAX, D), INT("power_mw.max_limit", 0, MW_MAX, D),
	INT("temperature_c", -100, 300, D),
	ENUM("compute_mode", nvml_compute_modes, D),
	ENUM("gpu_operation_mode.current", nvml_operation_modes, D),
	ENUM("gpu_operation_mode.pending", nvml_operation_modes, D),
	BOOL("persistence_mode", D), BOOL("drain_state", D),
	BOOL("mig.current", D), BOOL("mig.pending", D),
	ARRAY("mig.instances", mig_instance_fields, 256, D),
	BOOL("ecc.current", D), BOOL("ecc.pending", D),
	INT("ecc.volatile.corrected", 0, I64_MAX, D), INT("ecc.volatile.uncorrected", 0, I64_MAX, D),
	INT("ecc.aggregate.corrected", 0, I64_MAX, D), INT("ecc.aggregate.uncorrected", 0, I64_MAX, D),
	INT("retired_pages.single_bit_ecc", 0, COUNT_MAX, D), INT("retired_pages.double_bit_ecc", 0, COUNT_MAX, D),
	BOOL("retired_pages.pending", D),
	INT("row_remapping.correctable", 0, COUNT_MAX, D), INT("row_remapping.uncorrectable", 0, COUNT_MAX, D),
	BOOL("row_remapping.pending", D), BOOL("row_remapping.failure", D),
	INT("row_remapping.histogram.max", 0, COUNT_MAX, D), INT("row_remapping.histogram.high", 0, COUNT_MAX, D),
	INT("row_remapping.histogram.partial", 0, COUNT_MAX, D), INT("row_remapping.histogram.low", 0, COUNT_MAX, D),
	INT("row_remapping.histogram.none", 0, COUNT_MAX, D),
	ARRAY("nvlink.links", nvlink_fields, 64, D),
	ENUM("virtualization_mode", nvml_virtualization_modes, D),
	BOOL("vgpu_license.supported", D),
	ARRAY("vgpu_license.features", license_fields, 16, D),
	B64("confidential_computing.attestation.nonce", 0x20),
	B64("confidential_computing.attestation.report", 0x2000),
	B64("confidential_computing.attestation.cec_report", 0x1000),
	B64("confidential_computing.certificates.chain", 0x1000),
	B64("confidential_computing.certificates.attestation_chain", 0x1400),
};

static const struct nvml_field *field_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].path, path) == 0)
			return &fields[i];
	return NULL;
}

void nf_unavailable(json_t *dev, const char *path, const char *reason)
{
	const char *leaf;
	json_t *parent = jpath_parent(dev, path, &leaf, true), *why;

	json_object_set_new(parent, leaf, json_null());
	why = json_object_get(dev, "unavailable");
	if (!json_is_object(why)) {
		why = json_object();
		json_object_set_new(dev, "unavailable", why);
	}
	json_object_set_new(why, path, json_string_lossy(reason));
}

static void set_value(json_t *dev, const char *path, json_t *value)
{
	const char *leaf;
	json_t *parent = jpath_parent(dev, path, &leaf, true);

	json_object_set_new(parent, leaf, value);
}

void nf_set_json(json_t *dev, const char *path, json_t *value)
{
	set_value(dev, path, value);
}

void nf_set_int(json_t *dev, const char *path, long long value)
{
	const struct nvml_field *f = field_find(path);
	char reason[96];

	if (f == NULL || f->kind != NF_INT) {
		nf_unavailable(dev, path, "internal: not an integer member");
		return;
	}
	if (value < f->min || value > f->max) {
		snprintf(reason, sizeof(reason), "value %lld out of range [%lld, %lld]", value, f->min, f->max);
		nf_unavailable(dev, path, reason);
		return;
	}
	set_value(dev, path, json_integer(value));
}

void nf_set_bool(json_t *dev, const char *path, bool value)
{
	set_value(dev, path, json_boolean(value));
}

static bool in_enum(const char *const *values, const char *s)
{
	for (size_t i = 0; values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return true;
	return false;
}

void nf_set_str(json_t *dev, const char *path, const char *value)
{
	const struct nvml_field *f = field_find(path);

	if (f == NULL || (f->kind != NF_STR && f->kind != NF_ENUM && f->kind != NF_HEX4 && f->kind != NF_HEX16)) {
		nf_unavailable(dev, path, "internal: not a string member");
		return;
	}
	if (!str_is_printable(value) || (f->kind == NF_STR && strlen(value) > (size_t)f->max) ||
	    (f->kind == NF_ENUM && !in_enum(f->values, value)) ||
	    (f->kind == NF_HEX4 && !is_hex_string(value, 4)) ||
	    (f->kind == NF_HEX16 && !is_hex_string(value, 16))) {
		nf_unavailable(dev, path, "malformed value from the library");
		return;
	}
	set_value(dev, path, json_string(value));
}

void nf_set_buffer(json_t *dev, const char *path, const char *buf, size_t size)
{
	if (memchr(buf, '\0', size) == NULL) {
		nf_unavailable(dev, path, "malformed value from the library: not NUL-terminated");
		return;
	}
	nf_set_str(dev, path, buf);
}

void nf_set_base64(json_t *dev, const char *path, const unsigned char *data, size_t len)
{
	const struct nvml_field *f = field_find(path);
	char *out;

	if (f == NULL || f->kind != NF_B64 || len > (size_t)f->max) {
		nf_unavailable(dev, path, "malformed value from the library: too long");
		return;
	}
	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	set_value(dev, path, json_string(out));
	free(out);
}

const json_t *nf_get(const json_t *dev, const char *path)
{
	return jpath(dev, path);
}

bool nf_int(const json_t *dev, const char *path, long long *out)
{
	const json_t *v = nf_get(dev, path);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

bool nf_bool(const json_t *dev, const char *path, bool *out)
{
	const json_t *v = nf_get(dev, path);

	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

const char *nf_str(const json_t *dev, const char *path)
{
	return json_string_value(nf_get(dev, path));
}

const char *nf_why(const json_t *dev, const char *path)
{
	const char *why = jstr(jobj(dev, "unavailable"), path);
	return why ? why : "not reported";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Parse exactly N hex digits (N = 0: 1 to 8 digits) at *s. */
static int hex_field(const char **s, int n, unsigned *out)
{
	int count = 0;
	unsigned v = 0;

	while (hexval(**s) >= 0 && (n == 0 ? count < 8 : count < n)) {
		v = v * 16 + (unsigned)hexval(**s);
		(*s)++;
		count++;
	}
	if (count == 0 || (n != 0 && count != n))
		return -1;
	*out = v;
	return 0;
}

int nvml_bus_id_normalise(const char *in, char *out, size_t outlen)
{
	unsigned domain, bus, dev, fn;
	const char *s = in;

	if (hex_field(&s, 0, &domain) || *s++ != ':' || hex_field(&s, 2, &bus) || *s++ != ':' ||
	    hex_field(&s, 2, &dev) || *s++ != '.' || hex_field(&s, 1, &fn) || *s != '\0' ||
	    dev > 0x1f || fn > 7)
		return -1;
	if (snprintf(out, outlen, "%04x:%02x:%02x.%x", domain, bus, dev, fn) >= (int)outlen)
		return -1;
	return pci_address_valid(out) ? 0 : -1;
}

json_t *nvml_reason_names(uint64_t bits)
{
	json_t *names = json_array();

	for (size_t i = 0; i < nvml_reason_count; i++)
		if (bits & nvml_reasons[i].bit)
			json_array_append_new(names, json_string(nvml_reasons[i].name));
	return names;
}

/* Validation. */

static int validate_b64(const json_t *obj, const char *key, size_t max, const char *where,
			char *err, size_t errlen)
{
	const char *s;
	size_t n;
	unsigned char *buf;
	int decoded;

	if (jv_string(obj, key, JV_NULLABLE, 4 * ((max + 2) / 3), where, err, errlen))
		return -1;
	s = jstr(obj, key);
	if (s == NULL)
		return 0;
	n = strlen(s);
	buf = xmalloc(n + 1);
	decoded = n % 4 == 0 ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : -1;
	free(buf);
	if (decoded < 0) {
		snprintf(err, errlen, "%s.%s: not base64", where, key);
		return -1;
	}
	return 0;
}

static int validate_field(const json_t *obj, const struct nvml_field *f, const char *key,
			  const char *where, char *err, size_t errlen);

static int validate_items(const json_t *obj, const struct nvml_field *f, const char *key,
			  const char *where, char *err, size_t errlen)
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

static int validate_field(const json_t *obj, const struct nvml_field *f, const char *key,
			  const char *where, char *err, size_t errlen)
{
	const char *s;

	switch (f->kind) {
	case NF_STR:
		if (jv_string(obj, key, JV_NULLABLE, (size_t)f->max, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !str_is_printable(s)) {
			snprintf(err, errlen, "%s.%s: not printable text", where, key);
			return -1;
		}
		return 0;
	case NF_INT:
		return jv_integer(obj, key, JV_NULLABLE, f->min, f->max, where, err, errlen);
	case NF_BOOL:
		return jv_boolean(obj, key, JV_NULLABLE, where, err, errlen);
	case NF_HEX4:
		return jv_hex(obj, key, JV_NULLABLE, 4, where, err, errlen);
	case NF_HEX16:
		return jv_hex(obj, key, JV_NULLABLE, 16, where, err, errlen);
	case NF_B64:
		return validate_b64(obj, key, (size_t)f->max, where, err, errlen);
	case NF_ENUM:
		if (jv_string(obj, key, JV_NULLABLE, 64, where, err, errlen))
			return -1;
		s = jstr(obj, key);
		if (s && !in_enum(f->values, s)) {
			snprintf(err, errlen, "%s.%s: \"%.64s\" is not a known value", where, key, s);
			return -1;
		}
		return 0;
	case NF_ARRAY:
		return validate_items(obj, f, key, where, err, errlen);
	}
	return 0;
}

/* Walk to the object holding F's leaf: each step, when present, must be an
 * object. Returns 1 with *parent set, 0 when a step is absent, -1 on error. */
static int walk(const json_t *obj, const char *path, const json_t **parent, const char **leaf,
		char *where, size_t wherelen, char *err, size_t errlen)
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
		const struct nvml_field *f = field_find(key);
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

/* The active reason names, when present, must be the decoding of the bits. */
static int validate_reasons(const json_t *dev, const char *where, char *err, size_t errlen)
{
	const char *bits = nf_str(dev, "clock_event_reasons.current");
	const json_t *active = nf_get(dev, "clock_event_reasons.active");
	uint64_t v;
	json_t *want;
	int same;

	if (active == NULL)
		return 0;
	if (bits == NULL || parse_u64(bits, 16, &v) != 0) {
		snprintf(err, errlen, "%s.clock_event_reasons.active: present without the current bits", where);
		return -1;
	}
	want = nvml_reason_names(v);
	same = json_equal(want, active);
	json_decref(want);
	if (!same) {
		snprintf(err, errlen, "%s.clock_event_reasons.active: does not match the bits %s", where, bits);
		return -1;
	}
	return 0;
}

int nvml_validate_device(const json_t *dev, const char *where, char *err, size_t errlen)
{
	const char *addr;

	if (!json_is_object(dev)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(dev, "index", JV_REQUIRED, 0, NVML_MAX_DEVICES - 1, where, err, errlen) ||
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
	       validate_reasons(dev, where, err, errlen) ? -1 : 0;
}

int nvml_validate_system(const json_t *section, const char *where, char *err, size_t errlen)
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
	       validate_unavailable(section, SCOPE_SYS, where, err, errlen) ? -1 : 0;
}

int nvml_validate_capture(const json_t *capture, const char *where, char *err, size_t errlen)
{
	const json_t *devices;
	size_t i, j;
	json_t *dev;

	if (nvml_validate_system(capture, where, err, errlen) ||
	    jv_array(capture, "devices", JV_REQUIRED, where, err, errlen))
		return -1;
	devices = json_object_get(capture, "devices");
	if (!json_is_true(json_object_get(capture, "available")) && json_array_size(devices) > 0) {
		snprintf(err, errlen, "%s.devices: devices listed where NVML was not available", where);
		return -1;
	}
	if (json_array_size(devices) > NVML_MAX_DEVICES) {
		snprintf(err, errlen, "%s.devices: more than %d devices", where, NVML_MAX_DEVICES);
		return -1;
	}
	json_array_foreach(devices, i, dev) {
		char sub[64];
		snprintf(sub, sizeof(sub), "%s.devices[%zu]", where, i);
		if (nvml_validate_device(dev, sub, err, errlen))
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
