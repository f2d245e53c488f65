/* chipaudit judge: run every check on a facts document; touches nothing else. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "probe/facts.h"
#include "core/util.h"

const struct cmd_spec judge_spec = {
	.name = "judge",
	.synopsis = "usage: chipaudit judge [--json] [-o FILE] [--format FORMAT] [--exit-style STYLE] FACTS.json\n",
	.about = "  Run every check on a facts document (from `chipaudit facts`, or '-' for\n"
		 "  standard input) and print the report. Reads nothing else on this machine.\n",
	.trailer = "Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors\n"
		   "(--exit-style nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).\n",
	.operands = "FILE",
	.tables = { &report_table, &judge_table },
};

int cmd_judge(int argc, char **argv)
{
	struct common_options co = { 0 };
	struct judge_options jopts = { 0 };
	void *const ctx[] = { &co, &jopts };
	struct operands ops;
	struct accdb db = { 0 };
	json_t *facts = NULL, *report = NULL;
	char err[1024];
	int rc = options_parse(&judge_spec, ctx, argc, argv, &ops);

	if (rc == OPTIONS_HELP)
		return 0;
	if (rc != 0)
		return finish_report(&co, NULL, NULL, rc);
	if (ops.n != 1) {
		rc = options_usage_error(&judge_spec, "expected one facts file, got %d", ops.n);
	} else if (co.json && co.exit_style == EXIT_STYLE_NAGIOS) {
		rc = options_usage_error(&judge_spec, "--json and --exit-style nagios: a monitoring check prints a "
					 "status line; write the JSON report with -o FILE");
	} else if ((rc = report_format_check(&judge_spec, &co)) != 0) {
		/* the usage error is printed */
	} else if ((facts = facts_load(ops.v[0], err, sizeof(err), &rc)) == NULL) {
		error_msg("%s", err);
	} else if ((rc = load_accdb(&db)) == 0) {
		report = judge_facts(facts, &db, &jopts);
	}
	rc = finish_report(&co, report, &(struct report_view){ .facts = facts, .db = &db }, rc);
	accdb_free(&db);
	json_decref(report);
	json_decref(facts);
	options_free(&judge_spec, ctx);
	return rc;
}
