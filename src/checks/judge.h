/* What the checks of several families ask of the facts in the same way. */
#ifndef CHIPAUDIT_CHECKS_JUDGE_H
#define CHIPAUDIT_CHECKS_JUDGE_H

#include <jansson.h>
#include <stdbool.h>

/* What the facts say of the PCI bus (facts.pci_bus): listed, not readable
 * (*reason says why), or not stated (facts from a probe before it). An
 * empty accelerator list means "none" only when the bus was listed. */
enum pci_bus_state { PCI_BUS_LISTED, PCI_BUS_UNREADABLE, PCI_BUS_UNSTATED };
enum pci_bus_state judge_pci_bus(const json_t *facts, const char **reason);

/* Whether the accelerator's own PCI function is in sysfs (seen_through
 * "pci"): only then are its IOMMU group, BARs, ROM and SR-IOV state known.
 * A GPU that a container shows through NVML only is not. */
bool judge_in_sysfs(const json_t *acc);

#endif
