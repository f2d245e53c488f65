/* Accelerator discovery from sysfs, vendor-neutral.
 *
 * Layout read (Documentation/ABI/testing/sysfs-bus-pci):
 *   /sys/bus/pci/devices/<bdf> -> ../../../devices/pci0000:00/.../<bdf>
 *   <bdf>/{vendor,device,class,revision,subsystem_vendor,subsystem_device}
 *   <bdf>/resource          one "0xstart 0xend 0xflags" line per resource
 *   <bdf>/driver            -> .../bus/pci/drivers/<name>
 *   <bdf>/iommu_group       -> .../kernel/iommu_groups/<n>
 *   <bdf>/{numa_node,current_link_speed,current_link_width,max_link_speed,max_link_width}
 *   <bdf>/{sriov_totalvfs,sriov_numvfs}, <bdf>/physfn, <bdf>/rom */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "core/json.h"
#include "core/pcinames.h"
#include "core/util.h"
#include "measure/measure.h"
#include "probe/probe.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

/* Linux resource flags (include/linux/ioport.h). */
#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_PREFETCH 0x00002000
#define IORESOURCE_MEM_64 0x00100000

#define PCI_ROM_RESOURCE 6
#define PCI_MAX_RESOURCES 17

struct pci_ids {
	uint16_t vendor, device, subsystem_vendor, subsystem_device;
	uint32_t class_code;
	uint8_t revision;
};

static char *dev_path(const char *bdf, const char *attr)
{
	return xasprintf("%s/%s/%s", PCI_DEVICES, bdf, attr);
}

/* Read a hex attribute ("0x10de"). 1: read, 0: absent, -1: malformed (probe failed). */
static int read_hex_attr(struct probe_ctx *ctx, const char *bdf, const char *attr, uint32_t max,
			 uint32_t *out)
{
	char *path = dev_path(bdf, attr), *line = NULL;
	int rc = 1;

	if (sysroot_read_line(ctx->sysroot, path, &line) != 0) {
		rc = 0;
		if (errno != ENOENT)
			probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
	} else if (!str_starts_with(line, "0x") || parse_hex_u32(line, max, out) != 0) {
		probe_fail(ctx, "%s: malformed value \"%.40s\", expected a hex number up to 0x%x",
			   path, line, max);
		rc = -1;
	}
	free(line);
	free(path);
	return rc;
}

/* Read a decimal attribute. 1 read, 0 absent or unreadable, -1 malformed. */
static int read_int_attr(struct probe_ctx *ctx, const char *bdf, const char *attr,
			 int64_t min, int64_t max, int64_t *out)
{
	char *path = dev_path(bdf, attr), *line = NULL;
	int rc = 1;

	if (sysroot_read_line(ctx->sysroot, path, &line) != 0) {
		rc = 0;
		if (errno != ENOENT)
			probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
	} else if (parse_i64(line, 10, out) != 0 || *out < min || *out > max) {
		probe_fail(ctx, "%s: malformed value \"%.40s\", expected an integer in [%" PRId64 ", %" PRId64 "]",
			   path, line, min, max);
		rc = -1;
	}
	free(line);
	free(path);
	return rc;
}

static int read_ids(struct probe_ctx *ctx, const char *bdf, struct pci_ids *ids)
{
	uint32_t v = 0;

	memset(ids, 0, sizeof(*ids));
	if (read_hex_attr(ctx, bdf, "vendor", 0xffff, &v) <= 0)
		goto missing;
	ids->vendor = (uint16_t)v;
	if (read_hex_attr(ctx, bdf, "device", 0xffff, &v) <= 0)
		goto missing;
	ids->device = (uint16_t)v;
	if (read_hex_attr(ctx, bdf, "class", 0xffffff, &v) <= 0)
		goto missing;
	ids->class_code = v;
	if (read_hex_attr(ctx, bdf, "revision", 0xff, &v) < 0)
		return -1;
	ids->revision = (uint8_t)v;
	if (read_hex_attr(ctx, bdf, "subsystem_vendor", 0xffff, &v) < 0)
		return -1;
	ids->subsystem_vendor = (uint16_t)v;
	if (read_hex_attr(ctx, bdf, "subsystem_device", 0xffff, &v) < 0)
		return -1;
	ids->subsystem_device = (uint16_t)v;
	return 0;
missing:
	if (!ctx->failed)
		probe_limitation(ctx, bdf, "PCI device without readable vendor, device and class: skipped");
	return -1;
}

