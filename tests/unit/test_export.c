/* The export classifier: the reference table, every threshold exactly at and
 * just below, every rule date, destinations, notices, the spec parser's bad
 * input and the data validators. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "core/json.h"
#include "export/export.h"

static struct export_data data;
static struct accdb db;

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (export_data_load(&data, err, sizeof(err)) != 0 || accdb_load(&db, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	export_data_free(&data);
	accdb_free(&db);
	return 0;
}

/* Classify a spec given as JSON text. */
static json_t *spec(const char *text, const char *date, const char *dest)
{
	char err[512];
	struct chip_spec s;
	json_t *doc = json_loads(text, 0, NULL);
	json_t *c;

	assert_non_null(doc);
	if (chip_spec_from_json(&s, doc, err, sizeof(err)) != 0)
		fail_msg("spec %s: %s", text, err);
	json_decref(doc);
	c = export_classify(&data, &s, date, dest);
	assert_non_null(c);
	return c;
}

static json_t *model(const char *name, const char *date, const char *dest)
{
	const struct accel_model *m = accdb_by_name(&db, name);
	struct chip_spec s;
	if (m == NULL)
		fail_msg("model %s not in the database", name);
	chip_spec_from_model(&s, m);
	return export_classify(&data, &s, date, dest);
}

static const char *eccn(const json_t *c)
{
	const char *e = jstr(c, "eccn");
	return e ? e : "undecided";
}

static const char *paragraph(const json_t *c)
{
	const char *p = jstr(c, "paragraph");
	return p ? p : "undecided";
}

static double num(const json_t *c, const char *key)
{
	double d;
	return jnum(c, key, &d) ? d : NAN;
}

static bool has_note(const json_t *c, const char *needle)
{
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(c, "notes"), i, n)
		if (strstr(json_string_value(n), needle))
			return true;
	return false;
}

/* ---- the reference table (export-controls.md, "Publicly reported figures") ---- */

struct reported {
	const char *name;
	double tpp, pd; /* pd NAN: not reported */
	const char *eccn;
};

static void test_reference_table(void **state)
{
	static const struct reported rows[] = {
		{ "A100 SXM", 4992, 6.04, "3A090.a" },
		{ "A800", 4992, 6.04, "3A090.a" },
		{ "H100 SXM", 15832, 19.45, "3A090.a" },
		{ "H800 SXM", 15832, 19.45, "3A090.a" },
		{ "H20", 2368, 2.91, "none" },
		{ "H200 SXM", 15832, 19.45, "3A090.a" },
		{ "L40S", 5864, 9.63, "3A090.a" },
		{ "L20", 1912, 3.14, "none" },
		{ "L2", 1544, NAN, "none" },
		{ "RTX 4090", 5286, 8.68, "3A090.a" },
		{ "RTX 4090 D", 4707, 7.73, "none" },
		{ "MI300X", 20919, NAN, "3A090.a" },
		{ "MI250X", 6128, NAN, "3A090.a" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *c = model(rows[i].name, "2024-01-01", NULL);
		double tpp = num(c, "tpp"), pd = num(c, "performance_density");
		/* The reference rounds (RTX 4090: 5286 for 661 x 8 = 5288): 0.1% */
		if (fabs(tpp - rows[i].tpp) > rows[i].tpp * 0.001)
			fail_msg("%s: TPP %g, reported %g", rows[i].name, tpp, rows[i].tpp);
		if (!isnan(rows[i].pd) && fabs(pd - rows[i].pd) > 0.01)
			fail_msg("%s: PD %g, reported %g", rows[i].name, pd, rows[i].pd);
		if (strcmp(eccn(c), rows[i].eccn) != 0)
			fail_msg("%s: %s, reported %s", rows[i].name, eccn(c), rows[i].eccn);
		assert_string_equal(jstr(c, "rules"), "2023-10");
		/* the RTX 4090 D meets a.2 on PD but is excluded by Note 2, as reported */
		if (strcmp(rows[i].name, "RTX 4090 D") == 0)
			assert_true(has_note(c, "excluded by Note 2 to 3A090"));
		json_decref(c);
	}
}

static void test_h20_working(void **state)
{
	json_t *c = model("H20", "2024-01-01", NULL), *t;
	(void)state;
	assert_int_equal((int)num(c, "tpp"), 2368);
	assert_string_equal(jstr(c, "tpp_precision"), "bf16");
	assert_string_equal(jstr(c, "tpp_working"), "148 x 16");
	assert_true(fabs(num(c, "performance_density") - 2.91) < 0.005);
	assert_int_equal((int)num(c, "die_area_mm2"), 814);
	assert_string_equal(paragraph(c), "none");
	/* b.1 misses by 32 on TPP; b.2 misses on PD (2.91 < 3.2) */
	t = json_array_get(json_object_get(c, "tests"), 2);
	assert_string_equal(jstr(t, "paragraph"), "3A090.b.1");
	assert_int_equal((int)num(json_array_get(json_object_get(t, "conditions"), 0), "margin"), -32);
	t = json_array_get(json_object_get(c, "tests"), 3);
	assert_string_equal(jstr(t, "paragraph"), "3A090.b.2");
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(t, "conditions"), 1), "met")));
	assert_true(json_is_null(json_object_get(c, "license_required")));
	json_decref(c);
}

