/* Intel Gaudi backend: HLML (libhlml.so, the Habana driver's management
 * library), loaded at run time.
 *
 * Our own declarations (hlml_api.h), no Habana header. Each entry point is
 * looked up by its newest name first, then the older ones
 * (hlml_get_serial_number, then hlml_device_get_serial;
 * hlml_device_get_memory_error_counter, then
 * hlml_device_get_total_ecc_errors). Only hlml_init, the device count and
 * the handle by index are required; every other function is optional: a
 * missing function, an old library or an error return makes that member null
 * with the reason (hlml_facts.h), never a failure of the audit.
 *
 * The library can be named with --vendor-library hlml=PATH or
 * CHIPAUDIT_HLML_LIBRARY (the test suite points it at tests/fake-hlml). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/hlml_api.h"
#include "vendor/hlml_facts.h"
#include "vendor/hlml_runtime.h"
#include "vendor/vendor.h"

typedef hlml_return_t (*dev_str_fn)(hlml_device_t, char *, unsigned);
typedef hlml_return_t (*dev_uint_fn)(hlml_device_t, unsigned *);

struct hlml_lib {
	void *dl;
	hlml_return_t (*init)(void);
	hlml_return_t (*shutdown)(void);
	hlml_return_t (*count)(unsigned *);
	hlml_return_t (*by_index)(unsigned, hlml_device_t *);
	dev_str_fn name;
	hlml_return_t (*pci_info)(hlml_device_t, hlml_pci_info_t *);
	dev_str_fn uuid;
	dev_str_fn serial;
	dev_uint_fn minor;
	dev_str_fn fw_fit;
	dev_str_fn fw_os;
	dev_uint_fn power;
	dev_uint_fn power_default;
	hlml_return_t (*temperature)(hlml_device_t, hlml_temperature_sensors_t, unsigned *);
	hlml_return_t (*clock)(hlml_device_t, hlml_clock_type_t, unsigned *);
	hlml_return_t (*max_clock)(hlml_device_t, hlml_clock_type_t, unsigned *);
	hlml_return_t (*throttle)(hlml_device_t, unsigned long long *);
	hlml_return_t (*ecc_mode)(hlml_device_t, hlml_enable_state_t *, hlml_enable_state_t *);
	hlml_return_t (*mem_errors)(hlml_device_t, hlml_memory_error_type_t, hlml_ecc_counter_type_t,
				    hlml_memory_location_type_t, unsigned long long *);
	hlml_return_t (*total_ecc)(hlml_device_t, hlml_memory_error_type_t, hlml_ecc_counter_type_t, unsigned long long *);
	hlml_return_t (*replaced_rows)(hlml_device_t, hlml_row_replacement_cause_t, unsigned *, hlml_row_address_t *);
	hlml_return_t (*rows_pending)(hlml_device_t, hlml_enable_state_t *);
	hlml_return_t (*hlml_version)(char *, unsigned);
	hlml_return_t (*driver_version)(char *, unsigned);
};

struct symbol {
	size_t offset;
	bool required;
	const char *names[3];      /* newest first */
};

