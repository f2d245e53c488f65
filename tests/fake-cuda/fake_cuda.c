/* A fake CUDA driver and cuBLASLt, for testing the measurement through the
 * real dlopen path on a machine without a GPU (as DCGM's nvml-injection
 * does for NVML). chipaudit loads it with CHIPAUDIT_LIBCUDA and
 * CHIPAUDIT_LIBCUBLASLT both pointing at this one library.
 *
 * FAKE_CUDA_SCENARIO names a JSON scenario (tests/fake-cuda/scenarios/):
 * devices with their attributes and the rates they "run" at, and failures to
 * inject. Time is virtual: each operation advances a clock by its work over
 * the scenario's rate, and events read that clock, so the measured figures
 * are exactly the scenario's. Asynchronous copies and the GEMMs move no
 * data; allocations, memset, synchronous copies and the remanence kernels
 * are real. With FAKE_CUDA_STATE set to a directory, device memory is a
 * file there (dev<N>.mem, shared memory dev<N>.smem) mapped MAP_SHARED, so
 * what one process leaves is what the next one allocates, as on a GPU
 * whose driver does not scrub ("scrub_global": false).
 *
 * Scenario members (all optional but "devices"):
 *   init_error          cuInit's result (100: no device, 34: stub library)
 *   driver_version      cuDriverGetVersion (13000)
 *   devices[]           {name, pci "DDDD:BB:DD", sm_count, cc [major, minor],
 *                        l2_bytes, smem_optin, smem_per_sm, memory_bytes,
 *                        tops {bf16: 780, ...}       cuBLASLt rates (TFLOPS)
 *                        ptx_tops {bf16: 500, ...}   mma kernel rates
 *                        copy_gbs, h2d_gbs, d2h_gbs,
 *                        scrub_global, scrub_shared  (default true)
 *                        residue_word                left at offset 0 of each allocation}
 *   fail[]              {call, nth, error}: the nth call of CALL returns ERROR;
 *                       700 (illegal address) then sticks, as on a GPU
 *   crash, hang         a kernel name: abort() / sleep when it is launched */
#include <dlfcn.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vendor/cublaslt.h"
#include "vendor/cuda.h"

#define MAX_DEVICES 8
#define MAX_FAILS 8
#define MAX_ALLOCS 256
#define ALIGN 65536
#define NPREC 9

enum { CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_NO_BINARY_FOR_GPU = 209, CUDA_ERROR_INVALID_HANDLE = 400,
       CUDA_ERROR_LAUNCH_FAILED = 719, CUDA_ERROR_UNKNOWN = 999 };

static const char *const prec_names[NPREC] = { "fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4", "fp4" };
enum { P_FP64, P_FP32, P_TF32, P_BF16, P_FP16, P_FP8, P_INT8 };

struct alloc {
	size_t offset, size;
};

struct fdev {
	char name[128];
	int domain, bus, slot, sm, cc_major, cc_minor, l2, smem_optin, smem_per_sm;
	size_t mem;
	double tops[NPREC], ptx_tops[NPREC];
	double copy_gbs, h2d_gbs, d2h_gbs;
	bool scrub_global, scrub_shared, have_residue;
	uint32_t residue;
	unsigned char *base;      /* device memory */
	uint32_t *smem;           /* every SM's shared memory, one after the other */
	size_t smem_bytes;
	struct alloc allocs[MAX_ALLOCS];
	size_t nallocs;
};

struct fail {
	char call[64];
	int nth, error, seen;
};

static struct {
	bool loaded;
	int init_error, driver_version, count, current, sticky;
	struct fdev dev[MAX_DEVICES];
	struct fail fails[MAX_FAILS];
	int nfails;
	char crash[64], hang[64];
	double clock_ns;
} S;

