/* The dashboard's own queries, under GET /v1/query/NAME with the operator's
 * token (src/collector/serve.c), for what `query` does not answer:
 *
 *   hosts      one page of the hosts table, filtered (failing check, model,
 *              trust level, silent), with the number of hosts that match
 *   overview   reports received per day (sql/006's report_days), silent
 *              hosts and incidents: the overview's figures beside `summary`
 *   diff       two reports of a host: the findings whose status changed
 *
 * As in query.c, the columns are named as the JSON answer names them, and
 * every value from the request reaches PostgreSQL as a parameter, never as
 * SQL text. The server never returns the whole fleet: at most PAGE_MAX rows
 * of hosts an answer. docs/collector-protocol.md has the parameters. */
#include "collector/query_pages.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "collector/db.h"
#include "collector/duration.h"
#include "collector/query.h"
#include "core/util.h"

#define EXIT_NOT_FOUND 1      /* the host or report asked about is not in the database */
#define PAGE_DEFAULT 50
#define PAGE_MAX 200
#define OFFSET_MAX 1000000000
#define DAYS_DEFAULT 30
#define DAYS_MAX 366
#define GRACE_DEFAULT "4h"    /* as sweep's --grace */
#define TEXT_MAX 256          /* a check id, a model, a host id */

/* timestamptz as the reports write times: UTC, to the second. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Silent as sweep judges it: no report (or, never heard from, no report
 * since its enrolment) for its schedule plus the grace GRACE (a parameter
 * in seconds), and a key not revoked. */
#define SILENT(h, grace)                                                                                   \
	"(coalesce(" h ".last_received_at, " h ".enrolled_at) < now() - make_interval(secs => " h             \
	".schedule_seconds + " grace "::bigint) AND EXISTS (SELECT 1 FROM keys k WHERE k.host_id = " h       \
	".host_id AND k.revoked_at IS NULL))"

/* Statuses from best to worst: a subject's status in a report is its worst. */
#define STATUSES "ARRAY['pass','skip','warn','error','fail']"

struct pages {
	PGconn *conn;
	query_param_fn param;
	void *ctx;
	int rc;         /* the first failure's exit code */
	char err[512];  /* and its message */
};

__attribute__((format(printf, 3, 4))) static void fail_with(struct pages *p, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->rc = rc;
}

/* --- parameters */

/* The text parameter KEY, NULL when absent or empty; false when too long. */
static bool text_param(struct pages *p, const char *key, const char **out)
{
	const char *v = p->param(p->ctx, key);

	*out = v && *v ? v : NULL;
	if (*out && strlen(*out) > TEXT_MAX) {
		fail_with(p, EXIT_USAGE, "query: %s: longer than %d bytes", key, TEXT_MAX);
		return false;
	}
	return true;
}

/* The whole number parameter KEY, from MIN to MAX, DEF when absent, as
 * decimal text in OUT. */
