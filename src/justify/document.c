/* The justification document: candidates gathered from reports, --model and
 * --vs, each with its declared and measured figures, export status, audits
 * and workload fit, then a conclusion that lists who meets the workload and
 * at what count. See justify.h and docs/justify.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/sign.h"
#include "justify/fit.h"
#include "justify/justify.h"
#include "parse/fleetsummary.h"
#include "report/report.h"

void justify_init(struct justify *j, const struct accdb *db, const struct export_data *ex, const struct workload *w,
		  const char *workload_origin, const char *date, const char *destination)
{
	memset(j, 0, sizeof(*j));
	j->db = db;
	j->ex = ex;
	j->w = w;
	j->workload_origin = workload_origin;
	snprintf(j->date, sizeof(j->date), "%s", date);
	j->destination = destination;
	j->notes = json_array();
	j->fleets = json_array();
	j->summary = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "accelerators", 0, "pass", 0, "warn", 0, "fail", 0,
			       "skip", 0, "error", 0);
}

void justify_free(struct justify *j)
{
	for (size_t i = 0; i < j->n; i++) {
		json_decref(j->c[i].measured);
		json_decref(j->c[i].audits);
	}
	json_decref(j->notes);
	json_decref(j->fleets);
	json_decref(j->summary);
	j->n = 0;
}

struct justify_candidate *justify_candidate(struct justify *j, const struct accel_model *m, bool in_question)
{
	struct justify_candidate *c;

	for (size_t i = 0; i < j->n; i++) {
		if (j->c[i].model == m) {
			j->c[i].in_question |= in_question;
			return &j->c[i];
		}
	}
	if (j->n == JUSTIFY_MAX_CANDIDATES)
		return NULL;
	c = &j->c[j->n++];
	c->model = m;
	c->in_question = in_question;
	c->count = NAN;
	c->price = NAN;
	c->measured = json_array();
	c->audits = json_array();
	return c;
}

/* ---- reports ---- */

static void add_counts(json_t *summary, const json_t *from)
{
	static const char *const keys[] = { "accelerators", "pass", "warn", "fail", "skip", "error" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		json_int_t a = 0, b = 0;
		jint(summary, keys[i], &a);
		jint(from, keys[i], &b);
		jset_int(summary, keys[i], a + b);
	}
}

/* The failing checks of a report, each once, with every subject it names. */
static json_t *failing_checks(const json_t *report)
{
	json_t *out = json_array(), *f, *seen = NULL;
	size_t i, k;

	json_array_foreach(jarr(report, "findings"), i, f) {
		const char *status = jstr(f, "status"), *check = jstr(f, "check");
		if (status == NULL || strcmp(status, "fail") != 0 || check == NULL)
			continue;
		json_array_foreach(out, k, seen)
			if (strcmp(jstr(seen, "check"), check) == 0)
				break;
		if (k == json_array_size(out)) {
			seen = json_pack("{s:s, s:[]}", "check", check, "subjects");
			json_array_append_new(out, seen);
		}
		if (jarr(f, "subjects"))
			json_array_extend(json_object_get(seen, "subjects"), jarr(f, "subjects"));
	}
	return out;
}

static json_t *audit_entry(const char *path, const json_t *report)
{
	const json_t *trust = jobj(report, "trust"), *summary = jobj(report, "summary");
	json_int_t level = -1, max = -1, warn = 0;

	jint(trust, "level", &level);
	jint(trust, "max_level", &max);
	jint(summary, "warn", &warn);
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:O?, s:O?, s:s?, s:I, s:o}", "report", path, "hostname",
			 jstr(jobj(report, "host"), "hostname"), "time", jstr(jobj(report, "host"), "time"),
			 "public_key_fingerprint", jstr(report, "public_key_fingerprint"), "trust_level",
			 json_object_get(trust, "level"), "trust_max_level", json_object_get(trust, "max_level"),
			 "trust_label", jstr(trust, "label"), "warnings", warn, "failing", failing_checks(report));
}

