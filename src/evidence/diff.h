/* What changed between two reports: accelerators added or removed, their
 * identity, firmware, power and clock limits and measured throughput; the
 * driver versions, module and firmware digests; the processes that hold an
 * accelerator and their network peers; findings that appeared, cleared or
 * changed status. Reads each report's facts (or, for a report without them,
 * its host and accelerators) through src/probe/shapes.c. */
#ifndef CHIPAUDIT_DIFF_H
#define CHIPAUDIT_DIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The changes from A to B: an array of {section, subject, what, from, to}
 * (from null: added; to null: removed), in section order. */
json_t *report_diff(const json_t *a, const json_t *b);

/* The changes for a person, grouped by section. */
void diff_render_text(FILE *out, const json_t *changes);

#endif
