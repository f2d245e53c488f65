/* chipaudit: an independent, open audit of AI accelerators. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/data.h"
#include "core/pcinames.h"
#include "core/util.h"

const struct command chipaudit_commands[] = {
	{ "audit", cmd_audit, "examine this machine's accelerators and print the findings", &audit_spec, false },
	{ "facts", cmd_facts, "gather facts and print them as JSON", &facts_spec, false },
	{ "judge", cmd_judge, "run every check on a facts document", &judge_spec, false },
	{ "report", cmd_report, "show a saved report as text, JSON, Prometheus metrics or HTML", &report_spec, false },
	{ "snapshot", cmd_snapshot, "capture what the audit reads into a .tar.gz", &snapshot_spec, false },
	{ "checks", cmd_checks, "list the check catalogue", &checks_spec, false },
	{ "classify", cmd_classify, "export-control class (ECCN 3A090) of accelerators, models or specs",
	  &classify_spec, false },
	{ "measure", cmd_measure, "measure each GPU: throughput, bandwidth, memory remanence", &measure_spec, false },
	{ "keygen", cmd_keygen, "make this host's Ed25519 key for signing reports", &keygen_spec, false },
	{ "history", cmd_history, "list past audits kept in the state directory", &history_spec, false },
	{ "diff", cmd_diff, "show what changed between two reports", &diff_spec, false },
	{ "verify", cmd_verify, "check signed reports: signature, nonce, chain", &verify_spec, false },
	{ "justify", cmd_justify, "compare accelerators for a workload, with export status and audits", &justify_spec, false },
	{ "attest", cmd_attest, "verify a GPU's attestation report and certificate chain offline", &attest_spec, false },
	{ "push", cmd_push, "send signed reports to a fleet collector over HTTPS", &push_spec, false },
	{ "completion", cmd_completion, "print the bash or zsh completion script", &completion_spec, true },
};
const size_t chipaudit_command_count = ARRAY_SIZE(chipaudit_commands);

struct global_options {
	bool help, version;
};

static int set_data_dir(const char *value, void *target, char *err, size_t errlen)
{
	data_set_dir(value);
	return 0;
}

static const struct opt_row global_rows[] = {
	OPT_CALLBACK("data-dir", 0, OPT_ARG_REQUIRED, "DIR",
	  "read data files (accelerators, rules, bulletins) from DIR", set_data_dir, NULL),
	OPT_BOOL("version", 0, "print the version", struct global_options, version),
	OPT_BOOL("help", 'h', "show this help", struct global_options, help),
	OPT_END,
};
static const struct opt_table global_table = { NULL, global_rows };

const struct cmd_spec chipaudit_global_spec = {
	.name = "chipaudit",
	.synopsis = "usage: chipaudit [--data-dir DIR] COMMAND [OPTIONS]\n",
	.stop_at_operand = true,
	.tables = { &global_table },
};

static void print_usage(FILE *out)
{
	fputs(chipaudit_global_spec.synopsis, out);
	fputc('\n', out);
	for (size_t i = 0; i < chipaudit_command_count; i++)
		if (!chipaudit_commands[i].hidden)
			fprintf(out, "  %-10s %s\n", chipaudit_commands[i].name, chipaudit_commands[i].summary);
	fputc('\n', out);
	options_help(out, &(struct cmd_spec){ .synopsis = "", .tables = { &global_table } });
	fputs("Run 'chipaudit COMMAND --help' for a command's options. See chipaudit(1).\n", out);
}

int main(int argc, char **argv)
{
	struct global_options g = { 0 };
	void *const ctx[] = { &g };
	struct operands ops;
	int rc = options_parse(&chipaudit_global_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc;
	if (g.version) {
		printf("chipaudit %s\n", CHIPAUDIT_VERSION);
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
	for (size_t c = 0; c < chipaudit_command_count; c++) {
		if (strcmp(ops.v[0], chipaudit_commands[c].name) == 0) {
			rc = chipaudit_commands[c].run(ops.n, ops.v);
			pcinames_close();
			return rc;
		}
	}
	error_msg("'%s' is not a chipaudit command; see 'chipaudit --help'", ops.v[0]);
	return EXIT_USAGE;
}
