/* The measurement through the real dlopen path, against the fake CUDA
 * driver and cuBLASLt (tests/fake-cuda/), one scenario per test; the
 * remanence report parser; the validator of measured figures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "probe/facts.h"
#include "core/json.h"
#include "core/sysroot.h"
#include "measure/internal.h"
#include "measure/measure.h"
#include "probe/probe.h"

static char state_dir[] = "/tmp/chipaudit-fakecuda-XXXXXX";

static void clear_state(void)
{
	char path[512];
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/dev%d.mem", state_dir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/dev%d.smem", state_dir, i);
		unlink(path);
	}
}

static int setup(void **state)
{
	(void)state;
	if (getenv("FAKE_CUDA_LIB") == NULL || getenv("FAKE_CUDA_SCENARIOS") == NULL || mkdtemp(state_dir) == NULL)
		return -1;
	setenv("FAKE_CUDA_STATE", state_dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_state();
	rmdir(state_dir);
	return 0;
}

/* Point the loaders at the fake with SCENARIO; lt=false hides cuBLASLt. */
static void use(const char *scenario, bool lt)
{
	char path[1024];

	clear_state();
	snprintf(path, sizeof(path), "%s/%s.json", getenv("FAKE_CUDA_SCENARIOS"), scenario);
	setenv("FAKE_CUDA_SCENARIO", path, 1);
	setenv("CHIPAUDIT_LIBCUDA", getenv("FAKE_CUDA_LIB"), 1);
	setenv("CHIPAUDIT_LIBCUBLASLT", lt ? getenv("FAKE_CUDA_LIB") : "/nonexistent/libcublasLt.so", 1);
	unsetenv("CHIPAUDIT_MEASURE_TIMEOUT_S");
}

static json_t *run(enum measure_mode mode, bool remanence)
{
	struct measure_options opts = { .mode = mode, .skip_remanence = !remanence };
	json_t *r = measure_run(&opts);
	assert_non_null(r);
	return r;
}

static const json_t *device(const json_t *r, size_t i)
{
	const json_t *m = jobj(json_array_get(jarr(r, "devices"), i), "measured");
	char err[512];
	assert_non_null(m);
	if (measure_validate_measured(m, "measured", err, sizeof(err)) != 0)
		fail_msg("measured figures do not validate: %s", err);
	return m;
}

static double rate(const json_t *m, const char *prec)
{
	double v = NAN;
	jnum(jobj(m, "dense_tops"), prec, &v);
	return v;
}

static void assert_close(double got, double want)
{
	if (!(fabs(got - want) <= want * 1e-3))
		fail_msg("got %g, expected %g", got, want);
}

static json_int_t integer(const json_t *o, const char *key)
{
	json_int_t v = -1;
	assert_true(jint(o, key, &v));
	return v;
}

static void test_h200(void **state)
{
	json_t *r;
	const json_t *m, *rem;
	bool approx = true;
	(void)state;

	use("h200", true);
	r = run(MEASURE_QUICK, true);
	assert_string_equal(jstr(r, "status"), "measured");
	assert_string_equal(jstr(r, "driver_version"), "13.0");
	assert_int_equal(json_array_size(jarr(r, "devices")), 1);
	assert_string_equal(jstr(json_array_get(jarr(r, "devices"), 0), "pci_address"), "0000:18:00.0");
	m = device(r, 0);
	assert_string_equal(jstr(m, "name"), "NVIDIA H200");
	assert_string_equal(jstr(m, "compute_capability"), "9.0");
	assert_int_equal(integer(m, "sm_count"), 132);
	assert_int_equal(integer(m, "l2_bytes"), 62914560);
	/* Exactly the scenario's rates: the fastest of the three candidate
	 * algorithms (0.9, 1.0, 0.8 of the rate) was found and timed. */
	assert_close(rate(m, "bf16"), 780);
	assert_close(rate(m, "fp16"), 770);
	assert_close(rate(m, "tf32"), 400);
	assert_close(rate(m, "fp8"), 1300);
	assert_close(rate(m, "int8"), 1250);
	assert_close(rate(m, "fp64"), 55);
	assert_close(rate(m, "fp32"), 50);
	assert_true(json_is_null(json_object_get(jobj(m, "dense_tops"), "fp4")));
	assert_true(jbool(jobj(m, "approximate"), "bf16", &approx));
	assert_false(approx);
	assert_string_equal(jstr(m, "method"), "cublaslt");
	assert_close(json_number_value(json_object_get(m, "memory_copy_gbs")), 4300);
	assert_close(json_number_value(json_object_get(m, "h2d_gbs")), 55.5);
	assert_close(json_number_value(json_object_get(m, "d2h_gbs")), 53.5);
	assert_int_equal(integer(m, "allocatable_bytes"), 256 << 20);
	assert_int_equal(integer(m, "memory_total_bytes"), 256 << 20);
	/* 256 MiB of fake memory: the 8192 matrices do not fit, 2048 do. */
	assert_int_equal(integer(m, "gemm_size"), 2048);
	assert_true(json_is_null(json_object_get(m, "clock_samples")));
	assert_string_equal(jstr(r, "telemetry"), "not sampled: no telemetry backend");
	assert_int_equal(json_array_size(jarr(m, "errors")), 0);
	rem = jobj(m, "remanence");
	assert_non_null(jobj(rem, "writer"));
	assert_int_equal(integer(jobj(rem, "global"), "nonzero_bytes"), 0);
	assert_true(integer(jobj(rem, "global"), "bytes_examined") >= 200 << 20);
	assert_int_equal(integer(jobj(rem, "shared"), "bytes_examined"), 2 * 132 * 232448);
	assert_int_equal(integer(jobj(rem, "shared"), "nonzero_bytes"), 0);
	assert_int_equal(json_array_size(jarr(rem, "errors")), 0);
	json_decref(r);
}

