/* What the kill-switch checks share with the command line. */
#ifndef CHIPAUDIT_CHECKS_KILLSWITCH_H
#define CHIPAUDIT_CHECKS_KILLSWITCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/check.h"

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

/* killswitch.xid (killswitch_xid.c): the kernel log's XID events. */
void killswitch_evaluate_xid(const struct check *check, const struct judge_ctx *ctx, struct findings *out);

#endif