static int add_accelerator(struct justify *j, const char *path, const json_t *report, const json_t *acc, size_t i,
			   char *err, size_t errlen)
{
	const struct accel_model *m = accdb_for_accelerator(j->db, acc);
	const json_t *measured = json_object_get(acc, "measured");
	struct justify_candidate *c;
	char sub[256];
	int r = measured_validate(measured, sub, sizeof(sub));

	if (r < 0) {
		snprintf(err, errlen, "%s: accelerators[%zu].%s", path, i, sub);
		return CA_ERR_DATA;
	}
	if (m == NULL) {
		json_array_append_new(j->notes, json_sprintf("%s: accelerator %s (%s:%s) is not in data/accelerators.json: "
			"not sized", path, jstr(acc, "pci_address") ? jstr(acc, "pci_address") : "?",
			jstr(acc, "vendor_id") ? jstr(acc, "vendor_id") : "?", jstr(acc, "device_id") ? jstr(acc, "device_id") : "?"));
		return 0;
	}
	if ((c = justify_candidate(j, m, true)) == NULL) {
		snprintf(err, errlen, "%s: more than %d models", path, JUSTIFY_MAX_CANDIDATES);
		return CA_ERR_DATA;
	}
	c->count = isnan(c->count) ? 1 : c->count + 1;
	if (r == 1)
		json_array_append_new(c->measured, json_pack("{s:s, s:s?, s:O}", "report", path, "pci_address",
							     jstr(acc, "pci_address"), "dense_tops",
							     json_object_get(measured, "dense_tops")));
	/* the report once per model it holds */
	if (json_array_size(c->audits) == 0 ||
	    strcmp(jstr(json_array_get(c->audits, json_array_size(c->audits) - 1), "report"), path) != 0)
		json_array_append_new(c->audits, audit_entry(path, report));
	return 0;
}

int justify_add_report(struct justify *j, const char *path, char *err, size_t errlen)
{
	char *data = NULL;
	size_t len, i;
	json_t *report, *acc;
	int rc = read_file_bounded(path, REPORT_MAX_BYTES, &data, &len, err, errlen);

	if (rc != 0)
		return rc;
	report = report_parse(data, len, path, err, errlen);
	free(data);
	if (report == NULL)
		return CA_ERR_DATA;
	json_array_foreach(jarr(report, "accelerators"), i, acc)
		if ((rc = add_accelerator(j, path, report, acc, i, err, errlen)) != 0)
			break;
	if (rc == 0) {
		add_counts(j->summary, jobj(report, "summary"));
		j->reports++;
		if (json_array_size(jarr(report, "accelerators")) == 0)
			json_array_append_new(j->notes, json_sprintf("%s: the report holds no accelerator", path));
	}
	json_decref(report);
	return rc;
}

/* ---- fleet summaries ---- */

static int by_failing_subjects(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "fail")), ny = json_integer_value(json_object_get(y, "fail"));

	return nx != ny ? (nx < ny ? 1 : -1) : strcmp(jstr(x, "check"), jstr(y, "check"));
}

/* The checks that fail somewhere in the fleet, most failing subjects first. */
static json_t *fleet_failing(const json_t *summary)
{
	const json_t *checks = jarr(summary, "checks");
	json_t **rows = xcalloc(json_array_size(checks) + 1, sizeof(*rows)), *out = json_array(), *c;
	size_t i, n = 0;

	json_array_foreach(checks, i, c)
		if (json_integer_value(json_object_get(c, "fail")) > 0)
			rows[n++] = c;
	qsort(rows, n, sizeof(*rows), by_failing_subjects);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:O, s:O}", "check", json_object_get(rows[i], "check"),
						     "failing_subjects", json_object_get(rows[i], "fail")));
	free(rows);
	return out;
}

static int add_fleet_model(struct justify *j, const char *path, const json_t *row)
{
	const char *name = jstr(row, "model");
	json_int_t n = json_integer_value(json_object_get(row, "accelerators"));
	const struct accel_model *m = name ? accdb_by_name(j->db, name) : NULL;
	struct justify_candidate *c;

	if (m == NULL) {
		json_array_append_new(j->notes, json_sprintf("%s: %lld accelerators of model %s are not in "
			"data/accelerators.json: not sized", path, (long long)n, name ? name : "(none given)"));
		return 0;
	}
	if ((c = justify_candidate(j, m, true)) == NULL)
		return -1;
	c->count = (isnan(c->count) ? 0 : c->count) + (double)n;
	c->from_fleet = true;
	return 0;
}

