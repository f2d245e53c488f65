/* NVIDIA backend: NVML (libnvidia-ml.so.1), loaded at run time.
 *
 * Our own declarations (nvml_api.h), no nvml.h; each entry point is looked up
 * by its newest versioned name first, then the older ones (nvmlInit_v2, then
 * nvmlInit). Only init, shutdown, the device count and the handle lookup are
 * required; every other function is optional: a missing function, an old
 * driver or NVML_ERROR_NOT_SUPPORTED makes that member null with the reason
 * (nvml_facts.h), never a failure of the audit.
 *
 * The library can be named with --nvml-library or CHIPAUDIT_NVML_LIBRARY
 * (the test suite points it at its fake, tests/fake-nvml). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/nvml_api.h"
#include "vendor/nvml_facts.h"
#include "vendor/nvml_runtime.h"
#include "vendor/vendor.h"

typedef nvmlReturn_t (*fn_void)(void);
typedef nvmlReturn_t (*fn_uint)(unsigned *);
typedef nvmlReturn_t (*fn_int)(int *);
typedef nvmlReturn_t (*fn_text)(char *, unsigned);
typedef nvmlReturn_t (*fn_handle)(unsigned, nvmlDevice_t *);
typedef nvmlReturn_t (*fn_dev_uint)(nvmlDevice_t, unsigned *);
typedef nvmlReturn_t (*fn_dev_uint2)(nvmlDevice_t, unsigned *, unsigned *);
typedef nvmlReturn_t (*fn_dev_text)(nvmlDevice_t, char *, unsigned);
typedef nvmlReturn_t (*fn_dev_buf)(nvmlDevice_t, char *);
typedef nvmlReturn_t (*fn_dev_type_uint)(nvmlDevice_t, int, unsigned *);
typedef nvmlReturn_t (*fn_dev_u64)(nvmlDevice_t, unsigned long long *);

struct nvml_lib {
	void *dl;
	fn_void init, shutdown;
	fn_uint device_count;
	fn_handle handle_by_index;
	fn_text driver_version, nvml_version;
	fn_int cuda_version;
	nvmlReturn_t (*cc_state)(nvmlConfComputeSystemState_t *);
	nvmlReturn_t (*cc_settings)(nvmlSystemConfComputeSettings_v1_t *);
	fn_uint cc_ready;
	nvmlReturn_t (*cc_caps)(nvmlConfComputeSystemCaps_t *);
	nvmlReturn_t (*pci_info)(nvmlDevice_t, nvmlPciInfo_t *);
	fn_dev_text name, uuid, serial, part_number, vbios, inforom;
	fn_dev_buf gsp_version;
	fn_dev_uint2 gsp_mode;
	nvmlReturn_t (*memory_v2)(nvmlDevice_t, nvmlMemory_v2_t *);
	nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t *);
	fn_dev_type_uint clock, max_clock, app_clock, default_app_clock;
	fn_dev_u64 reasons, supported_reasons;
	nvmlReturn_t (*violation)(nvmlDevice_t, int, nvmlViolationTime_t *);
	fn_dev_uint power_usage, enforced_limit, power_limit, default_limit;
	fn_dev_uint2 limit_constraints;
	fn_dev_type_uint temperature;
	nvmlReturn_t (*compute_mode)(nvmlDevice_t, int *);
	nvmlReturn_t (*operation_mode)(nvmlDevice_t, int *, int *);
	nvmlReturn_t (*persistence)(nvmlDevice_t, int *);
	nvmlReturn_t (*drain_state)(nvmlPciInfo_t *, int *);
	fn_dev_uint2 mig_mode;
	fn_dev_uint max_mig;
	nvmlReturn_t (*mig_handle)(nvmlDevice_t, unsigned, nvmlDevice_t *);
	fn_dev_uint gi_id, ci_id;
	nvmlReturn_t (*ecc_mode)(nvmlDevice_t, int *, int *);
	nvmlReturn_t (*ecc_errors)(nvmlDevice_t, int, int, unsigned long long *);
	nvmlReturn_t (*retired_pages_v2)(nvmlDevice_t, int, unsigned *, unsigned long long *, unsigned long long *);
	nvmlReturn_t (*retired_pages)(nvmlDevice_t, int, unsigned *, unsigned long long *);
	nvmlReturn_t (*retired_pending)(nvmlDevice_t, int *);
	nvmlReturn_t (*remapped_rows)(nvmlDevice_t, unsigned *, unsigned *, unsigned *, unsigned *);
	nvmlReturn_t (*remap_histogram)(nvmlDevice_t, nvmlRowRemapperHistogramValues_t *);
	nvmlReturn_t (*nvlink_state)(nvmlDevice_t, unsigned, int *);
	nvmlReturn_t (*virt_mode)(nvmlDevice_t, int *);
	nvmlReturn_t (*licensable)(nvmlDevice_t, nvmlGridLicensableFeatures_t *);
	nvmlReturn_t (*cc_report)(nvmlDevice_t, nvmlConfComputeGpuAttestationReport_t *);
	nvmlReturn_t (*cc_cert)(nvmlDevice_t, nvmlConfComputeGpuCertificate_t *);
	/* which version of a call was found */
	int pci_info_version;      /* 3, 2 or 1 */
	int reasons_version;       /* 2: ClocksEventReasons, 1: ClocksThrottleReasons */
};

struct symbol {
	size_t offset;
	bool required;
	const char *names[4];      /* newest first */
};

