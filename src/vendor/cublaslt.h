/* cuBLASLt, loaded with dlopen when present: the matrix-multiply library the
 * throughput measurement uses (src/measure/gemm.c). When it is absent the
 * measurement falls back to chipaudit's own PTX kernels, marked approximate.
 *
 * Minimal declarations of our own; values from cublasLt.h, cublas_api.h and
 * library_types.h (CUDA 13.0; unchanged since cuBLASLt 11.0). The library
 * is looked for as CHIPAUDIT_LIBCUBLASLT when set (secure_getenv), else
 * libcublasLt.so.13, .12, .11, then libcublasLt.so. */
#ifndef CHIPAUDIT_VENDOR_CUBLASLT_H
#define CHIPAUDIT_VENDOR_CUBLASLT_H

#include <stddef.h>
#include <stdint.h>

#include "vendor/cuda.h"

typedef int cublasStatus_t;
typedef struct cublasLtContext *cublasLtHandle_t;
typedef struct cublasLtMatmulDescOpaque *cublasLtMatmulDesc_t;
typedef struct cublasLtMatrixLayoutOpaque *cublasLtMatrixLayout_t;
typedef struct cublasLtMatmulPreferenceOpaque *cublasLtMatmulPreference_t;

/* Semi-opaque, by value: the layout is part of the library's ABI. */
typedef struct {
	uint64_t data[8];
} cublasLtMatmulAlgo_t;

typedef struct {
	cublasLtMatmulAlgo_t algo;
	size_t workspaceSize;
	cublasStatus_t state;
	float wavesCount;
	int reserved[4];
} cublasLtMatmulHeuristicResult_t;

enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_NOT_SUPPORTED = 15 };

/* cudaDataType_t (library_types.h). */
enum {
	CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_8I = 3, CUDA_R_32I = 10,
	CUDA_R_16BF = 14, CUDA_R_8F_E4M3 = 28,
};

/* cublasComputeType_t (cublas_api.h). */
enum {
	CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_64F = 70, CUBLAS_COMPUTE_32I = 72,
	CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
};

enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };

/* cublasLtMatmulDescAttributes_t and cublasLtMatmulPreferenceAttributes_t. */
enum {
	CUBLASLT_MATMUL_DESC_TRANSA = 3,
	CUBLASLT_MATMUL_DESC_TRANSB = 4,
	CUBLASLT_MATMUL_DESC_FAST_ACCUM = 25,
};
enum { CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1 };

struct cublaslt_api {
	void *handle;
	const char *path;           /* the name that opened */
	size_t (*GetVersion)(void);
	cublasStatus_t (*Create)(cublasLtHandle_t *handle);
	cublasStatus_t (*Destroy)(cublasLtHandle_t handle);
	cublasStatus_t (*MatmulDescCreate)(cublasLtMatmulDesc_t *desc, int compute_type, int scale_type);
	cublasStatus_t (*MatmulDescDestroy)(cublasLtMatmulDesc_t desc);
	cublasStatus_t (*MatmulDescSetAttribute)(cublasLtMatmulDesc_t desc, int attr, const void *buf, size_t size);
	cublasStatus_t (*MatrixLayoutCreate)(cublasLtMatrixLayout_t *layout, int type, uint64_t rows,
					     uint64_t cols, int64_t ld);
	cublasStatus_t (*MatrixLayoutDestroy)(cublasLtMatrixLayout_t layout);
	cublasStatus_t (*MatmulPreferenceCreate)(cublasLtMatmulPreference_t *pref);
	cublasStatus_t (*MatmulPreferenceDestroy)(cublasLtMatmulPreference_t pref);
	cublasStatus_t (*MatmulPreferenceSetAttribute)(cublasLtMatmulPreference_t pref, int attr,
						       const void *buf, size_t size);
	cublasStatus_t (*MatmulAlgoGetHeuristic)(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
						 cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
						 cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
						 cublasLtMatmulPreference_t pref, int requested,
						 cublasLtMatmulHeuristicResult_t *results, int *returned);
	cublasStatus_t (*Matmul)(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void *alpha,
				 const void *a, cublasLtMatrixLayout_t adesc, const void *b,
				 cublasLtMatrixLayout_t bdesc, const void *beta, const void *c,
				 cublasLtMatrixLayout_t cdesc, void *d, cublasLtMatrixLayout_t ddesc,
				 const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspace_bytes,
				 CUstream stream);
};

/* Open cuBLASLt. Returns 0, or -1 with err naming what was tried. */
int cublaslt_load(struct cublaslt_api *api, char *err, size_t errlen);
void cublaslt_unload(struct cublaslt_api *api);

#endif
