/* Vendor libraries (src/vendor/): the facts section each backend writes, and
 * its join to the accelerators found on the PCI bus.
 *
 * Live, the backend loads its library (NVML) and describes every GPU; under
 * --root the live library is never consulted: the section is read back from
 * the file `chipaudit snapshot` captured into the tree (NVML_CAPTURE_PATH),
 * validated as hostile input. Each GPU's facts are then joined to the
 * accelerator with the same PCI address (accelerators[i].nvml). A GPU that
 * NVML reports but the PCI bus in sysfs does not show (a container, a
 * sandboxed runtime) is still listed and audited, with seen_through "nvml". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "probe/facts.h"
#include "core/json.h"
#include "core/pcinames.h"
#include "core/util.h"
#include "probe/probe.h"
#include "vendor/nvml_facts.h"
#include "vendor/vendor.h"

static json_t *not_captured(const char *reason)
{
	return json_pack("{s:b, s:n, s:s, s:[]}", "available", false, "library", "reason", reason, "devices");
}

/* The section from the capture in a --root tree: NULL when the probe failed. */
static json_t *read_capture(struct probe_ctx *ctx, const struct vendor_backend *b)
{
	const char *path = b->capture_path;
	char *data = NULL, err[512], *reason;
	size_t len;
	json_t *section;

	if (sysroot_read_file_max(ctx->sysroot, path, NVML_CAPTURE_MAX, &data, &len) != 0) {
		if (errno == ENOENT)
			return not_captured("NVML's answers are not in the captured tree (" NVML_CAPTURE_PATH
					    "): take the snapshot with `chipaudit snapshot` on the machine");
		reason = xasprintf("%s: %s", path, sysroot_strerror(ctx->sysroot, errno));
		section = not_captured(reason);
		free(reason);
		return section;
	}
	section = json_parse_strict(data, len, path, err, sizeof(err));
	free(data);
	if (section == NULL) {
		probe_fail(ctx, "%s", err);
		return NULL;
	}
	if (b->validate_capture(section, b->name, err, sizeof(err)) != 0) {
		probe_fail(ctx, "%s: %s", path, err);
		json_decref(section);
		return NULL;
	}
	return section;
}

static json_t *live_section(struct probe_ctx *ctx, const struct vendor_backend *b)
{
	struct vendor_ctx vctx = { .library = ctx->options->nvml_library };
	json_t *section = b->gather(&vctx);
	struct recorder *rec = ctx->sysroot->recorder;

	/* A snapshot keeps what the library said, for --root to read back. */
	if (rec) {
		char *text = json_to_text(section, true);
		recorder_add_file(rec, b->capture_path, text, strlen(text));
		free(text);
	}
	return section;
}

/* An accelerator entry for a GPU the PCI bus does not show, with the
 * identity NVML gives and null for what only sysfs knows. */
static json_t *nvml_only_accelerator(struct probe_ctx *ctx, const struct vendor_backend *b, const json_t *dev)
{
	json_t *acc = json_object();
	const char *vid = nf_str(dev, "pci.vendor_id"), *did = nf_str(dev, "pci.device_id");
	uint32_t vendor = b->pci_vendor_id, device = 0;
	const struct accel_model *m;
	const struct accel_vendor *v;
	char *pci_name;
	/* Unknown without sysfs; upstream_bridges is left out (the report schema
	 * has it as an array of what is known). */
	static const char *const nulls[] = {
		"class", "prog_if", "revision", "driver", "numa_node", "link", "iommu_group", "bars", "sriov_bars",
		"expansion_rom", "sriov", "physical_function", "sysfs_path", "functions",
	};

	if (vid)
		parse_hex_u32(vid, 0xffff, &vendor);
	if (did)
		parse_hex_u32(did, 0xffff, &device);
	m = accdb_by_pci(ctx->accdb, (uint16_t)vendor, (uint16_t)device);
	v = accdb_vendor(ctx->accdb, (uint16_t)vendor);
	pci_name = pcinames_device((uint16_t)vendor, (uint16_t)device);
	jset_str(acc, "pci_address", jstr(dev, "pci_address"));
	jset_str(acc, "vendor_id", vid ? vid : "10de");
	jset_str(acc, "device_id", did ? did : "0000");
	jset_str(acc, "subsystem_vendor_id", nf_str(dev, "pci.subsystem_vendor_id"));
	jset_str(acc, "subsystem_device_id", nf_str(dev, "pci.subsystem_device_id"));
	jset_str(acc, "vendor", v ? v->name : b->vendor);
	jset_str(acc, "model", m ? m->name : NULL);
	jset_str(acc, "pci_name", pci_name);
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		jset(acc, nulls[i], NULL);
	jset_str(acc, "seen_through", b->name);
	free(pci_name);
	return acc;
}

