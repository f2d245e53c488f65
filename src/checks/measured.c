/* Checks on measured figures (facts.accelerators[i].measured, written by
 * `--measure`): the identity fingerprint, performance below the model's
 * spec, and the cross-tenant memory remanence test. docs/measure.md says
 * how each is measured and judged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "measure/fingerprint.h"

static const char not_measured_fix[] =
	"Run 'chipaudit audit --measure' on the machine itself (root is not needed; the GPU must be idle enough to measure).";

/* One error finding for the whole check when the rules cannot be loaded. */
static int load_rules(const struct check *check, struct findings *out, struct fingerprint_rules *r)
{
	char err[512];

	if (fingerprint_rules_load(r, err, sizeof(err)) == 0)
		return 0;
	finding_add(out, check, STATUS_ERROR, "host", json_pack("{s:s}", "error", err),
		    "Restore data/fingerprint.json, or point --data-dir at a directory with a valid one.",
		    "the fingerprint rules could not be loaded: %s", err);
	return -1;
}

static void skip_unmeasured(const struct check *check, struct findings *out, const char *addr)
{
	finding_add(out, check, STATUS_SKIP, addr, NULL, not_measured_fix,
		    "not measured: the facts hold no measured figures for this accelerator");
}

static json_t *models_json(const struct fingerprint_result *res)
{
	json_t *list = json_array();
	for (size_t i = 0; i < res->like_count; i++)
		json_array_append_new(list, json_string(res->like[i]->name));
	return list;
}

static json_t *fingerprint_evidence(const struct fingerprint_rules *r, const struct accel_model *m,
				    const struct measured_figures *fig, const struct fingerprint_result *res)
{
	json_t *e = json_object();
	const char *p = precision_names[r->precision];
	char key[64];

	jset_str(e, "declared_model", m ? m->name : NULL);
	jset_num(e, "declared_sm_count", m ? m->compute_units : NAN);
	snprintf(key, sizeof(key), "declared_%s_tflops", p);
	jset_num(e, key, m ? m->dense_tops[r->precision] : NAN);
	jset_num(e, "declared_memory_gb", m ? m->memory_gb : NAN);
	jset_num(e, "measured_sm_count", fig->sm_count);
	snprintf(key, sizeof(key), "measured_%s_tflops", p);
	jset_num(e, key, fig->rate);
	jset_bool(e, "approximate", fig->approximate);
	jset_num(e, "allocatable_bytes", fig->allocatable_bytes);
	jset_num(e, "ratio", res->ratio);
	json_object_set_new(e, "tolerance", json_pack("[f,f]", r->ratio_min, r->ratio_max));
	json_object_set_new(e, "performs_like", models_json(res));
	return e;
}

/* "H100 SXM" or "H100 SXM (also H200 SXM, GH200)"; "no model in the database". */
static void like_text(const struct fingerprint_result *res, char *buf, size_t len)
{
	size_t n;

	if (res->like_count == 0) {
		snprintf(buf, len, "no model in the database");
		return;
	}
	n = (size_t)snprintf(buf, len, "%s", res->like[0]->name);
	for (size_t i = 1; i < res->like_count && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i == 1 ? " (also " : ", ", res->like[i]->name);
	if (res->like_count > 1 && n < len)
		snprintf(buf + n, len - n, ")");
}

