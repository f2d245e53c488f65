/* The justification's readable forms, from its JSON document: text for a
 * terminal and one self-contained, printable HTML page with an inline SVG
 * chart of the units each candidate needs. Every string of the document is
 * escaped (text_escape for the terminal, html_put for the page): model
 * names and report paths come from files a third party may have written. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "justify/fit.h"
#include "justify/justify.h"

/* ---- shared ---- */

static void fmt(char *buf, size_t len, const json_t *v, const char *unit)
{
	if (json_is_number(v))
		snprintf(buf, len, "%.6g%s", json_number_value(v), unit);
	else
		snprintf(buf, len, "unknown");
}

static void fmt_units(char *buf, size_t len, const json_t *fit)
{
	const json_t *units = json_object_get(fit, "units"), *least = json_object_get(fit, "units_at_least");

	if (json_is_number(units))
		snprintf(buf, len, "%.0f", json_number_value(units));
	else if (json_is_number(least) && json_number_value(least) > 0)
		snprintf(buf, len, ">= %.0f", json_number_value(least));
	else
		snprintf(buf, len, "unknown");
}

static const char *limit_name(const json_t *fit)
{
	const char *key = jstr(fit, "limit");

	for (int i = 0; key && i < FIT_LIMIT_COUNT; i++)
		if (strcmp(fit_limit_keys[i], key) == 0)
			return fit_limit_names[i];
	return "limit unknown";
}

static const char *meets_word(const json_t *fit)
{
	const json_t *m = json_object_get(fit, "meets");
	return json_is_true(m) ? "yes" : json_is_false(m) ? "no" : "unknown";
}

/* A part not known to be bound by the US rules (its maker is headquartered
 * elsewhere, or nobody recorded where) needs their licence only if it is
 * subject to the EAR, which is not assessed. */
static const char *licence_word(const json_t *exp, bool destination)
{
	const json_t *l = json_object_get(exp, "license_required");
	bool bound = json_is_true(json_object_get(exp, "subject_to_ear"));

	if (!destination)
		return "-";
	if (json_is_true(l))
		return bound ? "required" : "required if subject to the EAR";
	return json_is_false(l) ? "not required" : "unknown";
}

/* The same in a table's column: "if EAR-bound" for "required if subject to
 * the EAR", which the candidate's notes explain. */
static const char *licence_brief(const json_t *exp, bool destination)
{
	const char *w = licence_word(exp, destination);

	return strcmp(w, "required if subject to the EAR") == 0 ? "if EAR-bound" : w;
}

static void sources_list(char *buf, size_t len, const json_t *fig)
{
	size_t i, used = 0;
	json_t *k;

	buf[0] = '\0';
	json_array_foreach(json_object_get(fig, "sources"), i, k)
		if (json_is_string(k) && used < len)
			used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", json_string_value(k));
}

/* "96 GB [T]" */
static void figure(char *buf, size_t len, const json_t *declared, const char *key, const char *unit)
{
	const json_t *fig = json_object_get(declared, key);
	char v[48], src[96];

	fmt(v, sizeof(v), json_object_get(fig, "value"), unit);
	sources_list(src, sizeof(src), fig);
	snprintf(buf, len, "%s%s%s%s", v, src[0] ? " [" : "", src, src[0] ? "]" : "");
}

static void workload_line(char *buf, size_t len, const json_t *w)
{
	char target[64] = "no throughput target", max[48] = "";
	double t, m;

	if (jnum(w, "target_tokens_per_s", &t))
		snprintf(target, sizeof(target), "target %.6g tokens/s", t);
	if (jnum(w, "max_units", &m))
		snprintf(max, sizeof(max), ", at most %.0f units", m);
	snprintf(buf, len, "LLM %s, %.6g billion parameters at %s, context %.0f tokens, batch %.0f, %s%s", jstr(w, "kind"),
		 json_number_value(json_object_get(w, "parameters")) / 1e9, jstr(w, "precision"),
		 json_number_value(json_object_get(w, "context_tokens")), json_number_value(json_object_get(w, "batch")),
		 target, max);
}

