#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static void test_parse_errors(void **state)
{
	char err[256];
	(void)state;
	assert_null(json_parse_strict("{\"a\":", 5, "x.json", err, sizeof(err)));
	assert_true(strncmp(err, "x.json:1:", 9) == 0);
	assert_null(json_parse_strict("", 0, "e.json", err, sizeof(err)));
	assert_string_equal(err, "e.json: empty file, expected a JSON document");
	assert_null(json_parse_strict("{\"a\":1,\"a\":1}", 13, "d.json", err, sizeof(err)));
	assert_non_null(strstr(err, "duplicate"));
	assert_null(json_parse_strict("\"\xff\"", 3, "u.json", err, sizeof(err)));
}

static void test_validators(void **state)
{
	char err[256];
	json_t *o = json_pack("{s:s, s:i, s:n, s:s, s:[s,i]}", "hex", "10de", "n", 5, "null", "bad", "10DE", "arr", "a", 1);
	(void)state;
	assert_int_equal(jv_hex(o, "hex", JV_REQUIRED, 4, "x", err, sizeof(err)), 0);
	assert_int_equal(jv_hex(o, "bad", JV_REQUIRED, 4, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x.bad: expected 4 lowercase hex digits");
	assert_int_equal(jv_integer(o, "n", JV_REQUIRED, 0, 4, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x.n: 5 out of range [0, 4]");
	assert_int_equal(jv_string(o, "null", JV_REQUIRED, 10, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x.null: null where a value is required");
	assert_int_equal(jv_string(o, "null", JV_REQUIRED | JV_NULLABLE, 10, "x", err, sizeof(err)), 0);
	assert_int_equal(jv_string(o, "absent", JV_REQUIRED, 10, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x.absent: missing");
	assert_int_equal(jv_string(o, "absent", 0, 10, "x", err, sizeof(err)), 0);
	assert_int_equal(jv_string_array(o, "arr", JV_REQUIRED, 10, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x.arr[1]: expected a string");
	json_decref(o);
}

static void test_lossy_strings(void **state)
{
	json_t *o = json_object();
	(void)state;
	jset_str(o, "name", "caf\xe9");
	assert_string_equal(jstr(o, "name"), "caf?");
	jset_str(o, "none", NULL);
	assert_true(json_is_null(json_object_get(o, "none")));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_validators),
		cmocka_unit_test(test_lossy_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