static void test_leak(void **state)
{
	json_t *r;
	const json_t *rem, *g, *s;
	char canary_le[9];
	unsigned canary;
	(void)state;

	use("leak", true);
	r = run(MEASURE_QUICK, true);
	rem = jobj(device(r, 0), "remanence");
	g = jobj(rem, "global");
	s = jobj(rem, "shared");
	/* Everything the reader got was the writer's canary. */
	assert_int_equal(integer(g, "canary_bytes"), integer(g, "bytes_examined"));
	assert_int_equal(integer(g, "nonzero_bytes"), integer(g, "bytes_examined"));
	assert_int_equal(integer(s, "canary_bytes"), integer(s, "bytes_examined"));
	assert_close(json_number_value(json_object_get(g, "fraction")), 1.0);
	assert_int_equal(integer(g, "first_offset"), 0);
	/* The sample is the canary's bytes, little-endian, repeated. */
	assert_int_equal(sscanf(jstr(rem, "canary"), "%8x", &canary), 1);
	snprintf(canary_le, sizeof(canary_le), "%02x%02x%02x%02x", canary & 0xff, (canary >> 8) & 0xff,
		 (canary >> 16) & 0xff, canary >> 24);
	assert_int_equal(strncmp(jstr(g, "sample"), canary_le, 8), 0);
	assert_int_equal(strlen(jstr(g, "sample")), 64);
	json_decref(r);
}

static void test_residue_not_canary(void **state)
{
	json_t *r;
	const json_t *g;
	(void)state;

	use("residue", true);
	r = run(MEASURE_QUICK, true);
	g = jobj(jobj(device(r, 0), "remanence"), "global");
	assert_int_equal(integer(g, "nonzero_bytes"), 4);
	assert_int_equal(integer(g, "canary_bytes"), 0);
	assert_int_equal(integer(g, "first_offset"), 0);
	assert_string_equal(jstr(g, "sample"), "0df0ad0b00000000000000000000000000000000000000000000000000000000");
	json_decref(r);
}

static void test_unavailable(void **state)
{
	json_t *r;
	(void)state;

	use("no-device", true);
	r = run(MEASURE_QUICK, true);
	assert_string_equal(jstr(r, "status"), "unavailable");
	assert_string_equal(jstr(r, "reason"), "no CUDA device: CUDA_ERROR_NO_DEVICE (100)");
	assert_int_equal(json_array_size(jarr(r, "devices")), 0);
	json_decref(r);

	use("stub", true);
	r = run(MEASURE_QUICK, false);
	assert_string_equal(jstr(r, "reason"), "the CUDA driver did not start: CUDA_ERROR_STUB_LIBRARY (34)");
	json_decref(r);

	use("h200", true);
	setenv("CHIPAUDIT_LIBCUDA", "/nonexistent/libcuda.so.1", 1);
	r = run(MEASURE_QUICK, true);
	assert_string_equal(jstr(r, "status"), "unavailable");
	assert_non_null(strstr(jstr(r, "reason"), "no CUDA driver: /nonexistent/libcuda.so.1: cannot open shared object file"));
	json_decref(r);
}