int justify_add_fleet_summary(struct justify *j, const char *path, char *err, size_t errlen)
{
	char *data = NULL;
	size_t len, i;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	json_t *s, *row;
	int rc = read_file_bounded(path, FLEET_SUMMARY_MAX_BYTES, &data, &len, err, errlen);

	if (rc != 0)
		return rc;
	s = fleet_summary_parse(data, len, name, err, errlen);
	free(data);
	if (s == NULL)
		return CA_ERR_DATA;
	json_array_foreach(jarr(s, "by_model"), i, row)
		if (add_fleet_model(j, name, row) != 0) {
			snprintf(err, errlen, "%s: more than %d models", name, JUSTIFY_MAX_CANDIDATES);
			json_decref(s);
			return CA_ERR_DATA;
		}
	json_array_append_new(j->fleets, json_pack("{s:s, s:O, s:O, s:O, s:o, s:s}", "summary", name, "hosts",
		json_object_get(s, "hosts"), "accelerators", json_object_get(s, "accelerators"), "by_trust_level",
		json_object_get(s, "by_trust_level"), "failing_checks", fleet_failing(s), "note",
		"counts as the collector gives them (its reports verified there, not here): declared figures, no "
		"measured ones; trust levels are of hosts, failing checks count subjects at their worst status"));
	json_decref(s);
	return 0;
}

/* ---- export status ---- */

static json_t *classify(const struct justify *j, const struct accel_model *m)
{
	struct chip_spec s;

	chip_spec_from_model(&s, m);
	return export_classify(j->ex, &s, j->date, j->destination);
}

/* Is the part a US company's? The export rules of data/export-rules.json
 * are the US rules: they bind a part made by a company headquartered
 * elsewhere only if it is subject to the EAR (a foreign direct product
 * rule, US content above de minimis), which chipaudit cannot tell. */
static bool us_maker(const struct accel_model *m)
{
	return m->maker_country && strcmp(m->maker_country, "US") == 0;
}

bool justify_denied(const struct justify *j, const struct accel_model *m)
{
	json_t *c;
	bool denied;

	if (j->destination == NULL || !us_maker(m))
		return false;
	c = classify(j, m);
	denied = json_is_true(json_object_get(c, "license_required")) && jstr(c, "license_policy") &&
		 strcmp(jstr(c, "license_policy"), "presumption of denial") == 0;
	json_decref(c);
	return denied;
}

/* What the maker's country means for the licence answer, or NULL for a US
 * maker's part. */
static json_t *maker_note(const struct justify *j, const struct accel_model *m)
{
	if (us_maker(m))
		return NULL;
	if (m->maker_country == NULL)
		return json_sprintf("Where %s is headquartered is not recorded in data/vendors.json: whether the US rules "
				    "bind this part (subject to the EAR or not) is not assessed, so the licence answer "
				    "holds only if they do", m->vendor ? m->vendor : "its maker");
	if (j->destination && strcmp(m->maker_country, j->destination) == 0)
		return json_sprintf("Made by %s, headquartered in %s, the destination itself: a purchase there is not an "
				    "export from the US; the US rules bind it only if the part is subject to the EAR "
				    "(foreign direct product rules, US content above de minimis), which chipaudit does "
				    "not assess", m->vendor, m->maker_country);
	return json_sprintf("Made by %s, headquartered in %s, not a US company: the licence answer is what the US rules "
			    "would require if the part is subject to the EAR (foreign direct product rules, US content "
			    "above de minimis), which chipaudit does not assess", m->vendor, m->maker_country);
}

static json_t *export_status(const struct justify *j, const struct accel_model *m)
{
	json_t *c = classify(j, m), *out, *note = maker_note(j, m), *notes;

	out = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "eccn", json_object_get(c, "eccn"),
			"paragraph", json_object_get(c, "paragraph"), "tpp", json_object_get(c, "tpp"),
			"performance_density", json_object_get(c, "performance_density"), "rules",
			json_object_get(c, "rules"), "rules_citation", json_object_get(c, "rules_citation"),
			"license_required", json_object_get(c, "license_required"), "license_policy",
			json_object_get(c, "license_policy"), "license_exceptions",
			json_object_get(c, "license_exceptions"), "notes", json_object_get(c, "notes"));
	jset(out, "maker_country", m->maker_country ? json_string(m->maker_country) : json_null());
	/* true: a US company's part, bound by the rules; null: not assessed */
	jset(out, "subject_to_ear", us_maker(m) ? json_true() : json_null());
	if (note) {
		notes = json_is_array(json_object_get(out, "notes")) ? json_deep_copy(json_object_get(out, "notes")) :
								       json_array();
		json_array_insert_new(notes, 0, note);
		jset(out, "notes", notes);
	}
	if (j->destination == NULL)
		jset(out, "license_required", json_null());
	json_decref(c);
	return out;
}

/* The strictest class the audited units measure into (a relabelled or
 * unlocked part measures above its datasheet); NULL when none is measured. */
