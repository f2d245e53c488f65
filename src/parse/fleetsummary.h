/* A fleet's summary as the collector answers it (`chipaudit-collector query
 * summary --json`, or GET /v1/query/summary, whose {"status": "answered",
 * "answer": {...}} is unwrapped): hosts, accelerators by model, hosts by
 * trust level, each check's counts by status (docs/fleet.md). `chipaudit
 * justify --fleet-summary` reads it to justify a whole fleet without its
 * reports.
 *
 * Pure: bytes in, a validated document or a one-line error ("NAME: member:
 * problem") out. Every count is a whole number from 0 to 2^53, the parts add
 * up to their totals, no model or check is named twice, and no member is
 * unknown: a summary that does not add up is refused, not half believed. */
#ifndef CHIPAUDIT_FLEETSUMMARY_H
#define CHIPAUDIT_FLEETSUMMARY_H

#include <jansson.h>
#include <stddef.h>

#define FLEET_SUMMARY_MAX_BYTES (16u * 1024 * 1024)
#define FLEET_SUMMARY_NAME_MAX 256

/* Parse LEN bytes of BUF, named NAME in errors. The summary object (a new
 * reference), or NULL with err. */
json_t *fleet_summary_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen);

#endif
