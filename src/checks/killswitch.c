/* Kill-switch checks: is the accelerator's work refused, gated, capped or
 * degraded, by what, and since when? A kill switch, if one existed, would
 * show in what the driver reports. These checks read the vendor-neutral
 * record each vendor backend writes (accelerators[].runtime,
 * vendor/runtime.h); the library's own values are their evidence and the
 * backend gives the commands that inspect and clear each state. The XIDs of
 * the kernel log are judged in killswitch_xid.c. docs/killswitch.md
 * explains each check, what clears it and the command that shows the same
 * state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/killswitch.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "probe/facts.h"
#include "vendor/runtime.h"
#include "vendor/vendor.h"

void killswitch_for_each_gpu(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
			     const struct vendor_backend *only, gpu_fn fn)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const struct vendor_backend *b = vendor_backend_for(jstr(acc, "vendor_id"));
		const json_t *section = b ? jobj(ctx->facts, b->name) : NULL;
		struct gpu gpu = { b, section, vendor_values(acc, b), jobj(acc, "runtime"),
				   jstr(acc, "pci_address") };
		if (b == NULL || (only && b != only))
			continue;
		if (section == NULL) {
			finding_add(out, check, STATUS_SKIP, gpu.addr, NULL, NULL,
				    "No %s facts: gathered by a chipaudit without the %s backend", b->library_label,
				    b->library_label);
		} else if (!json_is_true(json_object_get(section, "available"))) {
			char *remedy = xasprintf("Run the audit on the machine with the %s driver loaded (or snapshot it there).",
						 b->vendor);
			finding_add(out, check, STATUS_SKIP, gpu.addr,
				    json_pack("{s:O?, s:O?}", "library", json_object_get(section, "library"), "reason",
					      json_object_get(section, "reason")),
				    remedy, "%s not available: %s", b->library_label,
				    jstr(section, "reason") ? jstr(section, "reason") : "no reason given");
			free(remedy);
		} else if (gpu.values == NULL || gpu.rt == NULL) {
			finding_add(out, check, STATUS_SKIP, gpu.addr, NULL, NULL,
				    "%s does not list this %s (see killswitch.device_lost)", b->library_label,
				    b->device_noun);
		} else {
			fn(check, ctx, &gpu, out);
		}
	}
}

static json_t *evidence(const struct gpu *gpu, enum runtime_concern concern)
{
	return gpu->backend->evidence(concern, gpu->section, gpu->values);
}

static void add(struct findings *out, const struct check *check, enum status st, const struct gpu *gpu,
		enum runtime_concern concern, json_t *ev, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* A finding on GPU, with the backend's remedy for CONCERN unless it passed. */
static void add(struct findings *out, const struct check *check, enum status st, const struct gpu *gpu,
		enum runtime_concern concern, json_t *ev, const char *fmt, ...)
{
	const char *tmpl = st != STATUS_PASS && st != STATUS_SKIP ? gpu->backend->remedies[concern] : NULL;
	char *remedy = tmpl ? remedy_at(tmpl, gpu->addr) : NULL, *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	finding_add(out, check, st, gpu->addr, ev, remedy, "%s", msg);
	free(msg);
	free(remedy);
}

/* Gating. */

static void compute_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
			struct findings *out)
{
	const char *gate = rt_str(gpu->rt, "compute.gate"), *mode = rt_str(gpu->rt, "compute.mode");

	(void)ctx;
	if (gate == NULL || mode == NULL)
		add(out, check, STATUS_SKIP, gpu, RT_COMPUTE, evidence(gpu, RT_COMPUTE), "Compute mode unknown: %s",
		    rt_why(gpu->rt, "compute.gate"));
	else if (strcmp(gate, "refused") == 0)
		add(out, check, STATUS_FAIL, gpu, RT_COMPUTE, evidence(gpu, RT_COMPUTE),
		    "Compute mode is Prohibited: the %s refuses every %s", gpu->backend->device_noun,
		    gpu->backend->work_unit);
	else
		add(out, check, STATUS_PASS, gpu, RT_COMPUTE, evidence(gpu, RT_COMPUTE),
		    "Compute mode %s: %ss are accepted%s", mode, gpu->backend->work_unit,
		    strcmp(gate, "open") == 0 ? "" : " (one process at a time: a scheduling policy)");
}

