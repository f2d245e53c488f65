/* parse/workload.c: workload files; justify/fit.c: the counts they give. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "core/error.h"
#include "justify/fit.h"
#include "parse/workload.h"

#define W70 "{\"schema\": \"chipaudit-workload/1\", \"name\": \"w\", \"kind\": \"inference\", \"parameters\": 70e9, " \
	    "\"precision\": \"bf16\", \"layers\": 80, \"hidden_size\": 8192, \"kv_heads\": 8, \"head_dim\": 128, " \
	    "\"context_tokens\": 4096, \"batch\": 8, \"target_tokens_per_s\": 1000, \"max_units\": 8"

static int parse(const char *text, struct workload *w, char *err, size_t errlen)
{
	return workload_parse(text, strlen(text), "w.json", w, err, errlen);
}

static void test_valid(void **state)
{
	struct workload w;
	char err[256];
	(void)state;

	assert_int_equal(parse(W70 "}", &w, err, sizeof(err)), 0);
	assert_int_equal(w.kind, WORKLOAD_INFERENCE);
	assert_int_equal(w.precision, PREC_BF16);
	assert_true(w.parameters == 70e9);
	assert_true(w.batch == 8 && w.context_tokens == 4096 && w.max_units == 8);
	assert_true(w.memory_reserve == 0);
	assert_true(fit_kv_bytes_per_token(&w) == 327680);

	/* optional members absent: NAN, not zero */
	assert_int_equal(parse("{\"schema\": \"chipaudit-workload/1\", \"name\": \"t\", \"kind\": \"training\", "
			       "\"parameters\": 1e9, \"precision\": \"fp8\", \"context_tokens\": 2048, \"batch\": 1}",
			       &w, err, sizeof(err)), 0);
	assert_int_equal(w.kind, WORKLOAD_TRAINING);
	assert_true(isnan(w.target_tokens_per_s) && isnan(w.max_units) && isnan(w.layers));
	assert_true(isnan(fit_kv_bytes_per_token(&w)));
}

