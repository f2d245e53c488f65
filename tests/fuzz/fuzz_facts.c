/* libFuzzer target: the facts parser and validator, then every check on
 * whatever validates (checks must never crash on a valid document). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/accdb.h"
#include "core/check.h"
#include "probe/facts.h"
#include "core/json.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct accdb db;
static int loaded;
static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *facts, *report;
	struct judge_options opts = { 0 };
	struct findings f = { 0 };

	if (!loaded) {
		if (accdb_load(&db, err, sizeof(err)) != 0)
			abort();
		sink = fopen("/dev/null", "w");
		if (sink == NULL)
			abort();
		loaded = 1;
	}
	facts = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	if (facts == NULL)
		return 0;
	if (facts_validate(facts, "fuzz", err, sizeof(err)) == 0) {
		struct judge_ctx ctx = { .facts = facts, .accdb = &db, .options = &opts };
		judge_run(&ctx, &f);
		report = report_build(facts, &f);
		report_render_text(sink, report, false);
		json_decref(report);
		findings_free(&f);
	}
	json_decref(facts);
	return 0;
}