static void memory_line(char *buf, size_t len, const json_t *w)
{
	double weights = json_number_value(json_object_get(w, "weights_bytes")) / 1e9;
	double state = json_number_value(json_object_get(w, "state_bytes")) / 1e9;
	double flop = json_number_value(json_object_get(w, "flop_per_token"));
	double kv;

	if (strcmp(jstr(w, "kind"), "training") == 0)
		snprintf(buf, len, "one copy of the model holds weights %.6g GB + gradients and optimizer state %.6g GB = "
			 "%.6g GB; %.6g FLOP per token", weights, state, weights + state, flop);
	else if (jnum(w, "kv_cache_bytes", &kv))
		snprintf(buf, len, "one copy of the model holds weights %.6g GB + KV cache %.6g GB = %.6g GB; %.6g FLOP "
			 "per token", weights, kv / 1e9, weights + kv / 1e9, flop);
	else
		snprintf(buf, len, "one copy of the model holds weights %.6g GB + KV cache of unknown size; %.6g FLOP per "
			 "token", weights, flop);
}

/* "150.737 GB / 96 GB" and the like: what a count divides; "" when unknown. */
static void count_working(char *buf, size_t len, const char *key, const json_t *k)
{
	double need, per;
	bool n = jnum(k, "need", &need), p = jnum(k, "per_unit", &per);

	if (!n || !p) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (strcmp(key, "memory") == 0)
		snprintf(buf, len, "%.6g GB / %.6g GB", need / 1e9, per / 1e9);
	else if (strcmp(key, "compute") == 0)
		snprintf(buf, len, "%.6g TFLOP/s / %.6g TFLOP/s", need / 1e12, per / 1e12);
	else
		snprintf(buf, len, "%.6g GB/s / %.6g GB/s", need / 1e9, per / 1e9);
}

/* ---- text ---- */

static void put(FILE *out, const char *fmt_, ...) __attribute__((format(printf, 2, 3)));
static void put(FILE *out, const char *fmt_, ...)
{
	va_list ap;

	va_start(ap, fmt_);
	text_vprintf(out, fmt_, ap);
	va_end(ap);
}

