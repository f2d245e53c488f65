/* AMD backend: AMD SMI (libamd_smi.so, ROCm), loaded at run time.
 *
 * Our own declarations (amdsmi_api.h), no amdsmi.h. The library is opened
 * for AMD GPUs only (AMDSMI_INIT_AMD_GPUS); init, shutdown, the version and
 * the socket and processor handle lookups are required, every other
 * function is optional: a missing function, an error return or a value the
 * library marks unsupported makes that member null with the reason
 * (amdsmi_facts.h), never a failure of the audit. Where a newer call says
 * more, it is tried first: amdsmi_get_gpu_device_bdf before
 * amdsmi_get_gpu_bdf_id, amdsmi_get_violation_status (24.7) before the
 * throttler bits of amdsmi_get_gpu_metrics_info, the accelerator partition
 * profile (24.7) before the partition that the handles show.
 *
 * The library can be named with --vendor-library amdsmi=PATH or
 * CHIPAUDIT_AMDSMI_LIBRARY (the test suite points it at its fake,
 * tests/fake-amdsmi). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/amdsmi_api.h"
#include "vendor/amdsmi_facts.h"
#include "vendor/amdsmi_runtime.h"
#include "vendor/vendor.h"

typedef amdsmi_processor_handle handle_t;

struct amdsmi_lib {
	void *dl;
	amdsmi_status_t (*init)(uint64_t);
	amdsmi_status_t (*shut_down)(void);
	amdsmi_status_t (*lib_version)(amdsmi_version_t *);
	amdsmi_status_t (*socket_handles)(uint32_t *, amdsmi_socket_handle *);
	amdsmi_status_t (*processor_handles)(amdsmi_socket_handle, uint32_t *, handle_t *);
	amdsmi_status_t (*processor_type)(handle_t, uint32_t *);
	amdsmi_status_t (*device_bdf)(handle_t, amdsmi_bdf_t *);
	amdsmi_status_t (*bdf_id)(handle_t, uint64_t *);
	amdsmi_status_t (*asic_info)(handle_t, void *);
	amdsmi_status_t (*board_info)(handle_t, void *);
	amdsmi_status_t (*subsystem_id)(handle_t, uint16_t *);
	amdsmi_status_t (*uuid)(handle_t, unsigned *, char *);
	amdsmi_status_t (*vbios)(handle_t, amdsmi_vbios_info_t *);
	amdsmi_status_t (*driver_info)(handle_t, amdsmi_driver_info_t *);
	amdsmi_status_t (*power_cap)(handle_t, uint32_t, amdsmi_power_cap_info_t *);
	amdsmi_status_t (*power_info)(handle_t, amdsmi_power_info_t *);
	amdsmi_status_t (*temperature)(handle_t, uint32_t, uint32_t, int64_t *);
	amdsmi_status_t (*clock)(handle_t, uint32_t, amdsmi_clk_info_t *);
	amdsmi_status_t (*overdrive)(handle_t, amdsmi_od_volt_freq_data_t *);
	amdsmi_status_t (*violation)(handle_t, amdsmi_violation_status_t *);
	amdsmi_status_t (*metrics)(handle_t, void *);
	amdsmi_status_t (*compute_partition)(handle_t, char *, uint32_t);
	amdsmi_status_t (*memory_partition)(handle_t, char *, uint32_t);
	amdsmi_status_t (*partition_profile)(handle_t, amdsmi_accelerator_partition_profile_t *, uint32_t *);
	amdsmi_status_t (*ecc_total)(handle_t, amdsmi_error_count_t *);
	amdsmi_status_t (*ecc_enabled)(handle_t, uint64_t *);
	amdsmi_status_t (*bad_pages)(handle_t, uint32_t *, amdsmi_retired_page_record_t *);
	amdsmi_status_t (*xgmi_status)(handle_t, uint32_t *);
	amdsmi_status_t (*process_list)(handle_t, uint32_t *, amdsmi_proc_info_t *);
	amdsmi_version_t version;
	bool legacy;               /* the structure layouts of 24.5 (ROCm 6.1) */
};

struct symbol {
	size_t offset;
	bool required;
	const char *names[3];      /* newest first */
};

#define SYM(member, req, ...) { offsetof(struct amdsmi_lib, member), req, { __VA_ARGS__ } }
static const struct symbol symbols[] = {
	SYM(init, true, "amdsmi_init"),
	SYM(shut_down, true, "amdsmi_shut_down"),
	SYM(lib_version, true, "amdsmi_get_lib_version"),
	SYM(socket_handles, true, "amdsmi_get_socket_handles"),
	SYM(processor_handles, true, "amdsmi_get_processor_handles"),
	SYM(processor_type, false, "amdsmi_get_processor_type"),
	SYM(device_bdf, false, "amdsmi_get_gpu_device_bdf"),
	SYM(bdf_id, false, "amdsmi_get_gpu_bdf_id"),
	SYM(asic_info, false, "amdsmi_get_gpu_asic_info"),
	SYM(board_info, false, "amdsmi_get_gpu_board_info"),
	SYM(subsystem_id, false, "amdsmi_get_gpu_subsystem_id"),
	SYM(uuid, false, "amdsmi_get_gpu_device_uuid"),
	SYM(vbios, false, "amdsmi_get_gpu_vbios_info"),
	SYM(driver_info, false, "amdsmi_get_gpu_driver_info"),
	SYM(power_cap, false, "amdsmi_get_power_cap_info"),
	SYM(power_info, false, "amdsmi_get_power_info"),
	SYM(temperature, false, "amdsmi_get_temp_metric"),
	SYM(clock, false, "amdsmi_get_clock_info"),
	SYM(overdrive, false, "amdsmi_get_gpu_od_volt_info"),
	SYM(violation, false, "amdsmi_get_violation_status"),
	SYM(metrics, false, "amdsmi_get_gpu_metrics_info"),
	SYM(compute_partition, false, "amdsmi_get_gpu_compute_partition"),
	SYM(memory_partition, false, "amdsmi_get_gpu_memory_partition"),
	SYM(partition_profile, false, "amdsmi_get_gpu_accelerator_partition_profile"),
	SYM(ecc_total, false, "amdsmi_get_gpu_total_ecc_count"),
	SYM(ecc_enabled, false, "amdsmi_get_gpu_ecc_enabled"),
	SYM(bad_pages, false, "amdsmi_get_gpu_bad_page_info"),
	SYM(xgmi_status, false, "amdsmi_gpu_xgmi_error_status"),
	SYM(process_list, false, "amdsmi_get_gpu_process_list"),
};

