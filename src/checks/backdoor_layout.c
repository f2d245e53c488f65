/* Backdoor exposure, PCI layout: functions, ROMs, virtual functions, BAR
 * sizes and subsystem IDs that the accelerator's model does not account for.
 * An extra function or BAR is a place a second DMA engine or a hidden
 * window could sit.
 *
 * The expected layout is the optional "expected" member of a model in
 * data/accelerators.json (docs/backdoor.md): each part is stated only with
 * a source, and a part the database does not state is a skip, never a pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/backdoor.h"
#include "core/accdb.h"
#include "core/json.h"
#include "core/util.h"

/* Validate a model's "expected" member; err = "data/accelerators.json: MODEL.expected...: problem". */
static int validate_expected(const struct accel_model *m, const json_t *e, char *err, size_t errlen)
{
	char where[192], sub[256];
	size_t i;
	json_t *v;

	snprintf(where, sizeof(where), "data/accelerators.json: %s.expected", m->name);
	if (!json_is_object(e)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_array(e, "functions", JV_NULLABLE, where, err, errlen) ||
	    jv_array(e, "bars", JV_NULLABLE, where, err, errlen) ||
	    jv_boolean(e, "rom", JV_NULLABLE, where, err, errlen) ||
	    jv_string_array(e, "subsystems", JV_NULLABLE, 9, where, err, errlen) ||
	    jv_array(e, "sources", JV_REQUIRED, where, err, errlen))
		return -1;
	json_array_foreach(jarr(e, "functions"), i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 7) {
			snprintf(err, errlen, "%s.functions[%zu]: expected a function number 0-7", where, i);
			return -1;
		}
	}
	json_array_foreach(jarr(e, "bars"), i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			snprintf(err, errlen, "%s.bars[%zu]: expected a size in bytes", where, i);
			return -1;
		}
	}
	json_array_foreach(jarr(e, "subsystems"), i, v) {
		const char *s = json_string_value(v);
		if (strlen(s) != 9 || s[4] != ':' || !is_hex_string((char[5]){ s[0], s[1], s[2], s[3], 0 }, 4) ||
		    !is_hex_string(s + 5, 4)) {
			snprintf(err, errlen, "%s.subsystems[%zu]: expected \"vvvv:dddd\"", where, i);
			return -1;
		}
	}
	v = json_object_get(e, "sriov");
	if (v && !json_is_null(v) && !json_is_false(v)) {
		if (!json_is_object(v)) {
			snprintf(err, errlen, "%s.sriov: expected false, null or {\"total_vfs\": N}", where);
			return -1;
		}
		snprintf(sub, sizeof(sub), "%s.sriov", where);
		if (jv_integer(v, "total_vfs", JV_REQUIRED, 1, 65535, sub, err, errlen))
			return -1;
	}
	json_array_foreach(jarr(e, "sources"), i, v) {
		snprintf(sub, sizeof(sub), "%s.sources[%zu]", where, i);
		if (!json_is_object(v)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_string(v, "title", JV_REQUIRED, 512, sub, err, errlen) ||
		    jv_string(v, "url", JV_REQUIRED | JV_NULLABLE, 512, sub, err, errlen))
			return -1;
	}
	if (json_array_size(jarr(e, "sources")) == 0) {
		snprintf(err, errlen, "%s.sources: empty: every expected layout needs a source", where);
		return -1;
	}
	return 0;
}

/* The expected member KEY of the accelerator's model, or NULL after a skip
 * (or error) finding saying why not. */
static const json_t *expected_part(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
				   const char *key, const char *what, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address");
	const struct accel_model *m = NULL;
	const json_t *e, *part;
	char err[512];

	m = accdb_for_accelerator(ctx->accdb, acc);
	if (m == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
			    "Model not in the accelerator database: its expected %s is unknown", what);
		return NULL;
	}
	e = json_object_get(m->json, "expected");
	if (e == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, json_pack("{s:s}", "model", m->name),
			    "Add a sourced \"expected\" layout for the model to data/accelerators.json (docs/backdoor.md).",
			    "Layout unknown: the database gives no sourced layout for %s", m->name);
		return NULL;
	}
	if (validate_expected(m, e, err, sizeof(err)) != 0) {
		finding_add(out, check, STATUS_ERROR, addr, NULL, "Correct the data file.", "%s", err);
		return NULL;
	}
	part = json_object_get(e, key);
	if (part == NULL || json_is_null(part)) {
		finding_add(out, check, STATUS_SKIP, addr, json_pack("{s:s}", "model", m->name), NULL,
			    "Layout unknown: the database does not state the %s of %s", what, m->name);
		return NULL;
	}
	return part;
}

