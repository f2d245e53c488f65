/* The collector's fleet summary, validated (fleetsummary.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "parse/fleetsummary.h"

#define COUNT_MAX 9007199254740992LL /* 2^53: exact in a double, as JSON readers keep it */

static const char *const statuses[] = { "pass", "warn", "fail", "skip", "error" };

/* A whole number from 0 to 2^53 at OBJ.KEY, into *out. */
static bool count_at(const json_t *obj, const char *key, json_int_t *out, const char *where, char *sub, size_t sublen)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > COUNT_MAX) {
		snprintf(sub, sublen, "%s.%s: expected a whole number from 0 to 2^53", where, key);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

/* A name: text of 1 to FLEET_SUMMARY_NAME_MAX bytes without control
 * characters (it is printed and may be a label). */
static bool name_at(const json_t *obj, const char *key, bool nullable, const char *where, char *sub, size_t sublen)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;

	if (nullable && json_is_null(v))
		return true;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > FLEET_SUMMARY_NAME_MAX) {
		snprintf(sub, sublen, "%s.%s: expected a name of 1 to %d bytes%s", where, key, FLEET_SUMMARY_NAME_MAX,
			 nullable ? " or null" : "");
		return false;
	}
	s = json_string_value(v);
	for (size_t i = 0; i < json_string_length(v); i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(sub, sublen, "%s.%s: contains a control character", where, key);
			return false;
		}
	return true;
}

/* An array at OBJ.KEY of objects with exactly the members KEYS. */
static const json_t *rows_at(const json_t *obj, const char *key, const char *const *keys, size_t n, char *sub,
			     size_t sublen)
{
	const json_t *rows = json_object_get(obj, key), *row;
	char where[64];
	size_t i;

	if (!json_is_array(rows)) {
		snprintf(sub, sublen, "%s: expected an array", key);
		return NULL;
	}
	json_array_foreach(rows, i, row) {
		snprintf(where, sizeof(where), "%s[%zu]", key, i);
		if (!json_is_object(row)) {
			snprintf(sub, sublen, "%s: expected an object", where);
			return NULL;
		}
		if (jv_only_members(row, keys, n, where, sub, sublen) != 0)
			return NULL;
	}
	return rows;
}

/* Has V (a string, a whole number or null) been seen in SEEN (a set kept
 * as an object's keys, hashed: a hostile summary of 10^5 rows must not cost
 * 10^10 comparisons)? Adds it when not. */
static bool seen_before(json_t *seen, const json_t *v)
{
	char key[FLEET_SUMMARY_NAME_MAX + 4];

	if (json_is_string(v))
		snprintf(key, sizeof(key), "s:%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(key, sizeof(key), "i:%lld", (long long)json_integer_value(v));
	else
		snprintf(key, sizeof(key), "null");
	if (json_object_get(seen, key))
		return true;
	json_object_set_new(seen, key, json_true());
	return false;
}

/* ROWS' COUNT members add up to TOTAL (named TOTAL_KEY), each row's NAME
 * given once. NAME is a name (string, or null when NULLABLE) or, for
 * trust_level, a whole number from 0 to 1000 or null. */
static bool rows_add_up(const json_t *rows, const char *rows_key, const char *name, bool nullable, const char *count,
			json_int_t total, const char *total_key, char *sub, size_t sublen)
{
	json_t *seen = json_object();
	json_int_t sum = 0, n;
	const json_t *row, *v;
	char where[64];
	bool ok = false;
	size_t i;

	json_array_foreach(rows, i, row) {
		snprintf(where, sizeof(where), "%s[%zu]", rows_key, i);
		v = json_object_get(row, name);
		if (strcmp(name, "trust_level") == 0) {
			if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0 ||
						 json_integer_value(v) > 1000)) {
				snprintf(sub, sublen, "%s.%s: expected a whole number from 0 to 1000, or null", where, name);
				goto out;
			}
		} else if (!name_at(row, name, nullable, where, sub, sublen)) {
			goto out;
		}
		if (!count_at(row, count, &n, where, sub, sublen))
			goto out;
		if (seen_before(seen, v)) {
			snprintf(sub, sublen, "%s.%s: named twice", where, name);
			goto out;
		}
		/* both at most 2^53 before: no overflow */
		if ((sum += n) > COUNT_MAX) {
			snprintf(sub, sublen, "%s: counts add up past 2^53", rows_key);
			goto out;
		}
	}
	if (sum != total) {
		snprintf(sub, sublen, "%s: %s add up to %lld, not the %s %lld", rows_key, count, (long long)sum, total_key,
			 (long long)total);
		goto out;
	}
	ok = true;