static void test_tf32_bit_length(void **state)
{
	double tops[PREC_COUNT];
	int p;
	(void)state;
	for (int i = 0; i < PREC_COUNT; i++)
		tops[i] = NAN;
	tops[PREC_TF32] = 495;
	assert_true(fabs(export_tpp(&data, tops, &p) - 495 * 19) < 1e-9);
	assert_int_equal(p, PREC_TF32);
	tops[PREC_BF16] = 989.5;
	assert_true(fabs(export_tpp(&data, tops, &p) - 15832) < 1e-9);
	assert_int_equal(p, PREC_BF16);
	/* with TF32 at 32 bits the H100 would be 15840, above the reported 15832 */
	assert_true(495.0 * 32 > 15832);
}

static void test_a800_2022_and_2023(void **state)
{
	json_t *c = model("A800", "2023-06-01", NULL);
	(void)state;
	assert_string_equal(jstr(c, "rules"), "2023-01");
	assert_string_equal(eccn(c), "none");
	json_decref(c);
	/* the A100 sits exactly at the 600 GB/s interconnect threshold: >= */
	c = model("A100 SXM", "2023-06-01", NULL);
	assert_string_equal(eccn(c), "3A090.a");
	json_decref(c);
	c = model("H800 SXM", "2023-06-01", NULL);
	assert_string_equal(eccn(c), "none");
	json_decref(c);
	c = model("A800", "2023-11-17", NULL);
	assert_string_equal(eccn(c), "3A090.a");
	assert_string_equal(paragraph(c), "3A090.a.1");
	json_decref(c);
	/* a PCIe card with no recorded interconnect figure: the 2022 rule cannot decide */
	c = model("A100 PCIe 80GB", "2023-06-01", NULL);
	assert_true(json_is_null(json_object_get(c, "eccn")));
	assert_non_null(strstr(jstr(c, "undecided"), "interconnect bandwidth unknown"));
	json_decref(c);
}

/* ---- exact boundaries ---- */

struct boundary {
	const char *spec, *date, *eccn, *paragraph;
};

