// FP8 (E4M3) tensor-core throughput kernel, the fallback when cuBLASLt is
// absent; see mma.cu. Kept apart because it needs sm_89 or later: the
// module is loaded only on such chips. Embedded as mma_fp8.ptx, generated
// by scripts/gen-ptx.
#include "mma_common.cuh"

// m16n8k32 e4m3 inputs, fp32 accumulate (8192 operations per warp).
CA_MMA_KERNEL4(ca_mma_e4m3, float, "f", "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32")