static bool has_vendor_accelerator(const json_t *accs, uint16_t vendor)
{
	char id[8];
	size_t i;
	json_t *acc;

	snprintf(id, sizeof(id), "%04x", vendor);
	json_array_foreach(accs, i, acc)
		if (strcmp(jstr(acc, "vendor_id"), id) == 0)
			return true;
	return false;
}

/* Move each device into its accelerator; the section keeps the addresses. */
static void join(struct probe_ctx *ctx, const struct vendor_backend *b, json_t *section)
{
	json_t *accs = jarr(ctx->facts, "accelerators"), *devices = jarr(section, "devices");
	json_t *gpus = json_array(), *dev;
	size_t i;

	json_array_foreach(devices, i, dev) {
		const char *addr = jstr(dev, "pci_address");
		json_t *acc = accelerator_by_address(accs, addr);
		if (acc == NULL) {
			acc = nvml_only_accelerator(ctx, b, dev);
			json_array_append_new(accs, acc);
			probe_limitation(ctx, addr,
					 "seen through %s only: the PCI bus in sysfs does not show this GPU (a container or "
					 "sandboxed runtime); what only sysfs tells (BARs, IOMMU group, link) is unknown",
					 b->name);
		}
		json_object_set(acc, b->name, dev);
		json_array_append_new(gpus, json_string(addr));
	}
	json_object_del(section, "devices");
	json_object_set_new(section, "gpus", gpus);
}

int probe_nvml(struct probe_ctx *ctx)
{
	const struct vendor_backend *b = &nvml_backend;
	json_t *section, *accs = jarr(ctx->facts, "accelerators");

	if (accs == NULL)
		return -1;
	section = sysroot_is_live(ctx->sysroot) ? live_section(ctx, b) : read_capture(ctx, b);
	if (section == NULL)
		return -1;
	if (!json_is_true(json_object_get(section, "available"))) {
		const char *lib = jstr(section, "library"), *why = jstr(section, "reason");
		if (has_vendor_accelerator(accs, b->pci_vendor_id))
			probe_limitation(ctx, b->name, "%s%s%s; the kill-switch checks cannot examine the %s GPUs",
					 lib ? lib : "", lib ? ": " : "", why ? why : "not available", b->vendor);
	}
	join(ctx, b, section);
	json_object_set_new(ctx->facts, b->name, section);
	return 0;
}

int validate_nvml(const json_t *section, const json_t *facts, char *err, size_t errlen)
{
	const json_t *gpus = json_object_get(section, "gpus"), *accs = json_object_get(facts, "accelerators");
	size_t i, listed = 0;
	json_t *v, *acc;

	if (nvml_validate_system(section, "nvml", err, errlen) ||
	    jv_string_array(section, "gpus", JV_REQUIRED, 32, "nvml", err, errlen))
		return -1;
	json_array_foreach(gpus, i, v) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(gpus, j)), json_string_value(v)) == 0) {
				snprintf(err, errlen, "nvml.gpus[%zu]: %.40s listed twice", i, json_string_value(v));
				return -1;
			}
		}
		acc = accelerator_by_address(accs, json_string_value(v));
		if (acc == NULL || !json_is_object(json_object_get(acc, "nvml"))) {
			snprintf(err, errlen, "nvml.gpus[%zu]: %.40s is not an accelerator with NVML facts", i,
				 json_string_value(v));
			return -1;
		}
	}
	json_array_foreach(accs, i, acc) {
		const json_t *dev = json_object_get(acc, "nvml");
		char where[64];
		if (dev == NULL)
			continue;
		snprintf(where, sizeof(where), "accelerators[%zu].nvml", i);
		if (nvml_validate_device(dev, where, err, errlen))
			return -1;
		if (strcmp(jstr(dev, "pci_address"), jstr(acc, "pci_address")) != 0) {
			snprintf(err, errlen, "%s.pci_address: %s is not the accelerator's address", where,
				 jstr(dev, "pci_address"));
			return -1;
		}
		listed++;
	}
	if (listed != json_array_size(gpus)) {
		snprintf(err, errlen, "nvml.gpus: lists %zu GPUs, the accelerators carry NVML facts for %zu",
			 json_array_size(gpus), listed);
		return -1;
	}
	return 0;
}
