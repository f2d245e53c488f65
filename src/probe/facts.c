#include "facts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "probe/probe.h"

#ifndef CHIPAUDIT_VERSION
#define CHIPAUDIT_VERSION "unknown"
#endif

/* Re-insert KEY so it is printed last (jansson keeps insertion order). */
static void move_to_end(json_t *obj, const char *key)
{
	json_t *v = json_incref(json_object_get(obj, key));
	json_object_del(obj, key);
	json_object_set_new(obj, key, v);
}

static bool limitation_listed(const json_t *facts, const char *source, const char *reason)
{
	size_t i;
	json_t *item;

	json_array_foreach(json_object_get(facts, "limitations"), i, item)
		if (str_same(jstr(item, "source"), source) && strstr(jstr(item, "reason"), reason))
			return true;
	return false;
}

/* Each path the sysroot refused (a device node, a file over its limit, the
 * budget spent) is a limitation, also where the probe that asked for it
 * took the failure for an absent file. */
static void list_refusals(struct probe_ctx *ctx)
{
	const struct sysroot *sr = ctx->sysroot;
	const char *path, *reason;

	for (size_t i = 0; (path = sysroot_refusal(sr, i, &reason)) != NULL; i++)
		if (!limitation_listed(ctx->facts, path, reason))
			probe_limitation(ctx, path, "%s", reason);
	if (sysroot_refusals_dropped(sr) > 0)
		probe_limitation(ctx, "sysroot", "%zu more paths refused (not a regular file, over a size limit or the read budget), not listed",
				 sysroot_refusals_dropped(sr));
}

json_t *facts_gather(const struct sysroot *sr, const struct accdb *db,
		     const struct probe_options *opts, char *err, size_t errlen)
{
	static const struct probe_options no_options;
	json_t *facts = json_object();
	struct probe_ctx ctx = {
		.sysroot = sr, .accdb = db, .options = opts ? opts : &no_options, .facts = facts,
	};

	jset_int(facts, "schema_version", FACTS_SCHEMA_VERSION);
	jset_str(facts, "tool_version", CHIPAUDIT_VERSION);
	jset_str(facts, "source", sysroot_is_live(sr) ? "live" : "captured");
	json_object_set_new(facts, "limitations", json_array());
	for (size_t i = 0; i < probe_section_count; i++)
		probe_sections[i].gather(&ctx);
	list_refusals(&ctx);
	if (ctx.failed) {
		snprintf(err, errlen, "%s", ctx.error);
		json_decref(facts);
		return NULL;
	}
	move_to_end(facts, "limitations");
	return facts;
}

static int validate_limitations(const json_t *facts, char *err, size_t errlen)
{
	const json_t *list = json_object_get(facts, "limitations");
	size_t i;
	json_t *item;

	if (jv_array(facts, "limitations", JV_REQUIRED, "facts", err, errlen))
		return -1;
	json_array_foreach(list, i, item) {
		char where[64];
		snprintf(where, sizeof(where), "limitations[%zu]", i);
		if (!json_is_object(item)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_string(item, "source", JV_REQUIRED, 4096, where, err, errlen) ||
		    jv_string(item, "reason", JV_REQUIRED, 4096, where, err, errlen))
			return -1;
	}
	return 0;
}


static int validate_document(json_t *facts, char *err, size_t errlen)
{
	json_int_t version;

	if (!json_is_object(facts)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_integer(facts, "schema_version", JV_REQUIRED, 0, 1 << 30, "facts", err, errlen) ||
	    jv_string(facts, "tool_version", JV_REQUIRED, 64, "facts", err, errlen) ||
	    jv_string(facts, "source", JV_REQUIRED, 16, "facts", err, errlen))
		return -1;
	jint(facts, "schema_version", &version);
	if (version < FACTS_SCHEMA_OLDEST || version > FACTS_SCHEMA_VERSION) {
		snprintf(err, errlen, "facts.schema_version: %d is not supported (this build reads %d to %d)",
			 (int)version, FACTS_SCHEMA_OLDEST, FACTS_SCHEMA_VERSION);
		return -1;
	}
	/* in the form of this version (1 kept NVML's values at
	 * accelerators[].nvml and had no runtime record), with the runtime
	 * records made from the values, whatever the file says */
	vendor_records_rebuild(facts, version == 1);
	jset_int(facts, "schema_version", FACTS_SCHEMA_VERSION);
	if (validate_limitations(facts, err, errlen))
		return -1;
	for (size_t i = 0; i < probe_section_count; i++) {
		const struct probe_section *s = &probe_sections[i];
		const json_t *section = s->name ? json_object_get(facts, s->name) : NULL;
		if (s->name == NULL) {
			if (s->validate(NULL, facts, err, errlen) != 0)
				return -1;
			continue;
		}
		if (section == NULL) {
			if (s->required) {
				snprintf(err, errlen, "facts.%s: missing", s->name);
				return -1;
			}
			continue;
		}
		if (s->validate(section, facts, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int facts_validate(json_t *facts, const char *name, char *err, size_t errlen)
{
	char sub[512];

	if (validate_document(facts, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", name, sub);
		return -1;
	}
	return 0;
}

json_t *facts_load(const char *path, char *err, size_t errlen, int *exit_code)
{
	json_t *facts = json_load_path(path, err, errlen, exit_code);

	if (facts == NULL)
		return NULL;
	if (facts_validate(facts, strcmp(path, "-") == 0 ? "<stdin>" : path, err, errlen) != 0) {
		json_decref(facts);
		*exit_code = CA_ERR_DATA;
		return NULL;
	}
	return facts;
}

json_t *accelerator_by_address(const json_t *accelerators, const char *address)
{
	size_t i;
	json_t *acc;

	json_array_foreach(accelerators, i, acc)
		if (address && str_same(jstr(acc, "pci_address"), address))
			return acc;
	return NULL;
}
