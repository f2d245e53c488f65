/* Drift: what changed since the previous report of this host.
 *
 * A slow change is the signature of a time bomb, a new cap or a swapped
 * firmware; one report cannot show it, two can. These checks compare the
 * facts being judged with the baseline's facts (judge_options.baseline: the
 * previous report in history, or --baseline FILE) and, for throughput, also
 * with the host's first report (judge_options.reference), so that a loss
 * spread over many audits still adds up to a finding. They read facts that
 * other areas gather, through src/probe/shapes.c; where those are absent
 * from either side the check is a skip that says which. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/spyware.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "checks/drift.h"
#include "probe/shapes.h"

static bool have_baseline(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	if (ctx->options->baseline != NULL)
		return true;
	finding_add(out, check, STATUS_SKIP, "host", NULL,
		    "Keep the history (audit without --no-history, a writable --state), or give judge --baseline FILE.",
		    "No earlier report of this host to compare with (a first audit, --no-history, or judge without --baseline)");
	return false;
}

static const char *name_or(const char *name, const char *fallback)
{
	return name ? name : fallback;
}

/* The same part in the same slot: a replaced GPU is not a slower one. */
static bool same_part(const json_t *a, const json_t *b)
{
	const char *da = jstr(a, "device_id"), *db = jstr(b, "device_id");
	return da && db && strcmp(da, db) == 0;
}

/* One decimal, without libm. */
static double round1(double x)
{
	return (double)(long long)(x * 10 + (x >= 0 ? 0.5 : -0.5)) / 10;
}

struct worst_drop {
	double drop, base, cur;
	const char *precision, *against;
	int compared;
};

static void compare_tops(const json_t *acc, const json_t *base_facts, const char *against, struct worst_drop *w)
{
	const json_t *bacc = shape_accelerator(base_facts, jstr(acc, "pci_address"));
	const json_t *tops = shape_measured_tops(acc), *btops, *v;
	const char *precision;

	if (bacc == NULL || !same_part(acc, bacc) || (btops = shape_measured_tops(bacc)) == NULL)
		return;
	json_object_foreach((json_t *)tops, precision, v) {
		const json_t *bv = json_object_get(btops, precision);
		double cur, base, drop;
		if (!json_is_number(v) || !json_is_number(bv))
			continue;
		/* A PTX lower bound and a cuBLASLt figure come from different
		 * kernels: between them the method changed, not the part. */
		if (shape_measured_approximate(acc, precision) != shape_measured_approximate(bacc, precision))
			continue;
		cur = json_number_value(v);
		base = json_number_value(bv);
		if (!(base > 0) || !(cur >= 0))
			continue;
		drop = 1.0 - cur / base;
		if (w->compared++ == 0 || drop > w->drop) {
			w->drop = drop;
			w->base = base;
			w->cur = cur;
			w->precision = precision;
			w->against = against;
		}
	}
}

static void evaluate_performance(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct judge_options *o = ctx->options;
	double margin = o->drift_margin > 0 ? o->drift_margin : DRIFT_DEFAULT_MARGIN;
	size_t i, judged = 0;
	json_t *acc;

	if (!have_baseline(check, ctx, out))
		return;
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		struct worst_drop w = { 0 };
		const char *addr = jstr(acc, "pci_address");
		json_t *ev;

		if (shape_measured_tops(acc) == NULL)
			continue;
		compare_tops(acc, o->baseline, name_or(o->baseline_name, "baseline"), &w);
		if (o->reference)
			compare_tops(acc, o->reference, name_or(o->reference_name, "first report"), &w);
		if (w.compared == 0)
			continue;
		judged++;
		ev = json_pack("{s:s, s:f, s:f, s:f, s:f, s:s}", "precision", w.precision, "baseline_tops", w.base,
			       "measured_tops", w.cur, "loss_percent", round1(w.drop * 100),
			       "margin_percent", margin * 100, "against", w.against);
		if (w.drop > margin)
			finding_add(out, check, STATUS_FAIL, addr, ev,
				    "Find what limits the part (clock event reasons, power and clock limits, firmware, driver) "
				    "and compare with the vendor's figures; `chipaudit diff` shows what else changed.",
				    "Measured %s throughput fell %.1f%% (%.1f -> %.1f TOPS) against %s, more than the %.0f%% margin",
				    w.precision, w.drop * 100, w.base, w.cur, w.against, margin * 100);
		else
			finding_add(out, check, STATUS_PASS, addr, ev, NULL,
				    "Measured throughput within %.0f%% of %s (largest change: %s %+.1f%%)",
				    margin * 100, w.against, w.precision, -w.drop * 100);
	}
	if (judged == 0)
		finding_add(out, check, STATUS_SKIP, "host", NULL,
			    "Measure throughput in every audit (the capability measurement) to follow it over time.",
			    "No accelerator has throughput measured by the same method in both this report and %s "
			    "(accelerators[].measured.dense_tops, .approximate)", name_or(o->baseline_name, "the baseline"));
}