static void set_hex(json_t *obj, const char *key, unsigned value, int digits)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%0*x", digits, value);
	jset_str(obj, key, buf);
}

/* One line of the resource file: three hex numbers. */
static int parse_resource_line(const char *line, uint64_t v[3])
{
	char tok[3][24];

	if (sscanf(line, "%23s %23s %23s", tok[0], tok[1], tok[2]) != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (!str_starts_with(tok[i], "0x") || parse_u64(tok[i], 16, &v[i]) != 0)
			return -1;
	/* an end before its start (both 0: unused), or a size past INT64_MAX */
	return v[1] < v[0] || v[1] - v[0] >= (uint64_t)INT64_MAX ? -1 : 0;
}

static json_t *bar_json(unsigned index, const uint64_t v[3])
{
	json_t *bar = json_object();
	jset_int(bar, "index", index);
	jset_int(bar, "size", (json_int_t)(v[1] - v[0] + 1));
	jset_str(bar, "kind", (v[2] & IORESOURCE_IO) ? "io" : "mem");
	jset_bool(bar, "prefetchable", (v[2] & IORESOURCE_PREFETCH) != 0);
	jset_bool(bar, "is_64bit", (v[2] & IORESOURCE_MEM_64) != 0);
	return bar;
}

/* BARs 0-5, the expansion ROM (6) and, on SR-IOV devices, VF BARs (7-12). */
static int add_resources(struct probe_ctx *ctx, const char *bdf, json_t *acc)
{
	char *path = dev_path(bdf, "resource"), *data = NULL, *save = NULL;
	json_t *bars = json_array(), *vf_bars = json_array(), *rom = json_object();
	unsigned index = 0;
	int rc = 0;

	jset_bool(rom, "present", false);
	jset(rom, "size", NULL);
	if (sysroot_read_file(ctx->sysroot, path, &data, NULL) != 0) {
		probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
		/* the ROM's presence is read from the same file: unknown, not absent */
		json_decref(bars);
		json_decref(vf_bars);
		json_decref(rom);
		bars = vf_bars = rom = NULL;
		goto out;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save), index++) {
		uint64_t v[3];
		if (index >= PCI_MAX_RESOURCES || parse_resource_line(line, v) != 0) {
			probe_fail(ctx, "%s: line %u: malformed resource \"%.60s\"", path, index + 1, line);
			rc = -1;
			break;
		}
		if (v[0] == 0 && v[1] == 0)
			continue;
		if (index < PCI_ROM_RESOURCE)
			json_array_append_new(bars, bar_json(index, v));
		else if (index == PCI_ROM_RESOURCE) {
			jset_bool(rom, "present", true);
			jset_int(rom, "size", (json_int_t)(v[1] - v[0] + 1));
		} else
			json_array_append_new(vf_bars, bar_json(index, v));
	}
	/* The rom attribute exists when the device has a ROM BAR even if unassigned. */
	{
		char *rom_path = dev_path(bdf, "rom");
		if (sysroot_exists(ctx->sysroot, rom_path))
			jset_bool(rom, "present", true);
		free(rom_path);
	}
out:
	jset(acc, "bars", bars);
	jset(acc, "expansion_rom", rom);
	jset(acc, "sriov_bars", vf_bars);
	free(data);
	free(path);
	return rc;
}

static void add_link_basename(struct probe_ctx *ctx, const char *bdf, const char *attr,
			      json_t *acc, const char *key)
{
	char *path = dev_path(bdf, attr), *name = NULL;

	if (sysroot_link_basename(ctx->sysroot, path, &name) == 0)
		jset_str(acc, key, name);
	else
		jset(acc, key, NULL);
	free(name);
	free(path);
}

