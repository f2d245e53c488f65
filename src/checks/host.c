/* Host checks: what was found, and what could not be examined. */
#include "checks/judge.h"
#include "core/check.h"
#include "core/json.h"

#define PCI_REMEDY \
	"Audit where /sys/bus/pci/devices is readable: on the host itself rather than in a container, or a " \
	"snapshot taken there (chipaudit snapshot)."

/* Unknown is not none: an empty accelerator list says "no accelerator" only
 * when the PCI bus was listed. */
static void evaluate_inventory(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *accs = jarr(ctx->facts, "accelerators");
	size_t n = json_array_size(accs), i;
	json_t *addrs = json_array(), *acc, *ev;
	const char *reason;
	enum pci_bus_state bus = judge_pci_bus(ctx->facts, &reason);

	json_array_foreach(accs, i, acc)
		json_array_append_new(addrs, json_string(jstr(acc, "pci_address")));
	ev = json_pack("{s:i, s:o, s:O?}", "count", (int)n, "accelerators", addrs, "pci_bus", jobj(ctx->facts, "pci_bus"));
	if (bus == PCI_BUS_UNREADABLE)
		finding_add(out, check, STATUS_ERROR, "host", ev, PCI_REMEDY,
			    "The PCI bus could not be listed (%s): whether this host has accelerators is unknown%s", reason,
			    n ? "; those listed were seen through a vendor library only" : "");
	else if (n == 0 && bus == PCI_BUS_UNSTATED)
		finding_add(out, check, STATUS_SKIP, "host", ev, "Gather the facts again with this version of chipaudit.",
			    "No accelerator listed, but the facts do not say whether the PCI bus was read (an older probe)");
	else if (n == 0)
		finding_add(out, check, STATUS_PASS, "host", ev, NULL, "No accelerator found on the PCI bus");
	else
		finding_add(out, check, STATUS_PASS, "host", ev, NULL, "%zu accelerator%s found", n, n == 1 ? "" : "s");
}

/* Unknown is not pass: sources the probe could not read are stated. */
static void evaluate_limitations(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *lim = jarr(ctx->facts, "limitations");
	size_t n = json_array_size(lim);

	if (n == 0) {
		finding_add(out, check, STATUS_PASS, "host", NULL, NULL, "Every source the probe looked for was readable");
		return;
	}
	finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:O}", "limitations", lim),
		    "Run as root, or on the machine itself rather than a partial capture, to examine these sources.",
		    "%zu source%s could not be examined; the checks that need them say so", n, n == 1 ? "" : "s");
}

static const struct check host_checks[] = {
	{ "host.inventory", "host", "Accelerators present on the PCI bus", SEVERITY_INFO,
	  "accelerators[]", 0, evaluate_inventory },
	{ "host.probe.limitations", "host", "Sources the probe could not examine", SEVERITY_INFO,
	  "limitations[]", 0, evaluate_limitations },
};

const struct check_family host_family = { "host", host_checks, sizeof(host_checks) / sizeof(host_checks[0]) };