static json_t *measured_export(const struct justify *j, const struct justify_candidate *c, const json_t *declared)
{
	json_t *worst = NULL, *u, *k;
	int worst_rank = -2;
	size_t i;

	json_array_foreach(c->measured, i, u) {
		struct chip_spec s;
		int rank;
		chip_spec_from_model(&s, c->model);
		chip_spec_apply_measured(&s, u);
		k = export_classify(j->ex, &s, j->date, j->destination);
		rank = export_class_rank(jstr(k, "eccn"));
		if (rank > worst_rank) {
			json_decref(worst);
			worst = json_pack("{s:O?, s:O?, s:O?, s:O?, s:s?, s:s?}", "eccn", json_object_get(k, "eccn"), "tpp",
					  json_object_get(k, "tpp"), "license_required", json_object_get(k, "license_required"),
					  "license_policy", json_object_get(k, "license_policy"), "report", jstr(u, "report"),
					  "pci_address", jstr(u, "pci_address"));
			worst_rank = rank;
		}
		json_decref(k);
	}
	if (worst) {
		int dr = export_class_rank(jstr(declared, "eccn"));
		jset(worst, "stricter_than_declared", dr < 0 || worst_rank < 0 ? json_null() : json_boolean(worst_rank > dr));
		jset(worst, "subject_to_ear", us_maker(c->model) ? json_true() : json_null());
	}
	return worst;
}

/* ---- alternatives ---- */

static bool has_figures(const struct accel_model *m, int precision)
{
	return !isnan(m->memory_gb) || !isnan(m->memory_bandwidth_gbs) || !isnan(m->dense_tops[precision]);
}

void justify_default_alternatives(struct justify *j)
{
	size_t bare = 0, denied = 0;

	for (size_t i = 0; i < j->db->model_count; i++) {
		const struct accel_model *m = &j->db->models[i];
		if (m->datacenter != 1)
			continue;
		if (!has_figures(m, j->w->precision)) {
			bare++;
			continue;
		}
		if (justify_denied(j, m)) {
			denied++;
			continue;
		}
		if (justify_candidate(j, m, false) == NULL)
			break;
	}
	if (bare)
		json_array_append_new(j->notes, json_sprintf("%zu datacenter models of data/accelerators.json left out: "
			"no memory, bandwidth or %s figure to size them with", bare, precision_names[j->w->precision]));
	if (denied)
		json_array_append_new(j->notes, json_sprintf("%zu datacenter models left out: licence required for %s with a "
			"presumption of denial under the rules of %s (name them with --vs to show them)", denied,
			j->destination, j->date));
}

/* ---- one candidate ---- */

static json_t *sourced(const struct accel_model *m, const char *field, double value)
{
	const json_t *src = json_object_get(jobj(m->json, "sources"), field);

	/* a field's sources vouch for the figures it gives, not for a null one */
	return json_pack("{s:o, s:O?}", "value", isnan(value) ? json_null() : json_real(value), "sources",
			 isnan(value) ? NULL : src);
}

static json_t *declared(const struct justify *j, const struct accel_model *m)
{
	int p = j->w->precision;

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "memory_gb", sourced(m, "memory_gb", m->memory_gb),
			 "memory_bandwidth_gbs", sourced(m, "memory_bandwidth_gbs", m->memory_bandwidth_gbs),
			 "interconnect_bandwidth_gbs", sourced(m, "interconnect_bandwidth_gbs",
							       m->interconnect_bandwidth_gbs),
			 "dense_tops", sourced(m, "dense_tops", m->dense_tops[p]), "tdp_w", sourced(m, "tdp_w", m->tdp_w),
			 "precision", precision_names[p]);
}

/* The lowest measured figure at the workload's precision among the audited
 * units: the fleet is sized by its slowest member. NAN when none. */
static double lowest_measured(const struct justify *j, const struct justify_candidate *c, size_t *units)
{
	double lowest = NAN, v;
	size_t i;
	json_t *u;

	*units = 0;
	json_array_foreach(c->measured, i, u) {
		if (!jnum(jobj(u, "dense_tops"), precision_names[j->w->precision], &v))
			continue;
		(*units)++;
		if (isnan(lowest) || v < lowest)
			lowest = v;
	}
	return lowest;
}