#define SYM(member, req, ...) { offsetof(struct hlml_lib, member), req, { __VA_ARGS__ } }
static const struct symbol symbols[] = {
	SYM(init, true, "hlml_init"),
	SYM(shutdown, false, "hlml_shutdown"),
	SYM(count, true, "hlml_device_get_count"),
	SYM(by_index, true, "hlml_device_get_handle_by_index"),
	SYM(name, false, "hlml_device_get_name"),
	SYM(pci_info, false, "hlml_device_get_pci_info"),
	SYM(uuid, false, "hlml_device_get_uuid"),
	/* the same prototype under its older name */
	SYM(serial, false, "hlml_get_serial_number", "hlml_device_get_serial"),
	SYM(minor, false, "hlml_device_get_minor_number"),
	SYM(fw_fit, false, "hlml_get_firmware_fit_version"),
	SYM(fw_os, false, "hlml_get_fw_os_version"),
	SYM(power, false, "hlml_device_get_power_usage"),
	SYM(power_default, false, "hlml_device_get_power_management_default_limit"),
	SYM(temperature, false, "hlml_device_get_temperature"),
	SYM(clock, false, "hlml_device_get_clock_info"),
	SYM(max_clock, false, "hlml_device_get_max_clock_info"),
	SYM(throttle, false, "hlml_device_get_current_clocks_throttle_reasons"),
	SYM(ecc_mode, false, "hlml_device_get_ecc_mode"),
	SYM(mem_errors, false, "hlml_device_get_memory_error_counter"),
	SYM(total_ecc, false, "hlml_device_get_total_ecc_errors"),
	SYM(replaced_rows, false, "hlml_device_get_replaced_rows"),
	SYM(rows_pending, false, "hlml_device_get_replaced_rows_pending_status"),
	SYM(hlml_version, false, "hlml_get_hlml_version"),
	SYM(driver_version, false, "hlml_get_driver_version"),
};

#define MISSING "function not in this HLML (older library)"
/* Rows asked for at once: far above the spare rows of any HBM stack. */
#define ROWS_MAX 4096

/* Our own wording of HLML's return codes (hlml.h's hlml_return_t). */
static const char *error_text(int rc, char *buf, size_t len)
{
	static const struct { int rc; const char *text; } texts[] = {
		{ HLML_ERROR_UNINITIALIZED, "HLML not initialised" },
		{ HLML_ERROR_INVALID_ARGUMENT, "invalid argument" },
		{ HLML_ERROR_NOT_SUPPORTED, "not supported by this device or driver" },
		{ HLML_ERROR_ALREADY_INITIALIZED, "already initialised" },
		{ HLML_ERROR_NOT_FOUND, "not found" },
		{ HLML_ERROR_INSUFFICIENT_SIZE, "buffer too small" },
		{ HLML_ERROR_DRIVER_NOT_LOADED, "the habanalabs driver is not loaded" },
		{ HLML_ERROR_TIMEOUT, "timed out" },
		{ HLML_ERROR_AIP_IS_LOST, "the device is lost" },
		{ HLML_ERROR_MEMORY, "out of memory" },
		{ HLML_ERROR_NO_DATA, "no data" },
		{ HLML_ERROR_UNKNOWN, "unknown error" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].rc == rc)
			return texts[i].text;
	snprintf(buf, len, "HLML error %d", rc);
	return buf;
}

/* Look every symbol up; a required one missing is the error returned. */
static const char *resolve(struct hlml_lib *lib, json_t *missing)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbols); i++) {
		const struct symbol *s = &symbols[i];
		void *sym = NULL;
		for (size_t n = 0; n < ARRAY_SIZE(s->names) && s->names[n]; n++)
			if ((sym = dlsym(lib->dl, s->names[n])) != NULL)
				break;
		if (sym == NULL) {
			if (s->required)
				return s->names[0];
			json_array_append_new(missing, json_string(s->names[0]));
			continue;
		}
		/* POSIX: a data pointer from dlsym converts to a function pointer. */
		memcpy((char *)lib + s->offset, &sym, sizeof(sym));
	}
	return NULL;
}

struct dev {
	struct hlml_lib *lib;
	hlml_device_t h;
	json_t *obj;
	bool lost;
};

/* The outcome of one call for PATH: true when it succeeded; otherwise the
 * member is null with the reason. */
static bool ok(struct dev *d, const char *path, int rc)
{
	char buf[32];

	if (rc == HLML_SUCCESS)
		return true;
	if (rc == HLML_ERROR_AIP_IS_LOST)
		d->lost = true;
	hf_unavailable(d->obj, path, error_text(rc, buf, sizeof(buf)));
	return false;
}

static bool have(struct dev *d, bool present, const char *path)
{
	if (!present)
		hf_unavailable(d->obj, path, MISSING);
	return present;
}

