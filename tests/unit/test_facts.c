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
#include "core/facts.h"
#include "core/json.h"
#include "core/report.h"

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
	assert_int_equal(json_array_size(accs), 3);
	assert_string_equal(jstr(json_array_get(accs, 0), "model"), "H100 SXM");
	assert_string_equal(jstr(json_array_get(accs, 1), "class"), "1200");
	assert_string_equal(jstr(json_array_get(accs, 2), "vendor"), "Huawei");
	assert_string_equal(jstr(json_array_get(accs, 2), "driver"), "devdrv_device_driver");
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
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_check_ids_unique),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
