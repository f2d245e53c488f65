/* HLML's values in the vendor-neutral record (runtime.h), the values that
 * evidence each concern, and the hl-smi commands that inspect and clear
 * them. hl-smi names a device by its PCI address (-i BUS_ID) or by its
 * index; both are in every finding. */
#include "vendor/hlml_runtime.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/hlml_facts.h"

#define SMI "hl-smi"
#define NOT_EXPOSED "not exposed by HLML"

/* Copy HLML's member SRC to the record's PATH, or null with HLML's reason. */
static void copy(json_t *rt, const json_t *dev, const char *path, const char *src)
{
	const json_t *v = hf_get(dev, src);

	rt_put(rt, path, v ? json_deep_copy(v) : NULL, hf_why(dev, src));
}

/* HLML's two throttle reasons: the firmware holds the clocks down for its
 * power limit, or for temperature. */
static void describe_slowdown(json_t *rt, const json_t *dev)
{
	bool power, thermal;
	json_t *list;

	if (!hf_bool(dev, "throttle.power", &power) || !hf_bool(dev, "throttle.thermal", &thermal)) {
		rt_put(rt, "slowdown", NULL, hf_why(dev, hf_get(dev, "throttle.power") ? "throttle.thermal" : "throttle.power"));
		return;
	}
	list = json_array();
	if (power)
		json_array_append_new(list, json_string(RT_SLOW_SOFTWARE_POWER_CAP));
	if (thermal)
		json_array_append_new(list, json_string(RT_SLOW_SOFTWARE_THERMAL));
	rt_put(rt, "slowdown", list, NULL);
}

/* The record's members HLML has no call for, and why. */
static const char *const not_exposed[][2] = {
	{ "identity.subsystem_vendor_id", NOT_EXPOSED " (hlml_pci_info has the vendor and device IDs only)" },
	{ "identity.subsystem_device_id", NOT_EXPOSED " (hlml_pci_info has the vendor and device IDs only)" },
	{ "compute.gate", NOT_EXPOSED " (no compute mode)" },
	{ "compute.mode", NOT_EXPOSED " (no compute mode)" },
	{ "operation_mode.current", NOT_EXPOSED " (no operation mode)" },
	{ "operation_mode.pending", NOT_EXPOSED " (no operation mode)" },
	{ "drained", NOT_EXPOSED " (no drain state)" },
	{ "confidential_computing.on", NOT_EXPOSED " (no confidential computing state)" },
	{ "confidential_computing.ready", NOT_EXPOSED " (no confidential computing state)" },
	{ "power_mw.enforced_limit", NOT_EXPOSED " (it reports the draw and the default limit, not the limit in force)" },
	{ "power_mw.requested_limit", NOT_EXPOSED " (it reports the draw and the default limit, not the limit in force)" },
	{ "clocks_mhz.compute.set", NOT_EXPOSED " (it reports the SoC's current and maximum clocks, no clock set for "
				    "applications)" },
	{ "clocks_mhz.compute.default", NOT_EXPOSED " (it reports the SoC's current and maximum clocks, no clock set "
					"for applications)" },
	{ "clocks_mhz.memory.set", NOT_EXPOSED " (no memory clock)" },
	{ "clocks_mhz.memory.default", NOT_EXPOSED " (no memory clock)" },
	{ "memory.repair_failed", NOT_EXPOSED " (it reports replaced rows and pending replacement, no failed repair)" },
	{ "memory.retirement_pending", NOT_EXPOSED " (HBM rows are replaced, not pages retired)" },
	{ "virtualization.mode", NOT_EXPOSED " (no virtualization mode)" },
	{ "virtualization.guest", NOT_EXPOSED " (no virtualization mode)" },
	{ "virtualization.licensed", NOT_EXPOSED " (no licence state)" },
	{ "partitions.on", NOT_EXPOSED " (no partitions)" },
	{ "partitions.pending", NOT_EXPOSED " (no partitions)" },
	{ "partitions.profiles", NOT_EXPOSED " (no partitions)" },
};