static int add_iommu_group(struct probe_ctx *ctx, const char *bdf, json_t *acc)
{
	char *path = dev_path(bdf, "iommu_group"), *name = NULL;
	uint64_t group;
	int rc = 0;

	jset(acc, "iommu_group", NULL);
	if (sysroot_link_basename(ctx->sysroot, path, &name) == 0) {
		if (parse_u64(name, 10, &group) != 0 || group > INT32_MAX) {
			probe_fail(ctx, "%s: link target \"%.40s\" is not an IOMMU group number", path, name);
			rc = -1;
		} else {
			jset_int(acc, "iommu_group", (json_int_t)group);
		}
	}
	free(name);
	free(path);
	return rc;
}

/* "16.0 GT/s PCIe" -> 16.0; "Unknown" -> null. */
static int add_link_speed(struct probe_ctx *ctx, const char *bdf, const char *attr, json_t *link,
			  const char *key)
{
	char *path = dev_path(bdf, attr), *line = NULL, *end;
	double gts;
	int rc = 0;

	jset(link, key, NULL);
	if (sysroot_read_line(ctx->sysroot, path, &line) == 0) {
		gts = strtod(line, &end);
		if (end != line && str_starts_with(end, " GT/s") && gts > 0 && gts < 1000) {
			jset_num(link, key, gts);
		} else if (!str_starts_with(line, "Unknown")) {
			probe_fail(ctx, "%s: malformed link speed \"%.40s\"", path, line);
			rc = -1;
		}
	}
	free(line);
	free(path);
	return rc;
}

static int add_link(struct probe_ctx *ctx, const char *bdf, json_t *acc)
{
	json_t *link = json_object();
	int64_t w;
	int r1, r2;

	json_object_set_new(acc, "link", link);
	if (add_link_speed(ctx, bdf, "current_link_speed", link, "current_speed_gts") ||
	    add_link_speed(ctx, bdf, "max_link_speed", link, "max_speed_gts"))
		return -1;
	r1 = read_int_attr(ctx, bdf, "current_link_width", 0, 255, &w);
	jset(link, "current_width", r1 > 0 ? json_integer(w) : NULL);
	r2 = read_int_attr(ctx, bdf, "max_link_width", 0, 255, &w);
	jset(link, "max_width", r2 > 0 ? json_integer(w) : NULL);
	return (r1 < 0 || r2 < 0) ? -1 : 0;
}

static int add_sriov(struct probe_ctx *ctx, const char *bdf, json_t *acc)
{
	int64_t total, num;
	int rt = read_int_attr(ctx, bdf, "sriov_totalvfs", 0, 65535, &total);
	int rn = read_int_attr(ctx, bdf, "sriov_numvfs", 0, 65535, &num);
	char *physfn = dev_path(bdf, "physfn"), *pf = NULL;

	if (rt < 0 || rn < 0) {
		free(physfn);
		return -1;
	}
	if (rt > 0) {
		json_t *s = json_object();
		jset_int(s, "total_vfs", total);
		jset(s, "enabled_vfs", rn > 0 ? json_integer(num) : NULL);
		jset(acc, "sriov", s);
	} else {
		jset(acc, "sriov", NULL);
	}
	if (sysroot_link_basename(ctx->sysroot, physfn, &pf) == 0 && pci_address_valid(pf))
		jset_str(acc, "physical_function", pf);
	else
		jset(acc, "physical_function", NULL);
	free(pf);
	free(physfn);
	return 0;
}

/* Bridges between the root complex and the device, nearest the root first,
 * from the device's canonical path in /sys/devices. */
static void add_topology(struct probe_ctx *ctx, const char *bdf, json_t *acc)
{
	char *link = xasprintf("%s/%s", PCI_DEVICES, bdf), *resolved = NULL, *save = NULL;
	json_t *upstream = json_array();

	if (sysroot_resolve_link(ctx->sysroot, link, &resolved) == 0) {
		jset_str(acc, "sysfs_path", resolved);
		for (char *c = strtok_r(resolved, "/", &save); c; c = strtok_r(NULL, "/", &save))
			if (pci_address_valid(c) && strcmp(c, bdf) != 0)
				json_array_append_new(upstream, json_string(c));
	} else {
		jset(acc, "sysfs_path", NULL);
		probe_limitation(ctx, link, "not a symbolic link into /sys/devices: upstream bridges unknown");
	}
	json_object_set_new(acc, "upstream_bridges", upstream);
	free(resolved);
	free(link);
}

