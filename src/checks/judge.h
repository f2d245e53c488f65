/* Judging: every check run on a facts document, into a report. Below the
 * commands (src/cmd/) and the evidence layer (src/evidence/), which both
 * judge, so that neither calls up into the other. */
#ifndef CHIPAUDIT_CHECKS_JUDGE_H
#define CHIPAUDIT_CHECKS_JUDGE_H

#include <jansson.h>
#include <stdbool.h>

struct accdb;
struct judge_options;

/* Judge validated FACTS into a report (OPTS may be NULL: the defaults). */
json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts);

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
