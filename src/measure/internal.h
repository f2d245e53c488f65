/* Shared between the measurement modules (src/measure/); not an API. */
#ifndef CHIPAUDIT_MEASURE_INTERNAL_H
#define CHIPAUDIT_MEASURE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/accdb.h"
#include "measure/measure.h"
#include "vendor/cublaslt.h"
#include "vendor/cuda.h"

#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

/* The PTX modules embedded at build time (kernels/NAME.ptx, NUL-terminated). */
extern const char measure_ptx_util[];
extern const char measure_ptx_mma[];
extern const char measure_ptx_mma_fp8[];

/* Independent mma chains per thread in kernels/mma*.cu (CHAINS there). */
#define MMA_CHAINS 4

/* One device being measured by this process. */
struct mdev {
	const struct cuda_api *cu;
	const struct cublaslt_api *lt;     /* NULL: cuBLASLt not loaded */
	cublasLtHandle_t lt_handle;
	const struct measure_options *opts;
	int ordinal, index, count;          /* CUDA ordinal; progress position */
	CUdevice dev;
	CUcontext ctx;
	CUstream stream;
	CUevent start, stop;
	CUmodule util, mma, mma_fp8;        /* NULL until loaded; mma* may stay NULL */
	int sm_count, cc_major, cc_minor, smem_optin, l2_bytes;
	char pci[32], name[128];
	double t0;                          /* monotonic seconds at start */
	double last_sample;
	int fatal;                          /* a sticky error: stop measuring this device */
	json_t *errors;                     /* array of strings */
	json_t *samples;                    /* clock samples, NULL when no telemetry */
	const char *phase;
	int phases_done, phases_total;
};

double monotonic_s(void);

/* Record a failed call in d->errors ("WHAT: CUDA_ERROR_... (n)"). Errors that
 * leave the context unusable stop the device's measurement (d->fatal). */
int mcheck(struct mdev *d, CUresult rc, const char *what);
void merror(struct mdev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Seconds each timed loop aims to run for, by mode. */
double phase_budget_s(const struct mdev *d);

/* Wait for d->stop (recorded after the work), sampling telemetry while it
 * runs, then return the time from d->start to d->stop in milliseconds. */
int mtime(struct mdev *d, double *ms);

/* Launch a 1-D grid of kernel NAME from MODULE. */
int mlaunch(struct mdev *d, CUmodule module, const char *name, unsigned grid, unsigned block,
	    unsigned shared_bytes, void **params);
/* Fill N elements of PRECISION's storage type at PTR with random values in [-1, 1). */
int mfill_random(struct mdev *d, CUdeviceptr ptr, enum precision p, size_t n, unsigned seed);
/* Allocate as much as possible up to WANT bytes (halving on failure down to
 * MIN); 0 with *got, or -1 when even MIN failed (not recorded as an error). */
int malloc_upto(struct mdev *d, size_t want, size_t min, CUdeviceptr *ptr, size_t *got);

/* Matrix-multiply buffers, shared by every precision. */
struct gemm_buffers {
	CUdeviceptr a, b, c, workspace;
	size_t n, workspace_bytes;
};
int gemm_buffers_alloc(struct mdev *d, struct gemm_buffers *g);
void gemm_buffers_free(struct mdev *d, struct gemm_buffers *g);

/* Dense throughput of precision P in TFLOPS/TOPS: through cuBLASLt when it
 * is loaded and supports P, else chipaudit's PTX kernel (*approximate).
 * Returns 0, or -1 when P could not be measured (reason in d->errors unless
 * the chip simply lacks P). */
int gemm_measure(struct mdev *d, struct gemm_buffers *g, enum precision p, double *tops, bool *approximate,
		 const char **method);
/* Does this chip have matrix units for P (by compute capability)? */
bool gemm_supported(const struct mdev *d, enum precision p);

/* Device-to-device copy bandwidth, GB/s counting bytes read plus written. */
int bandwidth_copy(struct mdev *d, double *gbs);
/* Pinned host-to-device and device-to-host bandwidth, GB/s. */
int bandwidth_host(struct mdev *d, double *h2d, double *d2h);
/* The largest single allocation that succeeds, in bytes. */
int memory_allocatable(struct mdev *d, size_t *bytes);

/* The cross-tenant remanence test: run before this process initialises
 * CUDA (it forks). Returns an object keyed by CUDA ordinal ("0", "1", ...)
 * of per-device results, or {"error": ...} for the whole test. */
json_t *remanence_run(const struct cuda_api *cu, const struct measure_options *opts, unsigned canary);
/* Parse the children's report lines into that object (exposed for tests
 * and the fuzzer): returns 0, or -1 with err on a malformed line. */
int remanence_parse(const char *text, size_t len, unsigned canary, json_t *out, char *err, size_t errlen);

#endif