static void evaluate_compute(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, compute_gpu);
}

/* A mode that keeps compute and FP64 at full rate passes (one that turns
 * graphics off too: a compute server does not use it). Reduced FP64 in
 * effect is a failure; pending (at the next reboot), a warning. */
static void operation_mode_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
			       struct findings *out)
{
	const char *current = rt_str(gpu->rt, "operation_mode.current.name");
	const char *pending = rt_str(gpu->rt, "operation_mode.pending.name");
	bool change = pending && current && strcmp(pending, current) != 0, reduced = false, pending_reduced = false;
	bool graphics_off = false;

	(void)ctx;
	rt_bool(gpu->rt, "operation_mode.current.fp64_reduced", &reduced);
	rt_bool(gpu->rt, "operation_mode.pending.fp64_reduced", &pending_reduced);
	rt_bool(gpu->rt, "operation_mode.current.graphics_off", &graphics_off);
	if (current == NULL)
		add(out, check, STATUS_SKIP, gpu, RT_OPERATION_MODE, evidence(gpu, RT_OPERATION_MODE),
		    "GPU operation mode unknown: %s", rt_why(gpu->rt, "operation_mode.current"));
	else if (reduced)
		add(out, check, STATUS_FAIL, gpu, RT_OPERATION_MODE, evidence(gpu, RT_OPERATION_MODE),
		    "GPU operation mode %s: FP64 throughput is cut%s%s%s", current, change ? " (" : "",
		    change ? pending : "", change ? " pending at the next reboot)" : "");
	else if (change && pending_reduced)
		add(out, check, STATUS_WARN, gpu, RT_OPERATION_MODE, evidence(gpu, RT_OPERATION_MODE),
		    "GPU operation mode %s, %s pending: FP64 throughput will be cut at the next reboot", current, pending);
	else
		add(out, check, STATUS_PASS, gpu, RT_OPERATION_MODE, evidence(gpu, RT_OPERATION_MODE),
		    "GPU operation mode %s%s%s%s%s", current,
		    graphics_off ? " (graphics off; compute and FP64 at full rate)" : "", change ? "; " : "",
		    change ? pending : "", change ? " pending at the next reboot" : "");
}

static void evaluate_operation_mode(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, operation_mode_gpu);
}

static void drain_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		      struct findings *out)
{
	bool drained;

	(void)ctx;
	if (!rt_bool(gpu->rt, "drained", &drained))
		add(out, check, STATUS_SKIP, gpu, RT_DRAIN, evidence(gpu, RT_DRAIN), "Drain state unknown: %s",
		    rt_why(gpu->rt, "drained"));
	else if (drained)
		add(out, check, STATUS_FAIL, gpu, RT_DRAIN, evidence(gpu, RT_DRAIN),
		    "The %s is drained: the driver accepts no new work on it", gpu->backend->device_noun);
	else
		add(out, check, STATUS_PASS, gpu, RT_DRAIN, evidence(gpu, RT_DRAIN), "Not drained");
}

static void evaluate_drain(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, drain_gpu);
}

static void cc_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		   struct findings *out)
{
	json_t *ev = evidence(gpu, RT_CONFIDENTIAL_COMPUTING);
	bool on, ready;

	(void)ctx;
	if (!rt_bool(gpu->rt, "confidential_computing.on", &on))
		add(out, check, STATUS_SKIP, gpu, RT_CONFIDENTIAL_COMPUTING, ev, "Confidential computing state unknown: %s",
		    rt_why(gpu->rt, "confidential_computing.on"));
	else if (!on)
		add(out, check, STATUS_PASS, gpu, RT_CONFIDENTIAL_COMPUTING, ev,
		    "Confidential computing off: no readiness gate");
	else if (!rt_bool(gpu->rt, "confidential_computing.ready", &ready))
		add(out, check, STATUS_SKIP, gpu, RT_CONFIDENTIAL_COMPUTING, ev,
		    "Confidential computing on, readiness unknown: %s", rt_why(gpu->rt, "confidential_computing.ready"));
	else if (!ready)
		add(out, check, STATUS_FAIL, gpu, RT_CONFIDENTIAL_COMPUTING, ev,
		    "Confidential computing on and the GPUs are not accepting client work");
	else
		add(out, check, STATUS_PASS, gpu, RT_CONFIDENTIAL_COMPUTING, ev,
		    "Confidential computing on; the GPUs accept client work");
}

