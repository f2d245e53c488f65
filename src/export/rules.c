/* Loading and validating the export-control data: data/export-rules.json
 * and data/country-groups.json. Both can be replaced with --data-dir, so
 * every member is checked (type, range, references between the two files)
 * before the classifier walks them without further checks. */
#include <stdio.h>
#include <string.h>

#include "core/data.h"
#include "core/json.h"
#include "core/util.h"
#include "export/export.h"

#define MAX_TEXT 4096
#define MAX_ID 64
#define MAX_LIST 512

static const char *const metrics[] = {
	"tpp", "performance_density", "interconnect_bandwidth_gbs", "memory_bandwidth_gbs",
	"hbm_bandwidth_density",
};
static const char *const ops[] = { ">=", ">", "<", "<=" };
static const char *const eccns[] = { "3A090.a", "3A090.b", "3A090.c" };

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static int fail(char *err, size_t errlen, const char *where, const char *key, const char *problem)
{
	snprintf(err, errlen, "%s%s%s: %s", where, key ? "." : "", key ? key : "", problem);
	return -1;
}

static bool is_country_code(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

bool export_date_valid(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* A string member that is a date. */
static int jv_date(const json_t *obj, const char *key, const char *where, char *err, size_t errlen)
{
	if (jv_string(obj, key, JV_REQUIRED, 10, where, err, errlen))
		return -1;
	if (!export_date_valid(jstr(obj, key)))
		return fail(err, errlen, where, key, "expected a date YYYY-MM-DD");
	return 0;
}

/* Array KEY of strings, each accepted by ok(); FLAGS as jv_*. */
static int jv_list(const json_t *obj, const char *key, int flags, bool (*ok)(const char *, const void *),
		   const void *arg, const char *what, const char *where, char *err, size_t errlen)
{
	const json_t *list = json_object_get(obj, key);
	size_t i;
	json_t *item;

	if (jv_string_array(obj, key, flags, MAX_TEXT, where, err, errlen))
		return -1;
	if (json_array_size(list) > MAX_LIST)
		return fail(err, errlen, where, key, "too many entries");
	json_array_foreach(list, i, item) {
		if (ok && !ok(json_string_value(item), arg)) {
			snprintf(err, errlen, "%s.%s[%zu]: \"%s\" is not %s", where, key, i,
				 json_string_value(item), what);
			return -1;
		}
	}
	return 0;
}

static bool ok_country(const char *s, const void *groups)
{
	return is_country_code(s) && json_object_get(json_object_get(groups, "countries"), s) != NULL;
}

static bool ok_nonempty(const char *s, const void *arg)
{
	(void)arg;
	return s[0] != '\0';
}

/* ---- data/country-groups.json ---- */

static int validate_sources(const json_t *doc, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *src;

	if (jv_object(doc, "sources", JV_REQUIRED, where, err, errlen))
		return -1;
	json_object_foreach((json_t *)json_object_get(doc, "sources"), key, src) {
		char sub[96];
		snprintf(sub, sizeof(sub), "sources.%.64s", key);
		if (!json_is_object(src))
			return fail(err, errlen, sub, NULL, "expected an object");
		if (jv_string(src, "title", JV_REQUIRED, MAX_TEXT, sub, err, errlen) ||
		    jv_string(src, "url", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, sub, err, errlen))
			return -1;
	}
	return 0;
}

static bool ok_source(const char *s, const void *doc)
{
	return json_object_get(json_object_get(doc, "sources"), s) != NULL;
}

static int validate_countries(const json_t *doc, char *err, size_t errlen)
{
	const char *code;
	json_t *name;

	if (jv_object(doc, "countries", JV_REQUIRED, "country_groups", err, errlen))
		return -1;
	if (json_object_size(json_object_get(doc, "countries")) == 0)
		return fail(err, errlen, "countries", NULL, "empty");
	json_object_foreach((json_t *)json_object_get(doc, "countries"), code, name) {
		if (!is_country_code(code)) {
			snprintf(err, errlen, "countries: \"%.16s\" is not a two-letter upper-case code", code);
			return -1;
		}
		if (!json_is_string(name) || json_string_length(name) == 0 || json_string_length(name) > 128) {
			snprintf(err, errlen, "countries.%s: expected a name", code);
			return -1;
		}
	}
	return jv_list(doc, "country_sources", JV_REQUIRED, ok_source, doc, "a source key", "country_groups", err, errlen);
}

static int validate_aliases(const json_t *doc, char *err, size_t errlen)
{
	const char *code;
	json_t *alias;

	if (jv_object(doc, "aliases", JV_REQUIRED, "country_groups", err, errlen))
		return -1;
	json_object_foreach((json_t *)json_object_get(doc, "aliases"), code, alias) {
		char where[32];
		snprintf(where, sizeof(where), "aliases.%.8s", code);
		if (!ok_country(code, doc))
			return fail(err, errlen, where, NULL, "not a code listed in countries");
		if (!json_is_object(alias))
			return fail(err, errlen, where, NULL, "expected an object");
		if (jv_string(alias, "as", JV_REQUIRED, 2, where, err, errlen) ||
		    jv_string(alias, "note", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
		    jv_list(alias, "sources", JV_REQUIRED, ok_source, doc, "a source key", where, err, errlen))
			return -1;
		if (!ok_country(jstr(alias, "as"), doc) || json_object_get(json_object_get(doc, "aliases"), jstr(alias, "as")))
			return fail(err, errlen, where, "as", "not a country code listed in countries (and not itself an alias)");
	}
	return 0;
}

static int validate_group(const json_t *doc, const json_t *g, size_t i, char *err, size_t errlen)
{
	static const char *const statuses[] = { "confirmed", "secondary", "unconfirmed" };
	char where[32];
	const json_t *groups = json_object_get(doc, "groups");

	snprintf(where, sizeof(where), "groups[%zu]", i);
	if (!json_is_object(g))
		return fail(err, errlen, where, NULL, "expected an object");
	if (jv_string(g, "id", JV_REQUIRED, 8, where, err, errlen) ||
	    jv_string(g, "title", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_string(g, "status", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_list(g, "members", JV_REQUIRED, ok_country, doc, "a code listed in countries", where, err, errlen) ||
	    jv_list(g, "uncertain", JV_REQUIRED, ok_country, doc, "a code listed in countries", where, err, errlen) ||
	    jv_list(g, "sources", JV_REQUIRED, ok_source, doc, "a source key", where, err, errlen) ||
	    jv_string_array(g, "notes", JV_REQUIRED, MAX_TEXT, where, err, errlen))
		return -1;
	if (!in_list(jstr(g, "status"), statuses, ARRAY_SIZE(statuses)))
		return fail(err, errlen, where, "status", "expected confirmed, secondary or unconfirmed");
	if (jstr(g, "id")[0] == '\0')
		return fail(err, errlen, where, "id", "empty");
	for (size_t j = 0; j < i; j++)
		if (strcmp(jstr(json_array_get(groups, j), "id"), jstr(g, "id")) == 0)
			return fail(err, errlen, where, "id", "listed twice");
	return 0;
}

int country_groups_validate(const json_t *doc, char *err, size_t errlen)
{
	const json_t *groups;
	size_t i;
	json_t *g;

	if (!json_is_object(doc) || !jstr(doc, "schema") || strcmp(jstr(doc, "schema"), "chipaudit-country-groups/1") != 0)
		return fail(err, errlen, "schema", NULL, "not a chipaudit-country-groups/1 document");
	if (jv_date(doc, "as_of", "country_groups", err, errlen) ||
	    validate_sources(doc, "country_groups", err, errlen) ||
	    validate_countries(doc, err, errlen) ||
	    validate_aliases(doc, err, errlen) ||
	    jv_array(doc, "groups", JV_REQUIRED, "country_groups", err, errlen))
		return -1;
	groups = json_object_get(doc, "groups");
	if (json_array_size(groups) > 64)
		return fail(err, errlen, "groups", NULL, "too many groups");
	json_array_foreach(groups, i, g)
		if (validate_group(doc, g, i, err, errlen))
			return -1;
	return 0;
}

/* ---- data/export-rules.json ---- */

struct rules_ctx {
	const json_t *rules;
	const json_t *groups;
};

static bool ok_group(const char *s, const void *groups)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(groups, "groups"), i, g)
		if (strcmp(jstr(g, "id"), s) == 0)
			return true;
	return false;
}

static bool ok_eccn(const char *s, const void *arg)
{
	(void)arg;
	return in_list(s, eccns, ARRAY_SIZE(eccns));
}

static bool ok_eccn_or_none(const char *s, const void *arg)
{
	return strcmp(s, "none") == 0 || ok_eccn(s, arg);
}

static int validate_conditions(const json_t *obj, const char *key, int flags, const char *where,
			       char *err, size_t errlen)
{
	const json_t *list = json_object_get(obj, key);
	size_t i;
	json_t *c;

	if (jv_array(obj, key, flags, where, err, errlen))
		return -1;
	if (list == NULL || json_is_null(list))
		return 0;
	if (json_array_size(list) == 0 || json_array_size(list) > 8)
		return fail(err, errlen, where, key, "expected 1 to 8 conditions");
	json_array_foreach(list, i, c) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
		if (!json_is_object(c))
			return fail(err, errlen, sub, NULL, "expected an object");
		if (jv_string(c, "metric", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_string(c, "op", JV_REQUIRED, 2, sub, err, errlen) ||
		    jv_number(c, "value", JV_REQUIRED, 0, 1e9, sub, err, errlen))
			return -1;
		if (!in_list(jstr(c, "metric"), metrics, ARRAY_SIZE(metrics)))
			return fail(err, errlen, sub, "metric", "unknown metric");
		if (!in_list(jstr(c, "op"), ops, ARRAY_SIZE(ops)))
			return fail(err, errlen, sub, "op", "expected >=, >, < or <=");
	}
	return 0;
}

static int validate_destinations(const struct rules_ctx *c, const json_t *obj, const char *key, int flags,
				 const char *where, char *err, size_t errlen)
{
	static const char *const members[] = { "countries", "groups", "unless_groups", "unless_countries" };
	const json_t *d = json_object_get(obj, key);
	char sub[160];
	const char *k;
	json_t *v;

	if (jv_object(obj, key, flags, where, err, errlen))
		return -1;
	if (d == NULL || json_is_null(d))
		return 0;
	snprintf(sub, sizeof(sub), "%s.%s", where, key);
	json_object_foreach((json_t *)d, k, v) {
		(void)v;
		if (!in_list(k, members, ARRAY_SIZE(members)))
			return fail(err, errlen, sub, k, "unknown member");
	}
	if (jv_list(d, "countries", 0, ok_country, c->groups, "a country code of data/country-groups.json", sub, err, errlen) ||
	    jv_list(d, "unless_countries", 0, ok_country, c->groups, "a country code of data/country-groups.json", sub, err, errlen) ||
	    jv_list(d, "groups", 0, ok_group, c->groups, "a group of data/country-groups.json", sub, err, errlen) ||
	    jv_list(d, "unless_groups", 0, ok_group, c->groups, "a group of data/country-groups.json", sub, err, errlen))
		return -1;
	return 0;
}

static int validate_paragraph(const json_t *p, const char *where, bool exclusion, char *err, size_t errlen)
{
	static const char *const kinds[] = { "logic", "memory" };

	if (!json_is_object(p))
		return fail(err, errlen, where, NULL, "expected an object");
	if (jv_string(p, "id", JV_REQUIRED, MAX_ID, where, err, errlen) ||
	    jv_string(p, "kind", JV_REQUIRED, 8, where, err, errlen) ||
	    jv_string(p, "text", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    validate_conditions(p, "conditions", JV_REQUIRED, where, err, errlen))
		return -1;
	if (!in_list(jstr(p, "kind"), kinds, ARRAY_SIZE(kinds)))
		return fail(err, errlen, where, "kind", "expected logic or memory");
	if (exclusion)
		return jv_boolean(p, "datacenter", JV_REQUIRED, where, err, errlen);
	if (jv_string(p, "eccn", JV_REQUIRED, 16, where, err, errlen))
		return -1;
	if (!ok_eccn(jstr(p, "eccn"), NULL))
		return fail(err, errlen, where, "eccn", "expected 3A090.a, 3A090.b or 3A090.c");
	if (strncmp(jstr(p, "id"), jstr(p, "eccn"), strlen(jstr(p, "eccn"))) != 0)
		return fail(err, errlen, where, "id", "does not start with its eccn");
	return 0;
}

static int validate_objects(const struct rules_ctx *c, const json_t *obj, const char *key, const char *where,
			    int (*each)(const struct rules_ctx *, const json_t *, const char *, char *, size_t),
			    char *err, size_t errlen)
{
	size_t i;
	json_t *item;

	if (jv_array(obj, key, JV_REQUIRED, where, err, errlen))
		return -1;
	if (json_array_size(json_object_get(obj, key)) > 32)
		return fail(err, errlen, where, key, "too many entries");
	json_array_foreach(json_object_get(obj, key), i, item) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
		if (!json_is_object(item))
			return fail(err, errlen, sub, NULL, "expected an object");
		if (each(c, item, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int each_paragraph(const struct rules_ctx *c, const json_t *p, const char *where, char *err, size_t errlen)
{
	(void)c;
	return validate_paragraph(p, where, false, err, errlen);
}

static int each_exclusion(const struct rules_ctx *c, const json_t *p, const char *where, char *err, size_t errlen)
{
	(void)c;
	return validate_paragraph(p, where, true, err, errlen);
}

static int each_policy(const struct rules_ctx *c, const json_t *p, const char *where, char *err, size_t errlen)
{
	return validate_destinations(c, p, "destinations", 0, where, err, errlen) ||
	       jv_string(p, "policy", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, where, err, errlen);
}

static int each_override(const struct rules_ctx *c, const json_t *o, const char *where, char *err, size_t errlen)
{
	return jv_string(o, "id", JV_REQUIRED, MAX_ID, where, err, errlen) ||
	       jv_list(o, "eccns", JV_REQUIRED, ok_eccn, NULL, "an ECCN paragraph", where, err, errlen) ||
	       validate_destinations(c, o, "destinations", JV_REQUIRED, where, err, errlen) ||
	       validate_conditions(o, "conditions", JV_REQUIRED, where, err, errlen) ||
	       jv_string(o, "policy", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	       jv_string(o, "caveat", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, where, err, errlen);
}

static int each_exception(const struct rules_ctx *c, const json_t *e, const char *where, char *err, size_t errlen)
{
	return jv_string(e, "name", JV_REQUIRED, MAX_ID, where, err, errlen) ||
	       jv_list(e, "eccns", JV_REQUIRED, ok_eccn, NULL, "an ECCN paragraph", where, err, errlen) ||
	       jv_list(e, "non_datacenter_eccns", JV_REQUIRED, ok_eccn, NULL, "an ECCN paragraph", where, err, errlen) ||
	       validate_destinations(c, e, "destinations", 0, where, err, errlen) ||
	       validate_conditions(e, "conditions", 0, where, err, errlen) ||
	       jv_string(e, "text", JV_REQUIRED, MAX_TEXT, where, err, errlen);
}

static int validate_licence(const struct rules_ctx *c, const json_t *rs, const char *where, char *err, size_t errlen)
{
	const json_t *lic = json_object_get(rs, "licence");
	char sub[128];

	if (jv_object(rs, "licence", JV_REQUIRED, where, err, errlen))
		return -1;
	snprintf(sub, sizeof(sub), "%s.licence", where);
	if (jv_list(lic, "eccns", JV_REQUIRED, ok_eccn, NULL, "an ECCN paragraph", sub, err, errlen) ||
	    validate_destinations(c, lic, "destinations", JV_REQUIRED, sub, err, errlen) ||
	    validate_objects(c, lic, "policies", sub, each_policy, err, errlen) ||
	    jv_list(lic, "unconfirmed_eccns", JV_REQUIRED, ok_eccn, NULL, "an ECCN paragraph", sub, err, errlen) ||
	    jv_string(lic, "unconfirmed_note", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, sub, err, errlen) ||
	    jv_string(lic, "end_user_note", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, sub, err, errlen))
		return -1;
	/* The last policy is the default for the rest of the destinations. */
	if (json_array_size(json_object_get(lic, "policies")) == 0)
		return fail(err, errlen, sub, "policies", "expected at least a default policy");
	if (json_object_get(json_array_get(json_object_get(lic, "policies"),
					   json_array_size(json_object_get(lic, "policies")) - 1), "destinations"))
		return fail(err, errlen, sub, "policies", "the last policy is the default and has no destinations");
	return 0;
}

static int validate_rule_set(const struct rules_ctx *c, const json_t *rs, size_t i, char *err, size_t errlen)
{
	const json_t *sets = json_object_get(c->rules, "rule_sets");
	char where[32];

	snprintf(where, sizeof(where), "rule_sets[%zu]", i);
	if (!json_is_object(rs))
		return fail(err, errlen, where, NULL, "expected an object");
	if (jv_string(rs, "id", JV_REQUIRED, 32, where, err, errlen) ||
	    jv_string(rs, "title", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_string(rs, "citation", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_date(rs, "in_force", where, err, errlen) ||
	    jv_list(rs, "sources", JV_REQUIRED, ok_source, c->rules, "a source key", where, err, errlen) ||
	    jv_string(rs, "caveat", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, where, err, errlen) ||
	    validate_objects(c, rs, "paragraphs", where, each_paragraph, err, errlen) ||
	    validate_objects(c, rs, "exclusions", where, each_exclusion, err, errlen) ||
	    validate_licence(c, rs, where, err, errlen) ||
	    validate_objects(c, rs, "review_overrides", where, each_override, err, errlen) ||
	    validate_objects(c, rs, "license_exceptions", where, each_exception, err, errlen) ||
	    jv_string_array(rs, "notes", JV_REQUIRED, MAX_TEXT, where, err, errlen))
		return -1;
	if (jstr(rs, "id")[0] == '\0' || strcmp(jstr(rs, "id"), "none") == 0)
		return fail(err, errlen, where, "id", "empty or reserved");
	if (json_array_size(json_object_get(rs, "paragraphs")) == 0)
		return fail(err, errlen, where, "paragraphs", "empty");
	for (size_t j = 0; j < i; j++) {
		const json_t *prev = json_array_get(sets, j);
		if (strcmp(jstr(prev, "id"), jstr(rs, "id")) == 0)
			return fail(err, errlen, where, "id", "listed twice");
		if (strcmp(jstr(prev, "in_force"), jstr(rs, "in_force")) >= 0)
			return fail(err, errlen, where, "in_force", "rule sets must be in increasing in_force order");
	}
	return 0;
}

static int each_notice(const struct rules_ctx *c, const json_t *n, const char *where, char *err, size_t errlen)
{
	const json_t *lic = json_object_get(n, "licence");
	char sub[160];

	if (jv_string(n, "id", JV_REQUIRED, MAX_ID, where, err, errlen) ||
	    jv_date(n, "from", where, err, errlen) ||
	    jv_string(n, "citation", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_list(n, "models", JV_REQUIRED | JV_NULLABLE, ok_nonempty, NULL, "a model name", where, err, errlen) ||
	    jv_list(n, "eccns", JV_REQUIRED | JV_NULLABLE, ok_eccn_or_none, NULL, "an ECCN paragraph or none", where, err, errlen) ||
	    jv_object(n, "licence", JV_REQUIRED | JV_NULLABLE, where, err, errlen) ||
	    jv_string(n, "policy", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, where, err, errlen) ||
	    validate_destinations(c, n, "policy_destinations", 0, where, err, errlen) ||
	    validate_conditions(n, "similar_any", JV_REQUIRED | JV_NULLABLE, where, err, errlen) ||
	    jv_string(n, "text", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_string(n, "caveat", JV_REQUIRED | JV_NULLABLE, MAX_TEXT, where, err, errlen) ||
	    jv_list(n, "sources", JV_REQUIRED, ok_source, c->rules, "a source key", where, err, errlen))
		return -1;
	snprintf(sub, sizeof(sub), "%s.licence", where);
	if (lic && !json_is_null(lic) && validate_destinations(c, lic, "destinations", JV_REQUIRED, sub, err, errlen))
		return -1;
	return 0;
}

static int validate_bit_lengths(const json_t *rules, char *err, size_t errlen)
{
	const json_t *bits = json_object_get(rules, "bit_lengths");

	if (jv_object(rules, "bit_lengths", JV_REQUIRED, "export_rules", err, errlen))
		return -1;
	for (int p = 0; p < PREC_COUNT; p++)
		if (jv_integer(bits, precision_names[p], JV_REQUIRED, 1, 64, "bit_lengths", err, errlen))
			return -1;
	if (json_object_size(bits) != PREC_COUNT)
		return fail(err, errlen, "bit_lengths", NULL, "unknown precision");
	return jv_string_array(rules, "bit_length_notes", JV_REQUIRED, MAX_TEXT, "export_rules", err, errlen) ||
	       jv_list(rules, "bit_length_sources", JV_REQUIRED, ok_source, rules, "a source key", "export_rules", err, errlen);
}

int export_rules_validate(const json_t *rules, const json_t *groups, char *err, size_t errlen)
{
	struct rules_ctx c = { rules, groups };
	size_t i;
	json_t *rs;

	if (!json_is_object(rules) || !jstr(rules, "schema") || strcmp(jstr(rules, "schema"), "chipaudit-export-rules/1") != 0)
		return fail(err, errlen, "schema", NULL, "not a chipaudit-export-rules/1 document");
	if (validate_sources(rules, "export_rules", err, errlen) ||
	    validate_bit_lengths(rules, err, errlen) ||
	    jv_array(rules, "rule_sets", JV_REQUIRED, "export_rules", err, errlen))
		return -1;
	if (json_array_size(json_object_get(rules, "rule_sets")) == 0 ||
	    json_array_size(json_object_get(rules, "rule_sets")) > 64)
		return fail(err, errlen, "rule_sets", NULL, "expected 1 to 64 rule sets");
	json_array_foreach(json_object_get(rules, "rule_sets"), i, rs)
		if (validate_rule_set(&c, rs, i, err, errlen))
			return -1;
	return validate_objects(&c, rules, "notices", "export_rules", each_notice, err, errlen);
}

int export_data_from_json(struct export_data *d, json_t *rules, json_t *groups, char *err, size_t errlen)
{
	char sub[512];

	memset(d, 0, sizeof(*d));
	if (country_groups_validate(groups, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", COUNTRY_GROUPS_FILE, sub);
		goto fail;
	}
	if (export_rules_validate(rules, groups, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", EXPORT_RULES_FILE, sub);
		goto fail;
	}
	d->rules = rules;
	d->groups = groups;
	return 0;
fail:
	json_decref(rules);
	json_decref(groups);
	return -1;
}

int export_data_load(struct export_data *d, char *err, size_t errlen)
{
	json_t *groups = data_load("country-groups.json", err, errlen);
	json_t *rules;

	memset(d, 0, sizeof(*d));
	if (groups == NULL)
		return -1;
	rules = data_load("export-rules.json", err, errlen);
	if (rules == NULL) {
		json_decref(groups);
		return -1;
	}
	return export_data_from_json(d, rules, groups, err, errlen);
}

void export_data_free(struct export_data *d)
{
	json_decref(d->rules);
	json_decref(d->groups);
	memset(d, 0, sizeof(*d));
}
