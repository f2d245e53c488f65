/* Subcommands: one file each, as git has builtin/NAME.c. */
#ifndef CHIPAUDIT_CMD_H
#define CHIPAUDIT_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "checks/judge.h"
#include "report/html.h"
#include "report/report.h"
#include "core/accdb.h"
#include "core/check.h"
#include "cmd/exit.h"
#include "cmd/options.h"
#include "evidence/record.h"
#include "probe/probe.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const struct cmd_spec *spec;  /* its options, for completion */
	bool hidden;                  /* not listed by --help */
};

int cmd_audit(int argc, char **argv);
int cmd_facts(int argc, char **argv);
int cmd_judge(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_report(int argc, char **argv);

extern const struct cmd_spec audit_spec, facts_spec, judge_spec, snapshot_spec, checks_spec, classify_spec,
	measure_spec, keygen_spec, history_spec, diff_spec, verify_spec, completion_spec, push_spec, report_spec;
int cmd_justify(int argc, char **argv);
extern const struct cmd_spec justify_spec;
int cmd_attest(int argc, char **argv);
extern const struct cmd_spec attest_spec;

/* The commands (src/main.c), for completion. */
extern const struct command chipaudit_commands[];
extern const size_t chipaudit_command_count;
extern const struct cmd_spec chipaudit_global_spec;

/* Where and how reports are pushed (src/cmd/push.c): push's options, and
 * audit --push's (push_audit_table, whose context is this struct). */
struct push_options {
	const char *url, *cacert, *cert, *key;
	const char *public_key;  /* sent as X-Chipaudit-Public-Key when set */
	int retries;  /* plus one; 0: the default */
};
extern const struct opt_table push_audit_table;
/* POST each report and its REPORT.sig; 0 or the exit code (push --help). */
int push_reports(const struct push_options *o, char *const reports[], int n);

/* --measure[=MODE] (src/cmd/measure.c): a row setter on struct probe_options. */
opt_setter measure_option;

/* How the exit status and the output say the verdict: the default (README's
 * Exit status), or a monitoring plugin's (Nagios, the Monitoring Plugins
 * guidelines: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, a status line). */
enum exit_style { EXIT_STYLE_DEFAULT, EXIT_STYLE_NAGIOS };

/* --format: the form of the report written to -o FILE (JSON when not
 * given), or printed when there is no -o (text when not given). */
enum report_format { FORMAT_UNSET, FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS, FORMAT_HTML };

/* The options the commands that gather or print a report share: the
 * context of common_table and report_table. */
struct common_options {
	const char *root;      /* --root DIR */
	const char *output;    /* -o FILE */
	bool json;             /* --json */
	enum exit_style exit_style;
	enum report_format format;
};

/* What the views (--format prometheus and html) read besides the report;
 * each member may be NULL. */
struct report_view {
	const json_t *facts;                      /* judged, when the report does not carry them */
	const struct accdb *db;                   /* the models' datasheet figures */
	const struct report_signature *signature; /* what is known of the report's signature */
	const char *source;                       /* the report's file, for messages */
};

/* The row tables areas share. Contexts: common_table and report_table a
 * struct common_options, probe_table a struct probe_options (what is
 * gathered: audit, facts, snapshot), judge_table a struct judge_options
 * (how it is judged: audit, judge). */
extern const struct opt_table common_table, report_table, probe_table, judge_table;

/* --rim FILE|DIR, in judge_table and in attest verify's table: the setter
 * and release of a row whose offset names a struct rim_set * field
 * (checks/attestation_rim.h). */
int option_rim(const char *value, void *target, char *err, size_t errlen);
void option_rim_release(void *target);
#define OPT_RIM(HELP, TYPE, FIELD) \
	{ .long_name = "rim", .arg = OPT_ARG_REQUIRED, .arg_name = "FILE|DIR", .help = (HELP), \
	  .set = option_rim, .free_value = option_rim_release, .offset = offsetof(TYPE, FIELD) }

/* A command that ends with a report verdict, under its exit style: RC is the
 * command's exit code so far, REPORT the report when there is one. Prints
 * the report (or, for nagios, the status line) unless RC says the command
 * failed before; returns the exit code to exit with. */
int finish_report(const struct common_options *o, json_t *report, const struct report_view *view, int rc);
/* Without -o FILE, --json and a --format that is not JSON both name what is
 * printed, and --exit-style nagios prints a status line, not the --format:
 * EXIT_USAGE with the usage error, or 0. */
int report_format_check(const struct cmd_spec *spec, const struct common_options *o);

/* Shared steps (src/cmd/common.c). Each returns 0 or an exit code, having
 * printed a one-line error. */
int load_accdb(struct accdb *db);
int gather_facts(const char *root, const struct accdb *db, const struct probe_options *opts,
		 struct recorder *rec, json_t **facts);
/* Write the report to O's -o FILE in its --format (JSON when not given),
 * print it on stdout (JSON with --json; without -o, the --format; else
 * text); returns the exit code the report calls for, or an error code. */
int emit_report(const json_t *report, const struct common_options *o, const struct report_view *view);
/* The report in FORMAT as text (malloc'd), or NULL with a one-line error
 * printed and *RC set. */
char *report_as_text(const json_t *report, enum report_format format, const struct report_view *view, int *rc);
/* Print JSON (pretty) to OUT; returns 0 or EXIT_IOERR. */
int print_json(FILE *out, const json_t *v);
/* Write JSON to PATH ("-" = stdout); returns 0 or an exit code. */
int write_json_file(const char *path, const json_t *v);
/* Write the report to PATH in FORMAT (its exact JSON bytes, as emit_report
 * writes them, when FORMAT_UNSET or FORMAT_JSON); returns 0 or an exit code. */
int write_report_file(const char *path, const json_t *report, enum report_format format,
		      const struct report_view *view);

#endif
