/* The vendor-neutral runtime record (runtime.h): reading and writing it. */
#include "vendor/runtime.h"

#include <string.h>

#include "core/json.h"

const char *const runtime_slowdowns[] = {
	RT_SLOW_IDLE, RT_SLOW_CLOCK_SETTING, RT_SLOW_SOFTWARE_POWER_CAP, RT_SLOW_HARDWARE_SLOWDOWN,
	RT_SLOW_SOFTWARE_THERMAL, RT_SLOW_HARDWARE_THERMAL, RT_SLOW_HARDWARE_POWER_BRAKE, NULL,
};

const json_t *rt_get(const json_t *rt, const char *path)
{
	return jpath(rt, path);
}

bool rt_int(const json_t *rt, const char *path, long long *out)
{
	const json_t *v = rt_get(rt, path);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

bool rt_bool(const json_t *rt, const char *path, bool *out)
{
	const json_t *v = rt_get(rt, path);

	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

const char *rt_str(const json_t *rt, const char *path)
{
	return json_string_value(rt_get(rt, path));
}

const char *rt_why(const json_t *rt, const char *path)
{
	const char *why = jstr(jobj(rt, "unavailable"), path);
	return why ? why : "not reported";
}

bool rt_slowdown(const json_t *rt, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(rt_get(rt, "slowdown"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

void rt_put(json_t *rt, const char *path, json_t *value, const char *why_unknown)
{
	const char *leaf;
	json_t *parent = jpath_parent(rt, path, &leaf, true), *why;

	if (parent == NULL) {
		json_decref(value);
		return;
	}
	json_object_set_new(parent, leaf, value ? value : json_null());
	if (value)
		return;
	why = json_object_get(rt, "unavailable");
	if (!json_is_object(why)) {
		why = json_object();
		json_object_set_new(rt, "unavailable", why);
	}
	json_object_set_new(why, path, json_string_lossy(why_unknown ? why_unknown : "not reported"));
}
