/* A fake libamd_smi.so for the test suite, driven by a scenario file
 * (FAKE_AMDSMI_SCENARIO=tests/fake-amdsmi/scenarios/NAME.json). chipaudit
 * loads it through its real dlopen path (CHIPAUDIT_AMDSMI_LIBRARY or
 * --vendor-library amdsmi=PATH).
 *
 * Built twice: libfake-amdsmi.so answers as AMD SMI 24.7 (ROCm 6.3) does;
 * with -DFAKE_AMDSMI_OLD, libfake-amdsmi-old.so answers as 24.5 (ROCm 6.1):
 * the older structure layouts, and no amdsmi_get_gpu_device_bdf,
 * amdsmi_get_violation_status or partition profile, to prove the
 * fallbacks. Scenario members: tests/fake-amdsmi/README.md. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-common/scenario.h"
#include "vendor/amdsmi_api.h"

/* The exported functions are AMD SMI's API, declared in AMD's amdsmi.h,
 * which this project does not have: no prototypes to include. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT __attribute__((visibility("default")))
#define MAX_HANDLES 256

struct fdev {
	json_t *j;
	int socket;
};

static json_t *scenario;
static json_t *merged;
static struct fdev handles[MAX_HANDLES];
static size_t handle_count;
static int socket_ids[MAX_HANDLES];
static size_t socket_count;

static const struct { const char *name; amdsmi_status_t rc; } error_names[] = {
	{ "SUCCESS", AMDSMI_STATUS_SUCCESS }, { "INVAL", AMDSMI_STATUS_INVAL },
	{ "NOT_SUPPORTED", AMDSMI_STATUS_NOT_SUPPORTED }, { "NO_PERM", AMDSMI_STATUS_NO_PERM },
	{ "IO", AMDSMI_STATUS_IO }, { "FILE_ERROR", AMDSMI_STATUS_FILE_ERROR }, { "BUSY", AMDSMI_STATUS_BUSY },
	{ "NOT_FOUND", AMDSMI_STATUS_NOT_FOUND }, { "NOT_INIT", AMDSMI_STATUS_NOT_INIT },
	{ "DRIVER_NOT_LOADED", AMDSMI_STATUS_DRIVER_NOT_LOADED }, { "INIT_ERROR", AMDSMI_STATUS_INIT_ERROR },
	{ "DRM_ERROR", AMDSMI_STATUS_DRM_ERROR }, { "NO_DATA", AMDSMI_STATUS_NO_DATA },
	{ "UNEXPECTED_DATA", AMDSMI_STATUS_UNEXPECTED_DATA }, { "UNKNOWN_ERROR", AMDSMI_STATUS_UNKNOWN_ERROR },
	{ "WEIRD", 4242 },
};

static amdsmi_status_t error_code(const char *name)
{
	for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (name && strcmp(error_names[i].name, name) == 0)
			return error_names[i].rc;
	return AMDSMI_STATUS_UNKNOWN_ERROR;
}

static uint64_t num(const json_t *obj, const char *key, uint64_t dflt)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : dflt;
}

static uint64_t at(const json_t *arr, size_t i, uint64_t dflt)
{
	const json_t *v = json_array_get(arr, i);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : dflt;
}

static uint64_t hex(const json_t *obj, const char *key, uint64_t dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? strtoull(s, NULL, 16) : dflt;
}

static bool unterminated(const json_t *dev)
{
	return json_is_true(json_object_get(dev, "unterminated_strings"));
}

/* A string member into a buffer of SIZE bytes; with unterminated_strings,
 * the buffer is filled with no NUL. */
static void text(const json_t *dev, const json_t *obj, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (unterminated(dev)) {
		memset(buf, 'A', size);
		return;
	}
	snprintf(buf, size, "%s", s ? s : "");
}

