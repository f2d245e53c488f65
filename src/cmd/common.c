#include "cmd/cmd.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "probe/facts.h"
#include "core/json.h"
#include "core/output.h"
#include "report/prometheus.h"
#include "report/report.h"
#include "core/util.h"
#include "checks/attestation_rim.h"
#include "checks/backdoor.h"
#include "checks/killswitch.h"
#include "checks/spyware_policy.h"

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
	if (probe_root_check(&sr, err, sizeof(err)) != 0) {
		error_msg("--root %s", err);
		sysroot_close(&sr);
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

/* The text form, as the terminal shows it, without colour. */
static char *text_form(const json_t *report)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		out_of_memory();
	report_render_text(out, report, false);
	if (fclose(out) != 0)
		out_of_memory();
	return text;
}

char *report_as_text(const json_t *report, enum report_format format, const struct report_view *view, int *rc)
{
	static const struct report_view none;
	char err[640];
	char *text;

	view = view ? view : &none;
	switch (format) {
	case FORMAT_TEXT:
		return text_form(report);
	case FORMAT_PROMETHEUS:
		if ((text = report_render_prometheus(report, view->facts, err, sizeof(err))) == NULL) {
			error_msg("%s: %s", view->source ? view->source : "the report's metrics", err);
			*rc = EXIT_DATAERR;
		}
		return text;
	case FORMAT_HTML:
		return report_render_html(report, view->db, view->signature);
	default:
		return report_serialize(report, NULL);
	}
}

int write_report_file(const char *path, const json_t *report, enum report_format format,
		      const struct report_view *view)
{
	int rc = 0;
	char *text = report_as_text(report, format, view, &rc);

	if (text != NULL)
		rc = write_text_file(path, text);
	free(text);
	return rc;
}

int emit_report(const json_t *report, const struct common_options *o, const struct report_view *view)
{
	enum report_format shown = o->json ? FORMAT_JSON
				   : o->output || o->format == FORMAT_UNSET ? FORMAT_TEXT
				   : o->format;
	int rc = o->output ? write_report_file(o->output, report, o->format, view) : 0;
	char *text;

	if (rc == 0 && shown == FORMAT_TEXT) {
		report_render_text(stdout, report, want_colour(stdout));
	} else if (rc == 0 && (text = report_as_text(report, shown, view, &rc)) != NULL) {
		rc = put_text(stdout, "writing output", text);
		free(text);
	}
	return rc != 0 ? rc : report_exit_code(report);
}

int report_format_check(const struct cmd_spec *spec, const struct common_options *o)
{
	if (o->json && !o->output && o->format != FORMAT_UNSET && o->format != FORMAT_JSON)
		return options_usage_error(spec, "--json and --format both say what is printed; write the other "
					   "form with -o FILE");
	if (o->exit_style == EXIT_STYLE_NAGIOS && !o->output && o->format != FORMAT_UNSET)
		return options_usage_error(spec, "--format and --exit-style nagios: a monitoring check prints a "
					   "status line; write the report with -o FILE");
	return 0;
}

/* ---- the option rows areas share ---- */

static int set_exit_style(const char *value, void *target, char *err, size_t errlen)
{
	enum exit_style *style = target;

	if (strcmp(value, "default") == 0) {
		*style = EXIT_STYLE_DEFAULT;
	} else if (strcmp(value, "nagios") == 0) {
		*style = EXIT_STYLE_NAGIOS;
	} else {
		snprintf(err, errlen, "--exit-style \"%.64s\": expected default or nagios", value);
		return EXIT_USAGE;
	}
	return 0;
}

static int set_format(const char *value, void *target, char *err, size_t errlen)
{
	static const char *const names[] = { [FORMAT_TEXT] = "text", [FORMAT_JSON] = "json",
					     [FORMAT_PROMETHEUS] = "prometheus", [FORMAT_HTML] = "html" };

	for (size_t i = FORMAT_TEXT; i < ARRAY_SIZE(names); i++) {
		if (strcmp(value, names[i]) == 0) {
			*(enum report_format *)target = (enum report_format)i;
			return 0;
		}
	}
	snprintf(err, errlen, "--format \"%.64s\": expected text, json, prometheus or html", value);
	return EXIT_USAGE;
}