static void evaluate_cc(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, cc_gpu);
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

/* A device the bus shows and the library does not list. */
static void unlisted_gpu(const struct check *check, const struct gpu *gpu, const json_t *acc, bool xid79,
			 struct findings *out)
{
	const char *driver = jstr(acc, "driver");

	if (driver && strcmp(driver, gpu->backend->kernel_driver) != 0)
		add(out, check, STATUS_SKIP, gpu, RT_LOST, json_pack("{s:s}", "driver", driver),
		    "Bound to %s, not to the %s driver: not this host's %s to use", driver, gpu->backend->vendor,
		    gpu->backend->device_noun);
	else
		add(out, check, xid79 ? STATUS_FAIL : STATUS_WARN, gpu, RT_LOST,
		    json_pack("{s:s?, s:O?}", "driver", driver, "unreachable_devices",
			      json_object_get(gpu->section, "unreachable_devices")),
		    "The PCI bus shows this %s %s but %s does not list it: the driver did not "
		    "initialise it, or it is hidden from this namespace%s", gpu->backend->vendor, gpu->backend->device_noun,
		    gpu->backend->library_label,
		    xid79 ? "; the kernel log reports it fell off the bus (XID 79)" : "");
}

static void lost_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
		     const struct gpu *gpu, struct findings *out)
{
	bool xid79 = has_xid(ctx->facts, gpu->addr, 79), lost = false;
	char *key;

	if (gpu->section == NULL || !json_is_true(json_object_get(gpu->section, "available"))) {
		if (xid79)
			add(out, check, STATUS_FAIL, gpu, RT_LOST, json_pack("{s:i}", "xid", 79),
			    "The kernel log reports this GPU fell off the bus (XID 79)");
		else
			add(out, check, STATUS_SKIP, gpu, RT_LOST, NULL, "%s not available: %s%s%s", gpu->backend->library_label,
			    gpu->section && jstr(gpu->section, "reason") ? jstr(gpu->section, "reason") : "no ",
			    gpu->section && jstr(gpu->section, "reason") ? "" : gpu->backend->library_label,
			    gpu->section && jstr(gpu->section, "reason") ? "" : " facts");
		return;
	}
	if (gpu->rt == NULL) {
		unlisted_gpu(check, gpu, acc, xid79, out);
		return;
	}
	rt_bool(gpu->rt, "lost", &lost);
	key = xasprintf("%s_lost", gpu->backend->name);
	if (lost || xid79)
		add(out, check, STATUS_FAIL, gpu, RT_LOST, json_pack("{s:b, s:b}", key, lost, "xid_79", xid79), "%s%s%s%s",
		    lost ? gpu->backend->library_label : "", lost ? " reports the " : "",
		    lost ? gpu->backend->device_noun : "",
		    lost ? " lost (fallen off the bus or inaccessible)"
			 : "The kernel log reports this GPU fell off the bus (XID 79)");
	else
		add(out, check, STATUS_PASS, gpu, RT_LOST, json_pack("{s:b}", key, false), "Reachable through %s",
		    gpu->backend->library_label);
	free(key);
}

static void evaluate_lost(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc, *u;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const struct vendor_backend *b = vendor_backend_for(jstr(acc, "vendor_id"));
		struct gpu gpu = { b, b ? jobj(ctx->facts, b->name) : NULL, vendor_values(acc, b),
				   jobj(acc, "runtime"), jstr(acc, "pci_address") };
		if (b)
			lost_gpu(check, ctx, acc, &gpu, out);
	}
	/* Devices a library counts but cannot reach have no address: reported
	 * on the host. */
	for (size_t k = 0; k < vendor_backend_count; k++) {
		const struct vendor_backend *b = vendor_backends[k];
		json_array_foreach(jarr(jobj(ctx->facts, b->name), "unreachable_devices"), i, u)
			finding_add(out, check, STATUS_FAIL, "host", json_deep_copy(u), b->unreachable_remedy,
				    "%s device %d cannot be reached: %s", b->library_label,
				    (int)json_integer_value(json_object_get(u, "index")), jstr(u, "error"));
	}
}

