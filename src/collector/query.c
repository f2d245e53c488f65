/* chipaudit-collector query: the fleet summary, hosts failing a check, a
 * host's or a chip's history, what changed since a date, silent hosts and
 * incidents, from the collector's PostgreSQL database.
 *
 * Each subcommand is one or a few SQL statements whose columns are named as
 * the JSON answer names them; the answer is built as JSON and printed either
 * as it is (--json) or as text, every value escaped (host names and check
 * subjects come from the audited machines). Hosts are named by host_id, as
 * the reports name them. */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/query.h"
#include "collector/db.h"
#include "collector/duration.h"
#include "cmd/exit.h"
#include "core/util.h"

#define EXIT_NOT_FOUND 1     /* the host or chip asked about is not in the database */

/* PostgreSQL's type OIDs (catalog/pg_type_d.h), for the JSON value types. */
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

/* timestamptz as the reports write times: UTC, to the second. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

struct query_options {
	const char *db;
	const char *duration;  /* silent --for */
	const char *since;     /* changes, incidents --since */
	bool json;
};

static const struct opt_row query_rows[] = {
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
	  struct query_options, db),
	OPT_BOOL("json", 'j', "print the answer as JSON", struct query_options, json),
	OPT_STRING("for", 0, "DURATION", "silent: hosts with no report for DURATION (90m, 36h, 2d, 1w)",
	  struct query_options, duration),
	OPT_STRING("since", 0, "DATE", "changes, incidents: since DATE (ISO 8601, as PostgreSQL reads it)",
	  struct query_options, since),
	OPT_END,
};
static const struct opt_table query_table = { NULL, query_rows };

const struct cmd_spec query_spec = {
	.name = "query",
	.synopsis = "usage: chipaudit-collector query summary|failing CHECK|host HOST_ID|chip UUID|\n"
		    "                                 silent --for DURATION|changes --since DATE|incidents\n"
		    "                                 [--since DATE] [--json] [--db CONNINFO]\n",
	.about = "  Ask the collector's database about the fleet: a summary (hosts, accelerators\n"
		 "  by model, export class and trust level, each check's counts), the hosts failing\n"
		 "  CHECK now, a host's reports, a chip's hosts over time, silent hosts, what changed\n"
		 "  since DATE, and the incidents.\n",
	.trailer = "Exit: 0 answered; 1 no such host or chip; 64 usage; 65 a value the database\n"
		   "refused (a date); 69 the database could not be reached.\n",
	.tables = { &query_table },
};

/* --- SQL to JSON */

static json_t *cell_json(const PGresult *r, int row, int col)
{
	const char *v = PQgetvalue(r, row, col);
	long long n;

	if (PQgetisnull(r, row, col))
		return json_null();
	switch (PQftype(r, col)) {
	case OID_INT2: case OID_INT4: case OID_INT8:
		n = strtoll(v, NULL, 10);
		return json_integer(n);
	default:
		return json_string(v);  /* the database holds UTF-8: text from it is valid */
	}
}

static json_t *row_json(const PGresult *r, int row)
{
	json_t *o = json_object();

	for (int c = 0; c < PQnfields(r); c++)
		json_object_set_new(o, PQfname(r, c), cell_json(r, row, c));
	return o;
}

json_t *query_rows_json(const PGresult *r)
{
	json_t *a = json_array();

	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(a, row_json(r, i));
	return a;
}

struct query {
	PGconn *conn;
	int rc;         /* the first failure's exit code */
	char err[512];  /* and its message */
};