#define MISSING "function not in this AMD SMI (older ROCm)"
#define ROCM_LIBRARY "/opt/rocm/lib/libamd_smi.so"
#define UNSUPPORTED "not supported by this GPU or driver"
/* More than any one machine has; a larger count from the library is refused. */
#define MAX_HANDLES 256
/* Bad page records: more than this is a broken library or a broken board. */
#define MAX_BAD_PAGES 65536

/* Our own wording of AMD SMI's status codes: stable across releases. */
static const char *error_text(amdsmi_status_t rc, char *buf, size_t len)
{
	static const struct { amdsmi_status_t rc; const char *text; } texts[] = {
		{ AMDSMI_STATUS_INVAL, "invalid argument" },
		{ AMDSMI_STATUS_NOT_SUPPORTED, UNSUPPORTED },
		{ AMDSMI_STATUS_NOT_YET_IMPLEMENTED, "not implemented in this AMD SMI" },
		{ AMDSMI_STATUS_FAIL_LOAD_MODULE, "AMD SMI could not load a module" },
		{ AMDSMI_STATUS_FAIL_LOAD_SYMBOL, "AMD SMI could not load a symbol" },
		{ AMDSMI_STATUS_DRM_ERROR, "DRM (libdrm) error" },
		{ AMDSMI_STATUS_API_FAILED, "API call failed" },
		{ AMDSMI_STATUS_TIMEOUT, "timed out" },
		{ AMDSMI_STATUS_RETRY, "busy, retry" },
		{ AMDSMI_STATUS_NO_PERM, "no permission (run as root)" },
		{ AMDSMI_STATUS_INTERRUPT, "interrupted" },
		{ AMDSMI_STATUS_IO, "I/O error" },
		{ AMDSMI_STATUS_ADDRESS_FAULT, "bad address" },
		{ AMDSMI_STATUS_FILE_ERROR, "a sysfs or device file could not be read" },
		{ AMDSMI_STATUS_OUT_OF_RESOURCES, "out of resources" },
		{ AMDSMI_STATUS_INTERNAL_EXCEPTION, "internal exception in AMD SMI" },
		{ AMDSMI_STATUS_INPUT_OUT_OF_BOUNDS, "input out of bounds" },
		{ AMDSMI_STATUS_INIT_ERROR, "AMD SMI initialisation error" },
		{ AMDSMI_STATUS_REFCOUNT_OVERFLOW, "reference count overflow" },
		{ AMDSMI_STATUS_BUSY, "device busy" },
		{ AMDSMI_STATUS_NOT_FOUND, "device not found" },
		{ AMDSMI_STATUS_NOT_INIT, "AMD SMI not initialised" },
		{ AMDSMI_STATUS_NO_SLOT, "no free slot" },
		{ AMDSMI_STATUS_DRIVER_NOT_LOADED, "amdgpu driver not loaded" },
		{ AMDSMI_STATUS_NO_DATA, "no data" },
		{ AMDSMI_STATUS_INSUFFICIENT_SIZE, "buffer too small" },
		{ AMDSMI_STATUS_UNEXPECTED_SIZE, "unexpected amount of data" },
		{ AMDSMI_STATUS_UNEXPECTED_DATA, "unexpected data" },
		{ AMDSMI_STATUS_AMDGPU_RESTART_ERR, "amdgpu restart failed" },
		{ AMDSMI_STATUS_SETTING_UNAVAILABLE, "setting unavailable" },
		{ AMDSMI_STATUS_MAP_ERROR, "AMD SMI could not map the error" },
		{ AMDSMI_STATUS_UNKNOWN_ERROR, "unknown AMD SMI error" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].rc == rc)
			return texts[i].text;
	snprintf(buf, len, "AMD SMI status %u", rc);
	return buf;
}

/* Look every symbol up; a required one missing is the error returned. */
static const char *resolve(struct amdsmi_lib *lib, json_t *missing)
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

static bool version_at_least(const struct amdsmi_lib *lib, uint32_t year, uint32_t major)
{
	return lib->version.year > year || (lib->version.year == year && lib->version.major >= major);
}

struct dev {
	struct amdsmi_lib *lib;
	handle_t h;
	json_t *obj;
	bool lost;
};

/* The outcome of one call for PATH: true when it succeeded; otherwise the
 * member is null with the reason. AMD SMI has no "GPU lost" status of its
 * own: "device not found" for a device it has just listed is taken as the
 * device gone. */
static bool ok(struct dev *d, const char *path, amdsmi_status_t rc)
{
	char buf[32];

	if (rc == AMDSMI_STATUS_SUCCESS)
		return true;
	if (rc == AMDSMI_STATUS_NOT_FOUND)
		d->lost = true;
	af_unavailable(d->obj, path, error_text(rc, buf, sizeof(buf)));
	return false;
}

static bool have(struct dev *d, bool present, const char *path)
{
	if (!present)
		af_unavailable(d->obj, path, MISSING);
	return present;
}

#define CALL(d, fn, path, ...) (have(d, (d)->lib->fn != NULL, path) && ok(d, path, (d)->lib->fn(__VA_ARGS__)))