#define CALL(d, fn, path, ...) (have(d, (d)->lib->fn != NULL, path) && ok(d, path, (d)->lib->fn(__VA_ARGS__)))

static void add_string(struct dev *d, dev_str_fn fn, const char *path)
{
	char buf[HLML_VERSION_LEN];

	memset(buf, 0, sizeof(buf));
	if (have(d, fn != NULL, path) && ok(d, path, fn(d->h, buf, sizeof(buf))))
		hf_set_buffer(d->obj, path, buf, sizeof(buf));
}

static void add_uint(struct dev *d, dev_uint_fn fn, const char *path, long long scale)
{
	unsigned v = 0;

	if (have(d, fn != NULL, path) && ok(d, path, fn(d->h, &v)))
		hf_set_int(d->obj, path, (long long)v * scale);
}

static void add_identity(struct dev *d)
{
	add_string(d, d->lib->name, "name");
	add_string(d, d->lib->uuid, "uuid");
	add_string(d, d->lib->serial, "serial");
	add_uint(d, d->lib->minor, "minor_number", 1);
	add_string(d, d->lib->fw_fit, "firmware.fit_version");
	add_string(d, d->lib->fw_os, "firmware.os_version");
}

/* hlml_device_get_power_usage and the default limit are in milliwatts, as
 * hl-smi's power.draw divides them. */
static void add_power_and_temperature(struct dev *d)
{
	unsigned v = 0;

	add_uint(d, d->lib->power, "power_mw.draw", 1);
	add_uint(d, d->lib->power_default, "power_mw.default_limit", 1);
	if (CALL(d, temperature, "temperature_c.aip", d->h, HLML_TEMPERATURE_ON_AIP, &v))
		hf_set_int(d->obj, "temperature_c.aip", v);
	if (CALL(d, temperature, "temperature_c.board", d->h, HLML_TEMPERATURE_ON_BOARD, &v))
		hf_set_int(d->obj, "temperature_c.board", v);
}

static void add_clocks(struct dev *d)
{
	unsigned long long mask = 0;
	unsigned mhz = 0;

	if (CALL(d, clock, "clocks_mhz.soc.current", d->h, HLML_CLOCK_SOC, &mhz))
		hf_set_int(d->obj, "clocks_mhz.soc.current", mhz);
	if (CALL(d, max_clock, "clocks_mhz.soc.max", d->h, HLML_CLOCK_SOC, &mhz))
		hf_set_int(d->obj, "clocks_mhz.soc.max", mhz);
	if (!CALL(d, throttle, "throttle.mask", d->h, &mask)) {
		hf_unavailable(d->obj, "throttle.power", hf_why(d->obj, "throttle.mask"));
		hf_unavailable(d->obj, "throttle.thermal", hf_why(d->obj, "throttle.mask"));
		return;
	}
	if (mask > 0xffffffffULL) {
		hf_unavailable(d->obj, "throttle.mask", "malformed value from the library: more than 32 bits");
		hf_unavailable(d->obj, "throttle.power", hf_why(d->obj, "throttle.mask"));
		hf_unavailable(d->obj, "throttle.thermal", hf_why(d->obj, "throttle.mask"));
		return;
	}
	/* Bits HLML does not name stay in the mask, as evidence. */
	hf_set_int(d->obj, "throttle.mask", (long long)mask);
	hf_set_bool(d->obj, "throttle.power", (mask & HLML_CLOCKS_THROTTLE_REASON_POWER) != 0);
	hf_set_bool(d->obj, "throttle.thermal", (mask & HLML_CLOCKS_THROTTLE_REASON_THERMAL) != 0);
}

static bool enable_state(struct dev *d, const char *path, hlml_enable_state_t v)
{
	char why[64];

	if (v == HLML_FEATURE_DISABLED || v == HLML_FEATURE_ENABLED) {
		hf_set_bool(d->obj, path, v == HLML_FEATURE_ENABLED);
		return true;
	}
	snprintf(why, sizeof(why), "unknown value %d from the library", (int)v);
	hf_unavailable(d->obj, path, why);
	return false;
}

