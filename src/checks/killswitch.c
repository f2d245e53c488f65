/* Kill-switch checks: is the accelerator's work refused, gated, capped or
 * degraded, by what, and since when? A kill switch, if one existed, would
 * show in what the driver reports; these checks read NVML's facts
 * (accelerators[].nvml, facts.nvml) and the kernel log's XID events
 * (facts.kernel_xids). docs/killswitch.md explains each check, what clears
 * it and the command that shows the same state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/data.h"
#include "probe/facts.h"
#include "core/json.h"
#include "checks/killswitch.h"
#include "core/util.h"
#include "vendor/nvml_facts.h"

#define SMI "nvidia-smi"

static bool is_nvidia(const json_t *acc)
{
	const char *v = jstr(acc, "vendor_id");
	return v && strcmp(v, "10de") == 0;
}

typedef void (*gpu_fn)(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		       const json_t *dev, const char *addr, struct findings *out);

/* Call FN for every NVIDIA accelerator that has NVML facts; the others get a
 * skip that says why. Facts from a build without the NVML section (or whose
 * section says NVML was not available) are never trusted per GPU. */
static void for_each_gpu(const struct check *check, const struct judge_ctx *ctx, struct findings *out, gpu_fn fn)
{
	const json_t *nvml = jobj(ctx->facts, "nvml");
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *dev = jobj(acc, "nvml");
		if (!is_nvidia(acc))
			continue;
		if (nvml == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
				    "No NVML facts: gathered by a chipaudit without the NVML backend");
		} else if (!json_is_true(json_object_get(nvml, "available"))) {
			finding_add(out, check, STATUS_SKIP, addr,
				    json_pack("{s:O?, s:O?}", "library", json_object_get(nvml, "library"), "reason",
					      json_object_get(nvml, "reason")),
				    "Run the audit on the machine with the NVIDIA driver loaded (or snapshot it there).",
				    "NVML not available: %s", jstr(nvml, "reason") ? jstr(nvml, "reason") : "no reason given");
		} else if (dev == NULL) {
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL,
				    "NVML does not list this GPU (see killswitch.device_lost)");
		} else {
			fn(check, ctx, acc, dev, addr, out);
		}
	}
}

/* Evidence: the value at each path (null when unknown) and why unknown. */
static json_t *evidence(const json_t *dev, const char *const *paths)
{
	json_t *ev = json_object(), *why = json_object();

	for (; *paths; paths++) {
		const json_t *v = nf_get(dev, *paths);
		json_object_set_new(ev, *paths, v ? json_deep_copy(v) : json_null());
		if (v == NULL)
			json_object_set_new(why, *paths, json_string(nf_why(dev, *paths)));
	}
	if (json_object_size(why) > 0)
		json_object_set_new(ev, "unavailable", why);
	else
		json_decref(why);
	return ev;
}

/* A remediation template with "%s" where the GPU's address goes. */
static char *fmt_cmd(const char *tmpl, const char *addr)
{
	size_t n = strlen(tmpl), alen = strlen(addr), o = 0;
	char *out = xmalloc(n * (alen + 1) + 1);

	for (size_t i = 0; i < n; i++) {
		if (tmpl[i] == '%' && tmpl[i + 1] == 's') {
			memcpy(out + o, addr, alen);
			o += alen;
			i++;
		} else {
			out[o++] = tmpl[i];
		}
	}
	out[o] = '\0';
	return out;
}

static void add(struct findings *out, const struct check *check, enum status st, const char *addr,
		json_t *ev, const char *remedy_fmt, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void add(struct findings *out, const struct check *check, enum status st, const char *addr,
		json_t *ev, const char *remedy_fmt, const char *fmt, ...)
{
	char *remedy = remedy_fmt && st != STATUS_PASS ? fmt_cmd(remedy_fmt, addr) : NULL, *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	finding_add(out, check, st, addr, ev, remedy, "%s", msg);
	free(msg);
	free(remedy);
}

/* Gating. */

#define COMPUTE_REMEDY \
	"Compute mode is set by root with `" SMI " -i %s -c PROHIBITED` (NVML nvmlDeviceSetComputeMode) " \
	"and stays until it is set back or the driver reloads. Inspect with `" SMI " -q -d COMPUTE -i %s`; " \
	"clear with `" SMI " -i %s -c DEFAULT`."

static void compute_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
			const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "compute_mode", NULL };
	const char *mode = nf_str(dev, "compute_mode");

	(void)ctx;
	(void)acc;
	if (mode == NULL)
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Compute mode unknown: %s",
		    nf_why(dev, "compute_mode"));
	else if (strcmp(mode, "prohibited") == 0)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), COMPUTE_REMEDY,
		    "Compute mode is Prohibited: the GPU refuses every CUDA context");
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "Compute mode %s: CUDA contexts are accepted%s", mode,
		    strcmp(mode, "default") == 0 ? "" : " (one process at a time: a scheduling policy)");
}

static void evaluate_compute(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, compute_gpu);
}

#define GOM_REMEDY \
	"The GPU operation mode is set by root with `" SMI " -i %s --gom=ALL_ON` (NVML " \
	"nvmlDeviceSetGpuOperationMode) and takes effect at the next reboot. Inspect with `" SMI " -q -i %s " \
	"| grep -A2 'GPU Operation Mode'`; find who changed it."

/* "low_dp" -> "Low Double Precision", as nvidia-smi names the modes. */
static const char *operation_mode_label(const char *mode)
{
	if (strcmp(mode, "all_on") == 0)
		return "All On";
	if (strcmp(mode, "compute") == 0)
		return "Compute";
	return strcmp(mode, "low_dp") == 0 ? "Low Double Precision" : mode;
}

