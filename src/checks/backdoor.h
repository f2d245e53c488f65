/* Shared by the backdoor check families (backdoor_dma.c, backdoor_layout.c,
 * backdoor_kernel.c, backdoor_software.c) and the host trust summary
 * (trust.c). */
#ifndef CHIPAUDIT_CHECKS_BACKDOOR_H
#define CHIPAUDIT_CHECKS_BACKDOOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/check.h"
#include "checks/trustdb.h"

/* The pcie[] entry of an accelerator, NULL when absent. */
const json_t *backdoor_pcie_entry(const json_t *facts, const char *address);
/* The IOMMU group object of an accelerator, NULL when none. */
const json_t *backdoor_iommu_group(const json_t *facts, const json_t *acc);
/* Skip every accelerator (or the host) when a facts section is missing:
 * facts from an older probe, or a hand-made document. Returns true when
 * the section is present. */
bool backdoor_need_section(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
			   const char *section, bool per_accelerator);

/* True when sysfs shows the accelerator's own PCI function; otherwise a
 * skip saying that its WHAT ("IOMMU group") cannot be examined: a GPU seen
 * through NVML only (a container) has nulls there that mean unknown, not
 * absent. */
bool backdoor_need_sysfs(const struct check *check, const json_t *acc, const char *what, struct findings *out);

/* The shipped bulletins and manifests, loaded once per process (data/ or
 * --data-dir). NULL when they do not load: *err says why (the caller
 * reports an error finding). */
const struct trustdb *backdoor_trustdb(char *err, size_t errlen);
/* Forget the cached data (end of a command). */
void backdoor_trustdb_release(void);

/* PATH of DRIVER against the shipped manifests and those given with
 * --manifest, for the driver's installed version (facts.drivers). */
enum manifest_verdict backdoor_manifest_lookup(const struct judge_ctx *ctx, const struct trustdb *db,
					       const char *driver, const char *path, const char *sha256, uint64_t size,
					       const json_t **expected, const char **origin);
/* The installed version of DRIVER (facts.drivers[].version), or NULL. */
const char *backdoor_driver_version(const json_t *facts, const char *driver);

/* Host trust summary ("trust" member of the report), from the findings
 * (and, from the facts, whether there is an accelerator to guard): see
 * docs/backdoor.md. Caller owns the result. */
json_t *trust_summary(const json_t *facts, const struct findings *findings);
/* Print it for a person (the report's text form). */
void trust_render_text(FILE *out, const json_t *trust, const char *bold, const char *reset);

/* The backdoor family's judge options, for cmd/common.c: --manifest FILE
 * loads and validates FILE into the struct judge_options at TARGET; an
 * option row's setter (0, or an error kind with a one-line error in ERR). */
int backdoor_option_manifest(const char *path, void *target, char *err, size_t errlen);
void backdoor_options_free(struct judge_options *judge);

#endif