/* Every path in PATHS (NULL-terminated) null for the reason FROM has. */
static void same_reason(json_t *obj, const char *from, const char *const *paths)
{
	const char *why = af_why(obj, from);
	for (; *paths; paths++)
		af_unavailable(obj, *paths, why);
}

static void set_hex4(json_t *obj, const char *path, uint64_t v)
{
	char buf[8];

	if (v > 0xffff) {
		af_unavailable(obj, path, "value out of range for a PCI ID");
		return;
	}
	snprintf(buf, sizeof(buf), "%04x", (unsigned)v);
	af_set_str(obj, path, buf);
}

/* A 32-bit member AMD SMI marks unsupported with all ones. */
static void set_u32(json_t *obj, const char *path, uint32_t v, uint32_t unsupported, long long scale)
{
	if (v == unsupported)
		af_unavailable(obj, path, UNSUPPORTED);
	else
		af_set_int(obj, path, (long long)v * scale);
}

/* The identity both asic record layouts carry. */
struct asic {
	const char *name, *vendor_name, *serial;
	size_t name_size, vendor_name_size, serial_size;
	uint64_t vendor_id, subvendor_id, device_id, rev_id, oam_id, oam_unsupported;
};

static void put_asic(struct dev *d, const struct asic *a)
{
	af_set_buffer(d->obj, "name", a->name, a->name_size);
	af_set_buffer(d->obj, "vendor_name", a->vendor_name, a->vendor_name_size);
	af_set_buffer(d->obj, "asic_serial", a->serial, a->serial_size);
	set_hex4(d->obj, "pci.vendor_id", a->vendor_id);
	set_hex4(d->obj, "pci.device_id", a->device_id);
	set_hex4(d->obj, "pci.subsystem_vendor_id", a->subvendor_id);
	af_set_u64(d->obj, "pci.revision", a->rev_id);
	if (a->oam_id == a->oam_unsupported || a->oam_id == 0xffff)
		af_unavailable(d->obj, "oam_id", UNSUPPORTED);
	else
		af_set_u64(d->obj, "oam_id", a->oam_id);
}

static const char *const asic_paths[] = { "vendor_name", "asic_serial", "pci.vendor_id", "pci.device_id",
					   "pci.subsystem_vendor_id", "pci.revision", "oam_id", "compute_units", NULL };

static void add_asic(struct dev *d)
{
	struct { amdsmi_asic_info_t v; unsigned char slack[AMDSMI_SLACK]; } cur;
	struct { amdsmi_asic_info_v245_t v; unsigned char slack[AMDSMI_SLACK]; } old;
	struct asic a;

	memset(&cur, 0, sizeof(cur));
	memset(&old, 0, sizeof(old));
	if (!CALL(d, asic_info, "name", d->h, d->lib->legacy ? (void *)&old : (void *)&cur)) {
		same_reason(d->obj, "name", asic_paths);
		return;
	}
	if (d->lib->legacy) {
		a = (struct asic){ old.v.market_name, old.v.vendor_name, old.v.asic_serial, sizeof(old.v.market_name),
				   sizeof(old.v.vendor_name), sizeof(old.v.asic_serial), old.v.vendor_id,
				   old.v.subvendor_id, old.v.device_id, old.v.rev_id, old.v.oam_id, 0xffff };
		af_unavailable(d->obj, "compute_units", "not in AMD SMI before 24.7");
	} else {
		a = (struct asic){ cur.v.market_name, cur.v.vendor_name, cur.v.asic_serial, sizeof(cur.v.market_name),
				   sizeof(cur.v.vendor_name), sizeof(cur.v.asic_serial), cur.v.vendor_id,
				   cur.v.subvendor_id, cur.v.device_id, cur.v.rev_id, cur.v.oam_id, AMDSMI_U32_UNSUPPORTED };
		if (!version_at_least(d->lib, 24, 7))
			af_unavailable(d->obj, "compute_units", "not in AMD SMI before 24.7");
		else
			set_u32(d->obj, "compute_units", cur.v.num_of_compute_units, AMDSMI_U32_UNSUPPORTED, 1);
	}
	put_asic(d, &a);
}

static const char *const board_paths[] = { "board.product_name", "board.model_number", "board.fru_id",
					    "board.manufacturer", NULL };

/* The members both board record layouts carry: path, buffer, size. */
#define BOARD_MEMBERS(b)                                                               \
	{ "board.serial", (b).product_serial, sizeof((b).product_serial) },            \
	{ "board.product_name", (b).product_name, sizeof((b).product_name) },          \
	{ "board.model_number", (b).model_number, sizeof((b).model_number) },          \
	{ "board.fru_id", (b).fru_id, sizeof((b).fru_id) },                            \
	{ "board.manufacturer", (b).manufacturer_name, sizeof((b).manufacturer_name) }

static void add_board(struct dev *d)
{
	struct { amdsmi_board_info_t v; unsigned char slack[AMDSMI_SLACK]; } cur;
	struct { amdsmi_board_info_v245_t v; unsigned char slack[AMDSMI_SLACK]; } old;
	const struct { const char *path; const char *buf; size_t size; } current[] = { BOARD_MEMBERS(cur.v) },
									legacy[] = { BOARD_MEMBERS(old.v) };

	memset(&cur, 0, sizeof(cur));
	memset(&old, 0, sizeof(old));
	if (!CALL(d, board_info, "board.serial", d->h, d->lib->legacy ? (void *)&old : (void *)&cur)) {
		same_reason(d->obj, "board.serial", board_paths);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(current); i++) {
		if (d->lib->legacy)
			af_set_buffer(d->obj, legacy[i].path, legacy[i].buf, legacy[i].size);
		else
			af_set_buffer(d->obj, current[i].path, current[i].buf, current[i].size);
	}
}