/* All On and Compute pass: Compute turns graphics off, which a compute
 * server does not use. Low Double Precision cuts FP64 throughput: in
 * effect, a failure; pending (at the next reboot), a warning. */
static void operation_mode_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
			       const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "gpu_operation_mode.current", "gpu_operation_mode.pending", NULL };
	const char *current = nf_str(dev, "gpu_operation_mode.current");
	const char *pending = nf_str(dev, "gpu_operation_mode.pending");
	bool change = pending && current && strcmp(pending, current) != 0;

	(void)ctx;
	(void)acc;
	if (current == NULL)
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "GPU operation mode unknown: %s",
		    nf_why(dev, "gpu_operation_mode.current"));
	else if (strcmp(current, "low_dp") == 0)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), GOM_REMEDY,
		    "GPU operation mode Low Double Precision: FP64 throughput is cut%s%s%s",
		    change ? " (" : "", change ? operation_mode_label(pending) : "", change ? " pending at the next reboot)" : "");
	else if (change && strcmp(pending, "low_dp") == 0)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), GOM_REMEDY,
		    "GPU operation mode %s, Low Double Precision pending: FP64 throughput will be cut at the next reboot",
		    operation_mode_label(current));
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL, "GPU operation mode %s%s%s%s",
		    strcmp(current, "compute") == 0 ? "Compute (graphics off; compute and FP64 at full rate)" : "All On",
		    change ? "; " : "", change ? operation_mode_label(pending) : "", change ? " pending at the next reboot" : "");
}

static void evaluate_operation_mode(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, operation_mode_gpu);
}

#define DRAIN_REMEDY \
	"Drain is set by root with `" SMI " drain -p %s -m 1` (before removing or servicing a GPU). " \
	"Inspect with `" SMI " drain -p %s -q`; clear with `" SMI " drain -p %s -m 0`."

static void drain_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		      const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "drain_state", NULL };
	bool drained;

	(void)ctx;
	(void)acc;
	if (!nf_bool(dev, "drain_state", &drained))
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Drain state unknown: %s",
		    nf_why(dev, "drain_state"));
	else if (drained)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), DRAIN_REMEDY,
		    "The GPU is drained: the driver accepts no new work on it");
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL, "Not drained");
}

static void evaluate_drain(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, drain_gpu);
}

#define CC_REMEDY \
	"With confidential computing on, the GPUs accept client work only once they are set ready, after the " \
	"attestation report has been verified (NVIDIA's verifier, or `chipaudit` facts kept for one). Inspect " \
	"with `" SMI " conf-compute -grs`; set ready with `" SMI " conf-compute -srs 1` after verification (%s)."

static void cc_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		   const json_t *dev, const char *addr, struct findings *out)
{
	const json_t *cc = jobj(jobj(ctx->facts, "nvml"), "confidential_computing");
	json_t *ev = json_pack("{s:O?, s:O?, s:O?, s:b}", "feature", json_object_get(cc, "feature"),
			       "environment", json_object_get(cc, "environment"), "gpus_ready",
			       json_object_get(cc, "gpus_ready"), "attestation_report_kept",
			       nf_get(dev, "confidential_computing.attestation.report") != NULL);
	bool on, ready;

	(void)acc;
	if (!jbool(cc, "feature", &on))
		add(out, check, STATUS_SKIP, addr, ev, NULL, "Confidential computing state unknown: %s",
		    nf_why(jobj(ctx->facts, "nvml"), "confidential_computing.feature"));
	else if (!on)
		add(out, check, STATUS_PASS, addr, ev, NULL, "Confidential computing off: no readiness gate");
	else if (!jbool(cc, "gpus_ready", &ready))
		add(out, check, STATUS_SKIP, addr, ev, NULL, "Confidential computing on, readiness unknown: %s",
		    nf_why(jobj(ctx->facts, "nvml"), "confidential_computing.gpus_ready"));
	else if (!ready)
		add(out, check, STATUS_FAIL, addr, ev, CC_REMEDY,
		    "Confidential computing on and the GPUs are not accepting client work");
	else
		add(out, check, STATUS_PASS, addr, ev, NULL, "Confidential computing on; the GPUs accept client work");
}

static void evaluate_cc(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, cc_gpu);
}

/* XIDs of one kind for one GPU, from the kernel log facts. */
static bool has_xid(const json_t *facts, const char *addr, int xid)
{
	size_t i;
	json_t *e;
	json_int_t v;

	json_array_foreach(jarr(jobj(facts, "kernel_xids"), "events"), i, e)
		if (strcmp(jstr(e, "pci_address"), addr) == 0 && jint(e, "xid", &v) && v == xid)
			return true;
	return false;
}

#define LOST_REMEDY \
	"Check `" SMI " -q -i %s` and the kernel log (`dmesg -T | grep -i -e xid -e NVRM`). A GPU that fell " \
	"off the bus needs a reset (`" SMI " -r -i %s`) or a power cycle; if it recurs, reseat or replace it."

