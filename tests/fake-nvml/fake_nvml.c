/* A fake libnvidia-ml.so for the test suite, driven by a scenario file
 * (FAKE_NVML_SCENARIO=tests/fake-nvml/scenarios/NAME.json), in the manner of
 * DCGM's nvml-injection library. chipaudit loads it through its real dlopen
 * path (CHIPAUDIT_NVML_LIBRARY).
 *
 * Built twice: libfake-nvml.so exports the functions of a current driver
 * (versioned names included); with -DFAKE_NVML_OLD, libfake-nvml-old.so
 * exports only what an old driver had (nvmlInit, nvmlDeviceGetPciInfo with
 * its first layout, ...ClocksThrottleReasons), to prove the fallbacks.
 *
 * Scenario members (a member left out makes its function answer
 * NVML_ERROR_NOT_SUPPORTED): see tests/fake-nvml/README.md. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-common/scenario.h"
#include "vendor/nvml_api.h"

/* The exported functions are NVML's API, declared in NVIDIA's nvml.h, which
 * this project does not have: no prototypes to include. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT __attribute__((visibility("default")))
#define MAX_DEVICES 64
#define MAX_MIG 64

struct fdev {
	json_t *j;
	bool mig;
	int parent;
};

static json_t *scenario;
static json_t *merged;       /* devices with the scenario's "template" applied */
static struct fdev devices[MAX_DEVICES], migs[MAX_MIG];
static size_t device_count, mig_count;

static const struct { const char *name; nvmlReturn_t rc; } error_names[] = {
	{ "SUCCESS", NVML_SUCCESS }, { "UNINITIALIZED", NVML_ERROR_UNINITIALIZED },
	{ "INVALID_ARGUMENT", NVML_ERROR_INVALID_ARGUMENT }, { "NOT_SUPPORTED", NVML_ERROR_NOT_SUPPORTED },
	{ "NO_PERMISSION", NVML_ERROR_NO_PERMISSION }, { "NOT_FOUND", NVML_ERROR_NOT_FOUND },
	{ "INSUFFICIENT_SIZE", NVML_ERROR_INSUFFICIENT_SIZE }, { "DRIVER_NOT_LOADED", NVML_ERROR_DRIVER_NOT_LOADED },
	{ "TIMEOUT", NVML_ERROR_TIMEOUT }, { "GPU_IS_LOST", NVML_ERROR_GPU_IS_LOST },
	{ "RESET_REQUIRED", NVML_ERROR_RESET_REQUIRED }, { "LIB_RM_VERSION_MISMATCH", NVML_ERROR_LIB_RM_VERSION_MISMATCH },
	{ "CORRUPTED_INFOROM", NVML_ERROR_CORRUPTED_INFOROM }, { "UNKNOWN", NVML_ERROR_UNKNOWN },
	{ "ARGUMENT_VERSION_MISMATCH", NVML_ERROR_ARGUMENT_VERSION_MISMATCH }, { "NO_DATA", NVML_ERROR_NO_DATA },
	{ "WEIRD", 4242 },
};

static nvmlReturn_t error_code(const char *name)
{
	for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (name && strcmp(error_names[i].name, name) == 0)
			return error_names[i].rc;
	return NVML_ERROR_UNKNOWN;
}

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static long long at(const json_t *arr, size_t i)
{
	return json_integer_value(json_array_get(arr, i));
}

/* The error a function is told to return: errors[FN], or errors["*"] for
 * every function but the PCI information; NVML_SUCCESS otherwise. */
static nvmlReturn_t forced(const json_t *obj, const char *fn)
{
	const json_t *errors = json_object_get(obj, "errors");
	const char *e = json_string_value(json_object_get(errors, fn));

	if (e == NULL && strncmp(fn, "nvmlDeviceGetPciInfo", 20) != 0)
		e = json_string_value(json_object_get(errors, "*"));
	return e ? error_code(e) : NVML_SUCCESS;
}

