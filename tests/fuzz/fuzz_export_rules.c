/* libFuzzer target: the export data validators (data/export-rules.json and
 * data/country-groups.json, replaceable with --data-dir). The input is tried
 * as each file beside the built-in other one; what validates is then used. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/data.h"
#include "core/json.h"
#include "export/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *builtin_rules, *builtin_groups;

static void release(void)
{
	json_decref(builtin_rules);
	json_decref(builtin_groups);
}

static void exercise(const struct export_data *d)
{
	static const char *const names[] = { "H20", "MI308X", "x" };
	static const char *const dates[] = { "2000-01-01", "2023-06-01", "2025-08-11", "2099-01-01" };
	static const char *const dests[] = { "CN", "HK", "MO", "KZ", "US" };

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct chip_spec s;
		json_t *c;
		chip_spec_init(&s, names[i % 3]);
		s.dense_tops[PREC_BF16] = 100.0 * (double)(i + 1);
		s.die_area_mm2 = i % 2 ? 500 : s.die_area_mm2;
		s.datacenter = (int)i % 3 - 1;
		s.memory_bandwidth_gbs = 4000;
		c = export_classify(d, &s, dates[i], dests[i % 5]);
		json_decref(c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct export_data d;
	json_t *doc;

	if (builtin_rules == NULL) {
		builtin_rules = data_load("export-rules.json", err, sizeof(err));
		builtin_groups = data_load("country-groups.json", err, sizeof(err));
		if (builtin_rules == NULL || builtin_groups == NULL) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
		atexit(release);
	}
	doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	if (doc == NULL)
		return 0;
	if (export_data_from_json(&d, json_incref(doc), json_deep_copy(builtin_groups), err, sizeof(err)) == 0) {
		exercise(&d);
		export_data_free(&d);
	}
	if (export_data_from_json(&d, json_deep_copy(builtin_rules), json_incref(doc), err, sizeof(err)) == 0) {
		exercise(&d);
		export_data_free(&d);
	}
	json_decref(doc);
	return 0;
}
