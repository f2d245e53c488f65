/* chipaudit-collector: the fleet's side. One file per command, as the node's
 * src/main.c has them. */
#include <stdio.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/migrate.h"
#include "collector/query.h"
#include "core/util.h"

struct collector_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct collector_command commands[] = {
	{ "serve", cmd_serve, "verify and store pushed reports over HTTPS; answer queries" },
	{ "ingest", cmd_ingest, "verify and store reports delivered as files" },
	{ "enroll", cmd_enroll, "enrol a host's public key" },
	{ "revoke", cmd_revoke, "revoke a host's keys" },
	{ "sweep", cmd_sweep, "record the hosts that went silent as incidents" },
	{ "migrate", cmd_migrate, "bring the database's schema up to date" },
	{ "query", cmd_query, "ask the database about the fleet" },
};

struct global_options {
	bool help, version;
};

static const struct opt_row global_rows[] = {
	OPT_BOOL("version", 0, "print the version", struct global_options, version),
	OPT_BOOL("help", 'h', "show this help", struct global_options, help),
	OPT_END,
};
static const struct opt_table global_table = { NULL, global_rows };

static const struct cmd_spec global_spec = {
	.name = "chipaudit-collector",
	.synopsis = "usage: chipaudit-collector COMMAND [OPTIONS]\n",
	.stop_at_operand = true,
	.tables = { &global_table },
};

static void print_usage(FILE *out)
{
	fputs(global_spec.synopsis, out);
	fputc('\n', out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputc('\n', out);
	options_help(out, &(struct cmd_spec){ .synopsis = "", .tables = { &global_table } });
	fputs("Every command takes --db CONNINFO (else $CHIPAUDIT_DB). Run 'chipaudit-collector COMMAND --help'.\n",
	      out);
}

int main(int argc, char **argv)
{
	struct global_options g = { 0 };
	void *const ctx[] = { &g };
	struct operands ops;
	int rc;

	program_name = "chipaudit-collector";
	rc = options_parse(&global_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (g.version) {
		printf("chipaudit-collector %s\n", CHIPAUDIT_VERSION);
		return 0;
	}
	if (g.help) {
		print_usage(stdout);
		return 0;
	}
	if (ops.n == 0) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		if (strcmp(ops.v[0], commands[c].name) == 0)
			return commands[c].run(ops.n, ops.v);
	error_msg("'%s' is not a chipaudit-collector command; see 'chipaudit-collector --help'", ops.v[0]);
	return EXIT_USAGE;
}
