#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/accdb.h"
#include "core/util.h"

static struct accdb db;

static int setup(void **state)
{
	char err[512];
	(void)state;
	if (accdb_load(&db, err, sizeof(err)) != 0) {
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

static void test_by_pci(void **state)
{
	const struct accel_model *m;
	(void)state;
	m = accdb_by_pci(&db, 0x10de, 0x2329);
	assert_non_null(m);
	assert_string_equal(m->name, "H20");
	assert_int_equal((int)m->compute_units, 78);
	assert_true(fabs(m->dense_tops[PREC_BF16] - 148) < 1e-9);
	assert_true(fabs(m->die_area_mm2 - 814) < 1e-9);
	assert_int_equal(m->datacenter, 1);
	assert_string_equal(accdb_by_pci(&db, 0x10de, 0x2335)->name, "H200 SXM");
	assert_string_equal(accdb_by_pci(&db, 0x1002, 0x74a1)->name, "MI300X");
	assert_null(accdb_by_pci(&db, 0x10de, 0x0001));
}

static void test_by_name(void **state)
{
	(void)state;
	assert_string_equal(accdb_by_name(&db, "h20")->name, "H20");
	assert_string_equal(accdb_by_name(&db, "H100 SXM")->name, "H100 SXM");
	assert_string_equal(accdb_by_name(&db, "h100-sxm")->name, "H100 SXM");
	assert_null(accdb_by_name(&db, "H999"));
}

static void test_close_matches(void **state)
{
	const struct accel_model *out[5];
	size_t n;
	(void)state;
	n = accdb_close_matches(&db, "H10", out, 5);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strstr(out[i]->name, "H10"));
}

static void test_is_accelerator(void **state)
{
	(void)state;
	assert_true(accdb_is_accelerator(&db, 0x10de, 0x2329, 0x030200));
	/* NVSwitch is class 0680: not an accelerator */
	assert_false(accdb_is_accelerator(&db, 0x10de, 0x22a3, 0x068000));
	/* Huawei NIC and BMC display share the vendor: only class 12 counts */
	assert_false(accdb_is_accelerator(&db, 0x19e5, 0x1822, 0x020000));
	assert_false(accdb_is_accelerator(&db, 0x19e5, 0x1711, 0x030000));
	assert_true(accdb_is_accelerator(&db, 0x19e5, 0xd802, 0x120000));
	/* ASPEED BMC display, virtio */
	assert_false(accdb_is_accelerator(&db, 0x1a03, 0x2000, 0x030000));
	assert_false(accdb_is_accelerator(&db, 0x1af4, 0x1050, 0x030000));
	/* Intel counts only for listed devices */
	assert_false(accdb_is_accelerator(&db, 0x8086, 0x46a6, 0x030000));
	/* any vendor's processing accelerator or 3D controller counts: a
	 * Kunlun, a vendor unknown to vendors.json (0x1ea0, Tencent) */
	assert_true(accdb_is_accelerator(&db, 0x1d22, 0x3684, 0x120000));
	assert_true(accdb_is_accelerator(&db, 0x1ea0, 0x2a20, 0x120000));
	assert_true(accdb_is_accelerator(&db, 0x1ea0, 0x2a20, 0x030200));
	assert_false(accdb_is_accelerator(&db, 0x1ea0, 0x2a20, 0x030000));
	/* Baidu's cloud storage device is not one */
	assert_false(accdb_is_accelerator(&db, 0x1d22, 0x1380, 0x010802));
}

static void test_rejects_bad_documents(void **state)
{
	struct accdb bad;
	char err[512];
	(void)state;
	assert_int_equal(accdb_from_json(&bad, json_loads("[]", 0, NULL), json_loads("{\"vendors\":[]}", 0, NULL), err, sizeof(err)), -1);
	assert_string_equal(err, "data/accelerators.json: not a chipaudit-accelerators/1 document");
	assert_int_equal(accdb_from_json(&bad,
		json_loads("{\"schema\":\"chipaudit-accelerators/1\",\"models\":[{\"name\":\"X\",\"vendor\":\"V\",\"vendor_id\":\"10de\",\"device_ids\":[\"12345\"]}]}", 0, NULL),
		json_loads("{\"vendors\":[]}", 0, NULL), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "models[0].device_ids[0]"));
	assert_int_equal(accdb_from_json(&bad,
		json_loads("{\"schema\":\"chipaudit-accelerators/1\",\"models\":[]}", 0, NULL),
		json_loads("{\"vendors\":[{\"vendor_id\":\"10de\",\"name\":\"N\",\"classes\":[\"3\"],\"database_only\":false}]}", 0, NULL), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vendors.json: vendors[0].classes[0]"));
}


/* A valid model entry: NAME, its device IDs (a JSON array text) and, when
 * not NULL, its variant_of (a JSON value text). */
static json_t *model(const char *name, const char *ids, const char *variant_of)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:o, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:{}, s:{}}",
			      "name", name, "vendor", "V", "vendor_id", "19e5", "device_ids", json_loads(ids, 0, NULL),
			      "datacenter", "compute_units", "memory_gb", "memory_bandwidth_gbs",
			      "interconnect_bandwidth_gbs", "die_area_mm2", "logic_dies", "tdp_w", "architecture",
			      "dense_tops", "sources");
	json_t *tops = json_object_get(m, "dense_tops");

	for (int p = 0; p < PREC_COUNT; p++)
		json_object_set_new(tops, precision_names[p], json_null());
	if (variant_of)
		json_object_set_new(m, "variant_of", json_loads(variant_of, JSON_DECODE_ANY, NULL));
	return m;
}

