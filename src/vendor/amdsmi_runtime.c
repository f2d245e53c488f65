/* AMD SMI's values in the vendor-neutral record (runtime.h), the values that
 * evidence each concern, and the amd-smi commands that inspect and clear
 * them. What AMD SMI has no notion of (a compute mode, an operation mode, a
 * drain state, confidential computing, vGPU licensing) is null with that
 * said plainly: the checks skip, never pass. docs/vendors.md maps each
 * member. */
#include "vendor/amdsmi_runtime.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/amdsmi_facts.h"

#define SMI "amd-smi"

/* Copy AMD SMI's member SRC to the record's PATH, or null with its reason. */
static void copy(json_t *rt, const json_t *dev, const char *path, const char *src)
{
	const json_t *v = af_get(dev, src);

	rt_put(rt, path, v ? json_deep_copy(v) : NULL, af_why(dev, src));
}

static void describe_identity(json_t *rt, const json_t *dev)
{
	static const char *const map[][2] = {
		{ "identity.name", "name" },
		{ "identity.uuid", "uuid" },
		{ "identity.serial", "board.serial" },
		{ "identity.vendor_id", "pci.vendor_id" },
		{ "identity.device_id", "pci.device_id" },
		{ "identity.subsystem_vendor_id", "pci.subsystem_vendor_id" },
		{ "identity.subsystem_device_id", "pci.subsystem_device_id" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		copy(rt, dev, map[i][0], map[i][1]);
}

/* Is bit NAME of the active throttlers set? */
static bool throttler(const json_t *active, const char *prefix)
{
	size_t i;
	json_t *v;

	json_array_foreach(active, i, v)
		if (json_is_string(v) && str_starts_with(json_string_value(v), prefix))
			return true;
	return false;
}

static void add_reason(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return;
	json_array_append_new(list, json_string(name));
}

/* From amdsmi_get_violation_status: PROCHOT is asserted from outside the
 * GPU's own power management (the platform's PROCHOT# signal); PPT is the
 * package power limit the driver sets; socket, VR and HBM thermal are the
 * firmware slowing down for temperature. */
static json_t *violation_slowdown(const json_t *dev)
{
	static const char *const map[][2] = {
		{ "prochot", RT_SLOW_HARDWARE_SLOWDOWN },
		{ "ppt", RT_SLOW_SOFTWARE_POWER_CAP },
		{ "socket_thermal", RT_SLOW_SOFTWARE_THERMAL },
		{ "vr_thermal", RT_SLOW_SOFTWARE_THERMAL },
		{ "hbm_thermal", RT_SLOW_SOFTWARE_THERMAL },
	};
	json_t *list = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		char path[64];
		snprintf(path, sizeof(path), "violation.active.%s", map[i][0]);
		if (json_is_true(af_get(dev, path)))
			add_reason(list, map[i][1]);
	}
	return list;
}

/* From gpu_metrics' independent throttler bits: the package power trackers
 * and limits (PPT, SPL, FPPT, SPPT) are the power cap; TEMP_* the firmware's
 * thermal slowdown; VRHOT the voltage regulator's hot signal; PROCHOT the
 * platform's. Current (TDC, EDC) and other limiters have no neutral name:
 * they stay in the evidence. */
static json_t *throttler_slowdown(const json_t *active)
{
	json_t *list = json_array();

	if (throttler(active, "prochot"))
		add_reason(list, RT_SLOW_HARDWARE_SLOWDOWN);
	if (throttler(active, "ppt") || throttler(active, "spl") || throttler(active, "fppt") ||
	    throttler(active, "sppt"))
		add_reason(list, RT_SLOW_SOFTWARE_POWER_CAP);
	if (throttler(active, "temp_"))
		add_reason(list, RT_SLOW_SOFTWARE_THERMAL);
	if (throttler(active, "vrhot"))
		add_reason(list, RT_SLOW_HARDWARE_THERMAL);
	return list;
}

static void describe_slowdown(json_t *rt, const json_t *dev)
{
	const char *source = af_str(dev, "throttle.source");
	const json_t *active = af_get(dev, "throttle.active");

	if (source && strcmp(source, "violation_status") == 0)
		rt_put(rt, "slowdown", violation_slowdown(dev), NULL);
	else if (source && strcmp(source, "gpu_metrics") == 0 && json_is_array(active))
		rt_put(rt, "slowdown", throttler_slowdown(active), NULL);
	else
		rt_put(rt, "slowdown", NULL, af_why(dev, source ? "throttle.indep_status" : "throttle.source"));
}

/* A bad page count above zero; null with its reason. */
static void count_above_zero(json_t *rt, const char *path, const json_t *dev, const char *src)
{
	long long n;

	rt_put(rt, path, af_int(dev, src, &n) ? json_boolean(n > 0) : NULL, af_why(dev, src));
}

static void describe_memory(json_t *rt, const json_t *dev)
{
	/* a bad page the driver could not retire: the memory's repair failed */
	count_above_zero(rt, "memory.repair_failed", dev, "bad_pages.unreservable");
	rt_put(rt, "memory.repair_pending", NULL, "AMD SMI has no row repair state (bad pages are retired instead)");
	count_above_zero(rt, "memory.retirement_pending", dev, "bad_pages.pending");
	copy(rt, dev, "memory.uncorrectable_errors", "ecc.uncorrectable");
}

/* Compute partitions: on unless the GPU is one partition (SPX); one profile
 * per partition, the mode's name, counted by the partition profile (24.7)
 * or by the handles the library lists at the GPU's address. */
static void describe_partitions(json_t *rt, const json_t *dev)
{
	const char *mode = af_str(dev, "partition.compute");
	json_t *profiles;
	long long n;

	if (mode == NULL) {
		rt_put(rt, "partitions.on", NULL, af_why(dev, "partition.compute"));
		rt_put(rt, "partitions.profiles", NULL, af_why(dev, "partition.compute"));
	} else {
		bool on = strcmp(mode, "SPX") != 0;
		rt_put(rt, "partitions.on", json_boolean(on), NULL);
		if (!af_int(dev, "partition.count", &n) && !af_int(dev, "partition.listed", &n)) {
			rt_put(rt, "partitions.profiles", NULL, af_why(dev, "partition.count"));
		} else {
			profiles = json_array();
			for (long long i = 0; on && i < n; i++)
				json_array_append_new(profiles, json_string(mode));
			rt_put(rt, "partitions.profiles", profiles, NULL);
		}
	}
	rt_put(rt, "partitions.pending", NULL, "AMD SMI reports no pending partition change");
}

json_t *amdsmi_describe(const json_t *section, const json_t *dev)
{
	json_t *rt = json_object(), *unavailable;
	bool lost;

	(void)section;
	jset_str(rt, "backend", "amdsmi");
	describe_identity(rt, dev);
	rt_put(rt, "compute.gate", NULL, "AMD SMI has no compute mode (no setting that refuses compute work)");
	rt_put(rt, "compute.mode", NULL, "AMD SMI has no compute mode (no setting that refuses compute work)");
	rt_put(rt, "operation_mode.current", NULL, "AMD SMI has no GPU operation mode");
	rt_put(rt, "operation_mode.pending", NULL, "AMD SMI has no GPU operation mode");
	rt_put(rt, "drained", NULL, "AMD SMI has no drain state");
	rt_put(rt, "confidential_computing.on", NULL, "AMD SMI reports no confidential computing state");
	rt_put(rt, "confidential_computing.ready", NULL, "AMD SMI reports no confidential computing state");
	rt_put(rt, "lost", json_boolean(jbool(dev, "lost", &lost) && lost), NULL);
	/* AMD SMI reports one cap, the one the driver enforces and amd-smi
	 * sets: the enforced and the requested limit are the same value */
	copy(rt, dev, "power_mw.enforced_limit", "power_mw.cap");
	copy(rt, dev, "power_mw.requested_limit", "power_mw.cap");
	copy(rt, dev, "power_mw.default_limit", "power_mw.default_cap");
	copy(rt, dev, "clocks_mhz.compute.set", "overdrive_mhz.gfx.soft_max");
	copy(rt, dev, "clocks_mhz.compute.default", "overdrive_mhz.gfx.limit_max");
	copy(rt, dev, "clocks_mhz.memory.set", "overdrive_mhz.memory.soft_max");
	copy(rt, dev, "clocks_mhz.memory.default", "overdrive_mhz.memory.limit_max");
	describe_slowdown(rt, dev);
	describe_memory(rt, dev);
	rt_put(rt, "virtualization.mode", NULL, "AMD SMI (24.7) reports no virtualization mode");
	rt_put(rt, "virtualization.guest", NULL, "AMD SMI (24.7) reports no virtualization mode");
	rt_put(rt, "virtualization.licensed", NULL, "AMD SMI has no vGPU licensing");
	describe_partitions(rt, dev);
	/* the reasons last, after the members they explain */
	unavailable = json_object_get(rt, "unavailable");
	if (unavailable) {
		json_incref(unavailable);
		json_object_del(rt, "unavailable");
		json_object_set_new(rt, "unavailable", unavailable);
	}
	return rt;
}

/* The AMD SMI members shown as evidence of each concern. */
static const char *const *const evidence_paths[RT_CONCERN_COUNT] = {
	[RT_POWER] = (const char *const[]){ "power_mw.cap", "power_mw.default_cap", "power_mw.min_cap",
					     "power_mw.max_cap", "power_mw.socket", NULL },
	[RT_CLOCKS] = (const char *const[]){ "overdrive_mhz.gfx.soft_max", "overdrive_mhz.gfx.limit_max",
					      "overdrive_mhz.memory.soft_max", "overdrive_mhz.memory.limit_max",
					      "clocks_mhz.gfx.current", "clocks_mhz.gfx.max", "clocks_mhz.gfx.locked",
					      "clocks_mhz.memory.max", NULL },
	[RT_SLOWDOWN] = (const char *const[]){ "throttle.source", "violation.active", "violation.percent",
					       "throttle.active", "throttle.indep_status", "power_mw.socket",
					       "power_mw.cap", "temperature_c.hotspot", "temperature_c.memory", NULL },
	[RT_MEMORY] = (const char *const[]){ "ecc.uncorrectable", "ecc.correctable", "ecc.deferred",
					      "bad_pages.pending", "bad_pages.unreservable", "bad_pages.retired",
					      "ecc.enabled_blocks", NULL },
	[RT_PARTITIONS] = (const char *const[]){ "partition.compute", "partition.memory", "partition.profile",
						 "partition.count", "partition.listed", NULL },
	[RT_LOST] = (const char *const[]){ "lost", "xgmi.error_status", NULL },
};

/* The value at each path (null when unknown) and why unknown. */
static json_t *paths_evidence(const json_t *dev, const char *const *paths)
{
	json_t *ev = json_object(), *why = json_object();

	for (; *paths; paths++) {
		const json_t *v = af_get(dev, *paths);
		json_object_set_new(ev, *paths, v ? json_deep_copy(v) : json_null());
		if (v == NULL)
			json_object_set_new(why, *paths, json_string(af_why(dev, *paths)));
	}
	if (json_object_size(why) > 0)
		json_object_set_new(ev, "unavailable", why);
	else
		json_decref(why);
	return ev;
}

json_t *amdsmi_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev)
{
	(void)section;
	if (concern < RT_CONCERN_COUNT && evidence_paths[concern])
		return paths_evidence(dev, evidence_paths[concern]);
	return NULL;
}