static void test_ptx_fallback(void **state)
{
	json_t *r;
	const json_t *m;
	bool approx = false;
	(void)state;

	use("h200", false);
	r = run(MEASURE_QUICK, false);
	assert_false(jbool(jobj(r, "cublaslt"), "loaded", &approx) && approx);
	assert_non_null(strstr(jstr(jobj(r, "cublaslt"), "reason"), "/nonexistent/libcublasLt.so"));
	m = device(r, 0);
	assert_close(rate(m, "bf16"), 520);
	assert_close(rate(m, "fp8"), 900);
	assert_close(rate(m, "fp64"), 45);
	assert_true(jbool(jobj(m, "approximate"), "bf16", &approx));
	assert_true(approx);
	/* No FP32 kernel of ours: not measured, never guessed. */
	assert_true(json_is_null(json_object_get(jobj(m, "dense_tops"), "fp32")));
	assert_string_equal(jstr(m, "method"), "ptx");
	assert_int_equal(json_array_size(jarr(m, "errors")), 0);
	json_decref(r);
}

static void test_error_mid_run(void **state)
{
	json_t *r;
	const json_t *m;
	(void)state;

	use("copy-fault", true);
	r = run(MEASURE_QUICK, false);
	m = device(r, 0);
	/* Figures measured before the fault are kept; none after it is taken. */
	assert_close(rate(m, "bf16"), 780);
	assert_true(json_is_null(json_object_get(m, "memory_copy_gbs")));
	assert_true(json_is_null(json_object_get(m, "h2d_gbs")));
	assert_true(json_is_null(json_object_get(m, "allocatable_bytes")));
	assert_string_equal(json_string_value(json_array_get(jarr(m, "errors"), 0)),
			    "device copy: cuMemcpyDtoDAsync: CUDA_ERROR_ILLEGAL_ADDRESS (700)");
	assert_string_equal(json_string_value(json_array_get(jarr(m, "errors"), 1)),
			    "measurement of this device stopped after that error");
	json_decref(r);

	use("matmul-fails", true);
	r = run(MEASURE_QUICK, false);
	m = device(r, 0);
	assert_true(json_is_null(json_object_get(jobj(m, "dense_tops"), "bf16")));
	assert_close(rate(m, "fp16"), 770);
	assert_string_equal(json_string_value(json_array_get(jarr(m, "errors"), 0)), "bf16 GEMM: cublasLtMatmul: status 13");
	json_decref(r);
}

static void test_no_fp8_before_ada(void **state)
{
	json_t *r;
	const json_t *m;
	(void)state;

	use("a100", true);
	r = run(MEASURE_QUICK, false);
	m = device(r, 0);
	assert_string_equal(jstr(m, "compute_capability"), "8.0");
	assert_close(rate(m, "bf16"), 280);
	assert_true(json_is_null(json_object_get(jobj(m, "dense_tops"), "fp8")));
	assert_true(json_is_null(json_object_get(jobj(m, "approximate"), "fp8")));
	assert_int_equal(json_array_size(jarr(m, "errors")), 0);
	json_decref(r);
}

static void test_remanence_children_fail(void **state)
{
	json_t *r;
	const json_t *rem;
	(void)state;

	use("reader-crash", true);
	r = run(MEASURE_QUICK, true);
	rem = jobj(device(r, 0), "remanence");
	assert_true(json_is_null(json_object_get(rem, "global")));
	assert_string_equal(json_string_value(json_array_get(jarr(rem, "errors"), 0)), "remanence reader ended by signal 6");
	json_decref(r);

	use("reader-hang", true);
	setenv("CHIPAUDIT_MEASURE_TIMEOUT_S", "3", 1);
	r = run(MEASURE_QUICK, true);
	rem = jobj(device(r, 0), "remanence");
	assert_string_equal(json_string_value(json_array_get(jarr(rem, "errors"), 0)),
			    "remanence reader did not finish within 3 s: stopped");
	json_decref(r);
}

/* The probe puts each device's figures on the accelerator at its PCI
 * address, and keeps the others apart as unmatched. */
