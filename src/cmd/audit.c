/* chipaudit audit: gather facts, judge them, show the report. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit audit [--root DIR] [--json] [-o FILE]\n"
	"                       [--sign] [--nonce HEX] [--state DIR] [--no-history]\n"
	"  Examine every accelerator on this machine (or a captured tree under DIR)\n"
	"  and the host around it; print the findings with their evidence.\n"
	"  --root DIR   read sysfs, /proc and /dev under DIR\n"
	"  --json       print the report as JSON (see docs/report.schema.json)\n"
	"  -o FILE      also write the JSON report to FILE\n"
	"  --sign       sign the report (needs -o FILE): FILE.sig holds the raw Ed25519\n"
	"               signature of FILE's exact bytes by the host key (chipaudit keygen)\n"
	"  --nonce HEX  a verifier's nonce (8-128 hex digits), carried in the report\n"
	"  --state DIR  host key and history ($CHIPAUDIT_STATE, else /var/lib/chipaudit);\n"
	"               every audit is recorded there and compared with the previous one\n"
	"  --no-history neither record this audit nor compare it with the previous one\n"
	"  Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors.\n";

int cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "sign", no_argument, NULL, OPT_SIGN },
		{ "nonce", required_argument, NULL, OPT_NONCE },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
		PROBE_LONGOPTS
		JUDGE_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *root = NULL, *output = NULL;
	bool json = false;
	struct probe_options popts = { 0 };
	struct judge_options jopts = { 0 };
	struct accdb db;
	json_t *facts = NULL, *report;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:jo:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'j': json = true; break;
		case 'o': output = optarg; break;
		case OPT_SIGN: jopts.keep.sign = true; break;
		case OPT_NONCE: jopts.keep.nonce = optarg; break;
		case OPT_STATE: jopts.keep.state = optarg; break;
		case OPT_NO_HISTORY: jopts.keep.no_history = true; break;
		case 'h': fputs(usage, stdout); fputs(probe_options_help, stdout); fputs(judge_options_help, stdout); return 0;
		default:
			rc = shared_option(c, optarg, &popts, &jopts);
			if (rc == 1)
				break;
			if (rc == 0)
				rc = usage_error(usage, "audit: unknown or incomplete option '%s'", argv[optind - 1]);
			shared_options_free(&popts, &jopts);
			return rc;
		}
	}
	if (optind != argc) {
		rc = usage_error(usage, "audit: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	if ((rc = gather_facts(root, &db, &popts, NULL, &facts)) == 0) {
		report = judge_facts(facts, &db, &jopts);
		if ((rc = evidence_record_audit(&report, facts, &db, &jopts, &output)) != 0) {
			json_decref(report);
			accdb_free(&db);
			goto out;
		}
		rc = emit_report(report, json, output);
		json_decref(report);
	}
	accdb_free(&db);
out:
	json_decref(facts);
	shared_options_free(&popts, &jopts);
	return rc;
}