static json_t *measured_member(const struct justify *j, const struct justify_candidate *c, double lowest,
			       size_t units)
{
	double decl = c->model->dense_tops[j->w->precision];

	if (units == 0)
		return json_array_size(c->measured) ? json_pack("{s:s, s:I}", "note",
			"measured, but not at the workload's precision", "units_measured", (json_int_t)json_array_size(c->measured))
			: json_null();
	return json_pack("{s:s, s:f, s:I, s:o}", "precision", precision_names[j->w->precision], "dense_tops", lowest,
			 "units_measured", (json_int_t)units, "ratio_to_declared",
			 isnan(decl) || decl <= 0 ? json_null() : json_real(lowest / decl));
}

static json_t *num(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

static const char *state_name(enum fit_state s)
{
	return s == FIT_KNOWN ? "known" : s == FIT_UNKNOWN ? "unknown" : "not a limit";
}

/* Meets when the units needed fit in what is held (in question) or in the
 * workload's max_units (alternatives); unknown when the count is unknown
 * and what is known does not already exceed the bound. */
static json_t *meets(const struct justify *j, const struct justify_candidate *c, const struct fit_result *r)
{
	double bound = c->in_question && !isnan(c->count) ? c->count : j->w->max_units;

	if (!isnan(bound) && r->units_at_least > bound)
		return json_false();
	if (isnan(r->units))
		return json_null();
	return json_boolean(isnan(bound) || r->units <= bound);
}

static json_t *fit_member(const struct justify *j, const struct justify_candidate *c, const struct fit_result *r)
{
	json_t *counts = json_object(), *blocked = json_array();

	for (int i = 0; i < FIT_LIMIT_COUNT; i++) {
		const struct fit_count *k = &r->counts[i];
		json_object_set_new(counts, fit_limit_keys[i], json_pack("{s:s, s:o, s:o, s:o, s:s?}", "state",
			state_name(k->state), "units", num(k->units), "need", num(k->need), "per_unit", num(k->per_unit),
			"reason", k->reason[0] ? k->reason : NULL));
		if (k->state == FIT_UNKNOWN)
			json_array_append_new(blocked, json_sprintf("%s count: %s", fit_limit_names[i], k->reason));
	}
	if (isnan(r->power_w) && !isnan(r->units))
		json_array_append_new(blocked, json_string("power: TDP unknown"));
	return json_pack("{s:o, s:o, s:o, s:o, s:s?, s:o, s:o, s:o, s:o}", "counts", counts, "replica_units",
			 num(r->replica_units), "units", num(r->units), "units_at_least", num(r->units_at_least), "limit",
			 r->limit >= 0 ? fit_limit_keys[r->limit] : NULL, "power_w", num(r->power_w), "cost",
			 num(c->price * r->units), "meets", meets(j, c, r), "blocked_by", blocked);
}

static json_t *candidate(const struct justify *j, const struct justify_candidate *c)
{
	const struct accel_model *m = c->model;
	struct fit_unit u = { m->memory_gb, m->memory_bandwidth_gbs, m->interconnect_bandwidth_gbs,
			      m->dense_tops[j->w->precision], m->tdp_w };
	struct fit_result r;
	size_t units;
	double lowest = lowest_measured(j, c, &units);
	json_t *out;

	if (!isnan(lowest))
		u.dense_tops = lowest;
	fit_workload(j->w, &u, &r);
	out = json_pack("{s:s, s:s?, s:s, s:o, s:s, s:o, s:o, s:o, s:O, s:o}", "model", m->name, "vendor", m->vendor,
			"role", c->in_question ? "in question" : "alternative", "count", num(c->count), "basis",
			json_array_size(c->audits) ? "audited" : c->from_fleet ? "fleet summary" :
			c->in_question ? "declared" : "database",
			"declared", declared(j, m), "measured", measured_member(j, c, lowest, units), "export",
			export_status(j, m), "audits", c->audits, "fit", fit_member(j, c, &r));
	jset_str(out, "dense_tops_from", isnan(lowest) ? "declared" : "measured");
	jset(jobj(out, "export"), "measured", measured_export(j, c, jobj(out, "export")));
	jset_num(out, "price", c->price);
	return out;
}

/* ---- the document ---- */

static json_t *workload_member(const struct justify *j, const struct fit_result *shape)
{
	const struct workload *w = j->w;

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:o, s:o, s:o, s:o, s:f, s:f, s:o, s:o, s:f, s:f, s:f, "
			 "s:o, s:f}",
			 "name", w->name, "origin", j->workload_origin, "description", w->description, "source", w->source,
			 "kind", w->kind == WORKLOAD_TRAINING ? "training" : "inference", "parameters", w->parameters,
			 "precision", precision_names[w->precision], "layers", num(w->layers), "hidden_size",
			 num(w->hidden_size), "kv_heads", num(w->kv_heads), "head_dim", num(w->head_dim),
			 "context_tokens", w->context_tokens, "batch", w->batch, "target_tokens_per_s",
			 num(w->target_tokens_per_s), "max_units", num(w->max_units), "memory_reserve_percent",
			 w->memory_reserve * 100, "weights_bytes", shape->weights_bytes, "state_bytes", shape->state_bytes,
			 "kv_cache_bytes", num(shape->kv_bytes), "flop_per_token", shape->flop_per_token);
}

