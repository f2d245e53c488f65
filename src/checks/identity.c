/* Identity checks: is each accelerator what its IDs say it is? */
#include <stdio.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

static json_t *pci_evidence(const json_t *acc)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}",
			 "vendor_id", jstr(acc, "vendor_id"), "device_id", jstr(acc, "device_id"),
			 "vendor", jstr(acc, "vendor"), "pci_name", jstr(acc, "pci_name"),
			 "model", jstr(acc, "model"));
}

/* The model named in facts must be the one the database gives for the IDs:
 * a facts file that names another model is not trusted. */
static void evaluate_database(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const struct accel_model *m = NULL;

		m = accdb_for_accelerator(ctx->accdb, acc);
		if (m == NULL) {
			finding_add(out, check, STATUS_WARN, addr, pci_evidence(acc),
				    "Add the model to data/accelerators.json with sourced figures, or pass --data-dir with an updated database.",
				    "%s:%s (%s) is not in the accelerator database: its declared figures, export class and expected layout cannot be checked",
				    jstr(acc, "vendor_id"), jstr(acc, "device_id"),
				    jstr(acc, "pci_name") ? jstr(acc, "pci_name") : "no pci.ids name");
		} else {
			finding_add(out, check, STATUS_PASS, addr, pci_evidence(acc), NULL,
				    "%s %s, identified by PCI ID %s:%s", m->vendor, m->name,
				    jstr(acc, "vendor_id"), jstr(acc, "device_id"));
		}
	}
}

static const struct check identity_checks[] = {
	{ "identity.database", "identity", "Accelerator model known to the database", SEVERITY_LOW,
	  "accelerators[].vendor_id, device_id", 0, evaluate_database },
};

const struct check_family identity_family = { "identity", identity_checks,
					       sizeof(identity_checks) / sizeof(identity_checks[0]) };
