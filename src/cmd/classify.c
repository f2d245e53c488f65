/* chipaudit classify: the US export-control class (ECCN 3A090) of the
 * accelerators on this machine, of a model in the database, or of a chip
 * described in a spec file, under the rules in force on a date, with the
 * licence requirement for a destination. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "probe/facts.h"
#include "core/json.h"
#include "core/util.h"
#include "export/export.h"

struct options {
	const char *model, *spec, *facts, *root, *rules, *destination;
	bool json;
};

/* --model, --spec, --facts and --root each name what to classify: one of them. */
static int set_source(const char *value, void *target, char *err, size_t errlen)
{
	if (*(const char **)target != NULL) {
		snprintf(err, errlen, "classify: give one of --model, --spec, --facts and --root");
		return EXIT_USAGE;
	}
	*(const char **)target = value;
	return 0;
}

static const struct opt_row classify_rows[] = {
	{ .long_name = "model", .short_name = 'm', .arg = OPT_ARG_REQUIRED, .arg_name = "NAME",
	  .help = "a model of data/accelerators.json (\"H20\", \"H100 SXM\")", .set = set_source,
	  .offset = offsetof(struct options, model) },
	{ .long_name = "spec", .short_name = 's', .arg = OPT_ARG_REQUIRED, .arg_name = "FILE",
	  .help = "a chip described in JSON ('-' for standard input); see docs/export.md", .set = set_source,
	  .offset = offsetof(struct options, spec) },
	{ .long_name = "facts", .short_name = 'f', .arg = OPT_ARG_REQUIRED, .arg_name = "FILE",
	  .help = "the accelerators of a facts document (from `chipaudit facts`)", .set = set_source,
	  .offset = offsetof(struct options, facts) },
	{ .long_name = "root", .short_name = 'r', .arg = OPT_ARG_REQUIRED, .arg_name = "DIR",
	  .help = "read the machine's sysfs under DIR", .set = set_source, .offset = offsetof(struct options,
	  root) },
	OPT_STRING("rules", 'R', "DATE", "the rules in force on DATE, YYYY-MM-DD (default: today)",
	  struct options, rules),
	OPT_STRING("destination", 'd', "CC", "licence requirement and review policy for ISO 3166 country CC",
	  struct options, destination),
	OPT_BOOL("json", 'j', "print JSON", struct options, json),
	OPT_END,
};
static const struct opt_table classify_table = { NULL, classify_rows };

const struct cmd_spec classify_spec = {
	.name = "classify",
	.synopsis = "usage: chipaudit classify [--model NAME | --spec FILE | --facts FILE | --root DIR]\n"
		    "                          [--rules DATE] [--destination CC] [--json]\n",
	.about = "  Classify accelerators under the US export rules (ECCN 3A090): TPP, performance\n"
		 "  density, the paragraph matched and by how much each threshold is cleared or\n"
		 "  missed, and the licence requirement for a destination. Without --model, --spec\n"
		 "  or --facts: every accelerator on this machine (or under --root DIR).\n",
	.trailer = "Exit: 0 classified (whatever the class); 64 bad option or unknown model; 65 bad spec;\n"
		   "66 unreadable file; 78 broken data files.\n",
	.tables = { &classify_table },
};

/* ---- building the list of classifications ---- */

static json_t *classify_model(const struct export_data *d, const struct accel_model *m, const char *date,
			      const char *cc)
{
	struct chip_spec s;
	json_t *c;

	chip_spec_from_model(&s, m);
	c = export_classify(d, &s, date, cc);
	jset_str(c, "source", "declared (data/accelerators.json)");
	return c;
}

static const char *eccn_text(const json_t *c)
{
	const char *e = jstr(c, "eccn");
	return e ? e : "undecided";
}

static const char *licence_text(const json_t *c)
{
	const json_t *l = json_object_get(c, "license_required");
	if (json_is_null(json_object_get(c, "destination")))
		return "-";
	return json_is_true(l) ? "required" : json_is_false(l) ? "not required" : "unknown";
}

