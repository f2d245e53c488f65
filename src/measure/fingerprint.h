/* Identity fingerprint: do a GPU's measured figures fit the model its PCI
 * ID declares, and which models do they fit? Pure functions of facts and
 * data (data/fingerprint.json, data/accelerators.json); no device access. */
#ifndef CHIPAUDIT_MEASURE_FINGERPRINT_H
#define CHIPAUDIT_MEASURE_FINGERPRINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/accdb.h"

struct fingerprint_rules {
	enum precision precision;   /* the precision compared (bf16) */
	double ratio_min, ratio_max;/* measured / declared, consistent band */
	double below_spec_ratio;    /* below: killswitch.performance_below_spec */
	double memory_max_ratio;    /* allocatable <= memory_gb GiB x this */
};

/* Load data/fingerprint.json (or --data-dir's). err names the file and problem. */
int fingerprint_rules_load(struct fingerprint_rules *r, char *err, size_t errlen);
/* Validate a parsed document into rules (tests and the fuzzer). */
int fingerprint_rules_from_json(const json_t *doc, struct fingerprint_rules *r, char *err, size_t errlen);

/* What the measured figures (facts.accelerators[i].measured) say. */
struct measured_figures {
	double rate;             /* TFLOPS at rules.precision; NAN when not measured */
	bool approximate;        /* rate is a lower bound (PTX fallback) */
	double sm_count;         /* NAN when unknown */
	double allocatable_bytes;/* NAN when unknown */
};
void measured_figures_read(const json_t *measured, const struct fingerprint_rules *r, struct measured_figures *out);

enum fingerprint_verdict {
	FP_NOT_JUDGED,      /* something needed is unknown: reason says what */
	FP_CONSISTENT,      /* SM count, rate band and memory fit the declared model */
	FP_SLOWER,          /* SM count and memory fit, the rate is below the band */
	FP_MISMATCH,        /* SM count, rate above the band, or memory contradict the model */
};

#define FP_LIKE_MAX 8

struct fingerprint_result {
	enum fingerprint_verdict verdict;
	double ratio;                         /* measured / declared rate; NAN when unknown */
	bool sm_mismatch, faster, memory_mismatch;
	const struct accel_model *like[FP_LIKE_MAX];  /* models the figures fit, best first */
	size_t like_count;
	char reason[256];                     /* for FP_NOT_JUDGED */
};

/* Does FIG fit model M? (SM count exact, rate within the band (only the
 * upper bound for an approximate rate), allocatable within its memory.) */
bool fingerprint_fits(const struct fingerprint_rules *r, const struct accel_model *m,
		      const struct measured_figures *fig);

/* Judge FIG against DECLARED (may be NULL: unknown model) and list the
 * models of the database it fits (same vendor as DECLARED when known). */
void fingerprint_judge(const struct accdb *db, const struct fingerprint_rules *r,
		       const struct accel_model *declared, const struct measured_figures *fig,
		       struct fingerprint_result *out);

#endif