static const struct fdev *dev_of(nvmlDevice_t h)
{
	const struct fdev *d = (const struct fdev *)h;

	if (d >= devices && d < devices + device_count)
		return d;
	if (d >= migs && d < migs + mig_count)
		return d;
	return NULL;
}

/* Look up DEVICE, apply a forced error for FN, and the member KEY (NULL when
 * absent: not supported). */
#define BEGIN(device, fn, key, member)                                       \
	const struct fdev *d_ = dev_of(device);                              \
	const json_t *member;                                                \
	nvmlReturn_t rc_;                                                    \
	if (scenario == NULL)                                                \
		return NVML_ERROR_UNINITIALIZED;                             \
	if (d_ == NULL)                                                      \
		return NVML_ERROR_INVALID_ARGUMENT;                          \
	if ((rc_ = forced(d_->j, fn)) != NVML_SUCCESS)                       \
		return rc_;                                                  \
	member = json_object_get(d_->j, key);                                \
	if (member == NULL)                                                  \
		return NVML_ERROR_NOT_SUPPORTED

static nvmlReturn_t copy_text(const json_t *v, char *buf, unsigned len)
{
	const char *s = json_string_value(v);
	if (s == NULL)
		return NVML_ERROR_NOT_SUPPORTED;
	if (strlen(s) + 1 > len)
		return NVML_ERROR_INSUFFICIENT_SIZE;
	memcpy(buf, s, strlen(s) + 1);
	return NVML_SUCCESS;
}

static void load_devices(void)
{
	json_t *full[MAX_DEVICES], *m;
	size_t i, n = fake_scenario_devices(scenario, full, MAX_DEVICES);

	device_count = mig_count = 0;
	merged = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(merged, full[i]);
		devices[device_count].j = full[i];
		devices[device_count].mig = false;
		device_count++;
	}
	for (i = 0; i < device_count; i++) {
		size_t k;
		json_array_foreach(json_object_get(json_object_get(devices[i].j, "mig"), "instances"), k, m) {
			if (mig_count == MAX_MIG)
				break;
			migs[mig_count].j = m;
			migs[mig_count].mig = true;
			migs[mig_count].parent = (int)i;
			mig_count++;
		}
	}
}

static nvmlReturn_t init(void)
{
	const char *init_error;
	nvmlReturn_t rc;
	bool unset;

	if (scenario)
		return NVML_SUCCESS;
	if ((scenario = fake_scenario_open("FAKE_NVML_SCENARIO", "fake-nvml", &unset)) == NULL)
		return unset ? NVML_ERROR_DRIVER_NOT_LOADED : NVML_ERROR_UNKNOWN;
	init_error = fake_scenario_init_error(scenario);
	if (init_error != NULL && (rc = error_code(init_error)) != NVML_SUCCESS) {
		json_decref(scenario);   /* holds init_error: the code is taken first */
		scenario = NULL;
		return rc;
	}
	load_devices();
	return NVML_SUCCESS;
}

static nvmlReturn_t sys_forced(const char *fn)
{
	const char *e = json_string_value(json_object_get(json_object_get(scenario, "errors"), fn));
	return e ? error_code(e) : NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlShutdown(void)
{
	json_decref(scenario);
	json_decref(merged);
	scenario = merged = NULL;
	device_count = mig_count = 0;
	return NVML_SUCCESS;
}

EXPORT const char *nvmlErrorString(nvmlReturn_t rc)
{
	return rc == NVML_SUCCESS ? "Success" : "fake error";
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *buf, unsigned len)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	return copy_text(json_object_get(scenario, "driver_version"), buf, len);
}

static nvmlReturn_t cuda_version(int *v)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if (!json_is_integer(json_object_get(scenario, "cuda_driver_version")))
		return NVML_ERROR_NOT_SUPPORTED;
	*v = (int)fake_num(scenario, "cuda_driver_version", 0);
	return NVML_SUCCESS;
}

