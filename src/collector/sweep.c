/* chipaudit-collector sweep: record the hosts that went silent.
 *
 * At fleet scale a remote shutdown looks like a host that stops reporting,
 * so silence is an incident, not only an answer to `query silent`. A host is
 * silent when no report of it arrived for its schedule (hosts.schedule_seconds:
 * a day unless enrolled with another) plus --grace (the node timer's
 * randomised delay and some); a host enrolled and never heard from counts
 * from its enrolment. Each silence is recorded once: a host recorded silent
 * since its last report is not recorded again until it reports and falls
 * silent anew. Hosts whose keys are all revoked are expected to be silent.
 *
 * Run from a timer (systemd/chipaudit-collector-sweep.timer). Sweeps started
 * at once by several collectors take turns on an advisory lock, so none
 * records a silence another has just recorded. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/db.h"
#include "collector/duration.h"
#include "core/util.h"

#define SWEEP_DEFAULT_GRACE "4h"
/* pg_advisory_xact_lock's key: "chipaudit-sweep" in no other use */
#define SWEEP_LOCK "7235846113018204001"

struct sweep_options {
	const char *db, *grace;
	bool dry_run;
};

static const struct opt_row sweep_rows[] = {
	OPT_STRING("grace", 0, "DURATION",
		   "silent: no report for the host's schedule plus DURATION (default " SWEEP_DEFAULT_GRACE ")",
		   struct sweep_options, grace),
	OPT_BOOL("dry-run", 'n', "print the hosts that would be recorded, record nothing", struct sweep_options,
		 dry_run),
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct sweep_options, db),
	OPT_END,
};
static const struct opt_table sweep_table = { NULL, sweep_rows };

static const struct cmd_spec sweep_spec = {
	.name = "sweep",
	.synopsis = "usage: chipaudit-collector sweep [--grace DURATION] [--dry-run] [--db CONNINFO]\n",
	.about = "  Record an incident (kind silent) for each host with no report for its schedule\n"
		 "  plus DURATION, once per silence. Durations: 90m, 36h, 2d, 1w.\n",
	.trailer = "Exit: 0 swept (each host recorded printed); 69 no database; 64 usage.\n",
	.tables = { &sweep_table },
};

#define SWEEP_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The silent hosts not yet recorded since their last report ($1: grace in seconds). */
#define SILENT_HOSTS                                                                                         \
	"SELECT 'silent', h.host_id, CASE WHEN h.last_received_at IS NULL THEN "                             \
	"format('no report since its enrolment at %s (schedule %s s, grace %s s)', "                         \
	SWEEP_TS("h.enrolled_at") ", h.schedule_seconds, $1::bigint) ELSE "                                          \
	"format('no report since %s, sequence %s (schedule %s s, grace %s s)', "                             \
	SWEEP_TS("h.last_received_at") ", h.last_sequence, h.schedule_seconds, $1::bigint) END "                      \
	"FROM hosts h WHERE coalesce(h.last_received_at, h.enrolled_at) < "                                  \
	"now() - make_interval(secs => h.schedule_seconds + $1::bigint) "                                    \
	"AND EXISTS (SELECT 1 FROM keys k WHERE k.host_id = h.host_id AND k.revoked_at IS NULL) "            \
	"AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.host_id = h.host_id AND i.kind = 'silent' "       \
	"AND i.at >= coalesce(h.last_received_at, h.enrolled_at)) ORDER BY h.host_id"

static int sweep(PGconn *conn, const struct sweep_options *o, uint64_t grace)
{
	char secs[24], err[512];
	const char *params[] = { secs };
	PGresult *r = NULL;

	snprintf(secs, sizeof(secs), "%llu", (unsigned long long)grace);
	if (!db_exec(conn, "BEGIN", 0, NULL, NULL) ||
	    !db_exec(conn, "SELECT pg_advisory_xact_lock(" SWEEP_LOCK ")", 0, NULL, NULL) ||
	    !db_exec(conn, o->dry_run ? SILENT_HOSTS
				      : "INSERT INTO incidents (kind, host_id, detail) " SILENT_HOSTS
					" RETURNING kind, host_id, detail",
		     1, params, &r) ||
	    !db_exec(conn, "COMMIT", 0, NULL, NULL)) {
		error_msg("sweep: %s", db_error(conn, r, err, sizeof(err)));
		PQclear(r);
		return EXIT_UNAVAILABLE;
	}
	for (int i = 0; i < PQntuples(r); i++)
		text_printf(stdout, "%s %s: %s\n", o->dry_run ? "would record" : "silent", PQgetvalue(r, i, 1),
			    PQgetvalue(r, i, 2));
	PQclear(r);
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	uint64_t grace = 0;
	PGconn *conn;
	int rc = options_parse(&sweep_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 0)
		rc = options_usage_error(&sweep_spec, "takes no operands");
	else if (parse_duration(o.grace ? o.grace : SWEEP_DEFAULT_GRACE, &grace) != 0)
		rc = options_usage_error(&sweep_spec, "--grace: expected a duration such as 90m, 36h, 2d or 1w");
	else if ((conn = db_connect("sweep", o.db, &rc)) != NULL) {
		rc = sweep(conn, &o, grace);
		PQfinish(conn);
	}
	options_free(&sweep_spec, ctx);
	return rc;
}
