/* The identity fingerprint and its tolerance rules (src/measure/fingerprint.c,
 * data/fingerprint.json), on recorded and modelled figures: no GPU needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "measure/fingerprint.h"

#define GIB 1073741824.0

static struct accdb db;
static struct fingerprint_rules rules;

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (accdb_load(&db, err, sizeof(err)) != 0 || fingerprint_rules_load(&rules, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	accdb_free(&db);
	return 0;
}

static const struct accel_model *model(const char *name)
{
	const struct accel_model *m = accdb_by_name(&db, name);
	assert_non_null(m);
	return m;
}

static struct fingerprint_result judge(const char *declared, double sm, double bf16, double alloc_gib, bool approx)
{
	struct measured_figures fig = { .rate = bf16, .approximate = approx, .sm_count = sm,
					.allocatable_bytes = isnan(alloc_gib) ? NAN : alloc_gib * GIB };
	struct fingerprint_result res;

	fingerprint_judge(&db, &rules, declared ? model(declared) : NULL, &fig, &res);
	return res;
}

static void test_rules_from_data(void **state)
{
	(void)state;
	assert_int_equal(rules.precision, PREC_BF16);
	assert_true(rules.ratio_min == 0.70 && rules.ratio_max == 1.05);
	assert_true(rules.below_spec_ratio == 0.70);
	assert_true(rules.memory_max_ratio == 1.02);
}

static void test_h200_is_h200(void **state)
{
	struct fingerprint_result r = judge("H200 SXM", 132, 785.4, 139.5, false);
	(void)state;
	assert_int_equal(r.verdict, FP_CONSISTENT);
	assert_true(fabs(r.ratio - 785.4 / 989.5) < 1e-9);
	/* 139.5 GiB allocatable rules out every 80 GB part: H200 first. */
	assert_true(r.like_count >= 1);
	assert_string_equal(r.like[0]->name, "H200 SXM");
	for (size_t i = 0; i < r.like_count; i++)
		assert_string_not_equal(r.like[i]->name, "H100 SXM");
}

static void test_h200_presented_as_h100(void **state)
{
	struct fingerprint_result r = judge("H100 SXM", 132, 785.4, 139.5, false);
	(void)state;
	assert_int_equal(r.verdict, FP_MISMATCH);
	assert_true(r.memory_mismatch);
	assert_false(r.sm_mismatch);
	assert_string_equal(r.like[0]->name, "H200 SXM");
}

static void test_h100_presented_as_h20(void **state)
{
	struct fingerprint_result r = judge("H20", 132, 790.3, 79, false);
	(void)state;
	assert_int_equal(r.verdict, FP_MISMATCH);
	assert_true(r.sm_mismatch);
	assert_true(r.faster);
	assert_string_equal(r.like[0]->name, "H100 SXM");
}

static void test_h20_healthy_throttled_unlocked(void **state)
{
	struct fingerprint_result r;
	(void)state;

	r = judge("H20", 78, 142, 94, false);
	assert_int_equal(r.verdict, FP_CONSISTENT);
	assert_string_equal(r.like[0]->name, "H20");

	r = judge("H20", 78, 61.3, 94, false);
	assert_int_equal(r.verdict, FP_SLOWER);
	assert_false(r.sm_mismatch);

	r = judge("H20", 78, 415, 94, false);
	assert_int_equal(r.verdict, FP_MISMATCH);
	assert_true(r.faster);
	assert_false(r.sm_mismatch);
	assert_int_equal(r.like_count, 0);
}

static void test_band_edges(void **state)
{
	(void)state;
	/* The band is closed at both ends. */
	assert_int_equal(judge("H20", 78, 148 * 0.70, 94, false).verdict, FP_CONSISTENT);
	assert_int_equal(judge("H20", 78, 148 * 0.699, 94, false).verdict, FP_SLOWER);
	assert_int_equal(judge("H20", 78, 148 * 1.05, 94, false).verdict, FP_CONSISTENT);
	assert_int_equal(judge("H20", 78, 148 * 1.051, 94, false).verdict, FP_MISMATCH);
	/* Memory: up to 2% above the model's figure in GiB. */
	assert_int_equal(judge("H20", 78, 142, 96 * 1.02, false).verdict, FP_CONSISTENT);
	assert_int_equal(judge("H20", 78, 142, 96 * 1.021, false).verdict, FP_MISMATCH);
}

