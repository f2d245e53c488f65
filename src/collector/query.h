/* chipaudit-collector query: what the fleet's stored reports say. */
#ifndef CHIPAUDIT_COLLECTOR_QUERY_H
#define CHIPAUDIT_COLLECTOR_QUERY_H

#include "cmd/options.h"

/* chipaudit-collector query SUBCOMMAND [--json] [--db CONNINFO]; ARGV[0] is
 * "query". Returns the exit code. */
int cmd_query(int argc, char **argv);
extern const struct cmd_spec query_spec;

#endif
