/* chipaudit judge: run every check on a facts document; touches nothing else. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/facts.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit judge [--json] [-o FILE] FACTS.json\n"
	"  Run every check on a facts document (from `chipaudit facts`, or '-' for\n"
	"  standard input) and print the report. Reads nothing else on this machine.\n"
	"  --json       print the report as JSON\n"
	"  -o FILE      also write the JSON report to FILE\n"
	"  Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors.\n";

int cmd_judge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		JUDGE_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *output = NULL;
	bool json = false;
	struct probe_options popts = { 0 };
	struct judge_options jopts = { 0 };
	struct accdb db;
	json_t *facts = NULL, *report;
	char err[1024];
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); fputs(judge_options_help, stdout); return 0;
		default:
			rc = shared_option(c, optarg, &popts, &jopts);
			if (rc == 1)
				break;
			if (rc == 0)
				rc = usage_error(usage, "judge: unknown or incomplete option '%s'", argv[optind - 1]);
			shared_options_free(&popts, &jopts);
			return rc;
		}
	}
	if (argc - optind != 1) {
		rc = usage_error(usage, "judge: expected one facts file");
		goto out;
	}
	facts = facts_load(argv[optind], err, sizeof(err), &rc);
	if (facts == NULL) {
		error_msg("%s", err);
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	report = judge_facts(facts, &db, &jopts);
	rc = emit_report(report, json, output);
	json_decref(report);
	accdb_free(&db);
out:
	json_decref(facts);
	shared_options_free(&popts, &jopts);
	return rc;
}
