/* Vendor libraries (src/vendor/): the facts section each backend writes, and
 * its join to the accelerators found on the PCI bus.
 *
 * Live, each backend loads its library (NVML, ...) and describes every
 * device; under --root the live library is never consulted: the section is
 * read back from the file `chipaudit snapshot` captured into the tree (the
 * backend's capture_path), validated as hostile input. Each device's values
 * are then joined to the accelerator with the same PCI address, as
 * accelerators[i].vendor_library.NAME, beside the vendor-neutral record the checks
 * read (accelerators[i].runtime, vendor/runtime.h). A device the library
 * reports but the PCI bus in sysfs does not show (a container, a sandboxed
 * runtime) is still listed and audited, with seen_through NAME. */
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

	if (sysroot_read_file_max(ctx->sysroot, path, VENDOR_CAPTURE_MAX, &data, &len) != 0) {
		if (errno == ENOENT) {
			reason = xasprintf("%s's answers are not in the captured tree (%s): take the snapshot with "
					   "`chipaudit snapshot` on the machine", b->library_label, path);
			section = not_captured(reason);
			free(reason);
			return section;
		}
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
	struct vendor_ctx vctx = { .library = probe_vendor_library(ctx->options, b->name) };
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

/* An accelerator entry for a device the PCI bus does not show, with the
 * identity the library gives (RT, its neutral record) and null for what only
 * sysfs knows. */
static json_t *library_only_accelerator(struct probe_ctx *ctx, const struct vendor_backend *b, const char *addr,
					const json_t *rt)
{
	json_t *acc = json_object();
	const char *vid = rt_str(rt, "identity.vendor_id"), *did = rt_str(rt, "identity.device_id");
	uint32_t vendor = b->pci_vendor_id, device = 0;
	const struct accel_model *m;
	const struct accel_vendor *v;
	char *pci_name, fallback_vid[8];
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
	jset_str(acc, "pci_address", addr);
	if (vid == NULL)
		snprintf(fallback_vid, sizeof(fallback_vid), "%04x", b->pci_vendor_id);
	jset_str(acc, "vendor_id", vid ? vid : fallback_vid);
	jset_str(acc, "device_id", did ? did : "0000");
	jset_str(acc, "subsystem_vendor_id", rt_str(rt, "identity.subsystem_vendor_id"));
	jset_str(acc, "subsystem_device_id", rt_str(rt, "identity.subsystem_device_id"));
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

/* ACC's values from backend B, and RT, the neutral record made of them. */
static void vendor_attach(json_t *acc, const struct vendor_backend *b, json_t *dev, json_t *rt)
{
	json_t *values = jobj(acc, VENDOR_VALUES_MEMBER);

	if (values == NULL) {
		values = json_object();
		json_object_set_new(acc, VENDOR_VALUES_MEMBER, values);
	}
	json_object_set(values, b->name, dev);
	json_object_set_new(acc, "runtime", rt);
}

/* Move each device into its accelerator; the section keeps the addresses. */
static void join(struct probe_ctx *ctx, const struct vendor_backend *b, json_t *section)
{
	json_t *accs = jarr(ctx->facts, "accelerators"), *devices = jarr(section, "devices");
	json_t *gpus = json_array(), *dev;
	size_t i;

	json_array_foreach(devices, i, dev) {
		const char *addr = jstr(dev, "pci_address");
		json_t *acc = accelerator_by_address(accs, addr), *rt = b->describe(section, dev);
		if (acc == NULL) {
			acc = library_only_accelerator(ctx, b, addr, rt);
			json_array_append_new(accs, acc);
			probe_limitation(ctx, addr,
					 "seen through %s only: the PCI bus in sysfs does not show this GPU (a container or "
					 "sandboxed runtime); what only sysfs tells (BARs, IOMMU group, link) is unknown",
					 b->name);
		}
		vendor_attach(acc, b, dev, rt);
		json_array_append_new(gpus, json_string(addr));
	}
	json_object_del(section, "devices");
	json_object_set_new(section, "gpus", gpus);
}

static int probe_backend(struct probe_ctx *ctx, const struct vendor_backend *b)
{
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

int probe_vendors(struct probe_ctx *ctx)
{
	for (size_t i = 0; i < vendor_backend_count; i++)
		if (probe_backend(ctx, vendor_backends[i]) != 0)
			return -1;
	return 0;
}

/* One accelerator's values from B: valid, and at its address. */
static int validate_device(const struct vendor_backend *b, const json_t *acc, size_t i, char *err, size_t errlen)
{
	const json_t *dev = vendor_values(acc, b);
	char where[64];

	snprintf(where, sizeof(where), "accelerators[%zu]." VENDOR_VALUES_MEMBER ".%s", i, b->name);
	if (b->validate_device(dev, where, err, errlen))
		return -1;
	if (strcmp(jstr(dev, "pci_address"), jstr(acc, "pci_address")) != 0) {
		snprintf(err, errlen, "%s.pci_address: %s is not the accelerator's address", where, jstr(dev, "pci_address"));
		return -1;
	}
	return 0;
}

static int validate_backend(const struct vendor_backend *b, const json_t *section, const json_t *facts, char *err,
			    size_t errlen)
{
	const json_t *gpus = json_object_get(section, "gpus"), *accs = json_object_get(facts, "accelerators");
	size_t i, listed = 0;
	json_t *v, *acc;

	if (b->validate_system(section, b->name, err, errlen) ||
	    jv_string_array(section, "gpus", JV_REQUIRED, 32, b->name, err, errlen))
		return -1;
	json_array_foreach(gpus, i, v) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(gpus, j)), json_string_value(v)) == 0) {
				snprintf(err, errlen, "%s.gpus[%zu]: %.40s listed twice", b->name, i, json_string_value(v));
				return -1;
			}
		}
		acc = accelerator_by_address(accs, json_string_value(v));
		if (acc == NULL || !json_is_object(vendor_values(acc, b))) {
			snprintf(err, errlen, "%s.gpus[%zu]: %.40s is not an accelerator with %s facts", b->name, i,
				 json_string_value(v), b->library_label);
			return -1;
		}
	}
	json_array_foreach(accs, i, acc) {
		if (vendor_values(acc, b) == NULL)
			continue;
		if (validate_device(b, acc, i, err, errlen))
			return -1;
		listed++;
	}
	if (listed != json_array_size(gpus)) {
		snprintf(err, errlen, "%s.gpus: lists %zu GPUs, the accelerators carry %s facts for %zu", b->name,
			 json_array_size(gpus), b->library_label, listed);
		return -1;
	}
	return 0;
}

