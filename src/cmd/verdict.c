/* The verdict of a command that ends with a report, under its exit style:
 * the default (README's Exit status), or a monitoring plugin's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/util.h"

static const char *exit_meaning(int rc)
{
	switch (rc) {
	case EXIT_USAGE: return "usage error";
	case EXIT_DATAERR: return "malformed input";
	case EXIT_NOINPUT: return "input missing or unreadable";
	case EXIT_SOFTWARE: return "internal error";
	case EXIT_CANTCREAT: return "output file cannot be created";
	case EXIT_IOERR: return "I/O error while writing";
	case EXIT_CONFIG: return "a data file is malformed";
	default: return "could not run";
	}
}

/* S with '|' (the plugin output's perfdata separator) and line breaks replaced. */
static void put_plugin_text(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '|' ? '/' : *s == '\n' || *s == '\r' ? ' ' : *s);
}

static json_int_t summary_count(const json_t *report, const char *status)
{
	json_int_t n = 0;

	jint(jobj(report, "summary"), status, &n);
	return n;
}

/* Whether a finding before index I has the same check and status as F. */
static bool seen_before(const json_t *findings, size_t i, const json_t *f)
{
	for (size_t k = 0; k < i; k++) {
		const json_t *e = json_array_get(findings, k);
		if (str_same(jstr(e, "check"), jstr(f, "check")) && str_same(jstr(e, "status"), jstr(f, "status")))
			return true;
	}
	return false;
}

/* " (id, id, id and N more)": the checks with findings of STATUS, each once. */
static void put_check_ids(const json_t *report, const char *status)
{
	const json_t *findings = jarr(report, "findings");
	size_t i, shown = 0, more = 0;
	json_t *f;

	json_array_foreach(findings, i, f) {
		if (!str_same(jstr(f, "status"), status) || seen_before(findings, i, f))
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		fputs(shown++ ? ", " : " (", stdout);
		put_plugin_text(jstr(f, "check"));
	}
	if (more)
		printf(" and %zu more", more);
	if (shown)
		putchar(')');
}

/* The Monitoring Plugins' output: "CHIPAUDIT STATE - text | perfdata", then
 * one line per finding that is not a pass or a skip. Returns the plugin's
 * exit code. */
static int print_plugin_status(const json_t *report)
{
	static const char *const state[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	json_int_t pass = summary_count(report, "pass"), warn = summary_count(report, "warn"),
		   fail = summary_count(report, "fail"), error = summary_count(report, "error"),
		   skip = summary_count(report, "skip"), acc = summary_count(report, "accelerators");
	int code = error > 0 ? 3 : fail > 0 ? 2 : warn > 0 ? 1 : 0;
	size_t i;
	json_t *f;

	printf("CHIPAUDIT %s - %lld accelerator%s", state[code], (long long)acc, acc == 1 ? "" : "s");
	if (error > 0) {
		printf(", %lld check%s could not judge", (long long)error, error == 1 ? "" : "s");
		put_check_ids(report, "error");
	}
	if (fail > 0) {
		printf(", %lld failure%s", (long long)fail, fail == 1 ? "" : "s");
		put_check_ids(report, "fail");
	}
	if (warn > 0) {
		printf(", %lld warning%s", (long long)warn, warn == 1 ? "" : "s");
		put_check_ids(report, "warn");
	}
	if (code == 0)
		printf(", %lld checks pass, %lld skipped", (long long)pass, (long long)skip);
	printf(" | pass=%lld;;;0 warn=%lld;0;;0 fail=%lld;;0;0 error=%lld;;0;0 skip=%lld;;;0 accelerators=%lld;;;0\n",
	       (long long)pass, (long long)warn, (long long)fail, (long long)error, (long long)skip, (long long)acc);
	json_array_foreach(jarr(report, "findings"), i, f) {
		const char *status = jstr(f, "status");
		size_t k;
		json_t *subject;
		if (str_same(status, "pass") || str_same(status, "skip"))
			continue;
		printf("%s ", str_same(status, "warn") ? "WARNING" : str_same(status, "fail") ? "CRITICAL" : "UNKNOWN");
		put_plugin_text(jstr(f, "check"));
		fputs(" [", stdout);
		json_array_foreach(jarr(f, "subjects"), k, subject) {
			fputs(k ? ", " : "", stdout);
			put_plugin_text(json_string_value(subject));
		}
		fputs("]: ", stdout);
		put_plugin_text(jstr(f, "message"));
		putchar('\n');
	}
	return code;
}

int finish_report(const struct common_options *o, json_t *report, const struct report_view *view, int rc)
{
	if (o->exit_style != EXIT_STYLE_NAGIOS) {
		if (rc == 0 && report != NULL)
			rc = emit_report(report, o, view);
		return rc;
	}
	if (rc == 0 && report != NULL && o->output)
		rc = write_report_file(o->output, report, o->format, view);
	if (rc == 0 && report != NULL) {
		rc = print_plugin_status(report);
	} else {
		printf("CHIPAUDIT UNKNOWN - %s (exit %d): the reason is on standard error\n", exit_meaning(rc), rc);
		rc = 3;
	}
	if (fflush(stdout) != 0) {
		error_msg("writing output: %s", strerror(errno));
		rc = 3;
	}
	return rc;
}
