/* chipaudit facts: gather facts and print them as one JSON document. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"

static const struct opt_row facts_rows[] = {
	OPT_STRING("output", 'o', "FILE", "write to FILE instead of standard output", struct common_options,
	  output),
	OPT_END,
};
static const struct opt_table facts_table = { NULL, facts_rows };

const struct cmd_spec facts_spec = {
	.name = "facts",
	.synopsis = "usage: chipaudit facts [--root DIR] [-o FILE]\n",
	.about = "  Gather facts about this machine (or a captured tree under DIR) and print\n"
		 "  them as one JSON document. Reads only; changes nothing.\n",
	.tables = { &common_table, &facts_table, &probe_table },
};

int cmd_facts(int argc, char **argv)
{
	struct common_options co = { .output = "-" };
	struct probe_options popts = { 0 };
	void *const ctx[] = { &co, &co, &popts };
	struct operands ops;
	struct accdb db;
	json_t *facts;
	int rc = options_parse(&facts_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n != 0) {
		rc = options_usage_error(&facts_spec, "unexpected argument '%s'", ops.v[0]);
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	rc = gather_facts(co.root, &db, &popts, NULL, &facts);
	if (rc == 0)
		rc = write_json_file(co.output, facts);
	json_decref(facts);
	accdb_free(&db);
out:
	options_free(&facts_spec, ctx);
	return rc;
}
