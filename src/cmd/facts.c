/* chipaudit facts: gather facts and print them as one JSON document. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit facts [--root DIR] [-o FILE]\n"
	"  Gather facts about this machine (or a captured tree under DIR) and print\n"
	"  them as one JSON document. Reads only; changes nothing.\n"
	"  --root DIR   read sysfs, /proc and /dev under DIR (a snapshot or fixture)\n"
	"  -o FILE      write to FILE instead of standard output\n";

int cmd_facts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		PROBE_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *root = NULL, *output = "-";
	struct probe_options popts = { 0 };
	struct judge_options jopts = { 0 };
	struct accdb db;
	json_t *facts;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); fputs(probe_options_help, stdout); return 0;
		default:
			rc = shared_option(c, optarg, &popts, &jopts);
			if (rc == 1)
				break;
			if (rc == 0)
				rc = usage_error(usage, "facts: unknown or incomplete option '%s'", argv[optind - 1]);
			shared_options_free(&popts, &jopts);
			return rc;
		}
	}
	if (optind != argc) {
		rc = usage_error(usage, "facts: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	rc = gather_facts(root, &db, &popts, NULL, &facts);
	if (rc == 0)
		rc = write_json_file(output, facts);
	json_decref(facts);
	accdb_free(&db);
out:
	shared_options_free(&popts, &jopts);
	return rc;
}
