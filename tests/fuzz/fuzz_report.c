/* libFuzzer target: the report parser (strict JSON, the members diff and
 * drift read, the evidence members, the facts a report carries), then what
 * reads a parsed report: diff against itself and the drift checks with it
 * as their baseline. Must never crash on any input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "evidence/chain.h"
#include "evidence/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct accdb db;
static int loaded;
static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *report, *changes, *doc, *baseline;

	if (!loaded) {
		if (accdb_load(&db, err, sizeof(err)) != 0)
			abort();
		sink = fopen("/dev/null", "w");
		if (sink == NULL)
			abort();
		loaded = 1;
	}
	report = report_parse((const char *)data, size, "fuzz", err, sizeof(err));
	if (report) {
		changes = report_diff(report, report);
		diff_render_text(sink, changes);
		json_decref(changes);
		if (report_facts(report)) {
			struct judge_options opts = { 0 };
			struct findings f = { 0 };
			struct judge_ctx ctx = { .facts = report_facts(report), .accdb = &db, .options = &opts };
			opts.baseline = json_incref(json_object_get(report, "facts"));
			opts.reference = json_incref(opts.baseline);
			judge_run(&ctx, &f);
			findings_free(&f);
			json_decref(opts.baseline);
			json_decref(opts.reference);
		}
		json_decref(report);
	}
	/* --baseline takes a report or a facts document */
	doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	if (doc) {
		baseline = baseline_from_document(doc, "fuzz", err, sizeof(err));
		json_decref(baseline);
		json_decref(doc);
	}
	return 0;
}
