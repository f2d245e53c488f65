/* Dense matrix-multiply throughput per precision.
 *
 * Through cuBLASLt: square N x N x N products (N = 8192 unless memory is
 * short), random operands, beta = 0. The heuristic's top candidates are
 * each timed briefly and the fastest is timed for the mode's budget:
 * rate = 2 N^3 x iterations / elapsed (event timing on one stream).
 * Layouts follow what frameworks call: NN for the floating formats (as
 * torch.matmul on row-major tensors), TN for FP8 and INT8, which cuBLASLt
 * requires there. FP8 accumulates in FP32 with fast accumulation and writes
 * BF16; INT8 accumulates and writes INT32.
 *
 * Fallback (no cuBLASLt, or it declines a precision): kernels/mma*.cu, the
 * matrix units' issue rate from registers, a lower bound: "approximate". */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "measure/internal.h"

#define GEMM_N_MAX 8192
#define GEMM_N_MIN 1024
#define WORKSPACE_BYTES (32 * MIB)   /* cuBLAS's default workspace on Hopper */

struct lt_config {
	int compute, scale, ab_type, cd_type, trans_a;
	bool fast_accum;
	size_t cd_bytes;
};

static bool lt_config_for(enum precision p, struct lt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->trans_a = CUBLAS_OP_N;
	switch (p) {
	case PREC_FP64:
		*c = (struct lt_config){ CUBLAS_COMPUTE_64F, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_OP_N, false, 8 };
		return true;
	case PREC_FP32:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_OP_N, false, 4 };
		return true;
	case PREC_TF32:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_OP_N, false, 4 };
		return true;
	case PREC_BF16:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_OP_N, false, 2 };
		return true;
	case PREC_FP16:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F, CUDA_R_16F, CUBLAS_OP_N, false, 2 };
		return true;
	case PREC_FP8:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_OP_T, true, 2 };
		return true;
	case PREC_INT8:
		*c = (struct lt_config){ CUBLAS_COMPUTE_32I, CUDA_R_32I, CUDA_R_8I, CUDA_R_32I, CUBLAS_OP_T, false, 4 };
		return true;
	default:
		return false;
	}
}

bool gemm_supported(const struct mdev *d, enum precision p)
{
	int cc = d->cc_major * 10 + d->cc_minor;

	switch (p) {
	case PREC_FP64:
	case PREC_FP32:
		return true;
	case PREC_TF32:
	case PREC_BF16:
		return cc >= 80;
	case PREC_FP16:
		return cc >= 70;
	case PREC_FP8:
		return cc >= 89;
	case PREC_INT8:
		return cc >= 75;
	default:
		return false;
	}
}

int gemm_buffers_alloc(struct mdev *d, struct gemm_buffers *g)
{
	const struct cuda_api *cu = d->cu;

	memset(g, 0, sizeof(*g));
	/* Three N x N matrices of the widest element (8 bytes) and a workspace;
	 * halve N until they fit beside what others hold. */
	for (size_t n = GEMM_N_MAX; n >= GEMM_N_MIN; n /= 2) {
		size_t bytes = n * n * 8;
		CUresult rc;
		if ((rc = cu->MemAlloc(&g->a, bytes)) == CUDA_SUCCESS &&
		    (rc = cu->MemAlloc(&g->b, bytes)) == CUDA_SUCCESS &&
		    (rc = cu->MemAlloc(&g->c, bytes)) == CUDA_SUCCESS &&
		    (rc = cu->MemAlloc(&g->workspace, WORKSPACE_BYTES)) == CUDA_SUCCESS) {
			g->n = n;
			g->workspace_bytes = WORKSPACE_BYTES;
			return 0;
		}
		gemm_buffers_free(d, g);
		if (rc != CUDA_ERROR_OUT_OF_MEMORY)
			return mcheck(d, rc, "allocating matrices");
	}
	merror(d, "matrix multiply: not even %dx%d matrices could be allocated", GEMM_N_MIN, GEMM_N_MIN);
	return -1;
}