static void evaluate_lost(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *nvml = jobj(ctx->facts, "nvml");
	size_t i;
	json_t *acc, *u;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address"), *driver = jstr(acc, "driver");
		const json_t *dev = jobj(acc, "nvml");
		bool lost = false, xid79;
		if (!is_nvidia(acc))
			continue;
		xid79 = has_xid(ctx->facts, addr, 79);
		if (nvml == NULL || !json_is_true(json_object_get(nvml, "available"))) {
			if (xid79)
				add(out, check, STATUS_FAIL, addr, json_pack("{s:i}", "xid", 79), LOST_REMEDY,
				    "The kernel log reports this GPU fell off the bus (XID 79)");
			else
				add(out, check, STATUS_SKIP, addr, NULL, NULL, "NVML not available: %s",
				    nvml && jstr(nvml, "reason") ? jstr(nvml, "reason") : "no NVML facts");
			continue;
		}
		if (dev == NULL) {
			if (driver && strcmp(driver, "nvidia") != 0)
				add(out, check, STATUS_SKIP, addr, json_pack("{s:s}", "driver", driver), NULL,
				    "Bound to %s, not to the NVIDIA driver: not this host's GPU to use", driver);
			else
				add(out, check, xid79 ? STATUS_FAIL : STATUS_WARN, addr,
				    json_pack("{s:s?, s:O?}", "driver", driver, "unreachable_devices",
					      json_object_get(nvml, "unreachable_devices")),
				    LOST_REMEDY,
				    "The PCI bus shows this NVIDIA GPU but NVML does not list it: the driver did not "
				    "initialise it, or it is hidden from this namespace%s",
				    xid79 ? "; the kernel log reports it fell off the bus (XID 79)" : "");
			continue;
		}
		jbool(dev, "lost", &lost);
		if (lost || xid79)
			add(out, check, STATUS_FAIL, addr, json_pack("{s:b, s:b}", "nvml_lost", lost, "xid_79", xid79),
			    LOST_REMEDY, "%s", lost ? "NVML reports the GPU lost (fallen off the bus or inaccessible)"
						  : "The kernel log reports this GPU fell off the bus (XID 79)");
		else
			add(out, check, STATUS_PASS, addr, json_pack("{s:b}", "nvml_lost", false), NULL,
			    "Reachable through NVML");
	}
	/* Devices NVML counts but cannot reach have no address: reported on the host. */
	json_array_foreach(jarr(nvml, "unreachable_devices"), i, u)
		finding_add(out, check, STATUS_FAIL, "host", json_deep_copy(u),
			    "Check `" SMI " -q` and the kernel log (`dmesg -T | grep -i -e xid -e NVRM`).",
			    "NVML device %d cannot be reached: %s", (int)json_integer_value(json_object_get(u, "index")),
			    jstr(u, "error"));
}

/* Capping. */

#define POWER_REMEDY \
	"Inspect with `" SMI " -q -d POWER -i %s` (Requested, Default and Enforced Power Limit). An administrator " \
	"sets the requested limit with `" SMI " -i %s -pl WATTS` (restore the default the same way); an enforced " \
	"limit below the requested one comes from outside the driver's power management (the system's BMC or " \
	"Redfish power capping, or the board's power brake): check the BMC."

static void power_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		      const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "power_mw.enforced_limit", "power_mw.limit", "power_mw.default_limit",
					     "power_mw.min_limit", "power_mw.max_limit", "power_mw.draw", NULL };
	long long enforced, deflt, limit;
	bool have_limit = nf_int(dev, "power_mw.limit", &limit);

	(void)ctx;
	(void)acc;
	if (!nf_int(dev, "power_mw.enforced_limit", &enforced) || !nf_int(dev, "power_mw.default_limit", &deflt)) {
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Power limits unknown: %s",
		    nf_int(dev, "power_mw.enforced_limit", &enforced) ? nf_why(dev, "power_mw.default_limit")
								      : nf_why(dev, "power_mw.enforced_limit"));
		return;
	}
	if (enforced >= deflt) {
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "Enforced power limit %.0f W, at the default %.0f W", enforced / 1000.0, deflt / 1000.0);
	} else if (have_limit && limit < deflt && enforced >= limit) {
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), POWER_REMEDY,
		    "Power capped at %.0f W, below the default %.0f W: the limit was requested through NVML "
		    "(nvidia-smi -pl)", enforced / 1000.0, deflt / 1000.0);
	} else {
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), POWER_REMEDY,
		    "Power capped at %.0f W, below the default %.0f W and below the %s: the cap comes from outside "
		    "the driver's power management", enforced / 1000.0, deflt / 1000.0,
		    have_limit ? "requested limit" : "default (requested limit unknown)");
	}
}

static void evaluate_power(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, power_gpu);
}

#define CLOCK_REMEDY \
	"Inspect with `" SMI " -q -d CLOCK,PERFORMANCE -i %s`. Application clocks are set by root with `" SMI \
	" -i %s -ac MEM,GRAPHICS` and locked clocks with `-lgc`/`-lmc`; reset them with `" SMI " -i %s -rac` " \
	"(and `-rgc`, `-rmc`)."

static void clocks_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		       const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = {
		"clocks_mhz.sm.application", "clocks_mhz.sm.default_application", "clocks_mhz.sm.max",
		"clocks_mhz.memory.application", "clocks_mhz.memory.default_application", "clocks_mhz.memory.max",
		"clock_event_reasons.current", NULL };
	long long sm_app, sm_def, mem_app, mem_def;
	const char *bits = nf_str(dev, "clock_event_reasons.current");
	uint64_t v = 0;
	bool sm = nf_int(dev, "clocks_mhz.sm.application", &sm_app) &&
		  nf_int(dev, "clocks_mhz.sm.default_application", &sm_def);
	bool mem = nf_int(dev, "clocks_mhz.memory.application", &mem_app) &&
		   nf_int(dev, "clocks_mhz.memory.default_application", &mem_def);
	bool app_reason = bits && parse_u64(bits, 16, &v) == 0 && (v & 0x2);

	(void)ctx;
	(void)acc;
	if (sm && sm_app < sm_def)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), CLOCK_REMEDY,
		    "SM application clock %lld MHz, below its default %lld MHz", sm_app, sm_def);
	else if (mem && mem_app < mem_def)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), CLOCK_REMEDY,
		    "Memory application clock %lld MHz, below its default %lld MHz", mem_app, mem_def);
	else if (app_reason)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), CLOCK_REMEDY,
		    "Clocks held back by the applications clocks setting (clock event reason active)");
	else if (!sm)
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Application clocks unknown: %s",
		    nf_int(dev, "clocks_mhz.sm.application", &sm_app) ? nf_why(dev, "clocks_mhz.sm.default_application")
								      : nf_why(dev, "clocks_mhz.sm.application"));
	else if (!mem)
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "SM application clock at its default (%lld MHz); the memory clock's is unknown (%s)", sm_app,
		    nf_int(dev, "clocks_mhz.memory.application", &mem_app) ? nf_why(dev, "clocks_mhz.memory.default_application")
									   : nf_why(dev, "clocks_mhz.memory.application"));
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "Application clocks at their defaults (SM %lld MHz)", sm_app);
}

