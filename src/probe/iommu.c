/* DMA isolation facts: IOMMU units, the accelerators' IOMMU groups, the
 * command-line words that shape them, and the PCIe capabilities (ATS on the
 * accelerator, ACS on each port above it) read from configuration space.
 *
 * Layout read (Documentation/ABI/testing/sysfs-class-iommu,
 * sysfs-kernel-iommu_groups, sysfs-bus-pci):
 *   /sys/class/iommu/<unit>                      dmarN (Intel), ivhdN (AMD), smmu3.* (Arm)
 *   /sys/kernel/iommu_groups/<n>/type            DMA, DMA-FQ, identity, blocked, unmanaged
 *   /sys/kernel/iommu_groups/<n>/devices/<dev>   the group's members
 *   /proc/cmdline
 *   /sys/bus/pci/devices/<bdf>/config            4096 bytes as root, 64 otherwise */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "parse/kernelinfo.h"
#include "parse/pcicfg.h"
#include "core/util.h"
#include "probe/probe.h"

#define CLASS_IOMMU "/sys/class/iommu"
#define IOMMU_GROUPS "/sys/kernel/iommu_groups"
#define PCI_DEVICES "/sys/bus/pci/devices"
/* Members listed per group; real groups hold a handful. */
#define GROUP_MEMBERS_MAX 256

static const char *const group_types[] = { "DMA", "DMA-FQ", "identity", "blocked", "unmanaged" };

static bool group_type_known(const char *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(group_types); i++)
		if (strcmp(t, group_types[i]) == 0)
			return true;
	return false;
}

static void add_units(struct probe_ctx *ctx, json_t *iommu)
{
	char **names = NULL;
	json_t *units;

	if (sysroot_list_dir(ctx->sysroot, CLASS_IOMMU, &names, NULL) != 0) {
		if (errno != ENOENT)
			probe_limitation(ctx, CLASS_IOMMU, "%s", sysroot_strerror(ctx->sysroot, errno));
		else
			probe_limitation(ctx, CLASS_IOMMU, "absent: the kernel has no IOMMU support, or the tree was not captured");
		jset(iommu, "units", NULL);
		return;
	}
	units = json_array();
	for (char **p = names; *p; p++)
		json_array_append_new(units, json_string_lossy(*p));
	json_object_set_new(iommu, "units", units);
	sysroot_free_names(names);
}

static void add_cmdline(struct probe_ctx *ctx, json_t *iommu)
{
	char *line = NULL, **words;
	json_t *list;

	if (sysroot_read_line(ctx->sysroot, "/proc/cmdline", &line) != 0) {
		probe_limitation(ctx, "/proc/cmdline", "%s", sysroot_strerror(ctx->sysroot, errno));
		jset(iommu, "cmdline", NULL);
		return;
	}
	words = cmdline_dma_words(line);
	list = json_array();
	for (char **w = words; *w; w++)
		json_array_append_new(list, json_string_lossy(*w));
	json_object_set_new(iommu, "cmdline", list);
	kernelinfo_free_words(words);
	free(line);
}

