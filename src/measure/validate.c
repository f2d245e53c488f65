/* Validation of measured figures read from an untrusted facts document:
 * facts.accelerators[i].measured (called from the accelerators validator)
 * and facts.measurement (the probe section, src/probe/measure.c). Every
 * member is type- and range-checked, and the remanence counts must be
 * consistent, so the checks can trust what they read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/accdb.h"
#include "core/json.h"
#include "core/util.h"
#include "measure/measure.h"

#define TOPS_MAX 1e7          /* TFLOPS; far beyond any chip */
#define GBS_MAX 1e6
#define BYTES_MAX ((json_int_t)1 << 50)

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int validate_precision_map(const json_t *m, const char *key, bool booleans, const char *where,
				  char *err, size_t errlen)
{
	const json_t *map = json_object_get(m, key);
	const char *name;
	json_t *v;
	char sub[160];

	if (jv_object(m, key, JV_REQUIRED, where, err, errlen))
		return -1;
	snprintf(sub, sizeof(sub), "%s.%s", where, key);
	json_object_foreach((json_t *)map, name, v) {
		if (precision_from_name(name) < 0)
			return fail(err, errlen, "%s.%s: not a precision (%s)", sub, name,
				    "fp64, fp32, tf32, bf16, fp16, fp8, int8, int4, fp4");
		if (booleans ? jv_boolean(map, name, JV_NULLABLE, sub, err, errlen)
			     : jv_number(map, name, JV_NULLABLE, 0, TOPS_MAX, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_string_list(const json_t *obj, const char *key, int flags, const char *where, char *err,
				size_t errlen)
{
	const json_t *list = json_object_get(obj, key);

	if (jv_string_array(obj, key, flags, 4096, where, err, errlen))
		return -1;
	if (json_array_size(list) > 1000)
		return fail(err, errlen, "%s.%s: more than 1000 entries", where, key);
	return 0;
}

static int validate_samples(const json_t *m, const char *where, char *err, size_t errlen)
{
	const json_t *list = json_object_get(m, "clock_samples");
	size_t i;
	json_t *s;

	if (jv_array(m, "clock_samples", JV_NULLABLE, where, err, errlen))
		return -1;
	if (json_array_size(list) > 1000)
		return fail(err, errlen, "%s.clock_samples: more than 1000 samples", where);
	json_array_foreach(list, i, s) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.clock_samples[%zu]", where, i);
		if (!json_is_object(s))
			return fail(err, errlen, "%s: expected an object", sub);
		if (jv_number(s, "t_s", JV_REQUIRED, 0, 1e7, sub, err, errlen) ||
		    jv_string(s, "phase", JV_NULLABLE, 64, sub, err, errlen) ||
		    jv_number(s, "sm_clock_mhz", JV_NULLABLE, 0, 1e5, sub, err, errlen) ||
		    jv_number(s, "memory_clock_mhz", JV_NULLABLE, 0, 1e5, sub, err, errlen) ||
		    jv_number(s, "power_w", JV_NULLABLE, 0, 1e5, sub, err, errlen) ||
		    jv_string_array(s, "reasons", JV_REQUIRED, 64, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_region(const json_t *rem, const char *key, const char *where, char *err, size_t errlen)
{
	const json_t *r = json_object_get(rem, key);
	json_int_t examined, canary, nonzero, first;
	const char *sample;
	char sub[160];

	if (jv_object(rem, key, JV_NULLABLE, where, err, errlen))
		return -1;
	if (r == NULL || json_is_null(r))
		return 0;
	snprintf(sub, sizeof(sub), "%s.%s", where, key);
	if (jv_integer(r, "bytes_examined", JV_REQUIRED, 1, BYTES_MAX, sub, err, errlen) ||
	    jv_integer(r, "canary_bytes", JV_REQUIRED, 0, BYTES_MAX, sub, err, errlen) ||
	    jv_integer(r, "nonzero_bytes", JV_REQUIRED, 0, BYTES_MAX, sub, err, errlen) ||
	    jv_number(r, "fraction", JV_REQUIRED, 0, 1, sub, err, errlen) ||
	    jv_integer(r, "first_offset", JV_NULLABLE, 0, BYTES_MAX, sub, err, errlen) ||
	    jv_string(r, "sample", JV_NULLABLE, 64, sub, err, errlen))
		return -1;
	jint(r, "bytes_examined", &examined);
	jint(r, "canary_bytes", &canary);
	jint(r, "nonzero_bytes", &nonzero);
	if (canary > nonzero || nonzero > examined)
		return fail(err, errlen, "%s: canary_bytes <= nonzero_bytes <= bytes_examined does not hold", sub);
	sample = jstr(r, "sample");
	if (nonzero > 0 && (!jint(r, "first_offset", &first) || first >= examined))
		return fail(err, errlen, "%s.first_offset: expected an offset within the region when residue was found", sub);
	if (sample && (strlen(sample) % 2 || !is_hex_string(sample, strlen(sample))))
		return fail(err, errlen, "%s.sample: expected lowercase hex bytes", sub);
	return 0;
}

static int validate_remanence(const json_t *m, const char *where, char *err, size_t errlen)
{
	const json_t *rem = json_object_get(m, "remanence"), *w;
	char sub[160];

	if (jv_object(m, "remanence", JV_NULLABLE, where, err, errlen))
		return -1;
	if (rem == NULL || json_is_null(rem))
		return 0;
	snprintf(sub, sizeof(sub), "%s.remanence", where);
	if (jv_hex(rem, "canary", JV_REQUIRED, 8, sub, err, errlen) ||
	    jv_object(rem, "writer", JV_REQUIRED | JV_NULLABLE, sub, err, errlen) ||
	    validate_region(rem, "global", sub, err, errlen) ||
	    validate_region(rem, "shared", sub, err, errlen) ||
	    validate_string_list(rem, "errors", JV_REQUIRED, sub, err, errlen))
		return -1;
	w = json_object_get(rem, "writer");
	if (json_is_object(w)) {
		char wsub[192];
		snprintf(wsub, sizeof(wsub), "%s.writer", sub);
		if (jv_integer(w, "global_bytes", JV_REQUIRED, 0, BYTES_MAX, wsub, err, errlen) ||
		    jv_integer(w, "shared_bytes", JV_REQUIRED, 0, BYTES_MAX, wsub, err, errlen))
			return -1;
	}
	return 0;
}

int measure_validate_measured(const json_t *m, const char *where, char *err, size_t errlen)
{
	const char *cc, *method, *mode;

	if (!json_is_object(m))
		return fail(err, errlen, "%s: expected an object", where);
	if (jv_string(m, "name", JV_NULLABLE, 256, where, err, errlen) ||
	    jv_string(m, "compute_capability", JV_NULLABLE, 8, where, err, errlen) ||
	    jv_integer(m, "sm_count", JV_NULLABLE, 1, 4096, where, err, errlen) ||
	    jv_integer(m, "l2_bytes", JV_NULLABLE, 0, BYTES_MAX, where, err, errlen) ||
	    jv_integer(m, "memory_total_bytes", JV_NULLABLE, 0, BYTES_MAX, where, err, errlen) ||
	    jv_integer(m, "allocatable_bytes", JV_NULLABLE, 0, BYTES_MAX, where, err, errlen) ||
	    validate_precision_map(m, "dense_tops", false, where, err, errlen) ||
	    validate_precision_map(m, "approximate", true, where, err, errlen) ||
	    jv_string(m, "method", JV_NULLABLE, 16, where, err, errlen) ||
	    jv_integer(m, "gemm_size", JV_NULLABLE, 1, 1 << 20, where, err, errlen) ||
	    jv_number(m, "memory_copy_gbs", JV_NULLABLE, 0, GBS_MAX, where, err, errlen) ||
	    jv_number(m, "h2d_gbs", JV_NULLABLE, 0, GBS_MAX, where, err, errlen) ||
	    jv_number(m, "d2h_gbs", JV_NULLABLE, 0, GBS_MAX, where, err, errlen) ||
	    validate_samples(m, where, err, errlen) ||
	    validate_remanence(m, where, err, errlen) ||
	    jv_string(m, "mode", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_number(m, "duration_s", JV_NULLABLE, 0, 1e7, where, err, errlen) ||
	    validate_string_list(m, "errors", JV_REQUIRED, where, err, errlen))
		return -1;
	cc = jstr(m, "compute_capability");
	if (cc) {
		unsigned major, minor;
		char end;
		if (sscanf(cc, "%2u.%1u%c", &major, &minor, &end) != 2 || major == 0 || strchr(cc, '+') || strchr(cc, '-') ||
		    strchr(cc, ' '))
			return fail(err, errlen, "%s.compute_capability: expected \"MAJOR.MINOR\" (\"9.0\")", where);
	}
	method = jstr(m, "method");
	if (method && strcmp(method, "cublaslt") != 0 && strcmp(method, "ptx") != 0)
		return fail(err, errlen, "%s.method: expected \"cublaslt\", \"ptx\" or null", where);
	mode = jstr(m, "mode");
	if (measure_mode_from_name(mode) < 0)
		return fail(err, errlen, "%s.mode: expected \"quick\", \"standard\" or \"thorough\"", where);
	return 0;
}
