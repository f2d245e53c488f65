/* chipaudit audit: gather facts, judge them, show the report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit audit [--root DIR] [--json] [-o FILE]\n"
	"  Examine every accelerator on this machine (or a captured tree under DIR)\n"
	"  and the host around it; print the findings with their evidence.\n"
	"  --root DIR   read sysfs, /proc and /dev under DIR\n"
	"  --json       print the report as JSON (see docs/report.schema.json)\n"
	"  -o FILE      also write the JSON report to FILE\n"
	"  Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors.\n";

int cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *root = NULL, *output = NULL;
	bool json = false;
	struct probe_options popts = { 0 };
	struct accdb db;
	json_t *facts, *report;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:jo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(usage, "audit: unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error(usage, "audit: unexpected argument '%s'", argv[optind]);
	if ((rc = load_accdb(&db)) != 0)
		return rc;
	if ((rc = gather_facts(root, &db, &popts, NULL, &facts)) != 0) {
		accdb_free(&db);
		return rc;
	}
	report = judge_facts(facts, &db, NULL);
	rc = emit_report(report, json, output);
	json_decref(report);
	json_decref(facts);
	accdb_free(&db);
	return rc;
}
