/* Libraries loaded at run time by a table of symbols: a handful of calls
 * made only by one command should not make every start of the binary load
 * the library and everything it links. */
#ifndef CHIPAUDIT_CORE_DYNLIB_H
#define CHIPAUDIT_CORE_DYNLIB_H

#include <stddef.h>

struct dynlib_symbol {
	size_t offset;      /* of the function pointer in the caller's table */
	const char *name;
};
#define DYNLIB_SYM(type, member, name) { offsetof(type, member), name }

/* dlopen SONAME and fill TABLE (whose first member is the handle, void *)
 * with every symbol; 0, or -1 with err ("SONAME: no SYMBOL", or dlerror's
 * message followed by HINT) and TABLE cleared. */
int dynlib_load(const char *soname, const char *hint, const struct dynlib_symbol *symbols, size_t count,
		void *table, size_t table_size, char *err, size_t errlen);

#endif