/* Prototypes of what this library exports (the driver API and cuBLASLt). */
CUresult cuInit(unsigned flags);
CUresult cuDriverGetVersion(int *v);
CUresult cuGetErrorName(CUresult e, const char **name);
CUresult cuDeviceGetCount(int *count);
CUresult cuDeviceGet(CUdevice *dev, int ordinal);
CUresult cuDeviceGetName(char *name, int len, CUdevice dev);
CUresult cuDeviceGetAttribute(int *value, int attr, CUdevice dev);
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev);
CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev);
CUresult cuCtxSetCurrent(CUcontext ctx);
CUresult cuCtxSynchronize(void);
CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total);
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr p);
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags);
CUresult cuMemFreeHost(void *p);
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n);
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s);
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s);
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s);
CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t count);
CUresult cuStreamCreate(CUstream *s, unsigned flags);
CUresult cuStreamDestroy_v2(CUstream s);
CUresult cuStreamSynchronize(CUstream s);
CUresult cuEventCreate(CUevent *e, unsigned flags);
CUresult cuEventDestroy_v2(CUevent e);
CUresult cuEventRecord(CUevent e, CUstream s);
CUresult cuEventQuery(CUevent e);
CUresult cuEventSynchronize(CUevent e);
CUresult cuEventElapsedTime_v2(float *ms, CUevent a, CUevent b);
CUresult cuModuleLoadData(CUmodule *m, const void *image);
CUresult cuModuleUnload(CUmodule m);
CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name);
CUresult cuFuncSetAttribute(CUfunction f, int attr, int value);
CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
			unsigned bz, unsigned shared, CUstream s, void **params, void **extra);
size_t cublasLtGetVersion(void);
cublasStatus_t cublasLtCreate(cublasLtHandle_t *h);
cublasStatus_t cublasLtDestroy(cublasLtHandle_t h);
cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *d, int compute, int scale);
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t d);
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t d, int attr, const void *buf, size_t size);
cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *l, int type, uint64_t rows, uint64_t cols, int64_t ld);
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t l);
cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *p);
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t p);
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t p, int attr, const void *buf, size_t size);
cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t d, cublasLtMatrixLayout_t a,
					      cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t dd,
					      cublasLtMatmulPreference_t p, int requested,
					      cublasLtMatmulHeuristicResult_t *results, int *returned);
cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t d, const void *alpha, const void *a,
			      cublasLtMatrixLayout_t ad, const void *b, cublasLtMatrixLayout_t bd, const void *beta,
			      const void *c, cublasLtMatrixLayout_t cd, void *dd, cublasLtMatrixLayout_t ddesc,
			      const cublasLtMatmulAlgo_t *algo, void *ws, size_t wsb, CUstream s);

/* Scenario ----------------------------------------------------------------- */

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "fake-cuda: %s %s\n", what, arg);
	exit(99);
}

