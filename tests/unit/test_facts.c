/* facts_gather on the fixture trees, and the check/report core. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "core/check.h"
#include "probe/facts.h"
#include "core/json.h"
#include "report/report.h"
#include "core/util.h"

static struct accdb db;

static int setup(void **state)
{
	char err[512];
	(void)state;
	return accdb_load(&db, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	accdb_free(&db);
	return 0;
}

static json_t *gather(const char *fixture)
{
	struct sysroot sr;
	char err[512], root[512];
	json_t *facts;

	snprintf(root, sizeof(root), "%s/%s/root", FIXTURES, fixture);
	assert_int_equal(sysroot_open(&sr, root, err, sizeof(err)), 0);
	facts = facts_gather(&sr, &db, NULL, err, sizeof(err));
	sysroot_close(&sr);
	assert_non_null(facts);
	assert_int_equal(facts_validate(facts, fixture, err, sizeof(err)), 0);
	return facts;
}

static void test_mixed(void **state)
{
	json_t *facts = gather("mixed"), *accs = jarr(facts, "accelerators");
	(void)state;
	assert_int_equal(json_array_size(accs), 4);
	assert_string_equal(jstr(json_array_get(accs, 0), "model"), "H100 SXM");
	assert_string_equal(jstr(json_array_get(accs, 1), "class"), "1200");
	assert_string_equal(jstr(json_array_get(accs, 2), "vendor"), "Huawei");
	assert_string_equal(jstr(json_array_get(accs, 2), "driver"), "devdrv_device_driver");
	assert_string_equal(jstr(json_array_get(accs, 3), "model"), "Gaudi2");
	assert_string_equal(jstr(json_array_get(accs, 3), "driver"), "habanalabs");
	json_decref(facts);
}

static void test_judge_counts(void **state)
{
	json_t *facts = gather("h20x8"), *report;
	struct judge_options opts = { 0 };
	struct judge_ctx ctx = { .facts = facts, .accdb = &db, .options = &opts };
	struct findings f = { 0 };
	size_t identity = 0;
	(void)state;
	judge_run(&ctx, &f);
	for (size_t i = 0; i < f.count; i++)
		if (strcmp(f.items[i].check->id, "identity.database") == 0) {
			identity++;
			assert_int_equal(f.items[i].status, STATUS_PASS);
		}
	assert_int_equal(identity, 8);
	report = report_build(facts, &f);
	assert_int_equal(report_exit_code(report), exit_code_for(findings_worst(&f)));
	json_decref(report);
	findings_free(&f);
	json_decref(facts);
}

/* Consecutive findings of one check that say the same thing of several
 * subjects are one report finding; anything different starts another. */
static void test_report_groups(void **state)
{
	static const struct check a = { .id = "test.a", .category = "host", .severity = SEVERITY_LOW };
	static const struct check b = { .id = "test.b", .category = "host", .severity = SEVERITY_LOW };
	const char *want[][3] = {
		{ "test.a", "pass", "0000:01:00.0 0000:02:00.0" }, /* same evidence, message, remediation */
		{ "test.a", "pass", "0000:03:00.0" },              /* other evidence */
		{ "test.a", "pass", "0000:04:00.0" },              /* as the first, but not next to it */
		{ "test.a", "pass", "0000:05:00.0" },              /* a remediation the one before lacks */
		{ "test.a", "warn", "0000:06:00.0" },              /* another status */
		{ "test.b", "warn", "0000:07:00.0" },              /* another check, same words */
	};
	json_t *facts = json_pack("{s:{s:s}, s:[]}", "host", "time", "2026-11-29T00:00:00Z", "accelerators");
	struct findings f = { 0 };
	json_t *report, *list, *x;
	size_t i, j;
	(void)state;
	finding_add(&f, &a, STATUS_PASS, "0000:01:00.0", json_pack("{s:i}", "x", 1), NULL, "m");
	finding_add(&f, &a, STATUS_PASS, "0000:02:00.0", json_pack("{s:i}", "x", 1), NULL, "m");
	finding_add(&f, &a, STATUS_PASS, "0000:03:00.0", json_pack("{s:i}", "x", 2), NULL, "m");
	finding_add(&f, &a, STATUS_PASS, "0000:04:00.0", json_pack("{s:i}", "x", 1), NULL, "m");
	finding_add(&f, &a, STATUS_PASS, "0000:05:00.0", json_pack("{s:i}", "x", 1), "r", "m");
	finding_add(&f, &a, STATUS_WARN, "0000:06:00.0", json_pack("{s:i}", "x", 1), "r", "m");
	finding_add(&f, &b, STATUS_WARN, "0000:07:00.0", json_pack("{s:i}", "x", 1), "r", "m");
	report = report_build(facts, &f);
	list = jarr(report, "findings");
	assert_int_equal(json_array_size(list), ARRAY_SIZE(want));
	json_array_foreach(list, i, x) {
		char subjects[128] = "";
		json_t *s;
		assert_string_equal(jstr(x, "check"), want[i][0]);
		assert_string_equal(jstr(x, "status"), want[i][1]);
		assert_null(json_object_get(x, "subject"));
		json_array_foreach(jarr(x, "subjects"), j, s)
			snprintf(subjects + strlen(subjects), sizeof(subjects) - strlen(subjects), "%s%s", j ? " " : "",
				 json_string_value(s));
		assert_string_equal(subjects, want[i][2]);
	}
	/* the summary counts results, a finding of two subjects twice */
	assert_true(json_integer_value(json_object_get(jobj(report, "summary"), "pass")) == 5);
	assert_true(json_integer_value(json_object_get(jobj(report, "summary"), "warn")) == 2);
	assert_true(json_integer_value(json_object_get(report, "schema_version")) == REPORT_SCHEMA_VERSION);
	json_decref(report);
	findings_free(&f);
	json_decref(facts);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(exit_code_for(STATUS_PASS), 0);
	assert_int_equal(exit_code_for(STATUS_SKIP), 0);
	assert_int_equal(exit_code_for(STATUS_WARN), 1);
	assert_int_equal(exit_code_for(STATUS_ERROR), 2);
	assert_int_equal(exit_code_for(STATUS_FAIL), 2);
}

static void test_check_ids_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < check_family_count; i++)
		for (size_t j = 0; j < check_families[i]->count; j++) {
			const struct check *c = &check_families[i]->checks[j];
			assert_ptr_equal(check_find(c->id), c);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_judge_counts),
		cmocka_unit_test(test_report_groups),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_check_ids_unique),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