static void test_approximate_is_a_lower_bound(void **state)
{
	(void)state;
	/* 0.53 of the declared rate from the PTX fallback: not slow, just a
	 * lower bound; above the band it still proves too fast. */
	assert_int_equal(judge("H200 SXM", 132, 521.7, 139, true).verdict, FP_CONSISTENT);
	assert_int_equal(judge("H20", 78, 200, 94, true).verdict, FP_MISMATCH);
}

static void test_not_judged(void **state)
{
	struct fingerprint_result r;
	(void)state;

	r = judge(NULL, 132, 790, 79, false);
	assert_int_equal(r.verdict, FP_NOT_JUDGED);
	assert_string_equal(r.reason, "the model is not in the accelerator database");
	assert_string_equal(r.like[0]->name, "H100 SXM");

	r = judge("H200 SXM", 132, NAN, 139, false);
	assert_int_equal(r.verdict, FP_NOT_JUDGED);
	assert_string_equal(r.reason, "bf16 throughput or the SM count was not measured");

	/* H800 SXM: declared rate known, SM count not in the database. */
	r = judge("H800 SXM", 132, 790, 79, false);
	assert_int_equal(r.verdict, FP_NOT_JUDGED);
	assert_string_equal(r.reason, "the database has no SM count for H800 SXM");
	/* H200 NVL: neither. */
	r = judge("H200 NVL", 132, 790, 139, false);
	assert_string_equal(r.reason, "the database has no SM count and no declared rate for H200 NVL");
}

static void test_rules_rejected(void **state)
{
	static const struct {
		const char *patch, *error;
	} cases[] = {
		{ "{\"schema\": \"chipaudit-fingerprint/2\"}", "fingerprint.schema: \"chipaudit-fingerprint/2\" is not supported" },
		{ "{\"precision\": \"bf12\"}", "fingerprint.precision: \"bf12\" is not a precision" },
		{ "{\"ratio\": {\"min\": 1.1, \"max\": 1.05, \"basis\": [], \"rationale\": \"\"}}", "fingerprint.ratio: min must be below max" },
		{ "{\"ratio\": {\"min\": 0.7, \"max\": \"1\", \"basis\": [], \"rationale\": \"\"}}", "fingerprint.ratio.max: expected a number" },
		{ "{\"ratio\": {\"min\": 0, \"max\": 1, \"basis\": [], \"rationale\": \"\"}}", "fingerprint.ratio.min: 0 out of range" },
		{ "{\"below_spec_ratio\": null}", "fingerprint.below_spec_ratio: null where a value is required" },
		{ "{\"sm_count\": \"within 10%\"}", "fingerprint.sm_count: only \"exact\" is supported" },
		{ "{\"memory_max_ratio\": 100}", "fingerprint.memory_max_ratio: 100 out of range" },
		{ "{\"sources\": []}", "fingerprint.sources: expected an object" },
	};
	char err[512];
	json_t *base = json_load_file(SRCDATA "/fingerprint.json", 0, NULL);
	struct fingerprint_rules r;
	(void)state;

	assert_non_null(base);
	assert_int_equal(fingerprint_rules_from_json(base, &r, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_deep_copy(base), *patch = json_loads(cases[i].patch, 0, NULL);
		assert_non_null(patch);
		json_object_update(doc, patch);
		if (fingerprint_rules_from_json(doc, &r, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted", i);
		if (strstr(err, cases[i].error) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].error);
		json_decref(patch);
		json_decref(doc);
	}
	assert_int_equal(fingerprint_rules_from_json(json_array_get(json_object_get(base, "sources"), 0), &r, err,
						     sizeof(err)), -1);
	json_decref(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_from_data),
		cmocka_unit_test(test_h200_is_h200),
		cmocka_unit_test(test_h200_presented_as_h100),
		cmocka_unit_test(test_h100_presented_as_h20),
		cmocka_unit_test(test_h20_healthy_throttled_unlocked),
		cmocka_unit_test(test_band_edges),
		cmocka_unit_test(test_approximate_is_a_lower_bound),
		cmocka_unit_test(test_not_judged),
		cmocka_unit_test(test_rules_rejected),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