static void load(void)
{
	json_t *devices[MAX_HANDLES];
	size_t n = fake_scenario_devices(scenario, devices, MAX_HANDLES);

	merged = json_array();
	handle_count = socket_count = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *full = devices[i];
		int socket = (int)num(full, "socket", i);
		uint64_t listed = num(full, "partitions_listed", 1);
		bool known = false;
		json_array_append_new(merged, full);
		for (uint64_t p = 0; p < listed && handle_count < MAX_HANDLES; p++)
			handles[handle_count++] = (struct fdev){ full, socket };
		for (size_t s = 0; s < socket_count; s++)
			known |= socket_ids[s] == socket;
		if (!known && socket_count < MAX_HANDLES)
			socket_ids[socket_count++] = socket;
	}
}

/* The error function FN is told to return: errors[FN], or errors["*"] for
 * every function but the address lookups. */
static amdsmi_status_t forced(const json_t *obj, const char *fn)
{
	const json_t *errors = json_object_get(obj, "errors");
	const char *e = json_string_value(json_object_get(errors, fn));

	if (e == NULL && strstr(fn, "bdf") == NULL)
		e = json_string_value(json_object_get(errors, "*"));
	return e ? error_code(e) : AMDSMI_STATUS_SUCCESS;
}

static const struct fdev *dev_of(amdsmi_processor_handle h)
{
	const struct fdev *d = h;
	return d >= handles && d < handles + handle_count ? d : NULL;
}

/* Look up HANDLE, apply a forced error for FN, and the member KEY (absent:
 * not supported). */
#define BEGIN(handle, fn, key, member)                                       \
	const struct fdev *d_ = dev_of(handle);                              \
	const json_t *member;                                                \
	amdsmi_status_t rc_;                                                 \
	if (scenario == NULL)                                                \
		return AMDSMI_STATUS_NOT_INIT;                               \
	if (d_ == NULL)                                                      \
		return AMDSMI_STATUS_INVAL;                                  \
	if ((rc_ = forced(d_->j, fn)) != AMDSMI_STATUS_SUCCESS)              \
		return rc_;                                                  \
	member = json_object_get(d_->j, key);                                \
	if (member == NULL)                                                  \
		return AMDSMI_STATUS_NOT_SUPPORTED

