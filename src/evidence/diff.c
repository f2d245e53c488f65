#include "evidence/diff.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "probe/shapes.h"

static const char *const sections[] = {
	"host", "accelerators", "drivers", "modules", "firmware", "processes", "findings",
};

static void add(json_t *changes, const char *section, const char *subject, const char *what,
		const json_t *from, const json_t *to)
{
	json_t *c = json_object();

	jset_str(c, "section", section);
	jset_str(c, "subject", subject);
	jset_str(c, "what", what);
	json_object_set_new(c, "from", from ? json_deep_copy(from) : json_null());
	json_object_set_new(c, "to", to ? json_deep_copy(to) : json_null());
	json_array_append_new(changes, c);
}

/* 32 and 32.0 are one value: a report rewritten by another tool (jq) must
 * not differ from the original in every real number. */
static bool equal(const json_t *a, const json_t *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal((json_t *)a, (json_t *)b);
}

/* Compare one member, by path, of two objects. */
static void compare_path(json_t *changes, const char *section, const char *subject,
			 const json_t *a, const json_t *b, const char *path)
{
	const json_t *va = jpath(a, path), *vb = jpath(b, path);

	if (!equal(va, vb))
		add(changes, section, subject, path, va, vb);
}

/* The facts of a report, or the report itself when it carries none (it
 * still has host and accelerators). */
static const json_t *facts_of(const json_t *report)
{
	const json_t *f = report_facts(report);
	return f ? f : report;
}

static void diff_host(json_t *changes, const json_t *a, const json_t *b)
{
	static const char *const paths[] = { "host.hostname", "host.kernel", "host.kernel_version", "host.os", "host.machine_id" };

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		compare_path(changes, "host", "host", a, b, paths[i]);
}

static json_t *accelerator_label(const json_t *acc)
{
	const char *model = jstr(acc, "model");
	char *s = xasprintf("%s %s (%s:%s)", jstr(acc, "vendor") ? jstr(acc, "vendor") : "unknown vendor",
			    model ? model : "unknown model", jstr(acc, "vendor_id") ? jstr(acc, "vendor_id") : "?",
			    jstr(acc, "device_id") ? jstr(acc, "device_id") : "?");
	json_t *v = json_string_lossy(s);
	free(s);
	return v;
}

static void diff_tops(json_t *changes, const char *addr, const json_t *a, const json_t *b)
{
	const json_t *ta = shape_measured_tops(a), *tb = shape_measured_tops(b);
	const char *precision;
	json_t *v;
	char what[96];

	json_object_foreach((json_t *)tb, precision, v) {
		const json_t *old = ta ? json_object_get(ta, precision) : NULL;
		snprintf(what, sizeof(what), "measured.dense_tops.%s", precision);
		if (!equal(json_is_null(old) ? NULL : old, json_is_null(v) ? NULL : v))
			add(changes, "accelerators", addr, what, json_is_null(old) ? NULL : old, json_is_null(v) ? NULL : v);
	}
	json_object_foreach((json_t *)ta, precision, v) {
		snprintf(what, sizeof(what), "measured.dense_tops.%s", precision);
		if (!json_is_null(v) && (tb == NULL || json_object_get(tb, precision) == NULL))
			add(changes, "accelerators", addr, what, v, NULL);
	}
}

static void diff_accelerator(json_t *changes, const char *addr, const json_t *a, const json_t *b)
{
	for (size_t i = 0; i < shape_accelerator_path_count; i++)
		compare_path(changes, "accelerators", addr, a, b, shape_accelerator_paths[i]);
	for (size_t i = 0; i < shape_limit_field_count; i++)
		compare_path(changes, "accelerators", addr, a, b, shape_limit_fields[i].path);
	diff_tops(changes, addr, a, b);
	for (size_t i = 0; i < shape_measured_path_count; i++)
		compare_path(changes, "accelerators", addr, a, b, shape_measured_paths[i]);
}

static void diff_accelerators(json_t *changes, const json_t *fa, const json_t *fb)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(fa, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		if (addr && shape_accelerator(fb, addr) == NULL) {
			json_t *label = accelerator_label(acc);
			add(changes, "accelerators", addr, "accelerator", label, NULL);
			json_decref(label);
		}
	}
	json_array_foreach(jarr(fb, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		const json_t *old = addr ? shape_accelerator(fa, addr) : NULL;
		if (addr == NULL)
			continue;
		if (old == NULL) {
			json_t *label = accelerator_label(acc);
			add(changes, "accelerators", addr, "accelerator", NULL, label);
			json_decref(label);
		} else {
			diff_accelerator(changes, addr, old, acc);
		}
	}
}

