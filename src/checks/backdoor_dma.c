/* Backdoor exposure, DMA: can an accelerator (a PCIe bus master) reach host
 * memory beyond what the IOMMU grants it?
 *
 * Facts: iommu (units, the accelerators' groups with type and members, the
 * DMA-related command-line words) and pcie (ATS on the accelerator, ACS on
 * every port above it). Rules: Linux's own (drivers/iommu/iommu.c domain
 * types; drivers/pci/pci.c REQ_ACS_FLAGS = SV|RR|CR|UF for isolation). */
#include <stdio.h>
#include <string.h>

#include "checks/backdoor.h"
#include "checks/judge.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "parse/pcicfg.h"
#include "core/util.h"

static void interpret_cmdline(const json_t *facts, struct cmdline_iommu *ci)
{
	const json_t *words = jarr(jobj(facts, "iommu"), "cmdline");
	char *list[64];
	size_t i, n = 0;
	json_t *w;

	json_array_foreach(words, i, w)
		if (n + 1 < ARRAY_SIZE(list))
			list[n++] = (char *)json_string_value(w);
	list[n] = NULL;
	cmdline_iommu_interpret(list, ci);
}

static json_t *cmdline_evidence(const json_t *facts)
{
	const json_t *words = json_object_get(jobj(facts, "iommu"), "cmdline");
	return words ? json_deep_copy(words) : json_null();
}

/* backdoor.iommu.absent: judged on the accelerators sysfs shows, and only
 * when the PCI bus was listed; an empty /sys/class/iommu proves nothing
 * about a device it cannot see. */
static void evaluate_absent(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *accs = jarr(ctx->facts, "accelerators"), *iommu, *units;
	json_t *ungrouped, *acc, *ev;
	size_t i, n_units, visible = 0;
	const char *reason;
	enum pci_bus_state bus = judge_pci_bus(ctx->facts, &reason);

	if (!backdoor_need_section(check, ctx, out, "iommu", false))
		return;
	iommu = jobj(ctx->facts, "iommu");
	units = json_object_get(iommu, "units");
	n_units = json_array_size(units);
	ungrouped = json_array();
	json_array_foreach(accs, i, acc) {
		if (!backdoor_need_sysfs(check, acc, "IOMMU group", out))
			continue;
		visible++;
		if (json_object_get(acc, "iommu_group") == NULL || json_is_null(json_object_get(acc, "iommu_group")))
			json_array_append_new(ungrouped, json_string(jstr(acc, "pci_address")));
	}
	if (bus == PCI_BUS_UNREADABLE) {
		finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:s}", "pci_bus", reason), NULL,
			    "The PCI bus could not be listed (%s): which devices the IOMMU must confine is unknown", reason);
		json_decref(ungrouped);
		return;
	}
	if (visible == 0 && json_array_size(accs) > 0) {
		json_decref(ungrouped);  /* each has its skip above */
		return;
	}
	ev = json_pack("{s:O, s:o, s:o}", "units", units ? units : json_null(), "cmdline", cmdline_evidence(ctx->facts),
		       "accelerators_outside_iommu", ungrouped);
	if (visible == 0 && bus == PCI_BUS_UNSTATED) {
		finding_add(out, check, STATUS_SKIP, "host", ev, NULL,
			    "No accelerator listed, and the facts do not say whether the PCI bus was read");
	} else if (visible == 0) {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL, "No accelerator present: nothing for an IOMMU to confine");
	} else if (json_array_size(ungrouped) == 0) {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "IOMMU present (%zu unit%s); every accelerator is in an IOMMU group", n_units, n_units == 1 ? "" : "s");
	} else if (n_units == 0 && json_array_size(ungrouped) == visible) {
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Enable the IOMMU: VT-d or AMD-Vi (IOMMU, SMMU) in the firmware setup, and intel_iommu=on "
			    "(Intel) on the kernel command line; remove iommu=off.",
			    "No IOMMU %s: every accelerator can read and write all of host memory by DMA",
			    units ? "unit is active (/sys/class/iommu is empty)" : "could be found (/sys/class/iommu is absent)");
	} else {
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Find why the kernel left these devices out of the IOMMU (dmesg | grep -i -e DMAR -e IOMMU).",
			    "%zu of %zu accelerators are in no IOMMU group: they can reach all of host memory by DMA",
			    json_array_size(ungrouped), visible);
	}
}