static const char *model_name(const json_t *acc)
{
	return jstr(acc, "model") ? jstr(acc, "model") : "the model";
}

static int function_number(const char *addr)
{
	const char *dot = strrchr(addr, '.');
	return dot && dot[1] >= '0' && dot[1] <= '7' ? dot[1] - '0' : -1;
}

static bool int_in(const json_t *array, json_int_t v)
{
	size_t i;
	json_t *x;

	json_array_foreach(array, i, x)
		if (json_integer_value(x) == v)
			return true;
	return false;
}

/* backdoor.pci.extra_function */
static void evaluate_extra_function(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i, j;
	json_t *acc, *f;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *want = backdoor_need_sysfs(check, acc, "PCI functions", out)
					     ? expected_part(check, ctx, acc, "functions", "PCI functions", out)
					     : NULL;
		const json_t *funcs = jarr(acc, "functions");
		json_t *extra;

		if (want == NULL)
			continue;
		if (funcs == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "The device's other functions were not listed");
			continue;
		}
		extra = json_array();
		json_array_foreach(funcs, j, f)
			if (!int_in(want, function_number(jstr(f, "pci_address"))))
				json_array_append(extra, f);
		if (json_array_size(extra) == 0)
			finding_add(out, check, STATUS_PASS, addr,
				    json_pack("{s:O, s:O, s:O}", "expected_functions", want, "functions", funcs, "extra", extra),
				    NULL, "Presents only the functions %s has", model_name(acc));
		else
			finding_add(out, check, STATUS_FAIL, addr,
				    json_pack("{s:O, s:O, s:O}", "expected_functions", want, "functions", funcs, "extra", extra),
				    "Identify the extra function (lspci -vvv -s ADDRESS) and its driver; a function the model does "
				    "not have is an independent bus master. Remove the card from service until explained.",
				    "%zu function%s that %s does not have: %s (%s:%s, class %s)", json_array_size(extra),
				    json_array_size(extra) == 1 ? "" : "s", model_name(acc),
				    jstr(json_array_get(extra, 0), "pci_address"), jstr(json_array_get(extra, 0), "vendor_id"),
				    jstr(json_array_get(extra, 0), "device_id"), jstr(json_array_get(extra, 0), "class"));
		json_decref(extra);
	}
}

/* backdoor.pci.rom */
static void evaluate_rom(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *want = backdoor_need_sysfs(check, acc, "expansion ROM", out)
					     ? expected_part(check, ctx, acc, "rom", "expansion ROM", out)
					     : NULL;
		const json_t *rom = jobj(acc, "expansion_rom");
		bool present = false;

		if (want == NULL)
			continue;
		if (rom == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "The expansion ROM was not examined");
			continue;
		}
		jbool(rom, "present", &present);
		if (present && json_is_false(want))
			finding_add(out, check, STATUS_WARN, addr, json_pack("{s:O, s:b}", "expansion_rom", rom, "expected", 0),
				    "Dump and examine the ROM (echo 1 > rom; cat rom) before trusting the card: option ROM "
				    "code runs in the host firmware before the OS.",
				    "An expansion ROM that %s does not have", model_name(acc));
		else
			finding_add(out, check, STATUS_PASS, addr,
				    json_pack("{s:O, s:O}", "expansion_rom", rom, "expected", want), NULL,
				    present ? "Expansion ROM, as %s has" : "No expansion ROM", model_name(acc));
	}
}

/* backdoor.pci.sriov */
static void evaluate_sriov(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *want = backdoor_need_sysfs(check, acc, "SR-IOV capability", out)
					     ? expected_part(check, ctx, acc, "sriov", "SR-IOV capability", out)
					     : NULL;
		const json_t *have = jobj(acc, "sriov");
		json_int_t total = 0, want_total = 0, enabled = 0;
		json_t *ev;

		if (want == NULL)
			continue;
		ev = json_pack("{s:O, s:O}", "sriov", have ? have : json_null(), "expected", want);
		jint(have, "total_vfs", &total);
		jint(have, "enabled_vfs", &enabled);
		jint(want, "total_vfs", &want_total);
		if (have && json_is_false(want))
			finding_add(out, check, STATUS_WARN, addr, ev,
				    "Find out why the device offers virtual functions its model does not have.",
				    "SR-IOV with %lld virtual functions (%lld enabled), which %s does not have",
				    (long long)total, (long long)enabled, model_name(acc));
		else if (have && total != want_total)
			finding_add(out, check, STATUS_WARN, addr, ev,
				    "Find out why the device offers a different number of virtual functions.",
				    "SR-IOV with %lld virtual functions where %s has %lld", (long long)total, model_name(acc),
				    (long long)want_total);
		else
			finding_add(out, check, STATUS_PASS, addr, ev, NULL,
				    have ? "SR-IOV as %s has it" : "No SR-IOV capability, as %s", model_name(acc));
	}
}

