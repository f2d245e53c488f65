/* Export checks: where each accelerator stands under the US export rules in
 * force when the facts were gathered (ECCN 3A090, from its declared figures),
 * and whether what it measures puts it in a stricter class than it declares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "export/export.h"

/* The rules date: the day the facts were gathered (host.time), so a
 * snapshot is judged under the rules of its day; today when it is absent. */
static const char *rules_date(const json_t *facts, char buf[11])
{
	const char *t = jstr(jobj(facts, "host"), "time");

	if (t && strlen(t) >= 10) {
		memcpy(buf, t, 10);
		buf[10] = '\0';
		if (export_date_valid(buf))
			return "host.time";
	}
	export_today(buf);
	return "today (facts carry no host.time)";
}

static int load_data(const struct check *check, struct findings *out, struct export_data *d)
{
	char err[512];

	if (export_data_load(d, err, sizeof(err)) == 0)
		return 0;
	finding_add(out, check, STATUS_ERROR, "host", json_pack("{s:s}", "error", err),
		    "Fix or restore the export data files (see docs/export.md), or drop --data-dir.",
		    "Export rules could not be loaded: %s", err);
	return -1;
}

/* "2368", "2.91", or "unknown" */
static void fmt_num(char *buf, size_t len, const json_t *v, int decimals)
{
	if (json_is_number(v))
		snprintf(buf, len, "%.*f", decimals, json_number_value(v));
	else
		snprintf(buf, len, "unknown");
}

static void evaluate_classification(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	struct export_data d;
	char date[11], tpp[32], pd[32];
	const char *date_from;
	size_t i;
	json_t *acc;

	if (json_array_size(jarr(ctx->facts, "accelerators")) == 0 || load_data(check, out, &d) != 0)
		return;
	date_from = rules_date(ctx->facts, date);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const struct accel_model *m = accdb_for_accelerator(ctx->accdb, acc);
		struct chip_spec s;
		json_t *c;

		if (m == NULL) {
			finding_add(out, check, STATUS_SKIP, addr,
				    json_pack("{s:s?, s:s?}", "vendor_id", jstr(acc, "vendor_id"), "device_id", jstr(acc, "device_id")),
				    "Add the model with sourced figures to data/accelerators.json, or classify it with `chipaudit classify --spec`.",
				    "Not in the accelerator database: no declared figures to classify");
			continue;
		}
		chip_spec_from_model(&s, m);
		c = export_classify(&d, &s, date, NULL);
		jset_str(c, "rules_date_from", date_from);
		fmt_num(tpp, sizeof(tpp), json_object_get(c, "tpp"), 0);
		fmt_num(pd, sizeof(pd), json_object_get(c, "performance_density"), 2);
		if (json_is_null(json_object_get(c, "eccn"))) {
			char *why = xstrdup(jstr(c, "undecided"));
			finding_add(out, check, STATUS_SKIP, addr, c,
				    "Add the missing declared figures (with sources) to data/accelerators.json.",
				    "%s: export class undecided under the rules of %s: %s", m->name, date, why);
			free(why);
			continue;
		}
		finding_add(out, check, STATUS_PASS, addr, json_incref(c), NULL,
			    "%s: %s%s%s under the rules of %s (%s): TPP %s%s%s%s, PD %s", m->name,
			    strcmp(jstr(c, "eccn"), "none") == 0 ? "not 3A090" : jstr(c, "eccn"),
			    strcmp(jstr(c, "eccn"), "none") == 0 ? "" : " by ",
			    strcmp(jstr(c, "eccn"), "none") == 0 ? "" : jstr(c, "paragraph"),
			    date, jstr(c, "rules"), tpp, jstr(c, "tpp_precision") ? " (" : "",
			    jstr(c, "tpp_precision") ? jstr(c, "tpp_precision") : "", jstr(c, "tpp_precision") ? ")" : "", pd);
		json_decref(c);
	}
	export_data_free(&d);
}

static json_t *summary(const json_t *c)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O}", "tpp", json_object_get(c, "tpp"),
			 "tpp_precision", json_object_get(c, "tpp_precision"),
			 "performance_density", json_object_get(c, "performance_density"),
			 "eccn", json_object_get(c, "eccn"), "paragraph", json_object_get(c, "paragraph"));
}

static const char *class_name(const json_t *c)
{
	const char *e = jstr(c, "eccn");
	return e == NULL ? "undecided" : strcmp(e, "none") == 0 ? "not 3A090" : e;
}