/* The source keys the candidates cite, with their titles and addresses. */
static json_t *sources_cited(const struct justify *j, const json_t *candidates)
{
	const json_t *all = json_object_get(j->db->models_json, "sources");
	json_t *out = json_object(), *c, *fig, *key;
	const char *name;
	size_t i, k;

	json_array_foreach(candidates, i, c)
		json_object_foreach(jobj(c, "declared"), name, fig)
			json_array_foreach(json_object_get(fig, "sources"), k, key)
				if (json_is_string(key) && json_object_get(all, json_string_value(key)))
					json_object_set(out, json_string_value(key),
							json_object_get(all, json_string_value(key)));
	return out;
}

static json_t *conclusion(const json_t *candidates)
{
	json_t *meet = json_array(), *not_met = json_array(), *unknown = json_array(), *c;
	size_t i;

	json_array_foreach(candidates, i, c) {
		const json_t *fit = jobj(c, "fit"), *m = json_object_get(fit, "meets");
		json_t *row = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O}", "model", jstr(c, "model"), "role", jstr(c, "role"),
					"units", json_object_get(fit, "units"), "units_at_least",
					json_object_get(fit, "units_at_least"), "limit", json_object_get(fit, "limit"),
					"blocked_by", json_object_get(fit, "blocked_by"));
		json_array_append_new(json_is_true(m) ? meet : json_is_false(m) ? not_met : unknown, row);
	}
	return json_pack("{s:o, s:o, s:o, s:b}", "meet", meet, "do_not_meet", not_met, "unknown", unknown,
			 "none_meets", json_array_size(meet) == 0);
}

json_t *justify_document(const struct justify *j, const char *time, const char *hostname)
{
	struct fit_unit none = { NAN, NAN, NAN, NAN, NAN };
	struct fit_result shape;
	json_t *doc, *candidates = json_array(), *dest = NULL, *summary = json_deep_copy(j->summary), *probe, *notes;
	json_int_t fails = 0, warns = 0;

	fit_workload(j->w, &none, &shape);
	/* in question first, then the alternatives, each in the order given */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < j->n; i++)
			if (j->c[i].in_question == (pass == 0))
				json_array_append_new(candidates, candidate(j, &j->c[i]));
	if (j->destination && j->n > 0) {
		probe = classify(j, j->c[0].model);
		dest = json_incref(json_object_get(probe, "destination"));
		json_decref(probe);
	}
	/* The summary is the reports' (counts summed), so that `chipaudit
	 * verify` reads a signed justification as it reads a report. */
	jint(summary, "fail", &fails);
	jint(summary, "warn", &warns);
	jset_str(summary, "worst", fails ? "fail" : warns ? "warn" : j->reports ? "pass" : "none");
	jset_int(summary, "exit_code", 0);
	notes = json_deep_copy(j->notes);
	if (j->destination)
		json_array_append_new(notes, json_string("Export status is the answer of the US rules of "
			"data/export-rules.json; they bind a part of a maker headquartered outside the US (data/vendors.json) "
			"only if it is subject to the EAR, which chipaudit does not assess: such parts say so, and are not "
			"left out of the alternatives as denied"));
	doc = json_pack("{s:i, s:s, s:s, s:{s:s, s:s?}, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			"schema_version", REPORT_SCHEMA_VERSION, "schema", JUSTIFY_SCHEMA, "tool_version",
			CHIPAUDIT_VERSION, "host", "time", time, "hostname", hostname, "rules_date", j->date,
			"destination", dest ? dest : json_null(), "model", "docs/justify.md (roofline-style lower bound)",
			"workload", workload_member(j, &shape), "candidates", candidates, "conclusion",
			conclusion(candidates), "sources", sources_cited(j, candidates), "notes", notes, "summary",
			summary);
	jset(doc, "host_id", json_null());
	if (json_array_size(j->fleets))
		jset(doc, "fleets", json_incref(j->fleets));
	return doc;
}