static const struct opt_row common_rows[] = {
	OPT_STRING("root", 'r', "DIR",
	  "read sysfs, /proc, /dev and /etc under DIR (a snapshot or a fixture tree)", struct common_options,
	  root),
	OPT_END,
};
const struct opt_table common_table = { NULL, common_rows };

static const struct opt_row report_rows[] = {
	OPT_BOOL("json", 'j', "print the report as JSON (docs/report.schema.json)", struct common_options,
	  json),
	OPT_STRING("output", 'o', "FILE", "also write the JSON report to FILE (or the FORMAT chosen)",
	  struct common_options, output),
	{ .long_name = "format", .arg = OPT_ARG_REQUIRED, .arg_name = "FORMAT",
	  .help = "the form of the report written to -o FILE, or printed without -o: text, json, prometheus (a "
	  "node_exporter textfile, docs/metrics.md) or html (one self-contained page)",
	  .set = set_format, .offset = offsetof(struct common_options, format),
	  .choices = "text json prometheus html" },
	{ .long_name = "exit-style", .arg = OPT_ARG_REQUIRED, .arg_name = "STYLE",
	  .help = "default (0 pass, 1 warning, 2 failure, 64-78 usage and input errors) or nagios (0 OK, 1 "
	  "WARNING, 2 CRITICAL, 3 UNKNOWN, with a plugin's status line)",
	  .set = set_exit_style, .offset = offsetof(struct common_options, exit_style), .early = true,
	  .choices = "default nagios" },
	OPT_END,
};
const struct opt_table report_table = { NULL, report_rows };

static int set_device_node(const char *value, void *target, char *err, size_t errlen)
{
	struct probe_options *probe = target;
	char why[256];

	if (device_glob_valid(value, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "--device-node: %s", why);
		return EXIT_USAGE;
	}
	probe->device_globs = xreallocarray(probe->device_globs, probe->n_device_globs + 1, sizeof(char *));
	probe->device_globs[probe->n_device_globs++] = (char *)value;
	return 0;
}

static void release_device_nodes(void *target)
{
	struct probe_options *probe = target;

	free(probe->device_globs);
	probe->device_globs = NULL;
	probe->n_device_globs = 0;
}

static int set_vendor_library(const char *value, void *target, char *err, size_t errlen)
{
	return probe_vendor_library_set(target, value, err, errlen) == 0 ? 0 : EXIT_USAGE;
}

static int set_nvml_library(const char *value, void *target, char *err, size_t errlen)
{
	return probe_nvml_library_set(target, value, err, errlen) == 0 ? 0 : EXIT_USAGE;
}

static const struct opt_row probe_rows[] = {
	OPT_CALLBACK("device-node", 0, OPT_ARG_REQUIRED, "GLOB",
	  "also count processes holding files matching GLOB (an absolute path glob, repeatable) as "
	  "accelerator users, beside data/device-nodes.json",
	  set_device_node, release_device_nodes),
	OPT_CALLBACK("vendor-library", 0, OPT_ARG_REQUIRED, "NAME=PATH",
	  "load PATH as vendor library NAME instead of its default (nvml: libnvidia-ml.so.1, also "
	  "CHIPAUDIT_NVML_LIBRARY)", set_vendor_library, NULL),
	OPT_CALLBACK("nvml-library", 0, OPT_ARG_REQUIRED, "PATH", "the same as --vendor-library nvml=PATH",
	  set_nvml_library, NULL),
	{ .long_name = "measure", .arg = OPT_ARG_OPTIONAL, .arg_name = "MODE",
	  .help = "also measure each GPU (throughput, bandwidth, memory remanence): MODE quick (10 s a "
	  "GPU), standard (the default) or thorough",
	  .set = measure_option, .choices = "quick standard thorough" },
	OPT_END,
};
const struct opt_table probe_table = { "What is gathered", probe_rows };