const char *const amdsmi_remedies[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] =
		"Compare `" SMI " static -g %s --asic --board` (market name, device ID, subsystem) with `lspci -nn -v -s "
		"%s`: the driver and the PCI configuration space disagree about what this GPU is, which a modified VBIOS, a "
		"modified driver or a relabelled board would explain.",
	[RT_LOST] =
		"Check `" SMI " list` and `" SMI " static -g %s --bus`, and the kernel log (`dmesg -T | grep -i amdgpu`). "
		"A GPU that stopped answering needs a reset (`" SMI " reset -g %s --gpureset`, with nothing running on "
		"it) or a power cycle; if it recurs, reseat or replace it.",
	[RT_POWER] =
		"Inspect with `" SMI " metric -g %s --power` and `" SMI " static -g %s --limit` (power cap, default and "
		"range). An administrator sets the cap with `" SMI " set -g %s --power-cap WATTS` and restores it with `"
		SMI " reset -g %s --power-cap`; a cap set out of band (the BMC) does not show in AMD SMI: check the BMC "
		"too.",
	[RT_CLOCKS] =
		"Inspect with `" SMI " metric -g %s --clock --overdrive --perf-level`. Clock limits are set by root with `"
		SMI " set -g %s --perf-determinism SCLKMAX` or through pp_od_clk_voltage; reset them with `" SMI
		" reset -g %s --clocks` (and `--perf-determinism`).",
	[RT_SLOWDOWN] =
		"Inspect with `" SMI " metric -g %s --power --temperature --clock` (and the violation status where the "
		"tool shows it). PROCHOT with no thermal cause is asserted from outside the GPU (the platform's PROCHOT# "
		"signal, driven by the BMC or the power supply): read the BMC's event log (`ipmitool sel list`).",
	[RT_MEMORY] =
		"Inspect with `" SMI " metric -g %s --ecc --ecc-blocks` and `" SMI " bad-pages -g %s`. Pages pending "
		"retirement are retired at the next GPU reset (`" SMI " reset -g %s --gpureset`, with nothing running "
		"on it) or reboot; a page that could not be retired (unreservable) means the memory cannot be repaired: "
		"the board needs replacing.",
	[RT_PARTITIONS] =
		"Inspect with `" SMI " static -g %s --partition`. Compute partitions are set by root with `" SMI
		" set -g %s --compute-partition CPX` (and `--memory-partition`) and reset with `" SMI
		" reset -g %s --compute-partition`; if this layout is intended, state it with --expect-mig FILE, one "
		"profile per partition (\"CPX\", ...) (docs/killswitch.md).",
};