static bool changed(const char *a, const char *b)
{
	return a && b && strcmp(a, b) != 0;
}

struct firmware_state {
	const struct check *check;
	const char *against;
	struct findings *out;
	int compared, flagged;
};

static void compare_modules(struct firmware_state *st, const json_t *cur, const json_t *base, bool new_kernel)
{
	size_t i;
	json_t *m;

	json_array_foreach(shape_modules(cur), i, m) {
		const char *name = shape_module_name(m);
		const json_t *bm = name ? shape_find_named(shape_modules(base), shape_module_name, name) : NULL;
		const char *ver = shape_module_version(m), *bver = bm ? shape_module_version(bm) : NULL;
		json_t *ev;

		if (bm == NULL || !shape_module_sha256(m) || !shape_module_sha256(bm))
			continue;
		st->compared++;
		if (!changed(shape_module_sha256(bm), shape_module_sha256(m)) || new_kernel || changed(bver, ver))
			continue;  /* unchanged, or rebuilt for a new kernel, or a new version */
		st->flagged++;
		ev = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s}", "module", name, "baseline_sha256", shape_module_sha256(bm),
			       "sha256", shape_module_sha256(m), "baseline_version", bver, "version", ver, "against", st->against);
		if (ver && bver)
			finding_add(st->out, st->check, STATUS_FAIL, "host", ev,
				    "Find who replaced the module: compare it with the vendor's package (dpkg -V, rpm -V) and rebuild or reinstall it.",
				    "Kernel module %s changed (sha256 %.12s... -> %.12s...) while its version %s and the kernel did not",
				    name, shape_module_sha256(bm), shape_module_sha256(m), ver);
		else
			finding_add(st->out, st->check, STATUS_WARN, "host", ev,
				    "Compare the module with the vendor's package.",
				    "Kernel module %s changed (sha256 %.12s... -> %.12s...) and its version is unknown",
				    name, shape_module_sha256(bm), shape_module_sha256(m));
	}
}

static void compare_firmware(struct firmware_state *st, const json_t *cur, const json_t *base)
{
	char *drivers = shape_driver_versions(cur), *bdrivers = shape_driver_versions(base);
	json_t *files = shape_firmware_files(cur), *bfiles = shape_firmware_files(base), *f;
	size_t i;

	json_array_foreach(files, i, f) {
		const char *path = shape_firmware_path(f);
		const json_t *bf = path ? shape_find_named(bfiles, shape_firmware_path, path) : NULL;
		json_t *ev;

		if (bf == NULL || !shape_firmware_sha256(f) || !shape_firmware_sha256(bf))
			continue;
		st->compared++;
		if (!changed(shape_firmware_sha256(bf), shape_firmware_sha256(f)) || changed(bdrivers, drivers))
			continue;
		st->flagged++;
		ev = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s}", "firmware", path, "baseline_sha256", shape_firmware_sha256(bf),
			       "sha256", shape_firmware_sha256(f), "baseline_drivers", bdrivers, "drivers", drivers,
			       "against", st->against);
		if (drivers && bdrivers)
			finding_add(st->out, st->check, STATUS_FAIL, "host", ev,
				    "A driver update brings its firmware; this file changed without one. Compare it with the vendor's package.",
				    "Firmware %s changed (sha256 %.12s... -> %.12s...) while the driver version (%s) did not",
				    path, shape_firmware_sha256(bf), shape_firmware_sha256(f), drivers);
		else
			finding_add(st->out, st->check, STATUS_WARN, "host", ev,
				    "Compare the firmware with the vendor's package.",
				    "Firmware %s changed (sha256 %.12s... -> %.12s...) and the driver version is unknown",
				    path, shape_firmware_sha256(bf), shape_firmware_sha256(f));
	}
	json_decref(files);
	json_decref(bfiles);
	free(drivers);
	free(bdrivers);
}