static const char *const ecc_counts[][3] = {
	{ "ecc.uncorrected.volatile", "1", "0" },
	{ "ecc.uncorrected.aggregate", "1", "1" },
	{ "ecc.corrected.volatile", "0", "0" },
	{ "ecc.corrected.aggregate", "0", "1" },
};

/* The device memory's (DRAM, the HBM) ECC counters: the newer call names the
 * location; the older counts the device as a whole. */
static void add_ecc(struct dev *d)
{
	hlml_enable_state_t current = HLML_FEATURE_DISABLED, pending = HLML_FEATURE_DISABLED;

	if (CALL(d, ecc_mode, "ecc.enabled", d->h, &current, &pending)) {
		enable_state(d, "ecc.enabled", current);
		enable_state(d, "ecc.pending", pending);
	} else {
		hf_unavailable(d->obj, "ecc.pending", hf_why(d->obj, "ecc.enabled"));
	}
	if (d->lib->mem_errors == NULL && d->lib->total_ecc == NULL) {
		for (size_t i = 0; i < ARRAY_SIZE(ecc_counts); i++)
			hf_unavailable(d->obj, ecc_counts[i][0], MISSING);
		hf_unavailable(d->obj, "ecc.api", MISSING);
		return;
	}
	hf_set_str(d->obj, "ecc.api", d->lib->mem_errors ? "memory_error_counter" : "total_ecc_errors");
	for (size_t i = 0; i < ARRAY_SIZE(ecc_counts); i++) {
		hlml_memory_error_type_t type = ecc_counts[i][1][0] == '1' ? HLML_MEMORY_ERROR_TYPE_UNCORRECTED
									   : HLML_MEMORY_ERROR_TYPE_CORRECTED;
		hlml_ecc_counter_type_t counter = ecc_counts[i][2][0] == '1' ? HLML_AGGREGATE_ECC : HLML_VOLATILE_ECC;
		unsigned long long n = 0;
		int rc = d->lib->mem_errors ? d->lib->mem_errors(d->h, type, counter, HLML_MEMORY_LOCATION_DRAM, &n)
					    : d->lib->total_ecc(d->h, type, counter, &n);
		if (!ok(d, ecc_counts[i][0], rc))
			continue;
		if (n > (1ULL << 53)) {
			hf_unavailable(d->obj, ecc_counts[i][0], "malformed value from the library: count out of range");
			continue;
		}
		hf_set_int(d->obj, ecc_counts[i][0], (long long)n);
	}
}

/* HBM rows replaced by spares, by cause, and whether a replacement waits for
 * the next reset. */
static void add_rows(struct dev *d)
{
	static const struct { hlml_row_replacement_cause_t cause; const char *path; } causes[] = {
		{ HLML_ROW_REPLACEMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS, "rows.replaced.single_bit" },
		{ HLML_ROW_REPLACEMENT_CAUSE_DOUBLE_BIT_ECC_ERROR, "rows.replaced.double_bit" },
	};
	hlml_row_address_t *rows = xcalloc(ROWS_MAX, sizeof(*rows));
	hlml_enable_state_t pending = HLML_FEATURE_DISABLED;

	for (size_t i = 0; i < ARRAY_SIZE(causes); i++) {
		unsigned count = ROWS_MAX;
		if (!CALL(d, replaced_rows, causes[i].path, d->h, causes[i].cause, &count, rows))
			continue;
		if (count > ROWS_MAX) {
			hf_unavailable(d->obj, causes[i].path, "malformed value from the library: more rows than asked for");
			continue;
		}
		hf_set_int(d->obj, causes[i].path, count);
	}
	if (CALL(d, rows_pending, "rows.pending", d->h, &pending))
		enable_state(d, "rows.pending", pending);
	free(rows);
}