static void evaluate_clocks(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, clocks_gpu);
}

#define THROTTLE_REMEDY \
	"Inspect with `" SMI " -q -d PERFORMANCE,POWER,TEMPERATURE -i %s` (Clocks Event Reasons). HW slowdown " \
	"or a power brake with no thermal cause is asserted from outside the GPU (the system's power supply or " \
	"BMC through the power-brake signal): read the BMC's event log (`ipmitool sel list`)."

static void throttle_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
			 const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = {
		"clock_event_reasons.current", "clock_event_reasons.active", "power_mw.draw",
		"power_mw.enforced_limit", "temperature_c", "violations_ns.power", "violations_ns.thermal",
		"violations_ns.board_limit", "violations_ns.reliability", NULL };
	const char *bits = nf_str(dev, "clock_event_reasons.current");
	uint64_t v;
	bool thermal, hw;

	(void)ctx;
	(void)acc;
	if (bits == NULL || parse_u64(bits, 16, &v) != 0) {
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Clock event reasons unknown: %s",
		    nf_why(dev, "clock_event_reasons.current"));
		return;
	}
	thermal = (v & (0x20 | 0x40)) != 0;
	hw = (v & (0x8 | 0x80)) != 0;
	if (hw && !thermal)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), THROTTLE_REMEDY,
		    "Clocks slowed by %s with no thermal reason", (v & 0x80) ? "the hardware power brake" : "HW slowdown");
	else if ((v & 0x4) && !thermal)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), THROTTLE_REMEDY,
		    "Clocks held down by the software power cap with no thermal reason");
	else if (thermal)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), THROTTLE_REMEDY,
		    "Clocks slowed for temperature: check the cooling");
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "No slowdown active%s", (v & 0x1) ? " (the GPU is idle)" : "");
}

static void evaluate_throttle(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, throttle_gpu);
}

/* Degradation. */

#define MEMORY_REMEDY \
	"Inspect with `" SMI " -q -d ROW_REMAPPER,PAGE_RETIREMENT,ECC -i %s`. A pending remap or retirement takes " \
	"effect at the next GPU reset (`" SMI " -r -i %s`, with nothing running on it) or reboot; a remapping " \
	"failure means the memory has no spare rows left: the board needs replacing."

static void memory_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		       const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = {
		"row_remapping.failure", "row_remapping.pending", "row_remapping.uncorrectable",
		"row_remapping.correctable", "retired_pages.pending", "retired_pages.double_bit_ecc",
		"retired_pages.single_bit_ecc", "ecc.current", "ecc.volatile.uncorrected", "ecc.aggregate.uncorrected",
		NULL };
	bool failure = false, remap_pending = false, retire_pending = false, b;
	bool remap_known = false, retire_known = false, ecc_known;
	long long unc = 0;

	(void)ctx;
	(void)acc;
	if (nf_bool(dev, "row_remapping.failure", &b))
		remap_known = true, failure = b;
	if (nf_bool(dev, "row_remapping.pending", &b))
		remap_known = true, remap_pending = b;
	if (nf_bool(dev, "retired_pages.pending", &b))
		retire_known = true, retire_pending = b;
	ecc_known = nf_int(dev, "ecc.volatile.uncorrected", &unc);
	/* a pass names what it could not examine: memory without row
	 * remapping (before Ampere) is judged on the rest, and says so */
	if (!remap_known && !retire_known && !ecc_known)
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL,
		    "Memory health unknown: row remapping %s; page retirement %s; ECC %s",
		    nf_why(dev, "row_remapping.failure"), nf_why(dev, "retired_pages.pending"),
		    nf_why(dev, "ecc.volatile.uncorrected"));
	else if (failure)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), MEMORY_REMEDY,
		    "Row remapping failed: the memory has a faulty row it could not replace");
	else if (unc > 0)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), MEMORY_REMEDY,
		    "%lld uncorrectable ECC error%s since the driver loaded", unc, unc == 1 ? "" : "s");
	else if (remap_pending || retire_pending)
		add(out, check, STATUS_WARN, addr, evidence(dev, paths), MEMORY_REMEDY,
		    "A memory repair is pending (%s): it takes effect at the next GPU reset",
		    remap_pending ? "row remapping" : "page retirement");
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "No remapping failure, no pending repair, no uncorrectable error since the driver loaded%s%s%s%s%s%s",
		    remap_known ? "" : "; row remapping not examined: ", remap_known ? "" : nf_why(dev, "row_remapping.failure"),
		    retire_known ? "" : "; page retirement not examined: ", retire_known ? "" : nf_why(dev, "retired_pages.pending"),
		    ecc_known ? "" : "; ECC counters not examined: ", ecc_known ? "" : nf_why(dev, "ecc.volatile.uncorrected"));
}

static void evaluate_memory(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, memory_gpu);
}

/* data/xids.json, validated. Each XID names NVIDIA's immediate action; the
 * action gives its kind (docs/killswitch.md). An entry may set its own kind
 * with the reason (kind_why), a kind for GPUs older than Ampere
 * (before_ampere), and rules on the event's text (by_text) that decide the
 * kind where the driver names the severity in the message. */