static nvmlReturn_t device_count_of(unsigned *count)
{
	nvmlReturn_t rc;
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if ((rc = sys_forced("nvmlDeviceGetCount")) != NVML_SUCCESS)
		return rc;
	*count = (unsigned)fake_num(scenario, "device_count", (long long)device_count);
	return NVML_SUCCESS;
}

static nvmlReturn_t handle_of(unsigned index, nvmlDevice_t *h)
{
	const char *e;
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if (index >= device_count)
		return NVML_ERROR_INVALID_ARGUMENT;
	e = json_string_value(json_object_get(devices[index].j, "handle_error"));
	if (e)
		return error_code(e);
	*h = (nvmlDevice_t)&devices[index];
	return NVML_SUCCESS;
}

/* PCI information: "pci": {"bus_id": "00000000:18:00.0", "domain": 0,
 * "bus": 24, "device": 0, "device_id": "0x232910de", "subsystem_id": "0x183410de"}. */
static nvmlReturn_t pci_of(nvmlDevice_t device, nvmlPciInfo_t *pci, bool legacy, const char *fn)
{
	BEGIN(device, fn, "pci", p);
	memset(pci, 0, sizeof(*pci));
	pci->domain = (unsigned)fake_num(p, "domain", 0);
	pci->bus = (unsigned)fake_num(p, "bus", 0);
	pci->device = (unsigned)fake_num(p, "device", 0);
	pci->pciDeviceId = (unsigned)strtoul(str_or(json_string_value(json_object_get(p, "device_id")), "0"), NULL, 16);
	pci->pciSubSystemId = (unsigned)strtoul(str_or(json_string_value(json_object_get(p, "subsystem_id")), "0"), NULL, 16);
	if (legacy) {
		/* The first layout: busId[16] first; reserved words where busId now is. */
		snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%s",
			 str_or(json_string_value(json_object_get(p, "legacy_bus_id")), ""));
		memset(pci->busId, 0xab, sizeof(pci->busId));
	} else {
		snprintf(pci->busId, sizeof(pci->busId), "%s", str_or(json_string_value(json_object_get(p, "bus_id")), ""));
		snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%.15s",
			 str_or(json_string_value(json_object_get(p, "legacy_bus_id")), ""));
	}
	return NVML_SUCCESS;
}

#ifndef FAKE_NVML_OLD
EXPORT nvmlReturn_t nvmlInit_v2(void) { return init(); }
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned *c) { return device_count_of(c); }
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *h) { return handle_of(i, h); }
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *v) { return cuda_version(v); }
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *p)
{
	return pci_of(d, p, false, "nvmlDeviceGetPciInfo_v3");
}
#endif
/* Old names, exported by both builds (as the real library keeps them). */
EXPORT nvmlReturn_t nvmlInit(void) { return init(); }
EXPORT nvmlReturn_t nvmlDeviceGetCount(unsigned *c) { return device_count_of(c); }
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned i, nvmlDevice_t *h) { return handle_of(i, h); }
EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v) { return cuda_version(v); }
EXPORT nvmlReturn_t nvmlDeviceGetPciInfo(nvmlDevice_t d, nvmlPciInfo_t *p)
{
	return pci_of(d, p, true, "nvmlDeviceGetPciInfo");
}