static int set_manifest(const char *value, void *target, char *err, size_t errlen)
{
	return backdoor_option_manifest(value, target, err, errlen);
}

static void release_manifests(void *target)
{
	backdoor_options_free(target);
}

int option_rim(const char *value, void *target, char *err, size_t errlen)
{
	return rim_set_add(target, value, err, errlen);
}

void option_rim_release(void *target)
{
	struct rim_set **rims = target;

	rim_set_free(*rims);
	*rims = NULL;
}

static int set_policy(const char *value, void *target, char *err, size_t errlen)
{
	struct judge_options *judge = target;
	int rc = EXIT_DATAERR;

	if (judge->spyware_policy != NULL) {
		snprintf(err, errlen, "--policy given twice");
		return EXIT_USAGE;
	}
	judge->spyware_policy = spyware_policy_load(value, err, errlen, &rc);
	return judge->spyware_policy == NULL ? rc : 0;
}

static void release_policy(void *target)
{
	struct judge_options *judge = target;

	spyware_policy_free(judge->spyware_policy);
	judge->spyware_policy = NULL;
}

static int set_expect_mig(const char *value, void *target, char *err, size_t errlen)
{
	struct judge_options *judge = target;
	char why[512];
	int rc = EXIT_DATAERR;

	json_decref(judge->expect_mig);
	judge->expect_mig_path = value;
	judge->expect_mig = json_load_path(value, why, sizeof(why), &rc);
	if (judge->expect_mig == NULL) {
		snprintf(err, errlen, "--expect-mig %s", why);
		return rc;
	}
	if (mig_policy_validate(judge->expect_mig, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "--expect-mig %s: %s", value, why);
		return EXIT_DATAERR;
	}
	return 0;
}

static void release_expect_mig(void *target)
{
	struct judge_options *judge = target;

	json_decref(judge->expect_mig);
	judge->expect_mig = NULL;
}

static void release_drift_documents(void *target)
{
	evidence_options_free(target);
}

static const struct opt_row judge_rows[] = {
	OPT_CALLBACK("manifest", 0, OPT_ARG_REQUIRED, "FILE",
	  "golden manifest of module and firmware hashes to compare with (repeatable; format in "
	  "docs/backdoor.md)",
	  set_manifest, release_manifests),
	OPT_RIM("NVIDIA's RIMs (signed SWID tags) for the GPUs' driver and VBIOS, the golden values of their "
	  "attestation: a file, or a directory mirrored from NVIDIA's RIM service (repeatable; "
	  "docs/attestation.md)", struct judge_options, rims),
	OPT_CALLBACK("policy", 0, OPT_ARG_REQUIRED, "FILE",
	  "site policy of expected talkers, listeners and executables for the spyware checks "
	  "(docs/spyware.md); without one, findings are warnings",
	  set_policy, release_policy),
	OPT_CALLBACK("expect-mig", 0, OPT_ARG_REQUIRED, "FILE",
	  "the MIG layout this site expects (docs/killswitch.md); default: MIG off", set_expect_mig,
	  release_expect_mig),
	OPT_CALLBACK("baseline", 0, OPT_ARG_REQUIRED, "FILE",
	  "compare with this report (or facts file) for the drift checks; audit takes the previous report "
	  "of this host from history",
	  evidence_option_baseline, release_drift_documents),
	OPT_CALLBACK("reference", 0, OPT_ARG_REQUIRED, "FILE",
	  "also compare throughput with this earlier report (audit: the host's first report in history), so "
	  "slow drift adds up",
	  evidence_option_reference, release_drift_documents),
	OPT_CALLBACK("drift-margin", 0, OPT_ARG_REQUIRED, "PCT",
	  "throughput loss tolerated before a drift failure (default 10)", evidence_option_drift_margin, NULL),
	OPT_END,
};
const struct opt_table judge_table = { "How it is judged", judge_rows };
