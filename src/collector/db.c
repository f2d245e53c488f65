/* The collector's database connection (db.h). */
#include "collector/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "core/util.h"

PGconn *db_connect(const char *cmd, const char *conninfo, int *rc)
{
	PGconn *conn;

	if (!conninfo)
		conninfo = getenv("CHIPAUDIT_DB");
	if (!conninfo || !*conninfo) {
		error_msg("%s: no database: give --db CONNINFO or set CHIPAUDIT_DB", cmd);
		*rc = EXIT_USAGE;
		return NULL;
	}
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		char buf[512];

		error_msg("%s: cannot connect to the database: %s", cmd, db_error(conn, NULL, buf, sizeof(buf)));
		PQfinish(conn);
		*rc = EXIT_UNAVAILABLE;
		return NULL;
	}
	/* JIT compiling pays for itself on long analytic scans only: on the
	 * fleet queries (a 100,000-host hosts table filtered three ways) it
	 * cost 170 ms of a 300 ms answer that runs in 70 ms without it. */
	PQclear(PQexec(conn, "SET client_min_messages = warning; SET jit = off"));
	*rc = 0;
	return conn;
}

bool db_exec(PGconn *conn, const char *sql, int n, const char *const *params, PGresult **result)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (result)
		*result = r;
	else
		PQclear(r);
	return ok;
}

const char *db_error(PGconn *conn, const PGresult *r, char *buf, size_t len)
{
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(buf, len, "%s", msg ? msg : PQerrorMessage(conn));
	buf[strcspn(buf, "\n")] = '\0';
	if (!*buf)
		snprintf(buf, len, "the connection was lost");
	return buf;
}
