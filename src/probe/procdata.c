/* data/device-nodes.json and data/daemons.json, validated strictly: a
 * table that names a source it does not define, or a pattern that is not an
 * absolute path, is refused with the member named. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data.h"
#include "core/json.h"
#include "core/util.h"
#include "probe/procs.h"

#define PATTERN_MAX 1024

int device_glob_valid(const char *glob, char *err, size_t errlen)
{
	if (glob[0] != '/') {
		snprintf(err, errlen, "'%.80s' is not an absolute path", glob);
		return -1;
	}
	if (strlen(glob) > PATTERN_MAX) {
		snprintf(err, errlen, "pattern longer than %d bytes", PATTERN_MAX);
		return -1;
	}
	if (!str_is_printable(glob)) {
		snprintf(err, errlen, "pattern holds control characters");
		return -1;
	}
	return 0;
}

/* "sources": {"KEY": {"title": ..., "url": ...}}; "source": ["KEY", ...]. */
static int validate_sources(const json_t *doc, const char *where, char *err, size_t errlen)
{
	static const char *const members[] = { "title", "url" };
	const json_t *sources = json_object_get(doc, "sources");
	const char *key;
	json_t *s;

	if (jv_object(doc, "sources", JV_REQUIRED, where, err, errlen))
		return -1;
	json_object_foreach((json_t *)sources, key, s) {
		char sub[128];
		snprintf(sub, sizeof(sub), "%s.sources.%.40s", where, key);
		if (!json_is_object(s)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_only_members(s, members, ARRAY_SIZE(members), sub, err, errlen) ||
		    jv_string(s, "title", JV_REQUIRED, 1024, sub, err, errlen) ||
		    jv_string(s, "url", JV_REQUIRED | JV_NULLABLE, 1024, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_source_refs(const json_t *doc, const json_t *entry, const char *where, char *err, size_t errlen)
{
	const json_t *refs = json_object_get(entry, "source"), *sources = json_object_get(doc, "sources");
	size_t i;
	json_t *r;

	if (jv_string_array(entry, "source", JV_REQUIRED, 64, where, err, errlen))
		return -1;
	if (json_array_size(refs) == 0) {
		snprintf(err, errlen, "%s.source: empty: every entry names its source", where);
		return -1;
	}
	json_array_foreach(refs, i, r) {
		if (json_object_get(sources, json_string_value(r)) == NULL) {
			snprintf(err, errlen, "%s.source[%zu]: \"%s\" is not in sources", where, i, json_string_value(r));
			return -1;
		}
	}
	return 0;
}

static int validate_header(const json_t *doc, const char *schema, const char *where, char *err, size_t errlen)
{
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: expected a JSON object", where);
		return -1;
	}
	if (jv_string(doc, "schema", JV_REQUIRED, 64, where, err, errlen) ||
	    jv_string(doc, "updated", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_string(doc, "about", 0, 4096, where, err, errlen))
		return -1;
	if (strcmp(jstr(doc, "schema"), schema) != 0) {
		snprintf(err, errlen, "%s.schema: \"%s\" is not %s", where, jstr(doc, "schema"), schema);
		return -1;
	}
	return validate_sources(doc, where, err, errlen);
}

static void add_pattern(struct spy_data *d, const char *p)
{
	for (size_t i = 0; i < d->npatterns; i++)
		if (strcmp(d->patterns[i], p) == 0)
			return;
	d->patterns = xreallocarray(d->patterns, d->npatterns + 1, sizeof(*d->patterns));
	d->prefix = xreallocarray(d->prefix, d->npatterns + 1, sizeof(*d->prefix));
	d->patterns[d->npatterns] = xstrdup(p);
	d->prefix[d->npatterns] = strcspn(p, "*?[\\");
	d->npatterns++;
}

static int load_nodes(struct spy_data *d, const json_t *doc, char *err, size_t errlen)
{
	static const char *const top[] = { "schema", "updated", "about", "sources", "vendors" };
	static const char *const members[] = { "vendor", "patterns", "source", "note" };
	const char *where = "data/device-nodes.json";
	size_t i, j;
	json_t *v, *p;

	if (validate_header(doc, "chipaudit-device-nodes/1", where, err, errlen) ||
	    jv_only_members(doc, top, ARRAY_SIZE(top), where, err, errlen) ||
	    jv_array(doc, "vendors", JV_REQUIRED, where, err, errlen))
		return -1;
	json_array_foreach(json_object_get(doc, "vendors"), i, v) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.vendors[%zu]", where, i);
		if (!json_is_object(v)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_only_members(v, members, ARRAY_SIZE(members), sub, err, errlen) ||
		    jv_string(v, "vendor", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_string(v, "note", 0, 1024, sub, err, errlen) ||
		    jv_string_array(v, "patterns", JV_REQUIRED, PATTERN_MAX, sub, err, errlen) ||
		    validate_source_refs(doc, v, sub, err, errlen))
			return -1;
		json_array_foreach(json_object_get(v, "patterns"), j, p) {
			char perr[128];
			if (device_glob_valid(json_string_value(p), perr, sizeof(perr)) != 0) {
				snprintf(err, errlen, "%s.patterns[%zu]: %s", sub, j, perr);
				return -1;
			}
			add_pattern(d, json_string_value(p));
		}
	}
	return 0;
}

static int validate_listen(const json_t *list, const char *where, char *err, size_t errlen)
{
	static const char *const members[] = { "protocol", "port", "address" };
	size_t i;
	json_t *l;

	json_array_foreach(list, i, l) {
		char sub[160];
		const char *proto;
		snprintf(sub, sizeof(sub), "%s.default_listen[%zu]", where, i);
		if (!json_is_object(l)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_only_members(l, members, ARRAY_SIZE(members), sub, err, errlen) ||
		    jv_string(l, "protocol", JV_REQUIRED, 8, sub, err, errlen) ||
		    jv_integer(l, "port", JV_REQUIRED, 1, 65535, sub, err, errlen) ||
		    jv_string(l, "address", JV_REQUIRED | JV_NULLABLE, 64, sub, err, errlen))
			return -1;
		proto = jstr(l, "protocol");
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) {
			snprintf(err, errlen, "%s.protocol: expected \"tcp\" or \"udp\"", sub);
			return -1;
		}
	}
	return 0;
}

static int load_daemons(struct spy_data *d, const json_t *doc, char *err, size_t errlen)
{
	static const char *const top[] = { "schema", "updated", "about", "sources", "daemons" };
	static const char *const members[] = { "name", "vendor", "role", "process_names", "default_listen", "source", "note" };
	const char *where = "data/daemons.json";
	const json_t *list;
	size_t i, j;
	json_t *dm, *c;

	if (validate_header(doc, "chipaudit-daemons/1", where, err, errlen) ||
	    jv_only_members(doc, top, ARRAY_SIZE(top), where, err, errlen) ||
	    jv_array(doc, "daemons", JV_REQUIRED, where, err, errlen))
		return -1;
	list = json_object_get(doc, "daemons");
	d->daemons = xcalloc(json_array_size(list) + 1, sizeof(*d->daemons));
	json_array_foreach(list, i, dm) {
		char sub[96];
		struct daemon_def *def;
		snprintf(sub, sizeof(sub), "%s.daemons[%zu]", where, i);
		if (!json_is_object(dm)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_only_members(dm, members, ARRAY_SIZE(members), sub, err, errlen) ||
		    jv_string(dm, "name", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_string(dm, "vendor", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_string(dm, "role", JV_REQUIRED, 256, sub, err, errlen) ||
		    jv_string(dm, "note", 0, 1024, sub, err, errlen) ||
		    jv_string_array(dm, "process_names", JV_REQUIRED, 15, sub, err, errlen) ||
		    jv_array(dm, "default_listen", JV_REQUIRED | JV_NULLABLE, sub, err, errlen) ||
		    validate_listen(json_object_get(dm, "default_listen"), sub, err, errlen) ||
		    validate_source_refs(doc, dm, sub, err, errlen))
			return -1;
		if (json_array_size(json_object_get(dm, "process_names")) == 0) {
			snprintf(err, errlen, "%s.process_names: empty", sub);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(d->daemons[j].name, jstr(dm, "name")) == 0) {
				snprintf(err, errlen, "%s.name: \"%s\" listed twice", sub, jstr(dm, "name"));
				return -1;
			}
		}
		def = &d->daemons[d->ndaemons++];
		def->name = xstrdup(jstr(dm, "name"));
		def->vendor = xstrdup(jstr(dm, "vendor"));
		def->ncomms = json_array_size(json_object_get(dm, "process_names"));
		def->comms = xcalloc(def->ncomms, sizeof(*def->comms));
		json_array_foreach(json_object_get(dm, "process_names"), j, c)
			def->comms[j] = xstrdup(json_string_value(c));
	}
	return 0;
}

int spy_data_from_json(struct spy_data *d, const json_t *nodes, const json_t *daemons,
		       const char *const *extra, size_t nextra, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	if (load_nodes(d, nodes, err, errlen) != 0 || load_daemons(d, daemons, err, errlen) != 0) {
		spy_data_free(d);
		return -1;
	}
	for (size_t i = 0; i < nextra; i++) {
		char perr[128];
		if (device_glob_valid(extra[i], perr, sizeof(perr)) != 0) {
			snprintf(err, errlen, "--device-node: %s", perr);
			spy_data_free(d);
			return -1;
		}
		add_pattern(d, extra[i]);
	}
	return 0;
}

int spy_data_load(struct spy_data *d, const char *const *extra, size_t nextra, char *err, size_t errlen)
{
	json_t *nodes = data_load("device-nodes.json", err, errlen), *daemons = NULL;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (nodes && (daemons = data_load("daemons.json", err, errlen)) != NULL)
		rc = spy_data_from_json(d, nodes, daemons, extra, nextra, err, errlen);
	json_decref(nodes);
	json_decref(daemons);
	return rc;
}

void spy_data_free(struct spy_data *d)
{
	for (size_t i = 0; i < d->npatterns; i++)
		free(d->patterns[i]);
	free(d->patterns);
	free(d->prefix);
	for (size_t i = 0; i < d->ndaemons; i++) {
		free(d->daemons[i].name);
		free(d->daemons[i].vendor);
		for (size_t j = 0; j < d->daemons[i].ncomms; j++)
			free(d->daemons[i].comms[j]);
		free(d->daemons[i].comms);
	}
	free(d->daemons);
	memset(d, 0, sizeof(*d));
}

int spy_data_is_device(const struct spy_data *d, const char *path)
{
	if (path[0] != '/')
		return 0;
	for (size_t i = 0; i < d->npatterns; i++)
		if (strncmp(path, d->patterns[i], d->prefix[i]) == 0 &&
		    fnmatch(d->patterns[i], path, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

const struct daemon_def *spy_data_daemon(const struct spy_data *d, const char *comm)
{
	for (size_t i = 0; i < d->ndaemons; i++)
		for (size_t j = 0; j < d->daemons[i].ncomms; j++)
			if (strcmp(d->daemons[i].comms[j], comm) == 0)
				return &d->daemons[i];
	return NULL;
}