static void evaluate_firmware(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct judge_options *o = ctx->options;
	struct firmware_state st = { .check = check, .out = out };

	if (!have_baseline(check, ctx, out))
		return;
	st.against = name_or(o->baseline_name, "the baseline");
	compare_modules(&st, ctx->facts, o->baseline,
			changed(shape_kernel_release(o->baseline), shape_kernel_release(ctx->facts)));
	compare_firmware(&st, ctx->facts, o->baseline);
	if (st.compared == 0)
		finding_add(out, check, STATUS_SKIP, "host", NULL,
			    "Audit with the module and firmware examination (it records their digests).",
			    "No kernel module or firmware file has a digest in both this report and %s "
			    "(modules.list[].file.sha256, firmware[].files[].sha256)",
			    st.against);
	else if (st.flagged == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i, s:s}", "compared", st.compared, "against", st.against),
			    NULL, "%d module and firmware digests compared with %s: none changed without a driver or kernel update",
			    st.compared, st.against);
}

static void evaluate_caps(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct judge_options *o = ctx->options;
	const char *against;
	size_t i, judged = 0;
	json_t *acc;

	if (!have_baseline(check, ctx, out))
		return;
	against = name_or(o->baseline_name, "the baseline");
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *bacc = shape_accelerator(o->baseline, addr);
		json_t *caps = json_array();
		int compared = 0;

		for (size_t f = 0; bacc && f < shape_limit_field_count; f++) {
			const struct limit_field *lf = &shape_limit_fields[f];
			double cur, base;
			if (!jpath_num(acc, lf->path, &cur) || !jpath_num(bacc, lf->path, &base))
				continue;
			compared++;
			/* Limits are set values, not measurements: any real decrease counts. */
			if (cur < base * 0.995)
				json_array_append_new(caps, json_pack("{s:s, s:s, s:f, s:f, s:s}", "member", lf->path, "what", lf->label,
								      "baseline", base * lf->scale, "now", cur * lf->scale, "unit", lf->unit));
		}
		if (compared == 0) {
			json_decref(caps);
			continue;
		}
		judged++;
		if (json_array_size(caps) > 0) {
			json_t *first = json_array_get(caps, 0);
			finding_add(out, check, STATUS_WARN, addr, json_pack("{s:o, s:s}", "lowered", caps, "against", against),
				    "Find who lowered it (nvidia-smi -q -d POWER,CLOCK; the driver's and BMC's logs) and whether it was wanted.",
				    "%s lowered since %s: %.0f -> %.0f %s%s", jstr(first, "what"), against,
				    json_number_value(json_object_get(first, "baseline")), json_number_value(json_object_get(first, "now")),
				    jstr(first, "unit"), json_array_size(caps) > 1 ? ", and other limits" : "");
		} else {
			json_decref(caps);
			finding_add(out, check, STATUS_PASS, addr, json_pack("{s:i, s:s}", "compared", compared, "against", against),
				    NULL, "No power or clock limit lowered since %s (%d compared)", against, compared);
		}
	}
	if (judged == 0)
		finding_add(out, check, STATUS_SKIP, "host", NULL,
			    "Audit with the vendor library available (NVML) so that limits are recorded.",
			    "No accelerator has power or clock limits in both this report and %s (accelerators[].vendor_library.nvml.power_mw, .clocks_mhz)",
			    against);
}