/* Run SQL with NPARAMS text parameters; NULL after printing why. */
static PGresult *run_sql(struct query *q, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = PQexecParams(q->conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	snprintf(q->err, sizeof(q->err), "query: %s", PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ?
		 PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(q->conn));
	q->err[strcspn(q->err, "\n")] = '\0';
	/* 22xxx: data exceptions, a value of the user's (a date) that the database refused. */
	q->rc = str_starts_with(PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "",
				"22") ? EXIT_DATAERR : EXIT_SOFTWARE;
	PQclear(r);
	return NULL;
}

/* Set KEY of OBJ to the rows of SQL; false when it failed. */
static bool set_rows(struct query *q, json_t *obj, const char *key, const char *sql, int nparams,
		     const char *const *params)
{
	PGresult *r = run_sql(q, sql, nparams, params);

	if (!r)
		return false;
	json_object_set_new(obj, key, query_rows_json(r));
	PQclear(r);
	return true;
}

/* The one row of SQL merged into OBJ; false when it failed or found nothing. */
static bool set_row(struct query *q, json_t *obj, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = run_sql(q, sql, nparams, params);
	bool found;

	if (!r)
		return false;
	found = PQntuples(r) == 1;
	if (found) {
		json_t *row = row_json(r, 0);

		json_object_update(obj, row);
		json_decref(row);
	}
	PQclear(r);
	return found;
}

/* --- the subcommands */

static json_t *query_summary(struct query *q, char **args)
{
	json_t *s = json_object();
	bool ok;

	(void)args;
	/* accelerator_counts and check_counts are kept by triggers (sql/002, sql/004) */
	ok = set_row(q, s, "SELECT (SELECT count(*) FROM hosts) AS hosts, "
			   "(SELECT coalesce(sum(n), 0) FROM accelerator_counts)::bigint AS accelerators", 0, NULL) &&
	     set_rows(q, s, "by_model", "SELECT model, sum(n)::bigint AS accelerators FROM accelerator_counts "
					"GROUP BY 1 HAVING sum(n) > 0 ORDER BY 2 DESC, 1", 0, NULL) &&
	     set_rows(q, s, "by_export_class", "SELECT export_class, sum(n)::bigint AS accelerators FROM accelerator_counts "
					       "GROUP BY 1 HAVING sum(n) > 0 ORDER BY 2 DESC, 1", 0, NULL) &&
	     set_rows(q, s, "by_trust_level", "SELECT trust_level, count(*) AS hosts FROM hosts "
					      "GROUP BY 1 ORDER BY 1 NULLS LAST", 0, NULL) &&
	     set_rows(q, s, "checks", "SELECT check_id AS check, "
				      "sum(n) FILTER (WHERE status = 'pass')::bigint AS pass, "
				      "sum(n) FILTER (WHERE status = 'warn')::bigint AS warn, "
				      "sum(n) FILTER (WHERE status = 'fail')::bigint AS fail, "
				      "sum(n) FILTER (WHERE status = 'skip')::bigint AS skip, "
				      "sum(n) FILTER (WHERE status = 'error')::bigint AS error "
				      "FROM check_counts GROUP BY check_id HAVING sum(n) > 0 ORDER BY check_id", 0, NULL);
	if (!ok) {
		json_decref(s);
		return NULL;
	}
	/* A status no host has is a count of 0, not an absent one. */
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(s, "checks"), i, c) {
		const char *k;
		json_t *v;
		json_object_foreach(c, k, v)
			if (json_is_null(v))
				json_object_set_new(c, k, json_integer(0));
	}
	return s;
}

static json_t *query_failing(struct query *q, char **args)
{
	json_t *s = json_pack("{s:s}", "check", args[0]);
	const char *params[] = { args[0] };

	if (!set_rows(q, s, "hosts",
		      /* the hosts looked up for the failing hosts alone, not joined with
		       * every host; received_at is the host's latest report's (a current
		       * finding keeps the time of the report that set its status) */
		      "SELECT c.host_id, h.hostname, c.subjects, " TS("h.last_received_at") " AS received_at "
		      "FROM (SELECT host_id, array_to_json(array_agg(subject ORDER BY subject))::text AS subjects "
		      "FROM current_findings WHERE check_id = $1 AND status = 'fail' GROUP BY host_id) c "
		      "CROSS JOIN LATERAL (SELECT hostname, last_received_at FROM hosts h WHERE h.host_id = c.host_id) h "
		      "ORDER BY c.host_id",
		      1, params)) {
		json_decref(s);
		return NULL;
	}
	/* The subjects arrive as a JSON array in text: make them an array. */
	json_t *h;
	size_t i;
	json_array_foreach(json_object_get(s, "hosts"), i, h) {
		json_t *subjects = json_loads(json_string_value(json_object_get(h, "subjects")), 0, NULL);
		json_object_set_new(h, "subjects", subjects ? subjects : json_array());
	}
	return s;
}

