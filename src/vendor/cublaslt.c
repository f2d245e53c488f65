/* cuBLASLt through dlopen; see cublaslt.h. */
#include "vendor/cublaslt.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_names[] = {
	"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11", "libcublasLt.so",
};

struct lt_symbol {
	size_t offset;
	const char *name;
};

#define LT(member, name) { offsetof(struct cublaslt_api, member), name }

static const struct lt_symbol lt_symbols[] = {
	LT(GetVersion, "cublasLtGetVersion"),
	LT(Create, "cublasLtCreate"),
	LT(Destroy, "cublasLtDestroy"),
	LT(MatmulDescCreate, "cublasLtMatmulDescCreate"),
	LT(MatmulDescDestroy, "cublasLtMatmulDescDestroy"),
	LT(MatmulDescSetAttribute, "cublasLtMatmulDescSetAttribute"),
	LT(MatrixLayoutCreate, "cublasLtMatrixLayoutCreate"),
	LT(MatrixLayoutDestroy, "cublasLtMatrixLayoutDestroy"),
	LT(MatmulPreferenceCreate, "cublasLtMatmulPreferenceCreate"),
	LT(MatmulPreferenceDestroy, "cublasLtMatmulPreferenceDestroy"),
	LT(MatmulPreferenceSetAttribute, "cublasLtMatmulPreferenceSetAttribute"),
	LT(MatmulAlgoGetHeuristic, "cublasLtMatmulAlgoGetHeuristic"),
	LT(Matmul, "cublasLtMatmul"),
};

static int resolve(struct cublaslt_api *api, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(lt_symbols) / sizeof(lt_symbols[0]); i++) {
		void *fn = dlsym(api->handle, lt_symbols[i].name);
		if (fn == NULL) {
			snprintf(err, errlen, "%s: no %s", api->path, lt_symbols[i].name);
			return -1;
		}
		memcpy((char *)api + lt_symbols[i].offset, &fn, sizeof(fn));
	}
	return 0;
}

int cublaslt_load(struct cublaslt_api *api, char *err, size_t errlen)
{
	const char *env = secure_getenv("CHIPAUDIT_LIBCUBLASLT");
	size_t n = 0;

	memset(api, 0, sizeof(*api));
	if (env && *env) {
		api->handle = dlopen(env, RTLD_NOW | RTLD_LOCAL);
		api->path = env;
	} else {
		for (n = 0; n < sizeof(default_names) / sizeof(default_names[0]) && api->handle == NULL; n++) {
			api->path = default_names[n];
			api->handle = dlopen(api->path, RTLD_NOW | RTLD_LOCAL);
		}
	}
	if (api->handle == NULL) {
		const char *why = dlerror();
		if (env && *env)
			snprintf(err, errlen, "%s", why ? why : env);
		else
			snprintf(err, errlen, "no cuBLASLt library found (tried libcublasLt.so.13, .12, .11, libcublasLt.so)");
		api->path = NULL;
		return -1;
	}
	if (resolve(api, err, errlen) != 0) {
		cublaslt_unload(api);
		return -1;
	}
	return 0;
}

void cublaslt_unload(struct cublaslt_api *api)
{
	if (api->handle)
		dlclose(api->handle);
	memset(api, 0, sizeof(*api));
}
