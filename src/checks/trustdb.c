#include "checks/trustdb.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "core/sysroot.h"
#include "core/util.h"

#define MAX_TEXT 4096

static bool is_date(const char *s)
{
	static const char pattern[] = "dddd-dd-dd";

	if (s == NULL || strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pattern[i])
			return false;
	return true;
}

/* "CVE-2025-23280" */
static bool is_cve(const char *s)
{
	size_t n;

	if (s == NULL || strncmp(s, "CVE-", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[8] != '-')
		return false;
	n = strlen(s + 9);
	if (n < 4 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[9 + i]))
			return false;
	return true;
}

/* "R580" */
static long branch_number(const char *s)
{
	uint64_t v;

	if (s == NULL || s[0] != 'R' || !isdigit((unsigned char)s[1]) || parse_u64(s + 1, 10, &v) != 0 || v > 100000)
		return -1;
	return (long)v;
}

static bool string_in(const json_t *array, const char *key, const char *value)
{
	size_t i;
	json_t *item;

	json_array_foreach(array, i, item)
		if (strcmp(jstr(item, key), value) == 0)
			return true;
	return false;
}

static int validate_cves(const json_t *b, const char *where, char *err, size_t errlen)
{
	const json_t *cves = json_object_get(b, "cves");
	size_t i;
	json_t *c;

	if (jv_array(b, "cves", JV_REQUIRED, where, err, errlen))
		return -1;
	if (json_array_size(cves) == 0) {
		snprintf(err, errlen, "%s.cves: empty", where);
		return -1;
	}
	json_array_foreach(cves, i, c) {
		char sub[128];
		snprintf(sub, sizeof(sub), "%s.cves[%zu]", where, i);
		if (!json_is_object(c)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_string(c, "id", JV_REQUIRED, 32, sub, err, errlen) ||
		    jv_number(c, "cvss", JV_REQUIRED | JV_NULLABLE, 0, 10, sub, err, errlen))
			return -1;
		if (!is_cve(jstr(c, "id"))) {
			snprintf(err, errlen, "%s.id: \"%s\" is not a CVE id (CVE-YYYY-NNNN)", sub, jstr(c, "id"));
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(cves, j), "id"), jstr(c, "id")) == 0) {
				snprintf(err, errlen, "%s.id: %s listed twice", sub, jstr(c, "id"));
				return -1;
			}
		}
	}
	return 0;
}

static int validate_branch(const json_t *br, const json_t *cves, const char *where, char *err, size_t errlen)
{
	const char *fixed;
	const json_t *list = json_object_get(br, "cves");
	long number;
	size_t i;
	json_t *c;

	if (!json_is_object(br)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(br, "branch", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_string(br, "first_fixed", JV_REQUIRED | JV_NULLABLE, 32, where, err, errlen) ||
	    jv_string_array(br, "cves", JV_REQUIRED, 32, where, err, errlen))
		return -1;
	number = branch_number(jstr(br, "branch"));
	if (number < 0) {
		snprintf(err, errlen, "%s.branch: \"%s\" is not a branch (R followed by its number)", where, jstr(br, "branch"));
		return -1;
	}
	fixed = jstr(br, "first_fixed");
	if (fixed && driver_version_branch(fixed) != number) {
		snprintf(err, errlen, "%s.first_fixed: \"%s\" is not a version of branch %s", where, fixed, jstr(br, "branch"));
		return -1;
	}
	if (json_array_size(list) == 0) {
		snprintf(err, errlen, "%s.cves: empty", where);
		return -1;
	}
	json_array_foreach(list, i, c) {
		if (!string_in(cves, "id", json_string_value(c))) {
			snprintf(err, errlen, "%s.cves[%zu]: %s is not among the bulletin's cves", where, i, json_string_value(c));
			return -1;
		}
	}
	return 0;
}

static int validate_bulletin(const json_t *b, const char *where, char *err, size_t errlen)
{
	const json_t *branches = json_object_get(b, "branches");
	size_t i;
	json_t *br;

	if (!json_is_object(b)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(b, "id", JV_REQUIRED, 64, where, err, errlen) ||
	    jv_string(b, "vendor", JV_REQUIRED, 64, where, err, errlen) ||
	    jv_string(b, "driver", JV_REQUIRED, KMOD_NAME_MAX, where, err, errlen) ||
	    jv_string(b, "title", JV_REQUIRED, 256, where, err, errlen) ||
	    jv_string(b, "date", JV_REQUIRED, 10, where, err, errlen) ||
	    jv_string(b, "source", JV_REQUIRED, 512, where, err, errlen) ||
	    jv_string(b, "mirror", JV_NULLABLE, 512, where, err, errlen) ||
	    jv_string(b, "scope", JV_NULLABLE, 256, where, err, errlen) ||
	    validate_cves(b, where, err, errlen) ||
	    jv_array(b, "branches", JV_REQUIRED, where, err, errlen))
		return -1;
	if (!kmod_name_valid(jstr(b, "driver"))) {
		snprintf(err, errlen, "%s.driver: \"%s\" is not a kernel module name", where, jstr(b, "driver"));
		return -1;
	}
	if (!is_date(jstr(b, "date"))) {
		snprintf(err, errlen, "%s.date: expected YYYY-MM-DD", where);
		return -1;
	}
	if (!str_starts_with(jstr(b, "source"), "https://")) {
		snprintf(err, errlen, "%s.source: expected an https:// address", where);
		return -1;
	}
	if (json_array_size(branches) == 0) {
		snprintf(err, errlen, "%s.branches: empty", where);
		return -1;
	}
	json_array_foreach(branches, i, br) {
		char sub[128];
		snprintf(sub, sizeof(sub), "%s.branches[%zu]", where, i);
		if (validate_branch(br, json_object_get(b, "cves"), sub, err, errlen))
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(branches, j), "branch"), jstr(br, "branch")) == 0) {
				snprintf(err, errlen, "%s.branch: %s listed twice", sub, jstr(br, "branch"));
				return -1;
			}
		}
	}
	return 0;
}