/* Whether MODEL is a variant of the family NAME: NAME, in any case, then a
 * space ("A100" names "A100 SXM4 80GB" and "A100 PCIe 40GB"). */
static bool is_variant(const struct accel_model *model, const char *name)
{
	size_t len = strlen(name);

	return len > 0 && strncasecmp(model->name, name, len) == 0 && model->name[len] == ' ';
}

/* The answer a classification gives: class, paragraph and, with a
 * destination, the licence requirement. */
static bool same_answer(const json_t *a, const json_t *b, bool destination)
{
	return json_equal(json_object_get(a, "eccn"), json_object_get(b, "eccn")) &&
	       json_equal(json_object_get(a, "paragraph"), json_object_get(b, "paragraph")) &&
	       (!destination || json_equal(json_object_get(a, "license_required"), json_object_get(b, "license_required")));
}

/* "3A090.a (3A090.a.1), licence required" */
static void answer_text(char *buf, size_t len, const json_t *c, bool destination)
{
	const char *paragraph = jstr(c, "paragraph");

	snprintf(buf, len, "%s%s%s%s%s%s", eccn_text(c), paragraph && strcmp(paragraph, "none") ? " (" : "",
		 paragraph && strcmp(paragraph, "none") ? paragraph : "", paragraph && strcmp(paragraph, "none") ? ")" : "",
		 destination ? ", licence " : "", destination ? licence_text(c) : "");
}

/* NAME is no model but a family: classify every variant. When they all
 * give the same answer, that is the answer; when they differ (an undecided
 * variant differs from a decided one: what it would be is unknown), refuse,
 * naming each variant's answer. 1 when NAME is no family, else 0 or an exit
 * code. */
static int by_family(const struct export_data *d, const struct accdb *db, const char *name, const char *date,
		     const char *cc, json_t *chips, json_t **family)
{
	json_t *variants = json_array(), *names = json_array(), *c;
	char list[2048] = "", answer[128];
	bool agree = true;
	size_t i;

	for (size_t m = 0; m < db->model_count; m++) {
		if (!is_variant(&db->models[m], name))
			continue;
		c = classify_model(d, &db->models[m], date, cc);
		agree &= json_array_size(variants) == 0 || same_answer(json_array_get(variants, 0), c, cc != NULL);
		json_array_append_new(variants, c);
		json_array_append_new(names, json_string(db->models[m].name));
	}
	if (json_array_size(variants) > 0 && agree) {
		json_array_extend(chips, variants);
		*family = json_pack("{s:s, s:o}", "name", name, "variants", names);
		json_decref(variants);
		return 0;
	}
	json_array_foreach(variants, i, c) {
		answer_text(answer, sizeof(answer), c, cc != NULL);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s: %s", i ? "; " : "", jstr(c, "name"), answer);
	}
	if (!agree)
		error_msg("--model \"%.128s\": its %zu variants in data/accelerators.json classify differently (%s); "
			  "give one of them", name, json_array_size(variants), list);
	json_decref(variants);
	json_decref(names);
	return agree ? 1 : EXIT_USAGE;
}

static int by_model(const struct export_data *d, const char *name, const char *date, const char *cc, json_t *chips,
		    json_t **family)
{
	const struct accel_model *close[6];
	struct accdb db;
	char list[512] = "";
	size_t n;
	int rc;

	if ((rc = load_accdb(&db)) != 0)
		return rc;
	const struct accel_model *m = accdb_by_name(&db, name);
	if (m != NULL) {
		json_array_append_new(chips, classify_model(d, m, date, cc));
		accdb_free(&db);
		return 0;
	}
	if ((rc = by_family(d, &db, name, date, cc, chips, family)) != 1) {
		accdb_free(&db);
		return rc;
	}
	n = accdb_close_matches(&db, name, close, ARRAY_SIZE(close));
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", close[i]->name);
	error_msg("--model \"%.128s\": not in data/accelerators.json%s%s", name, n ? "; close matches: " : "", list);
	accdb_free(&db);
	return EXIT_USAGE;
}