/* backdoor.iommu.passthrough */
static void evaluate_passthrough(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	struct cmdline_iommu ci;
	size_t i;
	json_t *acc;

	if (!backdoor_need_section(check, ctx, out, "iommu", true))
		return;
	interpret_cmdline(ctx->facts, &ci);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *g = backdoor_iommu_group(ctx->facts, acc);
		const char *type = jstr(g, "type");
		json_t *ev;

		if (!backdoor_need_sysfs(check, acc, "IOMMU group", out))
			continue;
		if (g == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
				    "In no IOMMU group: see backdoor.iommu.absent");
			continue;
		}
		/* no group number: it is the subject's (accelerators[].iommu_group),
		 * and evidence that names it would keep eight GPUs with the same
		 * result from being one finding */
		ev = json_pack("{s:O, s:o}", "type", type ? json_object_get(g, "type") : json_null(), "cmdline",
			       cmdline_evidence(ctx->facts));
		if (type && strcmp(type, "identity") == 0) {
			finding_add(out, check, STATUS_FAIL, addr, ev,
				    "Remove iommu=pt / iommu.passthrough=1 from the kernel command line (or set the group's "
				    "type to DMA: echo DMA > /sys/kernel/iommu_groups/N/type with the driver unbound).",
				    "IOMMU group %lld is in passthrough (identity domain): the device's DMA is not translated and "
				    "reaches all of host memory", (long long)json_integer_value(json_object_get(g, "group")));
		} else if (type == NULL && ci.passthrough) {
			finding_add(out, check, STATUS_FAIL, addr, ev,
				    "Remove iommu=pt / iommu.passthrough=1 from the kernel command line.",
				    "The kernel command line sets passthrough as the default domain and the group's type is "
				    "not readable: its DMA is taken as untranslated");
		} else if (type == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, ev, "Use a kernel of 5.11 or later, which shows the type.",
				    "The group's domain type is not readable: whether its DMA is translated is unknown");
		} else if (strcmp(type, "unmanaged") == 0) {
			finding_add(out, check, STATUS_PASS, addr, ev, NULL,
				    "Assigned to a guest through VFIO (unmanaged domain): its DMA is translated by the guest's mappings");
		} else if (strcmp(type, "blocked") == 0) {
			finding_add(out, check, STATUS_PASS, addr, ev, NULL, "DMA blocked (blocked domain)");
		} else {
			finding_add(out, check, STATUS_PASS, addr, ev, NULL, "DMA translated by the IOMMU (%s domain%s)", type,
				    strcmp(type, "DMA-FQ") == 0 ? ", lazy invalidation" : "");
		}
	}
}

/* Same physical device: domain, bus and device equal ("0000:18:00"). */
static bool same_slot(const char *a, const char *b)
{
	const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
	return da && db && da - a == db - b && strncmp(a, b, (size_t)(da - a)) == 0;
}

/* backdoor.iommu.shared_group */
static void evaluate_shared_group(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i, j;
	json_t *acc, *m;

	if (!backdoor_need_section(check, ctx, out, "iommu", true))
		return;
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *g = backdoor_iommu_group(ctx->facts, acc);
		const json_t *members = jarr(g, "devices");
		json_t *others;

		if (!backdoor_need_sysfs(check, acc, "IOMMU group", out))
			continue;
		if (g == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "In no IOMMU group: see backdoor.iommu.absent");
			continue;
		}
		if (members == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "The group's members could not be listed");
			continue;
		}
		others = json_array();
		json_array_foreach(members, j, m)
			if (!same_slot(jstr(m, "name"), addr))
				json_array_append(others, m);
		if (json_array_size(others) == 0) {
			finding_add(out, check, STATUS_PASS, addr, json_pack("{s:o}", "others", others), NULL,
				    "Alone in its IOMMU group");
		} else {
			size_t n = json_array_size(others);
			finding_add(out, check, STATUS_WARN, addr,
				    json_pack("{s:o}", "others", others),
				    "Enable ACS on the ports above the accelerator (firmware setup), or move it to a slot of its own: "
				    "devices in one group share one address space and are not isolated from each other.",
				    "%zu other device%s share%s its IOMMU group: they and the accelerator can reach each other's DMA "
				    "mappings", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		}
	}
}