static json_t *query_host(struct query *q, char **args)
{
	json_t *s = json_object();
	const char *params[] = { args[0] };

	if (!set_row(q, s, "SELECT host_id, hostname, enrolment, " TS("enrolled_at") " AS enrolled_at, "
			   "last_sequence, " TS("last_received_at") " AS last_received_at, trust_level, worst "
			   "FROM hosts WHERE host_id = $1", 1, params)) {
		if (q->rc == 0) {
			snprintf(q->err, sizeof(q->err), "query: no host %s", args[0]);
			q->rc = EXIT_NOT_FOUND;
		}
		json_decref(s);
		return NULL;
	}
	if (!set_rows(q, s, "reports", "SELECT sequence, " TS("received_at") " AS received_at, "
					TS("report_time") " AS report_time, sha256, worst, trust_level, "
					"key_fingerprint FROM reports WHERE host_id = $1 ORDER BY sequence",
		      1, params) ||
	    !set_rows(q, s, "accelerators", "SELECT chip_id, uuid, model, export_class, last_pci_address AS pci_address "
					     "FROM accelerators WHERE last_host_id = $1 ORDER BY last_pci_address, chip_id",
		      1, params) ||
	    !set_rows(q, s, "not_passing", "SELECT check_id AS check, subject, status FROM current_findings "
					    "WHERE host_id = $1 AND status NOT IN ('pass', 'skip') ORDER BY check_id, subject",
		      1, params) ||
	    !set_rows(q, s, "incidents", "SELECT id, " TS("at") " AS at, kind, sequence, detail FROM incidents "
					  "WHERE host_id = $1 ORDER BY at, id", 1, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

/* A chip's sightings become spans: consecutive reports on the same host at
 * the same address are one line of its history. */
static json_t *sightings_spans(const PGresult *r)
{
	json_t *spans = json_array(), *last = NULL;

	for (int i = 0; i < PQntuples(r); i++) {
		const char *host = PQgetvalue(r, i, 0), *pci = PQgetvalue(r, i, 1), *at = PQgetvalue(r, i, 2);

		if (last && str_same(json_string_value(json_object_get(last, "host_id")), host) &&
		    str_same(json_string_value(json_object_get(last, "pci_address")), PQgetisnull(r, i, 1) ? NULL : pci)) {
			json_object_set_new(last, "to", json_string(at));
			json_object_set_new(last, "reports", json_integer(json_integer_value(json_object_get(last, "reports")) + 1));
			continue;
		}
		last = json_pack("{s:s,s:o,s:s,s:s,s:i}", "host_id", host, "pci_address",
				 PQgetisnull(r, i, 1) ? json_null() : json_string(pci), "from", at, "to", at, "reports", 1);
		json_array_append_new(spans, last);
	}
	return spans;
}

static json_t *query_chip(struct query *q, char **args)
{
	json_t *s = json_object();
	const char *params[] = { args[0] };
	PGresult *r;

	if (!set_row(q, s, "SELECT chip_id, uuid, serial, vendor, model, export_class, " TS("first_seen") " AS first_seen, "
			   TS("last_seen") " AS last_seen, last_host_id AS host_id, last_pci_address AS pci_address "
			   "FROM accelerators WHERE chip_id = $1 OR uuid = $1 ORDER BY chip_id = $1 DESC LIMIT 1", 1, params)) {
		if (q->rc == 0) {
			snprintf(q->err, sizeof(q->err), "query: no chip %s", args[0]);
			q->rc = EXIT_NOT_FOUND;
		}
		json_decref(s);
		return NULL;
	}
	params[0] = json_string_value(json_object_get(s, "chip_id"));
	r = run_sql(q, "SELECT host_id, pci_address, " TS("received_at") " AS at FROM sightings "
		       "WHERE chip_id = $1 ORDER BY received_at, report_id", 1, params);
	if (!r) {
		json_decref(s);
		return NULL;
	}
	json_object_set_new(s, "history", sightings_spans(r));
	PQclear(r);
	return s;
}

static json_t *query_silent(struct query *q, const struct query_options *o)
{
	uint64_t seconds;
	char buf[32];
	const char *params[] = { buf };
	json_t *s;

	if (parse_duration(o->duration, &seconds) != 0) {
		snprintf(q->err, sizeof(q->err), "query: --for: expected a duration such as 90m, 36h, 2d or 1w");
		q->rc = EXIT_USAGE;
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)seconds);
	s = json_pack("{s:I}", "silent_for_seconds", (json_int_t)seconds);
	if (!set_rows(q, s, "hosts", "SELECT host_id, hostname, " TS("last_received_at") " AS last_received_at, "
				     "schedule_seconds FROM hosts WHERE last_received_at IS NULL "
				     "OR last_received_at < now() - make_interval(secs => $1::bigint) "
				     "ORDER BY last_received_at NULLS FIRST, host_id", 1, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

static json_t *query_changes(struct query *q, const struct query_options *o)
{
	const char *params[] = { o->since };
	json_t *s = json_object();

	/* A finding changed when its status now differs from its status in the
	 * host's last report before DATE, or when the host had none then. */
	if (!set_row(q, s, "SELECT " TS("$1::timestamptz") " AS since", 1, params) ||
	    !set_rows(q, s, "new_hosts", "SELECT host_id, hostname, " TS("enrolled_at") " AS enrolled_at FROM hosts "
					  "WHERE enrolled_at >= $1::timestamptz ORDER BY host_id", 1, params) ||
	    !set_rows(q, s, "new_accelerators", "SELECT chip_id, model, last_host_id AS host_id, " TS("first_seen")
						 " AS first_seen FROM accelerators WHERE first_seen >= $1::timestamptz "
						 "ORDER BY chip_id", 1, params) ||
	    !set_rows(q, s, "moved_accelerators",
		      "SELECT a.chip_id, a.model, b.host_id AS from_host_id, a.last_host_id AS host_id "
		      "FROM accelerators a CROSS JOIN LATERAL (SELECT host_id FROM sightings s "
		      "WHERE s.chip_id = a.chip_id AND s.received_at < $1::timestamptz "
		      "ORDER BY received_at DESC LIMIT 1) b "
		      "WHERE a.last_seen >= $1::timestamptz AND b.host_id <> a.last_host_id ORDER BY a.chip_id", 1, params) ||
	    !set_rows(q, s, "findings",
		      "SELECT c.host_id, c.check_id AS check, c.subject, b.status AS before, c.status AS now "
		      "FROM current_findings c JOIN hosts h USING (host_id) "
		      "LEFT JOIN LATERAL (SELECT status FROM findings f WHERE f.host_id = c.host_id "
		      "AND f.check_id = c.check_id AND f.subject = c.subject AND f.received_at < $1::timestamptz "
		      "ORDER BY f.received_at DESC LIMIT 1) b ON true "
		      "WHERE c.received_at >= $1::timestamptz AND h.enrolled_at < $1::timestamptz "
		      "AND b.status IS DISTINCT FROM c.status ORDER BY c.host_id, c.check_id, c.subject", 1, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

static json_t *query_incidents(struct query *q, const struct query_options *o)
{
	const char *params[] = { o->since ? o->since : "-infinity" };
	json_t *s = json_object();

	if (!set_rows(q, s, "incidents", "SELECT id, " TS("at") " AS at, kind, host_id, key_fingerprint, sequence, "
					  "sha256, detail FROM incidents WHERE at >= $1::timestamptz ORDER BY at, id",
		      1, params)) {
		json_decref(s);
		return NULL;
	}
	return s;
}

/* --- text output: the answer's scalars as "key  value" lines, each array of
 * rows as a titled table, one row a line. */

static void print_value(const json_t *v)
{
	if (json_is_string(v))
		text_printf(stdout, "%s", json_string_value(v));
	else if (json_is_integer(v))
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_null(v))
		fputs("-", stdout);
	else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (i)
				fputc(',', stdout);
			print_value(e);
		}
	}
}

static void print_text(const json_t *answer)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)answer, key, v)
		if (!json_is_array(v)) {
			printf("%-20s ", key);
			print_value(v);
			fputc('\n', stdout);
		}
	json_object_foreach((json_t *)answer, key, v) {
		size_t i;
		json_t *row;

		if (!json_is_array(v))
			continue;
		printf("\n%s (%zu)\n", key, json_array_size(v));
		json_array_foreach(v, i, row) {
			const char *col;
			json_t *cell;
			bool first = true;

			if (i == 0) {
				fputs(" ", stdout);
				json_object_foreach(row, col, cell)
					printf(" %s", col);
				fputc('\n', stdout);
			}
			fputs(" ", stdout);
			json_object_foreach(row, col, cell) {
				fputs(first ? " " : "  ", stdout);
				first = false;
				print_value(cell);
			}
			fputc('\n', stdout);
		}
	}
}

/* --- the command */

struct subcommand {
	const char *name;
	int operands;  /* after the name */
	json_t *(*run)(struct query *q, char **args);
	json_t *(*run_opts)(struct query *q, const struct query_options *o);
	const char *needs;  /* the option it needs, or NULL */
};

static const struct subcommand subcommands[] = {
	{ "summary", 0, query_summary, NULL, NULL },
	{ "failing", 1, query_failing, NULL, NULL },
	{ "host", 1, query_host, NULL, NULL },
	{ "chip", 1, query_chip, NULL, NULL },
	{ "silent", 0, NULL, query_silent, "for" },
	{ "changes", 0, NULL, query_changes, "since" },
	{ "incidents", 0, NULL, query_incidents, NULL },
};

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(name, subcommands[i].name) == 0)
			return &subcommands[i];
	return NULL;
}

