/* Host checks: what was found, and what could not be examined. */
#include "core/check.h"
#include "core/json.h"

static void evaluate_inventory(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *accs = jarr(ctx->facts, "accelerators");
	size_t n = json_array_size(accs), i;
	json_t *addrs = json_array(), *acc;

	json_array_foreach(accs, i, acc)
		json_array_append_new(addrs, json_string(jstr(acc, "pci_address")));
	if (n == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i, s:o}", "count", 0, "accelerators", addrs),
			    NULL, "No accelerator found on the PCI bus");
	else
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i, s:o}", "count", (int)n, "accelerators", addrs),
			    NULL, "%zu accelerator%s found", n, n == 1 ? "" : "s");
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
