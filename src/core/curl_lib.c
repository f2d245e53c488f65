#include "curl_lib.h"

#include <stdio.h>

#include "dynlib.h"
#include "util.h"

#define SYM(member, name) DYNLIB_SYM(struct curl_lib, member, name)
static const struct dynlib_symbol symbols[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_reset, "curl_easy_reset"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
};

const struct curl_lib *curl_lib(char *err, size_t errlen)
{
	static struct curl_lib lib;
	static char load_error[512];
	static int state;   /* 0: not tried, 1: loaded, -1: failed */

	if (state == 0)
		state = dynlib_load(CURL_LIBRARY, " (install libcurl4)", symbols, ARRAY_SIZE(symbols), &lib, sizeof(lib),
				    load_error, sizeof(load_error)) == 0 ? 1 : -1;
	if (state < 0) {
		snprintf(err, errlen, "%s", load_error);
		return NULL;
	}
	return &lib;
}
