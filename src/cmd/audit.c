/* chipaudit audit: gather facts, judge them, show the report. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/sign.h"
#include "evidence/state.h"

static int set_nonce(const char *value, void *target, char *err, size_t errlen)
{
	char nonce[NONCE_MAX_HEX + 1];

	if (nonce_parse(value, nonce) != 0) {
		snprintf(err, errlen, "audit: --nonce: expected %d to %d hex digits", NONCE_MIN_HEX, NONCE_MAX_HEX);
		return EXIT_USAGE;
	}
	*(const char **)target = value;
	return 0;
}

/* Context: a struct record_options (evidence/record.h). */
static const struct opt_row audit_rows[] = {
	OPT_BOOL("sign", 0,
	  "sign the report with the host key (chipaudit keygen; needs -o FILE): FILE.sig holds the raw Ed25519 "
	  "signature of FILE's exact bytes, FILE.intoto.jsonl a DSSE envelope of an in-toto Statement naming "
	  "FILE's SHA-256 (--sign-format)",
	  struct record_options, sign),
	{ .long_name = "sign-format", .arg = OPT_ARG_REQUIRED, .arg_name = "FORMAT",
	  .help = "what --sign writes: whole (FILE.sig), statement (FILE.intoto.jsonl) or both (the default of "
	  "this release)",
	  .set = evidence_option_sign_format, .offset = offsetof(struct record_options, sign_format),
	  .choices = "whole statement both" },
	{ .long_name = "nonce", .arg = OPT_ARG_REQUIRED, .arg_name = "HEX",
	  .help = "a verifier's nonce (8-128 hex digits), carried in the report", .set = set_nonce,
	  .offset = offsetof(struct record_options, nonce) },
	OPT_STRING("state", 0, "DIR",
	  "host key and history ($CHIPAUDIT_STATE, else /var/lib/chipaudit); every audit is recorded there "
	  "and compared with the previous one",
	  struct record_options, state),
	OPT_BOOL("no-history", 0, "neither record this audit nor compare it with the previous one",
	  struct record_options, no_history),
	OPT_END,
};
static const struct opt_table audit_table = { NULL, audit_rows };

const struct cmd_spec audit_spec = {
	.name = "audit",
	.synopsis = "usage: chipaudit audit [--root DIR] [--json] [-o FILE] [--format FORMAT] [--exit-style STYLE]\n"
		    "                       [--sign [--sign-format FORMAT]] [--nonce HEX] [--state DIR]\n"
		    "                       [--no-history]\n"
		    "                       [--push URL [--cacert FILE]]\n",
	.about = "  Examine every accelerator on this machine (or a captured tree under DIR)\n"
		 "  and the host around it; print the findings with their evidence.\n",
	.trailer = "Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors\n"
		   "(--exit-style nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).\n",
	.tables = { &common_table, &report_table, &audit_table, &probe_table, &judge_table, &push_audit_table },
};

int cmd_audit(int argc, char **argv)
{
	struct common_options co = { 0 };
	struct probe_options popts = { 0 };
	struct judge_options jopts = { 0 };
	struct record_options keep = { 0 };
	struct push_options push = { 0 };
	char *pushed_file[1] = { NULL };
	void *const ctx[] = { &co, &co, &keep, &popts, &jopts, &push };
	struct operands ops;
	struct accdb db = { 0 };
	const char *no_report_file = NULL;
	json_t *facts = NULL, *report = NULL;
	int rc = options_parse(&audit_spec, ctx, argc, argv, &ops);

	if (rc == OPTIONS_HELP)
		return 0;
	if (rc != 0)
		return finish_report(&co, NULL, NULL, rc);
	if (ops.n != 0)
		rc = options_usage_error(&audit_spec, "unexpected argument '%s'", ops.v[0]);
	else if (co.json && co.exit_style == EXIT_STYLE_NAGIOS)
		rc = options_usage_error(&audit_spec, "--json and --exit-style nagios: a monitoring check prints a "
					 "status line; write the JSON report with -o FILE");
	else if (keep.sign_format != SIGN_FORMAT_UNSET && !keep.sign)
		rc = options_usage_error(&audit_spec, "--sign-format goes with --sign");
	else if (push.url && !(keep.sign && co.output))
		rc = options_usage_error(&audit_spec, "--push sends the signed report: it needs --sign and -o FILE");
	else if (push.url && keep.sign_format == SIGN_FORMAT_STATEMENT)
		rc = options_usage_error(&audit_spec, "--push sends FILE.sig, which a collector verifies: it needs "
					 "--sign-format whole or both");
	else if (keep.sign && co.format != FORMAT_UNSET && co.format != FORMAT_JSON)
		rc = options_usage_error(&audit_spec, "--sign signs the JSON report; render the signed report with "
					 "`chipaudit report --format FORMAT FILE`");
	else if ((rc = report_format_check(&audit_spec, &co)) == 0 && (rc = load_accdb(&db)) == 0) {
		pushed_file[0] = (char *)co.output;  /* evidence_record_audit clears co.output */
		if ((rc = gather_facts(co.root, &db, &popts, NULL, &facts)) == 0) {
			/* it judges, and writes -o FILE when that is the JSON report */
			rc = evidence_record_audit(&report, facts, &db, &keep, &jopts,
						   co.format == FORMAT_UNSET || co.format == FORMAT_JSON ? &co.output
						   : &no_report_file);
		}
	}
	rc = finish_report(&co, report, &(struct report_view){ .facts = facts, .db = &db }, rc);
	accdb_free(&db);
	/* The verdict is the exit code unless the push fails. */
	if (push.url && report && rc <= EXIT_FAIL) {
		bool chosen;
		/* the key that signed it, for a collector that enrols on first use */
		char *public_key = state_path(state_dir(keep.state, &chosen), HOSTKEY_PUBLIC);
		int pushed;

		push.public_key = public_key;
		pushed = push_reports(&push, pushed_file, 1);
		free(public_key);
		rc = pushed ? pushed : rc;
	}
	json_decref(report);
	json_decref(facts);
	options_free(&audit_spec, ctx);
	return rc;
}
