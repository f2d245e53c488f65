/* The CUDA driver API (libcuda.so.1), loaded with dlopen: chipaudit builds
 * and runs without it, and needs no CUDA toolkit.
 *
 * Minimal declarations of our own, as nvtop does for NVML: the types are
 * opaque handles and the values are those of cuda.h (CUDA 13.0 headers,
 * the same in every release since the symbol was introduced). Functions are
 * looked up newest version first ("cuMemAlloc_v2" before "cuMemAlloc").
 *
 * The library path can be overridden with CHIPAUDIT_LIBCUDA (tests point it
 * at tests/fake-cuda/); it is ignored in setuid programs (secure_getenv). */
#ifndef CHIPAUDIT_VENDOR_CUDA_H
#define CHIPAUDIT_VENDOR_CUDA_H

#include <stddef.h>
#include <stdint.h>

typedef int CUresult;
typedef int CUdevice;
typedef uint64_t CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

/* CUresult values (cuda.h, enum cudaError_enum). */
enum {
	CUDA_SUCCESS = 0,
	CUDA_ERROR_OUT_OF_MEMORY = 2,
	CUDA_ERROR_NOT_INITIALIZED = 3,
	CUDA_ERROR_STUB_LIBRARY = 34,
	CUDA_ERROR_NO_DEVICE = 100,
	CUDA_ERROR_INVALID_PTX = 218,
	CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
	CUDA_ERROR_NOT_FOUND = 500,
	CUDA_ERROR_NOT_READY = 600,
	CUDA_ERROR_ILLEGAL_ADDRESS = 700,
};

/* CUdevice_attribute values (cuda.h). */
enum {
	CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
	CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13,
	CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
	CU_DEVICE_ATTRIBUTE_PCI_BUS_ID = 33,
	CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID = 34,      /* the PCI device (slot) number, not the product ID */
	CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,
	CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37,
	CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38,
	CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID = 50,
	CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
	CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
	CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81,
	CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
};

enum { CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8 };
enum { CU_STREAM_NON_BLOCKING = 0x1 };
enum { CU_EVENT_DEFAULT = 0x0 };
enum { CU_MEMHOSTALLOC_PORTABLE = 0x1 };

/* The entry points chipaudit uses. Every member is set after cuda_load()
 * succeeds, except those marked optional (NULL when the driver lacks them). */
struct cuda_api {
	void *handle;
	CUresult (*Init)(unsigned flags);
	CUresult (*DriverGetVersion)(int *version);
	CUresult (*GetErrorName)(CUresult error, const char **name);   /* optional */
	CUresult (*DeviceGetCount)(int *count);
	CUresult (*DeviceGet)(CUdevice *dev, int ordinal);
	CUresult (*DeviceGetName)(char *name, int len, CUdevice dev);
	CUresult (*DeviceGetAttribute)(int *value, int attribute, CUdevice dev);
	CUresult (*DeviceTotalMem)(size_t *bytes, CUdevice dev);
	CUresult (*DevicePrimaryCtxRetain)(CUcontext *ctx, CUdevice dev);
	CUresult (*DevicePrimaryCtxRelease)(CUdevice dev);
	CUresult (*CtxSetCurrent)(CUcontext ctx);
	CUresult (*CtxSynchronize)(void);
	CUresult (*MemGetInfo)(size_t *free_bytes, size_t *total_bytes);
	CUresult (*MemAlloc)(CUdeviceptr *ptr, size_t bytes);
	CUresult (*MemFree)(CUdeviceptr ptr);
	CUresult (*MemHostAlloc)(void **ptr, size_t bytes, unsigned flags);
	CUresult (*MemFreeHost)(void *ptr);
	CUresult (*MemcpyHtoD)(CUdeviceptr dst, const void *src, size_t bytes);
	CUresult (*MemcpyDtoH)(void *dst, CUdeviceptr src, size_t bytes);
	CUresult (*MemcpyHtoDAsync)(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream);
	CUresult (*MemcpyDtoHAsync)(void *dst, CUdeviceptr src, size_t bytes, CUstream stream);
	CUresult (*MemcpyDtoDAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
	CUresult (*MemsetD32)(CUdeviceptr dst, unsigned value, size_t count);
	CUresult (*StreamCreate)(CUstream *stream, unsigned flags);
	CUresult (*StreamDestroy)(CUstream stream);
	CUresult (*StreamSynchronize)(CUstream stream);
	CUresult (*EventCreate)(CUevent *event, unsigned flags);
	CUresult (*EventDestroy)(CUevent event);
	CUresult (*EventRecord)(CUevent event, CUstream stream);
	CUresult (*EventQuery)(CUevent event);
	CUresult (*EventSynchronize)(CUevent event);
	CUresult (*EventElapsedTime)(float *ms, CUevent start, CUevent end);
	CUresult (*ModuleLoadData)(CUmodule *module, const void *image);
	CUresult (*ModuleUnload)(CUmodule module);
	CUresult (*ModuleGetFunction)(CUfunction *fn, CUmodule module, const char *name);
	CUresult (*FuncSetAttribute)(CUfunction fn, int attribute, int value);
	CUresult (*LaunchKernel)(CUfunction fn, unsigned grid_x, unsigned grid_y, unsigned grid_z,
				 unsigned block_x, unsigned block_y, unsigned block_z,
				 unsigned shared_bytes, CUstream stream, void **params, void **extra);
};

/* The library that cuda_load opens: CHIPAUDIT_LIBCUDA or "libcuda.so.1". */
const char *cuda_library_path(void);

/* Open the driver library and resolve every entry point. Returns 0, or -1
 * with err saying what is missing ("libcuda.so.1: cannot open shared object
 * file..." when there is no NVIDIA driver, or the missing symbol). Does not
 * call cuInit: that is the caller's, after any fork. */
int cuda_load(struct cuda_api *api, char *err, size_t errlen);
void cuda_unload(struct cuda_api *api);

/* "CUDA_ERROR_OUT_OF_MEMORY (2)", or "CUDA error 2" when the driver has no
 * name for it. Returns buf. */
const char *cuda_error(const struct cuda_api *api, CUresult rc, char *buf, size_t len);

#endif