/* Capping. */

static void power_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		      struct findings *out)
{
	long long enforced, deflt, limit;
	bool have_limit = rt_int(gpu->rt, "power_mw.requested_limit", &limit);
	bool have_enforced = rt_int(gpu->rt, "power_mw.enforced_limit", &enforced);

	(void)ctx;
	if (!have_enforced || !rt_int(gpu->rt, "power_mw.default_limit", &deflt)) {
		add(out, check, STATUS_SKIP, gpu, RT_POWER, evidence(gpu, RT_POWER), "Power limits unknown: %s",
		    rt_why(gpu->rt, have_enforced ? "power_mw.default_limit" : "power_mw.enforced_limit"));
		return;
	}
	if (enforced >= deflt) {
		add(out, check, STATUS_PASS, gpu, RT_POWER, evidence(gpu, RT_POWER),
		    "Enforced power limit %.0f W, at the default %.0f W", enforced / 1000.0, deflt / 1000.0);
	} else if (have_limit && limit < deflt && enforced >= limit) {
		add(out, check, STATUS_WARN, gpu, RT_POWER, evidence(gpu, RT_POWER),
		    "Power capped at %.0f W, below the default %.0f W: the limit was requested through %s (%s)",
		    enforced / 1000.0, deflt / 1000.0, gpu->backend->library_label, gpu->backend->power_limit_command);
	} else {
		add(out, check, STATUS_FAIL, gpu, RT_POWER, evidence(gpu, RT_POWER),
		    "Power capped at %.0f W, below the default %.0f W and below the %s: the cap comes from outside "
		    "the driver's power management", enforced / 1000.0, deflt / 1000.0,
		    have_limit ? "requested limit" : "default (requested limit unknown)");
	}
}

static void evaluate_power(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, power_gpu);
}

/* Why a clock pair is unknown: the set value's reason, else the default's. */
static const char *clock_why(const json_t *rt, const char *which)
{
	char set[48], deflt[48];
	long long v;

	snprintf(set, sizeof(set), "clocks_mhz.%s.set", which);
	snprintf(deflt, sizeof(deflt), "clocks_mhz.%s.default", which);
	return rt_int(rt, set, &v) ? rt_why(rt, deflt) : rt_why(rt, set);
}

static void clocks_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		       struct findings *out)
{
	long long sm_app, sm_def, mem_app, mem_def;
	bool sm = rt_int(gpu->rt, "clocks_mhz.compute.set", &sm_app) &&
		  rt_int(gpu->rt, "clocks_mhz.compute.default", &sm_def);
	bool mem = rt_int(gpu->rt, "clocks_mhz.memory.set", &mem_app) &&
		   rt_int(gpu->rt, "clocks_mhz.memory.default", &mem_def);

	(void)ctx;
	if (sm && sm_app < sm_def)
		add(out, check, STATUS_WARN, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS),
		    "SM application clock %lld MHz, below its default %lld MHz", sm_app, sm_def);
	else if (mem && mem_app < mem_def)
		add(out, check, STATUS_WARN, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS),
		    "Memory application clock %lld MHz, below its default %lld MHz", mem_app, mem_def);
	else if (rt_slowdown(gpu->rt, RT_SLOW_CLOCK_SETTING))
		add(out, check, STATUS_WARN, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS),
		    "Clocks held back by the applications clocks setting (clock event reason active)");
	else if (!sm)
		add(out, check, STATUS_SKIP, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS), "Application clocks unknown: %s",
		    clock_why(gpu->rt, "compute"));
	else if (!mem)
		add(out, check, STATUS_PASS, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS),
		    "SM application clock at its default (%lld MHz); the memory clock's is unknown (%s)", sm_app,
		    clock_why(gpu->rt, "memory"));
	else
		add(out, check, STATUS_PASS, gpu, RT_CLOCKS, evidence(gpu, RT_CLOCKS),
		    "Application clocks at their defaults (SM %lld MHz)", sm_app);
}