static void test_probe_attach(void **state)
{
	struct accdb db;
	struct sysroot sr;
	struct probe_options opts = { .measure = MEASURE_QUICK, .measure_quiet = 1 };
	struct probe_ctx ctx = { .options = &opts };
	char err[512];
	json_t *facts;
	(void)state;

	use("two-h20", true);
	assert_int_equal(accdb_load(&db, err, sizeof(err)), 0);
	assert_int_equal(sysroot_open(&sr, NULL, err, sizeof(err)), 0);
	facts = json_pack("{s:[{s:s},{s:s}]}", "accelerators", "pci_address", "0000:2a:00.0", "pci_address", "0000:99:00.0");
	ctx.sysroot = &sr;
	ctx.accdb = &db;
	ctx.facts = facts;
	assert_int_equal(probe_measure(&ctx), 0);
	assert_non_null(jobj(json_array_get(jarr(facts, "accelerators"), 0), "measured"));
	assert_null(jobj(json_array_get(jarr(facts, "accelerators"), 1), "measured"));
	assert_int_equal(json_array_size(jarr(jobj(facts, "measurement"), "unmatched")), 1);
	assert_string_equal(jstr(json_array_get(jarr(jobj(facts, "measurement"), "unmatched"), 0), "pci_address"),
			    "0000:18:00.0");
	assert_null(json_object_get(jobj(facts, "measurement"), "devices"));
	assert_int_equal(validate_measurement(jobj(facts, "measurement"), facts, err, sizeof(err)), 0);
	assert_non_null(strstr(jstr(json_array_get(jarr(facts, "limitations"), 0), "reason"),
			       "CUDA device 0000:18:00.0 (NVIDIA H20) is not among the accelerators found"));
	json_decref(facts);
	sysroot_close(&sr);
	accdb_free(&db);
}

/* Report lines ------------------------------------------------------------- */

static void test_parse_reports(void **state)
{
	static const char good[] =
		"W 0 0000:18:00.0 ok 17179869184 61366272\n"
		"R 0 0000:18:00.0 shared 61366272 0 0 - -\n"
		"R 0 0000:18:00.0 global 17179869184 2 3 4096 dec0175adec0175a0badf00d\n"
		"W 1 - error cuDeviceGet: CUDA_ERROR_INVALID_VALUE (1)\n";
	static const char *const bad[] = {
		"X 0 0000:18:00.0 ok 1 2\n",                       /* unknown tag */
		"R 0 0000:18:00.0 global 16 5 4 - -\n",            /* more canary than non-zero */
		"R 0 0000:18:00.0 global 16 0 9 0 00\n",            /* more non-zero words than the region holds */
		"R 0 0000:18:00.0 global 16 0 1 16 00\n",           /* first offset outside the region */
		"R 0 0000:18:00.0 global 16 0 1 2 00\n",            /* offset not word-aligned */
		"R 0 0000:18:00.0 global 16 0 0 4 00\n",            /* no residue but an offset */
		"R 0 0000:18:00.0 global 16 0 1 0 ZZ\n",            /* sample not hex */
		"R 0 0000:18:00.0 global 16 0 1 0 0\n",             /* odd hex */
		"R 0 0000:18:00.0 global 16 0 1 0 00 extra\n",      /* trailing field */
		"R 0 0000:18:00.0 global 0 0 0 - -\n",              /* nothing examined */
		"R 0 0000:18:00.0 global 18446744073709551616 0 0 - -\n", /* overflow */
		"R 64 0000:18:00.0 global 16 0 0 - -\n",            /* ordinal out of range */
		"R 0 18:00.0 global 16 0 0 - -\n",                  /* not a PCI address */
		"R 0 0000:18:00.0 global 16 0 0 - -\nR 0 0000:18:00.0 global 16 0 0 - -\n", /* twice */
		"W 0 0000:18:00.0 ok 1\n",                          /* missing field */
		"R 0 0000:18:00.0 launch 16 0 0 - -\n",             /* unknown report */
	};
	json_t *out = json_object(), *e;
	char err[256];
	(void)state;

	assert_int_equal(remanence_parse(good, strlen(good), 0x5a17c0de, out, err, sizeof(err)), 0);
	e = jobj(out, "0");
	assert_string_equal(jstr(e, "pci_address"), "0000:18:00.0");
	assert_int_equal(integer(jobj(e, "writer"), "global_bytes"), 17179869184LL);
	assert_int_equal(integer(jobj(e, "global"), "canary_bytes"), 8);
	assert_int_equal(integer(jobj(e, "global"), "nonzero_bytes"), 12);
	assert_int_equal(integer(jobj(e, "global"), "first_offset"), 4096);
	assert_string_equal(jstr(jobj(e, "global"), "sample"), "dec0175adec0175a0badf00d");
	assert_true(json_is_null(json_object_get(jobj(out, "1"), "pci_address")));
	assert_string_equal(json_string_value(json_array_get(jarr(jobj(out, "1"), "errors"), 0)),
			    "cuDeviceGet: CUDA_ERROR_INVALID_VALUE (1)");
	json_decref(out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = json_object();
		if (remanence_parse(bad[i], strlen(bad[i]), 1, out, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "remanence report line"));
		json_decref(out);
	}
	out = json_object();
	assert_int_equal(remanence_parse("R 0 - global 4\0 0 0 - -", 22, 1, out, err, sizeof(err)), -1);
	assert_string_equal(err, "remanence report: contains a NUL byte");
	json_decref(out);
}

