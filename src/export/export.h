/* US export-control classification of accelerators (ECCN 3A090).
 *
 * Pure functions: a chip's figures (a spec) and the rules in force on a date
 * (data/export-rules.json, data/country-groups.json) go in; a JSON
 * classification comes out (TPP, performance density, the paragraph matched,
 * the working for every threshold, the licence requirement for a
 * destination, notes). Used by `chipaudit classify`, by the export checks,
 * and by anything that measures throughput and wants it classified.
 * docs/export.md describes the data and the output. */
#ifndef CHIPAUDIT_EXPORT_H
#define CHIPAUDIT_EXPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/accdb.h"

#define EXPORT_RULES_FILE "data/export-rules.json"
#define COUNTRY_GROUPS_FILE "data/country-groups.json"
#define CHIP_NAME_MAX 128

/* Three-valued answers: a figure that is unknown makes a test unknown. */
enum tri { TRI_NO = 0, TRI_YES = 1, TRI_UNKNOWN = 2 };

/* Both data files, validated (see export_rules_validate). */
struct export_data {
	json_t *rules;
	json_t *groups;
};

int export_data_load(struct export_data *d, char *err, size_t errlen);
/* Validate and take both documents (stolen, also on error). */
int export_data_from_json(struct export_data *d, json_t *rules, json_t *groups, char *err, size_t errlen);
void export_data_free(struct export_data *d);

/* The validators, each err = "WHERE: problem" (without the file name). */
int country_groups_validate(const json_t *groups, char *err, size_t errlen);
int export_rules_validate(const json_t *rules, const json_t *groups, char *err, size_t errlen);

/* A chip to classify. Unknown figures are NAN, unknown datacenter -1. */
struct chip_spec {
	char name[CHIP_NAME_MAX + 1];
	const char *const *other_names; /* NULL-terminated, borrowed; may be NULL */
	double dense_tops[PREC_COUNT];   /* dense TFLOPS / TOPS */
	double die_area_mm2;
	double memory_bandwidth_gbs;
	double interconnect_bandwidth_gbs; /* aggregate, bidirectional */
	double hbm_bandwidth_density;      /* GB/s per mm^2, memory parts */
	int datacenter;
};

void chip_spec_init(struct chip_spec *s, const char *name);
/* Parse a --spec document (see docs/export.md); err names the member. */
int chip_spec_from_json(struct chip_spec *s, const json_t *doc, char *err, size_t errlen);
/* The declared figures of a database model. */
void chip_spec_from_model(struct chip_spec *s, const struct accel_model *m);
/* Validate facts.accelerators[i].measured (null or absent: nothing measured).
 * Returns 1 when there is a measurement, 0 when there is none, -1 on a
 * malformed value with err = "measured...: problem". */
int measured_validate(const json_t *measured, char *err, size_t errlen);
/* Replace S's throughput by the measured dense_tops (validated). */
void chip_spec_apply_measured(struct chip_spec *s, const json_t *measured);

/* "YYYY-MM-DD", a real calendar date. */
bool export_date_valid(const char *s);
/* Today (UTC; SOURCE_DATE_EPOCH when set) as YYYY-MM-DD. */
void export_today(char out[11]);

/* Is CC ("cn", "CN") a destination the data knows? On success writes the
 * upper-case code to out; else err says why. */
int export_destination_parse(const struct export_data *d, const char *cc, char out[3], char *err, size_t errlen);

/* TPP: max over precisions of dense TOPS x bit length; NAN when no figure.
 * *precision gets the index that gives it (-1 when NAN). */
double export_tpp(const struct export_data *d, const double tops[PREC_COUNT], int *precision);

/* Classify S under the rules in force on DATE ("YYYY-MM-DD", valid), for
 * DESTINATION (upper-case code from export_destination_parse, or NULL).
 * Returns a new JSON object; "eccn" is null when the figures cannot decide. */
json_t *export_classify(const struct export_data *d, const struct chip_spec *s, const char *date,
			const char *destination);

/* Strictness of an ECCN answer: "none" 0, "3A090.b" 1, "3A090.a" 2; -1 for
 * anything else (undecided, memory). */
int export_class_rank(const char *eccn);

#endif
