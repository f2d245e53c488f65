/* The report as a node_exporter textfile (docs/metrics.md).
 *
 * Label values are identifiers only: check ids, subjects (a PCI address or
 * "host"), statuses, precisions, XID numbers, the accelerator's UUID, its
 * model's name in the database and its ECCN. Never a message, a hostname or
 * a path: those are free text quoted from the machine, and a label of them
 * would be a new series on every change. Each value is escaped all the same,
 * since a report rendered here may have come from elsewhere. */
#include "report/prometheus.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

/* One metric family: its samples are gathered first, so that a family with
 * none is left out whole rather than written as a HELP line alone. */
struct family {
	const char *name, *type, *help;
	char *body;
	size_t len;
	FILE *out;
};

static void family_open(struct family *f, const char *name, const char *type, const char *help)
{
	f->name = name;
	f->type = type;
	f->help = help;
	f->body = NULL;
	f->len = 0;
	f->out = open_memstream(&f->body, &f->len);
	if (f->out == NULL)
		out_of_memory();
}

static void family_close(struct family *f, FILE *out)
{
	if (fclose(f->out) != 0)
		out_of_memory();
	if (f->len > 0)
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s", f->name, f->help, f->name, f->type, f->body);
	free(f->body);
}

/* The exposition format's escapes: backslash, double quote and line feed.
 * Other control characters have no escape there; they become '?', so that
 * the file stays one sample a line for whoever reads it with cat. */
static void put_label_value(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\' || c == '"')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', out);
		else
			fputc(c, out);
	}
}

/* NAME{KEY="VALUE",...} VALUE; the labels are pairs of strings ended by NULL. */
static void put_sample(FILE *out, const char *name, double value, ...)
{
	const char *key;
	bool labelled = false;
	va_list ap;

	fputs(name, out);
	va_start(ap, value);
	while ((key = va_arg(ap, const char *)) != NULL) {
		fprintf(out, "%s%s=\"", labelled ? "," : "{", key);
		put_label_value(out, va_arg(ap, const char *));
		fputc('"', out);
		labelled = true;
	}
	va_end(ap);
	fprintf(out, "%s %.15g\n", labelled ? "}" : "", value);
}

/* N decimal digits at *P into *V, advancing *P; -1 when they are not there. */
static int take_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

static int take_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

/* An RFC 3339 time ("2025-11-29T08:00:00Z", as the probe writes host.time;
 * a fraction and an offset are read too) as seconds since the epoch. */
