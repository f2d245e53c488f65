/* Probe section "measurement": with --measure, measure this machine's GPUs
 * (src/measure/) and put each device's figures on its accelerator,
 * facts.accelerators[i].measured, matched by PCI address. The section keeps
 * what concerns the run: status, driver, cuBLASLt, telemetry, and CUDA
 * devices that match no accelerator found on the PCI bus (docs/measure.md). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe/facts.h"
#include "core/json.h"
#include "core/util.h"
#include "measure/measure.h"
#include "measure/progress.h"
#include "probe/probe.h"
#include "vendor/vendor.h"

/* Move each device's figures onto its accelerator; the rest are unmatched. */
static void attach(struct probe_ctx *ctx, json_t *run)
{
	json_t *devices = json_incref(jarr(run, "devices")), *unmatched = json_array(), *dev;
	size_t i;

	json_object_del(run, "devices");
	json_array_foreach(devices, i, dev) {
		const char *pci = jstr(dev, "pci_address");
		json_t *acc = accelerator_by_address(jarr(ctx->facts, "accelerators"), pci);
		if (acc && json_object_get(acc, "measured") == NULL) {
			json_object_set(acc, "measured", json_object_get(dev, "measured"));
		} else {
			probe_limitation(ctx, "measurement",
					 "CUDA device %s (%s) is not among the accelerators found on the PCI bus: its figures are in measurement.unmatched and are not judged",
					 pci ? pci : "without a PCI address", jstr(jobj(dev, "measured"), "name") ?
					 jstr(jobj(dev, "measured"), "name") : "unnamed");
			json_array_append(unmatched, dev);
		}
	}
	json_decref(devices);
	json_object_set_new(run, "unmatched", unmatched);
}

int probe_measure(struct probe_ctx *ctx)
{
	struct measure_options opts = { .mode = (enum measure_mode)ctx->options->measure };
	struct measure_telemetry telemetry = { .name = "nvml", .sample = nvml_telemetry_sample, .interval_s = 0.1 };
	struct nvml_telemetry *nvml;
	struct tty_progress bar;
	char why[512];
	json_t *run;

	if (ctx->options->measure == MEASURE_OFF)
		return 0;
	if (!sysroot_is_live(ctx->sysroot)) {
		probe_limitation(ctx, "measurement",
				 "not measured: --measure examines this machine's GPUs, not a captured tree");
		return -1;
	}
	if (ctx->sysroot->recorder) {
		probe_limitation(ctx, "measurement", "not measured: a snapshot captures files, not measurements");
		return -1;
	}
	if (isatty(STDERR_FILENO) && !ctx->options->measure_quiet) {
		tty_progress_init(&bar, stderr);
		opts.progress = &bar.progress;
	}
	/* Clocks, power and clock event reasons come from NVML while the work
	 * runs; without NVML, measurement.telemetry says the run was not sampled
	 * (the nvml section says why NVML is unavailable). */
	nvml = nvml_telemetry_open(probe_vendor_library(ctx->options, "nvml"), why, sizeof(why));
	if (nvml) {
		telemetry.ctx = nvml;
		opts.telemetry = &telemetry;
	}
	run = measure_run(&opts);
	nvml_telemetry_close(nvml);
	if (opts.progress)
		tty_progress_done(&bar);
	if (strcmp(jstr(run, "status"), "unavailable") == 0)
		probe_limitation(ctx, "measurement", "%s", jstr(run, "reason"));
	attach(ctx, run);
	json_object_set_new(ctx->facts, "measurement", run);
	return 0;
}

int validate_measurement(const json_t *run, const json_t *facts, char *err, size_t errlen)
{
	static const char where[] = "measurement";
	const json_t *lt = json_object_get(run, "cublaslt"), *list = json_object_get(run, "unmatched");
	const char *status;
	size_t i;
	json_t *dev;

	(void)facts;
	if (!json_is_object(run)) {
		snprintf(err, errlen, "measurement: expected an object");
		return -1;
	}
	if (jv_string(run, "status", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_string(run, "reason", JV_NULLABLE, 4096, where, err, errlen) ||
	    jv_string(run, "mode", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_string(run, "library", JV_REQUIRED, 4096, where, err, errlen) ||
	    jv_string(run, "driver_version", JV_NULLABLE, 16, where, err, errlen) ||
	    jv_object(run, "cublaslt", JV_REQUIRED, where, err, errlen) ||
	    jv_boolean(lt, "loaded", JV_REQUIRED, "measurement.cublaslt", err, errlen) ||
	    jv_string(lt, "path", JV_NULLABLE, 4096, "measurement.cublaslt", err, errlen) ||
	    jv_string(lt, "reason", JV_NULLABLE, 4096, "measurement.cublaslt", err, errlen) ||
	    jv_string(run, "telemetry", JV_REQUIRED, 256, where, err, errlen) ||
	    jv_number(run, "duration_s", JV_NULLABLE, 0, 1e7, where, err, errlen) ||
	    jv_array(run, "unmatched", JV_REQUIRED, where, err, errlen))
		return -1;
	status = jstr(run, "status");
	if (strcmp(status, "measured") != 0 && strcmp(status, "unavailable") != 0) {
		snprintf(err, errlen, "measurement.status: expected \"measured\" or \"unavailable\"");
		return -1;
	}
	if (measure_mode_from_name(jstr(run, "mode")) < 0) {
		snprintf(err, errlen, "measurement.mode: expected \"quick\", \"standard\" or \"thorough\"");
		return -1;
	}
	json_array_foreach(list, i, dev) {
		char sub[64], msub[80];
		const char *pci;
		snprintf(sub, sizeof(sub), "measurement.unmatched[%zu]", i);
		if (!json_is_object(dev)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_integer(dev, "cuda_ordinal", JV_REQUIRED, 0, 1023, sub, err, errlen) ||
		    jv_string(dev, "pci_address", JV_NULLABLE, 32, sub, err, errlen))
			return -1;
		pci = jstr(dev, "pci_address");
		if (pci && !pci_address_valid(pci)) {
			snprintf(err, errlen, "%s.pci_address: \"%s\" is not a PCI address", sub, pci);
			return -1;
		}
		snprintf(msub, sizeof(msub), "%s.measured", sub);
		if (measure_validate_measured(json_object_get(dev, "measured"), msub, err, errlen))
			return -1;
	}
	return 0;
}
