/* What the kill-switch checks share with the command line. */
#ifndef CHIPAUDIT_CHECKS_KILLSWITCH_H
#define CHIPAUDIT_CHECKS_KILLSWITCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/check.h"
#include "vendor/vendor.h"

/* Validate an --expect-mig policy: {"gpus": {"*" | PCI address | GPU UUID:
 * false | ["1g.10gb", ...]}}. Returns 0, or -1 with err naming the member. */
int mig_policy_validate(const json_t *policy, char *err, size_t errlen);

/* Validate DOC as data/xids.json (docs/killswitch.md). Returns 0, or -1 with
 * err naming the member. */
int xid_catalog_check(const json_t *doc, char *err, size_t errlen);

/* The kind ("fault", "degraded", ...) DOC gives an XID event of this number
 * and text, on a GPU older than Ampere or not; "unknown" for an XID DOC does
 * not list; NULL when DOC is not valid. Points into DOC. */
const char *xid_catalog_kind(const json_t *doc, long xid, const char *text, bool before_ampere_gpu);

/* One accelerator with a runtime record, as the kill-switch checks see it. */
struct gpu {
	const struct vendor_backend *backend;
	const json_t *section;  /* facts.NAME, the backend's section */
	const json_t *values;   /* accelerators[].vendor_library.NAME */
	const json_t *rt;       /* accelerators[].runtime */
	const char *addr;
};

typedef void (*gpu_fn)(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		       struct findings *out);

/* Call FN for every accelerator with a runtime backend (ONLY, or any when
 * NULL) and a record; the others of that backend's vendor get a skip that
 * says why. Facts from a build without the backend (or whose section says
 * its library was not available) are never trusted per device. */
void killswitch_for_each_gpu(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
			     const struct vendor_backend *only, gpu_fn fn);

/* killswitch.xid (killswitch_xid.c): the kernel log's XID events. */
void killswitch_evaluate_xid(const struct check *check, const struct judge_ctx *ctx, struct findings *out);

#endif