/* vendor, device and class of a PCI member, or nulls for other buses. */
static void member_ids(struct probe_ctx *ctx, const char *name, json_t *m)
{
	static const struct { const char *attr, *key; unsigned digits, shift; } ids[] = {
		{ "vendor", "vendor_id", 4, 0 }, { "device", "device_id", 4, 0 }, { "class", "class", 4, 8 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char *path = xasprintf("%s/%s/%s", PCI_DEVICES, name, ids[i].attr), *line = NULL, buf[16];
		uint32_t v;
		jset(m, ids[i].key, NULL);
		if (pci_address_valid(name) && sysroot_read_line(ctx->sysroot, path, &line) == 0) {
			if (str_starts_with(line, "0x") && parse_hex_u32(line, i == 2 ? 0xffffff : 0xffff, &v) == 0) {
				snprintf(buf, sizeof(buf), "%0*x", (int)ids[i].digits, v >> ids[i].shift);
				jset_str(m, ids[i].key, buf);
			} else {
				probe_fail(ctx, "%s: malformed value \"%.40s\"", path, line);
			}
		}
		free(line);
		free(path);
	}
}

static json_t *group_json(struct probe_ctx *ctx, json_int_t group)
{
	char *dir = xasprintf("%s/%lld", IOMMU_GROUPS, (long long)group);
	char *type_path = path_join(dir, "type"), *devs = path_join(dir, "devices"), *type = NULL;
	char **names = NULL;
	json_t *g = json_object(), *members = json_array();
	size_t count = 0;

	jset_int(g, "group", group);
	if (sysroot_read_line(ctx->sysroot, type_path, &type) == 0) {
		if (!group_type_known(type))
			probe_fail(ctx, "%s: unknown domain type \"%.40s\" (expected DMA, DMA-FQ, identity, blocked or unmanaged)",
				   type_path, type);
		jset_str(g, "type", type);
	} else {
		/* older kernels (before 5.11) have no type file */
		probe_limitation(ctx, type_path, "%s: domain type unknown", sysroot_strerror(ctx->sysroot, errno));
		jset(g, "type", NULL);
	}
	if (sysroot_list_dir(ctx->sysroot, devs, &names, &count) == 0) {
		if (count > GROUP_MEMBERS_MAX)
			probe_fail(ctx, "%s: %zu members, more than %d", devs, count, GROUP_MEMBERS_MAX);
		for (char **p = names; *p && !ctx->failed; p++) {
			json_t *m = json_object();
			jset_str(m, "name", *p);
			member_ids(ctx, *p, m);
			json_array_append_new(members, m);
		}
	} else {
		probe_limitation(ctx, devs, "%s: group members unknown", sysroot_strerror(ctx->sysroot, errno));
		json_decref(members);
		members = NULL;
	}
	jset(g, "devices", members);
	sysroot_free_names(names);
	free(type);
	free(devs);
	free(type_path);
	free(dir);
	return g;
}

static bool group_listed(const json_t *groups, json_int_t group)
{
	size_t i;
	json_t *g;
	json_int_t n;

	json_array_foreach(groups, i, g)
		if (jint(g, "group", &n) && n == group)
			return true;
	return false;
}

int probe_iommu(struct probe_ctx *ctx)
{
	json_t *iommu = json_object(), *groups = json_array(), *acc;
	size_t i;

	json_object_set_new(ctx->facts, "iommu", iommu);
	add_units(ctx, iommu);
	add_cmdline(ctx, iommu);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		json_int_t group;
		if (!jint(acc, "iommu_group", &group) || group_listed(groups, group))
			continue;
		json_array_append_new(groups, group_json(ctx, group));
		if (ctx->failed)
			break;
	}
	json_object_set_new(iommu, "groups", groups);
	return ctx->failed ? -1 : 0;
}

/* --- configuration space ------------------------------------------------ */

static void note_short_config(struct probe_ctx *ctx, size_t len)
{
	static const char source[] = "/sys/bus/pci/devices/*/config";
	size_t i;
	json_t *l;

	json_array_foreach(jarr(ctx->facts, "limitations"), i, l)
		if (strcmp(jstr(l, "source"), source) == 0)
			return;
	probe_limitation(ctx, source, "only %zu bytes of configuration space readable (all 4096 need root): "
			 "ATS and ACS not examined", len);
}

/* Read and walk one device's configuration space into OBJ; 0 or -1 when
 * the file is not configuration space (probe failed). */