static void add_identity(struct dev *d)
{
	struct { amdsmi_vbios_info_t v; unsigned char slack[AMDSMI_SLACK]; } vb;
	struct { amdsmi_driver_info_t v; unsigned char slack[AMDSMI_SLACK]; } drv;
	char uuid[AMDSMI_GPU_UUID_SIZE + AMDSMI_SLACK];
	unsigned uuid_len = AMDSMI_GPU_UUID_SIZE;
	uint16_t sub;

	add_asic(d);
	add_board(d);
	if (CALL(d, subsystem_id, "pci.subsystem_device_id", d->h, &sub))
		set_hex4(d->obj, "pci.subsystem_device_id", sub);
	memset(uuid, 0, sizeof(uuid));
	if (CALL(d, uuid, "uuid", d->h, &uuid_len, uuid))
		af_set_buffer(d->obj, "uuid", uuid, AMDSMI_GPU_UUID_SIZE);
	memset(&vb, 0, sizeof(vb));
	if (CALL(d, vbios, "vbios.version", d->h, &vb.v)) {
		af_set_buffer(d->obj, "vbios.name", vb.v.name, sizeof(vb.v.name));
		af_set_buffer(d->obj, "vbios.version", vb.v.version, sizeof(vb.v.version));
		af_set_buffer(d->obj, "vbios.part_number", vb.v.part_number, sizeof(vb.v.part_number));
		af_set_buffer(d->obj, "vbios.build_date", vb.v.build_date, sizeof(vb.v.build_date));
	} else {
		same_reason(d->obj, "vbios.version",
			    (const char *const[]){ "vbios.name", "vbios.part_number", "vbios.build_date", NULL });
	}
	memset(&drv, 0, sizeof(drv));
	if (CALL(d, driver_info, "driver.name", d->h, &drv.v)) {
		af_set_buffer(d->obj, "driver.name", drv.v.driver_name, sizeof(drv.v.driver_name));
		af_set_buffer(d->obj, "driver.version", drv.v.driver_version, sizeof(drv.v.driver_version));
		af_set_buffer(d->obj, "driver.date", drv.v.driver_date, sizeof(drv.v.driver_date));
	} else {
		same_reason(d->obj, "driver.name", (const char *const[]){ "driver.version", "driver.date", NULL });
	}
}

/* A power cap in microwatts; amdsmi_get_power_cap_info leaves 0 in what it
 * could not read. */
static void set_cap(json_t *obj, const char *path, uint64_t uw)
{
	if (uw == 0)
		af_unavailable(obj, path, "not read by the library (0)");
	else
		af_set_u64(obj, path, uw / 1000);
}

static void add_power(struct dev *d)
{
	struct { amdsmi_power_cap_info_t v; unsigned char slack[AMDSMI_SLACK]; } cap;
	struct { amdsmi_power_info_t v; unsigned char slack[AMDSMI_SLACK]; } pw;
	int64_t t;

	memset(&cap, 0, sizeof(cap));
	if (CALL(d, power_cap, "power_mw.cap", d->h, 0, &cap.v)) {
		set_cap(d->obj, "power_mw.cap", cap.v.power_cap);
		set_cap(d->obj, "power_mw.default_cap", cap.v.default_power_cap);
		set_cap(d->obj, "power_mw.min_cap", cap.v.min_power_cap);
		set_cap(d->obj, "power_mw.max_cap", cap.v.max_power_cap);
	} else {
		same_reason(d->obj, "power_mw.cap",
			    (const char *const[]){ "power_mw.default_cap", "power_mw.min_cap", "power_mw.max_cap", NULL });
	}
	memset(&pw, 0, sizeof(pw));
	if (CALL(d, power_info, "power_mw.socket", d->h, &pw.v)) {
		/* watts; 0xFFFF where the metrics table has no value */
		set_u32(d->obj, "power_mw.socket", pw.v.current_socket_power, AMDSMI_U16_UNSUPPORTED, 1000);
		set_u32(d->obj, "power_mw.average_socket", pw.v.average_socket_power, AMDSMI_U16_UNSUPPORTED, 1000);
	} else {
		same_reason(d->obj, "power_mw.socket", (const char *const[]){ "power_mw.average_socket", NULL });
	}
	if (CALL(d, temperature, "temperature_c.hotspot", d->h, AMDSMI_TEMPERATURE_TYPE_HOTSPOT, AMDSMI_TEMP_CURRENT, &t))
		af_set_int(d->obj, "temperature_c.hotspot", (long long)t);
	if (CALL(d, temperature, "temperature_c.memory", d->h, AMDSMI_TEMPERATURE_TYPE_VRAM, AMDSMI_TEMP_CURRENT, &t))
		af_set_int(d->obj, "temperature_c.memory", (long long)t);
}

/* Hz, as the overdrive table gives them, to MHz; 0 is no value. */
static void set_hz(json_t *obj, const char *path, uint64_t hz)
{
	if (hz == 0)
		af_unavailable(obj, path, "not in the overdrive table");
	else
		af_set_u64(obj, path, (hz + 500000) / 1000000);
}

static void add_clock(struct dev *d, const char *domain, uint32_t type)
{
	struct { amdsmi_clk_info_t v; unsigned char slack[AMDSMI_SLACK]; } c;
	char cur[48], lo[48], hi[48];

	snprintf(cur, sizeof(cur), "clocks_mhz.%s.current", domain);
	snprintf(lo, sizeof(lo), "clocks_mhz.%s.min", domain);
	snprintf(hi, sizeof(hi), "clocks_mhz.%s.max", domain);
	memset(&c, 0, sizeof(c));
	if (!CALL(d, clock, cur, d->h, type, &c.v)) {
		same_reason(d->obj, cur, (const char *const[]){ lo, hi, NULL });
		if (type == AMDSMI_CLK_TYPE_GFX)
			af_unavailable(d->obj, "clocks_mhz.gfx.locked", af_why(d->obj, cur));
		return;
	}
	set_u32(d->obj, cur, c.v.clk, AMDSMI_U32_UNSUPPORTED, 1);
	set_u32(d->obj, lo, c.v.min_clk, AMDSMI_U32_UNSUPPORTED, 1);
	set_u32(d->obj, hi, c.v.max_clk, AMDSMI_U32_UNSUPPORTED, 1);
	if (type != AMDSMI_CLK_TYPE_GFX)
		return;
	/* 24.5's record had a sleep clock where clk_locked is now */
	if (!version_at_least(d->lib, 24, 6))
		af_unavailable(d->obj, "clocks_mhz.gfx.locked", "not in AMD SMI before 24.6");
	else if (c.v.clk_locked > 1)
		af_unavailable(d->obj, "clocks_mhz.gfx.locked", c.v.clk_locked == AMDSMI_U8_UNSUPPORTED ? UNSUPPORTED
												 : "malformed value from the library");
	else
		af_set_bool(d->obj, "clocks_mhz.gfx.locked", c.v.clk_locked == 1);
}