static int by_spec(const struct export_data *d, const char *path, const char *date, const char *cc, json_t *chips)
{
	struct chip_spec s;
	char err[1024];
	int code;
	json_t *doc = json_load_path(path, err, sizeof(err), &code), *c;

	if (doc == NULL) {
		error_msg("%s", err);
		return code;
	}
	if (chip_spec_from_json(&s, doc, err, sizeof(err)) != 0) {
		error_msg("%s: %s", strcmp(path, "-") == 0 ? "<stdin>" : path, err);
		json_decref(doc);
		return EXIT_DATAERR;
	}
	json_decref(doc);
	c = export_classify(d, &s, date, cc);
	jset_str(c, "source", "spec");
	json_array_append_new(chips, c);
	return 0;
}

/* One accelerator of a facts document: declared, and measured when known. */
static int classify_accelerator(const struct export_data *d, const struct accdb *db, const json_t *acc, size_t i,
				const char *date, const char *cc, const char *label, json_t *chips)
{
	const json_t *measured = json_object_get(acc, "measured");
	const struct accel_model *m = NULL;
	char err[256];
	int r = measured_validate(measured, err, sizeof(err));
	json_t *c;

	if (r < 0) {
		error_msg("%s: accelerators[%zu].%s", label, i, err);
		return EXIT_DATAERR;
	}
	m = accdb_for_accelerator(db, acc);
	if (m != NULL) {
		c = classify_model(d, m, date, cc);
	} else {
		struct chip_spec s;
		char name[64];
		snprintf(name, sizeof(name), "%s:%s", jstr(acc, "vendor_id") ? jstr(acc, "vendor_id") : "?",
			 jstr(acc, "device_id") ? jstr(acc, "device_id") : "?");
		chip_spec_init(&s, jstr(acc, "pci_name") ? jstr(acc, "pci_name") : name);
		c = export_classify(d, &s, date, cc);
		jset_str(c, "source", "none: not in data/accelerators.json");
		jset_str(c, "undecided", "not in the accelerator database: no declared figures");
	}
	jset_str(c, "pci_address", jstr(acc, "pci_address"));
	if (m != NULL && r == 1) {
		struct chip_spec s;
		json_t *mc;
		int dr = export_class_rank(jstr(c, "eccn")), mr;
		chip_spec_from_model(&s, m);
		chip_spec_apply_measured(&s, measured);
		mc = export_classify(d, &s, date, cc);
		jset_str(mc, "source", "measured (facts accelerators[].measured)");
		mr = export_class_rank(jstr(mc, "eccn"));
		json_object_set_new(c, "measured", mc);
		json_object_set_new(c, "measured_class_differs", dr < 0 || mr < 0 ? json_null() : json_boolean(mr > dr));
	}
	json_array_append_new(chips, c);
	return 0;
}

static int by_facts(const struct export_data *d, const json_t *facts, const char *label, const char *date,
		    const char *cc, json_t *chips)
{
	struct accdb db;
	size_t i;
	json_t *acc;
	int rc;

	if ((rc = load_accdb(&db)) != 0)
		return rc;
	json_array_foreach(jarr(facts, "accelerators"), i, acc)
		if ((rc = classify_accelerator(d, &db, acc, i, date, cc, label, chips)) != 0)
			break;
	accdb_free(&db);
	return rc;
}

static int by_machine(const struct export_data *d, const char *root, const char *date, const char *cc, json_t *chips)
{
	struct probe_options popts = { 0 };
	struct accdb db;
	json_t *facts = NULL;
	int rc;

	if ((rc = load_accdb(&db)) != 0)
		return rc;
	rc = gather_facts(root, &db, &popts, NULL, &facts);
	accdb_free(&db);
	if (rc == 0)
		rc = by_facts(d, facts, "gathered facts", date, cc, chips);
	json_decref(facts);
	return rc;
}

/* ---- the readable rendering ---- */

static void fmt_number(char *buf, size_t len, double x, const char *metric)
{
	if (strcmp(metric, "performance_density") == 0 || strcmp(metric, "hbm_bandwidth_density") == 0)
		snprintf(buf, len, fabs(x) > 0 && fabs(x) < 0.005 ? "%.2g" : "%.2f", x);
	else
		snprintf(buf, len, "%.6g", x);
}