void gemm_buffers_free(struct mdev *d, struct gemm_buffers *g)
{
	CUdeviceptr *ptrs[] = { &g->a, &g->b, &g->c, &g->workspace };

	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		if (*ptrs[i])
			d->cu->MemFree(*ptrs[i]);
		*ptrs[i] = 0;
	}
	g->n = 0;
}

/* cuBLASLt ------------------------------------------------------------- */

struct lt_problem {
	cublasLtMatmulDesc_t desc;
	cublasLtMatrixLayout_t la, lb, lc;
	cublasLtMatmulPreference_t pref;
	union { double d; float f; int32_t i; } alpha, beta;
};

static void lt_problem_free(const struct cublaslt_api *lt, struct lt_problem *pb)
{
	if (pb->pref)
		lt->MatmulPreferenceDestroy(pb->pref);
	if (pb->lc)
		lt->MatrixLayoutDestroy(pb->lc);
	if (pb->lb)
		lt->MatrixLayoutDestroy(pb->lb);
	if (pb->la)
		lt->MatrixLayoutDestroy(pb->la);
	if (pb->desc)
		lt->MatmulDescDestroy(pb->desc);
	memset(pb, 0, sizeof(*pb));
}

static int lt_problem_init(const struct cublaslt_api *lt, const struct lt_config *c, uint64_t n,
			   size_t workspace, struct lt_problem *pb)
{
	int32_t trans_a = c->trans_a, trans_b = CUBLAS_OP_N;
	int8_t fast = 1;
	uint64_t ws = workspace;

	memset(pb, 0, sizeof(*pb));
	if (c->scale == CUDA_R_64F) {
		pb->alpha.d = 1.0;
		pb->beta.d = 0.0;
	} else if (c->scale == CUDA_R_32I) {
		pb->alpha.i = 1;
		pb->beta.i = 0;
	} else {
		pb->alpha.f = 1.0f;
		pb->beta.f = 0.0f;
	}
	/* Square problem: rows, columns and leading dimension are N whichever
	 * operand is transposed. */
	if (lt->MatmulDescCreate(&pb->desc, c->compute, c->scale) != CUBLAS_STATUS_SUCCESS ||
	    lt->MatmulDescSetAttribute(pb->desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a, sizeof(trans_a)) ||
	    lt->MatmulDescSetAttribute(pb->desc, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b, sizeof(trans_b)) ||
	    (c->fast_accum &&
	     lt->MatmulDescSetAttribute(pb->desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof(fast))) ||
	    lt->MatrixLayoutCreate(&pb->la, c->ab_type, n, n, (int64_t)n) ||
	    lt->MatrixLayoutCreate(&pb->lb, c->ab_type, n, n, (int64_t)n) ||
	    lt->MatrixLayoutCreate(&pb->lc, c->cd_type, n, n, (int64_t)n) ||
	    lt->MatmulPreferenceCreate(&pb->pref) ||
	    lt->MatmulPreferenceSetAttribute(pb->pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws))) {
		lt_problem_free(lt, pb);
		return -1;
	}
	return 0;
}

/* Time ITERS products with ALGO. A candidate's failure during the trials
 * (TRIAL) is not an error: the next candidate is tried. */
static int lt_run(struct mdev *d, const struct gemm_buffers *g, struct lt_problem *pb,
		  const cublasLtMatmulAlgo_t *algo, unsigned iters, bool trial, double *ms)
{
	const struct cuda_api *cu = d->cu;
	const struct cublaslt_api *lt = d->lt;

	if (mcheck(d, cu->EventRecord(d->start, d->stream), "cuEventRecord"))
		return -1;
	for (unsigned i = 0; i < iters; i++) {
		cublasStatus_t st = lt->Matmul(d->lt_handle, pb->desc, &pb->alpha, (const void *)(uintptr_t)g->a, pb->la,
					       (const void *)(uintptr_t)g->b, pb->lb, &pb->beta,
					       (const void *)(uintptr_t)g->c, pb->lc, (void *)(uintptr_t)g->c, pb->lc,
					       algo, (void *)(uintptr_t)g->workspace, g->workspace_bytes, d->stream);
		if (st != CUBLAS_STATUS_SUCCESS) {
			if (!trial)
				merror(d, "%s: cublasLtMatmul: status %d", d->phase, st);
			/* An execution failure may have left the context broken. */
			d->cu->StreamSynchronize(d->stream);
			return -1;
		}
	}
	if (mcheck(d, cu->EventRecord(d->stop, d->stream), "cuEventRecord"))
		return -1;
	return mtime(d, ms);
}

