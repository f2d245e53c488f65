/* The collector's /metrics: its own counters, kept in-process, and the
 * fleet's gauges, read from the counter tables; Prometheus text exposition
 * format 0.0.4. docs/metrics.md lists the series. */
#ifndef CHIPAUDIT_COLLECTOR_METRICS_H
#define CHIPAUDIT_COLLECTOR_METRICS_H

#include <libpq-fe.h>
#include <stddef.h>

enum metrics_endpoint { EP_REPORTS, EP_NONCE, EP_QUERY, EP_METRICS, EP_OTHER, EP_COUNT };

/* One answered request (thread-safe). */
void metrics_request(enum metrics_endpoint ep, unsigned http);

/* One POST /v1/reports, stored (201) or refused (any other HTTP status),
 * and the seconds its ingestion took (thread-safe). */
void metrics_ingest(unsigned http, double seconds);

/* The exposition: the collector's counters and, from CONN, the fleet's
 * gauges, with hosts silent for more than SILENT_SECONDS. NULL when the
 * database fails (ERR says why). The caller frees the text. */
char *metrics_render(PGconn *conn, unsigned long long silent_seconds, char *err, size_t errlen);

#endif