int bulletins_validate(const json_t *doc, char *err, size_t errlen)
{
	const json_t *list;
	size_t i;
	json_t *b;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_string(doc, "schema", JV_REQUIRED, 64, "bulletins", err, errlen) ||
	    jv_string(doc, "updated", JV_REQUIRED, 10, "bulletins", err, errlen) ||
	    jv_array(doc, "bulletins", JV_REQUIRED, "bulletins", err, errlen))
		return -1;
	if (strcmp(jstr(doc, "schema"), BULLETINS_SCHEMA) != 0) {
		snprintf(err, errlen, "schema: \"%s\" is not %s", jstr(doc, "schema"), BULLETINS_SCHEMA);
		return -1;
	}
	if (!is_date(jstr(doc, "updated"))) {
		snprintf(err, errlen, "updated: expected YYYY-MM-DD");
		return -1;
	}
	list = json_object_get(doc, "bulletins");
	json_array_foreach(list, i, b) {
		char where[64];
		snprintf(where, sizeof(where), "bulletins[%zu]", i);
		if (validate_bulletin(b, where, err, errlen))
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(list, j), "id"), jstr(b, "id")) == 0) {
				snprintf(err, errlen, "%s.id: %s listed twice", where, jstr(b, "id"));
				return -1;
			}
		}
	}
	return 0;
}

/* An absolute, normalised path: "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin". */
static bool path_is_clean(const char *p)
{
	char *norm;
	bool ok;

	if (p == NULL || p[0] != '/' || strlen(p) > MAX_TEXT || !str_is_printable(p))
		return false;
	norm = path_normalise(p);
	ok = strcmp(norm, p) == 0;
	free(norm);
	return ok;
}

static int validate_manifest_file(const json_t *f, const char *where, char *err, size_t errlen)
{
	if (!json_is_object(f)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_string(f, "path", JV_REQUIRED, MAX_TEXT, where, err, errlen) ||
	    jv_hex(f, "sha256", JV_REQUIRED, 64, where, err, errlen) ||
	    jv_integer(f, "size", JV_NULLABLE, 0, INT64_MAX, where, err, errlen) ||
	    jv_string(f, "source", JV_NULLABLE, MAX_TEXT, where, err, errlen))
		return -1;
	if (!path_is_clean(jstr(f, "path"))) {
		snprintf(err, errlen, "%s.path: \"%.200s\" is not an absolute normalised path", where, jstr(f, "path"));
		return -1;
	}
	return 0;
}

int manifest_validate(const json_t *doc, char *err, size_t errlen)
{
	const json_t *files;
	size_t i;
	json_t *f;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_string(doc, "schema", JV_REQUIRED, 64, "manifest", err, errlen) ||
	    jv_string(doc, "driver", JV_REQUIRED, KMOD_NAME_MAX, "manifest", err, errlen) ||
	    jv_string(doc, "version", JV_REQUIRED | JV_NULLABLE, 64, "manifest", err, errlen) ||
	    jv_string(doc, "description", JV_NULLABLE, MAX_TEXT, "manifest", err, errlen) ||
	    jv_string(doc, "source", JV_REQUIRED, MAX_TEXT, "manifest", err, errlen) ||
	    jv_array(doc, "files", JV_REQUIRED, "manifest", err, errlen))
		return -1;
	if (strcmp(jstr(doc, "schema"), MANIFEST_SCHEMA) != 0) {
		snprintf(err, errlen, "schema: \"%s\" is not %s", jstr(doc, "schema"), MANIFEST_SCHEMA);
		return -1;
	}
	if (!kmod_name_valid(jstr(doc, "driver"))) {
		snprintf(err, errlen, "driver: \"%s\" is not a kernel module name", jstr(doc, "driver"));
		return -1;
	}
	files = json_object_get(doc, "files");
	json_array_foreach(files, i, f) {
		char where[64];
		snprintf(where, sizeof(where), "files[%zu]", i);
		if (validate_manifest_file(f, where, err, errlen))
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(jstr(json_array_get(files, j), "path"), jstr(f, "path")) == 0) {
				snprintf(err, errlen, "%s.path: %s listed twice", where, jstr(f, "path"));
				return -1;
			}
		}
	}
	return 0;
}

