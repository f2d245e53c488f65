#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/backdoor.h"
#include "core/json.h"
#include "core/util.h"

#ifndef CHIPAUDIT_VERSION
#define CHIPAUDIT_VERSION "unknown"
#endif

static json_t *finding_json(const struct finding *f)
{
	json_t *o = json_object();
	jset_str(o, "check", f->check->id);
	jset_str(o, "category", f->check->category);
	jset_str(o, "status", status_name(f->status));
	jset_str(o, "severity", severity_name(f->check->severity));
	jset_str(o, "subject", f->subject);
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
	for (size_t i = 0; i < findings->count; i++)
		json_array_append_new(list, finding_json(&findings->items[i]));
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

	fprintf(out, "  %s%s%s  %s %s (%s:%s)", p->bold, jstr(acc, "pci_address"), p->reset,
		jstr(acc, "vendor") ? jstr(acc, "vendor") : "unknown vendor",
		model ? model : (jstr(acc, "pci_name") ? jstr(acc, "pci_name") : "unknown model"),
		jstr(acc, "vendor_id"), jstr(acc, "device_id"));
	fprintf(out, "\n      driver %s", jstr(acc, "driver") ? jstr(acc, "driver") : "none");
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
	fprintf(out, "         %sevidence: %s%s\n", p->dim, text, p->reset);
	free(text);
}

static void render_finding(FILE *out, const json_t *f, const struct palette *p)
{
	const char *status = jstr(f, "status");
	char upper[8] = { 0 };

	for (size_t i = 0; i < sizeof(upper) - 1 && status[i]; i++)
		upper[i] = (char)(status[i] - 32 * (status[i] >= 'a' && status[i] <= 'z'));
	fprintf(out, "  %s%-5s%s  %s  [%s]\n", status_colour(p, status), upper, p->reset,
		jstr(f, "check"), jstr(f, "subject"));
	fprintf(out, "         %s\n", jstr(f, "message"));
	/* pass findings stay short; anything else shows what it rests on */
	if (strcmp(status, "pass") != 0) {
		render_evidence(out, jobj(f, "evidence"), p);
		if (jstr(f, "remediation"))
			fprintf(out, "         fix: %s\n", jstr(f, "remediation"));
	}
}

void report_render_text(FILE *out, const json_t *report, bool colour)
{
	const struct palette *p = colour ? &ansi : &plain;
	const json_t *host = jobj(report, "host"), *summary = jobj(report, "summary");
	const json_t *accs = jarr(report, "accelerators"), *findings = jarr(report, "findings");
	json_int_t n[5] = { 0 };
	size_t i;
	json_t *item;

	fprintf(out, "%schipaudit %s%s  host %s, kernel %s, %s\n\n", p->bold, jstr(report, "tool_version"), p->reset,
		jstr(host, "hostname") ? jstr(host, "hostname") : "?",
		jstr(host, "kernel") ? jstr(host, "kernel") : "?", jstr(host, "time"));
	fprintf(out, "%sAccelerators%s\n", p->bold, p->reset);
	if (json_array_size(accs) == 0)
		fprintf(out, "  none found\n");
	json_array_foreach(accs, i, item)
		render_accelerator(out, item, p);
	fprintf(out, "\n%sFindings%s\n", p->bold, p->reset);
	json_array_foreach(findings, i, item)
		render_finding(out, item, p);
	jint(summary, "pass", &n[0]);
	jint(summary, "warn", &n[1]);
	jint(summary, "fail", &n[2]);
	jint(summary, "skip", &n[3]);
	jint(summary, "error", &n[4]);
	fprintf(out, "\n%sSummary%s: %lld pass, %lld warn, %lld fail, %lld skip, %lld error\n", p->bold, p->reset,
		(long long)n[0], (long long)n[1], (long long)n[2], (long long)n[3], (long long)n[4]);
	trust_render_text(out, jobj(report, "trust"), p->bold, p->reset);
}