static void text_candidate(FILE *out, const json_t *c, bool destination)
{
	const json_t *decl = jobj(c, "declared"), *meas = jobj(c, "measured"), *exp = jobj(c, "export");
	const json_t *fit = jobj(c, "fit");
	char a[160], b[160], d[160], e[160], f[160], units[32];
	size_t i;
	json_t *v;
	double x;

	put(out, "\n%s (%s), %s", jstr(c, "model"), jstr(c, "vendor") ? jstr(c, "vendor") : "?", jstr(c, "role"));
	if (jnum(c, "count", &x))
		put(out, ", %.0f units held", x);
	put(out, " (%s)\n", jstr(c, "basis"));
	figure(a, sizeof(a), decl, "memory_gb", " GB");
	figure(b, sizeof(b), decl, "memory_bandwidth_gbs", " GB/s");
	figure(d, sizeof(d), decl, "interconnect_bandwidth_gbs", " GB/s");
	figure(e, sizeof(e), decl, "dense_tops", " TFLOPS");
	figure(f, sizeof(f), decl, "tdp_w", " W");
	put(out, "  declared: memory %s; memory bandwidth %s; interconnect %s; dense %s %s; TDP %s\n", a, b, d,
	    jstr(decl, "precision"), e, f);
	if (json_is_object(meas) && jnum(meas, "dense_tops", &x)) {
		double ratio;
		put(out, "  measured: dense %s %.6g TFLOPS, the lowest of %lld audited units", jstr(meas, "precision"), x,
		    (long long)json_integer_value(json_object_get(meas, "units_measured")));
		if (jnum(meas, "ratio_to_declared", &ratio))
			put(out, ", %.2f of declared (%+.0f%%)", ratio, (ratio - 1) * 100);
		put(out, ": the fit uses the measured figure\n");
	} else if (json_is_object(meas)) {
		put(out, "  measured: %s\n", jstr(meas, "note"));
	}
	put(out, "  export: ECCN %s", jstr(exp, "eccn") ? jstr(exp, "eccn") : "undecided");
	if (jnum(exp, "tpp", &x))
		put(out, " (TPP %.6g)", x);
	put(out, "; licence %s", licence_word(exp, destination));
	if (jstr(exp, "license_policy"))
		put(out, "; policy: %s", jstr(exp, "license_policy"));
	put(out, "\n");
	if (json_is_object(jobj(exp, "measured"))) {
		const json_t *me = jobj(exp, "measured");
		put(out, "  export, as measured: ECCN %s", jstr(me, "eccn") ? jstr(me, "eccn") : "undecided");
		if (jnum(me, "tpp", &x))
			put(out, " (TPP %.6g)", x);
		put(out, "; licence %s%s\n", licence_word(me, destination),
		    json_is_true(json_object_get(me, "stricter_than_declared")) ?
		    "; ! stricter than declared: a relabelled or unlocked part?" : "");
	}
	json_array_foreach(json_object_get(exp, "license_exceptions"), i, v)
		put(out, "    licence exception: %s%s\n", jstr(v, "text") ? jstr(v, "text") : "?",
		    json_is_null(json_object_get(v, "eligible")) ? " (if its conditions are met)" : "");
	json_array_foreach(json_object_get(exp, "notes"), i, v)
		put(out, "    - %s\n", json_string_value(v));
	json_array_foreach(json_object_get(c, "audits"), i, v) {
		size_t k;
		json_t *fail;
		put(out, "  audit %s (%s, %s): trust level %s of %lld; %zu failing check%s, %lld warning%s",
		    jstr(v, "report"), jstr(v, "hostname") ? jstr(v, "hostname") : "?", jstr(v, "time") ? jstr(v, "time") : "?",
		    jstr(v, "trust_label") ? jstr(v, "trust_label") : "?",
		    (long long)json_integer_value(json_object_get(v, "trust_max_level")),
		    json_array_size(jarr(v, "failing")), json_array_size(jarr(v, "failing")) == 1 ? "" : "s",
		    (long long)json_integer_value(json_object_get(v, "warnings")),
		    json_integer_value(json_object_get(v, "warnings")) == 1 ? "" : "s");
		json_array_foreach(jarr(v, "failing"), k, fail)
			put(out, "%s%s", k ? ", " : ": ", jstr(fail, "check") ? jstr(fail, "check") : "?");
		put(out, "\n");
	}
	put(out, "  fit:");
	for (int l = 0; l < FIT_LIMIT_COUNT; l++) {
		const json_t *k = json_object_get(jobj(fit, "counts"), fit_limit_keys[l]);
		const char *state = jstr(k, "state");
		char work[96];
		count_working(work, sizeof(work), fit_limit_keys[l], k);
		if (strcmp(state, "known") == 0)
			put(out, "%s %s %.0f%s%s", l ? ";" : "", fit_limit_names[l],
			    json_number_value(json_object_get(k, "units")), work[0] ? " = " : "", work);
		else
			put(out, "%s %s %s (%s)", l ? ";" : "", fit_limit_names[l], strcmp(state, "unknown") == 0 ?
			    "unknown" : "not a limit", jstr(k, "reason"));
	}
	fmt_units(units, sizeof(units), fit);
	put(out, "\n  => %s units (%s)", units, limit_name(fit));
	if (jnum(fit, "replica_units", &x) && json_is_number(json_object_get(fit, "units")))
		put(out, ", %.0f cop%s of the model of %.0f units", json_number_value(json_object_get(fit, "units")) / x,
		    json_number_value(json_object_get(fit, "units")) / x == 1 ? "y" : "ies", x);
	fmt(a, sizeof(a), json_object_get(fit, "power_w"), " W");
	put(out, "; power %s", a);
	if (jnum(c, "price", &x)) {
		fmt(b, sizeof(b), json_object_get(fit, "cost"), "");
		put(out, "; cost %s at %.6g a unit", b, x);
	}
	put(out, "; meets the workload: %s\n", meets_word(fit));
	json_array_foreach(json_object_get(fit, "blocked_by"), i, v)
		put(out, "  ! blocked: %s\n", json_string_value(v));
}

/* "3: 800 hosts, (none): 2 hosts" */
static void trust_levels(char *buf, size_t len, const json_t *fleet)
{
	const json_t *row;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(jarr(fleet, "by_trust_level"), i, row) {
		const json_t *level = json_object_get(row, "trust_level");
		if (used >= len)
			break;
		if (json_is_integer(level))
			used += snprintf(buf + used, len - used, "%slevel %lld: %lld hosts", i ? ", " : "",
					 (long long)json_integer_value(level),
					 (long long)json_integer_value(json_object_get(row, "hosts")));
		else
			used += snprintf(buf + used, len - used, "%sno report yet: %lld hosts", i ? ", " : "",
					 (long long)json_integer_value(json_object_get(row, "hosts")));
	}
}

