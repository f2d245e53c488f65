/* What an audit does with its judged report (src/evidence/record.c). */
#ifndef CHIPAUDIT_EVIDENCE_RECORD_H
#define CHIPAUDIT_EVIDENCE_RECORD_H

#include <jansson.h>

struct accdb;
struct judge_options;

/* After an audit's report is judged: its place in the host's chain, the
 * drift baseline from history (judging again with it), the evidence
 * members, the signature, the files and the history. *output is set to
 * NULL once the report file has been written. 0 or an exit code, with a
 * one-line error printed. */
int evidence_record_audit(json_t **report, const json_t *facts, const struct accdb *db,
			  struct judge_options *opts, const char **output);
/* --baseline, --reference and --drift-margin (CODE: core/options.h); 1 when
 * handled, or an exit code after a one-line error. */
int evidence_option(int code, const char *arg, struct judge_options *opts);
void evidence_options_free(struct judge_options *opts);

#endif