static void fingerprint_one(const struct check *check, const struct judge_ctx *ctx, const struct fingerprint_rules *r,
			    const json_t *acc, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address"), *p = precision_names[r->precision];
	const json_t *measured = jobj(acc, "measured");
	const struct accel_model *m = accdb_for_accelerator(ctx->accdb, acc);
	struct measured_figures fig;
	struct fingerprint_result res;
	char like[256], diffs[256] = "";
	size_t n = 0;

	if (measured == NULL) {
		skip_unmeasured(check, out, addr);
		return;
	}
	measured_figures_read(measured, r, &fig);
	fingerprint_judge(ctx->accdb, r, m, &fig, &res);
	like_text(&res, like, sizeof(like));
	switch (res.verdict) {
	case FP_NOT_JUDGED:
		finding_add(out, check, STATUS_SKIP, addr, fingerprint_evidence(r, m, &fig, &res),
			    json_array_size(jarr(measured, "errors")) ? "See measured.errors in the facts, and measure again." : NULL,
			    "not judged: %s%s%s", res.reason, res.like_count ? "; the figures fit " : "",
			    res.like_count ? like : "");
		return;
	case FP_CONSISTENT:
		finding_add(out, check, STATUS_PASS, addr, fingerprint_evidence(r, m, &fig, &res), NULL,
			    "performs like %s, as declared: %.0f SMs, %s %.1f TFLOPS measured (%.2f of %.1f declared%s)",
			    m->name, fig.sm_count, p, fig.rate, res.ratio, m->dense_tops[r->precision],
			    fig.approximate ? "; approximate, a lower bound" : "");
		return;
	case FP_SLOWER:
		finding_add(out, check, STATUS_WARN, addr, fingerprint_evidence(r, m, &fig, &res),
			    "See killswitch.performance_below_spec for the clock event reasons seen during the run.",
			    "%s by its SM count (%.0f), but %s %.1f TFLOPS is %.2f of the declared %.1f, below the %.2f tolerance: throttled, capped, or not what it claims",
			    m->name, fig.sm_count, p, fig.rate, res.ratio, m->dense_tops[r->precision], r->ratio_min);
		return;
	case FP_MISMATCH:
		break;
	}
	if (res.sm_mismatch)
		n += (size_t)snprintf(diffs + n, sizeof(diffs) - n, "%.0f SMs where %s has %.0f", fig.sm_count, m->name,
				      m->compute_units);
	if (res.faster && n < sizeof(diffs))
		n += (size_t)snprintf(diffs + n, sizeof(diffs) - n, "%s%s %.1f TFLOPS, %.2f times the declared %.1f",
				      n ? "; " : "", p, fig.rate, res.ratio, m->dense_tops[r->precision]);
	if (res.memory_mismatch && n < sizeof(diffs))
		snprintf(diffs + n, sizeof(diffs) - n, "%s%.1f GiB allocatable, more than its %.0f GB", n ? "; " : "",
			 fig.allocatable_bytes / 1073741824.0, m->memory_gb);
	finding_add(out, check, STATUS_FAIL, addr, fingerprint_evidence(r, m, &fig, &res),
		    "Do not trust the PCI ID: establish what this part is (board serial, vendor support) before using it or classifying it for export.",
		    "declared %s (PCI %s:%s) but measured %s: performs like %s", m->name, jstr(acc, "vendor_id"),
		    jstr(acc, "device_id"), diffs, like);
}

typedef void judge_with_rules(const struct check *check, const struct judge_ctx *ctx,
			      const struct fingerprint_rules *r, const json_t *acc, struct findings *out);

/* JUDGE each accelerator with data/fingerprint.json's rules, read only when
 * there is an accelerator to judge. */
static void for_each_accelerator_with_rules(const struct check *check, const struct judge_ctx *ctx,
					    struct findings *out, judge_with_rules *judge)
{
	struct fingerprint_rules r;
	size_t i;
	json_t *acc;

	if (json_array_size(jarr(ctx->facts, "accelerators")) == 0 || load_rules(check, out, &r) != 0)
		return;
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc)
		judge(check, ctx, &r, acc, out);
}

static void evaluate_fingerprint(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_accelerator_with_rules(check, ctx, out, fingerprint_one);
}

/* The distinct clock event reasons seen in the samples; NULL when not sampled. */
static json_t *reasons_seen(const json_t *measured)
{
	const json_t *samples = jarr(measured, "clock_samples"), *s;
	json_t *reason;
	json_t *seen;
	size_t i, j, k;

	if (samples == NULL)
		return NULL;
	seen = json_array();
	json_array_foreach(samples, i, s) {
		json_array_foreach(jarr(s, "reasons"), j, reason) {
			bool dup = false;
			json_t *have;
			json_array_foreach(seen, k, have)
				dup |= json_equal(have, reason);
			if (!dup)
				json_array_append(seen, reason);
		}
	}
	return seen;
}