static void text_fleet(FILE *out, const json_t *fleet)
{
	char levels[1024];
	const json_t *f;
	size_t i;

	trust_levels(levels, sizeof(levels), fleet);
	put(out, "\nFleet summary %s: %lld hosts, %lld accelerators\n", jstr(fleet, "summary"),
	    (long long)json_integer_value(json_object_get(fleet, "hosts")),
	    (long long)json_integer_value(json_object_get(fleet, "accelerators")));
	put(out, "  trust: %s\n", levels[0] ? levels : "no host");
	if (json_array_size(jarr(fleet, "failing_checks")) == 0)
		put(out, "  failing checks: none\n");
	json_array_foreach(jarr(fleet, "failing_checks"), i, f)
		put(out, "  failing: %s on %lld subjects\n", jstr(f, "check"),
		    (long long)json_integer_value(json_object_get(f, "failing_subjects")));
	put(out, "  (%s)\n", jstr(fleet, "note"));
}

static void text_conclusion(FILE *out, const json_t *concl)
{
	static const char *const groups[][2] = {
		{ "meet", "Meet the workload" }, { "do_not_meet", "Do not meet it" }, { "unknown", "Cannot be decided" },
	};
	char units[32];

	put(out, "\nConclusion\n");
	if (json_is_true(json_object_get(concl, "none_meets")))
		put(out, "  No candidate is shown to meet the workload.\n");
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		const json_t *rows = json_object_get(concl, groups[g][0]);
		size_t i, k;
		json_t *r, *b;
		if (json_array_size(rows) == 0)
			continue;
		put(out, "  %s:\n", groups[g][1]);
		json_array_foreach(rows, i, r) {
			fmt_units(units, sizeof(units), r);
			put(out, "    %s (%s): %s units, %s", jstr(r, "model"), jstr(r, "role"), units, limit_name(r));
			json_array_foreach(json_object_get(r, "blocked_by"), k, b)
				put(out, "%s%s", k ? "; " : "; blocked: ", json_string_value(b));
			put(out, "\n");
		}
	}
}

static void text_document(FILE *out, const json_t *doc)
{
	const json_t *w = jobj(doc, "workload"), *dest = jobj(doc, "destination"), *c, *v;
	const json_t *first_exp = jobj(json_array_get(jarr(doc, "candidates"), 0), "export");
	bool destination = json_is_object(dest);
	char line[512], units[32], tops[48];
	const char *key;
	size_t i;

	put(out, "Purchase justification for workload %s (%s)\n", jstr(w, "name"), jstr(w, "origin"));
	if (jstr(w, "description") && *jstr(w, "description"))
		put(out, "  %s\n", jstr(w, "description"));
	if (jstr(w, "source") && *jstr(w, "source"))
		put(out, "  Source: %s\n", jstr(w, "source"));
	workload_line(line, sizeof(line), w);
	put(out, "  %s\n", line);
	memory_line(line, sizeof(line), w);
	put(out, "  %s\n", line);
	put(out, "Rules in force on %s", jstr(doc, "rules_date"));
	if (jstr(first_exp, "rules"))
		put(out, ": %s, %s", jstr(first_exp, "rules"), jstr(first_exp, "rules_citation") ?
		    jstr(first_exp, "rules_citation") : "");
	if (destination)
		put(out, "; destination %s (%s)\n", jstr(dest, "code"), jstr(dest, "name"));
	else
		put(out, "; no destination given: no licence answer\n");
	put(out, "Made %s by chipaudit %s", jstr(jobj(doc, "host"), "time"), jstr(doc, "tool_version"));
	if (jstr(doc, "public_key_fingerprint"))
		put(out, ", signed with host key %s", jstr(doc, "public_key_fingerprint"));
	put(out, ". Units needed are lower bounds from peak figures (docs/justify.md).\n");
	snprintf(tops, sizeof(tops), "%.8s TFLOPS", jstr(w, "precision"));
	for (char *p = tops; *p && *p != ' '; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	put(out, "\n%-22s %-11s %-7s %-18s %-9s %-17s %-9s %-12s %s\n", "CANDIDATE", "ROLE", "HELD", tops,
	    "UNITS", "LIMIT", "POWER W", "LICENCE", "MEETS");
	json_array_foreach(jarr(doc, "candidates"), i, c) {
		const json_t *fit = jobj(c, "fit");
		char held[16] = "-", power[24], name[23];
		double x;
		if (jnum(c, "count", &x))
			snprintf(held, sizeof(held), "%.0f", x);
		if (jnum(jobj(c, "measured"), "dense_tops", &x))
			snprintf(tops, sizeof(tops), "%.6g measured", x);
		else
			fmt(tops, sizeof(tops), json_object_get(jobj(jobj(c, "declared"), "dense_tops"), "value"), "");
		fmt_units(units, sizeof(units), fit);
		fmt(power, sizeof(power), json_object_get(fit, "power_w"), "");
		snprintf(name, sizeof(name), "%s", jstr(c, "model"));
		put(out, "%-22s %-11s %-7s %-18s %-9s %-17s %-9s %-12s %s\n", name, jstr(c, "role"), held, tops, units,
		    limit_name(fit), power, licence_brief(jobj(c, "export"), destination), meets_word(fit));
	}
	json_array_foreach(jarr(doc, "candidates"), i, c)
		text_candidate(out, c, destination);
	json_array_foreach(jarr(doc, "fleets"), i, v)
		text_fleet(out, v);
	text_conclusion(out, jobj(doc, "conclusion"));
	if (json_array_size(jarr(doc, "notes"))) {
		put(out, "\nNotes\n");
		json_array_foreach(jarr(doc, "notes"), i, v)
			put(out, "  - %s\n", json_string_value(v));
	}
	put(out, "\nSources (data/accelerators.json)\n");
	json_object_foreach((json_t *)jobj(doc, "sources"), key, v)
		put(out, "  [%s] %s%s%s\n", key, jstr(v, "title") ? jstr(v, "title") : "?", jstr(v, "url") ? ", " : "",
		    jstr(v, "url") ? jstr(v, "url") : "");
}

static char *render(void (*fn)(FILE *, const json_t *), const json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		return NULL;
	fn(out, doc);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *justify_render_text(const json_t *doc)
{
	return render(text_document, doc);
}

/* ---- HTML ---- */

static void html_put(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* control characters never reach the page */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputs("&#xfffd;", out);
			else
				fputc(*s, out);
		}
	}
}

