/* chipaudit checks: the catalogue of every check. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/util.h"

struct checks_options {
	bool json;
};

static const struct opt_row checks_rows[] = {
	OPT_BOOL("json", 'j', "print the catalogue as JSON", struct checks_options, json),
	OPT_END,
};
static const struct opt_table checks_table = { NULL, checks_rows };

const struct cmd_spec checks_spec = {
	.name = "checks",
	.synopsis = "usage: chipaudit checks [--json]\n",
	.about = "  List every check: id, category, severity, what it looks at, what it needs.\n",
	.tables = { &checks_table },
};

static json_t *needs_json(unsigned needs)
{
	json_t *a = json_array();
	if (needs & NEEDS_ROOT)
		json_array_append_new(a, json_string("root"));
	if (needs & NEEDS_GPU)
		json_array_append_new(a, json_string("gpu"));
	if (needs & NEEDS_VENDOR_LIBRARY)
		json_array_append_new(a, json_string("vendor-library"));
	return a;
}

static json_t *catalogue(void)
{
	json_t *list = json_array();

	for (size_t i = 0; i < check_family_count; i++) {
		const struct check_family *fam = check_families[i];
		for (size_t j = 0; j < fam->count; j++) {
			const struct check *c = &fam->checks[j];
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
				"id", c->id, "category", c->category, "title", c->title,
				"severity", severity_name(c->severity), "looks_at", c->looks_at,
				"needs", needs_json(c->needs)));
		}
	}
	return list;
}

static void print_table(const json_t *list)
{
	size_t i;
	json_t *c;

	text_printf(stdout, "%-40s %-11s %-9s %-14s %s\n", "ID", "CATEGORY", "SEVERITY", "NEEDS", "TITLE");
	json_array_foreach(list, i, c) {
		char needs[64] = "";
		size_t k;
		json_t *n;
		json_array_foreach(json_object_get(c, "needs"), k, n)
			snprintf(needs + strlen(needs), sizeof(needs) - strlen(needs), "%s%s",
				 k ? "," : "", json_string_value(n));
		text_printf(stdout, "%-40s %-11s %-9s %-14s %s\n", jstr(c, "id"), jstr(c, "category"),
		       jstr(c, "severity"), needs[0] ? needs : "-", jstr(c, "title"));
	}
}

int cmd_checks(int argc, char **argv)
{
	struct checks_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	json_t *list;
	int rc = options_parse(&checks_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n != 0)
		return options_usage_error(&checks_spec, "unexpected argument '%s'", ops.v[0]);
	list = catalogue();
	if (o.json)
		rc = print_json(stdout, list);
	else
		print_table(list);
	json_decref(list);
	return rc;
}