/* accelerators[].vendor names backends, each with its section; runtime
 * comes with them and only with them. */
static int validate_attachments(const json_t *facts, char *err, size_t errlen)
{
	size_t i;
	json_t *acc;

	json_array_foreach(json_object_get(facts, "accelerators"), i, acc) {
		const json_t *values = json_object_get(acc, VENDOR_VALUES_MEMBER);
		const char *name;
		json_t *v;
		if (values && !json_is_object(values)) {
			snprintf(err, errlen, "accelerators[%zu]." VENDOR_VALUES_MEMBER ": expected an object", i);
			return -1;
		}
		json_object_foreach((json_t *)values, name, v) {
			const struct vendor_backend *b = vendor_backend_named(name);
			if (b == NULL || json_object_get(facts, b->name) == NULL) {
				snprintf(err, errlen, "accelerators[%zu]." VENDOR_VALUES_MEMBER ".%.40s: %s", i, name,
					 b ? "its section is missing" : "not a vendor library this build knows");
				return -1;
			}
		}
		if ((json_object_size(values) > 0) != (json_object_get(acc, "runtime") != NULL)) {
			snprintf(err, errlen, "accelerators[%zu].runtime: %s", i,
				 json_object_size(values) > 0 ? "missing" : "without the vendor values it is made of");
			return -1;
		}
		if (json_object_size(values) > 1) {
			snprintf(err, errlen, "accelerators[%zu]." VENDOR_VALUES_MEMBER ": more than one vendor library describes it", i);
			return -1;
		}
	}
	return 0;
}