static void add_clocks(struct dev *d)
{
	struct { amdsmi_od_volt_freq_data_t v; unsigned char slack[AMDSMI_SLACK]; } od;

	add_clock(d, "gfx", AMDSMI_CLK_TYPE_GFX);
	add_clock(d, "memory", AMDSMI_CLK_TYPE_MEM);
	memset(&od, 0, sizeof(od));
	if (CALL(d, overdrive, "overdrive_mhz.gfx.soft_max", d->h, &od.v)) {
		set_hz(d->obj, "overdrive_mhz.gfx.soft_max", od.v.curr_sclk_range.upper_bound);
		set_hz(d->obj, "overdrive_mhz.gfx.limit_max", od.v.sclk_freq_limits.upper_bound);
		set_hz(d->obj, "overdrive_mhz.memory.soft_max", od.v.curr_mclk_range.upper_bound);
		set_hz(d->obj, "overdrive_mhz.memory.limit_max", od.v.mclk_freq_limits.upper_bound);
	} else {
		same_reason(d->obj, "overdrive_mhz.gfx.soft_max",
			    (const char *const[]){ "overdrive_mhz.gfx.limit_max", "overdrive_mhz.memory.soft_max",
						   "overdrive_mhz.memory.limit_max", NULL });
	}
}

/* A violation's flag and share of the last interval. */
static void set_violation(json_t *obj, const char *name, uint8_t active, uint64_t percent)
{
	char a[64], p[64];

	snprintf(a, sizeof(a), "violation.active.%s", name);
	snprintf(p, sizeof(p), "violation.percent.%s", name);
	if (active <= 1)
		af_set_bool(obj, a, active == 1);
	else
		af_unavailable(obj, a, active == AMDSMI_U8_UNSUPPORTED ? UNSUPPORTED : "malformed value from the library");
	if (percent == AMDSMI_U64_UNSUPPORTED)
		af_unavailable(obj, p, UNSUPPORTED);
	else
		af_set_u64(obj, p, percent);
}

static void add_violations(struct dev *d)
{
	struct { amdsmi_violation_status_t v; unsigned char slack[AMDSMI_SLACK]; } vs;
	const amdsmi_violation_status_t *v = &vs.v;

	memset(&vs, 0, sizeof(vs));
	if (!CALL(d, violation, "violation.active.prochot", d->h, &vs.v)) {
		char why[128];
		snprintf(why, sizeof(why), "%s", af_why(d->obj, "violation.active.prochot"));
		for (size_t i = 0; amdsmi_violations[i]; i++) {
			char a[64], p[64];
			snprintf(a, sizeof(a), "violation.active.%s", amdsmi_violations[i]);
			snprintf(p, sizeof(p), "violation.percent.%s", amdsmi_violations[i]);
			af_unavailable(d->obj, a, why);
			af_unavailable(d->obj, p, why);
		}
		return;
	}
	set_violation(d->obj, "prochot", v->active_prochot_thrm, v->per_prochot_thrm);
	set_violation(d->obj, "ppt", v->active_ppt_pwr, v->per_ppt_pwr);
	set_violation(d->obj, "socket_thermal", v->active_socket_thrm, v->per_socket_thrm);
	set_violation(d->obj, "vr_thermal", v->active_vr_thrm, v->per_vr_thrm);
	set_violation(d->obj, "hbm_thermal", v->active_hbm_thrm, v->per_hbm_thrm);
}

/* The throttler bits of the GPU metrics table: the only slowdown source
 * before 24.7, kept beside the violations after it. */
static void add_metrics(struct dev *d)
{
	unsigned char *buf = xcalloc(1, AMDSMI_GPU_METRICS_BUFFER);
	amdsmi_gpu_metrics_head_t m;
	char bits[20];

	if (!CALL(d, metrics, "throttle.indep_status", d->h, buf)) {
		same_reason(d->obj, "throttle.indep_status", (const char *const[]){ "throttle.status", NULL });
		free(buf);
		return;
	}
	memcpy(&m, buf, sizeof(m));
	free(buf);
	set_u32(d->obj, "throttle.status", m.throttle_status, AMDSMI_U32_UNSUPPORTED, 1);
	if (m.indep_throttle_status == AMDSMI_U64_UNSUPPORTED) {
		af_unavailable(d->obj, "throttle.indep_status", UNSUPPORTED);
		return;
	}
	snprintf(bits, sizeof(bits), "%016llx", (unsigned long long)m.indep_throttle_status);
	af_set_str(d->obj, "throttle.indep_status", bits);
	af_set_json(d->obj, "throttle.active", amdsmi_throttler_names(m.indep_throttle_status));
}

/* Which of the two the runtime record takes its slowdown from: the
 * violations when all five flags are known (one unknown could be the one
 * that is active), else the throttler bits. */
