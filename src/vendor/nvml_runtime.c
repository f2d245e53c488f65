/* NVML's values in the vendor-neutral record (runtime.h), the values that
 * evidence each concern, and the nvidia-smi commands that inspect and clear
 * them. */
#include "vendor/nvml_runtime.h"

#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/nvml_facts.h"

#define SMI "nvidia-smi"

/* Copy NVML's member SRC to the record's PATH, or null with NVML's reason. */
static void copy(json_t *rt, const json_t *dev, const char *path, const char *src)
{
	const json_t *v = nf_get(dev, src);

	rt_put(rt, path, v ? json_deep_copy(v) : NULL, nf_why(dev, src));
}

static void describe_identity(json_t *rt, const json_t *dev)
{
	static const char *const map[][2] = {
		{ "identity.name", "name" },
		{ "identity.uuid", "uuid" },
		{ "identity.serial", "serial" },
		{ "identity.vendor_id", "pci.vendor_id" },
		{ "identity.device_id", "pci.device_id" },
		{ "identity.subsystem_vendor_id", "pci.subsystem_vendor_id" },
		{ "identity.subsystem_device_id", "pci.subsystem_device_id" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		copy(rt, dev, map[i][0], map[i][1]);
}

static void describe_compute(json_t *rt, const json_t *dev)
{
	const char *mode = nf_str(dev, "compute_mode");
	const char *gate = NULL;

	if (mode)
		gate = strcmp(mode, "prohibited") == 0 ? "refused" : strcmp(mode, "default") == 0 ? "open" : "one_process";
	rt_put(rt, "compute.gate", gate ? json_string(gate) : NULL, nf_why(dev, "compute_mode"));
	copy(rt, dev, "compute.mode", "compute_mode");
}

/* NVML's GPU operation mode as nvidia-smi names it. */
static json_t *operation_mode(const char *mode)
{
	const char *name = strcmp(mode, "all_on") == 0    ? "All On"
			   : strcmp(mode, "compute") == 0 ? "Compute"
			   : strcmp(mode, "low_dp") == 0  ? "Low Double Precision"
							  : mode;

	return json_pack("{s:s, s:b, s:b}", "name", name, "fp64_reduced", strcmp(mode, "low_dp") == 0,
			 "graphics_off", strcmp(mode, "compute") == 0);
}

static void describe_operation_mode(json_t *rt, const json_t *dev)
{
	static const char *const which[] = { "current", "pending" };

	for (size_t i = 0; i < ARRAY_SIZE(which); i++) {
		char src[64], path[64];
		const char *mode;
		snprintf(src, sizeof(src), "gpu_operation_mode.%s", which[i]);
		snprintf(path, sizeof(path), "operation_mode.%s", which[i]);
		mode = nf_str(dev, src);
		rt_put(rt, path, mode ? operation_mode(mode) : NULL, nf_why(dev, src));
	}
}

/* Clock event reason bits (nvmlClocksEventReason*) and their neutral names. */
static const struct {
	uint64_t bit;
	const char *name;
} slowdown_bits[] = {
	{ 0x1, RT_SLOW_IDLE },
	{ 0x2, RT_SLOW_CLOCK_SETTING },
	{ 0x4, RT_SLOW_SOFTWARE_POWER_CAP },
	{ 0x8, RT_SLOW_HARDWARE_SLOWDOWN },
	{ 0x20, RT_SLOW_SOFTWARE_THERMAL },
	{ 0x40, RT_SLOW_HARDWARE_THERMAL },
	{ 0x80, RT_SLOW_HARDWARE_POWER_BRAKE },
};

static void describe_slowdown(json_t *rt, const json_t *dev)
{
	const char *bits = nf_str(dev, "clock_event_reasons.current");
	json_t *list;
	uint64_t v;

	if (bits == NULL || parse_u64(bits, 16, &v) != 0) {
		rt_put(rt, "slowdown", NULL, nf_why(dev, "clock_event_reasons.current"));
		return;
	}
	list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(slowdown_bits); i++)
		if (v & slowdown_bits[i].bit)
			json_array_append_new(list, json_string(slowdown_bits[i].name));
	rt_put(rt, "slowdown", list, NULL);
}

static void describe_virtualization(json_t *rt, const json_t *dev)
{
	const char *mode = nf_str(dev, "virtualization_mode");
	const json_t *features = nf_get(dev, "vgpu_license.features");
	bool licensed = false;
	size_t i;
	json_t *f;

	copy(rt, dev, "virtualization.mode", "virtualization_mode");
	rt_put(rt, "virtualization.guest", mode ? json_boolean(strcmp(mode, "vgpu") == 0) : NULL,
	       nf_why(dev, "virtualization_mode"));
	json_array_foreach(features, i, f)
		licensed |= json_is_true(json_object_get(f, "licensed")) && json_is_true(json_object_get(f, "enabled"));
	rt_put(rt, "virtualization.licensed", features ? json_boolean(licensed) : NULL,
	       nf_why(dev, "vgpu_license.features"));
}

static void describe_partitions(json_t *rt, const json_t *dev)
{
	const json_t *instances = nf_get(dev, "mig.instances");
	json_t *profiles = NULL, *inst;
	size_t i;

	copy(rt, dev, "partitions.on", "mig.current");
	copy(rt, dev, "partitions.pending", "mig.pending");
	if (json_is_array(instances)) {
		profiles = json_array();
		json_array_foreach(instances, i, inst) {
			const char *p = jstr(inst, "profile");
			json_array_append_new(profiles, json_string(p ? p : ""));
		}
	}
	rt_put(rt, "partitions.profiles", profiles, nf_why(dev, "mig.instances"));
}

json_t *nvml_describe(const json_t *section, const json_t *dev)
{
	json_t *rt = json_object(), *unavailable;
	bool lost;

	jset_str(rt, "backend", "nvml");
	describe_identity(rt, dev);
	describe_compute(rt, dev);
	describe_operation_mode(rt, dev);
	copy(rt, dev, "drained", "drain_state");
	copy(rt, section, "confidential_computing.on", "confidential_computing.feature");
	copy(rt, section, "confidential_computing.ready", "confidential_computing.gpus_ready");
	rt_put(rt, "lost", json_boolean(jbool(dev, "lost", &lost) && lost), NULL);
	copy(rt, dev, "power_mw.enforced_limit", "power_mw.enforced_limit");
	copy(rt, dev, "power_mw.requested_limit", "power_mw.limit");
	copy(rt, dev, "power_mw.default_limit", "power_mw.default_limit");
	copy(rt, dev, "clocks_mhz.compute.set", "clocks_mhz.sm.application");
	copy(rt, dev, "clocks_mhz.compute.default", "clocks_mhz.sm.default_application");
	copy(rt, dev, "clocks_mhz.memory.set", "clocks_mhz.memory.application");
	copy(rt, dev, "clocks_mhz.memory.default", "clocks_mhz.memory.default_application");
	describe_slowdown(rt, dev);
	copy(rt, dev, "memory.repair_failed", "row_remapping.failure");
	copy(rt, dev, "memory.repair_pending", "row_remapping.pending");
	copy(rt, dev, "memory.retirement_pending", "retired_pages.pending");
	copy(rt, dev, "memory.uncorrectable_errors", "ecc.volatile.uncorrected");
	describe_virtualization(rt, dev);
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

/* The NVML members shown as evidence of each concern. */
static const char *const *const evidence_paths[RT_CONCERN_COUNT] = {
	[RT_COMPUTE] = (const char *const[]){ "compute_mode", NULL },
	[RT_OPERATION_MODE] = (const char *const[]){ "gpu_operation_mode.current", "gpu_operation_mode.pending", NULL },
	[RT_DRAIN] = (const char *const[]){ "drain_state", NULL },
	[RT_POWER] = (const char *const[]){ "power_mw.enforced_limit", "power_mw.limit", "power_mw.default_limit",
					     "power_mw.min_limit", "power_mw.max_limit", "power_mw.draw", NULL },
	[RT_CLOCKS] = (const char *const[]){ "clocks_mhz.sm.application", "clocks_mhz.sm.default_application",
					      "clocks_mhz.sm.max", "clocks_mhz.memory.application",
					      "clocks_mhz.memory.default_application", "clocks_mhz.memory.max",
					      "clock_event_reasons.current", NULL },
	[RT_SLOWDOWN] = (const char *const[]){ "clock_event_reasons.current", "clock_event_reasons.active",
					       "power_mw.draw", "power_mw.enforced_limit", "temperature_c",
					       "violations_ns.power", "violations_ns.thermal", "violations_ns.board_limit",
					       "violations_ns.reliability", NULL },
	[RT_MEMORY] = (const char *const[]){ "row_remapping.failure", "row_remapping.pending",
					      "row_remapping.uncorrectable", "row_remapping.correctable",
					      "retired_pages.pending", "retired_pages.double_bit_ecc",
					      "retired_pages.single_bit_ecc", "ecc.current", "ecc.volatile.uncorrected",
					      "ecc.aggregate.uncorrected", NULL },
	[RT_VIRTUALIZATION] = (const char *const[]){ "virtualization_mode", "vgpu_license.supported",
						     "vgpu_license.features", NULL },
	[RT_PARTITIONS] = (const char *const[]){ "mig.current", "mig.pending", "mig.instances", NULL },
};

/* The value at each path (null when unknown) and why unknown. */
static json_t *paths_evidence(const json_t *dev, const char *const *paths)
{
	json_t *ev = json_object(), *why = json_object();

	for (; *paths; paths++) {
		const json_t *v = nf_get(dev, *paths);
		json_object_set_new(ev, *paths, v ? json_deep_copy(v) : json_null());
		if (v == NULL)
			json_object_set_new(why, *paths, json_string(nf_why(dev, *paths)));
	}
	if (json_object_size(why) > 0)
		json_object_set_new(ev, "unavailable", why);
	else
		json_decref(why);
	return ev;
}

json_t *nvml_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev)
{
	if (concern == RT_CONFIDENTIAL_COMPUTING) {
		const json_t *cc = jobj(section, "confidential_computing");
		return json_pack("{s:O?, s:O?, s:O?, s:b}", "feature", json_object_get(cc, "feature"), "environment",
				 json_object_get(cc, "environment"), "gpus_ready", json_object_get(cc, "gpus_ready"),
				 "attestation_report_kept", nf_get(dev, "confidential_computing.attestation.report") != NULL);
	}
	if (concern < RT_CONCERN_COUNT && evidence_paths[concern])
		return paths_evidence(dev, evidence_paths[concern]);
	return NULL;
}

const char *const nvml_remedies[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] =
		"Compare `" SMI " -q -i %s` (Product Name, PCI Device Id, Sub System Id) with `lspci -nn -v -s %s`: the "
		"driver and the PCI configuration space disagree about what this GPU is, which a modified VBIOS, a "
		"modified driver or a relabelled board would explain.",
	[RT_COMPUTE] =
		"Compute mode is set by root with `" SMI " -i %s -c PROHIBITED` (NVML nvmlDeviceSetComputeMode) and stays "
		"until it is set back or the driver reloads. Inspect with `" SMI " -q -d COMPUTE -i %s`; clear with `" SMI
		" -i %s -c DEFAULT`.",
	[RT_OPERATION_MODE] =
		"The GPU operation mode is set by root with `" SMI " -i %s --gom=ALL_ON` (NVML "
		"nvmlDeviceSetGpuOperationMode) and takes effect at the next reboot. Inspect with `" SMI " -q -i %s | grep "
		"-A2 'GPU Operation Mode'`; find who changed it.",
	[RT_DRAIN] =
		"Drain is set by root with `" SMI " drain -p %s -m 1` (before removing or servicing a GPU). Inspect with `" SMI
		" drain -p %s -q`; clear with `" SMI " drain -p %s -m 0`.",
	[RT_CONFIDENTIAL_COMPUTING] =
		"With confidential computing on, the GPUs accept client work only once they are set ready, after the "
		"attestation report has been verified (NVIDIA's verifier, or `chipaudit` facts kept for one). Inspect with `"
		SMI " conf-compute -grs`; set ready with `" SMI " conf-compute -srs 1` after verification (%s).",
	[RT_LOST] =
		"Check `" SMI " -q -i %s` and the kernel log (`dmesg -T | grep -i -e xid -e NVRM`). A GPU that fell off the "
		"bus needs a reset (`" SMI " -r -i %s`) or a power cycle; if it recurs, reseat or replace it.",
	[RT_POWER] =
		"Inspect with `" SMI " -q -d POWER -i %s` (Requested, Default and Enforced Power Limit). An administrator sets "
		"the requested limit with `" SMI " -i %s -pl WATTS` (restore the default the same way); an enforced limit "
		"below the requested one comes from outside the driver's power management (the system's BMC or Redfish "
		"power capping, or the board's power brake): check the BMC.",
	[RT_CLOCKS] =
		"Inspect with `" SMI " -q -d CLOCK,PERFORMANCE -i %s`. Application clocks are set by root with `" SMI
		" -i %s -ac MEM,GRAPHICS` and locked clocks with `-lgc`/`-lmc`; reset them with `" SMI " -i %s -rac` (and "
		"`-rgc`, `-rmc`).",
	[RT_SLOWDOWN] =
		"Inspect with `" SMI " -q -d PERFORMANCE,POWER,TEMPERATURE -i %s` (Clocks Event Reasons). HW slowdown or a "
		"power brake with no thermal cause is asserted from outside the GPU (the system's power supply or BMC "
		"through the power-brake signal): read the BMC's event log (`ipmitool sel list`).",
	[RT_MEMORY] =
		"Inspect with `" SMI " -q -d ROW_REMAPPER,PAGE_RETIREMENT,ECC -i %s`. A pending remap or retirement takes "
		"effect at the next GPU reset (`" SMI " -r -i %s`, with nothing running on it) or reboot; a remapping failure "
		"means the memory has no spare rows left: the board needs replacing.",
	[RT_VIRTUALIZATION] =
		"Inspect with `" SMI " -q -i %s | grep -i -A3 license`. A vGPU guest takes its license from the NVIDIA License "
		"System through nvidia-gridd (/etc/nvidia/gridd.conf and the client configuration token): check `systemctl "
		"status nvidia-gridd` and its log.",
	[RT_PARTITIONS] =
		"Inspect with `" SMI " mig -lgi -i %s` and `" SMI " mig -lci -i %s`. MIG is turned on by root with `" SMI
		" -i %s -mig 1` and instances made with `" SMI " mig -cgi`; if this layout is intended, state it with "
		"--expect-mig FILE (docs/killswitch.md).",
};
