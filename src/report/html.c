/* The report as one HTML page.
 *
 * Everything a report says may come from the machine audited or from a file
 * someone handed over, so every string of it goes through esc(), and none
 * reaches a format string, a tag name, a class or an attribute but as
 * escaped text in quotes. The page carries its style and its charts (SVG)
 * inline and no script at all; its Content-Security-Policy forbids scripts
 * and fetches besides, so that even a mistake here could not run anything
 * or call out when the page is opened. */
#include "report/html.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

/* Families shown as their own sections; the findings of any further ones
 * (a received report may name thousands) share a last section. */
#define MAX_FAMILIES 32

static const char style[] =
	":root{--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--skip:#57606a;--error:#8250df;--line:#d0d7de;"
	"--muted:#57606a;--bg:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;margin:0 auto;"
	"max-width:1120px;padding:24px}\n"
	"body *{overflow-wrap:break-word}pre,.message,.fix,.subjects,li{overflow-wrap:anywhere}td code{white-space:nowrap}\n"
	".wide{overflow-x:auto}\n"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}\n"
	".meta{color:var(--muted);margin:2px 0}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid var(--line);padding:4px 8px;"
	"text-align:left;vertical-align:top}th{background:var(--bg)}\n"
	"code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	"pre{background:var(--bg);padding:8px;overflow:auto;white-space:pre-wrap;max-height:420px;margin:4px 0}\n"
	".badge{display:inline-block;min-width:46px;text-align:center;border-radius:4px;padding:0 6px;color:#fff;"
	"font-weight:600;font-size:12px;text-transform:uppercase}\n"
	".badge.pass{background:var(--pass)}.badge.warn{background:var(--warn)}.badge.fail{background:var(--fail)}"
	".badge.skip{background:var(--skip)}.badge.error{background:var(--error)}\n"
	".counts{display:flex;gap:8px;flex-wrap:wrap;margin:10px 0}.counts div{border:1px solid var(--line);"
	"border-radius:6px;padding:6px 12px;min-width:90px}.counts b{display:block;font-size:20px}\n"
	".findings{padding:0;margin:0}.finding{list-style:none;border:1px solid var(--line);border-left:5px solid "
	"var(--skip);border-radius:4px;padding:6px 10px;margin:6px 0}\n"
	".finding.pass{border-left-color:var(--pass)}.finding.warn{border-left-color:var(--warn)}"
	".finding.fail{border-left-color:var(--fail)}.finding.error{border-left-color:var(--error)}\n"
	".finding p{margin:4px 0}.subjects{color:var(--muted)}.fix{font-style:italic}\n"
	".ladder{padding:0;margin:0}.ladder li{list-style:none;border:1px solid var(--line);border-radius:4px;"
	"padding:6px 10px;margin:4px 0}.ladder li.met{border-left:5px solid var(--pass)}"
	".ladder li.unmet{border-left:5px solid var(--fail)}\n"
	".state{font-weight:600}.state.good{color:var(--pass)}.state.bad{color:var(--fail)}.state.unknown{color:var(--warn)}\n"
	"svg{display:block;max-width:100%;height:auto;margin:4px 0}svg text{font:11px sans-serif;fill:#1f2328}\n"
	"footer{margin-top:32px;color:var(--muted);font-size:12px}\n"
	"@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}"
	".finding,.ladder li,svg,tr{break-inside:avoid}pre{max-height:none}"
	"details::details-content{content-visibility:visible;display:block}}\n";

/* S as HTML text, for element content and attribute values in double
 * quotes alike. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* OPEN, S escaped, CLOSE: OPEN and CLOSE are this file's own markup. */
static void tagged(FILE *out, const char *open, const char *s, const char *close)
{
	fputs(open, out);
	esc(out, s);
	fputs(close, out);
}

/* S, or DASH when the report has none: unknown is shown as unknown. */
static const char *or_dash(const char *s)
{
	return s && *s ? s : "\xe2\x80\x94";
}

/* The CSS class of a status: only a status name of ours, never the report's text. */
static const char *status_class(const char *status)
{
	enum status s;

	return status && status_from_name(status, &s) == 0 ? status_name(s) : "error";
}