static int add_config(struct probe_ctx *ctx, const char *bdf, json_t *obj, struct pcicfg_info *info)
{
	char *path = xasprintf("%s/%s/config", PCI_DEVICES, bdf), *data = NULL, err[160];
	size_t len = 0;
	int rc = 0;

	memset(info, 0, sizeof(*info));
	jset_str(obj, "pci_address", bdf);
	jset(obj, "config_bytes", NULL);
	jset(obj, "port_type", NULL);
	jset(obj, "malformed", NULL);
	/* one byte more than the most configuration space can hold: the
	 * sysroot treats a file of exactly its limit as too large */
	if (sysroot_read_file_max(ctx->sysroot, path, PCICFG_EXT_SIZE + 1, &data, &len) != 0) {
		probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
		free(path);
		return 0;
	}
	if (len > PCICFG_EXT_SIZE) {
		probe_fail(ctx, "%s: %zu bytes, more than the 4096 of PCI Express configuration space", path, len);
		rc = -1;
	} else if (pcicfg_parse((const unsigned char *)data, len, info, err, sizeof(err)) != 0) {
		probe_fail(ctx, "%s: %s", path, err);
		rc = -1;
	} else {
		jset_int(obj, "config_bytes", (json_int_t)len);
		if (info->pcie)
			jset_str(obj, "port_type", pcie_port_type_name(info->port_type));
		if (info->malformed[0])
			jset_str(obj, "malformed", info->malformed);
		if (!info->ext_readable)
			note_short_config(ctx, len);
	}
	free(data);
	free(path);
	return rc;
}

/* ATS facts of an accelerator: null when not examinable. */
static json_t *ats_json(const struct pcicfg_info *info)
{
	if (!info->ext_readable || !info->pcie || info->malformed[0])
		return NULL;
	return json_pack("{s:b, s:b}", "present", info->ats_present, "enabled", info->ats_enabled);
}

static json_t *acs_json(const struct pcicfg_info *info)
{
	if (!info->ext_readable || !info->pcie || info->malformed[0])
		return NULL;
	if (!info->acs_present)
		return json_pack("{s:b, s:n, s:n}", "present", 0, "capability", "control");
	return json_pack("{s:b, s:i, s:i}", "present", 1, "capability", (int)info->acs_cap,
			 "control", (int)info->acs_ctrl);
}

int probe_pcie(struct probe_ctx *ctx)
{
	json_t *list = json_array(), *acc;
	size_t i;

	json_object_set_new(ctx->facts, "pcie", list);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		json_t *entry = json_object(), *bridges = json_array(), *b;
		struct pcicfg_info info;
		size_t j;

		json_array_append_new(list, entry);
		if (add_config(ctx, jstr(acc, "pci_address"), entry, &info) != 0) {
			json_decref(bridges);
			break;
		}
		jset(entry, "ats", ats_json(&info));
		json_array_foreach(jarr(acc, "upstream_bridges"), j, b) {
			json_t *bridge = json_object();
			json_array_append_new(bridges, bridge);
			if (add_config(ctx, json_string_value(b), bridge, &info) != 0)
				break;
			jset(bridge, "acs", acs_json(&info));
		}
		json_object_set_new(entry, "bridges", bridges);
		if (ctx->failed)
			break;
	}
	return ctx->failed ? -1 : 0;
}

/* --- validation ----------------------------------------------------------- */