static bool number_param(struct pages *p, const char *key, uint64_t min, uint64_t max, uint64_t def, char *out,
			 size_t outlen)
{
	const char *v = p->param(p->ctx, key);
	uint64_t n = def;

	if (v && (parse_u64(v, 10, &n) != 0 || n < min || n > max)) {
		fail_with(p, EXIT_USAGE, "query: %s: expected a whole number from %llu to %llu", key,
			  (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	snprintf(out, outlen, "%llu", (unsigned long long)n);
	return true;
}

/* grace=DURATION (default 4h), in seconds as decimal text in OUT. */
static bool grace_param(struct pages *p, char *out, size_t outlen)
{
	const char *v = p->param(p->ctx, "grace");
	uint64_t seconds;

	if (parse_duration(v ? v : GRACE_DEFAULT, &seconds) != 0) {
		fail_with(p, EXIT_USAGE, "query: grace: expected a duration such as 90m, 36h, 2d or 1w");
		return false;
	}
	snprintf(out, outlen, "%llu", (unsigned long long)seconds);
	return true;
}

/* --- SQL to JSON */

static PGresult *run(struct pages *p, const char *sql, int n, const char *const *params)
{
	PGresult *r = NULL;
	char msg[400];
	const char *state;

	if (db_exec(p->conn, sql, n, params, &r))
		return r;
	state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	/* 22xxx: data exceptions, a value of the request's that the database refused */
	fail_with(p, state && str_starts_with(state, "22") ? EXIT_DATAERR : EXIT_SOFTWARE, "query: %s",
		  db_error(p->conn, r, msg, sizeof(msg)));
	PQclear(r);
	return NULL;
}

/* Set KEY of OBJ to the rows of SQL; false when it failed. */
static bool set_rows(struct pages *p, json_t *obj, const char *key, const char *sql, int n, const char *const *params)
{
	PGresult *r = run(p, sql, n, params);

	if (!r)
		return false;
	json_object_set_new(obj, key, query_rows_json(r));
	PQclear(r);
	return true;
}

/* The one row of SQL as an object, set as KEY of OBJ (NULL: merged into
 * OBJ); false when it failed or found no row (p->rc still 0 then). */
static bool set_row(struct pages *p, json_t *obj, const char *key, const char *sql, int n, const char *const *params)
{
	PGresult *r = run(p, sql, n, params);
	json_t *rows;
	bool found;

	if (!r)
		return false;
	rows = query_rows_json(r);
	PQclear(r);
	found = json_array_size(rows) == 1;
	if (found && key)
		json_object_set(obj, key, json_array_get(rows, 0));
	else if (found)
		json_object_update(obj, json_array_get(rows, 0));
	json_decref(rows);
	return found;
}

/* --- hosts: one page of the hosts table */

/* The hosts table's WHERE, made of only the filters given, each a
 * parameter of its own: "(p IS NULL OR filter)" would keep PostgreSQL from
 * turning the EXISTS into joins (it pulls sublinks up before it folds the
 * constants), and the silent filter then ran a subquery per host (217 ms at
 * 100,000 hosts instead of 2). */
struct hosts_where {
	char *sql;                /* "" or " WHERE ... AND ..." */
	const char *params[8];
	int n;
};

/* TEXT with each "$?" made "$N" (a new string). */
static char *with_param(const char *text, int n)
{
	char num[16], *out = xstrdup(""), *next;
	const char *at;

	snprintf(num, sizeof(num), "$%d", n);
	while ((at = strstr(text, "$?"))) {
		next = xasprintf("%s%.*s%s", out, (int)(at - text), text, num);
		free(out);
		out = next;
		text = at + 2;
	}
	next = xasprintf("%s%s", out, text);
	free(out);
	return next;
}

/* Add FILTER, in which each "$?" stands for VALUE. */
static void where_add(struct hosts_where *w, const char *filter, const char *value)
{
	char *text, *next;

	w->params[w->n++] = value;
	text = with_param(filter, w->n);
	next = xasprintf("%s%s%s", w->sql, *w->sql ? " AND " : " WHERE ", text);
	free(text);
	free(w->sql);
	w->sql = next;
}

static void hosts_where(struct hosts_where *w, const char *check, const char *model, const char *trust,
			const char *silent, const char *grace)
{
	w->sql = xstrdup("");
	w->n = 0;
	if (check)
		where_add(w, "EXISTS (SELECT 1 FROM current_findings c WHERE c.host_id = h.host_id AND c.check_id = $? "
			  "AND c.status = 'fail')", check);
	if (model)
		where_add(w, "EXISTS (SELECT 1 FROM accelerators a WHERE a.last_host_id = h.host_id AND (a.model = $? OR "
			  "(a.model IS NULL AND $? = '(unknown)')))", model);
	if (trust)
		where_add(w, "h.trust_level = $?::int", trust);
	if (silent)
		where_add(w, SILENT("h", "$?"), grace);
}

/* The page's hosts are chosen first, and only then their accelerators and
 * failing subjects counted: in one query the counts would be made for
 * every row OFFSET skips too. After the filters' parameters: the grace,
 * the limit, the offset. */
static char *hosts_page_sql(const struct hosts_where *w)
{
	char *silent = with_param(SILENT("p", "$?"), w->n + 1);
	char *sql = xasprintf("SELECT p.host_id, p.hostname, p.trust_level, p.worst, p.last_sequence, "
			      TS("p.last_received_at") " AS last_received_at, "
			      "(SELECT count(*) FROM accelerators a WHERE a.last_host_id = p.host_id) AS accelerators, "
			      "(SELECT count(*) FROM current_findings c WHERE c.host_id = p.host_id AND c.status = 'fail') "
			      "AS failing, %s::int AS silent FROM (SELECT h.* FROM hosts h%s ORDER BY h.host_id "
			      "LIMIT $%d::int OFFSET $%d::bigint) p ORDER BY p.host_id", silent, w->sql, w->n + 2, w->n + 3);

	free(silent);
	return sql;
}

/* trust=N: a level from 0 to 9, as text in OUT; NULL when absent. */
static bool trust_param(struct pages *p, const char **out, char *buf, size_t len)
{
	const char *v = p->param(p->ctx, "trust");

	*out = NULL;
	if (!v || !*v)
		return true;
	if (!number_param(p, "trust", 0, 9, 0, buf, len))
		return false;
	*out = buf;
	return true;
}

/* silent=1: only silent hosts; absent (or empty): all. */
static bool silent_param(struct pages *p, const char **out)
{
	const char *v = p->param(p->ctx, "silent");

	*out = NULL;
	if (!v || !*v)
		return true;
	if (strcmp(v, "1") != 0) {
		fail_with(p, EXIT_USAGE, "query: silent: expected 1 (only silent hosts), or no value");
		return false;
	}
	*out = "true";
	return true;
}

static json_t *query_hosts(struct pages *p)
{
	char trust[24], grace[24], limit[24], offset[24], *count_sql, *page_sql;
	const char *check, *model, *trust_level, *silent;
	struct hosts_where w;
	json_t *s;
	bool ok;

	if (!text_param(p, "check", &check) || !text_param(p, "model", &model) ||
	    !trust_param(p, &trust_level, trust, sizeof(trust)) || !silent_param(p, &silent) ||
	    !grace_param(p, grace, sizeof(grace)) ||
	    !number_param(p, "limit", 1, PAGE_MAX, PAGE_DEFAULT, limit, sizeof(limit)) ||
	    !number_param(p, "offset", 0, OFFSET_MAX, 0, offset, sizeof(offset)))
		return NULL;
	hosts_where(&w, check, model, trust_level, silent, grace);
	count_sql = xasprintf("SELECT count(*) AS total FROM hosts h%s", w.sql);
	page_sql = hosts_page_sql(&w);
	s = json_pack("{s:I,s:I}", "offset", (json_int_t)strtoll(offset, NULL, 10), "limit",
		      (json_int_t)strtoll(limit, NULL, 10));
	ok = set_row(p, s, NULL, count_sql, w.n, w.params);
	w.params[w.n] = grace;
	w.params[w.n + 1] = limit;
	w.params[w.n + 2] = offset;
	ok = ok && set_rows(p, s, "hosts", page_sql, w.n + 3, w.params);
	free(count_sql);
	free(page_sql);
	free(w.sql);
	if (!ok) {
		json_decref(s);
		return NULL;
	}
	return s;
}

/* --- overview: the trend and the counts beside `summary` */

static json_t *query_overview(struct pages *p)
{
	char days[24], grace[24];
	const char *params[] = { days, grace };
	json_t *s = json_object();

	if (!number_param(p, "days", 1, DAYS_MAX, DAYS_DEFAULT, days, sizeof(days)) || !grace_param(p, grace, sizeof(grace)) ||
	    !set_row(p, s, NULL, "SELECT $1::int AS days, $2::bigint AS grace_seconds, "
				 "(SELECT count(*) FROM hosts h WHERE " SILENT("h", "$2") ") AS silent_hosts, "
				 "(SELECT count(*) FROM incidents) AS incidents, "
				 "(SELECT count(*) FROM incidents WHERE at >= now() - make_interval(days => $1::int)) "
				 "AS recent_incidents", 2, params) ||
	    /* report_days is kept by a trigger on reports (sql/006): 16 rows a day */
	    !set_rows(p, s, "reports_per_day",
		      "SELECT to_char(d, 'YYYY-MM-DD') AS day, coalesce(sum(r.n), 0)::bigint AS reports "
		      "FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($1::int - 1), "
		      "(now() AT TIME ZONE 'UTC')::date, interval '1 day') d "
		      "LEFT JOIN report_days r ON r.day = d::date GROUP BY d ORDER BY d", 1, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

/* --- diff: the findings whose status changed between two reports of a host */

/* $1 host, $2 sequence: the report (the latest received, should a new key
 * have started its chain again at that sequence). */
#define REPORT_AT(seq)                                                                                      \
	"SELECT id, received_at, sequence, sha256, worst FROM reports WHERE host_id = $1 AND sequence = "    \
	seq "::bigint ORDER BY received_at DESC LIMIT 1"

/* Each subject's worst status in a report, as its place in STATUSES. */
#define WORST_OF(r)                                                                                         \
	"SELECT f.check_id, f.subject, max(array_position(" STATUSES ", f.status)) AS w FROM findings f "   \
	"JOIN " r " ON f.received_at = " r ".received_at AND f.report_id = " r ".id WHERE f.host_id = $1 "  \
	"GROUP BY 1, 2"

static const char diff_sql[] =
	"WITH ra AS (" REPORT_AT("$2") "), rb AS (" REPORT_AT("$3") "), "
	"fa AS (" WORST_OF("ra") "), fb AS (" WORST_OF("rb") ") "
	"SELECT coalesce(fa.check_id, fb.check_id) AS check, coalesce(fa.subject, fb.subject) AS subject, "
	"(" STATUSES ")[fa.w] AS before, (" STATUSES ")[fb.w] AS now "
	"FROM fa FULL JOIN fb ON fa.check_id = fb.check_id AND fa.subject = fb.subject "
	"WHERE fa.w IS DISTINCT FROM fb.w ORDER BY 1, 2";

static bool diff_report(struct pages *p, json_t *s, const char *key, const char *const *params)
{
	const char *at[] = { params[0], params[1] };

	if (set_row(p, s, key, "SELECT sequence, " TS("received_at") " AS received_at, sha256, worst FROM (" REPORT_AT("$2")
			       ") r", 2, at))
		return true;
	if (p->rc == 0)
		fail_with(p, EXIT_NOT_FOUND, "query: host %s has no report %s", params[0], params[1]);
	return false;
}

static json_t *query_diff(struct pages *p)
{
	char from[24], to[24];
	const char *params[3];
	json_t *s;

	if (!text_param(p, "id", &params[0]) ||
	    !number_param(p, "from", 0, INT64_MAX, 0, from, sizeof(from)) ||
	    !number_param(p, "to", 0, INT64_MAX, 0, to, sizeof(to)))
		return NULL;
	if (!params[0] || !p->param(p->ctx, "from") || !p->param(p->ctx, "to")) {
		fail_with(p, EXIT_USAGE, "query: diff needs id=HOST_ID, from=SEQUENCE and to=SEQUENCE");
		return NULL;
	}
	params[1] = from;
	params[2] = to;
	s = json_pack("{s:s}", "host_id", params[0]);
	if (!diff_report(p, s, "from", (const char *const[]){ params[0], from }) ||
	    !diff_report(p, s, "to", (const char *const[]){ params[0], to }) ||
	    !set_rows(p, s, "changed", diff_sql, 3, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

/* --- the queries */

static const struct {
	const char *name;
	json_t *(*run)(struct pages *p);
} queries[] = {
	{ "hosts", query_hosts },
	{ "overview", query_overview },
	{ "diff", query_diff },
};

bool query_pages_has(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++)
		if (strcmp(name, queries[i].name) == 0)
			return true;
	return false;
}

json_t *query_pages_answer(PGconn *conn, const char *name, query_param_fn param, void *ctx, int *rc, char *err,
			   size_t errlen)
{
	struct pages p = { .conn = conn, .param = param, .ctx = ctx };
	json_t *a = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		if (strcmp(name, queries[i].name) != 0)
			continue;
		/* One snapshot for every statement of the answer. */
		PQclear(PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
		a = queries[i].run(&p);
		PQclear(PQexec(conn, "COMMIT"));
		break;
	}
	*rc = a ? 0 : p.rc ? p.rc : EXIT_SOFTWARE;
	if (!a)
		snprintf(err, errlen, "%s", p.err[0] ? p.err : "query: no such query");
	return a;
}