static void badge(FILE *out, const char *status)
{
	fprintf(out, "<span class=\"badge %s\">", status_class(status));
	esc(out, or_dash(status));
	fputs("</span>", out);
}

/* The report's strings of a list, joined with ", ". */
static void string_list(FILE *out, const json_t *list)
{
	size_t i;
	const json_t *s;

	json_array_foreach(list, i, s) {
		if (i)
			fputs(", ", out);
		esc(out, json_string_value(s) ? json_string_value(s) : "?");
	}
}

static void put_json(FILE *out, const json_t *v)
{
	char *text = json_to_text(v, true);

	fputs("<pre>", out);
	esc(out, text);
	fputs("</pre>", out);
	free(text);
}

/* ---- the head of the page ---- */

static void page_head(FILE *out, const json_t *report)
{
	const json_t *host = jobj(report, "host");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "img-src data:; form-action 'none'; base-uri 'none'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n", out);
	tagged(out, "<title>chipaudit report: ", or_dash(jstr(host, "hostname")), "</title>\n");
	fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", style);
}

static void summary(FILE *out, const json_t *report)
{
	static const char *const order[] = { "fail", "error", "warn", "skip", "pass" };
	const json_t *host = jobj(report, "host"), *s = jobj(report, "summary");
	json_int_t accs = 0;

	fputs("<header>\n", out);
	tagged(out, "<h1>chipaudit report: ", or_dash(jstr(host, "hostname")), "</h1>\n");
	tagged(out, "<p class=\"meta\">audited ", or_dash(jstr(host, "time")), "");
	tagged(out, " by chipaudit ", or_dash(jstr(report, "tool_version")), "");
	tagged(out, "; kernel ", or_dash(jstr(host, "kernel")), "");
	tagged(out, "; ", or_dash(jstr(host, "os")), "");
	tagged(out, "; machine-id <code>", or_dash(jstr(host, "machine_id")), "</code></p>\n");
	jint(s, "accelerators", &accs);
	fputs("<div class=\"counts\" id=\"summary\">", out);
	fprintf(out, "<div><b>%lld</b>accelerator%s</div>", (long long)accs, accs == 1 ? "" : "s");
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		json_int_t n = 0;
		jint(s, order[i], &n);
		fprintf(out, "<div class=\"count-%s\"><b>%lld</b>", order[i], (long long)n);
		badge(out, order[i]);
		fputs("</div>", out);
	}
	fputs("</div>\n<p>Verdict: ", out);
	badge(out, jstr(s, "worst"));
	fputs("</p>\n</header>\n", out);
}

/* ---- signature and chain ---- */

static void signature_state(FILE *out, const struct report_signature *sig)
{
	enum signature_state state = sig ? sig->state : SIGNATURE_NONE;

	fputs("<p id=\"signature\">Signature: ", out);
	switch (state) {
	case SIGNATURE_NONE:
		fputs("<span class=\"state unknown\">none</span>: no signature was given with the report.", out);
		break;
	case SIGNATURE_UNCHECKED:
		tagged(out, "<span class=\"state unknown\">not checked</span>: <code>", sig->file,
		       "</code> is there, and no public key was given to check it with.");
		break;
	case SIGNATURE_VALID:
		tagged(out, "<span class=\"state good\">valid</span>: <code>", sig->file, "</code>");
		tagged(out, " holds for these bytes and the key <code>", sig->fingerprint, "</code>.");
		break;
	case SIGNATURE_INVALID:
		tagged(out, "<span class=\"state bad\">INVALID</span>: <code>", sig->file, "</code>");
		tagged(out, " does not hold for these bytes and the key <code>", sig->fingerprint,
		       "</code>: the report was altered, or signed by another key.");
		break;
	}
	fputs("</p>\n", out);
}