/* 0, or -1 with err, for a database of the given models (stolen). */
static int load_models(json_t *models, char *err, size_t errlen)
{
	struct accdb d;
	int rc = accdb_from_json(&d, json_pack("{s:s, s:o}", "schema", "chipaudit-accelerators/1", "models", models),
				 json_loads("{\"vendors\":[]}", 0, NULL), err, errlen);

	accdb_free(&d);
	return rc;
}

/* 0, or -1 with err, for a database of model X (made by "Maker") and Y (by
 * "Other") beside a vendors.json whose "makers" and "sources" are the texts
 * given. */
static int load_makers(const char *makers, const char *sources, char *err, size_t errlen, struct accdb *out)
{
	char *vendors = xasprintf("{\"vendors\":[],\"sources\":%s,\"makers\":%s}", sources, makers);
	json_t *x = model("X", "[]", NULL), *y = model("Y", "[]", NULL);
	int rc;

	json_object_set_new(x, "vendor", json_string("Maker"));
	json_object_set_new(y, "vendor", json_string("Other"));
	rc = accdb_from_json(out, json_pack("{s:s, s:[o, o]}", "schema", "chipaudit-accelerators/1", "models", x, y),
			     json_loads(vendors, 0, NULL), err, errlen);
	free(vendors);
	return rc;
}

static void test_makers(void **state)
{
	struct accdb d;
	char err[512];
	(void)state;
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":\"CN\",\"source\":[\"S\"]}]",
				     "{\"S\":{\"title\":\"t\",\"url\":null}}", err, sizeof(err), &d), 0);
	assert_string_equal(accdb_by_name(&d, "X")->maker_country, "CN");
	assert_null(accdb_by_name(&d, "Y")->maker_country); /* not listed: unknown */
	accdb_free(&d);
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":null,\"source\":[]}]", "{}", err, sizeof(err), &d), 0);
	assert_null(accdb_by_name(&d, "X")->maker_country);
	accdb_free(&d);
	/* hostile or sloppy tables: each refused, naming the entry */
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":\"cn\",\"source\":[\"S\"]}]",
				     "{\"S\":{}}", err, sizeof(err), &d), -1);
	assert_string_equal(err, "data/vendors.json: makers[0].country: expected an ISO 3166 code of two capital "
				 "letters, or null");
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":\"CHN\",\"source\":[\"S\"]}]",
				     "{\"S\":{}}", err, sizeof(err), &d), -1);
	assert_non_null(strstr(err, "makers[0].country"));
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":\"CN\",\"source\":[]}]", "{}", err, sizeof(err), &d), -1);
	assert_string_equal(err, "data/vendors.json: makers[0].source: a country needs a source");
	assert_int_equal(load_makers("[{\"name\":\"Maker\",\"country\":\"CN\",\"source\":[\"NOPE\"]}]", "{}", err,
				     sizeof(err), &d), -1);
	assert_string_equal(err, "data/vendors.json: makers[0].source[0]: \"NOPE\" is not one of \"sources\"");
	assert_int_equal(load_makers("{}", "{}", err, sizeof(err), &d), -1);
	assert_string_equal(err, "data/vendors.json: \"makers\" must be an array");
	assert_int_equal(load_makers("[7]", "{}", err, sizeof(err), &d), -1);
	assert_string_equal(err, "data/vendors.json: makers[0]: expected an object");
	assert_int_equal(load_makers("[{\"country\":null,\"source\":[]}]", "{}", err, sizeof(err), &d), -1);
	assert_non_null(strstr(err, "makers[0].name"));
}

static void test_variants(void **state)
{
	char err[512];
	(void)state;
	assert_ptr_equal(accdb_by_name(&db, "Ascend 910B3")->variant_of, accdb_by_name(&db, "Ascend 910B"));
	assert_ptr_equal(accdb_by_name(&db, "Ascend 910B4")->variant_of, accdb_by_name(&db, "Ascend 910B"));
	assert_null(accdb_by_name(&db, "Ascend 910B")->variant_of);
	assert_null(accdb_by_name(&db, "H20")->variant_of);

	assert_int_equal(load_models(json_pack("[o,o]", model("B", "[\"d802\"]", NULL), model("B3", "[]", "\"B\"")),
				     err, sizeof(err)), 0);
	assert_int_equal(load_models(json_pack("[o]", model("B3", "[]", "\"B\"")), err, sizeof(err)), -1);
	assert_string_equal(err, "data/accelerators.json: models[0].variant_of: \"B\" is not a model of the file");
	assert_int_equal(load_models(json_pack("[o]", model("B3", "[]", "\"b-3\"")), err, sizeof(err)), -1);
	assert_string_equal(err, "data/accelerators.json: models[0].variant_of: \"b-3\" is the model itself");
	assert_int_equal(load_models(json_pack("[o,o]", model("B", "[\"d802\"]", NULL), model("B3", "[\"d803\"]", "\"B\"")),
				     err, sizeof(err)), -1);
	assert_non_null(strstr(err, "models[1].variant_of: a variant has no device IDs of its own"));
	assert_int_equal(load_models(json_pack("[o,o,o]", model("B", "[\"d802\"]", NULL), model("B3", "[]", "\"B\""),
					       model("B33", "[]", "\"B3\"")), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "models[2].variant_of"));
	assert_int_equal(load_models(json_pack("[o]", model("B3", "[]", "42")), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "models[0].variant_of"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_pci),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_close_matches),
		cmocka_unit_test(test_is_accelerator),
		cmocka_unit_test(test_rejects_bad_documents),
		cmocka_unit_test(test_makers),
		cmocka_unit_test(test_variants),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
