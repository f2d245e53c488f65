/* The collector's connection to its PostgreSQL database. */
#ifndef CHIPAUDIT_COLLECTOR_DB_H
#define CHIPAUDIT_COLLECTOR_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Connect to --db CONNINFO, else $CHIPAUDIT_DB. NULL after printing one
 * line naming CMD; *rc is then EXIT_USAGE (none given) or EXIT_UNAVAILABLE. */
PGconn *db_connect(const char *cmd, const char *conninfo, int *rc);

/* Run SQL with text parameters (NULL: SQL NULL); true when it succeeded
 * (PGRES_COMMAND_OK or PGRES_TUPLES_OK). The result, when RESULT is not
 * NULL, is the caller's to PQclear, whether or not it succeeded. */
bool db_exec(PGconn *conn, const char *sql, int n, const char *const *params, PGresult **result);

/* The first line of PostgreSQL's error for R (or the connection's). */
const char *db_error(PGconn *conn, const PGresult *r, char *buf, size_t len);

#endif