/* printf, then escaped as a whole: every argument is text of the document. */
static void hput(FILE *out, const char *fmt_, ...) __attribute__((format(printf, 2, 3)));
static void hput(FILE *out, const char *fmt_, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt_);
	s = xvasprintf(fmt_, ap);
	va_end(ap);
	html_put(out, s);
	free(s);
}

static const char *const limit_colours[FIT_LIMIT_COUNT] = { "#4c78a8", "#f58518", "#54a24b", "#b279a2" };

static const char *limit_colour(const json_t *fit)
{
	const char *key = jstr(fit, "limit");

	for (int i = 0; key && i < FIT_LIMIT_COUNT; i++)
		if (strcmp(fit_limit_keys[i], key) == 0)
			return limit_colours[i];
	return "#9d9d9d";
}

/* Horizontal bars: the units each candidate needs, coloured by what sets
 * the count; a count only bounded below is hatched and says ">="; an
 * unknown one has no bar. The workload's max_units is a dashed line. */
static void html_chart(FILE *out, const json_t *doc)
{
	const json_t *cands = jarr(doc, "candidates"), *c;
	double most = 1, max_units = NAN, x;
	size_t i, n = json_array_size(cands);
	const int left = 190, width = 460, row = 26;

	jnum(jobj(doc, "workload"), "max_units", &max_units);
	json_array_foreach(cands, i, c) {
		if (jnum(jobj(c, "fit"), "units_at_least", &x) && x > most)
			most = x;
		if (jnum(c, "count", &x) && x > most)
			most = x;
	}
	if (!isnan(max_units) && max_units > most)
		most = max_units;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" role=\"img\" "
		"aria-label=\"units needed per candidate\">\n", left + width + 90, n * row + 40);
	fputs("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#9d9d9d\"/></pattern></defs>\n", out);
	json_array_foreach(cands, i, c) {
		const json_t *fit = jobj(c, "fit");
		double y = 10 + (double)i * row, units = NAN, least = NAN, held;
		char label[32];
		jnum(fit, "units", &units);
		jnum(fit, "units_at_least", &least);
		fmt_units(label, sizeof(label), fit);
		fputs("<text x=\"0\" y=\"", out);
		fprintf(out, "%.0f\" font-size=\"12\">", y + 15);
		html_put(out, jstr(c, "model"));
		fputs("</text>\n", out);
		if (!isnan(units))
			fprintf(out, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>\n", left, y,
				units / most * width, limit_colour(fit));
		else if (!isnan(least) && least > 0)
			fprintf(out, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"18\" fill=\"url(#hatch)\"/>\n", left, y,
				least / most * width);
		if (jnum(c, "count", &held))
			fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#000\" stroke-width=\"2\"/>\n",
				left + held / most * width, left + held / most * width, y - 2, y + 20);
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"12\">", left + (isnan(least) ? 0 : least / most * width) + 4,
			y + 14);
		html_put(out, label);
		fputs("</text>\n", out);
	}
	if (!isnan(max_units))
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"4\" y2=\"%zu\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
			"<text x=\"%.1f\" y=\"%zu\" font-size=\"11\" fill=\"#d62728\">max_units %.0f</text>\n",
			left + max_units / most * width, left + max_units / most * width, n * row + 12,
			left + max_units / most * width - 30, n * row + 28, max_units);
	fputs("</svg>\n<p class=\"legend\">", out);
	for (int l = 0; l < FIT_LIMIT_COUNT; l++)
		fprintf(out, "<span style=\"color:%s\">&#9632;</span> %s &nbsp; ", limit_colours[l], fit_limit_names[l]);
	fputs("<span style=\"color:#9d9d9d\">&#9632;</span> at least (a count unknown) &nbsp; "
	      "| units held</p>\n", out);
}