static json_t *describe_device(struct hlml_lib *lib, hlml_device_t h, unsigned index, const char *address,
			       const hlml_pci_info_t *pci)
{
	struct dev d = { .lib = lib, .h = h, .obj = json_object() };
	char id[8];

	jset_int(d.obj, "index", index);
	jset_str(d.obj, "pci_address", address);
	snprintf(id, sizeof(id), "%04x", pci->pci_device_id & 0xffffu);
	hf_set_str(d.obj, "pci.vendor_id", id);
	snprintf(id, sizeof(id), "%04x", pci->pci_device_id >> 16);
	hf_set_str(d.obj, "pci.device_id", id);
	hf_set_buffer(d.obj, "pci.bus_id", pci->bus_id, sizeof(pci->bus_id));
	add_identity(&d);
	add_power_and_temperature(&d);
	add_clocks(&d);
	add_ecc(&d);
	add_rows(&d);
	jset_bool(d.obj, "lost", d.lost);
	return d.obj;
}

static void unreachable(json_t *section, unsigned index, const char *why)
{
	json_t *list = jarr(section, "unreachable_devices"), *item;

	if (list == NULL) {
		list = json_array();
		json_object_set_new(section, "unreachable_devices", list);
	}
	item = json_pack("{s:I}", "index", (json_int_t)index);
	json_object_set_new(item, "error", json_string_lossy(why));
	json_array_append_new(list, item);
}

static void unreachable_rc(json_t *section, unsigned index, const char *what, int rc)
{
	char buf[32], *why = xasprintf("%s: %s", what, error_text(rc, buf, sizeof(buf)));

	unreachable(section, index, why);
	free(why);
}

/* "0000:B3:00.0" -> "0000:b3:00.0"; false when it is no PCI address. */
static bool normalise_address(const char *bus_id, size_t size, char *out, size_t outlen)
{
	unsigned domain, bus, dev, fn;
	char tail;

	if (memchr(bus_id, '\0', size) == NULL || !str_is_printable(bus_id) ||
	    sscanf(bus_id, "%4x:%2x:%2x.%1x%c", &domain, &bus, &dev, &fn, &tail) != 4 || dev > 0x1f || fn > 7)
		return false;
	snprintf(out, outlen, "%04x:%02x:%02x.%x", domain, bus, dev, fn);
	return pci_address_valid(out);
}

static bool address_taken(const json_t *devices, const char *address)
{
	size_t i;
	json_t *other;

	json_array_foreach(devices, i, other)
		if (strcmp(jstr(other, "pci_address"), address) == 0)
			return true;
	return false;
}

static void add_devices(struct hlml_lib *lib, json_t *section)
{
	json_t *devices = json_array();
	unsigned count = 0;
	char buf[32], why[64];
	int rc;

	json_object_set_new(section, "devices", devices);
	if ((rc = lib->count(&count)) != HLML_SUCCESS) {
		hf_unavailable(section, "device_count", error_text(rc, buf, sizeof(buf)));
		return;
	}
	if (count > HLML_MAX_DEVICES) {
		snprintf(why, sizeof(why), "device count %u out of range [0, %d]", count, HLML_MAX_DEVICES);
		hf_unavailable(section, "device_count", why);
		return;
	}
	hf_set_int(section, "device_count", count);
	for (unsigned i = 0; i < count; i++) {
		hlml_device_t h = NULL;
		hlml_pci_info_t pci;
		char address[32];
		memset(&pci, 0, sizeof(pci));
		if ((rc = lib->by_index(i, &h)) != HLML_SUCCESS)
			unreachable_rc(section, i, "no handle", rc);
		else if (lib->pci_info == NULL)
			unreachable(section, i, "no PCI address: " MISSING);
		else if ((rc = lib->pci_info(h, &pci)) != HLML_SUCCESS)
			unreachable_rc(section, i, "no PCI address", rc);
		else if (!normalise_address(pci.bus_id, sizeof(pci.bus_id), address, sizeof(address)))
			unreachable(section, i, "malformed PCI address from the library");
		else if (address_taken(devices, address))
			unreachable(section, i, "PCI address reported twice");
		else
			json_array_append_new(devices, describe_device(lib, h, i, address, &pci));
	}
}

