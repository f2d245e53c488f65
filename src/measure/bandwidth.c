/* Memory bandwidth and capacity.
 *
 * Device copy: cuMemcpyDtoDAsync between two buffers of up to 2 GiB (far
 * beyond any L2), as a framework's tensor copy does; GB/s counts the bytes
 * read plus the bytes written (STREAM's convention for Copy).
 * Host<->device: cuMemcpy{HtoD,DtoH}Async from page-locked host memory
 * (cuMemHostAlloc), GB/s of bytes moved.
 * Allocatable: the largest single cuMemAlloc that succeeds, starting from
 * what cuMemGetInfo calls free and stepping down. */
#include <math.h>
#include <string.h>

#include "measure/internal.h"

#define COPY_BYTES_MAX (2 * GIB)
#define COPY_BYTES_MIN (16 * MIB)

static unsigned iterations_for(double budget_s, double ms_per_iter)
{
	double n = ms_per_iter > 0 ? budget_s * 1000.0 / ms_per_iter : 1000;
	if (!(n >= 3))
		return 3;
	return n > 100000 ? 100000 : (unsigned)n;
}

/* Time ITERS copies; KIND 0 = device to device, 1 = host to device, 2 = device to host. */
static int copy_time(struct mdev *d, int kind, CUdeviceptr dst, CUdeviceptr src, void *host, size_t bytes,
		     unsigned iters, double *ms)
{
	const struct cuda_api *cu = d->cu;
	CUresult rc = CUDA_SUCCESS;

	if (mcheck(d, cu->EventRecord(d->start, d->stream), "cuEventRecord"))
		return -1;
	for (unsigned i = 0; i < iters && rc == CUDA_SUCCESS; i++) {
		if (kind == 0)
			rc = cu->MemcpyDtoDAsync(dst, src, bytes, d->stream);
		else if (kind == 1)
			rc = cu->MemcpyHtoDAsync(dst, host, bytes, d->stream);
		else
			rc = cu->MemcpyDtoHAsync(host, src, bytes, d->stream);
	}
	if (mcheck(d, rc, kind == 0 ? "cuMemcpyDtoDAsync" : kind == 1 ? "cuMemcpyHtoDAsync" : "cuMemcpyDtoHAsync") ||
	    mcheck(d, cu->EventRecord(d->stop, d->stream), "cuEventRecord"))
		return -1;
	return mtime(d, ms);
}

/* One warm-up copy, a short trial to size the loop, then the timed loop. */
static int copy_rate(struct mdev *d, int kind, CUdeviceptr dst, CUdeviceptr src, void *host, size_t bytes,
		     double bytes_per_copy, double *gbs)
{
	double ms;
	unsigned iters;

	if (copy_time(d, kind, dst, src, host, bytes, 1, &ms) != 0 ||
	    copy_time(d, kind, dst, src, host, bytes, 3, &ms) != 0)
		return -1;
	iters = iterations_for(phase_budget_s(d), ms / 3);
	if (copy_time(d, kind, dst, src, host, bytes, iters, &ms) != 0)
		return -1;
	if (!(ms > 0)) {
		merror(d, "%s: the copies took no measurable time", d->phase);
		return -1;
	}
	*gbs = bytes_per_copy * iters / (ms * 1e-3) / 1e9;
	return 0;
}

int bandwidth_copy(struct mdev *d, double *gbs)
{
	CUdeviceptr src = 0, dst = 0;
	size_t got_src, got_dst, free_bytes = 0, total = 0, want = COPY_BYTES_MAX;
	int rc = -1;

	*gbs = NAN;
	/* Two buffers: each at most a third of what is free. */
	if (mcheck(d, d->cu->MemGetInfo(&free_bytes, &total), "cuMemGetInfo"))
		return -1;
	if (want > free_bytes / 3)
		want = free_bytes / 3;
	if (malloc_upto(d, want, COPY_BYTES_MIN, &src, &got_src) != 0 ||
	    malloc_upto(d, got_src, COPY_BYTES_MIN, &dst, &got_dst) != 0) {
		merror(d, "%s: not even %zu MiB could be allocated for the copy", d->phase, COPY_BYTES_MIN / MIB);
		goto out;
	}
	/* Random bytes, not zeros: what a real copy moves. */
	if (mfill_random(d, src, PREC_INT8, got_dst, 0x5eed) != 0)
		goto out;
	rc = copy_rate(d, 0, dst, src, NULL, got_dst, 2.0 * (double)got_dst, gbs);
out:
	if (dst)
		d->cu->MemFree(dst);
	if (src)
		d->cu->MemFree(src);
	return rc;
}

int bandwidth_host(struct mdev *d, double *h2d, double *d2h)
{
	const struct cuda_api *cu = d->cu;
	size_t bytes = d->opts->mode == MEASURE_QUICK ? 256 * MIB : GIB;
	CUdeviceptr dev = 0;
	void *host = NULL;
	int rc = -1;

	*h2d = *d2h = NAN;
	if (mcheck(d, cu->MemHostAlloc(&host, bytes, CU_MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc (pinned host memory)"))
		return -1;
	memset(host, 0xa5, bytes);
	if (mcheck(d, cu->MemAlloc(&dev, bytes), "cuMemAlloc"))
		goto out;
	if (copy_rate(d, 1, dev, 0, host, bytes, (double)bytes, h2d) != 0 ||
	    copy_rate(d, 2, 0, dev, host, bytes, (double)bytes, d2h) != 0)
		goto out;
	rc = 0;
out:
	if (dev)
		cu->MemFree(dev);
	cu->MemFreeHost(host);
	return rc;
}

int memory_allocatable(struct mdev *d, size_t *bytes)
{
	const struct cuda_api *cu = d->cu;
	size_t free_bytes = 0, total = 0, step, want;
	CUdeviceptr p;
	CUresult rc;

	*bytes = 0;
	if (mcheck(d, cu->MemGetInfo(&free_bytes, &total), "cuMemGetInfo"))
		return -1;
	/* Page-aligned (2 MiB) attempts, stepping down by 1% of free (at least
	 * 64 MiB): the driver keeps some of "free" for itself. */
	step = free_bytes / 100 > 64 * MIB ? free_bytes / 100 : 64 * MIB;
	want = free_bytes & ~(2 * MIB - 1);
	for (int tries = 0; tries < 100 && want >= 2 * MIB; tries++) {
		rc = cu->MemAlloc(&p, want);
		if (rc == CUDA_SUCCESS) {
			cu->MemFree(p);
			*bytes = want;
			return 0;
		}
		if (rc != CUDA_ERROR_OUT_OF_MEMORY)
			return mcheck(d, rc, "cuMemAlloc");
		want = want > step ? want - step : 0;
	}
	merror(d, "%s: no allocation succeeded (%zu bytes reported free)", d->phase, free_bytes);
	return -1;
}
