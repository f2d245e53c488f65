/* What the spyware checks share with the other families that judge
 * processes (the drift check spyware.drift.new_talker, src/checks/drift.c). */
#ifndef CHIPAUDIT_SPYWARE_H
#define CHIPAUDIT_SPYWARE_H

#include <jansson.h>
#include <stddef.h>

/* Whether the processes section SEC leaves processes unseen: some could not
 * be inspected (not_inspectable[]) or the sockets of some of PROCS could not
 * be resolved. If so, 1 with *EVIDENCE (new) the counts and WHY a clause
 * saying so; else 0. Unknown is not pass: a clean verdict needs every
 * process inspected. */
int spyware_coverage_gap(const json_t *sec, const json_t *procs, json_t **evidence, char *why, size_t len);

#endif
