/* chipaudit-collector migrate: the schema (sql/NNN_*.sql, embedded in the
 * binary) brought up to date in the collector's database. */
#ifndef CHIPAUDIT_COLLECTOR_MIGRATE_H
#define CHIPAUDIT_COLLECTOR_MIGRATE_H

#include "cmd/options.h"

int cmd_migrate(int argc, char **argv);
extern const struct cmd_spec migrate_spec;

#endif
