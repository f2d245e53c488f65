/* What the kill-switch checks share with the command line. */
#ifndef CHIPAUDIT_CHECKS_KILLSWITCH_H
#define CHIPAUDIT_CHECKS_KILLSWITCH_H

#include <jansson.h>
#include <stddef.h>

/* Validate an --expect-mig policy: {"gpus": {"*" | PCI address | GPU UUID:
 * false | ["1g.10gb", ...]}}. Returns 0, or -1 with err naming the member. */
int mig_policy_validate(const json_t *policy, char *err, size_t errlen);

#endif