/* Other functions of the same physical device (same domain:bus:device). */
static void add_functions(struct probe_ctx *ctx, char **all, const char *bdf, json_t *acc)
{
	size_t prefix = strlen(bdf) - 1; /* up to and including the '.' */
	json_t *funcs = json_array();

	for (char **p = all; *p; p++) {
		struct pci_ids ids;
		json_t *f;
		if (strcmp(*p, bdf) == 0 || strncmp(*p, bdf, prefix) != 0 || strlen(*p) != strlen(bdf))
			continue;
		if (read_ids(ctx, *p, &ids) != 0)
			continue;
		f = json_object();
		jset_str(f, "pci_address", *p);
		set_hex(f, "vendor_id", ids.vendor, 4);
		set_hex(f, "device_id", ids.device, 4);
		set_hex(f, "class", ids.class_code >> 8, 4);
		add_link_basename(ctx, *p, "driver", f, "driver");
		json_array_append_new(funcs, f);
	}
	json_object_set_new(acc, "functions", funcs);
}

static void add_names(struct probe_ctx *ctx, const struct pci_ids *ids, json_t *acc)
{
	const struct accel_vendor *v = accdb_vendor(ctx->accdb, ids->vendor);
	const struct accel_model *m = accdb_by_pci(ctx->accdb, ids->vendor, ids->device);
	char *vendor_name = v ? NULL : pcinames_vendor(ids->vendor);
	char *device_name = pcinames_device(ids->vendor, ids->device);

	jset_str(acc, "vendor", v ? v->name : (m ? m->vendor : vendor_name));
	jset_str(acc, "model", m ? m->name : NULL);
	jset_str(acc, "pci_name", device_name);
	free(vendor_name);
	free(device_name);
}

/* An accelerator listed without a model of data/accelerators.json: say so,
 * naming it, since every check that needs its model will skip. */
static void note_unknown_model(struct probe_ctx *ctx, const char *bdf, const struct pci_ids *ids, const json_t *acc)
{
	const char *pci_name = jstr(acc, "pci_name");

	if (jstr(acc, "model") != NULL)
		return;
	probe_limitation(ctx, bdf, "%04x:%04x (class %04x%s%s%s): %s; listed as an unknown model",
			 ids->vendor, ids->device, (ids->class_code >> 8) & 0xffff, pci_name ? ", pci.ids: \"" : "",
			 pci_name ? pci_name : "", pci_name ? "\"" : "",
			 accdb_vendor(ctx->accdb, ids->vendor) ? "a device not in data/accelerators.json"
								: "an accelerator of a vendor not in data/vendors.json");
}

static json_t *describe(struct probe_ctx *ctx, char **all, const char *bdf, const struct pci_ids *ids)
{
	json_t *acc = json_object();
	int64_t numa;
	int rn;

	jset_str(acc, "pci_address", bdf);
	set_hex(acc, "vendor_id", ids->vendor, 4);
	set_hex(acc, "device_id", ids->device, 4);
	set_hex(acc, "subsystem_vendor_id", ids->subsystem_vendor, 4);
	set_hex(acc, "subsystem_device_id", ids->subsystem_device, 4);
	set_hex(acc, "class", ids->class_code >> 8, 4);
	set_hex(acc, "prog_if", ids->class_code & 0xff, 2);
	set_hex(acc, "revision", ids->revision, 2);
	add_names(ctx, ids, acc);
	add_link_basename(ctx, bdf, "driver", acc, "driver");
	rn = read_int_attr(ctx, bdf, "numa_node", -1, 65535, &numa);
	jset(acc, "numa_node", rn > 0 ? json_integer(numa) : NULL);
	if (rn < 0 || add_link(ctx, bdf, acc) || add_iommu_group(ctx, bdf, acc) ||
	    add_resources(ctx, bdf, acc) || add_sriov(ctx, bdf, acc)) {
		json_decref(acc);
		return NULL;
	}
	add_topology(ctx, bdf, acc);
	add_functions(ctx, all, bdf, acc);
	jset_str(acc, "seen_through", "pci");
	note_unknown_model(ctx, bdf, ids, acc);
	return acc;
}

/* facts.pci_bus: whether the PCI bus could be listed at all. Without it no
 * conclusion about accelerators can be drawn, so it is stated, not left to
 * an empty accelerator list. */