static nvmlReturn_t text(nvmlDevice_t device, const char *fn, const char *key, char *buf, unsigned len)
{
	BEGIN(device, fn, key, v);
	/* A hostile library: the whole buffer filled, no NUL. */
	if (json_is_true(json_object_get(d_->j, "unterminated_strings"))) {
		memset(buf, 'A', len);
		return NVML_SUCCESS;
	}
	return copy_text(v, buf, len);
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetName", "name", b, n); }
EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetUUID", "uuid", b, n); }

static nvmlReturn_t memory_of(nvmlDevice_t device, unsigned long long *total, unsigned long long *reserved,
			      const char *fn)
{
	BEGIN(device, fn, "memory", m);
	*total = (unsigned long long)fake_num(m, "total", 0);
	if (reserved)
		*reserved = (unsigned long long)fake_num(m, "reserved", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m)
{
	memset(m, 0, sizeof(*m));
	return memory_of(d, &m->total, NULL, "nvmlDeviceGetMemoryInfo");
}

static nvmlReturn_t reasons_of(nvmlDevice_t device, const char *fn, size_t which, unsigned long long *bits)
{
	BEGIN(device, fn, "reasons", r);
	*bits = (unsigned long long)strtoull(str_or(json_string_value(json_array_get(r, which)), "0"), NULL, 16);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *b)
{
	return reasons_of(d, "nvmlDeviceGetCurrentClocksThrottleReasons", 0, b);
}
EXPORT nvmlReturn_t nvmlDeviceGetSupportedClocksThrottleReasons(nvmlDevice_t d, unsigned long long *b)
{
	return reasons_of(d, "nvmlDeviceGetSupportedClocksThrottleReasons", 1, b);
}

static nvmlReturn_t power_of(nvmlDevice_t device, const char *fn, const char *key, unsigned *mw)
{
	BEGIN(device, fn, "power", p);
	if (!json_is_integer(json_object_get(p, key)))
		return NVML_ERROR_NOT_SUPPORTED;
	*mw = (unsigned)fake_num(p, key, 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *mw) { return power_of(d, "nvmlDeviceGetPowerUsage", "draw", mw); }

static nvmlReturn_t clock_of(nvmlDevice_t device, const char *fn, int type, size_t which, unsigned *mhz)
{
	static const char *const names[] = { "graphics", "sm", "memory", "video" };
	const json_t *row;
	BEGIN(device, fn, "clocks", c);
	if (type < 0 || type > 3)
		return NVML_ERROR_INVALID_ARGUMENT;
	row = json_object_get(c, names[type]);
	if (!json_is_integer(json_array_get(row, which)))
		return NVML_ERROR_NOT_SUPPORTED;
	*mhz = (unsigned)at(row, which);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int t, unsigned *m) { return clock_of(d, "nvmlDeviceGetClockInfo", t, 0, m); }
EXPORT nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int t, unsigned *m) { return clock_of(d, "nvmlDeviceGetMaxClockInfo", t, 1, m); }

static nvmlReturn_t retired_of(nvmlDevice_t device, const char *fn, int cause, unsigned *count)
{
	unsigned n;
	BEGIN(device, fn, "retired", r);
	n = (unsigned)fake_num(r, cause == 0 ? "sbe" : "dbe", 0);
	if (*count < n) {
		*count = n;
		return NVML_ERROR_INSUFFICIENT_SIZE;
	}
	*count = n;
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t d, int cause, unsigned *count, unsigned long long *a)
{
	(void)a;
	return retired_of(d, "nvmlDeviceGetRetiredPages", cause, count);
}

EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char *buf, unsigned len)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	return copy_text(json_object_get(scenario, "nvml_version"), buf, len);
}

#ifndef FAKE_NVML_OLD
/* Everything a current driver has and an old one lacked. */

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t d, nvmlPciInfo_t *p)
{
	return pci_of(d, p, false, "nvmlDeviceGetPciInfo_v2");
}