static int cmp_size(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
	return x < y ? -1 : x > y;
}

/* backdoor.pci.bar_mismatch */
static void evaluate_bars(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i, j;
	json_t *acc, *b;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *want = backdoor_need_sysfs(check, acc, "BAR sizes", out)
					     ? expected_part(check, ctx, acc, "bars", "BAR sizes", out)
					     : NULL;
		const json_t *bars = jarr(acc, "bars");
		size_t nh = json_array_size(bars), nw = json_array_size(want);
		json_int_t *have_sizes, *want_sizes;
		json_t *sizes;
		bool same;

		if (want == NULL)
			continue;
		if (bars == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "The BARs were not read");
			continue;
		}
		have_sizes = xcalloc(nh + 1, sizeof(json_int_t));
		want_sizes = xcalloc(nw + 1, sizeof(json_int_t));
		sizes = json_array();
		json_array_foreach(bars, j, b) {
			jint(b, "size", &have_sizes[j]);
			json_array_append_new(sizes, json_integer(have_sizes[j]));
		}
		json_array_foreach(want, j, b)
			want_sizes[j] = json_integer_value(b);
		qsort(have_sizes, nh, sizeof(json_int_t), cmp_size);
		qsort(want_sizes, nw, sizeof(json_int_t), cmp_size);
		same = nh == nw && memcmp(have_sizes, want_sizes, nh * sizeof(json_int_t)) == 0;
		if (same)
			finding_add(out, check, STATUS_PASS, addr, json_pack("{s:o, s:O}", "sizes", sizes, "expected", want),
				    NULL, "BAR sizes as %s has them", model_name(acc));
		else
			finding_add(out, check, STATUS_WARN, addr, json_pack("{s:o, s:O}", "sizes", sizes, "expected", want),
				    "Compare with lspci -vv on a known-good card of this model; a BAR the model does not have "
				    "is a window into the device nobody documented.",
				    "%zu BAR%s whose sizes differ from the %zu that %s has", nh, nh == 1 ? "" : "s", nw,
				    model_name(acc));
		free(have_sizes);
		free(want_sizes);
	}
}

/* backdoor.pci.subsystem_unknown */
static void evaluate_subsystem(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i, j;
	json_t *acc, *s;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *want = expected_part(check, ctx, acc, "subsystems", "subsystem IDs", out);
		const char *sv = jstr(acc, "subsystem_vendor_id"), *sd = jstr(acc, "subsystem_device_id");
		char id[16];
		bool known = false;

		if (want == NULL)
			continue;
		if (sv == NULL || sd == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "Subsystem IDs not read");
			continue;
		}
		snprintf(id, sizeof(id), "%s:%s", sv, sd);
		json_array_foreach(want, j, s)
			known |= strcmp(json_string_value(s), id) == 0;
		if (known)
			finding_add(out, check, STATUS_PASS, addr, json_pack("{s:s, s:O}", "subsystem", id, "known", want), NULL,
				    "Subsystem %s is one the database lists for %s", id, model_name(acc));
		else
			finding_add(out, check, STATUS_WARN, addr, json_pack("{s:s, s:O}", "subsystem", id, "known", want),
				    "Confirm the board's origin with its vendor; if it is genuine, add the subsystem ID to "
				    "data/accelerators.json with its source.",
				    "Subsystem %s is not among those the database lists for %s", id, model_name(acc));
	}
}

static const struct check layout_checks[] = {
	{ "backdoor.pci.extra_function", "backdoor", "No PCI function the model does not have", SEVERITY_HIGH,
	  "accelerators[].functions, model expected.functions", 0, evaluate_extra_function },
	{ "backdoor.pci.rom", "backdoor", "No expansion ROM the model does not have", SEVERITY_MEDIUM,
	  "accelerators[].expansion_rom, model expected.rom", 0, evaluate_rom },
	{ "backdoor.pci.sriov", "backdoor", "No virtual functions the model does not have", SEVERITY_MEDIUM,
	  "accelerators[].sriov, model expected.sriov", 0, evaluate_sriov },
	{ "backdoor.pci.bar_mismatch", "backdoor", "BAR sizes as the model has them", SEVERITY_MEDIUM,
	  "accelerators[].bars, model expected.bars", 0, evaluate_bars },
	{ "backdoor.pci.subsystem_unknown", "backdoor", "Subsystem ID known for the model", SEVERITY_LOW,
	  "accelerators[].subsystem_*_id, model expected.subsystems", 0, evaluate_subsystem },
};

const struct check_family backdoor_layout_family = { "backdoor-layout", layout_checks, ARRAY_SIZE(layout_checks) };
