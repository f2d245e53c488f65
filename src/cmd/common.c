#include "cmd/cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/facts.h"
#include "core/json.h"
#include "core/output.h"
#include "core/report.h"
#include "core/util.h"

int load_accdb(struct accdb *db)
{
	char err[512];

	if (accdb_load(db, err, sizeof(err)) != 0) {
		error_msg("%s", err);
		return EXIT_CONFIG;
	}
	return 0;
}

int gather_facts(const char *root, const struct accdb *db, const struct probe_options *opts,
		 struct recorder *rec, json_t **facts)
{
	struct sysroot sr;
	char err[1024];

	*facts = NULL;
	if (sysroot_open(&sr, root, err, sizeof(err)) != 0) {
		error_msg("--root %s", err);
		return EXIT_NOINPUT;
	}
	sr.recorder = rec;
	*facts = facts_gather(&sr, db, opts, err, sizeof(err));
	sysroot_close(&sr);
	if (*facts == NULL) {
		error_msg("%s", err);
		return EXIT_DATAERR;
	}
	/* The probe's output is held to the same validation as a facts file, so
	 * `facts | judge` and `audit` cannot differ. */
	if (facts_validate(*facts, "gathered facts", err, sizeof(err)) != 0) {
		error_msg("internal error: %s", err);
		json_decref(*facts);
		*facts = NULL;
		return EXIT_SOFTWARE;
	}
	return 0;
}

json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts)
{
	static const struct judge_options defaults;
	struct judge_ctx ctx = { .facts = facts, .accdb = db, .options = opts ? opts : &defaults };
	struct findings findings = { 0 };
	json_t *report;

	judge_run(&ctx, &findings);
	report = report_build(facts, &findings);
	findings_free(&findings);
	return report;
}

static int put_text(FILE *out, const char *name, const char *text)
{
	if (fputs(text, out) == EOF || fflush(out) == EOF) {
		error_msg("%s: %s", name, strerror(errno));
		return EXIT_IOERR;
	}
	return 0;
}

/* TEXT to the file PATH ("-": standard output), replaced atomically (core/output.h). */
static int write_text_file(const char *path, const char *text)
{
	char err[1024];
	int rc = output_file(path, text, strlen(text), 0644, 0, err, sizeof(err));

	if (rc != 0)
		error_msg("%s", err);
	return rc;
}

int print_json(FILE *out, const json_t *v)
{
	char *text = json_to_text_nl(v, true);
	int rc = put_text(out, "writing output", text);

	free(text);
	return rc;
}

int write_json_file(const char *path, const json_t *v)
{
	char *text = json_to_text_nl(v, true);
	int rc = write_text_file(path, text);

	free(text);
	return rc;
}

int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("chipaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

int emit_report(const json_t *report, bool json, const char *output)
{
	char *text = output || json ? report_serialize(report, NULL) : NULL;
	int rc = output ? write_text_file(output, text) : 0;

	if (rc == 0 && json)
		rc = put_text(stdout, "writing output", text);
	else if (rc == 0)
		report_render_text(stdout, report, want_colour(stdout));
	free(text);
	return rc != 0 ? rc : report_exit_code(report);
}

const char probe_options_help[] =
	"  --device-node GLOB  also count processes holding files matching GLOB (an absolute\n"
	"               path glob, repeatable) as accelerator users, beside data/device-nodes.json\n"
	"  --nvml-library PATH  load this NVML instead of libnvidia-ml.so.1 (also CHIPAUDIT_NVML_LIBRARY)\n"
	"  --measure[=MODE]  also measure each GPU (throughput, bandwidth, memory\n"
	"                    remanence): MODE quick (10 s a GPU), standard, thorough\n"
	"";

const char judge_options_help[] =
	"  --manifest FILE  golden manifest of module and firmware hashes to compare\n"
	"                   with (repeatable; format in docs/backdoor.md)\n"
	"  --policy FILE  site policy of expected talkers, listeners and executables for the\n"
	"               spyware checks (docs/spyware.md); without one, findings are warnings\n"
	"  --expect-mig FILE    the MIG layout this site expects (docs/killswitch.md); default: MIG off\n"
	"  --baseline FILE    compare with this report (or facts file) for the drift checks;\n"
	"                     audit takes the previous report of this host from history\n"
	"  --reference FILE   also compare throughput with this earlier report (audit: the\n"
	"                     host's first report in history), so slow drift adds up\n"
	"  --drift-margin PCT throughput loss tolerated before a drift failure (default 10)\n"
	"";

int shared_option(int code, const char *arg, struct probe_options *probe, struct judge_options *judge)
{
	(void)arg;
	(void)probe;
	(void)judge;
	switch (code) {
	case OPT_MANIFEST:
		return backdoor_option_manifest(judge, arg);
	case OPT_DEVICE_NODE: {
		char err[256];
		if (device_glob_valid(arg, err, sizeof(err)) != 0) {
			error_msg("--device-node: %s", err);
			return EXIT_USAGE;
		}
		probe->device_globs = xreallocarray(probe->device_globs, probe->n_device_globs + 1, sizeof(char *));
		probe->device_globs[probe->n_device_globs++] = (char *)arg;
		return 1;
	}
	case OPT_POLICY: {
		char err[1024];
		int rc = EXIT_DATAERR;
		if (judge->spyware_policy != NULL) {
			error_msg("--policy given twice");
			return EXIT_USAGE;
		}
		judge->spyware_policy = spyware_policy_load(arg, err, sizeof(err), &rc);
		if (judge->spyware_policy == NULL) {
			error_msg("%s", err);
			return rc;
		}
		return 1;
	}
	case OPT_NVML_LIBRARY:
		probe->nvml_library = arg;
		return 1;
	case OPT_EXPECT_MIG: {
		char err[512];
		int rc = EXIT_DATAERR;
		json_decref(judge->expect_mig);
		judge->expect_mig_path = arg;
		judge->expect_mig = json_load_path(arg, err, sizeof(err), &rc);
		if (judge->expect_mig == NULL) {
			error_msg("--expect-mig %s", err);
			return rc;
		}
		if (mig_policy_validate(judge->expect_mig, err, sizeof(err)) != 0) {
			error_msg("--expect-mig %s: %s", arg, err);
			return EXIT_DATAERR;
		}
		return 1;
	}
	case OPT_MEASURE:
		return measure_option(arg, probe);
	case OPT_BASELINE:
	case OPT_REFERENCE:
	case OPT_DRIFT_MARGIN:
		return evidence_option(code, arg, judge);
	default:
		return 0;
	}
}

void shared_options_free(struct probe_options *probe, struct judge_options *judge)
{
	(void)probe;
	(void)judge;
	backdoor_options_free(judge);
	free(probe->device_globs);
	probe->device_globs = NULL;
	probe->n_device_globs = 0;
	spyware_policy_free(judge->spyware_policy);
	judge->spyware_policy = NULL;
	json_decref(judge->expect_mig);
	judge->expect_mig = NULL;
	evidence_options_free(judge);
}