EXPORT nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetSerial", "serial", b, n); }
EXPORT nvmlReturn_t nvmlDeviceGetBoardPartNumber(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetBoardPartNumber", "board_part_number", b, n); }
EXPORT nvmlReturn_t nvmlDeviceGetVbiosVersion(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetVbiosVersion", "vbios", b, n); }
EXPORT nvmlReturn_t nvmlDeviceGetInforomImageVersion(nvmlDevice_t d, char *b, unsigned n) { return text(d, "nvmlDeviceGetInforomImageVersion", "inforom", b, n); }

EXPORT nvmlReturn_t nvmlDeviceGetGspFirmwareVersion(nvmlDevice_t d, char *b)
{
	return text(d, "nvmlDeviceGetGspFirmwareVersion", "gsp_version", b, NVML_GSP_FIRMWARE_VERSION_BUF_SIZE);
}

EXPORT nvmlReturn_t nvmlDeviceGetGspFirmwareMode(nvmlDevice_t device, unsigned *enabled, unsigned *deflt)
{
	BEGIN(device, "nvmlDeviceGetGspFirmwareMode", "gsp_mode", g);
	*enabled = (unsigned)at(g, 0);
	*deflt = (unsigned)at(g, 1);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m)
{
	if (m->version != nvmlMemory_v2)
		return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
	return memory_of(d, &m->total, &m->reserved, "nvmlDeviceGetMemoryInfo_v2");
}

EXPORT nvmlReturn_t nvmlDeviceGetApplicationsClock(nvmlDevice_t d, int t, unsigned *m) { return clock_of(d, "nvmlDeviceGetApplicationsClock", t, 2, m); }
EXPORT nvmlReturn_t nvmlDeviceGetDefaultApplicationsClock(nvmlDevice_t d, int t, unsigned *m) { return clock_of(d, "nvmlDeviceGetDefaultApplicationsClock", t, 3, m); }

EXPORT nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *b)
{
	return reasons_of(d, "nvmlDeviceGetCurrentClocksEventReasons", 0, b);
}
EXPORT nvmlReturn_t nvmlDeviceGetSupportedClocksEventReasons(nvmlDevice_t d, unsigned long long *b)
{
	return reasons_of(d, "nvmlDeviceGetSupportedClocksEventReasons", 1, b);
}

EXPORT nvmlReturn_t nvmlDeviceGetViolationStatus(nvmlDevice_t device, int policy, nvmlViolationTime_t *v)
{
	static const int order[] = { 0, 1, 2, 3, 4, 5, 10, 11 };
	BEGIN(device, "nvmlDeviceGetViolationStatus", "violations", list);
	for (size_t i = 0; i < 8; i++) {
		if (order[i] == policy) {
			v->referenceTime = 1764403200000000ULL;
			v->violationTime = (unsigned long long)at(list, i);
			return NVML_SUCCESS;
		}
	}
	return NVML_ERROR_INVALID_ARGUMENT;
}

EXPORT nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned *mw) { return power_of(d, "nvmlDeviceGetEnforcedPowerLimit", "enforced", mw); }
EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t d, unsigned *mw) { return power_of(d, "nvmlDeviceGetPowerManagementLimit", "limit", mw); }
EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t d, unsigned *mw) { return power_of(d, "nvmlDeviceGetPowerManagementDefaultLimit", "default", mw); }

EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t d, unsigned *lo, unsigned *hi)
{
	nvmlReturn_t rc = power_of(d, "nvmlDeviceGetPowerManagementLimitConstraints", "min", lo);
	return rc == NVML_SUCCESS ? power_of(d, "nvmlDeviceGetPowerManagementLimitConstraints", "max", hi) : rc;
}

static nvmlReturn_t scalar(nvmlDevice_t device, const char *fn, const char *key, int *out)
{
	BEGIN(device, fn, key, v);
	*out = (int)json_integer_value(v);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *t)
{
	int v = 0;
	nvmlReturn_t rc = sensor == NVML_TEMPERATURE_GPU ? scalar(d, "nvmlDeviceGetTemperature", "temperature", &v)
							: NVML_ERROR_INVALID_ARGUMENT;
	*t = (unsigned)v;
	return rc;
}

EXPORT nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t d, int *m) { return scalar(d, "nvmlDeviceGetComputeMode", "compute_mode", m); }
EXPORT nvmlReturn_t nvmlDeviceGetPersistenceMode(nvmlDevice_t d, int *m) { return scalar(d, "nvmlDeviceGetPersistenceMode", "persistence", m); }
EXPORT nvmlReturn_t nvmlDeviceGetVirtualizationMode(nvmlDevice_t d, int *m) { return scalar(d, "nvmlDeviceGetVirtualizationMode", "virt_mode", m); }