static bool was_talker(const json_t *base_procs, const char *identity)
{
	size_t i;
	json_t *p;

	json_array_foreach(base_procs, i, p) {
		json_t *peers;
		bool talks;
		if (!shape_is_device_user(p) || !shape_process_identity(p) || strcmp(shape_process_identity(p), identity) != 0)
			continue;
		peers = shape_network_peers(p);
		talks = json_array_size(peers) > 0;
		json_decref(peers);
		if (talks)
			return true;
	}
	return false;
}

static void evaluate_new_talker(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct judge_options *o = ctx->options;
	const json_t *procs = shape_processes(ctx->facts), *bprocs;
	const char *against;
	char why[160];
	int talkers = 0, fresh = 0;
	json_t *gap;
	size_t i;
	json_t *p;

	if (!have_baseline(check, ctx, out))
		return;
	against = name_or(o->baseline_name, "the baseline");
	bprocs = shape_processes(o->baseline);
	if (procs == NULL || bprocs == NULL) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, "Audit as root so that processes and their sockets are examined.",
			    "No process facts in both this report and %s (processes.device_users)", against);
		return;
	}
	json_array_foreach(procs, i, p) {
		const char *identity = shape_process_identity(p);
		json_t *peers;

		if (!shape_is_device_user(p) || identity == NULL)
			continue;
		peers = shape_network_peers(p);
		if (json_array_size(peers) == 0) {
			json_decref(peers);
			continue;
		}
		talkers++;
		if (was_talker(bprocs, identity)) {
			json_decref(peers);
			continue;
		}
		fresh++;
		finding_add(out, check, STATUS_WARN, "host",
			    json_pack("{s:O?, s:s, s:O?, s:O?, s:o, s:s}", "pid", json_object_get(p, "pid"), "process", identity,
				      "command", json_object_get(p, "command"), "devices", json_object_get(p, "devices"),
				      "peers", peers, "against", against),
			    "Identify the process and its peers; if it is not a workload you run, isolate the host.",
			    "%s holds an accelerator and talks to %s; it did not in %s",
			    identity, json_string_value(json_array_get(peers, 0)), against);
	}
	if (fresh == 0 && spyware_coverage_gap(jobj(ctx->facts, "processes"), procs, &gap, why, sizeof(why))) {
		json_object_set_new(gap, "talkers", json_integer(talkers));
		json_object_set_new(gap, "against", json_string(against));
		finding_add(out, check, STATUS_SKIP, "host", gap, "Audit as root so that every process and its sockets are examined.",
			    "No device user inspected talks to the network anew since %s, but %s", against, why);
	} else if (fresh == 0 && talkers > 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i, s:s}", "talkers", talkers, "against", against),
			    NULL, "%d device user%s talk%s to the network, none new since %s",
			    talkers, talkers == 1 ? "" : "s", talkers == 1 ? "s" : "", against);
	else if (fresh == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i, s:s}", "talkers", 0, "against", against),
			    NULL, "No device user talks to the network (compared with %s)", against);
}

static const struct check drift_checks[] = {
	{ "killswitch.drift.performance", "killswitch", "Measured throughput fell against the baseline", SEVERITY_HIGH,
	  "accelerators[].measured.dense_tops, accelerators[].measured.approximate, baseline and first report", 0,
	  evaluate_performance },
	{ "backdoor.drift.firmware", "backdoor", "A firmware or module digest changed while the driver version did not",
	  SEVERITY_HIGH, "modules.list[].file.sha256, modules.list[].version, modules.release, firmware[].files[].sha256, "
	  "drivers[].version, baseline", 0, evaluate_firmware },
	{ "killswitch.drift.caps", "killswitch", "A power or clock cap appeared since the baseline", SEVERITY_MEDIUM,
	  "accelerators[].vendor_library.nvml.power_mw, .clocks_mhz, baseline", 0, evaluate_caps },
	{ "spyware.drift.new_talker", "spyware", "A new process holds an accelerator and talks to the network", SEVERITY_MEDIUM,
	  "processes.device_users[].exe, processes.device_users[].devices, processes.device_users[].sockets, baseline", 0, evaluate_new_talker },
};

const struct check_family drift_family = { "drift", drift_checks, ARRAY_SIZE(drift_checks) };
