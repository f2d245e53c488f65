/* chipaudit-collector migrate: apply the migrations the database has not
 * had, in order, each in its own transaction. A migration records its own
 * version in schema_migrations (sql/NNN_*.sql end with that INSERT), so a
 * migration applied by hand with psql counts the same. */
#include "collector/migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "core/util.h"

/* The migrations of sql/, embedded by scripts/embed.py (meson.build), in version order. */
struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const char collector_sql_001[], collector_sql_002[], collector_sql_003[], collector_sql_004[],
	collector_sql_005[], collector_sql_006[], collector_sql_007[];
static const struct migration migrations[] = {
	{ 1, "001_init.sql", collector_sql_001 },
	{ 2, "002_check_counts.sql", collector_sql_002 },
	{ 3, "003_chain_heads.sql", collector_sql_003 },
	{ 4, "004_accelerator_counts.sql", collector_sql_004 },
	{ 5, "005_incident_counts.sql", collector_sql_005 },
	{ 6, "006_dashboard.sql", collector_sql_006 },
	{ 7, "007_findings_index.sql", collector_sql_007 },
};

struct migrate_options {
	const char *db;
	bool dry_run;
};

static const struct opt_row migrate_rows[] = {
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct migrate_options, db),
	OPT_BOOL("dry-run", 'n', "say which migrations would run, run none", struct migrate_options, dry_run),
	OPT_END,
};
static const struct opt_table migrate_table = { NULL, migrate_rows };

const struct cmd_spec migrate_spec = {
	.name = "migrate",
	.synopsis = "usage: chipaudit-collector migrate [--db CONNINFO] [--dry-run]\n",
	.about = "  Bring the collector's PostgreSQL schema up to date: apply each migration of\n"
		 "  sql/ (built into this binary) that the database has not had, in order, each in\n"
		 "  one transaction.\n",
	.trailer = "Exit: 0 up to date; 64 usage; 65 a migration failed (rolled back, named);\n"
		   "69 the database could not be reached.\n",
	.tables = { &migrate_table },
};

static void report_pg_error(const char *what, const char *pgmsg)
{
	char *msg = xstrdup(pgmsg);

	msg[strcspn(msg, "\n")] = '\0';  /* its first line: the error; the rest points into the SQL */
	error_msg("migrate: %s: %s", what, msg);
	free(msg);
}

/* Which of the migrations the database has had, in APPLIED (one flag each);
 * the highest version applied in *HIGHEST (0 for an empty database). -1 on
 * error. Versions are looked up one by one, not by the highest: a migration
 * numbered below one applied already (005 merged after 006) still runs. */
static int applied_versions(PGconn *conn, bool *applied, int *highest)
{
	PGresult *r = PQexec(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	bool empty = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "f") == 0;

	PQclear(r);
	*highest = 0;
	if (empty)
		return 0;
	r = PQexec(conn, "SELECT version FROM schema_migrations");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		report_pg_error("reading schema_migrations", PQerrorMessage(conn));
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int v = atoi(PQgetvalue(r, i, 0));

		*highest = v > *highest ? v : *highest;
		for (size_t m = 0; m < ARRAY_SIZE(migrations); m++)
			if (migrations[m].version == v)
				applied[m] = true;
	}
	PQclear(r);
	return 0;
}

static int run_sql(PGconn *conn, const char *what, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		report_pg_error(what, PQerrorMessage(conn));
	PQclear(r);
	return ok ? 0 : -1;
}

static int apply(PGconn *conn, const struct migration *m)
{
	if (run_sql(conn, m->name, "BEGIN") != 0)
		return -1;
	if (run_sql(conn, m->name, m->sql) != 0 || run_sql(conn, m->name, "COMMIT") != 0) {
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	return 0;
}

static int migrate(const struct migrate_options *o)
{
	const char *conninfo = o->db ? o->db : getenv("CHIPAUDIT_DB");
	PGconn *conn;
	bool applied[ARRAY_SIZE(migrations)] = { false };
	int highest, rc = 0, ran = 0;

	if (!conninfo || !*conninfo) {
		error_msg("migrate: no database: give --db CONNINFO or set CHIPAUDIT_DB");
		return EXIT_USAGE;
	}
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		report_pg_error("cannot connect to the database", PQerrorMessage(conn));
		PQfinish(conn);
		return EXIT_UNAVAILABLE;
	}
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	if (applied_versions(conn, applied, &highest) != 0)
		rc = EXIT_DATAERR;
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(migrations); i++) {
		const struct migration *m = &migrations[i];
		if (applied[i])
			continue;
		ran++;
		if (o->dry_run) {
			printf("would apply %s\n", m->name);
		} else if (apply(conn, m) != 0) {
			rc = EXIT_DATAERR;
		} else {
			printf("applied %s\n", m->name);
		}
	}
	if (rc == 0 && ran == 0)
		printf("up to date (schema version %d)\n", highest);
	PQfinish(conn);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	struct migrate_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	int rc = options_parse(&migrate_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 0)
		rc = options_usage_error(&migrate_spec, "takes no operands");
	else
		rc = migrate(&o);
	options_free(&migrate_spec, ctx);
	return rc;
}