/* Drain state is asked by PCI address, as the real call is. */
EXPORT nvmlReturn_t nvmlDeviceQueryDrainState(nvmlPciInfo_t *pci, int *state)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	for (size_t i = 0; i < device_count; i++) {
		const json_t *p = json_object_get(devices[i].j, "pci");
		if (fake_num(p, "domain", 0) == pci->domain && fake_num(p, "bus", 0) == pci->bus &&
		    fake_num(p, "device", 0) == pci->device)
			return scalar((nvmlDevice_t)&devices[i], "nvmlDeviceQueryDrainState", "drain", state);
	}
	return NVML_ERROR_NOT_FOUND;
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuOperationMode(nvmlDevice_t device, int *current, int *pending)
{
	BEGIN(device, "nvmlDeviceGetGpuOperationMode", "gom", g);
	*current = (int)at(g, 0);
	*pending = (int)at(g, 1);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned *current, unsigned *pending)
{
	BEGIN(device, "nvmlDeviceGetMigMode", "mig", m);
	*current = (unsigned)fake_num(m, "current", 0);
	*pending = (unsigned)fake_num(m, "pending", *current);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned *count)
{
	BEGIN(device, "nvmlDeviceGetMaxMigDeviceCount", "mig", m);
	*count = (unsigned)fake_num(m, "max", 7);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned index, nvmlDevice_t *out)
{
	size_t seen = 0;
	BEGIN(device, "nvmlDeviceGetMigDeviceHandleByIndex", "mig", m);
	(void)m;
	for (size_t i = 0; i < mig_count; i++) {
		if (&devices[migs[i].parent] != d_)
			continue;
		if (seen++ == index) {
			*out = (nvmlDevice_t)&migs[i];
			return NVML_SUCCESS;
		}
	}
	return NVML_ERROR_NOT_FOUND;
}

EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t d, unsigned *id) { return scalar(d, "nvmlDeviceGetGpuInstanceId", "gi", (int *)id); }
EXPORT nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t d, unsigned *id) { return scalar(d, "nvmlDeviceGetComputeInstanceId", "ci", (int *)id); }

