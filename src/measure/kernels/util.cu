// Helper kernels for chipaudit's measurements (src/measure/). The PTX that
// chipaudit embeds (util.ptx) is generated from this file by
// scripts/gen-ptx; the binary needs no CUDA toolkit. Every kernel is
// extern "C" so its PTX name is the plain name the C code asks for.
#include <stdint.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

// A counter-based hash (the finaliser of MurmurHash3): each element gets its
// own pseudo-random value without any state, so the fill is one pass.
__device__ __forceinline__ uint32_t ca_hash(uint64_t i, uint32_t seed)
{
	uint32_t h = (uint32_t)i ^ (uint32_t)(i >> 32) * 0x9e3779b9u ^ seed;
	h ^= h >> 16; h *= 0x85ebca6bu;
	h ^= h >> 13; h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

// Uniform in [-1, 1): random operands, never zeros (a product of zeros runs
// faster than real data and would flatter the figure).
__device__ __forceinline__ float ca_unit(uint64_t i, uint32_t seed)
{
	return (float)(ca_hash(i, seed) >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

#define GRID_STRIDE(i, n) for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < (n); \
			       i += (uint64_t)gridDim.x * blockDim.x)

extern "C" __global__ void ca_fill_f64(double *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) p[i] = (double)ca_unit(i, seed);
}

extern "C" __global__ void ca_fill_f32(float *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) p[i] = ca_unit(i, seed);
}

extern "C" __global__ void ca_fill_bf16(__nv_bfloat16 *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) p[i] = __float2bfloat16(ca_unit(i, seed));
}

extern "C" __global__ void ca_fill_f16(__half *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) p[i] = __float2half(ca_unit(i, seed));
}

// FP8 E4M3 bytes with the exponent field kept below its top value, so no
// byte is NaN (S.1111.111): sign, exponent 0-14, any mantissa.
extern "C" __global__ void ca_fill_e4m3(uint8_t *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) {
		uint32_t h = ca_hash(i, seed);
		uint32_t exp = (h >> 3) % 15u;
		p[i] = (uint8_t)((h & 0x80u) | (exp << 3) | (h & 7u));
	}
}

extern "C" __global__ void ca_fill_i8(int8_t *p, uint64_t n, uint32_t seed)
{
	GRID_STRIDE(i, n) p[i] = (int8_t)(ca_hash(i, seed) & 0xff);
}

// Remanence reader, global memory: count the words equal to the canary and
// the non-zero words, and find the first non-zero word. Reads only.
// counters[0] += canary words, counters[1] += non-zero words,
// counters[2] = min index of a non-zero word (start it at ~0).
extern "C" __global__ void ca_scan_words(const uint32_t *p, uint64_t nwords, uint32_t canary,
					 unsigned long long *counters)
{
	unsigned long long canaries = 0, nonzero = 0, first = ~0ull;

	GRID_STRIDE(i, nwords) {
		uint32_t w = p[i];
		if (w != 0) {
			nonzero++;
			if (w == canary)
				canaries++;
			if (i < first)
				first = i;
		}
	}
	if (canaries)
		atomicAdd(&counters[0], canaries);
	if (nonzero) {
		atomicAdd(&counters[1], nonzero);
		atomicMin(&counters[2], first);
	}
}

// Remanence writer, shared memory: fill this block's dynamic shared memory
// with the canary. volatile, so the stores are not removed as dead.
extern "C" __global__ void ca_fill_shared(uint32_t canary, uint32_t nwords)
{
	extern __shared__ uint32_t smem[];
	volatile uint32_t *s = smem;

	for (uint32_t i = threadIdx.x; i < nwords; i += blockDim.x)
		s[i] = canary;
	__syncthreads();
}

// Remanence reader, shared memory (as the LeftoverLocals test does): copy
// this block's uninitialised dynamic shared memory out, without writing it.
extern "C" __global__ void ca_dump_shared(uint32_t *out, uint32_t nwords)
{
	extern __shared__ uint32_t smem[];
	volatile uint32_t *s = smem;
	uint32_t *dst = out + (uint64_t)blockIdx.x * nwords;

	for (uint32_t i = threadIdx.x; i < nwords; i += blockDim.x)
		dst[i] = s[i];
}