static void evaluate_clocks(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, clocks_gpu);
}

static void throttle_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
			 struct findings *out)
{
	bool thermal, hw, brake;

	(void)ctx;
	if (rt_get(gpu->rt, "slowdown") == NULL) {
		add(out, check, STATUS_SKIP, gpu, RT_SLOWDOWN, evidence(gpu, RT_SLOWDOWN), "Clock event reasons unknown: %s",
		    rt_why(gpu->rt, "slowdown"));
		return;
	}
	thermal = rt_slowdown(gpu->rt, RT_SLOW_SOFTWARE_THERMAL) || rt_slowdown(gpu->rt, RT_SLOW_HARDWARE_THERMAL);
	brake = rt_slowdown(gpu->rt, RT_SLOW_HARDWARE_POWER_BRAKE);
	hw = brake || rt_slowdown(gpu->rt, RT_SLOW_HARDWARE_SLOWDOWN);
	if (hw && !thermal)
		add(out, check, STATUS_FAIL, gpu, RT_SLOWDOWN, evidence(gpu, RT_SLOWDOWN),
		    "Clocks slowed by %s with no thermal reason", brake ? "the hardware power brake" : "HW slowdown");
	else if (rt_slowdown(gpu->rt, RT_SLOW_SOFTWARE_POWER_CAP) && !thermal)
		add(out, check, STATUS_WARN, gpu, RT_SLOWDOWN, evidence(gpu, RT_SLOWDOWN),
		    "Clocks held down by the software power cap with no thermal reason");
	else if (thermal)
		add(out, check, STATUS_WARN, gpu, RT_SLOWDOWN, evidence(gpu, RT_SLOWDOWN),
		    "Clocks slowed for temperature: check the cooling");
	else
		add(out, check, STATUS_PASS, gpu, RT_SLOWDOWN, evidence(gpu, RT_SLOWDOWN), "No slowdown active%s",
		    rt_slowdown(gpu->rt, RT_SLOW_IDLE) ? " (idle)" : "");
}

static void evaluate_throttle(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, throttle_gpu);
}

/* Degradation. */

static void memory_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		       struct findings *out)
{
	const json_t *rt = gpu->rt;
	bool failure = false, remap_pending = false, retire_pending = false, b;
	bool remap_known = false, retire_known = false, ecc_known;
	long long unc = 0;

	(void)ctx;
	if (rt_bool(rt, "memory.repair_failed", &b))
		remap_known = true, failure = b;
	if (rt_bool(rt, "memory.repair_pending", &b))
		remap_known = true, remap_pending = b;
	if (rt_bool(rt, "memory.retirement_pending", &b))
		retire_known = true, retire_pending = b;
	ecc_known = rt_int(rt, "memory.uncorrectable_errors", &unc);
	/* a pass names what it could not examine: memory without row
	 * remapping (before Ampere) is judged on the rest, and says so */
	if (!remap_known && !retire_known && !ecc_known)
		add(out, check, STATUS_SKIP, gpu, RT_MEMORY, evidence(gpu, RT_MEMORY),
		    "Memory health unknown: row remapping %s; page retirement %s; ECC %s",
		    rt_why(rt, "memory.repair_failed"), rt_why(rt, "memory.retirement_pending"),
		    rt_why(rt, "memory.uncorrectable_errors"));
	else if (failure)
		add(out, check, STATUS_FAIL, gpu, RT_MEMORY, evidence(gpu, RT_MEMORY),
		    "Row remapping failed: the memory has a faulty row it could not replace");
	else if (unc > 0)
		add(out, check, STATUS_FAIL, gpu, RT_MEMORY, evidence(gpu, RT_MEMORY),
		    "%lld uncorrectable ECC error%s since the driver loaded", unc, unc == 1 ? "" : "s");
	else if (remap_pending || retire_pending)
		add(out, check, STATUS_WARN, gpu, RT_MEMORY, evidence(gpu, RT_MEMORY),
		    "A memory repair is pending (%s): it takes effect at the next reset",
		    remap_pending ? "row remapping" : "page retirement");
	else
		add(out, check, STATUS_PASS, gpu, RT_MEMORY, evidence(gpu, RT_MEMORY),
		    "No remapping failure, no pending repair, no uncorrectable error since the driver loaded%s%s%s%s%s%s",
		    remap_known ? "" : "; row remapping not examined: ", remap_known ? "" : rt_why(rt, "memory.repair_failed"),
		    retire_known ? "" : "; page retirement not examined: ",
		    retire_known ? "" : rt_why(rt, "memory.retirement_pending"),
		    ecc_known ? "" : "; ECC counters not examined: ", ecc_known ? "" : rt_why(rt, "memory.uncorrectable_errors"));
}