out:
	json_decref(seen);
	return ok;
}

static bool checks_valid(const json_t *rows, char *sub, size_t sublen)
{
	json_t *seen = json_object();
	const json_t *row;
	char where[64];
	json_int_t n;
	bool ok = false;
	size_t i;

	json_array_foreach(rows, i, row) {
		snprintf(where, sizeof(where), "checks[%zu]", i);
		if (!name_at(row, "check", false, where, sub, sublen))
			goto out;
		for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
			if (!count_at(row, statuses[s], &n, where, sub, sublen))
				goto out;
		if (seen_before(seen, json_object_get(row, "check"))) {
			snprintf(sub, sublen, "%s.check: named twice", where);
			goto out;
		}
	}
	ok = true;
out:
	json_decref(seen);
	return ok;
}

static bool summary_valid(const json_t *s, char *sub, size_t sublen)
{
	static const char *const top[] = { "hosts", "accelerators", "by_model", "by_export_class", "by_trust_level",
					   "checks" };
	static const char *const model[] = { "model", "accelerators" }, *const eccn[] = { "export_class", "accelerators" },
				 *const trust[] = { "trust_level", "hosts" },
				 *const check[] = { "check", "pass", "warn", "fail", "skip", "error" };
	const json_t *models, *classes, *levels, *checks;
	json_int_t hosts, accelerators;

	if (!json_is_object(s)) {
		snprintf(sub, sublen, "expected an object (chipaudit-collector query summary --json)");
		return false;
	}
	return jv_only_members(s, top, sizeof(top) / sizeof(top[0]), "summary", sub, sublen) == 0 &&
	       count_at(s, "hosts", &hosts, "summary", sub, sublen) &&
	       count_at(s, "accelerators", &accelerators, "summary", sub, sublen) &&
	       (models = rows_at(s, "by_model", model, 2, sub, sublen)) &&
	       rows_add_up(models, "by_model", "model", true, "accelerators", accelerators, "accelerators", sub, sublen) &&
	       (classes = rows_at(s, "by_export_class", eccn, 2, sub, sublen)) &&
	       rows_add_up(classes, "by_export_class", "export_class", true, "accelerators", accelerators, "accelerators",
			   sub, sublen) &&
	       (levels = rows_at(s, "by_trust_level", trust, 2, sub, sublen)) &&
	       rows_add_up(levels, "by_trust_level", "trust_level", true, "hosts", hosts, "hosts", sub, sublen) &&
	       (checks = rows_at(s, "checks", check, 6, sub, sublen)) && checks_valid(checks, sub, sublen);
}

json_t *fleet_summary_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	json_t *doc, *s;
	char sub[320];

	if (len > FLEET_SUMMARY_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", name, FLEET_SUMMARY_MAX_BYTES);
		return NULL;
	}
	if ((doc = json_parse_strict(buf, len, name, err, errlen)) == NULL)
		return NULL;
	s = doc;
	/* GET /v1/query/summary answers {"status": "answered", "answer": {...}} */
	if (json_is_object(doc) && json_object_get(doc, "answer") && json_object_size(doc) == 2 &&
	    json_is_string(json_object_get(doc, "status")) &&
	    strcmp(json_string_value(json_object_get(doc, "status")), "answered") == 0)
		s = json_object_get(doc, "answer");
	if (!summary_valid(s, sub, sizeof(sub))) {
		/* member names are quoted from the file: one line whatever they hold */
		text_one_line(sub);
		snprintf(err, errlen, "%s: %s", name, sub);
		json_decref(doc);
		return NULL;
	}
	json_incref(s);
	json_decref(doc);
	return s;
}