static char *join_strings(const json_t *list)
{
	size_t i, len = 0;
	json_t *s;
	char *out;

	json_array_foreach(list, i, s)
		len += json_string_length(s) + 2;
	out = xcalloc(1, len + 1);
	json_array_foreach(list, i, s) {
		if (i)
			strcat(out, ", ");
		strcat(out, json_string_value(s));
	}
	return out;
}

static void below_spec_one(const struct check *check, const struct judge_ctx *ctx, const struct fingerprint_rules *r,
			   const json_t *acc, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address"), *p = precision_names[r->precision];
	const json_t *measured = jobj(acc, "measured");
	const struct accel_model *m = accdb_for_accelerator(ctx->accdb, acc);
	struct measured_figures fig;
	json_t *e, *reasons;
	double declared, ratio;
	char *text;

	if (measured == NULL) {
		skip_unmeasured(check, out, addr);
		return;
	}
	measured_figures_read(measured, r, &fig);
	declared = m ? m->dense_tops[r->precision] : NAN;
	reasons = reasons_seen(measured);
	e = json_object();
	jset_str(e, "declared_model", m ? m->name : NULL);
	jset_num(e, "declared_tflops", declared);
	jset_num(e, "measured_tflops", fig.rate);
	jset_str(e, "precision", p);
	jset_num(e, "threshold_ratio", r->below_spec_ratio);
	jset(e, "clock_event_reasons", json_incref(reasons));
	if (m == NULL || isnan(declared) || isnan(fig.rate)) {
		jset(e, "ratio", NULL);
		finding_add(out, check, STATUS_SKIP, addr, e, NULL, "not judged: %s",
			    m == NULL ? "the model is not in the accelerator database" :
			    isnan(declared) ? "the database has no declared rate for it" : "the rate was not measured");
		json_decref(reasons);
		return;
	}
	ratio = fig.rate / declared;
	jset_num(e, "ratio", ratio);
	if (fig.approximate) {
		finding_add(out, check, STATUS_SKIP, addr, e, "Install cuBLASLt (libcublasLt from the CUDA toolkit) and measure again.",
			    "not judged: %s %.1f TFLOPS came from chipaudit's own kernels, a lower bound that cannot show the chip is slow",
			    p, fig.rate);
	} else if (ratio >= r->below_spec_ratio) {
		finding_add(out, check, STATUS_PASS, addr, e, NULL, "%s %.1f TFLOPS, %.2f of the declared %.1f (threshold %.2f)",
			    p, fig.rate, ratio, declared, r->below_spec_ratio);
	} else {
		text = reasons ? join_strings(reasons) : NULL;
		finding_add(out, check, STATUS_FAIL, addr, e,
			    "Find what holds the clocks down (power cap, thermal, a management policy, firmware) with the vendor's tools; a part that cannot reach its rate under load is degraded or gated.",
			    "%s %.1f TFLOPS is %.2f of %s's declared %.1f, below %.2f; clock event reasons during the run: %s",
			    p, fig.rate, ratio, m->name, declared, r->below_spec_ratio,
			    reasons == NULL ? "not sampled (no telemetry backend)" :
			    json_array_size(reasons) == 0 ? "none reported" : text);
		free(text);
	}
	json_decref(reasons);
}

static void evaluate_below_spec(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_accelerator_with_rules(check, ctx, out, below_spec_one);
}

static void human_bytes(double bytes, char *buf, size_t len)
{
	if (bytes >= 1073741824.0)
		snprintf(buf, len, "%.1f GiB", bytes / 1073741824.0);
	else
		snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
}