static void evaluate_memory(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, memory_gpu);
}

/* Licensing. */

static void license_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
			struct findings *out)
{
	const char *mode = rt_str(gpu->rt, "virtualization.mode");
	bool guest = false, licensed;

	(void)ctx;
	rt_bool(gpu->rt, "virtualization.guest", &guest);
	if (mode == NULL)
		add(out, check, STATUS_SKIP, gpu, RT_VIRTUALIZATION, evidence(gpu, RT_VIRTUALIZATION),
		    "Virtualization mode unknown: %s", rt_why(gpu->rt, "virtualization.mode"));
	else if (!guest)
		add(out, check, STATUS_PASS, gpu, RT_VIRTUALIZATION, evidence(gpu, RT_VIRTUALIZATION),
		    "Not a vGPU guest (virtualization mode %s): no license gate", mode);
	else if (!rt_bool(gpu->rt, "virtualization.licensed", &licensed))
		add(out, check, STATUS_SKIP, gpu, RT_VIRTUALIZATION, evidence(gpu, RT_VIRTUALIZATION),
		    "vGPU guest; license state unknown: %s", rt_why(gpu->rt, "virtualization.licensed"));
	else if (licensed)
		add(out, check, STATUS_PASS, gpu, RT_VIRTUALIZATION, evidence(gpu, RT_VIRTUALIZATION),
		    "vGPU guest with a license");
	else
		add(out, check, STATUS_FAIL, gpu, RT_VIRTUALIZATION, evidence(gpu, RT_VIRTUALIZATION),
		    "vGPU guest without a license: %s's vGPU software restricts an unlicensed vGPU", gpu->backend->vendor);
}

static void evaluate_license(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, license_gpu);
}

/* Partitions (MIG). */

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

/* Are the profiles exactly the expected ones (in any order)? */
static bool same_profiles(const json_t *profiles, const json_t *expected)
{
	size_t n = json_array_size(profiles), i;
	const char **a, **b;
	bool same = n == json_array_size(expected);

	if (!same)
		return false;
	a = xcalloc(n + 1, sizeof(*a));
	b = xcalloc(n + 1, sizeof(*b));
	for (i = 0; i < n; i++) {
		const char *p = json_string_value(json_array_get(profiles, i));
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

static void mig_gpu(const struct check *check, const struct judge_ctx *ctx, const struct gpu *gpu,
		    struct findings *out)
{
	const json_t *gpus = jobj(ctx->options->expect_mig, "gpus"), *expected = NULL;
	const json_t *profiles = rt_get(gpu->rt, "partitions.profiles");
	const char *uuid = rt_str(gpu->rt, "identity.uuid"), *label = gpu->backend->partitions_label;
	bool on, pending = false, stated;
	size_t n = json_array_size(profiles);

	if (!rt_bool(gpu->rt, "partitions.on", &on)) {
		add(out, check, STATUS_SKIP, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS), "%s mode unknown: %s", label,
		    rt_why(gpu->rt, "partitions.on"));
		return;
	}
	rt_bool(gpu->rt, "partitions.pending", &pending);
	if (gpus) {
		expected = json_object_get(gpus, gpu->addr);
		if (expected == NULL && uuid)
			expected = json_object_get(gpus, uuid);
		if (expected == NULL)
			expected = json_object_get(gpus, "*");
	}
	stated = expected != NULL;
	if (!stated || json_is_false(expected)) {
		if (!on)
			add(out, check, pending ? STATUS_WARN : STATUS_PASS, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS),
			    "%s off, as %s%s", label, stated ? "the policy expects" : "expected",
			    pending ? "; turning it on is pending (at the next reset)" : "");
		else
			add(out, check, stated ? STATUS_FAIL : STATUS_WARN, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS),
			    "%s on with %zu instance%s where %s", label, n, n == 1 ? "" : "s",
			    stated ? "the policy expects MIG off" : "none is expected (no --expect-mig policy)");
		return;
	}
	if (!on)
		add(out, check, STATUS_FAIL, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS),
		    "%s off where the policy expects %zu instance%s", label, json_array_size(expected),
		    json_array_size(expected) == 1 ? "" : "s");
	else if (profiles == NULL)
		add(out, check, STATUS_SKIP, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS), "%s on; instances unknown: %s",
		    label, rt_why(gpu->rt, "partitions.profiles"));
	else if (!same_profiles(profiles, expected))
		add(out, check, STATUS_FAIL, gpu, RT_PARTITIONS,
		    json_pack("{s:o, s:O}", "found", evidence(gpu, RT_PARTITIONS), "expected", expected),
		    "%s instances differ from the policy: %zu found, %zu expected", label, n, json_array_size(expected));
	else
		add(out, check, STATUS_PASS, gpu, RT_PARTITIONS, evidence(gpu, RT_PARTITIONS),
		    "%s on with the %zu instance%s the policy expects", label, n, n == 1 ? "" : "s");
}

