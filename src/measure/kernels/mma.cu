// Chipaudit's own tensor-core throughput kernels, the fallback when cuBLASLt
// is absent (src/measure/gemm.c). Each warp issues warp-level matrix
// multiply-accumulates (mma.sync) on operands held in registers, in
// independent chains, so the figure is the matrix units' issue rate with no
// memory traffic. mma.sync is not the fastest path on every chip (Hopper's
// wgmma is faster), so the figures are a lower bound: "approximate".
// The PTX chipaudit embeds (mma.ptx) is generated from this file by
// scripts/gen-ptx; it needs sm_80 or later.
#include <stdint.h>

#define CHAINS 4

// Operands derived from the thread index, so the compiler cannot fold them.
__device__ __forceinline__ uint32_t ca_bits(uint32_t salt)
{
	uint32_t h = (threadIdx.x + 1u) * 0x9e3779b9u ^ salt;
	return (h ^ (h >> 15)) & 0x3c3c3c3cu; // small, finite in every 8/16-bit format
}

// One m16n8k16 bf16 product (4096 floating-point operations per warp).
extern "C" __global__ void ca_mma_bf16(uint32_t iters, float *out)
{
	uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), b1 = ca_bits(6);
	float d[CHAINS][4] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
				     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
				     : "+f"(d[c][0]), "+f"(d[c][1]), "+f"(d[c][2]), "+f"(d[c][3])
				     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
	}
	float s = 0;
#pragma unroll
	for (int c = 0; c < CHAINS; c++)
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// m16n8k16 fp16 inputs, fp32 accumulate (4096 operations per warp).
extern "C" __global__ void ca_mma_f16(uint32_t iters, float *out)
{
	uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), b1 = ca_bits(6);
	float d[CHAINS][4] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
				     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
				     : "+f"(d[c][0]), "+f"(d[c][1]), "+f"(d[c][2]), "+f"(d[c][3])
				     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
	}
	float s = 0;
#pragma unroll
	for (int c = 0; c < CHAINS; c++)
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// m16n8k8 tf32 (2048 operations per warp).
extern "C" __global__ void ca_mma_tf32(uint32_t iters, float *out)
{
	uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), b1 = ca_bits(6);
	float d[CHAINS][4] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
				     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
				     : "+f"(d[c][0]), "+f"(d[c][1]), "+f"(d[c][2]), "+f"(d[c][3])
				     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
	}
	float s = 0;
#pragma unroll
	for (int c = 0; c < CHAINS; c++)
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// m16n8k32 int8, int32 accumulate (8192 operations per warp).
extern "C" __global__ void ca_mma_i8(uint32_t iters, int *out)
{
	uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), b1 = ca_bits(6);
	int d[CHAINS][4] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 "
				     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
				     : "+r"(d[c][0]), "+r"(d[c][1]), "+r"(d[c][2]), "+r"(d[c][3])
				     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
	}
	int s = 0;
#pragma unroll
	for (int c = 0; c < CHAINS; c++)
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

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
