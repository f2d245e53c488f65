/* Chip specs: the figures a classification needs, from a --spec document,
 * from the accelerator database, or from measured throughput. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "export/export.h"

/* Plausibility bounds: a figure past them is a typo or a hostile file, not a
 * chip (the largest wafer-scale part is ~46,000 mm^2; no accelerator is
 * near 1e6 dense TFLOPS). */
#define MAX_TOPS 1e6
#define MAX_DIE_AREA 1e5
#define MAX_BANDWIDTH 1e7
#define MAX_HBM_DENSITY 1e3

void chip_spec_init(struct chip_spec *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	for (int p = 0; p < PREC_COUNT; p++)
		s->dense_tops[p] = NAN;
	s->die_area_mm2 = s->memory_bandwidth_gbs = s->interconnect_bandwidth_gbs = NAN;
	s->hbm_bandwidth_density = NAN;
	s->datacenter = -1;
}

/* Number member KEY in [min, max] (or null/absent: unknown). With
 * positive, 0 itself is refused. */
static int spec_number(const json_t *doc, const char *key, double max, bool positive, const char *where,
		       double *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(doc, key);

	*out = NAN;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v)) {
		snprintf(err, errlen, "%s.%s: expected a number", where, key);
		return -1;
	}
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < 0) {
		snprintf(err, errlen, "%s.%s: %g is negative", where, key, *out);
		return -1;
	}
	if (positive && *out == 0) {
		snprintf(err, errlen, "%s.%s: must be greater than 0", where, key);
		return -1;
	}
	if (*out > max) {
		snprintf(err, errlen, "%s.%s: %g is not plausible (more than %g)", where, key, *out, max);
		return -1;
	}
	return 0;
}

/* dense_tops: an object keyed by precision; returns the number of known figures. */
static int spec_tops(struct chip_spec *s, const json_t *tops, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	int known = 0;

	if (!json_is_object(tops)) {
		snprintf(err, errlen, "%s.dense_tops: expected an object keyed by precision", where);
		return -1;
	}
	json_object_foreach((json_t *)tops, key, v) {
		int p = precision_from_name(key);
		char sub[64];
		(void)v;
		if (p < 0) {
			snprintf(err, errlen, "%s.dense_tops.%.32s: unknown precision (expected fp64, fp32, tf32, bf16, fp16, fp8, int8, int4 or fp4)",
				 where, key);
			return -1;
		}
		snprintf(sub, sizeof(sub), "%s.dense_tops", where);
		if (spec_number(tops, key, MAX_TOPS, false, sub, &s->dense_tops[p], err, errlen))
			return -1;
		known += !isnan(s->dense_tops[p]);
	}
	return known;
}

static int spec_name(struct chip_spec *s, const json_t *doc, char *err, size_t errlen)
{
	const char *name;

	if (jv_string(doc, "name", JV_REQUIRED, CHIP_NAME_MAX, "spec", err, errlen))
		return -1;
	name = jstr(doc, "name");
	if (name[0] == '\0' || !str_is_printable(name)) {
		snprintf(err, errlen, "spec.name: expected a printable, non-empty name");
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	return 0;
}

int chip_spec_from_json(struct chip_spec *s, const json_t *doc, char *err, size_t errlen)
{
	static const char *const known[] = {
		"name", "dense_tops", "die_area_mm2", "datacenter", "memory_bandwidth_gbs",
		"interconnect_bandwidth_gbs", "hbm_bandwidth_density",
	};
	const char *key;
	json_t *v;
	int tops = 0;

	chip_spec_init(s, NULL);
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "spec: expected a JSON object");
		return -1;
	}
	/* A misspelt member would silently be "unknown": refuse it instead. */
	json_object_foreach((json_t *)doc, key, v) {
		bool ok = false;
		(void)v;
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok) {
			snprintf(err, errlen, "spec.%.64s: unknown member (expected name, dense_tops, die_area_mm2, datacenter, memory_bandwidth_gbs, interconnect_bandwidth_gbs, hbm_bandwidth_density)",
				 key);
			return -1;
		}
	}
	if (spec_name(s, doc, err, errlen) ||
	    jv_boolean(doc, "datacenter", JV_NULLABLE, "spec", err, errlen) ||
	    spec_number(doc, "die_area_mm2", MAX_DIE_AREA, true, "spec", &s->die_area_mm2, err, errlen) ||
	    spec_number(doc, "memory_bandwidth_gbs", MAX_BANDWIDTH, false, "spec", &s->memory_bandwidth_gbs, err, errlen) ||
	    spec_number(doc, "interconnect_bandwidth_gbs", MAX_BANDWIDTH, false, "spec", &s->interconnect_bandwidth_gbs, err, errlen) ||
	    spec_number(doc, "hbm_bandwidth_density", MAX_HBM_DENSITY, false, "spec", &s->hbm_bandwidth_density, err, errlen))
		return -1;
	if (json_is_boolean(json_object_get(doc, "datacenter")))
		s->datacenter = json_is_true(json_object_get(doc, "datacenter"));
	if (json_object_get(doc, "dense_tops") && !json_is_null(json_object_get(doc, "dense_tops")) &&
	    (tops = spec_tops(s, json_object_get(doc, "dense_tops"), "spec", err, errlen)) < 0)
		return -1;
	if (tops == 0 && isnan(s->hbm_bandwidth_density)) {
		snprintf(err, errlen, "spec: nothing to classify: give dense_tops (a logic chip) or hbm_bandwidth_density (a memory part)");
		return -1;
	}
	return 0;
}

void chip_spec_from_model(struct chip_spec *s, const struct accel_model *m)
{
	chip_spec_init(s, m->name);
	s->other_names = (const char *const *)m->other_names;
	for (int p = 0; p < PREC_COUNT; p++)
		s->dense_tops[p] = m->dense_tops[p];
	s->die_area_mm2 = m->die_area_mm2 > 0 ? m->die_area_mm2 : NAN;
	s->memory_bandwidth_gbs = m->memory_bandwidth_gbs;
	s->interconnect_bandwidth_gbs = m->interconnect_bandwidth_gbs;
	s->datacenter = m->datacenter;
}

int measured_validate(const json_t *measured, char *err, size_t errlen)
{
	const json_t *tops;
	struct chip_spec tmp;
	int known;

	if (measured == NULL || json_is_null(measured))
		return 0;
	if (!json_is_object(measured)) {
		snprintf(err, errlen, "measured: expected an object");
		return -1;
	}
	tops = json_object_get(measured, "dense_tops");
	if (tops == NULL || json_is_null(tops))
		return 0;
	chip_spec_init(&tmp, NULL);
	known = spec_tops(&tmp, tops, "measured", err, errlen);
	if (known < 0)
		return -1;
	return known > 0;
}

void chip_spec_apply_measured(struct chip_spec *s, const json_t *measured)
{
	const json_t *tops = json_object_get(measured, "dense_tops");

	for (int p = 0; p < PREC_COUNT; p++) {
		double d;
		s->dense_tops[p] = jnum(tops, precision_names[p], &d) ? d : NAN;
	}
}
