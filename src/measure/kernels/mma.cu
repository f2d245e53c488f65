// Chipaudit's own tensor-core throughput kernels, the fallback when cuBLASLt
// is absent (src/measure/gemm.c). Each warp issues warp-level matrix
// multiply-accumulates (mma.sync) on operands held in registers, in
// independent chains, so the figure is the matrix units' issue rate with no
// memory traffic. mma.sync is not the fastest path on every chip (Hopper's
// wgmma is faster), so the figures are a lower bound: "approximate".
// The PTX chipaudit embeds (mma.ptx) is generated from this file by
// scripts/gen-ptx; it needs sm_80 or later.
#include "mma_common.cuh"

// m16n8k16 bf16 inputs, fp32 accumulate (4096 floating-point operations per warp).
CA_MMA_KERNEL4(ca_mma_bf16, float, "f", "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32")

// m16n8k16 fp16 inputs, fp32 accumulate (4096 operations per warp).
CA_MMA_KERNEL4(ca_mma_f16, float, "f", "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32")

// m16n8k8 tf32 (2048 operations per warp).
CA_MMA_KERNEL4(ca_mma_tf32, float, "f", "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32")

// m16n8k32 int8, int32 accumulate (8192 operations per warp).
CA_MMA_KERNEL4(ca_mma_i8, int, "r", "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32")

// m8n8k4 fp64 (512 operations per warp).
extern "C" __global__ void ca_mma_f64(uint32_t iters, double *out)
{
	double a = (double)(threadIdx.x + 1) * 0.25, b = (double)(threadIdx.x + 3) * 0.125;
	double d[CHAINS][2] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 "
				     "{%0,%1}, {%2}, {%3}, {%0,%1};"
				     : "+d"(d[c][0]), "+d"(d[c][1])
				     : "d"(a), "d"(b));
	}
	double s = 0;
#pragma unroll
	for (int c = 0; c < CHAINS; c++)
		s += d[c][0] + d[c][1];
	out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}
