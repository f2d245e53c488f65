/* libFuzzer target: the views of a parsed report, --format prometheus and
 * --format html. Must never crash on any input. Two more rules abort the
 * run, checked independently of the renderers' own escaping: every line of
 * the metrics is a HELP or TYPE line or a sample in the exposition format's
 * grammar (each label value closed, with no escape but \\, \" and \n), and
 * the page holds no element the page itself never writes (script, img,
 * iframe, object, embed, link, base, form) and no event handler attribute. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "evidence/chain.h"
#include "report/html.h"
#include "report/prometheus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct accdb db;
static int loaded;

/* One sample line: NAME[{KEY="VALUE",...}] NUMBER. */
static int sample_line(const char *p, const char *end)
{
	if (p == end || !(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == ':'))
		p++;
	if (p < end && *p == '{') {
		do {
			p++;
			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			if (end - p < 2 || p[0] != '=' || p[1] != '"')
				return 0;
			for (p += 2; p < end && *p != '"'; p++)
				if (*p == '\\' && (++p == end || (*p != '\\' && *p != '"' && *p != 'n')))
					return 0;
			if (p == end)
				return 0;
			p++;
		} while (p < end && *p == ',');
		if (p == end || *p++ != '}')
			return 0;
	}
	if (p == end || *p++ != ' ' || p == end)
		return 0;
	for (; p < end; p++)
		if (!isdigit((unsigned char)*p) && !strchr("+-.e", *p))
			return 0;
	return 1;
}

static void check_metrics(const char *text)
{
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		if (end == NULL)
			abort();  /* the last line unterminated */
		if (strncmp(line, "# HELP ", 7) != 0 && strncmp(line, "# TYPE ", 7) != 0 && !sample_line(line, end))
			abort();  /* a line no parser of the format would take */
		line = end + 1;
	}
}

static void check_page(const char *page)
{
	static const char *const never[] = { "<script", "<img", "<iframe", "<object", "<embed", "<link", "<base",
					     "<form", " on" };

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		for (const char *p = page; (p = strcasestr(p, never[i])) != NULL; p++) {
			/* " on" is a handler only inside a tag: "... on ..." in text is fine */
			if (never[i][0] == ' ') {
				const char *lt = p, *gt = p;
				while (lt > page && *lt != '<' && *lt != '>')
					lt--;
				while (*gt && *gt != '=' && *gt != ' ' && *gt != '>')
					gt++;
				if (*lt == '<' && isalpha((unsigned char)p[3]) && *gt == '=')
					abort();  /* an attribute named on... */
				continue;
			}
			abort();  /* an element of the input's reached the page */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *report;

	if (!loaded) {
		if (accdb_load(&db, err, sizeof(err)) != 0)
			abort();
		loaded = 1;
	}
	report = report_parse((const char *)data, size, "fuzz", err, sizeof(err));
	if (report) {
		struct report_signature sig = { SIGNATURE_VALID, "fuzz.sig", "sha256:00" };
		char *metrics = report_render_prometheus(report, NULL, err, sizeof(err));
		char *page = report_render_html(report, &db, &sig);
		if (metrics)
			check_metrics(metrics);
		check_page(page);
		free(metrics);
		free(page);
		json_decref(report);
	}
	return 0;
}
