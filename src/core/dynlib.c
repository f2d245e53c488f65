#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int dynlib_load(const char *soname, const char *hint, const struct dynlib_symbol *symbols, size_t count,
		void *table, size_t table_size, char *err, size_t errlen)
{
	void *dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	memset(table, 0, table_size);
	if (dl == NULL) {
		const char *why = dlerror();
		snprintf(err, errlen, "%s%s", why ? why : soname, hint ? hint : "");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		void *fn = dlsym(dl, symbols[i].name);
		if (fn == NULL) {
			snprintf(err, errlen, "%s: no %s%s", soname, symbols[i].name, hint ? hint : "");
			dlclose(dl);
			memset(table, 0, table_size);
			return -1;
		}
		/* dlsym gives a data pointer; POSIX guarantees it converts to a
		 * function pointer of the right type */
		memcpy((char *)table + symbols[i].offset, &fn, sizeof(fn));
	}
	memcpy(table, &dl, sizeof(dl));
	return 0;
}