static void set_pci_bus(struct probe_ctx *ctx, bool readable, size_t functions, const char *reason)
{
	json_t *bus = json_object();

	jset_bool(bus, "readable", readable);
	jset(bus, "functions", readable ? json_integer((json_int_t)functions) : NULL);
	jset(bus, "reason", reason ? json_string_lossy(reason) : NULL);
	json_object_set_new(ctx->facts, "pci_bus", bus);
}

int probe_pci(struct probe_ctx *ctx)
{
	json_t *list = json_array();
	char **names = NULL, *reason;
	size_t count = 0;

	json_object_set_new(ctx->facts, "accelerators", list);
	if (sysroot_list_dir(ctx->sysroot, PCI_DEVICES, &names, &count) != 0) {
		reason = xasprintf("%s: %s", PCI_DEVICES, sysroot_strerror(ctx->sysroot, errno));
		probe_limitation(ctx, PCI_DEVICES, "%s: the PCI bus could not be listed, so whether there are "
				 "accelerators is unknown", sysroot_strerror(ctx->sysroot, errno));
		set_pci_bus(ctx, false, 0, reason);
		free(reason);
		return -1;
	}
	set_pci_bus(ctx, true, count, NULL);
	for (char **p = names; *p && !ctx->failed; p++) {
		struct pci_ids ids;
		json_t *acc;
		if (!pci_address_valid(*p)) {
			probe_fail(ctx, "%s/%s: not a PCI address", PCI_DEVICES, *p);
			break;
		}
		if (read_ids(ctx, *p, &ids) != 0)
			continue;
		if (!accdb_is_accelerator(ctx->accdb, ids.vendor, ids.device, ids.class_code))
			continue;
		acc = describe(ctx, names, *p, &ids);
		if (acc)
			json_array_append_new(list, acc);
	}
	sysroot_free_names(names);
	return ctx->failed ? -1 : 0;
}

/* The single subdirectory of the tree's root that holds sys/ (an archive
 * extracted one level too deep), or NULL. Caller frees. */
static char *nested_root(const struct sysroot *sr)
{
	char **names = NULL, *found = NULL;
	size_t count = 0;

	if (sysroot_list_dir(sr, "/", &names, &count) != 0)
		return NULL;
	if (count == 1) {
		char *sys = xasprintf("/%s/sys", names[0]);
		if (sysroot_is_dir(sr, sys))
			found = xasprintf("%s/%s", sr->root, names[0]);
		free(sys);
	}
	sysroot_free_names(names);
	return found;
}

int probe_root_check(const struct sysroot *sr, char *err, size_t errlen)
{
	char *nested;

	if (sysroot_is_live(sr) || sysroot_is_dir(sr, "/sys/bus/pci"))
		return 0;
	nested = nested_root(sr);
	if (nested)
		snprintf(err, errlen, "%s: no sys/bus/pci in it; the captured tree's root is probably %s", sr->root,
			 nested);
	else
		snprintf(err, errlen, "%s: no sys/bus/pci in it: not a captured tree (chipaudit snapshot, or a copy "
			 "of / with sysfs)", sr->root);
	free(nested);
	return -1;
}

/* Validation of facts.accelerators read from an untrusted document. */

static int validate_bar(const json_t *bar, const char *where, char *err, size_t errlen)
{
	const char *kind;

	if (!json_is_object(bar)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(bar, "index", JV_REQUIRED, 0, PCI_MAX_RESOURCES - 1, where, err, errlen) ||
	    jv_integer(bar, "size", JV_REQUIRED, 1, INT64_MAX, where, err, errlen) ||
	    jv_string(bar, "kind", JV_REQUIRED, 8, where, err, errlen) ||
	    jv_boolean(bar, "prefetchable", JV_REQUIRED, where, err, errlen) ||
	    jv_boolean(bar, "is_64bit", JV_REQUIRED, where, err, errlen))
		return -1;
	kind = jstr(bar, "kind");
	if (strcmp(kind, "mem") != 0 && strcmp(kind, "io") != 0) {
		snprintf(err, errlen, "%s.kind: expected \"mem\" or \"io\"", where);
		return -1;
	}
	return 0;
}