void trustdb_add_manifest(struct trustdb *db, const char *origin, json_t *doc)
{
	json_t *item = json_object();

	if (db->manifests == NULL)
		db->manifests = json_array();
	jset_str(item, "origin", origin);
	json_object_set_new(item, "manifest", doc);
	json_array_append_new(db->manifests, item);
}

int trustdb_add_manifest_file(struct trustdb *db, const char *path, char *err, size_t errlen, int *exit_code)
{
	char sub[512];
	json_t *doc = json_load_path(path, err, errlen, exit_code);

	if (doc == NULL)
		return -1;
	if (manifest_validate(doc, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", path, sub);
		json_decref(doc);
		*exit_code = CA_ERR_DATA;
		return -1;
	}
	trustdb_add_manifest(db, path, doc);
	return 0;
}

static int add_data_manifest(struct trustdb *db, const char *name, char *err, size_t errlen)
{
	char sub[512], label[300];
	json_t *doc = data_load(name, err, errlen);

	if (doc == NULL)
		return -1;
	snprintf(label, sizeof(label), "data/%s", name);
	if (manifest_validate(doc, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", label, sub);
		json_decref(doc);
		return -1;
	}
	trustdb_add_manifest(db, label, doc);
	return 0;
}

static bool is_manifest_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

/* The shipped set: embedded "manifests/NAME.json" entries, or the files of
 * DIR/manifests/ under --data-dir (a missing directory is an empty set). */
static int load_manifests(struct trustdb *db, char *err, size_t errlen)
{
	const char *dir = data_dir();

	if (dir && *dir) {
		char *path = path_join(dir, "manifests");
		struct dirent **list = NULL;
		int n = scandir(path, &list, NULL, alphasort), rc = 0;
		for (int k = 0; k < n; k++) {
			if (rc == 0 && is_manifest_name(list[k]->d_name)) {
				char *name = xasprintf("manifests/%s", list[k]->d_name);
				rc = add_data_manifest(db, name, err, errlen);
				free(name);
			}
			free(list[k]);
		}
		free(list);
		free(path);
		return rc;
	}
	for (const struct embedded_file *f = embedded_data; f->name; f++)
		if (str_starts_with(f->name, "manifests/") && is_manifest_name(f->name + strlen("manifests/")) &&
		    add_data_manifest(db, f->name, err, errlen) != 0)
			return -1;
	return 0;
}

int trustdb_load(struct trustdb *db, char *err, size_t errlen)
{
	char sub[512];
	json_t *doc = data_load("bulletins.json", err, errlen);

	if (doc == NULL)
		return -1;
	if (bulletins_validate(doc, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "data/bulletins.json: %s", sub);
		json_decref(doc);
		return -1;
	}
	db->bulletins = doc;
	return load_manifests(db, err, errlen);
}

void trustdb_free(struct trustdb *db)
{
	json_decref(db->bulletins);
	json_decref(db->manifests);
	db->bulletins = db->manifests = NULL;
}

bool trustdb_manifest_applies(const json_t *man, const char *driver, const char *version)
{
	const char *mv = jstr(man, "version");

	if (driver == NULL || strcmp(jstr(man, "driver"), driver) != 0)
		return false;
	return mv == NULL || (version && strcmp(mv, version) == 0);
}

enum manifest_verdict trustdb_manifest_lookup(const struct trustdb *db, const char *driver, const char *version,
					      const char *path, const char *sha256, uint64_t size,
					      const json_t **expected, const char **origin)
{
	enum manifest_verdict verdict = MANIFEST_UNLISTED;
	size_t i, j;
	json_t *m, *f;

	*expected = NULL;
	*origin = NULL;
	json_array_foreach(db->manifests, i, m) {
		if (!trustdb_manifest_applies(jobj(m, "manifest"), driver, version))
			continue;
		json_array_foreach(jarr(jobj(m, "manifest"), "files"), j, f) {
			json_int_t want_size;
			bool same;
			if (strcmp(jstr(f, "path"), path) != 0)
				continue;
			same = strcmp(jstr(f, "sha256"), sha256) == 0 &&
			       (!jint(f, "size", &want_size) || (uint64_t)want_size == size);
			if (same || verdict == MANIFEST_UNLISTED) {
				*expected = f;
				*origin = jstr(m, "origin");
			}
			if (same)
				return MANIFEST_MATCH;
			verdict = MANIFEST_MISMATCH;
		}
	}
	return verdict;
}