/* backdoor.pci.ats */
static void evaluate_ats(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	struct cmdline_iommu ci;
	size_t i;
	json_t *acc;

	if (!backdoor_need_section(check, ctx, out, "pcie", true))
		return;
	interpret_cmdline(ctx->facts, &ci);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *e = backdoor_pcie_entry(ctx->facts, addr), *ats = jobj(e, "ats");
		bool present = false, enabled = false;

		if (!backdoor_need_sysfs(check, acc, "configuration space (ATS)", out))
			continue;
		if (e && jstr(e, "malformed")) {
			finding_add(out, check, STATUS_WARN, addr, json_pack("{s:s}", "malformed", jstr(e, "malformed")),
				    "Examine the device: a well-formed PCI Express function never presents this.",
				    "The device's capability list is malformed (%s): its ATS state cannot be read", jstr(e, "malformed"));
			continue;
		}
		if (ats == NULL) {
			finding_add(out, check, STATUS_SKIP, addr,
				    json_pack("{s:O}", "config_bytes", e ? json_object_get(e, "config_bytes") : json_null()),
				    "Run as root: configuration space beyond 256 bytes is readable by root only.",
				    "Extended configuration space not readable: ATS state unknown");
			continue;
		}
		jbool(ats, "present", &present);
		jbool(ats, "enabled", &enabled);
		if (enabled)
			finding_add(out, check, STATUS_WARN, addr,
				    json_pack("{s:b, s:b, s:b}", "ats_present", 1, "ats_enabled", 1, "cmdline_noats", ci.noats),
				    "Boot with pci=noats unless the accelerator's performance needs ATS, and then only with a "
				    "trusted device and firmware.",
				    "ATS is enabled: the device may send pre-translated requests, which the IOMMU does not check");
		else
			finding_add(out, check, STATUS_PASS, addr,
				    json_pack("{s:b, s:b}", "ats_present", present, "ats_enabled", 0), NULL,
				    present ? "ATS capable but disabled" : "No ATS capability");
	}
}

/* One port above the accelerator: NULL when isolated, else why not. */
static const char *port_gap(const json_t *b, char *buf, size_t len, bool *unknown)
{
	const char *type = jstr(b, "port_type");
	const json_t *acs = jobj(b, "acs");
	json_int_t ctrl = 0;
	bool present = false;

	*unknown = false;
	if (jstr(b, "malformed")) {
		snprintf(buf, len, "capability list malformed (%s)", jstr(b, "malformed"));
		return buf;
	}
	if (type == NULL || acs == NULL) {
		*unknown = true;
		return NULL;
	}
	/* ACS applies to root ports and switch downstream ports (PCIe 6.12.1.1);
	 * an upstream port forwards everything upward anyway */
	if (strcmp(type, pcie_port_type_name(PCIE_TYPE_ROOT_PORT)) != 0 &&
	    strcmp(type, pcie_port_type_name(PCIE_TYPE_DOWNSTREAM)) != 0)
		return NULL;
	jbool(acs, "present", &present);
	if (!present) {
		snprintf(buf, len, "%s without an ACS capability", type);
		return buf;
	}
	jint(acs, "control", &ctrl);
	if ((ctrl & ACS_REQUIRED) != ACS_REQUIRED) {
		snprintf(buf, len, "%s with ACS%s%s%s%s not enabled", type, (ctrl & ACS_SV) ? "" : " SrcValid",
			 (ctrl & ACS_RR) ? "" : " ReqRedir", (ctrl & ACS_CR) ? "" : " CmpltRedir",
			 (ctrl & ACS_UF) ? "" : " UpstreamFwd");
		return buf;
	}
	return NULL;
}