static void evidence_members(FILE *out, const json_t *report, const struct report_signature *sig)
{
	static const char *const members[] = { "host_id", "public_key_fingerprint", "nonce", "previous_sha256" };
	json_int_t seq;

	fputs("<section id=\"evidence\">\n<h2>Signature and chain</h2>\n", out);
	signature_state(out, sig);
	fputs("<table>\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		fprintf(out, "<tr><th>%s</th><td><code>", members[i]);
		esc(out, or_dash(jstr(report, members[i])));
		fputs("</code></td></tr>\n", out);
	}
	fputs("<tr><th>sequence</th><td>", out);
	if (jint(report, "sequence", &seq))
		fprintf(out, "%lld", (long long)seq);
	else
		fputs("not recorded in a chain", out);
	fputs("</td></tr>\n</table>\n</section>\n", out);
}

/* ---- accelerators ---- */

/* The evidence of CHECK's finding about SUBJECT, or NULL. */
static const json_t *evidence_for(const json_t *report, const char *check, const char *subject)
{
	size_t i, k;
	const json_t *f, *s;

	json_array_foreach(jarr(report, "findings"), i, f) {
		if (!str_same(jstr(f, "check"), check))
			continue;
		json_array_foreach(jarr(f, "subjects"), k, s)
			if (str_same(json_string_value(s), subject))
				return jobj(f, "evidence");
	}
	return NULL;
}

/* The accelerator's UUID from its vendor library: the vendor-neutral
 * runtime record, or NVML's member in reports made before it. */
static const char *accelerator_uuid(const json_t *acc)
{
	const char *uuid = jstr(jobj(jobj(acc, "runtime"), "identity"), "uuid");

	return uuid ? uuid : jstr(jobj(acc, "nvml"), "uuid");
}

static void accelerators(FILE *out, const json_t *report)
{
	const json_t *accs = jarr(report, "accelerators"), *acc;
	size_t i;

	fputs("<section id=\"accelerators\">\n<h2>Accelerators</h2>\n", out);
	if (json_array_size(accs) == 0) {
		fputs("<p>None found.</p>\n</section>\n", out);
		return;
	}
	fputs("<div class=\"wide\"><table>\n<tr><th>PCI address</th><th>model</th><th>vendor</th><th>IDs</th><th>driver</th>"
	      "<th>UUID</th><th>export class</th><th>TPP</th></tr>\n", out);
	json_array_foreach(accs, i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *ev = evidence_for(report, "export.classification", addr);
		double tpp;
		tagged(out, "<tr><td><code>", or_dash(addr), "</code></td>");
		tagged(out, "<td>", or_dash(jstr(acc, "model") ? jstr(acc, "model") : jstr(acc, "pci_name")), "</td>");
		tagged(out, "<td>", or_dash(jstr(acc, "vendor")), "</td>");
		tagged(out, "<td><code>", or_dash(jstr(acc, "vendor_id")), ":");
		esc(out, or_dash(jstr(acc, "device_id")));
		tagged(out, "</code></td><td>", or_dash(jstr(acc, "driver")), "</td>");
		tagged(out, "<td><code>", or_dash(accelerator_uuid(acc)), "</code></td>");
		tagged(out, "<td>", or_dash(jstr(ev, "eccn")), "</td><td>");
		if (jnum(ev, "tpp", &tpp) && isfinite(tpp))
			fprintf(out, "%.6g", tpp);
		else
			fputs(or_dash(NULL), out);
		fputs("</td></tr>\n", out);
	}
	fputs("</table></div>\n</section>\n", out);
}

/* ---- the trust ladder ---- */

static void finding_line(FILE *out, const json_t *f)
{
	fputs("<li>", out);
	badge(out, jstr(f, "status"));
	tagged(out, " <code>", jstr(f, "check"), "</code> <span class=\"subjects\">[");
	string_list(out, jarr(f, "subjects"));
	tagged(out, "]</span> ", jstr(f, "message"), "</li>\n");
}