static void test_boundaries(void **state)
{
	static const struct boundary rows[] = {
		/* a.1: TPP >= 4800 (300 x 16 = 4800) */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":300},\"die_area_mm2\":10000,\"datacenter\":true}", "2024-01-01", "3A090.a", "3A090.a.1" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":299.99},\"die_area_mm2\":10000,\"datacenter\":true}", "2024-01-01", "none", "none" },
		/* a.2: PD >= 5.92 (1776 / 300 = 5.92) */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":111},\"die_area_mm2\":300,\"datacenter\":true}", "2024-01-01", "3A090.a", "3A090.a.2" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":111},\"die_area_mm2\":300.01,\"datacenter\":true}", "2024-01-01", "3A090.b", "3A090.b.2" },
		/* a.2: TPP >= 1600 */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":100},\"die_area_mm2\":200,\"datacenter\":true}", "2024-01-01", "3A090.a", "3A090.a.2" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":99.99},\"die_area_mm2\":200,\"datacenter\":true}", "2024-01-01", "none", "none" },
		/* b.1: TPP >= 2400 with PD in [1.6, 5.92) */
		{ "{\"name\":\"x\",\"dense_tops\":{\"int8\":300},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-01-01", "3A090.b", "3A090.b.1" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"int8\":299.99},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-01-01", "none", "none" },
		/* b.1: PD >= 1.6 (2400 / 1500) */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":150},\"die_area_mm2\":1500,\"datacenter\":true}", "2024-01-01", "3A090.b", "3A090.b.1" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":150},\"die_area_mm2\":1500.1,\"datacenter\":true}", "2024-01-01", "none", "none" },
		/* b.1: TPP < 4800 (at 4800 it is a.1) */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":299.99},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-01-01", "3A090.b", "3A090.b.1" },
		/* b.2: PD >= 3.2 (1600 / 500) with TPP >= 1600 */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":100},\"die_area_mm2\":500,\"datacenter\":true}", "2024-01-01", "3A090.b", "3A090.b.2" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":100},\"die_area_mm2\":500.1,\"datacenter\":true}", "2024-01-01", "none", "none" },
		/* b.2 / a.2: PD < 5.92 is b, PD = 5.92 is a */
		{ "{\"name\":\"x\",\"dense_tops\":{\"fp8\":222},\"die_area_mm2\":300,\"datacenter\":true}", "2024-01-01", "3A090.a", "3A090.a.2" },
		/* 2022: TPP >= 4800 and interconnect >= 600 */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":300},\"interconnect_bandwidth_gbs\":600}", "2023-06-01", "3A090.a", "3A090.a" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":300},\"interconnect_bandwidth_gbs\":599.9}", "2023-06-01", "none", "none" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":299.99},\"interconnect_bandwidth_gbs\":900}", "2023-06-01", "none", "none" },
		/* Note 2: not for data centers and TPP < 4800 */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":299.99},\"die_area_mm2\":100,\"datacenter\":false}", "2024-01-01", "none", "none" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":300},\"die_area_mm2\":100,\"datacenter\":false}", "2024-01-01", "3A090.a", "3A090.a.1" },
		/* 3A090.c: density > 2 (strict), from 2024-12-02 */
		{ "{\"name\":\"hbm\",\"hbm_bandwidth_density\":2}", "2025-01-01", "none", "none" },
		{ "{\"name\":\"hbm\",\"hbm_bandwidth_density\":2.0001}", "2025-01-01", "3A090.c", "3A090.c" },
		{ "{\"name\":\"hbm\",\"hbm_bandwidth_density\":2.0001}", "2024-12-01", "none", "none" },
		{ "{\"name\":\"hbm\",\"hbm_bandwidth_density\":2.0001}", "2024-12-02", "3A090.c", "3A090.c" },
		/* before the first rule */
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":5000},\"interconnect_bandwidth_gbs\":900}", "2022-10-20", "none", "none" },
		{ "{\"name\":\"x\",\"dense_tops\":{\"bf16\":5000},\"interconnect_bandwidth_gbs\":900}", "2022-10-21", "3A090.a", "3A090.a" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *c = spec(rows[i].spec, rows[i].date, NULL);
		if (strcmp(eccn(c), rows[i].eccn) != 0 || strcmp(paragraph(c), rows[i].paragraph) != 0)
			fail_msg("row %zu %s on %s: %s %s, expected %s %s", i, rows[i].spec, rows[i].date, eccn(c),
				 paragraph(c), rows[i].eccn, rows[i].paragraph);
		json_decref(c);
	}
}

static void test_exact_margin(void **state)
{
	json_t *c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":300},\"die_area_mm2\":10000,\"datacenter\":true}",
			 "2024-01-01", NULL);
	const json_t *cond = json_array_get(json_object_get(json_array_get(json_object_get(c, "tests"), 0), "conditions"), 0);
	(void)state;
	assert_true(num(cond, "margin") == 0);
	assert_true(json_is_true(json_object_get(cond, "met")));
	json_decref(c);
}

/* ---- unknown figures ---- */