int validate_vendors(const json_t *section, const json_t *facts, char *err, size_t errlen)
{
	(void)section;
	if (validate_attachments(facts, err, errlen))
		return -1;
	for (size_t i = 0; i < vendor_backend_count; i++) {
		const struct vendor_backend *b = vendor_backends[i];
		const json_t *s = json_object_get(facts, b->name);
		if (s && validate_backend(b, s, facts, err, errlen))
			return -1;
	}
	return 0;
}

/* " nvml amdsmi ...": the backends' names, for messages. */
static const char *vendor_names(void)
{
	static char names[128];
	size_t o = 0;

	for (size_t i = 0; i < vendor_backend_count && o < sizeof(names); i++)
		o += (size_t)snprintf(names + o, sizeof(names) - o, " %s", vendor_backends[i]->name);
	return names;
}

const char *probe_vendor_library(const struct probe_options *opts, const char *name)
{
	for (size_t i = 0; opts && i < vendor_backend_count && i < PROBE_VENDOR_LIBRARIES_MAX; i++)
		if (strcmp(vendor_backends[i]->name, name) == 0)
			return opts->vendor_library[i];
	return NULL;
}

/* Set backend NAME (its first LEN bytes)'s library to PATH: 0, or -1 when
 * NAME is no backend. */
static int library_put(struct probe_options *opts, const char *name, size_t len, const char *path)
{
	for (size_t i = 0; i < vendor_backend_count && i < PROBE_VENDOR_LIBRARIES_MAX; i++) {
		if (strlen(vendor_backends[i]->name) == len && strncmp(vendor_backends[i]->name, name, len) == 0) {
			opts->vendor_library[i] = path;
			return 0;
		}
	}
	return -1;
}

int probe_vendor_library_set(struct probe_options *opts, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');

	if (eq && eq[1] == '\0') {
		snprintf(err, errlen, "--vendor-library %.60s: the library's path is empty", spec);
		return -1;
	}
	if (eq == NULL || library_put(opts, spec, (size_t)(eq - spec), eq + 1) != 0) {
		snprintf(err, errlen, "--vendor-library %.60s: expected NAME=PATH with NAME one of:%s", spec, vendor_names());
		return -1;
	}
	return 0;
}

int probe_nvml_library_set(struct probe_options *opts, const char *path, char *err, size_t errlen)
{
	if (*path == '\0') {
		snprintf(err, errlen, "--nvml-library: the library's path is empty");
		return -1;
	}
	return library_put(opts, "nvml", 4, path);
}

/* Schema 1 kept backend B's values at ACC[B->name]: move them where schema 2
 * keeps them. True when there was something to move. */
static bool move_v1_values(json_t *acc, const struct vendor_backend *b)
{
	json_t *dev = json_object_get(acc, b->name);

	if (!json_is_object(dev) || json_object_get(acc, VENDOR_VALUES_MEMBER) != NULL)
		return false;
	json_incref(dev);
	json_object_del(acc, b->name);
	vendor_attach(acc, b, dev, json_object());
	json_decref(dev);
	return true;
}

void vendor_records_rebuild(json_t *facts, bool from_v1)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(facts, "accelerators"), i, acc) {
		for (size_t k = 0; k < vendor_backend_count; k++) {
			const struct vendor_backend *b = vendor_backends[k];
			json_t *dev;
			if (from_v1)
				move_v1_values(acc, b);
			dev = (json_t *)vendor_values(acc, b);
			if (json_is_object(dev))
				json_object_set_new(acc, "runtime", b->describe(jobj(facts, b->name), dev));
		}
	}
}

void vendor_values_upgrade(json_t *doc)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(doc, "accelerators"), i, acc)
		for (size_t k = 0; k < vendor_backend_count; k++)
			if (move_v1_values(acc, vendor_backends[k]))
				json_object_set_new(acc, "runtime", vendor_backends[k]->describe(jobj(doc, vendor_backends[k]->name),
												   vendor_values(acc, vendor_backends[k])));
}