/* backdoor.pci.acs */
static void evaluate_acs(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i, j;
	json_t *acc, *b;

	if (!backdoor_need_section(check, ctx, out, "pcie", true))
		return;
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *e = backdoor_pcie_entry(ctx->facts, addr);
		json_t *gaps, *unknown, *ev;
		size_t bridges = json_array_size(jarr(e, "bridges"));

		if (!backdoor_need_sysfs(check, acc, "path to the root complex (ACS)", out))
			continue;
		gaps = json_array();
		unknown = json_array();
		json_array_foreach(jarr(e, "bridges"), j, b) {
			char buf[160];
			bool unk;
			const char *gap = port_gap(b, buf, sizeof(buf), &unk);
			if (gap)
				json_array_append_new(gaps, json_pack("{s:s, s:s}", "bridge", jstr(b, "pci_address"), "problem", gap));
			else if (unk)
				json_array_append_new(unknown, json_string(jstr(b, "pci_address")));
		}
		/* How many ports were examined, and those that fail or are
		 * unknown. Which ports they are is the subject's
		 * (accelerators[].upstream_bridges), their registers are in
		 * facts.pcie: copied here, they were 6 of the 80 KB of an
		 * eight-GPU report, and kept its eight passes apart. */
		ev = json_pack("{s:o, s:O, s:O}", "ports", e ? json_integer((json_int_t)bridges) : json_null(), "gaps", gaps,
			       "unknown", unknown);
		if (e == NULL)
			finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "No PCIe facts for this accelerator");
		else if (json_array_size(gaps) > 0)
			finding_add(out, check, STATUS_WARN, addr, ev,
				    "Enable ACS on these ports (firmware setup; PCIe switch configuration): without source "
				    "validation and P2P redirection, peers can exchange DMA without the IOMMU seeing it.",
				    "%zu port%s above the accelerator lack%s ACS isolation: %s", json_array_size(gaps),
				    json_array_size(gaps) == 1 ? "" : "s", json_array_size(gaps) == 1 ? "s" : "",
				    jstr(json_array_get(gaps, 0), "problem"));
		else if (json_array_size(unknown) > 0)
			finding_add(out, check, STATUS_SKIP, addr, ev,
				    "Run as root: configuration space beyond 256 bytes is readable by root only.",
				    "ACS state of %zu port%s above the accelerator unknown", json_array_size(unknown),
				    json_array_size(unknown) == 1 ? "" : "s");
		else if (bridges == 0)
			finding_add(out, check, STATUS_PASS, addr, ev, NULL,
				    "On the root bus: no switch or root port above it to route peer traffic");
		else
			finding_add(out, check, STATUS_PASS, addr, ev, NULL,
				    "Every root and downstream port above it enforces ACS (SrcValid, ReqRedir, CmpltRedir, UpstreamFwd)");
		json_decref(gaps);
		json_decref(unknown);
	}
}

static const struct check dma_checks[] = {
	{ "backdoor.iommu.absent", "backdoor", "An IOMMU confines the accelerators' DMA", SEVERITY_CRITICAL,
	  "iommu.units, accelerators[].iommu_group, iommu.cmdline", 0, evaluate_absent },
	{ "backdoor.iommu.passthrough", "backdoor", "Accelerator DMA is translated, not passed through",
	  SEVERITY_HIGH, "iommu.groups[].type, iommu.cmdline", 0, evaluate_passthrough },
	{ "backdoor.iommu.shared_group", "backdoor", "Accelerator alone in its IOMMU group", SEVERITY_MEDIUM,
	  "iommu.groups[].devices", 0, evaluate_shared_group },
	{ "backdoor.pci.ats", "backdoor", "Address Translation Services disabled on the accelerator",
	  SEVERITY_MEDIUM, "pcie[].ats", NEEDS_ROOT, evaluate_ats },
	{ "backdoor.pci.acs", "backdoor", "ACS isolation on every port above the accelerator", SEVERITY_MEDIUM,
	  "pcie[].bridges[].acs", NEEDS_ROOT, evaluate_acs },
};

const struct check_family backdoor_dma_family = { "backdoor-dma", dma_checks, ARRAY_SIZE(dma_checks) };