static void diff_drivers(json_t *changes, const json_t *fa, const json_t *fb)
{
	char *da = shape_driver_versions(fa), *db = shape_driver_versions(fb);

	if ((da || db) && (!da || !db || strcmp(da, db) != 0)) {
		json_t *va = da ? json_string_lossy(da) : NULL, *vb = db ? json_string_lossy(db) : NULL;
		add(changes, "drivers", "host", "versions", va, vb);
		json_decref(va);
		json_decref(vb);
	}
	free(da);
	free(db);
}

typedef const char *(*name_fn)(const json_t *);

/* Modules or firmware: entries keyed by NAME_OF, with MEMBERS compared; an
 * entry that appeared or went is shown with its digest, the first member. */
static void diff_named(json_t *changes, const char *section, const json_t *la, const json_t *lb,
		       name_fn name_of, const struct shape_member *members, size_t nmembers)
{
	const struct shape_member *digest = &members[0];
	size_t i;
	json_t *item;

	json_array_foreach(la, i, item)
		if (name_of(item) && shape_find_named(lb, name_of, name_of(item)) == NULL)
			add(changes, section, name_of(item), digest->what, jpath(item, digest->path), NULL);
	json_array_foreach(lb, i, item) {
		const json_t *old;
		if (name_of(item) == NULL)
			continue;
		old = shape_find_named(la, name_of, name_of(item));
		if (old == NULL) {
			add(changes, section, name_of(item), digest->what, NULL, jpath(item, digest->path));
			continue;
		}
		for (size_t m = 0; m < nmembers; m++) {
			const json_t *va = jpath(old, members[m].path), *vb = jpath(item, members[m].path);
			if (!equal(va, vb))
				add(changes, section, name_of(item), members[m].what, va, vb);
		}
	}
}

/* Device users by identity; their peers as sets. */
static json_t *device_users(const json_t *facts)
{
	json_t *users = json_object(), *p;
	size_t i;

	json_array_foreach(shape_processes(facts), i, p) {
		const char *id = shape_process_identity(p);
		json_t *peers, *have, *peer;
		size_t j;
		if (!shape_is_device_user(p) || id == NULL)
			continue;
		peers = shape_network_peers(p);
		have = json_object_get(users, id);
		if (have == NULL) {
			json_object_set_new(users, id, peers);
			continue;
		}
		json_array_foreach(peers, j, peer) {
			bool dup = false;
			size_t k;
			json_t *q;
			json_array_foreach(have, k, q)
				dup = dup || json_equal(q, peer);
			if (!dup)
				json_array_append(have, peer);
		}
		json_decref(peers);
	}
	return users;
}

static json_t *minus(const json_t *a, const json_t *b)
{
	json_t *out = json_array(), *v, *w;
	size_t i, j;

	json_array_foreach(a, i, v) {
		bool found = false;
		json_array_foreach(b, j, w)
			found = found || json_equal(v, w);
		if (!found)
			json_array_append(out, v);
	}
	return out;
}

static void diff_processes(json_t *changes, const json_t *fa, const json_t *fb)
{
	json_t *ua, *ub, *peers;
	const char *id;

	if (shape_processes(fa) == NULL && shape_processes(fb) == NULL)
		return;
	ua = device_users(fa);
	ub = device_users(fb);
	json_object_foreach(ua, id, peers)
		if (json_object_get(ub, id) == NULL)
			add(changes, "processes", id, "device user, peers", peers, NULL);
	json_object_foreach(ub, id, peers) {
		const json_t *old = json_object_get(ua, id);
		json_t *gone, *new_peers;
		if (old == NULL) {
			add(changes, "processes", id, "device user, peers", NULL, peers);
			continue;
		}
		gone = minus(old, peers);
		new_peers = minus(peers, old);
		if (json_array_size(gone))
			add(changes, "processes", id, "peers", gone, NULL);
		if (json_array_size(new_peers))
			add(changes, "processes", id, "peers", NULL, new_peers);
		json_decref(gone);
		json_decref(new_peers);
	}
	json_decref(ua);
	json_decref(ub);
}

static bool noteworthy(const char *status)
{
	return status && (strcmp(status, "warn") == 0 || strcmp(status, "fail") == 0 || strcmp(status, "error") == 0);
}

/* Findings keyed by check and subject: "CHECK\tSUBJECT" -> status (a
 * finding of several subjects gives each its key). */
