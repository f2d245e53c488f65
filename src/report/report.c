#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/backdoor.h"
#include "probe/facts.h"
#include "core/json.h"
#include "core/util.h"

#ifndef CHIPAUDIT_VERSION
#define CHIPAUDIT_VERSION "unknown"
#endif

/* Whether B says what A says, of another subject: one finding in the report. */
static bool same_result(const struct finding *a, const struct finding *b)
{
	return a->check == b->check && a->status == b->status && str_same(a->message, b->message) &&
	       str_same(a->remediation, b->remediation) && json_equal(a->evidence, b->evidence);
}

/* FINDINGS[0] and the consecutive findings that say the same of other
 * subjects, as one report finding; *USED is how many it took. */
static json_t *finding_json(const struct finding *findings, size_t count, size_t *used)
{
	const struct finding *f = &findings[0];
	json_t *o = json_object(), *subjects = json_array();
	size_t n = 0;

	while (n < count && same_result(f, &findings[n]))
		json_array_append_new(subjects, json_string(findings[n++].subject));
	*used = n;
	jset_str(o, "check", f->check->id);
	jset_str(o, "category", f->check->category);
	jset_str(o, "status", status_name(f->status));
	jset_str(o, "severity", severity_name(f->check->severity));
	json_object_set_new(o, "subjects", subjects);
	json_object_set(o, "evidence", f->evidence);
	jset_str(o, "message", f->message);
	jset_str(o, "remediation", f->remediation);
	return o;
}

static json_t *summary_json(const struct findings *findings, size_t accelerators)
{
	size_t counts[STATUS_COUNT] = { 0 };
	enum status worst = findings_worst(findings);
	json_t *s = json_object();

	for (size_t i = 0; i < findings->count; i++)
		counts[findings->items[i].status]++;
	jset_int(s, "accelerators", (json_int_t)accelerators);
	jset_int(s, "pass", (json_int_t)counts[STATUS_PASS]);
	jset_int(s, "warn", (json_int_t)counts[STATUS_WARN]);
	jset_int(s, "fail", (json_int_t)counts[STATUS_FAIL]);
	jset_int(s, "skip", (json_int_t)counts[STATUS_SKIP]);
	jset_int(s, "error", (json_int_t)counts[STATUS_ERROR]);
	jset_str(s, "worst", status_name(worst));
	jset_int(s, "exit_code", exit_code_for(worst));
	return s;
}

json_t *report_build(const json_t *facts, const struct findings *findings)
{
	json_t *r = json_object(), *list = json_array();
	const json_t *accs = jarr(facts, "accelerators");

	jset_int(r, "schema_version", REPORT_SCHEMA_VERSION);
	jset_str(r, "tool_version", CHIPAUDIT_VERSION);
	json_object_set(r, "host", json_object_get(facts, "host"));
	json_object_set_new(r, "accelerators", accs ? json_deep_copy(accs) : json_array());
	for (size_t i = 0, used; i < findings->count; i += used)
		json_array_append_new(list, finding_json(&findings->items[i], findings->count - i, &used));
	json_object_set_new(r, "findings", list);
	json_object_set_new(r, "summary", summary_json(findings, json_array_size(accs)));
	json_object_set_new(r, "trust", trust_summary(facts, findings));
	json_object_set(r, "limitations", json_object_get(facts, "limitations"));
	return r;
}

char *report_serialize(const json_t *report, size_t *len)
{
	char *text = json_to_text_nl(report, false);

	if (len)
		*len = strlen(text);
	return text;
}

int report_exit_code(const json_t *report)
{
	json_int_t code = EXIT_FAIL;
	jint(jobj(report, "summary"), "exit_code", &code);
	return (int)code;
}

bool want_colour(FILE *stream)
{
	const char *no = getenv("NO_COLOR");
	return isatty(fileno(stream)) && !(no && *no);
}

struct palette {
	const char *pass, *warn, *fail, *skip, *bold, *dim, *reset;
};

static const struct palette plain = { "", "", "", "", "", "", "" };
static const struct palette ansi = { "\033[32m", "\033[33m", "\033[31m", "\033[36m", "\033[1m", "\033[2m", "\033[0m" };

static const char *status_colour(const struct palette *p, const char *status)
{
	if (strcmp(status, "pass") == 0)
		return p->pass;
	if (strcmp(status, "warn") == 0)
		return p->warn;
	if (strcmp(status, "skip") == 0)
		return p->skip;
	return p->fail;
}

static void render_accelerator(FILE *out, const json_t *acc, const struct palette *p)
{
	const json_t *link = jobj(acc, "link");
	json_int_t group, numa, width;
	double speed;
	const char *model = jstr(acc, "model");

	fprintf(out, "  %s", p->bold);
	text_printf(out, "%s", jstr(acc, "pci_address"));
	fputs(p->reset, out);
	text_printf(out, "  %s %s (%s:%s)", jstr(acc, "vendor") ? jstr(acc, "vendor") : "unknown vendor",
		    model ? model : (jstr(acc, "pci_name") ? jstr(acc, "pci_name") : "unknown model"),
		    jstr(acc, "vendor_id"), jstr(acc, "device_id"));
	text_printf(out, "\n      driver %s", jstr(acc, "driver") ? jstr(acc, "driver") : "none");
	if (jint(acc, "numa_node", &numa))
		fprintf(out, ", NUMA %lld", (long long)numa);
	if (link && jnum(link, "current_speed_gts", &speed) && jint(link, "current_width", &width))
		fprintf(out, ", PCIe %.1f GT/s x%lld", speed, (long long)width);
	if (jint(acc, "iommu_group", &group))
		fprintf(out, ", IOMMU group %lld", (long long)group);
	fputc('\n', out);
}

