/* The collector's /metrics (docs/metrics.md). The counters are process-wide,
 * under one mutex: serve runs a thread per connection. The fleet's gauges
 * come from the counter tables kept by triggers (check_counts,
 * accelerator_counts, incident_counts) and from indexed counts of hosts, so
 * a scrape reads a few hundred rows whatever the fleet's size. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/db.h"
#include "core/check.h"
#include "collector/metrics.h"
#include "core/util.h"

#define HTTP_MAX 600
static const double buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))
static const char *const endpoint_names[EP_COUNT] = { "reports", "nonce", "query", "metrics", "other" };

static struct {
	pthread_mutex_t lock;
	uint64_t requests[EP_COUNT][HTTP_MAX];
	uint64_t ingested, refused[HTTP_MAX];
	uint64_t bucket[NBUCKETS], count;
	double sum;
} m = { .lock = PTHREAD_MUTEX_INITIALIZER };

void metrics_request(enum metrics_endpoint ep, unsigned http)
{
	pthread_mutex_lock(&m.lock);
	m.requests[ep < EP_COUNT ? ep : EP_OTHER][http < HTTP_MAX ? http : 0]++;
	pthread_mutex_unlock(&m.lock);
}

void metrics_ingest(unsigned http, double seconds)
{
	pthread_mutex_lock(&m.lock);
	if (http == 201)
		m.ingested++;
	else
		m.refused[http < HTTP_MAX ? http : 0]++;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			m.bucket[i]++;
	m.count++;
	m.sum += seconds;
	pthread_mutex_unlock(&m.lock);
}

/* --- the text */

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len)
			break;
		o->cap = 2 * o->cap + (size_t)(n > 0 ? n : 0) + 1;
		o->buf = xrealloc(o->buf, o->cap);
	}
	o->len += (size_t)n;
}

static void header(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped: backslash, double quote and newline; other
 * control characters, which the format cannot escape, become '?'. */
static void put_label(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			put(o, "\\\\");
		else if (*v == '"')
			put(o, "\\\"");
		else if (*v == '\n')
			put(o, "\\n");
		else if ((unsigned char)*v < 0x20 || *v == 0x7f)
			put(o, "?");
		else
			put(o, "%c", *v);
	}
}

