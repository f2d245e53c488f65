/* libFuzzer target: workload files (`chipaudit justify --workload`). A
 * workload is accepted with every figure inside its range, or refused with
 * a one-line error naming the input; an accepted one is sized on a unit
 * without a crash, and every count it gives is a whole number of at least
 * one. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "justify/fit.h"
#include "parse/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fit_unit units[] = {
		{ 96, 4000, 900, 148, 400 }, { 64, NAN, NAN, NAN, NAN }, { 0.001, 1e-3, 1e-3, 1e-3, 1 },
	};
	struct workload w;
	struct fit_result r;
	char err[512];

	if (workload_parse((const char *)data, size, "fuzz", &w, err, sizeof(err)) != 0) {
		if (strncmp(err, "fuzz", 4) != 0 || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	if (!(w.parameters >= 1e6 && w.parameters <= 1e15) || !(w.batch >= 1) || !(w.context_tokens >= 1) ||
	    w.memory_reserve < 0 || w.memory_reserve > 0.9 || w.name[0] == '\0')
		abort();
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		fit_workload(&w, &units[u], &r);
		for (int i = 0; i < FIT_LIMIT_COUNT; i++) {
			double n = r.counts[i].units;
			if (r.counts[i].state == FIT_KNOWN && (!(n >= 1) || n != floor(n) || isinf(n)))
				abort();
		}
		if (!isnan(r.units) && (r.units < r.units_at_least || r.units != floor(r.units)))
			abort();
	}
	return 0;
}
