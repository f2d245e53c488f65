/* Identity fingerprint; see fingerprint.h and docs/measure.md. */
#include "measure/fingerprint.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/data.h"
#include "core/json.h"

#define GIB_BYTES 1073741824.0

int fingerprint_rules_from_json(const json_t *doc, struct fingerprint_rules *r, char *err, size_t errlen)
{
	static const char where[] = "fingerprint";
	const json_t *ratio = json_object_get(doc, "ratio");
	const char *schema, *prec, *sm;
	int p;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_string(doc, "schema", JV_REQUIRED, 64, where, err, errlen) ||
	    jv_string(doc, "precision", JV_REQUIRED, 8, where, err, errlen) ||
	    jv_object(doc, "ratio", JV_REQUIRED, where, err, errlen) ||
	    jv_number(ratio, "min", JV_REQUIRED, 0.01, 10, "fingerprint.ratio", err, errlen) ||
	    jv_number(ratio, "max", JV_REQUIRED, 0.01, 10, "fingerprint.ratio", err, errlen) ||
	    jv_array(ratio, "basis", JV_REQUIRED, "fingerprint.ratio", err, errlen) ||
	    jv_string(ratio, "rationale", JV_REQUIRED, 4096, "fingerprint.ratio", err, errlen) ||
	    jv_number(doc, "below_spec_ratio", JV_REQUIRED, 0.01, 10, where, err, errlen) ||
	    jv_string(doc, "sm_count", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_number(doc, "memory_max_ratio", JV_REQUIRED, 0.5, 10, where, err, errlen) ||
	    jv_object(doc, "sources", JV_REQUIRED, where, err, errlen))
		return -1;
	schema = jstr(doc, "schema");
	if (strcmp(schema, "chipaudit-fingerprint/1") != 0) {
		snprintf(err, errlen, "fingerprint.schema: \"%.64s\" is not supported (this build reads chipaudit-fingerprint/1)",
			 schema);
		return -1;
	}
	prec = jstr(doc, "precision");
	if ((p = precision_from_name(prec)) < 0) {
		snprintf(err, errlen, "fingerprint.precision: \"%.8s\" is not a precision", prec);
		return -1;
	}
	sm = jstr(doc, "sm_count");
	if (strcmp(sm, "exact") != 0) {
		snprintf(err, errlen, "fingerprint.sm_count: only \"exact\" is supported");
		return -1;
	}
	r->precision = (enum precision)p;
	jnum(ratio, "min", &r->ratio_min);
	jnum(ratio, "max", &r->ratio_max);
	jnum(doc, "below_spec_ratio", &r->below_spec_ratio);
	jnum(doc, "memory_max_ratio", &r->memory_max_ratio);
	if (r->ratio_min >= r->ratio_max) {
		snprintf(err, errlen, "fingerprint.ratio: min must be below max");
		return -1;
	}
	return 0;
}

int fingerprint_rules_load(struct fingerprint_rules *r, char *err, size_t errlen)
{
	char sub[512];
	json_t *doc = data_load("fingerprint.json", err, errlen);
	int rc;

	if (doc == NULL)
		return -1;
	rc = fingerprint_rules_from_json(doc, r, sub, sizeof(sub));
	if (rc != 0)
		snprintf(err, errlen, "data/fingerprint.json: %s", sub);
	json_decref(doc);
	return rc;
}

void measured_figures_read(const json_t *m, const struct fingerprint_rules *r, struct measured_figures *out)
{
	json_int_t v;
	bool approx = false;

	out->rate = NAN;
	out->approximate = false;
	out->sm_count = NAN;
	out->allocatable_bytes = NAN;
	if (!jnum(jobj(m, "dense_tops"), precision_names[r->precision], &out->rate))
		out->rate = NAN;
	if (jbool(jobj(m, "approximate"), precision_names[r->precision], &approx))
		out->approximate = approx;
	if (jint(m, "sm_count", &v))
		out->sm_count = (double)v;
	if (jint(m, "allocatable_bytes", &v))
		out->allocatable_bytes = (double)v;
}

static double declared_rate(const struct fingerprint_rules *r, const struct accel_model *m)
{
	return m->dense_tops[r->precision];
}

static bool rate_fits(const struct fingerprint_rules *r, double ratio, bool approximate)
{
	if (!(ratio <= r->ratio_max))
		return false;
	return approximate || ratio >= r->ratio_min;
}