static void throttle_source(struct dev *d)
{
	const char *unknown = NULL;

	for (size_t i = 0; amdsmi_violations[i] && unknown == NULL; i++) {
		char a[64];
		snprintf(a, sizeof(a), "violation.active.%s", amdsmi_violations[i]);
		if (af_get(d->obj, a) == NULL)
			unknown = af_why(d->obj, a);
	}
	if (unknown == NULL)
		af_set_str(d->obj, "throttle.source", "violation_status");
	else if (af_get(d->obj, "throttle.indep_status"))
		af_set_str(d->obj, "throttle.source", "gpu_metrics");
	else
		af_unavailable(d->obj, "throttle.source", unknown);
}

static void add_partitions(struct dev *d, int listed)
{
	static const char *const profiles[] = { NULL, "SPX", "DPX", "TPX", "QPX", "CPX" };
	struct { amdsmi_accelerator_partition_profile_t v; unsigned char slack[AMDSMI_SLACK]; } p;
	uint32_t ids[AMDSMI_MAX_ACCELERATOR_PARTITIONS + AMDSMI_SLACK / 4];
	char buf[64 + AMDSMI_SLACK];

	memset(buf, 0, sizeof(buf));
	if (CALL(d, compute_partition, "partition.compute", d->h, buf, 64))
		af_set_buffer(d->obj, "partition.compute", buf, 64);
	memset(buf, 0, sizeof(buf));
	if (CALL(d, memory_partition, "partition.memory", d->h, buf, 64))
		af_set_buffer(d->obj, "partition.memory", buf, 64);
	memset(&p, 0, sizeof(p));
	memset(ids, 0, sizeof(ids));
	if (CALL(d, partition_profile, "partition.profile", d->h, &p.v, ids)) {
		if (p.v.profile_type >= 1 && p.v.profile_type < ARRAY_SIZE(profiles))
			af_set_str(d->obj, "partition.profile", profiles[p.v.profile_type]);
		else
			af_unavailable(d->obj, "partition.profile", "unknown partition type from the library");
		af_set_u64(d->obj, "partition.count", p.v.num_partitions);
	} else {
		same_reason(d->obj, "partition.profile", (const char *const[]){ "partition.count", NULL });
	}
	af_set_int(d->obj, "partition.listed", listed);
}

static void add_bad_pages(struct dev *d)
{
	static const char *const paths[] = { "bad_pages.retired", "bad_pages.pending", "bad_pages.unreservable" };
	long long counts[3] = { 0, 0, 0 };
	amdsmi_retired_page_record_t *records;
	uint32_t n = 0, cap;
	amdsmi_status_t rc;

	if (!CALL(d, bad_pages, paths[0], d->h, &n, NULL)) {
		same_reason(d->obj, paths[0], (const char *const[]){ paths[1], paths[2], NULL });
		return;
	}
	if (n > MAX_BAD_PAGES) {
		for (size_t i = 0; i < 3; i++)
			af_unavailable(d->obj, paths[i], "bad page count out of range");
		return;
	}
	/* The library writes as many records as its file has lines, whatever
	 * the count passed in: room for pages retired between the two calls. */
	cap = n + 64;
	records = xcalloc(cap, sizeof(*records));
	rc = n == 0 ? AMDSMI_STATUS_SUCCESS : d->lib->bad_pages(d->h, &n, records);
	for (uint32_t i = 0; rc == AMDSMI_STATUS_SUCCESS && i < n && i < cap; i++) {
		if (records[i].status > AMDSMI_MEM_PAGE_STATUS_UNRESERVABLE) {
			rc = AMDSMI_STATUS_UNEXPECTED_DATA;
			break;
		}
		counts[records[i].status]++;
	}
	free(records);
	for (size_t i = 0; i < 3; i++) {
		if (rc == AMDSMI_STATUS_UNEXPECTED_DATA)
			af_unavailable(d->obj, paths[i], "unknown page status from the library");
		else if (ok(d, paths[i], rc))
			af_set_int(d->obj, paths[i], counts[i]);
	}
}

static void add_memory_health(struct dev *d)
{
	struct { amdsmi_error_count_t v; unsigned char slack[AMDSMI_SLACK]; } e;
	uint64_t blocks;
	uint32_t xgmi;
	char hex[20];

	memset(&e, 0, sizeof(e));
	if (CALL(d, ecc_total, "ecc.uncorrectable", d->h, &e.v)) {
		af_set_u64(d->obj, "ecc.correctable", e.v.correctable_count);
		af_set_u64(d->obj, "ecc.uncorrectable", e.v.uncorrectable_count);
		af_set_u64(d->obj, "ecc.deferred", e.v.deferred_count);
	} else {
		same_reason(d->obj, "ecc.uncorrectable", (const char *const[]){ "ecc.correctable", "ecc.deferred", NULL });
	}
	if (CALL(d, ecc_enabled, "ecc.enabled_blocks", d->h, &blocks)) {
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)blocks);
		af_set_str(d->obj, "ecc.enabled_blocks", hex);
	}
	add_bad_pages(d);
	if (CALL(d, xgmi_status, "xgmi.error_status", d->h, &xgmi)) {
		if (xgmi <= AMDSMI_XGMI_STATUS_MULTIPLE_ERRORS)
			af_set_str(d->obj, "xgmi.error_status", amdsmi_xgmi_states[xgmi]);
		else
			af_unavailable(d->obj, "xgmi.error_status", "unknown value from the library");
	}
}

/* A string member of a process record: null when the library's is not. */
static json_t *record_text(const char *buf, size_t size)
{
	char copy[AMDSMI_NORMAL_STRING_LENGTH];

	if (size > sizeof(copy) || memchr(buf, '\0', size) == NULL)
		return json_null();
	memcpy(copy, buf, size);
	return str_is_printable(copy) ? json_string(copy) : json_null();
}