static void trust(FILE *out, const json_t *report)
{
	const json_t *t = jobj(report, "trust"), *levels = jarr(t, "levels"), *issues = jarr(t, "runtime_issues"), *f;
	json_int_t level = 0, max = 0;
	bool applicable = false;
	size_t i, k;

	fputs("<section id=\"trust\">\n<h2>Trust ladder</h2>\n", out);
	if (!json_is_object(t)) {
		fputs("<p>The report carries no trust ladder.</p>\n</section>\n", out);
		return;
	}
	if (!jbool(t, "applicable", &applicable) || !applicable) {
		tagged(out, "<p>Not applicable: ", or_dash(jstr(t, "reason")), "</p>\n</section>\n");
		return;
	}
	jint(t, "level", &level);
	jint(t, "max_level", &max);
	fprintf(out, "<p>Level <b id=\"trust-level\">%lld</b> of %lld", (long long)level, (long long)max);
	tagged(out, " (label <code>", jstr(t, "label"), "</code>");
	tagged(out, ", scheme <code>", jstr(t, "scheme"), "</code>).</p>\n<ol class=\"ladder\">\n");
	for (i = json_array_size(levels); i-- > 0;) {
		const json_t *l = json_array_get(levels, i);
		json_int_t n = 0;
		bool met = false;
		jint(l, "level", &n);
		jbool(l, "met", &met);
		fprintf(out, "<li class=\"%s\"><b>Level %lld</b> %s: ", met ? "met" : "unmet", (long long)n,
			met ? "met" : "not met");
		tagged(out, "", jstr(l, "name"), "<br><span class=\"subjects\">checks: ");
		string_list(out, jarr(l, "checks"));
		fputs("</span>", out);
		if (json_array_size(jarr(l, "blocking")) > 0) {
			fputs("<ul>\n", out);
			json_array_foreach(jarr(l, "blocking"), k, f)
				finding_line(out, f);
			fputs("</ul>", out);
		}
		fputs("</li>\n", out);
	}
	fputs("</ol>\n", out);
	if (json_array_size(issues) > 0) {
		fputs("<h3>At run time</h3>\n<ul>\n", out);
		json_array_foreach(issues, i, f)
			finding_line(out, f);
		fputs("</ul>\n", out);
	}
	fputs("</section>\n", out);
}

/* ---- the export working ---- */

/* Up to MAX distinct thresholds of METRIC in the conditions of LIST's items. */
static size_t thresholds(const json_t *list, const char *metric, double *out, size_t max)
{
	size_t i, k, n = 0;
	const json_t *item, *c;

	json_array_foreach(list, i, item) {
		json_array_foreach(jarr(item, "conditions"), k, c) {
			double t;
			bool seen = false;
			if (!str_same(jstr(c, "metric"), metric) || !jnum(c, "threshold", &t) || !isfinite(t))
				continue;
			for (size_t j = 0; j < n; j++)
				seen |= out[j] == t;
			if (!seen && n < max)
				out[n++] = t;
		}
	}
	return n;
}

/* One metric of the working as a bar against the rule's thresholds. */
static void threshold_chart(FILE *out, const json_t *ev, const char *metric, const char *label)
{
	const double left = 130, width = 480;
	double value, marks[16], top = 0;
	size_t n = thresholds(jarr(ev, "tests"), metric, marks, ARRAY_SIZE(marks));

	if (!jnum(ev, metric, &value) || !isfinite(value) || value < 0)
		return;
	top = value;
	for (size_t i = 0; i < n; i++)
		top = marks[i] > top ? marks[i] : top;
	top = top > 0 ? top * 1.1 : 1;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 640 62\" width=\"640\" height=\"62\" role=\"img\" "
		"aria-label=\"%s %.6g against the thresholds of the rules\">", label, value);
	fprintf(out, "<text x=\"0\" y=\"27\">%s %.6g</text>", label, value);
	fprintf(out, "<rect x=\"%.1f\" y=\"14\" width=\"%.1f\" height=\"18\" fill=\"#0969da\"/>", left,
		width * value / top);
	for (size_t i = 0; i < n; i++) {
		double x = left + width * marks[i] / top;
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"6\" y2=\"40\" stroke=\"#cf222e\" stroke-dasharray=\"3 2\"/>",
			x, x);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.6g</text>", x, 52 + (int)(i % 2) * 9,
			marks[i]);
	}
	fputs("</svg>\n", out);
}