static void fmt_value(char *buf, size_t len, const json_t *v, const char *metric)
{
	if (json_is_number(v))
		fmt_number(buf, len, json_number_value(v), metric);
	else
		snprintf(buf, len, "?");
}

static const char *metric_label(const char *metric)
{
	static const char *const map[][2] = {
		{ "tpp", "TPP" }, { "performance_density", "PD" }, { "interconnect_bandwidth_gbs", "interconnect GB/s" },
		{ "memory_bandwidth_gbs", "memory GB/s" }, { "hbm_bandwidth_density", "HBM GB/s/mm^2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(map[i][0], metric) == 0)
			return map[i][1];
	return metric;
}

static const char *tri_word(const json_t *v)
{
	return json_is_true(v) ? "yes" : json_is_false(v) ? "no" : "unknown";
}

static void print_conditions(const json_t *conds)
{
	size_t i;
	json_t *c;

	json_array_foreach(conds, i, c) {
		const char *metric = jstr(c, "metric");
		char val[32], thr[32], mar[32];
		const json_t *margin = json_object_get(c, "margin");

		fmt_value(val, sizeof(val), json_object_get(c, "value"), metric);
		fmt_value(thr, sizeof(thr), json_object_get(c, "threshold"), metric);
		text_printf(stdout, "%s%s %s %s %s", i ? "; " : "", metric_label(metric), val, jstr(c, "op"), thr);
		if (!json_is_number(margin)) {
			text_printf(stdout, " (unknown)");
			continue;
		}
		fmt_number(mar, sizeof(mar), fabs(json_number_value(margin)), metric);
		if (json_number_value(margin) == 0)
			text_printf(stdout, " (exactly at the threshold: %s)", json_is_true(json_object_get(c, "met")) ? "met" : "not met");
		else
			text_printf(stdout, " (%s by %s)", json_is_true(json_object_get(c, "met")) ? "clears" : "misses", mar);
	}
}

static void print_chip(const json_t *c)
{
	const json_t *dest = json_object_get(c, "destination");
	char tpp[32], pd[32], area[32];
	size_t i;
	json_t *t;

	fmt_value(tpp, sizeof(tpp), json_object_get(c, "tpp"), "tpp");
	fmt_value(pd, sizeof(pd), json_object_get(c, "performance_density"), "performance_density");
	fmt_value(area, sizeof(area), json_object_get(c, "die_area_mm2"), "tpp");
	text_printf(stdout, "\n%s%s%s (%s)\n", jstr(c, "name"), jstr(c, "pci_address") ? " at " : "",
	       jstr(c, "pci_address") ? jstr(c, "pci_address") : "", jstr(c, "source") ? jstr(c, "source") : "");
	if (strcmp(jstr(c, "kind"), "memory") == 0) {
		fmt_value(pd, sizeof(pd), json_object_get(c, "hbm_bandwidth_density"), "hbm_bandwidth_density");
		text_printf(stdout, "  memory part: HBM bandwidth density %s GB/s/mm^2\n", pd);
	} else {
		text_printf(stdout, "  TPP %s%s%s%s%s%s; ", tpp, jstr(c, "tpp_working") ? " = " : "",
		       jstr(c, "tpp_working") ? jstr(c, "tpp_working") : "", jstr(c, "tpp_precision") ? " (" : "",
		       jstr(c, "tpp_precision") ? jstr(c, "tpp_precision") : "", jstr(c, "tpp_precision") ? ")" : "");
		if (json_is_number(json_object_get(c, "performance_density")))
			text_printf(stdout, "PD %s = TPP / %s mm^2\n", pd, area);
		else
			text_printf(stdout, "PD unknown (%s)\n", json_is_number(json_object_get(c, "die_area_mm2")) ? "TPP unknown" : "die area unknown");
	}
	json_array_foreach(json_object_get(c, "tests"), i, t) {
		text_printf(stdout, "  %-10s %-7s ", jstr(t, "paragraph"), tri_word(json_object_get(t, "met")));
		print_conditions(json_object_get(t, "conditions"));
		putchar('\n');
	}
	json_array_foreach(json_object_get(c, "exclusions"), i, t) {
		text_printf(stdout, "  %s applies: %s (designed for data centers: %s; ", jstr(t, "id"), tri_word(json_object_get(t, "applies")),
		       json_is_boolean(json_object_get(c, "datacenter")) ? tri_word(json_object_get(c, "datacenter")) : "unknown");
		print_conditions(json_object_get(t, "conditions"));
		text_printf(stdout, ")\n");
	}
	text_printf(stdout, "  ECCN %s%s%s%s\n", eccn_text(c), jstr(c, "paragraph") && strcmp(jstr(c, "paragraph"), "none") ? " (" : "",
	       jstr(c, "paragraph") && strcmp(jstr(c, "paragraph"), "none") ? jstr(c, "paragraph") : "",
	       jstr(c, "paragraph") && strcmp(jstr(c, "paragraph"), "none") ? ")" : "");
	if (json_is_object(dest)) {
		text_printf(stdout, "  licence to %s (%s): %s", jstr(dest, "code"), jstr(dest, "name"), licence_text(c));
		if (jstr(c, "license_policy"))
			text_printf(stdout, "; policy: %s", jstr(c, "license_policy"));
		putchar('\n');
		json_array_foreach(json_object_get(c, "license_exceptions"), i, t)
			text_printf(stdout, "  licence exception: %s%s\n", jstr(t, "text"),
			       json_is_null(json_object_get(t, "eligible")) ? " (if its conditions are met)" : "");
	}
	json_array_foreach(json_object_get(c, "notes"), i, t)
		text_printf(stdout, "  - %s\n", json_string_value(t));
}

/* The line that says a --model NAME was answered for its whole family. */
static void print_family(const json_t *family, const json_t *chips, bool destination)
{
	const json_t *variants = json_object_get(family, "variants");
	char answer[128];
	size_t i;
	json_t *v;

	answer_text(answer, sizeof(answer), json_array_get(chips, 0), destination);
	printf("\"%s\" names %zu models in data/accelerators.json, all %s: ", jstr(family, "name"),
	       json_array_size(variants), answer);
	json_array_foreach(variants, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf(".\n\n");
}

static void print_table(const json_t *chips, const char *date, const char *cc)
{
	const json_t *first = json_array_get(chips, 0);
	size_t i;
	json_t *c;

	text_printf(stdout, "Rules in force on %s: ", date);
	if (strcmp(jstr(first, "rules"), "none") == 0)
		text_printf(stdout, "none (no 3A090 control yet)\n");
	else
		text_printf(stdout, "%s, %s (in force %s)\n", jstr(first, "rules"), jstr(first, "rules_citation"), jstr(first, "rules_in_force"));
	if (cc) {
		const json_t *dest = json_object_get(first, "destination");
		char groups[128] = "";
		size_t k;
		json_t *g;
		json_array_foreach(json_object_get(dest, "groups"), k, g)
			snprintf(groups + strlen(groups), sizeof(groups) - strlen(groups), "%s%s", k ? ", " : "", json_string_value(g));
		text_printf(stdout, "Destination: %s (%s)%s%s%s%s\n", cc, jstr(dest, "name"), jstr(dest, "treated_as") ? ", treated as " : "",
		       jstr(dest, "treated_as") ? jstr(dest, "treated_as") : "", groups[0] ? "; country groups " : "; in no country group listed", groups);
	}
	text_printf(stdout, "\n%-24s %-8s %-6s %-7s %-8s %-9s %-10s %s\n", "CHIP", "TPP", "FROM", "PD", "DIE mm2", "ECCN", "PARAGRAPH", "LICENCE");
	json_array_foreach(chips, i, c) {
		const json_t *rows[2] = { c, json_object_get(c, "measured") };
		for (int r = 0; r < 2 && rows[r]; r++) {
			char tpp[32], pd[32], area[32], name[40];
			fmt_value(tpp, sizeof(tpp), json_object_get(rows[r], "tpp"), "tpp");
			fmt_value(pd, sizeof(pd), json_object_get(rows[r], "performance_density"), "performance_density");
			fmt_value(area, sizeof(area), json_object_get(rows[r], "die_area_mm2"), "tpp");
			snprintf(name, sizeof(name), "%.22s%s", jstr(rows[r], "name"), r ? " *" : "");
			text_printf(stdout, "%-24s %-8s %-6s %-7s %-8s %-9s %-10s %s\n", name, tpp,
			       jstr(rows[r], "tpp_precision") ? jstr(rows[r], "tpp_precision") : "-", pd, area, eccn_text(rows[r]),
			       jstr(rows[r], "paragraph") ? jstr(rows[r], "paragraph") : "-", licence_text(rows[r]));
		}
	}
	json_array_foreach(chips, i, c) {
		print_chip(c);
		if (json_is_object(json_object_get(c, "measured"))) {
			print_chip(json_object_get(c, "measured"));
			if (json_is_true(json_object_get(c, "measured_class_differs")))
				text_printf(stdout, "  ! measures into a stricter class than it declares: a relabelled or unlocked part?\n");
		}
	}
}

/* ---- the command ---- */

static int parse_options(int argc, char **argv, struct options *o)
{
	void *const ctx[] = { o };
	struct operands ops;
	int rc = options_parse(&classify_spec, ctx, argc, argv, &ops), given = 0;

	if (rc != 0)
		return rc;
	if (ops.n != 0)
		return options_usage_error(&classify_spec, "unexpected argument '%s'", ops.v[0]);
	given = (o->model != NULL) + (o->spec != NULL) + (o->facts != NULL) + (o->root != NULL);
	if (given > 1)
		return options_usage_error(&classify_spec, "give one of --model, --spec, --facts and --root");
	if (o->rules && !export_date_valid(o->rules)) {
		error_msg("--rules \"%.32s\": expected a date YYYY-MM-DD", o->rules);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_classify(int argc, char **argv)
{
	struct options o = { 0 };
	struct export_data d;
	char date[11], cc[3], err[1024];
	const char *dest = NULL;
	json_t *chips, *out, *family = NULL;
	int rc = parse_options(argc, argv, &o);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (o.rules)
		snprintf(date, sizeof(date), "%s", o.rules);
	else
		export_today(date);
	if (export_data_load(&d, err, sizeof(err)) != 0) {
		error_msg("%s", err);
		return EXIT_CONFIG;
	}
	if (o.destination) {
		if (export_destination_parse(&d, o.destination, cc, err, sizeof(err)) != 0) {
			error_msg("--destination: %s", err);
			export_data_free(&d);
			return EXIT_USAGE;
		}
		dest = cc;
	}
	chips = json_array();
	if (o.model) {
		rc = by_model(&d, o.model, date, dest, chips, &family);
	} else if (o.spec) {
		rc = by_spec(&d, o.spec, date, dest, chips);
	} else if (o.facts) {
		json_t *facts = facts_load(o.facts, err, sizeof(err), &rc);
		if (facts == NULL)
			error_msg("%s", err);
		else
			rc = by_facts(&d, facts, strcmp(o.facts, "-") ? o.facts : "<stdin>", date, dest, chips);
		json_decref(facts);
	} else {
		rc = by_machine(&d, o.root, date, dest, chips);
	}
	if (rc == 0) {
		out = json_pack("{s:s, s:s, s:s?, s:O}", "schema", "chipaudit-classify/1", "rules_date", date,
				"destination", dest, "chips", chips);
		if (family)
			json_object_set(out, "family", family);
		if (o.json) {
			rc = print_json(stdout, out);
		} else if (json_array_size(chips) == 0) {
			text_printf(stdout, "No accelerator found: nothing to classify (see `chipaudit classify --help`)\n");
		} else {
			if (family)
				print_family(family, chips, dest != NULL);
			print_table(chips, date, dest);
		}
		json_decref(out);
	}
	json_decref(family);
	json_decref(chips);
	export_data_free(&d);
	return rc;
}