static unsigned iterations_for(double budget_s, double ms_per_iter, unsigned min, unsigned max)
{
	double n = ms_per_iter > 0 ? budget_s * 1000.0 / ms_per_iter : max;
	if (!(n >= min))
		return min;
	return n > max ? max : (unsigned)n;
}

/* Candidates timed per precision, by mode. */
static int candidates_for(enum measure_mode mode)
{
	return mode == MEASURE_QUICK ? 4 : mode == MEASURE_THOROUGH ? 16 : 8;
}

/* 1: measured; 0: cuBLASLt declines this precision here (fall back);
 * -1: an error (recorded). */
static int gemm_lt(struct mdev *d, struct gemm_buffers *g, enum precision p, double *tops)
{
	const struct cublaslt_api *lt = d->lt;
	cublasLtMatmulHeuristicResult_t results[16];
	struct lt_config c;
	struct lt_problem pb;
	int want = candidates_for(d->opts->mode), got = 0, best = -1, rc = -1;
	unsigned trial = d->opts->mode == MEASURE_QUICK ? 1 : 3;
	double best_ms = INFINITY, ms, flops = 2.0 * (double)g->n * (double)g->n * (double)g->n;

	if (!lt_config_for(p, &c))
		return 0;
	if (lt_problem_init(lt, &c, g->n, g->workspace_bytes, &pb) != 0) {
		merror(d, "%s: cuBLASLt descriptors could not be created", d->phase);
		return -1;
	}
	if (lt->MatmulAlgoGetHeuristic(d->lt_handle, pb.desc, pb.la, pb.lb, pb.lc, pb.lc, pb.pref, want,
				       results, &got) != CUBLAS_STATUS_SUCCESS || got <= 0) {
		rc = 0;
		goto out;
	}
	if (got > want)
		got = want;
	/* Each candidate: one warm-up (lazy kernel loading), then a short
	 * timing (one product in quick mode, whose budget is tight: 10 s a GPU). */
	for (int i = 0; i < got && !d->fatal; i++) {
		if (results[i].state != CUBLAS_STATUS_SUCCESS || results[i].workspaceSize > g->workspace_bytes)
			continue;
		if (lt_run(d, g, &pb, &results[i].algo, 1, true, &ms) != 0 ||
		    lt_run(d, g, &pb, &results[i].algo, trial, true, &ms) != 0) {
			/* A candidate that fails is skipped; a broken context stops. */
			continue;
		}
		if (ms / trial < best_ms) {
			best_ms = ms / trial;
			best = i;
		}
		/* A slow precision (FP64 on a part without FP64 matrix units):
		 * trying every candidate would cost more than the timed run. */
		if (best_ms * (1 + trial) * (got - i - 1) > phase_budget_s(d) * 1000)
			break;
	}
	if (best < 0) {
		rc = d->fatal ? -1 : 0;
		goto out;
	}
	{
		unsigned iters = iterations_for(phase_budget_s(d), best_ms, trial + 1, 100000);
		if (lt_run(d, g, &pb, &results[best].algo, iters, false, &ms) != 0 || !(ms > 0))
			goto out;
		*tops = flops * iters / (ms * 1e-3) / 1e12;
		rc = 1;
	}
out:
	lt_problem_free(lt, &pb);
	return rc;
}

/* PTX fallback ---------------------------------------------------------- */

struct mma_kernel {
	enum precision p;
	const char *name;
	double ops_per_mma;       /* per warp: 2 x M x N x K of the mma shape */
	int min_cc;
	bool fp8_module;
};

