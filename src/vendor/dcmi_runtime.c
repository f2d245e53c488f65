/* DCMI's values in the vendor-neutral record (runtime.h), the values that
 * evidence each concern, and the npu-smi commands that inspect and clear
 * them. npu-smi names a chip by NPU ID (-i, DCMI's card id) and chip id
 * (-c): both are in every finding's evidence. */
#include "vendor/dcmi_runtime.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/dcmi_facts.h"

#define SMI "npu-smi"
#define NOT_EXPOSED "not exposed by DCMI"

/* Copy DCMI's member SRC to the record's PATH, or null with DCMI's reason. */
static void copy(json_t *rt, const json_t *dev, const char *path, const char *src)
{
	const json_t *v = df_get(dev, src);

	rt_put(rt, path, v ? json_deep_copy(v) : NULL, df_why(dev, src));
}

/* "Ascend" and "910B3" -> "Ascend 910B3": the name npu-smi shows, with the
 * chip type as the vendor's product line. */
static json_t *chip_name(const json_t *dev)
{
	const char *type = df_str(dev, "chip.type"), *name = df_str(dev, "chip.name");
	char buf[80];

	if (name == NULL || *name == '\0')
		return NULL;
	if (type == NULL || *type == '\0' || strncmp(name, type, strlen(type)) == 0)
		return json_string(name);
	snprintf(buf, sizeof(buf), "%s %s", type, name);
	return json_string(buf);
}

static void describe_identity(json_t *rt, const json_t *dev)
{
	static const char *const map[][2] = {
		{ "identity.uuid", "vdie_id" },
		{ "identity.serial", "elabel.serial_number" },
		{ "identity.vendor_id", "pci.vendor_id" },
		{ "identity.device_id", "pci.device_id" },
		{ "identity.subsystem_vendor_id", "pci.subsystem_vendor_id" },
		{ "identity.subsystem_device_id", "pci.subsystem_device_id" },
	};
	const char *name = df_str(dev, "chip.name");

	rt_put(rt, "identity.name", chip_name(dev), name ? "empty chip name from the library" : df_why(dev, "chip.name"));
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		copy(rt, dev, map[i][0], map[i][1]);
}

/* Pages counted for isolation next: pending while either count is above 0. */
static void describe_retirement(json_t *rt, const json_t *dev)
{
	long long sbe, dbe;

	if (!df_int(dev, "ecc.next_isolated_pages.single_bit", &sbe)) {
		rt_put(rt, "memory.retirement_pending", NULL, df_why(dev, "ecc.next_isolated_pages.single_bit"));
		return;
	}
	if (!df_int(dev, "ecc.next_isolated_pages.double_bit", &dbe)) {
		rt_put(rt, "memory.retirement_pending", NULL, df_why(dev, "ecc.next_isolated_pages.double_bit"));
		return;
	}
	rt_put(rt, "memory.retirement_pending", json_boolean(sbe > 0 || dbe > 0), NULL);
}

static void describe_partitions(json_t *rt, const json_t *dev)
{
	const json_t *instances = df_get(dev, "vnpu.instances");
	json_t *profiles = NULL, *inst;
	long long count;
	size_t i;

	rt_put(rt, "partitions.on", df_int(dev, "vnpu.count", &count) ? json_boolean(count > 0) : NULL,
	       df_why(dev, "vnpu.count"));
	rt_put(rt, "partitions.pending", NULL, NOT_EXPOSED " (vNPUs are made and destroyed at once)");
	if (json_is_array(instances)) {
		profiles = json_array();
		json_array_foreach(instances, i, inst) {
			const char *t = jstr(inst, "template");
			json_array_append_new(profiles, json_string(t ? t : ""));
		}
	}
	rt_put(rt, "partitions.profiles", profiles, df_why(dev, "vnpu.instances"));
}

/* The record's members DCMI has no call for, and why. */
static const char *const not_exposed[][2] = {
	{ "compute.gate", NOT_EXPOSED " (no compute mode)" },
	{ "compute.mode", NOT_EXPOSED " (no compute mode)" },
	{ "operation_mode.current", NOT_EXPOSED " (no operation mode)" },
	{ "operation_mode.pending", NOT_EXPOSED " (no operation mode)" },
	{ "drained", NOT_EXPOSED " (no drain state)" },
	{ "confidential_computing.on", NOT_EXPOSED " (no confidential computing state)" },
	{ "confidential_computing.ready", NOT_EXPOSED " (no confidential computing state)" },
	{ "power_mw.enforced_limit", NOT_EXPOSED " (it reports the power draw, no limit)" },
	{ "power_mw.requested_limit", NOT_EXPOSED " (it reports the power draw, no limit)" },
	{ "power_mw.default_limit", NOT_EXPOSED " (it reports the power draw, no limit)" },
	{ "clocks_mhz.compute.set", NOT_EXPOSED " (it reports the AI Core's current and rated frequencies, no clock set "
				    "for applications)" },
	{ "clocks_mhz.compute.default", NOT_EXPOSED " (it reports the AI Core's current and rated frequencies, no "
					"clock set for applications)" },
	{ "clocks_mhz.memory.set", NOT_EXPOSED " (it reports the HBM's current frequency, no clock set for "
				   "applications)" },
	{ "clocks_mhz.memory.default", NOT_EXPOSED " (it reports the HBM's current frequency, no clock set for "
				       "applications)" },
	{ "slowdown", NOT_EXPOSED " (no frequency-reduction reasons; its error codes are the device's black-box "
		      "codes, with no published mapping to slowdown causes)" },
	{ "memory.repair_failed", NOT_EXPOSED " (no row repair state)" },
	{ "memory.repair_pending", NOT_EXPOSED " (no row repair state)" },
	{ "virtualization.mode", NOT_EXPOSED " (no virtualization mode; vNPUs are partitions)" },
	{ "virtualization.guest", NOT_EXPOSED " (no virtualization mode; vNPUs are partitions)" },
	{ "virtualization.licensed", NOT_EXPOSED " (no licence state)" },
};

