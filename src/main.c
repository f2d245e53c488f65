/* chipaudit: an independent, open audit of AI accelerators. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/data.h"
#include "core/pcinames.h"
#include "core/util.h"

static const struct command commands[] = {
	{ "audit", cmd_audit, "examine this machine's accelerators and print the findings" },
	{ "facts", cmd_facts, "gather facts and print them as JSON" },
	{ "judge", cmd_judge, "run every check on a facts document" },
	{ "snapshot", cmd_snapshot, "capture what the audit reads into a .tar.gz" },
	{ "checks", cmd_checks, "list the check catalogue" },
	{ "classify", cmd_classify, "export-control class (ECCN 3A090) of accelerators, models or specs" },
	{ "measure", cmd_measure, "measure each GPU: throughput, bandwidth, memory remanence" },
	{ "keygen", cmd_keygen, "make this host's Ed25519 key for signing reports" },
	{ "history", cmd_history, "list past audits kept in the state directory" },
	{ "diff", cmd_diff, "show what changed between two reports" },
	{ "verify", cmd_verify, "check signed reports: signature, nonce, chain" },
};

static void print_usage(FILE *out)
{
	fputs("usage: chipaudit [--data-dir DIR] COMMAND [OPTIONS]\n\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n  --data-dir DIR  read data files (accelerators, rules, bulletins) from DIR\n"
	      "  --version       print the version\n"
	      "Run 'chipaudit COMMAND --help' for a command's options. See chipaudit(1).\n", out);
}

int main(int argc, char **argv)
{
	int i = 1, rc;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--version") == 0) {
			printf("chipaudit %s\n", CHIPAUDIT_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
			data_set_dir(argv[i + 1]);
			i += 2;
		} else {
			error_msg("unknown option '%s'", argv[i]);
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		if (strcmp(argv[i], commands[c].name) == 0) {
			rc = commands[c].run(argc - i, argv + i);
			pcinames_close();
			return rc;
		}
	}
	error_msg("'%s' is not a chipaudit command; see 'chipaudit --help'", argv[i]);
	return EXIT_USAGE;
}