#define SYM(member, req, ...) { offsetof(struct nvml_lib, member), req, { __VA_ARGS__ } }
static const struct symbol symbols[] = {
	SYM(init, true, "nvmlInit_v2", "nvmlInit"),
	SYM(shutdown, true, "nvmlShutdown"),
	SYM(device_count, true, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"),
	SYM(handle_by_index, true, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"),
	SYM(driver_version, false, "nvmlSystemGetDriverVersion"),
	SYM(nvml_version, false, "nvmlSystemGetNVMLVersion"),
	SYM(cuda_version, false, "nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"),
	SYM(cc_state, false, "nvmlSystemGetConfComputeState"),
	SYM(cc_settings, false, "nvmlSystemGetConfComputeSettings"),
	SYM(cc_ready, false, "nvmlSystemGetConfComputeGpusReadyState"),
	SYM(cc_caps, false, "nvmlSystemGetConfComputeCapabilities"),
	SYM(pci_info, false, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2", "nvmlDeviceGetPciInfo"),
	SYM(name, false, "nvmlDeviceGetName"),
	SYM(uuid, false, "nvmlDeviceGetUUID"),
	SYM(serial, false, "nvmlDeviceGetSerial"),
	SYM(part_number, false, "nvmlDeviceGetBoardPartNumber"),
	SYM(vbios, false, "nvmlDeviceGetVbiosVersion"),
	SYM(inforom, false, "nvmlDeviceGetInforomImageVersion"),
	SYM(gsp_version, false, "nvmlDeviceGetGspFirmwareVersion"),
	SYM(gsp_mode, false, "nvmlDeviceGetGspFirmwareMode"),
	SYM(memory_v2, false, "nvmlDeviceGetMemoryInfo_v2"),
	SYM(memory, false, "nvmlDeviceGetMemoryInfo"),
	SYM(clock, false, "nvmlDeviceGetClockInfo"),
	SYM(max_clock, false, "nvmlDeviceGetMaxClockInfo"),
	SYM(app_clock, false, "nvmlDeviceGetApplicationsClock"),
	SYM(default_app_clock, false, "nvmlDeviceGetDefaultApplicationsClock"),
	SYM(reasons, false, "nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons"),
	SYM(supported_reasons, false, "nvmlDeviceGetSupportedClocksEventReasons",
	    "nvmlDeviceGetSupportedClocksThrottleReasons"),
	SYM(violation, false, "nvmlDeviceGetViolationStatus"),
	SYM(power_usage, false, "nvmlDeviceGetPowerUsage"),
	SYM(enforced_limit, false, "nvmlDeviceGetEnforcedPowerLimit"),
	SYM(power_limit, false, "nvmlDeviceGetPowerManagementLimit"),
	SYM(default_limit, false, "nvmlDeviceGetPowerManagementDefaultLimit"),
	SYM(limit_constraints, false, "nvmlDeviceGetPowerManagementLimitConstraints"),
	SYM(temperature, false, "nvmlDeviceGetTemperature"),
	SYM(compute_mode, false, "nvmlDeviceGetComputeMode"),
	SYM(operation_mode, false, "nvmlDeviceGetGpuOperationMode"),
	SYM(persistence, false, "nvmlDeviceGetPersistenceMode"),
	SYM(drain_state, false, "nvmlDeviceQueryDrainState"),
	SYM(mig_mode, false, "nvmlDeviceGetMigMode"),
	SYM(max_mig, false, "nvmlDeviceGetMaxMigDeviceCount"),
	SYM(mig_handle, false, "nvmlDeviceGetMigDeviceHandleByIndex"),
	SYM(gi_id, false, "nvmlDeviceGetGpuInstanceId"),
	SYM(ci_id, false, "nvmlDeviceGetComputeInstanceId"),
	SYM(ecc_mode, false, "nvmlDeviceGetEccMode"),
	SYM(ecc_errors, false, "nvmlDeviceGetTotalEccErrors"),
	SYM(retired_pages_v2, false, "nvmlDeviceGetRetiredPages_v2"),
	SYM(retired_pages, false, "nvmlDeviceGetRetiredPages"),
	SYM(retired_pending, false, "nvmlDeviceGetRetiredPagesPendingStatus"),
	SYM(remapped_rows, false, "nvmlDeviceGetRemappedRows"),
	SYM(remap_histogram, false, "nvmlDeviceGetRowRemapperHistogram"),
	SYM(nvlink_state, false, "nvmlDeviceGetNvLinkState"),
	SYM(virt_mode, false, "nvmlDeviceGetVirtualizationMode"),
	SYM(licensable, false, "nvmlDeviceGetGridLicensableFeatures_v4"),
	SYM(cc_report, false, "nvmlDeviceGetConfComputeGpuAttestationReport"),
	SYM(cc_cert, false, "nvmlDeviceGetConfComputeGpuCertificate"),
};

#define MISSING "function not in this NVML (older driver)"

/* Our own wording of NVML's return codes: stable across drivers, so facts
 * do not change with the library's translations. */
static const char *error_text(nvmlReturn_t rc, char *buf, size_t len)
{
	static const struct { nvmlReturn_t rc; const char *text; } texts[] = {
		{ NVML_ERROR_UNINITIALIZED, "NVML not initialised" },
		{ NVML_ERROR_INVALID_ARGUMENT, "invalid argument" },
		{ NVML_ERROR_NOT_SUPPORTED, "not supported by this GPU or driver" },
		{ NVML_ERROR_NO_PERMISSION, "no permission (run as root)" },
		{ NVML_ERROR_NOT_FOUND, "not found" },
		{ NVML_ERROR_INSUFFICIENT_SIZE, "buffer too small" },
		{ NVML_ERROR_INSUFFICIENT_POWER, "external power cables not attached" },
		{ NVML_ERROR_DRIVER_NOT_LOADED, "NVIDIA driver not loaded" },
		{ NVML_ERROR_TIMEOUT, "timed out" },
		{ NVML_ERROR_IRQ_ISSUE, "interrupt issue" },
		{ NVML_ERROR_LIBRARY_NOT_FOUND, "NVML library not found" },
		{ NVML_ERROR_FUNCTION_NOT_FOUND, MISSING },
		{ NVML_ERROR_CORRUPTED_INFOROM, "InfoROM corrupted" },
		{ NVML_ERROR_GPU_IS_LOST, "GPU is lost (fallen off the bus or inaccessible)" },
		{ NVML_ERROR_RESET_REQUIRED, "GPU reset required" },
		{ NVML_ERROR_OPERATING_SYSTEM, "blocked by the operating system" },
		{ NVML_ERROR_LIB_RM_VERSION_MISMATCH, "library and kernel driver versions differ" },
		{ NVML_ERROR_IN_USE, "in use" },
		{ NVML_ERROR_MEMORY, "out of memory" },
		{ NVML_ERROR_NO_DATA, "no data" },
		{ NVML_ERROR_INSUFFICIENT_RESOURCES, "insufficient resources" },
		{ NVML_ERROR_ARGUMENT_VERSION_MISMATCH, "structure version not supported" },
		{ NVML_ERROR_DEPRECATED, "deprecated" },
		{ NVML_ERROR_NOT_READY, "not ready" },
		{ NVML_ERROR_GPU_NOT_FOUND, "GPU not found" },
		{ NVML_ERROR_INVALID_STATE, "invalid state" },
		{ NVML_ERROR_UNKNOWN, "unknown NVML error" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].rc == rc)
			return texts[i].text;
	snprintf(buf, len, "NVML error %d", rc);
	return buf;
}

/* Look every symbol up; a required one missing is the error returned. */
static const char *resolve(struct nvml_lib *lib, json_t *missing)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbols); i++) {
		const struct symbol *s = &symbols[i];
		void *sym = NULL;
		size_t n;
		for (n = 0; n < ARRAY_SIZE(s->names) && s->names[n]; n++)
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
		if (s->offset == offsetof(struct nvml_lib, pci_info))
			lib->pci_info_version = 3 - (int)n;
		if (s->offset == offsetof(struct nvml_lib, reasons))
			lib->reasons_version = 2 - (int)n;
	}
	return NULL;
}

