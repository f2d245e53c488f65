/* libFuzzer target: the chip spec parser (`chipaudit classify --spec`), the
 * measured-figures validator, and the classifier on whatever they accept. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json.h"
#include "export/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct export_data rules;

static void release(void)
{
	export_data_free(&rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dates[] = { "2022-01-01", "2023-06-01", "2024-01-01", "2025-05-01", "2026-02-01" };
	static const char *const dests[] = { NULL, "CN", "HK", "KZ", "VN", "IL" };
	static int loaded;
	char err[1024];
	struct chip_spec s;
	json_t *doc;

	if (!loaded) {
		if (export_data_load(&rules, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
		atexit(release);
		loaded = 1;
	}
	doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	if (doc == NULL)
		return 0;
	measured_validate(doc, err, sizeof(err));
	if (chip_spec_from_json(&s, doc, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
			json_t *c = export_classify(&rules, &s, dates[i], dests[i % (sizeof(dests) / sizeof(dests[0]))]);
			char *text = json_dumps(c, 0);
			free(text);
			json_decref(c);
		}
	}
	json_decref(doc);
	return 0;
}