static int parse_rfc3339(const char *s, double *out)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	double frac = 0, scale = 0.1;
	struct tm tm = { 0 };
	const char *p = s;

	if (s == NULL || take_digits(&p, 4, &year) || take_char(&p, '-') || take_digits(&p, 2, &mon) ||
	    take_char(&p, '-') || take_digits(&p, 2, &day) || take_char(&p, 'T') ||
	    take_digits(&p, 2, &hour) || take_char(&p, ':') || take_digits(&p, 2, &min) || take_char(&p, ':') ||
	    take_digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (take_digits(&p, 2, &oh) || take_char(&p, ':') || take_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm) + frac - sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- what the series are made of ---- */

/* A check's result for one subject; a check that says several things of
 * one subject (a module each) gives it its worst. */
struct check_result {
	const char *check, *subject;
	enum status status;
};

static int compare_results(const void *a, const void *b)
{
	const struct check_result *x = a, *y = b;
	int c = strcmp(x->check, y->check);

	return c != 0 ? c : strcmp(x->subject, y->subject);
}

/* Every (check, subject) of the findings, sorted, each once with its worst
 * status. -1 past METRICS_MAX_PAIRS. */
static int check_results(const json_t *findings, struct check_result **out, size_t *count)
{
	struct check_result *r = NULL;
	size_t n = 0, cap = 0, i, k, kept = 0;
	const json_t *f, *s;

	json_array_foreach(findings, i, f) {
		enum status st;
		if (!jstr(f, "check") || status_from_name(jstr(f, "status") ? jstr(f, "status") : "", &st) != 0)
			continue;
		json_array_foreach(jarr(f, "subjects"), k, s) {
			if (!json_string_value(s))
				continue;
			if (n == METRICS_MAX_PAIRS) {
				free(r);
				return -1;
			}
			if (n == cap)
				r = xreallocarray(r, cap = cap ? 2 * cap : 64, sizeof(*r));
			r[n++] = (struct check_result){ jstr(f, "check"), json_string_value(s), st };
		}
	}
	if (n > 0)
		qsort(r, n, sizeof(*r), compare_results);
	for (i = 0; i < n; i++) {
		if (kept > 0 && compare_results(&r[kept - 1], &r[i]) == 0) {
			if (r[i].status > r[kept - 1].status)
				r[kept - 1].status = r[i].status;
		} else {
			r[kept++] = r[i];
		}
	}
	*out = r;
	*count = kept;
	return 0;
}

/* The accelerators worth a series: a well-formed PCI address, each once. */
static size_t metric_accelerators(const json_t *accs, const json_t **out)
{
	size_t i, n = 0;
	const json_t *acc;

	json_array_foreach(accs, i, acc) {
		const char *addr = jstr(acc, "pci_address");
		bool seen = false;
		if (addr == NULL || !pci_address_valid(addr))
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(jstr(out[k], "pci_address"), addr) == 0;
		if (!seen)
			out[n++] = acc;
	}
	return n;
}

/* The evidence of CHECK's finding about SUBJECT, or NULL. */
static const json_t *evidence_for(const json_t *findings, const char *check, const char *subject)
{
	size_t i, k;
	const json_t *f, *s;

	json_array_foreach(findings, i, f) {
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

/* The ECCN export.classification found, "unknown" when it found none. */
static const char *export_class(const json_t *findings, const char *addr)
{
	const char *eccn = jstr(evidence_for(findings, "export.classification", addr), "eccn");

	return eccn ? eccn : "unknown";
}

/* ---- the families ---- */

static void put_build_info(FILE *out, const json_t *report)
{
	struct family f;

	family_open(&f, "chipaudit_build_info", "gauge",
		    "Always 1; the version of chipaudit that made the report, as a label.");
	put_sample(f.out, f.name, 1, "version", jstr(report, "tool_version"), NULL);
	family_close(&f, out);
}

static void put_timestamp(FILE *out, double when)
{
	struct family f;

	family_open(&f, "chipaudit_last_audit_timestamp_seconds", "gauge",
		    "When the facts of the report were gathered (its host.time), in seconds since the epoch.");
	put_sample(f.out, f.name, when, NULL);
	family_close(&f, out);
}

static void put_check_status(FILE *out, const struct check_result *r, size_t n)
{
	struct family f;

	family_open(&f, "chipaudit_check_status", "gauge",
		    "1 for the status a check gave a subject (a PCI address, or host), 0 for the other statuses.");
	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < STATUS_COUNT; s++)
			put_sample(f.out, f.name, r[i].status == (enum status)s, "check", r[i].check, "subject",
				   r[i].subject, "status", status_name((enum status)s), NULL);
	family_close(&f, out);
}

static void put_findings(FILE *out, const json_t *summary)
{
	struct family f;

	family_open(&f, "chipaudit_findings", "gauge",
		    "Findings of the audit by status, a finding about N subjects counted N times.");
	for (int s = 0; s < STATUS_COUNT; s++) {
		json_int_t n;
		if (jint(summary, status_name((enum status)s), &n))
			put_sample(f.out, f.name, (double)n, "status", status_name((enum status)s), NULL);
	}
	family_close(&f, out);
}

static void put_trust_level(FILE *out, const json_t *trust)
{
	struct family f;
	json_int_t level;
	bool applicable = false;

	family_open(&f, "chipaudit_trust_level", "gauge",
		    "The host's level on the trust ladder (docs/backdoor.md), 0 to 4; absent when not applicable.");
	if (jbool(trust, "applicable", &applicable) && applicable && jint(trust, "level", &level))
		put_sample(f.out, f.name, (double)level, NULL);
	family_close(&f, out);
}

static void put_accelerator_info(FILE *out, const json_t *const *accs, size_t n, const json_t *findings)
{
	struct family f;

	family_open(&f, "chipaudit_accelerator_info", "gauge",
		    "Always 1; an accelerator's identity and export class as labels.");
	for (size_t i = 0; i < n; i++) {
		const char *addr = jstr(accs[i], "pci_address");
		put_sample(f.out, f.name, 1, "pci_bus_id", addr, "uuid", accelerator_uuid(accs[i]), "model",
			   jstr(accs[i], "model"), "export_class", export_class(findings, addr), NULL);
	}
	family_close(&f, out);
}

struct xid_count {
	const char *addr;
	json_int_t xid;
};

static int compare_xids(const void *a, const void *b)
{
	const struct xid_count *x = a, *y = b;
	int c = strcmp(x->addr, y->addr);

	return c != 0 ? c : (x->xid > y->xid) - (x->xid < y->xid);
}

/* The kernel log's XID events, counted by accelerator and XID. */
static void put_xids(FILE *out, const json_t *facts)
{
	const json_t *events = jarr(jobj(facts, "kernel_xids"), "events"), *e;
	struct xid_count *x = xreallocarray(NULL, json_array_size(events) + 1, sizeof(*x));
	size_t i, n = 0;
	struct family f;

	json_array_foreach(events, i, e) {
		const char *addr = jstr(e, "pci_address");
		json_int_t xid;
		if (addr && pci_address_valid(addr) && jint(e, "xid", &xid))
			x[n++] = (struct xid_count){ addr, xid };
	}
	if (n > 0)
		qsort(x, n, sizeof(*x), compare_xids);
	family_open(&f, "chipaudit_xid_events_total", "counter",
		    "XID events in the kernel log since boot, by accelerator and XID number.");
	for (i = 0; i < n;) {
		size_t k = i;
		char xid[24];
		while (k < n && compare_xids(&x[i], &x[k]) == 0)
			k++;
		snprintf(xid, sizeof(xid), "%lld", (long long)x[i].xid);
		put_sample(f.out, f.name, (double)(k - i), "pci_bus_id", x[i].addr, "xid", xid, NULL);
		i = k;
	}
	family_close(&f, out);
	free(x);
}

static void put_measured(FILE *out, const json_t *const *accs, size_t n)
{
	struct family f;

	family_open(&f, "chipaudit_measured_ops_per_second", "gauge",
		    "Dense throughput measured on the accelerator (chipaudit measure), operations a second, by precision.");
	for (size_t i = 0; i < n; i++) {
		const json_t *tops = jobj(jobj(accs[i], "measured"), "dense_tops");
		for (int p = 0; p < PREC_COUNT; p++) {
			double v;
			if (jnum(tops, precision_names[p], &v) && isfinite(v) && v >= 0)
				put_sample(f.out, f.name, v * 1e12, "pci_bus_id", jstr(accs[i], "pci_address"), "precision",
					   precision_names[p], NULL);
		}
	}
	family_close(&f, out);
}

static void put_export_tpp(FILE *out, const json_t *const *accs, size_t n, const json_t *findings)
{
	struct family f;

	family_open(&f, "chipaudit_export_tpp", "gauge",
		    "Total processing performance (TPP) of the accelerator's declared model under the export rules in force.");
	for (size_t i = 0; i < n; i++) {
		const char *addr = jstr(accs[i], "pci_address");
		double tpp;
		if (jnum(evidence_for(findings, "export.classification", addr), "tpp", &tpp) && isfinite(tpp))
			put_sample(f.out, f.name, tpp, "pci_bus_id", addr, NULL);
	}
	family_close(&f, out);
}

char *report_render_prometheus(const json_t *report, const json_t *facts, char *err, size_t errlen)
{
	const json_t *findings = jarr(report, "findings"), *accs = jarr(report, "accelerators");
	const json_t **metric_accs;
	struct check_result *results;
	size_t n_results, n_accs;
	double when;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (parse_rfc3339(jstr(jobj(report, "host"), "time"), &when) != 0) {
		snprintf(err, errlen, "host.time: expected an RFC 3339 time such as 2025-11-29T08:00:00Z");
		return NULL;
	}
	if (json_array_size(accs) > METRICS_MAX_ACCELERATORS) {
		snprintf(err, errlen, "accelerators: %zu, more than the %d metrics are written for",
			 json_array_size(accs), METRICS_MAX_ACCELERATORS);
		return NULL;
	}
	if (check_results(findings, &results, &n_results) != 0) {
		snprintf(err, errlen, "findings: more than %d check and subject pairs", METRICS_MAX_PAIRS);
		return NULL;
	}
	metric_accs = xreallocarray(NULL, json_array_size(accs) + 1, sizeof(*metric_accs));
	n_accs = metric_accelerators(accs, metric_accs);
	if ((out = open_memstream(&text, &len)) == NULL)
		out_of_memory();
	put_build_info(out, report);
	put_timestamp(out, when);
	put_check_status(out, results, n_results);
	put_findings(out, jobj(report, "summary"));
	put_trust_level(out, jobj(report, "trust"));
	put_accelerator_info(out, metric_accs, n_accs, findings);
	put_xids(out, facts ? facts : jobj(report, "facts"));
	put_measured(out, metric_accs, n_accs);
	put_export_tpp(out, metric_accs, n_accs, findings);
	if (fclose(out) != 0)
		out_of_memory();
	free(results);
	free(metric_accs);
	return text;
}