struct dev {
	struct nvml_lib *lib;
	nvmlDevice_t h;
	json_t *obj;
	bool lost;
};

/* The outcome of one call for PATH: true when it succeeded; otherwise the
 * member is null with the reason. */
static bool ok(struct dev *d, const char *path, nvmlReturn_t rc)
{
	char buf[32];

	if (rc == NVML_SUCCESS)
		return true;
	if (rc == NVML_ERROR_GPU_IS_LOST)
		d->lost = true;
	nf_unavailable(d->obj, path, error_text(rc, buf, sizeof(buf)));
	return false;
}

static bool have(struct dev *d, bool present, const char *path)
{
	if (!present)
		nf_unavailable(d->obj, path, MISSING);
	return present;
}

#define CALL(d, fn, path, ...) (have(d, (d)->lib->fn != NULL, path) && ok(d, path, (d)->lib->fn(__VA_ARGS__)))

static void get_text(struct dev *d, fn_dev_text fn, const char *path, size_t size)
{
	char buf[256];

	memset(buf, 0, sizeof(buf));
	if (have(d, fn != NULL, path) && ok(d, path, fn(d->h, buf, (unsigned)size)))
		nf_set_buffer(d->obj, path, buf, size);
}

static void add_identity(struct dev *d)
{
	struct nvml_lib *lib = d->lib;
	char buf[256];
	unsigned enabled, deflt;

	get_text(d, lib->name, "name", NVML_DEVICE_NAME_V2_BUFFER_SIZE);
	get_text(d, lib->uuid, "uuid", NVML_DEVICE_UUID_V2_BUFFER_SIZE);
	get_text(d, lib->serial, "serial", NVML_DEVICE_SERIAL_BUFFER_SIZE);
	get_text(d, lib->part_number, "board_part_number", NVML_DEVICE_PART_NUMBER_BUFFER_SIZE);
	get_text(d, lib->vbios, "vbios_version", NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE);
	get_text(d, lib->inforom, "inforom_image_version", NVML_DEVICE_INFOROM_VERSION_BUFFER_SIZE);
	memset(buf, 0, sizeof(buf));
	if (CALL(d, gsp_version, "gsp_firmware_version", d->h, buf))
		nf_set_buffer(d->obj, "gsp_firmware_version", buf, NVML_GSP_FIRMWARE_VERSION_BUF_SIZE);
	if (CALL(d, gsp_mode, "gsp_firmware_mode.enabled", d->h, &enabled, &deflt)) {
		nf_set_bool(d->obj, "gsp_firmware_mode.enabled", enabled != 0);
		nf_set_bool(d->obj, "gsp_firmware_mode.default", deflt != 0);
	} else {
		nf_unavailable(d->obj, "gsp_firmware_mode.default", nf_why(d->obj, "gsp_firmware_mode.enabled"));
	}
}

static void set_hex4(json_t *obj, const char *path, unsigned v)
{
	char buf[8];
	snprintf(buf, sizeof(buf), "%04x", v & 0xffff);
	nf_set_str(obj, path, buf);
}

static void add_pci(struct dev *d, const nvmlPciInfo_t *pci)
{
	char raw[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE + 1];
	const char *src = d->lib->pci_info_version == 1 ? pci->busIdLegacy : pci->busId;
	size_t max = d->lib->pci_info_version == 1 ? sizeof(pci->busIdLegacy) : sizeof(pci->busId);

	memcpy(raw, src, max);
	raw[max] = '\0';
	nf_set_buffer(d->obj, "bus_id", raw, max + 1);
	set_hex4(d->obj, "pci.vendor_id", pci->pciDeviceId & 0xffff);
	set_hex4(d->obj, "pci.device_id", pci->pciDeviceId >> 16);
	set_hex4(d->obj, "pci.subsystem_vendor_id", pci->pciSubSystemId & 0xffff);
	set_hex4(d->obj, "pci.subsystem_device_id", pci->pciSubSystemId >> 16);
}

static void set_u64(json_t *obj, const char *path, unsigned long long v)
{
	if (v > (unsigned long long)INT64_MAX) {
		nf_unavailable(obj, path, "value out of range");
		return;
	}
	nf_set_int(obj, path, (long long)v);
}

static void add_memory(struct dev *d)
{
	nvmlMemory_v2_t m2;
	nvmlMemory_t m1;

	memset(&m2, 0, sizeof(m2));
	m2.version = nvmlMemory_v2;
	if (CALL(d, memory_v2, "memory.reserved_bytes", d->h, &m2)) {
		set_u64(d->obj, "memory.total_bytes", m2.total);
		set_u64(d->obj, "memory.reserved_bytes", m2.reserved);
		return;
	}
	/* An older driver: the first version has the total only. */
	if (CALL(d, memory, "memory.total_bytes", d->h, &m1))
		set_u64(d->obj, "memory.total_bytes", m1.total);
}

static void add_clocks(struct dev *d)
{
	static const struct { int type; const char *name; } domains[] = {
		{ NVML_CLOCK_GRAPHICS, "graphics" }, { NVML_CLOCK_SM, "sm" }, { NVML_CLOCK_MEM, "memory" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(domains); i++) {
		struct { fn_dev_type_uint fn; const char *what; } calls[] = {
			{ d->lib->clock, "current" }, { d->lib->max_clock, "max" },
			{ d->lib->app_clock, "application" }, { d->lib->default_app_clock, "default_application" },
		};
		for (size_t j = 0; j < ARRAY_SIZE(calls); j++) {
			char path[64];
			unsigned mhz;
			snprintf(path, sizeof(path), "clocks_mhz.%s.%s", domains[i].name, calls[j].what);
			if (have(d, calls[j].fn != NULL, path) && ok(d, path, calls[j].fn(d->h, domains[i].type, &mhz)))
				nf_set_int(d->obj, path, mhz);
		}
	}
}

static void set_bits(json_t *obj, const char *path, unsigned long long bits)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%016llx", bits);
	nf_set_str(obj, path, buf);
}