static void test_unknown_figures(void **state)
{
	json_t *c;
	(void)state;
	/* MI300X: a.1 by TPP alone, no die area needed */
	c = model("MI300X", "2024-01-01", NULL);
	assert_string_equal(paragraph(c), "3A090.a.1");
	json_decref(c);
	/* 1600 <= TPP < 4800 and no die area: cannot decide a.2 / b */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":200},\"datacenter\":true}", "2024-01-01", NULL);
	assert_true(json_is_null(json_object_get(c, "eccn")));
	assert_string_equal(jstr(c, "undecided"), "cannot decide between 3A090.a, 3A090.b and none: die area unknown");
	json_decref(c);
	/* datacenter unknown below 4800: Note 2 may apply */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":200},\"die_area_mm2\":100}", "2024-01-01", NULL);
	assert_true(json_is_null(json_object_get(c, "eccn")));
	assert_non_null(strstr(jstr(c, "undecided"), "designed for data centers is unknown"));
	json_decref(c);
	/* not for data centers: Note 2 decides even without die area */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":200},\"datacenter\":false}", "2024-01-01", NULL);
	assert_string_equal(eccn(c), "none");
	assert_true(has_note(c, "Note 2"));
	json_decref(c);
	/* no throughput at all (MI308X) */
	c = model("MI308X", "2024-01-01", NULL);
	assert_true(json_is_null(json_object_get(c, "eccn")));
	assert_non_null(strstr(jstr(c, "undecided"), "TPP unknown"));
	json_decref(c);
}

/* ---- rule dates ---- */

