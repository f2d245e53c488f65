/* The report as Prometheus metrics: a textfile for node_exporter's textfile
 * collector, in the text exposition format (version 0.0.4). docs/metrics.md
 * lists every series. */
#ifndef CHIPAUDIT_PROMETHEUS_H
#define CHIPAUDIT_PROMETHEUS_H

#include <jansson.h>
#include <stddef.h>

/* Most accelerators, and most (check, subject) pairs, a report may name to
 * be written as metrics: a node has a few dozen of each; a received report
 * with millions would make a textfile no scraper should take. */
#define METRICS_MAX_ACCELERATORS 1024
#define METRICS_MAX_PAIRS 65536

/* The metrics of REPORT (malloc'd text). FACTS are the facts it was judged
 * from when the report does not carry them (judge's report), or NULL: the
 * XID counts come from them. NULL with err = "member: problem" when the
 * report's time is not an RFC 3339 time, or it names more than the limits
 * above. */
char *report_render_prometheus(const json_t *report, const json_t *facts, char *err, size_t errlen);

#endif