static void expect_error(const char *text, const char *want)
{
	struct workload w;
	char err[256] = "";

	assert_int_equal(parse(text, &w, err, sizeof(err)), CA_ERR_DATA);
	if (strstr(err, want) == NULL || strncmp(err, "w.json", 6) != 0 || strchr(err, '\n') != NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("", "empty file");
	expect_error("[]", "expected a JSON object");
	expect_error(W70, "w.json:1:");
	expect_error(W70 ", \"parameters\": 1}", "duplicate");
	expect_error(W70 ", \"extra\": 1}", "extra");
	expect_error(W70 ", \"a\\nb\": 1}", "a?b");   /* a member's newline does not break the line */
	expect_error("{\"schema\": \"chipaudit-workload/2\"}", "schema");
	expect_error(W70 ", \"memory_reserve_percent\": 95}", "memory_reserve_percent: 95 out of range");
	expect_error(W70 ", \"memory_reserve_percent\": -1}", "out of range");
	expect_error("{\"schema\": \"chipaudit-workload/1\", \"name\": \"\", \"kind\": \"inference\", \"parameters\": 1e9, "
		     "\"precision\": \"bf16\", \"context_tokens\": 1, \"batch\": 1}", "name: empty");
	expect_error("{\"schema\": \"chipaudit-workload/1\", \"name\": \"x\", \"kind\": \"inference\", \"parameters\": -1e9, "
		     "\"precision\": \"bf16\", \"context_tokens\": 1, \"batch\": 1}", "parameters: -1e+09 out of range");
	expect_error("{\"schema\": \"chipaudit-workload/1\", \"name\": \"x\", \"kind\": \"inference\", \"parameters\": 1e9, "
		     "\"precision\": \"bf16\", \"context_tokens\": 1.5, \"batch\": 1}", "context_tokens: 1.5 is not a whole number");
	expect_error("{\"schema\": \"chipaudit-workload/1\", \"name\": \"x\", \"kind\": \"inference\", \"parameters\": 1e9, "
		     "\"precision\": \"bf16\", \"context_tokens\": 1, \"batch\": 1e300}", "batch");
	{
		char buf[WORKLOAD_MAX_BYTES + 2];
		struct workload w;
		char err[256];
		memset(buf, ' ', sizeof(buf));
		assert_int_equal(workload_parse(buf, sizeof(buf), "w.json", &w, err, sizeof(err)), CA_ERR_DATA);
		assert_non_null(strstr(err, "more than"));
	}
}

/* The H20 of data/accelerators.json: 96 GB, 4000 GB/s, NVLink 900 GB/s,
 * BF16 148, 400 W (tests/cli/justify.sh works the same case by hand). */
static void test_fit_h20(void **state)
{
	struct fit_unit h20 = { 96, 4000, 900, 148, 400 };
	struct workload w;
	struct fit_result r;
	char err[256];
	(void)state;

	assert_int_equal(parse(W70 "}", &w, err, sizeof(err)), 0);
	fit_workload(&w, &h20, &r);
	assert_true(r.weights_bytes == 140e9);
	assert_true(r.kv_bytes == 10737418240.0);
	assert_true(r.counts[FIT_MEMORY].units == 2);
	assert_true(r.counts[FIT_BANDWIDTH].units == 5);
	assert_true(r.counts[FIT_COMPUTE].units == 1);
	assert_true(r.counts[FIT_INTERCONNECT].units == 1);
	assert_true(r.units == 6);      /* 5, in whole copies of 2 */
	assert_int_equal(r.limit, FIT_BANDWIDTH);
	assert_true(r.power_w == 2400);

	/* a memory reserve of 50%: 48 GB usable, 4 units a copy, 8 in all */
	w.memory_reserve = 0.5;
	fit_workload(&w, &h20, &r);
	assert_true(r.counts[FIT_MEMORY].units == 4);
	assert_true(r.units == 8);
}

static void test_fit_unknown(void **state)
{
	struct fit_unit partial = { 64, NAN, NAN, NAN, NAN };
	struct fit_unit none = { NAN, NAN, NAN, NAN, NAN };
	struct workload w;
	struct fit_result r;
	char err[256];
	(void)state;

	assert_int_equal(parse(W70 "}", &w, err, sizeof(err)), 0);
	fit_workload(&w, &partial, &r);
	assert_true(r.counts[FIT_MEMORY].units == 3);
	assert_int_equal(r.counts[FIT_BANDWIDTH].state, FIT_UNKNOWN);
	assert_int_equal(r.counts[FIT_COMPUTE].state, FIT_UNKNOWN);
	assert_string_equal(r.counts[FIT_COMPUTE].reason, "dense bf16 throughput unknown");
	assert_true(isnan(r.units));
	assert_true(r.units_at_least == 3);
	assert_int_equal(r.limit, -1);
	assert_true(isnan(r.power_w));

	fit_workload(&w, &none, &r);
	assert_true(isnan(r.units) && isnan(r.units_at_least));
	assert_int_equal(r.counts[FIT_INTERCONNECT].state, FIT_UNKNOWN);

	/* no target: only memory counts, and the rest says why */
	w.target_tokens_per_s = NAN;
	fit_workload(&w, &partial, &r);
	assert_int_equal(r.counts[FIT_BANDWIDTH].state, FIT_NOT_A_LIMIT);
	assert_string_equal(r.counts[FIT_BANDWIDTH].reason, "no throughput target");
	assert_true(r.units == 3);
	assert_int_equal(r.limit, FIT_MEMORY);

	/* no shape: the KV cache, hence the memory count, is unknown */
	w.layers = NAN;
	fit_workload(&w, &partial, &r);
	assert_int_equal(r.counts[FIT_MEMORY].state, FIT_UNKNOWN);
	assert_true(isnan(r.units));
}

static void test_fit_training(void **state)
{
	struct fit_unit h20 = { 96, 4000, 900, 148, 400 };
	struct workload w;
	struct fit_result r;
	char err[256];
	(void)state;

	assert_int_equal(parse("{\"schema\": \"chipaudit-workload/1\", \"name\": \"t\", \"kind\": \"training\", "
			       "\"parameters\": 70e9, \"precision\": \"bf16\", \"context_tokens\": 4096, \"batch\": 256, "
			       "\"target_tokens_per_s\": 100000}", &w, err, sizeof(err)), 0);
	fit_workload(&w, &h20, &r);
	assert_true(r.memory_bytes == 1120e9);   /* 16 bytes a parameter */
	assert_true(r.counts[FIT_MEMORY].units == 12);
	assert_true(r.counts[FIT_COMPUTE].units == 284);
	assert_true(r.units == 288);
	assert_int_equal(r.counts[FIT_BANDWIDTH].state, FIT_NOT_A_LIMIT);
	assert_int_equal(r.counts[FIT_INTERCONNECT].state, FIT_NOT_A_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_fit_h20),
		cmocka_unit_test(test_fit_unknown),
		cmocka_unit_test(test_fit_training),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