static void render_evidence(FILE *out, const json_t *evidence, const struct palette *p)
{
	char *text;

	if (json_object_size(evidence) == 0)
		return;
	text = json_to_text(evidence, false);
	fprintf(out, "         %sevidence: ", p->dim);
	text_printf(out, "%s", text);
	fprintf(out, "%s\n", p->reset);
	free(text);
}

/* "0000:18:00.0", "host", or when a finding covers every accelerator of
 * several, "all 8 accelerators" rather than eight addresses. */
static void render_subjects(FILE *out, const json_t *subjects, const json_t *accs)
{
	size_t i, n = json_array_size(subjects), covered = 0;
	json_t *s;

	json_array_foreach(subjects, i, s)
		covered += accelerator_by_address(accs, json_string_value(s)) != NULL;
	if (n > 1 && covered == n && n == json_array_size(accs)) {
		fprintf(out, "all %zu accelerators", n);
		return;
	}
	json_array_foreach(subjects, i, s)
		text_printf(out, "%s%s", i ? ", " : "", json_string_value(s) ? json_string_value(s) : "?");
}

/* Whether B, a pass, shows as A does in text: evidence of a pass is not
 * shown, so passes that differ only there are one line. */
static bool same_line(const json_t *a, const json_t *b)
{
	return strcmp(jstr(a, "status"), "pass") == 0 && strcmp(jstr(b, "status"), "pass") == 0 &&
	       strcmp(jstr(a, "check"), jstr(b, "check")) == 0 && jstr(a, "message") && jstr(b, "message") &&
	       strcmp(jstr(a, "message"), jstr(b, "message")) == 0;
}

/* FINDINGS[I] and the passes after it that show as it does; the number
 * rendered. */
static size_t render_finding(FILE *out, const json_t *findings, size_t i, const json_t *accs, const struct palette *p)
{
	const json_t *f = json_array_get(findings, i);
	const char *status = jstr(f, "status");
	json_t *subjects = json_copy(jarr(f, "subjects"));
	char upper[8] = { 0 };
	size_t n = 1;

	for (; i + n < json_array_size(findings) && same_line(f, json_array_get(findings, i + n)); n++)
		json_array_extend(subjects, jarr(json_array_get(findings, i + n), "subjects"));
	for (size_t k = 0; k < sizeof(upper) - 1 && status[k]; k++)
		upper[k] = (char)(status[k] - 32 * (status[k] >= 'a' && status[k] <= 'z'));
	fputs("  ", out);
	fputs(status_colour(p, status), out);
	text_printf(out, "%-5s", upper);
	fputs(p->reset, out);
	text_printf(out, "  %s  [", jstr(f, "check"));
	render_subjects(out, subjects, accs);
	json_decref(subjects);
	text_printf(out, "]\n         %s\n", jstr(f, "message"));
	/* pass findings stay short; anything else shows what it rests on */
	if (strcmp(status, "pass") != 0) {
		render_evidence(out, jobj(f, "evidence"), p);
		if (jstr(f, "remediation"))
			text_printf(out, "         fix: %s\n", jstr(f, "remediation"));
	}
	return n;
}

/* Every value shown comes from the report, which comes from the machine
 * audited (process names, hostnames, paths) or from a file someone handed
 * over: text_printf escapes each, so none can move the cursor or forge a
 * line; only the palette's own sequences reach the terminal. */
void report_render_text(FILE *out, const json_t *report, bool colour)
{
	const struct palette *p = colour ? &ansi : &plain;
	const json_t *host = jobj(report, "host"), *summary = jobj(report, "summary");
	const json_t *accs = jarr(report, "accelerators"), *findings = jarr(report, "findings");
	json_int_t n[5] = { 0 };
	size_t i;
	json_t *item;

	fputs(p->bold, out);
	text_printf(out, "chipaudit %s", jstr(report, "tool_version"));
	fputs(p->reset, out);
	text_printf(out, "  host %s, kernel %s, %s\n\n", jstr(host, "hostname") ? jstr(host, "hostname") : "?",
		    jstr(host, "kernel") ? jstr(host, "kernel") : "?", jstr(host, "time") ? jstr(host, "time") : "?");
	fprintf(out, "%sAccelerators%s\n", p->bold, p->reset);
	if (json_array_size(accs) == 0)
		fprintf(out, "  none found\n");
	json_array_foreach(accs, i, item)
		render_accelerator(out, item, p);
	fprintf(out, "\n%sFindings%s\n", p->bold, p->reset);
	for (i = 0; i < json_array_size(findings);)
		i += render_finding(out, findings, i, accs, p);
	jint(summary, "pass", &n[0]);
	jint(summary, "warn", &n[1]);
	jint(summary, "fail", &n[2]);
	jint(summary, "skip", &n[3]);
	jint(summary, "error", &n[4]);
	fprintf(out, "\n%sSummary%s: %lld pass, %lld warn, %lld fail, %lld skip, %lld error\n", p->bold, p->reset,
		(long long)n[0], (long long)n[1], (long long)n[2], (long long)n[3], (long long)n[4]);
	trust_render_text(out, jobj(report, "trust"), p->bold, p->reset);
}

/* Judging below the commands (src/cmd/) and the evidence layer
 * (src/evidence/), which both judge, so that neither calls up into the other. */
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