static void sys_version(json_t *section, const char *path, hlml_return_t (*fn)(char *, unsigned))
{
	char buf[HLML_VERSION_LEN], why[32];
	int rc;

	memset(buf, 0, sizeof(buf));
	if (fn == NULL)
		hf_unavailable(section, path, MISSING);
	else if ((rc = fn(buf, sizeof(buf))) != HLML_SUCCESS)
		hf_unavailable(section, path, error_text(rc, why, sizeof(why)));
	else
		hf_set_buffer(section, path, buf, sizeof(buf));
}

static json_t *unavailable_section(const char *library, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *unavailable_section(const char *library, const char *fmt, ...)
{
	json_t *s = json_object();
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	jset_bool(s, "available", false);
	jset_str(s, "library", library);
	json_object_set_new(s, "reason", json_string_lossy(reason));
	json_object_set_new(s, "devices", json_array());
	free(reason);
	return s;
}

static json_t *hlml_gather(const struct vendor_ctx *ctx)
{
	const char *env = getenv(hlml_backend.library_env);
	const char *path = ctx && ctx->library ? ctx->library : (env && *env ? env : hlml_backend.default_library);
	struct hlml_lib lib;
	json_t *section, *missing, *devices;
	const char *absent;
	char why[32];
	int rc;

	memset(&lib, 0, sizeof(lib));
	lib.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (lib.dl == NULL) {
		const char *e = dlerror();
		return unavailable_section(path, "%s", e ? e : "cannot be loaded");
	}
	missing = json_array();
	if ((absent = resolve(&lib, missing)) != NULL) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "%s: not in the library (not HLML, or too old)", absent);
	}
	if ((rc = lib.init()) != HLML_SUCCESS) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "hlml_init: %s", error_text(rc, why, sizeof(why)));
	}
	section = json_object();
	jset_bool(section, "available", true);
	jset_str(section, "library", path);
	jset(section, "reason", NULL);
	json_object_set_new(section, "missing_functions", missing);
	sys_version(section, "hlml_version", lib.hlml_version);
	sys_version(section, "driver_version", lib.driver_version);
	add_devices(&lib, section);
	if (lib.shutdown)
		lib.shutdown();
	dlclose(lib.dl);
	/* Devices last: the system members read first in the file. */
	devices = json_incref(json_object_get(section, "devices"));
	json_object_del(section, "devices");
	json_object_set_new(section, "devices", devices);
	return section;
}

const struct vendor_backend hlml_backend = {
	.name = "hlml",
	.vendor = "Intel Habana",
	.pci_vendor_id = 0x1da3,
	.default_library = "libhlml.so",
	.library_env = "CHIPAUDIT_HLML_LIBRARY",
	.capture_path = HLML_CAPTURE_PATH,
	.gather = hlml_gather,
	.validate_capture = hlml_validate_capture,
	.validate_device = hlml_validate_device,
	.validate_system = hlml_validate_system,
	.describe = hlml_describe,
	.evidence = hlml_evidence,
	.remedies = hlml_remedies,
	.unreachable_remedy = "Check `hl-smi` (every Gaudi with its Bus-Id) and the kernel log "
			      "(`dmesg -T | grep -i habanalabs`); `hl-smi -q` shows a device's full state.",
	.power_limit_command = "hl-smi (HLML reports the default power limit only; no limit setting is documented)",
	.kernel_driver = "habanalabs",
	.library_label = "HLML",
	.device_noun = "Gaudi",
	.work_unit = "Synapse AI context",
	.partitions_label = "partition",
};
