/* Subcommands: one file each, as git has builtin/NAME.c. */
#ifndef CHIPAUDIT_CMD_H
#define CHIPAUDIT_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "checks/judge.h"
#include "core/accdb.h"
#include "core/check.h"
#include "core/options.h"
#include "evidence/record.h"
#include "probe/probe.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_audit(int argc, char **argv);
int cmd_facts(int argc, char **argv);
int cmd_judge(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_classify(int argc, char **argv);
#include "checks/killswitch.h"
int cmd_measure(int argc, char **argv);
/* --measure[=MODE] (src/cmd/measure.c): 1 when set, or EXIT_USAGE after an error. */
int measure_option(const char *arg, struct probe_options *probe);
int cmd_keygen(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* Each entry ends with a comma: "{ "name", required_argument, NULL, OPT_NAME }," */
#define PROBE_LONGOPTS \
	{ "device-node", required_argument, NULL, OPT_DEVICE_NODE }, \
	{ "nvml-library", required_argument, NULL, OPT_NVML_LIBRARY }, \
	{ "measure", optional_argument, NULL, OPT_MEASURE }, \

#define JUDGE_LONGOPTS \
	{ "manifest", required_argument, NULL, OPT_MANIFEST }, \
	{ "policy", required_argument, NULL, OPT_POLICY }, \
	{ "expect-mig", required_argument, NULL, OPT_EXPECT_MIG }, \
	{ "baseline", required_argument, NULL, OPT_BASELINE }, \
	{ "reference", required_argument, NULL, OPT_REFERENCE }, \
	{ "drift-margin", required_argument, NULL, OPT_DRIFT_MARGIN }, \

/* Help text lines for the shared options. */
extern const char probe_options_help[];
extern const char judge_options_help[];

/* Handle a shared option code. Returns 1 when handled, 0 when CODE is not a
 * shared option, or an exit code (> 1) after printing a one-line error. */
int shared_option(int code, const char *arg, struct probe_options *probe, struct judge_options *judge);
/* Release what shared options allocated. */
void shared_options_free(struct probe_options *probe, struct judge_options *judge);

/* Shared steps (src/cmd/common.c). Each returns 0 or an exit code, having
 * printed a one-line error. */
int load_accdb(struct accdb *db);
int gather_facts(const char *root, const struct accdb *db, const struct probe_options *opts,
		 struct recorder *rec, json_t **facts);
/* Write the report to OUTPUT (JSON, when given), print it as JSON or text on
 * stdout; returns the exit code the report calls for, or an I/O error code. */
int emit_report(const json_t *report, bool json, const char *output);
/* Print JSON (pretty) to OUT; returns 0 or EXIT_IOERR. */
int print_json(FILE *out, const json_t *v);
/* Write JSON to PATH ("-" = stdout); returns 0 or an exit code. */
int write_json_file(const char *path, const json_t *v);
/* "chipaudit CMD: unknown option" style usage error: prints usage, returns EXIT_USAGE. */
int usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