static void add_reasons(struct dev *d)
{
	unsigned long long bits;

	if (CALL(d, reasons, "clock_event_reasons.current", d->h, &bits)) {
		set_bits(d->obj, "clock_event_reasons.current", bits);
		nf_set_json(d->obj, "clock_event_reasons.active", nvml_reason_names(bits));
	}
	if (CALL(d, supported_reasons, "clock_event_reasons.supported", d->h, &bits))
		set_bits(d->obj, "clock_event_reasons.supported", bits);
	if (d->lib->reasons)
		nf_set_str(d->obj, "clock_event_reasons.api",
			   d->lib->reasons_version == 2 ? "clocks_event_reasons" : "clocks_throttle_reasons");
	else
		nf_unavailable(d->obj, "clock_event_reasons.api", MISSING);
}

static void add_violations(struct dev *d)
{
	static const struct { int policy; const char *path; } policies[] = {
		{ NVML_PERF_POLICY_POWER, "violations_ns.power" },
		{ NVML_PERF_POLICY_THERMAL, "violations_ns.thermal" },
		{ NVML_PERF_POLICY_SYNC_BOOST, "violations_ns.sync_boost" },
		{ NVML_PERF_POLICY_BOARD_LIMIT, "violations_ns.board_limit" },
		{ NVML_PERF_POLICY_LOW_UTILIZATION, "violations_ns.low_utilization" },
		{ NVML_PERF_POLICY_RELIABILITY, "violations_ns.reliability" },
		{ NVML_PERF_POLICY_TOTAL_APP_CLOCKS, "violations_ns.total_app_clocks" },
		{ NVML_PERF_POLICY_TOTAL_BASE_CLOCKS, "violations_ns.total_base_clocks" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		nvmlViolationTime_t v;
		memset(&v, 0, sizeof(v));
		if (CALL(d, violation, policies[i].path, d->h, policies[i].policy, &v))
			set_u64(d->obj, policies[i].path, v.violationTime);
	}
}

static void add_power(struct dev *d)
{
	unsigned mw, lo, hi;

	if (CALL(d, power_usage, "power_mw.draw", d->h, &mw))
		nf_set_int(d->obj, "power_mw.draw", mw);
	if (CALL(d, enforced_limit, "power_mw.enforced_limit", d->h, &mw))
		nf_set_int(d->obj, "power_mw.enforced_limit", mw);
	if (CALL(d, power_limit, "power_mw.limit", d->h, &mw))
		nf_set_int(d->obj, "power_mw.limit", mw);
	if (CALL(d, default_limit, "power_mw.default_limit", d->h, &mw))
		nf_set_int(d->obj, "power_mw.default_limit", mw);
	if (CALL(d, limit_constraints, "power_mw.min_limit", d->h, &lo, &hi)) {
		nf_set_int(d->obj, "power_mw.min_limit", lo);
		nf_set_int(d->obj, "power_mw.max_limit", hi);
	} else {
		nf_unavailable(d->obj, "power_mw.max_limit", nf_why(d->obj, "power_mw.min_limit"));
	}
	if (CALL(d, temperature, "temperature_c", d->h, NVML_TEMPERATURE_GPU, &mw))
		nf_set_int(d->obj, "temperature_c", (long long)mw);
}

static void set_enum(json_t *obj, const char *path, const char *const *names, int value)
{
	char buf[48];
	int n = 0;

	while (names[n])
		n++;
	if (value < 0 || value >= n) {
		snprintf(buf, sizeof(buf), "unknown value %d from the library", value);
		nf_unavailable(obj, path, buf);
		return;
	}
	nf_set_str(obj, path, names[value]);
}

/* Current and pending (after the next reboot) GPU operation mode. Most
 * data-centre GPUs answer NVML_ERROR_NOT_SUPPORTED: both null, with that
 * reason, never taken as All On. */
static void add_operation_mode(struct dev *d)
{
	int current, pending;

	if (CALL(d, operation_mode, "gpu_operation_mode.current", d->h, &current, &pending)) {
		set_enum(d->obj, "gpu_operation_mode.current", nvml_operation_modes, current);
		set_enum(d->obj, "gpu_operation_mode.pending", nvml_operation_modes, pending);
	} else {
		nf_unavailable(d->obj, "gpu_operation_mode.pending", nf_why(d->obj, "gpu_operation_mode.current"));
	}
}

static void add_modes(struct dev *d, const nvmlPciInfo_t *pci)
{
	nvmlPciInfo_t copy = *pci;
	int v;

	if (CALL(d, compute_mode, "compute_mode", d->h, &v))
		set_enum(d->obj, "compute_mode", nvml_compute_modes, v);
	add_operation_mode(d);
	if (CALL(d, persistence, "persistence_mode", d->h, &v))
		nf_set_bool(d->obj, "persistence_mode", v == NVML_FEATURE_ENABLED);
	if (CALL(d, drain_state, "drain_state", &copy, &v))
		nf_set_bool(d->obj, "drain_state", v == NVML_FEATURE_ENABLED);
	if (CALL(d, virt_mode, "virtualization_mode", d->h, &v))
		set_enum(d->obj, "virtualization_mode", nvml_virtualization_modes, v);
}

/* "NVIDIA H100 80GB HBM3 MIG 1g.10gb" -> "1g.10gb". */
static const char *mig_profile(const char *name)
{
	const char *p = strstr(name, "MIG ");
	return p ? p + 4 : NULL;
}

static json_t *mig_instance(struct dev *d, nvmlDevice_t mh)
{
	struct dev m = { .lib = d->lib, .h = mh, .obj = json_object() };
	json_t *item = json_object();
	unsigned id;
	nvmlMemory_t mem;
	const char *name;

	/* Read into a scratch device object so the same checks apply. */
	if (CALL(&m, gi_id, "mig.gi", mh, &id) && id <= 65535)
		jset_int(item, "gpu_instance_id", id);
	if (CALL(&m, ci_id, "mig.ci", mh, &id) && id <= 65535)
		jset_int(item, "compute_instance_id", id);
	get_text(&m, d->lib->uuid, "uuid", NVML_DEVICE_UUID_V2_BUFFER_SIZE);
	get_text(&m, d->lib->name, "name", NVML_DEVICE_NAME_V2_BUFFER_SIZE);
	jset(item, "uuid", json_incref(json_object_get(m.obj, "uuid")));
	name = jstr(m.obj, "name");
	jset_str(item, "name", name);
	jset_str(item, "profile", name && mig_profile(name) && strlen(mig_profile(name)) <= 32 ? mig_profile(name) : NULL);
	if (d->lib->memory && d->lib->memory(mh, &mem) == NVML_SUCCESS && mem.total <= (1ULL << 52))
		jset_int(item, "memory_total_bytes", (json_int_t)mem.total);
	if (m.lost)
		d->lost = true;
	json_decref(m.obj);
	return item;
}

static void add_mig(struct dev *d)
{
	unsigned current, pending, max = 0;
	bool failed = false;
	json_t *list;

	if (!CALL(d, mig_mode, "mig.current", d->h, &current, &pending)) {
		nf_unavailable(d->obj, "mig.pending", nf_why(d->obj, "mig.current"));
		nf_unavailable(d->obj, "mig.instances", nf_why(d->obj, "mig.current"));
		return;
	}
	nf_set_bool(d->obj, "mig.current", current == NVML_DEVICE_MIG_ENABLE);
	nf_set_bool(d->obj, "mig.pending", pending == NVML_DEVICE_MIG_ENABLE);
	list = json_array();
	if (current == NVML_DEVICE_MIG_ENABLE) {
		failed = !CALL(d, max_mig, "mig.instances", d->h, &max) ||
			 !have(d, d->lib->mig_handle != NULL, "mig.instances");
		for (unsigned i = 0; !failed && i < max && i < 256; i++) {
			nvmlDevice_t mh;
			nvmlReturn_t rc = d->lib->mig_handle(d->h, i, &mh);
			if (rc == NVML_ERROR_NOT_FOUND || rc == NVML_ERROR_INVALID_ARGUMENT)
				continue;
			if (!ok(d, "mig.instances", rc))
				failed = true;
			else
				json_array_append_new(list, mig_instance(d, mh));
		}
	}
	if (failed) {
		json_decref(list);
		return;
	}
	nf_set_json(d->obj, "mig.instances", list);
}

static void add_ecc(struct dev *d)
{
	static const struct { int type, counter; const char *path; } counters[] = {
		{ NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC, "ecc.volatile.corrected" },
		{ NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC, "ecc.volatile.uncorrected" },
		{ NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_AGGREGATE_ECC, "ecc.aggregate.corrected" },
		{ NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_AGGREGATE_ECC, "ecc.aggregate.uncorrected" },
	};
	int current, pending;

	if (CALL(d, ecc_mode, "ecc.current", d->h, &current, &pending)) {
		nf_set_bool(d->obj, "ecc.current", current == NVML_FEATURE_ENABLED);
		nf_set_bool(d->obj, "ecc.pending", pending == NVML_FEATURE_ENABLED);
	} else {
		nf_unavailable(d->obj, "ecc.pending", nf_why(d->obj, "ecc.current"));
	}
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
		unsigned long long n;
		if (CALL(d, ecc_errors, counters[i].path, d->h, counters[i].type, counters[i].counter, &n))
			set_u64(d->obj, counters[i].path, n);
	}
}