static bool memory_fits(const struct fingerprint_rules *r, const struct accel_model *m, double allocatable)
{
	if (isnan(allocatable) || isnan(m->memory_gb))
		return true; /* nothing to contradict */
	return allocatable <= m->memory_gb * GIB_BYTES * r->memory_max_ratio;
}

bool fingerprint_fits(const struct fingerprint_rules *r, const struct accel_model *m,
		      const struct measured_figures *fig)
{
	double declared = declared_rate(r, m);

	if (isnan(m->compute_units) || isnan(declared) || !(declared > 0) || isnan(fig->rate) || isnan(fig->sm_count))
		return false;
	return m->compute_units == fig->sm_count && rate_fits(r, fig->rate / declared, fig->approximate) &&
	       memory_fits(r, m, fig->allocatable_bytes);
}

/* Best first: the smallest memory that holds what could be allocated (the
 * H200's 141 GB over the H100's 80 when 139 GiB were allocated), then the
 * rate ratio nearest the middle of the band. */
static bool better(const struct fingerprint_rules *r, const struct measured_figures *fig,
		   const struct accel_model *a, const struct accel_model *b)
{
	double mid = (r->ratio_min + r->ratio_max) / 2;
	double da, db;

	if (!isnan(a->memory_gb) && !isnan(b->memory_gb) && a->memory_gb != b->memory_gb)
		return a->memory_gb < b->memory_gb;
	if (isnan(a->memory_gb) != isnan(b->memory_gb))
		return !isnan(a->memory_gb);
	da = fabs(fig->rate / declared_rate(r, a) - mid);
	db = fabs(fig->rate / declared_rate(r, b) - mid);
	return da < db;
}

static void find_likes(const struct accdb *db, const struct fingerprint_rules *r, const struct accel_model *declared,
		       const struct measured_figures *fig, struct fingerprint_result *out)
{
	for (size_t i = 0; i < db->model_count; i++) {
		const struct accel_model *m = &db->models[i];
		size_t at;
		if (declared && strcmp(m->vendor, declared->vendor) != 0)
			continue;
		if (!fingerprint_fits(r, m, fig))
			continue;
		/* Insertion into the sorted list, keeping the best FP_LIKE_MAX. */
		for (at = out->like_count; at > 0 && better(r, fig, m, out->like[at - 1]); at--)
			;
		if (at >= FP_LIKE_MAX)
			continue;
		if (out->like_count < FP_LIKE_MAX)
			out->like_count++;
		memmove(&out->like[at + 1], &out->like[at], (out->like_count - 1 - at) * sizeof(out->like[0]));
		out->like[at] = m;
	}
}

void fingerprint_judge(const struct accdb *db, const struct fingerprint_rules *r,
		       const struct accel_model *declared, const struct measured_figures *fig,
		       struct fingerprint_result *out)
{
	double rate;

	memset(out, 0, sizeof(*out));
	out->ratio = NAN;
	out->verdict = FP_NOT_JUDGED;
	if (isnan(fig->rate) || isnan(fig->sm_count)) {
		snprintf(out->reason, sizeof(out->reason), "%s throughput or the SM count was not measured",
			 precision_names[r->precision]);
		return;
	}
	find_likes(db, r, declared, fig, out);
	if (declared == NULL) {
		snprintf(out->reason, sizeof(out->reason), "the model is not in the accelerator database");
		return;
	}
	rate = declared_rate(r, declared);
	if (isnan(declared->compute_units) || isnan(rate) || !(rate > 0)) {
		snprintf(out->reason, sizeof(out->reason), "the database has no %s%s%s for %s",
			 isnan(declared->compute_units) ? "SM count" : "",
			 isnan(declared->compute_units) && isnan(rate) ? " and no " : "",
			 isnan(rate) ? "declared rate" : "", declared->name);
		if (!isnan(declared->compute_units) && declared->compute_units != fig->sm_count) {
			out->sm_mismatch = true;
			out->verdict = FP_MISMATCH;
		}
		return;
	}
	out->ratio = fig->rate / rate;
	out->sm_mismatch = declared->compute_units != fig->sm_count;
	out->faster = out->ratio > r->ratio_max;
	out->memory_mismatch = !memory_fits(r, declared, fig->allocatable_bytes);
	if (out->sm_mismatch || out->faster || out->memory_mismatch)
		out->verdict = FP_MISMATCH;
	else if (!rate_fits(r, out->ratio, fig->approximate))
		out->verdict = FP_SLOWER;
	else
		out->verdict = FP_CONSISTENT;
}