static void test_rule_dates(void **state)
{
	static const char *const dates[][2] = {
		{ "2022-10-20", "none" }, { "2022-10-21", "2022-10" }, { "2023-01-16", "2022-10" },
		{ "2023-01-17", "2023-01" }, { "2023-11-16", "2023-01" }, { "2023-11-17", "2023-10" },
		{ "2024-04-03", "2023-10" }, { "2024-04-04", "2024-04" }, { "2024-12-01", "2024-04" },
		{ "2024-12-02", "2024-12" }, { "2026-01-14", "2024-12" }, { "2026-01-15", "2026-01" },
		{ "2099-12-31", "2026-01" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		json_t *c = model("H100 SXM", dates[i][0], NULL);
		if (strcmp(jstr(c, "rules"), dates[i][1]) != 0)
			fail_msg("%s: rules %s, expected %s", dates[i][0], jstr(c, "rules"), dates[i][1]);
		json_decref(c);
	}
}

static void test_dates_valid(void **state)
{
	(void)state;
	assert_true(export_date_valid("2024-02-29"));
	assert_false(export_date_valid("2023-02-29"));
	assert_false(export_date_valid("2100-02-29"));
	assert_true(export_date_valid("2000-02-29"));
	assert_false(export_date_valid("2024-13-01"));
	assert_false(export_date_valid("2024-04-31"));
	assert_false(export_date_valid("2024-4-01"));
	assert_false(export_date_valid("2024-04-01x"));
	assert_false(export_date_valid(""));
	assert_false(export_date_valid("yesterday!"));
}

/* ---- destinations ---- */

struct licence_row {
	const char *model, *date, *dest;
	int required; /* 1, 0, -1 unknown */
	const char *policy;
};

static void test_destinations(void **state)
{
	static const struct licence_row rows[] = {
		{ "H100 SXM", "2024-01-01", "CN", 1, "presumption of denial" },
		{ "H100 SXM", "2024-01-01", "MO", 1, "presumption of denial" },
		{ "H100 SXM", "2024-01-01", "HK", 1, "presumption of denial" },
		{ "H100 SXM", "2024-01-01", "RU", 1, "presumption of denial" },
		{ "H100 SXM", "2024-01-01", "VN", 1, "presumption of approval" },
		{ "H100 SXM", "2024-01-01", "SA", 1, "presumption of approval" },
		{ "H100 SXM", "2024-01-01", "AE", 1, "presumption of approval" },
		{ "H100 SXM", "2024-01-01", "IL", 0, NULL },   /* D:4 but also A:6 */
		{ "H100 SXM", "2024-01-01", "DE", 0, NULL },
		{ "H100 SXM", "2024-01-01", "US", 0, NULL },
		{ "H100 SXM", "2024-01-01", "KZ", -1, NULL },  /* D:1, A:6 membership uncertain */
		/* 2022: China only, Macau from 2023-01-17 */
		{ "H100 SXM", "2022-12-01", "CN", 1, NULL },
		{ "H100 SXM", "2022-12-01", "MO", 0, NULL },
		{ "H100 SXM", "2023-01-17", "MO", 1, NULL },
		{ "H100 SXM", "2022-12-01", "VN", 0, NULL },
		/* not 3A090: no licence by ECCN */
		{ "L20", "2024-01-01", "CN", 0, NULL },
		/* the H20 notice from 2025-04-09: China (HK, MO) and D:5 */
		{ "H20", "2025-04-08", "CN", 0, NULL },
		{ "H20", "2025-04-09", "CN", 1, "licence required by a company-specific notice; review policy not published" },
		{ "H20", "2025-04-09", "RU", 1, "licence required by a company-specific notice; review policy not published" },
		{ "H20", "2025-04-09", "MO", 1, "licence required by a company-specific notice; review policy not published" },
		{ "H20", "2025-04-09", "VN", 0, NULL },
		{ "H20", "2025-08-11", "CN", 1, "licences granted for sales to China on condition that 15% of that revenue is paid to the US government" },
		{ "H20", "2025-08-11", "RU", 1, "licence required by a company-specific notice; review policy not published" },
		{ "MI308X", "2025-04-14", "CN", -1, NULL },
		{ "MI308X", "2025-04-15", "CN", 1, "licence required by a company-specific notice; review policy not published" },
		/* 2026: case-by-case for China and Macau below TPP 21000 and 6500 GB/s */
		{ "H200 SXM", "2026-01-15", "CN", 1, "case-by-case review, subject to conditions (91 FR 1684)" },
		{ "H200 SXM", "2026-01-14", "CN", 1, "presumption of denial" },
		{ "MI325X", "2026-01-15", "CN", 1, "case-by-case review, subject to conditions (91 FR 1684)" },
		{ "B200", "2026-01-15", "CN", 1, "presumption of denial" },
		{ "H200 SXM", "2026-01-15", "RU", 1, "presumption of denial" },
		{ "H200 SXM", "2026-01-15", "VN", 1, "presumption of approval" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *c = model(rows[i].model, rows[i].date, rows[i].dest);
		const json_t *r = json_object_get(c, "license_required");
		int got = json_is_true(r) ? 1 : json_is_false(r) ? 0 : -1;
		const char *pol = jstr(c, "license_policy");
		if (got != rows[i].required)
			fail_msg("%s on %s to %s: required %d, expected %d", rows[i].model, rows[i].date, rows[i].dest, got,
				 rows[i].required);
		if ((pol == NULL) != (rows[i].policy == NULL) || (pol && strcmp(pol, rows[i].policy) != 0))
			fail_msg("%s on %s to %s: policy \"%s\", expected \"%s\"", rows[i].model, rows[i].date, rows[i].dest,
				 pol ? pol : "(none)", rows[i].policy ? rows[i].policy : "(none)");
		json_decref(c);
	}
}

static void test_case_by_case_boundaries(void **state)
{
	json_t *c;
	(void)state;
	/* TPP 20999.84 and 6499 GB/s: case-by-case */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1312.49},\"memory_bandwidth_gbs\":6499,\"datacenter\":true}", "2026-02-01", "CN");
	assert_string_equal(jstr(c, "license_policy"), "case-by-case review, subject to conditions (91 FR 1684)");
	assert_true(has_note(c, "seen only in a secondary source"));
	json_decref(c);
	/* TPP exactly 21000 (1312.5 x 16): denial */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1312.5},\"memory_bandwidth_gbs\":6499,\"datacenter\":true}", "2026-02-01", "CN");
	assert_string_equal(jstr(c, "license_policy"), "presumption of denial");
	json_decref(c);
	/* bandwidth exactly 6500: denial */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1000},\"memory_bandwidth_gbs\":6500,\"datacenter\":true}", "2026-02-01", "CN");
	assert_string_equal(jstr(c, "license_policy"), "presumption of denial");
	json_decref(c);
	/* bandwidth unknown: says it cannot tell */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1000},\"datacenter\":true}", "2026-02-01", "CN");
	assert_string_equal(jstr(c, "license_policy"), "presumption of denial");
	assert_true(has_note(c, "Cannot tell whether case-by-case review"));
	json_decref(c);
}