static int validate_bar_list(const json_t *acc, const char *key, const char *where, char *err, size_t errlen)
{
	const json_t *bars = json_object_get(acc, key);
	size_t i;
	json_t *bar;

	if (jv_array(acc, key, JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	json_array_foreach(bars, i, bar) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
		if (validate_bar(bar, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_address(const json_t *obj, const char *key, int flags, const char *where,
			    char *err, size_t errlen)
{
	const char *s;

	if (jv_string(obj, key, flags, 32, where, err, errlen))
		return -1;
	s = jstr(obj, key);
	if (s && !pci_address_valid(s)) {
		snprintf(err, errlen, "%s.%s: \"%s\" is not a PCI address (DDDD:BB:DD.F)", where, key, s);
		return -1;
	}
	return 0;
}

static int validate_ids(const json_t *acc, const char *where, char *err, size_t errlen)
{
	return jv_hex(acc, "vendor_id", JV_REQUIRED, 4, where, err, errlen) ||
	       jv_hex(acc, "device_id", JV_REQUIRED, 4, where, err, errlen) ||
	       jv_hex(acc, "subsystem_vendor_id", JV_REQUIRED | JV_NULLABLE, 4, where, err, errlen) ||
	       jv_hex(acc, "subsystem_device_id", JV_REQUIRED | JV_NULLABLE, 4, where, err, errlen) ||
	       jv_hex(acc, "class", JV_REQUIRED | JV_NULLABLE, 4, where, err, errlen) ||
	       jv_hex(acc, "prog_if", JV_NULLABLE, 2, where, err, errlen) ||
	       jv_hex(acc, "revision", JV_NULLABLE, 2, where, err, errlen) ? -1 : 0;
}

static int validate_link(const json_t *acc, const char *where, char *err, size_t errlen)
{
	const json_t *link = json_object_get(acc, "link");
	char sub[96];

	if (jv_object(acc, "link", JV_NULLABLE, where, err, errlen))
		return -1;
	if (link == NULL || json_is_null(link))
		return 0;
	snprintf(sub, sizeof(sub), "%s.link", where);
	return jv_number(link, "current_speed_gts", JV_NULLABLE, 0, 1000, sub, err, errlen) ||
	       jv_number(link, "max_speed_gts", JV_NULLABLE, 0, 1000, sub, err, errlen) ||
	       jv_integer(link, "current_width", JV_NULLABLE, 0, 255, sub, err, errlen) ||
	       jv_integer(link, "max_width", JV_NULLABLE, 0, 255, sub, err, errlen) ? -1 : 0;
}

static int validate_sriov_rom(const json_t *acc, const char *where, char *err, size_t errlen)
{
	const json_t *sriov = json_object_get(acc, "sriov"), *rom = json_object_get(acc, "expansion_rom");
	char sub[96];

	if (jv_object(acc, "sriov", JV_NULLABLE, where, err, errlen) ||
	    jv_object(acc, "expansion_rom", JV_NULLABLE, where, err, errlen))
		return -1;
	if (json_is_object(sriov)) {
		snprintf(sub, sizeof(sub), "%s.sriov", where);
		if (jv_integer(sriov, "total_vfs", JV_REQUIRED, 0, 65535, sub, err, errlen) ||
		    jv_integer(sriov, "enabled_vfs", JV_REQUIRED | JV_NULLABLE, 0, 65535, sub, err, errlen))
			return -1;
	}
	if (json_is_object(rom)) {
		snprintf(sub, sizeof(sub), "%s.expansion_rom", where);
		if (jv_boolean(rom, "present", JV_REQUIRED, sub, err, errlen) ||
		    jv_integer(rom, "size", JV_NULLABLE, 1, INT64_MAX, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_functions(const json_t *acc, const char *where, char *err, size_t errlen)
{
	const json_t *list = json_object_get(acc, "functions"), *up = json_object_get(acc, "upstream_bridges");
	size_t i;
	json_t *f;

	if (jv_array(acc, "functions", JV_NULLABLE, where, err, errlen) ||
	    jv_string_array(acc, "upstream_bridges", JV_NULLABLE, 32, where, err, errlen))
		return -1;
	json_array_foreach(list, i, f) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.functions[%zu]", where, i);
		if (!json_is_object(f)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (validate_address(f, "pci_address", JV_REQUIRED, sub, err, errlen) ||
		    jv_hex(f, "vendor_id", JV_REQUIRED, 4, sub, err, errlen) ||
		    jv_hex(f, "device_id", JV_REQUIRED, 4, sub, err, errlen) ||
		    jv_hex(f, "class", JV_REQUIRED, 4, sub, err, errlen) ||
		    jv_string(f, "driver", JV_NULLABLE, 256, sub, err, errlen))
			return -1;
	}
	json_array_foreach(up, i, f) {
		if (!pci_address_valid(json_string_value(f))) {
			snprintf(err, errlen, "%s.upstream_bridges[%zu]: not a PCI address", where, i);
			return -1;
		}
	}
	return 0;
}

static int validate_accelerator(const json_t *acc, const char *where, char *err, size_t errlen)
{
	static const char *const names[] = { "vendor", "model", "pci_name", "driver", "sysfs_path" };

	if (!json_is_object(acc)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (validate_address(acc, "pci_address", JV_REQUIRED, where, err, errlen) ||
	    validate_ids(acc, where, err, errlen) ||
	    jv_string(acc, "seen_through", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_integer(acc, "numa_node", JV_NULLABLE, -1, 65535, where, err, errlen) ||
	    jv_integer(acc, "iommu_group", JV_NULLABLE, 0, INT32_MAX, where, err, errlen) ||
	    validate_address(acc, "physical_function", JV_NULLABLE, where, err, errlen) ||
	    validate_link(acc, where, err, errlen) ||
	    validate_bar_list(acc, "bars", where, err, errlen) ||
	    validate_bar_list(acc, "sriov_bars", where, err, errlen) ||
	    validate_sriov_rom(acc, where, err, errlen) ||
	    validate_functions(acc, where, err, errlen))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (jv_string(acc, names[i], JV_NULLABLE, 4096, where, err, errlen))
			return -1;
	/* Measured figures (written by the measurement probe). */
	if (json_object_get(acc, "measured") != NULL) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.measured", where);
		if (measure_validate_measured(json_object_get(acc, "measured"), sub, err, errlen))
			return -1;
	}
	return 0;
}

/* facts.pci_bus, optional (facts from before it existed do not say). */
static int validate_pci_bus(const json_t *facts, const json_t *list, char *err, size_t errlen)
{
	const json_t *bus = json_object_get(facts, "pci_bus");
	bool readable = false;
	size_t i;
	json_t *acc;

	if (bus == NULL)
		return 0;
	if (!json_is_object(bus)) {
		snprintf(err, errlen, "pci_bus: expected an object");
		return -1;
	}
	if (jv_boolean(bus, "readable", JV_REQUIRED, "pci_bus", err, errlen))
		return -1;
	jbool(bus, "readable", &readable);
	if (jv_integer(bus, "functions", JV_REQUIRED | (readable ? 0 : JV_NULLABLE), 0, INT32_MAX, "pci_bus", err,
		       errlen) ||
	    jv_string(bus, "reason", JV_REQUIRED | (readable ? JV_NULLABLE : 0), 1024, "pci_bus", err, errlen))
		return -1;
	if (readable)
		return 0;
	json_array_foreach(list, i, acc) {
		if (strcmp(jstr(acc, "seen_through"), "pci") == 0) {
			snprintf(err, errlen, "accelerators[%zu].seen_through: \"pci\", but pci_bus.readable is false", i);
			return -1;
		}
	}
	return 0;
}

int validate_accelerators(const json_t *list, const json_t *facts, char *err, size_t errlen)
{
	size_t i, j;
	json_t *acc;

	if (!json_is_array(list)) {
		snprintf(err, errlen, "accelerators: expected an array");
		return -1;
	}
	json_array_foreach(list, i, acc) {
		char where[64];
		snprintf(where, sizeof(where), "accelerators[%zu]", i);
		if (validate_accelerator(acc, where, err, errlen))
			return -1;
		for (j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(list, j), "pci_address"), jstr(acc, "pci_address")) == 0) {
				snprintf(err, errlen, "%s.pci_address: %s listed twice", where, jstr(acc, "pci_address"));
				return -1;
			}
		}
	}
	return validate_pci_bus(facts, list, err, errlen);
}