json_t *query_answer(PGconn *conn, const char *name, char **args, int nargs, const char *duration,
		     const char *since, int *rc, char *err, size_t errlen)
{
	const struct query_options o = { .duration = duration, .since = since };
	const struct subcommand *sub = find_subcommand(name);
	struct query q = { .conn = conn };
	json_t *a;

	*rc = 0;
	if (!sub || nargs != sub->operands || (sub->needs && !(strcmp(sub->needs, "for") == 0 ? duration : since))) {
		snprintf(err, errlen, "query: %s", !sub ? "no such query" : nargs != sub->operands ? "wrong number of operands" :
			 strcmp(sub->needs, "for") == 0 ? "needs --for" : "needs --since");
		*rc = EXIT_USAGE;
		return NULL;
	}
	/* One snapshot for every statement of the answer. */
	PQclear(PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
	a = sub->run ? sub->run(&q, args) : sub->run_opts(&q, &o);
	PQclear(PQexec(conn, "COMMIT"));
	if (!a) {
		*rc = q.rc ? q.rc : EXIT_SOFTWARE;
		snprintf(err, errlen, "%s", q.err[0] ? q.err : "query: failed");
	}
	return a;
}

static int answer(const struct subcommand *sub, const struct query_options *o, char **args)
{
	char err[600];
	PGconn *conn;
	json_t *a;
	int rc;

	if (!(conn = db_connect("query", o->db, &rc)))
		return rc;
	a = query_answer(conn, sub->name, args, sub->operands, o->duration, o->since, &rc, err, sizeof(err));
	PQfinish(conn);
	if (!a) {
		if (rc == EXIT_USAGE)
			return options_usage_error(&query_spec, "%s", err + strlen("query: "));
		error_msg("%s", err);
		return rc;
	}
	if (o->json) {
		rc = json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', stdout) != EOF ?
			     0 : EXIT_IOERR;
	} else {
		print_text(a);
		rc = 0;
	}
	json_decref(a);
	return fflush(stdout) == 0 ? rc : EXIT_IOERR;
}

int cmd_query(int argc, char **argv)
{
	struct query_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	const struct subcommand *sub = NULL;
	int rc = options_parse(&query_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 0)
		sub = find_subcommand(ops.v[0]);
	if (ops.n == 0)
		rc = options_usage_error(&query_spec, "expected a subcommand");
	else if (!sub)
		rc = options_usage_error(&query_spec, "unknown subcommand '%s'", ops.v[0]);
	else if (ops.n - 1 != sub->operands)
		rc = options_usage_error(&query_spec, "%s takes %d operand%s", sub->name, sub->operands,
					 sub->operands == 1 ? "" : "s");
	else if (sub->needs && !(strcmp(sub->needs, "for") == 0 ? o.duration : o.since))
		rc = options_usage_error(&query_spec, "%s needs --%s", sub->name, sub->needs);
	else
		rc = answer(sub, &o, ops.v + 1);
	options_free(&query_spec, ctx);
	return rc;
}