static void own_counters(struct out *o)
{
	pthread_mutex_lock(&m.lock);
	header(o, "chipaudit_collector_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
	for (int e = 0; e < EP_COUNT; e++)
		for (int h = 0; h < HTTP_MAX; h++)
			if (m.requests[e][h])
				put(o, "chipaudit_collector_requests_total{endpoint=\"%s\",code=\"%d\"} %llu\n",
				    endpoint_names[e], h, (unsigned long long)m.requests[e][h]);
	header(o, "chipaudit_collector_reports_ingested_total", "counter", "Reports verified and stored.");
	put(o, "chipaudit_collector_reports_ingested_total %llu\n", (unsigned long long)m.ingested);
	header(o, "chipaudit_collector_reports_refused_total", "counter", "Reports refused, by HTTP status.");
	for (int h = 0; h < HTTP_MAX; h++)
		if (m.refused[h])
			put(o, "chipaudit_collector_reports_refused_total{code=\"%d\"} %llu\n", h,
			    (unsigned long long)m.refused[h]);
	header(o, "chipaudit_collector_ingest_duration_seconds", "histogram",
	       "Seconds to verify and store (or refuse) one pushed report.");
	for (size_t i = 0; i < NBUCKETS; i++)
		put(o, "chipaudit_collector_ingest_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
		    (unsigned long long)m.bucket[i]);
	put(o, "chipaudit_collector_ingest_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)m.count);
	put(o, "chipaudit_collector_ingest_duration_seconds_sum %.9g\n", m.sum);
	put(o, "chipaudit_collector_ingest_duration_seconds_count %llu\n", (unsigned long long)m.count);
	pthread_mutex_unlock(&m.lock);
	header(o, "chipaudit_collector_build_info", "gauge", "Always 1; the collector's version as a label.");
	put(o, "chipaudit_collector_build_info{version=\"%s\"} 1\n", CHIPAUDIT_VERSION);
}

/* One gauge from SQL whose rows are the label values then the value. */
static bool gauge(struct out *o, PGconn *conn, const char *name, const char *help, const char *const *labels,
		  int nlabels, const char *sql, int nparams, const char *const *params)
{
	PGresult *r;

	if (!db_exec(conn, sql, nparams, params, &r)) {
		PQclear(r);
		return false;
	}
	header(o, name, "gauge", help);
	for (int i = 0; i < PQntuples(r); i++) {
		put(o, "%s", name);
		for (int l = 0; l < nlabels; l++) {
			put(o, "%s%s=\"", l ? "," : "{", labels[l]);
			put_label(o, PQgetisnull(r, i, l) ? "" : PQgetvalue(r, i, l));
			put(o, "\"%s", l == nlabels - 1 ? "}" : "");
		}
		put(o, " %s\n", PQgetvalue(r, i, nlabels));
	}
	PQclear(r);
	return true;
}

/* Model, export class and check id are whatever the hosts' signed reports
 * say, so a hostile (or merely odd) fleet could make a series per value and
 * swamp every Prometheus that scrapes us. Each such gauge keeps its largest
 * label sets (accelerators) or checks (findings), up to a fixed number,
 * cuts each value to LABEL_MAX characters, and adds the rest into series
 * labelled "(other)"; chipaudit_fleet_series_folded says how many label sets
 * were folded. The counts stay exact: only their labels are merged. */
#define LABEL_MAX "128"
#define ACCELERATOR_SERIES_MAX "200"
#define FINDINGS_CHECKS_MAX "400"
#define OTHER "'(other)'"

/* Rows (model, export class, n) ranked by n, as the folding keeps them. */
#define ACCELERATORS_RANKED                                                                              \
	"SELECT m, e, v, row_number() OVER (ORDER BY v DESC, m, e) AS rank FROM (SELECT left(model, " \
	LABEL_MAX ") AS m, left(export_class, " LABEL_MAX ") AS e, sum(n) AS v FROM accelerator_counts "  \
	"GROUP BY 1, 2 HAVING sum(n) > 0) g"
/* Rows (check, status, n) with each check ranked, the checks this collector
 * knows ($1, its catalogue) first, then by total, so that a check keeps all
 * its statuses or is folded whole; status is one of five. */
#define FINDINGS_RANKED                                                                                  \
	"SELECT c, s, v, dense_rank() OVER (ORDER BY c = ANY($1::text[]) DESC, t DESC, c) AS rank FROM "   \
	"(SELECT c, s, v, sum(v) OVER "                                                                     \
	"(PARTITION BY c) AS t FROM (SELECT left(check_id, " LABEL_MAX ") AS c, status AS s, sum(n) AS v "  \
	"FROM check_counts GROUP BY 1, 2 HAVING sum(n) > 0) g) t"

/* The catalogue's check ids as a PostgreSQL array literal (ids are dotted
 * lower-case words: nothing to quote). The caller frees it. */
static char *known_checks(void)
{
	struct out ids = { .buf = xmalloc(1024), .cap = 1024 };

	put(&ids, "{");
	for (size_t f = 0; f < check_family_count; f++)
		for (size_t i = 0; i < check_families[f]->count; i++)
			put(&ids, "%s%s", ids.len > 1 ? "," : "", check_families[f]->checks[i].id);
	put(&ids, "}");
	return ids.buf;
}

static bool folded_gauges(struct out *o, PGconn *conn)
{
	static const char *const accel[] = { "model", "export_class" }, *const check[] = { "check", "status" },
				 *const metric[] = { "metric" };
	char *known = known_checks();
	const char *params[] = { known };
	bool ok;

	ok = gauge(o, conn, "chipaudit_fleet_accelerators", "Accelerators by model and export class (at most "
		     ACCELERATOR_SERIES_MAX " series; the rest under (other)).", accel, 2,
		     "SELECT CASE WHEN rank <= " ACCELERATOR_SERIES_MAX " THEN m ELSE " OTHER " END, CASE WHEN rank <= "
		     ACCELERATOR_SERIES_MAX " THEN e ELSE " OTHER " END, sum(v) FROM (" ACCELERATORS_RANKED ") r "
		     "GROUP BY 1, 2 ORDER BY 1, 2", 0, NULL) &&
	       gauge(o, conn, "chipaudit_fleet_findings", "Current findings by check and status (at most "
		     FINDINGS_CHECKS_MAX " checks; the rest under check (other)).", check, 2,
		     "SELECT CASE WHEN rank <= " FINDINGS_CHECKS_MAX " THEN c ELSE " OTHER " END, s, sum(v) FROM ("
		     FINDINGS_RANKED ") r GROUP BY 1, 2 ORDER BY 1, 2", 1, params) &&
	       gauge(o, conn, "chipaudit_fleet_series_folded", "Label sets of a fleet gauge added into its (other) "
		     "series because the gauge had too many.", metric, 1,
		     "SELECT 'chipaudit_fleet_accelerators', count(*) FILTER (WHERE rank > " ACCELERATOR_SERIES_MAX
		     ") FROM (" ACCELERATORS_RANKED ") a UNION ALL SELECT 'chipaudit_fleet_findings', count(*) FILTER "
		     "(WHERE rank > " FINDINGS_CHECKS_MAX ") FROM (" FINDINGS_RANKED ") f ORDER BY 1", 1, params);
	free(known);
	return ok;
}

static bool fleet_gauges(struct out *o, PGconn *conn, unsigned long long silent_seconds)
{
	static const char *const trust[] = { "trust_level" }, *const kind[] = { "kind" };
	char secs[32], help[200];
	const char *params[] = { secs };

	snprintf(secs, sizeof(secs), "%llu", silent_seconds);
	snprintf(help, sizeof(help), "Hosts with no report for their schedule plus %llu seconds of grace (serve "
		 "--silent-grace), as sweep counts them; revoked hosts left out.", silent_seconds);
	/* trust_level is a whole number 0..1000 (the request parser refuses
	 * others) and kind is the collector's own word: both bounded. */
	return gauge(o, conn, "chipaudit_fleet_hosts", "Hosts known to the collector.", NULL, 0,
		     "SELECT count(*) FROM hosts", 0, NULL) &&
	       gauge(o, conn, "chipaudit_fleet_hosts_by_trust_level", "Hosts by the trust level of their last report "
		     "(empty: none yet).", trust, 1,
		     "SELECT coalesce(trust_level::text, ''), count(*) FROM hosts GROUP BY 1 ORDER BY 1", 0, NULL) &&
	       gauge(o, conn, "chipaudit_fleet_hosts_silent", help, NULL, 0,
		     "SELECT count(*) FROM hosts h WHERE coalesce(h.last_received_at, h.enrolled_at) < "
		     "now() - make_interval(secs => h.schedule_seconds + $1::bigint) AND EXISTS (SELECT 1 FROM keys k "
		     "WHERE k.host_id = h.host_id AND k.revoked_at IS NULL)", 1, params) &&
	       folded_gauges(o, conn) &&
	       gauge(o, conn, "chipaudit_fleet_incidents", "Incidents recorded, by kind.", kind, 1,
		     "SELECT kind, sum(n) FROM incident_counts GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1", 0, NULL);
}

char *metrics_render(PGconn *conn, unsigned long long silent_seconds, char *err, size_t errlen)
{
	struct out o = { .buf = xmalloc(4096), .cap = 4096 };

	o.buf[0] = '\0';
	if (!fleet_gauges(&o, conn, silent_seconds)) {
		db_error(conn, NULL, err, errlen);
		free(o.buf);
		return NULL;
	}
	own_counters(&o);
	return o.buf;
}
