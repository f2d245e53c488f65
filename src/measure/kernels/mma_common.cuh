// What the mma.sync throughput kernels (mma.cu, mma_fp8.cu) share: operand
// bits the compiler cannot fold, and the kernel shape of a product with four
// accumulator registers per thread.
#include <stdint.h>

#define CHAINS 4

// Operands derived from the thread index, so the compiler cannot fold them.
__device__ __forceinline__ uint32_t ca_bits(uint32_t salt)
{
	uint32_t h = (threadIdx.x + 1u) * 0x9e3779b9u ^ salt;
	return (h ^ (h >> 15)) & 0x3c3c3c3cu; // small, finite in every 8/16-bit format
}

// A kernel NAME issuing the mma.sync INSTRUCTION (A in four registers, B in
// two, a four-register accumulator of TYPE with asm constraint REG) in
// CHAINS independent chains, ITERS times, and storing the sum of the
// accumulators so that nothing is dead code.
#define CA_MMA_KERNEL4(NAME, TYPE, REG, INSTRUCTION)                                                         \
	extern "C" __global__ void NAME(uint32_t iters, TYPE *out)                                           \
	{                                                                                                    \
		uint32_t a0 = ca_bits(1), a1 = ca_bits(2), a2 = ca_bits(3), a3 = ca_bits(4), b0 = ca_bits(5), \
			 b1 = ca_bits(6);                                                                    \
		TYPE d[CHAINS][4] = {};                                                                      \
                                                                                                             \
		for (uint32_t it = 0; it < iters; it++) {                                                    \
			_Pragma("unroll") for (int c = 0; c < CHAINS; c++)                                   \
				asm volatile(INSTRUCTION " {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};" \
					     : "+" REG(d[c][0]), "+" REG(d[c][1]), "+" REG(d[c][2]), "+" REG(d[c][3]) \
					     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));                 \
		}                                                                                            \
		TYPE s = 0;                                                                                  \
		_Pragma("unroll") for (int c = 0; c < CHAINS; c++) s += d[c][0] + d[c][1] + d[c][2] + d[c][3]; \
		out[blockIdx.x * blockDim.x + threadIdx.x] = s;                                              \
	}