static json_t *finding_map(const json_t *report)
{
	json_t *map = json_object(), *f, *s;
	size_t i, j;

	json_array_foreach(jarr(report, "findings"), i, f) {
		const char *check = jstr(f, "check"), *status = jstr(f, "status");
		if (!check || !status)
			continue;
		json_array_foreach(jarr(f, "subjects"), j, s) {
			char *key = xasprintf("%s\t%s", check, json_string_value(s));
			const char *have = jstr(map, key);
			/* several findings of one check on one subject: the worst stands */
			if (have == NULL || strcmp(have, "pass") == 0 || strcmp(have, "skip") == 0)
				jset_str(map, key, status);
			free(key);
		}
	}
	return map;
}

static void add_finding(json_t *changes, const char *key, const char *from, const char *to)
{
	const char *tab = strchr(key, '\t');
	char *check = xstrndup(key, (size_t)(tab - key));
	json_t *a = from ? json_string(from) : NULL, *b = to ? json_string(to) : NULL;

	add(changes, "findings", tab + 1, check, a, b);
	json_decref(a);
	json_decref(b);
	free(check);
}

static void diff_findings(json_t *changes, const json_t *a, const json_t *b)
{
	json_t *ma = finding_map(a), *mb = finding_map(b), *v;
	const char *key;

	json_object_foreach(ma, key, v) {
		if (json_object_get(mb, key) == NULL && noteworthy(json_string_value(v)))
			add_finding(changes, key, json_string_value(v), NULL);  /* cleared */
	}
	json_object_foreach(mb, key, v) {
		const char *now = json_string_value(v), *was = jstr(ma, key);
		if (was == NULL) {
			if (noteworthy(now))
				add_finding(changes, key, NULL, now);  /* appeared */
		} else if (strcmp(was, now) != 0) {
			add_finding(changes, key, was, now);
		}
	}
	json_decref(ma);
	json_decref(mb);
}

json_t *report_diff(const json_t *a, const json_t *b)
{
	const json_t *fa = facts_of(a), *fb = facts_of(b);
	json_t *changes = json_array(), *fwa = shape_firmware_files(fa), *fwb = shape_firmware_files(fb);

	diff_host(changes, fa, fb);
	diff_accelerators(changes, fa, fb);
	diff_drivers(changes, fa, fb);
	diff_named(changes, "modules", shape_modules(fa), shape_modules(fb), shape_module_name,
		   shape_module_members, shape_module_member_count);
	diff_named(changes, "firmware", fwa, fwb, shape_firmware_path, shape_firmware_members,
		   shape_firmware_member_count);
	json_decref(fwa);
	json_decref(fwb);
	diff_processes(changes, fa, fb);
	diff_findings(changes, a, b);
	return changes;
}

static void print_value(FILE *out, const json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		text_printf(out, "%s", json_string_value(v));
		return;
	}
	text = json_to_text(v, false);
	text_printf(out, "%s", text);
	free(text);
}

static void render_change(FILE *out, const json_t *c)
{
	const json_t *from = json_object_get(c, "from"), *to = json_object_get(c, "to");
	const char *section = jstr(c, "section"), *subject = jstr(c, "subject"), *what = jstr(c, "what");
	bool added = json_is_null(from), removed = json_is_null(to);

	text_printf(out, "  %c ", added ? '+' : removed ? '-' : '~');
	if (strcmp(section, "findings") == 0)
		text_printf(out, "%s [%s]: ", what, subject);
	else if (strcmp(subject, "host") == 0)
		text_printf(out, "%s: ", what);
	else
		text_printf(out, "%s %s: ", subject, what);
	if (added) {
		print_value(out, to);
	} else if (removed) {
		print_value(out, from);
	} else {
		print_value(out, from);
		fputs(" -> ", out);
		print_value(out, to);
		if (json_is_number(from) && json_is_number(to) && json_number_value(from) != 0)
			text_printf(out, " (%+.1f%%)", (json_number_value(to) / json_number_value(from) - 1) * 100);
	}
	if (strcmp(section, "findings") == 0 && (added || removed))
		fputs(added ? " (appeared)" : " (cleared)", out);
	fputc('\n', out);
}

void diff_render_text(FILE *out, const json_t *changes)
{
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
		bool header = false;
		size_t i;
		json_t *c;

		json_array_foreach(changes, i, c) {
			if (strcmp(jstr(c, "section"), sections[s]) != 0)
				continue;
			if (!header)
				text_printf(out, "%s\n", sections[s]);
			header = true;
			render_change(out, c);
		}
	}
	if (json_array_size(changes) == 0)
		fputs("no changes\n", out);
}
