/* The report: facts judged. Built as JSON (the documented schema in
 * docs/report.schema.json) and rendered for a person from that JSON, so the
 * text and JSON forms can never disagree. */
#ifndef CHIPAUDIT_REPORT_H
#define CHIPAUDIT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/check.h"

/* 2: a finding names its subjects, a list: consecutive findings of one
 * check that say the same thing (status, message, evidence, remediation) of
 * several subjects are one finding. Eight identical GPUs gave eight copies of
 * each per-accelerator finding, half of a report's bytes. 1: one subject per
 * finding; still read (report_parse gives it the form of 2). */
#define REPORT_SCHEMA_VERSION 2
#define REPORT_SCHEMA_OLDEST 1

/* New report from FACTS (borrowed) and FINDINGS. The summary counts results,
 * a finding of N subjects N times, as the findings were made. */
json_t *report_build(const json_t *facts, const struct findings *findings);

/* The bytes of a report: compact JSON and a newline (malloc'd, *LEN set
 * when LEN is not NULL). One form for every copy, the report file, what
 * --json prints, what is signed and what history stores, so they can be
 * compared byte for byte. Compact because a signature hashes every byte: the
 * indentation was 40% of an eight-GPU report. */
char *report_serialize(const json_t *report, size_t *len);

/* Exit status a report calls for (0, 1, 2) from its summary. */
int report_exit_code(const json_t *report);

void report_render_text(FILE *out, const json_t *report, bool colour);

/* Whether to colour output on this stream (a terminal, and NO_COLOR unset). */
bool want_colour(FILE *stream);

/* Judge validated FACTS into a report: every check, then report_build
 * (OPTS may be NULL: the defaults). */
struct accdb;
struct judge_options;
json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts);

#endif