struct xid_table {
	json_t *doc;
	const json_t *list;
	const json_t *kinds;
	const json_t *actions;
};

static int xid_kind_valid(const struct xid_table *t, const json_t *obj, const char *where, char *err, size_t errlen)
{
	if (jv_string(obj, "kind", JV_REQUIRED, 32, where, err, errlen))
		return -1;
	if (!json_object_get(t->kinds, jstr(obj, "kind"))) {
		snprintf(err, errlen, "%s.kind: \"%s\" is not a kind", where, jstr(obj, "kind"));
		return -1;
	}
	return 0;
}

static int xid_actions_valid(struct xid_table *t, char *err, size_t errlen)
{
	const char *name;
	json_t *a;

	json_object_foreach((json_t *)t->actions, name, a) {
		char where[96];
		snprintf(where, sizeof(where), "xids.json: actions.%.40s", name);
		if (!json_is_object(a)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (xid_kind_valid(t, a, where, err, errlen) || jv_string(a, "meaning", JV_REQUIRED, 512, where, err, errlen))
			return -1;
	}
	return 0;
}

static int xid_rules_valid(const struct xid_table *t, const json_t *x, const char *where, char *err, size_t errlen)
{
	size_t i;
	json_t *r;

	if (jv_array(x, "by_text", 0, where, err, errlen))
		return -1;
	json_array_foreach(jarr(x, "by_text"), i, r) {
		char rw[80];
		snprintf(rw, sizeof(rw), "%s.by_text[%zu]", where, i);
		if (!json_is_object(r)) {
			snprintf(err, errlen, "%s: expected an object", rw);
			return -1;
		}
		if (jv_string(r, "contains", JV_REQUIRED, 128, rw, err, errlen) || xid_kind_valid(t, r, rw, err, errlen) ||
		    jv_string(r, "why", JV_REQUIRED, 512, rw, err, errlen))
			return -1;
		if (jstr(r, "contains")[0] == '\0') {
			snprintf(err, errlen, "%s.contains: empty", rw);
			return -1;
		}
	}
	return 0;
}

static int xid_entry_valid(const struct xid_table *t, const json_t *x, const char *where, char *err, size_t errlen)
{
	const json_t *sources = jobj(t->doc, "sources"), *before = json_object_get(x, "before_ampere");
	const char *action;
	size_t j;
	json_t *s;

	if (!json_is_object(x)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(x, "xid", JV_REQUIRED, 0, 65535, where, err, errlen) ||
	    jv_string(x, "mnemonic", JV_REQUIRED, 128, where, err, errlen) ||
	    jv_string(x, "meaning", JV_REQUIRED, 512, where, err, errlen) ||
	    jv_string(x, "action", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
	    jv_string_array(x, "sources", JV_REQUIRED, 32, where, err, errlen) ||
	    xid_rules_valid(t, x, where, err, errlen))
		return -1;
	action = jstr(x, "action");
	if (action && !json_object_get(t->actions, action)) {
		snprintf(err, errlen, "%s.action: \"%s\" is not an action", where, action);
		return -1;
	}
	/* Without an action, or overriding it, the kind is stated with its reason. */
	if (json_object_get(x, "kind") || action == NULL) {
		if (xid_kind_valid(t, x, where, err, errlen) || jv_string(x, "kind_why", JV_REQUIRED, 512, where, err, errlen))
			return -1;
	}
	if (before) {
		char bw[80];
		snprintf(bw, sizeof(bw), "%s.before_ampere", where);
		if (!json_is_object(before)) {
			snprintf(err, errlen, "%s: expected an object", bw);
			return -1;
		}
		if (jv_string(before, "meaning", JV_REQUIRED, 512, bw, err, errlen) || xid_kind_valid(t, before, bw, err, errlen))
			return -1;
	}
	json_array_foreach(jarr(x, "sources"), j, s) {
		if (!json_object_get(sources, json_string_value(s))) {
			snprintf(err, errlen, "%s.sources: \"%s\" is not defined", where, json_string_value(s));
			return -1;
		}
	}
	return 0;
}

/* Validate DOC as data/xids.json into T, which keeps the reference. On
 * error DOC is released and err names the member. */
static int xid_table_init(struct xid_table *t, json_t *doc, char *err, size_t errlen)
{
	size_t i;
	json_t *x;

	t->doc = doc;
	if (!json_is_object(t->doc) || jv_object(t->doc, "sources", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_object(t->doc, "kinds", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_object(t->doc, "actions", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_array(t->doc, "xids", JV_REQUIRED, "xids.json", err, errlen)) {
		if (!json_is_object(t->doc))
			snprintf(err, errlen, "xids.json: expected an object");
		goto bad;
	}
	t->kinds = jobj(t->doc, "kinds");
	t->actions = jobj(t->doc, "actions");
	t->list = jarr(t->doc, "xids");
	if (xid_actions_valid(t, err, errlen))
		goto bad;
	json_array_foreach(t->list, i, x) {
		char where[48];
		snprintf(where, sizeof(where), "xids.json: xids[%zu]", i);
		if (xid_entry_valid(t, x, where, err, errlen))
			goto bad;
	}
	return 0;
bad:
	json_decref(t->doc);
	t->doc = NULL;
	return -1;
}

static int xid_table_load(struct xid_table *t, char *err, size_t errlen)
{
	json_t *doc = data_load("xids.json", err, errlen);

	return doc ? xid_table_init(t, doc, err, errlen) : -1;
}

static const json_t *xid_entry(const struct xid_table *t, json_int_t xid)
{
	size_t i;
	json_t *x;
	json_int_t v;

	json_array_foreach(t->list, i, x)
		if (jint(x, "xid", &v) && v == xid)
			return x;
	return NULL;
}

/* The catalog of NVIDIA's Xid errors covers Ampere and newer; older GPUs
 * follow the older table. */
enum gpu_generation { GEN_UNKNOWN, GEN_BEFORE_AMPERE, GEN_AMPERE_OR_NEWER };

static enum gpu_generation generation_of(const struct judge_ctx *ctx, const json_t *acc)
{
	static const char *const older[] = { "Kepler", "Maxwell", "Pascal", "Volta", "Turing" };
	const struct accel_model *m = NULL;

	m = accdb_for_accelerator(ctx->accdb, acc);
	if (m == NULL || m->architecture == NULL)
		return GEN_UNKNOWN;
	for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++)
		if (strcmp(m->architecture, older[i]) == 0)
			return GEN_BEFORE_AMPERE;
	return GEN_AMPERE_OR_NEWER;
}

static int kind_rank(const char *kind)
{
	if (strcmp(kind, "fault") == 0)
		return 3;
	if (strcmp(kind, "degraded") == 0 || strcmp(kind, "unknown") == 0)
		return 2;
	return 1;
}

/* How one event is judged: its kind, the meaning shown and why. */
struct xid_verdict {
	const char *kind;
	const char *meaning;
	const char *why;       /* the by_text rule that decided, or NULL */
};

static struct xid_verdict xid_judge(const struct xid_table *t, const json_t *x, const char *text,
				    enum gpu_generation gen)
{
	struct xid_verdict v = { "unknown", NULL, NULL };
	const json_t *before;
	size_t i;
	json_t *r;

	if (x == NULL)
		return v;
	before = json_object_get(x, "before_ampere");
	v.meaning = jstr(x, "meaning");
	v.kind = jstr(x, "kind") ? jstr(x, "kind") : jstr(jobj(t->actions, jstr(x, "action")), "kind");
	/* An older GPU follows the older table; a GPU of unknown architecture
	 * takes the graver of the two. */
	if (before && (gen == GEN_BEFORE_AMPERE ||
		       (gen == GEN_UNKNOWN && kind_rank(jstr(before, "kind")) > kind_rank(v.kind)))) {
		v.meaning = jstr(before, "meaning");
		v.kind = jstr(before, "kind");
	}
	json_array_foreach(jarr(x, "by_text"), i, r) {
		if (strstr(text, jstr(r, "contains"))) {
			v.kind = jstr(r, "kind");
			v.why = jstr(r, "why");
			break;
		}
	}
	return v;
}

int xid_catalog_check(const json_t *doc, char *err, size_t errlen)
{
	struct xid_table t = { 0 };

	if (xid_table_init(&t, json_incref((json_t *)doc), err, errlen) != 0)
		return -1;
	json_decref(t.doc);
	return 0;
}

const char *xid_catalog_kind(const json_t *doc, long xid, const char *text, bool before_ampere_gpu)
{
	struct xid_table t = { 0 };
	char err[256];
	const char *kind;

	if (xid_table_init(&t, json_incref((json_t *)doc), err, sizeof(err)) != 0)
		return NULL;
	kind = xid_judge(&t, xid_entry(&t, xid), text, before_ampere_gpu ? GEN_BEFORE_AMPERE : GEN_AMPERE_OR_NEWER).kind;
	json_decref(t.doc);   /* the kinds are strings of DOC, which the caller holds */
	return kind;
}

#define XID_REMEDY \
	"Read them with `dmesg -T | grep -i xid` (or `journalctl -k | grep -i xid`); NVIDIA's Xid catalog " \
	"(docs.nvidia.com/deploy/xid-errors) gives each one's action. A fault needs at least a GPU reset " \
	"(`" SMI " -r -i %s`); if it recurs, the GPU needs replacing."

/* Judge the XID events of one address (an accelerator, or the host). */
static void judge_xids(const struct check *check, const struct xid_table *t, const json_t *events,
		       const char *addr, const char *subject, enum gpu_generation gen, struct findings *out)
{
	json_t *list = json_array();
	enum status st = STATUS_PASS;
	const char *worst = NULL;
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(events, i, e) {
		json_int_t xid = 0;
		const json_t *x;
		struct xid_verdict v;
		if (strcmp(jstr(e, "pci_address"), addr) != 0)
			continue;
		jint(e, "xid", &xid);
		x = xid_entry(t, xid);
		v = xid_judge(t, x, jstr(e, "text") ? jstr(e, "text") : "", gen);
		n++;
		if (json_array_size(list) < 20)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:O, s:O, s:O}", "xid", xid,
							      "kind", v.kind, "meaning", v.meaning, "action",
							      x ? jstr(x, "action") : NULL, "decided_by", v.why,
							      "boot_usec", json_object_get(e, "boot_usec"),
							      "pid", json_object_get(e, "pid"), "text",
							      json_object_get(e, "text")));
		if (strcmp(v.kind, "fault") == 0 && st < STATUS_FAIL) {
			st = STATUS_FAIL;
			worst = v.meaning;
		} else if (kind_rank(v.kind) == 2 && st < STATUS_WARN) {
			st = STATUS_WARN;
			worst = x ? v.meaning : "an XID not in data/xids.json";
		}
	}
	if (n == 0) {
		json_decref(list);
		if (strcmp(subject, "host") != 0)
			finding_add(out, check, STATUS_PASS, subject, NULL, NULL, "No XID event in the kernel log");
		return;
	}
	{
		char *remedy = st != STATUS_PASS ? fmt_cmd(XID_REMEDY, addr) : NULL;
		json_t *ev = json_pack("{s:s, s:i, s:o}", "pci_address", addr, "count", (int)n, "events", list);
		if (st == STATUS_PASS)
			finding_add(out, check, st, subject, ev, NULL,
				    "%zu XID event%s raised by applications or informational, none against the GPU", n,
				    n == 1 ? "" : "s");
		else
			finding_add(out, check, st, subject, ev, remedy, "%zu XID event%s since boot%s%s; worst: %s", n,
				    n == 1 ? "" : "s", strcmp(subject, "host") == 0 ? " for " : "",
				    strcmp(subject, "host") == 0 ? addr : "", worst ? worst : "unknown");
		free(remedy);
	}
}

static void evaluate_xid(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *log = jobj(ctx->facts, "kernel_xids"), *events = jarr(log, "events");
	struct xid_table t = { 0 };
	char err[512];
	size_t i;
	json_t *acc, *e;

	if (xid_table_load(&t, err, sizeof(err)) != 0) {
		finding_add(out, check, STATUS_ERROR, "host", NULL, "Fix or restore data/xids.json.", "%s", err);
		return;
	}
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		if (!is_nvidia(acc))
			continue;
		if (log == NULL)
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "No kernel log facts in this document");
		else if (!json_is_true(json_object_get(log, "readable")))
			finding_add(out, check, STATUS_SKIP, addr, NULL, "Run the audit as root to read /dev/kmsg.",
				    "Kernel log not read: %s", jstr(log, "reason") ? jstr(log, "reason") : "unreadable");
		else
			judge_xids(check, &t, events, addr, addr, generation_of(ctx, acc), out);
	}
	/* XIDs of GPUs that are not listed (a container that sees no PCI bus
	 * and no NVML): judged on the host, once per address. */
	json_array_foreach(events, i, e) {
		const char *addr = jstr(e, "pci_address");
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(jstr(json_array_get(events, j), "pci_address"), addr) == 0;
		if (!seen && !accelerator_by_address(jarr(ctx->facts, "accelerators"), addr))
			judge_xids(check, &t, events, addr, "host", GEN_UNKNOWN, out);
	}
	json_decref(t.doc);
}