/* The number of pages retired for CAUSE: asked with an empty buffer, NVML
 * answers with the count (NVML_ERROR_INSUFFICIENT_SIZE when it is not 0). */
static void retired_count(struct dev *d, int cause, const char *path)
{
	unsigned count = 0;
	nvmlReturn_t rc;

	if (d->lib->retired_pages_v2)
		rc = d->lib->retired_pages_v2(d->h, cause, &count, NULL, NULL);
	else if (d->lib->retired_pages)
		rc = d->lib->retired_pages(d->h, cause, &count, NULL);
	else {
		nf_unavailable(d->obj, path, MISSING);
		return;
	}
	if (rc == NVML_ERROR_INSUFFICIENT_SIZE || ok(d, path, rc))
		nf_set_int(d->obj, path, count);
}

static void add_memory_health(struct dev *d)
{
	unsigned corr, unc, pending, failure;
	nvmlRowRemapperHistogramValues_t h;
	int v;

	retired_count(d, NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS, "retired_pages.single_bit_ecc");
	retired_count(d, NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR, "retired_pages.double_bit_ecc");
	if (CALL(d, retired_pending, "retired_pages.pending", d->h, &v))
		nf_set_bool(d->obj, "retired_pages.pending", v == NVML_FEATURE_ENABLED);
	if (CALL(d, remapped_rows, "row_remapping.correctable", d->h, &corr, &unc, &pending, &failure)) {
		nf_set_int(d->obj, "row_remapping.correctable", corr);
		nf_set_int(d->obj, "row_remapping.uncorrectable", unc);
		nf_set_bool(d->obj, "row_remapping.pending", pending != 0);
		nf_set_bool(d->obj, "row_remapping.failure", failure != 0);
	} else {
		const char *why = nf_why(d->obj, "row_remapping.correctable");
		nf_unavailable(d->obj, "row_remapping.uncorrectable", why);
		nf_unavailable(d->obj, "row_remapping.pending", why);
		nf_unavailable(d->obj, "row_remapping.failure", why);
	}
	memset(&h, 0, sizeof(h));
	if (CALL(d, remap_histogram, "row_remapping.histogram.max", d->h, &h)) {
		nf_set_int(d->obj, "row_remapping.histogram.max", h.max);
		nf_set_int(d->obj, "row_remapping.histogram.high", h.high);
		nf_set_int(d->obj, "row_remapping.histogram.partial", h.partial);
		nf_set_int(d->obj, "row_remapping.histogram.low", h.low);
		nf_set_int(d->obj, "row_remapping.histogram.none", h.none);
	}
}

static void add_nvlink(struct dev *d)
{
	json_t *links;
	char buf[32];
	nvmlReturn_t last = NVML_ERROR_NOT_SUPPORTED;

	if (!have(d, d->lib->nvlink_state != NULL, "nvlink.links"))
		return;
	links = json_array();
	for (unsigned l = 0; l < NVML_NVLINK_MAX_LINKS; l++) {
		int active;
		nvmlReturn_t rc = d->lib->nvlink_state(d->h, l, &active);
		if (rc == NVML_SUCCESS) {
			json_array_append_new(links, json_pack("{s:i, s:b}", "link", (int)l, "active",
								active == NVML_FEATURE_ENABLED));
			continue;
		}
		if (rc == NVML_ERROR_GPU_IS_LOST)
			d->lost = true;
		last = rc;
	}
	if (json_array_size(links) == 0) {
		json_decref(links);
		nf_unavailable(d->obj, "nvlink.links", error_text(last, buf, sizeof(buf)));
		return;
	}
	nf_set_json(d->obj, "nvlink.links", links);
}