static void html_fleet(FILE *out, const json_t *fleet)
{
	char levels[1024];
	const json_t *f;
	size_t i;

	trust_levels(levels, sizeof(levels), fleet);
	fputs("<h2>Fleet summary</h2>\n<p>", out);
	hput(out, "%s: %lld hosts, %lld accelerators; trust: %s", jstr(fleet, "summary"),
	     (long long)json_integer_value(json_object_get(fleet, "hosts")),
	     (long long)json_integer_value(json_object_get(fleet, "accelerators")), levels[0] ? levels : "no host");
	fputs("</p>\n<ul class=\"notes\">", out);
	json_array_foreach(jarr(fleet, "failing_checks"), i, f) {
		fputs("<li>", out);
		hput(out, "failing: %s on %lld subjects", jstr(f, "check"),
		     (long long)json_integer_value(json_object_get(f, "failing_subjects")));
		fputs("</li>", out);
	}
	fputs("<li>", out);
	html_put(out, jstr(fleet, "note"));
	fputs("</li></ul>\n", out);
}

static void html_candidate(FILE *out, const json_t *c, bool destination)
{
	const json_t *decl = jobj(c, "declared"), *meas = jobj(c, "measured"), *exp = jobj(c, "export");
	const json_t *fit = jobj(c, "fit");
	static const char *const figs[][3] = {
		{ "memory_gb", "memory", " GB" }, { "memory_bandwidth_gbs", "memory bandwidth", " GB/s" },
		{ "interconnect_bandwidth_gbs", "interconnect", " GB/s" }, { "dense_tops", "dense", " TFLOPS" },
		{ "tdp_w", "TDP", " W" },
	};
	char buf[256], units[32];
	size_t i;
	json_t *v;
	double x;

	fputs("<section class=\"candidate\"><h3>", out);
	hput(out, "%s (%s), %s", jstr(c, "model"), jstr(c, "vendor") ? jstr(c, "vendor") : "?", jstr(c, "role"));
	if (jnum(c, "count", &x))
		hput(out, ", %.0f units held", x);
	hput(out, " (%s)", jstr(c, "basis"));
	fputs("</h3>\n<table><tr><th>figure</th><th>declared [sources]</th></tr>\n", out);
	for (size_t f = 0; f < ARRAY_SIZE(figs); f++) {
		figure(buf, sizeof(buf), decl, figs[f][0], figs[f][2]);
		fputs("<tr><td>", out);
		hput(out, "%s%s%s", figs[f][1], strcmp(figs[f][0], "dense_tops") ? "" : " ",
		     strcmp(figs[f][0], "dense_tops") ? "" : jstr(decl, "precision"));
		fputs("</td><td>", out);
		html_put(out, buf);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (json_is_object(meas) && jnum(meas, "dense_tops", &x)) {
		double ratio;
		fputs("<p class=\"measured\">", out);
		hput(out, "Measured: dense %s %.6g TFLOPS, the lowest of %lld audited units", jstr(meas, "precision"), x,
		     (long long)json_integer_value(json_object_get(meas, "units_measured")));
		if (jnum(meas, "ratio_to_declared", &ratio))
			hput(out, ", %.2f of declared (%+.0f%%)", ratio, (ratio - 1) * 100);
		fputs(": the fit uses the measured figure.</p>\n", out);
	}
	fputs("<p>", out);
	hput(out, "Export: ECCN %s; licence %s%s%s", jstr(exp, "eccn") ? jstr(exp, "eccn") : "undecided",
	     licence_word(exp, destination), jstr(exp, "license_policy") ? "; policy: " : "",
	     jstr(exp, "license_policy") ? jstr(exp, "license_policy") : "");
	if (json_is_object(jobj(exp, "measured"))) {
		const json_t *me = jobj(exp, "measured");
		hput(out, "; as measured: ECCN %s, licence %s%s", jstr(me, "eccn") ? jstr(me, "eccn") : "undecided",
		     licence_word(me, destination), json_is_true(json_object_get(me, "stricter_than_declared")) ?
		     " (stricter than declared: a relabelled or unlocked part?)" : "");
	}
	fputs("</p>\n<ul class=\"notes\">", out);
	json_array_foreach(json_object_get(exp, "license_exceptions"), i, v) {
		fputs("<li>", out);
		hput(out, "Licence exception: %s%s", jstr(v, "text") ? jstr(v, "text") : "?",
		     json_is_null(json_object_get(v, "eligible")) ? " (if its conditions are met)" : "");
		fputs("</li>", out);
	}
	json_array_foreach(json_object_get(exp, "notes"), i, v) {
		fputs("<li>", out);
		html_put(out, json_string_value(v));
		fputs("</li>", out);
	}
	fputs("</ul>\n", out);
	json_array_foreach(json_object_get(c, "audits"), i, v) {
		size_t k;
		json_t *fail;
		fputs("<p class=\"audit\">", out);
		hput(out, "Audit %s (%s, %s): trust level %s of %lld", jstr(v, "report"),
		     jstr(v, "hostname") ? jstr(v, "hostname") : "?", jstr(v, "time") ? jstr(v, "time") : "?",
		     jstr(v, "trust_label") ? jstr(v, "trust_label") : "?",
		     (long long)json_integer_value(json_object_get(v, "trust_max_level")));
		json_array_foreach(jarr(v, "failing"), k, fail)
			hput(out, "%s%s", k ? ", " : "; failing: ", jstr(fail, "check") ? jstr(fail, "check") : "?");
		fputs("</p>\n", out);
	}
	fputs("<table><tr><th>resource</th><th>units</th><th>working or reason</th></tr>\n", out);
	for (int l = 0; l < FIT_LIMIT_COUNT; l++) {
		const json_t *k = json_object_get(jobj(fit, "counts"), fit_limit_keys[l]);
		char work[96];
		count_working(work, sizeof(work), fit_limit_keys[l], k);
		fputs("<tr><td>", out);
		html_put(out, fit_limit_names[l]);
		fputs("</td><td>", out);
		if (strcmp(jstr(k, "state"), "known") == 0) {
			hput(out, "%.0f", json_number_value(json_object_get(k, "units")));
			fputs("</td><td>", out);
			html_put(out, work);
		} else {
			html_put(out, jstr(k, "state"));
			fputs("</td><td>", out);
			html_put(out, jstr(k, "reason"));
		}
		fputs("</td></tr>\n", out);
	}
	fmt_units(units, sizeof(units), fit);
	fmt(buf, sizeof(buf), json_object_get(fit, "power_w"), " W");
	fputs("</table>\n<p><strong>", out);
	hput(out, "Units needed: %s (%s); power %s", units, limit_name(fit), buf);
	if (jnum(c, "price", &x)) {
		char cost[48];
		fmt(cost, sizeof(cost), json_object_get(fit, "cost"), "");
		hput(out, "; cost %s at %.6g a unit", cost, x);
	}
	hput(out, "; meets the workload: %s", meets_word(fit));
	fputs("</strong></p>\n</section>\n", out);
}

static void html_document(FILE *out, const json_t *doc)
{
	const json_t *w = jobj(doc, "workload"), *dest = jobj(doc, "destination"), *concl = jobj(doc, "conclusion"), *c,
		     *v, *first_exp = jobj(json_array_get(jarr(doc, "candidates"), 0), "export");
	bool destination = json_is_object(dest);
	char line[512], units[32];
	const char *key;
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", out);
	hput(out, "Purchase justification: %s", jstr(w, "name"));
	fputs("</title>\n<style>\nbody{font-family:sans-serif;max-width:60em;margin:1em auto;color:#111}\n"
	      "table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #bbb;padding:2px 6px;"
	      "text-align:left;font-size:90%}\n.candidate{border-top:1px solid #888;margin-top:1em}\n"
	      ".notes{font-size:85%}\n@media print{body{max-width:none}.candidate{break-inside:avoid}}\n"
	      "</style></head><body>\n<h1>", out);
	hput(out, "Purchase justification: %s", jstr(w, "name"));
	fputs("</h1>\n<p>", out);
	if (jstr(w, "description") && *jstr(w, "description")) {
		html_put(out, jstr(w, "description"));
		fputs("<br>", out);
	}
	if (jstr(w, "source") && *jstr(w, "source")) {
		hput(out, "Source: %s", jstr(w, "source"));
		fputs("<br>", out);
	}
	workload_line(line, sizeof(line), w);
	html_put(out, line);
	fputs("<br>", out);
	memory_line(line, sizeof(line), w);
	html_put(out, line);
	fputs("</p>\n<p>", out);
	hput(out, "Rules in force on %s", jstr(doc, "rules_date"));
	if (jstr(first_exp, "rules"))
		hput(out, " (%s, %s)", jstr(first_exp, "rules"), jstr(first_exp, "rules_citation") ?
		     jstr(first_exp, "rules_citation") : "");
	html_put(out, "; ");
	if (destination)
		hput(out, "destination %s (%s).", jstr(dest, "code"), jstr(dest, "name"));
	else
		html_put(out, "no destination given: no licence answer.");
	hput(out, " Made %s by chipaudit %s", jstr(jobj(doc, "host"), "time"), jstr(doc, "tool_version"));
	if (jstr(doc, "public_key_fingerprint"))
		hput(out, ", signed with host key %s", jstr(doc, "public_key_fingerprint"));
	html_put(out, ". Units needed are lower bounds from peak figures (docs/justify.md).");
	fputs("</p>\n<h2>Units needed</h2>\n", out);
	html_chart(out, doc);
	fputs("<table><tr><th>candidate</th><th>role</th><th>held</th><th>units</th><th>limit</th><th>power W</th>"
	      "<th>licence</th><th>meets</th></tr>\n", out);
	json_array_foreach(jarr(doc, "candidates"), i, c) {
		const json_t *fit = jobj(c, "fit");
		char held[16] = "-", power[24];
		double x;
		if (jnum(c, "count", &x))
			snprintf(held, sizeof(held), "%.0f", x);
		fmt_units(units, sizeof(units), fit);
		fmt(power, sizeof(power), json_object_get(fit, "power_w"), "");
		fputs("<tr>", out);
		const char *cells[] = { jstr(c, "model"), jstr(c, "role"), held, units, limit_name(fit), power,
					licence_brief(jobj(c, "export"), destination), meets_word(fit) };
		for (size_t k = 0; k < ARRAY_SIZE(cells); k++) {
			fputs("<td>", out);
			html_put(out, cells[k]);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<h2>Conclusion</h2>\n<ul>\n", out);
	if (json_is_true(json_object_get(concl, "none_meets")))
		fputs("<li>No candidate is shown to meet the workload.</li>\n", out);
	static const char *const groups[][2] = {
		{ "meet", "meets the workload" }, { "do_not_meet", "does not meet it" }, { "unknown", "cannot be decided" },
	};
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		json_array_foreach(json_object_get(concl, groups[g][0]), i, c) {
			size_t k;
			fmt_units(units, sizeof(units), c);
			fputs("<li>", out);
			hput(out, "%s (%s) %s: %s units, %s", jstr(c, "model"), jstr(c, "role"), groups[g][1], units,
			     limit_name(c));
			json_array_foreach(json_object_get(c, "blocked_by"), k, v)
				hput(out, "%s%s", k ? "; " : "; blocked: ", json_string_value(v));
			fputs("</li>\n", out);
		}
	}
	fputs("</ul>\n<h2>Candidates</h2>\n", out);
	json_array_foreach(jarr(doc, "candidates"), i, c)
		html_candidate(out, c, destination);
	json_array_foreach(jarr(doc, "fleets"), i, v)
		html_fleet(out, v);
	if (json_array_size(jarr(doc, "notes"))) {
		fputs("<h2>Notes</h2>\n<ul>", out);
		json_array_foreach(jarr(doc, "notes"), i, v) {
			fputs("<li>", out);
			html_put(out, json_string_value(v));
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("<h2>Sources</h2>\n<ul>", out);
	json_object_foreach((json_t *)jobj(doc, "sources"), key, v) {
		fputs("<li>", out);
		hput(out, "[%s] %s%s%s", key, jstr(v, "title") ? jstr(v, "title") : "?", jstr(v, "url") ? ", " : "",
		     jstr(v, "url") ? jstr(v, "url") : "");
		fputs("</li>", out);
	}
	fputs("</ul>\n</body></html>\n", out);
}

char *justify_render_html(const json_t *doc)
{
	return render(html_document, doc);
}