static int validate_members(const json_t *g, const char *where, char *err, size_t errlen)
{
	size_t i;
	json_t *m;

	if (jv_array(g, "devices", JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	json_array_foreach(jarr(g, "devices"), i, m) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.devices[%zu]", where, i);
		if (!json_is_object(m)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_string(m, "name", JV_REQUIRED, 256, sub, err, errlen) ||
		    jv_hex(m, "vendor_id", JV_REQUIRED | JV_NULLABLE, 4, sub, err, errlen) ||
		    jv_hex(m, "device_id", JV_REQUIRED | JV_NULLABLE, 4, sub, err, errlen) ||
		    jv_hex(m, "class", JV_REQUIRED | JV_NULLABLE, 4, sub, err, errlen))
			return -1;
	}
	return 0;
}

int validate_iommu(const json_t *iommu, const json_t *facts, char *err, size_t errlen)
{
	size_t i;
	json_t *g;

	if (!json_is_object(iommu)) {
		snprintf(err, errlen, "iommu: expected an object");
		return -1;
	}
	if (jv_string_array(iommu, "units", JV_REQUIRED | JV_NULLABLE, 256, "iommu", err, errlen) ||
	    jv_string_array(iommu, "cmdline", JV_REQUIRED | JV_NULLABLE, 4096, "iommu", err, errlen) ||
	    jv_array(iommu, "groups", JV_REQUIRED, "iommu", err, errlen))
		return -1;
	json_array_foreach(jarr(iommu, "groups"), i, g) {
		char where[64];
		snprintf(where, sizeof(where), "iommu.groups[%zu]", i);
		if (!json_is_object(g)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_integer(g, "group", JV_REQUIRED, 0, INT32_MAX, where, err, errlen) ||
		    jv_string(g, "type", JV_REQUIRED | JV_NULLABLE, 16, where, err, errlen) ||
		    validate_members(g, where, err, errlen))
			return -1;
		if (jstr(g, "type") && !group_type_known(jstr(g, "type"))) {
			snprintf(err, errlen, "%s.type: \"%s\" is not DMA, DMA-FQ, identity, blocked or unmanaged", where,
				 jstr(g, "type"));
			return -1;
		}
	}
	(void)facts;
	return 0;
}

static int validate_config_entry(const json_t *e, const char *where, char *err, size_t errlen)
{
	const char *addr;

	if (!json_is_object(e)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(e, "pci_address", JV_REQUIRED, 32, where, err, errlen) ||
	    jv_integer(e, "config_bytes", JV_REQUIRED | JV_NULLABLE, PCICFG_HEADER_SIZE, PCICFG_EXT_SIZE, where, err, errlen) ||
	    jv_string(e, "port_type", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
	    jv_string(e, "malformed", JV_REQUIRED | JV_NULLABLE, 256, where, err, errlen))
		return -1;
	addr = jstr(e, "pci_address");
	if (!pci_address_valid(addr)) {
		snprintf(err, errlen, "%s.pci_address: \"%s\" is not a PCI address", where, addr);
		return -1;
	}
	return 0;
}

static int validate_acs(const json_t *b, const char *where, char *err, size_t errlen)
{
	const json_t *acs = json_object_get(b, "acs");
	char sub[128];
	bool present;

	if (jv_object(b, "acs", JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	if (!json_is_object(acs))
		return 0;
	snprintf(sub, sizeof(sub), "%s.acs", where);
	if (jv_boolean(acs, "present", JV_REQUIRED, sub, err, errlen))
		return -1;
	jbool(acs, "present", &present);
	return jv_integer(acs, "capability", JV_REQUIRED | (present ? 0 : JV_NULLABLE), 0, 0xffff, sub, err, errlen) ||
	       jv_integer(acs, "control", JV_REQUIRED | (present ? 0 : JV_NULLABLE), 0, 0xffff, sub, err, errlen) ? -1 : 0;
}

int validate_pcie(const json_t *list, const json_t *facts, char *err, size_t errlen)
{
	size_t i, j;
	json_t *e, *b;

	if (!json_is_array(list)) {
		snprintf(err, errlen, "pcie: expected an array");
		return -1;
	}
	json_array_foreach(list, i, e) {
		char where[64], sub[96];
		const json_t *ats;
		snprintf(where, sizeof(where), "pcie[%zu]", i);
		if (validate_config_entry(e, where, err, errlen) ||
		    jv_object(e, "ats", JV_REQUIRED | JV_NULLABLE, where, err, errlen) ||
		    jv_array(e, "bridges", JV_REQUIRED, where, err, errlen))
			return -1;
		ats = jobj(e, "ats");
		snprintf(sub, sizeof(sub), "%s.ats", where);
		if (ats && (jv_boolean(ats, "present", JV_REQUIRED, sub, err, errlen) ||
			    jv_boolean(ats, "enabled", JV_REQUIRED, sub, err, errlen)))
			return -1;
		json_array_foreach(jarr(e, "bridges"), j, b) {
			snprintf(sub, sizeof(sub), "%s.bridges[%zu]", where, j);
			if (validate_config_entry(b, sub, err, errlen) || validate_acs(b, sub, err, errlen))
				return -1;
		}
	}
	(void)facts;
	return 0;
}
