// FP8 (E4M3) tensor-core throughput kernel, the fallback when cuBLASLt is
// absent; see mma.cu. Kept apart because it needs sm_89 or later: the
// module is loaded only on such chips. Embedded as mma_fp8.ptx, generated
// by scripts/gen-ptx.
#include <stdint.h>

#define CHAINS 4

__device__ __forceinline__ uint32_t ca_bits(uint32_t salt)
{
	uint32_t h = (threadIdx.x + 1u) * 0x9e3779b9u ^ salt;
	return (h ^ (h >> 15)) & 0x3c3c3c3cu;
}

// m16n8k32 e4m3 inputs, fp32 accumulate (8192 operations per warp).
extern "C" __global__ void ca_mma_e4m3(uint32_t iters, float *out)
{
	uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), b1 = ca_bits(6);
	float d[CHAINS][4] = {};

	for (uint32_t it = 0; it < iters; it++) {
#pragma unroll
		for (int c = 0; c < CHAINS; c++)
			asm volatile("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 "
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