json_t *dcmi_describe(const json_t *section, const json_t *dev)
{
	json_t *rt = json_object(), *unavailable;
	bool lost;

	(void)section;
	jset_str(rt, "backend", "dcmi");
	describe_identity(rt, dev);
	rt_put(rt, "lost", json_boolean(jbool(dev, "lost", &lost) && lost), NULL);
	copy(rt, dev, "memory.uncorrectable_errors", "ecc.double_bit_errors");
	describe_retirement(rt, dev);
	describe_partitions(rt, dev);
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

/* The DCMI members shown as evidence of each concern, after the card and
 * chip ids npu-smi takes. */
static const char *const *const evidence_paths[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] = (const char *const[]){ "chip.type", "chip.name", "chip.npu_name", "pci.vendor_id", "pci.device_id",
					       "pci.subsystem_vendor_id", "pci.subsystem_device_id", NULL },
	[RT_LOST] = (const char *const[]){ "health", "error_codes", NULL },
	[RT_POWER] = (const char *const[]){ "power_mw.draw", NULL },
	[RT_CLOCKS] = (const char *const[]){ "clocks_mhz.aicore.current", "clocks_mhz.aicore.rated",
					      "clocks_mhz.hbm.current", NULL },
	[RT_SLOWDOWN] = (const char *const[]){ "health", "error_codes", "temperature_c", "power_mw.draw",
					       "clocks_mhz.aicore.current", "clocks_mhz.aicore.rated", NULL },
	[RT_MEMORY] = (const char *const[]){ "ecc.memory", "ecc.enabled", "ecc.double_bit_errors",
					      "ecc.total_double_bit_errors", "ecc.single_bit_errors",
					      "ecc.isolated_pages.double_bit", "ecc.isolated_pages.single_bit",
					      "ecc.next_isolated_pages.double_bit", "ecc.next_isolated_pages.single_bit",
					      NULL },
	[RT_PARTITIONS] = (const char *const[]){ "vnpu.count", "vnpu.instances", NULL },
};

json_t *dcmi_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev)
{
	const char *const *paths = concern < RT_CONCERN_COUNT ? evidence_paths[concern] : NULL;
	json_t *ev, *why;

	(void)section;
	if (paths == NULL)
		return NULL;
	ev = json_object();
	why = json_object();
	json_object_set_new(ev, "card_id", json_deep_copy(df_get(dev, "card_id") ? df_get(dev, "card_id") : json_null()));
	json_object_set_new(ev, "chip_id", json_deep_copy(df_get(dev, "chip_id") ? df_get(dev, "chip_id") : json_null()));
	for (; *paths; paths++) {
		const json_t *v = df_get(dev, *paths);
		json_object_set_new(ev, *paths, v ? json_deep_copy(v) : json_null());
		if (v == NULL)
			json_object_set_new(why, *paths, json_string(df_why(dev, *paths)));
	}
	if (json_object_size(why) > 0)
		json_object_set_new(ev, "unavailable", why);
	else
		json_decref(why);
	return ev;
}

/* "ID" and "CHIP" stand for the evidence's card_id and chip_id. Concerns
 * whose members DCMI never gives cannot warn or fail: no remedy. */
const char *const dcmi_remedies[RT_CONCERN_COUNT] = {
	[RT_IDENTITY] =
		"Compare `" SMI " info -t board -i ID -c CHIP` (ID, CHIP: the evidence's card_id and chip_id) with `lspci "
		"-nn -v -s %s`: the driver and the PCI configuration space disagree about what this NPU is, which modified "
		"firmware, a modified driver or a relabelled board would explain.",
	[RT_LOST] =
		"Check `" SMI " info -t health -i ID -c CHIP` (ID, CHIP: the evidence's card_id and chip_id; Health Status "
		"and Error Code) and the kernel log (`dmesg -T | grep -i -e davinci -e devdrv`) for %s. A chip DCMI "
		"reports absent needs a reset (`" SMI " set -t reset -i ID -c CHIP`) or a power cycle; if it recurs, reseat "
		"or replace the card.",
	[RT_MEMORY] =
		"Inspect with `" SMI " info -t ecc -i ID -c CHIP` (ID, CHIP: the evidence's card_id and chip_id; HBM ECC "
		"errors and isolated pages) for %s, and `" SMI " info -t health -i ID -c CHIP` for the error codes. Pages "
		"counted for isolation are isolated at the chip's next reset (`" SMI " set -t reset -i ID -c CHIP`, with "
		"nothing running on it) or reboot; multi-bit errors that keep coming mean the HBM is failing: the card "
		"needs replacing.",
	[RT_PARTITIONS] =
		"Inspect with `" SMI " info -t info-vnpu -i ID -c CHIP` (ID, CHIP: the evidence's card_id and chip_id) for "
		"%s. vNPUs are made by root with `" SMI " set -t create-vnpu -i ID -c CHIP -f TEMPLATE` and destroyed with "
		"`" SMI " set -t destroy-vnpu -i ID -c CHIP -v VNPU_ID`; if this layout is intended, state it with "
		"--expect-mig FILE, the templates as profiles (docs/killswitch.md).",
};