static const struct mma_kernel mma_kernels[] = {
	{ PREC_BF16, "ca_mma_bf16", 2.0 * 16 * 8 * 16, 80, false },
	{ PREC_FP16, "ca_mma_f16", 2.0 * 16 * 8 * 16, 80, false },
	{ PREC_TF32, "ca_mma_tf32", 2.0 * 16 * 8 * 8, 80, false },
	{ PREC_INT8, "ca_mma_i8", 2.0 * 16 * 8 * 32, 80, false },
	{ PREC_FP64, "ca_mma_f64", 2.0 * 8 * 8 * 4, 80, false },
	{ PREC_FP8, "ca_mma_e4m3", 2.0 * 16 * 8 * 32, 89, true },
};

#define MMA_BLOCK 256
#define MMA_BLOCKS_PER_SM 4

static int mma_time(struct mdev *d, CUmodule mod, const struct mma_kernel *k, CUdeviceptr out,
		    unsigned iters, unsigned launches, double *ms)
{
	unsigned grid = (unsigned)d->sm_count * MMA_BLOCKS_PER_SM;
	void *params[] = { &iters, &out };

	if (mcheck(d, d->cu->EventRecord(d->start, d->stream), "cuEventRecord"))
		return -1;
	for (unsigned l = 0; l < launches; l++)
		if (mlaunch(d, mod, k->name, grid, MMA_BLOCK, 0, params) != 0)
			return -1;
	if (mcheck(d, d->cu->EventRecord(d->stop, d->stream), "cuEventRecord"))
		return -1;
	return mtime(d, ms);
}

static int gemm_ptx(struct mdev *d, struct gemm_buffers *g, enum precision p, double *tops)
{
	const struct mma_kernel *k = NULL;
	CUmodule mod;
	double ms, warps, ops_per_iter;
	unsigned iters = 256, launches = 4;

	for (size_t i = 0; i < sizeof(mma_kernels) / sizeof(mma_kernels[0]); i++)
		if (mma_kernels[i].p == p)
			k = &mma_kernels[i];
	if (k == NULL || d->cc_major * 10 + d->cc_minor < k->min_cc)
		return 0;
	mod = k->fp8_module ? d->mma_fp8 : d->mma;
	if (mod == NULL) {
		merror(d, "%s: chipaudit's PTX kernels could not be loaded", d->phase);
		return -1;
	}
	/* The output (one value per thread) goes into matrix C, unused here. */
	warps = (double)d->sm_count * MMA_BLOCKS_PER_SM * MMA_BLOCK / 32;
	ops_per_iter = k->ops_per_mma * MMA_CHAINS * warps;
	if (mma_time(d, mod, k, g->c, iters, 1, &ms) != 0)
		return -1;
	/* Size each launch to a quarter of the budget, and run four. */
	iters = iterations_for(phase_budget_s(d) / launches, ms / iters, 16, 1u << 30);
	if (mma_time(d, mod, k, g->c, iters, launches, &ms) != 0 || !(ms > 0))
		return -1;
	*tops = ops_per_iter * iters * launches / (ms * 1e-3) / 1e12;
	return 1;
}

int gemm_measure(struct mdev *d, struct gemm_buffers *g, enum precision p, double *tops, bool *approximate,
		 const char **method)
{
	static const unsigned seed_a = 0x1234567u, seed_b = 0x89abcdefu;
	int rc = 0;

	*tops = NAN;
	*approximate = false;
	*method = NULL;
	if (!gemm_supported(d, p))
		return -1;
	if (d->lt) {
		enum precision store = p == PREC_TF32 ? PREC_FP32 : p;
		/* Random operands in the precision's storage type. */
		if (mfill_random(d, g->a, store, g->n * g->n, seed_a) != 0 ||
		    mfill_random(d, g->b, store, g->n * g->n, seed_b) != 0)
			return -1;
		rc = gemm_lt(d, g, p, tops);
		if (rc < 0 || d->fatal)
			return -1;
		if (rc > 0) {
			*method = "cublaslt";
			return 0;
		}
	}
	rc = gemm_ptx(d, g, p, tops);
	if (rc > 0) {
		*approximate = true;
		*method = "ptx";
		return 0;
	}
	if (rc == 0 && d->lt)
		merror(d, "%s: cuBLASLt offers no algorithm and chipaudit has no kernel for it", d->phase);
	return -1;
}
