#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>

json_t *fake_scenario_open(const char *env, const char *who, bool *unset)
{
	const char *path = getenv(env);
	json_error_t err;
	json_t *scenario;

	*unset = path == NULL;
	if (path == NULL)
		return NULL;
	scenario = json_load_file(path, 0, &err);
	if (scenario == NULL)
		fprintf(stderr, "%s: %s:%d: %s\n", who, path, err.line, err.text);
	return scenario;
}

const char *fake_scenario_init_error(const json_t *scenario)
{
	return json_string_value(json_object_get(scenario, "init"));
}

size_t fake_scenario_devices(const json_t *scenario, json_t **devices, size_t max)
{
	const json_t *template = json_object_get(scenario, "template");
	size_t i, count = 0;
	json_t *d;

	json_array_foreach(json_object_get(scenario, "devices"), i, d) {
		if (count == max)
			break;
		devices[count] = template ? json_deep_copy(template) : json_object();
		json_object_update(devices[count++], d);
	}
	return count;
}

long long fake_num(const json_t *obj, const char *key, long long dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

unsigned fake_hex(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? (unsigned)strtoul(s, NULL, 16) : 0;
}
