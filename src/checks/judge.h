/* Judging: every check run on a facts document, into a report. Below the
 * commands (src/cmd/) and the evidence layer (src/evidence/), which both
 * judge, so that neither calls up into the other. */
#ifndef CHIPAUDIT_CHECKS_JUDGE_H
#define CHIPAUDIT_CHECKS_JUDGE_H

#include <jansson.h>

struct accdb;
struct judge_options;

/* Judge validated FACTS into a report (OPTS may be NULL: the defaults). */
json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts);

#endif