static double num(const json_t *o, const char *key, double dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

static void rates(const json_t *o, const char *key, double *out)
{
	const json_t *m = json_object_get(o, key);
	for (int p = 0; p < NPREC; p++)
		out[p] = num(m, prec_names[p], NAN);
}

static void *map_file(const char *dir, int ordinal, const char *suffix, size_t bytes)
{
	char path[4096];
	void *p;
	int fd;

	if (dir == NULL || *dir == '\0') {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	snprintf(path, sizeof(path), "%s/dev%d.%s", dir, ordinal, suffix);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0)
		die("cannot create", path);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void load_device(const json_t *o, int i)
{
	struct fdev *d = &S.dev[i];
	const json_t *cc = json_object_get(o, "cc"), *v;
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *pci = json_string_value(json_object_get(o, "pci"));

	snprintf(d->name, sizeof(d->name), "%s", name ? name : "Fake GPU");
	if (pci == NULL || sscanf(pci, "%x:%x:%x", (unsigned *)&d->domain, (unsigned *)&d->bus, (unsigned *)&d->slot) != 3)
		d->domain = 0, d->bus = 0x10 + i, d->slot = 0;
	d->sm = (int)num(o, "sm_count", 132);
	d->cc_major = json_is_array(cc) ? (int)json_integer_value(json_array_get(cc, 0)) : 9;
	d->cc_minor = json_is_array(cc) ? (int)json_integer_value(json_array_get(cc, 1)) : 0;
	d->l2 = (int)num(o, "l2_bytes", 50331648);
	d->smem_optin = (int)num(o, "smem_optin", 232448);
	d->smem_per_sm = (int)num(o, "smem_per_sm", 233472);
	d->mem = (size_t)num(o, "memory_bytes", 256.0 * 1048576);
	rates(o, "tops", d->tops);
	rates(o, "ptx_tops", d->ptx_tops);
	d->copy_gbs = num(o, "copy_gbs", 4000);
	d->h2d_gbs = num(o, "h2d_gbs", 50);
	d->d2h_gbs = num(o, "d2h_gbs", 50);
	v = json_object_get(o, "scrub_global");
	d->scrub_global = v == NULL || json_is_true(v);
	v = json_object_get(o, "scrub_shared");
	d->scrub_shared = v == NULL || json_is_true(v);
	v = json_object_get(o, "residue_word");
	if (json_is_integer(v)) {
		d->have_residue = true;
		d->residue = (uint32_t)json_integer_value(v);
	}
	d->smem_bytes = (size_t)d->sm * (size_t)d->smem_per_sm;
	d->base = map_file(getenv("FAKE_CUDA_STATE"), i, "mem", d->mem);
	d->smem = map_file(getenv("FAKE_CUDA_STATE"), i, "smem", d->smem_bytes);
	if (d->base == NULL || d->smem == NULL)
		die("cannot map device memory", "");
}

static void load_scenario(void)
{
	const char *path = getenv("FAKE_CUDA_SCENARIO");
	json_error_t jerr;
	json_t *sc, *devs, *fails, *v;
	size_t i;

	if (S.loaded)
		return;
	if (path == NULL)
		die("FAKE_CUDA_SCENARIO is not set", "");
	sc = json_load_file(path, 0, &jerr);
	if (sc == NULL)
		die("cannot read the scenario", path);
	S.init_error = (int)num(sc, "init_error", 0);
	S.driver_version = (int)num(sc, "driver_version", 13000);
	devs = json_object_get(sc, "devices");
	S.count = 0;
	json_array_foreach(devs, i, v)
		if (S.count < MAX_DEVICES)
			load_device(v, S.count++);
	fails = json_object_get(sc, "fail");
	json_array_foreach(fails, i, v) {
		struct fail *f;
		if (S.nfails >= MAX_FAILS)
			break;
		f = &S.fails[S.nfails++];
		snprintf(f->call, sizeof(f->call), "%s", json_string_value(json_object_get(v, "call")));
		f->nth = (int)num(v, "nth", 1);
		f->error = (int)num(v, "error", CUDA_ERROR_UNKNOWN);
	}
	snprintf(S.crash, sizeof(S.crash), "%s", json_string_value(json_object_get(sc, "crash")) ?
		 json_string_value(json_object_get(sc, "crash")) : "");
	snprintf(S.hang, sizeof(S.hang), "%s", json_string_value(json_object_get(sc, "hang")) ?
		 json_string_value(json_object_get(sc, "hang")) : "");
	json_decref(sc);
	S.loaded = true;
}

__attribute__((destructor)) static void unload(void)
{
	for (int i = 0; i < S.count; i++) {
		if (S.dev[i].base)
			munmap(S.dev[i].base, S.dev[i].mem);
		if (S.dev[i].smem)
			munmap(S.dev[i].smem, S.dev[i].smem_bytes);
	}
	memset(&S, 0, sizeof(S));
}

/* An injected failure for this call? (A sticky error fails everything.) */
static CUresult injected(const char *call)
{
	if (S.sticky)
		return S.sticky;
	for (int i = 0; i < S.nfails; i++) {
		struct fail *f = &S.fails[i];
		if (strcmp(f->call, call) == 0 && ++f->seen == f->nth) {
			if (f->error == CUDA_ERROR_ILLEGAL_ADDRESS)
				S.sticky = f->error;
			return f->error;
		}
	}
	return CUDA_SUCCESS;
}

#define FAIL_IF_INJECTED(name) do { CUresult r_ = injected(name); if (r_) return r_; } while (0)
#define NEED_INIT() do { if (!S.loaded) return CUDA_ERROR_NOT_INITIALIZED; } while (0)

static struct fdev *cur(void)
{
	return &S.dev[S.current];
}

static void advance_s(double seconds)
{
	if (seconds > 0 && isfinite(seconds))
		S.clock_ns += seconds * 1e9;
}

/* Driver API ------------------------------------------------------------------ */

CUresult cuInit(unsigned flags)
{
	(void)flags;
	load_scenario();
	return S.init_error ? S.init_error : injected("cuInit");
}

CUresult cuDriverGetVersion(int *v)
{
	load_scenario();
	*v = S.driver_version;
	return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult e, const char **name)
{
	static const struct { int code; const char *name; } names[] = {
		{ 0, "CUDA_SUCCESS" }, { 1, "CUDA_ERROR_INVALID_VALUE" }, { 2, "CUDA_ERROR_OUT_OF_MEMORY" },
		{ 3, "CUDA_ERROR_NOT_INITIALIZED" }, { 34, "CUDA_ERROR_STUB_LIBRARY" }, { 100, "CUDA_ERROR_NO_DEVICE" },
		{ 209, "CUDA_ERROR_NO_BINARY_FOR_GPU" }, { 218, "CUDA_ERROR_INVALID_PTX" },
		{ 400, "CUDA_ERROR_INVALID_HANDLE" }, { 500, "CUDA_ERROR_NOT_FOUND" }, { 600, "CUDA_ERROR_NOT_READY" },
		{ 700, "CUDA_ERROR_ILLEGAL_ADDRESS" }, { 719, "CUDA_ERROR_LAUNCH_FAILED" }, { 999, "CUDA_ERROR_UNKNOWN" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].code == e) {
			*name = names[i].name;
			return CUDA_SUCCESS;
		}
	}
	*name = NULL;
	return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuDeviceGetCount(int *count)
{
	NEED_INIT();
	*count = S.count;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *dev, int ordinal)
{
	NEED_INIT();
	if (ordinal < 0 || ordinal >= S.count)
		return CUDA_ERROR_INVALID_VALUE;
	*dev = ordinal;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
{
	NEED_INIT();
	snprintf(name, (size_t)len, "%s", S.dev[dev].name);
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attr, CUdevice dev)
{
	struct fdev *d;

	NEED_INIT();
	FAIL_IF_INJECTED("cuDeviceGetAttribute");
	d = &S.dev[dev];
	switch (attr) {
	case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = d->sm; break;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = d->cc_major; break;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = d->cc_minor; break;
	case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *value = d->l2; break;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = d->smem_optin; break;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *value = d->smem_per_sm; break;
	case CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID: *value = d->domain; break;
	case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: *value = d->bus; break;
	case CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID: *value = d->slot; break;
	default: return CUDA_ERROR_INVALID_VALUE;
	}
	return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
{
	NEED_INIT();
	*bytes = S.dev[dev].mem;
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev)
{
	NEED_INIT();
	FAIL_IF_INJECTED("cuDevicePrimaryCtxRetain");
	*ctx = (CUcontext)(uintptr_t)(dev + 1);
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
{
	(void)dev;
	return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext ctx)
{
	uintptr_t n = (uintptr_t)ctx;

	NEED_INIT();
	if (n < 1 || n > (uintptr_t)S.count)
		return CUDA_ERROR_INVALID_HANDLE;
	S.current = (int)n - 1;
	return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void)
{
	NEED_INIT();
	FAIL_IF_INJECTED("cuCtxSynchronize");
	return CUDA_SUCCESS;
}

static size_t used(const struct fdev *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nallocs; i++)
		n += d->allocs[i].size;
	return n;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
	NEED_INIT();
	*total = cur()->mem;
	*free_bytes = cur()->mem - used(cur());
	return CUDA_SUCCESS;
}

/* First fit from the bottom, as each new process starts with an empty heap:
 * the next tenant gets the pages the last one had. */
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes)
{
	struct fdev *d = cur();
	size_t size = (bytes + ALIGN - 1) / ALIGN * ALIGN, at = 0, i;

	NEED_INIT();
	FAIL_IF_INJECTED("cuMemAlloc_v2");
	if (bytes == 0)
		return CUDA_ERROR_INVALID_VALUE;
	if (d->nallocs == MAX_ALLOCS)
		return CUDA_ERROR_OUT_OF_MEMORY;
	for (i = 0; i < d->nallocs; i++) {
		if (d->allocs[i].offset - at >= size)
			break;
		at = d->allocs[i].offset + d->allocs[i].size;
	}
	if (at + size > d->mem || at + size < at)
		return CUDA_ERROR_OUT_OF_MEMORY;
	memmove(&d->allocs[i + 1], &d->allocs[i], (d->nallocs - i) * sizeof(d->allocs[0]));
	d->allocs[i].offset = at;
	d->allocs[i].size = size;
	d->nallocs++;
	if (d->scrub_global)
		memset(d->base + at, 0, size);
	if (d->have_residue)
		memcpy(d->base + at, &d->residue, sizeof(d->residue));
	*p = (CUdeviceptr)(uintptr_t)(d->base + at);
	return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr p)
{
	struct fdev *d = cur();

	NEED_INIT();
	for (size_t i = 0; i < d->nallocs; i++) {
		if ((uintptr_t)(d->base + d->allocs[i].offset) == p) {
			memmove(&d->allocs[i], &d->allocs[i + 1], (d->nallocs - i - 1) * sizeof(d->allocs[0]));
			d->nallocs--;
			return CUDA_SUCCESS;
		}
	}
	return CUDA_ERROR_INVALID_VALUE;
}

/* Is [p, p + n) inside an allocation of the current device? */
static bool device_range(CUdeviceptr p, size_t n)
{
	struct fdev *d = cur();
	for (size_t i = 0; i < d->nallocs; i++) {
		uintptr_t lo = (uintptr_t)(d->base + d->allocs[i].offset);
		if (p >= lo && p + n <= lo + d->allocs[i].size && p + n >= p)
			return true;
	}
	return false;
}

CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags)
{
	(void)flags;
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemHostAlloc");
	*p = malloc(bytes);
	return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

CUresult cuMemFreeHost(void *p)
{
	free(p);
	return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n)
{
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemcpyHtoD_v2");
	if (!device_range(dst, n))
		return CUDA_ERROR_INVALID_VALUE;
	memcpy((void *)(uintptr_t)dst, src, n);
	return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n)
{
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemcpyDtoH_v2");
	if (!device_range(src, n))
		return CUDA_ERROR_INVALID_VALUE;
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s)
{
	(void)src, (void)s;
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemcpyHtoDAsync_v2");
	if (!device_range(dst, n))
		return CUDA_ERROR_INVALID_VALUE;
	advance_s((double)n / (cur()->h2d_gbs * 1e9));
	return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s)
{
	(void)dst, (void)s;
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemcpyDtoHAsync_v2");
	if (!device_range(src, n))
		return CUDA_ERROR_INVALID_VALUE;
	advance_s((double)n / (cur()->d2h_gbs * 1e9));
	return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s)
{
	(void)s;
	NEED_INIT();
	FAIL_IF_INJECTED("cuMemcpyDtoDAsync_v2");
	if (!device_range(dst, n) || !device_range(src, n))
		return CUDA_ERROR_INVALID_VALUE;
	/* Bytes read plus bytes written, at the scenario's copy rate. */
	advance_s(2.0 * (double)n / (cur()->copy_gbs * 1e9));
	return CUDA_SUCCESS;
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t count)
{
	uint32_t *p = (uint32_t *)(uintptr_t)dst;

	NEED_INIT();
	FAIL_IF_INJECTED("cuMemsetD32_v2");
	if (!device_range(dst, count * 4))
		return CUDA_ERROR_INVALID_VALUE;
	for (size_t i = 0; i < count; i++)
		p[i] = v;
	return CUDA_SUCCESS;
}

CUresult cuStreamCreate(CUstream *s, unsigned flags)
{
	(void)flags;
	NEED_INIT();
	*s = malloc(1);
	return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream s)
{
	free(s);
	return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream s)
{
	(void)s;
	return S.sticky;
}

struct fevent {
	double t;
};

CUresult cuEventCreate(CUevent *e, unsigned flags)
{
	(void)flags;
	NEED_INIT();
	*e = calloc(1, sizeof(struct fevent));
	return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent e)
{
	free(e);
	return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent e, CUstream s)
{
	(void)s;
	NEED_INIT();
	FAIL_IF_INJECTED("cuEventRecord");
	((struct fevent *)(void *)e)->t = S.clock_ns;
	return CUDA_SUCCESS;
}

CUresult cuEventQuery(CUevent e)
{
	(void)e;
	return S.sticky;
}

CUresult cuEventSynchronize(CUevent e)
{
	(void)e;
	FAIL_IF_INJECTED("cuEventSynchronize");
	return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime_v2(float *ms, CUevent a, CUevent b)
{
	FAIL_IF_INJECTED("cuEventElapsedTime");
	*ms = (float)((((struct fevent *)(void *)b)->t - ((struct fevent *)(void *)a)->t) / 1e6);
	return CUDA_SUCCESS;
}

/* Modules: the PTX's .entry names, after the checks a JIT would make. */
#define MAX_ENTRIES 32
struct fmodule {
	char names[MAX_ENTRIES][64];
	int count;
};
struct ffunc {
	char name[64];
	int max_dynamic_shared;
};
static struct ffunc funcs[MAX_ENTRIES * 4];
static int nfuncs;

CUresult cuModuleLoadData(CUmodule *m, const void *image)
{
	const char *ptx = image, *p;
	struct fmodule *mod;
	unsigned major = 0, minor = 0;

	NEED_INIT();
	FAIL_IF_INJECTED("cuModuleLoadData");
	if (strncmp(ptx, "//", 2) != 0 || strstr(ptx, "\n.version ") == NULL ||
	    (p = strstr(ptx, "\n.target sm_")) == NULL || sscanf(p, "\n.target sm_%1u%1u", &major, &minor) != 2)
		return CUDA_ERROR_INVALID_PTX;
	if (major * 10 + minor > (unsigned)(cur()->cc_major * 10 + cur()->cc_minor))
		return CUDA_ERROR_NO_BINARY_FOR_GPU;
	mod = calloc(1, sizeof(*mod));
	for (p = ptx; (p = strstr(p, ".entry ")) != NULL && mod->count < MAX_ENTRIES; p += 7)
		sscanf(p + 7, "%63[A-Za-z0-9_]", mod->names[mod->count++]);
	*m = (CUmodule)(void *)mod;
	return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule m)
{
	free(m);
	return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name)
{
	struct fmodule *mod = (struct fmodule *)(void *)m;

	NEED_INIT();
	for (int i = 0; i < mod->count; i++) {
		if (strcmp(mod->names[i], name) != 0)
			continue;
		for (int j = 0; j < nfuncs; j++) {
			if (strcmp(funcs[j].name, name) == 0) {
				*f = (CUfunction)(void *)&funcs[j];
				return CUDA_SUCCESS;
			}
		}
		if (nfuncs == (int)(sizeof(funcs) / sizeof(funcs[0])))
			return CUDA_ERROR_UNKNOWN;
		snprintf(funcs[nfuncs].name, sizeof(funcs[0].name), "%s", name);
		funcs[nfuncs].max_dynamic_shared = 48 * 1024;
		*f = (CUfunction)(void *)&funcs[nfuncs++];
		return CUDA_SUCCESS;
	}
	return CUDA_ERROR_NOT_FOUND;
}

CUresult cuFuncSetAttribute(CUfunction f, int attr, int value)
{
	struct ffunc *fn = (struct ffunc *)(void *)f;

	NEED_INIT();
	if (attr != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES || value < 0 || value > cur()->smem_optin)
		return CUDA_ERROR_INVALID_VALUE;
	fn->max_dynamic_shared = value;
	return CUDA_SUCCESS;
}

static void scan_words(void **params)
{
	const uint32_t *p = *(const uint32_t **)params[0];
	uint64_t n = *(uint64_t *)params[1];
	uint32_t canary = *(uint32_t *)params[2];
	uint64_t *counters = *(uint64_t **)params[3];

	for (uint64_t i = 0; i < n; i++) {
		if (p[i] == 0)
			continue;
		counters[1]++;
		counters[0] += p[i] == canary;
		if (i < counters[2])
			counters[2] = i;
	}
}

/* ops per warp-level mma of each kernel, and the precision it runs at. */
static const struct { const char *name; double ops; int prec; } mma[] = {
	{ "ca_mma_bf16", 4096, P_BF16 }, { "ca_mma_f16", 4096, P_FP16 }, { "ca_mma_tf32", 2048, P_TF32 },
	{ "ca_mma_i8", 8192, P_INT8 }, { "ca_mma_f64", 512, P_FP64 }, { "ca_mma_e4m3", 8192, P_FP8 },
};

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
			unsigned bz, unsigned shared, CUstream s, void **params, void **extra)
{
	struct ffunc *fn = (struct ffunc *)(void *)f;
	struct fdev *d = cur();

	(void)gy, (void)gz, (void)by, (void)bz, (void)s, (void)extra;
	NEED_INIT();
	FAIL_IF_INJECTED("cuLaunchKernel");
	FAIL_IF_INJECTED(fn->name);
	if ((int)shared > fn->max_dynamic_shared)
		return CUDA_ERROR_INVALID_VALUE;
	if (strcmp(fn->name, S.crash) == 0)
		abort();
	if (strcmp(fn->name, S.hang) == 0)
		sleep(3600);
	if (strcmp(fn->name, "ca_scan_words") == 0) {
		scan_words(params);
	} else if (strcmp(fn->name, "ca_fill_shared") == 0) {
		uint32_t canary = *(uint32_t *)params[0];
		for (size_t i = 0; i < d->smem_bytes / 4; i++)
			d->smem[i] = canary;
	} else if (strcmp(fn->name, "ca_dump_shared") == 0) {
		uint32_t *out = *(uint32_t **)params[0], words = *(uint32_t *)params[1];
		size_t per_sm = (size_t)d->smem_per_sm / 4;
		if (!device_range((CUdeviceptr)(uintptr_t)out, (size_t)gx * words * 4) || words > per_sm)
			return CUDA_ERROR_ILLEGAL_ADDRESS;
		for (unsigned b = 0; b < gx; b++) {
			const uint32_t *sm = d->smem + (b % (unsigned)d->sm) * per_sm;
			for (uint32_t i = 0; i < words; i++)
				out[(size_t)b * words + i] = d->scrub_shared ? 0 : sm[i];
		}
	} else if (strncmp(fn->name, "ca_fill_", 8) == 0) {
		advance_s((double)*(uint64_t *)params[1] / (d->copy_gbs * 1e9));
	} else {
		for (size_t i = 0; i < sizeof(mma) / sizeof(mma[0]); i++) {
			if (strcmp(fn->name, mma[i].name) != 0)
				continue;
			double rate = d->ptx_tops[mma[i].prec], iters = *(uint32_t *)params[0];
			double warps = (double)gx * bx / 32;
			if (!(rate > 0))
				return CUDA_ERROR_LAUNCH_FAILED;
			advance_s(mma[i].ops * 4 * iters * warps / (rate * 1e12));
		}
	}
	return CUDA_SUCCESS;
}

/* cuBLASLt ---------------------------------------------------------------- */

struct fdesc {
	int compute, scale, trans_a;
};
struct flayout {
	int type;
	uint64_t rows, cols;
};

size_t cublasLtGetVersion(void)
{
	return 130000;
}

cublasStatus_t cublasLtCreate(cublasLtHandle_t *h)
{
	if (injected("cublasLtCreate"))
		return 1;
	*h = malloc(1);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtDestroy(cublasLtHandle_t h)
{
	free(h);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *d, int compute, int scale)
{
	struct fdesc *fd = calloc(1, sizeof(*fd));
	fd->compute = compute;
	fd->scale = scale;
	*d = (cublasLtMatmulDesc_t)(void *)fd;
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t d)
{
	free(d);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t d, int attr, const void *buf, size_t size)
{
	struct fdesc *fd = (struct fdesc *)(void *)d;
	if (attr == CUBLASLT_MATMUL_DESC_TRANSA && size == sizeof(int32_t))
		memcpy(&fd->trans_a, buf, sizeof(int32_t));
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *l, int type, uint64_t rows, uint64_t cols, int64_t ld)
{
	struct flayout *fl = calloc(1, sizeof(*fl));
	(void)ld;
	fl->type = type;
	fl->rows = rows;
	fl->cols = cols;
	*l = (cublasLtMatrixLayout_t)(void *)fl;
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t l)
{
	free(l);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *p)
{
	*p = malloc(1);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t p)
{
	free(p);
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t p, int attr, const void *buf, size_t size)
{
	(void)p, (void)attr, (void)buf, (void)size;
	return CUBLAS_STATUS_SUCCESS;
}

/* The precision of a problem, as cuBLASLt would read its types; -1 when
 * cuBLASLt would refuse it (FP8 and INT8 need A transposed). */
static int problem_precision(const struct fdesc *d, const struct flayout *a)
{
	switch (a->type) {
	case CUDA_R_64F: return d->compute == CUBLAS_COMPUTE_64F ? P_FP64 : -1;
	case CUDA_R_32F: return d->compute == CUBLAS_COMPUTE_32F_FAST_TF32 ? P_TF32 : d->compute == CUBLAS_COMPUTE_32F ? P_FP32 : -1;
	case CUDA_R_16BF: return P_BF16;
	case CUDA_R_16F: return P_FP16;
	case CUDA_R_8F_E4M3: return d->trans_a == CUBLAS_OP_T ? P_FP8 : -1;
	case CUDA_R_8I: return d->trans_a == CUBLAS_OP_T && d->compute == CUBLAS_COMPUTE_32I ? P_INT8 : -1;
	default: return -1;
	}
}

/* Three candidate algorithms at 90%, 100% and 80% of the scenario's rate:
 * the measurement must find the fastest, not take the first. */
static const double algo_speed[] = { 0.9, 1.0, 0.8 };

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t d, cublasLtMatrixLayout_t a,
					      cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t dd,
					      cublasLtMatmulPreference_t p, int requested,
					      cublasLtMatmulHeuristicResult_t *results, int *returned)
{
	int prec = problem_precision((struct fdesc *)(void *)d, (struct flayout *)(void *)a);
	int n = 0;

	(void)h, (void)b, (void)c, (void)dd, (void)p;
	*returned = 0;
	if (prec < 0 || !(cur()->tops[prec] > 0))
		return CUBLAS_STATUS_NOT_SUPPORTED;
	for (; n < requested && n < 3; n++) {
		memset(&results[n], 0, sizeof(results[n]));
		results[n].algo.data[0] = (uint64_t)n;
		results[n].state = CUBLAS_STATUS_SUCCESS;
	}
	*returned = n;
	return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t d, const void *alpha, const void *a,
			      cublasLtMatrixLayout_t ad, const void *b, cublasLtMatrixLayout_t bd, const void *beta,
			      const void *c, cublasLtMatrixLayout_t cd, void *dd, cublasLtMatrixLayout_t ddesc,
			      const cublasLtMatmulAlgo_t *algo, void *ws, size_t wsb, CUstream s)
{
	struct flayout *la = (struct flayout *)(void *)ad;
	int prec = problem_precision((struct fdesc *)(void *)d, la);
	double n = (double)la->rows;

	(void)h, (void)alpha, (void)a, (void)b, (void)bd, (void)beta, (void)c, (void)cd, (void)dd, (void)ddesc;
	(void)ws, (void)wsb, (void)s;
	if (injected("cublasLtMatmul") || S.sticky)
		return 13; /* CUBLAS_STATUS_EXECUTION_FAILED */
	if (prec < 0 || algo == NULL || algo->data[0] > 2)
		return 7; /* CUBLAS_STATUS_INVALID_VALUE */
	advance_s(2.0 * n * n * n / (cur()->tops[prec] * algo_speed[algo->data[0]] * 1e12));
	return CUBLAS_STATUS_SUCCESS;
}
