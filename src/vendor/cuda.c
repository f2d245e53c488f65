/* The CUDA driver API through dlopen; see cuda.h. */
#include "vendor/cuda.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIBCUDA_DEFAULT "libcuda.so.1"

const char *cuda_library_path(void)
{
	const char *p = secure_getenv("CHIPAUDIT_LIBCUDA");
	return p && *p ? p : LIBCUDA_DEFAULT;
}

/* One entry point: where it goes in the table, and its exported names,
 * newest first (the driver keeps every old version for old programs). */
struct cuda_symbol {
	size_t offset;
	const char *names[3];
	int optional;
};

#define SYM(member, ...) { offsetof(struct cuda_api, member), { __VA_ARGS__ }, 0 }
#define OPT(member, ...) { offsetof(struct cuda_api, member), { __VA_ARGS__ }, 1 }

static const struct cuda_symbol cuda_symbols[] = {
	SYM(Init, "cuInit"),
	SYM(DriverGetVersion, "cuDriverGetVersion"),
	OPT(GetErrorName, "cuGetErrorName"),
	SYM(DeviceGetCount, "cuDeviceGetCount"),
	SYM(DeviceGet, "cuDeviceGet"),
	SYM(DeviceGetName, "cuDeviceGetName"),
	SYM(DeviceGetAttribute, "cuDeviceGetAttribute"),
	SYM(DeviceTotalMem, "cuDeviceTotalMem_v2"),
	SYM(DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
	SYM(DevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"),
	SYM(CtxSetCurrent, "cuCtxSetCurrent"),
	SYM(CtxSynchronize, "cuCtxSynchronize"),
	SYM(MemGetInfo, "cuMemGetInfo_v2"),
	SYM(MemAlloc, "cuMemAlloc_v2"),
	SYM(MemFree, "cuMemFree_v2"),
	SYM(MemHostAlloc, "cuMemHostAlloc"),
	SYM(MemFreeHost, "cuMemFreeHost"),
	SYM(MemcpyHtoD, "cuMemcpyHtoD_v2"),
	SYM(MemcpyDtoH, "cuMemcpyDtoH_v2"),
	SYM(MemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"),
	SYM(MemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"),
	SYM(MemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2"),
	SYM(MemsetD32, "cuMemsetD32_v2"),
	SYM(StreamCreate, "cuStreamCreate"),
	SYM(StreamDestroy, "cuStreamDestroy_v2", "cuStreamDestroy"),
	SYM(StreamSynchronize, "cuStreamSynchronize"),
	SYM(EventCreate, "cuEventCreate"),
	SYM(EventDestroy, "cuEventDestroy_v2", "cuEventDestroy"),
	SYM(EventRecord, "cuEventRecord"),
	SYM(EventQuery, "cuEventQuery"),
	SYM(EventSynchronize, "cuEventSynchronize"),
	SYM(EventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime"),
	SYM(ModuleLoadData, "cuModuleLoadData"),
	SYM(ModuleUnload, "cuModuleUnload"),
	SYM(ModuleGetFunction, "cuModuleGetFunction"),
	SYM(FuncSetAttribute, "cuFuncSetAttribute"),
	SYM(LaunchKernel, "cuLaunchKernel"),
};

int cuda_load(struct cuda_api *api, char *err, size_t errlen)
{
	const char *path = cuda_library_path();

	memset(api, 0, sizeof(*api));
	api->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (api->handle == NULL) {
		const char *why = dlerror();
		snprintf(err, errlen, "%s", why ? why : path);
		return -1;
	}
	for (size_t i = 0; i < sizeof(cuda_symbols) / sizeof(cuda_symbols[0]); i++) {
		const struct cuda_symbol *s = &cuda_symbols[i];
		void *fn = NULL;
		for (size_t n = 0; n < 3 && s->names[n] && fn == NULL; n++)
			fn = dlsym(api->handle, s->names[n]);
		if (fn == NULL && !s->optional) {
			snprintf(err, errlen, "%s: no %s: the driver is too old or not NVIDIA's", path, s->names[0]);
			cuda_unload(api);
			return -1;
		}
		/* POSIX guarantees that a data pointer from dlsym converts to a function pointer. */
		memcpy((char *)api + s->offset, &fn, sizeof(fn));
	}
	return 0;
}

void cuda_unload(struct cuda_api *api)
{
	if (api->handle)
		dlclose(api->handle);
	memset(api, 0, sizeof(*api));
}

/* Names of the results chipaudit meets most, for drivers that cannot name
 * them (the toolkit's stub libcuda answers every call, cuGetErrorName too,
 * with CUDA_ERROR_STUB_LIBRARY). */
static const char *known_error(CUresult rc)
{
	switch (rc) {
	case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
	case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
	case CUDA_ERROR_STUB_LIBRARY: return "CUDA_ERROR_STUB_LIBRARY";
	case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
	case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
	case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
	case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
	case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
	default: return NULL;
	}
}

const char *cuda_error(const struct cuda_api *api, CUresult rc, char *buf, size_t len)
{
	const char *name = NULL;

	if (api->GetErrorName == NULL || api->GetErrorName(rc, &name) != CUDA_SUCCESS || name == NULL)
		name = known_error(rc);
	if (name == NULL)
		snprintf(buf, len, "CUDA error %d", rc);
	else
		snprintf(buf, len, "%.64s (%d)", name, rc);
	return buf;
}
