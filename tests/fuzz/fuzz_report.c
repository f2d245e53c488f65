/* libFuzzer target: the report parser (strict JSON, the members diff and
 * drift read, the evidence members, the facts a report carries), then what
 * reads a parsed report: diff against itself and the drift checks with it
 * as their baseline. Must never crash on any input. Two more rules abort
 * the run: a report the other commands accept must also pass verify's
 * scanner (src/parse/jscan.c), and its text forms (the report, diff)
 * must hold no byte a terminal acts on: no control character but newline,
 * no C1 control or bidirectional override, only well-formed UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "report/report.h"
#include "evidence/chain.h"
#include "evidence/diff.h"
#include "parse/jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct accdb db;
static int loaded;
static FILE *sink;

/* Whether TEXT is safe to show on a terminal, checked independently of
 * core/util.c's escaping. */
static int terminal_safe(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i], cp, len;
		if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
			i++;
			continue;
		}
		if (c < 0x80 || c < 0xc2 || c > 0xf4)
			return 0;
		len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + len > n)
			return 0;
		cp = c & (0x7f >> len);
		for (unsigned k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += len;
	}
	return 1;
}

static void check_text(const json_t *report, const json_t *changes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	report_render_text(f, report, false);
	diff_render_text(f, changes);
	fclose(f);
	if (!terminal_safe((const unsigned char *)buf, len))
		abort();  /* a control byte from the input reached the text output */
	free(buf);
}

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
		struct jscan_member none = { .key = "schema_version" };
		if (jscan_object((const char *)data, size, &none, 1, err, sizeof(err)) != 0)
			abort();  /* diff and history read it; verify would refuse it */
		changes = report_diff(report, report);
		diff_render_text(sink, changes);
		check_text(report, changes);
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