static void add_processes(struct dev *d)
{
	amdsmi_proc_info_t *list = xcalloc(AMDSMI_MAX_PROCESSES, sizeof(*list));
	uint32_t n = AMDSMI_MAX_PROCESSES;
	amdsmi_status_t rc;
	json_t *procs;

	if (!have(d, d->lib->process_list != NULL, "processes")) {
		af_unavailable(d->obj, "process_count", MISSING);
		free(list);
		return;
	}
	rc = d->lib->process_list(d->h, &n, list);
	/* OUT_OF_RESOURCES: more running than the list holds; the list is full */
	if (rc != AMDSMI_STATUS_OUT_OF_RESOURCES && !ok(d, "processes", rc)) {
		af_unavailable(d->obj, "process_count", af_why(d->obj, "processes"));
		free(list);
		return;
	}
	af_set_int(d->obj, "process_count", n);
	procs = json_array();
	for (uint32_t i = 0; i < n && i < AMDSMI_MAX_PROCESSES; i++) {
		const amdsmi_proc_info_t *p = &list[i];
		json_t *item = json_object();
		jset(item, "pid", p->pid <= 4194304 ? json_integer(p->pid) : json_null());
		jset(item, "name", record_text(p->name, sizeof(p->name)));
		jset(item, "vram_bytes", p->memory_usage.vram_mem <= (1ull << 52) ? json_integer((json_int_t)p->memory_usage.vram_mem)
										     : json_null());
		jset(item, "container", record_text(p->container_name, sizeof(p->container_name)));
		json_array_append_new(procs, item);
	}
	af_set_json(d->obj, "processes", procs);
	free(list);
}

static json_t *describe_device(struct amdsmi_lib *lib, unsigned index, handle_t h, const char *address, int listed)
{
	struct dev d = { .lib = lib, .h = h, .obj = json_object() };

	jset_int(d.obj, "index", index);
	jset_str(d.obj, "pci_address", address);
	add_identity(&d);
	add_power(&d);
	add_clocks(&d);
	add_violations(&d);
	add_metrics(&d);
	throttle_source(&d);
	add_partitions(&d, listed);
	add_memory_health(&d);
	add_processes(&d);
	jset_bool(d.obj, "lost", d.lost);
	return d.obj;
}

static void unreachable(json_t *section, unsigned index, const char *what, const char *why)
{
	json_t *list = jarr(section, "unreachable_devices");
	char *text = xasprintf("%s: %s", what, why);

	if (list == NULL) {
		list = json_array();
		json_object_set_new(section, "unreachable_devices", list);
	}
	json_array_append_new(list, json_pack("{s:i, s:s}", "index", (int)index, "error", text));
	free(text);
}

/* The kernel's address of a device: from amdsmi_bdf_t (domain in bits
 * 16-63), or amdsmi_get_gpu_bdf_id's packing (domain in 32-63, a partition
 * in 28-31). 0, or the reason it has none. */
static const char *device_address(const struct amdsmi_lib *lib, handle_t h, char *out, size_t len, char *why,
				  size_t whylen)
{
	uint64_t domain, bus, dev, fn;
	amdsmi_status_t rc;

	if (lib->device_bdf) {
		amdsmi_bdf_t bdf = { 0 };
		if ((rc = lib->device_bdf(h, &bdf)) != AMDSMI_STATUS_SUCCESS)
			return error_text(rc, why, whylen);
		fn = bdf.as_uint & 0x7, dev = (bdf.as_uint >> 3) & 0x1f, bus = (bdf.as_uint >> 8) & 0xff;
		domain = bdf.as_uint >> 16;
	} else if (lib->bdf_id) {
		uint64_t id = 0;
		if ((rc = lib->bdf_id(h, &id)) != AMDSMI_STATUS_SUCCESS)
			return error_text(rc, why, whylen);
		fn = id & 0x7, dev = (id >> 3) & 0x1f, bus = (id >> 8) & 0xff, domain = id >> 32;
	} else {
		return MISSING;
	}
	if (domain > 0xffff)
		return "malformed PCI address (domain out of range)";
	snprintf(out, len, "%04x:%02x:%02x.%x", (unsigned)domain, (unsigned)bus, (unsigned)dev, (unsigned)fn);
	return pci_address_valid(out) ? NULL : "malformed PCI address";
}

struct gpu_handle {
	handle_t h;
	char address[32];
};

/* The handles of SOCKET into LIST (at most MAX): the count added. */
static size_t socket_gpus(struct amdsmi_lib *lib, json_t *section, amdsmi_socket_handle socket, struct gpu_handle *list,
			  size_t max, unsigned *index)
{
	uint32_t n = 0, type;
	handle_t *handles;
	amdsmi_status_t rc;
	size_t added = 0;
	char why[32];

	if ((rc = lib->processor_handles(socket, &n, NULL)) != AMDSMI_STATUS_SUCCESS) {
		unreachable(section, *index, "no processor handles for a socket", error_text(rc, why, sizeof(why)));
		return 0;
	}
	if (n > MAX_HANDLES)
		n = MAX_HANDLES;
	handles = xcalloc(n + 16, sizeof(*handles));
	if (n > 0 && (rc = lib->processor_handles(socket, &n, handles)) != AMDSMI_STATUS_SUCCESS) {
		unreachable(section, *index, "no processor handles for a socket", error_text(rc, why, sizeof(why)));
		n = 0;
	}
	for (uint32_t i = 0; i < n && i < MAX_HANDLES && added < max; i++) {
		const char *no;
		/* an APU's CPU, when a library lists one: not an accelerator */
		if (lib->processor_type && lib->processor_type(handles[i], &type) == AMDSMI_STATUS_SUCCESS &&
		    type != AMDSMI_PROCESSOR_TYPE_AMD_GPU)
			continue;
		no = device_address(lib, handles[i], list[added].address, sizeof(list[added].address), why, sizeof(why));
		if (no) {
			unreachable(section, (*index)++, "no PCI address", no);
			continue;
		}
		list[added].h = handles[i];
		added++;
		(*index)++;
	}
	free(handles);
	return added;
}

