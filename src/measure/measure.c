/* Measurement orchestration: load the driver, run the remanence test (in
 * child processes, before this process touches CUDA), then measure each
 * device in turn and describe it as JSON (docs/measure.md). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "measure/internal.h"

/* Precisions in the order they are measured: the ones the fingerprint
 * leans on first, so a quick run that is cut short still has them. */
static const enum precision measured_precisions[] = {
	PREC_BF16, PREC_FP16, PREC_TF32, PREC_FP8, PREC_INT8, PREC_FP64, PREC_FP32,
};

static const char *const mode_names[] = {
	[MEASURE_OFF] = "off", [MEASURE_QUICK] = "quick", [MEASURE_STANDARD] = "standard",
	[MEASURE_THOROUGH] = "thorough",
};

const char *measure_mode_name(enum measure_mode mode)
{
	return (unsigned)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

int measure_mode_from_name(const char *name)
{
	for (size_t i = MEASURE_QUICK; i < ARRAY_SIZE(mode_names); i++)
		if (strcmp(name, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Text from the driver goes into facts: printable ASCII only. */
static void sanitise(char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
}

void merror(struct mdev *d, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sanitise(msg);
	if (json_array_size(d->errors) < 32)
		json_array_append_new(d->errors, json_string(msg));
	free(msg);
}

int mcheck(struct mdev *d, CUresult rc, const char *what)
{
	char buf[96];

	if (rc == CUDA_SUCCESS)
		return 0;
	merror(d, "%s: %s: %s", d->phase ? d->phase : "setup", what, cuda_error(d->cu, rc, buf, sizeof(buf)));
	/* Out of memory and unsupported requests leave the context usable;
	 * anything else (an illegal address, a launch failure, a lost device)
	 * may not, and later figures would mean nothing. */
	if (rc != CUDA_ERROR_OUT_OF_MEMORY && rc != CUDA_ERROR_NOT_FOUND)
		d->fatal = 1;
	return -1;
}

double phase_budget_s(const struct mdev *d)
{
	switch (d->opts->mode) {
	case MEASURE_QUICK: return 0.25;
	case MEASURE_THOROUGH: return 3.0;
	default: return 1.0;
	}
}

static void take_sample(struct mdev *d)
{
	const struct measure_telemetry *t = d->opts->telemetry;
	struct clock_sample s;
	json_t *o, *reasons;

	if (t == NULL || d->samples == NULL || json_array_size(d->samples) >= 1000)
		return;
	memset(&s, 0, sizeof(s));
	s.sm_clock_mhz = s.memory_clock_mhz = s.power_w = NAN;
	if (t->sample(t->ctx, d->pci, &s) != 0)
		return;
	o = json_object();
	jset_num(o, "t_s", monotonic_s() - d->t0);
	jset_str(o, "phase", d->phase);
	jset_num(o, "sm_clock_mhz", s.sm_clock_mhz);
	jset_num(o, "memory_clock_mhz", s.memory_clock_mhz);
	jset_num(o, "power_w", s.power_w);
	reasons = json_array();
	for (size_t i = 0; i < s.reason_count && i < CLOCK_REASONS_MAX; i++)
		if (s.reasons[i])
			json_array_append_new(reasons, json_string_lossy(s.reasons[i]));
	json_object_set_new(o, "reasons", reasons);
	json_array_append_new(d->samples, o);
	d->last_sample = monotonic_s();
}

int mtime(struct mdev *d, double *ms)
{
	const struct cuda_api *cu = d->cu;
	const struct measure_telemetry *t = d->opts->telemetry;
	float elapsed = 0;
	CUresult rc;

	/* While the work runs: sample the clocks now and then. */
	while ((rc = cu->EventQuery(d->stop)) == CUDA_ERROR_NOT_READY) {
		struct timespec nap = { 0, 200 * 1000 };
		if (t && monotonic_s() - d->last_sample >= t->interval_s)
			take_sample(d);
		nanosleep(&nap, NULL);
	}
	if (rc != CUDA_SUCCESS && mcheck(d, rc, "cuEventQuery"))
		return -1;
	if (mcheck(d, cu->EventSynchronize(d->stop), "cuEventSynchronize") ||
	    mcheck(d, cu->EventElapsedTime(&elapsed, d->start, d->stop), "cuEventElapsedTime"))
		return -1;
	if (!(elapsed >= 0) || !isfinite(elapsed)) {
		merror(d, "%s: the driver reported an elapsed time of %g ms", d->phase, (double)elapsed);
		d->fatal = 1;
		return -1;
	}
	*ms = elapsed;
	return 0;
}

int mlaunch(struct mdev *d, CUmodule module, const char *name, unsigned grid, unsigned block,
	    unsigned shared_bytes, void **params)
{
	CUfunction fn;

	if (mcheck(d, d->cu->ModuleGetFunction(&fn, module, name), name))
		return -1;
	return mcheck(d, d->cu->LaunchKernel(fn, grid, 1, 1, block, 1, 1, shared_bytes, d->stream, params, NULL), name);
}

int mfill_random(struct mdev *d, CUdeviceptr ptr, enum precision p, size_t n, unsigned seed)
{
	const char *kernel;
	uint64_t count = n;
	void *params[] = { &ptr, &count, &seed };

	switch (p) {
	case PREC_FP64: kernel = "ca_fill_f64"; break;
	case PREC_FP32: kernel = "ca_fill_f32"; break;
	case PREC_BF16: kernel = "ca_fill_bf16"; break;
	case PREC_FP16: kernel = "ca_fill_f16"; break;
	case PREC_FP8: kernel = "ca_fill_e4m3"; break;
	default: kernel = "ca_fill_i8"; break;
	}
	return mlaunch(d, d->util, kernel, (unsigned)d->sm_count * 8, 256, 0, params);
}

int malloc_upto(struct mdev *d, size_t want, size_t min, CUdeviceptr *ptr, size_t *got)
{
	size_t step = want / 16;

	*ptr = 0;
	*got = 0;
	want &= ~(2 * MIB - 1);
	if (step < 2 * MIB)
		step = 2 * MIB;
	while (want >= min && want > 0) {
		CUresult rc = d->cu->MemAlloc(ptr, want);
		if (rc == CUDA_SUCCESS) {
			*got = want;
			return 0;
		}
		if (rc != CUDA_ERROR_OUT_OF_MEMORY)
			return -1;
		want = want > step ? want - step : 0;
	}
	return -1;
}

/* One device ---------------------------------------------------------------- */

static void progress(struct mdev *d, const char *phase)
{
	const struct measure_progress *p = d->opts->progress;

	d->phase = phase;
	if (p)
		p->update(p->ctx, d->index, d->count, phase,
			  d->phases_total ? (double)d->phases_done / d->phases_total : 0);
	d->phases_done++;
}

static int device_open(struct mdev *d)
{
	const struct cuda_api *cu = d->cu;
	int domain = 0, bus = 0, slot = 0;
	CUresult rc;

	d->phase = "setup";
	if (mcheck(d, cu->DeviceGet(&d->dev, d->ordinal), "cuDeviceGet") ||
	    mcheck(d, cu->DeviceGetName(d->name, (int)sizeof(d->name) - 1, d->dev), "cuDeviceGetName"))
		return -1;
	d->name[sizeof(d->name) - 1] = '\0';
	sanitise(d->name);
	if (mcheck(d, cu->DeviceGetAttribute(&d->sm_count, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d->dev), "SM count") ||
	    mcheck(d, cu->DeviceGetAttribute(&d->cc_major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->dev), "compute capability") ||
	    mcheck(d, cu->DeviceGetAttribute(&d->cc_minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->dev), "compute capability") ||
	    mcheck(d, cu->DeviceGetAttribute(&d->l2_bytes, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, d->dev), "L2 size") ||
	    mcheck(d, cu->DeviceGetAttribute(&d->smem_optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, d->dev), "shared memory") ||
	    mcheck(d, cu->DeviceGetAttribute(&domain, CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID, d->dev), "PCI domain") ||
	    mcheck(d, cu->DeviceGetAttribute(&bus, CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, d->dev), "PCI bus") ||
	    mcheck(d, cu->DeviceGetAttribute(&slot, CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID, d->dev), "PCI device"))
		return -1;
	/* CUDA has one device per physical GPU: function 0. */
	snprintf(d->pci, sizeof(d->pci), "%04x:%02x:%02x.0", (unsigned)domain, (unsigned)bus & 0xff,
		 (unsigned)slot & 0x1f);
	if (d->sm_count <= 0 || d->sm_count > 4096 || d->cc_major < 1 || d->cc_major > 99 || d->cc_minor < 0 ||
	    d->cc_minor > 9 || d->l2_bytes < 0) {
		merror(d, "setup: implausible attributes from the driver (%d SMs, compute capability %d.%d)",
		       d->sm_count, d->cc_major, d->cc_minor);
		d->fatal = 1;
		return -1;
	}
	if (mcheck(d, cu->DevicePrimaryCtxRetain(&d->ctx, d->dev), "cuDevicePrimaryCtxRetain"))
		return -1;
	if (mcheck(d, cu->CtxSetCurrent(d->ctx), "cuCtxSetCurrent") ||
	    mcheck(d, cu->StreamCreate(&d->stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate") ||
	    mcheck(d, cu->EventCreate(&d->start, CU_EVENT_DEFAULT), "cuEventCreate") ||
	    mcheck(d, cu->EventCreate(&d->stop, CU_EVENT_DEFAULT), "cuEventCreate") ||
	    mcheck(d, cu->ModuleLoadData(&d->util, measure_ptx_util), "loading chipaudit's PTX (util)"))
		return -1;
	/* The tensor-core fallback kernels need sm_80 / sm_89: load them where
	 * they can run; a failure here only matters if cuBLASLt is missing. */
	if (d->cc_major >= 8 && (rc = cu->ModuleLoadData(&d->mma, measure_ptx_mma)) != CUDA_SUCCESS) {
		d->mma = NULL;
		if (d->lt == NULL)
			mcheck(d, rc, "loading chipaudit's PTX (mma)");
	}
	if (d->cc_major * 10 + d->cc_minor >= 89 &&
	    (rc = cu->ModuleLoadData(&d->mma_fp8, measure_ptx_mma_fp8)) != CUDA_SUCCESS) {
		d->mma_fp8 = NULL;
		if (d->lt == NULL)
			mcheck(d, rc, "loading chipaudit's PTX (mma_fp8)");
	}
	d->fatal = 0; /* a fallback module that failed to load is not fatal */
	return 0;
}

static void device_close(struct mdev *d)
{
	const struct cuda_api *cu = d->cu;

	if (d->mma_fp8)
		cu->ModuleUnload(d->mma_fp8);
	if (d->mma)
		cu->ModuleUnload(d->mma);
	if (d->util)
		cu->ModuleUnload(d->util);
	if (d->stop)
		cu->EventDestroy(d->stop);
	if (d->start)
		cu->EventDestroy(d->start);
	if (d->stream)
		cu->StreamDestroy(d->stream);
	if (d->ctx)
		cu->DevicePrimaryCtxRelease(d->dev);
}

static json_t *precision_map(void)
{
	json_t *m = json_object();
	for (int p = 0; p < PREC_COUNT; p++)
		jset(m, precision_names[p], NULL);
	return m;
}

static const char *phase_names[PREC_COUNT] = {
	[PREC_FP64] = "fp64 GEMM", [PREC_FP32] = "fp32 GEMM", [PREC_TF32] = "tf32 GEMM",
	[PREC_BF16] = "bf16 GEMM", [PREC_FP16] = "fp16 GEMM", [PREC_FP8] = "fp8 GEMM",
	[PREC_INT8] = "int8 GEMM",
};

static void measure_throughput(struct mdev *d, json_t *measured)
{
	json_t *tops = json_object_get(measured, "dense_tops"), *approx = json_object_get(measured, "approximate");
	struct gemm_buffers g;
	const char *method = NULL;
	bool any_lt = false, any_ptx = false;

	if (gemm_buffers_alloc(d, &g) != 0) {
		d->phases_done += (int)ARRAY_SIZE(measured_precisions);
		return;
	}
	/* One cuBLASLt handle per device, created with its context current. */
	if (d->lt && d->lt->Create(&d->lt_handle) != CUBLAS_STATUS_SUCCESS) {
		merror(d, "setup: cublasLtCreate failed: using chipaudit's own kernels");
		d->lt = NULL;
	}
	jset_int(measured, "gemm_size", (json_int_t)g.n);
	for (size_t i = 0; i < ARRAY_SIZE(measured_precisions) && !d->fatal; i++) {
		enum precision p = measured_precisions[i];
		double rate;
		bool approximate;
		progress(d, phase_names[p]);
		if (!gemm_supported(d, p))
			continue;
		if (gemm_measure(d, &g, p, &rate, &approximate, &method) == 0) {
			jset_num(tops, precision_names[p], rate);
			jset_bool(approx, precision_names[p], approximate);
			any_lt |= !approximate;
			any_ptx |= approximate;
		}
	}
	if (d->lt)
		d->lt->Destroy(d->lt_handle);
	gemm_buffers_free(d, &g);
	jset_str(measured, "method", any_lt ? "cublaslt" : any_ptx ? "ptx" : NULL);
}

static void measure_device(struct mdev *d, json_t *measured)
{
	double gbs, h2d, d2h;
	size_t bytes = 0, free_bytes = 0, total = 0;
	char cc[16];

	d->phases_total = (int)ARRAY_SIZE(measured_precisions) + 3;
	if (device_open(d) != 0)
		return;
	snprintf(cc, sizeof(cc), "%d.%d", d->cc_major, d->cc_minor);
	jset_str(measured, "name", d->name);
	jset_str(measured, "compute_capability", cc);
	jset_int(measured, "sm_count", d->sm_count);
	jset_int(measured, "l2_bytes", d->l2_bytes);
	if (mcheck(d, d->cu->MemGetInfo(&free_bytes, &total), "cuMemGetInfo") == 0)
		jset_int(measured, "memory_total_bytes", (json_int_t)total);
	take_sample(d);
	measure_throughput(d, measured);
	if (!d->fatal) {
		progress(d, "device copy");
		if (bandwidth_copy(d, &gbs) == 0)
			jset_num(measured, "memory_copy_gbs", gbs);
	}
	if (!d->fatal) {
		progress(d, "host copies");
		if (bandwidth_host(d, &h2d, &d2h) == 0) {
			jset_num(measured, "h2d_gbs", h2d);
			jset_num(measured, "d2h_gbs", d2h);
		}
	}
	if (!d->fatal) {
		progress(d, "allocatable memory");
		if (memory_allocatable(d, &bytes) == 0)
			jset_int(measured, "allocatable_bytes", (json_int_t)bytes);
	}
	if (d->fatal)
		merror(d, "measurement of this device stopped after that error");
	take_sample(d);
}

/* A measured object with every member present, unknown ones null. */
static json_t *measured_skeleton(const struct measure_options *opts)
{
	json_t *m = json_object();

	jset(m, "name", NULL);
	jset(m, "compute_capability", NULL);
	jset(m, "sm_count", NULL);
	jset(m, "l2_bytes", NULL);
	jset(m, "memory_total_bytes", NULL);
	jset(m, "allocatable_bytes", NULL);
	json_object_set_new(m, "dense_tops", precision_map());
	json_object_set_new(m, "approximate", precision_map());
	jset(m, "method", NULL);
	jset(m, "gemm_size", NULL);
	jset(m, "memory_copy_gbs", NULL);
	jset(m, "h2d_gbs", NULL);
	jset(m, "d2h_gbs", NULL);
	jset(m, "clock_samples", opts->telemetry ? json_array() : NULL);
	jset(m, "remanence", NULL);
	jset_str(m, "mode", measure_mode_name(opts->mode));
	jset(m, "duration_s", NULL);
	json_object_set_new(m, "errors", json_array());
	return m;
}

/* The remanence result for one device, as facts carry it. */
static json_t *remanence_for(json_t *all, int ordinal, unsigned canary)
{
	char key[16], hex[16];
	json_t *e, *r;

	snprintf(key, sizeof(key), "%d", ordinal);
	snprintf(hex, sizeof(hex), "%08x", canary);
	r = json_object();
	jset_str(r, "canary", hex);
	if (jstr(all, "error")) {
		jset(r, "writer", NULL);
		jset(r, "global", NULL);
		jset(r, "shared", NULL);
		json_object_set_new(r, "errors", json_pack("[s]", jstr(all, "error")));
		return r;
	}
	e = json_object_get(all, key);
	jset(r, "writer", json_incref(jobj(e, "writer")));
	jset(r, "global", json_incref(jobj(e, "global")));
	jset(r, "shared", json_incref(jobj(e, "shared")));
	jset(r, "errors", e ? json_incref(jarr(e, "errors")) : json_pack("[s]", "no report from the remanence processes"));
	return r;
}

static unsigned random_canary(void)
{
	unsigned v = 0;

	/* Fresh each run, so residue from an earlier run is not mistaken for
	 * this run's canary (it still counts as non-zero residue). */
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (unsigned)time(NULL) * 2654435761u;
	if (v == 0 || v == 0xffffffffu)
		v = 0x5a17c0deu;
	return v;
}

static json_t *unavailable(json_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *unavailable(json_t *run, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sanitise(msg);
	jset_str(run, "status", "unavailable");
	jset_str(run, "reason", msg);
	free(msg);
	return run;
}

json_t *measure_run(const struct measure_options *opts)
{
	struct cuda_api cu;
	struct cublaslt_api lt;
	json_t *run = json_object(), *devices = json_array(), *remanence = NULL, *ltinfo = json_object();
	char err[512], buf[96];
	unsigned canary = random_canary();
	int count = 0, version = 0;
	double t0 = monotonic_s();
	CUresult rc;
	bool have_lt = false;

	jset_str(run, "status", "measured");
	jset(run, "reason", NULL);
	jset_str(run, "mode", measure_mode_name(opts->mode));
	jset_str(run, "library", cuda_library_path());
	jset(run, "driver_version", NULL);
	jset(run, "cublaslt", ltinfo);
	jset_str(run, "telemetry", opts->telemetry ? opts->telemetry->name : "not sampled: no telemetry backend");
	json_object_set_new(run, "devices", devices);
	jset(run, "duration_s", NULL);
	jset_bool(ltinfo, "loaded", false);
	jset(ltinfo, "path", NULL);
	jset(ltinfo, "reason", NULL);

	if (cuda_load(&cu, err, sizeof(err)) != 0)
		return unavailable(run, "no CUDA driver: %s", err);
	if (!opts->skip_remanence)
		remanence = remanence_run(&cu, opts, canary);
	if ((rc = cu.Init(0)) != CUDA_SUCCESS || (rc = cu.DeviceGetCount(&count)) != CUDA_SUCCESS) {
		unavailable(run, "%s: %s", rc == CUDA_ERROR_NO_DEVICE ? "no CUDA device" : "the CUDA driver did not start",
			    cuda_error(&cu, rc, buf, sizeof(buf)));
		goto out;
	}
	if (cu.DriverGetVersion(&version) == CUDA_SUCCESS && version > 0 && version < 1000000) {
		snprintf(buf, sizeof(buf), "%d.%d", version / 1000, version % 1000 / 10);
		jset_str(run, "driver_version", buf);
	}
	if (count <= 0) {
		unavailable(run, "no CUDA device: the driver reports none");
		goto out;
	}
	if (cublaslt_load(&lt, err, sizeof(err)) == 0) {
		have_lt = true;
		jset_bool(ltinfo, "loaded", true);
		jset_str(ltinfo, "path", lt.path);
	} else {
		sanitise(err);
		jset_str(ltinfo, "reason", err);
	}
	for (int i = 0; i < count && i < 64; i++) {
		struct mdev d = { .cu = &cu, .lt = have_lt ? &lt : NULL, .opts = opts, .ordinal = i, .index = i,
				  .count = count };
		json_t *entry = json_object(), *measured = measured_skeleton(opts);
		d.t0 = monotonic_s();
		d.errors = jarr(measured, "errors");
		d.samples = jarr(measured, "clock_samples");
		measure_device(&d, measured);
		if (remanence)
			jset(measured, "remanence", remanence_for(remanence, i, canary));
		jset_num(measured, "duration_s", monotonic_s() - d.t0);
		jset_int(entry, "cuda_ordinal", i);
		jset_str(entry, "pci_address", d.pci[0] ? d.pci : NULL);
		json_object_set_new(entry, "measured", measured);
		json_array_append_new(devices, entry);
		device_close(&d);
	}
	if (have_lt)
		cublaslt_unload(&lt);
out:
	json_decref(remanence);
	jset_num(run, "duration_s", monotonic_s() - t0);
	cuda_unload(&cu);
	return run;
}