static void test_licence_exceptions(void **state)
{
	json_t *c;
	(void)state;
	/* 3A090.b designed for data centers: NAC in 2023 */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":150},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-01-01", "CN");
	assert_string_equal(eccn(c), "3A090.b");
	assert_string_equal(jstr(json_array_get(json_object_get(c, "license_exceptions"), 0), "name"), "NAC");
	json_decref(c);
	/* after the April 2024 split: ACA for D:1 outside D:5 and Macau, NAC for China */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":150},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-05-01", "VN");
	assert_string_equal(jstr(json_array_get(json_object_get(c, "license_exceptions"), 0), "name"), "ACA");
	assert_int_equal(json_array_size(json_object_get(c, "license_exceptions")), 1);
	json_decref(c);
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":150},\"die_area_mm2\":1000,\"datacenter\":true}", "2024-05-01", "CN");
	assert_string_equal(jstr(json_array_get(json_object_get(c, "license_exceptions"), 0), "name"), "NAC");
	json_decref(c);
	/* 3A090.a designed for data centers: none; not for data centers (RTX 4090): eligible */
	c = model("H100 SXM", "2024-05-01", "VN");
	assert_int_equal(json_array_size(json_object_get(c, "license_exceptions")), 0);
	json_decref(c);
	c = model("RTX 4090", "2024-05-01", "VN");
	assert_string_equal(jstr(json_array_get(json_object_get(c, "license_exceptions"), 0), "name"), "ACA");
	json_decref(c);
	/* 3A090.c: its destinations are not recorded, so unknown */
	c = spec("{\"name\":\"hbm\",\"hbm_bandwidth_density\":2.5}", "2025-01-01", "CN");
	assert_true(json_is_null(json_object_get(c, "license_required")));
	json_decref(c);
	/* undecided class: licence unknown */
	c = spec("{\"name\":\"x\",\"dense_tops\":{\"bf16\":200},\"datacenter\":true}", "2024-01-01", "CN");
	assert_true(json_is_null(json_object_get(c, "license_required")));
	json_decref(c);
}

static void test_notices(void **state)
{
	json_t *c;
	(void)state;
	c = model("H20", "2025-05-01", NULL);
	assert_true(has_note(c, "Licence required to export the H20"));
	assert_false(has_note(c, "any other circuits"));
	json_decref(c);
	c = model("H20", "2025-04-08", NULL);
	assert_false(has_note(c, "Licence required to export the H20"));
	json_decref(c);
	c = model("H20", "2025-08-11", NULL);
	assert_true(has_note(c, "15%"));
	json_decref(c);
	/* a chip below the lines with the H20's memory bandwidth */
	c = spec("{\"name\":\"lookalike\",\"dense_tops\":{\"bf16\":100},\"die_area_mm2\":800,\"datacenter\":true,\"memory_bandwidth_gbs\":4000}",
		 "2025-05-01", NULL);
	assert_string_equal(eccn(c), "none");
	assert_true(has_note(c, "any other circuits"));
	json_decref(c);
	c = model("H100 SXM", "2025-02-01", NULL);
	assert_true(has_note(c, "AI Diffusion"));
	json_decref(c);
	/* a spec named like a variant gets the notice too */
	c = spec("{\"name\":\"h20-hbm3e\",\"dense_tops\":{\"bf16\":148},\"die_area_mm2\":814,\"datacenter\":true}", "2025-05-01", "CN");
	assert_true(json_is_true(json_object_get(c, "license_required")));
	json_decref(c);
}

/* ---- the spec parser ---- */

static void expect_spec_error(const char *text, const char *want)
{
	char err[512];
	struct chip_spec s;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);

	assert_non_null(doc);
	if (chip_spec_from_json(&s, doc, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", text);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", text, err, want);
	json_decref(doc);
}

static void test_spec_errors(void **state)
{
	(void)state;
	expect_spec_error("[]", "spec: expected a JSON object");
	expect_spec_error("{\"dense_tops\":{\"bf16\":1}}", "spec.name: missing");
	expect_spec_error("{\"name\":\"\",\"dense_tops\":{\"bf16\":1}}", "spec.name: expected a printable");
	expect_spec_error("{\"name\":\"a\\u0007b\",\"dense_tops\":{\"bf16\":1}}", "spec.name: expected a printable");
	expect_spec_error("{\"name\":7,\"dense_tops\":{\"bf16\":1}}", "spec.name: expected a string");
	expect_spec_error("{\"name\":\"x\"}", "nothing to classify");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{}}", "nothing to classify");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":null}}", "nothing to classify");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":[148]}", "spec.dense_tops: expected an object");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":\"148\"}}", "spec.dense_tops.bf16: expected a number");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":-1}}", "spec.dense_tops.bf16: -1 is negative");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1e9}}", "spec.dense_tops.bf16: 1e+09 is not plausible");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"fp12\":1}}", "spec.dense_tops.fp12: unknown precision");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"die_area_mm2\":0}", "spec.die_area_mm2: must be greater than 0");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"die_area_mm2\":-814}", "spec.die_area_mm2: -814 is negative");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"die_area_mm2\":\"814\"}", "spec.die_area_mm2: expected a number");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"die_area_mm2\":1e6}", "not plausible");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"datacenter\":\"yes\"}", "spec.datacenter: expected true or false");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"die_area\":814}", "spec.die_area: unknown member");
	expect_spec_error("{\"name\":\"x\",\"hbm_bandwidth_density\":-2}", "spec.hbm_bandwidth_density: -2 is negative");
	expect_spec_error("{\"name\":\"x\",\"hbm_bandwidth_density\":5000}", "not plausible");
	expect_spec_error("{\"name\":\"x\",\"dense_tops\":{\"bf16\":1},\"interconnect_bandwidth_gbs\":true}", "expected a number");
}

