/* chipaudit-collector query: what the fleet's stored reports say. */
#ifndef CHIPAUDIT_COLLECTOR_QUERY_H
#define CHIPAUDIT_COLLECTOR_QUERY_H

#include <jansson.h>
#include <libpq-fe.h>

#include "cmd/options.h"

/* chipaudit-collector query SUBCOMMAND [--json] [--db CONNINFO]; ARGV[0] is
 * "query". Returns the exit code. */
int cmd_query(int argc, char **argv);
extern const struct cmd_spec query_spec;

/* The answer to the query NAME (summary, failing, host, chip, silent,
 * changes, incidents) with its NARGS operands ARGS, --for DURATION and
 * --since SINCE, from CONN; NULL with *RC (1 not found, 64 usage, 65 a value
 * the database refused, 70) and a one-line ERR. */
json_t *query_answer(PGconn *conn, const char *name, char **args, int nargs, const char *duration,
		     const char *since, int *rc, char *err, size_t errlen);

/* The rows of R as an array of objects named by its columns (integers as
 * numbers, NULL as null, the rest as strings). */
json_t *query_rows_json(const PGresult *r);

#endif