static void add_devices(struct amdsmi_lib *lib, json_t *section)
{
	json_t *devices = json_array();
	struct gpu_handle *gpus = xcalloc(AMDSMI_MAX_DEVICES, sizeof(*gpus));
	amdsmi_socket_handle *sockets;
	uint32_t nsock = 0;
	size_t count = 0;
	unsigned index = 0;
	amdsmi_status_t rc;
	char why[32];

	json_object_set_new(section, "devices", devices);
	if ((rc = lib->socket_handles(&nsock, NULL)) != AMDSMI_STATUS_SUCCESS) {
		af_unavailable(section, "socket_count", error_text(rc, why, sizeof(why)));
		af_unavailable(section, "device_count", error_text(rc, why, sizeof(why)));
		free(gpus);
		return;
	}
	if (nsock > MAX_HANDLES)
		nsock = MAX_HANDLES;
	sockets = xcalloc(nsock + 16, sizeof(*sockets));
	if (nsock > 0 && (rc = lib->socket_handles(&nsock, sockets)) != AMDSMI_STATUS_SUCCESS) {
		af_unavailable(section, "socket_count", error_text(rc, why, sizeof(why)));
		nsock = 0;
	} else {
		af_set_int(section, "socket_count", nsock < MAX_HANDLES ? nsock : MAX_HANDLES);
	}
	for (uint32_t s = 0; s < nsock && s < MAX_HANDLES; s++)
		count += socket_gpus(lib, section, sockets[s], gpus + count, AMDSMI_MAX_DEVICES - count, &index);
	free(sockets);
	af_set_int(section, "device_count", (long long)count);
	/* Partitions of one GPU (CPX, DPX, ...) are listed as handles with the
	 * same address: the first describes the GPU, the others are counted. */
	for (size_t i = 0; i < count; i++) {
		int listed = 0;
		bool first = true;
		for (size_t j = 0; j < count; j++) {
			if (strcmp(gpus[i].address, gpus[j].address) == 0) {
				listed++;
				first &= j >= i;
			}
		}
		if (first)
			json_array_append_new(devices, describe_device(lib, (unsigned)i, gpus[i].h, gpus[i].address,
								       listed < 64 ? listed : 64));
	}
	free(gpus);
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

static json_t *amdsmi_gather(const struct vendor_ctx *ctx)
{
	const char *env = getenv(amdsmi_backend.library_env);
	const char *path = ctx && ctx->library ? ctx->library : (env && *env ? env : amdsmi_backend.default_library);
	struct amdsmi_lib lib;
	json_t *section, *missing, *devices;
	const char *absent;
	amdsmi_status_t rc;
	char why[32], version[48];

	memset(&lib, 0, sizeof(lib));
	lib.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (lib.dl == NULL) {
		const char *d = dlerror();
		char *e = xstrdup(d ? d : "cannot be loaded");
		json_t *s;
		/* ROCm installs it outside the loader's path unless configured */
		if (path == amdsmi_backend.default_library && (lib.dl = dlopen(ROCM_LIBRARY, RTLD_NOW | RTLD_LOCAL))) {
			path = ROCM_LIBRARY;
			free(e);
		} else {
			s = unavailable_section(path, "%s", e);
			free(e);
			return s;
		}
	}
	missing = json_array();
	if ((absent = resolve(&lib, missing)) != NULL) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "%s: not in the library (not AMD SMI, or too old)", absent);
	}
	if ((rc = lib.init(AMDSMI_INIT_AMD_GPUS)) != AMDSMI_STATUS_SUCCESS) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "amdsmi_init: %s", error_text(rc, why, sizeof(why)));
	}
	section = json_object();
	jset_bool(section, "available", true);
	jset_str(section, "library", path);
	jset(section, "reason", NULL);
	json_object_set_new(section, "missing_functions", missing);
	if ((rc = lib.lib_version(&lib.version)) != AMDSMI_STATUS_SUCCESS) {
		/* without it the structure layouts cannot be chosen */
		lib.shut_down();
		dlclose(lib.dl);
		json_decref(section);
		return unavailable_section(path, "amdsmi_get_lib_version: %s", error_text(rc, why, sizeof(why)));
	}
	snprintf(version, sizeof(version), "%u.%u.%u.%u", lib.version.year, lib.version.major, lib.version.minor,
		 lib.version.release);
	af_set_str(section, "library_version", version);
	lib.legacy = !version_at_least(&lib, 24, 6);
	af_set_str(section, "struct_layout", lib.legacy ? "24.5" : "24.6+");
	add_devices(&lib, section);
	lib.shut_down();
	dlclose(lib.dl);
	/* Devices last: the system members read first in the file. */
	devices = json_incref(json_object_get(section, "devices"));
	json_object_del(section, "devices");
	json_object_set_new(section, "devices", devices);
	return section;
}

const struct vendor_backend amdsmi_backend = {
	.name = "amdsmi",
	.vendor = "AMD",
	.pci_vendor_id = 0x1002,
	.default_library = "libamd_smi.so",
	.library_env = "CHIPAUDIT_AMDSMI_LIBRARY",
	.capture_path = AMDSMI_CAPTURE_PATH,
	.gather = amdsmi_gather,
	.validate_capture = amdsmi_validate_capture,
	.validate_device = amdsmi_validate_device,
	.validate_system = amdsmi_validate_system,
	.describe = amdsmi_describe,
	.evidence = amdsmi_evidence,
	.remedies = amdsmi_remedies,
	.unreachable_remedy = "Check `amd-smi list` and `amd-smi static --bus` against `lspci -d 1002:`, and the "
			      "kernel log (`dmesg -T | grep -i amdgpu`).",
	.power_limit_command = "amd-smi set --power-cap",
	.kernel_driver = "amdgpu",
	.library_label = "AMD SMI",
	.device_noun = "GPU",
	.work_unit = "HIP context",
	.partitions_label = "compute partition",
};