/* "global memory: 4096 bytes (0 the canary) of 16.0 GiB examined, fraction 2.4e-07" */
static void describe_region(const char *name, const json_t *region, char *buf, size_t len)
{
	json_int_t examined = 0, nonzero = 0, canary = 0;
	double fraction = 0;
	char size[32];

	jint(region, "bytes_examined", &examined);
	jint(region, "nonzero_bytes", &nonzero);
	jint(region, "canary_bytes", &canary);
	jnum(region, "fraction", &fraction);
	human_bytes((double)examined, size, sizeof(size));
	if (nonzero == 0)
		snprintf(buf, len, "%s memory: nothing in %s examined", name, size);
	else
		snprintf(buf, len, "%s memory: %lld bytes (%lld of them the canary) of %s examined, fraction %.3g%s%s", name,
			 (long long)nonzero, (long long)canary, size, fraction,
			 jstr(region, "sample") ? ", first bytes " : "", jstr(region, "sample") ? jstr(region, "sample") : "");
}

static json_int_t residue_in(const json_t *region)
{
	json_int_t n = 0;
	jint(region, "nonzero_bytes", &n);
	return json_is_object(region) ? n : 0;
}

static void remanence_one(const struct check *check, const json_t *acc, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address");
	const json_t *measured = jobj(acc, "measured"), *rem = jobj(measured, "remanence");
	const json_t *global = jobj(rem, "global"), *shared = jobj(rem, "shared");
	char g[256] = "", s[256] = "", *errors;

	if (measured == NULL) {
		skip_unmeasured(check, out, addr);
		return;
	}
	if (rem == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, NULL, not_measured_fix, "not tested: the remanence test was not run");
		return;
	}
	if (global)
		describe_region("global", global, g, sizeof(g));
	if (shared)
		describe_region("shared", shared, s, sizeof(s));
	if (residue_in(global) > 0 || residue_in(shared) > 0) {
		finding_add(out, check, STATUS_FAIL, addr, json_incref((json_t *)rem),
			    "Do not share this GPU between tenants until the driver scrubs memory between them (update the driver; ask the vendor); treat data that ran on it as exposed.",
			    "a new process read data an exited process left on the device: %s%s%s",
			    residue_in(global) > 0 ? g : "", residue_in(global) > 0 && residue_in(shared) > 0 ? "; " : "",
			    residue_in(shared) > 0 ? s : "");
		return;
	}
	errors = join_strings(jarr(rem, "errors"));
	if (!json_is_object(jobj(rem, "writer"))) {
		finding_add(out, check, STATUS_SKIP, addr, json_incref((json_t *)rem), NULL,
			    "not judged: the writer process could not fill the device (%s)", *errors ? errors : "no report");
	} else if (global && shared) {
		finding_add(out, check, STATUS_PASS, addr, json_incref((json_t *)rem), NULL,
			    "a new process found nothing an exited process left (%s; %s)",
			    g, s);
	} else {
		finding_add(out, check, STATUS_WARN, addr, json_incref((json_t *)rem),
			    "See measurement errors in the facts and measure again.",
			    "test incomplete: %s%s%s not examined (%s)", global ? "" : "global memory",
			    !global && !shared ? " and " : "", shared ? "" : "shared memory", *errors ? errors : "no report");
	}
	free(errors);
}

static void evaluate_remanence(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc)
		remanence_one(check, acc, out);
}

static const struct check measured_checks[] = {
	{ "identity.fingerprint", "identity", "Measured figures match the declared model", SEVERITY_HIGH,
	  "accelerators[].measured.dense_tops, sm_count, allocatable_bytes; data/fingerprint.json", NEEDS_GPU,
	  evaluate_fingerprint },
	{ "killswitch.performance_below_spec", "killswitch", "Measured throughput not far below the model's",
	  SEVERITY_HIGH, "accelerators[].measured.dense_tops, clock_samples; data/fingerprint.json", NEEDS_GPU,
	  evaluate_below_spec },
	{ "spyware.memory_remanence", "spyware", "No data left by one process readable by the next", SEVERITY_CRITICAL,
	  "accelerators[].measured.remanence", NEEDS_GPU, evaluate_remanence },
};

const struct check_family measured_family = { "measured", measured_checks,
					      sizeof(measured_checks) / sizeof(measured_checks[0]) };
