#include "accdb.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "json.h"
#include "util.h"

const char *const precision_names[PREC_COUNT] = {
	"fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4", "fp4",
};

int precision_from_name(const char *name)
{
	for (int i = 0; i < PREC_COUNT; i++)
		if (strcmp(precision_names[i], name) == 0)
			return i;
	return -1;
}

#define MODELS_FILE "data/accelerators.json"
#define VENDORS_FILE "data/vendors.json"
#define MAX_NAME 128

static double number_or_nan(const json_t *obj, const char *key)
{
	double d;
	return jnum(obj, key, &d) ? d : NAN;
}

static int parse_hex16(const char *s, uint16_t *out)
{
	uint32_t v;
	if (!is_hex_string(s, 4) || parse_hex_u32(s, 0xffff, &v) != 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* Validate the figures of one model; WHERE is "models[i]". */
static int validate_model_figures(const json_t *m, const char *where, char *err, size_t errlen)
{
	static const char *const figures[] = {
		"compute_units", "memory_gb", "memory_bandwidth_gbs", "interconnect_bandwidth_gbs",
		"die_area_mm2", "logic_dies", "tdp_w",
	};
	const json_t *tops;
	char sub[96];

	for (size_t i = 0; i < ARRAY_SIZE(figures); i++)
		if (jv_number(m, figures[i], JV_REQUIRED | JV_NULLABLE, 0, 1e7, where, err, errlen))
			return -1;
	if (jv_object(m, "dense_tops", JV_REQUIRED, where, err, errlen))
		return -1;
	tops = json_object_get(m, "dense_tops");
	snprintf(sub, sizeof(sub), "%s.dense_tops", where);
	for (int p = 0; p < PREC_COUNT; p++)
		if (jv_number(tops, precision_names[p], JV_REQUIRED | JV_NULLABLE, 0, 1e7, sub, err, errlen))
			return -1;
	return 0;
}

static int validate_model(const json_t *m, const char *where, char *err, size_t errlen)
{
	if (!json_is_object(m)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(m, "name", JV_REQUIRED, MAX_NAME, where, err, errlen) ||
	    jv_string_array(m, "other_names", 0, MAX_NAME, where, err, errlen) ||
	    jv_string(m, "vendor", JV_REQUIRED, MAX_NAME, where, err, errlen) ||
	    jv_hex(m, "vendor_id", JV_REQUIRED | JV_NULLABLE, 4, where, err, errlen) ||
	    jv_string_array(m, "device_ids", JV_REQUIRED, 4, where, err, errlen) ||
	    jv_string(m, "architecture", JV_NULLABLE, MAX_NAME, where, err, errlen) ||
	    jv_boolean(m, "datacenter", JV_REQUIRED | JV_NULLABLE, where, err, errlen) ||
	    jv_string(m, "compute_unit_kind", JV_NULLABLE, 32, where, err, errlen) ||
	    jv_string(m, "variant_of", 0, MAX_NAME, where, err, errlen) ||
	    jv_object(m, "sources", JV_REQUIRED, where, err, errlen))
		return -1;
	if (json_string_length(json_object_get(m, "name")) == 0) {
		snprintf(err, errlen, "%s.name: empty", where);
		return -1;
	}
	return validate_model_figures(m, where, err, errlen);
}

static void name_key(const char *name, char *key, size_t keylen);

static char *name_key_dup(const char *name)
{
	char key[MAX_NAME + 1];
	name_key(name, key, sizeof(key));
	return xstrdup(key);
}

static int fill_model(struct accel_model *out, const json_t *m, const char *where, char *err, size_t errlen)
{
	const json_t *ids = json_object_get(m, "device_ids");
	const json_t *names = json_object_get(m, "other_names");
	const json_t *tops = json_object_get(m, "dense_tops");
	const char *vid = jstr(m, "vendor_id");
	size_t i, n_names = json_array_size(names);
	json_t *item;
	bool b;

	memset(out, 0, sizeof(*out));
	out->json = m;
	out->name = jstr(m, "name");
	out->vendor = jstr(m, "vendor");
	out->architecture = jstr(m, "architecture");
	out->compute_unit_kind = jstr(m, "compute_unit_kind");
	out->other_names = xcalloc(n_names + 1, sizeof(char *));
	out->name_keys = xcalloc(n_names + 2, sizeof(char *));
	out->name_keys[0] = name_key_dup(out->name);
	for (i = 0; i < n_names; i++) {
		out->other_names[i] = json_string_value(json_array_get(names, i));
		out->name_keys[i + 1] = name_key_dup(out->other_names[i]);
	}
	if (vid) {
		out->has_vendor_id = true;
		parse_hex16(vid, &out->vendor_id);
	} else if (json_array_size(ids) > 0) {
		snprintf(err, errlen, "%s.device_ids: device IDs without a vendor_id", where);
		return -1;
	}
	out->device_ids = xcalloc(json_array_size(ids) + 1, sizeof(uint16_t));
	json_array_foreach(ids, i, item) {
		if (parse_hex16(json_string_value(item), &out->device_ids[i]) != 0) {
			snprintf(err, errlen, "%s.device_ids[%zu]: expected 4 lowercase hex digits", where, i);
			return -1;
		}
	}
	out->device_id_count = json_array_size(ids);
	out->datacenter = jbool(m, "datacenter", &b) ? (b ? 1 : 0) : -1;
	out->compute_units = number_or_nan(m, "compute_units");
	out->memory_gb = number_or_nan(m, "memory_gb");
	out->memory_bandwidth_gbs = number_or_nan(m, "memory_bandwidth_gbs");
	out->interconnect_bandwidth_gbs = number_or_nan(m, "interconnect_bandwidth_gbs");
	out->die_area_mm2 = number_or_nan(m, "die_area_mm2");
	out->logic_dies = number_or_nan(m, "logic_dies");
	out->tdp_w = number_or_nan(m, "tdp_w");
	for (int p = 0; p < PREC_COUNT; p++)
		out->dense_tops[p] = number_or_nan(tops, precision_names[p]);
	return 0;
}

/* Names compare ignoring case, spaces, '-' and '_'. */
static void name_key(const char *name, char *key, size_t keylen)
{
	size_t o = 0;
	for (; *name && o + 1 < keylen; name++) {
		if (*name == ' ' || *name == '-' || *name == '_')
			continue;
		key[o++] = (char)tolower((unsigned char)*name);
	}
	key[o] = '\0';
}

static bool name_matches(const struct accel_model *m, const char *key)
{
	for (char **k = m->name_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* Each device ID belongs to one model, each name to one model. */
static int check_unique(const struct accdb *db, char *err, size_t errlen)
{
	for (size_t i = 0; i < db->model_count; i++) {
		const struct accel_model *a = &db->models[i];
		for (size_t d = 0; d < a->device_id_count; d++) {
			const struct accel_model *owner = accdb_by_pci(db, a->vendor_id, a->device_ids[d]);
			if (owner != a) {
				snprintf(err, errlen, "%s: device %04x:%04x listed for both \"%s\" and \"%s\"",
					 MODELS_FILE, a->vendor_id, a->device_ids[d], owner->name, a->name);
				return -1;
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (name_matches(&db->models[j], a->name_keys[0])) {
				snprintf(err, errlen, "%s: model name \"%s\" is not unique", MODELS_FILE, a->name);
				return -1;
			}
		}
	}
	return 0;
}

/* "variant_of" names a model that owns PCI IDs; the variant has none of its
 * own (it is told apart by the name its driver gives, never by discovery),
 * and a variant of a variant is refused. */
static int resolve_variants(struct accdb *db, char *err, size_t errlen)
{
	for (size_t i = 0; i < db->model_count; i++) {
		struct accel_model *m = &db->models[i];
		const char *of = jstr(m->json, "variant_of");
		const struct accel_model *base;

		if (!of)
			continue;
		base = accdb_by_name(db, of);
		if (!base || base == m) {
			snprintf(err, errlen, "%s: models[%zu].variant_of: \"%s\" is %s", MODELS_FILE, i, of,
				 base ? "the model itself" : "not a model of the file");
			return -1;
		}
		if (m->device_id_count > 0 || base->device_id_count == 0 || jstr(base->json, "variant_of")) {
			snprintf(err, errlen, "%s: models[%zu].variant_of: a variant has no device IDs of its own and "
				 "names a model that has some and is no variant itself", MODELS_FILE, i);
			return -1;
		}
		m->variant_of = base;
	}
	return 0;
}

static int load_models(struct accdb *db, char *err, size_t errlen)
{
	const json_t *models;
	char where[64], sub[256];
	size_t i;
	json_t *m;

	if (!json_is_object(db->models_json) || !json_is_string(json_object_get(db->models_json, "schema")) ||
	    strcmp(jstr(db->models_json, "schema"), "chipaudit-accelerators/1") != 0) {
		snprintf(err, errlen, "%s: not a chipaudit-accelerators/1 document", MODELS_FILE);
		return -1;
	}
	models = json_object_get(db->models_json, "models");
	if (!json_is_array(models)) {
		snprintf(err, errlen, "%s: \"models\" must be an array", MODELS_FILE);
		return -1;
	}
	db->models = xcalloc(json_array_size(models) + 1, sizeof(*db->models));
	json_array_foreach(models, i, m) {
		snprintf(where, sizeof(where), "models[%zu]", i);
		if (validate_model(m, where, sub, sizeof(sub)) != 0 ||
		    fill_model(&db->models[i], m, where, sub, sizeof(sub)) != 0) {
			db->model_count = i + 1;
			snprintf(err, errlen, "%s: %s", MODELS_FILE, sub);
			return -1;
		}
		db->model_count = i + 1;
	}
	if (check_unique(db, err, errlen) != 0)
		return -1;
	return resolve_variants(db, err, errlen);
}

static int load_vendors(struct accdb *db, char *err, size_t errlen)
{
	const json_t *vendors = json_object_get(db->vendors_json, "vendors");
	char where[64], sub[256];
	size_t i, j;
	json_t *v, *c;

	if (!json_is_array(vendors)) {
		snprintf(err, errlen, "%s: \"vendors\" must be an array", VENDORS_FILE);
		return -1;
	}
	db->vendors = xcalloc(json_array_size(vendors) + 1, sizeof(*db->vendors));
	json_array_foreach(vendors, i, v) {
		struct accel_vendor *out = &db->vendors[i];
		bool b = false;
		snprintf(where, sizeof(where), "vendors[%zu]", i);
		db->vendor_count = i + 1;
		if (!json_is_object(v) ||
		    jv_hex(v, "vendor_id", JV_REQUIRED, 4, where, sub, sizeof(sub)) ||
		    jv_string(v, "name", JV_REQUIRED, MAX_NAME, where, sub, sizeof(sub)) ||
		    jv_string_array(v, "classes", JV_REQUIRED, 4, where, sub, sizeof(sub)) ||
		    jv_boolean(v, "database_only", JV_REQUIRED, where, sub, sizeof(sub))) {
			if (!json_is_object(v))
				snprintf(sub, sizeof(sub), "%s: expected an object", where);
			snprintf(err, errlen, "%s: %s", VENDORS_FILE, sub);
			return -1;
		}
		parse_hex16(jstr(v, "vendor_id"), &out->vendor_id);
		out->name = jstr(v, "name");
		jbool(v, "database_only", &b);
		out->database_only = b;
		out->classes = xcalloc(json_array_size(json_object_get(v, "classes")) + 1, sizeof(char *));
		json_array_foreach(json_object_get(v, "classes"), j, c) {
			const char *cls = json_string_value(c);
			if (!is_hex_string(cls, 2) && !is_hex_string(cls, 4)) {
				snprintf(err, errlen, "%s: %s.classes[%zu]: expected 2 or 4 lowercase hex digits",
					 VENDORS_FILE, where, j);
				return -1;
			}
			out->classes[j] = cls;
		}
	}
	return 0;
}

static bool is_country_code(const char *s)
{
	return s && strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

/* One maker: its name as accelerators.json's "vendor" spells it, the country
 * of its headquarters (null when not sourced) and the keys of the sources
 * (vendors.json's "sources") that say so. */
static int check_maker(const json_t *sources, const json_t *m, const char *where, char *sub, size_t sublen)
{
	const json_t *country, *src, *k;
	size_t i;

	if (!json_is_object(m)) {
		snprintf(sub, sublen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(m, "name", JV_REQUIRED, MAX_NAME, where, sub, sublen) ||
	    jv_string(m, "country", JV_REQUIRED | JV_NULLABLE, 2, where, sub, sublen) ||
	    jv_string_array(m, "source", JV_REQUIRED, MAX_NAME, where, sub, sublen))
		return -1;
	country = json_object_get(m, "country");
	src = json_object_get(m, "source");
	if (!json_is_null(country) && !is_country_code(json_string_value(country))) {
		snprintf(sub, sublen, "%s.country: expected an ISO 3166 code of two capital letters, or null", where);
		return -1;
	}
	if (!json_is_null(country) && json_array_size(src) == 0) {
		snprintf(sub, sublen, "%s.source: a country needs a source", where);
		return -1;
	}
	json_array_foreach(src, i, k)
		if (!json_object_get(sources, json_string_value(k))) {
			snprintf(sub, sublen, "%s.source[%zu]: \"%s\" is not one of \"sources\"", where, i,
				 json_string_value(k));
			return -1;
		}
	return 0;
}

/* "makers" is optional: without it every maker's country is unknown. */
static int load_makers(struct accdb *db, char *err, size_t errlen)
{
	const json_t *makers = json_object_get(db->vendors_json, "makers"), *m;
	char where[64], sub[256];
	size_t i;

	if (makers == NULL)
		return 0;
	if (!json_is_array(makers)) {
		snprintf(err, errlen, "%s: \"makers\" must be an array", VENDORS_FILE);
		return -1;
	}
	json_array_foreach(makers, i, m) {
		snprintf(where, sizeof(where), "makers[%zu]", i);
		if (check_maker(json_object_get(db->vendors_json, "sources"), m, where, sub, sizeof(sub))) {
			snprintf(err, errlen, "%s: %s", VENDORS_FILE, sub);
			return -1;
		}
		for (size_t k = 0; k < db->model_count; k++)
			if (db->models[k].vendor && strcmp(db->models[k].vendor, jstr(m, "name")) == 0)
				db->models[k].maker_country = jstr(m, "country");
	}
	return 0;
}

int accdb_from_json(struct accdb *db, json_t *models, json_t *vendors, char *err, size_t errlen)
{
	memset(db, 0, sizeof(*db));
	db->models_json = models;
	db->vendors_json = vendors;
	if (load_models(db, err, errlen) != 0 || load_vendors(db, err, errlen) != 0 ||
	    load_makers(db, err, errlen) != 0) {
		accdb_free(db);
		return -1;
	}
	return 0;
}

int accdb_load(struct accdb *db, char *err, size_t errlen)
{
	json_t *models = data_load("accelerators.json", err, errlen);
	json_t *vendors;

	if (models == NULL)
		return -1;
	vendors = data_load("vendors.json", err, errlen);
	if (vendors == NULL) {
		json_decref(models);
		return -1;
	}
	return accdb_from_json(db, models, vendors, err, errlen);
}

void accdb_free(struct accdb *db)
{
	for (size_t i = 0; i < db->model_count; i++) {
		for (char **k = db->models[i].name_keys; k && *k; k++)
			free(*k);
		free(db->models[i].name_keys);
		free(db->models[i].other_names);
		free(db->models[i].device_ids);
	}
	for (size_t i = 0; i < db->vendor_count; i++)
		free(db->vendors[i].classes);
	free(db->models);
	free(db->vendors);
	json_decref(db->models_json);
	json_decref(db->vendors_json);
	memset(db, 0, sizeof(*db));
}

const struct accel_model *accdb_for_accelerator(const struct accdb *db, const json_t *acc)
{
	uint32_t vendor, device;

	if (db == NULL || acc == NULL || jstr(acc, "vendor_id") == NULL || jstr(acc, "device_id") == NULL ||
	    parse_hex_u32(jstr(acc, "vendor_id"), 0xffff, &vendor) != 0 ||
	    parse_hex_u32(jstr(acc, "device_id"), 0xffff, &device) != 0)
		return NULL;
	return accdb_by_pci(db, (uint16_t)vendor, (uint16_t)device);
}

const struct accel_model *accdb_by_pci(const struct accdb *db, uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < db->model_count; i++) {
		const struct accel_model *m = &db->models[i];
		if (!m->has_vendor_id || m->vendor_id != vendor)
			continue;
		for (size_t d = 0; d < m->device_id_count; d++)
			if (m->device_ids[d] == device)
				return m;
	}
	return NULL;
}

const struct accel_model *accdb_by_name(const struct accdb *db, const char *name)
{
	char key[MAX_NAME + 1];

	if (strlen(name) > MAX_NAME)
		return NULL;
	name_key(name, key, sizeof(key));
	for (size_t i = 0; i < db->model_count; i++)
		if (name_matches(&db->models[i], key))
			return &db->models[i];
	return NULL;
}

/* Levenshtein distance on normalised names, bounded to short strings. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[MAX_NAME + 2], cur[MAX_NAME + 2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

static size_t model_distance(const struct accel_model *m, const char *key)
{
	size_t best = SIZE_MAX;

	/* a name containing the query ("h100" in "h100sxm") is closest: "H10"
	 * suggests the H100 models before the A10, one letter away */
	for (char **k = m->name_keys; *k; k++) {
		size_t d = strstr(*k, key) ? 0 : edit_distance(*k, key);
		if (d < best)
			best = d;
	}
	return best;
}

size_t accdb_close_matches(const struct accdb *db, const char *name,
			   const struct accel_model **out, size_t max)
{
	char key[MAX_NAME + 1];
	size_t n = 0, limit;

	if (strlen(name) > MAX_NAME || max == 0)
		return 0;
	name_key(name, key, sizeof(key));
	limit = strlen(key) / 2 + 1;
	for (size_t dist = 0; dist <= limit && n < max; dist++)
		for (size_t i = 0; i < db->model_count && n < max; i++)
			if (model_distance(&db->models[i], key) == dist)
				out[n++] = &db->models[i];
	return n;
}

const struct accel_vendor *accdb_vendor(const struct accdb *db, uint16_t vendor)
{
	for (size_t i = 0; i < db->vendor_count; i++)
		if (db->vendors[i].vendor_id == vendor)
			return &db->vendors[i];
	return NULL;
}

static bool class_matches(const char *prefix, uint32_t class_code)
{
	char cls[8];
	snprintf(cls, sizeof(cls), "%04x", (class_code >> 8) & 0xffff);
	return strncmp(cls, prefix, strlen(prefix)) == 0;
}

/* A processing accelerator (class 12) or a 3D controller (class 0302): what
 * every AI accelerator seen so far declares, of any vendor. A vendor that
 * data/vendors.json does not know is still an accelerator by its class. */
static bool accelerator_class(uint32_t class_code)
{
	return (class_code >> 16) == 0x12 || (class_code >> 8) == 0x0302;
}

bool accdb_is_accelerator(const struct accdb *db, uint16_t vendor, uint16_t device, uint32_t class_code)
{
	const struct accel_vendor *v = accdb_vendor(db, vendor);

	if (accdb_by_pci(db, vendor, device) != NULL || accelerator_class(class_code))
		return true;
	if (v == NULL || v->database_only)
		return false;
	for (const char **c = v->classes; *c; c++)
		if (class_matches(*c, class_code))
			return true;
	return false;
}