static void evaluate_mig(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, NULL, mig_gpu);
}

static const struct check killswitch_checks[] = {
	{ "killswitch.compute_prohibited", "killswitch", "Accelerator does not refuse compute work", SEVERITY_HIGH,
	  "accelerators[].runtime.compute", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_compute },
	{ "killswitch.gpu_operation_mode", "killswitch", "GPU operation mode keeps compute and FP64 at full rate",
	  SEVERITY_HIGH, "accelerators[].runtime.operation_mode", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_operation_mode },
	{ "killswitch.drain", "killswitch", "Accelerator not drained", SEVERITY_HIGH,
	  "accelerators[].runtime.drained", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_drain },
	{ "killswitch.cc_not_ready", "killswitch", "Confidential computing does not hold work back", SEVERITY_HIGH,
	  "accelerators[].runtime.confidential_computing", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_cc },
	{ "killswitch.device_lost", "killswitch", "Accelerator reachable", SEVERITY_CRITICAL,
	  "accelerators[].runtime.lost, VENDOR_LIBRARY.unreachable_devices, kernel_xids (XID 79)", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_lost },
	{ "killswitch.power_capped", "killswitch", "Power limit not below the default", SEVERITY_MEDIUM,
	  "accelerators[].runtime.power_mw", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_power },
	{ "killswitch.clocks_capped", "killswitch", "Clocks not held below their defaults", SEVERITY_MEDIUM,
	  "accelerators[].runtime.clocks_mhz, slowdown", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_clocks },
	{ "killswitch.throttle_active", "killswitch", "No unexplained slowdown", SEVERITY_HIGH,
	  "accelerators[].runtime.slowdown", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_throttle },
	{ "killswitch.memory_degraded", "killswitch", "Device memory healthy", SEVERITY_HIGH,
	  "accelerators[].runtime.memory", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_memory },
	{ "killswitch.xid", "killswitch", "No GPU fault reported in the kernel log", SEVERITY_HIGH,
	  "kernel_xids.events, data/xids.json", NEEDS_ROOT, killswitch_evaluate_xid },
	{ "killswitch.vgpu_unlicensed", "killswitch", "vGPU licensed", SEVERITY_MEDIUM,
	  "accelerators[].runtime.virtualization", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_license },
	{ "killswitch.mig_changed", "killswitch", "MIG layout as expected", SEVERITY_MEDIUM,
	  "accelerators[].runtime.partitions, --expect-mig", NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_mig },
};

const struct check_family killswitch_family = { "killswitch", killswitch_checks, ARRAY_SIZE(killswitch_checks) };