static void add_license(struct dev *d)
{
	static const char *const codes[] = { "unknown", "vgpu", "nvidia_rtx", "gaming", "compute" };
	nvmlGridLicensableFeatures_t *f = xcalloc(1, sizeof(*f));
	json_t *list;

	if (!CALL(d, licensable, "vgpu_license.supported", d->h, f)) {
		nf_unavailable(d->obj, "vgpu_license.features", nf_why(d->obj, "vgpu_license.supported"));
		free(f);
		return;
	}
	nf_set_bool(d->obj, "vgpu_license.supported", f->isGridLicenseSupported != 0);
	list = json_array();
	for (unsigned i = 0; i < f->licensableFeaturesCount && i < NVML_GRID_LICENSE_FEATURE_MAX_COUNT; i++) {
		const nvmlGridLicensableFeature_t *g = &f->gridLicensableFeatures[i];
		const nvmlGridLicenseExpiry_t *e = &g->licenseExpiry;
		json_t *item = json_object();
		char product[NVML_GRID_LICENSE_BUFFER_SIZE + 1], expiry[40];
		memcpy(product, g->productName, sizeof(g->productName));
		product[sizeof(g->productName)] = '\0';
		jset_str(item, "code", g->featureCode >= 0 && g->featureCode < 5 ? codes[g->featureCode] : "unknown");
		jset_bool(item, "licensed", g->featureState != 0);
		jset_bool(item, "enabled", g->featureEnabled != 0);
		jset_str(item, "product", memchr(g->productName, '\0', sizeof(g->productName)) &&
					  str_is_printable(product) ? product : NULL);
		if (e->year > 0 && e->year < 10000 && e->month <= 12 && e->day <= 31 && e->hour < 24 &&
		    e->min < 60 && e->sec < 61) {
			snprintf(expiry, sizeof(expiry), "%04u-%02u-%02uT%02u:%02u:%02uZ", e->year, e->month, e->day,
				 e->hour, e->min, e->sec);
			jset_str(item, "expiry", expiry);
		} else {
			jset(item, "expiry", NULL);
		}
		jset_int(item, "expiry_status", e->status);
		json_array_append_new(list, item);
	}
	nf_set_json(d->obj, "vgpu_license.features", list);
	free(f);
}

/* Confidential computing evidence: the attestation report for a fresh nonce
 * and the certificate chains, kept for a verifier (NVIDIA's nvtrust, or a
 * later chipaudit check). */
static void add_cc_evidence(struct dev *d)
{
	nvmlConfComputeGpuAttestationReport_t *r = xcalloc(1, sizeof(*r));
	nvmlConfComputeGpuCertificate_t *c = xcalloc(1, sizeof(*c));
	const char *nonce_path = "confidential_computing.attestation.nonce";

	if (getrandom(r->nonce, sizeof(r->nonce), 0) != (ssize_t)sizeof(r->nonce)) {
		nf_unavailable(d->obj, "confidential_computing.attestation.report", "no random nonce (getrandom failed)");
	} else if (CALL(d, cc_report, "confidential_computing.attestation.report", d->h, r)) {
		nf_set_base64(d->obj, nonce_path, r->nonce, sizeof(r->nonce));
		if (r->attestationReportSize <= sizeof(r->attestationReport))
			nf_set_base64(d->obj, "confidential_computing.attestation.report", r->attestationReport,
				      r->attestationReportSize);
		else
			nf_unavailable(d->obj, "confidential_computing.attestation.report", "size out of range");
		if (r->isCecAttestationReportPresent && r->cecAttestationReportSize <= sizeof(r->cecAttestationReport))
			nf_set_base64(d->obj, "confidential_computing.attestation.cec_report", r->cecAttestationReport,
				      r->cecAttestationReportSize);
		else
			nf_unavailable(d->obj, "confidential_computing.attestation.cec_report", "not present");
	}
	if (CALL(d, cc_cert, "confidential_computing.certificates.chain", d->h, c)) {
		if (c->certChainSize <= sizeof(c->certChain))
			nf_set_base64(d->obj, "confidential_computing.certificates.chain", c->certChain, c->certChainSize);
		else
			nf_unavailable(d->obj, "confidential_computing.certificates.chain", "size out of range");
		if (c->attestationCertChainSize <= sizeof(c->attestationCertChain))
			nf_set_base64(d->obj, "confidential_computing.certificates.attestation_chain",
				      c->attestationCertChain, c->attestationCertChainSize);
		else
			nf_unavailable(d->obj, "confidential_computing.certificates.attestation_chain", "size out of range");
	}
	free(r);
	free(c);
}

static json_t *describe_device(struct nvml_lib *lib, unsigned index, nvmlDevice_t h,
			       const nvmlPciInfo_t *pci, const char *address, bool cc_on)
{
	struct dev d = { .lib = lib, .h = h, .obj = json_object() };

	jset_int(d.obj, "index", index);
	jset_str(d.obj, "pci_address", address);
	add_pci(&d, pci);
	add_identity(&d);
	add_memory(&d);
	add_clocks(&d);
	add_reasons(&d);
	add_violations(&d);
	add_power(&d);
	add_modes(&d, pci);
	add_mig(&d);
	add_ecc(&d);
	add_memory_health(&d);
	add_nvlink(&d);
	add_license(&d);
	if (cc_on)
		add_cc_evidence(&d);
	jset_bool(d.obj, "lost", d.lost);
	return d.obj;
}

static void unreachable(json_t *section, unsigned index, const char *what, nvmlReturn_t rc)
{
	json_t *list = jarr(section, "unreachable_devices");
	char buf[32], *text = xasprintf("%s: %s", what, error_text(rc, buf, sizeof(buf)));

	if (list == NULL) {
		list = json_array();
		json_object_set_new(section, "unreachable_devices", list);
	}
	json_array_append_new(list, json_pack("{s:i, s:s}", "index", (int)index, "error", text));
	free(text);
}

