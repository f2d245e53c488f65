#include "checks/judge.h"

#include <string.h>

#include "core/json.h"

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