static void test_spec_ok(void **state)
{
	char err[256];
	struct chip_spec s;
	json_t *doc = json_loads("{\"name\":\"Mystery\",\"dense_tops\":{\"bf16\":148,\"int8\":null},\"die_area_mm2\":814,"
				 "\"datacenter\":true,\"memory_bandwidth_gbs\":4000,\"interconnect_bandwidth_gbs\":null}", 0, NULL);
	(void)state;
	assert_int_equal(chip_spec_from_json(&s, doc, err, sizeof(err)), 0);
	assert_string_equal(s.name, "Mystery");
	assert_true(s.dense_tops[PREC_BF16] == 148);
	assert_true(isnan(s.dense_tops[PREC_INT8]));
	assert_true(isnan(s.interconnect_bandwidth_gbs));
	assert_int_equal(s.datacenter, 1);
	json_decref(doc);
}

/* ---- measured figures ---- */

static void test_measured_validate(void **state)
{
	static const struct { const char *text; int rc; const char *err; } rows[] = {
		{ "null", 0, NULL },
		{ "{}", 0, NULL },
		{ "{\"dense_tops\":null}", 0, NULL },
		{ "{\"dense_tops\":{\"bf16\":null}}", 0, NULL },
		{ "{\"dense_tops\":{\"bf16\":780.2}}", 1, NULL },
		{ "\"fast\"", -1, "measured: expected an object" },
		{ "{\"dense_tops\":[1]}", -1, "measured.dense_tops: expected an object" },
		{ "{\"dense_tops\":{\"bf16\":\"780\"}}", -1, "measured.dense_tops.bf16: expected a number" },
		{ "{\"dense_tops\":{\"bf16\":-5}}", -1, "measured.dense_tops.bf16: -5 is negative" },
		{ "{\"dense_tops\":{\"tf64\":5}}", -1, "measured.dense_tops.tf64: unknown precision" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char err[256] = "";
		json_t *v = json_loads(rows[i].text, JSON_DECODE_ANY, NULL);
		int rc = measured_validate(v, err, sizeof(err));
		if (rc != rows[i].rc || (rows[i].err && strstr(err, rows[i].err) == NULL))
			fail_msg("%s: rc %d \"%s\"", rows[i].text, rc, err);
		json_decref(v);
	}
	assert_int_equal(measured_validate(NULL, NULL, 0), 0);
}

static void test_measured_h20_like_h100(void **state)
{
	const struct accel_model *m = accdb_by_name(&db, "H20");
	json_t *measured = json_loads("{\"dense_tops\":{\"bf16\":780.2}}", 0, NULL), *c;
	struct chip_spec s;
	(void)state;
	chip_spec_from_model(&s, m);
	chip_spec_apply_measured(&s, measured);
	c = export_classify(&data, &s, "2025-11-29", NULL);
	assert_string_equal(eccn(c), "3A090.a");
	assert_int_equal(export_class_rank(eccn(c)), 2);
	assert_int_equal(export_class_rank("none"), 0);
	assert_int_equal(export_class_rank("3A090.b"), 1);
	assert_int_equal(export_class_rank(NULL), -1);
	assert_int_equal(export_class_rank("3A090.c"), -1);
	json_decref(c);
	json_decref(measured);
}

/* ---- destinations parse ---- */

static void test_destination_parse(void **state)
{
	char cc[3], err[256];
	(void)state;
	assert_int_equal(export_destination_parse(&data, "cn", cc, err, sizeof(err)), 0);
	assert_string_equal(cc, "CN");
	assert_int_equal(export_destination_parse(&data, "ZZ", cc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ISO 3166-1 alpha-2 country code known to"));
	assert_int_equal(export_destination_parse(&data, "CHN", cc, err, sizeof(err)), -1);
	assert_int_equal(export_destination_parse(&data, "C1", cc, err, sizeof(err)), -1);
	assert_int_equal(export_destination_parse(&data, "", cc, err, sizeof(err)), -1);
}

/* ---- the data validators ---- */

static void expect_data_error(const char *jq_path, json_t *(*mutate)(json_t *rules, json_t *groups), const char *want)
{
	char err[512];
	struct export_data d;
	json_t *rules = json_deep_copy(data.rules), *groups = json_deep_copy(data.groups);
	(void)jq_path;
	mutate(rules, groups);
	if (export_data_from_json(&d, rules, groups, err, sizeof(err)) == 0) {
		export_data_free(&d);
		fail_msg("accepted a broken document (%s)", want);
	}
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static json_t *bad_op(json_t *r, json_t *g)
{
	(void)g;
	json_t *c = json_array_get(json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(r, "rule_sets"), 2),
		"paragraphs"), 0), "conditions"), 0);
	json_object_set_new(c, "op", json_string("=>"));
	return r;
}