#define LICENSE_REMEDY \
	"Inspect with `" SMI " -q -i %s | grep -i -A3 license`. A vGPU guest takes its license from the NVIDIA " \
	"License System through nvidia-gridd (/etc/nvidia/gridd.conf and the client configuration token): " \
	"check `systemctl status nvidia-gridd` and its log."

static void license_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
			const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "virtualization_mode", "vgpu_license.supported", "vgpu_license.features", NULL };
	const char *mode = nf_str(dev, "virtualization_mode");
	const json_t *features = nf_get(dev, "vgpu_license.features");
	bool licensed = false;
	size_t i;
	json_t *f;

	(void)ctx;
	(void)acc;
	if (mode == NULL) {
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "Virtualization mode unknown: %s",
		    nf_why(dev, "virtualization_mode"));
		return;
	}
	if (strcmp(mode, "vgpu") != 0) {
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "Not a vGPU guest (virtualization mode %s): no license gate", mode);
		return;
	}
	if (features == NULL) {
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "vGPU guest; license state unknown: %s",
		    nf_why(dev, "vgpu_license.features"));
		return;
	}
	json_array_foreach(features, i, f)
		licensed |= json_is_true(json_object_get(f, "licensed")) && json_is_true(json_object_get(f, "enabled"));
	if (licensed)
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL, "vGPU guest with a license");
	else
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), LICENSE_REMEDY,
		    "vGPU guest without a license: NVIDIA's vGPU software restricts an unlicensed vGPU");
}