/* The address the kernel would give the device: from NVML's bus id string
 * when it parses, else from the numbers. */
static int device_address(const struct nvml_lib *lib, const nvmlPciInfo_t *pci, char *out, size_t len)
{
	char raw[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE + 1];
	const char *src = lib->pci_info_version == 1 ? pci->busIdLegacy : pci->busId;
	size_t max = lib->pci_info_version == 1 ? sizeof(pci->busIdLegacy) : sizeof(pci->busId);

	memcpy(raw, src, max);
	raw[max] = '\0';
	if (nvml_bus_id_normalise(raw, out, len) == 0)
		return 0;
	if (pci->bus > 0xff || pci->device > 0x1f)
		return -1;
	snprintf(out, len, "%04x:%02x:%02x.0", pci->domain, pci->bus, pci->device);
	return pci_address_valid(out) ? 0 : -1;
}

static void add_devices(struct nvml_lib *lib, json_t *section, bool cc_on)
{
	json_t *devices = json_array();
	unsigned count = 0;
	nvmlReturn_t rc = lib->device_count(&count);
	char buf[32];

	json_object_set_new(section, "devices", devices);
	if (rc != NVML_SUCCESS) {
		nf_unavailable(section, "device_count", error_text(rc, buf, sizeof(buf)));
		return;
	}
	if (count > NVML_MAX_DEVICES)
		count = NVML_MAX_DEVICES;
	jset_int(section, "device_count", count);
	for (unsigned i = 0; i < count; i++) {
		nvmlDevice_t h = NULL;
		nvmlPciInfo_t pci;
		char address[32];
		size_t j;
		json_t *other;
		bool duplicate = false;

		if ((rc = lib->handle_by_index(i, &h)) != NVML_SUCCESS) {
			unreachable(section, i, "no handle", rc);
			continue;
		}
		memset(&pci, 0, sizeof(pci));
		if (lib->pci_info == NULL) {
			unreachable(section, i, "no PCI bus id", NVML_ERROR_FUNCTION_NOT_FOUND);
			continue;
		}
		if ((rc = lib->pci_info(h, &pci)) != NVML_SUCCESS) {
			unreachable(section, i, "no PCI bus id", rc);
			continue;
		}
		if (device_address(lib, &pci, address, sizeof(address)) != 0) {
			unreachable(section, i, "malformed PCI bus id", NVML_ERROR_UNKNOWN);
			continue;
		}
		json_array_foreach(devices, j, other)
			duplicate |= strcmp(jstr(other, "pci_address"), address) == 0;
		if (duplicate) {
			unreachable(section, i, "PCI bus id reported twice", NVML_ERROR_UNKNOWN);
			continue;
		}
		json_array_append_new(devices, describe_device(lib, i, h, &pci, address, cc_on));
	}
}

static void sys_text(json_t *section, fn_text fn, const char *path, size_t size)
{
	char buf[256], why[32];
	nvmlReturn_t rc;

	memset(buf, 0, sizeof(buf));
	if (fn == NULL) {
		nf_unavailable(section, path, MISSING);
		return;
	}
	rc = fn(buf, (unsigned)size);
	if (rc != NVML_SUCCESS)
		nf_unavailable(section, path, error_text(rc, why, sizeof(why)));
	else
		nf_set_buffer(section, path, buf, size);
}

static void sys_fail(json_t *section, const char *path, bool present, nvmlReturn_t rc)
{
	char why[32];
	nf_unavailable(section, path, present ? error_text(rc, why, sizeof(why)) : MISSING);
}

/* System facts; returns whether confidential computing is on. */
static bool add_system(struct nvml_lib *lib, json_t *section)
{
	nvmlConfComputeSystemState_t st;
	nvmlSystemConfComputeSettings_v1_t set;
	nvmlConfComputeSystemCaps_t caps;
	unsigned ready;
	int cuda;
	nvmlReturn_t rc = NVML_ERROR_FUNCTION_NOT_FOUND;
	bool cc_on = false;

	sys_text(section, lib->driver_version, "driver_version", NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE);
	sys_text(section, lib->nvml_version, "nvml_version", NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE);
	if (lib->cuda_version && (rc = lib->cuda_version(&cuda)) == NVML_SUCCESS && cuda > 0 && cuda < 1000000) {
		char v[16];
		snprintf(v, sizeof(v), "%d.%d", cuda / 1000, (cuda % 1000) / 10);
		nf_set_str(section, "cuda_driver_version", v);
	} else {
		sys_fail(section, "cuda_driver_version", lib->cuda_version != NULL, rc);
	}
	memset(&st, 0, sizeof(st));
	if (lib->cc_state && (rc = lib->cc_state(&st)) == NVML_SUCCESS) {
		set_enum(section, "confidential_computing.environment", nvml_cc_environments, (int)st.environment);
		nf_set_bool(section, "confidential_computing.feature", st.ccFeature == NVML_CC_SYSTEM_FEATURE_ENABLED);
		nf_set_bool(section, "confidential_computing.dev_tools_mode", st.devToolsMode != 0);
		cc_on = st.ccFeature == NVML_CC_SYSTEM_FEATURE_ENABLED;
	} else {
		sys_fail(section, "confidential_computing.environment", lib->cc_state != NULL, rc);
		sys_fail(section, "confidential_computing.feature", lib->cc_state != NULL, rc);
		sys_fail(section, "confidential_computing.dev_tools_mode", lib->cc_state != NULL, rc);
	}
	memset(&set, 0, sizeof(set));
	set.version = nvmlSystemConfComputeSettings_v1;
	if (lib->cc_settings && (rc = lib->cc_settings(&set)) == NVML_SUCCESS)
		set_enum(section, "confidential_computing.multi_gpu_mode", (const char *const[]){ "none", "protected_pcie", NULL },
			 (int)set.multiGpuMode);
	else
		sys_fail(section, "confidential_computing.multi_gpu_mode", lib->cc_settings != NULL, rc);
	if (lib->cc_ready && (rc = lib->cc_ready(&ready)) == NVML_SUCCESS)
		nf_set_bool(section, "confidential_computing.gpus_ready", ready == NVML_CC_ACCEPTING_CLIENT_REQUESTS_TRUE);
	else
		sys_fail(section, "confidential_computing.gpus_ready", lib->cc_ready != NULL, rc);
	if (lib->cc_caps && (rc = lib->cc_caps(&caps)) == NVML_SUCCESS) {
		set_enum(section, "confidential_computing.cpu_capability",
			 (const char *const[]){ "none", "amd_sev", "intel_tdx", NULL }, (int)caps.cpuCaps);
		nf_set_bool(section, "confidential_computing.gpus_capable", caps.gpusCaps != 0);
	} else {
		sys_fail(section, "confidential_computing.cpu_capability", lib->cc_caps != NULL, rc);
		sys_fail(section, "confidential_computing.gpus_capable", lib->cc_caps != NULL, rc);
	}
	return cc_on;
}