static void condition(FILE *out, const json_t *c)
{
	double v, t, m;
	bool met = false;

	jbool(c, "met", &met);
	tagged(out, "<li>", jstr(c, "metric"), " ");
	if (jnum(c, "value", &v))
		fprintf(out, "%.6g ", v);
	else
		fputs("unknown ", out);
	esc(out, jstr(c, "op"));
	if (jnum(c, "threshold", &t))
		fprintf(out, " %.6g", t);
	if (jnum(c, "margin", &m))
		fprintf(out, " (margin %+.6g)", m);
	fprintf(out, ": %s</li>", met ? "met" : "not met");
}

static void export_tests(FILE *out, const json_t *ev)
{
	const json_t *t;
	size_t i, k;

	fputs("<table>\n<tr><th>paragraph</th><th>ECCN</th><th>test</th><th>met</th><th>conditions (value, "
	      "threshold, margin)</th></tr>\n", out);
	json_array_foreach(jarr(ev, "tests"), i, t) {
		bool met = false;
		const json_t *c;
		jbool(t, "met", &met);
		tagged(out, "<tr><td>", jstr(t, "paragraph"), "</td>");
		tagged(out, "<td>", jstr(t, "eccn"), "</td>");
		tagged(out, "<td>", jstr(t, "text"), "</td>");
		fprintf(out, "<td>%s</td><td><ul>", met ? "yes" : "no");
		json_array_foreach(jarr(t, "conditions"), k, c)
			condition(out, c);
		fputs("</ul></td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void export_working(FILE *out, const json_t *report)
{
	const json_t *f;
	size_t i;
	bool any = false;

	fputs("<section id=\"export\">\n<h2>Export classification</h2>\n", out);
	json_array_foreach(jarr(report, "findings"), i, f) {
		const json_t *ev = jobj(f, "evidence");
		double pd;
		if (!str_same(jstr(f, "check"), "export.classification"))
			continue;
		any = true;
		tagged(out, "<h3>", or_dash(jstr(ev, "name")), " <span class=\"subjects\">[");
		string_list(out, jarr(f, "subjects"));
		fputs("]</span></h3>\n<p>", out);
		badge(out, jstr(f, "status"));
		tagged(out, " ", jstr(f, "message"), "</p>\n");
		if (!jstr(ev, "rules"))
			continue;
		tagged(out, "<p class=\"meta\">Rules of ", jstr(ev, "rules"), "");
		tagged(out, " (", jstr(ev, "rules_title"), ")");
		tagged(out, ", in force from ", jstr(ev, "rules_in_force"), "");
		tagged(out, "; ", jstr(ev, "rules_citation"), ".</p>\n");
		tagged(out, "<p>ECCN <b class=\"eccn\">", or_dash(jstr(ev, "eccn")), "</b>");
		tagged(out, " by ", or_dash(jstr(ev, "paragraph")), "");
		tagged(out, ". TPP = ", or_dash(jstr(ev, "tpp_working")), "");
		tagged(out, " (", or_dash(jstr(ev, "tpp_precision")), ")");
		if (jnum(ev, "performance_density", &pd))
			fprintf(out, "; performance density %.6g", pd);
		fputs(".</p>\n", out);
		threshold_chart(out, ev, "tpp", "TPP");
		threshold_chart(out, ev, "performance_density", "PD");
		export_tests(out, ev);
	}
	if (!any)
		fputs("<p>No export classification in this report.</p>\n", out);
	fputs("</section>\n", out);
}

/* ---- measured against the datasheet ---- */

/* The larger of A and B; NAN counts as 0 (a figure not known). */
static double larger(double a, double b)
{
	a = isnan(a) ? 0 : a;
	b = isnan(b) ? 0 : b;
	return a > b ? a : b;
}

static void measured_chart(FILE *out, const json_t *acc, const struct accel_model *model)
{
	const json_t *tops = jobj(jobj(acc, "measured"), "dense_tops");
	double measured[PREC_COUNT], sheet[PREC_COUNT], top = 0;
	int rows = 0, row = 0;

	for (int p = 0; p < PREC_COUNT; p++) {
		if (!jnum(tops, precision_names[p], &measured[p]) || !isfinite(measured[p]) || measured[p] < 0)
			measured[p] = NAN;
		sheet[p] = model && isfinite(model->dense_tops[p]) ? model->dense_tops[p] : NAN;
		if (isnan(measured[p]))
			continue;
		rows++;
		top = larger(top, larger(measured[p], sheet[p]));
	}
	if (rows == 0)
		return;
	top = top > 0 ? top * 1.25 : 1;
	fprintf(out, "<svg class=\"chart measured\" viewBox=\"0 0 640 %d\" width=\"640\" height=\"%d\" role=\"img\" "
		"aria-label=\"dense TOPS measured against the datasheet\">", 30 * rows + 18, 30 * rows + 18);
	fputs("<rect x=\"70\" y=\"2\" width=\"10\" height=\"8\" fill=\"#8c959f\"/><text x=\"84\" y=\"10\">datasheet</text>"
	      "<rect x=\"160\" y=\"2\" width=\"10\" height=\"8\" fill=\"#0969da\"/><text x=\"174\" y=\"10\">measured</text>",
	      out);
	for (int p = 0; p < PREC_COUNT; p++) {
		double y = 16 + 30.0 * row;
		if (isnan(measured[p]))
			continue;
		row++;
		fprintf(out, "<text x=\"0\" y=\"%.0f\">%s</text>", y + 16, precision_names[p]);
		if (!isnan(sheet[p]))
			fprintf(out, "<rect x=\"70\" y=\"%.0f\" width=\"%.1f\" height=\"11\" fill=\"#8c959f\"/>", y + 2,
				420 * sheet[p] / top);
		fprintf(out, "<rect x=\"70\" y=\"%.0f\" width=\"%.1f\" height=\"11\" fill=\"#0969da\"/>", y + 14,
			420 * measured[p] / top);
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\">%.6g", 76 + 420 * larger(measured[p], sheet[p]) / top,
			y + 16, measured[p]);
		if (!isnan(sheet[p]) && sheet[p] > 0)
			fprintf(out, " of %.6g (%.0f%%)", sheet[p], 100 * measured[p] / sheet[p]);
		fputs("</text>", out);
	}
	fputs("</svg>\n", out);
}

static void measured(FILE *out, const json_t *report, const struct accdb *db)
{
	const json_t *acc;
	size_t i;
	bool any = false;

	fputs("<section id=\"measured\">\n<h2>Measured against the datasheet</h2>\n", out);
	json_array_foreach(jarr(report, "accelerators"), i, acc) {
		const struct accel_model *model = accdb_for_accelerator(db, acc);
		if (!json_is_object(jobj(acc, "measured")))
			continue;
		any = true;
		tagged(out, "<h3><code>", or_dash(jstr(acc, "pci_address")), "</code> ");
		esc(out, or_dash(jstr(acc, "model")));
		fputs("</h3>\n", out);
		if (model == NULL)
			fputs("<p>No datasheet figures for this model in the database: measured figures only.</p>\n", out);
		fputs("<p class=\"meta\">Dense TOPS (TFLOPS for floating point) by precision.</p>\n", out);
		measured_chart(out, acc, model);
	}
	if (!any)
		fputs("<p>Not measured: the report holds no measured figures (<code>chipaudit audit --measure</code>).</p>\n",
		      out);
	fputs("</section>\n", out);
}

/* ---- findings by family ---- */

/* A finding's family: its category, or the first part of its check id. */
static void family_of(const json_t *f, char *out, size_t len)
{
	const char *cat = jstr(f, "category"), *check = jstr(f, "check");

	if (cat && *cat)
		snprintf(out, len, "%s", cat);
	else
		snprintf(out, len, "%.*s", check ? (int)strcspn(check, ".") : 0, check ? check : "");
	if (*out == '\0')
		snprintf(out, len, "other");
}

static void finding(FILE *out, const json_t *f)
{
	const json_t *ev = jobj(f, "evidence");

	fprintf(out, "<li class=\"finding %s\">", status_class(jstr(f, "status")));
	badge(out, jstr(f, "status"));
	tagged(out, " <code class=\"check\">", jstr(f, "check"), "</code> <span class=\"subjects\">");
	string_list(out, jarr(f, "subjects"));
	tagged(out, "</span>\n<p class=\"message\">", jstr(f, "message"), "</p>\n");
	if (jstr(f, "remediation"))
		tagged(out, "<p class=\"fix\">Fix: ", jstr(f, "remediation"), "</p>\n");
	if (json_object_size(ev) > 0) {
		fputs("<details><summary>Evidence</summary>", out);
		put_json(out, ev);
		fputs("</details>\n", out);
	}
	fputs("</li>\n", out);
}

/* The families of the findings in the order they first appear, each once;
 * those past MAX_FAMILIES are not listed (they share the last section). */
static size_t families(const json_t *findings, char names[MAX_FAMILIES][64])
{
	size_t i, n = 0;
	const json_t *f;

	json_array_foreach(findings, i, f) {
		char name[64];
		bool seen = false;
		family_of(f, name, sizeof(name));
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(names[k], name) == 0;
		if (!seen && n < MAX_FAMILIES)
			snprintf(names[n++], 64, "%s", name);
	}
	return n;
}

static bool in_family(const json_t *f, char names[MAX_FAMILIES][64], size_t n, size_t which)
{
	char name[64];

	family_of(f, name, sizeof(name));
	if (which < n)
		return strcmp(name, names[which]) == 0;
	for (size_t k = 0; k < n; k++)
		if (strcmp(name, names[k]) == 0)
			return false;
	return true;
}

static void findings_section(FILE *out, const json_t *report)
{
	const json_t *findings = jarr(report, "findings"), *f;
	char names[MAX_FAMILIES][64];
	size_t n = families(findings, names), i;

	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", out);
	if (json_array_size(findings) == 0)
		fputs("<p>The report holds no finding.</p>\n", out);
	for (size_t g = 0; g <= n; g++) {
		size_t counts[STATUS_COUNT] = { 0 }, total = 0;
		json_array_foreach(findings, i, f) {
			enum status s;
			if (in_family(f, names, n, g) && status_from_name(jstr(f, "status") ? jstr(f, "status") : "", &s) == 0) {
				counts[s]++;
				total++;
			}
		}
		if (total == 0)
			continue;
		tagged(out, "<section class=\"family\">\n<h3><span class=\"family-name\">", g < n ? names[g] : "other families",
		       "</span>");
		for (int s = STATUS_COUNT - 1; s >= 0; s--)
			if (counts[s])
				fprintf(out, " <span class=\"subjects\">%zu %s</span>", counts[s], status_name((enum status)s));
		fputs("</h3>\n<ul class=\"findings\">\n", out);
		json_array_foreach(findings, i, f)
			if (in_family(f, names, n, g))
				finding(out, f);
		fputs("</ul>\n</section>\n", out);
	}
	fputs("</section>\n", out);
}

static void limitations(FILE *out, const json_t *report)
{
	const json_t *list = jarr(report, "limitations"), *l;
	size_t i;

	fputs("<section id=\"limitations\">\n<h2>Not examined</h2>\n", out);
	if (json_array_size(list) == 0)
		fputs("<p>Every source the probe looks at could be read.</p>\n", out);
	else
		fputs("<ul>\n", out);
	json_array_foreach(list, i, l) {
		tagged(out, "<li><code>", jstr(l, "source"), "</code>: ");
		tagged(out, "", jstr(l, "reason"), "</li>\n");
	}
	if (json_array_size(list) > 0)
		fputs("</ul>\n", out);
	fputs("</section>\n", out);
}

char *report_render_html(const json_t *report, const struct accdb *db, const struct report_signature *sig)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		out_of_memory();
	page_head(out, report);
	summary(out, report);
	evidence_members(out, report, sig);
	accelerators(out, report);
	trust(out, report);
	export_working(out, report);
	measured(out, report, db);
	findings_section(out, report);
	limitations(out, report);
	fprintf(out, "<footer>Made by chipaudit from a report of schema %lld",
		(long long)json_integer_value(json_object_get(report, "schema_version")));
	fputs(". This page is the whole of it: no script, nothing fetched. Its signature covers the JSON report, "
	      "not this page: check it with <code>chipaudit verify</code>.</footer>\n</body>\n</html>\n", out);
	if (fclose(out) != 0)
		out_of_memory();
	return text;
}