static void evaluate_license(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, license_gpu);
}

/* MIG. */

int mig_policy_validate(const json_t *policy, char *err, size_t errlen)
{
	const json_t *gpus;
	const char *key;
	json_t *v;

	if (!json_is_object(policy)) {
		snprintf(err, errlen, "expected a JSON object");
		return -1;
	}
	if (jv_object(policy, "gpus", JV_REQUIRED, "policy", err, errlen))
		return -1;
	gpus = jobj(policy, "gpus");
	json_object_foreach((json_t *)gpus, key, v) {
		size_t i;
		json_t *p;
		if (strcmp(key, "*") != 0 && !pci_address_valid(key) &&
		    !(str_starts_with(key, "GPU-") && strlen(key) < 96 && str_is_printable(key))) {
			snprintf(err, errlen, "policy.gpus: \"%.60s\" is not \"*\", a PCI address or a GPU UUID", key);
			return -1;
		}
		if (json_is_false(v))
			continue;
		if (!json_is_array(v) || json_array_size(v) > 64) {
			snprintf(err, errlen, "policy.gpus.%s: expected false or an array of MIG profiles", key);
			return -1;
		}
		json_array_foreach(v, i, p) {
			if (!json_is_string(p) || json_string_length(p) == 0 || json_string_length(p) > 32 ||
			    !str_is_printable(json_string_value(p))) {
				snprintf(err, errlen, "policy.gpus.%s[%zu]: expected a profile name such as \"1g.10gb\"", key, i);
				return -1;
			}
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Do the instances have exactly the expected profiles (in any order)? */
static bool same_profiles(const json_t *instances, const json_t *expected)
{
	size_t n = json_array_size(instances), i;
	const char **a, **b;
	bool same = n == json_array_size(expected);

	if (!same)
		return false;
	a = xcalloc(n + 1, sizeof(*a));
	b = xcalloc(n + 1, sizeof(*b));
	for (i = 0; i < n; i++) {
		const char *p = jstr(json_array_get(instances, i), "profile");
		a[i] = p ? p : "";
		b[i] = json_string_value(json_array_get(expected, i));
	}
	qsort(a, n, sizeof(*a), cmp_str);
	qsort(b, n, sizeof(*b), cmp_str);
	for (i = 0; i < n && same; i++)
		same = strcmp(a[i], b[i]) == 0;
	free(a);
	free(b);
	return same;
}

#define MIG_REMEDY \
	"Inspect with `" SMI " mig -lgi -i %s` and `" SMI " mig -lci -i %s`. MIG is turned on by root with `" SMI \
	" -i %s -mig 1` and instances made with `" SMI " mig -cgi`; if this layout is intended, state it with " \
	"--expect-mig FILE (docs/killswitch.md)."

static void mig_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		    const json_t *dev, const char *addr, struct findings *out)
{
	static const char *const paths[] = { "mig.current", "mig.pending", "mig.instances", NULL };
	const json_t *gpus = jobj(ctx->options->expect_mig, "gpus"), *expected = NULL;
	const json_t *instances = nf_get(dev, "mig.instances");
	const char *uuid = nf_str(dev, "uuid");
	bool on, pending = false, stated;
	size_t n = json_array_size(instances);

	(void)acc;
	if (!nf_bool(dev, "mig.current", &on)) {
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "MIG mode unknown: %s",
		    nf_why(dev, "mig.current"));
		return;
	}
	nf_bool(dev, "mig.pending", &pending);
	if (gpus) {
		expected = json_object_get(gpus, addr);
		if (expected == NULL && uuid)
			expected = json_object_get(gpus, uuid);
		if (expected == NULL)
			expected = json_object_get(gpus, "*");
	}
	stated = expected != NULL;
	if (!stated || json_is_false(expected)) {
		if (!on)
			add(out, check, pending ? STATUS_WARN : STATUS_PASS, addr, evidence(dev, paths), MIG_REMEDY,
			    "MIG off, as %s%s", stated ? "the policy expects" : "expected",
			    pending ? "; turning it on is pending (at the next GPU reset)" : "");
		else
			add(out, check, stated ? STATUS_FAIL : STATUS_WARN, addr, evidence(dev, paths), MIG_REMEDY,
			    "MIG on with %zu instance%s where %s", n, n == 1 ? "" : "s",
			    stated ? "the policy expects MIG off" : "none is expected (no --expect-mig policy)");
		return;
	}
	if (!on)
		add(out, check, STATUS_FAIL, addr, evidence(dev, paths), MIG_REMEDY,
		    "MIG off where the policy expects %zu instance%s", json_array_size(expected),
		    json_array_size(expected) == 1 ? "" : "s");
	else if (instances == NULL)
		add(out, check, STATUS_SKIP, addr, evidence(dev, paths), NULL, "MIG on; instances unknown: %s",
		    nf_why(dev, "mig.instances"));
	else if (!same_profiles(instances, expected))
		add(out, check, STATUS_FAIL, addr, json_pack("{s:o, s:O}", "found", evidence(dev, paths), "expected", expected),
		    MIG_REMEDY, "MIG instances differ from the policy: %zu found, %zu expected", n,
		    json_array_size(expected));
	else
		add(out, check, STATUS_PASS, addr, evidence(dev, paths), NULL,
		    "MIG on with the %zu instance%s the policy expects", n, n == 1 ? "" : "s");
}

static void evaluate_mig(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	for_each_gpu(check, ctx, out, mig_gpu);
}

static const struct check killswitch_checks[] = {
	{ "killswitch.compute_prohibited", "killswitch", "GPU does not refuse compute work", SEVERITY_HIGH,
	  "accelerators[].nvml.compute_mode", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_compute },
	{ "killswitch.gpu_operation_mode", "killswitch", "GPU operation mode keeps compute and FP64 at full rate",
	  SEVERITY_HIGH, "accelerators[].nvml.gpu_operation_mode", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_operation_mode },
	{ "killswitch.drain", "killswitch", "GPU not drained", SEVERITY_HIGH,
	  "accelerators[].nvml.drain_state", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_drain },
	{ "killswitch.cc_not_ready", "killswitch", "Confidential computing does not hold work back", SEVERITY_HIGH,
	  "nvml.confidential_computing", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_cc },
	{ "killswitch.device_lost", "killswitch", "GPU reachable", SEVERITY_CRITICAL,
	  "accelerators[].nvml.lost, nvml.unreachable_devices, kernel_xids (XID 79)", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_lost },
	{ "killswitch.power_capped", "killswitch", "Power limit not below the default", SEVERITY_MEDIUM,
	  "accelerators[].nvml.power_mw", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_power },
	{ "killswitch.clocks_capped", "killswitch", "Clocks not held below their defaults", SEVERITY_MEDIUM,
	  "accelerators[].nvml.clocks_mhz, clock_event_reasons", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_clocks },
	{ "killswitch.throttle_active", "killswitch", "No unexplained slowdown", SEVERITY_HIGH,
	  "accelerators[].nvml.clock_event_reasons, power_mw, temperature_c", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_throttle },
	{ "killswitch.memory_degraded", "killswitch", "Device memory healthy", SEVERITY_HIGH,
	  "accelerators[].nvml.row_remapping, retired_pages, ecc", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_memory },
	{ "killswitch.xid", "killswitch", "No GPU fault reported in the kernel log", SEVERITY_HIGH,
	  "kernel_xids.events, data/xids.json", NEEDS_ROOT, evaluate_xid },
	{ "killswitch.vgpu_unlicensed", "killswitch", "vGPU licensed", SEVERITY_MEDIUM,
	  "accelerators[].nvml.virtualization_mode, vgpu_license", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_license },
	{ "killswitch.mig_changed", "killswitch", "MIG layout as expected", SEVERITY_MEDIUM,
	  "accelerators[].nvml.mig, --expect-mig", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_mig },
};

const struct check_family killswitch_family = { "killswitch", killswitch_checks, ARRAY_SIZE(killswitch_checks) };