static json_t *unavailable_section(const char *library, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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

static json_t *nvml_gather(const struct vendor_ctx *ctx)
{
	const char *env = getenv(nvml_backend.library_env);
	const char *path = ctx && ctx->library ? ctx->library : (env && *env ? env : nvml_backend.default_library);
	struct nvml_lib lib;
	json_t *section, *missing, *devices;
	const char *absent;
	nvmlReturn_t rc;
	char why[32];

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
		return unavailable_section(path, "%s: not in the library (not NVML, or too old)", absent);
	}
	if ((rc = lib.init()) != NVML_SUCCESS) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "nvmlInit: %s", error_text(rc, why, sizeof(why)));
	}
	section = json_object();
	jset_bool(section, "available", true);
	jset_str(section, "library", path);
	jset(section, "reason", NULL);
	json_object_set_new(section, "missing_functions", missing);
	add_devices(&lib, section, add_system(&lib, section));
	lib.shutdown();
	dlclose(lib.dl);
	/* Devices last: the system members read first in the file. */
	devices = json_incref(json_object_get(section, "devices"));
	json_object_del(section, "devices");
	json_object_set_new(section, "devices", devices);
	return section;
}

/* Telemetry for the measurement: the clocks, power and clock event
 * reasons of a GPU, sampled while it is measured. The library stays loaded
 * for the run; devices are found by their normalised PCI address. */
struct nvml_telemetry {
	struct nvml_lib lib;
	size_t count;
	struct { char address[32]; nvmlDevice_t h; } devices[64];
};

struct nvml_telemetry *nvml_telemetry_open(const char *library, char *why, size_t whylen)
{
	const char *env = getenv(nvml_backend.library_env);
	const char *path = library ? library : (env && *env ? env : nvml_backend.default_library);
	struct nvml_telemetry *t = xcalloc(1, sizeof(*t));
	json_t *missing = json_array();
	const char *absent;
	unsigned count = 0;

	t->lib.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (t->lib.dl == NULL) {
		snprintf(why, whylen, "%s", dlerror());
		goto fail;
	}
	absent = resolve(&t->lib, missing);
	if (absent || t->lib.init() != NVML_SUCCESS) {
		snprintf(why, whylen, "%s: %s", path, absent ? absent : "nvmlInit failed");
		dlclose(t->lib.dl);
		goto fail;
	}
	if (t->lib.device_count(&count) != NVML_SUCCESS)
		count = 0;
	for (unsigned i = 0; i < count && t->count < ARRAY_SIZE(t->devices); i++) {
		nvmlPciInfo_t pci;
		nvmlDevice_t h;
		memset(&pci, 0, sizeof(pci));
		if (t->lib.handle_by_index(i, &h) != NVML_SUCCESS || t->lib.pci_info == NULL ||
		    t->lib.pci_info(h, &pci) != NVML_SUCCESS ||
		    device_address(&t->lib, &pci, t->devices[t->count].address, sizeof(t->devices[0].address)) != 0)
			continue;
		t->devices[t->count++].h = h;
	}
	json_decref(missing);
	return t;
fail:
	json_decref(missing);
	free(t);
	return NULL;
}

/* ADDRESS as the CUDA driver gives it ("0000:18:00", no function) or whole. */
static nvmlDevice_t telemetry_device(const struct nvml_telemetry *t, const char *address)
{
	size_t n = strlen(address);
	for (size_t i = 0; i < t->count; i++)
		if (strncmp(t->devices[i].address, address, n) == 0 &&
		    (t->devices[i].address[n] == '\0' || t->devices[i].address[n] == '.'))
			return t->devices[i].h;
	return NULL;
}

int nvml_telemetry_sample(void *ctx, const char *pci_address, struct clock_sample *out)
{
	const struct nvml_telemetry *t = ctx;
	nvmlDevice_t h = telemetry_device(t, pci_address);
	unsigned long long bits;
	unsigned v;

	if (h == NULL)
		return -1;
	if (t->lib.clock && t->lib.clock(h, NVML_CLOCK_SM, &v) == NVML_SUCCESS)
		out->sm_clock_mhz = v;
	if (t->lib.clock && t->lib.clock(h, NVML_CLOCK_MEM, &v) == NVML_SUCCESS)
		out->memory_clock_mhz = v;
	if (t->lib.power_usage && t->lib.power_usage(h, &v) == NVML_SUCCESS)
		out->power_w = v / 1000.0;
	out->reason_count = 0;
	if (t->lib.reasons && t->lib.reasons(h, &bits) == NVML_SUCCESS)
		for (size_t i = 0; i < nvml_reason_count && out->reason_count < CLOCK_REASONS_MAX; i++)
			if (bits & nvml_reasons[i].bit)
				out->reasons[out->reason_count++] = nvml_reasons[i].name;
	return 0;
}

void nvml_telemetry_close(struct nvml_telemetry *t)
{
	if (t == NULL)
		return;
	t->lib.shutdown();
	dlclose(t->lib.dl);
	free(t);
}

const struct vendor_backend nvml_backend = {
	.name = "nvml",
	.vendor = "NVIDIA",
	.pci_vendor_id = 0x10de,
	.default_library = "libnvidia-ml.so.1",
	.library_env = "CHIPAUDIT_NVML_LIBRARY",
	.capture_path = NVML_CAPTURE_PATH,
	.gather = nvml_gather,
	.validate_capture = nvml_validate_capture,
	.validate_device = nvml_validate_device,
	.validate_system = nvml_validate_system,
	.describe = nvml_describe,
	.evidence = nvml_evidence,
	.remedies = nvml_remedies,
	.unreachable_remedy = "Check `nvidia-smi -q` and the kernel log (`dmesg -T | grep -i -e xid -e NVRM`).",
	.power_limit_command = "nvidia-smi -pl",
	.kernel_driver = "nvidia",
	.library_label = "NVML",
	.device_noun = "GPU",
	.work_unit = "CUDA context",
	.partitions_label = "MIG",
};