json_t *hlml_describe(const json_t *section, const json_t *dev)
{
	json_t *rt = json_object(), *unavailable;
	bool lost;

	(void)section;
	jset_str(rt, "backend", "hlml");
	copy(rt, dev, "identity.name", "name");
	copy(rt, dev, "identity.uuid", "uuid");
	copy(rt, dev, "identity.serial", "serial");
	copy(rt, dev, "identity.vendor_id", "pci.vendor_id");
	copy(rt, dev, "identity.device_id", "pci.device_id");
	rt_put(rt, "lost", json_boolean(jbool(dev, "lost", &lost) && lost), NULL);
	copy(rt, dev, "power_mw.default_limit", "power_mw.default_limit");
	describe_slowdown(rt, dev);
	copy(rt, dev, "memory.uncorrectable_errors", "ecc.uncorrected.volatile");
	copy(rt, dev, "memory.repair_pending", "rows.pending");
	for (size_t i = 0; i < ARRAY_SIZE(not_exposed); i++)
		rt_put(rt, not_exposed[i][0], NULL, not_exposed[i][1]);
	/* the reasons last, after the members they explain */
	unavailable = json_object_get(rt, "unavailable");
	if (unavailable) {
		json_incref(unavailable);
		json_object_del(rt, "unavailable");
		json_object_set_new(rt, "unavailable", unavailable);
	}
	return rt;
}

/* The HLML members shown as evidence of each concern. */
static const char *const *const evidence_paths[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] = (const char *const[]){ "name", "pci.vendor_id", "pci.device_id", "serial", "uuid",
					       "firmware.fit_version", NULL },
	[RT_LOST] = (const char *const[]){ "name", "minor_number", NULL },
	[RT_POWER] = (const char *const[]){ "power_mw.draw", "power_mw.default_limit", NULL },
	[RT_CLOCKS] = (const char *const[]){ "clocks_mhz.soc.current", "clocks_mhz.soc.max", NULL },
	[RT_SLOWDOWN] = (const char *const[]){ "throttle.mask", "throttle.power", "throttle.thermal", "power_mw.draw",
					       "power_mw.default_limit", "temperature_c.aip", "clocks_mhz.soc.current",
					       "clocks_mhz.soc.max", NULL },
	[RT_MEMORY] = (const char *const[]){ "ecc.enabled", "ecc.uncorrected.volatile", "ecc.uncorrected.aggregate",
					      "ecc.corrected.volatile", "rows.replaced.double_bit",
					      "rows.replaced.single_bit", "rows.pending", NULL },
};

json_t *hlml_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev)
{
	const char *const *paths = concern < RT_CONCERN_COUNT ? evidence_paths[concern] : NULL;
	json_t *ev, *why;

	(void)section;
	if (paths == NULL)
		return NULL;
	ev = json_object();
	why = json_object();
	json_object_set_new(ev, "index", json_deep_copy(hf_get(dev, "index") ? hf_get(dev, "index") : json_null()));
	for (; *paths; paths++) {
		const json_t *v = hf_get(dev, *paths);
		json_object_set_new(ev, *paths, v ? json_deep_copy(v) : json_null());
		if (v == NULL)
			json_object_set_new(why, *paths, json_string(hf_why(dev, *paths)));
	}
	if (json_object_size(why) > 0)
		json_object_set_new(ev, "unavailable", why);
	else
		json_decref(why);
	return ev;
}

/* Concerns whose members HLML never gives cannot warn or fail: no remedy. */
const char *const hlml_remedies[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] =
		"Compare `" SMI " -q -i %s` (Product Name, Serial Number, Firmware FIT Version) with `lspci -nn -v -s` for "
		"the same address: the driver and the PCI configuration space disagree about what this Gaudi is, which "
		"modified firmware, a modified driver or a relabelled board would explain.",
	[RT_LOST] =
		"Check `" SMI " -q -i %s` and the kernel log (`dmesg -T | grep -i habanalabs`). A device HLML reports lost "
		"needs a reset (`" SMI " -r -i BUS_ID`, with nothing running on it) or a power cycle; if it recurs, reseat "
		"or replace the card.",
	[RT_SLOWDOWN] =
		"Inspect with `" SMI " -q -d PERFORMANCE,POWER,TEMPERATURE,CLOCK -i %s` (Clocks Throttle Reasons): a power "
		"reason means the firmware holds the clocks at its power limit, a thermal one that the device is too hot; "
		"check the cooling and the platform's power limits.",
	[RT_MEMORY] =
		"Inspect with `" SMI " -q -d ECC,ROW_REPLACEMENT -i %s` (uncorrectable ECC errors and replaced HBM rows). A "
		"pending row replacement takes effect at the device's next reset (`" SMI " -r -i BUS_ID`, with nothing "
		"running on it); uncorrectable errors that keep coming mean the HBM is failing: the card needs replacing.",
};
