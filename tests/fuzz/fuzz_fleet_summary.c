/* libFuzzer target: fleet summaries (`chipaudit justify --fleet-summary`).
 * A summary is refused with a one-line error naming the input, or accepted
 * with its parts adding up to its totals: accelerators by model and by
 * export class to the accelerators, hosts by trust level to the hosts. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/fleetsummary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_int_t sum_of(const json_t *s, const char *rows, const char *count)
{
	const json_t *row;
	json_int_t sum = 0;
	size_t i;

	json_array_foreach(json_object_get(s, rows), i, row) {
		json_int_t n = json_integer_value(json_object_get(row, count));
		if (n < 0)
			abort();
		sum += n;
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	json_t *s = fleet_summary_parse((const char *)data, size, "fuzz", err, sizeof(err));

	if (s == NULL) {
		if (strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	json_int_t accelerators = json_integer_value(json_object_get(s, "accelerators")),
		   hosts = json_integer_value(json_object_get(s, "hosts"));
	if (sum_of(s, "by_model", "accelerators") != accelerators ||
	    sum_of(s, "by_export_class", "accelerators") != accelerators ||
	    sum_of(s, "by_trust_level", "hosts") != hosts)
		abort();
	json_decref(s);
	return 0;
}