EXPORT nvmlReturn_t nvmlDeviceGetEccMode(nvmlDevice_t device, int *current, int *pending)
{
	BEGIN(device, "nvmlDeviceGetEccMode", "ecc", e);
	*current = (int)fake_num(e, "current", 0);
	*pending = (int)fake_num(e, "pending", *current);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, int type, int counter, unsigned long long *n)
{
	BEGIN(device, "nvmlDeviceGetTotalEccErrors", "ecc", e);
	*n = (unsigned long long)at(json_object_get(e, counter == NVML_VOLATILE_ECC ? "volatile" : "aggregate"),
				    (size_t)type);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPages_v2(nvmlDevice_t d, int cause, unsigned *count, unsigned long long *a,
						 unsigned long long *t)
{
	(void)a;
	(void)t;
	return retired_of(d, "nvmlDeviceGetRetiredPages_v2", cause, count);
}

EXPORT nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device, int *pending)
{
	BEGIN(device, "nvmlDeviceGetRetiredPagesPendingStatus", "retired", r);
	*pending = (int)fake_num(r, "pending", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t device, unsigned *corr, unsigned *unc, unsigned *pending,
					      unsigned *failure)
{
	BEGIN(device, "nvmlDeviceGetRemappedRows", "remap", r);
	*corr = (unsigned)fake_num(r, "correctable", 0);
	*unc = (unsigned)fake_num(r, "uncorrectable", 0);
	*pending = (unsigned)fake_num(r, "pending", 0);
	*failure = (unsigned)fake_num(r, "failure", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetRowRemapperHistogram(nvmlDevice_t device, nvmlRowRemapperHistogramValues_t *h)
{
	const json_t *hist;
	BEGIN(device, "nvmlDeviceGetRowRemapperHistogram", "remap", r);
	hist = json_object_get(r, "histogram");
	if (hist == NULL)
		return NVML_ERROR_NOT_SUPPORTED;
	h->max = (unsigned)at(hist, 0);
	h->high = (unsigned)at(hist, 1);
	h->partial = (unsigned)at(hist, 2);
	h->low = (unsigned)at(hist, 3);
	h->none = (unsigned)at(hist, 4);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned link, int *active)
{
	BEGIN(device, "nvmlDeviceGetNvLinkState", "nvlink", l);
	if (link >= NVML_NVLINK_MAX_LINKS)
		return NVML_ERROR_INVALID_ARGUMENT;
	if (link >= json_array_size(l))
		return NVML_ERROR_NOT_SUPPORTED;
	*active = (int)at(l, link);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetGridLicensableFeatures_v4(nvmlDevice_t device, nvmlGridLicensableFeatures_t *f)
{
	size_t i;
	json_t *item;
	BEGIN(device, "nvmlDeviceGetGridLicensableFeatures_v4", "license", l);
	memset(f, 0, sizeof(*f));
	f->isGridLicenseSupported = (int)fake_num(l, "supported", 0);
	json_array_foreach(json_object_get(l, "features"), i, item) {
		nvmlGridLicensableFeature_t *g = &f->gridLicensableFeatures[i];
		const json_t *e = json_object_get(item, "expiry");
		if (i == NVML_GRID_LICENSE_FEATURE_MAX_COUNT)
			break;
		g->featureCode = (int)fake_num(item, "code", 0);
		g->featureState = (unsigned)fake_num(item, "state", 0);
		g->featureEnabled = (unsigned)fake_num(item, "enabled", 0);
		snprintf(g->productName, sizeof(g->productName), "%s", str_or(json_string_value(json_object_get(item, "product")), ""));
		if (e) {
			g->licenseExpiry.year = (unsigned)at(e, 0);
			g->licenseExpiry.month = (unsigned short)at(e, 1);
			g->licenseExpiry.day = (unsigned short)at(e, 2);
			g->licenseExpiry.hour = (unsigned short)at(e, 3);
			g->licenseExpiry.min = (unsigned short)at(e, 4);
			g->licenseExpiry.sec = (unsigned short)at(e, 5);
			g->licenseExpiry.status = (unsigned char)at(e, 6);
		}
		f->licensableFeaturesCount++;
	}
	return NVML_SUCCESS;
}

/* "cc_report_hex": a real report (NVIDIA's published sample), returned as
 * it is whatever nonce the caller sent: a replayed report. */
static nvmlReturn_t recorded_report(const json_t *hex, nvmlConfComputeGpuAttestationReport_t *r)
{
	const char *h = json_string_value(hex);
	size_t n = h ? strlen(h) / 2 : 0;
	unsigned byte;

	if (h == NULL || n > sizeof(r->attestationReport))
		return NVML_ERROR_UNKNOWN;
	memset(r->attestationReport, 0, sizeof(r->attestationReport));
	for (size_t i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &byte) != 1)
			return NVML_ERROR_UNKNOWN;
		r->attestationReport[i] = (unsigned char)byte;
	}
	r->attestationReportSize = (unsigned)n;
	r->isCecAttestationReportPresent = 0;
	r->cecAttestationReportSize = 0;
	return NVML_SUCCESS;
}

/* The report echoes the caller's nonce after a fixed header, as the SPDM
 * GET_MEASUREMENTS request at its start does: a layout error shows. */
EXPORT nvmlReturn_t nvmlDeviceGetConfComputeGpuAttestationReport(nvmlDevice_t device,
								 nvmlConfComputeGpuAttestationReport_t *r)
{
	static const unsigned char header[] = "FAKE-SPDM-GET-MEASUREMENTS";
	unsigned size;
	if (dev_of(device) && json_object_get(dev_of(device)->j, "cc_report_hex"))
		return recorded_report(json_object_get(dev_of(device)->j, "cc_report_hex"), r);
	BEGIN(device, "nvmlDeviceGetConfComputeGpuAttestationReport", "cc_report_size", s);
	size = (unsigned)json_integer_value(s);
	if (size < sizeof(header) + NVML_CC_GPU_CEC_NONCE_SIZE)
		size = sizeof(header) + NVML_CC_GPU_CEC_NONCE_SIZE;
	if (size > NVML_CC_GPU_ATTESTATION_REPORT_SIZE + 1000)   /* a hostile library: too large */
		size = NVML_CC_GPU_ATTESTATION_REPORT_SIZE + 1000;
	memset(r->attestationReport, 0x5a, sizeof(r->attestationReport));
	memcpy(r->attestationReport, header, sizeof(header));
	memcpy(r->attestationReport + sizeof(header), r->nonce, NVML_CC_GPU_CEC_NONCE_SIZE);
	r->attestationReportSize = size;
	r->isCecAttestationReportPresent = 0;
	r->cecAttestationReportSize = 0;
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetConfComputeGpuCertificate(nvmlDevice_t device, nvmlConfComputeGpuCertificate_t *c)
{
	const char *chain;
	BEGIN(device, "nvmlDeviceGetConfComputeGpuCertificate", "cert_chain", s);
	chain = json_string_value(s);
	memset(c, 0, sizeof(*c));
	c->certChainSize = (unsigned)snprintf((char *)c->certChain, sizeof(c->certChain), "%s", str_or(chain, ""));
	c->attestationCertChainSize = (unsigned)snprintf((char *)c->attestationCertChain,
							 sizeof(c->attestationCertChain), "%s", str_or(chain, ""));
	return NVML_SUCCESS;
}

static const json_t *cc(void)
{
	return json_object_get(scenario, "cc");
}

EXPORT nvmlReturn_t nvmlSystemGetConfComputeState(nvmlConfComputeSystemState_t *st)
{
	nvmlReturn_t rc;
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if ((rc = sys_forced("nvmlSystemGetConfComputeState")) != NVML_SUCCESS)
		return rc;
	if (cc() == NULL)
		return NVML_ERROR_NOT_SUPPORTED;
	st->environment = (unsigned)fake_num(cc(), "environment", 0);
	st->ccFeature = (unsigned)fake_num(cc(), "feature", 0);
	st->devToolsMode = (unsigned)fake_num(cc(), "dev_tools", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlSystemGetConfComputeSettings(nvmlSystemConfComputeSettings_v1_t *s)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if (s->version != nvmlSystemConfComputeSettings_v1)
		return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
	if (cc() == NULL)
		return NVML_ERROR_NOT_SUPPORTED;
	s->environment = (unsigned)fake_num(cc(), "environment", 0);
	s->ccFeature = (unsigned)fake_num(cc(), "feature", 0);
	s->devToolsMode = (unsigned)fake_num(cc(), "dev_tools", 0);
	s->multiGpuMode = (unsigned)fake_num(cc(), "multi_gpu", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlSystemGetConfComputeGpusReadyState(unsigned *ready)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if (cc() == NULL || !json_is_integer(json_object_get(cc(), "ready")))
		return NVML_ERROR_NOT_SUPPORTED;
	*ready = (unsigned)fake_num(cc(), "ready", 0);
	return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlSystemGetConfComputeCapabilities(nvmlConfComputeSystemCaps_t *caps)
{
	if (scenario == NULL)
		return NVML_ERROR_UNINITIALIZED;
	if (cc() == NULL)
		return NVML_ERROR_NOT_SUPPORTED;
	caps->cpuCaps = (unsigned)fake_num(cc(), "cpu_caps", 0);
	caps->gpusCaps = (unsigned)fake_num(cc(), "gpus_caps", 0);
	return NVML_SUCCESS;
}
#endif