EXPORT amdsmi_status_t amdsmi_init(uint64_t flags)
{
	const char *init_error;
	bool unset;

	(void)flags;
	if (scenario)
		return AMDSMI_STATUS_SUCCESS;
	if ((scenario = fake_scenario_open("FAKE_AMDSMI_SCENARIO", "fake-amdsmi", &unset)) == NULL)
		return unset ? AMDSMI_STATUS_DRIVER_NOT_LOADED : AMDSMI_STATUS_INIT_ERROR;
	if ((init_error = fake_scenario_init_error(scenario)) != NULL) {
		amdsmi_status_t rc = error_code(init_error);
		json_decref(scenario);   /* holds init_error: the code is taken first */
		scenario = NULL;
		return rc;
	}
	load();
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_shut_down(void)
{
	json_decref(scenario);
	json_decref(merged);
	scenario = merged = NULL;
	handle_count = socket_count = 0;
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_lib_version(amdsmi_version_t *v)
{
#ifdef FAKE_AMDSMI_OLD
	static const uint64_t dflt[4] = { 24, 5, 2, 0 };
#else
	static const uint64_t dflt[4] = { 24, 7, 0, 0 };
#endif
	const json_t *given = json_object_get(scenario, "version");

	if (scenario == NULL)
		return AMDSMI_STATUS_NOT_INIT;
	v->year = (uint32_t)at(given, 0, dflt[0]);
	v->major = (uint32_t)at(given, 1, dflt[1]);
	v->minor = (uint32_t)at(given, 2, dflt[2]);
	v->release = (uint32_t)at(given, 3, dflt[3]);
	v->build = "fake";
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_socket_handles(uint32_t *count, amdsmi_socket_handle *list)
{
	const char *e;

	if (scenario == NULL)
		return AMDSMI_STATUS_NOT_INIT;
	if ((e = json_string_value(json_object_get(json_object_get(scenario, "errors"), "amdsmi_get_socket_handles"))))
		return error_code(e);
	if (list == NULL) {
		*count = (uint32_t)socket_count;
		return AMDSMI_STATUS_SUCCESS;
	}
	for (size_t i = 0; i < socket_count && i < *count; i++)
		list[i] = &socket_ids[i];
	*count = (uint32_t)socket_count;
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_processor_handles(amdsmi_socket_handle socket, uint32_t *count,
						    amdsmi_processor_handle *list)
{
	const int *s = socket;
	uint32_t n = 0;

	if (scenario == NULL)
		return AMDSMI_STATUS_NOT_INIT;
	if (s < socket_ids || s >= socket_ids + socket_count)
		return AMDSMI_STATUS_INVAL;
	for (size_t i = 0; i < handle_count; i++) {
		if (handles[i].socket != *s)
			continue;
		if (list && n < *count)
			list[n] = &handles[i];
		n++;
	}
	*count = n;
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_processor_type(amdsmi_processor_handle h, uint32_t *type)
{
	BEGIN(h, "amdsmi_get_processor_type", "bdf", unused);
	(void)unused;
	*type = (uint32_t)num(d_->j, "processor_type", AMDSMI_PROCESSOR_TYPE_AMD_GPU);
	return AMDSMI_STATUS_SUCCESS;
}

/* "bdf": "0000:41:00.0", or "bdf_raw": the 64-bit value as given. */
static amdsmi_status_t bdf_of(const struct fdev *d, uint64_t *domain, unsigned *bus, unsigned *dev, unsigned *fn,
			      uint64_t *raw, bool *have_raw)
{
	const char *s = json_string_value(json_object_get(d->j, "bdf"));
	unsigned long long dom;

	*have_raw = json_is_integer(json_object_get(d->j, "bdf_raw"));
	*raw = num(d->j, "bdf_raw", 0);
	if (*have_raw)
		return AMDSMI_STATUS_SUCCESS;
	if (s == NULL || sscanf(s, "%llx:%x:%x.%x", &dom, bus, dev, fn) != 4)
		return AMDSMI_STATUS_NOT_SUPPORTED;
	*domain = dom;
	return AMDSMI_STATUS_SUCCESS;
}

#ifndef FAKE_AMDSMI_OLD
EXPORT amdsmi_status_t amdsmi_get_gpu_device_bdf(amdsmi_processor_handle h, amdsmi_bdf_t *bdf)
{
	uint64_t domain = 0, raw;
	unsigned bus = 0, dev = 0, fn = 0;
	bool have_raw;
	BEGIN(h, "amdsmi_get_gpu_device_bdf", "asic", unused);
	(void)unused;
	if ((rc_ = bdf_of(d_, &domain, &bus, &dev, &fn, &raw, &have_raw)) != AMDSMI_STATUS_SUCCESS)
		return rc_;
	bdf->as_uint = have_raw ? raw : (domain << 16) | ((uint64_t)bus << 8) | ((uint64_t)dev << 3) | fn;
	return AMDSMI_STATUS_SUCCESS;
}
#endif

EXPORT amdsmi_status_t amdsmi_get_gpu_bdf_id(amdsmi_processor_handle h, uint64_t *id)
{
	uint64_t domain = 0, raw;
	unsigned bus = 0, dev = 0, fn = 0;
	bool have_raw;
	BEGIN(h, "amdsmi_get_gpu_bdf_id", "asic", unused);
	(void)unused;
	if ((rc_ = bdf_of(d_, &domain, &bus, &dev, &fn, &raw, &have_raw)) != AMDSMI_STATUS_SUCCESS)
		return rc_;
	*id = have_raw ? raw : (domain << 32) | ((uint64_t)bus << 8) | ((uint64_t)dev << 3) | fn;
	return AMDSMI_STATUS_SUCCESS;
}

/* "asic": {market_name, vendor_id, vendor_name, subvendor_id, device_id,
 * rev_id, asic_serial, oam_id, compute_units}. */
EXPORT amdsmi_status_t amdsmi_get_gpu_asic_info(amdsmi_processor_handle h, void *out)
{
	BEGIN(h, "amdsmi_get_gpu_asic_info", "asic", a);
#ifdef FAKE_AMDSMI_OLD
	amdsmi_asic_info_v245_t *i = out;
	memset(i, 0, sizeof(*i));
	i->oam_id = (uint16_t)num(a, "oam_id", 0xffff);
#else
	amdsmi_asic_info_t *i = out;
	memset(i, 0, sizeof(*i));
	i->oam_id = (uint32_t)num(a, "oam_id", 0xffff);
	i->num_of_compute_units = (uint32_t)num(a, "compute_units", AMDSMI_U32_UNSUPPORTED);
	i->target_graphics_version = 0x942;
#endif
	text(d_->j, a, "market_name", i->market_name, sizeof(i->market_name));
	text(d_->j, a, "vendor_name", i->vendor_name, sizeof(i->vendor_name));
	text(d_->j, a, "asic_serial", i->asic_serial, sizeof(i->asic_serial));
	i->vendor_id = (uint32_t)hex(a, "vendor_id", 0x1002);
	i->subvendor_id = (uint32_t)hex(a, "subvendor_id", 0x1002);
	i->device_id = hex(a, "device_id", 0);
	i->rev_id = (uint32_t)num(a, "rev_id", 0);
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_board_info(amdsmi_processor_handle h, void *out)
{
	BEGIN(h, "amdsmi_get_gpu_board_info", "board", b);
#ifdef FAKE_AMDSMI_OLD
	amdsmi_board_info_v245_t *i = out;
#else
	amdsmi_board_info_t *i = out;
#endif
	memset(i, 0, sizeof(*i));
	text(d_->j, b, "model_number", i->model_number, sizeof(i->model_number));
	text(d_->j, b, "product_serial", i->product_serial, sizeof(i->product_serial));
	text(d_->j, b, "fru_id", i->fru_id, sizeof(i->fru_id));
	text(d_->j, b, "product_name", i->product_name, sizeof(i->product_name));
	text(d_->j, b, "manufacturer_name", i->manufacturer_name, sizeof(i->manufacturer_name));
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_subsystem_id(amdsmi_processor_handle h, uint16_t *id)
{
	BEGIN(h, "amdsmi_get_gpu_subsystem_id", "subsystem_id", s);
	*id = (uint16_t)strtoul(json_string_value(s) ? json_string_value(s) : "0", NULL, 16);
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_device_uuid(amdsmi_processor_handle h, unsigned *len, char *uuid)
{
	BEGIN(h, "amdsmi_get_gpu_device_uuid", "uuid", u);
	if (*len < AMDSMI_GPU_UUID_SIZE)
		return AMDSMI_STATUS_INSUFFICIENT_SIZE;
	text(d_->j, d_->j, "uuid", uuid, AMDSMI_GPU_UUID_SIZE);
	(void)u;
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_vbios_info(amdsmi_processor_handle h, amdsmi_vbios_info_t *i)
{
	BEGIN(h, "amdsmi_get_gpu_vbios_info", "vbios", v);
	memset(i, 0, sizeof(*i));
	text(d_->j, v, "name", i->name, sizeof(i->name));
	text(d_->j, v, "build_date", i->build_date, sizeof(i->build_date));
	text(d_->j, v, "part_number", i->part_number, sizeof(i->part_number));
	text(d_->j, v, "version", i->version, sizeof(i->version));
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_driver_info(amdsmi_processor_handle h, amdsmi_driver_info_t *i)
{
	BEGIN(h, "amdsmi_get_gpu_driver_info", "driver", v);
	memset(i, 0, sizeof(*i));
	text(d_->j, v, "name", i->driver_name, sizeof(i->driver_name));
	text(d_->j, v, "version", i->driver_version, sizeof(i->driver_version));
	text(d_->j, v, "date", i->driver_date, sizeof(i->driver_date));
	return AMDSMI_STATUS_SUCCESS;
}

/* "power_cap": {cap, default, dpm, min, max} in microwatts. */
EXPORT amdsmi_status_t amdsmi_get_power_cap_info(amdsmi_processor_handle h, uint32_t sensor, amdsmi_power_cap_info_t *i)
{
	BEGIN(h, "amdsmi_get_power_cap_info", "power_cap", p);
	(void)sensor;
	memset(i, 0, sizeof(*i));
	i->power_cap = num(p, "cap", 0);
	i->default_power_cap = num(p, "default", 0);
	i->dpm_cap = num(p, "dpm", 0);
	i->min_power_cap = num(p, "min", 0);
	i->max_power_cap = num(p, "max", 0);
	return AMDSMI_STATUS_SUCCESS;
}

/* "power_info": {current, average} in watts. */
EXPORT amdsmi_status_t amdsmi_get_power_info(amdsmi_processor_handle h, amdsmi_power_info_t *i)
{
	BEGIN(h, "amdsmi_get_power_info", "power_info", p);
	memset(i, 0, sizeof(*i));
	i->current_socket_power = (uint32_t)num(p, "current", 0xffff);
	i->average_socket_power = (uint32_t)num(p, "average", 0xffff);
	i->power_limit = (uint32_t)num(json_object_get(d_->j, "power_cap"), "cap", 0);
	return AMDSMI_STATUS_SUCCESS;
}

/* "temperature": {hotspot, vram} in degrees C. */
EXPORT amdsmi_status_t amdsmi_get_temp_metric(amdsmi_processor_handle h, uint32_t type, uint32_t metric, int64_t *t)
{
	const json_t *v;
	BEGIN(h, "amdsmi_get_temp_metric", "temperature", temps);
	(void)metric;
	v = json_object_get(temps, type == AMDSMI_TEMPERATURE_TYPE_HOTSPOT ? "hotspot" : "vram");
	if (!json_is_integer(v))
		return AMDSMI_STATUS_NOT_SUPPORTED;
	*t = json_integer_value(v);
	return AMDSMI_STATUS_SUCCESS;
}

/* "clocks": {gfx: [current, min, max, locked], memory: [current, min, max]} MHz. */
EXPORT amdsmi_status_t amdsmi_get_clock_info(amdsmi_processor_handle h, uint32_t type, amdsmi_clk_info_t *i)
{
	const json_t *c;
	BEGIN(h, "amdsmi_get_clock_info", "clocks", clocks);
	c = json_object_get(clocks, type == AMDSMI_CLK_TYPE_GFX ? "gfx" : "memory");
	if (c == NULL)
		return AMDSMI_STATUS_NOT_SUPPORTED;
	memset(i, 0, sizeof(*i));
	i->clk = (uint32_t)at(c, 0, 0);
	i->min_clk = (uint32_t)at(c, 1, 0);
	i->max_clk = (uint32_t)at(c, 2, 0);
#ifdef FAKE_AMDSMI_OLD
	i->clk_locked = 0x2c;   /* 24.5: the low byte of the sleep clock (300 MHz) */
	i->clk_deep_sleep = 0x01;
#else
	i->clk_locked = (uint8_t)at(c, 3, 0);
#endif
	return AMDSMI_STATUS_SUCCESS;
}

/* "overdrive": {sclk: [lo, hi], mclk: [lo, hi], sclk_limits: [lo, hi],
 * mclk_limits: [lo, hi]} in MHz, given to the caller in Hz. */
EXPORT amdsmi_status_t amdsmi_get_gpu_od_volt_info(amdsmi_processor_handle h, amdsmi_od_volt_freq_data_t *i)
{
	static const uint64_t mhz = 1000000;
	BEGIN(h, "amdsmi_get_gpu_od_volt_info", "overdrive", o);
	memset(i, 0, sizeof(*i));
	i->curr_sclk_range.lower_bound = at(json_object_get(o, "sclk"), 0, 0) * mhz;
	i->curr_sclk_range.upper_bound = at(json_object_get(o, "sclk"), 1, 0) * mhz;
	i->curr_mclk_range.lower_bound = at(json_object_get(o, "mclk"), 0, 0) * mhz;
	i->curr_mclk_range.upper_bound = at(json_object_get(o, "mclk"), 1, 0) * mhz;
	i->sclk_freq_limits.lower_bound = at(json_object_get(o, "sclk_limits"), 0, 0) * mhz;
	i->sclk_freq_limits.upper_bound = at(json_object_get(o, "sclk_limits"), 1, 0) * mhz;
	i->mclk_freq_limits.lower_bound = at(json_object_get(o, "mclk_limits"), 0, 0) * mhz;
	i->mclk_freq_limits.upper_bound = at(json_object_get(o, "mclk_limits"), 1, 0) * mhz;
	return AMDSMI_STATUS_SUCCESS;
}

#ifndef FAKE_AMDSMI_OLD
/* "violation": {prochot, ppt, socket_thermal, vr_thermal, hbm_thermal}:
 * each [active, percent]; absent members are unsupported (all ones). */
EXPORT amdsmi_status_t amdsmi_get_violation_status(amdsmi_processor_handle h, amdsmi_violation_status_t *i)
{
	const json_t *x;
	BEGIN(h, "amdsmi_get_violation_status", "violation", v);
	memset(i, 0xff, sizeof(*i));
#define V(key, a, p)                                     \
	x = json_object_get(v, key);                     \
	i->a = (uint8_t)at(x, 0, AMDSMI_U8_UNSUPPORTED);  \
	i->p = at(x, 1, AMDSMI_U64_UNSUPPORTED)
	V("prochot", active_prochot_thrm, per_prochot_thrm);
	V("ppt", active_ppt_pwr, per_ppt_pwr);
	V("socket_thermal", active_socket_thrm, per_socket_thrm);
	V("vr_thermal", active_vr_thrm, per_vr_thrm);
	V("hbm_thermal", active_hbm_thrm, per_hbm_thrm);
#undef V
	return AMDSMI_STATUS_SUCCESS;
}
#endif

/* "metrics": {throttle_status, indep: "hex"}: the GPU metrics table, whole
 * (1832 bytes in 24.7, 424 in 24.5), with the head filled. */
EXPORT amdsmi_status_t amdsmi_get_gpu_metrics_info(amdsmi_processor_handle h, void *out)
{
#ifdef FAKE_AMDSMI_OLD
	const size_t size = 424;
#else
	const size_t size = AMDSMI_GPU_METRICS_SIZE_247;
#endif
	amdsmi_gpu_metrics_head_t head;
	BEGIN(h, "amdsmi_get_gpu_metrics_info", "metrics", m);
	memset(out, 0, size);
	memset(&head, 0, sizeof(head));
	head.structure_size = (uint16_t)size;
	head.format_revision = 1;
	head.content_revision = 3;
	head.throttle_status = (uint32_t)num(m, "throttle_status", AMDSMI_U32_UNSUPPORTED);
	head.indep_throttle_status = hex(m, "indep", AMDSMI_U64_UNSUPPORTED);
	memcpy(out, &head, sizeof(head));
	return AMDSMI_STATUS_SUCCESS;
}

static amdsmi_status_t partition_text(amdsmi_processor_handle h, const char *fn, const char *key, char *buf,
				      uint32_t len)
{
	BEGIN(h, fn, key, p);
	if (unterminated(d_->j)) {
		memset(buf, 'A', len);
		return AMDSMI_STATUS_SUCCESS;
	}
	if (strlen(json_string_value(p) ? json_string_value(p) : "") + 1 > len)
		return AMDSMI_STATUS_INSUFFICIENT_SIZE;
	snprintf(buf, len, "%s", json_string_value(p) ? json_string_value(p) : "");
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_compute_partition(amdsmi_processor_handle h, char *buf, uint32_t len)
{
	return partition_text(h, "amdsmi_get_gpu_compute_partition", "compute_partition", buf, len);
}

EXPORT amdsmi_status_t amdsmi_get_gpu_memory_partition(amdsmi_processor_handle h, char *buf, uint32_t len)
{
	return partition_text(h, "amdsmi_get_gpu_memory_partition", "memory_partition", buf, len);
}

#ifndef FAKE_AMDSMI_OLD
/* "profile": {type, count}. */
EXPORT amdsmi_status_t amdsmi_get_gpu_accelerator_partition_profile(amdsmi_processor_handle h,
								   amdsmi_accelerator_partition_profile_t *p,
								   uint32_t *ids)
{
	BEGIN(h, "amdsmi_get_gpu_accelerator_partition_profile", "profile", prof);
	memset(p, 0, sizeof(*p));
	p->profile_type = (uint32_t)num(prof, "type", 1);
	p->num_partitions = (uint32_t)num(prof, "count", 1);
	for (uint32_t i = 0; i < p->num_partitions && i < AMDSMI_MAX_ACCELERATOR_PARTITIONS; i++)
		ids[i] = i;
	return AMDSMI_STATUS_SUCCESS;
}
#endif

/* "ecc": [correctable, uncorrectable, deferred]. */
EXPORT amdsmi_status_t amdsmi_get_gpu_total_ecc_count(amdsmi_processor_handle h, amdsmi_error_count_t *e)
{
	BEGIN(h, "amdsmi_get_gpu_total_ecc_count", "ecc", c);
	memset(e, 0, sizeof(*e));
	e->correctable_count = at(c, 0, 0);
	e->uncorrectable_count = at(c, 1, 0);
	e->deferred_count = at(c, 2, 0);
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_get_gpu_ecc_enabled(amdsmi_processor_handle h, uint64_t *blocks)
{
	BEGIN(h, "amdsmi_get_gpu_ecc_enabled", "ecc_enabled", b);
	*blocks = strtoull(json_string_value(b) ? json_string_value(b) : "0", NULL, 16);
	return AMDSMI_STATUS_SUCCESS;
}

/* "bad_pages": [status, ...]. As the real library does, a call with
 * records writes every page, whatever the count passed in. */
EXPORT amdsmi_status_t amdsmi_get_gpu_bad_page_info(amdsmi_processor_handle h, uint32_t *n,
						    amdsmi_retired_page_record_t *records)
{
	BEGIN(h, "amdsmi_get_gpu_bad_page_info", "bad_pages", pages);
	*n = (uint32_t)num(d_->j, "bad_page_count", json_array_size(pages));
	if (records == NULL)
		return AMDSMI_STATUS_SUCCESS;
	for (size_t i = 0; i < json_array_size(pages); i++) {
		records[i].page_address = 0x100000000ull + i * 4096;
		records[i].page_size = 4096;
		records[i].status = (uint32_t)at(pages, i, 0);
	}
	return AMDSMI_STATUS_SUCCESS;
}

EXPORT amdsmi_status_t amdsmi_gpu_xgmi_error_status(amdsmi_processor_handle h, uint32_t *status)
{
	BEGIN(h, "amdsmi_gpu_xgmi_error_status", "xgmi", x);
	*status = (uint32_t)json_integer_value(x);
	return AMDSMI_STATUS_SUCCESS;
}

/* "processes": [{pid, name, vram, container}]. */
EXPORT amdsmi_status_t amdsmi_get_gpu_process_list(amdsmi_processor_handle h, uint32_t *max, amdsmi_proc_info_t *list)
{
	uint32_t total, i;
	BEGIN(h, "amdsmi_get_gpu_process_list", "processes", procs);
	total = (uint32_t)json_array_size(procs);
	if (*max == 0 || total == 0) {
		*max = total;
		return AMDSMI_STATUS_SUCCESS;
	}
	for (i = 0; i < total && i < *max; i++) {
		const json_t *p = json_array_get(procs, i);
		memset(&list[i], 0, sizeof(list[i]));
		list[i].pid = (uint32_t)num(p, "pid", 0);
		text(d_->j, p, "name", list[i].name, sizeof(list[i].name));
		list[i].memory_usage.vram_mem = num(p, "vram", 0);
		list[i].mem = list[i].memory_usage.vram_mem;
		text(d_->j, p, "container", list[i].container_name, sizeof(list[i].container_name));
	}
	i = *max;
	*max = total;
	return i >= total ? AMDSMI_STATUS_SUCCESS : AMDSMI_STATUS_OUT_OF_RESOURCES;
}