/* Validator ------------------------------------------------------------------ */

static json_t *good_measured(void)
{
	char err[512];
	json_t *facts = json_load_path(FIXTURES "/measured/h200-leak.json", err, sizeof(err), &(int){ 0 });
	json_t *m;

	assert_non_null(facts);
	m = json_deep_copy(jobj(json_array_get(jarr(facts, "accelerators"), 0), "measured"));
	json_decref(facts);
	return m;
}

static void test_validate_measured(void **state)
{
	static const struct {
		const char *path, *value, *error;
	} cases[] = {
		{ "dense_tops.bf16", "-1", "m.dense_tops.bf16: -1 out of range" },
		{ "dense_tops.bf16", "\"780\"", "m.dense_tops.bf16: expected a number" },
		{ "dense_tops.fp12", "1", "m.dense_tops.fp12: not a precision" },
		{ "approximate.bf16", "1", "m.approximate.bf16: expected true or false" },
		{ "sm_count", "0", "m.sm_count: 0 out of range" },
		{ "compute_capability", "\"9\"", "m.compute_capability: expected \"MAJOR.MINOR\"" },
		{ "compute_capability", "\"9.0x\"", "m.compute_capability: expected \"MAJOR.MINOR\"" },
		{ "method", "\"magic\"", "m.method: expected \"cublaslt\", \"ptx\" or null" },
		{ "mode", "\"fast\"", "m.mode: expected \"quick\"" },
		{ "errors", "[1]", "m.errors[0]: expected a string" },
		{ "remanence.canary", "\"5A17C0DE\"", "m.remanence.canary: expected 8 lowercase hex digits" },
		{ "remanence.global.canary_bytes", "99999999999", "canary_bytes <= nonzero_bytes <= bytes_examined" },
		{ "remanence.global.fraction", "1.5", "m.remanence.global.fraction: 1.5 out of range" },
		{ "remanence.global.first_offset", "null", "m.remanence.global.first_offset: expected an offset" },
		{ "remanence.global.sample", "\"xyz\"", "m.remanence.global.sample: expected lowercase hex bytes" },
		{ "remanence.writer", "[]", "m.remanence.writer: expected an object" },
		{ "clock_samples", "[{\"t_s\": -1, \"reasons\": []}]", "m.clock_samples[0].t_s: -1 out of range" },
		{ "clock_samples", "[{\"t_s\": 1}]", "m.clock_samples[0].reasons: missing" },
	};
	char err[512];
	json_t *m;
	(void)state;

	m = good_measured();
	assert_int_equal(measure_validate_measured(m, "m", err, sizeof(err)), 0);
	json_decref(m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128], *save = NULL, *key, *next;
		json_t *obj, *value = json_loads(cases[i].value, JSON_DECODE_ANY, NULL);
		m = good_measured();
		snprintf(path, sizeof(path), "%s", cases[i].path);
		obj = m;
		key = strtok_r(path, ".", &save);
		while ((next = strtok_r(NULL, ".", &save)) != NULL) {
			obj = json_object_get(obj, key);
			key = next;
		}
		json_object_set_new(obj, key, value);
		if (measure_validate_measured(m, "m", err, sizeof(err)) == 0)
			fail_msg("case %zu (%s = %s) accepted", i, cases[i].path, cases[i].value);
		if (strstr(err, cases[i].error) == NULL)
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].error);
		json_decref(m);
	}
	assert_int_equal(measure_validate_measured(json_null(), "m", err, sizeof(err)), -1);
	assert_string_equal(err, "m: expected an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h200),
		cmocka_unit_test(test_leak),
		cmocka_unit_test(test_residue_not_canary),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_ptx_fallback),
		cmocka_unit_test(test_error_mid_run),
		cmocka_unit_test(test_no_fp8_before_ada),
		cmocka_unit_test(test_remanence_children_fail),
		cmocka_unit_test(test_probe_attach),
		cmocka_unit_test(test_parse_reports),
		cmocka_unit_test(test_validate_measured),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