static json_t *bad_group(json_t *r, json_t *g)
{
	(void)g;
	json_t *d = json_object_get(json_object_get(json_array_get(json_object_get(r, "rule_sets"), 2), "licence"), "destinations");
	json_array_set_new(json_object_get(d, "groups"), 0, json_string("D:9"));
	return r;
}

static json_t *bad_order(json_t *r, json_t *g)
{
	(void)g;
	json_object_set_new(json_array_get(json_object_get(r, "rule_sets"), 3), "in_force", json_string("2020-01-01"));
	return r;
}

static json_t *bad_bits(json_t *r, json_t *g)
{
	(void)g;
	json_object_del(json_object_get(r, "bit_lengths"), "tf32");
	return r;
}

static json_t *bad_member(json_t *r, json_t *g)
{
	(void)r;
	json_array_append_new(json_object_get(json_array_get(json_object_get(g, "groups"), 0), "members"), json_string("XX"));
	return g;
}

static json_t *bad_date(json_t *r, json_t *g)
{
	(void)g;
	json_object_set_new(json_array_get(json_object_get(r, "notices"), 0), "from", json_string("2025-02-30"));
	return r;
}

static json_t *bad_source(json_t *r, json_t *g)
{
	(void)g;
	json_array_append_new(json_object_get(json_array_get(json_object_get(r, "rule_sets"), 0), "sources"), json_string("NOPE"));
	return r;
}

static json_t *bad_threshold(json_t *r, json_t *g)
{
	(void)g;
	json_t *c = json_array_get(json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(r, "rule_sets"), 2),
		"paragraphs"), 0), "conditions"), 0);
	json_object_set_new(c, "value", json_string("4800"));
	return r;
}

static void test_data_validation(void **state)
{
	(void)state;
	expect_data_error("op", bad_op, "data/export-rules.json: rule_sets[2].paragraphs[0].conditions[0].op: expected >=, >, < or <=");
	expect_data_error("group", bad_group, "rule_sets[2].licence.destinations.groups[0]: \"D:9\" is not a group");
	expect_data_error("order", bad_order, "rule_sets[3].in_force: rule sets must be in increasing in_force order");
	expect_data_error("bits", bad_bits, "bit_lengths.tf32: missing");
	expect_data_error("member", bad_member, "data/country-groups.json: groups[0].members[");
	expect_data_error("date", bad_date, "notices[0].from: expected a date");
	expect_data_error("source", bad_source, "rule_sets[0].sources[2]: \"NOPE\" is not a source key");
	expect_data_error("threshold", bad_threshold, "conditions[0].value: expected a number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_table),
		cmocka_unit_test(test_h20_working),
		cmocka_unit_test(test_tf32_bit_length),
		cmocka_unit_test(test_a800_2022_and_2023),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_exact_margin),
		cmocka_unit_test(test_unknown_figures),
		cmocka_unit_test(test_rule_dates),
		cmocka_unit_test(test_dates_valid),
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_case_by_case_boundaries),
		cmocka_unit_test(test_licence_exceptions),
		cmocka_unit_test(test_notices),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_spec_ok),
		cmocka_unit_test(test_measured_validate),
		cmocka_unit_test(test_measured_h20_like_h100),
		cmocka_unit_test(test_destination_parse),
		cmocka_unit_test(test_data_validation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
