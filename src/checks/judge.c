#include "checks/judge.h"

#include <string.h>

#include "core/check.h"
#include "core/json.h"
#include "core/report.h"

json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts)
{
	static const struct judge_options defaults;
	struct judge_ctx ctx = { .facts = facts, .accdb = db, .options = opts ? opts : &defaults };
	struct findings findings = { 0 };
	json_t *report;

	judge_run(&ctx, &findings);
	report = report_build(facts, &findings);
	findings_free(&findings);
	return report;
}

enum pci_bus_state judge_pci_bus(const json_t *facts, const char **reason)
{
	const json_t *bus = jobj(facts, "pci_bus");

	*reason = NULL;
	if (bus == NULL)
		return PCI_BUS_UNSTATED;
	if (json_is_true(json_object_get(bus, "readable")))
		return PCI_BUS_LISTED;
	*reason = jstr(bus, "reason") ? jstr(bus, "reason") : "no reason given";
	return PCI_BUS_UNREADABLE;
}

bool judge_in_sysfs(const json_t *acc)
{
	const char *seen = jstr(acc, "seen_through");
	return seen && strcmp(seen, "pci") == 0;
}
