/* Workload files: see workload.h and docs/justify.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/accdb.h"
#include "core/error.h"
#include "core/json.h"
#include "core/util.h"
#include "parse/workload.h"

/* The ranges: wide enough for any real model (the largest published have a
 * few trillion parameters), narrow enough that a typo (a count given in
 * bytes, an exponent too many) is refused rather than sized. */
struct range {
	const char *key;
	double min, max;
	bool integer;
	size_t offset;
};

#define FIELD(KEY, MIN, MAX, INT, MEMBER) { KEY, MIN, MAX, INT, offsetof(struct workload, MEMBER) }

static const struct range required_ranges[] = {
	FIELD("parameters", 1e6, 1e15, false, parameters),
	FIELD("context_tokens", 1, 1e8, true, context_tokens),
	FIELD("batch", 1, 1e7, true, batch),
};

static const struct range optional_ranges[] = {
	FIELD("layers", 1, 10000, true, layers),
	FIELD("hidden_size", 1, 1e6, true, hidden_size),
	FIELD("kv_heads", 1, 10000, true, kv_heads),
	FIELD("head_dim", 1, 100000, true, head_dim),
	FIELD("target_tokens_per_s", 1e-3, 1e12, false, target_tokens_per_s),
	FIELD("max_units", 1, 1e7, true, max_units),
	FIELD("memory_reserve_percent", 0, 90, false, memory_reserve),
};

static const char *const members[] = {
	"schema", "name", "description", "source", "kind", "parameters", "precision", "layers", "hidden_size",
	"kv_heads", "head_dim", "context_tokens", "batch", "target_tokens_per_s", "max_units",
	"memory_reserve_percent",
};

double precision_bytes(int precision)
{
	static const double bytes[PREC_COUNT] = {
		[PREC_FP64] = 8, [PREC_FP32] = 4, [PREC_TF32] = 4, [PREC_BF16] = 2, [PREC_FP16] = 2,
		[PREC_FP8] = 1, [PREC_INT8] = 1, [PREC_INT4] = 0.5, [PREC_FP4] = 0.5,
	};
	return precision >= 0 && precision < PREC_COUNT ? bytes[precision] : NAN;
}

static int read_number(const json_t *doc, const struct range *r, int flags, const char *name, struct workload *w,
		       char *err, size_t errlen)
{
	double *slot = (double *)((char *)w + r->offset);
	const json_t *v = json_object_get(doc, r->key);

	if (jv_number(doc, r->key, flags, r->min, r->max, name, err, errlen) != 0)
		return -1;
	if (v == NULL || json_is_null(v))
		return 0;
	*slot = json_number_value(v);
	if (r->integer && *slot != floor(*slot)) {
		snprintf(err, errlen, "%s.%s: %g is not a whole number", name, r->key, *slot);
		return -1;
	}
	return 0;
}

static int read_text(const json_t *doc, const char *key, int flags, char *out, size_t size, const char *name,
		     char *err, size_t errlen)
{
	const char *s;

	if (jv_string(doc, key, flags, size - 1, name, err, errlen) != 0)
		return -1;
	s = jstr(doc, key);
	if (s != NULL && !str_is_printable(s)) {
		snprintf(err, errlen, "%s.%s: control characters are not allowed", name, key);
		return -1;
	}
	snprintf(out, size, "%s", s ? s : "");
	return 0;
}

static int read_enums(const json_t *doc, const char *name, struct workload *w, char *err, size_t errlen)
{
	const char *kind, *prec;

	if (jv_string(doc, "kind", JV_REQUIRED, 16, name, err, errlen) != 0 ||
	    jv_string(doc, "precision", JV_REQUIRED, 16, name, err, errlen) != 0)
		return -1;
	kind = jstr(doc, "kind");
	if (strcmp(kind, "inference") == 0) {
		w->kind = WORKLOAD_INFERENCE;
	} else if (strcmp(kind, "training") == 0) {
		w->kind = WORKLOAD_TRAINING;
	} else {
		snprintf(err, errlen, "%s.kind: \"%.16s\" is neither \"inference\" nor \"training\"", name, kind);
		return -1;
	}
	prec = jstr(doc, "precision");
	w->precision = precision_from_name(prec);
	if (w->precision < 0) {
		snprintf(err, errlen, "%s.precision: \"%.16s\" is not one of fp64 fp32 tf32 bf16 fp16 fp8 int8 int4 fp4",
			 name, prec);
		return -1;
	}
	return 0;
}

static int validate(const json_t *doc, const char *name, struct workload *w, char *err, size_t errlen)
{
	const char *schema;

	memset(w, 0, sizeof(*w));
	w->layers = w->hidden_size = w->kv_heads = w->head_dim = NAN;
	w->target_tokens_per_s = w->max_units = NAN;
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: expected a JSON object (a workload, docs/justify.md)", name);
		return CA_ERR_DATA;
	}
	if (jv_only_members(doc, members, ARRAY_SIZE(members), name, err, errlen) != 0 ||
	    jv_string(doc, "schema", JV_REQUIRED, 64, name, err, errlen) != 0)
		return CA_ERR_DATA;
	schema = jstr(doc, "schema");
	if (strcmp(schema, WORKLOAD_SCHEMA) != 0) {
		snprintf(err, errlen, "%s.schema: \"%.64s\" is not %s", name, schema, WORKLOAD_SCHEMA);
		return CA_ERR_DATA;
	}
	if (read_text(doc, "name", JV_REQUIRED, w->name, sizeof(w->name), name, err, errlen) != 0 ||
	    read_text(doc, "description", 0, w->description, sizeof(w->description), name, err, errlen) != 0 ||
	    read_text(doc, "source", 0, w->source, sizeof(w->source), name, err, errlen) != 0 ||
	    read_enums(doc, name, w, err, errlen) != 0)
		return CA_ERR_DATA;
	for (size_t i = 0; i < ARRAY_SIZE(required_ranges); i++)
		if (read_number(doc, &required_ranges[i], JV_REQUIRED, name, w, err, errlen) != 0)
			return CA_ERR_DATA;
	for (size_t i = 0; i < ARRAY_SIZE(optional_ranges); i++)
		if (read_number(doc, &optional_ranges[i], 0, name, w, err, errlen) != 0)
			return CA_ERR_DATA;
	w->memory_reserve /= 100;
	if (w->name[0] == '\0') {
		snprintf(err, errlen, "%s.name: empty", name);
		return CA_ERR_DATA;
	}
	return 0;
}

int workload_from_json(const json_t *doc, const char *name, struct workload *w, char *err, size_t errlen)
{
	int rc = validate(doc, name, w, err, errlen);

	/* the error quotes member names from the file */
	if (rc != 0 && errlen > 0)
		text_one_line(err);
	return rc;
}

int workload_parse(const char *buf, size_t len, const char *name, struct workload *w, char *err, size_t errlen)
{
	json_t *doc;
	int rc;

	if (len > WORKLOAD_MAX_BYTES) {
		snprintf(err, errlen, "%s: %zu bytes, more than a workload's %u", name, len, WORKLOAD_MAX_BYTES);
		return CA_ERR_DATA;
	}
	doc = json_parse_strict(buf, len, name, err, errlen);
	if (doc == NULL) {
		text_one_line(err);
		return CA_ERR_DATA;
	}
	rc = workload_from_json(doc, name, w, err, errlen);
	json_decref(doc);
	return rc;
}