static void compare(const struct check *check, const char *addr, const struct accel_model *m, const json_t *measured,
		    const json_t *declared_c, const json_t *measured_c, struct findings *out)
{
	int dr = export_class_rank(jstr(declared_c, "eccn")), mr = export_class_rank(jstr(measured_c, "eccn"));
	json_t *ev = json_pack("{s:s, s:O, s:O, s:o, s:o, s:O}", "model", m->name, "rules", json_object_get(declared_c, "rules"),
			       "rules_date", json_object_get(declared_c, "rules_date"), "declared", summary(declared_c),
			       "measured", summary(measured_c), "measured_dense_tops", json_object_get(measured, "dense_tops"));
	char dt[32], mt[32];

	fmt_num(dt, sizeof(dt), json_object_get(declared_c, "tpp"), 0);
	fmt_num(mt, sizeof(mt), json_object_get(measured_c, "tpp"), 0);
	if (dr < 0 || mr < 0) {
		const char *why = dr < 0 ? jstr(declared_c, "undecided") : jstr(measured_c, "undecided");
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "%s: cannot compare declared and measured class: %s %s",
			    m->name, dr < 0 ? "declared" : "measured", why ? why : "class undecided");
	} else if (mr > dr) {
		finding_add(out, check, STATUS_FAIL, addr, ev,
			    "Establish what the part really is (PCI IDs, compute units, firmware, vendor records) and whether it was relabelled or unlocked; classify and license it by what it measures.",
			    "%s measures into a stricter class than it declares: %s (measured TPP %s) against %s (declared TPP %s): a relabelled or unlocked part?",
			    m->name, class_name(measured_c), mt, class_name(declared_c), dt);
	} else if (mr == dr) {
		finding_add(out, check, STATUS_PASS, addr, ev, NULL, "%s measures in its declared class: %s (measured TPP %s, declared %s)",
			    m->name, class_name(declared_c), mt, dt);
	} else {
		finding_add(out, check, STATUS_PASS, addr, ev, NULL,
			    "%s measures below its declared class: %s (measured TPP %s) against %s (declared TPP %s); not an export concern (see the capability checks)",
			    m->name, class_name(measured_c), mt, class_name(declared_c), dt);
	}
}

static void evaluate_measured(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	struct export_data d;
	bool loaded = false;
	char date[11];
	size_t i;
	json_t *acc;

	rules_date(ctx->facts, date);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *measured = json_object_get(acc, "measured");
		const struct accel_model *m;
		struct chip_spec s;
		json_t *dc, *mc;
		char err[256];
		int r = measured_validate(measured, err, sizeof(err));

		if (r < 0) {
			finding_add(out, check, STATUS_ERROR, addr, json_pack("{s:s}", "error", err),
				    "The facts document is malformed: regenerate it with `chipaudit facts`.",
				    "accelerators[%zu].%s", i, err);
			continue;
		}
		if (r == 0) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
				    "No measured throughput in the facts: nothing to compare with the declared class");
			continue;
		}
		if ((m = accdb_for_accelerator(ctx->accdb, acc)) == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
				    "Not in the accelerator database: no declared class to compare the measurement with");
			continue;
		}
		if (!loaded && load_data(check, out, &d) != 0)
			return;
		loaded = true;
		chip_spec_from_model(&s, m);
		dc = export_classify(&d, &s, date, NULL);
		chip_spec_apply_measured(&s, measured);
		mc = export_classify(&d, &s, date, NULL);
		compare(check, addr, m, measured, dc, mc, out);
		json_decref(dc);
		json_decref(mc);
	}
	if (loaded)
		export_data_free(&d);
}

static const struct check export_checks[] = {
	{ "export.classification", "export", "Export classification (ECCN 3A090) of each accelerator", SEVERITY_INFO,
	  "accelerators[].vendor_id, device_id; host.time; data/accelerators.json, export-rules.json", 0,
	  evaluate_classification },
	{ "export.measured_class_differs", "export", "Measured throughput puts the part in a stricter export class",
	  SEVERITY_HIGH, "accelerators[].measured.dense_tops; data/accelerators.json, export-rules.json", NEEDS_GPU,
	  evaluate_measured },
};

const struct check_family export_family = { "export", export_checks, sizeof(export_checks) / sizeof(export_checks[0]) };
